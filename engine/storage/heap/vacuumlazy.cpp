/*-------------------------------------------------------------------------
 * vacuumlazy.cpp
 *   Lazy VACUUM of one table (see vacuumlazy.h).
 *-------------------------------------------------------------------------
 */
#include "engine/storage/heap/vacuumlazy.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "engine/common/interrupts.h"
#include "engine/storage/buffer/locked_buffer.h"
#include "engine/storage/heap/pruneheap.h"
#include "engine/storage/heap/transam.h"
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

/* A page whose LP_DEAD items wait for the index pass. */
struct DeadPage {
  BlockNumber block;
  std::vector<OffsetNumber> offsets;
};

class LazyVacuum {
 public:
  LazyVacuum(const RelFileLocator& rel, const std::vector<IndexVacuumer>& indexes, const VacuumProgressFn& progress)
      : rel_(rel), indexes_(indexes), progress_(progress) {}

  Result<LazyVacuumStats> Run();

 private:
  void Progress(std::string_view phase, BlockNumber scanned) {
    if (progress_) progress_(phase, scanned, st_.rel_pages);
  }
  /* Logs a change to the locked page (a Heap2 record, no xid), sets its
   * LSN and marks it dirty. */
  void LogPage(LockedBuffer& buf, XLogRecPtr old_lsn, uint8_t info, const std::string& main,
               const std::vector<OffsetNumber>& offsets);
  Status ScanPage(BlockNumber block);
  Status VacuumPage(const DeadPage& dead);
  Status RecordFreeSpace(LockedBuffer& buf);
  Status VacuumIndexes();
  Result<BlockNumber> TruncateTail();

  RelFileLocator rel_;
  const std::vector<IndexVacuumer>& indexes_;
  const VacuumProgressFn& progress_;
  VacuumCutoffs cutoffs_;
  LazyVacuumStats st_;
  std::vector<DeadPage> dead_pages_;
  BlockNumber nonempty_pages_ = 0;  // one past the last page with a tuple that stays
};

void LazyVacuum::LogPage(LockedBuffer& buf, XLogRecPtr old_lsn, uint8_t info, const std::string& main,
                         const std::vector<OffsetNumber>& offsets) {
  std::string data = wal::EncodeOffsets(offsets);
  wal::XLogBlockRef ref;
  ref.id = 0;
  ref.tag = BufferTag{rel_, ForkNumber::kMain, buf.block()};
  ref.page_if_needed = buf.page();
  ref.page_lsn = old_lsn;
  ref.data = data;
  XLogRecPtr end = wal::XLogInsertOrPanic(wal::RmgrId::kHeap2, info, kInvalidTransactionId, {&ref, 1}, main);
  ++st_.wal_records;
  st_.wal_bytes += end - wal::XLogLastInsertStart();
  PageSetLSN(buf.page(), end);
  MarkBufferDirty(buf.get());
  ++st_.buffer_dirtied;
}

Status LazyVacuum::RecordFreeSpace(LockedBuffer& buf) {
  BlockNumber block = buf.block();
  size_t free_bytes = PageIsNew(buf.page()) ? kBlockSize - kPageHeaderSize : PageGetFreeSpace(buf.page());
  buf.Reset();
  return RecordPageWithFreeSpace(rel_, block, free_bytes);
}

Status LazyVacuum::ScanPage(BlockNumber block) {
  auto b = ReadBuffer(BufferTag{rel_, ForkNumber::kMain, block});
  if (!b.ok()) return b.error();
  LockedBuffer buf(*b, BufferLockMode::kExclusive);
  ++st_.scanned_pages;
  char* page = buf.page();
  if (PageIsNew(page)) return RecordFreeSpace(buf);
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
  if (has_tuples) nonempty_pages_ = block + 1;
  if (dead.empty()) return RecordFreeSpace(buf);
  ++st_.lpdead_item_pages;
  st_.lpdead_items += static_cast<int64_t>(dead.size());
  if (!indexes_.empty()) {
    dead_pages_.push_back({block, std::move(dead)});
    return RecordFreeSpace(buf);
  }
  // No index: nothing points at the LP_DEAD items, they are unused at once.
  XLogRecPtr old_lsn = PageGetLSN(page);
  HeapPageVacuumExecute(page, dead);
  LogPage(buf, old_lsn, wal::kHeap2Vacuum, wal::EncodePayload(wal::HeapVacuumRecord{static_cast<uint16_t>(dead.size())}),
          dead);
  return RecordFreeSpace(buf);
}

Status LazyVacuum::VacuumPage(const DeadPage& dead) {
  auto b = ReadBuffer(BufferTag{rel_, ForkNumber::kMain, dead.block});
  if (!b.ok()) return b.error();
  LockedBuffer buf(*b, BufferLockMode::kExclusive);
  XLogRecPtr old_lsn = PageGetLSN(buf.page());
  HeapPageVacuumExecute(buf.page(), dead.offsets);
  LogPage(buf, old_lsn, wal::kHeap2Vacuum,
          wal::EncodePayload(wal::HeapVacuumRecord{static_cast<uint16_t>(dead.offsets.size())}), dead.offsets);
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
  return keep;
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
  auto nblocks = SmgrNBlocks(rel_, ForkNumber::kMain);
  if (!nblocks.ok()) return nblocks.error();
  st_.rel_pages = *nblocks;
  for (BlockNumber block = 0; block < st_.rel_pages; ++block) {
    if (Status s = CheckForInterrupts(); !s.ok()) return s.error();
    Progress("scanning heap", block);
    if (Status s = ScanPage(block); !s.ok()) return s.error();
  }
  if (Status s = VacuumIndexes(); !s.ok()) return s.error();
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
                                      const VacuumProgressFn& progress) {
  LazyVacuum vacuum(rel, indexes, progress);
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
                     s.live_tuples + s.recently_dead_tuples, s.recently_dead_tuples);
  out += fmt::format("removable cutoff: {}, which was {} XIDs old when operation ended\n", s.oldest_xmin,
                     static_cast<int32_t>(s.next_xid_at_end - s.oldest_xmin));
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
