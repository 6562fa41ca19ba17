/*-------------------------------------------------------------------------
 * executor.h
 *   Stage 4: runs a planned statement. ExecInitNode makes one state node
 *   per plan node (executor/exec_nodes.h); the root is pulled row by row
 *   and each row goes to the ResultSink. Every node counts the rows it
 *   produced and its loops, for the "execute" event.
 *
 * NOTES
 *   CheckForInterrupts() runs for every row any node produces, and the
 *   sort checks as it merges (interruptible_sort.h), so a cancel (57014) or
 *   terminate (57P01, FATAL) ends even a long scan or sort promptly; its
 *   Error is returned as the statement's error.
 *   CREATE TABLE and DROP TABLE run through ExecuteDdl; the other utility
 *   statements are carried out by the Session, which owns the settings.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/common/error.h"
#include "engine/sql/nodes/plannodes.h"
#include "engine/sql/query.h"
#include "engine/sql/session.h"

namespace minipg::sql {

/* What one plan node did (EXPLAIN ANALYZE, PostgreSQL's Instrumentation):
 * counts over all its loops; times and buffers include its children's. */
struct NodeInstrumentation {
  int64_t rows = 0;
  int64_t loops = 0;              // 0: never executed
  double startup_seconds = 0;     // to the first row (or the end), summed over loops
  double total_seconds = 0;       // summed over loops
  int64_t filtered = 0;           // Rows Removed by Filter
  int64_t join_filtered = 0;      // Rows Removed by Join Filter
  uint64_t shared_hit = 0;        // pages found in the buffer pool
  uint64_t shared_read = 0;       // pages read from files
  std::vector<std::string> notes; // node-specific lines ("Sort Method: quicksort  Memory: 25kB")
};

struct ExecutionResult {
  int64_t rows = 0;                // rows returned (SELECT) or affected (INSERT)
  std::vector<int64_t> node_rows;  // rows each plan node produced, by node id
  std::vector<NodeInstrumentation> nodes;  // by node id (planned statements only)
};

/* Runs a SELECT's or INSERT's plan; rows go to `sink` (Describe first). */
Result<ExecutionResult> ExecutePlan(const PlannedStmt& plan, const SessionContext& ctx, ResultSink& sink);

/* CREATE TABLE ... AS / SELECT ... INTO (q.create_as): the table made
 * as CREATE TABLE makes it (42P07, or IF NOT EXISTS's NOTICE), then the
 * plan's rows inserted into it (not WITH NO DATA). `created`: whether a
 * table was made. */
Result<ExecutionResult> ExecuteCreateTableAs(const PlannedStmt& plan, const Query& q, const SessionContext& ctx,
                                             bool* created);

/* CREATE TABLE, DROP TABLE. */
Result<ExecutionResult> ExecuteDdl(const Query& query, const SessionContext& ctx);

}  // namespace minipg::sql
