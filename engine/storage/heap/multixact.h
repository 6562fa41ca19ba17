/*-------------------------------------------------------------------------
 * multixact.h
 *   pg_multixact, PostgreSQL's multixact.c: a MultiXactId names a set of
 *   transactions (members), each with a lock or update status, so that a
 *   row's xmax can name several lockers at once (two FOR SHARE lockers, a
 *   FOR KEY SHARE locker and an updater, ...). This module only stores and
 *   reads the sets; what the statuses mean is heapam's.
 *
 *   On disk, two SLRUs (slru.h) as in PostgreSQL:
 *
 *     pg_multixact/offsets/0000   4 bytes per multi: the offset of its first
 *                                 member; 2048 multis per page
 *         multi -> page multi / 2048, bytes (multi % 2048) * 4 .. +3
 *     pg_multixact/members/0000   members in groups of 4, 20 bytes a group:
 *                                 4 status bytes, then 4 xids; 409 groups
 *                                 (1636 members) per page, 12 bytes unused
 *         offset -> page offset / 1636, group (offset / 4) % 409 at byte
 *                   group * 20; status byte group*20 + offset % 4, xid at
 *                   group*20 + 4 + (offset % 4) * 4
 *
 *   A multi's members are the offsets from its own entry up to the next
 *   multi's entry (or up to nextOffset for the newest multi). Ids start at
 *   1 (0 is invalid); offset 0 is never used (the first multi's members
 *   start at 1), as in PostgreSQL.
 *
 *   Shared memory, one area "multixact" (MultiXactShmemRequests):
 *
 *     MultiXactGen lock, nextMulti, nextOffset
 *     offsets SlruCtl (MultiXactOffsetSLRU lock, kMultiXactOffsetBuffers)
 *     members SlruCtl (MultiXactMemberSLRU lock, kMultiXactMemberBuffers)
 *
 * NOTES
 *   Creating a multi, under MultiXactGen held exclusively throughout:
 *   nextMulti and nextOffset move past it, an XLOG_MULTIXACT_CREATE_ID
 *   record with its members is inserted (not flushed), then the offsets
 *   and members pages change, each page remembering the record's end as
 *   its LSN: a page is written (eviction, checkpoint) only after the WAL
 *   is flushed that far, so no page on disk ever holds a multi the WAL
 *   could lose (PostgreSQL logs page-zeroing records instead; minipg
 *   writes none). Readers hold MultiXactGen shared, so they never see a
 *   multi half made.
 *   Restart: nextMulti/nextOffset are in every checkpoint record and in
 *   pg_control; redo of each CREATE_ID record writes the entries again
 *   and moves them past it (MultiXactAdvanceNextMXact never moves back).
 *   The checkpointer writes the dirty pages (CheckPointMultiXact).
 *   Not done: truncation of old segments (pg_multixact grows; VACUUM
 *   never freezes multis), wrap-around of ids and offsets, the per-backend
 *   cache of recent multis.
 *   Lock order: MultiXactGen, MultiXactOffsetSLRU, MultiXactMemberSLRU,
 *   then the WAL's. Whether a member is running is asked with no lock held.
 *   Waiting for a multi is the caller's (heapam): XactLockTableWait on each
 *   running member in turn, as PostgreSQL's MultiXactIdWait does, so
 *   pg_stat_activity shows Lock / transactionid for each.
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

namespace wal {
struct DecodedRecord;
}

using MultiXactId = uint32_t;      // 0 invalid, first valid 1
using MultiXactOffset = uint32_t;  // a member's place in pg_multixact/members

inline constexpr MultiXactId kInvalidMultiXactId = 0;
inline constexpr MultiXactId kFirstMultiXactId = 1;

inline constexpr const char* kMultiXactShmemAreaName = "multixact";
inline constexpr int kMultiXactOffsetBuffers = 8;   // PostgreSQL's NUM_MULTIXACTOFFSET_BUFFERS
inline constexpr int kMultiXactMemberBuffers = 16;  // NUM_MULTIXACTMEMBER_BUFFERS
inline constexpr uint32_t kMultiXactOffsetsPerPage = kBlockSize / 4;  // 2048
inline constexpr uint32_t kMultiXactMembersPerGroup = 4;
inline constexpr uint32_t kMultiXactMemberGroupSize = 4 + 4 * 4;                        // 20 bytes
inline constexpr uint32_t kMultiXactMemberGroupsPerPage = kBlockSize / kMultiXactMemberGroupSize;  // 409
inline constexpr uint32_t kMultiXactMembersPerPage = kMultiXactMemberGroupsPerPage * kMultiXactMembersPerGroup;  // 1636

/* What a member holds (PostgreSQL's MultiXactStatus, values on disk). */
enum class MultiXactStatus : uint8_t {
  kForKeyShare = 0,     // SELECT ... FOR KEY SHARE
  kForShare = 1,        // SELECT ... FOR SHARE
  kForNoKeyUpdate = 2,  // SELECT ... FOR NO KEY UPDATE
  kForUpdate = 3,       // SELECT ... FOR UPDATE
  kNoKeyUpdate = 4,     // UPDATE not changing a key column
  kUpdate = 5,          // UPDATE changing a key column, or DELETE
};

