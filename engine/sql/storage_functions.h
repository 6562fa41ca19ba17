/*-------------------------------------------------------------------------
 * storage_functions.h
 *   SQL functions over the storage layer, each in one table entry: the WAL
 *   positions (pg_current_wal_lsn & co, pg_walfile_name) and the sizes of
 *   relations and databases (pg_relation_size & co, pg_size_pretty).
 *
 *   They are entries of the builtins registry (adt/builtins.h), resolved
 *   by the analyzer as any function is; all are strict, as PostgreSQL's.
 *
 * NOTES
 *   minipg has no pg_lsn nor regclass type: an LSN is text ("0/16B3748"),
 *   and a relation argument is its name (text) or its OID (integer).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/common/error.h"
#include "engine/sql/session.h"
#include "engine/storage/datum.h"

namespace minipg::sql {

struct BuiltinRegistry;  // adt/builtins.h

/* Adds the functions above to the registry. */
void RegisterStorageFunctions(BuiltinRegistry& r);

/* minipg_visibility_map(relation): one row per heap block, its two
 * visibility map bits (pg_visibility's pg_visibility_map, which is an
 * extension in PostgreSQL; this one is minipg's own). */
Result<std::vector<storage::Tuple>> MinipgVisibilityMapRows(const SessionContext& ctx,
                                                            const std::vector<storage::Datum>& args);

/* minipg_page_items(relation, block): one row per line pointer of the
 * block, pageinspect's heap_page_items columns and t_row (the tuple's
 * values as a row literal, NULL for an unused line pointer or a system
 * catalog). A system view with arguments (system_views.cpp). */
Result<std::vector<storage::Tuple>> MinipgPageItemsRows(const SessionContext& ctx,
                                                        const std::vector<storage::Datum>& args);

/* pg_get_multixact_members(xid): one row (xid, mode) per member of the
 * MultiXactId, mode "keysh", "sh", "fornokeyupd", "forupd", "nokeyupd" or
 * "upd"; PostgreSQL's errors for 0 and for an id not created yet. A
 * system view with arguments (system_views.cpp). */
Result<std::vector<storage::Tuple>> MultiXactMembersRows(const SessionContext& ctx,
                                                         const std::vector<storage::Datum>& args);

/* pg_size_pretty(bigint): "10 kB", "8192 bytes", as PostgreSQL 15 rounds. */
std::string PrettySize(int64_t bytes);

}  // namespace minipg::sql
