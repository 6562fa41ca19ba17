/*
 * interrupt_test.cpp
 *   Cancel, terminate, statement_timeout and shutdown reach a backend
 *   whatever it is doing: lexing and parsing a multi-megabyte query,
 *   blocked sending to a client that stopped reading, waiting for the next
 *   COPY FROM STDIN message. What should happen is what PostgreSQL 15 does
 *   (tried against it): a die acts at once everywhere; a cancel acts at
 *   once while the backend works, and while it waits on its client it stays
 *   pending until the client moves (it is never lost).
 */
#include <gtest/gtest.h>
#include <linux/sockios.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <sstream>
#include <thread>

#include "engine/protocol/codec.h"
#include "tests/integration/server_harness.h"

namespace minipg::testing {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/* Polls `pred` every 20 ms for up to `timeout_ms`. */
bool WaitUntil(const std::function<bool()>& pred, int timeout_ms = 20000) {
  for (auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms); Clock::now() < deadline;) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}

/* One column of `pid`'s pg_stat_activity row, as `admin` sees it ("" if NULL or none). */
std::string Activity(client::Connection& admin, int pid, const std::string& column) {
  auto r = admin.Query("SELECT " + column + " FROM pg_stat_activity WHERE pid = " + std::to_string(pid));
  return r.ok() ? r->Scalar().value_or("") : "";
}

bool BackendGone(const Server& server, int pid) {
  auto live = server.Backends();
  return std::find(live.begin(), live.end(), pid) == live.end();
}

/* A server, a session `c` that gets interrupted (with an empty table
 * t (a int)), and a session `admin` that interrupts it. */
class InterruptTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.Start());
    auto c = server_.Connect();
    auto admin = server_.Connect();
    ASSERT_TRUE(c.ok() && admin.ok());
    c_ = std::move(*c);
    admin_ = std::move(*admin);
    ASSERT_TRUE(c_->Query("CREATE TABLE t (a int)")->ok());
  }
  std::string Pid() const { return std::to_string(c_->backend_pid()); }

  Server server_;
  std::unique_ptr<client::Connection> c_;
  std::unique_ptr<client::Connection> admin_;
};

/* A 2 MB query (lexing it took minutes when lexing was quadratic): a bulk
 * INSERT into t, then a sleep, so that there is always work left for an
 * interrupt to stop. */
std::string BigQuery() {
  std::string q = "INSERT INTO t VALUES (1)";
  while (q.size() < (2u << 20)) q += ", (1)";
  return q + "; SELECT pg_sleep(60)";
}

/* Runs BigQuery() on `c` in a thread; `interrupt` is called once the
 * backend is working on it. Returns the query's result and how long it
 * took from the interrupt on. */
struct Interrupted {
  Result<client::QueryResult> result = client::QueryResult{};
  double seconds_after_interrupt = 0;
};
Interrupted RunBigQuery(client::Connection& c, client::Connection& admin, const std::function<void()>& interrupt) {
  Interrupted out;
  Clock::time_point interrupted_at;
  std::thread runner([&] {
    out.result = c.Query(BigQuery());
    out.seconds_after_interrupt = SecondsSince(interrupted_at);
  });
  // "active" once the whole message is in: from then on it lexes, parses, ...
  EXPECT_TRUE(WaitUntil([&] { return Activity(admin, c.backend_pid(), "state") == "active"; }));
  interrupted_at = Clock::now();
  interrupt();
  runner.join();
  return out;
}

// Scenario: psql's Ctrl-C (a CancelRequest) while a 2 MB query is being
// processed: 57014 at once, and the session goes on.
TEST_F(InterruptTest, CancelActsDuringAMultiMegabyteQuery) {
  auto run = RunBigQuery(*c_, *admin_, [&] { ASSERT_TRUE(c_->Cancel().ok()); });
  ASSERT_TRUE(run.result.ok()) << run.result.error().message;
  ASSERT_TRUE(run.result->error.has_value());
  EXPECT_EQ(run.result->error->sqlstate, "57014");
  EXPECT_EQ(run.result->error->message, "canceling statement due to user request");
  EXPECT_LT(run.seconds_after_interrupt, 15.0);
  EXPECT_EQ(c_->Query("SELECT 'after'")->Scalar(), "after");
}

// Scenario: pg_terminate_backend from another session during a 2 MB query
// ends that session with FATAL 57P01 at once.
TEST_F(InterruptTest, TerminateActsDuringAMultiMegabyteQuery) {
  int pid = c_->backend_pid();
  auto run = RunBigQuery(*c_, *admin_, [&] {
    EXPECT_EQ(admin_->Query("SELECT pg_terminate_backend(" + Pid() + ")")->Scalar(), "t");
  });
  ASSERT_FALSE(run.result.ok() && !run.result->error.has_value()) << "the query must not complete";
  std::string message = run.result.ok() ? run.result->error->message : run.result.error().message;
  EXPECT_EQ(message, "terminating connection due to administrator command");
  EXPECT_LT(run.seconds_after_interrupt, 15.0);
  EXPECT_TRUE(WaitUntil([&] { return BackendGone(server_, pid); }));
}

