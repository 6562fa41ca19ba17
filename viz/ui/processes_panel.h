/*-------------------------------------------------------------------------
 * processes_panel.h
 *   The process tree: the postmaster at the root and the processes it
 *   forked below it. Two views of the same model data:
 *     Graph  boxes drawn with ImDrawList, the postmaster on top, children in
 *            rows below, joined by lines; colour = state (see theme.h).
 *     Tree   an ImGui tree, one line per process, for long lists.
 *   Hovering a box or line shows everything the model knows about it.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <imgui.h>

#include "viz/model/model.h"
#include "viz/ui/theme.h"

namespace minipg::viz::ui {

class ProcessesPanel {
 public:
  explicit ProcessesPanel(const Fonts& fonts) : fonts_(fonts) {}

  /* Text shown while the model has no process yet (how to connect). */
  void SetEmptyHint(std::string hint) { empty_hint_ = std::move(hint); }

  void Draw(const Model& model);

 private:
  /* Sizes of the graph's parts at one scale. */
  struct GraphMetrics {
    float scale, box_w, box_h, gap_x, gap_y, root_gap, pad, line_h;
  };
  GraphMetrics MetricsAt(float scale) const;
  static size_t PerRow(const GraphMetrics& m, float avail_w);
  float GraphHeight(const GraphMetrics& m, float avail_w) const;
  void DrawGraph(const Model& model);
  void DrawTree(const Model& model);
  void DrawTreeNode(const Model& model, size_t index);
  /* Draws one process box at `min` (screen coordinates); returns true if hovered. */
  bool DrawBox(const Model& model, const Process& p, ImVec2 min, const GraphMetrics& m);
  void ProcessTooltip(const Model& model, const Process& p);
  void BuildChildren(const Model& model);

  enum class View {
    kGraph,  // boxes and lines
    kTree,   // an indented list
  };

  const Fonts& fonts_;
  std::string empty_hint_;
  View view_ = View::kGraph;
  bool show_exited_ = true;
  int64_t selected_pid_ = 0;
  // Per-frame scratch, kept to avoid reallocating every frame.
  std::vector<std::vector<size_t>> children_;  // index -> child indices
  std::vector<size_t> roots_;
  std::vector<ImVec2> positions_;  // graph: where each child box goes
};

}  // namespace minipg::viz::ui
