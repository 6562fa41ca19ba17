/*-------------------------------------------------------------------------
 * procarray.cpp
 *   The running xids and snapshot xmins in shared memory (see procarray.h).
 *-------------------------------------------------------------------------
 */
#include "engine/storage/heap/procarray.h"

#include <atomic>
#include <new>

#include "engine/shmem/backend_status.h"
#include "engine/shmem/lwlock.h"
#include "engine/storage/heap/subtrans.h"
#include "engine/storage/heap/transam.h"

namespace minipg::storage {

namespace {

struct ProcEntry {
  std::atomic<TransactionId> xid;
  std::atomic<TransactionId> xmin;
};

struct ProcArrayShared {
  shmem::LWLock lock;
  std::atomic<TransactionId> latest_completed;
  int32_t num_slots;
  ProcEntry entries[1];  // num_slots of them
};

ProcArrayShared* Shared() { return static_cast<ProcArrayShared*>(shmem::ShmemArea(kProcArrayShmemAreaName)); }

/* This process's entry, nullptr without the area or a slot. */
ProcEntry* MyEntry(ProcArrayShared* p) {
  int slot = shmem::MySlot();
  if (p == nullptr || slot < 0 || slot >= p->num_slots) return nullptr;
  return &p->entries[slot];
}

/* Without an entry (a unit test), this process's xid lives here. */
TransactionId g_local_xid = kInvalidTransactionId;

TransactionId g_recent_global_xmin = kInvalidTransactionId;  // RecentGlobalXmin()

bool Precedes(TransactionId a, TransactionId b) { return a < b; }

void AdvanceLatestCompleted(ProcArrayShared* p, TransactionId xid) {
  TransactionId cur = p->latest_completed.load(std::memory_order_relaxed);
  while (Precedes(cur, xid) && !p->latest_completed.compare_exchange_weak(cur, xid)) {
  }
}

}  // namespace

std::vector<shmem::ShmemRequest> ProcArrayShmemRequests(int num_slots) {
  size_t size = sizeof(ProcArrayShared) + sizeof(ProcEntry) * static_cast<size_t>(num_slots);
  return {{kProcArrayShmemAreaName, size, [num_slots](void* mem) {
             auto* p = new (mem) ProcArrayShared{};
             shmem::LWLockInit(&p->lock, shmem::LWLockTranche::kProcArray);
             p->latest_completed.store(kFirstNormalTransactionId - 1);
             p->num_slots = num_slots;
             for (int i = 0; i < num_slots; ++i) {
               new (&p->entries[i].xid) std::atomic<TransactionId>(kInvalidTransactionId);
               new (&p->entries[i].xmin) std::atomic<TransactionId>(kInvalidTransactionId);
             }
           }}};
}

void ProcArrayPublishXid(TransactionId xid) {
  ProcEntry* e = MyEntry(Shared());
  if (e == nullptr) {
    g_local_xid = xid;
    return;
  }
  e->xid.store(xid, std::memory_order_seq_cst);
}

void ProcArrayEndTransaction(TransactionId latest_xid) {
  ProcArrayShared* p = Shared();
  TransactionId xid = g_local_xid;
  g_local_xid = kInvalidTransactionId;
  ProcEntry* e = MyEntry(p);
  if (p == nullptr) return;
  if (e != nullptr && e->xid.load() == kInvalidTransactionId) {  // no xid: only the xmin to clear, no lock
    e->xmin.store(kInvalidTransactionId);
    return;
  }
  shmem::LWLockGuard guard(&p->lock, shmem::LWLockMode::kExclusive);
  if (e != nullptr) {
    xid = e->xid.load();
    e->xid.store(kInvalidTransactionId);
    e->xmin.store(kInvalidTransactionId);
  }
  if (latest_xid != kInvalidTransactionId && (xid == kInvalidTransactionId || xid < latest_xid)) xid = latest_xid;
  if (xid != kInvalidTransactionId) AdvanceLatestCompleted(p, xid);
}

void ProcArrayClearSlot(int slot) {
  ProcArrayShared* p = Shared();
  if (p == nullptr || slot < 0 || slot >= p->num_slots) return;
  // No lock: the postmaster never takes LWLocks (a dead holder could keep
  // one forever). The xid stays "in progress" in pg_xact: aborted.
  p->entries[slot].xid.store(kInvalidTransactionId);
  p->entries[slot].xmin.store(kInvalidTransactionId);
}

void ProcArraySetLatestCompleted(TransactionId next) {
  ProcArrayShared* p = Shared();
  if (p == nullptr || next <= kFirstNormalTransactionId) return;
  AdvanceLatestCompleted(p, next - 1);
}

bool TransactionIdIsInProgress(TransactionId xid) {
  if (xid < kFirstNormalTransactionId) return false;
  xid = SubTransGetTopmostTransaction(xid);  // a subxid is not in the array: its top-level xid is
  if (xid == g_local_xid) return true;
  ProcArrayShared* p = Shared();
  if (p == nullptr) {  // no proc array: pg_xact alone says
    auto status = TransactionIdGetStatus(xid);
    return status.ok() && *status == XidStatus::kInProgress;
  }
  shmem::LWLockGuard guard(&p->lock, shmem::LWLockMode::kShared);
  for (int i = 0; i < p->num_slots; ++i) {
    if (p->entries[i].xid.load() == xid) return true;
  }
  return false;
}

Result<XidFate> TransactionIdFate(TransactionId xid) {
  auto status = TransactionIdGetStatus(xid);
  if (!status.ok()) return status.error();
  if (*status == XidStatus::kAborted) return XidFate::kAborted;  // final (a subtransaction's too)
  // Committed in pg_xact is not yet committed for everyone: until the xid
  // leaves the proc array a new snapshot still counts it as running, so a
  // row it changed must be waited for, not followed (its new version would
  // be invisible to the follower: "attempted to update invisible tuple").
  if (TransactionIdIsInProgress(xid)) return XidFate::kRunning;
  if (*status == XidStatus::kCommitted) return XidFate::kCommitted;
  status = TransactionIdGetStatus(xid);
  if (!status.ok()) return status.error();
  return *status == XidStatus::kCommitted ? XidFate::kCommitted : XidFate::kAborted;
}

RunningXids GetRunningXids(bool set_my_xmin) {
  RunningXids r;
  ProcArrayShared* p = Shared();
  if (p == nullptr) {  // no proc array (a unit test): pg_xact's in-progress xids are running
    r.xmax = ReadNextTransactionId();
    r.xmin = r.xmax;
    for (TransactionId x = kFirstNormalTransactionId; x < r.xmax; ++x) {
      auto status = TransactionIdGetStatus(x);
      if (!status.ok() || *status != XidStatus::kInProgress) continue;
      r.xids.push_back(x);
      if (x < r.xmin) r.xmin = x;
    }
    return r;
  }
  shmem::LWLockGuard guard(&p->lock, shmem::LWLockMode::kShared);
  r.xmax = p->latest_completed.load() + 1;
  r.xmin = r.xmax;
  ProcEntry* mine = MyEntry(p);
  // The oldest snapshot xmin, ours too (RecentGlobalXmin): a snapshot taken
  // later has an xmin at or past r.xmin (the xids it finds running are
  // running now or newer).
  TransactionId oldest_xmin = r.xmax;
  for (int i = 0; i < p->num_slots; ++i) {
    ProcEntry* e = &p->entries[i];
    TransactionId xmin = e->xmin.load();
    if (xmin != kInvalidTransactionId && Precedes(xmin, oldest_xmin)) oldest_xmin = xmin;
    if (e == mine) continue;
    TransactionId xid = e->xid.load();
    if (xid == kInvalidTransactionId || !Precedes(xid, r.xmax)) continue;
    r.xids.push_back(xid);
    if (Precedes(xid, r.xmin)) r.xmin = xid;
  }
  if (set_my_xmin && mine != nullptr && mine->xmin.load() == kInvalidTransactionId) mine->xmin.store(r.xmin);
  g_recent_global_xmin = Precedes(oldest_xmin, r.xmin) ? oldest_xmin : r.xmin;
  return r;
}

TransactionId RecentGlobalXmin() { return g_recent_global_xmin; }

void ProcArraySetMyXmin(TransactionId xmin) {
  if (ProcEntry* e = MyEntry(Shared())) e->xmin.store(xmin);
}

ProcArrayEntry ProcArrayEntryOf(int slot) {
  ProcArrayShared* p = Shared();
  if (p == nullptr || slot < 0 || slot >= p->num_slots) return {};
  return {p->entries[slot].xid.load(), p->entries[slot].xmin.load()};
}

}  // namespace minipg::storage
