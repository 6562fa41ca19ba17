/*-------------------------------------------------------------------------
 * numeric.h
 *   numeric: PostgreSQL 15's exact decimal (storage::Numeric), its text
 *   form, arithmetic with PostgreSQL's result scales, rounding, the
 *   numeric(p,s) type modifier and conversions to and from the other
 *   number types.
 *
 * NOTES
 *   The arithmetic runs on GMP integers (libgmp): a value is its unscaled
 *   digits times 10^-scale, so + - * are exact and / rounds half away from
 *   zero at the scale PostgreSQL's select_div_scale picks. NaN sorts above
 *   every other value and equals itself; +-Infinity follow PostgreSQL 15.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/common/error.h"
#include "engine/storage/datum.h"

namespace minipg::sql::adt {

using storage::Numeric;

/* numeric_in: '12.50', '-1e3', ' NaN ', 'Infinity', '-inf'; 22P02 otherwise. */
Result<Numeric> NumericIn(std::string_view text);
/* numeric_out: "12.50", "NaN", "-Infinity". */
std::string NumericOut(const Numeric& n);

Numeric NumericFromInt(int64_t v);
/* float8 -> numeric as PostgreSQL: through 15 significant digits (6 for a real). */
Numeric NumericFromDouble(double v, int significant_digits = 15);
/* Rounds half away from zero; 22003 "<type> out of range" (type_name: "integer", ...),
 * 0A000 for NaN and infinity. */
Result<int64_t> NumericToInt(const Numeric& n, int64_t min, int64_t max, const char* type_name);
double NumericToDouble(const Numeric& n);

bool NumericIsZero(const Numeric& n);
/* -1, 0, 1; NaN is above +Infinity and equal to NaN. */
int NumericCompare(const Numeric& a, const Numeric& b);

Numeric NumericAdd(const Numeric& a, const Numeric& b);
Numeric NumericSub(const Numeric& a, const Numeric& b);
Numeric NumericMul(const Numeric& a, const Numeric& b);
/* 22012 "division by zero". */
Result<Numeric> NumericDiv(const Numeric& a, const Numeric& b);
Result<Numeric> NumericMod(const Numeric& a, const Numeric& b);
/* div(a, b): the truncated integer quotient. */
Result<Numeric> NumericDivTrunc(const Numeric& a, const Numeric& b);
Numeric NumericNegate(const Numeric& a);
Numeric NumericAbs(const Numeric& a);

/* round(n, scale) half away from zero / trunc(n, scale); scale may be negative. */
Numeric NumericRound(const Numeric& n, int32_t scale);
Numeric NumericTrunc(const Numeric& n, int32_t scale);
Numeric NumericCeil(const Numeric& n);
Numeric NumericFloor(const Numeric& n);
/* -1, 0 or 1 (NaN for NaN). */
Numeric NumericSign(const Numeric& n);

/* The weight of the first base-10000 digit, as PostgreSQL's NumericVar has it
 * (12345.6 -> 1, 0.0001 -> -1; 0 for zero). */
int64_t NumericWeight(const Numeric& n);

/* sqrt, exp, ln, log(base, x), power at PostgreSQL 15's result scales;
 * 2201E / 2201F for arguments out of their domain. Integer powers are
 * exact; the others are computed in long double (18 significant digits)
 * and rounded to the scale PostgreSQL shows. */
Result<Numeric> NumericSqrt(const Numeric& n);
Result<Numeric> NumericExp(const Numeric& n);
Result<Numeric> NumericLn(const Numeric& n);
Result<Numeric> NumericLog(const Numeric& base, const Numeric& n);
Result<Numeric> NumericPower(const Numeric& base, const Numeric& exponent);

/* numeric(p,s) typmod: ((p << 16) | s) + 4, -1 none. */
inline int32_t NumericTypmod(int32_t precision, int32_t scale) { return ((precision << 16) | (scale & 0xFFFF)) + 4; }
/* Rounds to the typmod's scale; 22003 "numeric field overflow" with PostgreSQL's DETAIL. */
Result<Numeric> NumericApplyTypmod(const Numeric& n, int32_t typmod);

}  // namespace minipg::sql::adt
