/*-------------------------------------------------------------------------
 * interruptible_sort_test.cpp
 *   ORDER BY's merge sort: the same order as std::stable_sort, and it
 *   stops for a pending cancel or terminate.
 *-------------------------------------------------------------------------
 */
#include "engine/sql/interruptible_sort.h"

#include <gtest/gtest.h>

#include <random>
#include <utility>
#include <vector>

#include "tests/engine/sql/long_query.h"

namespace minipg::sql {
namespace {

using Item = std::pair<int, int>;  // (key, original index): shows stability

bool KeyLess(const Item& a, const Item& b) { return a.first < b.first; }

std::vector<Item> RandomItems(size_t n, int distinct_keys) {
  std::mt19937 rng(static_cast<unsigned>(n));
  std::uniform_int_distribution<int> key(0, distinct_keys - 1);
  std::vector<Item> items;
  for (size_t i = 0; i < n; ++i) items.emplace_back(key(rng), static_cast<int>(i));
  return items;
}

TEST(InterruptibleSortTest, SameOrderAsStableSort) {
  // Sizes around the run length and its powers of two, few and many keys.
  for (size_t n : {0, 1, 2, 31, 32, 33, 64, 65, 1000, 4097, 100000}) {
    for (int keys : {1, 3, 1000000}) {
      std::vector<Item> items = RandomItems(n, keys);
      std::vector<Item> expected = items;
      std::stable_sort(expected.begin(), expected.end(), KeyLess);
      ASSERT_TRUE(InterruptibleStableSort(items, KeyLess).ok());
      EXPECT_EQ(items, expected) << n << " items, " << keys << " keys";
    }
  }
}

TEST(InterruptibleSortTest, PendingInterruptStopsTheSort) {
  std::vector<Item> items = RandomItems(100000, 1000);
  {
    PendingInterrupt cancel(PendingInterrupt::kCancel);
    Status s = InterruptibleStableSort(items, KeyLess);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().sqlstate, "57014");
  }
  {
    PendingInterrupt die(PendingInterrupt::kDie);
    Status s = InterruptibleStableSort(items, KeyLess);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().sqlstate, "57P01");
  }
}

// A cancel that arrives part way (here: from the comparator, as a signal
// handler would set it) stops the sort within a few thousand comparisons.
TEST(InterruptibleSortTest, CancelDuringTheSortStopsItSoon) {
  std::vector<Item> items = RandomItems(200000, 1000000);
  size_t comparisons = 0;
  size_t at_cancel = 0;
  PendingInterrupt cleanup(PendingInterrupt::kCancel);
  g_query_cancel_pending = 0;
  Status s = InterruptibleStableSort(items, [&](const Item& a, const Item& b) {
    if (++comparisons == 1000000) {
      g_query_cancel_pending = 1;
      at_cancel = comparisons;
    }
    return a.first < b.first;
  });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().sqlstate, "57014");
  ASSERT_GT(at_cancel, 0u);
  EXPECT_LT(comparisons - at_cancel, 5000u);
}

}  // namespace
}  // namespace minipg::sql
