/*-------------------------------------------------------------------------
 * spans_test.cpp
 *   Tests of SpanBuilder (viz/model/spans.h), what the Timeline panel
 *   draws: recorded traces in tests/viz/model/data go in, and we check the
 *   lanes and their order, the spans of each lane and row, the arrows
 *   between lanes, markers, and what a truncated or odd stream gives.
 *-------------------------------------------------------------------------
 */
#include "viz/model/spans.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace minipg::viz {
namespace {

constexpr int64_t kAll0 = std::numeric_limits<int64_t>::min() / 4;
constexpr int64_t kAll1 = std::numeric_limits<int64_t>::max() / 4;

std::string DataPath(const char* name) {
  return fmt::format("{}/{}", MINIPG_VIZ_TEST_DATA, name);
}

/* Feeds every parsable line of a data file. */
void Load(SpanBuilder* b, const char* name) {
  std::ifstream in(DataPath(name));
  ASSERT_TRUE(in.good()) << DataPath(name);
  std::string line;
  while (std::getline(in, line)) {
    ParseResult r = ParseEvent(line);
    if (r.event) b->Add(*r.event);
  }
}

Event Ev(const std::string& json) {
  ParseResult r = ParseEvent(json);
  EXPECT_TRUE(r.event.has_value()) << json << ": " << r.error;
  return r.event.value_or(Event{});
}

std::vector<const Span*> Finished(const SpanBuilder& b, int64_t pid, int64_t tid, int depth) {
  std::vector<const Span*> out;
  b.FinishedSpans(pid, tid, depth, kAll0, kAll1, &out);
  return out;
}

std::map<SpanKind, int> KindCounts(const SpanBuilder& b, int64_t pid, int64_t tid) {
  std::map<SpanKind, int> counts;
  for (int d = 0; d < kSpanDepths; ++d) {
    for (const Span* s : Finished(b, pid, tid, d)) counts[s->kind]++;
  }
  return counts;
}

// Scenario: one session's trace gives the postmaster, the collector and the
// backend as lanes; the backend lane holds its life, authentication, one
// query and its four stages, each in its row and at the event times.
TEST(SpanBuilderTest, LifecycleLanesAndSpans) {
  SpanBuilder b;
  Load(&b, "lifecycle.jsonl");
  std::vector<SpanLane> lanes = b.Lanes();
  ASSERT_EQ(lanes.size(), 3u);
  std::map<int64_t, SpanLane> by_pid;
  for (const SpanLane& l : lanes) by_pid[l.pid] = l;
  EXPECT_EQ(by_pid[100].group, LaneGroup::kPostmaster);
  EXPECT_EQ(by_pid[101].group, LaneGroup::kAuxiliary);
  EXPECT_EQ(by_pid[200].group, LaneGroup::kBackend);
  EXPECT_EQ(by_pid[200].name, "backend 200 (alice@shop)");
  EXPECT_EQ(by_pid[200].user, "alice");
  EXPECT_TRUE(by_pid[200].exited);
  EXPECT_FALSE(by_pid[100].exited);

  std::map<SpanKind, int> kinds = KindCounts(b, 200, 200);
  EXPECT_EQ(kinds[SpanKind::kLife], 1);
  EXPECT_EQ(kinds[SpanKind::kAuthentication], 1);
  EXPECT_EQ(kinds[SpanKind::kQuery], 1);
  EXPECT_EQ(kinds[SpanKind::kParse], 1);
  EXPECT_EQ(kinds[SpanKind::kAnalyze], 1);
  EXPECT_EQ(kinds[SpanKind::kPlan], 1);
  EXPECT_EQ(kinds[SpanKind::kExecute], 1);

  std::vector<const Span*> life = Finished(b, 200, 200, 0);
  ASSERT_EQ(life.size(), 1u);
  EXPECT_EQ(life[0]->ts, 1200100);
  EXPECT_EQ(life[0]->end, 1400100);
  EXPECT_FALSE(life[0]->failed);
  std::vector<const Span*> stages = Finished(b, 200, 200, 2);
  ASSERT_EQ(stages.size(), 4u);
  EXPECT_EQ(stages[0]->kind, SpanKind::kParse);  // in ts order
  EXPECT_EQ(stages[0]->ts, 1300000);
  EXPECT_EQ(stages[3]->kind, SpanKind::kExecute);
  EXPECT_EQ(stages[3]->end, 1300400);

  // The postmaster forks two children: the backend's fork span covers
  // accept .. fork, in the postmaster's third row.
  std::vector<const Span*> forks = Finished(b, 100, 100, 2);
  ASSERT_EQ(forks.size(), 2u);
  EXPECT_EQ(forks[1]->kind, SpanKind::kFork);
  EXPECT_EQ(forks[1]->ts, 1200000);
  EXPECT_EQ(forks[1]->end, 1200100);
}

// Scenario: a time range returns only the spans that intersect it.
TEST(SpanBuilderTest, RangeQueryCullsSpansOutsideIt) {
  SpanBuilder b;
  Load(&b, "lifecycle.jsonl");
  std::vector<const Span*> out;
  b.FinishedSpans(200, 200, 2, 1300150, 1300250, &out);  // inside analyze, into plan
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0]->kind, SpanKind::kAnalyze);
  EXPECT_EQ(out[1]->kind, SpanKind::kPlan);
  out.clear();
  b.FinishedSpans(200, 200, 2, 1000000, 1100000, &out);  // before the query
  EXPECT_TRUE(out.empty());
  out.clear();
  b.FinishedSpans(200, 200, 0, 1350000, 1350001, &out);  // the long life still intersects
  EXPECT_EQ(out.size(), 1u);
}

