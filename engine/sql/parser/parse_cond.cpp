/*-------------------------------------------------------------------------
 * parse_cond.cpp
 *   The conditional expressions from parse trees to typed trees: CASE,
 *   COALESCE, NULLIF, GREATEST / LEAST, [NOT] BETWEEN, [NOT] IN (list),
 *   IS [NOT] DISTINCT FROM, IS [NOT] TRUE / FALSE / UNKNOWN, operators
 *   named by their symbol (LIKE's ~~, the regular expressions' ~), and
 *   row values: ROW(a, b), whole-row references (t.*), their NULL tests
 *   and comparisons.
 *
 * NOTES
 *   Results of several branches take one type as PostgreSQL's
 *   select_common_type decides (CommonType). BETWEEN and IN (list) become
 *   the ANDs and ORs of comparisons they mean, so their NULL semantics
 *   are those of AND and OR, as in PostgreSQL.
 *-------------------------------------------------------------------------
 */
#include <fmt/format.h>

#include "engine/common/stack_depth.h"
#include "engine/sql/analyzer_impl.h"

namespace minipg::sql::analyzer_internal {

namespace {

/* A NULL literal is an undecided literal too. */
void MarkNullUntyped(Expr& e) {
  if (e.kind == ExprKind::kConst && e.type == TypeId::kUnknown) {
    e.untyped = true;
    e.value = std::monostate{};
  }
}

ExprPtr MakeBoolOp(BoolOpKind kind, std::vector<ExprPtr> args, int location) {
  ExprPtr n = MakeExpr(ExprKind::kBool, TypeId::kBool, location);
  n->bool_op = kind;
  n->args = std::move(args);
  return n;
}

size_t CountNodes(Expr& e) {
  size_t n = 0;
  WalkExpr(e, [&n](Expr&) { ++n; });
  return n;
}

/* `copies` copies of `e` (BETWEEN and simple CASE use their first operand
 * more than once). Nested, they would grow exponentially: past a million
 * nodes this is the deep-nesting error. */
Result<std::vector<ExprPtr>> Copies(ExprPtr e, size_t copies) {
  if (CountNodes(*e) * copies > 1000000) return StackDepthError();
  std::vector<ExprPtr> out;
  for (size_t i = 1; i < copies; ++i) {
    auto c = CopyExpr(*e);
    if (!c.ok()) return c.error();
    out.push_back(std::move(*c));
  }
  out.push_back(std::move(e));
  return out;
}

}  // namespace

Result<ExprPtr> Analyzer::BindComparison(const std::string& name, const RawExpr& left, const RawExpr& right,
                                         ParseState& ps, int location) {
  auto l = Bind(left, ps);
  if (!l.ok()) return l;
  return BindComparison(name, std::move(*l), right, ps, location);
}

Result<ExprPtr> Analyzer::BindComparison(const std::string& name, ExprPtr left, const RawExpr& right, ParseState& ps,
                                         int location) {
  Result<ExprPtr> l = std::move(left);
  auto r = Bind(right, ps);
  if (!r.ok()) return r;
  MarkNullUntyped(**l);
  MarkNullUntyped(**r);
  return MakeOperator(name, std::move(*l), std::move(*r), location);
}

Result<ExprPtr> Analyzer::CoerceToCommon(std::vector<ExprPtr>& exprs, const char* context) {
  std::vector<const Expr*> views;
  for (ExprPtr& e : exprs) {
    MarkNullUntyped(*e);
    views.push_back(e.get());
  }
  auto type = CommonType(views, context);
  if (!type.ok()) return type.error();
  for (ExprPtr& e : exprs) {
    TypeId from = e->untyped ? TypeId::kUnknown : e->type;
    int location = e->location;
    auto c = Coerce(std::move(e), *type, CastContext::kImplicit);
    if (!c.ok()) {
      if (c.error().sqlstate == kCannotCoerce) {
        return ErrorAt(kCannotCoerce,
                       fmt::format("{} could not convert type {} to {}", context, TypeName(from), TypeName(*type)),
                       location);
      }
      return c.error();
    }
    e = std::move(*c);
  }
  return MakeConst(*type, std::monostate{});
}

Result<ExprPtr> Analyzer::BindConditional(const RawExpr& e, ParseState& ps) {
  switch (e.kind) {
    case RawExprKind::kNamedOp:
      return BindComparison(e.text, *e.args[0], *e.args[1], ps, e.location);
    case RawExprKind::kBetween: {
      // x BETWEEN a AND b is x >= a AND x <= b; NOT BETWEEN is x < a OR x > b.
      auto x = Bind(*e.args[0], ps);
      if (!x.ok()) return x;
      auto xs = Copies(std::move(*x), 2);
      if (!xs.ok()) return xs.error();
      std::vector<ExprPtr> parts;
      for (size_t i : {1, 2}) {
        const char* op = e.negated ? (i == 1 ? "<" : ">") : (i == 1 ? ">=" : "<=");
        auto c = BindComparison(op, std::move((*xs)[i - 1]), *e.args[i], ps, e.location);
        if (!c.ok()) return c;
        parts.push_back(std::move(*c));
      }
      return MakeBoolOp(e.negated ? BoolOpKind::kOr : BoolOpKind::kAnd, std::move(parts), e.location);
    }
    case RawExprKind::kInList:
      return BindInList(e, ps);
    case RawExprKind::kDistinct: {
      if (e.args[0]->kind == RawExprKind::kRow || e.args[1]->kind == RawExprKind::kRow) {
        // row IS [NOT] DISTINCT FROM row: pair by pair, NULLs equal.
        auto l = Bind(*e.args[0], ps);
        if (!l.ok()) return l;
        auto r = Bind(*e.args[1], ps);
        if (!r.ok()) return r;
        return MakeComparison(e.negated ? "=" : "<>", std::move(*l), std::move(*r), e.location, true);
      }
      auto eq = BindComparison("=", *e.args[0], *e.args[1], ps, e.location);
      if (!eq.ok()) return eq;
      (*eq)->kind = ExprKind::kDistinct;
      (*eq)->type = TypeId::kBool;
      (*eq)->negated = e.negated;
      return eq;
    }
    case RawExprKind::kBoolTest: {
      std::string what = "IS " + std::string(e.negated ? "NOT " : "");
      for (char c : e.text) what += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      auto arg = Bind(*e.args[0], ps);
      if (!arg.ok()) return arg;
      MarkNullUntyped(**arg);
      auto b = RequireBool(std::move(*arg), what.c_str(), e.args[0]->location);
      if (!b.ok()) return b;
      if (e.text == "unknown") {
        ExprPtr n = MakeExpr(ExprKind::kNullTest, TypeId::kBool, e.location);
        n->negated = e.negated;
        n->args.push_back(std::move(*b));
        return n;
      }
      // x IS TRUE is x IS NOT DISTINCT FROM true.
      auto eq = MakeOperator("=", std::move(*b), MakeConst(TypeId::kBool, e.text == "true", e.location), e.location);
      if (!eq.ok()) return eq;
      (*eq)->kind = ExprKind::kDistinct;
      (*eq)->negated = !e.negated;
      return eq;
    }
    case RawExprKind::kCase:
      return BindCase(e, ps);
    default:
      return MakeError(sqlstate::kInternalError, "not a conditional expression");
  }
}

Result<ExprPtr> Analyzer::BindInList(const RawExpr& e, ParseState& ps) {
  // As PostgreSQL: when the value and the items have a common type, one
  // ScalarArrayOp (x = ANY of the items; NOT IN: x <> ALL) evaluates x once;
  // otherwise x = a OR x = b (NOT IN: x <> a AND x <> b).
  const char* name = e.negated ? "<>" : "=";
  std::vector<ExprPtr> all;
  for (const RawExprPtr& a : e.args) {
    auto b = Bind(*a, ps);
    if (!b.ok()) return b;
    MarkNullUntyped(**b);
    all.push_back(std::move(*b));
  }
  std::vector<const Expr*> views;
  for (const ExprPtr& a : all) views.push_back(a.get());
  auto common = all[0]->kind == ExprKind::kRow ? Result<TypeId>(TypeId::kRecord) : CommonType(views, "IN");
  if (common.ok() && *common != TypeId::kRecord) {
    auto probe = MakeOperator(name, MakeConst(*common, std::monostate{}), MakeConst(*common, std::monostate{}),
                              e.location);
    if (probe.ok() && (*probe)->type == TypeId::kBool) {
      ExprPtr out = MakeExpr(ExprKind::kScalarArrayOp, TypeId::kBool, e.location);
      out->op = (*probe)->op;
      out->arg_types = (*probe)->arg_types;
      out->negated = e.negated;  // NOT IN: all must hold
      for (size_t i = 0; i < all.size(); ++i) {
        auto c = Coerce(std::move(all[i]), out->arg_types[i == 0 ? 0 : 1], CastContext::kImplicit);
        if (!c.ok()) return c;
        out->args.push_back(std::move(*c));
      }
      return out;
    }
  }
  std::vector<ExprPtr> parts;
  auto xs = Copies(std::move(all[0]), all.size() - 1);
  if (!xs.ok()) return xs.error();
  for (size_t i = 1; i < all.size(); ++i) {
    auto c = MakeComparison(name, std::move((*xs)[i - 1]), std::move(all[i]), e.location);
    if (!c.ok()) return c;
    parts.push_back(std::move(*c));
  }
  if (parts.size() == 1) return std::move(parts[0]);
  return MakeBoolOp(e.negated ? BoolOpKind::kAnd : BoolOpKind::kOr, std::move(parts), e.location);
}

Result<ExprPtr> Analyzer::BindCase(const RawExpr& e, ParseState& ps) {
  size_t first = e.star ? 1 : 0;
  size_t end = e.args.size() - (e.negated ? 1 : 0);
  ExprPtr out = MakeExpr(ExprKind::kCase, TypeId::kUnknown, e.location);
  std::vector<ExprPtr> results;
  std::vector<ExprPtr> conditions;
  std::vector<ExprPtr> tested;  // simple CASE: the tested value, once per WHEN
  if (e.star) {
    auto x = Bind(*e.args[0], ps);
    if (!x.ok()) return x;
    auto xs = Copies(std::move(*x), (end - first) / 2);
    if (!xs.ok()) return xs.error();
    tested = std::move(*xs);
  }
  for (size_t i = first; i + 1 < end; i += 2) {
    Result<ExprPtr> cond = e.star ? BindComparison("=", std::move(tested[(i - first) / 2]), *e.args[i], ps,
                                                   e.args[i]->location)
                                  : BindCondition(*e.args[i], ps, "CASE/WHEN");
    if (!cond.ok()) return cond;
    if (e.star) {
      cond = RequireBool(std::move(*cond), "CASE/WHEN", e.args[i]->location);
      if (!cond.ok()) return cond;
    }
    conditions.push_back(std::move(*cond));
    auto result = Bind(*e.args[i + 1], ps);
    if (!result.ok()) return result;
    results.push_back(std::move(*result));
  }
  // The ELSE result first: PostgreSQL's order for the common type (and
  // so for which type an error names first).
  if (e.negated) {
    auto otherwise = Bind(*e.args.back(), ps);
    if (!otherwise.ok()) return otherwise;
    results.insert(results.begin(), std::move(*otherwise));
  } else {
    results.insert(results.begin(), MakeConst(TypeId::kUnknown, std::monostate{}, e.location));
  }
  auto type = CoerceToCommon(results, "CASE");
  if (!type.ok()) return type;
  out->type = (*type)->type;
  for (size_t i = 0; i < conditions.size(); ++i) {
    out->args.push_back(std::move(conditions[i]));
    out->args.push_back(std::move(results[i + 1]));
  }
  out->args.push_back(std::move(results.front()));
  return out;
}

Result<ExprPtr> Analyzer::BindConditionalFunc(const std::string& name, std::vector<ExprPtr> args, int location) {
  if (name == "nullif") {
    if (args.size() != 2) {
      return ErrorAt(sqlstate::kSyntaxError, "syntax error at or near \")\"", location);
    }
    auto eq = MakeOperator("=", std::move(args[0]), std::move(args[1]), location);
    if (!eq.ok()) return eq;
    // The result has the first argument's type after the comparison's
    // coercion (nullif(1, 2.5) is numeric), as in PostgreSQL.
    (*eq)->kind = ExprKind::kNullIf;
    (*eq)->type = (*eq)->args[0]->type;
    return eq;
  }
  const char* context = name == "coalesce" ? "COALESCE" : "GREATEST/LEAST";
  ExprKind kind = name == "coalesce" ? ExprKind::kCoalesce : ExprKind::kMinMax;
  auto type = CoerceToCommon(args, context);
  if (!type.ok()) return type;
  ExprPtr out = MakeExpr(kind, (*type)->type, location);
  out->negated = name == "least";
  out->args = std::move(args);
  return out;
}

Result<ExprPtr> Analyzer::BindRow(const RawExpr& e, ParseState& ps) {
  if (e.star) {
    auto rt = FindQualified(ps, e.qualifier, e.location);
    if (!rt.ok()) return rt.error();
    return WholeRow(ps, *rt, e.location);
  }
  ExprPtr row = MakeExpr(ExprKind::kRow, TypeId::kRecord, e.location);
  for (const RawExprPtr& a : e.args) {
    auto field = Bind(*a, ps);  // a literal stays undecided: a comparison may give it a type
    if (!field.ok()) return field;
    if (a->kind == RawExprKind::kRow && a->star) {  // ROW(t.*, x): t's columns, then x
      for (ExprPtr& column : (*field)->args) row->args.push_back(std::move(column));
      continue;
    }
    row->args.push_back(std::move(*field));
  }
  return row;
}

ExprPtr Analyzer::WholeRow(const ParseState& ps, int rtindex, int location) {
  ExprPtr row = MakeExpr(ExprKind::kRow, TypeId::kRecord, location);
  const RangeTblEntry& rte = ps.query->rte(rtindex);
  row->relname = rte.refname;
  for (size_t i = 0; i < rte.colnames.size(); ++i) {
    row->args.push_back(VarFor(ps, rtindex, static_cast<int>(i), location));
  }
  return row;
}

ExprPtr Analyzer::RowNullTest(ExprPtr row, bool negated, int location) {
  std::vector<ExprPtr> tests;
  for (ExprPtr& field : row->args) {
    ExprPtr t = MakeExpr(ExprKind::kNullTest, TypeId::kBool, location);
    t->negated = negated;
    t->args.push_back(std::move(field));
    tests.push_back(std::move(t));
  }
  if (tests.empty()) return MakeConst(TypeId::kBool, true, location);  // ROW() IS [NOT] NULL
  if (tests.size() == 1) return std::move(tests[0]);
  return MakeBoolOp(BoolOpKind::kAnd, std::move(tests), location);
}

Result<ExprPtr> Analyzer::MakeComparison(const std::string& name, ExprPtr left, ExprPtr right, int location,
                                         bool nulls_equal) {
  if (left->kind != ExprKind::kRow || right->kind != ExprKind::kRow) {
    return MakeOperator(name, std::move(left), std::move(right), location);
  }
  size_t n = left->args.size();
  if (n != right->args.size()) {
    return ErrorAt(sqlstate::kSyntaxError, "unequal number of entries in row expressions", location);
  }
  if (n == 0) return ErrorAt(sqlstate::kFeatureNotSupported, "cannot compare rows of zero length", location);
  bool ordering = name == "<" || name == "<=" || name == ">" || name == ">=";
  // A whole-row reference compares as PostgreSQL's record = record does:
  // NULL fields equal each other (IS NOT DISTINCT FROM, pair by pair).
  bool record_eq = !ordering && (nulls_equal || !left->relname.empty() || !right->relname.empty());
  if (name != "=" && name != "<>" && !ordering) {
    return ErrorAt(sqlstate::kUndefinedFunction,
                   fmt::format("could not determine interpretation of row comparison operator {}", name), location);
  }
  // One pair: l op r, which must be a boolean.
  auto pair = [&](const std::string& op, size_t i, bool copy) -> Result<ExprPtr> {
    ExprPtr l = std::move(left->args[i]);
    ExprPtr r = std::move(right->args[i]);
    if (copy) {
      auto lc = CopyExpr(*l);
      auto rc = CopyExpr(*r);
      if (!lc.ok()) return lc.error();
      if (!rc.ok()) return rc.error();
      left->args[i] = std::move(l);
      right->args[i] = std::move(r);
      l = std::move(*lc);
      r = std::move(*rc);
    }
    MarkNullUntyped(*l);
    MarkNullUntyped(*r);
    auto c = MakeOperator(op, std::move(l), std::move(r), location);
    if (c.ok() && (*c)->type != TypeId::kBool) {
      return ErrorAt(sqlstate::kDatatypeMismatch,
                     fmt::format("row comparison operator must yield type boolean, not type {}", TypeName((*c)->type)),
                     location);
    }
    return c;
  };
  if (!ordering) {  // = : every pair equal; <> : some pair differs
    std::vector<ExprPtr> parts;
    for (size_t i = 0; i < n; ++i) {
      auto c = pair(record_eq ? "=" : name, i, false);
      if (!c.ok()) return c;
      if (record_eq) {
        (*c)->kind = ExprKind::kDistinct;
        (*c)->negated = name == "=";  // IS NOT DISTINCT FROM
      }
      parts.push_back(std::move(*c));
    }
    if (parts.size() == 1) return std::move(parts[0]);
    return MakeBoolOp(name == "=" ? BoolOpKind::kAnd : BoolOpKind::kOr, std::move(parts), location);
  }
  // (a, b) < (c, d) is a < c OR (a = c AND b < d): the first pair that
  // differs decides, a NULL in it makes the answer NULL.
  std::string strict = name.substr(0, 1);
  auto last = pair(name, n - 1, false);
  if (!last.ok()) return last;
  ExprPtr acc = std::move(*last);
  for (size_t i = n - 1; i-- > 0;) {
    auto less = pair(strict, i, true);
    if (!less.ok()) return less;
    auto equal = pair("=", i, false);
    if (!equal.ok()) return equal;
    std::vector<ExprPtr> both;
    both.push_back(std::move(*equal));
    both.push_back(std::move(acc));
    std::vector<ExprPtr> either;
    either.push_back(std::move(*less));
    either.push_back(MakeBoolOp(BoolOpKind::kAnd, std::move(both), location));
    acc = MakeBoolOp(BoolOpKind::kOr, std::move(either), location);
  }
  return acc;
}

}  // namespace minipg::sql::analyzer_internal
