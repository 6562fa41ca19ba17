/*-------------------------------------------------------------------------
 * heapam_internal.h
 *   What heapam.cpp (UPDATE, DELETE) and heap_lock.cpp (SELECT ... FOR
 *   UPDATE / SHARE) share: the page lock, a record's block reference, the
 *   tuple lock that queues a row's waiters (and its mode), and waiting
 *   for a transaction. Not for use outside engine/storage/heap.
 *-------------------------------------------------------------------------
 */
#pragma once

#include "engine/storage/heap/heap_dirty.h"
#include "engine/common/error.h"
#include "engine/storage/buffer/locked_buffer.h"
#include "engine/storage/heap/heapam.h"
#include "engine/storage/heap/visibilitymap.h"
#include "engine/storage/lmgr/lock.h"
#include "engine/storage/wal/xlog.h"

namespace minipg::storage::heap_internal {

inline constexpr const char* kSerializationFailure = "40001";

/* A record's reference to a changed page: XLogInsert adds its full image
 * when due (decided under its lock), unless redo rebuilds it (init). */
wal::XLogBlockRef BlockRef(const RelFileLocator& rel, uint8_t id, const LockedBuffer& buf, XLogRecPtr old_lsn,
                           bool init = false);

/* Before a change to the exclusively locked page: pins its visibility map
 * page into `vm` when the page is all-visible (PD_ALL_VISIBLE), so that
 * the change can clear the bits without an error (PostgreSQL pins before
 * it locks the heap page; minipg may read the map page under that lock). */
Status PinVmIfAllVisible(const RelFileLocator& rel, const LockedBuffer& buf, VmBuffer& vm);

/* In the change itself: clears PD_ALL_VISIBLE and the map bits `vm_flags`
 * (a row lock: ALL_FROZEN only, the page stays all-visible); whether the
 * page was all-visible (the record's "all-visible cleared" flag; for a
 * lock, whether ALL_FROZEN was set). */
bool ClearAllVisible(LockedBuffer& buf, VmBuffer& vm, uint8_t vm_flags = kVmValidBits);

/* Locks `block` exclusively. */
Result<LockedBuffer> LockPage(const RelFileLocator& rel, BlockNumber block);

/* What a result other than kOk means when the caller gave no TmFailure
 * (simple_heap_update's errors), or under REPEATABLE READ (40001). */
Status TmError(const TmFailure& f, bool have_tmfd);

/* The tuple lock (a `tuple` tag) that orders the waiters for one row
 * version, held until the scope ends (PostgreSQL keeps it only while it
 * changes or locks the row). */
struct TupleLockGuard {
  lmgr::LockTag tag;
  lmgr::LockMode mode = lmgr::LockMode::kExclusive;
  bool held = false;
  /* Takes it in `mode` (waiting) unless it is held already. */
  Status Acquire(const RelFileLocator& rel, ItemPointer tid, lmgr::LockMode lock_mode);
  ~TupleLockGuard() {
    if (held) lmgr::LockRelease(tag, mode);
  }
};

/* The heavyweight mode of the tuple lock a waiter in `mode` queues with
 * (PostgreSQL's tupleLockExtraInfo: AccessShare for FOR KEY SHARE,
 * RowShare for FOR SHARE, Exclusive for FOR NO KEY UPDATE and a non-key
 * UPDATE, AccessExclusive for FOR UPDATE, a key UPDATE and DELETE). */
lmgr::LockMode TupleLockMode(LockTupleMode mode);

/* Waits until `xid` (its top-level transaction for a subxid) ends, then
 * checks for interrupts; `waits` counts the waits for one row so far;
 * `where` names the tuple for an error's CONTEXT line. */
Status WaitForXact(TransactionId xid, int waits, const XactWaitContext& where);


}  // namespace minipg::storage::heap_internal
