/*-------------------------------------------------------------------------
 * parser.cpp
 *   The SQL grammar minipg understands (see parser.h and docs/sql.md).
 *-------------------------------------------------------------------------
 */
#include "engine/sql/parser.h"

#include <algorithm>
#include <iterator>

#include <fmt/format.h>

#include "engine/common/sqlstate.h"
#include "engine/sql/lexer.h"

namespace minipg::sql {

namespace {

/* Keywords that cannot be a column name or a bare column alias (PostgreSQL's
 * reserved keywords, plus the join and predicate words). */
constexpr std::string_view kReservedWords[] = {
    "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "between",
    "both", "case", "cast", "check", "collate", "column", "constraint", "create", "cross",
    "current_catalog", "current_date", "current_role", "current_time", "current_timestamp",
    "current_user", "default", "deferrable", "desc", "distinct", "do", "else", "end", "except",
    "false", "fetch", "for", "foreign", "from", "full", "grant", "group", "having", "ilike", "in",
    "initially", "inner", "intersect", "into", "is", "isnull", "join", "lateral", "leading",
    "left", "like", "limit", "localtime", "localtimestamp", "natural", "not", "notnull", "null",
    "offset", "on", "only", "or", "order", "outer", "placing", "primary", "references",
    "returning", "right", "select", "session_user", "similar", "some", "symmetric", "table",
    "then", "to", "trailing", "true", "union", "unique", "user", "using", "variadic", "when",
    "where", "window", "with",
};

bool IsReserved(std::string_view word) {
  return std::find(std::begin(kReservedWords), std::end(kReservedWords), word) != std::end(kReservedWords);
}

/* Words that start statements minipg recognises but does not run. */
constexpr std::string_view kUnsupportedStatements[] = {
    "update", "delete",  "alter",   "truncate", "copy",    "explain", "grant",
    "revoke", "vacuum",  "analyze", "with",     "values",  "prepare", "execute",
    "lock",   "comment", "listen",  "notify",   "declare", "call",
};

class Parser {
 public:
  Parser(std::string_view text, std::vector<Token> tokens) : text_(text), tokens_(std::move(tokens)) {}

  Result<std::vector<StatementPtr>> ParseAll() {
    std::vector<StatementPtr> stmts;
    for (;;) {
      while (IsPunct(";")) {
        ++pos_;
      }
      if (Peek().kind == TokenKind::kEnd) {
        break;
      }
      size_t first = pos_;
      auto stmt = ParseStatement();
      if (!stmt.ok()) {
        return stmt.error();
      }
      if (!IsPunct(";") && Peek().kind != TokenKind::kEnd) {
        return SyntaxError();
      }
      const Token& start = tokens_[first];
      const Token& last = tokens_[pos_ - 1];
      (*stmt)->location = start.position;
      (*stmt)->text = std::string(text_.substr(start.offset, last.end - start.offset));
      stmts.push_back(std::move(*stmt));
    }
    return stmts;
  }

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
    const Token& t = Peek();
    Error e = MakeError(sqlstate::kSyntaxError,
                        t.kind == TokenKind::kEnd
                            ? std::string("syntax error at end of input")
                            : fmt::format("syntax error at or near \"{}\"",
                                          text_.substr(t.offset, t.end - t.offset)));
    e.position = t.position;
    return e;
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

