/*-------------------------------------------------------------------------
 * exec_indexing.cpp
 *   A new row's constraints and index entries, and CREATE / DROP INDEX
 *   and CREATE TABLE's constraints (exec_indexing.h).
 *-------------------------------------------------------------------------
 */
#include "engine/sql/executor/exec_indexing.h"

#include <algorithm>

#include <fmt/format.h>

#include "engine/catalog/catalog_access.h"
#include "engine/catalog/index_ddl.h"
#include "engine/common/sqlstate.h"
#include "engine/sql/analyzer.h"
#include "engine/sql/executor/exec_expr.h"
#include "engine/sql/role_ddl.h"
#include "engine/sql/types.h"

namespace minipg::sql {

namespace {

/* A key value as DETAIL shows it (Key (a)=(1) already exists.). */
std::string ValueText(storage::ColumnType type, const storage::Datum& value) {
  return OutputText(value, FromColumnType(type));
}

/* DETAIL: Failing row contains (1, null, x). */
std::string FailingRow(const storage::TableDef& table, const storage::Tuple& row) {
  std::string out;
  for (size_t i = 0; i < row.size() && i < table.columns.size(); ++i) {
    out += i == 0 ? "" : ", ";
    out += storage::IsNull(row[i]) ? "null" : OutputText(row[i], FromColumnType(table.columns[i].type));
  }
  return "Failing row contains (" + out + ").";
}

}  // namespace

Result<ResultRelation> OpenResultRelation(const storage::TableDef& table) {
  ResultRelation rel;
  rel.table = &table;
  for (const storage::CheckDef& check : table.checks) {
    auto bound = BindStoredExpr(table, check.expr);
    if (!bound.ok()) return bound.error();
    WalkExpr(**bound, [](Expr& e) {
      if (e.kind == ExprKind::kVar) e.source = VarSource::kScan;  // the new row
    });
    rel.checks.emplace_back(check.name, std::move(*bound));
  }
  std::sort(rel.checks.begin(), rel.checks.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  return rel;
}

Status ExecConstraints(const ResultRelation& rel, const storage::Tuple& row, const SessionContext& ctx) {
  const storage::TableDef& table = *rel.table;
  for (size_t i = 0; i < table.columns.size() && i < row.size(); ++i) {
    if (!table.columns[i].not_null || !storage::IsNull(row[i])) continue;
    Error e = MakeError(sqlstate::kNotNullViolation,
                        fmt::format("null value in column \"{}\" of relation \"{}\" violates not-null constraint",
                                    table.columns[i].name, table.name));
    e.detail = FailingRow(table, row);
    return e;
  }
  ExprContext ectx;
  ectx.scan = &row;
  ectx.session = &ctx;
  for (const auto& [name, expr] : rel.checks) {
    auto value = Evaluate(*expr, ectx);
    if (!value.ok()) return value.error();
    const bool* b = std::get_if<bool>(&*value);
    if (b == nullptr || *b) continue;  // NULL passes a CHECK
    Error e = MakeError(sqlstate::kCheckViolation,
                        fmt::format("new row for relation \"{}\" violates check constraint \"{}\"", table.name, name));
    e.detail = FailingRow(table, row);
    return e;
  }
  return OkStatus();
}

Status ExecInsertIndexTuples(const storage::TableDef& table, const storage::Tuple& row, storage::ItemPointer tid,
                             const SessionContext& ctx) {
  if (table.indexes.empty()) return OkStatus();
  return catalog::InsertIndexEntries(catalog::DatabaseOidOf(ctx.data_dir), table, row, tid, &ValueText);
}

Result<ExecutionResult> ExecIndexDdl(const Query& q, const SessionContext& ctx) {
  ExecutionResult result;
  result.node_rows.assign(1, 0);
  if (q.kind == StatementKind::kCreateIndex) {
    const ConstraintCommand& cmd = q.create_constraints.at(0);
    auto created = catalog::CreateIndexWithCatalog(
        ctx.data_dir, catalog::IndexSpec{cmd.name, q.index_table, cmd.columns, cmd.unique, false}, SessionUserOid(ctx),
        &ValueText);
    if (!created.ok()) return created.error();
    if (!*created) {
      if (!q.if_not_exists) {
        return MakeError(sqlstate::kDuplicateTable, fmt::format("relation \"{}\" already exists", cmd.name));
      }
      if (ctx.notice) {
        ctx.notice(MakeError(sqlstate::kDuplicateTable, fmt::format("relation \"{}\" already exists, skipping", cmd.name),
                             Severity::kNotice));
      }
    }
    return result;
  }
  for (const std::string& name : q.drop_names) {
    auto dropped = catalog::DropIndexWithCatalog(ctx.data_dir, name);
    if (!dropped.ok()) return dropped.error();
    if (*dropped) continue;
    if (!q.if_exists) return MakeError(sqlstate::kUndefinedObject, fmt::format("index \"{}\" does not exist", name));
    NoticeSkipping(ctx, "index", {name});
  }
  return result;
}

Status AddTableConstraints(const Query& q, const SessionContext& ctx) {
  for (const ConstraintCommand& cmd : q.create_constraints) {
    catalog::ConstraintSpec spec{cmd.name,      cmd.type,        q.create_name, cmd.columns,
                                 cmd.check,     cmd.ref_table,   cmd.ref_columns, cmd.on_update,
                                 cmd.on_delete};
    if (Status s = catalog::AddConstraintWithCatalog(ctx.data_dir, spec, SessionUserOid(ctx), &ValueText); !s.ok()) {
      return s;
    }
  }
  return OkStatus();
}

}  // namespace minipg::sql
