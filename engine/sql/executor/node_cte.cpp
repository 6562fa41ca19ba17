/*-------------------------------------------------------------------------
 * node_cte.cpp
 *   WITH queries at run time (PostgreSQL's nodeCtescan.c,
 *   nodeWorktablescan.c, nodeRecursiveunion.c):
 *
 *   CTE Scan        reads its WITH query's rows from a CteStore shared by
 *                   every CTE Scan of that query (EState::cte_stores, by
 *                   the CTE subplan's id). The first to start makes the
 *                   store and the query's plan state; a reader past the
 *                   rows stored runs that plan for one more row. So the
 *                   query runs once, only as far as some reader needs
 *                   (LIMIT over an endless WITH RECURSIVE stops it), and
 *                   each reader keeps its own position (ReScan: back to 0).
 *   Recursive Union returns the non-recursive term's rows, then rounds of
 *                   the recursive term: each round reads (through its
 *                   WorkTable Scan) the rows the previous round added,
 *                   until a round adds none. UNION keeps a set of the
 *                   rows seen and drops repeats. Each round runs a fresh
 *                   state of the recursive term (so a Hash or Sort over
 *                   the work table is built again); the spent rounds'
 *                   counts go to EState::retired for EXPLAIN ANALYZE.
 *   WorkTable Scan  the rows of the work table its Recursive Union
 *                   registered under wt_param.
 *
 * NOTES
 *   Rows are kept in memory, bounded by work_mem (53200 past it: minipg
 *   spills nothing to disk); every row read checks for interrupts, so an
 *   endless recursion stops at cancel or statement_timeout.
 *-------------------------------------------------------------------------
 */
#include <set>

#include "engine/common/sqlstate.h"
#include "engine/sql/executor/exec_nodes.h"
#include "engine/sql/executor/tuple_compare.h"

namespace minipg::sql {

namespace {

using storage::Tuple;

void AddInstrumentation(NodeInstrumentation& into, const NodeInstrumentation& from) {
  into.rows += from.rows;
  into.loops += from.loops;
  into.startup_seconds += from.startup_seconds;
  into.total_seconds += from.total_seconds;
  into.filtered += from.filtered;
  into.join_filtered += from.join_filtered;
  into.shared_hit += from.shared_hit;
  into.shared_read += from.shared_read;
  if (!from.notes.empty()) into.notes = from.notes;
}

/* The largest node id in a plan tree (its subplans' not included). */
int MaxNodeId(const Plan& plan) {
  int id = plan.id;
  for (const Plan* child : plan.Children()) id = std::max(id, MaxNodeId(*child));
  return id;
}

class CteScanState : public PlanState {
 public:
  using PlanState::PlanState;

  Status Init() override {
    std::shared_ptr<CteStore>& slot = estate_.cte_stores[plan_.cte_plan->id];
    if (!slot) {
      auto producer = ExecInitNode(*plan_.cte_plan->plan, estate_);
      if (!producer.ok()) return producer.error();
      auto store = std::make_shared<CteStore>();
      store->producer = std::move(*producer);
      slot = store;
      if (Status s = store->producer->Init(); !s.ok()) return s;
    }
    store_ = slot;
    pos_ = 0;
    return OkStatus();
  }

  Status ReScan() override {
    pos_ = 0;
    return PlanState::ReScan();
  }

 protected:
  RowResult ExecNext() override {
    CteStore& store = *store_;
    for (;;) {
      if (pos_ < store.rows.size()) {
        auto out = ScanResult(store.rows[pos_++]);
        if (!out.ok() || out->has_value()) return out;
        continue;
      }
      if (store.done) return std::optional<Tuple>();
      auto row = store.producer->Next();
      if (!row.ok()) return row.error();
      if (!row->has_value()) {
        store.done = true;
        continue;
      }
      (*row)->resize(static_cast<size_t>(plan_.scan_width));  // not the query's ORDER BY junk columns
      store.bytes += TupleBytes(**row);
      size_t limit = WorkMemBytes(estate_);
      if (store.bytes > limit) return WorkMemExceeded("CTE Scan", limit);
      store.rows.push_back(std::move(**row));
    }
  }

 private:
  std::shared_ptr<CteStore> store_;
  size_t pos_ = 0;
};

class WorkTableScanState : public PlanState {
 public:
  using PlanState::PlanState;

  Status ReScan() override {
    pos_ = 0;
    return PlanState::ReScan();
  }

 protected:
  RowResult ExecNext() override {
    auto it = estate_.worktables.find(plan_.wt_param);
    if (it == estate_.worktables.end()) {
      return MakeError(sqlstate::kInternalError, "WorkTable Scan without its Recursive Union");
    }
    const std::vector<Tuple>& table = *it->second;
    while (pos_ < table.size()) {
      auto out = ScanResult(table[pos_++]);
      if (!out.ok() || out->has_value()) return out;
    }
    return std::optional<Tuple>();
  }

