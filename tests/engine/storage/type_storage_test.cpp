/*-------------------------------------------------------------------------
 * type_storage_test.cpp
 *   Arrays in tuples, byte for byte as PostgreSQL 15 stores them.
 *
 *   The expected bytes are pageinspect's heap_page_item_attrs() of this
 *   table in PostgreSQL 15 (x86-64):
 *
 *     CREATE TABLE arr (a int2vector, b oid[], c text[], d "char"[]);
 *     INSERT INTO arr VALUES ('1 2', '{16396,0}', '{fillfactor=100,NULL}', '{d,f}'),
 *                            ('', '{}', '{}', NULL);
 *-------------------------------------------------------------------------
 */
#include <gtest/gtest.h>

#include <string>

#include "engine/storage/page/type_storage.h"

namespace minipg::storage {
namespace {

std::string Hex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::string Stored(ColumnType type, const Datum& value) {
  std::string out;
  Status s = AppendDatum(out, type, value, "c");
  EXPECT_TRUE(s.ok()) << s.error().message;
  return out;
}

Datum Array(ColumnType element, std::vector<Datum> elements) { return MakeArray(element, std::move(elements)); }

// Scenario: each array type is stored as PostgreSQL stores it (4-byte or
// 1-byte varlena header, NULL bitmap, int2vector's lower bound 0).
TEST(TypeStorageTest, ArraysAreStoredAsPostgreSqlStoresThem) {
  EXPECT_EQ(Hex(Stored(ColumnType::kInt2Vector, Array(ColumnType::kInt2, {int64_t{1}, int64_t{2}}))),
            "70000000010000000000000015000000020000000000000001000200");
  EXPECT_EQ(Hex(Stored(ColumnType::kOidArray, Array(ColumnType::kOid, {int64_t{16396}, int64_t{0}}))),
            "3b01000000000000001a00000002000000010000000c40000000000000");
  EXPECT_EQ(Hex(Stored(ColumnType::kTextArray, Array(ColumnType::kText, {std::string("fillfactor=100"), std::monostate{}}))),
            "63010000002000000019000000020000000100000001000000000000004800000066696c6c666163746f723d3130300000");
  EXPECT_EQ(Hex(Stored(ColumnType::kCharArray, Array(ColumnType::kChar, {std::string("d"), std::string("f")}))),
            "2f01000000000000001200000002000000010000006466");
  EXPECT_EQ(Hex(Stored(ColumnType::kInt2Vector, Array(ColumnType::kInt2, {}))),
            "600000000100000000000000150000000000000000000000");
  EXPECT_EQ(Hex(Stored(ColumnType::kOidArray, Array(ColumnType::kOid, {}))), "1b00000000000000001a000000");
  EXPECT_EQ(Hex(Stored(ColumnType::kTextArray, Array(ColumnType::kText, {}))), "1b000000000000000019000000");
}

// Scenario: an array read back is the array written, after a value that
// leaves it unaligned, with a long one that needs a 4-byte header.
TEST(TypeStorageTest, ArraysReadBackAsWritten) {
  std::vector<Datum> many;
  for (int i = 0; i < 40; ++i) many.emplace_back(int64_t{16384 + i});
  const std::vector<std::pair<ColumnType, Datum>> cases = {
      {ColumnType::kOidVector, MakeArray(ColumnType::kOid, many, 0)},
      {ColumnType::kTextArray, Array(ColumnType::kText, {std::string("a"), std::monostate{}, std::string("bc")})},
      {ColumnType::kNameArray, Array(ColumnType::kName, {std::string("postgres")})},
      {ColumnType::kInt2Array, Array(ColumnType::kInt2, {int64_t{-3}, std::monostate{}})},
      {ColumnType::kInt4Array, Array(ColumnType::kInt4, {})},
  };
  for (const auto& [type, value] : cases) {
    std::string out = "x";  // one byte first: the array does not start aligned
    ASSERT_TRUE(AppendDatum(out, type, value, "c").ok());
    size_t offset = 1;
    auto read = ReadDatum(out, offset, type);
    ASSERT_TRUE(read.ok()) << read.error().message;
    EXPECT_EQ(offset, out.size());
    EXPECT_TRUE(*read == value) << static_cast<int>(type);
  }
}

// Scenario: a value that is no array, in an array column, is refused.
TEST(TypeStorageTest, ANonArrayInAnArrayColumnIsRefused) {
  std::string out;
  EXPECT_FALSE(AppendDatum(out, ColumnType::kOidArray, Datum(int64_t{1}), "c").ok());
}

}  // namespace
}  // namespace minipg::storage
