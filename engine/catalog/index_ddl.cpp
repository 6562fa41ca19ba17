/*-------------------------------------------------------------------------
 * index_ddl.cpp
 *   CREATE INDEX / DROP INDEX through the catalogs, and the entries of a
 *   new row (index_ddl.h).
 *-------------------------------------------------------------------------
 */
#include "engine/catalog/index_ddl.h"

#include <algorithm>
#include <functional>

#include <fmt/format.h>

#include "engine/catalog/catalog_access.h"
#include "engine/catalog/catalog_rows.h"
#include "engine/catalog/client_catalogs.h"
#include "engine/catalog/foreign_keys.h"
#include "engine/catalog/relcache.h"
#include "engine/catalog/table_ddl.h"
#include "engine/common/sqlstate.h"
#include "engine/storage/heap/heap_dirty.h"
#include "engine/storage/heap/heapam.h"
#include "engine/storage/heap/transam.h"
#include "engine/storage/heap/xact.h"
#include "engine/storage/ipc/sinval.h"

namespace minipg::catalog {

namespace {

using storage::Datum;

storage::RelFileLocator LocatorOf(Oid db, Oid oid) {
  return storage::RelFileLocator{storage::kDefaultTablespaceOid, db, oid};
}

/* The table's pg_class row again with one column changed (an UPDATE: the
 * old version deleted, the new inserted). */
Status UpdateClassColumn(Oid db, const CatalogRow& table_row, size_t column, Datum value) {
  const SystemCatalog& pg_class_cat = *FindSystemCatalog("pg_class");
  if (Status s = CatalogDelete(pg_class_cat, db, table_row.tid); !s.ok()) return s;
  storage::Tuple updated = table_row.values;
  updated[column] = std::move(value);
  return CatalogInsert(pg_class_cat, db, updated);
}

/* relhasindex true once the table has an index. */
Status SetRelhasindex(Oid db, const CatalogRow& table_row) {
  if (std::get<bool>(table_row.values[pg_class::kRelhasindex])) return OkStatus();
  return UpdateClassColumn(db, table_row, pg_class::kRelhasindex, Datum(true));
}

/* Every visible row of the table as build entries for `index`. */
Result<std::vector<storage::nbtree::BtBuildEntry>> TableEntries(Oid db, const storage::TableDef& table,
                                                                 const storage::IndexDef& index) {
  std::vector<storage::nbtree::BtBuildEntry> entries;
  // Every committed row (and the own transaction's), whatever the statement's snapshot.
  storage::HeapTableScan scan(LocatorOf(db, table.oid), table.columns, storage::GetCatalogSnapshot());
  if (Status s = scan.Open(); !s.ok()) return s.error();
  for (;;) {
    auto row = scan.Next();
    if (!row.ok()) return row.error();
    if (!row->has_value()) return entries;
    entries.push_back({IndexKeyOf(index, **row), scan.last_tid()});
  }
}

/* Deletes index `oid`'s rows and asks for its file to go at commit. */
Status DropIndexRows(Oid db, Oid oid) {
  if (Status s = DeleteCatalogRowsWhere(*FindSystemCatalog("pg_class"), db, pg_class::kOid, oid); !s.ok()) return s;
  if (Status s = DeleteCatalogRowsWhere(*FindSystemCatalog("pg_attribute"), db, pg_attribute::kAttrelid, oid);
      !s.ok()) {
    return s;
  }
  if (Status s = DeleteCatalogRowsWhere(*FindSystemCatalog("pg_index"), db, pg_index::kIndexrelid, oid); !s.ok()) {
    return s;
  }
  storage::HeapDropRelation(LocatorOf(db, oid));  // relfilenode = OID
  storage::CacheInvalidateRelcache(db, oid);
  return OkStatus();
}

}  // namespace

Result<bool> CreateIndexWithCatalog(const std::filesystem::path& db_dir, const IndexSpec& spec, Oid owner,
                                    storage::nbtree::BtValueText value_text) {
  Oid db = DatabaseOidOf(db_dir);
  auto free_before = RelationNameFree(db, spec.name);  // before waiting for another creator
  if (!free_before.ok()) return free_before.error();
  if (Status s = LockDatabaseDdl(db_dir); !s.ok()) return s.error();
  auto table_row = FindRelationRow(db, spec.table);
  if (!table_row.ok()) return table_row.error();
  if (!table_row->has_value()) {
    return MakeError(sqlstate::kUndefinedTable, fmt::format("relation \"{}\" does not exist", spec.table));
  }
  if (std::get<std::string>((**table_row).values[pg_class::kRelkind]) != "r") {
    return MakeError(sqlstate::kWrongObjectType, fmt::format("\"{}\" is not a table", spec.table));
  }
  auto tables = RelcacheTables(db);
  if (!tables.ok()) return tables.error();
  const storage::TableDef* table = tables->Find(spec.table);
  if (table == nullptr) {
    return MakeError(sqlstate::kUndefinedTable, fmt::format("relation \"{}\" does not exist", spec.table));
  }
  storage::IndexDef index;
  index.name = spec.name;
  index.unique = spec.unique || spec.primary;
  index.primary = spec.primary;
  for (const std::string& c : spec.columns) {
    auto it = std::find_if(table->columns.begin(), table->columns.end(),
                           [&c](const storage::ColumnDef& col) { return col.name == c; });
    if (it == table->columns.end()) {
      return MakeError(sqlstate::kUndefinedColumn, fmt::format("column \"{}\" does not exist", c));
    }
    index.key_attnums.push_back(static_cast<int16_t>(it - table->columns.begin() + 1));
  }
  auto free = RelationNameFree(db, spec.name);
  if (!free.ok()) return free.error();
  if (!*free && *free_before) return CreatedMeanwhile("pg_class_relname_nsp_index", "relname, relnamespace", spec.name);
  if (!*free) return false;

  index.oid = NewRelationOid(db);
  RelationRow rel;
  rel.kind = 'i';
  rel.am = kBtreeAmOid;
  rel.oid = index.oid;
  rel.name = index.name;
  rel.owner = owner;
  rel.natts = index.key_attnums.size();
  storage::nbtree::BtreeIndex bt = BtreeIndexOf(db, *table, index);
  if (Status s = storage::HeapCreateRelation(bt.rel); !s.ok()) return s.error();
  if (Status s = CatalogInsert(*FindSystemCatalog("pg_class"), db, PgClassRow(rel)); !s.ok()) return s.error();
  const SystemCatalog& attribute = *FindSystemCatalog("pg_attribute");
  for (size_t i = 0; i < bt.columns.size(); ++i) {
    if (Status s = CatalogInsert(attribute, db, PgAttributeRow(index.oid, bt.columns[i], static_cast<int16_t>(i + 1)));
        !s.ok()) {
      return s.error();
    }
  }
  if (Status s = CatalogInsert(*FindSystemCatalog("pg_index"), db,
                                 PgIndexRow(IndexRow{index.oid, table->oid, index.key_attnums, index.unique, index.primary})); !s.ok()) {
    return s.error();
  }
  if (Status s = SetRelhasindex(db, **table_row); !s.ok()) return s.error();
  auto entries = TableEntries(db, *table, index);
  if (!entries.ok()) return entries.error();
  if (Status s = storage::nbtree::BtreeBuild(bt, std::move(*entries), value_text); !s.ok()) return s.error();
  storage::CacheInvalidateRelcache(db, table->oid);
  storage::CacheInvalidateRelcache(db, index.oid);
  return true;
}

Status AddConstraintWithCatalog(const std::filesystem::path& db_dir, const ConstraintSpec& spec, Oid owner,
                                storage::nbtree::BtValueText value_text) {
  Oid db = DatabaseOidOf(db_dir);
  ConstraintRow con;
  con.name = spec.name;
  con.type = spec.type;
  con.check = spec.check;
  con.validated = spec.validated;
  if (spec.type == 'p' || spec.type == 'u') {
    auto created = CreateIndexWithCatalog(
        db_dir, IndexSpec{spec.name, spec.table, spec.columns, true, spec.type == 'p'}, owner, value_text);
    if (!created.ok()) return created.error();
    if (!*created) {
      return MakeError(sqlstate::kDuplicateTable, fmt::format("relation \"{}\" already exists", spec.name));
    }
    auto index_row = FindRelationRow(db, spec.name);
    if (!index_row.ok()) return index_row.error();
    con.index = static_cast<Oid>(std::get<int64_t>((**index_row).values[pg_class::kOid]));
  }
  auto tables = RelcacheTables(db);
  if (!tables.ok()) return tables.error();
  const storage::TableDef* table = tables->Find(spec.table);
  if (table == nullptr) {
    return MakeError(sqlstate::kUndefinedTable, fmt::format("relation \"{}\" does not exist", spec.table));
  }
  con.table = table->oid;
  con.keys = AttnumsOf(*table, spec.columns);
  if (spec.type == 'f') {
    if (Status s = ResolveForeignKey(*tables, spec, con); !s.ok()) return s;
  }
  con.oid = storage::GetNewObjectId();
  if (Status s = CatalogInsert(*FindSystemCatalog("pg_constraint"), db, PgConstraintRow(con)); !s.ok()) return s;
  if (spec.type == 'c') {  // relchecks counts the CHECK constraints (psql's \d reads them only if > 0)
    auto table_row = FindRelationRow(db, spec.table);
    if (!table_row.ok()) return table_row.error();
    if (*table_row) {
      int64_t checks = std::get<int64_t>((**table_row).values[pg_class::kRelchecks]);
      if (Status s = UpdateClassColumn(db, **table_row, pg_class::kRelchecks, Datum(checks + 1)); !s.ok()) return s;
    }
  }
  if (spec.type == 'f') {  // PostgreSQL's RI triggers: psql's \d reads foreign keys only where relhastriggers
    for (const std::string& name : {spec.table, spec.ref_table}) {
      auto row = FindRelationRow(db, name);
      if (!row.ok()) return row.error();
      if (!*row) continue;
      if (Status s = UpdateClassColumn(db, **row, pg_class::kRelhastriggers, Datum(true)); !s.ok()) return s;
      if (const storage::TableDef* t = tables->Find(name)) storage::CacheInvalidateRelcache(db, t->oid);
    }
  }
  storage::CacheInvalidateRelcache(db, table->oid);
  return OkStatus();
}

Result<bool> DropIndexWithCatalog(const std::filesystem::path& db_dir, std::string_view name) {
  if (Status s = LockDatabaseDdl(db_dir); !s.ok()) return s.error();
  Oid db = DatabaseOidOf(db_dir);
  auto row = FindRelationRow(db, name);
  if (!row.ok()) return row.error();
  if (!row->has_value()) return false;
  if (std::get<std::string>((**row).values[pg_class::kRelkind]) != "i") {
    Error e = MakeError(sqlstate::kWrongObjectType, fmt::format("\"{}\" is not an index", name));
    e.hint = "Use DROP TABLE to remove a table.";
    return e;
  }
  auto oid = static_cast<Oid>(std::get<int64_t>((**row).values[pg_class::kOid]));
  auto constraints = CatalogScan(*FindSystemCatalog("pg_constraint"), db);
  if (!constraints.ok()) return constraints.error();
  for (const CatalogRow& r : *constraints) {
    if (std::get<int64_t>(r.values[pg_constraint::kConindid]) != oid) continue;
    auto table = CatalogScan(*FindSystemCatalog("pg_class"), db);
    if (!table.ok()) return table.error();
    std::string table_name;
    for (const CatalogRow& t : *table) {
      if (std::get<int64_t>(t.values[pg_class::kOid]) == std::get<int64_t>(r.values[pg_constraint::kConrelid])) {
        table_name = std::get<std::string>(t.values[pg_class::kRelname]);
      }
    }
    const auto& con = std::get<std::string>(r.values[pg_constraint::kConname]);
    Error e = MakeError(sqlstate::kDependentObjectsStillExist,
                        fmt::format("cannot drop index {} because constraint {} on table {} requires it", name, con,
                                    table_name));
    e.hint = fmt::format("You can drop constraint {} on table {} instead.", con, table_name);
    return e;
  }
  auto indexes = CatalogScan(*FindSystemCatalog("pg_index"), db);
  if (!indexes.ok()) return indexes.error();
  for (const CatalogRow& r : *indexes) {
    if (std::get<int64_t>(r.values[pg_index::kIndexrelid]) != oid) continue;
    storage::CacheInvalidateRelcache(db, static_cast<Oid>(std::get<int64_t>(r.values[pg_index::kIndrelid])));
  }
  if (Status s = DropIndexRows(db, oid); !s.ok()) return s.error();
  return true;
}

Status DropIndexById(Oid db, Oid oid) { return DropIndexRows(db, oid); }

Status DropIndexesOfTable(Oid db, Oid table_oid) {
  auto indexes = CatalogScan(*FindSystemCatalog("pg_index"), db);
  if (!indexes.ok()) return indexes.error();
  for (const CatalogRow& r : *indexes) {
    if (std::get<int64_t>(r.values[pg_index::kIndrelid]) != table_oid) continue;
    if (Status s = DropIndexRows(db, static_cast<Oid>(std::get<int64_t>(r.values[pg_index::kIndexrelid]))); !s.ok()) {
      return s;
    }
  }
  return OkStatus();
}

storage::nbtree::BtreeIndex BtreeIndexOf(Oid db, const storage::TableDef& table, const storage::IndexDef& index) {
  storage::nbtree::BtreeIndex bt;
  bt.rel = LocatorOf(db, index.oid);
  bt.name = index.name;
  bt.unique = index.unique;
  for (int16_t attnum : index.key_attnums) bt.columns.push_back(table.columns.at(static_cast<size_t>(attnum - 1)));
  return bt;
}

storage::Tuple IndexKeyOf(const storage::IndexDef& index, const storage::Tuple& row) {
  storage::Tuple key;
  for (int16_t attnum : index.key_attnums) key.push_back(row.at(static_cast<size_t>(attnum - 1)));
  return key;
}

namespace {

/* The first row of `table` whose key in `index` equals `key` and that
 * `accept` takes: its TID, nullopt if none. */
Result<std::optional<storage::ItemPointer>> FindIndexKey(
    Oid db, const storage::TableDef& table, const storage::IndexDef& index, const storage::Tuple& key,
    const std::function<Result<bool>(storage::ItemPointer)>& accept) {
  std::vector<storage::nbtree::BtScanKey> keys;
  for (size_t i = 0; i < key.size(); ++i) keys.push_back({i, storage::nbtree::BtStrategy::kEqual, key[i]});
  storage::nbtree::BtreeScan scan(BtreeIndexOf(db, table, index), std::move(keys));
  for (;;) {
    auto tid = scan.Next();
    if (!tid.ok()) return tid.error();
    if (!tid->has_value()) return std::optional<storage::ItemPointer>();
    auto take = accept(**tid);
    if (!take.ok()) return take.error();
    if (*take) return *tid;
  }
}

}  // namespace

Result<std::optional<storage::ItemPointer>> FindLiveIndexKey(Oid db, const storage::TableDef& table,
                                                             const storage::IndexDef& index, const storage::Tuple& key) {
  storage::RelFileLocator heap = LocatorOf(db, table.oid);
  return FindIndexKey(db, table, index, key, [heap](storage::ItemPointer tid) {
    return storage::HeapTupleVisibleAt(heap, tid);
  });
}

Result<std::optional<storage::ItemPointer>> FindConflictingIndexKey(Oid db, const storage::TableDef& table,
                                                                    const storage::IndexDef& index,
                                                                    const storage::Tuple& key,
                                                                    storage::ItemPointer ignore) {
  storage::RelFileLocator heap = LocatorOf(db, table.oid);
  for (;;) {
    storage::TransactionId wait_for = storage::kInvalidTransactionId;
    auto found = FindIndexKey(db, table, index, key, [&](storage::ItemPointer tid) -> Result<bool> {
      if (tid == ignore) return false;
      auto dirty = storage::HeapTupleDirtyAt(heap, tid);
      if (!dirty.ok()) return dirty.error();
      wait_for = dirty->wait_for;
      return dirty->live;
    });
    if (!found.ok() || wait_for == storage::kInvalidTransactionId) return found;
    if (Status s = storage::WaitForTransactionEnd(wait_for); !s.ok()) return s.error();
  }
}

Status InsertIndexEntries(Oid db, const storage::TableDef& table, const storage::Tuple& row, storage::ItemPointer tid,
                          storage::nbtree::BtValueText value_text) {
  storage::RelFileLocator heap = LocatorOf(db, table.oid);
  auto is_live = [heap](storage::ItemPointer t) { return storage::HeapTupleDirtyAt(heap, t); };
  for (const storage::IndexDef& index : table.indexes) {
    if (Status s = storage::nbtree::BtreeInsert(BtreeIndexOf(db, table, index), IndexKeyOf(index, row), tid, is_live,
                                                value_text);
        !s.ok()) {
      return s;
    }
  }
  return OkStatus();
}

}  // namespace minipg::catalog
