/*-------------------------------------------------------------------------
 * node_hashjoin.cpp
 *   Hash Join (PostgreSQL's nodeHashjoin.c / nodeHash.c): on the first
 *   Next(), every row of the inner side (the Hash child) goes into a hash
 *   table by its Hash Cond keys; then each outer row looks up the rows
 *   with its keys' hash, and a pair matches if every Hash Cond and the Join
 *   Filter is true.
 *
 *     inner  the matching pairs
 *     left   also each outer row nothing matched, NULLs for the inner columns
 *     right  the pairs, and at the end each inner row nothing matched
 *     full   both
 *     semi   each outer row with a match, once (the probe stops at the first)
 *     anti   each outer row without one
 *
 *   A NULL key matches nothing (= is strict). Hash is only the inner
 *   side's place in the tree: it passes its child's rows on.
 *
 * NOTES
 *   The table is bounded by work_mem: past it the join fails with 53200
 *   rather than grow without end (PostgreSQL splits it into batches kept
 *   in temporary files; docs/architecture.md, "Simplifications"). A
 *   rescan (the join inside a nested loop) keeps the table: the inner
 *   side reads no outer values.
 *-------------------------------------------------------------------------
 */
#include <fmt/format.h>

#include <cmath>
#include <functional>
#include <unordered_map>

#include "engine/sql/executor/exec_nodes.h"

namespace minipg::sql {

namespace {

using storage::Datum;
using storage::Tuple;

/* A key's hash, equal for values the planner's hashable = calls equal
 * (integers of any width, strings, floats with -0 = 0). */
size_t HashDatum(const Datum& d) {
  if (const int64_t* i = std::get_if<int64_t>(&d)) return std::hash<int64_t>{}(*i);
  if (const std::string* s = std::get_if<std::string>(&d)) return std::hash<std::string>{}(*s);
  if (const bool* b = std::get_if<bool>(&d)) return *b ? 1 : 2;
  if (const double* f = std::get_if<double>(&d)) {
    if (*f == 0) return 0;
    if (std::isnan(*f)) return 3;
    return std::hash<double>{}(*f);
  }
  return 0;  // the planner hashes no other kind of value
}

class HashState : public PlanState {
 public:
  using PlanState::PlanState;

 protected:
  RowResult ExecNext() override { return left->Next(); }
};

class HashJoinState : public JoinState {
 public:
  using JoinState::JoinState;

  Status ReScan() override {
    outer_.reset();
    unmatched_pass_ = false;
    std::fill(inner_matched_.begin(), inner_matched_.end(), false);
    if (!built_) return PlanState::ReScan();
    NewLoop();
    return left->ReScan();  // the hash table stays
  }

 protected:
  RowResult ExecNext() override {
    if (!built_) {
      if (Status s = Build(); !s.ok()) return s.error();
      built_ = true;
    }
    for (;;) {
      if (unmatched_pass_) return NextUnmatchedInner();
      if (!outer_) {
        auto row = left->Next();
        if (!row.ok()) return row.error();
        if (!row->has_value()) {
          if (!KeepsInner()) return std::optional<Tuple>();
          unmatched_pass_ = true;
          unmatched_pos_ = 0;
          continue;
        }
        outer_ = std::move(**row);
        matched_ = false;
        auto hash = KeyHash(*outer_, true);
        if (!hash.ok()) return hash.error();
        candidates_.clear();
        if (hash->has_value()) {
          auto [first, last] = table_.equal_range(**hash);
          for (auto it = first; it != last; ++it) candidates_.push_back(it->second);
        }
        next_candidate_ = 0;
      }
      if (next_candidate_ >= candidates_.size()) {
        if (auto out = EndOuterRow(outer_, !matched_ && KeepsOuter())) return std::move(*out);
        continue;
      }
      size_t index = candidates_[next_candidate_++];
      const Tuple& inner = inner_rows_[index];
      ExprContext c = Context();
      c.outer = &*outer_;
      c.inner = &inner;
      bool match = true;
      for (const ExprPtr& clause : plan_.equi_clauses) {
        auto equal = EvaluateQual(clause.get(), c);
        if (!equal.ok()) return equal.error();
        match = match && *equal;
      }
      if (!match) continue;
      auto filter = EvaluateQual(plan_.joinqual.get(), c);
      if (!filter.ok()) return filter.error();
      if (!*filter) {
        ++instr_.join_filtered;
        continue;
      }
      matched_ = true;
      if (FirstMatchOnly()) {  // SEMI returns the outer row now, ANTI drops it
        Tuple outer = std::move(*outer_);
        outer_.reset();
        if (plan_.jointype == JoinType::kAnti) continue;
        auto out = JoinResult(outer, inner);
        if (!out.ok() || out->has_value()) return out;
        continue;
      }
      if (KeepsInner()) inner_matched_[index] = true;
      auto out = JoinResult(*outer_, inner);
      if (!out.ok() || out->has_value()) return out;
    }
  }