  Result<StatementPtr> ParseStatement() {
    if (AcceptKeyword("select")) {
      auto select = ParseSelect();
      if (!select.ok()) {
        return select.error();
      }
      return Make(std::move(*select));
    }
    if (AcceptKeyword("insert")) {
      return ParseInsert();
    }
    if (IsKeyword("create")) {
      if (IsKeyword("table", 1)) {
        pos_ += 2;
        return ParseCreateTable();
      }
      return Unsupported(2);
    }
    if (IsKeyword("drop")) {
      if (IsKeyword("table", 1)) {
        pos_ += 2;
        return ParseDropTable();
      }
      return Unsupported(2);
    }
    if (AcceptKeyword("begin") || (IsKeyword("start") && IsKeyword("transaction", 1))) {
      SkipStatement();  // WORK, TRANSACTION, ISOLATION LEVEL ...: accepted, ignored
      return Make(TransactionStmt{StatementKind::kBegin});
    }
    if (AcceptKeyword("commit") || AcceptKeyword("end")) {
      AcceptKeyword("work") || AcceptKeyword("transaction");
      return Make(TransactionStmt{StatementKind::kCommit});
    }
    if (AcceptKeyword("rollback") || AcceptKeyword("abort")) {
      AcceptKeyword("work") || AcceptKeyword("transaction");
      return Make(TransactionStmt{StatementKind::kRollback});
    }
    if (AcceptKeyword("set")) {
      return ParseSet();
    }
    if (AcceptKeyword("reset")) {
      auto name = ParseSettingName();
      if (!name.ok()) {
        return name.error();
      }
      return Make(SetStmt{*name, std::nullopt});
    }
    if (AcceptKeyword("show")) {
      auto name = ParseSettingName();
      if (!name.ok()) {
        return name.error();
      }
      return Make(ShowStmt{*name});
    }
    for (std::string_view word : kUnsupportedStatements) {
      if (IsKeyword(word)) {
        return Unsupported(1);
      }
    }
    return SyntaxError();
  }

  /* A statement PostgreSQL has and minipg does not: named by its first
   * `words` keywords, the rest skipped. */
  Result<StatementPtr> Unsupported(int words) {
    std::string what;
    for (int i = 0; i < words && Peek().kind == TokenKind::kIdent; ++i) {
      if (!what.empty()) {
        what += ' ';
      }
      std::string upper = Peek().text;
      std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
      what += upper;
      ++pos_;
    }
    SkipStatement();
    return Make(UnsupportedStmt{what});
  }

  Result<SelectStmt> ParseSelect() {
    SelectStmt select;
    if (IsKeyword("distinct")) {
      select.unsupported = "SELECT DISTINCT";
      SkipStatement();
      return select;
    }
    AcceptKeyword("all");
    // PostgreSQL allows an empty target list: SELECT FROM t.
    if (!(IsKeyword("from") || IsPunct(";") || Peek().kind == TokenKind::kEnd)) {
      do {
        auto target = ParseTarget();
        if (!target.ok()) {
          return target.error();
        }
        select.targets.push_back(std::move(*target));
      } while (AcceptPunct(","));
    }
    if (AcceptKeyword("from")) {
      auto table = ParseTableRef();
      if (!table.ok()) {
        return table.error();
      }
      select.from = std::move(*table);
      if (IsPunct(",") || IsKeyword("join") || IsKeyword("inner") || IsKeyword("left") ||
          IsKeyword("right") || IsKeyword("full") || IsKeyword("cross") || IsKeyword("natural")) {
        select.unsupported = "JOIN";
        SkipStatement();
        return select;
      }
    }
    if (AcceptKeyword("where")) {
      auto where = ParseExpr();
      if (!where.ok()) {
        return where.error();
      }
      select.where = std::move(*where);
    }
    for (std::string_view clause : {"group", "having", "union", "intersect", "except", "window"}) {
      if (IsKeyword(clause)) {
        std::string upper(clause);
        std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
        select.unsupported = upper == "GROUP" ? "GROUP BY" : upper;
        SkipStatement();
        return select;
      }
    }
    if (AcceptKeyword("order")) {
      if (Status s = ExpectKeyword("by"); !s.ok()) {
        return s.error();
      }
      do {
        OrderItem item;
        auto expr = ParseExpr();
        if (!expr.ok()) {
          return expr.error();
        }
        item.expr = std::move(*expr);
        if (AcceptKeyword("desc")) {
          item.descending = true;
        } else {
          AcceptKeyword("asc");
        }
        if (AcceptKeyword("nulls")) {
          if (AcceptKeyword("first")) {
            item.nulls_first = true;
          } else if (AcceptKeyword("last")) {
            item.nulls_first = false;
          } else {
            return SyntaxError();
          }
        }
        select.order_by.push_back(std::move(item));
      } while (AcceptPunct(","));
    }
    for (int i = 0; i < 2; ++i) {
      if (!select.limit && AcceptKeyword("limit")) {
        if (AcceptKeyword("all")) {
          continue;
        }
        auto limit = ParseExpr();
        if (!limit.ok()) {
          return limit.error();
        }
        select.limit = std::move(*limit);
      } else if (!select.offset && AcceptKeyword("offset")) {
        auto offset = ParseExpr();
        if (!offset.ok()) {
          return offset.error();
        }
        select.offset = std::move(*offset);
        AcceptKeyword("rows") || AcceptKeyword("row");
      }
    }
    return select;
  }

