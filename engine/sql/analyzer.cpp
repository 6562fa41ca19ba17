/*-------------------------------------------------------------------------
 * analyzer.cpp
 *   Name resolution and type checking, statement level (see analyzer.h);
 *   expressions are bound in bind_expression.cpp.
 *-------------------------------------------------------------------------
 */
#include "engine/sql/analyzer.h"

#include <algorithm>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "engine/catalog/system_catalog.h"
#include "engine/common/interrupts.h"
#include "engine/common/sqlstate.h"
#include "engine/sql/analyzer_impl.h"
#include "engine/sql/extension_ddl.h"
#include "engine/sql/system_views.h"

namespace minipg::sql {

namespace analyzer_internal {

std::pair<std::string, int> FigureColname(const Expr& e) {
  // A loop, not recursion, down a chain of casts (1::int::int...): the
  // innermost name wins, else the outermost cast's type.
  const Expr* inner = &e;
  while (inner->kind == ExprKind::kCast) {
    inner = inner->args[0].get();
  }
  if (inner->kind == ExprKind::kColumnRef || inner->kind == ExprKind::kFuncCall) {
    return {inner->text, 2};
  }
  if (e.kind != ExprKind::kCast) {
    return {"?column?", 0};
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
  } else if (auto type = ResolveTypeName(t); type && (*type == TypeId::kChar || *type == TypeId::kInt2 ||
                                                      *type == TypeId::kFloat4)) {
    name = TypeInternalName(*type);  // "char", int2, float4
  }
  return {name, 1};
}

/* The select list's output names, for ORDER BY name: each to the first
 * output column of that name, marked ambiguous if another of that name is a
 * different expression, as PostgreSQL's findTargetlistEntrySQL92 decides.
 * One map, made once: not a scan of the list for every ORDER BY item. */
std::unordered_map<std::string, OutputName> OutputNames(const SelectStmt& select, const Query& q) {
  std::unordered_map<std::string, OutputName> names;
  size_t next = 0;  // the Query::targets entry of the select target at hand
  for (const SelectTarget& t : select.targets) {
    size_t width = t.star ? (q.table ? q.table->columns.size() : 0) : 1;
    for (size_t i = 0; i < width && next < q.targets.size(); ++i, ++next) {
      const TargetEntry& entry = q.targets[next];
      auto [it, inserted] = names.try_emplace(entry.name, OutputName{t.star ? nullptr : t.expr.get(), next, false});
      if (!inserted && !it->second.ambiguous &&
          BoundExprToString(*q.targets[it->second.target].expr, q.table) != BoundExprToString(*entry.expr, q.table)) {
        it->second.ambiguous = true;
      }
    }
  }
  return names;
}

Result<const storage::TableDef*> Analyzer::LookupTable(const TableRef& ref) {
  // System catalogs and views come first, as pg_catalog does on
  // PostgreSQL's search_path.
  if (ref.schema != "public" && !ref.call) {
    if (const storage::TableDef* cat = catalog::FindSystemCatalogTable(ref.name)) {
      return cat;
    }
  }
  if (ref.schema != "public") {
    const SystemView* view = FindSystemView(ref.name);
    // An extension's view is there only once the database created it.
    bool present = view != nullptr && (view->extension == nullptr || ctx_ == nullptr || ctx_->data_dir.empty() ||
                                       ExtensionInstalled(*ctx_, view->extension));
    if (present && view->set_returning_function == ref.call) {
      return &view->def;
    }
  }
  if (ref.call) {
    Error err = ErrorAt(sqlstate::kUndefinedFunction, fmt::format("function {}() does not exist", ref.name),
                        ref.location);
    err.hint = kFunctionHint;
    return err;
  }
  const storage::TableDef* table = ref.schema != "pg_catalog" ? catalog_.Find(ref.name) : nullptr;
  if (table == nullptr) {
    std::string shown = ref.schema.empty() ? ref.name : ref.schema + "." + ref.name;
    return ErrorAt(sqlstate::kUndefinedTable, fmt::format("relation \"{}\" does not exist", shown),
                   ref.location);
  }
  return table;
}

Result<Query> Analyzer::Analyze(const SelectStmt& select) {
  Query q;
  q.kind = StatementKind::kSelect;
  q.statement = StatementKindName(StatementKind::kSelect);
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
    if (Status s = CheckForInterrupts(); !s.ok()) {
      return s.error();
    }
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
  std::unordered_map<std::string, OutputName> output_names;
  if (!select.order_by.empty()) {
    output_names = OutputNames(select, q);
  }
  for (const OrderItem& item : select.order_by) {
    if (Status s = CheckForInterrupts(); !s.ok()) {
      return s.error();
    }
    auto key = BindSortKey(item, select, output_names, scope);
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
  // PostgreSQL's MaxTupleAttributeNumber, checked once the list is analyzed.
  if (q.targets.size() > kMaxTargetListEntries) {
    return MakeError(sqlstate::kTooManyColumns,
                     fmt::format("target lists can have at most {} entries", kMaxTargetListEntries));
  }
  return q;
}

Result<SortKey> Analyzer::BindSortKey(const OrderItem& item, const SelectStmt& select,
                                      const std::unordered_map<std::string, OutputName>& output_names,
                                      const Scope& scope) {
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
    // A bare name matches an output column's name first, as in PostgreSQL
    // (a column of "*" is bound as the input column it is).
    if (auto it = output_names.find(e.text); it != output_names.end()) {
      if (it->second.ambiguous) {
        return ErrorAt(sqlstate::kAmbiguousColumn, fmt::format("ORDER BY \"{}\" is ambiguous", e.text), e.location);
      }
      if (it->second.expr != nullptr) {
        source = it->second.expr;
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

Result<Query> Analyzer::Analyze(const InsertStmt& insert) {
  Query q;
  q.kind = StatementKind::kInsert;
  q.statement = StatementKindName(StatementKind::kInsert);
  auto table_or = LookupTable(insert.table);
  if (!table_or.ok()) {
    return table_or.error();
  }
  const storage::TableDef& table = **table_or;
  if (catalog::FindSystemCatalogByOid(table.oid) != nullptr) {
    // PostgreSQL lets a superuser change catalog rows by hand; minipg does not.
    return ErrorAt(sqlstate::kInsufficientPrivilege, fmt::format("permission denied for table {}", table.name),
                   insert.table.location);
  }
  if (FindSystemViewByOid(table.oid) != nullptr) {
    Error e = ErrorAt(sqlstate::kObjectNotInPrerequisiteState,
                      fmt::format("cannot insert into view \"{}\"", table.name), insert.table.location);
    e.detail = "Views that do not select from a single table or view are not automatically updatable.";
    e.hint =
        "To enable inserting into the view, provide an INSTEAD OF INSERT trigger or an unconditional ON INSERT DO "
        "INSTEAD rule.";
    return e;
  }
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
    if (Status s = CheckForInterrupts(); !s.ok()) {
      return s.error();
    }
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

Result<Query> Analyzer::Analyze(const CreateTableStmt& create) {
  Query q;
  q.kind = StatementKind::kCreateTable;
  q.statement = StatementKindName(StatementKind::kCreateTable);
  q.create_name = create.table.name;
  q.if_not_exists = create.if_not_exists;
  q.tables.push_back(create.table.name);
  if (!create.unsupported.empty()) {
    return MakeError(sqlstate::kFeatureNotSupported,
                     fmt::format("{} are not supported by minipg", create.unsupported));
  }
  if (create.table.schema == "pg_catalog") {
    Error e = ErrorAt(sqlstate::kInsufficientPrivilege,
                      fmt::format("permission denied to create \"pg_catalog.{}\"", create.table.name),
                      create.table.location);
    e.detail = "System catalog modifications are currently disallowed.";
    return e;
  }
  if (catalog_.Find(create.table.name) != nullptr && !create.if_not_exists) {
    return MakeError(sqlstate::kDuplicateTable, fmt::format("relation \"{}\" already exists", create.table.name));
  }
  // The count first, as PostgreSQL's MergeAttributes does, before any
  // work per column.
  if (create.columns.size() > 1600) {
    return MakeError(sqlstate::kTooManyColumns, "tables can have at most 1600 columns");
  }
  std::unordered_set<std::string_view> names;  // a set, not a scan per column
  for (const ColumnDefinition& col : create.columns) {
    if (Status s = CheckForInterrupts(); !s.ok()) {
      return s.error();
    }
    if (!names.insert(col.name).second) {  // no position, as in PostgreSQL
      return MakeError(sqlstate::kDuplicateColumn, fmt::format("column \"{}\" specified more than once", col.name));
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
  return q;
}

Result<Query> Analyzer::Analyze(const DropTableStmt& drop) {
  Query q;
  q.kind = StatementKind::kDropTable;
  q.statement = StatementKindName(StatementKind::kDropTable);
  q.if_exists = drop.if_exists;
  for (const TableRef& ref : drop.tables) {
    q.tables.push_back(ref.name);
    if (ref.schema != "public" && catalog::FindSystemCatalog(ref.name) != nullptr) {
      return MakeError(sqlstate::kInsufficientPrivilege,
                       fmt::format("permission denied: \"{}\" is a system catalog", ref.name));
    }
    if (ref.schema == "pg_catalog" || catalog_.Find(ref.name) == nullptr) {  // user tables are in public
      if (drop.if_exists) {
        q.drop_missing.push_back(ref.name);
        continue;
      }
      // No position, as PostgreSQL's.
      return MakeError(sqlstate::kUndefinedTable, fmt::format("table \"{}\" does not exist", ref.name));
    }
    q.drop_names.push_back(ref.name);
  }
  return q;
}

Result<Query> Analyzer::Analyze(const TransactionStmt& txn) {
  Query q;
  q.kind = txn.kind;
  q.statement = StatementKindName(txn.kind);
  return q;
}

Result<Query> Analyzer::Analyze(const SetStmt& set) {
  Query q;
  q.kind = StatementKind::kSet;
  q.statement = set.reset ? "RESET" : StatementKindName(StatementKind::kSet);
  q.setting = set.name;
  q.setting_value = set.value;
  return q;
}

Result<Query> Analyzer::Analyze(const ShowStmt& show) {
  Query q;
  q.kind = StatementKind::kShow;
  q.statement = StatementKindName(StatementKind::kShow);
  q.setting = show.name;
  return q;
}

Result<Query> Analyzer::Analyze(const CheckpointStmt&) {
  Query q;
  q.kind = StatementKind::kCheckpoint;
  q.statement = StatementKindName(StatementKind::kCheckpoint);
  return q;
}

Result<Query> Analyzer::Analyze(const UnsupportedStmt& stmt) {
  return MakeError(sqlstate::kFeatureNotSupported, fmt::format("{} is not supported by minipg", stmt.what));
}

}  // namespace analyzer_internal

Result<Query> Analyze(const Statement& stmt, const storage::CatalogSnapshot& catalog, const SessionContext* ctx) {
  analyzer_internal::Analyzer analyzer(catalog, nullptr, ctx);
  return analyzer.Run(stmt);
}

Result<Query> AnalyzeWithParams(const Statement& stmt, const storage::CatalogSnapshot& catalog,
                                std::vector<TypeId>& param_types, const SessionContext* ctx) {
  analyzer_internal::Analyzer analyzer(catalog, &param_types, ctx);
  auto query = analyzer.Run(stmt);
  if (!query.ok()) {
    return query;
  }
  for (size_t i = 0; i < param_types.size(); ++i) {
    if (param_types[i] == TypeId::kUnknown) {
      return MakeError(sqlstate::kIndeterminateDatatype,
                       fmt::format("could not determine data type of parameter ${}", i + 1));
    }
  }
  return query;
}

}  // namespace minipg::sql
