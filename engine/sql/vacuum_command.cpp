/*-------------------------------------------------------------------------
 * vacuum_command.cpp
 *   VACUUM of one table: indexes, INFO lines, events, statistics (see
 *   vacuum_command.h).
 *-------------------------------------------------------------------------
 */
#include "engine/sql/vacuum_command.h"

#include <fmt/format.h>

#include "engine/catalog/catalog_access.h"
#include "engine/catalog/index_ddl.h"
#include "engine/common/sqlstate.h"
#include "engine/shmem/pgstat.h"
#include "engine/storage/heap/transam.h"
#include "engine/storage/lmgr/lock.h"
#include "engine/storage/nbtree/nbtree.h"
#include "engine/trace/emitter.h"

namespace minipg::sql {

namespace {

void Info(const SessionContext& ctx, std::string message) {
  if (ctx.notice) ctx.notice(MakeError(sqlstate::kSuccessfulCompletion, std::move(message), Severity::kInfo));
}

constexpr storage::BlockNumber kProgressEvery = 128;  // blocks between vacuum_progress events in one phase

bool g_autovacuum_worker = false;

}  // namespace

void SetAutovacuumWorker(bool on) { g_autovacuum_worker = on; }
bool IsAutovacuumWorker() { return g_autovacuum_worker; }

std::string VacuumRelationName(const SessionContext& ctx, const storage::TableDef& table) {
  return fmt::format("{}.public.{}", ctx.database, table.name);
}

Result<storage::LazyVacuumStats> VacuumTable(const SessionContext& ctx, const storage::TableDef& table, bool verbose,
                                             bool autovacuum, bool freeze) {
  storage::Oid db = catalog::DatabaseOidOf(ctx.data_dir);
  storage::RelFileLocator rel = catalog::TableLocator(ctx.data_dir, table);
  std::string name = VacuumRelationName(ctx, table);
  // Two VACUUMs of one table take turns (ShareUpdateExclusiveLock conflicts
  // with itself; VACUUM naming the table took it during analysis already):
  // one could otherwise remove the index entries of a line pointer the
  // other has already freed and reused.
  if (Status s = lmgr::LockRelationOid(table.oid, lmgr::LockMode::kShareUpdateExclusive, nullptr, table.name); !s.ok()) {
    return s.error();
  }
  if (verbose) Info(ctx, fmt::format("vacuuming \"{}\"", name));
  trace::Event(trace::EventType::kVacuumStart)
      .Str("relation", table.name)
      .Int("relid", table.oid)
      .Bool("autovacuum", autovacuum)
      .Emit();

  std::vector<storage::IndexVacuumer> indexes;
  for (const storage::IndexDef& index : table.indexes) {
    storage::nbtree::BtreeIndex bt = catalog::BtreeIndexOf(db, table, index);
    indexes.push_back({index.name, [bt](const storage::TidIsDead& is_dead) {
                         return storage::nbtree::BtreeBulkDelete(bt, is_dead);
                       }});
  }
  std::string last_phase;
  storage::BlockNumber last_reported = 0;
  auto progress = [&](std::string_view phase, storage::BlockNumber scanned, storage::BlockNumber total) {
    if (phase == last_phase && scanned < last_reported + kProgressEvery) return;
    last_phase = phase;
    last_reported = scanned;
    trace::Event(trace::EventType::kVacuumProgress)
        .Str("relation", table.name)
        .Str("phase", phase)
        .Int("heap_blks_scanned", scanned)
        .Int("heap_blks_total", total)
        .Emit();
  };
  storage::LazyVacuumParams params;
  params.old_rel_tuples = table.reltuples;
  params.old_rel_pages = static_cast<storage::BlockNumber>(table.relpages);
  params.relfrozenxid = table.relfrozenxid;
  // FREEZE: every xmin old enough for all to see is frozen, every page
  // scanned that is not all-frozen (vacuum_freeze_min_age and
  // vacuum_freeze_table_age 0); else the settings decide (vacuum_set_xid_limits).
  int64_t table_age = 0;
  if (!freeze && ctx.settings != nullptr) {
    params.freeze_min_age = ctx.settings->Int("vacuum_freeze_min_age");
    table_age = ctx.settings->Int("vacuum_freeze_table_age");
  } else if (freeze) {
    params.freeze_min_age = 0;
  }
  int64_t full_scan_limit = static_cast<int64_t>(storage::ReadNextTransactionId()) - table_age;
  if (full_scan_limit < storage::kFirstNormalTransactionId) full_scan_limit = storage::kFirstNormalTransactionId;
  params.aggressive = freeze || (table.relfrozenxid != storage::kInvalidTransactionId &&
                                 static_cast<int64_t>(table.relfrozenxid) <= full_scan_limit);
  auto stats = storage::LazyVacuumRel(rel, indexes, progress, params);
  if (!stats.ok()) return stats.error();

  if (verbose && stats->removed_pages > 0) {
    Info(ctx, fmt::format("table \"{}\": truncated {} to {} pages", table.name, stats->rel_pages, stats->new_rel_pages));
  }
  if (verbose) Info(ctx, fmt::format("finished vacuuming \"{}\": {}", name, storage::FormatVacuumReport(*stats)));
  pgstat::ReportVacuum(db, rel.rel_number, stats->live_tuples, stats->recently_dead_tuples, autovacuum);
  trace::Event(trace::EventType::kVacuumDone)
      .Str("relation", table.name)
      .Int("removed", stats->tuples_deleted)
      .Int("remaining", stats->live_tuples + stats->recently_dead_tuples)
      .Int("dead_not_removable", stats->recently_dead_tuples)
      .Int("pages_removed", stats->removed_pages)
      .Int("removable_cutoff", stats->oldest_xmin)
      .Emit();
  return stats;
}

}  // namespace minipg::sql
