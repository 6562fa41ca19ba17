/*-------------------------------------------------------------------------
 * session_test.cpp
 *   The whole SQL path through Session on a temporary data directory:
 *   results and tags, persistence, several processes, cancel, settings.
 *-------------------------------------------------------------------------
 */
#include "engine/sql/session.h"

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>

#include "engine/common/interrupts.h"
#include "tests/engine/sql/sql_test_util.h"

namespace minipg::sql {
namespace {

using Rows = std::vector<std::vector<std::optional<std::string>>>;

class SessionTest : public ::testing::Test, public SqlFixture {
 protected:
  RunResult Ok(std::string_view text) {
    RunResult r = RunSql(text);
    EXPECT_FALSE(r.error) << text << ": " << (r.error ? r.error->message : "");
    return r;
  }
  void TearDown() override { g_query_cancel_pending = 0; }
};

TEST_F(SessionTest, SelectWithoutFrom) {
  RunResult r = Ok("SELECT 1, 'two' AS b, NULL, true, 7 / 2, -7 % 3");
  EXPECT_EQ(r.result.command_tag, "SELECT 1");
  EXPECT_EQ(r.result.rows, 1);
  ASSERT_TRUE(r.sink.described_);
  ASSERT_EQ(r.sink.columns_.size(), 6u);
  EXPECT_EQ(r.sink.columns_[1].name, "b");
  EXPECT_EQ(r.sink.rows_, (Rows{{"1", "two", std::nullopt, "t", "3", "-1"}}));
}

TEST_F(SessionTest, ContextFunctions) {
  RunResult r = Ok("SELECT pg_backend_pid(), version(), current_user, current_database()");
  EXPECT_EQ(r.sink.rows_, (Rows{{"4242", "15.0 (minipg 0.1.0)", "alice", "postgres"}}));
}

TEST_F(SessionTest, CreateInsertSelect) {
  EXPECT_EQ(Ok("CREATE TABLE t (a int, b bigint, c text, d boolean)").result.command_tag, "CREATE TABLE");
  RunResult ins = Ok("INSERT INTO t VALUES (1, 10000000000, 'x', true), (2, NULL, 'it''s', false)");
  EXPECT_EQ(ins.result.command_tag, "INSERT 0 2");
  EXPECT_EQ(ins.result.rows, 2);
  EXPECT_FALSE(ins.sink.described_);
  RunResult r = Ok("SELECT * FROM t WHERE a >= 1 ORDER BY a DESC");
  EXPECT_EQ(r.result.command_tag, "SELECT 2");
  EXPECT_EQ(r.sink.rows_, (Rows{{"2", std::nullopt, "it's", "f"}, {"1", "10000000000", "x", "t"}}));
  // Zero rows still describe the columns.
  RunResult none = Ok("SELECT a FROM t WHERE false");
  EXPECT_TRUE(none.sink.described_);
  EXPECT_TRUE(none.sink.rows_.empty());
  EXPECT_EQ(none.result.command_tag, "SELECT 0");
}

// Scenario: data written by one Session is there for a new Session on the
// same data directory (a server restart).
TEST_F(SessionTest, DataSurvivesANewSession) {
  Ok("CREATE TABLE t (a int); INSERT INTO t VALUES (1), (2), (3)");
  Session again(MakeContext(dir()));
  CollectSink sink;
  auto stmts = again.Parse("SELECT count_me FROM t");
  ASSERT_TRUE(stmts.ok());
  auto bad = again.Execute(*(*stmts)[0], sink);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().sqlstate, "42703");
  stmts = again.Parse("SELECT a FROM t");
  auto res = again.Execute(*(*stmts)[0], sink);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->rows, 3);
}

// Scenario: a syntax error anywhere in the text runs none of it.
TEST_F(SessionTest, SyntaxErrorRunsNothing) {
  RunResult r = RunSql("CREATE TABLE t (a int); SELEC 1");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->sqlstate, "42601");
  EXPECT_EQ(r.error->position, 25);
  RunResult check = RunSql("SELECT * FROM t");
  ASSERT_TRUE(check.error);
  EXPECT_EQ(check.error->sqlstate, "42P01");
}

// Scenario: a table created by another process is visible to our next
// statement, and rows inserted concurrently by several processes all land.
TEST_F(SessionTest, SeveralProcessesShareTheDataDirectory) {
  pid_t creator = fork();
  ASSERT_GE(creator, 0);
  if (creator == 0) {
    Session s(MakeContext(dir()));
    CollectSink sink;
    auto stmts = s.Parse("CREATE TABLE shared (id int, who text)");
    _exit(stmts.ok() && s.Execute(*(*stmts)[0], sink).ok() ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(creator, &status, 0), creator);
  ASSERT_EQ(WEXITSTATUS(status), 0);
  Ok("INSERT INTO shared VALUES (0, 'parent')");

  constexpr int kProcs = 3;
  constexpr int kRows = 50;
  std::vector<pid_t> pids;
  for (int p = 0; p < kProcs; ++p) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      Session s(MakeContext(dir()));
      for (int i = 0; i < kRows; ++i) {
        CollectSink sink;
        auto stmts = s.Parse("INSERT INTO shared VALUES (" + std::to_string(p * 100 + i + 1) + ", 'child')");
        if (!stmts.ok() || !s.Execute(*(*stmts)[0], sink).ok()) {
          _exit(1);
        }
      }
      _exit(0);
    }
    pids.push_back(pid);
  }
  for (pid_t pid : pids) {
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }
  RunResult r = Ok("SELECT id FROM shared");
  EXPECT_EQ(r.result.rows, 1 + kProcs * kRows);
}

