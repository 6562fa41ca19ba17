/*-------------------------------------------------------------------------
 * runner.cpp
 *   Playing a scenario's steps (see runner.h): setup, one function per
 *   step kind, and the teardown that leaves nothing running.
 *-------------------------------------------------------------------------
 */
#include "sim/scenario/runner.h"

#include "sim/minipsql/printer.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <iostream>
#include <thread>

namespace minipg::sim {

namespace {

int SignalNumber(const std::string& name) {
  static const std::map<std::string, int> kSignals = {
      {"SIGTERM", SIGTERM}, {"SIGINT", SIGINT},   {"SIGQUIT", SIGQUIT},
      {"SIGHUP", SIGHUP},   {"SIGKILL", SIGKILL}, {"SIGSEGV", SIGSEGV}};
  auto it = kSignals.find(name);
  return it == kSignals.end() ? 0 : it->second;
}

std::string Millis(int64_t micros) {
  return micros % 1000000 == 0 ? fmt::format("{}s", micros / 1000000)
                               : fmt::format("{}ms", micros / 1000);
}

/* "do: repeat 10 (connect, query, disconnect)": a block in one line. */
std::string DescribeBlock(const Action& a) {
  std::vector<std::string> parts;
  for (const Action& inner : a.body) {
    switch (inner.verb) {
      case ActionVerb::kConnect: parts.push_back("connect"); break;
      case ActionVerb::kQuery: parts.push_back(inner.sql); break;
      case ActionVerb::kCopyIn: parts.push_back("copy-in " + inner.table); break;
      case ActionVerb::kIdle: parts.push_back("idle " + Millis(inner.micros)); break;
      case ActionVerb::kDisconnect: parts.push_back("disconnect"); break;
      case ActionVerb::kVanish: parts.push_back("vanish"); break;
      case ActionVerb::kStall: parts.push_back("stall"); break;
      case ActionVerb::kCancel: parts.push_back("cancel"); break;
      case ActionVerb::kRepeat:
      case ActionVerb::kDo: parts.push_back(DescribeBlock(inner)); break;
    }
  }
  std::string head = a.verb == ActionVerb::kRepeat ? fmt::format("repeat {}", a.count) : "do";
  return fmt::format("{} ({})", head, fmt::join(parts, "; "));
}

}  // namespace

std::string ClientHome(const std::string& client) {
  return "/home/" + client;
}

std::filesystem::path Runner::ClientFile(const std::string& file) const {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path folder = fs::absolute(scenario_.path, ec).parent_path();
  if (file.starts_with("~/")) return (folder / file.substr(2)).lexically_normal();
  fs::path p(file);
  return p.is_absolute() ? p : (folder / p).lexically_normal();
}

std::string DescribeFailure(const Outcome& o) {
  if (o.client_side()) return fmt::format("{} (in the client: no SQLSTATE)", o.message);
  return fmt::format("{}:  {} ({})", o.severity, o.message, o.sqlstate);
}

Runner::Runner(const Scenario& scenario, RunOptions options)
    : scenario_(scenario), options_(std::move(options)) {}

Runner::~Runner() {
  Teardown();
}

void Runner::Say(const std::string& text) {
  std::fputs(text.c_str(), options_.out);
  std::fputc('\n', options_.out);
  std::fflush(options_.out);
}

client::ConnectOptions Runner::OptionsFor(const ClientDef& def, int member) const {
  client::ConnectOptions o;
  o.host = def.tcp ? host_ : socket_dir_;
  o.port = port_;
  o.user = def.user.empty() ? default_user_ : def.user;
  o.database = def.database.empty() ? "postgres" : def.database;
  std::string name = member > 0 ? fmt::format("{}{}", def.name, member) : def.name;
  o.application_name = def.application_name.empty() ? name : def.application_name;
  o.password = def.password;
  o.local_address = def.tcp ? def.from : std::string();
  o.connect_timeout_ms = 10000;
  return o;
}

client::ConnectOptions Runner::OwnOptions(const std::string& application_name, int timeout_ms) const {
  client::ConnectOptions o;
  o.host = socket_dir_;
  o.port = port_;
  o.user = default_user_;
  o.database = "postgres";
  o.application_name = application_name;
  o.connect_timeout_ms = timeout_ms;
  return o;
}

Status Runner::OpenLink() {
  link_.Close();
  Status s = link_.Open(event_port_);
  if (!s.ok()) return s;
  link_.Sync();  // the snapshot of live processes has arrived
  return OkStatus();
}

Status Runner::Setup() {
  default_user_ = options_.user.empty() ? client::OsUser() : options_.user;
  if (options_.server.empty()) {
    server_ = std::make_unique<ServerProcess>(scenario_.settings, scenario_.hba_lines, options_.event_port);
    if (Status s = server_->Start(); !s.ok()) return s;
    host_ = "127.0.0.1";
    port_ = server_->port();
    event_port_ = server_->event_port();
    socket_dir_ = server_->data_dir().string();
    Say(fmt::format("minipg-sim: started minipg (pid {}) in {} on port {}", server_->pid(),
                    server_->data_dir().string(), port_));
  } else {
    auto colon = options_.server.rfind(':');
    if (colon == std::string::npos) {
      return MakeError("22023", fmt::format("--server must be HOST:PORT, not \"{}\"", options_.server));
    }
    host_ = options_.server.substr(0, colon);
    port_ = std::atoi(options_.server.c_str() + colon + 1);
    event_port_ = options_.event_port > 0 ? options_.event_port : port_ + 1;
    socket_dir_ = options_.socket_dir;
    if (!options_.setup_applied && (!scenario_.settings.empty() || !scenario_.hba_lines.empty())) {
      Say("minipg-sim: note: with --server, the scenario's server and hba lines are the server's own business");
    }
  }
  if (Status s = OpenLink(); !s.ok()) {
    return MakeError(s.error().sqlstate, fmt::format("could not read the event stream on port {}: {}",
                                             event_port_, s.error().message));
  }
  // Start from a quiet server: the start-up probe's backend has gone, and
  // only what the scenario does counts as its events.
  for (int i = 0; i < 250 && link_.LiveBackends() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    link_.Sync();
  }
  link_.ClearEvents();
  for (const ClientDef& def : scenario_.clients) {
    if (def.count == 0) {
      clients_[def.name] = std::make_unique<SimClient>(def.name, OptionsFor(def, 0), def.tcp, &link_);
      continue;
    }
    for (int i = 1; i <= def.count; ++i) {
      std::string name = fmt::format("{}{}", def.name, i);
      clients_[name] = std::make_unique<SimClient>(name, OptionsFor(def, i), def.tcp, &link_);
      groups_[def.name].push_back(name);
    }
  }
  SendScenarioStart();
  return OkStatus();
}

void Runner::SendScenarioStart() {
  link_.Send("scenario_start", {{"title", scenario_.title},
                                {"goal", scenario_.goal},
                                {"file", scenario_.path.string()}});
}

void Runner::Teardown() {
  if (stepper_) stepper_->Close();  // its session's end lets every backend it stepped go on
  stepper_.reset();
  // Work a scenario left running in the background (never waited for) is
  // cancelled, as a user's Ctrl-C would, rather than waited out.
  for (auto& [name, c] : clients_) {
    if (!c->Idle()) (void)c->Cancel();
  }
  for (auto& [name, c] : clients_) c->WaitIdle();
  clients_.clear();  // each disconnects politely
  link_.Close();
  if (server_) {
    (void)server_->Stop(SIGINT);
    server_.reset();  // removes the temporary data directory
  }
}

RunStatus Runner::Run() {
  Say(fmt::format("== {}", scenario_.title));
  if (!scenario_.goal.empty()) Say(fmt::format("   {}", scenario_.goal));
  if (Status s = Setup(); !s.ok()) {
    Say(fmt::format("minipg-sim: {}", s.error().message));
    Teardown();
    return kRunBroken;
  }
  for (const Step& step : scenario_.steps) RunStep(step);
  bool passed = failures_ == 0;
  HoldCaption();
  link_.Send("scenario_end", {{"passed", passed}, {"failures", failures_}});
  link_.Sync();
  Say(fmt::format("\n{}: {} expectation{}, {} failed: {}", scenario_.title, expectations_,
                  expectations_ == 1 ? "" : "s", failures_, passed ? "PASSED" : "FAILED"));
  Teardown();
  return passed ? kRunPassed : kRunFailed;
}

SimClient* Runner::Find(const std::string& name) {
  auto it = clients_.find(name);
  return it == clients_.end() ? nullptr : it->second.get();
}

std::vector<SimClient*> Runner::Members(const std::string& target) {
  std::vector<SimClient*> out;
  if (auto g = groups_.find(target); g != groups_.end()) {
    for (const std::string& name : g->second) out.push_back(Find(name));
  } else if (SimClient* c = Find(target)) {
    out.push_back(c);
  }
  return out;
}

std::string Runner::Expand(const std::string& text) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t open = text.find("${", i);
    size_t close = open == std::string::npos ? open : text.find('}', open);
    if (close == std::string::npos) {
      out += text.substr(i);
      break;
    }
    out += text.substr(i, open - i);
    std::string var = text.substr(open + 2, close - open - 2);
    std::string value = "${" + var + "}";
    auto dot = var.find('.');
    if (var == "port") {
      value = std::to_string(port_);
    } else if (dot != std::string::npos) {
      SimClient* c = Find(var.substr(0, dot));
      std::string field = var.substr(dot + 1);
      if (c != nullptr && field == "pid") value = std::to_string(c->backend_pid());
      if (c != nullptr && field == "value") value = c->Last().first_value.value_or("");
      if (c != nullptr && field == "home") value = ClientHome(c->name());
    }
    out += value;
    i = close + 1;
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> Runner::ExpandFields(
    const std::vector<std::pair<std::string, std::string>>& fields) {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(fields.size());
  for (const auto& [k, v] : fields) out.emplace_back(k, Expand(v));
  return out;
}

void Runner::HoldCaption() {
  if (options_.hold_micros > 0 && captions_ > 0 && !snapshot_held_) {
    link_.Sync();  // everything the last section did has reached the stream
    std::this_thread::sleep_for(std::chrono::microseconds(options_.hold_micros));
  }
}

void Runner::SleepMicros(int64_t micros) {
  auto scaled = static_cast<int64_t>(static_cast<double>(micros) / options_.speed);
  std::this_thread::sleep_for(std::chrono::microseconds(scaled));
}

void Runner::RunStep(const Step& step) {
  switch (step.kind) {
    case StepKind::kCaption: {
      std::string text = Expand(step.text);
      HoldCaption();  // the previous caption's outcome stays on screen a while
      ++captions_;
      snapshot_held_ = false;
      Say(fmt::format("\n[{}] {}", captions_, text));
      last_caption_ = {{"text", text}, {"step", captions_}, {"line", step.line}};
      link_.Send("caption", last_caption_);
      if (options_.step) {
        std::fputs("    (Enter to go on) ", options_.out);
        std::fflush(options_.out);
        std::string ignored;
        std::getline(std::cin, ignored);
      }
      break;
    }
    case StepKind::kPause:
      if (options_.step) {
        std::fputs("    (paused: Enter to go on) ", options_.out);
        std::fflush(options_.out);
        std::string ignored;
        std::getline(std::cin, ignored);
      }
      break;
    case StepKind::kSleep:
      Say(fmt::format("    sleep {}", Millis(step.micros)));
      SleepMicros(step.micros);
      break;
    case StepKind::kAction:
      RunAction(step);
      break;
    case StepKind::kWait: {
      std::vector<SimClient*> who;
      if (step.target.empty()) {
        for (auto& [name, c] : clients_) who.push_back(c.get());
      } else {
        who = Members(step.target);
      }
      int64_t queries = 0, errors = 0;
      auto since = std::chrono::steady_clock::now();
      for (SimClient* c : who) {
        c->WaitIdle();
        queries += c->queries();
        errors += c->errors();
        if (auto it = busy_since_.find(c); it != busy_since_.end()) {
          since = std::min(since, it->second);
          busy_since_.erase(it);
        }
      }
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - since)
                    .count();
      Say(fmt::format("    wait {}: done after {} ms ({} queries, {} errors so far)",
                      step.target.empty() ? "(everyone)" : step.target, ms, queries, errors));
      for (SimClient* c : who) {  // one example of what went wrong, if anything did
        if (Outcome o = c->Last(); !o.ok) {
          Say(fmt::format("      e.g. {}: {}", c->name(), DescribeFailure(o)));
          break;
        }
      }
      break;
    }
    case StepKind::kWaitUntil:
      Check(step, true);
      break;
    case StepKind::kExpect:
      Check(step, false);
      break;
    case StepKind::kSignal:
      Signal(step);
      break;
    case StepKind::kServer:
      Server(step);
      break;
    case StepKind::kSnapshot:
      Snapshot(step);
      break;
    case StepKind::kStep:
      Stepping(step);
      break;
  }
}

