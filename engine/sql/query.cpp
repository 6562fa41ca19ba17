/*-------------------------------------------------------------------------
 * query.cpp
 *   Helpers on analyzed queries: output columns, and every expression of
 *   a query for the passes that rewrite them (see query.h).
 *-------------------------------------------------------------------------
 */
#include "engine/sql/query.h"

namespace minipg::sql {

std::vector<ColumnDesc> Query::OutputColumns() const {
  std::vector<ColumnDesc> cols;
  if (kind == StatementKind::kSelect) {
    for (const TargetEntry& t : targets) {
      if (!t.resjunk) cols.push_back(ColumnDesc{t.name, t.expr->type});
    }
  } else if (returning > 0) {  // INSERT / UPDATE / DELETE ... RETURNING
    for (size_t i = targets.size() - static_cast<size_t>(returning); i < targets.size(); ++i) {
      cols.push_back(ColumnDesc{targets[i].name, targets[i].expr->type});
    }
  } else if (kind == StatementKind::kShow) {
    cols.push_back(ColumnDesc{setting, TypeId::kText});  // renamed by the session
  }
  return cols;
}

void JoinTreeExpressions(JoinTreeNode& node, std::vector<ExprPtr*>& out) {
  if (node.kind != JoinTreeNode::Kind::kJoinExpr) return;
  out.push_back(&node.quals);
  JoinTreeExpressions(*node.left, out);
  JoinTreeExpressions(*node.right, out);
}

std::vector<ExprPtr*> LevelExpressions(Query& query) {
  std::vector<ExprPtr*> out;
  for (TargetEntry& t : query.targets) out.push_back(&t.expr);
  out.insert(out.end(), {&query.jointree.quals, &query.limit, &query.offset});
  for (ExprPtr& g : query.group_by) out.push_back(&g);
  out.push_back(&query.having);
  for (auto& node : query.jointree.fromlist) JoinTreeExpressions(*node, out);
  for (RangeTblEntry& rte : query.rtable) {
    out.push_back(&rte.function);
    for (ExprPtr& a : rte.view_args) out.push_back(&a);
    for (auto& row : rte.values) {
      for (ExprPtr& e : row) out.push_back(&e);
    }
    for (ExprPtr& e : rte.joinaliasvars) out.push_back(&e);
  }
  return out;
}

std::vector<ExprPtr*> QueryExpressions(Query& query) {
  std::vector<ExprPtr*> out = LevelExpressions(query);
  std::vector<Query*> subqueries;
  for (ExprPtr* root : out) {
    if (*root == nullptr) continue;
    WalkExpr(**root, [&](Expr& e) {
      if (e.kind == ExprKind::kSubLink && e.subquery) subqueries.push_back(e.subquery.get());
    });
  }
  for (RangeTblEntry& rte : query.rtable) {
    if (rte.subquery) subqueries.push_back(rte.subquery.get());
  }
  for (auto& cte : query.ctes) {
    if (cte->query) subqueries.push_back(cte->query.get());  // null once inlined (then an entry's subquery)
  }
  for (Query* sub : subqueries) {
    std::vector<ExprPtr*> more = QueryExpressions(*sub);
    out.insert(out.end(), more.begin(), more.end());
  }
  return out;
}

}  // namespace minipg::sql