  Result<SelectTarget> ParseTarget() {
    SelectTarget target;
    target.location = Peek().position;
    if (IsOp("*")) {
      ++pos_;
      target.star = true;
      return target;
    }
    if (Peek().kind == TokenKind::kIdent && Peek(1).kind == TokenKind::kPunct && Peek(1).text == "." &&
        Peek(2).kind == TokenKind::kOp && Peek(2).text == "*") {
      target.star = true;
      target.star_qualifier = Peek().text;
      pos_ += 3;
      return target;
    }
    auto expr = ParseExpr();
    if (!expr.ok()) {
      return expr.error();
    }
    target.expr = std::move(*expr);
    if (AcceptKeyword("as")) {
      if (Peek().kind != TokenKind::kIdent) {
        return SyntaxError();
      }
      target.alias = Peek().text;  // after AS, even keywords are labels
      ++pos_;
    } else if (Peek().kind == TokenKind::kIdent && (Peek().quoted || !IsReserved(Peek().text))) {
      target.alias = Peek().text;
      ++pos_;
    }
    return target;
  }

  /* A table name with an optional alias (a bare alias only in FROM). */
  Result<TableRef> ParseTableRef(bool bare_alias = true) {
    TableRef ref;
    ref.location = Peek().position;
    auto name = ParseName();
    if (!name.ok()) {
      return name.error();
    }
    ref.name = *name;
    if (AcceptPunct(".")) {
      // schema.table: only "public" exists.
      auto table = ParseName();
      if (!table.ok()) {
        return table.error();
      }
      if (ref.name != "public") {
        Error e = MakeError("3F000",  // invalid_schema_name
                           
                            fmt::format("schema \"{}\" does not exist", ref.name));
        e.position = ref.location;
        return e;
      }
      ref.name = *table;
    }
    if (AcceptKeyword("as")) {
      auto alias = ParseName();
      if (!alias.ok()) {
        return alias.error();
      }
      ref.alias = *alias;
    } else if (bare_alias && Peek().kind == TokenKind::kIdent && (Peek().quoted || !IsReserved(Peek().text))) {
      ref.alias = Peek().text;
      ++pos_;
    }
    return ref;
  }

  Result<StatementPtr> ParseInsert() {
    InsertStmt insert;
    if (Status s = ExpectKeyword("into"); !s.ok()) {
      return s.error();
    }
    auto table = ParseTableRef(false);
    if (!table.ok()) {
      return table.error();
    }
    insert.table = std::move(*table);
    if (AcceptPunct("(")) {
      do {
        InsertColumn col;
        col.location = Peek().position;
        auto name = ParseName();
        if (!name.ok()) {
          return name.error();
        }
        col.name = *name;
        insert.columns.push_back(std::move(col));
      } while (AcceptPunct(","));
      if (Status s = ExpectPunct(")"); !s.ok()) {
        return s.error();
      }
    }
    if (IsKeyword("select") || IsKeyword("default")) {
      std::string what = IsKeyword("select") ? "INSERT ... SELECT" : "INSERT ... DEFAULT VALUES";
      SkipStatement();
      return Make(UnsupportedStmt{what});
    }
    if (Status s = ExpectKeyword("values"); !s.ok()) {
      return s.error();
    }
    do {
      if (Status s = ExpectPunct("("); !s.ok()) {
        return s.error();
      }
      std::vector<ExprPtr> row;
      do {
        auto expr = ParseExpr();
        if (!expr.ok()) {
          return expr.error();
        }
        row.push_back(std::move(*expr));
      } while (AcceptPunct(","));
      if (Status s = ExpectPunct(")"); !s.ok()) {
        return s.error();
      }
      insert.rows.push_back(std::move(row));
    } while (AcceptPunct(","));
    if (IsKeyword("returning") || IsKeyword("on")) {
      std::string what = IsKeyword("on") ? "INSERT ... ON CONFLICT" : "INSERT ... RETURNING";
      SkipStatement();
      return Make(UnsupportedStmt{what});
    }
    return Make(std::move(insert));
  }

