/*-------------------------------------------------------------------------
 * spans.h
 *   Spans, markers and arrows built from a minipg event stream: what the
 *   Timeline panel draws and what the Chrome trace export writes. Plain
 *   C++, no drawing.
 *
 *     SpanBuilder b;
 *     for (ev : stream) b.Add(ev);       // in stream order, live or recorded
 *     b.Lanes();                         // who: processes, then client lanes
 *     b.FinishedSpans(pid, tid, depth, t0, t1, &out);  // a lane's spans in a range
 *     b.OpenSpans(pid, tid, &out);       // those still open (end at last_ts())
 *     b.flows(); b.QueryFlows();         // arrows between lanes
 *     b.Snapshot();                      // everything at once (the export)
 *
 *   A lane is a process (tid == pid) or a simulated client of minipg-sim
 *   (pid = the runner, tid = a number above any pid). Inside a lane spans
 *   nest in rows ("depth"):
 *
 *     backend:     0 life [fork .. child_exit]
 *                  1   authentication [state authenticating .. next state]
 *                  1   query [query_start .. last query_done / error]
 *                  2     parse | analyze | plan | execute  (each from the
 *                        previous step of the query to its own event), and
 *                        lock waits over them [lock_wait .. lock_acquired]
 *     postmaster:  0 life [postmaster_start .. postmaster_exit]
 *                  1   phase [postmaster_state X .. next postmaster_state]
 *                  2     fork [accept .. fork]
 *     checkpointer: 0 life; 1 checkpoint [checkpoint_start .. checkpoint_done]
 *     minipg-sim:  0 scenario [scenario_start .. scenario_end]; 1 caption [caption .. next]
 *     client lane: 0 connection [client_connect .. client_disconnect]
 *                  1   connect [client_connect .. client_connected]
 *                  1   query [client_query .. client_result / client_error]
 *                  2     waiting for the server while its backend is stopped
 *                        by live stepping [step_pause .. step_resume]
 *
 *   Arrows (flows) link two lanes at two moments: fork (postmaster -> the
 *   child's life), cancel (cancel-request child -> its target), signal
 *   (sender -> target), crash (postmaster -> every other child, which gets
 *   SIGQUIT), client (client lane -> its backend, on connect) and query
 *   (a client's query -> the backend query it caused; matched afterwards,
 *   see QueryFlows()).
 *
 * NOTES
 *   Events that cannot be placed (a ts out of range, an unknown type) are
 *   counted and skipped; an event for a pid never seen just makes a lane.
 *   Nothing here throws. Memory grows with the trace (every span is kept)
 *   unless SetRetention() bounds it, as the live viewer does.
 *   Finished spans are indexed per lane and row in ts order, so a panel asks
 *   for a visible time range without copying; pointers it gets are valid
 *   until the next Add(). Not thread-safe: one thread owns a builder.
 *   Anchor spans (1 us, kind kAnchor) exist only so that Chrome-trace flow
 *   events have a slice to bind to; they are never indexed for drawing.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "viz/model/event.h"

namespace minipg::viz {

enum class SpanKind : uint8_t {
  kOther,           // nothing more specific
  kLife,            // a process, from its fork (or first event) to its exit
  kAuthentication,  // a backend checking its client's credentials
  kQuery,           // a backend running a query string
  kParse,           // query stages, in the backend
  kAnalyze,
  kPlan,
  kExecute,
  kFork,              // the postmaster from an accept to the fork that serves it
  kPhase,             // a postmaster state other than run (crash recovery, shutdown)
  kCheckpoint,        // the checkpointer writing a checkpoint
  kScenario,          // minipg-sim playing a scenario
  kCaption,           // a scenario caption on screen
  kClientConnection,  // a simulated client connected (client_connect .. client_disconnect)
  kClientConnect,     // a simulated client connecting (.. client_connected)
  kClientQuery,       // a simulated client waiting for a query's answer
  kLockWait,          // a process waiting for a lock another holds (lock_wait .. lock_acquired)
  kRecovery,          // the startup process replaying the WAL (recovery_start .. recovery_done)
  kAnchor,            // a 1 us end of an arrow, for the Chrome-trace export only
  kStepPause,         // a stepped backend stopped at a step point (step_pause .. step_resume)
};

inline constexpr int kSpanDepths = 3;
/* The row of a kind inside its lane (0: outermost). */
int SpanDepth(SpanKind kind);

