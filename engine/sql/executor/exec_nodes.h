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
 *     node_modify.cpp      ModifyTable (INSERT, UPDATE, DELETE)
 *     node_hashjoin.cpp    Hash Join, Hash, Materialize
 *     node_mergejoin.cpp   Merge Join
 *     node_append.cpp      Append
 *     node_setop.cpp       SetOp (HashSetOp Intersect / Except)
 *     node_unique.cpp      Unique
 *     node_window.cpp      WindowAgg
 *     node_subplan.cpp     SubPlans and InitPlans of expressions (subqueries)
 *     node_indexscan.cpp   Index Scan (forward and backward), Bitmap Index / Heap Scan
 *     node_cte.cpp         CTE Scan, WorkTable Scan, Recursive Union
 *   A new plan node: a PlanState subclass and one case in ExecInitNode
 *   (exec_main.cpp).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/common/error.h"
#include "engine/sql/executor.h"
#include "engine/sql/executor/exec_expr.h"
#include "engine/sql/nodes/plannodes.h"
#include "engine/storage/page/heap_tuple.h"
#include "engine/sql/session.h"
#include "engine/storage/page/heap_tuple.h"

namespace minipg::sql {

using RowResult = Result<std::optional<storage::Tuple>>;

class PlanState;

/* A WITH query's rows (node_cte.cpp): its plan's state, run as far as
 * its furthest CTE Scan has read, and the rows so far. */
struct CteStore {
  std::unique_ptr<PlanState> producer;
  std::vector<storage::Tuple> rows;
  size_t bytes = 0;
  bool done = false;
};

struct EpqRows;  // exec_epq.h

/* What every node of one execution shares. */
struct EState {
  explicit EState(const SessionContext& s) : session(s) {}
  const SessionContext& session;
  // Exec parameters ($n of SubPlanInfo): outer columns a subquery reads,
  // set before each run of it, and the values InitPlans produced.
  std::vector<storage::Datum> params;
  std::vector<int> initplans_done;  // ids of the InitPlans whose value is in params
  // WITH queries' rows by their subplan's id, shared by their CTE Scans
  std::map<int, std::shared_ptr<CteStore>> cte_stores;
  // Recursive Unions' work tables by $n, for their WorkTable Scans
  std::map<int, const std::vector<storage::Tuple>*> worktables;
  // The counts of state trees already gone (each run of a SubPlan, each
  // round of a recursive term), by plan node id, for EXPLAIN ANALYZE
  std::vector<NodeInstrumentation> retired;
  // Hashed SubPlans' rows by SubPlan id: their distinct non-NULL values,
  // sorted, and whether a NULL was among them (node_subplan.cpp).
  struct SubPlanValues {
    std::vector<storage::Datum> sorted;
    bool has_null = false;
  };
  std::map<int, SubPlanValues> hashed_subplans;
  // While an EvalPlanQual state tree is made (exec_epq.h): the plan nodes
  // ExecInitNode replaces by the one row each stands for.
  const EpqRows* epq = nullptr;
  // The statement's own tree (not a nested statement's): its nodes'
  // counters go to the live plan minipg_query_state reads (step.h).
  bool live_plan = false;
};

/* Adds a state tree's counts to estate.retired before it is dropped. */
void RetireInstrumentation(EState& estate, const PlanState& state);
/* Ends the WITH queries' plans; their counts and the retired ones go
 * into `instr` / `rows` (by node id) when given. */
void FinishCteStores(EState& estate, std::vector<NodeInstrumentation>* instr, std::vector<int64_t>* rows);

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
  int64_t rows() const { return instr_.rows; }
  int64_t loops() const { return instr_.loops; }
  double seconds() const { return instr_.total_seconds; }
  /* left, right and children: the children there are, in order. */
  std::vector<PlanState*> Children() const;
  /* Every node's rows and instrumentation, by plan node id. */
  void CollectRows(std::vector<int64_t>& out) const;
  void CollectInstrumentation(std::vector<NodeInstrumentation>& out) const;
  /* A line EXPLAIN ANALYZE prints under the node ("Buckets: 1024 ..."). */
  void AddNote(std::string note) { instr_.notes.push_back(std::move(note)); }

  std::unique_ptr<PlanState> left;   // outer child
  std::unique_ptr<PlanState> right;  // inner child
  std::vector<std::unique_ptr<PlanState>> children;  // Append's, in order

 protected:
  virtual RowResult ExecNext() = 0;
  ExprContext Context(const storage::Tuple* scan = nullptr) const {
    ExprContext c;
    c.scan = scan;
    c.session = &estate_.session;
    c.estate = &estate_;
    return c;
  }
  /* A rescan that keeps the rows it has (Sort, Materialize, a Hash Join's
   * table) still counts as a new loop. */
  void NewLoop() { started_ = false; }
  /* For scans: the row if it passes the filter, projected if the target
   * list is not the scan row itself; nullopt if filtered out. */
  RowResult ScanResult(storage::Tuple row);

  const Plan& plan_;
  EState& estate_;
  NodeInstrumentation instr_;  // nodes count filtered rows and add notes

