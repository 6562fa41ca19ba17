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
 *   The main parser recognises these statements only by their first words
 *   (as unsupported ones); the session hands their text to
 *   ParseCatalogDdl(), which has the whole grammar above.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/common/error.h"
#include "engine/sql/session.h"

namespace minipg::sql {

struct CatalogDdl {
  enum class Kind {
    kCreateDatabase,
    kDropDatabase,
    kCreateRole,
    kAlterRole,
    kDropRole,
    kGrantRole,
    kRevokeRole
  };
  Kind kind = Kind::kCreateRole;
  std::vector<std::string> names;     // one, or several for DROP ROLE, GRANT and REVOKE
  std::vector<std::string> grantees;  // GRANT ... TO / REVOKE ... FROM these roles
  bool if_exists = false;
  std::optional<bool> superuser, login, createdb;
  bool set_password = false;
  std::optional<std::string> password;  // nullopt with set_password = PASSWORD NULL
  std::optional<std::string> owner;     // CREATE DATABASE ... OWNER role
};

/* nullopt if `text` is not one of the statements above; otherwise the
 * parsed statement or its syntax error (positions relative to `text`). */
std::optional<Result<CatalogDdl>> ParseCatalogDdl(std::string_view text);

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
