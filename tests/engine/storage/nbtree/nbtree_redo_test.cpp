/*-------------------------------------------------------------------------
 * nbtree_redo_test.cpp
 *   Recovery of B-tree indexes at the unit level: a table and its index
 *   get rows in committed transactions with a small buffer pool (pages
 *   written at random moments as buffers are reused), then shared memory
 *   goes away without a checkpoint (as a kill -9 of the server leaves the
 *   files). Replaying the WAL with the startup process's redo functions
 *   gives an index equal to the heap: one entry per visible row, at its
 *   TID, in key order, the invariants holding. Also: replaying twice
 *   changes nothing, a torn index page comes back from its full page
 *   image, minipg_waldump describes the records, and VACUUM's bulk
 *   delete (Btree VACUUM records) replays to the same index. And every
 *   logged change of a table or index page marks the page dirty before
 *   its record is inserted.
 *-------------------------------------------------------------------------
 */
#include "tests/engine/storage/nbtree/nbtree_test_util.h"

#include <fstream>
#include <functional>
#include <map>
#include <random>

#include "engine/storage/wal/wal_records.h"

namespace minipg::storage::nbtree {
namespace {

class BtreeRedoTest : public BtreeTest {
 protected:
  void SetUp() override { Start(/*wal=*/true, /*nbuffers=*/24); }

  /* Replays every record as the startup process does: the Heap,
   * Transaction, Storage and Btree rmgrs' redo, and XLOG FPI records (a
   * built index's pages) restored as the XLOG rmgr's redo restores them. */
  int ReplayAll() {
    RegisterRedoFunctions();
    RegisterBtreeRedo();
    wal::WalDirSource src(dir_.path() / "pg_wal");
    wal::XLogReader reader(src, kTestSystemId);
    int n = 0;
    for (const wal::DecodedRecord* r = reader.ReadRecord(wal::FirstRecordLsn()); r != nullptr; r = reader.ReadNext()) {
      Status s = OkStatus();
      if (r->rmid() == wal::RmgrId::kXlog && r->rmgr_info() == wal::kXlogFpi) {
        Buffer b = kInvalidBuffer;
        auto action = RedoReadBuffer(*r, 0, &b);
        if (action.ok() && *action == RedoAction::kRestored) {
          UnlockBuffer(b);
          ReleaseBuffer(b);
        }
        if (!action.ok()) s = action.error();
      } else if (const wal::RmgrData* rmgr = wal::GetRmgr(r->header.rmid); rmgr != nullptr && rmgr->redo != nullptr) {
        s = rmgr->redo(*r);
      } else {
        continue;
      }
      EXPECT_TRUE(s.ok()) << wal::FormatWaldumpLine(*r) << ": " << (s.ok() ? "" : s.error().message);
      ++n;
    }
    return n;
  }

  /* The visible rows' TIDs by id, from one scan. */
  static std::map<int64_t, ItemPointer> HeapTids() {
    std::map<int64_t, ItemPointer> tids;
    HeapTableScan scan(kRel, Columns());
    EXPECT_TRUE(scan.Open().ok());
    for (;;) {
      auto row = scan.Next();
      if (!row.ok() || !row->has_value()) break;
      tids[std::get<int64_t>((**row)[0])] = scan.last_tid();
    }
    return tids;
  }

  /* Adds rows `ids` to the table and the index, as an INSERT will. */
  void InsertRows(const BtreeIndex& index, const std::vector<int64_t>& ids) {
    for (int64_t id : ids) {
      ASSERT_TRUE(HeapInsert(kRel, Columns(), {Row(id)}).ok());
    }
    std::map<int64_t, ItemPointer> tids = HeapTids();
    for (int64_t id : ids) {
      auto live = [](ItemPointer tid) { return HeapTupleDirtyAt(kRel, tid); };
      Status s = BtreeInsert(index, {Datum(id)}, tids.at(id), live);
      ASSERT_TRUE(s.ok()) << s.error().message;
    }
  }

