/*-------------------------------------------------------------------------
 * datetime.cpp
 *   date, timestamp[tz] and interval text input and output (datetime.h).
 *
 *   Input reads one of PostgreSQL's common layouts: ISO 'Y-M-D', 'Y/M/D',
 *   'M/D/Y' (DateStyle MDY), 'YYYYMMDD', each optionally followed by
 *   ' HH:MM[:SS[.ffffff]]' (or 'T' instead of the space), a zone ('Z',
 *   'UTC', '+HH[:MM]') and 'BC'; or a special word ('epoch', 'infinity',
 *   'now', 'today', 'tomorrow', 'yesterday'). Intervals read PostgreSQL's
 *   '1 year 2 mons 3 days 04:05:06' form with any of its unit spellings,
 *   a leading '@' and a trailing 'ago'.
 *-------------------------------------------------------------------------
 */
#include "engine/sql/adt/datetime.h"

#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "engine/common/sqlstate.h"

namespace minipg::sql::adt {
namespace {

ClockFn g_clock = &WallClockMicros;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }


/* What a date/time string says, before it becomes a number. */
struct Fields {
  int64_t year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int64_t second_micros = 0;  // seconds and fraction, in microseconds
  bool has_zone = false;
  int64_t zone_seconds = 0;   // east of UTC
};

enum class ParseOutcome { kOk, kSyntax, kRange };

/* Reads digits at s[*i]: their value and how many there were. */
int ReadDigits(std::string_view s, size_t* i, int64_t* value) {
  int n = 0;
  *value = 0;
  while (*i < s.size() && std::isdigit(static_cast<unsigned char>(s[*i])) && n < 18) {
    *value = *value * 10 + (s[*i] - '0');
    ++*i;
    ++n;
  }
  return n;
}

bool Accept(std::string_view s, size_t* i, char c) {
  if (*i < s.size() && s[*i] == c) {
    ++*i;
    return true;
  }
  return false;
}

void SkipSpaces(std::string_view s, size_t* i) {
  while (*i < s.size() && std::isspace(static_cast<unsigned char>(s[*i]))) ++*i;
}

ParseOutcome ParseDate(std::string_view s, size_t* i, Fields* f) {
  int64_t a = 0, b = 0, c = 0;
  int na = ReadDigits(s, i, &a);
  if (na == 0) return ParseOutcome::kSyntax;
  if (na == 8 && (*i == s.size() || s[*i] == ' ' || s[*i] == 'T' || s[*i] == 't')) {
    f->year = a / 10000;
    f->month = static_cast<int>(a / 100 % 100);
    f->day = static_cast<int>(a % 100);
    return ParseOutcome::kOk;
  }
  char sep = *i < s.size() ? s[*i] : '\0';
  if (sep != '-' && sep != '/' && sep != '.') return ParseOutcome::kSyntax;
  ++*i;
  if (ReadDigits(s, i, &b) == 0 || !Accept(s, i, sep) || ReadDigits(s, i, &c) == 0) return ParseOutcome::kSyntax;
  if (sep == '-' || na >= 3) {  // Y-M-D
    f->year = a;
    f->month = static_cast<int>(b);
    f->day = static_cast<int>(c);
  } else {  // M/D/Y (DateStyle MDY)
    f->month = static_cast<int>(a);
    f->day = static_cast<int>(b);
    f->year = c < 100 && c >= 0 ? (c < 70 ? 2000 + c : 1900 + c) : c;
  }
  return ParseOutcome::kOk;
}

ParseOutcome ParseTime(std::string_view s, size_t* i, Fields* f) {
  int64_t h = 0, m = 0, sec = 0;
  if (ReadDigits(s, i, &h) == 0 || !Accept(s, i, ':') || ReadDigits(s, i, &m) == 0) return ParseOutcome::kSyntax;
  int64_t micros = 0;
  if (Accept(s, i, ':')) {
    if (ReadDigits(s, i, &sec) == 0) return ParseOutcome::kSyntax;
    if (Accept(s, i, '.')) {
      double fraction = 0, scale = 0.1;  // rounded to microseconds, as PostgreSQL
      while (*i < s.size() && std::isdigit(static_cast<unsigned char>(s[*i]))) {
        fraction += (s[*i] - '0') * scale;
        scale /= 10;
        ++*i;
      }
      micros = static_cast<int64_t>(std::rint(fraction * kMicrosPerSecond));
    }
  }
  if (h > 24 || m > 59 || sec > 60 || (h == 24 && (m != 0 || sec != 0 || micros != 0))) return ParseOutcome::kRange;
  f->hour = static_cast<int>(h);
  f->minute = static_cast<int>(m);
  f->second_micros = sec * kMicrosPerSecond + micros;
  return ParseOutcome::kOk;
}

ParseOutcome ParseZone(std::string_view s, size_t* i, Fields* f) {
  std::string rest = Lower(s.substr(*i));
  for (const char* word : {"utc", "gmt", "z"}) {
    if (rest.rfind(word, 0) == 0) {
      *i += std::string_view(word).size();
      f->has_zone = true;
      return ParseOutcome::kOk;
    }
  }
  if (*i >= s.size() || (s[*i] != '+' && s[*i] != '-')) return ParseOutcome::kOk;
  bool negative = s[(*i)++] == '-';
  int64_t h = 0, m = 0;
  int n = ReadDigits(s, i, &h);
  if (n == 0) return ParseOutcome::kSyntax;
  if (n == 4) {
    m = h % 100;
    h /= 100;
  } else if (Accept(s, i, ':') && ReadDigits(s, i, &m) == 0) {
    return ParseOutcome::kSyntax;
  }
  if (h > 15 || m > 59) return ParseOutcome::kRange;
  f->has_zone = true;
  f->zone_seconds = (negative ? -1 : 1) * (h * 3600 + m * 60);
  return ParseOutcome::kOk;
}

/* The whole layout: date [time] [zone] [BC|AD]. */
ParseOutcome ParseDateTime(std::string_view s, Fields* f) {
  size_t i = 0;
  if (ParseOutcome o = ParseDate(s, &i, f); o != ParseOutcome::kOk) return o;
  if (i < s.size() && (s[i] == 'T' || s[i] == 't')) ++i;
  SkipSpaces(s, &i);
  if (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
    if (ParseOutcome o = ParseTime(s, &i, f); o != ParseOutcome::kOk) return o;
  }
  SkipSpaces(s, &i);
  if (ParseOutcome o = ParseZone(s, &i, f); o != ParseOutcome::kOk) return o;
  SkipSpaces(s, &i);
  if (f->year == 0) return ParseOutcome::kRange;  // there is no year 0: 1 BC precedes 1 AD
  std::string era = Lower(s.substr(i));
  if (era == "bc") {
    f->year = 1 - f->year;
    i = s.size();
  } else if (era == "ad") {
    i = s.size();
  }
  if (i != s.size()) return ParseOutcome::kSyntax;
  if (f->month < 1 || f->month > 12 || f->day < 1 ||
      f->day > DaysInMonth(f->year, f->month)) {
    return ParseOutcome::kRange;
  }
  return ParseOutcome::kOk;
}

Error SyntaxError(const char* type, std::string_view text) {
  return MakeError(sqlstate::kInvalidDatetimeFormat, fmt::format("invalid input syntax for type {}: \"{}\"", type, text));
}

Error RangeError(std::string_view text) {
  return MakeError(sqlstate::kDatetimeFieldOverflow, fmt::format("date/time field value out of range: \"{}\"", text));
}

/* The special words; false if `word` is none of them. */
bool SpecialTimestamp(const std::string& word, int64_t* out) {
  int64_t midnight = TransactionClock();
  midnight -= ((midnight % kMicrosPerDay) + kMicrosPerDay) % kMicrosPerDay;
  if (word == "epoch") *out = 0;
  else if (word == "infinity" || word == "+infinity") *out = kTimestampEnd;
  else if (word == "-infinity") *out = kTimestampBegin;
  else if (word == "now") *out = TransactionClock();
  else if (word == "today") *out = midnight;
  else if (word == "tomorrow") *out = midnight + kMicrosPerDay;
  else if (word == "yesterday") *out = midnight - kMicrosPerDay;
  else return false;
  return true;
}

/* "04:05:06.5" with the fraction's trailing zeros dropped. */
std::string FormatTimeOfDay(int64_t hours, int64_t minutes, int64_t micros) {
  std::string out = fmt::format("{:02d}:{:02d}:{:02d}", hours, minutes, micros / kMicrosPerSecond);
  if (int64_t frac = micros % kMicrosPerSecond; frac != 0) {
    std::string digits = fmt::format("{:06d}", frac);
    digits.erase(digits.find_last_not_of('0') + 1);
    out += "." + digits;
  }
  return out;
}

}  // namespace