// Scenario: in the export session every fork draws an arrow from the
// postmaster to the child's lane at the fork's time, and the client lanes
// come after the server's processes.
TEST(SpanBuilderTest, ForkArrowsLandOnTheChildLane) {
  SpanBuilder b;
  Load(&b, "export_session.jsonl");
  std::set<int64_t> forked;
  for (const SpanFlow& f : b.flows()) {
    if (f.kind != FlowKind::kFork) continue;
    EXPECT_EQ(f.from_pid, 100);
    EXPECT_EQ(f.to_pid, f.to_tid);
    EXPECT_EQ(f.from_ts, f.to_ts);
    forked.insert(f.to_pid);
  }
  EXPECT_EQ(forked, (std::set<int64_t>{101, 102, 103, 200, 201, 202, 203}));
  bool found = false;
  for (const SpanFlow& f : b.flows()) {
    if (f.kind == FlowKind::kFork && f.to_pid == 200) {
      EXPECT_EQ(f.to_ts, 2120);
      found = true;
    }
  }
  EXPECT_TRUE(found);

  std::vector<SpanLane> lanes = b.Lanes();
  int clients = 0;
  for (const SpanLane& l : lanes) {
    if (l.group != LaneGroup::kClient) continue;
    ++clients;
    EXPECT_EQ(l.pid, 50);
    EXPECT_NE(l.tid, 50);
  }
  EXPECT_EQ(clients, 2);  // alice and bob: alice's second connection stays in her lane
}

// Scenario: when backend 200 crashes, the postmaster's crash arrow goes to
// every other child still alive (bob's backend and the checkpointer), not
// to the crashed one or the collector.
TEST(SpanBuilderTest, CrashArrowsGoToEveryOtherChild) {
  SpanBuilder b;
  Load(&b, "export_session.jsonl");
  std::set<int64_t> targets;
  for (const SpanFlow& f : b.flows()) {
    if (f.kind != FlowKind::kCrash) continue;
    EXPECT_EQ(f.from_pid, 100);
    EXPECT_EQ(f.from_ts, 5020);
    targets.insert(f.to_pid);
  }
  EXPECT_EQ(targets, (std::set<int64_t>{102, 201}));
  // The crashed backend's life is marked failed; a crash marker is on the postmaster.
  std::vector<const Span*> life = Finished(b, 200, 200, 0);
  ASSERT_EQ(life.size(), 1u);
  EXPECT_TRUE(life[0]->failed);
  // Those that obeyed the postmaster's SIGQUIT (exit code 2 in crash
  // recovery) are casualties, not crashes: their lives are not failed.
  for (int64_t casualty : {201, 102}) {
    life = Finished(b, casualty, casualty, 0);
    ASSERT_EQ(life.size(), 1u) << casualty;
    EXPECT_FALSE(life[0]->failed) << casualty;
  }
  std::vector<const SpanInstant*> marks;
  b.Instants(100, 100, kAll0, kAll1, &marks);
  EXPECT_TRUE(std::any_of(marks.begin(), marks.end(),
                          [](const SpanInstant* i) { return i->kind == InstantKind::kCrash; }));
  EXPECT_TRUE(std::any_of(marks.begin(), marks.end(),
                          [](const SpanInstant* i) { return i->kind == InstantKind::kShutdown; }));
}

// Scenario: the Timeline's lane order: the postmaster, the backends in fork
// order, each with the client lane last connected to it under it (alice
// reconnected to 203, bob stayed with 201), then minipg-sim and the
// auxiliaries (the restarted checkpointer after the first), though the
// collector's hello came first.
TEST(SpanBuilderTest, LanesInTimelineOrder) {
  SpanBuilder b;
  Load(&b, "export_session.jsonl");
  std::vector<SpanLane> lanes = b.Lanes();
  EXPECT_EQ(lanes.front().pid, 101);  // the export keeps first appearance
  SortLanesForTimeline(&lanes);
  std::vector<std::string> names;
  for (const SpanLane& l : lanes)
    names.push_back(l.group == LaneGroup::kClient ? l.name : fmt::format("{}", l.pid));
  EXPECT_EQ(names, (std::vector<std::string>{"100", "200", "201", "client bob", "202", "203", "client alice",
                                             "50", "101", "102", "103"}));
  EXPECT_EQ(lanes[7].group, LaneGroup::kRunner);
}