// Scenario: a pending cancel ends pg_sleep at once with 57014.
TEST_F(SessionTest, CancelEndsSleep) {
  g_query_cancel_pending = 1;
  auto start = std::chrono::steady_clock::now();
  RunResult r = RunSql("SELECT pg_sleep(30)");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->sqlstate, "57014");
  EXPECT_EQ(r.error->message, "canceling statement due to user request");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  // The flag was consumed: the session goes on.
  EXPECT_EQ(Ok("SELECT 1").result.rows, 1);
}

TEST_F(SessionTest, PgSleepReturnsVoidAsEmptyString) {
  RunResult r = Ok("SELECT pg_sleep(0.01)");
  ASSERT_EQ(r.sink.columns_.size(), 1u);
  EXPECT_EQ(r.sink.columns_[0].name, "pg_sleep");
  EXPECT_EQ(r.sink.columns_[0].type, TypeId::kVoid);
  EXPECT_EQ(TypeOid(TypeId::kVoid), 2278u);
  EXPECT_EQ(r.sink.rows_, (Rows{{""}}));
}

// Scenario: a cancel during a scan stops it (checked per row).
TEST_F(SessionTest, CancelStopsScan) {
  Ok("CREATE TABLE t (a int); INSERT INTO t VALUES (1), (2), (3)");
  g_query_cancel_pending = 1;
  RunResult r = RunSql("SELECT a FROM t");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->sqlstate, "57014");
}

TEST_F(SessionTest, TransactionStatementsReturnTags) {
  EXPECT_EQ(Ok("BEGIN").result.command_tag, "BEGIN");
  EXPECT_EQ(Ok("COMMIT").result.command_tag, "COMMIT");
  EXPECT_EQ(Ok("ROLLBACK").result.command_tag, "ROLLBACK");
  EXPECT_EQ(Ok("SET application_name = 'x'").result.command_tag, "SET");
}

TEST_F(SessionTest, SetAndShow) {
  RunResult r = Ok("SHOW datestyle");
  ASSERT_EQ(r.sink.columns_.size(), 1u);
  EXPECT_EQ(r.sink.columns_[0].name, "DateStyle");
  EXPECT_EQ(r.sink.rows_, (Rows{{"ISO, MDY"}}));
  Ok("SET application_name TO 'psql'");
  EXPECT_EQ(session().GetSetting("APPLICATION_NAME"), "psql");
  EXPECT_EQ(Ok("SHOW application_name").sink.rows_, (Rows{{"psql"}}));
  Ok("RESET application_name");
  EXPECT_EQ(session().GetSetting("application_name"), "");
  EXPECT_EQ(session().GetSetting("server_version"), "15.0 (minipg 0.1.0)");
  EXPECT_TRUE(session().SetSetting("application_name", "bench").ok());
  EXPECT_EQ(session().GetSetting("application_name"), "bench");
  EXPECT_FALSE(session().SetSetting("no_such_thing", "1").ok());

  RunResult bad = RunSql("SHOW no_such_thing");
  ASSERT_TRUE(bad.error);
  EXPECT_EQ(bad.error->sqlstate, "42704");
  EXPECT_EQ(bad.error->message, "unrecognized configuration parameter \"no_such_thing\"");
  bad = RunSql("SET no_such_thing = 1");
  ASSERT_TRUE(bad.error);
  EXPECT_EQ(bad.error->sqlstate, "42704");
  EXPECT_GT(Ok("SHOW ALL").result.rows, 5);
}

// Scenario: the engine's trace events (parse, plan, execute) are built with
// nlohmann's dump(), which throws on invalid UTF-8 unless told to replace
// it. The backend refuses such text first (22021), but the events must
// never be what kills a process: text that is not UTF-8 runs through.
TEST_F(SessionTest, TraceEventsSurviveInvalidUtf8) {
  RunResult r = Ok("SELECT 1 AS \"\xff\"");
  ASSERT_EQ(r.sink.columns_.size(), 1u);
  EXPECT_EQ(r.sink.columns_[0].name, "\xff");
  Ok("CREATE TABLE \"t\xfe\" (a text)");
  Ok("INSERT INTO \"t\xfe\" VALUES ('\xff')");
  EXPECT_EQ(Ok("SELECT * FROM \"t\xfe\" WHERE a = '\xff'").result.rows, 1);
}

}  // namespace
}  // namespace minipg::sql
