/*-------------------------------------------------------------------------
 * sql_lexer_fuzz.cpp
 *   Fuzz target: the SQL lexer (engine/sql/lexer.h) on a Query message's
 *   text.
 *
 *   Checks: the tokens lie in order inside the text, each one's position
 *   is CharPosition of its offset, and the last token is the end.
 *-------------------------------------------------------------------------
 */
#include <string_view>

#include "engine/sql/lexer.h"
#include "tests/fuzz/fuzz_input.h"

namespace sql = minipg::sql;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto tokens = sql::Lex(text);
  if (!tokens.ok()) return 0;
  if (tokens->empty() || tokens->back().kind != sql::TokenKind::kEnd) {
    minipg::fuzz::Fail("the token list does not end with kEnd");
  }
  size_t last_end = 0;
  for (const auto& t : *tokens) {
    if (t.offset < last_end || t.end < t.offset || t.end > text.size()) {
      minipg::fuzz::Fail("a token lies outside the text or before the previous one");
    }
    if (t.kind != sql::TokenKind::kEnd && t.position != sql::CharPosition(text, t.offset)) {
      minipg::fuzz::Fail("a token's position is not the character position of its offset");
    }
    last_end = t.end;
  }
  return 0;
}
