/*-------------------------------------------------------------------------
 * sql_parser_fuzz.cpp
 *   Fuzz target: the SQL parser (engine/sql/parser.h), lexer included, on a
 *   Query message's text. A syntax error is an expected result; a crash,
 *   a sanitizer report or a hang is not.
 *-------------------------------------------------------------------------
 */
#include <string_view>

#include "engine/sql/parser.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)minipg::sql::ParseSql(text);
  return 0;
}
