/*-------------------------------------------------------------------------
 * lock_table.h
 *   The shared lock table (PostgreSQL's LOCK, PROCLOCK and the lock parts
 *   of PGPROC), one area "lock table" of shared memory:
 *
 *     OFFSET  SIZE                         DESCRIPTION
 *          0  sizeof(LockShared)           the LWLock guarding everything below,
 *                                          the sizes, the free lists' heads
 *          B  nbuckets * 4                 hash buckets: first lock entry of each
 *          L  max_locks * sizeof(LockEntry)        one per locked object
 *          P  max_proclocks * sizeof(ProcLockEntry) one per (object, process)
 *          R  num_procs * sizeof(LockProc)          one per process slot
 *
 *   Entries are linked by index (-1 ends a list): a lock's proclocks
 *   (next_in_lock), a process's proclocks (next_in_proc), a bucket's locks
 *   (next_in_bucket); free entries are chained through the same words.
 *   A lock's wait queue is its proclocks whose wait_mode is set, in
 *   wait_seq order (a request's place in the queue).
 *
 *   These functions work on a table given explicitly, for any process
 *   index, and never sleep: the caller holds the table's LWLock
 *   exclusively (shared for the readers marked so). lock.cpp adds the
 *   sleeping and the per-process bookkeeping; the unit tests drive them
 *   with several "processes" in one.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "engine/shmem/lwlock.h"
#include "engine/storage/lmgr/lock.h"

namespace minipg::lmgr {

inline constexpr const char* kLockShmemAreaName = "lock table";

struct LockEntry {
  LockTag tag;
  bool used;
  int32_t next_in_bucket;  // also the free list's link
  int32_t first_proclock;
  uint32_t grant_mask;     // bit m: some process holds mode m
  int32_t granted[kMaxLockMode + 1];  // holders per mode
};

struct ProcLockEntry {
  bool used;
  int32_t lock;          // its LockEntry
  int32_t proc;          // its LockProc
  int32_t next_in_lock;  // also the free list's link
  int32_t next_in_proc;
  uint32_t hold_mask;    // bit m: this process holds mode m
  LockMode wait_mode;    // the mode it waits for, kNoLock when not waiting
  uint64_t wait_seq;     // order of the request in the lock's queue
  int64_t wait_start;    // microseconds since the epoch
};

struct LockProc {
  int32_t pid;                  // 0: no process
  uint32_t backend_id;          // slot + 1 (virtualtransaction's first half)
  uint32_t local_xid;           // its current transaction's local id
  std::atomic<uint32_t> wake;   // futex word: bumped when its wait ends
  int32_t first_proclock;
  int32_t waiting_proclock;     // -1 when not waiting
};

struct LockShared {
  shmem::LWLock lock;
  int32_t nbuckets, max_locks, max_proclocks, num_procs;
  int32_t free_lock, free_proclock;
  uint64_t next_wait_seq;
};

/* Bytes for a table of `max_locks` lock entries (as many proclocks) and
 * `num_procs` processes; LockTableInit prepares zeroed memory of that size. */
size_t LockTableSize(int max_locks, int num_procs);
void LockTableInit(void* mem, int max_locks, int num_procs);

LockProc* TableProc(LockShared* t, int proc);

/* What a process holds or awaits on one lock (shared LWLock is enough). */
struct ProcLockView {
  LockTag tag;
  uint32_t hold_mask = 0;
  LockMode wait_mode = LockMode::kNoLock;
  int64_t wait_start = 0;
};
std::vector<ProcLockView> TableProcLocks(const LockShared* t, int proc);

/* What a request came to. */
enum class AcquireOutcome {
  kGranted,        // held now (or already was)
  kMustWait,       // queued: the caller sleeps until granted
  kNotAvailable,   // dont_wait and it would have to wait (nothing queued)
  kOutOfMemory,    // no free lock or proclock entry
};

/* Requests `mode` on `tag` for process `proc` (PostgreSQL's LockAcquire
 * and the queue placement of ProcSleep): granted when it conflicts neither
 * with what other processes hold nor with what earlier waiters want; a
 * process that already holds a mode some waiter wants goes ahead of that
 * waiter (and may then be granted at once). */
AcquireOutcome TableAcquire(LockShared* t, int proc, const LockTag& tag, LockMode mode, bool dont_wait,
                            int64_t now_us);
/* Releases everything `proc` holds or waits for, granting what that
 * unblocks (in queue order) and waking those processes. Returns how many
 * (lock, mode) pairs it held. */
int TableReleaseAll(LockShared* t, int proc);
/* Releases one mode `proc` holds on `tag` (PostgreSQL's LockRelease),
 * granting what that unblocks; false if it did not hold it. */
bool TableRelease(LockShared* t, int proc, const LockTag& tag, LockMode mode);
/* Takes `proc` out of its lock's queue (a wait that failed). False if it
 * was granted meanwhile (it holds the lock then). */
bool TableCancelWait(LockShared* t, int proc);
/* True while `proc` waits. */
bool TableIsWaiting(const LockShared* t, int proc);

/* The processes `proc`'s wait is blocked by: holders of conflicting modes
 * (hard) and earlier waiters for conflicting modes (soft), as indexes. */
std::vector<int> TableBlockers(const LockShared* t, int proc);

/* For log_lock_waits: the processes holding a mode `proc` waits against,
 * and the lock's whole wait queue in order (itself included). */
std::vector<int> TableHolders(const LockShared* t, int proc);
std::vector<int> TableQueue(const LockShared* t, int proc);

/* One step of a deadlock cycle. */
struct DeadlockStep {
  int proc = 0;
  int waits_for = 0;  // the next process of the cycle
  LockTag tag;
  LockMode mode = LockMode::kNoLock;
};
/* A cycle of the wait-for graph through `proc`, starting with it (empty:
 * none). Soft edges count as hard ones (see README.md). */
std::vector<DeadlockStep> TableFindDeadlock(const LockShared* t, int proc);

}  // namespace minipg::lmgr
