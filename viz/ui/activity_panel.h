/*-------------------------------------------------------------------------
 * activity_panel.h
 *   A pg_stat_activity-like table of the backends: pid, user@database,
 *   application_name, client address, state, and the query (the running
 *   one, else the last one, greyed) with its current stage (parse / analyze
 *   / plan / execute). A click on a column header sorts by it (pid by
 *   default); a right-click shows or hides columns (client is hidden at
 *   first). A click on a row selects its backend (ViewState, shared with
 *   the Processes and Query panels), and the selected row is highlighted.
 *   The server's port and listen sockets are listed above.
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

 private:
  const Fonts& fonts_;
  ViewState& view_state_;  // a click on a row selects its backend
  bool show_exited_ = false;
};

}  // namespace minipg::viz::ui