// Scenario: each lane knows when it ran, so a replay can ask which were
// running at the moment it shows: the backend from its fork to its exit,
// the postmaster (never exited) from its first event on, a client lane
// from its connect to its disconnect. Live, "now" is INT64_MAX.
TEST(SpanBuilderTest, LanesKnowWhenTheyRan) {
  SpanBuilder b;
  Load(&b, "lifecycle.jsonl");
  std::map<int64_t, SpanLane> by_pid;
  for (const SpanLane& l : b.Lanes()) by_pid[l.pid] = l;
  const SpanLane& backend = by_pid[200];
  EXPECT_EQ(backend.begin_ts, 1200100);
  EXPECT_EQ(backend.end_ts, 1400100);
  EXPECT_FALSE(LaneAliveAt(backend, 1200099));
  EXPECT_TRUE(LaneAliveAt(backend, 1200100));
  EXPECT_TRUE(LaneAliveAt(backend, 1400099));
  EXPECT_FALSE(LaneAliveAt(backend, 1400100));
  EXPECT_FALSE(LaneAliveAt(backend, std::numeric_limits<int64_t>::max()));
  const SpanLane& postmaster = by_pid[100];
  EXPECT_FALSE(LaneAliveAt(postmaster, postmaster.begin_ts - 1));
  EXPECT_TRUE(LaneAliveAt(postmaster, std::numeric_limits<int64_t>::max()));

  SpanBuilder session;
  Load(&session, "export_session.jsonl");
  std::vector<SpanLane> lanes = session.Lanes();
  auto bob = std::find_if(lanes.begin(), lanes.end(), [](const SpanLane& l) { return l.name == "client bob"; });
  ASSERT_NE(bob, lanes.end());
  EXPECT_EQ(bob->begin_ts, 2200);
  EXPECT_EQ(bob->end_ts, 5080);
  EXPECT_TRUE(LaneAliveAt(*bob, 4010));
  EXPECT_FALSE(LaneAliveAt(*bob, 5080));

  // A client whose connect came before the viewer joined: running from its
  // first event seen until its disconnect.
  SpanBuilder late;
  late.Add(Ev(R"({"type":"client_query","ts":700,"pid":9,"client":"carol","text":"SELECT 1"})"));
  ASSERT_EQ(late.Lanes().size(), 2u);  // minipg-sim and carol
  SpanLane carol = late.Lanes().back();
  EXPECT_FALSE(carol.exited);
  EXPECT_TRUE(LaneAliveAt(carol, 700));
  late.Add(Ev(R"({"type":"client_disconnect","ts":800,"pid":9,"client":"carol","how":"terminate"})"));
  carol = late.Lanes().back();
  EXPECT_TRUE(carol.exited);
  EXPECT_EQ(carol.end_ts, 800);
  EXPECT_FALSE(LaneAliveAt(carol, 800));
}

// Scenario: a backend's INSERT waited 50 us for table t's lock: the wait
// is a span on the stages' row, from lock_wait to lock_acquired, named for
// the lock. A viewer that saw only the lock_acquired places it back by
// the time it says was waited.
TEST(SpanBuilderTest, LockWaitIsASpanOverTheStages) {
  SpanBuilder b;
  b.Add(Ev(R"({"type":"fork","ts":100,"pid":10,"child":20,"role":"backend","conn":1})"));
  b.Add(Ev(R"J({"type":"query_start","ts":120,"pid":20,"text":"INSERT INTO t VALUES (2)"})J"));
  b.Add(Ev(R"({"type":"plan","ts":125,"pid":20,"plan":"Insert on t"})"));
  b.Add(Ev(R"({"type":"lock_wait","ts":130,"pid":20,"lock":"table t","mode":"exclusive"})"));
  std::vector<const Span*> open;
  b.OpenSpans(20, 20, &open);
  EXPECT_TRUE(std::any_of(open.begin(), open.end(), [](const Span* s) { return s->kind == SpanKind::kLockWait; }));
  b.Add(Ev(R"({"type":"lock_acquired","ts":180,"pid":20,"lock":"table t","mode":"exclusive","waited_us":50})"));
  b.Add(Ev(R"({"type":"execute","ts":190,"pid":20,"rows":1})"));
  std::vector<const Span*> row2 = Finished(b, 20, 20, 2);
  auto wait = std::find_if(row2.begin(), row2.end(), [](const Span* s) { return s->kind == SpanKind::kLockWait; });
  ASSERT_NE(wait, row2.end());
  EXPECT_EQ((*wait)->ts, 130);
  EXPECT_EQ((*wait)->end, 180);
  EXPECT_EQ((*wait)->name, "lock wait: table t");
  EXPECT_EQ((*wait)->args.value("waited_us", 0), 50);
  EXPECT_EQ(SpanDepth(SpanKind::kLockWait), 2);

  SpanBuilder late;
  late.Add(Ev(R"({"type":"lock_acquired","ts":5000,"pid":30,"lock":"catalog","mode":"shared","waited_us":700})"));
  std::vector<const Span*> late_row = Finished(late, 30, 30, 2);
  ASSERT_EQ(late_row.size(), 1u);
  EXPECT_EQ(late_row[0]->ts, 4300);
  EXPECT_EQ(late_row[0]->end, 5000);
}