  Result<TypeRef> ParseTypeName() {
    TypeRef type;
    type.location = Peek().position;
    if (Peek().kind != TokenKind::kIdent) {
      return SyntaxError();
    }
    type.name = Peek().text;
    ++pos_;
    if (type.name == "character" && AcceptKeyword("varying")) {
      type.name = "varchar";
    } else if (type.name == "double" && AcceptKeyword("precision")) {
      type.name = "double precision";
    }
    if (AcceptPunct("(")) {
      do {
        if (Peek().kind != TokenKind::kInteger) {
          return SyntaxError();
        }
        ++pos_;
      } while (AcceptPunct(","));
      if (Status s = ExpectPunct(")"); !s.ok()) {
        return s.error();
      }
    }
    return type;
  }

  Result<StatementPtr> ParseCreateTable() {
    CreateTableStmt create;
    if (AcceptKeyword("if")) {
      if (Status s = ExpectKeyword("not"); !s.ok()) {
        return s.error();
      }
      if (Status s = ExpectKeyword("exists"); !s.ok()) {
        return s.error();
      }
      create.if_not_exists = true;
    }
    auto table = ParseTableRef(false);
    if (!table.ok()) {
      return table.error();
    }
    create.table = std::move(*table);
    if (Status s = ExpectPunct("("); !s.ok()) {
      return s.error();
    }
    if (!IsPunct(")")) {
      do {
        if (IsKeyword("primary") || IsKeyword("unique") || IsKeyword("constraint") ||
            IsKeyword("check") || IsKeyword("foreign")) {
          create.unsupported = "table constraints";
          SkipConstraint();
          continue;
        }
        ColumnDefinition col;
        col.location = Peek().position;
        auto name = ParseName();
        if (!name.ok()) {
          return name.error();
        }
        col.name = *name;
        auto type = ParseTypeName();
        if (!type.ok()) {
          return type.error();
        }
        col.type = std::move(*type);
        if (!IsPunct(",") && !IsPunct(")")) {
          create.unsupported = "column constraints";
          SkipConstraint();
        }
        create.columns.push_back(std::move(col));
      } while (AcceptPunct(","));
    }
    if (Status s = ExpectPunct(")"); !s.ok()) {
      return s.error();
    }
    return Make(std::move(create));
  }

  /* Skips tokens up to the ',' or ')' that ends a column or table element. */
  void SkipConstraint() {
    int depth = 0;
    while (Peek().kind != TokenKind::kEnd && !IsPunct(";")) {
      if (IsPunct("(")) {
        ++depth;
      } else if (IsPunct(")")) {
        if (depth == 0) {
          return;
        }
        --depth;
      } else if (IsPunct(",") && depth == 0) {
        return;
      }
      ++pos_;
    }
  }

  Result<StatementPtr> ParseDropTable() {
    DropTableStmt drop;
    if (AcceptKeyword("if")) {
      if (Status s = ExpectKeyword("exists"); !s.ok()) {
        return s.error();
      }
      drop.if_exists = true;
    }
    do {
      TableRef ref;
      ref.location = Peek().position;
      auto name = ParseName();
      if (!name.ok()) {
        return name.error();
      }
      ref.name = *name;
      drop.tables.push_back(std::move(ref));
    } while (AcceptPunct(","));
    AcceptKeyword("cascade") || AcceptKeyword("restrict");
    return Make(std::move(drop));
  }

  /* A setting name: ident[.ident], or ALL. */
  Result<std::string> ParseSettingName() {
    if (Peek().kind != TokenKind::kIdent) {
      return SyntaxError();
    }
    std::string name = Peek().text;
    ++pos_;
    if (name == "time" && AcceptKeyword("zone")) {
      return std::string("timezone");
    }
    if (name == "transaction" && AcceptKeyword("isolation")) {
      if (Status s = ExpectKeyword("level"); !s.ok()) {
        return s.error();
      }
      return std::string("transaction_isolation");
    }
    while (AcceptPunct(".")) {
      if (Peek().kind != TokenKind::kIdent) {
        return SyntaxError();
      }
      name += "." + Peek().text;
      ++pos_;
    }
    return name;
  }

