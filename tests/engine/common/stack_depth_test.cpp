/*-------------------------------------------------------------------------
 * stack_depth_test.cpp
 *   The stack depth guard: a recursion that checks it stops with 54001
 *   before the stack runs out, at a depth set by max_stack_depth; a new
 *   thread measures from its own stack.
 *-------------------------------------------------------------------------
 */
#include "engine/common/stack_depth.h"

#include <gtest/gtest.h>

#include <cstring>
#include <thread>

namespace minipg {
namespace {

/* Recurses until the guard says stop; returns how deep it got. Each frame
 * keeps a 256-byte buffer alive across the call (the empty asm uses it), so
 * the compiler can neither shrink the frame nor turn the recursion into a loop. */
__attribute__((noinline)) int RecurseUntilRefused(int depth, Status& out) {
  char frame[256];
  std::memset(frame, depth, sizeof frame);
  asm volatile("" : : "r"(frame) : "memory");
  if (Status s = CheckStackDepth(); !s.ok()) {
    out = s;
    return depth;
  }
  int reached = RecurseUntilRefused(depth + 1, out);
  asm volatile("" : : "r"(frame) : "memory");
  return reached;
}

class StackDepthTest : public ::testing::Test {
 protected:
  void TearDown() override { SetMaxStackDepthKb(kDefaultMaxStackDepthKb); }
};

// Scenario: unbounded recursion ends in 54001 with PostgreSQL's hint, not
// in a crash, after using about max_stack_depth of stack.
TEST_F(StackDepthTest, RecursionStopsWithTheError) {
  EXPECT_FALSE(StackDepthExceeded());
  Status s = OkStatus();
  int depth = RecurseUntilRefused(0, s);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().sqlstate, "54001");
  EXPECT_EQ(s.error().message, "stack depth limit exceeded");
  EXPECT_EQ(s.error().hint,
            "Increase the configuration parameter \"max_stack_depth\" (currently 2048kB), after ensuring the "
            "platform's stack depth limit is adequate.");
  EXPECT_LT(depth, 2048 * 1024 / 256);  // each frame is at least 256 bytes
  EXPECT_GT(depth, 100);
}

// Scenario: a smaller max_stack_depth stops the same recursion sooner.
TEST_F(StackDepthTest, TheLimitIsMaxStackDepth) {
  Status s = OkStatus();
  int at_default = RecurseUntilRefused(0, s);
  SetMaxStackDepthKb(200);
  int at_200kb = RecurseUntilRefused(0, s);
  EXPECT_LT(at_200kb * 5, at_default);
  EXPECT_NE(s.error().hint.find("(currently 200kB)"), std::string::npos);
}

// Scenario: another thread's stack is elsewhere in memory; its first check
// records its own base, so it is not refused at once.
TEST_F(StackDepthTest, AThreadMeasuresItsOwnStack) {
  int depth = 0;
  std::thread t([&depth] {
    EXPECT_FALSE(StackDepthExceeded());
    SetMaxStackDepthKb(200);  // threads get smaller stacks than main
    Status s = OkStatus();
    depth = RecurseUntilRefused(0, s);
  });
  t.join();
  EXPECT_GT(depth, 100);
}

}  // namespace
}  // namespace minipg
