/*-------------------------------------------------------------------------
 * planner.h
 *   Stage 3: Query -> plan tree. There are no choices to make yet (one
 *   access path: a sequential scan), so the planner only lays the steps out
 *   as nodes the executor (and the visualizer) can follow:
 *
 *     SELECT ... FROM t WHERE c ORDER BY k LIMIT n
 *        Limit -> Projection -> Sort -> Filter -> SeqScan
 *     SELECT 1 + 1                     Projection -> Result
 *     INSERT INTO t VALUES (...)       Insert -> Values
 *     CREATE TABLE / DROP TABLE        CreateTable / DropTable
 *     BEGIN, COMMIT, ROLLBACK, SET     Utility
 *     SHOW x                           Show
 *
 *   Nodes are numbered depth-first from 0 (the root); each knows its parent
 *   (-1 for the root), as the "plan" event reports them.
 *
 * NOTES
 *   Plan nodes point into the Query they were made from: the Query must
 *   outlive the plan.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/sql/query.h"

namespace minipg::sql {

enum class PlanKind {
  kResult,       // one empty row: SELECT without FROM
  kSeqScan,      // every row of a table, in file order
  kFilter,       // rows for which a condition is true
  kProjection,   // computes the output columns
  kSort,         // ORDER BY
  kLimit,        // LIMIT / OFFSET
  kValues,       // the rows of INSERT ... VALUES
  kInsert,       // appends its child's rows to a table
  kCreateTable,  // CREATE TABLE
  kDropTable,    // DROP TABLE
  kUtility,      // BEGIN, COMMIT, ROLLBACK, SET
  kShow,         // SHOW
  kFunctionScan, // the rows of a system view, made by a function (pg_stat_activity)
  kCopy,         // COPY: moves rows between a table (or its child query) and a file or the client
};

/* The node's name as the plan event and EXPLAIN-like text show it. */
const char* PlanKindName(PlanKind kind);

struct PlanNode {
  PlanKind kind;
  int id = 0;
  int parent = -1;
  std::string detail;  // e.g. "on t", "(a > 1)"
  std::vector<std::unique_ptr<PlanNode>> children;
};

struct Plan {
  std::unique_ptr<PlanNode> root;
  std::vector<const PlanNode*> nodes;  // by id (depth-first order)

  /* The tree as indented text, like EXPLAIN. */
  std::string Explain() const;
};

Plan MakePlan(const Query& query);

/* Emits the "plan" event (docs/events.md). Node details are cut to the
 * event's field size before they are copied; without event_query_text
 * the plan text and the details (which show constants) are left out. */
void EmitPlanEvent(const Plan& plan);

}  // namespace minipg::sql
