/*-------------------------------------------------------------------------
 * vacuum_command.h
 *   VACUUM of one table as the SQL layer runs it (PostgreSQL's vacuum.c
 *   around vacuumlazy.c): its B-tree indexes handed to the lazy vacuum
 *   (engine/storage/heap/vacuumlazy.h), VERBOSE's INFO lines, the events
 *   vacuum_start / vacuum_progress / vacuum_done (docs/events.md), and the
 *   table's pg_stat_user_tables counts (n_live_tup, n_dead_tup,
 *   last_vacuum or last_autovacuum).
 *
 *   RunVacuumAnalyze (analyze_stats.h) calls it for each table, then
 *   stores reltuples / relpages as the lazy vacuum counted them; an
 *   autovacuum worker calls it with autovacuum = true.
 *-------------------------------------------------------------------------
 */
#pragma once

#include "engine/common/error.h"
#include "engine/sql/session.h"
#include "engine/storage/catalog.h"
#include "engine/storage/heap/vacuumlazy.h"

namespace minipg::sql {

Result<storage::LazyVacuumStats> VacuumTable(const SessionContext& ctx, const storage::TableDef& table, bool verbose,
                                             bool autovacuum, bool freeze = false);

/* This process is an autovacuum worker: its VACUUM and ANALYZE count as
 * last_autovacuum / last_autoanalyze (PostgreSQL's AmAutoVacuumWorkerProcess). */
void SetAutovacuumWorker(bool on);
bool IsAutovacuumWorker();

/* `"db.public.t"`: how VACUUM VERBOSE names a table. */
std::string VacuumRelationName(const SessionContext& ctx, const storage::TableDef& table);

}  // namespace minipg::sql
