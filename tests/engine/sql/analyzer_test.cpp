/*-------------------------------------------------------------------------
 * analyzer_test.cpp
 *   Name resolution and type checking errors, with PostgreSQL's SQLSTATEs
 *   and wording; output column naming; the plan shapes.
 *-------------------------------------------------------------------------
 */
#include "engine/sql/analyzer.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "engine/sql/parser.h"
#include "engine/sql/optimizer/planner.h"
#include "tests/engine/sql/long_query.h"

namespace minipg::sql {
namespace {

storage::CatalogSnapshot TestCatalog() {
  storage::CatalogSnapshot c;
  c.tables.push_back(storage::TableDef{16384, "t", 10,
                                       {{"a", storage::ColumnType::kInt4},
                                        {"b", storage::ColumnType::kInt8},
                                        {"c", storage::ColumnType::kText},
                                        {"d", storage::ColumnType::kBool}}});
  return c;
}

Result<Query> AnalyzeText(std::string_view text) {
  auto stmts = ParseSql(text);
  if (!stmts.ok()) {
    return stmts.error();
  }
  EXPECT_EQ(stmts->size(), 1u);
  return Analyze(*(*stmts)[0], TestCatalog());
}

void ExpectError(std::string_view text, std::string_view sqlstate, std::string_view message, int position = -1) {
  auto q = AnalyzeText(text);
  ASSERT_FALSE(q.ok()) << text;
  EXPECT_EQ(q.error().sqlstate, sqlstate) << text;
  EXPECT_EQ(q.error().message, message) << text;
  if (position >= 0) {
    EXPECT_EQ(q.error().position, position) << text;
  }
}

TEST(AnalyzerTest, UndefinedObjects) {
  ExpectError("SELECT * FROM nope", "42P01", "relation \"nope\" does not exist", 15);
  ExpectError("SELECT x FROM t", "42703", "column \"x\" does not exist", 8);
  ExpectError("SELECT a", "42703", "column \"a\" does not exist", 8);
  ExpectError("SELECT u.a FROM t", "42P01", "missing FROM-clause entry for table \"u\"", 8);
  ExpectError("SELECT foo(1)", "42883", "function foo(integer) does not exist", 8);
  ExpectError("SELECT version(1, 'x')", "42883", "function version(integer, unknown) does not exist");
  ExpectError("SELECT 1::foo", "42704", "type \"foo\" does not exist");
  ExpectError("INSERT INTO t (zz) VALUES (1)", "42703", "column \"zz\" of relation \"t\" does not exist");
  ExpectError("DROP TABLE nope", "42P01", "table \"nope\" does not exist");
}

TEST(AnalyzerTest, TypeErrors) {
  ExpectError("SELECT 1 + 'a'::text", "42883", "operator does not exist: integer + text", 10);
  ExpectError("SELECT a FROM t WHERE a", "42804", "argument of WHERE must be type boolean, not type integer");
  ExpectError("SELECT 1 AND true", "42804", "argument of AND must be type boolean, not type integer");
  ExpectError("SELECT NOT 'x'::text", "42804", "argument of NOT must be type boolean, not type text");
  ExpectError("SELECT c = 1 FROM t", "42883", "operator does not exist: text = integer");
  ExpectError("SELECT 1 || 2", "42883", "operator does not exist: integer || integer");
  ExpectError("SELECT true::bigint", "42846", "cannot cast type boolean to bigint");
  ExpectError("SELECT 'abc' + 1", "22P02", "invalid input syntax for type integer: \"abc\"");
  ExpectError("SELECT 99999999999999999999", "22003", "value \"99999999999999999999\" is out of range for type bigint");
  ExpectError("INSERT INTO t (a) VALUES ('x'::text)", "42804",
              "column \"a\" is of type integer but expression is of type text");
  ExpectError("INSERT INTO t (d) VALUES (1)", "42804",
              "column \"d\" is of type boolean but expression is of type integer");
  ExpectError("INSERT INTO t VALUES (1, 2, 'x', true, 5)", "42601", "INSERT has more expressions than target columns");
  ExpectError("INSERT INTO t (a, b) VALUES (1)", "42601", "INSERT has more target columns than expressions");
  ExpectError("INSERT INTO t (a, a) VALUES (1, 2)", "42701", "column \"a\" specified more than once");
}

TEST(AnalyzerTest, DdlErrors) {
  ExpectError("CREATE TABLE t (x int)", "42P07", "relation \"t\" already exists", 0);  // no position, as PostgreSQL 15
  ExpectError("CREATE TABLE u (x int, x text)", "42701", "column \"x\" specified more than once", 0);
  ExpectError("CREATE TABLE u (x money)", "42704", "type \"money\" does not exist");
  EXPECT_TRUE(AnalyzeText("CREATE TABLE u (x int PRIMARY KEY)").ok());
  EXPECT_TRUE(AnalyzeText("CREATE TABLE IF NOT EXISTS t (x int)").ok());
  EXPECT_TRUE(AnalyzeText("DROP TABLE IF EXISTS nope").ok());
}

TEST(AnalyzerTest, UnsupportedSql) {
  ExpectError("SELECT 1 INTO TEMP c", "0A000", "SELECT ... INTO TEMP is not supported by minipg");
  EXPECT_TRUE(AnalyzeText("CREATE TABLE c AS SELECT 1").ok());
  ExpectError("SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM t", "0A000", "WITHIN is not supported by minipg");
  ExpectError("SELECT * FROM t WHERE row_number() OVER () > 1", "42P20", "window functions are not allowed in WHERE", 23);
  ExpectError("SELECT lower(c) OVER () FROM t", "42809",
              "OVER specified, but lower is not a window function nor an aggregate function", 8);
  ExpectError("SELECT * FROM t, t", "42712", "table name \"t\" specified more than once");
}

// Scenario: UPDATE's and DELETE's targets (PostgreSQL 15's errors): every
// column of the new row, then the junk ctid; RETURNING's columns last, over
// the new row; unknown and repeated SET columns, bad values, aggregates.
TEST(AnalyzerTest, UpdateAndDelete) {
  auto q = AnalyzeText("UPDATE t SET b = a + 1 WHERE c = 'x' RETURNING b, d");
  ASSERT_TRUE(q.ok()) << q.error().message;
  EXPECT_EQ(q->kind, StatementKind::kUpdate);
  ASSERT_EQ(q->targets.size(), 7u);  // a b c d, ctid, RETURNING b d
  EXPECT_EQ(q->ctid_target, 4);
  EXPECT_TRUE(q->targets[4].resjunk);
  EXPECT_EQ(q->returning, 2);
  EXPECT_EQ(DeparseExpr(*q->targets[1].expr), "((a + 1))::bigint");  // b is bigint
  EXPECT_EQ(DeparseExpr(*q->targets[5].expr), "((a + 1))::bigint");  // RETURNING b: the new value
  ASSERT_EQ(q->OutputColumns().size(), 2u);
  EXPECT_EQ(q->OutputColumns()[0].name, "b");

  auto d = AnalyzeText("DELETE FROM t WHERE a > 1");
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->targets.size(), 1u);
  EXPECT_EQ(d->ctid_target, 0);
  EXPECT_TRUE(d->OutputColumns().empty());

