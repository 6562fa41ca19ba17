/*-------------------------------------------------------------------------
 * step_control.h
 *   The visualizer's remote control for live stepping (docs/stepping.md):
 *   its own SQL connection to the server it watches, through which it
 *   attaches to a backend, lets it go one step point at a time
 *   (minipg_step_attach / minipg_step_next / minipg_step_detach) and reads
 *   that backend's live plan (minipg_query_state).
 *
 *     StepControl s;
 *     s.Do(options, pid, StepAction::kNextRow);  // attach at 'row' if need be, step once
 *     s.Update(now_us);                           // each frame: takes the replies, polls
 *     s.reply(), s.nodes() ...                    // what to draw
 *
 *   Actions and the granularity they step at:
 *
 *     kAttach       attach at 'row' (stops at the backend's next step point)
 *     kNextStage    attach at 'stage', minipg_step_next
 *     kNextRow      attach at 'row',   minipg_step_next
 *     kNextPage     attach at 'page',  minipg_step_next
 *     kRunToCommit  attach at 'stage', minipg_step_next until `commit`, the
 *                   query's end, an error or a detach
 *     kContinue     minipg_step_detach: the backend goes on freely
 *
 * NOTES
 *   The SQL runs on a ConsoleSession's thread (console_session.h), so the
 *   UI never waits for minipg_step_next, which waits for the target. Each
 *   step asks for minipg_query_state in the same Query message, and while
 *   the connection is free and the target runs, the live plan is polled
 *   every kPollUs. A change of target detaches the previous one first.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "viz/client/console_session.h"

namespace minipg::viz {

enum class StepAction { kAttach, kNextStage, kNextRow, kNextPage, kRunToCommit, kContinue };

std::string_view StepActionName(StepAction a);

/* "attach,row*5,page,commit,continue" (minipg-viz --step): the actions in
 * order, `name*N` repeating one N times; names attach, stage, row, page,
 * commit, continue. nullopt (and *error) for anything else. */
std::optional<std::vector<StepAction>> ParseStepActions(std::string_view spec, std::string* error);

/* One row of minipg_query_state. */
struct LiveNode {
  int64_t id = 0;
  int64_t parent = -1;  // -1: the root
  std::string node;     // EXPLAIN's title
  int64_t rows = 0;
  int64_t loops = 0;
  double total_ms = 0;
  std::string state;    // "not started", "running", "returned row", "done"
};

class StepControl {
 public:
  static constexpr int64_t kPollUs = 400'000;
  static constexpr int kMaxRunSteps = 10'000;  // run to commit gives up after this many stops

  StepControl();
  ~StepControl();
  StepControl(const StepControl&) = delete;
  StepControl& operator=(const StepControl&) = delete;

  /* Queues an action on backend `pid`; connects with `options` first if
   * there is no connection yet. */
  void Do(const client::ConnectOptions& options, int64_t pid, StepAction action);
  /* Takes the connection's replies and, when due, polls the live plan. */
  void Update(int64_t now_us);
  /* Whether an action's SQL is queued or running (a poll of the live plan
   * does not count; a screenshot waits for the actions). */
  bool Busy() const;

  int64_t target() const { return target_; }
  bool attached() const { return attached_; }
  const std::string& granularity() const { return granularity_; }
  /* minipg_step_next's last answer ("row: Hash Join [node 2], rows 3 | (1,ann)"). */
  const std::string& reply() const { return reply_; }
  /* The last error from the server or the connection ("" if none). */
  const std::string& error() const { return error_; }
  const std::vector<LiveNode>& nodes() const { return nodes_; }
  bool running_to_commit() const { return run_steps_ > 0; }
  /* Every action and reply so far, one line each (printed by headless runs). */
  const std::vector<std::string>& history() const { return history_; }

 private:
  void Submit(std::string sql);
  void TakeResult(const ConsoleOutput& out);

  std::unique_ptr<ConsoleSession> session_;
  int64_t target_ = 0;
  bool attached_ = false;
  std::string granularity_;
  std::string reply_;
  std::string error_;
  std::vector<LiveNode> nodes_;
  std::vector<std::string> history_;
  int run_steps_ = 0;  // > 0: running to commit, the stops so far
  int64_t last_poll_us_ = 0;
  bool in_poll_ = false;  // the SQL running is only a poll of the live plan
};

}  // namespace minipg::viz
