/*-------------------------------------------------------------------------
 * model_test.cpp
 *   Tests of the visualizer's model: recorded traces (tests/viz/model/data)
 *   and hand-made impossible input go in, processes, the log, counters and
 *   anomalies come out. No window is involved.
 *-------------------------------------------------------------------------
 */
#include "viz/model/model.h"

#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "engine/trace/event_json.h"
#include "viz/model/source.h"

namespace minipg::viz {
namespace {

std::string DataPath(const char* name) { return fmt::format("{}/{}", MINIPG_VIZ_TEST_DATA, name); }

/* Feeds a whole trace file to the model through a FileSource, as the app does. */
void LoadTrace(Model& model, const char* name) {
  FileSource source(DataPath(name));
  ASSERT_NE(source.state(), SourceState::kFailed) << source.error();
  std::vector<std::string> lines;
  while (source.Poll(lines, 7) > 0) {  // small batches, like frames
    for (const std::string& line : lines) model.ApplyLine(line);
    lines.clear();
  }
  EXPECT_EQ(source.state(), SourceState::kEnded);
}

std::string Line(std::string_view type, int64_t ts, int64_t pid, std::string_view extra = "") {
  return fmt::format(R"({{"type":"{}","ts":{},"pid":{}{}{}}})", type, ts, pid,
                     extra.empty() ? "" : ",", extra);
}

// Scenario: a backend crashes; the postmaster enters crash recovery, the
// other backend is terminated, and the postmaster returns to "run".
TEST(ModelTest, CrashCycle) {
  Model model;
  model.ApplyLine(Line("postmaster_start", 100, 10, R"("port":5432,"max_connections":5)"));
  model.ApplyLine(Line("fork", 110, 10, R"("child":20,"role":"backend","conn":1)"));
  model.ApplyLine(Line("fork", 120, 10, R"("child":21,"role":"backend","conn":2)"));
  model.ApplyLine(Line("child_exit", 200, 10, R"("child":20,"role":"backend","signal":11,"status":"was terminated by signal 11: Segmentation fault")"));
  model.ApplyLine(Line("crash", 201, 10, R"("child":20,"signal":11)"));
  model.ApplyLine(Line("postmaster_state", 202, 10, R"("state":"crash recovery")"));
  EXPECT_EQ(model.server().postmaster_state, "crash recovery");
  EXPECT_EQ(model.server().crashes, 1);
  model.ApplyLine(Line("child_exit", 210, 10, R"("child":21,"role":"backend","exit_code":2,"status":"exited with exit code 2")"));
  model.ApplyLine(Line("postmaster_state", 220, 10, R"("state":"run")"));
  EXPECT_EQ(model.server().postmaster_state, "run");
  EXPECT_EQ(model.anomaly_count(), 0u);
  // The one that crashed is marked so; the one the postmaster told to quit
  // (SIGQUIT, exit code 2, during crash recovery) is a casualty, not a crash.
  EXPECT_TRUE(model.FindProcess(20)->crashed);
  EXPECT_FALSE(model.FindProcess(21)->crashed);
  EXPECT_TRUE(model.FindProcess(21)->exited);
}

// Scenario: the postmaster forks a checkpointer, which checkpoints and is
// later killed in a crash cycle; the model knows it as the checkpointer (an
// auxiliary process) and records its crash like any other process's.
TEST(ModelTest, CheckpointerRole) {
  Model model;
  model.ApplyLine(Line("postmaster_start", 100, 10, R"("port":5432,"max_connections":5)"));
  model.ApplyLine(Line("fork", 110, 10, R"("child":30,"role":"checkpointer")"));
  model.ApplyLine(Line("checkpoint_start", 120, 30, R"("reason":"time")"));
  model.ApplyLine(Line("checkpoint_done", 130, 30, R"("reason":"time","files":3,"duration_us":10,"ok":true)"));
  model.ApplyLine(Line("signal", 140, 10, R"("target":30,"signal":"SIGUSR2","why":"shutdown checkpoint")"));
  const Process* c = model.FindProcess(30);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->role, ProcessRole::kCheckpointer);
  EXPECT_EQ(RoleName(c->role), "checkpointer");
  EXPECT_EQ(c->parent_pid, 10);
  // A checkpoint event from a process never forked (a late subscriber)
  // implies the checkpointer role.
  model.ApplyLine(Line("checkpoint_start", 150, 31, R"("reason":"immediate force wait")"));
  ASSERT_NE(model.FindProcess(31), nullptr);
  EXPECT_EQ(model.FindProcess(31)->role, ProcessRole::kCheckpointer);
  model.ApplyLine(Line("child_exit", 200, 10, R"("child":30,"role":"checkpointer","signal":9,"status":"was terminated by signal 9: Killed")"));
  EXPECT_TRUE(model.FindProcess(30)->exited);
}

// Scenario: one client connects, runs one query and disconnects. The model
// follows the backend through every state and records a clean exit. As in a
// real trace file, the file's own hello is stamped after the postmaster's
// first events; that is not time going backwards.
TEST(ModelTest, NormalLifecycle) {
  Model model;
  LoadTrace(model, "lifecycle.jsonl");

  EXPECT_EQ(model.anomaly_count(), 0u) << model.anomalies().front().message;
  EXPECT_EQ(model.events_seen(), 24u);
  EXPECT_EQ(model.first_ts(), 1000010);  // postmaster_start, not the later hello
  EXPECT_EQ(model.postmaster_pid(), 100);
  EXPECT_EQ(model.server().schema_version, 1);
  EXPECT_EQ(model.server().port, 5432);
  ASSERT_EQ(model.server().listen_sockets.size(), 2u);
  EXPECT_EQ(model.server().listen_sockets[1].transport, "unix");

  // Fork order: postmaster, collector, backend.
  ASSERT_EQ(model.processes().size(), 3u);
  EXPECT_EQ(model.processes()[0].role, ProcessRole::kPostmaster);
  EXPECT_EQ(model.processes()[1].role, ProcessRole::kCollector);
  EXPECT_EQ(model.processes()[1].parent_pid, 100);

  const Process* backend = model.FindProcess(200);
  ASSERT_NE(backend, nullptr);
  EXPECT_EQ(backend->role, ProcessRole::kBackend);
  EXPECT_EQ(backend->parent_pid, 100);
  EXPECT_EQ(backend->client, "127.0.0.1:52114");
  EXPECT_EQ(backend->transport, "tcp");
  EXPECT_EQ(backend->user, "alice");
  EXPECT_EQ(backend->database, "shop");
  EXPECT_EQ(backend->application_name, "minipsql");
  EXPECT_EQ(backend->state, SessionState::kIdle);
  EXPECT_EQ(backend->last_query, "SELECT id, name FROM items WHERE id < 4;");
  EXPECT_TRUE(backend->current_query.empty());
  EXPECT_EQ(backend->last_tag, "SELECT 3");
  EXPECT_EQ(backend->queries_done, 1);
  EXPECT_NE(backend->last_plan.find("SeqScan"), std::string::npos);
  EXPECT_EQ(backend->started_ts, 1200100);
  EXPECT_EQ(backend->disconnect_reason, "terminate");
  EXPECT_TRUE(backend->exited);
  EXPECT_EQ(backend->exited_ts, 1400100);
  EXPECT_EQ(backend->exit_code, 0);
  EXPECT_FALSE(backend->exit_signal.has_value());
  EXPECT_FALSE(backend->crashed);
  EXPECT_EQ(model.LiveProcessCount(), 2u);
  // The connection is gone with its backend.
  EXPECT_TRUE(model.connections().empty());

  EXPECT_EQ(model.EventsOfType(static_cast<size_t>(EventType::kState)), 5u);
  EXPECT_EQ(model.log().size(), 24u);
  EXPECT_EQ(model.log().back().type_name, "child_exit");
  EXPECT_NE(model.log().back().text().find("child=200"), std::string::npos);
}

// Scenario: the state is visible while it lasts, not only at the end: in the
// middle of the query the backend is active with the query's text.
TEST(ModelTest, StateWhileQueryRuns) {
  Model model;
  FileSource source(DataPath("lifecycle.jsonl"));
  std::vector<std::string> lines;
  source.Poll(lines, 17);  // up to and including "plan"
  for (const auto& l : lines) model.ApplyLine(l);
  const Process* backend = model.FindProcess(200);
  ASSERT_NE(backend, nullptr);
  EXPECT_EQ(backend->state, SessionState::kActive);
  EXPECT_EQ(backend->current_query, "SELECT id, name FROM items WHERE id < 4;");
  EXPECT_EQ(backend->stage, "analyze");
  ASSERT_EQ(model.connections().size(), 1u);
  EXPECT_EQ(model.connections().at(1).backend_pid, 200);
  EXPECT_EQ(model.connections().at(1).client, "127.0.0.1:52114");
}

// Scenario: a backend running an INSERT has to wait for table t's lock
// (another process holds it): from lock_wait to lock_acquired it says what
// it waits for; once it has the lock, or the session ends mid-wait, it no
// longer does.
TEST(ModelTest, WaitingForALock) {
  Model model;
  model.ApplyLine(Line("postmaster_start", 100, 10, R"("port":5432,"max_connections":5)"));
  model.ApplyLine(Line("fork", 110, 10, R"("child":20,"role":"backend","conn":1)"));
  model.ApplyLine(Line("state", 120, 20, R"("state":"active")"));
  model.ApplyLine(Line("query_start", 121, 20, R"J("text":"INSERT INTO t VALUES (2)")J"));
  model.ApplyLine(Line("lock_wait", 130, 20, R"("lock":"table t","mode":"exclusive")"));
  const Process* p = model.FindProcess(20);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->waiting_for, "table t (exclusive)");
  EXPECT_EQ(p->state, SessionState::kActive);
  model.ApplyLine(Line("lock_acquired", 180, 20, R"("lock":"table t","mode":"exclusive","waited_us":50)"));
  EXPECT_EQ(model.FindProcess(20)->waiting_for, "");
  EXPECT_TRUE(model.anomalies().empty());

