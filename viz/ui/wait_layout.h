/*-------------------------------------------------------------------------
 * wait_layout.h
 *   Where the wait-for graph's arrows and their labels go over the process
 *   boxes (transaction_view.cpp draws them): each arrow is a quadratic
 *   curve from the waiter's box to the holder's, bent to one side, that
 *   passes through the middle of its label. The labels are laid out so
 *   that each one is readable: no label covers another label, a process
 *   box or a given obstacle (the shared-memory band's text), and each
 *   stays inside the panel.
 *
 *   For each arrow in turn, candidate places for its label are tried, the
 *   nearest first: the middle of the curve bent just enough for a label
 *   between two neighbouring boxes to clear them with the arrow's ends
 *   still in sight, then bent further by one label height at a time, on the
 *   arrow's own side first (so two backends waiting for each other get
 *   their arrows on opposite sides when there is room), then on the
 *   other. The first place free of everything placed so far wins; if none
 *   is, the one overlapping least. The arrow then bends through its
 *   label's centre: two arrows bent the same way at different heights
 *   nest, and do not cross.
 *
 * NOTES
 *   Plain geometry with its own small types, no ImGui: the unit test
 *   (tests/viz/ui/wait_layout_test.cpp) checks the rectangles.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace minipg::viz::ui {

struct Point {
  float x = 0.0f;
  float y = 0.0f;
};

struct Rect {
  float x0 = 0.0f, y0 = 0.0f, x1 = 0.0f, y1 = 0.0f;
  bool Overlaps(const Rect& o) const { return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1; }
  float OverlapArea(const Rect& o) const;
  Point Center() const { return Point{(x0 + x1) * 0.5f, (y0 + y1) * 0.5f}; }
};

/* One arrow to place: from the waiter's box to the holder's, with a label
 * of this size (label_w 0: an arrow without a label of its own). */
struct ArrowRequest {
  int64_t waiter = 0;
  int64_t holder = 0;
  Rect from;
  Rect to;
  float label_w = 0.0f;
  float label_h = 0.0f;
};

/* Where an arrow goes: a quadratic Bezier start -> ctrl -> end whose middle
 * (t = 0.5) is `mid`, and its label's rectangle centred on `mid`. */
struct ArrowPlan {
  Point start, ctrl, end, mid;
  std::optional<Rect> label;
};

/* Places the arrows in order (the plans in the same order). `boxes` are all
 * the process boxes drawn, `obstacles` anything else a label must not
 * cover, `bounds` the panel's visible area; `gap` the space kept between
 * a label and its neighbours. */
std::vector<ArrowPlan> LayoutWaitArrows(const std::vector<ArrowRequest>& arrows, const std::vector<Rect>& boxes,
                                        const std::vector<Rect>& obstacles, const Rect& bounds, float gap);

}  // namespace minipg::viz::ui
