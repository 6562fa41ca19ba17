/*-------------------------------------------------------------------------
 * spans.cpp
 *   Turning minipg events into spans, markers and arrows (see spans.h).
 *
 *   Each event updates the open spans of its process (or of its simulated
 *   client's lane); a span that ends is pushed to done_ and indexed in its
 *   lane's row. Snapshot() closes what is still open at the last timestamp
 *   and binds client queries to the backend queries they caused.
 *
 * NOTES
 *   Flow events of the Chrome-trace export bind to slices by position, so
 *   each arrow has a short "anchor" span (1 us) at each end where no real
 *   span begins at that moment: a source anchor ENDS at the event's ts (it
 *   begins 1 us earlier) and a target begins at it, so the source always
 *   comes first in ts order (see chrome_trace.cpp). The anchors stay out of
 *   the per-lane index; the SpanFlow records carry the event times instead.
 *   The index of a row is kept in ts order by inserting each finished span
 *   after the last one that does not start later: spans of one row end in
 *   start order almost always, so that is nearly an append.
 *-------------------------------------------------------------------------
 */
#include "viz/model/spans.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <limits>
#include <map>
#include <optional>
#include <string_view>
#include <utility>

namespace minipg::viz {

using Json = nlohmann::ordered_json;

int SpanDepth(SpanKind kind) {
  switch (kind) {
    case SpanKind::kLife:
    case SpanKind::kScenario:
    case SpanKind::kClientConnection:
      return 0;
    case SpanKind::kParse:
    case SpanKind::kAnalyze:
    case SpanKind::kPlan:
    case SpanKind::kExecute:
    case SpanKind::kFork:
      return 2;
    default:
      return 1;
  }
}

namespace {

/* Client lanes get thread ids above any Linux pid (pid_max <= 2^22). */
constexpr int64_t kClientTidBase = int64_t{1} << 30;
constexpr size_t kMaxNameBytes = 60;
constexpr int64_t kAnchorUs = 1;
/* Timestamps outside [0, kMaxTs] cannot come from CLOCK_MONOTONIC; such an
 * event is skipped as malformed, which also keeps all ts arithmetic in range. */
constexpr int64_t kMaxTs = int64_t{1} << 60;

struct Proc {
  int64_t pid = 0;
  std::string
      role;  // "postmaster", "backend", "dead-end", "collector", "checkpointer", "minipg-sim", ...
  int64_t order = 0;  // first appearance
  std::string user, database, client, scenario_title;
  bool cancel_child = false;  // sent a cancel_request (a short-lived child)
  bool forked = false;        // its life began with a fork (not just its first event)
  bool exited = false;
  std::optional<Span> life, auth, query, checkpoint, phase, scenario, caption;
  bool query_finished = false;        // the open query has had its query_done / error
  int64_t query_last = 0;             // latest event inside the open query
  std::optional<int64_t> stage_from;  // where the next stage slice begins
};

struct ClientLane {
  int64_t runner = 0;
  std::string name;
  int64_t tid = 0;
  int64_t order = 0;
  int64_t backend_pid = 0;       // while connected
  int64_t last_backend_pid = 0;  // the latest backend, kept after the disconnect
  std::string user, database;
  std::optional<Span> connection, connecting, query;
  int64_t pending_query = -1;  // index in client_queries_ of the open query
};

/* A client query waiting to be matched to the backend query it caused. */
struct ClientQuery {
  size_t anchor = 0;  // index of the anchor slice in done_
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
Json FieldsOf(const Event& ev) {
  Json args = Json::object();
  for (const auto& [key, value] : ev.fields.items()) {
    if (key == "type" || key == "ts" || key == "pid") continue;
    args[key] = value;
  }
  return args;
}

void Merge(Json& into, const Json& from) {
  for (const auto& [key, value] : from.items()) into[key] = value;
}

/* One line of text, cut at kMaxNameBytes on a UTF-8 character boundary. */
std::string ShortText(std::string_view text) {
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

bool IsAuxiliary(std::string_view role) {
  return role == "collector" || role == "checkpointer";
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

}  // namespace

class SpanBuilder::Impl {
 public:
  void Add(const Event& ev);
  std::vector<SpanLane> Lanes() const;
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
  int64_t first_ts_ = 0;
  int64_t last_ts_ = 0;
  uint64_t generation_ = 0;

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

/* --- building blocks ---------------------------------------------------- */

Proc& SpanBuilder::Impl::Touch(int64_t pid, std::string_view role_hint, int64_t ts,
                               bool open_life) {
  auto [it, fresh] = procs_.try_emplace(pid);
  Proc& p = it->second;
  if (fresh) {
    p.pid = pid;
    p.order = next_order_++;
  }
  if (p.role.empty() && !role_hint.empty()) p.role = std::string(role_hint);
  if (open_life && !p.life && !p.exited && p.role != "minipg-sim") {
    p.life = Open(SpanKind::kLife, pid, pid, ts, "");
  }
  return p;
}

Span SpanBuilder::Impl::Open(SpanKind kind, int64_t pid, int64_t tid, int64_t ts,
                             std::string name, Json args) {
  Span s;
  s.pid = pid;
  s.tid = tid;
  s.ts = ts;
  s.end = ts;
  s.name = std::move(name);
  s.args = std::move(args);
  s.kind = kind;
  s.seq = next_seq_++;
  return s;
}

size_t SpanBuilder::Impl::Push(Span s) {
  if (s.end < s.ts) s.end = s.ts;
  done_.push_back(std::move(s));
  size_t at = done_.size() - 1;
  const Span& d = done_[at];
  if (d.kind != SpanKind::kAnchor) {
    LaneIndex& lane = index_[{d.pid, d.tid}];
    int depth = SpanDepth(d.kind);
    std::vector<uint32_t>& row = lane.rows[depth];
    auto pos = std::upper_bound(row.begin(), row.end(), d.ts,
                                [&](int64_t ts, uint32_t i) { return ts < done_[i].ts; });
    row.insert(pos, static_cast<uint32_t>(at));
    lane.longest[depth] = std::max(lane.longest[depth], d.end - d.ts);
  }
  return at;
}

void SpanBuilder::Impl::Finish(std::optional<Span>& slot, int64_t end) {
  if (!slot) return;
  slot->end = end;
  Push(std::move(*slot));
  slot.reset();
}

size_t SpanBuilder::Impl::SourceAnchor(int64_t pid, int64_t tid, int64_t ts, std::string name,
                                       Json args) {
  Span s = Open(SpanKind::kAnchor, pid, tid, ts - kAnchorUs, std::move(name), std::move(args));
  s.end = ts;
  return Push(std::move(s));
}

size_t SpanBuilder::Impl::TargetAnchor(int64_t pid, int64_t tid, int64_t ts, std::string name,
                                       Json args) {
  Span s = Open(SpanKind::kAnchor, pid, tid, ts, std::move(name), std::move(args));
  s.end = ts + kAnchorUs;
  return Push(std::move(s));
}

namespace {

const char* FlowName(FlowKind kind) {
  switch (kind) {
    case FlowKind::kFork: return "fork";
    case FlowKind::kCancel: return "cancel";
    case FlowKind::kSignal: return "signal";
    case FlowKind::kCrash: return "crash";
    case FlowKind::kClient: return "client";
    case FlowKind::kQuery: return "query";
  }
  return "flow";
}

}  // namespace

void SpanBuilder::Impl::Flow(FlowKind kind, Span& from, int64_t from_ts, Span& to, int64_t to_ts) {
  uint64_t id = next_flow_++;
  from.flows.push_back({id, FlowName(kind), true});
  to.flows.push_back({id, FlowName(kind), false});
  flows_.push_back(SpanFlow{kind, from.pid, from.tid, from_ts, to.pid, to.tid, to_ts});
}

void SpanBuilder::Impl::AddInstant(InstantKind kind, const Event& ev, int64_t tid,
                                   std::string name, bool global, Json args) {
  SpanInstant i;
  i.pid = ev.pid;
  i.tid = tid;
  i.ts = ev.ts;
  i.name = std::move(name);
  i.global = global;
  i.args = std::move(args);
  i.kind = kind;
  i.seq = next_seq_++;
  instants_.push_back(std::move(i));
  const SpanInstant& added = instants_.back();
  std::vector<uint32_t>& list = index_[{added.pid, added.tid}].instants;
  auto pos = std::upper_bound(list.begin(), list.end(), ev.ts,
                              [&](int64_t ts, uint32_t k) { return ts < instants_[k].ts; });
  list.insert(pos, static_cast<uint32_t>(instants_.size() - 1));
}

std::string SpanBuilder::Impl::DisplayName(const Proc& p) const {
  if (p.role == "postmaster") return "postmaster";
  if (p.role == "collector") return "event collector";
  if (p.role == "checkpointer") return "checkpointer";
  if (p.role == "minipg-sim") {
    return p.scenario_title.empty() ? "minipg-sim"
                                    : fmt::format("minipg-sim: {}", p.scenario_title);
  }
  if (p.role == "backend" || p.role == "dead-end") {
    if (p.cancel_child && p.user.empty()) return fmt::format("cancel request {}", p.pid);
    std::string name = fmt::format("{} {}", p.role, p.pid);
    if (!p.user.empty()) return fmt::format("{} ({}@{})", name, p.user, p.database);
    if (!p.client.empty()) return fmt::format("{} ({})", name, p.client);
    return name;
  }
  if (!p.role.empty()) return fmt::format("{} {}", p.role, p.pid);
  return fmt::format("process {}", p.pid);
}

void SpanBuilder::Impl::CloseQuery(Proc& p, int64_t trigger_ts) {
  if (!p.query) return;
  int64_t end = p.query_finished ? p.query_last : std::max(trigger_ts, p.query_last);
  Finish(p.query, end);
  p.query_finished = false;
}

void SpanBuilder::Impl::EndLife(Proc& p, int64_t ts, const Json& args) {
  Finish(p.auth, ts);
  CloseQuery(p, ts);
  Finish(p.checkpoint, ts);
  Finish(p.phase, ts);
  if (p.life) {
    p.life->name = DisplayName(p);
    Merge(p.life->args, args);
    Finish(p.life, ts);
  }
  p.stage_from.reset();
  p.exited = true;
}

/* --- events ------------------------------------------------------------- */

void SpanBuilder::Impl::Add(const Event& ev) {
  stats_.events++;
  if (ev.ts < 0 || ev.ts > kMaxTs) {
    stats_.bad_timestamps++;
    return;
  }
  if (!ev.type) {
    stats_.unknown_types++;
    return;
  }
  ++generation_;
  if (!any_ts_) {
    first_ts_ = last_ts_ = ev.ts;
    any_ts_ = true;
  }
  first_ts_ = std::min(first_ts_, ev.ts);
  last_ts_ = std::max(last_ts_, ev.ts);

  switch (*ev.type) {
    case EventType::kHello:
      OnHello(ev);
      break;
    case EventType::kProcess:
      OnProcess(ev);
      break;
    case EventType::kPostmasterStart: {
      Proc& pm = Emitter(ev, "postmaster");
      pm.role = "postmaster";
      if (pm.life) Merge(pm.life->args, FieldsOf(ev));
      break;
    }
    case EventType::kListen:
    case EventType::kHbaReload:
      Emitter(ev, "postmaster");
      break;
    case EventType::kAccept: {
      Emitter(ev, "postmaster");
      if (auto conn = ev.Int("conn")) accepts_[*conn] = Accept{ev.ts, FieldsOf(ev)};
      break;
    }
    case EventType::kFork:
      OnFork(ev);
      break;
    case EventType::kSslRequest:
    case EventType::kReady: {
      Proc& p = Emitter(ev, "backend");
      if (*ev.type == EventType::kReady) CloseQuery(p, ev.ts);
      break;
    }
    case EventType::kStartup: {
      Proc& p = Emitter(ev, "backend");
      p.user = ev.StrOr("user");
      p.database = ev.StrOr("database");
      if (p.life) Merge(p.life->args, FieldsOf(ev));
      break;
    }
    case EventType::kAuthRequest:
    case EventType::kAuthOk: {
      Proc& p = Emitter(ev, "backend");
      if (p.auth) Merge(p.auth->args, FieldsOf(ev));
      break;
    }
    case EventType::kAuthFailed: {
      Proc& p = Emitter(ev, "backend");
      Json args = FieldsOf(ev);
      if (p.auth) {
        Merge(p.auth->args, args);
        p.auth->failed = true;
        Finish(p.auth, ev.ts);
      }
      AddInstant(InstantKind::kAuthFailed, ev, ev.pid, fmt::format("authentication failed: {}", ev.StrOr("reason")), false,
                 std::move(args));
      break;
    }
    case EventType::kState:
      OnState(ev);
      break;
    case EventType::kQueryStart:
      OnQueryStart(ev);
      break;
    case EventType::kParse:
      OnStage(ev, SpanKind::kParse, "parse");
      break;
    case EventType::kAnalyze:
      OnStage(ev, SpanKind::kAnalyze, "analyze");
      break;
    case EventType::kPlan:
      OnStage(ev, SpanKind::kPlan, "plan");
      break;
    case EventType::kExecute:
      OnStage(ev, SpanKind::kExecute, "execute");
      break;
    case EventType::kQueryDone:
      OnQueryDone(ev);
      break;
    case EventType::kError:
      OnError(ev);
      break;
    case EventType::kCancelRequest:
      OnCancelRequest(ev);
      break;
    case EventType::kSignal:
      OnSignal(ev);
      break;
    case EventType::kDisconnect: {
      Proc& p = Emitter(ev, "backend");
      Finish(p.auth, ev.ts);
      CloseQuery(p, ev.ts);
      if (p.life) p.life->args["disconnect"] = ev.StrOr("reason");
      break;
    }
    case EventType::kChildExit:
      OnChildExit(ev);
      break;
    case EventType::kShutdownRequest: {
      Emitter(ev, "postmaster");
      AddInstant(InstantKind::kShutdown, ev, ev.pid, fmt::format("shutdown request ({})", ev.StrOr("mode")), true,
                 FieldsOf(ev));
      break;
    }
    case EventType::kPostmasterExit: {
      Proc& pm = Emitter(ev, "postmaster");
      EndLife(pm, ev.ts, FieldsOf(ev));
      break;
    }
    case EventType::kDropped: {
      Emitter(ev, "");
      AddInstant(InstantKind::kDropped, ev, ev.pid, fmt::format("dropped {} events", ev.Int("count").value_or(0)), false,
                 FieldsOf(ev));
      break;
    }
    case EventType::kRejected: {
      Emitter(ev, "dead-end");
      AddInstant(InstantKind::kRejected, ev, ev.pid,
                 fmt::format("rejected {}: {}", ev.StrOr("sqlstate"), ev.StrOr("message")), false,
                 FieldsOf(ev));
      break;
    }
    case EventType::kCrash:
      OnCrash(ev);
      break;
    case EventType::kPostmasterState:
      OnPostmasterState(ev);
      break;
    case EventType::kCheckpointStart:
      OnCheckpoint(ev, true);
      break;
    case EventType::kCheckpointDone:
      OnCheckpoint(ev, false);
      break;
    case EventType::kBind: {
      Proc& p = Emitter(ev, "backend");
      if (!p.query) p.stage_from = ev.ts;
      break;
    }
    case EventType::kCopyStart:
    case EventType::kCopyDone:
    case EventType::kPortalSuspended: {
      Proc& p = Emitter(ev, "backend");
      if (p.query) {
        p.query_last = std::max(p.query_last, ev.ts);
        if (*ev.type == EventType::kPortalSuspended) p.query_finished = true;
      }
      break;
    }
    case EventType::kPrepare:
    case EventType::kClose:
      Emitter(ev, "backend");
      break;
    case EventType::kScenarioStart:
    case EventType::kScenarioEnd:
    case EventType::kCaption:
    case EventType::kExpect:
      OnScenario(ev);
      break;
    case EventType::kClientConnect:
    case EventType::kClientConnected:
    case EventType::kClientQuery:
    case EventType::kClientResult:
    case EventType::kClientError:
    case EventType::kClientDisconnect:
      OnClient(ev);
      break;
    case EventType::kSync:
      break;
    default:
      break;  // a type added after this exporter: nothing to draw
  }
}

void SpanBuilder::Impl::OnHello(const Event& ev) {
  // The collector writes the hello; its ts may be later than the first
  // events, so it opens no span.
  Touch(ev.pid, "collector", ev.ts, false);
  if (auto v = ev.Int("version")) info_.schema_version = *v;
  info_.server = ev.StrOr("server");
  info_.server_version = ev.StrOr("server_version");
  if (auto w = ev.Int("wall_us")) info_.wall_us = *w;
  info_.hello_ts = ev.ts;
}

void SpanBuilder::Impl::OnProcess(const Event& ev) {
  int64_t pid = ev.Int("proc").value_or(ev.pid);
  Proc& p = Touch(pid, ev.StrOr("role"), ev.Int("started").value_or(ev.ts), true);
  p.user = ev.StrOr("user");
  p.database = ev.StrOr("database");
  p.client = ev.StrOr("client");
  if (p.life) {
    Merge(p.life->args, FieldsOf(ev));
    p.life->args["joined_late"] = true;
  }
}

void SpanBuilder::Impl::OnFork(const Event& ev) {
  Proc& pm = Emitter(ev, "postmaster");
  (void)pm;
  auto child_pid = ev.Int("child");
  if (!child_pid) return;
  std::string role = ev.StrOr("role", "backend");

  // The postmaster's side: from the accept it serves (if any) to the fork.
  Span fork =
      Open(SpanKind::kFork, ev.pid, ev.pid, ev.ts, fmt::format("fork {} {}", role, *child_pid), FieldsOf(ev));
  if (auto conn = ev.Int("conn")) {
    auto it = accepts_.find(*conn);
    if (it != accepts_.end()) {
      if (it->second.ts <= ev.ts) fork.ts = it->second.ts;
      fork.args["accept"] = it->second.args;
      accepts_.erase(it);
    }
  }
  // It ends where the child's life begins and must begin before it (see NOTES).
  fork.ts = std::min(fork.ts, ev.ts - kAnchorUs);
  fork.end = ev.ts;

  // The child's side: its life begins. A child whose events came first
  // (the hello of the collector) keeps its span, started no later.
  auto [it, fresh] = procs_.try_emplace(*child_pid);
  Proc& child = it->second;
  if (fresh) {
    child.pid = *child_pid;
    child.order = next_order_++;
  }
  if (child.life && child.forked) EndLife(child, ev.ts, Json::object());  // a pid forked twice
  if (child.exited) {  // the kernel reused the pid: a new process
    Proc fresh_child;
    fresh_child.pid = child.pid;
    fresh_child.order = next_order_++;
    child = std::move(fresh_child);
  }
  child.role = role;
  child.forked = true;
  if (auto client = ev.Str("client")) child.client = *client;
  if (!child.life) {
    child.life = Open(SpanKind::kLife, child.pid, child.pid, ev.ts, "");
  }
  child.life->ts = std::min(child.life->ts, ev.ts);
  Merge(child.life->args, FieldsOf(ev));
  size_t from = Push(std::move(fork));
  if (child.life->ts == ev.ts) {
    Flow(FlowKind::kFork, done_[from], ev.ts, *child.life, ev.ts);
  } else {  // the child's events came first (out of order): the arrow lands at the fork
    size_t to = TargetAnchor(child.pid, child.pid, ev.ts, "forked", FieldsOf(ev));
    Flow(FlowKind::kFork, done_[from], ev.ts, done_[to], ev.ts);
  }
}

void SpanBuilder::Impl::OnState(const Event& ev) {
  Proc& p = Emitter(ev, "backend");
  std::string state = ev.StrOr("state");
  Finish(p.auth, ev.ts);
  if (state == "authenticating") {
    p.auth = Open(SpanKind::kAuthentication, p.pid, p.pid, ev.ts, "authentication");
  } else if (state == "active") {
    if (!p.query) p.stage_from = ev.ts;
  } else {
    CloseQuery(p, ev.ts);
  }
}

void SpanBuilder::Impl::OnQueryStart(const Event& ev) {
  Proc& p = Emitter(ev, "backend");
  CloseQuery(p, ev.ts);
  std::string text = ev.StrOr("text");
  p.query = Open(SpanKind::kQuery, p.pid, p.pid, ev.ts, ShortText(text), FieldsOf(ev));
  p.query_last = ev.ts;
  p.query_finished = false;
  p.stage_from = ev.ts;
}

void SpanBuilder::Impl::OnStage(const Event& ev, SpanKind kind, const char* stage) {
  Proc& p = Emitter(ev, "backend");
  // A parse after a finished query belongs to the next one (extended protocol).
  if (p.query && p.query_finished && *ev.type == EventType::kParse) CloseQuery(p, ev.ts);
  int64_t start = p.stage_from.value_or(ev.ts);
  if (p.query) start = std::max(start, p.query->ts);
  start = std::min(start, ev.ts);
  Span s = Open(kind, p.pid, p.pid, start, stage, FieldsOf(ev));
  s.end = ev.ts;
  Push(std::move(s));
  p.stage_from = ev.ts;
  if (p.query) p.query_last = std::max(p.query_last, ev.ts);
}

void SpanBuilder::Impl::OnQueryDone(const Event& ev) {
  Proc& p = Emitter(ev, "backend");
  Json args = FieldsOf(ev);
  if (p.query) {
    Json& q = p.query->args;
    auto it = q.find("statements_done");
    int64_t statements = it != q.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
    Merge(q, args);
    q["statements_done"] = statements + 1;
    p.query_last = std::max(p.query_last, ev.ts);
    p.query_finished = true;
  } else {
    // A query whose start we never saw (joined late): its duration says when.
    int64_t dur = std::clamp<int64_t>(ev.Int("duration_us").value_or(0), 0, ev.ts);
    Span s = Open(SpanKind::kQuery, p.pid, p.pid, ev.ts - dur, ShortText(ev.StrOr("tag", "query")),
                  std::move(args));
    s.end = ev.ts;
    Push(std::move(s));
  }
  p.stage_from = ev.ts;
}

void SpanBuilder::Impl::OnError(const Event& ev) {
  Proc& p = Emitter(ev, "");
  Json args = FieldsOf(ev);
  if (p.query) {
    Merge(p.query->args, args);
    p.query->failed = true;
    p.query_last = std::max(p.query_last, ev.ts);
    p.query_finished = true;
    CloseQuery(p, ev.ts);
  }
  if (p.auth) {
    Merge(p.auth->args, args);
    p.auth->failed = true;
    Finish(p.auth, ev.ts);
  }
  AddInstant(InstantKind::kError, ev, ev.pid,
             fmt::format("{} {}: {}", ev.StrOr("severity", "ERROR"), ev.StrOr("sqlstate"),
                         ev.StrOr("message")),
             false, std::move(args));
}

void SpanBuilder::Impl::OnCancelRequest(const Event& ev) {
  Proc& p = Emitter(ev, "backend");
  p.cancel_child = true;
  int64_t target = ev.Int("target").value_or(0);
  size_t from =
      SourceAnchor(p.pid, p.pid, ev.ts, fmt::format("cancel request -> {}", target), FieldsOf(ev));
  auto it = procs_.find(target);
  if (!ev.Bool("matched").value_or(false) || it == procs_.end()) return;
  size_t to = TargetAnchor(target, target, ev.ts, fmt::format("cancel request from {}", p.pid),
                           FieldsOf(ev));
  Flow(FlowKind::kCancel, done_[from], ev.ts, done_[to], ev.ts);
}

void SpanBuilder::Impl::OnSignal(const Event& ev) {
  Emitter(ev, "");
  int64_t target = ev.Int("target").value_or(0);
  std::string sig = ev.StrOr("signal");
  std::string why = ev.StrOr("why");
  size_t from = SourceAnchor(ev.pid, ev.pid, ev.ts, fmt::format("{} -> {} ({})", sig, target, why),
                             FieldsOf(ev));
  if (procs_.find(target) == procs_.end()) return;
  size_t to = TargetAnchor(target, target, ev.ts, fmt::format("{} from {} ({})", sig, ev.pid, why),
                           FieldsOf(ev));
  Flow(FlowKind::kSignal, done_[from], ev.ts, done_[to], ev.ts);
}

void SpanBuilder::Impl::OnChildExit(const Event& ev) {
  Emitter(ev, "postmaster");
  auto child_pid = ev.Int("child");
  if (!child_pid) return;
  auto it = procs_.find(*child_pid);
  if (it == procs_.end() || it->second.exited) return;
  Json args = FieldsOf(ev);
  args.erase("child");
  Proc& child = it->second;
  // As the model counts a crash: killed by a signal, or an exit code other
  // than 0 (1 is a backend's normal end after a FATAL).
  auto code = ev.Int("exit_code");
  bool crashed = ev.Int("signal").has_value() ||
                 (code && *code != 0 && !(*code == 1 && child.role == "backend"));
  if (crashed && child.life) child.life->failed = true;
  EndLife(child, ev.ts, args);
}

void SpanBuilder::Impl::OnCrash(const Event& ev) {
  Proc& pm = Emitter(ev, "postmaster");
  int64_t crashed = ev.Int("child").value_or(0);
  std::string status = ev.StrOr("status");
  AddInstant(InstantKind::kCrash, ev, ev.pid, fmt::format("crash: {} {}", crashed, status), true, FieldsOf(ev));
  size_t from =
      SourceAnchor(pm.pid, pm.pid, ev.ts, fmt::format("crash of {}", crashed), FieldsOf(ev));
  // The postmaster sends SIGQUIT to every other server process still alive.
  for (auto& [pid, p] : procs_) {
    if (pid == crashed || pid == pm.pid || !p.life || p.exited) continue;
    if (p.role == "collector" || p.role == "postmaster" || p.role == "minipg-sim") continue;
    Json args = Json::object();
    args["crashed"] = crashed;
    size_t to = TargetAnchor(pid, pid, ev.ts, fmt::format("SIGQUIT (crash of {})", crashed),
                             std::move(args));
    Flow(FlowKind::kCrash, done_[from], ev.ts, done_[to], ev.ts);
  }
}

void SpanBuilder::Impl::OnPostmasterState(const Event& ev) {
  Proc& pm = Emitter(ev, "postmaster");
  std::string state = ev.StrOr("state");
  Finish(pm.phase, ev.ts);
  if (state != "run" && state != "exit") pm.phase = Open(SpanKind::kPhase, pm.pid, pm.pid, ev.ts, state);
}

void SpanBuilder::Impl::OnCheckpoint(const Event& ev, bool start) {
  Proc& p = Emitter(ev, "checkpointer");
  Json args = FieldsOf(ev);
  if (start) {
    Finish(p.checkpoint, ev.ts);
    p.checkpoint = Open(SpanKind::kCheckpoint, p.pid, p.pid, ev.ts, fmt::format("checkpoint ({})", ev.StrOr("reason")),
                        std::move(args));
    return;
  }
  if (!p.checkpoint) {  // its start was not seen: its duration says when
    int64_t dur = std::clamp<int64_t>(ev.Int("duration_us").value_or(0), 0, ev.ts);
    p.checkpoint =
        Open(SpanKind::kCheckpoint, p.pid, p.pid, ev.ts - dur, fmt::format("checkpoint ({})", ev.StrOr("reason")));
  }
  Merge(p.checkpoint->args, args);
  Finish(p.checkpoint, ev.ts);
}

void SpanBuilder::Impl::OnScenario(const Event& ev) {
  Proc& r = Touch(ev.pid, "minipg-sim", ev.ts, false);
  Json args = FieldsOf(ev);
  switch (*ev.type) {
    case EventType::kScenarioStart:
      r.scenario_title = ev.StrOr("title");
      Finish(r.caption, ev.ts);
      Finish(r.scenario, ev.ts);
      r.scenario = Open(SpanKind::kScenario, r.pid, r.pid, ev.ts, fmt::format("scenario: {}", r.scenario_title), args);
      break;
    case EventType::kScenarioEnd: {
      Finish(r.caption, ev.ts);
      if (r.scenario) Merge(r.scenario->args, args);
      Finish(r.scenario, ev.ts);
      bool passed = ev.Bool("passed").value_or(false);
      AddInstant(InstantKind::kScenarioEnd, ev, ev.pid,
                 passed
                     ? std::string("scenario passed")
                     : fmt::format("scenario failed ({} failures)", ev.Int("failures").value_or(0)),
                 true, std::move(args));
      break;
    }
    case EventType::kCaption: {
      std::string text = ev.StrOr("text");
      Finish(r.caption, ev.ts);
      r.caption = Open(SpanKind::kCaption, r.pid, r.pid, ev.ts, ShortText(text), args);
      AddInstant(InstantKind::kCaption, ev, ev.pid, text, true, std::move(args));
      break;
    }
    case EventType::kExpect: {
      bool ok = ev.Bool("ok").value_or(false);
      std::string text = ev.StrOr("text");
      AddInstant(ok ? InstantKind::kExpectOk : InstantKind::kExpectFailed, ev, ev.pid,
                 fmt::format("expect {}: {}", ok ? "ok" : "FAILED", text), !ok,
                 std::move(args));
      break;
    }
    default:
      break;
  }
}

ClientLane* SpanBuilder::Impl::Lane(const Event& ev) {
  auto client = ev.Str("client");
  if (!client) return nullptr;
  Touch(ev.pid, "minipg-sim", ev.ts, false);
  auto [it, fresh] = lanes_.try_emplace({ev.pid, *client});
  ClientLane& lane = it->second;
  if (fresh) {
    lane.runner = ev.pid;
    lane.name = *client;
    lane.tid = next_lane_tid_++;
    lane.order = static_cast<int64_t>(lanes_.size());
    lane_by_tid_[lane.tid] = &lane;
  }
  return &lane;
}

void SpanBuilder::Impl::OnClient(const Event& ev) {
  ClientLane* lane = Lane(ev);
  if (lane == nullptr) return;
  Json args = FieldsOf(ev);
  args.erase("client");
  auto end_query = [&](int64_t ts) {
    if (lane->pending_query >= 0) client_queries_[lane->pending_query].until = ts;
    lane->pending_query = -1;
    Finish(lane->query, ts);
  };
  switch (*ev.type) {
    case EventType::kClientConnect:
      end_query(ev.ts);
      Finish(lane->connecting, ev.ts);
      Finish(lane->connection, ev.ts);
      lane->backend_pid = 0;
      lane->user = ev.StrOr("user");
      lane->database = ev.StrOr("database");
      lane->connection =
          Open(SpanKind::kClientConnection, lane->runner, lane->tid, ev.ts,
               fmt::format("connection {}@{}", ev.StrOr("user"), ev.StrOr("database")), args);
      lane->connecting = Open(SpanKind::kClientConnect, lane->runner, lane->tid, ev.ts, "connect");
      break;
    case EventType::kClientConnected: {
      Finish(lane->connecting, ev.ts);
      lane->backend_pid = ev.Int("backend_pid").value_or(0);
      if (lane->backend_pid > 0) lane->last_backend_pid = lane->backend_pid;
      if (lane->connection) lane->connection->args["backend_pid"] = lane->backend_pid;
      if (lane->backend_pid <= 0) break;
      size_t from = SourceAnchor(lane->runner, lane->tid, ev.ts,
                                 fmt::format("connected to backend {}", lane->backend_pid), args);
      Json to_args = Json::object();
      to_args["client"] = lane->name;
      size_t to = TargetAnchor(lane->backend_pid, lane->backend_pid, ev.ts,
                               fmt::format("client {} connected", lane->name), std::move(to_args));
      Flow(FlowKind::kClient, done_[from], ev.ts, done_[to], ev.ts);
      break;
    }
    case EventType::kClientQuery: {
      end_query(ev.ts);
      std::string text = ev.StrOr("text");
      lane->query = Open(SpanKind::kClientQuery, lane->runner, lane->tid, ev.ts, ShortText(text), args);
      if (lane->backend_pid <= 0) break;
      size_t anchor = SourceAnchor(lane->runner, lane->tid, ev.ts,
                                   fmt::format("send to backend {}", lane->backend_pid));
      client_queries_.push_back(
          ClientQuery{anchor, lane->runner, lane->tid, lane->backend_pid, ev.ts});
      lane->pending_query = static_cast<int64_t>(client_queries_.size()) - 1;
      break;
    }
    case EventType::kClientResult:
      if (lane->query) Merge(lane->query->args, args);
      end_query(ev.ts);
      break;
    case EventType::kClientError:
      if (lane->query) {
        Merge(lane->query->args, args);
        lane->query->failed = true;
      }
      end_query(ev.ts);
      if (lane->connecting) {
        Merge(lane->connecting->args, args);
        lane->connecting->failed = true;
        Finish(lane->connecting, ev.ts);
      }
      AddInstant(InstantKind::kError, ev, lane->tid,
                 fmt::format("{} {}: {}", ev.StrOr("severity", "ERROR"), ev.StrOr("sqlstate"),
                             ev.StrOr("message")),
                 false, std::move(args));
      break;
    case EventType::kClientDisconnect:
      end_query(ev.ts);
      Finish(lane->connecting, ev.ts);
      if (lane->connection) Merge(lane->connection->args, args);
      Finish(lane->connection, ev.ts);
      lane->backend_pid = 0;
      break;
    default:
      break;
  }
}

/* --- what the panels and the export read -------------------------------- */

std::vector<SpanLane> SpanBuilder::Impl::Lanes() const {
  std::vector<const Proc*> by_order;
  by_order.reserve(procs_.size());
  for (const auto& [pid, p] : procs_) by_order.push_back(&p);
  std::sort(by_order.begin(), by_order.end(),
            [](const Proc* a, const Proc* b) { return a->order < b->order; });
  std::vector<SpanLane> lanes;
  lanes.reserve(by_order.size() + lanes_.size());
  int64_t n_postmaster = 0, n_aux = 0, n_backend = 0, n_sim = 0, n_other = 0;
  for (const Proc* p : by_order) {
    SpanLane l;
    l.pid = l.tid = p->pid;
    l.role = p->role;
    l.name = DisplayName(*p);
    l.user = p->user;
    l.database = p->database;
    l.order = p->order;
    l.exited = p->exited;
    if (p->role == "postmaster") {
      l.group = LaneGroup::kPostmaster;
      l.sort_index = n_postmaster++;
    } else if (IsAuxiliary(p->role)) {
      l.group = LaneGroup::kAuxiliary;
      l.sort_index = 100 + n_aux++;
    } else if (p->role == "minipg-sim") {
      l.group = LaneGroup::kRunner;
      l.sort_index = 1000000 + n_sim++;
    } else if (!p->role.empty()) {
      l.group = LaneGroup::kBackend;
      l.sort_index = 10000 + n_backend++;
    } else {
      l.group = LaneGroup::kOther;
      l.sort_index = 2000000 + n_other++;
    }
    lanes.push_back(std::move(l));
  }
  for (const auto& [key, lane] : lanes_) {
    SpanLane l;
    l.pid = lane.runner;
    l.tid = lane.tid;
    l.group = LaneGroup::kClient;
    l.role = "client";
    l.name = fmt::format("client {}", lane.name);
    l.user = lane.user;
    l.database = lane.database;
    l.order = lane.order;
    l.sort_index = lane.order;
    l.backend_pid = lane.last_backend_pid;
    l.exited = !lane.connection.has_value();
    lanes.push_back(std::move(l));
  }
  return lanes;
}

void SpanBuilder::Impl::OpenSpans(int64_t pid, int64_t tid, std::vector<const Span*>* out) const {
  auto add = [&](const std::optional<Span>& s) {
    if (s) out->push_back(&*s);
  };
  if (pid == tid) {
    auto it = procs_.find(pid);
    if (it == procs_.end()) return;
    const Proc& p = it->second;
    for (const auto* s : {&p.life, &p.scenario, &p.auth, &p.query, &p.checkpoint, &p.phase,
                          &p.caption}) {
      add(*s);
    }
    return;
  }
  auto it = lane_by_tid_.find(tid);
  if (it == lane_by_tid_.end() || it->second->runner != pid) return;
  add(it->second->connection);
  add(it->second->connecting);
  add(it->second->query);
}

const std::vector<SpanFlow>& SpanBuilder::Impl::QueryFlows() const {
  if (query_flows_generation_ == generation_) return query_flows_;
  query_flows_generation_ = generation_;
  query_flows_.clear();
  // Each backend's queries in ts order: the finished ones from its lane's
  // index (already in ts order), then the open one.
  std::map<int64_t, std::vector<std::pair<int64_t, size_t>>> backend;
  for (const ClientQuery& cq : client_queries_) {
    if (backend.count(cq.backend) != 0) continue;
    std::vector<std::pair<int64_t, size_t>>& list = backend[cq.backend];
    if (const LaneIndex* lane = IndexOf(cq.backend, cq.backend)) {
      for (uint32_t i : lane->rows[SpanDepth(SpanKind::kQuery)]) {
        if (done_[i].kind == SpanKind::kQuery) list.emplace_back(done_[i].ts, i);
      }
    }
    auto p = procs_.find(cq.backend);
    if (p != procs_.end() && p->second.query) {
      int64_t ts = p->second.query->ts;
      auto pos = std::upper_bound(list.begin(), list.end(), ts,
                                  [](int64_t t, const auto& q) { return t < q.first; });
      list.insert(pos, {ts, 0});
    }
  }
  std::vector<ClientQuery> cqs = client_queries_;
  std::stable_sort(cqs.begin(), cqs.end(),
                   [](const ClientQuery& a, const ClientQuery& b) { return a.ts < b.ts; });
  MatchClientQueries(cqs, backend, [&](const ClientQuery& cq, const std::pair<int64_t, size_t>& q) {
    query_flows_.push_back(
        SpanFlow{FlowKind::kQuery, cq.runner, cq.tid, cq.ts, cq.backend, cq.backend, q.first});
  });
  return query_flows_;
}

SpanSnapshot SpanBuilder::Impl::Snapshot() const {
  SpanSnapshot snap;
  std::vector<Span>& spans = snap.spans;
  spans = done_;
  int64_t last = last_ts_;
  auto close = [&](const std::optional<Span>& open, const std::string* name) {
    if (!open) return;
    Span s = *open;
    s.end = std::max(s.ts, last);
    if (name != nullptr) s.name = *name;
    s.args["open_at_end_of_trace"] = true;
    spans.push_back(std::move(s));
  };
  for (const auto& [pid, p] : procs_) {
    std::string name = DisplayName(p);
    close(p.life, &name);
    close(p.auth, nullptr);
    close(p.query, nullptr);
    close(p.checkpoint, nullptr);
    close(p.phase, nullptr);
    close(p.scenario, nullptr);
    close(p.caption, nullptr);
  }
  for (const auto& [key, lane] : lanes_) {
    close(lane.connection, nullptr);
    close(lane.connecting, nullptr);
    close(lane.query, nullptr);
  }

  uint64_t next_flow = next_flow_;
  std::map<int64_t, std::vector<size_t>> by_backend;  // pid -> query spans, by ts
  for (size_t i = 0; i < spans.size(); ++i) {
    if (spans[i].kind == SpanKind::kQuery) by_backend[spans[i].pid].push_back(i);
  }
  std::map<int64_t, std::vector<std::pair<int64_t, size_t>>> backend;
  for (auto& [pid, list] : by_backend) {
    std::sort(list.begin(), list.end(),
              [&](size_t a, size_t b) { return spans[a].ts < spans[b].ts; });
    std::vector<std::pair<int64_t, size_t>>& refs = backend[pid];
    for (size_t i : list) refs.emplace_back(spans[i].ts, i);
  }
  std::vector<ClientQuery> cqs = client_queries_;
  std::sort(cqs.begin(), cqs.end(),
            [](const ClientQuery& a, const ClientQuery& b) { return a.ts < b.ts; });
  MatchClientQueries(cqs, backend, [&](const ClientQuery& cq, const std::pair<int64_t, size_t>& q) {
    uint64_t id = next_flow++;
    spans[cq.anchor].flows.push_back({id, "query", true});
    spans[q.second].flows.push_back({id, "query", false});
  });
  snap.instants = instants_;
  return snap;
}

/* --- public interface --------------------------------------------------- */

SpanBuilder::SpanBuilder() : impl_(std::make_unique<Impl>()) {}
SpanBuilder::~SpanBuilder() = default;

void SpanBuilder::Add(const Event& ev) {
  impl_->Add(ev);
}

std::vector<SpanLane> SpanBuilder::Lanes() const {
  return impl_->Lanes();
}

void SpanBuilder::FinishedSpans(int64_t pid, int64_t tid, int depth, int64_t t0, int64_t t1,
                                std::vector<const Span*>* out) const {
  const LaneIndex* lane = impl_->IndexOf(pid, tid);
  if (lane == nullptr || depth < 0 || depth >= kSpanDepths) return;
  const std::vector<uint32_t>& row = lane->rows[depth];
  const std::vector<Span>& done = impl_->done_;
  // No span of the row is longer than `longest`: those starting earlier
  // than t0 - longest end before t0.
  int64_t from = t0 - lane->longest[depth];
  auto it = std::lower_bound(row.begin(), row.end(), from,
                             [&](uint32_t i, int64_t ts) { return done[i].ts < ts; });
  for (; it != row.end(); ++it) {
    const Span& s = done[*it];
    if (s.ts > t1) break;
    if (s.end >= t0) out->push_back(&s);
  }
}

void SpanBuilder::OpenSpans(int64_t pid, int64_t tid, std::vector<const Span*>* out) const {
  impl_->OpenSpans(pid, tid, out);
}

void SpanBuilder::Instants(int64_t pid, int64_t tid, int64_t t0, int64_t t1,
                           std::vector<const SpanInstant*>* out) const {
  const LaneIndex* lane = impl_->IndexOf(pid, tid);
  if (lane == nullptr) return;
  const std::vector<SpanInstant>& all = impl_->instants_;
  auto it = std::lower_bound(lane->instants.begin(), lane->instants.end(), t0,
                             [&](uint32_t i, int64_t ts) { return all[i].ts < ts; });
  for (; it != lane->instants.end() && all[*it].ts <= t1; ++it) out->push_back(&all[*it]);
}

const std::vector<SpanInstant>& SpanBuilder::instants() const {
  return impl_->instants_;
}

const std::vector<SpanFlow>& SpanBuilder::flows() const {
  return impl_->flows_;
}

const std::vector<SpanFlow>& SpanBuilder::QueryFlows() const {
  return impl_->QueryFlows();
}

SpanSnapshot SpanBuilder::Snapshot() const {
  return impl_->Snapshot();
}

const SpanStats& SpanBuilder::stats() const {
  return impl_->stats_;
}

const TraceInfo& SpanBuilder::info() const {
  return impl_->info_;
}

bool SpanBuilder::empty() const {
  return !impl_->any_ts_;
}

int64_t SpanBuilder::first_ts() const {
  return impl_->first_ts_;
}

int64_t SpanBuilder::last_ts() const {
  return impl_->last_ts_;
}

uint64_t SpanBuilder::generation() const {
  return impl_->generation_;
}

}  // namespace minipg::viz