  model.ApplyLine(Line("lock_wait", 200, 20, R"("lock":"catalog","mode":"shared")"));
  EXPECT_EQ(model.FindProcess(20)->waiting_for, "catalog (shared)");
  model.ApplyLine(Line("disconnect", 210, 20, R"("reason":"terminate")"));
  EXPECT_EQ(model.FindProcess(20)->waiting_for, "");
}

// Scenario: the postmaster forks a child for a new connection, which turns
// out to carry a CancelRequest for backend 20: the child is shown as what
// it is, a cancel request for 20, not as a second backend.
TEST(ModelTest, ACancelRequestChildIsNotABackend) {
  Model model;
  model.ApplyLine(Line("postmaster_start", 100, 10, R"("port":5432,"max_connections":5)"));
  model.ApplyLine(Line("fork", 110, 10, R"("child":20,"role":"backend","conn":1)"));
  model.ApplyLine(Line("fork", 120, 10, R"("child":21,"role":"backend","conn":2)"));
  EXPECT_EQ(ShownRole(*model.FindProcess(21)), "backend");
  model.ApplyLine(Line("cancel_request", 125, 21, R"("target":20,"matched":true)"));
  EXPECT_EQ(model.FindProcess(21)->cancel_target, 20);
  EXPECT_EQ(ShownRole(*model.FindProcess(21)), "cancel request");
  EXPECT_EQ(ShownRole(*model.FindProcess(20)), "backend");
}

