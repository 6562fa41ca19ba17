/*-------------------------------------------------------------------------
 * heap_redo.h
 *   Replaying the records of the Heap, Transaction, Storage and Database
 *   resource managers (PostgreSQL's heap_redo, xact_redo, smgr_redo,
 *   dbase_redo). RegisterRedoFunctions() puts them in the rmgr table; the
 *   startup process calls it (and the XLOG rmgr's), then each record's redo
 *   in LSN order from the checkpoint's redo point.
 *
 *   A page change is applied only when the page's LSN is older than the
 *   record's end, so replaying a record twice changes nothing; a block with
 *   a full page image is restored from it whatever the page holds (a torn
 *   page included). A record for a relation whose file no longer exists
 *   (dropped later in the WAL) is skipped, as PostgreSQL's "invalid pages"
 *   handling does in spirit, without remembering it for a later check.
 *   Every record's xid moves the next xid past it.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>

#include "engine/common/error.h"
#include "engine/storage/buffer/buffer_pool.h"
#include "engine/storage/wal/wal_record.h"

namespace minipg::storage {

void RegisterRedoFunctions();

/* What RedoReadBuffer found (PostgreSQL's XLogRedoAction). */
enum class RedoAction : uint8_t {
  kNeedsRedo,  // the page is older than the record: apply it
  kRestored,   // the block's full page image was put in place: done
  kDone,       // the page already has the change
  kNotFound,   // the relation's file is gone: skip the record
};

/* Pins and exclusively locks block `block_id` of the record (extending
 * the fork with empty pages up to it if needed) and tells what to do. A
 * page that cannot be read (a torn page) is replaced by the block's image,
 * or by an empty page when the record rebuilds the page (will_init).
 * On kNeedsRedo and kRestored, *out holds the locked buffer; the caller
 * sets the page's LSN (kNeedsRedo), marks it dirty, unlocks and releases. */
Result<RedoAction> RedoReadBuffer(const wal::DecodedRecord& rec, uint8_t block_id, Buffer* out);

/* The redo functions themselves (exposed for tests). */
Status HeapRedo(const wal::DecodedRecord& rec);
/* Heap2: VACUUM's PRUNE and VACUUM records (pruneheap.h). */
Status Heap2Redo(const wal::DecodedRecord& rec);
Status XactRedo(const wal::DecodedRecord& rec);
Status SmgrRedo(const wal::DecodedRecord& rec);
Status DbaseRedo(const wal::DecodedRecord& rec);

}  // namespace minipg::storage
