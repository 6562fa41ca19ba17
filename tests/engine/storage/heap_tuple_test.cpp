/*-------------------------------------------------------------------------
 * heap_tuple_test.cpp
 *   Heap tuples (engine/storage/page/heap_tuple.h and type_storage.h):
 *   round trips with NULLs, PostgreSQL's header and alignment byte for
 *   byte, short and long text, many columns, the setters the next issues
 *   use, and corrupt tuples refused rather than misread.
 *-------------------------------------------------------------------------
 */
#include "engine/storage/page/heap_tuple.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "engine/common/sqlstate.h"

namespace minipg::storage {
namespace {

std::vector<ColumnDef> Cols(std::initializer_list<ColumnType> types) {
  std::vector<ColumnDef> cols;
  for (ColumnType t : types) cols.push_back({"c" + std::to_string(cols.size() + 1), t});
  return cols;
}

std::string Form(const std::vector<ColumnDef>& cols, const Tuple& values) {
  auto t = HeapFormTuple(cols, values, 100, 3);
  EXPECT_TRUE(t.ok()) << t.error().message;
  return t.ok() ? *t : std::string();
}

Tuple RoundTrip(const std::vector<ColumnDef>& cols, const Tuple& values) {
  auto row = HeapDeformTuple(cols, Form(cols, values));
  EXPECT_TRUE(row.ok()) << row.error().message;
  return row.ok() ? *row : Tuple{};
}

template <typename T>
T At(const std::string& bytes, size_t offset) {
  T v;
  std::memcpy(&v, bytes.data() + offset, sizeof v);
  return v;
}

// Scenario: a new tuple carries xmin and cid, no xmax (kHeapXmaxInvalid),
// an invalid ctid, its attribute count, and its values back unchanged.
TEST(HeapTupleTest, RoundTripAndHeader) {
  auto cols = Cols({ColumnType::kBool, ColumnType::kInt4, ColumnType::kInt8, ColumnType::kText});
  Tuple values{true, int64_t{-42}, int64_t{1} << 40, std::string("héllo")};
  std::string t = Form(cols, values);
  auto h = HeapTupleGetHeader(t);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->xmin, 100u);
  EXPECT_EQ(h->xmax, 0u);
  EXPECT_EQ(h->cid, 3u);
  EXPECT_EQ(h->ctid, ItemPointer{});
  EXPECT_EQ(h->natts(), 4);
  EXPECT_EQ(h->infomask, kHeapXmaxInvalid | kHeapHasVarWidth);
  EXPECT_EQ(h->hoff, 24);
  EXPECT_EQ(RoundTrip(cols, values), values);
}

// Scenario: values sit at PostgreSQL's alignments: bool 1, int4 4, int8 8,
// short text unaligned behind a 1-byte header, long text 4-aligned.
TEST(HeapTupleTest, AlignmentAsPostgreSql) {
  std::string t = Form(Cols({ColumnType::kBool, ColumnType::kInt8}), {true, int64_t{7}});
  ASSERT_EQ(t.size(), 40u);
  EXPECT_EQ(t[24], 1);
  EXPECT_EQ(t.substr(25, 7), std::string(7, '\0')) << "zero padding";
  EXPECT_EQ(At<int64_t>(t, 32), 7);

  t = Form(Cols({ColumnType::kBool, ColumnType::kInt4}), {false, int64_t{-1}});
  ASSERT_EQ(t.size(), 32u);
  EXPECT_EQ(At<int32_t>(t, 28), -1);

  t = Form(Cols({ColumnType::kBool, ColumnType::kText}), {true, std::string("abc")});
  ASSERT_EQ(t.size(), 29u);
  EXPECT_EQ(static_cast<uint8_t>(t[25]), (4 << 1) | 1) << "1-byte varlena header";
  EXPECT_EQ(t.substr(26), "abc");

  std::string long_text(200, 'x');
  t = Form(Cols({ColumnType::kBool, ColumnType::kText}), {true, long_text});
  ASSERT_EQ(t.size(), 28u + 4 + 200);
  EXPECT_EQ(At<uint32_t>(t, 28), 204u << 2) << "4-byte varlena header, 4-aligned";
  EXPECT_EQ(t.substr(32), long_text);
}

// Scenario: the catalogs' types at PostgreSQL's sizes and alignments:
// "char" 1 byte, smallint 2-aligned, oid / real / xid 4 bytes 4-aligned
// (an oid above 2^31 stays unsigned), name as text; all read back.
TEST(HeapTupleTest, CatalogTypes) {
  auto cols = Cols({ColumnType::kChar, ColumnType::kInt2, ColumnType::kOid, ColumnType::kFloat4,
                    ColumnType::kXid, ColumnType::kName});
  Tuple values{std::string("r"), int64_t{-3}, int64_t{4294967295}, -1.0, int64_t{716}, std::string("pg_class")};
  std::string t = Form(cols, values);
  EXPECT_EQ(t[24], 'r');
  EXPECT_EQ(At<int16_t>(t, 26), -3);
  EXPECT_EQ(At<uint32_t>(t, 28), 4294967295u);
  EXPECT_EQ(At<float>(t, 32), -1.0f);
  EXPECT_EQ(At<uint32_t>(t, 36), 716u);
  EXPECT_EQ(static_cast<uint8_t>(t[40]), (9 << 1) | 1) << "name: a short varlena";
  EXPECT_EQ(RoundTrip(cols, values), values);
  // A "char" of '\0' reads back as the empty string it was written as.
  EXPECT_EQ(RoundTrip(Cols({ColumnType::kChar}), {std::string()}), (Tuple{std::string()}));
  // Out of range or of the wrong kind: refused.
  EXPECT_FALSE(HeapFormTuple(Cols({ColumnType::kInt2}), {int64_t{40000}}, 100, 3).ok());
  EXPECT_FALSE(HeapFormTuple(Cols({ColumnType::kOid}), {int64_t{-1}}, 100, 3).ok());
  EXPECT_FALSE(HeapFormTuple(Cols({ColumnType::kChar}), {std::string("ab")}, 100, 3).ok());
}

// Scenario: the SQL data types of engine/sql/adt/ (datum.h gives each
// one's size): double precision, date, timestamp, interval, numeric,
// varchar, char(n), timestamptz, at PostgreSQL's sizes and alignments.
TEST(HeapTupleTest, SqlDataTypes) {
  auto cols = Cols({ColumnType::kFloat8, ColumnType::kDate, ColumnType::kTimestamp, ColumnType::kInterval,
                    ColumnType::kNumeric, ColumnType::kVarchar, ColumnType::kBpchar, ColumnType::kTimestampTz});
  Numeric n;
  n.negative = true;
  n.digits = "12345";
  n.scale = 2;
  Tuple values{0.1, int64_t{18266}, int64_t{1578227696500000}, Interval{14, 3, 14706000000}, n,
               std::string("abc"), std::string("ab "), int64_t{-1}};
  std::string t = Form(cols, values);
  EXPECT_EQ(At<double>(t, 24), 0.1);
  EXPECT_EQ(At<int32_t>(t, 32), 18266) << "date: 4 bytes";
  EXPECT_EQ(At<int64_t>(t, 40), 1578227696500000) << "timestamp: 8 bytes, aligned to 8";
  EXPECT_EQ(At<int64_t>(t, 48), 14706000000) << "interval: microseconds, days, months";
  EXPECT_EQ(At<int32_t>(t, 56), 3);
  EXPECT_EQ(At<int32_t>(t, 60), 14);
  EXPECT_EQ(static_cast<uint8_t>(t[64]), ((1 + 3 + 5) << 1) | 1) << "numeric: a short varlena of kind, scale, digits";
  EXPECT_EQ(RoundTrip(cols, values), values);
  Numeric nan;
  nan.kind = Numeric::Kind::kNaN;
  EXPECT_EQ(RoundTrip(Cols({ColumnType::kNumeric}), {nan}), (Tuple{nan}));
  EXPECT_FALSE(HeapFormTuple(Cols({ColumnType::kNumeric}), {1.5}, 100, 3).ok()) << "a double is not a numeric";
  EXPECT_FALSE(HeapFormTuple(Cols({ColumnType::kDate}), {int64_t{1} << 40}, 100, 3).ok());
}

// Scenario: text lengths at the edges of the two header forms, including
// 4-byte headers whose first byte is 0 (told from padding by alignment).
TEST(HeapTupleTest, TextEdgeLengths) {
  auto cols = Cols({ColumnType::kBool, ColumnType::kText, ColumnType::kText, ColumnType::kInt4});
  for (size_t len : {0u, 1u, 125u, 126u, 127u, 188u, 252u, 1000u, 5000u}) {
    Tuple values{true, std::string(len, 'a'), std::string(len % 7, 'b'), static_cast<int64_t>(len)};
    EXPECT_EQ(RoundTrip(cols, values), values) << len;
    Tuple first{std::monostate{}, std::string(len, 'c'), std::string(), int64_t{1}};
    EXPECT_EQ(RoundTrip(cols, first), first) << len;
  }
  EXPECT_EQ(Form(Cols({ColumnType::kText}), {std::string(126, 'z')}).size(), 24u + 127);
  EXPECT_EQ(Form(Cols({ColumnType::kText}), {std::string(127, 'z')}).size(), 24u + 131);
}

// Scenario: NULLs set kHeapHasNull and a bitmap (1 = present) after the
// 23-byte header; t_hoff is MAXALIGNed past it.
TEST(HeapTupleTest, NullBitmap) {
  std::vector<ColumnDef> cols(10, ColumnDef{"n", ColumnType::kInt4});
  Tuple values(10);
  for (int i = 0; i < 10; ++i) {
    if (i != 0 && i != 3 && i != 9) values[i] = int64_t{i};
  }
  std::string t = Form(cols, values);
  auto h = HeapTupleGetHeader(t);
  ASSERT_TRUE(h.ok());
  EXPECT_NE(h->infomask & kHeapHasNull, 0);
  EXPECT_EQ(h->hoff, 32) << "MAXALIGN(23 + 2)";
  EXPECT_EQ(static_cast<uint8_t>(t[23]), 0b11110110);
  EXPECT_EQ(static_cast<uint8_t>(t[24]), 0b00000001);
  EXPECT_EQ(t.size(), 32u + 7 * 4);
  EXPECT_EQ(RoundTrip(cols, values), values);

  // Up to 8 columns the bitmap fits in the header's 24th byte: t_hoff 24.
  std::vector<ColumnDef> eight(8, ColumnDef{"n", ColumnType::kBool});
  Tuple nulls(8);
  t = Form(eight, nulls);
  EXPECT_EQ(HeapTupleGetHeader(t)->hoff, 24);
  EXPECT_EQ(t.size(), 24u) << "all NULL: no data";
  EXPECT_EQ(RoundTrip(eight, nulls), nulls);
}

// Scenario: 1600 columns (PostgreSQL's limit) round-trip; 1601 do not.
TEST(HeapTupleTest, ManyColumns) {
  std::vector<ColumnDef> cols(1600, ColumnDef{"c", ColumnType::kInt4});
  Tuple values(1600);
  for (size_t i = 0; i < values.size(); ++i) {
    if (i % 5 != 0) values[i] = int64_t(i);
  }
  std::string t = Form(cols, values);
  EXPECT_EQ(HeapTupleGetHeader(t)->hoff, 224) << "MAXALIGN(23 + 200)";
  EXPECT_EQ(HeapTupleGetHeader(t)->natts(), 1600);
  EXPECT_EQ(RoundTrip(cols, values), values);

  cols.push_back({"c", ColumnType::kInt4});
  values.emplace_back();
  auto too_many = HeapFormTuple(cols, values, 1, 0);
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.error().sqlstate, sqlstate::kTooManyColumns);
}