void Runner::Snapshot(const Step& step) {
  Say("    snapshot");
  if (captions_ == 0 || snapshot_held_) return;  // no caption yet, or its picture is taken
  link_.Sync();  // what the steps so far did is in the stream before the marker
  link_.Send("caption_snapshot", {{"step", captions_}, {"line", step.line}});
  snapshot_held_ = true;  // the next caption need not hold this one again
  if (options_.hold_micros > 0) {
    link_.Sync();
    std::this_thread::sleep_for(std::chrono::microseconds(options_.hold_micros));
  }
}

void Runner::RunAction(const Step& step) {
  std::vector<SimClient*> who = Members(step.target);
  const Action& a = step.action;
  std::string what;
  switch (a.verb) {
    case ActionVerb::kConnect: what = "connect"; break;
    case ActionVerb::kQuery: what = Expand(a.sql); break;
    case ActionVerb::kCopyIn:
      what = fmt::format("copy-in {} from its file {} ({})", a.table, a.file, ClientFile(a.file).string());
      break;
    case ActionVerb::kIdle: what = fmt::format("idle {}", Millis(a.micros)); break;
    case ActionVerb::kDisconnect: what = "disconnect"; break;
    case ActionVerb::kVanish: what = "vanish (no Terminate)"; break;
    case ActionVerb::kStall: what = "stall (connect, send nothing)"; break;
    case ActionVerb::kCancel: what = "cancel"; break;
    case ActionVerb::kRepeat:
    case ActionVerb::kDo: what = DescribeBlock(a); break;
  }
  Say(fmt::format("    {}: {}{}", step.target, what, step.background ? "   &" : ""));
  if (a.verb == ActionVerb::kVanish) {  // at once, as a killed client: its thread may be in a query
    for (SimClient* c : who) c->VanishNow();
  }
  if (a.verb == ActionVerb::kCancel) {  // on our thread: the client's own may be blocked
    for (SimClient* c : who) {
      if (Status s = c->Cancel(); !s.ok()) Say(fmt::format("      cancel failed: {}", s.error().message));
    }
    return;
  }
  for (SimClient* c : who) {
    c->Post([this, c, a] { Perform(*c, a); });
  }
  if (step.background) {
    auto now = std::chrono::steady_clock::now();
    for (SimClient* c : who) busy_since_.emplace(c, now);
    return;
  }
  for (SimClient* c : who) c->WaitIdle();
  bool answers = a.verb == ActionVerb::kConnect || a.verb == ActionVerb::kQuery || a.verb == ActionVerb::kCopyIn;
  if (who.size() == 1 && answers) {
    Outcome o = who[0]->Last();
    if (!o.ok) {
      Say(fmt::format("      -> {}", DescribeFailure(o)));
    } else if (a.verb == ActionVerb::kConnect) {
      Say(fmt::format("      -> connected; its backend is pid {}", who[0]->backend_pid()));
    } else {
      SayResults(o);
    }
  }
}

