/*-------------------------------------------------------------------------
 * runner.cpp
 *   One isolation spec against one server through libpq (runner.h).
 *
 *   A permutation's steps are sent in order. Before a step is sent, a
 *   session still busy with an earlier step is waited for (polling the
 *   other waiting steps meanwhile, since one of them may be what it waits
 *   for). After it is sent, the step is given until it either completes or
 *   is seen waiting for a lock; then every waiting step is polled once, as
 *   the new step may have released it. At the end, every waiting step is
 *   waited for. The order of the "<... completed>" lines therefore follows
 *   the permutation, not the timing, wherever the spec leaves one step
 *   completing at a time.
 *-------------------------------------------------------------------------
 */
#include "sim/isolation/runner.h"

#include <libpq-fe.h>
#include <poll.h>

#include <fmt/format.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <thread>

#include "sim/isolation/normalize.h"
#include "sim/isolation/output.h"

namespace minipg::sim::isolation {
namespace {

using Conn = std::unique_ptr<PGconn, decltype(&PQfinish)>;
using Res = std::unique_ptr<PGresult, decltype(&PQclear)>;
using Clock = std::chrono::steady_clock;

constexpr int kPollMs = 10;        // how often a busy step is checked for a lock wait
constexpr int kDropRetries = 100;  // DROP DATABASE waits up to 10 s for sessions to exit

/* How a step is waited for, as isolationtester's STEP_NONBLOCK / STEP_RETRY. */
constexpr int kNonblock = 1;  // return once the step is seen waiting for a lock
constexpr int kRetry = 2;     // the step was reported before: print "<... completed>"

void IgnoreNotice(void*, const char*) {}

Conn Connect(const std::string& conninfo, const std::string& dbname, const std::string& application_name) {
  const char* keys[] = {"dbname", "dbname", "application_name", nullptr};
  const char* values[] = {conninfo.c_str(), dbname.empty() ? nullptr : dbname.c_str(),
                          application_name.c_str(), nullptr};
  if (dbname.empty()) {
    keys[1] = "application_name";
    values[1] = application_name.c_str();
    keys[2] = nullptr;
  }
  return Conn(PQconnectdbParams(keys, values, 1), &PQfinish);
}

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

/* The database a spec runs in: "isolation_" and its name in lower case. */
std::string DatabaseFor(const std::string& spec_name) {
  std::string db = "isolation_";
  for (char c : spec_name) {
    db += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '_';
  }
  return db;
}

struct Blocking {
  BlockerKind kind = BlockerKind::kOnce;
  const Step* step = nullptr;  // kOtherStep, kNotices
  size_t session = 0;          // the session of `step`
  int notices = 0;
  int target_notices = 0;      // kNotices: the session's notice count to reach
};

/* A step of the permutation being run. */
struct RunStep {
  const Step* step = nullptr;
  size_t session = 0;
  std::vector<Blocking> blockers;
};

/* What a notice processor needs to print a notice under its session's name. */
struct NoticeSink {
  class SpecRunner* runner = nullptr;
  size_t session = 0;
};

struct SessionConn {
  std::string name;
  Conn conn{nullptr, &PQfinish};
  int pid = 0;
  RunStep* active = nullptr;  // the step sent and not yet completed
  int total_notices = 0;
  NoticeSink sink;
};

class SpecRunner {
 public:
  SpecRunner(const TestSpec& spec, const RunOptions& options) : spec_(spec), options_(options) {}

  /* Connects the control connection and the sessions to `dbname` of `conninfo`. */
  bool Connect(const std::string& conninfo, const std::string& dbname) {
    control_ = isolation::Connect(conninfo, dbname, "isolation/control");
    if (PQstatus(control_.get()) != CONNECTION_OK) {
      error_ = Trimmed(PQerrorMessage(control_.get()));
      return false;
    }
    PQsetNoticeProcessor(control_.get(), IgnoreNotice, nullptr);
    sessions_.resize(spec_.sessions.size());
    for (size_t i = 0; i < sessions_.size(); ++i) {
      SessionConn& s = sessions_[i];
      s.name = spec_.sessions[i].name;
      s.conn = isolation::Connect(conninfo, dbname, "isolation/" + s.name);
      if (PQstatus(s.conn.get()) != CONNECTION_OK) {
        error_ = Trimmed(PQerrorMessage(s.conn.get()));
        return false;
      }
      s.sink = {this, i};
      PQsetNoticeProcessor(s.conn.get(), &SpecRunner::OnNotice, &s.sink);
      s.pid = PQbackendPID(s.conn.get());
      pids_.push_back({s.name, s.pid});
    }
    return true;
  }

