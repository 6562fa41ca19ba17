/*-------------------------------------------------------------------------
 * heap_update_test.cpp
 *   HeapUpdate: the new version goes on the old page when it fits, else
 *   on another; the old version points at it (xmax, ctid) and the new one
 *   carries HEAP_UPDATED; ROLLBACK brings the old version back; the errors
 *   of simple_heap_update; and redo of the UPDATE records rebuilds the
 *   same pages byte for byte.
 *-------------------------------------------------------------------------
 */
#include "tests/engine/storage/heap/heap_test_util.h"

#include <algorithm>
#include <tuple>

namespace minipg::storage {
namespace {

constexpr RelFileLocator kTable{kDefaultTablespaceOid, 5, 16384};  // HeapTest's table

Status Update(ItemPointer old_tid, int64_t new_id, ItemPointer* new_tid = nullptr, size_t pad = 0) {
  HeapInsertState state;
  Tuple row = {Datum(new_id), Datum(std::string("row ") + std::to_string(new_id) + std::string(pad, 'x'))};
  Status s = HeapUpdate(kTable, {{"id", ColumnType::kInt4}, {"name", ColumnType::kText}}, old_tid, row,
                        state, new_tid);
  if (s.ok()) s = HeapInsertFinish(kTable, state);
  return s;
}

// Scenario: row 2 of 3 becomes row 20 on the same page: the transaction
// sees 1, 3, 20; the old tuple has xmax = its xid and ctid = the new TID,
// the new one HEAP_UPDATED; ROLLBACK shows 1, 2, 3 again; done again and
// committed, everyone sees 1, 3, 20.
TEST_F(HeapTest, UpdateOnSamePageChainsVersions) {
  ASSERT_TRUE(HeapCreateRelation(kRel).ok());
  InsertIds(1, 4);
  ASSERT_TRUE(CommitTransaction().ok());
  ItemPointer old_tid = TidOf(2);
  ItemPointer new_tid;
  Status s = Update(old_tid, 20, &new_tid);
  ASSERT_TRUE(s.ok()) << s.error().message;
  TransactionId xid = GetCurrentTransactionIdIfAny();
  EXPECT_EQ(new_tid, (ItemPointer{0, 4}));
  EXPECT_EQ(ScanIds(), (std::vector<int64_t>{1, 3, 20}));
  HeapTupleHeader old_h = HeaderAt(old_tid);
  EXPECT_EQ(old_h.xmax, xid);
  EXPECT_EQ(old_h.ctid, new_tid);
  // No key columns given: taken for a key update, as PostgreSQL marks one.
  EXPECT_EQ(old_h.infomask2 & (kHeapKeysUpdated | kHeapHotUpdated), kHeapKeysUpdated);
  HeapTupleHeader new_h = HeaderAt(new_tid);
  EXPECT_NE(new_h.infomask & kHeapUpdated, 0);
  EXPECT_EQ(new_h.xmin, xid);
  EXPECT_EQ(new_h.ctid, new_tid);
  ASSERT_TRUE(AbortTransaction().ok());
  EXPECT_EQ(ScanIds(), (std::vector<int64_t>{1, 2, 3}));

  ASSERT_TRUE(Update(old_tid, 20).ok());
  ASSERT_TRUE(CommitTransaction().ok());
  EXPECT_EQ(ScanIds(), (std::vector<int64_t>{1, 3, 20}));
}

// Scenario: with the key columns given (id), an update that keeps id's
// value is a non-key one (HEAP_KEYS_UPDATED clear on the old version), one
// that changes it a key update (set), as PostgreSQL's heap_update decides.
TEST_F(HeapTest, UpdateMarksKeyChangesOnly) {
  ASSERT_TRUE(HeapCreateRelation(kRel).ok());
  InsertIds(1, 3);
  ASSERT_TRUE(CommitTransaction().ok());
  const std::vector<ColumnDef> columns = {{"id", ColumnType::kInt4}, {"name", ColumnType::kText}};
  const std::vector<int16_t> keys = {1};
  for (auto [id, new_id, keys_updated] : {std::tuple<int64_t, int64_t, uint16_t>{1, 1, 0}, {2, 20, kHeapKeysUpdated}}) {
    ItemPointer old_tid = TidOf(id);
    HeapInsertState state;
    Tuple row = {Datum(new_id), Datum(std::string("changed"))};
    Status s = HeapUpdate(kTable, columns, old_tid, row, state, nullptr, nullptr, &keys);
    ASSERT_TRUE(s.ok()) << s.error().message;
    ASSERT_TRUE(HeapInsertFinish(kTable, state).ok());
    EXPECT_EQ(HeaderAt(old_tid).infomask2 & kHeapKeysUpdated, keys_updated) << id;
  }
  ASSERT_TRUE(CommitTransaction().ok());
}

// Scenario: a full first page: the new version of a row on it goes to a
// later page, and the scan shows it once.
TEST_F(HeapTest, UpdateMovesToAnotherPageWhenFull) {
  ASSERT_TRUE(HeapCreateRelation(kRel).ok());
  InsertIds(0, 400);
  ASSERT_TRUE(CommitTransaction().ok());
  ItemPointer old_tid = TidOf(5);
  ASSERT_EQ(old_tid.block, 0u);
  ItemPointer new_tid;
  ASSERT_TRUE(Update(old_tid, 1005, &new_tid, 200).ok());
  EXPECT_NE(new_tid.block, 0u);
  ASSERT_TRUE(CommitTransaction().ok());
  std::vector<int64_t> ids = ScanIds();
  EXPECT_EQ(ids.size(), 400u);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), 5), 0);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), 1005), 1);
  EXPECT_EQ(HeaderAt(old_tid).ctid, new_tid);
}

