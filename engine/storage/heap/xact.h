/*-------------------------------------------------------------------------
 * xact.h
 *   This process's current transaction (PostgreSQL's xact.c, minimal):
 *   an xid taken at its first write, the relations it dropped, and how it
 *   ends.
 *
 *     commit: Transaction COMMIT record (with the dropped relations)
 *             -> XLogFlush up to it, unless synchronous_commit is off
 *             -> pg_xact: committed -> the dropped relations' buffers
 *                forgotten, their files removed (a kSmgr invalidation
 *                for each) -> the queued invalidations sent (AtEOXactInval)
 *     abort:  Transaction ABORT record (not flushed) -> pg_xact: aborted
 *             -> the dropped relations' files removed too (see NOTES)
 *             -> the queued invalidations applied here only
 *
 *   A transaction that wrote nothing has no xid and writes no record.
 *
 * NOTES
 *   The catalog file is not transactional yet (a DROP TABLE is gone from it
 *   at once, even if the transaction rolls back), so a dropped relation's
 *   files go whether its transaction commits or aborts; the abort record
 *   lists them as the commit record would, and redo removes them too.
 *   There are no subtransactions, no snapshots and no locks on rows yet.
 *-------------------------------------------------------------------------
 */
#pragma once

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
/* After each statement of a transaction block. */
void CommandCounterIncrement();

/* Removes the relation's files (and forgets its buffers) when the
 * transaction ends. Takes an xid: dropping is a write. */
void XactDropRelationAtEnd(const RelFileLocator& rel);

/* Keeps `lock` (a descriptor holding a flock(), e.g. a DDL lock) until the
 * transaction ends, committed or aborted: closed after its invalidations
 * were sent, so whoever takes the lock next sees its catalog changes. */
void XactHoldUntilEnd(UniqueFd lock);

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