 private:
  /* The hash of a row's keys (outer: args[0] of each clause, inner:
   * args[1]); nullopt if a key is NULL. */
  Result<std::optional<size_t>> KeyHash(const Tuple& row, bool outer) {
    ExprContext c = Context();
    (outer ? c.outer : c.inner) = &row;
    size_t hash = 0;
    for (const ExprPtr& clause : plan_.equi_clauses) {
      auto key = Evaluate(*clause->args[outer ? 0 : 1], c);
      if (!key.ok()) return key.error();
      if (storage::IsNull(*key)) return std::optional<size_t>();
      hash = hash * 31 + HashDatum(*key);
    }
    return std::optional<size_t>(hash);
  }

  Status Build() {
    size_t limit = WorkMemBytes(estate_);
    size_t bytes = 0;
    for (;;) {
      auto row = right->Next();
      if (!row.ok()) return row.error();
      if (!row->has_value()) break;
      bytes += TupleBytes(**row);
      if (bytes > limit) return WorkMemExceeded("hash join's table", limit);
      auto hash = KeyHash(**row, false);
      if (!hash.ok()) return hash.error();
      if (hash->has_value()) table_.emplace(**hash, inner_rows_.size());
      inner_rows_.push_back(std::move(**row));
    }
    inner_matched_.assign(inner_rows_.size(), false);
    size_t buckets = 1024;
    while (buckets < inner_rows_.size()) buckets *= 2;
    // Shown under the Hash node, as PostgreSQL does: the bucket array and the rows.
    right->AddNote(fmt::format("Buckets: {}  Batches: 1  Memory Usage: {}kB", buckets, (buckets * 8 + bytes + 1023) / 1024));
    return OkStatus();
  }

  RowResult NextUnmatchedInner() {
    while (unmatched_pos_ < inner_rows_.size()) {
      size_t pos = unmatched_pos_++;
      if (inner_matched_[pos]) continue;
      auto out = JoinResult(outer_nulls_, inner_rows_[pos]);
      if (!out.ok() || out->has_value()) return out;
    }
    return std::optional<Tuple>();
  }

  bool built_ = false;
  std::vector<Tuple> inner_rows_;
  std::unordered_multimap<size_t, size_t> table_;  // key hash -> index into inner_rows_
  std::vector<bool> inner_matched_;                // FULL: which inner rows matched
  std::optional<Tuple> outer_;
  std::vector<size_t> candidates_;  // inner rows with the outer row's hash
  size_t next_candidate_ = 0;
  bool matched_ = false;
  bool unmatched_pass_ = false;
  size_t unmatched_pos_ = 0;
};

/* Materialize: its input's rows, read once and kept for every rescan. */
class MaterialState : public PlanState {
 public:
  using PlanState::PlanState;
  Status ReScan() override {
    pos_ = 0;
    if (!done_) {  // read again from the start
      rows_.clear();
      bytes_ = 0;
      return PlanState::ReScan();
    }
    NewLoop();
    return OkStatus();
  }

 protected:
  RowResult ExecNext() override {
    if (pos_ < rows_.size()) return std::optional<Tuple>(rows_[pos_++]);
    if (done_) return std::optional<Tuple>();
    auto row = left->Next();
    if (!row.ok()) return row.error();
    if (!row->has_value()) {
      done_ = true;
      return row;
    }
    bytes_ += TupleBytes(**row);
    if (bytes_ > WorkMemBytes(estate_)) return WorkMemExceeded("materialized rows", WorkMemBytes(estate_));
    rows_.push_back(**row);
    ++pos_;
    return row;
  }

 private:
  std::vector<Tuple> rows_;
  size_t pos_ = 0;
  size_t bytes_ = 0;
  bool done_ = false;
};

}  // namespace

std::unique_ptr<PlanState> MakeHashState(const Plan& plan, EState& estate) {
  return std::make_unique<HashState>(plan, estate);
}

std::unique_ptr<PlanState> MakeHashJoinState(const Plan& plan, EState& estate) {
  return std::make_unique<HashJoinState>(plan, estate);
}

std::unique_ptr<PlanState> MakeMaterialState(const Plan& plan, EState& estate) {
  return std::make_unique<MaterialState>(plan, estate);
}

}  // namespace minipg::sql
