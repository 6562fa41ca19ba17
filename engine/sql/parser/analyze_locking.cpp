/*-------------------------------------------------------------------------
 * analyze_locking.cpp
 *   SELECT ... FOR UPDATE / NO KEY UPDATE / SHARE / KEY SHARE (PostgreSQL's
 *   transformLockingClause, CheckSelectLocking, applyLockingClause): which
 *   tables of the FROM list are locked, how strongly, with which wait
 *   policy (Query::row_marks), each with its row's ctid as a junk target
 *   the LockRows node reads.
 *
 *   At any level (a subquery's, a WITH query's, a view's own clause too:
 *   the planner gives that level a LockRows of its own). Without OF every
 *   table of this level is locked; functions, VALUES and WITH queries are
 *   left alone; a subquery (or view) of the FROM list would be locked
 *   inside, which minipg does not do (0A000). With OF each name must be a
 *   table of the FROM list (42P01 if none goes by it). Not with DISTINCT,
 *   GROUP BY, HAVING, aggregates, window functions or a set operation,
 *   nor on the nullable side of an outer join (0A000, PostgreSQL's words).
 *   Every other table of the level gets an unlocked mark (kNone) whose
 *   ctid EvalPlanQual reads (node_lockrows.cpp).
 *-------------------------------------------------------------------------
 */
#include <algorithm>

#include <fmt/format.h>

#include "engine/common/sqlstate.h"
#include "engine/sql/analyzer_impl.h"

namespace minipg::sql::analyzer_internal {

namespace {

Error NotAllowed(LockClauseStrength strength, const char* with) {
  return MakeError(sqlstate::kFeatureNotSupported,
                   fmt::format("{} is not allowed with {}", LockClauseStrengthName(strength), with));
}

/* applyLockingClause: the strongest strength and strictest policy win. */
void ApplyMark(Query& q, int rtindex, const LockingClause& clause) {
  q.rte(rtindex).row_locked = true;
  for (RowMark& m : q.row_marks) {
    if (m.rtindex != rtindex) continue;
    m.strength = std::max(m.strength, clause.strength);
    m.wait = std::max(m.wait, clause.wait);
    return;
  }
  q.row_marks.push_back(RowMark{rtindex, -1, clause.strength, clause.wait});
}

/* The entries on the nullable side of an outer join. */
std::vector<int> NullableEntries(const Query& q) {
  std::vector<int> out;
  std::vector<std::pair<const JoinTreeNode*, bool>> stack;
  for (const auto& node : q.jointree.fromlist) stack.emplace_back(node.get(), false);
  while (!stack.empty()) {
    auto [node, nullable] = stack.back();
    stack.pop_back();
    if (node == nullptr) continue;
    if (node->kind == JoinTreeNode::Kind::kRangeTblRef) {
      if (nullable) out.push_back(node->rtindex);
      continue;
    }
    bool full = node->jointype == JoinType::kFull;
    stack.emplace_back(node->left.get(), nullable || full || node->jointype == JoinType::kRight);
    stack.emplace_back(node->right.get(), nullable || full || node->jointype == JoinType::kLeft);
  }
  return out;
}

bool HasWindowFunc(Query& q) {
  bool found = false;
  for (TargetEntry& t : q.targets) {
    if (t.expr) WalkExpr(*t.expr, [&found](Expr& e) { found = found || e.kind == ExprKind::kWindowFunc; });
  }
  return found;
}

}  // namespace

Status Analyzer::TransformLockingClauses(const SelectStmt& select, Query& q) {
  for (const LockingClause& clause : select.locking) {
    LockClauseStrength strength = clause.strength;
    if (q.distinct || !q.distinct_on.empty()) return NotAllowed(strength, "DISTINCT clause");
    if (!q.group_by.empty()) return NotAllowed(strength, "GROUP BY clause");
    if (q.having) return NotAllowed(strength, "HAVING clause");
    if (q.has_aggs) return NotAllowed(strength, "aggregate functions");
    if (HasWindowFunc(q)) return NotAllowed(strength, "window functions");
    const char* name = LockClauseStrengthName(strength);
    auto unsupported_subquery = [name] {
      return MakeError(sqlstate::kFeatureNotSupported,
                       fmt::format("{} of a subquery, view or system view is not supported by minipg", name));
    };
    if (clause.rels.empty()) {
      for (size_t i = 0; i < q.rtable.size(); ++i) {
        const RangeTblEntry& rte = q.rtable[i];
        if (rte.kind == RteKind::kSubquery || (rte.kind == RteKind::kRelation && rte.view != nullptr)) {
          return unsupported_subquery();
        }
        if (rte.kind == RteKind::kRelation && rte.table) ApplyMark(q, static_cast<int>(i + 1), clause);
      }
      continue;
    }
    for (size_t n = 0; n < clause.rels.size(); ++n) {
      const auto& [relname, position] = clause.rels[n];
      if (clause.qualified[n]) {
        return ErrorAt(sqlstate::kSyntaxError, fmt::format("{} must specify unqualified relation names", name), position);
      }
      auto it = std::find_if(q.rtable.begin(), q.rtable.end(),
                             [&relname](const RangeTblEntry& rte) { return rte.refname == relname; });
      if (it == q.rtable.end()) {
        return ErrorAt(sqlstate::kUndefinedTable,
                       fmt::format("relation \"{}\" in {} clause not found in FROM clause", relname, name), position);
      }
      const char* what = nullptr;
      switch (it->kind) {
        case RteKind::kRelation:
          if (it->view != nullptr || !it->table) return unsupported_subquery();
          ApplyMark(q, static_cast<int>(it - q.rtable.begin() + 1), clause);
          break;
        case RteKind::kSubquery:
          return unsupported_subquery();
        case RteKind::kJoin:
          what = "a join";
          break;
        case RteKind::kFunction:
          what = "a function";
          break;
        case RteKind::kValues:
          what = "VALUES";
          break;
        case RteKind::kCte:
          what = "a WITH query";
          break;
      }
      if (what != nullptr) {
        return ErrorAt(sqlstate::kFeatureNotSupported, fmt::format("{} cannot be applied to {}", name, what), position);
      }
    }
  }
  if (q.row_marks.empty()) return OkStatus();
  std::vector<int> nullable = NullableEntries(q);
  for (RowMark& m : q.row_marks) {
    row_share_tables_.push_back(q.rte(m.rtindex).table->name);
    if (std::find(nullable.begin(), nullable.end(), m.rtindex) != nullable.end()) {
      return MakeError(sqlstate::kFeatureNotSupported,
                       fmt::format("{} cannot be applied to the nullable side of an outer join",
                                   LockClauseStrengthName(m.strength)));
    }
  }
  // Every other table of the level: its row's ctid too, unlocked (PostgreSQL's
  // ROW_MARK_REFERENCE), for EvalPlanQual to fetch the same version again.
  for (size_t i = 0; i < q.rtable.size(); ++i) {
    RangeTblEntry& rte = q.rtable[i];
    int rtindex = static_cast<int>(i + 1);
    if (rte.kind != RteKind::kRelation || !rte.table || rte.view != nullptr || rte.row_locked) continue;
    rte.row_locked = true;
    q.row_marks.push_back(RowMark{rtindex, -1, LockClauseStrength::kNone, LockWaitPolicy::kBlock});
  }
  for (RowMark& m : q.row_marks) m.ctid_target = AddCtidTarget(q, m.rtindex);  // junk, as UPDATE's
  return OkStatus();
}

}  // namespace minipg::sql::analyzer_internal
