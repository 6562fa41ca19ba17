/*-------------------------------------------------------------------------
 * node_mergejoin.cpp
 *   Merge Join (PostgreSQL's nodeMergejoin.c): both inputs come sorted on
 *   the Merge Cond's keys (ascending, NULLs last: a Sort under each side),
 *   so one pass over each finds the matches. The inner rows with the
 *   current key are kept as a group, for every outer row with that key.
 *
 *     inner  the matching pairs (the Join Filter decides among them)
 *     left   also each outer row nothing matched, NULLs for the inner side
 *     right  the pairs and each inner row nothing matched, NULLs for the outer side
 *     full   both
 *     semi   each outer row with a match, once; anti: each one without
 *
 *   A NULL key matches nothing. Rows made for one outer row wait in a
 *   queue and are returned one per Next().
 *-------------------------------------------------------------------------
 */
#include <deque>

#include "engine/sql/executor/exec_nodes.h"
#include "engine/sql/types.h"

namespace minipg::sql {

namespace {

using storage::Datum;
using storage::Tuple;

class MergeJoinState : public JoinState {
 public:
  using JoinState::JoinState;

  Status ReScan() override {
    pending_.clear();
    group_.clear();
    group_matched_.clear();
    lookahead_.reset();
    inner_done_ = outer_done_ = drained_ = false;
    return PlanState::ReScan();
  }

 protected:
  RowResult ExecNext() override {
    for (;;) {
      if (!pending_.empty()) {
        Tuple row = std::move(pending_.front());
        pending_.pop_front();
        return std::optional<Tuple>(std::move(row));
      }
      if (outer_done_) {
        if (drained_) return std::optional<Tuple>();
        drained_ = true;
        if (KeepsInner()) {
          if (Status s = FlushGroup(); !s.ok()) return s.error();
          if (Status s = DrainInner(); !s.ok()) return s.error();
        }
        continue;
      }
      auto row = left->Next();
      if (!row.ok()) return row.error();
      if (!row->has_value()) {
        outer_done_ = true;
        continue;
      }
      if (Status s = JoinOuter(**row); !s.ok()) return s.error();
    }
  }

 private:
  /* The keys of a row (outer: args[0] of each clause, inner: args[1]);
   * nullopt if one is NULL. */
  Result<std::optional<std::vector<Datum>>> Keys(const Tuple& row, bool outer) {
    ExprContext c = Context();
    (outer ? c.outer : c.inner) = &row;
    std::vector<Datum> keys;
    for (const ExprPtr& clause : plan_.equi_clauses) {
      auto k = Evaluate(*clause->args[outer ? 0 : 1], c);
      if (!k.ok()) return k.error();
      if (storage::IsNull(*k)) return std::optional<std::vector<Datum>>();
      keys.push_back(std::move(*k));
    }
    return std::optional<std::vector<Datum>>(std::move(keys));
  }

  /* Inner keys against outer keys: <0, 0, >0. */
  int Compare(const std::vector<Datum>& inner, const std::vector<Datum>& outer) const {
    for (size_t i = 0; i < inner.size(); ++i) {
      const Expr& clause = *plan_.equi_clauses[i];
      int c = CompareValues(inner[i], clause.args[1]->type, outer[i], clause.args[0]->type);
      if (c != 0) return c;
    }
    return 0;
  }

  Status Push(const Tuple& outer, const Tuple& inner) {
    auto row = JoinResult(outer, inner);
    if (!row.ok()) return row.error();
    if (row->has_value()) pending_.push_back(std::move(**row));
    return OkStatus();
  }

  /* FULL: the group's rows no outer row matched; then the group is gone. */
  Status FlushGroup() {
    for (size_t i = 0; i < group_.size() && KeepsInner(); ++i) {
      if (!group_matched_[i]) {
        if (Status s = Push(outer_nulls_, group_[i]); !s.ok()) return s;
      }
    }
    group_.clear();
    group_matched_.clear();
    return OkStatus();
  }

