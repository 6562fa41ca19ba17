/*-------------------------------------------------------------------------
 * node_window.cpp
 *   WindowAgg (PostgreSQL's nodeWindowAgg.c): its input comes sorted by
 *   the window's PARTITION BY then ORDER BY keys. It reads one partition
 *   at a time (the rows up to the next change of the partition keys),
 *   computes every call of its window for each of the partition's rows,
 *   and returns each row followed by those results, through the target
 *   list. Rows whose ORDER BY keys are equal are peers.
 *
 *   Each row's frame (a range of the partition's rows, less what EXCLUDE
 *   removes) is found from the frame's bounds:
 *     ROWS     n rows before / after the current one
 *     RANGE    the rows whose (single) ORDER BY key is within n of the
 *              current row's; CURRENT ROW: its first / last peer
 *     GROUPS   n peer groups before / after the current row's
 *   The offsets are evaluated once, with the first partition (22013 if
 *   negative, 22004 if NULL). Aggregates are fed the frame's rows
 *   (FILTER: only where it holds); a frame that starts at the partition's
 *   first row and excludes nothing grows as the rows go, so its state is
 *   kept and only the new rows fed.
 *
 * NOTES
 *   A partition is held in memory whole (PostgreSQL's tuplestore spills
 *   to disk past work_mem; minipg has no temporary files yet).
 *-------------------------------------------------------------------------
 */
#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <cstdint>

#include "engine/common/interrupts.h"
#include "engine/common/sqlstate.h"
#include "engine/sql/adt/aggregates.h"
#include "engine/sql/adt/builtins.h"
#include "engine/sql/adt/numeric.h"
#include "engine/sql/executor/exec_nodes.h"
#include "engine/sql/executor/tuple_compare.h"
#include "engine/sql/types.h"

namespace minipg::sql {

namespace {

using storage::Datum;
using storage::Tuple;

/* The window functions, by pg_proc OID (adt/window_functions.cpp). */
enum class WindowFn { kRowNumber, kRank, kDenseRank, kPercentRank, kCumeDist, kNtile, kLag, kLead,
                      kFirstValue, kLastValue, kNthValue, kAggregate };

WindowFn FunctionOf(const Expr& call) {
  if (call.agg != nullptr) return WindowFn::kAggregate;
  switch (call.func->oid) {
    case 3100: return WindowFn::kRowNumber;
    case 3101: return WindowFn::kRank;
    case 3102: return WindowFn::kDenseRank;
    case 3103: return WindowFn::kPercentRank;
    case 3104: return WindowFn::kCumeDist;
    case 3105: return WindowFn::kNtile;
    case 3106: case 3107: case 3108: return WindowFn::kLag;
    case 3109: case 3110: case 3111: return WindowFn::kLead;
    case 3112: return WindowFn::kFirstValue;
    case 3113: return WindowFn::kLastValue;
    default: return WindowFn::kNthValue;
  }
}

/* `v` moved by `offset` (added, or subtracted if `minus`), in the key's type;
 * an integer past its range stays at the end of it (PostgreSQL's in_range). */
Datum MoveBy(const Datum& v, const Datum& offset, bool minus, TypeId type) {
  if (type == TypeId::kFloat4 || type == TypeId::kFloat8) {
    double o = std::get<double>(offset);
    return Datum(minus ? std::get<double>(v) - o : std::get<double>(v) + o);
  }
  if (type == TypeId::kNumeric) {
    const auto& a = std::get<storage::Numeric>(v);
    const auto& b = std::get<storage::Numeric>(offset);
    return Datum(minus ? adt::NumericSub(a, b) : adt::NumericAdd(a, b));
  }
  int64_t a = std::get<int64_t>(v);
  int64_t b = std::get<int64_t>(offset);
  int64_t out = 0;
  if (minus ? __builtin_sub_overflow(a, b, &out) : __builtin_add_overflow(a, b, &out)) {
    out = (minus ? -b : b) < 0 ? INT64_MIN : INT64_MAX;
  }
  return Datum(out);
}

class WindowAggState : public PlanState {
 public:
  using PlanState::PlanState;

