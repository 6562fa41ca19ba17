/*
 * event_stream_test.cpp
 *   The event stream of a real server, read as a subscriber reads it: for
 *   every connection, accept -> fork -> startup -> query stages -> exit,
 *   in order; a late subscriber first gets the live processes; the trace
 *   file holds the same events.
 */
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <nlohmann/json.hpp>

#include "engine/trace/emitter.h"
#include "engine/trace/event_schema.h"
#include "tests/integration/server_harness.h"

namespace minipg::testing {
namespace {

using nlohmann::json;

class Subscriber {
 public:
  explicit Subscriber(int port) {
    auto fd = client::OpenSocket("127.0.0.1", port, 5000);
    fd_ = fd.ok() ? *fd : -1;
  }
  ~Subscriber() {
    if (fd_ >= 0) close(fd_);
  }
  bool ok() const { return fd_ >= 0; }
  /* Reads events until `pred` holds for one (returned in `seen` too) or the timeout. */
  bool ReadUntil(const std::function<bool(const json&)>& pred, int timeout_ms = 10000) {
    for (int waited = 0; waited < timeout_ms;) {
      size_t nl;
      while ((nl = buf_.find('\n')) != std::string::npos) {
        json ev = json::parse(buf_.substr(0, nl));
        buf_.erase(0, nl + 1);
        seen.push_back(ev);
        if (pred(ev)) return true;
      }
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) {
        waited += 100;
        continue;
      }
      char chunk[8192];
      ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) return false;
      buf_.append(chunk, static_cast<size_t>(n));
    }
    return false;
  }
  std::vector<json> seen;

 private:
  int fd_ = -1;
  std::string buf_;
};

/* Index of the first event in `evs` matching type and predicate, from `from`. */
int Find(const std::vector<json>& evs, const std::string& type, const std::function<bool(const json&)>& pred,
         int from = 0) {
  for (int i = from; i < static_cast<int>(evs.size()); ++i) {
    if (evs[i]["type"] == type && pred(evs[i])) return i;
  }
  return -1;
}

// Scenario: three connections, each seen as accept -> fork -> startup ->
// auth -> query and its stages -> disconnect -> child_exit, in that order.
TEST(EventStreamTest, ConnectionLifecycleInOrder) {
  Server server({"trace_file=trace.jsonl"});
  ASSERT_TRUE(server.Start());
  Subscriber sub(server.event_port());
  ASSERT_TRUE(sub.ok());
  ASSERT_TRUE(sub.ReadUntil([](const json& e) { return e["type"] == "hello"; }));
  EXPECT_EQ(sub.seen[0]["type"], "hello") << "the first line is hello";
  EXPECT_EQ(sub.seen[0]["version"], trace::kEventSchemaVersion);

  std::vector<int> pids;
  for (int i = 0; i < 3; ++i) {
    auto c = server.Connect(i != 1, "events" + std::to_string(i));
    ASSERT_TRUE(c.ok());
    pids.push_back((*c)->backend_pid());
    ASSERT_TRUE((*c)->Query("SELECT 40 + 2")->ok());
    (*c)->Close();
  }
  for (int pid : pids) {
    ASSERT_TRUE(sub.ReadUntil([&](const json& e) { return e["type"] == "child_exit" && e["child"] == pid; }))
        << "no child_exit for " << pid;
  }
  const auto& evs = sub.seen;
  int64_t last_ts = 0;
  for (const auto& e : evs) {
    ASSERT_TRUE(e.contains("type") && e.contains("ts") && e.contains("pid")) << e.dump();
    if (e["type"] == "process" || e["type"] == "hello") continue;
    EXPECT_GE(e["ts"].get<int64_t>(), last_ts) << "events are ordered by ts: " << e.dump();
    last_ts = e["ts"];
  }
  for (int pid : pids) {
    SCOPED_TRACE("backend " + std::to_string(pid));
    int fork = Find(evs, "fork", [&](const json& e) { return e["child"] == pid; });
    ASSERT_GE(fork, 0);
    EXPECT_EQ(evs[fork]["pid"], server.pid());
    EXPECT_EQ(evs[fork]["role"], "backend");
    int accept = Find(evs, "accept", [&](const json& e) { return e["conn"] == evs[fork]["conn"]; });
    ASSERT_GE(accept, 0);
    EXPECT_LT(accept, fork);
    auto mine = [&](const json& e) { return e["pid"] == pid; };
    int startup = Find(evs, "startup", mine, fork);
    int auth = Find(evs, "auth_ok", mine, startup);
    int query = Find(evs, "query_start", mine, auth);
    int parse = Find(evs, "parse", mine, query);
    int analyze = Find(evs, "analyze", mine, parse);
    int plan = Find(evs, "plan", mine, analyze);
    int execute = Find(evs, "execute", mine, plan);
    int done = Find(evs, "query_done", mine, execute);
    int disconnect = Find(evs, "disconnect", mine, done);
    int exit = Find(evs, "child_exit", [&](const json& e) { return e["child"] == pid; }, disconnect);
    EXPECT_GT(startup, fork);
    EXPECT_GT(auth, startup);
    EXPECT_GT(query, auth);
    EXPECT_GT(parse, query);
    EXPECT_GT(analyze, parse);
    EXPECT_GT(plan, analyze);
    EXPECT_GT(execute, plan);
    EXPECT_GT(done, execute);
    EXPECT_GT(disconnect, done);
    EXPECT_GT(exit, disconnect);
    if (query >= 0) {
      EXPECT_EQ(evs[query]["text"], "SELECT 40 + 2");
    }
    if (done >= 0) {
      EXPECT_EQ(evs[done]["tag"], "SELECT 1");
    }
    if (disconnect >= 0) {
      EXPECT_EQ(evs[disconnect]["reason"], "terminate");
    }
    if (exit >= 0) {
      EXPECT_EQ(evs[exit]["exit_code"], 0);
    }
  }
  // The trace file holds the same events.
  server.Stop(SIGINT);
  namespace fs = std::filesystem;
  EXPECT_EQ(fs::status(server.data_dir() / "trace.jsonl").permissions() &
                (fs::perms::group_all | fs::perms::others_all),
            fs::perms::none)
      << "the trace holds query text: owner only";
  std::ifstream in(server.data_dir() / "trace.jsonl");
  std::string line;
  int file_forks = 0;
  while (std::getline(in, line)) {
    json e = json::parse(line);
    if (e["type"] == "fork" && e["role"] == "backend") ++file_forks;
  }
  EXPECT_GE(file_forks, 3);
}

