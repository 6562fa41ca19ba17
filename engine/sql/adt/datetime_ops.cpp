/*-------------------------------------------------------------------------
 * datetime_ops.cpp
 *   The operators of date, timestamp, timestamptz and interval (+ - * /
 *   and comparisons, within and across the types) and their functions
 *   (now, date_trunc, date_part, extract, age, make_date, isfinite,
 *   justify_*, the timestamp(p) / interval(p) coercions), with PostgreSQL
 *   15's OIDs.
 *-------------------------------------------------------------------------
 */
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "engine/common/sqlstate.h"
#include "engine/sql/admin_functions.h"
#include "engine/sql/adt/datetime.h"
#include "engine/sql/adt/function_args.h"
#include "engine/sql/adt/numeric.h"

namespace minipg::sql::adt {
namespace {

Error DateOutOfRange() { return MakeError(sqlstate::kDatetimeFieldOverflow, "date out of range"); }

Result<Datum> AddDays(int64_t date, int64_t days) {
  if (!DateIsFinite(date)) return Datum(date);
  int64_t r = date + days;
  if (r < -2440588 || r > 2147483647 - 2440588) return DateOutOfRange();  // julian day 0 .. int32
  return Datum(r);
}

Result<Datum> DatePlusInt(const FunctionCall& c) { return AddDays(IntArg(c, 0), IntArg(c, 1)); }
Result<Datum> IntPlusDate(const FunctionCall& c) { return AddDays(IntArg(c, 1), IntArg(c, 0)); }
Result<Datum> DateMinusInt(const FunctionCall& c) { return AddDays(IntArg(c, 0), -IntArg(c, 1)); }
Result<Datum> DateMinusDate(const FunctionCall& c) {
  if (!DateIsFinite(IntArg(c, 0)) || !DateIsFinite(IntArg(c, 1))) {
    return MakeError(sqlstate::kDatetimeFieldOverflow, "cannot subtract infinite dates");
  }
  return Datum(IntArg(c, 0) - IntArg(c, 1));
}

/* A timestamp operand: a date becomes its midnight. */
int64_t TimestampArg(const FunctionCall& c, size_t i) {
  return c.arg_types[i] == T::kDate ? DateToTimestamp(IntArg(c, i)) : IntArg(c, i);
}

Result<Datum> PlusInterval(int64_t ts, const Interval& iv) { return Wrap(TimestampPlusInterval(ts, iv)); }
Result<Datum> DatePlusInterval(const FunctionCall& c) { return PlusInterval(TimestampArg(c, 0), IntervalArg(c, 1)); }
Result<Datum> IntervalPlusDate(const FunctionCall& c) { return PlusInterval(TimestampArg(c, 1), IntervalArg(c, 0)); }
Result<Datum> TimestampPlusIntervalOp(const FunctionCall& c) { return PlusInterval(IntArg(c, 0), IntervalArg(c, 1)); }
Result<Datum> IntervalPlusTimestamp(const FunctionCall& c) { return PlusInterval(IntArg(c, 1), IntervalArg(c, 0)); }
Result<Datum> MinusInterval(int64_t ts, const Interval& iv) {
  auto negated = IntervalNegate(iv);
  if (!negated.ok()) return negated.error();
  return PlusInterval(ts, *negated);
}
Result<Datum> DateMinusInterval(const FunctionCall& c) { return MinusInterval(TimestampArg(c, 0), IntervalArg(c, 1)); }
Result<Datum> TimestampMinusIntervalOp(const FunctionCall& c) { return MinusInterval(IntArg(c, 0), IntervalArg(c, 1)); }
Result<Datum> TimestampMinusOp(const FunctionCall& c) { return Wrap(TimestampMinus(IntArg(c, 0), IntArg(c, 1))); }

Result<Datum> IntervalAddOp(const FunctionCall& c) { return Wrap(IntervalAdd(IntervalArg(c, 0), IntervalArg(c, 1))); }
Result<Datum> IntervalSubOp(const FunctionCall& c) {
  auto negated = IntervalNegate(IntervalArg(c, 1));
  if (!negated.ok()) return negated.error();
  return Wrap(IntervalAdd(IntervalArg(c, 0), *negated));
}
Result<Datum> IntervalNegateOp(const FunctionCall& c) { return Wrap(IntervalNegate(IntervalArg(c, 0))); }
Result<Datum> IntervalMulOp(const FunctionCall& c) { return Wrap(IntervalMultiply(IntervalArg(c, 0), FloatArg(c, 1))); }
Result<Datum> FloatMulInterval(const FunctionCall& c) { return Wrap(IntervalMultiply(IntervalArg(c, 1), FloatArg(c, 0))); }
Result<Datum> IntervalDivOp(const FunctionCall& c) {
  if (FloatArg(c, 1) == 0) return MakeError(sqlstate::kDivisionByZero, "division by zero");
  return Wrap(IntervalMultiply(IntervalArg(c, 0), 1.0 / FloatArg(c, 1)));
}

Result<Datum> Now(const FunctionCall&) { return Datum(TransactionStartTimestamp()); }
Result<Datum> ClockTimestamp(const FunctionCall&) { return Datum(WallClockMicros()); }

const char* TypeNameOf(const FunctionCall& c, size_t i) { return TypeName(c.arg_types[i]); }

Result<Datum> DateTruncTimestamp(const FunctionCall& c) {
  return Wrap(TimestampTrunc(TextArg(c, 0), IntArg(c, 1), TypeNameOf(c, 1)));
}
Result<Datum> DateTruncInterval(const FunctionCall& c) { return Wrap(IntervalTrunc(TextArg(c, 0), IntervalArg(c, 1))); }

/* date_part: NULL where PostgreSQL 15 has no value (a field of infinity). */
Result<Datum> PartResult(Result<double> r) {
  if (!r.ok()) return r.error();
  if (std::isnan(*r)) return Datum(std::monostate{});
  return Datum(*r);
}
Result<Datum> DatePartTimestamp(const FunctionCall& c) {
  return PartResult(TimestampPart(TextArg(c, 0), TimestampArg(c, 1), TypeNameOf(c, 1)));
}
Result<Datum> DatePartInterval(const FunctionCall& c) { return PartResult(IntervalPart(TextArg(c, 0), IntervalArg(c, 1))); }

/* extract: date_part's value as numeric, exact to the microsecond for the
 * fields with a fraction ("15.500000"). */
Numeric Scaled(int64_t unscaled, int32_t scale) {
  Numeric n = NumericFromInt(unscaled);
  n.scale = scale;  // the same digits, read with `scale` of them after the point
  return n;
}
std::string FieldOf(const FunctionCall& c) {
  std::string f(TextArg(c, 0));
  for (char& ch : f) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return f;
}
Result<Datum> ExtractFromMicros(const std::string& field, int64_t micros_in_minute, int64_t epoch_micros,
                                bool has_epoch_fraction, Result<double> part) {
  if (field == "second" || field == "seconds" || field == "sec" || field == "secs" || field == "s") {
    return Datum(Scaled(micros_in_minute, 6));
  }
  if (field == "millisecond" || field == "milliseconds" || field == "ms" || field == "msec" || field == "msecs") {
    return Datum(Scaled(micros_in_minute, 3));
  }
  if (field == "epoch" && part.ok() && std::isfinite(*part)) {
    return Datum(has_epoch_fraction ? Scaled(epoch_micros, 6) : NumericFromInt(epoch_micros / kMicrosPerSecond));
  }
  if (!part.ok()) return part.error();
  if (std::isnan(*part)) return Datum(std::monostate{});
  return Datum(NumericFromDouble(*part, 17));
}
Result<Datum> ExtractTimestamp(const FunctionCall& c) {
  int64_t ts = TimestampArg(c, 1);
  std::string field = FieldOf(c);
  auto part = TimestampPart(field, ts, TypeNameOf(c, 1));
  if (!TimestampIsFinite(ts)) {
    if (!part.ok()) return part.error();
    if (std::isnan(*part)) return Datum(std::monostate{});
    return Datum(*NumericIn(*part > 0 ? "Infinity" : "-Infinity"));
  }
  int64_t in_minute = ((ts % (60 * kMicrosPerSecond)) + 60 * kMicrosPerSecond) % (60 * kMicrosPerSecond);
  return ExtractFromMicros(field, in_minute, ts, c.arg_types[1] != T::kDate, part);
}
Result<Datum> ExtractInterval(const FunctionCall& c) {
  const Interval& iv = IntervalArg(c, 1);
  std::string field = FieldOf(c);
  int64_t epoch = int64_t{iv.months / 12} * 31557600 * kMicrosPerSecond +
                  int64_t{iv.months % 12} * 30 * kMicrosPerDay + int64_t{iv.days} * kMicrosPerDay + iv.micros;
  return ExtractFromMicros(field, iv.micros % (60 * kMicrosPerSecond), epoch, true, IntervalPart(field, iv));
}

Result<Datum> AgeOf(const FunctionCall& c) { return Wrap(TimestampAge(IntArg(c, 0), IntArg(c, 1))); }
Result<Datum> AgeFromToday(const FunctionCall& c) {
  int64_t today = DateToTimestamp(TimestampToDate(TransactionStartTimestamp()));
  return Wrap(TimestampAge(today, IntArg(c, 0)));
}
Result<Datum> MakeDateFn(const FunctionCall& c) { return Wrap(MakeDate(IntArg(c, 0), IntArg(c, 1), IntArg(c, 2))); }
Result<Datum> IsFiniteDate(const FunctionCall& c) { return Datum(DateIsFinite(IntArg(c, 0))); }
Result<Datum> IsFiniteTimestamp(const FunctionCall& c) { return Datum(TimestampIsFinite(IntArg(c, 0))); }
Result<Datum> IsFiniteInterval(const FunctionCall&) { return Datum(true); }
Result<Datum> JustifyHours(const FunctionCall& c) {
  Interval iv = IntervalArg(c, 0);
  int64_t days = iv.micros / kMicrosPerDay;
  iv.days += static_cast<int32_t>(days);
  iv.micros -= days * kMicrosPerDay;
  if (iv.days > 0 && iv.micros < 0) {
    iv.micros += kMicrosPerDay;
    --iv.days;
  } else if (iv.days < 0 && iv.micros > 0) {
    iv.micros -= kMicrosPerDay;
    ++iv.days;
  }
  return Datum(iv);
}
Result<Datum> JustifyDays(const FunctionCall& c) {
  Interval iv = IntervalArg(c, 0);
  iv.months += iv.days / 30;
  iv.days %= 30;
  if (iv.months > 0 && iv.days < 0) {
    iv.days += 30;
    --iv.months;
  } else if (iv.months < 0 && iv.days > 0) {
    iv.days -= 30;
    ++iv.months;
  }
  return Datum(iv);
}
Result<Datum> CoerceTypmod(const FunctionCall& c) {
  return ApplyTypmod(c.args[0], c.arg_types[0], static_cast<int32_t>(IntArg(c, 1)), /*explicit_cast=*/false);
}

}  // namespace

void RegisterDatetimeOperators(BuiltinRegistry& r) {
  r.operators.insert(r.operators.end(), {
      {1076, "+", T::kDate, T::kInterval, T::kTimestamp, &DatePlusInterval, "+", "", false, false},
      {1077, "-", T::kDate, T::kInterval, T::kTimestamp, &DateMinusInterval, "", "", false, false},
      {1093, "=", T::kDate, T::kDate, T::kBool, &CompareEq, "=", "<>", true, true},
      {1094, "<>", T::kDate, T::kDate, T::kBool, &CompareNe, "<>", "=", false, false},
      {1095, "<", T::kDate, T::kDate, T::kBool, &CompareLt, ">", ">=", false, false},
      {1096, "<=", T::kDate, T::kDate, T::kBool, &CompareLe, ">=", ">", false, false},
      {1097, ">", T::kDate, T::kDate, T::kBool, &CompareGt, "<", "<=", false, false},
      {1098, ">=", T::kDate, T::kDate, T::kBool, &CompareGe, "<=", "<", false, false},
      {1099, "-", T::kDate, T::kDate, T::kInt4, &DateMinusDate, "", "", false, false},
      {1100, "+", T::kDate, T::kInt4, T::kDate, &DatePlusInt, "+", "", false, false},
      {1101, "-", T::kDate, T::kInt4, T::kDate, &DateMinusInt, "", "", false, false},
      {1320, "=", T::kTimestampTz, T::kTimestampTz, T::kBool, &CompareEq, "=", "<>", true, true},
      {1321, "<>", T::kTimestampTz, T::kTimestampTz, T::kBool, &CompareNe, "<>", "=", false, false},
      {1322, "<", T::kTimestampTz, T::kTimestampTz, T::kBool, &CompareLt, ">", ">=", false, false},
      {1323, "<=", T::kTimestampTz, T::kTimestampTz, T::kBool, &CompareLe, ">=", ">", false, false},
      {1324, ">", T::kTimestampTz, T::kTimestampTz, T::kBool, &CompareGt, "<", "<=", false, false},
      {1325, ">=", T::kTimestampTz, T::kTimestampTz, T::kBool, &CompareGe, "<=", "<", false, false},
      {1327, "+", T::kTimestampTz, T::kInterval, T::kTimestampTz, &TimestampPlusIntervalOp, "+", "", false, false},
      {1328, "-", T::kTimestampTz, T::kTimestampTz, T::kInterval, &TimestampMinusOp, "", "", false, false},
      {1329, "-", T::kTimestampTz, T::kInterval, T::kTimestampTz, &TimestampMinusIntervalOp, "", "", false, false},
      {1330, "=", T::kInterval, T::kInterval, T::kBool, &CompareEq, "=", "<>", true, true},
      {1331, "<>", T::kInterval, T::kInterval, T::kBool, &CompareNe, "<>", "=", false, false},
      {1332, "<", T::kInterval, T::kInterval, T::kBool, &CompareLt, ">", ">=", false, false},
      {1333, "<=", T::kInterval, T::kInterval, T::kBool, &CompareLe, ">=", ">", false, false},
      {1334, ">", T::kInterval, T::kInterval, T::kBool, &CompareGt, "<", "<=", false, false},
      {1335, ">=", T::kInterval, T::kInterval, T::kBool, &CompareGe, "<=", "<", false, false},
      {1336, "-", T::kVoid, T::kInterval, T::kInterval, &IntervalNegateOp, "", "", false, false},
      {1337, "+", T::kInterval, T::kInterval, T::kInterval, &IntervalAddOp, "+", "", false, false},
      {1338, "-", T::kInterval, T::kInterval, T::kInterval, &IntervalSubOp, "", "", false, false},
      {1583, "*", T::kInterval, T::kFloat8, T::kInterval, &IntervalMulOp, "*", "", false, false},
      {1584, "*", T::kFloat8, T::kInterval, T::kInterval, &FloatMulInterval, "*", "", false, false},
      {1585, "/", T::kInterval, T::kFloat8, T::kInterval, &IntervalDivOp, "", "", false, false},
      {2060, "=", T::kTimestamp, T::kTimestamp, T::kBool, &CompareEq, "=", "<>", true, true},
      {2061, "<>", T::kTimestamp, T::kTimestamp, T::kBool, &CompareNe, "<>", "=", false, false},
      {2062, "<", T::kTimestamp, T::kTimestamp, T::kBool, &CompareLt, ">", ">=", false, false},
      {2063, "<=", T::kTimestamp, T::kTimestamp, T::kBool, &CompareLe, ">=", ">", false, false},
      {2064, ">", T::kTimestamp, T::kTimestamp, T::kBool, &CompareGt, "<", "<=", false, false},
      {2065, ">=", T::kTimestamp, T::kTimestamp, T::kBool, &CompareGe, "<=", "<", false, false},
      {2066, "+", T::kTimestamp, T::kInterval, T::kTimestamp, &TimestampPlusIntervalOp, "+", "", false, false},
      {2067, "-", T::kTimestamp, T::kTimestamp, T::kInterval, &TimestampMinusOp, "", "", false, false},
      {2068, "-", T::kTimestamp, T::kInterval, T::kTimestamp, &TimestampMinusIntervalOp, "", "", false, false},
      {2345, "<", T::kDate, T::kTimestamp, T::kBool, &CompareLt, ">", ">=", false, false},
      {2346, "<=", T::kDate, T::kTimestamp, T::kBool, &CompareLe, ">=", ">", false, false},
      {2347, "=", T::kDate, T::kTimestamp, T::kBool, &CompareEq, "=", "<>", false, true},
      {2348, ">=", T::kDate, T::kTimestamp, T::kBool, &CompareGe, "<=", "<", false, false},
      {2349, ">", T::kDate, T::kTimestamp, T::kBool, &CompareGt, "<", "<=", false, false},
      {2350, "<>", T::kDate, T::kTimestamp, T::kBool, &CompareNe, "<>", "=", false, false},
      {2358, "<", T::kDate, T::kTimestampTz, T::kBool, &CompareLt, ">", ">=", false, false},
      {2359, "<=", T::kDate, T::kTimestampTz, T::kBool, &CompareLe, ">=", ">", false, false},
      {2360, "=", T::kDate, T::kTimestampTz, T::kBool, &CompareEq, "=", "<>", false, true},
      {2361, ">=", T::kDate, T::kTimestampTz, T::kBool, &CompareGe, "<=", "<", false, false},
      {2362, ">", T::kDate, T::kTimestampTz, T::kBool, &CompareGt, "<", "<=", false, false},
      {2363, "<>", T::kDate, T::kTimestampTz, T::kBool, &CompareNe, "<>", "=", false, false},
      {2371, "<", T::kTimestamp, T::kDate, T::kBool, &CompareLt, ">", ">=", false, false},
      {2372, "<=", T::kTimestamp, T::kDate, T::kBool, &CompareLe, ">=", ">", false, false},
      {2373, "=", T::kTimestamp, T::kDate, T::kBool, &CompareEq, "=", "<>", false, true},
      {2374, ">=", T::kTimestamp, T::kDate, T::kBool, &CompareGe, "<=", "<", false, false},
      {2375, ">", T::kTimestamp, T::kDate, T::kBool, &CompareGt, "<", "<=", false, false},
      {2376, "<>", T::kTimestamp, T::kDate, T::kBool, &CompareNe, "<>", "=", false, false},
      {2384, "<", T::kTimestampTz, T::kDate, T::kBool, &CompareLt, ">", ">=", false, false},
      {2385, "<=", T::kTimestampTz, T::kDate, T::kBool, &CompareLe, ">=", ">", false, false},
      {2386, "=", T::kTimestampTz, T::kDate, T::kBool, &CompareEq, "=", "<>", false, true},
      {2387, ">=", T::kTimestampTz, T::kDate, T::kBool, &CompareGe, "<=", "<", false, false},
      {2388, ">", T::kTimestampTz, T::kDate, T::kBool, &CompareGt, "<", "<=", false, false},
      {2389, "<>", T::kTimestampTz, T::kDate, T::kBool, &CompareNe, "<>", "=", false, false},
      {2534, "<", T::kTimestamp, T::kTimestampTz, T::kBool, &CompareLt, ">", ">=", false, false},
      {2535, "<=", T::kTimestamp, T::kTimestampTz, T::kBool, &CompareLe, ">=", ">", false, false},
      {2536, "=", T::kTimestamp, T::kTimestampTz, T::kBool, &CompareEq, "=", "<>", false, true},
      {2537, ">=", T::kTimestamp, T::kTimestampTz, T::kBool, &CompareGe, "<=", "<", false, false},
      {2538, ">", T::kTimestamp, T::kTimestampTz, T::kBool, &CompareGt, "<", "<=", false, false},
      {2539, "<>", T::kTimestamp, T::kTimestampTz, T::kBool, &CompareNe, "<>", "=", false, false},
      {2540, "<", T::kTimestampTz, T::kTimestamp, T::kBool, &CompareLt, ">", ">=", false, false},
      {2541, "<=", T::kTimestampTz, T::kTimestamp, T::kBool, &CompareLe, ">=", ">", false, false},
      {2542, "=", T::kTimestampTz, T::kTimestamp, T::kBool, &CompareEq, "=", "<>", false, true},
      {2543, ">=", T::kTimestampTz, T::kTimestamp, T::kBool, &CompareGe, "<=", "<", false, false},
      {2544, ">", T::kTimestampTz, T::kTimestamp, T::kBool, &CompareGt, "<", "<=", false, false},
      {2545, "<>", T::kTimestampTz, T::kTimestamp, T::kBool, &CompareNe, "<>", "=", false, false},
      {2551, "+", T::kInterval, T::kDate, T::kTimestamp, &IntervalPlusDate, "+", "", false, false},
      {2553, "+", T::kInterval, T::kTimestamp, T::kTimestamp, &IntervalPlusTimestamp, "+", "", false, false},
      {2554, "+", T::kInterval, T::kTimestampTz, T::kTimestampTz, &IntervalPlusTimestamp, "+", "", false, false},
      {2555, "+", T::kInt4, T::kDate, T::kDate, &IntPlusDate, "+", "", false, false},
  });
}

void RegisterDatetimeFunctions(BuiltinRegistry& r) {
  SetTransactionClock(&TransactionStartTimestamp);  // 'now' and 'today' as input read the transaction's start
  const T kTs = T::kTimestamp, kTz = T::kTimestampTz, kIv = T::kInterval, kTx = T::kText;
  const Volatility kStable = Volatility::kStable;
  r.functions.insert(r.functions.end(), {
      {.oid = 1299, .name = "now", .args = {}, .result = kTz, .call = &Now, .volatility = kStable},
      {.oid = 2647, .name = "transaction_timestamp", .args = {}, .result = kTz, .call = &Now, .volatility = kStable},
      {.oid = 2648, .name = "statement_timestamp", .args = {}, .result = kTz, .call = &Now, .volatility = kStable},
      {.oid = 2649, .name = "clock_timestamp", .args = {}, .result = kTz, .call = &ClockTimestamp,
       .volatility = Volatility::kVolatile},
      {.oid = 2020, .name = "date_trunc", .args = {kTx, kTs}, .result = kTs, .call = &DateTruncTimestamp},
      {.oid = 1217, .name = "date_trunc", .args = {kTx, kTz}, .result = kTz, .call = &DateTruncTimestamp,
       .volatility = kStable},
      {.oid = 1218, .name = "date_trunc", .args = {kTx, kIv}, .result = kIv, .call = &DateTruncInterval},
      {.oid = 2021, .name = "date_part", .args = {kTx, kTs}, .result = T::kFloat8, .call = &DatePartTimestamp},
      {.oid = 1171, .name = "date_part", .args = {kTx, kTz}, .result = T::kFloat8, .call = &DatePartTimestamp,
       .volatility = kStable},
      {.oid = 1384, .name = "date_part", .args = {kTx, T::kDate}, .result = T::kFloat8, .call = &DatePartTimestamp},
      {.oid = 1172, .name = "date_part", .args = {kTx, kIv}, .result = T::kFloat8, .call = &DatePartInterval},
      {.oid = 6202, .name = "extract", .args = {kTx, kTs}, .result = T::kNumeric, .call = &ExtractTimestamp},
      {.oid = 6203, .name = "extract", .args = {kTx, kTz}, .result = T::kNumeric, .call = &ExtractTimestamp,
       .volatility = kStable},
      {.oid = 6199, .name = "extract", .args = {kTx, T::kDate}, .result = T::kNumeric, .call = &ExtractTimestamp},
      {.oid = 6204, .name = "extract", .args = {kTx, kIv}, .result = T::kNumeric, .call = &ExtractInterval},
      {.oid = 2058, .name = "age", .args = {kTs, kTs}, .result = kIv, .call = &AgeOf},
      {.oid = 1199, .name = "age", .args = {kTz, kTz}, .result = kIv, .call = &AgeOf},
      {.oid = 2059, .name = "age", .args = {kTs}, .result = kIv, .call = &AgeFromToday, .volatility = kStable},
      {.oid = 1386, .name = "age", .args = {kTz}, .result = kIv, .call = &AgeFromToday, .volatility = kStable},
      {.oid = 3846, .name = "make_date", .args = {T::kInt4, T::kInt4, T::kInt4}, .result = T::kDate,
       .call = &MakeDateFn},
      {.oid = 1373, .name = "isfinite", .args = {T::kDate}, .result = T::kBool, .call = &IsFiniteDate},
      {.oid = 2048, .name = "isfinite", .args = {kTs}, .result = T::kBool, .call = &IsFiniteTimestamp},
      {.oid = 1389, .name = "isfinite", .args = {kTz}, .result = T::kBool, .call = &IsFiniteTimestamp},
      {.oid = 1390, .name = "isfinite", .args = {kIv}, .result = T::kBool, .call = &IsFiniteInterval},
      {.oid = 1175, .name = "justify_hours", .args = {kIv}, .result = kIv, .call = &JustifyHours},
      {.oid = 1295, .name = "justify_days", .args = {kIv}, .result = kIv, .call = &JustifyDays},
      // Length coercions: what the analyzer applies for a column's typmod.
      {.oid = 1961, .name = "timestamp", .args = {kTs, T::kInt4}, .result = kTs, .call = &CoerceTypmod},
      {.oid = 1967, .name = "timestamptz", .args = {kTz, T::kInt4}, .result = kTz, .call = &CoerceTypmod},
      {.oid = 1200, .name = "interval", .args = {kIv, T::kInt4}, .result = kIv, .call = &CoerceTypmod},
  });
}

}  // namespace minipg::sql::adt
