/*-------------------------------------------------------------------------
 * nbtree_redo.cpp
 *   Redo of the Btree records (nbtree_redo.h).
 *-------------------------------------------------------------------------
 */
#include "engine/storage/nbtree/nbtree_redo.h"

#include <fmt/format.h>

#include "engine/common/sqlstate.h"
#include "engine/storage/heap/heap_redo.h"
#include "engine/storage/heap/transam.h"
#include "engine/storage/nbtree/nbtree_page.h"
#include "engine/storage/wal/btree_records.h"
#include "engine/storage/wal/wal_records.h"
#include "engine/storage/wal/wal_rmgr.h"

namespace minipg::storage::nbtree {

namespace {

Error Malformed(const wal::DecodedRecord& rec) {
  return MakeError(sqlstate::kDataCorrupted,
                   fmt::format("malformed {} record at {}", wal::IdentifyRecord(rec), FormatLsn(rec.lsn)));
}

/* Applies `apply(page, block)` to block `id` of the record when its page
 * is older than the record; the page then gets the record's end as LSN. */
template <typename Apply>
Status RedoBlock(const wal::DecodedRecord& rec, uint8_t id, Apply apply) {
  const wal::DecodedBlock* block = rec.Block(id);
  if (block == nullptr) return Malformed(rec);
  Buffer b = kInvalidBuffer;
  auto action = RedoReadBuffer(rec, id, &b);
  if (!action.ok()) return action.error();
  if (*action != RedoAction::kNeedsRedo && *action != RedoAction::kRestored) return OkStatus();
  Status s = OkStatus();
  if (*action == RedoAction::kNeedsRedo) {
    char* page = BufferGetPage(b);
    s = apply(page, *block);
    if (s.ok()) {
      PageSetLSN(page, rec.end_lsn);
      MarkBufferDirty(b);
    }
  }
  UnlockBuffer(b);
  ReleaseBuffer(b);
  return s;
}

/* VACUUM: the items at the record's offsets go. */
Status VacuumRedo(const wal::DecodedRecord& rec) {
  return RedoBlock(rec, 0, [&](char* page, const wal::DecodedBlock& block) -> Status {
    auto offsets = wal::DecodeOffsets(block.data);
    if (!offsets || !BtPageDeleteItems(page, *offsets)) return Malformed(rec);
    return OkStatus();
  });
}

uint16_t FlagsForLevel(uint32_t level) { return level == 0 ? kBtpLeaf : 0; }

Status InsertRedo(const wal::DecodedRecord& rec) {
  auto r = wal::DecodeBtreeInsert(rec.main_data);
  if (!r) return Malformed(rec);
  return RedoBlock(rec, 0, [&](char* page, const wal::DecodedBlock& block) -> Status {
    if (!BtPageInsertItem(page, block.data, r->offnum)) {
      return MakeError(sqlstate::kInternalError, fmt::format("btree_xlog_insert: failed to add item at {}",
                                                             FormatLsn(rec.lsn)));
    }
    return OkStatus();
  });
}

Status Rebuild(const wal::DecodedRecord& rec, char* page, const BtOpaque& opaque, std::string_view items) {
  if (!BtPageFill(page, opaque, items)) {
    return MakeError(sqlstate::kInternalError, fmt::format("btree_xlog_split: failed to add items at {}",
                                                           FormatLsn(rec.lsn)));
  }
  return OkStatus();
}

Status SplitRedo(const wal::DecodedRecord& rec) {
  auto r = wal::DecodeBtreeSplit(rec.main_data);
  const wal::DecodedBlock* left = rec.Block(0);
  const wal::DecodedBlock* right = rec.Block(1);
  if (!r || left == nullptr || right == nullptr) return Malformed(rec);
  BlockNumber left_block = left->tag.block;
  BlockNumber right_block = right->tag.block;
  uint16_t flags = FlagsForLevel(r->level);
  Status s = RedoBlock(rec, 0, [&](char* page, const wal::DecodedBlock& b) {
    return Rebuild(rec, page, BtOpaque{r->left_prev, right_block, r->level, flags}, b.data);
  });
  if (!s.ok()) return s;
  s = RedoBlock(rec, 1, [&](char* page, const wal::DecodedBlock& b) {
    return Rebuild(rec, page, BtOpaque{left_block, r->right_next, r->level, flags}, b.data);
  });
  if (!s.ok() || rec.Block(2) == nullptr) return s;
  return RedoBlock(rec, 2, [&](char* page, const wal::DecodedBlock&) -> Status {
    BtOpaque o = BtPageGetOpaque(page);
    o.prev = right_block;
    BtPageSetOpaque(page, o);
    return OkStatus();
  });
}

Status NewrootRedo(const wal::DecodedRecord& rec) {
  auto r = wal::DecodeBtreeNewroot(rec.main_data);
  const wal::DecodedBlock* meta_block = rec.Block(1);
  if (!r || meta_block == nullptr) return Malformed(rec);
  auto meta = wal::DecodeBtreeMeta(meta_block->data);
  if (!meta) return Malformed(rec);
  uint16_t flags = static_cast<uint16_t>(FlagsForLevel(r->level) | kBtpRoot);
  Status s = RedoBlock(rec, 0, [&](char* page, const wal::DecodedBlock& b) {
    return Rebuild(rec, page, BtOpaque{kBtNone, kBtNone, r->level, flags}, b.data);
  });
  if (!s.ok()) return s;
  return RedoBlock(rec, 1, [&](char* page, const wal::DecodedBlock&) -> Status {
    BtInitMetaPage(page, BtMeta{meta->root, meta->level, meta->fastroot, meta->fastlevel});
    return OkStatus();
  });
}

}  // namespace

Status BtreeRedo(const wal::DecodedRecord& rec) {
  AdvanceNextTransactionIdPast(rec.header.xid);
  switch (rec.rmgr_info()) {
    case wal::kBtreeInsertLeaf:
    case wal::kBtreeInsertUpper:
      return InsertRedo(rec);
    case wal::kBtreeSplitL:
    case wal::kBtreeSplitR:
      return SplitRedo(rec);
    case wal::kBtreeNewroot:
      return NewrootRedo(rec);
    case wal::kBtreeVacuum:
      return VacuumRedo(rec);
  }
  return MakeError(sqlstate::kInternalError,
                   fmt::format("btree_redo: unknown op code {} at {}", wal::IdentifyRecord(rec), FormatLsn(rec.lsn)));
}

void RegisterBtreeRedo() { wal::SetRmgrRedo(wal::RmgrId::kBtree, BtreeRedo); }

}  // namespace minipg::storage::nbtree
