/*-------------------------------------------------------------------------
 * page.h
 *   The layout of an 8 KiB page of a relation file, as PostgreSQL's
 *   bufpage.h lays it out: a header, an array of line pointers growing up,
 *   the items (tuples) growing down from the end, and an optional "special
 *   space" at the very end for index access methods.
 *
 *     +----------------+-------------------------------------------+
 *     | header (24 B)  | linp1 linp2 linp3 ...                     |
 *     +-----------+----+-------------------------------------------+
 *     | ... linpN |          free space                           |
 *     +-----------+--------------------------------+--------------+
 *     |            ^ pd_lower          pd_upper v  | itemN ...    |
 *     +--------------------------------------------+--------------+
 *     |     ... item3 item2 item1                  | special      |
 *     +--------------------------------------------+--------------+
 *                                                  ^ pd_special
 *
 *   Page header (all integers little-endian):
 *
 *     OFFSET  SIZE  DESCRIPTION
 *          0     8  pd_lsn: LSN of the last WAL record that changed the page,
 *                   as PostgreSQL's PageXLogRecPtr: high 32 bits, then low
 *          8     2  pd_checksum: see PageComputeChecksum
 *         10     2  pd_flags: kPdHasFreeLines | kPdPageFull | kPdAllVisible
 *         12     2  pd_lower: offset of the start of free space
 *         14     2  pd_upper: offset of the end of free space
 *         16     2  pd_special: offset of the special space (8192 if none)
 *         18     2  pd_pagesize_version: 8192 | layout version 4
 *         20     4  pd_prune_xid: oldest prunable xid (next issues)
 *
 *   Line pointer (one little-endian uint32 word, PostgreSQL's ItemIdData):
 *   bits 0-14 the item's offset in the page, bits 15-16 its state
 *   (unused / normal / redirect / dead), bits 17-31 its length in bytes.
 *   Line pointer i (i from 1, an OffsetNumber) is at 24 + 4 * (i - 1).
 *
 * NOTES
 *   Items start at 8-byte (MAXALIGN) boundaries, as in PostgreSQL on
 *   x86-64: a page minipg builds is byte for byte the page PostgreSQL 15
 *   builds for the same rows, but for the LSN and checksum. PostgreSQL computes its page checksum with an FNV-1a-like hash;
 *   minipg folds a CRC-32C instead (PageComputeChecksum). Functions here
 *   never read outside the 8 KiB they are given, whatever its bytes: a
 *   page read from disk may be garbage until PageVerify says otherwise.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/common/error.h"
#include "engine/storage/block.h"

namespace minipg::storage {

/* An item's number on its page, from 1 (PostgreSQL's OffsetNumber). */
using OffsetNumber = uint16_t;
inline constexpr OffsetNumber kInvalidOffsetNumber = 0;
inline constexpr OffsetNumber kFirstOffsetNumber = 1;

inline constexpr size_t kPageHeaderSize = 24;   // SizeOfPageHeaderData
inline constexpr size_t kItemIdSize = 4;        // sizeof(ItemIdData)
inline constexpr size_t kMaxAlign = 8;          // MAXIMUM_ALIGNOF
inline constexpr uint16_t kPageLayoutVersion = 4;  // PG_PAGE_LAYOUT_VERSION

/* The most line pointers a page can hold (MaxOffsetNumber). */
inline constexpr OffsetNumber kMaxOffsetNumber =
    static_cast<OffsetNumber>((kBlockSize - kPageHeaderSize) / kItemIdSize);

/* pd_flags bits, PostgreSQL's values. */
inline constexpr uint16_t kPdHasFreeLines = 0x0001;  // some line pointer is unused
inline constexpr uint16_t kPdPageFull = 0x0002;      // an update found no room (a hint)
inline constexpr uint16_t kPdAllVisible = 0x0004;    // every tuple visible to all
inline constexpr uint16_t kPdValidFlagBits = 0x0007;

/* Byte offsets of the header fields. */
inline constexpr size_t kPdLsnOffset = 0;
inline constexpr size_t kPdChecksumOffset = 8;
inline constexpr size_t kPdFlagsOffset = 10;
inline constexpr size_t kPdLowerOffset = 12;
inline constexpr size_t kPdUpperOffset = 14;
inline constexpr size_t kPdSpecialOffset = 16;
inline constexpr size_t kPdPagesizeVersionOffset = 18;
inline constexpr size_t kPdPruneXidOffset = 20;

/* `len` rounded up to a multiple of 8 (MAXALIGN). */
constexpr size_t MaxAlign(size_t len) { return (len + kMaxAlign - 1) & ~(kMaxAlign - 1); }

