/*-------------------------------------------------------------------------
 * visibilitymap_test.cpp
 *   The visibility map (visibilitymap.h): two bits per heap page across
 *   map pages, counted and truncated; VACUUM setting them with
 *   PD_ALL_VISIBLE, an insert and a delete clearing them, a row lock
 *   clearing only ALL_FROZEN; and redo of the WAL rebuilding the same bits.
 *-------------------------------------------------------------------------
 */
#include "tests/engine/storage/heap/heap_test_util.h"

#include "engine/storage/buffer/locked_buffer.h"
#include "engine/storage/heap/vacuumlazy.h"
#include "engine/storage/heap/visibilitymap.h"

namespace minipg::storage {
namespace {

class VisibilityMapTest : public HeapTest {
 protected:
  static uint8_t Bits(BlockNumber block) {
    VmBuffer vm;
    auto bits = VisibilityMapGetStatus(kRel, block, vm);
    EXPECT_TRUE(bits.ok());
    return bits.ok() ? *bits : 0xFF;
  }
  static bool PageAllVisible(BlockNumber block) {
    auto b = ReadBuffer(BufferTag{kRel, ForkNumber::kMain, block});
    EXPECT_TRUE(b.ok());
    LockedBuffer buf(*b, BufferLockMode::kShare);
    return (PageGetFlags(buf.page()) & kPdAllVisible) != 0;
  }
  /* Sets `flags` for `block` as VACUUM does (the page marked first). */
  static void SetBits(BlockNumber block, uint8_t flags) {
    VmBuffer vm;
    ASSERT_TRUE(VisibilityMapPin(kRel, block, vm).ok());
    auto b = ReadBuffer(BufferTag{kRel, ForkNumber::kMain, block});
    ASSERT_TRUE(b.ok());
    LockedBuffer buf(*b, BufferLockMode::kExclusive);
    PageSetFlags(buf.page(), PageGetFlags(buf.page()) | kPdAllVisible);
    MarkBufferDirty(buf.get());
    VisibilityMapSet(kRel, block, buf.get(), vm, kFirstNormalTransactionId, flags);
  }
  /* Every block's bits, in block order. */
  static std::vector<uint8_t> AllBits() {
    std::vector<uint8_t> bits;
    auto n = SmgrNBlocks(kRel, ForkNumber::kMain);
    for (BlockNumber b = 0; n.ok() && b < *n; ++b) bits.push_back(Bits(b));
    return bits;
  }
};

// Scenario: bits of heap pages on the first and the second map page (heap
// block 32672 is the first of map block 1): set, read, counted, cleared;
// a block past the map's end reads 0; truncating the heap to 3 pages
// clears the bits from block 3 on and drops the second map page.
TEST_F(VisibilityMapTest, TwoBitsPerHeapPage) {
  ASSERT_TRUE(HeapCreateRelation(kRel).ok());
  InsertIds(0, 10);  // block 0
  ASSERT_TRUE(CommitTransaction().ok());
  EXPECT_EQ(Bits(0), 0);
  EXPECT_EQ(Bits(kVmHeapBlocksPerPage + 5), 0);  // no map page there
  EXPECT_FALSE(SmgrExists(kRel, ForkNumber::kVisibilityMap));

  SetBits(0, kVmAllVisible);
  EXPECT_EQ(Bits(0), kVmAllVisible);
  EXPECT_TRUE(PageAllVisible(0));
  VmBuffer vm;
  for (BlockNumber b : {BlockNumber{3}, BlockNumber{4}, kVmHeapBlocksPerPage}) {
    ASSERT_TRUE(VisibilityMapPin(kRel, b, vm).ok());
    EXPECT_TRUE(VisibilityMapSetBits(BufferGetPage(vm.get()), b, kVmAllVisible | kVmAllFrozen));
  }
  vm.Reset();
  EXPECT_EQ(*SmgrNBlocks(kRel, ForkNumber::kVisibilityMap), 2u);
  EXPECT_EQ(Bits(3), kVmValidBits);
  EXPECT_EQ(Bits(2), 0);
  EXPECT_EQ(Bits(kVmHeapBlocksPerPage), kVmValidBits);
  auto counts = VisibilityMapCount(kRel, kVmHeapBlocksPerPage + 1);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->all_visible, 4u);
  EXPECT_EQ(counts->all_frozen, 3u);

