/*
 * auth_test.cpp
 *   Roles, databases, pg_hba.conf and password authentication against a
 *   real minipg, with real psql (PGPASSWORD in its environment) and with
 *   our client library: each method's right and wrong password, reject, no
 *   matching line, the startup checks (3D000, 28000), a SIGHUP reload,
 *   databases that keep their own tables across a restart, and the
 *   role/database DDL's errors.
 */
#include "sim/client/auth.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/integration/server_harness.h"

namespace minipg::testing {
namespace {

bool HavePsql() {
  return RunCommand("command -v psql >/dev/null 2>&1").status == 0;
}

size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1))
    ++n;
  return n;
}

class AuthTest : public ::testing::Test {
 protected:
  AuthTest() : server_({"trace_file=trace.jsonl"}) {}
  void SetUp() override { ASSERT_TRUE(server_.Start()); }

  /* Runs SQL as the superuser over the Unix socket; every statement must succeed. */
  void Admin(const std::string& sql, const std::string& database = "postgres") {
    auto o = server_.Options(true);
    o.database = database;
    auto c = client::Connection::Connect(o);
    ASSERT_TRUE(c.ok()) << c.error().message;
    auto r = (*c)->Query(sql);
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_TRUE(r->ok()) << sql << ": " << r->error->message;
    (*c)->Close();
  }

  /* Replaces pg_hba.conf and sends SIGHUP; returns once the postmaster has re-read it. */
  void Reload(const std::string& hba) {
    std::ofstream(server_.data_dir() / "pg_hba.conf") << hba;
    size_t before = Count(server_.Log(), "received SIGHUP, reloading configuration files");
    kill(server_.pid(), SIGHUP);
    for (int i = 0; i < 500 && Count(server_.Log(), "received SIGHUP") == before; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_GT(Count(server_.Log(), "received SIGHUP, reloading configuration files"), before);
  }

  /* psql over TCP as `user` to `database`, with PGPASSWORD = `password` unless empty;
   * stdout+stderr. */
  CommandResult Psql(const std::string& user, const std::string& password, const std::string& sql,
                     const std::string& database = "postgres", bool unix_socket = false) {
    std::string host = unix_socket ? server_.data_dir().string() : std::string("127.0.0.1");
    std::string env = password.empty() ? "env -u PGPASSWORD " : "PGPASSWORD='" + password + "' ";
    return RunCommand(env + "psql -X -q -w -At -h " + host + " -p " +
                      std::to_string(server_.port()) + " -U " + user + " -d " + database +
                      " -c \"" + sql + "\" 2>&1");
  }

  Result<std::unique_ptr<client::Connection>> ConnectAs(const std::string& user,
                                                        const std::string& password,
                                                        const std::string& database = "postgres",
                                                        bool unix_socket = false) {
    auto o = server_.Options(unix_socket);
    o.user = user;
    o.password = password;
    o.database = database;
    return client::Connection::Connect(o);
  }

  Server server_;
};

// Scenario: under each password method the right password connects (psql and our client) and a
// wrong one fails with 28P01 "password authentication failed"; psql without a password gets libpq's
// message.
TEST_F(AuthTest, PasswordMethods) {
  if (!HavePsql()) GTEST_SKIP() << "psql is not installed";
  for (std::string method : {"password", "md5", "scram-sha-256"}) {
    SCOPED_TRACE(method);
    std::string encryption = method == "md5" ? "md5" : "scram-sha-256";
    Admin("SET password_encryption = '" + encryption + "'; CREATE USER alice PASSWORD 'wonder'");
    Reload("local all all trust\nhost all all 127.0.0.1/32 " + method + "\n");

    auto ok = Psql("alice", "wonder", "SELECT current_user");
    EXPECT_EQ(ok.status, 0) << ok.out;
    EXPECT_EQ(ok.out, "alice\n");
    auto c = ConnectAs("alice", "wonder");
    ASSERT_TRUE(c.ok()) << c.error().message;
    EXPECT_EQ((*c)->Query("SELECT current_user")->Scalar(), "alice");
    (*c)->Close();

    auto bad = Psql("alice", "wrong", "SELECT 1");
    EXPECT_NE(bad.status, 0);
    EXPECT_NE(bad.out.find("FATAL:  password authentication failed for user \"alice\""),
              std::string::npos)
        << bad.out;
    auto bad_client = ConnectAs("alice", "wrong");
    ASSERT_FALSE(bad_client.ok());
    EXPECT_EQ(bad_client.error().sqlstate, "28P01");

    auto ghost = ConnectAs("ghost", "wonder");
    ASSERT_FALSE(ghost.ok());
    EXPECT_EQ(ghost.error().sqlstate, "28P01") << "an unknown role looks like a wrong password";

    auto none = Psql("alice", "", "SELECT 1");
    EXPECT_NE(none.out.find("fe_sendauth: no password supplied"), std::string::npos) << none.out;
    auto none_client = ConnectAs("alice", "");
    ASSERT_FALSE(none_client.ok());
    EXPECT_EQ(none_client.error().message, client::kNoPasswordSupplied);

    Admin("DROP ROLE alice");
  }
  EXPECT_EQ(Count(server_.Log(), "FATAL:  password authentication failed"), 9u)
      << "psql and the client with a wrong password and an unknown role, each method; hanging up "
         "is quiet";
}

// Scenario: a reject line refuses; no matching line refuses with PostgreSQL's message, for TCP and
// local.
TEST_F(AuthTest, RejectAndNoMatchingLine) {
  if (!HavePsql()) GTEST_SKIP() << "psql is not installed";
  Admin("CREATE USER rej; CREATE USER other");
  Reload("local all " + Superuser() + " trust\nhost all rej 127.0.0.0/8 reject\n");
  auto r = Psql("rej", "", "SELECT 1");
  EXPECT_NE(
      r.out.find(
          "FATAL:  pg_hba.conf rejects connection for host \"127.0.0.1\", user \"rej\", database "
          "\"postgres\", no encryption"),
      std::string::npos)
      << r.out;
  auto c = ConnectAs("rej", "");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().sqlstate, "28000");
  r = Psql("other", "", "SELECT 1");
  EXPECT_NE(r.out.find("FATAL:  no pg_hba.conf entry for host \"127.0.0.1\", user \"other\", "
                       "database \"postgres\", "
                       "no encryption"),
            std::string::npos)
      << r.out;
  r = Psql("other", "", "SELECT 1", "postgres", true);
  EXPECT_NE(r.out.find("FATAL:  no pg_hba.conf entry for host \"[local]\", user \"other\", "
                       "database \"postgres\", "
                       "no encryption"),
            std::string::npos)
      << r.out;
}