// Scenario: a subscriber that connects while sessions are open gets one
// "process" line per live process before the live stream.
TEST(EventStreamTest, LateSubscriberSnapshot) {
  Server server;
  ASSERT_TRUE(server.Start());
  auto a = server.Connect(true, "early_bird");
  ASSERT_TRUE(a.ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  Subscriber sub(server.event_port());
  ASSERT_TRUE(sub.ok());
  ASSERT_TRUE(sub.ReadUntil([&](const json& e) {
    return e["type"] == "process" && e["proc"] == (*a)->backend_pid();
  }));
  const auto& snap = sub.seen.back();
  EXPECT_EQ(snap["role"], "backend");
  EXPECT_EQ(snap["application_name"], "early_bird");
  EXPECT_EQ(snap["state"], "idle");
  EXPECT_EQ(snap["parent"], server.pid());
  EXPECT_GE(Find(sub.seen, "process", [&](const json& e) { return e["role"] == "postmaster"; }), 0);
}

}  // namespace
}  // namespace minipg::testing

namespace minipg::testing {
namespace {

// Scenario: a client (minipg-sim) sends its own events to the collector on
// event_port; client-side types join the stream for every subscriber, while
// the server's own types, junk, and events stamped far from the collector's
// clock are dropped.
TEST(EventStreamTest, ClientSideEventsJoinTheStream) {
  Server server;
  ASSERT_TRUE(server.Start());
  Subscriber watcher(server.event_port());
  ASSERT_TRUE(watcher.ok());
  auto fd = client::OpenSocket("127.0.0.1", server.event_port(), 5000);
  ASSERT_TRUE(fd.ok());
  auto line = [](const std::string& type, int64_t ts, const std::string& text) {
    return json{{"type", type}, {"ts", ts}, {"pid", 4242}, {"text", text}}.dump() + "\n";
  };
  int64_t now = trace::NowMicros();
  std::string out = line("crash", now, "forged") + "not json\n" +
                    line("caption", now - 3600'000'000LL, "skewed") + line("caption", now, "first") +
                    line("caption", trace::NowMicros(), "last");
  ASSERT_EQ(send(*fd, out.data(), out.size(), MSG_NOSIGNAL), static_cast<ssize_t>(out.size()));
  ASSERT_TRUE(watcher.ReadUntil([](const json& e) { return e["type"] == "caption" && e["text"] == "last"; }));
  EXPECT_GE(Find(watcher.seen, "caption", [](const json& e) { return e["text"] == "first" && e["pid"] == 4242; }),
            0);
  EXPECT_EQ(Find(watcher.seen, "caption", [](const json& e) { return e["text"] == "skewed"; }), -1);
  EXPECT_EQ(Find(watcher.seen, "crash", [](const json&) { return true; }), -1);

  // A viewer that connects mid-lesson first gets the lesson and its current caption.
  int64_t started = trace::NowMicros();
  std::string lesson = json{{"type", "scenario_start"}, {"ts", started}, {"pid", 4242}, {"title", "Hello"}}.dump() +
                       "\n" + line("caption", started + 1, "now");
  ASSERT_EQ(send(*fd, lesson.data(), lesson.size(), MSG_NOSIGNAL), static_cast<ssize_t>(lesson.size()));
  ASSERT_TRUE(watcher.ReadUntil([](const json& e) { return e["type"] == "caption" && e["text"] == "now"; }));
  Subscriber late(server.event_port());
  ASSERT_TRUE(late.ReadUntil([](const json& e) { return e["type"] == "caption"; }))
      << (late.seen.empty() ? std::string("nothing") : late.seen.back().dump()) << " " << late.seen.size();
  EXPECT_EQ(late.seen.back()["text"], "now");
  EXPECT_GE(Find(late.seen, "scenario_start", [](const json& e) { return e["title"] == "Hello"; }), 0);

  // The runner goes away mid-lesson (its connection closes with no
  // scenario_end): the collector ends the lesson for it, and a viewer
  // that connects afterwards is not told a lesson is playing.
  close(*fd);
  ASSERT_TRUE(watcher.ReadUntil([](const json& e) { return e["type"] == "scenario_end"; }));
  const json& end = watcher.seen.back();
  EXPECT_EQ(end["pid"], 4242);
  EXPECT_EQ(end["passed"], false);
  EXPECT_EQ(end["stopped"], true);
  Subscriber after(server.event_port());
  ASSERT_TRUE(after.ReadUntil([](const json& e) { return e["type"] == "hello"; }));
  after.ReadUntil([](const json&) { return false; }, 500);  // what it is sent on joining
  EXPECT_EQ(Find(after.seen, "scenario_start", [](const json&) { return true; }), -1);
  EXPECT_EQ(Find(after.seen, "caption", [](const json&) { return true; }), -1);
}

// Scenario: with event_query_text = off the stream carries no query text
// (query_start, prepare, the parse tree, the plan and its node details are
// left out), a late subscriber's snapshot has no query, while the stages
// still come, and SHOW tells the setting; the event port listens on
// 127.0.0.1 only.
TEST(EventStreamTest, QueryTextCanBeLeftOut) {
  Server server({"event_query_text=off"});
  ASSERT_TRUE(server.Start());
  Subscriber sub(server.event_port());
  ASSERT_TRUE(sub.ok());
  auto c = server.Connect();
  ASSERT_TRUE(c.ok());
  const std::string secret = "s3cr3t-literal";
  ASSERT_TRUE((*c)->Query("SELECT 'x' WHERE '" + secret + "' = 'y'")->ok());
  EXPECT_EQ((*c)->Query("SHOW event_query_text")->Scalar(), "off");
  ASSERT_TRUE(sub.ReadUntil([&](const json& e) {
    return e["type"] == "query_done" && e["pid"] == (*c)->backend_pid() && e["tag"] == "SHOW";
  }));
  Subscriber late(server.event_port());
  ASSERT_TRUE(late.ReadUntil([&](const json& e) {
    return e["type"] == "process" && e["proc"] == (*c)->backend_pid();
  }));
  EXPECT_FALSE(late.seen.back().contains("query"));
  int stages = 0;
  for (const json& e : sub.seen) {
    EXPECT_EQ(e.dump().find(secret), std::string::npos) << e.dump();
    if (e["pid"] != (*c)->backend_pid()) continue;
    if (e["type"] == "query_start") {
      EXPECT_FALSE(e.contains("text"));
    }
    if (e["type"] == "parse") {
      EXPECT_FALSE(e.contains("tree"));
    }
    if (e["type"] == "plan") {
      EXPECT_FALSE(e.contains("plan"));
      for (const json& n : e["nodes"]) EXPECT_FALSE(n.contains("detail"));
    }
    if (e["type"] == "parse" || e["type"] == "plan" || e["type"] == "execute") ++stages;
  }
  EXPECT_EQ(stages, 6) << "parse, plan and execute of both queries still come";

  // The event port is bound to the loopback address only.
  auto elsewhere = RunCommand("ss -Htln 'sport = :" + std::to_string(server.event_port()) + "'");
  if (elsewhere.status == 0 && !elsewhere.out.empty()) {
    EXPECT_NE(elsewhere.out.find("127.0.0.1:" + std::to_string(server.event_port())), std::string::npos)
        << elsewhere.out;
  }
}

// Scenario: trace_events = off (for measuring what events cost): a
// subscriber gets the hello, saying so, and then no event of any process,
// through connections, queries, an error and a disconnect; the server
// itself works as ever.
TEST(EventStreamTest, TraceEventsOffSendsNothingButTheHello) {
  Server server({"trace_events=off"});
  ASSERT_TRUE(server.Start());
  Subscriber sub(server.event_port());
  ASSERT_TRUE(sub.ok());
  ASSERT_TRUE(sub.ReadUntil([](const json& e) { return e["type"] == "hello"; }));
  EXPECT_EQ(sub.seen.back()["trace_events"], false);
  {
    auto c = server.Connect();
    ASSERT_TRUE(c.ok());
    EXPECT_EQ((*c)->Query("SHOW trace_events")->Scalar(), "off");
    EXPECT_EQ((*c)->Query("CREATE TABLE t (a int); INSERT INTO t VALUES (1); SELECT count(*) FROM t")->Scalar(), "1");
    EXPECT_TRUE((*c)->Query("SELECT 1/0")->error.has_value());
  }
  // Nothing but the collector's own snapshots of the processes.
  EXPECT_FALSE(sub.ReadUntil([](const json& e) { return e["type"] != "process"; }, 1500))
      << sub.seen.back().dump();

  Server on;  // the default: on
  ASSERT_TRUE(on.Start());
  Subscriber sub_on(on.event_port());
  ASSERT_TRUE(sub_on.ReadUntil([](const json& e) { return e["type"] == "hello"; }));
  EXPECT_EQ(sub_on.seen.back()["trace_events"], true);
}

// Scenario: a backend stepped from another session sends step_pause at
// each stop and step_resume when it goes on (docs/stepping.md).
TEST(EventStreamTest, StepPauseAndResume) {
  Server server;
  ASSERT_TRUE(server.Start());
  auto c = server.Connect();
  auto admin = server.Connect();
  ASSERT_TRUE(c.ok() && admin.ok());
  Subscriber sub(server.event_port());
  ASSERT_TRUE(sub.ok());
  std::string pid = std::to_string((*c)->backend_pid());
  ASSERT_EQ((*admin)->Query("SELECT minipg_step_attach(" + pid + ", 'row')")->Scalar(), "t");
  auto runner = std::async(std::launch::async, [&] { return (*c)->Query("SELECT x FROM (VALUES (41), (42)) v(x)"); });
  ASSERT_TRUE(sub.ReadUntil([&](const json& e) { return e["type"] == "step_pause" && e["point"] == "parse"; }));
  std::string stop;
  for (int i = 0; i < 20 && stop.find("(42)") == std::string::npos; ++i) {
    stop = (*admin)->Query("SELECT minipg_step_next(" + pid + ")")->Scalar().value_or("");
  }
  ASSERT_TRUE(sub.ReadUntil([&](const json& e) { return e["type"] == "step_pause" && e["detail"] == "(42)"; }));
  const json& pause = sub.seen.back();
  EXPECT_EQ(pause["pid"], (*c)->backend_pid());
  EXPECT_EQ(pause["point"], "row");
  EXPECT_EQ(pause["node"], "Values Scan on \"*VALUES*\"");
  EXPECT_EQ(pause["node_id"], 0);
  EXPECT_EQ(pause["rows"], 2);
  // The live plan at that stop, as minipg_query_state reads it.
  ASSERT_TRUE(pause.contains("nodes") && pause["nodes"].is_array()) << pause.dump();
  ASSERT_EQ(pause["nodes"].size(), 1u) << pause.dump();
  EXPECT_EQ(pause["nodes"][0]["id"], 0);
  EXPECT_EQ(pause["nodes"][0]["rows"], 2);
  EXPECT_EQ(pause["nodes"][0]["loops"], 1);
  EXPECT_EQ(pause["nodes"][0]["state"], "returned row");
  ASSERT_EQ((*admin)->Query("SELECT minipg_step_detach(" + pid + ")")->Scalar(), "t");
  ASSERT_TRUE(sub.ReadUntil([&](const json& e) { return e["type"] == "step_resume" && e["detail"] == "(42)"; }));
  EXPECT_TRUE(sub.seen.back().contains("paused_us"));
  auto r = runner.get();
  ASSERT_TRUE(r.ok() && r->ok());
}

}  // namespace
}  // namespace minipg::testing
