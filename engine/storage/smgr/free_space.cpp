/*-------------------------------------------------------------------------
 * free_space.cpp
 *   The free space map (free_space.h): one category byte per heap page in
 *   the _fsm fork, read and written through smgr.
 *-------------------------------------------------------------------------
 */
#include "engine/storage/smgr/free_space.h"

#include <algorithm>
#include <cstring>

#include "engine/common/sqlstate.h"
#include "engine/storage/smgr/smgr.h"

namespace minipg::storage {

namespace {

struct FsmPage {
  alignas(kMaxAlign) char bytes[kBlockSize];
  uint8_t& Slot(size_t i) { return reinterpret_cast<uint8_t&>(bytes[kPageHeaderSize + i]); }
};

BlockNumber FsmBlockOf(BlockNumber heap_block) {
  return static_cast<BlockNumber>(heap_block / kFsmSlotsPerPage);
}
size_t SlotOf(BlockNumber heap_block) { return heap_block % kFsmSlotsPerPage; }

BufferTag FsmTag(const RelFileLocator& rel, BlockNumber fsm_block) {
  return BufferTag{rel, ForkNumber::kFsm, fsm_block};
}

/* The number of FSM pages; 0 when the fork does not exist. */
Result<BlockNumber> FsmNBlocks(const RelFileLocator& rel) {
  if (!SmgrExists(rel, ForkNumber::kFsm)) return BlockNumber{0};
  return SmgrNBlocks(rel, ForkNumber::kFsm);
}

/* Reads an FSM page; one that fails verification (or is new) comes back
 * as a fresh empty page, since the map is only a hint. Other I/O errors
 * are errors. */
Status ReadFsmPage(const RelFileLocator& rel, BlockNumber fsm_block, FsmPage& page) {
  Status s = SmgrRead(FsmTag(rel, fsm_block), page.bytes);
  if (!s.ok() && s.error().sqlstate != sqlstate::kDataCorrupted) return s;
  if (!s.ok() || PageIsNew(page.bytes)) PageInit(page.bytes, 0);
  return OkStatus();
}

}  // namespace

uint8_t FsmSpaceToCategory(size_t free_bytes) {
  return static_cast<uint8_t>(std::min<size_t>(free_bytes / kFsmCategoryBytes, 255));
}

unsigned FsmNeededCategory(size_t needed) {
  size_t cat = (needed + kFsmCategoryBytes - 1) / kFsmCategoryBytes;
  return static_cast<unsigned>(std::min<size_t>(cat, 256));
}

Result<BlockNumber> GetPageWithFreeSpace(const RelFileLocator& rel, size_t needed) {
  unsigned want = FsmNeededCategory(needed);
  if (want > 255) return kInvalidBlockNumber;
  auto nblocks = FsmNBlocks(rel);
  if (!nblocks.ok()) return nblocks.error();
  FsmPage page;
  for (BlockNumber b = 0; b < *nblocks; ++b) {
    Status s = ReadFsmPage(rel, b, page);
    if (!s.ok()) return s.error();
    for (size_t i = 0; i < kFsmSlotsPerPage; ++i) {
      if (page.Slot(i) >= want) {
        return static_cast<BlockNumber>(b * kFsmSlotsPerPage + i);
      }
    }
  }
  return kInvalidBlockNumber;
}

Status RecordPageWithFreeSpace(const RelFileLocator& rel, BlockNumber block, size_t free_bytes) {
  if (!SmgrExists(rel, ForkNumber::kFsm)) {
    Status s = SmgrCreate(rel, ForkNumber::kFsm);
    if (!s.ok()) return s;
  }
  auto nblocks = SmgrNBlocks(rel, ForkNumber::kFsm);
  if (!nblocks.ok()) return nblocks.error();
  BlockNumber fsm_block = FsmBlockOf(block);
  FsmPage page;
  for (BlockNumber b = *nblocks; b <= fsm_block; ++b) {
    PageInit(page.bytes, 0);
    Status s = SmgrExtend(FsmTag(rel, b), page.bytes);
    if (!s.ok()) return s;
  }
  Status s = ReadFsmPage(rel, fsm_block, page);
  if (!s.ok()) return s;
  uint8_t cat = FsmSpaceToCategory(free_bytes);
  if (page.Slot(SlotOf(block)) == cat) return OkStatus();
  page.Slot(SlotOf(block)) = cat;
  return SmgrWrite(FsmTag(rel, fsm_block), page.bytes);
}

Result<size_t> GetRecordedFreeSpace(const RelFileLocator& rel, BlockNumber block) {
  auto nblocks = FsmNBlocks(rel);
  if (!nblocks.ok()) return nblocks.error();
  if (FsmBlockOf(block) >= *nblocks) return size_t{0};
  FsmPage page;
  Status s = ReadFsmPage(rel, FsmBlockOf(block), page);
  if (!s.ok()) return s.error();
  return size_t{page.Slot(SlotOf(block))} * kFsmCategoryBytes;
}

Status FreeSpaceMapTruncateRel(const RelFileLocator& rel, BlockNumber heap_nblocks) {
  auto nblocks = FsmNBlocks(rel);
  if (!nblocks.ok()) return nblocks.error();
  BlockNumber keep = FsmBlockOf(heap_nblocks);  // whole FSM pages before the cut
  if (SlotOf(heap_nblocks) != 0 && keep < *nblocks) {
    FsmPage page;
    Status s = ReadFsmPage(rel, keep, page);
    if (!s.ok()) return s;
    std::memset(&page.Slot(SlotOf(heap_nblocks)), 0, kFsmSlotsPerPage - SlotOf(heap_nblocks));
    s = SmgrWrite(FsmTag(rel, keep), page.bytes);
    if (!s.ok()) return s;
    ++keep;
  }
  if (keep >= *nblocks) return OkStatus();
  return SmgrTruncate(rel, ForkNumber::kFsm, keep);
}

}  // namespace minipg::storage
