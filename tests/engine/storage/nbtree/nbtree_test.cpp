/*-------------------------------------------------------------------------
 * nbtree_test.cpp
 *   B-tree indexes: 100,000 keys inserted in random and in ascending order
 *   (and built in bulk) come back from scans of every strategy, forward
 *   and backward, exactly as a std::multiset orders them, the tree's
 *   invariants holding after all the splits; multi-column keys with NULLs
 *   sorted last; unique indexes; a point lookup reads a few pages where a
 *   sequential scan reads them all.
 *-------------------------------------------------------------------------
 */
#include "tests/engine/storage/nbtree/nbtree_test_util.h"

#include <algorithm>
#include <random>
#include <set>

#include "engine/storage/nbtree/nbtree_internal.h"

namespace minipg::storage::nbtree {
namespace {

constexpr int kKeys = 100000;

using Entry = std::pair<int64_t, ItemPointer>;
struct EntryLess {
  bool operator()(const Entry& a, const Entry& b) const {
    if (a.first != b.first) return a.first < b.first;
    return BtCompareTid(a.second, b.second) < 0;
  }
};

bool Matches(BtStrategy s, int64_t v, int64_t key) {
  switch (s) {
    case BtStrategy::kLess: return v < key;
    case BtStrategy::kLessEqual: return v <= key;
    case BtStrategy::kEqual: return v == key;
    case BtStrategy::kGreaterEqual: return v >= key;
    case BtStrategy::kGreater: return v > key;
    case BtStrategy::kIsNull:
    case BtStrategy::kIsNotNull: return false;  // only the comparisons are probed here
  }
  return false;
}

/* Every strategy, both directions, at probe values inside, between and
 * outside the keys: the scan returns what the multiset holds, in order. */
void ExpectScansMatch(const BtreeIndex& index, const std::multiset<Entry, EntryLess>& expected) {
  std::vector<Entry> all(expected.begin(), expected.end());
  for (int64_t probe : {-5L, 0L, 1L, 777L, 12345L, 49999L, 50000L, 99999L, 100000L, 250000L}) {
    for (BtStrategy s : {BtStrategy::kLess, BtStrategy::kLessEqual, BtStrategy::kEqual, BtStrategy::kGreaterEqual,
                         BtStrategy::kGreater}) {
      std::vector<Entry> want;
      for (const Entry& e : all) {
        if (Matches(s, e.first, probe)) want.push_back(e);
      }
      for (BtScanDirection dir : {BtScanDirection::kForward, BtScanDirection::kBackward}) {
        auto got = BtreeTest::Collect(index, {BtScanKey{0, s, Datum(probe)}}, dir);
        std::vector<Entry> got_entries;
        for (auto& [key, tid] : got) got_entries.emplace_back(std::get<int64_t>(key[0]), tid);
        std::vector<Entry> w = want;
        if (dir == BtScanDirection::kBackward) std::reverse(w.begin(), w.end());
        ASSERT_EQ(got_entries.size(), w.size()) << "probe " << probe << " strategy " << static_cast<int>(s)
                                                << (dir == BtScanDirection::kForward ? " forward" : " backward");
        EXPECT_TRUE(got_entries == w) << "probe " << probe << " strategy " << static_cast<int>(s);
      }
    }
  }
  // A range: 1000 <= k < 2000, and the whole index both ways.
  auto range = BtreeTest::Collect(index, {BtScanKey{0, BtStrategy::kGreaterEqual, Datum(int64_t{1000})},
                                          BtScanKey{0, BtStrategy::kLess, Datum(int64_t{2000})}});
  size_t in_range = std::count_if(all.begin(), all.end(), [](const Entry& e) { return e.first >= 1000 && e.first < 2000; });
  EXPECT_EQ(range.size(), in_range);
  EXPECT_EQ(BtreeTest::Collect(index, {}).size(), all.size());
  EXPECT_EQ(BtreeTest::Collect(index, {}, BtScanDirection::kBackward).size(), all.size());
}

// Scenario: 100,000 keys with duplicates (0..49999, each about twice), in
// random order, inserted one by one into an empty index: every split keeps
// the invariants, and every scan agrees with a std::multiset.
TEST_F(BtreeTest, RandomInsertsScanLikeMultiset) {
  BtreeIndex index = IntIndex();
  CreateEmpty(index);
  std::mt19937 rng(16);
  std::multiset<Entry, EntryLess> expected;
  for (uint32_t i = 0; i < kKeys; ++i) {
    int64_t key = static_cast<int64_t>(rng() % (kKeys / 2));
    ItemPointer tid = FakeTid(i);
    Status s = BtreeInsert(index, {Datum(key)}, tid);
    ASSERT_TRUE(s.ok()) << s.error().message;
    expected.emplace(key, tid);
    if (i == 1000 || i == 20000) {
      EXPECT_EQ(CheckTree(index), i + 1);
    }
  }
  EXPECT_EQ(CheckTree(index), uint64_t{kKeys});
  auto meta = BtGetMeta(index);
  ASSERT_TRUE(meta.ok());
  EXPECT_GE(meta->level, 2u);  // the root split, and its children split
  ExpectScansMatch(index, expected);
}

// Scenario: 100,000 ascending keys: the rightmost page splits each time,
// its left half left 90 % full, so the leaves are nearly full; scans agree.
TEST_F(BtreeTest, AscendingInsertsFillPages) {
  BtreeIndex index = IntIndex();
  CreateEmpty(index);
  std::multiset<Entry, EntryLess> expected;
  for (uint32_t i = 0; i < kKeys; ++i) {
    Status s = BtreeInsert(index, {Datum(int64_t{i})}, FakeTid(i));
    ASSERT_TRUE(s.ok()) << s.error().message;
    expected.emplace(int64_t{i}, FakeTid(i));
  }
  EXPECT_EQ(CheckTree(index), uint64_t{kKeys});
  // 16-byte tuples and 4-byte line pointers: 407 fit an 8152-byte page, 90 % is ~366.
  auto nblocks = SmgrNBlocks(index.rel, ForkNumber::kMain);
  ASSERT_TRUE(nblocks.ok());
  EXPECT_LT(*nblocks, static_cast<BlockNumber>(kKeys / 330));
  ExpectScansMatch(index, expected);
}

// Scenario: the same 100,000 random keys built in bulk (CREATE INDEX):
// the tree passes the check and scans agree; it took fewer pages than
// inserting one by one.
TEST_F(BtreeTest, BulkBuildScansLikeMultiset) {
  BtreeIndex index = IntIndex();
  ASSERT_TRUE(HeapCreateRelation(index.rel).ok());
  std::mt19937 rng(17);
  std::multiset<Entry, EntryLess> expected;
  std::vector<BtBuildEntry> entries;
  for (uint32_t i = 0; i < kKeys; ++i) {
    int64_t key = static_cast<int64_t>(rng() % (kKeys / 2));
    entries.push_back(BtBuildEntry{{Datum(key)}, FakeTid(i)});
    expected.emplace(key, FakeTid(i));
  }
  Status s = BtreeBuild(index, entries);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(CheckTree(index), uint64_t{kKeys});
  ExpectScansMatch(index, expected);
  // Inserting into the built index splits its pages and keeps it whole.
  for (uint32_t i = 0; i < 5000; ++i) {
    int64_t key = static_cast<int64_t>(rng() % (kKeys / 2));
    ASSERT_TRUE(BtreeInsert(index, {Datum(key)}, FakeTid(kKeys + i)).ok());
  }
  EXPECT_EQ(CheckTree(index), uint64_t{kKeys + 5000});
}

// Scenario: an index on (bigint, text) with NULLs in both columns: NULLs
// sort after every value; a = x AND b >= y scans return the tuples a
// std::multiset with that order returns.
TEST_F(BtreeTest, MultiColumnKeysWithNullsLast) {
  BtreeIndex index = PairIndex();
  CreateEmpty(index);
  std::mt19937 rng(18);
  std::vector<std::pair<Tuple, ItemPointer>> rows;
  for (uint32_t i = 0; i < 20000; ++i) {
    Datum a = rng() % 50 == 0 ? Datum() : Datum(static_cast<int64_t>(rng() % 100));
    Datum b = rng() % 40 == 0 ? Datum() : Datum("k" + std::to_string(rng() % 500) + std::string(rng() % 30, 'x'));
    rows.push_back({{a, b}, FakeTid(i)});
    Status s = BtreeInsert(index, {a, b}, FakeTid(i));
    ASSERT_TRUE(s.ok()) << s.error().message;
  }
  EXPECT_EQ(CheckTree(index), 20000u);
  auto less = [&index](const std::pair<Tuple, ItemPointer>& x, const std::pair<Tuple, ItemPointer>& y) {
    for (size_t i = 0; i < 2; ++i) {
      int c = BtCompareDatum(index.columns[i].type, x.first[i], y.first[i]);
      if (c != 0) return c < 0;
    }
    return BtCompareTid(x.second, y.second) < 0;
  };
  std::sort(rows.begin(), rows.end(), less);
  auto all = Collect(index, {});
  ASSERT_EQ(all.size(), rows.size());
  EXPECT_TRUE(all == rows);
  EXPECT_TRUE(IsNull(all.back().first[0]));  // NULLs last

  std::vector<std::pair<Tuple, ItemPointer>> want;
  for (const auto& r : rows) {
    if (!IsNull(r.first[0]) && std::get<int64_t>(r.first[0]) == 42 && !IsNull(r.first[1]) &&
        std::get<std::string>(r.first[1]) >= "k3") {
      want.push_back(r);
    }
  }
  std::vector<BtScanKey> keys{{0, BtStrategy::kEqual, Datum(int64_t{42})},
                              {1, BtStrategy::kGreaterEqual, Datum(std::string("k3"))}};
  EXPECT_TRUE(Collect(index, keys) == want);
  std::reverse(want.begin(), want.end());
  EXPECT_TRUE(Collect(index, keys, BtScanDirection::kBackward) == want);
  // A key on the second column alone filters every item.
  auto b_only = Collect(index, {{1, BtStrategy::kEqual, Datum(std::string("k7"))}});
  size_t count_b = std::count_if(rows.begin(), rows.end(), [](const auto& r) {
    return !IsNull(r.first[1]) && std::get<std::string>(r.first[1]) == "k7";
  });
  EXPECT_EQ(b_only.size(), count_b);
  // Nothing equals NULL.
  EXPECT_TRUE(Collect(index, {{0, BtStrategy::kEqual, Datum()}}).empty());
}

// Scenario: a unique index refuses a second live row with an equal key,
// in PostgreSQL's words, but takes it when the first row is dead, and
// takes any number of NULLs; CREATE UNIQUE INDEX over duplicates fails.
TEST_F(BtreeTest, UniqueViolations) {
  BtreeIndex index = IntIndex(/*unique=*/true);
  index.name = "t_pkey";
  CreateEmpty(index);
  auto live = [](ItemPointer) -> Result<DirtyTuple> { return DirtyTuple{true}; };
  auto dead = [](ItemPointer) -> Result<DirtyTuple> { return DirtyTuple{false}; };
  for (uint32_t i = 0; i < 3000; ++i) ASSERT_TRUE(BtreeInsert(index, {Datum(int64_t{i})}, FakeTid(i), live).ok());
  Status dup = BtreeInsert(index, {Datum(int64_t{1})}, FakeTid(5000), live);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().sqlstate, "23505");
  EXPECT_EQ(dup.error().message, "duplicate key value violates unique constraint \"t_pkey\"");
  EXPECT_EQ(dup.error().detail, "Key (id)=(1) already exists.");
  EXPECT_TRUE(BtreeInsert(index, {Datum(int64_t{1})}, FakeTid(5001), dead).ok());
  // Many entries of one key spread over pages: the check walks right.
  for (uint32_t i = 0; i < 1000; ++i) ASSERT_TRUE(BtreeInsert(index, {Datum(int64_t{7})}, FakeTid(6000 + i), dead).ok());
  std::vector<ItemPointer> seen;
  auto live_if_last = [&seen](ItemPointer tid) -> Result<DirtyTuple> {
    seen.push_back(tid);
    return DirtyTuple{tid == FakeTid(6999)};
  };
  Status late = BtreeInsert(index, {Datum(int64_t{7})}, FakeTid(9999), live_if_last);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(seen.size(), 1001u);
  EXPECT_TRUE(BtreeInsert(index, {Datum()}, FakeTid(7001), live).ok());
  EXPECT_TRUE(BtreeInsert(index, {Datum()}, FakeTid(7002), live).ok());
  EXPECT_EQ(CheckTree(index), 3000u + 1 + 1000 + 2);

