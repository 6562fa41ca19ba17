/*-------------------------------------------------------------------------
 * nbtree_search.cpp
 *   Finding the page a key belongs on (nbtree_internal.h): the metapage,
 *   the descent, moving right, binary search within a page.
 *-------------------------------------------------------------------------
 */
#include <fmt/format.h>

#include "engine/common/sqlstate.h"
#include "engine/storage/heap/xact.h"
#include "engine/storage/nbtree/nbtree_internal.h"
#include "engine/storage/nbtree/nbtree_tuple.h"
#include "engine/storage/wal/btree_records.h"
#include "engine/storage/wal/xlog.h"

namespace minipg::storage::nbtree {

namespace {

std::string DefaultValueText(ColumnType /*type*/, const Datum& v) {
  if (IsNull(v)) return "null";
  if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&v)) return fmt::format("{}", *d);
  if (const auto* b = std::get_if<bool>(&v)) return *b ? "t" : "f";
  return std::get<std::string>(v);
}

}  // namespace

Error BtCorrupt(const BtreeIndex& index, std::string what) {
  return MakeError(sqlstate::kIndexCorrupted, fmt::format("index \"{}\" {}", index.name, what));
}

Result<BtBuf> BtReadPage(const BtreeIndex& index, BlockNumber block, BufferLockMode mode) {
  auto b = ReadBuffer(BufferTag{index.rel, ForkNumber::kMain, block});
  if (!b.ok()) return b.error();
  BtBuf buf(*b, mode);
  const char* page = buf.page();
  if (PageIsNew(page)) return BtCorrupt(index, fmt::format("contains unexpected zero page at block {}", block));
  if (PageGetSpecial(page) != kBlockSize - kBtSpecialSize ||
      (block == kBtMetaBlock) != ((buf.opaque().flags & kBtpMeta) != 0)) {
    return BtCorrupt(index, fmt::format("contains corrupted page at block {}", block));
  }
  return buf;
}

Result<BtBuf> BtNewPage(const BtreeIndex& index) {
  auto b = ReadBuffer(BufferTag{index.rel, ForkNumber::kMain, kInvalidBlockNumber});
  if (!b.ok()) return b.error();
  return BtBuf(*b, BufferLockMode::kExclusive);
}

Result<BtMeta> BtGetMeta(const BtreeIndex& index) {
  auto meta = BtReadPage(index, kBtMetaBlock, BufferLockMode::kShare);
  if (!meta.ok()) return meta.error();
  if (!BtIsMetaPage(meta->page())) return BtCorrupt(index, "is not a btree");
  return BtReadMeta(meta->page());
}

Result<OffsetNumber> BtBinarySearch(const BtreeIndex& index, const char* page, const BtSearchKey& key) {
  OffsetNumber low = BtFirstDataKey(BtPageGetOpaque(page));
  OffsetNumber high = static_cast<OffsetNumber>(PageGetMaxOffsetNumber(page) + 1);
  while (low < high) {  // invariant: items before low are <= key, from high on > key
    auto mid = static_cast<OffsetNumber>(low + (high - low) / 2);
    auto c = BtCompareKey(index.columns, key, BtPageItem(page, mid));
    if (!c.ok()) return c.error();
    if (*c >= 0) {
      low = static_cast<OffsetNumber>(mid + 1);
    } else {
      high = mid;
    }
  }
  return low;
}

Status BtMoveRight(const BtreeIndex& index, BtBuf& buf, const BtSearchKey& key, BufferLockMode mode,
                   bool coupled) {
  for (;;) {
    BtOpaque o = buf.opaque();
    if (o.IsRightmost()) return OkStatus();
    auto c = BtCompareKey(index.columns, key, BtPageItem(buf.page(), kBtHikey));
    if (!c.ok()) return c.error();
    if (*c < 0) return OkStatus();
    if (!coupled) buf.Reset();
    auto next = BtReadPage(index, o.next, mode);
    if (!next.ok()) return next.error();
    buf = std::move(*next);
  }
}

Result<BtBuf> BtDescend(const BtreeIndex& index, const BtSearchKey& key, uint32_t level, BufferLockMode mode) {
  auto meta = BtGetMeta(index);
  if (!meta.ok()) return meta.error();
  if (meta->root == kBtNone || meta->level < level) return BtBuf();
  BlockNumber block = meta->root;
  uint32_t at = meta->level;
  for (;;) {
    BufferLockMode m = at == level ? mode : BufferLockMode::kShare;
    auto buf = BtReadPage(index, block, m);
    if (!buf.ok()) return buf.error();
    if (buf->opaque().level != at) {
      return BtCorrupt(index, fmt::format("has page {} at level {} where level {} was expected", block,
                                          buf->opaque().level, at));
    }
    if (Status s = BtMoveRight(index, *buf, key, m); !s.ok()) return s.error();
    if (at == level) return std::move(*buf);
    auto off = BtBinarySearch(index, buf->page(), key);
    if (!off.ok()) return off.error();
    block = BtTupleDownlink(BtPageItem(buf->page(), static_cast<OffsetNumber>(*off - 1)));
    --at;
  }
}

Result<BtSearchKey> BtKeyOf(const BtreeIndex& index, std::string_view tuple) {
  auto values = DeformIndexTuple(index.columns, tuple);
  if (!values.ok()) return values.error();
  return BtSearchKey{std::move(*values), BtTupleHeapTid(tuple), -1};
}

std::string BtKeyDescription(const BtreeIndex& index, const Tuple& key, BtValueText value_text) {
  std::string names;
  std::string values;
  for (size_t i = 0; i < index.columns.size() && i < key.size(); ++i) {
    if (i > 0) {
      names += ", ";
      values += ", ";
    }
    names += index.columns[i].name;
    values += value_text != nullptr ? value_text(index.columns[i].type, key[i])
                                    : DefaultValueText(index.columns[i].type, key[i]);
  }
  return fmt::format("({})=({})", names, values);
}

wal::XLogBlockRef BtRebuiltBlock(const BtreeIndex& index, uint8_t id, BlockNumber block, std::string_view data) {
  wal::XLogBlockRef ref;
  ref.id = id;
  ref.tag = BufferTag{index.rel, ForkNumber::kMain, block};
  ref.will_init = true;
  ref.data = data;
  return ref;
}

void BtLogSingle(const BtreeIndex& index, Buffer buffer, uint8_t info, std::string_view data, std::string_view main,
                 XLogRecPtr old_lsn) {
  char* page = BufferGetPage(buffer);
  wal::XLogBlockRef ref;
  ref.id = 0;
  ref.tag = BufferTag{index.rel, ForkNumber::kMain, BufferGetBlockNumber(buffer)};
  ref.page_if_needed = page;  // XLogInsert decides the image under its lock
  ref.page_lsn = old_lsn;
  ref.data = data;
  MarkBufferDirty(buffer);
  XLogRecPtr end = wal::XLogInsertOrPanic(wal::RmgrId::kBtree, info, GetCurrentTransactionId(), {&ref, 1}, main);
  PageSetLSN(page, end);
}

}  // namespace minipg::storage::nbtree
