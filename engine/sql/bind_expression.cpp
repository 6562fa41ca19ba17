/*-------------------------------------------------------------------------
 * bind_expression.cpp
 *   Binding expressions: names to columns and functions, operators to
 *   typed operations, with PostgreSQL's coercion rules (see analyzer.h).
 *-------------------------------------------------------------------------
 */
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "engine/common/interrupts.h"
#include "engine/common/sqlstate.h"
#include "engine/common/stack_depth.h"
#include "engine/sql/analyzer_impl.h"
#include "engine/sql/storage_functions.h"

namespace minipg::sql::analyzer_internal {

Result<BoundExprPtr> Analyzer::BindValue(const Expr& e, const Scope& scope) {
  auto bound = Bind(e, scope);
  if (bound.ok() && (*bound)->untyped) {
    if ((*bound)->kind == BoundKind::kParam) {
      ResolveParam(**bound, TypeId::kText);  // PostgreSQL resolves unknown as text
    }
    (*bound)->untyped = false;
    (*bound)->type = TypeId::kText;
  }
  return bound;
}

void Analyzer::ResolveParam(BoundExpr& expr, TypeId type) {
  expr.type = type;
  expr.untyped = false;
  if (params_ != nullptr && expr.param >= 0 && static_cast<size_t>(expr.param) < params_->size()) {
    (*params_)[static_cast<size_t>(expr.param)] = type;
  }
}

Result<BoundExprPtr> Analyzer::BindParam(const Expr& e) {
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
  BoundExprPtr b = NewBound(BoundKind::kParam, (*params_)[index], e.location);
  b->param = static_cast<int>(index);
  if (b->type == TypeId::kUnknown) {
    b->type = TypeId::kText;
    b->untyped = true;  // like a string literal: the context decides
  }
  return b;
}

Result<BoundExprPtr> Analyzer::BindCondition(const Expr& e, const Scope& scope, const char* what) {
  auto bound = Bind(e, scope);
  if (!bound.ok()) {
    return bound;
  }
  return RequireBool(std::move(*bound), what, e.location);
}

Result<BoundExprPtr> Analyzer::RequireBool(BoundExprPtr expr, const char* what, int location) {
  if (expr->type == TypeId::kBool) {
    return expr;
  }
  if (expr->type == TypeId::kUnknown || expr->untyped) {
    return Coerce(std::move(expr), TypeId::kBool, CastContext::kImplicit);
  }
  return ErrorAt(sqlstate::kDatatypeMismatch,
                 fmt::format("argument of {} must be type boolean, not type {}", what, TypeName(expr->type)),
                 location);
}

Result<BoundExprPtr> Analyzer::Coerce(BoundExprPtr expr, TypeId to, CastContext context) {
  if (expr->type == to && !expr->untyped) {
    return expr;
  }
  if (expr->kind == BoundKind::kParam && expr->untyped) {
    ResolveParam(*expr, to);
    return expr;
  }
  if (expr->kind == BoundKind::kConst && (expr->untyped || storage::IsNull(expr->value))) {
    if (expr->untyped) {
      auto value = InputText(std::get<std::string>(expr->value), to);
      if (!value.ok()) {
        return At(value.error(), expr->location);
      }
      expr->value = std::move(*value);
      expr->untyped = false;
    }
    expr->type = to;
    return expr;
  }
  if (!CanCast(expr->type, to, context)) {
    return MakeError(kCannotCoerce,
                     fmt::format("cannot cast type {} to {}", TypeName(expr->type), TypeName(to)));
  }
  if (expr->kind == BoundKind::kConst) {
    // Fold the cast of a constant now, as PostgreSQL's planner does.
    auto value = CastValue(expr->value, expr->type, to);
    if (!value.ok()) {
      return At(value.error(), expr->location);
    }
    expr->value = std::move(*value);
    expr->type = to;
    return expr;
  }
  BoundExprPtr cast = NewBound(BoundKind::kCast, to, expr->location);
  cast->args.push_back(std::move(expr));
  return cast;
}

Result<BoundExprPtr> Analyzer::Bind(const Expr& e, const Scope& scope) {
  // Every recursion of binding comes back here.
  if (Status s = CheckStackDepth(); !s.ok()) {
    return s.error();
  }
  switch (e.kind) {
    case ExprKind::kIntLiteral: {
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
      BoundExprPtr b = NewBound(BoundKind::kConst, type, e.location);
      b->value = std::move(*v);
      return b;
    }
    case ExprKind::kNumericLiteral: {
      auto v = InputText(e.text, TypeId::kNumeric);
      if (!v.ok()) {
        return At(v.error(), e.location);
      }
      BoundExprPtr b = NewBound(BoundKind::kConst, TypeId::kNumeric, e.location);
      b->value = std::move(*v);
      return b;
    }
    case ExprKind::kStringLiteral: {
      BoundExprPtr b = NewBound(BoundKind::kConst, TypeId::kText, e.location);
      b->value = e.text;
      b->untyped = true;
      return b;
    }
    case ExprKind::kBoolLiteral: {
      BoundExprPtr b = NewBound(BoundKind::kConst, TypeId::kBool, e.location);
      b->value = e.bool_value;
      return b;
    }
    case ExprKind::kNullLiteral: {
      BoundExprPtr b = NewBound(BoundKind::kConst, TypeId::kUnknown, e.location);
      b->value = std::monostate{};
      return b;
    }
    case ExprKind::kColumnRef:
      return BindColumn(e, scope);
    case ExprKind::kUnary:
      return BindUnary(e, scope);
    case ExprKind::kBinary:
      return BindBinary(e, scope);
    case ExprKind::kIsNull: {
      auto arg = BindValue(*e.args[0], scope);
      if (!arg.ok()) {
        return arg;
      }
      BoundExprPtr b = NewBound(BoundKind::kIsNull, TypeId::kBool, e.location);
      b->negated = e.negated;
      b->args.push_back(std::move(*arg));
      return b;
    }
    case ExprKind::kCast:
      return BindCast(e, scope);
    case ExprKind::kFuncCall:
      return BindFunc(e, scope);
    case ExprKind::kParam:
      return BindParam(e);
  }
  return MakeError(sqlstate::kInternalError, "unknown expression kind");
}

Result<BoundExprPtr> Analyzer::BindColumn(const Expr& e, const Scope& scope) {
  if (!e.qualifier.empty() && (scope.table == nullptr || e.qualifier != scope.alias)) {
    return ErrorAt(sqlstate::kUndefinedTable,
                   fmt::format("missing FROM-clause entry for table \"{}\"", e.qualifier), e.location);
  }
  if (scope.table != nullptr) {
    const auto& cols = scope.table->columns;
    for (size_t i = 0; i < cols.size(); ++i) {
      if (cols[i].name == e.text) {
        BoundExprPtr b = NewBound(BoundKind::kColumn, FromColumnType(cols[i].type), e.location);
        b->column = static_cast<int>(i);
        return b;
      }
    }
  }
  std::string name = e.qualifier.empty() ? e.text : e.qualifier + "." + e.text;
  return ErrorAt(sqlstate::kUndefinedColumn,
                 e.qualifier.empty() ? fmt::format("column \"{}\" does not exist", name)
                                     : fmt::format("column {} does not exist", name),
                 e.location);
}

Result<BoundExprPtr> Analyzer::BindUnary(const Expr& e, const Scope& scope) {
  auto arg = Bind(*e.args[0], scope);
  if (!arg.ok()) {
    return arg;
  }
  if (e.op == Op::kNot) {
    auto b = RequireBool(std::move(*arg), "NOT", e.args[0]->location);
    if (!b.ok()) {
      return b;
    }
    BoundExprPtr n = NewBound(BoundKind::kUnary, TypeId::kBool, e.location);
    n->op = Op::kNot;
    n->args.push_back(std::move(*b));
    return n;
  }
  TypeId t = (*arg)->type;
  if ((*arg)->untyped) {
    return ErrorAt(kAmbiguousFunction, "operator is not unique: - unknown", e.location);
  }
  if (t == TypeId::kUnknown) {
    t = TypeId::kInt4;
    (*arg)->type = t;
  }
  if (!IsNumber(t)) {
    Error err = ErrorAt(sqlstate::kUndefinedFunction, fmt::format("operator does not exist: - {}", TypeName(t)),
                        e.location);
    err.hint = kOperatorHint;
    return err;
  }
  BoundExprPtr n = NewBound(BoundKind::kUnary, t, e.location);
  n->op = Op::kNeg;
  n->args.push_back(std::move(*arg));
  return n;
}

Error Analyzer::NoOperator(const Expr& e, TypeId left, TypeId right) {
  Error err = ErrorAt(sqlstate::kUndefinedFunction,
                      fmt::format("operator does not exist: {} {} {}", TypeName(left), OpName(e.op), TypeName(right)),
                      e.location);
  err.hint = kOperatorHint;
  return err;
}

Result<BoundExprPtr> Analyzer::BindBinary(const Expr& e, const Scope& scope) {
  if (e.op == Op::kAnd || e.op == Op::kOr) {
    const char* what = e.op == Op::kAnd ? "AND" : "OR";
    BoundExprPtr n = NewBound(BoundKind::kBinary, TypeId::kBool, e.location);
    n->op = e.op;
    for (const ExprPtr& a : e.args) {
      auto b = BindCondition(*a, scope, what);
      if (!b.ok()) {
        return b;
      }
      n->args.push_back(std::move(*b));
    }
    return n;
  }
  auto left = Bind(*e.args[0], scope);
  if (!left.ok()) {
    return left;
  }
  auto right = Bind(*e.args[1], scope);
  if (!right.ok()) {
    return right;
  }
  BoundExprPtr l = std::move(*left);
  BoundExprPtr r = std::move(*right);
  // Unknown (NULL or an undecided literal) takes the other side's type.
  bool l_unknown = l->untyped || l->type == TypeId::kUnknown;
  bool r_unknown = r->untyped || r->type == TypeId::kUnknown;
  TypeId common;
  if (e.op == Op::kConcat) {
    // text || anything (anything is output as text); unknown counts as text.
    if (!(l_unknown || r_unknown || l->type == TypeId::kText || r->type == TypeId::kText)) {
      return NoOperator(e, l->type, r->type);
    }
    // Unknowns become text; other types are output as text when evaluated
    // (so 'a' || true is "at", as PostgreSQL's anytextcat gives).
    for (BoundExprPtr* side : {&l, &r}) {
      if ((*side)->untyped || (*side)->type == TypeId::kUnknown) {
        auto c = Coerce(std::move(*side), TypeId::kText, CastContext::kImplicit);
        if (!c.ok()) {
          return c.error();
        }
        *side = std::move(*c);
      }
    }
    BoundExprPtr n = NewBound(BoundKind::kBinary, TypeId::kText, e.location);
    n->op = e.op;
    n->args.push_back(std::move(l));
    n->args.push_back(std::move(r));
    return n;
  }
  bool arithmetic = e.op == Op::kAdd || e.op == Op::kSub || e.op == Op::kMul || e.op == Op::kDiv ||
                    e.op == Op::kMod;
  if (l_unknown && r_unknown) {
    if (arithmetic) {
      return ErrorAt(kAmbiguousFunction,
                     fmt::format("operator is not unique: unknown {} unknown", OpName(e.op)), e.location);
    }
    common = TypeId::kText;  // 'a' = 'b' compares as text
  } else if (l_unknown) {
    common = r->type;
  } else if (r_unknown) {
    common = l->type;
  } else if (IsNumber(l->type) && IsNumber(r->type)) {
    common = NumberRank(l->type) >= NumberRank(r->type) ? l->type : r->type;
  } else if (!arithmetic && ((IsUnsigned32(l->type) && IsInteger(r->type)) ||
                             (IsInteger(l->type) && IsUnsigned32(r->type)))) {
    common = IsUnsigned32(l->type) ? l->type : r->type;  // attrelid = 16384 compares as oid
  } else if (!arithmetic && l->type != r->type && IsTextLike(l->type) && IsTextLike(r->type)) {
    common = TypeId::kText;  // relname = 'a'::text compares as text
  } else if (l->type == r->type && !arithmetic && l->type != TypeId::kVoid) {
    common = l->type;
  } else {
    return NoOperator(e, l->type, r->type);
  }
  if (arithmetic && !IsNumber(common)) {
    return NoOperator(e, l_unknown ? common : l->type, r_unknown ? common : r->type);
  }
  for (BoundExprPtr* side : {&l, &r}) {
    auto c = Coerce(std::move(*side), common, CastContext::kImplicit);
    if (!c.ok()) {
      return c.error();
    }
    *side = std::move(*c);
  }
  BoundExprPtr n = NewBound(BoundKind::kBinary, arithmetic ? common : TypeId::kBool, e.location);
  n->op = e.op;
  n->args.push_back(std::move(l));
  n->args.push_back(std::move(r));
  return n;
}

Result<BoundExprPtr> Analyzer::BindCast(const Expr& e, const Scope& scope) {
  auto target = ResolveTypeName(e.type_name.name);
  if (!target) {
    return ErrorAt(sqlstate::kUndefinedObject, fmt::format("type \"{}\" does not exist", e.type_name.name),
                   e.type_name.location);
  }
  auto arg = Bind(*e.args[0], scope);
  if (!arg.ok()) {
    return arg;
  }
  TypeId from = (*arg)->untyped ? TypeId::kUnknown : (*arg)->type;
  auto c = Coerce(std::move(*arg), *target, CastContext::kExplicit);
  if (!c.ok()) {
    if (c.error().sqlstate == kCannotCoerce) {
      return ErrorAt(kCannotCoerce, fmt::format("cannot cast type {} to {}", TypeName(from), TypeName(*target)),
                     e.location);
    }
    return c;
  }
  if ((*c)->kind == BoundKind::kConst) {
    (*c)->location = e.location;
  }
  return c;
}

Result<BoundExprPtr> Analyzer::BindFunc(const Expr& e, const Scope& scope) {
  std::vector<BoundExprPtr> args;
  std::vector<std::string> arg_types;
  for (const ExprPtr& a : e.args) {
    if (Status s = CheckForInterrupts(); !s.ok()) {  // f(1, 2, ...) may be long
      return s.error();
    }
    auto b = Bind(*a, scope);
    if (!b.ok()) {
      return b;
    }
    arg_types.push_back((*b)->untyped ? "unknown" : TypeName((*b)->type));
    args.push_back(std::move(*b));
  }
  const std::string& name = e.text;
  auto make = [&](FuncId id, TypeId type) {
    BoundExprPtr f = NewBound(BoundKind::kFunc, type, e.location);
    f->func = id;
    f->args = std::move(args);
    return f;
  };
  if (!e.star) {
    if (e.negated) {  // keyword functions: current_user, user, session_user, current_catalog
      return make(name == "current_catalog" ? FuncId::kCurrentDatabase : FuncId::kCurrentUser, TypeId::kText);
    }
    if (args.empty()) {
      if (name == "pg_backend_pid") {
        return make(FuncId::kPgBackendPid, TypeId::kInt4);
      }
      if (name == "version") {
        return make(FuncId::kVersion, TypeId::kText);
      }
      if (name == "current_database") {
        return make(FuncId::kCurrentDatabase, TypeId::kText);
      }
      if (name == "minipg_crash") {
        return make(FuncId::kMinipgCrash, TypeId::kVoid);
      }
      if (name == "now") {
        return make(FuncId::kNow, TypeId::kTimestampTz);
      }
    }
    if (const BuiltinFunction* f = FindBuiltinFunction(name, args.size())) {
      for (BoundExprPtr& a : args) {
        if (a->untyped) {  // a string literal is text; other arguments go as they are
          auto c = Coerce(std::move(a), TypeId::kText, CastContext::kImplicit);
          if (!c.ok()) {
            return c;
          }
          a = std::move(*c);
        }
      }
      BoundExprPtr b = make(FuncId::kBuiltin, f->result);
      b->builtin = f;
      return b;
    }
    // Functions of fixed arguments, each coerced implicitly to its type.
    struct FixedArgs {
      std::string_view name;
      std::vector<TypeId> args;
      FuncId id;
      TypeId result;
    };
    static const FixedArgs kFixedArgs[] = {
        {"pg_cancel_backend", {TypeId::kInt4}, FuncId::kPgCancelBackend, TypeId::kBool},
        {"pg_terminate_backend", {TypeId::kInt4}, FuncId::kPgTerminateBackend, TypeId::kBool},
        {"current_setting", {TypeId::kText}, FuncId::kCurrentSetting, TypeId::kText},
        {"current_setting", {TypeId::kText, TypeId::kBool}, FuncId::kCurrentSetting, TypeId::kText},
        {"set_config", {TypeId::kText, TypeId::kText, TypeId::kBool}, FuncId::kSetConfig, TypeId::kText},
        {"pg_sleep", {TypeId::kNumeric}, FuncId::kPgSleep, TypeId::kVoid},
        {"pg_get_userbyid", {TypeId::kOid}, FuncId::kPgGetUserById, TypeId::kText},  // pg_database.datdba
        {"pg_get_userbyid", {TypeId::kInt8}, FuncId::kPgGetUserById, TypeId::kText},
        {"pg_encoding_to_char", {TypeId::kInt4}, FuncId::kPgEncodingToChar, TypeId::kText},
    };
    for (const FixedArgs& f : kFixedArgs) {
      if (name != f.name || args.size() != f.args.size()) {
        continue;
      }
      bool coerced = true;
      for (size_t i = 0; i < args.size() && coerced; ++i) {
        auto c = Coerce(std::move(args[i]), f.args[i], CastContext::kImplicit);
        if (!c.ok() && c.error().sqlstate != kCannotCoerce) {
          return c;
        }
        coerced = c.ok();
        if (coerced) {
          args[i] = std::move(*c);
        }
      }
      if (coerced) {
        return make(f.id, f.result);
      }
      break;  // an argument was moved away: no other entry can take them
    }
  }
  std::string signature = e.star ? "*" : fmt::format("{}", fmt::join(arg_types, ", "));
  if (e.star || name == "count" || name == "sum" || name == "min" || name == "max" || name == "avg") {
    return ErrorAt(sqlstate::kFeatureNotSupported,
                   fmt::format("aggregate function {}({}) is not supported by minipg", name, signature),
                   e.location);
  }
  Error err = ErrorAt(sqlstate::kUndefinedFunction, fmt::format("function {}({}) does not exist", name, signature),
                      e.location);
  err.hint = kFunctionHint;
  return err;
}

}  // namespace minipg::sql::analyzer_internal