// Scenario: the errors of simple_heap_update: a row this transaction
// updated already, one another transaction updated or deleted, no tuple.
TEST_F(HeapTest, UpdateRefusesChangedAndMissingTuples) {
  ASSERT_TRUE(HeapCreateRelation(kRel).ok());
  InsertIds(1, 4);
  ASSERT_TRUE(CommitTransaction().ok());
  ItemPointer tid1 = TidOf(1);
  ASSERT_TRUE(Update(tid1, 10).ok());
  Status twice = Update(tid1, 11);
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().message, "tuple already updated by self");
  ASSERT_TRUE(CommitTransaction().ok());
  Status updated = Update(tid1, 12);
  ASSERT_FALSE(updated.ok());
  EXPECT_EQ(updated.error().message, "tuple concurrently updated");
  EXPECT_EQ(updated.error().sqlstate, "XX000");
  ASSERT_TRUE(AbortTransaction().ok());

  ItemPointer tid2 = TidOf(2);
  ASSERT_TRUE(HeapDelete(kRel, tid2).ok());
  ASSERT_TRUE(CommitTransaction().ok());
  Status deleted = Update(tid2, 13);
  ASSERT_FALSE(deleted.ok());
  EXPECT_EQ(deleted.error().message, "tuple concurrently deleted");
  ASSERT_TRUE(AbortTransaction().ok());

  Status missing = Update({0, 40}, 14);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, "attempted to update invisible tuple");
  ASSERT_TRUE(AbortTransaction().ok());
  EXPECT_EQ(ScanIds(), (std::vector<int64_t>{3, 10}));
}

// Scenario: updates on the same page and across pages, one committed and
// one aborted, replayed from the WAL over an empty file: the same bytes.
TEST_F(HeapTest, RedoOfUpdatesRebuildsSamePages) {
  ASSERT_TRUE(HeapCreateRelation(kRel).ok());
  InsertIds(0, 400);
  ASSERT_TRUE(CommitTransaction().ok());
  ASSERT_TRUE(Update(TidOf(3), 1003).ok());    // block 0 is full: to another page
  ASSERT_TRUE(Update(TidOf(399), 1399).ok());  // the last page
  ASSERT_TRUE(Update(TidOf(7), 1007, nullptr, 300).ok());
  ASSERT_TRUE(CommitTransaction().ok());
  ASSERT_TRUE(Update(TidOf(8), 1008).ok());
  ASSERT_TRUE(AbortTransaction().ok());
  std::vector<int64_t> ids = ScanIds();
  ASSERT_TRUE(FlushAllDirty().ok());
  std::string before = FileBytes("base/5/16384");
  Stop();

  std::filesystem::remove(dir_.path() / "base/5/16384");
  std::filesystem::remove_all(dir_.path() / "pg_xact");
  Start(/*wal=*/false);
  EXPECT_GT(Replay(), 400);
  EXPECT_EQ(ScanIds(), ids);
  ASSERT_TRUE(FlushAllDirty().ok());
  EXPECT_EQ(FileBytes("base/5/16384"), before);
}

}  // namespace
}  // namespace minipg::storage
