/*-------------------------------------------------------------------------
 * node_agg.cpp
 *   Aggregate / HashAggregate (PostgreSQL's nodeAgg.c): reads all its
 *   input on the first Next(), checking for interrupts on every row, and
 *   keeps one transition state per aggregate and group (adt/aggregates.h),
 *   groups found by their keys' values in a table (NULL keys group
 *   together, as GROUP BY wants). Then returns each group's row (keys,
 *   then the aggregates' results) through HAVING and the target list.
 *   A plain Aggregate returns one row even for no input. FILTER (WHERE c)
 *   feeds only the rows where c is true; agg(x ORDER BY k) keeps its
 *   group's (k, x) rows and feeds them sorted when the group is done.
 *   The groups stay in memory: bounding them by work_mem (spilling to
 *   disk as PostgreSQL 13+ does) comes next.
 *-------------------------------------------------------------------------
 */
#include <algorithm>
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
  std::vector<std::vector<Tuple>> ordered;        // agg(... ORDER BY ...): (args..., keys...) rows
};

/* a before b by an aggregate's ORDER BY keys, the row's columns from `first` on. */
bool KeysBefore(const Expr& agg, size_t first, const Tuple& a, const Tuple& b) {
  for (size_t k = 0; k < agg.agg_order.size(); ++k) {
    const Expr::AggOrder& o = agg.agg_order[k];
    const Datum& x = a[first + k];
    const Datum& y = b[first + k];
    bool xn = storage::IsNull(x);
    bool yn = storage::IsNull(y);
    int c = 0;
    if (xn || yn) {
      c = xn == yn ? 0 : (xn == o.nulls_first ? -1 : 1);
    } else {
      c = CompareValues(x, agg.args[first + k]->type, y, agg.args[first + k]->type);
      if (o.descending) c = -c;
    }
    if (c != 0) return c < 0;
  }
  return false;
}

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
        if (Status s = FeedOrdered(*plan_.aggs[i], g, i); !s.ok()) return s.error();
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
    g.ordered.resize(plan_.aggs.size());
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
        if (agg.agg_filter) {
          auto pass = Evaluate(*agg.args.back(), c);
          if (!pass.ok()) return pass.error();
          if (storage::IsNull(*pass) || !std::get<bool>(*pass)) continue;
        }
        size_t n = agg.args.size() - (agg.agg_filter ? 1 : 0);  // arguments, then ORDER BY keys
        Tuple values;
        for (size_t a = 0; a < n; ++a) {
          auto v = Evaluate(*agg.args[a], c);
          if (!v.ok()) return v.error();
          values.push_back(std::move(*v));
        }
        if (!agg.agg_order.empty()) {
          g->ordered[i].push_back(std::move(values));
          continue;
        }
        if (Status s = Feed(agg, *g, i, values); !s.ok()) return s;
      }
    }
    return OkStatus();
  }

  /* One row's arguments into aggregate i's state (DISTINCT: once per value). */
  static Status Feed(const Expr& agg, Group& g, size_t i, const Tuple& values) {
    Datum arg = AggArgCount(agg) > 0 ? values[0] : Datum();
    Datum arg2 = AggArgCount(agg) > 1 ? values[1] : Datum();
    if (agg.agg_distinct && AggArgCount(agg) > 0 && !storage::IsNull(arg) && !g.seen[i].insert(arg).second) {
      return OkStatus();
    }
    return AggAdvance(*agg.agg, g.states[i], arg, arg2);
  }

  /* agg(... ORDER BY ...): the group's rows, sorted by the keys, fed in turn. */
  static Status FeedOrdered(const Expr& agg, Group& g, size_t i) {
    std::vector<Tuple>& rows = g.ordered[i];
    if (agg.agg_order.empty()) return OkStatus();
    size_t first = AggArgCount(agg);
    std::stable_sort(rows.begin(), rows.end(),
                     [&](const Tuple& a, const Tuple& b) { return KeysBefore(agg, first, a, b); });
    for (const Tuple& row : rows) {
      if (Status s = CheckForInterrupts(); !s.ok()) return s;
      if (Status s = Feed(agg, g, i, row); !s.ok()) return s;
    }
    rows.clear();
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
