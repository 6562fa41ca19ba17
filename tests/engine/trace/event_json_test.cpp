/*-------------------------------------------------------------------------
 * event_json_test.cpp
 *   Decoding event lines with a depth bound: flat events and modest
 *   nesting decode, a line nested deeper than kMaxEventJsonDepth is
 *   malformed, and a million levels neither crash nor take long.
 *-------------------------------------------------------------------------
 */
#include "engine/trace/event_json.h"

#include <gtest/gtest.h>

#include <string>

namespace minipg::trace {
namespace {

std::string NestedArrays(int levels) { return std::string(levels, '[') + std::string(levels, ']'); }

TEST(EventJsonTest, FlatEventsDecode) {
  auto j = ParseEventJson<nlohmann::json>(R"({"type":"fork","ts":1,"pid":2,"listen":[{"a":1}]})");
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j["listen"][0]["a"], 1);
  auto ordered = ParseEventJson<nlohmann::ordered_json>(std::string_view(R"({"b":1,"a":2})"));
  EXPECT_EQ(ordered.begin().key(), "b");
  EXPECT_TRUE(ParseEventJson<nlohmann::json>("{not json").is_discarded());
}

// Scenario: nesting up to the bound is accepted; beyond it the line is
// discarded like any malformed line, whatever the depth.
TEST(EventJsonTest, TooDeepIsMalformed) {
  EXPECT_TRUE(ParseEventJson<nlohmann::json>(NestedArrays(kMaxEventJsonDepth)).is_array());
  EXPECT_TRUE(ParseEventJson<nlohmann::json>(NestedArrays(kMaxEventJsonDepth + 1)).is_discarded());
  std::string deep = R"({"type":"caption","ts":1,"pid":2,"x":)" + NestedArrays(1000000) + "}";
  EXPECT_TRUE(ParseEventJson<nlohmann::json>(deep).is_discarded());
  EXPECT_TRUE(ParseEventJson<nlohmann::ordered_json>(deep).is_discarded());
  std::string objects;
  for (int i = 0; i < 100000; ++i) objects += R"({"a":)";
  objects += "1" + std::string(100000, '}');
  EXPECT_TRUE(ParseEventJson<nlohmann::json>(objects).is_discarded());
}

}  // namespace
}  // namespace minipg::trace
