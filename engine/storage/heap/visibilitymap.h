/*-------------------------------------------------------------------------
 * visibilitymap.h
 *   The visibility map (PostgreSQL's visibilitymap.c): the relation's _vm
 *   fork keeps two bits per heap page, read and written through the shared
 *   buffers like any page:
 *
 *     ALL_VISIBLE (1)  every tuple on the page is visible to every
 *                      transaction, now and later: VACUUM may skip the
 *                      page, an Index Only Scan need not fetch the row
 *     ALL_FROZEN  (2)  every tuple's xmin is frozen as well (only set with
 *                      ALL_VISIBLE)
 *
 *   Layout: each map page has the standard 24-byte header, then 8168 bytes
 *   of bits, four heap pages a byte, the low two bits first:
 *
 *     heap block h -> map block h / 32672, byte (h % 32672) / 4 after the
 *                     header, bits 2 * (h % 4) (visible) and +1 (frozen)
 *
 *   Setting (VACUUM): the heap page is exclusively locked and already has
 *   PD_ALL_VISIBLE; VisibilityMapSet locks the map page, sets the bits and
 *   logs a Heap2 VISIBLE record (block 0 the map page, block 1 the heap
 *   page, with its image when due: minipg's pages always have checksums)
 *   whose LSN both pages take: neither reaches disk before the record. Clearing (any INSERT, UPDATE, DELETE on the page;
 *   a row lock clears ALL_FROZEN only): under the heap page's exclusive
 *   lock, in the same step as the change, not logged itself; the heap
 *   record carries an "all-visible cleared" flag and its redo clears the
 *   bits again. A bit wrongly clear only costs work; a bit wrongly set
 *   would be a wrong answer, so a change clears before it is visible.
 *
 *   The fork is created and extended on demand (a page at a time, zeroed:
 *   every bit clear); a heap block past the map's end reads as 0.
 *   Callers keep one map page pinned across calls (VmBuffer) and pin the
 *   right one before they lock a heap page, so no I/O happens under it.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>

#include "engine/common/error.h"
#include "engine/storage/block.h"
#include "engine/storage/buffer/buffer_pool.h"
#include "engine/storage/page/page.h"

namespace minipg::storage {

inline constexpr uint8_t kVmAllVisible = 0x01;
inline constexpr uint8_t kVmAllFrozen = 0x02;
inline constexpr uint8_t kVmValidBits = kVmAllVisible | kVmAllFrozen;

inline constexpr size_t kVmMapSize = kBlockSize - kPageHeaderSize;  // bytes of bits a page
inline constexpr BlockNumber kVmHeapBlocksPerByte = 4;
inline constexpr BlockNumber kVmHeapBlocksPerPage = kVmMapSize * kVmHeapBlocksPerByte;

/* The map page covering a heap block. */
inline BlockNumber VmBlockOf(BlockNumber heap_block) { return heap_block / kVmHeapBlocksPerPage; }

/* A pinned map page (or none), released when it goes out of scope. */
class VmBuffer {
 public:
  VmBuffer() = default;
  VmBuffer(const VmBuffer&) = delete;
  VmBuffer& operator=(const VmBuffer&) = delete;
  ~VmBuffer() { Reset(); }
  void Reset() {
    if (buffer_ != kInvalidBuffer) ReleaseBuffer(buffer_);
    buffer_ = kInvalidBuffer;
  }
  bool valid() const { return buffer_ != kInvalidBuffer; }
  Buffer get() const { return buffer_; }
  /* Whether the pinned page covers `heap_block`. */
  bool Covers(BlockNumber heap_block) const {
    return valid() && BufferGetBlockNumber(buffer_) == VmBlockOf(heap_block);
  }
  void Set(Buffer b) {
    Reset();
    buffer_ = b;
  }

 private:
  Buffer buffer_ = kInvalidBuffer;
};

/* Pins the map page covering `heap_block` into `vm` (kept if it already
 * is), creating and extending the fork up to it. */
Status VisibilityMapPin(const RelFileLocator& rel, BlockNumber heap_block, VmBuffer& vm);

/* Sets `flags` for `heap_block`, whose page `heap_buf` the caller holds
 * exclusively locked with PD_ALL_VISIBLE set and marked dirty; `vm` pinned
 * (VisibilityMapPin). Logs Heap2 VISIBLE with `cutoff_xid` unless the bits
 * were set already (or `in_redo`: then the page gets `redo_lsn`). Returns
 * the record's end (0 when nothing was logged). */
XLogRecPtr VisibilityMapSet(const RelFileLocator& rel, BlockNumber heap_block, Buffer heap_buf, VmBuffer& vm,
                            TransactionId cutoff_xid, uint8_t flags, XLogRecPtr redo_lsn = 0);

/* Sets `flags` for `heap_block` on an exclusively locked map page (a new
 * page is initialized first); whether that changed it (also redo's). */
bool VisibilityMapSetBits(char* page, BlockNumber heap_block, uint8_t flags);

/* Clears `flags` for `heap_block` on the pinned map page; whether any was
 * set. Not logged (see above). */
bool VisibilityMapClear(BlockNumber heap_block, VmBuffer& vm, uint8_t flags);

/* The bits of `heap_block` (0 past the map's end); `vm` keeps the page
 * pinned for the next call. The bits are read under the map page's share
 * lock. */
Result<uint8_t> VisibilityMapGetStatus(const RelFileLocator& rel, BlockNumber heap_block, VmBuffer& vm);

/* How many heap pages have ALL_VISIBLE, and ALL_FROZEN, set among the
 * first `heap_nblocks` (pg_class.relallvisible, as visibilitymap_count). */
struct VmCounts {
  BlockNumber all_visible = 0;
  BlockNumber all_frozen = 0;
};
Result<VmCounts> VisibilityMapCount(const RelFileLocator& rel, BlockNumber heap_nblocks);

/* The heap is being cut to `heap_nblocks`: the bits of later pages are
 * cleared and whole map pages past them dropped (buffers and file). */
Status VisibilityMapTruncate(const RelFileLocator& rel, BlockNumber heap_nblocks);

/* Clears the bits for heap blocks when a heap record's redo says a change
 * cleared them (the "all-visible cleared" flags): pins, clears, dirties.
 * A relation whose main fork is gone is skipped. */
Status VisibilityMapRedoClear(const RelFileLocator& rel, BlockNumber heap_block, uint8_t flags);

}  // namespace minipg::storage