// Scenario: after authentication, an unknown database is 3D000, an unknown role and a NOLOGIN role
// 28000.
TEST_F(AuthTest, StartupChecks) {
  if (!HavePsql()) GTEST_SKIP() << "psql is not installed";
  Admin("CREATE ROLE nolog");
  auto r = Psql(Superuser(), "", "SELECT 1", "nosuchdb");
  EXPECT_NE(r.out.find("FATAL:  database \"nosuchdb\" does not exist"), std::string::npos) << r.out;
  r = Psql("nobody", "", "SELECT 1");
  EXPECT_NE(r.out.find("FATAL:  role \"nobody\" does not exist"), std::string::npos) << r.out;
  r = Psql("nolog", "", "SELECT 1");
  EXPECT_NE(r.out.find("FATAL:  role \"nolog\" is not permitted to log in"), std::string::npos)
      << r.out;
  auto o = server_.Options(true);
  o.database = "nosuchdb";
  auto c = client::Connection::Connect(o);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().sqlstate, "3D000");
  c = ConnectAs("nolog", "");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().sqlstate, "28000");
  c = ConnectAs("nobody", "");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().sqlstate, "28000");
}

// Scenario: SIGHUP switches TCP from trust to scram-sha-256 for the next connection; a broken file
// is logged with its line and the rules in force stay.
TEST_F(AuthTest, ReloadSwitchesTrustToScram) {
  if (!HavePsql()) GTEST_SKIP() << "psql is not installed";
  Admin("CREATE ROLE bob LOGIN PASSWORD 'builder'");
  auto r = Psql("bob", "", "SELECT current_user");
  EXPECT_EQ(r.out, "bob\n") << "the default pg_hba.conf trusts 127.0.0.1";
  Reload("local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n");
  r = Psql("bob", "", "SELECT 1");
  EXPECT_NE(r.out.find("fe_sendauth: no password supplied"), std::string::npos) << r.out;
  r = Psql("bob", "builder", "SELECT current_user");
  EXPECT_EQ(r.out, "bob\n");

  Reload("local all all trust\nhost all all 127.0.0.1/32 trust\nhost all all 10.0.0.0/99 trust\n");
  // The postmaster logs "received SIGHUP" before it reads the file: wait for the verdict.
  std::string log = server_.Log();
  for (int i = 0; i < 500 && log.find("pg_hba.conf was not reloaded") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    log = server_.Log();
  }
  EXPECT_NE(log.find("LOG:  invalid CIDR mask in address \"10.0.0.0/99\""), std::string::npos)
      << log;
  EXPECT_NE(log.find("line 3 of configuration file"), std::string::npos) << log;
  EXPECT_NE(log.find("LOG:  pg_hba.conf was not reloaded"), std::string::npos) << log;
  r = Psql("bob", "", "SELECT 1");
  EXPECT_NE(r.out.find("fe_sendauth: no password supplied"), std::string::npos)
      << "scram is still in force";
}

