/*-------------------------------------------------------------------------
 * numeric_ops.cpp
 *   The operators of numeric and double precision (and real against
 *   double precision), the comparison operators every type shares, and
 *   the casts: registered into the builtins registry (builtins.h) with
 *   PostgreSQL 15's OIDs and commutator / negator / hash / merge flags.
 *-------------------------------------------------------------------------
 */
#include <cmath>

#include "engine/common/sqlstate.h"
#include "engine/sql/adt/casts.h"
#include "engine/sql/adt/float.h"
#include "engine/sql/adt/function_args.h"
#include "engine/sql/adt/numeric.h"

namespace minipg::sql::adt {

int CompareArgs(const FunctionCall& c) { return CompareValues(c.args[0], c.arg_types[0], c.args[1], c.arg_types[1]); }
Result<Datum> CompareEq(const FunctionCall& c) { return Datum(CompareArgs(c) == 0); }
Result<Datum> CompareNe(const FunctionCall& c) { return Datum(CompareArgs(c) != 0); }
Result<Datum> CompareLt(const FunctionCall& c) { return Datum(CompareArgs(c) < 0); }
Result<Datum> CompareLe(const FunctionCall& c) { return Datum(CompareArgs(c) <= 0); }
Result<Datum> CompareGt(const FunctionCall& c) { return Datum(CompareArgs(c) > 0); }
Result<Datum> CompareGe(const FunctionCall& c) { return Datum(CompareArgs(c) >= 0); }

Result<Datum> Float8Result(double r, const FunctionCall& c, bool zero_allowed) {
  bool inputs_infinite = false;
  for (size_t i = 0; i < c.args.size(); ++i) inputs_infinite |= std::isinf(FloatArg(c, i));
  return Wrap(CheckFloat8(r, inputs_infinite, zero_allowed));
}

namespace {

Result<Datum> NumericAddOp(const FunctionCall& c) { return Datum(NumericAdd(NumericArg(c, 0), NumericArg(c, 1))); }
Result<Datum> NumericSubOp(const FunctionCall& c) { return Datum(NumericSub(NumericArg(c, 0), NumericArg(c, 1))); }
Result<Datum> NumericMulOp(const FunctionCall& c) { return Datum(NumericMul(NumericArg(c, 0), NumericArg(c, 1))); }
Result<Datum> NumericDivOp(const FunctionCall& c) { return Wrap(NumericDiv(NumericArg(c, 0), NumericArg(c, 1))); }
Result<Datum> NumericModOp(const FunctionCall& c) { return Wrap(NumericMod(NumericArg(c, 0), NumericArg(c, 1))); }
Result<Datum> NumericPowerOp(const FunctionCall& c) { return Wrap(NumericPower(NumericArg(c, 0), NumericArg(c, 1))); }
Result<Datum> NumericNegateOp(const FunctionCall& c) { return Datum(NumericNegate(NumericArg(c, 0))); }
Result<Datum> NumericAbsOp(const FunctionCall& c) { return Datum(NumericAbs(NumericArg(c, 0))); }

Result<Datum> Float8Add(const FunctionCall& c) { return Float8Result(FloatArg(c, 0) + FloatArg(c, 1), c, true); }
Result<Datum> Float8Sub(const FunctionCall& c) { return Float8Result(FloatArg(c, 0) - FloatArg(c, 1), c, true); }
Result<Datum> Float8Mul(const FunctionCall& c) {
  double a = FloatArg(c, 0), b = FloatArg(c, 1);
  return Float8Result(a * b, c, a == 0 || b == 0);
}
Result<Datum> Float8Div(const FunctionCall& c) {
  double a = FloatArg(c, 0), b = FloatArg(c, 1);
  if (b == 0 && !std::isnan(a)) return MakeError(sqlstate::kDivisionByZero, "division by zero");
  return Float8Result(a / b, c, a == 0 || std::isinf(b));
}
Result<Datum> Float8Negate(const FunctionCall& c) { return Datum(-FloatArg(c, 0)); }
Result<Datum> Float8Abs(const FunctionCall& c) { return Datum(std::fabs(FloatArg(c, 0))); }

}  // namespace

Result<Datum> Float8Power(const FunctionCall& c) {
  double a = FloatArg(c, 0), b = FloatArg(c, 1);
  if (a == 0 && b < 0) {
    return MakeError(sqlstate::kInvalidArgumentForPower, "zero raised to a negative power is undefined");
  }
  if (a < 0 && std::floor(b) != b && std::isfinite(b)) {
    return MakeError(sqlstate::kInvalidArgumentForPower,
                     "a negative number raised to a non-integer power yields a complex result");
  }
  double r = std::pow(a, b);
  return Float8Result(r, c, a == 0 || std::isinf(b) || std::fabs(a) < 1 || b < 0);
}

Result<Datum> Float8Sqrt(const FunctionCall& c) {
  double a = FloatArg(c, 0);
  if (a < 0) return MakeError(sqlstate::kInvalidArgumentForPower, "cannot take square root of a negative number");
  return Float8Result(std::sqrt(a), c, a == 0);
}

Result<Datum> Float8Cbrt(const FunctionCall& c) { return Float8Result(std::cbrt(FloatArg(c, 0)), c, FloatArg(c, 0) == 0); }

namespace {

Result<Datum> CastCall(const FunctionCall& c) { return CastValue(c.args[0], c.arg_types[0], c.result_type); }

CastKind KindOf(char context) {
  return context == 'i' ? CastKind::kImplicit : context == 'a' ? CastKind::kAssignment : CastKind::kExplicit;
}

}  // namespace

void RegisterNumericOperators(BuiltinRegistry& r) {
  r.operators.insert(r.operators.end(), {
      {585, "-", T::kVoid, T::kFloat8, T::kFloat8, &Float8Negate, "", "", false, false},
      {591, "+", T::kFloat8, T::kFloat8, T::kFloat8, &Float8Add, "+", "", false, false},
      {592, "-", T::kFloat8, T::kFloat8, T::kFloat8, &Float8Sub, "", "", false, false},
      {593, "/", T::kFloat8, T::kFloat8, T::kFloat8, &Float8Div, "", "", false, false},
      {594, "*", T::kFloat8, T::kFloat8, T::kFloat8, &Float8Mul, "*", "", false, false},
      {595, "@", T::kVoid, T::kFloat8, T::kFloat8, &Float8Abs, "", "", false, false},
      {596, "|/", T::kVoid, T::kFloat8, T::kFloat8, &Float8Sqrt, "", "", false, false},
      {597, "||/", T::kVoid, T::kFloat8, T::kFloat8, &Float8Cbrt, "", "", false, false},
      {670, "=", T::kFloat8, T::kFloat8, T::kBool, &CompareEq, "=", "<>", true, true},
      {671, "<>", T::kFloat8, T::kFloat8, T::kBool, &CompareNe, "<>", "=", false, false},
      {672, "<", T::kFloat8, T::kFloat8, T::kBool, &CompareLt, ">", ">=", false, false},
      {673, "<=", T::kFloat8, T::kFloat8, T::kBool, &CompareLe, ">=", ">", false, false},
      {674, ">", T::kFloat8, T::kFloat8, T::kBool, &CompareGt, "<", "<=", false, false},
      {675, ">=", T::kFloat8, T::kFloat8, T::kBool, &CompareGe, "<=", "<", false, false},
      {965, "^", T::kFloat8, T::kFloat8, T::kFloat8, &Float8Power, "", "", false, false},
      {1038, "^", T::kNumeric, T::kNumeric, T::kNumeric, &NumericPowerOp, "", "", false, false},
      {1116, "+", T::kFloat4, T::kFloat8, T::kFloat8, &Float8Add, "+", "", false, false},
      {1117, "-", T::kFloat4, T::kFloat8, T::kFloat8, &Float8Sub, "", "", false, false},
      {1118, "/", T::kFloat4, T::kFloat8, T::kFloat8, &Float8Div, "", "", false, false},
      {1119, "*", T::kFloat4, T::kFloat8, T::kFloat8, &Float8Mul, "*", "", false, false},
      {1120, "=", T::kFloat4, T::kFloat8, T::kBool, &CompareEq, "=", "<>", true, true},
      {1121, "<>", T::kFloat4, T::kFloat8, T::kBool, &CompareNe, "<>", "=", false, false},
      {1122, "<", T::kFloat4, T::kFloat8, T::kBool, &CompareLt, ">", ">=", false, false},
      {1123, ">", T::kFloat4, T::kFloat8, T::kBool, &CompareGt, "<", "<=", false, false},
      {1124, "<=", T::kFloat4, T::kFloat8, T::kBool, &CompareLe, ">=", ">", false, false},
      {1125, ">=", T::kFloat4, T::kFloat8, T::kBool, &CompareGe, "<=", "<", false, false},
      {1126, "+", T::kFloat8, T::kFloat4, T::kFloat8, &Float8Add, "+", "", false, false},
      {1127, "-", T::kFloat8, T::kFloat4, T::kFloat8, &Float8Sub, "", "", false, false},
      {1128, "/", T::kFloat8, T::kFloat4, T::kFloat8, &Float8Div, "", "", false, false},
      {1129, "*", T::kFloat8, T::kFloat4, T::kFloat8, &Float8Mul, "*", "", false, false},
      {1130, "=", T::kFloat8, T::kFloat4, T::kBool, &CompareEq, "=", "<>", true, true},
      {1131, "<>", T::kFloat8, T::kFloat4, T::kBool, &CompareNe, "<>", "=", false, false},
      {1132, "<", T::kFloat8, T::kFloat4, T::kBool, &CompareLt, ">", ">=", false, false},
      {1133, ">", T::kFloat8, T::kFloat4, T::kBool, &CompareGt, "<", "<=", false, false},
      {1134, "<=", T::kFloat8, T::kFloat4, T::kBool, &CompareLe, ">=", ">", false, false},
      {1135, ">=", T::kFloat8, T::kFloat4, T::kBool, &CompareGe, "<=", "<", false, false},
      {1751, "-", T::kVoid, T::kNumeric, T::kNumeric, &NumericNegateOp, "", "", false, false},
      {1752, "=", T::kNumeric, T::kNumeric, T::kBool, &CompareEq, "=", "<>", true, true},
      {1753, "<>", T::kNumeric, T::kNumeric, T::kBool, &CompareNe, "<>", "=", false, false},
      {1754, "<", T::kNumeric, T::kNumeric, T::kBool, &CompareLt, ">", ">=", false, false},
      {1755, "<=", T::kNumeric, T::kNumeric, T::kBool, &CompareLe, ">=", ">", false, false},
      {1756, ">", T::kNumeric, T::kNumeric, T::kBool, &CompareGt, "<", "<=", false, false},
      {1757, ">=", T::kNumeric, T::kNumeric, T::kBool, &CompareGe, "<=", "<", false, false},
      {1758, "+", T::kNumeric, T::kNumeric, T::kNumeric, &NumericAddOp, "+", "", false, false},
      {1759, "-", T::kNumeric, T::kNumeric, T::kNumeric, &NumericSubOp, "", "", false, false},
      {1760, "*", T::kNumeric, T::kNumeric, T::kNumeric, &NumericMulOp, "*", "", false, false},
      {1761, "/", T::kNumeric, T::kNumeric, T::kNumeric, &NumericDivOp, "", "", false, false},
      {1762, "%", T::kNumeric, T::kNumeric, T::kNumeric, &NumericModOp, "", "", false, false},
      {1763, "@", T::kVoid, T::kNumeric, T::kNumeric, &NumericAbsOp, "", "", false, false},
      {1920, "+", T::kVoid, T::kFloat8, T::kFloat8, &Identity, "", "", false, false},
      {1921, "+", T::kVoid, T::kNumeric, T::kNumeric, &Identity, "", "", false, false},
  });
  for (const CastRule& rule : CastRules()) {
    r.casts.push_back(CastInfo{rule.source, rule.target, KindOf(rule.context), &CastCall});
  }
}

}  // namespace minipg::sql::adt