  ExpectError("UPDATE t SET nosuch = 1", "42703", "column \"nosuch\" of relation \"t\" does not exist", 14);
  ExpectError("UPDATE t SET a = 1, a = 2", "42601", "multiple assignments to same column \"a\"");
  ExpectError("UPDATE t SET (a, b) = (1, 2, 3)", "42601", "number of columns does not match number of values");
  ExpectError("UPDATE t SET a = 'x'", "22P02", "invalid input syntax for type integer: \"x\"");
  ExpectError("UPDATE t SET a = count(*)", "42803", "aggregate functions are not allowed in UPDATE");
  ExpectError("DELETE FROM nope", "42P01", "relation \"nope\" does not exist");
  ExpectError("INSERT INTO t (a) SELECT 1, 2", "42601", "INSERT has more expressions than target columns");
}

// Set operations and DISTINCT ON point at the spot PostgreSQL points at.
TEST(AnalyzerTest, SetOperationAndDistinctErrors) {
  ExpectError("SELECT a FROM t UNION SELECT c FROM t", "42804", "UNION types integer and text cannot be matched", 30);
  ExpectError("SELECT 1, 2 UNION SELECT 1", "42601", "each UNION query must have the same number of columns", 26);
  ExpectError("SELECT a FROM t EXCEPT SELECT a FROM t ORDER BY a + 1", "0A000",
              "invalid UNION/INTERSECT/EXCEPT ORDER BY clause", 49);
  ExpectError("SELECT DISTINCT ON (a) a, c FROM t ORDER BY c", "42P10",
              "SELECT DISTINCT ON expressions must match initial ORDER BY expressions", 21);
  ExpectError("SELECT DISTINCT a FROM t ORDER BY c", "42P10",
              "for SELECT DISTINCT, ORDER BY expressions must appear in select list", 35);
  ExpectError("WITH x AS (SELECT 1), x AS (SELECT 2) SELECT * FROM x", "42712",
              "WITH query name \"x\" specified more than once", 23);
}

// The analyzed set operation: leaves are "*SELECT* n" subqueries coerced to
// the resolved types, named after the leftmost.
TEST(AnalyzerTest, SetOperationTree) {
  auto q = AnalyzeText("SELECT a AS x FROM t UNION ALL (SELECT 2.5 INTERSECT SELECT NULL)");
  ASSERT_TRUE(q.ok()) << q.error().message;
  ASSERT_TRUE(q->setop != nullptr);
  EXPECT_EQ(q->setop->op, SetOpKind::kUnion);
  EXPECT_TRUE(q->setop->all);
  EXPECT_EQ(q->setop->rarg->op, SetOpKind::kIntersect);
  ASSERT_EQ(q->rtable.size(), 3u);
  EXPECT_EQ(q->rtable[2].refname, "*SELECT* 3");
  for (const RangeTblEntry& rte : q->rtable) EXPECT_EQ(rte.coltypes[0], TypeId::kNumeric) << rte.refname;
  ASSERT_EQ(q->targets.size(), 1u);
  EXPECT_EQ(q->targets[0].name, "x");
  EXPECT_EQ(q->targets[0].expr->type, TypeId::kNumeric);
}

// Scenario: output columns are named and typed as PostgreSQL names them.
TEST(AnalyzerTest, OutputColumnNames) {
  auto q = AnalyzeText(
      "SELECT 1, a, t.b, c::int, 1::int, true, pg_backend_pid(), version(), 'x' AS y, a + 1, "
      "current_user, NULL, 2147483648 FROM t");
  ASSERT_TRUE(q.ok()) << q.error().message;
  std::vector<std::string> names;
  std::vector<TypeId> types;
  for (const ColumnDesc& c : q->OutputColumns()) {
    names.push_back(c.name);
    types.push_back(c.type);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"?column?", "a", "b", "c", "int4", "?column?", "pg_backend_pid", "version",
                                             "y", "?column?", "current_user", "?column?", "?column?"}));
  EXPECT_EQ(types, (std::vector<TypeId>{TypeId::kInt4, TypeId::kInt4, TypeId::kInt8, TypeId::kInt4, TypeId::kInt4,
                                        TypeId::kBool, TypeId::kInt4, TypeId::kText, TypeId::kText, TypeId::kInt4,
                                        TypeId::kText, TypeId::kUnknown, TypeId::kInt8}));
}

