/*-------------------------------------------------------------------------
 * parse_cte_check.cpp
 *   The checks PostgreSQL's parse_cte.c makes on a WITH RECURSIVE list
 *   before analyzing it, over the parse trees:
 *
 *     which item reads which (a name not hidden by an inner WITH of the
 *     same name), so the list is analyzed in an order where none reads a
 *     later one (0A000 "mutual recursion" for a cycle of two or more);
 *     an item reading itself is recursive and must be
 *       non-recursive-term UNION [ALL] recursive-term   (42P19 otherwise)
 *     with no ORDER BY / LIMIT / OFFSET on that UNION (0A000), its own
 *     name read once (42P19), only in the recursive term, and not inside
 *     an expression's subquery, the nullable side of an outer join,
 *     INTERSECT ALL or the right side of EXCEPT (42P19 each).
 *-------------------------------------------------------------------------
 */
#include <algorithm>
#include <functional>

#include <fmt/format.h>

#include "engine/common/stack_depth.h"
#include "engine/sql/analyzer_impl.h"

namespace minipg::sql::analyzer_internal {

namespace {

/* Where a reference to the recursive query is not allowed (its message). */
enum class RecursionContext { kOk, kNonRecursiveTerm, kSublink, kOuterJoin, kIntersect, kExcept };

const char* ContextMessage(RecursionContext c) {
  switch (c) {
    case RecursionContext::kOk: return "";
    case RecursionContext::kNonRecursiveTerm: return "must not appear within its non-recursive term";
    case RecursionContext::kSublink: return "must not appear within a subquery";
    case RecursionContext::kOuterJoin: return "must not appear within an outer join";
    case RecursionContext::kIntersect: return "must not appear within INTERSECT";
    case RecursionContext::kExcept: return "must not appear within EXCEPT";
  }
  return "";
}

/* Walks a parse tree calling `on_ref` for each FROM name that is not
 * hidden by an inner WITH (with the context it appears in). */
class RefWalker {
 public:
  using OnRef = std::function<Status(const std::string& name, int location, RecursionContext context)>;
  explicit RefWalker(OnRef on_ref) : on_ref_(std::move(on_ref)) {}

  Status Select(const SelectStmt& s, RecursionContext c) {
    if (Status st = CheckStackDepth(); !st.ok()) return st;
    size_t mark = hidden_.size();
    if (!s.with_ctes.empty()) {
      bool recursive = s.with_ctes.front().recursive;
      if (recursive) {
        for (const CommonTableExpr& cte : s.with_ctes) hidden_.push_back(cte.name);
      }
      for (const CommonTableExpr& cte : s.with_ctes) {
        if (Status st = Select(*cte.query, c); !st.ok()) return st;
        if (!recursive) hidden_.push_back(cte.name);
      }
    }
    Status st = Body(s, c);
    hidden_.resize(mark);
    return st;
  }

  Status Expr(const RawExpr* e, RecursionContext c) {
    if (e == nullptr) return OkStatus();
    if (Status st = CheckStackDepth(); !st.ok()) return st;
    if (e->subselect) {
      if (Status st = Select(*e->subselect, RecursionContext::kSublink); !st.ok()) return st;
    }
    for (const RawExprPtr& a : e->args) {
      if (Status st = Expr(a.get(), c); !st.ok()) return st;
    }
    for (const OrderItem& o : e->agg_order) {
      if (Status st = Expr(o.expr.get(), c); !st.ok()) return st;
    }
    return Expr(e->agg_filter.get(), c);
  }

 private:
  Status Body(const SelectStmt& s, RecursionContext c) {
    if (s.setop != SetOpKind::kNone) {
      RecursionContext left = c;
      RecursionContext right = c;
      if (s.setop == SetOpKind::kIntersect && s.setop_all) left = right = RecursionContext::kIntersect;
      if (s.setop == SetOpKind::kExcept) {
        if (s.setop_all) left = RecursionContext::kExcept;
        right = RecursionContext::kExcept;
      }
      if (Status st = Select(*s.larg, left); !st.ok()) return st;
      if (Status st = Select(*s.rarg, right); !st.ok()) return st;
    }
    for (const FromItemPtr& f : s.from) {
      if (Status st = From(*f, c); !st.ok()) return st;
    }
    std::vector<const RawExpr*> exprs = {s.where.get(), s.having.get(), s.limit.get(), s.offset.get()};
    for (const SelectTarget& t : s.targets) exprs.push_back(t.expr.get());
    for (const RawExprPtr& g : s.group_by) exprs.push_back(g.get());
    for (const RawExprPtr& d : s.distinct_on) exprs.push_back(d.get());
    for (const OrderItem& o : s.order_by) exprs.push_back(o.expr.get());
    for (const auto& row : s.values) {
      for (const RawExprPtr& v : row) exprs.push_back(v.get());
    }
    for (const RawExpr* e : exprs) {
      if (Status st = Expr(e, c); !st.ok()) return st;
    }
    return OkStatus();
  }

