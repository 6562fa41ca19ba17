/*-------------------------------------------------------------------------
 * node_setop.cpp
 *   HashSetOp (PostgreSQL's nodeSetOp.c, hashed): INTERSECT and EXCEPT,
 *   with or without ALL. On the first Next() it counts each distinct row
 *   of its left input and then how many times the right input has it
 *   (NULLs equal, as in DISTINCT), in a table keyed by the row; then it
 *   returns each left row, in the order first seen, as many times as the
 *   operation says:
 *     INTERSECT      once if both sides have it     INTERSECT ALL  min(l, r)
 *     EXCEPT         once if only the left has it   EXCEPT ALL     max(l - r, 0)
 *   The table stays in memory (bounding it by work_mem comes later).
 *-------------------------------------------------------------------------
 */
#include <algorithm>
#include <map>

#include "engine/common/interrupts.h"
#include "engine/sql/executor/exec_nodes.h"
#include "engine/sql/executor/tuple_compare.h"

namespace minipg::sql {

namespace {

using storage::Tuple;

struct Counts {
  int64_t left = 0;
  int64_t right = 0;
};

class SetOpState : public PlanState {
 public:
  using PlanState::PlanState;

  Status ReScan() override {
    filled_ = false;
    index_.reset();
    rows_.clear();
    pos_ = 0;
    emitted_ = 0;
    return PlanState::ReScan();
  }

 protected:
  RowResult ExecNext() override {
    if (!filled_) {
      if (Status s = Fill(); !s.ok()) return s.error();
      filled_ = true;
    }
    while (pos_ < rows_.size()) {
      const Counts& c = (*index_)[rows_[pos_]];
      int64_t times = 0;
      if (plan_.setop == SetOpKind::kIntersect) {
        times = plan_.setop_all ? std::min(c.left, c.right) : (c.left > 0 && c.right > 0 ? 1 : 0);
      } else {
        times = plan_.setop_all ? std::max<int64_t>(c.left - c.right, 0) : (c.right == 0 ? 1 : 0);
      }
      if (emitted_ < times) {
        ++emitted_;
        return std::optional<Tuple>(rows_[pos_]);
      }
      ++pos_;
      emitted_ = 0;
    }
    return std::optional<Tuple>();
  }

 private:
  Status Fill() {
    types_.clear();
    for (const ExprPtr& e : plan_.targetlist) types_.push_back(e->type);
    index_.emplace(KeyLess{&types_});
    for (auto [input, is_left] : {std::pair{left.get(), true}, std::pair{right.get(), false}}) {
      for (;;) {
        if (Status s = CheckForInterrupts(); !s.ok()) return s;
        auto row = input->Next();
        if (!row.ok()) return row.error();
        if (!row->has_value()) break;
        (*row)->resize(types_.size());
        if (is_left) {
          auto [it, inserted] = index_->try_emplace(**row);
          if (inserted) rows_.push_back(it->first);
          ++it->second.left;
        } else if (auto it = index_->find(**row); it != index_->end()) {
          ++it->second.right;
        }
      }
    }
    return OkStatus();
  }

  std::vector<TypeId> types_;
  std::optional<std::map<Tuple, Counts, KeyLess>> index_;
  std::vector<Tuple> rows_;  // the left's distinct rows, in the order first seen
  size_t pos_ = 0;
  int64_t emitted_ = 0;
  bool filled_ = false;
};

}  // namespace

std::unique_ptr<PlanState> MakeSetOpState(const Plan& plan, EState& estate) {
  return std::make_unique<SetOpState>(plan, estate);
}

}  // namespace minipg::sql
