/*-------------------------------------------------------------------------
 * step_panel.h
 *   Live stepping in the Query view (docs/stepping.md, docs/viz.md
 *   "Stepping a live query"): on the backend the Query view shows, the
 *   controls and the live plan.
 *
 *   Live:     Attach (A) | Next stage (S) | Next row (N) | Next page (P) |
 *             Run to commit (C) | Continue (D: detach, it goes on freely)
 *   Replay:   Previous step point (B) | Next step point (N), through the
 *             recorded step_pause events
 *
 *   Then where the backend stopped (the model's StepInfo: the step_pause
 *   events, live or recorded), that its client waits for the server, the
 *   lock it waits for and who holds it (the wait-for graph's edge), and
 *   the live plan as EXPLAIN draws it: each node with its rows so far and
 *   its state (minipg_query_state, polled while live; in a replay what the
 *   pauses told), the node it stopped at marked, and the row it handed up
 *   drawn on the edge to its parent. A page it stopped at is outlined in
 *   the shared buffers grid (ViewState::step_buffer).
 *
 * NOTES
 *   The SQL goes through StepControl (viz/client/step_control.h), on its
 *   own thread. Keys are taken only when no text field wants them.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <imgui.h>

#include <cstdint>
#include <optional>
#include <string>

#include "viz/client/step_control.h"
#include "viz/model/model.h"
#include "viz/model/playback.h"
#include "viz/ui/console_window.h"
#include "viz/ui/theme.h"
#include "viz/ui/view_state.h"

namespace minipg::viz::ui {

class StepPanel {
 public:
  StepPanel(const Fonts& fonts, ViewState& view, Consoles& consoles)
      : fonts_(fonts), view_state_(view), consoles_(consoles) {}

  /* Each frame, before drawing: the connection's replies, the keys, a
   * replay's step seek. `live_model` is where the connection options come from. */
  void Frame(Playback& playback, int64_t now_us);
  /* The section inside the Query view for backend `p`. */
  void Draw(const Model& model, const Process& p);
  /* Whether `p` is being stepped (stopped once, or the controls' target):
   * then its controls and live plan come first in the Query view, else
   * after the plan (which a student reads first). */
  bool Stepping(const Process& p) const { return p.step.last.has_value() || control_.target() == p.pid; }
  /* Runs an action as its button would (--step, tests). */
  void Do(const Model& live_model, int64_t pid, StepAction action);
  bool Busy() const { return control_.Busy(); }
  const StepControl& control() const { return control_; }
  /* What the panel shows for backend `pid`, as "minipg-viz: step: ..." lines. */
  std::string Transcript(const Model& model, int64_t pid) const;

 private:
  void DrawControls(const Model& model, const Process& p);
  void DrawWhere(const Model& model, const Process& p);
  void DrawPlan(const Model& model, const Process& p);

  const Fonts& fonts_;
  ViewState& view_state_;
  Consoles& consoles_;
  StepControl control_;
  const Model* live_model_ = nullptr;  // set by Frame()
  int64_t shown_pid_ = 0;              // the backend the last Draw() showed
  std::optional<bool> replay_seek_;    // a replay step asked for: forward?
  std::string replay_note_;            // "no later step point"
};

}  // namespace minipg::viz::ui