  BtreeIndex pair = PairIndex(/*unique=*/true);
  pair.rel.rel_number = 16391;
  ASSERT_TRUE(HeapCreateRelation(pair.rel).ok());
  Status build = BtreeBuild(pair, {{{Datum(int64_t{1}), Datum(std::string("x"))}, FakeTid(1)},
                                   {{Datum(int64_t{1}), Datum(std::string("x"))}, FakeTid(2)}});
  ASSERT_FALSE(build.ok());
  EXPECT_EQ(build.error().sqlstate, "23505");
  EXPECT_EQ(build.error().message, "could not create unique index \"t_a_b_idx\"");
  EXPECT_EQ(build.error().detail, "Key (a, b)=(1, x) is duplicated.");
}

// Scenario: a unique index with live keys 0..99 but 7, then 1000 entries of
// key 7 whose rows are dead to all, inserted one by one: each insert's
// unique check marks the entries before it dead (LP_DEAD), so an insert
// after them visits only the last one's row, and a scan of key 7, or of
// keys 5..9, passes over the dead entries (over whole pages of them). The
// tree still holds every entry: VACUUM removes them.
TEST_F(BtreeTest, UniqueCheckMarksEntriesOfRowsDeadToAll) {
  BtreeIndex index = IntIndex(/*unique=*/true);
  CreateEmpty(index);
  auto live = [](ItemPointer) -> Result<DirtyTuple> { return DirtyTuple{true}; };
  auto dead_to_all = [](ItemPointer) -> Result<DirtyTuple> {
    DirtyTuple d;
    d.dead_to_all = true;
    return d;
  };
  for (uint32_t i = 0; i < 100; ++i) {
    if (i == 7) continue;
    ASSERT_TRUE(BtreeInsert(index, {Datum(int64_t{i})}, FakeTid(i), live).ok());
  }
  for (uint32_t i = 0; i < 1000; ++i) {
    ASSERT_TRUE(BtreeInsert(index, {Datum(int64_t{7})}, FakeTid(1000 + i), dead_to_all).ok());
  }
  std::vector<ItemPointer> visited;
  auto dead_to_some = [&visited](ItemPointer tid) -> Result<DirtyTuple> {
    visited.push_back(tid);
    return DirtyTuple{};  // dead, but an older snapshot may still see it
  };
  ASSERT_TRUE(BtreeInsert(index, {Datum(int64_t{7})}, FakeTid(5000), dead_to_some).ok());
  EXPECT_EQ(visited, (std::vector<ItemPointer>{FakeTid(1999)}));
  visited.clear();
  ASSERT_TRUE(BtreeInsert(index, {Datum(int64_t{7})}, FakeTid(5001), dead_to_some).ok());
  std::sort(visited.begin(), visited.end(), [](ItemPointer a, ItemPointer b) {
    return std::pair(a.block, a.offset) < std::pair(b.block, b.offset);
  });
  EXPECT_EQ(visited, (std::vector<ItemPointer>{FakeTid(1999), FakeTid(5000)}))
      << "entries dead only to some snapshots are visited again";

  std::vector<ItemPointer> tids;
  for (const auto& [key, tid] : Collect(index, {{0, BtStrategy::kEqual, Datum(int64_t{7})}})) tids.push_back(tid);
  std::sort(tids.begin(), tids.end(), [](ItemPointer a, ItemPointer b) {
    return std::pair(a.block, a.offset) < std::pair(b.block, b.offset);
  });
  EXPECT_EQ(tids, (std::vector<ItemPointer>{FakeTid(1999), FakeTid(5000), FakeTid(5001)}));
  std::vector<int64_t> keys;
  for (const auto& [key, tid] : Collect(index, {{0, BtStrategy::kGreaterEqual, Datum(int64_t{5})},
                                                {0, BtStrategy::kLessEqual, Datum(int64_t{9})}})) {
    keys.push_back(std::get<int64_t>(key[0]));
  }
  EXPECT_EQ(keys, (std::vector<int64_t>{5, 6, 7, 7, 7, 8, 9}));
  keys.clear();
  for (const auto& [key, tid] : Collect(index, {{0, BtStrategy::kLessEqual, Datum(int64_t{8})}},
                                        BtScanDirection::kBackward)) {
    keys.push_back(std::get<int64_t>(key[0]));
  }
  ASSERT_GE(keys.size(), 5u);
  EXPECT_EQ(std::vector<int64_t>(keys.begin(), keys.begin() + 5), (std::vector<int64_t>{8, 7, 7, 7, 6}));
  EXPECT_EQ(CheckTree(index), 99u + 1000 + 2);
}

// Scenario: a value longer than a third of a page cannot be indexed (54000).
TEST_F(BtreeTest, OversizedKeyRefused) {
  BtreeIndex index = PairIndex();
  CreateEmpty(index);
  Status s = BtreeInsert(index, {Datum(int64_t{1}), Datum(std::string(3000, 'z'))}, FakeTid(1));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().sqlstate, "54000");
  EXPECT_EQ(s.error().message, "index row size 3024 exceeds btree version 4 maximum 2704 for index \"t_a_b_idx\"");
}

