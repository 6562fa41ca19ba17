/*-------------------------------------------------------------------------
 * parse_dml.cpp
 *   The grammar of the statements that change rows, past INSERT's VALUES:
 *
 *     UPDATE [ONLY] t [[AS] a] SET col = expr | DEFAULT, (c1, c2) = (e1, e2), ...
 *            [FROM from_list] [WHERE cond] [RETURNING targets]
 *     DELETE FROM [ONLY] t [[AS] a] [USING from_list] [WHERE cond] [RETURNING targets]
 *     TRUNCATE [TABLE] [ONLY] t [, ...] [CONTINUE IDENTITY] [RESTRICT]
 *     INSERT's RETURNING (ParseReturning)
 *-------------------------------------------------------------------------
 */
#include "engine/sql/parser_impl.h"

namespace minipg::sql::parser_internal {

Status Parser::ParseReturning(std::vector<SelectTarget>& out) {
  if (!AcceptKeyword("returning")) return OkStatus();
  do {
    auto target = ParseTarget();
    if (!target.ok()) return target.error();
    out.push_back(std::move(*target));
  } while (AcceptPunct(","));
  return OkStatus();
}

Result<TableRef> Parser::ParseTargetTable(std::string_view next_keyword) {
  AcceptKeyword("only");
  auto table = ParseQualifiedTableName();
  if (!table.ok()) return table.error();
  if (AcceptKeyword("as")) {
    auto alias = ParseName();
    if (!alias.ok()) return alias.error();
    table->alias = *alias;
  } else if (Peek().kind == TokenKind::kIdent && !IsKeyword(next_keyword) && (Peek().quoted || !IsReserved(Peek().text))) {
    table->alias = Peek().text;
    ++pos_;
  }
  return table;
}

Status Parser::ParseSetClause(std::vector<SetClause>& set) {
  auto column = [this]() -> Result<InsertColumn> {
    InsertColumn col;
    col.location = Peek().position;
    auto name = ParseName();
    if (!name.ok()) return name.error();
    col.name = *name;
    if (IsPunct(".") || IsPunct("[")) {  // a field or an element of the column
      return MakeError(sqlstate::kFeatureNotSupported, "UPDATE of a field or array element is not supported by minipg");
    }
    return col;
  };
  auto value = [this]() -> Result<RawExprPtr> {
    if (AcceptKeyword("default")) return RawExprPtr();  // a reserved word: never an expression
    return ParseExpr();
  };
  if (!AcceptPunct("(")) {
    auto col = column();
    if (!col.ok()) return col.error();
    if (!IsOp("=")) return SyntaxError();
    ++pos_;
    auto expr = value();
    if (!expr.ok()) return expr.error();
    set.push_back(SetClause{std::move(*col), std::move(*expr)});
    return OkStatus();
  }
  size_t first = set.size();
  do {
    auto col = column();
    if (!col.ok()) return col.error();
    set.push_back(SetClause{std::move(*col), nullptr});
  } while (AcceptPunct(","));
  if (Status s = ExpectPunct(")"); !s.ok()) return s;
  if (!IsOp("=")) return SyntaxError();
  ++pos_;
  int location = Peek().position;
  bool row = AcceptKeyword("row");
  if (IsPunct("(") && IsKeyword("select", 1)) {
    return MakeError(sqlstate::kFeatureNotSupported, "UPDATE SET (...) = (SELECT ...) is not supported by minipg");
  }
  if (Status s = ExpectPunct("("); !s.ok()) return s;
  int first_value = Peek().position;
  size_t n = first;
  do {
    auto expr = value();
    if (!expr.ok()) return expr.error();
    if (n < set.size()) set[n].expr = std::move(*expr);
    ++n;
  } while (AcceptPunct(","));
  if (Status s = ExpectPunct(")"); !s.ok()) return s;
  if (n == first + 1 && !row) {  // (x) is x, not a row
    Error e = MakeError(sqlstate::kSyntaxError,
                        "source for a multiple-column UPDATE item must be a sub-SELECT or ROW() expression");
    e.position = first_value;
    return e;
  }
  if (n != set.size()) {
    Error e = MakeError(sqlstate::kSyntaxError, "number of columns does not match number of values");
    e.position = location;
    return e;
  }
  return OkStatus();
}

Result<StatementPtr> Parser::ParseUpdate() {
  UpdateStmt update;
  auto table = ParseTargetTable("set");
  if (!table.ok()) return table.error();
  update.table = std::move(*table);
  if (Status s = ExpectKeyword("set"); !s.ok()) return s.error();
  do {
    if (Status s = ParseSetClause(update.set); !s.ok()) return s.error();
  } while (AcceptPunct(","));
  if (AcceptKeyword("from")) {
    if (Status s = ParseFromList(update.from); !s.ok()) return s.error();
  }
  if (Status s = ParseDmlWhere(update.where); !s.ok()) return s.error();
  if (Status s = ParseReturning(update.returning); !s.ok()) return s.error();
  return Make(std::move(update));
}

/* ON CONFLICT [(col, ...) | ON CONSTRAINT name] DO NOTHING | DO UPDATE
 * SET ... [WHERE ...] (PostgreSQL's opt_on_conflict). */
Result<OnConflictClause> Parser::ParseOnConflict() {
  OnConflictClause clause;
  clause.location = Peek().position;
  pos_ += 2;  // ON CONFLICT
  if (IsPunct("(")) {
    auto cols = ParseColumnList();
    if (!cols.ok()) return cols.error();
    clause.columns = std::move(*cols);
    if (IsKeyword("where")) {
      return MakeError(sqlstate::kFeatureNotSupported, "ON CONFLICT (...) WHERE is not supported by minipg");
    }
  } else if (AcceptKeyword("on")) {
    if (Status s = ExpectKeyword("constraint"); !s.ok()) return s.error();
    auto name = ParseName();
    if (!name.ok()) return name.error();
    clause.constraint = *name;
  }
  if (Status s = ExpectKeyword("do"); !s.ok()) return s.error();
  if (AcceptKeyword("nothing")) return clause;
  if (Status s = ExpectKeyword("update"); !s.ok()) return s.error();
  if (Status s = ExpectKeyword("set"); !s.ok()) return s.error();
  clause.update = true;
  do {
    if (Status s = ParseSetClause(clause.set); !s.ok()) return s.error();
  } while (AcceptPunct(","));
  if (Status s = ParseDmlWhere(clause.where); !s.ok()) return s.error();
  return clause;
}

Result<StatementPtr> Parser::ParseDelete() {
  DeleteStmt del;
  if (Status s = ExpectKeyword("from"); !s.ok()) return s.error();
  auto table = ParseTargetTable("using");
  if (!table.ok()) return table.error();
  del.table = std::move(*table);
  if (AcceptKeyword("using")) {
    if (Status s = ParseFromList(del.using_list); !s.ok()) return s.error();
  }
  if (Status s = ParseDmlWhere(del.where); !s.ok()) return s.error();
  if (Status s = ParseReturning(del.returning); !s.ok()) return s.error();
  return Make(std::move(del));
}

Status Parser::ParseDmlWhere(RawExprPtr& where) {
  if (!AcceptKeyword("where")) return OkStatus();
  if (IsKeyword("current") && IsKeyword("of", 1)) {
    return MakeError(sqlstate::kFeatureNotSupported, "WHERE CURRENT OF is not supported by minipg");
  }
  auto cond = ParseExpr();
  if (!cond.ok()) return cond.error();
  where = std::move(*cond);
  return OkStatus();
}

Result<StatementPtr> Parser::ParseTruncate() {
  TruncateStmt truncate;
  AcceptKeyword("table");
  do {
    AcceptKeyword("only");
    auto table = ParseQualifiedTableName();
    if (!table.ok()) return table.error();
    if (IsOp("*")) ++pos_;  // t *: its children too (there are none)
    truncate.tables.push_back(std::move(*table));
  } while (AcceptPunct(","));
  if (AcceptKeyword("continue")) {
    if (Status s = ExpectKeyword("identity"); !s.ok()) return s.error();
  } else if (IsKeyword("restart") && IsKeyword("identity", 1)) {
    return MakeError(sqlstate::kFeatureNotSupported, "TRUNCATE ... RESTART IDENTITY is not supported by minipg");
  }
  if (AcceptKeyword("cascade")) {
    return MakeError(sqlstate::kFeatureNotSupported, "TRUNCATE ... CASCADE is not supported by minipg");
  }
  AcceptKeyword("restrict");
  return Make(std::move(truncate));
}

Result<StatementPtr> Parser::ParseLock() {
  LockStmt lock;
  AcceptKeyword("table");
  do {
    AcceptKeyword("only");
    auto table = ParseQualifiedTableName();
    if (!table.ok()) return table.error();
    if (IsOp("*")) ++pos_;
    lock.tables.push_back(std::move(*table));
  } while (AcceptPunct(","));
  if (AcceptKeyword("in")) {
    // PostgreSQL's lock_type, then MODE.
    auto either = [&](const char* a, const char* b) -> Result<std::string> {
      if (AcceptKeyword(a)) return std::string(a);
      if (AcceptKeyword(b)) return std::string(b);
      return SyntaxError();
    };
    Result<std::string> words = std::string();
    if (IsKeyword("access") || IsKeyword("row")) {
      std::string first = Peek().text;
      ++pos_;
      auto second = either("share", "exclusive");
      words = second.ok() ? first + " " + *second : second;
    } else if (AcceptKeyword("share")) {
      words = std::string("share");
      if (AcceptKeyword("update")) {
        words = std::string("share update exclusive");
        if (Status s = ExpectKeyword("exclusive"); !s.ok()) return s.error();
      } else if (AcceptKeyword("row")) {
        words = std::string("share row exclusive");
        if (Status s = ExpectKeyword("exclusive"); !s.ok()) return s.error();
      }
    } else if (AcceptKeyword("exclusive")) {
      words = std::string("exclusive");
    } else {
      return SyntaxError();
    }
    if (!words.ok()) return words.error();
    if (Status s = ExpectKeyword("mode"); !s.ok()) return s.error();
    for (char& c : *words) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    lock.mode = *words;
  }
  lock.nowait = AcceptKeyword("nowait");
  return Make(std::move(lock));
}

}  // namespace minipg::sql::parser_internal
