/*-------------------------------------------------------------------------
 * smgr_test.cpp
 *   Relation files (engine/storage/smgr/smgr.h), with segments of 4 blocks
 *   so that crossing a segment boundary costs 32 KiB, not 1 GiB: create,
 *   extend, read, write, truncate, unlink, close, sizes, and the errors
 *   PostgreSQL gives for a short read or a corrupt page.
 *-------------------------------------------------------------------------
 */
#include "engine/storage/smgr/smgr.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "engine/common/sqlstate.h"
#include "engine/storage/page/page.h"
#include "tests/engine/storage/temp_dir.h"

namespace minipg::storage {
namespace {

namespace fs = std::filesystem;

constexpr BlockNumber kSegBlocks = 4;
const RelFileLocator kRel{kDefaultTablespaceOid, 5, 16384};

struct PageBuf {
  alignas(8) char bytes[kBlockSize] = {};
  char* get() { return bytes; }
};

/* A page holding one item that names its block. */
PageBuf PageFor(BlockNumber block, const std::string& what = "block") {
  PageBuf p;
  PageInit(p.get(), 0);
  PageAddItem(p.get(), what + " " + std::to_string(block));
  return p;
}

std::string ItemOf(const char* page) {
  return std::string(PageGetItem(page, PageGetItemId(page, 1)));
}

BufferTag Tag(BlockNumber block, ForkNumber fork = ForkNumber::kMain) {
  return BufferTag{kRel, fork, block};
}

class SmgrTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_.path() / "base" / "5");
    SmgrInit(dir_.path(), kSegBlocks);
  }
  void TearDown() override { SmgrCloseAll(); }

  void CreateWithBlocks(BlockNumber n) {
    ASSERT_TRUE(SmgrCreate(kRel, ForkNumber::kMain).ok());
    for (BlockNumber b = 0; b < n; ++b) {
      PageBuf p = PageFor(b);
      Status s = SmgrExtend(Tag(b), p.get());
      ASSERT_TRUE(s.ok()) << s.error().message;
    }
  }
  uintmax_t FileSize(const std::string& relative) { return fs::file_size(dir_.path() / relative); }
  bool FileExists(const std::string& relative) { return fs::exists(dir_.path() / relative); }

  TempDir dir_;
};

TEST(RelPathTest, NamesAsPostgreSql) {
  EXPECT_EQ(RelPath(kRel, ForkNumber::kMain), "base/5/16384");
  EXPECT_EQ(RelPath(kRel, ForkNumber::kFsm), "base/5/16384_fsm");
  EXPECT_EQ(RelPath(kRel, ForkNumber::kVisibilityMap), "base/5/16384_vm");
  EXPECT_EQ(RelPath(RelFileLocator{kGlobalTablespaceOid, 0, 1262}, ForkNumber::kMain),
            "global/1262");
}

// Scenario: ten blocks in segments of four fill 16384 and 16384.1 and half
// of 16384.2; each block reads back as written, checksum verified.
TEST_F(SmgrTest, ExtendAndReadAcrossSegments) {
  CreateWithBlocks(0);
  EXPECT_TRUE(SmgrExists(kRel, ForkNumber::kMain));
  EXPECT_FALSE(SmgrExists(kRel, ForkNumber::kFsm));
  EXPECT_EQ(*SmgrNBlocks(kRel, ForkNumber::kMain), 0u);
  for (BlockNumber b = 0; b < 10; ++b) {
    PageBuf p = PageFor(b);
    ASSERT_TRUE(SmgrExtend(Tag(b), p.get()).ok());
    EXPECT_EQ(PageGetU16(p.get(), kPdChecksumOffset), 0) << "the caller's page is not changed";
  }
  EXPECT_EQ(*SmgrNBlocks(kRel, ForkNumber::kMain), 10u);
  EXPECT_EQ(FileSize("base/5/16384"), 4 * kBlockSize);
  EXPECT_EQ(FileSize("base/5/16384.1"), 4 * kBlockSize);
  EXPECT_EQ(FileSize("base/5/16384.2"), 2 * kBlockSize);
  EXPECT_EQ(*SmgrRelationSize(kRel, ForkNumber::kMain), 10 * kBlockSize);
  for (BlockNumber b = 0; b < 10; ++b) {
    PageBuf p;
    Status s = SmgrRead(Tag(b), p.get());
    ASSERT_TRUE(s.ok()) << s.error().message;
    EXPECT_EQ(ItemOf(p.get()), "block " + std::to_string(b));
    EXPECT_EQ(PageGetU16(p.get(), kPdChecksumOffset), PageComputeChecksum(p.get(), b))
        << "checksummed on disk";
  }
  EXPECT_TRUE(SmgrSync(kRel, ForkNumber::kMain).ok());
}

