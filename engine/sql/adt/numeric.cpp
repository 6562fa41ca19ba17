/*-------------------------------------------------------------------------
 * numeric.cpp
 *   numeric arithmetic on GMP integers (numeric.h).
 *
 *   A finite value is U * 10^-s, U an integer (the digits) and s the
 *   display scale. Each operation turns its operands into GMP integers
 *   brought to a common scale, computes exactly, and rounds once where
 *   PostgreSQL rounds (division: half away from zero at the scale
 *   select_div_scale picks, at least 16 significant digits).
 *-------------------------------------------------------------------------
 */
#include "engine/sql/adt/numeric.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include <fmt/format.h>
#include <gmpxx.h>

#include "engine/common/sqlstate.h"

namespace minipg::sql::adt {
namespace {

using Kind = Numeric::Kind;

constexpr int32_t kMaxDisplayScale = 1000;  // NUMERIC_MAX_DISPLAY_SCALE
constexpr int32_t kMinSignificantDigits = 16;  // NUMERIC_MIN_SIG_DIGITS
constexpr size_t kMaxIntegerDigits = 131072;   // numeric's range: 131072 digits before the point

Numeric Special(Kind kind) {
  Numeric n;
  n.kind = kind;
  return n;
}
Numeric NaN() { return Special(Kind::kNaN); }
Numeric Inf(bool negative) { return Special(negative ? Kind::kNegativeInfinity : Kind::kPositiveInfinity); }
bool IsNaN(const Numeric& n) { return n.kind == Kind::kNaN; }
bool IsInf(const Numeric& n) { return n.kind == Kind::kPositiveInfinity || n.kind == Kind::kNegativeInfinity; }
bool IsFinite(const Numeric& n) { return n.kind == Kind::kFinite; }
/* The sign of a non-NaN value: -1, 0, 1. */
int SignOf(const Numeric& n) {
  if (n.kind == Kind::kPositiveInfinity) return 1;
  if (n.kind == Kind::kNegativeInfinity) return -1;
  if (n.digits == "0") return 0;
  return n.negative ? -1 : 1;
}

mpz_class Pow10(int32_t k) {
  mpz_class r;
  mpz_ui_pow_ui(r.get_mpz_t(), 10, static_cast<unsigned long>(k));
  return r;
}

/* The signed unscaled value. */
mpz_class Unscaled(const Numeric& n) {
  mpz_class v(n.digits, 10);
  return n.negative ? mpz_class(-v) : v;
}

/* The signed unscaled value at a larger scale. */
mpz_class UnscaledAt(const Numeric& n, int32_t scale) { return Unscaled(n) * Pow10(scale - n.scale); }

Numeric FromUnscaled(const mpz_class& v, int32_t scale) {
  Numeric n;
  n.negative = sgn(v) < 0;
  n.digits = mpz_class(abs(v)).get_str(10);
  n.scale = scale;
  return n;
}

/* v / d rounded half away from zero (d > 0 or < 0). */
mpz_class DivRound(const mpz_class& v, const mpz_class& d) {
  mpz_class q, r;
  mpz_tdiv_qr(q.get_mpz_t(), r.get_mpz_t(), v.get_mpz_t(), d.get_mpz_t());
  if (2 * abs(r) >= abs(d)) q += (sgn(v) * sgn(d) < 0) ? -1 : 1;
  return q;
}

/* The value brought to `scale` digits after the point, rounded half away
 * from zero or truncated; scale < 0 rounds to tens, hundreds, ... */
Numeric Rescale(const Numeric& n, int32_t scale, bool round) {
  if (!IsFinite(n)) return n;
  int32_t display = std::max(scale, 0);
  if (scale >= n.scale) return FromUnscaled(UnscaledAt(n, display), display);
  mpz_class d = Pow10(n.scale - scale);
  mpz_class q = round ? DivRound(Unscaled(n), d) : mpz_class(Unscaled(n) / d);  // C++ / truncates
  if (scale < 0) q *= Pow10(-scale);
  return FromUnscaled(q, display);
}

/* The exponent of the leading digit: 123.4 -> 2, 0.05 -> -2 (0 for zero). */
int64_t DecimalExponent(const Numeric& n) {
  if (n.digits == "0") return 0;
  return static_cast<int64_t>(n.digits.size()) - 1 - n.scale;
}

/* PostgreSQL's view of a value in base-10000 digits: the weight of the
 * first non-zero digit and that digit (0, 0 for zero). */
void BaseTenThousandLead(const Numeric& n, int64_t* weight, int64_t* first) {
  if (n.digits == "0") {
    *weight = 0;
    *first = 0;
    return;
  }
  int64_t e = DecimalExponent(n);
  int64_t w = e >= 0 ? e / 4 : -((-e + 3) / 4);  // floor(e / 4)
  int64_t shift = 4 * w + n.scale;                // |v| / 10^(4w) = U / 10^shift
  mpz_class u(n.digits, 10);
  mpz_class lead = shift >= 0 ? mpz_class(u / Pow10(static_cast<int32_t>(shift)))
                              : mpz_class(u * Pow10(static_cast<int32_t>(-shift)));
  *weight = w;
  *first = lead.get_si();
}

/* select_div_scale: at least 16 significant digits, and no fewer than either input shows. */
int32_t DivScale(const Numeric& a, const Numeric& b) {
  int64_t w1, f1, w2, f2;
  BaseTenThousandLead(a, &w1, &f1);
  BaseTenThousandLead(b, &w2, &f2);
  int64_t qweight = w1 - w2;
  if (f1 <= f2) --qweight;
  int64_t rscale = kMinSignificantDigits - qweight * 4;
  rscale = std::max<int64_t>({rscale, a.scale, b.scale, 0});
  return static_cast<int32_t>(std::min<int64_t>(rscale, kMaxDisplayScale));
}

Error DivisionByZero() { return MakeError(sqlstate::kDivisionByZero, "division by zero"); }

Error InvalidNumeric(std::string_view text) {
  return MakeError(sqlstate::kInvalidTextRepresentation,
                   fmt::format("invalid input syntax for type numeric: \"{}\"", text));
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

int64_t NumericWeight(const Numeric& n) {
  int64_t weight, first;
  BaseTenThousandLead(n, &weight, &first);
  return weight;
}

Result<Numeric> NumericIn(std::string_view text) {
  std::string_view s = text;
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  std::string word = Lower(s);
  if (word == "nan") return NaN();
  if (word == "infinity" || word == "+infinity" || word == "inf" || word == "+inf") return Inf(false);
  if (word == "-infinity" || word == "-inf") return Inf(true);
  bool negative = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  std::string digits;
  int64_t frac = 0;
  bool seen_point = false;
  size_t i = 0;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      digits.push_back(c);
      if (seen_point) ++frac;
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      break;
    }
  }
  if (digits.empty()) return InvalidNumeric(text);
  int64_t exponent = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) exp_negative = s[i++] == '-';
    size_t start = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      exponent = exponent * 10 + (s[i] - '0');
      if (exponent > 1000) return InvalidNumeric(text);  // NUMERIC_MAX_PRECISION, as PostgreSQL
      ++i;
    }
    if (i == start) return InvalidNumeric(text);
    if (exp_negative) exponent = -exponent;
  }
  if (i != s.size()) return InvalidNumeric(text);
  int64_t scale = frac - exponent;
  mpz_class u(digits, 10);
  if (scale < 0) {
    u *= Pow10(static_cast<int32_t>(-scale));
    scale = 0;
  }
  Numeric n = FromUnscaled(negative ? mpz_class(-u) : u, static_cast<int32_t>(scale));
  if (DecimalExponent(n) >= static_cast<int64_t>(kMaxIntegerDigits) || n.scale > 16383) {
    return MakeError(sqlstate::kNumericValueOutOfRange, "value overflows numeric format");
  }
  return n;
}

