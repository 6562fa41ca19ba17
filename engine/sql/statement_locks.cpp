/*-------------------------------------------------------------------------
 * statement_locks.cpp
 *   Which tables a statement locks, in which mode (statement_locks.h).
 *-------------------------------------------------------------------------
 */
#include "engine/sql/statement_locks.h"

#include <algorithm>

#include "engine/storage/heap/xact.h"

namespace minipg::sql {

namespace {

using lmgr::LockMode;

/* Adds `name` (if the catalog has it) in `mode`, keeping the strongest mode
 * of a relation named twice. */
void Add(std::vector<RelationLock>& out, const storage::CatalogSnapshot& catalog, const std::string& name,
         LockMode mode) {
  const storage::TableDef* t = catalog.Find(name);
  if (t == nullptr || t->oid == 0) return;
  for (RelationLock& l : out) {
    if (l.relid == t->oid) {
      if (static_cast<int>(mode) > static_cast<int>(l.mode)) l.mode = mode;
      return;
    }
  }
  out.push_back({t->oid, t->name, mode});
}

/* The table an index of the catalog belongs to, and the index's OID. */
const storage::TableDef* TableOfIndex(const storage::CatalogSnapshot& catalog, const std::string& index,
                                      uint32_t* index_oid) {
  for (const storage::TableDef& t : catalog.tables) {
    for (const storage::IndexDef& i : t.indexes) {
      if (i.name == index) {
        *index_oid = i.oid;
        return &t;
      }
    }
  }
  return nullptr;
}

}  // namespace

std::vector<RelationLock> StatementRelationLocks(const Query& query, const storage::CatalogSnapshot& catalog) {
  std::vector<RelationLock> out;
  switch (query.kind) {
    case StatementKind::kSelect:
    case StatementKind::kCreateTableAs:
    case StatementKind::kCreateView:
      for (const std::string& name : query.row_share_tables) Add(out, catalog, name, LockMode::kRowShare);
      for (const std::string& name : query.tables) Add(out, catalog, name, LockMode::kAccessShare);
      break;
    case StatementKind::kInsert:
    case StatementKind::kUpdate:
    case StatementKind::kDelete:
      if (query.result_relation > 0 && query.rte(query.result_relation).table.has_value()) {
        Add(out, catalog, query.rte(query.result_relation).table->name, LockMode::kRowExclusive);
      }
      for (const std::string& name : query.row_share_tables) Add(out, catalog, name, LockMode::kRowShare);
      for (const std::string& name : query.tables) Add(out, catalog, name, LockMode::kAccessShare);
      break;
    case StatementKind::kVacuum:
    case StatementKind::kAnalyze:
      for (const std::string& name : query.tables) Add(out, catalog, name, LockMode::kShareUpdateExclusive);
      break;
    case StatementKind::kCreateIndex:
      Add(out, catalog, query.index_table, LockMode::kShare);
      break;
    case StatementKind::kDropTable:
    case StatementKind::kTruncate:
    case StatementKind::kDropView:
    case StatementKind::kDropSequence:
      for (const std::string& name : query.drop_names) Add(out, catalog, name, LockMode::kAccessExclusive);
      break;
    case StatementKind::kAlterTable:
      Add(out, catalog, query.create_name, LockMode::kAccessExclusive);
      break;
    case StatementKind::kDropIndex:
      for (const std::string& name : query.drop_names) {
        uint32_t index_oid = 0;
        if (const storage::TableDef* t = TableOfIndex(catalog, name, &index_oid)) {
          Add(out, catalog, t->name, LockMode::kAccessExclusive);
          out.push_back({index_oid, name, LockMode::kAccessExclusive});
        }
      }
      break;
    case StatementKind::kLock:
      for (const std::string& name : query.tables) {
        Add(out, catalog, name, static_cast<LockMode>(query.lock_mode));
      }
      break;
    default:
      break;
  }
  return out;
}

Status LockStatementRelations(const Query& query, const storage::CatalogSnapshot& catalog, bool* waited) {
  *waited = false;
  for (const RelationLock& l : StatementRelationLocks(query, catalog)) {
    // PostgreSQL WAL-logs an AccessExclusiveLock for hot standby, which
    // takes the transaction's xid first (LogAccessExclusiveLockPrepare):
    // the xid shows in pg_locks and backend_xid as there.
    if (l.mode == lmgr::LockMode::kAccessExclusive) storage::GetCurrentTransactionId();
    if (query.kind == StatementKind::kLock && query.lock_nowait) {
      if (Status s = lmgr::ConditionalLockRelationOid(l.relid, l.mode, l.name); !s.ok()) return s;
      continue;
    }
    bool this_waited = false;
    if (Status s = lmgr::LockRelationOid(l.relid, l.mode, &this_waited, l.name); !s.ok()) return s;
    *waited = *waited || this_waited;
  }
  return OkStatus();
}

namespace {
std::vector<RelationLock> g_looked_up;
}  // namespace

void NoteRelationLookedUp(uint32_t relid, const std::string& name) {
  if (relid == 0) return;
  for (const RelationLock& l : g_looked_up) {
    if (l.relid == relid) return;
  }
  g_looked_up.push_back({relid, name, LockMode::kAccessShare});
}

void ForgetRelationsLookedUp() { g_looked_up.clear(); }

Status LockRelationsLookedUp(bool* waited) {
  *waited = false;
  std::vector<RelationLock> relations = std::move(g_looked_up);
  g_looked_up.clear();
  for (const RelationLock& l : relations) {
    bool this_waited = false;
    if (Status s = lmgr::LockRelationOid(l.relid, l.mode, &this_waited, l.name); !s.ok()) return s;
    *waited = *waited || this_waited;
  }
  return OkStatus();
}

}  // namespace minipg::sql
