/*-------------------------------------------------------------------------
 * step.h
 *   Live stepping of a backend's query, and the live plan state of any
 *   running query: a small slot per client backend in shared memory, which
 *   the backend writes and other sessions read (minipg_step_state,
 *   minipg_query_state) or drive (minipg_step_attach / _next / _detach,
 *   engine/sql/step_functions.cpp). docs/stepping.md tells how to use it.
 *
 *   Step points are the places a stepped backend may stop:
 *     stage       before parse, analyze, rewrite, plan and executor start
 *     row         a plan node returned a row (PlanState::Next)
 *     first row   a node's first row of a loop;  node end: it has no more
 *     page        a page read through the buffer pool (hit or miss)
 *     lock wait   a heavyweight lock request that must wait, before it sleeps
 *     commit      before the commit record is written and flushed, and
 *                 after ("committed": the WAL is flushed, the locks released)
 *     error       an ERROR about to be sent to the client
 *   The granularity a controller asks for decides which of them stop:
 *     stage  stages, commit, errors
 *     node   those, plus first rows, node ends and lock waits
 *     row    those, plus every row
 *     page   those, plus every page read
 *
 *   A slot's life (the controller's side in brackets):
 *
 *     detached --[attach]--> attached, running
 *       attached, running --(a step point, no credit)--> paused
 *       paused --[next n: credit = n]--> attached, running
 *         (each later point uses one credit; the n-th stops again)
 *       any --[detach]--> detached (a paused backend goes on at once)
 *       paused --(the session that last attached or stepped it exits)--> detached
 *
 * NOTES
 *   Where a backend may pause: never while it holds an LWLock (a buffer's
 *   content lock, a mapping partition, ...) or has interrupts held off. A
 *   page read made under such a lock is remembered and the backend stops
 *   for it at its next step point where it holds none, so a paused backend
 *   blocks others only through the heavyweight locks its transaction
 *   holds (and the buffer pins a scan keeps between rows), as a PostgreSQL
 *   backend waiting on its client would.
 *   A paused backend sleeps on its slot's `wake` word (futex) in short
 *   slices, and wakes for its latch's signals: a cancel or
 *   statement_timeout ends the statement (57014), a terminate or fast
 *   shutdown the session (57P01), SIGQUIT (immediate shutdown, crash of
 *   another backend) kills it at once as anywhere; it polls its client's
 *   socket, and a client that went away ends the session (08006, as
 *   PostgreSQL's client_connection_check_interval).
 *   Consistency: the step point fields and the live plan's node list are
 *   written under change counters (backend_status.h's protocol: odd while
 *   a write is in progress); the live plan's per-node counters are single
 *   atomics, each read whole (a reader may see one node a row ahead of
 *   another, never a torn number).
 *   Cost when nobody steps: one relaxed atomic load per step point (plus
 *   the session's own step_delay), and a few relaxed stores per row into
 *   the backend's own live plan.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/common/error.h"
#include "engine/shmem/shmem.h"

namespace minipg::step {

inline constexpr int kMaxLiveNodes = 64;       // plan nodes shown by minipg_query_state
inline constexpr size_t kNodeNameSize = 64;    // "Seq Scan on t", cut
inline constexpr size_t kDetailSize = 256;     // a row's values, a page, a lock, an LSN, cut

/* What a controller asked for (minipg_step_attach's granularity). */
enum class Granularity : uint8_t {
  kStage = 1,  // stages, commit, errors
  kNode,       // and each node's first row and end, lock waits
  kRow,        // and every row
  kPage,       // and every page read
};

/* The kinds of step points (see the file header). */
enum class PointKind : uint8_t {
  kNone = 0,   // not at a step point
  kStage,      // before a stage: parse, analyze, rewrite, plan, executor start
  kFirstRow,   // a node returned its first row of a loop
  kRow,        // a node returned a row
  kNodeEnd,    // a node returned its last (it has no more rows)
  kPage,       // a page was read through the buffer pool
  kLockWait,   // a lock request must wait
  kCommit,     // before (kCommit) the commit record is written
  kCommitted,  // after the commit's WAL flush
  kError,      // an error is about to be reported
};

/* A node's state in minipg_query_state. */
enum class NodeState : uint8_t {
  kNotStarted = 0,  // "not started": never asked for a row
  kRunning,         // "running": making its next row (or a child's)
  kReturned,        // "returned row": handed a row up, waiting to be asked again
  kDone,            // "done": returned its end (it may be rescanned)
};