std::string NumericOut(const Numeric& n) {
  switch (n.kind) {
    case Kind::kNaN:
      return "NaN";
    case Kind::kPositiveInfinity:
      return "Infinity";
    case Kind::kNegativeInfinity:
      return "-Infinity";
    case Kind::kFinite:
      break;
  }
  std::string d = n.digits;
  if (n.scale > 0) {
    if (d.size() <= static_cast<size_t>(n.scale)) d.insert(0, n.scale + 1 - d.size(), '0');
    d.insert(d.size() - n.scale, 1, '.');
  }
  return (n.negative ? "-" : "") + d;
}

Numeric NumericFromInt(int64_t v) { return FromUnscaled(mpz_class(std::to_string(v), 10), 0); }

Numeric NumericFromDouble(double v, int significant_digits) {
  if (std::isnan(v)) return NaN();
  if (std::isinf(v)) return Inf(v < 0);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", significant_digits, v);
  auto n = NumericIn(buf);
  return n.ok() ? *n : NaN();
}

Result<int64_t> NumericToInt(const Numeric& n, int64_t min, int64_t max, const char* type_name) {
  if (IsNaN(n)) {
    return MakeError(sqlstate::kFeatureNotSupported, fmt::format("cannot convert NaN to {}", type_name));
  }
  if (IsInf(n)) {
    return MakeError(sqlstate::kFeatureNotSupported, fmt::format("cannot convert infinity to {}", type_name));
  }
  mpz_class v = Unscaled(Rescale(n, 0, /*round=*/true));
  if (v < mpz_class(std::to_string(min), 10) || v > mpz_class(std::to_string(max), 10)) {
    return MakeError(sqlstate::kNumericValueOutOfRange, fmt::format("{} out of range", type_name));
  }
  return static_cast<int64_t>(std::strtoll(v.get_str(10).c_str(), nullptr, 10));
}

