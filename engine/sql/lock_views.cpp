/*-------------------------------------------------------------------------
 * lock_views.cpp
 *   pg_locks and pg_blocking_pids (see lock_views.h).
 *
 * NOTES
 *   minipg has no fast-path locks: fastpath is always false, where
 *   PostgreSQL shows true for the weak relation locks and the virtual xid
 *   lock a backend took through its fast path.
 *-------------------------------------------------------------------------
 */
#include "engine/sql/lock_views.h"

#include "engine/storage/lmgr/lock.h"

namespace minipg::sql {

namespace {

using storage::Datum;

Datum Null() { return std::monostate{}; }
Datum Int(int64_t v) { return Datum(v); }

}  // namespace

Result<std::vector<storage::Tuple>> PgLocks(const SessionContext& /*ctx*/) {
  std::vector<storage::Tuple> rows;
  for (const lmgr::LockInfo& l : lmgr::GetLockStatusData()) {
    const lmgr::LockTag& t = l.tag;
    storage::Tuple row(16, Null());
    row[0] = Datum(std::string(lmgr::LockTagTypeName(t.type)));  // locktype
    switch (t.type) {
      case lmgr::LockTagType::kRelation:
        row[1] = Int(t.field1);  // database
        row[2] = Int(t.field2);  // relation
        break;
      case lmgr::LockTagType::kTransactionId:
        row[6] = Int(t.field1);  // transactionid
        break;
      case lmgr::LockTagType::kVirtualXid:
        row[5] = Datum(std::to_string(t.field1) + "/" + std::to_string(t.field2));  // virtualxid
        break;
      case lmgr::LockTagType::kTuple:
        row[1] = Int(t.field1);
        row[2] = Int(t.field2);
        row[3] = Int(t.field3);  // page
        row[4] = Int(t.field4);  // tuple
        break;
      case lmgr::LockTagType::kObject:
        row[1] = Int(t.field1);
        row[7] = Int(t.field2);  // classid
        row[8] = Int(t.field3);  // objid
        row[9] = Int(t.field4);  // objsubid
        break;
    }
    row[10] = Datum(l.virtual_transaction);
    row[11] = Int(l.pid);
    row[12] = Datum(std::string(lmgr::LockModeName(l.mode)));
    row[13] = Datum(l.granted);
    row[14] = Datum(false);  // fastpath
    row[15] = l.wait_start != 0 ? Int(l.wait_start) : Null();
    rows.push_back(std::move(row));
  }
  return rows;
}

storage::Datum BlockingPids(int64_t pid) {
  std::vector<Datum> items;
  for (int32_t p : lmgr::GetBlockingPids(static_cast<int32_t>(pid))) items.push_back(Int(p));
  return storage::MakeArray(storage::ColumnType::kInt4, std::move(items));
}

}  // namespace minipg::sql
