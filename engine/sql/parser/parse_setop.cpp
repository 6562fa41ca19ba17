/*-------------------------------------------------------------------------
 * parse_setop.cpp
 *   UNION / INTERSECT / EXCEPT [ALL] (PostgreSQL's transformSetOperationStmt)
 *   and DISTINCT ON. Each leaf SELECT becomes a subquery entry of the range
 *   table ("*SELECT* 1", ...); each operation checks that its two sides
 *   have as many columns and resolves each column's type as PostgreSQL's
 *   select_common_type does (an undecided literal in a leaf takes the other
 *   side's type); the leaves' columns are then coerced to the types the
 *   whole tree resolved. The result's names are the leftmost leaf's; its
 *   ORDER BY can name them or give their positions, nothing else.
 *-------------------------------------------------------------------------
 */
#include <algorithm>

#include <fmt/format.h>

#include "engine/common/stack_depth.h"
#include "engine/sql/analyzer_impl.h"

namespace minipg::sql::analyzer_internal {

namespace {

const SetOperationNode& Leftmost(const SetOperationNode& node) {
  const SetOperationNode* n = &node;
  while (n->op != SetOpKind::kNone) n = n->larg.get();
  return *n;
}

/* A leaf's output expressions, or placeholders of an inner node's types. */
std::vector<ExprPtr> ColumnExprs(const SetOperationNode& node, const Query& q, std::vector<const Expr*>& views) {
  std::vector<ExprPtr> placeholders;
  views.clear();
  if (node.op == SetOpKind::kNone) {
    for (const TargetEntry& t : q.rte(node.rtindex).subquery->targets) {
      if (!t.resjunk) views.push_back(t.expr.get());
    }
    return placeholders;
  }
  for (TypeId type : node.coltypes) {
    placeholders.push_back(MakeConst(type, std::monostate{}));
    views.push_back(placeholders.back().get());
  }
  return placeholders;
}

/* Where an expression starts (an operator's location is its own). */
int StartLocation(const RawExpr& e) {
  const RawExpr* p = &e;
  while ((p->kind == RawExprKind::kBinary || p->kind == RawExprKind::kCast || p->kind == RawExprKind::kNamedOp) &&
         !p->args.empty()) {
    p = p->args[0].get();
  }
  return p->location;
}

int FirstTargetLocation(const SelectStmt& s) {
  const SelectStmt* leaf = &s;
  while (leaf->setop != SetOpKind::kNone) leaf = leaf->larg.get();
  for (const FromItemPtr& f : leaf->from) {
    if (leaf->targets.empty() && f->subquery) return FirstTargetLocation(*f->subquery);
  }
  return leaf->targets.empty() ? 0 : leaf->targets[0].location;
}

}  // namespace

Result<std::unique_ptr<SetOperationNode>> Analyzer::TransformSetOpTree(const SelectStmt& s, ParseState& ps,
                                                                       int& leaves, bool top) {
  if (Status st = CheckStackDepth(); !st.ok()) return st.error();
  auto node = std::make_unique<SetOperationNode>();
  Query& q = *ps.query;
  // A parenthesized operation with its own ORDER BY, LIMIT or WITH is a leaf.
  if (s.setop == SetOpKind::kNone || (!top && (!s.order_by.empty() || s.limit || s.offset || !s.with_ctes.empty()))) {
    keep_unknown_ = true;
    auto sub = Analyze(s);
    keep_unknown_ = false;
    if (!sub.ok()) return sub.error();
    RangeTblEntry rte;
    rte.kind = RteKind::kSubquery;
    rte.refname = fmt::format("*SELECT* {}", ++leaves);
    for (const TargetEntry& t : sub->targets) {
      if (t.resjunk) continue;
      rte.colnames.push_back(t.name);
      rte.coltypes.push_back(t.expr->untyped ? TypeId::kUnknown : t.expr->type);
    }
    for (const std::string& t : sub->tables) q.tables.push_back(t);
    rte.subquery = std::make_unique<Query>(std::move(*sub));
    node->coltypes = rte.coltypes;
    node->rtindex = AddRte(ps, std::move(rte));
    return node;
  }
  node->op = s.setop;
  node->all = s.setop_all;
  auto left = TransformSetOpTree(*s.larg, ps, leaves);
  if (!left.ok()) return left;
  if (top && recursive_stmt_ == &s) {  // WITH RECURSIVE: the recursive term reads the left's columns
    if (Status st = SetRecursiveColumns(**left, q); !st.ok()) return st.error();
  }
  auto right = TransformSetOpTree(*s.rarg, ps, leaves);
  if (!right.ok()) return right;
  const char* name = SetOpName(s.setop);
  if ((*left)->coltypes.size() != (*right)->coltypes.size()) {
    return ErrorAt(sqlstate::kSyntaxError, fmt::format("each {} query must have the same number of columns", name),
                   FirstTargetLocation(*s.rarg));
  }
  std::vector<const Expr*> lviews;
  std::vector<const Expr*> rviews;
  auto lholders = ColumnExprs(**left, q, lviews);
  auto rholders = ColumnExprs(**right, q, rviews);
  for (size_t i = 0; i < lviews.size(); ++i) {
    auto type = CommonType({lviews[i], rviews[i]}, name);
    if (!type.ok()) return type.error();
    node->coltypes.push_back(*type);
  }
  node->larg = std::move(*left);
  node->rarg = std::move(*right);
  return node;
}

Status Analyzer::CoerceSetOpLeaves(SetOperationNode& node, const std::vector<TypeId>& types, Query& q,
                                   const char* op) {
  if (node.op != SetOpKind::kNone) {
    if (Status s = CoerceSetOpLeaves(*node.larg, types, q, SetOpName(node.op)); !s.ok()) return s;
    return CoerceSetOpLeaves(*node.rarg, types, q, SetOpName(node.op));
  }
  RangeTblEntry& rte = q.rte(node.rtindex);
  size_t column = 0;
  for (TargetEntry& t : rte.subquery->targets) {
    if (t.resjunk) continue;
    TypeId to = types[column];
    TypeId from = t.expr->untyped ? TypeId::kUnknown : t.expr->type;
    int location = t.expr->location;
    auto c = Coerce(std::move(t.expr), to, CastContext::kImplicit);
    if (!c.ok()) {
      if (c.error().sqlstate == kCannotCoerce) {
        return Status(ErrorAt(kCannotCoerce,
                              fmt::format("{} could not convert type {} to {}", op, TypeName(from), TypeName(to)),
                              location));
      }
      return Status(c.error().position > 0 ? c.error() : At(c.error(), location));
    }
    t.expr = std::move(*c);
    rte.coltypes[column] = to;
    node.coltypes[column] = to;
    ++column;
  }
  return OkStatus();
}

Result<Query> Analyzer::AnalyzeSetOp(const SelectStmt& select) {
  Query q;
  q.kind = StatementKind::kSelect;
  q.statement = StatementKindName(StatementKind::kSelect);
  ParseState ps;
  ps.query = &q;
  int leaves = 0;
  auto transformed = TransformSetOpTree(select, ps, leaves, true);
  if (!transformed.ok()) return transformed.error();
  std::unique_ptr<SetOperationNode> tree = std::move(*transformed);
  const char* name = SetOpName(select.setop);
  std::vector<TypeId> types = tree->coltypes;
  if (Status s = CoerceSetOpLeaves(*tree, types, q, name); !s.ok()) return s.error();
  const SetOperationNode& first = Leftmost(*tree);
  const RangeTblEntry& first_rte = q.rte(first.rtindex);
  for (size_t i = 0; i < types.size(); ++i) {
    TargetEntry t;
    t.expr = MakeVar(first.rtindex, static_cast<int>(i), types[i], "", first_rte.colnames[i]);
    t.name = first_rte.colnames[i];
    t.resno = static_cast<int>(i + 1);
    q.targets.push_back(std::move(t));
  }
  for (const OrderItem& item : select.order_by) {
    const RawExpr& e = *item.expr;
    int tle = -1;
    if (e.kind == RawExprKind::kIntLiteral) {
      int64_t n = std::strtoll(e.text.c_str(), nullptr, 10);
      if (n < 1 || n > static_cast<int64_t>(q.targets.size())) {
        return ErrorAt(sqlstate::kInvalidColumnReference,
                       fmt::format("ORDER BY position {} is not in select list", e.text), e.location);
      }
      tle = static_cast<int>(n - 1);
    } else if (e.kind == RawExprKind::kColumnRef && !e.qualifier.empty()) {
      return ErrorAt(sqlstate::kUndefinedTable,
                     fmt::format("missing FROM-clause entry for table \"{}\"", e.qualifier), e.location);
    } else if (e.kind == RawExprKind::kColumnRef) {
      for (size_t i = 0; i < q.targets.size() && tle < 0; ++i) {
        if (q.targets[i].name == e.text) tle = static_cast<int>(i);
      }
      if (tle < 0) {
        return ErrorAt(sqlstate::kUndefinedColumn, fmt::format("column \"{}\" does not exist", e.text), e.location);
      }
    } else {
      Error err =
          ErrorAt(sqlstate::kFeatureNotSupported, "invalid UNION/INTERSECT/EXCEPT ORDER BY clause", StartLocation(e));
      err.detail = "Only result column names can be used, not expressions or functions.";
      err.hint = "Add the expression/function to every SELECT, or move the UNION into a FROM clause.";
      return err;
    }
    SortClause sort;
    sort.tle = tle;
    sort.descending = item.descending;
    sort.nulls_first = item.nulls_first.value_or(item.descending);
    q.targets[static_cast<size_t>(tle)].sortgroupref = static_cast<int>(q.sort.size() + 1);
    q.sort.push_back(sort);
  }
  if (Status s = TransformLimit(select, q); !s.ok()) return s.error();
  q.setop = std::move(tree);
  return q;
}

Status Analyzer::TransformDistinctOn(const SelectStmt& select, ParseState& ps,
                                     const std::unordered_map<std::string, OutputName>& output_names) {
  Query& q = *ps.query;
  std::vector<int> keys;
  std::vector<int> locations;
  for (const RawExprPtr& e : select.distinct_on) {
    auto tle = AddSortTarget(*e, select, output_names, ps);
    if (!tle.ok()) return tle.error();
    if (std::find(keys.begin(), keys.end(), *tle) == keys.end()) {
      keys.push_back(*tle);
      locations.push_back(e->location);
    }
  }
  if (keys.empty()) return OkStatus();
  // ORDER BY must start with the keys, in any order; the keys it leaves
  // out are sorted on after it.
  std::vector<bool> matched(keys.size(), false);
  size_t left = keys.size();
  for (const SortClause& s : q.sort) {
    if (left == 0) break;
    auto it = std::find(keys.begin(), keys.end(), s.tle);
    if (it == keys.end()) {
      size_t first = static_cast<size_t>(std::find(matched.begin(), matched.end(), false) - matched.begin());
      return Status(ErrorAt(sqlstate::kInvalidColumnReference,
                            "SELECT DISTINCT ON expressions must match initial ORDER BY expressions",
                            locations[first]));
    }
    size_t k = static_cast<size_t>(it - keys.begin());
    if (!matched[k]) --left;
    matched[k] = true;
  }
  for (size_t k = 0; k < keys.size(); ++k) {
    if (matched[k]) continue;
    SortClause sort;
    sort.tle = keys[k];
    q.sort.push_back(sort);
  }
  q.distinct_on = std::move(keys);
  return OkStatus();
}

}  // namespace minipg::sql::analyzer_internal