  /* The next inner row (the lookahead first), or nullopt at the end. */
  Result<std::optional<Tuple>> NextInner() {
    if (lookahead_) {
      std::optional<Tuple> row = std::move(lookahead_);
      lookahead_.reset();
      return row;
    }
    if (inner_done_) return std::optional<Tuple>();
    auto row = right->Next();
    if (!row.ok()) return row.error();
    if (!row->has_value()) inner_done_ = true;
    return std::move(*row);
  }

  Status DrainInner() {
    for (;;) {
      auto row = NextInner();
      if (!row.ok()) return row.error();
      if (!row->has_value()) return OkStatus();
      if (Status s = Push(outer_nulls_, **row); !s.ok()) return s;
    }
  }

  /* Moves the inner side to the group of rows whose keys equal `key`
   * (empty if there are none; the first greater row waits as lookahead). */
  Status Advance(const std::vector<Datum>& key) {
    if (Status s = FlushGroup(); !s.ok()) return s;
    for (;;) {
      auto row = NextInner();
      if (!row.ok()) return row.error();
      if (!row->has_value()) return OkStatus();
      auto k = Keys(**row, false);
      if (!k.ok()) return k.error();
      int cmp = k->has_value() ? Compare(**k, key) : 1;  // NULLs sort last
      if (cmp < 0) {
        if (KeepsInner()) {
          if (Status s = Push(outer_nulls_, **row); !s.ok()) return s;
        }
        continue;
      }
      if (cmp > 0) {
        lookahead_ = std::move(*row);
        return OkStatus();
      }
      group_key_ = std::move(**k);
      group_.push_back(std::move(**row));
      // The rest of the group: every following row with the same keys.
      for (;;) {
        auto more = NextInner();
        if (!more.ok()) return more.error();
        if (!more->has_value()) break;
        auto mk = Keys(**more, false);
        if (!mk.ok()) return mk.error();
        if (!mk->has_value() || Compare(**mk, group_key_) != 0) {
          lookahead_ = std::move(*more);
          break;
        }
        group_.push_back(std::move(**more));
      }
      group_matched_.assign(group_.size(), false);
      return OkStatus();
    }
  }

  Status JoinOuter(const Tuple& outer) {
    auto key = Keys(outer, true);
    if (!key.ok()) return key.error();
    bool matched = false;
    if (key->has_value()) {
      if (group_.empty() || Compare(group_key_, **key) < 0) {
        if (Status s = Advance(**key); !s.ok()) return s;
      }
      if (!group_.empty() && Compare(group_key_, **key) == 0) {
        for (size_t i = 0; i < group_.size(); ++i) {
          ExprContext c = Context();
          c.outer = &outer;
          c.inner = &group_[i];
          auto ok = EvaluateQual(plan_.joinqual.get(), c);
          if (!ok.ok()) return ok.error();
          if (!*ok) {
            ++instr_.join_filtered;
            continue;
          }
          matched = true;
          group_matched_[i] = true;
          if (plan_.jointype == JoinType::kAnti) break;
          if (Status s = Push(outer, group_[i]); !s.ok()) return s;
          if (FirstMatchOnly()) break;  // SEMI: the outer row once
        }
      }
    }
    if (!matched && KeepsOuter()) return Push(outer, inner_nulls_);
    return OkStatus();
  }

  std::deque<Tuple> pending_;
  std::vector<Tuple> group_;
  std::vector<bool> group_matched_;
  std::vector<Datum> group_key_;
  std::optional<Tuple> lookahead_;
  bool inner_done_ = false;
  bool outer_done_ = false;
  bool drained_ = false;
};

}  // namespace

std::unique_ptr<PlanState> MakeMergeJoinState(const Plan& plan, EState& estate) {
  return std::make_unique<MergeJoinState>(plan, estate);
}

}  // namespace minipg::sql