TEST_F(SmgrTest, ExtendOnlyAtTheEnd) {
  CreateWithBlocks(2);
  PageBuf p = PageFor(5);
  Status s = SmgrExtend(Tag(5), p.get());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "cannot extend file \"base/5/16384\" at block 5: it has 2 blocks");
}

// Scenario: an overwritten block in the second segment reads back new; its
// neighbours are untouched; a new (all-zero) page is stored and read back.
TEST_F(SmgrTest, WriteReplacesABlock) {
  CreateWithBlocks(6);
  PageBuf p = PageFor(5, "new");
  ASSERT_TRUE(SmgrWrite(Tag(5), p.get()).ok());
  PageBuf r;
  ASSERT_TRUE(SmgrRead(Tag(5), r.get()).ok());
  EXPECT_EQ(ItemOf(r.get()), "new 5");
  ASSERT_TRUE(SmgrRead(Tag(4), r.get()).ok());
  EXPECT_EQ(ItemOf(r.get()), "block 4");

  PageBuf zero;
  ASSERT_TRUE(SmgrExtend(Tag(6), zero.get()).ok());
  ASSERT_TRUE(SmgrRead(Tag(6), r.get()).ok());
  EXPECT_TRUE(PageIsNew(r.get()));
}

// Scenario: truncating to 6 blocks keeps segment 0 whole, cuts segment 1
// to 2 blocks and leaves segment 2 as an empty file (as PostgreSQL does);
// the relation can grow again from there.
TEST_F(SmgrTest, TruncateAcrossSegments) {
  CreateWithBlocks(10);
  ASSERT_TRUE(SmgrTruncate(kRel, ForkNumber::kMain, 6).ok());
  EXPECT_EQ(*SmgrNBlocks(kRel, ForkNumber::kMain), 6u);
  EXPECT_EQ(FileSize("base/5/16384"), 4 * kBlockSize);
  EXPECT_EQ(FileSize("base/5/16384.1"), 2 * kBlockSize);
  EXPECT_EQ(FileSize("base/5/16384.2"), 0u);

  Status s = SmgrTruncate(kRel, ForkNumber::kMain, 8);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message,
            "could not truncate file \"base/5/16384\" to 8 blocks: it's only 6 blocks now");

  for (BlockNumber b = 6; b < 9; ++b) {
    PageBuf p = PageFor(b, "again");
    ASSERT_TRUE(SmgrExtend(Tag(b), p.get()).ok());
  }
  EXPECT_EQ(*SmgrNBlocks(kRel, ForkNumber::kMain), 9u);
  PageBuf r;
  ASSERT_TRUE(SmgrRead(Tag(8), r.get()).ok());
  EXPECT_EQ(ItemOf(r.get()), "again 8");

  ASSERT_TRUE(SmgrTruncate(kRel, ForkNumber::kMain, 0).ok());
  EXPECT_EQ(*SmgrNBlocks(kRel, ForkNumber::kMain), 0u);
  EXPECT_EQ(*SmgrRelationSize(kRel, std::nullopt), 0u);
}

// Scenario: unlink removes every segment of every fork.
TEST_F(SmgrTest, UnlinkRemovesEveryForkAndSegment) {
  CreateWithBlocks(9);
  ASSERT_TRUE(SmgrCreate(kRel, ForkNumber::kFsm).ok());
  PageBuf p = PageFor(0);
  ASSERT_TRUE(SmgrExtend(Tag(0, ForkNumber::kFsm), p.get()).ok());
  EXPECT_EQ(*SmgrRelationSize(kRel, std::nullopt), 10 * kBlockSize);
  EXPECT_EQ(*SmgrRelationSize(kRel, ForkNumber::kFsm), kBlockSize);

  ASSERT_TRUE(SmgrUnlink(kRel).ok());
  for (const char* f : {"base/5/16384", "base/5/16384.1", "base/5/16384.2", "base/5/16384_fsm"}) {
    EXPECT_FALSE(FileExists(f)) << f;
  }
  EXPECT_FALSE(SmgrExists(kRel, ForkNumber::kMain));
  EXPECT_EQ(*SmgrRelationSize(kRel, std::nullopt), 0u);
  EXPECT_TRUE(SmgrUnlink(kRel).ok()) << "nothing left to remove is fine";
}

