/*-------------------------------------------------------------------------
 * exec_expr.cpp
 *   Expression evaluation (see exec_expr.h).
 *-------------------------------------------------------------------------
 */
#include "engine/sql/executor/exec_expr.h"
#include "engine/sql/executor/exec_nodes.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "engine/common/sqlstate.h"
#include "engine/common/stack_depth.h"
#include "engine/sql/adt/builtins.h"
#include "engine/sql/types.h"

namespace minipg::sql {

using storage::Datum;
using storage::Tuple;

namespace {

/* AND / OR with three-valued logic, stopping at the first deciding value. */
Result<Datum> EvaluateBool(const Expr& expr, const ExprContext& ctx) {
  if (expr.bool_op == BoolOpKind::kNot) {
    auto v = Evaluate(*expr.args[0], ctx);
    if (!v.ok() || storage::IsNull(*v)) return v;
    return Datum(!std::get<bool>(*v));
  }
  bool is_and = expr.bool_op == BoolOpKind::kAnd;
  bool saw_null = false;
  for (const ExprPtr& arg : expr.args) {
    auto v = Evaluate(*arg, ctx);
    if (!v.ok()) return v;
    if (storage::IsNull(*v)) {
      saw_null = true;
      continue;
    }
    bool b = std::get<bool>(*v);
    if (is_and != b) return Datum(b);
  }
  if (saw_null) return Datum(std::monostate{});
  return Datum(is_and);
}

/* A function or operator call: arguments evaluated, NULL out for a NULL
 * in if strict, then the entry's function. */
Result<Datum> EvaluateCall(const Expr& expr, const ExprContext& ctx, FunctionImpl impl, bool strict) {
  std::vector<Datum> args;
  args.reserve(expr.args.size());
  for (const ExprPtr& a : expr.args) {
    auto v = Evaluate(*a, ctx);
    if (!v.ok()) return v;
    if (strict && storage::IsNull(*v)) return Datum(std::monostate{});
    args.push_back(std::move(*v));
  }
  FunctionCall call{args, expr.arg_types, expr.type, *ctx.session};
  auto result = impl(call);
  if (!result.ok() && result.error().position == 0 && !expr.args.empty() && expr.args[0]->kind == ExprKind::kConst &&
      (result.error().sqlstate == sqlstate::kInvalidTextRepresentation ||
       result.error().sqlstate == sqlstate::kUndefinedTable)) {
    // A literal PostgreSQL would have refused while parsing (as pg_lsn or
    // regclass input): the error points at it, as PostgreSQL's does.
    Error e = result.error();
    e.position = expr.args[0]->location;
    return e;
  }
  return result;
}

/* The comparison operator of a Distinct, NullIf or ScalarArrayOp node over
 * two values (neither NULL). */
Result<bool> CallEquality(const Expr& expr, std::vector<Datum> args, const ExprContext& ctx) {
  std::vector<TypeId> types(expr.arg_types.begin(), expr.arg_types.begin() + 2);
  auto eq = expr.op->call(FunctionCall{args, types, TypeId::kBool, *ctx.session});
  if (!eq.ok()) return eq.error();
  const bool* b = std::get_if<bool>(&*eq);
  return b != nullptr && *b;
}

/* IS [NOT] DISTINCT FROM, and NULLIF (NULL when the two are equal). */
Result<Datum> EvaluateEquality(const Expr& expr, const ExprContext& ctx) {
  auto a = Evaluate(*expr.args[0], ctx);
  if (!a.ok()) return a;
  auto b = Evaluate(*expr.args[1], ctx);
  if (!b.ok()) return b;
  bool a_null = storage::IsNull(*a);
  bool b_null = storage::IsNull(*b);
  bool equal = a_null && b_null;
  if (!a_null && !b_null) {
    auto eq = CallEquality(expr, {*a, std::move(*b)}, ctx);
    if (!eq.ok()) return eq.error();
    equal = *eq;
  }
  if (expr.kind == ExprKind::kDistinct) {
    return Datum(equal == expr.negated);
  }
  if (equal && !a_null) return Datum(std::monostate{});
  return expr.args.size() > 2 ? Evaluate(*expr.args[2], ctx) : a;
}

/* x IN (items) as x = ANY: true at the first match; NOT IN (negated) as
 * x <> ALL: false at the first mismatch; NULL if undecided and a NULL was met. */
Result<Datum> EvaluateScalarArrayOp(const Expr& expr, const ExprContext& ctx) {
  auto x = Evaluate(*expr.args[0], ctx);
  if (!x.ok() || storage::IsNull(*x)) return x;
  bool use_or = !expr.negated;
  bool saw_null = false;
  for (size_t i = 1; i < expr.args.size(); ++i) {
    auto v = Evaluate(*expr.args[i], ctx);
    if (!v.ok()) return v;
    if (storage::IsNull(*v)) {
      saw_null = true;
      continue;
    }
    auto holds = CallEquality(expr, {*x, std::move(*v)}, ctx);
    if (!holds.ok()) return holds.error();
    if (*holds == use_or) return Datum(use_or);
  }
  if (saw_null) return Datum(std::monostate{});
  return Datum(!use_or);
}

/* CASE: args are condition/result pairs and the ELSE result last. */
Result<Datum> EvaluateCase(const Expr& expr, const ExprContext& ctx) {
  for (size_t i = 0; i + 1 < expr.args.size(); i += 2) {
    auto cond = Evaluate(*expr.args[i], ctx);
    if (!cond.ok()) return cond;
    const bool* b = std::get_if<bool>(&*cond);
    if (b != nullptr && *b) return Evaluate(*expr.args[i + 1], ctx);
  }
  return Evaluate(*expr.args.back(), ctx);
}

/* GREATEST (LEAST if negated): NULLs are ignored. */
Result<Datum> EvaluateMinMax(const Expr& expr, const ExprContext& ctx) {
  Datum best = std::monostate{};
  for (const ExprPtr& a : expr.args) {
    auto v = Evaluate(*a, ctx);
    if (!v.ok()) return v;
    if (storage::IsNull(*v)) continue;
    if (storage::IsNull(best)) {
      best = std::move(*v);
      continue;
    }
    int cmp = CompareValues(*v, expr.type, best, expr.type);
    if (expr.negated ? cmp < 0 : cmp > 0) best = std::move(*v);
  }
  return best;
}

/* ARRAY[...] over non-constant elements (constant ones were folded). */
Result<Datum> EvaluateArrayExpr(const Expr& expr, const ExprContext& ctx) {
  std::vector<Datum> items;
  items.reserve(expr.args.size());
  for (const ExprPtr& a : expr.args) {
    auto v = Evaluate(*a, ctx);
    if (!v.ok()) return v;
    items.push_back(std::move(*v));
  }
  return Datum(storage::MakeArray(storage::ArrayElementColumnType(ToColumnType(expr.type)), std::move(items)));
}

/* x[i] (NULL when i is NULL or outside x's bounds) or the slice x[i:j]
 * (the elements within both x's bounds and [i, j], renumbered from 1;
 * an empty array if none), as PostgreSQL's array_get_element / _slice. */
/* ROW(args): the record as record_out prints it: "(1,abc)", a NULL field
 * empty, a field quoted when it is empty or holds a quote, backslash,
 * parenthesis, comma or white space (quotes and backslashes doubled).
 * A whole-row reference whose columns are all NULL is NULL: the row an
 * outer join made up for no match (see docs/architecture.md,
 * Simplifications). */
}  // namespace

std::string RecordLiteral(const Tuple& values, const std::vector<TypeId>& types) {
  std::string out = "(";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    if (storage::IsNull(values[i])) continue;
    std::string text = OutputText(values[i], types[i]);
    bool quote = text.empty() || std::any_of(text.begin(), text.end(), [](char c) {
                   return c == '"' || c == '\\' || c == '(' || c == ')' || c == ',' ||
                          std::isspace(static_cast<unsigned char>(c));
                 });
    if (!quote) {
      out += text;
      continue;
    }
    out += '"';
    for (char c : text) {
      if (c == '"' || c == '\\') out += c;
      out += c;
    }
    out += '"';
  }
  out += ')';
  return out;
}

