/*-------------------------------------------------------------------------
 * lexer_test.cpp
 *   Tokens, comments, quoting and the lexer's errors.
 *-------------------------------------------------------------------------
 */
#include "engine/sql/lexer.h"

#include <gtest/gtest.h>

#include "tests/engine/sql/long_query.h"

namespace minipg::sql {
namespace {

std::vector<Token> LexOk(std::string_view text) {
  auto tokens = Lex(text);
  EXPECT_TRUE(tokens.ok()) << (tokens.ok() ? "" : tokens.error().message);
  return tokens.ok() ? *tokens : std::vector<Token>{};
}

TEST(LexerTest, KeywordsAreFoldedAndQuotedIdentifiersAreNot) {
  auto t = LexOk("SeLeCt \"MixedCase\" FROM Foo");
  ASSERT_EQ(t.size(), 5u);
  EXPECT_EQ(t[0].text, "select");
  EXPECT_FALSE(t[0].quoted);
  EXPECT_EQ(t[1].text, "MixedCase");
  EXPECT_TRUE(t[1].quoted);
  EXPECT_EQ(t[3].text, "foo");
  EXPECT_EQ(t[4].kind, TokenKind::kEnd);
}

TEST(LexerTest, StringsUnescapeDoubledQuotes) {
  auto t = LexOk("'it''s' \"a\"\"b\"");
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].kind, TokenKind::kString);
  EXPECT_EQ(t[0].text, "it's");
  EXPECT_EQ(t[1].text, "a\"b");
}

// Scenario: E'...' reads backslash escapes (a plain string keeps its
// backslashes); an unterminated one is the same error as a plain string's.
TEST(LexerTest, EscapeStrings) {
  auto t = LexOk("E'a\\tb\\'c\\\\' e'x''y' 'p\\q' E");
  ASSERT_EQ(t.size(), 5u);
  EXPECT_EQ(t[0].kind, TokenKind::kString);
  EXPECT_EQ(t[0].text, "a\tb'c\\");
  EXPECT_EQ(t[1].text, "x'y");
  EXPECT_EQ(t[2].text, "p\\q");
  EXPECT_EQ(t[3].kind, TokenKind::kIdent);
  auto bad = Lex("SELECT E'abc\\'");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "unterminated quoted string at or near \"E'abc\\'\"");
}

// Scenario: the pattern-matching operators are one token each.
TEST(LexerTest, PatternOperators) {
  auto t = LexOk("a~b ~* !~ !~* ~~ !~~* != c");
  std::vector<std::string> ops;
  for (const Token& tok : t) {
    if (tok.kind == TokenKind::kOp) ops.push_back(tok.text);
  }
  EXPECT_EQ(ops, (std::vector<std::string>{"~", "~*", "!~", "!~*", "~~", "!~~*", "<>"}));
}

TEST(LexerTest, NumbersAndOperators) {
  auto t = LexOk("1+2.5<>3!=4::int||.5 1e3");
  std::vector<std::string> texts;
  for (const Token& tok : t) {
    texts.push_back(tok.text);
  }
  EXPECT_EQ(texts, (std::vector<std::string>{"1", "+", "2.5", "<>", "3", "<>", "4", "::", "int", "||", ".5", "1e3", ""}));
  EXPECT_EQ(t[0].kind, TokenKind::kInteger);
  EXPECT_EQ(t[2].kind, TokenKind::kNumeric);
  EXPECT_EQ(t[11].kind, TokenKind::kNumeric);
}

TEST(LexerTest, CommentsAreSkippedIncludingNestedBlocks) {
  auto t = LexOk("SELECT -- a comment\n 1 /* outer /* inner */ still comment */ , 2");
  ASSERT_EQ(t.size(), 5u);
  EXPECT_EQ(t[1].text, "1");
  EXPECT_EQ(t[2].text, ",");
}

TEST(LexerTest, PositionsCountCharactersNotBytes) {
  auto t = LexOk("'é' x");
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].position, 1);
  EXPECT_EQ(t[1].position, 5);
}

TEST(LexerTest, UnterminatedStringIsAnError) {
  auto t = Lex("SELECT 'abc");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().sqlstate, "42601");
  EXPECT_EQ(t.error().message, "unterminated quoted string at or near \"'abc\"");
  EXPECT_EQ(t.error().position, 8);
}

// Scenario: SQLite's corpus writes X'303132'; a bit-string constant is a
// clear 0A000 at its position, while x = 'a' and e'...' still lex.
TEST(LexerTest, BitStringConstantsAreNotSupported) {
  auto t = Lex("SELECT x'303132'");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().sqlstate, "0A000");
  EXPECT_EQ(t.error().message, "bit-string constants are not supported by minipg");
  EXPECT_EQ(t.error().position, 8);
  EXPECT_EQ(Lex("SELECT B'101'").error().sqlstate, "0A000");
  EXPECT_TRUE(Lex("SELECT 1 WHERE x='a' AND b = 'c'").ok());
}

TEST(LexerTest, UnterminatedCommentAndEmptyIdentifierAreErrors) {
  EXPECT_EQ(Lex("SELECT /* x").error().sqlstate, "42601");
  auto e = Lex("SELECT \"\"");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().message, "zero-length delimited identifier at or near \"\"\"\"");
}

TEST(LexerTest, LongIdentifiersAreTruncatedTo63Bytes) {
  auto t = LexOk(std::string(100, 'a'));
  EXPECT_EQ(t[0].text.size(), kMaxIdentifierLength);
}

TEST(LexerTest, PositionsAreCountedOnFromTokenToToken) {
  // Multi-byte characters between tokens, in strings, comments and names.
  std::string text = "SELECT 'héé', /* ü */ \"ñ\" -- ø\n, x€ + 1";
  auto t = LexOk(text);
  ASSERT_GT(t.size(), 5u);
  for (const Token& token : t) {
    EXPECT_EQ(token.position, CharPosition(text, token.offset)) << token.text;
  }
}

// A megabyte query lexes in a fraction of a second; counting each token's
// position from the start of the text made it take minutes. The bound is
// for ASan builds on a busy machine, and still far below quadratic time.
TEST(LexerTest, MegabyteQueriesLexInLinearTime) {
  std::string text = LongSelectList(1u << 20);
  auto start = std::chrono::steady_clock::now();
  auto t = Lex(text);
  double seconds = SecondsSince(start);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->size(), 3 + 2 * ((text.size() - 8) / 3));  // SELECT 1, then ", 1"s, then the end
  EXPECT_EQ(t->back().position, static_cast<int>(text.size()) + 1);
  EXPECT_LT(seconds, 20.0) << "lexing 1 MB must be linear";
}

TEST(LexerTest, PendingCancelOrTerminateStopsLexing) {
  std::string text = LongSelectList(1u << 20);
  {
    PendingInterrupt cancel(PendingInterrupt::kCancel);
    auto t = Lex(text);
    ASSERT_FALSE(t.ok());
    EXPECT_EQ(t.error().sqlstate, "57014");
    EXPECT_EQ(t.error().message, "canceling statement due to user request");
    EXPECT_EQ(g_query_cancel_pending, 0) << "a reported cancel is cleared";
  }
  {
    PendingInterrupt die(PendingInterrupt::kDie);
    auto t = Lex(text);
    ASSERT_FALSE(t.ok());
    EXPECT_EQ(t.error().sqlstate, "57P01");
    EXPECT_EQ(t.error().severity, Severity::kFatal);
  }
  EXPECT_TRUE(Lex(text).ok()) << "with nothing pending, the same text lexes";
}

}  // namespace
}  // namespace minipg::sql
