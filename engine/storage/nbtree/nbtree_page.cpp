/*-------------------------------------------------------------------------
 * nbtree_page.cpp
 *   B-tree page and metapage layout (nbtree_page.h).
 *-------------------------------------------------------------------------
 */
#include "engine/storage/nbtree/nbtree_page.h"

#include <cstring>

#include "engine/storage/nbtree/nbtree_tuple.h"

namespace minipg::storage::nbtree {

namespace {

constexpr size_t kMetaOffset = kPageHeaderSize;
constexpr size_t kMetaSize = 24;

uint32_t Load32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
void Store32(char* p, uint32_t v) { std::memcpy(p, &v, 4); }

}  // namespace

BtOpaque BtPageGetOpaque(const char* page) {
  const char* sp = page + kBlockSize - kBtSpecialSize;
  BtOpaque o;
  o.prev = Load32(sp);
  o.next = Load32(sp + 4);
  o.level = Load32(sp + 8);
  o.flags = PageGetU16(sp, 12);
  return o;
}

void BtPageSetOpaque(char* page, const BtOpaque& o) {
  char* sp = page + kBlockSize - kBtSpecialSize;
  Store32(sp, o.prev);
  Store32(sp + 4, o.next);
  Store32(sp + 8, o.level);
  PageSetU16(sp, 12, o.flags);
  PageSetU16(sp, 14, 0);
}

void BtPageInit(char* page, const BtOpaque& opaque) {
  PageInit(page, kBtSpecialSize);
  BtPageSetOpaque(page, opaque);
}

void BtInitMetaPage(char* page, const BtMeta& meta) {
  BtPageInit(page, BtOpaque{kBtNone, kBtNone, 0, kBtpMeta});
  char* m = page + kMetaOffset;
  Store32(m, kBtMagic);
  Store32(m + 4, kBtVersion);
  Store32(m + 8, meta.root);
  Store32(m + 12, meta.level);
  Store32(m + 16, meta.fastroot);
  Store32(m + 20, meta.fastlevel);
  PageSetU16(page, kPdLowerOffset, static_cast<uint16_t>(kMetaOffset + kMetaSize));
}

BtMeta BtReadMeta(const char* page) {
  const char* m = page + kMetaOffset;
  return BtMeta{Load32(m + 8), Load32(m + 12), Load32(m + 16), Load32(m + 20)};
}

bool BtIsMetaPage(const char* page) {
  if (PageIsNew(page) || PageGetSpecial(page) != kBlockSize - kBtSpecialSize) return false;
  const char* m = page + kMetaOffset;
  return (BtPageGetOpaque(page).flags & kBtpMeta) != 0 && Load32(m) == kBtMagic && Load32(m + 4) == kBtVersion;
}

std::string_view BtPageItem(const char* page, OffsetNumber off) {
  ItemId id = PageGetItemId(page, off);
  if (id.flags == LpFlags::kDead) id.flags = LpFlags::kNormal;  // an index item keeps its storage
  return PageGetItem(page, id);
}

bool BtItemIsDead(const char* page, OffsetNumber off) { return PageGetItemId(page, off).flags == LpFlags::kDead; }

void BtMarkItemDead(char* page, OffsetNumber off) {
  ItemId id = PageGetItemId(page, off);
  if (id.flags != LpFlags::kNormal) return;
  id.flags = LpFlags::kDead;
  PageSetItemId(page, off, id);
}

bool BtPageInsertItem(char* page, std::string_view item, OffsetNumber off) {
  OffsetNumber max = PageGetMaxOffsetNumber(page);
  if (off < kFirstOffsetNumber || off > max + 1) return false;
  // Add at the end, then rotate its line pointer down into place.
  OffsetNumber added = PageAddItem(page, item, static_cast<OffsetNumber>(max + 1));
  if (added == kInvalidOffsetNumber) return false;
  ItemId id = PageGetItemId(page, added);
  for (OffsetNumber i = added; i > off; --i) PageSetItemId(page, i, PageGetItemId(page, static_cast<OffsetNumber>(i - 1)));
  PageSetItemId(page, off, id);
  return true;
}

void BtAppendItem(std::string& blob, std::string_view item) {
  blob.append(item);
  blob.resize(MaxAlign(blob.size()), '\0');
}

bool BtPageFill(char* page, const BtOpaque& opaque, std::string_view items_blob) {
  BtPageInit(page, opaque);
  size_t pos = 0;
  while (pos < items_blob.size()) {
    size_t len = IndexTupleSize(items_blob.substr(pos));
    if (len == 0 || len > items_blob.size() - pos) return false;
    if (PageAddItem(page, items_blob.substr(pos, len), static_cast<OffsetNumber>(PageGetMaxOffsetNumber(page) + 1)) ==
        kInvalidOffsetNumber) {
      return false;
    }
    pos += MaxAlign(len);
  }
  return true;
}

}  // namespace minipg::storage::nbtree
