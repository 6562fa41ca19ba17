/*-------------------------------------------------------------------------
 * wal_xlog_test.cpp
 *   The WAL in shared memory: records inserted (by one process or several
 *   forked ones) are flushed to segment files and read back in LSN order
 *   with a correct prev chain; full buffers are written out; concurrent
 *   committers share one fdatasync; full page images are decided under the
 *   insert lock; a restart after a torn tail goes on
 *   from the end of valid WAL; old segments are removed or recycled.
 *-------------------------------------------------------------------------
 */
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "engine/shmem/lwlock.h"
#include "engine/shmem/shmem.h"
#include "tests/engine/shmem/child_process.h"
#include "engine/storage/wal/wal_bytes.h"
#include "engine/storage/wal/wal_reader.h"
#include "engine/storage/wal/wal_records.h"
#include "engine/storage/wal/wal_rmgr.h"
#include "engine/storage/wal/xlog.h"
#include "tests/engine/storage/temp_dir.h"

namespace {

namespace fs = std::filesystem;
using namespace minipg;
using namespace minipg::storage;
using namespace minipg::storage::wal;

constexpr int kWalBuffers = 8;

struct TestArea {
  std::atomic<int> inserted;
  std::atomic<int> holding, release, waited;  // DelayCheckpointStart test
};

class XLogTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(true); }
  void TearDown() override {
    shmem::LWLockReleaseAll();
    shmem::DestroySharedMemory();
  }
  void Start(bool fsync, XLogRecPtr insert = 0, XLogRecPtr prev = 0) {
    shmem::DestroySharedMemory();
    ASSERT_TRUE(shmem::CreateSharedMemory(8, 2,
                                          {WalShmemRequest(kWalBuffers),
                                           {"wal test", sizeof(TestArea), [](void* p) { new (p) TestArea{}; }}})
                    .ok());
    fs::create_directories(WalDir());
    ASSERT_TRUE(XLogStartup({WalDir(), 42, fsync, insert, prev}).ok());
    area_ = static_cast<TestArea*>(shmem::ShmemArea("wal test"));
  }
  fs::path WalDir() const { return dir_.path() / "pg_wal"; }

  XLogRecPtr Insert(std::string_view main, TransactionId xid = 1) {
    auto end = XLogInsert(RmgrId::kHeap, kHeapInsert, xid, {}, main);
    EXPECT_TRUE(end.ok());
    return end.ok() ? *end : 0;
  }

  /* Every record from the first; checks the prev chain. */
  std::vector<std::string> ReadAll(std::string* error = nullptr, XLogRecPtr* last = nullptr) {
    WalDirSource src(WalDir());
    XLogReader reader(src, 42);
    std::vector<std::string> out;
    XLogRecPtr prev = 0;
    for (const DecodedRecord* r = reader.ReadRecord(FirstRecordLsn()); r != nullptr; r = reader.ReadNext()) {
      if (!out.empty()) {
        EXPECT_EQ(r->header.prev, prev);
      }
      prev = r->lsn;
      out.push_back(r->main_data);
    }
    if (error != nullptr) *error = reader.error();
    if (last != nullptr) *last = reader.read_lsn();
    return out;
  }

  TempDir dir_;
  TestArea* area_ = nullptr;
};

std::string Payload(size_t n, int seed) {
  std::string s(n, '\0');
  for (size_t k = 0; k < n; ++k) s[k] = static_cast<char>('a' + (k * 7 + static_cast<size_t>(seed)) % 26);
  return s;
}

