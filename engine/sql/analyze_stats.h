/*-------------------------------------------------------------------------
 * analyze_stats.h
 *   ANALYZE [t, ...] and VACUUM [ANALYZE] [t, ...] (PostgreSQL's
 *   commands/analyze.c, vacuum.c): each table's rows are counted and its
 *   pages measured, and pg_class's reltuples / relpages set to them; the
 *   planner's row estimates start from these (optimizer/costsize.cpp).
 *   ANALYZE (and VACUUM ANALYZE) also samples up to kSampleRows rows and
 *   replaces the table's pg_statistic rows with each column's statistics
 *   (column_stats.h), which the planner's selectivity estimates read
 *   (optimizer/selfuncs.cpp).
 *
 *   VACUUM first removes the dead row versions (vacuum_command.h, the
 *   lazy vacuum of engine/storage/heap/vacuumlazy.h) and stores the counts
 *   it made; like PostgreSQL it cannot run inside a transaction block
 *   (25001).
 *
 * NOTES
 *   The pg_class row is replaced (deleted and inserted) in the statement's
 *   transaction, where PostgreSQL overwrites it in place; the relation's
 *   relcache entry is invalidated so every backend plans with the new
 *   numbers.
 *-------------------------------------------------------------------------
 */
#pragma once

#include "engine/common/error.h"
#include "engine/sql/ast.h"
#include "engine/sql/executor.h"
#include "engine/sql/query.h"
#include "engine/storage/catalog.h"

namespace minipg::sql {

/* The table's live rows and its blocks, read through the buffer pool. */
struct TableCounts {
  double tuples = 0;
  int64_t pages = 0;
  int64_t allvisible = 0;  // pages all-visible in the visibility map (relallvisible)
  uint32_t frozenxid = 0;  // VACUUM: the new relfrozenxid (0: unchanged)
};
Result<TableCounts> CountTable(const SessionContext& ctx, const storage::TableDef& table);

/* Counts the table and stores its reltuples / relpages, as CREATE INDEX
 * does in PostgreSQL (index_update_stats): not for an empty table never
 * analyzed, which keeps "unknown" (-1). */
Status UpdateTableCounts(const SessionContext& ctx, const storage::TableDef& table);

/* VACUUM (`vacuum`) and/or ANALYZE (`analyze`) of one table: VACUUM
 * through VacuumTable, then reltuples / relpages as it counted them;
 * ANALYZE counts and samples the table, replaces its statistics, and
 * reports n_live_tup / n_dead_tup and last_(auto)analyze. `verbose`: INFO
 * lines (ctx.notice must be set). */
Status VacuumAnalyzeTable(const SessionContext& ctx, const storage::TableDef& table, bool vacuum, bool analyze,
                          bool verbose, bool autovacuum, bool freeze = false);

/* Runs VACUUM / ANALYZE of `query.tables` (every table of the database if
 * none was named). */
Result<ExecutionResult> RunVacuumAnalyze(const Query& query, const storage::CatalogSnapshot& catalog,
                                         const SessionContext& ctx);

}  // namespace minipg::sql
