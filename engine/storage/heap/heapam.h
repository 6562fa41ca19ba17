/*-------------------------------------------------------------------------
 * heapam.h
 *   Tables on pages (PostgreSQL's heapam.c / hio.c, minimal): a table is a
 *   relation whose main fork holds heap tuples; rows are added through the
 *   buffer pool with a WAL record for each, and read back page by page,
 *   keeping only the rows the reader may see.
 *
 *   HeapInsert(rel, rows):
 *     for each row: HeapFormTuple (xmin = the transaction's xid)
 *       page with room: the one in hand, else the free space map's, else
 *       a new block at the end of the fork
 *       exclusive content lock -> PageAddItem -> ctid = its own TID
 *       -> Heap INSERT record (INSERT+INIT on an empty page; a full page
 *          image when XLogInsert finds, under its lock, the page unchanged
 *          since the redo point) -> PageSetLSN
 *       -> MarkBufferDirty
 *     a page left behind: its free space recorded in the map
 *
 *   HeapDelete(rel, tid): exclusive content lock on the tuple's page ->
 *     xmax = the transaction's xid, cmax its command, the xmax hint and
 *     lock bits cleared, HEAP_KEYS_UPDATED set (as heap_delete does for a
 *     plain delete) -> Heap DELETE record (a full page image when due)
 *     -> PageSetLSN -> MarkBufferDirty. The tuple stays on the page until
 *     VACUUM removes it (vacuumlazy.h); it is invisible once the delete
 *     commits.
 *
 *   HeapInsertRow(rel, row, state): one row, on the state's page if it
 *     fits (the executor's path, one row version at a time);
 *     HeapInsertFinish records that page's free space.
 *
 *   HeapUpdate(rel, old_tid, row, key columns): FOR NO KEY UPDATE strength
 *     unless a key column's value changes (then FOR UPDATE, as a delete);
 *     the old tuple's page locked; the new
 *     version on that page if it fits, else on another page with room,
 *     both pages then locked in block order -> new tuple placed
 *     (HEAP_UPDATED, ctid = itself, xmax the lockers that stay) -> old
 *     tuple: xmax (the updater, or a MultiXact of it and the FOR KEY SHARE
 *     lockers, heap_xmax.h), cmax, ctid -> new
 *     -> one Heap UPDATE record (block 0 the new page with the tuple's
 *     data, block 1 the old page when it is another; full page images when
 *     due) -> PageSetLSN on both -> MarkBufferDirty. No HOT.
 *
 *   HeapTableScan: block 0 .. the number of blocks at Open(), each pinned
 *   and share-locked while its visible rows are copied out.
 *
 *   Visible: HeapTupleSatisfiesMVCC against the scan's snapshot
 *   (snapshot.h), which sets hint bits under the share lock.
 *
 *   All-visible pages (visibilitymap.h): an insert, update or delete on a
 *   page with PD_ALL_VISIBLE clears it and the page's map bits in the same
 *   step as the change (its record says so: "all-visible cleared"); a row
 *   lock clears only the ALL_FROZEN bit.
 *
 * NOTES
 *   A command never sees its own new rows (INSERT INTO t SELECT * FROM t):
 *   they carry its command id, which its snapshot's curcid does not see;
 *   the rows of one command are also collected before they are inserted.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "engine/common/error.h"
#include "engine/storage/block.h"
#include "engine/storage/buffer/buffer_pool.h"
#include "engine/storage/catalog.h"
#include "engine/storage/datum.h"
#include "engine/storage/heap/snapshot.h"
#include "engine/storage/page/heap_tuple.h"

namespace minipg::storage {

struct TmFailure;  // below: what HeapUpdate / HeapDelete found

/* A new relation's main fork: a Storage CREATE record, then the file,
 * removed again if the transaction aborts (XactDropRelationOnAbort). */
Status HeapCreateRelation(const RelFileLocator& rel);

/* Removes the relation if the current transaction commits
 * (XactDropRelationOnCommit). */
void HeapDropRelation(const RelFileLocator& rel);

/* Inserts rows in the current transaction (its xid is taken now), filling
 * each page before the next; `tids`, if given, gets each row's TID (for
 * its index entries). */
Status HeapInsert(const RelFileLocator& rel, const std::vector<ColumnDef>& columns,
                  const std::vector<Tuple>& rows, std::vector<ItemPointer>* tids = nullptr);

