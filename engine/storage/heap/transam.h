/*-------------------------------------------------------------------------
 * transam.h
 *   Transaction ids and their status, shared by every process: the next
 *   xid to hand out, and pg_xact, PostgreSQL's commit log (clog.c): two bits
 *   per transaction saying in progress, committed or aborted.
 *
 *   pg_xact on disk (PostgreSQL's SLRU layout):
 *
 *     pg_xact/0000     pages 0..31 of 8 KiB, xids 0 .. 1048575
 *     pg_xact/0001     pages 32..63, ...      (segment name: 4 hex digits)
 *
 *     xid -> page xid / 32768, byte (xid % 32768) / 4,
 *            bits ((xid % 4) * 2) .. +1 of that byte
 *     status: 00 in progress, 01 committed, 10 aborted, 11 sub-committed
 *
 *   Shared memory, one area "transam" (TransamShmemRequests):
 *
 *     XidGen lock, next xid, next oid
 *     XactSLRU lock, kXactBuffers slots: page number, dirty, the newest
 *     commit LSN on the page, last use; then the slots' 8 KiB pages
 *
 * NOTES
 *   A page is read into a slot when first needed (a missing file or page
 *   reads as zeros: every xid on it in progress) and written back when its
 *   slot is taken for another page, and by CheckPointTransam (the
 *   checkpointer, and at shutdown). Before a page is written the WAL is
 *   flushed up to the newest commit record whose bit is on it, so pg_xact
 *   never says committed for a commit the WAL could lose. A page lost in a
 *   crash is rebuilt by the redo of the commit and abort records.
 *   xids 1 (bootstrap) and 2 (frozen) are always committed; normal xids
 *   start at 3. Wrap-around is not handled (4 billion transactions).
 *   Lock order: a buffer content lock, then XactSLRU, then WALWrite.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/common/error.h"
#include "engine/shmem/shmem.h"
#include "engine/storage/block.h"

namespace minipg::storage {

inline constexpr const char* kTransamShmemAreaName = "transam";

inline constexpr TransactionId kBootstrapTransactionId = 1;
inline constexpr TransactionId kFrozenTransactionId = 2;
// kFirstNormalTransactionId (3) is in block.h.

inline constexpr int kXactBuffers = 8;                  // pg_xact page buffers
inline constexpr uint32_t kXactsPerPage = kBlockSize * 4;  // 32768
inline constexpr uint32_t kSlruPagesPerSegment = 32;

/* A transaction's status in pg_xact (the two bits, PostgreSQL's values). */
enum class XidStatus : uint8_t {
  kInProgress = 0,
  kCommitted = 1,
  kAborted = 2,
  kSubCommitted = 3,
};

/* The area for the postmaster's CreateSharedMemory. */
std::vector<shmem::ShmemRequest> TransamShmemRequests();

/* ---- xids --------------------------------------------------------------- */

/* Takes the next xid (XidGen lock). */
TransactionId AssignTransactionId();
TransactionId ReadNextTransactionId();
/* From the control file or a checkpoint record, before anything runs. */
void SetNextTransactionId(TransactionId next);
/* Redo: a record of `xid` was seen, so the next xid is past it. */
void AdvanceNextTransactionIdPast(TransactionId xid);
Oid ReadNextOid();
void SetNextOid(Oid next);

/* ---- pg_xact ------------------------------------------------------------ */

/* "pg_xact/0000": the segment file holding `xid`'s bits, relative to the
 * data directory. */
std::string XactSegmentPath(TransactionId xid);

Result<XidStatus> TransactionIdGetStatus(TransactionId xid);
/* True if committed (xids below 3 are). */
Result<bool> TransactionIdDidCommit(TransactionId xid);
/* Sets the bits; `commit_lsn` (a commit record's end) is flushed before
 * the page is written. */
Status TransactionIdSetStatus(TransactionId xid, XidStatus status, XLogRecPtr commit_lsn = 0);

/* Writes every dirty pg_xact page and fsyncs its segment (checkpoints,
 * shutdown). */
Status CheckPointTransam();

}  // namespace minipg::storage
