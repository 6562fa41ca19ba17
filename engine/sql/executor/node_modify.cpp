/*-------------------------------------------------------------------------
 * node_modify.cpp
 *   ModifyTable (INSERT, UPDATE, DELETE): collects every row of its child
 *   first (so the statement never reads its own new row versions), then
 *   changes the table one row at a time through exec_modify.h, and counts
 *   the rows it changed. Its child's row (Plan::operation):
 *
 *     INSERT   the new row, then RETURNING's values
 *     UPDATE   the new row, the old row's ctid, RETURNING's values
 *     DELETE   the old row's ctid, RETURNING's values
 *
 *   A row the statement changed already (an UPDATE ... FROM or DELETE ...
 *   USING whose join matched it twice) is left alone the second time, as
 *   PostgreSQL does for a row the same command updated. Its own rows are
 *   RETURNING's values of each changed row: from the child's row, or for a
 *   row ON CONFLICT DO UPDATE updated, Plan::conflict_returning over the
 *   row as updated.
 *-------------------------------------------------------------------------
 */
#include <algorithm>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "engine/catalog/index_ddl.h"
#include "engine/common/interrupts.h"
#include "engine/common/sqlstate.h"
#include "engine/sql/executor/exec_expr.h"
#include "engine/sql/executor/exec_modify.h"
#include "engine/sql/executor/exec_nodes.h"

namespace minipg::sql {

namespace {

using storage::ItemPointer;
using storage::Tuple;

class ModifyTableState : public PlanState {
 public:
  using PlanState::PlanState;
  int64_t modified() const { return modified_; }

 protected:
  RowResult ExecNext() override {
    if (!done_) {
      done_ = true;
      std::vector<Tuple> batch;
      for (;;) {
        auto row = left->Next();
        if (!row.ok()) return row.error();
        if (!row->has_value()) break;
        batch.push_back(std::move(**row));
      }
      if (Status s = CheckForInterrupts(); !s.ok()) return s.error();
      ModifyContext ctx(estate_.session, *plan_.table);
      Status s = Apply(ctx, batch);
      Status finished = ExecModifyFinish(ctx);
      if (!s.ok()) return s.error();
      if (!finished.ok()) return finished.error();
    }
    if (pos_ >= returned_.size()) return std::optional<Tuple>();
    return std::optional<Tuple>(std::move(returned_[pos_++]));
  }

 private:
  Status Apply(ModifyContext& ctx, std::vector<Tuple>& batch) {
    size_t ncols = plan_.table->columns.size();
    size_t data = plan_.operation == StatementKind::kDelete ? 0 : ncols;  // the new row's columns
    bool has_ctid = plan_.operation != StatementKind::kInsert;
    std::set<std::pair<uint32_t, uint16_t>> seen;
    for (Tuple& row : batch) {
      if (Status s = CheckForInterrupts(); !s.ok()) return s;
      Status s = OkStatus();
      Tuple new_row;  // INSERT's row (UPDATE's is made by ChangeRow)
      if (!has_ctid) {
        new_row.assign(std::make_move_iterator(row.begin()), std::make_move_iterator(row.begin() + static_cast<long>(data)));
      }
      if (!has_ctid && plan_.on_conflict != 0) {
        auto inserted = InsertOnConflict(ctx, new_row);
        if (!inserted.ok()) return inserted.error();
        if (*inserted == Outcome::kNone) continue;  // DO NOTHING, or DO UPDATE's WHERE said no
        if (*inserted == Outcome::kUpdated) {
          ++modified_;
          if (Status r = ReturnUpdated(); !r.ok()) return r;
          continue;
        }
      } else if (!has_ctid) {
        s = ExecInsertRow(ctx, new_row, nullptr);
      } else {
        ItemPointer tid = DatumCtid(row[data]);
        if (!seen.insert({tid.block, tid.offset}).second) continue;  // changed by this command already
        auto changed = ChangeRow(ctx, tid, row, data);
        if (!changed.ok()) return changed.error();
        if (!*changed) continue;
      }
      if (!s.ok()) return s;
      ++modified_;
      if (plan_.returning > 0) {
        size_t from = row.size() - static_cast<size_t>(plan_.returning);
        returned_.emplace_back(std::make_move_iterator(row.begin() + static_cast<long>(from)),
                               std::make_move_iterator(row.end()));
      }
    }
    return OkStatus();
  }

