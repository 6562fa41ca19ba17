/*-------------------------------------------------------------------------
 * node_agg.cpp
 *   Aggregate / HashAggregate (PostgreSQL's nodeAgg.c): reads all its
 *   input on the first Next(), checking for interrupts on every row, and
 *   keeps one transition state per aggregate and group (adt/aggregates.h),
 *   groups found by their keys' values in a table (NULL keys group
 *   together, as GROUP BY wants). Then returns each group's row (keys,
 *   then the aggregates' results) through HAVING and the target list.
 *   A plain Aggregate returns one row even for no input.
 *   The groups stay in memory: bounding them by work_mem (spilling to
 *   disk as PostgreSQL 13+ does) comes next.
 *-------------------------------------------------------------------------
 */
#include <map>
#include <set>

#include "engine/common/interrupts.h"
#include "engine/sql/adt/aggregates.h"
#include "engine/sql/executor/exec_nodes.h"
#include "engine/sql/executor/tuple_compare.h"
#include "engine/sql/types.h"

namespace minipg::sql {

namespace {

using storage::Datum;
using storage::Tuple;

struct ValueLess {
  TypeId type;
  bool operator()(const Datum& a, const Datum& b) const { return CompareDatum(a, b, type) < 0; }
};

struct Group {
  Tuple keys;
  std::vector<AggTransition> states;
  std::vector<std::set<Datum, ValueLess>> seen;  // DISTINCT aggregates: the values already fed
};

class AggState : public PlanState {
 public:
  using PlanState::PlanState;

  Status ReScan() override {
    pos_ = 0;  // the groups stay: the input has not changed (no parameters yet)
    return OkStatus();
  }

 protected:
  RowResult ExecNext() override {
    if (!filled_) {
      if (Status s = Fill(); !s.ok()) return s.error();
      filled_ = true;
    }
    while (pos_ < groups_.size()) {
      Group& g = groups_[pos_++];
      Tuple row = g.keys;
      for (size_t i = 0; i < plan_.aggs.size(); ++i) {
        auto v = AggFinal(*plan_.aggs[i]->agg, g.states[i], plan_.aggs[i]->type);
        if (!v.ok()) return v.error();
        row.push_back(std::move(*v));
      }
      auto out = ScanResult(std::move(row));
      if (!out.ok() || out->has_value()) return out;
    }
    return std::optional<Tuple>();
  }

 private:
  Group NewGroup(Tuple keys) const {
    Group g;
    g.keys = std::move(keys);
    g.states.resize(plan_.aggs.size());
    for (const ExprPtr& a : plan_.aggs) {
      TypeId type = a->args.empty() ? TypeId::kInt8 : a->args[0]->type;
      g.seen.emplace_back(ValueLess{type});
    }
    return g;
  }

  Status Fill() {
    for (const ExprPtr& k : plan_.group_keys) key_types_.push_back(k->type);
    index_.emplace(KeyLess{&key_types_});
    if (plan_.group_keys.empty()) groups_.push_back(NewGroup({}));
    for (;;) {
      if (Status s = CheckForInterrupts(); !s.ok()) return s;
      auto row = left->Next();
      if (!row.ok()) return row.error();
      if (!row->has_value()) break;
      ExprContext c = Context();
      c.outer = &**row;
      Group* g = plan_.group_keys.empty() ? &groups_.front() : nullptr;  // no group yet when grouped
      if (!plan_.group_keys.empty()) {
        auto keys = Project(plan_.group_keys, c);
        if (!keys.ok()) return keys.error();
        auto [it, inserted] = index_->try_emplace(*keys, groups_.size());
        if (inserted) groups_.push_back(NewGroup(std::move(*keys)));
        g = &groups_[it->second];
      }
      for (size_t i = 0; i < plan_.aggs.size(); ++i) {
        const Expr& agg = *plan_.aggs[i];
        Datum arg;
        if (!agg.args.empty()) {
          auto v = Evaluate(*agg.args[0], c);
          if (!v.ok()) return v.error();
          arg = std::move(*v);
          if (agg.agg_distinct && !storage::IsNull(arg) && !g->seen[i].insert(arg).second) continue;
        }
        Datum arg2;
        if (agg.args.size() > 1) {
          auto v = Evaluate(*agg.args[1], c);
          if (!v.ok()) return v.error();
          arg2 = std::move(*v);
        }
        if (Status s = AggAdvance(*agg.agg, g->states[i], arg, arg2); !s.ok()) return s;
      }
    }
    return OkStatus();
  }

  std::vector<TypeId> key_types_;
  std::optional<std::map<Tuple, size_t, KeyLess>> index_;
  std::vector<Group> groups_;  // in the order first seen
  size_t pos_ = 0;
  bool filled_ = false;
};

}  // namespace

std::unique_ptr<PlanState> MakeAggState(const Plan& plan, EState& estate) {
  return std::make_unique<AggState>(plan, estate);
}

}  // namespace minipg::sql