TEST(AnalyzerTest, UnknownLiteralsTakeTheirContextsType) {
  auto q = AnalyzeText("SELECT a FROM t WHERE a = '5' AND d = 'yes' AND b > 1");
  ASSERT_TRUE(q.ok()) << q.error().message;
  EXPECT_EQ(q->tables, (std::vector<std::string>{"t"}));
  auto ins = AnalyzeText("INSERT INTO t VALUES ('1', 2, 3, 'true')");
  ASSERT_TRUE(ins.ok()) << ins.error().message;
  ASSERT_EQ(ins->rtable.size(), 2u);  // the table, the VALUES rows
  ASSERT_EQ(ins->rtable[1].values.size(), 1u);
  EXPECT_EQ(ins->rtable[1].values[0][0]->type, TypeId::kInt4);
  EXPECT_EQ(ins->rtable[1].values[0][2]->type, TypeId::kText);  // integer assigned to text
}

// Scenario: the conditional expressions print as PostgreSQL 15's EXPLAIN
// (COSTS OFF) prints them; IN (constants) as = ANY of an array literal.
TEST(PlannerTest, ConditionalsDeparseAsPostgres) {
  const std::pair<const char*, const char*> cases[] = {
      {"a IN (1, 2) AND c NOT IN ('x', 'y z')",
       "((a = ANY ('{1,2}'::integer[])) AND (c <> ALL ('{x,\"y z\"}'::text[])))"},
      {"a IS DISTINCT FROM 3 AND COALESCE(a, 0) > GREATEST(a, 1)",
       "((a IS DISTINCT FROM 3) AND (COALESCE(a, 0) > GREATEST(a, 1)))"},
      {"NULLIF(a, 2) <> 1 AND CASE WHEN a > 1 THEN c ELSE 'q' END = c",
       "((NULLIF(a, 2) <> 1) AND (CASE WHEN (a > 1) THEN c ELSE 'q'::text END = c))"},
  };
  for (const auto& [where, filter] : cases) {
    auto q = AnalyzeText(std::string("SELECT a FROM t WHERE ") + where);
    ASSERT_TRUE(q.ok()) << q.error().message;
    auto plan = PlanQuery(*q);
    ASSERT_TRUE(plan.ok()) << plan.error().message;
    EXPECT_EQ(plan->Explain(), std::string("Seq Scan on t\n  Filter: ") + filter);
  }
}

