/*-------------------------------------------------------------------------
 * wal_records.h
 *   The record types of each resource manager (the high 4 bits of a
 *   record's info) and the layout of their main data. Each payload is
 *   written by EncodePayload and read by DecodePayload (nullopt if malformed).
 *
 *   XLOG (RmgrId::kXlog)
 *     CHECKPOINT_SHUTDOWN / CHECKPOINT_ONLINE, main data CheckpointRecord:
 *       8 redo LSN, 4 timeline, 1 full_page_writes, 4 next xid,
 *       4 next oid, 8 time (seconds since 1970), 4 next MultiXactId,
 *       4 next multixact member offset
 *     NEXTOID, main data NextOidRecord: 4 next oid (OIDs below it may be
 *       in use: redo moves the counter there)
 *     FPI: block 0 with a full page image, no main data
 *     SWITCH: no data; the rest of the segment is unused
 *   Transaction: COMMIT / ABORT, main data XactRecord: 8 time (microseconds
 *     since 2000-01-01, PostgreSQL's TimestampTz), then, when the
 *     transaction dropped relations (XactPayload), 4 count and 12 per
 *     relation (spc, db, rel): the files removed once it ends; then, when
 *     it had subtransactions, 4 count and 4 per subxid (all set committed
 *     or aborted with it; the relation count is written, maybe 0, first)
 *   Storage: CREATE, SmgrCreateRecord: 12 rel, 1 fork;
 *     TRUNCATE, SmgrTruncateRecord: 12 rel, 4 nblocks, 4 flags
 *   Heap: INSERT, main data HeapInsertRecord (2 offnum, 1 flags), block 0
 *       data = HeapTupleWalHeader (2 infomask2, 2 infomask, 1 hoff) + the
 *       tuple from its null bitmap on;
 *     DELETE, HeapDeleteRecord (4 xmax, 2 offnum, 1 infobits, 1 flags);
 *     UPDATE / HOT_UPDATE, HeapUpdateRecord (4 old xmax, 2 old offnum,
 *       1 old infobits, 1 flags, 4 new xmax, 2 new offnum), block 0 = the
 *       new tuple's page with its data as INSERT's, block 1 = the old page
 *       (no block 1 when both are on one page; minipg writes no HOT_UPDATE);
 *     LOCK, HeapLockRecord (4 locking xid, 2 offnum, 1 infobits, 1 flags):
 *       SELECT ... FOR UPDATE / SHARE set the tuple's xmax to the locker
 *       with the infobits' lock bits (block 0, no data);
 *     kHeapInitPage may be or'ed in: the page starts empty.
 *   Heap2 (VACUUM's, RmgrId::kHeap2): PRUNE, HeapPruneRecord (4 latest
 *       removed xid, 2 nredirected, 2 ndead), block 0 data = the offsets
 *       made LP_DEAD (2 bytes each; minipg redirects nothing), after which
 *       the page is compacted; VACUUM, HeapVacuumRecord (2 nunused), block 0
 *       data = the LP_DEAD offsets made LP_UNUSED (unused line pointers at
 *       the end of the array are then cut off);
 *     VISIBLE, HeapVisibleRecord (4 cutoff xid, 1 flags): block 0 the
 *       visibility map page (no hole in its image), block 1 the heap page
 *       (an image when due: checksums are on, as PostgreSQL's with
 *       checksums); redo sets PD_ALL_VISIBLE and the map bits;
 *     FREEZE_PAGE, HeapFreezePageRecord (4 cutoff xid, 2 ntuples), block 0
 *       data = 11 bytes a tuple (4 xmax, 2 offset, 2 infomask2, 2 infomask,
 *       1 flags): each tuple's new xmax and infomasks (HEAP_XMIN_FROZEN)
 *   Database: CREATE, DbaseCreateRecord (4 db oid, 4 tablespace oid, 4
 *     source db oid, 4 source tablespace oid: the folder is a copy of the
 *     source's, PostgreSQL's FILE_COPY strategy);
 *     DROP, DbaseRecord (4 db oid, 4 tablespace oid)
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/storage/block.h"

namespace minipg::storage::wal {

/* XLOG */
inline constexpr uint8_t kXlogCheckpointShutdown = 0x00;
inline constexpr uint8_t kXlogCheckpointOnline = 0x10;
inline constexpr uint8_t kXlogNextOid = 0x30;
inline constexpr uint8_t kXlogSwitch = 0x40;
inline constexpr uint8_t kXlogFpi = 0xB0;
/* Transaction */
inline constexpr uint8_t kXactCommit = 0x00;
inline constexpr uint8_t kXactAbort = 0x20;
/* Storage */
inline constexpr uint8_t kSmgrCreate = 0x10;
inline constexpr uint8_t kSmgrTruncate = 0x20;
/* Heap */
inline constexpr uint8_t kHeapInsert = 0x00;
inline constexpr uint8_t kHeapDelete = 0x10;
inline constexpr uint8_t kHeapUpdate = 0x20;
inline constexpr uint8_t kHeapHotUpdate = 0x40;
inline constexpr uint8_t kHeapLock = 0x60;
inline constexpr uint8_t kHeapOpMask = 0x70;
inline constexpr uint8_t kHeapInitPage = 0x80;
/* Heap2 */
inline constexpr uint8_t kHeap2Prune = 0x10;
inline constexpr uint8_t kHeap2Vacuum = 0x20;
inline constexpr uint8_t kHeap2FreezePage = 0x30;
inline constexpr uint8_t kHeap2Visible = 0x40;
/* Database */
inline constexpr uint8_t kDbaseCreate = 0x10;
inline constexpr uint8_t kDbaseDrop = 0x20;

