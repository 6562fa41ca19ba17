/*-------------------------------------------------------------------------
 * multixact_test.cpp
 *   pg_multixact: multis of 1..N members read back, thousands of them over
 *   offsets and members page and segment boundaries (more pages than
 *   buffers, PostgreSQL's byte layout on disk); the next id and offset
 *   and every multi after a checkpoint and restart, and after a crash by
 *   redo of the CREATE_ID records (twice: nothing changes); the record as
 *   pg_waldump describes it; MultiXactIdExpand dropping finished members;
 *   MultiXactIdIsRunning; an id never created is an error; four processes
 *   creating and reading multis at once.
 *   Without a proc array (these tests), an xid runs until pg_xact says it
 *   committed or aborted.
 *-------------------------------------------------------------------------
 */
#include "tests/engine/storage/heap/heap_test_util.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <set>

#include "engine/storage/wal/multixact_records.h"

namespace minipg::storage {
namespace {

using MultiXactTest = HeapTest;
using S = MultiXactStatus;

/* Multi number i's members: 1 + i % 9 of them, xids 1000 + i + k, statuses
 * cycling through all six. */
std::vector<MultiXactMember> MembersFor(uint32_t i) {
  std::vector<MultiXactMember> members;
  for (uint32_t k = 0; k < 1 + i % 9; ++k) {
    members.push_back({1000 + i + k, static_cast<S>((i + k) % 6)});
  }
  return members;
}

/* Creates `count` multis with MembersFor(0..count-1); returns their ids. */
std::vector<MultiXactId> CreateMany(uint32_t count) {
  std::vector<MultiXactId> ids;
  for (uint32_t i = 0; i < count; ++i) {
    auto multi = MultiXactIdCreateFromArray(MembersFor(i));
    EXPECT_TRUE(multi.ok());
    ids.push_back(multi.ok() ? *multi : 0);
  }
  return ids;
}

void ExpectAll(const std::vector<MultiXactId>& ids) {
  for (uint32_t i = 0; i < ids.size(); ++i) {
    auto members = GetMultiXactIdMembers(ids[i]);
    ASSERT_TRUE(members.ok()) << ids[i] << ": " << members.error().message;
    ASSERT_EQ(*members, MembersFor(i)) << "multi " << ids[i];
  }
}

// Scenario: a new cluster's first multi is 1 with its members from offset
// 1; each of 1..9 members comes back in order with its status; an id not
// yet created is PostgreSQL's error, 0 has no members; an empty set is
// refused.
TEST_F(MultiXactTest, CreateAndRead) {
  EXPECT_EQ(ReadNextMultiXact().multi, 1u);
  EXPECT_EQ(ReadNextMultiXact().offset, 0u);
  std::vector<MultiXactId> ids = CreateMany(9);
  EXPECT_EQ(ids.front(), 1u);
  EXPECT_EQ(ids.back(), 9u);
  ExpectAll(ids);
  EXPECT_EQ(ReadNextMultiXact().multi, 10u);
  EXPECT_EQ(ReadNextMultiXact().offset, 1u + 45u);  // 1 + (1 + 2 + ... + 9)

  auto never = GetMultiXactIdMembers(10);
  ASSERT_FALSE(never.ok());
  EXPECT_EQ(never.error().sqlstate, "XX000");
  EXPECT_EQ(never.error().message, "MultiXactId 10 has not been created yet -- apparent wraparound");
  EXPECT_EQ(GetMultiXactIdMembers(4000000000u).error().message,
            "MultiXactId 4000000000 does no longer exist -- apparent wraparound");  // before 1, circularly
  EXPECT_TRUE(GetMultiXactIdMembers(kInvalidMultiXactId)->empty());
  EXPECT_FALSE(MultiXactIdCreateFromArray({}).ok());
  EXPECT_STREQ(MultiXactStatusName(S::kForNoKeyUpdate), "fornokeyupd");
}

// Scenario: 6000 multis (about 30000 members) fill three offsets pages and
// more members pages than the 16 buffers; all read back. Then the ids jump
// to just before the second offsets segment and the offsets to just before
// the second members segment, and multis across both boundaries read back
// too. The checkpoint writes PostgreSQL's layout: multi 1's offset (1) at
// byte 4 of offsets/0000; member offset 1 (multi 1's xid 1000, keysh) has
// its status in byte 1 and its xid at byte 8 of members/0000.
TEST_F(MultiXactTest, ManyAcrossPagesAndSegments) {
  std::vector<MultiXactId> ids = CreateMany(6000);
  ExpectAll(ids);
  ASSERT_GT(ReadNextMultiXact().offset, (kMultiXactMemberBuffers + 1) * kMultiXactMembersPerPage);

  const MultiXactId seg_multi = kMultiXactOffsetsPerPage * kSlruPagesPerSegment;   // 65536
  const MultiXactOffset seg_offset = kMultiXactMembersPerPage * kSlruPagesPerSegment;  // 52352
  MultiXactAdvanceNextMXact(seg_multi - 3, seg_offset - 7);
  std::vector<MultiXactId> far;
  for (uint32_t i = 0; i < 6; ++i) {
    auto multi = MultiXactIdCreateFromArray(MembersFor(100 + i));
    ASSERT_TRUE(multi.ok());
    far.push_back(*multi);
  }
  EXPECT_EQ(far.front(), seg_multi - 3);
  for (uint32_t i = 0; i < far.size(); ++i) EXPECT_EQ(*GetMultiXactIdMembers(far[i]), MembersFor(100 + i));
  EXPECT_EQ(MultiXactOffsetSegmentPath(seg_multi), "pg_multixact/offsets/0001");
  EXPECT_EQ(MultiXactMemberSegmentPath(seg_offset), "pg_multixact/members/0001");
  // The early pages come back from disk (not the last multi before the
  // jump: its length needs an entry for the id after it, which the jump
  // skipped; the server never skips ids).
  ids.pop_back();
  ExpectAll(ids);

  ASSERT_TRUE(CheckPointMultiXact().ok());
  std::string offsets = FileBytes("pg_multixact/offsets/0000");
  ASSERT_GE(offsets.size(), kBlockSize);
  uint32_t first = 0;
  std::memcpy(&first, offsets.data() + 4, 4);
  EXPECT_EQ(first, 1u);
  std::string members = FileBytes("pg_multixact/members/0000");
  ASSERT_GE(members.size(), kBlockSize);
  EXPECT_EQ(members[1], static_cast<char>(S::kForKeyShare));
  uint32_t xid = 0;
  std::memcpy(&xid, members.data() + 8, 4);
  EXPECT_EQ(xid, 1000u);
  EXPECT_GE(FileBytes("pg_multixact/offsets/0001").size(), kBlockSize);
  EXPECT_GE(FileBytes("pg_multixact/members/0001").size(), kBlockSize);
}

// Scenario: after a checkpoint and a clean stop, a new server that takes
// the next id and offset from pg_control (as the startup process does)
// reads every multi from the files and goes on numbering after them.
TEST_F(MultiXactTest, SurvivesRestart) {
  std::vector<MultiXactId> ids = CreateMany(3000);
  MultiXactNext next = ReadNextMultiXact();
  ASSERT_TRUE(CheckPointMultiXact().ok());
  Stop();
  Start();
  MultiXactAdvanceNextMXact(next.multi, next.offset);
  ExpectAll(ids);
  auto another = MultiXactIdCreateFromArray({{77, S::kUpdate}});
  ASSERT_TRUE(another.ok());
  EXPECT_EQ(*another, next.multi);
}

// Scenario: multis whose pages were never checkpointed (some written by
// eviction, after the WAL) are rebuilt after a crash by replaying their
// CREATE_ID records, which also move the next id and offset past them; a
// second replay changes nothing. The record reads as pg_waldump's.
TEST_F(MultiXactTest, RedoAfterCrash) {
  std::vector<MultiXactId> ids = CreateMany(3000);
  MultiXactNext next = ReadNextMultiXact();
  ASSERT_TRUE(wal::XLogFlush(wal::GetWalPositions().insert).ok());  // as a commit after them would
  Stop();  // dead: the dirty pages in shared memory are lost
  Start(/*wal=*/false);
  EXPECT_EQ(ReadNextMultiXact().multi, 1u);
  Replay();
  EXPECT_EQ(ReadNextMultiXact().multi, next.multi);
  EXPECT_EQ(ReadNextMultiXact().offset, next.offset);
  ExpectAll(ids);
  Replay();
  ExpectAll(ids);
  EXPECT_EQ(ReadNextMultiXact().multi, next.multi);

  wal::WalDirSource src(dir_.path() / "pg_wal");
  wal::XLogReader reader(src, kTestSystemId);
  const wal::DecodedRecord* r = reader.ReadRecord(wal::FirstRecordLsn());
  while (r != nullptr && r->rmid() != wal::RmgrId::kMultiXact) r = reader.ReadNext();
  ASSERT_NE(r, nullptr);
  std::string line = wal::FormatWaldumpLine(*r);
  EXPECT_EQ(line.rfind("rmgr: MultiXact   len (rec/tot):     46/    46, tx:          0", 0), 0u) << line;
  EXPECT_NE(line.find("desc: CREATE_ID 1 offset 1 nmembers 1: 1000 (keysh) "), std::string::npos) << line;
  r = reader.ReadNext();
  ASSERT_NE(r, nullptr);
  EXPECT_NE(wal::FormatWaldumpLine(*r).find("desc: CREATE_ID 2 offset 2 nmembers 2: 1001 (sh) 1002 (fornokeyupd) "),
            std::string::npos);
}

// Scenario: a multi of a running locker, a committed and an aborted
// locker, a committed updater and an aborted updater, expanded with a new
// locker, keeps the running locker and the committed updater (PostgreSQL's
// rule) plus the new one; expanding with a member it has returns it; an
// invalid multi expands to a one-member multi.
TEST_F(MultiXactTest, ExpandDropsFinishedMembers) {
  const TransactionId running = 500, committed = 501, aborted = 502, updater = 503, failed_updater = 504;
  ASSERT_TRUE(TransactionIdSetStatus(committed, XidStatus::kCommitted).ok());
  ASSERT_TRUE(TransactionIdSetStatus(aborted, XidStatus::kAborted).ok());
  ASSERT_TRUE(TransactionIdSetStatus(updater, XidStatus::kCommitted).ok());
  ASSERT_TRUE(TransactionIdSetStatus(failed_updater, XidStatus::kAborted).ok());
  auto multi = MultiXactIdCreateFromArray({{running, S::kForShare},
                                           {committed, S::kForShare},
                                           {aborted, S::kForKeyShare},
                                           {updater, S::kNoKeyUpdate},
                                           {failed_updater, S::kUpdate}});
  ASSERT_TRUE(multi.ok());
  auto expanded = MultiXactIdExpand(*multi, 600, S::kForShare);
  ASSERT_TRUE(expanded.ok());
  EXPECT_NE(*expanded, *multi);
  EXPECT_EQ(*GetMultiXactIdMembers(*expanded),
            (std::vector<MultiXactMember>{{running, S::kForShare}, {updater, S::kNoKeyUpdate}, {600, S::kForShare}}));
  EXPECT_EQ(*MultiXactIdExpand(*expanded, running, S::kForShare), *expanded);

  auto single = MultiXactIdExpand(kInvalidMultiXactId, 601, S::kForKeyShare);
  ASSERT_TRUE(single.ok());
  EXPECT_EQ(*GetMultiXactIdMembers(*single), (std::vector<MultiXactMember>{{601, S::kForKeyShare}}));
  EXPECT_FALSE(MultiXactIdExpand(*single + 1, 602, S::kForShare).ok());  // never created
}

// Scenario: a multi is running while any member runs: not once both
// lockers ended (one committed, one aborted); an aborted member alone
// does not count; this transaction's own xid does.
TEST_F(MultiXactTest, IsRunning) {
  auto multi = MultiXactIdCreateFromArray({{700, S::kForShare}, {701, S::kForKeyShare}});
  ASSERT_TRUE(multi.ok());
  EXPECT_TRUE(MultiXactIdIsRunning(*multi));
  ASSERT_TRUE(TransactionIdSetStatus(700, XidStatus::kCommitted).ok());
  EXPECT_TRUE(MultiXactIdIsRunning(*multi));
  ASSERT_TRUE(TransactionIdSetStatus(701, XidStatus::kAborted).ok());
  EXPECT_FALSE(MultiXactIdIsRunning(*multi));
  EXPECT_FALSE(MultiXactIdIsRunning(*multi + 1));  // never created: nothing runs

  TransactionId mine = GetCurrentTransactionId();
  auto own = MultiXactIdCreateFromArray({{700, S::kForShare}, {mine, S::kForUpdate}});
  ASSERT_TRUE(own.ok());
  EXPECT_TRUE(MultiXactIdIsRunning(*own));
  ASSERT_TRUE(CommitTransaction().ok());
  EXPECT_FALSE(MultiXactIdIsRunning(*own));
}

/* A forked child's exit code, or 100 + the signal that killed it. */
int ExitCode(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
}

/* Child c's i-th multi: 1 + i % 8 members, xids 100000 * (c + 1) + 10 * i + k. */
std::vector<MultiXactMember> ChildMembers(int c, int i) {
  std::vector<MultiXactMember> members;
  for (int k = 0; k <= i % 8; ++k) {
    members.push_back({static_cast<TransactionId>(100000 * (c + 1) + 10 * i + k), static_cast<S>(k % 6)});
  }
  return members;
}

// Scenario: four processes each create 2500 multis (45000 members in all,
// 28 pages over 16 members buffers: pages evicted and read back under one
// another), reading each back at once and, now and then, anyone's newest
// multi. Every
// id is handed out once, every multi has its own members, none is seen
// half made, and no process ends holding an LWLock.
TEST_F(MultiXactTest, ProcessesCreateAndReadAtOnce) {
  constexpr int kProcs = 4, kPerProc = 2500;
  std::vector<pid_t> pids;
  for (int c = 0; c < kProcs; ++c) {
    pid_t pid = fork();
    if (pid == 0) {
      SmgrInit(dir_.path());
      for (int i = 0; i < kPerProc; ++i) {
        auto multi = MultiXactIdCreateFromArray(ChildMembers(c, i));
        if (!multi.ok()) _exit(1);
        auto back = GetMultiXactIdMembers(*multi);
        if (!back.ok() || *back != ChildMembers(c, i)) _exit(2);
        if (i % 50 == 0) {  // someone's newest: whole, from one child
          auto other = GetMultiXactIdMembers(ReadNextMultiXact().multi - 1);
          if (!other.ok() || other->empty() || other->size() > 8) _exit(3);
          for (const MultiXactMember& m : *other) {
            if (m.xid / 100000 != other->front().xid / 100000) _exit(4);
          }
        }
      }
      _exit(shmem::LWLockNumHeldByMe() == 0 ? 0 : 5);
    }
    pids.push_back(pid);
  }
  for (pid_t pid : pids) EXPECT_EQ(ExitCode(pid), 0);
  ASSERT_EQ(ReadNextMultiXact().multi, 1u + kProcs * kPerProc);
  std::set<std::pair<int, int>> seen;  // (child, i)
  for (MultiXactId multi = 1; multi <= kProcs * kPerProc; ++multi) {
    auto members = GetMultiXactIdMembers(multi);
    ASSERT_TRUE(members.ok() && !members->empty()) << multi;
    int c = static_cast<int>(members->front().xid / 100000) - 1;
    int i = static_cast<int>(members->front().xid % 100000) / 10;
    ASSERT_EQ(*members, ChildMembers(c, i)) << multi;
    EXPECT_TRUE(seen.insert({c, i}).second) << multi;
  }
}

}  // namespace
}  // namespace minipg::storage
