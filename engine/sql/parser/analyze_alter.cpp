/*-------------------------------------------------------------------------
 * analyze_alter.cpp
 *   ALTER TABLE analyzed as PostgreSQL's tablecmds.c prepares it: each
 *   action checked against the table as the actions before it leave it
 *   (a column added by the first action can be named by the second), and
 *   turned into an AlterAction the executor runs in order
 *   (executor/exec_alter.cpp). ADD COLUMN's own constraints become ADD
 *   CONSTRAINT actions after it; a constraint is transformed by the one
 *   function CREATE TABLE uses (TransformConstraint, parse_utilcmd.cpp).
 *
 * NOTES
 *   What only the catalog rows know (a constraint's existence, a name
 *   another backend took since our snapshot) is checked when the action
 *   runs.
 *-------------------------------------------------------------------------
 */
#include <algorithm>

#include <fmt/format.h>

#include "engine/catalog/catalog_access.h"
#include "engine/catalog/foreign_keys.h"
#include "engine/catalog/system_catalog.h"
#include "engine/sql/analyzer.h"
#include "engine/sql/analyzer_impl.h"
#include "engine/sql/system_columns.h"
#include "engine/sql/system_views.h"

namespace minipg::sql::analyzer_internal {

namespace {

using CmdKind = AlterTableCmd::Kind;

std::vector<storage::ColumnDef>::iterator FindColumn(std::vector<storage::ColumnDef>& columns,
                                                     const std::string& name) {
  return std::find_if(columns.begin(), columns.end(), [&name](const storage::ColumnDef& c) { return c.name == name; });
}

Error NoColumn(const std::string& column, const std::string& table) {
  return MakeError(sqlstate::kUndefinedColumn,
                   fmt::format("column \"{}\" of relation \"{}\" does not exist", column, table));
}

/* Whether `column` (1-based attnum) is a key column of the table's primary key. */
bool InPrimaryKey(const storage::TableDef& table, int attnum) {
  for (const storage::IndexDef& i : table.indexes) {
    if (i.primary && std::find(i.key_attnums.begin(), i.key_attnums.end(), attnum) != i.key_attnums.end()) return true;
  }
  return false;
}

}  // namespace

Result<Query> Analyzer::Analyze(const AlterTableStmt& alter) {
  Query q = UtilityQuery(StatementKind::kAlterTable, StatementKindName(StatementKind::kAlterTable));
  q.create_name = alter.table.name;
  q.tables.push_back(alter.table.name);
  if (!alter.unsupported.empty()) {
    return MakeError(sqlstate::kFeatureNotSupported, fmt::format("{} is not supported by minipg", alter.unsupported));
  }
  if (alter.table.schema != "public" && (catalog::FindSystemCatalog(alter.table.name) != nullptr ||
                                         FindSystemView(alter.table.name) != nullptr)) {
    return MakeError(sqlstate::kInsufficientPrivilege,
                     fmt::format("permission denied: \"{}\" is a system catalog", alter.table.name));
  }
  const storage::TableDef* found = !IsSystemSchema(alter.table.schema) ? catalog_.Find(alter.table.name) : nullptr;
  if (found == nullptr) {
    if (alter.if_exists) {
      q.drop_missing.push_back(alter.table.name);
      return q;
    }
    return MakeError(sqlstate::kUndefinedTable, fmt::format("relation \"{}\" does not exist", alter.table.name));
  }
  const std::string& table = found->name;
  std::vector<storage::ColumnDef> columns = found->columns;  // as the actions so far leave them
  ConstraintNames names = TakenNames(table);
  if (ctx_ != nullptr) {  // the table's foreign keys' names are taken too (pg_constraint: not in the relcache)
    auto fks = catalog::ReadForeignKeys(catalog::DatabaseOidOf(ctx_->data_dir));
    if (!fks.ok()) return fks.error();
    for (const catalog::ForeignKeyDef& fk : *fks) {
      if (fk.table == found->oid) names.existing.insert(fk.name);
    }
  }
  for (const AlterTableCmd& cmd : alter.cmds) {
    AlterAction action;
    action.kind = cmd.kind;
    action.name = cmd.name;
    action.new_name = cmd.new_name;
    action.missing_ok = cmd.missing_ok;
    auto column = FindColumn(columns, cmd.name);
    bool needs_column = cmd.kind == CmdKind::kDropColumn || cmd.kind == CmdKind::kSetDefault ||
                        cmd.kind == CmdKind::kDropDefault || cmd.kind == CmdKind::kSetNotNull ||
                        cmd.kind == CmdKind::kDropNotNull;
    if (needs_column && column == columns.end()) {
      if (cmd.kind != CmdKind::kDropColumn || !cmd.missing_ok) return NoColumn(cmd.name, table);
      action.skip_notice = NoColumn(cmd.name, table).message + ", skipping";
      q.alter_actions.push_back(std::move(action));
      continue;
    }
    switch (cmd.kind) {
      case CmdKind::kAddColumn: {
        if (Status s = CheckNotSystemColumn(cmd.column.name); !s.ok()) return s.error();
        if (FindColumn(columns, cmd.column.name) != columns.end()) {
          std::string message =
              fmt::format("column \"{}\" of relation \"{}\" already exists", cmd.column.name, table);
          if (!cmd.missing_ok) return MakeError(sqlstate::kDuplicateColumn, message);
          action.skip_notice = message + ", skipping";
          break;
        }
        if (columns.size() >= 1600) return MakeError(sqlstate::kTooManyColumns, "tables can have at most 1600 columns");
        auto def = ColumnDefOf(cmd.column, false);
        if (!def.ok()) return def.error();
        columns.push_back(std::move(*def));
        std::vector<AlterAction> constraints;
        for (const ConstraintDefinition& con : cmd.column.constraints) {
          if (Status s = ColumnOwnConstraint(table, columns.back(), con); !s.ok()) return s.error();
          storage::ColumnDef copy = columns.back();  // TransformConstraint may set columns' NOT NULL
          auto made = TransformConstraint(table, columns, con, &copy, names);
          if (!made.ok()) return made.error();
          if (!made->has_value()) continue;
          AlterAction add;
          add.kind = CmdKind::kAddConstraint;
          add.constraint = std::move(**made);
          if (add.constraint.type != 'c' && add.constraint.type != 'f') {
            if (Status s = NameKeyConstraint(table, add.constraint, names); !s.ok()) return s.error();
          }
          constraints.push_back(std::move(add));
        }
        action.column = columns.back();
        q.alter_actions.push_back(std::move(action));
        for (AlterAction& a : constraints) q.alter_actions.push_back(std::move(a));
        continue;
      }
      case CmdKind::kAddConstraint: {
        for (const InsertColumn& c : cmd.constraint.columns) {  // no position, unlike CREATE TABLE's
          if (cmd.constraint.kind == ConstraintDefinition::Kind::kForeignKey) break;  // parse_fk.cpp's own message
          if (FindColumn(columns, c.name) == columns.end()) return NoColumn(c.name, table);
        }
        auto made = TransformConstraint(table, columns, cmd.constraint, nullptr, names);
        if (!made.ok() && made.error().sqlstate == std::string(sqlstate::kInvalidTableDefinition)) {
          Error e = made.error();
          e.position = 0;  // ALTER TABLE's "multiple primary keys" has no position in PostgreSQL
          return e;
        }
        if (!made.ok()) return made.error();
        if (!made->has_value()) continue;
        action.constraint = std::move(**made);
        if (action.constraint.type != 'c' && action.constraint.type != 'f') {
          if (Status s = NameKeyConstraint(table, action.constraint, names); !s.ok()) return s.error();
        }
        break;
      }
      case CmdKind::kDropColumn:
        if (columns.size() == 1) {
          // PostgreSQL allows a table of no columns; minipg's tuples need one.
          return MakeError(sqlstate::kFeatureNotSupported,
                           "dropping the last column of a table is not supported by minipg");
        }
        columns.erase(column);
        break;
      case CmdKind::kDropConstraint:
      case CmdKind::kRenameConstraint:
      case CmdKind::kValidateConstraint:
        break;  // whether it exists is decided when it runs
      case CmdKind::kRenameTable:
        if (catalog_.Find(cmd.new_name) != nullptr || names.relations.count(cmd.new_name) != 0) {
          return MakeError(sqlstate::kDuplicateTable, fmt::format("relation \"{}\" already exists", cmd.new_name));
        }
        break;
      case CmdKind::kRenameColumn: {
        if (column == columns.end()) {
          return MakeError(sqlstate::kUndefinedColumn, fmt::format("column \"{}\" does not exist", cmd.name));
        }
        if (FindColumn(columns, cmd.new_name) != columns.end()) {
          return MakeError(sqlstate::kDuplicateColumn,
                           fmt::format("column \"{}\" of relation \"{}\" already exists", cmd.new_name, table));
        }
        column->name = cmd.new_name;
        break;
      }
      case CmdKind::kSetDefault: {
        std::string stored;
        auto bound = BindDefault(*column, *cmd.expr, false, &stored);
        if (!bound.ok()) {
          Error e = bound.error();
          e.position = 0;  // as PostgreSQL's ALTER COLUMN ... SET DEFAULT reports it
          return e;
        }
        column->default_expr = std::move(stored);
        action.column = *column;
        break;
      }
      case CmdKind::kDropDefault:
        column->default_expr.clear();
        break;
      case CmdKind::kSetNotNull:
        column->not_null = true;
        break;
      case CmdKind::kDropNotNull: {
        const auto& before = found->columns;
        auto original = std::find_if(before.begin(), before.end(),
                                     [&cmd](const storage::ColumnDef& c) { return c.name == cmd.name; });
        int attnum = static_cast<int>(original - before.begin()) + 1;
        if (original != before.end() && InPrimaryKey(*found, attnum)) {
          return MakeError(sqlstate::kInvalidTableDefinition,
                           fmt::format("column \"{}\" is in a primary key", cmd.name));
        }
        column->not_null = false;
        break;
      }
    }
    q.alter_actions.push_back(std::move(action));
  }
  return q;
}

}  // namespace minipg::sql::analyzer_internal