// Scenario: the plan is numbered depth-first with parents, as the plan
// event says, and reads as PostgreSQL's EXPLAIN (COSTS OFF).
TEST(PlannerTest, SelectPlanShape) {
  auto q = AnalyzeText("SELECT a AS x FROM t WHERE a > 1 ORDER BY b LIMIT 3");
  ASSERT_TRUE(q.ok()) << q.error().message;
  auto plan = PlanQuery(*q);
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  ASSERT_EQ(plan->nodes.size(), 3u);
  std::vector<std::string> names;
  for (const Plan* n : plan->nodes) {
    names.push_back(PlanKindName(n->kind));
    EXPECT_EQ(n->parent, n->id - 1);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"Limit", "Sort", "Seq Scan"}));
  EXPECT_EQ(plan->Explain(),
            "Limit\n"
            "  ->  Sort\n"
            "        Sort Key: b\n"
            "        ->  Seq Scan on t\n"
            "              Filter: (a > 1)");
  // Estimates, PostgreSQL 15's for this table: "Limit (cost=28.66..28.66
  // rows=3 width=12)", "Sort (cost=28.66..29.58 rows=370 width=12)", "Seq
  // Scan on t (cost=0.00..23.88 rows=370 width=12)" (never analyzed: 10
  // pages of 111 rows; a third kept by the filter; a top-3 sort).
  EXPECT_EQ(plan->nodes[2]->rows, 370);
  EXPECT_EQ(fmt::format("{:.2f}..{:.2f}", plan->nodes[2]->startup_cost, plan->nodes[2]->total_cost), "0.00..23.88");
  EXPECT_EQ(fmt::format("{:.2f}..{:.2f}", plan->nodes[1]->startup_cost, plan->nodes[1]->total_cost), "28.66..29.58");
  EXPECT_EQ(fmt::format("{:.2f}..{:.2f}", plan->nodes[0]->startup_cost, plan->nodes[0]->total_cost), "28.66..28.66");
  EXPECT_GT(plan->nodes[1]->startup_cost, plan->nodes[2]->total_cost);
  EXPECT_EQ(plan->nodes[0]->rows, 3);
  EXPECT_EQ(plan->nodes[2]->width, 12);  // integer a, bigint b
  // Only the select list goes to the client; the sort key is a junk column.
  EXPECT_EQ(plan->columns.size(), 1u);
  EXPECT_EQ(plan->nodes[2]->targetlist.size(), 2u);
}

