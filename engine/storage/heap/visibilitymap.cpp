/*-------------------------------------------------------------------------
 * visibilitymap.cpp
 *   The visibility map's bits in the _vm fork (see visibilitymap.h).
 *-------------------------------------------------------------------------
 */
#include "engine/storage/heap/visibilitymap.h"

#include <bit>
#include <cstring>

#include "engine/storage/buffer/locked_buffer.h"
#include "engine/storage/smgr/smgr.h"
#include "engine/storage/wal/wal_records.h"
#include "engine/storage/wal/xlog.h"

namespace minipg::storage {

namespace {

size_t ByteOf(BlockNumber heap_block) { return (heap_block % kVmHeapBlocksPerPage) / kVmHeapBlocksPerByte; }
unsigned ShiftOf(BlockNumber heap_block) { return (heap_block % kVmHeapBlocksPerByte) * 2; }

uint8_t* MapOf(char* page) { return reinterpret_cast<uint8_t*>(page + kPageHeaderSize); }

/* The number of map pages; 0 when the fork does not exist. */
Result<BlockNumber> VmNBlocks(const RelFileLocator& rel) {
  if (!SmgrExists(rel, ForkNumber::kVisibilityMap)) return BlockNumber{0};
  return SmgrNBlocks(rel, ForkNumber::kVisibilityMap);
}

}  // namespace

bool VisibilityMapSetBits(char* page, BlockNumber heap_block, uint8_t flags) {
  if (PageIsNew(page)) PageInit(page, 0);
  uint8_t& byte = MapOf(page)[ByteOf(heap_block)];
  uint8_t old = byte;
  byte = static_cast<uint8_t>(byte | ((flags & kVmValidBits) << ShiftOf(heap_block)));
  return byte != old;
}

Status VisibilityMapPin(const RelFileLocator& rel, BlockNumber heap_block, VmBuffer& vm) {
  if (vm.Covers(heap_block)) return OkStatus();
  vm.Reset();
  BlockNumber vm_block = VmBlockOf(heap_block);
  if (!SmgrExists(rel, ForkNumber::kVisibilityMap)) {
    if (Status s = SmgrCreate(rel, ForkNumber::kVisibilityMap); !s.ok()) return s;
  }
  auto nblocks = SmgrNBlocks(rel, ForkNumber::kVisibilityMap);
  if (!nblocks.ok()) return nblocks.error();
  // Zeroed pages up to it (another process extending at the same time may
  // add one more: an extra page of clear bits does no harm).
  for (BlockNumber n = *nblocks; n <= vm_block; ++n) {
    auto added = ReadBuffer(BufferTag{rel, ForkNumber::kVisibilityMap, kInvalidBlockNumber});
    if (!added.ok()) return added.error();
    BlockNumber got = BufferGetBlockNumber(*added);
    ReleaseBuffer(*added);
    if (got >= vm_block) break;
  }
  auto b = ReadBuffer(BufferTag{rel, ForkNumber::kVisibilityMap, vm_block});
  if (!b.ok()) return b.error();
  vm.Set(*b);
  return OkStatus();
}

XLogRecPtr VisibilityMapSet(const RelFileLocator& rel, BlockNumber heap_block, Buffer heap_buf, VmBuffer& vm,
                            TransactionId cutoff_xid, uint8_t flags, XLogRecPtr redo_lsn) {
  LockBuffer(vm.get(), BufferLockMode::kExclusive);
  char* page = BufferGetPage(vm.get());
  XLogRecPtr old_lsn = PageGetLSN(page);
  XLogRecPtr end = 0;
  if (VisibilityMapSetBits(page, heap_block, flags)) {
    MarkBufferDirty(vm.get());
    if (redo_lsn != 0) {
      PageSetLSN(page, redo_lsn);
    } else {
      wal::XLogBlockRef refs[2];
      refs[0].id = 0;
      refs[0].tag = BufferTag{rel, ForkNumber::kVisibilityMap, VmBlockOf(heap_block)};
      refs[0].page_if_needed = page;
      refs[0].page_lsn = old_lsn;
      refs[0].standard_page = false;  // the bits fill the page: no hole to leave out
      // Checksums are always on in minipg: PD_ALL_VISIBLE is covered by the
      // record as PostgreSQL covers it with checksums (an image of the heap
      // page when due, the page's LSN set).
      char* heap_page = BufferGetPage(heap_buf);
      refs[1].id = 1;
      refs[1].tag = BufferTag{rel, ForkNumber::kMain, BufferGetBlockNumber(heap_buf)};
      refs[1].page_if_needed = heap_page;
      refs[1].page_lsn = PageGetLSN(heap_page);
      std::string main = wal::EncodePayload(wal::HeapVisibleRecord{cutoff_xid, flags});
      end = wal::XLogInsertOrPanic(wal::RmgrId::kHeap2, wal::kHeap2Visible, kInvalidTransactionId, refs, main);
      PageSetLSN(page, end);
      PageSetLSN(heap_page, end);
    }
  }
  UnlockBuffer(vm.get());
  return end;
}

bool VisibilityMapClear(BlockNumber heap_block, VmBuffer& vm, uint8_t flags) {
  LockBuffer(vm.get(), BufferLockMode::kExclusive);
  char* page = BufferGetPage(vm.get());
  bool cleared = false;
  if (!PageIsNew(page)) {
    uint8_t& byte = MapOf(page)[ByteOf(heap_block)];
    uint8_t mask = static_cast<uint8_t>(flags << ShiftOf(heap_block));
    cleared = (byte & mask) != 0;
    byte = static_cast<uint8_t>(byte & ~mask);
  }
  if (cleared) MarkBufferDirty(vm.get());
  UnlockBuffer(vm.get());
  return cleared;
}

Result<uint8_t> VisibilityMapGetStatus(const RelFileLocator& rel, BlockNumber heap_block, VmBuffer& vm) {
  if (!vm.Covers(heap_block)) {
    vm.Reset();
    auto nblocks = VmNBlocks(rel);
    if (!nblocks.ok()) return nblocks.error();
    if (VmBlockOf(heap_block) >= *nblocks) return uint8_t{0};
    auto b = ReadBuffer(BufferTag{rel, ForkNumber::kVisibilityMap, VmBlockOf(heap_block)});
    if (!b.ok()) return b.error();
    vm.Set(*b);
  }
  LockBuffer(vm.get(), BufferLockMode::kShare);
  const char* page = BufferGetPage(vm.get());
  uint8_t bits = PageIsNew(page) ? 0
                                 : static_cast<uint8_t>((MapOf(const_cast<char*>(page))[ByteOf(heap_block)] >>
                                                         ShiftOf(heap_block)) & kVmValidBits);
  UnlockBuffer(vm.get());
  return bits;
}

Result<VmCounts> VisibilityMapCount(const RelFileLocator& rel, BlockNumber heap_nblocks) {
  VmCounts counts;
  auto nblocks = VmNBlocks(rel);
  if (!nblocks.ok()) return nblocks.error();
  for (BlockNumber vm_block = 0; vm_block < *nblocks; ++vm_block) {
    BlockNumber first = vm_block * kVmHeapBlocksPerPage;
    if (first >= heap_nblocks) break;
    auto b = ReadBuffer(BufferTag{rel, ForkNumber::kVisibilityMap, vm_block});
    if (!b.ok()) return b.error();
    LockedBuffer buf(*b, BufferLockMode::kShare);
    if (PageIsNew(buf.page())) continue;
    const uint8_t* map = MapOf(buf.page());
    BlockNumber last = std::min<BlockNumber>(heap_nblocks, first + kVmHeapBlocksPerPage);
    for (BlockNumber h = first; h < last; ++h) {
      uint8_t bits = static_cast<uint8_t>(map[ByteOf(h)] >> ShiftOf(h));
      if (bits & kVmAllVisible) ++counts.all_visible;
      if (bits & kVmAllFrozen) ++counts.all_frozen;
    }
  }
  return counts;
}

Status VisibilityMapTruncate(const RelFileLocator& rel, BlockNumber heap_nblocks) {
  auto nblocks = VmNBlocks(rel);
  if (!nblocks.ok()) return nblocks.error();
  BlockNumber keep = VmBlockOf(heap_nblocks);  // whole map pages before the cut
  BlockNumber first_in_page = heap_nblocks % kVmHeapBlocksPerPage;
  if (first_in_page != 0 && keep < *nblocks) {
    auto b = ReadBuffer(BufferTag{rel, ForkNumber::kVisibilityMap, keep});
    if (!b.ok()) return b.error();
    LockedBuffer buf(*b, BufferLockMode::kExclusive);
    if (!PageIsNew(buf.page())) {
      uint8_t* map = MapOf(buf.page());
      size_t byte = ByteOf(heap_nblocks);
      unsigned shift = ShiftOf(heap_nblocks);
      map[byte] = static_cast<uint8_t>(map[byte] & ((1u << shift) - 1));  // keep the bits of earlier blocks
      std::memset(map + byte + 1, 0, kVmMapSize - byte - 1);
      MarkBufferDirty(buf.get());
    }
    ++keep;
  }
  if (keep >= *nblocks) return OkStatus();
  if (Status s = DropRelationBuffers(rel, ForkNumber::kVisibilityMap, keep); !s.ok()) return s;
  return SmgrTruncate(rel, ForkNumber::kVisibilityMap, keep);
}

Status VisibilityMapRedoClear(const RelFileLocator& rel, BlockNumber heap_block, uint8_t flags) {
  if (!SmgrExists(rel, ForkNumber::kMain)) return OkStatus();
  VmBuffer vm;
  if (Status s = VisibilityMapPin(rel, heap_block, vm); !s.ok()) return s;
  VisibilityMapClear(heap_block, vm, flags);
  return OkStatus();
}

}  // namespace minipg::storage