// Scenario: statement_timeout during a 2 MB query: 57014 with its own message.
TEST_F(InterruptTest, StatementTimeoutActsDuringAMultiMegabyteQuery) {
  ASSERT_TRUE(c_->Query("SET statement_timeout = '100ms'")->ok());
  auto start = Clock::now();
  auto r = c_->Query(BigQuery());
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->error.has_value());
  EXPECT_EQ(r->error->sqlstate, "57014");
  EXPECT_EQ(r->error->message, "canceling statement due to statement timeout");
  EXPECT_LT(SecondsSince(start), 30.0);
}

/* A table whose SELECT a, a, a, a is 64 MB: far more than a socket holds.
 * (2048 rows of 8000 bytes: a row must fit on a page, there is no TOAST.) */
void MakeBigTable(client::Connection& admin) {
  ASSERT_TRUE(admin.Query("CREATE TABLE big (a text)")->ok());
  std::stringstream data;
  for (int i = 0; i < 2048; ++i) data << std::string(8000, 'x') << "\n";
  auto r = admin.CopyIn("COPY big FROM STDIN", data);
  ASSERT_TRUE(r.ok() && r->ok());
}

/* Connects, sends a query with a 64 MB result and never reads it; returns
 * once the backend is blocked sending (pg_stat_activity: ClientWrite). */
std::unique_ptr<client::Connection> StartNonReadingClient(const Server& server, client::Connection& admin) {
  auto c = server.Connect();
  EXPECT_TRUE(c.ok());
  if (!c.ok()) return nullptr;
  std::string query;
  protocol::EncodeQuery(query, "SELECT a, a, a, a FROM big");
  EXPECT_EQ(send((*c)->fd(), query.data(), query.size(), MSG_NOSIGNAL), static_cast<ssize_t>(query.size()));
  int pid = (*c)->backend_pid();
  EXPECT_TRUE(WaitUntil([&] { return Activity(admin, pid, "wait_event") == "ClientWrite"; }));
  EXPECT_EQ(Activity(admin, pid, "wait_event_type"), "Client");
  return std::move(*c);
}

// Scenario: a client stops reading a large result. As in PostgreSQL, a
// cancel waits for the client to read (the backend stays blocked), but
// pg_terminate_backend ends the session at once, and so does a fast
// shutdown.
TEST_F(InterruptTest, ClientThatStopsReadingIsTerminated) {
  MakeBigTable(*admin_);
  auto stuck = StartNonReadingClient(server_, *admin_);
  ASSERT_NE(stuck, nullptr);
  std::string pid = std::to_string(stuck->backend_pid());

  EXPECT_EQ(admin_->Query("SELECT pg_cancel_backend(" + pid + ")")->Scalar(), "t");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(Activity(*admin_, stuck->backend_pid(), "wait_event"), "ClientWrite")
      << "a cancel does not act while blocked sending, as in PostgreSQL";

  auto start = Clock::now();
  EXPECT_EQ(admin_->Query("SELECT pg_terminate_backend(" + pid + ")")->Scalar(), "t");
  EXPECT_TRUE(WaitUntil([&] { return BackendGone(server_, stuck->backend_pid()); }, 10000));
  EXPECT_LT(SecondsSince(start), 10.0);
  EXPECT_NE(server_.Log().find("FATAL:  terminating connection due to administrator command"), std::string::npos);

  // A fast shutdown is a die too: it does not wait for a client that never reads.
  auto stuck2 = StartNonReadingClient(server_, *admin_);
  ASSERT_NE(stuck2, nullptr);
  start = Clock::now();
  EXPECT_EQ(server_.Stop(SIGINT, 15000), 0);
  EXPECT_LT(SecondsSince(start), 15.0);
}

// Scenario: an immediate shutdown with a client that stopped reading: the
// backend's last FATAL is sent without blocking, so it exits at once and
// the postmaster never needs its SIGKILL for recalcitrant children.
TEST_F(InterruptTest, ImmediateShutdownDoesNotWaitForAClientThatStopsReading) {
  MakeBigTable(*admin_);
  auto stuck = StartNonReadingClient(server_, *admin_);
  ASSERT_NE(stuck, nullptr);
  EXPECT_NE(server_.Stop(SIGQUIT, 15000), -1);
  EXPECT_EQ(server_.Log().find("issuing SIGKILL to recalcitrant children"), std::string::npos);
}

