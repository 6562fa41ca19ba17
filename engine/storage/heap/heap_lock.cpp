/*-------------------------------------------------------------------------
 * heap_lock.cpp
 *   Row locks taken by SELECT ... FOR UPDATE / NO KEY UPDATE / SHARE /
 *   KEY SHARE (PostgreSQL's heap_lock_tuple, see heapam.h): the locker's
 *   xid goes into the tuple's xmax with HEAP_XMAX_LOCK_ONLY, so readers
 *   still see the row (snapshot.cpp treats a lock-only xmax as no delete)
 *   while writers and stronger lockers wait for the locker to end.
 *
 *   mode              infomask bits                    infomask2
 *   FOR KEY SHARE     LOCK_ONLY | KEYSHR_LOCK
 *   FOR SHARE         LOCK_ONLY | KEYSHR_LOCK | EXCL_LOCK (= SHR_LOCK)
 *   FOR NO KEY UPDATE LOCK_ONLY | EXCL_LOCK
 *   FOR UPDATE        LOCK_ONLY | EXCL_LOCK              KEYS_UPDATED
 *
 *   What the tuple's xmax means for the locker is heap_xmax.h's
 *   CheckXmax: a running member whose mode conflicts is waited for (the
 *   tuple lock, in the mode PostgreSQL maps the row lock mode to, then
 *   XactLockTableWait, then look again); a committed conflicting updater
 *   or deleter is kUpdated / kDeleted for the caller; else the lock is
 *   set (ComputeNewXmax): the locker's xid alone, the own lock made
 *   stronger, or a MultiXact with the members that stay (multixact.h),
 *   HEAP_XMAX_IS_MULTI with the strongest's bits, LOCK_ONLY unless an
 *   updater is among them.
 *   FOR KEY SHARE and a non-key update share the row: the locker does
 *   not wait for the updater (running or committed) and locks the newer
 *   versions of the row too, first (LockUpdatedVersions), as
 *   PostgreSQL's heap_lock_updated_tuple does.
 *-------------------------------------------------------------------------
 */
#include <optional>

#include <fmt/format.h>

#include "engine/common/sqlstate.h"
#include "engine/storage/heap/heapam.h"
#include "engine/storage/heap/heapam_internal.h"
#include "engine/storage/heap/heap_xmax.h"
#include "engine/storage/heap/multixact.h"
#include "engine/storage/heap/procarray.h"
#include "engine/storage/heap/transam.h"
#include "engine/storage/heap/xact.h"
#include "engine/storage/wal/wal_records.h"
#include "engine/storage/wal/xlog.h"