namespace {

Result<Datum> EvaluateRow(const Expr& expr, const ExprContext& ctx) {
  Tuple values;
  std::vector<TypeId> types;
  bool all_null = true;
  for (const ExprPtr& a : expr.args) {
    auto v = Evaluate(*a, ctx);
    if (!v.ok()) return v;
    all_null = all_null && storage::IsNull(*v);
    values.push_back(std::move(*v));
    types.push_back(a->type);
  }
  if (all_null && !expr.relname.empty() && !expr.args.empty()) return Datum(std::monostate{});
  return Datum(RecordLiteral(values, types));
}

Result<Datum> EvaluateSubscript(const Expr& expr, const ExprContext& ctx) {
  std::vector<Datum> v;
  for (const ExprPtr& a : expr.args) {
    auto d = Evaluate(*a, ctx);
    if (!d.ok()) return d;
    v.push_back(std::move(*d));
  }
  const bool lower_omitted = (expr.param & 1) != 0;
  const bool upper_omitted = (expr.param & 2) != 0;
  if (storage::IsNull(v[0]) || (storage::IsNull(v[1]) && !lower_omitted) ||
      (expr.negated && storage::IsNull(v[2]) && !upper_omitted)) {
    return Datum(std::monostate{});
  }
  const storage::ArrayData& array = *std::get<storage::ArrayValue>(v[0]).data;
  const int64_t first = array.lower_bound;
  const int64_t last = first + static_cast<int64_t>(array.elements.size()) - 1;
  if (!expr.negated) {
    int64_t i = std::get<int64_t>(v[1]);
    if (i < first || i > last) return Datum(std::monostate{});
    return array.elements[static_cast<size_t>(i - first)];
  }
  int64_t from = lower_omitted ? first : std::max(first, std::get<int64_t>(v[1]));
  int64_t to = upper_omitted ? last : std::min(last, std::get<int64_t>(v[2]));
  std::vector<Datum> items;
  for (int64_t i = from; i <= to; ++i) items.push_back(array.elements[static_cast<size_t>(i - first)]);
  return Datum(storage::MakeArray(array.element, std::move(items)));
}

}  // namespace