  ASSERT_TRUE(VisibilityMapPin(kRel, 4, vm).ok());
  EXPECT_TRUE(VisibilityMapClear(4, vm, kVmAllFrozen));
  EXPECT_FALSE(VisibilityMapClear(4, vm, kVmAllFrozen));  // nothing left to clear
  vm.Reset();
  EXPECT_EQ(Bits(4), kVmAllVisible);

  ASSERT_TRUE(VisibilityMapTruncate(kRel, 4).ok());
  EXPECT_EQ(*SmgrNBlocks(kRel, ForkNumber::kVisibilityMap), 1u);
  EXPECT_EQ(Bits(3), kVmValidBits);
  EXPECT_EQ(Bits(4), 0);
  EXPECT_EQ(Bits(0), kVmAllVisible);
}

// Scenario: VACUUM of a table of several pages whose rows all committed
// marks every page all-visible (no xmin is frozen: ALL_FROZEN stays
// clear); an insert clears the page it goes on, a delete the page of its
// row, a row lock only ALL_FROZEN; a second VACUUM sets them again. Then
// the files and pg_xact go and redo rebuilds the same bits and flags.
TEST_F(VisibilityMapTest, VacuumSetsChangesClearAndRedoAgrees) {
  ASSERT_TRUE(HeapCreateRelation(kRel).ok());
  InsertIds(0, 300);
  ASSERT_TRUE(CommitTransaction().ok());
  auto nblocks = SmgrNBlocks(kRel, ForkNumber::kMain);
  ASSERT_TRUE(nblocks.ok());
  ASSERT_GT(*nblocks, 1u);
  auto stats = LazyVacuumRel(kRel, {});
  ASSERT_TRUE(stats.ok()) << stats.error().message;
  EXPECT_EQ(stats->rel_allvisible, *nblocks);
  for (BlockNumber b = 0; b < *nblocks; ++b) {
    EXPECT_EQ(Bits(b), kVmAllVisible) << b;
    EXPECT_TRUE(PageAllVisible(b)) << b;
  }

  ASSERT_TRUE(HeapDelete(kRel, TidOf(0)).ok());
  ASSERT_TRUE(CommitTransaction().ok());
  EXPECT_EQ(Bits(0), 0);
  EXPECT_FALSE(PageAllVisible(0));
  BlockNumber last = *nblocks - 1;
  std::vector<ItemPointer> tids;
  ASSERT_TRUE(HeapInsert(kRel, Columns(), {Row(1000)}, &tids).ok());
  ASSERT_TRUE(CommitTransaction().ok());
  EXPECT_EQ(Bits(tids[0].block), 0);
  EXPECT_FALSE(PageAllVisible(tids[0].block));

  // A second VACUUM: every page all-visible again (the deleted row removed).
  stats = LazyVacuumRel(kRel, {});
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->rel_allvisible, *nblocks);
  EXPECT_EQ(Bits(last), kVmAllVisible);

  // A row lock keeps the page all-visible (it clears ALL_FROZEN only).
  TmFailure tmfd;
  ASSERT_TRUE(HeapLockTuple(kRel, "t", TidOf(5), LockTupleMode::kShare, LockWaitPolicy::kBlock, &tmfd).ok());
  ASSERT_TRUE(CommitTransaction().ok());
  EXPECT_EQ(Bits(TidOf(5).block), kVmAllVisible);
  ASSERT_TRUE(HeapDelete(kRel, TidOf(7)).ok());
  ASSERT_TRUE(CommitTransaction().ok());

  std::vector<uint8_t> bits = AllBits();
  std::vector<bool> flags;
  for (BlockNumber b = 0; b < *nblocks; ++b) flags.push_back(PageAllVisible(b));
  ASSERT_TRUE(FlushAllDirty().ok());
  Stop();

  std::filesystem::remove(dir_.path() / "base/5/16384");
  std::filesystem::remove(dir_.path() / "base/5/16384_vm");
  std::filesystem::remove(dir_.path() / "base/5/16384_fsm");
  std::filesystem::remove_all(dir_.path() / "pg_xact");
  Start(/*wal=*/false);
  Replay();
  EXPECT_EQ(AllBits(), bits);
  for (BlockNumber b = 0; b < *nblocks; ++b) EXPECT_EQ(PageAllVisible(b), flags[b]) << b;
  EXPECT_EQ(ScanIds().size(), 299u);
}

}  // namespace
}  // namespace minipg::storage
