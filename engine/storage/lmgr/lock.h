/*-------------------------------------------------------------------------
 * lock.h
 *   The heavyweight lock manager (PostgreSQL's lmgr: lock.c, proc.c,
 *   deadlock.c, lmgr.c): locks on database objects held until the
 *   transaction ends, with PostgreSQL's eight table lock modes and their
 *   conflict table, a wait queue per lock, deadlock detection, lock_timeout
 *   and pg_locks.
 *
 *     LockRelationOid(relid, AccessShareLock);   // SELECT, during analysis
 *     XactLockTableInsert(xid);                   // when an xid is assigned
 *     XactLockTableWait(xid);                     // until that transaction ends
 *     LockReleaseAll();                           // at transaction end
 *
 *   A lock is named by a tag (relation, transactionid, virtualxid, tuple,
 *   object); the shared lock table (lock_table.h) keeps one entry per
 *   locked object and one per (object, process) pair, in shared memory
 *   sized from max_connections * max_locks_per_transaction.
 *
 *   Waiting (LockAcquire when a conflicting lock is held, or requested by
 *   an earlier waiter):
 *
 *     queued --(holder releases, we are first compatible)--> granted
 *        |----(deadlock_timeout passed, a cycle through us)--> 40P01
 *        |----(lock_timeout passed)--------------------------> 55P03
 *        |----(cancel, statement_timeout)--------------------> 57014
 *        `----(terminate, postmaster death)------------------> 57P01 FATAL
 *
 * NOTES
 *   A waiter sleeps on its own futex word in the lock table, woken by the
 *   process that grants it the lock; it also wakes every few milliseconds
 *   to look at its interrupt flags and timers, so a cancel ends a wait at
 *   once (within that slice). There is no fast-path: every lock goes
 *   through the shared table (pg_locks.fastpath is always false).
 *   A process that dies abnormally leaves its entries behind: the
 *   postmaster's crash cycle replaces shared memory, and with it the table.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/common/error.h"
#include "engine/common/sqlstate.h"
#include "engine/storage/block.h"

namespace minipg::lmgr {

using storage::Oid;
using storage::TransactionId;

/* PostgreSQL's lock modes, with its numbers (1 .. 8). */
enum class LockMode : uint8_t {
  kNoLock = 0,                // not a mode: "no lock"
  kAccessShare = 1,           // SELECT
  kRowShare = 2,              // SELECT FOR UPDATE / FOR SHARE
  kRowExclusive = 3,          // INSERT, UPDATE, DELETE
  kShareUpdateExclusive = 4,  // VACUUM, ANALYZE
  kShare = 5,                 // CREATE INDEX
  kShareRowExclusive = 6,     // CREATE TRIGGER (here: LOCK TABLE only)
  kExclusive = 7,             // a transaction's own xid, REFRESH ... CONCURRENTLY
  kAccessExclusive = 8,       // DROP, TRUNCATE, ALTER TABLE, LOCK TABLE's default
};
inline constexpr int kMaxLockMode = 8;

/* "AccessShareLock" ... as pg_locks.mode and the messages name them. */
const char* LockModeName(LockMode mode);
/* The mode LOCK TABLE's words name ("ACCESS SHARE"), kNoLock if none. */
LockMode LockModeFromWords(std::string_view words);
/* True if a holder of `a` blocks a request for `b` (symmetric). */
bool LockModesConflict(LockMode a, LockMode b);
/* The bit mask of the modes `mode` conflicts with (bit m for mode m). */
uint32_t ConflictMask(LockMode mode);

/* What is locked (PostgreSQL's LOCKTAG). */
enum class LockTagType : uint8_t {
  kRelation = 0,       // (database, relation)
  kTransactionId = 1,  // (xid)
  kVirtualXid = 2,     // (backend id, local xid)
  kTuple = 3,          // (database, relation, block, offset)
  kObject = 4,         // (database, class id, object id, sub id)
};

struct LockTag {
  LockTagType type = LockTagType::kRelation;
  uint32_t field1 = 0;
  uint32_t field2 = 0;
  uint32_t field3 = 0;
  uint16_t field4 = 0;
  bool operator==(const LockTag&) const = default;
};

