/*-------------------------------------------------------------------------
 * node_modify.cpp
 *   ModifyTable (INSERT): collects every row of its child, then inserts
 *   them (so the statement never reads its own new rows); it returns no
 *   rows itself, and counts the rows it inserted.
 *-------------------------------------------------------------------------
 */
#include "engine/common/interrupts.h"
#include "engine/sql/executor/exec_modify.h"
#include "engine/sql/executor/exec_nodes.h"

namespace minipg::sql {

namespace {

using storage::Tuple;

class ModifyTableState : public PlanState {
 public:
  using PlanState::PlanState;
  int64_t modified() const { return modified_; }

 protected:
  RowResult ExecNext() override {
    if (done_) return std::optional<Tuple>();
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
    if (Status s = InsertRows(ctx, batch); !s.ok()) return s.error();
    modified_ = static_cast<int64_t>(batch.size());
    return std::optional<Tuple>();
  }

 private:
  bool done_ = false;
  int64_t modified_ = 0;
};

}  // namespace

std::unique_ptr<PlanState> MakeModifyTableState(const Plan& plan, EState& estate) {
  return std::make_unique<ModifyTableState>(plan, estate);
}

int64_t ModifiedRows(const PlanState& state) {
  const auto* modify = dynamic_cast<const ModifyTableState*>(&state);
  return modify != nullptr ? modify->modified() : 0;
}

}  // namespace minipg::sql