/* One step point, as the backend describes it. */
struct StepPoint {
  PointKind kind = PointKind::kNone;
  std::string stage;     // "parse", "row", "page", ...: the point's name
  int node_id = -1;      // the plan node, -1 if none
  std::string node;      // its EXPLAIN title
  int64_t rows = 0;      // what the node has returned so far
  std::string detail;    // the row's values, the page, the lock, the LSN
};

/* The name of a granularity / parse of one ("row"); nullopt if unknown. */
const char* GranularityName(Granularity g);
std::optional<Granularity> ParseGranularity(std::string_view text);
const char* PointKindName(PointKind k);
const char* NodeStateName(NodeState s);

/* ---- shared memory ------------------------------------------------------- */

/* The step slots' area: one per client backend slot (max_connections). */
shmem::ShmemRequest StepShmemRequest(int backend_slots);

/* ---- the backend's side ------------------------------------------------ */

/* The slot of this client backend (its process array slot), fresh, and
 * its client's socket (polled while paused). */
void InitMyStepSlot(int slot, int client_fd);

/* A new query text arrived: credit left over from the last query (a
 * minipg_step_next whose query ended before its n-th point) is dropped,
 * so the new query stops at its first point. */
void StartOfQuery();

/* This session's minipg.step_delay in microseconds (0 = off). */
void SetStepDelay(int64_t micros);

namespace internal {
extern std::atomic<uint32_t>* g_attached;  // this backend's slot's attached word (a dummy without one)
extern int64_t g_delay_us;                 // minipg.step_delay
extern bool g_pending;                     // a page point waits for a safe place
bool Wants(PointKind kind);
}  // namespace internal

/* Whether anybody steps this backend or it has a step delay: the one
 * cheap check before a step point builds its description. */
inline bool Active() {
  return internal::g_delay_us != 0 || internal::g_pending ||
         internal::g_attached->load(std::memory_order_relaxed) != 0;
}
/* Whether a point of `kind` would stop or sleep now (Active() and the
 * granularity takes it). */
inline bool Wants(PointKind kind) { return Active() && internal::Wants(kind); }

/* The step point: stops here while attached and out of credit (or sleeps
 * step_delay). Returns the interrupt that ended the pause (57014, 57P01),
 * 08006 FATAL if the client went away, else OK. Where the backend may not
 * pause (an LWLock held, interrupts held off) it only remembers the
 * point and stops at the next one where it may. */
Status Pause(const StepPoint& point);

/* The live plan of the query this backend runs (minipg_query_state). */
struct LiveNodeDef {
  int node_id = 0;
  int parent_id = -1;
  std::string name;
};
void BeginLivePlan(const std::vector<LiveNodeDef>& nodes);
void EndLivePlan();
/* A node's counters: `row` (it returned a row), `new_loop`, time spent in
 * this call, whether it was its first row of the loop; state after
 * (`hands_up` false: a Hash node, whose rows go into its table, not up to
 * its parent, stays "running" until its end). */
void LiveNodeEnter(int node_id, bool new_loop);
void LiveNodeLeave(int node_id, bool row, bool done, int64_t spent_us, int64_t startup_us, bool hands_up = true);

/* ---- readers and controllers ---------------------------------------------- */

struct StepStateCopy {
  int32_t pid = 0;
  bool attached = false;
  bool paused = false;
  Granularity granularity = Granularity::kRow;
  uint32_t stops = 0;  // how many times it has paused so far
  StepPoint point;     // where it is paused (or last paused)
};

struct LiveNodeCopy {
  int node_id = 0;
  int parent_id = -1;
  std::string name;
  int64_t rows = 0;
  int64_t loops = 0;
  int64_t startup_us = 0;
  int64_t total_us = 0;
  NodeState state = NodeState::kNotStarted;
};

/* The step slot of client backend slot `slot` (ReadProcArray's). */
std::optional<StepStateCopy> ReadStepState(int slot);
/* The live plan of the query running in `slot` (empty if none). */
std::vector<LiveNodeCopy> ReadLivePlan(int slot);

/* Controllers: attach with a granularity (credit 0: it stops at its next
 * point), add credit and wake it, detach and wake it. */
void AttachSlot(int slot, Granularity g);
void GrantSlot(int slot, int n);
void DetachSlot(int slot);

}  // namespace minipg::step
