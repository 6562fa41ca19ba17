/*-------------------------------------------------------------------------
 * parser.cpp
 *   The scenario language's parser (docs/scenarios.md): text in, a
 *   Scenario (scenario.h) out, or the first error as "FILE:LINE: ...".
 *
 *   One step per line. The first word says what the line is: a setup
 *   keyword (title, goal, server, hba, client), a step keyword (caption,
 *   pause, snapshot, sleep, wait, expect, signal), or the name of a client, whose
 *   step follows. `NAME do` opens a block of client steps, and `repeat N`
 *   inside it another; `end` closes the innermost.
 *
 * NOTES
 *   The text of goal, title, caption, a query's SQL, an expected value and what was said
 *   is the rest of the line as written ('#' included); elsewhere '#' after
 *   a space starts a comment.
 *-------------------------------------------------------------------------
 */
#include <fmt/format.h>

#include <cctype>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "sim/scenario/scenario.h"
#include "sim/scenario/stepping.h"

namespace minipg::sim {

namespace {

constexpr const char* kSyntaxError = "42601";

/* Words that begin lines or name targets, so no client may be called so. */
const std::set<std::string> kReserved = {"title", "goal",   "server",  "hba",      "client",
                                         "caption", "pause", "sleep",  "wait",     "expect",
                                         "signal", "end",    "repeat", "postmaster", "backends",
                                         "event",  "events", "no",     "until",    "do",
                                         "snapshot", "step"};

const std::set<std::string> kSignals = {"SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP", "SIGKILL", "SIGSEGV"};

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::vector<std::string> Words(std::string_view s) {
  std::vector<std::string> out;
  std::istringstream in{std::string(s)};
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

/* The text after the first `n` words of `line`, as written. */
std::string RestAfter(const std::string& line, size_t n) {
  size_t i = 0;
  for (size_t w = 0; w < n; ++w) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) ++i;
  }
  return Trim(std::string_view(line).substr(i));
}

/* Drops a comment: '#' at the start or after whitespace. */
std::string StripComment(const std::string& line) {
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '#' && (i == 0 || std::isspace(static_cast<unsigned char>(line[i - 1])))) {
      return Trim(std::string_view(line).substr(0, i));
    }
  }
  return line;
}

bool IsName(const std::string& s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

std::optional<Compare> ParseCompare(const std::string& op) {
  static const std::map<std::string, Compare> kOps = {{"=", Compare::kEq}, {"!=", Compare::kNe},
                                                      {"<", Compare::kLt}, {"<=", Compare::kLe},
                                                      {">", Compare::kGt}, {">=", Compare::kGe}};
  auto it = kOps.find(op);
  return it == kOps.end() ? std::nullopt : std::optional<Compare>(it->second);
}

std::optional<int64_t> ParseCount(const std::string& s) {
  if (s.empty() || s.size() > 9) return std::nullopt;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  }
  return std::stoll(s);
}

