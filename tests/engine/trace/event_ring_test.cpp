/*
 * event_ring_test.cpp
 *   The event rings in shared memory: records come out whole and in order
 *   across the end of the data, a full ring refuses and counts, a writer
 *   killed at any moment leaves only whole records, the reader skips
 *   garbage, and a sleeping reader is woken once.
 */
#include "engine/trace/event_ring.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/trace/emitter.h"

namespace minipg::trace {
namespace {

class EventRingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = CreateEventRings(3);
    ASSERT_TRUE(r.ok());
    rings_ = *r;
  }
  void TearDown() override { DestroyEventRings(rings_); }
  std::vector<std::string> Drain(int index) {
    std::vector<std::string> out;
    RingDrain(rings_, index, [&](std::string_view text) { out.emplace_back(text); });
    return out;
  }
  bool WakeFdReadable() {
    pollfd p{rings_->wake_fd, POLLIN, 0};
    return poll(&p, 1, 0) == 1;
  }
  EventRings* rings_ = nullptr;
};

std::string Record(int i) { return "record " + std::to_string(i) + std::string(static_cast<size_t>(i % 97), 'x'); }

// Scenario: records of many lengths, written and read for several times
// the ring's size, come out whole and in order, also those split by the
// end of the data.
TEST_F(EventRingTest, WrapsAround) {
  int written = 0, read = 0;
  uint64_t total = 0;
  while (total < 5 * kEventRingBytes) {
    for (int k = 0; k < 50; ++k) {
      std::string r = Record(written);
      ASSERT_TRUE(RingAppend(rings_, 1, r)) << "record " << written;
      total += r.size() + 4;
      ++written;
    }
    for (const std::string& got : Drain(1)) ASSERT_EQ(got, Record(read++));
  }
  EXPECT_EQ(read, written);
  EXPECT_GT(RingAt(rings_, 1)->head.load(), 4 * kEventRingBytes) << "the stream went round the ring";
  EXPECT_EQ(RingAt(rings_, 1)->dropped.load(), 0u);
  EXPECT_TRUE(Drain(0).empty()) << "the other rings are untouched";
  EXPECT_TRUE(Drain(2).empty());
}

// Scenario: a ring nobody drains fills up; the next record is refused and
// counted, never waited for; once drained, it takes records again.
TEST_F(EventRingTest, AFullRingDropsAndCounts) {
  std::string r(1000, 'e');
  int taken = 0;
  while (RingAppend(rings_, 1, r)) ++taken;
  EXPECT_EQ(taken, static_cast<int>(kEventRingBytes / 1004));
  EXPECT_EQ(RingAt(rings_, 1)->dropped.load(), 1u);
  EXPECT_FALSE(RingAppend(rings_, 1, r));
  EXPECT_EQ(RingAt(rings_, 1)->dropped.load(), 2u);
  EXPECT_EQ(Drain(1).size(), static_cast<size_t>(taken));
  EXPECT_TRUE(RingAppend(rings_, 1, r));
  EXPECT_FALSE(RingAppend(rings_, 1, std::string(kMaxEventRecord + 1, 'e'))) << "too long for any ring";
  EXPECT_FALSE(RingAppend(rings_, 1, "")) << "an empty record is not an event";
}

// Scenario: through the emitter, events refused by a full ring become one
// "dropped" event with their count, before the next event that fits.
TEST_F(EventRingTest, TheEmitterSaysHowManyItDropped) {
  SetEventRing(rings_, 2);
  int sent = 0;
  while (RingAt(rings_, 2)->dropped.load() < 5) {
    Event(EventType::kQueryStart).Int("i", sent++).Emit();
  }
  auto first = Drain(2);
  Event(EventType::kQueryStart).Int("i", sent).Emit();
  auto after = Drain(2);
  SetEventRing(nullptr, -1);
  ASSERT_EQ(after.size(), 2u);
  auto note = nlohmann::json::parse(after[0]);
  EXPECT_EQ(note["type"], "dropped");
  EXPECT_EQ(note["count"], 5);
  EXPECT_EQ(nlohmann::json::parse(after[1])["i"], sent);
  EXPECT_EQ(first.size() + 5, static_cast<size_t>(sent));
}

