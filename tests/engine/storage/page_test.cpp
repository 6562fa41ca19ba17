/*-------------------------------------------------------------------------
 * page_test.cpp
 *   The page layout (engine/storage/page/page.h): adding items until the
 *   page is full, free space as PostgreSQL computes it, the LSN, and the
 *   checksum catching any flipped bit or a page read at the wrong block.
 *-------------------------------------------------------------------------
 */
#include "engine/storage/page/page.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "engine/common/crc32c.h"
#include "engine/common/sqlstate.h"

namespace minipg::storage {
namespace {

struct PageBuf {
  alignas(8) char bytes[kBlockSize];
  PageBuf() { std::memset(bytes, 0, sizeof bytes); }
  char* get() { return bytes; }
};

TEST(Crc32cTest, KnownValueAndPiecesAndBothImplementations) {
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);  // the standard check value
  EXPECT_EQ(Crc32c("56789", Crc32c("1234")), 0xE3069283u);
  std::mt19937 rng(7);
  std::string data(1000, '\0');
  for (char& c : data) c = static_cast<char>(rng());
  for (size_t len : {0u, 1u, 7u, 8u, 9u, 63u, 1000u}) {
    EXPECT_EQ(Crc32c(std::string_view(data).substr(0, len)),
              Crc32cPortable(std::string_view(data).substr(0, len)));
  }
}

// Scenario: a fresh page is empty: its free space is all but the header and
// one line pointer, and its header says 8 KiB, layout version 4.
TEST(PageTest, InitMakesAnEmptyPage) {
  PageBuf p;
  PageInit(p.get(), 0);
  EXPECT_FALSE(PageIsNew(p.get()));
  EXPECT_EQ(PageGetLower(p.get()), 24);
  EXPECT_EQ(PageGetUpper(p.get()), 8192);
  EXPECT_EQ(PageGetSpecial(p.get()), 8192);
  EXPECT_EQ(PageGetU16(p.get(), kPdPagesizeVersionOffset), 8192 + 4);
  EXPECT_EQ(PageGetMaxOffsetNumber(p.get()), 0);
  EXPECT_EQ(PageGetFreeSpace(p.get()), 8192u - 24 - 4);

  PageInit(p.get(), 10);  // special space is MAXALIGNed: 16 bytes
  EXPECT_EQ(PageGetSpecial(p.get()), 8176);
  EXPECT_EQ(PageGetUpper(p.get()), 8176);
}

// Scenario: 100-byte items take 104 bytes (MAXALIGN) plus a 4-byte line
// pointer, so 75 fit in the 8168 free bytes and the 76th is refused.
TEST(PageTest, AddItemsUntilFull) {
  PageBuf p;
  PageInit(p.get(), 0);
  std::vector<std::string> items;
  for (int i = 0;; ++i) {
    std::string item(100, static_cast<char>('a' + i % 26));
    OffsetNumber off = PageAddItem(p.get(), item);
    if (off == kInvalidOffsetNumber) break;
    items.push_back(item);
    EXPECT_EQ(off, items.size());
  }
  ASSERT_EQ(items.size(), 75u);
  EXPECT_EQ(PageGetMaxOffsetNumber(p.get()), 75);
  EXPECT_EQ(PageGetFreeSpace(p.get()), 8168u - 75 * 108 - 4);
  for (OffsetNumber off = 1; off <= 75; ++off) {
    ItemId id = PageGetItemId(p.get(), off);
    EXPECT_TRUE(id.IsNormal());
    EXPECT_EQ(id.length, 100);
    EXPECT_EQ(id.offset % 8, 0) << "items start MAXALIGNed";
    EXPECT_EQ(PageGetItem(p.get(), id), items[off - 1]);
  }
  // Items grow down from the end: the first is last on the page.
  EXPECT_EQ(PageGetItemId(p.get(), 1).offset, 8192 - 104);
  // A 64-byte item and its line pointer fill the last 68 bytes exactly.
  EXPECT_EQ(PageAddItem(p.get(), std::string(65, 'z')), kInvalidOffsetNumber);
  EXPECT_EQ(PageAddItem(p.get(), std::string(64, 'z')), 76);
  EXPECT_EQ(PageGetFreeSpace(p.get()), 0u);
}

// Scenario: free space is pd_upper - pd_lower less one line pointer, never
// negative.
TEST(PageTest, FreeSpaceArithmetic) {
  PageBuf p;
  PageInit(p.get(), 0);
  ASSERT_EQ(PageAddItem(p.get(), "x"), 1);
  EXPECT_EQ(PageGetLower(p.get()), 28);
  EXPECT_EQ(PageGetUpper(p.get()), 8184);
  EXPECT_EQ(PageGetFreeSpace(p.get()), 8184u - 28 - 4);
  PageSetU16(p.get(), kPdUpperOffset, 30);  // only 2 bytes between lower and upper
  EXPECT_EQ(PageGetFreeSpace(p.get()), 0u);
}

// Scenario: an item added at a given offset must land on an unused line
// pointer or just past the last one; with no offset, a freed line pointer
// is reused before a new one is made.
TEST(PageTest, AddItemAtAGivenOffsetAndReuseOfFreeLines) {
  PageBuf p;
  PageInit(p.get(), 0);
  ASSERT_EQ(PageAddItem(p.get(), "one"), 1);
  EXPECT_EQ(PageAddItem(p.get(), "three", 3), kInvalidOffsetNumber) << "a gap";
  EXPECT_EQ(PageAddItem(p.get(), "again", 1), kInvalidOffsetNumber) << "in use";
  ASSERT_EQ(PageAddItem(p.get(), "two", 2), 2);
  ASSERT_EQ(PageAddItem(p.get(), "three"), 3);

  PageSetItemId(p.get(), 2, ItemId{});  // as vacuum would free it
  PageSetFlags(p.get(), PageGetFlags(p.get()) | kPdHasFreeLines);
  EXPECT_EQ(PageAddItem(p.get(), "two again"), 2);
  EXPECT_EQ(PageGetItem(p.get(), PageGetItemId(p.get(), 2)), "two again");
  EXPECT_EQ(PageAddItem(p.get(), "four"), 4);
  EXPECT_EQ(PageGetFlags(p.get()) & kPdHasFreeLines, 0) << "the stale hint is cleared";

  PageSetItemId(p.get(), 3, ItemId{});
  EXPECT_EQ(PageAddItem(p.get(), "redo", 3), 3) << "redo overwrites an unused line pointer";
}

// Scenario: a line pointer encodes offset, flags and length in one word, as
// PostgreSQL's ItemIdData bit fields do on a little-endian machine.
TEST(PageTest, LinePointerBits) {
  PageBuf p;
  PageInit(p.get(), 0);
  ASSERT_EQ(PageAddItem(p.get(), std::string(40, 'q')), 1);
  uint32_t word;
  std::memcpy(&word, p.get() + kPageHeaderSize, 4);
  EXPECT_EQ(word, (8192u - 40) | 1u << 15 | 40u << 17);
  PageSetItemId(p.get(), 1, ItemId{100, LpFlags::kDead, 0});
  EXPECT_EQ(PageGetItemId(p.get(), 1), (ItemId{100, LpFlags::kDead, 0}));
  EXPECT_TRUE(PageGetItem(p.get(), PageGetItemId(p.get(), 1)).empty());
}

// Scenario: a corrupt line pointer pointing past the page gives no bytes.
TEST(PageTest, ItemOutsideThePageReadsAsEmpty) {
  PageBuf p;
  PageInit(p.get(), 0);
  ASSERT_EQ(PageAddItem(p.get(), "abc"), 1);
  PageSetItemId(p.get(), 1, ItemId{8190, LpFlags::kNormal, 100});
  EXPECT_TRUE(PageGetItem(p.get(), PageGetItemId(p.get(), 1)).empty());
  EXPECT_EQ(PageGetItemData(p.get(), PageGetItemId(p.get(), 1)), nullptr);
  EXPECT_EQ(PageGetItemId(p.get(), 2), ItemId{}) << "past pd_lower";
}

TEST(PageTest, LsnIsTheFirstEightBytesAsPostgreSql) {
  PageBuf p;
  PageInit(p.get(), 0);
  EXPECT_EQ(PageGetLSN(p.get()), kInvalidXLogRecPtr);
  PageSetLSN(p.get(), 0x0000000116B37480ull);
  EXPECT_EQ(PageGetLSN(p.get()), 0x0000000116B37480ull);
  EXPECT_EQ(FormatLsn(PageGetLSN(p.get())), "1/16B37480");
  // PostgreSQL's PageXLogRecPtr: the high half first, each half little-endian.
  EXPECT_EQ(static_cast<unsigned char>(p.get()[0]), 0x01);
  EXPECT_EQ(static_cast<unsigned char>(p.get()[4]), 0x80);
  EXPECT_EQ(static_cast<unsigned char>(p.get()[7]), 0x16);
}

PageBuf SamplePage() {
  PageBuf p;
  PageInit(p.get(), 0);
  std::mt19937 rng(42);
  for (int i = 0; i < 30; ++i) {
    std::string item(1 + rng() % 200, '\0');
    for (char& c : item) c = static_cast<char>(rng());
    PageAddItem(p.get(), item);
  }
  PageSetLSN(p.get(), 0x16B3748);
  return p;
}

// Scenario: with the checksum set, the page verifies; flipping any single
// bit of the 8 KiB (header, line pointers, free space, items, the checksum
// itself) makes verification fail with XX001.
TEST(PageTest, ChecksumDetectsAFlippedBitAnywhere) {
  PageBuf p = SamplePage();
  PageSetChecksum(p.get(), 7);
  ASSERT_TRUE(PageVerify(p.get(), 7).ok());
  int undetected = 0;
  for (size_t bit = 0; bit < kBlockSize * 8; ++bit) {
    p.get()[bit / 8] ^= static_cast<char>(1 << (bit % 8));
    Status s = PageVerify(p.get(), 7);
    if (s.ok()) {
      ++undetected;
    } else if (bit == 0) {
      EXPECT_EQ(s.error().sqlstate, sqlstate::kDataCorrupted);
      EXPECT_NE(s.error().message.find("page verification failed, calculated checksum"),
                std::string::npos)
          << s.error().message;
    }
    p.get()[bit / 8] ^= static_cast<char>(1 << (bit % 8));
  }
  EXPECT_EQ(undetected, 0);
  EXPECT_TRUE(PageVerify(p.get(), 7).ok());
}

// Scenario: a page written for one block and read at another fails (the
// block number is part of the checksum); below 65536 never two alike.
TEST(PageTest, ChecksumDetectsTheWrongBlock) {
  PageBuf p = SamplePage();
  PageSetChecksum(p.get(), 7);
  EXPECT_FALSE(PageVerify(p.get(), 8).ok());
  EXPECT_FALSE(PageVerify(p.get(), 0).ok());
  std::vector<bool> seen(65536);
  for (BlockNumber b = 0; b < 65536; ++b) {
    uint16_t c = PageComputeChecksum(p.get(), b);
    EXPECT_FALSE(seen[c]) << "block " << b;
    seen[c] = true;
  }
}

// Scenario: an all-zero page (a new block) is valid, as in PostgreSQL; a
// page with pd_upper 0 but some other byte set is not; and a header whose
// pointers are out of order fails even with a correct checksum.
TEST(PageTest, AllZeroPageIsValidAndBadHeadersAreNot) {
  PageBuf p;
  EXPECT_TRUE(PageIsNew(p.get()));
  EXPECT_TRUE(PageVerify(p.get(), 3).ok());
  PageSetChecksum(p.get(), 3);
  EXPECT_EQ(PageGetU16(p.get(), kPdChecksumOffset), 0) << "a new page gets no checksum";
  p.get()[5000] = 1;
  EXPECT_FALSE(PageVerify(p.get(), 3).ok());

  PageBuf q;
  PageInit(q.get(), 0);
  PageSetU16(q.get(), kPdLowerOffset, 9000);
  PageSetChecksum(q.get(), 3);
  Status s = PageVerify(q.get(), 3);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().sqlstate, sqlstate::kDataCorrupted);
  EXPECT_NE(s.error().message.find("page header is invalid"), std::string::npos);
}

}  // namespace
}  // namespace minipg::storage
