/*-------------------------------------------------------------------------
 * ast.cpp
 *   Parse trees as text: one line per statement, for the "parse" event
 *   (the visualizer shows it) and for tests, bounded (tree_bounds.h). Also
 *   the parse tree's iterative destructor.
 *-------------------------------------------------------------------------
 */
#include "engine/sql/ast.h"

#include <fmt/format.h>

#include "engine/common/utf8.h"
#include "engine/sql/tree_bounds.h"

namespace minipg::sql {

namespace {

std::string QuoteString(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    out += c;
    if (c == '\'') {
      out += '\'';
    }
  }
  return out + "'";
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) {
      out += ", ";
    }
    out += p;
  }
  return out;
}

std::string SelectToString(const SelectStmt& s, int depth);

/* A FROM entry, bounded in depth as expressions are. */
std::string FromItemToString(const FromItem& f, int depth) {
  if (depth >= kMaxTreeTextDepth) {
    return "...";
  }
  std::string out;
  switch (f.kind) {
    case FromItem::Kind::kTable:
      out = f.table.name;
      break;
    case FromItem::Kind::kSubquery:
      out = "(" + SelectToString(*f.subquery, depth + 1) + ")";
      break;
    case FromItem::Kind::kFunction:
      out = ExprToString(*f.function);
      break;
    case FromItem::Kind::kJoin:
      out = "(" + FromItemToString(*f.left, depth + 1) + (f.natural ? " NATURAL " : " ") +
            (f.cross ? "CROSS JOIN" : JoinTypeName(f.join_type)) + " " + FromItemToString(*f.right, depth + 1);
      if (f.on) {
        out += " ON " + ExprToString(*f.on);
      }
      if (f.has_using) {
        std::vector<std::string> cols;
        for (const InsertColumn& c : f.using_columns) cols.push_back(c.name);
        out += " USING (" + Join(cols) + ")";
      }
      out += ")";
      break;
  }
  if (!f.alias.empty()) {
    out += " AS " + f.alias;
  }
  return out;
}

std::string SelectToString(const SelectStmt& s, int depth) {
    if (s.is_values) {
      std::vector<std::string> rows;
      for (const auto& row : s.values) {
        std::vector<std::string> values;
        for (const RawExprPtr& v : row) values.push_back(ExprToString(*v));
        rows.push_back("(" + Join(values) + ")");
        if (rows.size() >= 8) break;
      }
      return "Values(" + Join(rows) + (s.values.size() > rows.size() ? ", ..." : "") + ")";
    }
    if (s.setop != SetOpKind::kNone) {
      if (depth > 32) return "SetOp(...)";
      return fmt::format("SetOp({}{}, {}, {})", SetOpName(s.setop), s.setop_all ? " ALL" : "",
                         SelectToString(*s.larg, depth + 1), SelectToString(*s.rarg, depth + 1));
    }
    std::vector<std::string> targets;
    for (const SelectTarget& t : s.targets) {
      std::string text = t.star ? (t.star_qualifier.empty() ? "*" : t.star_qualifier + ".*") : ExprToString(*t.expr);
      if (!t.alias.empty()) {
        text += " AS " + t.alias;
      }
      targets.push_back(std::move(text));
    }
    std::string out = fmt::format("SelectStmt(targets: [{}]", Join(targets));
    if (!s.from.empty()) {
      std::vector<std::string> items;
      for (const FromItemPtr& f : s.from) items.push_back(FromItemToString(*f, depth));
      out += ", from: " + Join(items);
    }
    if (s.where) {
      out += ", where: " + ExprToString(*s.where);
    }
    if (!s.order_by.empty()) {
      std::vector<std::string> items;
      for (const OrderItem& o : s.order_by) {
        items.push_back(ExprToString(*o.expr) + (o.descending ? " DESC" : ""));
      }
      out += ", order_by: [" + Join(items) + "]";
    }
    if (s.limit) {
      out += ", limit: " + ExprToString(*s.limit);
    }
    if (s.offset) {
      out += ", offset: " + ExprToString(*s.offset);
    }
    if (!s.unsupported.empty()) {
      out += ", unsupported: " + s.unsupported;
    }
    return out + ")";
}

