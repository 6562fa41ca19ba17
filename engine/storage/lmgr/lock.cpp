/*-------------------------------------------------------------------------
 * lock.cpp
 *   This process's side of the lock manager (see lock.h): the locks its
 *   transaction holds, the virtual xid lock, sleeping on a lock with its
 *   timeouts, the deadlock check, log_lock_waits and the lock events.
 *
 * NOTES
 *   The shared table is touched only under its LWLock (interrupts are held
 *   off meanwhile); the sleep itself holds nothing, so a cancel or a
 *   terminate is honoured within one sleep slice (kSleepSliceMs).
 *-------------------------------------------------------------------------
 */
#include "engine/storage/lmgr/lock.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>

#include "engine/common/interrupts.h"
#include "engine/common/sqlstate.h"
#include "engine/shmem/backend_status.h"
#include "engine/shmem/futex.h"
#include "engine/shmem/shmem.h"
#include "engine/shmem/step.h"
#include "engine/storage/lmgr/lock_table.h"
#include "engine/trace/emitter.h"

namespace minipg::lmgr {

namespace {

constexpr int kSleepSliceMs = 20;

struct HeldLock {
  LockTag tag;
  LockMode mode;
};

struct LocalState {
  int proc = -1;
  Oid db = 0;
  uint32_t local_xid = 1;   // this transaction's (or the next one's) local id
  bool vxid_held = false;
  std::vector<HeldLock> held;
  LockWaitSettings settings;
  LockLogHook log_hook = nullptr;
};
LocalState g_local;

LockShared* Shared() {
  static LockShared* cached = nullptr;
  static const shmem::ShmemHeader* cached_for = nullptr;
  if (shmem::Header() != cached_for) {  // a new segment (tests, crash cycles)
    cached_for = shmem::Header();
    cached = static_cast<LockShared*>(shmem::ShmemArea(kLockShmemAreaName));
  }
  return cached;
}

int64_t MonotonicMicros() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000 + ts.tv_nsec / 1000;
}

int32_t PidOf(LockShared* t, int proc) { return TableProc(t, proc)->pid; }

std::vector<int32_t> Pids(LockShared* t, const std::vector<int>& procs) {
  std::vector<int32_t> out;
  for (int p : procs) out.push_back(PidOf(t, p));
  return out;
}

std::string PidList(const std::vector<int32_t>& pids) {
  std::string out;
  for (int32_t p : pids) out += (out.empty() ? "" : ", ") + std::to_string(p);
  return out;
}

std::string JsonInts(const std::vector<int32_t>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i > 0 ? "," : "") + std::to_string(v[i]);
  return out + "]";
}

shmem::WaitEvent WaitEventOf(LockTagType type) {
  switch (type) {
    case LockTagType::kRelation: return shmem::WaitEvent::kLockRelation;
    case LockTagType::kTransactionId: return shmem::WaitEvent::kLockTransactionId;
    case LockTagType::kVirtualXid: return shmem::WaitEvent::kLockVirtualXid;
    case LockTagType::kTuple: return shmem::WaitEvent::kLockTuple;
    case LockTagType::kObject: return shmem::WaitEvent::kLockObject;
  }
  return shmem::WaitEvent::kLockRelation;
}

/* The readable text of the `lock` field: `relation "t"`, `transaction 745`. */
std::string ReadableLock(const LockTag& tag, std::string_view relname) {
  if (tag.type == LockTagType::kRelation && !relname.empty()) return fmt::format("relation \"{}\"", relname);
  if (tag.type == LockTagType::kRelation) return fmt::format("relation {}", tag.field2);
  if (tag.type == LockTagType::kTransactionId) return fmt::format("transaction {}", tag.field1);
  return DescribeLockTag(tag);
}

