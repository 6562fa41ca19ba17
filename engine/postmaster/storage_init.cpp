/*-------------------------------------------------------------------------
 * storage_init.cpp
 *   The storage layer's wiring into the server (see storage_init.h).
 *-------------------------------------------------------------------------
 */
#include "engine/postmaster/storage_init.h"

#include "engine/postmaster/autovacuum.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "engine/common/sqlstate.h"
#include "engine/shmem/backend_status.h"
#include "engine/shmem/lwlock.h"
#include "engine/shmem/pgstat.h"
#include "engine/shmem/step.h"
#include "engine/storage/buffer/buffer_pool.h"
#include "engine/storage/heap/heap_redo.h"
#include "engine/storage/heap/multixact.h"
#include "engine/storage/heap/procarray.h"
#include "engine/storage/heap/snapshot.h"
#include "engine/storage/heap/xact.h"
#include "engine/storage/nbtree/nbtree_redo.h"
#include "engine/storage/heap/subtrans.h"
#include "engine/storage/heap/transam.h"
#include "engine/storage/ipc/sinval.h"
#include "engine/storage/lmgr/lock_table.h"
#include "engine/storage/smgr/smgr.h"
#include "engine/storage/wal/wal_layout.h"
#include "engine/storage/wal/wal_memory.h"
#include "engine/storage/wal/wal_reader.h"
#include "engine/storage/wal/wal_records.h"
#include "engine/storage/wal/wal_segments.h"
#include "engine/storage/wal/wal_rmgr.h"
#include "engine/storage/wal/xlog.h"
#include "engine/trace/storage_events.h"

