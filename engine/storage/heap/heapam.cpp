/*-------------------------------------------------------------------------
 * heapam.cpp
 *   Inserting into and scanning tables through the buffer pool, with WAL
 *   (see heapam.h).
 *-------------------------------------------------------------------------
 */
#include "engine/storage/heap/heapam.h"
#include "engine/storage/heap/heapam_internal.h"
#include "engine/storage/heap/heap_xmax.h"

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

Status WaitForXact(TransactionId xid, int waits, const XactWaitContext& where) {
  // A subtransaction's xid has no lock of its own: wait for its top-level
  // transaction (longer than PostgreSQL when the subtransaction aborts first).
  if (Status s = WaitForTransactionEnd(xid, where); !s.ok()) return s;
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
  MarkBufferDirty(buf.get());
  XLogRecPtr end = wal::XLogInsertOrPanic(wal::RmgrId::kHeap, info, xid, {&ref, 1}, main);
  PageSetLSN(buf.page(), end);
  return p.tid;
}

/* The target version's TM_Result for the current transaction changing it
 * in `mode` (PostgreSQL's HeapTupleSatisfiesUpdate with heap_update's
 * look at the xmax, see heap_xmax.h): kBeingModified with the member to
 * wait for, kSelfModified, kUpdated / kDeleted by a committed
 * transaction, else kOk; an XX000 error for a version it cannot see
 * ("attempted to update invisible tuple"). */
Result<TmFailure> ClassifyVersion(char* tuple, size_t len, const HeapTupleHeader& t, ItemPointer tid,
                                  const char* verb, Buffer buffer, LockTupleMode mode) {
  TmFailure f;
  // A fresh snapshot seeing every command of the own transaction (a catalog
  // row may be changed by the command that inserted it); a row another
  // transaction changed is caught by its xmax below.
  auto visible = HeapTupleSatisfiesMVCC(tuple, len, GetCatalogSnapshot(), buffer);
  if (!visible.ok()) return visible.error();
  auto check = CheckXmax(t, tid, mode, true);
  if (!check.ok()) return check.error();
  switch (check->kind) {
    case XmaxCheck::Kind::kWait:
      f.result = TmResult::kBeingModified;
      f.xmax = check->wait_for;
      return f;
    case XmaxCheck::Kind::kSelfModified:
    case XmaxCheck::Kind::kUpdated:
    case XmaxCheck::Kind::kDeleted:
      return ChangedRowFailure(*check, t);
    case XmaxCheck::Kind::kFree:
    case XmaxCheck::Kind::kHeld:
      break;
  }
  if (!*visible) return MakeError(sqlstate::kInternalError, fmt::format("attempted to {} invisible tuple", verb));
  return f;
}

/* The classification of the version at `tid` on its exclusively locked
 * page, and its header. */
Result<TmFailure> ClassifyAt(LockedBuffer& buf, ItemPointer tid, const char* verb, LockTupleMode mode,
                             HeapTupleHeader* header_out) {
  char* page = buf.page();
  char* item = PageIsNew(page) || tid.offset < kFirstOffsetNumber || tid.offset > PageGetMaxOffsetNumber(page)
                   ? nullptr
                   : PageGetItemData(page, PageGetItemId(page, tid.offset));
  if (item == nullptr) return MakeError(sqlstate::kInternalError, fmt::format("attempted to {} invisible tuple", verb));
  std::string_view bytes = PageGetItem(page, PageGetItemId(page, tid.offset));
  auto header = HeapTupleGetHeader(bytes);
  if (!header.ok()) return header.error();
  auto f = ClassifyVersion(item, bytes.size(), *header, tid, verb, buf.get(), mode);
  if (f.ok()) {  // after the hint bits
    auto h = HeapTupleGetHeader(bytes);
    if (!h.ok()) return h.error();
    *header_out = *h;
  }
  return f;
}

/* Locks the page of `tid` into `buf` and classifies the version there,
 * waiting out a running updater or conflicting locker (kBeingModified:
 * the tuple lock in `mode`'s heavyweight mode, then XactLockTableWait)
 * as often as one is found. `header` gets the version's header. */
Result<TmFailure> LockAndClassify(const RelFileLocator& rel, ItemPointer tid, const char* verb, LockTupleMode mode,
                                  LockedBuffer& buf, TupleLockGuard& tuple_lock, HeapTupleHeader* header,
                                  std::string_view relname) {
  XactWaitContext where{verb == std::string_view("delete") ? XactWaitOper::kDelete : XactWaitOper::kUpdate, tid,
                        relname};
  for (int waits = 0;; ) {
    auto b = LockPage(rel, tid.block);
    if (!b.ok()) return b.error();
    buf = std::move(*b);
    auto f = ClassifyAt(buf, tid, verb, mode, header);
    if (!f.ok() || f->result != TmResult::kBeingModified) return f;
    buf.Reset();
    if (Status s = tuple_lock.Acquire(rel, tid, TupleLockMode(mode)); !s.ok()) return s.error();
    if (Status s = WaitForXact(f->xmax, ++waits, where); !s.ok()) return s.error();
  }
}

