/*-------------------------------------------------------------------------
 * wal_format_test.cpp
 *   The WAL's pure formats: LSN arithmetic and segment names, records with
 *   block references and full page images, each rmgr's payloads and the
 *   pg_waldump line they print as.
 *-------------------------------------------------------------------------
 */
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/storage/wal/wal_bytes.h"
#include "engine/storage/wal/wal_layout.h"
#include "engine/storage/wal/wal_record.h"
#include "engine/storage/wal/wal_records.h"
#include "engine/storage/wal/wal_rmgr.h"

namespace {

using namespace minipg::storage;
using namespace minipg::storage::wal;

// Scenario: segment names are PostgreSQL's (timeline, high, low), and
// pg_walfile_name names the segment that ends at a boundary LSN.
TEST(WalLayout, SegmentNames) {
  EXPECT_EQ(WalFileName(1), "000000010000000000000001");
  EXPECT_EQ(WalFileName(0x100), "000000010000000100000000");
  EXPECT_EQ(WalFileName(0x1FF), "0000000100000001000000FF");
  EXPECT_EQ(ParseWalFileName("0000000100000001000000FF"), SegNo{0x1FF});
  EXPECT_FALSE(ParseWalFileName("00000001000000010000010F").has_value());  // low part past 0xFF
  EXPECT_FALSE(ParseWalFileName("xyz").has_value());
  // As SELECT pg_walfile_name('0/1000000'), pg_walfile_name('0/1000028') in PostgreSQL 15.
  EXPECT_EQ(PgWalfileName(0x1000000), "000000010000000000000000");
  EXPECT_EQ(PgWalfileName(0x1000028), "000000010000000000000001");
  EXPECT_EQ(PgWalfileName(0x151E8F8), "000000010000000000000001");
}

TEST(WalLayout, LsnTextForms) {
  EXPECT_EQ(FormatLsn(0x151E8F8), "0/151E8F8");
  EXPECT_EQ(FormatLsnPadded(0x151E8F8), "0/0151E8F8");
  EXPECT_EQ(FormatLsnPadded(0x100000028ull), "1/00000028");
  EXPECT_EQ(ParseLsn("0/151E8F8"), XLogRecPtr{0x151E8F8});
  EXPECT_EQ(ParseLsn("1/28"), XLogRecPtr{0x100000028ull});
  EXPECT_FALSE(ParseLsn("0151E8F8").has_value());
  EXPECT_FALSE(ParseLsn("0/xyz").has_value());
}

// Scenario: usable byte positions skip page headers (long on a segment's
// first page) and convert back; an end position on a page boundary stays there.
TEST(WalLayout, BytePositions) {
  EXPECT_EQ(BytePosToRecPtr(0), kLongPageHeaderSize);
  EXPECT_EQ(BytePosToRecPtr(kWalPageSize - kLongPageHeaderSize), kWalPageSize + kShortPageHeaderSize);
  EXPECT_EQ(BytePosToEndRecPtr(kWalPageSize - kLongPageHeaderSize), kWalPageSize);
  EXPECT_EQ(BytePosToRecPtr(kUsableBytesInSegment), kWalSegSize + kLongPageHeaderSize);
  EXPECT_EQ(BytePosToEndRecPtr(kUsableBytesInSegment), kWalSegSize);
  EXPECT_EQ(FirstRecordLsn(), XLogRecPtr{0x1000028});
  for (uint64_t pos : std::initializer_list<uint64_t>{0ull, 1ull, 8151ull, 8152ull, 8153ull, 8152ull + 8168ull, 123456789ull,
                       kUsableBytesInSegment - 1, kUsableBytesInSegment, 5 * kUsableBytesInSegment + 77}) {
    EXPECT_EQ(RecPtrToBytePos(BytePosToRecPtr(pos)), pos) << pos;
    if (pos > 0) {
      EXPECT_EQ(RecPtrToBytePos(BytePosToEndRecPtr(pos)), pos) << pos;
    }
  }
}

TEST(WalLayout, PageHeaders) {
  std::string page(kWalPageSize, 'x');
  InitWalPage(page.data(), SegStart(3), 42);
  WalPageHeader h = ReadWalPageHeader(page.data());
  EXPECT_EQ(h.magic, kWalPageMagic);
  EXPECT_EQ(h.info, kXlpLongHeader);
  EXPECT_EQ(h.pageaddr, SegStart(3));
  EXPECT_EQ(h.system_id, 42u);
  EXPECT_EQ(h.seg_size, kWalSegSize);
  EXPECT_EQ(h.page_size, kWalPageSize);
  EXPECT_EQ(page[kLongPageHeaderSize], '\0');  // the rest is zeroed
  InitWalPage(page.data(), SegStart(3) + kWalPageSize, 42);
  SetWalPageContinuation(page.data(), 100);
  h = ReadWalPageHeader(page.data());
  EXPECT_EQ(h.info, kXlpFirstIsContRecord);
  EXPECT_EQ(h.rem_len, 100u);
  EXPECT_EQ(h.system_id, 0u);  // short header: no long fields
}

std::string TestPage(uint16_t lower, uint16_t upper) {
  std::string page(kBlockSize, '\0');
  for (size_t i = 0; i < page.size(); ++i) page[i] = static_cast<char>(i * 13 + 1);
  Store16(page.data() + 12, lower);
  Store16(page.data() + 14, upper);
  for (size_t i = lower; i < upper; ++i) page[i] = '\0';  // the hole is free space
  return page;
}

// Scenario: a record with two blocks of one relation (the second says
// "same rel"), a full page image with its hole left out, block data and
// long main data decodes to what was put in, and the image restores the page.
TEST(WalRecord, AssembleDecodeRoundTrip) {
  std::string page = TestPage(40, 8000);
  RelFileLocator rel{1663, 5, 16384};
  std::string main(300, 'm');
  std::vector<XLogBlockRef> blocks(2);
  blocks[0].id = 0;
  blocks[0].tag = {rel, ForkNumber::kMain, 7};
  blocks[0].page = page.data();
  blocks[0].data = "tuple";
  blocks[1].id = 3;
  blocks[1].tag = {rel, ForkNumber::kMain, 9};
  blocks[1].will_init = true;
  std::string rec = AssembleRecord(RmgrId::kHeap, kHeapUpdate, 735, blocks, main);
  FinishRecord(rec, 0x1000028);

  DecodedRecord d;
  ASSERT_EQ(DecodeRecord(rec, 0x1000100, &d), "");
  EXPECT_EQ(d.header.tot_len, rec.size());
  EXPECT_EQ(d.header.xid, 735u);
  EXPECT_EQ(d.header.prev, 0x1000028u);
  EXPECT_EQ(d.rmid(), RmgrId::kHeap);
  EXPECT_EQ(d.rmgr_info(), kHeapUpdate);
  EXPECT_EQ(d.main_data, main);
  ASSERT_EQ(d.blocks.size(), 2u);
  EXPECT_EQ(d.blocks[0].tag, (BufferTag{rel, ForkNumber::kMain, 7}));
  EXPECT_TRUE(d.blocks[0].has_image);
  EXPECT_EQ(d.blocks[0].hole_offset, 40);
  EXPECT_EQ(d.blocks[0].hole_length, 8000 - 40);
  EXPECT_EQ(d.blocks[0].image.size(), kBlockSize - (8000 - 40));
  EXPECT_EQ(RestoreBlockImage(d.blocks[0]), page);
  EXPECT_EQ(d.blocks[0].data, "tuple");
  EXPECT_EQ(d.blocks[1].id, 3);
  EXPECT_EQ(d.blocks[1].tag.block, 9u);
  EXPECT_EQ(d.blocks[1].tag.rel, rel);
  EXPECT_TRUE(d.blocks[1].will_init());
  EXPECT_FALSE(d.blocks[1].has_image);
  EXPECT_EQ(d.RecLenWithoutImages(), rec.size() - d.blocks[0].image.size());
  // The same rel is written once: 12 bytes fewer than two different ones.
  blocks[1].tag.rel.rel_number = 16385;
  EXPECT_EQ(AssembleRecord(RmgrId::kHeap, kHeapUpdate, 735, blocks, main).size(), rec.size() + 12);
}

// Scenario: a page that is not in the standard layout is imaged whole.
TEST(WalRecord, NonStandardPageHasNoHole) {
  std::string page = TestPage(10, 5);  // pd_lower > pd_upper: not standard
  XLogBlockRef b;
  b.tag = {{1663, 5, 1}, ForkNumber::kFsm, 0};
  b.page = page.data();
  std::string rec = AssembleRecord(RmgrId::kXlog, kXlogFpi, 0, {&b, 1}, {});
  FinishRecord(rec, 0);
  DecodedRecord d;
  ASSERT_EQ(DecodeRecord(rec, 0x1000028, &d), "");
  EXPECT_EQ(d.blocks[0].image.size(), kBlockSize);
  EXPECT_EQ(RestoreBlockImage(d.blocks[0]), page);
  EXPECT_EQ(d.blocks[0].tag.fork, ForkNumber::kFsm);
}

// Scenario: the CRC covers the payload and the header; any flipped byte changes it.
TEST(WalRecord, CrcCoversEverything) {
  std::string rec = AssembleRecord(RmgrId::kTransaction, kXactCommit, 9, {}, EncodePayload(XactRecord{1}));
  FinishRecord(rec, 0x1000028);
  uint32_t crc = ReadRecordHeader(rec.data()).crc;
  EXPECT_EQ(ComputeRecordCrc(rec), crc);
  for (size_t i = 0; i < rec.size(); ++i) {
    if (i >= kRecordCrcOffset && i < kRecordHeaderSize) continue;
    std::string bad = rec;
    bad[i] ^= 0x01;
    EXPECT_NE(ComputeRecordCrc(bad), crc) << "byte " << i;
  }
}

// Scenario: malformed block headers are named as PostgreSQL names them.
TEST(WalRecord, DecodeRejectsMalformed) {
  XLogBlockRef b;
  b.tag = {{1663, 5, 1}, ForkNumber::kMain, 0};
  b.data = "abc";
  std::string rec = AssembleRecord(RmgrId::kHeap, kHeapInsert, 1, {&b, 1}, "xyz");
  DecodedRecord d;
  std::string bad = rec;
  bad[kRecordHeaderSize] = 40;  // block id past 31
  EXPECT_EQ(DecodeRecord(bad, 0x1000028, &d), "invalid block_id 40 at 0/1000028");
  bad = rec;
  bad[kRecordHeaderSize + 1] |= static_cast<char>(kBlockSameRel);
  EXPECT_EQ(DecodeRecord(bad, 0x1000028, &d), "BKPBLOCK_SAME_REL set but no previous rel at 0/1000028");
  bad = rec;
  bad[kRecordHeaderSize + 1] &= static_cast<char>(~kBlockHasData);
  EXPECT_EQ(DecodeRecord(bad, 0x1000028, &d), "BKPBLOCK_HAS_DATA not set, but data length is 3 at 0/1000028");
  bad = rec;
  bad[kRecordHeaderSize + 2] = 100;  // data length past the record
  EXPECT_EQ(DecodeRecord(bad, 0x1000028, &d), "record with invalid length at 0/1000028");
  bad = rec.substr(0, rec.size() - 1);
  EXPECT_EQ(DecodeRecord(bad, 0x1000028, &d), "record with invalid length at 0/1000028");
}

// Scenario: every payload decodes to what was encoded, and a short one is refused.
TEST(WalRecords, PayloadRoundTrips) {
  CheckpointRecord c{0x1000028, 1, true, 735, 16384, 1700000000};
  auto c2 = DecodePayload<CheckpointRecord>(EncodePayload(c));
  ASSERT_TRUE(c2.has_value());
  EXPECT_EQ(c2->redo, c.redo);
  EXPECT_EQ(c2->next_xid, 735u);
  EXPECT_EQ(c2->next_oid, 16384u);
  EXPECT_EQ(c2->time, 1700000000);
  EXPECT_EQ(c2->next_multi, 1u);
  EXPECT_FALSE(DecodePayload<CheckpointRecord>(EncodePayload(c).substr(1)).has_value());
  EXPECT_FALSE(DecodePayload<CheckpointRecord>(EncodePayload(c) + "x").has_value());

  SmgrTruncateRecord t{{1663, 5, 16384}, 3, 7};
  auto t2 = DecodePayload<SmgrTruncateRecord>(EncodePayload(t));
  ASSERT_TRUE(t2.has_value());
  EXPECT_EQ(t2->rel, t.rel);
  EXPECT_EQ(t2->nblocks, 3u);
  HeapUpdateRecord u{10, 1, kXlhlKeysUpdated, 0, 0, 4};
  auto u2 = DecodePayload<HeapUpdateRecord>(EncodePayload(u));
  ASSERT_TRUE(u2.has_value());
  EXPECT_EQ(u2->old_xmax, 10u);
  EXPECT_EQ(u2->new_offnum, 4);
  const std::string encoded = EncodeHeapTupleData({2, 0x0800, 24}, "body");  // the decoded body points into it
  auto tup = DecodeHeapTupleData(encoded);
  ASSERT_TRUE(tup.has_value());
  EXPECT_EQ(tup->first.infomask2, 2);
  EXPECT_EQ(tup->first.infomask, 0x0800);
  EXPECT_EQ(tup->first.hoff, 24);
  EXPECT_EQ(tup->second, "body");
  EXPECT_FALSE(DecodeHeapTupleData("abc").has_value());
}

DecodedRecord Decoded(RmgrId rmid, uint8_t info, TransactionId xid, std::span<const XLogBlockRef> blocks,
                      std::string_view main, XLogRecPtr lsn, XLogRecPtr prev) {
  std::string rec = AssembleRecord(rmid, info, xid, blocks, main);
  FinishRecord(rec, prev);
  DecodedRecord d;
  EXPECT_EQ(DecodeRecord(rec, lsn, &d), "");
  return d;
}

// Scenario: a heap insert prints as pg_waldump prints it.
TEST(WalRmgr, WaldumpLineOfHeapInsert) {
  XLogBlockRef b;
  b.tag = {{1663, 5, 16384}, ForkNumber::kMain, 0};
  std::string data = EncodeHeapTupleData({1, 0x0802, 24}, "abcde");
  b.data = data;
  DecodedRecord d = Decoded(RmgrId::kHeap, kHeapInsert, 735, {&b, 1}, EncodePayload(HeapInsertRecord{2, 0}),
                            0x151E8F8, 0x151E8C0);
  EXPECT_EQ(FormatWaldumpLine(d),
            "rmgr: Heap        len (rec/tot):     59/    59, tx:        735, lsn: 0/0151E8F8, "
            "prev 0/0151E8C0, desc: INSERT off 2 flags 0x00, blkref #0: rel 1663/5/16384 blk 0");
}

// Scenario: each rmgr names and describes its records.
TEST(WalRmgr, Descriptions) {
  auto line = [](RmgrId rmid, uint8_t info, std::string_view main) {
    return FormatWaldumpLine(Decoded(rmid, info, 0, {}, main, 0x1000028, 0));
  };
  EXPECT_NE(line(RmgrId::kXlog, kXlogCheckpointOnline, EncodePayload(CheckpointRecord{0x1000028, 1, true, 735, 16384, 0}))
                .find("desc: CHECKPOINT_ONLINE redo 0/1000028; tli 1; prev tli 1; fpw true; xid 0:735; oid 16384; multi 1; offset 0; online"),
            std::string::npos);
  EXPECT_NE(line(RmgrId::kXlog, kXlogSwitch, "").find("rmgr: XLOG        len (rec/tot):     24/    24"),
            std::string::npos);
  EXPECT_NE(line(RmgrId::kXlog, kXlogSwitch, "").find("desc: SWITCH "), std::string::npos);
  // 2026-12-06 11:03:12.5 UTC is 849,870,192.5 s after 2000-01-01.
  EXPECT_NE(line(RmgrId::kTransaction, kXactCommit, EncodePayload(XactRecord{849870192500000}))
                .find("desc: COMMIT 2026-12-06 11:03:12.5 UTC"),
            std::string::npos);
  EXPECT_NE(line(RmgrId::kStorage, kSmgrCreate, EncodePayload(SmgrCreateRecord{{1663, 5, 16384}, ForkNumber::kFsm}))
                .find("desc: CREATE base/5/16384_fsm"),
            std::string::npos);
  EXPECT_NE(line(RmgrId::kStorage, kSmgrTruncate, EncodePayload(SmgrTruncateRecord{{1663, 5, 16384}, 0, 7}))
                .find("desc: TRUNCATE base/5/16384 to 0 blocks flags 7"),
            std::string::npos);
  EXPECT_NE(line(RmgrId::kHeap, kHeapDelete, EncodePayload(HeapDeleteRecord{736, 3, kXlhlKeysUpdated, 0}))
                .find("desc: DELETE off 3 flags 0x00 KEYS_UPDATED "),
            std::string::npos);
  EXPECT_NE(line(RmgrId::kHeap, kHeapHotUpdate | kHeapInitPage, EncodePayload(HeapUpdateRecord{736, 1, 0, 0, 0, 2}))
                .find("desc: HOT_UPDATE+INIT off 1 xmax 736 flags 0x00 ; new off 2 xmax 0"),
            std::string::npos);
  EXPECT_NE(line(RmgrId::kDatabase, kDbaseCreate, EncodePayload(DbaseCreateRecord{16390, 1663, 1, 1663}))
                .find("desc: CREATE_FILE_COPY copy dir 1663/1 to 1663/16390"),
            std::string::npos);
  EXPECT_NE(line(RmgrId::kTransaction, kXactCommit,
                 EncodeXactPayload({849870192500000, {{1663, 5, 16384}, {1663, 5, 16390}}}))
                .find("; rels: base/5/16384 base/5/16390"),
            std::string::npos);
  EXPECT_NE(line(RmgrId::kHeap, 0x30, "").find("desc: UNKNOWN (30)"), std::string::npos);
  EXPECT_EQ(GetRmgr(3), nullptr);
  EXPECT_EQ(GetRmgr(200), nullptr);
}

// Scenario: a full page image and a block of another fork show in the blkrefs.
TEST(WalRmgr, BlockRefsShowForkAndFpw) {
  std::string page = TestPage(100, 200);
  XLogBlockRef b;
  b.tag = {{1663, 5, 16384}, ForkNumber::kVisibilityMap, 4};
  b.page = page.data();
  std::string line = FormatWaldumpLine(Decoded(RmgrId::kXlog, kXlogFpi, 0, {&b, 1}, "", 0x1000028, 0));
  EXPECT_NE(line.find("desc: FPI , blkref #0: rel 1663/5/16384 fork vm blk 4 FPW"), std::string::npos) << line;
  // rec excludes the image's bytes (8192 - 100 stored), tot includes them.
  EXPECT_NE(line.find(fmt::format("len (rec/tot): {:>6}/{:>6}", 24 + 4 + 5 + 12 + 4,
                                  24 + 4 + 5 + 12 + 4 + 8092)),
            std::string::npos)
      << line;
}

}  // namespace