struct StatementPrinter {
  std::string operator()(const SelectStmt& s) const { return SelectToString(s, 0); }
  std::string operator()(const InsertStmt& s) const {
    std::vector<std::string> cols;
    for (const InsertColumn& c : s.columns) {
      cols.push_back(c.name);
    }
    std::vector<std::string> rows;
    for (const auto& row : s.rows) {
      std::vector<std::string> values;
      for (const RawExprPtr& e : row) {
        values.push_back(ExprToString(*e));
      }
      rows.push_back("(" + Join(values) + ")");
    }
    std::string source = s.select ? "select: " + SelectToString(*s.select, 0) : "values: [" + Join(rows) + "]";
    return fmt::format("InsertStmt(table: {}{}, {}{})", s.table.name,
                       cols.empty() ? "" : ", columns: [" + Join(cols) + "]", source, Returning(s.returning));
  }
  std::string operator()(const UpdateStmt& s) const {
    std::vector<std::string> set;
    for (const SetClause& c : s.set) set.push_back(c.column.name + " = " + (c.expr ? ExprToString(*c.expr) : "DEFAULT"));
    return fmt::format("UpdateStmt(table: {}, set: [{}]{}{}{})", s.table.name, Join(set), FromList("from", s.from),
                       s.where ? ", where: " + ExprToString(*s.where) : "", Returning(s.returning));
  }
  std::string operator()(const DeleteStmt& s) const {
    return fmt::format("DeleteStmt(table: {}{}{}{})", s.table.name, FromList("using", s.using_list),
                       s.where ? ", where: " + ExprToString(*s.where) : "", Returning(s.returning));
  }
  std::string operator()(const LockStmt& s) const {
    std::vector<std::string> names;
    for (const TableRef& t : s.tables) names.push_back(t.name);
    return fmt::format("LockStmt(tables: [{}], mode: {}{})", Join(names), s.mode, s.nowait ? ", nowait" : "");
  }
  std::string operator()(const TruncateStmt& s) const {
    std::vector<std::string> names;
    for (const TableRef& t : s.tables) names.push_back(t.name);
    return fmt::format("TruncateStmt(tables: [{}])", Join(names));
  }
  std::string operator()(const AlterTableStmt& s) const {
    return fmt::format("AlterTableStmt(table: {}, actions: {})", s.table.name, s.cmds.size());
  }
  static std::string FromList(const char* what, const std::vector<FromItemPtr>& from) {
    if (from.empty()) return "";
    std::vector<std::string> items;
    for (const FromItemPtr& f : from) items.push_back(FromItemToString(*f, 0));
    return fmt::format(", {}: {}", what, Join(items));
  }
  static std::string Returning(const std::vector<SelectTarget>& targets) {
    if (targets.empty()) return "";
    std::vector<std::string> items;
    for (const SelectTarget& t : targets) items.push_back(t.star ? "*" : ExprToString(*t.expr));
    return ", returning: [" + Join(items) + "]";
  }
  std::string operator()(const CreateTableStmt& s) const {
    std::vector<std::string> cols;
    for (const ColumnDefinition& c : s.columns) {
      cols.push_back(c.name + " " + c.type.name);
    }
    return fmt::format("CreateTableStmt(table: {}{}, columns: [{}])", s.table.name,
                       s.if_not_exists ? ", if_not_exists" : "", Join(cols));
  }
  std::string operator()(const CreateIndexStmt& s) const {
    std::vector<std::string> cols;
    for (const InsertColumn& c : s.columns) cols.push_back(c.name);
    return fmt::format("CreateIndexStmt(name: {}, table: {}{}, columns: [{}])", s.name, s.table.name,
                       s.unique ? ", unique" : "", Join(cols));
  }
  std::string operator()(const DropIndexStmt& s) const {
    std::vector<std::string> names;
    for (const TableRef& t : s.indexes) names.push_back(t.name);
    return fmt::format("DropIndexStmt(indexes: [{}]{})", Join(names), s.if_exists ? ", if_exists" : "");
  }
  std::string operator()(const DropTableStmt& s) const {
    std::vector<std::string> names;
    for (const TableRef& t : s.tables) {
      names.push_back(t.name);
    }
    return fmt::format("DropTableStmt(tables: [{}]{})", Join(names), s.if_exists ? ", if_exists" : "");
  }
  std::string operator()(const TransactionStmt& s) const {
    if (!s.savepoint.empty()) {
      const char* what = s.kind == StatementKind::kSavepoint ? "SAVEPOINT"
                         : s.kind == StatementKind::kRelease ? "RELEASE"
                                                             : "ROLLBACK TO";
      return fmt::format("TransactionStmt({} {})", what, s.savepoint);
    }
    return fmt::format("TransactionStmt({})", s.kind == StatementKind::kBegin    ? "BEGIN"
                                              : s.kind == StatementKind::kCommit ? "COMMIT"
                                                                                 : "ROLLBACK");
  }
  std::string operator()(const SetStmt& s) const {
    return fmt::format("SetStmt(name: {}, value: {})", s.name, s.value ? QuoteString(*s.value) : "DEFAULT");
  }
  std::string operator()(const ShowStmt& s) const { return fmt::format("ShowStmt(name: {})", s.name); }
  std::string operator()(const UnsupportedStmt& s) const { return fmt::format("UnsupportedStmt({})", s.what); }
  std::string operator()(const CheckpointStmt&) const { return "CheckpointStmt"; }
  std::string operator()(const CatalogDdlStmt& s) const {
    return fmt::format("CatalogDdlStmt({})", Join(s.ddl.names));
  }
  std::string operator()(const ExtensionStmt& s) const {
    return fmt::format("ExtensionStmt({} {})", s.ddl.create ? "CREATE" : "DROP", s.ddl.name);
  }
  std::string operator()(const CopyStmt& s) const;
  std::string operator()(const ExplainStmt& s) const {
    return fmt::format("ExplainStmt({}{}{})", s.analyze ? "analyze, " : "", s.json ? "json, " : "",
                       s.query ? StatementToString(*s.query) : "");
  }
  std::string operator()(const CreateSequenceStmt& s) const {
    return fmt::format("CreateSequenceStmt(name: {}{})", s.name.name, s.if_not_exists ? ", if_not_exists" : "");
  }
  std::string operator()(const CreateViewStmt& s) const {
    return fmt::format("CreateViewStmt(name: {}{}, query: {})", s.name.name, s.replace ? ", replace" : "",
                       s.query_text);
  }
  std::string operator()(const CreateTableAsStmt& s) const {
    return fmt::format("CreateTableAsStmt(name: {}{}{}, query: {})", s.table.name, s.if_not_exists ? ", if_not_exists" : "",
                       s.with_data ? "" : ", no data", s.query ? SelectToString(*s.query, 0) : "");
  }
  std::string operator()(const DropRelationStmt& s) const {
    std::vector<std::string> names;
    for (const TableRef& t : s.names) names.push_back(t.name);
    return fmt::format("{}(names: [{}]{})", s.kind == StatementKind::kDropView ? "DropViewStmt" : "DropSequenceStmt",
                       Join(names), s.if_exists ? ", if_exists" : "");
  }
  std::string operator()(const VacuumStmt& s) const {
    std::vector<std::string> names;
    for (const TableRef& t : s.tables) names.push_back(t.name);
    return fmt::format("VacuumStmt({}{}[{}])", s.vacuum ? "vacuum, " : "", s.analyze ? "analyze, " : "", Join(names));
  }
};

