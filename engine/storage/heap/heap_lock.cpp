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
 *   The tuple's xmax before:
 *     none, an aborted or crashed xid, a finished locker -> lock it
 *     a lock of the own transaction -> nothing (as strong) or the stronger
 *       mode of the two under the same xmax
 *     another running locker -> its mode conflicts with ours (the tuple
 *       lock conflict table below): wait; else a MultiXact of both
 *       (multixact.h), HEAP_XMAX_IS_MULTI with the strongest's bits
 *     a MultiXact of lockers -> wait for each running member that
 *       conflicts; else one more member (MultiXactIdExpand)
 *     a running updater or deleter -> wait (FOR KEY SHARE too, where
 *       PostgreSQL would make a MultiXact of both)
 *     a committed updater / deleter -> kUpdated / kDeleted for the caller
 *   Waiting is UPDATE's: the tuple lock (in the mode PostgreSQL maps the
 *   row lock mode to) then XactLockTableWait, then look again.
 *-------------------------------------------------------------------------
 */
#include <algorithm>

#include <fmt/format.h>

#include "engine/common/sqlstate.h"
#include "engine/storage/heap/heapam.h"
#include "engine/storage/heap/heapam_internal.h"
#include "engine/storage/heap/multixact.h"
#include "engine/storage/heap/procarray.h"
#include "engine/storage/heap/transam.h"
#include "engine/storage/heap/xact.h"
#include "engine/storage/wal/wal_records.h"
#include "engine/storage/wal/xlog.h"

