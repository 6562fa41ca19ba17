/*-------------------------------------------------------------------------
 * analyzer.cpp
 *   Name resolution and type checking (see analyzer.h).
 *-------------------------------------------------------------------------
 */
#include "engine/sql/analyzer.h"

#include <algorithm>
#include <tuple>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "engine/common/sqlstate.h"

namespace minipg::sql {

namespace {

constexpr const char* kAmbiguousFunction = "42725";  // ambiguous_function
constexpr const char* kCannotCoerce = "42846";       // cannot_coerce
constexpr const char* kFunctionHint =
    "No function matches the given name and argument types. You might need to add explicit type "
    "casts.";
constexpr const char* kOperatorHint =
    "No operator matches the given name and argument types. You might need to add explicit type "
    "casts.";

Error At(Error e, int position) {
  e.position = position;
  return e;
}

Error ErrorAt(const char* sqlstate, std::string message, int position) {
  return At(MakeError(sqlstate, std::move(message)), position);
}

bool IsNumber(TypeId t) { return t == TypeId::kInt4 || t == TypeId::kInt8 || t == TypeId::kNumeric; }

int NumberRank(TypeId t) { return t == TypeId::kInt4 ? 0 : t == TypeId::kInt8 ? 1 : 2; }

BoundExprPtr NewBound(BoundKind kind, TypeId type, int location) {
  auto e = std::make_unique<BoundExpr>();
  e->kind = kind;
  e->type = type;
  e->location = location;
  return e;
}

BoundExprPtr NullConst(TypeId type) {
  BoundExprPtr e = NewBound(BoundKind::kConst, type, 0);
  e->value = std::monostate{};
  return e;
}

/* What the expressions of a statement can see: the FROM table, if any. */
struct Scope {
  const storage::TableDef* table = nullptr;
  std::string alias;  // the name the table goes by in this statement
};

/* The name PostgreSQL's FigureColname gives an expression, with its
 * strength: 2 = a real name, 1 = a type name from a cast, 0 = none. */
std::pair<std::string, int> FigureColname(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kColumnRef:
    case ExprKind::kFuncCall:
      return {e.text, 2};
    case ExprKind::kBoolLiteral:
      return {"bool", 1};  // PostgreSQL's grammar makes TRUE a cast to bool
    case ExprKind::kCast: {
      auto inner = FigureColname(*e.args[0]);
      if (inner.second == 2) {
        return inner;
      }
      const std::string& t = e.type_name.name;
      std::string name = t;
      if (t == "int" || t == "integer") {
        name = "int4";
      } else if (t == "bigint") {
        name = "int8";
      } else if (t == "boolean") {
        name = "bool";
      } else if (t == "decimal") {
        name = "numeric";
      } else if (t == "char" || t == "character") {
        name = "bpchar";
      }
      return {name, 1};
    }
    default:
      return {"?column?", 0};
  }
}

class Analyzer {
 public:
  explicit Analyzer(const storage::CatalogSnapshot& catalog) : catalog_(catalog) {}

  Result<Query> Run(const Statement& stmt) {
    return std::visit([this](const auto& node) { return Analyze(node); }, stmt.node);
  }

 private:
  // ---- statements ------------------------------------------------------
  Result<const storage::TableDef*> LookupTable(const TableRef& ref) {
    const storage::TableDef* table = catalog_.Find(ref.name);
    if (table == nullptr) {
      return ErrorAt(sqlstate::kUndefinedTable, fmt::format("relation \"{}\" does not exist", ref.name),
                     ref.location);
    }
    return table;
  }

