/*-------------------------------------------------------------------------
 * subselect.cpp
 *   Subqueries in expressions become SubPlans (PostgreSQL's subselect.c):
 *   each kSubLink of a query level gets its subquery planned and a
 *   SubPlanInfo (nodes/plannodes.h) saying how to run it.
 *
 *   A column of the query level being planned that the subquery reads (a
 *   Var with levels_up pointing here, at any depth inside it) becomes an
 *   exec parameter $n: the sublink's args gain the column itself, which
 *   the executor evaluates for each row of this level and sets $n to
 *   before running the subplan. A subquery that reads no outer column is
 *   an InitPlan, run once per execution ("InitPlan 1 (returns $0)").
 *   Subplans are numbered after the ones inside them, as PostgreSQL does.
 *-------------------------------------------------------------------------
 */
#include <algorithm>
#include <cmath>
#include <utility>

#include "engine/common/guc.h"
#include "engine/sql/adt/builtins.h"
#include "engine/common/stack_depth.h"
#include "engine/sql/optimizer/planner.h"

namespace minipg::sql {

namespace {

struct Counters {
  int next_param = 0;
  int next_id = 1;
  // The first planned link of each subquery: a copy of a link (GROUP BY an
  // output column holding a subquery) shares its Query, planned once.
  std::vector<std::pair<const Query*, const Expr*>> planned;
};

thread_local Counters t_counters;

/* An outer column already given a parameter, for this sublink. */
struct OuterRef {
  int rtindex;
  int attno;
  int param;
};

/* Replaces the Vars of `sub` (and of everything inside it) that point
 * `depth` levels out, i.e. at the level owning `link`, with exec params;
 * each new one adds its column to link.args and its $n to arg_params. */
Status ReplaceOuterRefs(Query& sub, int depth, Expr& link, SubPlanInfo& info, std::vector<OuterRef>& refs) {
  if (Status s = CheckStackDepth(); !s.ok()) return s;
  std::vector<Query*> inner;
  for (ExprPtr* root : LevelExpressions(sub)) {
    if (*root == nullptr) continue;
    WalkExpr(**root, [&](Expr& e) {
      if (e.kind == ExprKind::kSubLink && e.subquery && e.subplan == nullptr) inner.push_back(e.subquery.get());
      if (e.kind != ExprKind::kVar || e.levels_up != depth) return;
      int param = -1;
      for (const OuterRef& r : refs) {
        if (r.rtindex == e.rtindex && r.attno == e.attno) param = r.param;
      }
      if (param < 0) {
        param = t_counters.next_param++;
        refs.push_back({e.rtindex, e.attno, param});
        ExprPtr outer = MakeVar(e.rtindex, e.attno, e.type, e.relname, e.colname, e.location);
        outer->typmod = e.typmod;
        link.args.push_back(std::move(outer));
        info.arg_params.push_back(param);
      }
      e.kind = ExprKind::kExecParam;
      e.param = param;
      e.levels_up = 0;
    });
  }
  for (RangeTblEntry& rte : sub.rtable) {
    if (rte.subquery) inner.push_back(rte.subquery.get());
  }
  for (Query* q : inner) {
    if (Status s = ReplaceOuterRefs(*q, depth + 1, link, info, refs); !s.ok()) return s;
  }
  return OkStatus();
}

/* Whether anything in `q` (at any depth) reads a parameter set outside it. */
bool ReadsOuterParams(Query& q) {
  for (ExprPtr* root : QueryExpressions(q)) {
    if (*root == nullptr) continue;
    bool found = false;
    WalkExpr(**root, [&](Expr& e) { found = found || (e.kind == ExprKind::kExecParam && !e.colname.empty()); });
    if (found) return true;
  }
  return false;
}

/* Numbers the placeholders of a test (x op $n) of ANY / ALL, not looking
 * into the sublinks inside it (their own tests): the one of output column
 * i (-1 - i until now) becomes param + i. */
void SetTestParam(Expr& test, int param) {
  std::vector<Expr*> stack{&test};
  while (!stack.empty()) {
    Expr* e = stack.back();
    stack.pop_back();
    if (e->kind == ExprKind::kExecParam && e->param < 0) e->param = param + (-1 - e->param);
    if (e->kind == ExprKind::kSubLink) continue;
    for (ExprPtr& a : e->args) {
      if (a) stack.push_back(a.get());
    }
  }
}

/* x = $n of kinds the executor can look x up among $n's values by
 * (PostgreSQL's testexpr_is_hashable): the same type, or integers, or
 * strings; x reads no $n of the test. */
bool HashableTest(Expr& test, int param) {
  if (test.kind != ExprKind::kOp || test.op == nullptr || std::string_view(test.op->name) != "=" ||
      test.args.size() != 2 || test.args[1]->kind != ExprKind::kExecParam || test.args[1]->param != param) {
    return false;
  }
  auto kind = [](TypeId t) {
    if (t == TypeId::kInt2 || t == TypeId::kInt4 || t == TypeId::kInt8) return 1;
    if (t == TypeId::kText || t == TypeId::kVarchar || t == TypeId::kName) return 2;
    return 0;
  };
  TypeId x = test.args[0]->type;
  TypeId y = test.args[1]->type;
  if (x != y && (kind(x) == 0 || kind(x) != kind(y))) return false;
  bool reads_param = false;
  WalkExpr(*test.args[0], [&](Expr& e) { reads_param = reads_param || e.kind == ExprKind::kExecParam || e.kind == ExprKind::kSubLink; });
  return !reads_param;
}

/* Whether the subquery's estimated rows fit in work_mem (subplan_is_hashable). */
bool FitsWorkMem(const Plan& plan) {
  const SessionContext* session = PlannerSession();
  double work_mem_kb = session != nullptr && session->settings != nullptr ? static_cast<double>(session->settings->Int("work_mem")) : 4096;
  double width = std::ceil(plan.width / 8.0) * 8.0;
  return plan.rows * (width + 24) <= work_mem_kb * 1024;
}

/* A copy of an already planned link: the same SubPlan, its outer values copied. */
Status ReusePlanned(Expr& link, const Expr& first) {
  link.subplan = first.subplan;
  bool test = link.sublink == SubLinkType::kAny || link.sublink == SubLinkType::kAll;
  if (test) SetTestParam(*link.args[0], link.subplan->test_param);
  link.args.resize(test ? 1 : 0);
  for (size_t i = test ? 1 : 0; i < first.args.size(); ++i) {
    auto copy = CopyExpr(*first.args[i]);
    if (!copy.ok()) return copy.error();
    link.args.push_back(std::move(*copy));
  }
  return OkStatus();
}

Status PlanOneSubLink(Expr& link) {
  for (const auto& [query, first] : t_counters.planned) {
    if (query == link.subquery.get()) return ReusePlanned(link, *first);
  }
  t_counters.planned.emplace_back(link.subquery.get(), &link);
  auto info = std::make_shared<SubPlanInfo>();
  std::vector<OuterRef> refs;
  if (Status s = ReplaceOuterRefs(*link.subquery, 1, link, *info, refs); !s.ok()) return s;
  if (link.sublink == SubLinkType::kAny || link.sublink == SubLinkType::kAll) {
    info->test_param = t_counters.next_param;
    info->test_columns = 0;
    for (const TargetEntry& t : link.subquery->targets) info->test_columns += t.resjunk ? 0 : 1;
    t_counters.next_param += info->test_columns;
    SetTestParam(*link.args[0], info->test_param);
  }
  bool correlated = !refs.empty() || ReadsOuterParams(*link.subquery);
  auto plan = PlanSubquery(*link.subquery);
  if (!plan.ok()) return plan.error();
  EstimateCosts(**plan);
  if (Status s = SetPlanReferences(**plan); !s.ok()) return s;
  RemoveTrivialSubqueryScans(*plan);
  info->plan = std::move(*plan);
  info->initplan = !correlated && link.sublink != SubLinkType::kAny && link.sublink != SubLinkType::kAll;
  info->hashed = !correlated && link.sublink == SubLinkType::kAny && HashableTest(*link.args[0], info->test_param) &&
                 FitsWorkMem(*info->plan);
  if (info->initplan) info->output_param = t_counters.next_param++;
  info->id = t_counters.next_id++;
  link.subplan = std::move(info);
  return OkStatus();
}

/* The planned SubLinks of one expression tree, not looking inside them. */
void CollectSubPlans(Expr* root, std::vector<std::shared_ptr<SubPlanInfo>>& out) {
  if (root == nullptr) return;
  WalkExpr(*root, [&](Expr& e) {
    if (e.kind == ExprKind::kSubLink && e.subplan) out.push_back(e.subplan);
  });
}

}  // namespace

int NewExecParam() { return t_counters.next_param++; }

int NewSubPlanId() { return t_counters.next_id++; }

void ResetSubPlanNumbers() { t_counters = Counters{}; }

Status PlanSubLinks(Query& q) {
  for (ExprPtr* root : LevelExpressions(q)) {
    if (*root == nullptr) continue;
    std::vector<Expr*> stack{root->get()};
    while (!stack.empty()) {
      Expr* e = stack.back();
      stack.pop_back();
      if (e->kind == ExprKind::kSubLink && e->subquery && e->subplan == nullptr) {
        if (Status s = PlanOneSubLink(*e); !s.ok()) return s;
      } else if (e->kind == ExprKind::kSubLink && !e->subquery && e->param < 0) {
        e->param = t_counters.next_param++;  // x op ANY (array): the element's $n
        SetTestParam(*e->args[0], e->param);
      }
      // Children after the node: a test's own subqueries are numbered later, as in PostgreSQL.
      for (auto it = e->args.rbegin(); it != e->args.rend(); ++it) {
        if (*it) stack.push_back(it->get());
      }
    }
  }
  return OkStatus();
}

namespace {

bool Listed(const std::vector<std::shared_ptr<SubPlanInfo>>& list, const std::shared_ptr<SubPlanInfo>& sp) {
  return std::find(list.begin(), list.end(), sp) != list.end();
}

/* One query level from `node` down: SubPlans stay on the node whose
 * expressions run them, InitPlans go to the level's top node (as
 * PostgreSQL attaches them). A Subquery Scan's input and a set
 * operation's inputs are levels of their own. */
void AttachLevel(Plan& node, Plan& top, std::vector<Plan*>& subplan_trees) {
  std::vector<Expr*> exprs = {node.qual.get(), node.joinqual.get(), node.limit_count.get(),
                              node.limit_offset.get(), node.function.get()};
  for (ExprPtr& t : node.targetlist) exprs.push_back(t.get());
  for (ExprPtr& a : node.view_args) exprs.push_back(a.get());
  for (ExprPtr& k : node.group_keys) exprs.push_back(k.get());
  for (ExprPtr& a : node.aggs) exprs.push_back(a.get());
  for (auto& row : node.values) {
    for (ExprPtr& v : row) exprs.push_back(v.get());
  }
  std::vector<std::shared_ptr<SubPlanInfo>> found;
  for (Expr* e : exprs) CollectSubPlans(e, found);
  // The level's WITH queries (PlanCtes put them on its top) stay.
  std::erase_if(node.subplans, [](const std::shared_ptr<SubPlanInfo>& sp) { return sp->cte_name.empty(); });
  for (auto& sp : found) {
    std::vector<std::shared_ptr<SubPlanInfo>>& list = sp->initplan ? top.subplans : node.subplans;
    if (!Listed(list, sp)) list.push_back(sp);
  }
  bool new_levels = node.kind == PlanKind::kSubqueryScan || node.kind == PlanKind::kAppend ||
                    node.kind == PlanKind::kSetOp || node.kind == PlanKind::kRecursiveUnion;
  for (Plan* child : node.Children()) AttachLevel(*child, new_levels ? *child : top, subplan_trees);
  if (&node == &top) {
    // InitPlans (CTEs among them) in the order they were numbered.
    auto key = [](const auto& sp) { return std::pair{sp->initplan ? 0 : 1, sp->initplan ? sp->id : 0}; };
    std::stable_sort(node.subplans.begin(), node.subplans.end(),
                     [&](const auto& a, const auto& b) { return key(a) < key(b); });
  }
  for (auto& sp : node.subplans) subplan_trees.push_back(sp->plan.get());
}

}  // namespace

void AttachSubPlans(Plan& root) {
  std::vector<Plan*> trees{&root};
  std::vector<Plan*> done;
  while (!trees.empty()) {
    Plan* tree = trees.back();
    trees.pop_back();
    if (std::find(done.begin(), done.end(), tree) != done.end()) continue;
    done.push_back(tree);
    AttachLevel(*tree, *tree, trees);
  }
}

}  // namespace minipg::sql
