/*-------------------------------------------------------------------------
 * parse_expr.cpp
 *   Expressions from parse trees to typed trees (nodes/primnodes.h):
 *   literals, columns (parse_relation.cpp finds them), operators and
 *   functions (resolved in parse_func.cpp), casts, AND / OR / NOT,
 *   IS [NOT] NULL, $n. A string literal stays "unknown" until its context
 *   decides its type, as in PostgreSQL.
 *-------------------------------------------------------------------------
 */
#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "engine/common/interrupts.h"
#include "engine/common/stack_depth.h"
#include "engine/sql/adt/aggregates.h"
#include "engine/sql/adt/catalog_types.h"
#include "engine/sql/analyzer_impl.h"

namespace minipg::sql::analyzer_internal {

Result<ExprPtr> Analyzer::BindValue(const RawExpr& e, ParseState& ps) {
  auto bound = Bind(e, ps);
  if (bound.ok() && (*bound)->untyped) {
    if ((*bound)->kind == ExprKind::kParam) {
      ResolveParam(**bound, TypeId::kText);  // PostgreSQL resolves unknown as text
    }
    (*bound)->untyped = false;
    (*bound)->type = TypeId::kText;
  }
  return bound;
}

void Analyzer::ResolveParam(Expr& expr, TypeId type) {
  expr.type = type;
  expr.untyped = false;
  if (params_ != nullptr && expr.param >= 0 && static_cast<size_t>(expr.param) < params_->size()) {
    (*params_)[static_cast<size_t>(expr.param)] = type;
  }
}

Result<ExprPtr> Analyzer::BindParam(const RawExpr& e) {
  int64_t number = 0;
  for (char c : e.text) {
    number = number * 10 + (c - '0');
    if (number > 65535) {
      break;
    }
  }
  if (params_ == nullptr || number < 1 || number > 65535) {
    return ErrorAt(sqlstate::kUndefinedParameter, fmt::format("there is no parameter ${}", e.text), e.location);
  }
  auto index = static_cast<size_t>(number - 1);
  if (params_->size() <= index) {
    params_->resize(index + 1, TypeId::kUnknown);
  }
  ExprPtr b = MakeExpr(ExprKind::kParam, (*params_)[index], e.location);
  b->param = static_cast<int>(index);
  if (b->type == TypeId::kUnknown) {
    b->type = TypeId::kText;
    b->untyped = true;  // like a string literal: the context decides
  }
  return b;
}

Result<ExprPtr> Analyzer::BindCondition(const RawExpr& e, ParseState& ps, const char* what) {
  auto bound = Bind(e, ps);
  if (!bound.ok()) {
    return bound;
  }
  return RequireBool(std::move(*bound), what, e.location);
}

Result<ExprPtr> Analyzer::RequireBool(ExprPtr expr, const char* what, int location) {
  if (expr->type == TypeId::kBool && !expr->untyped) {
    return expr;
  }
  if (expr->type == TypeId::kUnknown || expr->untyped) {
    return Coerce(std::move(expr), TypeId::kBool, CastContext::kImplicit);
  }
  return ErrorAt(sqlstate::kDatatypeMismatch,
                 fmt::format("argument of {} must be type boolean, not type {}", what, TypeName(expr->type)),
                 location);
}

Result<ExprPtr> Analyzer::Bind(const RawExpr& e, ParseState& ps) {
  // Every recursion of binding comes back here.
  if (Status s = CheckStackDepth(); !s.ok()) {
    return s.error();
  }
  switch (e.kind) {
    case RawExprKind::kIntLiteral: {
      auto v = InputText(e.text, TypeId::kInt4);
      TypeId type = TypeId::kInt4;
      if (!v.ok()) {
        v = InputText(e.text, TypeId::kInt8);
        type = TypeId::kInt8;
      }
      if (!v.ok()) {
        return ErrorAt(sqlstate::kNumericValueOutOfRange,
                       fmt::format("value \"{}\" is out of range for type bigint", e.text), e.location);
      }
      return MakeConst(type, std::move(*v), e.location);
    }
    case RawExprKind::kNumericLiteral: {
      auto v = InputText(e.text, TypeId::kNumeric);
      if (!v.ok()) {
        return At(v.error(), e.location);
      }
      return MakeConst(TypeId::kNumeric, std::move(*v), e.location);
    }
    case RawExprKind::kStringLiteral: {
      ExprPtr b = MakeConst(TypeId::kText, e.text, e.location);
      b->untyped = true;
      return b;
    }
    case RawExprKind::kBoolLiteral:
      return MakeConst(TypeId::kBool, e.bool_value, e.location);
    case RawExprKind::kNullLiteral:
      return MakeConst(TypeId::kUnknown, std::monostate{}, e.location);
    case RawExprKind::kColumnRef:
      return BindColumn(e, ps);
    case RawExprKind::kUnary:
      return BindUnary(e, ps);
    case RawExprKind::kBinary:
      return BindBinary(e, ps);
    case RawExprKind::kIsNull: {
      auto arg = BindValue(*e.args[0], ps);
      if (!arg.ok()) {
        return arg;
      }
      if ((*arg)->kind == ExprKind::kRow) return RowNullTest(std::move(*arg), e.negated, e.location);
      ExprPtr b = MakeExpr(ExprKind::kNullTest, TypeId::kBool, e.location);
      b->negated = e.negated;
      b->args.push_back(std::move(*arg));
      return b;
    }
    case RawExprKind::kCast:
      return BindCast(e, ps);
    case RawExprKind::kFuncCall:
      return BindFunc(e, ps);
    case RawExprKind::kParam:
      return BindParam(e);
    case RawExprKind::kNamedOp:
    case RawExprKind::kCase:
    case RawExprKind::kBetween:
    case RawExprKind::kInList:
    case RawExprKind::kDistinct:
    case RawExprKind::kBoolTest:
      return BindConditional(e, ps);
    case RawExprKind::kSetToDefault:
      return ErrorAt(sqlstate::kSyntaxError, "DEFAULT is not allowed in this context", e.location);
    case RawExprKind::kSubLink:
      return BindSubLink(e, ps);
    case RawExprKind::kArrayExpr:
      return BindArrayExpr(e, ps, TypeId::kVoid);
    case RawExprKind::kSubscript:
      return BindSubscript(e, ps);
    case RawExprKind::kRow:
      return BindRow(e, ps);
  }
  return MakeError(sqlstate::kInternalError, "unknown expression kind");
}

Result<ExprPtr> Analyzer::BindUnary(const RawExpr& e, ParseState& ps) {
  auto arg = Bind(*e.args[0], ps);
  if (!arg.ok()) {
    return arg;
  }
  if (e.op == Op::kNot) {
    auto b = RequireBool(std::move(*arg), "NOT", e.args[0]->location);
    if (!b.ok()) {
      return b;
    }
    ExprPtr n = MakeExpr(ExprKind::kBool, TypeId::kBool, e.location);
    n->bool_op = BoolOpKind::kNot;
    n->args.push_back(std::move(*b));
    return n;
  }
  bool plus = e.op == Op::kAdd;  // prefix +, else prefix -
  if ((*arg)->type == TypeId::kUnknown && !(*arg)->untyped) {
    (*arg)->type = plus ? TypeId::kFloat8 : TypeId::kInt4;  // + NULL, - NULL as PostgreSQL types them
  }
  return MakeOperator(plus ? "+" : "-", nullptr, std::move(*arg), e.location);
}

Result<ExprPtr> Analyzer::BindBinary(const RawExpr& e, ParseState& ps) {
  if (e.op == Op::kAnd || e.op == Op::kOr) {
    const char* what = e.op == Op::kAnd ? "AND" : "OR";
    ExprPtr n = MakeExpr(ExprKind::kBool, TypeId::kBool, e.location);
    n->bool_op = e.op == Op::kAnd ? BoolOpKind::kAnd : BoolOpKind::kOr;
    for (const RawExprPtr& a : e.args) {
      auto b = BindCondition(*a, ps, what);
      if (!b.ok()) {
        return b;
      }
      // a AND b AND c is one AND of three, as PostgreSQL's grammar builds it
      // (a left operand of the same kind takes the next operand in).
      if (n->args.empty() && (*b)->kind == ExprKind::kBool && (*b)->bool_op == n->bool_op) {
        n->args = std::move((*b)->args);
        continue;
      }
      n->args.push_back(std::move(*b));
    }
    return n;
  }
  auto left = Bind(*e.args[0], ps);
  if (!left.ok()) {
    return left;
  }
  auto right = Bind(*e.args[1], ps);
  if (!right.ok()) {
    return right;
  }
  // A NULL literal is an undecided literal too.
  for (ExprPtr* side : {&*left, &*right}) {
    if ((*side)->kind == ExprKind::kConst && (*side)->type == TypeId::kUnknown) {
      (*side)->untyped = true;
      (*side)->value = std::monostate{};
    }
  }
  return MakeComparison(OpName(e.op), std::move(*left), std::move(*right), e.location);
}

Result<ExprPtr> Analyzer::BindCast(const RawExpr& e, ParseState& ps) {
  auto target = ResolveTypeName(e.type_name.name);
  if (!target) {
    return ErrorAt(sqlstate::kUndefinedObject, fmt::format("type \"{}\" does not exist", e.type_name.name),
                   e.type_name.location);
  }
  // ARRAY[...]::int[]: the elements take the cast's element type.
  auto arg = e.args[0]->kind == RawExprKind::kArrayExpr && IsArrayType(*target)
                 ? BindArrayExpr(*e.args[0], ps, *target)
                 : Bind(*e.args[0], ps);
  if (!arg.ok()) {
    return arg;
  }
  auto typmod = TypmodFromModifiers(*target, e.type_name.modifiers);
  if (!typmod.ok()) {
    return At(typmod.error(), e.type_name.location);
  }
  TypeId from = (*arg)->untyped ? TypeId::kUnknown : (*arg)->type;
  auto c = Coerce(std::move(*arg), *target, CastContext::kExplicit, *typmod);
  if (!c.ok()) {
    if (c.error().sqlstate == kCannotCoerce) {
      return ErrorAt(kCannotCoerce, fmt::format("cannot cast type {} to {}", TypeName(from), TypeName(*target)),
                     e.location);
    }
    return c;
  }
  if ((*c)->kind == ExprKind::kConst) {
    (*c)->location = e.location;
  }
  return c;
}

Result<ExprPtr> Analyzer::BindFunc(const RawExpr& e, ParseState& ps) {
  std::vector<ExprPtr> args;
  for (const RawExprPtr& a : e.args) {
    if (Status s = CheckForInterrupts(); !s.ok()) {  // f(1, 2, ...) may be long
      return s.error();
    }
    auto b = Bind(*a, ps);
    if (!b.ok()) {
      return b;
    }
    if ((*b)->kind == ExprKind::kConst && (*b)->type == TypeId::kUnknown) {
      (*b)->untyped = true;  // NULL: any type
    }
    args.push_back(std::move(*b));
  }
  const std::string& name = e.text;
  if (IsAggregateName(name)) {
    if (!e.over) {
      for (ExprPtr& a : args) {
        if (const Expr* w = FindWindowFunc(*a)) {
          return ErrorAt(sqlstate::kGroupingError, "aggregate function calls cannot contain window function calls",
                         w->location);
        }
      }
    }
    window_call_ = e.over != nullptr;  // sum(sum(x)) OVER (...) nests no aggregate call
    auto agg = MakeAggregate(name, std::move(args), e.star, e.distinct, e.location);
    window_call_ = false;
    if (!agg.ok()) return agg;
    if (e.over) return MakeWindowCall(e, ps, std::move(*agg));
    if (Status s = BindAggOrderAndFilter(e, ps, **agg); !s.ok()) return s.error();
    return agg;
  }
  if (e.over) {  // a window function (its FILTER is refused there)
    window_call_ = true;
    auto f = MakeFunction(name, std::move(args), e.location);
    window_call_ = false;
    if (!f.ok()) return f;
    return MakeWindowCall(e, ps, std::move(*f));
  }
  for (auto [given, what] : {std::pair{e.distinct, "DISTINCT"}, std::pair{!e.agg_order.empty(), "ORDER BY"},
                             std::pair{e.agg_filter != nullptr, "FILTER"}}) {
    if (given) {
      return ErrorAt(sqlstate::kWrongObjectType,
                     fmt::format("{} specified, but {} is not an aggregate function", what, name), e.location);
    }
  }
  if (e.negated) {
    // Keyword functions: current_user, user, session_user, current_catalog;
    // current_date, current_timestamp and localtimestamp read the
    // transaction's start as now() does.
    bool clock = name == "current_date" || name == "current_timestamp" || name == "localtimestamp";
    std::string function = name == "current_catalog" ? "current_database"
                           : name == "user"          ? "current_user"
                           : clock                   ? "now"
                                                     : name;
    auto f = MakeFunction(function, {}, e.location);
    if (!f.ok()) {
      return f;
    }
    (*f)->keyword_call = !clock;  // the clock keywords print through sql_keyword below
    if (name == "current_date" || name == "localtimestamp") {
      f = Coerce(std::move(*f), name == "current_date" ? TypeId::kDate : TypeId::kTimestamp, CastContext::kExplicit);
    }
    if (f.ok() && !args.empty()) {  // current_timestamp(p): rounded to p fractional digits
      auto typmod = TypmodFromModifiers((*f)->type, std::vector<int64_t>{std::get<int64_t>(args[0]->value)});
      if (!typmod.ok()) return At(typmod.error(), e.location);
      f = CoerceTypmod(std::move(*f), *typmod, CastContext::kExplicit);
    }
    if (f.ok() && clock) {  // printed as written, as PostgreSQL 15's SQLValueFunction
      std::string keyword = name;
      std::transform(keyword.begin(), keyword.end(), keyword.begin(), ::toupper);
      (*f)->sql_keyword = args.empty() ? keyword : fmt::format("{}({})", keyword, DeparseExpr(*args[0]));
    }
    return f;
  }
  if (name == "coalesce" || name == "nullif" || name == "greatest" || name == "least") {
    return BindConditionalFunc(name, std::move(args), e.location);
  }
  return MakeFunction(name, std::move(args), e.location);
}

}  // namespace minipg::sql::analyzer_internal
