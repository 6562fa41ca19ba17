/*
 * minipsql_test.cpp
 *   minipsql against a real minipg, as a user runs it: -c and -f, -A and
 *   -t, ON_ERROR_STOP and exit codes, \copy both ways, \timing, \x,
 *   \conninfo, \d, \dt, \l, \du; where psql is installed, the same commands through real
 *   psql must print the same bytes.
 */
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>

#include "tests/integration/server_harness.h"

namespace minipg::testing {
namespace {

bool HavePsql() {
  return RunCommand("command -v psql >/dev/null 2>&1").status == 0;
}

class MinipsqlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/minipsql_test_XXXXXX";
    dir_ = mkdtemp(tmpl);
    ASSERT_TRUE(server_.Start());
    auto r = Run(
        "-c 'CREATE TABLE t (a int, b text)' -c \"INSERT INTO t VALUES (1, 'one'), (22, NULL)\""
        " -c 'CREATE ROLE alice LOGIN' -c 'CREATE DATABASE other'");
    ASSERT_EQ(r.status, 0) << r.out;
  }
  void TearDown() override { RunCommand("rm -rf " + dir_); }
  std::string Conn() const {
    return " -h " + server_.socket_dir() + " -p " + std::to_string(server_.port()) +
           " -U " + minipg::testing::Superuser() + " -d postgres ";
  }
  /* minipsql with these arguments, in dir_, stdout and stderr merged. */
  CommandResult Run(const std::string& args, const std::string& stdin_text = "") {
    std::ofstream(dir_ + "/in.txt") << stdin_text;
    return RunCommand("cd " + dir_ + " && " + BinDir() + "/minipsql" + Conn() + args +
                      " <in.txt 2>&1");
  }
  CommandResult Psql(const std::string& args) {
    return RunCommand("cd " + dir_ + " && psql -X" + Conn() + args + " </dev/null 2>&1");
  }
  std::string dir_;
  Server server_;
};

// Scenario: --help names the positionals as psql does ([DBNAME [USERNAME]]),
// and both work.
TEST_F(MinipsqlTest, HelpAndPositionals) {
  auto help = RunCommand(BinDir() + "/minipsql --help 2>&1");
  EXPECT_EQ(help.status, 0) << help.out;
  EXPECT_NE(help.out.find("[OPTIONS] [dbname] [username]"), std::string::npos) << help.out;
  EXPECT_EQ(help.out.find("dbname_user"), std::string::npos) << help.out;
  auto r = RunCommand(BinDir() + "/minipsql -h " + server_.socket_dir() + " -p " + std::to_string(server_.port()) +
                      " -A -t -c 'SELECT current_user, current_database()' other alice 2>&1");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(r.out, "alice|other\n");
}

// Scenario: -A -t print bare rows; -A alone adds the header and "(N rows)"; the default is aligned.
TEST_F(MinipsqlTest, OutputFormats) {
  auto r = Run("-A -t -c 'SELECT a, b FROM t ORDER BY a'");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, "1|one\n22|\n");
  r = Run("-A -c 'SELECT a, b FROM t ORDER BY a'");
  EXPECT_EQ(r.out, "a|b\n1|one\n22|\n(2 rows)\n");
  r = Run("-c 'SELECT a, b FROM t ORDER BY a'");
  EXPECT_EQ(r.out, " a  |  b  \n----+-----\n  1 | one\n 22 | \n(2 rows)\n\n");
  r = Run("-q -c 'CREATE TABLE u (x int)'");
  EXPECT_EQ(r.out, "");  // -q: no command tag
  r = Run("-c 'CREATE TABLE v (x int)'");
  EXPECT_EQ(r.out, "CREATE TABLE\n");
}

