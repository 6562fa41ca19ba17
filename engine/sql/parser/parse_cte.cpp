/*-------------------------------------------------------------------------
 * parse_cte.cpp
 *   WITH [RECURSIVE] name [(cols)] AS [[NOT] MATERIALIZED] (query)
 *   (PostgreSQL's parse_cte.c): the names a query's WITH list puts in
 *   scope, each analyzed once into a CteQuery (query.h) that the Query
 *   keeps, and a reference to one in FROM:
 *
 *     a kCte entry            counted in the CteQuery's refcount; the
 *                             planner inlines a WITH query read once, or
 *                             plans it once for CTE Scans (plan_cte.cpp)
 *     a subquery entry        NOT MATERIALIZED (and no volatile call):
 *                             each reference analyzes its own copy
 *     a kCte self_reference   the recursive query's own name inside its
 *                             recursive term (a WorkTable Scan)
 *
 *   A plain WITH item sees the items before it; a WITH RECURSIVE item
 *   sees every item of its list, which is analyzed in an order where none
 *   reads a later one (parse_cte_check.cpp). A recursive item's columns
 *   are its non-recursive term's (an unknown literal's taken as text);
 *   the whole UNION must come out of the same types (42804).
 *-------------------------------------------------------------------------
 */
#include <fmt/format.h>

#include "engine/sql/analyzer_impl.h"
#include "engine/sql/optimizer/planner.h"  // CallsVolatile: the planner's rule for inlining

