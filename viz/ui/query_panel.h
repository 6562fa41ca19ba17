/*-------------------------------------------------------------------------
 * query_panel.h
 *   The Query view: one backend's current (or last) query on its way
 *   through parse -> analyze -> plan -> execute -> done. It shows the
 *   backend (the one selected in Processes or Activity; else the most
 *   recently active backend, saying so), the query text, the stages as a
 *   row of boxes with each one's time under it (the stage in progress
 *   highlighted while the query runs, the one that failed in red), then per
 *   statement the plan tree with the rows each node produced, as EXPLAIN
 *   ANALYZE shows "rows=N", its command tag and time; last, the pages it
 *   read through shared buffers, each a hit or a miss. It reads the model's
 *   QueryTrace (viz/model/query_trace.h) and draws nothing else.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <imgui.h>

#include <cstdint>
#include <string>

#include "viz/model/model.h"
#include "viz/ui/theme.h"
#include "viz/ui/view_state.h"

namespace minipg::viz::ui {

class StepPanel;

class QueryPanel {
 public:
  QueryPanel(const Fonts& fonts, ViewState& view) : fonts_(fonts), view_state_(view) {}
  void Draw(const Model& model);
  /* The last frame's plan rows: drawn, and in view without scrolling (a
   * headless run prints them, so a test can see the plan above the fold). */
  int plan_nodes_drawn() const { return plan_nodes_drawn_; }
  int plan_nodes_in_view() const { return plan_nodes_in_view_; }
  /* Live stepping's controls and live plan, drawn under the header (step_panel.h). */
  void set_step_panel(StepPanel* step) { step_ = step; }

 private:
  /* The backend to show, and (in *why) why it is not the selected one. */
  const Process* Choose(const Model& model, std::string* why) const;
  void DrawHeader(const Process& p, const std::string& why);
  void DrawPipeline(const QueryTrace& t, int64_t now);
  void DrawOutcome(const QueryTrace& t, int64_t now);
  void DrawStatement(const QueryTrace& t, size_t index);
  /* The pages the query read (buffer_read), each a hit or a read from disk. */
  void DrawPages(const QueryTrace& t);

  const Fonts& fonts_;
  ViewState& view_state_;
  int plan_nodes_drawn_ = 0;
  int plan_nodes_in_view_ = 0;
  StepPanel* step_ = nullptr;
};

/* A duration for people: "850 us", "12.3 ms", "4.56 s". */
std::string FormatDurationUs(int64_t us);

}  // namespace minipg::viz::ui