// Scenario: records of many sizes, one bigger than all the WAL buffers
// together, are inserted and flushed; the segment file holds them all in
// order; the counters say what happened.
TEST_F(XLogTest, InsertFlushReadBack) {
  std::vector<std::string> written;
  uint64_t bytes = 0;
  XLogRecPtr end = 0;
  for (int i = 0; i < 60; ++i) {
    size_t n = i == 30 ? kWalBuffers * kWalPageSize + 5000 : 50 + static_cast<size_t>(i) * 37;
    written.push_back(Payload(n, i));
    end = Insert(written.back());
    bytes += AssembleRecord(RmgrId::kHeap, kHeapInsert, 1, {}, written.back()).size();
  }
  EXPECT_EQ(GetWalPositions().flush, FirstRecordLsn());
  ASSERT_TRUE(XLogFlush(end).ok());
  WalPositions pos = GetWalPositions();
  EXPECT_GE(pos.flush, end);
  EXPECT_EQ(pos.write, pos.flush);
  EXPECT_EQ(fs::file_size(WalDir() / "000000010000000000000001"), kWalSegSize);
  std::string error;
  EXPECT_EQ(ReadAll(&error), written);
  EXPECT_EQ(error, fmt::format("invalid record length at {}: wanted 24, got 0", FormatLsn(WalAlign(end))));
  WalStats st = GetWalStats();
  EXPECT_EQ(st.wal_records, 60u);
  EXPECT_EQ(st.wal_bytes, bytes);
  EXPECT_GT(st.wal_buffers_full, 0u);
  EXPECT_GT(st.wal_write, 0u);
  EXPECT_EQ(st.wal_sync, 1u);
  EXPECT_EQ(st.wal_fpi, 0u);
  // Nothing more to flush: no write, no sync.
  ASSERT_TRUE(XLogFlush(end).ok());
  EXPECT_EQ(GetWalStats().wal_sync, 1u);
  EXPECT_EQ(GetWalStats().wal_write, st.wal_write);
}

// Scenario: a full page image is counted, and a flush request beyond what
// was inserted is refused in PostgreSQL's words.
TEST_F(XLogTest, FpiCountAndFlushBeyondInsert) {
  std::string page(kBlockSize, '\0');
  XLogBlockRef b;
  b.tag = {{1663, 5, 16384}, ForkNumber::kMain, 0};
  b.page = page.data();
  ASSERT_TRUE(XLogInsert(RmgrId::kXlog, kXlogFpi, 0, {&b, 1}, {}).ok());
  EXPECT_EQ(GetWalStats().wal_fpi, 1u);
  XLogRecPtr insert = GetWalPositions().insert;
  Status st = XLogFlush(insert + 1000);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message.rfind(fmt::format("xlog flush request {} is not satisfied", FormatLsn(insert + 1000)), 0),
            0u);
}

/* The image flag of the last record's block 0. */
bool LastRecordHasImage(const fs::path& wal_dir) {
  WalDirSource src(wal_dir);
  XLogReader reader(src, 42);
  bool image = false;
  for (const DecodedRecord* r = reader.ReadRecord(FirstRecordLsn()); r != nullptr; r = reader.ReadNext()) {
    image = !r->blocks.empty() && r->blocks[0].has_image;
  }
  return image;
}

// Scenario: the full page image is decided by XLogInsert from the page's
// old LSN and the redo point: none for a page changed since, one for a page
// not changed since.
TEST_F(XLogTest, ImageWhenPageUnchangedSinceRedoPoint) {
  XLogRecPtr changed = Insert("a change to the page");
  std::string page(kBlockSize, '\0');  // XLogInsert reads its LSN from page_lsn
  XLogBlockRef b;
  b.tag = {{1663, 5, 16384}, ForkNumber::kMain, 0};
  b.page_if_needed = page.data();
  b.page_lsn = changed;
  ASSERT_TRUE(XLogInsert(RmgrId::kHeap, kHeapInsert, 1, {&b, 1}, "no image").ok());
  ASSERT_TRUE(XLogFlush(GetWalPositions().insert).ok());
  EXPECT_FALSE(LastRecordHasImage(WalDir()));
  ASSERT_TRUE(XLogBeginCheckpoint().ok());
  ASSERT_TRUE(XLogInsert(RmgrId::kHeap, kHeapInsert, 1, {&b, 1}, "image").ok());
  ASSERT_TRUE(XLogFlush(GetWalPositions().insert).ok());
  EXPECT_TRUE(LastRecordHasImage(WalDir()));
  EXPECT_EQ(GetWalStats().wal_fpi, 1u);
}

