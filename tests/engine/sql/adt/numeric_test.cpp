// numeric and double precision: text input/output, arithmetic scales,
// rounding, typmods and casts. Expected values are PostgreSQL 15's
// (psql against a PG15 server; the query is in each test's comment).
#include "engine/sql/adt/numeric.h"

#include <gtest/gtest.h>

#include "engine/sql/adt/float.h"
#include "engine/sql/types.h"

namespace minipg::sql::adt {
namespace {

Numeric N(std::string_view text) {
  auto n = NumericIn(text);
  EXPECT_TRUE(n.ok()) << text;
  return n.ok() ? *n : Numeric{};
}

std::string Out(const Result<Numeric>& n) { return n.ok() ? NumericOut(*n) : "ERROR " + n.error().message; }

// select '12.50'::numeric, '-1e3'::numeric, ' NaN '::numeric, '-inf'::numeric,
//        '1.5e-3'::numeric, '0.000'::numeric, '-0.00'::numeric
TEST(NumericTest, TextInputAndOutput) {
  EXPECT_EQ(NumericOut(N("12.50")), "12.50");
  EXPECT_EQ(NumericOut(N("-1e3")), "-1000");
  EXPECT_EQ(NumericOut(N(" NaN ")), "NaN");
  EXPECT_EQ(NumericOut(N("-inf")), "-Infinity");
  EXPECT_EQ(NumericOut(N("1.5e-3")), "0.0015");
  EXPECT_EQ(NumericOut(N("0.000")), "0.000");
  EXPECT_EQ(NumericOut(N("-0.00")), "0.00");
  auto bad = NumericIn("abc");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().sqlstate, "22P02");
  EXPECT_EQ(bad.error().message, "invalid input syntax for type numeric: \"abc\"");
}

// select 1.5::numeric + 2.25, 1.5::numeric - 2.25, 1.5::numeric * 2.25, 1::numeric / 3,
//        10::numeric/4, 2::numeric/3.0000000000000000000001, 1000000::numeric / 7,
//        0.001::numeric / 7, 12345678901234567890::numeric / 3
TEST(NumericTest, ArithmeticScalesArePostgresqls) {
  EXPECT_EQ(NumericOut(NumericAdd(N("1.5"), N("2.25"))), "3.75");
  EXPECT_EQ(NumericOut(NumericSub(N("1.5"), N("2.25"))), "-0.75");
  EXPECT_EQ(NumericOut(NumericMul(N("1.5"), N("2.25"))), "3.375");
  EXPECT_EQ(Out(NumericDiv(N("1"), N("3"))), "0.33333333333333333333");
  EXPECT_EQ(Out(NumericDiv(N("10"), N("4"))), "2.5000000000000000");
  EXPECT_EQ(Out(NumericDiv(N("2"), N("3.0000000000000000000001"))), "0.6666666666666666666666");
  EXPECT_EQ(Out(NumericDiv(N("1000000"), N("7"))), "142857.142857142857");
  EXPECT_EQ(Out(NumericDiv(N("0.001"), N("7"))), "0.00014285714285714286");
  EXPECT_EQ(Out(NumericDiv(N("12345678901234567890"), N("3"))), "4115226300411522630");
}

// select 7.5::numeric % 2, -7.5::numeric % 2, div(7.5::numeric, 2), round(2.5::numeric),
//        round(-2.5::numeric), round(1234.5678::numeric, 2), round(1234.5678::numeric, -2),
//        trunc(-1234.5678::numeric, 1), round(1.5::numeric, 3)
// select ceil(-1.5::numeric), floor(-1.5::numeric), ceil(1.2::numeric), sign(-3.3::numeric), abs(-3.30::numeric)
TEST(NumericTest, ModuloRoundingAndFriends) {
  EXPECT_EQ(Out(NumericMod(N("7.5"), N("2"))), "1.5");
  EXPECT_EQ(Out(NumericMod(N("-7.5"), N("2"))), "-1.5");
  EXPECT_EQ(Out(NumericDivTrunc(N("7.5"), N("2"))), "3");
  EXPECT_EQ(NumericOut(NumericRound(N("2.5"), 0)), "3");
  EXPECT_EQ(NumericOut(NumericRound(N("-2.5"), 0)), "-3");
  EXPECT_EQ(NumericOut(NumericRound(N("1234.5678"), 2)), "1234.57");
  EXPECT_EQ(NumericOut(NumericRound(N("1234.5678"), -2)), "1200");
  EXPECT_EQ(NumericOut(NumericTrunc(N("-1234.5678"), 1)), "-1234.5");
  EXPECT_EQ(NumericOut(NumericRound(N("1.5"), 3)), "1.500");
  EXPECT_EQ(NumericOut(NumericCeil(N("-1.5"))), "-1");
  EXPECT_EQ(NumericOut(NumericFloor(N("-1.5"))), "-2");
  EXPECT_EQ(NumericOut(NumericCeil(N("1.2"))), "2");
  EXPECT_EQ(NumericOut(NumericSign(N("-3.3"))), "-1");
  EXPECT_EQ(NumericOut(NumericAbs(N("-3.30"))), "3.30");
}

// select 'Infinity'::numeric + 1, 'Infinity'::numeric - 'Infinity'::numeric,
//        'Infinity'::numeric * 0, 1 / 'Infinity'::numeric, 'NaN'::numeric > 'Infinity'::numeric
// select 1::numeric / 0; select 5::numeric % 0  -> ERROR: division by zero (22012)
TEST(NumericTest, InfinityNanAndDivisionByZero) {
  EXPECT_EQ(NumericOut(NumericAdd(N("Infinity"), N("1"))), "Infinity");
  EXPECT_EQ(NumericOut(NumericSub(N("Infinity"), N("Infinity"))), "NaN");
  EXPECT_EQ(NumericOut(NumericMul(N("Infinity"), N("0"))), "NaN");
  EXPECT_EQ(Out(NumericDiv(N("1"), N("Infinity"))), "0");
  EXPECT_EQ(NumericCompare(N("NaN"), N("Infinity")), 1);
  EXPECT_EQ(NumericCompare(N("NaN"), N("NaN")), 0);
  EXPECT_EQ(NumericCompare(N("1.0"), N("1.00")), 0);
  EXPECT_EQ(NumericCompare(N("-Infinity"), N("-1e100")), -1);
  for (auto r : {NumericDiv(N("1"), N("0")), NumericMod(N("5"), N("0"))}) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().sqlstate, "22012");
    EXPECT_EQ(r.error().message, "division by zero");
  }
}