// Scenario: a replay shows the moment between alice's two connections
// (disconnect at 5090, connect again at 6010): her lane was not running
// then, though it was before and after. A client that joined before the
// viewer did has its gap known too, once it connects again.
TEST(SpanBuilderTest, AClientBetweenConnectionsIsNotRunning) {
  SpanBuilder session;
  Load(&session, "export_session.jsonl");
  std::vector<SpanLane> lanes = session.Lanes();
  auto alice = std::find_if(lanes.begin(), lanes.end(), [](const SpanLane& l) { return l.name == "client alice"; });
  ASSERT_NE(alice, lanes.end());
  EXPECT_TRUE(LaneAliveAt(*alice, 5500));  // first connect .. last disconnect
  EXPECT_TRUE(session.RunningAt(*alice, 5089));
  EXPECT_FALSE(session.RunningAt(*alice, 5090));
  EXPECT_FALSE(session.RunningAt(*alice, 5500));
  EXPECT_TRUE(session.RunningAt(*alice, 6010));
  EXPECT_FALSE(session.RunningAt(*alice, 6440));
  EXPECT_FALSE(session.RunningAt(*alice, 2099));
  auto bob = std::find_if(lanes.begin(), lanes.end(), [](const SpanLane& l) { return l.name == "client bob"; });
  ASSERT_NE(bob, lanes.end());
  EXPECT_TRUE(session.RunningAt(*bob, 4010));
  std::map<int64_t, SpanLane> by_pid;
  for (const SpanLane& l : lanes) by_pid[l.pid] = l;
  EXPECT_TRUE(session.RunningAt(by_pid[200], 2500));  // a process lane: LaneAliveAt

  SpanBuilder late;
  late.Add(Ev(R"({"type":"client_query","ts":700,"pid":9,"client":"carol","text":"SELECT 1"})"));
  late.Add(Ev(R"({"type":"client_disconnect","ts":800,"pid":9,"client":"carol","how":"terminate"})"));
  late.Add(Ev(R"({"type":"client_connect","ts":900,"pid":9,"client":"carol","user":"carol","database":"shop"})"));
  SpanLane carol = late.Lanes().back();
  EXPECT_FALSE(carol.exited);
  EXPECT_TRUE(late.RunningAt(carol, 750));
  EXPECT_FALSE(late.RunningAt(carol, 850));
  EXPECT_TRUE(late.RunningAt(carol, 900));
  EXPECT_TRUE(late.RunningAt(carol, std::numeric_limits<int64_t>::max()));
}

// Scenario: a long live session bounds memory; the reconnect gaps of a
// client that connects again and again go with the spans around them.
TEST(SpanBuilderTest, ForgettingDropsOldReconnectGaps) {
  SpanBuilder b;
  b.SetRetention(40);
  for (int i = 0; i < 200; ++i) {
    int64_t t = 1000 + 100 * i;
    b.Add(Ev(fmt::format(R"({{"type":"client_connect","ts":{},"pid":9,"client":"dan","user":"dan","database":"shop"}})", t)));
    b.Add(Ev(fmt::format(R"({{"type":"client_disconnect","ts":{},"pid":9,"client":"dan","how":"client"}})", t + 50)));
  }
  ASSERT_GT(b.forgotten_before(), 1000);
  SpanLane dan = b.Lanes().back();
  ASSERT_EQ(dan.name, "client dan");
  int64_t last_gap = 1000 + 100 * 198 + 75;  // between the last two connections
  EXPECT_FALSE(b.RunningAt(dan, last_gap));
  EXPECT_TRUE(b.RunningAt(dan, 1075));  // forgotten: counts as running
  EXPECT_FALSE(b.RunningAt(dan, 1000 + 100 * 199 + 50));  // after the last disconnect
}

// Scenario: cancel, signal and client arrows, and each client query goes
// to the backend query it caused.
TEST(SpanBuilderTest, CancelSignalClientAndQueryArrows) {
  SpanBuilder b;
  Load(&b, "export_session.jsonl");
  std::map<FlowKind, int> kinds;
  for (const SpanFlow& f : b.flows()) kinds[f.kind]++;
  EXPECT_EQ(kinds[FlowKind::kCancel], 1);
  EXPECT_EQ(kinds[FlowKind::kSignal], 2);
  EXPECT_EQ(kinds[FlowKind::kClient], 3);
  for (const SpanFlow& f : b.flows()) {
    if (f.kind == FlowKind::kCancel) {
      EXPECT_EQ(f.from_pid, 202);
      EXPECT_EQ(f.to_pid, 200);
    }
  }
  const std::vector<SpanFlow>& queries = b.QueryFlows();
  ASSERT_FALSE(queries.empty());
  const SpanFlow& first = queries.front();
  EXPECT_EQ(first.from_pid, 50);
  EXPECT_EQ(first.from_ts, 3010);
  EXPECT_EQ(first.to_pid, 200);
  EXPECT_EQ(first.to_ts, 3020);
  for (const SpanFlow& f : queries) EXPECT_LE(f.from_ts, f.to_ts);
  // The cancelled query failed, and so did the client's wait for it.
  bool failed_query = false;
  for (const Span* s : Finished(b, 200, 200, 1)) {
    if (s->kind == SpanKind::kQuery && s->failed) failed_query = true;
  }
  EXPECT_TRUE(failed_query);
}