// Scenario: a checkpoint sets its redo point after an inserter decided "no
// image" but before it got the insert lock: the inserter sees the new redo
// point under the lock and assembles the record again, with the image (a
// record without it would leave a torn write of that page unrepairable).
TEST_F(XLogTest, CheckpointBetweenAssemblyAndInsertAddsImage) {
  XLogRecPtr changed = Insert("a change to the page");
  shmem::LWLock* insert_lock = XLogInsertLock();
  shmem::LWLockAcquire(insert_lock, shmem::LWLockMode::kExclusive);
  pid_t child = test_util::SpawnChild([changed] {
    std::string page(kBlockSize, '\0');  // XLogInsert reads its LSN from page_lsn
    XLogBlockRef b;
    b.tag = {{1663, 5, 16384}, ForkNumber::kMain, 0};
    b.page_if_needed = page.data();
    b.page_lsn = changed;
    auto end = XLogInsert(RmgrId::kHeap, kHeapInsert, 1, {&b, 1}, "raced");
    return end.ok() && XLogFlush(*end).ok() ? 0 : 1;
  });
  // The child has assembled its record (no image: the redo point is 0) once
  // it sleeps on the insert lock (the lock word's waiters bit, lwlock.h).
  for (int i = 0; i < 10000 && (insert_lock->state.load() & (1u << 30)) == 0; ++i) usleep(1000);
  ASSERT_NE(insert_lock->state.load() & (1u << 30), 0u) << "the child never waited for the insert lock";
  // What XLogBeginCheckpoint does under the lock, which we hold: the redo
  // point moves to (at least) the page's LSN.
  XLogSetRedoPtr(changed);
  shmem::LWLockRelease(insert_lock);
  ASSERT_EQ(test_util::ChildExitCode(child), 0);
  EXPECT_TRUE(LastRecordHasImage(WalDir())) << "the record carries the page's image";
  EXPECT_EQ(XLogRecordsReassembled(), 1u);
}