// select 123.456::numeric(5,2) -> 123.46; select 0.5::numeric(3,3) -> 0.500
// select 99.995::numeric(4,2); select 'inf'::numeric(5,2); select 0.9999::numeric(3,3) -> errors below
TEST(NumericTest, TypmodRoundsAndOverflows) {
  EXPECT_EQ(Out(NumericApplyTypmod(N("123.456"), NumericTypmod(5, 2))), "123.46");
  EXPECT_EQ(Out(NumericApplyTypmod(N("0.5"), NumericTypmod(3, 3))), "0.500");
  EXPECT_EQ(Out(NumericApplyTypmod(N("NaN"), NumericTypmod(3, 3))), "NaN");
  auto overflow = NumericApplyTypmod(N("99.995"), NumericTypmod(4, 2));
  ASSERT_FALSE(overflow.ok());
  EXPECT_EQ(overflow.error().sqlstate, "22003");
  EXPECT_EQ(overflow.error().message, "numeric field overflow");
  EXPECT_EQ(overflow.error().detail, "A field with precision 4, scale 2 must round to an absolute value less than 10^2.");
  auto below_one = NumericApplyTypmod(N("0.9999"), NumericTypmod(3, 3));
  ASSERT_FALSE(below_one.ok());
  EXPECT_EQ(below_one.error().detail, "A field with precision 3, scale 3 must round to an absolute value less than 1.");
  auto inf = NumericApplyTypmod(N("inf"), NumericTypmod(5, 2));
  ASSERT_FALSE(inf.ok());
  EXPECT_EQ(inf.error().detail, "A field with precision 5, scale 2 cannot hold an infinite value.");
}

