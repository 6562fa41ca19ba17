/*-------------------------------------------------------------------------
 * parse_func.cpp
 *   Functions and operators resolved through the builtins registry
 *   (adt/builtins.h) as PostgreSQL resolves them, and coercions:
 *
 *     1. an entry whose argument types are exactly the inputs' wins (for a
 *        binary operator with one undecided literal, the literal is first
 *        taken to be of the other side's type);
 *     2. else the entries every input converts to by implicit casts (an
 *        undecided literal converts to anything) are candidates; of them,
 *        keep those with the most exact matches, then those taking the
 *        most preferred types where a conversion is needed, then, for each
 *        undecided literal, those of its likeliest category (string if any
 *        candidate takes one there), preferring preferred types;
 *     3. one left: it; none: 42883 does not exist; several: 42725 not unique.
 *-------------------------------------------------------------------------
 */
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "engine/sql/adt/aggregates.h"
#include "engine/sql/adt/catalog_types.h"
#include "engine/sql/analyzer_impl.h"

namespace minipg::sql::analyzer_internal {

bool CanCoerceImplicit(TypeId from, TypeId to) {
  if (from == to || from == TypeId::kUnknown) {
    return true;
  }
  if (IsPolymorphicType(to)) return true;  // the candidates left after ResolvePolymorphic fit
  if (const CastInfo* cast = FindCast(from, to)) {
    return cast->kind == CastKind::kImplicit;
  }
  return CanCast(from, to, CastContext::kImplicit);  // types.h, until every cast is a registry entry
}

namespace {

/* Keeps the candidates `score` rates highest, if any rates above others. */
template <typename Score>
void KeepBest(std::vector<size_t>& live, Score score) {
  int best = -1;
  std::vector<size_t> kept;
  for (size_t c : live) {
    int s = score(c);
    if (s > best) {
      best = s;
      kept.clear();
    }
    if (s == best) kept.push_back(c);
  }
  live = std::move(kept);
}

}  // namespace

int ChooseCandidate(const std::vector<std::vector<TypeId>>& candidates, const std::vector<TypeId>& inputs) {
  const size_t n = inputs.size();
  for (size_t c = 0; c < candidates.size(); ++c) {
    if (candidates[c] == inputs) return static_cast<int>(c);
  }
  std::vector<size_t> live;
  for (size_t c = 0; c < candidates.size(); ++c) {
    bool ok = true;
    for (size_t i = 0; i < n && ok; ++i) ok = CanCoerceImplicit(inputs[i], candidates[c][i]);
    if (ok) live.push_back(c);
  }
  if (live.size() <= 1) return live.empty() ? -1 : static_cast<int>(live[0]);
  KeepBest(live, [&](size_t c) {
    int exact = 0;
    for (size_t i = 0; i < n; ++i) exact += inputs[i] != TypeId::kUnknown && candidates[c][i] == inputs[i];
    return exact;
  });
  if (live.size() == 1) return static_cast<int>(live[0]);
  KeepBest(live, [&](size_t c) {
    int preferred = 0;
    for (size_t i = 0; i < n; ++i) {
      TypeId want = candidates[c][i];
      preferred += inputs[i] != TypeId::kUnknown && want != inputs[i] && IsPreferredType(want) &&
                   TypeCategory(want) == TypeCategory(inputs[i]);
    }
    return preferred;
  });
  if (live.size() == 1) return static_cast<int>(live[0]);
  // Undecided literals: the category the candidates most likely mean.
  bool any_unknown = false;
  for (size_t i = 0; i < n; ++i) {
    if (inputs[i] != TypeId::kUnknown) continue;
    any_unknown = true;
    char category = 0;
    bool preferred = false;
    bool conflict = false;
    for (size_t c : live) {
      TypeId t = candidates[c][i];
      char cat = TypeCategory(t);
      if (category == 0 || (cat == 'S' && category != 'S')) {
        category = cat;
        preferred = IsPreferredType(t);
        conflict = false;
      } else if (cat == category) {
        preferred = preferred || IsPreferredType(t);
      } else if (category != 'S') {
        conflict = true;
      }
    }
    if (conflict) return -2;
    std::vector<size_t> kept;
    for (size_t c : live) {
      TypeId t = candidates[c][i];
      if (TypeCategory(t) == category && (!preferred || IsPreferredType(t))) kept.push_back(c);
    }
    if (!kept.empty()) live = std::move(kept);
  }
  if (live.size() == 1) return static_cast<int>(live[0]);
  if (any_unknown) {
    // All known inputs of one type: take the literals to be of it too.
    TypeId known = TypeId::kUnknown;
    bool same = true;
    for (TypeId t : inputs) {
      if (t == TypeId::kUnknown) continue;
      if (known != TypeId::kUnknown && t != known) same = false;
      known = t;
    }
    if (same && known != TypeId::kUnknown) {
      std::vector<size_t> kept;
      for (size_t c : live) {
        bool ok = true;
        for (size_t i = 0; i < n && ok; ++i) {
          ok = inputs[i] != TypeId::kUnknown || CanCoerceImplicit(known, candidates[c][i]);
        }
        if (ok) kept.push_back(c);
      }
      if (kept.size() == 1) return static_cast<int>(kept[0]);
    }
  }
  return -2;
}

Result<ExprPtr> Analyzer::Coerce(ExprPtr expr, TypeId to, CastContext context, int32_t typmod) {
  auto converted = Coerce(std::move(expr), to, context);
  if (!converted.ok()) {
    return converted;
  }
  return CoerceTypmod(std::move(*converted), typmod, context);
}

Result<ExprPtr> Analyzer::CoerceTypmod(ExprPtr e, int32_t typmod, CastContext context) {
  if (typmod < 0 || e->typmod == typmod) {
    return e;
  }
  TypeId to = e->type;
  bool explicit_cast = context == CastContext::kExplicit;
  if (e->kind == ExprKind::kConst) {  // folded now, as PostgreSQL's planner does
    if (!storage::IsNull(e->value)) {
      auto value = ApplyTypmod(e->value, to, typmod, explicit_cast);
      if (!value.ok()) {
        return value.error();  // no position: PostgreSQL finds it while executing
      }
      e->value = std::move(*value);
    }
    e->typmod = typmod;
    return e;
  }
  ExprPtr out = MakeExpr(ExprKind::kCast, to, e->location);
  out->typmod = typmod;
  out->explicit_cast = explicit_cast;
  out->args.push_back(std::move(e));
  return out;
}

Result<ExprPtr> Analyzer::Coerce(ExprPtr expr, TypeId to, CastContext context) {
  if (expr->type == to && !expr->untyped) {
    return expr;
  }
  if (expr->kind == ExprKind::kParam && expr->untyped) {
    ResolveParam(*expr, to);
    return expr;
  }
  if (expr->kind == ExprKind::kConst && (expr->untyped || storage::IsNull(expr->value))) {
    if (expr->untyped && !storage::IsNull(expr->value)) {
      auto value = InputText(std::get<std::string>(expr->value), to);
      if (!value.ok()) {
        return At(value.error(), expr->location);
      }
      expr->value = std::move(*value);
    }
    expr->untyped = false;
    expr->type = to;
    return expr;
  }
  const CastInfo* cast = FindCast(expr->type, to);
  bool allowed = cast != nullptr ? (context == CastContext::kExplicit ||
                                    (context == CastContext::kAssignment && cast->kind != CastKind::kExplicit) ||
                                    cast->kind == CastKind::kImplicit)
                                 : CanCast(expr->type, to, context);
  if (!allowed) {
    return MakeError(kCannotCoerce, fmt::format("cannot cast type {} to {}", TypeName(expr->type), TypeName(to)));
  }
  if (expr->kind == ExprKind::kConst) {
    // Fold the cast of a constant now, as PostgreSQL's planner does (every
    // registered cast's call is CastValue).
    auto value = CastValue(expr->value, expr->type, to);
    if (!value.ok()) {
      return At(value.error(), expr->location);
    }
    expr->cast_text = "(" + DeparseExpr(*expr) + ")::" + TypeName(to);  // as a stored CHECK shows it
    expr->value = std::move(*value);
    expr->type = to;
    return expr;
  }
  ExprPtr out = MakeExpr(ExprKind::kCast, to, expr->location);
  out->cast = cast;
  out->args.push_back(std::move(expr));
  return out;
}

namespace {

TypeId InputType(const Expr& e) { return e.untyped ? TypeId::kUnknown : e.type; }

/* 42883 "function f(integer) does not exist" (chosen -1) or 42725 "... is
 * not unique" (chosen -2), with PostgreSQL's hints. */
Error NoSuchFunction(const std::string& name, const std::string& shown, int chosen, int location) {
  Error err = ErrorAt(chosen == -1 ? sqlstate::kUndefinedFunction : kAmbiguousFunction,
                      fmt::format("function {}({}) {}", name, shown, chosen == -1 ? "does not exist" : "is not unique"),
                      location);
  err.hint = chosen == -1 ? kFunctionHint
                          : "Could not choose a best candidate function. You might need to add explicit type casts.";
  return err;
}

/* Drops the candidates whose polymorphic types the inputs do not fit
 * (ResolvePolymorphic); `entries` (the registry entries), `sigs` (their
 * declared argument types, which candidate selection compares, as
 * PostgreSQL's does), `resolved` (the actual argument types, which the
 * arguments are coerced to) and `results` (the actual result types) stay
 * parallel. Sets *undecided if one was dropped only for undecided literals. */
template <typename Entry>
void ResolveCandidates(std::vector<Entry>& entries, std::vector<std::vector<TypeId>>& sigs,
                       std::vector<std::vector<TypeId>>& resolved, std::vector<TypeId>& results,
                       const std::vector<TypeId>& inputs, bool* undecided) {
  size_t kept = 0;
  resolved.clear();
  for (size_t c = 0; c < sigs.size(); ++c) {
    PolymorphicResult r = ResolvePolymorphic(sigs[c], inputs, results[c]);
    if (!r.ok) {
      *undecided = *undecided || r.undecided;
      continue;
    }
    entries[kept] = entries[c];
    if (kept != c) sigs[kept] = std::move(sigs[c]);
    resolved.push_back(std::move(r.args));
    results[kept] = r.result;
    ++kept;
  }
  entries.resize(kept);
  sigs.resize(kept);
  results.resize(kept);
}

/* 42804 for a polymorphic function whose every polymorphic input is an
 * undecided literal (PostgreSQL's enforce_generic_type_consistency). */
Error UndecidedPolymorphic(int location) {
  return ErrorAt(sqlstate::kDatatypeMismatch, "could not determine polymorphic type because input has type unknown",
                 location);
}

}  // namespace

Result<ExprPtr> Analyzer::MakeOperator(const std::string& name, ExprPtr left, ExprPtr right, int location) {
  std::vector<const OperatorInfo*> ops;
  std::vector<std::vector<TypeId>> sigs;
  for (const OperatorInfo* op : FindOperators(name)) {
    if ((op->left == TypeId::kVoid) != (left == nullptr)) continue;
    ops.push_back(op);
    sigs.push_back(left ? std::vector<TypeId>{op->left, op->right} : std::vector<TypeId>{op->right});
  }
  std::vector<TypeId> inputs;
  if (left) inputs.push_back(InputType(*left));
  inputs.push_back(InputType(*right));
  std::vector<TypeId> results;
  for (const OperatorInfo* op : ops) results.push_back(op->result);
  bool undecided = false;
  std::vector<std::vector<TypeId>> resolved;
  ResolveCandidates(ops, sigs, resolved, results, inputs, &undecided);
  int chosen = -1;
  if (inputs.size() == 2 && (inputs[0] == TypeId::kUnknown) != (inputs[1] == TypeId::kUnknown)) {
    // One undecided literal: first try it as the other side's type.
    TypeId known = inputs[0] == TypeId::kUnknown ? inputs[1] : inputs[0];
    for (size_t c = 0; c < sigs.size() && chosen < 0; ++c) {
      if (sigs[c][0] == known && sigs[c][1] == known) chosen = static_cast<int>(c);
    }
  }
  if (chosen < 0) chosen = ChooseCandidate(sigs, inputs);
  if (chosen == -1 && undecided) return UndecidedPolymorphic(location);
  if (chosen < 0) {
    std::string shown = left ? fmt::format("{} {} {}", TypeName(inputs[0]), name, TypeName(inputs[1]))
                             : fmt::format("{} {}", name, TypeName(inputs[0]));
    Error err = ErrorAt(chosen == -1 ? sqlstate::kUndefinedFunction : kAmbiguousFunction,
                        fmt::format("operator {}: {}", chosen == -1 ? "does not exist" : "is not unique", shown),
                        location);
    // A prefix operator has one argument type, and PostgreSQL's hint says so.
    const char* no_match = left ? kOperatorHint
                                : "No operator matches the given name and argument type. You might need to add an "
                                  "explicit type cast.";
    err.hint = chosen == -1 ? no_match
                            : "Could not choose a best candidate operator. You might need to add explicit type casts.";
    return err;
  }
  const OperatorInfo* op = ops[static_cast<size_t>(chosen)];
  ExprPtr e = MakeExpr(ExprKind::kOp, results[static_cast<size_t>(chosen)], location);
  e->op = op;
  size_t i = 0;
  for (ExprPtr* side : {&left, &right}) {
    if (*side == nullptr) continue;
    auto c = Coerce(std::move(*side), resolved[static_cast<size_t>(chosen)][i++], CastContext::kImplicit);
    if (!c.ok()) return c;
    e->arg_types.push_back((*c)->type);
    e->args.push_back(std::move(*c));
  }
  return e;
}

Status Analyzer::AddCoercedArg(Expr& call, ExprPtr arg, TypeId declared) {
  if (declared == TypeId::kUnknown) {  // an unknown literal passed to "any": pg_typeof('a') is unknown
    call.arg_types.push_back(TypeId::kUnknown);
    call.args.push_back(std::move(arg));
    return OkStatus();
  }
  auto c = Coerce(std::move(arg), declared, CastContext::kImplicit);
  if (!c.ok()) return c.error();
  call.arg_types.push_back((*c)->type);
  call.args.push_back(std::move(*c));
  return OkStatus();
}

Result<ExprPtr> Analyzer::MakeFunction(const std::string& name, std::vector<ExprPtr> args, int location) {
  std::vector<const FunctionInfo*> funcs;
  std::vector<std::vector<TypeId>> sigs;
  for (const FunctionInfo* f : FindFunctions(name)) {
    size_t min_args = f->min_args == SIZE_MAX ? f->args.size() : f->min_args;
    if (args.size() < min_args || (args.size() > f->args.size() && !f->variadic)) continue;
    funcs.push_back(f);
    std::vector<TypeId> sig(f->args.begin(), f->args.begin() + static_cast<std::ptrdiff_t>(std::min(args.size(), f->args.size())));
    sig.resize(args.size(), f->args.empty() ? TypeId::kAny : f->args.back());  // variadic: the last one repeats
    sigs.push_back(std::move(sig));
  }
  std::vector<TypeId> inputs;
  std::vector<std::string> shown;
  for (const ExprPtr& a : args) {
    inputs.push_back(InputType(*a));
    shown.push_back(TypeName(inputs.back()));
  }
  for (std::vector<TypeId>& sig : sigs) {  // "any" takes the argument as it is (pg_typeof)
    for (size_t i = 0; i < sig.size(); ++i) {
      if (sig[i] == TypeId::kAny) sig[i] = inputs[i];
    }
  }
  std::vector<TypeId> results;
  for (const FunctionInfo* f : funcs) results.push_back(f->result);
  bool undecided = false;
  std::vector<std::vector<TypeId>> resolved;
  ResolveCandidates(funcs, sigs, resolved, results, inputs, &undecided);
  int chosen = ChooseCandidate(sigs, inputs);
  if (chosen == -1 && undecided) return UndecidedPolymorphic(location);
  if (chosen < 0) return NoSuchFunction(name, fmt::format("{}", fmt::join(shown, ", ")), chosen, location);
  const FunctionInfo* f = funcs[static_cast<size_t>(chosen)];
  if (f->kind == 'w' && !window_call_) {
    return ErrorAt(sqlstate::kWrongObjectType, fmt::format("window function {} requires an OVER clause", name),
                   location);
  }
  ExprPtr e = MakeExpr(ExprKind::kFunc, results[static_cast<size_t>(chosen)], location);
  e->func = f;
  for (size_t i = 0; i < args.size(); ++i) {
    if (Status st = AddCoercedArg(*e, std::move(args[i]), resolved[static_cast<size_t>(chosen)][i]); !st.ok()) {
      return st.error();
    }
  }
  return e;
}

Result<ExprPtr> Analyzer::MakeAggregate(const std::string& name, std::vector<ExprPtr> args, bool star,
                                        bool distinct, int location) {
  std::vector<const AggregateInfo*> aggs;
  std::vector<std::vector<TypeId>> sigs;
  for (const AggregateInfo& a : Aggregates()) {
    if (name != a.name || (a.kind == AggKind::kCountStar) != star) continue;
    aggs.push_back(&a);
    sigs.push_back(star ? std::vector<TypeId>{} : std::vector<TypeId>{a.arg});
    if (a.arg2 != TypeId::kVoid) sigs.back().push_back(a.arg2);
  }
  std::vector<TypeId> inputs;
  std::vector<std::string> shown;
  for (const ExprPtr& a : args) {
    inputs.push_back(InputType(*a));
    shown.push_back(TypeName(inputs.back()));
  }
  std::vector<TypeId> results;
  for (const AggregateInfo* a : aggs) results.push_back(a->result);
  bool undecided = false;
  std::vector<std::vector<TypeId>> resolved;
  if (!star) ResolveCandidates(aggs, sigs, resolved, results, inputs, &undecided);
  if (star) resolved = sigs;
  int chosen = -1;
  if (aggs.size() == 1 && aggs[0]->kind == AggKind::kCount && args.size() == 1) {
    chosen = 0;  // count("any")
    sigs[0][0] = inputs[0] == TypeId::kUnknown ? TypeId::kText : inputs[0];
    resolved[0][0] = sigs[0][0];
  } else if (star && !aggs.empty()) {
    chosen = 0;
  } else if (!star) {
    chosen = ChooseCandidate(sigs, inputs);
  }
  if (chosen == -1 && undecided) return UndecidedPolymorphic(location);
  if (chosen < 0) {
    return NoSuchFunction(name, star ? "*" : fmt::format("{}", fmt::join(shown, ", ")), chosen, location);
  }
  const AggregateInfo* agg = aggs[static_cast<size_t>(chosen)];
  TypeId result = results[static_cast<size_t>(chosen)];
  ExprPtr e = MakeExpr(ExprKind::kAggref, result == TypeId::kVoid ? TypeId::kInt8 : result, location);
  if (agg->kind == AggKind::kMin || agg->kind == AggKind::kMax) e->type = agg->arg;
  e->agg = agg;
  e->agg_distinct = distinct;
  for (size_t i = 0; i < args.size(); ++i) {
    const Expr* inner = window_call_ ? nullptr : FindAggref(*args[i]);
    if (inner != nullptr) {
      return ErrorAt(sqlstate::kGroupingError, "aggregate function calls cannot be nested", inner->location);
    }
    if (Status st = AddCoercedArg(*e, std::move(args[i]), resolved[static_cast<size_t>(chosen)][i]); !st.ok()) {
      return st.error();
    }
  }
  return e;
}

Status Analyzer::BindAggOrderAndFilter(const RawExpr& e, ParseState& ps, Expr& agg) {
  for (const OrderItem& item : e.agg_order) {
    auto key = Bind(*item.expr, ps);
    if (!key.ok()) return key.error();
    if (const Expr* inner = FindAggref(**key)) {
      return ErrorAt(sqlstate::kGroupingError, "aggregate function calls cannot be nested", inner->location);
    }
    if (agg.agg_distinct) {  // sorting DISTINCT values by anything else is ill-defined
      std::string text = DeparseExpr(**key, true);
      bool found = false;
      for (size_t i = 0; i < AggArgCount(agg); ++i) found = found || DeparseExpr(*agg.args[i], true) == text;
      if (!found) {
        return ErrorAt(sqlstate::kInvalidColumnReference,
                       "in an aggregate with DISTINCT, ORDER BY expressions must appear in argument list",
                       item.expr->location);
      }
    }
    if ((*key)->type == TypeId::kUnknown || (*key)->untyped) {
      auto text = Coerce(std::move(*key), TypeId::kText, CastContext::kImplicit);
      if (!text.ok()) return text.error();
      key = std::move(text);
    }
    agg.args.push_back(std::move(*key));
    agg.agg_order.push_back(Expr::AggOrder{item.descending, item.nulls_first.value_or(item.descending)});
  }
  if (e.agg_filter) {
    auto cond = BindCondition(*e.agg_filter, ps, "FILTER");
    if (!cond.ok()) return cond.error();
    if (Status s = NoAggregates(**cond, "FILTER"); !s.ok()) return s;
    if (Status s = NoWindowFuncs(**cond, "FILTER"); !s.ok()) return s;
    agg.args.push_back(std::move(*cond));
    agg.agg_filter = true;
  }
  return OkStatus();
}

Result<TypeId> Analyzer::CommonType(const std::vector<const Expr*>& exprs, const char* context) {
  std::vector<TypeId> types;
  for (const Expr* e : exprs) types.push_back(InputType(*e));
  TypeId chosen = TypeId::kUnknown;
  if (int bad = SelectCommonType(types, &chosen); bad >= 0) {
    // The first type of the category chosen so far, against the offending one.
    std::vector<TypeId> before(types.begin(), types.begin() + bad);
    SelectCommonType(before, &chosen);
    return ErrorAt(sqlstate::kDatatypeMismatch,
                   fmt::format("{} types {} and {} cannot be matched", context, TypeName(chosen),
                               TypeName(types[static_cast<size_t>(bad)])),
                   exprs[static_cast<size_t>(bad)]->location);
  }
  return chosen == TypeId::kUnknown ? TypeId::kText : chosen;
}

}  // namespace minipg::sql::analyzer_internal
