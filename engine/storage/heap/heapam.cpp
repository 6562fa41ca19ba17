/*-------------------------------------------------------------------------
 * heapam.cpp
 *   Inserting into and scanning tables through the buffer pool, with WAL
 *   (see heapam.h).
 *-------------------------------------------------------------------------
 */
#include "engine/storage/heap/heapam.h"

#include <utility>

#include "engine/shmem/pgstat.h"
#include "engine/common/sqlstate.h"
#include "engine/storage/buffer/locked_buffer.h"
#include "engine/storage/heap/transam.h"
#include "engine/storage/heap/xact.h"
#include "engine/storage/smgr/free_space.h"
#include "engine/storage/smgr/smgr.h"
#include "engine/storage/wal/wal_records.h"
#include "engine/storage/wal/xlog.h"

namespace minipg::storage {

namespace {

/* Leaves a page: its free space goes into the map. */
Status LeavePage(const RelFileLocator& rel, LockedBuffer& buf) {
  if (!buf.valid()) return OkStatus();
  BlockNumber block = buf.block();
  size_t free_bytes = PageGetFreeSpace(buf.page());
  buf.Reset();
  return RecordPageWithFreeSpace(rel, block, free_bytes);
}

/* A page that may hold `len` more bytes: the free space map's pick, or a
 * new block. Exclusively locked. */
Result<LockedBuffer> PageWithRoom(const RelFileLocator& rel, size_t len) {
  auto found = GetPageWithFreeSpace(rel, len);
  if (!found.ok()) return found.error();
  auto b = ReadBuffer(BufferTag{rel, ForkNumber::kMain, *found});
  if (!b.ok()) return b.error();
  return LockedBuffer(*b, BufferLockMode::kExclusive);
}

/* Puts one tuple on the page, logs it, and marks the page dirty; its TID. */
ItemPointer PlaceTuple(const RelFileLocator& rel, LockedBuffer& buf, std::string& tuple, TransactionId xid) {
  char* page = buf.page();
  bool init = false;
  if (PageIsNew(page)) {
    PageInit(page, 0);
  }
  if (PageGetMaxOffsetNumber(page) == 0) init = true;  // redo may rebuild it from nothing
  XLogRecPtr old_lsn = PageGetLSN(page);
  ItemPointer tid{buf.block(), kInvalidOffsetNumber};
  tid.offset = PageAddItem(page, tuple);
  char* item = PageGetItemData(page, PageGetItemId(page, tid.offset));
  HeapTupleSetCtid(item, tid);

  auto header = HeapTupleGetHeader(tuple);
  std::string data = wal::EncodeHeapTupleData({header->infomask2, header->infomask, header->hoff},
                                              std::string_view(tuple).substr(kHeapTupleHeaderSize));
  wal::XLogBlockRef ref;
  ref.id = 0;
  ref.tag = BufferTag{rel, ForkNumber::kMain, buf.block()};
  ref.will_init = init;
  if (!init) {  // XLogInsert decides, under its lock, whether the image goes in
    ref.page_if_needed = page;
    ref.page_lsn = old_lsn;
  }
  ref.data = data;
  std::string main = wal::EncodePayload(wal::HeapInsertRecord{tid.offset, 0});
  uint8_t info = static_cast<uint8_t>(wal::kHeapInsert | (init ? wal::kHeapInitPage : 0));
  XLogRecPtr end = wal::XLogInsertOrPanic(wal::RmgrId::kHeap, info, xid, {&ref, 1}, main);
  PageSetLSN(page, end);
  MarkBufferDirty(buf.get());
  return tid;
}

/* Whether the current transaction may delete the tuple (see HeapDelete). */
Status CheckDeletable(const HeapTupleHeader& t) {
  auto visible = HeapTupleVisible(t);
  if (!visible.ok()) return visible.error();
  bool xmax_set = (t.infomask & (kHeapXmaxInvalid | kHeapXmaxLockOnly)) == 0 && t.xmax != kInvalidTransactionId;
  if (xmax_set && TransactionIdIsCurrent(t.xmax)) {
    return MakeError(sqlstate::kInternalError, "tuple already updated by self");
  }
  if (xmax_set) {
    auto status = TransactionIdGetStatus(t.xmax);
    if (!status.ok()) return status.error();
    if (*status != XidStatus::kAborted) return MakeError(sqlstate::kInternalError, "tuple concurrently deleted");
  }
  if (!*visible) return MakeError(sqlstate::kInternalError, "attempted to delete invisible tuple");
  return OkStatus();
}

}  // namespace

Status HeapCreateRelation(const RelFileLocator& rel) {
  TransactionId xid = GetCurrentTransactionId();
  std::string main = wal::EncodePayload(wal::SmgrCreateRecord{rel, ForkNumber::kMain});
  auto end = wal::XLogInsert(wal::RmgrId::kStorage, wal::kSmgrCreate, xid, {}, main);
  if (!end.ok()) return end.error();
  XactDropRelationOnAbort(rel);  // a rolled-back CREATE leaves no file
  return SmgrCreate(rel, ForkNumber::kMain);
}

void HeapDropRelation(const RelFileLocator& rel) { XactDropRelationOnCommit(rel); }

Status HeapInsert(const RelFileLocator& rel, const std::vector<ColumnDef>& columns,
                  const std::vector<Tuple>& rows, std::vector<ItemPointer>* tids) {
  if (rows.empty()) return OkStatus();
  TransactionId xid = GetCurrentTransactionId();
  CommandId cid = GetCurrentCommandId();
  LockedBuffer buf;
  for (const Tuple& row : rows) {
    auto tuple = HeapFormTuple(columns, row, xid, cid);
    if (!tuple.ok()) {
      (void)LeavePage(rel, buf);
      return tuple.error();
    }
    for (;;) {
      if (buf.valid() && MaxAlign(tuple->size()) <= PageGetFreeSpace(buf.page())) break;
      if (buf.valid() && PageIsNew(buf.page())) break;  // a fresh block: everything fits
      if (Status s = LeavePage(rel, buf); !s.ok()) return s;
      auto next = PageWithRoom(rel, tuple->size());
      if (!next.ok()) return next.error();
      buf = std::move(*next);
      if (!PageIsNew(buf.page()) && MaxAlign(tuple->size()) > PageGetFreeSpace(buf.page())) {
        // The map was stale (or pointed past the end): record the truth, try again.
        if (Status s = LeavePage(rel, buf); !s.ok()) return s;
        auto fresh = ReadBuffer(BufferTag{rel, ForkNumber::kMain, kInvalidBlockNumber});
        if (!fresh.ok()) return fresh.error();
        buf = LockedBuffer(*fresh, BufferLockMode::kExclusive);
      }
    }
    ItemPointer tid = PlaceTuple(rel, buf, *tuple, xid);
    if (tids != nullptr) tids->push_back(tid);
    pgstat::CountTuplesInserted(rel.db_oid, rel.rel_number, 1);
  }
  return LeavePage(rel, buf);
}

Status HeapDelete(const RelFileLocator& rel, ItemPointer tid) {
  TransactionId xid = GetCurrentTransactionId();
  CommandId cid = GetCurrentCommandId();
  auto b = ReadBuffer(BufferTag{rel, ForkNumber::kMain, tid.block});
  if (!b.ok()) return b.error();
  LockedBuffer buf(*b, BufferLockMode::kExclusive);
  char* page = buf.page();
  char* item = PageIsNew(page) ? nullptr : PageGetItemData(page, PageGetItemId(page, tid.offset));
  if (item == nullptr) return MakeError(sqlstate::kInternalError, "attempted to delete invisible tuple");
  auto header = HeapTupleGetHeader(PageGetItem(page, PageGetItemId(page, tid.offset)));
  if (!header.ok()) return header.error();
  if (Status s = CheckDeletable(*header); !s.ok()) return s;

  XLogRecPtr old_lsn = PageGetLSN(page);
  HeapTupleSetXmax(item, xid);  // clears the xmax hint and lock bits
  HeapTupleSetCid(item, cid);
  HeapTupleSetInfomask2(item, kHeapKeysUpdated, kHeapHotUpdated);
  TransactionId prune = PageGetPruneXid(page);
  if (prune == kInvalidTransactionId || xid < prune) PageSetPruneXid(page, xid);
  uint8_t flags = 0;
  if ((PageGetFlags(page) & kPdAllVisible) != 0) {
    PageSetFlags(page, PageGetFlags(page) & ~kPdAllVisible);
    flags |= wal::kXlhDeleteAllVisibleCleared;
  }
  wal::XLogBlockRef ref;
  ref.id = 0;
  ref.tag = BufferTag{rel, ForkNumber::kMain, tid.block};
  ref.page_if_needed = page;  // XLogInsert decides the full page image, under its lock
  ref.page_lsn = old_lsn;
  std::string main = wal::EncodePayload(wal::HeapDeleteRecord{xid, tid.offset, wal::kXlhlKeysUpdated, flags});
  XLogRecPtr end = wal::XLogInsertOrPanic(wal::RmgrId::kHeap, wal::kHeapDelete, xid, {&ref, 1}, main);
  PageSetLSN(page, end);
  MarkBufferDirty(buf.get());
  pgstat::CountTuplesDeleted(rel.db_oid, rel.rel_number, 1);
  return OkStatus();
}

Result<bool> HeapTupleVisible(const HeapTupleHeader& t) {
  if ((t.infomask & kHeapXminFrozen) == kHeapXminInvalid) return false;
  if (!TransactionIdIsCurrent(t.xmin)) {
    auto committed = TransactionIdDidCommit(t.xmin);
    if (!committed.ok()) return committed.error();
    if (!*committed) return false;
  }
  if ((t.infomask & kHeapXmaxInvalid) != 0 || t.xmax == kInvalidTransactionId ||
      (t.infomask & kHeapXmaxLockOnly) != 0) {
    return true;
  }
  if (TransactionIdIsCurrent(t.xmax)) return false;
  auto deleted = TransactionIdDidCommit(t.xmax);
  if (!deleted.ok()) return deleted.error();
  return !*deleted;
}

Result<bool> HeapTupleVisibleAt(const RelFileLocator& rel, ItemPointer tid) {
  auto b = ReadBuffer(BufferTag{rel, ForkNumber::kMain, tid.block});
  if (!b.ok()) return b.error();
  LockedBuffer buf(*b, BufferLockMode::kShare);
  if (PageIsNew(buf.page())) return false;
  std::string_view item = PageGetItem(buf.page(), PageGetItemId(buf.page(), tid.offset));
  if (item.empty()) return false;
  auto header = HeapTupleGetHeader(item);
  if (!header.ok()) return header.error();
  return HeapTupleVisible(*header);
}

HeapTableScan::HeapTableScan(RelFileLocator rel, std::vector<ColumnDef> columns)
    : rel_(rel), columns_(std::move(columns)) {}

Status HeapTableScan::Open() {
  auto n = SmgrNBlocks(rel_, ForkNumber::kMain);
  if (!n.ok()) return n.error();
  nblocks_ = *n;
  next_block_ = 0;
  pgstat::CountSeqScan(rel_.db_oid, rel_.rel_number);
  return OkStatus();
}

Status HeapTableScan::ReadPage(BlockNumber block) {
  page_rows_.clear();
  pos_ = 0;
  auto b = ReadBuffer(BufferTag{rel_, ForkNumber::kMain, block});
  if (!b.ok()) return b.error();
  LockedBuffer buf(*b, BufferLockMode::kShare);
  const char* page = buf.page();
  if (PageIsNew(page)) return OkStatus();
  OffsetNumber max = PageGetMaxOffsetNumber(page);
  for (OffsetNumber off = kFirstOffsetNumber; off <= max; ++off) {
    std::string_view item = PageGetItem(page, PageGetItemId(page, off));
    if (item.empty()) continue;
    auto header = HeapTupleGetHeader(item);
    if (!header.ok()) return header.error();
    auto visible = HeapTupleVisible(*header);
    if (!visible.ok()) return visible.error();
    if (!*visible) continue;
    auto row = HeapDeformTuple(columns_, item);
    if (!row.ok()) return row.error();
    page_rows_.emplace_back(ItemPointer{block, off}, std::move(*row));
  }
  return OkStatus();
}

Result<std::optional<Tuple>> HeapTableScan::Next() {
  while (pos_ >= page_rows_.size()) {
    if (next_block_ >= nblocks_) return std::optional<Tuple>();
    if (Status s = ReadPage(next_block_++); !s.ok()) return s.error();
  }
  last_tid_ = page_rows_[pos_].first;
  pgstat::CountTuplesReturned(rel_.db_oid, rel_.rel_number, 1);
  return std::optional<Tuple>(std::move(page_rows_[pos_++].second));
}

}  // namespace minipg::storage
