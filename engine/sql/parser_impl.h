/*-------------------------------------------------------------------------
 * parser_impl.h
 *   The recursive-descent Parser class, private to the parser: statements
 *   are parsed in parser.cpp, expressions in parse_expression.cpp.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "engine/common/error.h"
#include "engine/common/sqlstate.h"
#include "engine/common/stack_depth.h"
#include "engine/sql/ast.h"
#include "engine/sql/lexer.h"

namespace minipg::sql::parser_internal {

/* True for keywords that cannot be a column name or a bare alias. */
bool IsReserved(std::string_view word);
/* Reserved words that may still name a function (PostgreSQL's
 * type_func_name_keyword class among them: left(...), right(...)). */
bool IsFunctionNameKeyword(std::string_view word);

class Parser {
 public:
  Parser(std::string_view text, std::vector<Token> tokens) : text_(text), tokens_(std::move(tokens)) {}
  Result<std::vector<StatementPtr>> ParseAll();

 private:
  // ---- token helpers -------------------------------------------------
  const Token& Peek(size_t ahead = 0) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  bool IsKeyword(std::string_view word, size_t ahead = 0) const {
    const Token& t = Peek(ahead);
    return t.kind == TokenKind::kIdent && !t.quoted && t.text == word;
  }
  bool IsPunct(std::string_view p) const { return Peek().kind == TokenKind::kPunct && Peek().text == p; }
  bool IsOp(std::string_view op) const { return Peek().kind == TokenKind::kOp && Peek().text == op; }
  bool AcceptKeyword(std::string_view word) {
    if (IsKeyword(word)) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool AcceptPunct(std::string_view p) {
    if (IsPunct(p)) {
      ++pos_;
      return true;
    }
    return false;
  }

  Error SyntaxError() const {
    return SyntaxErrorAt(text_, Peek());
  }
  Status ExpectKeyword(std::string_view word) {
    return AcceptKeyword(word) ? OkStatus() : Status(SyntaxError());
  }
  Status ExpectPunct(std::string_view p) { return AcceptPunct(p) ? OkStatus() : Status(SyntaxError()); }

  /* A name: any identifier but a reserved word (quoted ones always). */
  Result<std::string> ParseName() {
    const Token& t = Peek();
    if (t.kind != TokenKind::kIdent || (!t.quoted && IsReserved(t.text))) {
      return SyntaxError();
    }
    ++pos_;
    return t.text;
  }

  /* Skips to the end of the statement (';' or end of input). */
  void SkipStatement() {
    while (Peek().kind != TokenKind::kEnd && !IsPunct(";")) {
      ++pos_;
    }
  }

  // ---- statements ------------------------------------------------------
  Result<StatementPtr> Make(StatementNode node) {
    auto stmt = std::make_unique<Statement>();
    stmt->node = std::move(node);
    return stmt;
  }
  Result<StatementPtr> ParseStatement();
  /* A role, database or extension statement (catalog_ddl_stmt.h), or
   * nullopt if the statement is not one. */
  std::optional<Result<StatementPtr>> ParseOwnGrammar();
  /* A statement PostgreSQL has and minipg does not: named by its first
   * `words` keywords, the rest skipped. */
  Result<StatementPtr> Unsupported(int words);
  /* After SELECT was taken: the whole query from that SELECT on. */
  Result<SelectStmt> ParseSelect();
  /* [WITH ...] a set operation tree of SELECTs, VALUES and parenthesized
   * queries, then ORDER BY / LIMIT / OFFSET on the whole. */
  Result<SelectStmt> ParseSelectStatement();
  Status ParseWithClause(std::vector<CommonTableExpr>& ctes);
  Result<SelectStmt> ParseSetOpExpr(bool intersect_only = false);
  Result<SelectStmt> ParseSelectPrimary();
  /* After SELECT: [DISTINCT [ON (...)]] targets FROM WHERE GROUP BY HAVING. */
  Result<SelectStmt> ParseSimpleSelect();
  Result<SelectTarget> ParseTarget();
  /* ORDER BY, LIMIT, OFFSET. */
  Status ParseSelectTail(SelectStmt& select);
  /* FOR UPDATE | NO KEY UPDATE | SHARE | KEY SHARE [OF name, ...] [NOWAIT |
   * SKIP LOCKED], as many as written, or FOR READ ONLY (parse_locking.cpp). */
  Status ParseLockingClauses(SelectStmt& select);
  /* BY item [ASC|DESC] [NULLS FIRST|LAST], ... (after ORDER). */
  Status ParseOrderBy(std::vector<OrderItem>& items);
  /* FROM (parse_from.cpp). */
  Status ParseFromList(std::vector<FromItemPtr>& from);
  Result<FromItemPtr> ParseFromItem();
  Result<FromItemPtr> ParseFromPrimary();
  /* [AS] alias [(col, ...)]; a bare alias only if `bare`. */
  Status ParseAlias(FromItem& item, bool bare);
  /* (expr, ...), ... of VALUES and INSERT. */
  Status ParseValuesRows(std::vector<std::vector<RawExprPtr>>& rows);
  /* After the VALUES keyword. */
  Result<SelectStmt> ParseValuesStmt();
  /* A table name with an optional alias (a bare alias only in FROM). */
  /* name or schema.name (schema public or pg_catalog) */
  Result<TableRef> ParseQualifiedTableName();
  Result<TableRef> ParseTableRef(bool bare_alias = true);
  /* An optional "(col, ...)" after a table name (INSERT, COPY); empty if absent. */
  Result<std::vector<InsertColumn>> ParseOptionalColumnList();
  Result<StatementPtr> ParseInsert();
  /* The name after SAVEPOINT, RELEASE [SAVEPOINT], ROLLBACK TO [SAVEPOINT]. */
  Result<StatementPtr> ParseSavepointName(StatementKind kind);
  /* UPDATE, DELETE, TRUNCATE and RETURNING (parse_dml.cpp). */
  Result<StatementPtr> ParseUpdate();
  Result<OnConflictClause> ParseOnConflict();
  Result<StatementPtr> ParseDelete();
  Result<StatementPtr> ParseTruncate();
  /* After LOCK: [TABLE] [ONLY] name [, ...] [IN mode MODE] [NOWAIT]. */
  Result<StatementPtr> ParseLock();
  Status ParseReturning(std::vector<SelectTarget>& out);
  /* UPDATE's or DELETE's table: [ONLY] name [[AS] alias] (`next_keyword`
   * is never a bare alias). */
  Result<TableRef> ParseTargetTable(std::string_view next_keyword);
  Status ParseSetClause(std::vector<SetClause>& set);
  Status ParseDmlWhere(RawExprPtr& where);
  Result<TypeRef> ParseTypeName();
  Result<StatementPtr> ParseCreateTable();
  // ---- CREATE INDEX, DROP INDEX, constraints (parse_ddl.cpp) ----------
  Result<StatementPtr> ParseCreateIndex(bool unique);
  Result<StatementPtr> ParseDropIndex();
  /* [IF EXISTS] name [, ...] of a DROP. */
  Result<std::vector<TableRef>> ParseDropNames(bool& if_exists);
  // parse_seqview.cpp
  Result<int64_t> ParseSignedInteger();
  Result<StatementPtr> ParseCreateSequence();
  Result<StatementPtr> ParseCreateView(bool replace);
  Result<StatementPtr> ParseDropRelation(StatementKind kind);
  Result<std::vector<InsertColumn>> ParseColumnList();
  /* A column constraint (`column`) or table constraint at the current
   * token; nullopt if none starts there. */
  std::optional<Result<ConstraintDefinition>> ParseConstraint(bool column);
  Result<ConstraintDefinition> ParseReferences(ConstraintDefinition con);
  bool AcceptNotValid();
  Status ParseRowFields(RawExpr& row);
  bool IsColumnNameListBeforeAs() const;
  Result<StatementPtr> ParseCreateTableAs(CreateTableStmt create);
  Result<char> ParseReferentialAction();
  /* Skips tokens up to the ',' or ')' that ends a column or table element. */
  void SkipConstraint();
  Result<StatementPtr> ParseDropTable();
  /* One column of CREATE TABLE or ALTER TABLE ADD COLUMN: name type constraints. */
  Result<ColumnDefinition> ParseColumnDefinition();
  /* WITH (name [= value], ...) after CREATE TABLE's columns. */
  Status ParseRelOptions(std::vector<RelOption>& out);
  /* ALTER TABLE and its actions (parse_alter.cpp). */
  Result<StatementPtr> ParseAlterTable();
  Result<AlterTableCmd> ParseAlterTableCmd(AlterTableStmt& alter);
  /* A setting name: ident[.ident], or ALL. */
  Result<std::string> ParseSettingName();
  Result<StatementPtr> ParseSet();
  /* BEGIN's and SET TRANSACTION's modes: ISOLATION LEVEL ..., READ
   * ONLY / WRITE, [NOT] DEFERRABLE (accepted, no effect), commas between. */
  Status ParseTransactionModes(std::optional<std::string>& isolation, std::optional<bool>& read_only);
  /* EXPLAIN, VACUUM, ANALYZE (parse_explain.cpp). */
  Result<StatementPtr> ParseExplain();
  Result<StatementPtr> ParseVacuum(bool vacuum);
  Result<bool> ParseOptionBool(const std::string& option);
  /* COPY (parse_copy.cpp). */
  Result<StatementPtr> ParseCopy();
  Result<std::vector<CopyOptionItem>> ParseCopyOptions();

  // ---- expressions -----------------------------------------------------
  RawExprPtr NewExpr(RawExprKind kind, int location) {
    auto e = std::make_unique<RawExpr>();
    e->kind = kind;
    e->location = location;
    return e;
  }
  RawExprPtr Binary(Op op, RawExprPtr left, RawExprPtr right, int location) {
    RawExprPtr e = NewExpr(RawExprKind::kBinary, location);
    e->op = op;
    e->args.push_back(std::move(left));
    e->args.push_back(std::move(right));
    return e;
  }

  /* Every recursion of the expression grammar passes through ParseExpr
   * (parentheses, function arguments, CAST), ParseNot or ParseUnary, and
   * each checks the stack there (stack_depth.h). */
  Result<RawExprPtr> ParseExpr() {
    if (Status s = CheckStackDepth(); !s.ok()) {
      return s.error();
    }
    return ParseOr();
  }
  Result<RawExprPtr> ParseOr();
  Result<RawExprPtr> ParseAnd();
  Result<RawExprPtr> ParseNot();
  Result<RawExprPtr> ParseIs();
  std::optional<Op> ComparisonOp() const;
  Result<RawExprPtr> ParseComparison();
  Result<RawExprPtr> ParseLike(RawExprPtr left, bool negated, int loc);
  Result<std::string> AcceptNamedOp();
  Result<RawExprPtr> ParseCase();
  /* ARRAY[...] after the word ARRAY (or a nested [...] inside one), and
   * a subscript [i] / slice [i:j] after an operand (parse_array.cpp). */
  Result<RawExprPtr> ParseArrayConstructor(int loc);
  Result<RawExprPtr> ParseSubscript(RawExprPtr operand);
  std::optional<Result<RawExprPtr>> ParseTypedLiteral();
  /* extract(f FROM x), substring(s FROM a FOR b), position(a IN b),
   * trim(BOTH c FROM s) (parse_special_func.cpp). */
  std::optional<Result<RawExprPtr>> ParseSpecialFunction(const std::string& name, int location);
  /* Windows (parse_over.cpp): OVER name | OVER (spec) after a function
   * call; WINDOW name AS (spec), ... after HAVING; a spec's inside. */
  Status ParseOver(RawExpr& call);
  Status ParseWindowClause(std::vector<WindowDef>& windows);
  Status ParseWindowSpec(WindowDef& def);
  Status ParseFrameBound(WindowDef& def, bool start);
  Result<RawExprPtr> ParseConcat();
  Result<RawExprPtr> ParseAdditive();
  Result<RawExprPtr> ParseMultiplicative();
  Result<RawExprPtr> ParseUnary();
  Result<RawExprPtr> ParsePostfix();
  Result<RawExprPtr> ParsePrimary();
  Result<RawExprPtr> ParseIdentExpr();
  /* "(SELECT ...)" of a subquery in an expression, as a kSubLink. */
  Result<RawExprPtr> ParseSubLink(SubLinkType type, int loc);
  /* "(array)" of x op ANY / ALL (array): a kSubLink without subselect. */
  Result<RawExprPtr> ParseArrayOperand(SubLinkType type, int loc);

  std::string_view text_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
};

}  // namespace minipg::sql::parser_internal
