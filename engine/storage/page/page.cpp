/*-------------------------------------------------------------------------
 * page.cpp
 *   The page layout of page.h: initializing a page, adding items, free
 *   space, LSN, checksums and verification.
 *
 * NOTES
 *   Every read of a header field or line pointer is clamped to the page's
 *   8 KiB: a corrupt page gives wrong answers, never a wild read.
 *-------------------------------------------------------------------------
 */
#include "engine/storage/page/page.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include <fmt/format.h>

#include "engine/common/crc32c.h"
#include "engine/common/sqlstate.h"

namespace minipg::storage {

static_assert(std::endian::native == std::endian::little,
              "pages are little-endian on disk; a big-endian host would need byte swaps");

namespace {

constexpr uint32_t kLpOffMask = 0x7FFF;
constexpr uint32_t kLpLenShift = 17;
constexpr uint32_t kLpFlagsShift = 15;

uint32_t ReadU32(const char* page, size_t offset) {
  uint32_t v;
  std::memcpy(&v, page + offset, sizeof v);
  return v;
}

void WriteU32(char* page, size_t offset, uint32_t v) { std::memcpy(page + offset, &v, sizeof v); }

size_t LinePointerOffset(OffsetNumber off) { return kPageHeaderSize + kItemIdSize * (off - 1); }

/* Where the item of a normal line pointer lies, if wholly inside the page. */
bool ItemInBounds(ItemId id) {
  return id.IsNormal() && id.offset >= kPageHeaderSize &&
         size_t{id.offset} + id.length <= kBlockSize;
}

bool AllZero(const char* page) {
  for (size_t i = 0; i < kBlockSize; ++i) {
    if (page[i] != 0) return false;
  }
  return true;
}

Error Corrupt(std::string message) { return MakeError(sqlstate::kDataCorrupted, std::move(message)); }

}  // namespace

uint16_t PageGetU16(const char* page, size_t offset) {
  uint16_t v;
  std::memcpy(&v, page + offset, sizeof v);
  return v;
}

void PageSetU16(char* page, size_t offset, uint16_t value) {
  std::memcpy(page + offset, &value, sizeof value);
}

void PageInit(char* page, size_t special_size) {
  special_size = MaxAlign(special_size);
  std::memset(page, 0, kBlockSize);
  auto special = static_cast<uint16_t>(kBlockSize - special_size);
  PageSetU16(page, kPdLowerOffset, kPageHeaderSize);
  PageSetU16(page, kPdUpperOffset, special);
  PageSetU16(page, kPdSpecialOffset, special);
  PageSetU16(page, kPdPagesizeVersionOffset, static_cast<uint16_t>(kBlockSize | kPageLayoutVersion));
}

bool PageIsNew(const char* page) { return PageGetUpper(page) == 0; }

XLogRecPtr PageGetLSN(const char* page) {
  uint64_t xlogid = ReadU32(page, kPdLsnOffset);
  uint64_t xrecoff = ReadU32(page, kPdLsnOffset + 4);
  return xlogid << 32 | xrecoff;
}

void PageSetLSN(char* page, XLogRecPtr lsn) {
  WriteU32(page, kPdLsnOffset, static_cast<uint32_t>(lsn >> 32));
  WriteU32(page, kPdLsnOffset + 4, static_cast<uint32_t>(lsn));
}

uint32_t PageGetPruneXid(const char* page) { return ReadU32(page, kPdPruneXidOffset); }
void PageSetPruneXid(char* page, TransactionId xid) { WriteU32(page, kPdPruneXidOffset, xid); }

OffsetNumber PageGetMaxOffsetNumber(const char* page) {
  size_t lower = std::min<size_t>(PageGetLower(page), kBlockSize);
  if (lower <= kPageHeaderSize) return 0;
  return static_cast<OffsetNumber>((lower - kPageHeaderSize) / kItemIdSize);
}

ItemId PageGetItemId(const char* page, OffsetNumber off) {
  if (off < kFirstOffsetNumber || off > PageGetMaxOffsetNumber(page)) return {};
  uint32_t word = ReadU32(page, LinePointerOffset(off));
  ItemId id;
  id.offset = static_cast<uint16_t>(word & kLpOffMask);
  id.flags = static_cast<LpFlags>((word >> kLpFlagsShift) & 0x3);
  id.length = static_cast<uint16_t>(word >> kLpLenShift);
  return id;
}

void PageSetItemId(char* page, OffsetNumber off, ItemId id) {
  if (off < kFirstOffsetNumber || off > kMaxOffsetNumber) return;
  uint32_t word = (uint32_t{id.offset} & kLpOffMask) |
                  (static_cast<uint32_t>(id.flags) & 0x3) << kLpFlagsShift |
                  (uint32_t{id.length} & kLpOffMask) << kLpLenShift;
  WriteU32(page, LinePointerOffset(off), word);
}

std::string_view PageGetItem(const char* page, ItemId id) {
  if (!ItemInBounds(id)) return {};
  return {page + id.offset, id.length};
}

char* PageGetItemData(char* page, ItemId id) {
  return ItemInBounds(id) ? page + id.offset : nullptr;
}

OffsetNumber PageAddItem(char* page, std::string_view item, OffsetNumber offset) {
  size_t lower = PageGetLower(page);
  size_t upper = PageGetUpper(page);
  size_t special = PageGetSpecial(page);
  if (lower < kPageHeaderSize || lower > upper || upper > special || special > kBlockSize ||
      item.size() > kLpOffMask) {
    return kInvalidOffsetNumber;  // not an initialized, sane page
  }
  OffsetNumber max = PageGetMaxOffsetNumber(page);
  uint16_t flags = PageGetFlags(page);
  if (offset == kInvalidOffsetNumber) {
    if ((flags & kPdHasFreeLines) != 0) {
      for (OffsetNumber off = kFirstOffsetNumber; off <= max; ++off) {
        if (!PageGetItemId(page, off).IsUsed()) {
          offset = off;
          break;
        }
      }
      if (offset == kInvalidOffsetNumber) {
        PageSetFlags(page, flags & ~kPdHasFreeLines);  // the hint was stale
      }
    }
    if (offset == kInvalidOffsetNumber) offset = static_cast<OffsetNumber>(max + 1);
  } else if (offset > max + 1 || (offset <= max && PageGetItemId(page, offset).IsUsed())) {
    return kInvalidOffsetNumber;
  }
  if (offset > kMaxOffsetNumber) return kInvalidOffsetNumber;

  size_t new_lower = offset == max + 1 ? lower + kItemIdSize : lower;
  size_t aligned = MaxAlign(item.size());
  if (aligned > upper || new_lower > upper - aligned) return kInvalidOffsetNumber;
  size_t new_upper = upper - aligned;

  std::memcpy(page + new_upper, item.data(), item.size());
  std::memset(page + new_upper + item.size(), 0, aligned - item.size());
  PageSetItemId(page, offset,
                ItemId{static_cast<uint16_t>(new_upper), LpFlags::kNormal,
                       static_cast<uint16_t>(item.size())});
  PageSetU16(page, kPdLowerOffset, static_cast<uint16_t>(new_lower));
  PageSetU16(page, kPdUpperOffset, static_cast<uint16_t>(new_upper));
  return offset;
}

size_t PageGetFreeSpace(const char* page) {
  size_t lower = PageGetLower(page);
  size_t upper = PageGetUpper(page);
  if (upper < lower + kItemIdSize) return 0;
  return upper - lower - kItemIdSize;
}

uint16_t PageComputeChecksum(const char* page, BlockNumber block) {
  static constexpr char kZero[2] = {0, 0};
  uint32_t crc = Crc32c(std::string_view(page, kPdChecksumOffset));
  crc = Crc32c(std::string_view(kZero, sizeof kZero), crc);
  crc = Crc32c(std::string_view(page + kPdFlagsOffset, kBlockSize - kPdFlagsOffset), crc);
  crc ^= block;
  return static_cast<uint16_t>((crc >> 16) ^ (crc & 0xFFFF));
}

void PageSetChecksum(char* page, BlockNumber block) {
  if (PageIsNew(page)) return;
  PageSetU16(page, kPdChecksumOffset, PageComputeChecksum(page, block));
}

Status PageVerify(const char* page, BlockNumber block) {
  if (!PageIsNew(page)) {
    uint16_t expected = PageGetU16(page, kPdChecksumOffset);
    uint16_t calculated = PageComputeChecksum(page, block);
    if (calculated != expected) {
      return Corrupt(fmt::format("{}, calculated checksum {} but expected {}", kChecksumFailurePrefix,
                                 calculated, expected));
    }
    uint16_t lower = PageGetLower(page);
    uint16_t upper = PageGetUpper(page);
    uint16_t special = PageGetSpecial(page);
    if ((PageGetFlags(page) & ~kPdValidFlagBits) == 0 && lower >= kPageHeaderSize &&
        lower <= upper && upper <= special && special <= kBlockSize &&
        special == MaxAlign(special)) {
      return OkStatus();
    }
    return Corrupt(fmt::format(
        "page header is invalid: pd_flags {:#x}, pd_lower {}, pd_upper {}, pd_special {}",
        PageGetFlags(page), lower, upper, special));
  }
  if (AllZero(page)) return OkStatus();
  return Corrupt("page is not initialized (pd_upper 0) but is not all zeros");
}

}  // namespace minipg::storage
