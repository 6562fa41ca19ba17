/*
 * step_test.cpp
 *   Live stepping (docs/stepping.md) through real connections: a session
 *   `c` runs a query while a session `admin` attaches to its backend and
 *   steps it with minipg_step_next. Every kind of step point; every way a
 *   paused backend must still end (cancel, terminate, statement_timeout,
 *   fast and immediate shutdown, the crash cycle, its client going away);
 *   minipg_query_state while a long query runs; minipg.step_delay.
 */
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/server_harness.h"

namespace minipg::testing {
namespace {

using Clock = std::chrono::steady_clock;

bool WaitUntil(const std::function<bool()>& pred, int timeout_ms = 20000) {
  for (auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms); Clock::now() < deadline;) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return pred();
}

double SecondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

std::string Value(client::Connection& c, const std::string& sql) {
  auto r = c.Query(sql);
  if (!r.ok()) return "<transport: " + r.error().message + ">";
  if (r->error) return "<error " + r->error->sqlstate + ": " + r->error->message + ">";
  return r->Scalar().value_or("");
}

class StepTest : public ::testing::Test {
 public:
  void SetUp() override {
    ASSERT_TRUE(server_.Start());
    auto c = server_.Connect();
    auto admin = server_.Connect();
    ASSERT_TRUE(c.ok() && admin.ok());
    c_ = std::move(*c);
    admin_ = std::move(*admin);
    ASSERT_TRUE(admin_->Query("CREATE TABLE t (a int, b text)")->ok());
    ASSERT_TRUE(admin_->Query("INSERT INTO t VALUES (1, 'x'), (2, 'y'), (3, 'z')")->ok());
  }
  void TearDown() override {
    if (runner_.valid()) {
      if (admin_) admin_->Query("SELECT minipg_step_detach(" + Pid() + ")");
      runner_.wait();
    }
  }
  std::string Pid() const { return std::to_string(pid_ != 0 ? pid_ : c_->backend_pid()); }

  /* Attaches to c's backend and starts `sql` on c in the background. */
  void StartStepped(const std::string& sql, const std::string& granularity = "row") {
    pid_ = c_->backend_pid();
    ASSERT_EQ(Value(*admin_, "SELECT minipg_step_attach(" + Pid() + ", '" + granularity + "')"), "t");
    runner_ = std::async(std::launch::async, [this, sql] { return c_->Query(sql); });
    ASSERT_TRUE(WaitPaused()) << "the backend never stopped";
  }
  bool WaitPaused() {
    return WaitUntil([&] { return Value(*admin_, "SELECT paused FROM minipg_step_state WHERE pid = " + Pid()) == "t"; });
  }
  std::string Next(int n = 1) { return Value(*admin_, "SELECT minipg_step_next(" + Pid() + ", " + std::to_string(n) + ")"); }
  /* Steps until the query ends; every stop (the first is where it stands now). */
  std::vector<std::string> StepToEnd(int limit = 500) {
    std::vector<std::string> stops;
    std::string where = Value(*admin_, "SELECT stage || coalesce(': ' || detail, '') FROM minipg_step_state WHERE pid = " + Pid());
    stops.push_back(where);
    for (int i = 0; i < limit; ++i) {
      std::string s = Next();
      stops.push_back(s);
      if (s.starts_with("query ended") || s.starts_with("<") || s == "backend exited") break;
    }
    return stops;
  }
  static bool Has(const std::vector<std::string>& stops, const std::string& prefix) {
    for (const std::string& s : stops) {
      if (s.starts_with(prefix)) return true;
    }
    return false;
  }
  static std::string Join(const std::vector<std::string>& stops) {
    std::string out;
    for (const std::string& s : stops) out += s + "\n";
    return out;
  }
  Result<client::QueryResult> Finish() {
    auto r = runner_.get();
    return r;
  }