 private:
  bool started_ = false;
  bool awaiting_first_ = false;  // this loop has not returned its first row yet
  double loop_seconds_ = 0;
  int identity_ = -1;  // ScanResult: 1 if the target list is the scan row as is
  /* The step point after ExecNext (first row, row or node end; step.h). */
  Status StepAfter(const std::optional<storage::Tuple>& row, bool first);
};

/* What the join nodes share (Nested Loop, Hash Join, Merge Join): a row
 * of NULLs for each side (outer joins' unmatched rows), and the output row
 * for a pair if the node's filter accepts it (nullopt if not). */
class JoinState : public PlanState {
 public:
  using PlanState::PlanState;
  Status Init() override;

 protected:
  RowResult JoinResult(const storage::Tuple& outer, const storage::Tuple& inner);
  /* The outer row has met every inner one: `outer` is emptied, and its
   * null-extended row returned if `emit_nulls` (LEFT / FULL, unmatched)
   * and it passes; nullopt when there is nothing to return. */
  std::optional<RowResult> EndOuterRow(std::optional<storage::Tuple>& outer, bool emit_nulls);
  /* LEFT / FULL / ANTI keep unmatched outer rows, RIGHT / FULL unmatched inner ones. */
  bool KeepsOuter() const {
    return plan_.jointype == JoinType::kLeft || plan_.jointype == JoinType::kFull || plan_.jointype == JoinType::kAnti;
  }
  bool KeepsInner() const { return plan_.jointype == JoinType::kRight || plan_.jointype == JoinType::kFull; }
  /* SEMI and ANTI are done with an outer row at its first match (SEMI
   * returns it then, ANTI drops it). */
  bool FirstMatchOnly() const { return plan_.jointype == JoinType::kSemi || plan_.jointype == JoinType::kAnti; }
  storage::Tuple inner_nulls_;
  storage::Tuple outer_nulls_;
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
std::unique_ptr<PlanState> MakeAppendState(const Plan& plan, EState& estate);
std::unique_ptr<PlanState> MakeSetOpState(const Plan& plan, EState& estate);
std::unique_ptr<PlanState> MakeUniqueState(const Plan& plan, EState& estate);
std::unique_ptr<PlanState> MakeWindowAggState(const Plan& plan, EState& estate);
std::unique_ptr<PlanState> MakeCteScanState(const Plan& plan, EState& estate);
std::unique_ptr<PlanState> MakeWorkTableScanState(const Plan& plan, EState& estate);
std::unique_ptr<PlanState> MakeRecursiveUnionState(const Plan& plan, EState& estate);

std::unique_ptr<PlanState> MakeHashState(const Plan& plan, EState& estate);
std::unique_ptr<PlanState> MakeHashJoinState(const Plan& plan, EState& estate);
std::unique_ptr<PlanState> MakeMaterialState(const Plan& plan, EState& estate);
std::unique_ptr<PlanState> MakeMergeJoinState(const Plan& plan, EState& estate);
std::unique_ptr<PlanState> MakeIndexScanState(const Plan& plan, EState& estate);
std::unique_ptr<PlanState> MakeBitmapIndexScanState(const Plan& plan, EState& estate);
std::unique_ptr<PlanState> MakeBitmapHeapScanState(const Plan& plan, EState& estate);
std::unique_ptr<PlanState> MakeLockRowsState(const Plan& plan, EState& estate);

/* Memory a node keeps rows in (Sort, Hash Join, Materialize): a row's
 * rough size, the work_mem limit in bytes, and the 53200 error past it
 * (minipg spills nothing to temporary files). */
size_t TupleBytes(const storage::Tuple& row);
size_t WorkMemBytes(const EState& estate);
Error WorkMemExceeded(const char* what, size_t limit);

/* The state tree for a plan tree (one switch over the node kinds). */
Result<std::unique_ptr<PlanState>> ExecInitNode(const Plan& plan, EState& estate);

/* A row's ctid as the junk column UPDATE and DELETE carry (a bigint:
 * block << 16 | offset), and back. */
storage::Datum CtidDatum(storage::ItemPointer tid);
storage::ItemPointer DatumCtid(const storage::Datum& d);
/* Appends what a scan with emit_system_columns adds to a table row (the
 * junk ctid slot unless emit_ctid put it there, then system_columns.h's
 * six values). */
void AppendSystemColumns(storage::Tuple& row, bool has_ctid_slot, storage::ItemPointer tid,
                         const storage::HeapTupleHeader& header, uint32_t table_oid);
/* A tid's text: "(0,1)". */
std::string TidText(storage::ItemPointer tid);

/* The row version at `tid` of `scan`'s table as the scan reads it (its
 * columns, then the ctid and the system columns when the scan emits
 * them), before the scan's conditions; nullopt if the slot is empty.
 * EvalPlanQual's target rows (exec_epq.cpp). */
Result<std::optional<storage::Tuple>> FetchScanRow(const Plan& scan, const storage::RelFileLocator& rel,
                                                   storage::ItemPointer tid);

/* ModifyTable's count of rows it changed. */
int64_t ModifiedRows(const PlanState& state);

}  // namespace minipg::sql
