/*-------------------------------------------------------------------------
 * heap_dirty.h
 *   What a unique check sees of a row version (PostgreSQL's SnapshotDirty /
 *   HeapTupleSatisfiesDirty, as _bt_check_unique and the ON CONFLICT
 *   arbiter check use it): not only what has committed, but also what
 *   another transaction is doing to the row right now.
 *
 *     xmin aborted (or crashed)                         -> dead
 *     xmin is mine: not deleted by me                   -> live
 *                   deleted by me                       -> dead
 *     xmin in progress (another transaction)            -> live, wait for xmin
 *     xmin committed, then xmax: none, only a lock,
 *                               aborted                 -> live
 *                               mine                    -> dead
 *                               in progress             -> live, wait for xmax
 *                               committed               -> dead
 *
 *   A caller that is told to wait gives up its buffer locks, waits for
 *   that transaction to end (WaitForTransactionEnd: ShareLock on its
 *   `transactionid`, the wait pg_locks and pg_stat_activity show) and
 *   looks again: the inserter may have aborted, the deleter committed.
 *
 * NOTES
 *   No hint bits are set here (the visibility rules of snapshot.h set
 *   them on the next scan). A subtransaction's xid is waited for through
 *   its top-level transaction, so a waiter may wait longer than in
 *   PostgreSQL when only the subtransaction aborts.
 *-------------------------------------------------------------------------
 */
#pragma once

#include "engine/common/error.h"
#include "engine/storage/block.h"
#include "engine/storage/page/heap_tuple.h"

namespace minipg::storage {

struct DirtyTuple {
  bool live = false;                               // an equal key here is a conflict (once wait_for ended)
  TransactionId wait_for = kInvalidTransactionId;  // in progress: inserting or deleting it
  // No snapshot sees it, now or later: its inserter aborted, or its
  // deleter committed (on disk: the xmax hint is set) before
  // RecentGlobalXmin (procarray.h). Its index entries may be marked dead
  // (PostgreSQL's LP_DEAD hint).
  bool dead_to_all = false;
};

/* The row version at `tid` of `rel` as the unique check sees it; no tuple
 * there: dead. */
Result<DirtyTuple> HeapTupleDirtyAt(const RelFileLocator& rel, ItemPointer tid);

/* What a wait for a row's transaction is for: an error while waiting
 * (deadlock, lock_timeout, cancel) gets PostgreSQL's CONTEXT line
 * naming the tuple and relation ("while updating tuple (0,1) in relation
 * \"t\""); kNone: no line. */
enum class XactWaitOper { kNone, kUpdate, kDelete, kLock, kLockUpdated, kInsertIndex };
struct XactWaitContext {
  XactWaitOper oper = XactWaitOper::kNone;
  ItemPointer tid{};
  std::string_view relname;
};

/* Waits until the transaction `xid` has ended (a subtransaction's: its
 * top-level one), as PostgreSQL's XactLockTableWait. */
Status WaitForTransactionEnd(TransactionId xid, const XactWaitContext& where = {});

}  // namespace minipg::storage