/* Where a run of one-row inserts keeps putting rows (PostgreSQL's
 * BulkInsertState): the page the last row went on, tried first. */
struct HeapInsertState {
  BlockNumber block = kInvalidBlockNumber;
};

/* Inserts one row in the current transaction: on the state's page if it
 * fits, else as HeapInsert finds one; `tid`, if given, gets its TID. No
 * buffer stays pinned or locked between calls. */
Status HeapInsertRow(const RelFileLocator& rel, const std::vector<ColumnDef>& columns, const Tuple& row,
                     HeapInsertState& state, ItemPointer* tid);

/* Ends a run of HeapInsertRow calls: the free space map learns what is
 * left on the last page. */
Status HeapInsertFinish(const RelFileLocator& rel, HeapInsertState& state);

/* Deletes the tuple at `tid` in the current transaction (its xid is taken
 * now). Errors as PostgreSQL's simple_heap_delete words them (XX000): no
 * tuple there or one the transaction cannot see ("attempted to delete
 * invisible tuple"), one this transaction deleted already ("tuple already
 * updated by self"), one another transaction deleted ("tuple concurrently
 * deleted", after waiting for it to end; with a TmFailure the caller gets
 * the TmResult instead, see below). A deleter that is in progress in pg_xact but not in the proc array
 * (TransactionIdIsInProgress) died in a crash: its delete counts as
 * aborted. */
Status HeapDelete(const RelFileLocator& rel, ItemPointer tid, TmFailure* tmfd = nullptr, std::string_view relname = {});

/* Replaces the tuple at `old_tid` with a new version of the row in the
 * current transaction (PostgreSQL's heap_update without HOT): the new
 * version (HEAP_UPDATED) goes on the old page if it fits, else where
 * HeapInsertRow would put it; the old one gets xmax/cmax and its ctid
 * pointing at the new one; one Heap UPDATE record covers both pages.
 * `new_tid`, if given, gets the new version's TID. Errors and waits
 * as HeapDelete's ("attempted to update invisible tuple", "tuple
 * concurrently updated"). `key_attnums`: the table's key columns (those
 * of its unique indexes, PostgreSQL's INDEX_ATTR_BITMAP_KEY); an update
 * that changes none of their values takes FOR NO KEY UPDATE strength, so
 * it neither waits for nor removes a FOR KEY SHARE locker (the old
 * version's xmax becomes a MultiXact of both, heap_xmax.h); one that
 * changes a key, or without key_attnums, takes FOR UPDATE strength. */
Status HeapUpdate(const RelFileLocator& rel, const std::vector<ColumnDef>& columns, ItemPointer old_tid,
                  const Tuple& new_row, HeapInsertState& state, ItemPointer* new_tid,
                  TmFailure* tmfd = nullptr, const std::vector<int16_t>* key_attnums = nullptr,
                  std::string_view relname = {});

/* Row locks (PostgreSQL's TM_Result): what HeapUpdate / HeapDelete found
 * on the target version when they were given a TmFailure. A version whose
 * xmax is an in-progress transaction (kBeingModified) is waited for: the
 * tuple lock (ExclusiveLock on a `tuple` tag, so waiters queue in order),
 * then XactLockTableWait(xmax), then it is classified again. An aborted
 * updater leaves the version changeable (kOk). A committed one gives
 * kUpdated (ctid: the next version) or kDeleted; under REPEATABLE READ and
 * SERIALIZABLE that is 40001 instead. kSelfModified: a later command of
 * the own transaction changed it (the caller skips the row). Without a
 * TmFailure, kUpdated/kDeleted/kSelfModified are XX000 errors as before
 * (simple_heap_update's words). */
enum class TmResult : uint8_t { kOk, kInvisible, kSelfModified, kUpdated, kDeleted, kBeingModified, kWouldBlock };
struct TmFailure {
  TmResult result = TmResult::kOk;
  ItemPointer ctid;  // kUpdated: the next version
  TransactionId xmax = kInvalidTransactionId;
};

/* Row locks taken by SELECT ... FOR ... (PostgreSQL's LockTupleMode,
 * weakest first: FOR KEY SHARE, FOR SHARE, FOR NO KEY UPDATE, FOR UPDATE)
 * and what to do when another transaction's lock or change is in the way
 * (LockWaitPolicy: wait, SKIP LOCKED, NOWAIT). */
