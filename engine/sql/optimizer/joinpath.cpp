/*-------------------------------------------------------------------------
 * joinpath.cpp
 *   How each join is done (PostgreSQL's joinpath.c, for the join order the
 *   query wrote): the planner lays every join out as a Nested Loop, then
 *   ChooseJoinMethods prices, bottom up,
 *
 *     Nested Loop                  the inner side rescanned per outer row
 *     Nested Loop + Materialize    the inner side read once, kept in memory
 *     Merge Join                   on the join's equality conditions whose
 *                                  sides each read one input (Merge Cond),
 *                                  both sides sorted on them
 *     Hash Join                    on the same conditions (Hash Cond), the
 *                                  inner side hashed
 *     Nested Loop + Index Scan     the inner table read by an index on one
 *                                  of those conditions' columns, the outer
 *                                  row's value its parameter (indxpath.cpp)
 *   (the two for an inner or full join also with the inputs swapped; a
 *   semi or anti join never swaps: PostgreSQL 15 has no right semi/anti)
 *     Hash Join / Nested Loop     a semi join on equalities only, as an
 *       over a HashAggregate      inner join with its inner side made
 *                                 unique on the keys, either side hashed,
 *                                 or driving an index scan of the outer
 *                                 table (PostgreSQL's unique-ified path)
 *
 *   and keeps the cheapest (enable_hashjoin / enable_mergejoin /
 *   enable_nestloop / enable_material off add PostgreSQL's disable_cost to a method).
 *   A condition is hashable when both sides are of one kind the hash
 *   table hashes alike: integers, strings, floats, booleans, dates,
 *   timestamps (not numeric: 1.0 = 1.00).
 *-------------------------------------------------------------------------
 */
#include <algorithm>

#include "engine/sql/adt/builtins.h"
#include "engine/sql/optimizer/planner.h"