// Scenario: a client's own failure (minipg-sim's copy-in of a missing file)
// has no SQLSTATE, and its mark on the client's lane names none; a
// server's error names its own.
TEST(SpanBuilderTest, ClientSideErrorHasNoSqlstate) {
  SpanBuilder b;
  b.Add(Ev(R"({"type":"client_connect","ts":90,"pid":9,"client":"c","user":"u","database":"d"})"));
  b.Add(Ev(R"({"type":"client_error","ts":100,"pid":9,"client":"c","severity":"","sqlstate":"","message":"/x/items.csv: No such file or directory"})"));
  b.Add(Ev(R"({"type":"client_error","ts":110,"pid":9,"client":"c","severity":"ERROR","sqlstate":"22012","message":"division by zero"})"));
  std::vector<std::string> names;
  for (const SpanInstant& i : b.instants()) {
    if (i.kind == InstantKind::kError) names.push_back(i.name);
  }
  ASSERT_EQ(names.size(), 2u);
  EXPECT_EQ(names[0], "in the client: /x/items.csv: No such file or directory");
  EXPECT_EQ(names[1], "ERROR 22012: division by zero");
}

// Scenario: while live stepping stops a simulated client's backend, the
// client's lane says it is waiting for the server, inside its query.
TEST(SpanBuilderTest, ClientWaitsForTheServerWhileItsBackendIsStopped) {
  SpanBuilder b;
  b.Add(Ev(R"({"type":"client_connect","ts":90,"pid":9,"client":"psql","user":"u","database":"d"})"));
  b.Add(Ev(R"({"type":"client_connected","ts":95,"pid":9,"client":"psql","backend_pid":300})"));
  b.Add(Ev(R"({"type":"client_query","ts":100,"pid":9,"client":"psql","text":"SELECT 1"})"));
  b.Add(Ev(R"({"type":"step_pause","ts":110,"pid":300,"point":"parse","node_id":-1,"node":"","rows":0})"));
  SpanLane psql = b.Lanes().back();
  ASSERT_EQ(psql.name, "client psql");
  std::vector<const Span*> open;
  b.OpenSpans(psql.pid, psql.tid, &open);
  auto waiting = std::find_if(open.begin(), open.end(), [](const Span* s) { return s->kind == SpanKind::kStepPause; });
  ASSERT_NE(waiting, open.end());
  EXPECT_EQ((*waiting)->name, "waiting for the server: backend 300 is stopped");
  b.Add(Ev(R"({"type":"step_resume","ts":130,"pid":300,"point":"parse","node_id":-1,"node":"","rows":0,"paused_us":20})"));
  b.Add(Ev(R"({"type":"step_pause","ts":140,"pid":300,"point":"analyze","node_id":-1,"node":"","rows":0})"));
  b.Add(Ev(R"({"type":"client_result","ts":160,"pid":9,"client":"psql","tag":"SELECT 1"})"));
  std::vector<const Span*> stops = Finished(b, psql.pid, psql.tid, SpanDepth(SpanKind::kStepPause));
  ASSERT_EQ(stops.size(), 2u);
  EXPECT_EQ(stops[0]->ts, 110);
  EXPECT_EQ(stops[0]->end, 130);
  EXPECT_EQ(stops[1]->ts, 140);
  EXPECT_EQ(stops[1]->end, 160);  // the answer ends the wait at the latest
  // A backend nobody's simulated client uses: no client lane waits.
  b.Add(Ev(R"({"type":"step_pause","ts":170,"pid":301,"point":"parse","node_id":-1,"node":"","rows":0})"));
  open.clear();
  b.OpenSpans(psql.pid, psql.tid, &open);
  EXPECT_TRUE(std::none_of(open.begin(), open.end(), [](const Span* s) { return s->kind == SpanKind::kStepPause; }));
}

// Scenario: a trace cut off mid-session leaves the postmaster's and the
// backend's lives open; they are reported as open, not as finished.
TEST(SpanBuilderTest, TruncatedTraceLeavesSpansOpen) {
  SpanBuilder b;
  Load(&b, "truncated.jsonl");
  EXPECT_TRUE(Finished(b, 200, 200, 0).empty());
  std::vector<const Span*> open;
  b.OpenSpans(200, 200, &open);
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0]->kind, SpanKind::kLife);
  EXPECT_EQ(open[0]->ts, 1020);
  open.clear();
  b.OpenSpans(100, 100, &open);
  EXPECT_EQ(open.size(), 1u);
  EXPECT_EQ(b.last_ts(), 1020);
  // The snapshot closes them at the last ts.
  SpanSnapshot snap = b.Snapshot();
  int closed = 0;
  for (const Span& s : snap.spans) {
    if (s.args.contains("open_at_end_of_trace")) {
      ++closed;
      EXPECT_EQ(s.end, 1020);
    }
  }
  EXPECT_EQ(closed, 2);
}

