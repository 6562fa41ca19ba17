/*-------------------------------------------------------------------------
 * params_test.cpp
 *   Parameters of the extended query protocol on the SQL side: $n in the
 *   lexer and parser, type inference in Session::Prepare, value checking
 *   and binary formats (params.h), and Session::Execute with bound values.
 *   (sqllogictest files cannot pass parameters, hence a gtest.)
 *-------------------------------------------------------------------------
 */
#include "engine/sql/params.h"

#include <gtest/gtest.h>

#include "engine/common/sqlstate.h"
#include "engine/sql/lexer.h"
#include "tests/engine/sql/sql_test_util.h"

namespace minipg::sql {
namespace {

class ParamsTest : public ::testing::Test, public SqlFixture {
 protected:
  StatementPtr ParseOne(std::string_view text) {
    auto stmts = session().Parse(text);
    EXPECT_TRUE(stmts.ok()) << text;
    if (!stmts.ok() || stmts->size() != 1) return nullptr;
    return std::move(stmts->front());
  }
  Result<PreparedDescription> Prepare(std::string_view text, std::vector<TypeId> types = {}) {
    StatementPtr stmt = ParseOne(text);
    if (stmt == nullptr) return MakeError("XX000", "no statement");
    return session().Prepare(*stmt, std::move(types));
  }
  /* Prepares and runs `text` with text-format values. */
  Result<StatementResult> Run(std::string_view text, std::vector<std::optional<std::string>> values,
                              CollectSink& sink) {
    StatementPtr stmt = ParseOne(text);
    if (stmt == nullptr) return MakeError("XX000", "no statement");
    auto desc = session().Prepare(*stmt, {});
    if (!desc.ok()) return desc.error();
    BoundParams params;
    params.types = desc->param_types;
    for (size_t i = 0; i < values.size(); ++i) {
      auto v = ParamToText(ParamValue{values[i], kFormatText}, params.types.at(i), 0,
                           static_cast<int>(i + 1));
      if (!v.ok()) return v.error();
      params.values.push_back(*v);
    }
    return session().Execute(*stmt, sink, params);
  }
};

// Scenario: "$1" is one parameter token; "$" alone and "$1abc" are errors.
TEST_F(ParamsTest, LexerReadsParameters) {
  auto tokens = Lex("SELECT $1 + $12");
  ASSERT_TRUE(tokens.ok());
  ASSERT_EQ(tokens->size(), 5u);
  EXPECT_EQ((*tokens)[1].kind, TokenKind::kParam);
  EXPECT_EQ((*tokens)[1].text, "1");
  EXPECT_EQ((*tokens)[3].text, "12");
  EXPECT_FALSE(Lex("SELECT $1abc").ok());
}

// Scenario: a simple Query has no parameters: $1 there is 42P02 as in PostgreSQL.
TEST_F(ParamsTest, SimpleQueryRejectsParameters) {
  RunResult r = RunSql("SELECT $1");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->sqlstate, sqlstate::kUndefinedParameter);
  EXPECT_EQ(r.error->message, "there is no parameter $1");
}

// Scenario: parameter types come from context: integer and bigint columns,
// LIMIT (bigint), a cast, and text when nothing decides.
TEST_F(ParamsTest, PrepareInfersTypes) {
  ASSERT_FALSE(RunSql("CREATE TABLE t (a int, b bigint, c text, d boolean)").error);
  auto d = Prepare("SELECT c FROM t WHERE a = $1 AND b > $2 AND d = $3 LIMIT $4");
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->param_types,
            (std::vector<TypeId>{TypeId::kInt4, TypeId::kInt8, TypeId::kBool, TypeId::kInt8}));
  EXPECT_TRUE(d->returns_rows);
  ASSERT_EQ(d->columns.size(), 1u);
  EXPECT_EQ(d->columns[0].name, "c");

  auto ins = Prepare("INSERT INTO t VALUES ($1, $2, $3, $4)");
  ASSERT_TRUE(ins.ok()) << ins.error().message;
  EXPECT_EQ(ins->param_types,
            (std::vector<TypeId>{TypeId::kInt4, TypeId::kInt8, TypeId::kText, TypeId::kBool}));
  EXPECT_FALSE(ins->returns_rows);

  auto plain = Prepare("SELECT $1, $2::int");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->param_types, (std::vector<TypeId>{TypeId::kText, TypeId::kInt4}));
  EXPECT_EQ(plain->columns[1].type, TypeId::kInt4);
}

// Scenario: a type given in Parse wins over the context; a gap in the
// numbering cannot be typed (42P18).
TEST_F(ParamsTest, GivenTypesAndGaps) {
  auto d = Prepare("SELECT $1", {TypeId::kInt8});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->param_types, std::vector<TypeId>{TypeId::kInt8});
  EXPECT_EQ(d->columns[0].type, TypeId::kInt8);
  auto gap = Prepare("SELECT $2");
  ASSERT_FALSE(gap.ok());
  EXPECT_EQ(gap.error().sqlstate, sqlstate::kIndeterminateDatatype);
  EXPECT_EQ(gap.error().message, "could not determine data type of parameter $1");
}

