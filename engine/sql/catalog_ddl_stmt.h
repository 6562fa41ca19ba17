/*-------------------------------------------------------------------------
 * catalog_ddl_stmt.h
 *   The parse trees of the cluster-wide catalog statements (databases,
 *   roles, role membership: role_ddl.h has their grammar and meaning) and
 *   of CREATE / DROP EXTENSION (extension_ddl.h), and their parsers, which
 *   the main parser calls for a statement that starts with their words.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/common/error.h"

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

/* nullopt if `text` is not one of role_ddl.h's statements; otherwise the
 * parsed statement or its syntax error (positions relative to `text`). */
std::optional<Result<CatalogDdl>> ParseCatalogDdl(std::string_view text);

/* CREATE EXTENSION [IF NOT EXISTS] name [WITH] [SCHEMA s] [CASCADE],
 * DROP EXTENSION [IF EXISTS] name [CASCADE | RESTRICT]. */
struct ExtensionDdl {
  bool create = true;
  bool if_clause = false;  // IF NOT EXISTS / IF EXISTS
  std::string name;
};

/* nullopt if `text` is not CREATE or DROP EXTENSION; otherwise the parsed
 * statement or its syntax error. */
std::optional<Result<ExtensionDdl>> ParseExtensionDdl(std::string_view text);

}  // namespace minipg::sql
