/*
 * activity_test.cpp
 *   pg_stat_activity read from the shared process array of a real server,
 *   pg_cancel_backend / pg_terminate_backend from a second session,
 *   idle_in_transaction_session_timeout, a wait for a table's lock, and
 *   what a role may see of other roles' sessions.
 */
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "tests/integration/server_harness.h"

namespace minipg::testing {
namespace {

using Row = std::map<std::string, std::optional<std::string>>;

/* Runs `sql` on `c` and returns its rows as column name -> value. */
std::vector<Row> Rows(client::Connection& c, const std::string& sql) {
  auto r = c.Query(sql);
  EXPECT_TRUE(r.ok()) << sql << ": " << (r.ok() ? "" : r.error().message);
  if (!r.ok()) return {};
  EXPECT_TRUE(r->ok()) << sql << ": " << (r->ok() ? "" : r->error->message);
  if (!r->ok() || r->statements.empty()) return {};
  const auto& st = r->statements.back();
  std::vector<Row> out;
  for (const auto& values : st.rows) {
    Row row;
    for (size_t i = 0; i < st.fields.size() && i < values.size(); ++i)
      row[st.fields[i].name] = values[i];
    out.push_back(std::move(row));
  }
  return out;
}

/* The pg_stat_activity row of `pid`, or an empty row. */
Row RowOf(const std::vector<Row>& rows, int pid) {
  for (const auto& r : rows) {
    if (r.at("pid") == std::to_string(pid)) return r;
  }
  return {};
}

/* Polls until `pred` holds for pg_stat_activity as `c` sees it. */
std::vector<Row> WaitForActivity(client::Connection& c,
                                 const std::function<bool(const std::vector<Row>&)>& pred,
                                 int timeout_ms = 15000) {
  std::vector<Row> rows;
  for (int waited = 0; waited <= timeout_ms; waited += 20) {
    rows = Rows(c, "SELECT * FROM pg_stat_activity");
    if (pred(rows)) return rows;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return rows;
}

int LocalPort(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);
}

// Scenario: four sessions in four different states are each shown as they
// are: one running pg_sleep (active, waiting on Timeout/PgSleep, over TCP),
// one inside BEGIN, one in a failed block, and the reader itself; the
// checkpointer and the event collector are listed as auxiliary processes.
TEST(ActivityTest, PgStatActivityShowsEverySessionsState) {
  Server server;
  ASSERT_TRUE(server.Start());
  auto reader = server.Connect(true, "reader");
  auto sleeper = server.Connect(false, "sleeper");
  auto in_tx = server.Connect(true);
  auto aborted = server.Connect(true);
  ASSERT_TRUE(reader.ok() && sleeper.ok() && in_tx.ok() && aborted.ok());
  ASSERT_TRUE((*in_tx)->Query("BEGIN")->ok());
  ASSERT_FALSE((*aborted)->Query("BEGIN; SELECT 1/0")->ok());
  int sleeper_pid = (*sleeper)->backend_pid();
  int sleeper_port = LocalPort((*sleeper)->fd());
  std::optional<std::string> sleep_error;
  std::thread sleeping([&] {
    auto r = (*sleeper)->Query("SELECT pg_sleep(60)");
    if (r.ok() && !r->ok()) sleep_error = r->error->sqlstate + " " + r->error->message;
  });

  auto rows = WaitForActivity(**reader, [&](const std::vector<Row>& rs) {
    Row r = RowOf(rs, sleeper_pid);
    return !r.empty() && r["wait_event"] == "PgSleep";
  });
  // Columns: PostgreSQL 15's, in its order.
  auto desc = (*reader)->Query("SELECT * FROM pg_stat_activity");
  ASSERT_TRUE(desc.ok() && desc->ok());
  std::vector<std::string> names;
  for (const auto& f : desc->statements[0].fields) names.push_back(f.name);
  EXPECT_EQ(names, (std::vector<std::string>{"datid",
                                             "datname",
                                             "pid",
                                             "leader_pid",
                                             "usesysid",
                                             "usename",
                                             "application_name",
                                             "client_addr",
                                             "client_hostname",
                                             "client_port",
                                             "backend_start",
                                             "xact_start",
                                             "query_start",
                                             "state_change",
                                             "wait_event_type",
                                             "wait_event",
                                             "state",
                                             "backend_xid",
                                             "backend_xmin",
                                             "query_id",
                                             "query",
                                             "backend_type"}));
  EXPECT_EQ(desc->statements[0].fields[10].type_oid, 1184) << "backend_start is a timestamptz";
  EXPECT_EQ(desc->statements[0].fields[7].type_oid, 869) << "client_addr is an inet";

  Row s = RowOf(rows, sleeper_pid);
  ASSERT_FALSE(s.empty());
  EXPECT_EQ(s["state"], "active");
  EXPECT_EQ(s["query"], "SELECT pg_sleep(60)");
  EXPECT_EQ(s["wait_event_type"], "Timeout");
  EXPECT_EQ(s["client_addr"], "127.0.0.1");
  EXPECT_EQ(s["client_port"], std::to_string(sleeper_port));
  EXPECT_EQ(s["application_name"], "sleeper");
  EXPECT_EQ(s["usename"], minipg::testing::Superuser());
  EXPECT_EQ(s["datname"], "postgres");
  EXPECT_EQ(s["backend_type"], "client backend");
  EXPECT_TRUE(s["xact_start"].has_value());
  EXPECT_EQ(s["datid"], "5") << "postgres's OID, as in PostgreSQL";
  EXPECT_EQ(s["usesysid"], "10") << "the bootstrap superuser's OID";
  std::regex ts(R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?\+00)");
  ASSERT_TRUE(s["backend_start"].has_value());
  EXPECT_TRUE(std::regex_match(*s["backend_start"], ts)) << *s["backend_start"];

  Row me = RowOf(rows, (*reader)->backend_pid());
  EXPECT_EQ(me["state"], "active");
  EXPECT_EQ(me["query"], "SELECT * FROM pg_stat_activity");
  EXPECT_FALSE(me["client_addr"].has_value()) << "a Unix-socket client has no address";
  EXPECT_EQ(me["client_port"], "-1");
  EXPECT_FALSE(me["wait_event"].has_value()) << "running, not waiting";

  Row t = RowOf(rows, (*in_tx)->backend_pid());
  EXPECT_EQ(t["state"], "idle in transaction");
  EXPECT_EQ(t["query"], "BEGIN");
  EXPECT_EQ(t["wait_event_type"], "Client");
  EXPECT_EQ(t["wait_event"], "ClientRead");
  EXPECT_TRUE(t["xact_start"].has_value());

  Row a = RowOf(rows, (*aborted)->backend_pid());
  EXPECT_EQ(a["state"], "idle in transaction (aborted)");
  EXPECT_EQ(a["query"], "BEGIN; SELECT 1/0");

  int checkpointers = 0, collectors = 0;
  for (const auto& r : rows) {
    if (r.at("backend_type") == "checkpointer") {
      ++checkpointers;
      EXPECT_FALSE(r.at("state").has_value());
      EXPECT_EQ(ProcessTitle(std::stoi(*r.at("pid"))), "minipg: checkpointer");
    }
    if (r.at("backend_type") == "event collector") {
      ++collectors;
      EXPECT_EQ(ProcessTitle(std::stoi(*r.at("pid"))), "minipg: event collector");
    }
  }
  EXPECT_EQ(checkpointers, 1);
  EXPECT_EQ(collectors, 1);

  // A column list and WHERE, as psql users write them.
  auto only =
      Rows(**reader,
           "SELECT pid, state, query FROM pg_stat_activity WHERE state = 'idle in transaction'");
  ASSERT_EQ(only.size(), 1u);
  EXPECT_EQ(only[0]["pid"], std::to_string((*in_tx)->backend_pid()));
  EXPECT_EQ(only[0].size(), 3u);

  // COMMIT ends the block: idle, no transaction start.
  ASSERT_TRUE((*in_tx)->Query("COMMIT")->ok());
  Row after = RowOf(Rows(**reader, "SELECT * FROM pg_stat_activity"), (*in_tx)->backend_pid());
  EXPECT_EQ(after["state"], "idle");
  EXPECT_EQ(after["query"], "COMMIT");
  EXPECT_FALSE(after["xact_start"].has_value());

  // SET application_name shows at once.
  ASSERT_TRUE((*in_tx)->Query("SET application_name = 'renamed'")->ok());
  EXPECT_EQ(RowOf(Rows(**reader, "SELECT * FROM pg_stat_activity"),
                  (*in_tx)->backend_pid())["application_name"],
            "renamed");

  // now() is the transaction's start, as xact_start shows it.
  auto now =
      Rows(**reader,
           "SELECT now() = xact_start AS same FROM pg_stat_activity WHERE pid = pg_backend_pid()");
  ASSERT_EQ(now.size(), 1u);
  EXPECT_EQ(now[0]["same"], "t");

  // Cancel the sleeper from the reader's session.
  auto cancel = Rows(**reader, "SELECT pg_cancel_backend(" + std::to_string(sleeper_pid) + ")");
  ASSERT_EQ(cancel.size(), 1u);
  EXPECT_EQ(cancel[0]["pg_cancel_backend"], "t");
  sleeping.join();
  EXPECT_EQ(sleep_error, "57014 canceling statement due to user request");
  EXPECT_EQ((*sleeper)->Query("SELECT 1")->Scalar(), "1") << "a cancel leaves the session usable";
}

// Scenario: a session ended by pg_terminate_backend gets FATAL 57P01 (real
// psql, running pg_sleep); a pid that is not a client backend (unknown, or
// the checkpointer) gives false and PostgreSQL's WARNING; the signal is in
// the event stream.
TEST(ActivityTest, TerminateAndUnknownPid) {
  Server server({"trace_file=trace.jsonl"});
  ASSERT_TRUE(server.Start());
  auto admin = server.Connect();
  ASSERT_TRUE(admin.ok());
  CommandResult psql;
  std::thread victim([&] {
    psql =
        RunCommand("PGAPPNAME=victim " + server.PsqlCommand() + " -c 'SELECT pg_sleep(60)' 2>&1");
  });
  auto rows = WaitForActivity(**admin, [](const std::vector<Row>& rs) {
    for (const auto& r : rs) {
      if (r.at("application_name") == "victim" && r.at("state") == "active") return true;
    }
    return false;
  });
  std::string pid;
  for (const auto& r : rows) {
    if (r.at("application_name") == "victim") pid = *r.at("pid");
  }
  ASSERT_FALSE(pid.empty()) << "psql's session is listed";
  auto term = Rows(**admin, "SELECT pg_terminate_backend(" + pid + ")");
  ASSERT_EQ(term.size(), 1u);
  EXPECT_EQ(term[0]["pg_terminate_backend"], "t");
  victim.join();
  EXPECT_NE(psql.out.find("FATAL:  terminating connection due to administrator command"),
            std::string::npos)
      << psql.out;
  EXPECT_NE(psql.status, 0);

  // A session waiting idle is ended too; its next query sees 57P01.
  auto idle = server.Connect();
  ASSERT_TRUE(idle.ok());
  int idle_pid = (*idle)->backend_pid();
  EXPECT_EQ(
      (*admin)->Query("SELECT pg_terminate_backend(" + std::to_string(idle_pid) + ")")->Scalar(),
      "t");
  ASSERT_TRUE(server.WaitForBackends(1));
  auto after = (*idle)->Query("SELECT 1");
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.error().sqlstate, "57P01");

