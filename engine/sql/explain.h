/*-------------------------------------------------------------------------
 * explain.h
 *   EXPLAIN (PostgreSQL's commands/explain.c): a planned statement's tree
 *   printed as PostgreSQL 15 prints it, one line per row of one text
 *   column "QUERY PLAN" (FORMAT JSON: one row holding the document).
 *
 *     Limit  (cost=0.00..0.14 rows=10 width=4) (actual time=... rows=3 loops=1)
 *       ->  Seq Scan on t  (cost=0.00..35.50 rows=2550 width=4) (actual ...)
 *             Filter: (a > 1)
 *             Rows Removed by Filter: 2
 *             Buffers: shared hit=1
 *     Planning Time: 0.050 ms
 *     Execution Time: 0.020 ms
 *
 *   Each node's first line is Plan::Title() and its detail lines
 *   Plan::Details() (nodes/plannodes.cpp), the same text the "plan" event
 *   carries; ANALYZE adds what the executor counted (executor.h's
 *   NodeInstrumentation).
 *
 * NOTES
 *   EXPLAIN ANALYZE runs the statement (an INSERT inserts, as in
 *   PostgreSQL); its rows are counted and dropped.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <string>
#include <vector>

#include "engine/common/error.h"
#include "engine/sql/ast.h"
#include "engine/sql/executor.h"
#include "engine/sql/nodes/plannodes.h"

namespace minipg::sql {

/* The lines EXPLAIN prints for `plan`; `instr` (by node id) and the times
 * only with ANALYZE. */
struct ExplainInput {
  const PlannedStmt* plan = nullptr;
  const std::vector<NodeInstrumentation>* instr = nullptr;
  double planning_ms = 0;
  double execution_ms = 0;
};
std::vector<std::string> ExplainLines(const ExplainStmt& options, const ExplainInput& input);

/* Runs EXPLAIN of a planned statement: executes it first with ANALYZE;
 * the lines go to `sink`. The result's node counts are the execution's. */
Result<ExecutionResult> RunExplain(const ExplainStmt& options, const PlannedStmt& plan, double planning_ms,
                                   const SessionContext& ctx, ResultSink& sink);

}  // namespace minipg::sql
