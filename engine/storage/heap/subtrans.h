/*-------------------------------------------------------------------------
 * subtrans.h
 *   pg_subtrans, PostgreSQL's subtrans.c: for each subtransaction's xid,
 *   the xid of its parent (a subtransaction's or the top-level one's), so
 *   that whoever meets a subxid in a tuple header can find the top-level
 *   transaction it belongs to (the one a snapshot lists as running).
 *
 *   Layout (an SLRU, slru.h; 4 bytes per xid):
 *
 *     pg_subtrans/0000   pages 0..31 of 8 KiB, xids 0 .. 65535
 *     xid -> page xid / 2048, bytes (xid % 2048) * 4 .. +3: the parent
 *            (0 = none: a top-level xid, or one never set)
 *
 *   Shared memory, one area "subtrans" (SubTransShmemRequests): its
 *   SlruCtl, lock SubtransSLRU, kSubtransBuffers page slots.
 *
 * NOTES
 *   Not WAL-logged and not kept across a restart, as in PostgreSQL: no
 *   transaction survives one, so StartupSubTrans (the startup process)
 *   removes the files and every page reads as zeros. A page is written
 *   only when its slot is taken for another page. A subtransaction's
 *   parent is set when it takes its xid, before any tuple carries it.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <vector>

#include "engine/common/error.h"
#include "engine/shmem/shmem.h"
#include "engine/storage/block.h"

namespace minipg::storage {

inline constexpr const char* kSubtransShmemAreaName = "subtrans";
inline constexpr int kSubtransBuffers = 8;                       // pg_subtrans page buffers
inline constexpr uint32_t kSubtransXactsPerPage = kBlockSize / 4;  // 2048

/* The area for the postmaster's CreateSharedMemory. */
std::vector<shmem::ShmemRequest> SubTransShmemRequests();

/* Records `parent` as the parent of the subtransaction `xid`. Without the
 * area (a unit test without it) nothing is recorded. */
Status SubTransSetParent(TransactionId xid, TransactionId parent);
/* The parent of `xid`; kInvalidTransactionId for a top-level xid. */
Result<TransactionId> SubTransGetParent(TransactionId xid);
/* The top-level transaction `xid` belongs to (itself for a top-level
 * xid). A page that cannot be read counts as zeros. */
TransactionId SubTransGetTopmostTransaction(TransactionId xid);

/* The startup process, before any transaction: every page zeroed (the
 * files removed). */
Status StartupSubTrans();

/* "pg_subtrans/0000": the segment holding `xid`'s parent. */
std::string SubTransSegmentPath(TransactionId xid);

}  // namespace minipg::storage
