/*-------------------------------------------------------------------------
 * node_append.cpp
 *   Append (PostgreSQL's nodeAppend.c): every row of its first child, then
 *   of the next, as they come (UNION ALL; UNION's input). The children's
 *   rows already have the set operation's column types.
 *-------------------------------------------------------------------------
 */
#include "engine/sql/executor/exec_nodes.h"

namespace minipg::sql {

namespace {

class AppendState : public PlanState {
 public:
  using PlanState::PlanState;

  Status ReScan() override {
    current_ = 0;
    return PlanState::ReScan();
  }

 protected:
  RowResult ExecNext() override {
    while (current_ < children.size()) {
      auto row = children[current_]->Next();
      if (!row.ok() || row->has_value()) return row;
      ++current_;
    }
    return std::optional<storage::Tuple>();
  }

 private:
  size_t current_ = 0;
};

}  // namespace

std::unique_ptr<PlanState> MakeAppendState(const Plan& plan, EState& estate) {
  return std::make_unique<AppendState>(plan, estate);
}

}  // namespace minipg::sql