// Scenario: without TOAST, a row longer than a page can hold is refused
// with PostgreSQL's message.
TEST(HeapTupleTest, RowTooBig) {
  auto cols = Cols({ColumnType::kText});
  EXPECT_EQ(RoundTrip(cols, {std::string(8000, 'l')}), (Tuple{std::string(8000, 'l')}));
  auto t = HeapFormTuple(cols, {std::string(9000, 'l')}, 1, 0);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().sqlstate, sqlstate::kProgramLimitExceeded);
  EXPECT_EQ(t.error().message, "row is too big: size 9028, maximum size 8160");
}

TEST(HeapTupleTest, BadValuesAreRefused) {
  auto r = HeapFormTuple(Cols({ColumnType::kInt4}), {int64_t{1} << 31}, 1, 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().sqlstate, sqlstate::kNumericValueOutOfRange);
  EXPECT_EQ(r.error().message, "integer out of range");
  r = HeapFormTuple(Cols({ColumnType::kBool}), {std::string("t")}, 1, 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().sqlstate, sqlstate::kInternalError);
  r = HeapFormTuple(Cols({ColumnType::kInet}), {std::string("::1")}, 1, 0);
  EXPECT_FALSE(r.ok()) << "an in-memory-only type has no storage";
}

// Scenario: a column added after the row was written reads as NULL; a
// tuple with more attributes than the table has columns is corrupt.
TEST(HeapTupleTest, AttributeCountDiffersFromColumns) {
  auto two = Cols({ColumnType::kInt4, ColumnType::kText});
  auto three = Cols({ColumnType::kInt4, ColumnType::kText, ColumnType::kInt8});
  std::string t = Form(two, {int64_t{1}, std::string("a")});
  auto row = HeapDeformTuple(three, t);
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(*row, (Tuple{int64_t{1}, std::string("a"), std::monostate{}}));
  auto bad = HeapDeformTuple(Cols({ColumnType::kInt4}), t);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().sqlstate, sqlstate::kDataCorrupted);
}