/* How a span binds to a Chrome-trace flow ('s' from it, 'f' to it). */
struct FlowBinding {
  uint64_t id = 0;
  std::string name;    // "fork", "cancel", "signal", "crash", "client", "query"
  bool start = false;  // 's' (from this slice) or 'f' (to it)
};

struct Span {
  int64_t pid = 0;
  int64_t tid = 0;
  int64_t ts = 0;
  int64_t end = 0;  // for an open span, its start (see SpanBuilder::last_ts())
  std::string name;
  nlohmann::ordered_json args = nlohmann::ordered_json::object();
  SpanKind kind = SpanKind::kOther;
  bool failed = false;             // ended in an error (query, authentication) or a crash (life)
  uint64_t seq = 0;                // creation order, breaks ties
  std::vector<FlowBinding> flows;  // export only
};

enum class InstantKind : uint8_t {
  kCaption,       // a scenario caption
  kScenarioEnd,   // a scenario ended (passed or failed)
  kExpectOk,      // a scenario's expectation held
  kExpectFailed,  // a scenario's expectation failed
  kError,         // an ErrorResponse (backend) or a client error
  kAuthFailed,    // authentication failed
  kRejected,      // a connection refused by the postmaster
  kCrash,         // a child crashed: the crash cycle begins
  kShutdown,      // a shutdown request
  kDropped,       // the server dropped events
};

struct SpanInstant {
  int64_t pid = 0;
  int64_t tid = 0;
  int64_t ts = 0;
  std::string name;
  bool global = false;  // concerns the whole trace (Chrome scope "g")
  nlohmann::ordered_json args = nlohmann::ordered_json::object();
  InstantKind kind = InstantKind::kError;
  uint64_t seq = 0;
};

enum class FlowKind : uint8_t { kFork, kCancel, kSignal, kCrash, kClient, kQuery };

/* An arrow between the moments of two events (two lanes). */
struct SpanFlow {
  FlowKind kind = FlowKind::kFork;
  int64_t from_pid = 0, from_tid = 0, from_ts = 0;
  int64_t to_pid = 0, to_tid = 0, to_ts = 0;
};

enum class LaneGroup : uint8_t {
  kPostmaster,  // the server's parent
  kAuxiliary,   // collector, checkpointer
  kBackend,     // backends, dead-end children, cancel-request children
  kRunner,      // minipg-sim itself (scenario and captions)
  kClient,      // one simulated client of minipg-sim
  kOther,       // a process whose role is not known
};

struct SpanLane {
  int64_t pid = 0;
  int64_t tid = 0;  // == pid for a process lane
  LaneGroup group = LaneGroup::kOther;
  std::string role;  // "postmaster", "backend", ..., "client" for a client lane
  std::string name;  // "backend 4242 (alice@shop)", "client alice"
  std::string user, database;
  int64_t order = 0;        // first appearance (processes) or lane creation (clients)
  int64_t sort_index = 0;   // the export's process / thread sort index
  int64_t backend_pid = 0;  // client lane: the backend it last connected to
  int64_t begin_ts = 0;     // its first event (a client lane: its first connect)
  bool exited = false;      // exited (a client lane: disconnected, not connected again)
  int64_t end_ts = 0;       // when it exited or last disconnected, if `exited`
};

/* Whether the lane's process (or client) was running at `ts`, by the
 * builder's knowledge now: born by then and not yet exited. A replay asks
 * about the moment shown; live, ask about INT64_MAX (== !exited). A client
 * that disconnected and connected again was not running in between:
 * SpanBuilder::RunningAt() knows those gaps too. */
inline bool LaneAliveAt(const SpanLane& lane, int64_t ts) {
  return lane.begin_ts <= ts && (!lane.exited || lane.end_ts > ts);
}

/* Puts lanes in the Timeline's order, the story of connections first: the
 * postmaster, then the backends in fork order, each followed by the
 * minipg-sim client lanes last connected to it (so a client's query arrow
 * is short); then processes of unknown role, clients not connected to a
 * backend in view, minipg-sim itself, and the auxiliary processes last. */
