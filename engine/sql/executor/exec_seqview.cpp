/*-------------------------------------------------------------------------
 * exec_seqview.cpp
 *   Sequence and view DDL run (exec_seqview.h).
 *-------------------------------------------------------------------------
 */
#include "engine/sql/executor/exec_seqview.h"

#include <fmt/format.h>

#include "engine/catalog/catalog_access.h"
#include "engine/catalog/client_catalogs.h"
#include "engine/catalog/sequence_ddl.h"
#include "engine/catalog/table_ddl.h"
#include "engine/catalog/view_ddl.h"
#include "engine/common/interrupts.h"
#include "engine/common/sqlstate.h"
#include "engine/sql/role_ddl.h"

namespace minipg::sql {

namespace {

/* The OID and the column's attnum of OWNED BY table.column (0, 0: none). */
Result<std::pair<uint32_t, int16_t>> OwnedBy(const SequenceCommand& seq, storage::Oid db) {
  if (seq.owned_table.empty()) return std::pair<uint32_t, int16_t>{0, 0};
  auto row = catalog::FindRelationRow(db, seq.owned_table);
  if (!row.ok()) return row.error();
  if (!row->has_value()) {
    return MakeError(sqlstate::kUndefinedTable, fmt::format("relation \"{}\" does not exist", seq.owned_table));
  }
  auto oid = static_cast<uint32_t>(std::get<int64_t>((**row).values[catalog::pg_class::kOid]));
  auto attrs = catalog::CatalogScan(*catalog::FindSystemCatalog("pg_attribute"), db);
  if (!attrs.ok()) return attrs.error();
  for (const catalog::CatalogRow& a : *attrs) {
    if (std::get<int64_t>(a.values[catalog::pg_attribute::kAttrelid]) != oid) continue;
    if (std::get<std::string>(a.values[catalog::pg_attribute::kAttname]) != seq.owned_column) continue;
    return std::pair<uint32_t, int16_t>{oid, static_cast<int16_t>(std::get<int64_t>(a.values[catalog::pg_attribute::kAttnum]))};
  }
  return MakeError(sqlstate::kUndefinedColumn, fmt::format("column \"{}\" of relation \"{}\" does not exist",
                                                           seq.owned_column, seq.owned_table));
}

/* Creates one sequence; false if the name is taken. */
Result<bool> CreateSequence(const SequenceCommand& seq, const SessionContext& ctx) {
  storage::Oid db = catalog::DatabaseOidOf(ctx.data_dir);
  auto owned = OwnedBy(seq, db);
  if (!owned.ok()) return owned.error();
  catalog::SequenceRow row;
  row.type = seq.type;
  row.start = seq.start;
  row.increment = seq.increment;
  row.min = seq.min;
  row.max = seq.max;
  row.cache = seq.cache;
  row.cycle = seq.cycle;
  return catalog::CreateSequenceWithCatalog(ctx.data_dir, seq.name, row, SessionUserOid(ctx), owned->first,
                                            owned->second);
}

/* DROP SEQUENCE / DROP VIEW of the query's names. */
Status DropRelations(const Query& q, const SessionContext& ctx) {
  bool view = q.kind == StatementKind::kDropView;
  const char* what = view ? "view" : "sequence";
  NoticeSkipping(ctx, what, q.drop_missing);
  for (const std::string& name : q.drop_names) {
    if (Status s = CheckForInterrupts(); !s.ok()) return s;
    auto dropped = view ? catalog::DropViewWithCatalog(ctx.data_dir, name)
                        : catalog::DropSequenceWithCatalog(ctx.data_dir, name);
    if (!dropped.ok()) return dropped.error();
    if (!*dropped) {  // another backend dropped it after our catalog snapshot
      if (!q.if_exists) return MakeError(sqlstate::kUndefinedTable, fmt::format("{} \"{}\" does not exist", what, name));
      NoticeSkipping(ctx, what, {name});
    }
  }
  return OkStatus();
}

}  // namespace

Status CreateQuerySequences(const Query& q, const SessionContext& ctx) {
  for (const SequenceCommand& seq : q.create_sequences) {
    auto created = CreateSequence(seq, ctx);
    if (!created.ok()) return created.error();
    if (!*created) return MakeError(sqlstate::kDuplicateTable, fmt::format("relation \"{}\" already exists", seq.name));
  }
  return OkStatus();
}

Result<ExecutionResult> ExecSeqViewDdl(const Query& q, const SessionContext& ctx) {
  ExecutionResult result;
  result.node_rows.assign(1, 0);
  if (q.kind == StatementKind::kDropSequence || q.kind == StatementKind::kDropView) {
    if (Status s = DropRelations(q, ctx); !s.ok()) return s.error();
    return result;
  }
  Result<bool> created = false;
  if (q.kind == StatementKind::kCreateSequence) {
    created = CreateSequence(q.create_sequences.at(0), ctx);
  } else {
    std::vector<storage::Oid> reads(q.view_reads.begin(), q.view_reads.end());
    created = catalog::CreateViewWithCatalog(ctx.data_dir, q.create_name, q.create_columns, q.view_query, reads,
                                             SessionUserOid(ctx), q.view_replace);
  }
  if (!created.ok()) return created.error();
  if (!*created && !q.if_not_exists) {
    return MakeError(sqlstate::kDuplicateTable, fmt::format("relation \"{}\" already exists", q.create_name));
  }
  if (!*created && ctx.notice) {
    ctx.notice(MakeError(sqlstate::kDuplicateTable, fmt::format("relation \"{}\" already exists, skipping", q.create_name),
                         Severity::kNotice));
  }
  return result;
}

}  // namespace minipg::sql
