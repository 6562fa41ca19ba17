/*-------------------------------------------------------------------------
 * nbtree_build.cpp
 *   CREATE INDEX's bulk build (BtreeBuild; PostgreSQL's nbtsort.c in
 *   spirit): the entries are sorted, then laid into leaf pages left to
 *   right, each filled to 90 % (upper pages 70 %), as PostgreSQL's
 *   fillfactor leaves room for later inserts. When a page is full, the
 *   next entry's key becomes its high key and the downlink of the next
 *   page goes into the level above, started when first needed with a
 *   "minus infinity" downlink to the level's first page. At the end each
 *   level's last page is closed (no high key), the top one is the root,
 *   and the metapage (block 0) says so.
 *
 *   Every page is logged whole in an XLOG FPI record as it is finished
 *   (PostgreSQL's log_newpage), so redo rebuilds the index from the WAL.
 *-------------------------------------------------------------------------
 */
#include <algorithm>

#include <fmt/format.h>

#include "engine/common/sqlstate.h"
#include "engine/storage/heap/xact.h"
#include "engine/storage/nbtree/nbtree_internal.h"
#include "engine/storage/nbtree/nbtree_tuple.h"
#include "engine/storage/wal/wal_records.h"
#include "engine/storage/wal/xlog.h"

namespace minipg::storage::nbtree {

namespace {

constexpr size_t kPageCapacity = kBlockSize - kPageHeaderSize - kBtSpecialSize;
constexpr size_t kLeafFill = kPageCapacity * 90 / 100;
constexpr size_t kUpperFill = kPageCapacity * 70 / 100;

/* One level being built: its current (last) page, held locked. */
struct LevelState {
  BtBuf buf;
  BlockNumber prev = kBtNone;
  std::string items;  // data items, MAXALIGNed
  size_t bytes = 0;   // items and their line pointers
  BlockNumber written = kBtNone;  // the page last finished
};

class Builder {
 public:
  explicit Builder(const BtreeIndex& index) : index_(index) {}

  Status Add(uint32_t level, std::string item) {
    if (level == levels_.size()) {
      auto buf = BtNewPage(index_);
      if (!buf.ok()) return buf.error();
      levels_.push_back(LevelState{std::move(*buf), kBtNone, "", 0, kBtNone});
    }
    size_t need = MaxAlign(item.size()) + kItemIdSize;
    size_t high_key = MaxAlign(item.size()) + kMaxAlign + kItemIdSize;
    size_t fill = level == 0 ? kLeafFill : kUpperFill;
    if (levels_[level].bytes > 0 && levels_[level].bytes + need + high_key > fill) {
      auto next = BtNewPage(index_);
      if (!next.ok()) return next.error();
      BlockNumber next_block = next->block();
      BlockNumber done_block = levels_[level].buf.block();
      std::string blob;
      BtAppendItem(blob, MakePivot(item, kBtNone, index_.columns.size()));
      blob += levels_[level].items;
      if (Status s = Finish(level, blob, next_block); !s.ok()) return s;
      levels_[level].buf = std::move(*next);
      levels_[level].prev = done_block;
      levels_[level].items.clear();
      levels_[level].bytes = 0;
      if (level + 1 == levels_.size()) {
        if (Status s = Add(level + 1, MinusInfinityPivot(done_block)); !s.ok()) return s;
      }
      if (Status s = Add(level + 1, MakePivot(item, next_block, index_.columns.size())); !s.ok()) return s;
      if (level > 0) item = MinusInfinityPivot(BtTupleDownlink(item));  // a new internal page's first downlink
    }
    BtAppendItem(levels_[level].items, item);
    levels_[level].bytes += MaxAlign(item.size()) + kItemIdSize;
    return OkStatus();
  }

  /* Closes every level's last page; the top one is the root. */
  Result<BtMeta> Close() {
    BtMeta meta;
    for (uint32_t level = 0; level < levels_.size(); ++level) {
      bool top = level + 1 == levels_.size();
      if (Status s = Finish(level, levels_[level].items, kBtNone, top); !s.ok()) return s.error();
      if (top) meta = BtMeta{levels_[level].written, level, levels_[level].written, level};
    }
    return meta;
  }

 private:
  /* Writes the level's current page with `items`, its right-link `next`. */
  Status Finish(uint32_t level, const std::string& items, BlockNumber next, bool root = false) {
    LevelState& st = levels_[level];
    uint16_t flags = static_cast<uint16_t>((level == 0 ? kBtpLeaf : 0) | (root ? kBtpRoot : 0));
    if (!BtPageFill(st.buf.page(), BtOpaque{st.prev, next, level, flags}, items)) {
      return BtCorrupt(index_, "built page overflows");
    }
    BtLogNewPage(index_, st.buf);
    st.written = st.buf.block();
    st.buf.Reset();
    return OkStatus();
  }

  const BtreeIndex& index_;
  std::vector<LevelState> levels_;
};

}  // namespace

void BtLogNewPage(const BtreeIndex& index, const BtBuf& buf) {
  wal::XLogBlockRef ref;
  ref.id = 0;
  ref.tag = BufferTag{index.rel, ForkNumber::kMain, buf.block()};
  ref.page = buf.page();
  ref.standard_page = true;
  MarkBufferDirty(buf.get());
  XLogRecPtr end = wal::XLogInsertOrPanic(wal::RmgrId::kXlog, wal::kXlogFpi, GetCurrentTransactionId(), {&ref, 1}, "");
  PageSetLSN(buf.page(), end);
}

Status BtreeBuild(const BtreeIndex& index, std::vector<BtBuildEntry> entries, BtValueText value_text) {
  const auto& cols = index.columns;
  std::sort(entries.begin(), entries.end(), [&cols](const BtBuildEntry& a, const BtBuildEntry& b) {
    for (size_t i = 0; i < cols.size(); ++i) {
      int c = BtCompareDatum(cols[i].type, a.key[i], b.key[i]);
      if (c != 0) return c < 0;
    }
    return BtCompareTid(a.heap_tid, b.heap_tid) < 0;
  });
  if (index.unique) {
    for (size_t i = 1; i < entries.size(); ++i) {
      if (!BtKeysEqualNotNull(cols, entries[i - 1].key, entries[i].key)) continue;
      Error e = MakeError(sqlstate::kUniqueViolation, fmt::format("could not create unique index \"{}\"", index.name));
      e.detail = fmt::format("Key {} is duplicated.", BtKeyDescription(index, entries[i].key, value_text));
      return e;
    }
  }
  auto meta = BtNewPage(index);
  if (!meta.ok()) return meta.error();
  if (meta->block() != kBtMetaBlock) return BtCorrupt(index, "is not empty");
  Builder builder(index);
  for (const BtBuildEntry& e : entries) {
    auto item = FormLeafTuple(cols, e.key, e.heap_tid, index.name);
    if (!item.ok()) return item.error();
    if (Status s = builder.Add(0, std::move(*item)); !s.ok()) return s;
  }
  BtMeta m;
  if (!entries.empty()) {
    auto closed = builder.Close();
    if (!closed.ok()) return closed.error();
    m = *closed;
  }
  BtInitMetaPage(meta->page(), m);
  BtLogNewPage(index, *meta);
  return OkStatus();
}

}  // namespace minipg::storage::nbtree
