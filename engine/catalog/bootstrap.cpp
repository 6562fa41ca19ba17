/*-------------------------------------------------------------------------
 * bootstrap.cpp
 *   Writing the catalogs of a new data directory (bootstrap.h).
 *-------------------------------------------------------------------------
 */
#include "engine/catalog/bootstrap.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "engine/catalog/catalog_rows.h"
#include "engine/catalog/client_catalogs.h"
#include "engine/common/sqlstate.h"
#include "engine/storage/file_util.h"
#include "engine/storage/global_catalog.h"
#include "engine/storage/heap/transam.h"
#include "engine/storage/page/heap_tuple.h"
#include "engine/storage/page/page.h"

namespace minipg::catalog {

namespace {

namespace fs = std::filesystem;
using storage::Tuple;

/* Every catalog's rows for a new database, by catalog OID. */
BootstrapRowMap BootstrapRows(const BootstrapRowMap& extra_rows) {
  BootstrapRowMap rows;
  for (const SystemCatalog* cat : SystemCatalogs()) rows[cat->oid];
  rows[kTypeRelationId] = PgTypeBaseRows();
  rows[kNamespaceRelationId] = PgNamespaceRows();
  rows[kAmRelationId] = PgAmRows();
  rows[kCollationRelationId] = PgCollationRows();
  for (const auto& [oid, extra] : extra_rows) rows[oid].insert(rows[oid].end(), extra.begin(), extra.end());
  for (const SystemCatalog* cat : SystemCatalogs()) {
    RelationRow rel;
    rel.oid = cat->oid;
    rel.name = cat->name;
    rel.nspace = kPgCatalogNamespace;
    rel.row_type = cat->row_type;
    rel.shared = cat->shared;
    rel.natts = cat->columns.size();
    rows[kRelationRelationId].push_back(PgClassRow(rel));
    rows[kTypeRelationId].push_back(PgTypeRowType(rel));
    for (size_t i = 0; i < cat->columns.size(); ++i) {
      rows[kAttributeRelationId].push_back(PgAttributeRow(cat->oid, cat->columns[i], static_cast<int16_t>(i + 1)));
    }
  }
  return rows;
}

}  // namespace

/* Rows as frozen tuples on pages, the pages written to `path`. */
Status WriteBootstrapRelation(const fs::path& path, const std::vector<storage::ColumnDef>& columns,
                              const std::vector<Tuple>& rows) {
  std::string file;
  std::string page(storage::kBlockSize, '\0');
  bool page_used = false;
  auto finish_page = [&] {
    auto block = static_cast<storage::BlockNumber>(file.size() / storage::kBlockSize);
    storage::PageSetChecksum(page.data(), block);
    file += page;
    page.assign(storage::kBlockSize, '\0');
    page_used = false;
  };
  for (const Tuple& row : rows) {
    auto tuple = storage::HeapFormTuple(columns, row, storage::kBootstrapTransactionId, storage::kFirstCommandId);
    if (!tuple.ok()) return tuple.error();
    storage::HeapTupleSetInfomask(tuple->data(), storage::kHeapXminFrozen);
    if (!page_used) storage::PageInit(page.data(), 0);
    storage::OffsetNumber off = storage::PageAddItem(page.data(), *tuple);
    if (off == storage::kInvalidOffsetNumber) {
      finish_page();
      storage::PageInit(page.data(), 0);
      off = storage::PageAddItem(page.data(), *tuple);
    }
    page_used = true;
    auto block = static_cast<storage::BlockNumber>(file.size() / storage::kBlockSize);
    char* item = storage::PageGetItemData(page.data(), storage::PageGetItemId(page.data(), off));
    storage::HeapTupleSetCtid(item, storage::ItemPointer{block, off});
  }
  if (page_used) finish_page();
  auto fd = storage::OpenFile(path, O_WRONLY | O_CREAT | O_TRUNC);
  if (!fd.ok()) return fd.error();
  if (Status s = storage::WriteAllAt(fd->get(), file, 0, path); !s.ok()) return s;
  if (fsync(fd->get()) != 0) return storage::IoError("fsync", path, errno);
  return OkStatus();
}

Status BootstrapCatalogs(const fs::path& data_dir, const BootstrapRowMap& extra_rows) {
  fs::path template1 = storage::DatabasePath(data_dir, storage::kTemplate1Oid);
  std::error_code ec;
  if (fs::exists(template1 / std::to_string(kRelationRelationId), ec)) return OkStatus();
  BootstrapRowMap rows = BootstrapRows(extra_rows);
  for (const SystemCatalog* cat : SystemCatalogs()) {
    if (cat->shared) continue;  // global/: written with the shared catalogs
    fs::path path = template1 / std::to_string(cat->oid);
    if (Status s = WriteBootstrapRelation(path, cat->columns, rows[cat->oid]); !s.ok()) return s;
  }
  if (Status s = storage::FsyncDir(template1); !s.ok()) return s;
  return storage::CopyDatabaseFiles(data_dir, storage::kTemplate1Oid, storage::kPostgresDbOid);
}

Status CheckCatalogFormat(const fs::path& data_dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(data_dir / "base", ec)) {
    if (!fs::exists(entry.path() / "minipg_catalog", ec)) continue;
    Error e = MakeError(sqlstate::kObjectNotInPrerequisiteState, "database files are incompatible with server",
                        Severity::kFatal);
    e.detail = fmt::format(
        "The data directory was made by an older minipg, which kept each database's tables in a file "
        "(\"{}\") instead of pg_class.",
        (entry.path() / "minipg_catalog").string());
    e.hint = "Make a new data directory (or remove this one) and start the server again.";
    return e;
  }
  return OkStatus();
}

}  // namespace minipg::catalog