  Server server_;
  std::unique_ptr<client::Connection> c_;
  std::unique_ptr<client::Connection> admin_;
  std::future<Result<client::QueryResult>> runner_;
  int pid_ = 0;
};

// Stage granularity: parse, analyze, rewrite, plan, executor start, the
// commit before and after its WAL flush; pg_stat_activity says IPC / MinipgStep.
TEST_F(StepTest, StagesAndCommit) {
  StartStepped("INSERT INTO t VALUES (4, 'w')", "stage");
  EXPECT_EQ(Value(*admin_, "SELECT stage FROM minipg_step_state WHERE pid = " + Pid()), "parse");
  EXPECT_EQ(Value(*admin_, "SELECT wait_event_type || '/' || wait_event FROM pg_stat_activity WHERE pid = " + Pid()),
            "IPC/MinipgStep");
  auto stops = StepToEnd();
  std::string all = Join(stops);
  EXPECT_TRUE(stops[0].starts_with("parse: INSERT INTO t")) << all;
  EXPECT_TRUE(Has(stops, "analyze: INSERT")) << all;
  EXPECT_TRUE(Has(stops, "rewrite")) << all;
  EXPECT_TRUE(Has(stops, "plan: INSERT on t")) << all;
  EXPECT_TRUE(Has(stops, "executor start: Insert on t")) << all;
  EXPECT_TRUE(Has(stops, "commit: xid ")) << all;
  EXPECT_TRUE(Has(stops, "committed: commit record up to ")) << all;
  EXPECT_TRUE(stops.back().starts_with("query ended: idle")) << all;
  EXPECT_FALSE(Has(stops, "row")) << "stage granularity stops at no row\n" << all;
  auto r = Finish();
  ASSERT_TRUE(r.ok() && r->ok());
  EXPECT_EQ(Value(*admin_, "SELECT count(*) FROM t"), "4");
}

// Row granularity: each row each node returns, with its values, and each
// node's end.
TEST_F(StepTest, RowsWithTheirValues) {
  StartStepped("SELECT a, b FROM t WHERE a >= 2");
  auto stops = StepToEnd();
  std::string all = Join(stops);
  EXPECT_TRUE(Has(stops, "first row: Seq Scan on t [node 0], rows 1 | (2,y)")) << all;
  EXPECT_TRUE(Has(stops, "row: Seq Scan on t [node 0], rows 2 | (3,z)")) << all;
  EXPECT_TRUE(Has(stops, "node end: Seq Scan on t [node 0], rows 2")) << all;
  auto r = Finish();
  ASSERT_TRUE(r.ok() && r->ok());
  EXPECT_EQ(r->statements.at(0).rows.size(), 2u);
}

// Node granularity over a join with an aggregate: first rows and ends,
// never the rows between; n points at once.
TEST_F(StepTest, NodesOfAJoinWithAnAggregate) {
  StartStepped("SELECT count(*) FROM t x JOIN t y ON x.a = y.a", "node");
  auto stops = StepToEnd();
  std::string all = Join(stops);
  EXPECT_TRUE(Has(stops, "first row: Seq Scan on t x")) << all;
  EXPECT_TRUE(Has(stops, "node end: Aggregate")) << all;
  EXPECT_FALSE(Has(stops, "row: ")) << all;
  auto r = Finish();
  ASSERT_TRUE(r.ok() && r->ok());
  EXPECT_EQ(r->Scalar(), "3");

  // Again, skipping 3 points a step.
  StartStepped("SELECT count(*) FROM t x JOIN t y ON x.a = y.a", "node");
  std::string third = Next(3);
  EXPECT_FALSE(third.starts_with("<")) << third;
  EXPECT_EQ(Value(*admin_, "SELECT minipg_step_detach(" + Pid() + ")"), "t");
  r = Finish();
  ASSERT_TRUE(r.ok() && r->ok());
}

// A Hash node hands no row up, as in PostgreSQL: the rows of its input
// stop at the scan below it; the Hash stops once, at its end, with its
// table built; meanwhile minipg_query_state shows it running, counting
// the rows in its table.
TEST_F(StepTest, HashNodeBuildsItsTableAndHandsNothingUp) {
  ASSERT_TRUE(c_->Query("SET enable_nestloop = off; SET enable_mergejoin = off")->ok());
  StartStepped("SELECT x.b, y.b FROM t x JOIN t y ON x.a = y.a");
  std::vector<std::string> stops;
  std::string hash_while_building;
  for (int i = 0; i < 100; ++i) {
    std::string s = Next();
    stops.push_back(s);
    if (s.starts_with("row: Seq Scan on t y")) {
      hash_while_building = Value(*admin_, "SELECT rows || ' ' || state FROM minipg_query_state(" + Pid() +
                                               ") WHERE node = 'Hash'");
    }
    if (s.starts_with("query ended") || s.starts_with("<")) break;
  }
  std::string all = Join(stops);
  ASSERT_TRUE(Has(stops, "first row: Seq Scan on t y")) << "the inner side is y\n" << all;
  EXPECT_FALSE(Has(stops, "first row: Hash [")) << all;
  EXPECT_FALSE(Has(stops, "row: Hash [")) << all;
  EXPECT_TRUE(Has(stops, "node end: Hash [node 2], rows 3 | hash table built: 3 rows")) << all;
  EXPECT_TRUE(Has(stops, "first row: Hash Join [node 0], rows 1")) << all;
  EXPECT_TRUE(hash_while_building == "1 running" || hash_while_building == "2 running") << hash_while_building;
  auto r = Finish();
  ASSERT_TRUE(r.ok() && r->ok());
  EXPECT_EQ(r->statements.at(0).rows.size(), 3u);
}

// Page granularity: each page read, hit or miss.
TEST_F(StepTest, PageReads) {
  StartStepped("SELECT * FROM t", "page");
  auto stops = StepToEnd();
  std::string all = Join(stops);
  EXPECT_TRUE(Has(stops, "page: relation ")) << all;
  EXPECT_NE(all.find(" block 0: "), std::string::npos) << all;
  auto r = Finish();
  ASSERT_TRUE(r.ok() && r->ok());
}

// A lock request that must wait stops before it sleeps; the holder is not
// blocked by the stopped waiter.
TEST_F(StepTest, LockWait) {
  auto holder = server_.Connect();
  ASSERT_TRUE(holder.ok());
  ASSERT_TRUE((*holder)->Query("BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE")->ok());
  StartStepped("SELECT count(*) FROM t", "node");
  std::string s;
  for (int i = 0; i < 10 && !s.starts_with("lock wait"); ++i) s = Next();
  EXPECT_EQ(s, "lock wait: AccessShareLock on relation \"t\"");
  EXPECT_TRUE((*holder)->Query("COMMIT")->ok());
  EXPECT_EQ(Value(*admin_, "SELECT minipg_step_detach(" + Pid() + ")"), "t");
  auto r = Finish();
  ASSERT_TRUE(r.ok() && r->ok());
  EXPECT_EQ(r->Scalar(), "3");
}

// An error stops before it is sent.
TEST_F(StepTest, Error) {
  StartStepped("SELECT 1 / (a - 2) FROM t", "stage");
  auto stops = StepToEnd();
  EXPECT_TRUE(Has(stops, "error: 22012: division by zero")) << Join(stops);
  auto r = Finish();
  ASSERT_TRUE(r.ok() && r->error.has_value());
  EXPECT_EQ(r->error->sqlstate, "22012");
}

// A query that ends before its n-th point leaves no credit behind: the
// next query stops at its parse again.
TEST_F(StepTest, CreditDoesNotOutliveItsQuery) {
  StartStepped("SELECT 1", "stage");
  EXPECT_EQ(Next(100), "query ended: idle");
  auto r = Finish();
  ASSERT_TRUE(r.ok() && r->ok());
  EXPECT_EQ(Next(), "query ended: idle") << "between queries nothing is let go";
  runner_ = std::async(std::launch::async, [this] { return c_->Query("SELECT 2"); });
  ASSERT_TRUE(WaitPaused());
  EXPECT_EQ(Value(*admin_, "SELECT stage || ': ' || detail FROM minipg_step_state WHERE pid = " + Pid()),
            "parse: SELECT 2");
}

// A backend stopped at a page read holds the page's pin, no lock: others
// read, change and add rows of the same table meanwhile.
TEST_F(StepTest, StoppedAtAPageBlocksNobody) {
  StartStepped("SELECT * FROM t", "page");
  std::string s;
  for (int i = 0; i < 20 && !s.starts_with("page: "); ++i) s = Next();
  ASSERT_TRUE(s.starts_with("page: ")) << s;
  EXPECT_NE(s.find(" block 0: "), std::string::npos) << s;
  auto start = Clock::now();
  auto other = server_.Connect();
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE((*other)->Query("UPDATE t SET b = 'q' WHERE a = 1")->ok());
  EXPECT_TRUE((*other)->Query("INSERT INTO t VALUES (9, 'n')")->ok());
  EXPECT_EQ(Value(**other, "SELECT count(*) FROM t"), "4");
  EXPECT_TRUE((*other)->Query("CHECKPOINT")->ok());
  EXPECT_LT(SecondsSince(start), 5.0);
  EXPECT_EQ(Value(*admin_, "SELECT paused FROM minipg_step_state WHERE pid = " + Pid()), "t");
  EXPECT_EQ(Value(*admin_, "SELECT minipg_step_detach(" + Pid() + ")"), "t");
  auto r = Finish();
  ASSERT_TRUE(r.ok() && r->ok());
}

// The controlling session goes away: nobody would ever let the stopped
// backend go on, so it detaches itself and finishes its query.
TEST_F(StepTest, ControllerGoneDetaches) {
  auto teacher = server_.Connect();
  ASSERT_TRUE(teacher.ok());
  pid_ = c_->backend_pid();
  ASSERT_EQ(Value(**teacher, "SELECT minipg_step_attach(" + Pid() + ")"), "t");
  runner_ = std::async(std::launch::async, [this] { return c_->Query("SELECT count(*) FROM t"); });
  ASSERT_TRUE(WaitPaused());
  (*teacher)->Close();
  auto r = Finish();
  ASSERT_TRUE(r.ok() && r->ok());
  EXPECT_EQ(r->Scalar(), "3");
  EXPECT_EQ(Value(*admin_, "SELECT count(*) FROM minipg_step_state"), "0");
}

// Not the way: a bad granularity, n < 1, a pid that is not a backend, a
// backend not attached, another role's backend.
TEST_F(StepTest, Refusals) {
  auto bad = admin_->Query("SELECT minipg_step_attach(" + Pid() + ", 'word')");
  ASSERT_TRUE(bad.ok() && bad->error.has_value());
  EXPECT_EQ(bad->error->sqlstate, "22023");
  auto not_attached = admin_->Query("SELECT minipg_step_next(" + Pid() + ")");
  ASSERT_TRUE(not_attached.ok() && not_attached->error.has_value());
  EXPECT_EQ(not_attached->error->sqlstate, "55000");
  auto none = admin_->Query("SELECT minipg_step_attach(1)");
  ASSERT_TRUE(none.ok() && none->ok());
  EXPECT_EQ(none->Scalar(), "f");
  ASSERT_EQ(none->notices.size(), 1u);
  EXPECT_EQ(none->notices[0].message, "PID 1 is not a PostgreSQL backend process");
  auto self = admin_->Query("SELECT minipg_step_attach(pg_backend_pid())");
  ASSERT_TRUE(self.ok() && self->error.has_value());
  EXPECT_EQ(self->error->sqlstate, "22023");

  ASSERT_TRUE(admin_->Query("CREATE ROLE student LOGIN")->ok());
  auto opts = server_.Options();
  opts.user = "student";
  opts.database = "postgres";
  auto student = client::Connection::Connect(opts);
  ASSERT_TRUE(student.ok()) << student.error().message;
  auto denied = (*student)->Query("SELECT minipg_step_attach(" + Pid() + ")");
  ASSERT_TRUE(denied.ok() && denied->error.has_value());
  EXPECT_EQ(denied->error->sqlstate, "42501");
  EXPECT_EQ(denied->error->message, "must be a superuser to step superuser process");
  auto state = (*student)->Query("SELECT * FROM minipg_query_state(" + Pid() + ")");
  ASSERT_TRUE(state.ok() && state->error.has_value());
  EXPECT_EQ(state->error->sqlstate, "42501");
}

/* ---- interruptions of a paused backend ------------------------------------ */

TEST_F(StepTest, CancelEndsThePause) {
  StartStepped("SELECT * FROM t");
  auto start = Clock::now();
  ASSERT_TRUE(c_->Cancel().ok());
  auto r = Finish();
  ASSERT_TRUE(r.ok() && r->error.has_value());
  EXPECT_EQ(r->error->sqlstate, "57014");
  EXPECT_LT(SecondsSince(start), 5.0);
  // Still attached: the next query stops again; detached, it runs.
  runner_ = std::async(std::launch::async, [this] { return c_->Query("SELECT 'again'"); });
  ASSERT_TRUE(WaitPaused());
  EXPECT_EQ(Value(*admin_, "SELECT minipg_step_detach(" + Pid() + ")"), "t");
  r = Finish();
  ASSERT_TRUE(r.ok() && r->ok());
  EXPECT_EQ(r->Scalar(), "again");
}

// A cancel while stopped before the commit record rolls the transaction
// back; once committed, a cancel changes nothing.
TEST_F(StepTest, CancelAtCommit) {
  StartStepped("INSERT INTO t VALUES (5, 'v')", "stage");
  std::string s;
  for (int i = 0; i < 10 && !s.starts_with("commit:"); ++i) s = Next();
  ASSERT_TRUE(s.starts_with("commit: xid ")) << s;
  ASSERT_TRUE(c_->Cancel().ok());
  auto r = Finish();
  ASSERT_TRUE(r.ok() && r->error.has_value());
  EXPECT_EQ(r->error->sqlstate, "57014");
  EXPECT_EQ(Value(*admin_, "SELECT count(*) FROM t WHERE a = 5"), "0");

  runner_ = std::async(std::launch::async, [this] { return c_->Query("INSERT INTO t VALUES (6, 'u')"); });
  ASSERT_TRUE(WaitPaused());
  for (int i = 0; i < 10 && !s.starts_with("committed:"); ++i) s = Next();
  ASSERT_TRUE(s.starts_with("committed: ")) << s;
  ASSERT_TRUE(c_->Cancel().ok());
  r = Finish();
  ASSERT_TRUE(r.ok() && r->ok()) << "committed is committed";
  EXPECT_EQ(Value(*admin_, "SELECT count(*) FROM t WHERE a = 6"), "1");
  EXPECT_EQ(Value(*admin_, "SELECT minipg_step_detach(" + Pid() + ")"), "t");
  EXPECT_EQ(Value(*c_, "SELECT count(*) FROM t"), "4");
}

TEST_F(StepTest, TerminateEndsThePause) {
  StartStepped("SELECT * FROM t");
  int pid = pid_;
  EXPECT_EQ(Value(*admin_, "SELECT pg_terminate_backend(" + Pid() + ")"), "t");
  auto r = Finish();
  std::string message = r.ok() && r->error ? r->error->message : r.ok() ? "" : r.error().message;
  EXPECT_EQ(message, "terminating connection due to administrator command");
  EXPECT_TRUE(WaitUntil([&] {
    auto live = server_.Backends();
    return std::find(live.begin(), live.end(), pid) == live.end();
  }));
}

TEST_F(StepTest, StatementTimeoutEndsThePause) {
  ASSERT_TRUE(c_->Query("SET statement_timeout = '300ms'")->ok());
  StartStepped("SELECT * FROM t");
  auto r = Finish();
  ASSERT_TRUE(r.ok() && r->error.has_value());
  EXPECT_EQ(r->error->sqlstate, "57014");
  EXPECT_EQ(r->error->message, "canceling statement due to statement timeout");
}

TEST_F(StepTest, ClientGoneEndsTheBackend) {
  StartStepped("SELECT * FROM t");
  int pid = pid_;
  // The client vanishes while its query is stopped: its thread still reads
  // the socket, so shut the socket down under it.
  ::shutdown(c_->fd(), SHUT_RDWR);
  EXPECT_TRUE(WaitUntil([&] {
    auto live = server_.Backends();
    return std::find(live.begin(), live.end(), pid) == live.end();
  }, 10000));
  runner_.wait();
  runner_ = {};
  EXPECT_NE(server_.Log().find("connection to client lost"), std::string::npos) << server_.Log();
}

/* A shutdown (SIGINT fast, SIGQUIT immediate) of a server whose backend
 * is stopped: it does not wait for anyone to step it. */
void ShutdownWhileStopped(StepTest& test, int sig) {
  auto start = Clock::now();
  EXPECT_EQ(test.server_.Stop(sig, 15000), 0);
  EXPECT_LT(SecondsSince(start), 10.0);
  test.runner_.wait();
  test.runner_ = {};
}

TEST_F(StepTest, FastShutdownEndsThePause) {
  StartStepped("SELECT * FROM t");
  ShutdownWhileStopped(*this, SIGINT);
}

TEST_F(StepTest, ImmediateShutdownEndsThePause) {
  StartStepped("SELECT * FROM t");
  ShutdownWhileStopped(*this, SIGQUIT);
}

TEST_F(StepTest, CrashOfAnotherBackendEndsThePause) {
  StartStepped("SELECT * FROM t");
  auto crasher = server_.Connect();
  ASSERT_TRUE(crasher.ok());
  (*crasher)->Query("SELECT minipg_crash()");
  auto r = Finish();
  ASSERT_FALSE(r.ok() && r->ok()) << "the stopped query must not complete";
  std::string message = r.ok() ? r->error->message : r.error().message;
  EXPECT_EQ(message, "terminating connection because of crash of another server process");
  // The server comes back after the crash cycle.
  auto again = server_.ConnectWhenReady(30000);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(Value(**again, "SELECT count(*) FROM t"), "3");
  admin_.reset();
}

/* ---- minipg_query_state and minipg.step_delay --------------------------- */

// The live plan of a query that is not stepped, while it runs: one row per
// node, rows so far, its state.
TEST_F(StepTest, QueryStateOfALongQuery) {
  pid_ = c_->backend_pid();
  runner_ = std::async(std::launch::async, [this] { return c_->Query("SELECT a, pg_sleep(0.4) FROM t ORDER BY a"); });
  std::string scan;
  EXPECT_TRUE(WaitUntil([&] {
    scan = Value(*admin_, "SELECT node || ' ' || rows || ' ' || loops || ' ' || state FROM minipg_query_state(" + Pid() +
                              ") WHERE node_id = 1");
    return scan.starts_with("Seq Scan on t 1 1 ");
  })) << scan;
  EXPECT_EQ(Value(*admin_, "SELECT node || '/' || coalesce(parent_id::text, 'root') || '/' || state FROM "
                           "minipg_query_state(" + Pid() + ") WHERE node_id = 0"),
            "Sort/root/running");
  EXPECT_EQ(Value(*admin_, "SELECT count(*) FROM minipg_query_state(" + Pid() + ")"), "2");
  EXPECT_EQ(Value(*admin_, "SELECT total_ms > 0 FROM minipg_query_state(" + Pid() + ") WHERE node_id = 1"), "t");
  auto r = Finish();
  ASSERT_TRUE(r.ok() && r->ok());
  runner_ = {};
  EXPECT_EQ(Value(*admin_, "SELECT count(*) FROM minipg_query_state(" + Pid() + ")"), "0") << "no query runs";
}

// minipg.step_delay slows the session's own step points, without anybody
// attached; visible in pg_stat_activity.
TEST_F(StepTest, StepDelay) {
  ASSERT_TRUE(c_->Query("SET minipg.step_delay = '50ms'")->ok());
  EXPECT_EQ(Value(*c_, "SHOW minipg.step_delay"), "50ms");
  pid_ = c_->backend_pid();
  auto start = Clock::now();
  runner_ = std::async(std::launch::async, [this] { return c_->Query("SELECT * FROM t"); });
  EXPECT_TRUE(WaitUntil([&] {
    return Value(*admin_, "SELECT wait_event FROM pg_stat_activity WHERE pid = " + Pid()) == "MinipgStep";
  }));
  auto r = Finish();
  runner_ = {};
  ASSERT_TRUE(r.ok() && r->ok());
  // parse, analyze, rewrite, plan, executor start, 3 rows and the end: 9 points.
  EXPECT_GE(SecondsSince(start), 0.4);
  ASSERT_TRUE(c_->Query("SET minipg.step_delay = 0")->ok());
  start = Clock::now();
  ASSERT_TRUE(c_->Query("SELECT * FROM t")->ok());
  EXPECT_LT(SecondsSince(start), 0.4);
}

}  // namespace
}  // namespace minipg::testing
