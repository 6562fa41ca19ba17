/*-------------------------------------------------------------------------
 * snapshot_test.cpp
 *   Snapshots and the MVCC visibility rules (engine/storage/heap/snapshot.h):
 *   XidInMVCCSnapshot on snapshots built by hand, HeapTupleSatisfiesMVCC on
 *   tuple headers against pg_xact, and the own-transaction command rules.
 *-------------------------------------------------------------------------
 */
#include <gtest/gtest.h>

#include "engine/storage/heap/snapshot.h"
#include "tests/engine/storage/heap/heap_test_util.h"

namespace minipg::storage {
namespace {

Snapshot Make(TransactionId xmin, TransactionId xmax, std::vector<TransactionId> xip, CommandId curcid = kAllCommands) {
  Snapshot s;
  s.xmin = xmin;
  s.xmax = xmax;
  s.xip = std::move(xip);
  s.curcid = curcid;
  return s;
}

TEST(XidInMVCCSnapshotTest, BelowXminEndedAtOrAboveXmaxRunningXipRunning) {
  Snapshot s = Make(10, 20, {12, 15});
  EXPECT_FALSE(XidInMVCCSnapshot(5, s));    // ended before every running one
  EXPECT_FALSE(XidInMVCCSnapshot(10, s));   // xmin itself is not in xip here
  EXPECT_TRUE(XidInMVCCSnapshot(12, s));
  EXPECT_FALSE(XidInMVCCSnapshot(13, s));
  EXPECT_TRUE(XidInMVCCSnapshot(15, s));
  EXPECT_TRUE(XidInMVCCSnapshot(20, s));    // started after the snapshot
  EXPECT_TRUE(XidInMVCCSnapshot(100, s));
}

TEST(SnapshotTextTest, PgSnapshotForm) {
  EXPECT_EQ(SnapshotText(Make(10, 20, {12, 15})), "10:20:12,15");
  EXPECT_EQ(SnapshotText(Make(7, 7, {})), "7:7:");
}

TEST(IsolationLevelTest, NamesRoundTrip) {
  for (IsolationLevel l : {IsolationLevel::kReadUncommitted, IsolationLevel::kReadCommitted,
                           IsolationLevel::kRepeatableRead, IsolationLevel::kSerializable}) {
    EXPECT_EQ(IsolationLevelFromName(IsolationLevelName(l)), l);
  }
  EXPECT_FALSE(IsolationLevelFromName("bogus").has_value());
}

class SnapshotTest : public HeapTest {
 protected:
  /* Whether a tuple with these header fields is visible to `snap`. */
  static bool Visible(TransactionId xmin, TransactionId xmax, CommandId cid, const Snapshot& snap) {
    auto tuple = HeapFormTuple(Columns(), Row(1), xmin, cid);
    EXPECT_TRUE(tuple.ok());
    if (xmax != kInvalidTransactionId) HeapTupleSetXmax(tuple->data(), xmax);
    auto v = HeapTupleSatisfiesMVCC(tuple->data(), tuple->size(), snap, kInvalidBuffer);
    EXPECT_TRUE(v.ok());
    return v.ok() && *v;
  }
};

// Scenario: a row is visible once its inserter committed before the
// snapshot; not while it runs, not if it aborted, not if it committed
// after the snapshot was taken (it was in xip then).
TEST_F(SnapshotTest, InserterCommittedBeforeSnapshot) {
  TransactionId a = AssignTransactionId();
  TransactionId b = AssignTransactionId();
  TransactionId c = AssignTransactionId();
  ASSERT_TRUE(TransactionIdSetStatus(a, XidStatus::kCommitted).ok());
  ASSERT_TRUE(TransactionIdSetStatus(b, XidStatus::kAborted).ok());
  Snapshot snap = Make(c, c + 1, {c});
  EXPECT_TRUE(Visible(a, kInvalidTransactionId, 0, snap));
  EXPECT_FALSE(Visible(b, kInvalidTransactionId, 0, snap));
  EXPECT_FALSE(Visible(c, kInvalidTransactionId, 0, snap));  // running
  ASSERT_TRUE(TransactionIdSetStatus(c, XidStatus::kCommitted).ok());
  EXPECT_FALSE(Visible(c, kInvalidTransactionId, 0, snap));  // committed, but after the snapshot
  EXPECT_TRUE(Visible(c, kInvalidTransactionId, 0, Make(c + 1, c + 1, {})));
}

// Scenario: a delete hides the row only once the deleter committed before
// the snapshot.
TEST_F(SnapshotTest, DeleterCommittedBeforeSnapshot) {
  TransactionId ins = AssignTransactionId();
  TransactionId del = AssignTransactionId();
  ASSERT_TRUE(TransactionIdSetStatus(ins, XidStatus::kCommitted).ok());
  Snapshot during = Make(del, del + 1, {del});
  EXPECT_TRUE(Visible(ins, del, 0, during));
  ASSERT_TRUE(TransactionIdSetStatus(del, XidStatus::kCommitted).ok());
  EXPECT_TRUE(Visible(ins, del, 0, during));                       // still running for that snapshot
  EXPECT_FALSE(Visible(ins, del, 0, Make(del + 1, del + 1, {})));  // gone for a later one
  TransactionId aborted = AssignTransactionId();
  ASSERT_TRUE(TransactionIdSetStatus(aborted, XidStatus::kAborted).ok());
  EXPECT_TRUE(Visible(ins, aborted, 0, Make(aborted + 1, aborted + 1, {})));
}

// Scenario: the own transaction's rows: a command sees the rows of earlier
// commands, not its own nor later ones; a row it deleted in an earlier
// command is gone, one deleted by this command is still seen.
TEST_F(SnapshotTest, OwnTransactionCommandRules) {
  TransactionId me = GetCurrentTransactionId();
  TransactionId old = AssignTransactionId();
  ASSERT_TRUE(TransactionIdSetStatus(old, XidStatus::kCommitted).ok());
  Snapshot snap = Make(me, old + 1, {me}, 2);  // the scan of command 2
  EXPECT_TRUE(Visible(me, kInvalidTransactionId, 1, snap));
  EXPECT_FALSE(Visible(me, kInvalidTransactionId, 2, snap));  // INSERT INTO t SELECT * FROM t
  EXPECT_FALSE(Visible(me, kInvalidTransactionId, 3, snap));
  EXPECT_FALSE(Visible(old, me, 1, snap));  // deleted by an earlier command
  EXPECT_TRUE(Visible(old, me, 2, snap));   // deleted by this one: still seen by its scan
}

// Scenario: a transaction deletes a row it inserted in an earlier command:
// t_cid becomes a combo id standing for both (cmin, cmax).
TEST_F(SnapshotTest, ComboCommandIds) {
  TransactionId me = GetCurrentTransactionId();
  auto tuple = HeapFormTuple(Columns(), Row(1), me, 1);
  ASSERT_TRUE(tuple.ok());
  auto header = HeapTupleGetHeader(*tuple);
  ASSERT_TRUE(header.ok());
  auto [field, combo] = HeapTupleCmaxField(*header, 3);
  EXPECT_TRUE(combo);
  HeapTupleSetXmax(tuple->data(), me);
  HeapTupleSetCid(tuple->data(), field);
  HeapTupleSetInfomask(tuple->data(), kHeapComboCid);
  auto stored = HeapTupleGetHeader(*tuple);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(HeapTupleGetCmin(*stored), 1u);
  EXPECT_EQ(HeapTupleGetCmax(*stored), 3u);
  auto visible = [&](CommandId curcid) {
    auto v = HeapTupleSatisfiesMVCC(tuple->data(), tuple->size(), Make(me, me + 1, {}, curcid), kInvalidBuffer);
    return v.ok() && *v;
  };
  EXPECT_FALSE(visible(1));  // not inserted yet for command 1
  EXPECT_TRUE(visible(2));   // inserted, not yet deleted
  EXPECT_TRUE(visible(3));   // the deleting command's own scan
  EXPECT_FALSE(visible(4));  // deleted
}

// Scenario: a reader sets the hint bits it learned from pg_xact, on a page
// changed since the redo point; the next reader needs no pg_xact lookup.
TEST_F(SnapshotTest, ReadersSetHintBits) {
  ASSERT_TRUE(HeapCreateRelation(kRel).ok());
  InsertIds(1, 3);
  ASSERT_TRUE(CommitTransaction().ok());
  EXPECT_EQ(ScanIds(), (std::vector<int64_t>{1, 2}));
  HeapTupleHeader h = HeaderAt(TidOf(1));
  EXPECT_NE(h.infomask & kHeapXminCommitted, 0);
  EXPECT_EQ(h.infomask & kHeapXminInvalid, 0);
}

}  // namespace
}  // namespace minipg::storage