// Scenario: a checkpoint that set its redo point while a committer was
// between its commit record and pg_xact waits for that committer
// (DelayCheckpointStart), and goes on as soon as it lets go.
TEST_F(XLogTest, CheckpointWaitsForDelayingCommitter) {
  TestArea* a = area_;
  pid_t holder = test_util::SpawnChild([a] {
    DelayCheckpointStart delay;
    a->holding.store(1);
    while (a->release.load() == 0) usleep(1000);
    return 0;
  });
  while (a->holding.load() == 0) usleep(1000);
  pid_t checkpointer = test_util::SpawnChild([a] {
    XLogWaitForDelayingCommitters();
    a->waited.store(1);
    return 0;
  });
  usleep(300'000);
  EXPECT_EQ(a->waited.load(), 0) << "the checkpoint went on while a commit was half done";
  a->release.store(1);
  EXPECT_EQ(test_util::ChildExitCode(holder), 0);
  EXPECT_EQ(test_util::ChildExitCode(checkpointer), 0);
  EXPECT_EQ(a->waited.load(), 1);
  // With nobody holding one, the wait returns at once.
  XLogWaitForDelayingCommitters();
}

// Scenario: the WAL writer's step flushes what was inserted, then finds nothing.
TEST_F(XLogTest, BackgroundFlush) {
  XLogRecPtr end = Insert("async commit");
  auto did = XLogBackgroundFlush();
  ASSERT_TRUE(did.ok());
  EXPECT_TRUE(*did);
  EXPECT_GE(GetWalPositions().flush, end);
  did = XLogBackgroundFlush();
  ASSERT_TRUE(did.ok());
  EXPECT_FALSE(*did);
}

std::vector<WalInsertEvent> g_inserts;
std::vector<WalFlushEvent> g_flushes;

// Scenario: the hooks hear of each insert (with its place and type) and of
// each flush that wrote something, not of one that found nothing to do.
TEST_F(XLogTest, HooksHearInsertsAndFlushes) {
  g_inserts.clear();
  g_flushes.clear();
  SetWalHooks({[](const WalInsertEvent& e) { g_inserts.push_back(e); },
               [](const WalFlushEvent& e) { g_flushes.push_back(e); }});
  auto end = XLogInsert(RmgrId::kTransaction, kXactCommit, 7, {}, EncodePayload(XactRecord{1}));
  ASSERT_TRUE(end.ok());
  ASSERT_TRUE(XLogFlush(*end).ok());
  ASSERT_TRUE(XLogFlush(*end).ok());
  SetWalHooks({});
  ASSERT_EQ(g_inserts.size(), 1u);
  EXPECT_EQ(g_inserts[0].lsn, FirstRecordLsn());
  EXPECT_EQ(g_inserts[0].end_lsn, *end);
  EXPECT_EQ(IdentifyRecord(g_inserts[0].rmid, g_inserts[0].info), "COMMIT");
  EXPECT_EQ(g_inserts[0].xid, 7u);
  EXPECT_FALSE(g_inserts[0].fpi);
  ASSERT_EQ(g_flushes.size(), 1u);
  EXPECT_EQ(g_flushes[0].upto, WalAlign(*end));  // all inserted WAL, padding included
  EXPECT_TRUE(g_flushes[0].synced);
}

// Scenario: without the area, or before XLogStartup, nothing is inserted.
TEST_F(XLogTest, RefusesBeforeStartup) {
  shmem::DestroySharedMemory();
  ASSERT_TRUE(shmem::CreateSharedMemory(8, 2, {WalShmemRequest(4)}).ok());
  auto r = XLogInsert(RmgrId::kHeap, kHeapInsert, 1, {}, "x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "the WAL has not been started (XLogStartup)");
  shmem::DestroySharedMemory();
  Status st = XLogFlush(100);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message, "the WAL shared memory area does not exist");
}

// Scenario: WAL that cannot be written (here pg_wal is a file, not a
// directory) is a PANIC, for a flush and for an insert that must write out
// full buffers; after the failed insert no process inserts again.
TEST_F(XLogTest, WriteFailureIsPanic) {
  fs::path not_a_dir = dir_.path() / "not_a_dir";
  std::ofstream(not_a_dir) << "x";
  shmem::DestroySharedMemory();
  ASSERT_TRUE(shmem::CreateSharedMemory(8, 2, {WalShmemRequest(4)}).ok());
  ASSERT_TRUE(XLogStartup({not_a_dir, 42, true, 0, 0}).ok());
  XLogRecPtr end = Insert("small");
  Status st = XLogFlush(end);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().severity, Severity::kPanic);
  EXPECT_EQ(st.error().message.rfind("could not open file", 0), 0u) << st.error().message;
  auto r = XLogInsert(RmgrId::kHeap, kHeapInsert, 1, {}, Payload(5 * kWalPageSize, 0));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().severity, Severity::kPanic);
  r = XLogInsert(RmgrId::kHeap, kHeapInsert, 1, {}, "after");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "the WAL has not been started (XLogStartup)");
}

// Scenario: fsync = off writes but never syncs.
TEST_F(XLogTest, FsyncOffSkipsSync) {
  Start(false);
  XLogRecPtr end = Insert("x");
  ASSERT_TRUE(XLogFlush(end).ok());
  EXPECT_EQ(GetWalStats().wal_sync, 0u);
  EXPECT_GT(GetWalStats().wal_write, 0u);
  EXPECT_EQ(ReadAll().size(), 1u);
}

