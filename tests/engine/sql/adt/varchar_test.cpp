// varchar(n), char(n) and the other type modifiers: length checks, padding,
// format_type. Expected values are PostgreSQL 15's:
//   create temp table tv (v varchar(3), c char(3));
//   insert into tv values ('abcd', 'a');       -- ERROR 22001 value too long for type character varying(3)
//   insert into tv values ('abc  ', 'ab   ');  -- INSERT 0 1: the excess is blanks
//   insert into tv values ('ab', 'abcd');      -- ERROR 22001 value too long for type character(3)
//   select v, c, length(c), octet_length(c), 'abcd'::varchar(3), 'abcd'::char(2), 'héllo'::varchar(2) from tv
//     -> abc | "ab " | 2 | 3 | abc | ab | hé
//   select 'x'::varchar(0)     -- ERROR 22023 length for type varchar must be at least 1
//   select 1::numeric(2000,1)  -- ERROR 22023 NUMERIC precision 2000 must be between 1 and 1000
//   select format_type('varchar'::regtype, 7), format_type('numeric'::regtype, 655366),
//          format_type('timestamptz'::regtype, 3), format_type('bpchar'::regtype, 5)
//     -> character varying(3) | numeric(10,2) | timestamp(3) with time zone | character(1)
#include "engine/sql/adt/varchar.h"

#include <gtest/gtest.h>

#include "engine/sql/types.h"

namespace minipg::sql {
namespace {

std::string Apply(const char* text, TypeId type, std::vector<int64_t> mods, bool explicit_cast) {
  auto typmod = TypmodFromModifiers(type, mods);
  if (!typmod.ok()) return "ERROR " + typmod.error().sqlstate + " " + typmod.error().message;
  auto v = ApplyTypmod(storage::Datum(std::string(text)), type, *typmod, explicit_cast);
  if (!v.ok()) return "ERROR " + v.error().sqlstate + " " + v.error().message;
  return "\"" + std::get<std::string>(*v) + "\"";
}

TEST(VarcharTest, AssignmentChecksLengthExplicitCastCuts) {
  EXPECT_EQ(Apply("abcd", TypeId::kVarchar, {3}, false), "ERROR 22001 value too long for type character varying(3)");
  EXPECT_EQ(Apply("abc  ", TypeId::kVarchar, {3}, false), "\"abc\"");
  EXPECT_EQ(Apply("abcd", TypeId::kVarchar, {3}, true), "\"abc\"");
  EXPECT_EQ(Apply("héllo", TypeId::kVarchar, {2}, true), "\"hé\"");
  EXPECT_EQ(Apply("ab   ", TypeId::kBpchar, {3}, false), "\"ab \"");
  EXPECT_EQ(Apply("a", TypeId::kBpchar, {3}, false), "\"a  \"");
  EXPECT_EQ(Apply("abcd", TypeId::kBpchar, {3}, false), "ERROR 22001 value too long for type character(3)");
  EXPECT_EQ(Apply("abcd", TypeId::kBpchar, {2}, true), "\"ab\"");
  EXPECT_EQ(Apply("x", TypeId::kVarchar, {0}, false), "ERROR 22023 length for type varchar must be at least 1");
  EXPECT_EQ(CompareValues(storage::Datum(std::string("ab ")), TypeId::kBpchar, storage::Datum(std::string("ab")),
                          TypeId::kBpchar),
            0);
}

TEST(VarcharTest, TypmodsAndFormatType) {
  auto bad = TypmodFromModifiers(TypeId::kNumeric, std::vector<int64_t>{2000, 1});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "NUMERIC precision 2000 must be between 1 and 1000");
  EXPECT_EQ(*TypmodFromModifiers(TypeId::kVarchar, std::vector<int64_t>{3}), 7);
  EXPECT_EQ(*TypmodFromModifiers(TypeId::kNumeric, std::vector<int64_t>{10, 2}), 655366);
  EXPECT_EQ(*TypmodFromModifiers(TypeId::kBpchar, std::vector<int64_t>{}), 5);  // character is character(1)
  EXPECT_EQ(FormatType(TypeId::kVarchar, 7), "character varying(3)");
  EXPECT_EQ(FormatType(TypeId::kNumeric, 655366), "numeric(10,2)");
  EXPECT_EQ(FormatType(TypeId::kTimestampTz, 3), "timestamp(3) with time zone");
  EXPECT_EQ(FormatType(TypeId::kBpchar, 5), "character(1)");
  EXPECT_EQ(FormatType(TypeId::kInterval, *TypmodFromModifiers(TypeId::kInterval, std::vector<int64_t>{2})),
            "interval(2)");
  EXPECT_EQ(FormatType(TypeId::kInt4, -1), "integer");
  auto in = InputText("123.456", TypeId::kNumeric, *TypmodFromModifiers(TypeId::kNumeric, std::vector<int64_t>{5, 2}));
  ASSERT_TRUE(in.ok());
  EXPECT_EQ(OutputText(*in, TypeId::kNumeric), "123.46");
}

}  // namespace
}  // namespace minipg::sql