/* A line pointer's state (lp_flags; the numbers are on disk). */
enum class LpFlags : uint8_t {
  kUnused = 0,    // free for reuse; offset and length are 0
  kNormal = 1,    // points to an item of `length` bytes at `offset`
  kRedirect = 2,  // HOT chain link: `offset` is another line pointer's number
  kDead = 3,      // the item is gone; the line pointer is kept until vacuum
};

/* A line pointer, decoded. */
struct ItemId {
  uint16_t offset = 0;  // lp_off (15 bits)
  LpFlags flags = LpFlags::kUnused;
  uint16_t length = 0;  // lp_len (15 bits)
  bool IsUsed() const { return flags != LpFlags::kUnused; }
  bool IsNormal() const { return flags == LpFlags::kNormal; }
  friend bool operator==(const ItemId&, const ItemId&) = default;
};

/* Little-endian field access within a page (no bounds beyond the page). */
uint16_t PageGetU16(const char* page, size_t offset);
void PageSetU16(char* page, size_t offset, uint16_t value);

/* Makes `page` an empty page with `special_size` bytes (MAXALIGNed) of
 * special space at its end. */
void PageInit(char* page, size_t special_size);

/* PostgreSQL's PageIsNew: pd_upper is 0, as on a page that was never
 * initialized (a zero-filled page from extending the file). */
bool PageIsNew(const char* page);

XLogRecPtr PageGetLSN(const char* page);
void PageSetLSN(char* page, XLogRecPtr lsn);

inline uint16_t PageGetLower(const char* page) { return PageGetU16(page, kPdLowerOffset); }
inline uint16_t PageGetUpper(const char* page) { return PageGetU16(page, kPdUpperOffset); }
inline uint16_t PageGetSpecial(const char* page) { return PageGetU16(page, kPdSpecialOffset); }
inline uint16_t PageGetFlags(const char* page) { return PageGetU16(page, kPdFlagsOffset); }
inline void PageSetFlags(char* page, uint16_t flags) { PageSetU16(page, kPdFlagsOffset, flags); }
uint32_t PageGetPruneXid(const char* page);
void PageSetPruneXid(char* page, TransactionId xid);

/* How many line pointers the page has (0 if pd_lower is nonsense). */
OffsetNumber PageGetMaxOffsetNumber(const char* page);

/* Line pointer `off` (1..PageGetMaxOffsetNumber); an unused ItemId when
 * `off` is out of range. */
ItemId PageGetItemId(const char* page, OffsetNumber off);
void PageSetItemId(char* page, OffsetNumber off, ItemId id);

/* The item's bytes; empty if the line pointer is not normal or points
 * outside the page (a corrupt page is never read out of bounds). */
std::string_view PageGetItem(const char* page, ItemId id);
/* The same bytes, writable (nullptr when PageGetItem would be empty). */
char* PageGetItemData(char* page, ItemId id);

/* Adds `item` to the page and returns its offset number, or
 * kInvalidOffsetNumber when it does not fit (or `offset` is not usable).
 * offset == kInvalidOffsetNumber: the first unused line pointer if the page
 * has one (kPdHasFreeLines), else a new one at the end. A given `offset`
 * must be an unused line pointer or the one just past the end (as in
 * PostgreSQL's PageAddItem with overwrite, which WAL redo uses). */
OffsetNumber PageAddItem(char* page, std::string_view item,
                         OffsetNumber offset = kInvalidOffsetNumber);

/* Free bytes between pd_lower and pd_upper, less one line pointer (what a
 * new item can use), as PostgreSQL's PageGetFreeSpace; 0 if negative. */
size_t PageGetFreeSpace(const char* page);

/* The page checksum: CRC-32C of the 8 KiB with pd_checksum read as 0,
 * XORed with the block number, its two 16-bit halves XORed together. Two
 * block numbers below 65536 always give different checksums. */
uint16_t PageComputeChecksum(const char* page, BlockNumber block);

/* Stores the checksum in pd_checksum (a new page is left as it is: it has
 * none, as in PostgreSQL). */
void PageSetChecksum(char* page, BlockNumber block);

/* How PageVerify's error for a wrong checksum begins (as PostgreSQL words
 * it); the buffer pool counts such reads in pg_stat_database. */
inline constexpr std::string_view kChecksumFailurePrefix = "page verification failed";

/* Checks a page read from disk as PostgreSQL's PageIsVerified does: an
 * all-zero page is valid; otherwise the checksum must match and the header
 * be sane (lower <= upper <= special <= 8192, known flags, version 4).
 * Fails with XX001; the message says what is wrong. */
Status PageVerify(const char* page, BlockNumber block);

}  // namespace minipg::storage
