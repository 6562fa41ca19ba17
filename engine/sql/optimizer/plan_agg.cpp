/*-------------------------------------------------------------------------
 * plan_agg.cpp
 *   The Agg node of a query that groups or aggregates (PostgreSQL's
 *   grouping_planner / make_agg). Its input computes the columns the
 *   grouping keys and aggregate arguments read; in the query's target list
 *   and HAVING, every grouped expression and every aggregate call becomes
 *   a column of the Agg's own row (keys first, then aggregates), so they
 *   are computed once per group and never re-evaluated on input rows.
 *   GROUP BY is always hashed here (HashAggregate); a sorted
 *   GroupAggregate and spilling past work_mem come later.
 *-------------------------------------------------------------------------
 */
#include <string>
#include <utility>

#include "engine/sql/optimizer/planner.h"

namespace minipg::sql {

namespace {

ExprPtr AggColumn(const Expr& replaced, int attno, bool qualify) {
  ExprPtr v = MakeVar(0, attno, replaced.type, "", DeparseExpr(replaced, qualify), replaced.location);
  if (replaced.kind == ExprKind::kVar) {
    v->relname = replaced.relname;
    v->colname = replaced.colname;
  }
  v->typmod = replaced.typmod;
  v->source = VarSource::kScan;
  return v;
}

/* Replaces grouped expressions and aggregate calls in `*slot` with
 * columns of the Agg's row; the aggregates move into node.aggs. */
void ReplaceGrouped(ExprPtr* slot, Plan& node, const std::vector<std::string>& keys, bool qualify) {
  std::vector<ExprPtr*> stack{slot};
  while (!stack.empty()) {
    ExprPtr* p = stack.back();
    stack.pop_back();
    if (!*p) continue;
    std::string text = keys.empty() ? std::string() : DeparseExpr(**p, true);
    bool done = false;
    for (size_t i = 0; i < keys.size() && !done; ++i) {
      if (keys[i] == text) {
        *p = AggColumn(**p, static_cast<int>(i), qualify);
        done = true;
      }
    }
    if (done) continue;
    if ((*p)->kind == ExprKind::kAggref) {
      // Equal calls share one state, as PostgreSQL's (sum(x) and sum(sum(x)) OVER (ORDER BY sum(x))).
      std::string call = DeparseExpr(**p, true);
      size_t same = 0;
      while (same < node.aggs.size() && DeparseExpr(*node.aggs[same], true) != call) ++same;
      ExprPtr column = AggColumn(**p, static_cast<int>(keys.size() + same), qualify);
      if (same == node.aggs.size()) node.aggs.push_back(std::move(*p));
      *p = std::move(column);
      continue;
    }
    for (ExprPtr& a : (*p)->args) stack.push_back(&a);
  }
}

}  // namespace

Result<std::unique_ptr<Plan>> PlanAggregation(Query& q, std::unique_ptr<Plan> input) {
  bool qualify = q.rtable.size() > 1;
  auto node = std::make_unique<Plan>();
  node->kind = PlanKind::kAgg;
  node->hashed = !q.group_by.empty();
  node->group_keys = std::move(q.group_by);
  std::vector<std::string> keys;
  for (const ExprPtr& k : node->group_keys) keys.push_back(DeparseExpr(*k, true));
  for (TargetEntry& t : q.targets) {
    ReplaceGrouped(&t.expr, *node, keys, qualify);
    node->targetlist.push_back(std::move(t.expr));
    node->names.push_back(t.name);
  }
  ReplaceGrouped(&q.having, *node, keys, qualify);
  node->qual = std::move(q.having);
  // The input returns each column the keys and the aggregates' arguments read, once.
  input->targetlist.clear();
  input->names.clear();
  std::vector<Expr*> reads;
  for (ExprPtr& k : node->group_keys) reads.push_back(k.get());
  for (ExprPtr& a : node->aggs) reads.push_back(a.get());
  for (Expr* root : reads) {
    Status status = OkStatus();
    WalkExpr(*root, [&](Expr& e) {
      if (e.kind != ExprKind::kVar || e.source != VarSource::kRangeTable || e.levels_up != 0) return;
      for (const ExprPtr& have : input->targetlist) {
        if (have->rtindex == e.rtindex && have->attno == e.attno) return;
      }
      auto copy = CopyExpr(e);
      if (!copy.ok()) {
        status = copy.error();
        return;
      }
      input->names.push_back(e.colname);
      input->targetlist.push_back(std::move(*copy));
    });
    if (!status.ok()) return status.error();
  }
  node->lefttree = std::move(input);
  return node;
}

}  // namespace minipg::sql