// Scenario: an exit for a pid never seen, a signal to nobody, a negative
// timestamp and an unknown type are taken without a crash; the bad ones
// are counted and nothing is drawn for them.
TEST(SpanBuilderTest, OddEventsAreTakenSafely) {
  SpanBuilder b;
  b.Add(Ev(R"({"type":"child_exit","ts":10,"pid":1,"child":999,"exit_code":0})"));
  b.Add(Ev(R"({"type":"signal","ts":11,"pid":1,"target":777,"signal":"SIGTERM","why":"x"})"));
  b.Add(Ev(R"({"type":"fork","ts":-5,"pid":1,"child":2})"));
  b.Add(Ev(R"({"type":"from_the_future","ts":12,"pid":1})"));
  EXPECT_EQ(b.stats().events, 4u);
  EXPECT_EQ(b.stats().bad_timestamps, 1u);
  EXPECT_EQ(b.stats().unknown_types, 1u);
  EXPECT_TRUE(b.flows().empty());
  for (const SpanLane& l : b.Lanes()) EXPECT_NE(l.pid, 999);
  EXPECT_TRUE(Finished(b, 999, 999, 0).empty());
  EXPECT_EQ(b.last_ts(), 11);
}

// Scenario: the generation changes with each event placed, so a panel
// knows when to recompute; query arrows follow new events.
TEST(SpanBuilderTest, GenerationAndQueryFlowsFollowNewEvents) {
  SpanBuilder b;
  uint64_t g0 = b.generation();
  b.Add(Ev(R"({"type":"fork","ts":100,"pid":1,"child":2,"role":"backend"})"));
  b.Add(Ev(R"({"type":"client_connect","ts":90,"pid":9,"client":"c","user":"u","database":"d"})"));
  b.Add(Ev(R"({"type":"client_connected","ts":110,"pid":9,"client":"c","backend_pid":2})"));
  b.Add(Ev(R"({"type":"client_query","ts":120,"pid":9,"client":"c","text":"SELECT 1"})"));
  EXPECT_GT(b.generation(), g0);
  EXPECT_TRUE(b.QueryFlows().empty());  // the backend has not started it yet
  b.Add(Ev(R"({"type":"query_start","ts":125,"pid":2,"text":"SELECT 1"})"));
  ASSERT_EQ(b.QueryFlows().size(), 1u);  // the open query already counts
  EXPECT_EQ(b.QueryFlows()[0].to_ts, 125);
  std::vector<SpanLane> lanes = b.Lanes();
  ASSERT_FALSE(lanes.empty());
  EXPECT_EQ(lanes.back().group, LaneGroup::kClient);
  EXPECT_EQ(lanes.back().backend_pid, 2);
  EXPECT_EQ(lanes.back().user, "u");
}

/* A long live session: a postmaster, and `sessions` simulated clients each
 * connecting to a new backend, running two queries, and leaving. */
std::vector<Event> LongSession(int sessions) {
  std::vector<Event> out;
  auto add = [&](const std::string& json) { out.push_back(Ev(json)); };
  add(R"({"type":"postmaster_start","ts":1000,"pid":100,"port":5432})");
  add(R"({"type":"fork","ts":1010,"pid":100,"child":101,"role":"collector"})");
  int64_t ts = 2000;
  for (int i = 0; i < sessions; ++i) {
    int64_t pid = 1000 + i;
    std::string client = fmt::format("c{}", i % 7);
    auto at = [&](int64_t dt) { return ts + dt; };
    add(fmt::format(R"({{"type":"client_connect","ts":{},"pid":50,"client":"{}","user":"u","database":"d"}})",
                    at(0), client));
    add(fmt::format(R"({{"type":"accept","ts":{},"pid":100,"conn":{}}})", at(1), i));
    add(fmt::format(R"({{"type":"fork","ts":{},"pid":100,"child":{},"role":"backend","conn":{}}})",
                    at(2), pid, i));
    add(fmt::format(R"({{"type":"startup","ts":{},"pid":{},"user":"u","database":"d"}})", at(3), pid));
    add(fmt::format(R"({{"type":"state","ts":{},"pid":{},"state":"idle"}})", at(4), pid));
    add(fmt::format(R"({{"type":"client_connected","ts":{},"pid":50,"client":"{}","backend_pid":{}}})",
                    at(5), client, pid));
    for (int q = 0; q < 2; ++q) {
      int64_t b = 10 + q * 10;
      add(fmt::format(R"({{"type":"client_query","ts":{},"pid":50,"client":"{}","text":"SELECT {}"}})",
                      at(b), client, q));
      add(fmt::format(R"({{"type":"query_start","ts":{},"pid":{},"text":"SELECT {}"}})", at(b + 1), pid, q));
      add(fmt::format(R"({{"type":"parse","ts":{},"pid":{}}})", at(b + 2), pid));
      add(fmt::format(R"({{"type":"execute","ts":{},"pid":{},"rows":1}})", at(b + 3), pid));
      add(fmt::format(R"({{"type":"query_done","ts":{},"pid":{},"tag":"SELECT 1","rows":1}})", at(b + 4),
                      pid));
      add(fmt::format(R"({{"type":"client_result","ts":{},"pid":50,"client":"{}","tag":"SELECT 1","rows":1}})",
                      at(b + 5), client));
    }
    add(fmt::format(R"({{"type":"client_disconnect","ts":{},"pid":50,"client":"{}","how":"terminate"}})",
                    at(40), client));
    add(fmt::format(R"({{"type":"disconnect","ts":{},"pid":{},"reason":"terminate"}})", at(41), pid));
    add(fmt::format(
        R"({{"type":"child_exit","ts":{},"pid":100,"child":{},"role":"backend","exit_code":0}})", at(42),
        pid));
    ts += 100;
  }
  return out;
}