/* One lock event with the contract's common fields. */
trace::Event LockEvent(trace::EventType type, const LockTag& tag, LockMode mode, std::string_view relname) {
  trace::Event ev(type);
  ev.Str("locktype", LockTagTypeName(tag.type))
      .Str("mode", LockModeName(mode))
      .Str("relation", tag.type == LockTagType::kRelation ? relname : "")
      .Int("relid", tag.type == LockTagType::kRelation ? tag.field2 : 0)
      .Int("transactionid", tag.type == LockTagType::kTransactionId ? tag.field1 : 0)
      .Str("virtualxid",
           tag.type == LockTagType::kVirtualXid ? fmt::format("{}/{}", tag.field1, tag.field2) : std::string());
  return ev;
}

void LogLock(std::string_view level, const std::string& message) {
  if (g_local.log_hook != nullptr) g_local.log_hook(level, message);
}

std::string Millis(int64_t us) { return fmt::format("{}.{:03d} ms", us / 1000, static_cast<int>(us % 1000)); }

/* log_lock_waits' DETAIL: "Process holding the lock: 5. Wait queue: 6, 7." */
std::string HoldersDetail(LockShared* t) {
  shmem::LWLockGuard guard(&t->lock, shmem::LWLockMode::kShared);
  std::vector<int32_t> holders = Pids(t, TableHolders(t, g_local.proc));
  std::vector<int32_t> queue = Pids(t, TableQueue(t, g_local.proc));
  return fmt::format("{}: {}. Wait queue: {}.",
                     holders.size() == 1 ? "Process holding the lock" : "Processes holding the lock",
                     PidList(holders), PidList(queue));
}

/* The deadlock check (PostgreSQL's CheckDeadLock): a cycle through this
 * process ends its wait with 40P01. */
std::optional<Error> CheckDeadLock(LockShared* t, const LockTag& tag, LockMode mode, int64_t waited_us) {
  std::vector<DeadlockStep> cycle;
  {
    shmem::LWLockGuard guard(&t->lock, shmem::LWLockMode::kExclusive);
    cycle = TableFindDeadlock(t, g_local.proc);
    if (cycle.empty() || !TableCancelWait(t, g_local.proc)) return std::nullopt;
  }
  std::string detail;
  std::string json = "[";
  for (size_t i = 0; i < cycle.size(); ++i) {
    const DeadlockStep& s = cycle[i];
    int32_t pid = PidOf(t, s.proc), next = PidOf(t, s.waits_for);
    std::string text = DescribeLockTag(s.tag);
    detail += fmt::format("{}Process {} waits for {} on {}; blocked by process {}.", i > 0 ? "\n" : "", pid,
                          LockModeName(s.mode), text, next);
    json += fmt::format("{}{{\"pid\":{},\"waits_for\":{},\"lock\":", i > 0 ? "," : "", pid, next);
    trace::AppendJsonString(json, text);
    json += ",\"mode\":";
    trace::AppendJsonString(json, LockModeName(s.mode));
    json += "}";
  }
  json += "]";
  trace::Event(trace::EventType::kDeadlock).Int("victim", getpid()).Raw("cycle", json).Emit();
  if (g_local.settings.log_lock_waits) {
    LogLock("LOG", fmt::format("process {} detected deadlock while waiting for {} on {} after {}", getpid(),
                               LockModeName(mode), DescribeLockTag(tag), Millis(waited_us)));
  }
  Error e = MakeError(sqlstate::kTDeadlockDetected, "deadlock detected");
  e.detail = detail;
  e.hint = "See server log for query details.";
  LogLock("ERROR", "deadlock detected");
  LogLock("DETAIL", detail);
  return e;
}

/* The step point of a lock request that must wait (step.h). */
Status StepLockWait(const std::string& lock, LockMode mode) {
  return step::Pause({step::PointKind::kLockWait, "lock wait", -1, "", 0,
                      fmt::format("{} on {}", LockModeName(mode), lock)});
}

