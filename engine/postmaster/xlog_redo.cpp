/*-------------------------------------------------------------------------
 * xlog_redo.cpp
 *   The XLOG rmgr's redo (see xlog_redo.h).
 *-------------------------------------------------------------------------
 */
#include "engine/postmaster/xlog_redo.h"

#include <algorithm>
#include <cstring>

#include "engine/storage/buffer/buffer_pool.h"
#include "engine/storage/page/page.h"
#include "engine/storage/smgr/smgr.h"
#include "engine/storage/wal/wal_records.h"
#include "engine/storage/wal/wal_rmgr.h"

namespace minipg {
namespace {

namespace wal = storage::wal;

Status XlogRedo(const wal::DecodedRecord& rec) {
  switch (rec.rmgr_info()) {
    case wal::kXlogCheckpointShutdown:
    case wal::kXlogCheckpointOnline: {
      auto ckpt = wal::DecodePayload<wal::CheckpointRecord>(rec.main_data);
      if (!ckpt) return OkStatus();  // the reader checked the CRC; a short payload is left alone
      RecoveryIds& ids = GetRecoveryIds();
      ids.next_xid = std::max(ids.next_xid, ckpt->next_xid);
      ids.next_oid = std::max(ids.next_oid, ckpt->next_oid);
      ids.next_multi = std::max(ids.next_multi, ckpt->next_multi);
      ids.next_multi_offset = std::max(ids.next_multi_offset, ckpt->next_multi_offset);
      return OkStatus();
    }
    case wal::kXlogNextOid: {
      auto next = wal::DecodePayload<wal::NextOidRecord>(rec.main_data);
      if (!next) return OkStatus();
      RecoveryIds& ids = GetRecoveryIds();
      ids.next_oid = std::max(ids.next_oid, next->next_oid);
      return OkStatus();
    }
    case wal::kXlogFpi:
      for (const auto& block : rec.blocks) {
        if (!block.has_image) continue;
        if (Status s = RestoreFullPageImage(rec, block); !s.ok()) return s;
      }
      return OkStatus();
    default:  // SWITCH
      return OkStatus();
  }
}

}  // namespace

RecoveryIds& GetRecoveryIds() {
  static RecoveryIds ids;
  return ids;
}

void RegisterXlogRedo() { wal::SetRmgrRedo(wal::RmgrId::kXlog, XlogRedo); }

Status RestoreFullPageImage(const wal::DecodedRecord& rec, const wal::DecodedBlock& block) {
  const storage::BufferTag& tag = block.tag;
  if (!storage::SmgrExists(tag.rel, tag.fork)) return OkStatus();
  std::string image = wal::RestoreBlockImage(block);
  // Extend the fork up to the block (it may have been cut or never written).
  auto nblocks = storage::SmgrNBlocks(tag.rel, tag.fork);
  if (!nblocks.ok()) return nblocks.error();
  for (storage::BlockNumber n = *nblocks; n <= tag.block; ++n) {
    storage::BufferTag extend = tag;
    extend.block = storage::kInvalidBlockNumber;
    auto b = storage::ReadBuffer(extend);
    if (!b.ok()) return b.error();
    storage::ReleaseBuffer(*b);
  }
  auto buf = storage::ReadBuffer(tag);
  if (!buf.ok()) {
    // A torn page fails its checksum: the image replaces it in its file.
    if (Status s = storage::SmgrWrite(tag, image.data()); !s.ok()) return s;
    buf = storage::ReadBuffer(tag);
    if (!buf.ok()) return buf.error();
  }
  storage::LockBuffer(*buf, storage::BufferLockMode::kExclusive);
  char* page = storage::BufferGetPage(*buf);
  std::memcpy(page, image.data(), std::min(image.size(), storage::kBlockSize));
  storage::PageSetLSN(page, rec.end_lsn);
  storage::MarkBufferDirty(*buf);
  storage::UnlockBuffer(*buf);
  storage::ReleaseBuffer(*buf);
  return OkStatus();
}

}  // namespace minipg