namespace minipg::sql {

namespace {

constexpr double kDisableCost = 1.0e10;

int HashClass(TypeId t) {
  switch (t) {
    case TypeId::kInt2:
    case TypeId::kInt4:
    case TypeId::kInt8:
    case TypeId::kOid: return 1;
    case TypeId::kText:
    case TypeId::kVarchar:
    case TypeId::kName: return 2;
    case TypeId::kFloat4:
    case TypeId::kFloat8: return 3;
    case TypeId::kBool: return 4;
    case TypeId::kDate: return 5;
    case TypeId::kTimestamp: return 6;
    case TypeId::kTimestampTz: return 7;
    default: return 0;
  }
}

std::vector<int> Relids(Expr& e) {
  std::vector<int> out;
  WalkExpr(e, [&](Expr& n) {
    if (n.kind == ExprKind::kVar && n.levels_up == 0) out.push_back(n.rtindex);
  });
  return out;
}

bool Within(const std::vector<int>& a, const std::vector<int>& b) {
  return !a.empty() &&
         std::all_of(a.begin(), a.end(), [&](int x) { return std::find(b.begin(), b.end(), x) != b.end(); });
}

/* 0: not an equality a Hash or Merge Join can use; 1: outer = inner; 2: inner = outer (swap to use). */
int HashClauseSide(Expr& c, const Plan& node) {
  if (c.kind != ExprKind::kOp || c.op == nullptr || std::string_view(c.op->name) != "=" || c.args.size() != 2) return 0;
  // numeric sorts (Merge Join) but does not hash alike (1.0 = 1.00).
  auto equi_class = [](TypeId t) { return t == TypeId::kNumeric ? 8 : HashClass(t); };
  int cls = equi_class(c.args[0]->type);
  if (cls == 0 || cls != equi_class(c.args[1]->type)) return 0;
  std::vector<int> l = Relids(*c.args[0]);
  std::vector<int> r = Relids(*c.args[1]);
  if (Within(l, node.lefttree->relids) && Within(r, node.righttree->relids)) return 1;
  if (Within(l, node.righttree->relids) && Within(r, node.lefttree->relids) && c.args[0]->type == c.args[1]->type) {
    return 2;
  }
  return 0;
}

/* A `kind` node over `child` that passes its rows on (Hash, Materialize,
 * Sort), with `sort_keys` for a Sort. */
std::unique_ptr<Plan> Wrap(PlanKind kind, std::unique_ptr<Plan> child, std::vector<SortKey> sort_keys = {}) {
  auto node = std::make_unique<Plan>();
  node->kind = kind;
  node->sort_keys = std::move(sort_keys);
  for (size_t i = 0; i < child->targetlist.size(); ++i) {
    const Expr* v = child->targetlist[i].get();
    if (child->kind == PlanKind::kAgg && v->source == VarSource::kScan) v = child->group_keys[static_cast<size_t>(v->attno)].get();
    node->targetlist.push_back(MakeVar(v->rtindex, v->attno, v->type, v->relname, v->colname));
    node->names.push_back(child->names[i]);
  }
  node->relids = child->relids;
  node->lefttree = std::move(child);
  EstimateCosts(*node);
  return node;
}

/* A Sort over `child` on each clause's side `side` (0: args[0], 1: args[1]),
 * a Var of the child's output; ascending, NULLs last. */
std::unique_ptr<Plan> SortedOn(std::unique_ptr<Plan> child, const std::vector<ExprPtr>& clauses, int side) {
  std::vector<SortKey> keys;
  for (const ExprPtr& c : clauses) {
    const Expr& v = *c->args[static_cast<size_t>(side)];
    for (size_t i = 0; i < child->targetlist.size(); ++i) {
      const Expr& t = *child->targetlist[i];
      if (t.kind == ExprKind::kVar && t.rtindex == v.rtindex && t.attno == v.attno) {
        keys.push_back(SortKey{static_cast<int>(i), false, false, t.type});
        break;
      }
    }
  }
  return Wrap(PlanKind::kSort, std::move(child), std::move(keys));
}

/* Whether a node keeps its rows for a rescan already (no Materialize needed). */
bool Materializes(const Plan& p) {
  return p.kind == PlanKind::kMaterialize || p.kind == PlanKind::kFunctionScan || p.kind == PlanKind::kSort ||
         p.kind == PlanKind::kValuesScan;
}

/* A semi join's inner side made unique on the join keys (each clause's
 * args[1]): a HashAggregate returning just the keys. Its output column k
 * is a Var of the scan row whose group key k setrefs matches. */
std::unique_ptr<Plan> MakeUnique(std::unique_ptr<Plan> input, const std::vector<ExprPtr>& clauses) {
  auto node = std::make_unique<Plan>();
  node->kind = PlanKind::kAgg;
  node->hashed = true;
  for (const ExprPtr& c : clauses) {
    const Expr& key = *c->args[1];
    ExprPtr copy = MakeVar(key.rtindex, key.attno, key.type, key.relname, key.colname, key.location);
    copy->typmod = key.typmod;
    ExprPtr column = MakeVar(0, static_cast<int>(node->group_keys.size()), key.type, key.relname, key.colname);
    column->source = VarSource::kScan;
    node->group_keys.push_back(std::move(copy));
    node->targetlist.push_back(std::move(column));
    node->names.push_back(key.colname);
  }
  node->relids = input->relids;
  node->lefttree = std::move(input);
  EstimateCosts(*node);
  return node;
}

/* The candidates 7-9 of ChooseJoinMethods. */
struct UniqueInner {
  std::unique_ptr<Plan> plan;        // the HashAggregate over the semi join's inner side
  std::unique_ptr<Plan> param_scan;  // 9: the outer table by index, the key as $param
  size_t clause = 0;
  int param = -1;
};

/* Makes `node` (a semi join) the inner join `choice` picked; false when
 * that cannot be done (the unique side is then still in unique.plan). */
bool UseUniqueInner(Plan& node, int choice, UniqueInner& unique, std::vector<ExprPtr>& hash) {
  if (choice == 9) {
    auto value = CopyExpr(*hash[unique.clause]->args[1]);
    if (!value.ok()) return false;
    node.jointype = JoinType::kInner;
    node.nest_params = {unique.param};
    node.nest_param_exprs.push_back(std::move(*value));
    for (size_t i = 0; i < hash.size(); ++i) {
      if (i != unique.clause) AddQual(node.joinqual, std::move(hash[i]));
    }
    node.lefttree = std::move(unique.plan);
    node.righttree = std::move(unique.param_scan);
    EstimateCosts(node);
    return true;
  }
  node.jointype = JoinType::kInner;
  node.kind = PlanKind::kHashJoin;
  std::unique_ptr<Plan> outer = std::move(node.lefttree);
  if (choice == 8) {
    for (ExprPtr& h : hash) std::swap(h->args[0], h->args[1]);
    node.lefttree = std::move(unique.plan);
    node.righttree = Wrap(PlanKind::kHash, std::move(outer));
  } else {
    node.lefttree = std::move(outer);
    node.righttree = Wrap(PlanKind::kHash, std::move(unique.plan));
  }
  node.equi_clauses = std::move(hash);
  EstimateCosts(node);
  return true;
}

}  // namespace

void ChooseJoinMethods(Plan& node, const JoinMethods& enabled) {
  for (Plan* child : node.Children()) ChooseJoinMethods(*child, enabled);
  if (node.kind != PlanKind::kNestLoop) return;
  EstimateCosts(*node.lefttree);
  EstimateCosts(*node.righttree);

  // The join's conditions: hashable ones (turned outer side first) and the rest.
  ExprPtr original;
  if (node.joinqual) {
    auto copy = CopyExpr(*node.joinqual);
    if (!copy.ok()) return;  // too deep to copy: it stays a nested loop
    original = std::move(*copy);
  }
  std::vector<ExprPtr> conjuncts;
  if (node.joinqual && node.joinqual->kind == ExprKind::kBool && node.joinqual->bool_op == BoolOpKind::kAnd) {
    for (ExprPtr& a : node.joinqual->args) conjuncts.push_back(std::move(a));
  } else if (node.joinqual) {
    conjuncts.push_back(std::move(node.joinqual));
  }
  node.joinqual.reset();
  std::vector<ExprPtr> hash;
  ExprPtr rest;
  for (ExprPtr& c : conjuncts) {
    int side = HashClauseSide(*c, node);
    if (side == 2) std::swap(c->args[0], c->args[1]);
    if (side != 0) {
      hash.push_back(std::move(c));
      continue;
    }
    AddQual(rest, std::move(c));
  }

  // Price each way: 0 nested loop, 1 with Materialize, 2 merge join, 3 merge
  // join swapped, 4 hash join, 5 hash join swapped.
  const Plan& outer = *node.lefttree;
  const Plan& inner = *node.righttree;
  double best = -1;
  int choice = 0;
  auto consider = [&](int way, JoinCost c, bool allowed) {
    double total = c.total + (allowed ? 0 : kDisableCost);
    if (best < 0 || total < best / 1.01) {  // PostgreSQL's fuzz: a near tie keeps the earlier way
      best = total;
      choice = way;
    }
  };
  bool material = enabled.material;
  JoinType jt = node.jointype;
  consider(0, CostJoin(PlanKind::kNestLoop, outer, inner, false, hash, rest.get(), material, jt), enabled.nestloop);
  if (!Materializes(inner)) {
    consider(1, CostJoin(PlanKind::kNestLoop, outer, inner, true, hash, rest.get(), material, jt),
             enabled.nestloop && enabled.material);
  }
  // Swapped, a left join is a right one (its inner side the preserved one);
  // a semi or anti join has no swapped form (PostgreSQL 15 has none).
  bool symmetric = jt == JoinType::kInner || jt == JoinType::kLeft || jt == JoinType::kFull;
  bool same_types =
      std::all_of(hash.begin(), hash.end(), [](const ExprPtr& h) { return h->args[0]->type == h->args[1]->type; });
  bool hashable = !hash.empty() && std::all_of(hash.begin(), hash.end(), [](const ExprPtr& h) {
    return HashClass(h->args[0]->type) != 0;
  });
  bool mergeable = !hash.empty() && std::all_of(hash.begin(), hash.end(), [](const ExprPtr& h) {
    return h->args[0]->kind == ExprKind::kVar && h->args[1]->kind == ExprKind::kVar;
  });
  JoinCost merge, merge_swapped;
  if (mergeable) {
    merge = CostJoin(PlanKind::kMergeJoin, outer, inner, false, hash, rest.get(), material, jt);
    consider(2, merge, enabled.mergejoin);
    if (symmetric && same_types) {
      merge_swapped = CostJoin(PlanKind::kMergeJoin, inner, outer, false, hash, rest.get(), material, jt);
      consider(3, merge_swapped, enabled.mergejoin);
    }
  }
  if (hashable) {
    consider(4, CostJoin(PlanKind::kHashJoin, outer, inner, false, hash, rest.get(), material, jt), enabled.hashjoin);
    if (symmetric && same_types) {
      consider(5, CostJoin(PlanKind::kHashJoin, inner, outer, false, hash, rest.get(), material, jt), enabled.hashjoin);
    }
  }

  // 6: a Nested Loop whose inner table is read by an index on a join
  // column, the outer row's value its parameter (inner and left joins).
  std::unique_ptr<Plan> param_inner;
  size_t param_clause = 0;
  int param = -1;
  if (jt != JoinType::kFull && jt != JoinType::kRight) {
    for (size_t i = 0; i < hash.size() && !param_inner; ++i) {
      if (hash[i]->args[0]->kind != ExprKind::kVar) continue;
      int n = NewExecParam();
      auto p = ParameterizedIndexScan(inner, *hash[i]->args[1], *hash[i]->args[0], n);
      if (!p.ok() || !*p) continue;
      param_inner = std::move(*p);
      param_clause = i;
      param = n;
    }
  }
  if (param_inner) {
    consider(6, CostJoin(PlanKind::kNestLoop, outer, *param_inner, false, {}, rest.get(), material, jt), enabled.nestloop);
  }

  // 7-9: a semi join on equalities only, as an inner join with its inner
  // side made unique on its keys (PostgreSQL's create_unique_path): 7 a
  // Hash Join over it, 8 the same swapped, 9 a Nested Loop from it into an
  // index of the outer table.
  UniqueInner unique;
  bool plain_keys = std::all_of(hash.begin(), hash.end(), [](const ExprPtr& h) {
    return h->args[1]->kind == ExprKind::kVar && h->args[1]->levels_up == 0;
  });
  if (jt == JoinType::kSemi && !rest && hashable && plain_keys) {
    unique.plan = MakeUnique(std::move(node.righttree), hash);
    const Plan& u = *unique.plan;
    consider(7, CostJoin(PlanKind::kHashJoin, outer, u, false, hash, nullptr, material), enabled.hashjoin);
    if (same_types) consider(8, CostJoin(PlanKind::kHashJoin, u, outer, false, hash, nullptr, material), enabled.hashjoin);
    for (size_t i = 0; i < hash.size() && !unique.param_scan; ++i) {
      if (hash[i]->args[0]->kind != ExprKind::kVar) continue;
      int n = NewExecParam();
      auto p = ParameterizedIndexScan(outer, *hash[i]->args[0], *hash[i]->args[1], n);
      if (!p.ok() || !*p) continue;
      unique.param_scan = std::move(*p);
      unique.clause = i;
      unique.param = n;
    }
    if (unique.param_scan) {
      consider(9, CostJoin(PlanKind::kNestLoop, u, *unique.param_scan, false, {}, nullptr, material), enabled.nestloop);
    }
    if (choice >= 7 && UseUniqueInner(node, choice, unique, hash)) return;
    node.righttree = std::move(unique.plan->lefttree);
    if (choice >= 7) choice = 0;
  }

  if (choice == 6) {
    node.nest_params = {param};
    auto value = CopyExpr(*hash[param_clause]->args[0]);
    if (value.ok()) {
      node.nest_param_exprs.push_back(std::move(*value));
      node.righttree = std::move(param_inner);
      // The other conditions stay a Join Filter.
      for (size_t i = 0; i < hash.size(); ++i) {
        if (i != param_clause) AddQual(rest, std::move(hash[i]));
      }
      node.joinqual = std::move(rest);
      EstimateCosts(node);
      return;
    }
    node.nest_params.clear();
    choice = 0;
  }
  if (choice >= 2) {
    bool swapped = choice == 3 || choice == 5;
    if (swapped) {
      if (node.jointype == JoinType::kLeft) node.jointype = JoinType::kRight;
      std::swap(node.lefttree, node.righttree);
      for (ExprPtr& h : hash) std::swap(h->args[0], h->args[1]);
    }
    node.equi_clauses = std::move(hash);
    node.joinqual = std::move(rest);
    if (choice >= 4) {
      node.kind = PlanKind::kHashJoin;
      node.righttree = Wrap(PlanKind::kHash, std::move(node.righttree));
    } else {
      node.kind = PlanKind::kMergeJoin;
      node.lefttree = SortedOn(std::move(node.lefttree), node.equi_clauses, 0);
      node.righttree = SortedOn(std::move(node.righttree), node.equi_clauses, 1);
      if ((swapped ? merge_swapped : merge).materialize_inner) {
        node.righttree = Wrap(PlanKind::kMaterialize, std::move(node.righttree));
      }
    }
  } else {
    node.joinqual = std::move(original);  // every condition a Join Filter, as written
    if (choice == 1) node.righttree = Wrap(PlanKind::kMaterialize, std::move(node.righttree));
  }
  EstimateCosts(node);
}

}  // namespace minipg::sql