/* Sleeps until the queued request is granted or the wait fails. */
Status WaitOnLock(LockShared* t, const LockTag& tag, LockMode mode, std::string_view relname) {
  LockProc* me = TableProc(t, g_local.proc);
  std::vector<int32_t> blocked_by;
  {
    shmem::LWLockGuard guard(&t->lock, shmem::LWLockMode::kShared);
    blocked_by = Pids(t, TableBlockers(t, g_local.proc));
  }
  std::string readable = ReadableLock(tag, relname);
  shmem::WaitEvent saved = shmem::MyWaitEvent();
  shmem::ReportWaitEvent(WaitEventOf(tag.type));
  LockEvent(trace::EventType::kLockWait, tag, mode, relname)
      .Raw("blocked_by", JsonInts(blocked_by))
      .Str("lock", readable)
      .Emit();
  const LockWaitSettings settings = g_local.settings;
  int64_t start = MonotonicMicros();
  bool deadlock_checked = false;
  bool stepped = !step::Wants(step::PointKind::kLockWait);
  Status result = OkStatus();
  for (;;) {
    uint32_t seen = me->wake.load();
    if (me->waiting_proclock < 0) break;  // granted (read without the lock: only the granter clears it)
    int64_t waited = MonotonicMicros() - start;
    // The lock wait step point, before the first sleep (no LWLock held):
    // an interrupt while stopped there ends the wait as one in the sleep.
    Status interrupt = stepped ? CheckForInterrupts() : StepLockWait(readable, mode);
    stepped = true;
    bool timed_out = settings.lock_timeout_ms > 0 && waited >= int64_t{settings.lock_timeout_ms} * 1000;
    if (!interrupt.ok() || timed_out) {
      shmem::LWLockGuard guard(&t->lock, shmem::LWLockMode::kExclusive);
      if (TableCancelWait(t, g_local.proc)) {
        result = !interrupt.ok() ? interrupt
                                 : Status(MakeError(sqlstate::kLockNotAvailable,
                                                    "canceling statement due to lock timeout"));
        break;
      }
      // Granted meanwhile: keep it (released at the transaction's end);
      // a pending cancel acts at the next check.
      break;
    }
    if (!deadlock_checked && waited >= int64_t{settings.deadlock_timeout_ms} * 1000) {
      deadlock_checked = true;
      if (std::optional<Error> e = CheckDeadLock(t, tag, mode, waited)) {
        result = *e;
        break;
      }
      if (settings.log_lock_waits) {
        LogLock("LOG", fmt::format("process {} still waiting for {} on {} after {}", getpid(), LockModeName(mode),
                                   DescribeLockTag(tag), Millis(waited)));
        LogLock("DETAIL", HoldersDetail(t));
      }
    }
    int slice = kSleepSliceMs;
    if (!deadlock_checked) {
      int64_t left_ms = (int64_t{settings.deadlock_timeout_ms} * 1000 - waited) / 1000 + 1;
      slice = static_cast<int>(std::clamp<int64_t>(left_ms, 1, kSleepSliceMs));
    }
    shmem::FutexWaitMs(&me->wake, seen, slice);
  }
  int64_t waited = MonotonicMicros() - start;
  shmem::ReportWaitEvent(saved);
  LockEvent(trace::EventType::kLockAcquired, tag, mode, relname)
      .Str("lock", readable)
      .Int("waited_us", waited)
      .Bool("granted", result.ok())
      .Emit();
  if (result.ok() && deadlock_checked && settings.log_lock_waits) {
    LogLock("LOG", fmt::format("process {} acquired {} on {} after {}", getpid(), LockModeName(mode),
                               DescribeLockTag(tag), Millis(waited)));
  }
  return result;
}

Error OutOfSharedMemory() {
  Error e = MakeError(sqlstate::kOutOfMemory, "out of shared memory");
  e.hint = "You might need to increase max_locks_per_transaction.";
  return e;
}