/* True once the backend of `c` (on a Unix socket) has read all we sent
 * and waits for more: our send queue is empty and it waits on ClientRead. */
bool WaitsForMoreCopyData(client::Connection& c, client::Connection& admin) {
  int unread = -1;
  return ioctl(c.fd(), SIOCOUTQ, &unread) == 0 && unread == 0 &&
         Activity(admin, c.backend_pid(), "wait_event") == "ClientRead";
}

/* Rows in the first chunk of CopyWithPause: 64 kB, which our client (like
 * libpq) sends at once rather than keeping it with the next chunks. */
constexpr int kFirstRows = 32768;

/* Runs COPY t FROM STDIN on `c`: the first chunk is kFirstRows rows "1";
 * at the second, `during_wait` runs while the backend waits for data,
 * then `after` is sent (nullopt: CopyDone). */
Result<client::QueryResult> CopyWithPause(client::Connection& c, const std::function<void()>& during_wait,
                                          std::optional<std::string> after) {
  int calls = 0;
  return c.Query(
      "COPY t FROM STDIN",
      [&]() -> Result<std::optional<std::string>> {
        ++calls;
        if (calls == 1) {
          std::string rows;
          for (int i = 0; i < kFirstRows; ++i) rows += "1\n";
          return std::optional<std::string>(rows);
        }
        if (calls == 2) {
          during_wait();
          if (after) return after;
        }
        return std::optional<std::string>();
      },
      nullptr);
}

// Scenario: a cancel (pg_cancel_backend) while COPY FROM STDIN waits for
// data is not lost: as in PostgreSQL the backend keeps waiting, and the
// client's next message (more data, or CopyDone) fails the COPY with 57014
// on the line it reached; nothing is stored and the session goes on.
TEST_F(InterruptTest, CancelDuringCopyWaitIsNotLost) {
  auto cancel_while_waiting = [&] {
    EXPECT_TRUE(WaitUntil([&] { return WaitsForMoreCopyData(*c_, *admin_); }));
    // pg_cancel_backend has signalled the backend when it answers.
    EXPECT_EQ(admin_->Query("SELECT pg_cancel_backend(" + Pid() + ")")->Scalar(), "t");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_EQ(Activity(*admin_, c_->backend_pid(), "state"), "active") << "still in the COPY";
  };
  for (bool more_data : {true, false}) {
    auto r = CopyWithPause(*c_, cancel_while_waiting, more_data ? std::optional<std::string>("2\n") : std::nullopt);
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_TRUE(r->error.has_value()) << "the cancel was lost";
    EXPECT_EQ(r->error->sqlstate, "57014");
    EXPECT_EQ(r->error->message, "canceling statement due to user request");
    std::string line = "COPY t, line " + std::to_string(kFirstRows + 1);
    EXPECT_EQ(r->error->context, more_data ? line + ": \"2\"" : line);
    EXPECT_EQ(c_->Query("SELECT * FROM t LIMIT 1")->statements.at(0).rows.size(), 0u) << "nothing stored";
  }
}

// Scenario: statement_timeout expiring during a COPY FROM STDIN wait acts
// the same way, with its own message.
TEST_F(InterruptTest, StatementTimeoutDuringCopyWaitIsNotLost) {
  ASSERT_TRUE(c_->Query("SET statement_timeout = '200ms'")->ok());
  auto r = CopyWithPause(*c_, [] { std::this_thread::sleep_for(std::chrono::milliseconds(600)); }, "2\n");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_TRUE(r->error.has_value()) << "the timeout was lost";
  EXPECT_EQ(r->error->sqlstate, "57014");
  EXPECT_EQ(r->error->message, "canceling statement due to statement timeout");
}

// Scenario: pg_terminate_backend while COPY FROM STDIN waits for data ends
// the session at once, without waiting for the client's next message.
TEST_F(InterruptTest, TerminateDuringCopyWaitActsAtOnce) {
  int pid = c_->backend_pid();
  bool gone = false;
  (void)CopyWithPause(
      *c_,
      [&] {
        EXPECT_TRUE(WaitUntil([&] { return WaitsForMoreCopyData(*c_, *admin_); }));
        EXPECT_EQ(admin_->Query("SELECT pg_terminate_backend(" + Pid() + ")")->Scalar(), "t");
        gone = WaitUntil([&] { return BackendGone(server_, pid); }, 10000);
      },
      std::nullopt);
  EXPECT_TRUE(gone) << "the backend waited for its client instead of ending";
  EXPECT_EQ(admin_->Query("SELECT * FROM t LIMIT 1")->statements.at(0).rows.size(), 0u) << "nothing stored";
}

}  // namespace
}  // namespace minipg::testing
