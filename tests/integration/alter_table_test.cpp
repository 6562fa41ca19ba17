/*-------------------------------------------------------------------------
 * alter_table_test.cpp
 *   ALTER TABLE between two real sessions: the other backend's relcache
 *   learns of the change at commit (sinval), not before, and never of a
 *   rolled-back one.
 *-------------------------------------------------------------------------
 */
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <string>

#include "tests/integration/pq_server.h"

namespace minipg::testing {
namespace {

class AlterTableTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.Start()); }
  void TearDown() override { server_.Stop(); }

  Conn Connect() { return PqConnect(server_); }
  /* The statement's SQLSTATE, or "ok". */
  static std::string Run(PGconn* c, const char* sql) {
    Res r(PQexec(c, sql));
    ExecStatusType st = PQresultStatus(r.get());
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return "ok";
    const char* state = PQresultErrorField(r.get(), PG_DIAG_SQLSTATE);
    return state != nullptr ? state : "?";
  }

  Server server_;
};

// Scenario: session A adds a column and a primary key inside a transaction;
// session B cannot read the table until A commits (A's lock), then inserts through them;
// a rolled-back RENAME is never seen.
TEST_F(AlterTableTest, OtherSessionsSeeTheChangeAtCommit) {
  Conn a = Connect();
  Conn b = Connect();
  ASSERT_EQ(Run(a.get(), "CREATE TABLE shared (id int)"), "ok");
  ASSERT_EQ(Run(b.get(), "INSERT INTO shared VALUES (1)"), "ok");  // B's relcache holds the table
  ASSERT_EQ(Run(a.get(), "BEGIN"), "ok");
  ASSERT_EQ(Run(a.get(), "ALTER TABLE shared ADD COLUMN note text DEFAULT 'n', ADD PRIMARY KEY (id)"), "ok");
  // B's SELECT waits for A's AccessExclusiveLock, as in PostgreSQL.
  ASSERT_EQ(Run(b.get(), "SET lock_timeout = '100ms'"), "ok");
  EXPECT_EQ(Run(b.get(), "SELECT note FROM shared"), "55P03");
  ASSERT_EQ(Run(a.get(), "COMMIT"), "ok");
  EXPECT_EQ(Run(b.get(), "SELECT note FROM shared"), "ok");
  EXPECT_EQ(Run(b.get(), "INSERT INTO shared (id) VALUES (1)"), "23505");  // the new key
  Res note(PQexec(b.get(), "SELECT note FROM shared WHERE id = 1"));
  ASSERT_EQ(PQntuples(note.get()), 1);
  EXPECT_STREQ(PQgetvalue(note.get(), 0, 0), "n");  // the existing row got the default

  ASSERT_EQ(Run(a.get(), "BEGIN"), "ok");
  ASSERT_EQ(Run(a.get(), "ALTER TABLE shared RENAME TO renamed"), "ok");
  ASSERT_EQ(Run(a.get(), "ROLLBACK"), "ok");
  EXPECT_EQ(Run(b.get(), "SELECT count(*) FROM shared"), "ok");
  EXPECT_EQ(Run(a.get(), "SELECT count(*) FROM shared"), "ok");
  EXPECT_EQ(Run(b.get(), "SELECT count(*) FROM renamed"), "42P01");
}

}  // namespace
}  // namespace minipg::testing
