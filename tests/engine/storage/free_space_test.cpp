/*-------------------------------------------------------------------------
 * free_space_test.cpp
 *   The free space map (engine/storage/smgr/free_space.h): finding a page
 *   with room, PostgreSQL's category rounding, a map spanning two FSM
 *   pages, stale hints corrected by the caller, a corrupt map page read as
 *   empty, and truncation.
 *-------------------------------------------------------------------------
 */
#include "engine/storage/smgr/free_space.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "engine/storage/page/page.h"
#include "engine/storage/smgr/smgr.h"
#include "tests/engine/storage/temp_dir.h"

namespace minipg::storage {
namespace {

namespace fs = std::filesystem;

const RelFileLocator kRel{kDefaultTablespaceOid, 5, 16400};

class FreeSpaceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_.path() / "base" / "5");
    SmgrInit(dir_.path());
  }
  void TearDown() override { SmgrCloseAll(); }

  void Record(BlockNumber block, size_t free_bytes) {
    Status s = RecordPageWithFreeSpace(kRel, block, free_bytes);
    ASSERT_TRUE(s.ok()) << s.error().message;
  }
  BlockNumber Find(size_t needed) {
    auto b = GetPageWithFreeSpace(kRel, needed);
    EXPECT_TRUE(b.ok()) << b.error().message;
    return b.ok() ? *b : kInvalidBlockNumber;
  }

  TempDir dir_;
};

TEST(FsmCategoryTest, RoundingAsPostgreSql) {
  EXPECT_EQ(FsmSpaceToCategory(0), 0);
  EXPECT_EQ(FsmSpaceToCategory(31), 0);
  EXPECT_EQ(FsmSpaceToCategory(63), 1) << "recorded space rounds down";
  EXPECT_EQ(FsmSpaceToCategory(8164), 255) << "an empty heap page";
  EXPECT_EQ(FsmNeededCategory(1), 1u) << "needed space rounds up";
  EXPECT_EQ(FsmNeededCategory(32), 1u);
  EXPECT_EQ(FsmNeededCategory(33), 2u);
  EXPECT_EQ(FsmNeededCategory(9000), 256u) << "more than any page";
}

// Scenario: a relation without a map has no page with room; recording
// creates the _fsm fork; the first block with enough room is found, across
// two FSM pages (heap block 9000 is on the second).
TEST_F(FreeSpaceTest, FindsTheFirstPageWithRoom) {
  EXPECT_EQ(Find(10), kInvalidBlockNumber);
  EXPECT_EQ(*GetRecordedFreeSpace(kRel, 3), 0u);
  Record(0, 100);
  Record(5, 8000);
  Record(9000, 4000);
  EXPECT_TRUE(SmgrExists(kRel, ForkNumber::kFsm));
  EXPECT_EQ(*SmgrNBlocks(kRel, ForkNumber::kFsm), 2u);
  EXPECT_EQ(fs::file_size(dir_.path() / "base/5/16400_fsm"), 2 * kBlockSize);

  EXPECT_EQ(Find(50), 0u);
  EXPECT_EQ(Find(200), 5u);
  EXPECT_EQ(Find(8000), 5u);
  EXPECT_EQ(Find(8001), kInvalidBlockNumber);
  EXPECT_EQ(*GetRecordedFreeSpace(kRel, 9000), 4000u - 4000 % 32);
  Record(5, 0);
  EXPECT_EQ(Find(200), 9000u);
  EXPECT_EQ(Find(9000), kInvalidBlockNumber);
}

// Scenario: 63 free bytes are recorded as 32 (category 1): enough for a
// 32-byte tuple, not for 33, so the map never overpromises.
TEST_F(FreeSpaceTest, NeverPromisesMoreThanRecorded) {
  Record(2, 63);
  EXPECT_EQ(*GetRecordedFreeSpace(kRel, 2), 32u);
  EXPECT_EQ(Find(32), 2u);
  EXPECT_EQ(Find(33), kInvalidBlockNumber);
}

// Scenario: the map says block 0 has room, but the heap page was filled
// since (a stale hint). The caller checks the page, records the truth and
// asks again, and is sent to block 1.
TEST_F(FreeSpaceTest, StaleHintIsCorrectedByTheCaller) {
  ASSERT_TRUE(SmgrCreate(kRel, ForkNumber::kMain).ok());
  alignas(8) char page[kBlockSize];
  for (BlockNumber b = 0; b < 2; ++b) {
    PageInit(page, 0);
    ASSERT_TRUE(SmgrExtend(BufferTag{kRel, ForkNumber::kMain, b}, page).ok());
    Record(b, PageGetFreeSpace(page));
  }
  // Fill block 0 without telling the map.
  ASSERT_TRUE(SmgrRead(BufferTag{kRel, ForkNumber::kMain, 0}, page).ok());
  while (PageAddItem(page, std::string(500, 'x')) != kInvalidOffsetNumber) {
  }
  ASSERT_TRUE(SmgrWrite(BufferTag{kRel, ForkNumber::kMain, 0}, page).ok());

  const size_t needed = 400;
  BlockNumber b = Find(needed);
  ASSERT_EQ(b, 0u) << "the stale hint";
  ASSERT_TRUE(SmgrRead(BufferTag{kRel, ForkNumber::kMain, b}, page).ok());
  ASSERT_LT(PageGetFreeSpace(page), needed);
  Record(b, PageGetFreeSpace(page));
  EXPECT_EQ(Find(needed), 1u);
}

// Scenario: a map page damaged on disk reads as empty (no error: it is a
// hint), and recording again repairs it.
TEST_F(FreeSpaceTest, CorruptMapPageReadsAsEmpty) {
  Record(7, 5000);
  {
    std::fstream f(dir_.path() / "base/5/16400_fsm", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(kPageHeaderSize + 7);
    f.put('\x00');
    f.put('\x77');
  }
  EXPECT_EQ(Find(100), kInvalidBlockNumber);
  EXPECT_EQ(*GetRecordedFreeSpace(kRel, 7), 0u);
  Record(7, 5000);
  EXPECT_EQ(Find(100), 7u);
}

// Scenario: after the heap is cut to 3 blocks the map forgets blocks 3 on,
// and a map page wholly past the end goes.
TEST_F(FreeSpaceTest, TruncateForgetsCutBlocks) {
  for (BlockNumber b = 0; b < 6; ++b) Record(b, b == 4 ? 8000 : 100);
  Record(9000, 8000);
  ASSERT_TRUE(FreeSpaceMapTruncateRel(kRel, 3).ok());
  EXPECT_EQ(*SmgrNBlocks(kRel, ForkNumber::kFsm), 1u);
  EXPECT_EQ(Find(1000), kInvalidBlockNumber);
  EXPECT_EQ(Find(50), 0u);
  EXPECT_EQ(*GetRecordedFreeSpace(kRel, 5), 0u);
  EXPECT_EQ(*GetRecordedFreeSpace(kRel, 2), 96u);
}

}  // namespace
}  // namespace minipg::storage
