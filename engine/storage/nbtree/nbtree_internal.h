/*-------------------------------------------------------------------------
 * nbtree_internal.h
 *   What the B-tree's files share: a pinned and locked buffer that lets go
 *   by itself, reading the metapage, the descent from the root with its
 *   moves right (PostgreSQL's _bt_search, _bt_moveright, _bt_binsrch), and
 *   the text of a key for messages.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <string>

#include "engine/storage/buffer/locked_buffer.h"
#include "engine/storage/nbtree/nbtree.h"
#include "engine/storage/nbtree/nbtree_compare.h"
#include "engine/storage/nbtree/nbtree_page.h"
#include "engine/storage/wal/wal_record.h"

namespace minipg::storage::nbtree {

/* A pinned, content-locked index page (let go when it goes). */
class BtBuf : public LockedBuffer {
 public:
  using LockedBuffer::LockedBuffer;
  BtOpaque opaque() const { return BtPageGetOpaque(page()); }
};

/* Block `block` of the index, locked. A page that is not a B-tree page
 * (nor the metapage where expected) is XX002 "index "i" contains
 * unexpected zero page at block N" / "... corrupted page". */
Result<BtBuf> BtReadPage(const BtreeIndex& index, BlockNumber block, BufferLockMode mode);
/* A new block at the end of the index's file, exclusively locked. */
Result<BtBuf> BtNewPage(const BtreeIndex& index);
/* The metapage's contents (share lock, at once let go). */
Result<BtMeta> BtGetMeta(const BtreeIndex& index);

/* The first offset in [first data key, max + 1] whose item is greater
 * than `key` (leaf: where the key goes; internal: the downlink to follow
 * is the one before it). */
Result<OffsetNumber> BtBinarySearch(const BtreeIndex& index, const char* page, const BtSearchKey& key);

/* Moves right from `buf` while the page is not the rightmost of its level
 * and `key` is at or past its high key (a split moved those keys right).
 * `coupled`: the next page is locked before the current one is let go (an
 * inserter after its unique check); else let go first, as a reader. */
Status BtMoveRight(const BtreeIndex& index, BtBuf& buf, const BtSearchKey& key, BufferLockMode mode,
                   bool coupled = false);

/* Descends from the root to the page of level `level` where `key`
 * belongs, locked in `mode` (pages above in share mode, one at a time).
 * An invalid BtBuf when the index has no root, or no level that high. */
Result<BtBuf> BtDescend(const BtreeIndex& index, const BtSearchKey& key, uint32_t level, BufferLockMode mode);

/* "(a, b)=(1, x)", as PostgreSQL's BuildIndexValueDescription. */
std::string BtKeyDescription(const BtreeIndex& index, const Tuple& key, BtValueText value_text);

/* The change to `page` is made: log it (a full page image when the page
 * was last changed before the redo point), set its LSN, mark it dirty. */
void BtLogSingle(const BtreeIndex& index, Buffer buffer, uint8_t info, std::string_view data, std::string_view main,
                 XLogRecPtr old_lsn);

/* A page built whole: logged as an XLOG FPI record (log_newpage), its
 * LSN set, marked dirty. */
void BtLogNewPage(const BtreeIndex& index, const BtBuf& buf);

/* A tuple's key values and heap TID as a search key. */
Result<BtSearchKey> BtKeyOf(const BtreeIndex& index, std::string_view tuple);

/* A block a record rebuilds from its data (will_init). */
wal::XLogBlockRef BtRebuiltBlock(const BtreeIndex& index, uint8_t id, BlockNumber block, std::string_view data);

/* The XX002 error for a page that is not what the tree says it is. */
Error BtCorrupt(const BtreeIndex& index, std::string what);

}  // namespace minipg::storage::nbtree