  Result<StatementPtr> ParseSet() {
    if (!AcceptKeyword("session")) {
      AcceptKeyword("local");
    }
    bool time_zone = IsKeyword("time") && IsKeyword("zone", 1);
    auto name = ParseSettingName();
    if (!name.ok()) {
      return name.error();
    }
    if (!time_zone && !(IsOp("=") || AcceptKeyword("to"))) {
      return SyntaxError();
    }
    if (IsOp("=")) {
      ++pos_;
    }
    if (AcceptKeyword("default") || (time_zone && AcceptKeyword("local"))) {
      return Make(SetStmt{*name, std::nullopt});
    }
    std::string value;
    do {
      const Token& t = Peek();
      std::string part;
      if (t.kind == TokenKind::kIdent || t.kind == TokenKind::kString || t.kind == TokenKind::kInteger ||
          t.kind == TokenKind::kNumeric) {
        part = t.text;
        ++pos_;
      } else if (IsOp("-") && (Peek(1).kind == TokenKind::kInteger || Peek(1).kind == TokenKind::kNumeric)) {
        part = "-" + Peek(1).text;
        pos_ += 2;
      } else {
        return SyntaxError();
      }
      if (!value.empty()) {
        value += ", ";
      }
      value += part;
    } while (AcceptPunct(","));
    return Make(SetStmt{*name, value});
  }

  // ---- expressions -----------------------------------------------------
  ExprPtr NewExpr(ExprKind kind, int location) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->location = location;
    return e;
  }
  ExprPtr Binary(Op op, ExprPtr left, ExprPtr right, int location) {
    ExprPtr e = NewExpr(ExprKind::kBinary, location);
    e->op = op;
    e->args.push_back(std::move(left));
    e->args.push_back(std::move(right));
    return e;
  }

  Result<ExprPtr> ParseExpr() { return ParseOr(); }

  Result<ExprPtr> ParseOr() {
    auto left = ParseAnd();
    if (!left.ok()) {
      return left;
    }
    while (IsKeyword("or")) {
      int loc = Peek().position;
      ++pos_;
      auto right = ParseAnd();
      if (!right.ok()) {
        return right;
      }
      *left = Binary(Op::kOr, std::move(*left), std::move(*right), loc);
    }
    return left;
  }

  Result<ExprPtr> ParseAnd() {
    auto left = ParseNot();
    if (!left.ok()) {
      return left;
    }
    while (IsKeyword("and")) {
      int loc = Peek().position;
      ++pos_;
      auto right = ParseNot();
      if (!right.ok()) {
        return right;
      }
      *left = Binary(Op::kAnd, std::move(*left), std::move(*right), loc);
    }
    return left;
  }

  Result<ExprPtr> ParseNot() {
    if (IsKeyword("not")) {
      int loc = Peek().position;
      ++pos_;
      auto arg = ParseNot();
      if (!arg.ok()) {
        return arg;
      }
      ExprPtr e = NewExpr(ExprKind::kUnary, loc);
      e->op = Op::kNot;
      e->args.push_back(std::move(*arg));
      return e;
    }
    return ParseIs();
  }

  Result<ExprPtr> ParseIs() {
    auto left = ParseComparison();
    if (!left.ok()) {
      return left;
    }
    for (;;) {
      int loc = Peek().position;
      bool negated = false;
      if (IsKeyword("is")) {
        ++pos_;
        negated = AcceptKeyword("not");
        if (!AcceptKeyword("null")) {
          return SyntaxError();
        }
      } else if (AcceptKeyword("isnull")) {
      } else if (AcceptKeyword("notnull")) {
        negated = true;
      } else {
        return left;
      }
      ExprPtr e = NewExpr(ExprKind::kIsNull, loc);
      e->negated = negated;
      e->args.push_back(std::move(*left));
      *left = std::move(e);
    }
  }

  std::optional<Op> ComparisonOp() const {
    if (Peek().kind != TokenKind::kOp) {
      return std::nullopt;
    }
    const std::string& t = Peek().text;
    if (t == "=") return Op::kEq;
    if (t == "<>") return Op::kNe;
    if (t == "<") return Op::kLt;
    if (t == "<=") return Op::kLe;
    if (t == ">") return Op::kGt;
    if (t == ">=") return Op::kGe;
    return std::nullopt;
  }

