/*-------------------------------------------------------------------------
 * backdrop.h
 *   Panels drawn without their own background where nothing lies under
 *   them: the frame is cleared to the panel colour instead.
 *
 *   On Mesa's software renderer (Xvfb, VMs, the CI machine) a frame's cost
 *   is the pixels it shades, and every ImGui window and child region fills
 *   its whole area before anything is drawn in it: about a screen's worth
 *   of the two a frame shades. glClear is not shaded. So a tiled panel that
 *   overlaps no other window (as drawn last frame) leaves its background
 *   and its children's out; one the user has dragged over another, or that
 *   lies over a floating window, keeps them, so nothing shows through.
 *
 *     ui::SeeThroughPanel scope("Processes");  // before the panel's Begin
 *     processes_panel_.Draw(model);
 *-------------------------------------------------------------------------
 */
#pragma once

namespace minipg::viz::ui {

/* The colour the frame is cleared to: the panels' background. */
void BackdropColor(float rgba[4]);

/* While alive, windows begun (the named one and its children) draw no
 * background, unless the named window overlapped another visible window in
 * the last frame. */
class SeeThroughPanel {
 public:
  explicit SeeThroughPanel(const char* window_name);
  ~SeeThroughPanel();
  SeeThroughPanel(const SeeThroughPanel&) = delete;
  SeeThroughPanel& operator=(const SeeThroughPanel&) = delete;

 private:
  bool pushed_ = false;
};

}  // namespace minipg::viz::ui
