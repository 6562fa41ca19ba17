/*-------------------------------------------------------------------------
 * lexer.h
 *   Splits SQL text into tokens: identifiers and keywords (folded to lower
 *   case unless quoted), integer and decimal literals, string literals,
 *   operators and punctuation. Comments (-- to end of line, nested block
 *   comments) and whitespace are skipped.
 *
 * NOTES
 *   Errors are 42601 with PostgreSQL's wording (unterminated quoted string,
 *   unterminated comment, zero-length delimited identifier) and position set.
 *   Positions count characters (UTF-8 code points), 1-based, as PostgreSQL's
 *   error "position" does.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/common/error.h"

namespace minipg::sql {

enum class TokenKind {
  kIdent,    // identifier or keyword; text lower-cased unless quoted
  kInteger,  // digits only
  kNumeric,  // digits with a '.' or an exponent
  kString,   // '...' with '' unescaped
  kOp,       // + - * / % = <> != < <= > >= || :: @> <@ &&
  kPunct,    // ( ) , ; . [ ] :
  kEnd,      // end of input
  kParam,    // $1, $2, ...: text is the number's digits
};

struct Token {
  TokenKind kind;
  std::string text;     // the value (see TokenKind)
  bool quoted = false;  // identifiers: was "quoted" (never a keyword)
  size_t offset = 0;    // byte offset of the first character in the text
  size_t end = 0;       // byte offset just past the token
  int position = 0;     // 1-based character position (for errors)
};

/* Tokenizes the whole text; the last token is kEnd. */
Result<std::vector<Token>> Lex(std::string_view text);

/* The 1-based character position of byte offset `offset` in `text`. */
int CharPosition(std::string_view text, size_t offset);

/* 42601 at token `t` of `text`, worded as PostgreSQL's: `syntax error at or
 * near "x"`, or `syntax error at end of input`. */
Error SyntaxErrorAt(std::string_view text, const Token& t);

/* PostgreSQL's NAMEDATALEN - 1: longer identifiers are truncated. */
inline constexpr size_t kMaxIdentifierLength = 63;

}  // namespace minipg::sql