  /* UPDATE or DELETE of the row version at `tid` (`row`: the child's row,
   * its first `data` values the new row). A version a committed transaction
   * updated meanwhile (READ COMMITTED; REPEATABLE READ got 40001 from the
   * heap) is followed to its next version, which the scan's conditions
   * decide again (Recheck, PostgreSQL's EvalPlanQual); false: the row was
   * skipped (deleted, no longer matching, changed by this command). */
  Result<bool> ChangeRow(ModifyContext& ctx, ItemPointer tid, Tuple& row, size_t data) {
    for (;;) {
      storage::TmFailure tm;
      Status s = OkStatus();
      if (plan_.operation == StatementKind::kUpdate) {
        Tuple new_row(row.begin(), row.begin() + static_cast<long>(data));
        s = ExecUpdateRow(ctx, tid, new_row, nullptr, &tm);
      } else {
        s = ExecDeleteRow(ctx, tid, &tm);
      }
      if (!s.ok()) return s.error();
      if (tm.result == storage::TmResult::kOk) return true;
      if (tm.result != storage::TmResult::kUpdated) return false;
      auto again = Recheck(ctx, tm.ctid);
      if (!again.ok()) return again.error();
      if (!again->has_value()) return false;
      row = std::move(**again);
      tid = tm.ctid;
    }
  }

  /* The child's row for the row version at `tid` if it still passes the
   * scan's conditions (Filter, Index Cond), nullopt if not. Only a child
   * that is the target table's own scan can be re-run on one row; a join
   * (UPDATE ... FROM, DELETE ... USING) gets 40001 instead (see
   * docs/transactions.md, Row locks). */
  Result<std::optional<Tuple>> Recheck(ModifyContext& ctx, ItemPointer tid) {
    const Plan* scan = plan_.lefttree.get();
    bool simple = scan != nullptr && scan->table.has_value() && scan->table->oid == plan_.table->oid &&
                  (scan->kind == PlanKind::kSeqScan || scan->kind == PlanKind::kIndexScan);
    if (!simple) {
      return MakeError("40001", "could not serialize access due to concurrent update");
    }
    return RecheckScanRow(*scan, ctx.rel, tid, estate_);
  }

  enum class Outcome { kNone, kInserted, kUpdated };

  /* RETURNING's values of the row DO UPDATE left (updated_). */
  Status ReturnUpdated() {
    if (plan_.returning == 0) return OkStatus();
    ExprContext ectx;
    ectx.scan = &updated_;
    ectx.session = &estate_.session;
    ectx.estate = &estate_;
    Tuple out;
    for (const ExprPtr& e : plan_.conflict_returning) {
      auto value = Evaluate(*e, ectx);
      if (!value.ok()) return value.error();
      out.push_back(std::move(*value));
    }
    returned_.push_back(std::move(out));
    return OkStatus();
  }

  /* INSERT ... ON CONFLICT of one proposed row: inserted, or the row an
   * arbiter index holds its key for left alone (DO NOTHING, or DO UPDATE's
   * WHERE false: kNone) or updated (DO UPDATE: the new version in updated_). */
  Result<Outcome> InsertOnConflict(ModifyContext& ctx, const Tuple& proposed) {
    auto conflict = FindConflict(ctx, proposed);
    if (!conflict.ok()) return conflict.error();
    if (!conflict->has_value()) {
      ItemPointer tid;
      if (Status s = ExecInsertRow(ctx, proposed, &tid); !s.ok()) return s.error();
      touched_.insert({tid.block, tid.offset});
      return Outcome::kInserted;
    }
    if (plan_.on_conflict == 'n') return Outcome::kNone;
    ItemPointer tid = **conflict;
    if (touched_.count({tid.block, tid.offset}) != 0) {
      Error e = MakeError(sqlstate::kCardinalityViolation, "ON CONFLICT DO UPDATE command cannot affect row a second time");
      e.hint = "Ensure that no rows proposed for insertion within the same command have duplicate constrained values.";
      return e;
    }
    auto existing = storage::HeapFetchRow(ctx.rel, ctx.table.columns, tid);
    if (!existing.ok()) return existing.error();
    if (!existing->has_value()) return Outcome::kNone;
    ExprContext ectx;
    ectx.scan = &**existing;
    ectx.inner = &proposed;
    ectx.session = &estate_.session;
    ectx.estate = &estate_;
    auto pass = EvaluateQual(plan_.conflict_where.get(), ectx);
    if (!pass.ok()) return pass.error();
    if (!*pass) return Outcome::kNone;
    Tuple updated = **existing;
    for (size_t c = 0; c < plan_.conflict_set.size() && c < updated.size(); ++c) {
      if (!plan_.conflict_set[c]) continue;
      auto value = Evaluate(*plan_.conflict_set[c], ectx);
      if (!value.ok()) return value.error();
      updated[c] = std::move(*value);
    }
    ItemPointer new_tid;
    if (Status s = ExecUpdateRow(ctx, tid, updated, &new_tid); !s.ok()) return s.error();
    touched_.insert({new_tid.block, new_tid.offset});
    updated_ = std::move(updated);
    return Outcome::kUpdated;
  }

