/*-------------------------------------------------------------------------
 * subtrans_test.cpp
 *   pg_subtrans and subtransactions: parents set and read back through
 *   more pages than buffers (written on eviction, in PostgreSQL's layout),
 *   the topmost transaction of a nested subxid, StartupSubTrans zeroing
 *   it all; savepoints taking their own xids (parents first), ROLLBACK TO
 *   aborting a subtree with its records, RELEASE merging into the parent,
 *   commit marking every subxid committed, and redo of the records setting
 *   the same statuses.
 *-------------------------------------------------------------------------
 */
#include "tests/engine/storage/heap/heap_test_util.h"

#include <cstring>

#include "engine/storage/wal/wal_records.h"

namespace minipg::storage {
namespace {

using SubtransTest = HeapTest;

// Scenario: parents of xids on more pages than there are buffers are read
// back (evicted pages were written to pg_subtrans/0000 at byte xid*4); a
// chain 10 <- 11 <- 12 leads to 10; StartupSubTrans forgets everything.
TEST_F(SubtransTest, ParentsAndTopmost) {
  ASSERT_TRUE(SubTransSetParent(11, 10).ok());
  ASSERT_TRUE(SubTransSetParent(12, 11).ok());
  for (TransactionId x = 100; x < 100 + (kSubtransBuffers + 2) * kSubtransXactsPerPage; x += kSubtransXactsPerPage) {
    ASSERT_TRUE(SubTransSetParent(x + 1, x).ok());
  }
  EXPECT_EQ(*SubTransGetParent(12), 11u);
  EXPECT_EQ(*SubTransGetParent(10), kInvalidTransactionId);
  EXPECT_EQ(SubTransGetTopmostTransaction(12), 10u);
  EXPECT_EQ(SubTransGetTopmostTransaction(10), 10u);
  EXPECT_EQ(*SubTransGetParent(101 + 3 * kSubtransXactsPerPage), 100u + 3 * kSubtransXactsPerPage);
  EXPECT_EQ(SubTransSegmentPath(12), "pg_subtrans/0000");
  EXPECT_EQ(SubTransSegmentPath(32 * kSubtransXactsPerPage), "pg_subtrans/0001");

  std::string seg = FileBytes("pg_subtrans/0000");  // page 0 was evicted, so written
  ASSERT_GE(seg.size(), kBlockSize);
  TransactionId parent = 0;
  std::memcpy(&parent, seg.data() + 12 * 4, 4);
  EXPECT_EQ(parent, 11u);

  ASSERT_TRUE(StartupSubTrans().ok());
  EXPECT_EQ(*SubTransGetParent(12), kInvalidTransactionId);
  EXPECT_EQ(SubTransGetTopmostTransaction(12), 12u);
}

/* "ABORT 7 subxacts: 8" for each Transaction record, in order. */
std::vector<std::string> XactRecords(const std::filesystem::path& dir) {
  EXPECT_TRUE(wal::XLogFlush(wal::GetWalPositions().insert).ok());
  wal::WalDirSource src(dir / "pg_wal");
  wal::XLogReader reader(src, kTestSystemId);
  std::vector<std::string> seen;
  for (const wal::DecodedRecord* r = reader.ReadRecord(wal::FirstRecordLsn()); r != nullptr; r = reader.ReadNext()) {
    if (r->rmid() != wal::RmgrId::kTransaction) continue;
    auto x = wal::DecodeXactPayload(r->main_data);
    EXPECT_TRUE(x.has_value());
    std::string line = wal::IdentifyRecord(*r) + " " + std::to_string(r->header.xid);
    if (x && !x->subxids.empty()) line += " subxacts:";
    for (TransactionId s : x ? x->subxids : std::vector<TransactionId>{}) line += " " + std::to_string(s);
    seen.push_back(line);
  }
  return seen;
}

// Scenario: BEGIN; INSERT 1; SAVEPOINT a; INSERT 2; SAVEPOINT b; INSERT 3;
// ROLLBACK TO a; INSERT 4; SAVEPOINT c; INSERT 5; RELEASE c; COMMIT. The
// subtransactions take xids after the top's, with their parents in
// pg_subtrans; ROLLBACK TO aborts b then a (one record each); the commit
// lists the two live subxids; pg_xact and the rows agree, and so does redo.
TEST_F(SubtransTest, SavepointsRollbackToReleaseCommit) {
  ASSERT_TRUE(HeapCreateRelation(kRel).ok());
  ASSERT_TRUE(CommitTransaction().ok());
  InsertIds(1, 2);
  TransactionId top = GetCurrentTransactionIdIfAny();
  DefineSavepoint("a");
  EXPECT_TRUE(IsSubTransaction());
  EXPECT_EQ(GetCurrentSubTransactionIdIfAny(), top);  // a has no xid yet
  InsertIds(2, 3);
  TransactionId a = GetCurrentTransactionId();
  EXPECT_EQ(a, top + 1);
  DefineSavepoint("b");
  InsertIds(3, 4);
  TransactionId b = GetCurrentTransactionId();
  EXPECT_EQ(SubTransGetTopmostTransaction(b), top);
  EXPECT_EQ(*SubTransGetParent(b), a);
  EXPECT_TRUE(TransactionIdIsCurrent(b));
  EXPECT_EQ(ScanIds(), (std::vector<int64_t>{1, 2, 3}));

  EXPECT_EQ(RollbackToSavepoint("nope").error().sqlstate, "3B001");
  ASSERT_TRUE(RollbackToSavepoint("a").ok());
  EXPECT_FALSE(TransactionIdIsCurrent(a));
  EXPECT_FALSE(TransactionIdIsCurrent(b));
  EXPECT_EQ(*TransactionIdGetStatus(a), XidStatus::kAborted);
  EXPECT_EQ(*TransactionIdGetStatus(b), XidStatus::kAborted);
  EXPECT_EQ(ScanIds(), (std::vector<int64_t>{1}));
  EXPECT_EQ(ReleaseSavepoint("b").error().sqlstate, "3B001");  // b went with a

  InsertIds(4, 5);
  TransactionId a2 = GetCurrentTransactionId();
  DefineSavepoint("c");
  InsertIds(5, 6);
  TransactionId c = GetCurrentTransactionId();
  ASSERT_TRUE(ReleaseSavepoint("c").ok());
  EXPECT_TRUE(TransactionIdIsCurrent(c));  // merged into a, still live
  ASSERT_TRUE(ReleaseSavepoint("a").ok());
  EXPECT_FALSE(IsSubTransaction());
  ASSERT_TRUE(CommitTransaction().ok());
  for (TransactionId x : {top, a2, c}) EXPECT_EQ(*TransactionIdGetStatus(x), XidStatus::kCommitted) << x;
  EXPECT_EQ(ScanIds(), (std::vector<int64_t>{1, 4, 5}));

  std::vector<std::string> records = XactRecords(dir_.path());
  ASSERT_EQ(records.size(), 4u);  // the CREATE's commit, then these
  EXPECT_EQ(records[1], "ABORT " + std::to_string(b));
  EXPECT_EQ(records[2], "ABORT " + std::to_string(a));
  EXPECT_EQ(records[3], "COMMIT " + std::to_string(top) + " subxacts: " + std::to_string(a2) + " " + std::to_string(c));

  // Redo on a pg_xact that lost everything sets the same statuses.
  Stop();
  std::filesystem::remove_all(dir_.path() / "pg_xact");
  Start(/*wal=*/false);
  Replay();
  for (TransactionId x : {top, a2, c}) EXPECT_EQ(*TransactionIdGetStatus(x), XidStatus::kCommitted) << x;
  for (TransactionId x : {a, b}) EXPECT_EQ(*TransactionIdGetStatus(x), XidStatus::kAborted) << x;
  EXPECT_EQ(ScanIds(), (std::vector<int64_t>{1, 4, 5}));
}

// Scenario: an error inside a savepoint aborts only it (its rows gone, the
// top's kept, the relation it created removed); ROLLBACK of the whole
// transaction with a savepoint open aborts its subxid in the same record.
TEST_F(SubtransTest, ErrorInSavepointAndFullRollback) {
  ASSERT_TRUE(HeapCreateRelation(kRel).ok());
  ASSERT_TRUE(CommitTransaction().ok());
  InsertIds(1, 2);
  DefineSavepoint("s");
  constexpr RelFileLocator kNew{kDefaultTablespaceOid, 5, 16390};
  ASSERT_TRUE(HeapCreateRelation(kNew).ok());
  XactDropRelationOnAbort(kNew);
  InsertIds(2, 3);
  TransactionId s = GetCurrentTransactionId();
  ASSERT_TRUE(AbortCurrentSubTransaction().ok());
  EXPECT_TRUE(IsSubTransaction());  // dead until ROLLBACK TO
  EXPECT_EQ(*TransactionIdGetStatus(s), XidStatus::kAborted);
  EXPECT_FALSE(SmgrExists(kNew, ForkNumber::kMain));
  EXPECT_EQ(ScanIds(), (std::vector<int64_t>{1}));
  ASSERT_TRUE(RollbackToSavepoint("s").ok());
  InsertIds(3, 4);
  TransactionId s2 = GetCurrentTransactionId();
  TransactionId top = GetCurrentTransactionIdIfAny();
  ASSERT_TRUE(AbortTransaction().ok());
  EXPECT_EQ(*TransactionIdGetStatus(s2), XidStatus::kAborted);
  EXPECT_EQ(*TransactionIdGetStatus(top), XidStatus::kAborted);
  EXPECT_EQ(XactRecords(dir_.path()).back(), "ABORT " + std::to_string(top) + " subxacts: " + std::to_string(s2));
  EXPECT_TRUE(ScanIds().empty());
}

}  // namespace
}  // namespace minipg::storage
