/*
 * seqview_test.cpp
 *   Sequences and views through real psql 15: \ds, \dv, \d of a sequence and
 *   of a view print what they print against PostgreSQL 15 for the objects
 *   of tests/integration/data/psql15_queries/setup.sql; and nextval never
 *   goes backwards across a kill -9 of the whole server.
 */
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "tests/integration/server_harness.h"

namespace minipg::testing {
namespace {

bool HavePsql() { return RunCommand("command -v psql >/dev/null 2>&1").status == 0; }

std::string ReadExpected(const std::string& name) {
  std::ifstream in(SourceDir() + "/tests/integration/data/psql15_queries/" + name);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

CommandResult Psql(const Server& server, const std::string& sql, const std::string& user = "") {
  return RunCommand(server.PsqlCommand() + (user.empty() ? "" : " -U " + user) + " -c \"" + sql + "\" 2>&1");
}

// setup.sql's objects, without the REFERENCES (psql_describe_test runs all of
// setup.sql); \ds, \dv and \d print what PostgreSQL 15 printed for them.
const char* const kSetup[] = {
    "create table customers (id serial primary key, email text unique, name varchar(40) not null)",
    "create table orders (id bigserial primary key, customer_id int, amount numeric(10,2) check (amount > 0), "
    "placed date default current_date)",
    "create index orders_customer_idx on orders(customer_id)",
    "create view big_orders as select * from orders where amount > 100",
    "create sequence ticket_seq",
};

// Scenario: psql's \ds, \dv, \d ticket_seq and \d big_orders print, byte for
// byte, PostgreSQL 15's output for the same objects.
TEST(SeqViewPsqlTest, DescribeSequencesAndViewsLikePostgres) {
  if (!HavePsql()) GTEST_SKIP() << "psql is not installed";
  Server server;
  ASSERT_TRUE(server.Start());
  // PostgreSQL's outputs name the owner postgres.
  ASSERT_EQ(Psql(server, "CREATE ROLE postgres SUPERUSER LOGIN").status, 0);
  for (const char* sql : kSetup) {
    auto r = Psql(server, sql, "postgres");
    ASSERT_EQ(r.status, 0) << sql << "\n" << r.out;
  }
  EXPECT_EQ(Psql(server, "\\ds", "postgres").out, ReadExpected("ds.out"));
  EXPECT_EQ(Psql(server, "\\dv", "postgres").out, ReadExpected("dv.out"));
  EXPECT_EQ(Psql(server, "\\d ticket_seq", "postgres").out, ReadExpected("d_ticket_seq.out"));
  EXPECT_EQ(Psql(server, "\\d big_orders", "postgres").out, ReadExpected("d_big_orders.out"));
  // nextval of a relation that is not a sequence, a system catalog too (PostgreSQL's words).
  EXPECT_EQ(Psql(server, "select nextval('customers')").out, "ERROR:  \"customers\" is not a sequence\n");
  EXPECT_EQ(Psql(server, "select nextval('pg_class')").out, "ERROR:  \"pg_class\" is not a sequence\n");
}

// Scenario: values handed out by nextval are never handed out again after a
// kill -9 of the whole server (WAL logged 32 values ahead), ROLLBACK does
// not undo a nextval, and a serial column keeps counting after the crash.
TEST(SeqViewCrashTest, NextvalNeverGoesBackwardsAfterKill) {
  if (!HavePsql()) GTEST_SKIP() << "psql is not installed";
  ScopedDataDir dir;
  long last = 0;
  {
    Server server({}, dir.path);
    ASSERT_TRUE(server.Start());
    ASSERT_EQ(Psql(server, "CREATE SEQUENCE s").status, 0);
    ASSERT_EQ(Psql(server, "CREATE TABLE t (id serial, v text)").status, 0);
    auto r = Psql(server, "BEGIN; SELECT nextval('s') FROM generate_series(1, 40); ROLLBACK");
    ASSERT_EQ(r.status, 0) << r.out;
    r = RunCommand(server.PsqlCommand() + " -At -c \"SELECT nextval('s')\" 2>&1");
    ASSERT_EQ(r.status, 0) << r.out;
    last = std::stol(r.out);
    EXPECT_EQ(last, 41) << "ROLLBACK keeps what nextval did";
    ASSERT_EQ(Psql(server, "INSERT INTO t (v) SELECT 'x' FROM generate_series(1, 5)").status, 0);
    KillWholeServer(server);
  }
  Server server({}, dir.path);
  ASSERT_TRUE(server.Start());
  auto r = RunCommand(server.PsqlCommand() + " -At -c \"SELECT nextval('s')\" 2>&1");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_GT(std::stol(r.out), last) << server.Log();
  r = Psql(server, "INSERT INTO t (v) VALUES ('after')");
  ASSERT_EQ(r.status, 0) << r.out;
  r = RunCommand(server.PsqlCommand() + " -At -c \"SELECT count(*), max(id) > 5 FROM t\" 2>&1");
  EXPECT_EQ(r.out, "6|t\n");
}

}  // namespace
}  // namespace minipg::testing