int DaysInMonth(int64_t y, int m) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

int64_t WallClockMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void SetTransactionClock(ClockFn clock) { g_clock = clock != nullptr ? clock : &WallClockMicros; }
int64_t TransactionClock() { return g_clock(); }

/* Howard Hinnant's days_from_civil. */
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t z, int64_t* year, int* month, int* day) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *year = era * 400 + yoe + (*month <= 2);
}

Result<int64_t> DateIn(std::string_view text) {
  std::string_view s = Trim(text);
  std::string word = Lower(s);
  int64_t ts = 0;
  if (SpecialTimestamp(word, &ts)) {
    if (word == "infinity" || word == "+infinity") return kDateEnd;
    if (word == "-infinity") return kDateBegin;
    return TimestampToDate(ts);
  }
  Fields f;
  switch (ParseDateTime(s, &f)) {
    case ParseOutcome::kSyntax:
      return SyntaxError("date", text);
    case ParseOutcome::kRange:
      return RangeError(text);
    case ParseOutcome::kOk:
      break;
  }
  if (f.year < -4712 || f.year > 5874897) {
    return MakeError(sqlstate::kDatetimeFieldOverflow, fmt::format("date out of range: \"{}\"", text));
  }
  return DaysFromCivil(f.year, f.month, f.day);
}

