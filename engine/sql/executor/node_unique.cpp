/*-------------------------------------------------------------------------
 * node_unique.cpp
 *   Unique (PostgreSQL's nodeUnique.c): over input sorted on its
 *   unique_cols, returns the first row of each run of rows that are equal
 *   in those columns (NULLs equal). DISTINCT ON is a Unique over a Sort.
 *-------------------------------------------------------------------------
 */
#include "engine/sql/executor/exec_nodes.h"
#include "engine/sql/executor/tuple_compare.h"

namespace minipg::sql {

namespace {

using storage::Tuple;

class UniqueState : public PlanState {
 public:
  using PlanState::PlanState;

  Status ReScan() override {
    last_.reset();
    return PlanState::ReScan();
  }

 protected:
  RowResult ExecNext() override {
    for (;;) {
      auto row = left->Next();
      if (!row.ok() || !row->has_value()) return row;
      if (last_ && Same(*last_, **row)) continue;
      last_ = **row;
      return row;
    }
  }

 private:
  bool Same(const Tuple& a, const Tuple& b) const {
    for (int col : plan_.unique_cols) {
      size_t i = static_cast<size_t>(col);
      if (CompareDatum(a[i], b[i], plan_.targetlist[i]->type) != 0) return false;
    }
    return true;
  }

  std::optional<Tuple> last_;
};

}  // namespace

std::unique_ptr<PlanState> MakeUniqueState(const Plan& plan, EState& estate) {
  return std::make_unique<UniqueState>(plan, estate);
}

}  // namespace minipg::sql