  void Run() {
    out_ += fmt::format("Parsed test spec with {} sessions\n", spec_.sessions.size());
    std::vector<Permutation> permutations = spec_.permutations.empty() ? AllPermutations(spec_) : spec_.permutations;
    for (const Permutation& p : permutations) {
      if (!RunPermutation(p)) return;
    }
  }

  void Disconnect() {
    for (SessionConn& s : sessions_) s.conn.reset();
    control_.reset();
  }

  std::string& output() { return out_; }
  const std::string& error() const { return error_; }

 private:
  static void OnNotice(void* arg, const char* message) {
    auto* sink = static_cast<NoticeSink*>(arg);
    sink->runner->Notice(sink->session, message);
  }

  void Notice(size_t session, const char* message) {
    SessionConn& s = sessions_[session];
    ++s.total_notices;
    any_new_notice_ = true;
    out_ += FormatNotice(s.name, message, pids_);
  }

  /* A query of the control connection (setup, teardown), isolationtester's way:
   * rows printed, an error said and, in setup, the end of the spec. */
  bool ControlExec(PGconn* conn, const std::string& sql, const std::string& what, bool fatal) {
    Res res(PQexec(conn, sql.c_str()), &PQclear);
    ExecStatusType st = PQresultStatus(res.get());
    if (st == PGRES_TUPLES_OK) {
      PrintResult(res.get());
    } else if (st != PGRES_COMMAND_OK) {
      std::string msg = fmt::format("{} failed: {}", what, NormalizeMessage(Trimmed(PQerrorMessage(conn)), pids_));
      out_ += msg + "\n";
      if (fatal) {
        error_ = msg;
        return false;
      }
    }
    return true;
  }

  void PrintResult(const PGresult* res) { out_ += FormatRows(res, pids_); }

  RunStep Resolve(const PermutationStep& ps) {
    RunStep rs;
    StepRef ref = *FindStep(spec_, ps.name);
    rs.step = &spec_.sessions[ref.session].steps[ref.index];
    rs.session = ref.session;
    for (const Blocker& b : ps.blockers) {
      Blocking bl;
      bl.kind = b.kind;
      bl.notices = b.notices;
      if (b.kind != BlockerKind::kOnce) {
        StepRef br = *FindStep(spec_, b.step);
        bl.step = &spec_.sessions[br.session].steps[br.index];
        bl.session = br.session;
      }
      rs.blockers.push_back(bl);
    }
    return rs;
  }

  bool RunPermutation(const Permutation& permutation) {
    out_ += "\nstarting permutation:";
    for (const PermutationStep& ps : permutation) out_ += " " + ps.name;
    out_ += "\n";
    for (const std::string& sql : spec_.setup_sqls) {
      if (!ControlExec(control_.get(), sql, "setup", true)) return false;
    }
    for (size_t i = 0; i < sessions_.size(); ++i) {
      const auto& setup = spec_.sessions[i].setup_sql;
      if (setup && !ControlExec(sessions_[i].conn.get(), *setup, "setup of session " + sessions_[i].name, true)) {
        return false;
      }
    }
    std::vector<RunStep> steps;
    steps.reserve(permutation.size());
    for (const PermutationStep& ps : permutation) steps.push_back(Resolve(ps));
    std::vector<RunStep*> waiting;
    for (RunStep& rs : steps) {
      SessionConn& s = sessions_[rs.session];
      if (s.active != nullptr && !WaitForSession(s, waiting)) return false;
      if (PQsendQuery(s.conn.get(), rs.step->sql.c_str()) == 0) {
        error_ = fmt::format("failed to send query for step {}: {}", rs.step->name, Trimmed(PQerrorMessage(s.conn.get())));
        out_ += error_ + "\n";
        return false;
      }
      s.active = &rs;
      for (Blocking& b : rs.blockers) {
        if (b.kind == BlockerKind::kNotices) b.target_notices = b.notices + sessions_[b.session].total_notices;
      }
      bool must_wait = TryComplete(rs, kNonblock);
      if (!error_.empty()) return false;
      TryCompleteAll(waiting, kNonblock | kRetry);
      if (!error_.empty()) return false;
      if (must_wait) waiting.push_back(&rs);
    }
    TryCompleteAll(waiting, kRetry);
    if (!error_.empty()) return false;
    if (!waiting.empty()) {
      error_ = "failed to complete permutation due to mutually-blocking steps";
      out_ += error_ + "\n";
      return false;
    }
    for (size_t i = 0; i < sessions_.size(); ++i) {
      const auto& teardown = spec_.sessions[i].teardown_sql;
      if (teardown) ControlExec(sessions_[i].conn.get(), *teardown, "teardown of session " + sessions_[i].name, false);
    }
    if (spec_.teardown_sql) ControlExec(control_.get(), *spec_.teardown_sql, "teardown", false);
    return true;
  }

