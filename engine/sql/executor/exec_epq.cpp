/*-------------------------------------------------------------------------
 * exec_epq.cpp
 *   EvalPlanQual: ModifyTable's child run again over one row per relation
 *   (see exec_epq.h).
 *-------------------------------------------------------------------------
 */
#include "engine/sql/executor/exec_epq.h"

#include <algorithm>
#include <vector>

#include "engine/common/sqlstate.h"
#include "engine/sql/executor/exec_expr.h"
#include "engine/sql/executor/exec_nodes.h"

namespace minipg::sql {

namespace {

using storage::ItemPointer;
using storage::Tuple;

/* The one row a plan node stands for: its conditions (Index Cond, then
 * Filter) and target list applied to a scan row, at each rescan (a
 * parameterized Index Cond reads the outer row's values anew). */
class EpqRowState : public PlanState {
 public:
  EpqRowState(const Plan& plan, EState& estate, std::optional<EpqRow> row)
      : PlanState(plan, estate), row_(std::move(row)) {}
  Status ReScan() override {
    done_ = false;
    return PlanState::ReScan();
  }

 protected:
  RowResult ExecNext() override {
    if (done_ || !row_) return std::optional<Tuple>();
    done_ = true;
    if (!row_->scan_row) return std::optional<Tuple>(row_->row);
    ExprContext c = Context(&row_->row);
    for (const ExprPtr& cond : plan_.indexquals) {
      auto pass = EvaluateQual(cond.get(), c);
      if (!pass.ok()) return pass.error();
      if (!*pass) return std::optional<Tuple>();
    }
    return ScanResult(row_->row);
  }

