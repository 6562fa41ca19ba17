/*-------------------------------------------------------------------------
 * sinval.cpp
 *   The shared invalidation ring and this process's side of it: the
 *   messages its transaction queued, its read position, its callbacks (see
 *   sinval.h).
 *-------------------------------------------------------------------------
 */
#include "engine/storage/ipc/sinval.h"

#include <unistd.h>

#include <atomic>
#include <new>

#include "engine/shmem/lwlock.h"
#include "engine/storage/smgr/smgr.h"

namespace minipg::storage {

namespace {

struct SinvalProc {
  std::atomic<int32_t> pid;        // 0: no process reads as this slot
  std::atomic<uint64_t> next_msg;  // the next message number it reads
  Oid db;                          // 0: every database
};

struct SinvalShared {
  shmem::LWLock lock;
  uint64_t max_msg;  // messages ever written; message n is in ring[n % size]
  int32_t num_procs;
  SharedInvalMessage ring[kSinvalQueueSize];
  SinvalProc procs[];  // num_procs of them
};

struct LocalState {
  int slot = -1;  // -1: not reading the ring
  uint64_t next_msg = 0;
  Oid db = 0;
  std::vector<SharedInvalMessage> pending;  // queued by the current transaction
  std::vector<std::function<void(const SharedInvalMessage&)>> callbacks;
};

LocalState& Local() {
  static LocalState state;
  return state;
}

SinvalShared* Shared() { return static_cast<SinvalShared*>(shmem::ShmemArea(kSinvalShmemAreaName)); }

bool ForThisProcess(const SharedInvalMessage& m) {
  using Kind = SharedInvalMessage::Kind;
  if (m.kind == Kind::kSmgr || m.kind == Kind::kResetAll) return true;
  Oid mine = Local().db;
  return mine == 0 || m.db == 0 || m.db == mine;
}

/* This module's own reaction (files), then the registered callbacks. */
void Deliver(const SharedInvalMessage& m) {
  using Kind = SharedInvalMessage::Kind;
  if (!ForThisProcess(m)) return;
  if (m.kind == Kind::kSmgr) SmgrClose(m.rel);
  if (m.kind == Kind::kResetAll) SmgrCloseAll();
  // A copy: a callback may register another one.
  auto callbacks = Local().callbacks;
  for (const auto& fn : callbacks) fn(m);
}

/* Appends to the ring (exclusive lock); readers never block a writer. */
void SendSharedInvalidMessages(const std::vector<SharedInvalMessage>& msgs) {
  SinvalShared* sh = Shared();
  if (sh == nullptr || msgs.empty()) return;
  shmem::LWLockGuard guard(&sh->lock, shmem::LWLockMode::kExclusive);
  for (const SharedInvalMessage& m : msgs) {
    sh->ring[sh->max_msg % kSinvalQueueSize] = m;
    ++sh->max_msg;
  }
}

void Queue(SharedInvalMessage m) {
  Local().pending.push_back(m);
  Deliver(m);
}

}  // namespace

std::vector<shmem::ShmemRequest> SinvalShmemRequests(int max_procs) {
  size_t size = sizeof(SinvalShared) + sizeof(SinvalProc) * static_cast<size_t>(max_procs);
  return {{kSinvalShmemAreaName, size, [max_procs](void* p) {
             auto* sh = new (p) SinvalShared{};
             shmem::LWLockInit(&sh->lock, shmem::LWLockTranche::kSInvalWrite);
             sh->num_procs = max_procs;
             for (int i = 0; i < max_procs; ++i) new (&sh->procs[i]) SinvalProc{};
           }}};
}

void SharedInvalBackendInit(int slot, Oid db) {
  LocalState& local = Local();
  local.slot = -1;
  local.pending.clear();
  local.db = db;
  Deliver({SharedInvalMessage::Kind::kResetAll, 0, 0, {}});
  SinvalShared* sh = Shared();
  if (sh == nullptr || slot < 0 || slot >= sh->num_procs) return;
  shmem::LWLockGuard guard(&sh->lock, shmem::LWLockMode::kShared);
  local.slot = slot;
  local.next_msg = sh->max_msg;
  SinvalProc& proc = sh->procs[slot];
  proc.db = db;
  proc.next_msg.store(local.next_msg);
  proc.pid.store(getpid());
}

void SharedInvalSetDatabase(Oid db) {
  Local().db = db;
  if (SinvalShared* sh = Shared(); sh != nullptr && Local().slot >= 0) sh->procs[Local().slot].db = db;
}

void CacheInvalidateRelcache(Oid db, Oid relid) {
  Queue({SharedInvalMessage::Kind::kRelcache, db, relid, {}});
}

void CacheInvalidateCatalog(Oid db, Oid catalog_oid) {
  Queue({SharedInvalMessage::Kind::kCatcache, db, catalog_oid, {}});
}

void CacheInvalidateSmgr(const RelFileLocator& rel) {
  SharedInvalMessage m{SharedInvalMessage::Kind::kSmgr, rel.db_oid, rel.rel_number, rel};
  Deliver(m);
  SendSharedInvalidMessages({m});
}

void AtEOXactInval(bool commit) {
  std::vector<SharedInvalMessage> pending = std::move(Local().pending);
  Local().pending.clear();
  if (commit) {
    SendSharedInvalidMessages(pending);
  } else {
    for (const SharedInvalMessage& m : pending) Deliver(m);
  }
}

void AtSubAbortInval() {
  std::vector<SharedInvalMessage> pending = Local().pending;  // a callback may queue more
  for (const SharedInvalMessage& m : pending) Deliver(m);
}

void AcceptInvalidationMessages() {
  LocalState& local = Local();
  SinvalShared* sh = Shared();
  if (sh == nullptr || local.slot < 0) return;
  std::vector<SharedInvalMessage> got;
  bool reset = false;
  {
    shmem::LWLockGuard guard(&sh->lock, shmem::LWLockMode::kShared);
    uint64_t max = sh->max_msg;
    if (max - local.next_msg > kSinvalQueueSize) {
      reset = true;  // overwritten before this process read them
    } else {
      for (uint64_t n = local.next_msg; n < max; ++n) got.push_back(sh->ring[n % kSinvalQueueSize]);
    }
    local.next_msg = max;
    sh->procs[local.slot].next_msg.store(max);
  }
  if (reset) {
    Deliver({SharedInvalMessage::Kind::kResetAll, 0, 0, {}});
    return;
  }
  for (const SharedInvalMessage& m : got) Deliver(m);
}

void RegisterInvalidationCallback(std::function<void(const SharedInvalMessage&)> fn) {
  Local().callbacks.push_back(std::move(fn));
}

SinvalState GetSinvalState() {
  SinvalState s;
  s.my_next = Local().next_msg;
  SinvalShared* sh = Shared();
  if (sh == nullptr) return s;
  shmem::LWLockGuard guard(&sh->lock, shmem::LWLockMode::kShared);
  s.max_msg = sh->max_msg;
  return s;
}

}  // namespace minipg::storage
