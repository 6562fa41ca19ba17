/*-------------------------------------------------------------------------
 * model.cpp
 *   Applying events to the model: one On...() function per event type,
 *   each of which checks what it is told against what the model already
 *   knows and records an Anomaly when the two disagree.
 *
 * NOTES
 *   Pids are reused by the kernel, so a pid maps to the NEWEST process
 *   entry with that pid; older exited entries stay in processes_ (until
 *   pruned) for drawing.
 *   Events whose emitter is unknown still create a placeholder process (so
 *   the user sees it), after recording kEventFromUnknownPid. Events from an
 *   exited process are recorded and otherwise ignored.
 *-------------------------------------------------------------------------
 */
#include "viz/model/model.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include <fmt/format.h>

namespace minipg::viz {
namespace {

constexpr size_t kMaxConnectionsKept = 1024;

/* Which role an event type implies for an emitter we have never seen. */
ProcessRole RoleImpliedBy(EventType type) {
  switch (type) {
    case EventType::kPostmasterStart:
    case EventType::kListen:
    case EventType::kAccept:
    case EventType::kFork:
    case EventType::kChildExit:
    case EventType::kShutdownRequest:
    case EventType::kPostmasterExit:
      return ProcessRole::kPostmaster;
    case EventType::kSslRequest:
    case EventType::kStartup:
    case EventType::kAuthOk:
    case EventType::kState:
    case EventType::kReady:
    case EventType::kQueryStart:
    case EventType::kParse:
    case EventType::kAnalyze:
    case EventType::kPlan:
    case EventType::kExecute:
    case EventType::kQueryDone:
    case EventType::kDisconnect:
    case EventType::kRejected:
    case EventType::kCancelRequest:
    case EventType::kCopyStart:
    case EventType::kCopyDone:
    case EventType::kPrepare:
    case EventType::kBind:
    case EventType::kPortalSuspended:
    case EventType::kClose:
      return ProcessRole::kBackend;
    case EventType::kCheckpointStart:
    case EventType::kCheckpointDone:
      return ProcessRole::kCheckpointer;
    case EventType::kShmemLayout:
      return ProcessRole::kPostmaster;
    case EventType::kRecoveryStart:
    case EventType::kRecoveryProgress:
    case EventType::kRecoveryDone:
      return ProcessRole::kStartup;
    case EventType::kXidAssigned:
    case EventType::kXactEnd:
    case EventType::kSubxact:
    case EventType::kSnapshot:
      return ProcessRole::kBackend;
    default:
      return ProcessRole::kOther;
  }
}

ProcessRole RoleFromName(std::string_view name) {
  if (name == "postmaster") return ProcessRole::kPostmaster;
  if (name == "backend") return ProcessRole::kBackend;
  if (name == "collector") return ProcessRole::kCollector;
  if (name == "checkpointer") return ProcessRole::kCheckpointer;
  if (name == "background writer") return ProcessRole::kBgWriter;
  if (name == "walwriter") return ProcessRole::kWalWriter;
  if (name == "startup") return ProcessRole::kStartup;
  if (name == "autovacuum launcher") return ProcessRole::kAutovacuumLauncher;
  if (name == "autovacuum worker") return ProcessRole::kAutovacuumWorker;
  return ProcessRole::kOther;
}

}  // namespace

std::string_view RoleName(ProcessRole role) {
  switch (role) {
    case ProcessRole::kPostmaster: return "postmaster";
    case ProcessRole::kBackend: return "backend";
    case ProcessRole::kCollector: return "collector";
    case ProcessRole::kCheckpointer: return "checkpointer";
    case ProcessRole::kBgWriter: return "background writer";
    case ProcessRole::kWalWriter: return "walwriter";
    case ProcessRole::kStartup: return "startup";
    case ProcessRole::kAutovacuumLauncher: return "autovacuum launcher";
    case ProcessRole::kAutovacuumWorker: return "autovacuum worker";
    case ProcessRole::kOther: return "process";
  }
  return "process";
}

bool IsAuxiliary(ProcessRole role) {
  switch (role) {
    case ProcessRole::kCollector:
    case ProcessRole::kCheckpointer:
    case ProcessRole::kBgWriter:
    case ProcessRole::kWalWriter:
    case ProcessRole::kStartup:
    case ProcessRole::kAutovacuumLauncher:
      return true;
    case ProcessRole::kAutovacuumWorker:
    case ProcessRole::kPostmaster:
    case ProcessRole::kBackend:
    case ProcessRole::kOther:
      return false;
  }
  return false;
}

std::string_view SessionStateName(SessionState state) {
  switch (state) {
    case SessionState::kUnknown: return "";
    case SessionState::kStarting: return "starting";
    case SessionState::kAuthenticating: return "authenticating";
    case SessionState::kIdle: return "idle";
    case SessionState::kActive: return "active";
    case SessionState::kIdleInTransaction: return "idle in transaction";
    case SessionState::kIdleInTransactionAborted: return "idle in transaction (aborted)";
    case SessionState::kTerminating: return "terminating";
  }
  return "";
}

std::string_view ShownRole(const Process& p) {
  return p.cancel_target != 0 ? "cancel request" : RoleName(p.role);
}

std::string ProcessTitle(const Process& p) {
  switch (p.role) {
    case ProcessRole::kPostmaster: return "minipg: postmaster";
    case ProcessRole::kCollector: return "minipg: event collector";
    case ProcessRole::kCheckpointer: return "minipg: checkpointer";
    case ProcessRole::kBgWriter: return "minipg: background writer";
    case ProcessRole::kWalWriter: return "minipg: walwriter";
    case ProcessRole::kStartup: return "minipg: startup";
    case ProcessRole::kAutovacuumLauncher: return "minipg: autovacuum launcher";
    case ProcessRole::kAutovacuumWorker: return "minipg: autovacuum worker";
    case ProcessRole::kOther: return "";
    case ProcessRole::kBackend: break;
  }
  // "host(port)" as PostgreSQL writes it, where the event says "host:port".
  std::string client = p.client.empty() ? "?" : p.client;
  if (size_t colon = client.rfind(':'); colon != std::string::npos && client != "[local]") {
    std::string host = client.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    client = fmt::format("{}({})", host, client.substr(colon + 1));
  }
  if (p.user.empty()) return fmt::format("minipg: {} starting", client);
  std::string activity(SessionStateName(p.state));
  if (p.state == SessionState::kActive && !p.current_query.empty()) {
    size_t begin = p.current_query.find_first_not_of(" \t\n(");
    size_t end = p.current_query.find_first_of(" \t\n;(", begin);
    if (begin != std::string::npos) activity = p.current_query.substr(begin, end - begin);
    std::transform(activity.begin(), activity.end(), activity.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  }
  return fmt::format("minipg: {} {} {} {}", p.user, p.database, client, activity);
}

std::optional<SessionState> SessionStateFromName(std::string_view name) {
  for (SessionState s :
       {SessionState::kStarting, SessionState::kAuthenticating, SessionState::kIdle,
        SessionState::kActive, SessionState::kIdleInTransaction,
        SessionState::kIdleInTransactionAborted, SessionState::kTerminating}) {
    if (SessionStateName(s) == name) return s;
  }
  return std::nullopt;
}

std::string_view AnomalyKindName(AnomalyKind kind) {
  switch (kind) {
    case AnomalyKind::kMalformedLine: return "malformed line";
    case AnomalyKind::kUnknownEventType: return "unknown event type";
    case AnomalyKind::kTimeBackwards: return "time went backwards";
    case AnomalyKind::kExitForUnknownPid: return "exit of unknown pid";
    case AnomalyKind::kEventAfterExit: return "event after exit";
    case AnomalyKind::kEventFromUnknownPid: return "event from unknown pid";
    case AnomalyKind::kDuplicateFork: return "duplicate fork";
    case AnomalyKind::kNewerSchema: return "newer schema";
    case AnomalyKind::kDroppedEvents: return "dropped events";
    case AnomalyKind::kBadField: return "bad field";
    case AnomalyKind::kUnknownValue: return "unknown value";
    case AnomalyKind::kQueryOrder: return "query stage out of order";
    case AnomalyKind::kCount_: break;
  }
  return "anomaly";
}

Model::Model(ModelOptions options) : options_(options) {
  if (options_.log_capacity == 0) options_.log_capacity = 1;
}

/* ---------- queries ---------- */

const Process* Model::FindProcess(int64_t pid) const {
  auto it = index_.find(pid);
  return it == index_.end() ? nullptr : &processes_[it->second];
}

Process* Model::FindMutable(int64_t pid) {
  auto it = index_.find(pid);
  return it == index_.end() ? nullptr : &processes_[it->second];
}

size_t Model::LiveProcessCount() const {
  return static_cast<size_t>(
      std::count_if(processes_.begin(), processes_.end(), [](const Process& p) { return !p.exited; }));
}

uint64_t Model::AnomalyCount(AnomalyKind kind) const {
  auto i = static_cast<size_t>(kind);
  return i < anomaly_kind_counts_.size() ? anomaly_kind_counts_[i] : 0;
}

/* ---------- bookkeeping ---------- */

void Model::Record(AnomalyKind kind, int64_t ts, int64_t pid, std::string message) {
  ++anomaly_count_;
  auto i = static_cast<size_t>(kind);
  if (i < anomaly_kind_counts_.size()) ++anomaly_kind_counts_[i];
  anomalies_.push_back(Anomaly{kind, current_line_, ts, pid, std::move(message)});
  while (anomalies_.size() > options_.max_anomalies) anomalies_.pop_front();
}

void Model::NoteInputProblem(AnomalyKind kind, std::string message) {
  Record(kind, last_ts_, 0, std::move(message));
}

void Model::AddLog(const Event& ev) {
  LogEntry e;
  e.seq = events_seen_;
  e.ts = ev.ts;
  e.pid = ev.pid;
  e.type_slot = ev.TypeSlot();
  e.type_name = ev.type_name;
  if (current_text_.empty()) {  // applied without its line (tests): formatted now
    e.text_ = FormatLogFields(ev);
    e.formatted_ = true;
  } else {
    e.line = current_text_;
  }
  log_.PushBack(std::move(e));
  while (log_.size() > options_.log_capacity) {
    log_.PopFront();
    ++log_discarded_;
  }
}

std::optional<int64_t> Model::RequireInt(const Event& ev, const char* key) {
  auto v = ev.Int(key);
  if (!v) {
    Record(AnomalyKind::kBadField, ev.ts, ev.pid,
           fmt::format("{} event has no integer \"{}\" field", ev.type_name, key));
  }
  return v;
}

Process& Model::AddProcess(int64_t pid, int64_t parent, ProcessRole role, int64_t ts) {
  Process p;
  p.pid = pid;
  p.parent_pid = parent;
  p.role = role;
  p.started_ts = ts;
  p.last_event_ts = ts;
  processes_.push_back(std::move(p));
  index_[pid] = processes_.size() - 1;
  if (role == ProcessRole::kPostmaster) postmaster_pid_ = pid;
  return processes_.back();
}

void Model::MarkExited(Process& p, int64_t ts) {
  p.exited = true;
  p.exited_ts = ts;
  shmem_.ReleasePins(p.pid);
  txns_.OnExit(p.pid, ts);
  EndQueryTrace(p.query, ts, p.exit_status.empty() ? "the backend exited"
                                                     : fmt::format("the backend {}", p.exit_status));
  p.current_query.clear();
  p.stage.clear();
  p.waiting_for.clear();
  if (p.conn != 0) connections_.erase(p.conn);
}

/* Keeps at most max_exited_processes exited entries (never the postmaster). */
void Model::PruneExited() {
  size_t exited = 0;
  for (const Process& p : processes_) {
    if (p.exited && p.role != ProcessRole::kPostmaster) ++exited;
  }
  if (exited <= options_.max_exited_processes) return;
  size_t to_remove = exited - options_.max_exited_processes;
  std::vector<Process> kept;
  kept.reserve(processes_.size() - to_remove);
  for (Process& p : processes_) {
    if (to_remove > 0 && p.exited && p.role != ProcessRole::kPostmaster) {
      --to_remove;
      continue;
    }
    kept.push_back(std::move(p));
  }
  processes_ = std::move(kept);
  index_.clear();
  for (size_t i = 0; i < processes_.size(); ++i) index_[processes_[i].pid] = i;
}

Process* Model::Emitter(const Event& ev) {
  Process* p = FindMutable(ev.pid);
  if (p != nullptr) {
    if (p->exited) {
      Record(AnomalyKind::kEventAfterExit, ev.ts, ev.pid,
             fmt::format("{} event from pid {}, which already exited", ev.type_name, ev.pid));
      return nullptr;
    }
    p->last_event_ts = ev.ts;
    return p;
  }
  ProcessRole role = ev.type ? RoleImpliedBy(*ev.type) : ProcessRole::kOther;
  Record(AnomalyKind::kEventFromUnknownPid, ev.ts, ev.pid,
         fmt::format("{} event from pid {}, which was never forked", ev.type_name, ev.pid));
  int64_t parent = role == ProcessRole::kPostmaster ? 0 : postmaster_pid_;
  return &AddProcess(ev.pid, parent, role, ev.ts);
}

/* ---------- input ---------- */

void Model::ApplyLine(std::string_view line) {
  ApplyParsedLine(line, ParseLine(line));
}

void Model::ApplyParsedLine(std::string_view line, const ParseResult& r) {
  ++lines_seen_;
  current_line_ = lines_seen_;
  if (IsBlankLine(line)) return;
  if (!r.event) {
    std::string_view head = line.substr(0, 80);
    Record(AnomalyKind::kMalformedLine, last_ts_, 0,
           fmt::format("line {}: {}: {}{}", lines_seen_, r.error, head,
                       line.size() > head.size() ? "..." : ""));
    return;
  }
  current_text_ = line;
  Apply(*r.event);
  current_text_ = {};
}

void Model::Apply(const Event& ev) {
  ++events_seen_;
  ++type_counts_[ev.TypeSlot()];
  // first_ts_ is the earliest time seen (a snapshot's processes may predate
  // the stream), so relative times never go negative.
  if (!any_event_ || ev.ts < first_ts_) first_ts_ = ev.ts;
  any_event_ = true;
  // "hello" and "process" head the stream and carry their own times (the
  // collector's start, a process's fork), so only the events after them
  // must come in time order.
  bool header = ev.type == EventType::kHello || ev.type == EventType::kProcess;
  if (!header) {
    if (any_timed_event_ && ev.ts < last_ts_) {
      Record(AnomalyKind::kTimeBackwards, ev.ts, ev.pid,
             fmt::format("{} event at ts {} is {} us earlier than the previous event",
                         ev.type_name, ev.ts, last_ts_ - ev.ts));
    } else {
      last_ts_ = ev.ts;
    }
    any_timed_event_ = true;
  } else if (!any_timed_event_) {
    // Until the stream proper begins, "now" is the newest header time (a
    // live subscriber's hello: the moment it joined), not nothing.
    last_ts_ = std::max(last_ts_, ev.ts);
  }
  // A runner's sync markers are its own bookkeeping, not something to read.
  if (ev.type != EventType::kSync) AddLog(ev);

  if (!ev.type) {
    Record(AnomalyKind::kUnknownEventType, ev.ts, ev.pid,
           fmt::format("unknown event type \"{}\" (ignored)", ev.type_name));
    return;
  }
  if (trace::IsStorageEvent(*ev.type)) {  // shmem_layout, buffer_*, wal_*, recovery_*
    OnStorage(ev);
    return;
  }
  switch (*ev.type) {
    case EventType::kHello: OnHello(ev); break;
    case EventType::kProcess: OnProcessSnapshot(ev); break;
    case EventType::kPostmasterStart: OnPostmasterStart(ev); break;
    case EventType::kListen: OnListen(ev); break;
    case EventType::kAccept: OnAccept(ev); break;
    case EventType::kFork: OnFork(ev); break;
    case EventType::kSslRequest: Emitter(ev); break;
    case EventType::kStartup: OnStartup(ev); break;
    case EventType::kAuthOk: OnAuthOk(ev); break;
    case EventType::kState: OnState(ev); break;
    case EventType::kReady: OnReady(ev); break;
    case EventType::kQueryStart: OnQueryStart(ev); break;
    case EventType::kParse: OnStage(ev, "parse"); break;
    case EventType::kAnalyze: OnStage(ev, "analyze"); break;
    case EventType::kPlan: OnStage(ev, "plan"); break;
    case EventType::kExecute: OnStage(ev, "execute"); break;
    case EventType::kQueryDone: OnQueryDone(ev); break;
    case EventType::kError: OnError(ev); break;
    case EventType::kCancelRequest: OnCancelRequest(ev); break;
    case EventType::kDisconnect: OnDisconnect(ev); break;
    case EventType::kChildExit: OnChildExit(ev); break;
    case EventType::kShutdownRequest: OnShutdownRequest(ev); break;
    case EventType::kPostmasterExit: OnPostmasterExit(ev); break;
    case EventType::kDropped: OnDropped(ev); break;
    case EventType::kRejected: OnRejected(ev); break;
    case EventType::kCrash: OnCrash(ev); break;
    case EventType::kPostmasterState: OnPostmasterState(ev); break;
    // Known, checked for a live emitter, and shown in the log.
    case EventType::kSignal: Emitter(ev); break;
    case EventType::kCheckpointStart:
    case EventType::kCheckpointDone: OnStorage(ev); break;
    case EventType::kAuthRequest: Emitter(ev); break;
    case EventType::kAuthFailed: Emitter(ev); break;
    case EventType::kHbaReload: Emitter(ev); break;
    case EventType::kCopyStart: Emitter(ev); break;
    case EventType::kCopyDone: Emitter(ev); break;
    case EventType::kPrepare:
    case EventType::kBind:
    case EventType::kPortalSuspended: OnExtendedStep(ev); break;
    case EventType::kClose: Emitter(ev); break;  // not a step of any one query: in the log only
    // Client side (minipg-sim): the narration and which backend serves which
    // client; the rest in the log only (the runner is not a server process).
    case EventType::kScenarioStart:
    case EventType::kScenarioEnd:
    case EventType::kCaption:
    case EventType::kExpect: OnNarration(ev); break;
    case EventType::kClientConnected: OnClientConnected(ev); break;
    case EventType::kClientConnect:
    case EventType::kClientQuery:
    case EventType::kClientResult:
    case EventType::kClientError:
    case EventType::kClientDisconnect:
    case EventType::kSync:
    case EventType::kCaptionSnapshot:  // the storyboard's business (App), in the log only
    case EventType::kCount_: break;
    case EventType::kLockWait:
    case EventType::kLockAcquired: OnLock(ev); break;
    case EventType::kXidAssigned:
    case EventType::kXactEnd:
    case EventType::kSubxact:
    case EventType::kSnapshot:
    case EventType::kLockGranted:
    case EventType::kLocksReleased:
    case EventType::kDeadlock:
    case EventType::kVacuumStart:
    case EventType::kVacuumProgress:
    case EventType::kVacuumDone: OnTransaction(ev); break;
    case EventType::kStepPause:
    case EventType::kStepResume:
      if (Process* p = Emitter(ev)) {
        std::string problem = ApplyStepEvent(p->step, ev, p->query.start_ts);
        if (!problem.empty()) Record(AnomalyKind::kBadField, ev.ts, ev.pid, std::move(problem));
      }
      break;
    default: break;  // the storage types, above
  }
}

/* ---------- one function per event type ---------- */

void Model::OnClientConnected(const Event& ev) {
  auto backend = ev.Int("backend_pid");
  Process* p = backend ? FindMutable(*backend) : nullptr;
  if (p != nullptr && !p->exited) p->client_name = ev.StrOr("client");
}

void Model::OnNarration(const Event& ev) {
  switch (*ev.type) {
    case EventType::kScenarioStart:
      // The lesson already playing, announced again to a server it started
      // anew (the shutdown lesson): it goes on where it was.
      if (narration_.active && !narration_.passed && narration_.title == ev.StrOr("title") &&
          narration_.file == ev.StrOr("file")) {
        break;
      }
      narration_ = Narration{};
      narration_.active = true;
      narration_.title = ev.StrOr("title");
      narration_.goal = ev.StrOr("goal");
      narration_.file = ev.StrOr("file");
      break;
    case EventType::kCaption:
      narration_.active = true;
      narration_.step = ev.Int("step").value_or(narration_.step + 1);
      narration_.caption = ev.StrOr("text");
      narration_.caption_ts = ev.ts;
      break;
    case EventType::kExpect:
      if (ev.Bool("ok").value_or(false)) {
        ++narration_.expects_ok;
      } else {
        ++narration_.expects_failed;
        narration_.last_failure = fmt::format("line {}: {}", ev.Int("line").value_or(0), ev.StrOr("text"));
      }
      break;
    case EventType::kScenarioEnd:
      narration_.passed = ev.Bool("passed");
      narration_.stopped = ev.Bool("stopped").value_or(false);
      break;
    default:
      break;
  }
}

void Model::OnHello(const Event& ev) {
  // The collector says hello before (or without) its own fork event, so its
  // pid is not checked here.
  server_.schema_version = ev.Int("version").value_or(0);
  server_.server = ev.StrOr("server");
  server_.server_version = ev.StrOr("server_version");
  server_.wall_us = ev.Int("wall_us").value_or(0);
  server_.hello_ts = ev.ts;
  if (server_.schema_version > trace::kEventSchemaVersion) {
    Record(AnomalyKind::kNewerSchema, ev.ts, ev.pid,
           fmt::format("stream has schema version {}, this viewer knows {}; unknown types "
                       "and fields are ignored",
                       server_.schema_version, trace::kEventSchemaVersion));
  }
}

void Model::OnProcessSnapshot(const Event& ev) {
  int64_t pid = ev.Int("proc").value_or(ev.pid);
  ProcessRole role = RoleFromName(ev.StrOr("role"));
  if (role == ProcessRole::kPostmaster) RetireOldServer(pid, ev.ts);
  Process* p = FindMutable(pid);
  if (p == nullptr || p->exited) {
    p = &AddProcess(pid, ev.Int("parent").value_or(0), role, ev.Int("started").value_or(ev.ts));
  } else {
    p->role = role;
    if (role == ProcessRole::kPostmaster) postmaster_pid_ = pid;
  }
  p->from_snapshot = true;
  p->last_event_ts = ev.ts;
  if (auto v = ev.Str("client")) p->client = *v;
  if (auto v = ev.Str("user")) p->user = *v;
  if (auto v = ev.Str("database")) p->database = *v;
  if (auto v = ev.Str("application_name")) p->application_name = *v;
  if (auto v = ev.Str("state")) {
    p->state_text = *v;
    p->state = SessionStateFromName(*v).value_or(SessionState::kUnknown);
  }
  // "query" is the text of the backend's last query_start: the running query
  // while the session is active, otherwise only the last one. Its stage is
  // not in the snapshot, so it stays unknown (empty) until the next event.
  if (auto v = ev.Str("query")) {
    p->last_query = *v;
    if (p->state == SessionState::kActive) p->current_query = *v;
    // Its steps went by before we joined: the trace has the text only.
    if (p->query.phase == QueryPhase::kNone) {
      p->query.text = v->substr(0, kMaxQueryTextBytes);
      p->query.joined_late = true;
      // When it began (schema 5); an older server's snapshot does not say:
      // the process's start is the earliest it can have begun.
      p->query.start_ts = ev.Int("query_ts").value_or(ev.ts);
      p->query.start_known = ev.Int("query_ts").has_value();
      p->query.phase = p->state == SessionState::kActive ? QueryPhase::kRunning : QueryPhase::kFinished;
    }
  }
  if (auto lock = ev.Str("lock")) {
    p->waiting_for = fmt::format("{} ({})", *lock, ev.StrOr("lock_mode", "?"));
  }
  // The postmaster's line carries what its postmaster_start said (all but
  // event_port, which a subscriber already knows: it connected to it).
  if (role == ProcessRole::kPostmaster) {
    if (auto v = ev.Int("port")) server_.port = *v;
    if (auto v = ev.Int("max_connections")) server_.max_connections = *v;
    if (auto v = ev.Str("data_directory")) server_.data_directory = *v;
    // and its listen sockets, as its listen events said (schema 5)
    auto listen = ev.fields.find("listen");
    if (listen != ev.fields.end() && listen->is_array() && server_.listen_sockets.empty()) {
      for (const auto& l : *listen) {
        if (!l.is_object()) continue;
        // Read defensively: a field of the wrong type is taken as empty.
        auto str = [&l](const char* key) {
          auto it = l.find(key);
          return it != l.end() && it->is_string() ? it->get<std::string>() : std::string();
        };
        auto port = l.find("port");
        server_.listen_sockets.push_back(ListenSocket{
            str("transport"), str("address"),
            port != l.end() && port->is_number_integer() ? port->get<int64_t>() : 0});
      }
    }
  }
}

void Model::EndServer(int64_t postmaster, int64_t ts, const char* why) {
  for (Process& p : processes_) {
    if (p.exited || (p.pid != postmaster && p.parent_pid != postmaster)) continue;
    if (p.exit_status.empty()) p.exit_status = why;
    MarkExited(p, ts);
  }
}

void Model::RetireOldServer(int64_t new_postmaster, int64_t ts) {
  if (postmaster_pid_ == 0 || postmaster_pid_ == new_postmaster) return;
  EndServer(postmaster_pid_, ts, "gone: a new postmaster started");
  // What the old one said of itself (its shutdown, its sockets) is not the new one's.
  server_.shutdown_mode.clear();
  server_.postmaster_state.clear();
  server_.postmaster_exit_code.reset();
  server_.listen_sockets.clear();
}

void Model::OnPostmasterStart(const Event& ev) {
  RetireOldServer(ev.pid, ev.ts);
  Process* p = FindMutable(ev.pid);
  if (p == nullptr || p->exited) {
    p = &AddProcess(ev.pid, 0, ProcessRole::kPostmaster, ev.ts);
  } else {
    p->role = ProcessRole::kPostmaster;
    postmaster_pid_ = ev.pid;
  }
  server_.data_directory = ev.StrOr("data_directory");
  server_.port = ev.Int("port").value_or(0);
  server_.max_connections = ev.Int("max_connections").value_or(0);
  server_.event_port = ev.Int("event_port").value_or(0);
  server_.listen_sockets.clear();
  server_.shutdown_mode.clear();
  server_.postmaster_exit_code.reset();
}

void Model::OnListen(const Event& ev) {
  if (Emitter(ev) == nullptr) return;
  server_.listen_sockets.push_back(
      ListenSocket{ev.StrOr("transport"), ev.StrOr("address"), ev.Int("port").value_or(0)});
}

void Model::OnAccept(const Event& ev) {
  if (Emitter(ev) == nullptr) return;
  auto conn = RequireInt(ev, "conn");
  if (!conn) return;
  Connection c;
  c.conn = *conn;
  c.client = ev.StrOr("client");
  c.transport = ev.StrOr("transport");
  c.accepted_ts = ev.ts;
  connections_[*conn] = std::move(c);
  while (connections_.size() > kMaxConnectionsKept) connections_.erase(connections_.begin());
}

void Model::OnFork(const Event& ev) {
  if (Emitter(ev) == nullptr) return;
  auto child = RequireInt(ev, "child");
  if (!child) return;
  if (const Process* old = FindProcess(*child); old != nullptr && !old->exited) {
    Record(AnomalyKind::kDuplicateFork, ev.ts, ev.pid,
           fmt::format("fork of pid {}, which is still alive", *child));
    MarkExited(*FindMutable(*child), ev.ts);
  }
  ProcessRole role = RoleFromName(ev.StrOr("role"));
  Process& p = AddProcess(*child, ev.pid, role, ev.ts);
  if (role == ProcessRole::kBackend) {
    p.state = SessionState::kStarting;
    p.state_text = "starting";
  }
  p.conn = ev.Int("conn").value_or(0);
  p.client = ev.StrOr("client");
  if (p.conn != 0) {
    auto it = connections_.find(p.conn);
    if (it != connections_.end()) {
      it->second.backend_pid = p.pid;
      if (p.client.empty()) p.client = it->second.client;
      p.transport = it->second.transport;
    }
  }
  PruneExited();
}

void Model::OnStartup(const Event& ev) {
  Process* p = Emitter(ev);
  if (p == nullptr) return;
  p->user = ev.StrOr("user");
  p->database = ev.StrOr("database");
  p->application_name = ev.StrOr("application_name");
}

void Model::OnAuthOk(const Event& ev) {
  Process* p = Emitter(ev);
  if (p == nullptr) return;
  if (auto user = ev.Str("user"); user && p->user.empty()) p->user = *user;
}

void Model::OnState(const Event& ev) {
  Process* p = Emitter(ev);
  if (p == nullptr) return;
  auto text = ev.Str("state");
  if (!text) {
    Record(AnomalyKind::kBadField, ev.ts, ev.pid, "state event has no string \"state\" field");
    return;
  }
  p->state_text = *text;
  auto state = SessionStateFromName(*text);
  if (!state) {
    Record(AnomalyKind::kUnknownValue, ev.ts, ev.pid,
           fmt::format("unknown session state \"{}\"", *text));
  }
  p->state = state.value_or(SessionState::kUnknown);
  QueryStateChanged(p->query, p->state == SessionState::kActive, ev.ts);
  if (p->state != SessionState::kActive) {
    p->current_query.clear();
    p->stage.clear();
    p->waiting_for.clear();
  }
}

void Model::OnCancelRequest(const Event& ev) {
  Process* p = Emitter(ev);
  if (p != nullptr) p->cancel_target = ev.Int("target").value_or(-1);
}

/* A lock wait lasts from lock_wait to its lock_acquired (a wait cut short,
 * by an error or the session's end, ends with the state that follows). */
void Model::OnLock(const Event& ev) {
  Process* p = Emitter(ev);
  if (p == nullptr) return;
  if (std::string problem = txns_.Apply(ev); !problem.empty()) {
    Record(AnomalyKind::kBadField, ev.ts, ev.pid, std::move(problem));
  }
  if (*ev.type == EventType::kLockAcquired) {
    p->waiting_for.clear();
    return;
  }
  p->waiting_for = fmt::format("{} ({})", ev.StrOr("lock", "a lock"), ev.StrOr("mode", "?"));
}

void Model::OnReady(const Event& ev) {
  Process* p = Emitter(ev);
  if (p == nullptr) return;
  std::string status = ev.StrOr("status");
  p->txn_status = status.empty() ? 0 : status[0];
}

void Model::OnQueryStart(const Event& ev) {
  Process* p = Emitter(ev);
  if (p == nullptr) return;
  p->current_query = ev.StrOr("text");
  p->last_query = p->current_query;
  p->stage = "received";
  TraceQuery(*p, ev);
}

void Model::OnStage(const Event& ev, std::string_view stage) {
  Process* p = Emitter(ev);
  if (p == nullptr) return;
  p->stage = std::string(stage);
  if (stage == "plan") p->last_plan = ev.StrOr("plan");
  TraceQuery(*p, ev);
}

void Model::OnQueryDone(const Event& ev) {
  Process* p = Emitter(ev);
  if (p == nullptr) return;
  shmem_.ReleasePins(p->pid);  // the statement's scans are over
  p->last_tag = ev.StrOr("tag");
  p->last_duration_us = ev.Int("duration_us").value_or(0);
  ++p->queries_done;
  p->stage = "done";
  TraceQuery(*p, ev);
}

void Model::OnExtendedStep(const Event& ev) {
  Process* p = Emitter(ev);
  if (p == nullptr) return;
  TraceQuery(*p, ev);
}

void Model::TraceQuery(Process& p, const Event& ev) {
  std::string odd = ApplyQueryEvent(p.query, ev, p.current_query);
  if (!odd.empty()) {
    Record(AnomalyKind::kQueryOrder, ev.ts, ev.pid, fmt::format("pid {}: {}", ev.pid, odd));
  }
}

void Model::OnError(const Event& ev) {
  Process* p = Emitter(ev);
  if (p == nullptr) return;
  shmem_.ReleasePins(p->pid);  // an error releases every pin (ResourceOwner)
  txns_.OnError(p->pid, ev.ts);  // a lock wait ends with it; a deadlock's victim
  p->last_error = fmt::format("{} {}: {}", ev.StrOr("severity", "ERROR"), ev.StrOr("sqlstate"),
                              ev.StrOr("message"));
  TraceQuery(*p, ev);
}

void Model::OnDisconnect(const Event& ev) {
  Process* p = Emitter(ev);
  if (p == nullptr) return;
  p->disconnect_reason = ev.StrOr("reason", "unknown");
  EndQueryTrace(p->query, ev.ts, fmt::format("the session ended ({})", p->disconnect_reason));
  txns_.OnExit(p->pid, ev.ts);
  p->current_query.clear();
  p->stage.clear();
  p->waiting_for.clear();
}

void Model::OnChildExit(const Event& ev) {
  if (Emitter(ev) == nullptr) return;
  auto child = RequireInt(ev, "child");
  if (!child) return;
  Process* p = FindMutable(*child);
  if (p == nullptr) {
    Record(AnomalyKind::kExitForUnknownPid, ev.ts, ev.pid,
           fmt::format("child_exit for pid {}, which was never forked", *child));
    return;
  }
  if (p->exited) {
    Record(AnomalyKind::kEventAfterExit, ev.ts, ev.pid,
           fmt::format("second child_exit for pid {}", *child));
    return;
  }
  p->exit_code = ev.Int("exit_code");
  p->exit_signal = ev.Int("signal");
  p->exit_status = ev.StrOr("status");
  if (p->exit_status.empty()) {
    p->exit_status = p->exit_signal ? fmt::format("terminated by signal {}", *p->exit_signal)
                                    : fmt::format("exited with exit code {}",
                                                  p->exit_code.value_or(0));
  }
  bool serves_a_client = p->role == ProcessRole::kBackend || p->role == ProcessRole::kOther;
  p->crashed = IsCrashExit(p->exit_signal, p->exit_code.value_or(0), serves_a_client,
                           server_.postmaster_state == "crash recovery" ||
                               server_.shutdown_mode == "immediate");
  MarkExited(*p, ev.ts);
  PruneExited();
}

void Model::OnShutdownRequest(const Event& ev) {
  if (Emitter(ev) == nullptr) return;
  server_.shutdown_mode = ev.StrOr("mode");
}

void Model::OnCrash(const Event& ev) {
  if (Emitter(ev) == nullptr) return;
  ++server_.crashes;  // the child's own child_exit marks it crashed
}

void Model::OnPostmasterState(const Event& ev) {
  if (Emitter(ev) == nullptr) return;
  server_.postmaster_state = ev.StrOr("state");
  // The crash cycle: shared memory cannot be trusted and will be made anew.
  if (server_.postmaster_state == "crash recovery") shmem_.MarkLost();
}

void Model::OnStorage(const Event& ev) {
  Process* p = Emitter(ev);
  if (p == nullptr) return;
  std::string problem = shmem_.Apply(ev);
  if (!problem.empty()) {
    Record(AnomalyKind::kBadField, ev.ts, ev.pid, std::move(problem));
    return;
  }
  // A page read while a query runs is listed under that query.
  if (ev.type == EventType::kBufferRead && p->query.Running()) {
    const BufferInfo* b = shmem_.Buffer(static_cast<size_t>(ev.Int("buffer").value_or(0)));
    AddPageRead(p->query, PageReadInfo{b ? shmem_.RelationLabel(b->rel) : ev.StrOr("rel"),
                                       ev.StrOr("fork", "main"), ev.Int("block").value_or(0),
                                       ev.Int("buffer").value_or(0), ev.Bool("hit").value_or(false),
                                       ev.ts});
  }
}

void Model::OnTransaction(const Event& ev) {
  if (Emitter(ev) == nullptr) return;
  if (std::string problem = txns_.Apply(ev); !problem.empty()) {
    Record(AnomalyKind::kBadField, ev.ts, ev.pid, std::move(problem));
  }
}

void Model::OnPostmasterExit(const Event& ev) {
  Process* p = Emitter(ev);
  if (p == nullptr) return;
  p->exit_code = ev.Int("exit_code").value_or(0);
  p->exit_status = fmt::format("exited with exit code {}", *p->exit_code);
  p->crashed = *p->exit_code != 0;
  server_.postmaster_exit_code = p->exit_code;
  MarkExited(*p, ev.ts);
  // The event collector goes after its postmaster, unannounced.
  EndServer(ev.pid, ev.ts, "stopped with its postmaster");
}

void Model::OnDropped(const Event& ev) {
  int64_t count = ev.Int("count").value_or(0);
  if (count > 0) server_dropped_ += static_cast<uint64_t>(count);
  Record(AnomalyKind::kDroppedEvents, ev.ts, ev.pid,
         fmt::format("pid {} dropped {} events (its channel was full)", ev.pid, count));
}

void Model::OnRejected(const Event& ev) {
  Process* p = Emitter(ev);
  if (p == nullptr) return;
  p->last_error = fmt::format("rejected {}: {}", ev.StrOr("sqlstate"), ev.StrOr("message"));
  p->disconnect_reason = "rejected";
}

}  // namespace minipg::viz