  // Not a backend: false and a WARNING (SQLSTATE 01000).
  pid_t checkpointer = 0;
  for (pid_t p : ChildrenOf(server.pid())) {
    if (ProcessTitle(p) == "minipg: checkpointer") checkpointer = p;
  }
  ASSERT_NE(checkpointer, 0);
  for (int target : {999999, static_cast<int>(checkpointer)}) {
    for (const char* fn : {"pg_cancel_backend", "pg_terminate_backend"}) {
      auto r = (*admin)->Query(std::string("SELECT ") + fn + "(" + std::to_string(target) + ")");
      ASSERT_TRUE(r.ok() && r->ok());
      EXPECT_EQ(r->Scalar(), "f");
      ASSERT_EQ(r->notices.size(), 1u);
      EXPECT_EQ(r->notices[0].severity, "WARNING");
      EXPECT_EQ(r->notices[0].sqlstate, "01000");
      EXPECT_EQ(r->notices[0].message,
                "PID " + std::to_string(target) + " is not a PostgreSQL backend process");
    }
  }
  EXPECT_TRUE(server.Running()) << "the checkpointer was not signalled";
  EXPECT_NE(ProcessTitle(checkpointer).find("checkpointer"), std::string::npos);

  // The signal event: sender, target, signal, why.
  bool found = false;
  for (int waited = 0; waited < 10000 && !found; waited += 50) {
    std::ifstream in(server.data_dir() / "trace.jsonl");
    std::string line;
    while (std::getline(in, line)) {
      auto ev = nlohmann::json::parse(line, nullptr, false);
      if (ev.is_discarded() || ev.value("type", "") != "signal") continue;
      if (ev.value("target", 0) == std::stoi(pid) && ev.value("signal", "") == "SIGTERM" &&
          ev.value("why", "") == "pg_terminate_backend" &&
          ev.value("pid", 0) == (*admin)->backend_pid()) {
        found = true;
      }
    }
    if (!found) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(found) << "a signal event from the admin session to psql's backend";
}

// Scenario: with idle_in_transaction_session_timeout set, a session left
// idle inside BEGIN (or in a failed block) is ended with FATAL 25P03, while
// a session idle outside a transaction is left alone.
TEST(ActivityTest, IdleInTransactionSessionTimeout) {
  Server server;
  ASSERT_TRUE(server.Start());
  auto in_tx = server.Connect();
  auto failed = server.Connect();
  auto idle = server.Connect();
  ASSERT_TRUE(in_tx.ok() && failed.ok() && idle.ok());
  for (auto* c : {&in_tx, &failed, &idle}) {
    ASSERT_TRUE((**c)->Query("SET idle_in_transaction_session_timeout = '300ms'")->ok());
  }
  EXPECT_EQ((*idle)->Query("SHOW idle_in_transaction_session_timeout")->Scalar(), "300ms");
  ASSERT_TRUE((*in_tx)->Query("BEGIN")->ok());
  ASSERT_FALSE((*failed)->Query("BEGIN; SELECT 1/0")->ok());
  ASSERT_TRUE(server.WaitForBackends(1, 15000)) << "both sessions in a block were ended";
  for (auto* c : {&in_tx, &failed}) {
    auto r = (**c)->Query("SELECT 1");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().sqlstate, "25P03");
    EXPECT_EQ(r.error().message, "terminating connection due to idle-in-transaction timeout");
  }
  EXPECT_EQ((*idle)->Query("SELECT 1")->Scalar(), "1")
      << "a session outside a transaction is left alone";
  EXPECT_NE(server.Log().find("FATAL:  terminating connection due to idle-in-transaction timeout"),
            std::string::npos);
  EXPECT_EQ(server.Log().find("was terminated by signal"), std::string::npos)
      << "a normal FATAL exit, no crash";

