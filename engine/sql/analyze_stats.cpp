/*-------------------------------------------------------------------------
 * analyze_stats.cpp
 *   VACUUM and ANALYZE: pg_class's reltuples / relpages (see
 *   analyze_stats.h).
 *-------------------------------------------------------------------------
 */
#include "engine/sql/analyze_stats.h"

#include "engine/catalog/catalog_access.h"
#include "engine/catalog/relcache.h"
#include "engine/common/interrupts.h"
#include "engine/common/sqlstate.h"
#include "engine/storage/heap/heapam.h"
#include "engine/storage/smgr/smgr.h"

namespace minipg::sql {

namespace {

/* Replaces the table's pg_class row by one with the new counts. */
Status StoreCounts(storage::Oid db, const storage::TableDef& table, const TableCounts& counts) {
  const catalog::SystemCatalog& pg_class = *catalog::FindSystemCatalog("pg_class");
  auto rows = catalog::CatalogScan(pg_class, db);
  if (!rows.ok()) return rows.error();
  for (catalog::CatalogRow& r : *rows) {
    if (std::get<int64_t>(r.values[catalog::pg_class::kOid]) != static_cast<int64_t>(table.oid)) continue;
    storage::Tuple row = r.values;
    row[catalog::pg_class::kRelpages] = storage::Datum(counts.pages);
    row[catalog::pg_class::kReltuples] = storage::Datum(counts.tuples);
    if (Status s = catalog::CatalogDelete(pg_class, db, r.tid); !s.ok()) return s;
    if (Status s = catalog::CatalogInsert(pg_class, db, row); !s.ok()) return s;
    catalog::RelcacheInvalidateRelation(db, table.oid);
    return OkStatus();
  }
  return OkStatus();  // dropped meanwhile: nothing to record
}

}  // namespace

Result<TableCounts> CountTable(const SessionContext& ctx, const storage::TableDef& table) {
  storage::RelFileLocator rel = catalog::TableLocator(ctx.data_dir, table);
  TableCounts counts;
  auto nblocks = storage::SmgrNBlocks(rel, storage::ForkNumber::kMain);
  if (!nblocks.ok()) return nblocks.error();
  counts.pages = *nblocks;
  storage::HeapTableScan scan(rel, table.columns);
  if (Status s = scan.Open(); !s.ok()) return s.error();
  for (;;) {
    if (Status s = CheckForInterrupts(); !s.ok()) return s.error();
    auto row = scan.Next();
    if (!row.ok()) return row.error();
    if (!row->has_value()) break;
    counts.tuples += 1;
  }
  return counts;
}

Status UpdateTableCounts(const SessionContext& ctx, const storage::TableDef& table) {
  auto counts = CountTable(ctx, table);
  if (!counts.ok()) return counts.error();
  if (counts->tuples == 0 && table.reltuples < 0) return OkStatus();
  return StoreCounts(catalog::DatabaseOidOf(ctx.data_dir), table, *counts);
}

Result<ExecutionResult> RunVacuumAnalyze(const Query& query, const storage::CatalogSnapshot& catalog,
                                         const SessionContext& ctx) {
  ExecutionResult result;
  result.node_rows.assign(1, 0);
  storage::Oid db = catalog::DatabaseOidOf(ctx.data_dir);
  for (const storage::TableDef& table : catalog.tables) {
    bool named = query.tables.empty();
    for (const std::string& name : query.tables) named = named || name == table.name;
    if (!named || table.kind != 'r') continue;  // a view has no rows; a sequence's one is not counted
    auto counts = CountTable(ctx, table);
    if (!counts.ok()) return counts.error();
    if (Status s = StoreCounts(db, table, *counts); !s.ok()) return s.error();
  }
  return result;
}

}  // namespace minipg::sql