  Status ReScan() override {
    rows_.clear();
    results_.clear();
    pending_.reset();
    pos_ = 0;
    done_ = false;
    return PlanState::ReScan();
  }

 protected:
  RowResult ExecNext() override {
    for (;;) {
      while (pos_ < rows_.size()) {
        Tuple row = std::move(rows_[pos_]);
        for (Datum& d : results_[pos_]) row.push_back(std::move(d));
        ++pos_;
        auto out = ScanResult(std::move(row));
        if (!out.ok() || out->has_value()) return out;
      }
      if (done_) return std::optional<Tuple>();
      if (Status s = NextPartition(); !s.ok()) return s.error();
    }
  }

 private:
  const Expr& First() const { return *plan_.aggs.front(); }
  const WindowSpec& Spec() const { return *First().window; }

  Result<Datum> Eval(const Expr& e, size_t row) const {
    ExprContext c = Context();
    c.outer = &rows_[row];
    return Evaluate(e, c);
  }

  /* The partition's (or order) key values of a row. */
  Result<Tuple> Keys(const Tuple& row, size_t from, size_t to) const {
    ExprContext c = Context();
    c.outer = &row;
    Tuple keys;
    for (size_t i = from; i < to; ++i) {
      auto v = Evaluate(*First().args[i], c);
      if (!v.ok()) return v.error();
      keys.push_back(std::move(*v));
    }
    return keys;
  }

  bool SameKeys(const Tuple& a, const Tuple& b, size_t first_arg) const {
    for (size_t i = 0; i < a.size(); ++i) {
      if (CompareDatum(a[i], b[i], First().args[first_arg + i]->type) != 0) return false;
    }
    return true;
  }

  /* Reads the next partition's rows and computes their results. */
  Status NextPartition() {
    rows_.clear();
    results_.clear();
    pos_ = 0;
    const WindowSpec& spec = Spec();
    Tuple partition_keys;
    if (pending_) {
      rows_.push_back(std::move(*pending_));
      pending_.reset();
      auto k = Keys(rows_.back(), spec.first_partition(), spec.first_order());
      if (!k.ok()) return k.error();
      partition_keys = std::move(*k);
    }
    for (;;) {
      if (Status s = CheckForInterrupts(); !s.ok()) return s;
      auto row = left->Next();
      if (!row.ok()) return row.error();
      if (!row->has_value()) {
        done_ = true;
        break;
      }
      auto k = Keys(**row, spec.first_partition(), spec.first_order());
      if (!k.ok()) return k.error();
      if (rows_.empty()) {
        partition_keys = std::move(*k);
      } else if (!SameKeys(*k, partition_keys, spec.first_partition())) {
        pending_ = std::move(**row);
        break;
      }
      rows_.push_back(std::move(**row));
    }
    if (rows_.empty()) return OkStatus();
    return Compute();
  }

  /* Peer groups, frame offsets, then each call's value for each row. */
  Status Compute() {
    const WindowSpec& spec = Spec();
    size_t n = rows_.size();
    order_keys_.clear();
    group_of_.assign(n, 0);
    group_start_.clear();
    group_end_.clear();
    for (size_t i = 0; i < n; ++i) {
      auto k = Keys(rows_[i], spec.first_order(), spec.filter_arg());
      if (!k.ok()) return k.error();
      order_keys_.push_back(std::move(*k));
      bool peer = i > 0 && SameKeys(order_keys_[i], order_keys_[i - 1], spec.first_order());
      if (!peer) {
        if (i > 0) group_end_.push_back(i);
        group_start_.push_back(i);
      }
      group_of_[i] = group_start_.size() - 1;
    }
    group_end_.push_back(n);
    if (Status s = EvaluateOffsets(); !s.ok()) return s;
    results_.assign(n, Tuple());
    for (const ExprPtr& call : plan_.aggs) {
      if (Status s = ComputeCall(*call); !s.ok()) return s;
    }
    return OkStatus();
  }

