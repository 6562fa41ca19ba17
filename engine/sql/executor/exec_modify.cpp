/*-------------------------------------------------------------------------
 * exec_modify.cpp
 *   New row versions into a table (see exec_modify.h).
 *-------------------------------------------------------------------------
 */
#include "engine/sql/executor/exec_modify.h"

#include <algorithm>
#include <set>

#include "engine/catalog/catalog_access.h"
#include "engine/common/interrupts.h"
#include "engine/sql/executor/ri_triggers.h"
#include "engine/storage/heap/xact.h"

namespace minipg::sql {

ModifyContext::ModifyContext(const SessionContext& s, const storage::TableDef& t)
    : session(s), table(t), rel(catalog::TableLocator(s.data_dir, t)) {}

namespace {

/* NOT NULL and CHECK (exec_indexing.h) over a new row version. */
Status CheckNewRow(ModifyContext& ctx, const storage::Tuple& row) {
  if (!ctx.result_rel) {
    auto rel = OpenResultRelation(ctx.table);
    if (!rel.ok()) return rel.error();
    ctx.result_rel.emplace(std::move(*rel));
  }
  return ExecConstraints(*ctx.result_rel, row, ctx.session);
}

/* The row version a DELETE or UPDATE ends, when a foreign key references
 * the table (its old key decides what the key's actions do). */
struct OldRow {
  bool gone = false;                 // a foreign key's action of this statement ended it already
  std::optional<storage::Tuple> row;  // empty: the table is not referenced
};

Result<OldRow> OldRowIfReferenced(ModifyContext& ctx, storage::ItemPointer tid) {
  if (Status s = RiLoad(ctx); !s.ok()) return s.error();
  OldRow old;
  if (!RiIsReferenced(ctx)) return old;
  auto live = storage::HeapTupleVisibleAt(ctx.rel, tid);
  if (!live.ok()) return live.error();
  old.gone = !*live;
  if (old.gone) return old;
  auto row = storage::HeapFetchRow(ctx.rel, ctx.table.columns, tid);
  if (!row.ok()) return row.error();
  old.row = std::move(*row);
  return old;
}

/* The foreign keys of the new version `row` of an UPDATE, given the old
 * version at `old_tid` (`old`: fetched already if the table is referenced). */
Status CheckUpdatedRow(ModifyContext& ctx, storage::ItemPointer old_tid, const OldRow& old, const storage::Tuple& row) {
  if (!ctx.ri || ctx.ri->outgoing.empty()) return OkStatus();
  if (old.row) return RiCheckNewRow(ctx, row, &*old.row);
  auto fetched = storage::HeapFetchRow(ctx.rel, ctx.table.columns, old_tid);
  if (!fetched.ok()) return fetched.error();
  return RiCheckNewRow(ctx, row, fetched->has_value() ? &**fetched : nullptr);
}

/* The columns whose change makes an UPDATE a key update (PostgreSQL's
 * key attributes: those of its unique indexes, none of which has an
 * expression or a predicate here). */
std::vector<int16_t> KeyColumns(const storage::TableDef& table) {
  std::vector<int16_t> keys;
  for (const storage::IndexDef& index : table.indexes) {
    if (!index.unique) continue;
    for (int16_t attnum : index.key_attnums) {
      if (std::find(keys.begin(), keys.end(), attnum) == keys.end()) keys.push_back(attnum);
    }
  }
  return keys;
}

/* A row a foreign key's action of this statement ended already: left
 * alone, as a row the same command changed. */
Status SkippedRow(storage::TmFailure* tmfd) {
  if (tmfd != nullptr) tmfd->result = storage::TmResult::kSelfModified;
  return OkStatus();
}

}  // namespace

Status ExecInsertRow(ModifyContext& ctx, const storage::Tuple& row, storage::ItemPointer* tid) {
  if (Status s = CheckNewRow(ctx, row); !s.ok()) return s;
  storage::ItemPointer where;
  if (Status s = storage::HeapInsertRow(ctx.rel, ctx.table.columns, row, ctx.insert_state, &where); !s.ok()) return s;
  if (tid != nullptr) *tid = where;
  if (Status s = ExecInsertIndexTuples(ctx.table, row, where, ctx.session); !s.ok()) return s;
  return RiCheckNewRow(ctx, row);
}

Status ExecUpdateRow(ModifyContext& ctx, storage::ItemPointer old_tid, const storage::Tuple& row,
                     storage::ItemPointer* tid, storage::TmFailure* tmfd) {
  if (Status s = CheckNewRow(ctx, row); !s.ok()) return s;
  auto old_row = OldRowIfReferenced(ctx, old_tid);
  if (!old_row.ok()) return old_row.error();
  if (old_row->gone) return SkippedRow(tmfd);
  storage::ItemPointer where;
  std::vector<int16_t> keys = KeyColumns(ctx.table);
  if (Status s = storage::HeapUpdate(ctx.rel, ctx.table.columns, old_tid, row, ctx.insert_state, &where, tmfd, &keys,
                                          ctx.table.name);
      !s.ok()) {
    return s;
  }
  if (tmfd != nullptr && tmfd->result != storage::TmResult::kOk) return OkStatus();
  if (tid != nullptr) *tid = where;
  // every index: no HOT updates
  if (Status s = ExecInsertIndexTuples(ctx.table, row, where, ctx.session); !s.ok()) return s;
  if (Status s = CheckUpdatedRow(ctx, old_tid, *old_row, row); !s.ok()) return s;
  return old_row->row ? RiParentRowChanged(ctx, *old_row->row, &row) : OkStatus();
}

Status ExecDeleteRow(ModifyContext& ctx, storage::ItemPointer tid, storage::TmFailure* tmfd) {
  auto old_row = OldRowIfReferenced(ctx, tid);
  if (!old_row.ok()) return old_row.error();
  if (old_row->gone) return SkippedRow(tmfd);
  if (Status s = storage::HeapDelete(ctx.rel, tid, tmfd, ctx.table.name); !s.ok()) return s;
  if (tmfd != nullptr && tmfd->result != storage::TmResult::kOk) return OkStatus();
  return old_row->row ? RiParentRowChanged(ctx, *old_row->row, nullptr) : OkStatus();
}

namespace {

std::set<uint32_t> g_new_tables;  // NoteTableNewInTransaction's, this transaction's

void ForgetNewTables(bool /*commit*/) { g_new_tables.clear(); }

}  // namespace

void NoteTableNewInTransaction(uint32_t table_oid) {
  static const bool registered = [] {
    storage::RegisterXactCallback(ForgetNewTables);
    return true;
  }();
  (void)registered;
  g_new_tables.insert(table_oid);
}

bool TableIsNewInTransaction(uint32_t table_oid) { return g_new_tables.count(table_oid) != 0; }

Status ExecTruncate(const SessionContext& session, const storage::TableDef& table) {
  NoteTableNewInTransaction(table.oid);
  ModifyContext ctx(session, table);
  storage::HeapTableScan scan(ctx.rel, table.columns);
  if (Status s = scan.Open(); !s.ok()) return s;
  std::vector<storage::ItemPointer> tids;
  for (;;) {
    if (Status s = CheckForInterrupts(); !s.ok()) return s;
    auto row = scan.Next();
    if (!row.ok()) return row.error();
    if (!row->has_value()) break;
    tids.push_back(scan.last_tid());
  }
  for (storage::ItemPointer tid : tids) {
    if (Status s = ExecDeleteRow(ctx, tid); !s.ok()) return s;
  }
  return OkStatus();
}

Status InsertRows(ModifyContext& ctx, const std::vector<storage::Tuple>& rows) {
  for (const storage::Tuple& row : rows) {
    if (Status s = ExecInsertRow(ctx, row, nullptr); !s.ok()) {
      (void)ExecModifyFinish(ctx);
      return s;
    }
  }
  return ExecModifyFinish(ctx);
}

Status ExecModifyFinish(ModifyContext& ctx) {
  Status actions = RiFinish(ctx);
  Status s = storage::HeapInsertFinish(ctx.rel, ctx.insert_state);
  return actions.ok() ? s : actions;
}

}  // namespace minipg::sql
