/*-------------------------------------------------------------------------
 * backend_status.cpp
 *   Writing one's own slot of the process array and reading everyone's,
 *   with the change counter protocol described in backend_status.h.
 *-------------------------------------------------------------------------
 */
#include "engine/shmem/backend_status.h"

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "engine/common/utf8.h"
#include "engine/shmem/change_count.h"
#include "engine/shmem/shmem.h"

namespace minipg::shmem {
namespace {

BackendStatus* g_my_status = nullptr;  // this process's slot, once claimed

BackendStatus* Slots() {
  ShmemHeader* h = Header();
  return h == nullptr ? nullptr : reinterpret_cast<BackendStatus*>(h + 1);
}

BackendStatus* SlotAt(int slot) {
  ShmemHeader* h = Header();
  if (h == nullptr || slot < 0 || slot >= h->num_slots) return nullptr;
  return Slots() + slot;
}

/* Brackets a write to a slot (change_count.h). */
struct ChangeGuard : ChangeCountWrite {
  explicit ChangeGuard(BackendStatus* s) : ChangeCountWrite(s->changecount) {}
};

void ResetSlot(BackendStatus* s) {
  // A writer killed mid-write left the counter odd; only the postmaster
  // resets a dead process's slot, so nobody else writes it now: make it
  // even, or every later write would leave it odd and the slot unreadable.
  uint32_t count = s->changecount.load(std::memory_order_relaxed);
  if (count & 1u) s->changecount.store(count + 1, std::memory_order_relaxed);
  ChangeGuard g(s);
  s->pid = 0;
  s->type = BackendType::kNone;
  s->state = ActivityState::kUndefined;
  s->wait_event = WaitEvent::kNone;
  s->has_client_addr = false;
  s->client_port = 0;
  s->backend_start = s->xact_start = s->query_start = s->state_change = 0;
  s->xid = 0;
  s->user[0] = s->database[0] = s->application_name[0] = s->client_addr[0] = s->query[0] = '\0';
}

/* Resets a slot, then gives it up: free only once its fields are. */
void FreeSlot(BackendStatus* s) {
  ResetSlot(s);
  s->owner.store(0, std::memory_order_release);
}

}  // namespace

const char* BackendTypeName(BackendType t) {
  switch (t) {
    case BackendType::kNone:
      return "";
    case BackendType::kClientBackend:
      return "client backend";
    case BackendType::kCheckpointer:
      return "checkpointer";
    case BackendType::kEventCollector:
      return "event collector";
    case BackendType::kStartup:
      return "startup";
    case BackendType::kBgWriter:
      return "background writer";
    case BackendType::kWalWriter:
      return "walwriter";
    case BackendType::kAutovacuumLauncher:
      return "autovacuum launcher";
    case BackendType::kAutovacuumWorker:
      return "autovacuum worker";
  }
  return "";
}

const char* ActivityStateName(ActivityState s) {
  switch (s) {
    case ActivityState::kUndefined:
      return nullptr;
    case ActivityState::kIdle:
      return "idle";
    case ActivityState::kActive:
      return "active";
    case ActivityState::kIdleInTransaction:
      return "idle in transaction";
    case ActivityState::kIdleInTransactionAborted:
      return "idle in transaction (aborted)";
  }
  return nullptr;
}

const char* WaitEventTypeName(WaitEvent w) {
  switch (w) {
    case WaitEvent::kNone:
      return nullptr;
    case WaitEvent::kClientRead:
    case WaitEvent::kClientWrite:
      return "Client";
    case WaitEvent::kPgSleep:
      return "Timeout";
    case WaitEvent::kCheckpointerMain:
    case WaitEvent::kBgWriterMain:
    case WaitEvent::kWalWriterMain:
    case WaitEvent::kAutoVacuumMain:
      return "Activity";
    case WaitEvent::kCheckpointDone:
    case WaitEvent::kBufferIO:
    case WaitEvent::kMinipgStep:
      return "IPC";
    case WaitEvent::kLockRelation:
    case WaitEvent::kLockExtend:
    case WaitEvent::kLockTransactionId:
    case WaitEvent::kLockVirtualXid:
    case WaitEvent::kLockTuple:
    case WaitEvent::kLockObject:
      return "Lock";
    case WaitEvent::kLWLockBufferMapping:
    case WaitEvent::kLWLockBufferContent:
    case WaitEvent::kLWLockWALInsert:
    case WaitEvent::kLWLockWALWrite:
    case WaitEvent::kLWLockWALBufMapping:
    case WaitEvent::kLWLockControlFile:
    case WaitEvent::kLWLockXidGen:
    case WaitEvent::kLWLockXactSLRU:
    case WaitEvent::kLWLockPgStatsData:
    case WaitEvent::kLWLockOidGen:
    case WaitEvent::kLWLockSInvalWrite:
    case WaitEvent::kLWLockLockManager:
    case WaitEvent::kLWLockProcArray:
    case WaitEvent::kLWLockSubtransSLRU:
    case WaitEvent::kLWLockMultiXactGen:
    case WaitEvent::kLWLockMultiXactOffsetSLRU:
    case WaitEvent::kLWLockMultiXactMemberSLRU:
      return "LWLock";
  }
  return nullptr;
}

const char* WaitEventName(WaitEvent w) {
  switch (w) {
    case WaitEvent::kNone:
      return nullptr;
    case WaitEvent::kClientRead:
      return "ClientRead";
    case WaitEvent::kPgSleep:
      return "PgSleep";
    case WaitEvent::kCheckpointerMain:
      return "CheckpointerMain";
    case WaitEvent::kCheckpointDone:
      return "CheckpointDone";
    case WaitEvent::kLockRelation:
      return "relation";
    case WaitEvent::kClientWrite:
      return "ClientWrite";
    case WaitEvent::kLWLockBufferMapping:
      return "BufferMapping";
    case WaitEvent::kLWLockBufferContent:
      return "BufferContent";
    case WaitEvent::kLWLockWALInsert:
      return "WALInsert";
    case WaitEvent::kLWLockWALWrite:
      return "WALWrite";
    case WaitEvent::kLWLockWALBufMapping:
      return "WALBufMapping";
    case WaitEvent::kLWLockControlFile:
      return "ControlFile";
    case WaitEvent::kLWLockXidGen:
      return "XidGen";
    case WaitEvent::kLWLockXactSLRU:
      return "XactSLRU";
    case WaitEvent::kLWLockPgStatsData:
      return "PgStatsData";
    case WaitEvent::kLWLockOidGen:
      return "OidGen";
    case WaitEvent::kLWLockSInvalWrite:
      return "SInvalWrite";
    case WaitEvent::kLWLockProcArray:
      return "ProcArray";
    case WaitEvent::kLWLockSubtransSLRU:
      return "SubtransSLRU";
    case WaitEvent::kLWLockMultiXactGen:
      return "MultiXactGen";
    case WaitEvent::kLWLockMultiXactOffsetSLRU:
      return "MultiXactOffsetSLRU";
    case WaitEvent::kLWLockMultiXactMemberSLRU:
      return "MultiXactMemberSLRU";
    case WaitEvent::kBufferIO:
      return "BufferIO";
    case WaitEvent::kMinipgStep:
      return "MinipgStep";
    case WaitEvent::kLockExtend:
      return "extend";
    case WaitEvent::kBgWriterMain:
      return "BgWriterMain";
    case WaitEvent::kWalWriterMain:
      return "WalWriterMain";
    case WaitEvent::kLockTransactionId:
      return "transactionid";
    case WaitEvent::kLockVirtualXid:
      return "virtualxid";
    case WaitEvent::kLockTuple:
      return "tuple";
    case WaitEvent::kLockObject:
      return "object";
    case WaitEvent::kLWLockLockManager:
      return "LockManager";
    case WaitEvent::kAutoVacuumMain:
      return "AutoVacuumMain";
  }
  return nullptr;
}

int64_t WallClockMicros() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t{ts.tv_sec} * 1'000'000 + ts.tv_nsec / 1000;
}

