/*
 * mvcc_test.cpp
 *   MVCC through a real server with two sessions (docs/transactions.md):
 *   another session's uncommitted rows are invisible; READ COMMITTED sees a
 *   commit at its next statement, REPEATABLE READ does not; a transaction
 *   sees its own changes, and a statement not its own new rows; the proc
 *   array shows in pg_stat_activity; a unique check leaves the index entries
 *   an older snapshot still needs; after a kill -9 of the postmaster an
 *   uncommitted transaction's changes are gone. Every expected result is
 *   what PostgreSQL 15 gives for the same two psql sessions.
 */
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/integration/server_harness.h"

namespace minipg::testing {
namespace {

/* The first column of every row of the last statement, NULL as "NULL". */
std::vector<std::string> Column(client::Connection& c, const std::string& sql) {
  std::vector<std::string> out;
  auto r = c.Query(sql);
  EXPECT_TRUE(r.ok() && r->ok()) << sql;
  if (!r.ok() || !r->ok()) return out;
  for (const auto& row : r->statements.back().rows) out.push_back(row[0].value_or("NULL"));
  return out;
}

std::string Value(client::Connection& c, const std::string& sql) {
  std::vector<std::string> col = Column(c, sql);
  return col.empty() ? "" : col[0];
}

void Exec(client::Connection& c, const std::string& sql) {
  auto r = c.Query(sql);
  ASSERT_TRUE(r.ok()) << sql << ": " << r.error().message;
  ASSERT_TRUE(r->ok()) << sql << ": " << r->error->message;
}

using Rows = std::vector<std::string>;

class MvccTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.Start());
    auto a = server_.Connect();
    auto b = server_.Connect();
    ASSERT_TRUE(a.ok() && b.ok());
    a_ = std::move(*a);
    b_ = std::move(*b);
    Exec(*a_, "CREATE TABLE mv (id int, v text)");
    Exec(*a_, "INSERT INTO mv VALUES (1, 'one')");
  }

  Server server_;
  std::unique_ptr<client::Connection> a_;
  std::unique_ptr<client::Connection> b_;
};

// Scenario: B's REPEATABLE READ snapshot sees row 1 as 'v0'. A updates row 1
// three times; each UPDATE's unique check on the primary key visits the
// older versions, which B's snapshot still needs. B's index scan still finds
// 'v0'. Once B ends, A's next updates may mark the dead versions' entries
// dead; an index scan and a seq scan then agree on the one row. (PostgreSQL
// 15 prints the same for these two psql sessions.)
TEST_F(MvccTest, UniqueChecksKeepEntriesAnOlderSnapshotNeeds) {
  Exec(*a_, "CREATE TABLE kv (k int PRIMARY KEY, v text)");
  Exec(*a_, "INSERT INTO kv VALUES (1, 'v0'), (2, 'x')");
  Exec(*b_, "BEGIN ISOLATION LEVEL REPEATABLE READ");
  EXPECT_EQ(Value(*b_, "SELECT v FROM kv WHERE k = 1"), "v0");
  for (int i = 1; i <= 3; ++i) Exec(*a_, "UPDATE kv SET v = 'v" + std::to_string(i) + "' WHERE k = 1");
  Exec(*b_, "SET enable_seqscan = off");
  std::string plan = Column(*b_, "EXPLAIN SELECT v FROM kv WHERE k = 1").at(0);
  EXPECT_NE(plan.find("Index Scan using kv_pkey on kv"), std::string::npos) << plan;
  EXPECT_EQ(Column(*b_, "SELECT v FROM kv WHERE k = 1"), (Rows{"v0"}));
  Exec(*b_, "COMMIT");
  for (int i = 4; i <= 6; ++i) Exec(*a_, "UPDATE kv SET v = 'v" + std::to_string(i) + "' WHERE k = 1");
  Exec(*a_, "SET enable_seqscan = off");
  EXPECT_EQ(Column(*a_, "SELECT v FROM kv WHERE k = 1"), (Rows{"v6"}));
  EXPECT_EQ(Column(*a_, "SELECT k || v FROM kv WHERE k >= 1 ORDER BY k"), (Rows{"1v6", "2x"}));
  Exec(*a_, "RESET enable_seqscan");
  EXPECT_EQ(Column(*a_, "SELECT k || v FROM kv ORDER BY k"), (Rows{"1v6", "2x"}));
}