/* As psql prints them: a table with its header and "(N rows)" for a
 * statement that returns rows, its command tag for one that does not. */
void Runner::SayResults(const Outcome& o) {
  if (o.results == nullptr || o.results->empty()) {
    Say(fmt::format("      -> {}", o.tag));
    return;
  }
  for (const client::StatementResult& st : *o.results) {
    std::string text;
    if (st.fields.empty()) {
      Say(fmt::format("      -> {}", st.tag));
      continue;
    }
    if (st.rows.size() <= kMaxRowsShown) {
      text = minipsql::FormatResult(st);
    } else {  // a long result: its first rows, and how many there were
      client::StatementResult head = st;
      head.rows.resize(kMaxRowsShown);
      minipsql::PrintOptions opts;
      opts.footer = false;
      text = minipsql::FormatResult(head, opts);
      while (!text.empty() && text.back() == '\n') text.pop_back();
      text += fmt::format("\n...\n({} rows, the first {} shown)", st.rows.size(), kMaxRowsShown);
    }
    while (!text.empty() && text.back() == '\n') text.pop_back();
    std::string indented;
    size_t start = 0;
    while (start <= text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      indented += fmt::format("{}      {}", indented.empty() ? "" : "\n", text.substr(start, end - start));
      start = end + 1;
    }
    Say(indented);
  }
}

