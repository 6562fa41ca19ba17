/*-------------------------------------------------------------------------
 * exec_epq.h
 *   EvalPlanQual (PostgreSQL's EvalPlanQual, in spirit): an UPDATE or
 *   DELETE under READ COMMITTED chose a row version that a transaction
 *   which committed meanwhile has updated (or SELECT ... FOR UPDATE locked
 *   such a version: LockRows, node_lockrows.cpp). The plan below
 *   ModifyTable (LockRows) is run once more, each relation giving one row:
 *
 *     the target's scan       the newest version, its Filter and Index
 *                             Cond evaluated again (LockRows: each table
 *                             of the level's scan, the version it locked,
 *                             or for a table not locked the version the
 *                             row was joined with)
 *     every other relation    the row that was joined with the old
 *                             version (the planner carries the top join's
 *                             input columns up to ModifyTable as junk
 *                             columns, before RETURNING's), its
 *                             conditions evaluated again (a
 *                             parameterized Index Cond may read the
 *                             target's new values)
 *     anything else below     (a semi join's inner side made unique, a
 *       the join              relation whose row is not carried) run again
 *                             as planned, under the statement's snapshot
 *
 *   The run's first row, if any, is ModifyTable's row for the new version:
 *   the join conditions still hold, and the SET list and RETURNING are
 *   computed again from it. No row: the row is skipped.
 *
 *   The stand-ins are made by ExecInitNode: while EState::epq is set it
 *   gives each plan node in it an EpqRowState instead of its own state.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "engine/common/error.h"
#include "engine/sql/executor/exec_modify.h"
#include "engine/sql/nodes/plannodes.h"

namespace minipg::sql {

struct EState;     // exec_nodes.h
class PlanState;   // exec_nodes.h

/* The row a plan node stands for in an EvalPlanQual run, by plan node id;
 * nullopt: no row (an outer join's NULLs stood for it). */
struct EpqRow {
  storage::Tuple row;
  bool scan_row = false;  // the node's scan row: its conditions and target list apply; else its output as is
};
struct EpqRows {
  std::map<int, std::optional<EpqRow>> by_node;
};

/* The stand-in for `plan` if estate.epq names it, else nullptr. */
std::unique_ptr<PlanState> MakeEpqRowState(const Plan& plan, EState& estate);

/* A table whose row an EvalPlanQual run takes by its ctid: the plan's
 * output column `column` carries the ctid of the row it joined (traced
 * down to the table's scan); the run reads the version at `tid` instead,
 * its conditions evaluated again (nullopt: no row, an outer join's NULLs). */
struct EpqTarget {
  int column = 0;
  uint32_t table_oid = 0;
  const storage::RelFileLocator* rel = nullptr;
  std::optional<storage::ItemPointer> tid;
};

/* `top` made `old_row`; runs it once more over one row per relation: each
 * target's version at its tid, the rows of other relations carried up in
 * `old_row` (see above). Its first row, nullopt if none; 40001 if a
 * target's scan cannot be found in the plan. */
Result<std::optional<storage::Tuple>> EvalPlanQualRun(const Plan& top, EState& estate, const storage::Tuple& old_row,
                                                      const std::vector<EpqTarget>& targets);

/* ModifyTable `modify` (UPDATE or DELETE) chose the target's row version
 * through its child's row `old_row`; that version was updated and `tid`
 * is the next one. The child's row for that version, nullopt if the
 * statement's conditions no longer hold for it. */
Result<std::optional<storage::Tuple>> EvalPlanQual(const Plan& modify, EState& estate, ModifyContext& ctx,
                                                   const storage::Tuple& old_row, storage::ItemPointer tid);

}  // namespace minipg::sql
