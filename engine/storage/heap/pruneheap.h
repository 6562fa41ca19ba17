/*-------------------------------------------------------------------------
 * pruneheap.h
 *   What VACUUM does to one heap page (PostgreSQL's pruneheap.c,
 *   vacuumlazy.c's page steps and bufpage.c's compaction), as functions of
 *   the page alone, so that the first run and the redo of its WAL record
 *   are the same code:
 *
 *     HeapTupleSatisfiesVacuum  a tuple: dead (removable), recently dead
 *                               (deleted, but a running transaction may
 *                               see it), live, insert or delete in progress
 *     HeapPagePruneExecute      removable tuples -> LP_DEAD (no storage),
 *                               the page compacted (Heap2 PRUNE)
 *     HeapPageVacuumExecute     LP_DEAD -> LP_UNUSED once no index points
 *                               at them, unused pointers at the end of the
 *                               array cut off (Heap2 VACUUM)
 *     HeapPageFreezeExecute     old enough xmins frozen (HEAP_XMIN_FROZEN,
 *                               the xid kept), old lockers' xmax removed
 *                               (Heap2 FREEZE_PAGE)
 *     PageRepairFragmentation   the items moved together at the end of the
 *                               page, free space in one piece
 *
 *   A page before and after (t1 live, t2 deleted by a committed xid below
 *   the horizon, t3 live):
 *
 *     lp 1 NORMAL -> t1   lp 2 NORMAL -> t2   lp 3 NORMAL -> t3
 *       -- prune --> lp 2 DEAD (len 0), t1 and t3 moved up against the end
 *       -- vacuum (after the index entries of (b,2) are gone) -->
 *     lp 2 UNUSED, pd_flags PD_HAS_FREE_LINES: the next insert reuses it
 *
 * NOTES
 *   minipg writes no heap-only tuples, so nothing is redirected: a dead
 *   tuple becomes LP_DEAD and keeps its index entries until the index
 *   pass. The caller holds the page's exclusive content lock; minipg's
 *   readers copy what they need while they hold the share lock and keep
 *   no pointer into a page after it, so that is enough (PostgreSQL needs
 *   a cleanup lock: no other pin).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <vector>

#include "engine/common/error.h"
#include "engine/storage/heap/vacuum_horizon.h"
#include "engine/storage/page/heap_tuple.h"
#include "engine/storage/wal/wal_records.h"

namespace minipg::storage {

/* PostgreSQL's HTSV_Result. */
enum class HtsvResult : uint8_t {
  kDead,              // no one can see it: removable
  kLive,              // visible to everyone who looks now
  kRecentlyDead,      // deleted, but some running transaction may see it
  kInsertInProgress,  // its inserter is running
  kDeleteInProgress,  // its deleter is running
};

/* How VACUUM sees the tuple; an aborted (or crashed) inserter's tuple is
 * dead at once, a committed deleter's once it precedes the horizon. For
 * kDead and kRecentlyDead, `*removed_xid` (if given) is the xid that
 * killed it. */
Result<HtsvResult> HeapTupleSatisfiesVacuum(const HeapTupleHeader& tuple, const VacuumCutoffs& cutoffs,
                                            TransactionId* removed_xid = nullptr);

/* Moves every normal item together at the end of the page (before any
 * special space), in place; sets PD_HAS_FREE_LINES when some line pointer
 * is unused, clears it otherwise. */
void PageRepairFragmentation(char* page);

/* The items at `dead` become LP_DEAD, the page is compacted and its
 * PD_PAGE_FULL hint cleared; `prune_xid` becomes pd_prune_xid (the oldest
 * deleter of what stays, 0 if none). */
void HeapPagePruneExecute(char* page, const std::vector<OffsetNumber>& dead, TransactionId prune_xid);

/* The LP_DEAD pointers at `unused` become LP_UNUSED; unused pointers at
 * the end of the array are removed (PageTruncateLinePointerArray). */
void HeapPageVacuumExecute(char* page, const std::vector<OffsetNumber>& unused);

/* Each plan's tuple gets its new xmax and infomasks (Heap2 FREEZE_PAGE,
 * PostgreSQL's heap_execute_freeze_tuple). */
void HeapPageFreezeExecute(char* page, const std::vector<wal::FreezeTuplePlan>& plans);

/* Whether no line pointer of the page is used (or it is new): VACUUM may
 * cut it off the end of the relation. */
bool HeapPageIsEmpty(const char* page);

}  // namespace minipg::storage