 private:
  size_t pos_ = 0;
};

class RecursiveUnionState : public PlanState {
 public:
  using PlanState::PlanState;

  Status Init() override {
    for (const ExprPtr& e : plan_.targetlist) types_.push_back(e->type);
    seen_.emplace(KeyLess{&types_});
    estate_.worktables[plan_.wt_param] = &work_;
    return PlanState::Init();
  }

  Status ReScan() override {
    left_done_ = finished_ = false;
    work_.clear();
    next_.clear();
    seen_->clear();
    bytes_ = next_bytes_ = 0;
    if (Status s = NewRound(); !s.ok()) return s;
    NewLoop();
    return left->ReScan();
  }

 protected:
  RowResult ExecNext() override {
    for (;;) {
      if (finished_) return std::optional<Tuple>();
      PlanState& input = left_done_ ? *right : *left;
      auto row = input.Next();
      if (!row.ok()) return row.error();
      if (row->has_value()) {
        (*row)->resize(types_.size());
        auto keep = Keep(**row);
        if (!keep.ok()) return keep.error();
        if (*keep) return row;
        continue;
      }
      // A term is done: the rows it added are the next round's work table.
      left_done_ = true;
      if (next_.empty()) {
        finished_ = true;
        continue;
      }
      work_ = std::move(next_);
      next_.clear();
      next_bytes_ = 0;
      if (Status s = NewRound(); !s.ok()) return s.error();
    }
  }

 private:
  /* Whether a row is new (UNION ALL: always), kept for the next round if so. */
  Result<bool> Keep(const Tuple& row) {
    size_t limit = WorkMemBytes(estate_);
    size_t bytes = TupleBytes(row);
    if (plan_.union_distinct) {
      if (!seen_->insert(row).second) return false;
      bytes_ += bytes;
    }
    next_bytes_ += bytes;
    if (bytes_ + next_bytes_ > limit) return WorkMemExceeded("Recursive Union", limit);
    next_.push_back(row);
    return true;
  }

  /* A fresh state of the recursive term for the next round (the first
   * round uses the one Init made). */
  Status NewRound() {
    if (!right_used_) {
      right_used_ = true;
      return OkStatus();
    }
    RetireInstrumentation(estate_, *right);
    right->End();
    auto fresh = ExecInitNode(*plan_.righttree, estate_);
    if (!fresh.ok()) return fresh.error();
    right = std::move(*fresh);
    return right->Init();
  }

  std::vector<TypeId> types_;
  std::optional<std::set<Tuple, KeyLess>> seen_;  // UNION: every row returned so far
  size_t bytes_ = 0;                              // of seen_
  std::vector<Tuple> work_;                       // the rows the last round added (the work table)
  std::vector<Tuple> next_;                       // the rows this round adds
  size_t next_bytes_ = 0;
  bool left_done_ = false;
  bool finished_ = false;
  bool right_used_ = false;
};

}  // namespace

void RetireInstrumentation(EState& estate, const PlanState& state) {
  std::vector<NodeInstrumentation> counts(static_cast<size_t>(MaxNodeId(state.plan())) + 1);
  state.CollectInstrumentation(counts);
  if (estate.retired.size() < counts.size()) estate.retired.resize(counts.size());
  std::vector<const Plan*> stack{&state.plan()};
  while (!stack.empty()) {
    const Plan* p = stack.back();
    stack.pop_back();
    AddInstrumentation(estate.retired[static_cast<size_t>(p->id)], counts[static_cast<size_t>(p->id)]);
    for (const Plan* child : p->Children()) stack.push_back(child);
  }
}

void FinishCteStores(EState& estate, std::vector<NodeInstrumentation>* instr, std::vector<int64_t>* rows) {
  for (auto& [id, store] : estate.cte_stores) {
    if (!store->producer) continue;
    store->producer->End();
    if (instr != nullptr) store->producer->CollectInstrumentation(*instr);
    if (rows != nullptr) store->producer->CollectRows(*rows);
    store->producer.reset();
  }
  if (instr == nullptr) return;
  for (size_t i = 0; i < estate.retired.size() && i < instr->size(); ++i) {
    AddInstrumentation((*instr)[i], estate.retired[i]);
    if (rows != nullptr && i < rows->size()) (*rows)[i] += estate.retired[i].rows;
  }
}

std::unique_ptr<PlanState> MakeCteScanState(const Plan& plan, EState& estate) {
  return std::make_unique<CteScanState>(plan, estate);
}

std::unique_ptr<PlanState> MakeWorkTableScanState(const Plan& plan, EState& estate) {
  return std::make_unique<WorkTableScanState>(plan, estate);
}

std::unique_ptr<PlanState> MakeRecursiveUnionState(const Plan& plan, EState& estate) {
  return std::make_unique<RecursiveUnionState>(plan, estate);
}

}  // namespace minipg::sql
