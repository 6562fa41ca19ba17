/*
 * slt_test.cpp
 *   minipg-slt's reading of sqllogictest files (sim/slt/parser.cpp) and
 *   its formatting and comparison of results (sim/slt/compare.cpp), with
 *   no server: records, conditions, sort modes, hashes, and the records
 *   of other dialects passed over without losing the rest of the file.
 */
#include <gtest/gtest.h>

#include "sim/slt/slt.h"

namespace minipg::sim::slt {
namespace {

// Scenario: the record kinds of the format, as the SQLite corpus writes them.
TEST(SltParserTest, RecordsOfEveryKind) {
  SltFile f = ParseSlt(
      "# a comment\n"
      "hash-threshold 8\n"
      "\n"
      "statement ok\n"
      "CREATE TABLE t1(a INTEGER, b INTEGER)\n"
      "\n"
      "statement error\n"
      "SELECT * FROM nowhere\n"
      "\n"
      "query II rowsort label-1\n"
      "SELECT a,\n"
      "  b FROM t1\n"
      "----\n"
      "1\n"
      "2\n"
      "\n"
      "query T nosort\n"
      "SELECT 'x'\n"
      "----\n"
      "x\n");
  EXPECT_TRUE(f.problems.empty());
  ASSERT_EQ(f.records.size(), 5u);
  EXPECT_EQ(f.records[0].kind, RecordKind::kHashThreshold);
  EXPECT_EQ(f.records[0].hash_threshold, 8);
  EXPECT_EQ(f.records[1].kind, RecordKind::kStatement);
  EXPECT_FALSE(f.records[1].expect_error);
  EXPECT_EQ(f.records[1].sql, "CREATE TABLE t1(a INTEGER, b INTEGER)");
  EXPECT_EQ(f.records[1].line, 4);
  EXPECT_TRUE(f.records[2].expect_error);
  const Record& q = f.records[3];
  EXPECT_EQ(q.kind, RecordKind::kQuery);
  EXPECT_EQ(q.types, "II");
  EXPECT_EQ(q.sort, SortMode::kRowSort);
  EXPECT_EQ(q.label, "label-1");
  EXPECT_EQ(q.sql, "SELECT a,\n  b FROM t1");
  EXPECT_TRUE(q.has_separator);
  EXPECT_EQ(q.expected, (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(f.records[4].sort, SortMode::kNoSort);
  EXPECT_EQ(f.records[4].line, 17);
}

// Scenario: skipif/onlyif apply to the next record only; minipg answers
// to "postgresql".
TEST(SltParserTest, ConditionsNameTheDatabase) {
  SltFile f = ParseSlt(
      "skipif mysql\n"
      "onlyif postgresql\n"
      "statement ok\n"
      "SELECT 1\n"
      "\n"
      "skipif postgresql\n"
      "statement ok\n"
      "SELECT 2\n"
      "\n"
      "onlyif sqlite\n"
      "statement ok\n"
      "SELECT 3\n"
      "\n"
      "statement ok\n"
      "SELECT 4\n");
  ASSERT_EQ(f.records.size(), 4u);
  EXPECT_EQ(f.records[0].conditions.size(), 2u);
  EXPECT_TRUE(Applies(f.records[0], "postgresql"));
  EXPECT_FALSE(Applies(f.records[0], "mysql"));
  EXPECT_FALSE(Applies(f.records[1], "postgresql"));
  EXPECT_TRUE(Applies(f.records[1], "sqlite"));
  EXPECT_FALSE(Applies(f.records[2], "postgresql"));
  EXPECT_TRUE(Applies(f.records[3], "postgresql"));
  // As SQLite's runner, the name matches in any case.
  EXPECT_FALSE(Applies(f.records[0], "MySQL"));
  EXPECT_TRUE(Applies(f.records[1], "SQLite"));
}

// Scenario: an unconditional halt ends the file; a conditional one is kept
// for the runner.
TEST(SltParserTest, HaltEndsTheFile) {
  SltFile f = ParseSlt(
      "onlyif mssql\n"
      "halt\n"
      "\n"
      "statement ok\n"
      "SELECT 1\n"
      "\n"
      "halt\n"
      "\n"
      "statement ok\n"
      "SELECT 2\n");
  ASSERT_EQ(f.records.size(), 3u);
  EXPECT_EQ(f.records[0].kind, RecordKind::kHalt);
  EXPECT_TRUE(f.records[0].conditions[0].only_if);
  EXPECT_EQ(f.records[2].kind, RecordKind::kHalt);
}

// Scenario: another dialect's directives become skipped records and the
// records after them are still read; a query without ---- has no results.
TEST(SltParserTest, UnknownRecordsArePassedOver) {
  SltFile f = ParseSlt(
      "loop i 0 10\n"
      "statement ok\n"
      "SELECT 1\n"
      "\n"
      "query X\n"
      "SELECT 1\n"
      "\n"
      "query I valuesort\n"
      "SELECT 1\n"
      "\r\n"
      "statement ok\n"
      "SELECT 2\n");
  ASSERT_EQ(f.records.size(), 4u);
  EXPECT_EQ(f.records[0].kind, RecordKind::kUnknown);
  EXPECT_EQ(f.records[1].kind, RecordKind::kUnknown);
  EXPECT_EQ(f.problems.size(), 2u);
  EXPECT_EQ(f.problems[0].line, 1);
  EXPECT_EQ(f.records[2].sort, SortMode::kValueSort);
  EXPECT_FALSE(f.records[2].has_separator);
  EXPECT_EQ(f.records[3].sql, "SELECT 2");
}

// Scenario: values print as sqllogictest prints them.
TEST(SltFormatTest, ValuesAsSqllogictestPrintsThem) {
  EXPECT_EQ(FormatValue(std::nullopt, 'T'), "NULL");
  EXPECT_EQ(FormatValue(std::nullopt, 'I'), "NULL");
  EXPECT_EQ(FormatValue("", 'T'), "(empty)");
  EXPECT_EQ(FormatValue("a\tb\xC3\xA9", 'T'), "a@b@@");
  EXPECT_EQ(FormatValue("42", 'I'), "42");
  EXPECT_EQ(FormatValue("-7.9", 'I'), "-7");
  EXPECT_EQ(FormatValue("t", 'I'), "1");
  EXPECT_EQ(FormatValue("f", 'I'), "0");
  EXPECT_EQ(FormatValue("2.5", 'R'), "2.500");
  EXPECT_EQ(FormatValue("-1", 'R'), "-1.000");
  EXPECT_EQ(FormatValue("1e3", 'R'), "1000.000");
}

// Scenario: sort modes, hashes, and both ways of writing expected rows.
TEST(SltFormatTest, SortingHashingMatching) {
  std::vector<std::vector<std::string>> rows = {{"3", "b"}, {"1", "c"}, {"2", "a"}};
  EXPECT_EQ(SortedValues(rows, SortMode::kNoSort), (std::vector<std::string>{"3", "b", "1", "c", "2", "a"}));
  EXPECT_EQ(SortedValues(rows, SortMode::kRowSort), (std::vector<std::string>{"1", "c", "2", "a", "3", "b"}));
  EXPECT_EQ(SortedValues(rows, SortMode::kValueSort), (std::vector<std::string>{"1", "2", "3", "a", "b", "c"}));

  std::vector<std::string> values = {"1", "2", "3"};
  EXPECT_EQ(HashLine(values), "3 values hashing to c0710d6b4f15dfa88f600b0e6b624077");
  EXPECT_EQ(HashLine({}), "0 values hashing to d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_TRUE(Matches(values, 1, {"3 values hashing to c0710d6b4f15dfa88f600b0e6b624077"}));
  EXPECT_FALSE(Matches(values, 1, {"3 values hashing to 00000000000000000000000000000000"}));
  EXPECT_TRUE(Matches(values, 1, {"1", "2", "3"}));
  EXPECT_FALSE(Matches(values, 1, {"1", "2"}));
  EXPECT_FALSE(Matches(values, 1, {"1", "3", "2"}));

  std::vector<std::string> pairs = {"1", "a b", "2", "c"};
  EXPECT_TRUE(Matches(pairs, 2, {"1 a b", "2 c  "}));
  EXPECT_TRUE(Matches(pairs, 2, {"1", "a b", "2", "c"}));
  EXPECT_FALSE(Matches(pairs, 2, {"1 a b", "2 d"}));
  EXPECT_TRUE(Matches({}, 2, {}));
}

}  // namespace
}  // namespace minipg::sim::slt
