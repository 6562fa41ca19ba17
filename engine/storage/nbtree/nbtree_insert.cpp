/*-------------------------------------------------------------------------
 * nbtree_insert.cpp
 *   Adding an entry (BtreeInsert, PostgreSQL's nbtinsert.c in spirit):
 *
 *     descend to the leaf (exclusive), for a unique index the first leaf
 *       an equal key could be on, and check the equal keys there and to
 *       the right (their pages share-locked while the leaf stays locked)
 *     move right, lock-coupled, to the page (key, heap TID) belongs on
 *     it fits: INSERT_LEAF
 *     it does not: split the page (SPLIT_L / SPLIT_R: both halves and the
 *       old right sibling's left-link in one record), let the pages go,
 *       then insert the downlink of the new right half into the level
 *       above, found by descending again with its key (INSERT_UPPER, which
 *       may split in turn); no level above: a new root (NEWROOT)
 *
 * NOTES
 *   Between the split and the downlink, and for good when a crash falls
 *   between their records, the right half is reached by moving right from
 *   its left sibling: searches stay correct, one page read longer. The
 *   downlink is placed by key, not by finding the left half's downlink,
 *   so a missing one never stops a later split (PostgreSQL instead marks
 *   the left half INCOMPLETE_SPLIT and finishes the split later).
 *-------------------------------------------------------------------------
 */
#include <array>
#include <cstring>

#include <fmt/format.h>

#include "engine/common/sqlstate.h"
#include "engine/storage/heap/xact.h"
#include "engine/storage/nbtree/nbtree_internal.h"
#include "engine/storage/nbtree/nbtree_tuple.h"
#include "engine/storage/wal/btree_records.h"
#include "engine/storage/wal/xlog.h"

