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

/* A referential action after ON UPDATE / ON DELETE, as pg_constraint's
 * letter: NO ACTION a, RESTRICT r, CASCADE c, SET NULL n, SET DEFAULT d. */
Result<char> Parser::ParseReferentialAction() {
  if (AcceptKeyword("no")) {
    if (Status s = ExpectKeyword("action"); !s.ok()) return s.error();
    return 'a';
  }
  if (AcceptKeyword("restrict")) return 'r';
  if (AcceptKeyword("cascade")) return 'c';
  if (Status s = ExpectKeyword("set"); !s.ok()) return s.error();
  char action = 0;
  if (AcceptKeyword("null")) {
    action = 'n';
  } else if (AcceptKeyword("default")) {
    action = 'd';
  } else {
    return SyntaxError();
  }
  if (IsPunct("(")) {
    return MakeError(sqlstate::kFeatureNotSupported, "column lists of SET NULL / SET DEFAULT are not supported by minipg");
  }
  return action;
}

/* REFERENCES t [(cols)] [MATCH SIMPLE] [ON UPDATE action] [ON DELETE
 * action] (PostgreSQL's gram.y ColConstraintElem / ConstraintElem). */
Result<ConstraintDefinition> Parser::ParseReferences(ConstraintDefinition con) {
  con.kind = Kind::kForeignKey;
  if (Status s = ExpectKeyword("references"); !s.ok()) return s.error();
  auto table = ParseQualifiedTableName();
  if (!table.ok()) return table.error();
  con.ref_table = std::move(*table);
  auto cols = ParseOptionalColumnList();
  if (!cols.ok()) return cols.error();
  con.ref_columns = std::move(*cols);
  if (AcceptKeyword("match")) {
    if (AcceptKeyword("partial")) return MakeError(sqlstate::kFeatureNotSupported, "MATCH PARTIAL not yet implemented");
    if (AcceptKeyword("full")) return MakeError(sqlstate::kFeatureNotSupported, "MATCH FULL is not supported by minipg");
    if (Status s = ExpectKeyword("simple"); !s.ok()) return s.error();
  }
  bool update_seen = false;
  bool delete_seen = false;
  while (IsKeyword("on") && (IsKeyword("update", 1) || IsKeyword("delete", 1))) {
    ++pos_;
    bool update = AcceptKeyword("update");
    if (!update) ++pos_;
    bool& seen = update ? update_seen : delete_seen;
    if (seen) return SyntaxError();
    seen = true;
    auto action = ParseReferentialAction();
    if (!action.ok()) return action.error();
    (update ? con.on_update : con.on_delete) = *action;
  }
  if (IsKeyword("deferrable") || (IsKeyword("not") && IsKeyword("deferrable", 1)) || IsKeyword("initially")) {
    return MakeError(sqlstate::kFeatureNotSupported, "deferrable foreign keys are not supported by minipg");
  }
  return con;
}

/* NOT VALID after a table's CHECK or FOREIGN KEY (gram.y's
 * ConstraintAttributeSpec). */
bool Parser::AcceptNotValid() {
  if (!IsKeyword("not") || !IsKeyword("valid", 1)) return false;
  pos_ += 2;
  return true;
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
    if (!column) con.not_valid = AcceptNotValid();
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
    auto cols = ParseColumnList();
    if (!cols.ok()) return cols.error();
    con.columns = std::move(*cols);
    auto fk = ParseReferences(std::move(con));
    if (fk.ok()) fk->not_valid = AcceptNotValid();
    return fk;
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
    // DESC is accepted and the tree still kept ascending: a backward scan
    // reads it in descending order, so every query answers as PostgreSQL's
    // (docs/architecture.md, Simplifications).
    AcceptKeyword("desc") || AcceptKeyword("asc");
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