Result<Datum> Evaluate(const Expr& expr, const ExprContext& ctx) {
  // Every recursion of evaluation comes back here.
  if (Status s = CheckStackDepth(); !s.ok()) {
    return s.error();
  }
  switch (expr.kind) {
    case ExprKind::kConst:
      return expr.value;
    case ExprKind::kVar: {
      const Tuple* row = expr.source == VarSource::kScan    ? ctx.scan
                         : expr.source == VarSource::kOuter ? ctx.outer
                         : expr.source == VarSource::kInner ? ctx.inner
                                                            : nullptr;
      if (row == nullptr || static_cast<size_t>(expr.attno) >= row->size()) {
        return MakeError(sqlstate::kInternalError, fmt::format("no row for column {}", expr.colname));
      }
      return (*row)[static_cast<size_t>(expr.attno)];
    }
    case ExprKind::kParam:
      return MakeError(sqlstate::kInternalError, fmt::format("no value bound for parameter ${}", expr.param + 1));
    case ExprKind::kOp:
      return EvaluateCall(expr, ctx, expr.op->call, expr.op->strict);
    case ExprKind::kFunc:
      if (expr.func->call == nullptr) {
        return MakeError(sqlstate::kFeatureNotSupported,
                         fmt::format("set-returning function {}() is supported only in FROM by minipg", expr.func->name));
      }
      return EvaluateCall(expr, ctx, expr.func->call, expr.func->strict);
    case ExprKind::kBool:
      return EvaluateBool(expr, ctx);
    case ExprKind::kNullTest: {
      auto v = Evaluate(*expr.args[0], ctx);
      if (!v.ok()) return v;
      return Datum(storage::IsNull(*v) != expr.negated);
    }
    case ExprKind::kCast: {
      auto v = Evaluate(*expr.args[0], ctx);
      if (!v.ok() || storage::IsNull(*v)) return v;
      if (expr.typmod >= 0 && expr.args[0]->type == expr.type) {  // a length coercion (varchar(3))
        return ApplyTypmod(*v, expr.type, expr.typmod, expr.explicit_cast);
      }
      if (expr.cast != nullptr && expr.cast->call != nullptr) {
        std::vector<Datum> args{std::move(*v)};
        std::vector<TypeId> types{expr.args[0]->type};
        return expr.cast->call(FunctionCall{args, types, expr.type, *ctx.session});
      }
      TypeId from = expr.args[0]->untyped ? TypeId::kUnknown : expr.args[0]->type;
      return CastValue(*v, from, expr.type);
    }
    case ExprKind::kCoalesce:
      for (const ExprPtr& a : expr.args) {
        auto v = Evaluate(*a, ctx);
        if (!v.ok() || !storage::IsNull(*v)) return v;
      }
      return Datum(std::monostate{});
    case ExprKind::kCase:
      return EvaluateCase(expr, ctx);
    case ExprKind::kDistinct:
    case ExprKind::kNullIf:
      return EvaluateEquality(expr, ctx);
    case ExprKind::kMinMax:
      return EvaluateMinMax(expr, ctx);
    case ExprKind::kScalarArrayOp:
      return EvaluateScalarArrayOp(expr, ctx);
    case ExprKind::kSubLink:
      return ExecSubPlan(expr, ctx);
    case ExprKind::kExecParam:
      if (ctx.estate == nullptr || expr.param < 0 || static_cast<size_t>(expr.param) >= ctx.estate->params.size()) {
        return Datum(std::monostate{});
      }
      return ctx.estate->params[static_cast<size_t>(expr.param)];
    case ExprKind::kArrayExpr:
      return EvaluateArrayExpr(expr, ctx);
    case ExprKind::kSubscript:
      return EvaluateSubscript(expr, ctx);
    case ExprKind::kRow:
      return EvaluateRow(expr, ctx);
    default:
      return MakeError(sqlstate::kFeatureNotSupported, "this expression is not supported by minipg yet");
  }
}

Result<bool> EvaluateQual(const Expr* expr, const ExprContext& ctx) {
  if (expr == nullptr) return true;
  auto v = Evaluate(*expr, ctx);
  if (!v.ok()) return v.error();
  const bool* b = std::get_if<bool>(&*v);
  return b != nullptr && *b;
}

Result<Tuple> Project(const std::vector<ExprPtr>& targetlist, const ExprContext& ctx) {
  Tuple out;
  out.reserve(targetlist.size());
  for (const ExprPtr& e : targetlist) {
    auto v = Evaluate(*e, ctx);
    if (!v.ok()) return v.error();
    out.push_back(std::move(*v));
  }
  return out;
}

}  // namespace minipg::sql
