// date, timestamp, timestamptz and interval: input, output, arithmetic and
// field functions. Expected values are PostgreSQL 15's with TimeZone UTC
// (psql against a PG15 server; the query is in each test's comment).
#include "engine/sql/adt/datetime.h"

#include <gtest/gtest.h>

#include "engine/sql/types.h"

namespace minipg::sql::adt {
namespace {

std::string Show(std::string_view text, TypeId type) {
  auto v = InputText(text, type);
  if (!v.ok()) return "ERROR " + v.error().sqlstate + " " + v.error().message;
  return OutputText(*v, type);
}

int64_t Ts(std::string_view text) { return *TimestampIn(text, false); }
Interval Iv(std::string_view text) { return *IntervalIn(text); }
std::string Out(const Result<Interval>& iv) { return iv.ok() ? IntervalOut(*iv) : "ERROR " + iv.error().message; }
std::string Out(const Result<int64_t>& ts) { return ts.ok() ? TimestampOut(*ts, false) : "ERROR " + ts.error().message; }

// select '2020-01-05'::date, '1/8/1999'::date, '19990108'::date, '0044-03-15 BC'::date,
//        'infinity'::date, 'epoch'::date
TEST(DateTest, InputAndOutput) {
  EXPECT_EQ(Show("2020-01-05", TypeId::kDate), "2020-01-05");
  EXPECT_EQ(Show("1/8/1999", TypeId::kDate), "1999-01-08");
  EXPECT_EQ(Show("19990108", TypeId::kDate), "1999-01-08");
  EXPECT_EQ(Show("0044-03-15 BC", TypeId::kDate), "0044-03-15 BC");
  EXPECT_EQ(Show("infinity", TypeId::kDate), "infinity");
  EXPECT_EQ(Show("epoch", TypeId::kDate), "1970-01-01");
  // select '2020-02-30'::date; select 'garbage'::date
  EXPECT_EQ(Show("2020-02-30", TypeId::kDate), "ERROR 22008 date/time field value out of range: \"2020-02-30\"");
  EXPECT_EQ(Show("garbage", TypeId::kDate), "ERROR 22007 invalid input syntax for type date: \"garbage\"");
}

// select '2020-01-05 12:34:56.5'::timestamp, '2020-01-05T12:34:56'::timestamp,
//        '2020-01-05 12:34:56+02'::timestamp, '2020-01-05 12:34:56.123456789'::timestamp
// select '2020-01-05 12:34:56+02'::timestamptz, '2020-01-05 12:34:56.5 -03:30'::timestamptz,
//        '2020-01-05'::timestamptz, 'epoch'::timestamptz, '-infinity'::timestamptz
TEST(TimestampTest, InputAndOutput) {
  EXPECT_EQ(Show("2020-01-05 12:34:56.5", TypeId::kTimestamp), "2020-01-05 12:34:56.5");
  EXPECT_EQ(Show("2020-01-05T12:34:56", TypeId::kTimestamp), "2020-01-05 12:34:56");
  EXPECT_EQ(Show("2020-01-05 12:34:56+02", TypeId::kTimestamp), "2020-01-05 12:34:56");
  EXPECT_EQ(Show("2020-01-05 12:34:56.123456789", TypeId::kTimestamp), "2020-01-05 12:34:56.123457");
  EXPECT_EQ(Show("2020-01-05 12:34:56+02", TypeId::kTimestampTz), "2020-01-05 10:34:56+00");
  EXPECT_EQ(Show("2020-01-05 12:34:56.5 -03:30", TypeId::kTimestampTz), "2020-01-05 16:04:56.5+00");
  EXPECT_EQ(Show("2020-01-05", TypeId::kTimestampTz), "2020-01-05 00:00:00+00");
  EXPECT_EQ(Show("epoch", TypeId::kTimestampTz), "1970-01-01 00:00:00+00");
  EXPECT_EQ(Show("-infinity", TypeId::kTimestampTz), "-infinity");
  // select '2020-01-01 25:00'::timestamp
  EXPECT_EQ(Show("2020-01-01 25:00", TypeId::kTimestamp),
            "ERROR 22008 date/time field value out of range: \"2020-01-01 25:00\"");
}

// select '1 year 2 mons 3 days 04:05:06.5'::interval, '-1 days +02:03:00'::interval,
//        '1.5 months'::interval, '1.5 days'::interval, '2 weeks'::interval, '1:30'::interval,
//        '@ 1 hour ago'::interval, '10'::interval, '0'::interval, '-1 year -2 mons'::interval,
//        '100 hours'::interval, '1.1 years'::interval; select 'xyz'::interval
TEST(IntervalTest, InputAndOutput) {
  EXPECT_EQ(Show("1 year 2 mons 3 days 04:05:06.5", TypeId::kInterval), "1 year 2 mons 3 days 04:05:06.5");
  EXPECT_EQ(Show("-1 days +02:03:00", TypeId::kInterval), "-1 days +02:03:00");
  EXPECT_EQ(Show("1.5 months", TypeId::kInterval), "1 mon 15 days");
  EXPECT_EQ(Show("1.5 days", TypeId::kInterval), "1 day 12:00:00");
  EXPECT_EQ(Show("2 weeks", TypeId::kInterval), "14 days");
  EXPECT_EQ(Show("1:30", TypeId::kInterval), "01:30:00");
  EXPECT_EQ(Show("@ 1 hour ago", TypeId::kInterval), "-01:00:00");
  EXPECT_EQ(Show("10", TypeId::kInterval), "00:00:10");
  EXPECT_EQ(Show("0", TypeId::kInterval), "00:00:00");
  EXPECT_EQ(Show("-1 year -2 mons", TypeId::kInterval), "-1 years -2 mons");
  EXPECT_EQ(Show("100 hours", TypeId::kInterval), "100:00:00");
  EXPECT_EQ(Show("1.1 years", TypeId::kInterval), "1 year 1 mon");
  EXPECT_EQ(Show("xyz", TypeId::kInterval), "ERROR 22007 invalid input syntax for type interval: \"xyz\"");
}

// select '2020-01-31'::date + interval '1 month', '2020-01-31'::timestamp + interval '1 month 1 day 01:00'
// select '2020-03-01 10:00'::timestamp - '2020-01-01 12:30'::timestamp,
//        '2020-01-01'::timestamp - '2020-03-01 10:00'::timestamp
// select interval '1 month' * 1.5, interval '1 day' / 3, interval '1 mon 1 day' * 0.3, -interval '1 day 02:00'
TEST(TimestampTest, Arithmetic) {
  EXPECT_EQ(Out(TimestampPlusInterval(Ts("2020-01-31"), Iv("1 month"))), "2020-02-29 00:00:00");
  EXPECT_EQ(Out(TimestampPlusInterval(Ts("2020-01-31"), Iv("1 month 1 day 01:00"))), "2020-03-01 01:00:00");
  EXPECT_EQ(Out(TimestampMinus(Ts("2020-03-01 10:00"), Ts("2020-01-01 12:30"))), "59 days 21:30:00");
  EXPECT_EQ(Out(TimestampMinus(Ts("2020-01-01"), Ts("2020-03-01 10:00"))), "-60 days -10:00:00");
  EXPECT_EQ(Out(IntervalMultiply(Iv("1 month"), 1.5)), "1 mon 15 days");
  EXPECT_EQ(Out(IntervalMultiply(Iv("1 day"), 1.0 / 3)), "08:00:00");
  EXPECT_EQ(Out(IntervalMultiply(Iv("1 mon 1 day"), 0.3)), "9 days 07:12:00");
  EXPECT_EQ(Out(IntervalNegate(Iv("1 day 02:00"))), "-1 days -02:00:00");
  EXPECT_EQ(IntervalCompare(Iv("1 mon"), Iv("30 days")), 0);
  EXPECT_EQ(IntervalCompare(Iv("1 day"), Iv("25 hours")), -1);
}

// select age('2020-03-01'::timestamp, '2019-01-15 10:00'::timestamp),
//        age('2019-01-15'::timestamp, '2020-03-01'::timestamp)
TEST(TimestampTest, Age) {
  EXPECT_EQ(Out(TimestampAge(Ts("2020-03-01"), Ts("2019-01-15 10:00"))), "1 year 1 mon 16 days 14:00:00");
  EXPECT_EQ(Out(TimestampAge(Ts("2019-01-15"), Ts("2020-03-01"))), "-1 years -1 mons -17 days");
}

// select date_trunc('month', '2020-05-17 13:14:15'::timestamp), date_trunc('week', ...),
//        date_trunc('hour', '2020-05-17 13:14:15.5'::timestamp), date_trunc('quarter', '2020-05-17'::timestamp),
//        date_trunc('century', ...), date_trunc('decade', ...); select date_trunc('foo', now()::timestamp)
TEST(TimestampTest, DateTrunc) {
  const char* kType = "timestamp without time zone";
  EXPECT_EQ(Out(TimestampTrunc("month", Ts("2020-05-17 13:14:15"), kType)), "2020-05-01 00:00:00");
  EXPECT_EQ(Out(TimestampTrunc("week", Ts("2020-05-17 13:14:15"), kType)), "2020-05-11 00:00:00");
  EXPECT_EQ(Out(TimestampTrunc("hour", Ts("2020-05-17 13:14:15.5"), kType)), "2020-05-17 13:00:00");
  EXPECT_EQ(Out(TimestampTrunc("quarter", Ts("2020-05-17"), kType)), "2020-04-01 00:00:00");
  EXPECT_EQ(Out(TimestampTrunc("century", Ts("2020-05-17"), kType)), "2001-01-01 00:00:00");
  EXPECT_EQ(Out(TimestampTrunc("decade", Ts("2020-05-17"), kType)), "2020-01-01 00:00:00");
  EXPECT_EQ(Out(TimestampTrunc("foo", Ts("2020-05-17"), kType)),
            "ERROR unit \"foo\" not recognized for type timestamp without time zone");
}

// select date_part('year', ts), date_part('second', ts), date_part('dow', '2020-05-17'), date_part('doy', ...),
//        date_part('week', '2021-01-01'), date_part('isoyear', '2021-01-01'), date_part('epoch', ts),
//        date_part('century', ...), date_part('millennium', '2000-05-17'), date_part('decade', ...),
//        date_part('quarter', ...) with ts = '2020-05-17 13:14:15.5'::timestamp
// select extract(epoch from interval '1 year 1 day'), extract(hour from interval '100 hours')
TEST(TimestampTest, DatePart) {
  const char* kType = "timestamp without time zone";
  int64_t ts = Ts("2020-05-17 13:14:15.5");
  EXPECT_EQ(*TimestampPart("year", ts, kType), 2020);
  EXPECT_EQ(*TimestampPart("second", ts, kType), 15.5);
  EXPECT_EQ(*TimestampPart("dow", ts, kType), 0);
  EXPECT_EQ(*TimestampPart("doy", ts, kType), 138);
  EXPECT_EQ(*TimestampPart("week", Ts("2021-01-01"), kType), 53);
  EXPECT_EQ(*TimestampPart("isoyear", Ts("2021-01-01"), kType), 2020);
  EXPECT_EQ(*TimestampPart("epoch", ts, kType), 1589721255.5);
  EXPECT_EQ(*TimestampPart("century", ts, kType), 21);
  EXPECT_EQ(*TimestampPart("millennium", Ts("2000-05-17"), kType), 2);
  EXPECT_EQ(*TimestampPart("decade", ts, kType), 202);
  EXPECT_EQ(*TimestampPart("quarter", ts, kType), 2);
  EXPECT_EQ(*IntervalPart("epoch", Iv("1 year 1 day")), 31644000);
  EXPECT_EQ(*IntervalPart("hour", Iv("100 hours")), 100);
  auto bad = TimestampPart("foo", ts, kType);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "unit \"foo\" not recognized for type timestamp without time zone");
}

// select make_date(2013, 7, 15), make_date(-44, 3, 15); select make_date(2013, 2, 30)
TEST(DateTest, MakeDate) {
  EXPECT_EQ(DateOut(*MakeDate(2013, 7, 15)), "2013-07-15");
  EXPECT_EQ(DateOut(*MakeDate(-44, 3, 15)), "0044-03-15 BC");
  auto bad = MakeDate(2013, 2, 30);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().sqlstate, "22008");
  EXPECT_EQ(bad.error().message, "date field value out of range: 2013-02-30");
}

}  // namespace
}  // namespace minipg::sql::adt
