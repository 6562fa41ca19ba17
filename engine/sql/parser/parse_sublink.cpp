/*-------------------------------------------------------------------------
 * parse_sublink.cpp
 *   Subqueries in expressions (PostgreSQL's transformSubLink): the
 *   subquery is analyzed with the query around it as its parent, so a name
 *   it does not have itself resolves to an outer column (a Var with
 *   levels_up > 0: a correlated subquery, at any depth). The result:
 *
 *     (SELECT ...)          one column, its type; NULL if no row
 *     EXISTS (SELECT ...)   boolean
 *     x op ANY / ALL (...)  boolean; args[0] is `x op $n`, $n the
 *                           subquery's column (x IN (...) is x = ANY)
 *     ARRAY(SELECT ...)     an array of the column's type
 *-------------------------------------------------------------------------
 */
#include <algorithm>

#include <fmt/format.h>

#include "engine/common/stack_depth.h"
#include "engine/sql/adt/aggregates.h"
#include "engine/sql/adt/catalog_types.h"
#include "engine/sql/analyzer_impl.h"

namespace minipg::sql::analyzer_internal {

namespace {

/* Whether a name's lookup failed at one level in a way that sends it on
 * to the level around: t.x when no entry there is t (an entry t without
 * column x is the answer, as in PostgreSQL), x when no entry has it. */
bool NotFound(const RawExpr& ref, const Error& e) {
  return e.sqlstate == (ref.qualifier.empty() ? sqlstate::kUndefinedColumn : sqlstate::kUndefinedTable);
}

/* 0A000 for an aggregate whose arguments are all outer columns: PostgreSQL
 * computes it in the outer query; minipg does not. */
Status NoOuterAggregates(Query& sub) {
  Status status = OkStatus();
  for (ExprPtr* root : LevelExpressions(sub)) {
    if (*root == nullptr) continue;
    WalkExpr(**root, [&](Expr& e) {
      if (e.kind != ExprKind::kAggref || e.args.empty() || !status.ok()) return;
      bool local = false;
      bool outer = false;
      for (ExprPtr& a : e.args) {
        WalkExpr(*a, [&](Expr& v) {
          if (v.kind != ExprKind::kVar) return;
          (v.levels_up == 0 ? local : outer) = true;
        });
      }
      if (outer && !local) {
        status = ErrorAt(sqlstate::kFeatureNotSupported,
                         "aggregate functions over outer query columns are not supported by minipg", e.location);
      }
    });
  }
  return status;
}

}  // namespace

Status CheckUngroupedOuterRefs(Query& sub, int depth, const std::vector<std::string>& grouped) {
  if (Status s = CheckStackDepth(); !s.ok()) return s;
  Status status = OkStatus();
  std::vector<Query*> inner;
  for (ExprPtr* root : LevelExpressions(sub)) {
    if (*root == nullptr || !status.ok()) continue;
    WalkExpr(**root, [&](Expr& e) {
      if (e.kind == ExprKind::kSubLink && e.subquery) inner.push_back(e.subquery.get());
      if (e.kind != ExprKind::kVar || e.levels_up != depth || !status.ok()) return;
      std::string name = e.relname + "." + e.colname;
      if (std::find(grouped.begin(), grouped.end(), name) == grouped.end()) {
        status = ErrorAt(sqlstate::kGroupingError,
                         fmt::format("subquery uses ungrouped column \"{}\" from outer query", name), e.location);
      }
    });
  }
  for (RangeTblEntry& rte : sub.rtable) {
    if (rte.subquery) inner.push_back(rte.subquery.get());
  }
  for (Query* q : inner) {
    if (!status.ok()) break;
    status = CheckUngroupedOuterRefs(*q, depth + 1, grouped);
  }
  return status;
}

Result<ExprPtr> Analyzer::BindColumn(const RawExpr& e, ParseState& ps) {
  auto here = BindColumnHere(e, ps);  // (only a level around this one is ever hidden)
  if (here.ok() || !NotFound(e, here.error())) return here;
  int up = 0;
  for (ParseState* p = ps.parent; p != nullptr; p = p->parent) {
    ++up;
    if (p->hidden) continue;
    auto outer = BindColumnHere(e, *p);
    if (outer.ok()) {
      (*outer)->levels_up = up;
      return outer;
    }
    if (!NotFound(e, outer.error())) return outer;
  }
  return here;
}

Result<Query> Analyzer::AnalyzeSubquery(const SelectStmt& select, ParseState& parent) {
  pending_parent_ = &parent;
  auto sub = Analyze(select);
  pending_parent_ = nullptr;
  if (sub.ok()) {
    for (const std::string& t : sub->tables) parent.query->tables.push_back(t);
    if (Status s = NoOuterAggregates(*sub); !s.ok()) return s.error();
  }
  return sub;
}

/* x op ANY / ALL (array): the test `x op $n` over each element as $n. */
Result<ExprPtr> Analyzer::BindArrayOp(const RawExpr& e, ParseState& ps) {
  auto left = Bind(*e.args[0], ps);
  if (!left.ok()) {
    return left;
  }
  auto array = Bind(*e.args[1], ps);
  if (!array.ok()) {
    return array;
  }
  if ((*array)->kind == ExprKind::kConst && (*array)->type == TypeId::kUnknown) {
    (*array)->untyped = true;  // NULL: any array
  }
  if ((*array)->untyped && !(*left)->untyped) {  // x = ANY ('{1,2}'): an array of x's type
    if (TypeId type = ArrayTypeOf((*left)->type); type != TypeId::kVoid) {
      array = Coerce(std::move(*array), type, CastContext::kImplicit);
      if (!array.ok()) return array;
    }
  }
  if ((*array)->untyped || !IsArrayType((*array)->type)) {
    return ErrorAt(sqlstate::kWrongObjectType, "op ANY/ALL (array) requires array on right side", e.location);
  }
  ExprPtr element = MakeExpr(ExprKind::kExecParam, ElementTypeOf((*array)->type), e.location);
  element->param = -1;  // the planner numbers it
  auto test = MakeOperator(e.text, std::move(*left), std::move(element), e.location);
  if (!test.ok()) {
    return test;
  }
  if ((*test)->type != TypeId::kBool) {
    return ErrorAt(sqlstate::kDatatypeMismatch, "op ANY/ALL (array) requires operator to yield boolean", e.location);
  }
  ExprPtr link = MakeExpr(ExprKind::kSubLink, TypeId::kBool, e.location);
  link->sublink = e.sublink;
  link->args.push_back(std::move(*test));
  link->args.push_back(std::move(*array));
  return link;
}

/* (a, b) op ANY (SELECT x, y ...): the row comparison of the row with
 * the subquery's columns, each read through a placeholder $n numbered
 * -1, -2, ... until the planner gives them their numbers. */
Result<ExprPtr> Analyzer::RowSubLinkTest(const RawExpr& e, const std::vector<const Expr*>& columns, ParseState& ps) {
  auto row = BindRow(*e.args[0], ps);
  if (!row.ok()) return row;
  size_t n = (*row)->args.size();
  if (columns.size() != n) {
    return ErrorAt(sqlstate::kSyntaxError,
                   columns.size() > n ? "subquery has too many columns" : "subquery has too few columns", e.location);
  }
  ExprPtr outputs = MakeExpr(ExprKind::kRow, TypeId::kRecord, e.location);
  for (size_t i = 0; i < n; ++i) {
    ExprPtr column = MakeExpr(ExprKind::kExecParam, columns[i]->type, e.location);
    column->typmod = columns[i]->typmod;
    column->param = -1 - static_cast<int>(i);
    outputs->args.push_back(std::move(column));
  }
  return MakeComparison(e.text, std::move(*row), std::move(outputs), e.location);
}

Result<ExprPtr> Analyzer::BindSubLink(const RawExpr& e, ParseState& ps) {
  if (Status s = CheckStackDepth(); !s.ok()) {
    return s.error();
  }
  if (e.subselect == nullptr) {
    return BindArrayOp(e, ps);
  }
  auto sub = AnalyzeSubquery(*e.subselect, ps);
  if (!sub.ok()) {
    return sub.error();
  }
  std::vector<const Expr*> columns;
  for (const TargetEntry& t : sub->targets) {
    if (!t.resjunk) columns.push_back(t.expr.get());
  }
  ExprPtr link = MakeExpr(ExprKind::kSubLink, TypeId::kBool, e.location);
  link->sublink = e.sublink;
  switch (e.sublink) {
    case SubLinkType::kExists:
      break;
    case SubLinkType::kExpr:
    case SubLinkType::kArray: {
      if (columns.size() != 1) {
        return ErrorAt(sqlstate::kSyntaxError, "subquery must return only one column", e.location);
      }
      link->type = columns[0]->type;
      link->typmod = columns[0]->typmod;
      if (e.sublink == SubLinkType::kArray) {
        TypeId array = ArrayTypeOf(columns[0]->type);
        if (array == TypeId::kVoid) {
          return ErrorAt(sqlstate::kFeatureNotSupported,
                         fmt::format("ARRAY(SELECT ...) of type {} is not supported by minipg",
                                     TypeName(columns[0]->type)),
                         e.location);
        }
        link->type = array;
        link->typmod = -1;
      }
      break;
    }
    case SubLinkType::kAny:
    case SubLinkType::kAll: {
      if (e.args[0]->kind == RawExprKind::kRow && !e.args[0]->star) {
        auto test = RowSubLinkTest(e, columns, ps);
        if (!test.ok()) return test;
        link->args.push_back(std::move(*test));
        break;
      }
      if (columns.size() != 1) {
        return ErrorAt(sqlstate::kSyntaxError,
                       columns.size() > 1 ? "subquery has too many columns" : "subquery has too few columns",
                       e.location);
      }
      auto left = Bind(*e.args[0], ps);
      if (!left.ok()) {
        return left;
      }
      if ((*left)->kind == ExprKind::kConst && (*left)->type == TypeId::kUnknown) {
        (*left)->untyped = true;  // NULL IN (SELECT ...): any type
      }
      ExprPtr column = MakeExpr(ExprKind::kExecParam, columns[0]->type, e.location);
      column->typmod = columns[0]->typmod;
      column->param = -1;  // the planner numbers it (SubPlanInfo::test_param)
      auto test = MakeOperator(e.text, std::move(*left), std::move(column), e.location);
      if (!test.ok()) {
        return test;
      }
      if ((*test)->type != TypeId::kBool) {
        return ErrorAt(sqlstate::kWrongObjectType,
                       fmt::format("operator {} must return type boolean, not type {}", e.text,
                                   TypeName((*test)->type)),
                       e.location);
      }
      link->args.push_back(std::move(*test));
      break;
    }
  }
  link->subquery = std::make_shared<Query>(std::move(*sub));
  return link;
}

}  // namespace minipg::sql::analyzer_internal
