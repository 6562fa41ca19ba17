/*-------------------------------------------------------------------------
 * activity_panel.h
 *   A pg_stat_activity-like table of the backends: pid, user@database,
 *   application_name, client address, state, and the query (the running
 *   one, else the last one, greyed) with its current stage (parse / analyze
 *   / plan / execute). A click on a column header sorts by it (pid by
 *   default); a right-click shows or hides columns (client is hidden at
 *   first). The server's port and listen sockets are listed above.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <imgui.h>

#include "viz/model/model.h"
#include "viz/ui/theme.h"

namespace minipg::viz::ui {

class ActivityPanel {
 public:
  explicit ActivityPanel(const Fonts& fonts) : fonts_(fonts) {}
  void Draw(const Model& model);

 private:
  const Fonts& fonts_;
  bool show_exited_ = false;
};

}  // namespace minipg::viz::ui
