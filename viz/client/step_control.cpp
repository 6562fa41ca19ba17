/*-------------------------------------------------------------------------
 * step_control.cpp
 *   The visualizer's stepping connection (see step_control.h).
 *-------------------------------------------------------------------------
 */
#include "viz/client/step_control.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <utility>

namespace minipg::viz {
namespace {

std::string QueryStateSql(int64_t pid) {
  return fmt::format("SELECT * FROM minipg_query_state({});", pid);
}

int64_t ToInt(const std::optional<std::string>& v, int64_t fallback) {
  return v ? std::strtoll(v->c_str(), nullptr, 10) : fallback;
}

/* Whether minipg_step_next's answer ends a run to commit. */
bool EndsRun(std::string_view reply) {
  for (std::string_view stop : {"commit", "query ended", "detached", "backend exited", "error"}) {
    if (reply.substr(0, stop.size()) == stop) return true;
  }
  return reply.empty();
}

}  // namespace

std::string_view StepActionName(StepAction a) {
  switch (a) {
    case StepAction::kAttach: return "attach";
    case StepAction::kNextStage: return "next stage";
    case StepAction::kNextRow: return "next row";
    case StepAction::kNextPage: return "next page";
    case StepAction::kRunToCommit: return "run to commit";
    case StepAction::kContinue: return "continue";
  }
  return "?";
}

std::optional<std::vector<StepAction>> ParseStepActions(std::string_view spec, std::string* error) {
  static constexpr std::pair<std::string_view, StepAction> kNames[] = {
      {"attach", StepAction::kAttach}, {"stage", StepAction::kNextStage},
      {"row", StepAction::kNextRow},   {"page", StepAction::kNextPage},
      {"commit", StepAction::kRunToCommit}, {"continue", StepAction::kContinue},
  };
  std::vector<StepAction> out;
  while (!spec.empty()) {
    size_t comma = spec.find(',');
    std::string_view item = spec.substr(0, comma);
    spec = comma == std::string_view::npos ? std::string_view() : spec.substr(comma + 1);
    int times = 1;
    if (size_t star = item.find('*'); star != std::string_view::npos) {
      times = std::atoi(std::string(item.substr(star + 1)).c_str());
      item = item.substr(0, star);
      if (times < 1 || times > 1000) {
        *error = fmt::format("bad repeat count in \"{}\"", item);
        return std::nullopt;
      }
    }
    auto it = std::find_if(std::begin(kNames), std::end(kNames), [&](const auto& n) { return n.first == item; });
    if (it == std::end(kNames)) {
      *error = fmt::format("unknown step action \"{}\" (attach, stage, row, page, commit, continue)", item);
      return std::nullopt;
    }
    out.insert(out.end(), static_cast<size_t>(times), it->second);
  }
  return out;
}

StepControl::StepControl() = default;

StepControl::~StepControl() {
  // Closing the connection detaches the backend (the server does it: the
  // session that last stepped it is gone), so psql is never left waiting.
  session_.reset();
}

void StepControl::Submit(std::string sql) {
  session_->Submit(std::move(sql));
}

void StepControl::Do(const client::ConnectOptions& options, int64_t pid, StepAction action) {
  if (pid <= 0) return;
  if (session_ == nullptr || session_->state() == ConsoleState::kClosed ||
      session_->state() == ConsoleState::kFailed) {
    session_ = std::make_unique<ConsoleSession>(options);
    attached_ = false;
    granularity_.clear();
  }
  error_.clear();
  std::string sql;
  if (target_ != pid) {
    if (attached_ && target_ != 0) sql += fmt::format("SELECT minipg_step_detach({});", target_);
    target_ = pid;
    attached_ = false;
    granularity_.clear();
    nodes_.clear();
    reply_.clear();
  }
  history_.push_back(fmt::format("{} {}", StepActionName(action), pid));
  run_steps_ = 0;
  const char* want = nullptr;
  switch (action) {
    case StepAction::kContinue:
      sql += fmt::format("SELECT minipg_step_detach({});", pid);
      attached_ = false;
      granularity_.clear();
      Submit(std::move(sql));
      return;
    case StepAction::kAttach: want = granularity_.empty() ? "row" : nullptr; break;
    case StepAction::kNextStage:
    case StepAction::kRunToCommit: want = "stage"; break;
    case StepAction::kNextRow: want = "row"; break;
    case StepAction::kNextPage: want = "page"; break;
  }
  if (want != nullptr && (!attached_ || granularity_ != want)) {
    sql += fmt::format("SELECT minipg_step_attach({}, '{}');", pid, want);
    attached_ = true;
    granularity_ = want;
  }
  if (action != StepAction::kAttach) sql += fmt::format("SELECT minipg_step_next({});", pid);
  if (action == StepAction::kRunToCommit) run_steps_ = 1;
  sql += QueryStateSql(pid);
  Submit(std::move(sql));
}

void StepControl::TakeResult(const ConsoleOutput& out) {
  if (out.kind == ConsoleOutput::Kind::kCommand) {
    in_poll_ = out.text == QueryStateSql(target_);
    return;
  }
  if (out.kind == ConsoleOutput::Kind::kError) {
    error_ = out.text;
    run_steps_ = 0;
    history_.push_back("error: " + out.text);
    return;
  }
  if (out.kind != ConsoleOutput::Kind::kResult || out.columns.empty()) return;
  const std::string& col = out.columns[0];
  if (col == "minipg_step_next") {
    reply_ = out.rows.empty() || !out.rows[0][0] ? "" : *out.rows[0][0];
    history_.push_back("  " + reply_);
    if (reply_ == "detached" || reply_ == "backend exited") attached_ = false;
    if (run_steps_ > 0) {
      if (EndsRun(reply_) || run_steps_ >= kMaxRunSteps) {
        run_steps_ = 0;
      } else {
        ++run_steps_;
        Submit(fmt::format("SELECT minipg_step_next({});", target_) + QueryStateSql(target_));
      }
    }
  } else if (col == "node_id") {
    nodes_.clear();
    for (const auto& row : out.rows) {
      if (row.size() < 8) continue;
      LiveNode n;
      n.id = ToInt(row[0], 0);
      n.parent = ToInt(row[1], -1);
      n.node = row[2].value_or("");
      n.rows = ToInt(row[3], 0);
      n.loops = ToInt(row[4], 0);
      n.total_ms = row[6] ? std::strtod(row[6]->c_str(), nullptr) : 0.0;
      n.state = row[7].value_or("");
      nodes_.push_back(std::move(n));
    }
  } else if (col == "minipg_step_attach" || col == "minipg_step_detach") {
    bool ok = !out.rows.empty() && out.rows[0][0] && *out.rows[0][0] == "t";
    if (!ok) {
      error_ = fmt::format("{}({}) returned false: not a backend of this server", col, target_);
      if (col == "minipg_step_attach") attached_ = false;
    }
  }
}

void StepControl::Update(int64_t now_us) {
  if (session_ == nullptr) return;
  for (const ConsoleOutput& out : session_->TakeOutput()) TakeResult(out);
  ConsoleState s = session_->state();
  if ((s == ConsoleState::kFailed || s == ConsoleState::kClosed) && error_.empty()) {
    error_ = "the stepping connection is closed";
    attached_ = false;
  }
  // While the connection is free, keep the live plan fresh.
  if (target_ != 0 && s == ConsoleState::kIdle && !session_->Pending() &&
      now_us - last_poll_us_ >= kPollUs) {
    last_poll_us_ = now_us;
    Submit(QueryStateSql(target_));
  }
}

bool StepControl::Busy() const {
  if (session_ == nullptr) return false;
  ConsoleState s = session_->state();
  return s == ConsoleState::kConnecting || (s == ConsoleState::kBusy && !in_poll_) ||
         session_->Pending() || run_steps_ > 0;
}

}  // namespace minipg::viz
