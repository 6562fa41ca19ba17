/*-------------------------------------------------------------------------
 * catalog_access.cpp
 *   Scans, inserts and deletes of catalog rows (catalog_access.h).
 *-------------------------------------------------------------------------
 */
#include "engine/catalog/catalog_access.h"

#include "engine/storage/heap/heapam.h"

namespace minipg::catalog {

namespace {

/* The catalog's caches in every backend are stale once this commits.
 * Stand-in until the shared invalidation queue (sinval.h) is merged:
 * nothing to queue yet. */
void QueueCatalogInvalidation(const SystemCatalog& cat, storage::Oid db) {
  (void)cat;
  (void)db;
}

}  // namespace

storage::RelFileLocator CatalogLocator(const SystemCatalog& cat, storage::Oid db) {
  if (cat.shared) return storage::RelFileLocator{storage::kGlobalTablespaceOid, 0, cat.oid};
  return storage::RelFileLocator{storage::kDefaultTablespaceOid, db, cat.oid};
}

Result<std::vector<CatalogRow>> CatalogScan(const SystemCatalog& cat, storage::Oid db) {
  storage::HeapTableScan scan(CatalogLocator(cat, db), cat.columns);
  if (Status s = scan.Open(); !s.ok()) return s.error();
  std::vector<CatalogRow> rows;
  for (;;) {
    auto row = scan.Next();
    if (!row.ok()) return row.error();
    if (!row->has_value()) break;
    rows.push_back(CatalogRow{scan.last_tid(), std::move(**row)});
  }
  return rows;
}

Status CatalogInsert(const SystemCatalog& cat, storage::Oid db, const storage::Tuple& row) {
  if (Status s = storage::HeapInsert(CatalogLocator(cat, db), cat.columns, {row}); !s.ok()) return s;
  QueueCatalogInvalidation(cat, db);
  return OkStatus();
}

Status CatalogDelete(const SystemCatalog& cat, storage::Oid db, storage::ItemPointer tid) {
  if (Status s = storage::HeapDelete(CatalogLocator(cat, db), tid); !s.ok()) return s;
  QueueCatalogInvalidation(cat, db);
  return OkStatus();
}

}  // namespace minipg::catalog
