/*-------------------------------------------------------------------------
 * storage_events.h
 *   The storage layer's events (schema 6: shared buffers, the WAL,
 *   recovery), one function per event, so that each place in the buffer
 *   pool, the WAL or the startup process that emits one is a single call
 *   and every emitter writes the fields docs/events.md documents, in the
 *   same form:
 *
 *     rel    "1663/5/16384" (tablespace/database/relfilenode, as
 *            pg_buffercache's columns and PostgreSQL's messages name a file)
 *     fork   "main", "fsm", "vm"
 *     LSNs   strings as PostgreSQL prints them: "0/16B3748"
 *
 * NOTES
 *   Storage code does not include this header: the buffer pool and the WAL
 *   call hooks (a function pointer each), and the process that installs the
 *   hook forwards to these functions. Like every Emit(), they never block
 *   and are not for signal handlers.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/storage/block.h"
#include "engine/trace/emitter.h"

namespace minipg::trace {

/* "1663/5/16384": how a relation file is named in events (built without
 * an allocation: a backend names a page in every buffer_read). */
class RelFieldValue {
 public:
  explicit RelFieldValue(const storage::RelFileLocator& rel);
  std::string_view view() const { return {text_, len_}; }

 private:
  char text_[3 * 10 + 2];
  size_t len_ = 0;
};
/* "main", "fsm", "vm". */
std::string_view ForkFieldValue(storage::ForkNumber fork);

/* One area of the shared memory segment, for shmem_layout. */
struct ShmemAreaField {
  std::string name;
  uint64_t offset = 0;
  uint64_t size = 0;
};

/* postmaster, each time it creates the segment (start, crash cycle). */
void EmitShmemLayout(int64_t nbuffers, int64_t wal_buffers,
                     const std::vector<ShmemAreaField>& areas);

/* A process asked the pool for a page: `hit` when it was already there;
 * `usage` the buffer's usage count after the pin (-1: not sent). */
void EmitBufferRead(const storage::BufferTag& tag, int64_t buffer, bool hit,
                    std::string_view relname = "", int usage = -1);
/* A buffer was taken for another page; `old` is the page it held. */
void EmitBufferEvict(int64_t buffer, const storage::BufferTag& old, bool dirty);
/* A dirty buffer was written to its file; `by`: "backend", "bgwriter", "checkpointer". */
void EmitBufferWrite(int64_t buffer, const storage::BufferTag& tag, std::string_view by);
/* A clean buffer was changed for the first time since it was read or written. */
void EmitBufferDirty(int64_t buffer, const storage::BufferTag& tag);

/* The storage fields of the checkpointer's own events (schema 6), added to
 * the checkpoint_start / checkpoint_done it builds:
 *   trace::Event ev(EventType::kCheckpointDone); ev.Str("reason", ...)...;
 *   AddCheckpointStorageFields(ev, redo, &counts); ev.Emit();
 * `done` null for checkpoint_start (only its redo point is known then). */
struct CheckpointCounts {
  int64_t buffers_written = 0;
  int64_t wal_removed = 0;
  int64_t wal_recycled = 0;
};
Event& AddCheckpointStorageFields(Event& ev, storage::XLogRecPtr redo_lsn,
                                  const CheckpointCounts* done);

/* A WAL record was inserted at [lsn, end_lsn). */
void EmitWalInsert(storage::XLogRecPtr lsn, storage::XLogRecPtr end_lsn, std::string_view rmgr,
                   std::string_view record, int64_t len, storage::TransactionId xid, bool fpi);
/* The WAL is flushed up to `upto`; `by`: "backend", "walwriter", "checkpointer"; `synced`
 * false when fsync = off skipped the sync. */
void EmitWalFlush(storage::XLogRecPtr upto, std::string_view by, bool synced);

/* The startup process: replay begins at `redo`; `reason` "crash" or "clean". */
void EmitRecoveryStart(storage::XLogRecPtr redo, std::string_view reason);
void EmitRecoveryProgress(storage::XLogRecPtr lsn, int64_t records);
void EmitRecoveryDone(storage::XLogRecPtr end, int64_t records, int64_t duration_us);

/* Transactions (schema 7): a transaction took its xid (`top_xid` = xid
 * for a top-level one); one ended (xid 0 if it had none; `lsn` its commit
 * record's end, 0 if none); a statement or transaction snapshot was taken. */
void EmitXidAssigned(storage::TransactionId xid, storage::TransactionId top_xid);
void EmitXactEnd(storage::TransactionId xid, bool commit, storage::XLogRecPtr lsn, bool flushed);
void EmitSnapshot(storage::TransactionId xmin, storage::TransactionId xmax,
                  const std::vector<storage::TransactionId>& xip, std::string_view scope,
                  std::string_view isolation);

}  // namespace minipg::trace
