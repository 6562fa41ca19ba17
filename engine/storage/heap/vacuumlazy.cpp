/*-------------------------------------------------------------------------
 * vacuumlazy.cpp
 *   Lazy VACUUM of one table (see vacuumlazy.h).
 *-------------------------------------------------------------------------
 */
#include "engine/storage/heap/vacuumlazy.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include <fmt/format.h>

#include "engine/common/interrupts.h"
#include "engine/storage/buffer/locked_buffer.h"
#include "engine/storage/heap/multixact.h"
#include "engine/storage/heap/procarray.h"
#include "engine/storage/heap/pruneheap.h"
#include "engine/storage/heap/transam.h"
#include "engine/storage/heap/visibilitymap.h"
#include "engine/storage/lmgr/lock.h"
#include "engine/storage/smgr/free_space.h"
#include "engine/storage/smgr/smgr.h"
#include "engine/storage/wal/wal_records.h"
#include "engine/storage/wal/xlog.h"

namespace minipg::storage {

namespace {

/* PostgreSQL 15's thresholds. */
constexpr double kBypassThresholdPages = 0.02;      // BYPASS_THRESHOLD_PAGES
constexpr BlockNumber kRelTruncateMinimum = 1000;   // REL_TRUNCATE_MINIMUM
constexpr BlockNumber kRelTruncateFraction = 16;    // REL_TRUNCATE_FRACTION
constexpr BlockNumber kSkipPagesThreshold = 32;     // SKIP_PAGES_THRESHOLD

/* What pass 1 found on a page for the visibility map (PostgreSQL's
 * LVPagePruneState): every tuple that stays visible to everyone, and
 * frozen; the newest xmin among them. */
struct PageVisibility {
  bool all_visible = true;
  bool all_frozen = true;
  TransactionId cutoff_xid = kInvalidTransactionId;

