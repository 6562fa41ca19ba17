/*-------------------------------------------------------------------------
 * heap_redo_test.cpp
 *   Redo: replaying the WAL onto a data directory that lost its relation
 *   files and pg_xact rebuilds the same pages and statuses; replaying
 *   twice changes nothing; a torn page is restored by its full page image;
 *   records of a relation dropped later are skipped; a DELETE record is
 *   described as pg_waldump describes it and replayed once.
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
  ASSERT_TRUE(FlushAllDirty().ok());
  EXPECT_EQ(FileBytes("base/5/16384"), before);

  Replay();  // again: every page is already as new as each record
  ASSERT_TRUE(FlushAllDirty().ok());
  EXPECT_EQ(FileBytes("base/5/16384"), before);
  EXPECT_EQ(ScanIds().size(), 995u);  // last: a scan sets hint bits, which the WAL does not carry
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

// Scenario: 6 rows, rows 2 and 5 deleted in a committed transaction and
// row 3 in an aborted one. The DELETE records read as pg_waldump prints
// them; redo onto a data directory without the file rebuilds the same
// page byte for byte (the deleted tuples still on it, xmax set), shows the
// same rows, and a second replay changes nothing.
TEST_F(HeapTest, DeleteRedoRebuildsSamePage) {
  ASSERT_TRUE(HeapCreateRelation(kRel).ok());
  InsertIds(1, 7);
  ASSERT_TRUE(CommitTransaction().ok());
  ItemPointer t2 = TidOf(2), t3 = TidOf(3), t5 = TidOf(5);
  ASSERT_TRUE(HeapDelete(kRel, t2).ok());
  ASSERT_TRUE(HeapDelete(kRel, t5).ok());
  ASSERT_TRUE(CommitTransaction().ok());
  ASSERT_TRUE(HeapDelete(kRel, t3).ok());
  ASSERT_TRUE(AbortTransaction().ok());
  EXPECT_EQ(ScanIds(), (std::vector<int64_t>{1, 3, 4, 6}));
  ASSERT_TRUE(FlushAllDirty().ok());
  ASSERT_TRUE(wal::XLogFlush(wal::GetWalPositions().insert).ok());
  std::string before = FileBytes("base/5/16384");
  Stop();

  std::vector<std::string> deletes;
  {
    wal::WalDirSource src(dir_.path() / "pg_wal");
    wal::XLogReader reader(src, kTestSystemId);
    for (const wal::DecodedRecord* r = reader.ReadRecord(wal::FirstRecordLsn()); r != nullptr; r = reader.ReadNext()) {
      std::string line = wal::FormatWaldumpLine(*r);
      if (line.find("desc: DELETE") != std::string::npos) deletes.push_back(line);
    }
  }
  ASSERT_EQ(deletes.size(), 3u);
  EXPECT_NE(deletes[0].find("rmgr: Heap        len (rec/tot):     54/    54"), std::string::npos) << deletes[0];
  EXPECT_NE(deletes[0].find("desc: DELETE off 2 flags 0x00 KEYS_UPDATED , blkref #0: rel 1663/5/16384 blk 0"),
            std::string::npos)
      << deletes[0];

  std::filesystem::remove(dir_.path() / "base/5/16384");
  std::filesystem::remove_all(dir_.path() / "pg_xact");
  Start(/*wal=*/false);
  EXPECT_GT(Replay(), 9);
  EXPECT_EQ(ScanIds(), (std::vector<int64_t>{1, 3, 4, 6}));
  ASSERT_TRUE(FlushAllDirty().ok());
  EXPECT_EQ(FileBytes("base/5/16384"), before);
  Replay();
  ASSERT_TRUE(FlushAllDirty().ok());
  EXPECT_EQ(FileBytes("base/5/16384"), before);
}

}  // namespace
}  // namespace minipg::storage
