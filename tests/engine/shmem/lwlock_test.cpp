/*
 * lwlock_test.cpp
 *   LWLocks across forked processes: an exclusive lock loses no update,
 *   shared holders share and keep an exclusive taker out, a sleeping waiter
 *   shows its tranche as its wait event and is woken by the release,
 *   interrupts wait for the last release, LWLockReleaseAll; a stress test
 *   of mixed shared and exclusive takers that a lost wake-up would hang.
 */
#include "engine/shmem/lwlock.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>
#include <vector>

#include "engine/common/interrupts.h"
#include "engine/common/sqlstate.h"
#include "engine/shmem/shmem.h"
#include "tests/engine/shmem/child_process.h"

namespace minipg::shmem {
namespace {

struct TestArea {
  LWLock lock;
  volatile uint64_t counter;
  std::atomic<int> flag;
  std::atomic<uint32_t> holders;  // shared holders + kExclusiveHolder per exclusive one
  std::atomic<uint32_t> violations;
  std::atomic<uint32_t> arrived, generation;  // a barrier between rounds
};
constexpr uint32_t kExclusiveHolder = 1u << 16;

class LWLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(CreateSharedMemory(8, 1,
                                   {{"lwlock test", sizeof(TestArea),
                                     [](void* p) {
                                       auto* a = new (p) TestArea{};
                                       LWLockInit(&a->lock, LWLockTranche::kBufferContent);
                                     }}})
                    .ok());
    area_ = static_cast<TestArea*>(ShmemArea("lwlock test"));
    ASSERT_NE(area_, nullptr);
  }
  void TearDown() override {
    LWLockReleaseAll();
    g_query_cancel_pending = 0;
    DestroySharedMemory();
  }

  TestArea* area_ = nullptr;
};

// Scenario: four processes each add 1 twenty thousand times to a plain
// (non-atomic) counter, reading and writing it in two steps under the
// exclusive lock: no update is lost.
TEST_F(LWLockTest, ExclusiveLockLosesNoUpdate) {
  constexpr int kProcs = 4, kRounds = 20000;
  std::vector<pid_t> pids;
  for (int p = 0; p < kProcs; ++p) {
    pids.push_back(minipg::test_util::SpawnChild([&] {
      for (int i = 0; i < kRounds; ++i) {
        LWLockAcquire(&area_->lock, LWLockMode::kExclusive);
        uint64_t v = area_->counter;
        if (i % 64 == 0) sched_yield();  // invite a conflict while "holding" v
        area_->counter = v + 1;
        LWLockRelease(&area_->lock);
      }
      return LWLockNumHeldByMe() == 0 ? 0 : 1;
    }));
  }
  for (pid_t pid : pids) EXPECT_EQ(minipg::test_util::ChildExitCode(pid), 0);
  EXPECT_EQ(area_->counter, uint64_t{kProcs} * kRounds);
  EXPECT_EQ(area_->lock.state.load(), 0u) << "free, nobody waiting";
}

/* Every process waits here until all `n` have arrived (spinning, so that
 * nothing but the lock under test sleeps on a futex). */
void Barrier(TestArea* a, uint32_t n) {
  uint32_t gen = a->generation.load();
  if (a->arrived.fetch_add(1) + 1 == n) {
    a->arrived.store(0);
    a->generation.fetch_add(1);
    return;
  }
  while (a->generation.load() == gen) sched_yield();
}

