/*
 * savepoint_test.cpp
 *   Subtransactions and the implicit transaction of a Query through a real
 *   server, with PostgreSQL 15's answers: ROLLBACK TO keeps the parent's
 *   rows, an error inside a savepoint fails the block ('E') until ROLLBACK
 *   TO, which makes it 'T' again; a Query of several statements is rolled
 *   back whole by an error; psql's ON_ERROR_ROLLBACK loses only the failing
 *   statement; after ROLLBACK TO and a kill -9 of the whole server, the
 *   rolled-back subtransaction's rows stay invisible and the committed
 *   ones are there.
 */
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>

#include "tests/integration/server_harness.h"

namespace minipg::testing {
namespace {

/* Runs `sql`; the first column of the last statement's rows. */
std::vector<std::string> Column(client::Connection& c, const std::string& sql) {
  std::vector<std::string> out;
  auto r = c.Query(sql);
  EXPECT_TRUE(r.ok() && r->ok()) << sql << ": " << (r.ok() && r->error ? r->error->message : "");
  if (!r.ok() || !r->ok()) return out;
  for (const auto& row : r->statements.back().rows) out.push_back(row[0].value_or("NULL"));
  return out;
}

/* Runs `sql`: "" if it succeeded, else "SQLSTATE message". */
std::string ErrorOf(client::Connection& c, const std::string& sql) {
  auto r = c.Query(sql);
  if (!r.ok()) return r.error().message;
  return r->error ? r->error->sqlstate + " " + r->error->message : "";
}

using Lines = std::vector<std::string>;

// Scenario: the status byte and the rows through a block with savepoints,
// an error inside one, and a Query of several statements.
TEST(SavepointTest, StatusBytesAndRows) {
  Server server;
  ASSERT_TRUE(server.Start());
  auto conn = server.ConnectWhenReady(30000);
  ASSERT_TRUE(conn.ok());
  client::Connection& c = **conn;
  EXPECT_EQ(ErrorOf(c, "CREATE TABLE t (a int PRIMARY KEY)"), "");
  EXPECT_EQ(ErrorOf(c, "SAVEPOINT a"), "25P01 SAVEPOINT can only be used in transaction blocks");
  EXPECT_EQ(ErrorOf(c, "BEGIN; INSERT INTO t VALUES (1); SAVEPOINT a; INSERT INTO t VALUES (2)"), "");
  EXPECT_EQ(c.transaction_status(), 'T');
  EXPECT_EQ(ErrorOf(c, "INSERT INTO t VALUES (1)"),
            "23505 duplicate key value violates unique constraint \"t_pkey\"");
  EXPECT_EQ(c.transaction_status(), 'E');
  EXPECT_EQ(ErrorOf(c, "SELECT 1"),
            "25P02 current transaction is aborted, commands ignored until end of transaction block");
  EXPECT_EQ(ErrorOf(c, "ROLLBACK TO b"), "3B001 savepoint \"b\" does not exist");
  EXPECT_EQ(c.transaction_status(), 'E');
  EXPECT_EQ(ErrorOf(c, "ROLLBACK TO a"), "");
  EXPECT_EQ(c.transaction_status(), 'T');
  EXPECT_EQ(Column(c, "INSERT INTO t VALUES (3); SELECT a FROM t ORDER BY a"), (Lines{"1", "3"}));
  EXPECT_EQ(ErrorOf(c, "COMMIT"), "");
  EXPECT_EQ(c.transaction_status(), 'I');

  EXPECT_EQ(ErrorOf(c, "INSERT INTO t VALUES (4); SELECT 1/0; INSERT INTO t VALUES (5)"), "22012 division by zero");
  EXPECT_EQ(c.transaction_status(), 'I');
  EXPECT_EQ(Column(c, "SELECT a FROM t ORDER BY a"), (Lines{"1", "3"}));
  auto r = c.Query("INSERT INTO t VALUES (6); COMMIT; BEGIN");
  ASSERT_TRUE(r.ok() && r->ok());
  ASSERT_EQ(r->notices.size(), 1u);
  EXPECT_EQ(r->notices[0].sqlstate, "25P01");
  EXPECT_EQ(r->notices[0].message, "there is no transaction in progress");
  EXPECT_EQ(c.transaction_status(), 'T');
  EXPECT_EQ(ErrorOf(c, "ROLLBACK"), "");
  EXPECT_EQ(Column(c, "SELECT a FROM t ORDER BY a"), (Lines{"1", "3", "6"}));
}

// Scenario: psql with ON_ERROR_ROLLBACK on: the failing statements are
// lost alone; the other rows of the block are committed (as against
// PostgreSQL 15).
TEST(SavepointTest, PsqlOnErrorRollback) {
  Server server;
  ASSERT_TRUE(server.Start());
  auto conn = server.ConnectWhenReady(30000);
  ASSERT_TRUE(conn.ok());
  std::filesystem::path script = server.data_dir() / "oer.sql";
  std::ofstream(script) << "\\set ON_ERROR_ROLLBACK on\n"
                           "CREATE TABLE oer (a int PRIMARY KEY);\n"
                           "BEGIN;\n"
                           "INSERT INTO oer VALUES (1);\n"
                           "INSERT INTO oer VALUES (1);\n"
                           "INSERT INTO oer VALUES (2);\n"
                           "SELECT 1/0;\n"
                           "COMMIT;\n"
                           "SELECT a FROM oer ORDER BY a;\n";
  CommandResult out = RunCommand(server.PsqlCommand() + " -X -q -f " + script.string() + " 2>&1");
  EXPECT_EQ(out.out,
            "psql:" + script.string() + ":5: ERROR:  duplicate key value violates unique constraint \"oer_pkey\"\n"
            "DETAIL:  Key (a)=(1) already exists.\n"
            "psql:" + script.string() + ":7: ERROR:  division by zero\n"
            " a \n---\n 1\n 2\n(2 rows)\n\n");
}

// Scenario: a committed row, then a block whose savepoint is rolled back
// after writing, then committed rows after it; the whole server is killed:
// after recovery the rolled-back subtransaction's rows stay invisible.
TEST(SavepointTest, RollbackToSurvivesCrash) {
  char tmpl[] = "/tmp/minipg_subxact_XXXXXX";
  std::filesystem::path dir = mkdtemp(tmpl);
  {
    Server server({}, dir);
    ASSERT_TRUE(server.Start());
    auto conn = server.ConnectWhenReady(30000);
    ASSERT_TRUE(conn.ok());
    client::Connection& c = **conn;
    EXPECT_EQ(ErrorOf(c, "CREATE TABLE t (a int)"), "");
    EXPECT_EQ(ErrorOf(c, "BEGIN; INSERT INTO t VALUES (1); SAVEPOINT s; INSERT INTO t SELECT generate_series(100, 199)"), "");
    EXPECT_EQ(ErrorOf(c, "SAVEPOINT inner1; INSERT INTO t VALUES (200); RELEASE inner1; ROLLBACK TO s"), "");
    EXPECT_EQ(ErrorOf(c, "INSERT INTO t VALUES (2); COMMIT"), "");
    EXPECT_EQ(ErrorOf(c, "BEGIN; INSERT INTO t VALUES (3); SAVEPOINT x; INSERT INTO t VALUES (4)"), "");
    KillWholeServer(server);
  }
  {
    Server second({}, dir);
    ASSERT_TRUE(second.Start());
    auto conn = second.ConnectWhenReady(30000);
    ASSERT_TRUE(conn.ok()) << second.Log();
    EXPECT_EQ(Column(**conn, "SELECT a FROM t ORDER BY a"), (Lines{"1", "2"}));
    (*conn)->Close();
    second.Stop(SIGINT);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace minipg::testing
