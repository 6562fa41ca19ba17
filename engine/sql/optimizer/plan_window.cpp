/*-------------------------------------------------------------------------
 * plan_window.cpp
 *   The WindowAgg nodes of a query with window functions (PostgreSQL's
 *   create_window_paths / select_active_windows):
 *
 *     WindowAgg            (the select list, over the last one's row)
 *       -> [Sort]          (skipped when the rows below are in that order)
 *            -> WindowAgg  (one per window, lowest first)
 *                 -> Sort
 *                      -> the scan, join or Agg below
 *
 *   The node below (the scan, join or Agg that computed the select list)
 *   now returns the columns the windows and the select list read: every
 *   argument, key and FILTER of a call, and every column the rest of the
 *   select list reads. Each WindowAgg's row is its input's row followed by
 *   its calls' results, so the columns below keep their positions all the
 *   way up; the top one computes the select list over its row.
 *
 *   The windows go in PostgreSQL's order: by their keys' sort references,
 *   descending, a window whose keys extend another's first (common_prefix_cmp),
 *   so that a window whose keys are a prefix of the one below needs no Sort.
 *-------------------------------------------------------------------------
 */
#include <algorithm>
#include <string>
#include <utility>

#include "engine/sql/optimizer/planner.h"

namespace minipg::sql {

namespace {

/* One window and its calls (slots in the select list). */
struct ActiveWindow {
  const WindowSpec* spec = nullptr;
  std::vector<ExprPtr*> calls;
};

/* PostgreSQL's common_prefix_cmp: true if `a` goes before (below) `b`. */
bool WindowBefore(const ActiveWindow& a, const ActiveWindow& b) {
  const std::vector<int>& x = a.spec->sort_refs;
  const std::vector<int>& y = b.spec->sort_refs;
  for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
    if (x[i] != y[i]) return x[i] > y[i];
  }
  return x.size() > y.size();
}

/* The columns the node below returns: each distinct expression once. */
class InputColumns {
 public:
  /* The column holding `e` (added if new). */
  Result<int> Add(const Expr& e) {
    std::string text = DeparseExpr(e, true) + "::" + TypeName(e.type);
    for (size_t i = 0; i < texts_.size(); ++i) {
      if (texts_[i] == text) return static_cast<int>(i);
    }
    auto copy = CopyExpr(e);
    if (!copy.ok()) return copy.error();
    texts_.push_back(std::move(text));
    names_.push_back(e.kind == ExprKind::kVar ? e.colname : DeparseExpr(e));
    exprs_.push_back(std::move(*copy));
    return static_cast<int>(exprs_.size() - 1);
  }
  /* A Var of column `i` read as `source` (the display of what it holds). */
  ExprPtr Column(int i, VarSource source) const {
    const Expr& e = *exprs_[static_cast<size_t>(i)];
    ExprPtr v = MakeVar(0, i, e.type, e.kind == ExprKind::kVar ? e.relname : "",
                        e.kind == ExprKind::kVar ? e.colname : DeparseExpr(e), e.location);
    v->typmod = e.typmod;
    v->source = source;
    return v;
  }
  std::vector<ExprPtr> exprs_;
  std::vector<std::string> names_;

 private:
  std::vector<std::string> texts_;
};

/* Replaces each column the tree reads (a Var of this level) by a column
 * of the node below, read as the scan row. */
Status ReplaceColumns(ExprPtr* slot, InputColumns& columns, VarSource source) {
  std::vector<ExprPtr*> stack{slot};
  while (!stack.empty()) {
    ExprPtr* p = stack.back();
    stack.pop_back();
    if (!*p) continue;
    if ((*p)->kind == ExprKind::kVar && (*p)->levels_up == 0) {
      auto column = columns.Add(**p);
      if (!column.ok()) return column.error();
      *p = columns.Column(*column, source);
      continue;
    }
    for (ExprPtr& a : (*p)->args) stack.push_back(&a);
  }
  return OkStatus();
}

}  // namespace