/* On the client's thread. */
void Runner::Perform(SimClient& c, const Action& a) {
  switch (a.verb) {
    case ActionVerb::kConnect: c.Connect(); break;
    case ActionVerb::kQuery: c.Query(Expand(a.sql)); break;
    case ActionVerb::kCopyIn: c.CopyIn(a.table, ClientFile(a.file), a.csv); break;
    case ActionVerb::kIdle: SleepMicros(a.micros); break;
    case ActionVerb::kDisconnect: c.Disconnect(); break;
    case ActionVerb::kVanish: c.Vanish(); break;
    case ActionVerb::kStall: c.Stall(); break;
    case ActionVerb::kCancel: (void)c.Cancel(); break;
    case ActionVerb::kRepeat:
      for (int i = 0; i < a.count; ++i) {
        for (const Action& inner : a.body) Perform(c, inner);
      }
      break;
    case ActionVerb::kDo:
      for (const Action& inner : a.body) Perform(c, inner);
      break;
  }
}

void Runner::Check(const Step& step, bool waiting) {
  const Condition& cond = step.condition;
  std::string text = DescribeCondition(cond);
  std::string got;
  bool ok;
  if (waiting) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(step.micros);
    for (;;) {
      ok = Holds(cond, got);
      if (ok || std::chrono::steady_clock::now() >= deadline) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  } else {
    ok = Holds(cond, got);
  }
  ++expectations_;
  if (!ok) ++failures_;
  std::string verb = waiting ? "wait until" : "expect";
  if (ok) {
    Say(fmt::format("    ok    {} {}", verb, text));
  } else {
    Say(fmt::format("    FAIL  {}:{}: {} {}: {}{}", scenario_.path.filename().string(), step.line,
                    verb, text, got, waiting ? fmt::format(" (after {})", Millis(step.micros)) : ""));
  }
  link_.Send("expect", {{"line", step.line}, {"text", verb + " " + text}, {"ok", ok}});
}