struct MultiXactMember {
  TransactionId xid;
  MultiXactStatus status;
  bool operator==(const MultiXactMember&) const = default;
};

/* The area for the postmaster's CreateSharedMemory. */
std::vector<shmem::ShmemRequest> MultiXactShmemRequests();

/* A new MultiXactId with these members (at least one), in this order
 * (WAL-logged: XLOG_MULTIXACT_CREATE_ID; redo). */
Result<MultiXactId> MultiXactIdCreateFromArray(const std::vector<MultiXactMember>& members);
/* Its members, in creation order (members of any status, running or not).
 * Empty for kInvalidMultiXactId; an error (XX000 "MultiXactId N has not
 * been created yet -- apparent wraparound") for an id never created, or
 * "... does no longer exist ..." for one that precedes 1 in PostgreSQL's
 * circular order (2^31 or more below the next id). */
Result<std::vector<MultiXactMember>> GetMultiXactIdMembers(MultiXactId multi);
/* A new multi with `multi`'s still-running members plus (xid, status), as
 * PostgreSQL's MultiXactIdExpand: a committed updater (kNoKeyUpdate,
 * kUpdate) is kept too; `multi` itself when (xid, status) is a member
 * already; a one-member multi when no member is left (or `multi` is
 * invalid). */
Result<MultiXactId> MultiXactIdExpand(MultiXactId multi, TransactionId xid, MultiXactStatus status);
/* Whether any member is still running (TransactionIdIsInProgress, and not
 * an aborted subtransaction). False for an id that cannot be read. */
bool MultiXactIdIsRunning(MultiXactId multi);

/* kNoKeyUpdate and kUpdate: the member updated or deleted the row
 * (PostgreSQL's ISUPDATE_from_mxstatus). */
bool MultiXactStatusIsUpdate(MultiXactStatus status);
/* "keysh", "sh", "fornokeyupd", "forupd", "nokeyupd", "upd" (the mode
 * pg_get_multixact_members shows). */
const char* MultiXactStatusName(MultiXactStatus status);

/* ---- ids across restarts ------------------------------------------------ */

struct MultiXactNext {
  MultiXactId multi = kFirstMultiXactId;  // the next id to hand out
  MultiXactOffset offset = 0;             // where the next multi's members go
};
/* What a checkpoint record and pg_control carry. */
MultiXactNext ReadNextMultiXact();
/* From pg_control, a checkpoint record or redo: the next id and offset
 * move up to these, never down. */
void MultiXactAdvanceNextMXact(MultiXactId multi, MultiXactOffset offset);

/* Writes every dirty offsets and members page (checkpoints, shutdown). */
Status CheckPointMultiXact();

/* Redo of a MultiXact record (CREATE_ID: the entries written again, the
 * next id and offset moved past it). RegisterRedoFunctions registers it. */
Status MultiXactRedo(const wal::DecodedRecord& rec);

/* "pg_multixact/offsets/0000" / "pg_multixact/members/0000": the segment
 * holding `multi`'s entry / the member at `offset`. */
std::string MultiXactOffsetSegmentPath(MultiXactId multi);
std::string MultiXactMemberSegmentPath(MultiXactOffset offset);

}  // namespace minipg::storage
