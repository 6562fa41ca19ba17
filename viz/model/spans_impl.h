/*-------------------------------------------------------------------------
 * spans_impl.h
 *   Private to spans.cpp and spans_events.cpp: the builder's state (what
 *   is open per process and per client lane, the finished spans and their
 *   per-lane index) and its Impl class. See spans.h for what it builds.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <algorithm>
#include <array>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "viz/model/spans.h"

namespace minipg::viz::spans_internal {

using Json = nlohmann::ordered_json;

/* Client lanes get thread ids above any Linux pid (pid_max <= 2^22). */
inline constexpr int64_t kClientTidBase = int64_t{1} << 30;
inline constexpr size_t kMaxNameBytes = 60;
inline constexpr int64_t kAnchorUs = 1;
/* Timestamps outside [0, kMaxTs] cannot come from CLOCK_MONOTONIC; such an
 * event is skipped as malformed, which also keeps all ts arithmetic in range. */
inline constexpr int64_t kMaxTs = int64_t{1} << 60;

struct Proc {
  int64_t pid = 0;
  std::string
      role;  // "postmaster", "backend", "dead-end", "collector", "checkpointer", "minipg-sim", ...
  int64_t order = 0;     // first appearance
  int64_t first_ts = 0;  // its earliest event (or fork)
  int64_t exit_ts = 0;   // when it exited, if `exited`
  std::string user, database, client, scenario_title;
  bool cancel_child = false;  // sent a cancel_request (a short-lived child)
  bool forked = false;        // its life began with a fork (not just its first event)
  bool exited = false;
  bool immediate_shutdown = false;  // postmaster: told to shut down immediately
  std::optional<Span> life, auth, query, checkpoint, phase, scenario, caption, lock, recovery;
  std::optional<Span> step;  // stopped by live stepping
  bool query_finished = false;        // the open query has had its query_done / error
  int64_t query_last = 0;             // latest event inside the open query
  std::optional<int64_t> stage_from;  // where the next stage slice begins
};

struct ClientLane {
  int64_t runner = 0;
  std::string name;
  int64_t tid = 0;
  int64_t order = 0;
  int64_t first_ts = 0;          // its first event
  int64_t end_ts = 0;            // its last disconnect
  bool disconnected = false;     // a disconnect was seen (a viewer that joined late may see none)
  int64_t backend_pid = 0;       // while connected
  int64_t last_backend_pid = 0;  // the latest backend, kept after the disconnect
  std::string user, database;
  std::optional<Span> connection, connecting, query;
  std::optional<Span> stopped;  // inside `query`: its backend is stopped by live stepping
  int64_t pending_query = -1;  // index in client_queries_ of the open query
  /* [disconnect, next connect) times, in ts order: not running then. */
  std::vector<std::pair<int64_t, int64_t>> gaps;
};

/* A client query waiting to be matched to the backend query it caused. */
struct ClientQuery {
  size_t anchor = 0;            // index of the anchor slice in done_
  int64_t runner = 0, tid = 0;  // its client lane
  int64_t backend = 0;
  int64_t ts = 0;
  int64_t until = std::numeric_limits<int64_t>::max();  // its answer's ts
};

struct Accept {
  int64_t ts = 0;
  Json args = Json::object();
};

/* The event's own fields (not type/ts/pid), as args. */
inline Json FieldsOf(const Event& ev) {
  Json args = Json::object();
  for (const auto& [key, value] : ev.fields.items()) {
    if (key == "type" || key == "ts" || key == "pid") continue;
    args[key] = value;
  }
  return args;
}

inline void Merge(Json& into, const Json& from) {
  for (const auto& [key, value] : from.items()) into[key] = value;
}

/* One line of text, cut at kMaxNameBytes on a UTF-8 character boundary. */
inline std::string ShortText(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  if (out.size() <= kMaxNameBytes) return out;
  size_t cut = kMaxNameBytes;
  while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
  out.resize(cut);
  out += "...";
  return out;
}

inline bool IsAuxiliary(std::string_view role) {
  return role == "collector" || role == "checkpointer" || role == "background writer" ||
         role == "walwriter" || role == "startup";
}

/* A lane's finished spans, one ts-ordered list of done_ indices per row,
 * and its markers likewise. */
struct LaneIndex {
  std::array<std::vector<uint32_t>, kSpanDepths> rows;
  std::array<int64_t, kSpanDepths> longest{};  // the longest span of each row
  std::vector<uint32_t> instants;
};

using LaneKey = std::pair<int64_t, int64_t>;  // pid, tid

/*
 * Greedy matching of client queries to backend queries: each client query,
 * in ts order, takes the first query of its backend not yet taken that
 * starts at or after it was sent and no later than its answer.
 * `backend` lists each backend's queries (ts, ref) in ts order.
 */
template <typename OnMatch>
void MatchClientQueries(const std::vector<ClientQuery>& sorted_cqs,
                        const std::map<int64_t, std::vector<std::pair<int64_t, size_t>>>& backend,
                        OnMatch on_match) {
  std::map<int64_t, size_t> next_candidate;  // per backend: first query not yet matched
  for (const ClientQuery& cq : sorted_cqs) {
    auto it = backend.find(cq.backend);
    if (it == backend.end()) continue;
    size_t& k = next_candidate[cq.backend];
    while (k < it->second.size() && it->second[k].first < cq.ts) ++k;
    if (k == it->second.size() || it->second[k].first > cq.until) continue;
    on_match(cq, it->second[k]);
    ++k;
  }
}

}  // namespace minipg::viz::spans_internal