  Status EvaluateOffsets() {
    if (offsets_done_) return OkStatus();
    offsets_done_ = true;
    const WindowSpec& spec = Spec();
    for (auto [has, arg, out, which] : {std::tuple{spec.has_start_offset(), spec.start_offset_arg(), &start_offset_, "starting"},
                                        std::tuple{spec.has_end_offset(), spec.end_offset_arg(), &end_offset_, "ending"}}) {
      if (!has) continue;
      auto v = Eval(*First().args[arg], 0);
      if (!v.ok()) return v.error();
      if (storage::IsNull(*v)) {
        return MakeError(sqlstate::kNullValueNotAllowed, fmt::format("frame {} offset must not be null", which));
      }
      TypeId type = First().args[arg]->type;
      bool negative = type == TypeId::kNumeric ? adt::NumericCompare(std::get<storage::Numeric>(*v), adt::NumericFromInt(0)) < 0
                      : std::holds_alternative<double>(*v) ? std::get<double>(*v) < 0
                                                            : std::get<int64_t>(*v) < 0;
      if (negative) {
        return MakeError(sqlstate::kInvalidPrecedingOrFollowingSize,
                         fmt::format("frame {} offset must not be negative", which));
      }
      *out = std::move(*v);
    }
    return OkStatus();
  }

  /* RANGE with an offset: the first row (`start`) or one past the last
   * row (end) whose key is within the offset of row i's. */
  size_t RangeBound(size_t i, FrameBound bound, const Datum& offset, bool start) const {
    const WindowSpec& spec = Spec();
    size_t n = rows_.size();
    const Datum& v = order_keys_[i][0];
    if (storage::IsNull(v)) return start ? group_start_[group_of_[i]] : group_end_[group_of_[i]];
    bool desc = spec.order[0].descending;
    TypeId type = First().args[spec.first_order()]->type;
    bool preceding = bound == FrameBound::kOffsetPreceding;
    // Ascending: PRECEDING is v - offset; descending: v + offset.
    Datum limit = MoveBy(v, offset, preceding != desc, type);
    auto before_limit = [&](size_t j) {  // row j's key comes before the limit in the sort order
      const Datum& k = order_keys_[j][0];
      if (storage::IsNull(k)) return spec.order[0].nulls_first;
      int c = CompareValues(k, type, limit, type);
      return desc ? c > 0 : c < 0;
    };
    auto after_limit = [&](size_t j) {
      const Datum& k = order_keys_[j][0];
      if (storage::IsNull(k)) return !spec.order[0].nulls_first;
      int c = CompareValues(k, type, limit, type);
      return desc ? c < 0 : c > 0;
    };
    if (start) {
      size_t j = 0;
      while (j < n && before_limit(j)) ++j;
      return j;
    }
    size_t j = n;
    while (j > 0 && after_limit(j - 1)) --j;
    return j;
  }

  /* Row i's frame: [*from, *to) of the partition. */
  void Frame(size_t i, size_t* from, size_t* to) const {
    const WindowSpec& spec = Spec();
    auto n = static_cast<int64_t>(rows_.size());
    auto groups = static_cast<int64_t>(group_start_.size());
    auto g = static_cast<int64_t>(group_of_[i]);
    auto clamp = [n](int64_t x) { return static_cast<size_t>(std::clamp<int64_t>(x, 0, n)); };
    auto offset_rows = [](const Datum& d) { return std::min<int64_t>(std::get<int64_t>(d), INT32_MAX); };
    auto at = [&](FrameBound bound, bool start) -> size_t {
      const Datum& offset = start ? start_offset_ : end_offset_;
      switch (bound) {
        case FrameBound::kUnboundedPreceding: return 0;
        case FrameBound::kUnboundedFollowing: return static_cast<size_t>(n);
        case FrameBound::kCurrentRow:
          if (spec.mode == FrameMode::kRows) return start ? i : i + 1;
          return start ? group_start_[group_of_[i]] : group_end_[group_of_[i]];
        case FrameBound::kOffsetPreceding:
        case FrameBound::kOffsetFollowing: {
          if (spec.mode == FrameMode::kRange) return RangeBound(i, bound, offset, start);
          int64_t k = offset_rows(offset);
          if (bound == FrameBound::kOffsetPreceding) k = -k;
          if (spec.mode == FrameMode::kRows) return clamp(static_cast<int64_t>(i) + k + (start ? 0 : 1));
          int64_t target = g + k;  // GROUPS
          if (start) return target >= groups ? static_cast<size_t>(n) : group_start_[static_cast<size_t>(std::max<int64_t>(target, 0))];
          return target < 0 ? 0 : group_end_[static_cast<size_t>(std::min(target, groups - 1))];
        }
      }
      return 0;
    };
    *from = at(spec.start, true);
    *to = std::max(*from, at(spec.end, false));
  }