/* Truncate flags, as PostgreSQL's SMGR_TRUNCATE_*. */
inline constexpr uint32_t kSmgrTruncateHeap = 0x1;
inline constexpr uint32_t kSmgrTruncateVm = 0x2;
inline constexpr uint32_t kSmgrTruncateFsm = 0x4;

/* Heap record flags (the `flags` fields), PostgreSQL's XLH_* values. */
inline constexpr uint8_t kXlhInsertAllVisibleCleared = 0x01;
inline constexpr uint8_t kXlhInsertContainsNewTuple = 0x08;
inline constexpr uint8_t kXlhDeleteAllVisibleCleared = 0x01;
inline constexpr uint8_t kXlhDeleteContainsOldTuple = 0x02;
inline constexpr uint8_t kXlhUpdateOldAllVisibleCleared = 0x01;
inline constexpr uint8_t kXlhUpdateNewAllVisibleCleared = 0x02;
inline constexpr uint8_t kXlhLockAllFrozenCleared = 0x01;

/* Heap infobits (what a delete/update sets on the old tuple). */
inline constexpr uint8_t kXlhlXmaxIsMulti = 0x01;
inline constexpr uint8_t kXlhlXmaxLockOnly = 0x02;
inline constexpr uint8_t kXlhlXmaxExclLock = 0x04;
inline constexpr uint8_t kXlhlXmaxKeyshrLock = 0x08;
inline constexpr uint8_t kXlhlKeysUpdated = 0x10;

/* A fixed-layout payload: each struct lists its fields once, in on-disk
 * order, in Fields(); EncodePayload and DecodePayload both walk that list.
 * DecodePayload gives nullopt unless the bytes are exactly one payload.
 * (Defined for the structs below only.) */
template <typename T>
std::string EncodePayload(const T& value);
template <typename T>
std::optional<T> DecodePayload(std::string_view in);

struct CheckpointRecord {
  XLogRecPtr redo = 0;
  uint32_t timeline = 1;
  bool full_page_writes = true;
  TransactionId next_xid = 0;
  Oid next_oid = 0;
  int64_t time = 0;  // pg_time_t: seconds since 1970-01-01 UTC
  uint32_t next_multi = 1;         // the next MultiXactId
  uint32_t next_multi_offset = 0;  // where its members go in pg_multixact/members
  template <typename F> void Fields(F&& f) {
    f(redo), f(timeline), f(full_page_writes), f(next_xid), f(next_oid), f(time), f(next_multi), f(next_multi_offset);
  }
};

struct NextOidRecord {
  Oid next_oid = 0;
  template <typename F> void Fields(F&& f) { f(next_oid); }
};

struct XactRecord {
  int64_t xact_time = 0;  // TimestampTz: microseconds since 2000-01-01 UTC
  template <typename F> void Fields(F&& f) { f(xact_time); }
};

/* XactRecord and the relations a transaction dropped (none for most). */
struct XactPayload {
  int64_t xact_time = 0;
  std::vector<RelFileLocator> rels{};
  std::vector<TransactionId> subxids{};  // its subtransactions' xids (committed or aborted with it)
};
std::string EncodeXactPayload(const XactPayload& x);
std::optional<XactPayload> DecodeXactPayload(std::string_view in);

struct SmgrCreateRecord {
  RelFileLocator rel;
  ForkNumber fork = ForkNumber::kMain;
  template <typename F> void Fields(F&& f) { f(rel), f(fork); }
};

struct SmgrTruncateRecord {
  RelFileLocator rel;
  BlockNumber nblocks = 0;
  uint32_t flags = kSmgrTruncateHeap | kSmgrTruncateVm | kSmgrTruncateFsm;
  template <typename F> void Fields(F&& f) { f(rel), f(nblocks), f(flags); }
};

struct HeapInsertRecord {
  uint16_t offnum = 0;
  uint8_t flags = 0;
  template <typename F> void Fields(F&& f) { f(offnum), f(flags); }
};

