/*-------------------------------------------------------------------------
 * chrome_trace.cpp
 *   Turning minipg events into Chrome trace events (see chrome_trace.h).
 *
 *   Each event updates the open spans of its process (or of its simulated
 *   client's lane); a span that ends becomes a finished Slice. Build()
 *   closes what is still open at the last timestamp, matches client
 *   queries to backend queries, repairs nesting and writes the document.
 *
 *   The spans of one thread, as they nest:
 *
 *     backend:     life [fork .. child_exit]
 *                    authentication [state authenticating .. next state]
 *                    query [query_start .. last query_done / error]
 *                      parse | analyze | plan | execute  (each from the
 *                      previous step of the query to its own event)
 *     postmaster:  life [postmaster_start .. postmaster_exit]
 *                    phase [postmaster_state X .. next postmaster_state]
 *                    fork [accept .. fork]
 *     checkpointer: life; checkpoint [checkpoint_start .. checkpoint_done]
 *     minipg-sim:  scenario [scenario_start .. scenario_end]; caption [caption .. next]
 *     client lane: connection [client_connect .. client_disconnect]
 *                    connect [client_connect .. client_connected]
 *                    query [client_query .. client_result / client_error]
 *
 * NOTES
 *   Flow events bind to slices by position, so each arrow has a short
 *   "anchor" slice (1 us) at each end where no real span begins at that
 *   moment: the 's' event follows its slice with the same ts, pid and tid,
 *   the 'f' event precedes its slice likewise. Perfetto draws the arrow
 *   from the end of the source slice to the start of the target slice, and
 *   drops an 'f' read before its 's'; so a source anchor ENDS at the
 *   event's ts (it begins 1 us earlier) and a target begins at it: the
 *   source always comes first in ts order and the arrow is vertical.
 *   Slices on one thread must nest; the stream guarantees it for a real
 *   server, and Build() clips any slice that would overlap its parent's end
 *   (a truncated or odd trace) instead of producing a file viewers reject.
 *-------------------------------------------------------------------------
 */
#include "viz/model/chrome_trace.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <utility>

namespace minipg::viz {

using Json = nlohmann::ordered_json;

namespace {

constexpr const char* kCategory = "minipg";
/* Client lanes get thread ids above any Linux pid (pid_max <= 2^22). */
constexpr int64_t kClientTidBase = int64_t{1} << 30;
constexpr size_t kMaxNameBytes = 60;
constexpr int64_t kAnchorUs = 1;
/* Timestamps outside [0, kMaxTs] cannot come from CLOCK_MONOTONIC; such an
 * event is skipped as malformed, which also keeps all ts arithmetic in range. */
constexpr int64_t kMaxTs = int64_t{1} << 60;

enum class SliceKind { kOther, kLife, kQuery };

struct FlowEnd {
  uint64_t id = 0;
  std::string name;    // "fork", "cancel", "signal", "crash", "client", "query"
  bool start = false;  // 's' (from this slice) or 'f' (to it)
};

struct Slice {
  int64_t pid = 0;
  int64_t tid = 0;
  int64_t ts = 0;
  int64_t end = 0;
  std::string name;
  Json args = Json::object();
  std::vector<FlowEnd> flows;
  SliceKind kind = SliceKind::kOther;
  uint64_t seq = 0;
};

struct Instant {
  int64_t pid = 0;
  int64_t tid = 0;
  int64_t ts = 0;
  std::string name;
  bool global = false;
  Json args = Json::object();
  uint64_t seq = 0;
};

struct Proc {
  int64_t pid = 0;
  std::string
      role;  // "postmaster", "backend", "dead-end", "collector", "checkpointer", "minipg-sim", ...
  int64_t order = 0;  // first appearance
  std::string user, database, client, scenario_title;
  bool cancel_child = false;  // sent a cancel_request (a short-lived child)
  bool forked = false;        // its life began with a fork (not just its first event)
  bool exited = false;
  std::optional<Slice> life, auth, query, checkpoint, phase, scenario, caption;
  bool query_finished = false;        // the open query has had its query_done / error
  int64_t query_last = 0;             // latest event inside the open query
  std::optional<int64_t> stage_from;  // where the next stage slice begins
};

struct ClientLane {
  int64_t runner = 0;
  std::string name;
  int64_t tid = 0;
  int64_t order = 0;
  int64_t backend_pid = 0;
  std::optional<Slice> connection, connecting, query;
  int64_t pending_query = -1;  // index in client_queries_ of the open query
};

/* A client query waiting to be matched to the backend query it caused. */
struct ClientQuery {
  size_t anchor = 0;  // index of the anchor slice in done_
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

}  // namespace

class ChromeTraceExporter::Impl {
 public:
  void Add(const Event& ev);
  Json Build() const;