// Scenario: a writer killed at any moment (here: SIGKILL while it appends
// as fast as it can) leaves only whole records, numbered without a gap;
// the next process given its ring writes after them.
TEST_F(EventRingTest, AWriterKilledMidRecordLeavesOnlyWholeRecords) {
  for (int round = 0; round < 5; ++round) {
    pid_t pid = fork();
    if (pid == 0) {
      for (int i = 0;; ++i) {
        while (!RingAppend(rings_, 1, Record(i))) {
        }
      }
    }
    ASSERT_GT(pid, 0);
    int next = 0;
    int64_t until = NowMicros() + 20'000 + round * 7'000;
    while (NowMicros() < until) {
      for (const std::string& got : Drain(1)) ASSERT_EQ(got, Record(next++)) << "round " << round;
    }
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    for (const std::string& got : Drain(1)) ASSERT_EQ(got, Record(next++)) << "round " << round;
    EXPECT_GT(next, 0);
    ASSERT_TRUE(RingAppend(rings_, 1, "after")) << "its successor";
    auto last = Drain(1);
    ASSERT_EQ(last.size(), 1u);
    EXPECT_EQ(last[0], "after");
    EXPECT_EQ(RingAt(rings_, 1)->skipped.load(), 0u);
  }
}

// Scenario: bytes a dying writer copied in but never published are not
// read; bytes that make no sense as records (a wild write) are skipped up
// to the head, counted, and the ring goes on.
TEST_F(EventRingTest, UnpublishedBytesAreUnseenAndGarbageIsSkipped) {
  EventRing* r = RingAt(rings_, 1);
  std::memset(r->data, 0x7f, 64);  // copied in, head never moved
  EXPECT_TRUE(Drain(1).empty());
  ASSERT_TRUE(RingAppend(rings_, 1, "whole"));
  EXPECT_EQ(Drain(1), std::vector<std::string>{"whole"});
  uint64_t head = r->head.load();
  std::memset(r->data + head % kEventRingBytes, 0xff, 16);  // length 0xffffffff
  r->head.store(head + 16);
  EXPECT_TRUE(Drain(1).empty());
  EXPECT_EQ(r->skipped.load(), 16u);
  ASSERT_TRUE(RingAppend(rings_, 1, "again"));
  EXPECT_EQ(Drain(1), std::vector<std::string>{"again"});
}

// Scenario: a reader about to sleep first looks once more; a writer that
// finds it asleep writes the eventfd once, however many records follow;
// an awake reader is not woken (it drains on its own timer).
TEST_F(EventRingTest, ASleepingReaderIsWokenOnce) {
  std::vector<int> from;
  auto ignore = [&](int ring, std::string_view) { from.push_back(ring); };
  ASSERT_TRUE(RingAppend(rings_, 2, "before"));
  EXPECT_EQ(RingPrepareToSleep(rings_, ignore), 1u) << "a record came: do not sleep";
  EXPECT_EQ(from, std::vector<int>{2}) << "each record comes with its ring";
  EXPECT_EQ(rings_->sleeping.load(), 0u);
  RingAwake(rings_);
  EXPECT_EQ(RingPrepareToSleep(rings_, ignore), 0u);
  EXPECT_FALSE(WakeFdReadable());
  ASSERT_TRUE(RingAppend(rings_, 2, "one"));
  EXPECT_TRUE(WakeFdReadable());
  ASSERT_TRUE(RingAppend(rings_, 1, "two"));
  uint64_t count = 0;
  ASSERT_EQ(read(rings_->wake_fd, &count, sizeof count), static_cast<ssize_t>(sizeof count));
  EXPECT_EQ(count, 1u) << "one wake for both records";
  RingAwake(rings_);
  EXPECT_EQ(Drain(2).size(), 1u);
  EXPECT_EQ(Drain(1).size(), 1u);
  ASSERT_TRUE(RingAppend(rings_, 1, "awake"));
  EXPECT_FALSE(WakeFdReadable()) << "the reader is awake";
  // ... unless the ring fills past half: then at once.
  while (RingAt(rings_, 1)->head.load() - RingAt(rings_, 1)->tail.load() <= kEventRingBytes / 2) {
    ASSERT_TRUE(RingAppend(rings_, 1, std::string(1000, 'h')));
  }
  EXPECT_TRUE(WakeFdReadable());
}

}  // namespace
}  // namespace minipg::trace
