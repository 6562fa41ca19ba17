/*-------------------------------------------------------------------------
 * exec_modify.h
 *   The one place a row version enters a table (PostgreSQL's
 *   ExecInsert / ExecUpdate core, without the plan node around them):
 *   INSERT's ModifyTable, COPY FROM and UPDATE's new versions all come
 *   here, so whatever must hold for every new row version (constraints
 *   before it is stored, index entries after) is added in one place:
 *
 *     ExecInsertRow(ctx, row)         checks -> HeapInsertRow -> index entries -> foreign keys
 *     ExecUpdateRow(ctx, old, row)    checks -> HeapUpdate    -> index entries -> foreign keys
 *     ExecDeleteRow(ctx, old)         HeapDelete -> foreign keys referencing the old row
 *     ExecModifyFinish(ctx)           the free space map learns the last page
 *
 *   Foreign keys (ri_triggers.h): a new row's key must be in the table it
 *   references; an old row's key leaving asks what the keys referencing
 *   it say (refuse, cascade, set null / default).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "engine/common/error.h"
#include "engine/sql/executor/exec_indexing.h"
#include "engine/sql/session.h"
#include "engine/storage/catalog.h"
#include "engine/storage/datum.h"
#include "engine/storage/heap/heapam.h"

namespace minipg::sql {

struct RiState;  // ri_triggers.h

/* One statement's writes into one table. */
struct ModifyContext {
  ModifyContext(const SessionContext& s, const storage::TableDef& t);

  const SessionContext& session;
  const storage::TableDef& table;
  storage::RelFileLocator rel;
  storage::HeapInsertState insert_state;  // the page new rows go on first
  std::optional<ResultRelation> result_rel;  // its CHECK constraints, bound at the first new row
  std::shared_ptr<RiState> ri;                // its foreign keys, read at the first changed row
};

/* Stores `row` as a new row version of the context's table in the current
 * transaction; `tid`, if given, gets where it went. */
Status ExecInsertRow(ModifyContext& ctx, const storage::Tuple& row, storage::ItemPointer* tid);

/* Replaces the row version at `old_tid` with `row` (HeapUpdate); `tid`, if
 * given, gets where the new version went. With `tmfd`, a version another
 * transaction updated or deleted, or a later command of this one, is left
 * alone and tmfd->result says why (heapam.h's TmResult; kOk: replaced). */
Status ExecUpdateRow(ModifyContext& ctx, storage::ItemPointer old_tid, const storage::Tuple& row,
                     storage::ItemPointer* tid, storage::TmFailure* tmfd = nullptr);

/* Deletes the row version at `tid` (HeapDelete); `tmfd` as ExecUpdateRow's. */
Status ExecDeleteRow(ModifyContext& ctx, storage::ItemPointer tid, storage::TmFailure* tmfd = nullptr);

/* TRUNCATE of one table in the current transaction: every row version
 * it can see deleted (see docs/architecture.md, Simplifications). */
Status ExecTruncate(const SessionContext& session, const storage::TableDef& table);

/* Tables created or truncated in the current transaction (PostgreSQL's
 * rd_createSubid / rd_newRelfilenodeSubid, minipg having no
 * subtransactions): COPY FREEZE's condition. Forgotten when it ends. */
void NoteTableNewInTransaction(uint32_t table_oid);
bool TableIsNewInTransaction(uint32_t table_oid);

/* ExecInsertRow for each row, then ExecModifyFinish (INSERT, COPY FROM). */
Status InsertRows(ModifyContext& ctx, const std::vector<storage::Tuple>& rows);

/* Ends the statement's writes (call it once, also after an error). */
Status ExecModifyFinish(ModifyContext& ctx);

}  // namespace minipg::sql
