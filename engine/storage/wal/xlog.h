/*-------------------------------------------------------------------------
 * xlog.h
 *   The WAL in shared memory: wal_buffers pages of WAL buffers, the
 *   insert position, and how far the WAL is written and flushed. Every
 *   process that changes a page appends a record (XLogInsert); a committer
 *   makes it durable (XLogFlush); the WAL writer flushes what asynchronous
 *   commits left (XLogBackgroundFlush).
 *
 *     WAL stream:  ...|=== flushed ===|=== written ===|=== in buffers ===|
 *                                 flush_upto      write_upto         insert
 *
 *   XLogInsert  (WALInsert lock) reserves the record's space at the insert
 *               position, sets its prev-link and CRC, copies it into the
 *               buffer pages (initialising each page's header on first use;
 *               when the page's buffer still holds an unwritten older page,
 *               writes that out first: wal_buffers_full).
 *   XLogFlush   (WALWrite lock) writes every page not yet written up to the
 *               insert position, then fdatasyncs the segment files. A caller
 *               that finds the flush position already past its LSN returns
 *               at once: while one process syncs, the commits that queue on
 *               the lock are all covered by its sync (group commit).
 *
 * NOTES
 *   Lock order: WALInsert before WALWrite, never the other way.
 *   Positions readable without a lock are atomics in the shared area.
 *   fsync = off skips every fdatasync (and the new segment's fsync).
 *   A failed fdatasync is a PANIC in PostgreSQL (the kernel may have dropped
 *   the dirty pages): XLogFlush returns an Error of severity kPanic and
 *   XLogFlushOrPanic aborts, which brings the crash cycle.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>

#include "engine/common/error.h"
#include "engine/shmem/lwlock.h"
#include "engine/shmem/shmem.h"
#include "engine/storage/wal/wal_record.h"
#include "engine/storage/wal/wal_segments.h"

namespace minipg::storage::wal {

inline constexpr const char* kWalShmemAreaName = "WAL";

/* The request for the WAL's shared memory area (postmaster, before the
 * segment is created). wal_buffers is in 8 KiB pages (at least 4). */
shmem::ShmemRequest WalShmemRequest(int wal_buffers);

struct WalStartup {
  std::filesystem::path wal_dir;   // <data directory>/pg_wal
  uint64_t system_id = 0;          // from the control file
  bool fsync = true;
  XLogRecPtr insert_lsn = 0;       // where the next record goes: the end of valid WAL
  XLogRecPtr prev_lsn = 0;         // the last valid record (the next one's prev-link)
  XLogRecPtr redo_lsn = 0;         // the last checkpoint's redo point (RedoRecPtr)
  bool full_page_writes = true;
};

/* Sets the positions after the area exists (postmaster at start, or the
 * startup process after recovery). If insert_lsn is inside a page, that
 * page's earlier bytes are read back from its segment file, so rewriting
 * the page keeps them. insert_lsn 0: a new cluster, FirstRecordLsn(). */
Status XLogStartup(const WalStartup& startup);

/* True once XLogStartup has run on this segment (false while the startup
 * process replays WAL, and after a failed write until the crash cycle). */
bool XLogStarted();

/* Appends a record; returns its end LSN (what a page changed by it gets as
 * pd_lsn, and what a commit flushes to). An error is either "not started"
 * or an I/O failure while writing out full buffers: the latter has severity
 * kPanic, and the WAL refuses every insert until it is started afresh. */
Result<XLogRecPtr> XLogInsert(RmgrId rmid, uint8_t info, TransactionId xid,
                              std::span<const XLogBlockRef> blocks, std::string_view main_data);

/* XLogInsert for a change already made to a page (PostgreSQL's critical
 * section): a record that cannot be inserted is a PANIC (logged to stderr,
 * then abort(), which brings the crash cycle). */
XLogRecPtr XLogInsertOrPanic(RmgrId rmid, uint8_t info, TransactionId xid, std::span<const XLogBlockRef> blocks,
                             std::string_view main_data);

/* The start of the last record this process inserted (PostgreSQL's
 * ProcLastRecPtr): the checkpointer's record's own LSN for pg_control. */
XLogRecPtr XLogLastInsertStart();

/* Makes the WAL durable up to at least upto. */
Status XLogFlush(XLogRecPtr upto);
/* For the buffer pool's hook before it writes a page: a failure PANICs. */
void XLogFlushOrPanic(XLogRecPtr upto);
/* The WAL writer's step: flushes whatever is inserted but not yet flushed;
 * true if there was something. */