void RegisterAuxProcess(int slot, pid_t pid, BackendType type) {
  BackendStatus* s = SlotAt(slot);
  if (s == nullptr) return;
  ResetSlot(s);
  s->owner.store(pid, std::memory_order_release);
  ChangeGuard g(s);
  s->pid = pid;
  s->type = type;
  s->backend_start = WallClockMicros();
}

void ClearSlot(int slot) {
  if (BackendStatus* s = SlotAt(slot)) FreeSlot(s);
}

std::vector<int> SlotsOf(pid_t pid) {
  std::vector<int> slots;
  ShmemHeader* h = Header();
  if (h == nullptr) return slots;
  for (int i = 0; i < h->num_slots; ++i) {
    if (Slots()[i].owner.load(std::memory_order_acquire) == pid) slots.push_back(i);
  }
  return slots;
}

void ReleaseSlotsOf(pid_t pid) {
  ShmemHeader* h = Header();
  if (h == nullptr || pid <= 0) return;
  for (int i = 0; i < h->num_slots; ++i) {
    if (Slots()[i].owner.load(std::memory_order_acquire) == pid) ClearSlot(i);
  }
}

int ClaimBackendSlot() {
  ShmemHeader* h = Header();
  if (h == nullptr) return -1;
  for (int i = 0; i < h->num_backend_slots; ++i) {
    int32_t expected = 0;
    if (Slots()[i].owner.compare_exchange_strong(expected, getpid(), std::memory_order_acq_rel)) return i;
  }
  return -1;
}