namespace minipg::storage {

using namespace heap_internal;

namespace {

/* The xmax infomask bits of a lock in `mode`. */
uint16_t LockInfomask(LockTupleMode mode) {
  switch (mode) {
    case LockTupleMode::kKeyShare:
      return kHeapXmaxLockOnly | kHeapXmaxKeyshrLock;
    case LockTupleMode::kShare:
      return kHeapXmaxLockOnly | kHeapXmaxKeyshrLock | kHeapXmaxExclLock;
    case LockTupleMode::kNoKeyExclusive:
    case LockTupleMode::kExclusive:
      break;
  }
  return kHeapXmaxLockOnly | kHeapXmaxExclLock;
}

/* The mode of the lock-only xmax of `t`. */
LockTupleMode LockModeOf(const HeapTupleHeader& t) {
  bool excl = (t.infomask & kHeapXmaxExclLock) != 0;
  bool keyshr = (t.infomask & kHeapXmaxKeyshrLock) != 0;
  if (excl && keyshr) return LockTupleMode::kShare;
  if (excl) return (t.infomask2 & kHeapKeysUpdated) != 0 ? LockTupleMode::kExclusive : LockTupleMode::kNoKeyExclusive;
  return LockTupleMode::kKeyShare;
}

/* PostgreSQL's tuple lock conflict table (the heavyweight modes of
 * tupleLockExtraInfo conflict the same way). */
bool TupleLocksConflict(LockTupleMode held, LockTupleMode wanted) {
  static constexpr bool kConflicts[4][4] = {
      // KEY SHARE, SHARE, NO KEY UPDATE, UPDATE wanted
      {false, false, false, true},  // KEY SHARE held
      {false, false, true, true},   // SHARE
      {false, true, true, true},    // NO KEY UPDATE
      {true, true, true, true},     // UPDATE
  };
  return kConflicts[static_cast<int>(held)][static_cast<int>(wanted)];
}

/* A MultiXact member's status for a lock in `mode`, and the mode a
 * member's status holds (an updater's: the lock its update takes). */
MultiXactStatus StatusOf(LockTupleMode mode) {
  switch (mode) {
    case LockTupleMode::kKeyShare:
      return MultiXactStatus::kForKeyShare;
    case LockTupleMode::kShare:
      return MultiXactStatus::kForShare;
    case LockTupleMode::kNoKeyExclusive:
      return MultiXactStatus::kForNoKeyUpdate;
    case LockTupleMode::kExclusive:
      break;
  }
  return MultiXactStatus::kForUpdate;
}

LockTupleMode ModeOfStatus(MultiXactStatus status) {
  switch (status) {
    case MultiXactStatus::kForKeyShare:
      return LockTupleMode::kKeyShare;
    case MultiXactStatus::kForShare:
      return LockTupleMode::kShare;
    case MultiXactStatus::kForNoKeyUpdate:
    case MultiXactStatus::kNoKeyUpdate:
      return LockTupleMode::kNoKeyExclusive;
    case MultiXactStatus::kForUpdate:
    case MultiXactStatus::kUpdate:
      break;
  }
  return LockTupleMode::kExclusive;
}

/* The heavyweight mode of the tuple lock a waiter in `mode` queues with. */
lmgr::LockMode TupleLockMode(LockTupleMode mode) {
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

/* The record's infobits for the tuple's xmax bits (compute_infobits). */
uint8_t Infobits(uint16_t infomask, uint16_t infomask2) {
  uint8_t bits = 0;
  if ((infomask & kHeapXmaxIsMulti) != 0) bits |= wal::kXlhlXmaxIsMulti;
  if ((infomask & kHeapXmaxLockOnly) != 0) bits |= wal::kXlhlXmaxLockOnly;
  if ((infomask & kHeapXmaxExclLock) != 0) bits |= wal::kXlhlXmaxExclLock;
  if ((infomask & kHeapXmaxKeyshrLock) != 0) bits |= wal::kXlhlXmaxKeyshrLock;
  if ((infomask2 & kHeapKeysUpdated) != 0) bits |= wal::kXlhlKeysUpdated;
  return bits;
}

/* Whether `xid` is still running: not aborted in pg_xact (a subtransaction
 * rolled back to its savepoint is, while its parent runs) and in the proc
 * array (an xid left in progress by a crash is not). */
Result<bool> XidRunning(TransactionId xid) {
  auto fate = TransactionIdFate(xid);
  if (!fate.ok()) return fate.error();
  return *fate == XidFate::kRunning;
}

/* What the xmax of the tuple at `tid` means for a locker in `mode`. */
struct LockStep {
  enum class Kind { kLock, kHeld, kWait, kResult } kind = Kind::kLock;
  TransactionId xmax = kInvalidTransactionId;  // kLock: the xmax to set; kWait: whom to wait for
  bool multi = false;                             // kLock: xmax is a MultiXactId
  LockTupleMode mode = LockTupleMode::kKeyShare;  // kLock: the mode to set (a multi's strongest)
  TmFailure failure;                            // kResult
};

/* A MultiXact xmax (lockers only: minipg makes none with an updater): a
 * running member whose lock conflicts is waited for; else the own
 * member, if as strong, is enough, or a new multi adds the lock. */
Result<LockStep> ExamineMulti(const HeapTupleHeader& t, LockTupleMode mode) {
  LockStep step;
  if ((t.infomask & kHeapXmaxLockOnly) == 0) {
    return MakeError(sqlstate::kInternalError, "a MultiXactId with an updater is not supported");
  }
  auto members = GetMultiXactIdMembers(t.xmax);
  if (!members.ok()) return members.error();
  bool own_enough = false;
  LockTupleMode strongest = mode;
  for (const MultiXactMember& m : *members) {
    LockTupleMode held = ModeOfStatus(m.status);
    if (TransactionIdIsCurrent(m.xid)) {
      own_enough = own_enough || held >= mode;
      strongest = std::max(strongest, held);
      continue;
    }
    auto running = XidRunning(m.xid);
    if (!running.ok()) return running.error();
    if (!*running) continue;
    if (TupleLocksConflict(held, mode)) {
      step.kind = LockStep::Kind::kWait;
      step.xmax = m.xid;
      return step;
    }
    strongest = std::max(strongest, held);
  }
  if (own_enough) {
    step.kind = LockStep::Kind::kHeld;
    return step;
  }
  auto expanded = MultiXactIdExpand(t.xmax, GetCurrentTransactionId(), StatusOf(mode));
  if (!expanded.ok()) return expanded.error();
  step.xmax = *expanded;
  step.multi = true;
  step.mode = strongest;
  return step;
}

Result<LockStep> Examine(const HeapTupleHeader& t, ItemPointer tid, LockTupleMode mode) {
  LockStep step;  // kLock with no xmax: the current transaction's xid, taken then
  step.mode = mode;
  if ((t.infomask & kHeapXmaxInvalid) != 0 || t.xmax == kInvalidTransactionId) return step;
  if ((t.infomask & kHeapXmaxIsMulti) != 0) return ExamineMulti(t, mode);
  if ((t.infomask & kHeapXmaxLockOnly) != 0) {
    LockTupleMode held = LockModeOf(t);
    if (TransactionIdIsCurrent(t.xmax)) {
      if (held >= mode) step.kind = LockStep::Kind::kHeld;
      step.xmax = t.xmax;  // the own lock (maybe a parent's) made stronger
      step.mode = std::max(held, mode);
      return step;
    }
    auto running = XidRunning(t.xmax);
    if (!running.ok()) return running.error();
    if (!*running) return step;
    if (TupleLocksConflict(held, mode)) {
      step.kind = LockStep::Kind::kWait;
      step.xmax = t.xmax;
      return step;
    }
    // A compatible lock of another running transaction: both in a MultiXact.
    auto multi = MultiXactIdCreateFromArray(
        {{t.xmax, StatusOf(held)}, {GetCurrentTransactionId(), StatusOf(mode)}});
    if (!multi.ok()) return multi.error();
    step.xmax = *multi;
    step.multi = true;
    step.mode = std::max(held, mode);
    return step;
  }
  step.failure.xmax = t.xmax;
  if (TransactionIdIsCurrent(t.xmax)) {
    step.kind = LockStep::Kind::kResult;
    step.failure.result = TmResult::kSelfModified;
    return step;
  }
  auto fate = TransactionIdFate(t.xmax);
  if (!fate.ok()) return fate.error();
  if (*fate == XidFate::kAborted) return step;  // a crashed one's change counts as aborted too
  if (*fate == XidFate::kRunning) {
    step.kind = LockStep::Kind::kWait;
    step.xmax = t.xmax;
    return step;
  }
  step.kind = LockStep::Kind::kResult;
  bool updated = t.ctid.block != tid.block || t.ctid.offset != tid.offset;
  step.failure.result = updated ? TmResult::kUpdated : TmResult::kDeleted;
  step.failure.ctid = t.ctid;
  return step;
}

/* Sets the lock on the tuple at `tid` of the locked page and logs it; an
 * all-frozen page loses its ALL_FROZEN bit (the xmax is new). */
Status SetTupleLock(const RelFileLocator& rel, LockedBuffer& buf, ItemPointer tid, TransactionId xmax, bool multi,
                    LockTupleMode mode, TransactionId xid) {
  VmBuffer vm;
  if (Status s = PinVmIfAllVisible(rel, buf, vm); !s.ok()) return s;
  char* page = buf.page();
  XLogRecPtr old_lsn = PageGetLSN(page);
  char* item = PageGetItemData(page, PageGetItemId(page, tid.offset));
  HeapTupleSetXmax(item, xmax);  // clears the xmax hint and lock bits
  uint16_t infomask = static_cast<uint16_t>(LockInfomask(mode) | (multi ? kHeapXmaxIsMulti : 0));
  uint16_t infomask2 = mode == LockTupleMode::kExclusive ? kHeapKeysUpdated : 0;
  HeapTupleSetInfomask(item, infomask);
  HeapTupleSetInfomask2(item, infomask2, static_cast<uint16_t>((kHeapKeysUpdated & ~infomask2) | kHeapHotUpdated));
  HeapTupleSetCtid(item, tid);
  uint8_t flags = ClearAllVisible(buf, vm, kVmAllFrozen) ? wal::kXlhLockAllFrozenCleared : 0;
  wal::XLogBlockRef ref = BlockRef(rel, 0, buf, old_lsn);
  std::string main = wal::EncodePayload(wal::HeapLockRecord{xmax, tid.offset, Infobits(infomask, infomask2), flags});
  XLogRecPtr end = wal::XLogInsertOrPanic(wal::RmgrId::kHeap, wal::kHeapLock, xid, {&ref, 1}, main);
  PageSetLSN(page, end);
  MarkBufferDirty(buf.get());
  return OkStatus();
}

}  // namespace

Result<TransactionId> heap_internal::RunningLocker(const HeapTupleHeader& t) {
  if ((t.infomask & kHeapXmaxLockOnly) == 0 || (t.infomask & kHeapXmaxInvalid) != 0 ||
      t.xmax == kInvalidTransactionId) {
    return kInvalidTransactionId;
  }
  if ((t.infomask & kHeapXmaxIsMulti) != 0) {  // its first running member but the own transaction
    auto members = GetMultiXactIdMembers(t.xmax);
    if (!members.ok()) return members.error();
    for (const MultiXactMember& m : *members) {
      if (TransactionIdIsCurrent(m.xid)) continue;
      auto running = XidRunning(m.xid);
      if (!running.ok()) return running.error();
      if (*running) return m.xid;
    }
    return kInvalidTransactionId;
  }
  if (TransactionIdIsCurrent(t.xmax)) return kInvalidTransactionId;
  auto running = XidRunning(t.xmax);
  if (!running.ok()) return running.error();
  return *running ? t.xmax : kInvalidTransactionId;
}

Status HeapLockTuple(const RelFileLocator& rel, std::string_view relname, ItemPointer tid, LockTupleMode mode,
                     LockWaitPolicy wait, TmFailure* tmfd) {
  *tmfd = TmFailure{};
  TupleLockGuard tuple_lock;
  for (int waits = 0;;) {
    auto b = LockPage(rel, tid.block);
    if (!b.ok()) return b.error();
    LockedBuffer buf = std::move(*b);
    const char* page = buf.page();
    if (PageIsNew(page) || tid.offset < kFirstOffsetNumber || tid.offset > PageGetMaxOffsetNumber(page) ||
        PageGetItem(page, PageGetItemId(page, tid.offset)).empty()) {
      return MakeError(sqlstate::kInternalError, "attempted to lock invisible tuple");
    }
    auto header = HeapTupleGetHeader(PageGetItem(page, PageGetItemId(page, tid.offset)));
    if (!header.ok()) return header.error();
    auto step = Examine(*header, tid, mode);
    if (!step.ok()) return step.error();
    switch (step->kind) {
      case LockStep::Kind::kLock: {
        // The xid is taken only now, as heap_lock_tuple does: a waiter has none.
        TransactionId xid = GetCurrentTransactionId();
        return SetTupleLock(rel, buf, tid, step->xmax != kInvalidTransactionId ? step->xmax : xid, step->multi,
                            step->mode, xid);
      }
      case LockStep::Kind::kHeld:
        return OkStatus();
      case LockStep::Kind::kResult:
        *tmfd = step->failure;
        return OkStatus();
      case LockStep::Kind::kWait:
        break;
    }
    buf.Reset();
    if (wait == LockWaitPolicy::kError) {
      return MakeError(sqlstate::kLockNotAvailable, fmt::format("could not obtain lock on row in relation \"{}\"", relname));
    }
    if (wait == LockWaitPolicy::kSkip) {
      tmfd->result = TmResult::kWouldBlock;
      tmfd->xmax = step->xmax;
      return OkStatus();
    }
    if (Status s = tuple_lock.Acquire(rel, tid, TupleLockMode(mode)); !s.ok()) return s;
    if (Status s = WaitForXact(step->xmax, ++waits); !s.ok()) return s;
  }
}

}  // namespace minipg::storage
