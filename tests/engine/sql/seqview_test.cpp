/*-------------------------------------------------------------------------
 * seqview_test.cpp
 *   CREATE SEQUENCE, serial columns, CREATE VIEW and DROP SEQUENCE / VIEW
 *   through the parser and the analyzer: the options resolved with
 *   PostgreSQL's defaults and errors, a serial column's sequence and
 *   DEFAULT, a view's columns, and a view in FROM as its subquery.
 *-------------------------------------------------------------------------
 */
#include <gtest/gtest.h>

#include "engine/sql/analyzer.h"
#include "engine/sql/ast.h"
#include "engine/sql/parser.h"

namespace minipg::sql {
namespace {

storage::CatalogSnapshot TestCatalog() {
  storage::CatalogSnapshot c;
  c.tables.push_back(storage::TableDef{16384, "t", 10,
                                       {{"a", storage::ColumnType::kInt4},
                                        {"n", storage::ColumnType::kNumeric, (10 << 16 | 2) + 4}}});
  storage::TableDef view{16390, "v", 10, {{"x", storage::ColumnType::kInt4}}};
  view.kind = 'v';
  view.view_query = "SELECT a FROM t WHERE a > 1";
  c.tables.push_back(view);
  storage::TableDef seq{16395, "s", 10, {{"last_value", storage::ColumnType::kInt8}}};
  seq.kind = 'S';
  c.tables.push_back(seq);
  return c;
}

Result<Query> AnalyzeText(std::string_view text) {
  auto stmts = ParseSql(text);
  if (!stmts.ok()) return stmts.error();
  EXPECT_EQ(stmts->size(), 1u);
  return Analyze(*(*stmts)[0], TestCatalog());
}

void ExpectError(std::string_view text, std::string_view sqlstate, std::string_view message) {
  auto q = AnalyzeText(text);
  ASSERT_FALSE(q.ok()) << text;
  EXPECT_EQ(q.error().sqlstate, sqlstate) << text;
  EXPECT_EQ(q.error().message, message) << text;
}

TEST(SeqViewTest, SequenceOptionsTakePostgresDefaults) {
  auto q = AnalyzeText("CREATE SEQUENCE s2");
  ASSERT_TRUE(q.ok()) << q.error().message;
  EXPECT_EQ(q->kind, StatementKind::kCreateSequence);
  ASSERT_EQ(q->create_sequences.size(), 1u);
  const SequenceCommand& s = q->create_sequences[0];
  EXPECT_EQ(s.type, 20u);
  EXPECT_EQ(s.start, 1);
  EXPECT_EQ(s.min, 1);
  EXPECT_EQ(s.max, INT64_MAX);
  q = AnalyzeText("CREATE SEQUENCE d AS smallint INCREMENT BY -2 CACHE 5 CYCLE");
  ASSERT_TRUE(q.ok()) << q.error().message;
  const SequenceCommand& d = q->create_sequences[0];
  EXPECT_EQ(d.type, 21u);
  EXPECT_EQ(d.increment, -2);
  EXPECT_EQ(d.min, -32768);
  EXPECT_EQ(d.max, -1);
  EXPECT_EQ(d.start, -1);
  EXPECT_EQ(d.cache, 5);
  EXPECT_TRUE(d.cycle);
  q = AnalyzeText("CREATE SEQUENCE o START WITH 10 NO MINVALUE NO MAXVALUE OWNED BY t.a");
  ASSERT_TRUE(q.ok()) << q.error().message;
  EXPECT_EQ(q->create_sequences[0].start, 10);
  EXPECT_EQ(q->create_sequences[0].owned_table, "t");
  EXPECT_EQ(q->create_sequences[0].owned_column, "a");
}

TEST(SeqViewTest, SequenceOptionErrors) {
  ExpectError("CREATE SEQUENCE x INCREMENT 0", "22023", "INCREMENT must not be zero");
  ExpectError("CREATE SEQUENCE x MINVALUE 10 MAXVALUE 5", "22023", "MINVALUE (10) must be less than MAXVALUE (5)");
  ExpectError("CREATE SEQUENCE x START 0", "22023", "START value (0) cannot be less than MINVALUE (1)");
  ExpectError("CREATE SEQUENCE x MAXVALUE 5 START 6", "22023", "START value (6) cannot be greater than MAXVALUE (5)");
  ExpectError("CREATE SEQUENCE x AS text", "22023", "sequence type must be smallint, integer, or bigint");
  ExpectError("CREATE SEQUENCE x AS integer MAXVALUE 3000000000", "22023",
              "MAXVALUE (3000000000) is out of range for sequence data type integer");
  ExpectError("CREATE SEQUENCE x CACHE 0", "22023", "CACHE (0) must be greater than zero");
  ExpectError("CREATE SEQUENCE x OWNED BY a", "22023", "invalid OWNED BY option");
  ExpectError("CREATE SEQUENCE x OWNED BY t.zz", "42703", "column \"zz\" of relation \"t\" does not exist");
  ExpectError("CREATE SEQUENCE x OWNED BY nope.a", "42P01", "relation \"nope\" does not exist");
}

TEST(SeqViewTest, SerialColumnsGetTheirSequence) {
  auto q = AnalyzeText("CREATE TABLE o (id serial, big bigserial, small smallserial)");
  ASSERT_TRUE(q.ok()) << q.error().message;
  ASSERT_EQ(q->create_sequences.size(), 3u);
  EXPECT_EQ(q->create_sequences[0].name, "o_id_seq");
  EXPECT_EQ(q->create_sequences[0].type, 23u);
  EXPECT_EQ(q->create_sequences[0].max, 2147483647);
  EXPECT_EQ(q->create_sequences[0].owned_table, "o");
  EXPECT_EQ(q->create_sequences[0].owned_column, "id");
  EXPECT_EQ(q->create_sequences[1].type, 20u);
  EXPECT_EQ(q->create_sequences[2].type, 21u);
  ASSERT_EQ(q->create_columns.size(), 3u);
  EXPECT_EQ(q->create_columns[0].type, storage::ColumnType::kInt4);
  EXPECT_EQ(q->create_columns[1].type, storage::ColumnType::kInt8);
  EXPECT_EQ(q->create_columns[2].type, storage::ColumnType::kInt2);
  EXPECT_TRUE(q->create_columns[0].not_null);
  EXPECT_EQ(q->create_columns[0].default_expr, "nextval('o_id_seq'::regclass)");
  EXPECT_EQ(q->create_columns[1].default_expr, "nextval('o_big_seq'::regclass)");
}

TEST(SeqViewTest, CreateViewKeepsTextColumnsAndReads) {
  auto stmts = ParseSql("CREATE OR REPLACE VIEW w (p, q) AS SELECT a, n FROM t WHERE a > 0 ; SELECT 1");
  ASSERT_TRUE(stmts.ok());
  ASSERT_EQ(stmts->size(), 2u);
  const auto* view = std::get_if<CreateViewStmt>(&(*stmts)[0]->node);
  ASSERT_NE(view, nullptr);
  EXPECT_TRUE(view->replace);
  EXPECT_EQ(view->query_text, "SELECT a, n FROM t WHERE a > 0");
  auto q = Analyze(*(*stmts)[0], TestCatalog());
  ASSERT_TRUE(q.ok()) << q.error().message;
  EXPECT_EQ(q->kind, StatementKind::kCreateView);
  ASSERT_EQ(q->create_columns.size(), 2u);
  EXPECT_EQ(q->create_columns[0].name, "p");
  EXPECT_EQ(q->create_columns[1].name, "q");
  EXPECT_EQ(q->create_columns[1].typmod, (10 << 16 | 2) + 4) << "numeric(10,2) stays so in the view";
  EXPECT_EQ(q->view_reads, std::vector<uint32_t>{16384});
  ExpectError("CREATE VIEW w (a, b, c) AS SELECT a FROM t", "42601",
              "CREATE VIEW specifies more column names than columns");
  ExpectError("CREATE VIEW w AS SELECT a, a FROM t", "42701", "column \"a\" specified more than once");
  ExpectError("CREATE OR REPLACE VIEW v AS SELECT n AS y FROM t", "42P16",
              "cannot change name of view column \"x\" to \"y\"");
}

TEST(SeqViewTest, ViewInFromIsItsSubquery) {
  auto q = AnalyzeText("SELECT x FROM v");
  ASSERT_TRUE(q.ok()) << q.error().message;
  ASSERT_EQ(q->rtable.size(), 1u);
  EXPECT_EQ(q->rtable[0].kind, RteKind::kSubquery);
  EXPECT_EQ(q->rtable[0].refname, "v");
  ASSERT_NE(q->rtable[0].subquery, nullptr);
  EXPECT_EQ(q->rtable[0].subquery->rtable[0].refname, "t");
  ExpectError("INSERT INTO v VALUES (1)", "0A000", "INSERT on a view is not supported by minipg");
  ExpectError("DELETE FROM s", "42809", "cannot change sequence \"s\"");
}

TEST(SeqViewTest, DropSequenceAndView) {
  auto q = AnalyzeText("DROP SEQUENCE IF EXISTS s, gone");
  ASSERT_TRUE(q.ok()) << q.error().message;
  EXPECT_EQ(q->kind, StatementKind::kDropSequence);
  EXPECT_EQ(q->drop_names, std::vector<std::string>{"s"});
  EXPECT_EQ(q->drop_missing, std::vector<std::string>{"gone"});
  ExpectError("DROP SEQUENCE gone", "42P01", "sequence \"gone\" does not exist");
  ExpectError("DROP VIEW gone", "42P01", "view \"gone\" does not exist");
  ExpectError("DROP VIEW v CASCADE", "0A000", "DROP VIEW ... CASCADE is not supported by minipg");
  q = AnalyzeText("DROP VIEW v");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->kind, StatementKind::kDropView);
}

}  // namespace
}  // namespace minipg::sql
