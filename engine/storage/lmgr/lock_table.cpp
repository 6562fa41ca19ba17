/*-------------------------------------------------------------------------
 * lock_table.cpp
 *   The lock modes, tags and the shared lock table's operations (see
 *   lock_table.h): grant, queue, release, wake-up order, blockers and the
 *   wait-for graph's cycles.
 *-------------------------------------------------------------------------
 */
#include "engine/storage/lmgr/lock_table.h"

#include <algorithm>
#include <array>
#include <functional>
#include <new>
#include <string>

#include <fmt/format.h>

#include "engine/shmem/futex.h"

namespace minipg::lmgr {

namespace {

constexpr uint32_t Bit(int m) { return 1u << m; }

/* PostgreSQL's LockConflicts table: row m, the modes a holder of m blocks. */
constexpr std::array<uint32_t, kMaxLockMode + 1> kConflicts = {
    0,
    /* AccessShare */ Bit(8),
    /* RowShare */ Bit(7) | Bit(8),
    /* RowExclusive */ Bit(5) | Bit(6) | Bit(7) | Bit(8),
    /* ShareUpdateExclusive */ Bit(4) | Bit(5) | Bit(6) | Bit(7) | Bit(8),
    /* Share */ Bit(3) | Bit(4) | Bit(6) | Bit(7) | Bit(8),
    /* ShareRowExclusive */ Bit(3) | Bit(4) | Bit(5) | Bit(6) | Bit(7) | Bit(8),
    /* Exclusive */ Bit(2) | Bit(3) | Bit(4) | Bit(5) | Bit(6) | Bit(7) | Bit(8),
    /* AccessExclusive */ Bit(1) | Bit(2) | Bit(3) | Bit(4) | Bit(5) | Bit(6) | Bit(7) | Bit(8),
};

constexpr std::array<const char*, kMaxLockMode + 1> kModeNames = {
    "INVALID",         "AccessShareLock",        "RowShareLock",   "RowExclusiveLock",
    "ShareUpdateExclusiveLock", "ShareLock", "ShareRowExclusiveLock", "ExclusiveLock",
    "AccessExclusiveLock",
};

int ModeIndex(LockMode m) { return static_cast<int>(m); }

int32_t* Buckets(LockShared* t) { return reinterpret_cast<int32_t*>(t + 1); }

size_t BucketsBytes(int nbuckets) {
  size_t b = sizeof(int32_t) * static_cast<size_t>(nbuckets);
  return (b + 63) & ~size_t{63};
}

LockEntry* Locks(const LockShared* t) {
  auto* base = reinterpret_cast<char*>(const_cast<LockShared*>(t)) + sizeof(LockShared) + BucketsBytes(t->nbuckets);
  return reinterpret_cast<LockEntry*>(base);
}
ProcLockEntry* ProcLocks(const LockShared* t) {
  return reinterpret_cast<ProcLockEntry*>(Locks(t) + t->max_locks);
}
LockProc* Procs(const LockShared* t) { return reinterpret_cast<LockProc*>(ProcLocks(t) + t->max_proclocks); }

uint32_t HashTag(const LockTag& tag) {
  uint32_t h = 2166136261u;
  for (uint32_t v : {static_cast<uint32_t>(tag.type), tag.field1, tag.field2, tag.field3,
                     static_cast<uint32_t>(tag.field4)}) {
    h = (h ^ v) * 16777619u;
  }
  return h;
}

/* The head of the hash chain `tag` belongs to. */
int32_t& BucketOf(const LockShared* t, const LockTag& tag) {
  return Buckets(const_cast<LockShared*>(t))[HashTag(tag) % static_cast<uint32_t>(t->nbuckets)];
}

int FindLock(const LockShared* t, const LockTag& tag) {
  const LockEntry* locks = Locks(t);
  for (int i = BucketOf(t, tag); i >= 0; i = locks[i].next_in_bucket) {
    if (locks[i].tag == tag) return i;
  }
  return -1;
}

int FindProcLock(const LockShared* t, int lock, int proc) {
  const ProcLockEntry* pls = ProcLocks(t);
  for (int i = Locks(t)[lock].first_proclock; i >= 0; i = pls[i].next_in_lock) {
    if (pls[i].proc == proc) return i;
  }
  return -1;
}

/* Modes held by processes other than the one of `self` (a proclock, or -1). */
uint32_t OthersGrantMask(const LockShared* t, int lock, int self) {
  const LockEntry& l = Locks(t)[lock];
  uint32_t own = self >= 0 ? ProcLocks(t)[self].hold_mask : 0;
  uint32_t mask = 0;
  for (int m = 1; m <= kMaxLockMode; ++m) {
    int others = l.granted[m] - ((own & Bit(m)) != 0 ? 1 : 0);
    if (others > 0) mask |= Bit(m);
  }
  return mask;
}

/* The lock's waiting proclocks in queue order. */
std::vector<int> WaitQueue(const LockShared* t, int lock) {
  const ProcLockEntry* pls = ProcLocks(t);
  std::vector<int> q;
  for (int i = Locks(t)[lock].first_proclock; i >= 0; i = pls[i].next_in_lock) {
    if (pls[i].wait_mode != LockMode::kNoLock) q.push_back(i);
  }
  std::sort(q.begin(), q.end(), [&](int a, int b) { return pls[a].wait_seq < pls[b].wait_seq; });
  return q;
}

void Grant(LockShared* t, int pl, LockMode mode) {
  ProcLockEntry& p = ProcLocks(t)[pl];
  LockEntry& l = Locks(t)[p.lock];
  if ((p.hold_mask & Bit(ModeIndex(mode))) == 0) {
    p.hold_mask |= Bit(ModeIndex(mode));
    ++l.granted[ModeIndex(mode)];
    l.grant_mask |= Bit(ModeIndex(mode));
  }
}

/* Ends proclock `pl`'s wait with the lock granted, and wakes its process. */
void GrantWaiter(LockShared* t, int pl) {
  ProcLockEntry& p = ProcLocks(t)[pl];
  Grant(t, pl, p.wait_mode);
  p.wait_mode = LockMode::kNoLock;
  LockProc& proc = Procs(t)[p.proc];
  proc.waiting_proclock = -1;
  proc.wake.fetch_add(1);
  shmem::FutexWakeAll(&proc.wake);
}

/* PostgreSQL's ProcLockWakeup: grants, in queue order, every waiter whose
 * mode conflicts neither with the holders nor with a waiter before it. */
void WakeWaiters(LockShared* t, int lock) {
  uint32_t ahead = 0;
  for (int pl : WaitQueue(t, lock)) {
    LockMode m = ProcLocks(t)[pl].wait_mode;
    if ((ConflictMask(m) & ahead) == 0 && (ConflictMask(m) & OthersGrantMask(t, lock, pl)) == 0) {
      GrantWaiter(t, pl);
    } else {
      ahead |= Bit(ModeIndex(m));
    }
  }
}

/* Drops a proclock that holds and awaits nothing; then its lock if unused. */
void FreeProcLockIfIdle(LockShared* t, int pl) {
  ProcLockEntry* pls = ProcLocks(t);
  ProcLockEntry& p = pls[pl];
  if (p.hold_mask != 0 || p.wait_mode != LockMode::kNoLock) return;
  LockEntry& l = Locks(t)[p.lock];
  for (int* link = &l.first_proclock; *link >= 0; link = &pls[*link].next_in_lock) {
    if (*link == pl) {
      *link = p.next_in_lock;
      break;
    }
  }
  LockProc& proc = Procs(t)[p.proc];
  for (int* link = &proc.first_proclock; *link >= 0; link = &pls[*link].next_in_proc) {
    if (*link == pl) {
      *link = p.next_in_proc;
      break;
    }
  }
  int lock = p.lock;
  p = ProcLockEntry{};
  p.next_in_lock = t->free_proclock;
  t->free_proclock = pl;
  if (l.first_proclock >= 0) return;
  LockEntry* locks = Locks(t);
  for (int* link = &BucketOf(t, l.tag); *link >= 0;
       link = &locks[*link].next_in_bucket) {
    if (*link == lock) {
      *link = l.next_in_bucket;
      break;
    }
  }
  l = LockEntry{};
  l.next_in_bucket = t->free_lock;
  l.first_proclock = -1;
  t->free_lock = lock;
}

}  // namespace

/* ---- modes and tags ------------------------------------------------------- */

const char* LockModeName(LockMode mode) { return kModeNames[static_cast<size_t>(mode)]; }

bool LockModesConflict(LockMode a, LockMode b) { return (kConflicts[ModeIndex(a)] & Bit(ModeIndex(b))) != 0; }

uint32_t ConflictMask(LockMode mode) { return kConflicts[ModeIndex(mode)]; }

LockMode LockModeFromWords(std::string_view words) {
  static constexpr std::array<std::string_view, kMaxLockMode + 1> kWords = {
      "", "ACCESS SHARE", "ROW SHARE", "ROW EXCLUSIVE", "SHARE UPDATE EXCLUSIVE", "SHARE",
      "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE"};
  for (int m = 1; m <= kMaxLockMode; ++m) {
    if (kWords[static_cast<size_t>(m)] == words) return static_cast<LockMode>(m);
  }
  return LockMode::kNoLock;
}

LockTag RelationTag(Oid db, Oid relid) { return LockTag{LockTagType::kRelation, db, relid, 0, 0}; }
LockTag TransactionTag(TransactionId xid) { return LockTag{LockTagType::kTransactionId, xid, 0, 0, 0}; }
LockTag VirtualXidTag(uint32_t backend_id, uint32_t local_xid) {
  return LockTag{LockTagType::kVirtualXid, backend_id, local_xid, 0, 0};
}
LockTag ObjectTag(Oid db, Oid classid, Oid objid, uint16_t objsubid) {
  return LockTag{LockTagType::kObject, db, classid, objid, objsubid};
}

const char* LockTagTypeName(LockTagType type) {
  switch (type) {
    case LockTagType::kRelation: return "relation";
    case LockTagType::kTransactionId: return "transactionid";
    case LockTagType::kVirtualXid: return "virtualxid";
    case LockTagType::kTuple: return "tuple";
    case LockTagType::kObject: return "object";
  }
  return "unknown";
}

std::string DescribeLockTag(const LockTag& tag) {
  switch (tag.type) {
    case LockTagType::kRelation: return fmt::format("relation {} of database {}", tag.field2, tag.field1);
    case LockTagType::kTransactionId: return fmt::format("transaction {}", tag.field1);
    case LockTagType::kVirtualXid: return fmt::format("virtual transaction {}/{}", tag.field1, tag.field2);
    case LockTagType::kTuple:
      return fmt::format("tuple ({},{}) of relation {} of database {}", tag.field3, tag.field4, tag.field2,
                         tag.field1);
    case LockTagType::kObject:
      return fmt::format("object {} of class {} of database {}", tag.field3, tag.field2, tag.field1);
  }
  return "unknown locktag";
}

/* ---- the table --------------------------------------------------------------- */

size_t LockTableSize(int max_locks, int num_procs) {
  int nbuckets = max_locks;
  return sizeof(LockShared) + BucketsBytes(nbuckets) + sizeof(LockEntry) * static_cast<size_t>(max_locks) +
         sizeof(ProcLockEntry) * static_cast<size_t>(max_locks) + sizeof(LockProc) * static_cast<size_t>(num_procs);
}

void LockTableInit(void* mem, int max_locks, int num_procs) {
  auto* t = new (mem) LockShared{};
  shmem::LWLockInit(&t->lock, shmem::LWLockTranche::kLockManager);
  t->nbuckets = max_locks;
  t->max_locks = max_locks;
  t->max_proclocks = max_locks;
  t->num_procs = num_procs;
  for (int b = 0; b < t->nbuckets; ++b) Buckets(t)[b] = -1;
  LockEntry* locks = Locks(t);
  ProcLockEntry* pls = ProcLocks(t);
  for (int i = 0; i < max_locks; ++i) {
    new (&locks[i]) LockEntry{};
    locks[i].next_in_bucket = i + 1 < max_locks ? i + 1 : -1;
    locks[i].first_proclock = -1;
    new (&pls[i]) ProcLockEntry{};
    pls[i].next_in_lock = i + 1 < max_locks ? i + 1 : -1;
  }
  t->free_lock = max_locks > 0 ? 0 : -1;
  t->free_proclock = max_locks > 0 ? 0 : -1;
  LockProc* procs = Procs(t);
  for (int i = 0; i < num_procs; ++i) {
    new (&procs[i]) LockProc{};
    procs[i].first_proclock = -1;
    procs[i].waiting_proclock = -1;
    procs[i].backend_id = static_cast<uint32_t>(i + 1);
  }
}

LockProc* TableProc(LockShared* t, int proc) { return &Procs(t)[proc]; }

std::vector<ProcLockView> TableProcLocks(const LockShared* t, int proc) {
  std::vector<ProcLockView> out;
  const ProcLockEntry* pls = ProcLocks(t);
  for (int pl = Procs(t)[proc].first_proclock; pl >= 0; pl = pls[pl].next_in_proc) {
    out.push_back({Locks(t)[pls[pl].lock].tag, pls[pl].hold_mask, pls[pl].wait_mode, pls[pl].wait_start});
  }
  return out;
}

AcquireOutcome TableAcquire(LockShared* t, int proc, const LockTag& tag, LockMode mode, bool dont_wait,
                            int64_t now_us) {
  int lock = FindLock(t, tag);
  if (lock < 0) {
    if (t->free_lock < 0 || t->free_proclock < 0) return AcquireOutcome::kOutOfMemory;
    lock = t->free_lock;
    LockEntry& l = Locks(t)[lock];
    t->free_lock = l.next_in_bucket;
    l = LockEntry{};
    l.used = true;
    l.tag = tag;
    l.first_proclock = -1;
    int32_t& bucket = BucketOf(t, tag);
    l.next_in_bucket = bucket;
    bucket = lock;
  }
  int pl = FindProcLock(t, lock, proc);
  if (pl < 0) {
    if (t->free_proclock < 0) return AcquireOutcome::kOutOfMemory;  // (a new lock entry had one)
    pl = t->free_proclock;
    ProcLockEntry& p = ProcLocks(t)[pl];
    t->free_proclock = p.next_in_lock;
    p = ProcLockEntry{};
    p.used = true;
    p.lock = lock;
    p.proc = proc;
    p.next_in_lock = Locks(t)[lock].first_proclock;
    Locks(t)[lock].first_proclock = pl;
    p.next_in_proc = Procs(t)[proc].first_proclock;
    Procs(t)[proc].first_proclock = pl;
  }
  ProcLockEntry& p = ProcLocks(t)[pl];
  if ((p.hold_mask & Bit(ModeIndex(mode))) != 0) return AcquireOutcome::kGranted;

  uint32_t conflicts = ConflictMask(mode);
  std::vector<int> queue = WaitQueue(t, lock);
  // Where the request goes: at the end, or (PostgreSQL's ProcSleep) ahead
  // of the first waiter that waits for something this process holds.
  size_t position = queue.size();
  uint32_t ahead = 0;
  if (p.hold_mask != 0) {
    for (size_t i = 0; i < queue.size(); ++i) {
      const ProcLockEntry& w = ProcLocks(t)[queue[i]];
      if ((ConflictMask(w.wait_mode) & p.hold_mask) != 0) {
        position = i;
        break;
      }
      ahead |= Bit(ModeIndex(w.wait_mode));
    }
  } else {
    for (int q : queue) ahead |= Bit(ModeIndex(ProcLocks(t)[q].wait_mode));
  }
  if ((conflicts & ahead) == 0 && (conflicts & OthersGrantMask(t, lock, pl)) == 0) {
    Grant(t, pl, mode);
    return AcquireOutcome::kGranted;
  }
  if (dont_wait) {
    FreeProcLockIfIdle(t, pl);
    return AcquireOutcome::kNotAvailable;
  }
  // Queue it: a sequence number between its neighbours' (renumbering the
  // rest of the queue behind it when it jumps ahead).
  uint64_t seq = ++t->next_wait_seq;
  if (position < queue.size()) {
    seq = ProcLocks(t)[queue[position]].wait_seq;
    for (size_t i = position; i < queue.size(); ++i) ProcLocks(t)[queue[i]].wait_seq = ++t->next_wait_seq;
  }
  p.wait_mode = mode;
  p.wait_seq = seq;
  p.wait_start = now_us;
  Procs(t)[proc].waiting_proclock = pl;
  return AcquireOutcome::kMustWait;
}

int TableReleaseAll(LockShared* t, int proc) {
  LockProc& pr = Procs(t)[proc];
  ProcLockEntry* pls = ProcLocks(t);
  std::vector<int> touched;
  int count = 0;
  for (int pl = pr.first_proclock; pl >= 0;) {
    int next = pls[pl].next_in_proc;
    ProcLockEntry& p = pls[pl];
    LockEntry& l = Locks(t)[p.lock];
    for (int m = 1; m <= kMaxLockMode; ++m) {
      if ((p.hold_mask & Bit(m)) == 0) continue;
      ++count;
      if (--l.granted[m] == 0) l.grant_mask &= ~Bit(m);
    }
    p.hold_mask = 0;
    p.wait_mode = LockMode::kNoLock;
    touched.push_back(p.lock);
    FreeProcLockIfIdle(t, pl);
    pl = next;
  }
  pr.waiting_proclock = -1;
  for (int lock : touched) {
    if (Locks(t)[lock].used) WakeWaiters(t, lock);
  }
  return count;
}

bool TableRelease(LockShared* t, int proc, const LockTag& tag, LockMode mode) {
  int lock = FindLock(t, tag);
  int pl = lock >= 0 ? FindProcLock(t, lock, proc) : -1;
  if (pl < 0 || (ProcLocks(t)[pl].hold_mask & Bit(ModeIndex(mode))) == 0) return false;
  ProcLocks(t)[pl].hold_mask &= ~Bit(ModeIndex(mode));
  LockEntry& l = Locks(t)[lock];
  if (--l.granted[ModeIndex(mode)] == 0) l.grant_mask &= ~Bit(ModeIndex(mode));
  FreeProcLockIfIdle(t, pl);
  if (Locks(t)[lock].used) WakeWaiters(t, lock);
  return true;
}

bool TableCancelWait(LockShared* t, int proc) {
  LockProc& pr = Procs(t)[proc];
  int pl = pr.waiting_proclock;
  if (pl < 0) return false;
  ProcLockEntry& p = ProcLocks(t)[pl];
  int lock = p.lock;
  p.wait_mode = LockMode::kNoLock;
  pr.waiting_proclock = -1;
  FreeProcLockIfIdle(t, pl);
  // Those queued behind it may go now.
  if (Locks(t)[lock].used) WakeWaiters(t, lock);
  return true;
}

bool TableIsWaiting(const LockShared* t, int proc) { return Procs(t)[proc].waiting_proclock >= 0; }

std::vector<int> TableBlockers(const LockShared* t, int proc) {
  std::vector<int> out;
  int pl = Procs(t)[proc].waiting_proclock;
  if (pl < 0) return out;
  const ProcLockEntry* pls = ProcLocks(t);
  const ProcLockEntry& me = pls[pl];
  uint32_t conflicts = ConflictMask(me.wait_mode);
  for (int i = Locks(t)[me.lock].first_proclock; i >= 0; i = pls[i].next_in_lock) {
    const ProcLockEntry& o = pls[i];
    if (o.proc == proc) continue;
    bool hard = (o.hold_mask & conflicts) != 0;
    bool soft = o.wait_mode != LockMode::kNoLock && o.wait_seq < me.wait_seq &&
                (conflicts & Bit(ModeIndex(o.wait_mode))) != 0;
    if ((hard || soft) && std::find(out.begin(), out.end(), o.proc) == out.end()) out.push_back(o.proc);
  }
  return out;
}

std::vector<int> TableHolders(const LockShared* t, int proc) {
  std::vector<int> out;
  int pl = Procs(t)[proc].waiting_proclock;
  if (pl < 0) return out;
  const ProcLockEntry* pls = ProcLocks(t);
  uint32_t conflicts = ConflictMask(pls[pl].wait_mode);
  for (int i = Locks(t)[pls[pl].lock].first_proclock; i >= 0; i = pls[i].next_in_lock) {
    if (pls[i].proc != proc && (pls[i].hold_mask & conflicts) != 0) out.push_back(pls[i].proc);
  }
  std::reverse(out.begin(), out.end());  // oldest first (entries are pushed at the head)
  return out;
}

std::vector<int> TableQueue(const LockShared* t, int proc) {
  std::vector<int> out;
  int pl = Procs(t)[proc].waiting_proclock;
  if (pl < 0) return out;
  for (int q : WaitQueue(t, ProcLocks(t)[pl].lock)) out.push_back(ProcLocks(t)[q].proc);
  return out;
}

std::vector<DeadlockStep> TableFindDeadlock(const LockShared* t, int proc) {
  // Depth-first search of the wait-for graph from proc; a path back to it
  // is the cycle. Each process waits for at most one lock, so a visited
  // process never needs a second look.
  std::vector<DeadlockStep> path;
  std::vector<char> visited(static_cast<size_t>(t->num_procs), 0);
  auto step_of = [&](int from, int to) {
    const ProcLockEntry& w = ProcLocks(t)[Procs(t)[from].waiting_proclock];
    return DeadlockStep{from, to, Locks(t)[w.lock].tag, w.wait_mode};
  };
  std::function<bool(int)> visit = [&](int p) -> bool {
    visited[static_cast<size_t>(p)] = 1;
    for (int b : TableBlockers(t, p)) {
      path.push_back(step_of(p, b));
      if (b == proc) return true;
      if (!visited[static_cast<size_t>(b)] && visit(b)) return true;
      path.pop_back();
    }
    return false;
  };
  if (!TableIsWaiting(t, proc) || !visit(proc)) return {};
  return path;
}

}  // namespace minipg::lmgr