  /* Whether EXCLUDE takes row j out of row i's frame. */
  bool Excluded(size_t i, size_t j) const {
    switch (Spec().exclude) {
      case FrameExclude::kNoOthers: return false;
      case FrameExclude::kCurrentRow: return i == j;
      case FrameExclude::kGroup: return group_of_[i] == group_of_[j];
      case FrameExclude::kTies: return i != j && group_of_[i] == group_of_[j];
    }
    return false;
  }

  /* The frame's rows of row i, in order. */
  std::vector<size_t> FrameRows(size_t i) const {
    size_t from = 0;
    size_t to = 0;
    Frame(i, &from, &to);
    std::vector<size_t> out;
    for (size_t j = from; j < to; ++j) {
      if (!Excluded(i, j)) out.push_back(j);
    }
    return out;
  }

  /* Feeds row j to an aggregate call's state (unless its FILTER says no). */
  Status Feed(const Expr& call, AggTransition& state, size_t j) const {
    const WindowSpec& spec = *call.window;
    if (spec.filter) {
      auto pass = Eval(*call.args[spec.filter_arg()], j);
      if (!pass.ok()) return pass.error();
      if (storage::IsNull(*pass) || !std::get<bool>(*pass)) return OkStatus();
    }
    Datum arg;
    Datum arg2;
    if (spec.nargs > 0) {
      auto v = Eval(*call.args[0], j);
      if (!v.ok()) return v.error();
      arg = std::move(*v);
    }
    if (spec.nargs > 1) {
      auto v = Eval(*call.args[1], j);
      if (!v.ok()) return v.error();
      arg2 = std::move(*v);
    }
    return AggAdvance(*call.agg, state, arg, arg2);
  }

  Status ComputeAggregate(const Expr& call) {
    const WindowSpec& spec = Spec();
    size_t n = rows_.size();
    bool growing = spec.start == FrameBound::kUnboundedPreceding && spec.exclude == FrameExclude::kNoOthers;
    AggTransition running;
    size_t fed = 0;
    size_t last_from = SIZE_MAX;
    size_t last_to = SIZE_MAX;
    Datum last;
    for (size_t i = 0; i < n; ++i) {
      if (Status s = CheckForInterrupts(); !s.ok()) return s;
      size_t from = 0;
      size_t to = 0;
      Frame(i, &from, &to);
      if (from == last_from && to == last_to && spec.exclude == FrameExclude::kNoOthers) {
        results_[i].push_back(last);
        continue;
      }
      AggTransition fresh;
      AggTransition* state = &fresh;
      if (growing) {
        for (; fed < to; ++fed) {
          if (Status s = Feed(call, running, fed); !s.ok()) return s;
        }
        state = &running;
      } else {
        for (size_t j = from; j < to; ++j) {
          if (Excluded(i, j)) continue;
          if (Status s = Feed(call, fresh, j); !s.ok()) return s;
        }
      }
      auto v = AggFinal(*call.agg, *state, call.type);
      if (!v.ok()) return v.error();
      last = *v;
      last_from = from;
      last_to = to;
      results_[i].push_back(std::move(*v));
    }
    return OkStatus();
  }