void SortLanesForTimeline(std::vector<SpanLane>* lanes);

struct SpanStats {
  uint64_t events = 0;          // events given to Add
  uint64_t bad_timestamps = 0;  // skipped: ts outside what CLOCK_MONOTONIC gives
  uint64_t unknown_types = 0;   // skipped: a type this version does not know
};

/* Everything at once, as the export wants it. */
struct SpanSnapshot {
  /* Finished spans (anchors included), then the open ones closed at the
   * last ts (args "open_at_end_of_trace"), query flows bound. */
  std::vector<Span> spans;
  std::vector<SpanInstant> instants;
};

/* What the stream said about the server (from hello). */
struct TraceInfo {
  std::optional<int64_t> schema_version;
  std::string server, server_version;
  std::optional<int64_t> wall_us;
  std::optional<int64_t> hello_ts;
};

class SpanBuilder {
 public:
  SpanBuilder();
  ~SpanBuilder();
  SpanBuilder(const SpanBuilder&) = delete;
  SpanBuilder& operator=(const SpanBuilder&) = delete;

  /* Takes one parsed event (in stream order). */
  void Add(const Event& ev);
  /* The same, free to move the event's fields into span args instead of
   * copying them (a query stage's plan nodes, say): the caller does not
   * read `ev` again. */
  void Add(Event&& ev);

  /* Bounds memory for a long live session: once more than `max_spans`
   * finished spans are held, the spans, markers and arrows that ended
   * before a cut time are forgotten (about half of them), and so are exited
   * processes with nothing left. 0, the default, keeps everything (the
   * export needs it all). */
  void SetRetention(size_t max_spans);
  /* Spans that ended before this ts may have been forgotten (0: none were). */
  int64_t forgotten_before() const;
  uint64_t forgotten_spans() const;
  /* Finished spans held now (anchors included). */
  size_t held_spans() const;

  /* Process lanes by first appearance, then client lanes by (runner, name). */
  std::vector<SpanLane> Lanes() const;
  /* LaneAliveAt(), but false too while a client lane was between a
   * disconnect and its next connect (a gap before forgotten_before() may
   * have been forgotten: the lane then counts as running through it). */
  bool RunningAt(const SpanLane& lane, int64_t ts) const;

  /* Finished spans of a lane's row that intersect [t0, t1], in ts order
   * (appended to out). */
  void FinishedSpans(int64_t pid, int64_t tid, int depth, int64_t t0, int64_t t1,
                     std::vector<const Span*>* out) const;
  /* Spans of a lane still open (appended to out); they reach last_ts(). */
  void OpenSpans(int64_t pid, int64_t tid, std::vector<const Span*>* out) const;
  /* Markers of a lane within [t0, t1], in ts order (appended to out). */
  void Instants(int64_t pid, int64_t tid, int64_t t0, int64_t t1,
                std::vector<const SpanInstant*>* out) const;
  /* Every marker, in the order made. */
  const std::vector<SpanInstant>& instants() const;

  /* Arrows known when their event came: fork, cancel, signal, crash, client. */
  const std::vector<SpanFlow>& flows() const;
  /* Client query -> backend query arrows: each client query goes to the
   * first query of its backend that starts after it was sent and before
   * its answer came. Recomputed only after new events. */
  const std::vector<SpanFlow>& QueryFlows() const;

  /* Everything, open spans closed at last_ts() (for the export). */
  SpanSnapshot Snapshot() const;

  const SpanStats& stats() const;
  const TraceInfo& info() const;
  bool empty() const;           // no event placed yet
  int64_t first_ts() const;     // earliest ts placed
  int64_t last_ts() const;      // latest ts placed
  uint64_t generation() const;  // changes whenever an event is placed
  /* Unique among the builders of this process (a panel that caches by
   * generation checks it too: a new builder counts from 0 again). */
  uint64_t id() const;
  /* Changes whenever what Lanes() returns may have: a process or client
   * appears, is named, exits, connects or disconnects, or is forgotten;
   * not on the queries, stages and states that make most of a stream. */
  uint64_t lanes_generation() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace minipg::viz