// Scenario: three backends live at once, in different states, plus one that
// exited normally and one killed by SIGKILL (a crash).
TEST(ModelTest, ThreeConcurrentBackends) {
  Model model;
  LoadTrace(model, "three_backends.jsonl");
  EXPECT_EQ(model.anomaly_count(), 0u);

  const Process* a = model.FindProcess(200);
  const Process* b = model.FindProcess(201);
  const Process* c = model.FindProcess(202);
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->state, SessionState::kIdle);
  EXPECT_EQ(b->state, SessionState::kActive);
  EXPECT_EQ(b->current_query, "SELECT count(*) FROM orders, pg_sleep(5);");
  EXPECT_EQ(b->stage, "parse");
  EXPECT_EQ(c->state, SessionState::kIdleInTransaction);
  EXPECT_EQ(c->txn_status, 'T');
  EXPECT_EQ(c->client, "[local]");
  EXPECT_EQ(c->transport, "unix");
  EXPECT_EQ(c->user, "carol");

  const Process* done = model.FindProcess(203);
  ASSERT_NE(done, nullptr);
  EXPECT_TRUE(done->exited);
  EXPECT_FALSE(done->crashed);

  const Process* killed = model.FindProcess(204);
  ASSERT_NE(killed, nullptr);
  EXPECT_TRUE(killed->exited);
  EXPECT_TRUE(killed->crashed);
  EXPECT_EQ(killed->exit_signal, 9);
  EXPECT_EQ(killed->exit_status, "terminated by signal 9: Killed");
  EXPECT_TRUE(killed->current_query.empty());

  // postmaster, collector and three backends are alive; order is fork order.
  EXPECT_EQ(model.LiveProcessCount(), 5u);
  std::vector<int64_t> order;
  for (const Process& p : model.processes()) order.push_back(p.pid);
  EXPECT_EQ(order, (std::vector<int64_t>{100, 101, 200, 201, 202, 203, 204}));
  EXPECT_EQ(model.connections().size(), 3u);
}

// Scenario: a viewer joins while a backend runs pg_sleep (started at 5000)
// and another waits for table t's lock: before any live event, "now" is
// the hello's time (not zero); the running query counts from its
// query_ts, its stage unknown; the waiting one is waiting; the
// postmaster's line says where it listens. A snapshot
// from an older server without query_ts counts from the process's start,
// marked as not known. The first live event, though older than hello, is
// no anomaly.
TEST(ModelTest, LateSubscriberSeesWhenTheQueryBegan) {
  Model model;
  model.ApplyLine(Line("hello", 9000, 101, R"("version":5,"server":"minipg","wall_us":1700000000000000)"));
  model.ApplyLine(Line("process", 1000, 100, R"J("proc":100,"parent":0,"role":"postmaster","started":1000,"listen":[{"transport":"unix","address":"/tmp/.s.PGSQL.5432","port":5432}])J"));
  model.ApplyLine(Line("process", 2000, 300, R"J("proc":300,"parent":100,"role":"backend","started":2000,"state":"active","query":"SELECT pg_sleep(60)","query_ts":5000)J"));
  model.ApplyLine(Line("process", 2100, 301, R"J("proc":301,"parent":100,"role":"backend","started":2100,"state":"active","query":"INSERT INTO t VALUES (1)","lock":"table t","lock_mode":"exclusive")J"));
  model.ApplyLine(Line("process", 2200, 302, R"J("proc":302,"parent":100,"role":"backend","started":2200,"state":"active","query":"SELECT 1")J"));
  EXPECT_EQ(model.last_ts(), 9000);
  ASSERT_EQ(model.server().listen_sockets.size(), 1u);
  EXPECT_EQ(model.server().listen_sockets[0].address, "/tmp/.s.PGSQL.5432");

  // A hostile snapshot (fields of the wrong types) is read as empty, never thrown on.
  Model odd;
  odd.ApplyLine(Line("process", 1000, 100, R"J("proc":100,"parent":0,"role":"postmaster","started":1000,"listen":[{"transport":5,"address":[],"port":"x"},7],"query_ts":"soon","lock":3)J"));
  ASSERT_EQ(odd.server().listen_sockets.size(), 1u);
  EXPECT_EQ(odd.server().listen_sockets[0].transport, "");
  EXPECT_EQ(odd.server().listen_sockets[0].port, 0);
  const Process* sleeper = model.FindProcess(300);
  ASSERT_NE(sleeper, nullptr);
  EXPECT_EQ(sleeper->query.start_ts, 5000);
  EXPECT_TRUE(sleeper->query.start_known);
  EXPECT_TRUE(sleeper->query.joined_late);
  EXPECT_FALSE(sleeper->query.LastStep().has_value());
  EXPECT_EQ(model.FindProcess(301)->waiting_for, "table t (exclusive)");
  EXPECT_EQ(model.FindProcess(302)->query.start_ts, 2200);
  EXPECT_FALSE(model.FindProcess(302)->query.start_known);
  model.ApplyLine(Line("state", 8990, 302, R"("state":"idle")"));
  EXPECT_EQ(model.last_ts(), 8990);
  EXPECT_EQ(model.anomaly_count(), 0u) << model.anomalies().front().message;
}

