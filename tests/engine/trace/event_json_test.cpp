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

// Scenario: the collector reads an event's top-level fields in place; it
// must find each one past nested values and strings holding quotes, braces
// and the names of other fields, and read them as nlohmann does.
TEST(EventJsonTest, FlatEventReadsTopLevelFields) {
  std::string line =
      R"({"type":"query_start","ts":17,"pid":-4,"nodes":[{"id":1,"state":"x"},{"b":"]}"}],)"
      R"("tricky":"a \"state\": 1, } {","text":"SELECT 'it''s' \n\u00e9","state":"idle","n":null})";
  FlatEvent ev(line);
  auto full = nlohmann::json::parse(line);
  EXPECT_EQ(ev.value("ts", int64_t{0}), 17);
  EXPECT_EQ(ev.value("pid", int64_t{0}), -4);
  EXPECT_EQ(ev.value("state", ""), "idle") << "not the one inside nodes, nor the one inside a string";
  EXPECT_EQ(ev.value("text", ""), full["text"].get<std::string>()) << "escapes decoded";
  EXPECT_EQ(ev.value("tricky", ""), full["tricky"].get<std::string>());
  EXPECT_EQ(ev.Raw("nodes").value_or(""), R"([{"id":1,"state":"x"},{"b":"]}"}])");
  EXPECT_EQ(ev.value("missing", "none"), "none");
  EXPECT_EQ(ev.value("missing", int64_t{9}), 9);
  EXPECT_EQ(ev.value("n", "null"), "null") << "not a string: the fallback";
  EXPECT_EQ(ev.value("state", int64_t{3}), 3) << "not a number: the fallback";
  EXPECT_EQ(FlatEvent(R"({"type":"x"})").value("type", ""), "x");
  EXPECT_EQ(FlatEvent("{}").value("type", "none"), "none");
}

}  // namespace
}  // namespace minipg::trace