// Scenario: our client authenticates with SCRAM, md5 and password, and refuses to go on without a
// password.
TEST_F(AuthTest, ClientLibraryAuthenticates) {
  Admin(
      "CREATE USER s PASSWORD 'p1'; SET password_encryption = md5; CREATE USER m PASSWORD 'p2'; "
      "CREATE USER c PASSWORD 'p3'");
  Reload(
      "local all all trust\nhost all s 127.0.0.1/32 scram-sha-256\nhost all m 127.0.0.1/32 md5\n"
      "host all c 127.0.0.1/32 password\n");
  for (auto [user, password] : {std::pair{"s", "p1"}, {"m", "p2"}, {"c", "p3"}}) {
    auto c = ConnectAs(user, password);
    ASSERT_TRUE(c.ok()) << user << ": " << c.error().message;
    EXPECT_EQ((*c)->Query("SELECT current_user")->Scalar(), user);
    EXPECT_EQ((*c)->parameters().at("is_superuser"), "off");
    (*c)->Close();
    auto bad = ConnectAs(user, "nope");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().sqlstate, "28P01") << user;
  }
  // md5 with a SCRAM secret falls back to SCRAM, as in PostgreSQL.
  Reload("local all all trust\nhost all all 127.0.0.1/32 md5\n");
  auto c = ConnectAs("s", "p1");
  ASSERT_TRUE(c.ok()) << c.error().message;
  (*c)->Close();
}

// Scenario: CREATE DATABASE copies template1, which nobody may use then; a
// session on template1 that leaves half a second later (one that has just
// said goodbye is still exiting) is waited for, as PostgreSQL waits up to
// 5 s, and DROP DATABASE likewise waits for the dropped one's last session.
TEST_F(AuthTest, CreateAndDropDatabaseWaitForSessionsLeaving) {
  // Connects to `database`, runs `sql` in another session while the first
  // leaves half a second later.
  auto while_one_leaves = [&](const std::string& database, const std::string& sql) {
    auto o = server_.Options(true);
    o.database = database;
    auto leaving = client::Connection::Connect(o);
    ASSERT_TRUE(leaving.ok()) << leaving.error().message;
    std::thread leave([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      (*leaving)->Close();
    });
    Admin(sql);
    leave.join();
  };
  while_one_leaves("template1", "CREATE DATABASE waited");
  while_one_leaves("waited", "DROP DATABASE waited");
}