// Scenario: psql's exit codes: a failing -c is 1; a script goes on past an error (0)
// unless ON_ERROR_STOP=1, which stops it with 3; errors name the file and line.
TEST_F(MinipsqlTest, ScriptErrorsAndOnErrorStop) {
  std::ofstream(dir_ + "/s.sql") << "SELECT 1 AS one;\nSELECT\n  nope;\nSELECT 2 AS two;\n";
  auto r = Run("-c 'SELECT nope'");
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.out,
            "ERROR:  column \"nope\" does not exist\nLINE 1: SELECT nope\n               ^\n");
  r = Run("-A -t -f s.sql");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("minipsql:s.sql:3: ERROR:  column \"nope\" does not exist\nLINE 2:   "
                       "nope;\n          ^\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("2\n"), std::string::npos)
      << "the script went on after the error: " << r.out;
  r = Run("-A -t -v ON_ERROR_STOP=1 -f s.sql");
  EXPECT_EQ(r.status, 3);
  EXPECT_EQ(r.out.find("2\n"), std::string::npos) << "ON_ERROR_STOP did not stop: " << r.out;
}

// Scenario: statements span lines and end at ';' (not inside quotes); two on a line run one by one.
TEST_F(MinipsqlTest, MultiLineStatements) {
  auto r =
      Run("-A -t", "SELECT 'a;b'\n  AS x; SELECT\n2;\n-- a comment; not a statement\nSELECT 3");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, "a;b\n2\n3\n");
}

// Scenario: \copy reads and writes files on minipsql's side, through COPY FROM STDIN / TO STDOUT.
TEST_F(MinipsqlTest, CopyBothWays) {
  std::ofstream(dir_ + "/in.csv") << "a,b\n5,five\n6,\"six, 6\"\n";
  auto r = Run("-c \"\\copy t from 'in.csv' csv header\"");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(r.out, "COPY 2\n");
  r = Run("-c \"\\copy t to 'out.csv' with (format csv)\"");
  EXPECT_EQ(r.out, "COPY 4\n");
  std::stringstream out;
  out << std::ifstream(dir_ + "/out.csv").rdbuf();
  EXPECT_EQ(out.str(), "1,one\n22,\n5,five\n6,\"six, 6\"\n");
  r = Run("-c \"\\copy t from 'missing.csv'\"");
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.out, "missing.csv: No such file or directory\n");
  // COPY FROM STDIN in a script: the data follows, up to "\.".
  r = Run(
      "-A -t",
      "COPY t (a) FROM STDIN;\n7\n8\n\\.\nSELECT a FROM t WHERE a > 6 AND a < 10 ORDER BY a;\n");
  EXPECT_EQ(r.out, "COPY 2\n7\n8\n");
  // COPY TO STDOUT prints the data, without a tag.
  r = Run("-c 'COPY t (a) TO STDOUT'");
  EXPECT_EQ(r.out, "1\n22\n5\n6\n7\n8\n");
}

// Scenario: \timing prints psql's "Time: N.NNN ms" after each statement.
TEST_F(MinipsqlTest, Timing) {
  auto r = Run("-c '\\timing' -c 'SELECT 1'");
  EXPECT_TRUE(std::regex_search(
      r.out, std::regex("^Timing is on\\.\n[\\s\\S]*\\(1 row\\)\n\nTime: [0-9]+\\.[0-9]{3} ms\n$")))
      << r.out;
}

// Scenario: \x prints one block per row, as psql does.
TEST_F(MinipsqlTest, ExpandedDisplay) {
  auto r = Run("-c '\\x' -c 'SELECT a, b AS bee FROM t ORDER BY a'");
  EXPECT_EQ(r.out,
            "Expanded display is on.\n"
            "-[ RECORD 1 ]\n"
            "a   | 1\n"
            "bee | one\n"
            "-[ RECORD 2 ]\n"
            "a   | 22\n"
            "bee | \n"
            "\n");
}

// Scenario: \conninfo says where we are connected, in psql's words.
TEST_F(MinipsqlTest, Conninfo) {
  auto r = Run("-c '\\conninfo'");
  EXPECT_EQ(r.out, "You are connected to database \"postgres\" as user \"" + minipg::testing::Superuser() +
                       "\" via socket in \"" +
                       server_.socket_dir() + "\" at port \"" + std::to_string(server_.port()) +
                       "\".\n");
}

