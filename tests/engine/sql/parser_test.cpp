/*-------------------------------------------------------------------------
 * parser_test.cpp
 *   Statement splitting, parse trees, precedence, and syntax errors with
 *   their positions.
 *-------------------------------------------------------------------------
 */
#include "engine/sql/parser.h"

#include <gtest/gtest.h>

#include "engine/sql/parser_impl.h"
#include "tests/engine/sql/long_query.h"

namespace minipg::sql {
namespace {

std::vector<std::string> Trees(std::string_view text) {
  auto stmts = ParseSql(text);
  EXPECT_TRUE(stmts.ok()) << (stmts.ok() ? "" : stmts.error().message);
  std::vector<std::string> out;
  if (stmts.ok()) {
    for (const auto& s : *stmts) {
      out.push_back(StatementToString(*s));
    }
  }
  return out;
}

Error ParseError(std::string_view text) {
  auto stmts = ParseSql(text);
  EXPECT_FALSE(stmts.ok()) << text;
  return stmts.ok() ? Error{} : stmts.error();
}

TEST(ParserTest, SplitsStatementsAndDropsEmptyOnes) {
  auto stmts = ParseSql(";; SELECT 1; ; alter role x login;");
  ASSERT_TRUE(stmts.ok());
  ASSERT_EQ(stmts->size(), 2u);
  // A role statement's own grammar is a production of the parser's.
  EXPECT_EQ(GetStatementKind(*(*stmts)[1]), StatementKind::kCatalogDdl);
  EXPECT_EQ(StatementToString(*(*stmts)[1]), "CatalogDdlStmt(x)");
  EXPECT_EQ((*stmts)[1]->location, 16);
  // Its syntax error fails the whole text, at its position in the text.
  Error e = ParseError("SELECT 1; CREATE ROLE r WITH BADOPTION");
  EXPECT_EQ(e.sqlstate, "42601");
  EXPECT_GT(e.position, 24);
  EXPECT_TRUE(ParseSql("  -- only a comment\n").value().empty());
}

TEST(ParserTest, CreateAndDropIndex) {
  EXPECT_EQ(Trees("CREATE UNIQUE INDEX IF NOT EXISTS i ON public.t USING btree (a ASC NULLS LAST, b); "
                  "CREATE INDEX ON t (a); DROP INDEX IF EXISTS i, j CASCADE"),
            (std::vector<std::string>{"CreateIndexStmt(name: i, table: t, unique, columns: [a, b])",
                                      "CreateIndexStmt(name: , table: t, columns: [a])",
                                      "DropIndexStmt(indexes: [i, j], if_exists)"}));
  EXPECT_EQ(ParseError("CREATE INDEX IF NOT EXISTS ON t (a)").sqlstate, "42601");  // IF NOT EXISTS needs a name
  EXPECT_EQ(ParseError("CREATE INDEX i ON t").sqlstate, "42601");
}

TEST(ParserTest, TableConstraints) {
  auto stmts = ParseSql(
      "CREATE TABLE t (id int CONSTRAINT k PRIMARY KEY, a text NOT NULL DEFAULT 'x' || 'y' CHECK (a <> ''), b int NULL "
      "UNIQUE, CHECK (b > 0), UNIQUE (a, b), CONSTRAINT p PRIMARY KEY (id))");
  ASSERT_TRUE(stmts.ok()) << stmts.error().message;
  const auto& create = std::get<CreateTableStmt>((*stmts)[0]->node);
  ASSERT_EQ(create.columns.size(), 3u);
  using Kind = ConstraintDefinition::Kind;
  ASSERT_EQ(create.columns[0].constraints.size(), 1u);
  EXPECT_EQ(create.columns[0].constraints[0].kind, Kind::kPrimaryKey);
  EXPECT_EQ(create.columns[0].constraints[0].name, "k");
  ASSERT_EQ(create.columns[1].constraints.size(), 3u);
  EXPECT_EQ(create.columns[1].constraints[0].kind, Kind::kNotNull);
  EXPECT_EQ(create.columns[1].constraints[1].kind, Kind::kDefault);
  EXPECT_EQ(ExprToString(*create.columns[1].constraints[1].expr), "('x' || 'y')");
  EXPECT_EQ(create.columns[1].constraints[2].kind, Kind::kCheck);
  ASSERT_EQ(create.columns[2].constraints.size(), 2u);
  EXPECT_EQ(create.columns[2].constraints[0].kind, Kind::kNull);
  ASSERT_EQ(create.constraints.size(), 3u);
  EXPECT_EQ(create.constraints[0].kind, Kind::kCheck);
  EXPECT_EQ(create.constraints[1].kind, Kind::kUnique);
  ASSERT_EQ(create.constraints[1].columns.size(), 2u);
  EXPECT_EQ(create.constraints[1].columns[1].name, "b");
  EXPECT_EQ(create.constraints[2].name, "p");
  EXPECT_EQ(ParseError("CREATE TABLE t (a int PRIMARY)").sqlstate, "42601");
  EXPECT_EQ(ParseError("CREATE TABLE t (a int BOGUS)").sqlstate, "42601");
}

TEST(ParserTest, AlterTableActions) {
  auto stmts = ParseSql(
      "ALTER TABLE IF EXISTS ONLY t ADD COLUMN IF NOT EXISTS c int NOT NULL DEFAULT 1, ADD CONSTRAINT k "
      "PRIMARY KEY (a), DROP COLUMN IF EXISTS d CASCADE, DROP CONSTRAINT k, ALTER COLUMN a SET DEFAULT 2, "
      "ALTER b DROP NOT NULL, ADD e text; ALTER TABLE t RENAME COLUMN a TO b; ALTER TABLE t RENAME TO u; "
      "ALTER TABLE t RENAME CONSTRAINT x TO y");
  ASSERT_TRUE(stmts.ok()) << stmts.error().message;
  ASSERT_EQ(stmts->size(), 4u);
  using CmdKind = AlterTableCmd::Kind;
  const auto& alter = std::get<AlterTableStmt>((*stmts)[0]->node);
  EXPECT_TRUE(alter.if_exists);
  EXPECT_EQ(alter.table.name, "t");
  ASSERT_EQ(alter.cmds.size(), 7u);
  EXPECT_EQ(alter.cmds[0].kind, CmdKind::kAddColumn);
  EXPECT_TRUE(alter.cmds[0].missing_ok);
  EXPECT_EQ(alter.cmds[0].column.name, "c");
  EXPECT_EQ(alter.cmds[0].column.constraints.size(), 2u);
  EXPECT_EQ(alter.cmds[1].kind, CmdKind::kAddConstraint);
  EXPECT_EQ(alter.cmds[1].constraint.name, "k");
  EXPECT_EQ(alter.cmds[2].kind, CmdKind::kDropColumn);
  EXPECT_TRUE(alter.cmds[2].missing_ok && alter.cmds[2].cascade);
  EXPECT_EQ(alter.cmds[3].kind, CmdKind::kDropConstraint);
  EXPECT_EQ(alter.cmds[4].kind, CmdKind::kSetDefault);
  EXPECT_EQ(ExprToString(*alter.cmds[4].expr), "2");
  EXPECT_EQ(alter.cmds[5].kind, CmdKind::kDropNotNull);
  EXPECT_EQ(alter.cmds[6].kind, CmdKind::kAddColumn);
  const auto& rename = std::get<AlterTableStmt>((*stmts)[1]->node);
  ASSERT_EQ(rename.cmds.size(), 1u);
  EXPECT_EQ(rename.cmds[0].kind, CmdKind::kRenameColumn);
  EXPECT_EQ(rename.cmds[0].new_name, "b");
  EXPECT_EQ(std::get<AlterTableStmt>((*stmts)[2]->node).cmds[0].kind, CmdKind::kRenameTable);
  EXPECT_EQ(std::get<AlterTableStmt>((*stmts)[3]->node).cmds[0].kind, CmdKind::kRenameConstraint);
  EXPECT_EQ(std::get<AlterTableStmt>(ParseSql("ALTER TABLE t ALTER a TYPE bigint").value()[0]->node).unsupported,
            "ALTER TABLE ... ALTER COLUMN ... TYPE");
  EXPECT_EQ(ParseError("ALTER TABLE t ADD").sqlstate, "42601");
  EXPECT_EQ(ParseError("ALTER TABLE t RENAME a b").sqlstate, "42601");
}

TEST(ParserTest, CreateTableWithStorageParameters) {
  auto stmts = ParseSql("CREATE TABLE t (a int) WITH (fillfactor=100, autovacuum_enabled)");
  ASSERT_TRUE(stmts.ok()) << stmts.error().message;
  const auto& create = std::get<CreateTableStmt>((*stmts)[0]->node);
  ASSERT_EQ(create.options.size(), 2u);
  EXPECT_EQ(create.options[0].name, "fillfactor");
  EXPECT_EQ(create.options[0].value, "100");
  EXPECT_EQ(create.options[1].value, "");
  EXPECT_EQ(ParseError("CREATE TABLE t (a int) WITH (fillfactor=)").sqlstate, "42601");
}

TEST(ParserTest, ForeignKeys) {
  auto stmts = ParseSql(
      "CREATE TABLE c (a int REFERENCES p ON DELETE CASCADE NOT NULL, b int, c text, "
      "CONSTRAINT f FOREIGN KEY (b, c) REFERENCES public.q (x, y) MATCH SIMPLE ON UPDATE SET NULL ON DELETE SET DEFAULT)");
  ASSERT_TRUE(stmts.ok()) << stmts.error().message;
  const auto& create = std::get<CreateTableStmt>((*stmts)[0]->node);
  using Kind = ConstraintDefinition::Kind;
  ASSERT_EQ(create.columns[0].constraints.size(), 2u);  // NOT NULL after the action still parses
  const ConstraintDefinition& col = create.columns[0].constraints[0];
  EXPECT_EQ(col.kind, Kind::kForeignKey);
  EXPECT_EQ(col.ref_table.name, "p");
  EXPECT_TRUE(col.ref_columns.empty());  // the primary key
  EXPECT_EQ(col.on_delete, 'c');
  EXPECT_EQ(col.on_update, 'a');
  EXPECT_EQ(create.columns[0].constraints[1].kind, Kind::kNotNull);
  ASSERT_EQ(create.constraints.size(), 1u);
  const ConstraintDefinition& table = create.constraints[0];
  EXPECT_EQ(table.name, "f");
  ASSERT_EQ(table.columns.size(), 2u);
  EXPECT_EQ(table.columns[1].name, "c");
  EXPECT_EQ(table.ref_table.schema, "public");
  ASSERT_EQ(table.ref_columns.size(), 2u);
  EXPECT_EQ(table.ref_columns[0].name, "x");
  EXPECT_EQ(table.on_update, 'n');
  EXPECT_EQ(table.on_delete, 'd');
  EXPECT_EQ(ParseError("CREATE TABLE c (a int REFERENCES p ON DELETE NOTHING)").sqlstate, "42601");
  EXPECT_EQ(ParseError("CREATE TABLE c (a int REFERENCES p ON DELETE CASCADE ON DELETE RESTRICT)").sqlstate, "42601");
  EXPECT_EQ(ParseError("CREATE TABLE c (a int REFERENCES p MATCH PARTIAL)").message, "MATCH PARTIAL not yet implemented");
  EXPECT_EQ(ParseError("CREATE TABLE c (a int, FOREIGN KEY REFERENCES p)").sqlstate, "42601");
  EXPECT_EQ(ParseError("DROP TABLE p CASCADE x").sqlstate, "42601");
}

TEST(ParserTest, OnConflict) {
  auto stmts = ParseSql(
      "INSERT INTO t VALUES (1) ON CONFLICT (a, b) DO UPDATE SET c = excluded.c, d = DEFAULT WHERE t.c < 2 RETURNING a;"
      "INSERT INTO t VALUES (1) ON CONFLICT ON CONSTRAINT t_pkey DO NOTHING; INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING");
  ASSERT_TRUE(stmts.ok()) << stmts.error().message;
  const auto& update = std::get<InsertStmt>((*stmts)[0]->node);
  ASSERT_TRUE(update.on_conflict);
  EXPECT_TRUE(update.on_conflict->update);
  ASSERT_EQ(update.on_conflict->columns.size(), 2u);
  ASSERT_EQ(update.on_conflict->set.size(), 2u);
  EXPECT_EQ(update.on_conflict->set[0].column.name, "c");
  EXPECT_EQ(update.on_conflict->set[1].expr, nullptr);  // DEFAULT
  EXPECT_NE(update.on_conflict->where, nullptr);
  EXPECT_EQ(update.returning.size(), 1u);
  const auto& named = std::get<InsertStmt>((*stmts)[1]->node);
  EXPECT_FALSE(named.on_conflict->update);
  EXPECT_EQ(named.on_conflict->constraint, "t_pkey");
  EXPECT_TRUE(std::get<InsertStmt>((*stmts)[2]->node).on_conflict->columns.empty());
  EXPECT_EQ(ParseError("INSERT INTO t VALUES (1) ON CONFLICT DO").sqlstate, "42601");
  EXPECT_EQ(ParseError("INSERT INTO t VALUES (1) ON CONFLICT (a) DO UPDATE").sqlstate, "42601");
}

TEST(ParserTest, ArithmeticPrecedence) {
  EXPECT_EQ(Trees("SELECT 1 + 2 * 3 - 4"), (std::vector<std::string>{"SelectStmt(targets: [((1 + (2 * 3)) - 4)])"}));
  EXPECT_EQ(Trees("SELECT -a * b, -(1)"), (std::vector<std::string>{"SelectStmt(targets: [((-a) * b), -1])"}));
  EXPECT_EQ(Trees("SELECT 'a' || 1 + 2"), (std::vector<std::string>{"SelectStmt(targets: [('a' || (1 + 2))])"}));
}

TEST(ParserTest, SetOperationPrecedence) {
  // INTERSECT binds tighter than UNION and EXCEPT, which associate to the left.
  EXPECT_EQ(Trees("SELECT 1 UNION SELECT 2 INTERSECT SELECT 3"),
            (std::vector<std::string>{"SetOp(UNION, SelectStmt(targets: [1]), SetOp(INTERSECT, SelectStmt(targets: "
                                      "[2]), SelectStmt(targets: [3])))"}));
  EXPECT_EQ(Trees("SELECT 1 EXCEPT ALL SELECT 2 UNION (SELECT 3)"),
            (std::vector<std::string>{"SetOp(UNION, SetOp(EXCEPT ALL, SelectStmt(targets: [1]), SelectStmt(targets: "
                                      "[2])), SelectStmt(targets: [3]))"}));
  EXPECT_EQ(ParseError("(SELECT 1 ORDER BY 1) ORDER BY 1").message, "multiple ORDER BY clauses not allowed");
}

// A chain of a hundred thousand UNIONs parses (iteratively) and is freed
// without recursion; the analyzer then stops it with 54001, as PostgreSQL.
TEST(ParserTest, LongSetOperationChain) {
  std::string text = "SELECT 1";
  for (int i = 0; i < 100000; ++i) text += " UNION ALL SELECT 1";
  auto stmts = ParseSql(text);
  ASSERT_TRUE(stmts.ok());
  EXPECT_EQ(stmts->size(), 1u);
}

TEST(ParserTest, LogicPrecedence) {
  EXPECT_EQ(Trees("SELECT NOT a = 1 OR b AND c IS NOT NULL"),
            (std::vector<std::string>{"SelectStmt(targets: [((NOT (a = 1)) OR (b AND (c IS NOT NULL)))])"}));
}

TEST(ParserTest, NegativeLiteralsAreFolded) {
  EXPECT_EQ(Trees("SELECT -2147483648, - -5"), (std::vector<std::string>{"SelectStmt(targets: [-2147483648, 5])"}));
}

TEST(ParserTest, CastsAliasesAndFunctions) {
  EXPECT_EQ(Trees("SELECT a::int AS x, CAST(b AS varchar(10)) y, pg_sleep(0.5), count(*), current_user"),
            (std::vector<std::string>{
                "SelectStmt(targets: [a::int AS x, b::varchar AS y, pg_sleep(0.5), count(*), current_user])"}));
}

TEST(ParserTest, SelectWithAllClauses) {
  EXPECT_EQ(Trees("select * from T as x where a > 1 order by b desc, 1 limit 5 offset 2"),
            (std::vector<std::string>{"SelectStmt(targets: [*], from: t AS x, where: (a > 1), order_by: [b DESC, "
                                      "1], limit: 5, offset: 2)"}));
}

TEST(ParserTest, DdlAndInsert) {
  EXPECT_EQ(Trees("CREATE TABLE IF NOT EXISTS \"T\" (a int, b character varying(5)); "
                  "INSERT INTO t (a, b) VALUES (1, 'x'), (2, NULL); DROP TABLE IF EXISTS a, b"),
            (std::vector<std::string>{"CreateTableStmt(table: T, if_not_exists, columns: [a int, b varchar])",
                                      "InsertStmt(table: t, columns: [a, b], values: [(1, 'x'), (2, NULL)])",
                                      "DropTableStmt(tables: [a, b], if_exists)"}));
}

TEST(ParserTest, TransactionSetAndShow) {
  auto stmts = ParseSql("BEGIN; COMMIT; ROLLBACK; START TRANSACTION ISOLATION LEVEL SERIALIZABLE; END; "
                        "SET search_path TO public, x; SET DateStyle = 'ISO'; SET TIME ZONE 'UTC'; RESET x; SHOW ALL");
  ASSERT_TRUE(stmts.ok()) << stmts.error().message;
  auto& s = *stmts;
  ASSERT_EQ(s.size(), 10u);
  EXPECT_EQ(GetStatementKind(*s[0]), StatementKind::kBegin);
  EXPECT_EQ(GetStatementKind(*s[1]), StatementKind::kCommit);
  EXPECT_EQ(GetStatementKind(*s[2]), StatementKind::kRollback);
  EXPECT_EQ(GetStatementKind(*s[3]), StatementKind::kBegin);
  EXPECT_EQ(GetStatementKind(*s[4]), StatementKind::kCommit);
  EXPECT_EQ(GetStatementKind(*s[5]), StatementKind::kSet);
  EXPECT_EQ(GetSetName(*s[5]), "search_path");
  EXPECT_EQ(GetSetValue(*s[5]), "public, x");
  EXPECT_EQ(GetSetName(*s[6]), "datestyle");
  EXPECT_EQ(GetSetValue(*s[6]), "ISO");
  EXPECT_EQ(GetSetName(*s[7]), "timezone");
  EXPECT_EQ(GetSetValue(*s[8]), std::nullopt);
  EXPECT_EQ(GetStatementKind(*s[9]), StatementKind::kShow);
  EXPECT_EQ(GetShowName(*s[9]), "all");
}

TEST(ParserTest, UnsupportedStatementsParseAsOther) {
  auto stmts = ParseSql("COMMENT ON TABLE t IS 'x'; LISTEN x; SELECT 1");
  ASSERT_TRUE(stmts.ok());
  ASSERT_EQ(stmts->size(), 3u);
  EXPECT_EQ(GetStatementKind(*(*stmts)[0]), StatementKind::kOther);
  EXPECT_EQ(StatementToString(*(*stmts)[1]), "UnsupportedStmt(LISTEN)");
  EXPECT_EQ(GetStatementKind(*(*stmts)[2]), StatementKind::kSelect);
}

// Scenario: LOCK TABLE's forms as parse trees.
TEST(ParserTest, LockTable) {
  auto stmts = ParseSql("LOCK t; LOCK TABLE ONLY t, u IN SHARE ROW EXCLUSIVE MODE NOWAIT; LOCK t IN ACCESS SHARE MODE");
  ASSERT_TRUE(stmts.ok()) << stmts.error().message;
  ASSERT_EQ(stmts->size(), 3u);
  EXPECT_EQ(GetStatementKind(*(*stmts)[0]), StatementKind::kLock);
  EXPECT_EQ(StatementToString(*(*stmts)[0]), "LockStmt(tables: [t], mode: ACCESS EXCLUSIVE)");
  EXPECT_EQ(StatementToString(*(*stmts)[1]), "LockStmt(tables: [t, u], mode: SHARE ROW EXCLUSIVE, nowait)");
  EXPECT_EQ(StatementToString(*(*stmts)[2]), "LockStmt(tables: [t], mode: ACCESS SHARE)");
  auto bad = ParseSql("LOCK t IN SHARE ROW MODE");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "syntax error at or near \"MODE\"");
}

// Scenario: UPDATE, DELETE, TRUNCATE and RETURNING as parse trees; a
// multiple-column SET splits into one item per column.
TEST(ParserTest, DataChangingStatements) {
  auto stmts = ParseSql(
      "UPDATE t AS x SET a = 1, (b, c) = ROW(2, DEFAULT) FROM u WHERE x.a = u.a RETURNING a;"
      "DELETE FROM t USING u WHERE t.a = u.a RETURNING *;"
      "TRUNCATE TABLE t, u;"
      "INSERT INTO t (a) SELECT a FROM u RETURNING a");
  ASSERT_TRUE(stmts.ok()) << stmts.error().message;
  ASSERT_EQ(stmts->size(), 4u);
  EXPECT_EQ(GetStatementKind(*(*stmts)[0]), StatementKind::kUpdate);
  EXPECT_EQ(StatementToString(*(*stmts)[0]),
            "UpdateStmt(table: t, set: [a = 1, b = 2, c = DEFAULT], from: u, where: (x.a = u.a), returning: [a])");
  EXPECT_EQ(GetStatementKind(*(*stmts)[1]), StatementKind::kDelete);
  EXPECT_EQ(GetStatementKind(*(*stmts)[2]), StatementKind::kTruncate);
  EXPECT_EQ(StatementToString(*(*stmts)[2]), "TruncateStmt(tables: [t, u])");
  EXPECT_EQ(GetStatementKind(*(*stmts)[3]), StatementKind::kInsert);
  Error e = ParseError("UPDATE t SET (a, b) = (1)");
  EXPECT_EQ(e.message, "source for a multiple-column UPDATE item must be a sub-SELECT or ROW() expression");
  EXPECT_EQ(e.position, 24);
}

// Scenario: errors name the token and point at it (1-based), like PostgreSQL.
TEST(ParserTest, SyntaxErrorPositions) {
  Error e = ParseError("SELECT * FROM FROM");
  EXPECT_EQ(e.sqlstate, "42601");
  EXPECT_EQ(e.message, "syntax error at or near \"FROM\"");
  EXPECT_EQ(e.position, 15);

  e = ParseError("SELECT 1 +");
  EXPECT_EQ(e.message, "syntax error at end of input");
  EXPECT_EQ(e.position, 11);

  e = ParseError("SELECT 1; FOO bar; SELECT 2");
  EXPECT_EQ(e.message, "syntax error at or near \"FOO\"");
  EXPECT_EQ(e.position, 11);

  e = ParseError("SELECT 1 < 2 < 3");
  EXPECT_EQ(e.position, 14);

  e = ParseError("SELECT (1");
  EXPECT_EQ(e.message, "syntax error at end of input");

  e = ParseError("SELECT 1 != ");
  EXPECT_EQ(e.message, "syntax error at end of input");

  e = ParseError("CREATE TABLE t (a int,)");
  EXPECT_EQ(e.message, "syntax error at or near \")\"");
  EXPECT_EQ(e.position, 23);
}

TEST(ParserTest, ReservedWordsAreNotBareAliases) {
  EXPECT_EQ(ParseError("SELECT 1 FROM").message, "syntax error at end of input");
  EXPECT_EQ(Trees("SELECT 1 foo"), (std::vector<std::string>{"SelectStmt(targets: [1 AS foo])"}));
  EXPECT_EQ(Trees("SELECT 1 AS from"), (std::vector<std::string>{"SelectStmt(targets: [1 AS from])"}));
}

// Long lists (a select list, VALUES rows, function arguments) parse in
// time linear in the text: the bound is for ASan builds on a busy machine.
TEST(ParserTest, MegabyteQueriesParseInLinearTime) {
  std::string values = "INSERT INTO t VALUES (1)";
  while (values.size() < (1u << 20)) values += ", (1)";
  std::string args = "SELECT f(1";
  while (args.size() < (1u << 20)) args += ", 1";
  for (const std::string& text : {LongSelectList(1u << 20), values, args + ")"}) {
    auto start = std::chrono::steady_clock::now();
    auto stmts = ParseSql(text);
    double seconds = SecondsSince(start);
    ASSERT_TRUE(stmts.ok()) << stmts.error().message;
    ASSERT_EQ(stmts->size(), 1u);
    EXPECT_EQ((*stmts)[0]->location, 1);
    EXPECT_LT(seconds, 30.0) << text.substr(0, 30);
  }
}

// The parser checks for interrupts too (the lexer may finish before a
// cancel comes): one set after lexing stops the parse.
TEST(ParserTest, PendingCancelStopsParsing) {
  std::string text = LongSelectList(1u << 20) + "; SELECT 2";
  auto tokens = Lex(text);
  ASSERT_TRUE(tokens.ok());
  PendingInterrupt timeout(PendingInterrupt::kStatementTimeout);
  parser_internal::Parser parser(text, std::move(*tokens));
  auto stmts = parser.ParseAll();
  ASSERT_FALSE(stmts.ok());
  EXPECT_EQ(stmts.error().sqlstate, "57014");
  EXPECT_EQ(stmts.error().message, "canceling statement due to statement timeout");
}

}  // namespace
}  // namespace minipg::sql

