/*-------------------------------------------------------------------------
 * xlog_fpw.h
 *   A stand-in, until the WAL module keeps the checkpoint's redo point in
 *   shared memory (design15b.md, "Full page writes"): whether a page's next
 *   change must log a full page image. This process's own redo point only.
 *-------------------------------------------------------------------------
 */
#pragma once

#include "engine/storage/block.h"

namespace minipg::storage::wal {

/* The redo point of the checkpoint in progress (the checkpointer sets it). */
void XLogSetRedoPtr(XLogRecPtr redo);
/* True when a page whose LSN is `page_lsn` was last changed before the
 * current redo point: its first change since must carry its image. */
bool XLogNeedsFullPageImage(XLogRecPtr page_lsn);

}  // namespace minipg::storage::wal
