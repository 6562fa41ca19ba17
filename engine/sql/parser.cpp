/*-------------------------------------------------------------------------
 * parser.cpp
 *   The SQL grammar minipg understands, statement level (see parser.h and
 *   docs/sql.md); expressions are in parse_expression.cpp.
 *-------------------------------------------------------------------------
 */
#include "engine/sql/parser.h"

#include <algorithm>
#include <cstdlib>
#include <iterator>

#include "engine/common/interrupts.h"
#include "engine/common/sqlstate.h"
#include "engine/common/stack_depth.h"
#include "engine/sql/parser_impl.h"

namespace minipg::sql {

namespace parser_internal {

namespace {

/* Words that start statements minipg recognises but does not run. */
constexpr std::string_view kUnsupportedStatements[] = {
    "grant", "revoke", "prepare", "execute",
    "comment", "listen",  "notify",   "declare", "call",
};

}  // namespace

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

/* The reserved words above that PostgreSQL classes as type_func_name
 * keywords: not a column name, but a function name before "(". */
constexpr std::string_view kFunctionNameKeywords[] = {
    "cross", "full", "ilike", "inner", "is", "isnull", "join", "left",
    "like", "natural", "notnull", "outer", "right", "similar",
};

bool IsFunctionNameKeyword(std::string_view word) {
  return std::find(std::begin(kFunctionNameKeywords), std::end(kFunctionNameKeywords), word) !=
         std::end(kFunctionNameKeywords);
}

Result<std::vector<StatementPtr>> Parser::ParseAll() {
  std::vector<StatementPtr> stmts;
  for (;;) {
    while (IsPunct(";")) {
      ++pos_;
    }
    if (Peek().kind == TokenKind::kEnd) {
      break;
    }
    if (Status s = CheckForInterrupts(); !s.ok()) {
      return s.error();
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
    if (std::holds_alternative<UnsupportedStmt>((*stmt)->node)) {
      (*stmt)->text = std::string(text_.substr(start.offset, last.end - start.offset));
    }
    stmts.push_back(std::move(*stmt));
  }
  return stmts;
}

Result<StatementPtr> Parser::ParseSavepointName(StatementKind kind) {
  auto name = ParseName();
  if (!name.ok()) return name.error();
  return Make(TransactionStmt{kind, *name});
}

Result<StatementPtr> Parser::ParseStatement() {
  // Statements with a grammar of their own (roles, databases, extensions).
  if (auto own = ParseOwnGrammar()) {
    return std::move(*own);
  }
  if (IsKeyword("select") || IsKeyword("values") || IsKeyword("with") || IsPunct("(")) {
    auto select = ParseSelectStatement();
    if (!select.ok()) {
      return select.error();
    }
    SelectStmt* first = &*select;  // SELECT ... INTO: in the first SELECT of a set operation
    while (first->larg) first = first->larg.get();
    if (first->into) {
      CreateTableAsStmt as;
      as.table = std::move(*first->into);
      first->into.reset();
      as.select_into = true;
      as.query = std::make_shared<SelectStmt>(std::move(*select));
      return Make(std::move(as));
    }
    return Make(std::move(*select));
  }
  if (AcceptKeyword("insert")) {
    return ParseInsert();
  }
  if (AcceptKeyword("update")) {
    return ParseUpdate();
  }
  if (AcceptKeyword("delete")) {
    return ParseDelete();
  }
  if (AcceptKeyword("truncate")) {
    return ParseTruncate();
  }
  if (AcceptKeyword("lock")) {
    return ParseLock();
  }
  if (IsKeyword("create")) {
    if (IsKeyword("table", 1)) {
      pos_ += 2;
      return ParseCreateTable();
    }
    if (IsKeyword("index", 1) || (IsKeyword("unique", 1) && IsKeyword("index", 2))) {
      bool unique = IsKeyword("unique", 1);
      pos_ += unique ? 3 : 2;
      return ParseCreateIndex(unique);
    }
    if (IsKeyword("sequence", 1)) {
      pos_ += 2;
      return ParseCreateSequence();
    }
    if (IsKeyword("view", 1) || (IsKeyword("or", 1) && IsKeyword("replace", 2) && IsKeyword("view", 3))) {
      bool replace = IsKeyword("or", 1);
      pos_ += replace ? 4 : 2;
      return ParseCreateView(replace);
    }
    return Unsupported(2);
  }
  if (IsKeyword("drop")) {
    if (IsKeyword("table", 1)) {
      pos_ += 2;
      return ParseDropTable();
    }
    if (IsKeyword("index", 1)) {
      pos_ += 2;
      return ParseDropIndex();
    }
    if (IsKeyword("sequence", 1) || IsKeyword("view", 1)) {
      bool view = IsKeyword("view", 1);
      pos_ += 2;
      return ParseDropRelation(view ? StatementKind::kDropView : StatementKind::kDropSequence);
    }
    return Unsupported(2);
  }
  if (IsKeyword("alter")) {
    if (IsKeyword("table", 1)) {
      pos_ += 2;
      return ParseAlterTable();
    }
    return Unsupported(2);
  }
  if (AcceptKeyword("begin") || (IsKeyword("start") && IsKeyword("transaction", 1))) {
    bool start = AcceptKeyword("start");
    if (!start) {
      AcceptKeyword("work") || AcceptKeyword("transaction");
    } else {
      ++pos_;  // TRANSACTION
    }
    TransactionStmt begin{StatementKind::kBegin};
    begin.start = start;
    if (Status s = ParseTransactionModes(begin.isolation, begin.read_only); !s.ok()) {
      return s.error();
    }
    return Make(std::move(begin));
  }
  if (AcceptKeyword("commit") || AcceptKeyword("end")) {
    AcceptKeyword("work") || AcceptKeyword("transaction");
    return Make(TransactionStmt{StatementKind::kCommit});
  }
  if (AcceptKeyword("rollback") || AcceptKeyword("abort")) {
    bool rollback = tokens_[pos_ - 1].text == "rollback";
    AcceptKeyword("work") || AcceptKeyword("transaction");
    if (rollback && AcceptKeyword("to")) {  // ROLLBACK TO [SAVEPOINT] name
      AcceptKeyword("savepoint");
      return ParseSavepointName(StatementKind::kRollbackTo);
    }
    return Make(TransactionStmt{StatementKind::kRollback});
  }
  if (AcceptKeyword("savepoint")) {
    return ParseSavepointName(StatementKind::kSavepoint);
  }
  if (AcceptKeyword("release")) {
    AcceptKeyword("savepoint");
    return ParseSavepointName(StatementKind::kRelease);
  }
  if (AcceptKeyword("set")) {
    return ParseSet();
  }
  if (AcceptKeyword("reset")) {
    auto name = ParseSettingName();
    if (!name.ok()) {
      return name.error();
    }
    return Make(SetStmt{*name, std::nullopt, true});
  }
  if (AcceptKeyword("checkpoint")) {
    return Make(CheckpointStmt{});
  }
  if (AcceptKeyword("explain")) {
    return ParseExplain();
  }
  if (AcceptKeyword("vacuum") || AcceptKeyword("analyze") || AcceptKeyword("analyse")) {
    return ParseVacuum(tokens_[pos_ - 1].text == "vacuum");
  }
  if (AcceptKeyword("copy")) {
    return ParseCopy();
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

std::optional<Result<StatementPtr>> Parser::ParseOwnGrammar() {
  if (!(IsKeyword("create") || IsKeyword("alter") || IsKeyword("drop") || IsKeyword("grant") ||
        IsKeyword("revoke"))) {
    return std::nullopt;
  }
  // The statement's text, to the ';' or the end.
  size_t end = pos_;
  while (tokens_[end].kind != TokenKind::kEnd && !(tokens_[end].kind == TokenKind::kPunct && tokens_[end].text == ";")) {
    ++end;
  }
  const Token& first = tokens_[pos_];
  std::string_view text = text_.substr(first.offset, tokens_[end].offset - first.offset);
  auto located = [&](Error e) {
    if (e.position > 0) e.position += first.position - 1;
    return e;
  };
  if (auto ddl = ParseCatalogDdl(text)) {
    if (!ddl->ok()) return Result<StatementPtr>(located(ddl->error()));
    pos_ = end;
    return Make(CatalogDdlStmt{std::move(**ddl)});
  }
  if (auto ext = ParseExtensionDdl(text)) {
    if (!ext->ok()) return Result<StatementPtr>(located(ext->error()));
    pos_ = end;
    return Make(ExtensionStmt{std::move(**ext)});
  }
  return std::nullopt;
}

Result<StatementPtr> Parser::Unsupported(int words) {
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

Result<SelectStmt> Parser::ParseSelect() {
  --pos_;  // the caller took SELECT: the whole statement starts there
  return ParseSelectStatement();
}

Result<SelectStmt> Parser::ParseSelectStatement() {
  if (Status s = CheckStackDepth(); !s.ok()) {
    return s.error();
  }
  std::vector<CommonTableExpr> ctes;
  if (AcceptKeyword("with")) {
    if (Status s = ParseWithClause(ctes); !s.ok()) {
      return s.error();
    }
    if (IsKeyword("insert") || IsKeyword("update") || IsKeyword("delete")) {
      return MakeError(sqlstate::kFeatureNotSupported, "WITH before INSERT, UPDATE or DELETE is not supported by minipg");
    }
  }
  auto body = ParseSetOpExpr();
  if (!body.ok()) {
    return body;
  }
  bool values = body->is_values;
  if (values) {
    // VALUES ... ORDER BY: SELECT * FROM (VALUES ...) AS "*VALUES*" ORDER BY ...
    SelectStmt select;
    select.targets.emplace_back();
    select.targets.back().star = true;
    auto item = std::make_unique<FromItem>();
    item->kind = FromItem::Kind::kSubquery;
    item->alias = "*VALUES*";
    item->subquery = std::make_unique<SelectStmt>(std::move(*body));
    select.from.push_back(std::move(item));
    *body = std::move(select);
  }
  if (!body->order_by.empty() && IsKeyword("order")) {
    return MakeError(sqlstate::kSyntaxError, "multiple ORDER BY clauses not allowed");
  }
  if (Status s = ParseSelectTail(*body); !s.ok()) {
    return s.error();
  }
  if (values && !body->locking.empty()) {  // VALUES ... FOR UPDATE (transformValuesClause's check)
    return MakeError(sqlstate::kFeatureNotSupported,
                     fmt::format("{} cannot be applied to VALUES", LockClauseStrengthName(body->locking[0].strength)));
  }
  for (CommonTableExpr& cte : body->with_ctes) ctes.push_back(std::move(cte));
  body->with_ctes = std::move(ctes);
  return body;
}

Status Parser::ParseWithClause(std::vector<CommonTableExpr>& ctes) {
  bool recursive = AcceptKeyword("recursive");
  do {
    CommonTableExpr cte;
    cte.recursive = recursive;
    cte.location = Peek().position;
    auto name = ParseName();
    if (!name.ok()) {
      return name.error();
    }
    cte.name = *name;
    auto columns = ParseOptionalColumnList();
    if (!columns.ok()) {
      return columns.error();
    }
    cte.columns = std::move(*columns);
    if (Status s = ExpectKeyword("as"); !s.ok()) {
      return s;
    }
    if (IsKeyword("not") && IsKeyword("materialized", 1)) {
      pos_ += 2;
      cte.materialized = 'n';
    } else if (AcceptKeyword("materialized")) {
      cte.materialized = 'm';
    }
    if (Status s = ExpectPunct("("); !s.ok()) {
      return s;
    }
    if (IsKeyword("insert") || IsKeyword("update") || IsKeyword("delete")) {
      return MakeError(sqlstate::kFeatureNotSupported, "data-modifying statements in WITH are not supported by minipg");
    }
    if (!(IsKeyword("select") || IsKeyword("values") || IsKeyword("with") || IsPunct("("))) {
      return SyntaxError();
    }
    auto query = ParseSelectStatement();
    if (!query.ok()) {
      return query.error();
    }
    cte.query = std::make_shared<const SelectStmt>(std::move(*query));
    if (Status s = ExpectPunct(")"); !s.ok()) {
      return s;
    }
    ctes.push_back(std::move(cte));
  } while (AcceptPunct(","));
  return OkStatus();
}

/* UNION and EXCEPT bind looser than INTERSECT; all are left-associative. */
Result<SelectStmt> Parser::ParseSetOpExpr(bool intersect_only) {
  auto left = intersect_only ? ParseSelectPrimary() : ParseSetOpExpr(true);
  if (!left.ok()) {
    return left;
  }
  for (;;) {
    SetOpKind kind = SetOpKind::kNone;
    if (IsKeyword("intersect")) {
      kind = SetOpKind::kIntersect;
    } else if (!intersect_only && IsKeyword("union")) {
      kind = SetOpKind::kUnion;
    } else if (!intersect_only && IsKeyword("except")) {
      kind = SetOpKind::kExcept;
    } else {
      return left;
    }
    SelectStmt op;
    op.location = Peek().position;
    ++pos_;
    op.setop = kind;
    op.setop_all = AcceptKeyword("all");
    if (!op.setop_all) AcceptKeyword("distinct");
    auto right = intersect_only ? ParseSelectPrimary() : ParseSetOpExpr(true);
    if (!right.ok()) {
      return right;
    }
    op.larg = std::make_unique<SelectStmt>(std::move(*left));
    op.rarg = std::make_unique<SelectStmt>(std::move(*right));
    *left = std::move(op);
  }
}

Result<SelectStmt> Parser::ParseSelectPrimary() {
  if (Status s = CheckStackDepth(); !s.ok()) {
    return s.error();
  }
  if (AcceptPunct("(")) {
    auto inner = ParseSelectStatement();
    if (!inner.ok()) {
      return inner;
    }
    if (Status s = ExpectPunct(")"); !s.ok()) {
      return s.error();
    }
    return inner;
  }
  if (AcceptKeyword("values")) {
    return ParseValuesStmt();
  }
  if (!AcceptKeyword("select")) {
    return SyntaxError();
  }
  return ParseSimpleSelect();
}

Result<SelectStmt> Parser::ParseSimpleSelect() {
  SelectStmt select;
  select.location = tokens_[pos_ - 1].position;
  if (AcceptKeyword("distinct")) {
    select.distinct = true;
    if (AcceptKeyword("on")) {
      if (Status s = ExpectPunct("("); !s.ok()) {
        return s.error();
      }
      do {
        auto item = ParseExpr();
        if (!item.ok()) {
          return item.error();
        }
        select.distinct_on.push_back(std::move(*item));
      } while (AcceptPunct(","));
      if (Status s = ExpectPunct(")"); !s.ok()) {
        return s.error();
      }
    }
  } else {
    AcceptKeyword("all");
  }
  // PostgreSQL allows an empty target list: SELECT FROM t.
  if (!(IsKeyword("from") || IsPunct(";") || IsPunct(")") || Peek().kind == TokenKind::kEnd)) {
    do {
      auto target = ParseTarget();
      if (!target.ok()) {
        return target.error();
      }
      select.targets.push_back(std::move(*target));
    } while (AcceptPunct(","));
  }
  if (AcceptKeyword("into")) {  // SELECT ... INTO [TABLE] name (ParseStatement makes it CREATE TABLE AS)
    if (IsKeyword("temp") || IsKeyword("temporary") || IsKeyword("unlogged")) {
      std::string what = Peek().text;
      std::transform(what.begin(), what.end(), what.begin(), ::toupper);
      return MakeError(sqlstate::kFeatureNotSupported, fmt::format("SELECT ... INTO {} is not supported by minipg", what));
    }
    AcceptKeyword("table");
    auto into = ParseQualifiedTableName();
    if (!into.ok()) return into.error();
    select.into = std::move(*into);
  }
  if (AcceptKeyword("from")) {
    if (Status s = ParseFromList(select.from); !s.ok()) {
      return s.error();
    }
  }
  if (AcceptKeyword("where")) {
    auto where = ParseExpr();
    if (!where.ok()) {
      return where.error();
    }
    select.where = std::move(*where);
  }
  if (IsKeyword("group") && IsKeyword("by", 1)) {
    pos_ += 2;
    do {
      auto item = ParseExpr();
      if (!item.ok()) {
        return item.error();
      }
      select.group_by.push_back(std::move(*item));
    } while (AcceptPunct(","));
  }
  if (AcceptKeyword("having")) {
    auto having = ParseExpr();
    if (!having.ok()) {
      return having.error();
    }
    select.having = std::move(*having);
  }
  if (AcceptKeyword("window")) {
    if (Status s = ParseWindowClause(select.windows); !s.ok()) return s.error();
  }
  for (std::string_view clause : {"group", "having", "window"}) {
    if (IsKeyword(clause)) {
      std::string upper(clause);
      std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
      select.unsupported = upper == "GROUP" ? "GROUP BY" : upper;
      SkipStatement();
      return select;
    }
  }
  return select;
}

Status Parser::ParseOrderBy(std::vector<OrderItem>& items) {
  if (Status s = ExpectKeyword("by"); !s.ok()) {
    return s;
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
        return Status(SyntaxError());
      }
    }
    items.push_back(std::move(item));
  } while (AcceptPunct(","));
  return OkStatus();
}

Status Parser::ParseSelectTail(SelectStmt& select) {
  if (AcceptKeyword("order")) {
    if (Status s = ParseOrderBy(select.order_by); !s.ok()) return s;
  }
  // FOR UPDATE ... before or after LIMIT / OFFSET (PostgreSQL's grammar).
  if (Status s = ParseLockingClauses(select); !s.ok()) return s;
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
  if (select.locking.empty()) return ParseLockingClauses(select);
  return OkStatus();
}

Result<SelectTarget> Parser::ParseTarget() {
  if (Status s = CheckForInterrupts(); !s.ok()) {  // "*" targets parse no expression
    return s.error();
  }
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
  if (target.expr->kind == RawExprKind::kRow && target.expr->star) {
    // (t.*), in any number of parentheses, is t.*: its columns, as in
    // PostgreSQL, whose grammar keeps no node for the parentheses (an
    // alias after it is ignored, as there).
    target.star = true;
    target.star_qualifier = std::move(target.expr->qualifier);
    target.expr.reset();
  }
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

Result<TableRef> Parser::ParseQualifiedTableName() {
  TableRef ref;
  ref.location = Peek().position;
  auto name = ParseName();
  if (!name.ok()) {
    return name.error();
  }
  ref.name = *name;
  if (AcceptPunct(".")) {
    // schema.table: user tables are in "public", system views in "pg_catalog"
    // (and information_schema.tables / .columns in theirs).
    auto table = ParseName();
    if (!table.ok()) {
      return table.error();
    }
    if (ref.name != "public" && ref.name != "pg_catalog" && ref.name != "information_schema") {
      Error e = MakeError(sqlstate::kInvalidSchemaName, fmt::format("schema \"{}\" does not exist", ref.name));
      e.position = ref.location;
      return e;
    }
    ref.schema = std::move(ref.name);
    ref.name = *table;
  }
  return ref;
}

Result<TableRef> Parser::ParseTableRef(bool bare_alias) {
  auto qualified = ParseQualifiedTableName();
  if (!qualified.ok()) {
    return qualified.error();
  }
  TableRef ref = std::move(*qualified);
  if (IsPunct("(") && Peek(1).kind == TokenKind::kPunct && Peek(1).text == ")") {
    ref.call = true;  // FROM f(): a function without arguments, as a table
    pos_ += 2;
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

Result<std::vector<InsertColumn>> Parser::ParseOptionalColumnList() {
  std::vector<InsertColumn> columns;
  if (!AcceptPunct("(")) {
    return columns;
  }
  do {
    InsertColumn col;
    col.location = Peek().position;
    auto name = ParseName();
    if (!name.ok()) {
      return name.error();
    }
    col.name = *name;
    columns.push_back(std::move(col));
  } while (AcceptPunct(","));
  if (Status s = ExpectPunct(")"); !s.ok()) {
    return s.error();
  }
  return columns;
}

Result<StatementPtr> Parser::ParseInsert() {
  InsertStmt insert;
  if (Status s = ExpectKeyword("into"); !s.ok()) {
    return s.error();
  }
  auto table = ParseTableRef(false);
  if (!table.ok()) {
    return table.error();
  }
  insert.table = std::move(*table);
  bool parenthesized = IsPunct("(") && (IsKeyword("select", 1) || IsKeyword("with", 1));
  auto columns = parenthesized ? std::vector<InsertColumn>() : ParseOptionalColumnList();
  if (!columns.ok()) {
    return columns.error();
  }
  insert.columns = std::move(*columns);
  parenthesized = IsPunct("(") && (IsKeyword("select", 1) || IsKeyword("with", 1));
  if (parenthesized) ++pos_;
  if (!parenthesized && insert.columns.empty() && AcceptKeyword("default")) {  // DEFAULT VALUES: one row of defaults
    if (Status s = ExpectKeyword("values"); !s.ok()) {
      return s.error();
    }
    insert.rows.emplace_back();
  } else if (IsKeyword("select") || IsKeyword("with")) {  // INSERT ... [WITH ...] SELECT
    auto select = ParseSelectStatement();
    if (!select.ok()) {
      return select.error();
    }
    insert.select = std::make_unique<SelectStmt>(std::move(*select));
    if (parenthesized) {
      if (Status s = ExpectPunct(")"); !s.ok()) return s.error();
    }
  } else {
    if (Status s = ExpectKeyword("values"); !s.ok()) {
      return s.error();
    }
    if (Status s = ParseValuesRows(insert.rows); !s.ok()) {
      return s.error();
    }
  }
  if (IsKeyword("on") && IsKeyword("conflict", 1)) {
    auto clause = ParseOnConflict();
    if (!clause.ok()) return clause.error();
    insert.on_conflict = std::make_unique<OnConflictClause>(std::move(*clause));
  }
  if (Status s = ParseReturning(insert.returning); !s.ok()) {
    return s.error();
  }
  return Make(std::move(insert));
}

Result<TypeRef> Parser::ParseTypeName() {
  TypeRef type;
  type.location = Peek().position;
  if (Peek().kind != TokenKind::kIdent) {
    return SyntaxError();
  }
  if (Peek().text == "pg_catalog" && Peek(1).kind == TokenKind::kPunct && Peek(1).text == "." &&
      Peek(2).kind == TokenKind::kIdent) {
    pos_ += 2;  // pg_catalog.text: every type lives there
  }
  type.name = Peek().text;
  if (Peek().quoted && type.name == "char") {
    type.name = "\"char\"";  // the one-byte type; char unquoted is character(1)
  }
  ++pos_;
  if (type.name == "character" && AcceptKeyword("varying")) {
    type.name = "varchar";
  } else if (type.name == "double" && AcceptKeyword("precision")) {
    type.name = "double precision";
  }
  if (AcceptPunct("(")) {
    do {
      bool negative = IsOp("-");
      if (negative) ++pos_;  // numeric(5,-2): PostgreSQL 15 allows a negative scale
      if (Peek().kind != TokenKind::kInteger) {
        return SyntaxError();
      }
      int64_t v = std::strtoll(Peek().text.c_str(), nullptr, 10);
      type.modifiers.push_back(negative ? -v : v);
      ++pos_;
    } while (AcceptPunct(","));
    if (Status s = ExpectPunct(")"); !s.ok()) {
      return s.error();
    }
  }
  // timestamp [(p)] with[out] time zone
  if (type.name == "timestamp" && (IsKeyword("with") || IsKeyword("without")) && Peek(1).kind == TokenKind::kIdent &&
      Peek(1).text == "time") {
    bool with = IsKeyword("with");
    pos_ += 2;
    if (Status s = ExpectKeyword("zone"); !s.ok()) {
      return s.error();
    }
    type.name = with ? "timestamp with time zone" : "timestamp without time zone";
  }
  // int[], int[3], text[][], int ARRAY, int ARRAY[3]: one array type, as
  // PostgreSQL (which ignores the sizes and the number of dimensions).
  bool array = AcceptKeyword("array");
  while (AcceptPunct("[")) {
    array = true;
    if (Peek().kind == TokenKind::kInteger) ++pos_;
    if (Status s = ExpectPunct("]"); !s.ok()) return s.error();
  }
  if (array) type.name += "[]";
  return type;
}

Result<StatementPtr> Parser::ParseCreateTable() {
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
  auto table = ParseQualifiedTableName();
  if (!table.ok()) {
    return table.error();
  }
  create.table = std::move(*table);
  if (IsKeyword("as") || IsColumnNameListBeforeAs()) {
    return ParseCreateTableAs(std::move(create));
  }
  if (Status s = ExpectPunct("("); !s.ok()) {
    return s.error();
  }
  if (!IsPunct(")")) {
    do {
      if (IsKeyword("like") || IsKeyword("exclude")) {
        create.unsupported = "CREATE TABLE ... " + Peek().text;
        SkipConstraint();
        continue;
      }
      if (auto con = ParseConstraint(false)) {
        if (!con->ok()) return con->error();
        create.constraints.push_back(std::move(**con));
        continue;
      }
      auto col = ParseColumnDefinition();
      if (!col.ok()) return col.error();
      create.columns.push_back(std::move(*col));
    } while (AcceptPunct(","));
  }
  if (Status s = ExpectPunct(")"); !s.ok()) {
    return s.error();
  }
  if (AcceptKeyword("with")) {
    if (Status s = ParseRelOptions(create.options); !s.ok()) return s.error();
  } else if (AcceptKeyword("without")) {
    if (Status s = ExpectKeyword("oids"); !s.ok()) return s.error();
  }
  return Make(std::move(create));
}

/* At "(": a list of bare names followed by AS (CREATE TABLE t (a, b) AS
 * ...), not column definitions. */
bool Parser::IsColumnNameListBeforeAs() const {
  if (!IsPunct("(")) return false;
  for (size_t i = 1;; i += 2) {
    if (Peek(i).kind != TokenKind::kIdent || Peek(i + 1).kind != TokenKind::kPunct) return false;
    if (Peek(i + 1).text == ")") return IsKeyword("as", i + 2);
    if (Peek(i + 1).text != ",") return false;
  }
}

/* CREATE TABLE name [(cols)] AS query | TABLE name [WITH [NO] DATA]
 * (gram.y's CreateAsStmt), the name and IF NOT EXISTS already taken. */
Result<StatementPtr> Parser::ParseCreateTableAs(CreateTableStmt create) {
  CreateTableAsStmt as;
  as.table = std::move(create.table);
  as.if_not_exists = create.if_not_exists;
  if (IsPunct("(")) {
    auto cols = ParseColumnList();
    if (!cols.ok()) return cols.error();
    as.columns = std::move(*cols);
  }
  if (Status s = ExpectKeyword("as"); !s.ok()) return s.error();
  Result<SelectStmt> query = SelectStmt();
  if (AcceptKeyword("table")) {  // AS TABLE name: SELECT * FROM name
    query->location = Peek().position;
    auto item = std::make_unique<FromItem>();
    item->location = Peek().position;
    auto source = ParseQualifiedTableName();
    if (!source.ok()) return source.error();
    item->table = std::move(*source);
    query->targets.emplace_back();
    query->targets.back().star = true;
    query->from.push_back(std::move(item));
  } else if (IsKeyword("select") || IsKeyword("values") || IsKeyword("with") || IsPunct("(")) {
    query = ParseSelectStatement();
  } else {
    return SyntaxError();
  }
  if (!query.ok()) return query.error();
  as.query = std::make_shared<SelectStmt>(std::move(*query));
  if (IsKeyword("with") && (IsKeyword("data", 1) || (IsKeyword("no", 1) && IsKeyword("data", 2)))) {
    ++pos_;
    as.with_data = !AcceptKeyword("no");
    ++pos_;
  }
  return Make(std::move(as));
}

Result<ColumnDefinition> Parser::ParseColumnDefinition() {
  ColumnDefinition col;
  col.location = Peek().position;
  auto name = ParseName();
  if (!name.ok()) return name.error();
  col.name = *name;
  auto type = ParseTypeName();
  if (!type.ok()) return type.error();
  col.type = std::move(*type);
  while (!IsPunct(",") && !IsPunct(")") && !IsPunct(";") && Peek().kind != TokenKind::kEnd) {
    auto con = ParseConstraint(true);
    if (!con) {
      if (AcceptKeyword("collate")) {
        if (auto c = ParseName(); !c.ok()) return c.error();
        continue;
      }
      return SyntaxError();
    }
    if (!con->ok()) return con->error();
    col.constraints.push_back(std::move(**con));
  }
  return col;
}

Status Parser::ParseRelOptions(std::vector<RelOption>& out) {
  if (Status s = ExpectPunct("("); !s.ok()) return s;
  do {
    RelOption option;
    option.location = Peek().position;
    auto name = ParseName();
    if (!name.ok()) return name.error();
    option.name = *name;
    if (IsOp("=")) {
      ++pos_;
      std::string sign;
      if (IsOp("-") || IsOp("+")) {
        sign = Peek().text == "-" ? "-" : "";
        ++pos_;
      }
      const Token& value = Peek();
      if (value.kind == TokenKind::kEnd || value.kind == TokenKind::kPunct || value.kind == TokenKind::kOp) {
        return SyntaxError();
      }
      option.value = sign + value.text;
      ++pos_;
    }
    out.push_back(std::move(option));
  } while (AcceptPunct(","));
  return ExpectPunct(")");
}

void Parser::SkipConstraint() {
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

Result<StatementPtr> Parser::ParseDropTable() {
  DropTableStmt drop;
  if (AcceptKeyword("if")) {
    if (Status s = ExpectKeyword("exists"); !s.ok()) {
      return s.error();
    }
    drop.if_exists = true;
  }
  do {
    auto ref = ParseQualifiedTableName();
    if (!ref.ok()) {
      return ref.error();
    }
    drop.tables.push_back(std::move(*ref));
  } while (AcceptPunct(","));
  drop.cascade = AcceptKeyword("cascade");
  if (!drop.cascade) AcceptKeyword("restrict");
  return Make(std::move(drop));
}

Result<std::string> Parser::ParseSettingName() {
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

Status Parser::ParseTransactionModes(std::optional<std::string>& isolation, std::optional<bool>& read_only) {
  bool first = true;
  for (;;) {
    if (!first) AcceptPunct(",");
    first = false;
    if (AcceptKeyword("isolation")) {
      if (Status s = ExpectKeyword("level"); !s.ok()) return s;
      if (AcceptKeyword("serializable")) {
        isolation = "serializable";
      } else if (AcceptKeyword("repeatable")) {
        if (Status s = ExpectKeyword("read"); !s.ok()) return s;
        isolation = "repeatable read";
      } else if (AcceptKeyword("read")) {
        if (AcceptKeyword("committed")) {
          isolation = "read committed";
        } else if (AcceptKeyword("uncommitted")) {
          isolation = "read uncommitted";
        } else {
          return SyntaxError();
        }
      } else {
        return SyntaxError();
      }
    } else if (AcceptKeyword("read")) {
      if (AcceptKeyword("only")) {
        read_only = true;
      } else if (AcceptKeyword("write")) {
        read_only = false;
      } else {
        return SyntaxError();
      }
    } else if (AcceptKeyword("not")) {
      if (Status s = ExpectKeyword("deferrable"); !s.ok()) return s;
    } else if (!AcceptKeyword("deferrable")) {
      return OkStatus();
    }
  }
}

Result<StatementPtr> Parser::ParseSet() {
  // SET TRANSACTION / SET SESSION CHARACTERISTICS AS TRANSACTION modes: the
  // transaction_* or default_transaction_* settings.
  bool characteristics = IsKeyword("session") && IsKeyword("characteristics", 1);
  if (IsKeyword("transaction") || characteristics) {
    if (characteristics) {
      pos_ += 2;
      if (Status s = ExpectKeyword("as"); !s.ok()) return s.error();
    }
    if (Status s = ExpectKeyword("transaction"); !s.ok()) return s.error();
    std::optional<std::string> isolation;
    std::optional<bool> read_only;
    if (Status s = ParseTransactionModes(isolation, read_only); !s.ok()) return s.error();
    std::string prefix = characteristics ? "default_transaction_" : "transaction_";
    if (isolation.has_value() && read_only.has_value()) {
      return MakeError(sqlstate::kFeatureNotSupported,
                       "SET TRANSACTION with both an isolation level and READ ONLY/WRITE is not supported by minipg");
    }
    if (isolation.has_value()) return Make(SetStmt{prefix + "isolation", *isolation});
    if (read_only.has_value()) return Make(SetStmt{prefix + "read_only", *read_only ? "on" : "off"});
    return SyntaxError();
  }
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

}  // namespace parser_internal

Result<std::vector<StatementPtr>> ParseSql(std::string_view text) {
  auto tokens = Lex(text);
  if (!tokens.ok()) {
    return tokens.error();
  }
  parser_internal::Parser parser(text, std::move(*tokens));
  return parser.ParseAll();
}

}  // namespace minipg::sql
