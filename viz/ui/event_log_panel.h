/*-------------------------------------------------------------------------
 * event_log_panel.h
 *   The scrolling event log: one row per event (time since the first event,
 *   pid, type, fields), newest at the bottom. A text filter and a per-type
 *   filter narrow it; auto-scroll follows new events until the user scrolls
 *   up. Reads Model::log(), which is bounded; the number of entries that
 *   fell out of it is shown.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include <imgui.h>

#include "viz/model/model.h"
#include "viz/ui/theme.h"

namespace minipg::viz::ui {

class EventLogPanel {
 public:
  explicit EventLogPanel(const Fonts& fonts);
  void Draw(const Model& model);

 private:
  void DrawTypeFilter(const Model& model);
  bool Passes(const LogEntry& e) const;

  const Fonts& fonts_;
  ImGuiTextFilter text_filter_;
  std::array<bool, kEventTypeSlots> show_type_{};
  bool auto_scroll_ = true;
  uint64_t last_drawn_seq_ = 0;
  std::vector<int> visible_;  // indices into model.log() passing the filters
};

}  // namespace minipg::viz::ui