  Result<ExprPtr> ParseComparison() {
    auto left = ParseConcat();
    if (!left.ok()) {
      return left;
    }
    if (auto op = ComparisonOp()) {
      int loc = Peek().position;
      ++pos_;
      auto right = ParseConcat();
      if (!right.ok()) {
        return right;
      }
      if (ComparisonOp()) {
        return SyntaxError();  // comparisons do not associate: 1 < 2 < 3
      }
      *left = Binary(*op, std::move(*left), std::move(*right), loc);
    }
    for (std::string_view word : {"like", "ilike", "in", "between", "similar"}) {
      if (IsKeyword(word) || (IsKeyword("not") && IsKeyword(word, 1))) {
        Error e = MakeError(sqlstate::kFeatureNotSupported,
                            fmt::format("{} is not supported by minipg", word));
        e.position = Peek().position;
        return e;
      }
    }
    return left;
  }

  Result<ExprPtr> ParseConcat() {
    auto left = ParseAdditive();
    if (!left.ok()) {
      return left;
    }
    while (IsOp("||")) {
      int loc = Peek().position;
      ++pos_;
      auto right = ParseAdditive();
      if (!right.ok()) {
        return right;
      }
      *left = Binary(Op::kConcat, std::move(*left), std::move(*right), loc);
    }
    return left;
  }

  Result<ExprPtr> ParseAdditive() {
    auto left = ParseMultiplicative();
    if (!left.ok()) {
      return left;
    }
    while (IsOp("+") || IsOp("-")) {
      Op op = IsOp("+") ? Op::kAdd : Op::kSub;
      int loc = Peek().position;
      ++pos_;
      auto right = ParseMultiplicative();
      if (!right.ok()) {
        return right;
      }
      *left = Binary(op, std::move(*left), std::move(*right), loc);
    }
    return left;
  }

  Result<ExprPtr> ParseMultiplicative() {
    auto left = ParseUnary();
    if (!left.ok()) {
      return left;
    }
    while (IsOp("*") || IsOp("/") || IsOp("%")) {
      Op op = IsOp("*") ? Op::kMul : IsOp("/") ? Op::kDiv : Op::kMod;
      int loc = Peek().position;
      ++pos_;
      auto right = ParseUnary();
      if (!right.ok()) {
        return right;
      }
      *left = Binary(op, std::move(*left), std::move(*right), loc);
    }
    return left;
  }

  Result<ExprPtr> ParseUnary() {
    if (IsOp("-") || IsOp("+")) {
      bool minus = IsOp("-");
      int loc = Peek().position;
      ++pos_;
      auto arg = ParseUnary();
      if (!arg.ok() || !minus) {
        return arg;
      }
      Expr& a = **arg;
      // Like PostgreSQL's doNegate: -<number> is one constant, so that
      // -2147483648 is an integer.
      if (a.kind == ExprKind::kIntLiteral || a.kind == ExprKind::kNumericLiteral) {
        a.text = a.text[0] == '-' ? a.text.substr(1) : "-" + a.text;
        a.location = loc;
        return arg;
      }
      ExprPtr e = NewExpr(ExprKind::kUnary, loc);
      e->op = Op::kNeg;
      e->args.push_back(std::move(*arg));
      return e;
    }
    return ParsePostfix();
  }

  Result<ExprPtr> ParsePostfix() {
    auto expr = ParsePrimary();
    if (!expr.ok()) {
      return expr;
    }
    while (IsOp("::")) {
      int loc = Peek().position;
      ++pos_;
      auto type = ParseTypeName();
      if (!type.ok()) {
        return type.error();
      }
      ExprPtr cast = NewExpr(ExprKind::kCast, loc);
      cast->type_name = std::move(*type);
      cast->args.push_back(std::move(*expr));
      *expr = std::move(cast);
    }
    return expr;
  }

