/*-------------------------------------------------------------------------
 * exec_indexing.h
 *   What happens to a row entering a table besides its heap insert
 *   (PostgreSQL's execIndexing.c and ExecConstraints in execMain.c), and
 *   the statements that make those rules (CREATE / DROP INDEX; a table's
 *   constraints are exec_alter.h's):
 *
 *     OpenResultRelation    once per statement: the table's CHECK
 *                           constraints bound (its ResultRelInfo)
 *     ExecConstraints       before the heap insert: NOT NULL (23502), then
 *                           CHECK in name order (23514), each with DETAIL
 *                           Failing row contains (...).
 *     ExecInsertIndexTuples after the heap insert: an entry in every index,
 *                           a unique one refusing a live equal key (23505)
 *
 * NOTES
 *   exec_modify.cpp's ExecInsertRow / ExecUpdateRow (the one place a row
 *   version enters a table) call them around the heap insert.
 *   An error leaves the new heap row in place; the transaction's abort
 *   makes it invisible, as in PostgreSQL.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "engine/common/error.h"
#include "engine/sql/executor.h"
#include "engine/sql/nodes/primnodes.h"
#include "engine/sql/query.h"
#include "engine/sql/session.h"
#include "engine/storage/catalog.h"
#include "engine/storage/page/heap_tuple.h"

namespace minipg::sql {

/* A table rows enter, with its CHECK constraints bound (Vars of the new
 * row as the scan row). */
struct ResultRelation {
  const storage::TableDef* table = nullptr;
  std::vector<std::pair<std::string, ExprPtr>> checks;  // by name
};
Result<ResultRelation> OpenResultRelation(const storage::TableDef& table);

/* NOT NULL and CHECK over a new row of rel's table. */
Status ExecConstraints(const ResultRelation& rel, const storage::Tuple& row, const SessionContext& ctx);

/* The new row at `tid` into every index of the table. */
Status ExecInsertIndexTuples(const storage::TableDef& table, const storage::Tuple& row, storage::ItemPointer tid,
                             const SessionContext& ctx);

/* CREATE INDEX / DROP INDEX. */
Result<ExecutionResult> ExecIndexDdl(const Query& q, const SessionContext& ctx);

/* A key value as DETAIL shows it (Key (a)=(1) already exists.). */
std::string ValueText(storage::ColumnType type, const storage::Datum& value);

}  // namespace minipg::sql
