/*
 * vacuum_test.cpp
 *   VACUUM and autovacuum through a real server, as PostgreSQL 15 behaves:
 *   a row updated a thousand times leaves dead versions that VACUUM
 *   removes, after which the table stops growing and n_dead_tup is 0; a
 *   session idle in a block with an xid keeps VACUUM from removing what it
 *   might see ("dead but not yet removable" in VACUUM VERBOSE and in
 *   n_dead_tup) until it ends; with autovacuum_naptime = 1 an autovacuum
 *   worker appears in the event stream, vacuums a table with many dead
 *   rows (last_autovacuum) and exits.
 */
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "tests/integration/server_harness.h"

namespace minipg::testing {
namespace {

void Exec(client::Connection& c, const std::string& sql) {
  auto r = c.Query(sql);
  ASSERT_TRUE(r.ok()) << sql << ": " << r.error().message;
  ASSERT_TRUE(r->ok()) << sql << ": " << r->error->message;
}

std::string Value(client::Connection& c, const std::string& sql) {
  auto r = c.Query(sql);
  EXPECT_TRUE(r.ok() && r->ok()) << sql;
  if (!r.ok() || !r->ok()) return "";
  return r->Scalar().value_or("NULL");
}

int64_t Number(client::Connection& c, const std::string& sql) { return std::stoll(Value(c, sql)); }

/* VACUUM VERBOSE's "finished vacuuming" INFO text. */
std::string VerboseReport(client::Connection& c, const std::string& table) {
  auto r = c.Query("VACUUM VERBOSE " + table);
  EXPECT_TRUE(r.ok() && r->ok());
  if (!r.ok()) return "";
  for (const auto& n : r->notices) {
    if (n.severity == "INFO" && n.message.starts_with("finished vacuuming")) return n.message;
  }
  return "";
}

template <typename F>
bool WaitFor(F done, int seconds = 30) {
  for (int i = 0; i < seconds * 20; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

// Scenario: one row updated 1000 times has 1000 dead versions; VACUUM
// removes them (n_dead_tup 0), and another 1000 updates with a VACUUM
// every 100 fit in the space it freed: the table does not grow.
TEST(VacuumTest, UpdatedRowStopsGrowing) {
  Server server({"autovacuum=off"});
  ASSERT_TRUE(server.Start());
  auto c = server.ConnectWhenReady();
  ASSERT_TRUE(c.ok());
  client::Connection& s = **c;
  Exec(s, "CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t VALUES (1, 0)");
  for (int i = 0; i < 1000; ++i) Exec(s, "UPDATE t SET v = v + 1");
  EXPECT_EQ(Number(s, "SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 't'"), 1000);
  std::string report = VerboseReport(s, "t");
  EXPECT_NE(report.find("tuples: 1000 removed, 1 remain, 0 are dead but not yet removable"), std::string::npos)
      << report;
  EXPECT_NE(report.find("index \"t_pkey\": pages:"), std::string::npos) << report;
  EXPECT_EQ(Number(s, "SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 't'"), 0);
  int64_t size = Number(s, "SELECT pg_relation_size('t')");
  for (int round = 0; round < 10; ++round) {
    for (int i = 0; i < 100; ++i) Exec(s, "UPDATE t SET v = v + 1");
    Exec(s, "VACUUM t");
  }
  EXPECT_LE(Number(s, "SELECT pg_relation_size('t')"), size);
  EXPECT_EQ(Value(s, "SELECT v FROM t WHERE id = 1"), "2000");
  EXPECT_EQ(Number(s, "SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = 't'"), 11);
  EXPECT_EQ(server.Stop(SIGINT), 0);
}

// Scenario: session A writes in a block and stays idle in it; session B
// deletes 100 rows and vacuums: they are dead but not yet removable (A
// might still see them), and n_dead_tup says 100. Once A commits, VACUUM
// removes them.
TEST(VacuumTest, IdleTransactionHoldsBackTheHorizon) {
  Server server({"autovacuum=off"});
  ASSERT_TRUE(server.Start());
  auto a = server.ConnectWhenReady();
  auto b = server.Connect();
  ASSERT_TRUE(a.ok() && b.ok());
  Exec(**b, "CREATE TABLE t (id int); INSERT INTO t SELECT g FROM generate_series(1, 1000) g");
  Exec(**b, "CREATE TABLE other (x int)");
  Exec(**a, "BEGIN");
  Exec(**a, "INSERT INTO other VALUES (1)");
  std::string a_xid = Value(**a, "SELECT backend_xid FROM pg_stat_activity WHERE pid = pg_backend_pid()");
  Exec(**b, "DELETE FROM t WHERE id <= 100");
  std::string report = VerboseReport(**b, "t");
  EXPECT_NE(report.find("tuples: 0 removed, 1000 remain, 100 are dead but not yet removable"), std::string::npos)
      << report;
  EXPECT_NE(report.find("removable cutoff: " + a_xid + ","), std::string::npos) << report;
  EXPECT_EQ(Number(**b, "SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 't'"), 100);
  Exec(**a, "COMMIT");
  report = VerboseReport(**b, "t");
  EXPECT_NE(report.find("tuples: 100 removed, 900 remain, 0 are dead but not yet removable"), std::string::npos)
      << report;
  EXPECT_EQ(Number(**b, "SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 't'"), 0);
  EXPECT_EQ(Number(**b, "SELECT count(*) FROM t"), 900);
  EXPECT_EQ(server.Stop(SIGINT), 0);
}

// Scenario: with autovacuum_naptime = 1s, a table with 600 dead rows is
// vacuumed by an autovacuum worker: last_autovacuum is set, and the event
// stream shows the worker's fork, its vacuum of the table and its exit;
// the launcher is in pg_stat_activity.
TEST(VacuumTest, AutovacuumWorkerVacuumsTable) {
  Server server({"autovacuum_naptime=1", "trace_file=trace.jsonl"});
  ASSERT_TRUE(server.Start());
  auto c = server.ConnectWhenReady();
  ASSERT_TRUE(c.ok());
  client::Connection& s = **c;
  Exec(s, "CREATE TABLE t (id int); INSERT INTO t SELECT g FROM generate_series(1, 1000) g");
  Exec(s, "DELETE FROM t WHERE id <= 600");
  EXPECT_TRUE(WaitFor([&] {
    return Value(s, "SELECT last_autovacuum IS NOT NULL FROM pg_stat_user_tables WHERE relname = 't'") == "t";
  }));
  EXPECT_EQ(Number(s, "SELECT autovacuum_count FROM pg_stat_user_tables WHERE relname = 't'"), 1);
  EXPECT_EQ(Number(s, "SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 't'"), 0);
  EXPECT_EQ(Number(s, "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum launcher'"), 1);
  // The worker's SQL is a query in the stream as a backend's is (a viewer
  // counted its parse .. execute without a query_start as an anomaly).
  bool forked = false, vacuumed = false, exited = false, queried = false;
  EXPECT_TRUE(WaitFor([&] {
    std::ifstream in(server.data_dir() / "trace.jsonl");
    std::string line;
    while (std::getline(in, line)) {
      auto has = [&](const std::string& x) { return line.find(x) != std::string::npos; };
      if (has("\"type\":\"fork\"") && has("\"role\":\"autovacuum worker\"")) forked = true;
      if (has("\"type\":\"vacuum_done\"") && has("\"relation\":\"t\"") && has("\"removed\":600")) vacuumed = true;
      if (has("\"type\":\"child_exit\"") && has("\"role\":\"autovacuum worker\"") && has("\"exit_code\":0")) exited = true;
      if (has("\"type\":\"query_start\"") && has("\"text\":\"VACUUM") && has("\\\"t\\\"\"")) queried = true;
    }
    return forked && vacuumed && exited && queried;
  })) << "fork " << forked << " vacuum " << vacuumed << " exit " << exited << " query_start " << queried;
  EXPECT_EQ(server.Stop(SIGINT), 0);
}

}  // namespace
}  // namespace minipg::testing