  ChromeTraceStats stats_;

 private:
  Proc& Touch(int64_t pid, std::string_view role_hint, int64_t ts, bool open_life);
  Proc& Emitter(const Event& ev, std::string_view role_hint) {
    return Touch(ev.pid, role_hint, ev.ts, true);
  }
  ClientLane* Lane(const Event& ev);
  Slice Open(int64_t pid, int64_t tid, int64_t ts, std::string name, Json args = Json::object());
  void Finish(std::optional<Slice>& slot, int64_t end);
  size_t Push(Slice s);
  /* A 1 us slice for an arrow's end: a source ends at ts, a target begins at it. */
  size_t SourceAnchor(int64_t pid, int64_t tid, int64_t ts, std::string name,
                      Json args = Json::object());
  size_t TargetAnchor(int64_t pid, int64_t tid, int64_t ts, std::string name,
                      Json args = Json::object());
  void Flow(const char* name, Slice& from, Slice& to);
  void AddInstant(const Event& ev, int64_t tid, std::string name, bool global, Json args);
  std::string DisplayName(const Proc& p) const;
  void CloseQuery(Proc& p, int64_t trigger_ts);
  void EndLife(Proc& p, int64_t ts, const Json& args);

  void OnHello(const Event& ev);
  void OnProcess(const Event& ev);
  void OnFork(const Event& ev);
  void OnState(const Event& ev);
  void OnQueryStart(const Event& ev);
  void OnStage(const Event& ev, const char* stage);
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
  std::map<int64_t, Accept> accepts_;  // by connection number, until its fork
  std::vector<Slice> done_;
  std::vector<Instant> instants_;
  std::vector<ClientQuery> client_queries_;
  uint64_t next_seq_ = 1;
  uint64_t next_flow_ = 1;
  int64_t next_order_ = 0;
  int64_t next_lane_tid_ = kClientTidBase;
  bool any_ts_ = false;
  int64_t first_ts_ = 0;
  int64_t last_ts_ = 0;
  // from hello
  std::optional<int64_t> schema_version_;
  std::string server_, server_version_;
  std::optional<int64_t> wall_us_;
  std::optional<int64_t> hello_ts_;
};

/* --- building blocks ---------------------------------------------------- */

Proc& ChromeTraceExporter::Impl::Touch(int64_t pid, std::string_view role_hint, int64_t ts,
                                       bool open_life) {
  auto [it, fresh] = procs_.try_emplace(pid);
  Proc& p = it->second;
  if (fresh) {
    p.pid = pid;
    p.order = next_order_++;
  }
  if (p.role.empty() && !role_hint.empty()) p.role = std::string(role_hint);
  if (open_life && !p.life && !p.exited && p.role != "minipg-sim") {
    p.life = Open(pid, pid, ts, "");
    p.life->kind = SliceKind::kLife;
  }
  return p;
}

Slice ChromeTraceExporter::Impl::Open(int64_t pid, int64_t tid, int64_t ts, std::string name,
                                      Json args) {
  Slice s;
  s.pid = pid;
  s.tid = tid;
  s.ts = ts;
  s.end = ts;
  s.name = std::move(name);
  s.args = std::move(args);
  s.seq = next_seq_++;
  return s;
}

size_t ChromeTraceExporter::Impl::Push(Slice s) {
  if (s.end < s.ts) s.end = s.ts;
  done_.push_back(std::move(s));
  return done_.size() - 1;
}

void ChromeTraceExporter::Impl::Finish(std::optional<Slice>& slot, int64_t end) {
  if (!slot) return;
  slot->end = end;
  Push(std::move(*slot));
  slot.reset();
}

size_t ChromeTraceExporter::Impl::SourceAnchor(int64_t pid, int64_t tid, int64_t ts,
                                               std::string name, Json args) {
  Slice s = Open(pid, tid, ts - kAnchorUs, std::move(name), std::move(args));
  s.end = ts;
  return Push(std::move(s));
}

size_t ChromeTraceExporter::Impl::TargetAnchor(int64_t pid, int64_t tid, int64_t ts,
                                               std::string name, Json args) {
  Slice s = Open(pid, tid, ts, std::move(name), std::move(args));
  s.end = ts + kAnchorUs;
  return Push(std::move(s));
}

void ChromeTraceExporter::Impl::Flow(const char* name, Slice& from, Slice& to) {
  uint64_t id = next_flow_++;
  from.flows.push_back({id, name, true});
  to.flows.push_back({id, name, false});
}

void ChromeTraceExporter::Impl::AddInstant(const Event& ev, int64_t tid, std::string name,
                                           bool global, Json args) {
  Instant i;
  i.pid = ev.pid;
  i.tid = tid;
  i.ts = ev.ts;
  i.name = std::move(name);
  i.global = global;
  i.args = std::move(args);
  i.seq = next_seq_++;
  instants_.push_back(std::move(i));
}

std::string ChromeTraceExporter::Impl::DisplayName(const Proc& p) const {
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

void ChromeTraceExporter::Impl::CloseQuery(Proc& p, int64_t trigger_ts) {
  if (!p.query) return;
  int64_t end = p.query_finished ? p.query_last : std::max(trigger_ts, p.query_last);
  Finish(p.query, end);
  p.query_finished = false;
}

void ChromeTraceExporter::Impl::EndLife(Proc& p, int64_t ts, const Json& args) {
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

void ChromeTraceExporter::Impl::Add(const Event& ev) {
  stats_.events++;
  if (ev.ts < 0 || ev.ts > kMaxTs) {
    stats_.malformed_lines++;
    return;
  }
  if (!ev.type) {
    stats_.unknown_types++;
    return;
  }
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
        Finish(p.auth, ev.ts);
      }
      AddInstant(ev, ev.pid, fmt::format("authentication failed: {}", ev.StrOr("reason")), false,
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
      OnStage(ev, "parse");
      break;
    case EventType::kAnalyze:
      OnStage(ev, "analyze");
      break;
    case EventType::kPlan:
      OnStage(ev, "plan");
      break;
    case EventType::kExecute:
      OnStage(ev, "execute");
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
      AddInstant(ev, ev.pid, fmt::format("shutdown request ({})", ev.StrOr("mode")), true,
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
      AddInstant(ev, ev.pid, fmt::format("dropped {} events", ev.Int("count").value_or(0)), false,
                 FieldsOf(ev));
      break;
    }
    case EventType::kRejected: {
      Emitter(ev, "dead-end");
      AddInstant(ev, ev.pid,
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

void ChromeTraceExporter::Impl::OnHello(const Event& ev) {
  // The collector writes the hello; its ts may be later than the first
  // events, so it opens no span.
  Touch(ev.pid, "collector", ev.ts, false);
  if (auto v = ev.Int("version")) schema_version_ = *v;
  server_ = ev.StrOr("server");
  server_version_ = ev.StrOr("server_version");
  if (auto w = ev.Int("wall_us")) wall_us_ = *w;
  hello_ts_ = ev.ts;
}

void ChromeTraceExporter::Impl::OnProcess(const Event& ev) {
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

void ChromeTraceExporter::Impl::OnFork(const Event& ev) {
  Proc& pm = Emitter(ev, "postmaster");
  (void)pm;
  auto child_pid = ev.Int("child");
  if (!child_pid) return;
  std::string role = ev.StrOr("role", "backend");

  // The postmaster's side: from the accept it serves (if any) to the fork.
  Slice fork =
      Open(ev.pid, ev.pid, ev.ts, fmt::format("fork {} {}", role, *child_pid), FieldsOf(ev));
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
    child.life = Open(child.pid, child.pid, ev.ts, "");
    child.life->kind = SliceKind::kLife;
  }
  child.life->ts = std::min(child.life->ts, ev.ts);
  Merge(child.life->args, FieldsOf(ev));
  size_t from = Push(std::move(fork));
  if (child.life->ts == ev.ts) {
    Flow("fork", done_[from], *child.life);
  } else {  // the child's events came first (out of order): the arrow lands at the fork
    size_t to = TargetAnchor(child.pid, child.pid, ev.ts, "forked", FieldsOf(ev));
    Flow("fork", done_[from], done_[to]);
  }
}

void ChromeTraceExporter::Impl::OnState(const Event& ev) {
  Proc& p = Emitter(ev, "backend");
  std::string state = ev.StrOr("state");
  Finish(p.auth, ev.ts);
  if (state == "authenticating") {
    p.auth = Open(p.pid, p.pid, ev.ts, "authentication");
  } else if (state == "active") {
    if (!p.query) p.stage_from = ev.ts;
  } else {
    CloseQuery(p, ev.ts);
  }
}

void ChromeTraceExporter::Impl::OnQueryStart(const Event& ev) {
  Proc& p = Emitter(ev, "backend");
  CloseQuery(p, ev.ts);
  std::string text = ev.StrOr("text");
  p.query = Open(p.pid, p.pid, ev.ts, ShortText(text), FieldsOf(ev));
  p.query->kind = SliceKind::kQuery;
  p.query_last = ev.ts;
  p.query_finished = false;
  p.stage_from = ev.ts;
}

void ChromeTraceExporter::Impl::OnStage(const Event& ev, const char* stage) {
  Proc& p = Emitter(ev, "backend");
  // A parse after a finished query belongs to the next one (extended protocol).
  if (p.query && p.query_finished && *ev.type == EventType::kParse) CloseQuery(p, ev.ts);
  int64_t start = p.stage_from.value_or(ev.ts);
  if (p.query) start = std::max(start, p.query->ts);
  start = std::min(start, ev.ts);
  Slice s = Open(p.pid, p.pid, start, stage, FieldsOf(ev));
  s.end = ev.ts;
  Push(std::move(s));
  p.stage_from = ev.ts;
  if (p.query) p.query_last = std::max(p.query_last, ev.ts);
}

void ChromeTraceExporter::Impl::OnQueryDone(const Event& ev) {
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
    Slice s = Open(p.pid, p.pid, ev.ts - dur, ShortText(ev.StrOr("tag", "query")), std::move(args));
    s.end = ev.ts;
    s.kind = SliceKind::kQuery;
    Push(std::move(s));
  }
  p.stage_from = ev.ts;
}

void ChromeTraceExporter::Impl::OnError(const Event& ev) {
  Proc& p = Emitter(ev, "");
  Json args = FieldsOf(ev);
  if (p.query) {
    Merge(p.query->args, args);
    p.query_last = std::max(p.query_last, ev.ts);
    p.query_finished = true;
    CloseQuery(p, ev.ts);
  }
  if (p.auth) {
    Merge(p.auth->args, args);
    Finish(p.auth, ev.ts);
  }
  AddInstant(ev, ev.pid,
             fmt::format("{} {}: {}", ev.StrOr("severity", "ERROR"), ev.StrOr("sqlstate"),
                         ev.StrOr("message")),
             false, std::move(args));
}

void ChromeTraceExporter::Impl::OnCancelRequest(const Event& ev) {
  Proc& p = Emitter(ev, "backend");
  p.cancel_child = true;
  int64_t target = ev.Int("target").value_or(0);
  size_t from =
      SourceAnchor(p.pid, p.pid, ev.ts, fmt::format("cancel request -> {}", target), FieldsOf(ev));
  auto it = procs_.find(target);
  if (!ev.Bool("matched").value_or(false) || it == procs_.end()) return;
  size_t to = TargetAnchor(target, target, ev.ts, fmt::format("cancel request from {}", p.pid),
                           FieldsOf(ev));
  Flow("cancel", done_[from], done_[to]);
}

void ChromeTraceExporter::Impl::OnSignal(const Event& ev) {
  Emitter(ev, "");
  int64_t target = ev.Int("target").value_or(0);
  std::string sig = ev.StrOr("signal");
  std::string why = ev.StrOr("why");
  size_t from = SourceAnchor(ev.pid, ev.pid, ev.ts, fmt::format("{} -> {} ({})", sig, target, why),
                             FieldsOf(ev));
  if (procs_.find(target) == procs_.end()) return;
  size_t to = TargetAnchor(target, target, ev.ts, fmt::format("{} from {} ({})", sig, ev.pid, why),
                           FieldsOf(ev));
  Flow("signal", done_[from], done_[to]);
}

void ChromeTraceExporter::Impl::OnChildExit(const Event& ev) {
  Emitter(ev, "postmaster");
  auto child_pid = ev.Int("child");
  if (!child_pid) return;
  auto it = procs_.find(*child_pid);
  if (it == procs_.end() || it->second.exited) return;
  Json args = FieldsOf(ev);
  args.erase("child");
  EndLife(it->second, ev.ts, args);
}

void ChromeTraceExporter::Impl::OnCrash(const Event& ev) {
  Proc& pm = Emitter(ev, "postmaster");
  int64_t crashed = ev.Int("child").value_or(0);
  std::string status = ev.StrOr("status");
  AddInstant(ev, ev.pid, fmt::format("crash: {} {}", crashed, status), true, FieldsOf(ev));
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
    Flow("crash", done_[from], done_[to]);
  }
}

void ChromeTraceExporter::Impl::OnPostmasterState(const Event& ev) {
  Proc& pm = Emitter(ev, "postmaster");
  std::string state = ev.StrOr("state");
  Finish(pm.phase, ev.ts);
  if (state != "run" && state != "exit") pm.phase = Open(pm.pid, pm.pid, ev.ts, state);
}

void ChromeTraceExporter::Impl::OnCheckpoint(const Event& ev, bool start) {
  Proc& p = Emitter(ev, "checkpointer");
  Json args = FieldsOf(ev);
  if (start) {
    Finish(p.checkpoint, ev.ts);
    p.checkpoint = Open(p.pid, p.pid, ev.ts, fmt::format("checkpoint ({})", ev.StrOr("reason")),
                        std::move(args));
    return;
  }
  if (!p.checkpoint) {  // its start was not seen: its duration says when
    int64_t dur = std::clamp<int64_t>(ev.Int("duration_us").value_or(0), 0, ev.ts);
    p.checkpoint =
        Open(p.pid, p.pid, ev.ts - dur, fmt::format("checkpoint ({})", ev.StrOr("reason")));
  }
  Merge(p.checkpoint->args, args);
  Finish(p.checkpoint, ev.ts);
}

void ChromeTraceExporter::Impl::OnScenario(const Event& ev) {
  Proc& r = Touch(ev.pid, "minipg-sim", ev.ts, false);
  Json args = FieldsOf(ev);
  switch (*ev.type) {
    case EventType::kScenarioStart:
      r.scenario_title = ev.StrOr("title");
      Finish(r.caption, ev.ts);
      Finish(r.scenario, ev.ts);
      r.scenario = Open(r.pid, r.pid, ev.ts, fmt::format("scenario: {}", r.scenario_title), args);
      break;
    case EventType::kScenarioEnd: {
      Finish(r.caption, ev.ts);
      if (r.scenario) Merge(r.scenario->args, args);
      Finish(r.scenario, ev.ts);
      bool passed = ev.Bool("passed").value_or(false);
      AddInstant(ev, ev.pid,
                 passed
                     ? std::string("scenario passed")
                     : fmt::format("scenario failed ({} failures)", ev.Int("failures").value_or(0)),
                 true, std::move(args));
      break;
    }
    case EventType::kCaption: {
      std::string text = ev.StrOr("text");
      Finish(r.caption, ev.ts);
      r.caption = Open(r.pid, r.pid, ev.ts, ShortText(text), args);
      AddInstant(ev, ev.pid, text, true, std::move(args));
      break;
    }
    case EventType::kExpect: {
      bool ok = ev.Bool("ok").value_or(false);
      std::string text = ev.StrOr("text");
      AddInstant(ev, ev.pid, fmt::format("expect {}: {}", ok ? "ok" : "FAILED", text), !ok,
                 std::move(args));
      break;
    }
    default:
      break;
  }
}

ClientLane* ChromeTraceExporter::Impl::Lane(const Event& ev) {
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
  }
  return &lane;
}

void ChromeTraceExporter::Impl::OnClient(const Event& ev) {
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
      lane->connection =
          Open(lane->runner, lane->tid, ev.ts,
               fmt::format("connection {}@{}", ev.StrOr("user"), ev.StrOr("database")), args);
      lane->connecting = Open(lane->runner, lane->tid, ev.ts, "connect");
      break;
    case EventType::kClientConnected: {
      Finish(lane->connecting, ev.ts);
      lane->backend_pid = ev.Int("backend_pid").value_or(0);
      if (lane->connection) lane->connection->args["backend_pid"] = lane->backend_pid;
      if (lane->backend_pid <= 0) break;
      size_t from = SourceAnchor(lane->runner, lane->tid, ev.ts,
                                 fmt::format("connected to backend {}", lane->backend_pid), args);
      Json to_args = Json::object();
      to_args["client"] = lane->name;
      size_t to = TargetAnchor(lane->backend_pid, lane->backend_pid, ev.ts,
                               fmt::format("client {} connected", lane->name), std::move(to_args));
      Flow("client", done_[from], done_[to]);
      break;
    }
    case EventType::kClientQuery: {
      end_query(ev.ts);
      std::string text = ev.StrOr("text");
      lane->query = Open(lane->runner, lane->tid, ev.ts, ShortText(text), args);
      if (lane->backend_pid <= 0) break;
      size_t anchor = SourceAnchor(lane->runner, lane->tid, ev.ts,
                                   fmt::format("send to backend {}", lane->backend_pid));
      client_queries_.push_back(ClientQuery{anchor, lane->backend_pid, ev.ts});
      lane->pending_query = static_cast<int64_t>(client_queries_.size()) - 1;
      break;
    }
    case EventType::kClientResult:
      if (lane->query) Merge(lane->query->args, args);
      end_query(ev.ts);
      break;
    case EventType::kClientError:
      if (lane->query) Merge(lane->query->args, args);
      end_query(ev.ts);
      if (lane->connecting) {
        Merge(lane->connecting->args, args);
        Finish(lane->connecting, ev.ts);
      }
      AddInstant(ev, lane->tid,
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

/* --- the document ------------------------------------------------------- */

namespace {

Json SliceEvent(const Slice& s) {
  Json e = Json::object();
  e["name"] = s.name;
  e["cat"] = kCategory;
  e["ph"] = "X";
  e["ts"] = s.ts;
  e["dur"] = s.end - s.ts;
  e["pid"] = s.pid;
  e["tid"] = s.tid;
  if (!s.args.empty()) e["args"] = s.args;
  return e;
}

Json FlowEvent(const Slice& s, const FlowEnd& f) {
  Json e = Json::object();
  e["name"] = f.name;
  e["cat"] = kCategory;
  e["ph"] = f.start ? "s" : "f";
  e["id"] = f.id;
  e["ts"] = s.ts;
  e["pid"] = s.pid;
  e["tid"] = s.tid;
  return e;
}

Json Metadata(const char* name, int64_t pid, int64_t tid, Json value) {
  Json e = Json::object();
  e["name"] = name;
  e["ph"] = "M";
  e["pid"] = pid;
  e["tid"] = tid;
  Json args = Json::object();
  args[std::string(name).ends_with("sort_index") ? "sort_index" : "name"] = std::move(value);
  e["args"] = std::move(args);
  return e;
}

/* Clips slices so that those of one thread nest (viewers reject partial overlap). */
void RepairNesting(std::vector<Slice>& slices) {
  std::vector<size_t> order(slices.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const Slice& x = slices[a];
    const Slice& y = slices[b];
    if (x.pid != y.pid) return x.pid < y.pid;
    if (x.tid != y.tid) return x.tid < y.tid;
    if (x.ts != y.ts) return x.ts < y.ts;
    if (x.end != y.end) return x.end > y.end;
    return x.seq < y.seq;
  });
  std::vector<int64_t> stack;  // ends of the open ancestors
  const Slice* prev = nullptr;
  for (size_t i : order) {
    Slice& s = slices[i];
    if (prev == nullptr || prev->pid != s.pid || prev->tid != s.tid) stack.clear();
    while (!stack.empty() && stack.back() <= s.ts) stack.pop_back();
    if (!stack.empty() && s.end > stack.back()) s.end = stack.back();
    stack.push_back(s.end);
    prev = &s;
  }
}

}  // namespace

Json ChromeTraceExporter::Impl::Build() const {
  std::vector<Slice> slices = done_;
  int64_t last = last_ts_;
  auto close = [&](const std::optional<Slice>& open, const std::string* name) {
    if (!open) return;
    Slice s = *open;
    s.end = std::max(s.ts, last);
    if (name != nullptr) s.name = *name;
    s.args["open_at_end_of_trace"] = true;
    slices.push_back(std::move(s));
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

  // Each client query -> the first backend query that starts after it was
  // sent and before its answer came back.
  uint64_t next_flow = next_flow_;
  std::map<int64_t, std::vector<size_t>> backend_queries;  // pid -> slices, by ts
  for (size_t i = 0; i < slices.size(); ++i) {
    if (slices[i].kind == SliceKind::kQuery) backend_queries[slices[i].pid].push_back(i);
  }
  for (auto& [pid, list] : backend_queries) {
    std::sort(list.begin(), list.end(),
              [&](size_t a, size_t b) { return slices[a].ts < slices[b].ts; });
  }
  std::vector<ClientQuery> cqs = client_queries_;
  std::sort(cqs.begin(), cqs.end(),
            [](const ClientQuery& a, const ClientQuery& b) { return a.ts < b.ts; });
  std::map<int64_t, size_t> next_candidate;  // per backend: first query not yet matched
  for (const ClientQuery& cq : cqs) {
    auto it = backend_queries.find(cq.backend);
    if (it == backend_queries.end()) continue;
    size_t& k = next_candidate[cq.backend];
    while (k < it->second.size() && slices[it->second[k]].ts < cq.ts) ++k;
    if (k == it->second.size() || slices[it->second[k]].ts > cq.until) continue;
    uint64_t id = next_flow++;
    slices[cq.anchor].flows.push_back({id, "query", true});
    slices[it->second[k]].flows.push_back({id, "query", false});
    ++k;
  }

  RepairNesting(slices);

  Json events = Json::array();
  // Metadata: names and order of processes and threads.
  std::vector<const Proc*> by_order;
  for (const auto& [pid, p] : procs_) by_order.push_back(&p);
  std::sort(by_order.begin(), by_order.end(),
            [](const Proc* a, const Proc* b) { return a->order < b->order; });
  int64_t n_postmaster = 0, n_aux = 0, n_backend = 0, n_sim = 0, n_other = 0;
  for (const Proc* p : by_order) {
    int64_t sort_index = 0;
    if (p->role == "postmaster")
      sort_index = n_postmaster++;
    else if (IsAuxiliary(p->role))
      sort_index = 100 + n_aux++;
    else if (p->role == "minipg-sim")
      sort_index = 1000000 + n_sim++;
    else if (!p->role.empty())
      sort_index = 10000 + n_backend++;
    else
      sort_index = 2000000 + n_other++;
    std::string name = DisplayName(*p);
    events.push_back(Metadata("process_name", p->pid, p->pid, name));
    events.push_back(Metadata("process_sort_index", p->pid, p->pid, sort_index));
    std::string thread = p->role == "minipg-sim" ? std::string("scenario") : name;
    events.push_back(Metadata("thread_name", p->pid, p->pid, thread));
    events.push_back(Metadata("thread_sort_index", p->pid, p->pid, 0));
  }
  for (const auto& [key, lane] : lanes_) {
    events.push_back(
        Metadata("thread_name", lane.runner, lane.tid, fmt::format("client {}", lane.name)));
    events.push_back(Metadata("thread_sort_index", lane.runner, lane.tid, lane.order));
  }

  // Timed events in ts order; at one ts, enclosing slices before enclosed
  // ones. A slice's 'f' events come just before it, its 's' just after.
  struct Item {
    int64_t ts, end;
    uint64_t seq;
    const Slice* slice;
    const Instant* instant;
  };
  std::vector<Item> items;
  items.reserve(slices.size() + instants_.size());
  for (const Slice& s : slices) items.push_back({s.ts, s.end, s.seq, &s, nullptr});
  for (const Instant& i : instants_) items.push_back({i.ts, i.ts, i.seq, nullptr, &i});
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    if (a.ts != b.ts) return a.ts < b.ts;
    if (a.end != b.end) return a.end > b.end;
    return a.seq < b.seq;
  });
  for (const Item& item : items) {
    if (item.slice != nullptr) {
      const Slice& s = *item.slice;
      for (const FlowEnd& f : s.flows) {
        if (!f.start) events.push_back(FlowEvent(s, f));
      }
      events.push_back(SliceEvent(s));
      for (const FlowEnd& f : s.flows) {
        if (f.start) events.push_back(FlowEvent(s, f));
      }
      continue;
    }
    const Instant& i = *item.instant;
    Json e = Json::object();
    e["name"] = i.name;
    e["cat"] = kCategory;
    e["ph"] = "i";
    e["s"] = i.global ? "g" : "t";
    e["ts"] = i.ts;
    e["pid"] = i.pid;
    e["tid"] = i.tid;
    if (!i.args.empty()) e["args"] = i.args;
    events.push_back(std::move(e));
  }

  Json other = Json::object();
  other["exporter"] = "minipg-viz --export-chrome";
  other["server"] = server_;
  other["server_version"] = server_version_;
  other["schema_version"] = schema_version_ ? Json(*schema_version_) : Json(nullptr);
  other["exporter_schema_version"] = trace::kEventSchemaVersion;
  if (wall_us_) {
    other["wall_us"] = *wall_us_;
    other["wall_us_at_ts"] = hello_ts_.value_or(0);
  }
  other["first_ts"] = first_ts_;
  other["last_ts"] = last_ts_;
  other["lines"] = stats_.lines;
  other["events"] = stats_.events;
  other["malformed_lines"] = stats_.malformed_lines;
  other["unknown_types"] = stats_.unknown_types;

  Json doc = Json::object();
  doc["traceEvents"] = std::move(events);
  doc["displayTimeUnit"] = "ms";
  doc["otherData"] = std::move(other);
  return doc;
}

/* --- public interface --------------------------------------------------- */

ChromeTraceExporter::ChromeTraceExporter() : impl_(std::make_unique<Impl>()) {}
ChromeTraceExporter::~ChromeTraceExporter() = default;

void ChromeTraceExporter::AddLine(std::string_view line) {
  if (IsBlankLine(line)) return;
  impl_->stats_.lines++;
  ParseResult r = ParseEvent(line);
  if (!r.event) {
    impl_->stats_.malformed_lines++;
    return;
  }
  impl_->Add(*r.event);
}

void ChromeTraceExporter::Add(const Event& ev) {
  impl_->Add(ev);
}

Json ChromeTraceExporter::Build() const {
  return impl_->Build();
}

const ChromeTraceStats& ChromeTraceExporter::stats() const {
  return impl_->stats_;
}

Json ExportChromeTrace(const std::vector<std::string>& lines, ChromeTraceStats* stats) {
  ChromeTraceExporter exporter;
  for (const std::string& line : lines) exporter.AddLine(line);
  if (stats != nullptr) *stats = exporter.stats();
  return exporter.Build();
}

std::string DumpChromeTrace(const Json& doc) {
  return doc.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string ExportChromeTraceFile(const std::string& trace_path, const std::string& out_path,
                                  ChromeTraceStats* stats) {
  std::ifstream in(trace_path, std::ios::binary);
  if (!in) return fmt::format("cannot open {}", trace_path);
  ChromeTraceExporter exporter;
  std::string line;
  while (std::getline(in, line)) exporter.AddLine(line);
  if (in.bad()) return fmt::format("error reading {}", trace_path);
  if (stats != nullptr) *stats = exporter.stats();
  std::string text = DumpChromeTrace(exporter.Build());
  std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
  if (!out) return fmt::format("cannot write {}", out_path);
  out << text << '\n';
  out.close();
  if (!out) return fmt::format("error writing {}", out_path);
  return "";
}

}  // namespace minipg::viz