// Scenario: A inserts in a block; A sees its row, B does not until A commits.
TEST_F(MvccTest, UncommittedRowsAreInvisibleToOthers) {
  Exec(*a_, "BEGIN");
  Exec(*a_, "INSERT INTO mv VALUES (2, 'two')");
  EXPECT_EQ(Column(*a_, "SELECT v FROM mv ORDER BY id"), (Rows{"one", "two"}));
  EXPECT_EQ(Column(*b_, "SELECT v FROM mv ORDER BY id"), (Rows{"one"}));
  Exec(*a_, "ROLLBACK");
  EXPECT_EQ(Column(*b_, "SELECT v FROM mv ORDER BY id"), (Rows{"one"}));
}

// Scenario: B in READ COMMITTED sees A's update at its next statement; in
// REPEATABLE READ it keeps the snapshot of its first statement to the end.
TEST_F(MvccTest, ReadCommittedSeesCommitsRepeatableReadDoesNot) {
  Exec(*b_, "BEGIN");
  EXPECT_EQ(Value(*b_, "SELECT count(*) FROM mv"), "1");
  Exec(*a_, "UPDATE mv SET v = 'uno' WHERE id = 1");
  EXPECT_EQ(Column(*b_, "SELECT v FROM mv"), (Rows{"uno"}));
  Exec(*b_, "COMMIT");

  Exec(*b_, "BEGIN ISOLATION LEVEL REPEATABLE READ");
  EXPECT_EQ(Value(*b_, "SHOW transaction_isolation"), "repeatable read");
  EXPECT_EQ(Column(*b_, "SELECT v FROM mv"), (Rows{"uno"}));
  Exec(*a_, "UPDATE mv SET v = 'eins' WHERE id = 1");
  Exec(*a_, "INSERT INTO mv VALUES (2, 'two')");
  EXPECT_EQ(Column(*b_, "SELECT v FROM mv ORDER BY id"), (Rows{"uno"}));
  auto late = b_->Query("SET TRANSACTION ISOLATION LEVEL READ COMMITTED");
  ASSERT_TRUE(late.ok());
  ASSERT_FALSE(late->ok());
  EXPECT_EQ(late->error->sqlstate, "25001");
  EXPECT_EQ(late->error->message, "SET TRANSACTION ISOLATION LEVEL must be called before any query");
  Exec(*b_, "ROLLBACK");
  EXPECT_EQ(Column(*b_, "SELECT v FROM mv ORDER BY id"), (Rows{"eins", "two"}));
}

// Scenario: a transaction sees its own changes at once; a statement does
// not see the rows it inserts itself (INSERT INTO t SELECT * FROM t doubles
// the table once); its delete is seen by its next statement only.
TEST_F(MvccTest, OwnChangesAndOneStatementsOwnRows) {
  Exec(*a_, "INSERT INTO mv VALUES (2, 'two')");
  Exec(*a_, "BEGIN");
  Exec(*a_, "INSERT INTO mv SELECT id + 10, v FROM mv");
  EXPECT_EQ(Column(*a_, "SELECT id FROM mv ORDER BY id"), (Rows{"1", "2", "11", "12"}));
  Exec(*a_, "DELETE FROM mv WHERE id > 10");
  EXPECT_EQ(Value(*a_, "SELECT count(*) FROM mv"), "2");
  Exec(*a_, "UPDATE mv SET v = v || '!'");
  EXPECT_EQ(Column(*a_, "SELECT v FROM mv ORDER BY id"), (Rows{"one!", "two!"}));
  EXPECT_EQ(Column(*b_, "SELECT v FROM mv ORDER BY id"), (Rows{"one", "two"}));
  Exec(*a_, "ROLLBACK");
  EXPECT_EQ(Column(*a_, "SELECT v FROM mv ORDER BY id"), (Rows{"one", "two"}));
}

