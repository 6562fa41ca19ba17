/*-------------------------------------------------------------------------
 * executor.h
 *   Stage 4: runs a plan. Each plan node becomes an iterator (Volcano
 *   style: Open, Next, Close); the root is pulled row by row and each row
 *   goes to the ResultSink. Every node counts the rows it produced, for the
 *   "execute" event.
 *
 * NOTES
 *   CheckForInterrupts() runs for every row any node produces, and the
 *   sort checks as it merges (interruptible_sort.h), so a cancel (57014) or
 *   terminate (57P01, FATAL) ends even a long scan or sort promptly; its
 *   Error is returned as the statement's error.
 *   DDL runs here too (CreateTable, DropTable); Utility and Show nodes are
 *   carried out by the Session, which owns the settings.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "engine/common/error.h"
#include "engine/sql/planner.h"
#include "engine/sql/query.h"
#include "engine/sql/session.h"

namespace minipg::sql {

struct ExecutionResult {
  int64_t rows = 0;                // rows returned (SELECT) or affected (INSERT)
  std::vector<int64_t> node_rows;  // rows each plan node produced, by node id
};

/* Runs `plan` (made from `query`); rows go to `sink` (Describe first). */
Result<ExecutionResult> ExecutePlan(const Plan& plan, const Query& query, const SessionContext& ctx,
                                    ResultSink& sink);

}  // namespace minipg::sql