std::string DateOut(int64_t days) {
  if (days == kDateEnd) return "infinity";
  if (days == kDateBegin) return "-infinity";
  int64_t y;
  int m, d;
  CivilFromDays(days, &y, &m, &d);
  if (y <= 0) return fmt::format("{:04d}-{:02d}-{:02d} BC", 1 - y, m, d);
  return fmt::format("{:04d}-{:02d}-{:02d}", y, m, d);
}

Result<int64_t> TimestampIn(std::string_view text, bool with_tz) {
  const char* type = with_tz ? "timestamp with time zone" : "timestamp";
  std::string_view s = Trim(text);
  int64_t ts = 0;
  if (SpecialTimestamp(Lower(s), &ts)) return ts;
  Fields f;
  switch (ParseDateTime(s, &f)) {
    case ParseOutcome::kSyntax:
      return SyntaxError(type, text);
    case ParseOutcome::kRange:
      return RangeError(text);
    case ParseOutcome::kOk:
      break;
  }
  if (f.year < -4712 || f.year > 294246) {  // int64 microseconds from 1970 end in 294246
    return MakeError(sqlstate::kDatetimeFieldOverflow, fmt::format("timestamp out of range: \"{}\"", text));
  }
  ts = DaysFromCivil(f.year, f.month, f.day) * kMicrosPerDay +
       (int64_t{f.hour} * 3600 + int64_t{f.minute} * 60) * kMicrosPerSecond + f.second_micros;
  if (with_tz && f.has_zone) ts -= f.zone_seconds * kMicrosPerSecond;  // TimeZone is UTC: no zone means UTC
  return ts;
}

std::string TimestampOut(int64_t micros, bool with_tz) {
  if (micros == kTimestampEnd) return "infinity";
  if (micros == kTimestampBegin) return "-infinity";
  int64_t days = micros >= 0 ? micros / kMicrosPerDay : -((-micros + kMicrosPerDay - 1) / kMicrosPerDay);
  int64_t tod = micros - days * kMicrosPerDay;
  std::string date = DateOut(days);
  bool bc = date.size() > 3 && date.compare(date.size() - 3, 3, " BC") == 0;
  if (bc) date.resize(date.size() - 3);
  std::string out = date + " " +
                    FormatTimeOfDay(tod / (3600 * kMicrosPerSecond), tod / (60 * kMicrosPerSecond) % 60,
                                    tod % (60 * kMicrosPerSecond));
  if (with_tz) out += "+00";
  if (bc) out += " BC";
  return out;
}

