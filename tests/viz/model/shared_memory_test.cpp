/*-------------------------------------------------------------------------
 * shared_memory_test.cpp
 *   The viewer's picture of shared memory (shared_memory.h) built from the
 *   storage events of a synthetic trace (data/storage.jsonl): a backend
 *   reading pages (hits, misses, an eviction of a dirty buffer and of a
 *   clean one), WAL inserts and flushes at commit, the background writer,
 *   the WAL writer and a checkpoint writing, then a crash and recovery.
 *   Also: the same picture at any replayed line (playback), bounded memory
 *   under a flood of buffer events, and anomalies for bad fields.
 *-------------------------------------------------------------------------
 */
#include "viz/model/shared_memory.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "viz/model/model.h"
#include "viz/model/playback.h"

namespace minipg::viz {
namespace {

constexpr int64_t kBackend = 200;

std::vector<std::string> ReadLines(const char* name) {
  std::ifstream in(fmt::format("{}/{}", MINIPG_VIZ_TEST_DATA, name));
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

/* The model after the first `n` lines of storage.jsonl (all: n = npos). */
Model ModelAt(size_t n = std::string::npos) {
  Model model;
  std::vector<std::string> lines = ReadLines("storage.jsonl");
  EXPECT_GT(lines.size(), 100u);
  for (size_t i = 0; i < lines.size() && i < n; ++i) model.ApplyLine(lines[i]);
  return model;
}

/* The 1-based number of the first line holding all of `needles`. */
size_t LineOf(std::initializer_list<std::string_view> needles) {
  std::vector<std::string> lines = ReadLines("storage.jsonl");
  for (size_t i = 0; i < lines.size(); ++i) {
    bool all = true;
    for (std::string_view n : needles) all &= lines[i].find(n) != std::string::npos;
    if (all) return i + 1;
  }
  ADD_FAILURE() << "no line with " << *needles.begin();
  return 0;
}

std::string Label(const Model& m, size_t buffer) {
  const BufferInfo* b = m.shared_memory().Buffer(buffer);
  if (b == nullptr || !b->Valid()) return "free";
  return fmt::format("{} blk {}{}",
                     m.shared_memory().relations()[static_cast<size_t>(b->rel)].relname, b->block,
                     b->dirty ? " dirty" : "");
}

// Scenario: the trace is read without a single anomaly (every field as documented).
TEST(SharedMemoryTest, TraceIsClean) {
  Model m = ModelAt();
  for (const Anomaly& a : m.anomalies())
    ADD_FAILURE() << AnomalyKindName(a.kind) << ": " << a.message;
  EXPECT_EQ(m.anomaly_count(), 0u);
}

// Scenario: just before the crash, each buffer holds the page the reads, evictions and
// writes left in it; clean where a writer wrote it, dirty where a change is not yet written.
TEST(SharedMemoryTest, BuffersBeforeTheCrash) {
  Model m = ModelAt(LineOf({"\"crash\""}) - 2);  // before the killed backend's child_exit
  const SharedMemory& s = m.shared_memory();
  EXPECT_TRUE(s.layout_seen());
  EXPECT_EQ(s.nbuffers(), 16u);
  EXPECT_EQ(s.wal_buffers(), 4);
  EXPECT_EQ(Label(m, 0), "orders blk 0");  // evicted items 0 (dirty), then the checkpoint wrote it
  EXPECT_EQ(Label(m, 1), "big blk 0");     // dirtied by the UPDATE, written by the bgwriter
  EXPECT_EQ(Label(m, 2), "items blk 0");   // big 1 evicted (clean), items 0 read again
  EXPECT_EQ(Label(m, 3), "big blk 2");
  EXPECT_EQ(Label(m, 14), "big blk 13");
  EXPECT_EQ(Label(m, 15), "items blk 1 dirty");  // changed after the checkpoint
  EXPECT_EQ(s.evictions(), 2);
  EXPECT_EQ(s.reads(), 26);
  EXPECT_EQ(s.reads() - s.hits(), 18);  // misses: 1 + 14 + 1 + 2
  EXPECT_EQ(s.Buffer(1)->last_io, BufferIo::kWrite);
  EXPECT_EQ(s.Buffer(1)->last_io_pid, 103);  // the background writer
  EXPECT_EQ(s.Buffer(0)->last_io_pid, 102);  // the checkpointer
  EXPECT_EQ(s.relations().size(), 3u);
  EXPECT_EQ(s.RelationLabel(s.Buffer(0)->rel), "orders (1663/5/16386)");
  // The uncommitted INSERT of the last query holds its page.
  EXPECT_EQ(s.Buffer(15)->pinned_by, kBackend);
  EXPECT_EQ(s.ShownAt(15, m.last_ts()), BufferShown::kPinned);
  EXPECT_EQ(s.ShownAt(2, m.last_ts()), BufferShown::kClean);
  EXPECT_EQ(s.ShownAt(9, m.last_ts()), BufferShown::kClean);
  EXPECT_EQ(s.ShownAt(200, m.last_ts()), BufferShown::kFree);  // past the seen buffers
}

// Scenario: a miss shows its buffer being read, and a write being written, for a moment of
// model time after the event; a statement's end releases the pin its scan held.
TEST(SharedMemoryTest, IoFlashesAndPins) {
  size_t ckpt_write = LineOf({"buffer_write", "checkpointer"});
  Model m = ModelAt(ckpt_write);
  const SharedMemory& s = m.shared_memory();
  EXPECT_EQ(s.ShownAt(0, m.last_ts()), BufferShown::kWriting);
  EXPECT_EQ(s.ShownAt(0, m.last_ts() + kBufferIoShownUs), BufferShown::kClean);
  auto writers = s.WritersAt(m.last_ts());
  auto ckpt = std::find_if(writers.begin(), writers.end(),
                           [](const WriterActivity& w) { return w.pid == 102; });
  ASSERT_NE(ckpt, writers.end());
  EXPECT_EQ(ckpt->by, "checkpointer");
  EXPECT_EQ(ckpt->buffers, 1);
  EXPECT_FALSE(ckpt->wal);
  Model flushed = ModelAt(ckpt_write + 2);  // then it logs the checkpoint and flushes the WAL
  auto both = flushed.shared_memory().WritersAt(flushed.last_ts());
  auto c2 =
      std::find_if(both.begin(), both.end(), [](const WriterActivity& w) { return w.pid == 102; });
  ASSERT_NE(c2, both.end());
  EXPECT_TRUE(c2->wal);
  EXPECT_EQ(c2->buffers, 1);
  EXPECT_TRUE(s.WritersAt(m.last_ts() + 10'000'000).empty());  // long quiet: nobody is writing
  EXPECT_TRUE(s.checkpoint().running);

  Model q = ModelAt(
      LineOf({"\"buffer\":15", "\"hit\":false"}));  // items 1 read into the last free buffer
  EXPECT_EQ(q.shared_memory().ShownAt(15, q.last_ts()), BufferShown::kReading);
  EXPECT_EQ(q.shared_memory().Buffer(15)->pinned_by, kBackend);
  EXPECT_EQ(q.shared_memory().Buffer(0)->pinned_by, 0);  // the pin moved to the new page
  Model done = ModelAt(LineOf({"query_done", "SELECT 2"}));
  EXPECT_EQ(done.shared_memory().Buffer(15)->pinned_by, 0);
}

// Scenario: the WAL's insert and flush positions follow wal_insert and wal_flush; an
// asynchronous commit leaves the flush behind until the WAL writer catches up; the
// checkpoint moves the redo point.
TEST(SharedMemoryTest, WalPositions) {
  Model async = ModelAt(LineOf({"wal_flush", "walwriter"}) - 1);
  const WalState& w = async.shared_memory().wal();
  EXPECT_GT(w.insert_lsn, w.flush_lsn);  // the async commit's records are not yet flushed
  EXPECT_EQ(w.flush_by, "backend");
  EXPECT_EQ(w.redo_lsn, 0u);  // no checkpoint yet

  Model flushed = ModelAt(LineOf({"wal_flush", "walwriter"}));
  EXPECT_EQ(flushed.shared_memory().wal().flush_lsn, flushed.shared_memory().wal().insert_lsn);
  EXPECT_EQ(flushed.shared_memory().wal().flush_by, "walwriter");
  EXPECT_EQ(flushed.shared_memory().wal().flush_pid, 104);

  Model after = ModelAt(LineOf({"checkpoint_done"}));
  const SharedMemory& s = after.shared_memory();
  EXPECT_EQ(s.wal().redo_lsn, 0x10061D8u);
  EXPECT_FALSE(s.checkpoint().running);
  EXPECT_EQ(s.checkpoint().buffers_written, 1);
  EXPECT_EQ(s.checkpoint().count, 1);
  EXPECT_EQ(s.wal().recent.back().record, "CHECKPOINT_ONLINE");
  EXPECT_EQ(FormatLsnValue(s.wal().insert_lsn), FormatLsnValue(s.wal().flush_lsn));
  EXPECT_EQ(s.wal().inserts, 8);
}

// Scenario: the Query view's list: each page the query read, in order, hit or miss.
TEST(SharedMemoryTest, PagesOfAQuery) {
  // Just after the join's query_done (its last read is the hit on orders block 0).
  Model join = ModelAt(LineOf({"\"relname\":\"orders\"", "\"hit\":true"}) + 2);
  const QueryTrace& t = join.FindProcess(kBackend)->query;
  EXPECT_EQ(t.text, "SELECT * FROM items, orders;");
  ASSERT_EQ(t.pages.size(), 4u);
  EXPECT_EQ(t.pages[0].relation, "items (1663/5/16384)");
  EXPECT_EQ(t.pages[0].block, 1);
  EXPECT_TRUE(t.pages[0].hit);
  EXPECT_EQ(t.pages[1].relation, "orders (1663/5/16386)");
  EXPECT_FALSE(t.pages[1].hit);
  EXPECT_EQ(t.pages[1].buffer, 0);
  EXPECT_FALSE(t.pages[2].hit);
  EXPECT_EQ(t.pages[2].buffer, 2);
  EXPECT_TRUE(t.pages[3].hit);
  EXPECT_EQ(t.page_hits, 2);
  EXPECT_EQ(t.page_misses, 2);
  EXPECT_EQ(t.pages[1].fork, "main");
  // The next query starts its own list; a query that reads no page has none.
  Model ckpt = ModelAt(LineOf({"checkpoint_done"}));
  const QueryTrace& c = ckpt.FindProcess(kBackend)->query;
  EXPECT_EQ(c.text, "CHECKPOINT;");
  EXPECT_TRUE(c.pages.empty());
  EXPECT_EQ(c.page_hits + c.page_misses, 0);
}

// Scenario: the crash makes shared memory untrustworthy (lost, the unflushed WAL tail gone);
// the next segment starts with every buffer free; the startup process replays from the redo point.
TEST(SharedMemoryTest, CrashAndRecovery) {
  Model lost = ModelAt(LineOf({"crash recovery"}));
  EXPECT_TRUE(lost.shared_memory().lost());
  EXPECT_EQ(lost.shared_memory().wal().insert_lsn, lost.shared_memory().wal().flush_lsn);
  EXPECT_EQ(lost.shared_memory().Buffer(15)->pinned_by, 0);

  Model replaying = ModelAt(LineOf({"recovery_progress"}));
  const SharedMemory& r = replaying.shared_memory();
  EXPECT_FALSE(r.lost());
  EXPECT_EQ(r.layouts(), 2);
  EXPECT_EQ(r.recovery().phase, RecoveryPhase::kRunning);
  EXPECT_EQ(r.recovery().reason, "crash");
  EXPECT_EQ(r.recovery().redo_lsn, 0x10061D8u);
  EXPECT_GT(r.recovery().lsn, r.recovery().redo_lsn);
  EXPECT_EQ(Label(replaying, 0), "items blk 1 dirty");  // replay changed it in the new pool
  EXPECT_EQ(Label(replaying, 2), "free");
  const Process* startup = replaying.FindProcess(r.recovery().pid);
  ASSERT_NE(startup, nullptr);
  EXPECT_EQ(startup->role, ProcessRole::kStartup);

  Model m = ModelAt();
  EXPECT_EQ(m.shared_memory().recovery().phase, RecoveryPhase::kDone);
  EXPECT_EQ(m.shared_memory().recovery().records, 3);
  EXPECT_EQ(FormatLsnValue(m.shared_memory().recovery().end_lsn), "0/10082B8");
  EXPECT_TRUE(m.FindProcess(105)->exited);
  EXPECT_FALSE(m.FindProcess(105)->crashed);
  EXPECT_EQ(m.FindProcess(113)->role, ProcessRole::kBgWriter);
  EXPECT_EQ(m.FindProcess(114)->role, ProcessRole::kWalWriter);
}

// Scenario: a replay at any line (from a playback checkpoint plus lines) shows the same
// shared memory as a model fed those lines from the start.
TEST(SharedMemoryTest, PlaybackMatchesFreshModel) {
  std::vector<std::string> lines = ReadLines("storage.jsonl");
  Playback pb(ModelOptions{}, /*checkpoint_every=*/9, /*lines_per_process=*/0);
  for (const std::string& line : lines) pb.Append(line);
  ASSERT_GT(pb.checkpoint_count(), 3u);
  for (size_t n : {size_t{40}, size_t{95}, size_t{120}, size_t{150}, size_t{60}}) {
    pb.SeekLine(n);
    Model fresh = ModelAt(n);
    const SharedMemory& a = pb.shown().shared_memory();
    const SharedMemory& b = fresh.shared_memory();
    ASSERT_EQ(a.buffers().size(), b.buffers().size()) << "line " << n;
    for (size_t i = 0; i < a.buffers().size(); ++i) {
      EXPECT_EQ(a.ShownAt(i, pb.shown().last_ts()), b.ShownAt(i, fresh.last_ts()))
          << "line " << n << " buffer " << i;
      EXPECT_EQ(Label(pb.shown(), i), Label(fresh, i)) << "line " << n << " buffer " << i;
    }
    EXPECT_EQ(a.wal().insert_lsn, b.wal().insert_lsn);
    EXPECT_EQ(a.wal().flush_lsn, b.wal().flush_lsn);
    EXPECT_EQ(a.wal().redo_lsn, b.wal().redo_lsn);
  }
}

std::string Line(std::string_view type, int64_t ts, int64_t pid, std::string_view extra) {
  return fmt::format(R"({{"type":"{}","ts":{},"pid":{},{}}})", type, ts, pid, extra);
}

// Scenario: a flood of buffer and WAL events (a long scan of many relations in one query)
// keeps memory bounded: relations, recent WAL records and a query's page list have caps.
TEST(SharedMemoryTest, BoundedUnderAFlood) {
  Model m;
  m.ApplyLine(Line("shmem_layout", 1, 1, R"("nbuffers":64,"wal_buffers":4)"));
  m.ApplyLine(Line("query_start", 2, 7, R"("text":"SELECT * FROM everything")"));
  int64_t ts = 3;
  for (int i = 0; i < 20000; ++i) {
    m.ApplyLine(
        Line("buffer_read", ts++, 7,
             fmt::format(R"("rel":"1663/5/{}","fork":"main","block":{},"buffer":{},"hit":{})",
                         20000 + i, i, i % 64, i % 3 == 0 ? "true" : "false")));
    m.ApplyLine(Line(
        "wal_insert", ts++, 7,
        fmt::format(
            R"("lsn":"0/{:X}","end_lsn":"0/{:X}","rmgr":"Heap","record":"INSERT","len":40,"xid":9)",
            0x1000000 + 40 * i, 0x1000000 + 40 * (i + 1))));
  }
  const SharedMemory& s = m.shared_memory();
  EXPECT_EQ(s.buffers().size(), 64u);
  EXPECT_LE(s.relations().size(), kMaxRelations);
  EXPECT_EQ(s.wal().recent.size(), kMaxWalRecords);
  EXPECT_EQ(s.wal().inserts, 20000);
  const QueryTrace& t = m.FindProcess(7)->query;
  EXPECT_EQ(t.pages.size(), kMaxPageReads);
  EXPECT_EQ(t.pages_dropped, 20000 - kMaxPageReads);
  EXPECT_EQ(t.page_hits + t.page_misses, 20000);
}

// Scenario: what cannot be right is an anomaly, not a crash or a silently grown pool.
TEST(SharedMemoryTest, BadFields) {
  Model m;
  m.ApplyLine(Line("shmem_layout", 1, 1, R"("nbuffers":4,"wal_buffers":4)"));
  m.ApplyLine(Line("buffer_read", 2, 1, R"("rel":"1663/5/1","block":0,"hit":false)"));
  m.ApplyLine(Line("buffer_read", 3, 1, R"("rel":"1663/5/1","block":0,"buffer":4,"hit":false)"));
  m.ApplyLine(Line("wal_insert", 4, 1, R"("lsn":"bogus","end_lsn":"0/10")"));
  m.ApplyLine(Line("wal_flush", 5, 1, R"("upto":17)"));
  EXPECT_EQ(m.AnomalyCount(AnomalyKind::kBadField), 4u);
  EXPECT_TRUE(m.shared_memory().buffers().empty());
  EXPECT_FALSE(m.shared_memory().wal().known);
}

}  // namespace
}  // namespace minipg::viz