// Scenario: \d t describes the table from its columns; \dt, \l and \du list
// minipg's catalog views the way psql 15 prints them (checked by hand
// byte for byte against psql on PostgreSQL 15; -A keeps the widths out).
TEST_F(MinipsqlTest, Describe) {
  auto r = Run("-c '\\d t'");
  EXPECT_EQ(r.out,
            "                 Table \"public.t\"\n"
            " Column |  Type   | Collation | Nullable | Default \n"
            "--------+---------+-----------+----------+---------\n"
            " a      | integer |           |          | \n"
            " b      | text    |           |          | \n"
            "\n");
  const std::string su = Superuser();
  r = Run("-A -c '\\dt'");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(r.out, "List of relations\nSchema|Name|Type|Owner\npublic|t|table|" + su + "\n(1 row)\n");
  r = Run("-A -c '\\dt nosuch*'");
  EXPECT_EQ(r.out, "Did not find any relation named \"nosuch*\".\n");
  r = Run("-A -c 'CREATE DATABASE shop OWNER alice' -c '\\l'");
  EXPECT_EQ(r.out,
            "CREATE DATABASE\n"
            "List of databases\n"
            "Name|Owner|Encoding|Collate|Ctype|ICU Locale|Locale Provider|Access privileges\n"
            "other|" + su + "|UTF8|C|C||libc|\n"
            "postgres|" + su + "|UTF8|C|C||libc|\n"
            "shop|alice|UTF8|C|C||libc|\n"
            "template1|" + su + "|UTF8|C|C||libc|=c/" + su + "\n" + su + "=CTc/" + su + "\n"
            "(4 rows)\n");
  r = Run("-A -c 'CREATE ROLE bob NOLOGIN CREATEDB' -c '\\du'");
  std::vector<std::string> roles = {"alice||{}", "bob|Create DB, Cannot login|{}",
                                    su + "|Superuser, Create role, Create DB, Replication, Bypass RLS|{}"};
  std::sort(roles.begin(), roles.end());
  EXPECT_EQ(r.out, "CREATE ROLE\nList of roles\nRole name|Attributes|Member of\n" + roles[0] + "\n" +
                       roles[1] + "\n" + roles[2] + "\n");
  r = Run("-A -c '\\du b*'");
  EXPECT_EQ(r.out, "List of roles\nRole name|Attributes|Member of\nbob|Create DB, Cannot login|{}\n");
}

// Scenario: \c to a role that does not exist keeps the session, with psql's message.
TEST_F(MinipsqlTest, ConnectFailureKeepsConnection) {
  auto r = Run("", "\\c postgres nobody\nSELECT current_user;\n");
  EXPECT_NE(r.out.find("\\connect: connection to server on socket \"" + server_.socket_dir() + "/.s.PGSQL." +
                       std::to_string(server_.port()) + "\" failed: FATAL:  role \"nobody\" does not exist\n" +
                       "Previous connection kept\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(Superuser()), std::string::npos) << "the old session still answers: " << r.out;
}

// Scenario: variables: -v and \set, :name and :'name' in SQL, \echo.
TEST_F(MinipsqlTest, Variables) {
  auto r = Run("-A -t -v who=alice",
               "\\set n 22\n\\echo hello :who\nSELECT b FROM t WHERE a = :n;\nSELECT :'who';\n");
  EXPECT_EQ(r.out, "hello alice\n\nalice\n");
}

// Scenario: where psql is installed, it prints the same bytes for the same commands.
TEST_F(MinipsqlTest, SameOutputAsPsql) {
  if (!HavePsql()) GTEST_SKIP() << "psql is not installed";
  for (const std::string args : {
           "-c 'SELECT a, b FROM t ORDER BY a'",
           "-A -c 'SELECT a, b FROM t ORDER BY a'",
           "-A -t -c 'SELECT a, b FROM t ORDER BY a'",
           "-t -c 'SELECT a, b FROM t ORDER BY a'",
           "-c '\\x' -c 'SELECT a, b FROM t ORDER BY a'",
           "-c 'SELECT nope'",
           "-c '\\conninfo'",
           "-c 'COPY t TO STDOUT WITH CSV HEADER'",
           "-c '\\c other alice' -c '\\conninfo' -c 'SELECT current_user, current_database()'",
           "-t -c '\\x' -c 'SELECT a, b FROM t ORDER BY a'",
       }) {
    EXPECT_EQ(Run(args).out, Psql(args).out) << args;
  }
}

}  // namespace
}  // namespace minipg::testing
