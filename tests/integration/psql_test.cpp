/*
 * psql_test.cpp
 *   Real psql (PostgreSQL 15's) against minipg, over TCP and over the Unix
 *   socket: it must print exactly what it prints against PostgreSQL, and
 *   its Ctrl-C must cancel a running statement.
 */
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "tests/integration/server_harness.h"

namespace minipg::testing {
namespace {

bool HavePsql() { return RunCommand("command -v psql >/dev/null 2>&1").status == 0; }

class PsqlTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (!HavePsql()) GTEST_SKIP() << "psql is not installed (scripts/install-deps.sh installs it)";
    ASSERT_TRUE(server_.Start());
  }
  CommandResult Psql(const std::string& sql) {
    return RunCommand(server_.PsqlCommand(GetParam()) + " -c \"" + sql + "\" 2>&1");
  }
  Server server_;
};

// Scenario: a SELECT prints psql's aligned table, byte for byte as against PostgreSQL 15.
TEST_P(PsqlTest, SelectPrintsLikePostgres) {
  auto r = Psql("SELECT 1 AS one, 'hi' AS greeting");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, " one | greeting \n-----+----------\n   1 | hi\n(1 row)\n\n");
  r = Psql("SELECT 1; SELECT 2+2, true");
  EXPECT_EQ(r.out,
            " ?column? \n----------\n        1\n(1 row)\n\n"
            " ?column? | ?column? \n----------+----------\n        4 | t\n(1 row)\n\n");
}

// Scenario: transaction commands answer with PostgreSQL 15's command tags
// (psql prints them when not quiet): START TRANSACTION is not BEGIN.
TEST_P(PsqlTest, TransactionCommandTagsPrintLikePostgres) {
  auto r = RunCommand(server_.PsqlCommand(GetParam()) +
                      " -v QUIET=off -c 'START TRANSACTION' -c 'COMMIT' -c 'BEGIN' -c 'ROLLBACK' 2>&1");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(r.out, "START TRANSACTION\nCOMMIT\nBEGIN\nROLLBACK\n");
}

// Scenario: an error prints psql's ERROR line with the caret under the position.
TEST_P(PsqlTest, ErrorsPrintLikePostgres) {
  auto r = Psql("SELECT nope");
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.out, "ERROR:  column \"nope\" does not exist\nLINE 1: SELECT nope\n               ^\n");
}

// Scenario: tables made and filled through psql are read back through psql.
TEST_P(PsqlTest, CreateInsertSelect) {
  auto r = Psql("CREATE TABLE pets (id int, name text, good boolean)");
  EXPECT_EQ(r.status, 0) << r.out;
  r = Psql("INSERT INTO pets VALUES (1, 'rex', true), (2, 'tom', false)");
  EXPECT_EQ(r.status, 0) << r.out;
  r = Psql("SELECT name, id FROM pets WHERE good");
  EXPECT_EQ(r.out, " name | id \n------+----\n rex  |  1\n(1 row)\n\n");
}

// Scenario: DROP TABLE of a schema-qualified name, and IF EXISTS of one that
// is not there, print what psql prints against PostgreSQL 15: a user table
// named like a catalog is dropped as public.pg_class, pg_catalog.t is no
// user table, and a missing one is a NOTICE (a missing role or database too).
TEST_P(PsqlTest, DropTableQualifiedAndIfExists) {
  auto r = Psql("CREATE TABLE pg_class (a int)");
  EXPECT_EQ(r.status, 0) << r.out;
  r = Psql("CREATE TABLE t (a int)");
  EXPECT_EQ(r.status, 0) << r.out;
  r = Psql("DROP TABLE pg_catalog.t");
  EXPECT_EQ(r.out, "ERROR:  table \"t\" does not exist\n");
  r = Psql("DROP TABLE IF EXISTS pg_catalog.t, nosuch");
  EXPECT_EQ(r.out,
            "NOTICE:  table \"t\" does not exist, skipping\n"
            "NOTICE:  table \"nosuch\" does not exist, skipping\n");  // psql -q: no command tags
  r = Psql("DROP TABLE public.pg_class, public.t");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(r.out, "");
  r = Psql("SELECT relname FROM pg_class WHERE relname = 't'");
  EXPECT_EQ(r.out, " relname \n---------\n(0 rows)\n\n");
  r = Psql("DROP ROLE IF EXISTS nosuch");
  EXPECT_EQ(r.out, "NOTICE:  role \"nosuch\" does not exist, skipping\n");
  r = Psql("DROP DATABASE IF EXISTS nosuch");
  EXPECT_EQ(r.out, "NOTICE:  database \"nosuch\" does not exist, skipping\n");
}

// Scenario: a constraint's violation prints PostgreSQL 15's ERROR and DETAIL
// lines, and \di lists the indexes a PRIMARY KEY and CREATE INDEX made.
TEST_P(PsqlTest, ConstraintErrorsAndIndexesPrintLikePostgres) {
  auto r = Psql("CREATE TABLE u (id int PRIMARY KEY, qty int CHECK (qty > 0))");
  EXPECT_EQ(r.status, 0) << r.out;
  r = Psql("INSERT INTO u VALUES (1, 1)");
  EXPECT_EQ(r.status, 0) << r.out;
  r = Psql("INSERT INTO u VALUES (1, 2)");
  EXPECT_EQ(r.out,
            "ERROR:  duplicate key value violates unique constraint \"u_pkey\"\n"
            "DETAIL:  Key (id)=(1) already exists.\n");
  r = Psql("INSERT INTO u VALUES (2, 0)");
  EXPECT_EQ(r.out,
            "ERROR:  new row for relation \"u\" violates check constraint \"u_qty_check\"\n"
            "DETAIL:  Failing row contains (2, 0).\n");
  r = Psql("CREATE INDEX ON u (qty)");
  EXPECT_EQ(r.status, 0) << r.out;
  r = Psql("\\di");
  EXPECT_NE(r.out.find(" public | u_pkey    | index | "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" public | u_qty_idx | index | "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(2 rows)"), std::string::npos) << r.out;
}

INSTANTIATE_TEST_SUITE_P(Transports, PsqlTest, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "UnixSocket" : "Tcp"; });

// Scenario: Ctrl-C in psql sends a CancelRequest; pg_sleep ends with 57014 at once.
TEST(PsqlCancelTest, CtrlCCancelsSleep) {
  if (!HavePsql()) GTEST_SKIP() << "psql is not installed";
  Server server;
  ASSERT_TRUE(server.Start());
  std::string out_file = server.data_dir().string() + "/psql.out";
  pid_t psql = fork();
  if (psql == 0) {
    std::string cmd = "exec " + server.PsqlCommand(false) + " -c 'SELECT pg_sleep(60)' >" + out_file + " 2>&1";
    execl("/bin/sh", "sh", "-c", cmd.c_str(), nullptr);
    _exit(127);
  }
  auto start = std::chrono::steady_clock::now();
  // Wait until a backend is running the SELECT: its process title says so.
  bool running = false;
  for (int i = 0; i < 500 && !running; ++i) {
    for (pid_t b : server.Backends()) running |= ProcessTitle(b).find("SELECT") != std::string::npos;
    if (!running) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(running) << "psql's query never started";
  kill(psql, SIGINT);
  int status = 0;
  waitpid(psql, &status, 0);
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::seconds(30));
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  std::string out = RunCommand("cat " + out_file).out;
  EXPECT_NE(out.find("ERROR:  canceling statement due to user request"), std::string::npos) << out;
}

}  // namespace
}  // namespace minipg::testing
