/*-------------------------------------------------------------------------
 * timestamp.cpp
 *   Calendar arithmetic on timestamps and intervals, and the field
 *   functions date_trunc, date_part, age and make_date (datetime.h).
 *-------------------------------------------------------------------------
 */
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "engine/common/sqlstate.h"
#include "engine/sql/adt/datetime.h"

namespace minipg::sql::adt {
namespace {

constexpr int64_t kMicrosPerHour = 3600 * kMicrosPerSecond;
constexpr int64_t kMicrosPerMinute = 60 * kMicrosPerSecond;
// int64 microseconds from 1970 end in year 294246 (PostgreSQL's, from 2000, in 294276).
constexpr int64_t kMaxTimestamp = kTimestampEnd - 1;
constexpr int64_t kMinTimestamp = -210866803200LL * 1000000;  // 4714-11-24 BC 00:00

/* A timestamp broken into calendar fields. */
struct Parts {
  int64_t year;
  int month;
  int day;
  int64_t tod;  // microseconds since midnight
};

Parts Split(int64_t ts) {
  Parts p{};
  int64_t days = TimestampToDate(ts);
  CivilFromDays(days, &p.year, &p.month, &p.day);
  p.tod = ts - days * kMicrosPerDay;
  return p;
}

int64_t Join(const Parts& p) { return DaysFromCivil(p.year, p.month, p.day) * kMicrosPerDay + p.tod; }


Error TimestampOutOfRange() { return MakeError(sqlstate::kDatetimeFieldOverflow, "timestamp out of range"); }
Error IntervalOutOfRange() { return MakeError(sqlstate::kDatetimeFieldOverflow, "interval out of range"); }

bool AddOverflows(int64_t a, int64_t b, int64_t* out) { return __builtin_add_overflow(a, b, out); }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/* PostgreSQL's TSROUND: to microsecond precision. */
double RoundMicro(double v) { return std::rint(v * 1e6) / 1e6; }

/* Interval scaled by `factor` the way interval_mul spreads the fractions:
 * a month's fraction becomes days (30 a month), a day's becomes time. */
Result<Interval> ScaleInterval(const Interval& a, double factor) {
  double months = a.months * factor;
  double days = a.days * factor;
  if (std::isnan(months) || std::fabs(months) > std::numeric_limits<int32_t>::max() ||
      std::fabs(days) > std::numeric_limits<int32_t>::max()) {
    return IntervalOutOfRange();
  }
  Interval r;
  r.months = static_cast<int32_t>(months);
  r.days = static_cast<int32_t>(days);
  double month_remainder_days = RoundMicro((months - r.months) * 30);
  double sec_remainder = RoundMicro((days - r.days + month_remainder_days - std::trunc(month_remainder_days)) * 86400);
  if (std::fabs(sec_remainder) >= 86400) {
    r.days += static_cast<int32_t>(sec_remainder / 86400);
    sec_remainder -= std::trunc(sec_remainder / 86400) * 86400;
  }
  r.days += static_cast<int32_t>(month_remainder_days);
  double micros = std::rint(static_cast<double>(a.micros) * factor + sec_remainder * 1e6);
  if (std::isnan(micros) || std::fabs(micros) >= 9.223372036854775807e18) return IntervalOutOfRange();
  r.micros = static_cast<int64_t>(micros);
  return r;
}

/* The unit names date_trunc and date_part know, lower-cased with plural
 * and short forms folded ("hours" -> "hour", "mon" -> "month"). */
std::string CanonicalUnit(std::string_view unit) {
  std::string u = Lower(unit);
  struct Alias {
    const char* name;
    const char* canonical;
  };
  static constexpr Alias kAliases[] = {
      {"microseconds", "microseconds"}, {"microsecond", "microseconds"}, {"us", "microseconds"},
      {"usec", "microseconds"},         {"usecs", "microseconds"},       {"milliseconds", "milliseconds"},
      {"millisecond", "milliseconds"},  {"ms", "milliseconds"},          {"msec", "milliseconds"},
      {"msecs", "milliseconds"},        {"second", "second"},            {"seconds", "second"},
      {"sec", "second"},                {"secs", "second"},              {"s", "second"},
      {"minute", "minute"},             {"minutes", "minute"},           {"min", "minute"},
      {"mins", "minute"},               {"m", "minute"},                 {"hour", "hour"},
      {"hours", "hour"},                {"h", "hour"},                   {"hr", "hour"},
      {"hrs", "hour"},                  {"day", "day"},                  {"days", "day"},
      {"d", "day"},                     {"week", "week"},                {"weeks", "week"},
      {"w", "week"},                    {"month", "month"},              {"months", "month"},
      {"mon", "month"},                 {"mons", "month"},               {"quarter", "quarter"},
      {"qtr", "quarter"},               {"year", "year"},                {"years", "year"},
      {"y", "year"},                    {"yr", "year"},                  {"yrs", "year"},
      {"decade", "decade"},             {"decades", "decade"},           {"century", "century"},
      {"centuries", "century"},         {"millennium", "millennium"},    {"millennia", "millennium"},
      {"epoch", "epoch"},               {"dow", "dow"},                  {"isodow", "isodow"},
      {"doy", "doy"},                   {"isoyear", "isoyear"},          {"julian", "julian"},
      {"timezone", "timezone"},         {"timezone_hour", "timezone_hour"}, {"timezone_minute", "timezone_minute"},
  };
  for (const Alias& a : kAliases) {
    if (u == a.name) return a.canonical;
  }
  return u;
}

/* Day of the week, 0 = Sunday. */
int DayOfWeek(int64_t days) { return static_cast<int>(((days % 7) + 7 + 4) % 7); }

/* ISO 8601 week-numbering year and week of a date. */
void IsoWeek(int64_t days, int64_t* iso_year, int* week) {
  int64_t y;
  int m, d;
  CivilFromDays(days, &y, &m, &d);
  auto week1_start = [](int64_t year) {  // the Monday of the week with January 4th
    int64_t jan4 = DaysFromCivil(year, 1, 4);
    return jan4 - (DayOfWeek(jan4) + 6) % 7;
  };
  int64_t start = week1_start(y + 1);
  if (days < start) start = week1_start(y);
  if (days < start) {
    start = week1_start(y - 1);
    *iso_year = y - 1;
  } else {
    *iso_year = days >= week1_start(y + 1) ? y + 1 : y;
  }
  *week = static_cast<int>((days - start) / 7 + 1);
}

}  // namespace

Result<int64_t> TimestampPlusInterval(int64_t ts, const Interval& iv) {
  if (!TimestampIsFinite(ts)) return ts;
  if (iv.months != 0) {
    Parts p = Split(ts);
    int64_t month_index = p.year * 12 + (p.month - 1) + iv.months;
    p.year = month_index >= 0 ? month_index / 12 : -((-month_index + 11) / 12);
    p.month = static_cast<int>(month_index - p.year * 12) + 1;
    if (p.year < -4713 || p.year > 294246) return TimestampOutOfRange();
    p.day = std::min(p.day, DaysInMonth(p.year, p.month));
    ts = Join(p);
  }
  int64_t out = 0;
  if (AddOverflows(ts, int64_t{iv.days} * kMicrosPerDay, &out) || AddOverflows(out, iv.micros, &out) ||
      out < kMinTimestamp || out > kMaxTimestamp) {
    return TimestampOutOfRange();
  }
  return out;
}

Result<Interval> TimestampMinus(int64_t a, int64_t b) {
  if (!TimestampIsFinite(a) || !TimestampIsFinite(b)) {
    return MakeError(sqlstate::kDatetimeFieldOverflow, "cannot subtract infinite timestamps");
  }
  int64_t diff = 0;
  if (__builtin_sub_overflow(a, b, &diff)) return IntervalOutOfRange();
  Interval r;
  r.days = static_cast<int32_t>(diff / kMicrosPerDay);  // justify_hours
  r.micros = diff - int64_t{r.days} * kMicrosPerDay;
  return r;
}

Result<Interval> IntervalAdd(const Interval& a, const Interval& b) {
  Interval r;
  if (__builtin_add_overflow(a.months, b.months, &r.months) || __builtin_add_overflow(a.days, b.days, &r.days) ||
      __builtin_add_overflow(a.micros, b.micros, &r.micros)) {
    return IntervalOutOfRange();
  }
  return r;
}

Result<Interval> IntervalNegate(const Interval& a) {
  if (a.months == std::numeric_limits<int32_t>::min() || a.days == std::numeric_limits<int32_t>::min() ||
      a.micros == std::numeric_limits<int64_t>::min()) {
    return IntervalOutOfRange();
  }
  return Interval{-a.months, -a.days, -a.micros};
}

Result<Interval> IntervalMultiply(const Interval& a, double factor) { return ScaleInterval(a, factor); }

int IntervalCompare(const Interval& a, const Interval& b) {
  auto span = [](const Interval& v) {
    return static_cast<__int128>(v.months) * 30 * kMicrosPerDay + static_cast<__int128>(v.days) * kMicrosPerDay +
           v.micros;
  };
  __int128 x = span(a), y = span(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

Result<Interval> TimestampAge(int64_t a, int64_t b) {
  if (!TimestampIsFinite(a) || !TimestampIsFinite(b)) {
    return MakeError(sqlstate::kDatetimeFieldOverflow, "cannot subtract infinite timestamps");
  }
  Parts p1 = Split(a), p2 = Split(b);
  int64_t tod = p1.tod - p2.tod;
  int64_t day = p1.day - p2.day;
  int64_t month = p1.month - p2.month;
  int64_t year = p1.year - p2.year;
  bool flip = a < b;  // borrow on the positive difference, then negate back
  if (flip) {
    tod = -tod;
    day = -day;
    month = -month;
    year = -year;
  }
  if (tod < 0) {
    tod += kMicrosPerDay;
    --day;
  }
  if (day < 0) {
    day += flip ? DaysInMonth(p1.year, p1.month) : DaysInMonth(p2.year, p2.month);
    --month;
  }
  if (month < 0) {
    month += 12;
    --year;
  }
  if (flip) {
    tod = -tod;
    day = -day;
    month = -month;
    year = -year;
  }
  return Interval{static_cast<int32_t>(year * 12 + month), static_cast<int32_t>(day), tod};
}

Result<int64_t> TimestampTrunc(std::string_view unit, int64_t ts, const char* type_name) {
  std::string u = CanonicalUnit(unit);
  if (!TimestampIsFinite(ts)) return ts;
  Parts p = Split(ts);
  auto floor_div = [](int64_t v, int64_t d) { return v >= 0 ? v / d : -((-v + d - 1) / d); };
  auto to_year = [&](int64_t year) { return DaysFromCivil(year, 1, 1) * kMicrosPerDay; };
  if (u == "microseconds") return ts;
  if (u == "milliseconds") return floor_div(ts, 1000) * 1000;
  if (u == "second") return floor_div(ts, kMicrosPerSecond) * kMicrosPerSecond;
  if (u == "minute") return floor_div(ts, kMicrosPerMinute) * kMicrosPerMinute;
  if (u == "hour") return floor_div(ts, kMicrosPerHour) * kMicrosPerHour;
  if (u == "day") return floor_div(ts, kMicrosPerDay) * kMicrosPerDay;
  if (u == "week") {
    int64_t days = TimestampToDate(ts);
    return (days - (DayOfWeek(days) + 6) % 7) * kMicrosPerDay;
  }
  if (u == "month") return DaysFromCivil(p.year, p.month, 1) * kMicrosPerDay;
  if (u == "quarter") return DaysFromCivil(p.year, (p.month - 1) / 3 * 3 + 1, 1) * kMicrosPerDay;
  if (u == "year") return to_year(p.year);
  if (u == "decade") return to_year(p.year > 0 ? p.year / 10 * 10 : -((-p.year + 9) / 10 * 10) + 0);
  if (u == "century") return to_year(p.year > 0 ? (p.year + 99) / 100 * 100 - 99 : -((99 - (p.year - 1)) / 100 * 100) + 1);
  if (u == "millennium") return to_year(p.year > 0 ? (p.year + 999) / 1000 * 1000 - 999 : -((999 - (p.year - 1)) / 1000 * 1000) + 1);
  return MakeError(sqlstate::kInvalidParameterValue,
                   fmt::format("unit \"{}\" not recognized for type {}", Lower(unit), type_name));
}

Result<Interval> IntervalTrunc(std::string_view unit, const Interval& iv) {
  std::string u = CanonicalUnit(unit);
  Interval r = iv;
  auto trunc_micros = [&](int64_t unit_micros) { r.micros = r.micros / unit_micros * unit_micros; };
  if (u == "microseconds") return r;
  if (u == "milliseconds") trunc_micros(1000);
  else if (u == "second") trunc_micros(kMicrosPerSecond);
  else if (u == "minute") trunc_micros(kMicrosPerMinute);
  else if (u == "hour") trunc_micros(kMicrosPerHour);
  else if (u == "day") r.micros = 0;
  else if (u == "month") r = {iv.months, 0, 0};
  else if (u == "quarter") r = {iv.months / 3 * 3, 0, 0};
  else if (u == "year") r = {iv.months / 12 * 12, 0, 0};
  else if (u == "decade") r = {iv.months / 120 * 120, 0, 0};
  else if (u == "century") r = {iv.months / 1200 * 1200, 0, 0};
  else if (u == "millennium") r = {iv.months / 12000 * 12000, 0, 0};
  else return MakeError(sqlstate::kInvalidParameterValue, fmt::format("unit \"{}\" not recognized for type interval", Lower(unit)));
  return r;
}

Result<double> TimestampPart(std::string_view field, int64_t ts, const char* kind) {
  std::string u = CanonicalUnit(field);
  if (!TimestampIsFinite(ts)) {
    // PostgreSQL 15: +-Infinity for the fields that grow with time, NULL-ish (NaN here) for the others.
    bool monotonic = u == "epoch" || u == "year" || u == "decade" || u == "century" || u == "millennium" ||
                     u == "julian" || u == "isoyear";
    double inf = ts == kTimestampEnd ? HUGE_VAL : -HUGE_VAL;
    return monotonic ? inf : std::nan("");
  }
  Parts p = Split(ts);
  int64_t days = TimestampToDate(ts);
  double sec_in_minute = static_cast<double>(p.tod % kMicrosPerMinute);
  if (u == "microseconds") return sec_in_minute;
  if (u == "milliseconds") return sec_in_minute / 1000.0;
  if (u == "second") return sec_in_minute / 1e6;
  if (u == "minute") return static_cast<double>(p.tod / kMicrosPerMinute % 60);
  if (u == "hour") return static_cast<double>(p.tod / kMicrosPerHour);
  if (u == "day") return p.day;
  if (u == "month") return p.month;
  if (u == "quarter") return (p.month - 1) / 3 + 1;
  if (u == "year") return static_cast<double>(p.year > 0 ? p.year : p.year - 1);
  if (u == "decade") return static_cast<double>(p.year >= 0 ? p.year / 10 : -((8 - (p.year - 1)) / 10));
  if (u == "century") return static_cast<double>(p.year > 0 ? (p.year + 99) / 100 : -((99 - (p.year - 1)) / 100));
  if (u == "millennium") return static_cast<double>(p.year > 0 ? (p.year + 999) / 1000 : -((999 - (p.year - 1)) / 1000));
  if (u == "epoch") return static_cast<double>(ts) / 1e6;
  if (u == "dow") return DayOfWeek(days);
  if (u == "isodow") return DayOfWeek(days) == 0 ? 7 : DayOfWeek(days);
  if (u == "doy") return static_cast<double>(days - DaysFromCivil(p.year, 1, 1) + 1);
  if (u == "week" || u == "isoyear") {
    int64_t iso_year;
    int week;
    IsoWeek(days, &iso_year, &week);
    return u == "week" ? week : static_cast<double>(iso_year > 0 ? iso_year : iso_year - 1);
  }
  if (u == "julian") return static_cast<double>(days + 2440588) + static_cast<double>(p.tod) / kMicrosPerDay;
  if (u == "timezone" || u == "timezone_hour" || u == "timezone_minute") {
    if (std::string_view(kind) == "timestamp with time zone") return 0.0;  // TimeZone is UTC
    return MakeError(sqlstate::kFeatureNotSupported, fmt::format("unit \"{}\" not supported for type {}", u, kind));
  }
  return MakeError(sqlstate::kInvalidParameterValue, fmt::format("unit \"{}\" not recognized for type {}", Lower(field), kind));
}

Result<double> IntervalPart(std::string_view field, const Interval& iv) {
  std::string u = CanonicalUnit(field);
  double sec_in_minute = static_cast<double>(iv.micros % kMicrosPerMinute);
  if (u == "microseconds") return sec_in_minute;
  if (u == "milliseconds") return sec_in_minute / 1000.0;
  if (u == "second") return sec_in_minute / 1e6;
  if (u == "minute") return static_cast<double>(iv.micros / kMicrosPerMinute % 60);
  if (u == "hour") return static_cast<double>(iv.micros / kMicrosPerHour);
  if (u == "day") return iv.days;
  if (u == "month") return iv.months % 12;
  if (u == "quarter") return iv.months % 12 / 3 + 1;
  if (u == "year") return iv.months / 12;
  if (u == "decade") return iv.months / 120;
  if (u == "century") return iv.months / 1200;
  if (u == "millennium") return iv.months / 12000;
  if (u == "epoch") {
    // PostgreSQL: a year is 365.25 days, a month 30 days.
    double years = iv.months / 12, months = iv.months % 12;
    return years * 365.25 * 86400 + months * 30 * 86400 + iv.days * 86400.0 + static_cast<double>(iv.micros) / 1e6;
  }
  return MakeError(sqlstate::kInvalidParameterValue, fmt::format("unit \"{}\" not recognized for type interval", Lower(field)));
}

Result<int64_t> MakeDate(int64_t year, int64_t month, int64_t day) {
  int64_t y = year < 0 ? year + 1 : year;  // a negative year is BC
  if (year == 0 || month < 1 || month > 12 || day < 1 || year > 5874897 || year < -4713 ||
      day > DaysInMonth(y, static_cast<int>(month))) {
    return MakeError(sqlstate::kDatetimeFieldOverflow,
                     fmt::format("date field value out of range: {}-{:02d}-{:02d}", year, month, day));
  }
  return DaysFromCivil(y, static_cast<int>(month), static_cast<int>(day));
}

int64_t TimestampRoundToPrecision(int64_t micros, int32_t precision) {
  if (precision < 0 || precision >= 6 || !TimestampIsFinite(micros)) return micros;
  int64_t unit = 1;
  for (int i = precision; i < 6; ++i) unit *= 10;
  int64_t half = unit / 2;
  return micros >= 0 ? (micros + half) / unit * unit : -((-micros + half) / unit * unit);
}

}  // namespace minipg::sql::adt