 private:
  std::optional<EpqRow> row_;
  bool done_ = false;
};

/* Nodes whose output columns are their children's (Vars of the outer or
 * inner row), which the walk below looks through. */
bool PassesColumnsOn(PlanKind kind) {
  return kind == PlanKind::kNestLoop || kind == PlanKind::kHashJoin || kind == PlanKind::kMergeJoin ||
         kind == PlanKind::kHash || kind == PlanKind::kMaterialize || kind == PlanKind::kSort;
}

/* A node that makes the top join's rows (a relation's scan, a subquery's
 * aggregate, ...) and, for each of its output columns, the column of the
 * old row that carries it (-1: none). */
struct Leaf {
  const Plan* plan;
  std::vector<int> junk;
};

/* The inputs of the joins under `node`, whose output column i is carried
 * by the old row's column cols[i]: looks through joins and the nodes that
 * pass rows on, down to the nodes that make rows (a scan, an aggregate of
 * a subquery, ...). */
void CollectLeaves(const Plan& node, const std::vector<int>& cols, std::vector<Leaf>& out) {
  if (!PassesColumnsOn(node.kind)) {
    out.push_back(Leaf{&node, cols});
    return;
  }
  std::vector<int> outer(node.lefttree ? node.lefttree->targetlist.size() : 0, -1);
  std::vector<int> inner(node.righttree ? node.righttree->targetlist.size() : 0, -1);
  for (size_t i = 0; i < node.targetlist.size() && i < cols.size(); ++i) {
    const Expr& e = *node.targetlist[i];
    if (e.kind != ExprKind::kVar || e.attno < 0) continue;
    std::vector<int>* side = e.source == VarSource::kOuter ? &outer : e.source == VarSource::kInner ? &inner : nullptr;
    if (side != nullptr && static_cast<size_t>(e.attno) < side->size()) (*side)[static_cast<size_t>(e.attno)] = cols[i];
  }
  if (node.lefttree) CollectLeaves(*node.lefttree, outer, out);
  if (node.righttree) CollectLeaves(*node.righttree, inner, out);
}

/* Whether the node's output row is its scan row as is. */
bool OutputIsScanRow(const Plan& node) {
  for (size_t i = 0; i < node.targetlist.size(); ++i) {
    const Expr& e = *node.targetlist[i];
    if (e.kind != ExprKind::kVar || e.source != VarSource::kScan || e.attno != static_cast<int>(i)) return false;
  }
  return true;
}

/* The node under `node` that makes its output column `col` (through the
 * nodes that pass columns on), nullptr if it is not a plain column. */
const Plan* TraceColumn(const Plan& node, int col) {
  if (!PassesColumnsOn(node.kind)) return &node;
  if (col < 0 || static_cast<size_t>(col) >= node.targetlist.size()) return nullptr;
  const Expr& e = *node.targetlist[static_cast<size_t>(col)];
  if (e.kind != ExprKind::kVar) return nullptr;
  if (e.source == VarSource::kOuter && node.lefttree) return TraceColumn(*node.lefttree, e.attno);
  if (e.source == VarSource::kInner && node.righttree) return TraceColumn(*node.righttree, e.attno);
  return nullptr;
}

bool IsScanOf(const Plan& node, uint32_t table_oid) {
  return node.table.has_value() && node.emit_ctid && node.table->oid == table_oid &&
         (node.kind == PlanKind::kSeqScan || node.kind == PlanKind::kIndexScan ||
          node.kind == PlanKind::kBitmapHeapScan);
}

}  // namespace

std::unique_ptr<PlanState> MakeEpqRowState(const Plan& plan, EState& estate) {
  auto it = estate.epq->by_node.find(plan.id);
  if (it == estate.epq->by_node.end()) return nullptr;
  return std::make_unique<EpqRowState>(plan, estate, it->second);
}

Result<std::optional<Tuple>> EvalPlanQualRun(const Plan& top, EState& estate, const Tuple& old_row,
                                             const std::vector<EpqTarget>& targets) {
  EpqRows rows;
  for (const EpqTarget& target : targets) {
    const Plan* scan = TraceColumn(top, target.column);
    if (scan == nullptr || !IsScanOf(*scan, target.table_oid)) {
      return MakeError("40001", "could not serialize access due to concurrent update");
    }
    if (!target.tid) {
      rows.by_node[scan->id] = std::nullopt;
      continue;
    }
    auto scan_row = FetchScanRow(*scan, *target.rel, *target.tid);
    if (!scan_row.ok()) return scan_row.error();
    if (!scan_row->has_value()) return std::optional<Tuple>();
    rows.by_node[scan->id] = EpqRow{std::move(**scan_row), true};
  }
  // Where each output column of `top` came from: the rows of the other
  // relations, as far as `old_row` carries them.
  std::vector<int> cols(std::min(top.targetlist.size(), old_row.size()));
  for (size_t i = 0; i < cols.size(); ++i) cols[i] = static_cast<int>(i);
  std::vector<Leaf> leaves;
  CollectLeaves(top, cols, leaves);
  for (const Leaf& leaf : leaves) {
    if (rows.by_node.count(leaf.plan->id) > 0) continue;
    if (leaf.junk.empty() || std::find(leaf.junk.begin(), leaf.junk.end(), -1) != leaf.junk.end()) continue;
    Tuple row;
    bool all_null = true;
    for (int k : leaf.junk) {
      row.push_back(old_row.at(static_cast<size_t>(k)));
      all_null = all_null && storage::IsNull(row.back());
    }
    if (all_null) {
      rows.by_node[leaf.plan->id] = std::nullopt;  // NULLs of an outer join: no row
    } else {
      bool scan_row = leaf.plan->scanrelid > 0 && OutputIsScanRow(*leaf.plan);
      rows.by_node[leaf.plan->id] = EpqRow{std::move(row), scan_row};
    }
  }

  const EpqRows* saved = estate.epq;
  estate.epq = &rows;
  auto state = ExecInitNode(top, estate);
  estate.epq = saved;
  if (!state.ok()) return state.error();
  if (Status s = (*state)->Init(); !s.ok()) return s.error();
  auto first = (*state)->Next();
  (*state)->End();
  return first;
}

Result<std::optional<Tuple>> EvalPlanQual(const Plan& modify, EState& estate, ModifyContext& ctx, const Tuple& old_row,
                                          ItemPointer tid) {
  // The child's row: the new row (UPDATE), the target's ctid, the top
  // join's input columns (junk), RETURNING's.
  int ctid_column = modify.operation == StatementKind::kDelete ? 0 : static_cast<int>(modify.table->columns.size());
  return EvalPlanQualRun(*modify.lefttree, estate, old_row, {EpqTarget{ctid_column, modify.table->oid, &ctx.rel, tid}});
}

}  // namespace minipg::sql
