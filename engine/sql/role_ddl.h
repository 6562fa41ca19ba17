/*-------------------------------------------------------------------------
 * role_ddl.h
 *   Statements on the cluster-wide catalog: databases and roles.
 *
 *     CREATE DATABASE name [[WITH] OWNER [=] role]
 *     DROP DATABASE [IF EXISTS] name
 *     CREATE ROLE | USER name [[WITH] option ...]     (USER implies LOGIN)
 *     ALTER ROLE | USER name [[WITH] option ...]
 *     DROP ROLE | USER [IF EXISTS] name [, ...]
 *
 *     option: SUPERUSER | NOSUPERUSER | LOGIN | NOLOGIN | CREATEDB |
 *             NOCREATEDB | [ENCRYPTED] PASSWORD 'secret' | PASSWORD NULL
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
  enum class Kind { kCreateDatabase, kDropDatabase, kCreateRole, kAlterRole, kDropRole };
  Kind kind = Kind::kCreateRole;
  std::vector<std::string> names;  // one, or several for DROP ROLE
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

/* `ctx.user`'s role OID (the bootstrap superuser's without a cluster
 * catalog; 0 if the role is gone), for the owner of what it creates. */
uint32_t SessionUserOid(const SessionContext& ctx);

}  // namespace minipg::sql
