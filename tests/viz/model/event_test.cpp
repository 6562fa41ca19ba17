/*-------------------------------------------------------------------------
 * event_test.cpp
 *   The viewer's event decoder on hostile lines: a line nested deeper than
 *   events ever are is an error like any corrupt line, not a crash when the
 *   event log later prints its fields.
 *-------------------------------------------------------------------------
 */
#include "viz/model/event.h"

#include <gtest/gtest.h>

#include <string>

#include "engine/trace/event_json.h"

namespace minipg::viz {
namespace {

TEST(EventTest, DecodesAFlatLine) {
  ParseResult r = ParseEvent(R"({"type":"fork","ts":5,"pid":7,"child":8,"listen":[{"port":1}]})");
  ASSERT_TRUE(r.event) << r.error;
  EXPECT_EQ(r.event->type_name, "fork");
  EXPECT_EQ(r.event->Int("child"), 8);
}

// Scenario: 200,000 levels of arrays inside an otherwise valid event (well
// under the line length limit) are refused with a clear error.
TEST(EventTest, RefusesADeeplyNestedLine) {
  std::string deep = std::string(200000, '[') + std::string(200000, ']');
  ParseResult r = ParseEvent(R"({"type":"fork","ts":5,"pid":7,"x":)" + deep + "}");
  EXPECT_FALSE(r.event);
  EXPECT_NE(r.error.find("nested deeper than " + std::to_string(trace::kMaxEventJsonDepth)), std::string::npos)
      << r.error;
  ParseResult next = ParseEvent(R"({"type":"ready","ts":6,"pid":7})");
  EXPECT_TRUE(next.event) << "the next line decodes as usual";
}

}  // namespace
}  // namespace minipg::viz
