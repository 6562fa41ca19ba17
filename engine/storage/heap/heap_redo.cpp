/*-------------------------------------------------------------------------
 * heap_redo.cpp
 *   Redo of the Heap, Transaction, Storage and Database records (see
 *   heap_redo.h).
 *-------------------------------------------------------------------------
 */
#include "engine/storage/heap/heap_redo.h"

#include <cstring>
#include <filesystem>
#include <optional>
#include <vector>
#include <string>

#include <fmt/format.h>

#include "engine/common/sqlstate.h"
#include "engine/storage/global_catalog.h"
#include "engine/storage/heap/dbase.h"
#include "engine/storage/heap/multixact.h"
#include "engine/storage/heap/pruneheap.h"
#include "engine/storage/heap/transam.h"
#include "engine/storage/heap/visibilitymap.h"
#include "engine/storage/heap/xact.h"
#include "engine/storage/page/heap_tuple.h"
#include "engine/storage/smgr/free_space.h"
#include "engine/storage/smgr/smgr.h"
#include "engine/storage/wal/wal_records.h"
#include "engine/storage/wal/wal_rmgr.h"

namespace minipg::storage {

namespace {

Error Malformed(const wal::DecodedRecord& rec) {
  return MakeError(sqlstate::kDataCorrupted,
                   fmt::format("malformed {} record at {}", wal::IdentifyRecord(rec), FormatLsn(rec.lsn)));
}

void Done(Buffer b) {
  UnlockBuffer(b);
  ReleaseBuffer(b);
}

/* Reads the page; one that fails verification is first overwritten with
 * what the record rebuilds it from. */
Result<Buffer> ReadForRedo(const wal::DecodedBlock& block) {
  auto b = ReadBuffer(block.tag);
  if (b.ok() || !(block.has_image || block.will_init())) return b;
  std::string page = block.has_image ? wal::RestoreBlockImage(block) : std::string(kBlockSize, '\0');
  if (Status s = SmgrWrite(block.tag, page.data()); !s.ok()) return s.error();
  return ReadBuffer(block.tag);
}

/* Redo of one block of a heap record whose main data is a `Payload`: when
 * the block's page needs the change (RedoReadBuffer), `apply(page, main,
 * block)` makes it, and the page gets the record's end as its LSN. */
template <typename Payload, typename Apply>
Status RedoHeapBlock(const wal::DecodedRecord& rec, Apply apply, uint8_t block_id = 0) {
  auto main = wal::DecodePayload<Payload>(rec.main_data);
  const wal::DecodedBlock* block = rec.Block(block_id);
  if (!main || block == nullptr) return Malformed(rec);
  Buffer b = kInvalidBuffer;
  auto action = RedoReadBuffer(rec, block_id, &b);
  if (!action.ok()) return action.error();
  if (*action != RedoAction::kNeedsRedo) {
    if (*action == RedoAction::kRestored) Done(b);
    return OkStatus();
  }
  char* page = BufferGetPage(b);
  Status s = apply(page, *main, *block);
  if (s.ok()) {
    PageSetLSN(page, rec.end_lsn);
    MarkBufferDirty(b);
  }
  Done(b);
  return s;
}

/* A record's "all-visible cleared" flag: the map bits of block `block_id`
 * are cleared first, whatever the heap page's LSN (PostgreSQL's order:
 * the map page is not covered by the record). */
Status RedoClearVm(const wal::DecodedRecord& rec, uint8_t block_id, bool cleared, uint8_t vm_flags = kVmValidBits) {
  const wal::DecodedBlock* block = rec.Block(block_id);
  if (!cleared || block == nullptr) return OkStatus();
  return VisibilityMapRedoClear(block->tag.rel, block->tag.block, vm_flags);
}

void ClearPageAllVisible(char* page, bool cleared) {
  if (cleared) PageSetFlags(page, PageGetFlags(page) & ~kPdAllVisible);
}

/* The tuple an INSERT record describes, as it was placed. */
std::string RebuildTuple(const wal::HeapTupleWalHeader& h, std::string_view body, TransactionId xid,
                         ItemPointer tid) {
  std::string tuple(kHeapTupleHeaderSize, '\0');
  tuple.append(body);
  HeapTupleSetXmin(tuple.data(), xid);
  HeapTupleSetCtid(tuple.data(), tid);
  HeapTupleSetInfomask2(tuple.data(), h.infomask2);
  HeapTupleSetInfomask(tuple.data(), h.infomask);
  tuple[22] = static_cast<char>(h.hoff);
  return tuple;
}

Status HeapInsertRedo(const wal::DecodedRecord& rec) {
  auto flags = wal::DecodePayload<wal::HeapInsertRecord>(rec.main_data);
  bool cleared = flags && (flags->flags & wal::kXlhInsertAllVisibleCleared) != 0;
  if (Status s = RedoClearVm(rec, 0, cleared); !s.ok()) return s;
  return RedoHeapBlock<wal::HeapInsertRecord>(rec, [&rec, cleared](char* page, const wal::HeapInsertRecord& main,
                                                                   const wal::DecodedBlock& block) -> Status {
    if ((rec.header.info & wal::kHeapInitPage) != 0 || PageIsNew(page)) PageInit(page, 0);
    ClearPageAllVisible(page, cleared);
    auto data = wal::DecodeHeapTupleData(block.data);
    if (!data) return Malformed(rec);
    std::string tuple = RebuildTuple(data->first, data->second, rec.header.xid, {block.tag.block, main.offnum});
    if (PageAddItem(page, tuple, main.offnum) != main.offnum) {
      return MakeError(sqlstate::kInternalError, fmt::format("failed to add tuple at {}", FormatLsn(rec.lsn)));
    }
    return OkStatus();
  });
}

/* The infomask bits a record's infobits stand for (fix_infomask_from_infobits). */
void SetInfobits(char* tuple, uint8_t bits) {
  uint16_t mask = 0;
  if (bits & wal::kXlhlXmaxIsMulti) mask |= kHeapXmaxIsMulti;
  if (bits & wal::kXlhlXmaxLockOnly) mask |= kHeapXmaxLockOnly;
  if (bits & wal::kXlhlXmaxExclLock) mask |= kHeapXmaxExclLock;
  if (bits & wal::kXlhlXmaxKeyshrLock) mask |= kHeapXmaxKeyshrLock;
  HeapTupleSetInfomask(tuple, mask);
  HeapTupleSetInfomask2(tuple, 0, kHeapKeysUpdated | kHeapHotUpdated);
  if (bits & wal::kXlhlKeysUpdated) HeapTupleSetInfomask2(tuple, kHeapKeysUpdated);
}

/* DELETE and LOCK: the tuple at `offnum` gets `xmax` with the record's
 * infobits (the xmax hint and lock bits cleared first) and its ctid
 * pointing at itself (a lock of an updated version keeps its link);
 * nullptr if there is no tuple there. */
char* SetRedoXmax(char* page, BlockNumber block, uint16_t offnum, TransactionId xmax, uint8_t infobits,
                  bool is_lock = false) {
  char* tuple = PageIsNew(page) ? nullptr : PageGetItemData(page, PageGetItemId(page, offnum));
  if (tuple == nullptr) return nullptr;
  HeapTupleSetXmax(tuple, xmax);
  SetInfobits(tuple, infobits);
  if (!is_lock || (infobits & wal::kXlhlXmaxLockOnly) != 0) HeapTupleSetCtid(tuple, {block, offnum});
  return tuple;
}

Status HeapDeleteRedo(const wal::DecodedRecord& rec) {
  auto flags = wal::DecodePayload<wal::HeapDeleteRecord>(rec.main_data);
  bool cleared = flags && (flags->flags & wal::kXlhDeleteAllVisibleCleared) != 0;
  if (Status s = RedoClearVm(rec, 0, cleared); !s.ok()) return s;
  return RedoHeapBlock<wal::HeapDeleteRecord>(rec, [&rec](char* page, const wal::HeapDeleteRecord& main,
                                                          const wal::DecodedBlock& block) -> Status {
    char* tuple = SetRedoXmax(page, block.tag.block, main.offnum, main.xmax, main.infobits_set);
    if (tuple == nullptr) {
      return MakeError(sqlstate::kInternalError, fmt::format("heap_delete_redo: invalid lp at {}", FormatLsn(rec.lsn)));
    }
    HeapTupleSetCid(tuple, kFirstCommandId);
    TransactionId prune = PageGetPruneXid(page);  // the deleter's xid (xmax may be a multi)
    if (prune == kInvalidTransactionId || rec.header.xid < prune) PageSetPruneXid(page, rec.header.xid);
    if ((main.flags & wal::kXlhDeleteAllVisibleCleared) != 0) PageSetFlags(page, PageGetFlags(page) & ~kPdAllVisible);
    return OkStatus();
  });
}

/* LOCK (SELECT ... FOR UPDATE / SHARE): the tuple's xmax is the locker,
 * with the record's lock bits, as heap_xlog_lock sets them. */
Status HeapLockRedo(const wal::DecodedRecord& rec) {
  auto flags = wal::DecodePayload<wal::HeapLockRecord>(rec.main_data);
  bool cleared = flags && (flags->flags & wal::kXlhLockAllFrozenCleared) != 0;
  if (Status s = RedoClearVm(rec, 0, cleared, kVmAllFrozen); !s.ok()) return s;
  return RedoHeapBlock<wal::HeapLockRecord>(rec, [&rec](char* page, const wal::HeapLockRecord& main,
                                                        const wal::DecodedBlock& block) -> Status {
    if (SetRedoXmax(page, block.tag.block, main.offnum, main.locking_xid, main.infobits_set, true) == nullptr) {
      return MakeError(sqlstate::kInternalError, fmt::format("heap_lock_redo: invalid lp at {}", FormatLsn(rec.lsn)));
    }
    return OkStatus();
  });
}

/* UPDATE: the old tuple gets xmax, infobits and its ctid pointing at the
 * new one (block 1, or block 0 when both are on one page); the new tuple
 * is added to block 0 as INSERT's. */
Status HeapUpdateRedo(const wal::DecodedRecord& rec) {
  auto main = wal::DecodePayload<wal::HeapUpdateRecord>(rec.main_data);
  const wal::DecodedBlock* new_block = rec.Block(0);
  if (!main || new_block == nullptr) return Malformed(rec);
  ItemPointer new_tid{new_block->tag.block, main->new_offnum};
  bool same_page = rec.Block(1) == nullptr;
  bool old_cleared = (main->flags & wal::kXlhUpdateOldAllVisibleCleared) != 0;
  bool new_cleared = (main->flags & wal::kXlhUpdateNewAllVisibleCleared) != 0;
  if (Status s = RedoClearVm(rec, same_page ? 0 : 1, old_cleared); !s.ok()) return s;
  if (Status s = RedoClearVm(rec, 0, new_cleared); !s.ok()) return s;
  auto end_old = [&](char* page) -> Status {
    char* tuple = PageIsNew(page) ? nullptr : PageGetItemData(page, PageGetItemId(page, main->old_offnum));
    if (tuple == nullptr) {
      return MakeError(sqlstate::kInternalError, fmt::format("heap_update_redo: invalid lp at {}", FormatLsn(rec.lsn)));
    }
    HeapTupleSetXmax(tuple, main->old_xmax);
    SetInfobits(tuple, main->old_infobits_set);
    HeapTupleSetCid(tuple, kFirstCommandId);
    HeapTupleSetCtid(tuple, new_tid);
    TransactionId prune = PageGetPruneXid(page);  // the updater's xid (old_xmax may be a multi)
    if (prune == kInvalidTransactionId || rec.header.xid < prune) PageSetPruneXid(page, rec.header.xid);
    ClearPageAllVisible(page, old_cleared);
    return OkStatus();
  };
  if (!same_page) {
    Status s = RedoHeapBlock<wal::HeapUpdateRecord>(
        rec, [&](char* page, const wal::HeapUpdateRecord&, const wal::DecodedBlock&) { return end_old(page); }, 1);
    if (!s.ok()) return s;
  }
  return RedoHeapBlock<wal::HeapUpdateRecord>(rec, [&](char* page, const wal::HeapUpdateRecord&,
                                                       const wal::DecodedBlock& block) -> Status {
    if ((rec.header.info & wal::kHeapInitPage) != 0 || PageIsNew(page)) PageInit(page, 0);
    ClearPageAllVisible(page, new_cleared);
    if (same_page) {
      if (Status s = end_old(page); !s.ok()) return s;
    }
    auto data = wal::DecodeHeapTupleData(block.data);
    if (!data) return Malformed(rec);
    std::string tuple = RebuildTuple(data->first, data->second, rec.header.xid, new_tid);
    if (main->new_xmax != kInvalidTransactionId) {  // the lockers that stayed, their bits in the header
      HeapTupleSetXmax(tuple.data(), main->new_xmax);
      HeapTupleSetInfomask(tuple.data(), data->first.infomask);
    }
    if (PageAddItem(page, tuple, main->new_offnum) != main->new_offnum) {
      return MakeError(sqlstate::kInternalError, fmt::format("failed to add tuple at {}", FormatLsn(rec.lsn)));
    }
    return OkStatus();
  });
}

/* The offsets of a PRUNE or VACUUM record's block 0, as OffsetNumbers. */
std::optional<std::vector<OffsetNumber>> RecordOffsets(const wal::DecodedBlock& block) {
  auto offsets = wal::DecodeOffsets(block.data);
  if (!offsets) return std::nullopt;
  return std::vector<OffsetNumber>(offsets->begin(), offsets->end());
}

/* Heap2 PRUNE: the offsets become LP_DEAD, the page is compacted. */
Status HeapPruneRedo(const wal::DecodedRecord& rec) {
  return RedoHeapBlock<wal::HeapPruneRecord>(rec, [&rec](char* page, const wal::HeapPruneRecord& main,
                                                         const wal::DecodedBlock& block) -> Status {
    auto dead = RecordOffsets(block);
    if (!dead || dead->size() != main.ndead || PageIsNew(page)) return Malformed(rec);
    // pd_prune_xid is a hint: redo leaves it 0 (the next delete sets it).
    HeapPagePruneExecute(page, *dead, kInvalidTransactionId);
    return OkStatus();
  });
}

/* Heap2 VACUUM: the LP_DEAD offsets become LP_UNUSED. */
Status HeapVacuumRedo(const wal::DecodedRecord& rec) {
  return RedoHeapBlock<wal::HeapVacuumRecord>(rec, [&rec](char* page, const wal::HeapVacuumRecord& main,
                                                          const wal::DecodedBlock& block) -> Status {
    auto unused = RecordOffsets(block);
    if (!unused || unused->size() != main.nunused || PageIsNew(page)) return Malformed(rec);
    HeapPageVacuumExecute(page, *unused);
    return OkStatus();
  });
}

/* Heap2 FREEZE_PAGE: each tuple's new xmax and infomasks. */
Status HeapFreezePageRedo(const wal::DecodedRecord& rec) {
  return RedoHeapBlock<wal::HeapFreezePageRecord>(rec, [&rec](char* page, const wal::HeapFreezePageRecord& main,
                                                              const wal::DecodedBlock& block) -> Status {
    auto plans = wal::DecodeFreezePlans(block.data);
    if (!plans || plans->size() != main.ntuples || PageIsNew(page)) return Malformed(rec);
    HeapPageFreezeExecute(page, *plans);
    return OkStatus();
  });
}

/* Heap2 VISIBLE: the heap page (block 1) gets PD_ALL_VISIBLE, then the
 * map page (block 0) the bits; both the record's LSN. */
Status HeapVisibleRedo(const wal::DecodedRecord& rec) {
  auto main = wal::DecodePayload<wal::HeapVisibleRecord>(rec.main_data);
  const wal::DecodedBlock* heap = rec.Block(1);
  const wal::DecodedBlock* map = rec.Block(0);
  if (!main || heap == nullptr || map == nullptr) return Malformed(rec);
  Buffer b = kInvalidBuffer;
  auto action = RedoReadBuffer(rec, 1, &b);
  if (!action.ok()) return action.error();
  if (*action == RedoAction::kNotFound) return OkStatus();
  if (*action == RedoAction::kNeedsRedo) {
    char* page = BufferGetPage(b);
    if (!PageIsNew(page)) PageSetFlags(page, PageGetFlags(page) | kPdAllVisible);
    PageSetLSN(page, rec.end_lsn);
    MarkBufferDirty(b);
  }
  if (*action == RedoAction::kNeedsRedo || *action == RedoAction::kRestored) Done(b);
  if (!SmgrExists(map->tag.rel, ForkNumber::kVisibilityMap)) {
    if (Status s = SmgrCreate(map->tag.rel, ForkNumber::kVisibilityMap); !s.ok()) return s;
  }
  return RedoHeapBlock<wal::HeapVisibleRecord>(rec, [heap](char* page, const wal::HeapVisibleRecord& m,
                                                            const wal::DecodedBlock&) -> Status {
    VisibilityMapSetBits(page, heap->tag.block, m.flags);
    return OkStatus();
  }, 0);
}

}  // namespace

Status Heap2Redo(const wal::DecodedRecord& rec) {
  switch (rec.rmgr_info()) {
    case wal::kHeap2Prune:
      return HeapPruneRedo(rec);
    case wal::kHeap2Vacuum:
      return HeapVacuumRedo(rec);
    case wal::kHeap2Visible:
      return HeapVisibleRedo(rec);
    case wal::kHeap2FreezePage:
      return HeapFreezePageRedo(rec);
    default:
      return MakeError(sqlstate::kInternalError,
                       fmt::format("heap2_redo: unknown op code {} at {}", wal::IdentifyRecord(rec), FormatLsn(rec.lsn)));
  }
}

Result<RedoAction> RedoReadBuffer(const wal::DecodedRecord& rec, uint8_t block_id, Buffer* out) {
  const wal::DecodedBlock* block = rec.Block(block_id);
  if (block == nullptr) return Malformed(rec);
  const BufferTag& tag = block->tag;
  if (!SmgrExists(tag.rel, tag.fork)) return RedoAction::kNotFound;
  auto nblocks = SmgrNBlocks(tag.rel, tag.fork);
  if (!nblocks.ok()) return nblocks.error();
  for (BlockNumber n = *nblocks; n <= tag.block; ++n) {  // a page the file never got
    auto added = ReadBuffer(BufferTag{tag.rel, tag.fork, kInvalidBlockNumber});
    if (!added.ok()) return added.error();
    ReleaseBuffer(*added);
  }
  auto b = ReadForRedo(*block);
  if (!b.ok()) return b.error();
  LockBuffer(*b, BufferLockMode::kExclusive);
  char* page = BufferGetPage(*b);
  if (block->has_image && block->apply_image) {
    std::string image = wal::RestoreBlockImage(*block);
    std::memcpy(page, image.data(), kBlockSize);
    PageSetLSN(page, rec.end_lsn);
    MarkBufferDirty(*b);
    *out = *b;
    return RedoAction::kRestored;
  }
  if (!PageIsNew(page) && PageGetLSN(page) >= rec.end_lsn) {
    Done(*b);
    return RedoAction::kDone;
  }
  *out = *b;
  return RedoAction::kNeedsRedo;
}

Status HeapRedo(const wal::DecodedRecord& rec) {
  AdvanceNextTransactionIdPast(rec.header.xid);
  switch (rec.rmgr_info() & wal::kHeapOpMask) {
    case wal::kHeapInsert:
      return HeapInsertRedo(rec);
    case wal::kHeapDelete:
      return HeapDeleteRedo(rec);
    case wal::kHeapUpdate:
      return HeapUpdateRedo(rec);
    case wal::kHeapLock:
      return HeapLockRedo(rec);
    default:
      // minipg writes no HOT_UPDATE records.
      return MakeError(sqlstate::kInternalError,
                       fmt::format("heap_redo: unknown op code {} at {}", wal::IdentifyRecord(rec), FormatLsn(rec.lsn)));
  }
}

Status XactRedo(const wal::DecodedRecord& rec) {
  AdvanceNextTransactionIdPast(rec.header.xid);
  auto x = wal::DecodeXactPayload(rec.main_data);
  if (!x) return Malformed(rec);
  bool commit = rec.rmgr_info() == wal::kXactCommit;
  for (TransactionId sub : x->subxids) AdvanceNextTransactionIdPast(sub);
  if (Status s = TransactionIdSetTreeStatus(rec.header.xid, x->subxids, commit, 0); !s.ok()) return s;
  return XactRemoveRelationFiles(x->rels);
}

Status SmgrRedo(const wal::DecodedRecord& rec) {
  AdvanceNextTransactionIdPast(rec.header.xid);
  if (rec.rmgr_info() == wal::kSmgrCreate) {
    auto c = wal::DecodePayload<wal::SmgrCreateRecord>(rec.main_data);
    if (!c) return Malformed(rec);
    std::error_code ec;  // the database's folder may be gone (dropped later): skip
    if (!std::filesystem::is_directory(DatabasePath(SmgrDataDir(), c->rel.db_oid), ec)) return OkStatus();
    return SmgrCreate(c->rel, c->fork);
  }
  auto t = wal::DecodePayload<wal::SmgrTruncateRecord>(rec.main_data);
  if (!t) return Malformed(rec);
  if (!SmgrExists(t->rel, ForkNumber::kMain)) return OkStatus();
  if ((t->flags & wal::kSmgrTruncateHeap) != 0) {
    if (Status s = DropRelationBuffers(t->rel, ForkNumber::kMain, t->nblocks); !s.ok()) return s;
    auto n = SmgrNBlocks(t->rel, ForkNumber::kMain);
    if (!n.ok()) return n.error();
    if (t->nblocks < *n) {
      if (Status s = SmgrTruncate(t->rel, ForkNumber::kMain, t->nblocks); !s.ok()) return s;
    }
  }
  if ((t->flags & wal::kSmgrTruncateVm) != 0) {
    if (Status s = VisibilityMapTruncate(t->rel, t->nblocks); !s.ok()) return s;
  }
  if ((t->flags & wal::kSmgrTruncateFsm) != 0) return FreeSpaceMapTruncateRel(t->rel, t->nblocks);
  return OkStatus();
}

Status DbaseRedo(const wal::DecodedRecord& rec) {
  AdvanceNextTransactionIdPast(rec.header.xid);
  std::error_code ec;
  if (rec.rmgr_info() == wal::kDbaseCreate) {
    auto c = wal::DecodePayload<wal::DbaseCreateRecord>(rec.main_data);
    if (!c) return Malformed(rec);
    if (Status s = DropDatabaseBuffers(c->db_id); !s.ok()) return s;
    std::filesystem::path dst = DatabasePath(SmgrDataDir(), c->db_id);
    std::filesystem::remove_all(dst, ec);
    std::filesystem::create_directories(dst, ec);
    if (auto flushed = FlushAllDirty(WriteSource::kBackend); !flushed.ok()) return flushed.error();
    return CopyDatabaseFiles(SmgrDataDir(), c->src_db_id, c->db_id);
  }
  auto d = wal::DecodePayload<wal::DbaseRecord>(rec.main_data);
  if (!d) return Malformed(rec);
  if (Status s = DropDatabaseBuffers(d->db_id); !s.ok()) return s;
  std::filesystem::remove_all(DatabasePath(SmgrDataDir(), d->db_id), ec);
  return OkStatus();
}

void RegisterRedoFunctions() {
  wal::SetRmgrRedo(wal::RmgrId::kHeap, HeapRedo);
  wal::SetRmgrRedo(wal::RmgrId::kHeap2, Heap2Redo);
  wal::SetRmgrRedo(wal::RmgrId::kTransaction, XactRedo);
  wal::SetRmgrRedo(wal::RmgrId::kStorage, SmgrRedo);
  wal::SetRmgrRedo(wal::RmgrId::kDatabase, DbaseRedo);
  wal::SetRmgrRedo(wal::RmgrId::kMultiXact, MultiXactRedo);
}

}  // namespace minipg::storage