  // A statement that takes longer than the timeout inside a block is not
  // idle: only the wait for the client counts.
  auto busy = server.Connect();
  ASSERT_TRUE(busy.ok());
  auto slow = (*busy)->Query(
      "SET idle_in_transaction_session_timeout = '200ms'; BEGIN; SELECT pg_sleep(0.5); COMMIT");
  ASSERT_TRUE(slow.ok()) << "the session was not ended while running";
  EXPECT_TRUE(slow->ok());
  EXPECT_EQ((*busy)->Query("SELECT 2")->Scalar(), "2");
}

// Scenario: while another transaction holds the database's DDL lock (it
// ran CREATE TABLE and has not ended), a CREATE TABLE waits:
// pg_stat_activity shows it active, waiting on Lock / object, and the
// stream has its lock_wait; once the holder commits the CREATE finishes,
// and lock_acquired says how long it waited. (The watcher is in database
// template1, whose DDL lock is its own.)
TEST(ActivityTest, AWaitForTheDdlLockIsShown) {
  Server server({"trace_file=trace.jsonl"});
  ASSERT_TRUE(server.Start());
  client::ConnectOptions o = server.Options();
  o.database = "template1";
  auto reader = client::Connection::Connect(o);
  auto writer = server.Connect(true, "writer");
  auto holder = server.Connect(true, "holder");
  ASSERT_TRUE(reader.ok() && writer.ok() && holder.ok());
  ASSERT_TRUE((*writer)->Query("CREATE TABLE t (a integer)")->ok());
  ASSERT_TRUE((*writer)->Query("INSERT INTO t VALUES (1)")->ok());
  ASSERT_TRUE((*holder)->Query("BEGIN")->ok());
  ASSERT_TRUE((*holder)->Query("CREATE TABLE held (a integer)")->ok());

  int writer_pid = (*writer)->backend_pid();
  bool inserted = false;
  std::thread inserting([&] {
    auto r = (*writer)->Query("CREATE TABLE t2 (a integer)");
    inserted = r.ok() && r->ok();
  });
  auto rows = WaitForActivity(**reader, [&](const std::vector<Row>& rs) {
    Row r = RowOf(rs, writer_pid);
    return !r.empty() && r["wait_event_type"] == "Lock";
  });
  Row row = RowOf(rows, writer_pid);
  EXPECT_EQ(row["wait_event_type"], "Lock");
  EXPECT_EQ(row["wait_event"], "object");
  EXPECT_EQ(row["state"], "active");
  EXPECT_EQ(row["query"], "CREATE TABLE t2 (a integer)");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ASSERT_TRUE((*holder)->Query("COMMIT")->ok());
  inserting.join();
  EXPECT_TRUE(inserted);
  row = RowOf(Rows(**reader, "SELECT * FROM pg_stat_activity"), writer_pid);
  EXPECT_EQ(row["wait_event"], "ClientRead") << "idle again, waiting for its client, not for the lock";
  EXPECT_EQ(Rows(**writer, "SELECT a FROM t2").size(), 0u);

  server.Stop(SIGINT);
  std::ifstream in(server.data_dir() / "trace.jsonl");
  std::string line;
  std::optional<nlohmann::json> wait, acquired;
  while (std::getline(in, line)) {
    auto e = nlohmann::json::parse(line);
    if (e["pid"] != writer_pid) continue;
    if (e["type"] == "lock_wait") wait = e;
    if (e["type"] == "lock_acquired") acquired = e;
  }
  ASSERT_TRUE(wait.has_value()) << "no lock_wait event";
  ASSERT_TRUE(acquired.has_value()) << "no lock_acquired event";
  EXPECT_EQ((*wait)["locktype"], "object");
  EXPECT_EQ((*wait)["lock"], "object 2200 of class 2615 of database 5");
  EXPECT_EQ((*wait)["mode"], "ExclusiveLock");
  EXPECT_EQ((*wait)["blocked_by"], nlohmann::json::array({(*holder)->backend_pid()}));
  EXPECT_GE((*acquired)["waited_us"].get<int64_t>(), 200000);
  EXPECT_EQ((*acquired)["granted"], true);  // a wait that failed says false (the viewer holds nothing then)
  EXPECT_GE((*acquired)["ts"].get<int64_t>() - (*wait)["ts"].get<int64_t>(), 200000);
}

/* A session of `user` (trust authentication over the Unix socket). */
std::unique_ptr<client::Connection> ConnectAs(const Server& server, const std::string& user) {
  client::ConnectOptions o = server.Options();
  o.user = user;
  o.database = "postgres";
  auto c = client::Connection::Connect(o);
  EXPECT_TRUE(c.ok()) << user << ": " << (c.ok() ? "" : c.error().message);
  return c.ok() ? std::move(*c) : nullptr;
}

/* Whether `row` is what a role without the privileges of its session's
 * role sees (PostgreSQL 15): who and where, and nothing of what it does. */
void ExpectHidden(const Row& row, const std::string& usename) {
  ASSERT_FALSE(row.empty());
  EXPECT_EQ(row.at("query"), "<insufficient privilege>");
  EXPECT_EQ(row.at("usename"), usename);
  EXPECT_EQ(row.at("datname"), "postgres");
  EXPECT_TRUE(row.at("usesysid").has_value());
  for (const char* col : {"state", "query_start", "xact_start", "backend_start", "state_change",
                          "client_addr", "client_port", "wait_event_type", "wait_event",
                          "backend_type"}) {
    EXPECT_FALSE(row.at(col).has_value()) << col << " must be NULL";
  }
}

// Scenario: bob runs ALTER ROLE ... PASSWORD in a block and stays idle in
// it; alice (an ordinary role) sees bob's row with <insufficient
// privilege> and NULLs, and her own row whole, and the auxiliary processes
// hidden too; the superuser sees bob's query; once alice is granted
// pg_read_all_stats (or pg_monitor, a member of it) she sees it too, and
// after REVOKE no more. The membership is in the catalog: it survives a
// restart.
TEST(ActivityTest, OtherRolesSessionsAreHidden) {
  Server server;
  ASSERT_TRUE(server.Start());
  auto admin = server.Connect();
  ASSERT_TRUE(admin.ok());
  ASSERT_TRUE((*admin)->Query("CREATE ROLE alice LOGIN; CREATE ROLE bob LOGIN")->ok());
  auto alice = ConnectAs(server, "alice");
  auto bob = ConnectAs(server, "bob");
  ASSERT_TRUE(alice && bob);
  const std::string secret = "BEGIN; ALTER ROLE bob PASSWORD 'hunter2'";
  ASSERT_TRUE(bob->Query(secret)->ok());
  std::string bob_pid = std::to_string(bob->backend_pid());

  auto seen = Rows(*alice, "SELECT * FROM pg_stat_activity");
  ExpectHidden(RowOf(seen, bob->backend_pid()), "bob");
  Row own = RowOf(seen, alice->backend_pid());
  EXPECT_EQ(own["query"], "SELECT * FROM pg_stat_activity");
  EXPECT_EQ(own["state"], "active");
  EXPECT_EQ(own["backend_type"], "client backend");
  Row super = RowOf(seen, (*admin)->backend_pid());
  EXPECT_EQ(super["query"], "<insufficient privilege>") << "a superuser's session is hidden too";
  for (const Row& r : seen) {
    if (r.at("usename") == std::nullopt) {  // the checkpointer and the event collector
      EXPECT_EQ(r.at("query"), "<insufficient privilege>");
      EXPECT_FALSE(r.at("backend_type").has_value());
    }
    EXPECT_EQ(r.at("query")->find("hunter2"), std::string::npos);
  }

  auto as_super = Rows(**admin, "SELECT * FROM pg_stat_activity");
  EXPECT_EQ(RowOf(as_super, bob->backend_pid())["query"], secret);
  EXPECT_EQ(RowOf(as_super, bob->backend_pid())["state"], "idle in transaction");

  const std::string bobs_query = "SELECT query FROM pg_stat_activity WHERE pid = " + bob_pid;
  auto granted = (*admin)->Query("GRANT pg_read_all_stats TO alice");
  ASSERT_TRUE(granted.ok() && granted->ok());
  EXPECT_EQ(granted->statements.back().tag, "GRANT ROLE");
  EXPECT_EQ(alice->Query(bobs_query)->Scalar(), secret) << "the next statement sees the grant";
  auto again = (*admin)->Query("GRANT pg_read_all_stats TO alice");
  ASSERT_TRUE(again.ok() && again->ok());
  ASSERT_EQ(again->notices.size(), 1u);
  EXPECT_EQ(again->notices[0].severity, "NOTICE");
  EXPECT_EQ(again->notices[0].message,
            "role \"alice\" is already a member of role \"pg_read_all_stats\"");
  EXPECT_EQ(Rows(**admin, "SELECT roleid, member FROM pg_auth_members WHERE member > 16000").size(),
            1u);

  // The grant is in the catalog: after a restart alice still sees bob's query.
  bob.reset();
  alice.reset();
  admin->reset();
  ASSERT_EQ(server.Stop(), 0);
  ASSERT_TRUE(server.Start());
  alice = ConnectAs(server, "alice");
  bob = ConnectAs(server, "bob");
  ASSERT_TRUE(alice && bob);
  ASSERT_TRUE(bob->Query("SELECT 'still bob'")->ok());
  EXPECT_EQ(alice->Query("SELECT query FROM pg_stat_activity WHERE pid = " +
                         std::to_string(bob->backend_pid()))
                ->Scalar(),
            "SELECT 'still bob'");

  // REVOKE takes it away; pg_monitor, a member of pg_read_all_stats, gives it back.
  admin = server.Connect();
  ASSERT_TRUE(admin.ok());
  ASSERT_TRUE((*admin)->Query("REVOKE pg_read_all_stats FROM alice")->ok());
  const std::string bobs_row = "SELECT * FROM pg_stat_activity WHERE pid = " +
                               std::to_string(bob->backend_pid());
  auto rows = Rows(*alice, bobs_row);
  ASSERT_EQ(rows.size(), 1u);
  ExpectHidden(rows[0], "bob");
  auto missing = (*admin)->Query("REVOKE pg_read_all_stats FROM alice");
  ASSERT_TRUE(missing.ok() && missing->ok());
  ASSERT_EQ(missing->notices.size(), 1u);
  EXPECT_EQ(missing->notices[0].severity, "WARNING");
  EXPECT_EQ(missing->notices[0].message,
            "role \"alice\" is not a member of role \"pg_read_all_stats\"");
  ASSERT_TRUE((*admin)->Query("GRANT pg_monitor TO alice")->ok());
  EXPECT_EQ(alice->Query("SELECT query FROM pg_stat_activity WHERE pid = " +
                         std::to_string(bob->backend_pid()))
                ->Scalar(),
            "SELECT 'still bob'");

  // A member of a role has its privileges: alice, made a member of bob,
  // sees bob's sessions; bob does not see alice's.
  ASSERT_TRUE((*admin)->Query("REVOKE pg_monitor FROM alice; GRANT bob TO alice")->ok());
  EXPECT_EQ(alice->Query("SELECT query FROM pg_stat_activity WHERE pid = " +
                         std::to_string(bob->backend_pid()))
                ->Scalar(),
            "SELECT 'still bob'")
      << "alice is a member of bob: she has bob's privileges";
  rows = Rows(*bob, "SELECT query FROM pg_stat_activity WHERE pid = " +
                        std::to_string(alice->backend_pid()));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["query"], "<insufficient privilege>") << "membership is one way";
}

