/*-------------------------------------------------------------------------
 * heap_lock_test.cpp
 *   Row locks of SELECT ... FOR UPDATE / SHARE (heap_lock.cpp): the lock
 *   bits HeapLockTuple sets, a stronger lock of the own transaction over a
 *   weaker one, a lock hiding nothing from a scan, the Heap LOCK record as
 *   pg_waldump describes it, and its redo after a crash: the row carries
 *   the lock again, but its xid never committed, so it is no lock.
 *-------------------------------------------------------------------------
 */
#include "tests/engine/storage/heap/heap_test_util.h"

#include "engine/storage/heap/heap_xmax.h"

namespace minipg::storage {
namespace {

// Scenario: rows 1..4 committed. A transaction locks row 2 FOR KEY SHARE,
// then FOR UPDATE (made stronger in place), row 3 FOR SHARE; its own
// FOR NO KEY UPDATE of row 3 is a stronger lock still. The scan sees every
// row. Its xid is never committed: the server dies (the WAL flushed). Redo
// onto a directory without the table file and pg_xact puts the same lock
// bits back, and the lock's xid is not running, so the row is not locked.
TEST_F(HeapTest, LockRedoAfterCrashLeavesRowUnlocked) {
  ASSERT_TRUE(HeapCreateRelation(kRel).ok());
  InsertIds(1, 5);
  ASSERT_TRUE(CommitTransaction().ok());
  ItemPointer t2 = TidOf(2), t3 = TidOf(3);
  auto Lock = [](ItemPointer tid, LockTupleMode mode, TmFailure* tm) {
    return HeapLockTuple(kRel, "t", tid, mode, LockWaitPolicy::kError, tm);
  };
  TmFailure tm;
  ASSERT_TRUE(Lock(t2, LockTupleMode::kKeyShare, &tm).ok());
  EXPECT_EQ(tm.result, TmResult::kOk);
  TransactionId xid = GetCurrentTransactionIdIfAny();
  ASSERT_NE(xid, kInvalidTransactionId);
  HeapTupleHeader h = HeaderAt(t2);
  EXPECT_EQ(h.xmax, xid);
  EXPECT_EQ(h.infomask & (kHeapXmaxLockOnly | kHeapXmaxKeyshrLock | kHeapXmaxExclLock),
            kHeapXmaxLockOnly | kHeapXmaxKeyshrLock);
  ASSERT_TRUE(Lock(t2, LockTupleMode::kExclusive, &tm).ok());
  ASSERT_TRUE(Lock(t2, LockTupleMode::kShare, &tm).ok());  // weaker: nothing changes
  EXPECT_EQ(tm.result, TmResult::kOk);
  ASSERT_TRUE(Lock(t3, LockTupleMode::kShare, &tm).ok());
  ASSERT_TRUE(Lock(t3, LockTupleMode::kNoKeyExclusive, &tm).ok());
  h = HeaderAt(t2);
  EXPECT_EQ(h.infomask & (kHeapXmaxLockOnly | kHeapXmaxKeyshrLock | kHeapXmaxExclLock),
            kHeapXmaxLockOnly | kHeapXmaxExclLock);
  EXPECT_NE(h.infomask2 & kHeapKeysUpdated, 0);
  HeapTupleHeader h3 = HeaderAt(t3);
  EXPECT_EQ(h3.infomask & (kHeapXmaxLockOnly | kHeapXmaxKeyshrLock | kHeapXmaxExclLock),
            kHeapXmaxLockOnly | kHeapXmaxExclLock);
  EXPECT_EQ(h3.infomask2 & kHeapKeysUpdated, 0);
  EXPECT_EQ(ScanIds(), (std::vector<int64_t>{1, 2, 3, 4}));
  ASSERT_TRUE(wal::XLogFlush(wal::GetWalPositions().insert).ok());
  Stop();

  std::vector<std::string> locks;
  {
    wal::WalDirSource src(dir_.path() / "pg_wal");
    wal::XLogReader reader(src, kTestSystemId);
    for (const wal::DecodedRecord* r = reader.ReadRecord(wal::FirstRecordLsn()); r != nullptr; r = reader.ReadNext()) {
      std::string line = wal::FormatWaldumpLine(*r);
      if (line.find("desc: LOCK") != std::string::npos) locks.push_back(line);
    }
  }
  ASSERT_EQ(locks.size(), 4u);  // the weaker FOR SHARE of row 2 wrote nothing
  std::string want = "desc: LOCK off " + std::to_string(t2.offset) + ": xid " + std::to_string(xid) +
                     ": flags 0x00 LOCK_ONLY EXCL_LOCK KEYS_UPDATED , blkref #0: rel 1663/5/16384 blk 0";
  EXPECT_NE(locks[1].find(want), std::string::npos) << locks[1];

  std::filesystem::remove(dir_.path() / "base/5/16384");
  std::filesystem::remove_all(dir_.path() / "pg_xact");
  Start(/*wal=*/false, 16, /*procarray=*/true);
  EXPECT_GT(Replay(), 5);
  h = HeaderAt(t2);
  EXPECT_EQ(h.xmax, xid);
  EXPECT_EQ(h.infomask & (kHeapXmaxLockOnly | kHeapXmaxKeyshrLock | kHeapXmaxExclLock),
            kHeapXmaxLockOnly | kHeapXmaxExclLock);
  EXPECT_NE(h.infomask2 & kHeapKeysUpdated, 0);
  EXPECT_NE(*TransactionIdGetStatus(xid), XidStatus::kCommitted);
  auto check = CheckXmax(h, t2, LockTupleMode::kExclusive, true);
  ASSERT_TRUE(check.ok());
  EXPECT_EQ(check->kind, XmaxCheck::Kind::kFree);  // no lock: its xid died with the server
  EXPECT_EQ(ScanIds(), (std::vector<int64_t>{1, 2, 3, 4}));
}

}  // namespace
}  // namespace minipg::storage
