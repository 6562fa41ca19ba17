/*-------------------------------------------------------------------------
 * vacuum_test.cpp
 *   VACUUM of a heap (vacuumlazy.h, pruneheap.h): a page before and after
 *   pruning and vacuuming, the space reused, the index pass seeing LP_DEAD
 *   items, a recently dead tuple kept, empty end pages cut off, and the
 *   redo of the Heap2 and Storage TRUNCATE records rebuilding the same file.
 *-------------------------------------------------------------------------
 */
#include "tests/engine/storage/heap/heap_test_util.h"

#include <cstring>

#include "engine/storage/heap/pruneheap.h"
#include "engine/storage/heap/vacuumlazy.h"

namespace minipg::storage {
namespace {

class VacuumTest : public HeapTest {
 protected:
  /* The line pointer `off` of block 0, read under a share lock. */
  static ItemId LinePointer(OffsetNumber off, BlockNumber block = 0) {
    auto b = ReadBuffer(BufferTag{kRel, ForkNumber::kMain, block});
    EXPECT_TRUE(b.ok());
    LockBuffer(*b, BufferLockMode::kShare);
    ItemId id = PageGetItemId(BufferGetPage(*b), off);
    UnlockBuffer(*b);
    ReleaseBuffer(*b);
    return id;
  }
  static size_t FreeSpace(BlockNumber block = 0) {
    auto b = ReadBuffer(BufferTag{kRel, ForkNumber::kMain, block});
    EXPECT_TRUE(b.ok());
    LockBuffer(*b, BufferLockMode::kShare);
    size_t free = PageGetFreeSpace(BufferGetPage(*b));
    UnlockBuffer(*b);
    ReleaseBuffer(*b);
    return free;
  }
  /* Ten rows, of which 2, 4 and 6 (offsets 3, 5, 7) deleted by a committed transaction. */
  void TenRowsThreeDeleted() {
    ASSERT_TRUE(HeapCreateRelation(kRel).ok());
    InsertIds(0, 10);
    ASSERT_TRUE(CommitTransaction().ok());
    for (int64_t id : {2, 4, 6}) ASSERT_TRUE(HeapDelete(kRel, TidOf(id)).ok());
    ASSERT_TRUE(CommitTransaction().ok());
  }
};

// Scenario: a page of ten rows, three deleted and committed. Before VACUUM
// the three keep their storage; with no index VACUUM makes their line
// pointers unused in one pass (PRUNE then VACUUM), compacts the page so its
// free space grows by the three tuples, and the next insert takes the first
// unused line pointer.
TEST_F(VacuumTest, PrunesAndReusesThePage) {
  TenRowsThreeDeleted();
  size_t free_before = FreeSpace();
  EXPECT_EQ(LinePointer(3).flags, LpFlags::kNormal);
  uint16_t tuple_len = LinePointer(3).length;

  auto stats = LazyVacuumRel(kRel, {});
  ASSERT_TRUE(stats.ok()) << stats.error().message;
  EXPECT_EQ(stats->tuples_deleted, 3);
  EXPECT_EQ(stats->live_tuples, 7);
  EXPECT_EQ(stats->recently_dead_tuples, 0);
  EXPECT_EQ(stats->num_index_scans, 0);
  EXPECT_EQ(stats->lpdead_items, 3);
  EXPECT_EQ(stats->wal_records, 3u);  // PRUNE, VACUUM, then VISIBLE: what is left is visible to all
  for (OffsetNumber off : {3, 5, 7}) EXPECT_EQ(LinePointer(off).flags, LpFlags::kUnused) << off;
  for (OffsetNumber off : {1, 2, 4, 6, 8, 9, 10}) EXPECT_EQ(LinePointer(off).flags, LpFlags::kNormal) << off;
  EXPECT_EQ(FreeSpace(), free_before + 3 * MaxAlign(tuple_len));
  EXPECT_EQ(ScanIds(), (std::vector<int64_t>{0, 1, 3, 5, 7, 8, 9}));

  std::vector<ItemPointer> tids;
  ASSERT_TRUE(HeapInsert(kRel, Columns(), {Row(42)}, &tids).ok());
  ASSERT_TRUE(CommitTransaction().ok());
  EXPECT_EQ(tids[0], (ItemPointer{0, 3}));  // the first unused line pointer
  EXPECT_EQ(ScanIds(), (std::vector<int64_t>{0, 1, 42, 3, 5, 7, 8, 9}));
}

// Scenario: the same page with an index. Pass 1 leaves the dead tuples as
// LP_DEAD (no storage), the index's bulk delete is asked about exactly
// those TIDs while they are LP_DEAD, then pass 2 makes them unused.
TEST_F(VacuumTest, IndexPassSeesDeadItems) {
  TenRowsThreeDeleted();
  std::vector<ItemPointer> asked;
  IndexVacuumer index{"t_pkey", [&](const TidIsDead& is_dead) -> Result<IndexVacuumResult> {
                        for (OffsetNumber off = 1; off <= 10; ++off) {
                          if (!is_dead({0, off})) continue;
                          asked.push_back({0, off});
                          EXPECT_EQ(LinePointer(off).flags, LpFlags::kDead);
                          EXPECT_EQ(LinePointer(off).length, 0);
                        }
                        return IndexVacuumResult{2, 7, asked.size()};
                      }};
  auto stats = LazyVacuumRel(kRel, {index});
  ASSERT_TRUE(stats.ok()) << stats.error().message;
  EXPECT_EQ(asked, (std::vector<ItemPointer>{{0, 3}, {0, 5}, {0, 7}}));
  EXPECT_EQ(stats->num_index_scans, 1);
  ASSERT_EQ(stats->indexes.size(), 1u);
  EXPECT_EQ(stats->indexes[0].second.tuples_removed, 3u);
  for (OffsetNumber off : {3, 5, 7}) EXPECT_EQ(LinePointer(off).flags, LpFlags::kUnused) << off;
  EXPECT_NE(FormatVacuumReport(*stats).find("index scan needed: 1 pages from table (100.00% of total) had 3 dead "
                                            "item identifiers removed"),
            std::string::npos);
}

// Scenario: a tuple whose deleter committed at or after the horizon may
// still be seen by a running transaction: recently dead, kept; one before
// it is dead. An aborted insert is dead whatever the horizon.
TEST_F(VacuumTest, HorizonDecidesRecentlyDead) {
  ASSERT_TRUE(HeapCreateRelation(kRel).ok());
  InsertIds(0, 2);
  ASSERT_TRUE(CommitTransaction().ok());
  ASSERT_TRUE(HeapDelete(kRel, TidOf(0)).ok());
  TransactionId deleter = GetCurrentTransactionId();
  ASSERT_TRUE(CommitTransaction().ok());
  HeapTupleHeader deleted = HeaderAt({0, 1});
  VacuumCutoffs cutoffs;
  cutoffs.next_xid = ReadNextTransactionId();
  cutoffs.oldest_xmin = deleter;
  EXPECT_EQ(*HeapTupleSatisfiesVacuum(deleted, cutoffs), HtsvResult::kRecentlyDead);
  cutoffs.oldest_xmin = deleter + 1;
  EXPECT_EQ(*HeapTupleSatisfiesVacuum(deleted, cutoffs), HtsvResult::kDead);
  EXPECT_EQ(*HeapTupleSatisfiesVacuum(HeaderAt({0, 2}), cutoffs), HtsvResult::kLive);

  InsertIds(5, 6);
  ItemPointer aborted_tid{0, 3};
  ASSERT_TRUE(AbortTransaction().ok());
  cutoffs.oldest_xmin = kFirstNormalTransactionId;
  cutoffs.next_xid = ReadNextTransactionId();
  EXPECT_EQ(*HeapTupleSatisfiesVacuum(HeaderAt(aborted_tid), cutoffs), HtsvResult::kDead);
}

/* A relation file with what redo need not rebuild masked: the hint bits
 * readers set (t_infomask's HEAP_XMIN/XMAX_COMMITTED/INVALID, never
 * WAL-logged), the page checksums that cover them, and the free space
 * between pd_lower and pd_upper (what compaction left there may hold old
 * tuples' hint bits). */
std::string MaskHintBits(std::string file) {
  for (size_t page = 0; page + kBlockSize <= file.size(); page += kBlockSize) {
    char* p = file.data() + page;
    p[8] = p[9] = 0;  // pd_checksum
    uint16_t lower = 0;
    uint16_t upper = 0;
    std::memcpy(&lower, p + 12, 2);
    std::memcpy(&upper, p + 14, 2);
    if (lower <= upper && upper <= kBlockSize) std::memset(p + lower, 0, upper - lower);
    for (size_t item = 24; item + 4 <= lower && item + 4 <= kBlockSize; item += 4) {
      uint32_t id = 0;
      std::memcpy(&id, p + item, 4);
      uint32_t off = id & 0x7FFF, flags = (id >> 15) & 3, len = id >> 17;
      if (flags != 1 || len < 24 || off + 22 > kBlockSize) continue;
      uint16_t infomask = 0;
      std::memcpy(&infomask, p + off + 20, 2);
      infomask &= static_cast<uint16_t>(~0x0F00);
      std::memcpy(p + off + 20, &infomask, 2);
    }
  }
  return file;
}

// Scenario: every row of a table of several pages deleted: VACUUM cuts
// them all off (Storage TRUNCATE), and the table takes rows again. Then
// the files and pg_xact go and redo of the WAL rebuilds the same file.
TEST_F(VacuumTest, TruncatesAndRedoRebuildsTheSameFile) {
  ASSERT_TRUE(HeapCreateRelation(kRel).ok());
  InsertIds(0, 300);
  ASSERT_TRUE(CommitTransaction().ok());
  auto before = SmgrNBlocks(kRel, ForkNumber::kMain);
  ASSERT_GT(*before, 1u);
  for (int64_t id = 100; id < 300; ++id) ASSERT_TRUE(HeapDelete(kRel, TidOf(id)).ok());
  ASSERT_TRUE(CommitTransaction().ok());
  auto stats = LazyVacuumRel(kRel, {});
  ASSERT_TRUE(stats.ok()) << stats.error().message;
  EXPECT_EQ(stats->tuples_deleted, 200);
  EXPECT_GT(stats->removed_pages, 0u);
  EXPECT_EQ(*SmgrNBlocks(kRel, ForkNumber::kMain), stats->new_rel_pages);
  EXPECT_EQ(ScanIds().size(), 100u);
  InsertIds(1000, 1010);
  ASSERT_TRUE(CommitTransaction().ok());
  EXPECT_EQ(ScanIds().size(), 110u);
  ASSERT_TRUE(FlushAllDirty().ok());
  std::string file = FileBytes("base/5/16384");
  Stop();

  std::filesystem::remove(dir_.path() / "base/5/16384");
  std::filesystem::remove_all(dir_.path() / "pg_xact");
  Start(/*wal=*/false);
  Replay();
  EXPECT_EQ(ScanIds().size(), 110u);
  ASSERT_TRUE(FlushAllDirty().ok());
  EXPECT_EQ(MaskHintBits(FileBytes("base/5/16384")), MaskHintBits(file));
}

}  // namespace
}  // namespace minipg::storage
