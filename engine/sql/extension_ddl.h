/*-------------------------------------------------------------------------
 * extension_ddl.h
 *   CREATE EXTENSION [IF NOT EXISTS] name [CASCADE] and
 *   DROP EXTENSION [IF EXISTS] name [CASCADE | RESTRICT]: the only
 *   extension minipg has is pg_buffercache (its view is built in,
 *   storage_views.h, and shows rows only in a database that created it).
 *
 * NOTES
 *   A database's extensions are its pg_extension rows (CREATE inserts one,
 *   DROP deletes it, in the statement's transaction, under the database's
 *   DDL lock), so CREATE DATABASE copies template1's as PostgreSQL's does.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/common/error.h"
#include "engine/sql/catalog_ddl_stmt.h"
#include "engine/sql/session.h"

namespace minipg::sql {

/* Runs CREATE / DROP EXTENSION (parsed by ParseExtensionDdl,
 * catalog_ddl_stmt.h); returns its command tag or its error. */
Result<std::string> RunExtensionDdl(const ExtensionDdl& ddl, const SessionContext& ctx);

/* Whether the connected database has created extension `name`. */
bool ExtensionInstalled(const SessionContext& ctx, std::string_view name);

}  // namespace minipg::sql
