/*-------------------------------------------------------------------------
 * wait_layout.cpp
 *   Placing the wait-for graph's arrows and labels (wait_layout.h).
 *-------------------------------------------------------------------------
 */
#include "viz/ui/wait_layout.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace minipg::viz::ui {
namespace {

constexpr int kMaxSteps = 12;  // how far a label may be pushed out, in label heights

Point Add(Point a, Point b) { return Point{a.x + b.x, a.y + b.y}; }
Point Sub(Point a, Point b) { return Point{a.x - b.x, a.y - b.y}; }
Point Mul(Point a, float k) { return Point{a.x * k, a.y * k}; }

/* Where the ray from the box's centre toward `toward` leaves the box. */
Point BorderPoint(const Rect& r, Point toward) {
  Point c = r.Center();
  Point d = Sub(toward, c);
  float hw = (r.x1 - r.x0) * 0.5f, hh = (r.y1 - r.y0) * 0.5f;
  float t = 1.0f;
  if (std::fabs(d.x) > 1e-3f) t = std::min(t, hw / std::fabs(d.x));
  if (std::fabs(d.y) > 1e-3f) t = std::min(t, hh / std::fabs(d.y));
  return Add(c, Mul(d, t));
}

/* A w x h rectangle centred on `c`, moved inside `bounds` as far as it fits. */
Rect LabelAt(Point c, float w, float h, const Rect& bounds) {
  Rect r{c.x - w * 0.5f, c.y - h * 0.5f, c.x + w * 0.5f, c.y + h * 0.5f};
  auto shift = [](float lo, float hi, float min, float max) {
    if (hi > max) return max - hi;
    if (lo < min) return min - lo;
    return 0.0f;
  };
  float dx = shift(r.x0, r.x1, bounds.x0, bounds.x1);
  float dy = shift(r.y0, r.y1, bounds.y0, bounds.y1);
  return Rect{r.x0 + dx, r.y0 + dy, r.x1 + dx, r.y1 + dy};
}

ArrowPlan Through(const ArrowRequest& a, Point mid) {
  ArrowPlan p;
  p.mid = mid;
  p.start = BorderPoint(a.from, mid);
  p.end = BorderPoint(a.to, mid);
  // The control point that makes the curve pass through `mid` at t = 0.5.
  p.ctrl = Sub(Mul(mid, 2.0f), Mul(Add(p.start, p.end), 0.5f));
  return p;
}

}  // namespace

float Rect::OverlapArea(const Rect& o) const {
  float w = std::min(x1, o.x1) - std::max(x0, o.x0);
  float h = std::min(y1, o.y1) - std::max(y0, o.y0);
  return w > 0.0f && h > 0.0f ? w * h : 0.0f;
}

std::vector<ArrowPlan> LayoutWaitArrows(const std::vector<ArrowRequest>& arrows, const std::vector<Rect>& boxes,
                                        const std::vector<Rect>& obstacles, const Rect& bounds, float gap) {
  std::vector<ArrowPlan> plans;
  std::vector<Rect> placed;  // the labels so far
  plans.reserve(arrows.size());
  for (const ArrowRequest& a : arrows) {
    Point ca = a.from.Center(), cb = a.to.Center();
    Point d = Sub(cb, ca);
    float len = std::sqrt(d.x * d.x + d.y * d.y);
    Point normal = len < 1.0f ? Point{0.0f, -1.0f} : Point{-d.y / len, d.x / len};
    float box_h = a.from.y1 - a.from.y0;
    Point middle = Mul(Add(ca, cb), 0.5f);
    if (a.label_w <= 0.0f) {
      float bend = std::clamp(len * 0.3f, 0.6f * box_h, 1.1f * box_h);
      plans.push_back(Through(a, Add(middle, Mul(normal, bend))));
      continue;
    }
    // Far enough out that a label between two neighbours in a row clears
    // them, and the arrow's ends between them and it can be seen.
    float base = 0.5f * box_h + a.label_h + 3.0f * gap;
    float step = a.label_h + gap;
    const std::vector<Rect>* lists[] = {&boxes, &obstacles, &placed};
    Rect best;
    float best_overlap = std::numeric_limits<float>::max();
    for (int k = 0; k <= kMaxSteps && best_overlap > 0.0f; ++k) {
      for (float side : {1.0f, -1.0f}) {
        Rect r = LabelAt(Add(middle, Mul(normal, side * (base + static_cast<float>(k) * step))), a.label_w,
                         a.label_h, bounds);
        Rect kept{r.x0 - gap, r.y0 - gap, r.x1 + gap, r.y1 + gap};
        float overlap = 0.0f;
        for (const std::vector<Rect>* list : lists) {
          for (const Rect& o : *list) overlap += kept.OverlapArea(o);
        }
        if (overlap < best_overlap) {
          best_overlap = overlap;
          best = r;
        }
        if (overlap <= 0.0f) break;
      }
    }
    placed.push_back(best);
    ArrowPlan p = Through(a, best.Center());
    p.label = best;
    plans.push_back(p);
  }
  return plans;
}

}  // namespace minipg::viz::ui