enum class LockTupleMode : uint8_t { kKeyShare, kShare, kNoKeyExclusive, kExclusive };
enum class LockWaitPolicy : uint8_t { kBlock, kSkip, kError };

/* Locks the row version at `tid` for the current transaction (its xid is
 * taken as it sets the lock, not while it waits), PostgreSQL's heap_lock_tuple (heap_lock.cpp): xmax = the
 * xid with HEAP_XMAX_LOCK_ONLY and the mode's lock bits, a Heap LOCK
 * record. A lock or change of another running transaction that conflicts
 * (PostgreSQL's tuple lock conflict table; a change always) is waited for
 * as HeapUpdate waits (kBlock), gives 55P03 `could not obtain lock on row
 * in relation "relname"` (kError), or tmfd->result kWouldBlock (kSkip).
 * Then, in tmfd: kOk (locked, or this transaction holds as strong a lock
 * already), kSelfModified (this transaction changed it), kUpdated (ctid:
 * the next version) or kDeleted by a committed transaction (under
 * REPEATABLE READ the caller words the 40001). Two transactions holding
 * compatible locks share the row through a MultiXactId (multixact.h). */
Status HeapLockTuple(const RelFileLocator& rel, std::string_view relname, ItemPointer tid, LockTupleMode mode,
                     LockWaitPolicy wait, TmFailure* tmfd);

/* The row version at `tid` with its tuple header (EvalPlanQual's fetch of
 * a newer version), nullopt if the slot is empty. */
Result<std::optional<Tuple>> HeapFetchVersion(const RelFileLocator& rel, const std::vector<ColumnDef>& columns,
                                              ItemPointer tid, HeapTupleHeader* header);

/* Whether the tuple at `tid` is visible to a fresh catalog snapshot
 * (every commit so far and every command of the own transaction; false:
 * no tuple there): what a unique index asks of the row an equal key
 * points at, and the foreign key checks. */
Result<bool> HeapTupleVisibleAt(const RelFileLocator& rel, ItemPointer tid);

/* The row at `tid` if the active snapshot sees it (an index scan's
 * heap fetch: PostgreSQL's heap_fetch), nullopt when it does not or there
 * is no tuple there. The page is read through the shared buffers. */
Result<std::optional<Tuple>> HeapFetch(const RelFileLocator& rel, const std::vector<ColumnDef>& columns,
                                       ItemPointer tid);
/* The row version at `tid` (visible or not), nullopt if the slot is
 * empty: the old row of a DELETE or UPDATE (the foreign key checks). */
Result<std::optional<Tuple>> HeapFetchRow(const RelFileLocator& rel, const std::vector<ColumnDef>& columns,
                                          ItemPointer tid);

/* A condition on one column that a scan's rows must meet: the scan reads
 * that column of each row first, and the others only of the rows that
 * meet it (PostgreSQL's ScanKey, as its catalog scans use it). */
struct ScanKey {
  size_t column = 0;
  std::function<bool(const Datum&)> matches;
};

/* A sequential scan of the rows `snapshot` sees (none given: the active
 * snapshot, else a catalog snapshot, taken at Open), and that meet `key`
 * if one is given. */
class HeapTableScan {
 public:
  HeapTableScan(RelFileLocator rel, std::vector<ColumnDef> columns, std::optional<Snapshot> snapshot = std::nullopt,
                const ScanKey* key = nullptr);
  /* Counts the blocks: rows added on later blocks are not seen. */
  Status Open();
  /* The next visible row, nullopt at the end. */
  Result<std::optional<Tuple>> Next();
  /* Where the last row came from, and its tuple header (the system
   * columns xmin, xmax, cmin, cmax). */
  ItemPointer last_tid() const { return last_tid_; }
  const HeapTupleHeader& last_header() const { return last_header_; }

 private:
  Status ReadPage(BlockNumber block);

  RelFileLocator rel_;
  std::vector<ColumnDef> columns_;
  std::optional<Snapshot> snapshot_;
  const ScanKey* key_ = nullptr;
  BlockNumber nblocks_ = 0;
  BlockNumber next_block_ = 0;
  struct PageRow {
    ItemPointer tid;
    HeapTupleHeader header;
    Tuple row;
  };
  std::vector<PageRow> page_rows_;
  size_t pos_ = 0;
  ItemPointer last_tid_;
  HeapTupleHeader last_header_;
};

}  // namespace minipg::storage