  /* The visible row whose key in an arbiter index (every unique index
   * when the statement names none) equals the proposed row's. */
  Result<std::optional<ItemPointer>> FindConflict(ModifyContext& ctx, const Tuple& proposed) {
    const storage::TableDef& table = ctx.table;
    storage::Oid db = ctx.rel.db_oid;
    for (const storage::IndexDef& index : table.indexes) {
      if (!index.unique) continue;
      const auto& arbiters = plan_.arbiter_indexes;
      if (!arbiters.empty() && std::find(arbiters.begin(), arbiters.end(), index.name) == arbiters.end()) continue;
      Tuple key = catalog::IndexKeyOf(index, proposed);
      if (std::any_of(key.begin(), key.end(), [](const storage::Datum& d) { return storage::IsNull(d); })) continue;
      auto found = catalog::FindLiveIndexKey(db, table, index, key);
      if (!found.ok() || found->has_value()) return found;
    }
    return std::optional<ItemPointer>();
  }

  std::set<std::pair<uint32_t, uint16_t>> touched_;  // ON CONFLICT: rows this command inserted or updated
  Tuple updated_;                                     // DO UPDATE: the last row it updated
  bool done_ = false;
  int64_t modified_ = 0;
  std::vector<Tuple> returned_;  // RETURNING's rows
  size_t pos_ = 0;
};

}  // namespace

std::unique_ptr<PlanState> MakeModifyTableState(const Plan& plan, EState& estate) {
  return std::make_unique<ModifyTableState>(plan, estate);
}

int64_t ModifiedRows(const PlanState& state) {
  const auto* modify = dynamic_cast<const ModifyTableState*>(&state);
  return modify != nullptr ? modify->modified() : 0;
}

storage::Datum CtidDatum(ItemPointer tid) {
  return static_cast<int64_t>((static_cast<uint64_t>(tid.block) << 16) | tid.offset);
}

std::string TidText(ItemPointer tid) { return fmt::format("({},{})", tid.block, tid.offset); }

void AppendSystemColumns(storage::Tuple& row, bool has_ctid_slot, ItemPointer tid, const storage::HeapTupleHeader& header,
                         uint32_t table_oid) {
  if (!has_ctid_slot) row.push_back(CtidDatum(tid));
  row.push_back(TidText(tid));                          // ctid
  row.push_back(static_cast<int64_t>(header.xmin));      // xmin
  row.push_back(static_cast<int64_t>(header.cid));       // cmin (the raw field, as PostgreSQL shows it)
  row.push_back(static_cast<int64_t>(header.xmax));      // xmax
  row.push_back(static_cast<int64_t>(header.cid));       // cmax
  row.push_back(static_cast<int64_t>(table_oid));        // tableoid
}

ItemPointer DatumCtid(const storage::Datum& d) {
  auto v = static_cast<uint64_t>(std::get<int64_t>(d));
  return ItemPointer{static_cast<uint32_t>(v >> 16), static_cast<uint16_t>(v & 0xFFFF)};
}

}  // namespace minipg::sql
