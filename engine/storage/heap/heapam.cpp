/*-------------------------------------------------------------------------
 * heapam.cpp
 *   Inserting into and scanning tables through the buffer pool, with WAL
 *   (see heapam.h).
 *-------------------------------------------------------------------------
 */
#include "engine/storage/heap/heapam.h"
#include "engine/storage/heap/heapam_internal.h"

#include <unistd.h>

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "engine/common/interrupts.h"
#include "engine/shmem/backend_status.h"
#include "engine/shmem/pgstat.h"
#include "engine/common/sqlstate.h"
#include "engine/storage/buffer/locked_buffer.h"
#include "engine/storage/heap/subtrans.h"
#include "engine/storage/heap/procarray.h"
#include "engine/storage/heap/transam.h"
#include "engine/storage/heap/xact.h"
#include "engine/storage/lmgr/lock.h"
#include "engine/storage/smgr/free_space.h"
#include "engine/storage/smgr/smgr.h"
#include "engine/storage/wal/wal_records.h"
#include "engine/storage/wal/xlog.h"

namespace minipg::storage {

namespace heap_internal {

wal::XLogBlockRef BlockRef(const RelFileLocator& rel, uint8_t id, const LockedBuffer& buf, XLogRecPtr old_lsn,
                           bool init) {
  wal::XLogBlockRef ref;
  ref.id = id;
  ref.tag = BufferTag{rel, ForkNumber::kMain, buf.block()};
  ref.will_init = init;
  if (!init) {
    ref.page_if_needed = buf.page();
    ref.page_lsn = old_lsn;
  }
  return ref;
}

Result<LockedBuffer> LockPage(const RelFileLocator& rel, BlockNumber block) {
  auto b = ReadBuffer(BufferTag{rel, ForkNumber::kMain, block});
  if (!b.ok()) return b.error();
  return LockedBuffer(*b, BufferLockMode::kExclusive);
}

Status PinVmIfAllVisible(const RelFileLocator& rel, const LockedBuffer& buf, VmBuffer& vm) {
  if (PageIsNew(buf.page()) || (PageGetFlags(buf.page()) & kPdAllVisible) == 0) return OkStatus();
  return VisibilityMapPin(rel, buf.block(), vm);
}

bool ClearAllVisible(LockedBuffer& buf, VmBuffer& vm, uint8_t vm_flags) {
  char* page = buf.page();
  if (PageIsNew(page) || (PageGetFlags(page) & kPdAllVisible) == 0) return false;
  if (vm_flags != kVmValidBits) return vm.valid() && VisibilityMapClear(buf.block(), vm, vm_flags);
  PageSetFlags(page, PageGetFlags(page) & ~kPdAllVisible);
  if (vm.valid()) VisibilityMapClear(buf.block(), vm, vm_flags);
  return true;
}

Status TmError(const TmFailure& f, bool have_tmfd) {
  if (f.result == TmResult::kSelfModified) {
    return have_tmfd ? OkStatus() : MakeError(sqlstate::kInternalError, "tuple already updated by self");
  }
  bool updated = f.result == TmResult::kUpdated;
  if (have_tmfd && XactIsolation() >= IsolationLevel::kRepeatableRead) {
    return MakeError(kSerializationFailure, updated ? "could not serialize access due to concurrent update"
                                                    : "could not serialize access due to concurrent delete");
  }
  if (have_tmfd) return OkStatus();
  return MakeError(sqlstate::kInternalError, updated ? "tuple concurrently updated" : "tuple concurrently deleted");
}

Status TupleLockGuard::Acquire(const RelFileLocator& rel, ItemPointer tid, lmgr::LockMode lock_mode) {
  if (held) return OkStatus();
  tag = lmgr::LockTag{lmgr::LockTagType::kTuple, rel.db_oid, rel.rel_number, tid.block, tid.offset};
  mode = lock_mode;
  if (Status s = lmgr::LockAcquire(tag, mode); !s.ok()) return s;
  held = true;
  return OkStatus();
}

Status WaitForXact(TransactionId xid, int waits) {
  // A subtransaction's xid has no lock of its own: wait for its top-level
  // transaction (longer than PostgreSQL when the subtransaction aborts first).
  TransactionId top = SubTransGetTopmostTransaction(xid);
  if (top == kInvalidTransactionId) top = xid;
  if (Status s = lmgr::XactLockTableWait(top); !s.ok()) return s;
  if (Status s = CheckForInterrupts(); !s.ok()) return s;
  if (waits > 1) usleep(1000);  // still running after its lock was free: ending now
  return OkStatus();
}

}  // namespace heap_internal

using namespace heap_internal;

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

/* An exclusively locked page with room for `len` bytes: the state's page
 * if the tuple fits there, else the free space map's pick, else a new
 * block. A page left behind gets its free space recorded in the map. */
Result<LockedBuffer> TargetPage(const RelFileLocator& rel, size_t len, HeapInsertState& state) {
  if (state.block != kInvalidBlockNumber) {
    auto b = ReadBuffer(BufferTag{rel, ForkNumber::kMain, state.block});
    if (!b.ok()) return b.error();
    LockedBuffer buf(*b, BufferLockMode::kExclusive);
    if (PageIsNew(buf.page()) || MaxAlign(len) <= PageGetFreeSpace(buf.page())) return buf;
    state.block = kInvalidBlockNumber;
    if (Status s = LeavePage(rel, buf); !s.ok()) return s.error();
  }
  auto next = PageWithRoom(rel, len);
  if (!next.ok()) return next.error();
  LockedBuffer buf = std::move(*next);
  if (!PageIsNew(buf.page()) && MaxAlign(len) > PageGetFreeSpace(buf.page())) {
    // The map was stale (or pointed past the end): record the truth, extend.
    if (Status s = LeavePage(rel, buf); !s.ok()) return s.error();
    auto fresh = ReadBuffer(BufferTag{rel, ForkNumber::kMain, kInvalidBlockNumber});
    if (!fresh.ok()) return fresh.error();
    buf = LockedBuffer(*fresh, BufferLockMode::kExclusive);
  }
  state.block = buf.block();
  return buf;
}

/* A tuple just put on a page: where, and what its WAL record needs. */
struct Placed {
  ItemPointer tid;
  bool init = false;    // the page was empty: redo may rebuild it from nothing
  XLogRecPtr old_lsn = 0;
  std::string data;     // the block data: HeapTupleWalHeader + the tuple's body
};

/* Adds the tuple to the locked page, its ctid set to its own TID. */
Placed AddTuple(LockedBuffer& buf, std::string& tuple) {
  char* page = buf.page();
  if (PageIsNew(page)) PageInit(page, 0);
  Placed p;
  p.init = PageGetMaxOffsetNumber(page) == 0;
  p.old_lsn = PageGetLSN(page);
  p.tid = ItemPointer{buf.block(), kInvalidOffsetNumber};
  p.tid.offset = PageAddItem(page, tuple);
  HeapTupleSetCtid(PageGetItemData(page, PageGetItemId(page, p.tid.offset)), p.tid);
  auto header = HeapTupleGetHeader(tuple);
  p.data = wal::EncodeHeapTupleData({header->infomask2, header->infomask, header->hoff},
                                    std::string_view(tuple).substr(kHeapTupleHeaderSize));
  return p;
}

/* Puts one tuple on the page (clearing its all-visible bits), logs it,
 * and marks the page dirty; its TID. */
Result<ItemPointer> PlaceTuple(const RelFileLocator& rel, LockedBuffer& buf, std::string& tuple, TransactionId xid) {
  VmBuffer vm;
  if (Status s = PinVmIfAllVisible(rel, buf, vm); !s.ok()) return s.error();
  Placed p = AddTuple(buf, tuple);
  uint8_t flags = ClearAllVisible(buf, vm) ? wal::kXlhInsertAllVisibleCleared : 0;
  wal::XLogBlockRef ref = BlockRef(rel, 0, buf, p.old_lsn, p.init);
  ref.data = p.data;
  std::string main = wal::EncodePayload(wal::HeapInsertRecord{p.tid.offset, flags});
  uint8_t info = static_cast<uint8_t>(wal::kHeapInsert | (p.init ? wal::kHeapInitPage : 0));
  XLogRecPtr end = wal::XLogInsertOrPanic(wal::RmgrId::kHeap, info, xid, {&ref, 1}, main);
  PageSetLSN(buf.page(), end);
  MarkBufferDirty(buf.get());
  return p.tid;
}

/* The target version's TM_Result for the current transaction (PostgreSQL's
 * HeapTupleSatisfiesUpdate, see heapam.h); an XX000 error for a version it
 * cannot see ("attempted to update invisible tuple"). */
Result<TmFailure> ClassifyVersion(char* tuple, size_t len, const HeapTupleHeader& t, ItemPointer tid,
                                  const char* verb, Buffer buffer) {
  TmFailure f;
  // A fresh snapshot seeing every command of the own transaction (a catalog
  // row may be changed by the command that inserted it); a row another
  // transaction changed is caught by its xmax below.
  auto visible = HeapTupleSatisfiesMVCC(tuple, len, GetCatalogSnapshot(), buffer);
  if (!visible.ok()) return visible.error();
  // A row another running transaction locked (SELECT ... FOR ...) is
  // waited for as one it updates (heap_lock.cpp).
  auto locker = RunningLocker(t);
  if (!locker.ok()) return locker.error();
  if (*locker != kInvalidTransactionId) {
    f.result = TmResult::kBeingModified;
    f.xmax = *locker;
    return f;
  }
  bool xmax_set = (t.infomask & (kHeapXmaxInvalid | kHeapXmaxLockOnly)) == 0 && t.xmax != kInvalidTransactionId;
  if (xmax_set && TransactionIdIsCurrent(t.xmax)) {
    f.result = TmResult::kSelfModified;
    return f;
  }
  if (xmax_set) {
    auto fate = TransactionIdFate(t.xmax);
    if (!fate.ok()) return fate.error();
    if (*fate != XidFate::kAborted) {
      bool updated = t.ctid.block != tid.block || t.ctid.offset != tid.offset;
      f.xmax = t.xmax;
      f.ctid = t.ctid;
      f.result = *fate == XidFate::kRunning ? TmResult::kBeingModified
                 : updated                  ? TmResult::kUpdated
                                            : TmResult::kDeleted;
      return f;
    }
  }
  if (!*visible) return MakeError(sqlstate::kInternalError, fmt::format("attempted to {} invisible tuple", verb));
  return f;
}

/* The classification of the version at `tid` on its exclusively locked page. */
Result<TmFailure> ClassifyAt(LockedBuffer& buf, ItemPointer tid, const char* verb) {
  char* page = buf.page();
  char* item = PageIsNew(page) ? nullptr : PageGetItemData(page, PageGetItemId(page, tid.offset));
  if (item == nullptr) return MakeError(sqlstate::kInternalError, fmt::format("attempted to {} invisible tuple", verb));
  std::string_view bytes = PageGetItem(page, PageGetItemId(page, tid.offset));
  auto header = HeapTupleGetHeader(bytes);
  if (!header.ok()) return header.error();
  return ClassifyVersion(item, bytes.size(), *header, tid, verb, buf.get());
}

/* Locks the page of `tid` into `buf` and classifies the version there,
 * waiting out an in-progress updater (kBeingModified: the tuple lock, then
 * XactLockTableWait) as often as one is found. */
Result<TmFailure> LockAndClassify(const RelFileLocator& rel, ItemPointer tid, const char* verb, LockedBuffer& buf,
                                  TupleLockGuard& tuple_lock) {
  for (int waits = 0;; ) {
    auto b = LockPage(rel, tid.block);
    if (!b.ok()) return b.error();
    buf = std::move(*b);
    auto f = ClassifyAt(buf, tid, verb);
    if (!f.ok() || f->result != TmResult::kBeingModified) return f;
    buf.Reset();
    if (Status s = tuple_lock.Acquire(rel, tid, lmgr::LockMode::kExclusive); !s.ok()) return s.error();
    if (Status s = WaitForXact(f->xmax, ++waits); !s.ok()) return s.error();
  }
}

/* Ends the life of the tuple at `offset`: xmax = `xid` (the xmax hint and
 * lock bits cleared), cmax `cid`, ctid -> `next` (itself for a delete),
 * HEAP_KEYS_UPDATED for a delete (an update here changes no key), the
 * page's prune xid. */
void EndTupleVersion(char* page, OffsetNumber offset, TransactionId xid, CommandId cid, ItemPointer next,
                        bool is_delete) {
  char* item = PageGetItemData(page, PageGetItemId(page, offset));
  auto header = HeapTupleGetHeader(PageGetItem(page, PageGetItemId(page, offset)));
  auto [cid_field, combo] = header.ok() ? HeapTupleCmaxField(*header, cid) : std::make_pair(cid, false);
  HeapTupleSetXmax(item, xid);
  HeapTupleSetCid(item, cid_field);
  HeapTupleSetInfomask(item, combo ? kHeapComboCid : 0, combo ? 0 : kHeapComboCid);
  HeapTupleSetCtid(item, next);
  if (is_delete) {
    HeapTupleSetInfomask2(item, kHeapKeysUpdated, kHeapHotUpdated);
  } else {
    HeapTupleSetInfomask2(item, 0, kHeapKeysUpdated | kHeapHotUpdated);
  }
  TransactionId prune = PageGetPruneXid(page);
  if (prune == kInvalidTransactionId || xid < prune) PageSetPruneXid(page, xid);
}

/* For an update whose new version does not fit on the old page (`old`,
 * unlocked on entry): both pages locked, in block order (so two updaters
 * never wait on each other in a cycle), the other one with room for
 * `len` bytes. `other` stays invalid if the old page itself has room. */
Status LockOldAndNewPages(const RelFileLocator& rel, BlockNumber old_block, size_t len, HeapInsertState& state,
                          LockedBuffer& old, LockedBuffer& other) {
  for (;;) {
    auto target = TargetPage(rel, len, state);
    if (!target.ok()) return target.error();
    if (target->block() == old_block) {
      old = std::move(*target);
      return OkStatus();
    }
    BlockNumber block = target->block();
    if (block > old_block) target->Reset();  // old page first
    auto o = LockPage(rel, old_block);
    if (!o.ok()) return o.error();
    old = std::move(*o);
    if (!target->valid()) {
      auto t = LockPage(rel, block);
      if (!t.ok()) return t.error();
      *target = std::move(*t);
    }
    if (PageIsNew(target->page()) || MaxAlign(len) <= PageGetFreeSpace(target->page())) {
      other = std::move(*target);
      return OkStatus();
    }
    state.block = kInvalidBlockNumber;  // filled meanwhile: look again
    target->Reset();
    old.Reset();
  }
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
  HeapInsertState state;
  for (const Tuple& row : rows) {
    ItemPointer tid;
    if (Status s = HeapInsertRow(rel, columns, row, state, &tid); !s.ok()) {
      (void)HeapInsertFinish(rel, state);
      return s;
    }
    if (tids != nullptr) tids->push_back(tid);
  }
  return HeapInsertFinish(rel, state);
}

Status HeapInsertRow(const RelFileLocator& rel, const std::vector<ColumnDef>& columns, const Tuple& row,
                     HeapInsertState& state, ItemPointer* tid) {
  TransactionId xid = GetCurrentTransactionId();
  MarkCurrentCommandIdUsed();
  auto tuple = HeapFormTuple(columns, row, xid, GetCurrentCommandId());
  if (!tuple.ok()) return tuple.error();
  auto buf = TargetPage(rel, tuple->size(), state);
  if (!buf.ok()) return buf.error();
  auto placed = PlaceTuple(rel, *buf, *tuple, xid);
  if (!placed.ok()) return placed.error();
  if (tid != nullptr) *tid = *placed;
  pgstat::CountTuplesInserted(rel.db_oid, rel.rel_number, 1);
  return OkStatus();
}

Status HeapInsertFinish(const RelFileLocator& rel, HeapInsertState& state) {
  if (state.block == kInvalidBlockNumber) return OkStatus();
  auto b = ReadBuffer(BufferTag{rel, ForkNumber::kMain, std::exchange(state.block, kInvalidBlockNumber)});
  if (!b.ok()) return b.error();
  LockedBuffer buf(*b, BufferLockMode::kShare);
  return LeavePage(rel, buf);
}

Status HeapDelete(const RelFileLocator& rel, ItemPointer tid, TmFailure* tmfd) {
  TransactionId xid = GetCurrentTransactionId();
  CommandId cid = GetCurrentCommandId();
  MarkCurrentCommandIdUsed();
  LockedBuffer locked;
  TupleLockGuard tuple_lock;
  auto found = LockAndClassify(rel, tid, "delete", locked, tuple_lock);
  if (!found.ok()) return found.error();
  if (tmfd != nullptr) *tmfd = *found;
  if (found->result != TmResult::kOk) return TmError(*found, tmfd != nullptr);
  LockedBuffer* buf = &locked;
  VmBuffer vm;
  if (Status s = PinVmIfAllVisible(rel, *buf, vm); !s.ok()) return s;
  char* page = buf->page();
  XLogRecPtr old_lsn = PageGetLSN(page);
  EndTupleVersion(page, tid.offset, xid, cid, tid, true);
  uint8_t flags = ClearAllVisible(*buf, vm) ? wal::kXlhDeleteAllVisibleCleared : 0;
  wal::XLogBlockRef ref = BlockRef(rel, 0, *buf, old_lsn);
  std::string main = wal::EncodePayload(wal::HeapDeleteRecord{xid, tid.offset, wal::kXlhlKeysUpdated, flags});
  XLogRecPtr end = wal::XLogInsertOrPanic(wal::RmgrId::kHeap, wal::kHeapDelete, xid, {&ref, 1}, main);
  PageSetLSN(page, end);
  MarkBufferDirty(buf->get());
  pgstat::CountTuplesDeleted(rel.db_oid, rel.rel_number, 1);
  return OkStatus();
}

Status HeapUpdate(const RelFileLocator& rel, const std::vector<ColumnDef>& columns, ItemPointer old_tid,
                  const Tuple& new_row, HeapInsertState& state, ItemPointer* new_tid, TmFailure* tmfd) {
  TransactionId xid = GetCurrentTransactionId();
  CommandId cid = GetCurrentCommandId();
  MarkCurrentCommandIdUsed();
  auto tuple = HeapFormTuple(columns, new_row, xid, cid);
  if (!tuple.ok()) return tuple.error();
  HeapTupleSetInfomask(tuple->data(), kHeapUpdated);
  LockedBuffer old;
  LockedBuffer other;  // the new version's page when it is not the old one
  TupleLockGuard tuple_lock;
  for (;;) {
    auto found = LockAndClassify(rel, old_tid, "update", old, tuple_lock);
    if (!found.ok()) return found.error();
    if (tmfd != nullptr) *tmfd = *found;
    if (found->result != TmResult::kOk) return TmError(*found, tmfd != nullptr);
    if (MaxAlign(tuple->size()) <= PageGetFreeSpace(old.page())) break;
    old.Reset();
    if (Status s = LockOldAndNewPages(rel, old_tid.block, tuple->size(), state, old, other); !s.ok()) return s;
    // The old page was unlocked meanwhile: ask again; another writer that
    // got to the row in between is waited for (and followed) as above.
    auto again = ClassifyAt(old, old_tid, "update");
    if (!again.ok()) return again.error();
    if (again->result == TmResult::kOk) break;
    old.Reset();
    other.Reset();
  }
  LockedBuffer& target = other.valid() ? other : old;
  VmBuffer vm_old, vm_new;
  if (Status s = PinVmIfAllVisible(rel, old, vm_old); !s.ok()) return s;
  if (other.valid()) {
    if (Status s = PinVmIfAllVisible(rel, other, vm_new); !s.ok()) return s;
  }
  XLogRecPtr old_page_lsn = PageGetLSN(old.page());
  Placed placed = AddTuple(target, *tuple);
  EndTupleVersion(old.page(), old_tid.offset, xid, cid, placed.tid, false);
  uint8_t flags = ClearAllVisible(old, vm_old) ? wal::kXlhUpdateOldAllVisibleCleared : 0;
  if (other.valid() && ClearAllVisible(other, vm_new)) flags |= wal::kXlhUpdateNewAllVisibleCleared;

  std::vector<wal::XLogBlockRef> refs;
  refs.push_back(BlockRef(rel, 0, target, other.valid() ? placed.old_lsn : old_page_lsn, placed.init));
  refs.back().data = placed.data;
  if (other.valid()) refs.push_back(BlockRef(rel, 1, old, old_page_lsn));
  std::string main =
      wal::EncodePayload(wal::HeapUpdateRecord{xid, old_tid.offset, 0, flags, kInvalidTransactionId, placed.tid.offset});
  uint8_t info = static_cast<uint8_t>(wal::kHeapUpdate | (placed.init ? wal::kHeapInitPage : 0));
  XLogRecPtr end = wal::XLogInsertOrPanic(wal::RmgrId::kHeap, info, xid, refs, main);
  for (LockedBuffer* b : {&old, &other}) {
    if (!b->valid()) continue;
    PageSetLSN(b->page(), end);
    MarkBufferDirty(b->get());
  }
  if (other.valid()) state.block = other.block();
  if (new_tid != nullptr) *new_tid = placed.tid;
  pgstat::CountTuplesUpdated(rel.db_oid, rel.rel_number, 1);
  return OkStatus();
}

Result<bool> HeapTupleVisibleAt(const RelFileLocator& rel, ItemPointer tid) {
  auto b = ReadBuffer(BufferTag{rel, ForkNumber::kMain, tid.block});
  if (!b.ok()) return b.error();
  LockedBuffer buf(*b, BufferLockMode::kShare);
  if (PageIsNew(buf.page())) return false;
  if (tid.offset < kFirstOffsetNumber || tid.offset > PageGetMaxOffsetNumber(buf.page())) return false;
  std::string_view item = PageGetItem(buf.page(), PageGetItemId(buf.page(), tid.offset));
  if (item.empty()) return false;
  return HeapTupleSatisfiesMVCC(const_cast<char*>(item.data()), item.size(), GetCatalogSnapshot(), buf.get());
}

namespace {

/* The row version at `tid`; with only_visible, nullopt unless the current
 * transaction sees it. */
Result<std::optional<Tuple>> FetchAt(const RelFileLocator& rel, const std::vector<ColumnDef>& columns, ItemPointer tid,
                                     bool only_visible, HeapTupleHeader* header = nullptr) {
  auto b = ReadBuffer(BufferTag{rel, ForkNumber::kMain, tid.block});
  if (!b.ok()) return b.error();
  LockedBuffer buf(*b, BufferLockMode::kShare);
  const char* page = buf.page();
  if (PageIsNew(page) || tid.offset < kFirstOffsetNumber || tid.offset > PageGetMaxOffsetNumber(page)) {
    return std::optional<Tuple>();
  }
  std::string_view item = PageGetItem(page, PageGetItemId(page, tid.offset));
  if (item.empty()) return std::optional<Tuple>();
  if (only_visible) {
    auto visible = HeapTupleSatisfiesMVCC(const_cast<char*>(item.data()), item.size(), GetScanSnapshot(), buf.get());
    if (!visible.ok()) return visible.error();
    if (!*visible) return std::optional<Tuple>();
  }
  auto row = HeapDeformTuple(columns, item);
  if (!row.ok()) return row.error();
  if (header != nullptr) {
    auto h = HeapTupleGetHeader(item);
    if (!h.ok()) return h.error();
    *header = *h;
  }
  return std::optional<Tuple>(std::move(*row));
}

}  // namespace

Result<std::optional<Tuple>> HeapFetch(const RelFileLocator& rel, const std::vector<ColumnDef>& columns,
                                       ItemPointer tid) {
  auto row = FetchAt(rel, columns, tid, true);
  if (row.ok() && row->has_value()) pgstat::CountTuplesFetched(rel.db_oid, rel.rel_number, 1);
  return row;
}

Result<std::optional<Tuple>> HeapFetchRow(const RelFileLocator& rel, const std::vector<ColumnDef>& columns,
                                          ItemPointer tid) {
  return FetchAt(rel, columns, tid, false);
}

HeapTableScan::HeapTableScan(RelFileLocator rel, std::vector<ColumnDef> columns, std::optional<Snapshot> snapshot)
    : rel_(rel), columns_(std::move(columns)), snapshot_(std::move(snapshot)) {}

Status HeapTableScan::Open() {
  auto n = SmgrNBlocks(rel_, ForkNumber::kMain);
  if (!n.ok()) return n.error();
  nblocks_ = *n;
  next_block_ = 0;
  if (!snapshot_.has_value()) snapshot_ = GetScanSnapshot();
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
    auto visible = HeapTupleSatisfiesMVCC(const_cast<char*>(item.data()), item.size(), *snapshot_, buf.get());
    if (!visible.ok()) return visible.error();
    if (!*visible) continue;
    auto row = HeapDeformTuple(columns_, item);
    if (!row.ok()) return row.error();
    auto header = HeapTupleGetHeader(item);  // after the hint bits
    if (!header.ok()) return header.error();
    page_rows_.push_back(PageRow{ItemPointer{block, off}, *header, std::move(*row)});
  }
  return OkStatus();
}

Result<std::optional<Tuple>> HeapTableScan::Next() {
  while (pos_ >= page_rows_.size()) {
    if (next_block_ >= nblocks_) return std::optional<Tuple>();
    if (Status s = ReadPage(next_block_++); !s.ok()) return s.error();
  }
  last_tid_ = page_rows_[pos_].tid;
  last_header_ = page_rows_[pos_].header;
  pgstat::CountTuplesReturned(rel_.db_oid, rel_.rel_number, 1);
  return std::optional<Tuple>(std::move(page_rows_[pos_++].row));
}

}  // namespace minipg::storage

namespace minipg::storage {

Result<std::optional<Tuple>> HeapFetchVersion(const RelFileLocator& rel, const std::vector<ColumnDef>& columns,
                                              ItemPointer tid, HeapTupleHeader* header) {
  return FetchAt(rel, columns, tid, false, header);
}

}  // namespace minipg::storage
