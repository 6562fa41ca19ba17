/*-------------------------------------------------------------------------
 * math_functions.cpp
 *   abs, round, trunc, ceil/ceiling, floor, mod, power/pow, sqrt, cbrt,
 *   exp, ln, log/log10, sign, div, scale, pi, degrees, radians, random:
 *   the mathematical functions of PostgreSQL 15 for integers, numeric
 *   and double precision, with its pg_proc OIDs.
 *-------------------------------------------------------------------------
 */
#include <climits>
#include <cmath>
#include <random>

#include "engine/common/sqlstate.h"
#include "engine/sql/adt/function_args.h"
#include "engine/sql/adt/numeric.h"

namespace minipg::sql::adt {
namespace {

Result<Datum> IntAbs(const FunctionCall& c) {
  int64_t v = IntArg(c, 0);
  int64_t min = c.result_type == T::kInt2 ? INT16_MIN : c.result_type == T::kInt4 ? INT32_MIN : INT64_MIN;
  if (v == min) {
    return MakeError(sqlstate::kNumericValueOutOfRange, c.result_type == T::kInt2   ? "smallint out of range"
                                                        : c.result_type == T::kInt4 ? "integer out of range"
                                                                                    : "bigint out of range");
  }
  return Datum(v < 0 ? -v : v);
}

Result<Datum> IntMod(const FunctionCall& c) {
  int64_t a = IntArg(c, 0), b = IntArg(c, 1);
  if (b == 0) return MakeError(sqlstate::kDivisionByZero, "division by zero");
  if (b == -1) return Datum(int64_t{0});  // INT_MIN % -1 would trap
  return Datum(a % b);
}

Result<Datum> Float8AbsFn(const FunctionCall& c) { return Datum(std::fabs(FloatArg(c, 0))); }
Result<Datum> Float8Round(const FunctionCall& c) { return Datum(std::nearbyint(FloatArg(c, 0))); }
Result<Datum> Float8Trunc(const FunctionCall& c) { return Datum(std::trunc(FloatArg(c, 0))); }
Result<Datum> Float8Ceil(const FunctionCall& c) { return Datum(std::ceil(FloatArg(c, 0))); }
Result<Datum> Float8Floor(const FunctionCall& c) { return Datum(std::floor(FloatArg(c, 0))); }
Result<Datum> Float8Sign(const FunctionCall& c) {
  double v = FloatArg(c, 0);
  return Datum(v > 0 ? 1.0 : v < 0 ? -1.0 : 0.0);
}
Result<Datum> Float8Exp(const FunctionCall& c) {
  double v = FloatArg(c, 0);
  double r = std::exp(v);
  return Float8Result(r, c, /*zero_allowed=*/std::isinf(v));
}
Result<Datum> Float8Log(const FunctionCall& c, double (*fn)(double)) {
  double v = FloatArg(c, 0);
  if (v == 0) return MakeError(sqlstate::kInvalidArgumentForLog, "cannot take logarithm of zero");
  if (v < 0) return MakeError(sqlstate::kInvalidArgumentForLog, "cannot take logarithm of a negative number");
  return Datum(fn(v));
}
Result<Datum> Float8Ln(const FunctionCall& c) { return Float8Log(c, [](double v) { return std::log(v); }); }
Result<Datum> Float8Log10(const FunctionCall& c) { return Float8Log(c, [](double v) { return std::log10(v); }); }
Result<Datum> Pi(const FunctionCall&) { return Datum(M_PI); }
Result<Datum> Degrees(const FunctionCall& c) { return Datum(FloatArg(c, 0) * (180.0 / M_PI)); }
Result<Datum> Radians(const FunctionCall& c) { return Datum(FloatArg(c, 0) * (M_PI / 180.0)); }

Result<Datum> Random(const FunctionCall&) {
  static thread_local std::mt19937_64 engine{std::random_device{}()};
  return Datum(std::uniform_real_distribution<double>(0.0, 1.0)(engine));
}

Result<Datum> NumericAbsFn(const FunctionCall& c) { return Datum(NumericAbs(NumericArg(c, 0))); }
Result<Datum> NumericRound0(const FunctionCall& c) { return Datum(NumericRound(NumericArg(c, 0), 0)); }
Result<Datum> NumericRoundN(const FunctionCall& c) {
  return Datum(NumericRound(NumericArg(c, 0), static_cast<int32_t>(IntArg(c, 1))));
}
Result<Datum> NumericTrunc0(const FunctionCall& c) { return Datum(NumericTrunc(NumericArg(c, 0), 0)); }
Result<Datum> NumericTruncN(const FunctionCall& c) {
  return Datum(NumericTrunc(NumericArg(c, 0), static_cast<int32_t>(IntArg(c, 1))));
}
Result<Datum> NumericCeilFn(const FunctionCall& c) { return Datum(NumericCeil(NumericArg(c, 0))); }
Result<Datum> NumericFloorFn(const FunctionCall& c) { return Datum(NumericFloor(NumericArg(c, 0))); }
Result<Datum> NumericSignFn(const FunctionCall& c) { return Datum(NumericSign(NumericArg(c, 0))); }
Result<Datum> NumericModFn(const FunctionCall& c) { return Wrap(NumericMod(NumericArg(c, 0), NumericArg(c, 1))); }
Result<Datum> NumericDivFn(const FunctionCall& c) { return Wrap(NumericDivTrunc(NumericArg(c, 0), NumericArg(c, 1))); }
Result<Datum> NumericPowerFn(const FunctionCall& c) { return Wrap(NumericPower(NumericArg(c, 0), NumericArg(c, 1))); }
Result<Datum> NumericSqrtFn(const FunctionCall& c) { return Wrap(NumericSqrt(NumericArg(c, 0))); }
Result<Datum> NumericExpFn(const FunctionCall& c) { return Wrap(NumericExp(NumericArg(c, 0))); }
Result<Datum> NumericLnFn(const FunctionCall& c) { return Wrap(NumericLn(NumericArg(c, 0))); }
Result<Datum> NumericLog10Fn(const FunctionCall& c) { return Wrap(NumericLog(NumericFromInt(10), NumericArg(c, 0))); }
Result<Datum> NumericLogFn(const FunctionCall& c) { return Wrap(NumericLog(NumericArg(c, 0), NumericArg(c, 1))); }
Result<Datum> NumericScale(const FunctionCall& c) {
  const Numeric& n = NumericArg(c, 0);
  if (n.kind != Numeric::Kind::kFinite) return Datum(std::monostate{});
  return Datum(int64_t{n.scale});
}

}  // namespace

void RegisterMathFunctions(BuiltinRegistry& r) {
  const T kN = T::kNumeric, kF = T::kFloat8;
  r.functions.insert(r.functions.end(), {
      {.oid = 1394, .name = "abs", .args = {T::kFloat4}, .result = T::kFloat4, .call = &Float8AbsFn},
      {.oid = 1395, .name = "abs", .args = {kF}, .result = kF, .call = &Float8AbsFn},
      {.oid = 1396, .name = "abs", .args = {T::kInt8}, .result = T::kInt8, .call = &IntAbs},
      {.oid = 1397, .name = "abs", .args = {T::kInt4}, .result = T::kInt4, .call = &IntAbs},
      {.oid = 1398, .name = "abs", .args = {T::kInt2}, .result = T::kInt2, .call = &IntAbs},
      {.oid = 1705, .name = "abs", .args = {kN}, .result = kN, .call = &NumericAbsFn},
      {.oid = 1342, .name = "round", .args = {kF}, .result = kF, .call = &Float8Round},
      {.oid = 1707, .name = "round", .args = {kN, T::kInt4}, .result = kN, .call = &NumericRoundN},
      {.oid = 1708, .name = "round", .args = {kN}, .result = kN, .call = &NumericRound0},
      {.oid = 1343, .name = "trunc", .args = {kF}, .result = kF, .call = &Float8Trunc},
      {.oid = 1709, .name = "trunc", .args = {kN, T::kInt4}, .result = kN, .call = &NumericTruncN},
      {.oid = 1710, .name = "trunc", .args = {kN}, .result = kN, .call = &NumericTrunc0},
      {.oid = 1711, .name = "ceil", .args = {kN}, .result = kN, .call = &NumericCeilFn},
      {.oid = 2308, .name = "ceil", .args = {kF}, .result = kF, .call = &Float8Ceil},
      {.oid = 2167, .name = "ceiling", .args = {kN}, .result = kN, .call = &NumericCeilFn},
      {.oid = 2320, .name = "ceiling", .args = {kF}, .result = kF, .call = &Float8Ceil},
      {.oid = 1712, .name = "floor", .args = {kN}, .result = kN, .call = &NumericFloorFn},
      {.oid = 2309, .name = "floor", .args = {kF}, .result = kF, .call = &Float8Floor},
      {.oid = 940, .name = "mod", .args = {T::kInt2, T::kInt2}, .result = T::kInt2, .call = &IntMod},
      {.oid = 941, .name = "mod", .args = {T::kInt4, T::kInt4}, .result = T::kInt4, .call = &IntMod},
      {.oid = 947, .name = "mod", .args = {T::kInt8, T::kInt8}, .result = T::kInt8, .call = &IntMod},
      {.oid = 1728, .name = "mod", .args = {kN, kN}, .result = kN, .call = &NumericModFn},
      {.oid = 1368, .name = "power", .args = {kF, kF}, .result = kF, .call = &Float8Power},
      {.oid = 2169, .name = "power", .args = {kN, kN}, .result = kN, .call = &NumericPowerFn},
      {.oid = 1346, .name = "pow", .args = {kF, kF}, .result = kF, .call = &Float8Power},
      {.oid = 1738, .name = "pow", .args = {kN, kN}, .result = kN, .call = &NumericPowerFn},
      {.oid = 1344, .name = "sqrt", .args = {kF}, .result = kF, .call = &Float8Sqrt},
      {.oid = 1730, .name = "sqrt", .args = {kN}, .result = kN, .call = &NumericSqrtFn},
      {.oid = 1345, .name = "cbrt", .args = {kF}, .result = kF, .call = &Float8Cbrt},
      {.oid = 1347, .name = "exp", .args = {kF}, .result = kF, .call = &Float8Exp},
      {.oid = 1732, .name = "exp", .args = {kN}, .result = kN, .call = &NumericExpFn},
      {.oid = 1341, .name = "ln", .args = {kF}, .result = kF, .call = &Float8Ln},
      {.oid = 1734, .name = "ln", .args = {kN}, .result = kN, .call = &NumericLnFn},
      {.oid = 1340, .name = "log", .args = {kF}, .result = kF, .call = &Float8Log10},
      {.oid = 1741, .name = "log", .args = {kN}, .result = kN, .call = &NumericLog10Fn},
      {.oid = 1736, .name = "log", .args = {kN, kN}, .result = kN, .call = &NumericLogFn},
      {.oid = 1194, .name = "log10", .args = {kF}, .result = kF, .call = &Float8Log10},
      {.oid = 1481, .name = "log10", .args = {kN}, .result = kN, .call = &NumericLog10Fn},
      {.oid = 1706, .name = "sign", .args = {kN}, .result = kN, .call = &NumericSignFn},
      {.oid = 2310, .name = "sign", .args = {kF}, .result = kF, .call = &Float8Sign},
      {.oid = 1973, .name = "div", .args = {kN, kN}, .result = kN, .call = &NumericDivFn},
      {.oid = 3281, .name = "scale", .args = {kN}, .result = T::kInt4, .call = &NumericScale},
      {.oid = 1610, .name = "pi", .args = {}, .result = kF, .call = &Pi},
      {.oid = 1608, .name = "degrees", .args = {kF}, .result = kF, .call = &Degrees},
      {.oid = 1609, .name = "radians", .args = {kF}, .result = kF, .call = &Radians},
      {.oid = 1598, .name = "random", .args = {}, .result = kF, .call = &Random, .volatility = Volatility::kVolatile},
  });
}

}  // namespace minipg::sql::adt
