/*-------------------------------------------------------------------------
 * pruneheap.cpp
 *   VACUUM's changes to one heap page (see pruneheap.h).
 *-------------------------------------------------------------------------
 */
#include "engine/storage/heap/pruneheap.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "engine/storage/heap/heap_xmax.h"
#include "engine/storage/heap/procarray.h"
#include "engine/storage/heap/transam.h"

namespace minipg::storage {

namespace {

/* A committed, aborted or running xid as VACUUM must treat it (procarray.h:
 * the proc array before pg_xact's "in progress", so a commit racing the
 * check is never taken for an abort). */
Result<XidFate> FateOf(TransactionId xid) {
  if (xid < kFirstNormalTransactionId) return XidFate::kCommitted;
  return TransactionIdFate(xid);
}

}  // namespace

Result<HtsvResult> HeapTupleSatisfiesVacuum(const HeapTupleHeader& t, const VacuumCutoffs& cutoffs,
                                            TransactionId* removed_xid) {
  auto killed_by = [removed_xid](TransactionId xid) {
    if (removed_xid != nullptr) *removed_xid = xid;
  };
  if ((t.infomask & kHeapXminFrozen) == kHeapXminInvalid) {
    killed_by(t.xmin);
    return HtsvResult::kDead;
  }
  if ((t.infomask & kHeapXminCommitted) == 0) {
    auto fate = FateOf(t.xmin);
    if (!fate.ok()) return fate.error();
    if (*fate == XidFate::kRunning) return HtsvResult::kInsertInProgress;
    if (*fate == XidFate::kAborted) {
      killed_by(t.xmin);
      return HtsvResult::kDead;
    }
  }
  // The updater decides, also when the xmax is a MultiXact of lockers and
  // an updater (a lock-only xmax: none).
  auto updater = HeapTupleGetUpdateXid(t);
  if (!updater.ok()) return updater.error();
  TransactionId xmax = *updater;
  if (xmax == kInvalidTransactionId) return HtsvResult::kLive;
  if ((t.infomask & kHeapXmaxCommitted) == 0) {
    auto fate = FateOf(xmax);
    if (!fate.ok()) return fate.error();
    if (*fate == XidFate::kRunning) return HtsvResult::kDeleteInProgress;
    if (*fate == XidFate::kAborted) return HtsvResult::kLive;
  }
  killed_by(xmax);
  return xmax < cutoffs.oldest_xmin ? HtsvResult::kDead : HtsvResult::kRecentlyDead;
}

void PageRepairFragmentation(char* page) {
  struct Item {
    OffsetNumber off;
    ItemId id;
  };
  std::vector<Item> items;
  bool has_unused = false;
  OffsetNumber max = PageGetMaxOffsetNumber(page);
  for (OffsetNumber off = kFirstOffsetNumber; off <= max; ++off) {
    ItemId id = PageGetItemId(page, off);
    if (id.IsNormal() && !PageGetItem(page, id).empty()) {
      items.push_back({off, id});
    } else if (!id.IsUsed()) {
      has_unused = true;
    }
  }
  // Highest first: each item moves towards the end, never over one not yet moved.
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.id.offset > b.id.offset; });
  std::string copy(page, kBlockSize);
  size_t upper = PageGetSpecial(page);
  for (Item& it : items) {
    upper -= MaxAlign(it.id.length);
    std::memmove(page + upper, copy.data() + it.id.offset, it.id.length);
    it.id.offset = static_cast<uint16_t>(upper);
    PageSetItemId(page, it.off, it.id);
  }
  PageSetU16(page, kPdUpperOffset, static_cast<uint16_t>(upper));
  uint16_t flags = PageGetFlags(page);
  PageSetFlags(page, has_unused ? (flags | kPdHasFreeLines) : (flags & ~kPdHasFreeLines));
}

void HeapPagePruneExecute(char* page, const std::vector<OffsetNumber>& dead, TransactionId prune_xid) {
  for (OffsetNumber off : dead) PageSetItemId(page, off, ItemId{0, LpFlags::kDead, 0});
  PageRepairFragmentation(page);
  PageSetFlags(page, PageGetFlags(page) & ~kPdPageFull);
  PageSetPruneXid(page, prune_xid);
}

void HeapPageVacuumExecute(char* page, const std::vector<OffsetNumber>& unused) {
  for (OffsetNumber off : unused) {
    if (PageGetItemId(page, off).flags == LpFlags::kDead) PageSetItemId(page, off, ItemId{});
  }
  OffsetNumber max = PageGetMaxOffsetNumber(page);
  while (max > 0 && !PageGetItemId(page, max).IsUsed()) --max;
  PageSetU16(page, kPdLowerOffset, static_cast<uint16_t>(kPageHeaderSize + kItemIdSize * max));
  bool has_unused = false;
  for (OffsetNumber off = kFirstOffsetNumber; off <= max && !has_unused; ++off) {
    has_unused = !PageGetItemId(page, off).IsUsed();
  }
  uint16_t flags = PageGetFlags(page);
  PageSetFlags(page, has_unused ? (flags | kPdHasFreeLines) : (flags & ~kPdHasFreeLines));
}

void HeapPageFreezeExecute(char* page, const std::vector<wal::FreezeTuplePlan>& plans) {
  for (const wal::FreezeTuplePlan& p : plans) {
    char* item = PageGetItemData(page, PageGetItemId(page, p.offset));
    if (item == nullptr) continue;
    HeapTupleSetXmax(item, p.xmax);
    HeapTupleSetInfomask(item, p.infomask, static_cast<uint16_t>(~p.infomask));
    HeapTupleSetInfomask2(item, p.infomask2, static_cast<uint16_t>(~p.infomask2));
  }
}

bool HeapPageIsEmpty(const char* page) {
  if (PageIsNew(page)) return true;
  OffsetNumber max = PageGetMaxOffsetNumber(page);
  for (OffsetNumber off = kFirstOffsetNumber; off <= max; ++off) {
    if (PageGetItemId(page, off).IsUsed()) return false;
  }
  return true;
}

}  // namespace minipg::storage
