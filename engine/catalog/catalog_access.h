/*-------------------------------------------------------------------------
 * catalog_access.h
 *   Reading and changing a system catalog's rows: its heap relation through
 *   the buffer pool and the WAL, as any table (PostgreSQL's
 *   CatalogTupleInsert / CatalogTupleDelete over heapam, and a sequential
 *   scan: minipg has no catalog indexes).
 *
 *     CatalogScan    every row visible to this transaction, with its TID
 *                    (those whose key column matches, given a ScanKey)
 *     CatalogInsert  HeapInsert in the current transaction, then an
 *                    invalidation of the catalog queued for commit
 *     CatalogDelete  HeapDelete of one row (xmax = this transaction), same
 *     CatalogUpdate  HeapUpdate of one row (CatalogTupleUpdate), same: a
 *                    row another transaction changed meanwhile is waited
 *                    for, then XX000 "tuple concurrently updated" (or
 *                    "deleted") once it commits
 *
 * NOTES
 *   A change is visible to its own transaction at once and to the others
 *   once it commits; an aborted one is never seen (pg_xact). Callers that
 *   change a relation's rows (CREATE / DROP TABLE) also queue a relcache
 *   invalidation of that relation. Concurrent DDL is kept apart by the
 *   database's DDL lock (table_ddl.h), not here.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <filesystem>
#include <vector>

#include "engine/catalog/system_catalog.h"
#include "engine/common/error.h"
#include "engine/storage/block.h"
#include "engine/storage/datum.h"
#include "engine/storage/page/heap_tuple.h"

namespace minipg::storage {
struct ScanKey;  // heapam.h
}  // namespace minipg::storage

namespace minipg::catalog {

struct CatalogRow {
  storage::ItemPointer tid;
  storage::Tuple values;
};

/* Where the catalog's relation file is for database `db` (global/<oid> for
 * a shared one, whatever `db`). */
storage::RelFileLocator CatalogLocator(const SystemCatalog& cat, storage::Oid db);

/* The database OID of its folder base/<oid> (a SessionContext's data_dir). */
storage::Oid DatabaseOidOf(const std::filesystem::path& db_dir);

/* Where a table's relation file is: base/<db>/<relfilenode = its OID>, or
 * global/ for a shared catalog. */
storage::RelFileLocator TableLocator(const std::filesystem::path& db_dir, const storage::TableDef& table);

/* The catalog's rows visible to the current transaction, in TID order;
 * only those that meet `key` if it is given. */
Result<std::vector<CatalogRow>> CatalogScan(const SystemCatalog& cat, storage::Oid db,
                                            const storage::ScanKey* key = nullptr);

/* Adds a row (its values in the catalog's column order). */
Status CatalogInsert(const SystemCatalog& cat, storage::Oid db, const storage::Tuple& row);

/* Deletes the row at `tid` (as CatalogScan gave it). */
Status CatalogDelete(const SystemCatalog& cat, storage::Oid db, storage::ItemPointer tid);

/* Replaces the row at `tid` (as CatalogScan gave it) with `row`. */
Status CatalogUpdate(const SystemCatalog& cat, storage::Oid db, storage::ItemPointer tid, const storage::Tuple& row);

}  // namespace minipg::catalog