  /* Waits until session `s` finished its active step, polling the others. */
  bool WaitForSession(SessionConn& s, std::vector<RunStep*>& waiting) {
    auto start = Clock::now();
    while (s.active != nullptr) {
      RunStep* old = s.active;
      if (!TryComplete(*old, kRetry)) std::erase(waiting, old);
      if (!error_.empty()) return false;
      TryCompleteAll(waiting, kNonblock | kRetry);
      if (!error_.empty()) return false;
      if (s.active != nullptr && Clock::now() - start > std::chrono::seconds(2 * options_.step_timeout_s)) {
        GiveUp(fmt::format("step {} timed out after {} seconds", s.active->step->name, 2 * options_.step_timeout_s));
        return false;
      }
    }
    return true;
  }

  /* Polls every waiting step; drops the ones that completed. While a step
   * with blockers still waits, polls again as long as something changed. */
  void TryCompleteAll(std::vector<RunStep*>& waiting, int flags) {
    for (;;) {
      any_new_notice_ = false;
      size_t before = waiting.size();
      bool have_blocker = false;
      for (size_t w = 0; w < waiting.size();) {
        if (TryComplete(*waiting[w], flags)) {
          if (!waiting[w]->blockers.empty()) have_blocker = true;
          ++w;
        } else {
          waiting.erase(waiting.begin() + static_cast<std::ptrdiff_t>(w));
        }
        if (!error_.empty()) return;
      }
      if (!(have_blocker && (waiting.size() < before || any_new_notice_))) return;
    }
  }

  /* Whether a completed step must still be shown as waiting: a blocker step still running or notices not yet in. */
  bool HasBlocker(const RunStep& rs) const {
    for (const Blocking& b : rs.blockers) {
      const SessionConn& other = sessions_[b.session];
      if (b.kind == BlockerKind::kOtherStep && other.active != nullptr && other.active->step == b.step) return true;
      if (b.kind == BlockerKind::kNotices && other.total_notices < b.target_notices) return true;
    }
    return false;
  }

  /* Whether the backend of `s` waits for a lock now. */
  bool WaitsForLock(const SessionConn& s) {
    std::string sql =
        fmt::format("SELECT wait_event_type FROM pg_catalog.pg_stat_activity WHERE pid = {}", s.pid);
    Res res(PQexec(control_.get(), sql.c_str()), &PQclear);
    if (PQresultStatus(res.get()) != PGRES_TUPLES_OK) {
      GiveUp("lock wait query failed: " + Trimmed(PQerrorMessage(control_.get())));
      return false;
    }
    return PQntuples(res.get()) == 1 && !PQgetisnull(res.get(), 0, 0) &&
           std::string_view(PQgetvalue(res.get(), 0, 0)) == "Lock";
  }