std::string StatementPrinter::operator()(const CopyStmt& s) const {
  std::vector<std::string> cols;
  for (const InsertColumn& c : s.columns) {
    cols.push_back(c.name);
  }
  std::vector<std::string> opts;
  for (const CopyOptionItem& o : s.options) {
    opts.push_back(o.value ? o.name + " " + QuoteString(*o.value) : o.name);
  }
  std::string what = s.query ? "query: " + StatementToString(*s.query) : "table: " + s.table.name;
  return fmt::format("CopyStmt({}{}, {}: {}{})", what, cols.empty() ? "" : ", columns: [" + Join(cols) + "]",
                     s.is_from ? "from" : "to", s.filename ? QuoteString(*s.filename) : s.is_from ? "STDIN" : "STDOUT",
                     opts.empty() ? "" : ", options: [" + Join(opts) + "]");
}

}  // namespace

const char* OpName(Op op) {
  switch (op) {
    case Op::kAdd:
      return "+";
    case Op::kSub:
    case Op::kNeg:
      return "-";
    case Op::kMul:
      return "*";
    case Op::kDiv:
      return "/";
    case Op::kMod:
      return "%";
    case Op::kEq:
      return "=";
    case Op::kNe:
      return "<>";
    case Op::kLt:
      return "<";
    case Op::kLe:
      return "<=";
    case Op::kGt:
      return ">";
    case Op::kGe:
      return ">=";
    case Op::kConcat:
      return "||";
    case Op::kAnd:
      return "AND";
    case Op::kOr:
      return "OR";
    case Op::kNot:
      return "NOT";
  }
  return "?";
}

