/*-------------------------------------------------------------------------
 * status_bar.h
 *   The header across the top of the window: the title, where events come
 *   from and the state of that source, the server, counters, the anomalies
 *   (hover for the list, click to open them in a window), and the colour
 *   legend: on the title line when it fits, else on a line of its own.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <string>

#include <imgui.h>

#include "viz/model/model.h"
#include "viz/model/source.h"
#include "viz/ui/theme.h"

namespace minipg::viz::ui {

/* What the header shows about the input, filled in by the app each frame. */
struct SourceStatus {
  std::string description;  // "file trace.jsonl", "tcp 127.0.0.1:5433", "none"
  SourceState state = SourceState::kEnded;
  std::string error;
  bool has_source = false;
};

/* What was clicked in the header this frame. */
struct HeaderClicks {
  bool reset_layout = false;
  bool scenarios = false;  // "scenarios": the list of lessons
  bool row_versions = false;  // "row versions": a table's versions and who sees them
};

class StatusBar {
 public:
  explicit StatusBar(const Fonts& fonts) : fonts_(fonts) {}
  /* Draws the header window; returns what was clicked. */
  HeaderClicks Draw(const Model& model, const SourceStatus& source);
  /* The header's height at this window width (call inside a frame). */
  float Height(float width) const;
  /* The anomalies window, when opened from the header. */
  void DrawAnomaliesWindow(const Model& model);

 private:
  void AnomaliesTooltip(const Model& model);
  float TitleWidth() const;
  /* Width of the buttons at the right of the title line. */
  float ButtonsWidth() const;
  /* Whether the legend fits on the title line at this width (else its own line). */
  bool LegendOnTitleLine(float width) const;

  const Fonts& fonts_;
  bool anomalies_open_ = false;
};

}  // namespace minipg::viz::ui