namespace minipg::storage {

using namespace heap_internal;

namespace {

/* Sets `x` as the xmax of the tuple at `tid` of the locked page and logs
 * it; a lock-only xmax also points the ctid back at the tuple itself (an
 * updated version keeps its link to the next one). An all-frozen page
 * loses its ALL_FROZEN bit (the xmax is new). */
Status SetTupleLock(const RelFileLocator& rel, LockedBuffer& buf, ItemPointer tid, const NewXmax& x,
                    TransactionId xid) {
  VmBuffer vm;
  if (Status s = PinVmIfAllVisible(rel, buf, vm); !s.ok()) return s;
  char* page = buf.page();
  XLogRecPtr old_lsn = PageGetLSN(page);
  char* item = PageGetItemData(page, PageGetItemId(page, tid.offset));
  SetTupleXmax(item, x);
  if ((x.infomask & kHeapXmaxLockOnly) != 0) HeapTupleSetCtid(item, tid);
  uint8_t flags = ClearAllVisible(buf, vm, kVmAllFrozen) ? wal::kXlhLockAllFrozenCleared : 0;
  wal::XLogBlockRef ref = BlockRef(rel, 0, buf, old_lsn);
  std::string main =
      wal::EncodePayload(wal::HeapLockRecord{x.xmax, tid.offset, XmaxInfobits(x.infomask, x.infomask2), flags});
  MarkBufferDirty(buf.get());
  XLogRecPtr end = wal::XLogInsertOrPanic(wal::RmgrId::kHeap, wal::kHeapLock, xid, {&ref, 1}, main);
  PageSetLSN(page, end);
  return OkStatus();
}

/* The header of the tuple at `tid` on the locked page, nullopt if the
 * slot is empty or out of range. */
Result<std::optional<HeapTupleHeader>> HeaderAt(const LockedBuffer& buf, ItemPointer tid) {
  const char* page = buf.page();
  if (PageIsNew(page) || tid.offset < kFirstOffsetNumber || tid.offset > PageGetMaxOffsetNumber(page)) {
    return std::optional<HeapTupleHeader>();
  }
  std::string_view item = PageGetItem(page, PageGetItemId(page, tid.offset));
  if (item.empty()) return std::optional<HeapTupleHeader>();
  auto header = HeapTupleGetHeader(item);
  if (!header.ok()) return header.error();
  return std::optional<HeapTupleHeader>(*header);
}

/* After a FOR KEY SHARE lock found a non-key update on the version: the
 * newer versions of the row (from `next`, inserted by `prior_xmax`) are
 * locked too, so whoever deletes or re-keys one of them later waits for
 * this locker (PostgreSQL's heap_lock_updated_tuple). A conflicting
 * running change is waited for; a committed one is kUpdated / kDeleted
 * in `tmfd`. */
Status LockUpdatedVersions(const RelFileLocator& rel, std::string_view relname, ItemPointer next,
                           TransactionId prior_xmax, LockTupleMode mode, TmFailure* tmfd) {
  for (;;) {
    TupleLockGuard tuple_lock;
    std::optional<HeapTupleHeader> header;
    for (int waits = 0;;) {
      auto b = LockPage(rel, next.block);
      if (!b.ok()) return b.error();
      LockedBuffer buf = std::move(*b);
      auto h = HeaderAt(buf, next);
      if (!h.ok()) return h.error();
      header = *h;
      if (!header || header->xmin != prior_xmax) return OkStatus();  // pruned, or not this row's successor
      auto xmin_fate = TransactionIdFate(header->xmin);
      if (!xmin_fate.ok()) return xmin_fate.error();
      if (*xmin_fate == XidFate::kAborted) return OkStatus();
      auto check = CheckXmax(*header, next, mode, false);
      if (!check.ok()) return check.error();
      if (check->kind == XmaxCheck::Kind::kWait) {
        buf.Reset();
        if (Status s = tuple_lock.Acquire(rel, next, TupleLockMode(mode)); !s.ok()) return s;
        if (Status s = WaitForXact(check->wait_for, ++waits, {XactWaitOper::kLockUpdated, next, relname}); !s.ok()) {
          return s;
        }
        continue;
      }
      if (check->kind == XmaxCheck::Kind::kUpdated || check->kind == XmaxCheck::Kind::kDeleted) {
        *tmfd = ChangedRowFailure(*check, *header);
        return OkStatus();
      }
      if (check->kind == XmaxCheck::Kind::kFree) {
        TransactionId xid = GetCurrentTransactionId();
        auto x = ComputeNewXmax(*header, xid, mode, false);
        if (!x.ok()) return x.error();
        if (Status s = SetTupleLock(rel, buf, next, *x, xid); !s.ok()) return s;
      }
      break;  // locked, or held already by the own transaction
    }
    auto update_xid = HeapTupleGetUpdateXid(*header);
    if (!update_xid.ok()) return update_xid.error();
    if (*update_xid == kInvalidTransactionId || header->ctid == next) return OkStatus();
    prior_xmax = *update_xid;
    next = header->ctid;
  }
}

}  // namespace

lmgr::LockMode heap_internal::TupleLockMode(LockTupleMode mode) {
  switch (mode) {
    case LockTupleMode::kKeyShare:
      return lmgr::LockMode::kAccessShare;
    case LockTupleMode::kShare:
      return lmgr::LockMode::kRowShare;
    case LockTupleMode::kNoKeyExclusive:
      return lmgr::LockMode::kExclusive;
    case LockTupleMode::kExclusive:
      break;
  }
  return lmgr::LockMode::kAccessExclusive;
}

Status HeapLockTuple(const RelFileLocator& rel, std::string_view relname, ItemPointer tid, LockTupleMode mode,
                     LockWaitPolicy wait, TmFailure* tmfd) {
  *tmfd = TmFailure{};
  TupleLockGuard tuple_lock;
  bool chain_locked = false;
  for (int waits = 0;;) {
    auto b = LockPage(rel, tid.block);
    if (!b.ok()) return b.error();
    LockedBuffer buf = std::move(*b);
    auto header = HeaderAt(buf, tid);
    if (!header.ok()) return header.error();
    if (!header->has_value()) return MakeError(sqlstate::kInternalError, "attempted to lock invisible tuple");
    const HeapTupleHeader& t = **header;
    auto check = CheckXmax(t, tid, mode, false);
    if (!check.ok()) return check.error();
    switch (check->kind) {
      case XmaxCheck::Kind::kFree: {
        if (check->non_key_update && !chain_locked && !(t.ctid == tid)) {
          // The newer versions first, the page let go meanwhile; then look again.
          buf.Reset();
          if (Status s = LockUpdatedVersions(rel, relname, t.ctid, check->update_xid, mode, tmfd); !s.ok()) return s;
          if (tmfd->result != TmResult::kOk) return OkStatus();
          chain_locked = true;
          continue;
        }
        // The xid is taken only now, as heap_lock_tuple does: a waiter has none.
        TransactionId xid = GetCurrentTransactionId();
        auto x = ComputeNewXmax(t, xid, mode, false);
        if (!x.ok()) return x.error();
        return SetTupleLock(rel, buf, tid, *x, xid);
      }
      case XmaxCheck::Kind::kHeld:
        return OkStatus();
      case XmaxCheck::Kind::kSelfModified:
      case XmaxCheck::Kind::kUpdated:
      case XmaxCheck::Kind::kDeleted:
        *tmfd = ChangedRowFailure(*check, t);
        return OkStatus();
      case XmaxCheck::Kind::kWait:
        break;
    }
    buf.Reset();
    if (wait == LockWaitPolicy::kError) {
      return MakeError(sqlstate::kLockNotAvailable, fmt::format("could not obtain lock on row in relation \"{}\"", relname));
    }
    if (wait == LockWaitPolicy::kSkip) {
      tmfd->result = TmResult::kWouldBlock;
      tmfd->xmax = check->wait_for;
      return OkStatus();
    }
    if (Status s = tuple_lock.Acquire(rel, tid, TupleLockMode(mode)); !s.ok()) return s;
    if (Status s = WaitForXact(check->wait_for, ++waits, {XactWaitOper::kLock, tid, relname}); !s.ok()) return s;
  }
}

}  // namespace minipg::storage