// Scenario: aggregates plan as PostgreSQL's EXPLAIN (COSTS OFF) shows them:
// a plain Aggregate without GROUP BY, a HashAggregate with its Group Key
// and HAVING as its Filter; the scan returns only the grouped column.
TEST(PlannerTest, AggregatePlans) {
  auto q = AnalyzeText("SELECT count(*) FROM t");
  ASSERT_TRUE(q.ok()) << q.error().message;
  auto plan = PlanQuery(*q);
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  EXPECT_EQ(plan->Explain(), "Aggregate\n  ->  Seq Scan on t");
  EXPECT_EQ(plan->root->rows, 1);
  q = AnalyzeText("SELECT a, count(*) FROM t GROUP BY a HAVING count(*) > 1");
  ASSERT_TRUE(q.ok()) << q.error().message;
  plan = PlanQuery(*q);
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  EXPECT_EQ(plan->Explain(),
            "HashAggregate\n"
            "  Group Key: a\n"
            "  Filter: (count(*) > 1)\n"
            "  ->  Seq Scan on t");
  EXPECT_EQ(plan->nodes[1]->targetlist.size(), 1u);
}

// Scenario: set operations and DISTINCT plan as PostgreSQL's EXPLAIN
// (COSTS OFF) shows them (INTERSECT / EXCEPT without PostgreSQL's Append
// and flag column: docs/sql.md).
TEST(PlannerTest, SetOperationPlans) {
  auto explain = [](std::string_view text) {
    auto q = AnalyzeText(text);
    EXPECT_TRUE(q.ok()) << (q.ok() ? "" : q.error().message);
    if (!q.ok()) return std::string();
    auto plan = PlanQuery(*q);
    EXPECT_TRUE(plan.ok()) << (plan.ok() ? "" : plan.error().message);
    return plan.ok() ? plan->Explain() : std::string();
  };
  EXPECT_EQ(explain("SELECT a FROM t UNION ALL SELECT a FROM t x UNION ALL SELECT 1"),
            "Append\n"
            "  ->  Seq Scan on t\n"
            "  ->  Seq Scan on t x\n"
            "  ->  Result");
  EXPECT_EQ(explain("SELECT a FROM t UNION SELECT a FROM t x ORDER BY 1"),
            "Sort\n"
            "  Sort Key: t.a\n"
            "  ->  HashAggregate\n"
            "        Group Key: t.a\n"
            "        ->  Append\n"
            "              ->  Seq Scan on t\n"
            "              ->  Seq Scan on t x");
  EXPECT_EQ(explain("SELECT a FROM t EXCEPT ALL (SELECT a FROM t ORDER BY b)"),
            "HashSetOp Except All\n"
            "  ->  Seq Scan on t\n"
            "  ->  Subquery Scan on \"*SELECT* 2\"\n"
            "        ->  Sort\n"
            "              Sort Key: t_1.b\n"  // a second t is t_1, as PostgreSQL's EXPLAIN names it
            "              ->  Seq Scan on t t_1");
  EXPECT_EQ(explain("SELECT DISTINCT ON (a) a, b FROM t ORDER BY a"),
            "Unique\n"
            "  ->  Sort\n"
            "        Sort Key: a\n"
            "        ->  Seq Scan on t");
  EXPECT_EQ(explain("SELECT DISTINCT a FROM t"),
            "HashAggregate\n"
            "  Group Key: a\n"
            "  ->  Seq Scan on t");
  EXPECT_EQ(explain("WITH w AS (SELECT a FROM t) SELECT * FROM w"), "Seq Scan on t");  // pulled up
}

TEST(AnalyzerTest, GroupingErrors) {
  auto q = AnalyzeText("SELECT a, b FROM t GROUP BY a");
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.error().sqlstate, std::string("42803"));
  EXPECT_EQ(q.error().message, "column \"t.b\" must appear in the GROUP BY clause or be used in an aggregate function");
  EXPECT_EQ(q.error().position, 11);
  q = AnalyzeText("SELECT a FROM t WHERE count(*) > 1");
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.error().sqlstate, std::string("42803"));
  EXPECT_EQ(q.error().message, "aggregate functions are not allowed in WHERE");
  EXPECT_EQ(q.error().position, 23);
}

