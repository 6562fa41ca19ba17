/*-------------------------------------------------------------------------
 * exec_alter.cpp
 *   ALTER TABLE's actions and adding a constraint to a table's rows
 *   (exec_alter.h).
 *-------------------------------------------------------------------------
 */
#include "engine/sql/executor/exec_alter.h"

#include <algorithm>
#include <functional>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "engine/catalog/alter_ddl.h"
#include "engine/catalog/catalog_access.h"
#include "engine/catalog/index_ddl.h"
#include "engine/catalog/relcache.h"
#include "engine/common/interrupts.h"
#include "engine/common/sqlstate.h"
#include "engine/sql/analyzer.h"
#include "engine/sql/executor/exec_expr.h"
#include "engine/sql/executor/exec_indexing.h"
#include "engine/sql/executor/exec_modify.h"
#include "engine/sql/executor/ri_triggers.h"
#include "engine/sql/role_ddl.h"
#include "engine/sql/types.h"
#include "engine/storage/heap/heapam.h"

namespace minipg::sql {

namespace {

using CmdKind = AlterTableCmd::Kind;

/* The table as the catalog rows now say (this transaction's changes included). */
Result<storage::TableDef> CurrentTable(const SessionContext& ctx, const std::string& name) {
  auto tables = catalog::RelcacheTables(catalog::DatabaseOidOf(ctx.data_dir));
  if (!tables.ok()) return tables.error();
  const storage::TableDef* t = tables->Find(name);
  if (t == nullptr) return MakeError(sqlstate::kUndefinedTable, fmt::format("relation \"{}\" does not exist", name));
  return *t;
}

int AttnumOf(const storage::TableDef& table, const std::string& column) {
  for (size_t i = 0; i < table.columns.size(); ++i) {
    if (table.columns[i].name == column) return static_cast<int>(i + 1);
  }
  return 0;
}

/* 23502 if column `attnum` of some row is NULL. */
Status VerifyNoNulls(const SessionContext& ctx, const storage::TableDef& table, int attnum) {
  return ForEachRow(ctx, table, [&](const storage::Tuple& row, storage::ItemPointer) -> Status {
    if (!storage::IsNull(row.at(static_cast<size_t>(attnum - 1)))) return OkStatus();
    return MakeError(sqlstate::kNotNullViolation,
                     fmt::format("column \"{}\" of relation \"{}\" contains null values",
                                 table.columns[static_cast<size_t>(attnum - 1)].name, table.name));
  });
}

/* 23514 if the CHECK expression `text` is false for some row. */
Status VerifyCheck(const SessionContext& ctx, const storage::TableDef& table, const ConstraintCommand& check) {
  auto bound = BindStoredExpr(table, check.check);
  if (!bound.ok()) return bound.error();
  WalkExpr(**bound, [](Expr& e) {
    if (e.kind == ExprKind::kVar) e.source = VarSource::kScan;
  });
  return ForEachRow(ctx, table, [&](const storage::Tuple& row, storage::ItemPointer) -> Status {
    ExprContext ectx;
    ectx.scan = &row;
    ectx.session = &ctx;
    auto value = Evaluate(**bound, ectx);
    if (!value.ok()) return value.error();
    const bool* b = std::get_if<bool>(&*value);
    if (b == nullptr || *b) return OkStatus();  // NULL passes a CHECK
    return MakeError(sqlstate::kCheckViolation, fmt::format("check constraint \"{}\" of relation \"{}\" is violated by some row",
                                                            check.name, table.name));
  });
}

/* Every row of `table` gets a new version, what `make` makes of it (read
 * with `old_def`, written with the table as it is now). */
Status RewriteRows(const SessionContext& ctx, const storage::TableDef& old_def,
                   const std::vector<std::pair<storage::ItemPointer, storage::Tuple>>& rows) {
  auto now = CurrentTable(ctx, old_def.name);
  if (!now.ok()) return now.error();
  ModifyContext modify(ctx, *now);
  for (const auto& [tid, row] : rows) {
    if (Status s = CheckForInterrupts(); !s.ok()) return s;
    if (Status s = ExecUpdateRow(modify, tid, row, nullptr); !s.ok()) {
      (void)ExecModifyFinish(modify);
      return s;
    }
  }
  return ExecModifyFinish(modify);
}

/* The rows of `table` and what each becomes. */
Result<std::vector<std::pair<storage::ItemPointer, storage::Tuple>>> CollectRows(
    const SessionContext& ctx, const storage::TableDef& table,
    const std::function<Result<storage::Tuple>(const storage::Tuple&)>& make) {
  std::vector<std::pair<storage::ItemPointer, storage::Tuple>> out;
  Status s = ForEachRow(ctx, table, [&](const storage::Tuple& row, storage::ItemPointer tid) -> Status {
    auto made = make(row);
    if (!made.ok()) return made.error();
    out.emplace_back(tid, std::move(*made));
    return OkStatus();
  });
  if (!s.ok()) return s.error();
  return out;
}

Status AddColumn(const SessionContext& ctx, const std::string& table, const storage::ColumnDef& column) {
  storage::ColumnDef nullable = column;
  nullable.not_null = false;  // NULLs are reported as PostgreSQL does, below
  if (Status s = catalog::AddColumnWithCatalog(ctx.data_dir, table, nullable); !s.ok()) return s;
  auto def = CurrentTable(ctx, table);
  if (!def.ok()) return def.error();
  int attnum = static_cast<int>(def->columns.size());
  if (!column.default_expr.empty()) {
    // Existing rows get the default (PostgreSQL 11+ keeps a constant one in
    // attmissingval; minipg writes it into every row).
    auto expr = BindColumnDefault(*def, attnum - 1);
    if (!expr.ok()) return expr.error();
    auto rows = CollectRows(ctx, *def, [&](const storage::Tuple& row) -> Result<storage::Tuple> {
      ExprContext ectx;
      ectx.session = &ctx;
      auto value = Evaluate(**expr, ectx);
      if (!value.ok()) return value.error();
      storage::Tuple out = row;
      out.at(static_cast<size_t>(attnum - 1)) = std::move(*value);
      return out;
    });
    if (!rows.ok()) return rows.error();
    if (Status s = RewriteRows(ctx, *def, *rows); !s.ok()) return s;
  }
  if (!column.not_null) return OkStatus();
  if (Status s = VerifyNoNulls(ctx, *def, attnum); !s.ok()) return s;
  return catalog::SetColumnNotNull(ctx.data_dir, table, attnum, true);
}

/* Whether the bound CHECK `text` of `table` reads column `attnum`. */
Result<bool> CheckReads(const storage::TableDef& table, const std::string& text, int attnum) {
  auto bound = BindStoredExpr(table, text);
  if (!bound.ok()) return bound.error();
  bool reads = false;
  WalkExpr(**bound, [&](Expr& e) { reads = reads || (e.kind == ExprKind::kVar && e.attno == attnum - 1); });
  return reads;
}

Status DropColumn(const SessionContext& ctx, const std::string& table, const std::string& column) {
  auto def = CurrentTable(ctx, table);
  if (!def.ok()) return def.error();
  int attnum = AttnumOf(*def, column);
  // What depends on the column goes with it, as PostgreSQL's automatic
  // dependencies do: its indexes (and their constraints), its CHECKs.
  for (const storage::IndexDef& index : def->indexes) {
    if (std::find(index.key_attnums.begin(), index.key_attnums.end(), attnum) == index.key_attnums.end()) continue;
    auto dropped = catalog::DropConstraintWithCatalog(ctx.data_dir, table, index.name);
    if (!dropped.ok()) return dropped.error();
    if (*dropped) continue;
    if (auto s = catalog::DropIndexWithCatalog(ctx.data_dir, index.name); !s.ok()) return s.error();
  }
  for (const storage::CheckDef& check : def->checks) {
    auto reads = CheckReads(*def, check.expr, attnum);
    if (!reads.ok()) return reads.error();
    if (!*reads) continue;
    if (auto s = catalog::DropConstraintWithCatalog(ctx.data_dir, table, check.name); !s.ok()) return s.error();
  }
  auto rows = CollectRows(ctx, *def, [&](const storage::Tuple& row) -> Result<storage::Tuple> {
    storage::Tuple out = row;
    out.erase(out.begin() + (attnum - 1));
    return out;
  });
  if (!rows.ok()) return rows.error();
  if (Status s = catalog::DropColumnWithCatalog(ctx.data_dir, table, attnum); !s.ok()) return s;
  return RewriteRows(ctx, *def, *rows);
}

Status RenameColumn(const SessionContext& ctx, const std::string& table, const AlterAction& a) {
  auto def = CurrentTable(ctx, table);
  if (!def.ok()) return def.error();
  int attnum = AttnumOf(*def, a.name);
  if (Status s = catalog::RenameColumnWithCatalog(ctx.data_dir, table, attnum, a.new_name); !s.ok()) return s;
  // CHECKs are kept as SQL text: the ones naming the column say the new name.
  for (const storage::CheckDef& check : def->checks) {
    auto bound = BindStoredExpr(*def, check.expr);
    if (!bound.ok()) return bound.error();
    bool reads = false;
    WalkExpr(**bound, [&](Expr& e) {
      if (e.kind != ExprKind::kVar || e.attno != attnum - 1) return;
      e.colname = a.new_name;
      reads = true;
    });
    if (!reads) continue;
    if (Status s = catalog::SetCheckExpression(ctx.data_dir, table, check.name, DeparseExpr(**bound, false, true)); !s.ok()) {
      return s;
    }
  }
  return OkStatus();
}

Status DropConstraint(const SessionContext& ctx, const std::string& table, const AlterAction& a) {
  auto dropped = catalog::DropConstraintWithCatalog(ctx.data_dir, table, a.name);
  if (!dropped.ok()) return dropped.error();
  if (*dropped) return OkStatus();
  std::string message = fmt::format("constraint \"{}\" of relation \"{}\" does not exist", a.name, table);
  if (!a.missing_ok) return MakeError(sqlstate::kUndefinedObject, message);
  if (ctx.notice) ctx.notice(MakeError(sqlstate::kSuccessfulCompletion, message + ", skipping", Severity::kNotice));
  return OkStatus();
}

/* VALIDATE CONSTRAINT: a NOT VALID foreign key or CHECK checked against
 * every row, then marked valid. */
Status ValidateConstraint(const SessionContext& ctx, const std::string& table, const std::string& name) {
  auto type = catalog::FindConstraint(ctx.data_dir, table, name);
  if (!type.ok()) return type.error();
  if (*type == '\0') {
    return MakeError(sqlstate::kUndefinedObject,
                     fmt::format("constraint \"{}\" of relation \"{}\" does not exist", name, table));
  }
  if (*type != 'f' && *type != 'c') {
    return MakeError(sqlstate::kWrongObjectType,
                     fmt::format("constraint \"{}\" of relation \"{}\" is not a foreign key or check constraint",
                                 name, table));
  }
  if (*type == 'f') {
    if (Status s = RiValidateForeignKey(ctx, table, name); !s.ok()) return s;
  } else {
    auto def = CurrentTable(ctx, table);
    if (!def.ok()) return def.error();
    for (const storage::CheckDef& check : def->checks) {
      if (check.name != name) continue;
      ConstraintCommand cmd;
      cmd.name = check.name;
      cmd.check = check.expr;
      if (Status s = VerifyCheck(ctx, *def, cmd); !s.ok()) return s;
    }
  }
  return catalog::SetConstraintValidated(ctx.data_dir, table, name);
}

Status RunAction(const SessionContext& ctx, const std::string& table, const AlterAction& a) {
  auto column_attnum = [&]() -> Result<int> {
    auto def = CurrentTable(ctx, table);
    if (!def.ok()) return def.error();
    return AttnumOf(*def, a.name);
  };
  switch (a.kind) {
    case CmdKind::kAddColumn:
      return AddColumn(ctx, table, a.column);
    case CmdKind::kDropColumn:
      return DropColumn(ctx, table, a.name);
    case CmdKind::kAddConstraint:
      return AddTableConstraint(table, a.constraint, ctx);
    case CmdKind::kDropConstraint:
      return DropConstraint(ctx, table, a);
    case CmdKind::kValidateConstraint:
      return ValidateConstraint(ctx, table, a.name);
    case CmdKind::kRenameTable:
      return catalog::RenameTableWithCatalog(ctx.data_dir, table, a.new_name);
    case CmdKind::kRenameColumn:
      return RenameColumn(ctx, table, a);
    case CmdKind::kRenameConstraint: {
      auto renamed = catalog::RenameConstraintWithCatalog(ctx.data_dir, table, a.name, a.new_name);
      if (!renamed.ok()) return renamed.error();
      if (*renamed) return OkStatus();
      return MakeError(sqlstate::kUndefinedObject,
                       fmt::format("constraint \"{}\" for table \"{}\" does not exist", a.name, table));
    }
    case CmdKind::kSetDefault:
    case CmdKind::kDropDefault: {
      auto attnum = column_attnum();
      if (!attnum.ok()) return attnum.error();
      return catalog::SetColumnDefault(ctx.data_dir, table, *attnum,
                                       a.kind == CmdKind::kSetDefault ? a.column.default_expr : "");
    }
    case CmdKind::kSetNotNull: {
      auto def = CurrentTable(ctx, table);
      if (!def.ok()) return def.error();
      int attnum = AttnumOf(*def, a.name);
      if (def->columns[static_cast<size_t>(attnum - 1)].not_null) return OkStatus();
      if (Status s = VerifyNoNulls(ctx, *def, attnum); !s.ok()) return s;
      return catalog::SetColumnNotNull(ctx.data_dir, table, attnum, true);
    }
    case CmdKind::kDropNotNull: {
      auto attnum = column_attnum();
      if (!attnum.ok()) return attnum.error();
      return catalog::SetColumnNotNull(ctx.data_dir, table, *attnum, false);
    }
  }
  return OkStatus();
}

}  // namespace

Status ForEachRow(const SessionContext& ctx, const storage::TableDef& table,
                  const std::function<Status(const storage::Tuple&, storage::ItemPointer)>& visit) {
  storage::HeapTableScan scan(catalog::TableLocator(ctx.data_dir, table), table.columns, storage::GetCatalogSnapshot());
  if (Status s = scan.Open(); !s.ok()) return s;
  for (;;) {
    if (Status s = CheckForInterrupts(); !s.ok()) return s;
    auto row = scan.Next();
    if (!row.ok()) return row.error();
    if (!row->has_value()) return OkStatus();
    if (Status s = visit(**row, scan.last_tid()); !s.ok()) return s;
  }
}

Status AddTableConstraint(const std::string& table, const ConstraintCommand& cmd, const SessionContext& ctx) {
  auto def = CurrentTable(ctx, table);
  if (!def.ok()) return def.error();
  if (cmd.type == 'p') {
    for (const std::string& column : cmd.columns) {
      int attnum = AttnumOf(*def, column);
      if (def->columns[static_cast<size_t>(attnum - 1)].not_null) continue;
      if (Status s = VerifyNoNulls(ctx, *def, attnum); !s.ok()) return s;
      if (Status s = catalog::SetColumnNotNull(ctx.data_dir, table, attnum, true); !s.ok()) return s;
    }
  }
  if (cmd.type == 'c' && !cmd.not_valid) {
    if (Status s = VerifyCheck(ctx, *def, cmd); !s.ok()) return s;
  }
  if (cmd.type == 'f') {
    auto taken = catalog::FindConstraint(ctx.data_dir, table, cmd.name);
    if (!taken.ok()) return taken.error();
    if (*taken != '\0') {
      return MakeError(sqlstate::kDuplicateObject,
                       fmt::format("constraint \"{}\" for relation \"{}\" already exists", cmd.name, table));
    }
  }
  catalog::ConstraintSpec spec{cmd.name,  cmd.type,      table,        cmd.columns,
                               cmd.check, cmd.ref_table, cmd.ref_columns, cmd.on_update,
                               cmd.on_delete, !cmd.not_valid};
  if (Status s = catalog::AddConstraintWithCatalog(ctx.data_dir, spec, SessionUserOid(ctx), &ValueText); !s.ok()) {
    return s;
  }
  if (cmd.type == 'f' && !cmd.not_valid) return RiValidateForeignKey(ctx, table, cmd.name);
  return OkStatus();
}

Status AddTableConstraints(const Query& q, const SessionContext& ctx) {
  for (const ConstraintCommand& cmd : q.create_constraints) {
    if (Status s = AddTableConstraint(q.create_name, cmd, ctx); !s.ok()) return s;
  }
  return OkStatus();
}

Result<ExecutionResult> ExecAlterTable(const Query& q, const SessionContext& ctx) {
  ExecutionResult result;
  result.node_rows.assign(1, 0);
  NoticeSkipping(ctx, "relation", q.drop_missing);
  std::string table = q.create_name;
  for (const AlterAction& a : q.alter_actions) {
    if (Status s = CheckForInterrupts(); !s.ok()) return s.error();
    if (!a.skip_notice.empty()) {
      if (ctx.notice) ctx.notice(MakeError(sqlstate::kSuccessfulCompletion, a.skip_notice, Severity::kNotice));
      continue;
    }
    if (Status s = RunAction(ctx, table, a); !s.ok()) return s.error();
    if (a.kind == CmdKind::kRenameTable) table = a.new_name;
  }
  return result;
}

}  // namespace minipg::sql
