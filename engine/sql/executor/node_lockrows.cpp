/*-------------------------------------------------------------------------
 * node_lockrows.cpp
 *   LockRows (PostgreSQL's nodeLockRows.c): SELECT ... FOR UPDATE / NO KEY
 *   UPDATE / SHARE / KEY SHARE. For each row of its child, the version of
 *   each locked table's row (its junk ctid column, Plan::row_marks) is
 *   locked with HeapLockTuple (heap_lock.cpp), waiting, failing (NOWAIT)
 *   or leaving the row out (SKIP LOCKED) when another transaction is in
 *   the way; then the row goes on. It sits under Limit, so LIMIT counts
 *   locked rows only.
 *
 *   A row a committed transaction deleted meanwhile is left out; one it
 *   updated is, under READ COMMITTED, followed to its newest version,
 *   which is locked; then the plan below is run once more over the locked
 *   versions (EvalPlanQual, exec_epq.h), each other table's row the
 *   version it was joined with (PlanRowMark strength kNone, not locked),
 *   and its row, if any, goes on instead (the conditions may no longer
 *   hold: the row is left out, its newest version stays locked).
 *   REPEATABLE READ: 40001.
 *
 *   FetchScanRow (EvalPlanQual's) is here.
 *-------------------------------------------------------------------------
 */
#include <fmt/format.h>

#include "engine/catalog/catalog_access.h"
#include "engine/common/interrupts.h"
#include "engine/sql/executor/exec_epq.h"
#include "engine/sql/executor/exec_expr.h"
#include "engine/sql/executor/exec_nodes.h"
#include "engine/storage/heap/heapam.h"

namespace minipg::sql {

namespace {

using storage::ItemPointer;
using storage::Tuple;

storage::LockTupleMode TupleMode(LockClauseStrength strength) {
  switch (strength) {
    case LockClauseStrength::kForKeyShare:
      return storage::LockTupleMode::kKeyShare;
    case LockClauseStrength::kForShare:
      return storage::LockTupleMode::kShare;
    case LockClauseStrength::kForNoKeyUpdate:
      return storage::LockTupleMode::kNoKeyExclusive;
    case LockClauseStrength::kNone:
    case LockClauseStrength::kForUpdate:
      break;
  }
  return storage::LockTupleMode::kExclusive;
}

storage::LockWaitPolicy TupleWait(LockWaitPolicy wait) {
  switch (wait) {
    case LockWaitPolicy::kSkip:
      return storage::LockWaitPolicy::kSkip;
    case LockWaitPolicy::kError:
      return storage::LockWaitPolicy::kError;
    case LockWaitPolicy::kBlock:
      break;
  }
  return storage::LockWaitPolicy::kBlock;
}

Error ConcurrentUpdate() { return MakeError("40001", "could not serialize access due to concurrent update"); }

class LockRowsState : public PlanState {
 public:
  using PlanState::PlanState;

  Status Init() override {
    for (const PlanRowMark& m : plan_.row_marks) rels_.push_back(catalog::TableLocator(estate_.session.data_dir, m.table));
    return PlanState::Init();
  }

 protected:
  RowResult ExecNext() override {
    for (;;) {
      auto row = left->Next();
      if (!row.ok() || !row->has_value()) return row;
      auto locked = LockRow(**row);
      if (!locked.ok()) return locked.error();
      if (*locked) return row;
    }
  }

 private:
  /* Locks each marked table's row version of `row` (its newest, under
   * READ COMMITTED, then re-checks `row` by EvalPlanQual); false: leave
   * the row out (deleted, no longer matching, skipped). */
  Result<bool> LockRow(Tuple& row) {
    std::vector<EpqTarget> targets;
    bool updated = false;
    for (size_t i = 0; i < plan_.row_marks.size(); ++i) {
      const PlanRowMark& m = plan_.row_marks[i];
      const storage::Datum& ctid = row[static_cast<size_t>(m.column)];
      EpqTarget target{m.column, m.table.oid, &rels_[i], std::nullopt};
      if (!storage::IsNull(ctid)) target.tid = DatumCtid(ctid);
      if (m.strength == LockClauseStrength::kNone || !target.tid) {  // not locked: the version it was joined with
        targets.push_back(target);
        continue;
      }
      for (;;) {
        if (Status s = CheckForInterrupts(); !s.ok()) return s.error();
        storage::TmFailure tm;
        Status s = storage::HeapLockTuple(rels_[i], m.table.name, *target.tid, TupleMode(m.strength),
                                          TupleWait(m.wait), &tm);
        if (!s.ok()) return s.error();
        switch (tm.result) {
          case storage::TmResult::kOk:
            break;
          case storage::TmResult::kUpdated:
          case storage::TmResult::kDeleted:
            if (storage::XactIsolation() >= storage::IsolationLevel::kRepeatableRead) return ConcurrentUpdate();
            if (tm.result == storage::TmResult::kDeleted) return false;
            target.tid = tm.ctid;
            updated = true;
            continue;  // lock the newer version
          default:  // kSelfModified: changed by this transaction; kWouldBlock: SKIP LOCKED
            return false;
        }
        break;
      }
      targets.push_back(target);
    }
    if (!updated) return true;
    auto again = EvalPlanQualRun(*plan_.lefttree, estate_, row, targets);
    if (!again.ok()) return again.error();
    if (!again->has_value()) return false;
    row = std::move(**again);
    return true;
  }

  std::vector<storage::RelFileLocator> rels_;
};

}  // namespace

std::unique_ptr<PlanState> MakeLockRowsState(const Plan& plan, EState& estate) {
  return std::make_unique<LockRowsState>(plan, estate);
}

Result<std::optional<Tuple>> FetchScanRow(const Plan& scan, const storage::RelFileLocator& rel, ItemPointer tid) {
  storage::HeapTupleHeader header;
  auto fetched = storage::HeapFetchVersion(rel, scan.table->columns, tid, &header);
  if (!fetched.ok() || !fetched->has_value()) return fetched;
  Tuple row = std::move(**fetched);
  if (scan.emit_ctid) row.push_back(CtidDatum(tid));
  if (scan.emit_system_columns) AppendSystemColumns(row, scan.emit_ctid, tid, header, scan.table->oid);
  return std::optional<Tuple>(std::move(row));
}

}  // namespace minipg::sql
