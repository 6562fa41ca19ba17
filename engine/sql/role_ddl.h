/*-------------------------------------------------------------------------
 * role_ddl.h
 *   Statements on the cluster-wide catalog: databases and roles.
 *
 *     CREATE DATABASE name [[WITH] OWNER [=] role]
 *     DROP DATABASE [IF EXISTS] name
 *     CREATE ROLE | USER name [[WITH] option ...]     (USER implies LOGIN)
 *     ALTER ROLE | USER name [[WITH] option ...]
 *     DROP ROLE | USER [IF EXISTS] name [, ...]
 *     GRANT role [, ...] TO role [, ...]
 *     REVOKE role [, ...] FROM role [, ...] [CASCADE | RESTRICT]
 *
 *     option: SUPERUSER | NOSUPERUSER | LOGIN | NOLOGIN | CREATEDB |
 *             NOCREATEDB | [ENCRYPTED] PASSWORD 'secret' | PASSWORD NULL
 *     role (after TO/FROM): a name, CURRENT_USER or SESSION_USER
 *
 *   GRANT/REVOKE of roles (role membership, pg_auth_members) need a
 *   superuser: minipg has no ADMIN OPTION. GRANT of privileges on tables
 *   (GRANT ... ON ...) is not one of these statements.
 *
 *   They run outside the analyzer/planner/executor path: they touch no
 *   table, only global/minipg_global (storage/global_catalog.h), and check
 *   the connected role's privileges first, as PostgreSQL's
 *   CreateRole/AlterRole/DropRole and createdb/dropdb do.
 *
 * NOTES
 *   Their grammar is ParseCatalogDdl() (catalog_ddl_stmt.h), which the main
 *   parser calls for a statement that starts with their words; the
 *   dispatcher runs them as utility statements.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/common/error.h"
#include "engine/sql/catalog_ddl_stmt.h"
#include "engine/sql/session.h"

namespace minipg::sql {

/* Runs it as `ctx.user`; returns the command tag ("CREATE ROLE", ...).
 * `password_encryption` is the session's setting ("scram-sha-256" or "md5"). */
Result<std::string> ExecCatalogDdl(const CatalogDdl& ddl, const SessionContext& ctx,
                                   std::string_view password_encryption);

/* Whether `ctx.user` is a superuser now (true without a cluster catalog,
 * as in unit tests that run SQL over a bare folder). */
bool SessionUserIsSuperuser(const SessionContext& ctx);

/* Whether `ctx.user` has the privileges of role `role` (it is that role, a
 * member of it, or a superuser); false if either role is gone. */
bool SessionHasPrivsOfRole(const SessionContext& ctx, std::string_view role);

/* `ctx.user`'s role OID (the bootstrap superuser's without a cluster
 * catalog; 0 if the role is gone), for the owner of what it creates. */
uint32_t SessionUserOid(const SessionContext& ctx);

}  // namespace minipg::sql
