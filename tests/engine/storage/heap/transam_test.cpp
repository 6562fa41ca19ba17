/*-------------------------------------------------------------------------
 * transam_test.cpp
 *   xids and pg_xact: xids are handed out in order from 3; a status set
 *   is read back, written by CheckPointTransam into PostgreSQL's layout
 *   (pg_xact/0000, two bits per xid) and found again by a new server;
 *   commit and abort write their records and set the bits; OIDs come from
 *   16384 on, each range of 8192 logged ahead by a NEXTOID record.
 *-------------------------------------------------------------------------
 */
#include "tests/engine/storage/heap/heap_test_util.h"

#include "engine/storage/wal/wal_records.h"

namespace minipg::storage {
namespace {

using TransamTest = HeapTest;

// Scenario: a new cluster hands out 3, 4, 5; the next xid can be moved past
// one seen in the WAL but never back.
TEST_F(TransamTest, XidsInOrder) {
  EXPECT_EQ(AssignTransactionId(), 3u);
  EXPECT_EQ(AssignTransactionId(), 4u);
  EXPECT_EQ(ReadNextTransactionId(), 5u);
  AdvanceNextTransactionIdPast(100);
  EXPECT_EQ(AssignTransactionId(), 101u);
  AdvanceNextTransactionIdPast(50);
  EXPECT_EQ(ReadNextTransactionId(), 102u);
}

// Scenario: statuses of xids on two pages and in a second segment are
// written by the checkpoint to PostgreSQL's byte and bit, and a new
// shared memory reads them back from the files.
TEST_F(TransamTest, StatusesSurviveInPgXactFiles) {
  const TransactionId far = kXactsPerPage * kSlruPagesPerSegment + 6;  // pg_xact/0001
  ASSERT_TRUE(TransactionIdSetStatus(5, XidStatus::kCommitted).ok());
  ASSERT_TRUE(TransactionIdSetStatus(6, XidStatus::kAborted).ok());
  ASSERT_TRUE(TransactionIdSetStatus(far, XidStatus::kCommitted).ok());
  for (TransactionId x = 10; x < 10 + kXactBuffers * kXactsPerPage; x += kXactsPerPage) {
    ASSERT_TRUE(TransactionIdSetStatus(x, XidStatus::kCommitted).ok());  // more pages than buffers
  }
  EXPECT_EQ(*TransactionIdGetStatus(7), XidStatus::kInProgress);
  ASSERT_TRUE(CheckPointTransam().ok());
  EXPECT_EQ(XactSegmentPath(far), "pg_xact/0001");

  std::string seg0 = FileBytes("pg_xact/0000");
  ASSERT_GE(seg0.size(), kBlockSize);
  // xid 5: byte 1, bits 2-3 = 01; xid 6: byte 1, bits 4-5 = 10.
  EXPECT_EQ(static_cast<uint8_t>(seg0[1]), 0x04 | 0x20);
  std::string seg1 = FileBytes("pg_xact/0001");
  ASSERT_GE(seg1.size(), 2u);
  EXPECT_EQ(static_cast<uint8_t>(seg1[1]), 0x10);  // xid far: byte 1, bits 4-5 = 01

  Stop();
  Start();
  EXPECT_EQ(*TransactionIdGetStatus(5), XidStatus::kCommitted);
  EXPECT_EQ(*TransactionIdGetStatus(6), XidStatus::kAborted);
  EXPECT_EQ(*TransactionIdGetStatus(far), XidStatus::kCommitted);
  EXPECT_EQ(*TransactionIdGetStatus(10 + 3 * kXactsPerPage), XidStatus::kCommitted);
  EXPECT_EQ(*TransactionIdGetStatus(11), XidStatus::kInProgress);
  EXPECT_TRUE(*TransactionIdDidCommit(kFrozenTransactionId));
}

// Scenario: a former server lifetime wrote statuses of xids whose WAL it
// lost (an abort is not flushed before its pg_xact page is written). The
// new lifetime hands those xids out again, so at startup every status from
// the next xid on is cleared (PostgreSQL's TrimCLOG): on its page, on later
// pages and in later segments, in memory and on disk; earlier ones stay.
TEST_F(TransamTest, TrimClearsStatusesFromTheNextXid) {
  const TransactionId next = 2 * kXactsPerPage + 10;
  const TransactionId far = kXactsPerPage * kSlruPagesPerSegment + 6;  // pg_xact/0001
  ASSERT_TRUE(TransactionIdSetStatus(next - 1, XidStatus::kCommitted).ok());
  ASSERT_TRUE(TransactionIdSetStatus(next, XidStatus::kAborted).ok());
  ASSERT_TRUE(TransactionIdSetStatus(next + 3, XidStatus::kCommitted).ok());
  ASSERT_TRUE(TransactionIdSetStatus(next + kXactsPerPage, XidStatus::kAborted).ok());
  ASSERT_TRUE(TransactionIdSetStatus(far, XidStatus::kAborted).ok());
  ASSERT_TRUE(CheckPointTransam().ok());
  ASSERT_FALSE(FileBytes("pg_xact/0001").empty());

  Stop();
  Start();
  ASSERT_TRUE(TrimTransam(next).ok());
  EXPECT_EQ(*TransactionIdGetStatus(next - 1), XidStatus::kCommitted);
  for (TransactionId x : {next, next + 3, next + kXactsPerPage, far}) {
    EXPECT_EQ(*TransactionIdGetStatus(x), XidStatus::kInProgress) << x;
  }
  ASSERT_TRUE(CheckPointTransam().ok());
  EXPECT_TRUE(FileBytes("pg_xact/0001").empty());

  Stop();
  Start();  // what is on disk now
  EXPECT_EQ(*TransactionIdGetStatus(next - 1), XidStatus::kCommitted);
  for (TransactionId x : {next, next + 3, next + kXactsPerPage, far}) {
    EXPECT_EQ(*TransactionIdGetStatus(x), XidStatus::kInProgress) << x;
  }
}

// Scenario: a transaction that wrote nothing writes no record; one with an
// xid commits with a COMMIT record flushed before it returns, and the next
// aborts with an ABORT record; pg_xact says which.
TEST_F(TransamTest, CommitAndAbortRecords) {
  auto none = CommitTransaction();
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0u);
  TransactionId a = GetCurrentTransactionId();
  EXPECT_TRUE(TransactionIdIsCurrent(a));
  auto end = CommitTransaction();
  ASSERT_TRUE(end.ok());
  EXPECT_GE(wal::GetWalPositions().flush, *end);
  EXPECT_FALSE(TransactionIdIsCurrent(a));
  TransactionId b = GetCurrentTransactionId();
  EXPECT_EQ(b, a + 1);
  ASSERT_TRUE(AbortTransaction().ok());
  EXPECT_TRUE(*TransactionIdDidCommit(a));
  EXPECT_EQ(*TransactionIdGetStatus(b), XidStatus::kAborted);

