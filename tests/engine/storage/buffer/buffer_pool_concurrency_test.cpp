/*
 * buffer_pool_concurrency_test.cpp
 *   The buffer pool shared by forked processes: concurrent changes to the
 *   same pages under content locks lose no update, through evictions and
 *   re-reads; processes that miss on the same pages at the same moment
 *   read each page once, into one buffer; processes extending one
 *   relation at once each get blocks of their own; a process that needs
 *   a buffer another is writing waits with wait event IPC / BufferIO.
 */
#include <sched.h>

#include <atomic>
#include <set>

#include "engine/shmem/backend_status.h"
#include "tests/engine/storage/buffer/buffer_test_util.h"

namespace minipg::storage {
namespace {

struct SharedCounts {
  std::atomic<int> go;
  std::atomic<int> ready;
  std::atomic<int> misses;
  std::atomic<int> hits;
};

SharedCounts* g_counts = nullptr;

void CountReads(const BufferEvent& e) {
  if (e.kind == BufferEvent::Kind::kReadMiss) g_counts->misses.fetch_add(1);
  if (e.kind == BufferEvent::Kind::kReadHit) g_counts->hits.fetch_add(1);
}

shmem::ShmemRequest CountsRequest() {
  return {"buffer test counts", sizeof(SharedCounts), [](void* p) { new (p) SharedCounts{}; }};
}

/* Every tag in the pool is in one buffer only. */
void ExpectNoDuplicateTags() {
  std::set<std::tuple<Oid, Oid, BlockNumber>> seen;
  for (const BufferSnapshot& s : SnapshotBuffers()) {
    if (!s.tag) continue;
    EXPECT_TRUE(seen.insert({s.tag->rel.rel_number, static_cast<Oid>(s.tag->fork), s.tag->block}).second)
        << "block " << s.tag->block << " is in two buffers";
  }
}

// Scenario: four processes add 1 to the counters of twelve pages, 400
// times each, in a pool of six buffers: pages are evicted dirty and read
// back all the time. Every counter ends exactly right, in the pool and, after a
// checkpoint, on disk; no page is in two buffers.
TEST_F(BufferPoolTest, ConcurrentWritersLoseNoUpdate) {
  constexpr int kProcs = 4, kRounds = 400, kPages = 12;
  MakePool(6, kPages);
  SetBufferEventHook(nullptr);
  std::vector<pid_t> pids;
  for (int c = 0; c < kProcs; ++c) {
    pid_t pid = fork();
    if (pid == 0) {
      SmgrInit(dir_.path());  // a child opens its own files
      for (int i = 0; i < kRounds; ++i) {
        auto b = ReadBuffer(Tag(static_cast<BlockNumber>((i * 7 + c) % kPages)));
        if (!b.ok()) _exit(1);
        LockBuffer(*b, BufferLockMode::kExclusive);
        uint32_t v = Counter(BufferGetPage(*b));
        if (i % 16 == 0) sched_yield();  // invite another writer in, if the lock let it
        Counter(BufferGetPage(*b)) = v + 1;
        MarkBufferDirty(*b);
        UnlockBuffer(*b);
        ReleaseBuffer(*b);
      }
      _exit(NumPinnedByMe() == 0 && shmem::LWLockNumHeldByMe() == 0 ? 0 : 2);
    }
    pids.push_back(pid);
  }
  for (pid_t pid : pids) EXPECT_EQ(ExitCode(pid), 0);

  std::vector<uint32_t> expected(kPages);
  for (int p = 0; p < kPages; ++p) expected[p] = static_cast<uint32_t>(p);
  for (int c = 0; c < kProcs; ++c) {
    for (int i = 0; i < kRounds; ++i) ++expected[(i * 7 + c) % kPages];
  }
  ExpectNoDuplicateTags();
  for (int p = 0; p < kPages; ++p) {
    Buffer b = Read(Tag(p));
    EXPECT_EQ(Counter(BufferGetPage(b)), expected[p]) << "page " << p;
    ReleaseBuffer(b);
  }
  EXPECT_GT(ReadBgWriterStats().buffers_backend, 0u) << "dirty victims were written";
  ASSERT_TRUE(FlushAllDirty().ok());
  for (int p = 0; p < kPages; ++p) EXPECT_EQ(CounterOnDisk(Tag(p)), expected[p]) << "page " << p;
  for (const BufferSnapshot& s : SnapshotBuffers()) EXPECT_EQ(s.pinning_backends, 0);
}

// Scenario: four processes start together and each read the same twelve
// pages (in different orders) into an empty pool big enough for all:
// between them they read exactly twelve pages from the files, the rest are
// hits (a process that finds a page being read waits for it), and each
// page sits in one buffer. Twenty rounds, the pool emptied between them.
TEST_F(BufferPoolTest, SimultaneousMissesReadEachPageOnce) {
  constexpr int kProcs = 4, kPages = 12;
  MakePool(32, kPages, {CountsRequest()});
  g_counts = static_cast<SharedCounts*>(shmem::ShmemArea("buffer test counts"));
  ASSERT_NE(g_counts, nullptr);
  SetBufferEventHook(CountReads);
  for (int round = 0; round < 20; ++round) {
    g_counts->go = 0;
    g_counts->ready = 0;
    g_counts->misses = 0;
    g_counts->hits = 0;
    std::vector<pid_t> pids;
    for (int c = 0; c < kProcs; ++c) {
      pid_t pid = fork();
      if (pid == 0) {
        SmgrInit(dir_.path());
        g_counts->ready.fetch_add(1);
        while (g_counts->go.load() == 0) sched_yield();
        for (int i = 0; i < kPages; ++i) {
          int block = c % 2 == 0 ? i : kPages - 1 - i;
          auto b = ReadBuffer(Tag(static_cast<BlockNumber>(block)));
          if (!b.ok()) _exit(1);
          LockBuffer(*b, BufferLockMode::kShare);
          bool right = Counter(BufferGetPage(*b)) == static_cast<uint32_t>(block);
          UnlockBuffer(*b);
          ReleaseBuffer(*b);
          if (!right) _exit(3);
        }
        _exit(0);
      }
      pids.push_back(pid);
    }
    while (g_counts->ready.load() < kProcs) sched_yield();
    g_counts->go = 1;
    for (pid_t pid : pids) EXPECT_EQ(ExitCode(pid), 0);
    EXPECT_EQ(g_counts->misses.load(), kPages) << "round " << round;
    EXPECT_EQ(g_counts->hits.load(), kProcs * kPages - kPages) << "round " << round;
    ExpectNoDuplicateTags();
    ASSERT_TRUE(DropRelationBuffers(kRel).ok());
  }
}

// Scenario: four processes each add 25 blocks to one relation at the same
// time, in a pool of eight buffers, and write their own mark into each new
// page: the relation ends with exactly 100 blocks, every mark in one of them.
TEST_F(BufferPoolTest, ConcurrentExtendersGetBlocksOfTheirOwn) {
  constexpr int kProcs = 4, kBlocks = 25;
  MakePool(8, 0);
  SetBufferEventHook(nullptr);
  std::vector<pid_t> pids;
  for (int c = 0; c < kProcs; ++c) {
    pid_t pid = fork();
    if (pid == 0) {
      SmgrInit(dir_.path());
      for (int i = 0; i < kBlocks; ++i) {
        auto b = ReadBuffer(Tag(kInvalidBlockNumber));
        if (!b.ok()) _exit(1);
        LockBuffer(*b, BufferLockMode::kExclusive);
        char* page = BufferGetPage(*b);
        if (!PageIsNew(page)) _exit(2);  // someone else's block
        uint32_t mark = static_cast<uint32_t>(c * 1000 + i);
        PageInit(page, 0);
        PageAddItem(page, std::string_view(reinterpret_cast<const char*>(&mark), 4));
        MarkBufferDirty(*b);
        UnlockBuffer(*b);
        ReleaseBuffer(*b);
      }
      _exit(0);
    }
    pids.push_back(pid);
  }
  for (pid_t pid : pids) EXPECT_EQ(ExitCode(pid), 0);
  auto n = SmgrNBlocks(kRel, ForkNumber::kMain);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, static_cast<BlockNumber>(kProcs * kBlocks));
  ASSERT_TRUE(FlushAllDirty().ok());
  std::set<uint32_t> marks;
  for (BlockNumber b = 0; b < *n; ++b) marks.insert(CounterOnDisk(Tag(b)));
  std::set<uint32_t> expected;
  for (int c = 0; c < kProcs; ++c) {
    for (int i = 0; i < kBlocks; ++i) expected.insert(static_cast<uint32_t>(c * 1000 + i));
  }
  EXPECT_EQ(marks, expected);
}

// Scenario: one process writes a dirty page and is held inside the WAL
// flush hook (its write is in progress); a second process that wants to
// write the same buffer waits for it, shown as IPC / BufferIO in the
// process array, and finds nothing left to write. The page is written once.
TEST_F(BufferPoolTest, WaitForAnotherProcessesIoShowsBufferIO) {
  MakePool(4, 1, {CountsRequest()});
  g_counts = static_cast<SharedCounts*>(shmem::ShmemArea("buffer test counts"));
  ASSERT_NE(g_counts, nullptr);
  SetBufferEventHook(nullptr);
  Bump(Tag(0), 5);
  pid_t writer = fork();
  if (writer == 0) {
    SmgrInit(dir_.path());
    SetWalFlushHook([](XLogRecPtr) {
      g_counts->ready = 1;
      while (g_counts->go.load() == 0) sched_yield();
    });
    auto b = ReadBuffer(Tag(0));
    if (!b.ok() || !FlushBuffer(*b).ok()) _exit(1);
    ReleaseBuffer(*b);
    _exit(0);
  }
  for (int i = 0; i < 2000 && g_counts->ready.load() == 0; ++i) usleep(10000);
  if (g_counts->ready.load() == 0) {
    g_counts->go = 1;
    ExitCode(writer);
    FAIL() << "the writer never reached the WAL hook";
  }
  pid_t waiter = fork();
  if (waiter == 0) {
    SmgrInit(dir_.path());
    int slot = shmem::ClaimBackendSlot();
    if (slot < 0) _exit(2);
    shmem::InitMyStatus(slot, shmem::BackendType::kClientBackend);
    auto b = ReadBuffer(Tag(0));
    if (!b.ok() || !FlushBuffer(*b).ok()) _exit(1);
    ReleaseBuffer(*b);
    _exit(shmem::MyWaitEvent() == shmem::WaitEvent::kNone ? 0 : 3);
  }
  bool seen = false;
  for (int i = 0; i < 2000 && !seen; ++i) {  // up to 20 s on a slow machine
    for (const shmem::BackendStatusCopy& p : shmem::ReadProcArray()) {
      if (p.pid == waiter && p.wait_event == shmem::WaitEvent::kBufferIO) seen = true;
    }
    if (!seen) usleep(10000);
  }
  EXPECT_TRUE(seen);
  EXPECT_STREQ(shmem::WaitEventTypeName(shmem::WaitEvent::kBufferIO), "IPC");
  EXPECT_STREQ(shmem::WaitEventName(shmem::WaitEvent::kBufferIO), "BufferIO");
  g_counts->go = 1;
  EXPECT_EQ(ExitCode(writer), 0);
  EXPECT_EQ(ExitCode(waiter), 0);
  EXPECT_EQ(ReadBgWriterStats().buffers_backend, 1u) << "written once";
  EXPECT_EQ(CounterOnDisk(Tag(0)), 5u);
}

}  // namespace
}  // namespace minipg::storage
