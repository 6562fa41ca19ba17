/*
 * dml_test.cpp
 *   UPDATE, DELETE, TRUNCATE and RETURNING through a real server: command
 *   tags and RETURNING rows as PostgreSQL 15 sends them; ROLLBACK undoes
 *   every UPDATE, DELETE and TRUNCATE; committed ones survive a kill -9 of a
 *   backend (the crash cycle replays the WAL) and of the whole server, and
 *   an in-flight transaction's changes do not.
 */
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "tests/integration/server_harness.h"

namespace minipg::testing {
namespace {

/* Each row's columns joined by '|', NULL as "NULL". */
std::vector<std::string> Rows(client::Connection& c, const std::string& sql) {
  std::vector<std::string> out;
  auto r = c.Query(sql);
  EXPECT_TRUE(r.ok() && r->ok()) << sql << ": " << (r.ok() && r->error ? r->error->message : "");
  if (!r.ok() || !r->ok()) return out;
  for (const auto& row : r->statements.back().rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) line += (i > 0 ? "|" : "") + row[i].value_or("NULL");
    out.push_back(line);
  }
  return out;
}

/* Runs `sql`; its command tag. */
std::string Tag(client::Connection& c, const std::string& sql) {
  auto r = c.Query(sql);
  EXPECT_TRUE(r.ok() && r->ok()) << sql << ": " << (r.ok() && r->error ? r->error->message : "");
  if (!r.ok() || !r->ok()) return "";
  return r->statements.back().tag;
}

using Lines = std::vector<std::string>;

void Fill(client::Connection& c) {
  EXPECT_EQ(Tag(c, "CREATE TABLE acct (id int, owner text, balance int)"), "CREATE TABLE");
  EXPECT_EQ(Tag(c, "INSERT INTO acct SELECT g, 'o' || g, 100 FROM generate_series(1, 300) AS g"), "INSERT 0 300");
}

// Scenario (PostgreSQL 15's answers): tags and RETURNING rows of UPDATE,
// DELETE and INSERT; a block that updates, deletes and truncates, then
// rolls back, leaves every row as it was.
TEST(DmlTest, TagsReturningAndRollback) {
  Server server;
  ASSERT_TRUE(server.Start());
  auto c = server.ConnectWhenReady(30000);
  ASSERT_TRUE(c.ok());
  client::Connection& conn = **c;
  Fill(conn);
  EXPECT_EQ(Tag(conn, "UPDATE acct SET balance = balance + 1 WHERE id <= 10"), "UPDATE 10");
  EXPECT_EQ(Rows(conn, "UPDATE acct SET balance = 0, owner = 'x' WHERE id = 2 RETURNING id, owner, balance"),
            (Lines{"2|x|0"}));
  EXPECT_EQ(Rows(conn, "DELETE FROM acct WHERE id IN (3, 4) RETURNING id"), (Lines{"3", "4"}));
  EXPECT_EQ(Rows(conn, "INSERT INTO acct VALUES (1000, 'new', 5) RETURNING balance * 2 AS twice"), (Lines{"10"}));
  EXPECT_EQ(Rows(conn, "SELECT count(*), sum(balance) FROM acct"), (Lines{"299|29712"}));

  EXPECT_EQ(Tag(conn, "BEGIN"), "BEGIN");
  EXPECT_EQ(Tag(conn, "UPDATE acct SET balance = -1"), "UPDATE 299");
  EXPECT_EQ(Tag(conn, "DELETE FROM acct WHERE id > 100"), "DELETE 201");
  EXPECT_EQ(Rows(conn, "SELECT count(*), sum(balance) FROM acct"), (Lines{"98|-98"}));
  EXPECT_EQ(Tag(conn, "TRUNCATE acct"), "TRUNCATE TABLE");
  EXPECT_EQ(Rows(conn, "SELECT count(*) FROM acct"), (Lines{"0"}));
  EXPECT_EQ(Tag(conn, "ROLLBACK"), "ROLLBACK");
  EXPECT_EQ(Rows(conn, "SELECT count(*), sum(balance) FROM acct"), (Lines{"299|29712"}));
  EXPECT_EQ(Rows(conn, "SELECT owner, balance FROM acct WHERE id = 2"), (Lines{"x|0"}));
}

/* Waits for the postmaster's crash cycle to begin (a backend died). */
void WaitForCrashCycle(Server& server) {
  for (int waited = 0; waited < 60000 && server.Log().find("all server processes terminated; reinitializing") ==
                                             std::string::npos;
       waited += 50) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// Scenario: committed UPDATEs and DELETEs, then a transaction that updates
// every row and is still open when its backend is killed (kill -9): after
// the crash cycle the committed changes are there and the open one's not;
// the same again with the whole server killed and a new one started.
TEST(DmlTest, CommittedChangesSurviveCrashes) {
  char tmpl[] = "/tmp/minipg_dml_XXXXXX";
  std::filesystem::path dir = mkdtemp(tmpl);
  const std::string kCheck = "SELECT count(*), sum(balance), max(owner) FROM acct";
  {
    Server server({}, dir);
    ASSERT_TRUE(server.Start());
    auto c = server.ConnectWhenReady(30000);
    ASSERT_TRUE(c.ok());
    Fill(**c);
    EXPECT_EQ(Tag(**c, "UPDATE acct SET balance = balance * 2 WHERE id % 3 = 0"), "UPDATE 100");
    EXPECT_EQ(Tag(**c, "DELETE FROM acct WHERE id > 250"), "DELETE 50");
    EXPECT_EQ(Tag(**c, "UPDATE acct SET owner = 'zz' || owner WHERE id = 7"), "UPDATE 1");
    Lines committed = Rows(**c, kCheck);
    EXPECT_EQ(committed, (Lines{"250|33300|zzo7"}));
    EXPECT_EQ(Tag(**c, "BEGIN"), "BEGIN");
    EXPECT_EQ(Tag(**c, "UPDATE acct SET balance = 0"), "UPDATE 250");
    EXPECT_EQ(Tag(**c, "DELETE FROM acct WHERE id < 100"), "DELETE 99");
    kill((*c)->backend_pid(), SIGKILL);
    WaitForCrashCycle(server);
    auto fresh = server.ConnectWhenReady(30000);
    ASSERT_TRUE(fresh.ok()) << server.Log();
    EXPECT_NE(server.Log().find("redo starts at"), std::string::npos) << "the crash cycle replays the WAL";
    EXPECT_EQ(Rows(**fresh, kCheck), committed);

    EXPECT_EQ(Tag(**fresh, "UPDATE acct SET balance = balance + 1 WHERE id <= 5"), "UPDATE 5");
    EXPECT_EQ(Tag(**fresh, "BEGIN"), "BEGIN");
    EXPECT_EQ(Tag(**fresh, "DELETE FROM acct"), "DELETE 250");
    KillWholeServer(server);
  }
  {
    Server second({}, dir);
    ASSERT_TRUE(second.Start());
    auto c = second.ConnectWhenReady(30000);
    ASSERT_TRUE(c.ok()) << second.Log();
    EXPECT_EQ(Rows(**c, kCheck), (Lines{"250|33305|zzo7"}));
    EXPECT_EQ(Rows(**c, "SELECT id, owner, balance FROM acct WHERE id IN (3, 7, 251) ORDER BY id"),
              (Lines{"3|o3|201", "7|zzo7|100"}));
    (*c)->Close();
    second.Stop(SIGINT);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace minipg::testing
