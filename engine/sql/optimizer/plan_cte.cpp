/*-------------------------------------------------------------------------
 * plan_cte.cpp
 *   WITH queries in the planner (PostgreSQL's SS_process_ctes and
 *   inline_cte, subselect.c):
 *
 *     read once, not MATERIALIZED,      inlined: the reader's kCte entry
 *     not recursive, no volatile call,  becomes a subquery entry of the
 *     no FOR UPDATE / SHARE             
 *                                       WITH query (InlineCtes, before
 *                                       anything else is planned)
 *     otherwise                         planned once, as a "CTE name"
 *                                       subplan on the top node of the
 *                                       level whose WITH defines it,
 *                                       numbered as an InitPlan; every
 *                                       reader is a CTE Scan of it
 *     WITH RECURSIVE's own query        Recursive Union over the
 *                                       non-recursive term's plan and the
 *                                       recursive term's, whose WorkTable
 *                                       Scan reads the rows of the last
 *                                       round (both name the work table
 *                                       by an exec param, as PostgreSQL)
 *
 *   The executor (executor/node_cte.cpp) runs a CTE's plan once, lazily,
 *   into rows its CTE Scans share.
 *-------------------------------------------------------------------------
 */
#include <map>

#include "engine/common/sqlstate.h"
#include "engine/common/stack_depth.h"
#include "engine/sql/adt/builtins.h"
#include "engine/sql/optimizer/planner.h"

namespace minipg::sql {

namespace {

/* The rows a work table is estimated to hold: 10 rounds of the
 * non-recursive term's, as PostgreSQL guesses. By work table $n. */
thread_local std::map<int, double> t_worktable_rows;

bool Inlinable(CteQuery& cte) {
  return cte.query != nullptr && !cte.recursive && cte.materialized != 'm' && cte.refcount == 1 &&
         !CallsVolatile(*cte.query) && cte.query->row_marks.empty();
}

Result<std::unique_ptr<Plan>> PlanRecursiveUnion(CteQuery& cte) {
  Query& q = *cte.query;
  SetOperationNode& top = *q.setop;
  auto own = PlanCtes(q);  // a WITH of the recursive query itself
  if (!own.ok()) return own.error();
  auto left = PlanSetOpSubtree(q, *top.larg);
  if (!left.ok()) return left;
  EstimateCosts(**left);
  t_worktable_rows[cte.worktable_param] = 10 * (*left)->rows;
  auto right = PlanSetOpSubtree(q, *top.rarg);
  if (!right.ok()) return right;
  auto node = std::make_unique<Plan>();
  node->kind = PlanKind::kRecursiveUnion;
  node->wt_param = cte.worktable_param;
  node->union_distinct = !top.all;
  for (size_t i = 0; i < (*left)->targetlist.size(); ++i) node->targetlist.push_back(PlanOuterVar(**left, i));
  node->names = (*left)->names;
  node->lefttree = std::move(*left);
  node->righttree = std::move(*right);
  node->subplans = std::move(*own);
  return node;
}

}  // namespace

bool CallsVolatile(Query& q) {
  bool found = false;
  for (ExprPtr* root : QueryExpressions(q)) {
    if (*root == nullptr || found) continue;
    WalkExpr(**root, [&](Expr& e) {
      if (e.kind == ExprKind::kFunc && e.func != nullptr && e.func->volatility == Volatility::kVolatile) found = true;
    });
  }
  return found;
}

Status InlineCtes(Query& q) {
  if (Status s = CheckStackDepth(); !s.ok()) return s;
  for (RangeTblEntry& rte : q.rtable) {
    if (rte.kind == RteKind::kCte && !rte.self_reference && rte.cte && Inlinable(*rte.cte)) {
      rte.kind = RteKind::kSubquery;
      rte.subquery = std::move(rte.cte->query);
      rte.cte.reset();
    }
    if (rte.subquery) {
      if (Status s = InlineCtes(*rte.subquery); !s.ok()) return s;
    }
  }
  std::vector<Query*> inner;
  for (ExprPtr* root : LevelExpressions(q)) {
    if (*root == nullptr) continue;
    WalkExpr(**root, [&](Expr& e) {
      if (e.kind == ExprKind::kSubLink && e.subquery) inner.push_back(e.subquery.get());
    });
  }
  for (auto& cte : q.ctes) {
    if (cte->query) inner.push_back(cte->query.get());
  }
  for (Query* sub : inner) {
    if (Status s = InlineCtes(*sub); !s.ok()) return s;
  }
  return OkStatus();
}

Result<std::vector<std::shared_ptr<SubPlanInfo>>> PlanCtes(Query& q) {
  std::vector<std::shared_ptr<SubPlanInfo>> out;
  for (auto& cte : q.ctes) {
    // Inlined, never read (PostgreSQL skips an unread SELECT too), or
    // NOT MATERIALIZED (each reader analyzed its own copy).
    if (cte->query == nullptr || cte->refcount == 0 || cte->plan) continue;
    if (cte->recursive) cte->worktable_param = NewExecParam();
    auto plan = cte->recursive ? PlanRecursiveUnion(*cte) : PlanSubquery(*cte->query);
    if (!plan.ok()) return plan.error();
    EstimateCosts(**plan);
    if (Status s = SetPlanReferences(**plan); !s.ok()) return s.error();
    auto info = std::make_shared<SubPlanInfo>();
    info->plan = std::move(*plan);
    info->initplan = true;
    info->cte_name = cte->name;
    info->output_param = NewExecParam();
    info->id = NewSubPlanId();
    cte->plan = info;
    out.push_back(std::move(info));
  }
  return out;
}

Status PlanCteScan(Plan& scan, const RangeTblEntry& rte) {
  const CteQuery& cte = rte.self_reference ? *rte.worktable_cte : *rte.cte;
  scan.relname = cte.name;
  if (rte.self_reference) {
    scan.kind = PlanKind::kWorkTableScan;
    scan.wt_param = cte.worktable_param;
    auto rows = t_worktable_rows.find(cte.worktable_param);
    scan.rel_tuples = rows != t_worktable_rows.end() ? rows->second : 10;
    return OkStatus();
  }
  if (!cte.plan) {
    return MakeError(sqlstate::kInternalError, "WITH query \"" + cte.name + "\" was not planned");
  }
  scan.kind = PlanKind::kCteScan;
  scan.cte_plan = cte.plan;
  scan.rel_tuples = cte.plan->plan->rows;
  return OkStatus();
}

}  // namespace minipg::sql
