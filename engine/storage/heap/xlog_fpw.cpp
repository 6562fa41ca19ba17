/*-------------------------------------------------------------------------
 * xlog_fpw.cpp
 *   The stand-in redo point (see xlog_fpw.h).
 *-------------------------------------------------------------------------
 */
#include "engine/storage/heap/xlog_fpw.h"

namespace minipg::storage::wal {

namespace {
XLogRecPtr g_redo_ptr = 0;
}  // namespace

void XLogSetRedoPtr(XLogRecPtr redo) { g_redo_ptr = redo; }

bool XLogNeedsFullPageImage(XLogRecPtr page_lsn) { return page_lsn <= g_redo_ptr; }

}  // namespace minipg::storage::wal
