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
 *   RETURNING's values of each changed row.
 *-------------------------------------------------------------------------
 */
#include <set>
#include <utility>

#include "engine/common/interrupts.h"
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
      Tuple new_row(std::make_move_iterator(row.begin()), std::make_move_iterator(row.begin() + static_cast<long>(data)));
      Status s = OkStatus();
      if (!has_ctid) {
        s = ExecInsertRow(ctx, new_row, nullptr);
      } else {
        ItemPointer tid = DatumCtid(row[data]);
        if (!seen.insert({tid.block, tid.offset}).second) continue;  // changed by this command already
        s = plan_.operation == StatementKind::kUpdate ? ExecUpdateRow(ctx, tid, new_row, nullptr)
                                                      : ExecDeleteRow(ctx, tid);
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

ItemPointer DatumCtid(const storage::Datum& d) {
  auto v = static_cast<uint64_t>(std::get<int64_t>(d));
  return ItemPointer{static_cast<uint32_t>(v >> 16), static_cast<uint16_t>(v & 0xFFFF)};
}

}  // namespace minipg::sql