bool HasWindowFuncs(std::vector<ExprPtr>& targetlist) {
  bool found = false;
  for (ExprPtr& t : targetlist) {
    WalkExpr(*t, [&found](Expr& e) { found = found || e.kind == ExprKind::kWindowFunc; });
  }
  return found;
}

Result<std::unique_ptr<Plan>> PlanWindows(std::unique_ptr<Plan> base, bool key_columns) {
  std::vector<ExprPtr> targets = std::move(base->targetlist);
  std::vector<std::string> names = std::move(base->names);
  // The calls, by window (in the order first met).
  std::vector<ActiveWindow> windows;
  for (ExprPtr& t : targets) {
    std::vector<ExprPtr*> stack{&t};
    while (!stack.empty()) {
      ExprPtr* p = stack.back();
      stack.pop_back();
      if (!*p) continue;
      if ((*p)->kind != ExprKind::kWindowFunc) {
        for (auto it = (*p)->args.rbegin(); it != (*p)->args.rend(); ++it) stack.push_back(&*it);
        continue;
      }
      const WindowSpec* spec = (*p)->window.get();
      auto same = std::find_if(windows.begin(), windows.end(),
                               [&](const ActiveWindow& w) { return w.spec->winref == spec->winref; });
      if (same == windows.end()) same = windows.insert(windows.end(), ActiveWindow{spec, {}});
      same->calls.push_back(p);
    }
  }
  std::stable_sort(windows.begin(), windows.end(), WindowBefore);
  // The node below returns the calls' arguments, keys and FILTERs (frame
  // offsets are constants, computed by the WindowAgg), and what the rest of
  // the select list reads.
  InputColumns columns;
  for (ActiveWindow& w : windows) {
    for (ExprPtr* call : w.calls) {
      const WindowSpec& spec = *(*call)->window;
      size_t computed = spec.start_offset_arg();
      for (size_t i = 0; i < computed; ++i) {
        auto column = columns.Add(*(*call)->args[i]);
        if (!column.ok()) return column.error();
        (*call)->args[i] = columns.Column(*column, VarSource::kOuter);
      }
    }
  }
  // The rest of the select list: its calls are moved out below, first
  // leaving a placeholder that ReplaceColumns does not touch.
  std::vector<ExprPtr> moved_calls;
  std::vector<ExprPtr*> placeholders;
  for (ActiveWindow& w : windows) {
    for (ExprPtr* call : w.calls) {
      moved_calls.push_back(std::move(*call));
      *call = MakeExpr(ExprKind::kConst, moved_calls.back()->type, 0);
      placeholders.push_back(call);
    }
  }
  for (ExprPtr& t : targets) {
    if (Status s = ReplaceColumns(&t, columns, VarSource::kScan); !s.ok()) return s.error();
  }
  base->targetlist = std::move(columns.exprs_);
  base->names = columns.names_;
  // Each window's WindowAgg, over a Sort by its keys unless the rows are in that order.
  std::vector<TypeId> row_types;
  std::vector<int32_t> row_typmods;
  std::vector<std::string> row_names = columns.names_;
  for (const ExprPtr& e : base->targetlist) {
    row_types.push_back(e->type);
    row_typmods.push_back(e->typmod);
  }
  std::unique_ptr<Plan> node = std::move(base);
  std::vector<SortKey> order;  // the order of node's rows (none known yet)
  size_t next_call = 0;
  std::vector<int> all_keys;  // every window's key columns, once
  for (ActiveWindow& w : windows) {
    const Expr& first = *moved_calls[next_call];
    const WindowSpec& spec = *first.window;
    std::vector<SortKey> keys;
    for (size_t i = spec.first_partition(); i < spec.filter_arg(); ++i) {
      const Expr& key = *first.args[i];
      bool in_order = i >= spec.first_order();
      WindowSpec::OrderKey dir = in_order ? spec.order[i - spec.first_order()] : WindowSpec::OrderKey{};
      bool seen = std::any_of(keys.begin(), keys.end(), [&](const SortKey& k) { return k.column == key.attno; });
      if (!seen) keys.push_back(SortKey{key.attno, dir.descending, dir.nulls_first, key.type});
      if (std::find(all_keys.begin(), all_keys.end(), key.attno) == all_keys.end()) all_keys.push_back(key.attno);
    }
    bool sorted = keys.size() <= order.size() &&
                  std::equal(keys.begin(), keys.end(), order.begin(), [](const SortKey& a, const SortKey& b) {
                    return a.column == b.column && a.descending == b.descending && a.nulls_first == b.nulls_first;
                  });
    if (!sorted) {
      node = PlanAbove(PlanKind::kSort, std::move(node));
      node->sort_keys = keys;
      order = keys;
    }
    auto agg = std::make_unique<Plan>();
    agg->kind = PlanKind::kWindowAgg;
    agg->relids = node->relids;
    size_t input_width = row_types.size();
    for (size_t c = 0; c < w.calls.size(); ++c, ++next_call) {
      ExprPtr& call = moved_calls[next_call];
      std::string shown = DeparseExpr(*call);
      ExprPtr result = MakeVar(0, static_cast<int>(input_width + c), call->type, "", shown, call->location);
      result->typmod = call->typmod;
      result->source = VarSource::kScan;
      *placeholders[next_call] = std::move(result);
      row_types.push_back(call->type);
      row_typmods.push_back(call->typmod);
      row_names.push_back(shown);
      agg->aggs.push_back(std::move(call));
    }
    for (size_t i = 0; i < row_types.size(); ++i) {
      ExprPtr v = MakeVar(0, static_cast<int>(i), row_types[i], "", row_names[i]);
      v->typmod = row_typmods[i];
      v->source = VarSource::kScan;
      agg->targetlist.push_back(std::move(v));
      agg->names.push_back(row_names[i]);
    }
    agg->rows = node->rows;
    agg->lefttree = std::move(node);
    node = std::move(agg);
  }
  // As PostgreSQL's, the output also carries each window key the select
  // list does not hold (junk, after its columns; not under DISTINCT, which
  // would key on them).
  for (int key : key_columns ? all_keys : std::vector<int>{}) {
    bool held = std::any_of(targets.begin(), targets.end(), [key](const ExprPtr& t) {
      return t->kind == ExprKind::kVar && t->source == VarSource::kScan && t->attno == key;
    });
    if (held) continue;
    auto k = static_cast<size_t>(key);
    ExprPtr v = MakeVar(0, key, row_types[k], "", row_names[k]);
    v->typmod = row_typmods[k];
    v->source = VarSource::kScan;
    targets.push_back(std::move(v));
    names.push_back(row_names[k]);
  }
  node->targetlist = std::move(targets);
  node->names = std::move(names);
  return node;
}

bool WindowOrderSatisfies(const Plan& top, const std::vector<SortKey>& keys) {
  if (top.kind != PlanKind::kWindowAgg) return false;
  const Plan* below = top.lefttree.get();
  while (below != nullptr && below->kind == PlanKind::kWindowAgg) below = below->lefttree.get();
  if (below == nullptr || below->kind != PlanKind::kSort || keys.size() > below->sort_keys.size()) return false;
  for (size_t i = 0; i < keys.size(); ++i) {
    const Expr& t = *top.targetlist[static_cast<size_t>(keys[i].column)];
    const SortKey& have = below->sort_keys[i];
    if (t.kind != ExprKind::kVar || t.source != VarSource::kScan || t.attno != have.column ||
        keys[i].descending != have.descending || keys[i].nulls_first != have.nulls_first) {
      return false;
    }
  }
  return true;
}

}  // namespace minipg::sql
