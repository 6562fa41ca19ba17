/*
 * buffer_pool_test.cpp
 *   The buffer pool in one process: a page in the pool is never read from
 *   its file again; the clock sweep skips pinned buffers and spares used
 *   ones; a dirty victim is written after the WAL hook saw its LSN; every
 *   buffer pinned is an error; extension; FlushAllDirty writes each dirty
 *   buffer once; the background writer's step; DropRelationBuffers.
 */
#include <algorithm>

#include "engine/common/sqlstate.h"
#include "tests/engine/storage/buffer/buffer_test_util.h"

namespace minipg::storage {
namespace {

// Scenario: block 0 is read once; then its file is changed behind the
// pool's back; reading it again gives the pool's copy (no file read) and
// counts a hit.
TEST_F(BufferPoolTest, PageInPoolIsNotReadAgain) {
  MakePool(4, 2);
  bool hit = true;
  Buffer b = Read(Tag(0), &hit);
  EXPECT_FALSE(hit);
  EXPECT_EQ(Counter(BufferGetPage(b)), 0u);
  ReleaseBuffer(b);
  ASSERT_TRUE(SmgrWrite(Tag(0), MakePage(777).data()).ok());
  Buffer again = Read(Tag(0), &hit);
  EXPECT_TRUE(hit);
  EXPECT_EQ(again, b) << "the same buffer";
  EXPECT_EQ(Counter(BufferGetPage(again)), 0u) << "read from the file, not from the pool";
  ReleaseBuffer(again);
  EXPECT_EQ(MyBufferUsage().blks_read, 1u);
  EXPECT_EQ(MyBufferUsage().blks_hit, 1u);
  EXPECT_EQ(Count(BufferEvent::Kind::kReadMiss), 1);
  EXPECT_EQ(Count(BufferEvent::Kind::kReadHit), 1);
}

// Scenario: four buffers hold blocks 0-3; block 0 stays pinned and block 1
// is used three more times. Two new blocks evict blocks 2 and 3, the ones
// whose usage count the sweep brings to 0 first; never the pinned one nor
// the much-used one.
TEST_F(BufferPoolTest, ClockSweepSkipsPinnedAndSparesUsed) {
  MakePool(4, 6);
  for (BlockNumber i = 0; i < 4; ++i) ReleaseBuffer(Read(Tag(i)));
  Buffer pinned = Read(Tag(0));
  for (int i = 0; i < 3; ++i) ReleaseBuffer(Read(Tag(1)));
  HeardEvents().clear();
  ReleaseBuffer(Read(Tag(4)));
  ReleaseBuffer(Read(Tag(5)));
  std::vector<BlockNumber> evicted;
  for (const BufferEvent& e : HeardEvents()) {
    if (e.kind == BufferEvent::Kind::kEvict) evicted.push_back(e.tag.block);
  }
  EXPECT_EQ(evicted, (std::vector<BlockNumber>{2, 3}));
  std::vector<BlockNumber> in_pool;
  for (const BufferSnapshot& s : SnapshotBuffers()) {
    ASSERT_TRUE(s.tag.has_value());
    in_pool.push_back(s.tag->block);
    if (s.tag->block == 0) {
      EXPECT_EQ(s.pinning_backends, 1);
    }
    if (s.tag->block == 1) {
      EXPECT_GE(s.usagecount, 1) << "used often: still warm";
    }
  }
  std::sort(in_pool.begin(), in_pool.end());
  EXPECT_EQ(in_pool, (std::vector<BlockNumber>{0, 1, 4, 5}));
  ReleaseBuffer(pinned);
}

XLogRecPtr g_hook_lsn = 0;
uint32_t g_disk_counter_at_hook = 0;

// Scenario: a page changed with LSN 0/1234 is evicted: the WAL hook is
// called with 0/1234 while the file still has the old page, and the page
// is written afterwards (by a backend, counted and heard).
TEST_F(BufferPoolTest, DirtyVictimIsWrittenAfterWalFlush) {
  MakePool(2, 3);
  Bump(Tag(0), 41, 0x1234);
  g_hook_lsn = 0;
  SetWalFlushHook([](XLogRecPtr lsn) {
    g_hook_lsn = lsn;
    g_disk_counter_at_hook = CounterOnDisk(Tag(0));
  });
  ReleaseBuffer(Read(Tag(1)));
  ReleaseBuffer(Read(Tag(2)));  // block 0 is the victim now
  EXPECT_EQ(g_hook_lsn, 0x1234u);
  EXPECT_EQ(g_disk_counter_at_hook, 0u) << "written before the WAL hook";
  EXPECT_EQ(CounterOnDisk(Tag(0)), 41u);
  EXPECT_EQ(ReadBgWriterStats().buffers_backend, 1u);
  bool saw_dirty_evict = false;
  for (const BufferEvent& e : HeardEvents()) {
    if (e.kind == BufferEvent::Kind::kEvict && e.tag.block == 0) saw_dirty_evict = e.dirty;
  }
  EXPECT_TRUE(saw_dirty_evict);
  EXPECT_EQ(Count(BufferEvent::Kind::kWrite), 1);
  EXPECT_EQ(Count(BufferEvent::Kind::kDirty), 1);
  // Read back: the change survived the eviction.
  Buffer b = Read(Tag(0));
  EXPECT_EQ(Counter(BufferGetPage(b)), 41u);
  ReleaseBuffer(b);
}

// Scenario: with both buffers pinned a third page cannot come in:
// PostgreSQL's "no unpinned buffers available" (XX000). Once one is
// released, it can.
TEST_F(BufferPoolTest, AllBuffersPinnedIsAnError) {
  MakePool(2, 3);
  Buffer a = Read(Tag(0));
  Buffer b = Read(Tag(1));
  auto r = ReadBuffer(Tag(2));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().sqlstate, sqlstate::kInternalError);
  EXPECT_EQ(r.error().message, "no unpinned buffers available");
  ReleaseBuffer(b);
  auto ok = ReadBuffer(Tag(2));
  ASSERT_TRUE(ok.ok());
  ReleaseBuffer(*ok);
  ReleaseBuffer(a);
  EXPECT_EQ(NumPinnedByMe(), 0);
}

// Scenario: a process holds more pins than its small table of counts has
// room for (the rest go to its map), pins some buffers twice, and lets
// them go in another order; each buffer's count and the shared refcount
// stay right, and releasing everything at once (an error's cleanup)
// leaves nothing pinned.
TEST_F(BufferPoolTest, ManyPinsAreCountedPerBuffer) {
  MakePool(32, 20);
  std::vector<Buffer> held;
  for (uint32_t blk = 0; blk < 20; ++blk) held.push_back(Read(Tag(blk)));
  for (uint32_t blk = 0; blk < 20; blk += 3) held.push_back(Read(Tag(blk)));  // a second pin
  EXPECT_EQ(NumPinnedByMe(), 27);
  auto shared_pins = [] {
    int n = 0;
    for (const auto& b : SnapshotBuffers()) n += b.pinning_backends;
    return n;
  };
  EXPECT_EQ(shared_pins(), 20) << "one shared pin per buffer, however often this process pins it";
  for (uint32_t blk = 0; blk < 20; ++blk) {
    EXPECT_EQ(BufferPrivateRefCount(held[blk]), blk % 3 == 0 ? 2 : 1) << blk;
  }
  for (size_t i = 0; i < held.size(); i += 2) ReleaseBuffer(held[i]);
  EXPECT_EQ(NumPinnedByMe(), 13);
  EXPECT_EQ(shared_pins(), 10) << "the even blocks lost every pin, the odd ones none";
  for (uint32_t blk = 0; blk < 20; blk += 2) {  // pinned again: found, not counted twice
    Buffer again = Read(Tag(blk));
    EXPECT_EQ(again, held[blk]);
    EXPECT_GE(BufferPrivateRefCount(again), 1);
  }
  EXPECT_EQ(NumPinnedByMe(), 23);
  EXPECT_EQ(shared_pins(), 20);
  ReleaseAllBuffers();
  EXPECT_EQ(NumPinnedByMe(), 0);
  EXPECT_EQ(shared_pins(), 0);
  for (Buffer b : held) EXPECT_EQ(BufferPrivateRefCount(b), 0);
}

// Scenario: a read past the end of the file fails with smgr's error and
// leaves nothing pinned; the pool goes on working.
TEST_F(BufferPoolTest, FailedReadLeavesNoPin) {
  MakePool(2, 1);
  auto r = ReadBuffer(Tag(5));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(NumPinnedByMe(), 0);
  ReleaseBuffer(Read(Tag(0)));
}

// Scenario: extending adds zeroed blocks 0 and 1 to an empty relation, on
// disk at once.
TEST_F(BufferPoolTest, ExtendAddsZeroedBlocks) {
  MakePool(4, 0);
  for (BlockNumber expected = 0; expected < 2; ++expected) {
    Buffer b = Read(Tag(kInvalidBlockNumber));
    EXPECT_EQ(BufferGetBlockNumber(b), expected);
    EXPECT_TRUE(PageIsNew(BufferGetPage(b)));
    ReleaseBuffer(b);
  }
  auto n = SmgrNBlocks(kRel, ForkNumber::kMain);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 2u);
}

