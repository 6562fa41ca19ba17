/*-------------------------------------------------------------------------
 * planner.cpp
 *   Lays a Query out as a plan tree (see planner.h).
 *-------------------------------------------------------------------------
 */
#include "engine/sql/optimizer/planner.h"
#include "engine/sql/system_columns.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include <fmt/format.h>

#include "engine/catalog/catalog_access.h"
#include "engine/common/guc.h"
#include "engine/common/sqlstate.h"
#include "engine/common/stack_depth.h"
#include "engine/sql/adt/builtins.h"
#include "engine/sql/system_views.h"
#include "engine/storage/smgr/smgr.h"

namespace minipg::sql {

namespace {

/* The session being planned for (PlanQuery sets it): where the tables'
 * files are, and the enable_* settings. nullptr: neither is known. */
thread_local const SessionContext* t_planner_ctx = nullptr;

/* A Seq Scan's size: its file's blocks now and pg_class's statistics. */
void SetScanSize(Plan& scan, const storage::TableDef& table) {
  double nblocks = 0;
  if (t_planner_ctx != nullptr && !t_planner_ctx->data_dir.empty()) {
    auto n = storage::SmgrNBlocks(catalog::TableLocator(t_planner_ctx->data_dir, table), storage::ForkNumber::kMain);
    if (n.ok()) nblocks = static_cast<double>(*n);
  }
  SetRelationSize(scan, table, nblocks);
}

/* generate_series(a, b [, step]) of integer constants has (b - a) / step + 1
 * rows, as PostgreSQL's support function says; other functions 1,000. */
double FunctionRows(const Expr& call) {
  if (call.func == nullptr || std::string_view(call.func->name) != "generate_series") return -1;
  std::vector<int64_t> v;
  for (const ExprPtr& a : call.args) {
    const int64_t* n = a->kind == ExprKind::kConst ? std::get_if<int64_t>(&a->value) : nullptr;
    if (n == nullptr) return -1;
    v.push_back(*n);
  }
  if (v.size() < 2) return -1;
  int64_t step = v.size() > 2 ? v[2] : 1;
  if (step == 0) return -1;
  double rows = std::floor(static_cast<double>(v[1] - v[0]) / static_cast<double>(step)) + 1;
  return std::max(0.0, rows);
}

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
    bool left_ok = node.jointype != JoinType::kFull;  // inner, left, semi, anti: the outer row as it was
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

/* A join's ON condition (a semi or anti join's: the subquery's WHERE):
 * each AND arm that reads only one input goes down into it where that
 * keeps the join's meaning (the side whose rows the join may NULL-extend
 * or drop unmatched: an outer join's nullable side; either side of an
 * inner or semi join); what is left is returned, the join's own. */
ExprPtr DistributeJoinQuals(JoinType type, Plan& left, Plan& right, ExprPtr quals) {
  if (!quals || type == JoinType::kFull) return quals;
  bool into_left = type == JoinType::kInner || type == JoinType::kSemi || type == JoinType::kRight;
  bool into_right = type != JoinType::kRight;
  std::vector<ExprPtr> conjuncts;
  if (quals->kind == ExprKind::kBool && quals->bool_op == BoolOpKind::kAnd) {
    for (ExprPtr& a : quals->args) conjuncts.push_back(std::move(a));
  } else {
    conjuncts.push_back(std::move(quals));
  }
  ExprPtr rest;
  for (ExprPtr& conj : conjuncts) {
    // A correlated [NOT] EXISTS run as a SubPlan (inside the subquery that
    // made this join; PostgreSQL would make it one more join) is left to
    // the join, to run only for the pairs its other conditions accept.
    const Expr* link = conj->kind == ExprKind::kBool && conj->bool_op == BoolOpKind::kNot ? conj->args[0].get() : conj.get();
    if (link->kind == ExprKind::kSubLink && link->sublink == SubLinkType::kExists && link->subplan &&
        !link->subplan->initplan) {
      AddQual(rest, std::move(conj));
      continue;
    }
    std::vector<int> relids = VarRelids(*conj);
    if (!relids.empty() && into_right && PushQual(right, conj, relids)) continue;
    if (!relids.empty() && into_left && PushQual(left, conj, relids)) continue;
    AddQual(rest, std::move(conj));
  }
  return rest;
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

/* LIMIT n OFFSET m of constants: the n + m rows a Sort below must order
 * (0 if not known). */
double LimitBound(const ExprPtr& count, const ExprPtr& offset) {
  double bound = 0;
  for (const ExprPtr& e : {std::cref(count), std::cref(offset)}) {
    if (!e) continue;
    const int64_t* n = e->kind == ExprKind::kConst ? std::get_if<int64_t>(&e->value) : nullptr;
    if (n == nullptr) return 0;
    bound += static_cast<double>(*n);
  }
  return count ? bound : 0;
}

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
      scan->view_args = std::move(rte.view_args);
      scan->table = rte.table;
      scan->relname = rte.view != nullptr ? std::string(rte.view->function) : rte.table->name;
      if (rte.view == nullptr) SetScanSize(*scan, *rte.table);
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
      scan->rel_tuples = FunctionRows(*scan->function);
      scan->ordinality = rte.ordinality;
      break;
    case RteKind::kValues:
      scan->kind = PlanKind::kValuesScan;
      scan->relname = "*VALUES*";
      scan->values = std::move(rte.values);
      scan->rows = static_cast<double>(scan->values.size());
      break;
    case RteKind::kCte:
      if (Status s = PlanCteScan(*scan, rte); !s.ok()) return s.error();
      break;
    case RteKind::kJoin:
      // A pulled-up LATERAL (SELECT exprs): its columns were replaced by
      // their expressions; what is left to join is one empty row.
      scan->kind = PlanKind::kResult;
      scan->rows = 1;
      scan->relids = {rtindex};
      return scan;
  }
  ScanTargets(*scan, rte, rtindex);
  // UPDATE / DELETE's table, a table SELECT ... FOR UPDATE locks: its rows' ctids too
  if ((rtindex == q.result_relation && q.ctid_target >= 0) || rte.row_locked) {
    scan->emit_ctid = true;
    scan->targetlist.push_back(
        MakeVar(rtindex, static_cast<int>(rte.colnames.size()), TypeId::kInt8, rte.refname, "ctid"));
    scan->names.push_back("ctid");
  }
  if (rte.system_columns && scan->kind == PlanKind::kSeqScan) {  // xmin, ctid ...: after the junk ctid slot
    scan->emit_system_columns = true;
    for (size_t i = 0; i < kSystemColumns.size(); ++i) {
      const SystemColumn& c = kSystemColumns[i];
      scan->targetlist.push_back(MakeVar(rtindex, SystemColumnAttno(rte.colnames.size(), static_cast<int>(i)), c.type,
                                         rte.refname, std::string(c.name)));
      scan->names.push_back(std::string(c.name));
    }
  }
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
    // A semi or anti join returns its outer rows only.
    bool outer_only = type == JoinType::kSemi || type == JoinType::kAnti;
    for (size_t i = 0; i < side->targetlist.size() && (side == left.get() || !outer_only); ++i) {
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
  ExprPtr quals = DistributeJoinQuals(node.jointype, **left, **right, std::move(node.quals));
  return NestLoop(node.jointype, std::move(*left), std::move(*right), std::move(quals));
}

/* FROM, WHERE, grouping and the select list: the plan below DISTINCT,
 * ORDER BY and LIMIT. */
Result<std::unique_ptr<Plan>> PlanSelectList(Query& q) {
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
  if (Status s = ChooseIndexScans(*top); !s.ok()) {
    return s.error();
  }
  JoinMethods enabled;
  if (t_planner_ctx != nullptr && t_planner_ctx->settings != nullptr) {
    enabled.hashjoin = t_planner_ctx->settings->Bool("enable_hashjoin");
    enabled.nestloop = t_planner_ctx->settings->Bool("enable_nestloop");
    enabled.material = t_planner_ctx->settings->Bool("enable_material");
    enabled.mergejoin = t_planner_ctx->settings->Bool("enable_mergejoin");
  }
  ChooseJoinMethods(*top, enabled);
  if (q.has_aggs || !q.group_by.empty() || q.having) {
    auto agg = PlanAggregation(q, std::move(top));
    if (!agg.ok()) return agg;
    top = std::move(*agg);
  } else {
    // The top node computes the select list (ORDER BY's junk columns last;
    // an UPDATE / DELETE over a join: its EvalPlanQual junk before RETURNING's).
    std::vector<ExprPtr> old_targets = std::move(top->targetlist);
    std::vector<std::string> old_names = std::move(top->names);
    bool epq_junk = q.ctid_target >= 0 && (top->kind == PlanKind::kNestLoop || top->kind == PlanKind::kHashJoin ||
                                           top->kind == PlanKind::kMergeJoin);
    size_t junk_at = q.targets.size() - static_cast<size_t>(q.returning);
    top->targetlist.clear();
    top->names.clear();
    for (size_t i = 0; i <= q.targets.size(); ++i) {
      if (epq_junk && i == junk_at) {
        for (size_t j = 0; j < old_targets.size(); ++j) {
          const Expr& v = *old_targets[j];
          top->targetlist.push_back(MakeVar(v.rtindex, v.attno, v.type, v.relname, v.colname));
          top->names.push_back(old_names[j]);
        }
      }
      if (i == q.targets.size()) break;
      top->targetlist.push_back(std::move(q.targets[i].expr));
      top->names.push_back(q.targets[i].name);
    }
  }
  if (HasWindowFuncs(top->targetlist)) return PlanWindows(std::move(top), !q.distinct);
  return top;
}

Result<std::unique_ptr<Plan>> PlanSelect(Query& q) {
  if (Status s = CheckStackDepth(); !s.ok()) {
    return s.error();
  }
  auto ctes = PlanCtes(q);  // first, as PostgreSQL numbers them
  if (!ctes.ok()) return ctes.error();
  std::vector<PlanRowMark> row_marks;  // SELECT ... FOR UPDATE: LockRows under LIMIT
  for (const RowMark& m : q.row_marks) {
    row_marks.push_back(PlanRowMark{m.ctid_target, *q.rte(m.rtindex).table, m.strength, m.wait});
  }
  if (Status s = PullUpSubLinks(q); !s.ok()) {
    return s.error();
  }
  if (Status s = PullUpSubqueries(q); !s.ok()) {
    return s.error();
  }
  if (Status s = PlanSubLinks(q); !s.ok()) {
    return s.error();
  }
  // LockRows' EvalPlanQual takes an exec param number in PostgreSQL (epqParam),
  // after the level's subplans' and before its nestloops': the same $n follow.
  if (!row_marks.empty()) NewExecParam();
  if (Status s = FlattenJoinAliasVars(q); !s.ok()) {
    return s.error();
  }
  auto body = q.setop ? PlanSetOperations(q) : PlanSelectList(q);
  if (!body.ok()) return body;
  std::unique_ptr<Plan> top = std::move(*body);
  if (q.distinct && q.distinct_on.empty()) {
    top = MakeHashDistinct(std::move(top));
  }
  if (!q.sort.empty()) {
    std::vector<SortKey> keys;
    for (const SortClause& s : q.sort) {
      TypeId type = top->targetlist[static_cast<size_t>(s.tle)]->type;
      keys.push_back(SortKey{s.tle, s.descending, s.nulls_first, type});
    }
    Result<bool> ordered = false;
    if (WindowOrderSatisfies(*top, keys)) {
      ordered = true;
    } else if (q.distinct_on.empty()) {
      ordered = UseIndexOrder(*top, keys, LimitBound(q.limit, q.offset));
    }
    if (!ordered.ok()) return ordered.error();
    if (!*ordered) {
      top = Above(PlanKind::kSort, std::move(top));
      top->sort_keys = std::move(keys);
    }
  }
  if (!q.distinct_on.empty()) {
    top = Above(PlanKind::kUnique, std::move(top));
    top->unique_cols = q.distinct_on;
  }
  if (!row_marks.empty()) {
    top = Above(PlanKind::kLockRows, std::move(top));
    top->row_marks = std::move(row_marks);
  }
  if (q.limit || q.offset) {
    top = Above(PlanKind::kLimit, std::move(top));
    top->limit_count = std::move(q.limit);
    top->limit_offset = std::move(q.offset);
    if (top->lefttree->kind == PlanKind::kSort) top->lefttree->sort_bound = LimitBound(top->limit_count, top->limit_offset);
  }
  top->subplans.insert(top->subplans.begin(), ctes->begin(), ctes->end());  // "CTE name" under the level's top
  return top;
}

/* INSERT, UPDATE, DELETE: ModifyTable over the rows its child makes (see
 * Plan::operation): one row of VALUES is a Result, anything else is
 * planned as a SELECT of the query's targets (for UPDATE and DELETE a scan
 * or join whose target table's scan carries each row's ctid). */
Result<std::unique_ptr<Plan>> PlanModify(Query& q) {
  std::unique_ptr<Plan> rows;
  const JoinTreeNode& first = *q.jointree.fromlist[0];
  RangeTblEntry& source = q.rte(first.rtindex);
  if (q.kind == StatementKind::kInsert && source.kind == RteKind::kValues && source.values.size() == 1 &&
      q.returning == 0) {
    if (Status s = PlanSubLinks(q); !s.ok()) {
      return s.error();
    }
    rows = std::make_unique<Plan>();
    rows->kind = PlanKind::kResult;
    rows->targetlist = std::move(source.values[0]);
    rows->names = source.colnames;
    rows->rows = 1;
  } else {
    auto select = PlanSelect(q);
    if (!select.ok()) return select;
    rows = std::move(*select);
  }
  auto node = std::make_unique<Plan>();
  node->kind = PlanKind::kModifyTable;
  node->operation = q.kind;
  const RangeTblEntry& target = q.rte(q.result_relation);
  node->table = target.table;
  node->relname = node->table->name;
  node->alias = target.refname;
  node->returning = q.returning;
  node->on_conflict = q.on_conflict;
  node->arbiter_indexes = q.arbiter_indexes;
  node->conflict_set = std::move(q.conflict_set);
  node->conflict_where = std::move(q.conflict_where);
  // DO UPDATE reads the existing row as the scan row, EXCLUDED as the inner one.
  auto rows_of = [excluded = q.conflict_excluded](Expr& e) {
    if (e.kind == ExprKind::kVar) e.source = e.rtindex == excluded ? VarSource::kInner : VarSource::kScan;
  };
  for (ExprPtr& e : node->conflict_set) {
    if (e) WalkExpr(*e, rows_of);
  }
  if (node->conflict_where) WalkExpr(*node->conflict_where, rows_of);
  node->conflict_returning = std::move(q.conflict_returning);
  for (ExprPtr& e : node->conflict_returning) WalkExpr(*e, rows_of);
  for (size_t i = rows->targetlist.size() - static_cast<size_t>(q.returning); i < rows->targetlist.size(); ++i) {
    node->targetlist.push_back(OuterVar(*rows, i));
    node->names.push_back(rows->names[i]);
  }
  node->rows = rows->rows;
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

namespace {

/* The range table entries of a statement, its subqueries' included: with
 * more than one, EXPLAIN qualifies column names (PostgreSQL counts its
 * flattened range table, which has every subquery's entries). */
size_t CountRangeTables(Query& q) {
  size_t n = q.rtable.size();
  for (ExprPtr* root : LevelExpressions(q)) {
    if (*root == nullptr) continue;
    std::vector<Query*> subs;
    WalkExpr(**root, [&](Expr& e) {
      if (e.kind == ExprKind::kSubLink && e.subquery) subs.push_back(e.subquery.get());
    });
    for (Query* sub : subs) n += CountRangeTables(*sub);
  }
  for (RangeTblEntry& rte : q.rtable) {
    if (rte.subquery) n += CountRangeTables(*rte.subquery);
  }
  return n;
}

}  // namespace

void AddQual(ExprPtr& slot, ExprPtr conj) {
  if (!conj) return;
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

const SessionContext* PlannerSession() { return t_planner_ctx; }

std::unique_ptr<Plan> PlanAbove(PlanKind kind, std::unique_ptr<Plan> child) { return Above(kind, std::move(child)); }

ExprPtr PlanOuterVar(const Plan& child, size_t column) { return OuterVar(child, column); }

Result<std::unique_ptr<Plan>> PlanRangeEntry(Query& q, int rtindex) { return PlanRte(q, rtindex); }

Result<std::unique_ptr<Plan>> PlanSubquery(Query& query) { return PlanSelect(query); }

Result<PlannedStmt> PlanQuery(Query& q, const SessionContext* ctx) {
  t_planner_ctx = ctx;
  ResetSubPlanNumbers();
  PlannedStmt out;
  out.command = q.kind;
  out.columns = q.OutputColumns();
  out.qualify = CountRangeTables(q) > 1 || !q.ctes.empty();  // a WITH query's relations count too, as in PostgreSQL
  Result<std::unique_ptr<Plan>> root = MakeError(sqlstate::kInternalError, "not planned");
  if (Status s = InlineCtes(q); !s.ok()) {
    root = s.error();
  } else if (q.kind == StatementKind::kSelect) {
    root = PlanSelect(q);
  } else if (q.kind == StatementKind::kInsert || q.kind == StatementKind::kUpdate ||
             q.kind == StatementKind::kDelete) {
    root = PlanModify(q);
  } else {
    root = std::make_unique<Plan>();
    (*root)->kind = PlanKind::kUtility;
    (*root)->detail = UtilityDetail(q);
  }
  t_planner_ctx = nullptr;
  if (!root.ok()) return root.error();
  UseIndexOnlyScans(**root);
  EstimateCosts(**root);
  if (Status s = SetPlanReferences(**root); !s.ok()) {
    return s.error();
  }
  RemoveTrivialSubqueryScans(*root);
  AttachSubPlans(**root);
  UniquifyScanNames(**root);
  out.root = std::move(*root);
  out.Number();
  return out;
}

}  // namespace minipg::sql
