/*-------------------------------------------------------------------------
 * nbtree_scan.cpp
 *   Index scans (BtreeScan in nbtree.h; PostgreSQL's nbtsearch.c and
 *   _bt_checkkeys in spirit).
 *
 *   Where a scan starts: the search key is built from the leading columns'
 *   keys, each '=' adding a column, then at most one bound: going forward
 *   the largest of > / >= (bias +1 after equal items for >, -1 before them
 *   for >= and =), going backward the smallest of < / <= (the last item
 *   below the key, or at or below it). No usable key: the first (last)
 *   leaf item.
 *
 *   IS NULL is an '=' to NULL (NULLs sort last, so it positions the scan at
 *   the first of them); IS NOT NULL positions nothing and, going forward,
 *   ends the scan at the first NULL.
 *
 *   A key is "required" when every column before its own has an '=' key:
 *   the items it accepts are then contiguous in the index, so its first
 *   failure in scan direction ends the scan.
 *-------------------------------------------------------------------------
 */
#include <fmt/format.h>

#include "engine/storage/nbtree/nbtree_internal.h"
#include "engine/storage/nbtree/nbtree_tuple.h"

namespace minipg::storage::nbtree {

namespace {

bool Passes(BtStrategy s, int c) {
  switch (s) {
    case BtStrategy::kLess: return c < 0;
    case BtStrategy::kLessEqual: return c <= 0;
    case BtStrategy::kEqual: return c == 0;
    case BtStrategy::kGreaterEqual: return c >= 0;
    case BtStrategy::kGreater: return c > 0;
    case BtStrategy::kIsNull:
    case BtStrategy::kIsNotNull: break;  // decided by the value being NULL (Check)
  }
  return false;
}

bool IsLowerBound(BtStrategy s) { return s == BtStrategy::kGreater || s == BtStrategy::kGreaterEqual; }
bool IsUpperBound(BtStrategy s) { return s == BtStrategy::kLess || s == BtStrategy::kLessEqual; }

}  // namespace

Result<uint32_t> BtreeHeight(const BtreeIndex& index) {
  auto meta = BtGetMeta(index);
  if (!meta.ok()) return meta.error();
  return meta->root == kBtNone ? 0 : meta->level;
}

BtreeScan::BtreeScan(BtreeIndex index, std::vector<BtScanKey> keys, BtScanDirection dir)
    : index_(std::move(index)), keys_(std::move(keys)), dir_(dir) {
  std::vector<bool> has_equal(index_.columns.size(), false);
  for (const BtScanKey& k : keys_) {
    bool equal = k.strategy == BtStrategy::kEqual || k.strategy == BtStrategy::kIsNull;
    if (k.column < has_equal.size() && equal) has_equal[k.column] = true;
  }
  for (const BtScanKey& k : keys_) {
    bool required = k.column < index_.columns.size();
    for (size_t j = 0; j < k.column && required; ++j) required = has_equal[j];
    required_.push_back(required);
  }
}

int BtreeScan::Check(const Tuple& key) const {
  bool forward = dir_ == BtScanDirection::kForward;
  int result = 1;
  for (size_t i = 0; i < keys_.size(); ++i) {
    const BtScanKey& k = keys_[i];
    if (k.column >= key.size()) return -1;
    const Datum& v = key[k.column];
    if (k.strategy == BtStrategy::kIsNull || k.strategy == BtStrategy::kIsNotNull) {
      bool passes = IsNull(v) == (k.strategy == BtStrategy::kIsNull);
      if (passes) continue;
      // Going forward non-NULLs precede the NULLs, going backward they follow.
      bool ends = required_[i] && (forward ? k.strategy == BtStrategy::kIsNotNull : k.strategy == BtStrategy::kIsNull);
      if (ends) return -1;
      result = 0;
      continue;
    }
    if (IsNull(v)) {  // NULLs sort last: going forward, only NULLs follow
      if (required_[i] && forward) return -1;
      result = 0;
      continue;
    }
    int c = BtCompareDatum(index_.columns[k.column].type, v, k.value);
    if (Passes(k.strategy, c)) continue;
    if (required_[i] && (forward ? !IsLowerBound(k.strategy) : !IsUpperBound(k.strategy))) return -1;
    result = 0;
  }
  return result;
}

Status BtreeScan::First() {
  bool forward = dir_ == BtScanDirection::kForward;
  BtSearchKey sk;
  sk.bias = forward ? -1 : 1;
  for (const BtScanKey& k : keys_) {
    bool null_test = k.strategy == BtStrategy::kIsNull || k.strategy == BtStrategy::kIsNotNull;
    if (IsNull(k.value) && !null_test) {  // "x < NULL" is never true
      done_ = true;
      return OkStatus();
    }
  }
  for (size_t col = 0; col < index_.columns.size(); ++col) {
    const BtScanKey* equal = nullptr;
    const BtScanKey* bound = nullptr;
    for (const BtScanKey& k : keys_) {
      if (k.column != col) continue;
      if (k.strategy == BtStrategy::kEqual || k.strategy == BtStrategy::kIsNull) equal = &k;
      if (forward ? IsLowerBound(k.strategy) : IsUpperBound(k.strategy)) {
        int c = bound == nullptr ? 0 : BtCompareDatum(index_.columns[col].type, k.value, bound->value);
        // The tightest bound: the larger going forward (> over >= at a tie), the smaller going backward.
        bool tighter = bound == nullptr || (forward ? c > 0 : c < 0) ||
                       (c == 0 && (k.strategy == BtStrategy::kGreater || k.strategy == BtStrategy::kLess));
        if (tighter) bound = &k;
      }
    }
    if (equal != nullptr) {
      sk.values.push_back(equal->value);
      continue;
    }
    if (bound != nullptr) {
      sk.values.push_back(bound->value);
      bool strict = bound->strategy == BtStrategy::kGreater || bound->strategy == BtStrategy::kLess;
      sk.bias = forward ? (strict ? 1 : -1) : (strict ? -1 : 1);
    }
    break;
  }
  auto leaf = BtDescend(index_, sk, 0, BufferLockMode::kShare);
  if (!leaf.ok()) return leaf.error();
  if (!leaf->valid()) {  // an empty index
    done_ = true;
    return OkStatus();
  }
  auto off = BtBinarySearch(index_, leaf->page(), sk);
  if (!off.ok()) return off.error();
  // Going backward, the last item before the search key's place.
  return ReadItems(*leaf, forward ? *off : static_cast<OffsetNumber>(*off - 1));
}

Status BtreeScan::ReadItems(const BtBuf& buf, std::optional<OffsetNumber> start) {
  bool forward = dir_ == BtScanDirection::kForward;
  const char* page = buf.page();
  BtOpaque o = buf.opaque();
  OffsetNumber first = BtFirstDataKey(o);
  OffsetNumber max = PageGetMaxOffsetNumber(page);
  items_.clear();
  pos_ = 0;
  page_ = buf.block();
  sibling_ = forward ? o.next : o.prev;
  ++pages_read_;
  int step = forward ? 1 : -1;
  for (int off = start ? *start : (forward ? first : max); off >= first && off <= max; off += step) {
    // A dead item is passed over unread, but for the page's last in the
    // scan's direction: its key may end the scan here (as _bt_readpage).
    bool dead = BtItemIsDead(page, static_cast<OffsetNumber>(off));
    if (dead && off + step >= first && off + step <= max) continue;
    std::string_view item = BtPageItem(page, static_cast<OffsetNumber>(off));
    auto key = DeformIndexTuple(index_.columns, item);
    if (!key.ok()) return key.error();
    int verdict = Check(*key);
    if (verdict < 0) {
      done_ = true;
      break;
    }
    if (verdict > 0 && !dead) items_.push_back(Item{BtTupleHeapTid(item), std::move(*key)});
  }
  return OkStatus();
}

Result<BtBuf> BtreeScan::LeftSibling(BlockNumber block, BlockNumber prev) {
  BlockNumber b = prev;
  for (;;) {
    auto buf = BtReadPage(index_, b, BufferLockMode::kShare);
    if (!buf.ok()) return buf.error();
    BtOpaque o = buf->opaque();
    if (o.next == block) return std::move(*buf);
    if (o.IsRightmost()) return BtCorrupt(index_, fmt::format("has no left sibling for block {}", block));
    b = o.next;  // the left sibling split since: its right halves lie between
  }
}

Result<std::optional<ItemPointer>> BtreeScan::Next() {
  if (!started_) {
    started_ = true;
    if (Status s = First(); !s.ok()) return s.error();
  }
  while (pos_ >= items_.size()) {
    if (done_ || sibling_ == kBtNone) return std::optional<ItemPointer>();
    if (dir_ == BtScanDirection::kForward) {
      auto buf = BtReadPage(index_, sibling_, BufferLockMode::kShare);
      if (!buf.ok()) return buf.error();
      if (Status s = ReadItems(*buf, std::nullopt); !s.ok()) return s.error();
    } else {
      auto buf = LeftSibling(page_, sibling_);
      if (!buf.ok()) return buf.error();
      if (Status s = ReadItems(*buf, std::nullopt); !s.ok()) return s.error();
    }
  }
  return std::optional<ItemPointer>(items_[pos_++].heap_tid);
}

}  // namespace minipg::storage::nbtree
