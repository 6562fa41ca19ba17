/*-------------------------------------------------------------------------
 * wal_layout.h
 *   Where bytes sit in the WAL: 8 KiB pages in 16 MiB segment files under
 *   pg_wal/, the header at the top of every page, the names of the
 *   segment files, and the arithmetic between LSNs and "usable" byte
 *   positions (the WAL stream without its page headers).
 *
 *   A segment (16 MiB = 2048 pages), timeline 1:
 *
 *     pg_wal/000000010000000000000001  covers LSNs 0/1000000 .. 0/1FFFFFF
 *     +-----------------+-----------------+-----+-----------------+
 *     | page 0          | page 1          | ... | page 2047       |
 *     | long header 40  | short header 24 |     | short header 24 |
 *     | records...      | records...      |     | records...      |
 *     +-----------------+-----------------+-----+-----------------+
 *
 *   Page header (little-endian):
 *     OFFSET SIZE  FIELD
 *     0      2     magic           kWalPageMagic
 *     2      2     info            kXlpFirstIsContRecord | kXlpLongHeader
 *     4      4     timeline        always 1 in minipg
 *     8      8     pageaddr        the LSN of this page's first byte
 *     16     4     rem_len         bytes of a record continued from the
 *                                  previous page still to come (0: none)
 *     20     4     (zero)
 *   The first page of a segment has the long header, which goes on:
 *     24     8     system identifier (from the control file)
 *     32     4     segment size    16777216
 *     36     4     page size       8192
 *
 *   Records start on 8-byte boundaries and may cross pages and segments:
 *   the part on the next page follows that page's header, which says how
 *   many bytes of it remain (rem_len).
 *
 * NOTES
 *   An LSN is the byte position in the endless WAL, page headers counted.
 *   A "byte position" counts only the bytes records can use; the insert
 *   position is kept as one so that reserving space for a record is an
 *   addition, whatever headers it will step over (PostgreSQL does the same).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/storage/block.h"

namespace minipg::storage::wal {

inline constexpr size_t kWalPageSize = 8192;                 // XLOG_BLCKSZ
inline constexpr uint64_t kWalSegSize = 16ull * 1024 * 1024; // wal_segment_size
inline constexpr uint64_t kPagesPerSegment = kWalSegSize / kWalPageSize;
inline constexpr uint32_t kTimeline = 1;
inline constexpr uint16_t kWalPageMagic = 0xD0E1;  // minipg's own: not a PostgreSQL WAL version

inline constexpr uint16_t kXlpFirstIsContRecord = 0x0001;
inline constexpr uint16_t kXlpLongHeader = 0x0002;
inline constexpr uint16_t kXlpAllFlags = 0x0003;

inline constexpr size_t kShortPageHeaderSize = 24;
inline constexpr size_t kLongPageHeaderSize = 40;

inline constexpr size_t kWalAlign = 8;  // MAXALIGN
inline constexpr uint64_t WalAlign(uint64_t n) { return (n + kWalAlign - 1) & ~uint64_t{kWalAlign - 1}; }

/* The first segment minipg writes is 1 (as initdb's WAL starts at 0/1000000). */
inline constexpr uint64_t kFirstSegment = 1;

using SegNo = uint64_t;

/* --- LSN arithmetic ----------------------------------------------------- */
inline SegNo LsnToSeg(XLogRecPtr lsn) { return lsn / kWalSegSize; }
/* The segment holding the byte just before lsn (where a record ending at lsn is). */
inline SegNo LsnToPrevSeg(XLogRecPtr lsn) { return (lsn - 1) / kWalSegSize; }
inline uint32_t LsnSegOffset(XLogRecPtr lsn) { return static_cast<uint32_t>(lsn % kWalSegSize); }
inline uint32_t LsnPageOffset(XLogRecPtr lsn) { return static_cast<uint32_t>(lsn % kWalPageSize); }
inline XLogRecPtr SegStart(SegNo seg) { return seg * kWalSegSize; }
inline XLogRecPtr PageStart(XLogRecPtr lsn) { return lsn - LsnPageOffset(lsn); }
/* Size of the header of the page starting at page_addr. */
inline size_t PageHeaderSize(XLogRecPtr page_addr) {
  return LsnSegOffset(page_addr) == 0 ? kLongPageHeaderSize : kShortPageHeaderSize;
}

/* "0/0151E8F8": an LSN with its low half padded to 8 digits (pg_waldump). */
std::string FormatLsnPadded(XLogRecPtr lsn);
/* "0/16B3748" -> LSN (pg_lsn input); nullopt when malformed. */
std::optional<XLogRecPtr> ParseLsn(std::string_view text);

/* --- segment files ------------------------------------------------------ */
/* "000000010000000000000001": the segment's file name (timeline, high, low). */
std::string WalFileName(SegNo seg, uint32_t timeline = kTimeline);
/* Parses a segment file name; nullopt unless it is 24 hex digits. */
std::optional<SegNo> ParseWalFileName(std::string_view name, uint32_t* timeline = nullptr);
/* pg_walfile_name(lsn): the file holding the byte before lsn, so an LSN on
 * a segment boundary names the segment that ends there, as PostgreSQL does. */
std::string PgWalfileName(XLogRecPtr lsn);

/* --- page headers ------------------------------------------------------- */
struct WalPageHeader {
  uint16_t magic = kWalPageMagic;
  uint16_t info = 0;
  uint32_t timeline = kTimeline;
  XLogRecPtr pageaddr = 0;
  uint32_t rem_len = 0;
  // Long header only (info & kXlpLongHeader):
  uint64_t system_id = 0;
  uint32_t seg_size = 0;
  uint32_t page_size = 0;
};

/* Writes a fresh header (long on a segment's first page) into the page at
 * page_addr and zeroes the rest of the page. */
void InitWalPage(char* page, XLogRecPtr page_addr, uint64_t system_id);
/* Reads a header (the long fields only when its info says long). */
WalPageHeader ReadWalPageHeader(const char* page);
/* Marks a page as starting with rem_len bytes of a continued record. */
void SetWalPageContinuation(char* page, uint32_t rem_len);

/* --- usable byte positions (the stream without page headers) ------------ */
inline constexpr uint64_t kUsableBytesInPage = kWalPageSize - kShortPageHeaderSize;
inline constexpr uint64_t kUsableBytesInSegment =
    kPagesPerSegment * kUsableBytesInPage - (kLongPageHeaderSize - kShortPageHeaderSize);

/* Where the record starting at byte position pos lies (after any header). */
XLogRecPtr BytePosToRecPtr(uint64_t pos);
/* Where a record ending at byte position pos ends: a record that fills a
 * page exactly ends at the page boundary, not after the next header. */
XLogRecPtr BytePosToEndRecPtr(uint64_t pos);
/* The inverse of both (an LSN inside a header counts as the next usable byte). */
uint64_t RecPtrToBytePos(XLogRecPtr lsn);

/* The LSN of the first record of the WAL: segment 1, after its long header. */
inline XLogRecPtr FirstRecordLsn() { return SegStart(kFirstSegment) + kLongPageHeaderSize; }

}  // namespace minipg::storage::wal
