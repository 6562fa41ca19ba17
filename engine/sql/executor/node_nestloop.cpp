/*-------------------------------------------------------------------------
 * node_nestloop.cpp
 *   Nested Loop: for each outer (left) row, the inner (right) side is
 *   rescanned and every pair the join filter accepts is a row.
 *
 *     inner  only the matching pairs
 *     left   also each outer row no inner row matched, with NULLs for the
 *            inner columns
 *     full   also, at the end, each inner row no outer row matched (the
 *            inner side is scanned once more; its rows come in the same
 *            order every time, so they are told apart by position)
 *     semi   each outer row some inner row matches, once (the inner scan
 *            stops at the first match): EXISTS, IN (SELECT ...)
 *     anti   each outer row no inner row matches: NOT EXISTS
 *
 *   The node's filter (WHERE conditions above an outer join) applies to
 *   every row made, NULL-extended ones too.
 *-------------------------------------------------------------------------
 */
#include "engine/sql/executor/exec_nodes.h"

namespace minipg::sql {

namespace {

using storage::Tuple;

class NestLoopState : public JoinState {
 public:
  using JoinState::JoinState;

  Status ReScan() override {
    outer_.reset();
    unmatched_pass_ = false;
    inner_matched_.clear();
    return PlanState::ReScan();
  }

 protected:
  RowResult ExecNext() override {
    for (;;) {
      if (unmatched_pass_) return NextUnmatchedInner();
      if (!outer_) {
        auto row = left->Next();
        if (!row.ok()) return row.error();
        if (!row->has_value()) {
          if (plan_.jointype != JoinType::kFull) return std::optional<Tuple>();
          unmatched_pass_ = true;
          inner_pos_ = 0;
          if (Status s = right->ReScan(); !s.ok()) return s.error();
          continue;
        }
        outer_ = std::move(**row);
        matched_ = false;
        inner_pos_ = 0;
        if (Status s = SetNestParams(); !s.ok()) return s.error();
        if (Status s = right->ReScan(); !s.ok()) return s.error();
      }
      auto inner = right->Next();
      if (!inner.ok()) return inner.error();
      if (!inner->has_value()) {
        if (auto out = EndOuterRow(outer_, !matched_ && KeepsOuter())) return std::move(*out);
        continue;
      }
      size_t pos = inner_pos_++;
      ExprContext c = Context();
      c.outer = &*outer_;
      c.inner = &**inner;
      auto match = EvaluateQual(plan_.joinqual.get(), c);
      if (!match.ok()) return match.error();
      if (!*match) {
        ++instr_.join_filtered;
        continue;
      }
      matched_ = true;
      if (FirstMatchOnly()) {  // SEMI returns the outer row now, ANTI drops it
        Tuple outer = std::move(*outer_);
        outer_.reset();
        if (plan_.jointype == JoinType::kAnti) continue;
        auto out = JoinResult(outer, **inner);
        if (!out.ok() || out->has_value()) return out;
        continue;
      }
      if (plan_.jointype == JoinType::kFull) {
        if (inner_matched_.size() <= pos) inner_matched_.resize(pos + 1);
        inner_matched_[pos] = true;
      }
      auto out = JoinResult(*outer_, **inner);
      if (!out.ok() || out->has_value()) return out;
    }
  }

 private:
  /* The outer row's values the inner side reads as $n (its Index Cond). */
  Status SetNestParams() {
    for (size_t i = 0; i < plan_.nest_params.size(); ++i) {
      ExprContext c = Context();
      c.outer = &*outer_;
      auto v = Evaluate(*plan_.nest_param_exprs[i], c);
      if (!v.ok()) return v.error();
      auto slot = static_cast<size_t>(plan_.nest_params[i]);
      if (estate_.params.size() <= slot) estate_.params.resize(slot + 1);
      estate_.params[slot] = std::move(*v);
    }
    return OkStatus();
  }

  RowResult NextUnmatchedInner() {
    for (;;) {
      auto inner = right->Next();
      if (!inner.ok() || !inner->has_value()) return inner;
      size_t pos = inner_pos_++;
      if (pos < inner_matched_.size() && inner_matched_[pos]) continue;
      auto out = JoinResult(outer_nulls_, **inner);
      if (!out.ok() || out->has_value()) return out;
    }
  }

  std::optional<Tuple> outer_;
  bool matched_ = false;
  size_t inner_pos_ = 0;
  std::vector<bool> inner_matched_;  // FULL: which inner rows (by position) some outer row matched
  bool unmatched_pass_ = false;
};

}  // namespace

std::unique_ptr<PlanState> MakeNestLoopState(const Plan& plan, EState& estate) {
  return std::make_unique<NestLoopState>(plan, estate);
}

}  // namespace minipg::sql
