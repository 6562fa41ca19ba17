/*-------------------------------------------------------------------------
 * nbtree_concurrency_test.cpp
 *   B-tree indexes shared by forked processes, in a small buffer pool:
 *   inserters splitting the same pages while readers scan forward and
 *   backward (Lehman & Yao: a reader on a page that split moves right,
 *   and never sees an item twice or out of order), and inserters racing
 *   for the same keys of a unique index (exactly one wins each key).
 *-------------------------------------------------------------------------
 */
#include "tests/engine/storage/nbtree/nbtree_test_util.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <random>

#include "engine/shmem/lwlock.h"
#include "engine/storage/nbtree/nbtree_compare.h"

namespace minipg::storage::nbtree {
namespace {

class BtreeConcurrencyTest : public BtreeTest {
 protected:
  void SetUp() override { Start(/*wal=*/true, /*nbuffers=*/48); }

  static int ExitCode(pid_t pid) {
    int status = 0;
    if (waitpid(pid, &status, 0) != pid) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
  }
  /* The child's end: 0 unless it still holds a lock or a pin. */
  [[noreturn]] static void ChildExit(int code) {
    _exit(code != 0 ? code : (NumPinnedByMe() == 0 && shmem::LWLockNumHeldByMe() == 0 ? 0 : 2));
  }

  /* Scans the whole index in `dir` until `stop` entries are seen in one
   * pass; each pass must be in strictly increasing (decreasing) order. */
  void Reader(const BtreeIndex& index, BtScanDirection dir, size_t stop) {
    // Until a scan sees every key: not a number of passes, which a fast
    // reader beside slow inserters (a busy machine) uses up first.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
    while (std::chrono::steady_clock::now() < deadline) {
      BtreeScan scan(index, {}, dir);
      std::optional<std::pair<int64_t, ItemPointer>> last;
      size_t n = 0;
      for (;;) {
        auto tid = scan.Next();
        if (!tid.ok()) ChildExit(4);
        if (!tid->has_value()) break;
        std::pair<int64_t, ItemPointer> cur{std::get<int64_t>(scan.key()[0]), **tid};
        if (last) {
          int c = cur.first != last->first ? (cur.first < last->first ? -1 : 1) : BtCompareTid(cur.second, last->second);
          if (dir == BtScanDirection::kForward ? c <= 0 : c >= 0) ChildExit(3);
        }
        last = cur;
        ++n;
      }
      if (n >= stop) ChildExit(0);
    }
    ChildExit(5);
  }
};

// Scenario: four processes insert 5,000 keys each (interleaved ranges, in
// random order, all splitting the same pages) while two more scan the
// whole index forward and backward until they see all 20,000. Every scan
// is in order without repeats; at the end the tree passes the check and
// holds exactly the 20,000 entries.
TEST_F(BtreeConcurrencyTest, InsertersAndReaders) {
  BtreeIndex index = IntIndex();
  CreateEmpty(index);
  ASSERT_TRUE(CommitTransaction().ok());
  constexpr int kProcs = 4, kPerProc = 5000;
  std::vector<pid_t> pids;
  for (int c = 0; c < kProcs; ++c) {
    pid_t pid = fork();
    if (pid == 0) {
      SmgrInit(dir_.path());
      std::vector<int64_t> keys;
      for (int i = 0; i < kPerProc; ++i) keys.push_back(int64_t{i} * kProcs + c);
      std::shuffle(keys.begin(), keys.end(), std::mt19937(c));
      for (int64_t k : keys) {
        if (!BtreeInsert(index, {Datum(k)}, FakeTid(static_cast<uint32_t>(k))).ok()) ChildExit(1);
      }
      ChildExit(0);
    }
    pids.push_back(pid);
  }
  for (BtScanDirection dir : {BtScanDirection::kForward, BtScanDirection::kBackward}) {
    pid_t pid = fork();
    if (pid == 0) {
      SmgrInit(dir_.path());
      Reader(index, dir, kProcs * kPerProc);
    }
    pids.push_back(pid);
  }
  for (pid_t pid : pids) EXPECT_EQ(ExitCode(pid), 0);
  EXPECT_EQ(CheckTree(index), uint64_t{kProcs * kPerProc});
  auto all = Collect(index, {});
  ASSERT_EQ(all.size(), size_t{kProcs * kPerProc});
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(std::get<int64_t>(all[i].first[0]), static_cast<int64_t>(i));
}

// Scenario: four processes each try to insert keys 0..999 into one unique
// index (every row live). Each key goes in exactly once; the losers get
// 23505 and nothing else goes wrong.
TEST_F(BtreeConcurrencyTest, UniqueRaceHasOneWinnerPerKey) {
  BtreeIndex index = IntIndex(/*unique=*/true);
  CreateEmpty(index);
  ASSERT_TRUE(CommitTransaction().ok());
  constexpr int kProcs = 4, kKeys = 1000;
  std::vector<pid_t> pids;
  for (int c = 0; c < kProcs; ++c) {
    pid_t pid = fork();
    if (pid == 0) {
      SmgrInit(dir_.path());
      auto live = [](ItemPointer) -> Result<DirtyTuple> { return DirtyTuple{true}; };
      for (int k = 0; k < kKeys; ++k) {
        Status s = BtreeInsert(index, {Datum(int64_t{k})}, FakeTid(static_cast<uint32_t>(c * kKeys + k)), live);
        if (!s.ok() && s.error().sqlstate != "23505") ChildExit(1);
      }
      ChildExit(0);
    }
    pids.push_back(pid);
  }
  for (pid_t pid : pids) EXPECT_EQ(ExitCode(pid), 0);
  EXPECT_EQ(CheckTree(index), uint64_t{kKeys});
  auto all = Collect(index, {});
  ASSERT_EQ(all.size(), size_t{kKeys});
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(std::get<int64_t>(all[i].first[0]), static_cast<int64_t>(i));
}

}  // namespace
}  // namespace minipg::storage::nbtree
