/*-------------------------------------------------------------------------
 * node_subplan.cpp
 *   Runs a subquery of an expression (PostgreSQL's nodeSubplan.c): sets
 *   the exec parameters its outer references became to the current row's
 *   values, runs its plan with a fresh state tree, and makes the value the
 *   sublink asks for:
 *
 *     EXISTS        whether there is a row
 *     (SELECT ...)  the one row's column, NULL if none; 21000 past one
 *     op ANY        true if the test is true for some row; else NULL if it
 *                   was NULL for some row; else false (no rows: false)
 *     op ALL        false if the test is false for some row; else NULL if
 *                   it was NULL for some; else true (no rows: true)
 *     ARRAY(...)    the column's values as an array ({} if none)
 *
 *   An InitPlan (no outer references) runs once per execution; its value
 *   waits in its output parameter. A hashed SubPlan (x = ANY of an
 *   uncorrelated subquery) also runs once: its distinct values are kept
 *   sorted, and each row's x is looked up among them (binary search; the
 *   result is ANY's, NULLs included).
 *-------------------------------------------------------------------------
 */
#include <algorithm>

#include "engine/common/sqlstate.h"
#include "engine/sql/executor/exec_nodes.h"
#include "engine/sql/types.h"

namespace minipg::sql {

using storage::Datum;

namespace {

void SetParam(EState& estate, int param, Datum value) {
  auto slot = static_cast<size_t>(param);
  if (estate.params.size() <= slot) estate.params.resize(slot + 1);
  estate.params[slot] = std::move(value);
}

/* Folds one test result into an ANY (or ALL) outcome; true when decided. */
bool Decided(const Datum& test, bool any, bool& saw_null) {
  if (storage::IsNull(test)) {
    saw_null = true;
    return false;
  }
  return std::get<bool>(test) == any;
}

/* The subplan's state tree, initialized (and ended again if that fails). */
Result<std::unique_ptr<PlanState>> StartSubPlan(const SubPlanInfo& info, EState& estate) {
  auto state = ExecInitNode(*info.plan, estate);
  if (!state.ok()) return state.error();
  if (Status s = (*state)->Init(); !s.ok()) {
    (*state)->End();
    return s.error();
  }
  return state;
}

Result<Datum> RunSubPlan(const Expr& link, const SubPlanInfo& info, const ExprContext& ctx, EState& estate) {
  auto state = StartSubPlan(info, estate);
  if (!state.ok()) return state.error();
  PlanState& root = **state;
  bool any = link.sublink == SubLinkType::kAny;
  bool saw_null = false;
  std::vector<Datum> elements;
  Result<Datum> result = Datum(std::monostate{});
  switch (link.sublink) {
    case SubLinkType::kExists:
    case SubLinkType::kAny:
    case SubLinkType::kAll:
      result = Datum(!any && link.sublink != SubLinkType::kExists);
      break;
    default:
      break;
  }
  for (bool first = true;; first = false) {
    auto row = root.Next();
    if (!row.ok()) {
      result = row.error();
      break;
    }
    if (!row->has_value()) {
      if (link.sublink == SubLinkType::kAny || link.sublink == SubLinkType::kAll) {
        if (saw_null) result = Datum(std::monostate{});
      }
      break;
    }
    const storage::Tuple& values = **row;
    if (link.sublink == SubLinkType::kExists) {
      result = Datum(true);
      break;
    }
    if (link.sublink == SubLinkType::kExpr) {
      if (!first) {
        result = MakeError(sqlstate::kCardinalityViolation, "more than one row returned by a subquery used as an expression");
        break;
      }
      result = values.empty() ? Datum(std::monostate{}) : values[0];
      continue;
    }
    if (link.sublink == SubLinkType::kArray) {
      elements.push_back(values.empty() ? Datum(std::monostate{}) : values[0]);
      continue;
    }
    for (int i = 0; i < info.test_columns; ++i) {  // (a, b) IN (SELECT x, y ...): one $n per column
      auto column = static_cast<size_t>(i);
      SetParam(estate, info.test_param + i, column < values.size() ? values[column] : Datum(std::monostate{}));
    }
    auto test = Evaluate(*link.args[0], ctx);
    if (!test.ok()) {
      result = test.error();
      break;
    }
    if (Decided(*test, any, saw_null)) {
      result = Datum(any);
      break;
    }
  }
  root.End();
  RetireInstrumentation(estate, root);  // each run's counts add up for EXPLAIN ANALYZE
  if (result.ok() && link.sublink == SubLinkType::kArray) {
    result = Datum(storage::MakeArray(storage::ArrayElementColumnType(ToColumnType(link.type)), std::move(elements)));
  }
  return result;
}

/* x op ANY / ALL (array): the test over each element, with the same
 * NULL rules as over a subquery's rows; NULL for a NULL array. */
Result<Datum> EvaluateArrayOp(const Expr& link, const ExprContext& ctx) {
  auto array = Evaluate(*link.args[1], ctx);
  if (!array.ok() || storage::IsNull(*array)) return array;
  const auto* value = std::get_if<storage::ArrayValue>(&*array);
  if (value == nullptr || value->data == nullptr || ctx.estate == nullptr || link.param < 0) {
    return MakeError(sqlstate::kInternalError, "ANY/ALL over something that is not an array");
  }
  bool any = link.sublink == SubLinkType::kAny;
  bool saw_null = false;
  for (const Datum& element : value->data->elements) {
    SetParam(*ctx.estate, link.param, element);
    auto test = Evaluate(*link.args[0], ctx);
    if (!test.ok()) return test;
    if (Decided(*test, any, saw_null)) return Datum(any);
  }
  if (saw_null) return Datum(std::monostate{});
  return Datum(!any);
}

/* A hashed SubPlan's test `x = $n`: its rows are read once into
 * estate.hashed_subplans, then x is looked up. */
Result<Datum> HashedSubPlan(const Expr& link, const SubPlanInfo& info, const ExprContext& ctx, EState& estate) {
  const Expr& test = *link.args[0];
  TypeId column = test.args[1]->type;
  TypeId lhs = test.args[0]->type;
  auto it = estate.hashed_subplans.find(info.id);
  if (it == estate.hashed_subplans.end()) {
    auto state = StartSubPlan(info, estate);
    if (!state.ok()) return state.error();
    PlanState& root = **state;
    EState::SubPlanValues values;
    for (;;) {
      auto row = root.Next();
      if (!row.ok()) {
        root.End();
        return row.error();
      }
      if (!row->has_value()) break;
      const Datum& v = (**row)[0];
      if (storage::IsNull(v)) {
        values.has_null = true;
      } else {
        values.sorted.push_back(v);
      }
    }
    root.End();
    auto less = [column](const Datum& a, const Datum& b) { return CompareValues(a, column, b, column) < 0; };
    std::sort(values.sorted.begin(), values.sorted.end(), less);
    values.sorted.erase(std::unique(values.sorted.begin(), values.sorted.end(),
                                    [column](const Datum& a, const Datum& b) { return CompareValues(a, column, b, column) == 0; }),
                        values.sorted.end());
    it = estate.hashed_subplans.emplace(info.id, std::move(values)).first;
  }
  const EState::SubPlanValues& values = it->second;
  auto x = Evaluate(*test.args[0], ctx);
  if (!x.ok()) return x;
  if (storage::IsNull(*x)) return values.sorted.empty() && !values.has_null ? Datum(false) : Datum(std::monostate{});
  auto pos = std::lower_bound(values.sorted.begin(), values.sorted.end(), *x, [&](const Datum& a, const Datum& b) {
    return CompareValues(a, column, b, lhs) < 0;
  });
  if (pos != values.sorted.end() && CompareValues(*pos, column, *x, lhs) == 0) return Datum(true);
  return values.has_null ? Datum(std::monostate{}) : Datum(false);
}

}  // namespace

Result<Datum> ExecSubPlan(const Expr& link, const ExprContext& ctx) {
  std::optional<EState> local;  // an expression evaluated outside a plan's execution
  EState* estate = ctx.estate;
  if (estate == nullptr) {
    local.emplace(*ctx.session);
    estate = &*local;
  }
  if (link.subquery == nullptr && link.subplan == nullptr) {
    ExprContext with = ctx;
    with.estate = estate;
    return EvaluateArrayOp(link, with);
  }
  if (link.subplan == nullptr || link.subplan->plan == nullptr) {
    return MakeError(sqlstate::kInternalError, "subquery was not planned");
  }
  const SubPlanInfo& info = *link.subplan;
  auto& done = estate->initplans_done;
  if (info.initplan && std::find(done.begin(), done.end(), info.id) != done.end()) {
    return estate->params[static_cast<size_t>(info.output_param)];
  }
  if (info.hashed) return HashedSubPlan(link, info, ctx, *estate);
  // The outer values: args after the test (ANY / ALL) are the parameters'.
  size_t first_arg = link.sublink == SubLinkType::kAny || link.sublink == SubLinkType::kAll ? 1 : 0;
  for (size_t i = 0; i < info.arg_params.size(); ++i) {
    auto v = Evaluate(*link.args[first_arg + i], ctx);
    if (!v.ok()) return v;
    SetParam(*estate, info.arg_params[i], std::move(*v));
  }
  ExprContext run = ctx;
  run.estate = estate;
  auto value = RunSubPlan(link, info, run, *estate);
  if (local) FinishCteStores(*local, nullptr, nullptr);
  if (value.ok() && info.initplan) {
    SetParam(*estate, info.output_param, *value);
    done.push_back(info.id);
  }
  return value;
}

}  // namespace minipg::sql