// Scenario: two databases keep their own tables; DROP DATABASE removes one; everything survives a
// restart.
TEST_F(AuthTest, DatabasesAreIsolatedAndSurviveRestart) {
  // template1's tables are copied into every new database, as in PostgreSQL.
  Admin("CREATE TABLE from_template (x int); INSERT INTO from_template VALUES (7)", "template1");
  // One statement per Query: CREATE DATABASE cannot run in the implicit
  // transaction of a multi-statement Query (25001), as in PostgreSQL.
  for (const char* sql : {"CREATE DATABASE d1", "CREATE DATABASE d2", "CREATE DATABASE d3",
                          "CREATE USER alice PASSWORD 'wonder'"}) {
    Admin(sql);
  }
  Admin("CREATE TABLE t (id int, v text); INSERT INTO t VALUES (1, 'one in d1')", "d1");
  Admin(
      "CREATE TABLE t (id int, v text); INSERT INTO t VALUES (2, 'two in d2'), (3, 'three in d2')",
      "d2");
  auto o = server_.Options(true);
  o.database = "d1";
  auto c1 = client::Connection::Connect(o);
  ASSERT_TRUE(c1.ok());
  EXPECT_EQ((*c1)->Query("SELECT v FROM t")->Scalar(), "one in d1");
  EXPECT_EQ((*c1)->Query("SELECT current_database()")->Scalar(), "d1");
  EXPECT_EQ((*c1)->Query("SELECT x FROM from_template")->Scalar(), "7");
  auto in_use = (*c1)->Query("DROP DATABASE d1");
  ASSERT_TRUE(in_use.ok());
  ASSERT_FALSE(in_use->ok());
  EXPECT_EQ(in_use->error->sqlstate, "55006");
  EXPECT_EQ(in_use->error->message, "cannot drop the currently open database");
  o.database = "postgres";
  auto c0 = client::Connection::Connect(o);
  ASSERT_TRUE(c0.ok());
  auto other = (*c0)->Query("DROP DATABASE d1");
  ASSERT_FALSE(other->ok());
  EXPECT_EQ(other->error->sqlstate, "55006") << "another session is in d1";
  EXPECT_EQ(other->error->message, "database \"d1\" is being accessed by other users");
  (*c1)->Close();
  EXPECT_EQ((*c0)->Query("SELECT 1 FROM t").value().error->sqlstate, "42P01")
      << "postgres has no table t";
  o.database = "template1";
  auto in_template = client::Connection::Connect(o);
  ASSERT_TRUE(in_template.ok());
  auto busy = (*c0)->Query("CREATE DATABASE d4");
  ASSERT_FALSE(busy->ok());
  EXPECT_EQ(busy->error->sqlstate, "55006");
  EXPECT_EQ(busy->error->message, "source database \"template1\" is being accessed by other users");
  (*in_template)->Close();
  server_.WaitForBackends(1);
  // Its OID comes from the shared counter (tables take OIDs too): ask pg_database.
  std::string d3_oid = (*c0)->Query("SELECT oid FROM pg_database WHERE datname = 'd3'")->Scalar().value_or("");
  ASSERT_FALSE(d3_oid.empty());
  ASSERT_TRUE((*c0)->Query("DROP DATABASE d3")->ok());
  (*c0)->Close();

  ASSERT_EQ(server_.Stop(SIGINT), 0);
  ASSERT_TRUE(server_.Start());
  o.database = "d2";
  auto c2 = client::Connection::Connect(o);
  ASSERT_TRUE(c2.ok());
  auto rows = (*c2)->Query("SELECT id, v FROM t");
  ASSERT_TRUE(rows.ok() && rows->ok());
  ASSERT_EQ(rows->statements[0].rows.size(), 2u);
  EXPECT_EQ(*rows->statements[0].rows[1][1], "three in d2");
  (*c2)->Close();
  o.database = "d1";
  c1 = client::Connection::Connect(o);
  ASSERT_TRUE(c1.ok());
  EXPECT_EQ((*c1)->Query("SELECT v FROM t")->Scalar(), "one in d1");
  (*c1)->Close();
  o.database = "d3";
  auto c3 = client::Connection::Connect(o);
  ASSERT_FALSE(c3.ok());
  EXPECT_EQ(c3.error().sqlstate, "3D000") << "d3 was dropped";
  EXPECT_FALSE(std::filesystem::exists(server_.data_dir() / "base" / d3_oid))
      << "its folder is gone";
  Reload("local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n");
  auto alice = ConnectAs("alice", "wonder", "d2");
  ASSERT_TRUE(alice.ok()) << "the role and its secret survived: " << alice.error().message;
  (*alice)->Close();
}