// Scenario: the setters change only their fields, with PostgreSQL's byte
// order for the ctid (block high half first).
TEST(HeapTupleTest, SettersForDeleteAndUpdate) {
  auto cols = Cols({ColumnType::kInt8});
  std::string t = Form(cols, {int64_t{5}});
  HeapTupleSetXmax(t.data(), 200);
  HeapTupleSetCid(t.data(), 9);
  HeapTupleSetCtid(t.data(), ItemPointer{70000, 5});
  HeapTupleSetInfomask(t.data(), kHeapXminCommitted);
  HeapTupleSetInfomask2(t.data(), kHeapHotUpdated);
  auto h = HeapTupleGetHeader(t);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->xmax, 200u);
  EXPECT_EQ(h->cid, 9u);
  EXPECT_EQ(h->ctid, (ItemPointer{70000, 5}));
  EXPECT_EQ(At<uint16_t>(t, 12), 1) << "bi_hi";
  EXPECT_EQ(At<uint16_t>(t, 14), 70000 - 65536) << "bi_lo";
  EXPECT_EQ(h->infomask, kHeapXminCommitted) << "xmax set: kHeapXmaxInvalid cleared";
  EXPECT_EQ(h->infomask2, kHeapHotUpdated | 1);
  HeapTupleSetXmax(t.data(), 0);
  EXPECT_EQ(HeapTupleGetHeader(t)->infomask, kHeapXminCommitted | kHeapXmaxInvalid);
  EXPECT_EQ(*HeapDeformTuple(cols, t), (Tuple{int64_t{5}}));
}