Result<bool> XLogBackgroundFlush();

struct WalPositions {
  XLogRecPtr insert;      // pg_current_wal_insert_lsn()
  XLogRecPtr write;       // pg_current_wal_lsn()
  XLogRecPtr flush;       // pg_current_wal_flush_lsn()
  XLogRecPtr prev_record; // the last record inserted
};
WalPositions GetWalPositions();

/* pg_stat_wal's counters, since the area was made. */
struct WalStats {
  uint64_t wal_records = 0;
  uint64_t wal_fpi = 0;
  uint64_t wal_bytes = 0;
  uint64_t wal_buffers_full = 0;
  uint64_t wal_write = 0;
  uint64_t wal_sync = 0;
};
WalStats GetWalStats();

/* What the event stream is told (docs/events.md: wal_insert, wal_flush):
 * a process sets its hooks at start, so that storage does not depend on
 * trace/. Called with no WAL lock held. */
struct WalInsertEvent {
  XLogRecPtr lsn = 0;      // the record's start
  XLogRecPtr end_lsn = 0;  // its end (XLogInsert's result)
  RmgrId rmid = RmgrId::kXlog;
  uint8_t info = 0;        // IdentifyRecord(rmid, info) names it: "INSERT", "COMMIT"
  uint32_t len = 0;
  TransactionId xid = 0;
  bool fpi = false;        // it carries a full page image
};
struct WalFlushEvent {
  XLogRecPtr upto = 0;  // durable (or, with fsync = off, written) up to here
  bool synced = false;  // an fdatasync was done
};
struct WalHooks {
  void (*on_insert)(const WalInsertEvent&) = nullptr;
  void (*on_flush)(const WalFlushEvent&) = nullptr;
};
void SetWalHooks(WalHooks hooks);

/* ---- full page writes ---------------------------------------------------
 * RedoRecPtr, the redo point of the latest checkpoint (begun or finished),
 * lives in the shared area. A page whose LSN is at or before it has not
 * been changed since that checkpoint began: its next change must log the
 * whole page (a torn write of it could not be repaired from the WAL
 * otherwise). */

/* The checkpointer, as a checkpoint begins: the current insert position
 * becomes the redo point (RedoRecPtr), returned. */
Result<XLogRecPtr> XLogBeginCheckpoint();
/* Sets RedoRecPtr (the startup process, from the control file). */
void XLogSetRedoPtr(XLogRecPtr redo);
XLogRecPtr GetRedoRecPtr();
/* True when full_page_writes is on and page_lsn <= RedoRecPtr, read now:
 * a hint only (a checkpoint may begin right after). A caller that changes
 * a page passes it as XLogBlockRef::page_if_needed with its old LSN, and
 * XLogInsert decides under the insert lock. */
bool XLogNeedsFullPageImage(XLogRecPtr page_lsn);

/* PostgreSQL's DELAY_CHKPT_START. A committer holds one from before it
 * inserts its commit record until pg_xact says committed. Without it a
 * checkpoint could set its redo point after the commit record, write the
 * pg_xact page before the status is set and finish: after a crash, redo
 * starts past the commit record and the acknowledged transaction reads as
 * aborted. */
class DelayCheckpointStart {
 public:
  DelayCheckpointStart();
  ~DelayCheckpointStart();
  DelayCheckpointStart(const DelayCheckpointStart&) = delete;
  DelayCheckpointStart& operator=(const DelayCheckpointStart&) = delete;

 private:
  int slot_ = -1;
};
/* The checkpointer, after XLogBeginCheckpoint: waits until every committer
 * that held a DelayCheckpointStart at that moment has let it go. */
void XLogWaitForDelayingCommitters();

/* The WALInsert lock (tests hold it to stop an inserter between assembling
 * its record and inserting it) and how many records were assembled again
 * because a checkpoint moved the redo point in that window. */
shmem::LWLock* XLogInsertLock();
uint64_t XLogRecordsReassembled();
/* The WALWrite lock (tests hold it to line flushers up behind it). */
shmem::LWLock* XLogWriteLock();

/* The checkpointer's clean-up after a checkpoint with this redo point. */
Result<SegmentCleanup> XLogRemoveOldSegments(XLogRecPtr redo_lsn, int keep_future);

}  // namespace minipg::storage::wal