bool Runner::Holds(const Condition& cond, std::string& got) {
  using Kind = Condition::Kind;
  SimClient* c = Find(cond.client);
  auto compare = [](int64_t a, Compare op, int64_t b) {
    switch (op) {
      case Compare::kEq: return a == b;
      case Compare::kNe: return a != b;
      case Compare::kLt: return a < b;
      case Compare::kLe: return a <= b;
      case Compare::kGt: return a > b;
      case Compare::kGe: return a >= b;
    }
    return false;
  };
  auto outcome = [&](const Outcome& o) {
    if (o.ok) return std::string("it succeeded");
    if (o.client_side()) return fmt::format("it failed in the client ({})", o.message);
    return fmt::format("it got {} {} ({})", o.severity, o.sqlstate, o.message);
  };
  switch (cond.kind) {
    case Kind::kOk: {
      Outcome o = c->Last();
      got = outcome(o);
      return o.ok;
    }
    case Kind::kError: {
      Outcome o = c->Last();
      got = outcome(o);
      return !o.ok && (cond.text.empty() || o.sqlstate == cond.text);
    }
    case Kind::kValue: {
      Outcome o = c->Last();
      got = o.first_value ? fmt::format("the value was \"{}\"", *o.first_value) : "there was no value";
      return o.ok && o.first_value == Expand(cond.text);
    }
    case Kind::kSaid: {
      Outcome o = c->Last();
      std::string want = Expand(cond.text);
      for (const std::string& said : o.said) {
        if (said.find(want) != std::string::npos) return true;
      }
      got = o.said.empty() ? "the server said nothing more"
                           : fmt::format("it said \"{}\"", fmt::join(o.said, "\" and \""));
      return false;
    }
    case Kind::kRows: {
      Outcome o = c->Last();
      got = o.ok ? fmt::format("it had {} rows", o.rows) : outcome(o);
      return o.ok && compare(o.rows, cond.compare, cond.number);
    }
    case Kind::kPidSame:
    case Kind::kPidChanged: {
      int now = c->backend_pid(), before = c->previous_pid();
      got = fmt::format("pid {} before, {} now", before, now);
      return before != 0 && (cond.kind == Kind::kPidSame) == (now == before);
    }
    case Kind::kPidsDistinct: {
      std::map<int, std::string> seen;
      for (SimClient* m : Members(cond.client)) {
        int pid = m->backend_pid();
        if (pid == 0 || seen.count(pid)) {
          got = pid == 0 ? fmt::format("{} has no backend", m->name())
                         : fmt::format("{} and {} share pid {}", seen[pid], m->name(), pid);
          return false;
        }
        seen[pid] = m->name();
      }
      return true;
    }
    case Kind::kConnected:
    case Kind::kDisconnected: {
      bool connected = c->Connected();
      got = connected ? "it is connected" : "it is not connected";
      return connected == (cond.kind == Kind::kConnected);
    }
    case Kind::kState: {
      link_.Sync();
      std::string state = link_.BackendState(c->backend_pid());
      got = state.empty() ? "its backend is gone" : fmt::format("its backend is {}", state);
      return state == cond.text;
    }
    case Kind::kBackends: {
      link_.Sync();
      int n = link_.LiveBackends();
      got = fmt::format("there are {}", n);
      return compare(n, cond.compare, cond.number);
    }
    case Kind::kEvent:
    case Kind::kNoEvent: {
      link_.Sync();
      size_t n = link_.CountEvents(cond.text, ExpandFields(cond.fields));
      got = fmt::format("{} such event{}", n, n == 1 ? "" : "s");
      return (n > 0) == (cond.kind == Kind::kEvent);
    }
    case Kind::kEventCount: {
      link_.Sync();
      auto n = static_cast<int64_t>(link_.CountEvents(cond.text, ExpandFields(cond.fields)));
      got = fmt::format("there were {}", n);
      return compare(n, cond.compare, cond.number);
    }
    case Kind::kStopped:
      return Stopped(cond, got);
    case Kind::kAccepting: {
      auto conn = client::Connection::Connect(OwnOptions("minipg-sim probe", 2000));
      if (!conn.ok()) {
        got = conn.error().message;
        return false;
      }
      (*conn)->Close();
      return true;
    }
  }
  return false;
}

