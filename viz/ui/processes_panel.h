/*-------------------------------------------------------------------------
 * processes_panel.h
 *   The process tree: the postmaster at the root and the processes it
 *   forked below it. Two views of the same model data:
 *     Graph  boxes drawn with ImDrawList, the postmaster on top, children in
 *            rows below, each joined to it by a bus line; auxiliary
 *            processes (the collector) beside it, joined by a dashed line;
 *            colour = state (see theme.h).
 *     Tree   an ImGui tree, one line per process, for long lists.
 *   Under either, once the stream has told of shared buffers or the WAL,
 *   shared memory as it is now (shared_memory_view.h).
 *   Hovering a box shows everything the model knows about it.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include <imgui.h>

#include "viz/model/model.h"
#include "viz/ui/clients_view.h"
#include "viz/ui/process_actions.h"
#include "viz/ui/shared_memory_view.h"
#include "viz/ui/theme.h"
#include "viz/ui/transaction_view.h"
#include "viz/ui/view_state.h"

namespace minipg::viz::ui {

class ProcessesPanel {
 public:
  ProcessesPanel(const Fonts& fonts, ViewState& view)
      : fonts_(fonts), view_state_(view), clients_view_(fonts, view), shmem_view_(fonts, view) {}

  /* Text shown while the model has no process yet (how to connect). */
  void SetEmptyHint(std::string hint) { empty_hint_ = std::move(hint); }
  /* The line of action buttons drawn under the view controls (optional). */
  void SetActions(ProcessActions* actions) { actions_ = actions; }
  /* Whether a new backend slides down from the postmaster (off for screenshots). */
  void SetAnimations(bool on) { animations_ = on; }
  /* Shows "graph", "tree" or "clients" (as its radio button would); false if unknown. */
  bool SetView(const std::string& name);

  void Draw(const Model& model);

  /* The graph's last frame: the wait-for graph's labels, and every box
   * drawn (pid, where), for a headless run's transcript. */
  const std::vector<DrawnWaitLabel>& wait_labels() const { return wait_labels_; }
  const std::vector<std::pair<int64_t, Rect>>& drawn_boxes() const { return drawn_boxes_; }
  /* The graph's last frame: each box's text (state | lines), as drawn. */
  const std::vector<std::pair<int64_t, std::string>>& box_texts() const { return box_texts_; }

 private:
  /* Sizes of the graph's parts at one scale. */
  struct GraphMetrics {
    float scale, box_w, box_h, gap_x, gap_y, root_gap, pad, line_h;
    float wait_gap;  // added above the first row (and twice below) for the wait labels
  };
  /* Where one root (the postmaster) and its children go, relative to the
   * graph's top-left corner. Computed by LayoutRoot() and used both to size
   * the graph and to draw it, so the two never disagree. */
  struct RootLayout {
    ImVec2 root;                    // the root's box
    std::vector<size_t> aux;        // auxiliary children, in a column right of the root
    std::vector<ImVec2> aux_pos;
    float aux_box_w = 0.0f;         // their boxes' width (narrower than the others' to fit a row)
    std::vector<size_t> grid;       // the other children, in rows below the root
    std::vector<ImVec2> grid_pos;
    size_t per_row = 1;             // grid boxes per row
    size_t rows = 0;                // grid rows
    float trunk_x = 0.0f;           // x of the vertical bus left of the grid (rows > 1)
    float bottom = 0.0f;            // lowest box edge
    float right = 0.0f;             // rightmost box edge
  };
  GraphMetrics MetricsAt(float scale) const;
  static size_t PerRow(const GraphMetrics& m, float avail_w);
  void LayoutRoot(const Model& model, size_t root, const GraphMetrics& m, float avail_w,
                  float top, RootLayout& out) const;
  /* The graph's height; with live_only, down to the lowest running box. */
  float GraphHeight(const Model& model, const GraphMetrics& m, float avail_w, bool live_only = false);
  /* The height kept under the boxes for the wait-for graph's labels and a
   * deadlock's banner while any backend waits (0 otherwise). */
  static float WaitRoom(const Model& model, const GraphMetrics& m);
  /* Whether any backend waits for a lock (or a deadlock is being resolved). */
  static bool AnyWaits(const Model& model);
  /* Before DrawGraph(): shared memory yields height until the running
   * processes fit at the smallest scale (live_h_), folding into the
   * graph's band below its minimum height; then children_ and roots_ are
   * built for drawing. */
  void FitGraph(const Model& model, float avail_h);
  void DrawGraph(const Model& model);
  void DrawTree(const Model& model);
  void DrawTreeNode(const Model& model, size_t index);
  /* Draws one process box at `min` (screen coordinates); returns true if hovered. */
  bool DrawBox(const Model& model, const Process& p, ImVec2 min, const GraphMetrics& m);
  void ProcessTooltip(const Model& model, const Process& p);
  /* Where a box is drawn while its fork animation runs (it slides from the
   * postmaster `from` to its place `to` in its first moments). */
  ImVec2 ForkAnimated(const Model& model, const Process& p, ImVec2 from, ImVec2 to);
  /* What the band's label adds about buffers and the WAL. */
  std::string SharedMemoryNote(const Model& model) const;
  /* The shared-memory band under the postmaster that the children hang from. */
  void DrawSharedMemory(const Model& model, const RootLayout& L, ImVec2 origin, const GraphMetrics& m,
                        float root_cx, float rail_drop);
  /* children_ and roots_ from the model, with or without exited processes. */
  void BuildChildren(const Model& model, bool exited);

  enum class View {
    kGraph,    // boxes and lines
    kTree,     // an indented list
    kClients,  // each client beside its backend (clients_view.h)
  };

  const Fonts& fonts_;
  ViewState& view_state_;
  std::string empty_hint_;
  ProcessActions* actions_ = nullptr;
  ClientsView clients_view_;
  SharedMemoryView shmem_view_;
  float shmem_h_ = 0.0f;  // this frame: the height kept under the graph or tree for shared memory
  float live_h_ = 0.0f;   // this frame: the running processes' graph height at the smallest scale
  float wait_gap_ = 0.0f;  // this frame, unscaled: GraphMetrics::wait_gap
  bool shmem_folded_ = false;  // this frame: shared memory gave its height to the graph
  bool animations_ = true;
  View view_ = View::kGraph;
  bool show_exited_ = true;
  bool show_shmem_ = true;  // the shared memory view under the graph or tree, once it is known
  // Per-frame scratch, kept to avoid reallocating every frame.
  std::vector<std::vector<size_t>> children_;  // index -> child indices
  std::vector<size_t> roots_;
  RootLayout layout_;  // graph: where the boxes of the root being drawn go
  std::unordered_map<int64_t, double> first_seen_;  // pid -> ImGui time it was first drawn
  std::unordered_map<int64_t, BoxRect> boxes_;      // this frame: where each live box was drawn
  std::vector<Rect> obstacles_;                     // this frame: what a wait label must not cover
  std::vector<std::pair<int64_t, Rect>> drawn_boxes_;  // this frame: every box drawn, exited ones too
  std::vector<std::pair<int64_t, std::string>> box_texts_;  // this frame: what each box says
  std::vector<DrawnWaitLabel> wait_labels_;         // this frame: the wait-for graph's labels
};

}  // namespace minipg::viz::ui
