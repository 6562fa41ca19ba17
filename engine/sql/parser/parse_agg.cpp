/*-------------------------------------------------------------------------
 * parse_agg.cpp
 *   GROUP BY and HAVING (PostgreSQL's parse_clause.c / parse_agg.c): each
 *   GROUP BY item is an input column's name first, then an output
 *   column's name, a position (GROUP BY 1) or an expression; once the
 *   query groups or aggregates, every column outside an aggregate must be
 *   a grouped expression or inside one (42803, at the column).
 *-------------------------------------------------------------------------
 */
#include <fmt/format.h>

#include <string>

#include "engine/common/sqlstate.h"
#include "engine/sql/analyzer_impl.h"

namespace minipg::sql::analyzer_internal {

namespace {

/* 42803 for the first column of `root` that is neither grouped nor inside
 * an aggregate. */
Status CheckUngrouped(Expr& root, const std::vector<std::string>& grouped) {
  std::vector<Expr*> stack{&root};
  while (!stack.empty()) {
    Expr* e = stack.back();
    stack.pop_back();
    if (e->kind == ExprKind::kAggref) continue;
    if (!grouped.empty()) {
      std::string text = DeparseExpr(*e, true);
      bool found = false;
      for (const std::string& g : grouped) found = found || g == text;
      if (found) continue;
    }
    if (e->kind == ExprKind::kSubLink && e->subquery) {
      if (Status s = CheckUngroupedOuterRefs(*e->subquery, 1, grouped); !s.ok()) return s;
    }
    if (e->kind == ExprKind::kVar && e->levels_up == 0) {
      return ErrorAt(sqlstate::kGroupingError,
                     fmt::format("column \"{}.{}\" must appear in the GROUP BY clause or be used in an aggregate "
                                 "function",
                                 e->relname, e->colname),
                     e->location);
    }
    for (auto it = e->args.rbegin(); it != e->args.rend(); ++it) {
      if (*it) stack.push_back(it->get());
    }
  }
  return OkStatus();
}

}  // namespace

Status NoAggregates(Expr& e, const char* clause) {
  if (const Expr* agg = FindAggref(e)) {
    return ErrorAt(sqlstate::kGroupingError, fmt::format("aggregate functions are not allowed in {}", clause),
                   agg->location);
  }
  return OkStatus();
}

const Expr* FindAggref(Expr& e) {
  const Expr* found = nullptr;
  WalkExpr(e, [&found](Expr& x) {
    if (found == nullptr && x.kind == ExprKind::kAggref) found = &x;
  });
  return found;
}

Status Analyzer::TransformGrouping(const SelectStmt& select, ParseState& ps) {
  Query& q = *ps.query;
  for (const RawExprPtr& item : select.group_by) {
    const RawExpr& raw = *item;
    if (raw.kind == RawExprKind::kIntLiteral) {
      int64_t n = -1;
      try {
        n = std::stoll(raw.text);
      } catch (...) {
      }
      size_t visible = 0;
      for (const TargetEntry& t : q.targets) visible += !t.resjunk;
      if (n < 1 || n > static_cast<int64_t>(visible)) {
        return ErrorAt(sqlstate::kInvalidColumnReference,
                       fmt::format("GROUP BY position {} is not in select list", raw.text), raw.location);
      }
      const Expr& target = *q.targets[static_cast<size_t>(n - 1)].expr;
      if (const Expr* agg = FindAggref(const_cast<Expr&>(target))) {
        return ErrorAt(sqlstate::kGroupingError, "aggregate functions are not allowed in GROUP BY", agg->location);
      }
      if (Status s = NoWindowFuncs(const_cast<Expr&>(target), "GROUP BY"); !s.ok()) return s;
      auto copy = CopyExpr(target);
      if (!copy.ok()) return copy.error();
      q.group_by.push_back(std::move(*copy));
      continue;
    }
    auto bound = BindValue(raw, ps);
    if (!bound.ok() && raw.kind == RawExprKind::kColumnRef && raw.qualifier.empty()) {
      // Not an input column: an output column of that name, as PostgreSQL allows.
      for (const TargetEntry& t : q.targets) {
        if (!t.resjunk && t.name == raw.text) {
          bound = CopyExpr(*t.expr);
          break;
        }
      }
    }
    if (!bound.ok()) return bound.error();
    if (const Expr* agg = FindAggref(**bound)) {
      return ErrorAt(sqlstate::kGroupingError, "aggregate functions are not allowed in GROUP BY", agg->location);
    }
    if (Status s = NoWindowFuncs(**bound, "GROUP BY"); !s.ok()) return s;
    q.group_by.push_back(std::move(*bound));
  }
  if (select.having) {
    auto having = BindCondition(*select.having, ps, "HAVING");
    if (!having.ok()) return having.error();
    if (Status s = NoWindowFuncs(**having, "HAVING"); !s.ok()) return s;
    q.having = std::move(*having);
  }
  for (TargetEntry& t : q.targets) q.has_aggs = q.has_aggs || FindAggref(*t.expr) != nullptr;
  if (q.having) q.has_aggs = q.has_aggs || FindAggref(*q.having) != nullptr;
  if (!q.has_aggs && q.group_by.empty() && !q.having) return OkStatus();
  std::vector<std::string> grouped;
  for (const ExprPtr& g : q.group_by) grouped.push_back(DeparseExpr(*g, true));
  for (TargetEntry& t : q.targets) {
    if (Status s = CheckUngrouped(*t.expr, grouped); !s.ok()) return s;
  }
  if (q.having) return CheckUngrouped(*q.having, grouped);
  return OkStatus();
}

}  // namespace minipg::sql::analyzer_internal