Result<Interval> IntervalIn(std::string_view text) {
  std::string s = Lower(Trim(text));
  auto invalid = [&] {
    return MakeError(sqlstate::kInvalidDatetimeFormat, fmt::format("invalid input syntax for type interval: \"{}\"", text));
  };
  size_t i = 0;
  if (Accept(s, &i, '@')) SkipSpaces(s, &i);
  double months = 0, days = 0, micros = 0;
  bool any = false, ago = false;
  while (true) {
    SkipSpaces(s, &i);
    if (i >= s.size()) break;
    if (s.compare(i, 3, "ago") == 0 && i + 3 == s.size()) {
      ago = true;
      break;
    }
    size_t start = i;
    if (s[i] == '+' || s[i] == '-') ++i;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
    if (i == start || (i == start + 1 && !std::isdigit(static_cast<unsigned char>(s[start])))) return invalid();
    if (i < s.size() && s[i] == ':') {  // [-]hh:mm[:ss[.f]]
      bool negative = s[start] == '-';
      size_t j = start + (s[start] == '+' || s[start] == '-' ? 1 : 0);
      Fields t;
      ParseOutcome o = ParseTime(s, &j, &t);
      if (o == ParseOutcome::kSyntax) return invalid();
      // hours beyond 24 are fine in an interval: re-read them
      int64_t h = std::atoll(s.c_str() + start + (negative || s[start] == '+' ? 1 : 0));
      double v = static_cast<double>((h * 60 + t.minute) * 60 * kMicrosPerSecond + t.second_micros);
      micros += negative ? -v : v;
      i = j;
      any = true;
      continue;
    }
    double value = std::strtod(s.substr(start, i - start).c_str(), nullptr);
    SkipSpaces(s, &i);
    size_t ustart = i;
    while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
    std::string unit = s.substr(ustart, i - ustart);
    if (unit == "ago" && i == s.size()) {
      unit.clear();
      ago = true;
    }
    auto is = [&unit](std::initializer_list<const char*> names) {
      for (const char* n : names) {
        if (unit == n) return true;
      }
      return false;
    };
    if (unit.empty() || is({"s", "sec", "secs", "second", "seconds"})) {
      micros += value * kMicrosPerSecond;
    } else if (is({"us", "usec", "usecs", "microsecond", "microseconds"})) {
      micros += value;
    } else if (is({"ms", "msec", "msecs", "millisecond", "milliseconds"})) {
      micros += value * 1000;
    } else if (is({"m", "min", "mins", "minute", "minutes"})) {
      micros += value * 60 * kMicrosPerSecond;
    } else if (is({"h", "hr", "hrs", "hour", "hours"})) {
      micros += value * 3600 * kMicrosPerSecond;
    } else if (is({"d", "day", "days"})) {
      days += value;
    } else if (is({"w", "week", "weeks"})) {
      days += value * 7;
    } else if (is({"mon", "mons", "month", "months"})) {
      months += value;
    } else if (is({"y", "yr", "yrs", "year", "years"})) {
      months += std::rint(value * 12);  // a year's fraction becomes whole months only
    } else if (is({"decade", "decades"})) {
      months += std::rint(value * 120);
    } else if (is({"century", "centuries"})) {
      months += std::rint(value * 1200);
    } else if (is({"millennium", "millennia"})) {
      months += std::rint(value * 12000);
    } else {
      return invalid();
    }
    any = true;
    if (ago) break;
  }
  if (!any) return invalid();
  // Fractions cascade down: a month's to 30 days, a day's to microseconds.
  double whole_months = std::trunc(months);
  days += (months - whole_months) * 30;
  double whole_days = std::trunc(days);
  micros += (days - whole_days) * static_cast<double>(kMicrosPerDay);
  if (std::fabs(whole_months) > 2147483647.0 || std::fabs(whole_days) > 2147483647.0 || std::fabs(micros) > 9.2e18) {
    return MakeError(sqlstate::kIntervalFieldOverflow, fmt::format("interval field value out of range: \"{}\"", text));
  }
  Interval iv{static_cast<int32_t>(whole_months), static_cast<int32_t>(whole_days),
              static_cast<int64_t>(std::rint(micros))};
  if (ago) iv = {-iv.months, -iv.days, -iv.micros};
  return iv;
}

std::string IntervalOut(const Interval& v) {
  std::string out;
  bool is_zero = true, is_before = false;
  auto part = [&](int64_t value, const char* unit) {
    if (value == 0) return;
    out += fmt::format("{}{}{} {}{}", is_zero ? "" : " ", is_before && value > 0 ? "+" : "", value, unit,
                       value != 1 ? "s" : "");
    is_before = value < 0;
    is_zero = false;
  };
  part(v.months / 12, "year");
  part(v.months % 12, "mon");
  part(v.days, "day");
  if (is_zero || v.micros != 0) {
    bool minus = v.micros < 0;
    uint64_t a = minus ? 0 - static_cast<uint64_t>(v.micros) : static_cast<uint64_t>(v.micros);
    auto hours = static_cast<int64_t>(a / (3600 * kMicrosPerSecond));
    auto rest = static_cast<int64_t>(a % (3600 * kMicrosPerSecond));
    out += fmt::format("{}{}", is_zero ? "" : " ", minus ? "-" : is_before ? "+" : "");
    out += FormatTimeOfDay(hours, rest / (60 * kMicrosPerSecond), rest % (60 * kMicrosPerSecond));
  }
  return out;
}

int64_t DateToTimestamp(int64_t days) {
  if (days == kDateEnd) return kTimestampEnd;
  if (days == kDateBegin) return kTimestampBegin;
  return days * kMicrosPerDay;
}

int64_t TimestampToDate(int64_t micros) {
  if (micros == kTimestampEnd) return kDateEnd;
  if (micros == kTimestampBegin) return kDateBegin;
  return micros >= 0 ? micros / kMicrosPerDay : -((-micros + kMicrosPerDay - 1) / kMicrosPerDay);
}

}  // namespace minipg::sql::adt
