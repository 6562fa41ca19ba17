/*-------------------------------------------------------------------------
 * planner.cpp
 *   Lays a Query out as a plan tree (see planner.h).
 *-------------------------------------------------------------------------
 */
#include "engine/sql/optimizer/planner.h"

#include <algorithm>

#include <fmt/format.h>

#include "engine/common/sqlstate.h"
#include "engine/common/stack_depth.h"
#include "engine/sql/adt/builtins.h"
#include "engine/sql/system_views.h"

namespace minipg::sql {

namespace {

/* Replaces each Var of a join's column with the input column (or
 * COALESCE) it stands for, as PostgreSQL's flatten_join_alias_vars. */
Status FlattenJoinAliasVars(Query& q) {
  std::vector<ExprPtr*> roots = {&q.jointree.quals};
  for (TargetEntry& t : q.targets) roots.push_back(&t.expr);
  for (ExprPtr& g : q.group_by) roots.push_back(&g);
  roots.push_back(&q.having);
  for (auto& node : q.jointree.fromlist) JoinTreeExpressions(*node, roots);  // not the subqueries': their own range tables
  for (ExprPtr* root : roots) {
    std::vector<ExprPtr*> stack{root};
    while (!stack.empty()) {
      ExprPtr* slot = stack.back();
      stack.pop_back();
      if (*slot == nullptr) continue;
      Expr& e = **slot;
      if (e.kind == ExprKind::kVar && e.levels_up == 0 && q.rte(e.rtindex).kind == RteKind::kJoin) {
        auto copy = CopyExpr(*q.rte(e.rtindex).joinaliasvars[static_cast<size_t>(e.attno)]);
        if (!copy.ok()) return copy.error();
        *slot = std::move(*copy);
        stack.push_back(slot);  // it may be another join's column
        continue;
      }
      for (ExprPtr& a : e.args) stack.push_back(&a);
    }
  }
  return OkStatus();
}

void AddQual(ExprPtr& slot, ExprPtr conj) {
  if (!slot) {
    slot = std::move(conj);
    return;
  }
  if (slot->kind != ExprKind::kBool || slot->bool_op != BoolOpKind::kAnd) {
    ExprPtr both = MakeExpr(ExprKind::kBool, TypeId::kBool, slot->location);
    both->args.push_back(std::move(slot));
    slot = std::move(both);
  }
  slot->args.push_back(std::move(conj));
}

std::vector<int> VarRelids(Expr& e) {
  std::vector<int> out;
  WalkExpr(e, [&](Expr& n) {
    if (n.kind == ExprKind::kVar && n.levels_up == 0 && std::find(out.begin(), out.end(), n.rtindex) == out.end()) {
      out.push_back(n.rtindex);
    }
  });
  return out;
}

bool Subset(const std::vector<int>& a, const std::vector<int>& b) {
  return std::all_of(a.begin(), a.end(), [&](int x) { return std::find(b.begin(), b.end(), x) != b.end(); });
}

/* Puts a WHERE condition on the lowest node that has its relations and
 * sees their rows before any outer join could make them NULL. */
bool PushQual(Plan& node, ExprPtr& conj, const std::vector<int>& relids) {
  if (!Subset(relids, node.relids)) return false;
  if (node.kind == PlanKind::kNestLoop) {
    bool left_ok = node.jointype == JoinType::kInner || node.jointype == JoinType::kLeft;
    bool right_ok = node.jointype == JoinType::kInner;
    if ((left_ok && PushQual(*node.lefttree, conj, relids)) || (right_ok && PushQual(*node.righttree, conj, relids))) {
      return true;
    }
    AddQual(node.jointype == JoinType::kInner ? node.joinqual : node.qual, std::move(conj));
    return true;
  }
  if (node.scanrelid > 0) {
    AddQual(node.qual, std::move(conj));
    return true;
  }
  return false;
}

ExprPtr OuterVar(const Plan& child, size_t i) {
  const Expr& e = *child.targetlist[i];
  ExprPtr v = MakeVar(0, static_cast<int>(i), e.type, e.kind == ExprKind::kVar ? e.relname : "",
                      e.kind == ExprKind::kVar ? e.colname : DeparseExpr(e));
  v->source = VarSource::kOuter;
  return v;
}

/* A node above `child` that passes its rows on (Sort, Limit, ...). */
std::unique_ptr<Plan> Above(PlanKind kind, std::unique_ptr<Plan> child) {
  auto node = std::make_unique<Plan>();
  node->kind = kind;
  for (size_t i = 0; i < child->targetlist.size(); ++i) node->targetlist.push_back(OuterVar(*child, i));
  node->names = child->names;
  node->relids = child->relids;
  node->rows = child->rows;
  node->lefttree = std::move(child);
  return node;
}

Result<std::unique_ptr<Plan>> PlanSelect(Query& q);

void ScanTargets(Plan& scan, const RangeTblEntry& rte, int rtindex) {
  scan.scanrelid = rtindex;
  scan.relids = {rtindex};
  scan.alias = rte.refname;
  scan.scan_width = static_cast<int>(rte.colnames.size());
  for (size_t i = 0; i < rte.colnames.size(); ++i) {
    scan.targetlist.push_back(MakeVar(rtindex, static_cast<int>(i), rte.coltypes[i], rte.refname, rte.colnames[i]));
    scan.names.push_back(rte.colnames[i]);
  }
}

Result<std::unique_ptr<Plan>> PlanRte(Query& q, int rtindex) {
  RangeTblEntry& rte = q.rte(rtindex);
  auto scan = std::make_unique<Plan>();
  switch (rte.kind) {
    case RteKind::kRelation:
      scan->kind = rte.view != nullptr ? PlanKind::kFunctionScan : PlanKind::kSeqScan;
      scan->view = rte.view;
      scan->table = rte.table;
      scan->relname = rte.view != nullptr ? std::string(rte.view->function) : rte.table->name;
      break;
    case RteKind::kSubquery: {
      auto sub = PlanSelect(*rte.subquery);
      if (!sub.ok()) return sub;
      scan->kind = PlanKind::kSubqueryScan;
      scan->lefttree = std::move(*sub);
      scan->relname = rte.refname;
      break;
    }
    case RteKind::kFunction:
      scan->kind = PlanKind::kFunctionScan;
      scan->relname = rte.function->func->name;
      scan->function = std::move(rte.function);
      break;
    case RteKind::kValues:
      scan->kind = PlanKind::kValuesScan;
      scan->relname = "*VALUES*";
      scan->values = std::move(rte.values);
      scan->rows = static_cast<double>(scan->values.size());
      break;
    case RteKind::kJoin:
      return MakeError(sqlstate::kInternalError, "a join entry is not scanned");
  }
  ScanTargets(*scan, rte, rtindex);
  return scan;
}

std::unique_ptr<Plan> NestLoop(JoinType type, std::unique_ptr<Plan> left, std::unique_ptr<Plan> right, ExprPtr quals) {
  if (type == JoinType::kRight) {  // a nested loop reads its outer side once: swap to a left join
    std::swap(left, right);
    type = JoinType::kLeft;
  }
  auto node = std::make_unique<Plan>();
  node->kind = PlanKind::kNestLoop;
  node->jointype = type;
  node->joinqual = std::move(quals);
  for (const Plan* side : {left.get(), right.get()}) {
    for (size_t i = 0; i < side->targetlist.size(); ++i) {
      const Expr& v = *side->targetlist[i];
      node->targetlist.push_back(MakeVar(v.rtindex, v.attno, v.type, v.relname, v.colname));
      node->names.push_back(side->names[i]);
    }
    node->relids.insert(node->relids.end(), side->relids.begin(), side->relids.end());
  }
  node->lefttree = std::move(left);
  node->righttree = std::move(right);
  return node;
}

Result<std::unique_ptr<Plan>> PlanJoinTree(Query& q, JoinTreeNode& node) {
  if (Status s = CheckStackDepth(); !s.ok()) {
    return s.error();
  }
  if (node.kind == JoinTreeNode::Kind::kRangeTblRef) {
    return PlanRte(q, node.rtindex);
  }
  auto left = PlanJoinTree(q, *node.left);
  if (!left.ok()) return left;
  auto right = PlanJoinTree(q, *node.right);
  if (!right.ok()) return right;
  return NestLoop(node.jointype, std::move(*left), std::move(*right), std::move(node.quals));
}

Result<std::unique_ptr<Plan>> PlanSelect(Query& q) {
  if (Status s = CheckStackDepth(); !s.ok()) {
    return s.error();
  }
  if (Status s = PlanSubLinks(q); !s.ok()) {
    return s.error();
  }
  if (Status s = FlattenJoinAliasVars(q); !s.ok()) {
    return s.error();
  }
  std::unique_ptr<Plan> top;
  for (auto& item : q.jointree.fromlist) {
    auto plan = PlanJoinTree(q, *item);
    if (!plan.ok()) return plan;
    top = top ? NestLoop(JoinType::kInner, std::move(top), std::move(*plan), nullptr) : std::move(*plan);
  }
  if (!top) {
    top = std::make_unique<Plan>();
    top->kind = PlanKind::kResult;
    top->qual = std::move(q.jointree.quals);
    top->rows = 1;
  } else if (q.jointree.quals) {
    std::vector<ExprPtr> conjuncts;
    ExprPtr& where = q.jointree.quals;
    if (where->kind == ExprKind::kBool && where->bool_op == BoolOpKind::kAnd) {
      for (ExprPtr& a : where->args) conjuncts.push_back(std::move(a));
    } else {
      conjuncts.push_back(std::move(where));
    }
    for (ExprPtr& conj : conjuncts) {
      std::vector<int> relids = VarRelids(*conj);
      if (!PushQual(*top, conj, relids)) AddQual(top->qual, std::move(conj));
    }
  }
  if (q.has_aggs || !q.group_by.empty() || q.having) {
    auto agg = PlanAggregation(q, std::move(top));
    if (!agg.ok()) return agg;
    top = std::move(*agg);
  } else {
    // The top node computes the select list (ORDER BY's junk columns last).
    top->targetlist.clear();
    top->names.clear();
    for (TargetEntry& t : q.targets) {
      top->targetlist.push_back(std::move(t.expr));
      top->names.push_back(t.name);
    }
  }
  if (!q.sort.empty()) {
    top = Above(PlanKind::kSort, std::move(top));
    for (const SortClause& s : q.sort) {
      TypeId type = top->lefttree->targetlist[static_cast<size_t>(s.tle)]->type;
      top->sort_keys.push_back(SortKey{s.tle, s.descending, s.nulls_first, type});
    }
  }
  if (q.limit || q.offset) {
    top = Above(PlanKind::kLimit, std::move(top));
    top->limit_count = std::move(q.limit);
    top->limit_offset = std::move(q.offset);
  }
  return top;
}

/* INSERT: ModifyTable over the rows to insert. */
Result<std::unique_ptr<Plan>> PlanInsert(Query& q) {
  if (Status s = PlanSubLinks(q); !s.ok()) {
    return s.error();
  }
  int values_rt = q.jointree.fromlist[0]->rtindex;
  RangeTblEntry& values = q.rte(values_rt);
  std::unique_ptr<Plan> rows;
  if (values.values.size() == 1) {
    rows = std::make_unique<Plan>();
    rows->kind = PlanKind::kResult;
    rows->targetlist = std::move(values.values[0]);
    rows->names = values.colnames;
    rows->rows = 1;
  } else {
    auto scan = PlanRte(q, values_rt);
    if (!scan.ok()) return scan;
    rows = std::move(*scan);
  }
  auto node = std::make_unique<Plan>();
  node->kind = PlanKind::kModifyTable;
  node->table = q.rte(q.result_relation).table;
  node->relname = node->table->name;
  node->lefttree = std::move(rows);
  return node;
}

std::string UtilityDetail(const Query& q) {
  switch (q.kind) {
    case StatementKind::kCreateTable: {
      std::string cols;
      for (const auto& c : q.create_columns) {
        cols += (cols.empty() ? "" : ", ") + c.name + " " + TypeName(FromColumnType(c.type));
      }
      return "CREATE TABLE " + q.create_name + " (" + cols + ")";
    }
    case StatementKind::kDropTable: {
      std::string names;
      for (const auto& n : q.drop_names) names += (names.empty() ? "" : ", ") + n;
      return "DROP TABLE " + names;
    }
    case StatementKind::kShow:
      return "SHOW " + q.setting;
    case StatementKind::kSet:
      return fmt::format("SET {} = {}", q.setting, q.setting_value.value_or("DEFAULT"));
    default:
      return q.statement;
  }
}

}  // namespace

Result<std::unique_ptr<Plan>> PlanSubquery(Query& query) { return PlanSelect(query); }

Result<PlannedStmt> PlanQuery(Query& q) {
  ResetSubPlanNumbers();
  PlannedStmt out;
  out.command = q.kind;
  out.columns = q.OutputColumns();
  out.qualify = q.rtable.size() > 1;
  Result<std::unique_ptr<Plan>> root = MakeError(sqlstate::kInternalError, "not planned");
  if (q.kind == StatementKind::kSelect) {
    root = PlanSelect(q);
  } else if (q.kind == StatementKind::kInsert) {
    root = PlanInsert(q);
  } else {
    root = std::make_unique<Plan>();
    (*root)->kind = PlanKind::kUtility;
    (*root)->detail = UtilityDetail(q);
  }
  if (!root.ok()) return root.error();
  EstimateCosts(**root);
  if (Status s = SetPlanReferences(**root); !s.ok()) {
    return s.error();
  }
  AttachSubPlans(**root);
  out.root = std::move(*root);
  out.Number();
  return out;
}

}  // namespace minipg::sql