// Scenario: backend_xid appears at the first write, backend_xmin while a
// REPEATABLE READ transaction keeps its snapshot; both go at its end.
TEST_F(MvccTest, ProcArrayInPgStatActivity) {
  std::string pid = Value(*b_, "SELECT pg_backend_pid()");
  std::string query = "SELECT coalesce(backend_xid::text, '-') || ' ' || coalesce(backend_xmin::text, '-') "
                      "FROM pg_stat_activity WHERE pid = " + pid;
  Exec(*b_, "BEGIN ISOLATION LEVEL REPEATABLE READ");
  EXPECT_EQ(Value(*a_, query), "- -");
  std::string snap = Value(*b_, "SELECT pg_current_snapshot()::text");
  std::string xmin = snap.substr(0, snap.find(':'));
  EXPECT_EQ(Value(*a_, query), "- " + xmin);
  std::string xid = Value(*b_, "SELECT txid_current()");
  EXPECT_EQ(Value(*a_, query), xid + " " + xmin);
  EXPECT_EQ(Value(*a_, "SELECT pg_xact_status('" + xid + "'::xid8)"), "in progress");
  Exec(*b_, "COMMIT");
  EXPECT_EQ(Value(*a_, query), "- -");
  EXPECT_EQ(Value(*a_, "SELECT pg_xact_status('" + xid + "'::xid8)"), "committed");
}

// Scenario: minipg_page_items shows both versions of an updated row: the
// old one ended by the updater's xid and pointing at the new one.
TEST_F(MvccTest, PageItemsShowRowVersions) {
  Exec(*a_, "BEGIN");
  std::string xid = Value(*a_, "SELECT txid_current()");
  Exec(*a_, "UPDATE mv SET v = 'uno' WHERE id = 1");
  Exec(*a_, "COMMIT");
  EXPECT_EQ(Column(*b_, "SELECT lp::text || ' ' || t_xmax::text || ' ' || t_ctid || ' ' || t_row "
                         "FROM minipg_page_items('mv', 0) ORDER BY lp"),
            (Rows{"1 " + xid + " (0,2) (1,one)", "2 0 (0,2) (1,uno)"}));
  EXPECT_EQ(Column(*b_, "SELECT xmin::text = '" + xid + "' FROM mv"), (Rows{"t"}));
  // Arguments may be any expression, a scalar subquery too.
  EXPECT_EQ(Column(*b_, "SELECT lp FROM minipg_page_items('mv', (SELECT min(id) - 1 FROM mv)) ORDER BY lp"),
            (Rows{"1", "2"}));
}

// Scenario: B updates and inserts in a block left open; kill -9 of the whole
// server; after recovery B's changes are gone and the committed rows stay.
TEST(MvccCrashTest, UncommittedChangesGoneAfterKill9) {
  char tmpl[] = "/tmp/minipg_mvcc_XXXXXX";
  std::filesystem::path dir = mkdtemp(tmpl);
  {
    Server first({}, dir);
    ASSERT_TRUE(first.Start());
    auto c = first.Connect();
    ASSERT_TRUE(c.ok());
    Exec(**c, "CREATE TABLE mv (id int, v text)");
    Exec(**c, "INSERT INTO mv VALUES (1, 'one'), (2, 'two')");
    Exec(**c, "BEGIN");
    Exec(**c, "UPDATE mv SET v = 'changed' WHERE id = 1");
    Exec(**c, "DELETE FROM mv WHERE id = 2");
    Exec(**c, "INSERT INTO mv VALUES (3, 'three')");
    Exec(**c, "CHECKPOINT");  // the uncommitted versions reach the data files
    KillWholeServer(first);
  }
  {
    Server second({}, dir);
    ASSERT_TRUE(second.Start());
    auto c = second.ConnectWhenReady(30000);
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(Column(**c, "SELECT v FROM mv ORDER BY id"), (Rows{"one", "two"}));
    Exec(**c, "UPDATE mv SET v = 'uno' WHERE id = 1");  // the dead deleter does not block it
    EXPECT_EQ(Column(**c, "SELECT v FROM mv ORDER BY id"), (Rows{"uno", "two"}));
    second.Stop(SIGINT);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace minipg::testing