bool IsSqlstate(const std::string& s) {
  if (s.size() != 5) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c)) && !std::isupper(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

class Parser {
 public:
  explicit Parser(const std::filesystem::path& path) : file_(path.filename().string()) {
    scenario_.path = path;
    scenario_.title = path.stem().string();
  }

  Result<Scenario> Parse(std::string_view text) {
    std::istringstream in{std::string(text)};
    std::string raw;
    for (int no = 1; std::getline(in, raw); ++no) {
      line_ = no;
      std::string line = Trim(raw);
      if (line.empty() || line[0] == '#') continue;
      if (Status s = Line(line); !s.ok()) return s.error();
    }
    if (!blocks_.empty()) {
      line_ = blocks_.back().line;
      return Err(fmt::format("this \"{}\" block has no \"end\"",
                             blocks_.back().action->verb == ActionVerb::kDo ? "do" : "repeat"));
    }
    return std::move(scenario_);
  }

 private:
  struct Block {
    Action* action;
    int line;
  };

  Error Err(std::string what) const {
    return MakeError(kSyntaxError, fmt::format("{}:{}: {}", file_, line_, what));
  }
  static std::string Found(const std::vector<std::string>& w, size_t i) {
    return i < w.size() ? fmt::format("found \"{}\"", w[i]) : std::string("found the end of the line");
  }

  Status Line(const std::string& line) {
    std::vector<std::string> all = Words(line);
    const std::string& first = all[0];
    if (!blocks_.empty()) return BlockLine(line);  // client steps only, until "end"
    if (first == "title" || first == "goal" || first == "caption") {
      std::string rest = RestAfter(line, 1);
      if (rest.empty()) return Err(fmt::format("expected text after \"{}\"", first));
      if (first == "title") scenario_.title = rest;
      if (first == "goal") scenario_.goal += (scenario_.goal.empty() ? "" : " ") + rest;
      if (first == "caption") {
        Step c = At(StepKind::kCaption);
        c.text = rest;
        Add(std::move(c));
      }
      return OkStatus();
    }
    std::vector<std::string> w = Words(StripComment(line));
    if (first == "hba") return Hba(w);
    if (first == "client") return Client(w);
    if (first == "server") return ServerLine(w);
    if (first == "pause") return NoArgs(w, At(StepKind::kPause));
    if (first == "snapshot") return NoArgs(w, At(StepKind::kSnapshot));
    if (first == "sleep") {
      if (w.size() != 2) return Err(fmt::format("expected \"sleep DURATION\", {}", Found(w, 2)));
      auto d = Duration(w[1]);
      if (!d.ok()) return d.error();
      Step s = At(StepKind::kSleep);
      s.micros = *d;
      Add(std::move(s));
      return OkStatus();
    }
    if (first == "wait") return Wait(w);
    if (first == "expect") {
      Step s = At(StepKind::kExpect);
      auto c = ParseCondition(w, 1, RestAfter(line, 1));
      if (!c.ok()) return c.error();
      s.condition = std::move(*c);
      Add(std::move(s));
      return OkStatus();
    }
    if (first == "signal") return SignalLine(w);
    if (first == "step") return StepLine(w);
    if (first == "end") return Err("\"end\" without a \"do\" or \"repeat\" block");
    if (first == "repeat") return Err("\"repeat\" is only allowed inside a \"NAME do\" block");
    if (!IsTarget(first)) {
      return Err(fmt::format("expected a step keyword or a client declared with \"client\", found \"{}\"",
                             first));
    }
    return TopAction(line, w);
  }

  void Add(Step step) { scenario_.steps.push_back(std::move(step)); }
  Step At(StepKind kind) const {
    Step s;
    s.kind = kind;
    s.line = line_;
    return s;
  }

  Status NoArgs(const std::vector<std::string>& w, Step step) {
    if (w.size() != 1) return Err(fmt::format("\"{}\" takes nothing after it, {}", w[0], Found(w, 1)));
    Add(std::move(step));
    return OkStatus();
  }

  Result<int64_t> Duration(const std::string& text) {
    auto d = ParseDuration(text);
    if (!d.ok()) return Err(fmt::format("expected a duration such as 500ms or 2s, found \"{}\"", text));
    return d;
  }

  Status Hba(const std::vector<std::string>& w) {
    bool local = w.size() > 1 && w[1] == "local";
    size_t want = local ? 5 : 6;
    if (w.size() < 2 || (w[1] != "local" && w[1] != "host")) {
      return Err(fmt::format("expected \"hba local|host ...\", {}", Found(w, 1)));
    }
    if (w.size() < want) {
      return Err(fmt::format("expected \"hba {} DATABASE USER{} METHOD\", {}", w[1], local ? "" : " ADDRESS",
                             Found(w, w.size())));
    }
    std::string text;
    for (size_t i = 1; i < w.size(); ++i) text += (i > 1 ? " " : "") + w[i];
    scenario_.hba_lines.push_back(text);
    return OkStatus();
  }

  Status Client(const std::vector<std::string>& w) {
    if (w.size() < 2 || !IsName(w[1])) {
      return Err(fmt::format("expected \"client NAME [xN] [key=value ...]\", {}", Found(w, 1)));
    }
    ClientDef def;
    def.name = w[1];
    def.line = line_;
    if (kReserved.count(def.name)) return Err(fmt::format("\"{}\" is a keyword, not a client name", def.name));
    size_t i = 2;
    if (i < w.size() && w[i].size() > 1 && w[i][0] == 'x' && ParseCount(w[i].substr(1))) {
      int64_t count = *ParseCount(w[i].substr(1));
      if (count < 1) return Err("a group needs at least one client (x1 or more)");
      if (count > kMaxScenarioClients - declared_clients_) {
        return Err(fmt::format("a scenario may declare at most {} clients", kMaxScenarioClients));
      }
      def.count = static_cast<int>(count);
      ++i;
    }
    for (; i < w.size(); ++i) {
      auto eq = w[i].find('=');
      if (eq == std::string::npos || eq == 0) {
        return Err(fmt::format("expected key=value (user, database, app, transport, from, password), found \"{}\"",
                               w[i]));
      }
      std::string key = w[i].substr(0, eq), value = w[i].substr(eq + 1);
      if (key == "user") {
        def.user = value;
      } else if (key == "database") {
        def.database = value;
      } else if (key == "app") {
        def.application_name = value;
      } else if (key == "password") {
        def.password = value;
      } else if (key == "from") {
        def.from = value;
      } else if (key == "transport") {
        if (value != "unix" && value != "tcp") {
          return Err(fmt::format("expected transport=unix or transport=tcp, found \"{}\"", w[i]));
        }
        def.tcp = value == "tcp";
      } else {
        return Err(fmt::format("unknown client key \"{}\" (expected user, database, app, transport, from, password)",
                               key));
      }
    }
    if (!def.from.empty() && !def.tcp) return Err("from= needs transport=tcp");
    if (def.count == 0 && declared_clients_ >= kMaxScenarioClients) {
      return Err(fmt::format("a scenario may declare at most {} clients", kMaxScenarioClients));
    }
    declared_clients_ += def.count > 0 ? def.count : 1;
    std::vector<std::string> names = {def.name};
    for (int m = 1; m <= def.count; ++m) names.push_back(fmt::format("{}{}", def.name, m));
    for (const std::string& n : names) {
      if (IsTarget(n)) return Err(fmt::format("client \"{}\" is declared twice", n));
    }
    if (def.count > 0) {
      groups_[def.name] = def.count;
    } else {
      singles_.insert(def.name);
    }
    scenario_.clients.push_back(std::move(def));
    return OkStatus();
  }

  /* A declared client, a group, or a group's member (web3). */
  bool IsTarget(const std::string& name) const {
    if (singles_.count(name) || groups_.count(name)) return true;
    return IsMember(name);
  }
  bool IsMember(const std::string& name) const {
    for (const auto& [group, count] : groups_) {
      if (name.size() > group.size() && name.compare(0, group.size(), group) == 0) {
        auto n = ParseCount(name.substr(group.size()));
        if (n && *n >= 1 && *n <= count && name.substr(group.size())[0] != '0') return true;
      }
    }
    return false;
  }
  Status RequireClient(const std::string& name) const {
    if (IsTarget(name)) return OkStatus();
    return Err(fmt::format("expected a client declared with \"client\", found \"{}\"", name));
  }

  Status ServerLine(const std::vector<std::string>& w) {
    if (w.size() >= 2 && w[1] == "start") {
      Step s = At(StepKind::kServer);
      s.text = "start";
      return NoArgsAfter(w, 2, std::move(s));
    }
    if (w.size() >= 2 && w[1] == "stop") {
      Step s = At(StepKind::kServer);
      s.text = "stop";
      s.mode = "fast";
      if (w.size() >= 3) {
        if (w[2] != "smart" && w[2] != "fast" && w[2] != "immediate") {
          return Err(fmt::format("expected smart, fast or immediate, found \"{}\"", w[2]));
        }
        s.mode = w[2];
      }
      return NoArgsAfter(w, 3, std::move(s));
    }
    if (w.size() < 2) return Err("expected \"server NAME=VALUE ...\", \"server start\" or \"server stop\"");
    for (size_t i = 1; i < w.size(); ++i) {
      auto eq = w[i].find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == w[i].size()) {
        return Err(fmt::format("expected NAME=VALUE, start or stop after \"server\", found \"{}\"", w[i]));
      }
      scenario_.settings.emplace_back(w[i].substr(0, eq), w[i].substr(eq + 1));
    }
    return OkStatus();
  }

  Status NoArgsAfter(const std::vector<std::string>& w, size_t n, Step step) {
    if (w.size() > n) return Err(fmt::format("unexpected \"{}\"", w[n]));
    Add(std::move(step));
    return OkStatus();
  }

  Status Wait(const std::vector<std::string>& w) {
    if (w.size() >= 2 && w[1] == "until") {
      Step s = At(StepKind::kWaitUntil);
      s.micros = kDefaultWaitMicros;
      std::vector<std::string> cond = w;
      if (cond.size() >= 4 && cond[cond.size() - 2] == "within") {
        auto d = Duration(cond.back());
        if (!d.ok()) return d.error();
        s.micros = *d;
        cond.resize(cond.size() - 2);
      }
      std::string text;
      for (size_t i = 2; i < cond.size(); ++i) text += (i > 2 ? " " : "") + cond[i];
      auto c = ParseCondition(cond, 2, text);
      if (!c.ok()) return c.error();
      s.condition = std::move(*c);
      Add(std::move(s));
      return OkStatus();
    }
    Step s = At(StepKind::kWait);
    if (w.size() >= 2) {
      if (Status st = RequireClient(w[1]); !st.ok()) return st;
      s.target = w[1];
    }
    if (Status st = WaitOnStepped(s.target); !st.ok()) return st;
    return NoArgsAfter(w, 2, std::move(s));
  }

  Status SignalLine(const std::vector<std::string>& w) {
    if (w.size() != 3) return Err(fmt::format("expected \"signal postmaster|NAME SIGNAME\", {}", Found(w, w.size())));
    if (w[1] != "postmaster") {
      if (Status st = RequireClient(w[1]); !st.ok()) return st;
    }
    if (!kSignals.count(w[2])) {
      return Err(fmt::format("expected SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGKILL or SIGSEGV, found \"{}\"", w[2]));
    }
    Step s = At(StepKind::kSignal);
    s.target = w[1];
    s.text = w[2];
    Add(std::move(s));
    return OkStatus();
  }

  /* `w` from index `i` on; `rest` is the same text as written (for value). */
  Result<Condition> ParseCondition(const std::vector<std::string>& w, size_t i, const std::string& rest) {
    using Kind = Condition::Kind;
    Condition c;
    if (i >= w.size()) return Err("expected a condition, found the end of the line");
    const std::string& head = w[i];
    auto fields = [&](size_t from, size_t to) -> Status {
      for (size_t k = from; k < to; ++k) {
        auto eq = w[k].find('=');
        if (eq == std::string::npos || eq == 0) {
          return Err(fmt::format("expected FIELD=VALUE, found \"{}\"", w[k]));
        }
        c.fields.emplace_back(w[k].substr(0, eq), w[k].substr(eq + 1));
      }
      return OkStatus();
    };
    auto compare_count = [&](size_t op_at) -> Status {
      if (op_at + 2 != w.size()) return Err(fmt::format("expected CMP N (such as >= 3), {}", Found(w, op_at)));
      auto op = ParseCompare(w[op_at]);
      if (!op) return Err(fmt::format("expected one of = != < <= > >=, found \"{}\"", w[op_at]));
      auto n = ParseCount(w[op_at + 1]);
      if (!n) return Err(fmt::format("expected a number, found \"{}\"", w[op_at + 1]));
      c.compare = *op;
      c.number = *n;
      return OkStatus();
    };
    if (head == "backends") {
      c.kind = Kind::kBackends;
      if (Status s = compare_count(i + 1); !s.ok()) return s.error();
      return c;
    }
    if (head == "server") {
      if (i + 2 != w.size() || w[i + 1] != "accepting") return Err("expected \"server accepting\"");
      c.kind = Kind::kAccepting;
      return c;
    }
    if (head == "event" || (head == "no" && i + 1 < w.size() && w[i + 1] == "event")) {
      c.kind = head == "event" ? Kind::kEvent : Kind::kNoEvent;
      size_t t = head == "event" ? i + 1 : i + 2;
      if (t >= w.size()) return Err("expected an event type (docs/events.md)");
      c.text = w[t];
      if (Status s = fields(t + 1, w.size()); !s.ok()) return s.error();
      return c;
    }
    if (head == "events") {
      c.kind = Kind::kEventCount;
      if (w.size() < i + 4) return Err("expected \"events TYPE [FIELD=VALUE ...] CMP N\"");
      c.text = w[i + 1];
      if (Status s = fields(i + 2, w.size() - 2); !s.ok()) return s.error();
      if (Status s = compare_count(w.size() - 2); !s.ok()) return s.error();
      return c;
    }
    if (Status s = RequireClient(head); !s.ok()) return s.error();
    c.client = head;
    if (i + 1 >= w.size()) return Err(fmt::format("expected what to check about {}, found the end of the line", head));
    const std::string& what = w[i + 1];
    auto exactly = [&](size_t n, Kind kind) -> Result<Condition> {
      if (w.size() != i + n) return Err(fmt::format("unexpected words after \"{} {}\"", head, what));
      c.kind = kind;
      return c;
    };
    if (what == "ok") return exactly(2, Kind::kOk);
    if (what == "connected") return exactly(2, Kind::kConnected);
    if (what == "disconnected") return exactly(2, Kind::kDisconnected);
    if (what == "error") {
      if (i + 2 == w.size()) return exactly(2, Kind::kError);  // failed, in the server or the client
      if (!IsSqlstate(w[i + 2])) {
        return Err(fmt::format("expected a SQLSTATE of 5 digits or capital letters (such as 57014), {}",
                               Found(w, i + 2)));
      }
      c.text = w[i + 2];
      return exactly(3, Kind::kError);
    }
    if (what == "value" || what == "said") {  // the rest of the line, as written
      c.text = RestAfter(rest, 2);
      if (c.text.empty()) {
        return Err(fmt::format("expected the {} after \"{}\"", what == "value" ? "value" : "text", what));
      }
      c.kind = what == "value" ? Kind::kValue : Kind::kSaid;
      return c;
    }
    if (what == "rows") {
      c.kind = Kind::kRows;
      if (i + 3 == w.size()) {  // rows N
        auto n = ParseCount(w[i + 2]);
        if (!n) return Err(fmt::format("expected a number, found \"{}\"", w[i + 2]));
        c.number = *n;
        return c;
      }
      if (Status s = compare_count(i + 2); !s.ok()) return s.error();
      return c;
    }
    if (what == "pid") {
      if (i + 2 < w.size() && w[i + 2] == "same") return exactly(3, Kind::kPidSame);
      if (i + 2 < w.size() && w[i + 2] == "changed") return exactly(3, Kind::kPidChanged);
      return Err(fmt::format("expected \"pid same\" or \"pid changed\", {}", Found(w, i + 2)));
    }
    if (what == "pids") {
      if (i + 2 < w.size() && w[i + 2] == "distinct") {
        if (!groups_.count(head)) return Err(fmt::format("\"pids distinct\" needs a group, and \"{}\" is not one", head));
        return exactly(3, Kind::kPidsDistinct);
      }
      return Err(fmt::format("expected \"pids distinct\", {}", Found(w, i + 2)));
    }
    if (what == "stopped") {
      if (groups_.count(head)) return Err(fmt::format("\"stopped\" needs one client, and \"{}\" is a group", head));
      if (Status s = ParseStoppedCondition(w, i + 1, c); !s.ok()) return Err(s.error().message);
      return c;
    }
    if (what == "state") {
      if (i + 2 >= w.size()) return Err("expected a state such as idle, active or idle in transaction");
      c.kind = Kind::kState;
      for (size_t k = i + 2; k < w.size(); ++k) c.text += (k > i + 2 ? " " : "") + w[k];
      return c;
    }
    return Err(fmt::format("expected ok, error, value, rows, pid, pids, connected, disconnected, state, said or stopped after "
                           "\"{}\", found \"{}\"",
                           head, what));
  }

  /* `step NAME attach|next|detach ...` (stepping.h). */
  Status StepLine(const std::vector<std::string>& w) {
    if (w.size() >= 2) {
      if (Status st = RequireClient(w[1]); !st.ok()) return st;
      if (groups_.count(w[1])) return Err(fmt::format("\"step\" needs one client, and \"{}\" is a group", w[1]));
    }
    auto s = ParseStepLine(w);
    if (!s.ok()) return Err(s.error().message);
    s->line = line_;
    if (s->text == "attach") stepped_.insert(s->target);
    if (s->text == "detach") stepped_.erase(s->target);
    Add(std::move(*s));
    return OkStatus();
  }

  /* A query in the foreground by a client attached for stepping would wait
   * for a `step NAME next` that the scenario, waiting for it, never gets to. */
  Status StepWaitsForever(const std::string& line, const std::vector<std::string>& w) const {
    static const std::set<std::string> kSendsQueries = {"query", "begin", "commit", "rollback", "copy-in", "do"};
    if (!stepped_.count(w[0]) || w.size() < 2 || !kSendsQueries.count(w[1])) return OkStatus();
    if (w.back() == "&" || (!line.empty() && line.back() == '&')) return OkStatus();
    return Err(fmt::format("{} is attached for stepping, so this would wait for a \"step {} next\" forever: run it "
                           "in the background (&) or \"step {} detach\" first",
                           w[0], w[0], w[0]));
  }

  /* `wait [TARGET]` while a client it waits for is attached for stepping:
   * its query would end only after a `step NAME next` that comes later. */
  Status WaitOnStepped(const std::string& target) const {
    for (const std::string& name : stepped_) {
      bool waited_for = target.empty() || target == name ||
                        (groups_.count(target) && name.rfind(target, 0) == 0 && IsMember(name));
      if (!waited_for) continue;
      return Err(fmt::format("{} is attached for stepping, so \"wait\" could wait for a \"step {} next\" forever: "
                             "\"step {} detach\" first",
                             name, name, name));
    }
    return OkStatus();
  }

  /* `NAME VERB ...` at the top level (a step), or `NAME do [&]`. */
  Status TopAction(const std::string& line, const std::vector<std::string>& w) {
    Step s = At(StepKind::kAction);
    s.target = w[0];
    if (w.size() < 2) return Err(fmt::format("expected what {} does (connect, query, ...)", w[0]));
    if (Status st = StepWaitsForever(line, w); !st.ok()) return st;
    if (w[1] == "do") {
      if (w.size() > 3 || (w.size() == 3 && w[2] != "&")) return Err("expected \"NAME do\" or \"NAME do &\"");
      s.background = w.size() == 3;
      s.action.verb = ActionVerb::kDo;
      s.action.line = line_;
      Add(std::move(s));
      blocks_.push_back({&scenario_.steps.back().action, line_});
      return OkStatus();
    }
    auto a = ParseAction(line, 1, true, s.background);
    if (!a.ok()) return a.error();
    s.action = std::move(*a);
    Add(std::move(s));
    return OkStatus();
  }

  /* A line inside a do/repeat block. */
  Status BlockLine(const std::string& line) {
    std::vector<std::string> w = Words(StripComment(line));
    if (w[0] == "end") {
      if (w.size() != 1) return Err(fmt::format("unexpected \"{}\" after \"end\"", w[1]));
      blocks_.pop_back();
      return OkStatus();
    }
    Action* parent = blocks_.back().action;
    if (w[0] == "caption" || w[0] == "expect" || w[0] == "wait" || w[0] == "sleep" || w[0] == "signal" ||
        w[0] == "snapshot") {
      return Err(fmt::format("\"{}\" is not allowed inside a \"do\" block (only client steps, until \"end\")", w[0]));
    }
    if (w[0] == "repeat") {
      auto n = w.size() == 2 ? ParseCount(w[1]) : std::nullopt;
      if (!n || *n < 1) return Err(fmt::format("expected \"repeat N\" with N of 1 or more, {}", Found(w, 1)));
      if (blocks_.size() >= kMaxBlockDepth) {
        return Err(fmt::format("blocks nest too deeply (at most {} levels of \"do\" and \"repeat\")",
                               kMaxBlockDepth));
      }
      Action r;
      r.verb = ActionVerb::kRepeat;
      r.count = static_cast<int>(*n);
      r.line = line_;
      parent->body.push_back(std::move(r));
      blocks_.push_back({&parent->body.back(), line_});
      return OkStatus();
    }
    if (w.size() >= 2 && w[1] == "do") return Err("a \"do\" block cannot hold another");
    bool background = false;
    auto a = ParseAction(line, 0, false, background);
    if (!a.ok()) return a.error();
    parent->body.push_back(std::move(*a));
    return OkStatus();
  }

  /* The action whose verb is word `at` of `line`. */
  Result<Action> ParseAction(const std::string& line, size_t at, bool top, bool& background) {
    std::string text = line;
    std::vector<std::string> w = Words(text);
    const std::string verb = w[at];
    Action a;
    a.line = line_;
    if (verb == "query") {
      std::string sql = RestAfter(text, at + 1);
      if (top && sql.size() >= 2 && sql.back() == '&' && std::isspace(static_cast<unsigned char>(sql[sql.size() - 2]))) {
        background = true;
        sql = Trim(std::string_view(sql).substr(0, sql.size() - 1));
      }
      if (sql.empty()) return Err("expected the SQL after \"query\"");
      a.verb = ActionVerb::kQuery;
      a.sql = sql;
      return a;
    }
    w = Words(StripComment(text));
    if (top && w.size() > at + 1 && w.back() == "&") {
      background = true;
      w.pop_back();
    } else if (!top && w.back() == "&") {
      return Err("\"&\" is for steps outside a block (a whole \"do\" block can run in the background)");
    }
    auto none = [&](ActionVerb v) -> Result<Action> {
      if (w.size() != at + 1) return Err(fmt::format("\"{}\" takes nothing after it, found \"{}\"", verb, w[at + 1]));
      a.verb = v;
      return a;
    };
    if (verb == "connect") return none(ActionVerb::kConnect);
    if (verb == "disconnect") return none(ActionVerb::kDisconnect);
    if (verb == "vanish") return none(ActionVerb::kVanish);
    if (verb == "stall") return none(ActionVerb::kStall);
    if (verb == "cancel") return none(ActionVerb::kCancel);
    if (verb == "begin" || verb == "commit" || verb == "rollback") {
      auto r = none(ActionVerb::kQuery);
      if (r.ok()) {
        std::string upper = verb;
        for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        r->sql = upper;
      }
      return r;
    }
    if (verb == "idle") {
      if (w.size() != at + 2) return Err(fmt::format("expected \"idle DURATION\", {}", Found(w, at + 2)));
      auto d = Duration(w[at + 1]);
      if (!d.ok()) return d.error();
      a.verb = ActionVerb::kIdle;
      a.micros = *d;
      return a;
    }
    if (verb == "copy-in") {
      bool csv = w.size() == at + 4 && w[at + 3] == "csv";
      if (w.size() != at + 3 && !csv) return Err("expected \"copy-in TABLE FILE [csv]\"");
      a.verb = ActionVerb::kCopyIn;
      a.table = w[at + 1];
      a.file = w[at + 2];
      a.csv = csv;
      return a;
    }
    if (verb == "repeat") return Err("\"repeat\" is only allowed inside a \"NAME do\" block");
    return Err(fmt::format(
        "expected connect, query, begin, commit, rollback, copy-in, idle, disconnect, vanish, stall, cancel or "
        "do, found \"{}\"",
        verb));
  }

  std::string file_;
  int line_ = 0;
  Scenario scenario_;
  std::set<std::string> singles_;
  std::map<std::string, int> groups_;
  int64_t declared_clients_ = 0;  // singles plus every group's members
  std::vector<Block> blocks_;
  std::set<std::string> stepped_;  // clients attached by "step NAME attach" and not detached since
};

}  // namespace

Result<int64_t> ParseDuration(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
  std::string number(text.substr(0, i));
  std::string unit(text.substr(i));
  static const std::map<std::string, double> kUnits = {{"us", 1}, {"ms", 1e3}, {"s", 1e6}, {"min", 6e7}};
  auto u = kUnits.find(unit);
  if (number.empty() || number == "." || std::count(number.begin(), number.end(), '.') > 1 || u == kUnits.end()) {
    return MakeError(kSyntaxError, fmt::format("invalid duration \"{}\"", text));
  }
  double micros = std::stod(number) * u->second;
  if (micros > 86400e6) return MakeError(kSyntaxError, fmt::format("duration \"{}\" is longer than a day", text));
  return static_cast<int64_t>(std::llround(micros));
}

Result<Scenario> ParseScenario(std::string_view text, const std::filesystem::path& path) {
  Parser parser(path);
  return parser.Parse(text);
}

Result<Scenario> LoadScenario(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError("58P01", fmt::format("could not open scenario \"{}\": {}", path.string(), std::strerror(errno)));
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseScenario(ss.str(), path);
}

}  // namespace minipg::sim