// Scenario: a viewer that connects late gets hello and one "process" line per
// live process; it must rebuild the tree from those and then follow on. Each
// process line is stamped with the process's fork time (older than hello):
// not an anomaly, and relative times count from the oldest.
TEST(ModelTest, LateSubscriberSnapshot) {
  Model model;
  LoadTrace(model, "snapshot.jsonl");
  EXPECT_EQ(model.anomaly_count(), 0u) << model.anomalies().front().message;
  EXPECT_EQ(model.first_ts(), 1000000);
  EXPECT_EQ(model.postmaster_pid(), 100);
  ASSERT_EQ(model.processes().size(), 4u);

  const Process* alice = model.FindProcess(300);
  ASSERT_NE(alice, nullptr);
  EXPECT_TRUE(alice->from_snapshot);
  EXPECT_EQ(alice->parent_pid, 100);
  EXPECT_EQ(alice->started_ts, 4000000);
  EXPECT_EQ(alice->user, "alice");
  EXPECT_EQ(alice->client, "127.0.0.1:40001");
  EXPECT_EQ(alice->state, SessionState::kIdle);  // changed after the snapshot
  EXPECT_EQ(alice->last_tag, "SELECT 1");

  const Process* bob = model.FindProcess(301);
  ASSERT_NE(bob, nullptr);
  EXPECT_TRUE(bob->exited);
  EXPECT_EQ(model.FindProcess(101)->role, ProcessRole::kCollector);
  // Events after the snapshot are checked for order again.
  model.ApplyLine(Line("state", 4000000, 300, R"("state":"active")"));
  EXPECT_EQ(model.AnomalyCount(AnomalyKind::kTimeBackwards), 1u);
}

// Scenario: a newer collector's snapshot also carries each backend's last
// query and the postmaster's port, max_connections and data directory. A
// viewer that joined late shows the server's settings and the query an active
// backend is running; an idle backend's query is only its last one; a query
// that finishes after the snapshot is no longer current.
TEST(ModelTest, LateSubscriberSnapshotFields) {
  Model model;
  LoadTrace(model, "snapshot_fields.jsonl");
  EXPECT_EQ(model.anomaly_count(), 0u) << model.anomalies().front().message;
  EXPECT_EQ(model.postmaster_pid(), 100);
  EXPECT_EQ(model.server().port, 7643);
  EXPECT_EQ(model.server().max_connections, 100);
  EXPECT_EQ(model.server().data_directory, "/tmp/vz/d");
  EXPECT_EQ(model.server().event_port, 0);  // not in the snapshot

  const Process* alice = model.FindProcess(300);
  ASSERT_NE(alice, nullptr);
  EXPECT_EQ(alice->state, SessionState::kActive);
  EXPECT_EQ(alice->current_query, "select pg_sleep(60)");
  EXPECT_EQ(alice->last_query, "select pg_sleep(60)");
  EXPECT_EQ(alice->stage, "");  // the snapshot does not say which stage

  const Process* bob = model.FindProcess(301);
  ASSERT_NE(bob, nullptr);
  EXPECT_EQ(bob->state, SessionState::kIdle);
  EXPECT_EQ(bob->current_query, "");
  EXPECT_EQ(bob->last_query, "select count(*) from items");

  const Process* carol = model.FindProcess(302);  // no query yet
  ASSERT_NE(carol, nullptr);
  EXPECT_EQ(carol->current_query, "");
  EXPECT_EQ(carol->last_query, "");

  const Process* dave = model.FindProcess(303);  // active in the snapshot, then done
  ASSERT_NE(dave, nullptr);
  EXPECT_EQ(dave->state, SessionState::kIdle);
  EXPECT_EQ(dave->current_query, "");
  EXPECT_EQ(dave->last_query, "select * from items");
  EXPECT_EQ(dave->last_tag, "SELECT 3");
}

// Scenario: an older collector's snapshot has no port or query fields; the
// model leaves them unknown rather than inventing values.
TEST(ModelTest, LateSubscriberSnapshotWithoutFields) {
  Model model;
  LoadTrace(model, "snapshot.jsonl");
  EXPECT_EQ(model.server().port, 0);
  EXPECT_EQ(model.server().max_connections, 0);
  EXPECT_EQ(model.server().data_directory, "");
  EXPECT_EQ(model.FindProcess(300)->last_query, "");
}

// Scenario: the postmaster reports the exit of a pid it never forked. The
// model records it and goes on; no process appears from nowhere.
TEST(ModelTest, ExitForPidNeverForked) {
  Model model;
  model.ApplyLine(Line("postmaster_start", 10, 100, R"("port":5432)"));
  model.ApplyLine(Line("child_exit", 20, 100, R"("child":4242,"role":"backend","exit_code":0)"));
  EXPECT_TRUE(model.HasAnomaly(AnomalyKind::kExitForUnknownPid));
  EXPECT_EQ(model.FindProcess(4242), nullptr);
  ASSERT_EQ(model.anomalies().size(), 1u);
  EXPECT_NE(model.anomalies().front().message.find("4242"), std::string::npos);
  EXPECT_EQ(model.anomalies().front().line_no, 2u);
  // The stream goes on working afterwards.
  model.ApplyLine(Line("fork", 30, 100, R"("child":200,"role":"backend","conn":1)"));
  EXPECT_NE(model.FindProcess(200), nullptr);
}

// Scenario: events arrive with a timestamp earlier than the one before.
TEST(ModelTest, TimeGoingBackwards) {
  Model model;
  model.ApplyLine(Line("postmaster_start", 1000, 100));
  model.ApplyLine(Line("listen", 900, 100, R"("transport":"tcp","address":"127.0.0.1","port":5432)"));
  model.ApplyLine(Line("listen", 1100, 100, R"("transport":"unix","address":"/tmp/s","port":5432)"));
  EXPECT_EQ(model.AnomalyCount(AnomalyKind::kTimeBackwards), 1u);
  EXPECT_NE(model.anomalies().front().message.find("100 us earlier"), std::string::npos);
  EXPECT_EQ(model.last_ts(), 1100);
  EXPECT_EQ(model.server().listen_sockets.size(), 2u);  // both still applied
}

// Scenario: a trace file whose last line was cut off mid-write (the server was
// killed). Everything before it is applied; the last line is an anomaly.
TEST(ModelTest, TruncatedLastLine) {
  Model model;
  LoadTrace(model, "truncated.jsonl");
  EXPECT_EQ(model.lines_seen(), 4u);
  EXPECT_EQ(model.events_seen(), 3u);
  EXPECT_EQ(model.AnomalyCount(AnomalyKind::kMalformedLine), 1u);
  EXPECT_EQ(model.anomalies().back().line_no, 4u);
  const Process* backend = model.FindProcess(200);
  ASSERT_NE(backend, nullptr);
  EXPECT_EQ(backend->state, SessionState::kStarting);  // from the fork, not the cut line
}

