/*-------------------------------------------------------------------------
 * system_views.h
 *   System views: read-only tables whose rows a function makes when a
 *   query scans them, rather than a heap file (PostgreSQL's pg_stat_activity
 *   is a view over the function pg_stat_get_activity()).
 *
 *   How a system view goes through the stages:
 *     analyze  LookupTable finds the view's TableDef (before the catalog's
 *              tables, as pg_catalog comes first on PostgreSQL's search_path);
 *              columns, WHERE, ORDER BY bind as for any table; INSERT is refused
 *     plan     a Function Scan node (instead of a Seq Scan)
 *     execute  its state node calls the view's `rows` function at Init()
 *
 *   To add a view: write its rows function and add one entry to the list
 *   in system_views.cpp.
 *
 * NOTES
 *   A view's OID is below kFirstTableOid (16384), so it can never collide
 *   with a user table's.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/sql/session.h"
#include "engine/storage/catalog.h"
#include "engine/storage/datum.h"

namespace minipg::sql {

struct SystemView {
  storage::TableDef def;  // name, OID and columns, as a table would have them
  const char* function;   // the function that makes the rows, named in the plan ("pg_stat_get_activity")
  Result<std::vector<storage::Tuple>> (*rows)(const SessionContext& ctx);
  bool set_returning_function = false;  // read as FROM name(), not FROM name (pg_control_checkpoint())
  const char* extension = nullptr;      // the extension whose CREATE EXTENSION makes it appear, if any
  // A function of arguments, read as FROM name(args) (minipg_page_items):
  // its rows from `rows_with_args`, the arguments coerced to `arg_types`.
  Result<std::vector<storage::Tuple>> (*rows_with_args)(const SessionContext& ctx,
                                                        const std::vector<storage::Datum>& args) = nullptr;
  std::vector<TypeId> arg_types{};
};

/* PostgreSQL's number for the UTF8 encoding (pg_database.encoding). */
inline constexpr int64_t kUtf8EncodingId = 6;

/* pg_get_userbyid(): the role's name, or "unknown (OID=n)" as PostgreSQL
 * says for a role that is not there. */
std::string RoleNameOrUnknown(const SessionContext& ctx, int64_t oid);

/* The system view called `name`, or nullptr. */
const SystemView* FindSystemView(std::string_view name);
/* Every system view of pg_catalog (not information_schema's). */
std::vector<const SystemView*> AllSystemViews();
/* The system view with this OID (information_schema's too), or nullptr (a user table). */
const SystemView* FindSystemViewByOid(uint32_t oid);

}  // namespace minipg::sql