/* Everything Lanes() says, as comparable text. */
std::string LanesText(const SpanBuilder& b) {
  std::string out;
  for (const SpanLane& l : b.Lanes()) {
    out += fmt::format("{} {} {} {} {} {} {} {} {} {} {} {} {}|", l.pid, l.tid, static_cast<int>(l.group), l.role,
                       l.name, l.user, l.database, l.order, l.sort_index, l.backend_pid, l.begin_ts, l.exited,
                       l.end_ts);
  }
  return out;
}

/* Feeds `events` one by one, checking after each that the lanes changed
 * only with lanes_generation(); returns how many events changed it. */
int CheckLanesGeneration(SpanBuilder* b, const std::vector<Event>& events) {
  int bumps = 0;
  std::string before = LanesText(*b);
  for (const Event& ev : events) {
    uint64_t g = b->lanes_generation();
    b->Add(ev);
    std::string after = LanesText(*b);
    if (after != before) {
      EXPECT_NE(b->lanes_generation(), g) << "the lanes changed without lanes_generation, at " << ev.type_name
                                          << " ts " << ev.ts;
    }
    if (b->lanes_generation() != g) ++bumps;
    before = std::move(after);
  }
  return bumps;
}

std::vector<Event> ReadEvents(const char* name) {
  std::vector<Event> out;
  std::ifstream in(DataPath(name));
  EXPECT_TRUE(in.good()) << DataPath(name);
  std::string line;
  while (std::getline(in, line)) {
    ParseResult r = ParseEvent(line);
    if (r.event) out.push_back(std::move(*r.event));
  }
  return out;
}

// Scenario: the Timeline rebuilds its lane list only when
// lanes_generation() changes, so every change of what Lanes() says must
// change it: checked after each event of recorded traces and of a long
// session of connects and exits, with retention forgetting processes. The
// queries, stages and client queries between (most of a busy stream) do
// not change it.
TEST(SpanBuilderTest, LanesGenerationChangesWithEveryLaneChange) {
  for (const char* name : {"export_session.jsonl", "lifecycle.jsonl", "three_backends.jsonl", "query_session.jsonl",
                           "snapshot.jsonl", "truncated.jsonl"}) {
    SpanBuilder b;
    CheckLanesGeneration(&b, ReadEvents(name));
  }
  SpanBuilder b;
  b.SetRetention(200);
  std::vector<Event> events = LongSession(60);
  int bumps = CheckLanesGeneration(&b, events);
  EXPECT_GT(b.forgotten_before(), 0);
  EXPECT_LT(bumps, static_cast<int>(events.size()) / 3);

  uint64_t g = b.lanes_generation();
  b.Add(Ev(R"({"type":"fork","ts":900000,"pid":100,"child":7777,"role":"backend","conn":1})"));
  EXPECT_NE(b.lanes_generation(), g);
  g = b.lanes_generation();
  for (const char* json : {R"({"type":"state","ts":900001,"pid":7777,"state":"active"})",
                           R"({"type":"query_start","ts":900002,"pid":7777,"text":"SELECT 1"})",
                           R"({"type":"parse","ts":900003,"pid":7777})",
                           R"({"type":"execute","ts":900004,"pid":7777,"rows":1})",
                           R"({"type":"query_done","ts":900005,"pid":7777,"tag":"SELECT 1","rows":1})",
                           R"({"type":"ready","ts":900006,"pid":7777,"status":"I"})"}) {
    b.Add(Ev(json));
  }
  EXPECT_EQ(b.lanes_generation(), g) << "a query changed the lanes' generation";

  // A new builder (a scenario started from the menu) counts from 0 again;
  // its id tells a panel that it is not the one it cached.
  SpanBuilder fresh;
  EXPECT_NE(fresh.id(), b.id());
}

// Scenario: a builder given events to take (Add(Event&&), as the viewer
// does) moves a stage's fields into its span instead of copying them, and
// ends up with exactly the spans, args included, of one given copies.
TEST(SpanBuilderTest, TakingEventsGivesTheSameSpans) {
  for (const char* name : {"export_session.jsonl", "query_session.jsonl", "query_select.jsonl"}) {
    SpanBuilder copied, taken;
    for (Event ev : ReadEvents(name)) {
      copied.Add(ev);
      taken.Add(std::move(ev));
    }
    SpanSnapshot a = copied.Snapshot();
    SpanSnapshot b = taken.Snapshot();
    ASSERT_EQ(a.spans.size(), b.spans.size()) << name;
    size_t with_args = 0;
    for (size_t i = 0; i < a.spans.size(); ++i) {
      EXPECT_EQ(a.spans[i].name, b.spans[i].name) << name << " span " << i;
      EXPECT_EQ(a.spans[i].ts, b.spans[i].ts) << name << " span " << i;
      EXPECT_EQ(a.spans[i].args.dump(), b.spans[i].args.dump()) << name << " span " << i;
      if (!b.spans[i].args.empty()) ++with_args;
    }
    EXPECT_GT(with_args, 0u) << name;
  }
}

