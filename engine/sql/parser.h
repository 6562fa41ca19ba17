/*-------------------------------------------------------------------------
 * parser.h
 *   Recursive-descent parser: the tokens of a whole Query message become a
 *   list of parse trees (ast.h). Statements are separated by ';'; empty
 *   statements are dropped.
 *
 *   Expression precedence, lowest first, as in PostgreSQL's gram.y:
 *     OR < AND < NOT < IS [NOT] NULL < comparison (non-associative)
 *        < || < + - < * / % < unary - < :: < primary
 *
 * NOTES
 *   A syntax error anywhere fails the whole text (PostgreSQL runs nothing of
 *   a Query that does not parse): 42601 "syntax error at or near "X"" or
 *   "syntax error at end of input", with position. Statements and clauses
 *   that PostgreSQL accepts but minipg does not run (UPDATE, JOIN, GROUP BY,
 *   column constraints...) parse into markers that the analyzer rejects with
 *   0A000, so the statements before them still run.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <string_view>
#include <vector>

#include "engine/common/error.h"
#include "engine/sql/ast.h"

namespace minipg::sql {

Result<std::vector<StatementPtr>> ParseSql(std::string_view text);

}  // namespace minipg::sql