  Result<Query> Analyze(const SelectStmt& select) {
    Query q;
    q.kind = StatementKind::kSelect;
    q.statement = "SELECT";
    if (!select.unsupported.empty()) {
      return MakeError(sqlstate::kFeatureNotSupported,
                       fmt::format("{} is not supported by minipg", select.unsupported));
    }
    Scope scope;
    if (select.from) {
      auto table = LookupTable(*select.from);
      if (!table.ok()) {
        return table.error();
      }
      scope.table = *table;
      scope.alias = select.from->alias.empty() ? select.from->name : select.from->alias;
      q.table = **table;
      q.tables.push_back((*table)->name);
    }
    if (select.where) {
      auto where = BindCondition(*select.where, scope, "WHERE");
      if (!where.ok()) {
        return where.error();
      }
      q.where = std::move(*where);
    }
    for (const SelectTarget& target : select.targets) {
      if (target.star) {
        if (scope.table == nullptr) {
          return ErrorAt(sqlstate::kSyntaxError, "SELECT * with no tables specified is not valid",
                         target.location);
        }
        if (!target.star_qualifier.empty() && target.star_qualifier != scope.alias) {
          return ErrorAt(sqlstate::kUndefinedTable,
                         fmt::format("missing FROM-clause entry for table \"{}\"", target.star_qualifier),
                         target.location);
        }
        for (size_t i = 0; i < scope.table->columns.size(); ++i) {
          BoundExprPtr col = NewBound(BoundKind::kColumn, FromColumnType(scope.table->columns[i].type),
                                      target.location);
          col->column = static_cast<int>(i);
          q.targets.push_back(TargetEntry{scope.table->columns[i].name, std::move(col)});
        }
        continue;
      }
      auto expr = BindValue(*target.expr, scope);
      if (!expr.ok()) {
        return expr.error();
      }
      std::string name = target.alias.empty() ? FigureColname(*target.expr).first : target.alias;
      q.targets.push_back(TargetEntry{std::move(name), std::move(*expr)});
    }
    for (const OrderItem& item : select.order_by) {
      auto key = BindSortKey(item, select, scope);
      if (!key.ok()) {
        return key.error();
      }
      q.sort.push_back(std::move(*key));
    }
    for (auto [ast, out, what] : {std::tuple{select.limit.get(), &q.limit, "LIMIT"},
                                  std::tuple{select.offset.get(), &q.offset, "OFFSET"}}) {
      if (ast == nullptr) {
        continue;
      }
      auto bound = Bind(*ast, Scope{});
      if (!bound.ok()) {
        return bound.error();
      }
      TypeId type = (*bound)->type;
      auto coerced = Coerce(std::move(*bound), TypeId::kInt8, CastContext::kAssignment);
      if (!coerced.ok()) {
        if (coerced.error().sqlstate != kCannotCoerce) {
          return coerced.error();
        }
        return ErrorAt(sqlstate::kDatatypeMismatch,
                       fmt::format("argument of {} must be type bigint, not type {}", what, TypeName(type)),
                       ast->location);
      }
      *out = std::move(*coerced);
    }
    return q;
  }

  Result<SortKey> BindSortKey(const OrderItem& item, const SelectStmt& select, const Scope& scope) {
    SortKey key;
    key.descending = item.descending;
    key.nulls_first = item.nulls_first.value_or(item.descending);
    const Expr& e = *item.expr;
    const Expr* source = &e;
    if (e.kind == ExprKind::kIntLiteral) {
      // ORDER BY 2: the second output column.
      int64_t n = 0;
      try {
        n = std::stoll(e.text);
      } catch (...) {
        n = -1;
      }
      if (n < 1 || n > static_cast<int64_t>(select.targets.size()) || select.targets[n - 1].star) {
        return ErrorAt(sqlstate::kInvalidColumnReference,
                       fmt::format("ORDER BY position {} is not in select list", e.text), e.location);
      }
      source = select.targets[n - 1].expr.get();
    } else if (e.kind == ExprKind::kColumnRef && e.qualifier.empty()) {
      // A bare name matches an output column's name first, as in PostgreSQL.
      for (const SelectTarget& t : select.targets) {
        if (!t.star && (t.alias.empty() ? FigureColname(*t.expr).first : t.alias) == e.text) {
          source = t.expr.get();
          break;
        }
      }
    }
    auto bound = BindValue(*source, scope);
    if (!bound.ok()) {
      return bound.error();
    }
    key.expr = std::move(*bound);
    return key;
  }