  Status ComputeCall(const Expr& call) {
    WindowFn fn = FunctionOf(call);
    if (fn == WindowFn::kAggregate) return ComputeAggregate(call);
    size_t n = rows_.size();
    int64_t buckets = 0;
    if (fn == WindowFn::kNtile) {  // its argument is read at the partition's first row
      auto v = Eval(*call.args[0], 0);
      if (!v.ok()) return v.error();
      if (!storage::IsNull(*v)) {
        buckets = std::get<int64_t>(*v);
        if (buckets <= 0) {
          return MakeError(sqlstate::kInvalidArgumentForNtile, "argument of ntile must be greater than zero");
        }
      }
    }
    for (size_t i = 0; i < n; ++i) {
      if (Status s = CheckForInterrupts(); !s.ok()) return s;
      size_t g = group_of_[i];
      auto rank = static_cast<int64_t>(group_start_[g] + 1);
      Datum out;
      switch (fn) {
        case WindowFn::kRowNumber: out = static_cast<int64_t>(i + 1); break;
        case WindowFn::kRank: out = rank; break;
        case WindowFn::kDenseRank: out = static_cast<int64_t>(g + 1); break;
        case WindowFn::kPercentRank:
          out = n > 1 ? static_cast<double>(rank - 1) / static_cast<double>(n - 1) : 0.0;
          break;
        case WindowFn::kCumeDist: out = static_cast<double>(group_end_[g]) / static_cast<double>(n); break;
        case WindowFn::kNtile: {
          if (buckets == 0) break;  // NULL argument: NULL
          auto total = static_cast<int64_t>(n);
          int64_t per = total / buckets;
          int64_t extra = total % buckets;  // the first `extra` buckets have one more row
          auto row = static_cast<int64_t>(i);
          int64_t big = per + 1;
          out = row < extra * big ? row / big + 1 : extra + (row - extra * big) / std::max<int64_t>(per, 1) + 1;
          break;
        }
        case WindowFn::kLag:
        case WindowFn::kLead: {
          int64_t offset = 1;
          if (call.window->nargs > 1) {
            auto o = Eval(*call.args[1], i);
            if (!o.ok()) return o.error();
            if (storage::IsNull(*o)) break;
            offset = std::get<int64_t>(*o);
          }
          int64_t target = static_cast<int64_t>(i) + (fn == WindowFn::kLag ? -offset : offset);
          Result<Datum> v = Datum();
          if (target >= 0 && target < static_cast<int64_t>(n)) {
            v = Eval(*call.args[0], static_cast<size_t>(target));
          } else if (call.window->nargs > 2) {
            v = Eval(*call.args[2], i);
          }
          if (!v.ok()) return v.error();
          out = std::move(*v);
          break;
        }
        case WindowFn::kFirstValue:
        case WindowFn::kLastValue:
        case WindowFn::kNthValue: {
          size_t nth = 1;
          if (fn == WindowFn::kNthValue) {
            auto o = Eval(*call.args[1], i);
            if (!o.ok()) return o.error();
            if (storage::IsNull(*o)) break;
            if (std::get<int64_t>(*o) <= 0) {
              return MakeError(sqlstate::kInvalidArgumentForNthValue, "argument of nth_value must be greater than zero");
            }
            nth = static_cast<size_t>(std::get<int64_t>(*o));
          }
          std::vector<size_t> frame = FrameRows(i);
          if (frame.empty() || nth > frame.size()) break;
          size_t j = fn == WindowFn::kLastValue ? frame.back() : frame[nth - 1];
          auto v = Eval(*call.args[0], j);
          if (!v.ok()) return v.error();
          out = std::move(*v);
          break;
        }
        case WindowFn::kAggregate:
          break;
      }
      results_[i].push_back(std::move(out));
    }
    return OkStatus();
  }

  std::vector<Tuple> rows_;     // the current partition's input rows
  std::vector<Tuple> results_;  // each row's calls' results
  std::optional<Tuple> pending_;  // the next partition's first row, already read
  size_t pos_ = 0;
  bool done_ = false;
  // The current partition's ORDER BY keys and peer groups.
  std::vector<Tuple> order_keys_;
  std::vector<size_t> group_of_;
  std::vector<size_t> group_start_;
  std::vector<size_t> group_end_;  // one past each group's last row
  bool offsets_done_ = false;
  Datum start_offset_;
  Datum end_offset_;
};

}  // namespace

std::unique_ptr<PlanState> MakeWindowAggState(const Plan& plan, EState& estate) {
  return std::make_unique<WindowAggState>(plan, estate);
}

}  // namespace minipg::sql
