/*-------------------------------------------------------------------------
 * wal_layout.cpp
 *   Page headers, segment file names and LSN <-> byte position arithmetic
 *   (wal_layout.h draws the layout).
 *-------------------------------------------------------------------------
 */
#include "engine/storage/wal/wal_layout.h"

#include <cstring>

#include <fmt/format.h>

#include "engine/storage/wal/wal_bytes.h"

namespace minipg::storage::wal {

namespace {

constexpr uint64_t kSegmentsPerXLogId = 0x100000000ull / kWalSegSize;

std::optional<uint64_t> ParseHex(std::string_view s, size_t max_digits) {
  if (s.empty() || s.size() > max_digits) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else return std::nullopt;
    v = v * 16 + static_cast<uint64_t>(d);
  }
  return v;
}

}  // namespace

std::string FormatLsnPadded(XLogRecPtr lsn) {
  return fmt::format("{:X}/{:08X}", static_cast<uint32_t>(lsn >> 32), static_cast<uint32_t>(lsn));
}

std::optional<XLogRecPtr> ParseLsn(std::string_view text) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto hi = ParseHex(text.substr(0, slash), 8);
  auto lo = ParseHex(text.substr(slash + 1), 8);
  if (!hi || !lo) return std::nullopt;
  return (*hi << 32) | *lo;
}

std::string WalFileName(SegNo seg, uint32_t timeline) {
  return fmt::format("{:08X}{:08X}{:08X}", timeline, static_cast<uint32_t>(seg / kSegmentsPerXLogId),
                     static_cast<uint32_t>(seg % kSegmentsPerXLogId));
}

std::optional<SegNo> ParseWalFileName(std::string_view name, uint32_t* timeline) {
  if (name.size() != 24) return std::nullopt;
  auto tli = ParseHex(name.substr(0, 8), 8);
  auto hi = ParseHex(name.substr(8, 8), 8);
  auto lo = ParseHex(name.substr(16, 8), 8);
  if (!tli || !hi || !lo || *lo >= kSegmentsPerXLogId) return std::nullopt;
  if (timeline != nullptr) *timeline = static_cast<uint32_t>(*tli);
  return *hi * kSegmentsPerXLogId + *lo;
}

std::string PgWalfileName(XLogRecPtr lsn) { return WalFileName(lsn == 0 ? 0 : LsnToPrevSeg(lsn)); }

void InitWalPage(char* page, XLogRecPtr page_addr, uint64_t system_id) {
  std::memset(page, 0, kWalPageSize);
  bool is_long = LsnSegOffset(page_addr) == 0;
  Store16(page + 0, kWalPageMagic);
  Store16(page + 2, is_long ? kXlpLongHeader : 0);
  Store32(page + 4, kTimeline);
  Store64(page + 8, page_addr);
  Store32(page + 16, 0);
  if (is_long) {
    Store64(page + 24, system_id);
    Store32(page + 32, static_cast<uint32_t>(kWalSegSize));
    Store32(page + 36, static_cast<uint32_t>(kWalPageSize));
  }
}

WalPageHeader ReadWalPageHeader(const char* page) {
  WalPageHeader h;
  h.magic = Load16(page + 0);
  h.info = Load16(page + 2);
  h.timeline = Load32(page + 4);
  h.pageaddr = Load64(page + 8);
  h.rem_len = Load32(page + 16);
  if (h.info & kXlpLongHeader) {
    h.system_id = Load64(page + 24);
    h.seg_size = Load32(page + 32);
    h.page_size = Load32(page + 36);
  }
  return h;
}

void SetWalPageContinuation(char* page, uint32_t rem_len) {
  Store16(page + 2, Load16(page + 2) | kXlpFirstIsContRecord);
  Store32(page + 16, rem_len);
}

XLogRecPtr BytePosToRecPtr(uint64_t pos) {
  uint64_t full_segs = pos / kUsableBytesInSegment;
  uint64_t left = pos % kUsableBytesInSegment;
  uint64_t seg_offset;
  if (left < kWalPageSize - kLongPageHeaderSize) {
    seg_offset = left + kLongPageHeaderSize;
  } else {
    left -= kWalPageSize - kLongPageHeaderSize;
    uint64_t pages_after_first = left / kUsableBytesInPage;
    seg_offset = (pages_after_first + 1) * kWalPageSize + left % kUsableBytesInPage + kShortPageHeaderSize;
  }
  return full_segs * kWalSegSize + seg_offset;
}

XLogRecPtr BytePosToEndRecPtr(uint64_t pos) {
  uint64_t full_segs = pos / kUsableBytesInSegment;
  uint64_t left = pos % kUsableBytesInSegment;
  uint64_t seg_offset;
  if (left < kWalPageSize - kLongPageHeaderSize) {
    seg_offset = left > 0 ? left + kLongPageHeaderSize : 0;
  } else {
    left -= kWalPageSize - kLongPageHeaderSize;
    uint64_t pages_after_first = left / kUsableBytesInPage;
    uint64_t in_page = left % kUsableBytesInPage;
    seg_offset = (pages_after_first + 1) * kWalPageSize;
    if (in_page > 0) seg_offset += in_page + kShortPageHeaderSize;
  }
  return full_segs * kWalSegSize + seg_offset;
}

uint64_t RecPtrToBytePos(XLogRecPtr lsn) {
  uint64_t full_segs = lsn / kWalSegSize;
  uint64_t offset = lsn % kWalSegSize;
  uint64_t page = offset / kWalPageSize;
  uint64_t in_page = offset % kWalPageSize;
  uint64_t pos = full_segs * kUsableBytesInSegment;
  if (page == 0) {
    if (in_page > kLongPageHeaderSize) pos += in_page - kLongPageHeaderSize;
  } else {
    pos += (kWalPageSize - kLongPageHeaderSize) + (page - 1) * kUsableBytesInPage;
    if (in_page > kShortPageHeaderSize) pos += in_page - kShortPageHeaderSize;
  }
  return pos;
}

}  // namespace minipg::storage::wal
