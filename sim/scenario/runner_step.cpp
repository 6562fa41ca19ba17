/*-------------------------------------------------------------------------
 * runner_step.cpp
 *   Playing the live-stepping keywords (stepping.h): `step NAME attach`,
 *   `next`, `detach` and the `NAME stopped` condition, through the
 *   runner's own connection, as a teacher's second psql would drive them
 *   (docs/stepping.md).
 *
 * NOTES
 *   A stepped client's query runs in the background on its own thread
 *   (the parser insists on `&`), so minipg_step_next here returns as soon
 *   as that backend stops again. statement_timeout bounds every call, so a
 *   lesson whose client never reaches a step point fails instead of
 *   hanging.
 *-------------------------------------------------------------------------
 */
#include <fmt/format.h>

#include "sim/scenario/runner.h"

namespace minipg::sim {

namespace {

constexpr const char* kStepperTimeout = "20s";

/* Column `i` of the first row of `r`, or "" when it has none or is NULL. */
std::string Column(const client::QueryResult& r, size_t i) {
  if (r.statements.empty() || r.statements.back().rows.empty()) return "";
  const auto& row = r.statements.back().rows[0];
  return i < row.size() && row[i] ? *row[i] : std::string();
}

}  // namespace

Result<client::Connection*> Runner::Stepper() {
  if (stepper_ && stepper_->is_open() && !stepper_->ServerClosed()) return stepper_.get();
  stepper_.reset();  // never opened, or its server stopped since
  auto conn = client::Connection::Connect(OwnOptions("minipg-sim stepping", 10000));
  if (!conn.ok()) return conn.error();
  auto set = (*conn)->Query(fmt::format("SET statement_timeout = '{}'", kStepperTimeout));
  if (!set.ok()) return set.error();
  stepper_ = std::move(*conn);
  return stepper_.get();
}

void Runner::Stepping(const Step& step) {
  SimClient* c = Find(step.target);
  int pid = c != nullptr ? c->backend_pid() : 0;
  std::string sql, what;
  if (step.text == "attach") {
    sql = fmt::format("SELECT minipg_step_attach({}, '{}')", pid, step.mode);
    what = fmt::format("attach, stopping at each {}", step.mode);
  } else if (step.text == "next") {
    sql = fmt::format("SELECT minipg_step_next({}, {})", pid, step.count);
    what = step.count == 1 ? "next" : fmt::format("next {}", step.count);
  } else {
    sql = fmt::format("SELECT minipg_step_detach({})", pid);
    what = "detach";
  }
  Say(fmt::format("    step {}: {}", step.target, what));
  auto fail = [&](const std::string& why) {
    ++failures_;
    Say(fmt::format("    FAIL  {}:{}: step {} {}: {}", scenario_.path.filename().string(), step.line, step.target,
                    step.text, why));
  };
  if (pid <= 0) return fail(fmt::format("{} has no backend", step.target));
  auto conn = Stepper();
  if (!conn.ok()) return fail(conn.error().message);
  auto r = (*conn)->Query(sql);
  if (!r.ok()) return fail(r.error().message);
  if (r->error) return fail(fmt::format("{} ({})", r->error->message, r->error->sqlstate));
  std::string answer = Column(*r, 0);
  if (step.text == "next") {
    Say(fmt::format("      -> {}", answer.empty() ? "(not a backend)" : answer));
  } else if (answer != "t") {
    fail(fmt::format("{} is not a backend of this server", pid));
  }
}

bool Runner::Stopped(const Condition& cond, std::string& got) {
  SimClient* c = Find(cond.client);
  if (c == nullptr || c->backend_pid() <= 0) {
    got = fmt::format("{} has no backend", cond.client);
    return false;
  }
  auto conn = Stepper();
  if (!conn.ok()) {
    got = conn.error().message;
    return false;
  }
  auto r = (*conn)->Query(fmt::format(
      "SELECT paused, stage, node, rows, detail FROM minipg_step_state WHERE pid = {}", c->backend_pid()));
  if (!r.ok() || r->error) {
    got = !r.ok() ? r.error().message : r->error->message;
    return false;
  }
  if (r->statements.empty() || r->statements.back().rows.empty()) {
    got = "it is not attached";
    return false;
  }
  bool paused = Column(*r, 0) == "t";
  std::string stage = Column(*r, 1), node = Column(*r, 2);
  std::string where = stage + (node.empty() ? "" : " " + node);
  if (!paused) {
    got = stage.empty() ? "it is running" : fmt::format("it is running (it last stopped at {})", where);
    return false;
  }
  got = fmt::format("it is stopped at {}", where);
  return (cond.text.empty() || stage == cond.text) && node.compare(0, cond.node.size(), cond.node) == 0;
}

}  // namespace minipg::sim
