/*-------------------------------------------------------------------------
 * analyze_stats.cpp
 *   VACUUM and ANALYZE: pg_class's reltuples / relpages and ANALYZE's
 *   column statistics in pg_statistic (see analyze_stats.h).
 *-------------------------------------------------------------------------
 */
#include "engine/sql/analyze_stats.h"

#include <algorithm>
#include <random>

#include "engine/catalog/catalog_access.h"
#include "engine/catalog/client_catalogs.h"
#include "engine/catalog/relcache.h"
#include "engine/catalog/table_ddl.h"
#include "engine/common/interrupts.h"
#include "engine/common/sqlstate.h"
#include "engine/sql/adt/builtins.h"
#include "engine/sql/column_stats.h"
#include "engine/sql/types.h"
#include "engine/sql/vacuum_command.h"
#include "engine/shmem/pgstat.h"
#include "engine/storage/heap/vacuumlazy.h"
#include <fmt/format.h>
#include "engine/storage/heap/heapam.h"
#include "engine/storage/heap/visibilitymap.h"
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
    row[catalog::pg_class::kRelallvisible] = storage::Datum(std::min(counts.allvisible, counts.pages));
    if (counts.frozenxid != 0) row[catalog::pg_class::kRelfrozenxid] = storage::Datum(static_cast<int64_t>(counts.frozenxid));
    if (Status s = catalog::CatalogDelete(pg_class, db, r.tid); !s.ok()) return s;
    if (Status s = catalog::CatalogInsert(pg_class, db, row); !s.ok()) return s;
    catalog::RelcacheInvalidateRelation(db, table.oid);
    return OkStatus();
  }
  return OkStatus();  // dropped meanwhile: nothing to record
}

/* Reads the whole table: its counts and, when `sample` is given, up to
 * kSampleRows of its rows in physical order (all of them if it has no
 * more; else a reservoir sample, seeded so that a rerun draws the same). */
Result<TableCounts> ReadTable(const SessionContext& ctx, const storage::TableDef& table,
                              std::vector<storage::Tuple>* sample) {
  storage::RelFileLocator rel = catalog::TableLocator(ctx.data_dir, table);
  TableCounts counts;
  auto nblocks = storage::SmgrNBlocks(rel, storage::ForkNumber::kMain);
  if (!nblocks.ok()) return nblocks.error();
  counts.pages = *nblocks;
  auto vm = storage::VisibilityMapCount(rel, *nblocks);
  if (!vm.ok()) return vm.error();
  counts.allvisible = vm->all_visible;
  storage::HeapTableScan scan(rel, table.columns);
  if (Status s = scan.Open(); !s.ok()) return s.error();
  std::mt19937_64 random(table.oid);
  std::vector<std::pair<int64_t, storage::Tuple>> reservoir;
  for (int64_t seen = 0;; ++seen) {
    if (Status s = CheckForInterrupts(); !s.ok()) return s.error();
    auto row = scan.Next();
    if (!row.ok()) return row.error();
    if (!row->has_value()) break;
    counts.tuples += 1;
    if (sample == nullptr) continue;
    if (reservoir.size() < static_cast<size_t>(kSampleRows)) {
      reservoir.emplace_back(seen, std::move(**row));
    } else if (auto k = static_cast<int64_t>(random() % static_cast<uint64_t>(seen + 1)); k < kSampleRows) {
      reservoir[static_cast<size_t>(k)] = {seen, std::move(**row)};
    }
  }
  if (sample != nullptr) {
    std::sort(reservoir.begin(), reservoir.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [pos, row] : reservoir) sample->push_back(std::move(row));
  }
  return counts;
}

uint32_t OperatorOid(std::string_view name, TypeId type) {
  for (const OperatorInfo* op : FindOperators(name)) {
    if (op->left == type && op->right == type) return op->oid;
  }
  return 0;
}

