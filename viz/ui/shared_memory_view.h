/*-------------------------------------------------------------------------
 * shared_memory_view.h
 *   Shared memory as it is now, drawn under the process graph: the buffer
 *   pool as a grid of cells (one per buffer, coloured by its state: free,
 *   clean, dirty, pinned, being read, being written), the WAL as a strip
 *   (what is flushed, what is only in the WAL buffers, the insert and flush
 *   positions and the redo point, replay's progress during recovery), and
 *   the processes writing (checkpointer, background writer, WAL writer, a
 *   backend) as labels with an arrow to the cells or the WAL they write.
 *
 *     +--------------------------------------------------------------+
 *     | shared buffers: 16 x 8 kB   hits 8 / reads 26   legend       |
 *     | [writers]   [][][][][][][][][][][][][][][][]                  |
 *     |  checkpointer --> [][][]...                                   |
 *     | WAL |=====flushed=====|==not flushed==|  redo ^  insert v     |
 *     +--------------------------------------------------------------+
 *
 *   Hovering a cell shows its relation, fork, block, usage count, pin and
 *   last I/O; hovering the strip, the positions and the newest records.
 *   It reads the model only (SharedMemory); the time it draws is the
 *   model's (the newest event, or the replayed moment).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <imgui.h>

#include "viz/model/model.h"
#include "viz/ui/theme.h"
#include "viz/ui/view_state.h"

namespace minipg::viz::ui {

class SharedMemoryView {
 public:
  SharedMemoryView(const Fonts& fonts, const ViewState& view) : fonts_(fonts), view_state_(view) {}

  /* The least height it is drawn in: the title, a few rows of cells, the WAL strip. */
  static constexpr float kMinHeight = 100.0f;

  /* The height it wants in a panel `avail_h` high (0: nothing to draw). */
  float PreferredHeight(const Model& model, float avail_h) const;
  /* Draws at the cursor, `height` high and as wide as the window allows. */
  void Draw(const Model& model, float height);

 private:
  /* The grid in [min, max]; returns the screen rectangle of each drawn
   * cell through cell_min_/cell_size_ for the writer arrows. */
  void DrawGrid(const Model& model, ImVec2 min, ImVec2 max);
  void DrawWalStrip(const Model& model, ImVec2 min, ImVec2 max);
  void DrawWriters(const Model& model, ImVec2 min, ImVec2 max);
  void CellTooltip(const Model& model, size_t i) const;
  ImVec2 CellCenter(size_t i) const;

  const Fonts& fonts_;
  const ViewState& view_state_;
  int64_t now_ = 0;  // this frame's moment (NowTs)
  // Where the last frame's grid went (DrawGrid), for the writers' arrows.
  ImVec2 grid_min_{0, 0};
  float cell_ = 0.0f;
  size_t cols_ = 1;
  size_t drawn_ = 0;
  // Where the WAL strip's flush marker went (DrawWalStrip).
  ImVec2 flush_at_{0, 0};
};

}  // namespace minipg::viz::ui
