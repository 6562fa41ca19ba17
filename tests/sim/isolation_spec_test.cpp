/*
 * isolation_spec_test.cpp
 *   minipg-isolation's reading of isolationtester spec files
 *   (sim/isolation/spec_parser.cpp), its normalization of what servers
 *   print and its diff (sim/isolation/normalize.cpp), and its printing of
 *   rows, errors and notices (sim/isolation/output.cpp), with no server.
 */
#include <gtest/gtest.h>

#include <memory>

#include "sim/isolation/normalize.h"
#include "sim/isolation/output.h"
#include "sim/isolation/spec.h"

namespace minipg::sim::isolation {
namespace {

// Scenario: every part of the format, as PostgreSQL's own specs write it.
TEST(IsolationSpecParserTest, EveryPartOfTheFormat) {
  SpecParse p = ParseSpec(
      "# a comment\n"
      "setup { CREATE TABLE t (id int); }\n"
      "setup\n{\n  INSERT INTO t VALUES (1);\n}\n"
      "teardown { DROP TABLE t; }\n"
      "session s1\n"
      "setup { BEGIN; }\n"
      "step s1a { SELECT '{1,2}'::int[]; }   # arrays keep their braces\n"
      "step \"s1 b\" { COMMIT; }\n"
      "teardown { ROLLBACK; }\n"
      "session \"s2\"\n"
      "step s2a\t{ LOCK TABLE t; }\n"
      "permutation s1a s2a(*) \"s1 b\"(s2a, s1a notices 2)\n"
      "permutation \"s2a\" s1a \"s1 b\"\n");
  ASSERT_TRUE(p.ok()) << p.error;
  const TestSpec& s = p.spec;
  ASSERT_EQ(s.setup_sqls.size(), 2u);
  EXPECT_EQ(s.setup_sqls[0], "CREATE TABLE t (id int);");
  // Blanks inside the braces go, newlines stay, as isolationtester prints them.
  EXPECT_EQ(s.setup_sqls[1], "\n  INSERT INTO t VALUES (1);\n");
  EXPECT_EQ(s.teardown_sql, "DROP TABLE t;");
  ASSERT_EQ(s.sessions.size(), 2u);
  EXPECT_EQ(s.sessions[0].setup_sql, "BEGIN;");
  EXPECT_EQ(s.sessions[0].teardown_sql, "ROLLBACK;");
  EXPECT_FALSE(s.sessions[1].setup_sql.has_value());
  ASSERT_EQ(s.sessions[0].steps.size(), 2u);
  EXPECT_EQ(s.sessions[0].steps[0].sql, "SELECT '{1,2}'::int[];");
  EXPECT_EQ(s.sessions[0].steps[1].name, "s1 b");
  ASSERT_EQ(s.permutations.size(), 2u);
  const Permutation& p1 = s.permutations[0];
  ASSERT_EQ(p1.size(), 3u);
  ASSERT_EQ(p1[1].blockers.size(), 1u);
  EXPECT_EQ(p1[1].blockers[0].kind, BlockerKind::kOnce);
  ASSERT_EQ(p1[2].blockers.size(), 2u);
  EXPECT_EQ(p1[2].blockers[0].kind, BlockerKind::kOtherStep);
  EXPECT_EQ(p1[2].blockers[0].step, "s2a");
  EXPECT_EQ(p1[2].blockers[1].kind, BlockerKind::kNotices);
  EXPECT_EQ(p1[2].blockers[1].notices, 2);
  EXPECT_EQ(s.permutations[1][0].name, "s2a");
  auto ref = FindStep(s, "s2a");
  ASSERT_TRUE(ref.has_value());
  EXPECT_EQ(ref->session, 1u);
  EXPECT_EQ(ref->index, 0u);
}

// Scenario: a broken spec is refused with the reason and its line.
TEST(IsolationSpecParserTest, ErrorsSayWhatAndWhere) {
  EXPECT_EQ(ParseSpec("session s1\nstep a { SELECT 1;\n").error, "unterminated sql block at line 2");
  EXPECT_EQ(ParseSpec("session s1\nstep a { SELECT 1; }\npermutation b\n").error,
            "undefined step \"b\" specified in permutation");
  EXPECT_EQ(ParseSpec("session s1\nstep a { SELECT 1; }\nstep a { SELECT 2; }\n").error,
            "duplicate step name \"a\"");
  EXPECT_EQ(ParseSpec("session s1\nstep a { SELECT 1; }\npermutation a(b)\n").error,
            "undefined blocking step \"b\" referenced in permutation step \"a\"");
  EXPECT_EQ(ParseSpec("setup { SELECT 1; }\n").error, "a spec needs at least one session at line 2");
  EXPECT_EQ(ParseSpec("session s1\n\nstep a SELECT\n").error, "expected an SQL block { ... } at line 3");
  EXPECT_EQ(ParseSpec("session s1\nstep a { SELECT 1; } ;\n").error,
            "syntax error at line 2: unexpected character \";\"");
}

// Scenario: without permutations, every interleaving of the sessions' steps runs, each session's in order.
TEST(IsolationSpecParserTest, AllInterleavings) {
  SpecParse p = ParseSpec(
      "session s1\nstep a1 { SELECT 1; }\nstep a2 { SELECT 2; }\n"
      "session s2\nstep b1 { SELECT 3; }\nstep b2 { SELECT 4; }\n");
  ASSERT_TRUE(p.ok()) << p.error;
  std::vector<Permutation> all = AllPermutations(p.spec);
  ASSERT_EQ(all.size(), 6u);  // 4 choose 2
  auto names = [](const Permutation& perm) {
    std::string s;
    for (const PermutationStep& st : perm) s += st.name + " ";
    return s;
  };
  EXPECT_EQ(names(all.front()), "a1 a2 b1 b2 ");
  EXPECT_EQ(names(all[1]), "a1 b1 a2 b2 ");
  EXPECT_EQ(names(all.back()), "b1 b2 a1 a2 ");
  EXPECT_TRUE(UnusedSteps(p.spec).empty());
  p.spec.permutations = {{{"a1", {}}, {"b1", {}}}};
  EXPECT_EQ(UnusedSteps(p.spec), (std::vector<std::string>{"a2", "b2"}));
}

// Scenario: a deadlock's DETAIL reads the same on every run and server: pids by session, xids and OIDs named.
TEST(IsolationNormalizeTest, MessagesNameTheirNumbers) {
  std::vector<SessionPid> pids = {{"s1", 4242}, {"s2", 4343}};
  EXPECT_EQ(NormalizeMessage("Process 4343 waits for ShareLock on transaction 745; blocked by process 4242.\n"
                             "Process 4242 waits for ShareLock on transaction 746; blocked by process 4343.",
                             pids),
            "Process PID(s2) waits for ShareLock on transaction XID; blocked by process PID(s1).\n"
            "Process PID(s1) waits for ShareLock on transaction XID; blocked by process PID(s2).");
  EXPECT_EQ(NormalizeMessage("Process 99 waits for AccessExclusiveLock on relation 16384 of database 5; "
                             "blocked by process 4242.",
                             pids),
            "Process PID waits for AccessExclusiveLock on relation OID of database OID; blocked by process PID(s1).");
  EXPECT_EQ(NormalizeMessage("waits for ExclusiveLock on virtual transaction 3/12", pids),
            "waits for ExclusiveLock on virtual transaction VXID");
  // Numbers that are data stay.
  EXPECT_EQ(NormalizeMessage("Key (id)=(4242) already exists.", pids), "Key (id)=(4242) already exists.");
}

// Scenario: result values are normalized by their column's name only.
TEST(IsolationNormalizeTest, CellsByColumnName) {
  std::vector<SessionPid> pids = {{"s1", 4242}};
  EXPECT_EQ(NormalizeCell("pid", "4242", pids), "PID(s1)");
  EXPECT_EQ(NormalizeCell("blocking_pids", "{4242,77}", pids), "{PID(s1),PID}");
  EXPECT_EQ(NormalizeCell("transactionid", "745", pids), "XID");
  EXPECT_EQ(NormalizeCell("backend_xmin", "745", pids), "XID");
  EXPECT_EQ(NormalizeCell("xmax", "0", pids), "0");
  EXPECT_EQ(NormalizeCell("database", "16384", pids), "OID");
  EXPECT_EQ(NormalizeCell("virtualxid", "3/12", pids), "VXID");
  EXPECT_EQ(NormalizeCell("id", "4242", pids), "4242");
}

// Scenario: VACUUM VERBOSE's lines that change from run to run are dropped, the counts kept.
TEST(IsolationNormalizeTest, TimingLines) {
  EXPECT_TRUE(IsTimingLine("removable cutoff: 745, which was 1 XIDs old when operation ended\n"));
  EXPECT_TRUE(IsTimingLine("system usage: CPU: user: 0.00 s, system: 0.00 s, elapsed: 0.00 s"));
  EXPECT_TRUE(IsTimingLine("buffer usage: 33 hits, 0 misses, 0 dirtied"));
  EXPECT_FALSE(IsTimingLine("tuples: 0 removed, 10 remain, 5 are dead but not yet removable"));
  EXPECT_FALSE(IsTimingLine("pages: 0 removed, 1 remain, 1 scanned (100.00% of total)"));
}

// Scenario: the diff shows removed lines, added lines and two lines of context.
TEST(IsolationNormalizeTest, Diff) {
  EXPECT_EQ(DiffLines("a\nb\n", "a\nb\n"), "");
  EXPECT_EQ(DiffLines("1\n2\n3\n4\n5\n6\n7\n", "1\n2\n3\nX\n5\n6\n7\n"), " 2\n 3\n-4\n+X\n 5\n 6\n");
  EXPECT_EQ(DiffLines("a\nb\nc\nd\ne\nf\ng\nh\n", "A\nb\nc\nd\ne\nf\ng\nH\n"),
            "-a\n+A\n b\n c\n@@\n f\n g\n-h\n+H\n");
}

/* A result as a server would send it: text columns, NULL as nullptr. */
std::unique_ptr<PGresult, decltype(&PQclear)> MakeResult(const std::vector<std::string>& columns,
                                                         const std::vector<std::vector<const char*>>& rows) {
  std::unique_ptr<PGresult, decltype(&PQclear)> res(PQmakeEmptyPGresult(nullptr, PGRES_TUPLES_OK), &PQclear);
  std::vector<PGresAttDesc> attrs(columns.size());
  for (size_t i = 0; i < columns.size(); ++i) {
    attrs[i] = {const_cast<char*>(columns[i].c_str()), 0, 0, 0, 25, -1, -1};  // text
  }
  PQsetResultAttrs(res.get(), static_cast<int>(attrs.size()), attrs.data());
  for (size_t r = 0; r < rows.size(); ++r) {
    for (size_t c = 0; c < rows[r].size(); ++c) {
      const char* v = rows[r][c];
      PQsetvalue(res.get(), static_cast<int>(r), static_cast<int>(c), const_cast<char*>(v),
                 v == nullptr ? -1 : static_cast<int>(std::string_view(v).size()));
    }
  }
  return res;
}

// Scenario: rows print as isolationtester prints them (PQprint: numbers right-aligned, text left, a blank line after).
TEST(IsolationOutputTest, RowsAsIsolationtester) {
  auto res = MakeResult({"id", "name", "val"}, {{"1", "alice", "10"}, {"2", nullptr, "-3"}});
  EXPECT_EQ(FormatRows(res.get(), {}),
            "id|name |val\n"
            "--+-----+---\n"
            " 1|alice| 10\n"
            " 2|     | -3\n"
            "(2 rows)\n"
            "\n");
  auto none = MakeResult({"count"}, {});
  EXPECT_EQ(FormatRows(none.get(), {}), "count\n-----\n(0 rows)\n\n");
}

// Scenario: a pid column is normalized before alignment, so the widths follow the names shown.
TEST(IsolationOutputTest, RowsNormalizedBeforeAlignment) {
  auto res = MakeResult({"pid", "mode"}, {{"123456", "ShareLock"}});
  EXPECT_EQ(FormatRows(res.get(), {{"s1", 123456}}),
            "pid    |mode     \n"
            "-------+---------\n"
            "PID(s1)|ShareLock\n"
            "(1 row)\n"
            "\n");
}

// Scenario: an error prints its severity and message, then its DETAIL and HINT, normalized.
TEST(IsolationOutputTest, ErrorsAndNotices) {
  EXPECT_EQ(FormatError("ERROR", "division by zero", "", "", {}), "ERROR:  division by zero\n");
  EXPECT_EQ(FormatError("ERROR", "deadlock detected",
                        "Process 7 waits for ShareLock on transaction 9; blocked by process 8.", "See server log for query details.",
                        {{"s1", 7}, {"s2", 8}}),
            "ERROR:  deadlock detected\n"
            "DETAIL:  Process PID(s1) waits for ShareLock on transaction XID; blocked by process PID(s2).\n"
            "HINT:  See server log for query details.\n");
  EXPECT_EQ(FormatNotice("s2", "NOTICE:  hello 1\n", {}), "s2: NOTICE:  hello 1\n");
  EXPECT_EQ(FormatNotice("s2",
                         "INFO:  finished vacuuming \"d.public.t\": index scans: 0\n"
                         "tuples: 0 removed, 10 remain, 5 are dead but not yet removable\n"
                         "removable cutoff: 745, which was 2 XIDs old when operation ended\n"
                         "system usage: CPU: user: 0.00 s, system: 0.00 s, elapsed: 0.00 s\n",
                         {}),
            "s2: INFO:  finished vacuuming \"d.public.t\": index scans: 0\n"
            "tuples: 0 removed, 10 remain, 5 are dead but not yet removable\n");
}

}  // namespace
}  // namespace minipg::sim::isolation