namespace minipg::sql {
namespace {

// Scenario: the conditional forms, the pattern operators and what psql's
// catalog queries send (COLLATE, OPERATOR(pg_catalog.~), pg_catalog. names).
TEST(ParserTest, ConditionalsAndPatternOperators) {
  EXPECT_EQ(Trees("SELECT CASE WHEN a THEN 1 ELSE 2 END, CASE a WHEN 1 THEN 'x' END"),
            (std::vector<std::string>{"SelectStmt(targets: [CASE WHEN a THEN 1 ELSE 2 END, CASE a WHEN 1 THEN 'x' END])"}));
  EXPECT_EQ(Trees("SELECT a NOT BETWEEN 1 AND 2 + 3, a IN (1, 2), b NOT IN ('x')"),
            (std::vector<std::string>{
                "SelectStmt(targets: [(a NOT BETWEEN 1 AND (2 + 3)), (a IN (1, 2)), (b NOT IN ('x'))])"}));
  EXPECT_EQ(Trees("SELECT a IS DISTINCT FROM b, a IS NOT TRUE, a IS UNKNOWN"),
            (std::vector<std::string>{
                "SelectStmt(targets: [(a IS DISTINCT FROM b), (a IS NOT true), (a IS unknown)])"}));
  // Like PostgreSQL, ~ and || are one precedence, left to right.
  EXPECT_EQ(Trees("SELECT a NOT ILIKE 'x%' ESCAPE '#', a ~ 'b' || 'c', a !~* 'd'"),
            (std::vector<std::string>{
                "SelectStmt(targets: [(a !~~* like_escape('x%', '#')), ((a ~ 'b') || 'c'), (a !~* 'd')])"}));
  EXPECT_EQ(Trees("SELECT a COLLATE pg_catalog.default OPERATOR(pg_catalog.~) '^x' COLLATE \"C\", "
                  "'1'::pg_catalog.text, pg_catalog.upper(E'a\\tb\\'')"),
            (std::vector<std::string>{"SelectStmt(targets: [(a ~ '^x'), '1'::text, upper('a\tb''')])"}));
  EXPECT_EQ(ParseError("SELECT CASE END").sqlstate, "42601");
  EXPECT_EQ(ParseError("SELECT CASE WHEN 1 THEN 2").message, "syntax error at end of input");
  EXPECT_EQ(ParseError("SELECT 1 BETWEEN SYMMETRIC 1 AND 2").sqlstate, "0A000");
  EXPECT_EQ(ParseError("SELECT 1 OPERATOR(public.~) 2").sqlstate, "3F000");
}

TEST(ParserTest, TypeNamesKeepTheirModifiers) {
  auto stmts = ParseSql(
      "CREATE TABLE t (a varchar(10), b numeric(10,2), c numeric(5,-2), d timestamp(3) with time zone, "
      "e timestamp without time zone, f character varying, g double precision)");
  ASSERT_TRUE(stmts.ok()) << stmts.error().message;
  const auto& create = std::get<CreateTableStmt>((*stmts)[0]->node);
  ASSERT_EQ(create.columns.size(), 7u);
  EXPECT_EQ(create.columns[0].type.name, "varchar");
  EXPECT_EQ(create.columns[0].type.modifiers, (std::vector<int64_t>{10}));
  EXPECT_EQ(create.columns[1].type.modifiers, (std::vector<int64_t>{10, 2}));
  EXPECT_EQ(create.columns[2].type.modifiers, (std::vector<int64_t>{5, -2}));
  EXPECT_EQ(create.columns[3].type.name, "timestamp with time zone");
  EXPECT_EQ(create.columns[3].type.modifiers, (std::vector<int64_t>{3}));
  EXPECT_EQ(create.columns[4].type.name, "timestamp without time zone");
  EXPECT_EQ(create.columns[5].type.name, "varchar");
  EXPECT_EQ(create.columns[6].type.name, "double precision");
}

}  // namespace
}  // namespace minipg::sql
