/*-------------------------------------------------------------------------
 * free_space.h
 *   The free space map: where in a heap relation a new tuple may fit,
 *   found without reading every heap page. It lives in the relation's
 *   _fsm fork: one byte per heap page, its free space category
 *   (free bytes / 32, 0..255, as PostgreSQL's categories), in ordinary
 *   8 KiB pages after their 24-byte header:
 *
 *     FSM block b, byte 24 + i  ->  heap block b * kFsmSlotsPerPage + i
 *
 * NOTES
 *   The map is a hint, as in PostgreSQL: never WAL-logged, possibly stale
 *   (a page may have less room than recorded, or no longer exist after a
 *   truncation), rebuilt as pages are recorded. A caller checks the page it
 *   is given (PageGetFreeSpace) and records the truth when it is wrong. An
 *   FSM page that fails verification reads as all zeros, never as an error.
 *   PostgreSQL keeps a tree of such bytes (a max per subtree) so a search
 *   touches a few pages; minipg keeps only the leaf level and scans it,
 *   one byte per heap page. It is read and written with plain smgr calls:
 *   two processes recording on one FSM page at once may lose one update
 *   (a hint lost); PostgreSQL reads the map through shared buffers.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstddef>
#include <cstdint>

#include "engine/common/error.h"
#include "engine/storage/block.h"
#include "engine/storage/page/page.h"

namespace minipg::storage {

/* Heap pages one FSM page describes. */
inline constexpr size_t kFsmSlotsPerPage = kBlockSize - kPageHeaderSize;
/* Bytes per category step (BLCKSZ / 256). */
inline constexpr size_t kFsmCategoryBytes = kBlockSize / 256;

/* The category recorded for `free_bytes` (rounded down: never promises
 * more room than there is). */
uint8_t FsmSpaceToCategory(size_t free_bytes);
/* The least category whose pages surely have `needed` bytes (rounded up);
 * 256 when no page can. */
unsigned FsmNeededCategory(size_t needed);

/* The first heap block whose recorded free space is at least `needed`, or
 * kInvalidBlockNumber when none is (or the relation has no map yet). */
Result<BlockNumber> GetPageWithFreeSpace(const RelFileLocator& rel, size_t needed);

/* Records that heap block `block` has `free_bytes` free, creating and
 * extending the _fsm fork as needed. */
Status RecordPageWithFreeSpace(const RelFileLocator& rel, BlockNumber block, size_t free_bytes);

/* What the map says of `block`, in bytes (category * 32; 0 if unknown). */
Result<size_t> GetRecordedFreeSpace(const RelFileLocator& rel, BlockNumber block);

/* Forgets heap blocks from `heap_nblocks` on (the heap was truncated to
 * that many blocks), shortening the fork when whole FSM pages go. */
Status FreeSpaceMapTruncateRel(const RelFileLocator& rel, BlockNumber heap_nblocks);

}  // namespace minipg::storage
