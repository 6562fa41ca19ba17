/*-------------------------------------------------------------------------
 * numeric_math.cpp
 *   numeric's sqrt, exp, ln, log and power (numeric.h), with PostgreSQL
 *   15's choice of result scale: about 16 significant digits, never fewer
 *   decimals than the arguments show.
 *-------------------------------------------------------------------------
 */
#include <algorithm>
#include <cmath>
#include <cstdio>

#include <fmt/format.h>
#include <gmpxx.h>

#include "engine/common/sqlstate.h"
#include "engine/sql/adt/numeric.h"

namespace minipg::sql::adt {
namespace {

constexpr int32_t kMinSignificantDigits = 16;
constexpr int32_t kMaxDisplayScale = 1000;

bool IsFinite(const Numeric& n) { return n.kind == Numeric::Kind::kFinite; }

int32_t ClampScale(int64_t rscale, std::initializer_list<int32_t> at_least) {
  for (int32_t s : at_least) rscale = std::max<int64_t>(rscale, s);
  return static_cast<int32_t>(std::clamp<int64_t>(rscale, 0, kMaxDisplayScale));
}

long double ToLongDouble(const Numeric& n) { return std::strtold(NumericOut(n).c_str(), nullptr); }

/* A long double rounded to `scale` decimals. */
Numeric FromLongDouble(long double v, int32_t scale) {
  if (std::isinf(v)) return *NumericIn(v > 0 ? "Infinity" : "-Infinity");
  std::string text = fmt::format("{:.{}f}", v, scale);
  auto n = NumericIn(text);
  return n.ok() ? NumericRound(*n, scale) : *NumericIn("NaN");
}

/* PostgreSQL's estimate_ln_dweight: the decimal weight of ln(n). */
int64_t LnDecimalWeight(const Numeric& n) {
  long double x = ToLongDouble(n);
  if (x >= 0.9L && x <= 1.1L) {
    long double d = std::fabs(x - 1);
    return d == 0 ? 0 : static_cast<int64_t>(std::floor(std::log10(d)));
  }
  long double ln = std::log(x);
  return ln == 0 ? 0 : static_cast<int64_t>(std::log10(std::fabs(ln)));  // truncated, as PostgreSQL's (int) cast
}

Error Domain(const char* sqlstate, const char* message) { return MakeError(sqlstate, message); }

Status CheckLogArgument(const Numeric& n) {
  if (NumericIsZero(n)) return Domain(sqlstate::kInvalidArgumentForLog, "cannot take logarithm of zero");
  if (n.negative || n.kind == Numeric::Kind::kNegativeInfinity) {
    return Domain(sqlstate::kInvalidArgumentForLog, "cannot take logarithm of a negative number");
  }
  return OkStatus();
}

}  // namespace

Result<Numeric> NumericSqrt(const Numeric& n) {
  if (n.kind == Numeric::Kind::kNaN || n.kind == Numeric::Kind::kPositiveInfinity) return n;
  if (n.negative || n.kind == Numeric::Kind::kNegativeInfinity) {
    return Domain(sqlstate::kInvalidArgumentForPower, "cannot take square root of a negative number");
  }
  int64_t sweight = (NumericWeight(n) + 1) * 4 / 2 - 1;
  int32_t rscale = ClampScale(kMinSignificantDigits - sweight, {n.scale});
  // floor(sqrt(U * 10^(2 * rscale + 2 - s))) has one digit more than wanted; round it off.
  mpz_class u(n.digits, 10), pow10, root;
  mpz_ui_pow_ui(pow10.get_mpz_t(), 10, static_cast<unsigned long>(2 * rscale + 2 - n.scale));
  u *= pow10;
  mpz_sqrt(root.get_mpz_t(), u.get_mpz_t());
  root = (root + 5) / 10;
  Numeric r;
  r.digits = root.get_str(10);
  r.scale = rscale;
  return r;
}

Result<Numeric> NumericExp(const Numeric& n) {
  if (n.kind == Numeric::Kind::kNaN || n.kind == Numeric::Kind::kPositiveInfinity) return n;
  if (n.kind == Numeric::Kind::kNegativeInfinity) return NumericFromInt(0);
  long double x = ToLongDouble(n);
  int32_t rscale = ClampScale(kMinSignificantDigits - static_cast<int64_t>(x * 0.434294481903252L), {n.scale});
  long double r = std::exp(x);
  if (std::isinf(r)) return MakeError(sqlstate::kNumericValueOutOfRange, "value overflows numeric format");
  return FromLongDouble(r, rscale);
}

Result<Numeric> NumericLn(const Numeric& n) {
  if (n.kind == Numeric::Kind::kNaN) return n;
  if (Status s = CheckLogArgument(n); !s.ok()) return s.error();
  if (n.kind == Numeric::Kind::kPositiveInfinity) return n;
  int32_t rscale = ClampScale(kMinSignificantDigits - LnDecimalWeight(n), {n.scale});
  return FromLongDouble(std::log(ToLongDouble(n)), rscale);
}

Result<Numeric> NumericLog(const Numeric& base, const Numeric& n) {
  if (base.kind == Numeric::Kind::kNaN || n.kind == Numeric::Kind::kNaN) return *NumericIn("NaN");
  if (Status s = CheckLogArgument(base); !s.ok()) return s.error();
  if (Status s = CheckLogArgument(n); !s.ok()) return s.error();
  if (!IsFinite(base) || !IsFinite(n)) return *NumericIn("NaN");
  long double ln_base = std::log(ToLongDouble(base));
  if (ln_base == 0) return MakeError(sqlstate::kDivisionByZero, "division by zero");
  int64_t dweight = LnDecimalWeight(n) - LnDecimalWeight(base);
  int32_t rscale = ClampScale(kMinSignificantDigits - dweight, {base.scale, n.scale});
  return FromLongDouble(std::log(ToLongDouble(n)) / ln_base, rscale);
}

Result<Numeric> NumericPower(const Numeric& base, const Numeric& exponent) {
  if (!IsFinite(base) || !IsFinite(exponent)) {
    // PostgreSQL 15 defines these too; minipg keeps to NaN for them.
    if (base.kind == Numeric::Kind::kNaN && NumericIsZero(exponent)) return NumericFromInt(1);
    return *NumericIn("NaN");
  }
  bool integral = NumericCompare(NumericTrunc(exponent, 0), exponent) == 0;
  if (NumericIsZero(base) && exponent.negative) {
    return Domain(sqlstate::kInvalidArgumentForPower, "zero raised to a negative power is undefined");
  }
  if (base.negative && !integral) {
    return Domain(sqlstate::kInvalidArgumentForPower,
                  "a negative number raised to a non-integer power yields a complex result");
  }
  if (integral && NumericCompare(NumericAbs(exponent), NumericFromInt(1000000)) <= 0) {
    auto e = NumericToInt(exponent, INT32_MIN, INT32_MAX, "integer");
    int32_t rscale = ClampScale(kMinSignificantDigits, {base.scale});
    int64_t k = std::llabs(*e);
    Numeric result = NumericFromInt(1);
    Numeric square = base;
    for (; k > 0; k >>= 1) {  // exact: the scales add up
      if (k & 1) result = NumericMul(result, square);
      if (k > 1) square = NumericMul(square, square);
    }
    if (*e < 0) {
      auto inverse = NumericDiv(NumericFromInt(1), result);
      if (!inverse.ok()) return inverse;
      // the quotient again at rscale, from the exact power
      Numeric one = NumericFromInt(1);
      one.digits = "1" + std::string(static_cast<size_t>(rscale + 1), '0');
      one.scale = rscale + 1;
      inverse = NumericDiv(one, result);
      if (!inverse.ok()) return inverse;
      return NumericRound(*inverse, rscale);
    }
    return NumericRound(result, rscale);
  }
  long double val = static_cast<long double>(std::log(ToLongDouble(base))) * ToLongDouble(exponent);
  int32_t rscale = ClampScale(kMinSignificantDigits - static_cast<int64_t>(val * 0.434294481903252L),
                              {base.scale, exponent.scale});
  return FromLongDouble(std::pow(ToLongDouble(base), ToLongDouble(exponent)), rscale);
}

}  // namespace minipg::sql::adt
