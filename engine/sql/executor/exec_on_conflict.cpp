/*-------------------------------------------------------------------------
 * exec_on_conflict.cpp
 *   INSERT ... ON CONFLICT DO NOTHING / DO UPDATE (see exec_on_conflict.h).
 *-------------------------------------------------------------------------
 */
#include "engine/sql/executor/exec_on_conflict.h"

#include <algorithm>

#include "engine/catalog/index_ddl.h"
#include "engine/common/interrupts.h"
#include "engine/common/sqlstate.h"
#include "engine/sql/executor/exec_expr.h"
#include "engine/sql/executor/exec_nodes.h"
#include "engine/storage/heap/xact.h"

namespace minipg::sql {

namespace {

using storage::ItemPointer;
using storage::Tuple;

inline constexpr const char* kSerializationFailure = "40001";

/* REPEATABLE READ: the conflicting row must be one the transaction's
 * snapshot sees, or one it inserted itself (PostgreSQL's
 * ExecCheckTupleVisible); else 40001. */
Status CheckVisibleToTransaction(ModifyContext& ctx, ItemPointer tid) {
  if (storage::XactIsolation() < storage::IsolationLevel::kRepeatableRead) return OkStatus();
  auto visible = storage::HeapFetch(ctx.rel, ctx.table.columns, tid);
  if (!visible.ok()) return visible.error();
  if (visible->has_value()) return OkStatus();
  storage::HeapTupleHeader header;
  auto version = storage::HeapFetchVersion(ctx.rel, ctx.table.columns, tid, &header);
  if (!version.ok()) return version.error();
  if (version->has_value() && storage::TransactionIdIsCurrent(header.xmin)) return OkStatus();
  return MakeError(kSerializationFailure, "could not serialize access due to concurrent update");
}

}  // namespace

Result<OnConflict::Outcome> OnConflict::Insert(ModifyContext& ctx, const Tuple& proposed) {
  for (;;) {
    if (Status s = CheckForInterrupts(); !s.ok()) return s.error();
    auto conflict = FindConflict(ctx, proposed);
    if (!conflict.ok()) return conflict.error();
    Result<std::optional<Outcome>> done = conflict->has_value() ? TryUpdate(ctx, proposed, **conflict)
                                                                 : TryInsert(ctx, proposed);
    if (!done.ok()) return done.error();
    if (done->has_value()) return **done;
  }
}

/* The row whose key in an arbiter index (every unique index when the
 * statement names none) equals the proposed row's, other than `ignore`. */
Result<std::optional<ItemPointer>> OnConflict::FindConflict(ModifyContext& ctx, const Tuple& proposed,
                                                            ItemPointer ignore) {
  const storage::TableDef& table = ctx.table;
  for (const storage::IndexDef& index : table.indexes) {
    if (!index.unique) continue;
    const auto& arbiters = plan_.arbiter_indexes;
    if (!arbiters.empty() && std::find(arbiters.begin(), arbiters.end(), index.name) == arbiters.end()) continue;
    Tuple key = catalog::IndexKeyOf(index, proposed);
    if (std::any_of(key.begin(), key.end(), [](const storage::Datum& d) { return storage::IsNull(d); })) continue;
    auto found = catalog::FindConflictingIndexKey(ctx.rel.db_oid, table, index, key, ignore);
    if (!found.ok() || found->has_value()) return found;
  }
  return std::optional<ItemPointer>();
}

/* No conflict was found: the row goes in, unless an arbiter's key turns
 * up meanwhile (nullopt: start over, the new row deleted again). */
Result<std::optional<OnConflict::Outcome>> OnConflict::TryInsert(ModifyContext& ctx, const Tuple& proposed) {
  ItemPointer tid;
  Status s = ExecInsertRow(ctx, proposed, &tid);
  if (s.ok()) {
    touched_.insert({tid.block, tid.offset});
    return std::optional<Outcome>(Outcome::kInserted);
  }
  if (s.error().sqlstate != sqlstate::kUniqueViolation || !tid.IsValid()) return s.error();
  // Another inserter of the key committed between the search and the
  // insert (the index insert waited for it): an arbiter's conflict now,
  // with a row other than the new one?
  auto conflict = FindConflict(ctx, proposed, tid);
  if (!conflict.ok()) return conflict.error();
  if (!conflict->has_value()) return s.error();  // another unique index's
  if (Status d = storage::HeapDelete(ctx.rel, tid); !d.ok()) return d.error();
  return std::optional<Outcome>();
}

/* DO NOTHING or DO UPDATE of the conflicting row at `tid` (nullopt: it
 * changed before the update, start over). */
Result<std::optional<OnConflict::Outcome>> OnConflict::TryUpdate(ModifyContext& ctx, const Tuple& proposed,
                                                                ItemPointer tid) {
  if (plan_.on_conflict == 'n') {
    if (Status s = CheckVisibleToTransaction(ctx, tid); !s.ok()) return s.error();
    return std::optional<Outcome>(Outcome::kNone);
  }
  if (touched_.count({tid.block, tid.offset}) != 0) {
    Error e = MakeError(sqlstate::kCardinalityViolation, "ON CONFLICT DO UPDATE command cannot affect row a second time");
    e.hint = "Ensure that no rows proposed for insertion within the same command have duplicate constrained values.";
    return e;
  }
  if (Status s = CheckVisibleToTransaction(ctx, tid); !s.ok()) return s.error();
  auto existing = storage::HeapFetchRow(ctx.rel, ctx.table.columns, tid);
  if (!existing.ok()) return existing.error();
  if (!existing->has_value()) return std::optional<Outcome>();
  ExprContext ectx;
  ectx.scan = &**existing;
  ectx.inner = &proposed;
  ectx.session = &estate_.session;
  ectx.estate = &estate_;
  auto pass = EvaluateQual(plan_.conflict_where.get(), ectx);
  if (!pass.ok()) return pass.error();
  if (!*pass) return std::optional<Outcome>(Outcome::kNone);
  Tuple updated = **existing;
  for (size_t c = 0; c < plan_.conflict_set.size() && c < updated.size(); ++c) {
    if (!plan_.conflict_set[c]) continue;
    auto value = Evaluate(*plan_.conflict_set[c], ectx);
    if (!value.ok()) return value.error();
    updated[c] = std::move(*value);
  }
  ItemPointer new_tid;
  storage::TmFailure tm;
  if (Status s = ExecUpdateRow(ctx, tid, updated, &new_tid, &tm); !s.ok()) return s.error();
  if (tm.result == storage::TmResult::kUpdated || tm.result == storage::TmResult::kDeleted) {
    return std::optional<Outcome>();  // READ COMMITTED: the next pass finds the newest version
  }
  if (tm.result != storage::TmResult::kOk) {
    return MakeError(sqlstate::kInternalError, "unexpected self-updated tuple");
  }
  touched_.insert({new_tid.block, new_tid.offset});
  updated_ = std::move(updated);
  return std::optional<Outcome>(Outcome::kUpdated);
}

}  // namespace minipg::sql
