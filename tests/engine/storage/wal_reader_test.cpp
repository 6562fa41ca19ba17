/*-------------------------------------------------------------------------
 * wal_reader_test.cpp
 *   XLogReader over WAL built in memory (MemoryWal) and written to files:
 *   records crossing pages and segments, a switch, the end of the WAL,
 *   and each kind of damage stopping the reader with PostgreSQL's message.
 *-------------------------------------------------------------------------
 */
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/storage/wal/wal_bytes.h"
#include "engine/storage/wal/wal_memory.h"
#include "engine/storage/wal/wal_reader.h"
#include "engine/storage/wal/wal_records.h"
#include "engine/storage/wal/wal_rmgr.h"
#include "tests/engine/storage/temp_dir.h"

namespace {

using namespace minipg::storage;
using namespace minipg::storage::wal;

/* Main data of n bytes, different for each record i. */
std::string Payload(size_t n, int i) {
  std::string s(n, '\0');
  for (size_t k = 0; k < n; ++k) s[k] = static_cast<char>('a' + (k + static_cast<size_t>(i)) % 26);
  return s;
}

struct Written {
  XLogRecPtr lsn;
  std::string main;
};

/* Appends `count` records of growing sizes (some longer than a page). */
std::vector<Written> Fill(MemoryWal& wal, int count) {
  std::vector<Written> out;
  for (int i = 0; i < count; ++i) {
    size_t n = (i % 7 == 3) ? 20000 + static_cast<size_t>(i) : 40 + static_cast<size_t>(i) * 17;
    std::string main = Payload(n, i);
    out.push_back({wal.Append(RmgrId::kHeap, kHeapInsert, 700 + i, {}, main), main});
  }
  return out;
}

/* Reads from the first record to the end; returns the main data read. */
std::vector<Written> ReadAll(XLogReader& reader, XLogRecPtr start) {
  std::vector<Written> out;
  XLogRecPtr prev = kInvalidXLogRecPtr;
  for (const DecodedRecord* r = reader.ReadRecord(start); r != nullptr; r = reader.ReadNext()) {
    if (prev != kInvalidXLogRecPtr) {
      EXPECT_EQ(r->header.prev, prev);
    }
    prev = r->lsn;
    out.push_back({r->lsn, r->main_data});
  }
  return out;
}

// Scenario: records of every size, some crossing several pages, read back
// in order with their prev chain; the zeroed rest of the page ends the WAL
// with PostgreSQL's end-of-WAL message.
TEST(WalReader, ReadsBackEveryRecordThenStops) {
  MemoryWal wal;
  auto written = Fill(wal, 60);
  WalMemorySource src(&wal.segments());
  XLogReader reader(src);
  auto read = ReadAll(reader, FirstRecordLsn());
  ASSERT_EQ(read.size(), written.size()) << reader.error();
  for (size_t i = 0; i < read.size(); ++i) {
    EXPECT_EQ(read[i].lsn, written[i].lsn);
    EXPECT_EQ(read[i].main, written[i].main);
  }
  EXPECT_EQ(reader.end_lsn(), wal.end_lsn());
  XLogRecPtr next = WalAlign(wal.end_lsn());
  if (LsnPageOffset(next) != 0) {
    EXPECT_EQ(reader.error(), fmt::format("invalid record length at {}: wanted 24, got 0", FormatLsn(next)));
  }
  EXPECT_EQ(reader.system_id(), 1u);
}

// Scenario: a record that crosses from one segment into the next, and one
// that ends exactly at a page boundary, read back whole.
TEST(WalReader, RecordsCrossSegmentsAndFillPages) {
  MemoryWal wal(7, SegStart(2) - 2 * kWalPageSize + 64);
  auto written = Fill(wal, 10);
  ASSERT_GE(LsnToSeg(wal.end_lsn()), 2u);
  // Fill the rest of the page exactly: a record of the remaining usable bytes.
  XLogRecPtr at = wal.insert_lsn();
  size_t room = kWalPageSize - LsnPageOffset(at);
  std::string exact = Payload(room - kRecordHeaderSize - 5, 99);  // 5 = main data long header
  written.push_back({wal.Append(RmgrId::kHeap, kHeapInsert, 1, {}, exact), exact});
  EXPECT_EQ(LsnPageOffset(wal.end_lsn()), 0u);
  written.push_back({wal.Append(RmgrId::kHeap, kHeapInsert, 1, {}, "after"), "after"});
  EXPECT_EQ(written.back().lsn, PageStart(wal.last_lsn()) + kShortPageHeaderSize);

  TempDir dir;
  ASSERT_TRUE(wal.WriteTo(dir.path()).ok());
  WalDirSource src(dir.path());
  XLogReader reader(src, 7);
  auto read = ReadAll(reader, written[0].lsn);
  ASSERT_EQ(read.size(), written.size()) << reader.error();
  for (size_t i = 0; i < read.size(); ++i) EXPECT_EQ(read[i].main, written[i].main) << i;
}

// Scenario: a record whose 24-byte header itself is cut by a page boundary
// (8 or 16 bytes on the first page) is read back.
TEST(WalReader, RecordHeaderSplitAcrossPages) {
  for (size_t left : {8, 16}) {
    MemoryWal wal;
    wal.Append(RmgrId::kHeap, kHeapInsert, 1, {}, "first");
    size_t room = kWalPageSize - LsnPageOffset(wal.insert_lsn());
    size_t filler = room - left - kRecordHeaderSize - 5;  // 5: main data long header
    ASSERT_GT(filler, 255u);
    wal.Append(RmgrId::kHeap, kHeapInsert, 1, {}, Payload(filler, 1));
    ASSERT_EQ(kWalPageSize - LsnPageOffset(wal.insert_lsn()), left);
    XLogRecPtr split = wal.Append(RmgrId::kHeap, kHeapInsert, 1, {}, "split header");
    WalMemorySource src(&wal.segments());
    XLogReader reader(src);
    auto read = ReadAll(reader, FirstRecordLsn());
    ASSERT_EQ(read.size(), 3u) << reader.error();
    EXPECT_EQ(read[2].lsn, split);
    EXPECT_EQ(read[2].main, "split header");
  }
}

// Scenario: after a SWITCH the next record starts the next segment.
TEST(WalReader, SwitchSkipsToNextSegment) {
  MemoryWal wal;
  wal.Append(RmgrId::kHeap, kHeapInsert, 1, {}, "one");
  XLogRecPtr sw = wal.Append(RmgrId::kXlog, kXlogSwitch, 0, {}, {});
  XLogRecPtr after = wal.Append(RmgrId::kTransaction, kXactCommit, 1, {}, EncodePayload(XactRecord{5}));
  EXPECT_EQ(after, SegStart(2) + kLongPageHeaderSize);
  WalMemorySource src(&wal.segments());
  XLogReader reader(src);
  auto read = ReadAll(reader, FirstRecordLsn());
  ASSERT_EQ(read.size(), 3u) << reader.error();
  EXPECT_EQ(read[1].lsn, sw);
  EXPECT_EQ(read[2].lsn, after);
}

struct Damaged {
  MemoryWal wal;
  std::vector<Written> written;
  Damaged() { written = Fill(wal, 12); }
  char* At(XLogRecPtr lsn) { return wal.segment(LsnToSeg(lsn)).data() + LsnSegOffset(lsn); }
  /* Reads all; returns how many records were read before the stop. */
  size_t ReadCount(std::string* error) {
    WalMemorySource src(&wal.segments());
    XLogReader reader(src);
    auto read = ReadAll(reader, FirstRecordLsn());
    *error = reader.error();
    return read.size();
  }
};

// Scenario: a flipped byte in a record's data fails its CRC: the records
// before it are read, it is not.
TEST(WalReader, CorruptDataStopsAtChecksum) {
  Damaged d;
  XLogRecPtr victim = d.written[5].lsn;
  d.At(victim)[kRecordHeaderSize + 4] ^= 0x40;
  std::string err;
  EXPECT_EQ(d.ReadCount(&err), 5u);
  EXPECT_EQ(err, fmt::format("incorrect resource manager data checksum in record at {}", FormatLsn(victim)));
}

TEST(WalReader, WrongPrevLinkStops) {
  Damaged d;
  XLogRecPtr victim = d.written[4].lsn;
  Store64(d.At(victim) + 8, d.written[2].lsn);
  std::string err;
  EXPECT_EQ(d.ReadCount(&err), 4u);
  EXPECT_EQ(err, fmt::format("record with incorrect prev-link {} at {}", FormatLsn(d.written[2].lsn),
                             FormatLsn(victim)));
}

TEST(WalReader, BadLengthAndRmgrStop) {
  Damaged d;
  Store32(d.At(d.written[3].lsn), 10);
  std::string err;
  EXPECT_EQ(d.ReadCount(&err), 3u);
  EXPECT_EQ(err, fmt::format("invalid record length at {}: wanted 24, got 10", FormatLsn(d.written[3].lsn)));
  Damaged e;
  e.At(e.written[2].lsn)[17] = 3;
  EXPECT_EQ(e.ReadCount(&err), 2u);
  EXPECT_EQ(err, fmt::format("invalid resource manager ID 3 at {}", FormatLsn(e.written[2].lsn)));
}

// Scenario: a damaged page header is named by segment and offset.
TEST(WalReader, BadPageHeaderStops) {
  Damaged d;
  XLogRecPtr second_page = SegStart(1) + kWalPageSize;
  Store16(d.At(second_page), 0xBEEF);
  std::string err;
  size_t n = d.ReadCount(&err);
  EXPECT_LT(n, d.written.size());
  EXPECT_EQ(err, "invalid magic number BEEF in log segment 000000010000000000000001, offset 8192");
  Damaged e;
  Store64(e.At(second_page) + 8, 0x5000000);  // a recycled segment's old address
  e.ReadCount(&err);
  EXPECT_EQ(err, "unexpected pageaddr 0/5000000 in log segment 000000010000000000000001, offset 8192");
  Damaged f;
  Store32(f.At(second_page) + 16, 7);  // wrong remaining length of the record crossing there
  f.ReadCount(&err);
  EXPECT_EQ(err.rfind("invalid contrecord length 7 (expected ", 0), 0u) << err;
}

// Scenario: a torn tail (the last record written only up to a page
// boundary, the next page never written) ends the WAL cleanly after the
// records before it.
TEST(WalReader, TornTailEndsCleanly) {
  MemoryWal wal;
  auto written = Fill(wal, 3);
  std::string big = Payload(3 * kWalPageSize, 1);
  XLogRecPtr torn = wal.Append(RmgrId::kHeap, kHeapInsert, 9, {}, big);
  // Zero every page after the one the torn record starts on.
  std::string& seg = wal.segment(1);
  size_t cut = LsnSegOffset(PageStart(torn)) + kWalPageSize;
  std::fill(seg.begin() + static_cast<long>(cut), seg.end(), '\0');
  WalMemorySource src(&wal.segments());
  XLogReader reader(src);
  auto read = ReadAll(reader, FirstRecordLsn());
  EXPECT_EQ(read.size(), 3u);
  EXPECT_EQ(reader.error(), fmt::format("invalid magic number 0000 in log segment 000000010000000000000001, offset {}", cut));
  EXPECT_EQ(reader.read_lsn(), written.back().lsn);

  // Cut within one page: the record's tail bytes are zero, its CRC fails.
  MemoryWal wal2;
  Fill(wal2, 2);
  XLogRecPtr last = wal2.Append(RmgrId::kHeap, kHeapInsert, 9, {}, Payload(100, 2));
  std::string& seg2 = wal2.segment(1);
  std::fill(seg2.begin() + static_cast<long>(LsnSegOffset(last) + 60), seg2.begin() + static_cast<long>(LsnSegOffset(wal2.end_lsn())), '\0');
  WalMemorySource src2(&wal2.segments());
  XLogReader reader2(src2);
  EXPECT_EQ(ReadAll(reader2, FirstRecordLsn()).size(), 2u);
  EXPECT_EQ(reader2.error(), fmt::format("incorrect resource manager data checksum in record at {}", FormatLsn(last)));
}

// Scenario: a record continuing into a segment file that does not exist.
TEST(WalReader, MissingSegmentStops) {
  MemoryWal wal(1, SegStart(2) - 200);
  wal.Append(RmgrId::kHeap, kHeapInsert, 1, {}, Payload(1000, 0));
  auto segs = wal.segments();
  segs.erase(2);
  WalMemorySource src(&segs);
  XLogReader reader(src);
  EXPECT_EQ(reader.ReadRecord(SegStart(2) - 200), nullptr);
  EXPECT_EQ(reader.error(), "could not open file \"000000010000000000000002\": No such file or directory");
}

// Scenario: starting at a page boundary finds the first record that starts
// there, skipping the part of one that continues from the page before.
TEST(WalReader, FindFirstRecordSkipsContinuation) {
  MemoryWal wal;
  auto written = Fill(wal, 20);
  WalMemorySource src(&wal.segments());
  XLogReader reader(src);
  XLogRecPtr page = SegStart(1) + 2 * kWalPageSize;
  XLogRecPtr found = reader.FindFirstRecord(page);
  XLogRecPtr expected = kInvalidXLogRecPtr;
  for (const auto& w : written) {
    if (w.lsn >= page) {
      expected = w.lsn;
      break;
    }
  }
  EXPECT_EQ(found, expected) << reader.error();
  EXPECT_EQ(reader.FindFirstRecord(SegStart(1)), FirstRecordLsn());
  EXPECT_EQ(reader.FindFirstRecord(written[3].lsn), written[3].lsn);
}

// Scenario: a record with a full page image read back through the pages.
TEST(WalReader, FullPageImageSurvivesPages) {
  MemoryWal wal;
  std::string page(kBlockSize, '\0');
  for (size_t i = 0; i < page.size(); ++i) page[i] = static_cast<char>(i);
  Store16(page.data() + 12, 200);
  Store16(page.data() + 14, 300);
  std::fill(page.begin() + 200, page.begin() + 300, '\0');
  XLogBlockRef b;
  b.tag = {{1663, 5, 16384}, ForkNumber::kMain, 3};
  b.page = page.data();
  for (int i = 0; i < 4; ++i) wal.Append(RmgrId::kXlog, kXlogFpi, 0, {&b, 1}, {});
  WalMemorySource src(&wal.segments());
  XLogReader reader(src);
  int n = 0;
  for (const DecodedRecord* r = reader.ReadRecord(FirstRecordLsn()); r != nullptr; r = reader.ReadNext()) {
    ASSERT_EQ(r->blocks.size(), 1u);
    EXPECT_EQ(RestoreBlockImage(r->blocks[0]), page);
    ++n;
  }
  EXPECT_EQ(n, 4);
}

}  // namespace
