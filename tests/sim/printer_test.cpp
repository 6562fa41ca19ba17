/*
 * printer_test.cpp
 *   minipsql's output matches psql's aligned format (checked against
 *   PostgreSQL 15's psql output).
 */
#include "sim/minipsql/printer.h"

#include <gtest/gtest.h>

namespace minipg::minipsql {
namespace {

protocol::FieldDescription Field(std::string name, int32_t oid) {
  protocol::FieldDescription f;
  f.name = std::move(name);
  f.type_oid = oid;
  return f;
}

// Scenario: numbers right-aligned, text left-aligned, centred headers, NULL blank.
TEST(PrinterTest, AlignedLikePsql) {
  client::StatementResult r;
  r.fields = {Field("?column?", 23), Field("?column?", 16), Field("int4", 23)};
  r.rows = {{std::string("4"), std::string("t"), std::nullopt}};
  r.tag = "SELECT 1";
  EXPECT_EQ(FormatResult(r),
            " ?column? | ?column? | int4 \n"
            "----------+----------+------\n"
            "        4 | t        |     \n"
            "(1 row)\n\n");
}

// Scenario: a wide value widens its column; the row count is plural.
TEST(PrinterTest, WideValuesAndPlural) {
  client::StatementResult r;
  r.fields = {Field("one", 23), Field("greeting", 25)};
  r.rows = {{std::string("1"), std::string("hi")},
            {std::string("22"), std::string("hello, world")}};
  EXPECT_EQ(FormatResult(r),
            " one |   greeting   \n"
            "-----+--------------\n"
            "   1 | hi\n"
            "  22 | hello, world\n"
            "(2 rows)\n\n");
}

// Scenario: a statement without rows prints its command tag.
TEST(PrinterTest, CommandTag) {
  client::StatementResult r;
  r.tag = "INSERT 0 2";
  EXPECT_EQ(FormatResult(r), "INSERT 0 2\n");
}

// Scenario: an error with a position gets psql's LINE and caret.
TEST(PrinterTest, ErrorCaret) {
  protocol::ErrorFields e;
  e.severity = "ERROR";
  e.message = "column \"nope\" does not exist";
  e.position = 8;
  EXPECT_EQ(FormatError(e, "SELECT nope"),
            "ERROR:  column \"nope\" does not exist\nLINE 1: SELECT nope\n               ^\n");
}

// Scenario: a value with a newline and a tab takes two lines, '+' where it goes on (as psql 15).
TEST(PrinterTest, MultiLineValues) {
  client::StatementResult r;
  r.fields = {Field("a", 23), Field("b", 25), Field("c", 16)};
  r.rows = {{std::string("2"), std::string("tab\there\\back\nnl"), std::nullopt}};
  EXPECT_EQ(FormatResult(r),
            " a |         b         | c \n"
            "---+-------------------+---\n"
            " 2 | tab     here\\back+| \n"
            "   | nl                | \n"
            "(1 row)\n\n");
}

// Scenario: -A joins fields with '|', -t drops header and footer, \x prints records.
TEST(PrinterTest, UnalignedTuplesOnlyExpanded) {
  client::StatementResult r;
  r.fields = {Field("a", 23), Field("bb", 25)};
  r.rows = {{std::string("1"), std::string("x")}, {std::string("22"), std::nullopt}};
  PrintOptions o;
  o.unaligned = true;
  EXPECT_EQ(FormatResult(r, o), "a|bb\n1|x\n22|\n(2 rows)\n");
  o.tuples_only = true;
  EXPECT_EQ(FormatResult(r, o), "1|x\n22|\n");
  PrintOptions x;
  x.expanded = true;
  EXPECT_EQ(FormatResult(r, x), "-[ RECORD 1 ]\na  | 1\nbb | x\n-[ RECORD 2 ]\na  | 22\nbb | \n\n");
}

// Scenario: CONTEXT follows HINT, and a script's location prefixes the first line.
TEST(PrinterTest, ErrorContextAndPrefix) {
  protocol::ErrorFields e;
  e.severity = "ERROR";
  e.message = "invalid input syntax for type integer: \"abc\"";
  e.context = "COPY t, line 3, column a: \"abc\"";
  EXPECT_EQ(FormatError(e, "COPY t FROM STDIN", "minipsql:load.sql:1: "),
            "minipsql:load.sql:1: ERROR:  invalid input syntax for type integer: \"abc\"\n"
            "CONTEXT:  COPY t, line 3, column a: \"abc\"\n");
}

// Scenario: a long line is cut to psql's 60-column window around the position, with "...".
TEST(PrinterTest, LongLineWindow) {
  protocol::ErrorFields e;
  e.severity = "ERROR";
  e.message = "column \"nope\" does not exist";
  std::string query = "SELECT " + std::string(80, 'b') + ", nope";
  e.position = static_cast<int>(query.size()) - 3;
  EXPECT_EQ(FormatError(e, query), "ERROR:  column \"nope\" does not exist\nLINE 1: ..." +
                                       std::string(80, 'b').substr(26) + ", nope\n" +
                                       std::string(8 + 3 + 56, ' ') + "^\n");
}

}  // namespace
}  // namespace minipg::minipsql
