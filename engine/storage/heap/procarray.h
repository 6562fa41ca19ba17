/*-------------------------------------------------------------------------
 * procarray.h
 *   The running transactions, shared by every process (PostgreSQL's
 *   procarray.c): one entry per process-array slot (the slot numbers of
 *   backend_status.h) holding that process's top-level xid while it has
 *   one, and the xmin of the snapshot it uses, under the ProcArray LWLock.
 *
 *   Shared memory, one area "procarray" (ProcArrayShmemRequests):
 *
 *     ProcArray lock
 *     latest_completed: the highest xid that has ended (a snapshot's
 *                       xmax is one past it, as PostgreSQL's
 *                       latestCompletedXid)
 *     entries[num_slots]: xid (0 = none), xmin (0 = no snapshot)
 *
 *   Who changes an entry, and under which lock:
 *     - AssignTransactionId stores a new xid in the taker's entry while it
 *       still holds XidGen (ProcArrayPublishXid), so a snapshot, which
 *       reads the next xid before it looks at the entries, either sees the
 *       xid in an entry or has an xmax at or below it;
 *     - ProcArrayEndTransaction clears xid and xmin under ProcArray
 *       exclusive, called only after pg_xact says how the transaction
 *       ended: a snapshot that no longer finds the xid finds its outcome;
 *     - GetSnapshotData (snapshot.h) takes ProcArray shared, reads
 *       latest_completed and every entry, and sets its own entry's xmin:
 *       no transaction can end meanwhile, so a snapshot never sees a
 *       later commit without an earlier one;
 *     - the postmaster clears the entry of a process it reaps
 *       (ProcArrayClearSlot): a backend that died never ends its
 *       transaction, which stays "in progress" in pg_xact and so counts
 *       as aborted (TransactionIdIsInProgress is false for it).
 *
 * NOTES
 *   Lock order: ProcArray, then XidGen; publishing an xid is one atomic
 *   store under XidGen alone (no ProcArray), as in PostgreSQL. A process
 *   without a slot (a unit test) keeps its xid in process memory only;
 *   with no shared area at all, every xid in progress in pg_xact counts as
 *   running (a snapshot then lists them all: tests only).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <vector>

#include "engine/common/error.h"
#include "engine/shmem/shmem.h"
#include "engine/storage/block.h"

namespace minipg::storage {

inline constexpr const char* kProcArrayShmemAreaName = "procarray";

/* The area for the postmaster's CreateSharedMemory: `num_slots` entries
 * (max_connections plus the auxiliary processes). */
std::vector<shmem::ShmemRequest> ProcArrayShmemRequests(int num_slots);

/* This process's entry gets `xid` (XidGen held by the caller). */
void ProcArrayPublishXid(TransactionId xid);
/* This process's entry: xid and xmin cleared (after pg_xact is set); the
 * latest completed xid moves to its xid, or to `latest_xid` (its newest
 * subtransaction's) when that is newer. */
void ProcArrayEndTransaction(TransactionId latest_xid = kInvalidTransactionId);
/* The postmaster, for a process it reaped. */
void ProcArrayClearSlot(int slot);

/* Whether `xid` is the xid of a live process's running transaction. */
bool TransactionIdIsInProgress(TransactionId xid);

/* Where another transaction's xid stands. The proc array is asked before
 * pg_xact's "in progress" is believed, and pg_xact read again after it: a
 * commit reaches pg_xact before it leaves the proc array, so an xid that
 * has just committed is never taken for aborted (PostgreSQL's order:
 * TransactionIdIsInProgress, then TransactionIdDidCommit). An xid in
 * progress in pg_xact but in no proc array entry died in a crash: aborted.
 * A subtransaction rolled back to its savepoint is aborted at once. */
enum class XidFate : uint8_t { kRunning, kCommitted, kAborted };
Result<XidFate> TransactionIdFate(TransactionId xid);

/* What GetSnapshotData needs, read under one ProcArray shared hold:
 * xmax (one past the latest completed xid), the xids below it running in
 * other processes, and xmin (the lowest of them, or xmax). With
 * set_my_xmin, this process's entry gets that xmin when it has none. */
struct RunningXids {
  TransactionId xmin = kInvalidTransactionId;
  TransactionId xmax = kInvalidTransactionId;
  std::vector<TransactionId> xids;
};
RunningXids GetRunningXids(bool set_my_xmin);

/* The oldest xmin of any process's snapshot (and the oldest running xid)
 * when this process last took a snapshot (GetRunningXids): no snapshot
 * then or later is older, so a row version whose deleter committed before
 * it is dead to all (PostgreSQL's GlobalVisState horizon). 0 before the
 * first snapshot, and in a process without the shared proc array. */
TransactionId RecentGlobalXmin();

/* The next xid is `next` (startup, redo): every xid below it has ended. */
void ProcArraySetLatestCompleted(TransactionId next);

/* This process's snapshot xmin (pg_stat_activity.backend_xmin): set to
 * `xmin`, or cleared with 0. */
void ProcArraySetMyXmin(TransactionId xmin);

/* The xid and xmin of the entry of process-array slot `slot` (0, 0 if
 * none): pg_stat_activity's backend_xid and backend_xmin. */
struct ProcArrayEntry {
  TransactionId xid = kInvalidTransactionId;
  TransactionId xmin = kInvalidTransactionId;
};
ProcArrayEntry ProcArrayEntryOf(int slot);

}  // namespace minipg::storage