// select 1.5::float8, 0.1::float8, 1e100::float8, 1.0/3::float8, 123456789012345::float8,
//        1234567890123456::float8, 0.0001::float8, 0.00001::float8, -0::float8, 'nan'::float8,
//        '-inf'::float8, 100::float8, 1e15::float8, 1.2345678901234567e19::float8
TEST(Float8Test, OutputIsShortestRoundTrip) {
  EXPECT_EQ(Float8Out(1.5), "1.5");
  EXPECT_EQ(Float8Out(0.1), "0.1");
  EXPECT_EQ(Float8Out(1e100), "1e+100");
  EXPECT_EQ(Float8Out(1.0 / 3), "0.3333333333333333");
  EXPECT_EQ(Float8Out(123456789012345.0), "123456789012345");
  EXPECT_EQ(Float8Out(1234567890123456.0), "1.234567890123456e+15");
  EXPECT_EQ(Float8Out(0.0001), "0.0001");
  EXPECT_EQ(Float8Out(0.00001), "1e-05");
  EXPECT_EQ(Float8Out(-0.0), "-0");
  EXPECT_EQ(Float8Out(*Float8In("nan")), "NaN");
  EXPECT_EQ(Float8Out(*Float8In("-inf")), "-Infinity");
  EXPECT_EQ(Float8Out(100), "100");
  EXPECT_EQ(Float8Out(1e15), "1e+15");
  EXPECT_EQ(Float8Out(1.2345678901234567e19), "1.2345678901234567e+19");
}

// select '1e400'::float8; select 'x1'::float8
TEST(Float8Test, BadInput) {
  auto big = Float8In("1e400");
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().sqlstate, "22003");
  EXPECT_EQ(big.error().message, "\"1e400\" is out of range for type double precision");
  auto bad = Float8In("x1");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().sqlstate, "22P02");
  EXPECT_EQ(bad.error().message, "invalid input syntax for type double precision: \"x1\"");
}

// select 0.1::float8::numeric; select 2147483647.5::numeric::int4 (integer out of range);
// select 'NaN'::numeric::int4 (cannot convert NaN to integer);
// select 2.5::float8::int4, 3.5::float8::int4, 2.5::numeric::int4, (-2.5)::numeric::int8 -> 2, 4, 3, -3
TEST(NumericTest, CastsThroughTypesH) {
  using storage::Datum;
  auto cast = [](std::string_view text, TypeId from, TypeId to) {
    auto v = InputText(text, from);
    EXPECT_TRUE(v.ok());
    auto r = CastValue(*v, from, to);
    return r.ok() ? OutputText(*r, to) : "ERROR " + r.error().message;
  };
  EXPECT_EQ(cast("0.1", TypeId::kFloat8, TypeId::kNumeric), "0.1");
  EXPECT_EQ(cast("2147483647.5", TypeId::kNumeric, TypeId::kInt4), "ERROR integer out of range");
  EXPECT_EQ(cast("NaN", TypeId::kNumeric, TypeId::kInt4), "ERROR cannot convert NaN to integer");
  EXPECT_EQ(cast("2.5", TypeId::kFloat8, TypeId::kInt4), "2");
  EXPECT_EQ(cast("3.5", TypeId::kFloat8, TypeId::kInt4), "4");
  EXPECT_EQ(cast("2.5", TypeId::kNumeric, TypeId::kInt4), "3");
  EXPECT_EQ(cast("-2.5", TypeId::kNumeric, TypeId::kInt8), "-3");
  EXPECT_EQ(cast("42", TypeId::kInt4, TypeId::kNumeric), "42");
  EXPECT_TRUE(CanCast(TypeId::kInt4, TypeId::kNumeric, CastContext::kImplicit));
  EXPECT_FALSE(CanCast(TypeId::kNumeric, TypeId::kInt4, CastContext::kImplicit));
  EXPECT_TRUE(CanCast(TypeId::kNumeric, TypeId::kInt4, CastContext::kAssignment));
  EXPECT_FALSE(CanCast(TypeId::kFloat8, TypeId::kNumeric, CastContext::kImplicit));
  EXPECT_TRUE(CanCast(TypeId::kNumeric, TypeId::kFloat8, CastContext::kImplicit));
}

}  // namespace
}  // namespace minipg::sql::adt