/* Takes the lock in the shared table (waiting if need be). */
Status AcquireShared(const LockTag& tag, LockMode mode, bool dont_wait, bool* waited, std::string_view relname) {
  LockShared* t = Shared();
  AcquireOutcome outcome;
  {
    shmem::LWLockGuard guard(&t->lock, shmem::LWLockMode::kExclusive);
    outcome = TableAcquire(t, g_local.proc, tag, mode, dont_wait, shmem::WallClockMicros());
  }
  switch (outcome) {
    case AcquireOutcome::kOutOfMemory:
      return OutOfSharedMemory();
    case AcquireOutcome::kNotAvailable:
      return MakeError(sqlstate::kLockNotAvailable, "could not obtain lock");
    case AcquireOutcome::kGranted:
      g_local.held.push_back({tag, mode});
      LockEvent(trace::EventType::kLockGranted, tag, mode, relname).Emit();
      return OkStatus();
    case AcquireOutcome::kMustWait:
      break;
  }
  if (waited != nullptr) *waited = true;
  Status s = WaitOnLock(t, tag, mode, relname);
  // Held if granted, even when the wait failed after it was (released at
  // the transaction's end like any other).
  if (s.ok()) g_local.held.push_back({tag, mode});
  return s;
}

/* The transaction's virtual xid lock, taken before its first other lock. */
Status EnsureVirtualXidLock() {
  if (g_local.vxid_held) return OkStatus();
  g_local.vxid_held = true;
  LockShared* t = Shared();
  {
    shmem::LWLockGuard guard(&t->lock, shmem::LWLockMode::kExclusive);
    TableProc(t, g_local.proc)->local_xid = g_local.local_xid;
  }
  LockTag tag = VirtualXidTag(TableProc(t, g_local.proc)->backend_id, g_local.local_xid);
  return AcquireShared(tag, LockMode::kExclusive, false, nullptr, "");
}

}  // namespace

Status LockAcquire(const LockTag& tag, LockMode mode, bool dont_wait, bool* waited, std::string_view relname) {
  if (waited != nullptr) *waited = false;
  if (g_local.proc < 0 || Shared() == nullptr) return OkStatus();  // no server (tests, tools)
  for (const HeldLock& h : g_local.held) {
    if (h.tag == tag && h.mode == mode) return OkStatus();
  }
  if (Status s = EnsureVirtualXidLock(); !s.ok()) return s;
  return AcquireShared(tag, mode, dont_wait, waited, relname);
}

bool LockHeldByMe(const LockTag& tag, LockMode mode) {
  return std::any_of(g_local.held.begin(), g_local.held.end(),
                     [&](const HeldLock& h) { return h.tag == tag && h.mode == mode; });
}

void LockReleaseAll() {
  if (g_local.proc < 0 || Shared() == nullptr || !g_local.vxid_held) return;
  LockShared* t = Shared();
  int count;
  {
    shmem::LWLockGuard guard(&t->lock, shmem::LWLockMode::kExclusive);
    count = TableReleaseAll(t, g_local.proc);
  }
  g_local.held.clear();
  g_local.vxid_held = false;
  ++g_local.local_xid;
  trace::Event(trace::EventType::kLocksReleased).Int("count", count).Emit();
}

Status LockRelationOid(Oid relid, LockMode mode, bool* waited, std::string_view relname) {
  return LockAcquire(RelationTag(g_local.db, relid), mode, false, waited, relname);
}

Status ConditionalLockRelationOid(Oid relid, LockMode mode, std::string_view name) {
  Status s = LockAcquire(RelationTag(g_local.db, relid), mode, true, nullptr, name);
  if (!s.ok() && s.error().sqlstate == sqlstate::kLockNotAvailable) {
    return MakeError(sqlstate::kLockNotAvailable, fmt::format("could not obtain lock on relation \"{}\"", name));
  }
  return s;
}

void LockRelease(const LockTag& tag, LockMode mode) {
  auto it = std::find_if(g_local.held.begin(), g_local.held.end(),
                         [&](const HeldLock& h) { return h.tag == tag && h.mode == mode; });
  if (it == g_local.held.end()) return;
  g_local.held.erase(it);
  LockShared* t = Shared();
  shmem::LWLockGuard guard(&t->lock, shmem::LWLockMode::kExclusive);
  TableRelease(t, g_local.proc, tag, mode);
}

void UnlockRelationOid(Oid relid, LockMode mode) { LockRelease(RelationTag(g_local.db, relid), mode); }

