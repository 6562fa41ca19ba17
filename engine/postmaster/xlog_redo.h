/*-------------------------------------------------------------------------
 * xlog_redo.h
 *   The redo of the XLOG resource manager's records (PostgreSQL's
 *   xlog_redo), which the startup process registers beside the other
 *   rmgrs' (engine/storage/heap: Heap, Transaction, Storage, Database):
 *
 *     CHECKPOINT_SHUTDOWN / _ONLINE   next xid, OID, MultiXactId and member
 *                                     offset move up to the record's
 *                                     (RecoveryIds)
 *     NEXTOID                         the next OID moves up to the record's
 *     FPI                             the block's page is put back whole
 *                                     from its image, its LSN the record's end
 *     SWITCH                          nothing: the reader goes on in the
 *                                     next segment
 *-------------------------------------------------------------------------
 */
#pragma once

#include "engine/common/error.h"
#include "engine/storage/block.h"
#include "engine/storage/wal/wal_record.h"

namespace minipg {

/* The next xid and OID as replay has seen them so far (from the control
 * file, then every checkpoint record and every record's xid). */
struct RecoveryIds {
  storage::TransactionId next_xid = 0;
  storage::Oid next_oid = 0;
  uint32_t next_multi = 0;         // MultiXactId; CREATE_ID redo moves pg_multixact's own
  uint32_t next_multi_offset = 0;
};
RecoveryIds& GetRecoveryIds();

/* Puts XLOG's redo function in the rmgr table (wal::SetRmgrRedo). */
void RegisterXlogRedo();

/* Restores block `block` of the record from its full page image: the
 * page is read (a torn one, that fails its checksum, is overwritten in its
 * file first), replaced by the image and marked dirty. A relation whose
 * file no longer exists (dropped later in the WAL) is skipped. */
Status RestoreFullPageImage(const storage::wal::DecodedRecord& rec, const storage::wal::DecodedBlock& block);

}  // namespace minipg