/* A lane's spans of every row in [t0, t1] as comparable text. */
std::vector<std::string> Describe(const SpanBuilder& b, int64_t pid, int64_t tid, int64_t t0, int64_t t1) {
  std::vector<std::string> out;
  for (int d = 0; d < kSpanDepths; ++d) {
    std::vector<const Span*> spans;
    b.FinishedSpans(pid, tid, d, t0, t1, &spans);
    for (const Span* s : spans) out.push_back(fmt::format("{} {} {} {} {}", d, s->ts, s->end, s->name, s->failed));
  }
  return out;
}

// Scenario: a long live session under a retention of 2,000 spans. The
// builder never holds much more than that, says from when it forgot, drops
// the lanes of backends long gone, and what it holds after the cut is
// exactly what an unbounded builder holds there: spans of every lane
// (processes and client lanes), arrows, and client -> backend query arrows.
TEST(SpanBuilderTest, RetentionBoundsMemoryAndKeepsTheRecentPast) {
  std::vector<Event> events = LongSession(800);
  SpanBuilder bounded;
  bounded.SetRetention(2000);
  SpanBuilder all;
  size_t most_held = 0;
  for (const Event& ev : events) {
    bounded.Add(ev);
    all.Add(ev);
    most_held = std::max(most_held, bounded.held_spans());
  }
  EXPECT_GT(all.held_spans(), 10000u) << "the session is long enough to need forgetting";
  EXPECT_LE(most_held, 2001u);
  EXPECT_GT(bounded.forgotten_spans(), 0u);
  int64_t cut = bounded.forgotten_before();
  ASSERT_GT(cut, 2000);
  EXPECT_LT(cut, all.last_ts());
  EXPECT_EQ(bounded.last_ts(), all.last_ts());

  // Lanes: the postmaster, collector and runner stay; backends that exited
  // before the cut are gone, the later ones are all there.
  std::set<int64_t> bounded_pids, all_pids;
  for (const SpanLane& l : bounded.Lanes()) bounded_pids.insert(l.pid);
  for (const SpanLane& l : all.Lanes()) all_pids.insert(l.pid);
  EXPECT_LT(bounded_pids.size(), all_pids.size() / 2);
  EXPECT_TRUE(bounded_pids.count(100) && bounded_pids.count(101) && bounded_pids.count(50));
  for (const SpanLane& l : all.Lanes()) {
    std::vector<std::string> recent = Describe(all, l.pid, l.tid, cut, kAll1);
    // Spans that began before the cut but end after it are kept too.
    std::vector<std::string> held = Describe(bounded, l.pid, l.tid, cut, kAll1);
    EXPECT_EQ(held, recent) << l.name;
  }
  auto recent_flows = [cut](const std::vector<SpanFlow>& flows) {
    std::vector<std::tuple<int, int64_t, int64_t, int64_t, int64_t>> out;
    for (const SpanFlow& f : flows) {
      if (f.from_ts >= cut) out.emplace_back(static_cast<int>(f.kind), f.from_pid, f.from_ts, f.to_pid, f.to_ts);
    }
    return out;
  };
  EXPECT_EQ(recent_flows(bounded.flows()), recent_flows(all.flows()));
  EXPECT_FALSE(recent_flows(bounded.QueryFlows()).empty());
  EXPECT_EQ(recent_flows(bounded.QueryFlows()), recent_flows(all.QueryFlows()));
  for (const SpanFlow& f : bounded.flows()) EXPECT_GE(std::max(f.from_ts, f.to_ts), cut);
}

// Scenario: without SetRetention (the export), nothing is ever forgotten.
TEST(SpanBuilderTest, NoRetentionKeepsEverything) {
  SpanBuilder b;
  for (const Event& ev : LongSession(300)) b.Add(ev);
  EXPECT_EQ(b.forgotten_before(), 0);
  EXPECT_EQ(b.forgotten_spans(), 0u);
  EXPECT_EQ(Finished(b, 1000, 1000, 0).size(), 1u) << "the first backend's life is still held";
}

}  // namespace
}  // namespace minipg::viz

namespace minipg::viz {
namespace {

// Scenario: storage.jsonl's crash and recovery: the startup process's lane holds one span
// of WAL replay from recovery_start to recovery_done, with the count of records replayed;
// the buffer and WAL events make no spans of their own.
TEST(SpanBuilderTest, RecoveryIsASpanOnTheStartupLane) {
  SpanBuilder b;
  Load(&b, "storage.jsonl");
  std::vector<const Span*> replay = Finished(b, 105, 105, 1);
  ASSERT_EQ(replay.size(), 1u);
  EXPECT_EQ(replay[0]->kind, SpanKind::kRecovery);
  EXPECT_EQ(replay[0]->name, "recovery (crash): WAL replay");
  EXPECT_EQ(replay[0]->end - replay[0]->ts, 2000);  // recovery_start .. recovery_done
  EXPECT_EQ(replay[0]->args.value("records", 0), 3);    // as recovery_done says
  EXPECT_EQ(KindCounts(b, 103, 103).count(SpanKind::kOther), 0u) << "the bgwriter's write made a span";
}

}  // namespace
}  // namespace minipg::viz
