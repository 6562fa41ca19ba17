/*-------------------------------------------------------------------------
 * nbtree_check.cpp
 *   BtreeCheck (nbtree.h): the tree's invariants, level by level from the
 *   root (PostgreSQL's amcheck, bt_index_check, in spirit):
 *
 *     every page of a level has that level (leaf flag exactly at 0) and
 *       the left-link of each page is the page before it on the level
 *     items strictly increase (key, then heap TID); an internal page's
 *       first data item is "minus infinity"
 *     every item is below its page's high key, and the high key equals
 *       the downlink key of the right sibling when the level above has one
 *     every item is at or above the key of the downlink to its page
 *     every downlink leads to a page of the level below
 *
 *   A page reached only by its left sibling's right-link (a split whose
 *   downlink a crash lost) is allowed: its bounds come from its siblings.
 *-------------------------------------------------------------------------
 */
#include <map>
#include <set>

#include <fmt/format.h>

#include "engine/storage/nbtree/nbtree_internal.h"
#include "engine/storage/nbtree/nbtree_tuple.h"

namespace minipg::storage::nbtree {

namespace {

/* a < b as index tuples (key values, then heap TID). */
Result<bool> Less(const BtreeIndex& index, std::string_view a, std::string_view b) {
  auto key = BtKeyOf(index, a);
  if (!key.ok()) return key.error();
  auto c = BtCompareKey(index.columns, *key, b);
  if (!c.ok()) return c.error();
  return *c < 0;
}

}  // namespace

Result<uint64_t> BtreeCheck(const BtreeIndex& index) {
  auto meta = BtGetMeta(index);
  if (!meta.ok()) return meta.error();
  if (meta->root == kBtNone) return uint64_t{0};
  uint64_t leaf_tuples = 0;
  // The downlinks into the level being checked: child -> its key (empty:
  // minus infinity).
  std::map<BlockNumber, std::string> downlinks;
  BlockNumber leftmost = meta->root;
  for (int64_t level = meta->level; level >= 0; --level) {
    std::map<BlockNumber, std::string> below;
    BlockNumber next_leftmost = kBtNone;
    BlockNumber prev = kBtNone;
    std::string prev_high;  // the left sibling's high key
    std::set<BlockNumber> visited;
    for (BlockNumber block = leftmost; block != kBtNone;) {
      auto buf = BtReadPage(index, block, BufferLockMode::kShare);
      if (!buf.ok()) return buf.error();
      const char* page = buf->page();
      BtOpaque o = buf->opaque();
      auto fail = [&](std::string what) { return BtCorrupt(index, fmt::format("block {}: {}", block, what)); };
      if (o.level != static_cast<uint32_t>(level) || o.IsLeaf() != (level == 0)) {
        return fail(fmt::format("level {} (leaf {}) where {} was expected", o.level, o.IsLeaf(), level));
      }
      if (o.prev != prev) return fail(fmt::format("left-link {} but the page before is {}", o.prev, prev));
      OffsetNumber first = BtFirstDataKey(o);
      OffsetNumber max = PageGetMaxOffsetNumber(page);
      std::string_view high = o.IsRightmost() ? std::string_view() : BtPageItem(page, kBtHikey);
      // A first downlink of an internal page has no key: the bound is then
      // the left sibling's high key (so is it for a page with no downlink).
      auto down = downlinks.find(block);
      bool keyed = down != downlinks.end() && !down->second.empty();
      std::string_view lower = keyed ? std::string_view(down->second) : std::string_view(prev_high);
      if (keyed && !prev_high.empty()) {
        auto a = Less(index, down->second, prev_high);
        auto b = Less(index, prev_high, down->second);
        if (!a.ok()) return a.error();
        if (!b.ok()) return b.error();
        if (*a || *b) return fail("its downlink key differs from its left sibling's high key");
      }
      visited.insert(block);
      for (OffsetNumber off = first; off <= max; ++off) {
        std::string_view item = BtPageItem(page, off);
        bool minus_infinity = level > 0 && off == first;
        if (minus_infinity != (BtTupleNatts(item, index.columns.size()) == 0)) {
          return fail(fmt::format("item {} {} minus infinity", off, minus_infinity ? "is not" : "is"));
        }
        if (level > 0) {
          below[BtTupleDownlink(item)] = minus_infinity ? std::string() : std::string(item);
          if (next_leftmost == kBtNone) next_leftmost = BtTupleDownlink(item);
        } else {
          ++leaf_tuples;
        }
        if (minus_infinity) continue;
        if (off > first && !(level > 0 && off == first + 1)) {
          auto lt = Less(index, BtPageItem(page, static_cast<OffsetNumber>(off - 1)), item);
          if (!lt.ok()) return lt.error();
          if (!*lt) return fail(fmt::format("item {} is not above item {}", off, off - 1));
        }
        if (!high.empty()) {
          auto lt = Less(index, item, high);
          if (!lt.ok()) return lt.error();
          if (!*lt) return fail(fmt::format("item {} is not below the high key", off));
        }
        if (!lower.empty()) {
          auto lt = Less(index, item, lower);
          if (!lt.ok()) return lt.error();
          if (*lt) return fail(fmt::format("item {} is below the key of the downlink to the page", off));
        }
      }
      prev = block;
      prev_high = std::string(high);
      block = o.next;
    }
    for (const auto& [child, key] : downlinks) {
      (void)key;
      if (visited.count(child) == 0) {
        return BtCorrupt(index, fmt::format("has a downlink to block {}, not on level {}", child, level));
      }
    }
    downlinks = std::move(below);
    leftmost = next_leftmost;
  }
  return leaf_tuples;
}

}  // namespace minipg::storage::nbtree