// Scenario: three of five pages are dirty; a checkpoint writes exactly
// those three, once each; a second one has nothing to write.
TEST_F(BufferPoolTest, FlushAllDirtyWritesEachDirtyBufferOnce) {
  MakePool(8, 5);
  for (BlockNumber i = 0; i < 5; ++i) ReleaseBuffer(Read(Tag(i)));
  for (BlockNumber i : {0u, 2u, 4u}) Bump(Tag(i), 100);
  HeardEvents().clear();
  auto counts = FlushAllDirty(WriteSource::kCheckpointer);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->written, 3);
  std::vector<BlockNumber> written;
  for (const BufferEvent& e : HeardEvents()) {
    if (e.kind == BufferEvent::Kind::kWrite) {
      written.push_back(e.tag.block);
      EXPECT_EQ(e.by, WriteSource::kCheckpointer);
    }
  }
  EXPECT_EQ(written, (std::vector<BlockNumber>{0, 2, 4}));
  for (BlockNumber i : {0u, 2u, 4u}) EXPECT_EQ(CounterOnDisk(Tag(i)), i + 100);
  EXPECT_EQ(ReadBgWriterStats().buffers_checkpoint, 3u);
  for (const BufferSnapshot& s : SnapshotBuffers()) EXPECT_FALSE(s.isdirty);
  auto again = FlushAllDirty(WriteSource::kCheckpointer);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->written, 0);
}

