/*
 * emitter_test.cpp
 *   Events as JSON lines on a pipe, written without ever blocking:
 *   escaping, invalid UTF-8, long fields, and the "dropped" count when the
 *   pipe is full.
 */
#include "engine/trace/emitter.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "tests/engine/trace/event_pipe.h"

namespace minipg::trace {
namespace {

using EmitterTest = EventPipeTest;

// Scenario: an event carries type, ts, pid and its fields in order.
TEST_F(EmitterTest, CommonFields) {
  int64_t before = NowMicros();
  Event(EventType::kFork).Int("child", 77).Str("role", "backend").Bool("ok", true).Emit();
  auto j = Receive();
  EXPECT_EQ(j["type"], "fork");
  EXPECT_EQ(j["pid"], getpid());
  EXPECT_GE(j["ts"].get<int64_t>(), before);
  EXPECT_EQ(j["child"], 77);
  EXPECT_EQ(j["role"], "backend");
  EXPECT_EQ(j["ok"], true);
}

// Scenario: quotes, backslashes, newlines, control bytes and invalid UTF-8 stay valid JSON.
TEST_F(EmitterTest, HostileStrings) {
  std::string nasty = "a\"b\\c\nd\x01 \xff\xfe é";
  Event(EventType::kQueryStart).Str("text", nasty).Emit();
  auto j = Receive();
  std::string text = j["text"];
  EXPECT_EQ(text.substr(0, 9), "a\"b\\c\nd\x01 ");
  EXPECT_NE(text.find("\xef\xbf\xbd"), std::string::npos) << "invalid bytes become U+FFFD";
  EXPECT_NE(text.find("é"), std::string::npos) << "valid UTF-8 is kept";
}

// Scenario: byte sequences a strict JSON parser rejects (overlong forms,
// surrogates, Latin-1) are replaced, so the collector never drops the event.
TEST_F(EmitterTest, StrictUtf8) {
  for (std::string bad : {std::string("\xc0\xaf"), std::string("\xed\xa0\x80"), std::string("\xc0\xa9"),
                          std::string("\xf5\x80\x80\x80"), std::string("caf\xe9")}) {
    Event(EventType::kQueryStart).Str("text", bad).Emit();
    auto j = Receive();
    ASSERT_FALSE(j.is_null()) << "the line must parse";
    EXPECT_NE(j["text"].get<std::string>().find("\xef\xbf\xbd"), std::string::npos);
  }
  Event(EventType::kQueryStart).Str("text", "\xf0\x9f\x90\x98 \xe2\x82\xac").Emit();
  EXPECT_EQ(Receive()["text"], "\xf0\x9f\x90\x98 \xe2\x82\xac") << "valid 4- and 3-byte forms are kept";
}

// Scenario: arrays written as text for Raw() fields (a plan's nodes, a
// result's columns) parse as the same JSON, with hostile strings escaped.
TEST_F(EmitterTest, ArraysWrittenAsTextParse) {
  JsonObjects nodes;
  nodes.Begin().Int("id", 0).Str("node", "Seq Scan").Int("parent", -1);
  nodes.Begin().Int("id", -12345678901).Str("node", "a\"b\n\xff");
  JsonObjects none;
  Event(EventType::kPlan)
      .Raw("nodes", nodes.Text())
      .Raw("empty", none.Text())
      .Raw("tables", JsonStringArray(std::vector<std::string>{"t", "we\"ird"}))
      .Raw("no_tables", JsonStringArray(std::vector<std::string>{}))
      .Emit();
  auto j = Receive();
  ASSERT_TRUE(j["nodes"].is_array());
  ASSERT_EQ(j["nodes"].size(), 2u);
  EXPECT_EQ(j["nodes"][0], (nlohmann::json{{"id", 0}, {"node", "Seq Scan"}, {"parent", -1}}));
  EXPECT_EQ(j["nodes"][1]["id"], -12345678901);
  EXPECT_EQ(j["nodes"][1]["node"], "a\"b\n\xef\xbf\xbd");
  EXPECT_EQ(j["empty"], nlohmann::json::array());
  EXPECT_EQ(j["tables"], (nlohmann::json{"t", "we\"ird"}));
  EXPECT_EQ(j["no_tables"], nlohmann::json::array());
}

// Scenario: an event built while another is being built (a field's value
// computed by code that emits) keeps its own fields; bodies are reused.
TEST_F(EmitterTest, EventsBuiltInsideEachOtherKeepTheirFields) {
  for (int round = 0; round < 3; ++round) {
    Event outer(EventType::kExecute);
    outer.Int("rows", round);
    Event(EventType::kState).Str("state", "inner").Emit();
    outer.Str("after", "inner").Emit();
    auto inner = Receive();
    auto out = Receive();
    EXPECT_EQ(inner["type"], "state");
    EXPECT_EQ(inner["state"], "inner");
    EXPECT_FALSE(inner.contains("rows"));
    EXPECT_EQ(out["rows"], round);
    EXPECT_EQ(out["after"], "inner");
    EXPECT_FALSE(out.contains("state"));
  }
}

// Scenario: a huge field is cut so the event still fits in one atomic pipe write.
TEST_F(EmitterTest, LongFieldIsCut) {
  std::string big(1 << 20, 'x');
  Event(EventType::kQueryStart).Str("text", big).Emit();
  auto j = Receive();
  std::string text = j["text"];
  EXPECT_LT(text.size(), 4096u);
  EXPECT_EQ(text.substr(text.size() - 3), "...");
}

// Scenario: when the channel is full, Emit() returns at once and the loss is reported later.
TEST_F(EmitterTest, FullChannelCountsDrops) {
  fcntl(fds_[1], F_SETPIPE_SZ, 4096);
  int sent = 0;
  for (; sent < 1000; ++sent) {
    Event(EventType::kState).Str("state", std::string(200, 's')).Emit();
  }
  // Drain everything; then one more event must be preceded by a dropped count.
  int received = DrainLines();
  ASSERT_GT(received, 0);
  ASSERT_LT(received, sent) << "the small pipe must have filled up";
  Event(EventType::kReady).Str("status", "I").Emit();
  auto dropped = Receive();
  EXPECT_EQ(dropped["type"], "dropped");
  EXPECT_EQ(dropped["count"].get<int>(), sent - received);
  auto ready = Receive();
  EXPECT_EQ(ready["type"], "ready");
}

// Scenario: with no channel, emitting is a silent no-op.
TEST(EmitterNoChannelTest, DiscardsSilently) {
  InitEmitter(-1);
  Event(EventType::kHello).Int("version", 1).Emit();
  SUCCEED();
}

// Scenario: every event type has a distinct wire name that maps back to it.
TEST(EventSchemaTest, NamesRoundTrip) {
  for (int i = 0; i < static_cast<int>(EventType::kCount_); ++i) {
    auto t = static_cast<EventType>(i);
    auto name = EventTypeName(t);
    EXPECT_NE(name, "unknown");
    EXPECT_EQ(EventTypeFromName(name), t) << name;
  }
  EXPECT_FALSE(EventTypeFromName("no_such_type").has_value());
}

}  // namespace
}  // namespace minipg::trace