// Scenario: lines that are not events at all. Each is one anomaly; blank lines
// are not; nothing crashes.
TEST(ModelTest, MalformedLines) {
  Model model;
  const std::vector<std::string> bad = {
      "not json at all",
      "[1,2,3]",
      R"({"type":"fork","pid":100})",                  // no ts
      R"({"type":"fork","ts":"soon","pid":100})",      // ts not an integer
      R"({"ts":5,"pid":100})",                         // no type
      R"({"type":42,"ts":5,"pid":100})",               // type not a string
      R"({"type":"fork","ts":5})",                     // no pid
      "{\"type\":\"fork\",\"ts\":5,\"pid\":100,\"child\":",  // cut off
      std::string(kMaxLineBytes + 1, 'x'),                    // too long
  };
  for (const auto& line : bad) model.ApplyLine(line);
  model.ApplyLine("");
  model.ApplyLine("   \r");
  EXPECT_EQ(model.AnomalyCount(AnomalyKind::kMalformedLine), bad.size());
  EXPECT_EQ(model.anomaly_count(), bad.size());
  EXPECT_EQ(model.events_seen(), 0u);
  EXPECT_EQ(model.lines_seen(), bad.size() + 2);
  EXPECT_TRUE(model.processes().empty());
}

// Scenario: a line nested deeper than trace::kMaxEventJsonDepth is refused as
// it is parsed (the viz_trace fuzz target's regression: a million nested '[' in a
// field parsed fine, then overflowed the stack when the playback copied the
// model). Brackets inside strings do not count.
TEST(ModelTest, DeeplyNestedLineIsRefused) {
  auto nested = [](size_t depth) {
    return R"({"type":"caption","ts":5,"pid":1,"text":"x","x":)" + std::string(depth - 1, '[') +
           std::string(depth - 1, ']') + "}";
  };
  EXPECT_TRUE(ParseEvent(nested(trace::kMaxEventJsonDepth)).event) << "the deepest allowed";
  ParseResult deep = ParseEvent(nested(trace::kMaxEventJsonDepth + 1));
  EXPECT_FALSE(deep.event);
  EXPECT_NE(deep.error.find("nested deeper than 64 levels"), std::string::npos) << deep.error;
  EXPECT_TRUE(ParseEvent(R"({"type":"caption","ts":5,"pid":1,"text":")" + std::string(1000, '[') +
                         R"(\"{"})")
                  .event);
  Model model;
  model.ApplyLine(nested(500000));
  Model copy = model;  // what a playback checkpoint does
  EXPECT_EQ(copy.AnomalyCount(AnomalyKind::kMalformedLine), 1u);
}

// Scenario: a newer server sends a type this viewer does not know. It is
// logged and recorded, and later known events still work.
TEST(ModelTest, UnknownEventType) {
  Model model;
  model.ApplyLine(Line("postmaster_start", 10, 100));
  model.ApplyLine(Line("autovacuum_start", 20, 100, R"("table":"t")"));
  EXPECT_EQ(model.AnomalyCount(AnomalyKind::kUnknownEventType), 1u);
  EXPECT_EQ(model.EventsOfType(kUnknownTypeSlot), 1u);
  EXPECT_EQ(model.log().back().type_name, "autovacuum_start");
  EXPECT_EQ(model.log().back().type_slot, kUnknownTypeSlot);
  model.ApplyLine(Line("fork", 30, 100, R"("child":200,"role":"backend")"));
  EXPECT_NE(model.FindProcess(200), nullptr);
}

// Scenario: a process keeps emitting after the postmaster reaped it.
TEST(ModelTest, EventAfterExit) {
  Model model;
  model.ApplyLine(Line("postmaster_start", 10, 100));
  model.ApplyLine(Line("fork", 20, 100, R"("child":200,"role":"backend")"));
  model.ApplyLine(Line("child_exit", 30, 100, R"("child":200,"exit_code":1)"));
  model.ApplyLine(Line("state", 40, 200, R"("state":"idle")"));
  model.ApplyLine(Line("child_exit", 50, 100, R"("child":200,"exit_code":0)"));
  EXPECT_EQ(model.AnomalyCount(AnomalyKind::kEventAfterExit), 2u);
  const Process* p = model.FindProcess(200);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->state, SessionState::kStarting);  // the late state was not applied
  EXPECT_FALSE(p->crashed);  // exit code 1: a backend's normal end after a FATAL, as PostgreSQL sees it
  EXPECT_EQ(p->exit_code, 1);
  // Any other code, or a signal, is abnormal; so is exit code 1 from an auxiliary process.
  model.ApplyLine(Line("fork", 60, 100, R"("child":201,"role":"backend")"));
  model.ApplyLine(Line("child_exit", 70, 100, R"("child":201,"exit_code":2)"));
  EXPECT_TRUE(model.FindProcess(201)->crashed);
  model.ApplyLine(Line("fork", 80, 100, R"("child":202,"role":"checkpointer")"));
  model.ApplyLine(Line("child_exit", 90, 100, R"("child":202,"exit_code":1)"));
  EXPECT_TRUE(model.FindProcess(202)->crashed);
  // A dead-end child (it refused a connection: 53300, 57P03) ends with 1 too.
  model.ApplyLine(Line("fork", 100, 100, R"("child":203,"role":"dead-end")"));
  model.ApplyLine(Line("child_exit", 110, 100, R"("child":203,"role":"dead-end","exit_code":1)"));
  EXPECT_FALSE(model.FindProcess(203)->crashed);
}

