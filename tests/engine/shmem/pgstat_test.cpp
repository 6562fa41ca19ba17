/*
 * pgstat_test.cpp
 *   The cumulative statistics area without a server: counts stay in the
 *   process until Report() adds them to shared memory (once), a forked
 *   child's report is seen by its parent, a transaction's rows settle as
 *   live or dead by how it ends, a dropped relation or database loses its
 *   counters, and a full table counts what it could not keep.
 */
#include "engine/shmem/pgstat.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

namespace minipg::pgstat {
namespace {

constexpr uint32_t kDb = 5;

class PgStatTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(shmem::CreateSharedMemory(2, 1, {StatsShmemRequest()}).ok());
    SetMyDatabase(kDb);
  }
  void TearDown() override {
    Report();  // leave nothing pending for the next test
    shmem::DestroySharedMemory();
  }
};

RelCounts CountsOf(uint32_t db, uint32_t rel) {
  for (const TableStats& t : ReadTables(db)) {
    if (t.rel == rel) return t.counts;
  }
  return {};
}

// Scenario: pages and scans counted by this process are invisible until it
// reports them; a second report adds nothing more; the database's row sums
// its relations' and counts its transactions.
TEST_F(PgStatTest, CountsShowAfterReportOnce) {
  CountBlock(kDb, 16384, false);
  CountBlock(kDb, 16384, true);
  CountBlock(kDb, 16384, true);
  CountSeqScan(kDb, 16384);
  CountTuplesReturned(kDb, 16384, 7);
  CountXactEnd(true);
  CountXactEnd(false);
  CountChecksumFailure(kDb, 16384);
  EXPECT_TRUE(ReadTables(kDb).empty());
  EXPECT_EQ(ReadDatabase(kDb).xact_commit, 0u);
  Report();
  Report();
  RelCounts c = CountsOf(kDb, 16384);
  EXPECT_EQ(c.blocks_read, 1u);
  EXPECT_EQ(c.blocks_hit, 2u);
  EXPECT_EQ(c.numscans, 1u);
  EXPECT_EQ(c.tuples_returned, 7u);
  DbCounts d = ReadDatabase(kDb);
  EXPECT_EQ(d.xact_commit, 1u);
  EXPECT_EQ(d.xact_rollback, 1u);
  EXPECT_EQ(d.blocks_read, 1u);
  EXPECT_EQ(d.blocks_hit, 2u);
  EXPECT_EQ(d.tuples_returned, 7u);
  EXPECT_EQ(d.checksum_failures, 1u);
  EXPECT_GT(d.checksum_last_failure, 0);
}

// Scenario: as PostgreSQL counts: committed inserts live, deletes dead;
// an aborted transaction's inserts are dead; n_tup_ins counts them all.
// Rows of a transaction still open stay pending across a report.
TEST_F(PgStatTest, TransactionRowsSettleByHowItEnds) {
  CountTuplesInserted(kDb, 16390, 3);
  CountTuplesDeleted(kDb, 16390, 1);
  Report();  // mid-transaction: n_tup_ins moves, live/dead wait
  EXPECT_EQ(CountsOf(kDb, 16390).tuples_inserted, 3u);
  EXPECT_EQ(CountsOf(kDb, 16390).live_tuples, 0);
  EndXactTuples(true);
  CountTuplesInserted(kDb, 16390, 2);
  EndXactTuples(false);
  Report();
  RelCounts c = CountsOf(kDb, 16390);
  EXPECT_EQ(c.tuples_inserted, 5u);
  EXPECT_EQ(c.tuples_deleted, 1u);
  EXPECT_EQ(c.live_tuples, 2);
  EXPECT_EQ(c.dead_tuples, 3);
  EXPECT_EQ(c.mod_since_analyze, 4u);
  EXPECT_EQ(c.ins_since_vacuum, 3u);
  EXPECT_EQ(ReadDatabase(kDb).tuples_inserted, 5u);
}

// Scenario: a child process (a backend) reports; the parent reads its counts.
TEST_F(PgStatTest, ChildReportIsSeenByParent) {
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    CountBlock(kDb, 16400, true);
    CountXactEnd(true);
    Report();
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ(CountsOf(kDb, 16400).blocks_hit, 1u);
  EXPECT_EQ(ReadDatabase(kDb).xact_commit, 1u);
}

// Scenario: a dropped relation's counters go (a relation made again starts
// at zero); a dropped database takes its row and its relations'; a shared
// catalog (database 0) counts in the database-0 row.
TEST_F(PgStatTest, DropForgetsCounters) {
  CountSeqScan(kDb, 16384);
  CountSeqScan(kDb, 16385);
  CountBlock(0, 1260, true);
  Report();
  DropRelation(kDb, 16384);
  EXPECT_EQ(ReadTables(kDb).size(), 1u);
  CountSeqScan(kDb, 16384);
  Report();
  EXPECT_EQ(CountsOf(kDb, 16384).numscans, 1u);
  EXPECT_EQ(ReadDatabase(0).blocks_hit, 1u);
  DropDatabase(kDb);
  EXPECT_TRUE(ReadTables(kDb).empty());
  EXPECT_EQ(ReadDatabase(kDb).blocks_hit, 0u);
  EXPECT_EQ(ReadDatabase(kDb).xact_commit, 0u);
  EXPECT_EQ(ReadDatabase(0).blocks_hit, 1u);
}

// Scenario: more relations than the table holds: the rest are not counted
// (and counted as overflowed); dropping some makes room again.
TEST_F(PgStatTest, FullTableOverflowsThenReusesDroppedEntries) {
  for (uint32_t r = 0; r < kMaxStatsRelations + 10; ++r) CountSeqScan(kDb, 20000 + r);
  Report();
  EXPECT_EQ(ReadTables(kDb).size(), static_cast<size_t>(kMaxStatsRelations));
  EXPECT_EQ(Overflowed(), 10u);
  for (uint32_t r = 0; r < 100; ++r) DropRelation(kDb, 20000 + r);
  CountSeqScan(kDb, 90000);
  Report();
  EXPECT_EQ(CountsOf(kDb, 90000).numscans, 1u);
  EXPECT_EQ(Overflowed(), 10u);
}

}  // namespace
}  // namespace minipg::pgstat
