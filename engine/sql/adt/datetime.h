/*-------------------------------------------------------------------------
 * datetime.h
 *   date, timestamp, timestamp with time zone and interval: text input in
 *   PostgreSQL's common formats, output with DateStyle ISO, MDY and
 *   IntervalStyle postgres, calendar arithmetic and the field functions
 *   (date_trunc, date_part, age, make_date).
 *
 * NOTES
 *   One epoch for all (storage/datum.h): a date is days since 1970-01-01,
 *   a timestamp microseconds since 1970-01-01 00:00. minipg's TimeZone is
 *   always UTC, so a timestamptz is the same count read as UTC: input with
 *   an offset ('... +02') is converted to UTC, output ends in "+00".
 *   +-infinity: kDateBegin/kDateEnd and kTimestampBegin/kTimestampEnd.
 *   'now' and 'today' read the transaction's start through
 *   SetTransactionClock (the wall clock until a session sets it).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "engine/common/error.h"
#include "engine/storage/datum.h"

namespace minipg::sql::adt {

using storage::Interval;

inline constexpr int64_t kDateBegin = std::numeric_limits<int32_t>::min();      // -infinity
inline constexpr int64_t kDateEnd = std::numeric_limits<int32_t>::max();        // infinity
inline constexpr int64_t kTimestampBegin = std::numeric_limits<int64_t>::min(); // -infinity
inline constexpr int64_t kTimestampEnd = std::numeric_limits<int64_t>::max();   // infinity
inline constexpr int64_t kMicrosPerSecond = 1'000'000;
inline constexpr int64_t kMicrosPerDay = 86'400'000'000;

/* What 'now' means: microseconds since the Unix epoch. */
using ClockFn = int64_t (*)();
void SetTransactionClock(ClockFn clock);
/* The wall clock (clock_timestamp()). */
int64_t WallClockMicros();
int64_t TransactionClock();

/* Calendar: days since 1970-01-01 <-> year, month (1-12), day. */
int64_t DaysFromCivil(int64_t year, int month, int day);
void CivilFromDays(int64_t days, int64_t* year, int* month, int* day);

/* 28 to 31 (year: astronomical, 0 = 1 BC). */
int DaysInMonth(int64_t year, int month);

Result<int64_t> DateIn(std::string_view text);
std::string DateOut(int64_t days);
/* with_tz: timestamptz (offsets converted to UTC) or timestamp (offsets ignored). */
Result<int64_t> TimestampIn(std::string_view text, bool with_tz);
std::string TimestampOut(int64_t micros, bool with_tz);
Result<Interval> IntervalIn(std::string_view text);
std::string IntervalOut(const Interval& v);

inline bool DateIsFinite(int64_t d) { return d != kDateBegin && d != kDateEnd; }
inline bool TimestampIsFinite(int64_t t) { return t != kTimestampBegin && t != kTimestampEnd; }

/* date -> timestamp (midnight); infinities map to infinities. */
int64_t DateToTimestamp(int64_t days);
/* timestamp -> date (22008 out of range never: every timestamp has a date). */
int64_t TimestampToDate(int64_t micros);

/* timestamp + interval: months first (the day clamped to the month's end),
 * then days, then microseconds; 22008 "timestamp out of range". */
Result<int64_t> TimestampPlusInterval(int64_t ts, const Interval& iv);
/* timestamp - timestamp: days and time, as PostgreSQL's (justified hours). */
Result<Interval> TimestampMinus(int64_t a, int64_t b);
Result<Interval> IntervalAdd(const Interval& a, const Interval& b);
Result<Interval> IntervalNegate(const Interval& a);
Result<Interval> IntervalMultiply(const Interval& a, double factor);
/* Interval ordering: a month is 30 days, a day 24 hours (PostgreSQL's interval_cmp). */
int IntervalCompare(const Interval& a, const Interval& b);
/* age(a, b): years, months and days between the two, as PostgreSQL. */
Result<Interval> TimestampAge(int64_t a, int64_t b);

/* date_trunc('day', ts); 22023 for an unknown unit (type_name: the
 * argument's type for the message, "timestamp without time zone"). */
Result<int64_t> TimestampTrunc(std::string_view unit, int64_t ts, const char* type_name);
Result<Interval> IntervalTrunc(std::string_view unit, const Interval& iv);
/* date_part / extract as a double ('epoch', 'year', 'dow', ...). kind names the
 * source type for the error ("timestamp without time zone"). */
Result<double> TimestampPart(std::string_view field, int64_t ts, const char* kind);
Result<double> IntervalPart(std::string_view field, const Interval& iv);
Result<int64_t> MakeDate(int64_t year, int64_t month, int64_t day);

/* timestamp(p) / interval(p) typmod: the fraction rounded to p digits. */
int64_t TimestampRoundToPrecision(int64_t micros, int32_t precision);

}  // namespace minipg::sql::adt