  Status From(const FromItem& f, RecursionContext c) {
    if (Status st = CheckStackDepth(); !st.ok()) return st;
    switch (f.kind) {
      case FromItem::Kind::kTable:
        if (f.table.schema.empty() && std::find(hidden_.begin(), hidden_.end(), f.table.name) == hidden_.end()) {
          return on_ref_(f.table.name, f.location, c);
        }
        return OkStatus();
      case FromItem::Kind::kSubquery:
        return f.subquery ? Select(*f.subquery, c) : OkStatus();
      case FromItem::Kind::kFunction:
        return Expr(f.function.get(), c);
      case FromItem::Kind::kJoin: {
        RecursionContext left = c;
        RecursionContext right = c;
        if (f.join_type == JoinType::kLeft || f.join_type == JoinType::kFull) right = RecursionContext::kOuterJoin;
        if (f.join_type == JoinType::kRight || f.join_type == JoinType::kFull) left = RecursionContext::kOuterJoin;
        if (Status st = From(*f.left, left); !st.ok()) return st;
        if (Status st = From(*f.right, right); !st.ok()) return st;
        return Expr(f.on.get(), c);
      }
    }
    return OkStatus();
  }

  OnRef on_ref_;
  std::vector<std::string> hidden_;  // names of inner WITHs in scope
};

}  // namespace

Result<std::vector<size_t>> OrderRecursiveWith(const std::vector<CommonTableExpr>& ctes, std::vector<bool>& self) {
  size_t n = ctes.size();
  self.assign(n, false);
  std::vector<std::vector<size_t>> depends(n);
  for (size_t i = 0; i < n; ++i) {
    RefWalker walker([&](const std::string& name, int, RecursionContext) {
      for (size_t j = 0; j < n; ++j) {
        if (ctes[j].name != name) continue;
        if (j == i) {
          self[i] = true;
        } else if (std::find(depends[i].begin(), depends[i].end(), j) == depends[i].end()) {
          depends[i].push_back(j);
        }
        break;
      }
      return OkStatus();
    });
    if (Status s = walker.Select(*ctes[i].query, RecursionContext::kOk); !s.ok()) return s.error();
  }
  // Repeatedly take the first item whose dependencies are all taken.
  std::vector<size_t> order;
  std::vector<bool> taken(n, false);
  while (order.size() < n) {
    size_t pick = n;
    for (size_t i = 0; i < n && pick == n; ++i) {
      if (taken[i]) continue;
      bool ready = std::all_of(depends[i].begin(), depends[i].end(), [&](size_t j) { return taken[j]; });
      if (ready) pick = i;
    }
    if (pick == n) {
      size_t first = static_cast<size_t>(std::find(taken.begin(), taken.end(), false) - taken.begin());
      return ErrorAt(sqlstate::kFeatureNotSupported, "mutual recursion between WITH items is not implemented",
                     ctes[first].location);
    }
    taken[pick] = true;
    order.push_back(pick);
  }
  return order;
}

Status CheckRecursiveForm(const CommonTableExpr& cte) {
  const SelectStmt& s = *cte.query;
  if (s.setop != SetOpKind::kUnion) {
    return ErrorAt(sqlstate::kInvalidRecursion,
                   fmt::format("recursive query \"{}\" does not have the form non-recursive-term UNION [ALL] "
                               "recursive-term",
                               cte.name),
                   cte.location);
  }
  int refs = 0;
  RefWalker walker([&](const std::string& name, int location, RecursionContext c) {
    if (name != cte.name) return OkStatus();
    if (c == RecursionContext::kOk && ++refs == 1) return OkStatus();
    std::string what = c == RecursionContext::kOk ? "must not appear more than once" : ContextMessage(c);
    return Status(ErrorAt(sqlstate::kInvalidRecursion,
                          fmt::format("recursive reference to query \"{}\" {}", cte.name, what), location));
  });
  for (const CommonTableExpr& inner : s.with_ctes) {
    if (Status st = walker.Select(*inner.query, RecursionContext::kOk); !st.ok()) return st;
  }
  if (Status st = walker.Select(*s.larg, RecursionContext::kNonRecursiveTerm); !st.ok()) return st;
  if (Status st = walker.Select(*s.rarg, RecursionContext::kOk); !st.ok()) return st;
  if (!s.order_by.empty()) {
    return ErrorAt(sqlstate::kFeatureNotSupported, "ORDER BY in a recursive query is not implemented",
                   s.order_by.front().expr->location);
  }
  if (s.offset) {
    return ErrorAt(sqlstate::kFeatureNotSupported, "OFFSET in a recursive query is not implemented",
                   s.offset->location);
  }
  if (s.limit) {
    return ErrorAt(sqlstate::kFeatureNotSupported, "LIMIT in a recursive query is not implemented",
                   s.limit->location);
  }
  return OkStatus();
}

}  // namespace minipg::sql::analyzer_internal
