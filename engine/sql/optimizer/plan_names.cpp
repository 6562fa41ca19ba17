/*-------------------------------------------------------------------------
 * plan_names.cpp
 *   EXPLAIN's relation names, unique across the statement (PostgreSQL's
 *   set_rtable_names): a scan whose name an earlier one already took is
 *   shown as name_1 (then name_2, ...), and so are the columns read
 *   through it ("Seq Scan on t t_1", "Hash Cond: (t_1.a = r_1.n)").
 *
 *   The order is PostgreSQL's range table order, approximated on the
 *   plan: the main query level's scans first (in plan order), then those
 *   of the subqueries below its Subquery Scans, then each subplan's (CTE,
 *   InitPlan, SubPlan) in the order they are numbered.
 *-------------------------------------------------------------------------
 */
#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "engine/sql/optimizer/planner.h"

namespace minipg::sql {

namespace {

std::vector<Expr*> NodeExprs(Plan& node) {
  std::vector<Expr*> out = {node.qual.get(), node.joinqual.get(), node.limit_count.get(), node.limit_offset.get(),
                            node.function.get()};
  for (auto* list : {&node.targetlist, &node.group_keys, &node.aggs, &node.equi_clauses, &node.indexquals,
                     &node.nest_param_exprs}) {
    for (ExprPtr& e : *list) out.push_back(e.get());
  }
  return out;
}

bool NamedScan(const Plan& node) {
  switch (node.kind) {
    case PlanKind::kSeqScan:
    case PlanKind::kIndexScan:
    case PlanKind::kIndexOnlyScan:
    case PlanKind::kBitmapHeapScan:
    case PlanKind::kFunctionScan:
    case PlanKind::kSubqueryScan:
    case PlanKind::kCteScan:
    case PlanKind::kWorkTableScan:
      return node.scanrelid > 0;
    default:
      return false;
  }
}

class Namer {
 public:
  /* Names one query level's scans, then the levels below its Subquery Scans. */
  void Level(Plan& top) {
    std::vector<Plan*> scans;
    std::vector<Plan*> below;
    Collect(top, scans, below);
    for (Plan* scan : scans) Name(*scan);
    for (Plan* sub : below) Level(*sub);
  }

  void Subplans(Plan& node, std::vector<SubPlanInfo*>& out) {
    for (auto& sp : node.subplans) {
      if (std::find(out.begin(), out.end(), sp.get()) != out.end()) continue;
      out.push_back(sp.get());
      Subplans(*sp->plan, out);
    }
    for (Plan* child : node.Children()) Subplans(*child, out);
  }

  bool renamed() const { return renamed_; }

 private:
  void Collect(Plan& node, std::vector<Plan*>& scans, std::vector<Plan*>& below) {
    if (NamedScan(node)) scans.push_back(&node);
    if (node.kind == PlanKind::kSubqueryScan && node.lefttree) {
      below.push_back(node.lefttree.get());
      return;
    }
    for (Plan* child : node.Children()) Collect(*child, scans, below);
  }

  void Name(Plan& scan) {
    std::string name = scan.alias.empty() ? scan.relname : scan.alias;
    if (used_.insert(name).second) return;
    std::string unique;
    for (int& n = counters_[name];;) {
      unique = name + "_" + std::to_string(++n);
      if (used_.insert(unique).second) break;
    }
    scan.alias = unique;
    renamed_ = true;
    for (Expr* e : NodeExprs(scan)) {
      if (e == nullptr) continue;
      WalkExpr(*e, [&](Expr& v) {
        if (v.kind == ExprKind::kVar && v.source == VarSource::kScan) v.relname = unique;
      });
    }
  }

  std::set<std::string> used_;
  std::map<std::string, int> counters_;
  bool renamed_ = false;
};

/* Each Var read from a child shows the name its child's column shows
 * (children first, so a renamed scan's name climbs the whole tree). */
void PropagateNames(Plan& node) {
  for (Plan* child : node.Children()) PropagateNames(*child);
  for (auto& sp : node.subplans) PropagateNames(*sp->plan);
  Plan* outer = node.lefttree ? node.lefttree.get() : node.appendplans.empty() ? nullptr : node.appendplans[0].get();
  Plan* inner = node.righttree.get();
  for (Expr* e : NodeExprs(node)) {
    if (e == nullptr) continue;
    WalkExpr(*e, [&](Expr& v) {
      if (v.kind != ExprKind::kVar) return;
      Plan* from = v.source == VarSource::kOuter ? outer : v.source == VarSource::kInner ? inner : nullptr;
      if (from == nullptr || v.attno < 0 || static_cast<size_t>(v.attno) >= from->targetlist.size()) return;
      const Expr& t = *from->targetlist[static_cast<size_t>(v.attno)];
      if (t.kind == ExprKind::kVar) v.relname = t.relname;
    });
  }
}

}  // namespace

void UniquifyScanNames(Plan& root) {
  Namer namer;
  namer.Level(root);
  std::vector<SubPlanInfo*> subplans;
  namer.Subplans(root, subplans);
  std::sort(subplans.begin(), subplans.end(), [](const SubPlanInfo* a, const SubPlanInfo* b) { return a->id < b->id; });
  for (SubPlanInfo* sp : subplans) namer.Level(*sp->plan);
  if (namer.renamed()) PropagateNames(root);
}

}  // namespace minipg::sql