  Result<Query> Analyze(const InsertStmt& insert) {
    Query q;
    q.kind = StatementKind::kInsert;
    q.statement = "INSERT";
    auto table_or = LookupTable(insert.table);
    if (!table_or.ok()) {
      return table_or.error();
    }
    const storage::TableDef& table = **table_or;
    q.table = table;
    q.tables.push_back(table.name);
    // Which table column each VALUES position fills.
    std::vector<int> target_cols;
    if (insert.columns.empty()) {
      for (size_t i = 0; i < table.columns.size(); ++i) {
        target_cols.push_back(static_cast<int>(i));
      }
    } else {
      for (const InsertColumn& col : insert.columns) {
        int index = -1;
        for (size_t i = 0; i < table.columns.size(); ++i) {
          if (table.columns[i].name == col.name) {
            index = static_cast<int>(i);
          }
        }
        if (index < 0) {
          return ErrorAt(sqlstate::kUndefinedColumn,
                         fmt::format("column \"{}\" of relation \"{}\" does not exist", col.name, table.name),
                         col.location);
        }
        if (std::find(target_cols.begin(), target_cols.end(), index) != target_cols.end()) {
          return ErrorAt(sqlstate::kDuplicateColumn,
                         fmt::format("column \"{}\" specified more than once", col.name), col.location);
        }
        target_cols.push_back(index);
      }
    }
    for (const auto& row : insert.rows) {
      if (row.size() > target_cols.size()) {
        return ErrorAt(sqlstate::kSyntaxError, "INSERT has more expressions than target columns",
                       row[target_cols.size()]->location);
      }
      if (row.size() < target_cols.size() && !insert.columns.empty()) {
        return ErrorAt(sqlstate::kSyntaxError, "INSERT has more target columns than expressions",
                       insert.columns[row.size()].location);
      }
      std::vector<BoundExprPtr> values(table.columns.size());
      for (size_t i = 0; i < row.size(); ++i) {
        int col = target_cols[i];
        TypeId col_type = FromColumnType(table.columns[col].type);
        auto bound = Bind(*row[i], Scope{});
        if (!bound.ok()) {
          return bound.error();
        }
        TypeId expr_type = (*bound)->type;
        auto coerced = Coerce(std::move(*bound), col_type, CastContext::kAssignment);
        if (!coerced.ok()) {
          if (coerced.error().sqlstate == kCannotCoerce) {
            Error e = ErrorAt(sqlstate::kDatatypeMismatch,
                              fmt::format("column \"{}\" is of type {} but expression is of type {}",
                                          table.columns[col].name, TypeName(col_type), TypeName(expr_type)),
                              row[i]->location);
            e.hint = "You will need to rewrite or cast the expression.";
            return e;
          }
          return At(coerced.error(), row[i]->location);
        }
        values[col] = std::move(*coerced);
      }
      for (size_t c = 0; c < values.size(); ++c) {
        if (!values[c]) {
          values[c] = NullConst(FromColumnType(table.columns[c].type));
        }
      }
      q.insert_rows.push_back(std::move(values));
    }
    return q;
  }

  Result<Query> Analyze(const CreateTableStmt& create) {
    Query q;
    q.kind = StatementKind::kCreateTable;
    q.statement = "CREATE TABLE";
    q.create_name = create.table.name;
    q.if_not_exists = create.if_not_exists;
    q.tables.push_back(create.table.name);
    if (!create.unsupported.empty()) {
      return MakeError(sqlstate::kFeatureNotSupported,
                       fmt::format("{} are not supported by minipg", create.unsupported));
    }
    if (catalog_.Find(create.table.name) != nullptr && !create.if_not_exists) {
      return ErrorAt(sqlstate::kDuplicateTable,
                     fmt::format("relation \"{}\" already exists", create.table.name), create.table.location);
    }
    for (const ColumnDefinition& col : create.columns) {
      for (const auto& prev : q.create_columns) {
        if (prev.name == col.name) {
          return ErrorAt(sqlstate::kDuplicateColumn,
                         fmt::format("column \"{}\" specified more than once", col.name), col.location);
        }
      }
      auto type = ResolveTypeName(col.type.name);
      if (!type || *type == TypeId::kNumeric) {
        return ErrorAt(type ? sqlstate::kFeatureNotSupported : sqlstate::kUndefinedObject,
                       type ? std::string("numeric columns are not supported by minipg")
                            : fmt::format("type \"{}\" does not exist", col.type.name),
                       col.type.location);
      }
      q.create_columns.push_back(storage::ColumnDef{col.name, ToColumnType(*type)});
    }
    if (q.create_columns.size() > 1600) {
      return MakeError(sqlstate::kProgramLimitExceeded, "tables can have at most 1600 columns");
    }
    return q;
  }

