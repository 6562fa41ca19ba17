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
 *
 *   A panel of its own colour (the header) lists its rectangle, and the
 *   frame is cleared to that colour there too (a scissored glClear).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <vector>

#include <imgui.h>

namespace minipg::viz::ui {

/* The colour the frame is cleared to: the panels' background. */
void BackdropColor(float rgba[4]);

/* A see-through panel of another colour than the backdrop: the frame is
 * cleared to that colour over the panel's rectangle (in window pixels). */
struct BackdropRect {
  ImVec2 min, max;
  ImVec4 colour;
};

/* The rectangles of this frame's see-through panels that are not of the
 * backdrop colour; ClearBackdropRects() empties the list for the next frame. */
const std::vector<BackdropRect>& BackdropRects();
void ClearBackdropRects();

/* While alive, windows begun (the named one and its children) draw no
 * background, unless the named window overlapped another visible window in
 * the last frame. `background` is the panel's colour (the backdrop's by
 * default); a panel of another colour is listed in BackdropRects(). */
class SeeThroughPanel {
 public:
  explicit SeeThroughPanel(const char* window_name);
  SeeThroughPanel(const char* window_name, const ImVec4& background);
  ~SeeThroughPanel();
  SeeThroughPanel(const SeeThroughPanel&) = delete;
  SeeThroughPanel& operator=(const SeeThroughPanel&) = delete;

 private:
  const char* name_;
  ImVec4 background_;
  bool own_colour_ = false;  // background_ differs from the backdrop
  bool see_through_ = false;
};

}  // namespace minipg::viz::ui