struct HeapDeleteRecord {
  TransactionId xmax = 0;
  uint16_t offnum = 0;
  uint8_t infobits_set = 0;
  uint8_t flags = 0;
  template <typename F> void Fields(F&& f) { f(xmax), f(offnum), f(infobits_set), f(flags); }
};

struct HeapUpdateRecord {
  TransactionId old_xmax = 0;
  uint16_t old_offnum = 0;
  uint8_t old_infobits_set = 0;
  uint8_t flags = 0;
  TransactionId new_xmax = 0;
  uint16_t new_offnum = 0;
  template <typename F> void Fields(F&& f) {
    f(old_xmax), f(old_offnum), f(old_infobits_set), f(flags), f(new_xmax), f(new_offnum);
  }
};

struct HeapLockRecord {
  TransactionId locking_xid = 0;
  uint16_t offnum = 0;
  uint8_t infobits_set = 0;
  uint8_t flags = 0;
  template <typename F> void Fields(F&& f) { f(locking_xid), f(offnum), f(infobits_set), f(flags); }
};

/* The tuple header fields redo needs to rebuild a tuple (the rest, xmin,
 * cmin, ctid, come from the record's xid and target). Followed, in the
 * block data, by the tuple's bytes from its null bitmap on. */
struct HeapTupleWalHeader {
  uint16_t infomask2 = 0;
  uint16_t infomask = 0;
  uint8_t hoff = 0;
  static constexpr size_t kSize = 5;
};
std::string EncodeHeapTupleData(const HeapTupleWalHeader& h, std::string_view tuple_body);
/* Splits block data into header and body; nullopt if too short. */
std::optional<std::pair<HeapTupleWalHeader, std::string_view>> DecodeHeapTupleData(std::string_view data);

struct DbaseCreateRecord {
  Oid db_id = 0;
  Oid tablespace_id = kDefaultTablespaceOid;
  Oid src_db_id = 0;
  Oid src_tablespace_id = kDefaultTablespaceOid;
  template <typename F> void Fields(F&& f) { f(db_id), f(tablespace_id), f(src_db_id), f(src_tablespace_id); }
};

struct DbaseRecord {  // DROP
  Oid db_id = 0;
  Oid tablespace_id = kDefaultTablespaceOid;
  template <typename F> void Fields(F&& f) { f(db_id), f(tablespace_id); }
};

struct HeapPruneRecord {
  TransactionId latest_removed_xid = 0;  // the newest xid whose rows were removed
  uint16_t nredirected = 0;
  uint16_t ndead = 0;
  template <typename F> void Fields(F&& f) { f(latest_removed_xid), f(nredirected), f(ndead); }
};

struct HeapVacuumRecord {
  uint16_t nunused = 0;
  template <typename F> void Fields(F&& f) { f(nunused); }
};

/* Heap2 VISIBLE: block 0 the visibility map page, block 1 the heap page
 * (no image of either unless due); the map bits `flags` set for block 1. */
struct HeapVisibleRecord {
  TransactionId cutoff_xid = 0;  // the newest xmin on the page (a standby's conflict horizon)
  uint8_t flags = 0;             // kVmAllVisible | kVmAllFrozen
  template <typename F> void Fields(F&& f) { f(cutoff_xid), f(flags); }
};

/* Heap2 FREEZE_PAGE: block 0 data = one FreezeTuplePlan per tuple frozen
 * (PostgreSQL's xl_heap_freeze_tuple), applied to each as it says. */
struct HeapFreezePageRecord {
  TransactionId cutoff_xid = 0;  // the newest xid frozen away (a standby's conflict horizon)
  uint16_t ntuples = 0;
  template <typename F> void Fields(F&& f) { f(cutoff_xid), f(ntuples); }
};
struct FreezeTuplePlan {
  TransactionId xmax = 0;  // the tuple's new xmax (0: none)
  uint16_t offset = 0;
  uint16_t infomask2 = 0;  // its new t_infomask2 and t_infomask
  uint16_t infomask = 0;
  uint8_t frzflags = 0;    // PostgreSQL's xvac flags: always 0 here
  template <typename F> void Fields(F&& f) { f(xmax), f(offset), f(infomask2), f(infomask), f(frzflags); }
};
std::string EncodeFreezePlans(const std::vector<FreezeTuplePlan>& plans);
std::optional<std::vector<FreezeTuplePlan>> DecodeFreezePlans(std::string_view data);

/* Block data made of offset numbers (PRUNE, VACUUM, Btree VACUUM): 2 bytes
 * each, little-endian. */
std::string EncodeOffsets(const std::vector<uint16_t>& offsets);
std::optional<std::vector<uint16_t>> DecodeOffsets(std::string_view data);

}  // namespace minipg::storage::wal