  /* Tries to complete step `rs`: true while it is still waiting (or held
   * back by a blocker), false once its results were printed. */
  bool TryComplete(RunStep& rs, int flags) {
    SessionConn& s = sessions_[rs.session];
    PGconn* conn = s.conn.get();
    const Step& step = *rs.step;
    if (!(flags & kRetry)) {
      for (const Blocking& b : rs.blockers) {
        if (b.kind == BlockerKind::kOnce) {
          out_ += fmt::format("step {}: {} <waiting ...>\n", step.name, step.sql);
          return true;
        }
      }
    }
    auto start = Clock::now();
    bool canceled = false;
    while (PQisBusy(conn)) {
      pollfd pfd{PQsocket(conn), POLLIN, 0};
      int ready = poll(&pfd, 1, kPollMs);
      if (ready < 0) {
        if (errno == EINTR) continue;
        GiveUp(fmt::format("poll failed: {}", std::strerror(errno)));
        return false;
      }
      if (ready > 0) {
        if (PQconsumeInput(conn) == 0) {
          GiveUp("PQconsumeInput failed: " + Trimmed(PQerrorMessage(conn)));
          return false;
        }
        continue;
      }
      if ((flags & kNonblock) && WaitsForLock(s)) {
        // Notices may have come in while we asked: read them, and the result if it is all there.
        if (PQconsumeInput(conn) == 0) {
          GiveUp("PQconsumeInput failed: " + Trimmed(PQerrorMessage(conn)));
          return false;
        }
        if (!PQisBusy(conn)) break;
        if (!(flags & kRetry)) out_ += fmt::format("step {}: {} <waiting ...>\n", step.name, step.sql);
        return true;
      }
      if (!error_.empty()) return false;
      auto waited = Clock::now() - start;
      if (waited > std::chrono::seconds(options_.step_timeout_s) && !canceled) {
        char buf[256];
        PGcancel* cancel = PQgetCancel(conn);
        if (cancel != nullptr && PQcancel(cancel, buf, sizeof buf)) {
          out_ += fmt::format("isolationtester: canceling step {} after {} seconds\n", step.name,
                              options_.step_timeout_s);
          canceled = true;
        }
        if (cancel != nullptr) PQfreeCancel(cancel);
      }
      if (waited > std::chrono::seconds(2 * options_.step_timeout_s)) {
        GiveUp(fmt::format("step {} timed out after {} seconds", step.name, 2 * options_.step_timeout_s));
        return false;
      }
    }
    if (HasBlocker(rs)) {
      if (!(flags & kRetry)) out_ += fmt::format("step {}: {} <waiting ...>\n", step.name, step.sql);
      return true;
    }
    if (flags & kRetry) {
      out_ += fmt::format("step {}: <... completed>\n", step.name);
    } else {
      out_ += fmt::format("step {}: {}\n", step.name, step.sql);
    }
    while (PGresult* raw = PQgetResult(conn)) {
      Res res(raw, &PQclear);
      switch (PQresultStatus(raw)) {
        case PGRES_COMMAND_OK:
        case PGRES_EMPTY_QUERY:
          break;
        case PGRES_TUPLES_OK:
          PrintResult(raw);
          break;
        case PGRES_FATAL_ERROR: {
          const char* severity = PQresultErrorField(raw, PG_DIAG_SEVERITY);
          const char* primary = PQresultErrorField(raw, PG_DIAG_MESSAGE_PRIMARY);
          const char* detail = PQresultErrorField(raw, PG_DIAG_MESSAGE_DETAIL);
          const char* hint = PQresultErrorField(raw, PG_DIAG_MESSAGE_HINT);
          if (severity != nullptr && primary != nullptr) {
            out_ += FormatError(severity, primary, detail != nullptr ? detail : "", hint != nullptr ? hint : "", pids_);
          } else {
            out_ += fmt::format("{}\n", NormalizeMessage(PQresultErrorMessage(raw), pids_));
          }
          break;
        }
        default:
          out_ += fmt::format("unexpected result status: {}\n", PQresStatus(PQresultStatus(raw)));
      }
    }
    s.active = nullptr;
    return false;
  }

  /* Ends the spec: says why, cancels what still runs so the database can go. */
  void GiveUp(const std::string& why) {
    if (error_.empty()) error_ = why;
    for (SessionConn& s : sessions_) {
      if (s.active == nullptr) continue;
      char buf[256];
      if (PGcancel* cancel = PQgetCancel(s.conn.get())) {
        PQcancel(cancel, buf, sizeof buf);
        PQfreeCancel(cancel);
      }
    }
  }

  const TestSpec& spec_;
  RunOptions options_;
  Conn control_{nullptr, &PQfinish};
  std::vector<SessionConn> sessions_;
  std::vector<SessionPid> pids_;
  bool any_new_notice_ = false;
  std::string out_;
  std::string error_;
};

}  // namespace

SpecRun RunSpec(const TestSpec& spec, const std::string& spec_name, const std::string& conninfo,
                const RunOptions& options) {
  SpecRun run;
  std::string dbname;
  Conn admin(nullptr, &PQfinish);
  if (options.own_database) {
    admin = Connect(conninfo, "", "isolation/admin");
    if (PQstatus(admin.get()) != CONNECTION_OK) {
      run.error = Trimmed(PQerrorMessage(admin.get()));
      return run;
    }
    PQsetNoticeProcessor(admin.get(), IgnoreNotice, nullptr);
    dbname = DatabaseFor(spec_name);
    Res(PQexec(admin.get(), fmt::format("DROP DATABASE IF EXISTS {}", dbname).c_str()), &PQclear);
    Res created(PQexec(admin.get(), fmt::format("CREATE DATABASE {}", dbname).c_str()), &PQclear);
    if (PQresultStatus(created.get()) != PGRES_COMMAND_OK) {
      run.error = Trimmed(PQerrorMessage(admin.get()));
      return run;
    }
  }
  {
    auto runner = std::make_unique<SpecRunner>(spec, options);
    if (runner->Connect(conninfo, dbname)) runner->Run();
    run.output = std::move(runner->output());
    run.error = runner->error();
    runner->Disconnect();
  }
  if (options.own_database) {
    // The sessions' backends take a moment to exit after their connections close.
    for (int attempt = 0; attempt < kDropRetries; ++attempt) {
      Res dropped(PQexec(admin.get(), fmt::format("DROP DATABASE IF EXISTS {}", dbname).c_str()), &PQclear);
      if (PQresultStatus(dropped.get()) == PGRES_COMMAND_OK) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  return run;
}

}  // namespace minipg::sim::isolation