  Result<Query> Analyze(const DropTableStmt& drop) {
    Query q;
    q.kind = StatementKind::kDropTable;
    q.statement = "DROP TABLE";
    q.if_exists = drop.if_exists;
    for (const TableRef& ref : drop.tables) {
      q.tables.push_back(ref.name);
      if (catalog_.Find(ref.name) == nullptr) {
        if (drop.if_exists) {
          continue;
        }
        return ErrorAt(sqlstate::kUndefinedTable, fmt::format("table \"{}\" does not exist", ref.name),
                       ref.location);
      }
      q.drop_names.push_back(ref.name);
    }
    return q;
  }

  Result<Query> Analyze(const TransactionStmt& txn) {
    Query q;
    q.kind = txn.kind;
    q.statement = txn.kind == StatementKind::kBegin    ? "BEGIN"
                  : txn.kind == StatementKind::kCommit ? "COMMIT"
                                                       : "ROLLBACK";
    return q;
  }

  Result<Query> Analyze(const SetStmt& set) {
    Query q;
    q.kind = StatementKind::kSet;
    q.statement = "SET";
    q.setting = set.name;
    q.setting_value = set.value;
    return q;
  }

  Result<Query> Analyze(const ShowStmt& show) {
    Query q;
    q.kind = StatementKind::kShow;
    q.statement = "SHOW";
    q.setting = show.name;
    return q;
  }

  Result<Query> Analyze(const UnsupportedStmt& stmt) {
    return MakeError(sqlstate::kFeatureNotSupported, fmt::format("{} is not supported by minipg", stmt.what));
  }

  // ---- expressions -----------------------------------------------------

  /* Binds an expression whose value is returned: an undecided literal
   * becomes text. */
  Result<BoundExprPtr> BindValue(const Expr& e, const Scope& scope) {
    auto bound = Bind(e, scope);
    if (bound.ok() && (*bound)->untyped) {
      (*bound)->untyped = false;
      (*bound)->type = TypeId::kText;
    }
    return bound;
  }

  Result<BoundExprPtr> BindCondition(const Expr& e, const Scope& scope, const char* what) {
    auto bound = Bind(e, scope);
    if (!bound.ok()) {
      return bound;
    }
    return RequireBool(std::move(*bound), what, e.location);
  }

  Result<BoundExprPtr> RequireBool(BoundExprPtr expr, const char* what, int location) {
    if (expr->type == TypeId::kBool) {
      return expr;
    }
    if (expr->type == TypeId::kUnknown || expr->untyped) {
      return Coerce(std::move(expr), TypeId::kBool, CastContext::kImplicit);
    }
    return ErrorAt(sqlstate::kDatatypeMismatch,
                   fmt::format("argument of {} must be type boolean, not type {}", what, TypeName(expr->type)),
                   location);
  }

  /* Converts `expr` to `to` if `context` allows; an undecided literal is
   * parsed now. Fails with 42846 (cannot coerce) otherwise. */
  Result<BoundExprPtr> Coerce(BoundExprPtr expr, TypeId to, CastContext context) {
    if (expr->type == to && !expr->untyped) {
      return expr;
    }
    if (expr->kind == BoundKind::kConst && (expr->untyped || storage::IsNull(expr->value))) {
      if (expr->untyped) {
        auto value = InputText(std::get<std::string>(expr->value), to);
        if (!value.ok()) {
          return At(value.error(), expr->location);
        }
        expr->value = std::move(*value);
        expr->untyped = false;
      }
      expr->type = to;
      return expr;
    }
    if (!CanCast(expr->type, to, context)) {
      return MakeError(kCannotCoerce,
                       fmt::format("cannot cast type {} to {}", TypeName(expr->type), TypeName(to)));
    }
    if (expr->kind == BoundKind::kConst) {
      // Fold the cast of a constant now, as PostgreSQL's planner does.
      auto value = CastValue(expr->value, expr->type, to);
      if (!value.ok()) {
        return At(value.error(), expr->location);
      }
      expr->value = std::move(*value);
      expr->type = to;
      return expr;
    }
    BoundExprPtr cast = NewBound(BoundKind::kCast, to, expr->location);
    cast->args.push_back(std::move(expr));
    return cast;
  }