// Scenario: role and database DDL report PostgreSQL's SQLSTATEs, and only superusers (or CREATEDB
// roles, for databases) may run it.
TEST_F(AuthTest, DdlErrors) {
  auto su = server_.Connect();
  ASSERT_TRUE(su.ok());
  auto expect_error = [](client::Connection& c, const std::string& sql, const std::string& sqlstate,
                         const std::string& message) {
    auto r = c.Query(sql);
    ASSERT_TRUE(r.ok());
    ASSERT_FALSE(r->ok()) << sql;
    EXPECT_EQ(r->error->sqlstate, sqlstate) << sql;
    EXPECT_EQ(r->error->message, message) << sql;
  };
  auto expect_ok = [](client::Connection& c, const std::string& sql, const std::string& tag) {
    auto r = c.Query(sql);
    ASSERT_TRUE(r.ok());
    ASSERT_TRUE(r->ok()) << sql << ": " << r->error->message;
    EXPECT_EQ(r->statements.back().tag, tag) << sql;
  };
  client::Connection& s = **su;
  expect_ok(s, "CREATE ROLE plain LOGIN", "CREATE ROLE");
  expect_ok(s, "CREATE USER maker WITH CREATEDB PASSWORD 'x'", "CREATE ROLE");
  expect_error(s, "CREATE ROLE plain", "42710", "role \"plain\" already exists");
  expect_error(s, "ALTER ROLE ghost LOGIN", "42704", "role \"ghost\" does not exist");
  expect_error(s, "DROP ROLE ghost", "42704", "role \"ghost\" does not exist");
  expect_ok(s, "DROP ROLE IF EXISTS ghost", "DROP ROLE");
  expect_error(s, "CREATE ROLE x LOGIN NOLOGIN", "42601", "conflicting or redundant options");
  expect_error(s, "CREATE ROLE pg_x", "42939", "role name \"pg_x\" is reserved");
  expect_error(s, "DROP ROLE " + Superuser(), "55006", "current user cannot be dropped");
  expect_ok(s, "CREATE DATABASE shop", "CREATE DATABASE");
  expect_error(s, "CREATE DATABASE shop", "42P04", "database \"shop\" already exists");
  expect_error(s, "DROP DATABASE nowhere", "3D000", "database \"nowhere\" does not exist");
  expect_ok(s, "DROP DATABASE IF EXISTS nowhere", "DROP DATABASE");
  expect_error(s, "DROP DATABASE postgres", "55006", "cannot drop the currently open database");
  expect_ok(s, "ALTER ROLE plain WITH PASSWORD 'pw' NOCREATEDB", "ALTER ROLE");

  auto p = ConnectAs("plain", "", "postgres", true);
  ASSERT_TRUE(p.ok()) << p.error().message;
  client::Connection& plain = **p;
  EXPECT_EQ(plain.Query("SELECT current_user")->Scalar(), "plain");
  EXPECT_EQ(plain.Query("SHOW is_superuser")->Scalar(), "off");
  EXPECT_EQ(s.Query("SHOW is_superuser")->Scalar(), "on");
  expect_error(plain, "CREATE ROLE z", "42501", "permission denied to create role");
  expect_error(plain, "DROP ROLE maker", "42501", "permission denied to drop role");
  expect_error(plain, "ALTER ROLE maker NOLOGIN", "42501", "permission denied");
  expect_error(plain, "ALTER ROLE plain CREATEDB", "42501", "permission denied");
  expect_error(plain, "CREATE DATABASE z", "42501", "permission denied to create database");
  expect_error(plain, "DROP DATABASE shop", "42501", "must be owner of database shop");
  expect_error(plain, "SELECT minipg_crash()", "42501",
               "permission denied for function minipg_crash");
  expect_ok(plain, "ALTER ROLE plain PASSWORD 'mine'", "ALTER ROLE");
  plain.Close();

  auto m = ConnectAs("maker", "", "postgres", true);
  ASSERT_TRUE(m.ok());
  expect_ok(**m, "CREATE DATABASE made", "CREATE DATABASE");
  expect_ok(**m, "DROP DATABASE made", "DROP DATABASE");
  expect_error(**m, "CREATE ROLE z", "42501", "permission denied to create role");
  (*m)->Close();
  s.Close();
}