TEST(PlannerTest, OtherPlanShapes) {
  auto q = AnalyzeText("SELECT 1");
  ASSERT_TRUE(q.ok());
  auto plan = PlanQuery(*q);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->nodes.size(), 1u);
  EXPECT_EQ(plan->nodes[0]->kind, PlanKind::kResult);
  auto ins = AnalyzeText("INSERT INTO t (a) VALUES (1), (2)");
  ASSERT_TRUE(ins.ok());
  auto p2 = PlanQuery(*ins);
  ASSERT_TRUE(p2.ok());
  EXPECT_EQ(p2->Explain(), "Insert on t\n  ->  Values Scan on \"*VALUES*\"");
  auto join = AnalyzeText("SELECT * FROM t x RIGHT JOIN t y ON x.a = y.a WHERE y.b > 1 AND x.c IS NULL");
  ASSERT_TRUE(join.ok()) << join.error().message;
  auto p3 = PlanQuery(*join);
  ASSERT_TRUE(p3.ok()) << p3.error().message;
  // PostgreSQL 15's plan: the preserved side hashed (a WHERE condition goes
  // down to the scan it reads unless an outer join may NULL that row).
  EXPECT_EQ(p3->Explain(),
            "Hash Right Join\n"
            "  Hash Cond: (x.a = y.a)\n"
            "  Filter: (x.c IS NULL)\n"
            "  ->  Seq Scan on t x\n"
            "  ->  Hash\n"
            "        ->  Seq Scan on t y\n"
            "              Filter: (b > 1)");
}

// Long lists are analyzed in linear time: ORDER BY names are looked up in
// a map of the output names, not by a scan of the list per item (that took
// minutes here; the bound is for ASan). PostgreSQL's limits on the list
// lengths come after the analysis (targets) or before it (columns).
TEST(AnalyzerTest, LongListsAreAnalyzedInLinearTime) {
  const int n = 80000;  // a scan per item: 6.4e9 steps, minutes
  std::string select = "SELECT 0 AS c0", order = " ORDER BY c0", create = "CREATE TABLE wide (c0 int";
  for (int i = 1; i < n; ++i) {
    select += fmt::format(", {} AS c{}", i, i);
    order += fmt::format(", c{}", n - i);
    create += fmt::format(", c{} int", i);
  }
  auto start = std::chrono::steady_clock::now();
  ExpectError(select + order, "54011", "target lists can have at most 1664 entries");
  ExpectError(create + ", c7 int)", "54011", "tables can have at most 1600 columns");
  EXPECT_LT(SecondsSince(start), 30.0);
  // Within the limits: a name two different output columns share is
  // ambiguous, as in PostgreSQL; the same expression twice is not.
  ExpectError("SELECT 1 AS x, 2 AS x ORDER BY x", "42702", "ORDER BY \"x\" is ambiguous", 32);
  ExpectError("SELECT a, b AS a FROM t ORDER BY a", "42702", "ORDER BY \"a\" is ambiguous", 34);
  EXPECT_TRUE(AnalyzeText("SELECT a, t.a FROM t ORDER BY a").ok());
  EXPECT_TRUE(AnalyzeText("SELECT *, a FROM t ORDER BY a").ok());
  auto q = AnalyzeText("SELECT 2 AS x, 2 AS x, 1 AS y ORDER BY x");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->sort[0].tle, 0);
  std::string some = "CREATE TABLE t2 (c0 int";
  for (int i = 1; i < 1599; ++i) some += fmt::format(", c{} int", i);
  ExpectError(some + ", c7 int)", "42701", "column \"c7\" specified more than once");
  EXPECT_TRUE(AnalyzeText(some + ")").ok());
  std::string most = "SELECT 1";
  for (int i = 1; i < 1664; ++i) most += ", 1";
  EXPECT_TRUE(AnalyzeText(most).ok());
  ExpectError(most + ", 1", "54011", "target lists can have at most 1664 entries");
}

TEST(AnalyzerTest, PendingCancelStopsAnalysis) {
  auto stmts = ParseSql(LongSelectList(1u << 20));
  ASSERT_TRUE(stmts.ok());
  PendingInterrupt cancel(PendingInterrupt::kCancel);
  auto q = Analyze(*(*stmts)[0], TestCatalog());
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.error().sqlstate, "57014");
}

}  // namespace
}  // namespace minipg::sql