namespace minipg::storage::nbtree {

namespace {

/* Room for items on an empty index page. */
constexpr size_t kPageCapacity = kBlockSize - kPageHeaderSize - kBtSpecialSize;
/* How full the left half of a rightmost page is left when keys arrive in
 * ascending order (PostgreSQL's BTREE_DEFAULT_FILLFACTOR and
 * BTREE_NONLEAF_FILLFACTOR). */
constexpr size_t kLeafFillPercent = 90;
constexpr size_t kUpperFillPercent = 70;

uint16_t FlagsForLevel(uint32_t level) { return level == 0 ? kBtpLeaf : 0; }

/* The NEWROOT record: the root page (items) and the metapage, both rebuilt. */
void LogNewRoot(const BtreeIndex& index, BtBuf& root, BtBuf& meta, const BtMeta& m, std::string_view items) {
  std::string meta_data = wal::EncodeBtreePayload(wal::BtreeMetaRecord{m.root, m.level, m.fastroot, m.fastlevel});
  std::array<wal::XLogBlockRef, 2> refs{BtRebuiltBlock(index, 0, root.block(), items),
                                         BtRebuiltBlock(index, 1, kBtMetaBlock, meta_data)};
  std::string main = wal::EncodeBtreePayload(wal::BtreeNewrootRecord{root.block(), m.level});
  for (BtBuf* b : {&root, &meta}) MarkBufferDirty(b->get());
  XLogRecPtr end = wal::XLogInsertOrPanic(wal::RmgrId::kBtree, wal::kBtreeNewroot, GetCurrentTransactionId(), refs, main);
  for (BtBuf* b : {&root, &meta}) PageSetLSN(b->page(), end);
}

/* A root over `items` at `level` (a first, empty leaf: level 0, no items),
 * the metapage pointing at it. `meta` is the exclusively locked metapage. */
Status NewRoot(const BtreeIndex& index, BtBuf& meta, uint32_t level, const std::string& items) {
  auto root = BtNewPage(index);
  if (!root.ok()) return root.error();
  if (!BtPageFill(root->page(), BtOpaque{kBtNone, kBtNone, level, static_cast<uint16_t>(FlagsForLevel(level) | kBtpRoot)},
                  items)) {
    return BtCorrupt(index, "new root items do not fit");
  }
  BtMeta m{root->block(), level, root->block(), level};
  BtInitMetaPage(meta.page(), m);
  LogNewRoot(index, *root, meta, m, items);
  return OkStatus();
}

/* An empty index gets its first root, an empty leaf (as _bt_getroot). */
Status EnsureRoot(const BtreeIndex& index) {
  auto meta = BtReadPage(index, kBtMetaBlock, BufferLockMode::kExclusive);
  if (!meta.ok()) return meta.error();
  if (BtReadMeta(meta->page()).root != kBtNone) return OkStatus();  // another made it meanwhile
  return NewRoot(index, *meta, 0, "");
}

Error UniqueViolation(const BtreeIndex& index, const Tuple& key, BtValueText value_text) {
  Error e = MakeError(sqlstate::kUniqueViolation,
                      fmt::format("duplicate key value violates unique constraint \"{}\"", index.name));
  e.detail = fmt::format("Key {} already exists.", BtKeyDescription(index, key, value_text));
  return e;
}

/* The unique check (_bt_check_unique): every item with an equal key, from
 * the first on `leaf` on, to the right while the high key is equal too;
 * a live heap row among them is a violation, one an in-progress
 * transaction inserts or deletes is that transaction's xid (to wait for;
 * kInvalidTransactionId: no conflict). `leaf` stays locked. Items whose
 * row is dead to all are marked dead on the way (LP_DEAD), so the next
 * check and every scan pass over them without a visit to the heap. */
Result<TransactionId> CheckUnique(const BtreeIndex& index, const BtBuf& leaf, const Tuple& key,
                                  const BtHeapTupleIsLive& is_live, BtValueText value_text) {
  for (const Datum& d : key) {
    if (IsNull(d)) return kInvalidTransactionId;  // NULLs are never equal
  }
  BtSearchKey first{key, std::nullopt, -1};
  auto start = BtBinarySearch(index, leaf.page(), first);
  if (!start.ok()) return start.error();
  OffsetNumber off = *start;
  BtBuf right;  // a page to the right, share-locked
  const char* page = leaf.page();
  Buffer buffer = leaf.get();
  for (;;) {
    for (OffsetNumber max = PageGetMaxOffsetNumber(page); off <= max; ++off) {
      if (BtItemIsDead(page, off)) continue;  // its row is dead to all: no conflict
      std::string_view item = BtPageItem(page, off);
      auto values = DeformIndexTuple(index.columns, item);
      if (!values.ok()) return values.error();
      if (!BtKeysEqualNotNull(index.columns, key, *values)) return kInvalidTransactionId;
      if (!is_live) return UniqueViolation(index, key, value_text);
      auto live = is_live(BtTupleHeapTid(item));
      if (!live.ok()) return live.error();
      if (live->wait_for != kInvalidTransactionId) return live->wait_for;
      if (live->live) return UniqueViolation(index, key, value_text);
      if (live->dead_to_all) {  // the next check and every scan can pass it over
        BtMarkItemDead(BufferGetPage(buffer), off);
        MarkBufferDirtyHint(buffer);
      }
    }
    BtOpaque o = BtPageGetOpaque(page);
    if (o.IsRightmost()) return kInvalidTransactionId;
    auto high = DeformIndexTuple(index.columns, BtPageItem(page, kBtHikey));
    if (!high.ok()) return high.error();
    if (!BtKeysEqualNotNull(index.columns, key, *high)) return kInvalidTransactionId;
    auto next = BtReadPage(index, o.next, BufferLockMode::kShare);
    if (!next.ok()) return next.error();
    right = std::move(*next);
    page = right.page();
    buffer = right.get();
    off = BtFirstDataKey(right.opaque());
  }
}

struct SplitResult {
  std::string separator;  // the pivot for the level above, leading to the right half
  uint32_t level = 0;
};

/* Where to split n items of these sizes (item k is the first to go right):
 * the left half about half full, or fill_percent full when the new item
 * is the last of the rightmost page (ascending keys); both halves fit. */
size_t ChooseSplit(const std::vector<std::string_view>& items, size_t new_pos, bool rightmost, size_t high_key_size,
                   uint32_t level) {
  size_t n = items.size();
  std::vector<size_t> before(n + 1, 0);  // bytes of items[0..k)
  for (size_t i = 0; i < n; ++i) before[i + 1] = before[i] + MaxAlign(items[i].size()) + kItemIdSize;
  size_t target = before[n] / 2;
  if (rightmost && new_pos == n - 1) {
    target = kPageCapacity * (level == 0 ? kLeafFillPercent : kUpperFillPercent) / 100;
  }
  size_t best = 1;
  size_t best_distance = SIZE_MAX;
  for (size_t k = 1; k < n; ++k) {
    size_t left = before[k] + MaxAlign(items[k].size()) + kMaxAlign + kItemIdSize;  // + its high key
    size_t right = before[n] - before[k] + high_key_size;
    if (left > kPageCapacity || right > kPageCapacity) continue;
    size_t distance = before[k] > target ? before[k] - target : target - before[k];
    if (distance < best_distance) {
      best = k;
      best_distance = distance;
    }
  }
  return best;
}

/* Splits the exclusively locked `buf`, which has no room for `item` at
 * `off` (_bt_split). Both halves and the old right sibling are logged in
 * one record and let go. */
Result<SplitResult> Split(const BtreeIndex& index, BtBuf buf, const std::string& item, OffsetNumber off) {
  const char* page = buf.page();
  BtOpaque o = buf.opaque();
  OffsetNumber first = BtFirstDataKey(o);
  std::vector<std::string_view> items;
  for (OffsetNumber i = first; i <= PageGetMaxOffsetNumber(page); ++i) {
    if (i == off) items.push_back(item);
    items.push_back(BtPageItem(page, i));
  }
  if (off > PageGetMaxOffsetNumber(page)) items.push_back(item);
  size_t new_pos = off - first;
  std::string_view old_high = o.IsRightmost() ? std::string_view() : BtPageItem(page, kBtHikey);
  size_t k = ChooseSplit(items, new_pos, o.IsRightmost(),
                         o.IsRightmost() ? 0 : MaxAlign(old_high.size()) + kItemIdSize, o.level);

  auto right = BtNewPage(index);
  if (!right.ok()) return right.error();
  BlockNumber left_block = buf.block();
  BlockNumber right_block = right->block();

  std::string left_blob;
  BtAppendItem(left_blob, MakePivot(items[k], kBtNone, index.columns.size()));
  for (size_t i = 0; i < k; ++i) BtAppendItem(left_blob, items[i]);
  std::string right_blob;
  if (!o.IsRightmost()) BtAppendItem(right_blob, old_high);
  for (size_t i = k; i < items.size(); ++i) {
    // On an internal page the first downlink of the right half keeps no key.
    BtAppendItem(right_blob, i == k && o.level > 0 ? MinusInfinityPivot(BtTupleDownlink(items[i])) : std::string(items[i]));
  }
  SplitResult result{MakePivot(items[k], right_block, index.columns.size()), o.level};

  BtBuf sibling;
  if (!o.IsRightmost()) {
    auto s = BtReadPage(index, o.next, BufferLockMode::kExclusive);
    if (!s.ok()) return s.error();
    sibling = std::move(*s);
  }
  // From here on the pages change: nothing may fail until they are logged.
  uint16_t flags = FlagsForLevel(o.level);
  std::string left_page(kBlockSize, '\0');
  if (!BtPageFill(left_page.data(), BtOpaque{o.prev, right_block, o.level, flags}, left_blob) ||
      !BtPageFill(right->page(), BtOpaque{left_block, o.next, o.level, flags}, right_blob)) {
    return BtCorrupt(index, fmt::format("split of block {} does not fit", left_block));
  }
  std::memcpy(buf.page(), left_page.data(), kBlockSize);
  XLogRecPtr sibling_lsn = 0;
  if (sibling.valid()) {
    sibling_lsn = PageGetLSN(sibling.page());
    BtOpaque so = sibling.opaque();
    so.prev = right_block;
    BtPageSetOpaque(sibling.page(), so);
  }

  std::array<wal::XLogBlockRef, 3> refs{BtRebuiltBlock(index, 0, left_block, left_blob),
                                         BtRebuiltBlock(index, 1, right_block, right_blob), wal::XLogBlockRef{}};
  size_t nrefs = 2;
  if (sibling.valid()) {
    refs[2].id = 2;
    refs[2].tag = BufferTag{index.rel, ForkNumber::kMain, o.next};
    refs[2].page_if_needed = sibling.page();
    refs[2].page_lsn = sibling_lsn;
    nrefs = 3;
  }
  wal::BtreeSplitRecord rec{o.level, static_cast<uint16_t>(first + k), off, o.prev, o.next};
  uint8_t info = new_pos < k ? wal::kBtreeSplitL : wal::kBtreeSplitR;
  for (BtBuf* b : {&buf, &*right, &sibling}) {
    if (b->valid()) MarkBufferDirty(b->get());
  }
  XLogRecPtr end = wal::XLogInsertOrPanic(wal::RmgrId::kBtree, info, GetCurrentTransactionId(),
                                          std::span(refs.data(), nrefs), wal::EncodeBtreePayload(rec));
  for (BtBuf* b : {&buf, &*right, &sibling}) {
    if (b->valid()) PageSetLSN(b->page(), end);
  }
  return result;
}

Status InsertIntoParent(const BtreeIndex& index, const SplitResult& split);

/* Puts `item` on the locked page `buf` where `key` says, splitting it when
 * it is full; `buf` is let go. */
Status InsertOnPage(const BtreeIndex& index, BtBuf buf, const std::string& item, const BtSearchKey& key) {
  auto off = BtBinarySearch(index, buf.page(), key);
  if (!off.ok()) return off.error();
  char* page = buf.page();
  if (MaxAlign(item.size()) <= BtPageFreeSpace(page)) {
    XLogRecPtr old_lsn = PageGetLSN(page);
    if (!BtPageInsertItem(page, item, *off)) return BtCorrupt(index, "failed to add item");
    uint8_t info = buf.opaque().IsLeaf() ? wal::kBtreeInsertLeaf : wal::kBtreeInsertUpper;
    BtLogSingle(index, buf.get(), info, item, wal::EncodeBtreePayload(wal::BtreeInsertRecord{*off}), old_lsn);
    return OkStatus();
  }
  auto split = Split(index, std::move(buf), item, *off);
  if (!split.ok()) return split.error();
  return InsertIntoParent(index, *split);
}

/* The downlink of a split's right half into the level above (found by
 * its key), or a new root above the split level. */
Status InsertIntoParent(const BtreeIndex& index, const SplitResult& split) {
  auto key = BtKeyOf(index, split.separator);
  if (!key.ok()) return key.error();
  for (;;) {
    auto parent = BtDescend(index, *key, split.level + 1, BufferLockMode::kExclusive);
    if (!parent.ok()) return parent.error();
    if (parent->valid()) return InsertOnPage(index, std::move(*parent), split.separator, *key);
    auto meta = BtReadPage(index, kBtMetaBlock, BufferLockMode::kExclusive);
    if (!meta.ok()) return meta.error();
    BtMeta m = BtReadMeta(meta->page());
    if (m.level > split.level) continue;  // another split made a root meanwhile
    // The old root (the leftmost page of the split's level) and the new half.
    std::string items;
    BtAppendItem(items, MinusInfinityPivot(m.root));
    BtAppendItem(items, split.separator);
    return NewRoot(index, *meta, split.level + 1, items);
  }
}

}  // namespace

Status BtreeInsert(const BtreeIndex& index, const Tuple& key, ItemPointer heap_tid, const BtHeapTupleIsLive& is_live,
                   BtValueText value_text) {
  auto item = FormLeafTuple(index.columns, key, heap_tid, index.name);
  if (!item.ok()) return item.error();
  BtSearchKey full{key, heap_tid, -1};
  for (;;) {
    // A unique index: the first page an equal key may be on.
    BtSearchKey start = index.unique ? BtSearchKey{key, std::nullopt, -1} : full;
    auto leaf = BtDescend(index, start, 0, BufferLockMode::kExclusive);
    if (!leaf.ok()) return leaf.error();
    if (!leaf->valid()) {
      if (Status s = EnsureRoot(index); !s.ok()) return s;
      continue;
    }
    if (index.unique) {
      auto wait_for = CheckUnique(index, *leaf, key, is_live, value_text);
      if (!wait_for.ok()) return wait_for.error();
      if (*wait_for != kInvalidTransactionId) {
        leaf->Reset();  // never wait holding a page lock
        if (Status s = WaitForTransactionEnd(*wait_for, {XactWaitOper::kInsertIndex, heap_tid, index.name}); !s.ok()) {
          return s;
        }
        continue;
      }
    }
    if (Status s = BtMoveRight(index, *leaf, full, BufferLockMode::kExclusive, /*coupled=*/true); !s.ok()) return s;
    return InsertOnPage(index, std::move(*leaf), *item, full);
  }
}

}  // namespace minipg::storage::nbtree
