/*-------------------------------------------------------------------------
 * dbase.cpp
 *   CREATE/DROP DATABASE's files, buffers and WAL (see dbase.h).
 *-------------------------------------------------------------------------
 */
#include "engine/storage/heap/dbase.h"

#include <cctype>
#include <filesystem>

#include "engine/shmem/pgstat.h"
#include "engine/storage/buffer/buffer_pool.h"
#include "engine/storage/global_catalog.h"
#include "engine/storage/heap/xact.h"
#include "engine/storage/ipc/sinval.h"
#include "engine/storage/smgr/smgr.h"
#include "engine/storage/wal/wal_records.h"
#include "engine/storage/wal/xlog.h"

namespace minipg::storage {

Status DropDatabaseBuffers(Oid db_oid) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(DatabasePath(SmgrDataDir(), db_oid), ec)) {
    std::string name = entry.path().filename().string();
    if (name.empty() || name.size() > 10) continue;
    bool digits = true;
    for (char c : name) digits = digits && std::isdigit(static_cast<unsigned char>(c)) != 0;
    if (!digits) continue;  // forks (_fsm), segments (.1), lock files
    RelFileLocator rel{kDefaultTablespaceOid, db_oid, static_cast<Oid>(std::stoul(name))};
    if (Status s = DropRelationBuffers(rel); !s.ok()) return s;
  }
  return OkStatus();
}

Status CreateDatabaseStorage(Oid src_db_oid, Oid dst_db_oid) {
  if (auto flushed = FlushAllDirty(WriteSource::kBackend); !flushed.ok()) return flushed.error();
  if (Status s = CopyDatabaseFiles(SmgrDataDir(), src_db_oid, dst_db_oid); !s.ok()) return s;
  std::string main = wal::EncodePayload(
      wal::DbaseCreateRecord{dst_db_oid, kDefaultTablespaceOid, src_db_oid, kDefaultTablespaceOid});
  auto end = wal::XLogInsert(wal::RmgrId::kDatabase, wal::kDbaseCreate, GetCurrentTransactionId(), {}, main);
  return end.ok() ? OkStatus() : Status(end.error());
}

Status DropDatabaseStorage(Oid db_oid) {
  if (Status s = DropDatabaseBuffers(db_oid); !s.ok()) return s;
  pgstat::DropDatabase(db_oid);  // its row of pg_stat_database and its tables' counters go too
  CacheInvalidateSmgr({kDefaultTablespaceOid, db_oid, 0});  // every process closes the database's files
  std::string main = wal::EncodePayload(wal::DbaseRecord{db_oid, kDefaultTablespaceOid});
  auto end = wal::XLogInsert(wal::RmgrId::kDatabase, wal::kDbaseDrop, GetCurrentTransactionId(), {}, main);
  return end.ok() ? OkStatus() : Status(end.error());
}

}  // namespace minipg::storage