// Scenario: six processes take the lock shared and exclusively in a mix,
// in 800 short rounds separated by a barrier. Holders never conflict, and
// every round ends: a waiter whose wake-up was lost would sleep forever,
// because at the barrier nobody else touches the lock to wake it by chance.
TEST_F(LWLockTest, MixedWaitersAreAlwaysWoken) {
  constexpr int kProcs = 6, kRounds = 800, kIters = 40;
  std::vector<pid_t> pids;
  for (int p = 0; p < kProcs; ++p) {
    pids.push_back(minipg::test_util::SpawnChild([&, p] {
      for (int round = 0; round < kRounds; ++round) {
        for (int i = 0; i < kIters; ++i) {
          bool exclusive = (i + p + round) % 3 == 0;
          LWLockAcquire(&area_->lock, exclusive ? LWLockMode::kExclusive : LWLockMode::kShared);
          uint32_t before = area_->holders.fetch_add(exclusive ? kExclusiveHolder : 1);
          if (exclusive ? before != 0 : before >= kExclusiveHolder) area_->violations.fetch_add(1);
          if (i % 4 == 0) sched_yield();  // hold it a little: others must sleep
          area_->holders.fetch_sub(exclusive ? kExclusiveHolder : 1);
          LWLockRelease(&area_->lock);
        }
        Barrier(area_, kProcs);
      }
      return 0;
    }));
  }
  // Generous: the whole test takes well under a second when nothing hangs.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  size_t done = 0;
  std::vector<bool> finished(pids.size(), false);
  while (done < pids.size() && std::chrono::steady_clock::now() < deadline) {
    for (size_t i = 0; i < pids.size(); ++i) {
      int status = 0;
      if (!finished[i] && waitpid(pids[i], &status, WNOHANG) == pids[i]) {
        finished[i] = true;
        ++done;
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  for (size_t i = 0; i < pids.size(); ++i) {
    if (finished[i]) continue;
    kill(pids[i], SIGKILL);
    waitpid(pids[i], nullptr, 0);
  }
  EXPECT_EQ(done, pids.size()) << "a process never got the lock: a waiter's wake-up was lost";
  EXPECT_EQ(area_->violations.load(), 0u) << "an exclusive holder met another holder";
  EXPECT_EQ(area_->lock.state.load(), 0u) << "free, nobody waiting";
}

// Scenario: while this process holds the lock shared, another process gets
// it shared at once but cannot get it exclusive.
TEST_F(LWLockTest, ReadersShare) {
  LWLockAcquire(&area_->lock, LWLockMode::kShared);
  EXPECT_TRUE(LWLockHeldByMeInMode(&area_->lock, LWLockMode::kShared));
  pid_t pid = minipg::test_util::SpawnChild([&] {
    if (!LWLockConditionalAcquire(&area_->lock, LWLockMode::kShared)) return 1;
    LWLockRelease(&area_->lock);
    if (LWLockConditionalAcquire(&area_->lock, LWLockMode::kExclusive)) return 2;
    return 0;
  });
  EXPECT_EQ(minipg::test_util::ChildExitCode(pid), 0);
  LWLockRelease(&area_->lock);
  EXPECT_TRUE(LWLockConditionalAcquire(&area_->lock, LWLockMode::kExclusive));
}

// Scenario: a process that waits for the lock sleeps with wait_event_type
// LWLock / wait_event BufferContent in the process array, does not get in
// while the lock is held, and gets it once it is released.
TEST_F(LWLockTest, WaiterShowsWaitEventAndIsWoken) {
  LWLockAcquire(&area_->lock, LWLockMode::kExclusive);
  pid_t pid = minipg::test_util::SpawnChild([&] {
    int slot = ClaimBackendSlot();
    if (slot < 0) return 1;
    InitMyStatus(slot, BackendType::kClientBackend);
    LWLockAcquire(&area_->lock, LWLockMode::kExclusive);
    area_->flag.store(1);
    bool cleared = MyWaitEvent() == WaitEvent::kNone;
    LWLockRelease(&area_->lock);
    return cleared ? 0 : 2;
  });
  bool seen = false;
  for (int i = 0; i < 2000 && !seen; ++i) {  // up to 20 s on a slow machine
    for (const BackendStatusCopy& b : ReadProcArray()) {
      if (b.pid == pid && b.wait_event == WaitEvent::kLWLockBufferContent) seen = true;
    }
    if (!seen) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(seen);
  EXPECT_STREQ(WaitEventTypeName(WaitEvent::kLWLockBufferContent), "LWLock");
  EXPECT_STREQ(LWLockTrancheName(LWLockTranche::kBufferContent), "BufferContent");
  EXPECT_EQ(area_->flag.load(), 0) << "the waiter got in while the lock was held";
  LWLockRelease(&area_->lock);
  EXPECT_EQ(minipg::test_util::ChildExitCode(pid), 0);
  EXPECT_EQ(area_->flag.load(), 1);
}

// Scenario: a cancel that arrives while a lock is held is acted on only
// after the last lock is released.
TEST_F(LWLockTest, InterruptsWaitForRelease) {
  LWLock second{};
  LWLockInit(&second, LWLockTranche::kBufferMapping);
  LWLockAcquire(&area_->lock, LWLockMode::kExclusive);
  LWLockAcquire(&second, LWLockMode::kShared);
  g_query_cancel_pending = 1;
  EXPECT_TRUE(CheckForInterrupts().ok());
  LWLockRelease(&area_->lock);
  EXPECT_TRUE(CheckForInterrupts().ok()) << "one lock is still held";
  LWLockRelease(&second);
  Status s = CheckForInterrupts();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().sqlstate, sqlstate::kQueryCanceled);
}

// Scenario: LWLockReleaseAll releases every lock held, in any mode, and
// interrupts are no longer held off.
TEST_F(LWLockTest, ReleaseAll) {
  LWLock other{};
  LWLockInit(&other, LWLockTranche::kWALInsert);
  LWLockAcquire(&area_->lock, LWLockMode::kShared);
  LWLockAcquire(&other, LWLockMode::kExclusive);
  EXPECT_EQ(LWLockNumHeldByMe(), 2);
  EXPECT_EQ(g_interrupt_holdoff_count, 1);
  LWLockReleaseAll();
  EXPECT_EQ(LWLockNumHeldByMe(), 0);
  EXPECT_EQ(g_interrupt_holdoff_count, 0);
  EXPECT_EQ(area_->lock.state.load(), 0u);
  EXPECT_EQ(other.state.load(), 0u);
}

}  // namespace
}  // namespace minipg::shmem
