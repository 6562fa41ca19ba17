/*-------------------------------------------------------------------------
 * setrefs.cpp
 *   After planning, every Var of a node is made to name the row it reads
 *   at run time (PostgreSQL's set_plan_references):
 *
 *     a scan's Vars of its own entry     -> the scan row, same column
 *     a join's Vars                      -> the outer (left) or inner
 *                                           (right) child's output column
 *                                           that holds them
 *
 *   so evaluating an expression never searches for a name. Then a Subquery
 *   Scan that only passes its subquery's rows on is replaced by the
 *   subquery's plan (PostgreSQL's trivial_subqueryscan). Nodes that pass
 *   rows on (Sort, Limit) are built with outer Vars already. A node is
 *   done before its children, whose target lists still hold range table
 *   Vars to match against.
 *-------------------------------------------------------------------------
 */
#include <fmt/format.h>

#include "engine/common/sqlstate.h"
#include "engine/common/stack_depth.h"
#include "engine/sql/optimizer/planner.h"

namespace minipg::sql {

namespace {

/* The column of `child`'s output that is Var (rtindex, attno), or -1. */
int FindInTargets(const Plan& child, const Expr& var) {
  for (size_t i = 0; i < child.targetlist.size(); ++i) {
    const Expr* column = child.targetlist[i].get();
    // A HashAggregate's output column k is its group key k (a semi join's
    // inner side made unique, joinpath.cpp): still a range table Var here.
    if (child.kind == PlanKind::kAgg && column->kind == ExprKind::kVar && column->source == VarSource::kScan &&
        static_cast<size_t>(column->attno) < child.group_keys.size()) {
      column = child.group_keys[static_cast<size_t>(column->attno)].get();
    }
    const Expr& t = *column;
    if (t.kind == ExprKind::kVar && t.source == VarSource::kRangeTable && t.rtindex == var.rtindex &&
        t.attno == var.attno) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

Status FixExpr(Plan& node, Expr* root) {
  if (root == nullptr) return OkStatus();
  Status status = OkStatus();
  WalkExpr(*root, [&](Expr& e) {
    if (e.kind != ExprKind::kVar || e.source != VarSource::kRangeTable || e.levels_up != 0 || !status.ok()) return;
    if (node.scanrelid > 0 && e.rtindex == node.scanrelid) {
      e.source = VarSource::kScan;
      return;
    }
    for (auto [child, source] : {std::pair{node.lefttree.get(), VarSource::kOuter},
                                 std::pair{node.righttree.get(), VarSource::kInner}}) {
      if (child == nullptr || node.scanrelid > 0) continue;
      int column = FindInTargets(*child, e);
      if (column >= 0) {
        e.source = source;
        e.attno = column;
        return;
      }
    }
    status = MakeError(sqlstate::kInternalError,
                       fmt::format("variable {}.{} not found in the plan's inputs", e.relname, e.colname));
  });
  return status;
}

}  // namespace

Status SetPlanReferences(Plan& node) {
  if (Status s = CheckStackDepth(); !s.ok()) {
    return s;
  }
  std::vector<Expr*> exprs = {node.qual.get(), node.joinqual.get()};
  for (ExprPtr& t : node.targetlist) exprs.push_back(t.get());
  for (ExprPtr& k : node.group_keys) exprs.push_back(k.get());
  for (ExprPtr& a : node.aggs) exprs.push_back(a.get());
  for (ExprPtr& h : node.equi_clauses) exprs.push_back(h.get());
  for (ExprPtr& c : node.indexquals) exprs.push_back(c.get());
  for (ExprPtr& p : node.nest_param_exprs) exprs.push_back(p.get());
  for (Expr* e : exprs) {
    if (Status s = FixExpr(node, e); !s.ok()) return s;
  }
  for (Plan* child : node.Children()) {
    if (Status s = SetPlanReferences(*child); !s.ok()) return s;
  }
  return OkStatus();
}

void RemoveTrivialSubqueryScans(std::unique_ptr<Plan>& slot) {
  Plan& node = *slot;
  for (std::unique_ptr<Plan>* child : {&node.lefttree, &node.righttree}) {
    if (*child) RemoveTrivialSubqueryScans(*child);
  }
  for (std::unique_ptr<Plan>& child : node.appendplans) RemoveTrivialSubqueryScans(child);
  if (node.kind != PlanKind::kSubqueryScan || node.qual || node.targetlist.size() != node.lefttree->targetlist.size()) {
    return;
  }
  for (size_t i = 0; i < node.targetlist.size(); ++i) {
    const Expr& e = *node.targetlist[i];
    if (e.kind != ExprKind::kVar || e.source != VarSource::kScan || e.attno != static_cast<int>(i)) return;
  }
  std::unique_ptr<Plan> child = std::move(node.lefttree);
  child->names = node.names;  // the columns go by the subquery scan's names
  slot = std::move(child);
}

}  // namespace minipg::sql
