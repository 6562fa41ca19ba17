/*-------------------------------------------------------------------------
 * parse_locking.cpp
 *   The grammar of row locking clauses (PostgreSQL's gram.y
 *   for_locking_clause), after ORDER BY and before or after LIMIT/OFFSET:
 *
 *     FOR {UPDATE | NO KEY UPDATE | SHARE | KEY SHARE} [OF name [, ...]]
 *         [NOWAIT | SKIP LOCKED]   (repeated as often as written)
 *     FOR READ ONLY                (no lock)
 *
 *   The OF names are resolved by the analyzer (parser/analyze_locking.cpp).
 *-------------------------------------------------------------------------
 */
#include "engine/sql/parser_impl.h"

namespace minipg::sql::parser_internal {

Status Parser::ParseLockingClauses(SelectStmt& select) {
  while (IsKeyword("for")) {
    LockingClause clause;
    clause.location = Peek().position;
    if (IsKeyword("read", 1)) {
      pos_ += 2;
      if (Status s = ExpectKeyword("only"); !s.ok()) return s;
      return OkStatus();
    }
    ++pos_;
    if (AcceptKeyword("update")) {
      clause.strength = LockClauseStrength::kForUpdate;
    } else if (AcceptKeyword("share")) {
      clause.strength = LockClauseStrength::kForShare;
    } else if (AcceptKeyword("no")) {
      if (Status s = ExpectKeyword("key"); !s.ok()) return s;
      if (Status s = ExpectKeyword("update"); !s.ok()) return s;
      clause.strength = LockClauseStrength::kForNoKeyUpdate;
    } else if (AcceptKeyword("key")) {
      if (Status s = ExpectKeyword("share"); !s.ok()) return s;
      clause.strength = LockClauseStrength::kForKeyShare;
    } else {
      return SyntaxError();
    }
    if (AcceptKeyword("of")) {
      do {
        int position = Peek().position;
        auto name = ParseName();
        if (!name.ok()) return name.error();
        std::string full = *name;
        bool qualified = false;
        while (AcceptPunct(".")) {
          auto part = ParseName();
          if (!part.ok()) return part.error();
          full += "." + *part;
          qualified = true;
        }
        clause.rels.emplace_back(std::move(full), position);
        clause.qualified.push_back(qualified);
      } while (AcceptPunct(","));
    }
    if (AcceptKeyword("nowait")) {
      clause.wait = LockWaitPolicy::kError;
    } else if (IsKeyword("skip") && IsKeyword("locked", 1)) {
      pos_ += 2;
      clause.wait = LockWaitPolicy::kSkip;
    }
    select.locking.push_back(std::move(clause));
  }
  return OkStatus();
}

}  // namespace minipg::sql::parser_internal