// Scenario: a table of 100,000 rows with an index on id. Finding one id by
// the index touches the metapage and one page per level (a handful of
// buffers); the sequential scan touches every page of the table.
TEST_F(BtreeTest, PointLookupReadsFewPages) {
  ASSERT_TRUE(HeapCreateRelation(kRel).ok());
  InsertIds(0, kKeys);
  ASSERT_TRUE(CommitTransaction().ok());
  BtreeIndex index = IntIndex();
  ASSERT_TRUE(HeapCreateRelation(index.rel).ok());
  std::vector<BtBuildEntry> entries;
  HeapTableScan heap(kRel, Columns());
  ASSERT_TRUE(heap.Open().ok());
  for (;;) {
    auto row = heap.Next();
    ASSERT_TRUE(row.ok());
    if (!row->has_value()) break;
    entries.push_back(BtBuildEntry{{(**row)[0]}, heap.last_tid()});
  }
  ASSERT_TRUE(BtreeBuild(index, entries).ok());

  auto accesses = [] { return MyBufferUsage().blks_hit + MyBufferUsage().blks_read; };
  uint64_t before = accesses();
  auto found = Collect(index, {{0, BtStrategy::kEqual, Datum(int64_t{77777})}});
  uint64_t index_pages = accesses() - before;
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].second, TidOf(77777));
  before = accesses();
  EXPECT_EQ(ScanIds().size(), static_cast<size_t>(kKeys));
  uint64_t heap_pages = accesses() - before;
  auto nblocks = SmgrNBlocks(kRel, ForkNumber::kMain);
  ASSERT_TRUE(nblocks.ok());
  EXPECT_LE(index_pages, 5u);  // metapage, root, leaf (a built 100,000-key index has two levels)
  EXPECT_EQ(heap_pages, *nblocks);
  EXPECT_GT(heap_pages, 100 * index_pages);
}

}  // namespace
}  // namespace minipg::storage::nbtree

