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
#include "engine/sql/session.h"
#include "engine/storage/catalog.h"

namespace minipg::sql {

/* `ctx`, if given, is the session: a view of an extension (pg_buffercache)
 * exists only in a database that created the extension. */
Result<Query> Analyze(const Statement& stmt, const storage::CatalogSnapshot& catalog,
                     const SessionContext* ctx = nullptr);

/* The same for a statement with parameters ($1, $2, ...). `param_types`
 * holds the types the client gave (kUnknown = not given) and may be shorter
 * than the highest $n; on success it holds every parameter's type, the
 * unknown ones inferred from context as PostgreSQL does (compared with or
 * stored into an integer column -> integer; otherwise text). A parameter
 * whose type cannot be determined at all (a gap: $2 used, $1 not) is 42P18. */
Result<Query> AnalyzeWithParams(const Statement& stmt, const storage::CatalogSnapshot& catalog,
                                std::vector<TypeId>& param_types, const SessionContext* ctx = nullptr);

/* Column `attno`'s DEFAULT (attno 0-based: its position in table.columns),
 * bound and coerced to the column's type and typmod: what INSERT puts in a
 * column it does not name (and UPDATE's SET col = DEFAULT). A NULL
 * constant of the column's type for a column without one. */
ExprPtr ColumnDefault(const storage::TableDef& table, int attno);
/* The same, with the error when it does not bind (ALTER TABLE ADD COLUMN's
 * default for the existing rows: 22001 value too long, ...). */
Result<ExprPtr> BindColumnDefault(const storage::TableDef& table, int attno);

/* A stored expression of `table` (a CHECK constraint's conbin) bound over
 * its row: Vars of range table entry 1, attno the column's position. */
Result<ExprPtr> BindStoredExpr(const storage::TableDef& table, const std::string& text);

}  // namespace minipg::sql