// Scenario: a SWITCH sends the next record to a new, zero-filled segment;
// a record that starts near a segment's end continues in the next file.
TEST_F(XLogTest, SegmentsSwitchAndCross) {
  Insert("first");
  auto sw = XLogInsert(RmgrId::kXlog, kXlogSwitch, 0, {}, {});
  ASSERT_TRUE(sw.ok());
  EXPECT_EQ(*sw, SegStart(2));
  XLogRecPtr end = Insert("second");
  EXPECT_EQ(GetWalPositions().prev_record, SegStart(2) + kLongPageHeaderSize);
  ASSERT_TRUE(XLogFlush(end).ok());
  EXPECT_EQ(fs::file_size(WalDir() / "000000010000000000000002"), kWalSegSize);
  auto read = ReadAll();
  ASSERT_EQ(read.size(), 3u);
  EXPECT_EQ(read[2], "second");

  // Crossing: start a cluster 200 bytes before segment 3's start.
  TempDir other;
  fs::create_directories(other.path() / "pg_wal");
  shmem::DestroySharedMemory();
  ASSERT_TRUE(shmem::CreateSharedMemory(8, 2, {WalShmemRequest(kWalBuffers)}).ok());
  XLogRecPtr start = SegStart(3) - 200;
  ASSERT_TRUE(XLogStartup({other.path() / "pg_wal", 42, true, start, 0}).ok());
  std::string big = Payload(3000, 1);
  ASSERT_TRUE(XLogFlush(Insert(big)).ok());
  WalDirSource src(other.path() / "pg_wal");
  XLogReader reader(src, 42);
  const DecodedRecord* r = reader.ReadRecord(start);
  ASSERT_NE(r, nullptr) << reader.error();
  EXPECT_EQ(r->main_data, big);
  EXPECT_EQ(LsnToSeg(r->end_lsn), 3u);
}

// Scenario: several forked processes insert at once; the WAL holds every
// record exactly once, in LSN order with a correct prev chain, and each
// process's records in the order it inserted them.
TEST_F(XLogTest, ConcurrentInsertersReadBack) {
  constexpr int kProcs = 4, kEach = 300;
  std::vector<pid_t> pids;
  for (int p = 0; p < kProcs; ++p) {
    pids.push_back(minipg::test_util::SpawnChild([p] {
      XLogRecPtr end = 0;
      for (int i = 0; i < kEach; ++i) {
        std::string main = fmt::format("{}:{}:", p, i) + Payload(static_cast<size_t>((i * 131 + p * 17) % 900), i);
        auto r = XLogInsert(RmgrId::kHeap, kHeapInsert, static_cast<TransactionId>(p + 1), {}, main);
        if (!r.ok()) return 1;
        end = *r;
        if (i % 50 == 0 && !XLogFlush(end).ok()) return 2;
      }
      return XLogFlush(end).ok() ? 0 : 3;
    }));
  }
  for (pid_t pid : pids) EXPECT_EQ(minipg::test_util::ChildExitCode(pid), 0);
  auto read = ReadAll();
  ASSERT_EQ(read.size(), static_cast<size_t>(kProcs * kEach));
  std::map<int, int> next;
  for (const std::string& m : read) {
    int p = 0, i = 0;
    ASSERT_EQ(std::sscanf(m.c_str(), "%d:%d:", &p, &i), 2) << m;
    EXPECT_EQ(i, next[p]) << "process " << p;
    next[p] = i + 1;
  }
  EXPECT_EQ(GetWalStats().wal_records, static_cast<uint64_t>(kProcs * kEach));
}

// Scenario: group commit. While this process holds the WALWrite lock,
// several forked committers insert a commit record and ask to flush it;
// when the lock is released, one fdatasync covers them all.
TEST_F(XLogTest, ConcurrentCommittersShareOneSync) {
  constexpr int kCommitters = 5;
  uint64_t syncs_before = GetWalStats().wal_sync;
  shmem::LWLockAcquire(XLogWriteLock(), shmem::LWLockMode::kExclusive);
  std::vector<pid_t> pids;
  for (int c = 0; c < kCommitters; ++c) {
    pids.push_back(minipg::test_util::SpawnChild([this, c] {
      auto end = XLogInsert(RmgrId::kTransaction, kXactCommit, static_cast<TransactionId>(100 + c), {},
                            EncodePayload(XactRecord{c}));
      if (!end.ok()) return 1;
      area_->inserted.fetch_add(1);
      if (!XLogFlush(*end).ok()) return 2;
      return GetWalPositions().flush >= *end ? 0 : 3;
    }));
  }
  while (area_->inserted.load() < kCommitters) usleep(1000);
  shmem::LWLockRelease(XLogWriteLock());
  for (pid_t pid : pids) EXPECT_EQ(minipg::test_util::ChildExitCode(pid), 0);
  EXPECT_EQ(GetWalStats().wal_sync - syncs_before, 1u);
  EXPECT_EQ(ReadAll().size(), static_cast<size_t>(kCommitters));
}