namespace minipg {

namespace fs = std::filesystem;
namespace wal = storage::wal;

StorageSettings GetStorageSettings(const Config& config) {
  StorageSettings s;
  s.shared_buffers = config.Int("shared_buffers");  // in 8 kB pages
  s.wal_buffers = config.Int("wal_buffers");        // in pages, -1 already resolved by the settings table
  s.bgwriter_delay_ms = config.Int("bgwriter_delay");
  s.bgwriter_lru_maxpages = config.Int("bgwriter_lru_maxpages");
  s.wal_writer_delay_ms = config.Int("wal_writer_delay");
  s.max_wal_size_mb = config.Int("max_wal_size");
  s.min_wal_size_mb = config.Int("min_wal_size");
  s.full_page_writes = config.Bool("full_page_writes");
  return s;
}

Status BootstrapWal(const fs::path& data_dir, bool do_fsync) {
  storage::ControlFile control;
  control.system_identifier = storage::NewSystemIdentifier();
  control.state = storage::DbState::kShutdowned;
  control.time = shmem::WallClockMicros();
  control.checkpoint_time = control.time;

  wal::CheckpointRecord ckpt;
  ckpt.redo = wal::FirstRecordLsn();  // the record itself: nothing before it to replay
  ckpt.next_xid = control.next_xid;
  ckpt.next_oid = control.next_oid;
  ckpt.next_multi = control.next_multi;
  ckpt.next_multi_offset = control.next_multi_offset;
  ckpt.time = control.time / 1'000'000;
  wal::MemoryWal memory(control.system_identifier);
  XLogRecPtr lsn = memory.Append(wal::RmgrId::kXlog, wal::kXlogCheckpointShutdown, 0, {},
                                 wal::EncodePayload(ckpt));
  control.checkpoint_lsn = lsn;
  control.redo_lsn = ckpt.redo;

  fs::path wal_dir = data_dir / "pg_wal";
  std::error_code ec;
  fs::create_directory(wal_dir, ec);
  if (ec) {
    return MakeError(sqlstate::kIoError,
                     fmt::format("could not create directory \"{}\": {}", wal_dir.string(), ec.message()));
  }
  wal::SegNo seg = wal::LsnToSeg(lsn);
  auto fd = wal::OpenOrCreateSegment(wal_dir, seg, do_fsync);
  if (!fd.ok()) return fd.error();
  // Only the pages the record is on; the rest of the segment stays zeros.
  size_t len = wal::PageStart(memory.end_lsn() - 1) + wal::kWalPageSize - wal::SegStart(seg);
  const std::string& bytes = memory.segments().at(seg);
  ssize_t n = pwrite(*fd, bytes.data(), len, 0);
  int err = errno;
  bool synced = n == static_cast<ssize_t>(len) && (!do_fsync || fsync(*fd) == 0);
  if (!synced && n == static_cast<ssize_t>(len)) err = errno;
  close(*fd);
  if (!synced) {
    return MakeError(sqlstate::kIoError, fmt::format("could not write file \"{}\": {}",
                                                     (wal_dir / wal::WalFileName(seg)).string(), std::strerror(err)));
  }
  return storage::WriteControlFile(data_dir, control);
}

int AuxProcessSlots(const Config& config) { return kAuxProcessSlots + 1 + config.Int("autovacuum_max_workers"); }
/* The lock table: max_locks_per_transaction entries per process, as
 * PostgreSQL sizes its lock hash (NLOCKENTS). */
shmem::ShmemRequest LockShmemRequest(const Config& config) {
  int procs = static_cast<int>(config.Int("max_connections")) + AuxProcessSlots(config);
  int max_locks = static_cast<int>(config.Int("max_locks_per_transaction")) * procs;
  return {lmgr::kLockShmemAreaName, lmgr::LockTableSize(max_locks, procs),
          [max_locks, procs](void* p) { lmgr::LockTableInit(p, max_locks, procs); }};
}

std::vector<shmem::ShmemRequest> ServerShmemRequests(const Config& config) {
  StorageSettings s = GetStorageSettings(config);
  std::vector<shmem::ShmemRequest> requests = storage::BufferPoolShmemRequests(s.shared_buffers);
  auto add = [&](std::vector<shmem::ShmemRequest> more) {
    for (auto& r : more) requests.push_back(std::move(r));
  };
  add({wal::WalShmemRequest(s.wal_buffers)});
  add(storage::TransamShmemRequests());
  add(storage::SubTransShmemRequests());
  add(storage::MultiXactShmemRequests());
  add(storage::ProcArrayShmemRequests(config.Int("max_connections") + AuxProcessSlots(config)));
  add({pgstat::StatsShmemRequest()});
  add(storage::SinvalShmemRequests(config.Int("max_connections") + AuxProcessSlots(config)));
  add({LockShmemRequest(config)});
  add({AutoVacuumShmemRequest()});
  add({step::StepShmemRequest(config.Int("max_connections"))});
  // A module with shared memory of its own adds its one line here.
  return requests;
}

const TransamHooks& GetTransamHooks() {
  static const TransamHooks hooks = [] {
    TransamHooks h;
    h.register_redo = [] {
      storage::RegisterRedoFunctions();
      storage::nbtree::RegisterBtreeRedo();
    };
    h.checkpoint = [] {
      if (Status s = storage::CheckPointTransam(); !s.ok()) return s;
      return storage::CheckPointMultiXact();
    };
    h.read_next_xid = storage::ReadNextTransactionId;
    h.set_next_xid = storage::SetNextTransactionId;
    h.checkpoint_next_oid = storage::CheckpointNextOid;
    h.set_next_oid = storage::SetNextOid;
    h.startup_subtrans = storage::StartupSubTrans;
    h.trim_xact = storage::TrimTransam;
    h.read_next_multi = [](uint32_t* multi, uint32_t* offset) {
      storage::MultiXactNext next = storage::ReadNextMultiXact();
      *multi = next.multi;
      *offset = next.offset;
    };
    h.advance_next_multi = storage::MultiXactAdvanceNextMXact;
    return h;
  }();
  return hooks;
}

namespace {

const char* g_wal_flush_by = "backend";  // this process, as wal_flush events name it

void ForwardBufferEvent(const storage::BufferEvent& e) {
  using Kind = storage::BufferEvent::Kind;
  // A Buffer counts from 1 (pg_buffercache's bufferid); the events from 0.
  int64_t buffer = static_cast<int64_t>(e.buffer) - 1;
  switch (e.kind) {
    case Kind::kReadHit:
    case Kind::kReadMiss:
      trace::EmitBufferRead(e.tag, buffer, e.kind == Kind::kReadHit);
      return;
    case Kind::kEvict:
      trace::EmitBufferEvict(buffer, e.tag, e.dirty);
      return;
    case Kind::kWrite:
      trace::EmitBufferWrite(buffer, e.tag, storage::WriteSourceName(e.by));
      return;
    case Kind::kDirty:
      trace::EmitBufferDirty(buffer, e.tag);
      return;
  }
}

void ForwardWalInsert(const wal::WalInsertEvent& e) {
  const wal::RmgrData* rmgr = wal::GetRmgr(static_cast<uint8_t>(e.rmid));
  trace::EmitWalInsert(e.lsn, e.end_lsn, rmgr != nullptr ? rmgr->name : "", wal::IdentifyRecord(e.rmid, e.info),
                       e.len, e.xid, e.fpi);
}

void ForwardWalFlush(const wal::WalFlushEvent& e) { trace::EmitWalFlush(e.upto, g_wal_flush_by, e.synced); }

void ForwardSnapshot(const storage::Snapshot& snap, bool transaction_scope, storage::IsolationLevel level) {
  trace::EmitSnapshot(snap.xmin, snap.xmax, snap.xip, transaction_scope ? "transaction" : "statement",
                      level == storage::IsolationLevel::kReadUncommitted ? "read committed"
                                                                          : storage::IsolationLevelName(level));
}

}  // namespace

void SetWalFlushSource(const char* by) { g_wal_flush_by = by; }

Status InitStorageForProcess(const Config& config) {
  storage::SmgrInit(config.data_directory);
  storage::SetWalFlushHook(wal::XLogFlushOrPanic);
  storage::SetBufferEventHook(ForwardBufferEvent);
  wal::SetWalHooks({ForwardWalInsert, ForwardWalFlush});
  storage::SetXactEventHooks({trace::EmitXidAssigned, trace::EmitXactEnd});
  storage::SetSnapshotEventHooks({ForwardSnapshot});
  // Reads the invalidation ring from now on, for every database until a
  // backend knows its own (SharedInvalSetDatabase).
  storage::SharedInvalBackendInit(shmem::MySlot(), 0);
  lmgr::InitLockProcess(shmem::MySlot());
  return OkStatus();
}

void ReleaseStorageResources() {
  shmem::LWLockReleaseAll();
  storage::ReleaseAllBuffers();
}

XLogRecPtr NextRecordStart(const wal::DecodedRecord& rec) {
  bool is_switch = rec.rmid() == wal::RmgrId::kXlog && rec.rmgr_info() == wal::kXlogSwitch;
  if (is_switch && wal::LsnSegOffset(rec.end_lsn) != 0) {
    return wal::BytePosToRecPtr(wal::RecPtrToBytePos(wal::SegStart(wal::LsnToSeg(rec.end_lsn) + 1)));
  }
  return wal::BytePosToRecPtr(wal::RecPtrToBytePos(rec.lsn) + wal::ReservedSize(rec.header.tot_len));
}

Result<WalEnd> FindEndOfWal(const fs::path& data_dir, uint64_t system_id, XLogRecPtr start) {
  wal::WalDirSource source(data_dir / "pg_wal");
  wal::XLogReader reader(source, system_id);
  const wal::DecodedRecord* rec = reader.ReadRecord(start);
  if (rec == nullptr) {
    Error e = MakeError(sqlstate::kDataCorrupted, "could not locate a valid checkpoint record", Severity::kPanic);
    e.detail = reader.error();
    return e;
  }
  WalEnd end;
  for (; rec != nullptr; rec = reader.ReadNext()) {
    end.last_lsn = rec->lsn;
    end.end_lsn = rec->end_lsn;
    end.insert_lsn = NextRecordStart(*rec);
  }
  end.error = reader.error();
  return end;
}

Status StartWalAt(const Config& config, const storage::ControlFile& control, const WalEnd& end) {
  wal::WalStartup s;
  s.wal_dir = config.data_directory / "pg_wal";
  s.system_id = control.system_identifier;
  s.fsync = config.Bool("fsync");
  s.insert_lsn = end.insert_lsn;
  s.prev_lsn = end.last_lsn;
  s.redo_lsn = control.redo_lsn;
  s.full_page_writes = GetStorageSettings(config).full_page_writes;
  return wal::XLogStartup(s);
}

}  // namespace minipg
