/*-------------------------------------------------------------------------
 * exec_nodes.h
 *   The executor's state nodes (PostgreSQL's PlanState): one per plan
 *   node, made by ExecInitNode, pulled one row at a time (Volcano style):
 *
 *     Init()    prepare (open a scan, evaluate LIMIT, ...) and Init children
 *     Next()    the next output row, or nullopt when there are no more
 *     ReScan()  start over (a nested loop's inner side, for each outer row)
 *     End()     release what Init took
 *
 *   Next() (the public wrapper) checks for interrupts and the stack, and
 *   counts rows and loops and the time spent, for the execute event and
 *   EXPLAIN ANALYZE. The nodes live one family per file:
 *     node_scan.cpp        Result, Seq Scan, Function Scan, Values Scan, Subquery Scan
 *     node_nestloop.cpp    Nested Loop (inner, left, full)
 *     node_sort_limit.cpp  Sort, Limit
 *     node_modify.cpp      ModifyTable (INSERT)
 *     node_subplan.cpp     SubPlans and InitPlans of expressions (subqueries)
 *   A new plan node: a PlanState subclass and one case in ExecInitNode
 *   (exec_main.cpp).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "engine/common/error.h"
#include "engine/sql/executor/exec_expr.h"
#include "engine/sql/nodes/plannodes.h"
#include "engine/sql/session.h"

namespace minipg::sql {

using RowResult = Result<std::optional<storage::Tuple>>;

/* What every node of one execution shares. */
struct EState {
  explicit EState(const SessionContext& s) : session(s) {}
  const SessionContext& session;
  // Exec parameters ($n of SubPlanInfo): outer columns a subquery reads,
  // set before each run of it, and the values InitPlans produced.
  std::vector<storage::Datum> params;
  std::vector<int> initplans_done;  // ids of the InitPlans whose value is in params
};

/* A planned subquery's value for the current row (node_subplan.cpp). */
Result<storage::Datum> ExecSubPlan(const Expr& link, const ExprContext& ctx);

class PlanState {
 public:
  PlanState(const Plan& plan, EState& estate) : plan_(plan), estate_(estate) {}
  virtual ~PlanState() = default;

  virtual Status Init();
  RowResult Next();
  virtual Status ReScan();
  virtual void End();

  const Plan& plan() const { return plan_; }
  int64_t rows() const { return rows_; }
  int64_t loops() const { return loops_; }
  double seconds() const { return seconds_; }
  /* Every node's rows, by plan node id. */
  void CollectRows(std::vector<int64_t>& out) const;

  std::unique_ptr<PlanState> left;   // outer child
  std::unique_ptr<PlanState> right;  // inner child

 protected:
  virtual RowResult ExecNext() = 0;
  ExprContext Context(const storage::Tuple* scan = nullptr) const {
    ExprContext c;
    c.scan = scan;
    c.session = &estate_.session;
    c.estate = &estate_;
    return c;
  }
  /* For scans: the row if it passes the filter, projected if the target
   * list is not the scan row itself; nullopt if filtered out. */
  RowResult ScanResult(storage::Tuple row);

  const Plan& plan_;
  EState& estate_;

 private:
  int64_t rows_ = 0;
  int64_t loops_ = 0;
  double seconds_ = 0;
  bool started_ = false;
  int identity_ = -1;  // ScanResult: 1 if the target list is the scan row as is
};

std::unique_ptr<PlanState> MakeResultState(const Plan& plan, EState& estate);
std::unique_ptr<PlanState> MakeSeqScanState(const Plan& plan, EState& estate);
std::unique_ptr<PlanState> MakeFunctionScanState(const Plan& plan, EState& estate);
std::unique_ptr<PlanState> MakeValuesScanState(const Plan& plan, EState& estate);
std::unique_ptr<PlanState> MakeSubqueryScanState(const Plan& plan, EState& estate);
std::unique_ptr<PlanState> MakeNestLoopState(const Plan& plan, EState& estate);
std::unique_ptr<PlanState> MakeSortState(const Plan& plan, EState& estate);
std::unique_ptr<PlanState> MakeLimitState(const Plan& plan, EState& estate);
std::unique_ptr<PlanState> MakeAggState(const Plan& plan, EState& estate);
std::unique_ptr<PlanState> MakeModifyTableState(const Plan& plan, EState& estate);

/* The state tree for a plan tree (one switch over the node kinds). */
Result<std::unique_ptr<PlanState>> ExecInitNode(const Plan& plan, EState& estate);

/* ModifyTable's count of rows it changed. */
int64_t ModifiedRows(const PlanState& state);

}  // namespace minipg::sql
