/*-------------------------------------------------------------------------
 * lock_table_test.cpp
 *   The lock table's rules, driven for several "processes" in one: the
 *   conflict table is PostgreSQL's, a request waits behind an earlier
 *   conflicting waiter, a holder jumps ahead of a waiter that waits for it,
 *   release grants in queue order, a cancelled wait lets those behind it
 *   go, blockers and deadlock cycles, a full table.
 *-------------------------------------------------------------------------
 */
#include "engine/storage/lmgr/lock_table.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>

namespace minipg::lmgr {
namespace {

using M = LockMode;

class LockTableTest : public ::testing::Test {
 protected:
  void Make(int max_locks, int procs) {
    size_t size = LockTableSize(max_locks, procs);
    mem_.reset(static_cast<char*>(std::calloc(1, size)));
    LockTableInit(mem_.get(), max_locks, procs);
    t_ = reinterpret_cast<LockShared*>(mem_.get());
    for (int p = 0; p < procs; ++p) TableProc(t_, p)->pid = 100 + p;
  }
  void SetUp() override { Make(64, 4); }
  AcquireOutcome Acquire(int proc, const LockTag& tag, M mode, bool dont_wait = false) {
    return TableAcquire(t_, proc, tag, mode, dont_wait, 0);
  }
  bool Waiting(int proc) { return TableIsWaiting(t_, proc); }

