// The event log's chunks: entries stay in order across chunk boundaries
// and pops, and a copy (a checkpoint) never sees what the original appends
// later, nor the original what the copy appends.
#include "viz/model/event_log.h"

#include <gtest/gtest.h>

namespace minipg::viz {
namespace {

LogEntry Entry(uint64_t seq) {
  LogEntry e;
  e.seq = seq;
  e.line = R"({"type":"dropped","ts":1,"pid":2,"count":)" + std::to_string(seq) + "}";
  return e;
}

void ExpectSeqs(const EventLog& log, uint64_t first, uint64_t last) {
  ASSERT_EQ(log.size(), last - first + 1);
  for (size_t i = 0; i < log.size(); ++i) ASSERT_EQ(log[i].seq, first + i) << "at " << i;
  EXPECT_EQ(log.front().seq, first);
  EXPECT_EQ(log.back().seq, last);
}

TEST(EventLogTest, BoundedLogKeepsTheNewestInOrderAcrossChunks) {
  constexpr size_t kCapacity = EventLog::kChunk * 3 + 17;
  EventLog log;
  EXPECT_TRUE(log.empty());
  for (uint64_t seq = 1; seq <= EventLog::kChunk * 10 + 5; ++seq) {
    log.PushBack(Entry(seq));
    if (log.size() > kCapacity) log.PopFront();
  }
  uint64_t last = EventLog::kChunk * 10 + 5;
  ExpectSeqs(log, last - kCapacity + 1, last);
  EXPECT_EQ(log.back().text(), "count=" + std::to_string(last));
}

TEST(EventLogTest, CopiesDoNotSeeEachOthersLaterEntries) {
  EventLog log;
  for (uint64_t seq = 1; seq <= EventLog::kChunk + 10; ++seq) log.PushBack(Entry(seq));
  EventLog checkpoint = log;  // shares the chunks; the last one half full
  for (uint64_t seq = EventLog::kChunk + 11; seq <= EventLog::kChunk + 20; ++seq) log.PushBack(Entry(seq));
  log.PopFront();
  ExpectSeqs(checkpoint, 1, EventLog::kChunk + 10);
  ExpectSeqs(log, 2, EventLog::kChunk + 20);

  EventLog replay = checkpoint;  // a replay starts from the checkpoint and goes on
  replay.PushBack(Entry(9999));
  ExpectSeqs(checkpoint, 1, EventLog::kChunk + 10);
  EXPECT_EQ(replay.back().seq, 9999u);
  EXPECT_EQ(replay[EventLog::kChunk + 9].seq, EventLog::kChunk + 10);
}

TEST(EventLogTest, EmptiedLogTakesNewEntries) {
  EventLog log;
  for (uint64_t seq = 1; seq <= 3; ++seq) log.PushBack(Entry(seq));
  for (int i = 0; i < 5; ++i) log.PopFront();  // more pops than entries: no harm
  EXPECT_TRUE(log.empty());
  log.PushBack(Entry(4));
  ExpectSeqs(log, 4, 4);
}

}  // namespace
}  // namespace minipg::viz
