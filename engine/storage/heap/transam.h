/*-------------------------------------------------------------------------
 * transam.h
 *   Transaction ids and their status, shared by every process: the next
 *   xid to hand out, and pg_xact, PostgreSQL's commit log (clog.c): two bits
 *   per transaction saying in progress, committed or aborted.
 *
 *   pg_xact on disk (an SLRU, slru.h):
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
 *     XidGen lock, next xid
 *     OidGen lock, next oid, how many OIDs from it on the WAL has covered
 *     pg_xact's SlruCtl (slru.h): XactSLRU lock, kXactBuffers page slots,
 *     each with the newest commit LSN on its page
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
 *
 *   OIDs (PostgreSQL's GetNewObjectId in varsup.c): every new object (a
 *   table, a role, a database ...) takes the next OID from the shared
 *   counter, never below 16384 (FirstNormalObjectId: the lower ones are
 *   the bootstrap's). The WAL covers them ahead of use: when the covered
 *   range is used up, an XLOG NEXTOID record says "next oid + 8192" before
 *   the next OID is handed out, so redo (which moves the counter to each
 *   NEXTOID record's value) never hands out an OID used before a crash.
 *   The record is not flushed on its own: an OID reaches disk only in a row
 *   whose own record comes after it. An online checkpoint records the end
 *   of the covered range, a shutdown checkpoint the next OID itself.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/common/error.h"
#include "engine/shmem/shmem.h"
#include "engine/storage/block.h"
#include "engine/storage/heap/slru.h"

namespace minipg::storage {

inline constexpr const char* kTransamShmemAreaName = "transam";

inline constexpr TransactionId kBootstrapTransactionId = 1;
inline constexpr TransactionId kFrozenTransactionId = 2;
// kFirstNormalTransactionId (3) is in block.h.

inline constexpr Oid kFirstNormalObjectId = 16384;  // FirstNormalObjectId
inline constexpr uint32_t kOidPrefetch = 8192;         // VAR_OID_PREFETCH: OIDs per NEXTOID record

inline constexpr int kXactBuffers = 8;                  // pg_xact page buffers
inline constexpr uint32_t kXactsPerPage = kBlockSize * 4;  // 32768

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

/* Takes the next xid (XidGen lock); a top-level one is published in the
 * proc array (a subtransaction's is not: pg_subtrans maps it to its parent). */
TransactionId AssignTransactionId(bool top_level = true);
TransactionId ReadNextTransactionId();
/* From the control file or a checkpoint record, before anything runs. */
void SetNextTransactionId(TransactionId next);
/* Redo: a record of `xid` was seen, so the next xid is past it. */
void AdvanceNextTransactionIdPast(TransactionId xid);

/* ---- OIDs --------------------------------------------------------------- */

/* A new object's OID (OidGen lock): the next one, from 16384 on, logging an
 * XLOG NEXTOID record first when the WAL has not covered it yet. A record
 * that cannot be inserted is a PANIC. */
Oid GetNewObjectId();
Oid ReadNextOid();
/* From the control file or redo, before anything runs: the next OID, none
 * of the range from it covered by the WAL yet. */
void SetNextOid(Oid next);
/* What a checkpoint record carries: a shutdown checkpoint the next OID, an
 * online one the end of the range the WAL covers (PostgreSQL's
 * nextOid + oidCount), so that a redo from it skips every OID in use. */
Oid CheckpointNextOid(bool shutdown);

/* ---- pg_xact ------------------------------------------------------------ */

/* "pg_xact/0000": the segment file holding `xid`'s bits, relative to the
 * data directory. */
std::string XactSegmentPath(TransactionId xid);

/* `commit_lsn`, if given, gets an LSN at or past the commit record of a
 * committed xid (the newest commit on its pg_xact page; 0 if unknown):
 * once the WAL is flushed that far, the commit is durable. */
Result<XidStatus> TransactionIdGetStatus(TransactionId xid, XLogRecPtr* commit_lsn = nullptr);
/* True if committed (xids below 3 are). */
Result<bool> TransactionIdDidCommit(TransactionId xid);
/* Sets the bits; `commit_lsn` (a commit record's end) is flushed before
 * the page is written. */
Status TransactionIdSetStatus(TransactionId xid, XidStatus status, XLogRecPtr commit_lsn = 0);

/* Writes every dirty pg_xact page and fsyncs its segment (checkpoints,
 * shutdown). */
Status CheckPointTransam();

/* At startup, once the next xid is known (PostgreSQL's TrimCLOG): every
 * status from `next_xid` on is cleared, on its page and on disk. A former
 * server lifetime may have written an abort for an xid whose WAL it lost;
 * that xid is handed out again and must read as in progress. */
Status TrimTransam(TransactionId next_xid);

}  // namespace minipg::storage
