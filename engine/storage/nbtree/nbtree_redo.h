/*-------------------------------------------------------------------------
 * nbtree_redo.h
 *   Replaying the Btree resource manager's records (PostgreSQL's
 *   nbtxlog.c): INSERT_LEAF / INSERT_UPPER put the tuple back at its
 *   offset, SPLIT_L / SPLIT_R rebuild both halves from their items and fix
 *   the old right sibling's left-link, NEWROOT rebuilds the root and the
 *   metapage. As the heap's redo (heap_redo.h): a page already as new as
 *   the record is left alone, a full page image is restored whatever the
 *   page holds, a dropped index's records are skipped. A built index's
 *   pages come back from their XLOG FPI records (the XLOG rmgr's redo).
 *-------------------------------------------------------------------------
 */
#pragma once

#include "engine/common/error.h"
#include "engine/storage/wal/wal_record.h"

namespace minipg::storage::nbtree {

/* Puts BtreeRedo in the rmgr table (the startup process, with the heap's
 * RegisterRedoFunctions). */
void RegisterBtreeRedo();

Status BtreeRedo(const wal::DecodedRecord& rec);

}  // namespace minipg::storage::nbtree
