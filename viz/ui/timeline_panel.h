/*-------------------------------------------------------------------------
 * timeline_panel.h
 *   The Timeline: one lane per process (and per simulated client), time
 *   flowing left to right, drawn from the spans, markers and arrows of a
 *   SpanBuilder (viz/model/spans.h).
 *
 *     +-------------+--------------------------------------------------+
 *     | [Fit] [x] Follow   2.5 s shown . wheel: zoom . drag: pan  key   |
 *     |             | 0 s        0.5 s        1.0 s        1.5 s        | axis
 *     | postmaster  | [==== life ======[fork]=========[fork]========== | lanes
 *     | backend 201 |        |   [auth][ query  ][ query ]     ]       |
 *     |  alice@shop |        v       [p|a|pl|exec ]                    |
 *     | client bob  |  [ connection: [connect] [query]  ... ]          |
 *     +-------------+--------------------------------------------------+
 *
 *   Inside a lane the life (or connection, or scenario) is the pale
 *   background, queries and the like fill the upper row, query stages and
 *   forks the thin row below. Arrows are causes (fork, cancel, signal,
 *   crash, client -> backend); markers are instants (captions, errors,
 *   crashes, shutdown requests).
 *
 *   Mouse: the wheel over the time area zooms around the pointer (over the
 *   labels it scrolls the lanes); dragging pans; a click on a span selects
 *   its process and asks playback to seek to the span's start, a click on
 *   empty time asks to seek there; a click on a lane label selects its
 *   process. "Fit" shows the whole trace; "Follow" keeps the newest events
 *   at the right edge while live. Stopped playback (view.live false) shows
 *   as a cursor line with what lies after it dimmed.
 *
 *   When the lanes do not fit, those of processes not running at the
 *   moment shown (the newest while live, the cursor in a replay) fold into
 *   thin strips, and the backends and clients folded go below those
 *   running, so a long session's live backends stay in view (the
 *   postmaster stays first, minipg-sim and the auxiliaries last).
 *
 * NOTES
 *   Per frame the panel asks the builder only for the spans that intersect
 *   the visible range of the lanes in view; spans narrower than a pixel are
 *   merged into one mark. The lane list is rebuilt only when the builder's
 *   lanes change (a fork, an exit, a connect; not a query), and past 200
 *   lanes at most four times a second. An arrow with one end scrolled out
 *   of view is drawn as a short stub.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <imgui.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "viz/model/model.h"
#include "viz/model/spans.h"
#include "viz/ui/theme.h"
#include "viz/ui/view_state.h"

namespace minipg::viz::ui {

class TimelinePanel {
 public:
  TimelinePanel(const Fonts& fonts, ViewState& view) : fonts_(fonts), view_state_(view) {}

  void Draw(const SpanBuilder& spans, const Model& model);

 private:
  struct Lane {
    SpanLane info;
    std::string label;   // "backend 201"
    std::string detail;  // "alice@shop"
  };
  /* What the pointer is over, found while drawing, acted on afterwards. */
  struct Hit {
    const Span* span = nullptr;
    const SpanInstant* instant = nullptr;
    const Lane* lane = nullptr;
    bool open = false;  // the span is still open
  };

  void RefreshLanes(const SpanBuilder& spans);
  void UpdateRange(const SpanBuilder& spans);
  void DrawToolbar(const SpanBuilder& spans);
  void DrawAxis(ImDrawList* dl, ImVec2 min, ImVec2 max, int64_t origin) const;
  /* One lane at `y`, `height` tall (kLaneHeight, or a thin strip). */
  void DrawLane(ImDrawList* dl, const SpanBuilder& spans, const Lane& lane, float y, float height,
                int64_t last_ts, Hit* hit);
  /* Lays the lanes out for a view `view_h` tall as they are at `moment`:
   * rows_, row_y_, lane_y_, lane_heights_, lane_alive_. */
  float LayOutLanes(const SpanBuilder& spans, float view_h, int64_t moment);
  /* The lane shows the selected process (a client lane: its backend). */
  bool IsSelected(const SpanLane& lane) const;
  /* The lane at `y` (relative to the lanes' top), or lanes_.size(). */
  size_t LaneAt(float y) const;
  void DrawFlows(ImDrawList* dl, const SpanBuilder& spans, float lanes_top, float view_top,
                 float view_bottom) const;
  /* The labels of rows [first, last). */
  void DrawLabels(ImDrawList* dl, const Model& model, float lanes_top, float x0, float x1,
                  size_t first, size_t last) const;
  void Tooltip(const Hit& hit, int64_t origin, int64_t last_ts) const;
  /* Zoom, pan, click, for the time area item just submitted. */
  void HandleTimeArea(const Hit& hit, float x0, float x1);
  int64_t PidOf(const Hit& hit) const;

  double TsToX(double ts) const {
    return area_x0_ + (ts - t0_) / (t1_ - t0_) * (area_x1_ - area_x0_);
  }
  double XToTs(double x) const {
    return t0_ + (x - area_x0_) / (area_x1_ - area_x0_) * (t1_ - t0_);
  }

  const Fonts& fonts_;
  ViewState& view_state_;
  // The lanes, in drawing order, rebuilt when the builder changes.
  std::vector<Lane> lanes_;
  std::map<std::pair<int64_t, int64_t>, size_t> lane_index_;  // (pid, tid) -> lanes_
  uint64_t lanes_generation_ = ~uint64_t{0};
  uint64_t lanes_builder_ = 0;  // SpanBuilder::id() of the lanes' builder
  double lanes_refreshed_at_ = -1e9;  // ImGui time of the last rebuild
  // The visible time range (microseconds, the stream's clock).
  double t0_ = 0.0, t1_ = 1.0;
  bool fit_ = true;     // show the whole trace (until the user zooms or pans)
  bool follow_ = true;  // while live, keep the newest ts at the right edge
  uint64_t followed_generation_ = ~uint64_t{0};  // the builder's generation last followed
  // Where the time area is on screen this frame.
  float area_x0_ = 0.0f, area_x1_ = 1.0f;
  float lane_h_ = 36.0f;
  // Per-frame scratch, kept to avoid reallocating.
  std::vector<const Span*> scratch_spans_;
  std::vector<const Span*> scratch_open_;
  std::vector<const SpanInstant*> scratch_instants_;
  // The layout of this frame. Rows are lanes in the order drawn top down.
  std::vector<size_t> rows_;         // row -> index in lanes_
  std::vector<float> row_y_;         // top of each row (ascending)
  std::vector<float> lane_y_;        // top of each lane, relative to the lanes' top
  std::vector<float> lane_heights_;  // each lane's height
  std::vector<char> lane_alive_;     // running at the moment shown
};

}  // namespace minipg::viz::ui