void XactLockTableInsert(TransactionId xid) {
  // Out of shared memory here would leave the xid unlockable; PostgreSQL
  // raises the error, minipg has no way to return one from xid assignment.
  (void)LockAcquire(TransactionTag(xid), LockMode::kExclusive);
}

Status XactLockTableWait(TransactionId xid) {
  // Granted once the holder ended (its ExclusiveLock released); given back
  // at once, as PostgreSQL does.
  LockTag tag = TransactionTag(xid);
  bool already = LockHeldByMe(tag, LockMode::kShare);
  if (Status s = LockAcquire(tag, LockMode::kShare); !s.ok()) return s;
  if (!already) LockRelease(tag, LockMode::kShare);
  return OkStatus();
}

void InitLockProcess(int slot) {
  LockShared* t = Shared();
  if (t == nullptr || slot < 0 || slot >= t->num_procs) return;
  LocalState fresh;
  fresh.settings = g_local.settings;
  fresh.log_hook = g_local.log_hook;
  fresh.proc = slot;
  g_local = std::move(fresh);
  shmem::LWLockGuard guard(&t->lock, shmem::LWLockMode::kExclusive);
  TableProc(t, slot)->pid = getpid();
}

void SetLockDatabase(Oid db) { g_local.db = db; }

void SetLockWaitSettings(const LockWaitSettings& settings) { g_local.settings = settings; }

void SetLockLogHook(LockLogHook hook) { g_local.log_hook = hook; }

void ReportFileLockWait(std::string_view object, bool exclusive, int64_t waited_us) {
  LockTag tag{LockTagType::kObject, g_local.db, 0, 0, 0};
  LockMode mode = exclusive ? LockMode::kExclusive : LockMode::kShare;
  if (waited_us < 0) {
    shmem::ReportWaitEvent(shmem::WaitEvent::kLockRelation);
    LockEvent(trace::EventType::kLockWait, tag, mode, "").Raw("blocked_by", "[]").Str("lock", object).Emit();
    return;
  }
  shmem::ReportWaitEvent(shmem::WaitEvent::kNone);
  LockEvent(trace::EventType::kLockAcquired, tag, mode, "").Str("lock", object).Int("waited_us", waited_us).Emit();
}

std::string MyVirtualXid() {
  if (g_local.proc < 0 || Shared() == nullptr) return "";
  return fmt::format("{}/{}", TableProc(Shared(), g_local.proc)->backend_id, g_local.local_xid);
}

std::vector<LockInfo> GetLockStatusData() {
  std::vector<LockInfo> out;
  LockShared* t = Shared();
  if (t == nullptr) return out;
  shmem::LWLockGuard guard(&t->lock, shmem::LWLockMode::kShared);
  for (int p = 0; p < t->num_procs; ++p) {
    LockProc* proc = TableProc(t, p);
    if (proc->first_proclock < 0) continue;
    std::string vxid = fmt::format("{}/{}", proc->backend_id, proc->local_xid);
    for (const ProcLockView& v : TableProcLocks(t, p)) {
      for (int m = 1; m <= kMaxLockMode; ++m) {
        if ((v.hold_mask & (1u << m)) == 0) continue;
        out.push_back({v.tag, static_cast<LockMode>(m), true, proc->pid, vxid, 0});
      }
      if (v.wait_mode != LockMode::kNoLock) out.push_back({v.tag, v.wait_mode, false, proc->pid, vxid, v.wait_start});
    }
  }
  return out;
}

std::vector<int32_t> GetBlockingPids(int32_t pid) {
  LockShared* t = Shared();
  if (t == nullptr) return {};
  shmem::LWLockGuard guard(&t->lock, shmem::LWLockMode::kShared);
  for (int p = 0; p < t->num_procs; ++p) {
    if (TableProc(t, p)->pid == pid && TableIsWaiting(t, p)) return Pids(t, TableBlockers(t, p));
  }
  return {};
}

}  // namespace minipg::lmgr