  struct Free {
    void operator()(char* p) const { std::free(p); }
  };
  std::unique_ptr<char, Free> mem_;
  LockShared* t_ = nullptr;
  LockTag rel_ = RelationTag(5, 16384);
};

TEST(LockModesTest, ConflictTableIsPostgresqls) {
  // Rows of PostgreSQL's table (lock.c, LockConflicts): who blocks whom.
  const char* kTable[] = {
      "       X",  // AccessShare
      "      XX",  // RowShare
      "    XXXX",  // RowExclusive
      "   XXXXX",  // ShareUpdateExclusive
      "  XX XXX",  // Share
      "  XXXXXX",  // ShareRowExclusive
      " XXXXXXX",  // Exclusive
      "XXXXXXXX",  // AccessExclusive
  };
  for (int a = 1; a <= kMaxLockMode; ++a) {
    for (int b = 1; b <= kMaxLockMode; ++b) {
      bool want = kTable[a - 1][b - 1] == 'X';
      EXPECT_EQ(LockModesConflict(static_cast<M>(a), static_cast<M>(b)), want)
          << LockModeName(static_cast<M>(a)) << " vs " << LockModeName(static_cast<M>(b));
      EXPECT_EQ(LockModesConflict(static_cast<M>(a), static_cast<M>(b)),
                LockModesConflict(static_cast<M>(b), static_cast<M>(a)));
    }
  }
  EXPECT_EQ(LockModeFromWords("SHARE UPDATE EXCLUSIVE"), M::kShareUpdateExclusive);
  EXPECT_EQ(LockModeFromWords("SHARE"), M::kShare);
  EXPECT_EQ(LockModeFromWords("NONSENSE"), M::kNoLock);
  EXPECT_STREQ(LockModeName(M::kAccessExclusive), "AccessExclusiveLock");
}

TEST(LockModesTest, TagsAreDescribedAsPostgresqlDoes) {
  EXPECT_EQ(DescribeLockTag(RelationTag(5, 16384)), "relation 16384 of database 5");
  EXPECT_EQ(DescribeLockTag(TransactionTag(745)), "transaction 745");
  EXPECT_EQ(DescribeLockTag(VirtualXidTag(3, 12)), "virtual transaction 3/12");
  EXPECT_EQ(DescribeLockTag(ObjectTag(5, 2615, 2200, 0)), "object 2200 of class 2615 of database 5");
  EXPECT_STREQ(LockTagTypeName(LockTagType::kTransactionId), "transactionid");
}

TEST_F(LockTableTest, CompatibleModesAreGrantedTogether) {
  EXPECT_EQ(Acquire(0, rel_, M::kAccessShare), AcquireOutcome::kGranted);
  EXPECT_EQ(Acquire(1, rel_, M::kRowExclusive), AcquireOutcome::kGranted);
  EXPECT_EQ(Acquire(2, rel_, M::kShare), AcquireOutcome::kMustWait);  // RowExclusive blocks Share
  EXPECT_EQ(TableBlockers(t_, 2), std::vector<int>{1});
  EXPECT_EQ(TableReleaseAll(t_, 1), 1);
  EXPECT_FALSE(Waiting(2));  // granted by the release
}

TEST_F(LockTableTest, OwnLocksNeverConflict) {
  EXPECT_EQ(Acquire(0, rel_, M::kAccessShare), AcquireOutcome::kGranted);
  EXPECT_EQ(Acquire(0, rel_, M::kAccessExclusive), AcquireOutcome::kGranted);
  EXPECT_EQ(Acquire(1, rel_, M::kAccessShare, true), AcquireOutcome::kNotAvailable);
  EXPECT_FALSE(Waiting(1));
  EXPECT_EQ(TableReleaseAll(t_, 0), 2);
}

TEST_F(LockTableTest, RequestQueuesBehindAnEarlierConflictingWaiter) {
  ASSERT_EQ(Acquire(0, rel_, M::kAccessShare), AcquireOutcome::kGranted);
  ASSERT_EQ(Acquire(1, rel_, M::kAccessExclusive), AcquireOutcome::kMustWait);
  // AccessShare does not conflict with the holder, but with the waiter.
  ASSERT_EQ(Acquire(2, rel_, M::kAccessShare), AcquireOutcome::kMustWait);
  EXPECT_EQ(TableBlockers(t_, 2), std::vector<int>{1});  // a soft edge
  EXPECT_EQ(TableQueue(t_, 2), (std::vector<int>{1, 2}));
  TableReleaseAll(t_, 0);
  EXPECT_FALSE(Waiting(1));
  EXPECT_TRUE(Waiting(2));
  TableReleaseAll(t_, 1);
  EXPECT_FALSE(Waiting(2));
}

TEST_F(LockTableTest, HolderGoesAheadOfAWaiterThatWaitsForIt) {
  ASSERT_EQ(Acquire(0, rel_, M::kAccessShare), AcquireOutcome::kGranted);
  ASSERT_EQ(Acquire(1, rel_, M::kAccessExclusive), AcquireOutcome::kMustWait);
  // Process 0 holds what 1 waits for: its new request goes ahead of 1 and,
  // conflicting with no holder, is granted at once (PostgreSQL's ProcSleep).
  EXPECT_EQ(Acquire(0, rel_, M::kRowExclusive), AcquireOutcome::kGranted);
  EXPECT_TRUE(Waiting(1));
}

TEST_F(LockTableTest, CancelledWaitLetsThoseBehindGo) {
  ASSERT_EQ(Acquire(0, rel_, M::kAccessShare), AcquireOutcome::kGranted);
  ASSERT_EQ(Acquire(1, rel_, M::kAccessExclusive), AcquireOutcome::kMustWait);
  ASSERT_EQ(Acquire(2, rel_, M::kAccessShare), AcquireOutcome::kMustWait);
  EXPECT_TRUE(TableCancelWait(t_, 1));  // lock_timeout, cancel
  EXPECT_FALSE(Waiting(2));
  EXPECT_FALSE(TableCancelWait(t_, 2));  // granted: nothing to cancel
}

TEST_F(LockTableTest, ReleaseWakesInQueueOrder) {
  ASSERT_EQ(Acquire(0, rel_, M::kAccessExclusive), AcquireOutcome::kGranted);
  ASSERT_EQ(Acquire(1, rel_, M::kAccessShare), AcquireOutcome::kMustWait);
  ASSERT_EQ(Acquire(2, rel_, M::kAccessShare), AcquireOutcome::kMustWait);
  ASSERT_EQ(Acquire(3, rel_, M::kAccessExclusive), AcquireOutcome::kMustWait);
  uint32_t wake1 = TableProc(t_, 1)->wake.load();
  TableReleaseAll(t_, 0);
  EXPECT_FALSE(Waiting(1));
  EXPECT_FALSE(Waiting(2));
  EXPECT_TRUE(Waiting(3));
  EXPECT_NE(TableProc(t_, 1)->wake.load(), wake1);  // its futex word moved
  EXPECT_EQ(TableHolders(t_, 3), (std::vector<int>{1, 2}));
}

TEST_F(LockTableTest, DeadlockCycleIsFoundFromEitherEnd) {
  LockTag a = RelationTag(5, 1), b = RelationTag(5, 2);
  ASSERT_EQ(Acquire(0, a, M::kAccessExclusive), AcquireOutcome::kGranted);
  ASSERT_EQ(Acquire(1, b, M::kAccessExclusive), AcquireOutcome::kGranted);
  ASSERT_EQ(Acquire(0, b, M::kAccessShare), AcquireOutcome::kMustWait);
  EXPECT_TRUE(TableFindDeadlock(t_, 0).empty());
  ASSERT_EQ(Acquire(1, a, M::kAccessShare), AcquireOutcome::kMustWait);
  std::vector<DeadlockStep> cycle = TableFindDeadlock(t_, 1);
  ASSERT_EQ(cycle.size(), 2u);
  EXPECT_EQ(cycle[0].proc, 1);
  EXPECT_EQ(cycle[0].waits_for, 0);
  EXPECT_EQ(cycle[0].tag, a);
  EXPECT_EQ(cycle[0].mode, M::kAccessShare);
  EXPECT_EQ(cycle[1].proc, 0);
  EXPECT_EQ(cycle[1].waits_for, 1);
  EXPECT_EQ(TableFindDeadlock(t_, 0).size(), 2u);
  EXPECT_TRUE(TableFindDeadlock(t_, 2).empty());  // not waiting
  // The victim leaves; the other gets its lock once the victim's end releases.
  EXPECT_TRUE(TableCancelWait(t_, 1));
  TableReleaseAll(t_, 1);
  EXPECT_FALSE(Waiting(0));
}

TEST_F(LockTableTest, ReleasingOneModeWakesAWaiter) {
  LockTag xid = TransactionTag(745);
  ASSERT_EQ(Acquire(0, xid, M::kExclusive), AcquireOutcome::kGranted);  // its own xid
  ASSERT_EQ(Acquire(1, xid, M::kShare), AcquireOutcome::kMustWait);     // XactLockTableWait
  EXPECT_FALSE(TableRelease(t_, 0, xid, M::kShare));                    // not held
  EXPECT_TRUE(TableRelease(t_, 0, xid, M::kExclusive));
  EXPECT_FALSE(Waiting(1));
  EXPECT_TRUE(TableRelease(t_, 1, xid, M::kShare));
  EXPECT_EQ(TableReleaseAll(t_, 1), 0);
}

TEST_F(LockTableTest, FullTableSaysOutOfMemory) {
  Make(2, 2);
  EXPECT_EQ(Acquire(0, RelationTag(5, 1), M::kAccessShare), AcquireOutcome::kGranted);
  EXPECT_EQ(Acquire(0, RelationTag(5, 2), M::kAccessShare), AcquireOutcome::kGranted);
  EXPECT_EQ(Acquire(0, RelationTag(5, 3), M::kAccessShare), AcquireOutcome::kOutOfMemory);
  EXPECT_EQ(Acquire(1, RelationTag(5, 1), M::kAccessShare), AcquireOutcome::kOutOfMemory);  // no proclock
  EXPECT_EQ(TableReleaseAll(t_, 0), 2);
  EXPECT_EQ(Acquire(1, RelationTag(5, 3), M::kAccessShare), AcquireOutcome::kGranted);  // entries came back
  EXPECT_EQ(Acquire(0, RelationTag(5, 3), M::kAccessShare), AcquireOutcome::kGranted);
}

}  // namespace
}  // namespace minipg::lmgr
