/*
 * step_test.cpp (engine/shmem)
 *   The step slot without a server: credit (next n stops at the n-th
 *   point), granularity, a page point met while holding an LWLock (never a
 *   stop there: the backend stops for it at its next point where it holds
 *   none), and an interrupt ending a stop. The backend's side runs in a
 *   thread of this process; the controller's in the test body.
 */
#include "engine/shmem/step.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "engine/common/interrupts.h"
#include "engine/common/sqlstate.h"
#include "engine/shmem/lwlock.h"
#include "engine/shmem/shmem.h"

namespace minipg::step {
namespace {

constexpr int kSlot = 0;

class StepSlotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(shmem::CreateSharedMemory(
                    2, 1,
                    {StepShmemRequest(2),
                     {"step test lock", sizeof(shmem::LWLock),
                      [](void* p) { shmem::LWLockInit(static_cast<shmem::LWLock*>(p), shmem::LWLockTranche::kBufferContent); }}})
                    .ok());
    InitMyStepSlot(kSlot, -1);
  }
  void TearDown() override {
    DetachSlot(kSlot);
    g_query_cancel_pending = 0;
    shmem::DestroySharedMemory();
  }
  static StepPoint Point(PointKind kind, const char* stage, std::string detail = "") {
    return {kind, stage, -1, "", 0, std::move(detail)};
  }
  /* Waits until the slot has stopped `stops` times in all and is stopped now. */
  static bool WaitStops(uint32_t stops) {
    for (int i = 0; i < 2000; ++i) {
      auto s = ReadStepState(kSlot);
      if (s && s->paused && s->stops == stops) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return false;
  }
};

TEST_F(StepSlotTest, NextNStopsAtTheNthPointOfItsGranularity) {
  AttachSlot(kSlot, Granularity::kNode);
  EXPECT_TRUE(Wants(PointKind::kFirstRow));
  EXPECT_FALSE(Wants(PointKind::kRow)) << "node granularity: no plain rows";
  auto runner = std::async(std::launch::async, [] {
    for (const char* s : {"a", "b", "c", "d", "e"}) {
      if (Status st = Pause({PointKind::kStage, s, -1, "", 0, ""}); !st.ok()) return st;
      (void)Pause({PointKind::kRow, "row", -1, "", 0, ""});  // never stops at node granularity
    }
    return OkStatus();
  });
  ASSERT_TRUE(WaitStops(1));
  EXPECT_EQ(ReadStepState(kSlot)->point.stage, "a");
  GrantSlot(kSlot, 1);
  ASSERT_TRUE(WaitStops(2));
  EXPECT_EQ(ReadStepState(kSlot)->point.stage, "b");
  GrantSlot(kSlot, 2);
  ASSERT_TRUE(WaitStops(3));
  EXPECT_EQ(ReadStepState(kSlot)->point.stage, "d") << "next 2 passes c and stops at d";
  DetachSlot(kSlot);
  EXPECT_TRUE(runner.get().ok());
  EXPECT_FALSE(ReadStepState(kSlot)->attached);
}

TEST_F(StepSlotTest, APageReadUnderAnLWLockStopsAtTheNextSafePoint) {
  auto* lock = static_cast<shmem::LWLock*>(shmem::ShmemArea("step test lock"));
  AttachSlot(kSlot, Granularity::kPage);
  auto runner = std::async(std::launch::async, [lock] {
    shmem::LWLockAcquire(lock, shmem::LWLockMode::kExclusive);
    // Under the lock: remembered, not a stop (it returns at once).
    Status under = Pause({PointKind::kPage, "page", -1, "", 0, "block 7"});
    shmem::LWLockRelease(lock);
    if (!under.ok()) return under;
    return Pause({PointKind::kRow, "row", 3, "Seq Scan on t", 1, "(1)"});
  });
  ASSERT_TRUE(WaitStops(1));
  auto s = ReadStepState(kSlot);
  EXPECT_EQ(s->point.stage, "page");
  EXPECT_EQ(s->point.detail, "block 7");
  EXPECT_TRUE(shmem::LWLockConditionalAcquire(lock, shmem::LWLockMode::kExclusive)) << "stopped without the lock";
  shmem::LWLockRelease(lock);
  GrantSlot(kSlot, 1);
  ASSERT_TRUE(WaitStops(2));
  EXPECT_EQ(ReadStepState(kSlot)->point.stage, "row");
  EXPECT_EQ(ReadStepState(kSlot)->point.node, "Seq Scan on t");
  GrantSlot(kSlot, 1);
  EXPECT_TRUE(runner.get().ok());
}

TEST_F(StepSlotTest, ACancelEndsAStop) {
  AttachSlot(kSlot, Granularity::kStage);
  auto runner = std::async(std::launch::async, [] { return Pause({PointKind::kStage, "parse", -1, "", 0, ""}); });
  ASSERT_TRUE(WaitStops(1));
  g_query_cancel_pending = 1;  // what SIGINT's handler sets (the futex sleep ends within a slice)
  Status s = runner.get();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().sqlstate, sqlstate::kQueryCanceled);
  EXPECT_FALSE(ReadStepState(kSlot)->paused);
}

TEST_F(StepSlotTest, NobodyAttachedCostsNothing) {
  EXPECT_FALSE(Active());
  EXPECT_TRUE(Pause({PointKind::kStage, "parse", -1, "", 0, ""}).ok());
  EXPECT_EQ(ReadStepState(kSlot)->stops, 0u);
  EXPECT_TRUE(ParseGranularity("page").has_value());
  EXPECT_FALSE(ParseGranularity("Row").has_value());
}

}  // namespace
}  // namespace minipg::step
