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

// Scenario: the storage types (schema 6) are one list, by name: every
// buffer_*, wal_* and recovery_* type and shmem_layout, and nothing else.
TEST(EventTest, StorageTypesAreOneList) {
  size_t storage = 0;
  for (size_t i = 0; i < static_cast<size_t>(EventType::kCount_); ++i) {
    auto type = static_cast<EventType>(i);
    std::string name(trace::EventTypeName(type));
    bool by_name = name.rfind("buffer_", 0) == 0 || name.rfind("wal_", 0) == 0 ||
                   name.rfind("recovery_", 0) == 0 || name == "shmem_layout";
    EXPECT_EQ(trace::IsStorageEvent(type), by_name) << name;
    storage += by_name;
  }
  EXPECT_EQ(storage, 10u);
}

}  // namespace
}  // namespace minipg::viz
