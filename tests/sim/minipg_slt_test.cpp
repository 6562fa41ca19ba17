/*
 * minipg_slt_test.cpp
 *   minipg-slt against a real minipg, as a user runs it: a file with
 *   records that pass, one that fails and three that are skipped, counted
 *   per file and server, two servers' columns side by side, the failure
 *   explained, and the file's own database dropped afterwards.
 */
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "tests/integration/server_harness.h"

namespace minipg::testing {
namespace {

// The expected results are PostgreSQL 15's, except the one record that
// must fail (it expects 2 where every server says 1).
constexpr const char* kFile =
    "# written by minipg_slt_test\n"
    "statement ok\n"
    "CREATE TABLE t1(a INTEGER, b TEXT)\n"
    "\n"
    "statement ok\n"
    "INSERT INTO t1 VALUES (2, 'two'), (1, ''), (3, NULL)\n"
    "\n"
    "query IT rowsort\n"
    "SELECT a, b FROM t1\n"
    "----\n"
    "1\n"
    "(empty)\n"
    "2\n"
    "two\n"
    "3\n"
    "NULL\n"
    "\n"
    "query I nosort\n"
    "SELECT 1\n"
    "----\n"
    "2\n"
    "\n"
    "statement error\n"
    "SELECT * FROM nowhere\n"
    "\n"
    "hash-threshold 2\n"
    "\n"
    "query I valuesort\n"
    "SELECT a FROM t1\n"
    "----\n"
    "3 values hashing to c0710d6b4f15dfa88f600b0e6b624077\n"
    "\n"
    "skipif postgresql\n"
    "statement ok\n"
    "NOT SQL AT ALL\n"
    "\n"
    "onlyif mysql\n"
    "statement ok\n"
    "NOT SQL EITHER\n"
    "\n"
    "loop i 0 3\n";

TEST(MinipgSltTest, CountsPassedFailedSkippedSideBySide) {
  Server server;
  ASSERT_TRUE(server.Start());
  char tmpl[] = "/tmp/minipg_slt_test_XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::ofstream(dir + "/runner.test") << kFile;
  std::string conn = "host=" + server.socket_dir() + " port=" + std::to_string(server.port()) +
                     " user=" + Superuser() + " dbname=postgres";
  auto r = RunCommand(BinDir() + "/minipg-slt --failures 5 --target 'one=" + conn + "' --target 'two=" + conn +
                      "' " + dir + " 2>&1");
  EXPECT_EQ(r.status, 1) << r.out;  // a record failed
  // Five passed, one failed, three skipped (two by condition, one unknown), on each.
  EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(runner\.test +5 +1 +3 +5 +1 +3\n)"))) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(pass rate +83\.3% \(5/6\) +83\.3% \(5/6\))"))) << r.out;
  EXPECT_NE(r.out.find("one: " + dir + "/runner.test:18: expected 2, got 1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("two: " + dir + "/runner.test:18: expected 2, got 1"), std::string::npos) << r.out;
  // Each run's database is gone again.
  auto left = RunCommand(BinDir() + "/minipsql -h " + server.socket_dir() + " -p " + std::to_string(server.port()) +
                         " -U " + Superuser() +
                         " -d postgres -A -t -c 'SELECT datname FROM pg_database' 2>&1");
  EXPECT_NE(left.out.find("template1"), std::string::npos) << left.out;
  EXPECT_EQ(left.out.find("slt_"), std::string::npos) << left.out;
  RunCommand("rm -rf " + dir);
}

}  // namespace
}  // namespace minipg::testing
