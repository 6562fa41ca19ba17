/*-------------------------------------------------------------------------
 * prepjointree.cpp
 *   Flattens a query level's join tree before it is planned (PostgreSQL's
 *   prepjointree.c, and subselect.c's convert_EXISTS_sublink_to_join and
 *   convert_ANY_sublink_to_join):
 *
 *     WHERE ... AND EXISTS (SELECT ... FROM u WHERE u.x = t.a)
 *         u's FROM joins the query's as the inner side of a semi join whose
 *         condition is the subquery's WHERE (NOT EXISTS: an anti join); its
 *         select list, DISTINCT, GROUP BY and ORDER BY do not matter
 *     WHERE ... AND t.a IN (SELECT x FROM u ...)
 *         the subquery joins as a range table entry of its own
 *         ("ANY_subquery"), the inner side of a semi join on t.a = x
 *     FROM (SELECT ... FROM u WHERE c) s, a view
 *         u takes the subquery's place in the join tree, c joins the
 *         conditions above it (WHERE, or the ON of the join whose nullable
 *         side it is), and each column of s becomes the expression the
 *         subquery computes for it
 *
 *   A semi or anti join's outer side is the whole FROM before it, as in
 *   PostgreSQL's join tree (its join search may then move the join
 *   further down; minipg's keeps the written order, so it stays on top).
 *   Only the top-level AND arms of WHERE are converted; an uncorrelated
 *   EXISTS stays an InitPlan, a correlated IN and NOT IN stay SubPlans.
 *   A subquery is merged only if it is simple: one SELECT with a FROM, no
 *   aggregates, GROUP BY, HAVING, DISTINCT, ORDER BY, LIMIT / OFFSET, and
 *   no set-returning or volatile function or subquery in its select list
 *   (is_simple_subquery); under the nullable side of an outer join only if
 *   every column is a plain column (PostgreSQL's PlaceHolderVars would
 *   NULL the others), never under a FULL JOIN.
 *
 *   Merging renumbers: the subquery's range table entries are appended to
 *   the query's, its Vars (at every depth of its own subqueries) move to
 *   the new numbers, and its references to the levels outside come one
 *   level closer.
 *-------------------------------------------------------------------------
 */
#include <functional>
#include <unordered_set>

#include "engine/common/stack_depth.h"
#include "engine/sql/adt/builtins.h"
#include "engine/common/sqlstate.h"
#include "engine/sql/optimizer/planner.h"