// Scenario: GRANT and REVOKE of roles give PostgreSQL 15's errors: an
// ordinary role may not grant (42501), a cycle is 0LP01, an unknown role
// 42704; predefined roles cannot be altered or dropped; GRANT on a table is
// still not supported.
TEST(ActivityTest, GrantRoleErrors) {
  Server server;
  ASSERT_TRUE(server.Start());
  auto admin = server.Connect();
  ASSERT_TRUE(admin.ok());
  ASSERT_TRUE((*admin)->Query("CREATE ROLE alice LOGIN; CREATE ROLE bob LOGIN")->ok());
  auto error = [&](client::Connection& c, const std::string& sql) {
    auto r = c.Query(sql);
    EXPECT_TRUE(r.ok() && !r->ok()) << sql;
    return r.ok() && r->error ? r->error->sqlstate + " " + r->error->message : std::string();
  };
  EXPECT_EQ(error(**admin, "GRANT alice TO alice"), "0LP01 role \"alice\" is a member of role \"alice\"");
  ASSERT_TRUE((*admin)->Query("GRANT alice TO bob")->ok());
  EXPECT_EQ(error(**admin, "GRANT bob TO alice"), "0LP01 role \"bob\" is a member of role \"alice\"");
  EXPECT_EQ(error(**admin, "GRANT nosuch TO alice"), "42704 role \"nosuch\" does not exist");
  EXPECT_EQ(error(**admin, "GRANT pg_read_all_stats TO alice, nosuch"),
            "42704 role \"nosuch\" does not exist");
  EXPECT_EQ(error(**admin, "ALTER ROLE pg_monitor LOGIN"), "42939 role name \"pg_monitor\" is reserved");
  EXPECT_EQ(error(**admin, "DROP ROLE pg_read_all_stats"),
            "2BP01 cannot drop role pg_read_all_stats because it is required by the database system");
  EXPECT_EQ(error(**admin, "GRANT SELECT ON pg_roles TO alice").substr(0, 6), "0A000 ");
  auto alice = ConnectAs(server, "alice");
  ASSERT_TRUE(alice);
  EXPECT_EQ(error(*alice, "GRANT pg_read_all_stats TO alice"),
            "42501 must have admin option on role \"pg_read_all_stats\"");
  EXPECT_EQ(error(*alice, "REVOKE alice FROM bob"), "42501 must have admin option on role \"alice\"");
  // Dropping a role drops its memberships.
  ASSERT_TRUE((*admin)->Query("DROP ROLE bob")->ok());
  EXPECT_EQ(Rows(**admin, "SELECT * FROM pg_auth_members WHERE member > 16000").size(), 0u);
  // pg_monitor is a member of pg_read_all_stats, as initdb makes it.
  auto monitor = Rows(**admin, "SELECT roleid FROM pg_auth_members WHERE member = 3373 ORDER BY roleid");
  ASSERT_EQ(monitor.size(), 3u);
  EXPECT_EQ(monitor[1]["roleid"], "3375");
}

}  // namespace
}  // namespace minipg::testing