namespace minipg::viz {

using namespace spans_internal;  // NOLINT: the private vocabulary of the two .cpp files

class SpanBuilder::Impl {
 public:
  void Add(const Event& ev);
  std::vector<SpanLane> Lanes() const;
  const ClientLane* ClientLaneOf(int64_t tid) const {
    auto it = lane_by_tid_.find(tid);
    return it == lane_by_tid_.end() ? nullptr : it->second;
  }
  const LaneIndex* IndexOf(int64_t pid, int64_t tid) const {
    auto it = index_.find({pid, tid});
    return it == index_.end() ? nullptr : &it->second;
  }
  void OpenSpans(int64_t pid, int64_t tid, std::vector<const Span*>* out) const;
  const std::vector<SpanFlow>& QueryFlows() const;
  SpanSnapshot Snapshot() const;

  SpanStats stats_;
  TraceInfo info_;
  std::vector<Span> done_;
  std::vector<SpanInstant> instants_;
  std::vector<SpanFlow> flows_;
  bool any_ts_ = false;
  size_t retention_ = 0;  // finished spans held before forgetting; 0: keep all
  size_t next_forget_check_ = 0;
  int64_t forgotten_before_ = 0;
  uint64_t forgotten_spans_ = 0;
  /* Forgets what ended long ago once retention_ is exceeded (spans_retention.cpp). */
  void MaybeForget();
  /* The args of forgotten spans, freed a few at a time as events come
   * (freeing a compaction's hundred thousand at once stalled a frame). */
  std::vector<Json> to_free_;
  /* The event being added, when its fields may be taken (Add(Event&&)). */
  Event* takeable_ = nullptr;
  /* FieldsOf(ev), moved out of the event when it may be taken (once). */
  Json ArgsOf(const Event& ev) {
    if (takeable_ != &ev) return FieldsOf(ev);
    Json args = std::move(takeable_->fields);
    takeable_ = nullptr;
    if (!args.is_object()) return Json::object();
    for (const char* key : {"type", "ts", "pid"}) args.erase(key);
    return args;
  }
  static constexpr size_t kFreePerEvent = 2;
  void FreeSome() {
    for (size_t i = 0; i < kFreePerEvent && !to_free_.empty(); ++i) to_free_.pop_back();
  }
  int64_t first_ts_ = 0;
  int64_t last_ts_ = 0;
  uint64_t generation_ = 0;
  uint64_t lanes_generation_ = 0;  // see SpanBuilder::lanes_generation()
  uint64_t id_ = 0;                // see SpanBuilder::id()

 private:
  Proc& Touch(int64_t pid, std::string_view role_hint, int64_t ts, bool open_life);
  Proc& Emitter(const Event& ev, std::string_view role_hint) {
    return Touch(ev.pid, role_hint, ev.ts, true);
  }
  ClientLane* Lane(const Event& ev);
  Span Open(SpanKind kind, int64_t pid, int64_t tid, int64_t ts, std::string name,
            Json args = Json::object());
  void Finish(std::optional<Span>& slot, int64_t end);
  size_t Push(Span s);
  /* A 1 us slice for an arrow's end: a source ends at ts, a target begins at it. */
  size_t SourceAnchor(int64_t pid, int64_t tid, int64_t ts, std::string name,
                      Json args = Json::object());
  size_t TargetAnchor(int64_t pid, int64_t tid, int64_t ts, std::string name,
                      Json args = Json::object());
  /* Binds an arrow for the export and records it for drawing (from the
   * source's event time to the target's). */
  void Flow(FlowKind kind, Span& from, int64_t from_ts, Span& to, int64_t to_ts);
  void AddInstant(InstantKind kind, const Event& ev, int64_t tid, std::string name, bool global,
                  Json args);
  std::string DisplayName(const Proc& p) const;
  void CloseQuery(Proc& p, int64_t trigger_ts);
  void EndLife(Proc& p, int64_t ts, const Json& args);

  void OnHello(const Event& ev);
  void OnProcess(const Event& ev);
  void OnFork(const Event& ev);
  void OnState(const Event& ev);
  void OnQueryStart(const Event& ev);
  void OnStage(const Event& ev, SpanKind kind, const char* stage);
  void OnQueryDone(const Event& ev);
  void OnError(const Event& ev);
  void OnCancelRequest(const Event& ev);
  void OnSignal(const Event& ev);
  void OnChildExit(const Event& ev);
  void OnCrash(const Event& ev);
  void OnPostmasterState(const Event& ev);
  void OnCheckpoint(const Event& ev, bool start);
  void OnRecovery(const Event& ev);
  void OnLock(const Event& ev);
  void WaitSpan(Proc& p, std::optional<Span>& slot, SpanKind kind, const Event& ev, bool begins,
                const std::string& name, const char* waited_field);
  void OnStep(const Event& ev);
  void OnScenario(const Event& ev);
  void OnClient(const Event& ev);

  std::map<int64_t, Proc> procs_;
  std::map<std::pair<int64_t, std::string>, ClientLane> lanes_;
  std::map<int64_t, const ClientLane*> lane_by_tid_;
  std::map<int64_t, Accept> accepts_;  // by connection number, until its fork
  std::map<LaneKey, LaneIndex> index_;
  std::vector<ClientQuery> client_queries_;
  uint64_t next_seq_ = 1;
  uint64_t next_flow_ = 1;
  int64_t next_order_ = 0;
  int64_t next_lane_tid_ = kClientTidBase;
  mutable std::vector<SpanFlow> query_flows_;
  mutable uint64_t query_flows_generation_ = ~uint64_t{0};
};

}  // namespace minipg::viz
