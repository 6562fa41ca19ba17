/*-------------------------------------------------------------------------
 * analyzer.h
 *   Stage 2: parse tree -> Query. Looks tables and columns up in a catalog
 *   snapshot, resolves functions and operators, infers and checks types,
 *   and names output columns the way PostgreSQL does.
 *
 * NOTES
 *   Errors carry PostgreSQL's SQLSTATE and wording: 42P01 relation does not
 *   exist, 42703 column does not exist, 42883 function / operator does not
 *   exist, 42804 datatype mismatch, 42P07 relation already exists, 0A000 for
 *   SQL that PostgreSQL has and minipg does not. The position of the
 *   offending name or operator is set when known.
 *   A string literal is "unknown" as in PostgreSQL until context decides its
 *   type: '5' compares with or inserts into an integer column (parsed then),
 *   while an expression of type text does not.
 *-------------------------------------------------------------------------
 */
#pragma once

#include "engine/common/error.h"
#include "engine/sql/ast.h"
#include "engine/sql/query.h"
#include "engine/storage/catalog.h"

namespace minipg::sql {

Result<Query> Analyze(const Statement& stmt, const storage::CatalogSnapshot& catalog);

}  // namespace minipg::sql