/* Ends the life of the tuple at `offset`: its xmax `x` (the updater or
 * deleter alone, or a MultiXact with the lockers that stay), cmax `cid`,
 * ctid -> `next` (itself for a delete), the page's prune xid (`xid`).
 * PD_ALL_VISIBLE and the map bits are the caller's (ClearAllVisible). */
void EndTupleVersion(char* page, OffsetNumber offset, const NewXmax& x, TransactionId xid, CommandId cid,
                     ItemPointer next) {
  char* item = PageGetItemData(page, PageGetItemId(page, offset));
  auto header = HeapTupleGetHeader(PageGetItem(page, PageGetItemId(page, offset)));
  auto [cid_field, combo] = header.ok() ? HeapTupleCmaxField(*header, cid) : std::make_pair(cid, false);
  SetTupleXmax(item, x);
  HeapTupleSetCid(item, cid_field);
  HeapTupleSetInfomask(item, combo ? kHeapComboCid : 0, combo ? 0 : kHeapComboCid);
  HeapTupleSetCtid(item, next);
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

/* The mode an update takes (PostgreSQL's heap_update): kNoKeyExclusive
 * when no key column changes its value (the old and new values compared
 * as stored), kExclusive when one does or no key columns were given. */
LockTupleMode UpdateLockMode(const RelFileLocator& rel, const std::vector<ColumnDef>& columns, ItemPointer old_tid,
                             const Tuple& new_row, const std::vector<int16_t>* key_attnums) {
  if (key_attnums == nullptr) return LockTupleMode::kExclusive;
  if (key_attnums->empty()) return LockTupleMode::kNoKeyExclusive;
  auto old = HeapFetchRow(rel, columns, old_tid);
  // No row there (the classification reports it), or one of another layout
  // (ALTER TABLE's rewrite: the old version has the dropped column).
  if (!old.ok() || !old->has_value()) return LockTupleMode::kExclusive;
  const Tuple& old_row = **old;
  for (int16_t attnum : *key_attnums) {
    auto i = static_cast<size_t>(attnum - 1);
    if (i >= new_row.size() || i >= old_row.size() || !(old_row[i] == new_row[i])) return LockTupleMode::kExclusive;
  }
  return LockTupleMode::kNoKeyExclusive;
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

Status HeapDelete(const RelFileLocator& rel, ItemPointer tid, TmFailure* tmfd, std::string_view relname) {
  TransactionId xid = GetCurrentTransactionId();
  CommandId cid = GetCurrentCommandId();
  MarkCurrentCommandIdUsed();
  LockedBuffer locked;
  TupleLockGuard tuple_lock;
  HeapTupleHeader header;
  auto found = LockAndClassify(rel, tid, "delete", LockTupleMode::kExclusive, locked, tuple_lock, &header, relname);
  if (!found.ok()) return found.error();
  if (tmfd != nullptr) *tmfd = *found;
  if (found->result != TmResult::kOk) return TmError(*found, tmfd != nullptr);
  auto x = ComputeNewXmax(header, xid, LockTupleMode::kExclusive, true);
  if (!x.ok()) return x.error();
  LockedBuffer* buf = &locked;
  VmBuffer vm;
  if (Status s = PinVmIfAllVisible(rel, *buf, vm); !s.ok()) return s;
  char* page = buf->page();
  XLogRecPtr old_lsn = PageGetLSN(page);
  EndTupleVersion(page, tid.offset, *x, xid, cid, tid);
  uint8_t flags = ClearAllVisible(*buf, vm) ? wal::kXlhDeleteAllVisibleCleared : 0;
  wal::XLogBlockRef ref = BlockRef(rel, 0, *buf, old_lsn);
  std::string main =
      wal::EncodePayload(wal::HeapDeleteRecord{x->xmax, tid.offset, XmaxInfobits(x->infomask, x->infomask2), flags});
  MarkBufferDirty(buf->get());
  XLogRecPtr end = wal::XLogInsertOrPanic(wal::RmgrId::kHeap, wal::kHeapDelete, xid, {&ref, 1}, main);
  PageSetLSN(page, end);
  pgstat::CountTuplesDeleted(rel.db_oid, rel.rel_number, 1);
  return OkStatus();
}

Status HeapUpdate(const RelFileLocator& rel, const std::vector<ColumnDef>& columns, ItemPointer old_tid,
                  const Tuple& new_row, HeapInsertState& state, ItemPointer* new_tid, TmFailure* tmfd,
                  const std::vector<int16_t>* key_attnums, std::string_view relname) {
  TransactionId xid = GetCurrentTransactionId();
  CommandId cid = GetCurrentCommandId();
  MarkCurrentCommandIdUsed();
  auto tuple = HeapFormTuple(columns, new_row, xid, cid);
  if (!tuple.ok()) return tuple.error();
  HeapTupleSetInfomask(tuple->data(), kHeapUpdated);
  LockTupleMode mode = UpdateLockMode(rel, columns, old_tid, new_row, key_attnums);
  LockedBuffer old;
  LockedBuffer other;  // the new version's page when it is not the old one
  TupleLockGuard tuple_lock;
  HeapTupleHeader header;
  for (;;) {
    auto found = LockAndClassify(rel, old_tid, "update", mode, old, tuple_lock, &header, relname);
    if (!found.ok()) return found.error();
    if (tmfd != nullptr) *tmfd = *found;
    if (found->result != TmResult::kOk) return TmError(*found, tmfd != nullptr);
    if (MaxAlign(tuple->size()) <= PageGetFreeSpace(old.page())) break;
    old.Reset();
    if (Status s = LockOldAndNewPages(rel, old_tid.block, tuple->size(), state, old, other); !s.ok()) return s;
    // The old page was unlocked meanwhile: ask again; another writer that
    // got to the row in between is waited for (and followed) as above.
    auto again = ClassifyAt(old, old_tid, "update", mode, &header);
    if (!again.ok()) return again.error();
    if (again->result == TmResult::kOk) break;
    old.Reset();
    other.Reset();
  }
  // The old version's xmax keeps the lockers that stay (a FOR KEY SHARE
  // beside this non-key update), and the new version carries them too.
  auto old_xmax = ComputeNewXmax(header, xid, mode, true);
  if (!old_xmax.ok()) return old_xmax.error();
  auto new_xmax = XmaxForNewVersion(header);
  if (!new_xmax.ok()) return new_xmax.error();
  if (new_xmax->xmax != kInvalidTransactionId) SetTupleXmax(tuple->data(), *new_xmax);
  LockedBuffer& target = other.valid() ? other : old;
  VmBuffer vm_old, vm_new;
  if (Status s = PinVmIfAllVisible(rel, old, vm_old); !s.ok()) return s;
  if (other.valid()) {
    if (Status s = PinVmIfAllVisible(rel, other, vm_new); !s.ok()) return s;
  }
  XLogRecPtr old_page_lsn = PageGetLSN(old.page());
  Placed placed = AddTuple(target, *tuple);
  EndTupleVersion(old.page(), old_tid.offset, *old_xmax, xid, cid, placed.tid);
  uint8_t flags = ClearAllVisible(old, vm_old) ? wal::kXlhUpdateOldAllVisibleCleared : 0;
  if (other.valid() && ClearAllVisible(other, vm_new)) flags |= wal::kXlhUpdateNewAllVisibleCleared;

  std::vector<wal::XLogBlockRef> refs;
  refs.push_back(BlockRef(rel, 0, target, other.valid() ? placed.old_lsn : old_page_lsn, placed.init));
  refs.back().data = placed.data;
  if (other.valid()) refs.push_back(BlockRef(rel, 1, old, old_page_lsn));
  std::string main = wal::EncodePayload(wal::HeapUpdateRecord{old_xmax->xmax, old_tid.offset,
                                                              XmaxInfobits(old_xmax->infomask, old_xmax->infomask2),
                                                              flags, new_xmax->xmax, placed.tid.offset});
  uint8_t info = static_cast<uint8_t>(wal::kHeapUpdate | (placed.init ? wal::kHeapInitPage : 0));
  for (LockedBuffer* b : {&old, &other}) {
    if (b->valid()) MarkBufferDirty(b->get());
  }
  XLogRecPtr end = wal::XLogInsertOrPanic(wal::RmgrId::kHeap, info, xid, refs, main);
  for (LockedBuffer* b : {&old, &other}) {
    if (b->valid()) PageSetLSN(b->page(), end);
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

HeapTableScan::HeapTableScan(RelFileLocator rel, std::vector<ColumnDef> columns, std::optional<Snapshot> snapshot,
                             const ScanKey* key)
    : rel_(rel), columns_(std::move(columns)), snapshot_(std::move(snapshot)), key_(key) {}

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
    if (key_ != nullptr) {
      auto head = HeapDeformTuple(columns_, item, key_->column + 1);
      if (!head.ok()) return head.error();
      if (key_->column >= head->size() || !key_->matches((*head)[key_->column])) continue;
    }
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
