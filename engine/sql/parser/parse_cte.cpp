/*-------------------------------------------------------------------------
 * parse_cte.cpp
 *   WITH name [(cols)] AS (query), non-recursive (PostgreSQL's
 *   parse_cte.c): the names a query's WITH list puts in scope, and a
 *   reference to one in FROM, which becomes a subquery entry of the WITH
 *   query analyzed again (minipg inlines every reference: see
 *   docs/architecture.md, "Simplifications"). WITH RECURSIVE is taken as
 *   long as no query of it reads itself.
 *-------------------------------------------------------------------------
 */
#include <fmt/format.h>

#include "engine/sql/analyzer_impl.h"

namespace minipg::sql::analyzer_internal {

Status Analyzer::PushCtes(const std::vector<CommonTableExpr>& ctes) {
  size_t first = ctes_.size();
  for (const CommonTableExpr& cte : ctes) {
    for (size_t i = first; i < ctes_.size(); ++i) {
      if (ctes_[i].cte->name == cte.name) {
        return ErrorAt(sqlstate::kDuplicateAlias,
                       fmt::format("WITH query name \"{}\" specified more than once", cte.name), cte.location);
      }
    }
    CteEntry entry{&cte, ctes_.size()};
    // Analyzed once here for its errors, even if nothing reads it.
    auto rte = TransformCteRef(entry);
    if (!rte.ok()) return rte.error();
    ctes_.push_back(entry);
  }
  return OkStatus();
}

const CteEntry* Analyzer::FindCte(const std::string& name) const {
  for (size_t i = ctes_.size(); i-- > 0;) {
    if (ctes_[i].cte->name == name) return &ctes_[i];
  }
  return nullptr;
}

Result<RangeTblEntry> Analyzer::TransformCteRef(CteEntry entry) {
  // Every reference is a copy of the query, so WITH queries reading each
  // other twice over grow exponentially: bounded here rather than by memory.
  constexpr size_t kMaxCteExpansions = 10000;
  if (++cte_expansions_ > kMaxCteExpansions) {
    return ErrorAt(sqlstate::kProgramLimitExceeded,
                   fmt::format("WITH queries are referenced more than {} times in this statement (minipg plans "
                               "every reference separately)",
                               kMaxCteExpansions),
                   entry.cte->location);
  }
  if (entry.self) {
    return ErrorAt(sqlstate::kFeatureNotSupported,
                   fmt::format("recursive reference to query \"{}\" is not supported by minipg", entry.cte->name),
                   0);
  }
  std::vector<CteEntry> saved = ctes_;
  ctes_.resize(entry.scope);
  if (entry.cte->recursive) ctes_.push_back(CteEntry{entry.cte, entry.scope, true});
  auto sub = Analyze(*entry.cte->query);
  ctes_ = std::move(saved);
  if (!sub.ok()) return sub.error();
  RangeTblEntry rte;
  rte.kind = RteKind::kSubquery;
  rte.refname = entry.cte->name;
  for (const TargetEntry& t : sub->targets) {
    if (t.resjunk) continue;
    rte.colnames.push_back(t.name);
    rte.coltypes.push_back(t.expr->type);
  }
  const std::vector<InsertColumn>& aliases = entry.cte->columns;
  if (aliases.size() > rte.colnames.size()) {
    return ErrorAt(sqlstate::kInvalidColumnReference,
                   fmt::format("WITH query \"{}\" has {} columns available but {} columns specified", entry.cte->name,
                               rte.colnames.size(), aliases.size()),
                   entry.cte->location);
  }
  for (size_t i = 0; i < aliases.size(); ++i) rte.colnames[i] = aliases[i].name;
  rte.subquery = std::make_unique<Query>(std::move(*sub));
  return rte;
}

}  // namespace minipg::sql::analyzer_internal