  Result<BoundExprPtr> Bind(const Expr& e, const Scope& scope) {
    switch (e.kind) {
      case ExprKind::kIntLiteral: {
        auto v = InputText(e.text, TypeId::kInt4);
        TypeId type = TypeId::kInt4;
        if (!v.ok()) {
          v = InputText(e.text, TypeId::kInt8);
          type = TypeId::kInt8;
        }
        if (!v.ok()) {
          return ErrorAt(sqlstate::kNumericValueOutOfRange,
                         fmt::format("value \"{}\" is out of range for type bigint", e.text), e.location);
        }
        BoundExprPtr b = NewBound(BoundKind::kConst, type, e.location);
        b->value = std::move(*v);
        return b;
      }
      case ExprKind::kNumericLiteral: {
        auto v = InputText(e.text, TypeId::kNumeric);
        if (!v.ok()) {
          return At(v.error(), e.location);
        }
        BoundExprPtr b = NewBound(BoundKind::kConst, TypeId::kNumeric, e.location);
        b->value = std::move(*v);
        return b;
      }
      case ExprKind::kStringLiteral: {
        BoundExprPtr b = NewBound(BoundKind::kConst, TypeId::kText, e.location);
        b->value = e.text;
        b->untyped = true;
        return b;
      }
      case ExprKind::kBoolLiteral: {
        BoundExprPtr b = NewBound(BoundKind::kConst, TypeId::kBool, e.location);
        b->value = e.bool_value;
        return b;
      }
      case ExprKind::kNullLiteral: {
        BoundExprPtr b = NewBound(BoundKind::kConst, TypeId::kUnknown, e.location);
        b->value = std::monostate{};
        return b;
      }
      case ExprKind::kColumnRef:
        return BindColumn(e, scope);
      case ExprKind::kUnary:
        return BindUnary(e, scope);
      case ExprKind::kBinary:
        return BindBinary(e, scope);
      case ExprKind::kIsNull: {
        auto arg = BindValue(*e.args[0], scope);
        if (!arg.ok()) {
          return arg;
        }
        BoundExprPtr b = NewBound(BoundKind::kIsNull, TypeId::kBool, e.location);
        b->negated = e.negated;
        b->args.push_back(std::move(*arg));
        return b;
      }
      case ExprKind::kCast:
        return BindCast(e, scope);
      case ExprKind::kFuncCall:
        return BindFunc(e, scope);
    }
    return MakeError(sqlstate::kInternalError, "unknown expression kind");
  }

  Result<BoundExprPtr> BindColumn(const Expr& e, const Scope& scope) {
    if (!e.qualifier.empty() && (scope.table == nullptr || e.qualifier != scope.alias)) {
      return ErrorAt(sqlstate::kUndefinedTable,
                     fmt::format("missing FROM-clause entry for table \"{}\"", e.qualifier), e.location);
    }
    if (scope.table != nullptr) {
      const auto& cols = scope.table->columns;
      for (size_t i = 0; i < cols.size(); ++i) {
        if (cols[i].name == e.text) {
          BoundExprPtr b = NewBound(BoundKind::kColumn, FromColumnType(cols[i].type), e.location);
          b->column = static_cast<int>(i);
          return b;
        }
      }
    }
    std::string name = e.qualifier.empty() ? e.text : e.qualifier + "." + e.text;
    return ErrorAt(sqlstate::kUndefinedColumn,
                   e.qualifier.empty() ? fmt::format("column \"{}\" does not exist", name)
                                       : fmt::format("column {} does not exist", name),
                   e.location);
  }

