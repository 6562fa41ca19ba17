/*-------------------------------------------------------------------------
 * spans_events.cpp
 *   SpanBuilder's event handlers: how each event type opens, ends or marks
 *   spans, and which arrows it draws (see spans.h for the picture).
 *
 * NOTES
 *   Events arrive in stream order but not always in time order (a joining
 *   viewer's snapshot, a child's first event before its fork): handlers
 *   clamp rather than assume, and never drop an event for coming early.
 *-------------------------------------------------------------------------
 */
#include <fmt/format.h>

#include "viz/model/spans_impl.h"

namespace minipg::viz {

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
      ++lanes_generation_;
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
      ++lanes_generation_;
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
      AddInstant(InstantKind::kAuthFailed, ev, ev.pid,
                 fmt::format("authentication failed: {}", ev.StrOr("reason")), false,
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
      Proc& pm = Emitter(ev, "postmaster");
      if (ev.StrOr("mode") == "immediate") pm.immediate_shutdown = true;
      AddInstant(InstantKind::kShutdown, ev, ev.pid,
                 fmt::format("shutdown request ({})", ev.StrOr("mode")), true, FieldsOf(ev));
      break;
    }
    case EventType::kPostmasterExit: {
      Proc& pm = Emitter(ev, "postmaster");
      EndLife(pm, ev.ts, FieldsOf(ev));
      break;
    }
    case EventType::kDropped: {
      Emitter(ev, "");
      AddInstant(InstantKind::kDropped, ev, ev.pid,
                 fmt::format("dropped {} events", ev.Int("count").value_or(0)), false,
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
    case EventType::kLockWait:
    case EventType::kLockAcquired:
      OnLock(ev);
      break;
    case EventType::kStepPause:
    case EventType::kStepResume:
      OnStep(ev);
      break;
    case EventType::kRecoveryStart:
    case EventType::kRecoveryProgress:
    case EventType::kRecoveryDone:
      OnRecovery(ev);
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
  ++lanes_generation_;
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
  Span fork = Open(SpanKind::kFork, ev.pid, ev.pid, ev.ts,
                   fmt::format("fork {} {}", role, *child_pid), FieldsOf(ev));
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
    child.first_ts = ev.ts;
  }
  if (child.life && child.forked) EndLife(child, ev.ts, Json::object());  // a pid forked twice
  if (child.exited) {  // the kernel reused the pid: a new process
    Proc fresh_child;
    fresh_child.pid = child.pid;
    fresh_child.order = next_order_++;
    fresh_child.first_ts = ev.ts;
    child = std::move(fresh_child);
  }
  child.first_ts = std::min(child.first_ts, ev.ts);
  child.role = role;
  child.forked = true;
  ++lanes_generation_;
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
  Span s = Open(kind, p.pid, p.pid, start, stage, ArgsOf(ev));  // ev's fields are not read after
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
  ++lanes_generation_;
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
  Proc& pm = Emitter(ev, "postmaster");
  auto child_pid = ev.Int("child");
  if (!child_pid) return;
  auto it = procs_.find(*child_pid);
  if (it == procs_.end() || it->second.exited) return;
  Json args = FieldsOf(ev);
  args.erase("child");
  Proc& child = it->second;
  // As the model judges it (a casualty of a crash cycle is not a crash).
  bool serves_a_client = !IsAuxiliary(child.role) && child.role != "postmaster";
  bool told_to_quit = (pm.phase && pm.phase->name == "crash recovery") || pm.immediate_shutdown;
  bool crashed = IsCrashExit(ev.Int("signal"), ev.Int("exit_code").value_or(0), serves_a_client,
                             told_to_quit);
  if (crashed && child.life) child.life->failed = true;
  if (crashed && child.query) child.query->failed = true;  // the crash cut it short
  EndLife(child, ev.ts, args);
}

void SpanBuilder::Impl::OnCrash(const Event& ev) {
  Proc& pm = Emitter(ev, "postmaster");
  int64_t crashed = ev.Int("child").value_or(0);
  std::string status = ev.StrOr("status");
  AddInstant(InstantKind::kCrash, ev, ev.pid, fmt::format("crash: {} {}", crashed, status), true,
             FieldsOf(ev));
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
  if (state != "run" && state != "exit")
    pm.phase = Open(SpanKind::kPhase, pm.pid, pm.pid, ev.ts, state);
}

/* A wait drawn over the query's stages in `slot`: from its first event
 * (`begins`) to its last (a viewer that joined during it: back from the
 * last by the time its `waited_field` says). */
void SpanBuilder::Impl::WaitSpan(Proc& p, std::optional<Span>& slot, SpanKind kind, const Event& ev,
                                 bool begins, const std::string& name, const char* waited_field) {
  Json args = FieldsOf(ev);
  if (begins) {
    Finish(slot, ev.ts);
    slot = Open(kind, p.pid, p.pid, ev.ts, ShortText(name), std::move(args));
    return;
  }
  if (!slot) {
    int64_t waited = std::clamp<int64_t>(ev.Int(waited_field).value_or(0), 0, ev.ts);
    slot = Open(kind, p.pid, p.pid, ev.ts - waited, ShortText(name));
  }
  Merge(slot->args, args);
  Finish(slot, ev.ts);
}

/* A lock wait: from lock_wait to its lock_acquired. */
void SpanBuilder::Impl::OnLock(const Event& ev) {
  Proc& p = Emitter(ev, "");
  WaitSpan(p, p.lock, SpanKind::kLockWait, ev, *ev.type == EventType::kLockWait,
           fmt::format("lock wait: {}", ev.StrOr("lock", "a lock")), "waited_us");
}

/* A stop of live stepping: from step_pause to its step_resume. Its client
 * waits all that time. */
void SpanBuilder::Impl::OnStep(const Event& ev) {
  Proc& p = Emitter(ev, "backend");
  std::string node = ev.StrOr("node");
  bool pause = *ev.type == EventType::kStepPause;
  WaitSpan(p, p.step, SpanKind::kStepPause, ev, pause,
           fmt::format("stopped: {}{}{}", ev.StrOr("point"), node.empty() ? "" : " ", node), "paused_us");
  // The simulated client whose query it runs: waiting for the server, which is stopped.
  for (auto& [key, lane] : lanes_) {
    if (lane.backend_pid != p.pid || !lane.query) continue;
    Finish(lane.stopped, ev.ts);
    if (pause) {
      lane.stopped = Open(SpanKind::kStepPause, lane.runner, lane.tid, ev.ts,
                          fmt::format("waiting for the server: backend {} is stopped", p.pid));
    }
  }
}

void SpanBuilder::Impl::OnCheckpoint(const Event& ev, bool start) {
  Proc& p = Emitter(ev, "checkpointer");
  Json args = FieldsOf(ev);
  if (start) {
    Finish(p.checkpoint, ev.ts);
    p.checkpoint = Open(SpanKind::kCheckpoint, p.pid, p.pid, ev.ts,
                        fmt::format("checkpoint ({})", ev.StrOr("reason")), std::move(args));
    return;
  }
  if (!p.checkpoint) {  // its start was not seen: its duration says when
    int64_t dur = std::clamp<int64_t>(ev.Int("duration_us").value_or(0), 0, ev.ts);
    p.checkpoint = Open(SpanKind::kCheckpoint, p.pid, p.pid, ev.ts - dur,
                        fmt::format("checkpoint ({})", ev.StrOr("reason")));
  }
  Merge(p.checkpoint->args, args);
  Finish(p.checkpoint, ev.ts);
}

/* The startup process replaying the WAL: one span from recovery_start to
 * recovery_done, its fields the latest progress. */
void SpanBuilder::Impl::OnRecovery(const Event& ev) {
  Proc& p = Emitter(ev, "startup");
  Json args = FieldsOf(ev);
  if (*ev.type == EventType::kRecoveryStart) {
    Finish(p.recovery, ev.ts);
    p.recovery = Open(SpanKind::kRecovery, p.pid, p.pid, ev.ts,
                      fmt::format("recovery ({}): WAL replay", ev.StrOr("reason", "?")), std::move(args));
    return;
  }
  if (!p.recovery) {  // its start was not seen
    int64_t dur = std::clamp<int64_t>(ev.Int("duration_us").value_or(0), 0, ev.ts);
    p.recovery = Open(SpanKind::kRecovery, p.pid, p.pid, ev.ts - dur, "recovery: WAL replay");
  }
  Merge(p.recovery->args, args);
  if (*ev.type == EventType::kRecoveryDone) Finish(p.recovery, ev.ts);
}

void SpanBuilder::Impl::OnScenario(const Event& ev) {
  Proc& r = Touch(ev.pid, "minipg-sim", ev.ts, false);
  Json args = FieldsOf(ev);
  switch (*ev.type) {
    case EventType::kScenarioStart:
      r.scenario_title = ev.StrOr("title");
      ++lanes_generation_;
      Finish(r.caption, ev.ts);
      Finish(r.scenario, ev.ts);
      r.scenario = Open(SpanKind::kScenario, r.pid, r.pid, ev.ts,
                        fmt::format("scenario: {}", r.scenario_title), args);
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
                 fmt::format("expect {}: {}", ok ? "ok" : "FAILED", text), !ok, std::move(args));
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
    lane.first_ts = ev.ts;
    lane_by_tid_[lane.tid] = &lane;
    ++lanes_generation_;
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
    Finish(lane->stopped, ts);
    Finish(lane->query, ts);
  };
  switch (*ev.type) {
    case EventType::kClientConnect:
      end_query(ev.ts);
      Finish(lane->connecting, ev.ts);
      Finish(lane->connection, ev.ts);
      if (lane->disconnected && lane->end_ts <= ev.ts &&
          (lane->gaps.empty() || lane->gaps.back().second <= lane->end_ts)) {
        lane->gaps.emplace_back(lane->end_ts, ev.ts);
      }
      lane->backend_pid = 0;
      lane->user = ev.StrOr("user");
      lane->database = ev.StrOr("database");
      ++lanes_generation_;
      lane->connection =
          Open(SpanKind::kClientConnection, lane->runner, lane->tid, ev.ts,
               fmt::format("connection {}@{}", ev.StrOr("user"), ev.StrOr("database")), args);
      lane->connecting = Open(SpanKind::kClientConnect, lane->runner, lane->tid, ev.ts, "connect");
      break;
    case EventType::kClientConnected: {
      Finish(lane->connecting, ev.ts);
      lane->backend_pid = ev.Int("backend_pid").value_or(0);
      if (lane->backend_pid > 0) lane->last_backend_pid = lane->backend_pid;
      ++lanes_generation_;
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
      lane->query =
          Open(SpanKind::kClientQuery, lane->runner, lane->tid, ev.ts, ShortText(text), args);
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
      // A failure in the client itself (its own file missing) has no SQLSTATE.
      AddInstant(InstantKind::kError, ev, lane->tid,
                 ev.StrOr("sqlstate").empty()
                     ? fmt::format("in the client: {}", ev.StrOr("message"))
                     : fmt::format("{} {}: {}", ev.StrOr("severity", "ERROR"), ev.StrOr("sqlstate"),
                                   ev.StrOr("message")),
                 false, std::move(args));
      break;
    case EventType::kClientDisconnect:
      end_query(ev.ts);
      Finish(lane->connecting, ev.ts);
      if (lane->connection) Merge(lane->connection->args, args);
      Finish(lane->connection, ev.ts);
      lane->end_ts = ev.ts;
      lane->disconnected = true;
      lane->backend_pid = 0;
      ++lanes_generation_;
      break;
    default:
      break;
  }
}

}  // namespace minipg::viz
