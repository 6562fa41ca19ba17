/*-------------------------------------------------------------------------
 * xact.h
 *   This process's current transaction (PostgreSQL's xact.c, minimal):
 *   an xid taken at its first write, the relations it dropped, and how it
 *   ends.
 *
 *     commit: Transaction COMMIT record (with the relations dropped in it)
 *             -> XLogFlush up to it, unless synchronous_commit is off
 *             -> pg_xact: committed -> the proc array entry cleared
                (procarray.h) -> the dropped relations' buffers
 *                forgotten, their files removed (a kSmgr invalidation
 *                for each) -> the queued invalidations sent (AtEOXactInval)
 *     abort:  Transaction ABORT record (not flushed, with the relations
 *             created in it) -> pg_xact: aborted -> the created relations'
 *             buffers forgotten and their files removed -> the queued
 *             invalidations applied here only
 *     both:   then the end-of-transaction callbacks (RegisterXactCallback)
 *
 *   A transaction that wrote nothing has no xid and writes no record.
 *
 *   Subtransactions (SAVEPOINT, PostgreSQL's xact.c): a stack of levels
 *   above the top-level transaction, each with a name (the newest of a
 *   name wins), its own xid taken at its first write (its parents' first;
 *   pg_subtrans records the parent), the relations it created or dropped,
 *   and the xids of the children it merged.
 *
 *     RELEASE a      the levels from a up merge into a's parent: their
 *                    xids become the parent's children, nothing is written
 *     ROLLBACK TO a  each level from the top down to a is aborted (an ABORT
 *                    record with its xid and its children's, pg_xact
 *                    aborted, the relations it created removed), then a
 *                    new level named a begins
 *     an error       inside a savepoint aborts the innermost level only
 *                    (AbortCurrentSubTransaction); the block stays failed
 *                    until ROLLBACK TO (or ROLLBACK)
 *     commit         every live subxid is in the COMMIT record; pg_xact:
 *                    the subxids sub-committed, the top committed, then
 *                    the subxids committed (TransactionIdCommitTree)
 *     abort          every live subxid in the ABORT record, all aborted
 *
 *   Command ids continue across subtransactions (one counter).
 *
 * NOTES
 *   A subtransaction's rows are its own xid's: TransactionIdIsCurrent is
 *   true for the top-level xid and for every subxid not aborted.
 *   The files of a relation go only once the catalog rows that name it are
 *   gone for good, as PostgreSQL's pending deletes (smgr's
 *   RelationDropStorage / smgrDoPendingDeletes): DROP TABLE keeps the file
 *   until commit (a ROLLBACK keeps the table and its rows), CREATE TABLE's
 *   file is removed if the transaction aborts. Redo of the commit or abort
 *   record removes them too. The top-level xid is published in the proc
 *   array when taken (AssignTransactionId) and cleared after pg_xact says
 *   how it ended, then the transaction's snapshots are dropped
 *   (snapshot.h); a subtransaction's xid is found through pg_subtrans.
 *   There are no locks on rows yet.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/common/error.h"
#include "engine/storage/block.h"
#include "engine/storage/file_util.h"
#include "engine/storage/page/heap_tuple.h"

namespace minipg::storage {

/* The transaction's xid, taken now if it has none yet. */
TransactionId GetCurrentTransactionId();
/* Its xid, or kInvalidTransactionId if it has not written yet. */
TransactionId GetCurrentTransactionIdIfAny();
/* True for the current transaction's own xid (its rows are visible to it). */
bool TransactionIdIsCurrent(TransactionId xid);

/* The command number within the transaction (a tuple's t_cid). */
CommandId GetCurrentCommandId();
/* A tuple is written with the current command id (inserted or deleted). */
void MarkCurrentCommandIdUsed();
/* After each statement of a transaction block: the next command id, if
 * this one was used (PostgreSQL's currentCommandIdUsed). */
void CommandCounterIncrement();

/* Removes the relation's files (and forgets its buffers) if the
 * transaction commits (DROP TABLE) / aborts (CREATE TABLE). Takes an xid:
 * dropping or creating is a write. */
void XactDropRelationOnCommit(const RelFileLocator& rel);
void XactDropRelationOnAbort(const RelFileLocator& rel);

/* Called at the end of every transaction, after pg_xact says how it
 * ended (and when there was no xid), with commit true or false; in the
 * order registered (PostgreSQL's RegisterXactCallback). */
using XactCallback = void (*)(bool commit);
void RegisterXactCallback(XactCallback fn);

/* Events (set by the server process; none in unit tests): an xid taken
 * (`top` = xid for a top-level transaction), a transaction ended (xid 0
 * if it had none; the commit record's end, whether it was flushed). */
struct XactEventHooks {
  void (*xid_assigned)(TransactionId xid, TransactionId top) = nullptr;
  void (*xact_end)(TransactionId xid, bool commit, XLogRecPtr lsn, bool flushed) = nullptr;
};
void SetXactEventHooks(XactEventHooks hooks);

/* Keeps `lock` (a descriptor holding a flock(), e.g. a DDL lock) until the
 * transaction ends, committed or aborted: closed after its invalidations
 * were sent, so whoever takes the lock next sees its catalog changes. */
void XactHoldUntilEnd(UniqueFd lock);

/* ---- subtransactions (SAVEPOINT) ---------------------------------------- */

/* SAVEPOINT name: a new level (its xid comes at its first write). */
void DefineSavepoint(std::string_view name);
/* RELEASE name: 3B001 if no level has the name. */
Status ReleaseSavepoint(std::string_view name);
/* ROLLBACK TO name: 3B001 if no level has the name; a failed WAL insert
 * or pg_xact write is an error too. */
Status RollbackToSavepoint(std::string_view name);
/* After an error inside a savepoint: the innermost level not aborted yet
 * is aborted (it stays on the stack, dead, until ROLLBACK TO). */
Status AbortCurrentSubTransaction();
/* Whether a savepoint is open (an error then aborts only the innermost). */
bool IsSubTransaction();
/* The xid of the innermost level, its parents' if it has none (0 if the
 * whole transaction has none): what the subxact event reports. */
TransactionId GetCurrentSubTransactionIdIfAny();

/* Sets the status of a transaction and its subtransactions in pg_xact:
 * commit as PostgreSQL's TransactionIdCommitTree (the subxids
 * sub-committed, the top committed, the subxids committed), abort all
 * aborted. The commit record's end goes with the commit bits. */
Status TransactionIdSetTreeStatus(TransactionId xid, const std::vector<TransactionId>& subxids, bool commit,
                                  XLogRecPtr commit_lsn);

/* Ends the transaction. Returns the commit record's end (0 if none was
 * written). A failed WAL flush is an error of severity PANIC. */
Result<XLogRecPtr> CommitTransaction(bool synchronous_commit = true);
/* Ends it as rolled back; releases every LWLock and buffer pin this process
 * still holds first (an error may have left some), as PostgreSQL's
 * AbortTransaction does. */
Status AbortTransaction();

/* Forgets the relations' buffers and removes their files (the end of a
 * transaction that dropped them, and its redo). */
Status XactRemoveRelationFiles(const std::vector<RelFileLocator>& rels);

/* The end of the last commit record this process wrote (tests). */
XLogRecPtr LastCommitLsn();

}  // namespace minipg::storage
