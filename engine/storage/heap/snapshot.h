/*-------------------------------------------------------------------------
 * snapshot.h
 *   MVCC snapshots and tuple visibility (PostgreSQL's snapmgr.c,
 *   heapam_visibility.c, combocid.c, minimal).
 *
 *   A snapshot is what a statement may see: every transaction that had
 *   ended when it was taken, and nothing else (apart from its own
 *   transaction's earlier commands):
 *
 *     xmin    every xid below it had ended
 *     xmax    one past the latest xid that had ended: this one and every
 *             later xid count as running
 *     xip     the xids in [xmin, xmax) still running then
 *     curcid  its own transaction's rows of commands before this one are
 *             visible, of this command or later ones are not
 *
 *   XidInMVCCSnapshot(xid) is "was running": xid >= xmax, or in xip.
 *
 *   HeapTupleSatisfiesMVCC(tuple), PostgreSQL's rules:
 *
 *     xmin aborted (hint or pg_xact)                      -> invisible
 *     xmin is mine: inserted by this or a later command   -> invisible
 *                   not deleted, or deleted by this or a
 *                   later command of mine                 -> visible
 *     xmin running in the snapshot                        -> invisible
 *     then xmax: none, aborted, only a lock               -> visible
 *                mine: deleted by an earlier command      -> invisible
 *                running in the snapshot                  -> visible
 *                committed                                -> invisible
 *
 *   Hint bits: a reader that learns from pg_xact that xmin or xmax
 *   committed or aborted sets HEAP_XMIN_COMMITTED / HEAP_XMIN_INVALID /
 *   HEAP_XMAX_COMMITTED / HEAP_XMAX_INVALID on the tuple under the page's
 *   share lock, so the next reader needs no pg_xact lookup, and marks the
 *   buffer dirty (MarkBufferDirtyHint). A commit is hinted only once its
 *   commit record is flushed (synchronous_commit = off may leave it in
 *   the WAL buffers). minipg pages carry checksums, so a hint-only change
 *   must not reach disk torn: PostgreSQL WAL-logs a full page image first
 *   (XLOG_FPI_FOR_HINT) when the page has not changed since the redo
 *   point; minipg then leaves the hint unset instead.
 *
 *   Transaction snapshots (snapmgr): READ COMMITTED takes a new snapshot
 *   for every statement, REPEATABLE READ (and SERIALIZABLE, run as
 *   REPEATABLE READ) takes one at its first statement and keeps it to the
 *   end; each statement's copy gets the current command id as curcid.
 *   The statement's snapshot is active (GetActiveSnapshot) from after
 *   planning to the statement's end; heap scans, index heap fetches and
 *   UPDATE/DELETE read through it. Catalog reads and the unique check take
 *   a fresh snapshot per scan that sees every command of the own
 *   transaction (GetCatalogSnapshot).
 *
 *   Combo command ids (combocid.c): a tuple has one t_cid field; when a
 *   transaction deletes a row it inserted in an earlier command, the pair
 *   (cmin, cmax) is kept in this process's memory and t_cid holds its
 *   index, with HEAP_COMBOCID set.
 *
 * NOTES
 *   Every xid is treated as top-level: subtransactions map theirs with
 *   SubTransGetTopmostTransaction before looking in xip (one line in
 *   XidInMVCCSnapshot). No wrap-around: xids compare as plain numbers.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <string_view>
#include <vector>

#include "engine/common/error.h"
#include "engine/storage/block.h"
#include "engine/storage/buffer/buffer_pool.h"
#include "engine/storage/page/heap_tuple.h"

namespace minipg::storage {

/* transaction_isolation's values (PostgreSQL's XactIsoLevel). */
enum class IsolationLevel : uint8_t {
  kReadUncommitted,  // "read uncommitted": runs as READ COMMITTED, as in PostgreSQL
  kReadCommitted,    // "read committed": a snapshot per statement
  kRepeatableRead,   // "repeatable read": one snapshot per transaction
  kSerializable,     // "serializable": runs as REPEATABLE READ in minipg
};
const char* IsolationLevelName(IsolationLevel level);
std::optional<IsolationLevel> IsolationLevelFromName(std::string_view name);

/* A curcid that sees every command of the own transaction. */
inline constexpr CommandId kAllCommands = 0xFFFFFFFFu;

struct Snapshot {
  TransactionId xmin = kInvalidTransactionId;
  TransactionId xmax = kInvalidTransactionId;
  std::vector<TransactionId> xip;  // sorted
  CommandId curcid = kAllCommands;
};

/* A new snapshot from the proc array; with set_my_xmin this process's
 * backend_xmin becomes its xmin if it has none. curcid: every command. */
Snapshot GetSnapshotData(bool set_my_xmin = false);
/* Whether `xid` counts as running for `snap`. */
bool XidInMVCCSnapshot(TransactionId xid, const Snapshot& snap);

/* Whether the tuple (its `len` bytes on a page share- or exclusively
 * locked by the caller) is visible to `snap`; sets hint bits on it when
 * `buffer` is a valid buffer (its page holds the tuple). */
Result<bool> HeapTupleSatisfiesMVCC(char* tuple, size_t len, const Snapshot& snap, Buffer buffer);

/* cmin / cmax of a tuple the current transaction inserted / deleted
 * (through its combo command id when HEAP_COMBOCID is set). */
CommandId HeapTupleGetCmin(const HeapTupleHeader& t);
CommandId HeapTupleGetCmax(const HeapTupleHeader& t);
/* The t_cid and HEAP_COMBOCID to store when the current transaction
 * deletes a tuple (header `t`) in command `cmax`. */
std::pair<CommandId, bool> HeapTupleCmaxField(const HeapTupleHeader& t, CommandId cmax);

/* ---- the transaction's snapshots (snapmgr) ----------------------------- */

/* The isolation level of the current (or next) transaction; SET
 * TRANSACTION before its first snapshot, BEGIN, or the session default
 * at the start of a statement outside a block. */
void SetXactIsolation(IsolationLevel level);
IsolationLevel XactIsolation();
/* Whether the transaction has taken its first snapshot (PostgreSQL's
 * FirstSnapshotSet): SET TRANSACTION ISOLATION LEVEL is too late then. */
bool FirstSnapshotTaken();

/* The statement's snapshot: a new one (READ COMMITTED), or the
 * transaction's (taken now if this is the first), with curcid the
 * current command; it becomes the active snapshot until
 * EndStatementSnapshot. */
const Snapshot& StartStatementSnapshot();
/* The statement is done: no active snapshot; under READ COMMITTED
 * backend_xmin is cleared. */
void EndStatementSnapshot();
/* The active snapshot, nullptr between statements. */
const Snapshot* GetActiveSnapshot();
/* A fresh snapshot for one catalog scan or check: sees every commit so
 * far and every command of the own transaction. */
Snapshot GetCatalogSnapshot();
/* The active snapshot, else a catalog snapshot (what a scan uses when
 * its caller names none). */
Snapshot GetScanSnapshot();

/* The end of the transaction (xact.cpp, after the proc array entry is
 * cleared): snapshots, combo cids and the isolation level forgotten. */
void AtEOXactSnapshot();

/* Events (set by the server process; none in unit tests). */
struct SnapshotEventHooks {
  void (*snapshot)(const Snapshot& snap, bool transaction_scope, IsolationLevel level) = nullptr;
};
void SetSnapshotEventHooks(SnapshotEventHooks hooks);

/* "xmin:xmax:xip1,xip2" (pg_snapshot's text form). */
std::string SnapshotText(const Snapshot& snap);

}  // namespace minipg::storage