int CountFreeBackendSlots() {
  ShmemHeader* h = Header();
  if (h == nullptr) return 0;
  int free = 0;
  for (int i = 0; i < h->num_backend_slots; ++i) free += Slots()[i].owner.load(std::memory_order_acquire) == 0;
  return free;
}

void InitMyStatus(int slot, BackendType type, std::string_view client_addr, int client_port) {
  g_my_status = SlotAt(slot);
  if (g_my_status == nullptr) return;
  ResetSlot(g_my_status);
  g_my_status->owner.store(getpid(), std::memory_order_release);  // claimed already, or given by the postmaster
  ChangeGuard g(g_my_status);
  g_my_status->pid = getpid();
  g_my_status->type = type;
  g_my_status->backend_start = WallClockMicros();
  g_my_status->has_client_addr = !client_addr.empty();
  CopyText(g_my_status->client_addr, client_addr);
  g_my_status->client_port = client_port;
}

void ReportConnection(std::string_view user, std::string_view database,
                      std::string_view application_name) {
  if (g_my_status == nullptr) return;
  ChangeGuard g(g_my_status);
  CopyText(g_my_status->user, user);
  CopyText(g_my_status->database, database);
  CopyText(g_my_status->application_name, application_name);
}

void ReportApplicationName(std::string_view application_name) {
  if (g_my_status == nullptr) return;
  ChangeGuard g(g_my_status);
  CopyText(g_my_status->application_name, application_name);
}

void ReportActivity(ActivityState state, std::optional<std::string_view> query, int64_t now) {
  if (g_my_status == nullptr) return;
  if (now == 0) now = WallClockMicros();
  ChangeGuard g(g_my_status);
  if (g_my_status->state != state) g_my_status->state_change = now;
  g_my_status->state = state;
  if (query) {
    CopyText(g_my_status->query, *query);
    g_my_status->query_start = now;
  }
}

void ReportXactStart(int64_t when) {
  if (g_my_status == nullptr) return;
  ChangeGuard g(g_my_status);
  g_my_status->xact_start = when;
}

void ReportBackendXid(uint32_t xid) {
  if (g_my_status == nullptr || g_my_status->xid == xid) return;
  ChangeGuard g(g_my_status);
  g_my_status->xid = xid;
}

void ReportWaitEvent(WaitEvent w) {
  if (g_my_status == nullptr || g_my_status->wait_event == w) return;
  ChangeGuard g(g_my_status);
  g_my_status->wait_event = w;
}

WaitEvent MyWaitEvent() {
  return g_my_status == nullptr ? WaitEvent::kNone : g_my_status->wait_event;
}

int MySlot() {
  BackendStatus* slots = Slots();
  if (g_my_status == nullptr || slots == nullptr) return -1;
  return static_cast<int>(g_my_status - slots);
}

int64_t MyXactStart() {
  return g_my_status == nullptr ? 0 : g_my_status->xact_start;
}

void ClearMyStatus() {
  if (g_my_status == nullptr) return;
  FreeSlot(g_my_status);
  g_my_status = nullptr;
}

std::vector<BackendStatusCopy> ReadProcArray() {
  std::vector<BackendStatusCopy> out;
  ShmemHeader* h = Header();
  if (h == nullptr) return out;
  BackendStatus* slots = Slots();
  for (int i = 0; i < h->num_slots; ++i) {
    const BackendStatus& s = slots[i];
    BackendStatusCopy c;
    // A writer holds the counter odd only for a few stores; 1000 tries is
    // far more than a live writer needs, and bounds the wait on a slot
    // whose writer died mid-write (the postmaster clears it soon).
    bool stable = ReadConsistent(s.changecount, [&] {
      c.slot = i;
      c.pid = s.pid;
      c.type = s.type;
      c.state = s.state;
      c.wait_event = s.wait_event;
      c.has_client_addr = s.has_client_addr;
      c.client_port = s.client_port;
      c.backend_start = s.backend_start;
      c.xact_start = s.xact_start;
      c.xid = s.xid;
      c.query_start = s.query_start;
      c.state_change = s.state_change;
      c.user = ReadText(s.user);
      c.database = ReadText(s.database);
      c.application_name = ReadText(s.application_name);
      c.client_addr = ReadText(s.client_addr);
      c.query = ReadText(s.query);
    });
    if (stable && c.pid != 0 && c.type != BackendType::kNone) out.push_back(std::move(c));
  }
  return out;
}

std::optional<BackendStatusCopy> FindClientBackend(pid_t pid) {
  if (pid <= 0) return std::nullopt;
  for (auto& c : ReadProcArray()) {
    if (c.pid == pid && c.type == BackendType::kClientBackend) return std::move(c);
  }
  return std::nullopt;
}

}  // namespace minipg::shmem