// Scenario: four dirty pages; a fifth evicts one (the sweep ran every
// usage count down to 0); the background writer then writes at most its
// limit of the other three, and the rest next time.
TEST_F(BufferPoolTest, BgWriterWritesReusableDirtyBuffers) {
  MakePool(4, 5);
  for (BlockNumber i = 0; i < 4; ++i) Bump(Tag(i), 1);
  ReleaseBuffer(Read(Tag(4)));
  auto first = BgWriterStep(2);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->written, 2);
  EXPECT_EQ(ReadBgWriterStats().maxwritten_clean, 1u);
  auto second = BgWriterStep(10);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->written, 1);
  EXPECT_EQ(ReadBgWriterStats().buffers_clean, 3u);
  for (BlockNumber i = 0; i < 4; ++i) EXPECT_EQ(CounterOnDisk(Tag(i)), i + 1);
}

// Scenario: a relation's buffers, dirty or not, are forgotten without
// being written; the other relation's stay; one's own pin is an error.
TEST_F(BufferPoolTest, DropRelationBuffers) {
  MakePool(8, 3);
  for (BlockNumber i = 0; i < 3; ++i) {
    ReleaseBuffer(Read(Tag(i)));
    ReleaseBuffer(Read(Tag(i, kOtherRel)));
  }
  Bump(Tag(1), 50);
  HeardEvents().clear();
  ASSERT_TRUE(DropRelationBuffers(kRel).ok());
  int others = 0;
  for (const BufferSnapshot& s : SnapshotBuffers()) {
    if (!s.tag) continue;
    EXPECT_FALSE(s.tag->rel == kRel);
    ++others;
  }
  EXPECT_EQ(others, 3);
  EXPECT_EQ(Count(BufferEvent::Kind::kWrite), 0);
  EXPECT_EQ(CounterOnDisk(Tag(1)), 1u) << "the dirty page was not written";
  bool hit = true;
  ReleaseBuffer(Read(Tag(1), &hit));
  EXPECT_FALSE(hit) << "read from the file again";

  // A truncation: only blocks from 1 on go.
  ASSERT_TRUE(DropRelationBuffers(kOtherRel, ForkNumber::kMain, 1).ok());
  ReleaseBuffer(Read(Tag(0, kOtherRel), &hit));
  EXPECT_TRUE(hit);

  Buffer b = Read(Tag(0));
  Status s = DropRelationBuffers(kRel);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().sqlstate, sqlstate::kInternalError);
  ReleaseBuffer(b);
}

// Scenario: pg_buffercache's view of a fresh pool: every buffer unused,
// numbered from 1.
TEST_F(BufferPoolTest, SnapshotOfEmptyPool) {
  MakePool(3, 0);
  auto snap = SnapshotBuffers();
  ASSERT_EQ(snap.size(), 3u);
  EXPECT_EQ(snap[0].bufferid, 1);
  EXPECT_EQ(snap[2].bufferid, 3);
  for (const auto& s : snap) {
    EXPECT_FALSE(s.tag.has_value());
    EXPECT_EQ(s.pinning_backends, 0);
  }
  EXPECT_EQ(NBuffers(), 3);
}

}  // namespace
}  // namespace minipg::storage