// Scenario: a role that is not a superuser may not CHECKPOINT, use server-side files, or signal
// other roles' backends, with PostgreSQL 15's errors; it may signal its own role's backends.
TEST_F(AuthTest, NonSuperuserPrivileges) {
  Admin("CREATE ROLE plain LOGIN");
  Admin("CREATE ROLE other LOGIN");
  Admin("CREATE TABLE t (a int)");
  auto su = server_.Connect();
  auto p = ConnectAs("plain", "", "postgres", true);
  auto p2 = ConnectAs("plain", "", "postgres", true);
  auto o = ConnectAs("other", "", "postgres", true);
  ASSERT_TRUE(su.ok() && p.ok() && p2.ok() && o.ok());
  client::Connection& plain = **p;
  auto expect_error = [&](const std::string& sql, const std::string& message) {
    auto r = plain.Query(sql);
    ASSERT_TRUE(r.ok());
    ASSERT_FALSE(r->ok()) << sql;
    EXPECT_EQ(r->error->sqlstate, "42501") << sql;
    EXPECT_EQ(r->error->message, message) << sql;
  };
  expect_error("CHECKPOINT", "must be superuser or have privileges of pg_checkpoint to do CHECKPOINT");
  expect_error("COPY t FROM '/etc/hostname'",
               "must be superuser or have privileges of the pg_read_server_files role to COPY from a file");
  expect_error("COPY t TO '/tmp/minipg_never_written'",
               "must be superuser or have privileges of the pg_write_server_files role to COPY to a file");
  std::string su_pid = std::to_string((*su)->backend_pid());
  std::string other_pid = std::to_string((*o)->backend_pid());
  expect_error("SELECT pg_cancel_backend(" + su_pid + ")", "must be a superuser to cancel superuser query");
  expect_error("SELECT pg_terminate_backend(" + su_pid + ")", "must be a superuser to terminate superuser process");
  expect_error("SELECT pg_cancel_backend(" + other_pid + ")",
               "must be a member of the role whose query is being canceled or member of pg_signal_backend");
  expect_error("SELECT pg_terminate_backend(" + other_pid + ")",
               "must be a member of the role whose process is being terminated or member of pg_signal_backend");
  // Its own role's other session: allowed.
  EXPECT_EQ(plain.Query("SELECT pg_cancel_backend(" + std::to_string((*p2)->backend_pid()) + ")")->Scalar(), "t");
  // The superuser may signal anyone.
  EXPECT_EQ((*su)->Query("SELECT pg_terminate_backend(" + other_pid + ")")->Scalar(), "t");
  EXPECT_EQ((*su)->Query("CHECKPOINT")->statements.back().tag, "CHECKPOINT");
}

// Scenario: the event stream shows the method asked for, the method that succeeded, why a
// failure failed, and each pg_hba.conf reload with whether it was used.
TEST_F(AuthTest, AuthenticationEvents) {
  Admin("CREATE USER alice PASSWORD 'wonder'");
  Reload("local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n");
  auto good = ConnectAs("alice", "wonder");
  ASSERT_TRUE(good.ok());
  int good_pid = (*good)->backend_pid();
  (*good)->Close();
  ASSERT_FALSE(ConnectAs("alice", "wrong").ok());
  Reload("bogus line\n");
  ASSERT_EQ(server_.Stop(SIGINT), 0);

  std::ifstream in(server_.data_dir() / "trace.jsonl");
  std::vector<nlohmann::json> events;
  for (std::string line; std::getline(in, line);) events.push_back(nlohmann::json::parse(line));
  auto find = [&](const std::string& type, const std::function<bool(const nlohmann::json&)>& pred) {
    for (const auto& e : events) {
      if (e["type"] == type && pred(e)) return e;
    }
    return nlohmann::json();
  };
  auto request = find("auth_request", [&](const auto& e) { return e["pid"] == good_pid; });
  ASSERT_FALSE(request.is_null());
  EXPECT_EQ(request["method"], "scram-sha-256");
  EXPECT_EQ(request["hba_line"], 2);
  auto ok = find("auth_ok", [&](const auto& e) { return e["pid"] == good_pid; });
  ASSERT_FALSE(ok.is_null());
  EXPECT_EQ(ok["method"], "scram-sha-256");
  EXPECT_EQ(ok["user"], "alice");
  auto failed = find("auth_failed", [](const auto&) { return true; });
  ASSERT_FALSE(failed.is_null());
  EXPECT_EQ(failed["reason"], "wrong password");
  EXPECT_EQ(failed["sqlstate"], "28P01");
  auto reload_ok = find("hba_reload", [](const auto& e) { return e["ok"] == true; });
  ASSERT_FALSE(reload_ok.is_null());
  EXPECT_EQ(reload_ok["lines"], 2);
  auto reload_bad = find("hba_reload", [](const auto& e) { return e["ok"] == false; });
  ASSERT_FALSE(reload_bad.is_null());
  EXPECT_EQ(reload_bad["error"], "line 1: invalid connection type \"bogus\"");
  EXPECT_EQ(reload_bad["lines"], 2) << "the old rules stay";
}

}  // namespace
}  // namespace minipg::testing
