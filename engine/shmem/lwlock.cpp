/*-------------------------------------------------------------------------
 * lwlock.cpp
 *   Lightweight locks on an atomic word and a futex (see lwlock.h).
 *-------------------------------------------------------------------------
 */
#include "engine/shmem/lwlock.h"

#include <cstdio>
#include <cstdlib>
#include <new>

#include "engine/common/interrupts.h"
#include "engine/shmem/futex.h"

namespace minipg::shmem {
namespace {

constexpr uint32_t kSharedMask = 0x00FFFFFFu;
constexpr uint32_t kWaiters = 1u << 30;
constexpr uint32_t kExclusive = 1u << 31;

struct HeldLock {
  LWLock* lock;
  LWLockMode mode;
};

HeldLock g_held[kMaxHeldLWLocks];  // this process's locks, in the order taken
int g_num_held = 0;

[[noreturn]] void Fatal(const char* what) {
  std::fprintf(stderr, "PANIC:  %s\n", what);
  std::abort();
}

/* One attempt: true if taken. `old` is updated to the word's value. */
bool TryTake(LWLock* lock, LWLockMode mode, uint32_t& old) {
  if (mode == LWLockMode::kExclusive) {
    if ((old & (kExclusive | kSharedMask)) != 0) return false;
    return lock->state.compare_exchange_weak(old, old | kExclusive, std::memory_order_acquire,
                                             std::memory_order_relaxed);
  }
  if ((old & kExclusive) != 0) return false;
  return lock->state.compare_exchange_weak(old, old + 1, std::memory_order_acquire, std::memory_order_relaxed);
}

/* Takes the lock if it can, retrying only while the word changes under a
 * compare-and-swap; false if it is held in a conflicting mode. */
bool AttemptLock(LWLock* lock, LWLockMode mode, uint32_t& old) {
  old = lock->state.load(std::memory_order_relaxed);
  for (;;) {
    if (TryTake(lock, mode, old)) return true;
    bool conflict = mode == LWLockMode::kExclusive ? (old & (kExclusive | kSharedMask)) != 0
                                                   : (old & kExclusive) != 0;
    if (conflict) return false;
  }
}

void Remember(LWLock* lock, LWLockMode mode) {
  if (g_num_held >= kMaxHeldLWLocks) Fatal("too many LWLocks taken");
  if (g_num_held == 0) HoldInterrupts();
  g_held[g_num_held++] = {lock, mode};
}

}  // namespace

void LWLockInit(LWLock* lock, LWLockTranche tranche) {
  new (&lock->state) std::atomic<uint32_t>(0);
  lock->tranche = tranche;
}

bool LWLockConditionalAcquire(LWLock* lock, LWLockMode mode) {
  uint32_t old = 0;
  if (!AttemptLock(lock, mode, old)) return false;
  Remember(lock, mode);
  return true;
}

void LWLockAcquire(LWLock* lock, LWLockMode mode) {
  uint32_t old = 0;
  if (AttemptLock(lock, mode, old)) {
    Remember(lock, mode);
    return;
  }
  // The slow path: say what we wait for, then sleep on the word until the
  // lock can be taken.
  WaitEvent before = MyWaitEvent();
  ReportWaitEvent(LWLockTrancheWaitEvent(lock->tranche));
  for (;;) {
    if (AttemptLock(lock, mode, old)) break;
    // Announce the sleep: the releaser wakes sleepers only if it sees the bit.
    if ((old & kWaiters) == 0 &&
        !lock->state.compare_exchange_weak(old, old | kWaiters, std::memory_order_relaxed)) {
      continue;  // the word changed: look again
    }
    FutexWait(&lock->state, old | kWaiters);
  }
  ReportWaitEvent(before);
  Remember(lock, mode);
}

void LWLockRelease(LWLock* lock) {
  int i = g_num_held - 1;
  while (i >= 0 && g_held[i].lock != lock) --i;
  if (i < 0) Fatal("lock is not held");
  LWLockMode mode = g_held[i].mode;
  for (; i + 1 < g_num_held; ++i) g_held[i] = g_held[i + 1];
  --g_num_held;

  uint32_t now = mode == LWLockMode::kExclusive
                     ? lock->state.fetch_and(~kExclusive, std::memory_order_release) & ~kExclusive
                     : lock->state.fetch_sub(1, std::memory_order_release) - 1;
  // Free now, and someone sleeps: clear the bit and wake them all. A waiter
  // that loses the race sets the bit again before it sleeps. Clear first,
  // then wake: the other order lets a woken waiter sleep again on the bit
  // that is then cleared, and nobody would wake it (a lost wake-up).
  if ((now & (kExclusive | kSharedMask)) == 0 && (now & kWaiters) != 0) {
    lock->state.fetch_and(~kWaiters, std::memory_order_relaxed);
    FutexWakeAll(&lock->state);
  }
  if (g_num_held == 0) ResumeInterrupts();
}

void LWLockReleaseAll() {
  while (g_num_held > 0) LWLockRelease(g_held[g_num_held - 1].lock);
}

bool LWLockHeldByMe(const LWLock* lock) {
  for (int i = 0; i < g_num_held; ++i) {
    if (g_held[i].lock == lock) return true;
  }
  return false;
}

bool LWLockHeldByMeInMode(const LWLock* lock, LWLockMode mode) {
  for (int i = 0; i < g_num_held; ++i) {
    if (g_held[i].lock == lock && g_held[i].mode == mode) return true;
  }
  return false;
}

int LWLockNumHeldByMe() {
  return g_num_held;
}

const char* LWLockTrancheName(LWLockTranche tranche) {
  return WaitEventName(LWLockTrancheWaitEvent(tranche));
}

WaitEvent LWLockTrancheWaitEvent(LWLockTranche tranche) {
  switch (tranche) {
    case LWLockTranche::kBufferMapping:
      return WaitEvent::kLWLockBufferMapping;
    case LWLockTranche::kBufferContent:
      return WaitEvent::kLWLockBufferContent;
    case LWLockTranche::kWALInsert:
      return WaitEvent::kLWLockWALInsert;
    case LWLockTranche::kWALWrite:
      return WaitEvent::kLWLockWALWrite;
    case LWLockTranche::kWALBufMapping:
      return WaitEvent::kLWLockWALBufMapping;
    case LWLockTranche::kControlFile:
      return WaitEvent::kLWLockControlFile;
    case LWLockTranche::kRelationExtension:
      return WaitEvent::kLockExtend;
    case LWLockTranche::kXidGen:
      return WaitEvent::kLWLockXidGen;
    case LWLockTranche::kXactSLRU:
      return WaitEvent::kLWLockXactSLRU;
    case LWLockTranche::kPgStatsData:
      return WaitEvent::kLWLockPgStatsData;
    case LWLockTranche::kOidGen:
      return WaitEvent::kLWLockOidGen;
    case LWLockTranche::kSInvalWrite:
      return WaitEvent::kLWLockSInvalWrite;
    case LWLockTranche::kLockManager:
      return WaitEvent::kLWLockLockManager;
    case LWLockTranche::kProcArray:
      return WaitEvent::kLWLockProcArray;
    case LWLockTranche::kSubtransSLRU:
      return WaitEvent::kLWLockSubtransSLRU;
    case LWLockTranche::kMultiXactGen:
      return WaitEvent::kLWLockMultiXactGen;
    case LWLockTranche::kMultiXactOffsetSLRU:
      return WaitEvent::kLWLockMultiXactOffsetSLRU;
    case LWLockTranche::kMultiXactMemberSLRU:
      return WaitEvent::kLWLockMultiXactMemberSLRU;
  }
  return WaitEvent::kNone;
}

}  // namespace minipg::shmem
