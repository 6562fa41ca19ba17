/*-------------------------------------------------------------------------
 * vacuumlazy.h
 *   Lazy VACUUM of one table (PostgreSQL 15's vacuumlazy.c): the row
 *   versions no one can see any more are removed, their index entries
 *   too, the space goes back to the free space map, empty pages at the
 *   end are cut off.
 *
 *     horizon   GetVacuumCutoffs() once, at the start; the freeze limit
 *               vacuum_freeze_min_age before it (0 for FREEZE)
 *     pass 1    "scanning heap": runs of at least 32 pages the visibility
 *               map says are all-visible (all-frozen for an aggressive
 *               VACUUM) skipped, the last page always read; each page
 *               exclusively locked; every tuple judged
 *               (HeapTupleSatisfiesVacuum); dead ones -> LP_DEAD, page
 *               compacted (Heap2 PRUNE); committed xmins before the freeze
 *               limit frozen (Heap2 FREEZE_PAGE). With no index the LP_DEAD
 *               pointers become LP_UNUSED at once (Heap2 VACUUM: one pass,
 *               as PostgreSQL's). A page left with only tuples visible to
 *               all gets PD_ALL_VISIBLE and its map bits (Heap2 VISIBLE;
 *               ALL_FROZEN too when every xmin is frozen). Its free space
 *               is recorded
 *     indexes   "vacuuming indexes": each index's bulk delete drops the
 *               entries whose heap TID is one of the LP_DEAD items
 *               (skipped, "bypassed", when fewer than 2% of the pages have
 *               LP_DEAD items, as PostgreSQL 15 does)
 *     pass 2    "vacuuming heap": LP_DEAD -> LP_UNUSED (Heap2 VACUUM),
 *               the page all-visible now if it is, free space recorded
 *     truncate  "truncating heap": when at least 1000 or 1/16 of the pages
 *               at the end are empty: their free space entries dropped,
 *               rechecked under lock, a Storage TRUNCATE record flushed,
 *               their buffers dropped, the file and the map cut
 *     after     relallvisible counted in the map; reltuples estimated for
 *               the skipped pages; the oldest unfrozen xid left as the new
 *               relfrozenxid (unless an all-visible page that is not
 *               all-frozen was skipped)
 *
 *   Records carry no xid (VACUUM takes none). Counts as PostgreSQL's
 *   VACUUM VERBOSE reports them (LazyVacuumStats).
 *
 * NOTES
 *   Wrap-around is not handled anywhere in minipg: xids compare as plain
 *   numbers, datfrozenxid and relminmxid do not move; a MultiXact xmax is
 *   removed once its members all ended before the freeze limit, else left
 *   as it is (relfrozenxid then stays at its oldest member). The truncation holds no
 *   AccessExclusive lock (the lock manager is another part of issue 17):
 *   an inserter that read the free space map just before its entries were
 *   dropped could still pick an empty end page that is being cut.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/common/error.h"
#include "engine/storage/block.h"
#include "engine/storage/page/heap_tuple.h"

namespace minipg::storage {

/* What one index's bulk delete did (PostgreSQL's IndexBulkDeleteResult). */
struct IndexVacuumResult {
  BlockNumber num_pages = 0;          // the index's blocks
  uint64_t num_index_tuples = 0;      // entries left
  uint64_t tuples_removed = 0;        // entries removed
};

/* Whether a heap TID is one VACUUM is removing. */
using TidIsDead = std::function<bool(ItemPointer)>;

/* One index of the table: its name and its access method's bulk delete
 * (nbtree::BtreeBulkDelete for a B-tree). */
struct IndexVacuumer {
  std::string name;
  std::function<Result<IndexVacuumResult>(const TidIsDead&)> bulk_delete;
};

/* What a VACUUM of one table did, as VACUUM VERBOSE reports it. */
struct LazyVacuumStats {
  BlockNumber rel_pages = 0;          // blocks at the start
  BlockNumber scanned_pages = 0;
  BlockNumber removed_pages = 0;      // cut off the end
  BlockNumber new_rel_pages = 0;
  int64_t tuples_deleted = 0;         // removed now
  int64_t live_tuples = 0;            // live (and being deleted)
  int64_t recently_dead_tuples = 0;   // dead but not yet removable
  BlockNumber lpdead_item_pages = 0;  // pages with LP_DEAD items after pass 1
  int64_t lpdead_items = 0;
  bool index_bypassed = false;        // too few LP_DEAD items to scan the indexes
  int num_index_scans = 0;
  TransactionId oldest_xmin = 0;      // the removable cutoff
  TransactionId next_xid_at_end = 0;
  std::vector<std::pair<std::string, IndexVacuumResult>> indexes;  // those scanned
  // Usage: this process's buffer hits and misses during the VACUUM, pages
  // it dirtied, and its WAL records (bytes from each record's start to end).
  uint64_t buffer_hits = 0, buffer_misses = 0, buffer_dirtied = 0;
  uint64_t wal_records = 0, wal_fpi = 0, wal_bytes = 0;
  double elapsed_seconds = 0, user_cpu_seconds = 0, system_cpu_seconds = 0;
  // The live tuples of the whole table: counted when every page was
  // scanned, else estimated from the old density for the skipped pages
  // (vac_estimate_reltuples): pg_class.reltuples and VERBOSE's "remain".
  double new_live_tuples = 0;
  BlockNumber rel_allvisible = 0;     // pages all-visible in the map at the end (pg_class.relallvisible)
  BlockNumber rel_allfrozen = 0;
  int64_t tuples_frozen = 0;
  TransactionId freeze_limit = 0;     // xmins before it were frozen
  // The oldest xid left unfrozen in the table: its new relfrozenxid;
  // kInvalidTransactionId when it cannot be known (an all-visible page
  // that is not all-frozen was skipped, or a MultiXact xmax is left).
  TransactionId new_relfrozenxid = kInvalidTransactionId;
  TransactionId old_relfrozenxid = kInvalidTransactionId;
};

/* What VACUUM is told of the table and how to run (PostgreSQL's
 * VacuumParams and the pg_class row it starts from). */
struct LazyVacuumParams {
  double old_rel_tuples = -1;   // pg_class.reltuples before (-1: never counted)
  BlockNumber old_rel_pages = 0;
  bool aggressive = false;      // scan all-visible pages that are not all-frozen too
  int64_t freeze_min_age = 50000000;  // vacuum_freeze_min_age (FREEZE: 0)
  TransactionId relfrozenxid = kInvalidTransactionId;  // pg_class.relfrozenxid before
};

/* Reports a phase (pg_stat_progress_vacuum's names: "scanning heap",
 * "vacuuming indexes", "vacuuming heap", "truncating heap") and the heap
 * blocks scanned so far. */
using VacuumProgressFn = std::function<void(std::string_view phase, BlockNumber scanned, BlockNumber total)>;

Result<LazyVacuumStats> LazyVacuumRel(const RelFileLocator& rel, const std::vector<IndexVacuumer>& indexes,
                                      const VacuumProgressFn& progress = {}, const LazyVacuumParams& params = {});

/* The dead row versions of the table now (dead or recently dead, as
 * VACUUM would judge them): what ANALYZE reports as "dead rows". */
Result<int64_t> HeapCountDeadTuples(const RelFileLocator& rel);

/* The text of PostgreSQL 15's INFO after `finished vacuuming "db.s.t": `:
 * "index scans: N\npages: ...\ntuples: ...\n..." (no trailing newline). */
std::string FormatVacuumReport(const LazyVacuumStats& stats);

}  // namespace minipg::storage
