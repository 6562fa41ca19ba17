/*-------------------------------------------------------------------------
 * wal_reader_fuzz.cpp
 *   Fuzz target: the WAL reader (engine/storage/wal/wal_reader) over a
 *   segment file of arbitrary bytes, as recovery or minipg_waldump would
 *   meet a damaged or hostile pg_wal/000000010000000000000001.
 *
 *   Input: the first bytes of segment 1 (zero-padded to whole pages; the
 *   rest of the segment is absent, as a short file is). The reader reads
 *   from the segment's first record, and again from the first record found
 *   on its second page; the whole input is also decoded as one record
 *   (DecodeRecord without the CRC check, to reach the block header checks).
 *
 *   Checks:
 *     1. Never a crash, an out-of-bounds read, or an endless loop.
 *     2. Records come out in increasing LSN order, each ending after it
 *        starts, each image restoring a whole page, each printable as a
 *        pg_waldump line; reading stops with a message.
 *-------------------------------------------------------------------------
 */
#include <map>
#include <string>

#include "engine/storage/wal/wal_reader.h"
#include "engine/storage/wal/wal_rmgr.h"
#include "tests/fuzz/fuzz_input.h"

namespace wal = minipg::storage::wal;

namespace {

constexpr size_t kMaxPages = 64;
constexpr int kMaxRecords = 2000;

void ReadFrom(wal::XLogReader& reader, minipg::storage::XLogRecPtr start) {
  minipg::storage::XLogRecPtr last = 0;
  int n = 0;
  for (const wal::DecodedRecord* r = reader.ReadRecord(start); r != nullptr && n < kMaxRecords;
       r = reader.ReadNext(), ++n) {
    if (r->lsn <= last || r->end_lsn <= r->lsn) minipg::fuzz::Fail("WAL records out of order");
    last = r->lsn;
    for (const auto& b : r->blocks) {
      if (b.has_image && wal::RestoreBlockImage(b).size() != minipg::storage::kBlockSize) {
        minipg::fuzz::Fail("a block image does not restore a whole page");
      }
    }
    if (wal::FormatWaldumpLine(*r).empty()) minipg::fuzz::Fail("a record prints as nothing");
  }
  if (n < kMaxRecords && reader.error().empty()) minipg::fuzz::Fail("reading stopped without a message");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (input.size() > kMaxPages * wal::kWalPageSize) input = input.substr(0, kMaxPages * wal::kWalPageSize);
  std::map<wal::SegNo, std::string> segs;
  std::string& seg = segs[wal::kFirstSegment];
  seg.assign(input);
  seg.resize((seg.size() + wal::kWalPageSize - 1) / wal::kWalPageSize * wal::kWalPageSize, '\0');

  wal::WalMemorySource source(&segs);
  {
    wal::XLogReader reader(source);
    ReadFrom(reader, wal::FirstRecordLsn());
  }
  {
    wal::XLogReader reader(source);
    minipg::storage::XLogRecPtr first = reader.FindFirstRecord(wal::SegStart(wal::kFirstSegment) + wal::kWalPageSize);
    if (first != minipg::storage::kInvalidXLogRecPtr) ReadFrom(reader, first);
  }
  wal::DecodedRecord decoded;
  if (wal::DecodeRecord(input, wal::FirstRecordLsn(), &decoded).empty()) {
    for (const auto& b : decoded.blocks) wal::RestoreBlockImage(b);
  }
  return 0;
}
