/*
 * backend_status_test.cpp
 *   The process array's slots: client backends claim their own with a
 *   compare-and-swap, only in the client backend range; the free count the
 *   reserved-slot check uses; the postmaster freeing a dead process's slot,
 *   even one it left mid-write.
 */
#include "engine/shmem/backend_status.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/shmem/shmem.h"

namespace minipg::shmem {
namespace {

class BackendStatusTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(CreateSharedMemory(3, 2).ok()); }
  void TearDown() override { DestroySharedMemory(); }
};

// Scenario: three client backend slots are claimed in order, then there is
// none; the two auxiliary slots after them are never handed to a backend.
TEST_F(BackendStatusTest, ClaimsOnlyClientBackendSlots) {
  EXPECT_EQ(CountFreeBackendSlots(), 3);
  EXPECT_EQ(ClaimBackendSlot(), 0);
  EXPECT_EQ(ClaimBackendSlot(), 1);
  EXPECT_EQ(CountFreeBackendSlots(), 1);
  EXPECT_EQ(ClaimBackendSlot(), 2);
  EXPECT_EQ(ClaimBackendSlot(), -1) << "slots 3 and 4 belong to auxiliary processes";
  EXPECT_EQ(CountFreeBackendSlots(), 0);
  ReleaseSlotsOf(getpid());
  EXPECT_EQ(CountFreeBackendSlots(), 3) << "the postmaster frees what a reaped pid held";
}

// Scenario: two processes ask for the last slot: exactly one gets it (the
// other sees the owner word already set, even though no field is yet).
TEST_F(BackendStatusTest, TheLastSlotGoesToOneProcess) {
  ASSERT_EQ(ClaimBackendSlot(), 0);
  ASSERT_EQ(ClaimBackendSlot(), 1);
  int got[2] = {0, 0};
  for (int& g : got) {
    pid_t pid = fork();
    if (pid == 0) _exit(ClaimBackendSlot() == 2 ? 0 : 1);
    int status = 0;
    waitpid(pid, &status, 0);
    g = WEXITSTATUS(status) == 0;
  }
  EXPECT_EQ(got[0] + got[1], 1);
}

// Scenario: a backend killed in the middle of a write leaves its change
// counter odd; after the postmaster frees the slot, the next owner's
// session is readable again in pg_stat_activity.
TEST_F(BackendStatusTest, SlotLeftMidWriteIsReadableAfterReuse) {
  pid_t child = fork();
  if (child == 0) {
    int slot = ClaimBackendSlot();
    InitMyStatus(slot, BackendType::kClientBackend);
    auto* slots = reinterpret_cast<BackendStatus*>(Header() + 1);
    slots[slot].changecount.fetch_add(1);  // a write begun, never finished
    _exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_EQ(CountFreeBackendSlots(), 2);
  ReleaseSlotsOf(child);
  int slot = ClaimBackendSlot();
  ASSERT_EQ(slot, 0);
  InitMyStatus(slot, BackendType::kClientBackend);
  ReportConnection("alice", "postgres", "psql");
  auto procs = ReadProcArray();
  ASSERT_EQ(procs.size(), 1u);
  EXPECT_EQ(procs[0].pid, getpid());
  EXPECT_EQ(procs[0].user, "alice");
  ClearMyStatus();
  EXPECT_EQ(CountFreeBackendSlots(), 3);
}

}  // namespace
}  // namespace minipg::shmem