namespace minipg::sql {

namespace {

using VarFn = std::function<void(Expr& var, int depth)>;

/* Calls fn on every Var of `q` (depth 0) and of the subqueries inside it
 * (depth 1, 2, ...: sublinks and FROM subqueries), each query once. */
Status ForEachVar(Query& q, int depth, const VarFn& fn, std::unordered_set<const Query*>& seen) {
  if (Status s = CheckStackDepth(); !s.ok()) return s;
  if (!seen.insert(&q).second) return OkStatus();
  std::vector<Query*> inner;
  for (ExprPtr* root : LevelExpressions(q)) {
    if (*root == nullptr) continue;
    WalkExpr(**root, [&](Expr& e) {
      if (e.kind == ExprKind::kVar) fn(e, depth);
      if (e.kind == ExprKind::kSubLink && e.subquery) inner.push_back(e.subquery.get());
    });
  }
  for (RangeTblEntry& rte : q.rtable) {
    if (rte.subquery) inner.push_back(rte.subquery.get());
  }
  for (Query* sub : inner) {
    if (Status s = ForEachVar(*sub, depth + 1, fn, seen); !s.ok()) return s;
  }
  return OkStatus();
}

Status ForEachVar(Query& q, const VarFn& fn) {
  std::unordered_set<const Query*> seen;
  return ForEachVar(q, 0, fn, seen);
}

/* Whether `e` reads a column of the level `level` steps out of it (at any
 * depth of the subqueries inside it). */
Result<bool> ReadsLevel(Expr& e, int level) {
  bool found = false;
  std::vector<Query*> inner;
  WalkExpr(e, [&](Expr& n) {
    found = found || (n.kind == ExprKind::kVar && n.levels_up == level);
    if (n.kind == ExprKind::kSubLink && n.subquery) inner.push_back(n.subquery.get());
  });
  for (Query* sub : inner) {
    if (found) break;
    Status s = ForEachVar(*sub, [&](Expr& v, int depth) { found = found || v.levels_up == level + depth + 1; });
    if (!s.ok()) return s.error();
  }
  return found;
}

/* Whether any of `q`'s expressions other than the ones `skip` names reads
 * the level just outside `q`. */
Result<bool> QueryReadsParent(Query& q, const std::vector<const ExprPtr*>& skip) {
  for (ExprPtr* root : LevelExpressions(q)) {
    if (*root == nullptr || std::find(skip.begin(), skip.end(), root) != skip.end()) continue;
    auto reads = ReadsLevel(**root, 1);
    if (!reads.ok() || *reads) return reads;
  }
  bool found = false;
  std::unordered_set<const Query*> seen;
  for (RangeTblEntry& rte : q.rtable) {
    if (!rte.subquery) continue;
    Status s = ForEachVar(*rte.subquery, 1, [&](Expr& v, int depth) { found = found || v.levels_up == depth + 1; }, seen);
    if (!s.ok()) return s.error();
  }
  return found;
}

/* Volatile functions (not to be moved or repeated), set-returning ones
 * and subqueries (not to be moved into a join tree's expressions). */
bool HasVolatile(Expr& e) {
  bool found = false;
  WalkExpr(e, [&](Expr& n) {
    found = found || (n.kind == ExprKind::kFunc && n.func != nullptr && n.func->volatility == Volatility::kVolatile);
  });
  return found;
}

bool ReturnsSet(Expr& e) {
  bool found = false;
  WalkExpr(e, [&](Expr& n) { found = found || (n.kind == ExprKind::kFunc && n.func != nullptr && n.func->call_set != nullptr); });
  return found;
}

bool Unmovable(Expr& e) {
  bool found = HasVolatile(e) || ReturnsSet(e);
  WalkExpr(e, [&](Expr& n) { found = found || n.kind == ExprKind::kSubLink || n.kind == ExprKind::kWindowFunc; });
  return found;
}

std::unique_ptr<JoinTreeNode> MakeJoin(JoinType type, std::unique_ptr<JoinTreeNode> left,
                                       std::unique_ptr<JoinTreeNode> right, ExprPtr quals) {
  auto node = std::make_unique<JoinTreeNode>();
  node->kind = JoinTreeNode::Kind::kJoinExpr;
  node->jointype = type;  // rtindex 0: no range table entry stands for it
  node->left = std::move(left);
  node->right = std::move(right);
  node->quals = std::move(quals);
  return node;
}

/* A FROM list as one join tree node: its items cross-joined in order. */
std::unique_ptr<JoinTreeNode> CrossJoin(std::vector<std::unique_ptr<JoinTreeNode>> items) {
  std::unique_ptr<JoinTreeNode> tree;
  for (auto& item : items) tree = tree ? MakeJoin(JoinType::kInner, std::move(tree), std::move(item), nullptr) : std::move(item);
  return tree;
}

void OffsetJoinTree(JoinTreeNode& node, int offset) {
  if (node.rtindex > 0) node.rtindex += offset;
  if (node.left) OffsetJoinTree(*node.left, offset);
  if (node.right) OffsetJoinTree(*node.right, offset);
}

/* Moves `sub`'s range table to the end of `q`'s: its own Vars (at every
 * depth) to the new numbers, its outer references one level closer. */
Status MergeRangeTable(Query& q, Query& sub) {
  auto offset = static_cast<int>(q.rtable.size());
  Status s = ForEachVar(sub, [&](Expr& v, int depth) {
    if (v.levels_up == depth) {
      v.rtindex += offset;
    } else if (v.levels_up > depth) {
      --v.levels_up;
    }
  });
  if (!s.ok()) return s;
  for (auto& item : sub.jointree.fromlist) OffsetJoinTree(*item, offset);
  for (RangeTblEntry& rte : sub.rtable) q.rtable.push_back(std::move(rte));
  sub.rtable.clear();
  for (std::string& t : sub.tables) q.tables.push_back(std::move(t));
  return OkStatus();
}

/* EXISTS (sub) (anti: NOT EXISTS) as a semi (anti) join node whose left
 * side the caller fills in, or nullptr when it stays a subplan. */
Result<std::unique_ptr<JoinTreeNode>> ConvertExists(Query& q, Expr& link, bool anti) {
  Query& sub = *link.subquery;
  if (link.subquery.use_count() != 1 || sub.setop || sub.has_aggs || sub.having || sub.limit || sub.offset ||
      sub.jointree.fromlist.empty() || !sub.jointree.quals || !sub.row_marks.empty()) {
    return std::unique_ptr<JoinTreeNode>();
  }
  for (TargetEntry& t : sub.targets) {
    if (ReturnsSet(*t.expr)) return std::unique_ptr<JoinTreeNode>();
  }
  auto correlated = ReadsLevel(*sub.jointree.quals, 1);
  if (!correlated.ok()) return correlated.error();
  if (!*correlated || HasVolatile(*sub.jointree.quals)) return std::unique_ptr<JoinTreeNode>();
  // Only WHERE may read the outer query: the select list, GROUP BY, ORDER
  // BY and DISTINCT are dropped, the rest must not.
  std::vector<const ExprPtr*> skip = {&sub.jointree.quals};
  for (TargetEntry& t : sub.targets) skip.push_back(&t.expr);
  for (ExprPtr& g : sub.group_by) skip.push_back(&g);
  auto elsewhere = QueryReadsParent(sub, skip);
  if (!elsewhere.ok()) return elsewhere.error();
  if (*elsewhere) return std::unique_ptr<JoinTreeNode>();
  if (Status s = MergeRangeTable(q, sub); !s.ok()) return s.error();
  return MakeJoin(anti ? JoinType::kAnti : JoinType::kSemi, nullptr, CrossJoin(std::move(sub.jointree.fromlist)),
                  std::move(sub.jointree.quals));
}

/* x op ANY (sub), x IN (sub): a semi join with the subquery as its inner
 * side, on the test with the subquery's column in place of $n. */
Result<std::unique_ptr<JoinTreeNode>> ConvertAny(Query& q, Expr& link) {
  Query& sub = *link.subquery;
  if (link.subquery.use_count() != 1 || link.args.size() != 1) return std::unique_ptr<JoinTreeNode>();
  Expr& test = *link.args[0];
  auto reads_here = ReadsLevel(test, 0);
  if (!reads_here.ok()) return reads_here.error();
  if (!*reads_here || HasVolatile(test)) return std::unique_ptr<JoinTreeNode>();
  auto correlated = QueryReadsParent(sub, {});
  if (!correlated.ok()) return correlated.error();
  if (*correlated) return std::unique_ptr<JoinTreeNode>();
  RangeTblEntry rte;
  rte.kind = RteKind::kSubquery;
  rte.refname = "ANY_subquery";
  for (const TargetEntry& t : sub.targets) {
    if (t.resjunk) continue;
    rte.colnames.push_back(t.name);
    rte.coltypes.push_back(t.expr->type);
  }
  rte.subquery = std::make_unique<Query>(std::move(sub));
  q.rtable.push_back(std::move(rte));
  auto rtindex = static_cast<int>(q.rtable.size());
  // The test's $n (not the ones of subqueries inside it) become the columns.
  std::vector<ExprPtr*> stack{&link.args[0]};
  while (!stack.empty()) {
    ExprPtr* slot = stack.back();
    stack.pop_back();
    Expr& e = **slot;
    if (e.kind == ExprKind::kExecParam && e.param < 0) {  // -1 - i: the subquery's column i
      auto column = static_cast<size_t>(-1 - e.param);
      if (column >= q.rtable.back().colnames.size()) {
        return MakeError(sqlstate::kInternalError, "sublink test reads a column its subquery does not have");
      }
      ExprPtr var = MakeVar(rtindex, static_cast<int>(column), e.type, "ANY_subquery",
                            q.rtable.back().colnames[column], e.location);
      var->typmod = e.typmod;
      *slot = std::move(var);
      continue;
    }
    if (e.kind == ExprKind::kSubLink) continue;
    for (ExprPtr& a : e.args) {
      if (a) stack.push_back(&a);
    }
  }
  auto ref = std::make_unique<JoinTreeNode>();
  ref->rtindex = rtindex;
  return MakeJoin(JoinType::kSemi, nullptr, std::move(ref), std::move(link.args[0]));
}

/* The sublink an AND arm is (NOT EXISTS: anti), or nullptr. */
Expr* ArmSubLink(Expr& arm, bool* anti) {
  *anti = false;
  Expr* e = &arm;
  if (e->kind == ExprKind::kBool && e->bool_op == BoolOpKind::kNot && e->args.size() == 1) {
    e = e->args[0].get();
    *anti = true;
  }
  if (e->kind != ExprKind::kSubLink || !e->subquery || e->subplan) return nullptr;
  if (e->sublink == SubLinkType::kExists) return e;
  if (e->sublink == SubLinkType::kAny && !*anti) return e;
  return nullptr;
}

/* Whether `sub` may take its place in the parent's join tree. */
bool IsSimpleSubquery(Query& sub, bool nullable) {
  if (sub.kind != StatementKind::kSelect || sub.setop || sub.has_aggs || !sub.group_by.empty() || sub.having ||
      !sub.sort.empty() || sub.distinct || !sub.distinct_on.empty() || sub.limit || sub.offset ||
      sub.jointree.fromlist.empty() || !sub.ctes.empty() || !sub.row_marks.empty()) {
    return false;
  }
  for (const RangeTblEntry& rte : sub.rtable) {
    if (rte.kind == RteKind::kCte) return false;  // its reference counts a query level up (ctelevelsup)
  }
  for (TargetEntry& t : sub.targets) {
    if (Unmovable(*t.expr)) return false;
    if (nullable && !t.resjunk && (t.expr->kind != ExprKind::kVar || t.expr->levels_up != 0)) return false;
  }
  return true;
}

/* Every reference to the columns of entry `rtindex` (a merged subquery),
 * at any depth of q, becomes a copy of the subquery's expression. */
Status ReplaceSubqueryVars(Query& q, int rtindex, const std::vector<const Expr*>& columns) {
  Status failed = OkStatus();
  std::unordered_set<const Query*> seen;
  std::function<Status(Query&, int)> visit = [&](Query& level, int depth) -> Status {
    if (Status s = CheckStackDepth(); !s.ok()) return s;
    if (!seen.insert(&level).second) return OkStatus();
    std::vector<Query*> inner;
    for (ExprPtr* root : LevelExpressions(level)) {
      if (*root == nullptr) continue;
      std::vector<ExprPtr*> stack{root};
      while (!stack.empty()) {
        ExprPtr* slot = stack.back();
        stack.pop_back();
        Expr& e = **slot;
        if (e.kind == ExprKind::kVar && e.levels_up == depth && e.rtindex == rtindex) {
          auto copy = CopyExpr(*columns[static_cast<size_t>(e.attno)]);
          if (!copy.ok()) return copy.error();
          WalkExpr(**copy, [&](Expr& v) {
            if (v.kind == ExprKind::kVar) v.levels_up += depth;
          });
          *slot = std::move(*copy);
          continue;
        }
        if (e.kind == ExprKind::kSubLink && e.subquery) inner.push_back(e.subquery.get());
        for (ExprPtr& a : e.args) {
          if (a) stack.push_back(&a);
        }
      }
    }
    for (RangeTblEntry& rte : level.rtable) {
      if (rte.subquery) inner.push_back(rte.subquery.get());
    }
    for (Query* sub : inner) {
      if (Status s = visit(*sub, depth + 1); !s.ok()) return s;
    }
    return OkStatus();
  };
  return visit(q, 0);
}

/* Merges the simple subqueries of the join tree under `slot`; `quals` is
 * where a merged subquery's WHERE goes, `nullable` whether an outer join
 * above may NULL-extend this part's rows, `full` under a FULL JOIN. */
Status PullUpIn(Query& q, std::unique_ptr<JoinTreeNode>& slot, ExprPtr& quals, bool nullable, bool full) {
  if (Status s = CheckStackDepth(); !s.ok()) return s;
  JoinTreeNode& node = *slot;
  if (node.kind == JoinTreeNode::Kind::kJoinExpr) {
    JoinType t = node.jointype;
    bool f = full || t == JoinType::kFull;
    bool left_nullable = nullable || t == JoinType::kRight;
    bool right_nullable = nullable || t == JoinType::kLeft;
    // A nullable side's conditions go into the join's ON, the rest where this join's go.
    ExprPtr& left_quals = t == JoinType::kRight || t == JoinType::kInner ? node.quals : quals;
    ExprPtr& right_quals = t == JoinType::kRight ? quals : node.quals;
    if (Status s = PullUpIn(q, node.left, left_quals, left_nullable, f); !s.ok()) return s;
    return PullUpIn(q, node.right, right_quals, right_nullable, f);
  }
  RangeTblEntry& rte = q.rte(node.rtindex);
  if (full || rte.kind != RteKind::kSubquery || !rte.subquery || !IsSimpleSubquery(*rte.subquery, nullable)) {
    return OkStatus();
  }
  std::unique_ptr<Query> sub = std::move(rte.subquery);
  int rtindex = node.rtindex;
  if (Status s = PullUpSubLinks(*sub); !s.ok()) return s;
  if (Status s = PullUpSubqueries(*sub); !s.ok()) return s;
  if (Status s = MergeRangeTable(q, *sub); !s.ok()) return s;
  std::vector<const Expr*> columns;
  for (const TargetEntry& t : sub->targets) {
    if (!t.resjunk) columns.push_back(t.expr.get());
  }
  if (Status s = ReplaceSubqueryVars(q, rtindex, columns); !s.ok()) return s;
  // The subquery's conditions come first, as PostgreSQL lists them.
  ExprPtr above = std::move(quals);
  quals = std::move(sub->jointree.quals);
  AddQual(quals, std::move(above));
  slot = CrossJoin(std::move(sub->jointree.fromlist));
  return OkStatus();
}

}  // namespace

Status PullUpSubLinks(Query& q) {
  ExprPtr& where = q.jointree.quals;
  if (!where || q.jointree.fromlist.empty() || q.setop) return OkStatus();
  std::vector<ExprPtr> arms;
  if (where->kind == ExprKind::kBool && where->bool_op == BoolOpKind::kAnd) {
    for (ExprPtr& a : where->args) arms.push_back(std::move(a));
  } else {
    arms.push_back(std::move(where));
  }
  where.reset();
  for (ExprPtr& arm : arms) {
    bool anti = false;
    Expr* link = ArmSubLink(*arm, &anti);
    Result<std::unique_ptr<JoinTreeNode>> join = std::unique_ptr<JoinTreeNode>();
    if (link != nullptr) join = link->sublink == SubLinkType::kExists ? ConvertExists(q, *link, anti) : ConvertAny(q, *link);
    if (!join.ok()) return join.error();
    if (!*join) {
      AddQual(where, std::move(arm));
      continue;
    }
    (*join)->left = CrossJoin(std::move(q.jointree.fromlist));
    q.jointree.fromlist.clear();
    q.jointree.fromlist.push_back(std::move(*join));
  }
  return OkStatus();
}

Status PullUpSubqueries(Query& q) {
  for (auto& item : q.jointree.fromlist) {
    if (Status s = PullUpIn(q, item, q.jointree.quals, false, false); !s.ok()) return s;
  }
  return OkStatus();
}

}  // namespace minipg::sql