  ASSERT_TRUE(wal::XLogFlush(wal::GetWalPositions().insert).ok());
  wal::WalDirSource src(dir_.path() / "pg_wal");
  wal::XLogReader reader(src, kTestSystemId);
  std::vector<std::string> seen;
  for (const wal::DecodedRecord* r = reader.ReadRecord(wal::FirstRecordLsn()); r != nullptr; r = reader.ReadNext()) {
    seen.push_back(wal::IdentifyRecord(*r) + " " + std::to_string(r->header.xid));
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"COMMIT " + std::to_string(a), "ABORT " + std::to_string(b)}));
}

/* "NEXTOID 24576" for each NEXTOID record in the WAL, in order. */
std::vector<std::string> NextOidRecords(const std::filesystem::path& dir) {
  EXPECT_TRUE(wal::XLogFlush(wal::GetWalPositions().insert).ok());
  wal::WalDirSource src(dir / "pg_wal");
  wal::XLogReader reader(src, kTestSystemId);
  std::vector<std::string> seen;
  for (const wal::DecodedRecord* r = reader.ReadRecord(wal::FirstRecordLsn()); r != nullptr; r = reader.ReadNext()) {
    auto next = wal::DecodePayload<wal::NextOidRecord>(r->main_data);
    if (r->rmid() == wal::RmgrId::kXlog && next) seen.push_back(wal::IdentifyRecord(*r) + " " + std::to_string(next->next_oid));
  }
  return seen;
}

// Scenario: a new cluster (next OID below 16384, as after PostgreSQL's
// initdb) hands out 16384, 16385, ... The first one logs NEXTOID 24576
// before it is used; the 8193rd logs NEXTOID 32768. An online checkpoint
// carries the end of the logged range, a shutdown one the next OID; after
// SetNextOid (a restart) the next OID logs a record again.
TEST_F(TransamTest, OidsLoggedAheadInSteps) {
  SetNextOid(13572);
  EXPECT_EQ(GetNewObjectId(), 16384u);
  EXPECT_EQ(GetNewObjectId(), 16385u);
  EXPECT_EQ(CheckpointNextOid(/*shutdown=*/false), 24576u);
  EXPECT_EQ(CheckpointNextOid(/*shutdown=*/true), 16386u);
  EXPECT_EQ(NextOidRecords(dir_.path()), (std::vector<std::string>{"NEXTOID 24576"}));
  Oid last = 0;
  for (int i = 0; i < 8192; ++i) last = GetNewObjectId();
  EXPECT_EQ(last, 16385u + 8192u);
  EXPECT_EQ(NextOidRecords(dir_.path()), (std::vector<std::string>{"NEXTOID 24576", "NEXTOID 32768"}));
  SetNextOid(20000);
  EXPECT_EQ(GetNewObjectId(), 20000u);
  EXPECT_EQ(NextOidRecords(dir_.path()).back(), "NEXTOID 28192");
  EXPECT_EQ(ReadNextOid(), 20001u);
}

}  // namespace
}  // namespace minipg::storage
