/*-------------------------------------------------------------------------
 * ri_triggers.cpp
 *   Foreign keys enforced on row changes, TRUNCATE and DROP TABLE
 *   (ri_triggers.h).
 *-------------------------------------------------------------------------
 */
#include "engine/sql/executor/ri_triggers.h"

#include <algorithm>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "engine/catalog/catalog_access.h"
#include "engine/catalog/index_ddl.h"
#include "engine/catalog/relcache.h"
#include "engine/common/interrupts.h"
#include "engine/common/sqlstate.h"
#include "engine/sql/analyzer.h"
#include "engine/sql/executor/exec_alter.h"
#include "engine/sql/executor/exec_expr.h"
#include "engine/sql/types.h"
#include "engine/storage/heap/heapam.h"

namespace minipg::sql {

namespace {

using catalog::ForeignKeyDef;
using storage::ItemPointer;
using storage::Tuple;

const storage::TableDef* TableByOid(const storage::CatalogSnapshot& tables, uint32_t oid) {
  for (const storage::TableDef& t : tables.tables) {
    if (t.oid == oid) return &t;
  }
  return nullptr;
}

storage::RelFileLocator HeapOf(const SessionContext& session, const storage::TableDef& table) {
  return catalog::TableLocator(session.data_dir, table);
}

/* The values of `row` at the 1-based `attnums`. */
Tuple KeyOf(const Tuple& row, const std::vector<int16_t>& attnums) {
  Tuple key;
  for (int16_t a : attnums) key.push_back(row.at(static_cast<size_t>(a - 1)));
  return key;
}

bool HasNull(const Tuple& key) {
  return std::any_of(key.begin(), key.end(), [](const storage::Datum& d) { return storage::IsNull(d); });
}

TypeId ColumnTypeAt(const storage::TableDef& t, int16_t attnum) {
  return FromColumnType(t.columns.at(static_cast<size_t>(attnum - 1)).type);
}

/* Whether `row`'s values at `attnums` equal `key` (of the other table's
 * columns `key_attnums`). */
bool KeyMatches(const Tuple& row, const storage::TableDef& table, const std::vector<int16_t>& attnums,
                const Tuple& key, const storage::TableDef& key_table, const std::vector<int16_t>& key_attnums) {
  for (size_t i = 0; i < attnums.size(); ++i) {
    const storage::Datum& v = row.at(static_cast<size_t>(attnums[i] - 1));
    if (storage::IsNull(v)) return false;
    if (CompareValues(v, ColumnTypeAt(table, attnums[i]), key[i], ColumnTypeAt(key_table, key_attnums[i])) != 0) {
      return false;
    }
  }
  return true;
}

/* "(a, b)=(1, 2)" of DETAIL's Key ... */
std::string KeyText(const storage::TableDef& table, const std::vector<int16_t>& attnums, const Tuple& key) {
  std::string names;
  std::string values;
  for (size_t i = 0; i < attnums.size(); ++i) {
    names += (i == 0 ? "" : ", ") + table.columns.at(static_cast<size_t>(attnums[i] - 1)).name;
    values += (i == 0 ? "" : ", ") +
              (storage::IsNull(key[i]) ? std::string("null") : OutputText(key[i], ColumnTypeAt(table, attnums[i])));
  }
  return "(" + names + ")=(" + values + ")";
}

/* The query PostgreSQL's foreign key check runs to lock `table`'s row
 * (ri_triggers.c), which its error CONTEXT names: the referenced table's
 * check compares "col = $n", the referencing table's "$n = col". */
std::string RiLockQueryText(const storage::TableDef& table, const std::vector<int16_t>& attnums, bool referencing) {
  std::string where;
  for (size_t i = 0; i < attnums.size(); ++i) {
    std::string column = fmt::format("\"{}\"", table.columns.at(static_cast<size_t>(attnums[i] - 1)).name);
    std::string param = fmt::format("${}", i + 1);
    where += fmt::format("{}{} OPERATOR(pg_catalog.=) {}", i == 0 ? "" : " AND ", referencing ? param : column,
                         referencing ? column : param);
  }
  return fmt::format("SELECT 1 FROM ONLY \"public\".\"{}\" x WHERE {} FOR KEY SHARE OF x", table.name, where);
}

/* Locks the row version at `tid` of `table` FOR KEY SHARE (as
 * PostgreSQL's foreign key queries do), waiting for a transaction
 * deleting it or changing a key column of it (a non-key update shares
 * the row, heap_xmax.h): whether the row still has `key` at `attnums`
 * (the values of `key_table`'s `key_attnums`). A version a committed
 * transaction re-keyed is followed to its next version, locked if that
 * still has the key (READ COMMITTED, PostgreSQL's re-check); one it
 * deleted is gone; REPEATABLE READ: 40001 for either. `referencing`:
 * `table` is the referencing one (the parent side's check). */
Result<bool> LockRowWithKey(const SessionContext& session, const storage::TableDef& table,
                            const std::vector<int16_t>& attnums, const Tuple& key, const storage::TableDef& key_table,
                            const std::vector<int16_t>& key_attnums, ItemPointer tid, bool referencing) {
  storage::RelFileLocator heap = HeapOf(session, table);
  for (;;) {
    if (Status s = CheckForInterrupts(); !s.ok()) return s.error();
    storage::TmFailure tm;
    if (Status s = storage::HeapLockTuple(heap, table.name, tid, storage::LockTupleMode::kKeyShare,
                                          storage::LockWaitPolicy::kBlock, &tm);
        !s.ok()) {
      Error e = s.error();  // a wait's error: CONTEXT also names the check's query
      if (!e.context.empty()) e.context += fmt::format("\nSQL statement \"{}\"", RiLockQueryText(table, attnums, referencing));
      return e;
    }
    if (tm.result != storage::TmResult::kUpdated && tm.result != storage::TmResult::kDeleted) return true;
    if (storage::XactIsolation() >= storage::IsolationLevel::kRepeatableRead) {
      return MakeError("40001", "could not serialize access due to concurrent update");
    }
    if (tm.result == storage::TmResult::kDeleted) return false;
    storage::HeapTupleHeader header;
    auto next = storage::HeapFetchVersion(heap, table.columns, tm.ctid, &header);
    if (!next.ok()) return next.error();
    if (!next->has_value() || !KeyMatches(**next, table, attnums, key, key_table, key_attnums)) return false;
    tid = tm.ctid;
  }
}

/* The referenced row at `tid` locked by LockRowWithKey. */
Result<bool> LockReferencedRow(const SessionContext& session, const ForeignKeyDef& fk, const storage::TableDef& child,
                               const storage::TableDef& parent, const Tuple& key, ItemPointer tid) {
  return LockRowWithKey(session, parent, fk.ref_keys, key, child, fk.keys, tid, /*referencing=*/false);
}

/* Whether the referenced table has a row with `key` (the referencing
 * table's values) that a fresh snapshot sees and that stays there: found
 * through the unique index when the types are the index's own, else by
 * reading the table, then locked FOR KEY SHARE (LockReferencedRow). */
Result<bool> ReferencedRowExists(const SessionContext& session, const ForeignKeyDef& fk, const storage::TableDef& child,
                                 const storage::TableDef& parent, const Tuple& key) {
  storage::RelFileLocator heap = HeapOf(session, parent);
  auto index = std::find_if(parent.indexes.begin(), parent.indexes.end(),
                            [&fk](const storage::IndexDef& i) { return i.oid == fk.index; });
  bool same_types = true;
  for (size_t i = 0; i < fk.keys.size(); ++i) {
    same_types = same_types && child.columns.at(static_cast<size_t>(fk.keys[i] - 1)).type ==
                                   parent.columns.at(static_cast<size_t>(fk.ref_keys[i] - 1)).type;
  }
  if (index != parent.indexes.end() && same_types) {
    Tuple index_key;  // in the index's column order
    for (int16_t attnum : index->key_attnums) {
      auto at = std::find(fk.ref_keys.begin(), fk.ref_keys.end(), attnum);
      index_key.push_back(key.at(static_cast<size_t>(at - fk.ref_keys.begin())));
    }
    auto found = catalog::FindLiveIndexKey(heap.db_oid, parent, *index, index_key);
    if (!found.ok()) return found.error();
    if (!found->has_value()) return false;
    return LockReferencedRow(session, fk, child, parent, key, **found);
  }
  storage::HeapTableScan scan(heap, parent.columns, storage::GetCatalogSnapshot());
  if (Status s = scan.Open(); !s.ok()) return s.error();
  for (;;) {
    auto row = scan.Next();
    if (!row.ok()) return row.error();
    if (!row->has_value()) return false;
    if (KeyMatches(**row, parent, fk.ref_keys, key, child, fk.keys)) {
      return LockReferencedRow(session, fk, child, parent, key, scan.last_tid());
    }
  }
}

/* The rows of the referencing table whose key equals `key` that
 * `snapshot` sees (none: the active snapshot). */
Result<std::vector<std::pair<ItemPointer, Tuple>>> ReferencingRows(const SessionContext& session,
                                                                     const ForeignKeyDef& fk,
                                                                     const storage::TableDef& child,
                                                                     const storage::TableDef& parent,
                                                                     const Tuple& key,
                                                                     std::optional<storage::Snapshot> snapshot) {
  std::vector<std::pair<ItemPointer, Tuple>> found;
  storage::HeapTableScan scan(HeapOf(session, child), child.columns, std::move(snapshot));
  if (Status s = scan.Open(); !s.ok()) return s.error();
  for (;;) {
    if (Status s = CheckForInterrupts(); !s.ok()) return s.error();
    auto row = scan.Next();
    if (!row.ok()) return row.error();
    if (!row->has_value()) return found;
    if (KeyMatches(**row, child, fk.keys, key, parent, fk.ref_keys)) found.emplace_back(scan.last_tid(), std::move(**row));
  }
}

/* The statement's writes into `table` for an action (one context per table). */
ModifyContext& ActionContext(ModifyContext& ctx, const storage::TableDef& table) {
  std::unique_ptr<ModifyContext>& slot = ctx.ri->actions[table.oid];
  if (!slot) slot = std::make_unique<ModifyContext>(ctx.session, table);
  return *slot;
}

/* The referencing row `row` with its key columns set as the action says:
 * the new key (CASCADE), NULL (SET NULL) or the columns' defaults. */
Result<Tuple> ActionRow(const SessionContext& session, const ForeignKeyDef& fk, const storage::TableDef& child,
                        char action, Tuple row, const Tuple* new_key) {
  for (size_t i = 0; i < fk.keys.size(); ++i) {
    auto col = static_cast<size_t>(fk.keys[i] - 1);
    if (action == 'c') {
      row[col] = (*new_key)[i];
    } else if (action == 'n') {
      row[col] = storage::Datum();
    } else {
      ExprContext ectx;
      ectx.session = &session;
      auto value = Evaluate(*ColumnDefault(child, static_cast<int>(col)), ectx);
      if (!value.ok()) return value.error();
      row[col] = std::move(*value);
    }
  }
  return row;
}

bool SameKey(const Tuple& a, const Tuple& b, const storage::TableDef& table, const std::vector<int16_t>& attnums) {
  for (size_t i = 0; i < attnums.size(); ++i) {
    bool an = storage::IsNull(a[i]);
    bool bn = storage::IsNull(b[i]);
    if (an != bn) return false;
    TypeId t = ColumnTypeAt(table, attnums[i]);
    if (!an && CompareValues(a[i], t, b[i], t) != 0) return false;
  }
  return true;
}

/* 23503 for a referenced key that leaves while `child` references it. */
Error StillReferenced(const storage::TableDef& parent, const ForeignKeyDef& fk, const storage::TableDef& child,
                      const Tuple& old_key) {
  Error e = MakeError(sqlstate::kForeignKeyViolation,
                      fmt::format("update or delete on table \"{}\" violates foreign key constraint \"{}\" on table \"{}\"",
                                  parent.name, fk.name, child.name));
  e.detail =
      fmt::format("Key {} is still referenced from table \"{}\".", KeyText(parent, fk.ref_keys, old_key), child.name);
  return e;
}

/* 23503 unless `row` of `child` references a row of `parent` through
 * `fk` (a key with a NULL passes: MATCH SIMPLE). */
Status CheckReference(const SessionContext& session, const ForeignKeyDef& fk, const storage::TableDef& child,
                      const storage::TableDef& parent, const Tuple& row) {
  Tuple key = KeyOf(row, fk.keys);
  if (HasNull(key)) return OkStatus();
  auto found = ReferencedRowExists(session, fk, child, parent, key);
  if (!found.ok()) return found.error();
  if (*found) return OkStatus();
  Error e = MakeError(sqlstate::kForeignKeyViolation,
                      fmt::format("insert or update on table \"{}\" violates foreign key constraint \"{}\"",
                                  child.name, fk.name));
  e.detail = fmt::format("Key {} is not present in table \"{}\".", KeyText(child, fk.keys, key), parent.name);
  return e;
}

std::string TableName(const storage::CatalogSnapshot& tables, uint32_t oid) {
  const storage::TableDef* t = TableByOid(tables, oid);
  return t != nullptr ? t->name : std::to_string(oid);
}

}  // namespace

namespace {

/* A foreign key's action on the referencing row `row` at `tid` (CASCADE
 * delete, or the row with its key set as the action says). A version
 * another transaction updated meanwhile (it committed; the heap waited
 * for it) is followed to its next version, acted on if it still holds
 * the old key (READ COMMITTED, as PostgreSQL's action query re-checks its
 * WHERE; REPEATABLE READ: 40001 from the heap); a deleted one is left.
 * `new_key`: the parent's new key (an UPDATE), nullptr for a DELETE. */
Status ApplyAction(ModifyContext& ctx, ModifyContext& target, const ForeignKeyDef& fk, char action, ItemPointer tid,
                   Tuple row, const Tuple& old_key, const Tuple* new_key) {
  const storage::TableDef& child = target.table;
  for (;;) {
    storage::TmFailure tm;
    if (action == 'c' && new_key == nullptr) {
      if (Status s = ExecDeleteRow(target, tid, &tm); !s.ok()) return s;
    } else {
      auto changed = ActionRow(ctx.session, fk, child, action, std::move(row), new_key);
      if (!changed.ok()) return changed.error();
      // SET DEFAULT back to the key that went: still referenced, as PostgreSQL finds.
      if (action == 'd' && KeyMatches(*changed, child, fk.keys, old_key, ctx.table, fk.ref_keys)) {
        return StillReferenced(ctx.table, fk, child, old_key);
      }
      if (Status s = ExecUpdateRow(target, tid, *changed, nullptr, &tm); !s.ok()) return s;
    }
    if (tm.result != storage::TmResult::kUpdated) return OkStatus();
    storage::HeapTupleHeader header;
    auto next = storage::HeapFetchVersion(target.rel, child.columns, tm.ctid, &header);
    if (!next.ok()) return next.error();
    if (!next->has_value() || !KeyMatches(**next, child, fk.keys, old_key, ctx.table, fk.ref_keys)) return OkStatus();
    row = std::move(**next);
    tid = tm.ctid;
  }
}

}  // namespace

Status RiLoad(ModifyContext& ctx) {
  if (ctx.ri) return OkStatus();
  ctx.ri = std::make_shared<RiState>();
  storage::Oid db = catalog::DatabaseOidOf(ctx.session.data_dir);
  auto fks = catalog::ReadForeignKeys(db);
  if (!fks.ok()) return fks.error();
  for (ForeignKeyDef& fk : *fks) {
    if (fk.ref_table == ctx.table.oid) ctx.ri->incoming.push_back(fk);
    if (fk.table == ctx.table.oid) ctx.ri->outgoing.push_back(std::move(fk));
  }
  if (ctx.ri->outgoing.empty() && ctx.ri->incoming.empty()) return OkStatus();
  auto tables = catalog::RelcacheTables(db);
  if (!tables.ok()) return tables.error();
  ctx.ri->tables = std::move(*tables);
  return OkStatus();
}

bool RiIsReferenced(const ModifyContext& ctx) { return ctx.ri && !ctx.ri->incoming.empty(); }

Status RiCheckNewRow(ModifyContext& ctx, const Tuple& row, const Tuple* old_row) {
  if (Status s = RiLoad(ctx); !s.ok()) return s;
  for (const ForeignKeyDef& fk : ctx.ri->outgoing) {
    if (old_row != nullptr && SameKey(KeyOf(*old_row, fk.keys), KeyOf(row, fk.keys), ctx.table, fk.keys)) continue;
    const storage::TableDef* parent = TableByOid(ctx.ri->tables, fk.ref_table);
    if (parent == nullptr) continue;
    if (Status s = CheckReference(ctx.session, fk, ctx.table, *parent, row); !s.ok()) return s;
  }
  return OkStatus();
}

Status RiValidateForeignKey(const SessionContext& session, const std::string& table, const std::string& name) {
  storage::Oid db = catalog::DatabaseOidOf(session.data_dir);
  auto tables = catalog::RelcacheTables(db);
  if (!tables.ok()) return tables.error();
  const storage::TableDef* child = tables->Find(table);
  auto fks = catalog::ReadForeignKeys(db);
  if (!fks.ok()) return fks.error();
  auto fk = std::find_if(fks->begin(), fks->end(), [&](const ForeignKeyDef& f) {
    return child != nullptr && f.table == child->oid && f.name == name;
  });
  if (fk == fks->end()) return OkStatus();
  const storage::TableDef* parent = TableByOid(*tables, fk->ref_table);
  if (parent == nullptr) return OkStatus();
  return ForEachRow(session, *child, [&](const Tuple& row, ItemPointer) -> Status {
    return CheckReference(session, *fk, *child, *parent, row);
  });
}

Status RiParentRowChanged(ModifyContext& ctx, const Tuple& old_row, const Tuple* new_row) {
  if (Status s = RiLoad(ctx); !s.ok()) return s;
  for (const ForeignKeyDef& fk : ctx.ri->incoming) {
    Tuple old_key = KeyOf(old_row, fk.ref_keys);
    if (HasNull(old_key)) continue;
    Tuple new_key;
    if (new_row != nullptr) {
      new_key = KeyOf(*new_row, fk.ref_keys);
      if (SameKey(old_key, new_key, ctx.table, fk.ref_keys)) continue;  // the key did not change
    }
    const storage::TableDef* child = TableByOid(ctx.ri->tables, fk.table);
    if (child == nullptr) continue;
    char action = new_row != nullptr ? fk.on_update : fk.on_delete;
    // Referencing rows committed since the statement began count (a
    // fresh snapshot, as PostgreSQL's check does after waiting for a
    // FOR KEY SHARE locker of the row); REPEATABLE READ actions still
    // act on the rows of the transaction's snapshot.
    std::optional<storage::Snapshot> snapshot;
    if (action == 'a' || action == 'r' || storage::XactIsolation() < storage::IsolationLevel::kRepeatableRead) {
      snapshot = storage::GetCatalogSnapshot();
    }
    auto rows = ReferencingRows(ctx.session, fk, *child, ctx.table, old_key, std::move(snapshot));
    if (!rows.ok()) return rows.error();
    if (rows->empty()) continue;
    if (action == 'a' || action == 'r') {
      // Each referencing row locked FOR KEY SHARE as PostgreSQL's check
      // query does: one another transaction is deleting or re-keying is
      // waited for, and no longer counts once that commits.
      for (const auto& [tid, row] : *rows) {
        auto still = LockRowWithKey(ctx.session, *child, fk.keys, old_key, ctx.table, fk.ref_keys, tid,
                                    /*referencing=*/true);
        if (!still.ok()) return still.error();
        if (*still) return StillReferenced(ctx.table, fk, *child, old_key);
      }
      continue;
    }
    ModifyContext& target = ActionContext(ctx, *child);
    for (auto& [tid, row] : *rows) {
      const Tuple* key = new_row != nullptr ? &new_key : nullptr;
      if (Status s = ApplyAction(ctx, target, fk, action, tid, std::move(row), old_key, key); !s.ok()) return s;
    }
  }
  return OkStatus();
}

Status RiFinish(ModifyContext& ctx) {
  if (!ctx.ri) return OkStatus();
  Status first = OkStatus();
  for (auto& [oid, target] : ctx.ri->actions) {
    Status s = ExecModifyFinish(*target);
    if (first.ok() && !s.ok()) first = s;
  }
  return first;
}

Status RiCheckTruncate(const Query& q, const SessionContext& ctx) {
  std::set<uint32_t> truncated;
  for (const RangeTblEntry& rte : q.rtable) {
    if (rte.table) truncated.insert(rte.table->oid);
  }
  storage::Oid db = catalog::DatabaseOidOf(ctx.data_dir);
  auto fks = catalog::ReadForeignKeys(db);
  if (!fks.ok()) return fks.error();
  for (const ForeignKeyDef& fk : *fks) {
    if (truncated.count(fk.ref_table) == 0 || truncated.count(fk.table) != 0) continue;
    auto tables = catalog::RelcacheTables(db);
    if (!tables.ok()) return tables.error();
    std::string child = TableName(*tables, fk.table);
    Error e = MakeError(sqlstate::kFeatureNotSupported, "cannot truncate a table referenced in a foreign key constraint");
    e.detail = fmt::format("Table \"{}\" references \"{}\".", child, TableName(*tables, fk.ref_table));
    e.hint = fmt::format("Truncate table \"{}\" at the same time, or use TRUNCATE ... CASCADE.", child);
    return e;
  }
  return OkStatus();
}

Status RiDropReferencingKeys(const Query& q, const SessionContext& ctx) {
  storage::Oid db = catalog::DatabaseOidOf(ctx.data_dir);
  auto tables = catalog::RelcacheTables(db);
  if (!tables.ok()) return tables.error();
  std::set<uint32_t> dropped;
  for (const std::string& name : q.drop_names) {
    if (const storage::TableDef* t = tables->Find(name)) dropped.insert(t->oid);
  }
  auto fks = catalog::ReadForeignKeys(db);
  if (!fks.ok()) return fks.error();
  for (const std::string& name : q.drop_names) {
    const storage::TableDef* t = tables->Find(name);
    if (t == nullptr) continue;
    std::vector<const ForeignKeyDef*> dependents;
    for (const ForeignKeyDef& fk : *fks) {
      if (fk.ref_table == t->oid && dropped.count(fk.table) == 0) dependents.push_back(&fk);
    }
    if (dependents.empty()) continue;
    std::string lines;
    for (const ForeignKeyDef* fk : dependents) {
      lines += fmt::format("{}constraint {} on table {} depends on table {}", lines.empty() ? "" : "\n", fk->name,
                           TableName(*tables, fk->table), name);
    }
    if (!q.cascade) {
      Error e = MakeError(sqlstate::kDependentObjectsStillExist,
                          fmt::format("cannot drop table {} because other objects depend on it", name));
      e.detail = lines;
      e.hint = "Use DROP ... CASCADE to drop the dependent objects too.";
      return e;
    }
    if (ctx.notice) {
      if (dependents.size() == 1) {
        ctx.notice(MakeError(sqlstate::kSuccessfulCompletion,
                             fmt::format("drop cascades to constraint {} on table {}", dependents[0]->name,
                                         TableName(*tables, dependents[0]->table)),
                             Severity::kNotice));
      } else {
        std::string detail;
        for (const ForeignKeyDef* fk : dependents) {
          detail += fmt::format("{}drop cascades to constraint {} on table {}", detail.empty() ? "" : "\n", fk->name,
                                TableName(*tables, fk->table));
        }
        Error n = MakeError(sqlstate::kSuccessfulCompletion,
                            fmt::format("drop cascades to {} other objects", dependents.size()), Severity::kNotice);
        n.detail = detail;
        ctx.notice(n);
      }
    }
    for (const ForeignKeyDef* fk : dependents) {
      if (Status s = catalog::DeleteForeignKey(db, *fk); !s.ok()) return s;
    }
  }
  return OkStatus();
}

}  // namespace minipg::sql
