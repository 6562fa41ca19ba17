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
  r.rows = {{std::string("1"), std::string("hi")}, {std::string("22"), std::string("hello, world")}};
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

}  // namespace
}  // namespace minipg::minipsql
