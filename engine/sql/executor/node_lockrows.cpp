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
 *   which the scan's conditions decide again (RecheckScanRow, PostgreSQL's
 *   EvalPlanQual) and which is then locked and returned instead. Only a
 *   plan whose rows come from the one locked table's scan (under Sorts)
 *   can be re-run on one row; a join gets 40001 instead (see
 *   docs/transactions.md, Row locks). REPEATABLE READ: 40001.
 *
 *   RecheckScanRow and FetchScanRow (EvalPlanQual's too) are here.
 *-------------------------------------------------------------------------
 */
#include <fmt/format.h>

#include "engine/catalog/catalog_access.h"
#include "engine/common/interrupts.h"
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
    // The one table's scan under Sorts, if that is where the rows come from.
    const Plan* p = plan_.lefttree.get();
    while (p != nullptr && p->kind == PlanKind::kSort) p = p->lefttree.get();
    if (p != nullptr && plan_.row_marks.size() == 1 && p->table.has_value() &&
        p->table->oid == plan_.row_marks[0].table.oid &&
        (p->kind == PlanKind::kSeqScan || p->kind == PlanKind::kIndexScan || p->kind == PlanKind::kBitmapHeapScan)) {
      scan_ = p;
    }
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
  /* Locks each marked table's row version of `row`; false: leave the row
   * out (deleted, no longer matching, skipped). */
  Result<bool> LockRow(Tuple& row) {
    for (size_t i = 0; i < plan_.row_marks.size(); ++i) {
      const PlanRowMark& m = plan_.row_marks[i];
      ItemPointer tid = DatumCtid(row[static_cast<size_t>(m.column)]);
      for (;;) {
        if (Status s = CheckForInterrupts(); !s.ok()) return s.error();
        storage::TmFailure tm;
        Status s = storage::HeapLockTuple(rels_[i], m.table.name, tid, TupleMode(m.strength), TupleWait(m.wait), &tm);
        if (!s.ok()) return s.error();
        switch (tm.result) {
          case storage::TmResult::kOk:
            break;
          case storage::TmResult::kUpdated:
          case storage::TmResult::kDeleted: {
            if (storage::XactIsolation() >= storage::IsolationLevel::kRepeatableRead) return ConcurrentUpdate();
            if (tm.result == storage::TmResult::kDeleted) return false;
            if (scan_ == nullptr) return ConcurrentUpdate();
            auto again = RecheckScanRow(*scan_, rels_[i], tm.ctid, estate_);
            if (!again.ok()) return again.error();
            if (!again->has_value()) return false;
            row = std::move(**again);
            tid = tm.ctid;
            continue;  // lock the newer version
          }
          default:  // kSelfModified: changed by this transaction; kWouldBlock: SKIP LOCKED
            return false;
        }
        break;
      }
    }
    return true;
  }

  std::vector<storage::RelFileLocator> rels_;
  const Plan* scan_ = nullptr;  // the scan RecheckScanRow re-runs, null: a join
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

Result<std::optional<Tuple>> RecheckScanRow(const Plan& scan, const storage::RelFileLocator& rel, ItemPointer tid,
                                           EState& estate) {
  auto fetched = FetchScanRow(scan, rel, tid);
  if (!fetched.ok() || !fetched->has_value()) return fetched;
  Tuple scan_row = std::move(**fetched);
  ExprContext ectx;
  ectx.scan = &scan_row;
  ectx.session = &estate.session;
  ectx.estate = &estate;
  std::vector<const Expr*> conds;
  for (const ExprPtr& e : scan.indexquals) conds.push_back(e.get());
  conds.push_back(scan.qual.get());
  for (const Expr* cond : conds) {
    auto pass = EvaluateQual(cond, ectx);
    if (!pass.ok()) return pass.error();
    if (!*pass) return std::optional<Tuple>();
  }
  if (scan.targetlist.empty()) return std::optional<Tuple>(std::move(scan_row));
  auto out = Project(scan.targetlist, ectx);
  if (!out.ok()) return out.error();
  return std::optional<Tuple>(std::move(*out));
}

}  // namespace minipg::sql