  /* A tuple that stays on the page, as HeapTupleSatisfiesVacuum judged it
   * (after freezing). */
  void Add(const HeapTupleHeader& t, HtsvResult verdict, TransactionId oldest_xmin) {
    if (verdict != HtsvResult::kLive) {
      all_visible = all_frozen = false;
      return;
    }
    bool xmin_frozen = (t.infomask & kHeapXminFrozen) == kHeapXminFrozen || t.xmin == kFrozenTransactionId ||
                       t.xmin == kBootstrapTransactionId;
    if (!xmin_frozen) {
      // Committed (kLive says so), but some running transaction may not see it yet.
      if (t.xmin >= oldest_xmin) all_visible = false;
      cutoff_xid = std::max(cutoff_xid, t.xmin);
    }
    bool no_xmax = (t.infomask & kHeapXmaxInvalid) != 0 || t.xmax == kInvalidTransactionId;
    if (!xmin_frozen || !no_xmax) all_frozen = false;
  }
};

/* A page whose LP_DEAD items wait for the index pass. */
struct DeadPage {
  BlockNumber block;
  std::vector<OffsetNumber> offsets;
};

/* Whether a live tuple's MultiXact xmax `multi` can go (FreezeMultiXactId
 * in small): every member ended before `limit` and none is a committed
 * updater; `oldest` takes the members' xids when it stays; false with
 * *unknown set if its members cannot be read. */
bool MultiXmaxRemovable(TransactionId multi, TransactionId limit, TransactionId* oldest, bool* unknown) {
  auto members = GetMultiXactIdMembers(multi);
  if (!members.ok()) {
    *unknown = true;
    return false;
  }
  bool removable = true;
  TransactionId members_oldest = *oldest;
  for (const MultiXactMember& m : *members) {
    members_oldest = std::min(members_oldest, m.xid);
    auto fate = TransactionIdFate(m.xid);
    if (!fate.ok() || *fate == XidFate::kRunning || m.xid >= limit ||
        (*fate == XidFate::kCommitted && MultiXactStatusIsUpdate(m.status))) {
      removable = false;
    }
  }
  if (!removable) *oldest = members_oldest;
  return removable;
}

/* The freeze plan of a tuple that stays (heap_prepare_freeze_tuple, in
 * small): a committed xmin before `limit` is frozen (the xid kept, the
 * HEAP_XMIN_FROZEN bits set), the xmax of a long finished locker or aborted
 * updater removed, a MultiXact xmax whose members all ended likewise.
 * Whether it changes the tuple; `oldest` takes the xids left on it,
 * `unknown` is set for a MultiXact xmax whose members cannot be read. */
bool PrepareFreeze(const HeapTupleHeader& t, HtsvResult verdict, OffsetNumber off, TransactionId limit,
                   wal::FreezeTuplePlan* plan, HeapTupleHeader* after, TransactionId* oldest, bool* unknown) {
  *plan = wal::FreezeTuplePlan{t.xmax, off, t.infomask2, t.infomask, 0};
  bool changed = false;
  bool xmin_frozen = (t.infomask & kHeapXminFrozen) == kHeapXminFrozen || t.xmin < kFirstNormalTransactionId;
  if (!xmin_frozen) {
    if (verdict != HtsvResult::kInsertInProgress && t.xmin < limit) {
      plan->infomask |= kHeapXminFrozen;
      changed = true;
    } else {
      *oldest = std::min(*oldest, t.xmin);
    }
  }
  bool has_xmax = (t.infomask & kHeapXmaxInvalid) == 0 && t.xmax != kInvalidTransactionId;
  bool remove_xmax = false;
  if (has_xmax && (t.infomask & kHeapXmaxIsMulti) != 0) {
    if (verdict != HtsvResult::kLive) {
      *unknown = true;  // being deleted, or dead: left as it is
    } else {
      remove_xmax = MultiXmaxRemovable(t.xmax, limit, oldest, unknown);
    }
  } else if (has_xmax) {
    remove_xmax = verdict == HtsvResult::kLive && t.xmax < limit;
    if (!remove_xmax) *oldest = std::min(*oldest, t.xmax);
  }
  if (remove_xmax) {
    plan->xmax = kInvalidTransactionId;
    plan->infomask = static_cast<uint16_t>(
        (plan->infomask & ~(kHeapXmaxCommitted | kHeapXmaxIsMulti | kHeapXmaxLockOnly | kHeapXmaxExclLock |
                            kHeapXmaxKeyshrLock)) | kHeapXmaxInvalid);
    plan->infomask2 = static_cast<uint16_t>(plan->infomask2 & ~(kHeapKeysUpdated | kHeapHotUpdated));
    changed = true;
  }
  *after = t;
  after->xmax = plan->xmax;
  after->infomask = plan->infomask;
  after->infomask2 = plan->infomask2;
  return changed;
}

class LazyVacuum {
 public:
  LazyVacuum(const RelFileLocator& rel, const std::vector<IndexVacuumer>& indexes, const VacuumProgressFn& progress,
             const LazyVacuumParams& params)
      : rel_(rel), indexes_(indexes), progress_(progress), params_(params) {}

  Result<LazyVacuumStats> Run();

 private:
  void Progress(std::string_view phase, BlockNumber scanned) {
    if (progress_) progress_(phase, scanned, st_.rel_pages);
  }
  /* Logs a change to the locked page (a Heap2 record, no xid), sets its
   * LSN and marks it dirty. */
  void LogPage(LockedBuffer& buf, XLogRecPtr old_lsn, uint8_t info, const std::string& main,
               const std::vector<OffsetNumber>& offsets, const std::string& block_data = {});
  Status ScanPage(BlockNumber block, bool all_visible_according_to_vm);
  Status VacuumPage(const DeadPage& dead);
  /* The map bits of the locked page after pass 1 or 2 (lazy_scan_heap's
   * steps after pruning): set when it is all-visible, cleared when the
   * map and the page disagree. */
  Status UpdateVisibility(LockedBuffer& buf, const PageVisibility& vis, bool all_visible_according_to_vm);
  /* The first block from `from` on that must be scanned, whether it is
   * all-visible in the map, and whether the all-visible run before it is
   * long enough to skip (lazy_scan_skip). */
  Result<BlockNumber> NextUnskippable(BlockNumber from, bool* skip, bool* all_visible);
  Status RecordFreeSpace(LockedBuffer& buf);
  Status VacuumIndexes();
  Result<BlockNumber> TruncateTail();
  /* The table's live tuples (PostgreSQL's vac_estimate_reltuples). */
  double EstimateRelTuples() const;