namespace {

void PrintExpr(const RawExpr& e, int depth, TreeText& out);

/* open, the args separated by ", ", close: ARRAY[...], ROW(...). */
void PrintList(const char* open, const std::vector<RawExprPtr>& args, const char* close, int depth, TreeText& out) {
  out.Add(open);
  for (size_t i = 0; i < args.size() && !out.Full(); ++i) {
    out.Add(i == 0 ? "" : ", ");
    PrintExpr(*args[i], depth + 1, out);
  }
  out.Add(close);
}

void PrintExpr(const RawExpr& e, int depth, TreeText& out) {
  if (out.Full()) {
    return;
  }
  if (depth >= kMaxTreeTextDepth) {
    out.Add("...");
    return;
  }
  switch (e.kind) {
    case RawExprKind::kIntLiteral:
    case RawExprKind::kNumericLiteral:
      out.Add(e.text);
      return;
    case RawExprKind::kStringLiteral:
      out.Add(QuoteString(ShortenForDisplay(e.text)));
      return;
    case RawExprKind::kBoolLiteral:
      out.Add(e.bool_value ? "TRUE" : "FALSE");
      return;
    case RawExprKind::kNullLiteral:
      out.Add("NULL");
      return;
    case RawExprKind::kParam:
      out.Add("$" + e.text);
      return;
    case RawExprKind::kColumnRef:
      out.Add(e.qualifier.empty() ? e.text : e.qualifier + "." + e.text);
      return;
    case RawExprKind::kUnary:
      out.Add(e.op == Op::kNot ? "(NOT " : e.op == Op::kAdd ? "(+" : "(-");
      PrintExpr(*e.args[0], depth + 1, out);
      out.Add(")");
      return;
    case RawExprKind::kBinary:
      out.Add("(");
      PrintExpr(*e.args[0], depth + 1, out);
      out.Add(fmt::format(" {} ", OpName(e.op)));
      PrintExpr(*e.args[1], depth + 1, out);
      out.Add(")");
      return;
    case RawExprKind::kIsNull:
      out.Add("(");
      PrintExpr(*e.args[0], depth + 1, out);
      out.Add(e.negated ? " IS NOT NULL)" : " IS NULL)");
      return;
    case RawExprKind::kCast:
      PrintExpr(*e.args[0], depth + 1, out);
      out.Add("::" + e.type_name.name);
      return;
    case RawExprKind::kFuncCall:
      out.Add(e.text);
      if (e.negated) {
        return;  // current_user and friends, written without ()
      }
      out.Add("(");
      if (e.star) {
        out.Add("*");
      }
      for (size_t i = 0; i < e.args.size() && !out.Full(); ++i) {
        out.Add(i == 0 ? "" : ", ");
        PrintExpr(*e.args[i], depth + 1, out);
      }
      out.Add(")");
      return;
    case RawExprKind::kSetToDefault:
      out.Add("DEFAULT");
      return;
    case RawExprKind::kArrayExpr:
      PrintList("ARRAY[", e.args, "]", depth, out);
      return;
    case RawExprKind::kRow:
      if (e.star) {
        out.Add(e.qualifier + ".*");
        return;
      }
      PrintList("ROW(", e.args, ")", depth, out);
      return;
    case RawExprKind::kSubscript:
      PrintExpr(*e.args[0], depth + 1, out);
      out.Add("[");
      for (size_t i = 1; i < e.args.size(); ++i) {
        if (i == 2) out.Add(":");
        if (e.args[i] != nullptr) PrintExpr(*e.args[i], depth + 1, out);
      }
      out.Add("]");
      return;
    case RawExprKind::kNamedOp:
    case RawExprKind::kDistinct:
    case RawExprKind::kBoolTest: {
      std::string op = e.kind == RawExprKind::kNamedOp ? e.text
                       : e.kind == RawExprKind::kDistinct
                           ? (e.negated ? "IS NOT DISTINCT FROM" : "IS DISTINCT FROM")
                           : (e.negated ? "IS NOT " : "IS ") + e.text;
      out.Add("(");
      PrintExpr(*e.args[0], depth + 1, out);
      out.Add(" " + op);
      if (e.args.size() > 1) {
        out.Add(" ");
        PrintExpr(*e.args[1], depth + 1, out);
      }
      out.Add(")");
      return;
    }
    case RawExprKind::kSubLink: {
      static const char* const kWords[] = {"EXISTS ", "ANY ", "ALL ", "", "ARRAY"};
      if (!e.args.empty()) {
        out.Add("(");
        PrintExpr(*e.args[0], depth + 1, out);
        out.Add(" " + e.text + " ");
      }
      out.Add(kWords[static_cast<int>(e.sublink)]);
      if (e.subselect == nullptr && e.args.size() > 1) {  // x op ANY (array)
        out.Add("(");
        PrintExpr(*e.args[1], depth + 1, out);
        out.Add(")");
      } else {
        out.Add("(SELECT ...)");
      }
      out.Add(e.args.empty() ? "" : ")");
      return;
    }
    case RawExprKind::kBetween:
    case RawExprKind::kInList:
      out.Add("(");
      PrintExpr(*e.args[0], depth + 1, out);
      out.Add(e.negated ? " NOT" : "");
      out.Add(e.kind == RawExprKind::kBetween ? " BETWEEN " : " IN (");
      for (size_t i = 1; i < e.args.size() && !out.Full(); ++i) {
        out.Add(i == 1 ? "" : e.kind == RawExprKind::kBetween ? " AND " : ", ");
        PrintExpr(*e.args[i], depth + 1, out);
      }
      out.Add(e.kind == RawExprKind::kBetween ? ")" : "))");
      return;
    case RawExprKind::kCase: {
      out.Add("CASE");
      size_t i = 0;
      if (e.star) {
        out.Add(" ");
        PrintExpr(*e.args[0], depth + 1, out);
        i = 1;
      }
      size_t end = e.args.size() - (e.negated ? 1 : 0);
      for (; i + 1 < end && !out.Full(); i += 2) {
        out.Add(" WHEN ");
        PrintExpr(*e.args[i], depth + 1, out);
        out.Add(" THEN ");
        PrintExpr(*e.args[i + 1], depth + 1, out);
      }
      if (e.negated) {
        out.Add(" ELSE ");
        PrintExpr(*e.args.back(), depth + 1, out);
      }
      out.Add(" END");
      return;
    }
  }
  out.Add("?");
}

}  // namespace