  Result<BoundExprPtr> BindUnary(const Expr& e, const Scope& scope) {
    auto arg = Bind(*e.args[0], scope);
    if (!arg.ok()) {
      return arg;
    }
    if (e.op == Op::kNot) {
      auto b = RequireBool(std::move(*arg), "NOT", e.args[0]->location);
      if (!b.ok()) {
        return b;
      }
      BoundExprPtr n = NewBound(BoundKind::kUnary, TypeId::kBool, e.location);
      n->op = Op::kNot;
      n->args.push_back(std::move(*b));
      return n;
    }
    TypeId t = (*arg)->type;
    if ((*arg)->untyped) {
      return ErrorAt(kAmbiguousFunction, "operator is not unique: - unknown", e.location);
    }
    if (t == TypeId::kUnknown) {
      t = TypeId::kInt4;
      (*arg)->type = t;
    }
    if (!IsNumber(t)) {
      Error err = ErrorAt(sqlstate::kUndefinedFunction, fmt::format("operator does not exist: - {}", TypeName(t)),
                          e.location);
      err.hint = kOperatorHint;
      return err;
    }
    BoundExprPtr n = NewBound(BoundKind::kUnary, t, e.location);
    n->op = Op::kNeg;
    n->args.push_back(std::move(*arg));
    return n;
  }

  Error NoOperator(const Expr& e, TypeId left, TypeId right) {
    Error err = ErrorAt(sqlstate::kUndefinedFunction,
                        fmt::format("operator does not exist: {} {} {}", TypeName(left), OpName(e.op), TypeName(right)),
                        e.location);
    err.hint = kOperatorHint;
    return err;
  }

  Result<BoundExprPtr> BindBinary(const Expr& e, const Scope& scope) {
    if (e.op == Op::kAnd || e.op == Op::kOr) {
      const char* what = e.op == Op::kAnd ? "AND" : "OR";
      BoundExprPtr n = NewBound(BoundKind::kBinary, TypeId::kBool, e.location);
      n->op = e.op;
      for (const ExprPtr& a : e.args) {
        auto b = BindCondition(*a, scope, what);
        if (!b.ok()) {
          return b;
        }
        n->args.push_back(std::move(*b));
      }
      return n;
    }
    auto left = Bind(*e.args[0], scope);
    if (!left.ok()) {
      return left;
    }
    auto right = Bind(*e.args[1], scope);
    if (!right.ok()) {
      return right;
    }
    BoundExprPtr l = std::move(*left);
    BoundExprPtr r = std::move(*right);
    // Unknown (NULL or an undecided literal) takes the other side's type.
    bool l_unknown = l->untyped || l->type == TypeId::kUnknown;
    bool r_unknown = r->untyped || r->type == TypeId::kUnknown;
    TypeId common;
    if (e.op == Op::kConcat) {
      // text || anything (anything is output as text); unknown counts as text.
      if (!(l_unknown || r_unknown || l->type == TypeId::kText || r->type == TypeId::kText)) {
        return NoOperator(e, l->type, r->type);
      }
      // Unknowns become text; other types are output as text when evaluated
      // (so 'a' || true is "at", as PostgreSQL's anytextcat gives).
      for (BoundExprPtr* side : {&l, &r}) {
        if ((*side)->untyped || (*side)->type == TypeId::kUnknown) {
          auto c = Coerce(std::move(*side), TypeId::kText, CastContext::kImplicit);
          if (!c.ok()) {
            return c.error();
          }
          *side = std::move(*c);
        }
      }
      BoundExprPtr n = NewBound(BoundKind::kBinary, TypeId::kText, e.location);
      n->op = e.op;
      n->args.push_back(std::move(l));
      n->args.push_back(std::move(r));
      return n;
    }
    bool arithmetic = e.op == Op::kAdd || e.op == Op::kSub || e.op == Op::kMul || e.op == Op::kDiv ||
                      e.op == Op::kMod;
    if (l_unknown && r_unknown) {
      if (arithmetic) {
        return ErrorAt(kAmbiguousFunction,
                       fmt::format("operator is not unique: unknown {} unknown", OpName(e.op)), e.location);
      }
      common = TypeId::kText;  // 'a' = 'b' compares as text
    } else if (l_unknown) {
      common = r->type;
    } else if (r_unknown) {
      common = l->type;
    } else if (IsNumber(l->type) && IsNumber(r->type)) {
      common = NumberRank(l->type) >= NumberRank(r->type) ? l->type : r->type;
    } else if (l->type == r->type && !arithmetic && l->type != TypeId::kVoid) {
      common = l->type;
    } else {
      return NoOperator(e, l->type, r->type);
    }
    if (arithmetic && !IsNumber(common)) {
      return NoOperator(e, l_unknown ? common : l->type, r_unknown ? common : r->type);
    }
    for (BoundExprPtr* side : {&l, &r}) {
      auto c = Coerce(std::move(*side), common, CastContext::kImplicit);
      if (!c.ok()) {
        return c.error();
      }
      *side = std::move(*c);
    }
    BoundExprPtr n = NewBound(BoundKind::kBinary, arithmetic ? common : TypeId::kBool, e.location);
    n->op = e.op;
    n->args.push_back(std::move(l));
    n->args.push_back(std::move(r));
    return n;
  }