// Scenario: events from a pid nobody forked still show up (as a placeholder
// process under the postmaster) and are recorded as an anomaly once.
TEST(ModelTest, EventFromUnknownPid) {
  Model model;
  model.ApplyLine(Line("postmaster_start", 10, 100));
  model.ApplyLine(Line("state", 20, 777, R"("state":"active")"));
  model.ApplyLine(Line("state", 30, 777, R"("state":"idle")"));
  EXPECT_EQ(model.AnomalyCount(AnomalyKind::kEventFromUnknownPid), 1u);
  const Process* p = model.FindProcess(777);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->role, ProcessRole::kBackend);
  EXPECT_EQ(p->parent_pid, 100);
  EXPECT_EQ(p->state, SessionState::kIdle);
}

// Scenario: the kernel reuses a pid: a fork of a pid that exited earlier is a
// new process, while a fork of a pid still alive is impossible.
TEST(ModelTest, PidReuseAndDuplicateFork) {
  Model model;
  model.ApplyLine(Line("postmaster_start", 10, 100));
  model.ApplyLine(Line("fork", 20, 100, R"("child":200,"role":"backend")"));
  model.ApplyLine(Line("child_exit", 30, 100, R"("child":200,"exit_code":0)"));
  model.ApplyLine(Line("fork", 40, 100, R"("child":200,"role":"backend")"));
  EXPECT_EQ(model.anomaly_count(), 0u);
  EXPECT_EQ(model.processes().size(), 3u);
  EXPECT_FALSE(model.FindProcess(200)->exited);
  model.ApplyLine(Line("fork", 50, 100, R"("child":200,"role":"backend")"));
  EXPECT_EQ(model.AnomalyCount(AnomalyKind::kDuplicateFork), 1u);
}

// Scenario: hello announces a newer schema: a warning, and the stream is read on.
TEST(ModelTest, NewerSchemaVersion) {
  Model model;
  const int64_t newer = trace::kEventSchemaVersion + 1;
  model.ApplyLine(Line("hello", 10, 101, fmt::format(R"("version":{},"server":"minipg")", newer)));
  model.ApplyLine(Line("postmaster_start", 20, 100, R"("port":6000)"));
  EXPECT_EQ(model.AnomalyCount(AnomalyKind::kNewerSchema), 1u);
  EXPECT_EQ(model.server().schema_version, newer);
  EXPECT_EQ(model.server().port, 6000);
}

// Scenario: the server dropped events; the counts are summed and shown.
TEST(ModelTest, DroppedEvents) {
  Model model;
  model.ApplyLine(Line("dropped", 10, 200, R"("count":5)"));
  model.ApplyLine(Line("dropped", 20, 201, R"("count":7)"));
  EXPECT_EQ(model.server_dropped_events(), 12u);
  EXPECT_EQ(model.AnomalyCount(AnomalyKind::kDroppedEvents), 2u);
}

// Scenario: a documented field is missing (fork without child): recorded, no
// process is invented.
TEST(ModelTest, MissingField) {
  Model model;
  model.ApplyLine(Line("postmaster_start", 10, 100));
  model.ApplyLine(Line("fork", 20, 100, R"("role":"backend")"));
  EXPECT_EQ(model.AnomalyCount(AnomalyKind::kBadField), 1u);
  EXPECT_EQ(model.processes().size(), 1u);
}

// Scenario: the log keeps only the newest N entries and counts the rest;
// anomalies too are bounded but all counted.
// The title ps would show, as the engine sets it (checked against `ps` of
// a real minipg): the postmaster's, a backend's before its startup packet,
// idle, and running a query (its first word, upper-cased).
TEST(ModelTest, ProcessTitleIsWhatPsShows) {
  Model model;
  model.ApplyLine(Line("postmaster_start", 100, 10, R"("port":5432,"max_connections":5)"));
  model.ApplyLine(Line("accept", 105, 10, R"("conn":1,"transport":"tcp","client":"127.0.0.1:40000")"));
  model.ApplyLine(Line("fork", 110, 10, R"("child":20,"role":"backend","conn":1,"client":"127.0.0.1:40000")"));
  EXPECT_EQ(ProcessTitle(*model.FindProcess(10)), "minipg: postmaster");
  EXPECT_EQ(ProcessTitle(*model.FindProcess(20)), "minipg: 127.0.0.1(40000) starting");
  model.ApplyLine(Line("startup", 120, 20, R"("user":"alice","database":"shop","application_name":"psql")"));
  model.ApplyLine(Line("state", 130, 20, R"("state":"idle")"));
  EXPECT_EQ(ProcessTitle(*model.FindProcess(20)), "minipg: alice shop 127.0.0.1(40000) idle");
  model.ApplyLine(Line("state", 140, 20, R"("state":"active")"));
  model.ApplyLine(Line("query_start", 141, 20, R"("text":"  select * from t;")"));
  EXPECT_EQ(ProcessTitle(*model.FindProcess(20)), "minipg: alice shop 127.0.0.1(40000) SELECT");
}

// Scenario: minipg-sim's clients say which backend serves them
// (client_connected): the Clients view names alice's and bob's backends
// after them; the cancel connection (no client_connected) has no name; a
// client_connected for a pid never forked, or one long gone, names nothing.
TEST(ModelTest, SimulatedClientsNameTheirBackends) {
  Model model;
  LoadTrace(model, "export_session.jsonl");
  ASSERT_NE(model.FindProcess(200), nullptr);
  EXPECT_EQ(model.FindProcess(200)->client_name, "alice");
  EXPECT_EQ(model.FindProcess(201)->client_name, "bob");
  EXPECT_EQ(model.FindProcess(202)->client_name, "");
  EXPECT_EQ(model.FindProcess(202)->transport, "unix");

  size_t anomalies = model.anomaly_count();
  model.ApplyLine(Line("client_connected", 9000, 50, R"("client":"carol","backend_pid":4242)"));
  model.ApplyLine(Line("client_connected", 9001, 50, R"("client":"carol","backend_pid":202)"));
  EXPECT_EQ(model.FindProcess(4242), nullptr);
  EXPECT_EQ(model.FindProcess(202)->client_name, "") << "an exited backend was renamed";
  EXPECT_EQ(model.anomaly_count(), anomalies);
}

