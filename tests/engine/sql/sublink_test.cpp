/*-------------------------------------------------------------------------
 * sublink_test.cpp
 *   Subqueries in expressions through the analyzer and the planner: outer
 *   names resolved with levels_up, PostgreSQL's errors, and the InitPlans
 *   and SubPlans EXPLAIN (COSTS OFF) shows (expected text from PG15).
 *   Their results are in logic/sublinks.test.
 *-------------------------------------------------------------------------
 */
#include <gtest/gtest.h>

#include <algorithm>

#include "engine/sql/analyzer.h"
#include "engine/sql/optimizer/planner.h"
#include "engine/sql/parser.h"

namespace minipg::sql {
namespace {

storage::CatalogSnapshot Catalog() {
  storage::CatalogSnapshot c;
  c.tables.push_back(storage::TableDef{16384, "t", 10, {{"a", storage::ColumnType::kInt4}, {"b", storage::ColumnType::kText}}});
  c.tables.push_back(storage::TableDef{16387, "u", 10, {{"x", storage::ColumnType::kInt4}, {"y", storage::ColumnType::kInt4}}});
  return c;
}

Result<Query> AnalyzeText(std::string_view text) {
  auto stmts = ParseSql(text);
  if (!stmts.ok()) return stmts.error();
  return Analyze(*(*stmts)[0], Catalog());
}

std::string ExplainText(std::string_view text) {
  auto q = AnalyzeText(text);
  if (!q.ok()) return "analyze: " + q.error().message;
  auto plan = PlanQuery(*q);
  if (!plan.ok()) return "plan: " + plan.error().message;
  return plan->Explain();
}

void ExpectError(std::string_view text, std::string_view sqlstate, std::string_view message) {
  auto q = AnalyzeText(text);
  ASSERT_FALSE(q.ok()) << text;
  EXPECT_EQ(q.error().sqlstate, sqlstate) << text;
  EXPECT_EQ(q.error().message, message) << text;
}

// Scenario: a name the subquery lacks is the outer query's column, one
// level out per query in between (a FROM subquery's level counts too).
TEST(SubLinkTest, OuterNamesGetLevelsUp) {
  auto q = AnalyzeText("SELECT (SELECT (SELECT t.a + u.x + v FROM (SELECT b AS v) s) FROM u) FROM t");
  ASSERT_FALSE(q.ok());  // b is text: text + integer, after every name resolved
  EXPECT_EQ(q.error().sqlstate, "42883");
  q = AnalyzeText("SELECT (SELECT (SELECT t.a + u.x FROM u u2 WHERE u2.y = a) FROM u) FROM t");
  ASSERT_TRUE(q.ok()) << q.error().message;
  const Expr& outer = *q->targets[0].expr;
  ASSERT_EQ(outer.kind, ExprKind::kSubLink);
  const Expr& inner = *outer.subquery->targets[0].expr;
  ASSERT_EQ(inner.kind, ExprKind::kSubLink);
  std::vector<std::pair<std::string, int>> vars;
  for (const TargetEntry& t : inner.subquery->targets) {
    WalkExpr(*t.expr, [&](Expr& e) {
      if (e.kind == ExprKind::kVar) vars.emplace_back(e.relname + "." + e.colname, e.levels_up);
    });
  }
  WalkExpr(*inner.subquery->jointree.quals, [&](Expr& e) {
    if (e.kind == ExprKind::kVar) vars.emplace_back(e.relname + "." + e.colname, e.levels_up);
  });
  std::sort(vars.begin(), vars.end());
  EXPECT_EQ(vars, (std::vector<std::pair<std::string, int>>{{"t.a", 2}, {"t.a", 2}, {"u.x", 1}, {"u2.y", 0}}));
}

TEST(SubLinkTest, Errors) {
  ExpectError("SELECT (SELECT a, b FROM t)", "42601", "subquery must return only one column");
  ExpectError("SELECT ARRAY(SELECT a, b FROM t)", "42601", "subquery must return only one column");
  ExpectError("SELECT 1 IN (SELECT a, b FROM t)", "42601", "subquery has too many columns");
  ExpectError("SELECT 1 = ANY (SELECT b FROM t)", "42883", "operator does not exist: integer = text");
  ExpectError("SELECT (SELECT nope FROM u) FROM t", "42703", "column \"nope\" does not exist");
  ExpectError("SELECT (SELECT sum(a) FROM u) FROM t", "0A000",
              "aggregate functions over outer query columns are not supported by minipg");
  ExpectError("SELECT 1 = ANY (a) FROM t", "42809", "op ANY/ALL (array) requires array on right side");
}

TEST(SubLinkTest, OutputNames) {
  auto q = AnalyzeText("SELECT (SELECT max(x) FROM u), (SELECT y FROM u LIMIT 1), EXISTS (SELECT 1), ARRAY(SELECT a FROM t), "
                       "a IN (SELECT x FROM u) FROM t");
  ASSERT_TRUE(q.ok()) << q.error().message;
  std::vector<std::string> names;
  for (const TargetEntry& t : q->targets) names.push_back(t.name);
  EXPECT_EQ(names, (std::vector<std::string>{"max", "y", "exists", "array", "?column?"}));
}

// Scenario: EXPLAIN shows an uncorrelated subquery as an InitPlan whose
// value is $n, a correlated one as a SubPlan under the node that runs it
// (after that node's children), numbered as PostgreSQL 15 numbers them.
TEST(SubLinkTest, InitPlansAndSubPlans) {
  EXPECT_EQ(ExplainText("SELECT a FROM t WHERE a > (SELECT min(x) FROM u)"),
            "Seq Scan on t\n"
            "  Filter: (a > $0)\n"
            "  InitPlan 1 (returns $0)\n"
            "    ->  Aggregate\n"
            "          ->  Seq Scan on u");
  EXPECT_EQ(ExplainText("SELECT a, (SELECT max(y) FROM u WHERE x = a) FROM t"),
            "Seq Scan on t\n"
            "  SubPlan 1\n"
            "    ->  Aggregate\n"
            "          ->  Seq Scan on u\n"
            "                Filter: (x = t.a)");
  // x IN / NOT IN of an uncorrelated subquery that is not a semi join: hashed.
  EXPECT_EQ(ExplainText("SELECT a FROM t WHERE a NOT IN (SELECT x FROM u)"),
            "Seq Scan on t\n"
            "  Filter: (NOT (hashed SubPlan 1))\n"
            "  SubPlan 1\n"
            "    ->  Seq Scan on u");
  EXPECT_EQ(ExplainText("SELECT a FROM t WHERE a IN (SELECT x FROM u) OR b = 'z'"),
            "Seq Scan on t\n"
            "  Filter: ((hashed SubPlan 1) OR (b = 'z'::text))\n"
            "  SubPlan 1\n"
            "    ->  Seq Scan on u");
  // A correlated EXISTS in WHERE is a semi join (here made an inner join
  // over the unique values of u.x).
  EXPECT_EQ(ExplainText("SELECT a FROM t WHERE EXISTS (SELECT 1 FROM u WHERE x = a)"),
            "Hash Join\n"
            "  Hash Cond: (t.a = u.x)\n"
            "  ->  Seq Scan on t\n"
            "  ->  Hash\n"
            "        ->  HashAggregate\n"
            "              Group Key: u.x\n"
            "              ->  Seq Scan on u");
  EXPECT_EQ(ExplainText("SELECT (SELECT 1), (SELECT 2)"),
            "Result\n"
            "  InitPlan 1 (returns $0)\n"
            "    ->  Result\n"
            "  InitPlan 2 (returns $1)\n"
            "    ->  Result");
}

}  // namespace
}  // namespace minipg::sql