  Result<BoundExprPtr> BindCast(const Expr& e, const Scope& scope) {
    auto target = ResolveTypeName(e.type_name.name);
    if (!target) {
      return ErrorAt(sqlstate::kUndefinedObject, fmt::format("type \"{}\" does not exist", e.type_name.name),
                     e.type_name.location);
    }
    auto arg = Bind(*e.args[0], scope);
    if (!arg.ok()) {
      return arg;
    }
    TypeId from = (*arg)->untyped ? TypeId::kUnknown : (*arg)->type;
    auto c = Coerce(std::move(*arg), *target, CastContext::kExplicit);
    if (!c.ok()) {
      if (c.error().sqlstate == kCannotCoerce) {
        return ErrorAt(kCannotCoerce, fmt::format("cannot cast type {} to {}", TypeName(from), TypeName(*target)),
                       e.location);
      }
      return c;
    }
    if ((*c)->kind == BoundKind::kConst) {
      (*c)->location = e.location;
    }
    return c;
  }

  Result<BoundExprPtr> BindFunc(const Expr& e, const Scope& scope) {
    std::vector<BoundExprPtr> args;
    std::vector<std::string> arg_types;
    for (const ExprPtr& a : e.args) {
      auto b = Bind(*a, scope);
      if (!b.ok()) {
        return b;
      }
      arg_types.push_back((*b)->untyped ? "unknown" : TypeName((*b)->type));
      args.push_back(std::move(*b));
    }
    const std::string& name = e.text;
    auto make = [&](FuncId id, TypeId type) {
      BoundExprPtr f = NewBound(BoundKind::kFunc, type, e.location);
      f->func = id;
      f->args = std::move(args);
      return f;
    };
    if (!e.star) {
      if (e.negated) {  // keyword functions: current_user, user, session_user, current_catalog
        return make(name == "current_catalog" ? FuncId::kCurrentDatabase : FuncId::kCurrentUser, TypeId::kText);
      }
      if (args.empty()) {
        if (name == "pg_backend_pid") {
          return make(FuncId::kPgBackendPid, TypeId::kInt4);
        }
        if (name == "version") {
          return make(FuncId::kVersion, TypeId::kText);
        }
        if (name == "current_database") {
          return make(FuncId::kCurrentDatabase, TypeId::kText);
        }
      }
      if (name == "pg_sleep" && args.size() == 1) {
        auto c = Coerce(std::move(args[0]), TypeId::kNumeric, CastContext::kImplicit);
        if (c.ok()) {
          args[0] = std::move(*c);
          return make(FuncId::kPgSleep, TypeId::kVoid);
        }
        if (c.error().sqlstate != kCannotCoerce) {
          return c;
        }
      }
    }
    std::string signature = e.star ? "*" : fmt::format("{}", fmt::join(arg_types, ", "));
    if (e.star || name == "count" || name == "sum" || name == "min" || name == "max" || name == "avg") {
      return ErrorAt(sqlstate::kFeatureNotSupported,
                     fmt::format("aggregate function {}({}) is not supported by minipg", name, signature),
                     e.location);
    }
    Error err = ErrorAt(sqlstate::kUndefinedFunction, fmt::format("function {}({}) does not exist", name, signature),
                        e.location);
    err.hint = kFunctionHint;
    return err;
  }

  const storage::CatalogSnapshot& catalog_;
};

}  // namespace

Result<Query> Analyze(const Statement& stmt, const storage::CatalogSnapshot& catalog) {
  Analyzer analyzer(catalog);
  return analyzer.Run(stmt);
}

}  // namespace minipg::sql