// The log's text is made from the line when first read; an event applied
// without a line (already parsed) is formatted at once. Both read the same.
TEST(ModelTest, EventLogTextFromTheLineMatchesTheParsedEvent) {
  std::string line = Line("query_start", 100, 20, R"("text":"SELECT 1;\nSELECT 2","conn":7,"ok":true)");
  Model from_line;
  from_line.ApplyLine(line);
  Model from_event;
  ParseResult parsed = ParseLine(line);
  ASSERT_TRUE(parsed.event.has_value());
  from_event.Apply(*parsed.event);
  ASSERT_EQ(from_line.log().size(), 1u);
  ASSERT_EQ(from_event.log().size(), 1u);
  EXPECT_EQ(from_line.log().back().text(), R"(text="SELECT 1; SELECT 2" conn=7 ok=true)");
  EXPECT_EQ(from_line.log().back().text(), from_event.log().back().text());
  Model copy = from_line;  // a checkpoint copies entries not yet formatted
  EXPECT_EQ(copy.log().back().text(), from_line.log().back().text());
}

TEST(ModelTest, EventLogIsBounded) {
  ModelOptions options;
  options.log_capacity = 5;
  options.max_anomalies = 3;
  Model model(options);
  for (int i = 0; i < 12; ++i) {
    model.ApplyLine(Line("dropped", 100 + i, 100, fmt::format(R"("count":{})", i)));
  }
  ASSERT_EQ(model.log().size(), 5u);
  EXPECT_EQ(model.log_discarded(), 7u);
  EXPECT_EQ(model.log().front().seq, 8u);
  EXPECT_EQ(model.log().back().seq, 12u);
  EXPECT_EQ(model.log().back().text(), "count=11");
  EXPECT_EQ(model.events_seen(), 12u);
  EXPECT_EQ(model.anomalies().size(), 3u);
  EXPECT_EQ(model.anomaly_count(), 12u);
}

// Scenario: a long run forks many short-lived backends; only the newest
// exited ones are kept, live ones and the postmaster always.
TEST(ModelTest, ExitedProcessesAreBounded) {
  ModelOptions options;
  options.max_exited_processes = 4;
  Model model(options);
  model.ApplyLine(Line("postmaster_start", 1, 100));
  int64_t ts = 10;
  for (int64_t pid = 1000; pid < 1050; ++pid) {
    model.ApplyLine(Line("fork", ts++, 100, fmt::format(R"("child":{},"role":"backend")", pid)));
    model.ApplyLine(Line("child_exit", ts++, 100, fmt::format(R"("child":{},"exit_code":0)", pid)));
  }
  model.ApplyLine(Line("fork", ts++, 100, R"("child":2000,"role":"backend")"));
  EXPECT_EQ(model.processes().size(), 1u + 4u + 1u);
  EXPECT_EQ(model.FindProcess(1000), nullptr);
  EXPECT_NE(model.FindProcess(1049), nullptr);
  EXPECT_EQ(model.FindProcess(2000)->pid, 2000);
  EXPECT_EQ(model.processes().front().pid, 100);
  EXPECT_EQ(model.anomaly_count(), 0u);
}

// Scenario: an unknown session state value is shown as sent and recorded.
TEST(ModelTest, UnknownStateValue) {
  Model model;
  model.ApplyLine(Line("postmaster_start", 10, 100));
  model.ApplyLine(Line("fork", 20, 100, R"("child":200,"role":"backend")"));
  model.ApplyLine(Line("state", 30, 200, R"("state":"fastpath function call")"));
  EXPECT_EQ(model.AnomalyCount(AnomalyKind::kUnknownValue), 1u);
  EXPECT_EQ(model.FindProcess(200)->state, SessionState::kUnknown);
  EXPECT_EQ(model.FindProcess(200)->state_text, "fastpath function call");
}

// Scenario: the postmaster exits with a failure code: it is shown as crashed.
TEST(ModelTest, PostmasterExit) {
  Model model;
  model.ApplyLine(Line("postmaster_start", 10, 100));
  model.ApplyLine(Line("shutdown_request", 20, 100, R"("mode":"immediate")"));
  model.ApplyLine(Line("postmaster_exit", 30, 100, R"("exit_code":2)"));
  EXPECT_EQ(model.server().shutdown_mode, "immediate");
  EXPECT_EQ(model.server().postmaster_exit_code, 2);
  EXPECT_TRUE(model.FindProcess(100)->exited);
  EXPECT_TRUE(model.FindProcess(100)->crashed);
}

// Scenario: the event collector leaves after its postmaster without an
// event of its own; when the postmaster exits, the collector is shown gone.
TEST(ModelTest, CollectorStopsWithItsPostmaster) {
  Model model;
  model.ApplyLine(Line("postmaster_start", 10, 100));
  model.ApplyLine(Line("fork", 11, 100, R"("child":101,"role":"collector")"));
  model.ApplyLine(Line("shutdown_request", 20, 100, R"("mode":"fast")"));
  model.ApplyLine(Line("postmaster_exit", 30, 100, R"("exit_code":0)"));
  ASSERT_NE(model.FindProcess(101), nullptr);
  EXPECT_TRUE(model.FindProcess(101)->exited);
  EXPECT_FALSE(model.FindProcess(101)->crashed);
  EXPECT_EQ(model.FindProcess(101)->exit_status, "stopped with its postmaster");
  EXPECT_EQ(model.LiveProcessCount(), 0u);
}

