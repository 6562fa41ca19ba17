/*-------------------------------------------------------------------------
 * node_sort_limit.cpp
 *   Sort: reads all its input on the first Next(), then returns it in
 *   order (stable; NULLs first or last per key), interruptibly
 *   (interruptible_sort.h). Limit: skips OFFSET rows, stops after LIMIT
 *   without pulling more (the input may be expensive); both values are
 *   evaluated once, at Init, as PostgreSQL's (22003-style errors 2201W /
 *   2201X for negative ones).
 *-------------------------------------------------------------------------
 */
#include <fmt/format.h>

#include <algorithm>
#include <tuple>

#include "engine/common/sqlstate.h"
#include "engine/sql/executor/exec_nodes.h"
#include "engine/sql/interruptible_sort.h"
#include "engine/sql/types.h"

namespace minipg::sql {

namespace {

using storage::Tuple;

class SortState : public PlanState {
 public:
  using PlanState::PlanState;
  Status ReScan() override {
    pos_ = 0;  // the sorted rows stay: the input has not changed
    NewLoop();
    return OkStatus();
  }

 protected:
  RowResult ExecNext() override {
    if (!sorted_) {
      if (Status s = Fill(); !s.ok()) return s.error();
      sorted_ = true;
    }
    if (pos_ >= rows_in_.size()) return std::optional<Tuple>();
    return std::optional<Tuple>(rows_in_[pos_++]);
  }

 private:
  /* ORDER BY's order: the sort keys in turn, NULLs where asked. */
  bool Less(const Tuple& a, const Tuple& b) const {
    for (const SortKey& k : plan_.sort_keys) {
      const auto& x = a[static_cast<size_t>(k.column)];
      const auto& y = b[static_cast<size_t>(k.column)];
      bool x_null = storage::IsNull(x);
      bool y_null = storage::IsNull(y);
      if (x_null || y_null) {
        if (x_null == y_null) continue;
        return x_null == k.nulls_first;
      }
      int c = CompareValues(x, k.type, y, k.type);
      if (c != 0) return k.descending ? c > 0 : c < 0;
    }
    return false;
  }

  Status SortRows() {
    return InterruptibleStableSort(rows_in_, [this](const Tuple& a, const Tuple& b) { return Less(a, b); });
  }

  /* Reads every input row and sorts them. Under a LIMIT (sort_bound n)
   * only the first n in order are kept as rows arrive, so memory holds
   * about 2n rows whatever the input (PostgreSQL's top-N heapsort);
   * otherwise past work_mem it is an error (53200: no temporary files). */
  Status Fill() {
    size_t bytes = 0;
    size_t peak = 0;
    size_t limit = WorkMemBytes(estate_);
    auto bound = static_cast<size_t>(std::max(0.0, plan_.sort_bound));
    size_t read = 0;
    for (;;) {
      auto row = left->Next();
      if (!row.ok()) return row.error();
      if (!row->has_value()) break;
      ++read;
      bytes += TupleBytes(**row);
      rows_in_.push_back(std::move(**row));
      if (bound > 0 && rows_in_.size() >= 2 * bound + 64) {
        if (Status s = SortRows(); !s.ok()) return s;
        rows_in_.resize(bound);
        bytes = 0;
        for (const Tuple& t : rows_in_) bytes += TupleBytes(t);
      }
      peak = std::max(peak, bytes);
      if (bytes > limit) return WorkMemExceeded("sort", limit);
    }
    bool top_n = bound > 0 && read > bound;
    instr_.notes.push_back(fmt::format("Sort Method: {}  Memory: {}kB", top_n ? "top-N heapsort" : "quicksort",
                                       std::max<size_t>(25, (peak + 1023) / 1024)));
    return SortRows();
  }

  std::vector<Tuple> rows_in_;
  size_t pos_ = 0;
  bool sorted_ = false;
};

class LimitState : public PlanState {
 public:
  using PlanState::PlanState;

  Status Init() override {
    for (auto [expr, out, what, code] :
         {std::tuple{plan_.limit_count.get(), &limit_, "LIMIT", sqlstate::kInvalidRowCountInLimitClause},
          std::tuple{plan_.limit_offset.get(), &offset_, "OFFSET", sqlstate::kInvalidRowCountInResultOffsetClause}}) {
      if (expr == nullptr) continue;
      auto v = Evaluate(*expr, Context());
      if (!v.ok()) return v.error();
      if (storage::IsNull(*v)) continue;  // LIMIT NULL is no limit
      *out = std::get<int64_t>(*v);
      if (*out < 0) return MakeError(code, fmt::format("{} must not be negative", what));
    }
    return PlanState::Init();
  }
  Status ReScan() override {
    skipped_ = 0;
    returned_ = 0;
    return PlanState::ReScan();
  }

 protected:
  RowResult ExecNext() override {
    while (skipped_ < offset_) {
      auto row = left->Next();
      if (!row.ok() || !row->has_value()) return row;
      ++skipped_;
    }
    if (limit_ >= 0 && returned_ >= limit_) return std::optional<Tuple>();
    auto row = left->Next();
    if (row.ok() && row->has_value()) ++returned_;
    return row;
  }

 private:
  int64_t limit_ = -1;
  int64_t offset_ = 0;
  int64_t skipped_ = 0;
  int64_t returned_ = 0;
};

}  // namespace

std::unique_ptr<PlanState> MakeSortState(const Plan& plan, EState& estate) {
  return std::make_unique<SortState>(plan, estate);
}
std::unique_ptr<PlanState> MakeLimitState(const Plan& plan, EState& estate) {
  return std::make_unique<LimitState>(plan, estate);
}

}  // namespace minipg::sql
