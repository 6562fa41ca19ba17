/*-------------------------------------------------------------------------
 * event_merge_test.cpp
 *   The collector's reorder stage: lines of many sources, each in its own
 *   order, come out as one stream ordered by "ts".
 *-------------------------------------------------------------------------
 */
#include "engine/trace/event_merge.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace minipg::trace {
namespace {

std::string Line(const char* type, int64_t ts, const std::string& rest = "") {
  return "{\"type\":\"" + std::string(type) + "\",\"ts\":" + std::to_string(ts) + rest + "}";
}

std::vector<std::string> Take(EventMerger& m, int64_t cutoff) {
  std::vector<std::string> out;
  m.TakeOlderThan(cutoff, [&](int64_t, std::string& line) { out.push_back(line); });
  return out;
}

TEST(EventMergeTest, LineTimestampReadsTheEmittersShapeAndOthers) {
  EXPECT_EQ(LineTimestamp(Line("state", 1234567890123)), 1234567890123);
  EXPECT_EQ(LineTimestamp("{\"pid\":5,\"ts\":42,\"type\":\"caption\"}"), 42);
  EXPECT_EQ(LineTimestamp("{\"type\":\"x\"}"), 0);
  EXPECT_EQ(LineTimestamp(""), 0);
}

// Scenario: three processes' rings, each in order, interleaved in time;
// only what is older than the cutoff leaves, oldest first.
TEST(EventMergeTest, MergesSourcesByTimestampUpToTheCutoff) {
  EventMerger m;
  m.Add(1, Line("a", 10));
  m.Add(1, Line("a", 40));
  m.Add(2, Line("b", 20));
  m.Add(2, Line("b", 50));
  m.Add(EventMerger::kTransientSource + 812, Line("c", 30));
  EXPECT_EQ(m.size(), 5u);
  EXPECT_EQ(Take(m, 45), (std::vector<std::string>{Line("a", 10), Line("b", 20), Line("c", 30), Line("a", 40)}));
  EXPECT_EQ(m.size(), 1u);
  m.Add(EventMerger::kTransientSource + 812, Line("c", 45));  // its source was freed; a new one serves
  EXPECT_EQ(Take(m, 1000), (std::vector<std::string>{Line("c", 45), Line("b", 50)}));
  EXPECT_TRUE(m.empty());
}

// Scenario: equal stamps leave in the order they came; a line stamped
// before its predecessor in the same source (a client's clock) stays
// behind it.
TEST(EventMergeTest, TiesKeepArrivalOrderAndASourceKeepsItsOwnOrder) {
  EventMerger m;
  m.Add(2, Line("first", 10));
  m.Add(1, Line("second", 10));
  m.Add(1, Line("third", 30));
  m.Add(1, Line("fourth-stamped-early", 5));
  m.Add(3, Line("fifth", 20));
  EXPECT_EQ(Take(m, 1000), (std::vector<std::string>{Line("first", 10), Line("second", 10), Line("fifth", 20),
                                                     Line("third", 30), Line("fourth-stamped-early", 5)}));
}

// Scenario: a busy source that never runs dry (its buffer is compacted
// behind it), and lines added while one is being sent.
TEST(EventMergeTest, ABusySourceNeverEmptiedLosesNothing) {
  EventMerger m;
  std::string pad(500, 'x');
  int64_t next_in = 0, next_out = 0;
  for (int round = 0; round < 400; ++round) {
    for (int i = 0; i < 10; ++i, ++next_in) m.Add(7, Line("e", next_in, ",\"pad\":\"" + pad + "\""));
    m.TakeOlderThan(next_in - 5, [&](int64_t ts, std::string& line) {
      EXPECT_EQ(ts, next_out);
      EXPECT_EQ(line, Line("e", next_out, ",\"pad\":\"" + pad + "\""));
      ++next_out;
      if (next_out % 97 == 0) m.Add(EventMerger::kTransientSource + 1, Line("side", int64_t{1} << 50));
    });
  }
  EXPECT_EQ(next_out, next_in - 5);
  EXPECT_EQ(m.size(), 5u + 4000 / 97);
}

}  // namespace
}  // namespace minipg::trace
