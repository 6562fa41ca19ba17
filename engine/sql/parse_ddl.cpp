/*-------------------------------------------------------------------------
 * parse_ddl.cpp
 *   The grammar of CREATE [UNIQUE] INDEX, DROP INDEX and the constraints of
 *   CREATE TABLE (PostgreSQL's gram.y IndexStmt, ColConstraint,
 *   TableConstraint): PRIMARY KEY, UNIQUE, NOT NULL, NULL, DEFAULT, CHECK,
 *   REFERENCES, each optionally named with CONSTRAINT name.
 *-------------------------------------------------------------------------
 */
#include "engine/sql/parser_impl.h"

namespace minipg::sql::parser_internal {

using Kind = ConstraintDefinition::Kind;

/* A column list in parentheses (required). */
Result<std::vector<InsertColumn>> Parser::ParseColumnList() {
  if (!IsPunct("(")) return SyntaxError();
  return ParseOptionalColumnList();
}

/* The words after REFERENCES t [(cols)] [ON DELETE ...]: kept only as a
 * foreign key minipg refuses (0A000). */
Result<ConstraintDefinition> Parser::ParseReferences(ConstraintDefinition con) {
  con.kind = Kind::kForeignKey;
  SkipConstraint();
  return con;
}

std::optional<Result<ConstraintDefinition>> Parser::ParseConstraint(bool column) {
  ConstraintDefinition con;
  con.location = Peek().position;
  if (AcceptKeyword("constraint")) {
    auto name = ParseName();
    if (!name.ok()) return name.error();
    con.name = *name;
  } else if (!(IsKeyword("primary") || IsKeyword("unique") || IsKeyword("check") || IsKeyword("not") ||
               IsKeyword("null") || IsKeyword("default") || IsKeyword("references") || IsKeyword("foreign"))) {
    return std::nullopt;
  }
  if (AcceptKeyword("primary")) {
    if (Status s = ExpectKeyword("key"); !s.ok()) return s.error();
    con.kind = Kind::kPrimaryKey;
  } else if (AcceptKeyword("unique")) {
    con.kind = Kind::kUnique;
  } else if (AcceptKeyword("check")) {
    con.kind = Kind::kCheck;
    if (Status s = ExpectPunct("("); !s.ok()) return s.error();
    auto e = ParseExpr();
    if (!e.ok()) return e.error();
    con.expr = std::move(*e);
    if (Status s = ExpectPunct(")"); !s.ok()) return s.error();
    return con;
  } else if (column && AcceptKeyword("not")) {
    if (Status s = ExpectKeyword("null"); !s.ok()) return s.error();
    con.kind = Kind::kNotNull;
    return con;
  } else if (column && AcceptKeyword("null")) {
    con.kind = Kind::kNull;
    return con;
  } else if (column && AcceptKeyword("default")) {
    con.kind = Kind::kDefault;
    // b_expr in PostgreSQL: no bare AND / OR / comparison; an additive
    // expression covers the defaults people write.
    auto e = ParseConcat();
    if (!e.ok()) return e.error();
    con.expr = std::move(*e);
    return con;
  } else if (column && IsKeyword("references")) {
    return ParseReferences(std::move(con));
  } else if (!column && AcceptKeyword("foreign")) {
    if (Status s = ExpectKeyword("key"); !s.ok()) return s.error();
    return ParseReferences(std::move(con));
  } else {
    return SyntaxError();
  }
  if (!column) {  // PRIMARY KEY (a, b) / UNIQUE (a)
    auto cols = ParseColumnList();
    if (!cols.ok()) return cols.error();
    con.columns = std::move(*cols);
  }
  return con;
}

Result<StatementPtr> Parser::ParseCreateIndex(bool unique) {
  CreateIndexStmt index;
  index.unique = unique;
  if (AcceptKeyword("concurrently")) index.unsupported = "CREATE INDEX CONCURRENTLY";
  if (IsKeyword("if") && IsKeyword("not", 1)) {
    pos_ += 2;
    if (Status s = ExpectKeyword("exists"); !s.ok()) return s.error();
    index.if_not_exists = true;
  }
  if (!IsKeyword("on")) {
    auto name = ParseName();
    if (!name.ok()) return name.error();
    index.name = *name;
  } else if (index.if_not_exists) {
    return SyntaxError();  // IF NOT EXISTS needs a name, as in PostgreSQL
  }
  if (Status s = ExpectKeyword("on"); !s.ok()) return s.error();
  AcceptKeyword("only");
  auto table = ParseQualifiedTableName();
  if (!table.ok()) return table.error();
  index.table = std::move(*table);
  if (AcceptKeyword("using")) {
    auto method = ParseName();
    if (!method.ok()) return method.error();
    if (*method != "btree") index.unsupported = "index access method \"" + *method + "\"";
  }
  if (Status s = ExpectPunct("("); !s.ok()) return s.error();
  do {
    bool call = Peek(1).kind == TokenKind::kPunct && Peek(1).text == "(";
    if (IsPunct("(") || Peek().kind != TokenKind::kIdent || call) {
      index.unsupported = "index expressions";
      SkipConstraint();
      continue;
    }
    InsertColumn col;
    col.location = Peek().position;
    auto name = ParseName();
    if (!name.ok()) return name.error();
    col.name = *name;
    index.columns.push_back(std::move(col));
    if (AcceptKeyword("collate")) {
      if (auto c = ParseName(); !c.ok()) return c.error();
    }
    if (AcceptKeyword("desc")) index.unsupported = "descending index columns";
    AcceptKeyword("asc");
    if (AcceptKeyword("nulls")) {
      if (!AcceptKeyword("first") && !AcceptKeyword("last")) return SyntaxError();
    }
  } while (AcceptPunct(","));
  if (Status s = ExpectPunct(")"); !s.ok()) return s.error();
  if (IsKeyword("include") || IsKeyword("where") || IsKeyword("with") || IsKeyword("tablespace")) {
    index.unsupported = "CREATE INDEX ... " + Peek().text;
    SkipStatement();
  }
  return Make(std::move(index));
}

Result<StatementPtr> Parser::ParseDropIndex() {
  DropIndexStmt drop;
  AcceptKeyword("concurrently");
  auto names = ParseDropNames(drop.if_exists);
  if (!names.ok()) return names.error();
  drop.indexes = std::move(*names);
  AcceptKeyword("cascade") || AcceptKeyword("restrict");
  return Make(std::move(drop));
}

Result<std::vector<TableRef>> Parser::ParseDropNames(bool& if_exists) {
  if (AcceptKeyword("if")) {
    if (Status s = ExpectKeyword("exists"); !s.ok()) return s.error();
    if_exists = true;
  }
  std::vector<TableRef> names;
  do {
    auto ref = ParseQualifiedTableName();
    if (!ref.ok()) return ref.error();
    names.push_back(std::move(*ref));
  } while (AcceptPunct(","));
  return names;
}

}  // namespace minipg::sql::parser_internal
