/*-------------------------------------------------------------------------
 * pg_page_compat_test.cpp
 *   minipg's pages and tuples against a page written by PostgreSQL 15.
 *
 *   data/pg15_heap_page.bin is block 0 of this table, as PostgreSQL 15
 *   (x86-64, no data checksums) wrote it, taken with pageinspect's
 *   get_raw_page('t', 0) after a CHECKPOINT:
 *
 *     CREATE TABLE t (b boolean, x bigint, s text, i integer);
 *     INSERT INTO t VALUES (true, 1099511627776, 'short', 7),
 *       (NULL, 2, repeat('L', 300), NULL), (false, NULL, '', -1),
 *       (true, -5, repeat('z', 126), 2147483647), (NULL, NULL, NULL, NULL);
 *
 *   heap_page_items said: lp_off 8136 7800 7768 7592 7568, lp_len 52 336
 *   32 172 24, t_xmin 726, t_infomask 2050 2051 2051 2050 2049, t_hoff 24.
 *-------------------------------------------------------------------------
 */
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "engine/storage/page/heap_tuple.h"
#include "engine/storage/page/page.h"

namespace minipg::storage {
namespace {

const std::vector<ColumnDef> kColumns{{"b", ColumnType::kBool},
                                      {"x", ColumnType::kInt8},
                                      {"s", ColumnType::kText},
                                      {"i", ColumnType::kInt4}};

std::vector<Tuple> Rows() {
  return {
      {true, int64_t{1099511627776}, std::string("short"), int64_t{7}},
      {std::monostate{}, int64_t{2}, std::string(300, 'L'), std::monostate{}},
      {false, std::monostate{}, std::string(), int64_t{-1}},
      {true, int64_t{-5}, std::string(126, 'z'), int64_t{2147483647}},
      {std::monostate{}, std::monostate{}, std::monostate{}, std::monostate{}},
  };
}

std::string PostgresPage() {
  std::ifstream f(std::string(MINIPG_DEFAULT_SOURCE_DIR) +
                      "/tests/engine/storage/data/pg15_heap_page.bin",
                  std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

// Scenario: minipg reads PostgreSQL's page: its header, line pointers,
// tuple headers and every value.
TEST(PgPageCompatTest, ReadsAPageWrittenByPostgreSql) {
  std::string page = PostgresPage();
  ASSERT_EQ(page.size(), kBlockSize);
  EXPECT_EQ(PageGetLower(page.data()), 44);
  EXPECT_EQ(PageGetUpper(page.data()), 7568);
  EXPECT_EQ(PageGetSpecial(page.data()), 8192);
  EXPECT_EQ(FormatLsn(PageGetLSN(page.data())), "0/1570410");
  ASSERT_EQ(PageGetMaxOffsetNumber(page.data()), 5);
  std::vector<Tuple> rows = Rows();
  const uint16_t infomask[] = {2050, 2051, 2051, 2050, 2049};
  for (OffsetNumber off = 1; off <= 5; ++off) {
    std::string_view item = PageGetItem(page.data(), PageGetItemId(page.data(), off));
    auto h = HeapTupleGetHeader(item);
    ASSERT_TRUE(h.ok());
    EXPECT_EQ(h->xmin, 726u);
    EXPECT_EQ(h->ctid, (ItemPointer{0, off}));
    EXPECT_EQ(h->infomask, infomask[off - 1]);
    auto row = HeapDeformTuple(kColumns, item);
    ASSERT_TRUE(row.ok()) << row.error().message;
    EXPECT_EQ(*row, rows[off - 1]) << "row " << off;
  }
}

// Scenario: inserting the same rows into an empty page (xmin 726, each
// ctid its own TID) builds PostgreSQL's page byte for byte, but for the
// LSN (no WAL here).
TEST(PgPageCompatTest, BuildsThePagePostgreSqlBuilds) {
  std::string expected = PostgresPage();
  ASSERT_EQ(expected.size(), kBlockSize);
  alignas(8) char page[kBlockSize];
  PageInit(page, 0);
  for (const Tuple& row : Rows()) {
    auto tuple = HeapFormTuple(kColumns, row, 726, 0);
    ASSERT_TRUE(tuple.ok()) << tuple.error().message;
    OffsetNumber off = PageAddItem(page, *tuple);
    ASSERT_NE(off, kInvalidOffsetNumber);
    HeapTupleSetCtid(PageGetItemData(page, PageGetItemId(page, off)), ItemPointer{0, off});
  }
  PageSetLSN(page, PageGetLSN(expected.data()));
  for (size_t i = 0; i < kBlockSize; ++i) {
    ASSERT_EQ(page[i], expected[i]) << "first difference at byte " << i;
  }
}

}  // namespace
}  // namespace minipg::storage