void Runner::Signal(const Step& step) {
  int sig = SignalNumber(step.text);
  pid_t pid = 0;
  if (step.target == "postmaster") {
    pid = server_ ? server_->pid() : link_.PostmasterPid();
  } else if (SimClient* c = Find(step.target)) {
    pid = c->backend_pid();
  }
  Say(fmt::format("    signal {} (pid {}) {}", step.target, pid, step.text));
  if (pid <= 0 || sig == 0 || kill(pid, sig) != 0) {
    ++failures_;
    Say(fmt::format("    FAIL  {}:{}: could not send {} to {}: {}", scenario_.path.filename().string(),
                    step.line, step.text, step.target, pid <= 0 ? "no such process" : std::strerror(errno)));
  }
}

void Runner::Server(const Step& step) {
  if (!server_) {
    ++failures_;
    Say(fmt::format("    FAIL  {}:{}: server {} needs minipg-sim's own server (not --server)",
                    scenario_.path.filename().string(), step.line, step.text));
    return;
  }
  if (step.text == "start") {
    Say("    server start");
    Status s = server_->Start();
    if (s.ok()) s = OpenLink();
    if (s.ok()) {
      // A new server's stream knows nothing of the lesson, and a caption
      // said while no server ran reached no one: both are said again.
      SendScenarioStart();
      if (!last_caption_.is_null()) link_.Send("caption", last_caption_);
      HoldCaption();  // a viewer making pictures has to find the new server first
    }
    if (!s.ok()) {
      ++failures_;
      Say(fmt::format("    FAIL  {}:{}: {}", scenario_.path.filename().string(), step.line, s.error().message));
    }
    return;
  }
  int sig = step.mode == "smart" ? SIGTERM : step.mode == "immediate" ? SIGQUIT : SIGINT;
  Say(fmt::format("    server stop ({} shutdown: {})", step.mode.empty() ? "fast" : step.mode,
                  sig == SIGTERM ? "SIGTERM" : sig == SIGQUIT ? "SIGQUIT" : "SIGINT"));
  if (Status s = server_->Stop(sig); !s.ok()) {
    ++failures_;
    Say(fmt::format("    FAIL  {}:{}: {}", scenario_.path.filename().string(), step.line, s.error().message));
  }
}