namespace minipg::storage::nbtree {
namespace {

Numeric Num(std::string digits, int32_t scale, bool negative = false) {
  Numeric n;
  n.digits = std::move(digits);
  n.scale = scale;
  n.negative = negative;
  return n;
}

// numeric and interval keys order by value, as PostgreSQL's btree opclasses do.
TEST(BtCompareDatumTest, NumericAndIntervalOrderByValue) {
  auto cmp = [](const Datum& a, const Datum& b) { return BtCompareDatum(ColumnType::kNumeric, a, b); };
  EXPECT_EQ(cmp(Num("15", 1), Num("150", 2)), 0);       // 1.5 = 1.50
  EXPECT_EQ(cmp(Num("15", 1), Num("2", 0)), -1);        // 1.5 < 2
  EXPECT_EQ(cmp(Num("2", 0), Num("199", 2)), 1);        // 2 > 1.99
  EXPECT_EQ(cmp(Num("3", 0, true), Num("2", 0)), -1);   // -3 < 2
  EXPECT_EQ(cmp(Num("3", 0, true), Num("2", 0, true)), -1);  // -3 < -2
  EXPECT_EQ(cmp(Num("0", 0), Num("0", 3)), 0);
  Numeric nan;
  nan.kind = Numeric::Kind::kNaN;
  Numeric inf;
  inf.kind = Numeric::Kind::kPositiveInfinity;
  EXPECT_EQ(cmp(inf, nan), -1);
  EXPECT_EQ(cmp(Num("99999", 0), inf), -1);
  Interval day{0, 1, 0};
  Interval hours{0, 0, 25LL * 3600 * 1000000};
  Interval month{1, 0, 0};
  Interval thirty_days{0, 30, 0};
  EXPECT_EQ(BtCompareDatum(ColumnType::kInterval, day, hours), -1);
  EXPECT_EQ(BtCompareDatum(ColumnType::kInterval, month, thirty_days), 0);
}

}  // namespace
}  // namespace minipg::storage::nbtree