// Scenario: the last record is torn (its second half never reached the
// disk); reading ends cleanly before it, and a restart from the end of
// valid WAL appends after the records that survived, keeping them.
TEST_F(XLogTest, TornTailThenRestart) {
  Insert("one");
  Insert("two");
  XLogRecPtr last_end = Insert(Payload(500, 3));
  ASSERT_TRUE(XLogFlush(last_end).ok());
  XLogRecPtr torn = GetWalPositions().prev_record;
  {
    std::fstream f(WalDir() / "000000010000000000000001", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(LsnSegOffset(torn) + 250));
    std::string zeros(250, '\0');
    f.write(zeros.data(), static_cast<std::streamsize>(zeros.size()));
  }
  std::string error;
  XLogRecPtr last_valid = 0;
  EXPECT_EQ(ReadAll(&error, &last_valid), (std::vector<std::string>{"one", "two"}));
  EXPECT_EQ(error, fmt::format("incorrect resource manager data checksum in record at {}", FormatLsn(torn)));

  // Restart at the end of valid WAL: the torn record's place is reused.
  Start(true, torn, last_valid);
  ASSERT_TRUE(XLogFlush(Insert("three")).ok());
  EXPECT_EQ(ReadAll(), (std::vector<std::string>{"one", "two", "three"}));
}

// Scenario: after a checkpoint, segments before the redo point's go: some
// renamed to future names (recycled), the rest removed.
TEST_F(XLogTest, RemoveAndRecycleOldSegments) {
  for (SegNo s = 1; s <= 4; ++s) {
    auto fd = OpenOrCreateSegment(WalDir(), s, false);
    ASSERT_TRUE(fd.ok());
    close(*fd);
  }
  auto done = RemoveOldSegments(WalDir(), SegStart(4) + 100, SegStart(4) + 100, 2);
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->recycled, 2);
  EXPECT_EQ(done->removed, 1);
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(WalDir())) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"000000010000000000000004", "000000010000000000000005",
                                              "000000010000000000000006"}));
  EXPECT_EQ(fs::file_size(WalDir() / "000000010000000000000006"), kWalSegSize);
  // Nothing is older than the redo point now.
  done = RemoveOldSegments(WalDir(), SegStart(4) + 100, SegStart(4) + 100, 2);
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->recycled + done->removed, 0);
}

}  // namespace

namespace {

// Scenario: a checkpoint begins: the insert position becomes the redo
// point; a page last changed before it needs a full page image at its next
// change, a page changed after it does not; full_page_writes = off never does.
TEST_F(XLogTest, FullPageImageAfterTheRedoPoint) {
  XLogRecPtr before = Insert("changed before the checkpoint");
  auto redo = XLogBeginCheckpoint();
  ASSERT_TRUE(redo.ok());
  EXPECT_EQ(*redo, GetWalPositions().insert);
  EXPECT_EQ(GetRedoRecPtr(), *redo);
  XLogRecPtr after = Insert("changed after it");
  EXPECT_TRUE(XLogNeedsFullPageImage(before));
  EXPECT_TRUE(XLogNeedsFullPageImage(0)) << "a new page (LSN 0)";
  EXPECT_FALSE(XLogNeedsFullPageImage(after));

  WalStartup s{WalDir(), 42, true, GetWalPositions().insert, GetWalPositions().prev_record};
  s.redo_lsn = *redo;
  s.full_page_writes = false;
  ASSERT_TRUE(XLogStartup(s).ok());
  EXPECT_EQ(GetRedoRecPtr(), *redo) << "XLogStartup sets RedoRecPtr from the control file";
  EXPECT_FALSE(XLogNeedsFullPageImage(before));
}

}  // namespace