std::string DescribeCondition(const Condition& c) {
  using Kind = Condition::Kind;
  static const char* kOps[] = {"=", "!=", "<", "<=", ">", ">="};
  const char* op = kOps[static_cast<int>(c.compare)];
  std::string fields;
  for (const auto& [k, v] : c.fields) fields += fmt::format(" {}={}", k, v);
  switch (c.kind) {
    case Kind::kOk: return c.client + " ok";
    case Kind::kError: return c.client + (c.text.empty() ? " error" : " error " + c.text);
    case Kind::kValue: return c.client + " value " + c.text;
    case Kind::kRows: return fmt::format("{} rows {} {}", c.client, op, c.number);
    case Kind::kPidSame: return c.client + " pid same";
    case Kind::kPidChanged: return c.client + " pid changed";
    case Kind::kPidsDistinct: return c.client + " pids distinct";
    case Kind::kConnected: return c.client + " connected";
    case Kind::kDisconnected: return c.client + " disconnected";
    case Kind::kState: return c.client + " state " + c.text;
    case Kind::kBackends: return fmt::format("backends {} {}", op, c.number);
    case Kind::kEvent: return "event " + c.text + fields;
    case Kind::kNoEvent: return "no event " + c.text + fields;
    case Kind::kAccepting: return "server accepting";
    case Kind::kEventCount: return fmt::format("events {}{} {} {}", c.text, fields, op, c.number);
    case Kind::kSaid: return c.client + " said " + c.text;
    case Kind::kStopped:
      return c.client + " stopped" + (c.text.empty() ? "" : " at " + c.text) + (c.node.empty() ? "" : " " + c.node);
  }
  return "?";
}

}  // namespace minipg::sim
