/*-------------------------------------------------------------------------
 * catalog_access.cpp
 *   Scans, inserts and deletes of catalog rows (catalog_access.h).
 *-------------------------------------------------------------------------
 */
#include "engine/catalog/catalog_access.h"

#include "engine/storage/heap/heapam.h"
#include "engine/storage/ipc/sinval.h"

namespace minipg::catalog {

namespace {

/* The catalog's caches in every backend are stale once this commits
 * (and in this one at once). */
void QueueCatalogInvalidation(const SystemCatalog& cat, storage::Oid db) {
  storage::CacheInvalidateCatalog(cat.shared ? 0 : db, cat.oid);
}

}  // namespace

storage::RelFileLocator CatalogLocator(const SystemCatalog& cat, storage::Oid db) {
  if (cat.shared) return storage::RelFileLocator{storage::kGlobalTablespaceOid, 0, cat.oid};
  return storage::RelFileLocator{storage::kDefaultTablespaceOid, db, cat.oid};
}

storage::Oid DatabaseOidOf(const std::filesystem::path& db_dir) {
  storage::Oid db = 0;
  std::string name = db_dir.filename().string();
  if (name.empty()) name = db_dir.parent_path().filename().string();  // "base/5/"
  for (char c : name) {
    if (c < '0' || c > '9') break;
    db = db * 10 + static_cast<storage::Oid>(c - '0');
  }
  return db;
}

storage::RelFileLocator TableLocator(const std::filesystem::path& db_dir, const storage::TableDef& table) {
  if (table.shared) return storage::RelFileLocator{storage::kGlobalTablespaceOid, 0, table.oid};
  return storage::RelFileLocator{storage::kDefaultTablespaceOid, DatabaseOidOf(db_dir), table.oid};
}

Result<std::vector<CatalogRow>> CatalogScan(const SystemCatalog& cat, storage::Oid db, const storage::ScanKey* key) {
  // A fresh catalog snapshot per scan, never the statement's (snapshot.h).
  storage::HeapTableScan scan(CatalogLocator(cat, db), cat.columns, storage::GetCatalogSnapshot(), key);
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

Status CatalogUpdate(const SystemCatalog& cat, storage::Oid db, storage::ItemPointer tid, const storage::Tuple& row) {
  storage::HeapInsertState state;
  if (Status s = storage::HeapUpdate(CatalogLocator(cat, db), cat.columns, tid, row, state, nullptr); !s.ok()) return s;
  QueueCatalogInvalidation(cat, db);
  return OkStatus();
}

}  // namespace minipg::catalog
