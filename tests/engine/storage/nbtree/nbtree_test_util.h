/*-------------------------------------------------------------------------
 * nbtree_test_util.h
 *   The heap tests' data directory and shared memory (heap_test_util.h)
 *   with B-tree indexes in it: an index of one integer column and one of
 *   (integer, text), made empty or built, and scans collected into
 *   vectors of (key, heap TID).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <utility>
#include <vector>

#include "engine/storage/nbtree/nbtree.h"
#include "engine/storage/nbtree/nbtree_redo.h"
#include "tests/engine/storage/heap/heap_test_util.h"

namespace minipg::storage::nbtree {

class BtreeTest : public HeapTest {
 protected:
  static constexpr RelFileLocator kIndexRel{kDefaultTablespaceOid, 5, 16390};

  void SetUp() override { Start(/*wal=*/true, /*nbuffers=*/512); }

  static BtreeIndex IntIndex(bool unique = false) {
    return BtreeIndex{kIndexRel, "t_id_idx", {{"id", ColumnType::kInt4}}, unique};
  }
  static BtreeIndex PairIndex(bool unique = false) {
    return BtreeIndex{kIndexRel, "t_a_b_idx", {{"a", ColumnType::kInt8}, {"b", ColumnType::kText}}, unique};
  }

  /* The index's file and an empty tree (the build of no rows). */
  static void CreateEmpty(const BtreeIndex& index) {
    ASSERT_TRUE(HeapCreateRelation(index.rel).ok());
    Status s = BtreeBuild(index, {});
    ASSERT_TRUE(s.ok()) << s.error().message;
  }

  static ItemPointer FakeTid(uint32_t n) { return ItemPointer{n / 100, static_cast<OffsetNumber>(n % 100 + 1)}; }


 public:
  /* Every (key, TID) the scan returns, in its order. */
  static std::vector<std::pair<Tuple, ItemPointer>> Collect(const BtreeIndex& index, std::vector<BtScanKey> keys,
                                                            BtScanDirection dir = BtScanDirection::kForward) {
    std::vector<std::pair<Tuple, ItemPointer>> out;
    BtreeScan scan(index, std::move(keys), dir);
    for (;;) {
      auto tid = scan.Next();
      EXPECT_TRUE(tid.ok()) << (tid.ok() ? "" : tid.error().message);
      if (!tid.ok() || !tid->has_value()) break;
      out.emplace_back(scan.key(), **tid);
    }
    return out;
  }

  static uint64_t CheckTree(const BtreeIndex& index) {
    auto n = BtreeCheck(index);
    EXPECT_TRUE(n.ok()) << (n.ok() ? "" : n.error().message);
    return n.ok() ? *n : 0;
  }
};

}  // namespace minipg::storage::nbtree