LockTag RelationTag(Oid db, Oid relid);
LockTag TransactionTag(TransactionId xid);
LockTag VirtualXidTag(uint32_t backend_id, uint32_t local_xid);
LockTag ObjectTag(Oid db, Oid classid, Oid objid, uint16_t objsubid);

/* pg_locks.locktype: "relation", "transactionid", ... */
const char* LockTagTypeName(LockTagType type);
/* The tag as PostgreSQL's messages name it: `relation 16384 of database 5`,
 * `transaction 745`, `virtual transaction 3/12` (DescribeLockTag). */
std::string DescribeLockTag(const LockTag& tag);

/* ---- taking and releasing (this process's transaction) ----------------- */

/* Takes `mode` on `tag` until the transaction ends, waiting while it
 * conflicts (see the header's diagram). `waited` (if given) says whether it
 * had to wait. dont_wait: 55P03 instead of waiting (NOWAIT, the caller
 * words the message), and `*waited` false. `relname` names a relation's
 * lock in the events. Fails with 53200 when the table is full. */
Status LockAcquire(const LockTag& tag, LockMode mode, bool dont_wait = false, bool* waited = nullptr,
                   std::string_view relname = "");
/* Gives up one mode this transaction holds (PostgreSQL's LockRelease):
 * for the short locks (XactLockTableWait); statement locks are kept. */
void LockRelease(const LockTag& tag, LockMode mode);
/* Gives up every lock this process holds (transaction end, exit). */
void LockReleaseAll();
/* True if this process holds exactly `mode` on `tag`. */
bool LockHeldByMe(const LockTag& tag, LockMode mode);

/* Relations of this process's database (SetLockDatabase). */
Status LockRelationOid(Oid relid, LockMode mode, bool* waited = nullptr, std::string_view relname = "");
/* NOWAIT: 55P03 `could not obtain lock on relation "name"` if it would wait. */
Status ConditionalLockRelationOid(Oid relid, LockMode mode, std::string_view name);
/* Releases a relation lock before the transaction's end (rarely right:
 * PostgreSQL's statement locks are held to the end). */
void UnlockRelationOid(Oid relid, LockMode mode);

/* The transaction's own xid lock (ExclusiveLock), taken when it gets one. */
void XactLockTableInsert(TransactionId xid);
/* Waits until transaction `xid` has ended: ShareLock on it, then released. */
Status XactLockTableWait(TransactionId xid);

/* ---- setup ---------------------------------------------------------------- */

/* This backend's process slot (its PGPROC) and database; call once the slot is
 * claimed and again when the database is known. */
void InitLockProcess(int slot);
void SetLockDatabase(Oid db);

/* The settings a wait obeys, from the session before each statement. */
struct LockWaitSettings {
  int deadlock_timeout_ms = 1000;
  int lock_timeout_ms = 0;  // 0: wait for ever
  bool log_lock_waits = false;
};
void SetLockWaitSettings(const LockWaitSettings& settings);

/* Where log_lock_waits and the deadlock report write (the server log);
 * set by the server, nothing is written without it. */
using LockLogHook = void (*)(std::string_view level, std::string_view message);
void SetLockLogHook(LockLogHook hook);

/* A wait for one of the storage layer's file locks (the global catalog's
 * flock, storage/file_util.h), reported as a lock wait is: the wait event,
 * and lock_wait (waited_us < 0) / lock_acquired events of the same shape,
 * locktype "object" and `lock` naming the file lock. */
void ReportFileLockWait(std::string_view object, bool exclusive, int64_t waited_us);

/* The virtual transaction id of this process's transaction ("3/12"). */
std::string MyVirtualXid();

/* ---- readers: pg_locks, pg_blocking_pids ---------------------------------- */

/* One row of pg_locks: a lock a process holds or waits for, one per mode. */
struct LockInfo {
  LockTag tag;
  LockMode mode = LockMode::kNoLock;
  bool granted = false;
  int32_t pid = 0;
  std::string virtual_transaction;  // the holder's "3/12"
  int64_t wait_start = 0;           // microseconds since the epoch, 0: not waiting
};
/* Every lock held or awaited now, one consistent copy (grouped by process). */
std::vector<LockInfo> GetLockStatusData();
/* The pids that block `pid`'s wait: holders of conflicting modes and earlier
 * waiters for conflicting modes (empty when it does not wait). */
std::vector<int32_t> GetBlockingPids(int32_t pid);

}  // namespace minipg::lmgr
