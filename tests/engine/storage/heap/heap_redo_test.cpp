/*-------------------------------------------------------------------------
 * heap_redo_test.cpp
 *   Redo: replaying the WAL onto a data directory that lost its relation
 *   files and pg_xact rebuilds the same pages and statuses; replaying
 *   twice changes nothing; a torn page is restored by its full page image;
 *   records of a relation dropped later are skipped.
 *-------------------------------------------------------------------------
 */
#include "tests/engine/storage/heap/heap_test_util.h"

#include <fstream>

namespace minipg::storage {
namespace {

// Scenario: a table gets 1000 rows in two committed transactions and 5 in
// a rolled-back one; its pages are written. Then the files and pg_xact are
// removed, and redo of the WAL on a fresh shared memory rebuilds the very
// same pages, byte for byte, and the same statuses; a second replay changes
// nothing.
TEST_F(HeapTest, RedoRebuildsSamePages) {
  ASSERT_TRUE(HeapCreateRelation(kRel).ok());
  InsertIds(0, 600);
  ASSERT_TRUE(CommitTransaction().ok());
  InsertIds(600, 605);
  TransactionId aborted = GetCurrentTransactionIdIfAny();
  ASSERT_TRUE(AbortTransaction().ok());
  InsertIds(605, 1000);
  auto last = CommitTransaction();
  ASSERT_TRUE(last.ok());
  TransactionId next = ReadNextTransactionId();
  ASSERT_TRUE(FlushAllDirty().ok());
  std::string before = FileBytes("base/5/16384");
  ASSERT_GT(before.size(), 3 * kBlockSize);
  Stop();

  std::filesystem::remove(dir_.path() / "base/5/16384");
  std::filesystem::remove_all(dir_.path() / "pg_xact");
  Start(/*wal=*/false);
  EXPECT_GT(Replay(), 1000);
  EXPECT_EQ(ReadNextTransactionId(), next);
  EXPECT_EQ(*TransactionIdGetStatus(aborted), XidStatus::kAborted);
  EXPECT_EQ(ScanIds().size(), 995u);
  ASSERT_TRUE(FlushAllDirty().ok());
  EXPECT_EQ(FileBytes("base/5/16384"), before);

  Replay();  // again: every page is already as new as each record
  ASSERT_TRUE(FlushAllDirty().ok());
  EXPECT_EQ(FileBytes("base/5/16384"), before);
}

// Scenario: after a checkpoint's redo point, the first change to page 0
// logs its full image. Page 0 is then written, and half of it overwritten
// with garbage on disk (a torn write): reading it fails its checksum, and
// redo from the redo point restores it from the image; every row is back.
TEST_F(HeapTest, TornPageRestoredByFullPageImage) {
  ASSERT_TRUE(HeapCreateRelation(kRel).ok());
  InsertIds(0, 10);
  ASSERT_TRUE(CommitTransaction().ok());
  ASSERT_TRUE(FlushAllDirty().ok());  // the "checkpoint"
  ASSERT_TRUE(CheckPointTransam().ok());
  XLogRecPtr redo = wal::GetWalPositions().insert;
  wal::XLogSetRedoPtr(redo);
  InsertIds(10, 12);
  ASSERT_TRUE(CommitTransaction().ok());
  EXPECT_EQ(wal::GetWalStats().wal_fpi, 1u);  // the first change only
  ASSERT_TRUE(FlushAllDirty().ok());
  Stop();

  {
    std::fstream f(dir_.path() / "base/5/16384", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(kBlockSize / 2);
    std::string garbage(kBlockSize / 2, '\x5A');
    f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  Start(/*wal=*/false);
  auto broken = ReadBuffer(BufferTag{kRel, ForkNumber::kMain, 0});
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().sqlstate, "XX001");

  Replay(redo);
  std::vector<int64_t> ids = ScanIds();
  ASSERT_EQ(ids.size(), 12u);
  EXPECT_EQ(ids.back(), 11);
}

// Scenario: a table created, filled and dropped; replay starts after its
// CREATE (the redo point of a later checkpoint): its inserts find no file
// and are skipped without error, and it stays gone.
TEST_F(HeapTest, RecordsOfDroppedRelationAreSkipped) {
  ASSERT_TRUE(HeapCreateRelation(kRel).ok());
  XLogRecPtr after_create = wal::GetWalPositions().insert;
  InsertIds(0, 5);
  ASSERT_TRUE(CommitTransaction().ok());
  HeapDropRelation(kRel);
  ASSERT_TRUE(CommitTransaction().ok());
  ASSERT_TRUE(wal::XLogFlush(wal::GetWalPositions().insert).ok());
  Stop();
  Start(/*wal=*/false);
  EXPECT_EQ(Replay(after_create), 7);  // 5 inserts, 2 commits
  EXPECT_FALSE(SmgrExists(kRel, ForkNumber::kMain));
}

}  // namespace
}  // namespace minipg::storage