// Scenario: a file cut in the middle of a block gives PostgreSQL's short
// read error (XX001), as does a block past the end.
TEST_F(SmgrTest, ShortReadIsDataCorrupted) {
  CreateWithBlocks(2);
  fs::resize_file(dir_.path() / "base/5/16384", kBlockSize + 100);
  PageBuf p;
  Status s = SmgrRead(Tag(1), p.get());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().sqlstate, sqlstate::kDataCorrupted);
  EXPECT_EQ(s.error().message,
            "could not read block 1 in file \"base/5/16384\": read only 100 of 8192 bytes");

  s = SmgrRead(Tag(3), p.get());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message,
            "could not read block 3 in file \"base/5/16384\": read only 0 of 8192 bytes");
  s = SmgrRead(Tag(9), p.get());  // in a segment that does not exist
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message,
            "could not read block 9 in file \"base/5/16384.2\": read only 0 of 8192 bytes");
}

// Scenario: one flipped bit on disk makes the read fail with PostgreSQL's
// "invalid page" error (XX001); the checksum mismatch is the detail.
TEST_F(SmgrTest, ChecksumFailureIsReportedAsInvalidPage) {
  CreateWithBlocks(6);
  {
    std::fstream f(dir_.path() / "base/5/16384.1", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(kBlockSize + 4000);  // block 5, in its free space
    f.put('\x01');
  }
  PageBuf p;
  Status s = SmgrRead(Tag(5), p.get());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().sqlstate, sqlstate::kDataCorrupted);
  EXPECT_EQ(s.error().message, "invalid page in block 5 of relation base/5/16384");
  EXPECT_EQ(s.error().detail.rfind("page verification failed, calculated checksum ", 0), 0u)
      << s.error().detail;
  EXPECT_TRUE(SmgrRead(Tag(4), p.get()).ok());
}

TEST_F(SmgrTest, MissingRelationIsUndefinedFile) {
  PageBuf p;
  Status s = SmgrRead(Tag(0), p.get());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().sqlstate, sqlstate::kUndefinedFile);
  EXPECT_EQ(s.error().message,
            "could not open file \"base/5/16384\" (target block 0): No such file or directory");
  auto n = SmgrNBlocks(kRel, ForkNumber::kMain);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().message, "could not open file \"base/5/16384\": No such file or directory");
  EXPECT_EQ(*SmgrRelationSize(kRel, std::nullopt), 0u);
}

// Scenario: two segments of one relation and one of another are open;
// SmgrClose of the first closes its two (the other stays open); closing
// "relation 0" of database 5 closes every file of the database. The files
// stay, and reading opens them again.
TEST_F(SmgrTest, CloseReleasesDescriptorsOnly) {
  CreateWithBlocks(kSegBlocks + 1);  // segments 0 and 1
  RelFileLocator other{kDefaultTablespaceOid, 5, 16390};
  ASSERT_TRUE(SmgrCreate(other, ForkNumber::kMain).ok());
  ASSERT_TRUE(SmgrNBlocks(other, ForkNumber::kMain).ok());
  EXPECT_EQ(SmgrOpenFileCount(), 3u);
  SmgrClose(kRel);
  EXPECT_EQ(SmgrOpenFileCount(), 1u);
  SmgrClose(RelFileLocator{kDefaultTablespaceOid, 6, 0});  // another database: nothing
  EXPECT_EQ(SmgrOpenFileCount(), 1u);
  SmgrClose(RelFileLocator{kDefaultTablespaceOid, 5, 0});
  EXPECT_EQ(SmgrOpenFileCount(), 0u);
  PageBuf p;
  ASSERT_TRUE(SmgrRead(Tag(kSegBlocks), p.get()).ok());
  EXPECT_EQ(ItemOf(p.get()), "block " + std::to_string(kSegBlocks));
}

}  // namespace
}  // namespace minipg::storage
