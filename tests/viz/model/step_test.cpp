/*-------------------------------------------------------------------------
 * step_test.cpp
 *   Live stepping in the model (viz/model/step_state.h) and in a replay:
 *   a recorded trace of a join with an aggregate stepped stage by stage,
 *   then row by row (data/step_join.jsonl, recorded from minipg with
 *   minipg-viz --step), moved through with "next step point" and
 *   "previous step point"; and the --step action list.
 *-------------------------------------------------------------------------
 */
#include "viz/model/playback.h"
#include "viz/model/spans.h"
#include "viz/model/step_state.h"
#include "viz/client/step_control.h"

#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace minipg::viz {
namespace {

constexpr int64_t kStudent = 21761;  // the stepped backend in step_join.jsonl

void Load(Playback& pb) {
  std::ifstream in(fmt::format("{}/step_join.jsonl", MINIPG_VIZ_TEST_DATA));
  ASSERT_TRUE(in.good());
  std::string line;
  while (std::getline(in, line)) pb.Append(line);
}

const StepInfo& StepOf(const Playback& pb) {
  const Process* p = pb.shown().FindProcess(kStudent);
  static const StepInfo kNone;
  return p != nullptr ? p->step : kNone;
}

// Scenario: the live model after the whole record: 17 stops, the backend
// let go at the end, and no anomaly from the step events.
TEST(StepTest, LiveModelCountsEveryStop) {
  Playback pb(ModelOptions{});
  Load(pb);
  const StepInfo& st = StepOf(pb);
  EXPECT_EQ(st.pauses, 17);
  EXPECT_FALSE(st.paused);
  ASSERT_TRUE(st.last.has_value());
  EXPECT_EQ(st.last->point, "row");
  EXPECT_EQ(pb.live_model().anomaly_count(), 0u);
}

// Scenario: from the start of the record, "next step point" walks the
// stops in order, each one shown paused with the plan node's rows so far;
// "previous step point" goes back one; past the last there is none.
TEST(StepTest, ReplayStepsThroughTheRecordedStops) {
  Playback pb(ModelOptions{});
  Load(pb);
  pb.SeekLine(0);
  const std::vector<std::string> expected = {
      "parse", "analyze", "rewrite", "plan", "executor start", "first row", "first row", "row",
      "row", "row", "row", "node end", "node end", "first row", "first row", "row", "row"};
  for (size_t i = 0; i < expected.size(); ++i) {
    ASSERT_TRUE(pb.SeekStepPause(true, kStudent)) << "stop " << i;
    const StepInfo& st = StepOf(pb);
    ASSERT_TRUE(st.paused) << "stop " << i;
    ASSERT_TRUE(st.last.has_value());
    EXPECT_EQ(st.last->point, expected[i]) << "stop " << i;
    EXPECT_EQ(st.pauses, static_cast<int64_t>(i + 1));
  }
  // The last stop: Hash Join handed up its second row, (bob,20); its
  // children's counts are what the pauses told.
  const StepInfo& st = StepOf(pb);
  EXPECT_EQ(st.Describe(), "row: Hash Join [node 2], rows 2 | (bob,20)");
  ASSERT_NE(st.Node(5), nullptr);
  EXPECT_EQ(st.Node(5)->rows, 3);
  EXPECT_EQ(st.Node(5)->state, "done");
  EXPECT_EQ(st.Node(5)->title, "Seq Scan on accounts a");
  ASSERT_NE(st.Node(3), nullptr);
  EXPECT_EQ(st.Node(3)->rows, 2);
  EXPECT_EQ(st.Node(3)->state, "returned row");
  // The query runs in the picture: its plan came before the stops.
  const Process* p = pb.shown().FindProcess(kStudent);
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(p->query.Running());

  EXPECT_FALSE(pb.SeekStepPause(true, kStudent)) << "no stop after the last";
  ASSERT_TRUE(pb.SeekStepPause(false, kStudent));
  EXPECT_EQ(StepOf(pb).Describe(), "row: Seq Scan on transfers t [node 3], rows 2 | (2,2,20)");
  EXPECT_EQ(StepOf(pb).pauses, 16);
  // Back to the first, and no further.
  while (pb.SeekStepPause(false, kStudent)) {
  }
  EXPECT_EQ(StepOf(pb).last->point, "parse");
  EXPECT_EQ(StepOf(pb).pauses, 1);
  // Another backend has no stops in the record.
  EXPECT_FALSE(pb.SeekStepPause(true, kStudent + 100000));
}

// Scenario: the Timeline draws each stop on the backend's lane, named by
// where it stopped, from its step_pause to its step_resume.
TEST(StepTest, TimelineDrawsEachStop) {
  SpanBuilder b;
  std::ifstream in(fmt::format("{}/step_join.jsonl", MINIPG_VIZ_TEST_DATA));
  std::string line;
  while (std::getline(in, line)) {
    ParseResult r = ParseLine(line);
    if (r.event) b.Add(*r.event);
  }
  std::vector<const Span*> stops;
  std::vector<const Span*> row;
  b.FinishedSpans(kStudent, kStudent, SpanDepth(SpanKind::kStepPause), 0, INT64_MAX, &row);
  for (const Span* s : row) {
    if (s->kind == SpanKind::kStepPause) stops.push_back(s);
  }
  ASSERT_EQ(stops.size(), 17u);
  EXPECT_EQ(stops.front()->name, "stopped: parse");
  EXPECT_EQ(stops.back()->name, "stopped: row Hash Join");
  for (const Span* s : stops) EXPECT_LE(s->ts, s->end);
}

// Scenario: a step event without its point is an anomaly, not a crash.
TEST(StepTest, StepEventWithoutPointIsAnAnomaly) {
  StepInfo st;
  ParseResult r = ParseEvent(R"({"type":"step_pause","ts":5,"pid":7,"node_id":1})");
  ASSERT_TRUE(r.event.has_value());
  EXPECT_NE(ApplyStepEvent(st, *r.event, 0), "");
  EXPECT_FALSE(st.paused);
}

// Scenario: a step_pause carries the whole live plan: every node's rows
// and state are known at once, not only the node it stopped at; a bad
// `nodes` field is an anomaly, and the stop is still taken.
TEST(StepTest, StepPauseCarriesTheLivePlan) {
  StepInfo st;
  ParseResult r = ParseEvent(
      R"j({"type":"step_pause","ts":5,"pid":7,"point":"first row","node_id":2,"node":"Hash Join","rows":1,)j"
      R"j("detail":"(ann,10)","nodes":[{"id":0,"rows":0,"loops":1,"state":"running"},)j"
      R"j({"id":1,"rows":0,"loops":0,"state":"not started"},{"id":2,"rows":1,"loops":1,"state":"returned row"},)j"
      R"j({"id":3,"rows":1,"loops":1,"state":"returned row"},{"id":4,"rows":3,"loops":1,"state":"done"}]})j");
  ASSERT_TRUE(r.event.has_value()) << r.error;
  EXPECT_EQ(ApplyStepEvent(st, *r.event, 0), "");
  EXPECT_TRUE(st.paused);
  ASSERT_EQ(st.nodes.size(), 5u);
  ASSERT_NE(st.Node(4), nullptr);
  EXPECT_EQ(st.Node(4)->rows, 3);
  EXPECT_EQ(st.Node(4)->state, "done");
  EXPECT_EQ(st.Node(1)->state, "not started");
  EXPECT_EQ(st.Node(2)->title, "Hash Join");
  EXPECT_EQ(st.Node(2)->state, "returned row");

  ParseResult bad = ParseEvent(R"j({"type":"step_pause","ts":9,"pid":7,"point":"row","node_id":3,"node":"Seq Scan","rows":2,"nodes":7})j");
  ASSERT_TRUE(bad.event.has_value());
  EXPECT_NE(ApplyStepEvent(st, *bad.event, 0), "");
  EXPECT_EQ(st.Node(3)->rows, 2);
  EXPECT_EQ(st.pauses, 2);
}

// Scenario: minipg-viz --step's list: names, repeats, and a clear error.
TEST(StepTest, ParsesStepActions) {
  std::string err;
  auto a = ParseStepActions("attach,row*3,commit,continue", &err);
  ASSERT_TRUE(a.has_value()) << err;
  std::vector<StepAction> want = {StepAction::kAttach, StepAction::kNextRow, StepAction::kNextRow,
                                  StepAction::kNextRow, StepAction::kRunToCommit, StepAction::kContinue};
  EXPECT_EQ(*a, want);
  EXPECT_FALSE(ParseStepActions("row,jump", &err).has_value());
  EXPECT_NE(err.find("unknown step action \"jump\""), std::string::npos) << err;
  EXPECT_FALSE(ParseStepActions("row*0", &err).has_value());
}

}  // namespace
}  // namespace minipg::viz
