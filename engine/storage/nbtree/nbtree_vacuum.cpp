/*-------------------------------------------------------------------------
 * nbtree_vacuum.cpp
 *   VACUUM's bulk delete of a B-tree (PostgreSQL's btbulkdelete /
 *   btvacuumscan, simplified): every leaf page, in block order, loses the
 *   items whose heap TID VACUUM is removing; one Btree VACUUM record per
 *   page changed.
 *
 * NOTES
 *   Pages are never deleted or recycled (an emptied leaf stays in its
 *   level's list with only its high key), and there is no cycle id to
 *   notice a split that moved items to a block already passed: the
 *   heap's LP_DEAD items keep their numbers until this pass is over, so
 *   an entry missed that way only points at a line pointer that is
 *   unused later, which a reader skips (no tuple there).
 *-------------------------------------------------------------------------
 */
#include "engine/storage/nbtree/nbtree.h"

#include <algorithm>

#include "engine/common/interrupts.h"
#include "engine/storage/nbtree/nbtree_internal.h"
#include "engine/storage/nbtree/nbtree_tuple.h"
#include "engine/storage/smgr/smgr.h"
#include "engine/storage/wal/btree_records.h"
#include "engine/storage/wal/wal_records.h"
#include "engine/storage/wal/xlog.h"

namespace minipg::storage::nbtree {

bool BtPageDeleteItems(char* page, const std::vector<uint16_t>& offsets) {
  BtOpaque opaque = BtPageGetOpaque(page);
  std::string blob;
  OffsetNumber max = PageGetMaxOffsetNumber(page);
  for (OffsetNumber off = kFirstOffsetNumber; off <= max; ++off) {
    if (std::find(offsets.begin(), offsets.end(), off) != offsets.end()) continue;
    BtAppendItem(blob, BtPageItem(page, off));
  }
  XLogRecPtr lsn = PageGetLSN(page);
  bool ok = BtPageFill(page, opaque, blob);
  PageSetLSN(page, lsn);
  return ok;
}

Result<storage::IndexVacuumResult> BtreeBulkDelete(const BtreeIndex& index, const storage::TidIsDead& is_dead) {
  storage::IndexVacuumResult result;
  auto nblocks = SmgrNBlocks(index.rel, ForkNumber::kMain);
  if (!nblocks.ok()) return nblocks.error();
  result.num_pages = *nblocks;
  for (BlockNumber block = kBtMetaBlock + 1; block < *nblocks; ++block) {
    if (Status s = CheckForInterrupts(); !s.ok()) return s.error();
    auto buf = BtReadPage(index, block, BufferLockMode::kExclusive);
    if (!buf.ok()) return buf.error();
    char* page = buf->page();
    BtOpaque opaque = buf->opaque();
    if (!opaque.IsLeaf()) continue;
    std::vector<uint16_t> deleted;
    OffsetNumber max = PageGetMaxOffsetNumber(page);
    for (OffsetNumber off = BtFirstDataKey(opaque); off <= max; ++off) {
      if (is_dead(BtTupleHeapTid(BtPageItem(page, off)))) deleted.push_back(off);
    }
    OffsetNumber first = BtFirstDataKey(opaque);
    result.num_index_tuples += max >= first ? max - first + 1 - deleted.size() : 0;
    if (deleted.empty()) continue;
    XLogRecPtr old_lsn = PageGetLSN(page);
    if (!BtPageDeleteItems(page, deleted)) return BtCorrupt(index, "items do not fit back on their page");
    std::string data = wal::EncodeOffsets(deleted);
    std::string main = wal::EncodePayload(wal::BtreeVacuumRecord{static_cast<uint16_t>(deleted.size()), 0});
    wal::XLogBlockRef ref;
    ref.id = 0;
    ref.tag = BufferTag{index.rel, ForkNumber::kMain, block};
    ref.page_if_needed = page;
    ref.page_lsn = old_lsn;
    ref.data = data;
    MarkBufferDirty(buf->get());
    XLogRecPtr end =
        wal::XLogInsertOrPanic(wal::RmgrId::kBtree, wal::kBtreeVacuum, kInvalidTransactionId, {&ref, 1}, main);
    PageSetLSN(page, end);
    result.tuples_removed += deleted.size();
  }
  return result;
}

}  // namespace minipg::storage::nbtree