  /* The index holds exactly the table's rows: (id, TID) in id order. */
  void ExpectIndexEqualsHeap(const BtreeIndex& index) {
    std::vector<std::pair<int64_t, ItemPointer>> heap;
    HeapTableScan scan(kRel, Columns());
    ASSERT_TRUE(scan.Open().ok());
    for (;;) {
      auto row = scan.Next();
      ASSERT_TRUE(row.ok());
      if (!row->has_value()) break;
      heap.emplace_back(std::get<int64_t>((**row)[0]), scan.last_tid());
    }
    std::sort(heap.begin(), heap.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<std::pair<int64_t, ItemPointer>> indexed;
    for (auto& [key, tid] : Collect(index, {})) {
      // A rolled-back row's entry stays in the index (as in PostgreSQL, until VACUUM): the heap decides.
      auto visible = HeapTupleVisibleAt(kRel, tid);
      if (visible.ok() && *visible) indexed.emplace_back(std::get<int64_t>(key[0]), tid);
    }
    EXPECT_EQ(indexed.size(), heap.size());
    EXPECT_TRUE(indexed == heap);
  }
};

// Scenario: 20,000 rows in random id order, committed in batches, one
// batch rolled back, the index built over the first batch then kept by
// inserts; no checkpoint, shared memory dropped. Redo from the start
// rebuilds an index whose visible entries are exactly the table's rows.
TEST_F(BtreeRedoTest, RecoveryGivesIndexEqualToHeap) {
  BtreeIndex index = IntIndex(/*unique=*/true);
  ASSERT_TRUE(HeapCreateRelation(kRel).ok());
  std::vector<int64_t> ids(20000);
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<int64_t>(i);
  std::shuffle(ids.begin(), ids.end(), std::mt19937(19));
  std::vector<int64_t> first(ids.begin(), ids.begin() + 3000);
  for (int64_t id : first) ASSERT_TRUE(HeapInsert(kRel, Columns(), {Row(id)}).ok());
  ASSERT_TRUE(CommitTransaction().ok());
  ASSERT_TRUE(HeapCreateRelation(index.rel).ok());  // CREATE INDEX: the file, then the build
  std::vector<BtBuildEntry> entries;
  std::map<int64_t, ItemPointer> tids = HeapTids();
  for (int64_t id : first) entries.push_back({{Datum(id)}, tids.at(id)});
  ASSERT_TRUE(BtreeBuild(index, entries).ok());
  ASSERT_TRUE(CommitTransaction().ok());
  for (size_t from = 3000; from < ids.size(); from += 4250) {
    std::vector<int64_t> batch(ids.begin() + from, ids.begin() + std::min(ids.size(), from + 4250));
    InsertRows(index, batch);
    if (from == 7250) {
      ASSERT_TRUE(AbortTransaction().ok());
    } else {
      ASSERT_TRUE(CommitTransaction().ok());
    }
  }
  uint64_t entries_before = CheckTree(index);
  EXPECT_EQ(entries_before, 20000u);
  Stop();  // no checkpoint: only what the small pool had to write is on disk

  Start(/*wal=*/false, /*nbuffers=*/24);
  EXPECT_GT(ReplayAll(), 20000);
  EXPECT_EQ(CheckTree(index), entries_before);
  ExpectIndexEqualsHeap(index);
  ASSERT_TRUE(FlushAllDirty().ok());
  std::string once = FileBytes("base/5/16390");
  ReplayAll();  // again: every page is already as new as each record
  ASSERT_TRUE(FlushAllDirty().ok());
  EXPECT_EQ(FileBytes("base/5/16390"), once);
}

// Scenario: after a "checkpoint" (redo point), the next change of each
// index page logs its full image; a leaf then torn on disk fails its
// checksum, and redo from the redo point restores it: every key is back.
TEST_F(BtreeRedoTest, TornIndexPageRestoredByFullPageImage) {
  BtreeIndex index = IntIndex();
  ASSERT_TRUE(HeapCreateRelation(kRel).ok());
  CreateEmpty(index);
  std::vector<int64_t> ids;
  for (int64_t i = 0; i < 2000; ++i) ids.push_back(i);
  InsertRows(index, ids);
  ASSERT_TRUE(CommitTransaction().ok());
  ASSERT_TRUE(FlushAllDirty().ok());
  ASSERT_TRUE(CheckPointTransam().ok());
  XLogRecPtr redo = wal::GetWalPositions().insert;
  wal::XLogSetRedoPtr(redo);
  uint64_t fpi_before = wal::GetWalStats().wal_fpi;
  InsertRows(index, {2000, 2001});
  ASSERT_TRUE(CommitTransaction().ok());
  EXPECT_GT(wal::GetWalStats().wal_fpi, fpi_before);
  ASSERT_TRUE(FlushAllDirty().ok());
  Stop();

  auto nblocks_path = dir_.path() / "base/5/16390";
  {
    std::fstream f(nblocks_path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(0, std::ios::end);
    auto size = static_cast<size_t>(f.tellg());
    size_t last = size / kBlockSize - 1;  // the rightmost leaf got 2000 and 2001
    f.seekp(static_cast<std::streamoff>(last * kBlockSize + kBlockSize / 2));
    std::string garbage(kBlockSize / 2, '\x5A');
    f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  Start(/*wal=*/false, /*nbuffers=*/24);
  EXPECT_FALSE(BtreeCheck(index).ok());  // the torn page fails its checksum
  RegisterRedoFunctions();
  RegisterBtreeRedo();
  wal::WalDirSource src(dir_.path() / "pg_wal");
  wal::XLogReader reader(src, kTestSystemId);
  for (const wal::DecodedRecord* r = reader.ReadRecord(redo); r != nullptr; r = reader.ReadNext()) {
    const wal::RmgrData* rmgr = wal::GetRmgr(r->header.rmid);
    if (rmgr == nullptr || rmgr->redo == nullptr) continue;
    ASSERT_TRUE(rmgr->redo(*r).ok()) << wal::FormatWaldumpLine(*r);
  }
  EXPECT_EQ(CheckTree(index), 2002u);
  EXPECT_EQ(Collect(index, {{0, BtStrategy::kGreaterEqual, Datum(int64_t{1990})}}).size(), 12u);
}

// Scenario: minipg_waldump's lines for a first root, leaf inserts, a leaf
// split and a new root read as pg_waldump's do.
TEST_F(BtreeRedoTest, WaldumpDescribesBtreeRecords) {
  BtreeIndex index = IntIndex();
  CreateEmpty(index);
  for (uint32_t i = 0; i < 1000; ++i) ASSERT_TRUE(BtreeInsert(index, {Datum(int64_t{i})}, FakeTid(i)).ok());
  ASSERT_TRUE(CommitTransaction().ok());
  wal::WalDirSource src(dir_.path() / "pg_wal");
  wal::XLogReader reader(src, kTestSystemId);
  std::vector<std::string> lines;
  for (const wal::DecodedRecord* r = reader.ReadRecord(wal::FirstRecordLsn()); r != nullptr; r = reader.ReadNext()) {
    if (r->rmid() == wal::RmgrId::kBtree) lines.push_back(wal::FormatWaldumpLine(*r));
  }
  auto has = [&lines](const std::string& part) {
    return std::any_of(lines.begin(), lines.end(), [&part](const std::string& l) { return l.find(part) != std::string::npos; });
  };
  EXPECT_TRUE(has("rmgr: Btree       len (rec/tot):")) << (lines.empty() ? "" : lines[0]);
  EXPECT_TRUE(has("desc: NEWROOT lev 0, blkref #0: rel 1663/5/16390 blk 1, blkref #1: rel 1663/5/16390 blk 0"));
  EXPECT_TRUE(has("desc: INSERT_LEAF off 1, blkref #0: rel 1663/5/16390 blk 1"));
  EXPECT_TRUE(has("desc: SPLIT_R level 0, firstrightoff "));
  EXPECT_TRUE(has("desc: NEWROOT lev 1, blkref #0: rel 1663/5/16390 blk 3"));
}

// Scenario: VACUUM's bulk delete removes every third entry (by heap TID),
// one Btree VACUUM record per leaf changed; the tree stays sound and a
// scan finds only the others. Redo of the WAL on lost files rebuilds the
// same index, byte for byte.
TEST_F(BtreeRedoTest, BulkDeleteAndItsRedo) {
  BtreeIndex index = IntIndex();
  CreateEmpty(index);
  for (uint32_t n = 0; n < 3000; ++n) {
    ASSERT_TRUE(BtreeInsert(index, {Datum(int64_t{n})}, FakeTid(n)).ok());
  }
  ASSERT_TRUE(CommitTransaction().ok());
  auto removed = BtreeBulkDelete(index, [](ItemPointer tid) { return (tid.block * 100 + tid.offset - 1) % 3 == 0; });
  ASSERT_TRUE(removed.ok()) << removed.error().message;
  EXPECT_EQ(removed->tuples_removed, 1000u);
  EXPECT_EQ(removed->num_index_tuples, 2000u);
  EXPECT_EQ(CheckTree(index), 2000u);
  auto rows = Collect(index, {});
  ASSERT_EQ(rows.size(), 2000u);
  for (const auto& [key, tid] : rows) EXPECT_NE(std::get<int64_t>(key[0]) % 3, 0);
  ASSERT_TRUE(FlushAllDirty().ok());
  std::string before = FileBytes("base/5/16390");
  Stop();

  std::filesystem::remove(dir_.path() / "base/5/16390");
  Start(/*wal=*/false, /*nbuffers=*/24);
  ReplayAll();
  EXPECT_EQ(CheckTree(index), 2000u);
  ASSERT_TRUE(FlushAllDirty().ok());
  EXPECT_EQ(FileBytes("base/5/16390"), before);
}

/* The order in which changed pages became dirty and records were
 * inserted, as the buffer and WAL hooks hear them. */
std::vector<std::string>* g_order = nullptr;

void HearDirty(const BufferEvent& e) {
  if (g_order != nullptr && e.kind == BufferEvent::Kind::kDirty && e.tag.fork == ForkNumber::kMain) {
    g_order->push_back("dirty " + std::to_string(e.tag.rel.rel_number) + "/" + std::to_string(e.tag.block));
  }
}
void HearInsert(const wal::WalInsertEvent& e) {
  if (g_order != nullptr) g_order->push_back(wal::IdentifyRecord(e.rmid, e.info));
}

// Scenario: a checkpoint takes its redo point, then writes the pages that
// are dirty. A change whose record lands just before the redo point must
// find its page dirty by then, or the checkpoint skips the page, redo
// after a crash starts past the change, and the change is lost (an
// UPDATE's old version without its xmax: two live versions of one row).
// So, each time from all pages clean, each kind of heap change and an
// index insert marks its page dirty before it logs itself.
TEST_F(BtreeTest, ChangedPagesAreDirtyBeforeTheirRecord) {
  BtreeIndex index = IntIndex();
  CreateEmpty(index);
  ASSERT_TRUE(HeapCreateRelation(kRel).ok());
  InsertIds(1, 5);
  ASSERT_TRUE(BtreeInsert(index, {Datum(int64_t{1})}, FakeTid(1)).ok());  // the root leaf made
  ASSERT_TRUE(CommitTransaction().ok());
  ScanIds();  // the hint bits set now, not by the changes below
  std::vector<std::string> order;
  g_order = &order;
  SetBufferEventHook(HearDirty);
  wal::SetWalHooks({HearInsert, nullptr});
  auto from_clean = [&](const std::function<void()>& change) {
    EXPECT_TRUE(FlushAllDirty().ok());
    order.clear();
    change();
    return order;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(from_clean([&] { InsertIds(5, 6); }), (V{"dirty 16384/0", "INSERT"}));
  EXPECT_EQ(from_clean([&] {
              HeapInsertState state;
              ASSERT_TRUE(HeapUpdate(kRel, Columns(), TidOf(2), Row(20), state, nullptr).ok());
              ASSERT_TRUE(HeapInsertFinish(kRel, state).ok());
            }),
            (V{"dirty 16384/0", "UPDATE"}));
  EXPECT_EQ(from_clean([&] { ASSERT_TRUE(HeapDelete(kRel, TidOf(3)).ok()); }), (V{"dirty 16384/0", "DELETE"}));
  EXPECT_EQ(from_clean([&] {
              TmFailure tm;
              Status s = HeapLockTuple(kRel, "t", TidOf(4), LockTupleMode::kExclusive, LockWaitPolicy::kError, &tm);
              ASSERT_TRUE(s.ok());
            }),
            (V{"dirty 16384/0", "LOCK"}));
  EXPECT_EQ(from_clean([&] { ASSERT_TRUE(BtreeInsert(index, {Datum(int64_t{7})}, FakeTid(7)).ok()); }),
            (V{"dirty 16390/1", "INSERT_LEAF"}));
  ASSERT_TRUE(CommitTransaction().ok());
  g_order = nullptr;
  SetBufferEventHook(nullptr);
  wal::SetWalHooks({});
}

}  // namespace
}  // namespace minipg::storage::nbtree