namespace minipg::sql::analyzer_internal {

Status Analyzer::PushCtes(const std::vector<CommonTableExpr>& ctes) {
  if (ctes.empty()) return OkStatus();
  for (size_t i = 0; i < ctes.size(); ++i) {
    for (size_t j = i + 1; j < ctes.size(); ++j) {
      if (ctes[i].name == ctes[j].name) {
        return ErrorAt(sqlstate::kDuplicateAlias,
                       fmt::format("WITH query name \"{}\" specified more than once", ctes[j].name), ctes[j].location);
      }
    }
  }
  auto make_entry = [](const CommonTableExpr& cte, size_t scope, bool recursive) {
    auto record = std::make_shared<CteQuery>();
    record->name = cte.name;
    record->materialized = cte.materialized;
    record->recursive = recursive;
    record->location = cte.location;
    return CteEntry{&cte, scope, std::move(record)};
  };
  if (!ctes.front().recursive) {
    for (const CommonTableExpr& cte : ctes) {
      CteEntry entry = make_entry(cte, ctes_.size(), false);
      if (Status s = AnalyzeCte(entry); !s.ok()) return s;
      ctes_.push_back(std::move(entry));
    }
    return OkStatus();
  }
  // WITH RECURSIVE: every item sees the whole list.
  std::vector<bool> self;
  auto order = OrderRecursiveWith(ctes, self);
  if (!order.ok()) return order.error();
  size_t first = ctes_.size();
  for (size_t i : *order) {
    if (self[i]) {
      if (Status s = CheckRecursiveForm(ctes[i]); !s.ok()) return s;
    }
    ctes_.push_back(make_entry(ctes[i], first + ctes.size(), self[i]));
  }
  for (size_t k = first; k < ctes_.size(); ++k) {
    if (Status s = AnalyzeCte(ctes_[k]); !s.ok()) return s;
  }
  return OkStatus();
}

const CteEntry* Analyzer::FindCte(const std::string& name) const {
  for (size_t i = ctes_.size(); i-- > 0;) {
    if (ctes_[i].cte->name == name) return &ctes_[i];
  }
  return nullptr;
}

namespace {

/* The column names and types of an analyzed WITH query, renamed by its
 * column aliases (42P10 if more aliases than columns). */
Status SetColumns(CteQuery& record, const CommonTableExpr& cte, std::vector<std::string> names,
                  std::vector<TypeId> types) {
  if (cte.columns.size() > names.size()) {
    return ErrorAt(sqlstate::kInvalidColumnReference,
                   fmt::format("WITH query \"{}\" has {} columns available but {} columns specified", cte.name,
                               names.size(), cte.columns.size()),
                   cte.location);
  }
  for (size_t i = 0; i < cte.columns.size(); ++i) names[i] = cte.columns[i].name;
  record.colnames = std::move(names);
  record.coltypes = std::move(types);
  return OkStatus();
}

}  // namespace

Status Analyzer::AnalyzeCte(CteEntry entry) {
  CteQuery& record = *entry.record;
  std::vector<CteEntry> saved = ctes_;
  ctes_.resize(std::min(entry.scope, ctes_.size()));
  CteQuery* outer_cte = std::exchange(recursive_cte_, record.recursive ? &record : nullptr);
  const SelectStmt* outer_stmt = std::exchange(recursive_stmt_, record.recursive ? entry.cte->query.get() : nullptr);
  auto sub = Analyze(*entry.cte->query);
  recursive_cte_ = outer_cte;
  recursive_stmt_ = outer_stmt;
  ctes_ = std::move(saved);
  if (!sub.ok()) return sub.error();
  if (record.recursive) {
    if (Status s = CheckRecursiveQuery(record, *sub); !s.ok()) return s;
  } else {
    std::vector<std::string> names;
    std::vector<TypeId> types;
    for (const TargetEntry& t : sub->targets) {
      if (t.resjunk) continue;
      names.push_back(t.name);
      types.push_back(t.expr->type);
    }
    if (Status s = SetColumns(record, *entry.cte, std::move(names), std::move(types)); !s.ok()) return s;
  }
  record.query = std::make_unique<Query>(std::move(*sub));
  return OkStatus();
}

Status Analyzer::SetRecursiveColumns(const SetOperationNode& left, const Query& q) {
  CteQuery& record = *recursive_cte_;
  recursive_stmt_ = nullptr;  // only the query's own top UNION
  const SetOperationNode* leaf = &left;
  while (leaf->op != SetOpKind::kNone) leaf = leaf->larg.get();
  std::vector<TypeId> types = left.coltypes;
  for (TypeId& t : types) {
    if (t == TypeId::kUnknown) t = TypeId::kText;
  }
  const CommonTableExpr* cte = nullptr;
  for (const CteEntry& e : ctes_) {
    if (e.record.get() == &record) cte = e.cte;
  }
  if (cte == nullptr) return MakeError(sqlstate::kInternalError, "recursive WITH query not in scope");
  return SetColumns(record, *cte, q.rte(leaf->rtindex).colnames, std::move(types));
}

Status Analyzer::CheckRecursiveQuery(const CteQuery& cte, const Query& q) {
  if (!q.setop || q.setop->op != SetOpKind::kUnion) {
    return MakeError(sqlstate::kInternalError, "recursive WITH query is not a UNION");
  }
  // The recursive term's leaves: no aggregate at their own level.
  std::vector<const SetOperationNode*> stack{q.setop->rarg.get()};
  while (!stack.empty()) {
    const SetOperationNode* n = stack.back();
    stack.pop_back();
    if (n->op != SetOpKind::kNone) {
      stack.push_back(n->larg.get());
      stack.push_back(n->rarg.get());
      continue;
    }
    Query& leaf = *q.rte(n->rtindex).subquery;
    if (!leaf.has_aggs) continue;
    int location = 0;
    for (ExprPtr* root : LevelExpressions(leaf)) {
      if (*root == nullptr || location > 0) continue;
      WalkExpr(**root, [&](Expr& e) {
        if (e.kind == ExprKind::kAggref && location == 0) location = e.location;
      });
    }
    return ErrorAt(sqlstate::kInvalidRecursion,
                   "aggregate functions are not allowed in a recursive query's recursive term", location);
  }
  const SetOperationNode* leaf = q.setop.get();
  while (leaf->op != SetOpKind::kNone) leaf = leaf->larg.get();
  const Query& first = *q.rte(leaf->rtindex).subquery;
  size_t column = 0;
  for (const TargetEntry& t : q.targets) {
    if (t.resjunk) continue;
    if (column < cte.coltypes.size() && t.expr->type != cte.coltypes[column]) {
      int location = column < first.targets.size() ? first.targets[column].expr->location : 0;
      Error e = ErrorAt(sqlstate::kDatatypeMismatch,
                        fmt::format("recursive query \"{}\" column {} has type {} in non-recursive term but type {} "
                                    "overall",
                                    cte.name, column + 1, TypeName(cte.coltypes[column]), TypeName(t.expr->type)),
                        location);
      e.hint = "Cast the output of the non-recursive term to the correct type.";
      return e;
    }
    ++column;
  }
  return OkStatus();
}

Result<RangeTblEntry> Analyzer::TransformCteRef(CteEntry entry) {
  CteQuery& record = *entry.record;
  RangeTblEntry rte;
  rte.refname = record.name;
  if (record.query == nullptr) {
    // Read while it is analyzed: the recursive term's own reference.
    if (!record.recursive || record.coltypes.empty()) {
      return ErrorAt(sqlstate::kInvalidRecursion,
                     fmt::format("recursive reference to query \"{}\" must not appear within its non-recursive term",
                                 record.name),
                     0);
    }
    rte.kind = RteKind::kCte;
    rte.self_reference = true;
    rte.worktable_cte = entry.record.get();
    rte.colnames = record.colnames;
    rte.coltypes = record.coltypes;
    return rte;
  }
  if (record.materialized != 'n' || record.recursive || CallsVolatile(*record.query)) {
    ++record.refcount;
    rte.kind = RteKind::kCte;
    rte.cte = entry.record;
    rte.colnames = record.colnames;
    rte.coltypes = record.coltypes;
    return rte;
  }
  // NOT MATERIALIZED: this reference's own copy, a subquery the planner
  // treats as any other. WITH queries reading each other twice over grow
  // exponentially: bounded here rather than by memory.
  constexpr size_t kMaxCteExpansions = 10000;
  if (++cte_expansions_ > kMaxCteExpansions) {
    return ErrorAt(sqlstate::kProgramLimitExceeded,
                   fmt::format("NOT MATERIALIZED WITH queries are referenced more than {} times in this statement "
                               "(minipg analyzes every reference separately)",
                               kMaxCteExpansions),
                   entry.cte->location);
  }
  std::vector<CteEntry> saved = ctes_;
  ctes_.resize(std::min(entry.scope, ctes_.size()));
  auto sub = Analyze(*entry.cte->query);
  ctes_ = std::move(saved);
  if (!sub.ok()) return sub.error();
  rte.kind = RteKind::kSubquery;
  rte.colnames = record.colnames;
  rte.coltypes = record.coltypes;
  rte.subquery = std::make_unique<Query>(std::move(*sub));
  return rte;
}

}  // namespace minipg::sql::analyzer_internal