  Result<ExprPtr> ParsePrimary() {
    const Token& t = Peek();
    int loc = t.position;
    switch (t.kind) {
      case TokenKind::kInteger: {
        ExprPtr e = NewExpr(ExprKind::kIntLiteral, loc);
        e->text = t.text;
        ++pos_;
        return e;
      }
      case TokenKind::kNumeric: {
        ExprPtr e = NewExpr(ExprKind::kNumericLiteral, loc);
        e->text = t.text;
        ++pos_;
        return e;
      }
      case TokenKind::kString: {
        ExprPtr e = NewExpr(ExprKind::kStringLiteral, loc);
        e->text = t.text;
        ++pos_;
        return e;
      }
      case TokenKind::kPunct:
        if (t.text == "(") {
          ++pos_;
          if (IsKeyword("select")) {
            Error e = MakeError(sqlstate::kFeatureNotSupported, "subqueries are not supported by minipg");
            e.position = Peek().position;
            return e;
          }
          auto inner = ParseExpr();
          if (!inner.ok()) {
            return inner;
          }
          if (Status s = ExpectPunct(")"); !s.ok()) {
            return s.error();
          }
          return inner;
        }
        return SyntaxError();
      case TokenKind::kIdent:
        return ParseIdentExpr();
      default:
        return SyntaxError();
    }
  }

  Result<ExprPtr> ParseIdentExpr() {
    const Token& t = Peek();
    int loc = t.position;
    if (!t.quoted) {
      if (t.text == "true" || t.text == "false") {
        ExprPtr e = NewExpr(ExprKind::kBoolLiteral, loc);
        e->bool_value = t.text == "true";
        ++pos_;
        return e;
      }
      if (t.text == "null") {
        ++pos_;
        return NewExpr(ExprKind::kNullLiteral, loc);
      }
      if (t.text == "cast") {
        ++pos_;
        if (Status s = ExpectPunct("("); !s.ok()) {
          return s.error();
        }
        auto arg = ParseExpr();
        if (!arg.ok()) {
          return arg;
        }
        if (Status s = ExpectKeyword("as"); !s.ok()) {
          return s.error();
        }
        auto type = ParseTypeName();
        if (!type.ok()) {
          return type.error();
        }
        if (Status s = ExpectPunct(")"); !s.ok()) {
          return s.error();
        }
        ExprPtr e = NewExpr(ExprKind::kCast, loc);
        e->type_name = std::move(*type);
        e->args.push_back(std::move(*arg));
        return e;
      }
      if (t.text == "current_user" || t.text == "session_user" || t.text == "user" ||
          t.text == "current_catalog") {
        ExprPtr e = NewExpr(ExprKind::kFuncCall, loc);
        e->text = t.text;
        e->negated = true;  // marks a keyword function called without parentheses
        ++pos_;
        return e;
      }
      if (t.text == "case" || t.text == "exists" || t.text == "array") {
        Error e = MakeError(sqlstate::kFeatureNotSupported,
                            fmt::format("{} expressions are not supported by minipg", t.text));
        e.position = loc;
        return e;
      }
    }
    auto name = ParseName();
    if (!name.ok()) {
      return name.error();
    }
    if (AcceptPunct("(")) {
      ExprPtr e = NewExpr(ExprKind::kFuncCall, loc);
      e->text = *name;
      if (IsOp("*")) {
        ++pos_;
        e->star = true;
      } else if (!IsPunct(")")) {
        do {
          auto arg = ParseExpr();
          if (!arg.ok()) {
            return arg;
          }
          e->args.push_back(std::move(*arg));
        } while (AcceptPunct(","));
      }
      if (Status s = ExpectPunct(")"); !s.ok()) {
        return s.error();
      }
      return e;
    }
    ExprPtr e = NewExpr(ExprKind::kColumnRef, loc);
    e->text = *name;
    if (AcceptPunct(".")) {
      if (Peek().kind != TokenKind::kIdent) {
        return SyntaxError();
      }
      e->qualifier = e->text;
      e->text = Peek().text;
      ++pos_;
    }
    return e;
  }

  std::string_view text_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
};

}  // namespace

Result<std::vector<StatementPtr>> ParseSql(std::string_view text) {
  auto tokens = Lex(text);
  if (!tokens.ok()) {
    return tokens.error();
  }
  Parser parser(text, std::move(*tokens));
  return parser.ParseAll();
}

}  // namespace minipg::sql
