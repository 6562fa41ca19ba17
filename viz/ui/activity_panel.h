/*-------------------------------------------------------------------------
 * activity_panel.h
 *   A pg_stat_activity-like table of the backends: pid, user@database,
 *   application_name, client address, state, and the query (the running
 *   one, else the last one, greyed) with its current stage (parse / analyze
 *   / plan / execute). A click on a column header sorts by it (pid by
 *   default); a right-click shows or hides columns (client is hidden at
 *   first). A click on a row selects its backend (ViewState, shared with
 *   the Processes and Query panels), and the selected row is highlighted.
 *   Above it, one line: the backends connected and max_connections (the
 *   port, listen sockets and event port in its tooltip).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <imgui.h>

#include "viz/model/model.h"
#include "viz/ui/theme.h"
#include "viz/ui/view_state.h"

namespace minipg::viz::ui {

class ActivityPanel {
 public:
  ActivityPanel(const Fonts& fonts, ViewState& view) : fonts_(fonts), view_state_(view) {}
  void Draw(const Model& model);
  /* The last frame's rows whole in view (a headless run prints it). */
  int rows_in_view() const { return rows_in_view_; }

 private:
  const Fonts& fonts_;
  ViewState& view_state_;  // a click on a row selects its backend
  bool show_exited_ = false;
  int rows_drawn_ = 0;
  int rows_in_view_ = 0;
};

}  // namespace minipg::viz::ui