std::string ExprToString(const RawExpr& e) {
  TreeText out;
  PrintExpr(e, 0, out);
  return out.Take();
}

std::string StatementToString(const Statement& stmt) {
  TreeText out;  // each expression is bounded; so is the whole line
  out.Add(std::visit(StatementPrinter{}, stmt.node));
  return out.Take();
}

RawExpr::~RawExpr() { DestroyChildren(args); }

FromItem::FromItem() = default;
FromItem::FromItem(FromItem&&) noexcept = default;
FromItem& FromItem::operator=(FromItem&&) noexcept = default;
FromItem::~FromItem() = default;

const char* JoinTypeName(JoinType type) {
  switch (type) {
    case JoinType::kInner: return "JOIN";
    case JoinType::kLeft: return "LEFT JOIN";
    case JoinType::kFull: return "FULL JOIN";
    case JoinType::kRight: return "RIGHT JOIN";
    case JoinType::kSemi: return "SEMI JOIN";
    case JoinType::kAnti: return "ANTI JOIN";
  }
  return "JOIN";
}

const char* StatementKindName(StatementKind kind) {
  switch (kind) {
    case StatementKind::kSelect: return "SELECT";
    case StatementKind::kInsert: return "INSERT";
    case StatementKind::kCreateTable: return "CREATE TABLE";
    case StatementKind::kDropTable: return "DROP TABLE";
    case StatementKind::kBegin: return "BEGIN";
    case StatementKind::kCommit: return "COMMIT";
    case StatementKind::kRollback: return "ROLLBACK";
    case StatementKind::kSet: return "SET";
    case StatementKind::kShow: return "SHOW";
    case StatementKind::kCheckpoint: return "CHECKPOINT";
    case StatementKind::kCopy: return "COPY";
    case StatementKind::kOther: return "";
    case StatementKind::kCatalogDdl: return "";  // the tag depends on the statement
    case StatementKind::kExtension: return "";
    case StatementKind::kUpdate: return "UPDATE";
    case StatementKind::kDelete: return "DELETE";
    case StatementKind::kTruncate: return "TRUNCATE TABLE";
    case StatementKind::kCreateIndex: return "CREATE INDEX";
    case StatementKind::kDropIndex: return "DROP INDEX";
    case StatementKind::kExplain: return "EXPLAIN";
    case StatementKind::kVacuum: return "VACUUM";
    case StatementKind::kAnalyze: return "ANALYZE";
    case StatementKind::kCreateSequence: return "CREATE SEQUENCE";
    case StatementKind::kDropSequence: return "DROP SEQUENCE";
    case StatementKind::kCreateView: return "CREATE VIEW";
    case StatementKind::kDropView: return "DROP VIEW";
    case StatementKind::kAlterTable: return "ALTER TABLE";
    case StatementKind::kCreateTableAs: return "CREATE TABLE AS";
    case StatementKind::kSavepoint: return "SAVEPOINT";
    case StatementKind::kRelease: return "RELEASE";
    case StatementKind::kRollbackTo: return "ROLLBACK";
    case StatementKind::kLock: return "LOCK TABLE";
  }
  return "";
}

