/*
 * shmem_test.cpp
 *   Shared memory areas: requested before the segment exists, placed after
 *   the process array at cache-line boundaries, initialised once, found by
 *   name in a forked child; bad request lists are refused.
 */
#include "engine/shmem/shmem.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>

namespace minipg::shmem {
namespace {

class ShmemTest : public ::testing::Test {
 protected:
  void TearDown() override { DestroySharedMemory(); }
};

// Scenario: two areas are asked for; each is there under its name, aligned,
// zeroed before its init ran once, and the segment is big enough for both.
TEST_F(ShmemTest, AreasArePlacedAndInitialisedOnce) {
  int inits = 0;
  std::vector<ShmemRequest> requests = {
      {"first", 100,
       [&](void* p) {
         ++inits;
         EXPECT_EQ(static_cast<unsigned char*>(p)[99], 0) << "an area starts zeroed";
         std::memset(p, 0xAB, 100);
       }},
      {"second", 5000, [&](void* p) { ++inits; *static_cast<uint64_t*>(p) = 42; }},
  };
  ASSERT_TRUE(CreateSharedMemory(3, 2, requests).ok());
  EXPECT_EQ(inits, 2);
  auto* first = static_cast<unsigned char*>(ShmemArea("first"));
  auto* second = static_cast<uint64_t*>(ShmemArea("second"));
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(first) % kShmemAreaAlign, 0u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(second) % kShmemAreaAlign, 0u);
  EXPECT_EQ(first[99], 0xAB);
  EXPECT_EQ(*second, 42u);
  EXPECT_GE(reinterpret_cast<char*>(second) - reinterpret_cast<char*>(first), 100);
  EXPECT_EQ(ShmemArea("third"), nullptr);
  auto areas = ShmemAreas();
  ASSERT_EQ(areas.size(), 2u);
  EXPECT_STREQ(areas[0].name, "first");
  EXPECT_EQ(areas[1].size, 5000u);
  EXPECT_LE(areas[1].offset + areas[1].size, Header()->size);
  EXPECT_EQ(Header()->size, SharedMemorySize(5, requests));
  EXPECT_GT(SharedMemorySize(5, requests), SharedMemorySize(5));
}

// Scenario: a forked child finds the same area by name and what it writes
// there, the parent reads.
TEST_F(ShmemTest, ChildSeesTheSameArea) {
  ASSERT_TRUE(CreateSharedMemory(1, 1, {{"counter", sizeof(uint64_t), nullptr}}).ok());
  pid_t pid = fork();
  if (pid == 0) {
    auto* c = static_cast<uint64_t*>(ShmemArea("counter"));
    if (c == nullptr) _exit(1);
    *c = 7;
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(*static_cast<uint64_t*>(ShmemArea("counter")), 7u);
}

// Scenario: the same name twice, or an empty name, is a FATAL error and no
// segment is made.
TEST_F(ShmemTest, BadRequestsAreRefused) {
  Status s = CreateSharedMemory(1, 1, {{"a", 8, nullptr}, {"a", 8, nullptr}});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "shared memory area \"a\" requested twice");
  EXPECT_EQ(Header(), nullptr);
  EXPECT_FALSE(CreateSharedMemory(1, 1, {{"", 8, nullptr}}).ok());
}

// Scenario: a segment re-created (a crash cycle) runs the inits again on
// fresh, zeroed memory.
TEST_F(ShmemTest, RecreatedSegmentIsFresh) {
  std::vector<ShmemRequest> r = {{"x", 8, nullptr}};
  ASSERT_TRUE(CreateSharedMemory(1, 1, r).ok());
  *static_cast<uint64_t*>(ShmemArea("x")) = 9;
  ASSERT_TRUE(CreateSharedMemory(1, 1, r).ok());
  EXPECT_EQ(*static_cast<uint64_t*>(ShmemArea("x")), 0u);
}

}  // namespace
}  // namespace minipg::shmem