// Scenario: values are substituted when the statement runs; NULL works.
TEST_F(ParamsTest, ExecuteWithValues) {
  ASSERT_FALSE(RunSql("CREATE TABLE t (a int, c text)").error);
  CollectSink sink;
  auto ins = Run("INSERT INTO t VALUES ($1, $2), ($3, $4)", {"1", "one", "2", std::nullopt}, sink);
  ASSERT_TRUE(ins.ok()) << ins.error().message;
  EXPECT_EQ(ins->command_tag, "INSERT 0 2");
  sink.Clear();
  auto sel = Run("SELECT a + $2, c FROM t WHERE a = $1", {"2", "40"}, sink);
  ASSERT_TRUE(sel.ok()) << sel.error().message;
  ASSERT_EQ(sink.rows_.size(), 1u);
  EXPECT_EQ(sink.rows_[0][0], "42");
  EXPECT_EQ(sink.rows_[0][1], std::nullopt);
}

// Scenario: text values are checked by type (22P02), binary ones by length (22P03).
TEST_F(ParamsTest, ParamToTextChecksValues) {
  auto bad = ParamToText(ParamValue{std::string("abc"), kFormatText}, TypeId::kInt4, 0, 1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().sqlstate, sqlstate::kInvalidTextRepresentation);
  EXPECT_EQ(bad.error().message, "invalid input syntax for type integer: \"abc\"");

  auto b = ParamToText(ParamValue{std::string("true"), kFormatText}, TypeId::kBool, 0, 1);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, "t");

  std::string int4("\xff\xff\xff\xfe", 4);  // -2
  auto i4 = ParamToText(ParamValue{int4, kFormatBinary}, TypeId::kInt4, kOidInt4, 1);
  ASSERT_TRUE(i4.ok());
  EXPECT_EQ(*i4, "-2");
  std::string int8("\x00\x00\x00\x01\x00\x00\x00\x00", 8);  // 2^32
  auto i8 = ParamToText(ParamValue{int8, kFormatBinary}, TypeId::kInt8, kOidInt8, 1);
  ASSERT_TRUE(i8.ok());
  EXPECT_EQ(*i8, "4294967296");
  auto i2 = ParamToText(ParamValue{std::string("\x00\x07", 2), kFormatBinary}, TypeId::kInt4,
                        kOidInt2, 1);
  ASSERT_TRUE(i2.ok());
  EXPECT_EQ(*i2, "7");

  auto wrong = ParamToText(ParamValue{std::string("\x01\x02", 2), kFormatBinary}, TypeId::kInt4,
                           kOidInt4, 3);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().sqlstate, sqlstate::kInvalidBinaryRepresentation);
  EXPECT_EQ(wrong.error().message, "incorrect binary data format in bind parameter 3");

  // A format code that is neither text nor binary: 22023, as in PostgreSQL.
  auto format2 = ParamToText(ParamValue{std::string("1"), 2}, TypeId::kInt4, kOidInt4, 1);
  ASSERT_FALSE(format2.ok());
  EXPECT_EQ(format2.error().sqlstate, sqlstate::kInvalidParameterValue);
  EXPECT_EQ(format2.error().message, "unsupported format code: 2");

  auto null = ParamToText(ParamValue{std::nullopt, kFormatBinary}, TypeId::kInt4, kOidInt4, 1);
  ASSERT_TRUE(null.ok());
  EXPECT_EQ(*null, std::nullopt);
}

// Scenario: OIDs map to minipg's types; unknown OIDs are refused.
TEST_F(ParamsTest, TypeOids) {
  EXPECT_EQ(*ParamTypeFromOid(0), TypeId::kUnknown);
  EXPECT_EQ(*ParamTypeFromOid(kOidInt4), TypeId::kInt4);
  EXPECT_EQ(*ParamTypeFromOid(kOidInt2), TypeId::kInt4);
  EXPECT_EQ(*ParamTypeFromOid(kOidVarchar), TypeId::kText);
  EXPECT_FALSE(ParamTypeFromOid(600).ok());  // point
}

// Scenario: binary output is network byte order, as PostgreSQL's send functions.
TEST_F(ParamsTest, BinaryOutput) {
  EXPECT_EQ(BinaryOutput("258", TypeId::kInt4), std::string("\x00\x00\x01\x02", 4));
  EXPECT_EQ(BinaryOutput("-1", TypeId::kInt8), std::string(8, '\xff'));
  EXPECT_EQ(BinaryOutput("t", TypeId::kBool), std::string(1, '\x01'));
  EXPECT_EQ(BinaryOutput("hi", TypeId::kText), "hi");
  EXPECT_TRUE(HasBinaryOutput(TypeId::kInt8));
  EXPECT_FALSE(HasBinaryOutput(TypeId::kNumeric));
}

}  // namespace
}  // namespace minipg::sql
