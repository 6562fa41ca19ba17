/*-------------------------------------------------------------------------
 * lwlock.h
 *   Lightweight locks (PostgreSQL's LWLock): short-term shared/exclusive
 *   locks on data structures in shared memory (a buffer's page, a
 *   partition of the buffer mapping table, the WAL insert position).
 *
 *   An LWLock is one 32-bit atomic word inside the shared memory segment:
 *
 *     BIT     MEANING
 *     0..23   number of shared holders
 *     30      waiters: some process sleeps (or is about to) on the word
 *     31      held exclusively
 *
 *   Taking it is one compare-and-swap when it is free. A process that must
 *   wait sets the waiters bit and sleeps in the kernel on the word itself
 *   (futex FUTEX_WAIT, not the PRIVATE variant: the word is in memory that
 *   several processes share). The releaser that leaves the lock free and
 *   finds the waiters bit clears it and wakes every sleeper (FUTEX_WAKE);
 *   they race for the lock again, and losers sleep again. The kernel checks
 *   the word's value atomically with going to sleep, so a wake-up between
 *   a waiter's last look and its sleep is never lost.
 *
 * NOTES
 *   While it waits, a process shows the lock's tranche as its wait event
 *   (pg_stat_activity: wait_event_type "LWLock", wait_event
 *   "BufferContent", ...).
 *   Interrupts are held off while a process holds any LWLock
 *   (HoldInterrupts, interrupts.h): a cancel or terminate is acted on at
 *   the first CheckForInterrupts() after the last release, never with a
 *   lock held. Waiting for an LWLock cannot be interrupted either: they are
 *   held for short stretches of code only, never across a wait on a client.
 *   Each process remembers the locks it holds (at most kMaxHeldLWLocks);
 *   LWLockReleaseAll() releases them on an error path and at exit.
 *   A process that dies holding one leaves it held forever: the postmaster
 *   treats any abnormal child exit as a crash and re-creates shared memory,
 *   as PostgreSQL does.
 *   Fairness: a stream of shared holders can delay an exclusive waiter
 *   (PostgreSQL queues waiters in order; minipg wakes them all and lets
 *   them race, which is simpler and enough for short critical sections).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <atomic>
#include <cstdint>

#include "engine/shmem/backend_status.h"

namespace minipg::shmem {

/* Which kind of lock: its wait event's name (PostgreSQL's tranche). */
enum class LWLockTranche : uint8_t {
  kBufferMapping,  // "BufferMapping": one partition of the buffer mapping table
  kBufferContent,  // "BufferContent": the page of one shared buffer
  kWALInsert,      // "WALInsert": reserving and copying a WAL record
  kWALWrite,       // "WALWrite": writing and flushing WAL to disk
  kWALBufMapping,  // "WALBufMapping": replacing a page of the WAL buffers
  kControlFile,    // "ControlFile": pg_control
  // Adding a block to a relation; shown as wait_event_type Lock, wait_event
  // "extend", as PostgreSQL shows its relation extension lock (a heavyweight
  // lock there, an LWLock here).
  kRelationExtension,
  kXidGen,    // "XidGen": handing out the next transaction id
  kXactSLRU,  // "XactSLRU": the pg_xact page buffers (transaction status)
  kPgStatsData,  // "PgStatsData": the shared statistics (pgstat.h)
  kOidGen,    // "OidGen": handing out the next OID
  // "SInvalWrite": the shared invalidation ring (one lock, shared by its
  // readers, where PostgreSQL has SInvalReadLock and SInvalWriteLock)
  kSInvalWrite,
  kLockManager,  // "LockManager": the heavyweight lock table (storage/lmgr)
  kProcArray,  // "ProcArray": the running xids and snapshot xmins (procarray.h)
  kSubtransSLRU,         // "SubtransSLRU": the pg_subtrans page buffers (subtrans.h)
  kMultiXactGen,         // "MultiXactGen": handing out the next MultiXactId (multixact.h)
  kMultiXactOffsetSLRU,  // "MultiXactOffsetSLRU": the pg_multixact/offsets page buffers
  kMultiXactMemberSLRU,  // "MultiXactMemberSLRU": the pg_multixact/members page buffers
};

enum class LWLockMode : uint8_t {
  kShared,     // many holders at once
  kExclusive,  // one holder, no shared holders
};

inline constexpr int kMaxHeldLWLocks = 200;  // per process, as PostgreSQL's MAX_SIMUL_LWLOCKS

/* Lives in shared memory; initialise with LWLockInit before any fork. */
struct LWLock {
  std::atomic<uint32_t> state;
  LWLockTranche tranche;
};

void LWLockInit(LWLock* lock, LWLockTranche tranche);

/* Takes the lock, sleeping until it can (wait event: its tranche). */
void LWLockAcquire(LWLock* lock, LWLockMode mode);
/* Takes the lock only if it can at once; true if taken. */
bool LWLockConditionalAcquire(LWLock* lock, LWLockMode mode);
/* Releases a lock this process holds (in whatever mode it holds it). */
void LWLockRelease(LWLock* lock);
/* Releases every lock this process holds (error paths, exit). */
void LWLockReleaseAll();

bool LWLockHeldByMe(const LWLock* lock);
bool LWLockHeldByMeInMode(const LWLock* lock, LWLockMode mode);
int LWLockNumHeldByMe();

const char* LWLockTrancheName(LWLockTranche tranche);  // "BufferContent"
WaitEvent LWLockTrancheWaitEvent(LWLockTranche tranche);

/* Holds a lock for a scope. */
class LWLockGuard {
 public:
  LWLockGuard(LWLock* lock, LWLockMode mode) : lock_(lock) { LWLockAcquire(lock, mode); }
  ~LWLockGuard() { LWLockRelease(lock_); }
  LWLockGuard(const LWLockGuard&) = delete;
  LWLockGuard& operator=(const LWLockGuard&) = delete;

 private:
  LWLock* lock_;
};

}  // namespace minipg::shmem
