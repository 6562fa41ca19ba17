/*-------------------------------------------------------------------------
 * parse_utilcmd.cpp
 *   CREATE INDEX, DROP INDEX and the constraints of CREATE TABLE, analyzed
 *   as PostgreSQL's parse_utilcmd.c does: PRIMARY KEY and UNIQUE become
 *   indexes of PostgreSQL's default names (t_pkey, t_a_key, t_a_idx), a
 *   primary key's columns NOT NULL, CHECK and DEFAULT expressions are bound
 *   and kept as SQL text (pg_constraint.conbin, pg_attrdef.adbin) which
 *   BindStoredExpr / ColumnDefault bind again when a row is inserted.
 *-------------------------------------------------------------------------
 */
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "engine/catalog/system_catalog.h"
#include "engine/sql/analyzer.h"
#include "engine/sql/analyzer_impl.h"
#include "engine/sql/parser.h"
#include "engine/sql/system_views.h"

namespace minipg::sql {

namespace analyzer_internal {

namespace {

using Kind = ConstraintDefinition::Kind;

constexpr size_t kMaxNameBytes = 63;  // NAMEDATALEN - 1

/* PostgreSQL's makeObjectName: name1_name2_label, the longer of name1 and
 * name2 cut until it fits in 63 bytes. */
std::string MakeObjectName(std::string name1, std::string name2, const std::string& label) {
  auto total = [&] { return name1.size() + (name2.empty() ? 0 : name2.size() + 1) + label.size() + 1; };
  while (total() > kMaxNameBytes) {
    std::string& longer = name1.size() >= name2.size() ? name1 : name2;
    longer.pop_back();
  }
  return name1 + (name2.empty() ? "" : "_" + name2) + "_" + label;
}

/* The names of every relation of the database (tables and their indexes). */
std::set<std::string> RelationNames(const storage::CatalogSnapshot& catalog) {
  std::set<std::string> names;
  for (const storage::TableDef& t : catalog.tables) {
    names.insert(t.name);
    for (const storage::IndexDef& i : t.indexes) names.insert(i.name);
  }
  return names;
}

/* The range table entry of a table's row, for its stored expressions. */
RangeTblEntry RowEntry(const std::string& name, const std::vector<storage::ColumnDef>& columns) {
  RangeTblEntry rte;
  rte.kind = RteKind::kRelation;
  rte.refname = name;
  for (const storage::ColumnDef& c : columns) {
    rte.colnames.push_back(c.name);
    rte.coltypes.push_back(FromColumnType(c.type));
  }
  return rte;
}

/* A stored expression's text parsed back ("SELECT <text>"'s one target). */
Result<RawExprPtr> ParseStoredText(const std::string& text) {
  auto stmts = ParseSql("SELECT " + text);
  if (!stmts.ok()) return stmts.error();
  auto* select = stmts->size() == 1 ? std::get_if<SelectStmt>(&(*stmts)[0]->node) : nullptr;
  if (select == nullptr || select->targets.size() != 1 || !select->targets[0].expr) {
    return MakeError(sqlstate::kInternalError, fmt::format("stored expression \"{}\" does not parse", text));
  }
  return std::move(select->targets[0].expr);
}

/* The first column reference in a parse tree, or null. */
const RawExpr* FindColumnRef(const RawExpr& e) {
  if (e.kind == RawExprKind::kColumnRef) return &e;
  for (const RawExprPtr& arg : e.args) {
    if (arg == nullptr) continue;
    if (const RawExpr* found = FindColumnRef(*arg)) return found;
  }
  return nullptr;
}

const storage::CatalogSnapshot& NoTables() {
  static const storage::CatalogSnapshot empty;
  return empty;
}

}  // namespace

std::string ChooseName(const std::string& name1, const std::string& name2, const std::string& label,
                       std::set<std::string>& taken) {
  std::string name = MakeObjectName(name1, name2, label);
  for (int n = 1; taken.count(name) != 0; ++n) name = MakeObjectName(name1, name2, label + std::to_string(n));
  taken.insert(name);
  return name;
}

std::string JoinNames(const std::vector<std::string>& columns) {
  std::string out;
  for (const std::string& c : columns) out += (out.empty() ? "" : "_") + c;
  return out;
}

Result<ExprPtr> Analyzer::BindTableExpr(const std::string& table, const std::vector<storage::ColumnDef>& columns,
                                        const RawExpr& e, Query& scratch) {
  ParseState ps;
  ps.query = &scratch;
  ps.window_context = "check constraints";
  int rt = AddRte(ps, RowEntry(table, columns));
  ps.ns.push_back(NamespaceItem{rt, true, true});
  auto bound = BindCondition(e, ps, "CHECK");
  if (!bound.ok()) return bound;
  if (Status s = NoAggregates(**bound, "check constraints"); !s.ok()) return s.error();
  return bound;
}

Result<ExprPtr> Analyzer::BindDefault(const storage::ColumnDef& column, const RawExpr& e, bool typmod,
                                      std::string* stored) {
  if (const RawExpr* ref = FindColumnRef(e)) {
    return ErrorAt(sqlstate::kFeatureNotSupported, "cannot use column reference in DEFAULT expression",
                   ref->location);
  }
  Query scratch;
  ParseState none;
  none.query = &scratch;
  none.window_context = "DEFAULT expressions";
  auto bound = Bind(e, none);
  if (!bound.ok()) return bound;
  if (Status s = NoAggregates(**bound, "DEFAULT expressions"); !s.ok()) return s.error();
  TypeId to = FromColumnType(column.type);
  TypeId from = (*bound)->type;
  const bool literal = from == TypeId::kUnknown || (*bound)->untyped;  // 'text' not yet given a type
  if (stored != nullptr) *stored = DeparseExpr(**bound, false, true);
  auto coerced = typmod ? Coerce(std::move(*bound), to, CastContext::kAssignment, column.typmod)
                        : Coerce(std::move(*bound), to, CastContext::kAssignment);
  if (!coerced.ok() && coerced.error().sqlstate == kCannotCoerce) {
    Error err = ErrorAt(sqlstate::kDatatypeMismatch,
                        fmt::format("column \"{}\" is of type {} but default expression is of type {}", column.name,
                                    TypeName(to), TypeName(from)),
                        e.location);
    err.hint = "You will need to rewrite or cast the expression.";
    return err;
  }
  if (coerced.ok() && stored != nullptr && (literal || from == to)) {
    *stored = DeparseExpr(**coerced, false, true);
  }
  return coerced;
}

Result<std::optional<ConstraintCommand>> Analyzer::TransformConstraint(const std::string& table,
                                                                       std::vector<storage::ColumnDef>& columns,
                                                                       const ConstraintDefinition& con,
                                                                       const storage::ColumnDef* column,
                                                                       ConstraintNames& names) {
  bool has_own_name = con.kind == Kind::kPrimaryKey || con.kind == Kind::kUnique || con.kind == Kind::kCheck;
  if (has_own_name && !con.name.empty() && !names.named.insert(con.name).second) {
    return MakeError(sqlstate::kDuplicateObject,
                     fmt::format("constraint \"{}\" for relation \"{}\" already exists", con.name, table));
  }
  switch (con.kind) {
    case Kind::kNotNull:
    case Kind::kNull:
    case Kind::kDefault:
      return std::optional<ConstraintCommand>();  // the column's own
    case Kind::kForeignKey: {  // ALTER TABLE's (CREATE TABLE's wait for the table's keys: TransformConstraints)
      if (!con.name.empty() && (names.existing.count(con.name) != 0 || !names.named.insert(con.name).second)) {
        return MakeError(sqlstate::kDuplicateObject,
                         fmt::format("constraint \"{}\" for relation \"{}\" already exists", con.name, table));
      }
      std::set<std::string> taken = names.existing;
      taken.insert(names.named.begin(), names.named.end());
      taken.insert(names.checks.begin(), names.checks.end());
      auto fk = TransformForeignKey(table, columns, con, column, {}, taken);
      if (!fk.ok()) return fk.error();
      names.named.insert(fk->name);
      fk->not_valid = con.not_valid;
      return std::optional<ConstraintCommand>(std::move(*fk));
    }
    case Kind::kPrimaryKey:
    case Kind::kUnique: {
      ConstraintCommand key;
      key.type = con.kind == Kind::kPrimaryKey ? 'p' : 'u';
      if (key.type == 'p') {
        if (names.has_primary) {
          return ErrorAt(sqlstate::kInvalidTableDefinition,
                         fmt::format("multiple primary keys for table \"{}\" are not allowed", table), con.location);
        }
        names.has_primary = true;
      }
      if (column != nullptr) key.columns.push_back(column->name);
      for (const InsertColumn& c : con.columns) {
        auto it = std::find_if(columns.begin(), columns.end(),
                               [&c](const storage::ColumnDef& d) { return d.name == c.name; });
        if (it == columns.end()) {
          return ErrorAt(sqlstate::kUndefinedColumn, fmt::format("column \"{}\" named in key does not exist", c.name),
                         con.location);
        }
        key.columns.push_back(c.name);
      }
      for (storage::ColumnDef& d : columns) {
        if (key.type == 'p' && std::find(key.columns.begin(), key.columns.end(), d.name) != key.columns.end()) {
          d.not_null = true;
        }
      }
      key.name = con.name;
      return std::optional<ConstraintCommand>(std::move(key));
    }
    case Kind::kCheck: {
      if (!con.name.empty() && names.existing.count(con.name) != 0) {
        return MakeError(sqlstate::kDuplicateObject,
                         fmt::format("constraint \"{}\" for relation \"{}\" already exists", con.name, table));
      }
      Query scratch;
      auto bound = BindTableExpr(table, columns, *con.expr, scratch);
      if (!bound.ok()) return bound.error();
      ConstraintCommand check;
      check.type = 'c';
      check.check = DeparseExpr(**bound, false, true);
      check.name = con.name;
      check.not_valid = con.not_valid;
      // conkey: the columns it reads, in column order.
      std::set<int> attnos;
      WalkExpr(**bound, [&attnos](Expr& e) {
        if (e.kind == ExprKind::kVar) attnos.insert(e.attno);
      });
      for (int a : attnos) check.columns.push_back(columns.at(static_cast<size_t>(a)).name);
      if (check.name.empty()) {
        // A column's CHECK is t_a_check, a table's t_check, as in PostgreSQL.
        check.name = ChooseName(table, column != nullptr ? column->name : "", "check", names.checks);
      } else {
        names.checks.insert(check.name);
      }
      return std::optional<ConstraintCommand>(std::move(check));
    }
  }
  return std::optional<ConstraintCommand>();
}

Status Analyzer::NameKeyConstraint(const std::string& table, ConstraintCommand& key, ConstraintNames& names) {
  if (!key.name.empty()) {
    if (!names.relations.insert(key.name).second) {
      return MakeError(sqlstate::kDuplicateTable, fmt::format("relation \"{}\" already exists", key.name));
    }
    return OkStatus();
  }
  key.name = key.type == 'p' ? ChooseName(table, "", "pkey", names.relations)
                             : ChooseName(table, JoinNames(key.columns), "key", names.relations);
  return OkStatus();
}

Status Analyzer::ColumnOwnConstraint(const std::string& table, storage::ColumnDef& column,
                                     const ConstraintDefinition& con) {
  if (con.kind == Kind::kNotNull) column.not_null = true;
  if (con.kind != Kind::kDefault) return OkStatus();
  if (!column.default_expr.empty()) {
    return ErrorAt(sqlstate::kSyntaxError,
                   fmt::format("multiple default values specified for column \"{}\" of table \"{}\"", column.name,
                               table),
                   con.location);
  }
  auto bound = BindDefault(column, *con.expr, false, &column.default_expr);
  if (!bound.ok()) return bound.error();
  return OkStatus();
}

Analyzer::ConstraintNames Analyzer::TakenNames(const std::string& table) const {
  ConstraintNames names;
  names.relations = RelationNames(catalog_);
  names.relations.insert(table);
  if (const storage::TableDef* t = catalog_.Find(table)) {
    for (const storage::IndexDef& i : t->indexes) {
      if (i.primary) names.has_primary = true;
    }
    for (const storage::CheckDef& c : t->checks) {
      names.checks.insert(c.name);
      names.existing.insert(c.name);
    }
    for (const storage::IndexDef& i : t->indexes) {
      if (i.unique) names.existing.insert(i.name);  // a key constraint's name is its index's
    }
  }
  return names;
}

Status Analyzer::TransformConstraints(const CreateTableStmt& create, Query& q) {
  const std::string& table = create.table.name;
  ConstraintNames names = TakenNames(table);
  std::vector<ConstraintCommand> keys;
  std::vector<ConstraintCommand> checks;
  // One constraint; `column` is the column it is written on, or null.
  std::vector<std::pair<const ConstraintDefinition*, const storage::ColumnDef*>> foreign;
  auto add = [&](const ConstraintDefinition& con, const storage::ColumnDef* column) -> Status {
    if (con.kind == Kind::kForeignKey) {
      if (!con.name.empty() && !names.named.insert(con.name).second) {
        return MakeError(sqlstate::kDuplicateObject,
                         fmt::format("constraint \"{}\" for relation \"{}\" already exists", con.name, table));
      }
      foreign.emplace_back(&con, column);  // after the keys a table referencing itself may use
      return OkStatus();
    }
    auto cmd = TransformConstraint(table, q.create_columns, con, column, names);
    if (!cmd.ok()) return cmd.error();
    if (!cmd->has_value()) return OkStatus();
    ((*cmd)->type == 'c' ? checks : keys).push_back(std::move(**cmd));
    return OkStatus();
  };
  for (size_t i = 0; i < create.columns.size(); ++i) {
    for (const ConstraintDefinition& con : create.columns[i].constraints) {
      storage::ColumnDef& column = q.create_columns[i];
      if (Status s = ColumnOwnConstraint(table, column, con); !s.ok()) return s;
      if (Status s = add(con, &column); !s.ok()) return s;
    }
  }
  for (const ConstraintDefinition& con : create.constraints) {
    if (Status s = add(con, nullptr); !s.ok()) return s;
  }
  // Index names after the CHECK names, as PostgreSQL chooses them when it
  // builds the indexes.
  for (ConstraintCommand& key : keys) {
    if (Status s = NameKeyConstraint(table, key, names); !s.ok()) return s;
  }
  std::set<std::string> constraint_names = names.named;
  for (const ConstraintCommand& c : checks) constraint_names.insert(c.name);
  for (const ConstraintCommand& k : keys) constraint_names.insert(k.name);
  std::vector<ConstraintCommand> fkeys;
  for (const auto& [con, column] : foreign) {
    auto fk = TransformForeignKey(table, q.create_columns, *con, column, keys, constraint_names);
    if (!fk.ok()) return fk.error();
    fkeys.push_back(std::move(*fk));
  }
  for (ConstraintCommand& c : checks) {
    c.not_valid = false;  // a new table's CHECK ... NOT VALID is valid, as PostgreSQL marks it
    q.create_constraints.push_back(std::move(c));
  }
  for (ConstraintCommand& k : keys) q.create_constraints.push_back(std::move(k));
  for (ConstraintCommand& f : fkeys) q.create_constraints.push_back(std::move(f));  // after the table's keys
  return OkStatus();
}

Result<Query> Analyzer::Analyze(const CreateIndexStmt& index) {
  Query q = UtilityQuery(StatementKind::kCreateIndex, StatementKindName(StatementKind::kCreateIndex));
  q.tables.push_back(index.table.name);
  if (!index.unsupported.empty()) {
    return MakeError(sqlstate::kFeatureNotSupported, fmt::format("{} are not supported by minipg", index.unsupported));
  }
  auto table = LookupTable(index.table);
  if (!table.ok()) return table.error();
  if (catalog::FindSystemCatalogByOid((*table)->oid) != nullptr || FindSystemViewByOid((*table)->oid) != nullptr) {
    return MakeError(sqlstate::kInsufficientPrivilege,  // no position, as PostgreSQL's
                     fmt::format("permission denied: \"{}\" is a system catalog", (*table)->name));
  }
  ConstraintCommand cmd;
  cmd.type = 'i';
  cmd.unique = index.unique;
  for (const InsertColumn& c : index.columns) {
    const auto& cols = (*table)->columns;
    if (std::none_of(cols.begin(), cols.end(), [&c](const storage::ColumnDef& d) { return d.name == c.name; })) {
      return ErrorAt(sqlstate::kUndefinedColumn, fmt::format("column \"{}\" does not exist", c.name), c.location);
    }
    cmd.columns.push_back(c.name);
  }
  cmd.name = index.name;
  if (cmd.name.empty()) {
    std::set<std::string> taken = RelationNames(catalog_);
    cmd.name = ChooseName((*table)->name, JoinNames(cmd.columns), "idx", taken);
  }
  q.index_table = (*table)->name;
  q.if_not_exists = index.if_not_exists;
  q.create_constraints.push_back(std::move(cmd));
  return q;
}

Result<Query> Analyzer::Analyze(const DropIndexStmt& drop) {
  Query q = UtilityQuery(StatementKind::kDropIndex, StatementKindName(StatementKind::kDropIndex));
  q.if_exists = drop.if_exists;
  for (const TableRef& ref : drop.indexes) q.drop_names.push_back(ref.name);
  return q;
}

Result<ExprPtr> Analyzer::BindStored(const storage::TableDef& table, const std::string& text) {
  auto raw = ParseStoredText(text);
  if (!raw.ok()) return raw.error();
  Query scratch;
  return BindTableExpr(table.name, table.columns, **raw, scratch);
}

Result<ExprPtr> Analyzer::BindColumnDefault(const storage::TableDef& table, int attno) {
  const storage::ColumnDef& column = table.columns.at(static_cast<size_t>(attno));
  if (column.default_expr.empty()) return MakeConst(FromColumnType(column.type), std::monostate{});
  auto raw = ParseStoredText(column.default_expr);
  if (!raw.ok()) return raw.error();
  return BindDefault(column, **raw, true);
}

}  // namespace analyzer_internal

Result<ExprPtr> BindStoredExpr(const storage::TableDef& table, const std::string& text) {
  analyzer_internal::Analyzer analyzer(analyzer_internal::NoTables());
  return analyzer.BindStored(table, text);
}

Result<ExprPtr> BindColumnDefault(const storage::TableDef& table, int attno) {
  analyzer_internal::Analyzer analyzer(analyzer_internal::NoTables());
  return analyzer.BindColumnDefault(table, attno);
}

ExprPtr ColumnDefault(const storage::TableDef& table, int attno) {
  auto bound = BindColumnDefault(table, attno);
  if (bound.ok()) return std::move(*bound);
  // A stored default that no longer binds (it did when it was stored).
  return MakeConst(FromColumnType(table.columns.at(static_cast<size_t>(attno)).type), std::monostate{});
}

}  // namespace minipg::sql