double NumericToDouble(const Numeric& n) {
  if (IsNaN(n)) return std::nan("");
  if (IsInf(n)) return n.kind == Kind::kPositiveInfinity ? HUGE_VAL : -HUGE_VAL;
  return std::strtod(NumericOut(n).c_str(), nullptr);
}

bool NumericIsZero(const Numeric& n) { return IsFinite(n) && n.digits == "0"; }

int NumericCompare(const Numeric& a, const Numeric& b) {
  if (IsNaN(a) || IsNaN(b)) return IsNaN(a) == IsNaN(b) ? 0 : IsNaN(a) ? 1 : -1;
  if (IsInf(a) || IsInf(b)) {
    int sa = IsInf(a) ? SignOf(a) * 2 : 0;
    int sb = IsInf(b) ? SignOf(b) * 2 : 0;
    return sa < sb ? -1 : sa > sb ? 1 : 0;
  }
  int32_t scale = std::max(a.scale, b.scale);
  int c = cmp(UnscaledAt(a, scale), UnscaledAt(b, scale));
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

Numeric NumericAdd(const Numeric& a, const Numeric& b) {
  if (IsNaN(a) || IsNaN(b)) return NaN();
  if (IsInf(a) && IsInf(b)) return a.kind == b.kind ? a : NaN();
  if (IsInf(a)) return a;
  if (IsInf(b)) return b;
  int32_t scale = std::max(a.scale, b.scale);
  return FromUnscaled(UnscaledAt(a, scale) + UnscaledAt(b, scale), scale);
}

Numeric NumericNegate(const Numeric& a) {
  if (IsNaN(a)) return a;
  if (IsInf(a)) return Inf(a.kind == Kind::kPositiveInfinity);
  Numeric n = a;
  n.negative = !a.negative && a.digits != "0";
  return n;
}

Numeric NumericAbs(const Numeric& a) {
  if (IsNaN(a)) return a;
  if (IsInf(a)) return Inf(false);
  Numeric n = a;
  n.negative = false;
  return n;
}

Numeric NumericSub(const Numeric& a, const Numeric& b) { return NumericAdd(a, NumericNegate(b)); }

Numeric NumericMul(const Numeric& a, const Numeric& b) {
  if (IsNaN(a) || IsNaN(b)) return NaN();
  if (IsInf(a) || IsInf(b)) {
    int s = SignOf(a) * SignOf(b);
    return s == 0 ? NaN() : Inf(s < 0);
  }
  int32_t scale = std::min(a.scale + b.scale, kMaxDisplayScale);
  Numeric exact = FromUnscaled(Unscaled(a) * Unscaled(b), a.scale + b.scale);
  return scale == exact.scale ? exact : Rescale(exact, scale, /*round=*/true);
}

namespace {

/* a / b when either is NaN or infinite or b is zero (what / and div()
 * share), or nullopt for a finite quotient to compute. */
std::optional<Result<Numeric>> SpecialQuotient(const Numeric& a, const Numeric& b) {
  if (IsNaN(a) || IsNaN(b)) return Result<Numeric>(NaN());
  if (IsInf(a)) {
    if (IsInf(b)) return Result<Numeric>(NaN());
    if (NumericIsZero(b)) return Result<Numeric>(DivisionByZero());
    return Result<Numeric>(Inf(SignOf(a) * SignOf(b) < 0));
  }
  if (IsInf(b)) return Result<Numeric>(NumericFromInt(0));
  if (NumericIsZero(b)) return Result<Numeric>(DivisionByZero());
  return std::nullopt;
}

}  // namespace

Result<Numeric> NumericDiv(const Numeric& a, const Numeric& b) {
  if (auto special = SpecialQuotient(a, b)) return *special;
  int32_t rscale = DivScale(a, b);
  // a / b at rscale = (Ua * 10^(rscale + sb - sa)) / Ub, rounded.
  int64_t k = int64_t{rscale} + b.scale - a.scale;
  mpz_class num = Unscaled(a), den = Unscaled(b);
  if (k >= 0) {
    num *= Pow10(static_cast<int32_t>(k));
  } else {
    den *= Pow10(static_cast<int32_t>(-k));
  }
  return FromUnscaled(DivRound(num, den), rscale);
}

Result<Numeric> NumericMod(const Numeric& a, const Numeric& b) {
  if (IsNaN(a) || IsNaN(b)) return NaN();
  if (IsInf(a)) {
    if (NumericIsZero(b)) return DivisionByZero();
    return NaN();
  }
  if (IsInf(b)) return a;
  if (NumericIsZero(b)) return DivisionByZero();
  int32_t scale = std::max(a.scale, b.scale);
  mpz_class r;
  mpz_tdiv_r(r.get_mpz_t(), UnscaledAt(a, scale).get_mpz_t(), UnscaledAt(b, scale).get_mpz_t());
  return FromUnscaled(r, scale);
}

Result<Numeric> NumericDivTrunc(const Numeric& a, const Numeric& b) {
  if (auto special = SpecialQuotient(a, b)) return *special;
  int32_t scale = std::max(a.scale, b.scale);
  mpz_class q;
  mpz_tdiv_q(q.get_mpz_t(), UnscaledAt(a, scale).get_mpz_t(), UnscaledAt(b, scale).get_mpz_t());
  return FromUnscaled(q, 0);
}

Numeric NumericRound(const Numeric& n, int32_t scale) {
  return Rescale(n, std::clamp(scale, -kMaxDisplayScale, kMaxDisplayScale), /*round=*/true);
}

Numeric NumericTrunc(const Numeric& n, int32_t scale) {
  return Rescale(n, std::clamp(scale, -kMaxDisplayScale, kMaxDisplayScale), /*round=*/false);
}

Numeric NumericCeil(const Numeric& n) {
  if (!IsFinite(n)) return n;
  Numeric t = Rescale(n, 0, /*round=*/false);
  if (!n.negative && NumericCompare(t, n) != 0) t = NumericAdd(t, NumericFromInt(1));
  return t;
}

Numeric NumericFloor(const Numeric& n) {
  if (!IsFinite(n)) return n;
  Numeric t = Rescale(n, 0, /*round=*/false);
  if (n.negative && NumericCompare(t, n) != 0) t = NumericSub(t, NumericFromInt(1));
  return t;
}

Numeric NumericSign(const Numeric& n) {
  if (IsNaN(n)) return n;
  return NumericFromInt(SignOf(n));
}

Result<Numeric> NumericApplyTypmod(const Numeric& n, int32_t typmod) {
  if (typmod < 4 || IsNaN(n)) return n;
  int32_t precision = ((typmod - 4) >> 16) & 0xFFFF;
  int32_t scale = (((typmod - 4) & 0x7FF) ^ 1024) - 1024;  // PostgreSQL 15 allows a negative scale
  int32_t max_digits = precision - scale;
  if (IsInf(n)) {
    Error e = MakeError(sqlstate::kNumericValueOutOfRange, "numeric field overflow");
    e.detail = fmt::format("A field with precision {}, scale {} cannot hold an infinite value.", precision, scale);
    return e;
  }
  Numeric r = Rescale(n, scale, /*round=*/true);
  if (r.digits != "0" && DecimalExponent(r) + 1 > max_digits) {
    Error e = MakeError(sqlstate::kNumericValueOutOfRange, "numeric field overflow");
    e.detail = fmt::format("A field with precision {}, scale {} must round to an absolute value less than {}{}.",
                           precision, scale, max_digits != 0 ? "10^" : "", max_digits != 0 ? max_digits : 1);
    return e;
  }
  return r;
}

}  // namespace minipg::sql::adt