/* The table's pg_statistic rows replaced by ones for `sample`. */
Status StoreStatistics(storage::Oid db, const storage::TableDef& table, const std::vector<storage::Tuple>& sample,
                       double total_rows) {
  namespace ps = catalog::pg_statistic;
  const catalog::SystemCatalog& pg_statistic = *catalog::FindSystemCatalog("pg_statistic");
  if (Status s = catalog::DeleteCatalogRowsWhere(pg_statistic, db, ps::kStarelid, table.oid); !s.ok()) return s;
  for (size_t col = 0; col < table.columns.size(); ++col) {
    TypeId type = FromColumnType(table.columns[col].type);
    std::vector<storage::Datum> values;
    values.reserve(sample.size());
    for (const storage::Tuple& row : sample) values.push_back(col < row.size() ? row[col] : storage::Datum());
    storage::ColumnStats st = ComputeColumnStats(values, type, total_rows);
    int64_t collation = 0;
    if (type == TypeId::kText || type == TypeId::kVarchar || type == TypeId::kBpchar) collation = catalog::kDefaultCollationOid;
    if (type == TypeId::kName) collation = catalog::kCCollationOid;
    storage::Tuple row(ps::kNumColumns, storage::Datum(int64_t{0}));
    row[ps::kStarelid] = storage::Datum(static_cast<int64_t>(table.oid));
    row[ps::kStaattnum] = storage::Datum(static_cast<int64_t>(col + 1));
    row[ps::kStainherit] = storage::Datum(false);
    row[ps::kStanullfrac] = storage::Datum(st.null_frac);
    row[ps::kStawidth] = storage::Datum(static_cast<int64_t>(st.width));
    row[ps::kStadistinct] = storage::Datum(st.n_distinct);
    for (size_t slot = 0; slot < static_cast<size_t>(ps::kNumSlots); ++slot) {
      row[ps::kStanumbers1 + slot] = storage::Datum();
      row[ps::kStavalues1 + slot] = storage::Datum();
    }
    size_t slot = 0;
    auto fill = [&](int kind, std::string_view op, std::vector<double> numbers, const std::vector<std::string>& text) {
      row[ps::kStakind1 + slot] = storage::Datum(static_cast<int64_t>(kind));
      row[ps::kStaop1 + slot] = storage::Datum(static_cast<int64_t>(OperatorOid(op, type)));
      row[ps::kStacoll1 + slot] = storage::Datum(collation);
      if (!numbers.empty()) {
        std::vector<storage::Datum> elems(numbers.begin(), numbers.end());
        row[ps::kStanumbers1 + slot] = storage::Datum(storage::MakeArray(storage::ColumnType::kFloat4, std::move(elems)));
      }
      if (!text.empty()) {
        std::vector<storage::Datum> elems(text.begin(), text.end());
        row[ps::kStavalues1 + slot] = storage::Datum(storage::MakeArray(storage::ColumnType::kText, std::move(elems)));
      }
      ++slot;
    };
    if (!st.mcv_values.empty()) fill(ps::kKindMcv, "=", st.mcv_freqs, st.mcv_values);
    if (!st.histogram.empty()) fill(ps::kKindHistogram, "<", {}, st.histogram);
    if (st.has_correlation) fill(ps::kKindCorrelation, "<", {st.correlation}, {});
    if (Status s = catalog::CatalogInsert(pg_statistic, db, row); !s.ok()) return s;
  }
  catalog::RelcacheInvalidateRelation(db, table.oid);
  return OkStatus();
}

}  // namespace

Result<TableCounts> CountTable(const SessionContext& ctx, const storage::TableDef& table) {
  return ReadTable(ctx, table, nullptr);
}

Status UpdateTableCounts(const SessionContext& ctx, const storage::TableDef& table) {
  auto counts = CountTable(ctx, table);
  if (!counts.ok()) return counts.error();
  if (counts->tuples == 0 && table.reltuples < 0) return OkStatus();
  return StoreCounts(catalog::DatabaseOidOf(ctx.data_dir), table, *counts);
}

Status VacuumAnalyzeTable(const SessionContext& ctx, const storage::TableDef& table, bool vacuum, bool analyze,
                          bool verbose, bool autovacuum, bool freeze) {
  storage::Oid db = catalog::DatabaseOidOf(ctx.data_dir);
  if (vacuum) {
    auto stats = VacuumTable(ctx, table, verbose, autovacuum, freeze);
    if (!stats.ok()) return stats.error();
    TableCounts counts{stats->new_live_tuples, static_cast<int64_t>(stats->new_rel_pages),
                       static_cast<int64_t>(stats->rel_allvisible)};
    // relfrozenxid only moves forward (vac_update_relstats)
    if (stats->new_relfrozenxid > table.relfrozenxid) counts.frozenxid = stats->new_relfrozenxid;
    if (Status s = StoreCounts(db, table, counts); !s.ok() || !analyze) return s;
  }
  if (verbose) {
    ctx.notice(MakeError(sqlstate::kSuccessfulCompletion, fmt::format("analyzing \"public.{}\"", table.name),
                         Severity::kInfo));
  }
  std::vector<storage::Tuple> sample;
  auto counts = ReadTable(ctx, table, &sample);
  if (!counts.ok()) return counts.error();
  storage::RelFileLocator rel = catalog::TableLocator(ctx.data_dir, table);
  auto dead = storage::HeapCountDeadTuples(rel);
  if (!dead.ok()) return dead.error();
  if (verbose) {
    ctx.notice(MakeError(sqlstate::kSuccessfulCompletion,
                         fmt::format("\"{}\": scanned {} of {} pages, containing {} live rows and {} dead rows; {} "
                                     "rows in sample, {} estimated total rows",
                                     table.name, counts->pages, counts->pages, counts->tuples, *dead, sample.size(),
                                     counts->tuples),
                         Severity::kInfo));
  }
  if (Status s = StoreCounts(db, table, *counts); !s.ok()) return s;
  if (!sample.empty()) {
    if (Status s = StoreStatistics(db, table, sample, counts->tuples); !s.ok()) return s;
  }
  pgstat::ReportAnalyze(db, rel.rel_number, static_cast<int64_t>(counts->tuples), *dead, autovacuum);
  return OkStatus();
}

Result<ExecutionResult> RunVacuumAnalyze(const Query& query, const storage::CatalogSnapshot& catalog,
                                         const SessionContext& ctx) {
  ExecutionResult result;
  result.node_rows.assign(1, 0);
  bool vacuum = query.kind == StatementKind::kVacuum;
  bool verbose = query.vacuum_verbose && ctx.notice;
  for (const storage::TableDef& table : catalog.tables) {
    bool named = query.tables.empty();
    for (const std::string& name : query.tables) named = named || name == table.name;
    if (!named || table.kind != 'r') continue;  // a view has no rows; a sequence's one is not counted
    if (Status s = VacuumAnalyzeTable(ctx, table, vacuum, query.gather_stats, verbose, IsAutovacuumWorker(),
                                      query.vacuum_freeze);
        !s.ok()) {
      return s.error();
    }
  }
  return result;
}

}  // namespace minipg::sql
