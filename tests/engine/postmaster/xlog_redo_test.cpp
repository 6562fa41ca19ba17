/*-------------------------------------------------------------------------
 * xlog_redo_test.cpp
 *   The XLOG rmgr's redo: a full page image repairs a torn page and
 *   extends a short relation; a record for a dropped relation is skipped;
 *   a checkpoint record moves next xid and next OID up, a NEXTOID record
 *   the next OID.
 *-------------------------------------------------------------------------
 */
#include "engine/postmaster/xlog_redo.h"

#include <gtest/gtest.h>

#include <fstream>

#include "engine/postmaster/storage_init.h"
#include "engine/storage/wal/wal_memory.h"
#include "engine/storage/wal/wal_reader.h"
#include "engine/storage/wal/wal_records.h"
#include "engine/storage/wal/wal_rmgr.h"
#include "tests/engine/storage/buffer/buffer_test_util.h"

namespace minipg::storage {
namespace {

class XlogRedoTest : public BufferPoolTest {
 protected:
  /* The one record of a WAL built in memory, decoded. */
  const wal::DecodedRecord& Record(wal::RmgrId rmid, uint8_t info, std::span<const wal::XLogBlockRef> blocks,
                                   std::string_view main = {}) {
    wal_.Append(rmid, info, 0, blocks, main);
    source_ = std::make_unique<wal::WalMemorySource>(&wal_.segments());
    reader_ = std::make_unique<wal::XLogReader>(*source_, wal_.system_id());
    const wal::DecodedRecord* rec = reader_->ReadRecord(wal::FirstRecordLsn());
    EXPECT_NE(rec, nullptr) << reader_->error();
    return *rec;
  }
  wal::MemoryWal wal_;
  std::unique_ptr<wal::WalMemorySource> source_;
  std::unique_ptr<wal::XLogReader> reader_;
};

// Scenario: block 1 is torn on disk (a write cut in the middle: it fails
// its checksum); redo of an FPI record puts the image back, with the
// record's end as its LSN, and the next write makes the file whole.
TEST_F(XlogRedoTest, FullPageImageRepairsATornPage) {
  MakePool(8, 2);
  {
    std::fstream f(dir_.path() / "base" / "5" / "16384", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(kBlockSize + 4000);
    f.write("garbage garbage garbage", 23);
  }
  ASSERT_FALSE(ReadBuffer(Tag(1)).ok()) << "the torn page fails its checksum";
  std::vector<char> image = MakePage(42);
  wal::XLogBlockRef ref{0, Tag(1), false, image.data()};
  const wal::DecodedRecord& rec = Record(wal::RmgrId::kXlog, wal::kXlogFpi, {&ref, 1});
  ASSERT_TRUE(RestoreFullPageImage(rec, rec.blocks[0]).ok());
  ASSERT_TRUE(FlushAllDirty(WriteSource::kCheckpointer).ok());
  EXPECT_EQ(CounterOnDisk(Tag(1)), 42u);
  std::vector<char> disk(kBlockSize);
  ASSERT_TRUE(SmgrRead(Tag(1), disk.data()).ok());
  EXPECT_EQ(PageGetLSN(disk.data()), rec.end_lsn);
  EXPECT_EQ(CounterOnDisk(Tag(0)), 0u) << "block 0 untouched";
}

// Scenario: the image is of block 4 of a relation that has 2 blocks (it
// was cut, or its extension never reached the disk): the fork grows to 5.
TEST_F(XlogRedoTest, FullPageImageExtendsTheRelation) {
  MakePool(8, 2);
  std::vector<char> image = MakePage(7);
  wal::XLogBlockRef ref{0, Tag(4), false, image.data()};
  const wal::DecodedRecord& rec = Record(wal::RmgrId::kXlog, wal::kXlogFpi, {&ref, 1});
  ASSERT_TRUE(RestoreFullPageImage(rec, rec.blocks[0]).ok());
  ASSERT_TRUE(FlushAllDirty(WriteSource::kCheckpointer).ok());
  auto n = SmgrNBlocks(kRel, ForkNumber::kMain);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 5u);
  EXPECT_EQ(CounterOnDisk(Tag(4)), 7u);
}

// Scenario: an FPI of a relation whose file is gone (dropped later in the
// WAL) is skipped, through the rmgr table, without creating the file.
TEST_F(XlogRedoTest, DroppedRelationIsSkipped) {
  MakePool(8, 1);
  RegisterXlogRedo();
  RelFileLocator gone{kDefaultTablespaceOid, 5, 16399};
  std::vector<char> image = MakePage(1);
  wal::XLogBlockRef ref{0, Tag(0, gone), false, image.data()};
  const wal::DecodedRecord& rec = Record(wal::RmgrId::kXlog, wal::kXlogFpi, {&ref, 1});
  const wal::RmgrData* xlog = wal::GetRmgr(static_cast<uint8_t>(wal::RmgrId::kXlog));
  ASSERT_NE(xlog->redo, nullptr);
  EXPECT_TRUE(xlog->redo(rec).ok());
  EXPECT_FALSE(SmgrExists(gone, ForkNumber::kMain));
}

// Scenario: replaying a checkpoint record moves next xid, OID, MultiXactId
// and member offset up to its own, never down.
TEST_F(XlogRedoTest, CheckpointRecordMovesIdsUp) {
  MakePool(4, 0);
  RegisterXlogRedo();
  GetRecoveryIds() = {100, 20000};
  wal::CheckpointRecord ckpt;
  ckpt.next_xid = 735;
  ckpt.next_oid = 16384;
  ckpt.next_multi = 42;
  ckpt.next_multi_offset = 99;
  const wal::DecodedRecord& rec =
      Record(wal::RmgrId::kXlog, wal::kXlogCheckpointOnline, {}, wal::EncodePayload(ckpt));
  ASSERT_TRUE(wal::GetRmgr(0)->redo(rec).ok());
  EXPECT_EQ(GetRecoveryIds().next_xid, 735u);
  EXPECT_EQ(GetRecoveryIds().next_oid, 20000u) << "an OID already past the record's stays";
  EXPECT_EQ(GetRecoveryIds().next_multi, 42u);
  EXPECT_EQ(GetRecoveryIds().next_multi_offset, 99u);
}

// Scenario: a NEXTOID record of 24576 moves the next OID there (the OIDs
// below may have been handed out before the crash); pg_waldump's words.
TEST_F(XlogRedoTest, NextOidRecordMovesNextOid) {
  MakePool(4, 0);
  RegisterXlogRedo();
  GetRecoveryIds() = {100, 16384};
  const wal::DecodedRecord& rec =
      Record(wal::RmgrId::kXlog, wal::kXlogNextOid, {}, wal::EncodePayload(wal::NextOidRecord{24576}));
  EXPECT_NE(wal::FormatWaldumpLine(rec).find("desc: NEXTOID 24576"), std::string::npos) << wal::FormatWaldumpLine(rec);
  ASSERT_TRUE(wal::GetRmgr(0)->redo(rec).ok());
  EXPECT_EQ(GetRecoveryIds().next_oid, 24576u);
}

// Scenario: the startup process's redo hook (storage_init's TransamHooks)
// fills the Btree rmgr's slot with the heap's, so recovery replays index
// records and does not stop at the first one.
TEST_F(XlogRedoTest, StartupRegistersBtreeRedo) {
  GetTransamHooks().register_redo();
  const wal::RmgrData* btree = wal::GetRmgr(static_cast<uint8_t>(wal::RmgrId::kBtree));
  ASSERT_NE(btree, nullptr);
  EXPECT_STREQ(btree->name, "Btree");
  EXPECT_NE(btree->redo, nullptr);
  EXPECT_NE(wal::GetRmgr(static_cast<uint8_t>(wal::RmgrId::kHeap))->redo, nullptr);
}

}  // namespace
}  // namespace minipg::storage
