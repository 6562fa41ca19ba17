/*-------------------------------------------------------------------------
 * heap_dirty.cpp
 *   The unique check's view of a row version and the wait for its
 *   inserter or deleter (see heap_dirty.h).
 *-------------------------------------------------------------------------
 */
#include "engine/storage/heap/heap_dirty.h"

#include "engine/common/interrupts.h"
#include "engine/storage/buffer/locked_buffer.h"
#include "engine/storage/heap/heap_xmax.h"
#include "engine/storage/heap/procarray.h"
#include "engine/storage/heap/subtrans.h"
#include "engine/storage/heap/transam.h"
#include "engine/storage/heap/xact.h"
#include "engine/storage/lmgr/lock.h"

namespace minipg::storage {

namespace {

/* The rules of heap_dirty.h over one tuple header. */
Result<DirtyTuple> Classify(const HeapTupleHeader& t) {
  DirtyTuple d;
  auto updater = HeapTupleGetUpdateXid(t);  // the deleter or updater, also in a MultiXact
  if (!updater.ok()) return updater.error();
  TransactionId xmax = *updater;
  bool xmax_none = xmax == kInvalidTransactionId;
  if ((t.infomask & kHeapXminCommitted) == 0) {
    if ((t.infomask & kHeapXminInvalid) != 0) {
      d.dead_to_all = true;  // its inserter aborted: no snapshot ever sees it
      return d;
    }
    if (TransactionIdIsCurrent(t.xmin)) {
      d.live = xmax_none || !TransactionIdIsCurrent(xmax);
      return d;
    }
    auto fate = TransactionIdFate(t.xmin);
    if (!fate.ok()) return fate.error();
    if (*fate == XidFate::kAborted) {
      d.dead_to_all = true;
      return d;
    }
    if (*fate == XidFate::kRunning) {
      d.live = true;
      d.wait_for = t.xmin;
      return d;
    }
  }
  d.live = true;
  if (xmax_none) return d;
  if (TransactionIdIsCurrent(xmax)) {
    d.live = false;
    return d;
  }
  if ((t.infomask & kHeapXmaxCommitted) == 0) {
    auto fate = TransactionIdFate(xmax);
    if (!fate.ok()) return fate.error();
    if (*fate == XidFate::kRunning) d.wait_for = xmax;
    d.live = *fate != XidFate::kCommitted;
    if (d.live) return d;
  }
  // Deleted by a committed transaction: dead to every snapshot once no
  // snapshot is older than the deleter, and once its commit is on disk,
  // which the xmax hint says (SetHintBits waits for that): an index entry
  // marked dead must not outlive a commit that a crash could still undo
  // (synchronous_commit = off), as PostgreSQL's HeapTupleIsSurelyDead.
  d.live = false;
  d.dead_to_all = (t.infomask & kHeapXmaxCommitted) != 0 && xmax < RecentGlobalXmin();
  return d;
}

}  // namespace

Result<DirtyTuple> HeapTupleDirtyAt(const RelFileLocator& rel, ItemPointer tid) {
  auto b = ReadBuffer(BufferTag{rel, ForkNumber::kMain, tid.block});
  if (!b.ok()) return b.error();
  LockedBuffer buf(*b, BufferLockMode::kShare);
  const char* page = buf.page();
  if (PageIsNew(page) || tid.offset < kFirstOffsetNumber || tid.offset > PageGetMaxOffsetNumber(page)) {
    return DirtyTuple{};
  }
  std::string_view item = PageGetItem(page, PageGetItemId(page, tid.offset));
  if (item.empty()) return DirtyTuple{};
  auto header = HeapTupleGetHeader(item);
  if (!header.ok()) return header.error();
  return Classify(*header);
}

namespace {

/* PostgreSQL's XactLockTableWaitErrorCb. */
std::string WaitContextLine(const XactWaitContext& w) {
  switch (w.oper) {
    case XactWaitOper::kNone: return "";
    case XactWaitOper::kUpdate: return fmt::format("while updating tuple ({},{}) in relation \"{}\"", w.tid.block, w.tid.offset, w.relname);
    case XactWaitOper::kDelete: return fmt::format("while deleting tuple ({},{}) in relation \"{}\"", w.tid.block, w.tid.offset, w.relname);
    case XactWaitOper::kLock: return fmt::format("while locking tuple ({},{}) in relation \"{}\"", w.tid.block, w.tid.offset, w.relname);
    case XactWaitOper::kLockUpdated:
      return fmt::format("while locking updated version ({},{}) of tuple in relation \"{}\"", w.tid.block, w.tid.offset, w.relname);
    case XactWaitOper::kInsertIndex:
      return fmt::format("while inserting index tuple ({},{}) in relation \"{}\"", w.tid.block, w.tid.offset, w.relname);
  }
  return "";
}

}  // namespace

Status WaitForTransactionEnd(TransactionId xid, const XactWaitContext& where) {
  TransactionId top = SubTransGetTopmostTransaction(xid);
  if (top == kInvalidTransactionId) top = xid;
  Status s = lmgr::XactLockTableWait(top);
  if (s.ok()) s = CheckForInterrupts();
  if (!s.ok() && where.oper != XactWaitOper::kNone && !where.relname.empty() && s.error().context.empty()) {
    Error e = s.error();
    e.context = WaitContextLine(where);
    return e;
  }
  return s;
}

}  // namespace minipg::storage