bool IsTransactionExitKind(StatementKind kind) {
  return kind == StatementKind::kCommit || kind == StatementKind::kRollback || kind == StatementKind::kRollbackTo;
}

StatementKind GetStatementKind(const Statement& stmt) {
  struct Kind {
    StatementKind operator()(const SelectStmt&) const { return StatementKind::kSelect; }
    StatementKind operator()(const InsertStmt&) const { return StatementKind::kInsert; }
    StatementKind operator()(const CreateTableStmt&) const { return StatementKind::kCreateTable; }
    StatementKind operator()(const DropTableStmt&) const { return StatementKind::kDropTable; }
    StatementKind operator()(const TransactionStmt& t) const { return t.kind; }
    StatementKind operator()(const SetStmt&) const { return StatementKind::kSet; }
    StatementKind operator()(const ShowStmt&) const { return StatementKind::kShow; }
    StatementKind operator()(const UnsupportedStmt&) const { return StatementKind::kOther; }
    StatementKind operator()(const CheckpointStmt&) const { return StatementKind::kCheckpoint; }
    StatementKind operator()(const CopyStmt&) const { return StatementKind::kCopy; }
    StatementKind operator()(const CatalogDdlStmt&) const { return StatementKind::kCatalogDdl; }
    StatementKind operator()(const ExtensionStmt&) const { return StatementKind::kExtension; }
    StatementKind operator()(const CreateIndexStmt&) const { return StatementKind::kCreateIndex; }
    StatementKind operator()(const DropIndexStmt&) const { return StatementKind::kDropIndex; }
    StatementKind operator()(const ExplainStmt&) const { return StatementKind::kExplain; }
    StatementKind operator()(const VacuumStmt& v) const { return v.vacuum ? StatementKind::kVacuum : StatementKind::kAnalyze; }
    StatementKind operator()(const UpdateStmt&) const { return StatementKind::kUpdate; }
    StatementKind operator()(const DeleteStmt&) const { return StatementKind::kDelete; }
    StatementKind operator()(const TruncateStmt&) const { return StatementKind::kTruncate; }
    StatementKind operator()(const AlterTableStmt&) const { return StatementKind::kAlterTable; }
    StatementKind operator()(const CreateSequenceStmt&) const { return StatementKind::kCreateSequence; }
    StatementKind operator()(const CreateViewStmt&) const { return StatementKind::kCreateView; }
    StatementKind operator()(const CreateTableAsStmt&) const { return StatementKind::kCreateTableAs; }
    StatementKind operator()(const DropRelationStmt& d) const { return d.kind; }
    StatementKind operator()(const LockStmt&) const { return StatementKind::kLock; }
  };
  return std::visit(Kind{}, stmt.node);
}

