/*-------------------------------------------------------------------------
 * storage_init.h
 *   Wiring the storage layer (engine/storage: buffer pool, WAL, relation
 *   files) into the server's processes:
 *
 *     initdb        BootstrapWal: pg_wal/ with its first segment holding
 *                   one shutdown checkpoint record, and pg_control
 *                   pointing at it (where minipg creates a data directory)
 *     postmaster    ServerShmemRequests: every module's shared memory
 *                   areas, in one list, before CreateSharedMemory
 *     each child    InitStorageForProcess after fork, in every process
 *                   that touches pages (backends, checkpointer, startup,
 *                   background writer, WAL writer)
 *     error / exit  ReleaseStorageResources: LWLocks, then buffer pins
 *
 *   The storage settings (shared_buffers, wal_buffers, bgwriter_delay, ...)
 *   are read from the settings table into StorageSettings in one place.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "engine/common/error.h"
#include "engine/postmaster/config.h"
#include "engine/shmem/shmem.h"
#include "engine/storage/block.h"
#include "engine/storage/control_file.h"
#include "engine/storage/wal/wal_record.h"

namespace minipg {

using storage::Oid;
using storage::TransactionId;
using storage::XLogRecPtr;

/* The storage settings as the server uses them, read from the settings
 * table (engine/common/guc_table.cpp) in the units the storage code wants. */
struct StorageSettings {
  int shared_buffers = 16384;       // 8 KiB buffers (128MB)
  int wal_buffers = 512;            // 8 KiB WAL pages (-1 resolved: shared_buffers / 32, 8 .. 2048)
  int bgwriter_delay_ms = 200;
  int bgwriter_lru_maxpages = 100;
  int wal_writer_delay_ms = 200;
  int64_t max_wal_size_mb = 1024;
  int64_t min_wal_size_mb = 80;
  bool full_page_writes = true;
};
StorageSettings GetStorageSettings(const Config& config);

/* initdb's part for the WAL: creates <data_dir>/pg_wal/ with segment
 * 000000010000000000000001 holding one CHECKPOINT_SHUTDOWN record at
 * 0/1000028 (redo = itself), and global/pg_control pointing at it (state
 * "shut down", a new system identifier). */
Status BootstrapWal(const std::filesystem::path& data_dir, bool do_fsync);

/* Process array slots beyond max_connections: the collector, the
 * checkpointer, the background writer, the WAL writer, the startup process
 * (the postmaster's CreateSharedMemory; the invalidation ring has a read
 * position for each slot); AuxProcessSlots adds the autovacuum launcher
 * and autovacuum_max_workers workers. */
inline constexpr int kAuxProcessSlots = 5;
int AuxProcessSlots(const Config& config);

/* Every shared memory area the server's modules request (buffer pool,
 * WAL, transaction status, ...): the postmaster passes this list to
 * shmem::CreateSharedMemory, at start and after each crash cycle. */
std::vector<shmem::ShmemRequest> ServerShmemRequests(const Config& config);

/* After fork, in every process that reads or writes pages: relation files
 * under the data directory (SmgrInit), its read position in the shared
 * invalidation ring (as its process slot, InitMyStatus first), the buffer pool's WAL flush hook
 * (a page is written only after its WAL is flushed: XLogFlushOrPanic), and
 * the storage events' hooks (buffer_*, wal_insert, wal_flush). */
Status InitStorageForProcess(const Config& config);

/* How this process's WAL flushes are named in wal_flush events: "backend"
 * (the default), "walwriter", "checkpointer". */
void SetWalFlushSource(const char* by);

/* What the transaction module (engine/storage/heap/transam.h) gives the
 * startup process and the checkpointer. An entry is null while that module
 * is not linked in; GetTransamHooks() in storage_init.cpp fills them. */
struct TransamHooks {
  void (*register_redo)() = nullptr;             // RegisterRedoFunctions (Heap, Transaction, Storage, Database) and RegisterBtreeRedo
  Status (*checkpoint)() = nullptr;              // CheckPointTransam, CheckPointMultiXact: pg_xact, pg_multixact pages to disk
  TransactionId (*read_next_xid)() = nullptr;    // ReadNextTransactionId
  void (*set_next_xid)(TransactionId) = nullptr; // SetNextTransactionId
  Oid (*checkpoint_next_oid)(bool shutdown) = nullptr;  // CheckpointNextOid
  void (*set_next_oid)(Oid) = nullptr;           // SetNextOid
  Status (*startup_subtrans)() = nullptr;        // StartupSubTrans: pg_subtrans zeroed
  Status (*trim_xact)(TransactionId next_xid) = nullptr;  // TrimTransam: no status past the next xid
  void (*read_next_multi)(uint32_t* multi, uint32_t* offset) = nullptr;  // ReadNextMultiXact
  void (*advance_next_multi)(uint32_t multi, uint32_t offset) = nullptr;  // MultiXactAdvanceNextMXact
};
const TransamHooks& GetTransamHooks();

/* Releases what an error or an exit leaves held: every LWLock (with the
 * content locks), then every buffer pin. PostgreSQL's AbortTransaction /
 * ProcKill do this; a normal exit that skipped it would leave pins counted
 * in shared memory. */
void ReleaseStorageResources();

/* Where valid WAL ends, read from a starting record (the control file's
 * checkpoint or redo LSN) to the first invalid one. */
struct WalEnd {
  XLogRecPtr last_lsn = 0;    // the last valid record's start
  XLogRecPtr end_lsn = 0;     // the byte after it
  XLogRecPtr insert_lsn = 0;  // where the next record goes
  std::string error;          // why reading stopped (the reader's message)
};
/* Where the record after `rec` goes (a SWITCH takes the rest of its segment). */
XLogRecPtr NextRecordStart(const storage::wal::DecodedRecord& rec);
/* An error if not even the record at `start` can be read (PostgreSQL's
 * "could not locate a valid checkpoint record", a PANIC). */
Result<WalEnd> FindEndOfWal(const std::filesystem::path& data_dir, uint64_t system_id, XLogRecPtr start);

/* Starts the WAL in shared memory at the end of valid WAL (XLogStartup). */
Status StartWalAt(const Config& config, const storage::ControlFile& control, const WalEnd& end);

}  // namespace minipg
