/*-------------------------------------------------------------------------
 * step.cpp
 *   The step slots in shared memory, the pause at a step point, and the
 *   live plan state (see step.h).
 *
 *   Area layout: StepSlot[backend_slots], indexed like the process
 *   array's client backend slots.
 *
 * NOTES
 *   Who writes what: the owning backend writes the point, `paused`,
 *   `stops` and the live plan; controllers write `attached`,
 *   `granularity` and `credit`, and bump `wake` after each change (the
 *   futex word the paused backend sleeps on). The owner only ever takes
 *   credit away (one per point it passes), controllers only add it.
 *-------------------------------------------------------------------------
 */
#include "engine/shmem/step.h"

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include <fmt/format.h>

#include "engine/common/interrupts.h"
#include "engine/common/sqlstate.h"
#include "engine/shmem/backend_status.h"
#include "engine/shmem/change_count.h"
#include "engine/shmem/futex.h"
#include "engine/shmem/lwlock.h"
#include "engine/trace/emitter.h"

namespace minipg::step {
namespace {

constexpr const char* kAreaName = "step slots";
constexpr int kSleepSliceMs = 50;  // how often a paused backend polls its client

struct LiveNode {
  int32_t node_id;
  int32_t parent_id;
  char name[kNodeNameSize];
  std::atomic<int64_t> rows;
  std::atomic<int64_t> loops;
  std::atomic<int64_t> startup_us;
  std::atomic<int64_t> total_us;
  std::atomic<uint8_t> state;
};

struct StepSlot {
  // controllers
  std::atomic<uint32_t> attached;
  std::atomic<uint32_t> granularity;
  std::atomic<int32_t> credit;
  std::atomic<uint32_t> wake;
  std::atomic<int32_t> controller;  // the backend that last attached or stepped it
  // the owner
  std::atomic<int32_t> pid;
  std::atomic<uint32_t> paused;
  std::atomic<uint32_t> stops;
  std::atomic<uint32_t> point_changecount;
  uint8_t kind;
  char stage[24];
  int32_t node_id;
  char node[kNodeNameSize];
  int64_t rows;
  char detail[kDetailSize];
  std::atomic<uint32_t> plan_changecount;
  std::atomic<uint32_t> running;
  int32_t num_nodes;
  LiveNode nodes[kMaxLiveNodes];
};

struct StepArea {
  int32_t num_slots;
  StepSlot slots[1];  // num_slots of them
};

StepSlot* g_my_slot = nullptr;
int g_client_fd = -1;
std::atomic<uint32_t> g_not_attached{0};
StepPoint g_pending_point;  // a page read under an LWLock, to stop at later

StepSlot* SlotAt(int slot) {
  auto* area = static_cast<StepArea*>(shmem::ShmemArea(kAreaName));
  if (area == nullptr || slot < 0 || slot >= area->num_slots) return nullptr;
  return &area->slots[slot];
}

uint32_t Mask(PointKind k) { return 1u << static_cast<unsigned>(k); }

/* The points each granularity stops at. */
uint32_t GranularityMask(Granularity g) {
  uint32_t m = Mask(PointKind::kStage) | Mask(PointKind::kCommit) | Mask(PointKind::kCommitted) |
               Mask(PointKind::kError);
  if (g == Granularity::kStage) return m;
  m |= Mask(PointKind::kFirstRow) | Mask(PointKind::kNodeEnd) | Mask(PointKind::kLockWait);
  if (g == Granularity::kNode) return m;
  m |= Mask(PointKind::kRow);
  if (g == Granularity::kRow) return m;
  return m | Mask(PointKind::kPage);
}

bool ClientGone() {
  if (g_client_fd < 0) return false;
  pollfd p{g_client_fd, POLLRDHUP, 0};
  if (poll(&p, 1, 0) <= 0) return false;
  return (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) != 0;
}

/* Whether the session that last attached or stepped this backend has
 * gone: then nobody would ever let it go on. */
bool ControllerGone(const StepSlot* s) {
  pid_t controller = s->controller.load(std::memory_order_relaxed);
  return controller > 0 && kill(controller, 0) != 0 && errno == ESRCH;
}

bool InterruptPending() {
  return g_query_cancel_pending || g_proc_die_pending || g_postmaster_possibly_dead;
}

/* Whether this process may stop here: no LWLock, interrupts not held off. */
bool SafeToPause() { return shmem::LWLockNumHeldByMe() == 0 && g_interrupt_holdoff_count == 0; }

std::vector<LiveNodeCopy> ReadPlanOf(const StepSlot* s);

/* The live plan for a step_pause: [{"id":0,"rows":3,"loops":1,"state":"done"}, ...],
 * as many nodes as keep the event within one atomic pipe write. */
std::string LivePlanJson(const StepSlot* s) {
  constexpr size_t kMaxBytes = 2400;  // the rest of a step_pause is at most ~1.2 kB
  std::string out;
  for (const LiveNodeCopy& n : ReadPlanOf(s)) {
    std::string item = fmt::format(R"({{"id":{},"rows":{},"loops":{},"state":"{}"}})", n.node_id, n.rows,
                                   n.loops, NodeStateName(n.state));
    if (out.size() + item.size() + 2 > kMaxBytes) break;
    out += (out.empty() ? "[" : ",") + item;
  }
  return out.empty() ? out : out + "]";
}

trace::Event StepEvent(trace::EventType type, const StepPoint& p) {
  trace::Event ev(type);
  ev.Str("point", p.stage).Int("node_id", p.node_id).Str("node", p.node).Int("rows", p.rows);
  ev.QueryText("detail", p.detail);
  return ev;
}

void PublishPoint(const StepPoint& p) {
  shmem::ChangeCountWrite w(g_my_slot->point_changecount);
  g_my_slot->kind = static_cast<uint8_t>(p.kind);
  shmem::CopyText(g_my_slot->stage, p.stage);
  g_my_slot->node_id = p.node_id;
  shmem::CopyText(g_my_slot->node, p.node);
  g_my_slot->rows = p.rows;
  shmem::CopyText(g_my_slot->detail, p.detail);
}

/* Stops until a controller gives credit or detaches, an interrupt comes
 * or the client goes away. */
Status Stop(const StepPoint& p) {
  StepSlot* s = g_my_slot;
  PublishPoint(p);
  s->paused.store(1, std::memory_order_release);
  s->stops.fetch_add(1, std::memory_order_release);
  shmem::WaitEvent saved = shmem::MyWaitEvent();
  shmem::ReportWaitEvent(shmem::WaitEvent::kMinipgStep);
  trace::Event pause = StepEvent(trace::EventType::kStepPause, p);
  if (std::string nodes = LivePlanJson(s); !nodes.empty()) pause.Raw("nodes", nodes);
  pause.Emit();
  auto start = std::chrono::steady_clock::now();
  Status result = OkStatus();
  for (;;) {
    uint32_t seen = s->wake.load(std::memory_order_acquire);
    if (InterruptPending()) break;
    if (s->attached.load(std::memory_order_acquire) == 0) break;
    if (s->credit.load(std::memory_order_acquire) > 0) break;
    if (ControllerGone(s)) {
      s->attached.store(0, std::memory_order_release);  // detached: it runs freely from here
      break;
    }
    if (ClientGone()) {
      result = MakeError(sqlstate::kConnectionFailure, "connection to client lost", Severity::kFatal);
      break;
    }
    shmem::FutexWaitMs(&s->wake, seen, kSleepSliceMs);  // a signal cuts it short
  }
  s->paused.store(0, std::memory_order_release);
  shmem::ReportWaitEvent(saved);
  auto waited = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
  StepEvent(trace::EventType::kStepResume, p).Int("paused_us", waited.count()).Emit();
  if (!result.ok()) return result;
  return CheckForInterrupts();
}

/* minipg.step_delay: sleeps at the point, visible in minipg_step_state. */
Status Delay(const StepPoint& p) {
  PublishPoint(p);
  shmem::WaitEvent saved = shmem::MyWaitEvent();
  shmem::ReportWaitEvent(shmem::WaitEvent::kMinipgStep);
  Status s = InterruptibleSleep(static_cast<double>(internal::g_delay_us) / 1e6);
  shmem::ReportWaitEvent(saved);
  return s;
}

/* One point, where this process may stop. */
Status PauseHere(const StepPoint& p) {
  StepSlot* s = g_my_slot;
  if (s != nullptr && s->attached.load(std::memory_order_acquire) != 0) {
    auto g = static_cast<Granularity>(s->granularity.load(std::memory_order_relaxed));
    if ((GranularityMask(g) & Mask(p.kind)) == 0) return OkStatus();
    int32_t credit = s->credit.load(std::memory_order_acquire);
    if (credit > 0) {
      s->credit.fetch_sub(1, std::memory_order_acq_rel);
      if (credit > 1) return OkStatus();  // not the n-th point yet
    }
    return Stop(p);
  }
  if (internal::g_delay_us > 0 && (GranularityMask(Granularity::kRow) & Mask(p.kind)) != 0) return Delay(p);
  return OkStatus();
}

}  // namespace

namespace internal {
std::atomic<uint32_t>* g_attached = &g_not_attached;
int64_t g_delay_us = 0;
bool g_pending = false;

bool Wants(PointKind kind) {
  if (g_pending) return true;  // the pending point is taken at the next call
  if (g_my_slot != nullptr && g_my_slot->attached.load(std::memory_order_acquire) != 0) {
    auto g = static_cast<Granularity>(g_my_slot->granularity.load(std::memory_order_relaxed));
    return (GranularityMask(g) & Mask(kind)) != 0;
  }
  return g_delay_us > 0 && (GranularityMask(Granularity::kRow) & Mask(kind)) != 0;
}
}  // namespace internal

const char* GranularityName(Granularity g) {
  switch (g) {
    case Granularity::kStage: return "stage";
    case Granularity::kNode: return "node";
    case Granularity::kRow: return "row";
    case Granularity::kPage: return "page";
  }
  return "row";
}

std::optional<Granularity> ParseGranularity(std::string_view text) {
  for (Granularity g : {Granularity::kStage, Granularity::kNode, Granularity::kRow, Granularity::kPage}) {
    if (text == GranularityName(g)) return g;
  }
  return std::nullopt;
}

const char* PointKindName(PointKind k) {
  switch (k) {
    case PointKind::kNone: return "";
    case PointKind::kStage: return "stage";
    case PointKind::kFirstRow: return "first row";
    case PointKind::kRow: return "row";
    case PointKind::kNodeEnd: return "node end";
    case PointKind::kPage: return "page";
    case PointKind::kLockWait: return "lock wait";
    case PointKind::kCommit: return "commit";
    case PointKind::kCommitted: return "committed";
    case PointKind::kError: return "error";
  }
  return "";
}

const char* NodeStateName(NodeState s) {
  switch (s) {
    case NodeState::kNotStarted: return "not started";
    case NodeState::kRunning: return "running";
    case NodeState::kReturned: return "returned row";
    case NodeState::kDone: return "done";
  }
  return "";
}

shmem::ShmemRequest StepShmemRequest(int backend_slots) {
  int n = std::max(backend_slots, 1);
  return {kAreaName, sizeof(StepArea) + sizeof(StepSlot) * static_cast<size_t>(n - 1),
          [n](void* p) { static_cast<StepArea*>(p)->num_slots = n; }};
}

void InitMyStepSlot(int slot, int client_fd) {
  g_client_fd = client_fd;
  g_my_slot = SlotAt(slot);
  if (g_my_slot == nullptr) return;
  // A slot another backend used before: nothing of it stays.
  g_my_slot->attached.store(0);
  g_my_slot->credit.store(0);
  g_my_slot->paused.store(0);
  g_my_slot->running.store(0);
  g_my_slot->controller.store(0);
  {
    shmem::ChangeCountWrite w(g_my_slot->point_changecount);
    g_my_slot->kind = 0;
    g_my_slot->stage[0] = g_my_slot->node[0] = g_my_slot->detail[0] = '\0';
    g_my_slot->node_id = -1;
    g_my_slot->rows = 0;
  }
  g_my_slot->pid.store(getpid(), std::memory_order_release);
  internal::g_attached = &g_my_slot->attached;
}

void StartOfQuery() {
  internal::g_pending = false;  // a page point the last query never found a safe place for
  if (g_my_slot != nullptr && g_my_slot->attached.load(std::memory_order_acquire) != 0) {
    g_my_slot->credit.store(0, std::memory_order_release);
  }
}

void SetStepDelay(int64_t micros) { internal::g_delay_us = std::max<int64_t>(micros, 0); }

Status Pause(const StepPoint& point) {
  if (!SafeToPause()) {
    // Only a page read happens under an LWLock: keep the first one.
    if (!internal::g_pending) {
      g_pending_point = point;
      internal::g_pending = true;
    }
    return OkStatus();
  }
  if (internal::g_pending) {
    internal::g_pending = false;
    StepPoint pending = std::move(g_pending_point);
    if (Status s = PauseHere(pending); !s.ok()) return s;
  }
  return PauseHere(point);
}

void BeginLivePlan(const std::vector<LiveNodeDef>& nodes) {
  StepSlot* s = g_my_slot;
  if (s == nullptr) return;
  shmem::ChangeCountWrite w(s->plan_changecount);
  int n = static_cast<int>(std::min<size_t>(nodes.size(), kMaxLiveNodes));
  for (int i = 0; i < n; ++i) {
    LiveNode& ln = s->nodes[i];
    ln.node_id = nodes[i].node_id;
    ln.parent_id = nodes[i].parent_id;
    shmem::CopyText(ln.name, nodes[i].name);
    ln.rows.store(0, std::memory_order_relaxed);
    ln.loops.store(0, std::memory_order_relaxed);
    ln.startup_us.store(0, std::memory_order_relaxed);
    ln.total_us.store(0, std::memory_order_relaxed);
    ln.state.store(static_cast<uint8_t>(NodeState::kNotStarted), std::memory_order_relaxed);
  }
  s->num_nodes = n;
  s->running.store(1, std::memory_order_relaxed);
}

void EndLivePlan() {
  StepSlot* s = g_my_slot;
  if (s == nullptr) return;
  shmem::ChangeCountWrite w(s->plan_changecount);
  s->running.store(0, std::memory_order_relaxed);
  s->num_nodes = 0;
}

void LiveNodeEnter(int node_id, bool new_loop) {
  StepSlot* s = g_my_slot;
  if (s == nullptr || node_id < 0 || node_id >= kMaxLiveNodes || node_id >= s->num_nodes) return;
  LiveNode& n = s->nodes[node_id];
  if (new_loop) n.loops.store(n.loops.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  n.state.store(static_cast<uint8_t>(NodeState::kRunning), std::memory_order_relaxed);
}

void LiveNodeLeave(int node_id, bool row, bool done, int64_t spent_us, int64_t startup_us, bool hands_up) {
  StepSlot* s = g_my_slot;
  if (s == nullptr || node_id < 0 || node_id >= kMaxLiveNodes || node_id >= s->num_nodes) return;
  LiveNode& n = s->nodes[node_id];
  // Only this process writes: a load and a store, no read-modify-write.
  if (row) n.rows.store(n.rows.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  n.total_us.store(n.total_us.load(std::memory_order_relaxed) + spent_us, std::memory_order_relaxed);
  if (startup_us > 0) {
    n.startup_us.store(n.startup_us.load(std::memory_order_relaxed) + startup_us, std::memory_order_relaxed);
  }
  NodeState st = done ? NodeState::kDone : row && hands_up ? NodeState::kReturned : NodeState::kRunning;
  n.state.store(static_cast<uint8_t>(st), std::memory_order_relaxed);
}

std::optional<StepStateCopy> ReadStepState(int slot) {
  const StepSlot* s = SlotAt(slot);
  if (s == nullptr) return std::nullopt;
  StepStateCopy c;
  c.pid = s->pid.load(std::memory_order_acquire);
  c.attached = s->attached.load(std::memory_order_acquire) != 0;
  c.paused = s->paused.load(std::memory_order_acquire) != 0;
  auto g = static_cast<Granularity>(s->granularity.load(std::memory_order_relaxed));
  c.granularity = g >= Granularity::kStage && g <= Granularity::kPage ? g : Granularity::kRow;
  c.stops = s->stops.load(std::memory_order_acquire);
  bool ok = shmem::ReadConsistent(s->point_changecount, [&] {
    c.point.kind = static_cast<PointKind>(s->kind);
    c.point.stage = shmem::ReadText(s->stage);
    c.point.node_id = s->node_id;
    c.point.node = shmem::ReadText(s->node);
    c.point.rows = s->rows;
    c.point.detail = shmem::ReadText(s->detail);
  });
  if (!ok) c.point = StepPoint{};
  return c;
}

std::vector<LiveNodeCopy> ReadLivePlan(int slot) { return ReadPlanOf(SlotAt(slot)); }

namespace {
std::vector<LiveNodeCopy> ReadPlanOf(const StepSlot* s) {
  std::vector<LiveNodeCopy> out;
  if (s == nullptr) return out;
  bool ok = shmem::ReadConsistent(s->plan_changecount, [&] {
    out.clear();
    if (s->running.load(std::memory_order_relaxed) == 0) return;
    int n = std::clamp(s->num_nodes, 0, kMaxLiveNodes);
    for (int i = 0; i < n; ++i) {
      const LiveNode& ln = s->nodes[i];
      LiveNodeCopy c;
      c.node_id = ln.node_id;
      c.parent_id = ln.parent_id;
      c.name = shmem::ReadText(ln.name);
      c.rows = ln.rows.load(std::memory_order_relaxed);
      c.loops = ln.loops.load(std::memory_order_relaxed);
      c.startup_us = ln.startup_us.load(std::memory_order_relaxed);
      c.total_us = ln.total_us.load(std::memory_order_relaxed);
      c.state = static_cast<NodeState>(std::min<uint8_t>(ln.state.load(std::memory_order_relaxed), 3));
      out.push_back(std::move(c));
    }
  });
  if (!ok) out.clear();
  return out;
}

void Wake(StepSlot* s) {
  s->wake.fetch_add(1, std::memory_order_acq_rel);
  shmem::FutexWakeAll(&s->wake);
}
}  // namespace

void AttachSlot(int slot, Granularity g) {
  StepSlot* s = SlotAt(slot);
  if (s == nullptr) return;
  s->controller.store(getpid(), std::memory_order_relaxed);
  s->granularity.store(static_cast<uint32_t>(g), std::memory_order_relaxed);
  if (s->attached.load() == 0) s->credit.store(0, std::memory_order_relaxed);
  s->attached.store(1, std::memory_order_release);
  Wake(s);
}

void GrantSlot(int slot, int n) {
  StepSlot* s = SlotAt(slot);
  if (s == nullptr) return;
  s->controller.store(getpid(), std::memory_order_relaxed);
  s->credit.fetch_add(n, std::memory_order_acq_rel);
  Wake(s);
}

void DetachSlot(int slot) {
  StepSlot* s = SlotAt(slot);
  if (s == nullptr) return;
  s->attached.store(0, std::memory_order_release);
  s->credit.store(0, std::memory_order_relaxed);
  Wake(s);
}

}  // namespace minipg::step