// Scenario: the server is restarted while the viewer was not told about the
// old one's end (its last events were lost, or it was killed): the new
// postmaster's start retires the old postmaster and all its children, from
// the stream's postmaster_start or from a late subscriber's snapshot.
TEST(ModelTest, NewPostmasterRetiresTheOldServer) {
  for (bool snapshot : {false, true}) {
    Model model;
    model.ApplyLine(Line("postmaster_start", 10, 100));
    model.ApplyLine(Line("fork", 11, 100, R"("child":101,"role":"collector")"));
    model.ApplyLine(Line("fork", 12, 100, R"("child":102,"role":"checkpointer")"));
    model.ApplyLine(Line("fork", 13, 100, R"("child":200,"role":"backend","conn":1)"));
    model.ApplyLine(Line("shutdown_request", 14, 100, R"("mode":"immediate")"));
    EXPECT_EQ(model.server().shutdown_mode, "immediate");
    EXPECT_EQ(model.LiveProcessCount(), 4u);
    if (snapshot) {
      model.ApplyLine(Line("process", 50, 300, R"("proc":300,"role":"postmaster","parent":0)"));
    } else {
      model.ApplyLine(Line("postmaster_start", 50, 300));
    }
    for (int64_t pid : {100, 101, 102, 200}) {
      ASSERT_NE(model.FindProcess(pid), nullptr) << pid;
      EXPECT_TRUE(model.FindProcess(pid)->exited) << pid << (snapshot ? " (snapshot)" : "");
    }
    EXPECT_EQ(model.postmaster_pid(), 300);
    EXPECT_EQ(model.LiveProcessCount(), 1u);
    EXPECT_FALSE(model.FindProcess(300)->exited);
    EXPECT_EQ(model.server().shutdown_mode, "") << "the old server's shutdown is not the new one's";
  }
}

// Scenario: minipg-sim restarts its server mid-lesson (the shutdown lesson)
// and announces the lesson again to the new server's stream: the narration
// goes on where it was, its step and its tally kept. Another lesson's
// start begins anew.
TEST(ModelTest, ALessonAnnouncedAgainGoesOn) {
  Model model;
  model.ApplyLine(Line("scenario_start", 110, 77, R"("title":"Shutdown modes","file":"shutdown.scn")"));
  model.ApplyLine(Line("caption", 120, 77, R"("text":"Smart.","step":1,"line":7)"));
  model.ApplyLine(Line("expect", 130, 77, R"("line":9,"text":"expect bob error 57P03","ok":true)"));
  model.ApplyLine(Line("caption", 140, 77, R"("text":"Fast.","step":2,"line":12)"));
  model.ApplyLine(Line("scenario_start", 150, 77, R"("title":"Shutdown modes","file":"shutdown.scn")"));
  EXPECT_EQ(model.narration().step, 2);
  EXPECT_EQ(model.narration().expects_ok, 1);
  model.ApplyLine(Line("scenario_start", 160, 78, R"("title":"Hello","file":"hello.scn")"));
  EXPECT_EQ(model.narration().step, 0);
  EXPECT_EQ(model.narration().title, "Hello");
}

}  // namespace
}  // namespace minipg::viz

namespace minipg::viz {
namespace {

// Scenario: minipg-sim's client-side events drive the narration (caption,
// step, expectations) and never become processes or anomalies.
TEST(ModelTest, NarrationFromScenarioEvents) {
  Model model;
  model.ApplyLine(Line("postmaster_start", 100, 10, R"("port":5432,"max_connections":5)"));
  EXPECT_FALSE(model.narration().active);
  model.ApplyLine(Line("scenario_start", 110, 77, R"("title":"Hello","goal":"One client, one backend.","file":"hello.scn")"));
  model.ApplyLine(Line("caption", 120, 77, R"("text":"Alice connects.","step":1,"line":7)"));
  model.ApplyLine(Line("client_connect", 121, 77, R"("client":"alice","transport":"unix")"));
  model.ApplyLine(Line("expect", 130, 77, R"("line":9,"text":"expect alice ok","ok":true)"));
  model.ApplyLine(Line("expect", 131, 77, R"("line":10,"text":"expect backends = 2","ok":false)"));
  model.ApplyLine(Line("caption", 140, 77, R"("text":"She leaves.","step":2,"line":12)"));
  const Narration& n = model.narration();
  EXPECT_TRUE(n.active);
  EXPECT_EQ(n.title, "Hello");
  EXPECT_EQ(n.goal, "One client, one backend.");
  EXPECT_EQ(n.step, 2);
  EXPECT_EQ(n.caption, "She leaves.");
  EXPECT_EQ(n.expects_ok, 1);
  EXPECT_EQ(n.expects_failed, 1);
  EXPECT_EQ(n.last_failure, "line 10: expect backends = 2");
  EXPECT_FALSE(n.passed.has_value());
  model.ApplyLine(Line("scenario_end", 150, 77, R"("passed":false,"failures":1)"));
  ASSERT_TRUE(model.narration().passed.has_value());
  EXPECT_FALSE(*model.narration().passed);
  EXPECT_FALSE(model.narration().stopped);
  EXPECT_EQ(model.FindProcess(77), nullptr);  // the runner is not a server process
  EXPECT_FALSE(model.HasAnomaly(AnomalyKind::kEventFromUnknownPid));

  // A runner that went away mid-lesson: the collector's scenario_end says
  // the lesson stopped, which is not a failure of its expectations.
  model.ApplyLine(Line("scenario_start", 200, 78, R"("title":"Cancel","goal":"A cancel.","file":"cancel.scn")"));
  model.ApplyLine(Line("caption", 210, 78, R"("text":"Bob waits.","step":1,"line":5)"));
  EXPECT_FALSE(model.narration().stopped);
  model.ApplyLine(Line("scenario_end", 220, 78, R"("passed":false,"failures":0,"stopped":true)"));
  EXPECT_TRUE(model.narration().stopped);
}

}  // namespace
}  // namespace minipg::viz