std::string GetSetName(const Statement& stmt) {
  const SetStmt* set = std::get_if<SetStmt>(&stmt.node);
  return set != nullptr ? set->name : std::string();
}

std::optional<std::string> GetSetValue(const Statement& stmt) {
  const SetStmt* set = std::get_if<SetStmt>(&stmt.node);
  return set != nullptr ? set->value : std::nullopt;
}

std::string GetShowName(const Statement& stmt) {
  const ShowStmt* show = std::get_if<ShowStmt>(&stmt.node);
  return show != nullptr ? show->name : std::string();
}

const std::string& GetStatementText(const Statement& stmt) { return stmt.text; }

}  // namespace minipg::sql

void std::default_delete<minipg::sql::Statement>::operator()(minipg::sql::Statement* stmt) const {
  delete stmt;
}

namespace minipg::sql {

SelectStmt::~SelectStmt() {
  std::vector<std::unique_ptr<SelectStmt>> stack;
  for (std::unique_ptr<SelectStmt>* arg : {&larg, &rarg}) {
    if (*arg) stack.push_back(std::move(*arg));
  }
  while (!stack.empty()) {
    std::unique_ptr<SelectStmt> s = std::move(stack.back());
    stack.pop_back();
    for (std::unique_ptr<SelectStmt>* arg : {&s->larg, &s->rarg}) {
      if (*arg) stack.push_back(std::move(*arg));
    }
  }
}

const char* SetOpName(SetOpKind kind) {
  switch (kind) {
    case SetOpKind::kUnion: return "UNION";
    case SetOpKind::kIntersect: return "INTERSECT";
    case SetOpKind::kExcept: return "EXCEPT";
    case SetOpKind::kNone: break;
  }
  return "";
}

}  // namespace minipg::sql

namespace minipg::sql {

const char* LockClauseStrengthName(LockClauseStrength strength) {
  switch (strength) {
    case LockClauseStrength::kNone:
      return "";
    case LockClauseStrength::kForKeyShare:
      return "FOR KEY SHARE";
    case LockClauseStrength::kForShare:
      return "FOR SHARE";
    case LockClauseStrength::kForNoKeyUpdate:
      return "FOR NO KEY UPDATE";
    case LockClauseStrength::kForUpdate:
      break;
  }
  return "FOR UPDATE";
}

}  // namespace minipg::sql
