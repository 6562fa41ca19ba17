/*-------------------------------------------------------------------------
 * catalog_types_test.cpp
 *   Arrays' and reg* types' text input and output, against what
 *   PostgreSQL 15 prints for the same literals.
 *-------------------------------------------------------------------------
 */
#include <gtest/gtest.h>

#include <string>

#include "engine/sql/adt/catalog_types.h"
#include "engine/sql/types.h"

namespace minipg::sql {
namespace {

/* The literal read as `type` and printed again. */
std::string RoundTrip(std::string_view text, TypeId type) {
  auto v = InputText(text, type);
  if (!v.ok()) return "ERROR: " + v.error().message;
  return OutputText(*v, type);
}

Error InputError(std::string_view text, TypeId type) {
  auto v = InputText(text, type);
  EXPECT_FALSE(v.ok()) << text;
  return v.ok() ? Error{} : v.error();
}

// Scenario: PostgreSQL 15 printed these for the same literals
// (select '{1,2}'::int2[], ...).
TEST(CatalogTypesTest, ArraysPrintAsPostgreSqlPrintsThem) {
  EXPECT_EQ(RoundTrip("{1,2}", TypeId::kInt2Array), "{1,2}");
  EXPECT_EQ(RoundTrip("{}", TypeId::kTextArray), "{}");
  EXPECT_EQ(RoundTrip(R"({a,NULL,"b c","","null","x\"y",b\\c})", TypeId::kTextArray),
            R"({a,NULL,"b c","","null","x\"y","b\\c"})");
  EXPECT_EQ(RoundTrip(" { 1 , 2 } ", TypeId::kInt4Array), "{1,2}");
  EXPECT_EQ(RoundTrip("[0:1]={7,8}", TypeId::kInt4Array), "[0:1]={7,8}");
  EXPECT_EQ(RoundTrip("1 2", TypeId::kInt2Vector), "1 2");
  EXPECT_EQ(RoundTrip("", TypeId::kInt2Vector), "");
  EXPECT_EQ(RoundTrip("26 23", TypeId::kOidVector), "26 23");
  EXPECT_EQ(RoundTrip("{d,f}", TypeId::kCharArray), "{d,f}");
  EXPECT_EQ(RoundTrip("{postgres}", TypeId::kNameArray), "{postgres}");
  EXPECT_EQ(RoundTrip("{ a b ,c}", TypeId::kTextArray), R"({"a b",c})");
  EXPECT_EQ(RoundTrip(R"({"{x}",","})", TypeId::kTextArray), R"({"{x}",","})");
}

// Scenario: an int2vector's subscripts start at 0, an array's at 1 unless
// its literal says otherwise.
TEST(CatalogTypesTest, LowerBounds) {
  auto vec = InputText(" 1  2 ", TypeId::kInt2Vector);
  ASSERT_TRUE(vec.ok());
  const auto& v = std::get<storage::ArrayValue>(*vec);
  EXPECT_EQ(v.data->lower_bound, 0);
  EXPECT_EQ(v.data->elements.size(), 2u);
  auto arr = InputText("{1,2}", TypeId::kOidArray);
  ASSERT_TRUE(arr.ok());
  EXPECT_EQ(std::get<storage::ArrayValue>(*arr).data->lower_bound, 1);
  EXPECT_EQ(std::get<storage::ArrayValue>(*arr).data->element, storage::ColumnType::kOid);
}

// Scenario: malformed literals get PostgreSQL's 22P02 and DETAIL.
TEST(CatalogTypesTest, MalformedArraysAreRefusedAsPostgreSqlDoes) {
  Error e = InputError("{1,2", TypeId::kInt4Array);
  EXPECT_EQ(e.sqlstate, "22P02");
  EXPECT_EQ(e.message, "malformed array literal: \"{1,2\"");
  EXPECT_EQ(e.detail, "Unexpected end of input.");
  EXPECT_EQ(InputError("1,2", TypeId::kInt4Array).detail,
            "Array value must start with \"{\" or dimension information.");
  EXPECT_EQ(InputError("{1,2}x", TypeId::kInt4Array).detail, "Junk after closing right brace.");
  EXPECT_EQ(InputError("{1,,2}", TypeId::kInt4Array).detail, "Unexpected \",\" character.");
  EXPECT_EQ(InputError("{1,\"a}", TypeId::kTextArray).detail, "Unexpected end of input.");
  EXPECT_EQ(InputError("{a}", TypeId::kInt4Array).message, "invalid input syntax for type integer: \"a\"");
  EXPECT_EQ(InputError("{{1},{2}}", TypeId::kInt4Array).sqlstate, "0A000");
}

// Scenario: the types' names and OIDs are PostgreSQL's, and "text[]",
// "_int2", "int2vector" name them.
TEST(CatalogTypesTest, NamesAndOids) {
  EXPECT_EQ(TypeOid(TypeId::kInt2Vector), 22u);
  EXPECT_EQ(TypeOid(TypeId::kOidVector), 30u);
  EXPECT_EQ(TypeOid(TypeId::kTextArray), 1009u);
  EXPECT_EQ(TypeOid(TypeId::kRegclass), 2205u);
  EXPECT_EQ(TypeOid(TypeId::kRegnamespace), 4089u);
  EXPECT_STREQ(TypeName(TypeId::kInt2Array), "smallint[]");
  EXPECT_EQ(ResolveTypeName("text[]"), TypeId::kTextArray);
  EXPECT_EQ(ResolveTypeName("int2[]"), TypeId::kInt2Array);
  EXPECT_EQ(ResolveTypeName("_oid"), TypeId::kOidArray);
  EXPECT_EQ(ResolveTypeName("regclass"), TypeId::kRegclass);
  EXPECT_EQ(TypeLen(TypeId::kRegclass), 4);
  EXPECT_EQ(TypeLen(TypeId::kTextArray), -1);
}

// Scenario: without a catalog lookup, a reg* value is its number ('-' for
// 0, as PostgreSQL prints InvalidOid), and oid <-> regclass casts keep it.
TEST(CatalogTypesTest, RegTypesWithoutLookupAreNumbers) {
  SetRegTypeLookup({});
  EXPECT_EQ(RoundTrip("1259", TypeId::kRegclass), "1259");
  EXPECT_EQ(RoundTrip("-", TypeId::kRegclass), "-");
  EXPECT_EQ(OutputText(storage::Datum(int64_t{0}), TypeId::kRegtype), "-");
  EXPECT_TRUE(CanCast(TypeId::kOid, TypeId::kRegclass, CastContext::kImplicit));
  EXPECT_TRUE(CanCast(TypeId::kRegclass, TypeId::kOid, CastContext::kImplicit));
  EXPECT_TRUE(CanCast(TypeId::kInt4, TypeId::kRegclass, CastContext::kImplicit));
  EXPECT_FALSE(CanCast(TypeId::kRegclass, TypeId::kInt4, CastContext::kImplicit));
  auto v = CastValue(storage::Datum(int64_t{1259}), TypeId::kInt4, TypeId::kRegclass);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(std::get<int64_t>(*v), 1259);
}

}  // namespace
}  // namespace minipg::sql