// Scenario: a tuple placed on a page gets its own TID as ctid, as
// heap_insert does, and reads back from the page.
TEST(HeapTupleTest, PlacedOnAPage) {
  alignas(8) char page[kBlockSize];
  PageInit(page, 0);
  auto cols = Cols({ColumnType::kInt4, ColumnType::kText});
  Tuple values{int64_t{1}, std::string("one")};
  OffsetNumber off = PageAddItem(page, Form(cols, values));
  ASSERT_EQ(off, 1);
  ItemId id = PageGetItemId(page, off);
  HeapTupleSetCtid(PageGetItemData(page, id), ItemPointer{0, off});
  EXPECT_EQ(HeapTupleGetHeader(PageGetItem(page, id))->ctid, (ItemPointer{0, 1}));
  EXPECT_EQ(*HeapDeformTuple(cols, PageGetItem(page, id)), values);
}

// Scenario: damaged tuples are refused with XX001, never read past.
TEST(HeapTupleTest, CorruptTuplesAreRefused) {
  auto cols = Cols({ColumnType::kInt8, ColumnType::kText});
  std::string t = Form(cols, {int64_t{1}, std::string(300, 'x')});
  for (size_t cut : {size_t{0}, size_t{10}, size_t{23}, size_t{30}, t.size() - 1}) {
    auto r = HeapDeformTuple(cols, std::string_view(t).substr(0, cut));
    ASSERT_FALSE(r.ok()) << cut;
    EXPECT_EQ(r.error().sqlstate, sqlstate::kDataCorrupted);
  }
  std::string bad_hoff = t;
  bad_hoff[22] = static_cast<char>(250);
  EXPECT_FALSE(HeapDeformTuple(cols, std::string_view(bad_hoff).substr(0, 100)).ok());

  std::string toast = Form(Cols({ColumnType::kText}), {std::string("ab")});
  toast[24] = 0x01;  // a TOAST pointer's header
  EXPECT_FALSE(HeapDeformTuple(Cols({ColumnType::kText}), toast).ok());
}

}  // namespace
}  // namespace minipg::storage