  RelFileLocator rel_;
  const std::vector<IndexVacuumer>& indexes_;
  const VacuumProgressFn& progress_;
  LazyVacuumParams params_;
  VmBuffer vm_;  // the map page of the block at hand
  VacuumCutoffs cutoffs_;
  TransactionId freeze_limit_ = kFirstNormalTransactionId;
  bool relfrozenxid_unknown_ = false;  // see LazyVacuumStats::new_relfrozenxid
  TransactionId oldest_unfrozen_ = 0;
  LazyVacuumStats st_;
  std::vector<DeadPage> dead_pages_;
  BlockNumber nonempty_pages_ = 0;  // one past the last page with a tuple that stays
};

void LazyVacuum::LogPage(LockedBuffer& buf, XLogRecPtr old_lsn, uint8_t info, const std::string& main,
                         const std::vector<OffsetNumber>& offsets, const std::string& block_data) {
  std::string data = block_data.empty() ? wal::EncodeOffsets(offsets) : block_data;
  wal::XLogBlockRef ref;
  ref.id = 0;
  ref.tag = BufferTag{rel_, ForkNumber::kMain, buf.block()};
  ref.page_if_needed = buf.page();
  ref.page_lsn = old_lsn;
  ref.data = data;
  MarkBufferDirty(buf.get());
  XLogRecPtr end = wal::XLogInsertOrPanic(wal::RmgrId::kHeap2, info, kInvalidTransactionId, {&ref, 1}, main);
  ++st_.wal_records;
  st_.wal_bytes += end - wal::XLogLastInsertStart();
  PageSetLSN(buf.page(), end);
  ++st_.buffer_dirtied;
}

Status LazyVacuum::RecordFreeSpace(LockedBuffer& buf) {
  BlockNumber block = buf.block();
  size_t free_bytes = PageIsNew(buf.page()) ? kBlockSize - kPageHeaderSize : PageGetFreeSpace(buf.page());
  buf.Reset();
  return RecordPageWithFreeSpace(rel_, block, free_bytes);
}

Status LazyVacuum::ScanPage(BlockNumber block, bool all_visible_according_to_vm) {
  if (Status s = VisibilityMapPin(rel_, block, vm_); !s.ok()) return s;  // before the page lock
  auto b = ReadBuffer(BufferTag{rel_, ForkNumber::kMain, block});
  if (!b.ok()) return b.error();
  LockedBuffer buf(*b, BufferLockMode::kExclusive);
  ++st_.scanned_pages;
  char* page = buf.page();
  if (PageIsNew(page)) return RecordFreeSpace(buf);
  PageVisibility vis;
  std::vector<wal::FreezeTuplePlan> freeze;  // tuples to freeze
  std::vector<OffsetNumber> prune;  // removable now
  std::vector<OffsetNumber> dead;   // LP_DEAD after pruning
  TransactionId latest_removed = kInvalidTransactionId;
  TransactionId prune_xid = kInvalidTransactionId;
  bool has_tuples = false;
  OffsetNumber max = PageGetMaxOffsetNumber(page);
  for (OffsetNumber off = kFirstOffsetNumber; off <= max; ++off) {
    ItemId id = PageGetItemId(page, off);
    if (id.flags == LpFlags::kDead) dead.push_back(off);  // left by an earlier VACUUM
    if (!id.IsNormal()) continue;
    auto header = HeapTupleGetHeader(PageGetItem(page, id));
    if (!header.ok()) return header.error();
    TransactionId killer = kInvalidTransactionId;
    auto verdict = HeapTupleSatisfiesVacuum(*header, cutoffs_, &killer);
    if (!verdict.ok()) return verdict.error();
    switch (*verdict) {
      case HtsvResult::kDead:
        prune.push_back(off);
        dead.push_back(off);
        ++st_.tuples_deleted;
        latest_removed = std::max(latest_removed, killer);
        continue;
      case HtsvResult::kLive:
        ++st_.live_tuples;
        break;
      case HtsvResult::kRecentlyDead:
        ++st_.recently_dead_tuples;
        break;
      case HtsvResult::kInsertInProgress:
        break;  // its inserter counts it when it commits
      case HtsvResult::kDeleteInProgress:
        ++st_.live_tuples;
        break;
    }
    has_tuples = true;
    wal::FreezeTuplePlan plan;
    HeapTupleHeader after;
    if (PrepareFreeze(*header, *verdict, off, freeze_limit_, &plan, &after, &oldest_unfrozen_,
                      &relfrozenxid_unknown_)) {
      freeze.push_back(plan);
    }
    vis.Add(after, *verdict, cutoffs_.oldest_xmin);
    bool deleting = *verdict == HtsvResult::kRecentlyDead || *verdict == HtsvResult::kDeleteInProgress;
    if (deleting && (prune_xid == kInvalidTransactionId || header->xmax < prune_xid)) prune_xid = header->xmax;
  }
  std::sort(dead.begin(), dead.end());
  if (!prune.empty()) {
    XLogRecPtr old_lsn = PageGetLSN(page);
    HeapPagePruneExecute(page, prune, prune_xid);
    std::string main = wal::EncodePayload(wal::HeapPruneRecord{latest_removed, 0, static_cast<uint16_t>(prune.size())});
    LogPage(buf, old_lsn, wal::kHeap2Prune, main, prune);
  }
  if (!freeze.empty()) {
    XLogRecPtr old_lsn = PageGetLSN(page);
    HeapPageFreezeExecute(page, freeze);
    std::string main = wal::EncodePayload(
        wal::HeapFreezePageRecord{freeze_limit_, static_cast<uint16_t>(freeze.size())});
    LogPage(buf, old_lsn, wal::kHeap2FreezePage, main, {}, wal::EncodeFreezePlans(freeze));
    st_.tuples_frozen += static_cast<int64_t>(freeze.size());
  }
  if (has_tuples) nonempty_pages_ = block + 1;
  if (!dead.empty()) {
    ++st_.lpdead_item_pages;
    st_.lpdead_items += static_cast<int64_t>(dead.size());
    if (!indexes_.empty()) {
      // The LP_DEAD items stay until the index pass: not all-visible yet.
      dead_pages_.push_back({block, std::move(dead)});
      vis.all_visible = vis.all_frozen = false;
    } else {
      // No index: nothing points at the LP_DEAD items, they are unused at once.
      XLogRecPtr old_lsn = PageGetLSN(page);
      HeapPageVacuumExecute(page, dead);
      LogPage(buf, old_lsn, wal::kHeap2Vacuum,
              wal::EncodePayload(wal::HeapVacuumRecord{static_cast<uint16_t>(dead.size())}), dead);
    }
  }
  if (Status s = UpdateVisibility(buf, vis, all_visible_according_to_vm); !s.ok()) return s;
  return RecordFreeSpace(buf);
}

Status LazyVacuum::UpdateVisibility(LockedBuffer& buf, const PageVisibility& vis, bool all_visible_according_to_vm) {
  char* page = buf.page();
  bool page_all_visible = (PageGetFlags(page) & kPdAllVisible) != 0;
  if (vis.all_visible) {
    uint8_t flags = static_cast<uint8_t>(kVmAllVisible | (vis.all_frozen ? kVmAllFrozen : 0));
    auto status = VisibilityMapGetStatus(rel_, buf.block(), vm_);
    if (!status.ok()) return status.error();
    if ((*status & flags) == flags && page_all_visible) return OkStatus();
    if (!page_all_visible) {
      PageSetFlags(page, PageGetFlags(page) | kPdAllVisible);
      MarkBufferDirty(buf.get());
      ++st_.buffer_dirtied;
    }
    XLogRecPtr end = VisibilityMapSet(rel_, buf.block(), buf.get(), vm_, vis.cutoff_xid, flags);
    if (end != 0) {
      ++st_.wal_records;
      st_.wal_bytes += end - wal::XLogLastInsertStart();
    }
    return OkStatus();
  }
  // Not all-visible: a set bit (or PD_ALL_VISIBLE) would be wrong; PostgreSQL
  // warns of the corruption, minipg just repairs it.
  if (page_all_visible) {
    PageSetFlags(page, PageGetFlags(page) & ~kPdAllVisible);
    MarkBufferDirty(buf.get());
  }
  if (all_visible_according_to_vm || page_all_visible) VisibilityMapClear(buf.block(), vm_, kVmValidBits);
  return OkStatus();
}

Result<BlockNumber> LazyVacuum::NextUnskippable(BlockNumber from, bool* skip, bool* all_visible) {
  BlockNumber next = from;
  *all_visible = false;
  while (next < st_.rel_pages) {
    auto status = VisibilityMapGetStatus(rel_, next, vm_);
    if (!status.ok()) return status.error();
    *all_visible = (*status & kVmAllVisible) != 0;
    if (!*all_visible) break;
    if (next == st_.rel_pages - 1) break;  // the last page is always scanned (truncation needs to know it)
    if ((*status & kVmAllFrozen) == 0 && params_.aggressive) break;
    ++next;
  }
  *skip = next - from >= kSkipPagesThreshold;
  return next;
}

Status LazyVacuum::VacuumPage(const DeadPage& dead) {
  auto b = ReadBuffer(BufferTag{rel_, ForkNumber::kMain, dead.block});
  if (!b.ok()) return b.error();
  LockedBuffer buf(*b, BufferLockMode::kExclusive);
  XLogRecPtr old_lsn = PageGetLSN(buf.page());
  HeapPageVacuumExecute(buf.page(), dead.offsets);
  LogPage(buf, old_lsn, wal::kHeap2Vacuum,
          wal::EncodePayload(wal::HeapVacuumRecord{static_cast<uint16_t>(dead.offsets.size())}), dead.offsets);
  // Now it may be all-visible (PostgreSQL's heap_page_is_all_visible).
  PageVisibility vis;
  const char* page = buf.page();
  for (OffsetNumber off = kFirstOffsetNumber; off <= PageGetMaxOffsetNumber(page) && vis.all_visible; ++off) {
    ItemId id = PageGetItemId(page, off);
    if (id.flags == LpFlags::kDead) vis.all_visible = vis.all_frozen = false;
    if (!id.IsNormal()) continue;
    auto header = HeapTupleGetHeader(PageGetItem(page, id));
    if (!header.ok()) return header.error();
    auto verdict = HeapTupleSatisfiesVacuum(*header, cutoffs_);
    if (!verdict.ok()) return verdict.error();
    vis.Add(*header, *verdict, cutoffs_.oldest_xmin);
  }
  if (vis.all_visible) {
    if (Status s = UpdateVisibility(buf, vis, false); !s.ok()) return s;
  }
  return RecordFreeSpace(buf);
}

Status LazyVacuum::VacuumIndexes() {
  if (dead_pages_.empty()) return OkStatus();
  if (st_.lpdead_item_pages < st_.rel_pages * kBypassThresholdPages) {
    st_.index_bypassed = true;  // the LP_DEAD items wait for a later VACUUM
    return OkStatus();
  }
  Progress("vacuuming indexes", st_.scanned_pages);
  std::vector<ItemPointer> tids;
  for (const DeadPage& d : dead_pages_) {
    for (OffsetNumber off : d.offsets) tids.push_back({d.block, off});
  }
  auto less = [](const ItemPointer& a, const ItemPointer& b) {
    return a.block != b.block ? a.block < b.block : a.offset < b.offset;
  };
  TidIsDead is_dead = [&tids, &less](ItemPointer tid) { return std::binary_search(tids.begin(), tids.end(), tid, less); };
  for (const IndexVacuumer& index : indexes_) {
    auto r = index.bulk_delete(is_dead);
    if (!r.ok()) return r.error();
    st_.indexes.emplace_back(index.name, *r);
  }
  st_.num_index_scans = 1;
  Progress("vacuuming heap", st_.scanned_pages);
  for (const DeadPage& d : dead_pages_) {
    if (Status s = CheckForInterrupts(); !s.ok()) return s;
    if (Status s = VacuumPage(d); !s.ok()) return s;
  }
  return OkStatus();
}

Result<BlockNumber> LazyVacuum::TruncateTail() {
  BlockNumber old_pages = st_.rel_pages;
  // Inserters stop finding the empty pages first, then each is checked again.
  if (Status s = FreeSpaceMapTruncateRel(rel_, nonempty_pages_); !s.ok()) return s.error();
  BlockNumber keep = old_pages;
  while (keep > nonempty_pages_) {
    auto b = ReadBuffer(BufferTag{rel_, ForkNumber::kMain, keep - 1});
    if (!b.ok()) return b.error();
    LockedBuffer buf(*b, BufferLockMode::kShare);
    if (!HeapPageIsEmpty(buf.page())) break;
    --keep;
  }
  auto now = SmgrNBlocks(rel_, ForkNumber::kMain);
  if (!now.ok()) return now.error();
  if (keep == old_pages || *now != old_pages) return old_pages;  // grew meanwhile: left as it is
  std::string main = wal::EncodePayload(wal::SmgrTruncateRecord{rel_, keep});
  XLogRecPtr end = wal::XLogInsertOrPanic(wal::RmgrId::kStorage, wal::kSmgrTruncate, kInvalidTransactionId, {}, main);
  ++st_.wal_records;
  st_.wal_bytes += end - wal::XLogLastInsertStart();
  if (Status s = wal::XLogFlush(end); !s.ok()) return s.error();  // the record before the file is cut
  if (Status s = DropRelationBuffers(rel_, ForkNumber::kMain, keep); !s.ok()) return s.error();
  if (Status s = SmgrTruncate(rel_, ForkNumber::kMain, keep); !s.ok()) return s.error();
  if (Status s = VisibilityMapTruncate(rel_, keep); !s.ok()) return s.error();
  return keep;
}

double LazyVacuum::EstimateRelTuples() const {
  double scanned_tuples = static_cast<double>(st_.live_tuples);
  double total = st_.rel_pages, scanned = st_.scanned_pages;
  if (scanned >= total) return scanned_tuples;
  // The same few pages scanned again and again would distort the density.
  if (params_.old_rel_pages == st_.rel_pages && scanned < total * 0.02) return params_.old_rel_tuples;
  if (scanned <= 1) return params_.old_rel_tuples;
  if (params_.old_rel_tuples < 0 || params_.old_rel_pages == 0) {
    return std::floor(scanned_tuples / scanned * total + 0.5);
  }
  double old_density = params_.old_rel_tuples / params_.old_rel_pages;
  return std::floor(old_density * (total - scanned) + scanned_tuples + 0.5);
}

double Seconds(const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; }

Result<LazyVacuumStats> LazyVacuum::Run() {
  auto started = std::chrono::steady_clock::now();
  rusage ru0{};
  getrusage(RUSAGE_SELF, &ru0);
  BufferUsage usage0 = MyBufferUsage();
  uint64_t fpi0 = wal::GetWalStats().wal_fpi;

  cutoffs_ = GetVacuumCutoffs();
  st_.oldest_xmin = cutoffs_.oldest_xmin;
  st_.old_relfrozenxid = params_.relfrozenxid;
  int64_t limit = static_cast<int64_t>(cutoffs_.oldest_xmin) - params_.freeze_min_age;
  freeze_limit_ = static_cast<TransactionId>(std::max<int64_t>(limit, kFirstNormalTransactionId));
  st_.freeze_limit = freeze_limit_;
  oldest_unfrozen_ = cutoffs_.oldest_xmin;
  auto nblocks = SmgrNBlocks(rel_, ForkNumber::kMain);
  if (!nblocks.ok()) return nblocks.error();
  st_.rel_pages = *nblocks;
  bool skipping = false;
  bool next_all_visible = false;
  auto first = NextUnskippable(0, &skipping, &next_all_visible);
  if (!first.ok()) return first.error();
  BlockNumber next_unskippable = *first;
  for (BlockNumber block = 0; block < st_.rel_pages; ++block) {
    if (Status s = CheckForInterrupts(); !s.ok()) return s.error();
    bool all_visible_according_to_vm = false;
    if (block == next_unskippable) {
      all_visible_according_to_vm = next_all_visible;
      auto next = NextUnskippable(block + 1, &skipping, &next_all_visible);
      if (!next.ok()) return next.error();
      next_unskippable = *next;
    } else if (skipping) {
      if (!params_.aggressive) {
        // An all-visible page may hold unfrozen xids: unless the map says
        // it is all-frozen, relfrozenxid cannot move.
        auto bits = VisibilityMapGetStatus(rel_, block, vm_);
        if (!bits.ok()) return bits.error();
        if ((*bits & kVmAllFrozen) == 0) relfrozenxid_unknown_ = true;
      }
      continue;  // in a long enough run of all-visible pages
    } else {
      all_visible_according_to_vm = true;  // all-visible, but the run was too short to skip
    }
    Progress("scanning heap", block);
    if (Status s = ScanPage(block, all_visible_according_to_vm); !s.ok()) return s.error();
  }
  if (Status s = VacuumIndexes(); !s.ok()) return s.error();
  vm_.Reset();  // the truncation drops map buffers: no pin of its own may stay
  st_.new_rel_pages = st_.rel_pages;
  BlockNumber freeable = st_.rel_pages - nonempty_pages_;
  // Truncation needs the table to itself: an AccessExclusiveLock, taken only
  // if no one holds a conflicting lock now and given back at once
  // (PostgreSQL's lazy_truncate_heap skips the truncation otherwise).
  if (freeable > 0 && (freeable >= kRelTruncateMinimum || freeable >= st_.rel_pages / kRelTruncateFraction) &&
      lmgr::ConditionalLockRelationOid(rel_.rel_number, lmgr::LockMode::kAccessExclusive, "").ok()) {
    Progress("truncating heap", st_.scanned_pages);
    auto kept = TruncateTail();
    lmgr::UnlockRelationOid(rel_.rel_number, lmgr::LockMode::kAccessExclusive);
    if (!kept.ok()) return kept.error();
    st_.new_rel_pages = *kept;
    st_.removed_pages = st_.rel_pages - *kept;
  }
  st_.next_xid_at_end = ReadNextTransactionId();
  st_.new_live_tuples = EstimateRelTuples();
  st_.new_relfrozenxid = relfrozenxid_unknown_ ? kInvalidTransactionId : oldest_unfrozen_;
  auto counts = VisibilityMapCount(rel_, st_.new_rel_pages);
  if (!counts.ok()) return counts.error();
  st_.rel_allvisible = counts->all_visible;
  st_.rel_allfrozen = counts->all_frozen;

  const BufferUsage& usage = MyBufferUsage();
  st_.buffer_hits = usage.blks_hit - usage0.blks_hit;
  st_.buffer_misses = usage.blks_read - usage0.blks_read;
  st_.wal_fpi = wal::GetWalStats().wal_fpi - fpi0;
  rusage ru1{};
  getrusage(RUSAGE_SELF, &ru1);
  st_.user_cpu_seconds = Seconds(ru1.ru_utime) - Seconds(ru0.ru_utime);
  st_.system_cpu_seconds = Seconds(ru1.ru_stime) - Seconds(ru0.ru_stime);
  st_.elapsed_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return st_;
}

double Percent(uint64_t part, BlockNumber total) {
  return total == 0 ? 100.0 : 100.0 * static_cast<double>(part) / total;
}

}  // namespace

Result<LazyVacuumStats> LazyVacuumRel(const RelFileLocator& rel, const std::vector<IndexVacuumer>& indexes,
                                      const VacuumProgressFn& progress, const LazyVacuumParams& params) {
  LazyVacuum vacuum(rel, indexes, progress, params);
  return vacuum.Run();
}

Result<int64_t> HeapCountDeadTuples(const RelFileLocator& rel) {
  VacuumCutoffs cutoffs = GetVacuumCutoffs();
  auto nblocks = SmgrNBlocks(rel, ForkNumber::kMain);
  if (!nblocks.ok()) return nblocks.error();
  int64_t dead = 0;
  for (BlockNumber block = 0; block < *nblocks; ++block) {
    auto b = ReadBuffer(BufferTag{rel, ForkNumber::kMain, block});
    if (!b.ok()) return b.error();
    LockedBuffer buf(*b, BufferLockMode::kShare);
    const char* page = buf.page();
    if (PageIsNew(page)) continue;
    for (OffsetNumber off = kFirstOffsetNumber; off <= PageGetMaxOffsetNumber(page); ++off) {
      std::string_view item = PageGetItem(page, PageGetItemId(page, off));
      if (item.empty()) continue;
      auto header = HeapTupleGetHeader(item);
      if (!header.ok()) return header.error();
      auto verdict = HeapTupleSatisfiesVacuum(*header, cutoffs);
      if (!verdict.ok()) return verdict.error();
      if (*verdict == HtsvResult::kDead || *verdict == HtsvResult::kRecentlyDead) ++dead;
    }
  }
  return dead;
}

std::string FormatVacuumReport(const LazyVacuumStats& s) {
  std::string out = fmt::format("index scans: {}\n", s.num_index_scans);
  out += fmt::format("pages: {} removed, {} remain, {} scanned ({:.2f}% of total)\n", s.removed_pages,
                     s.new_rel_pages, s.scanned_pages, Percent(s.scanned_pages, s.rel_pages));
  out += fmt::format("tuples: {} removed, {} remain, {} are dead but not yet removable\n", s.tuples_deleted,
                     static_cast<int64_t>(s.new_live_tuples) + s.recently_dead_tuples, s.recently_dead_tuples);
  out += fmt::format("removable cutoff: {}, which was {} XIDs old when operation ended\n", s.oldest_xmin,
                     static_cast<int32_t>(s.next_xid_at_end - s.oldest_xmin));
  if (s.new_relfrozenxid != kInvalidTransactionId && s.old_relfrozenxid != kInvalidTransactionId &&
      s.new_relfrozenxid > s.old_relfrozenxid) {
    out += fmt::format("new relfrozenxid: {}, which is {} XIDs ahead of previous value\n", s.new_relfrozenxid,
                       static_cast<int32_t>(s.new_relfrozenxid - s.old_relfrozenxid));
  }
  const char* what = s.index_bypassed        ? "index scan bypassed: {} pages from table ({:.2f}% of total) have {} dead item identifiers\n"
                     : s.num_index_scans == 0 ? "index scan not needed: {} pages from table ({:.2f}% of total) had {} dead item identifiers removed\n"
                                              : "index scan needed: {} pages from table ({:.2f}% of total) had {} dead item identifiers removed\n";
  out += fmt::format(fmt::runtime(what), s.lpdead_item_pages, Percent(s.lpdead_item_pages, s.rel_pages), s.lpdead_items);
  for (const auto& [name, r] : s.indexes) {
    out += fmt::format("index \"{}\": pages: {} in total, 0 newly deleted, 0 currently deleted, 0 reusable\n", name,
                       r.num_pages);
  }
  double secs = std::max(s.elapsed_seconds, 1e-6);
  constexpr double kMb = 1024.0 * 1024.0;
  out += fmt::format("avg read rate: {:.3f} MB/s, avg write rate: {:.3f} MB/s\n",
                     static_cast<double>(s.buffer_misses) * kBlockSize / kMb / secs,
                     static_cast<double>(s.buffer_dirtied) * kBlockSize / kMb / secs);
  out += fmt::format("buffer usage: {} hits, {} misses, {} dirtied\n", s.buffer_hits, s.buffer_misses, s.buffer_dirtied);
  out += fmt::format("WAL usage: {} records, {} full page images, {} bytes\n", s.wal_records, s.wal_fpi, s.wal_bytes);
  out += fmt::format("system usage: CPU: user: {:.2f} s, system: {:.2f} s, elapsed: {:.2f} s", s.user_cpu_seconds,
                     s.system_cpu_seconds, s.elapsed_seconds);
  return out;
}

}  // namespace minipg::storage
