/*-------------------------------------------------------------------------
 * timeline_panel.cpp
 *   Drawing the Timeline (see timeline_panel.h).
 *
 *   A lane, top to bottom (kLaneHeight):
 *
 *     +---------------------------------------------------------+
 *     | life / connection / scenario: pale background (depth 0)  |
 *     |   [ query, authentication, phase, caption ]  (depth 1)   |
 *     |   [p][a][plan][ execute ]  stages and forks  (depth 2)   |
 *     +---------------------------------------------------------+
 *
 *   The window: a toolbar, the time axis, then a child window holding the
 *   lanes (it scrolls vertically when they do not fit), the label column
 *   drawn over its left part.
 *
 * NOTES
 *   Time is kept as doubles of microseconds: CLOCK_MONOTONIC values stay
 *   exact far beyond a year of uptime, and zooming needs fractions.
 *   Everything the pointer can act on (span, marker, lane label, empty
 *   time) is found while drawing and acted on after, from one invisible
 *   button per strip, so clicks and drags never go to two places.
 *-------------------------------------------------------------------------
 */
#include "viz/ui/timeline_panel.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <unordered_map>

namespace minipg::viz::ui {
namespace {

constexpr float kRow1Height = 19.0f;  // queries and the like (mono text)
constexpr float kRow2Height = 13.0f;  // stages and forks
constexpr float kLanePad = 2.0f;
constexpr float kLaneHeight = kLanePad + kRow1Height + 1.0f + kRow2Height + kLanePad + 1.0f;
// When the lanes do not fit, those of processes not running become thin
// strips (their life and queries as bars, no text) below the running ones.
constexpr float kThinLaneHeight = 14.0f;
constexpr float kStageFontSize = 11.0f;
constexpr float kDetailFontSize = 12.0f;
constexpr float kMinLabelWidth = 150.0f;
constexpr float kMaxLabelWidth = 210.0f;
constexpr float kTickSpacingPx = 110.0f;
constexpr double kMinWidthUs = 20.0;  // the deepest zoom: 20 microseconds across
constexpr double kZoomStep = 0.8;     // per wheel notch
constexpr float kClickSlopSq = 9.0f;  // a press that moved less than 3 px is a click
constexpr size_t kManyLanes = 200;
constexpr double kLaneRefreshSeconds = 0.25;

constexpr ImU32 kLaneLine = IM_COL32(205, 210, 218, 255);
constexpr ImU32 kLaneSelected = IM_COL32(255, 243, 196, 255);
constexpr ImU32 kGridLine = IM_COL32(0, 0, 0, 22);
constexpr ImU32 kAxisText = IM_COL32(60, 66, 80, 255);
constexpr ImU32 kLabelBg = IM_COL32(246, 247, 250, 255);
constexpr ImU32 kLabelText = IM_COL32(20, 24, 32, 255);
constexpr ImU32 kLabelDim = IM_COL32(120, 124, 132, 255);
constexpr ImU32 kCursor = IM_COL32(230, 81, 0, 255);
constexpr ImU32 kAfterCursor = IM_COL32(238, 240, 244, 170);
constexpr ImU32 kForgotten = IM_COL32(226, 229, 236, 255);
constexpr ImU32 kMergedMark = IM_COL32(110, 116, 128, 255);
constexpr ImU32 kSpanBorder = IM_COL32(0, 0, 0, 60);

std::string FormatDuration(double us) {
  if (us < 1000.0) return fmt::format("{:.0f} us", us);
  if (us < 1e6) return fmt::format("{:.3g} ms", us / 1e3);
  return fmt::format("{:.3g} s", us / 1e6);
}

/* A tick step of 1, 2 or 5 times a power of ten, at least `raw` us. */
double NiceStep(double raw) {
  double p = std::pow(10.0, std::floor(std::log10(std::max(raw, 1.0))));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (p * m >= raw) return p * m;
  }
  return p * 10.0;
}

/*
 * An arrow from a dot at `from` to a head at `to`. A software renderer
 * (llvmpipe) pays per triangle more than per pixel, and a timeline can hold
 * hundreds of arrows: the dot is a hexagon, and stubs (tail_dot false) have none.
 */
void Arrow(ImDrawList* dl, ImVec2 from, ImVec2 to, ImU32 col, bool tail_dot = true) {
  float dx = to.x - from.x, dy = to.y - from.y;
  float len = std::sqrt(dx * dx + dy * dy);
  if (len < 1.0f) return;
  float ux = dx / len, uy = dy / len;
  const float head = 8.0f, half = 4.5f;
  ImVec2 base(to.x - ux * head, to.y - uy * head);
  dl->AddLine(from, base, col, 2.0f);
  dl->AddTriangleFilled(to, ImVec2(base.x - uy * half, base.y + ux * half),
                        ImVec2(base.x + uy * half, base.y - ux * half), col);
  if (tail_dot) dl->AddCircleFilled(from, 2.5f, col, 6);
}

void Diamond(ImDrawList* dl, ImVec2 c, float r, ImU32 fill) {
  dl->AddQuadFilled(ImVec2(c.x, c.y - r), ImVec2(c.x + r, c.y), ImVec2(c.x, c.y + r),
                    ImVec2(c.x - r, c.y), fill);
  dl->AddQuad(ImVec2(c.x, c.y - r), ImVec2(c.x + r, c.y), ImVec2(c.x, c.y + r),
              ImVec2(c.x - r, c.y), IM_COL32(255, 255, 255, 230), 1.0f);
}

/* The args of a span or marker, one "key: value" line each. */
void ArgLines(const nlohmann::ordered_json& args) {
  int shown = 0;
  for (const auto& [key, value] : args.items()) {
    if (++shown > 14) {
      ImGui::TextDisabled("...");
      break;
    }
    std::string text =
        value.is_string()
            ? value.get<std::string>()
            : value.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    ImGui::TextDisabled("%s:", key.c_str());
    ImGui::SameLine();
    ImGui::TextUnformatted(Ellipsize(text, 90).c_str());
  }
}

/* The line under a lane ending at `bottom`: its last whole pixel row, in
 * one solid colour (an anti-aliased line there would smear over two). */
void LaneSeparator(ImDrawList* dl, float x0, float x1, float bottom) {
  float row = std::floor(bottom) - 1.0f;
  dl->AddRectFilled(ImVec2(x0, row), ImVec2(x1, row + 1.0f), kLaneLine);
}

}  // namespace

void TimelinePanel::RefreshLanes(const SpanBuilder& spans) {
  if (lanes_builder_ == spans.id() && lanes_generation_ == spans.lanes_generation()) return;
  // With many lanes (a connection per transaction makes thousands) the
  // list is rebuilt a few times a second, not on every frame of a stream.
  double now = ImGui::GetTime();
  if (lanes_builder_ == spans.id() && lanes_.size() > kManyLanes &&
      now - lanes_refreshed_at_ < kLaneRefreshSeconds) {
    return;
  }
  lanes_refreshed_at_ = now;
  lanes_generation_ = spans.lanes_generation();
  lanes_builder_ = spans.id();
  std::vector<SpanLane> lanes = spans.Lanes();
  SortLanesForTimeline(&lanes);
  lanes_.clear();
  lane_index_.clear();
  for (SpanLane& l : lanes) {
    Lane lane;
    switch (l.group) {
      case LaneGroup::kPostmaster:
      case LaneGroup::kAuxiliary:
        lane.label = l.role == "collector" ? std::string("event collector") : l.role;
        lane.detail = fmt::format("pid {}", l.pid);
        break;
      case LaneGroup::kBackend:
        if (l.name.rfind("cancel request", 0) == 0) {
          lane.label = fmt::format("cancel req {}", l.pid);
          lane.detail = "cancel request";
        } else {
          lane.label = fmt::format("{} {}", l.role, l.pid);
          lane.detail = l.user.empty() ? std::string() : fmt::format("{}@{}", l.user, l.database);
        }
        break;
      case LaneGroup::kRunner:
        lane.label = "minipg-sim";
        lane.detail = l.name.size() > 12 ? l.name.substr(12) : std::string("scenario");
        break;
      case LaneGroup::kClient:
        lane.label = l.name;
        lane.detail = l.backend_pid > 0 ? fmt::format("-> backend {}", l.backend_pid)
                                        : fmt::format("{}@{}", l.user, l.database);
        break;
      case LaneGroup::kOther:
        lane.label = l.name;
        break;
    }
    lane.info = std::move(l);
    lane_index_[{lane.info.pid, lane.info.tid}] = lanes_.size();
    lanes_.push_back(std::move(lane));
  }
}

void TimelinePanel::UpdateRange(const SpanBuilder& spans) {
  // What was forgotten to bound memory is not part of "the whole trace" here.
  double first = static_cast<double>(std::max(spans.first_ts(), spans.forgotten_before()));
  double last = static_cast<double>(spans.last_ts());
  if (last - first < 1000.0) last = first + 1000.0;
  if (fit_) {
    double pad = (last - first) * 0.02;
    t0_ = first - pad;
    t1_ = last + pad;
  } else if (follow_ && view_state_.live && spans.generation() != followed_generation_) {
    // Only when new events came: between them the wheel zooms around the
    // pointer like anywhere else.
    double w = t1_ - t0_;
    t1_ = last + w * 0.02;
    t0_ = t1_ - w;
  }
  followed_generation_ = spans.generation();
  if (t1_ - t0_ < kMinWidthUs) t1_ = t0_ + kMinWidthUs;
}

void TimelinePanel::DrawToolbar(const SpanBuilder& spans) {
  (void)spans;
  if (ImGui::Button("Fit")) fit_ = true;
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Show the whole trace");
  ImGui::SameLine();
  ImGui::Checkbox("Follow", &follow_);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("While live, keep the newest events at the right edge");
  ImGui::SameLine();
  ImGui::TextDisabled("%s shown \xC2\xB7 wheel: zoom \xC2\xB7 drag: pan",
                      FormatDuration(t1_ - t0_).c_str());
  // A small key to the colours: query stages and arrows.
  struct Key {
    const char* text;
    ImU32 col;
  };
  Span probe;
  auto fill = [&](SpanKind k) {
    probe.kind = k;
    return SpanFill(probe);
  };
  const Key keys[] = {
      {"life of a process (pale red: crashed)", fill(SpanKind::kLife)},
      {"authentication", fill(SpanKind::kAuthentication)},
      {"query", fill(SpanKind::kQuery)},
      {"parse", fill(SpanKind::kParse)},
      {"analyze", fill(SpanKind::kAnalyze)},
      {"plan", fill(SpanKind::kPlan)},
      {"execute", fill(SpanKind::kExecute)},
      {"waiting for a lock", fill(SpanKind::kLockWait)},
      {"stopped by stepping (in its client's lane: waiting for the server)", fill(SpanKind::kStepPause)},
      {"WAL replay (startup process)", fill(SpanKind::kRecovery)},
      {"error", IM_COL32(211, 47, 47, 255)},
      {"client connection", fill(SpanKind::kClientConnection)},
      {"client waiting for an answer", fill(SpanKind::kClientQuery)},
      {"arrow: fork", FlowColor(FlowKind::kFork)},
      {"arrow: a client gets its backend", FlowColor(FlowKind::kClient)},
      {"arrow: a client query reaches the backend", FlowColor(FlowKind::kQuery)},
      {"arrow: signal", FlowColor(FlowKind::kSignal)},
      {"arrow: cancel request", FlowColor(FlowKind::kCancel)},
      {"arrow: crash (SIGQUIT to the others)", FlowColor(FlowKind::kCrash)},
  };
  ImGui::SameLine();
  ImGui::TextDisabled("key");
  if (!ImGui::IsItemHovered()) return;
  ImGui::BeginTooltip();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  for (const Key& k : keys) {
    ImVec2 p = ImGui::GetCursorScreenPos();
    float h = ImGui::GetTextLineHeight();
    dl->AddRectFilled(ImVec2(p.x, p.y + h * 0.2f), ImVec2(p.x + 16.0f, p.y + h * 0.8f), k.col,
                      2.0f);
    ImGui::SetCursorScreenPos(ImVec2(p.x + 22.0f, p.y));
    ImGui::TextUnformatted(k.text);
  }
  ImGui::TextDisabled("diamonds: captions, errors (red), crash, shutdown");
  ImGui::EndTooltip();
}

void TimelinePanel::DrawAxis(ImDrawList* dl, ImVec2 min, ImVec2 max, int64_t origin) const {
  dl->AddLine(ImVec2(min.x, max.y - 1), ImVec2(max.x, max.y - 1), kLaneLine, 1.0f);
  double step = NiceStep((t1_ - t0_) * kTickSpacingPx / std::max(1.0f, area_x1_ - area_x0_));
  int decimals = std::clamp(static_cast<int>(-std::floor(std::log10(step / 1e6) + 1e-9)), 0, 6);
  double first =
      std::ceil((t0_ - static_cast<double>(origin)) / step) * step + static_cast<double>(origin);
  for (double t = first; t <= t1_; t += step) {
    float x = static_cast<float>(TsToX(t));
    dl->AddLine(ImVec2(x, max.y - 6), ImVec2(x, max.y - 1), kAxisText, 1.0f);
    std::string text = fmt::format("{:.{}f} s", (t - static_cast<double>(origin)) / 1e6, decimals);
    if (x + 3.0f + ImGui::CalcTextSize(text.c_str()).x > max.x) continue;  // would be cut off
    dl->AddText(ImVec2(x + 3.0f, min.y + 1.0f), kAxisText, text.c_str());
  }
}

float TimelinePanel::LayOutLanes(const SpanBuilder& spans, float view_h, int64_t moment) {
  size_t n = lanes_.size();
  bool compact = static_cast<float>(n) * kLaneHeight > view_h;
  lane_alive_.resize(n);
  for (size_t i = 0; i < n; ++i) lane_alive_[i] = spans.RunningAt(lanes_[i].info, moment) ? 1 : 0;
  rows_.resize(n);
  std::iota(rows_.begin(), rows_.end(), size_t{0});
  if (compact) {
    // The backend in focus (selected, or stopped by live stepping) and its
    // client's lane come first, then the postmaster, and minipg-sim and the
    // auxiliaries last; between them the backends and clients running go
    // above those folded.
    int64_t focus = view_state_.selected_pid != 0 ? view_state_.selected_pid : view_state_.stopped_pid;
    auto rank = [&](size_t i) {
      const SpanLane& l = lanes_[i].info;
      if (focus != 0 && ((l.group == LaneGroup::kBackend && l.pid == focus) ||
                         (l.group == LaneGroup::kClient && l.backend_pid == focus))) {
        return 0;
      }
      if (l.group == LaneGroup::kPostmaster) return 1;
      if (l.group == LaneGroup::kRunner || l.group == LaneGroup::kAuxiliary) return 4;
      return lane_alive_[i] != 0 ? 2 : 3;
    };
    std::stable_sort(rows_.begin(), rows_.end(), [&](size_t a, size_t b) { return rank(a) < rank(b); });
  }
  row_y_.resize(n);
  lane_y_.resize(n);
  lane_heights_.resize(n);
  float y = 0.0f;
  for (size_t r = 0; r < n; ++r) {
    size_t i = rows_[r];
    row_y_[r] = lane_y_[i] = y;
    lane_heights_[i] = compact && lane_alive_[i] == 0 ? kThinLaneHeight : kLaneHeight;
    y += lane_heights_[i];
  }
  return y;
}

bool TimelinePanel::IsSelected(const SpanLane& lane) const {
  int64_t pid = lane.group == LaneGroup::kClient ? lane.backend_pid : lane.pid;
  return view_state_.selected_pid != 0 && pid == view_state_.selected_pid;
}

size_t TimelinePanel::LaneAt(float y) const {
  auto it = std::upper_bound(row_y_.begin(), row_y_.end(), y);
  if (it == row_y_.begin()) return lanes_.size();
  size_t i = rows_[static_cast<size_t>(it - row_y_.begin()) - 1];
  return y < lane_y_[i] + lane_heights_[i] ? i : lanes_.size();
}

void TimelinePanel::DrawLane(ImDrawList* dl, const SpanBuilder& spans, const Lane& lane, float y,
                             float height, int64_t last_ts, Hit* hit) {
  const SpanLane& info = lane.info;
  ImVec2 mouse = ImGui::GetIO().MousePos;
  bool thin = height < kLaneHeight;
  float top = y + kLanePad;
  float bottom = y + height - kLanePad - 1.0f;
  // A thin lane: its life fills it, its queries a bar inside, no stages.
  float row1_top = thin ? top + 2.0f : top + 1.0f;
  float row1_bottom = thin ? bottom - 2.0f : row1_top + kRow1Height;
  float row2_top = row1_bottom + 1.0f;
  float row2_bottom = row2_top + kRow2Height;
  if (IsSelected(info))
    dl->AddRectFilled(ImVec2(area_x0_, y), ImVec2(area_x1_, y + height), kLaneSelected);
  LaneSeparator(dl, area_x0_, area_x1_, y + height);

  auto row_rect = [&](int depth, float* y0, float* y1) {
    if (depth == 0) {
      *y0 = top;
      *y1 = bottom;
    } else if (depth == 1) {
      *y0 = row1_top;
      *y1 = row1_bottom;
    } else {
      *y0 = row2_top;
      *y1 = row2_bottom;
    }
  };
  auto draw_span = [&](const Span& s, int64_t end, int depth, bool open) {
    float y0, y1;
    row_rect(depth, &y0, &y1);
    float x0 = static_cast<float>(TsToX(static_cast<double>(s.ts)));
    float x1 = static_cast<float>(TsToX(static_cast<double>(end)));
    x0 = std::max(x0, area_x0_ - 4.0f);
    x1 = std::min(x1, area_x1_ + 4.0f);
    if (x1 - x0 < 1.0f) x1 = x0 + 1.0f;
    float rounding = depth == 0 ? 0.0f : 3.0f;
    dl->AddRectFilled(ImVec2(x0, y0), ImVec2(x1, y1), SpanFill(s), rounding);
    if (depth > 0 && x1 - x0 > 3.0f)
      dl->AddRect(ImVec2(x0, y0), ImVec2(x1, y1), kSpanBorder, rounding);
    if (depth > 0 && !thin && x1 - x0 > 22.0f && !s.name.empty()) {
      float vis0 = std::max(x0, area_x0_) + 3.0f;
      // A caption's start holds its own diamond, and often an expectation's
      // just after: its text begins after them.
      if (s.kind == SpanKind::kCaption) {
        for (const SpanInstant* i : scratch_instants_) {
          float ix = static_cast<float>(TsToX(static_cast<double>(i->ts)));
          if (ix >= x0 - 1.0f && ix < vis0 + 6.0f) vis0 = ix + 8.0f;
        }
      }
      float vis1 = std::min(x1, area_x1_) - 2.0f;
      if (vis1 - vis0 > 8.0f) {
        ImFont* font = fonts_.mono != nullptr ? fonts_.mono : ImGui::GetFont();
        float size = depth == 2 ? kStageFontSize : font->FontSize;
        ClippedText(dl, font, size, ImVec2(vis0, y0 + (y1 - y0 - size) * 0.5f), SpanText(s), s.name,
                    ImVec2(vis0, y0), ImVec2(vis1, y1));
      }
    }
    if (mouse.x >= x0 - 1.0f && mouse.x <= x1 + 1.0f && mouse.y >= y0 && mouse.y < y1) {
      hit->span = &s;
      hit->open = open;
      hit->lane = &lane;
    }
  };

  int64_t vt0 = static_cast<int64_t>(std::floor(t0_));
  int64_t vt1 = static_cast<int64_t>(std::ceil(t1_));
  scratch_instants_.clear();  // the lane's markers: drawn last, over its spans
  spans.Instants(info.pid, info.tid, vt0, vt1, &scratch_instants_);
  // Row by row, outermost first, so that a still-open life (drawn with its
  // row) never covers the finished queries inside it.
  scratch_open_.clear();
  spans.OpenSpans(info.pid, info.tid, &scratch_open_);
  for (int depth = 0; depth < (thin ? 2 : kSpanDepths); ++depth) {
    for (const Span* s : scratch_open_) {
      int64_t end = std::max(s->ts, last_ts);
      if (SpanDepth(s->kind) != depth || end < vt0 || s->ts > vt1) continue;
      draw_span(*s, end, depth, true);
    }
    scratch_spans_.clear();
    spans.FinishedSpans(info.pid, info.tid, depth, vt0, vt1, &scratch_spans_);
    // Spans narrower than a pixel are merged into one mark per run, 2 px
    // wide so that it shows, in their colour if they share one.
    float mark0 = 0.0f, mark1 = -1.0f;
    ImU32 mark_col = kMergedMark;
    auto flush = [&]() {
      if (mark1 < mark0) return;
      float y0, y1;
      row_rect(depth, &y0, &y1);
      dl->AddRectFilled(ImVec2(mark0, y0), ImVec2(std::max(mark1, mark0 + 2.0f), y1), mark_col);
      mark1 = mark0 - 1.0f;
    };
    for (const Span* s : scratch_spans_) {
      double x0 = TsToX(static_cast<double>(s->ts));
      double x1 = TsToX(static_cast<double>(s->end));
      if (x1 - x0 >= 1.0 || depth == 0) {
        flush();
        draw_span(*s, s->end, depth, false);
        continue;
      }
      float fx = static_cast<float>(x0);
      if (mark1 >= mark0 && fx <= mark1 + 1.0f) {
        mark1 = std::max(mark1, fx + 1.0f);
        if (SpanFill(*s) != mark_col) mark_col = kMergedMark;
      } else {
        flush();
        mark0 = fx;
        mark1 = fx + 1.0f;
        mark_col = SpanFill(*s);
      }
      float y0, y1;
      row_rect(depth, &y0, &y1);
      if (std::abs(mouse.x - fx) <= 2.0f && mouse.y >= y0 && mouse.y < y1) {
        hit->span = s;
        hit->open = false;
        hit->lane = &lane;
      }
    }
    flush();
  }

  float mid = (row1_top + row1_bottom) * 0.5f;
  for (const SpanInstant* i : scratch_instants_) {
    float x = static_cast<float>(TsToX(static_cast<double>(i->ts)));
    float r = thin ? 4.0f : i->kind == InstantKind::kCrash ? 7.0f : 5.0f;
    Diamond(dl, ImVec2(x, mid), r, InstantColor(i->kind));
    if (std::abs(mouse.x - x) <= r && std::abs(mouse.y - mid) <= r) {
      hit->instant = i;
      hit->span = nullptr;
      hit->lane = &lane;
    }
  }
}

void TimelinePanel::DrawFlows(ImDrawList* dl, const SpanBuilder& spans, float lanes_top,
                              float view_top, float view_bottom) const {
  // An arrow whose two lanes are in view is drawn whole. One with a lane
  // scrolled out of view is only a short faded stub at the end in view
  // (hundreds of forks would otherwise paint the area solid), and arrows
  // that would land on the pixels of the one drawn just before are skipped.
  // Stubs closer than kStubGapPx to the last stub drawn from the same lane
  // edge are skipped too: a thousand forks make a comb, not a solid block.
  constexpr float kStubGapPx = 3.0f;
  ImVec2 prev_a(-1e9f, -1e9f), prev_b(-1e9f, -1e9f);
  FlowKind prev_kind = FlowKind::kFork;
  std::unordered_map<int64_t, float> last_stub_x;  // (edge y, direction) -> x
  auto draw = [&](const SpanFlow& f) {
    double xa = TsToX(static_cast<double>(f.from_ts));
    double xb = TsToX(static_cast<double>(f.to_ts));
    if (std::max(xa, xb) < area_x0_ || std::min(xa, xb) > area_x1_) return;
    auto from = lane_index_.find({f.from_pid, f.from_tid});
    auto to = lane_index_.find({f.to_pid, f.to_tid});
    if (from == lane_index_.end() || to == lane_index_.end()) return;
    float from_h = lane_heights_[from->second];
    float row_mid = from_h < kLaneHeight ? from_h * 0.5f : kLanePad + 1.0f + kRow1Height * 0.5f;
    float ya = lanes_top + lane_y_[from->second] + row_mid;
    float yb = lanes_top + lane_y_[to->second];
    yb += yb > ya ? kLanePad : lane_heights_[to->second] - kLanePad;  // the target lane's near edge
    bool a_in = ya >= view_top && ya <= view_bottom;
    bool b_in = yb >= view_top && yb <= view_bottom;
    if (!a_in && !b_in) return;
    ImVec2 a(static_cast<float>(xa), ya);
    ImVec2 b(static_cast<float>(xb), yb);
    ImU32 col = FlowColor(f.kind);
    bool stub = !a_in || !b_in;
    if (stub) {
      constexpr float kStub = 14.0f;
      float dir = yb > ya ? 1.0f : -1.0f;
      col = (col & ~IM_COL32_A_MASK) | IM_COL32(0, 0, 0, 120);
      if (a_in) {
        b = ImVec2(a.x, a.y + dir * kStub);
      } else {
        a = ImVec2(b.x, b.y - dir * kStub);
      }
      float edge_y = a_in ? a.y : b.y;
      int64_t key = static_cast<int64_t>(std::lround(edge_y)) * 4 + (a_in ? 2 : 0) + (dir > 0 ? 1 : 0);
      auto [it, fresh] = last_stub_x.try_emplace(key, a.x);
      if (!fresh && std::abs(a.x - it->second) < kStubGapPx) return;
      it->second = a.x;
    }
    if (f.kind == prev_kind && std::abs(a.x - prev_a.x) < 1.0f && std::abs(a.y - prev_a.y) < 1.0f &&
        std::abs(b.x - prev_b.x) < 1.0f && std::abs(b.y - prev_b.y) < 1.0f) {
      return;
    }
    prev_a = a;
    prev_b = b;
    prev_kind = f.kind;
    Arrow(dl, a, b, col, !stub);
  };
  for (const SpanFlow& f : spans.flows()) draw(f);
  for (const SpanFlow& f : spans.QueryFlows()) draw(f);
}

void TimelinePanel::DrawLabels(ImDrawList* dl, const Model& model, float lanes_top, float x0,
                               float x1, size_t first, size_t last) const {
  ImFont* bold = fonts_.bold != nullptr ? fonts_.bold : ImGui::GetFont();
  ImFont* mono = fonts_.mono != nullptr ? fonts_.mono : ImGui::GetFont();
  for (size_t r = first; r < last; ++r) {
    size_t i = rows_[r];
    const Lane& lane = lanes_[i];
    float y = lanes_top + lane_y_[i];
    float h = lane_heights_[i];
    dl->AddRectFilled(ImVec2(x0, y), ImVec2(x1, y + h), IsSelected(lane.info) ? kLaneSelected : kLabelBg);
    LaneSeparator(dl, x0, x1, y + h);
    // A swatch in the colour the Processes panel gives the process now.
    ImU32 swatch = IM_COL32(126, 87, 194, 255);
    if (lane.info.group == LaneGroup::kRunner) swatch = IM_COL32(141, 110, 20, 255);
    if (lane.info.group != LaneGroup::kClient && lane.info.group != LaneGroup::kRunner) {
      const Process* p = model.FindProcess(lane.info.pid);
      swatch = p != nullptr ? StateFill(DisplayStateOf(*p)) : StateFill(DisplayState::kExited);
    }
    dl->AddRectFilled(ImVec2(x0 + 3.0f, y + 3.0f), ImVec2(x0 + 9.0f, y + h - 4.0f), swatch, 2.0f);
    ImU32 text = lane_alive_[i] != 0 ? kLabelText : kLabelDim;
    ImVec2 clip0(x0, y), clip1(x1 - 4.0f, y + h);
    if (h < kLaneHeight) {  // a thin strip: the name, small
      ClippedText(dl, mono, kDetailFontSize, ImVec2(x0 + 14.0f, y + (h - kDetailFontSize) * 0.5f - 1.0f), text,
                  lane.label, clip0, clip1);
    } else {
      ClippedText(dl, bold, bold->FontSize, ImVec2(x0 + 14.0f, y + 1.0f), text, lane.label, clip0, clip1);
      if (!lane.detail.empty()) {
        ClippedText(dl, mono, kDetailFontSize, ImVec2(x0 + 14.0f, y + h - kDetailFontSize - 4.0f), kLabelDim,
                    lane.detail, clip0, clip1);
      }
    }
  }
  if (first >= last) return;
  size_t bottom = rows_[last - 1];
  dl->AddLine(ImVec2(x1 - 0.5f, lanes_top + row_y_[first]),
              ImVec2(x1 - 0.5f, lanes_top + lane_y_[bottom] + lane_heights_[bottom]), kLaneLine);
}

int64_t TimelinePanel::PidOf(const Hit& hit) const {
  if (hit.lane == nullptr) return 0;
  const SpanLane& l = hit.lane->info;
  if (l.group == LaneGroup::kRunner) return 0;
  if (l.group == LaneGroup::kClient) {
    if (hit.span != nullptr) {
      auto it = hit.span->args.find("backend_pid");
      if (it != hit.span->args.end() && it->is_number_integer() && it->get<int64_t>() > 0) {
        return it->get<int64_t>();
      }
    }
    return l.backend_pid;
  }
  return l.pid;
}

void TimelinePanel::Tooltip(const Hit& hit, int64_t origin, int64_t last_ts) const {
  if (hit.span == nullptr && hit.instant == nullptr) return;
  ImGui::BeginTooltip();
  if (fonts_.bold != nullptr) ImGui::PushFont(fonts_.bold);
  if (hit.span != nullptr) {
    const Span& s = *hit.span;
    std::string name = s.name.empty() && hit.lane != nullptr ? hit.lane->info.name : s.name;
    ImGui::TextUnformatted(Ellipsize(name, 90).c_str());
  } else {
    ImGui::TextUnformatted(Ellipsize(hit.instant->name, 90).c_str());
  }
  if (fonts_.bold != nullptr) ImGui::PopFont();
  if (hit.lane != nullptr && (hit.span == nullptr || !hit.span->name.empty())) {
    ImGui::TextDisabled("%s", hit.lane->info.name.c_str());
  }
  if (hit.span != nullptr) {
    const Span& s = *hit.span;
    int64_t end = hit.open ? std::max(s.ts, last_ts) : s.end;
    ImGui::Text("start %s s   duration %s%s", FormatRelTs(s.ts, origin).c_str(),
                FormatDuration(static_cast<double>(end - s.ts)).c_str(),
                hit.open ? " (still open)" : "");
    if (s.failed) ImGui::TextColored(ImVec4(0.8f, 0.1f, 0.1f, 1.0f), "ended in an error / crash");
    ImGui::Separator();
    ArgLines(s.args);
  } else {
    ImGui::Text("at %s s", FormatRelTs(hit.instant->ts, origin).c_str());
    ImGui::Separator();
    ArgLines(hit.instant->args);
  }
  ImGui::TextDisabled("click: select the process and seek here");
  ImGui::EndTooltip();
}

void TimelinePanel::HandleTimeArea(const Hit& hit, float x0, float x1) {
  ImGuiIO& io = ImGui::GetIO();
  bool hovered = ImGui::IsItemHovered();
  bool in_time = io.MousePos.x >= x0 && io.MousePos.x <= x1;
  if (hovered && in_time && io.MouseWheel != 0.0f) {
    double at = XToTs(io.MousePos.x);
    double f = std::pow(kZoomStep, static_cast<double>(io.MouseWheel));
    double w = std::max((t1_ - t0_) * f, kMinWidthUs);
    double share = (at - t0_) / (t1_ - t0_);
    t0_ = at - w * share;
    t1_ = t0_ + w;
    fit_ = false;
  }
  bool pressed_in_time = io.MouseClickedPos[0].x >= x0 && io.MouseClickedPos[0].x <= x1;
  if (ImGui::IsItemActive() && pressed_in_time &&
      ImGui::IsMouseDragging(ImGuiMouseButton_Left, 3.0f)) {
    double dt = -static_cast<double>(io.MouseDelta.x) * (t1_ - t0_) / std::max(1.0f, x1 - x0);
    t0_ += dt;
    t1_ += dt;
    fit_ = false;
    follow_ = false;
  }
  if (ImGui::IsItemDeactivated() && hovered && pressed_in_time &&
      io.MouseDragMaxDistanceSqr[0] < kClickSlopSq) {
    if (hit.span != nullptr) {
      if (int64_t pid = PidOf(hit); pid != 0) view_state_.selected_pid = pid;
      view_state_.seek_to_ts = hit.span->ts;
    } else if (hit.instant != nullptr) {
      if (int64_t pid = PidOf(hit); pid != 0) view_state_.selected_pid = pid;
      view_state_.seek_to_ts = hit.instant->ts;
    } else {
      view_state_.seek_to_ts = static_cast<int64_t>(std::llround(XToTs(io.MousePos.x)));
    }
  }
}

void TimelinePanel::Draw(const SpanBuilder& spans, const Model& model) {
  if (!ImGui::Begin("Timeline")) {
    ImGui::End();
    return;
  }
  RefreshLanes(spans);
  if (spans.empty() || lanes_.empty()) {
    ImGui::TextDisabled("No events yet: lanes appear here as processes start.");
    ImGui::End();
    return;
  }
  UpdateRange(spans);
  DrawToolbar(spans);
  int64_t origin = model.events_seen() > 0 ? model.first_ts() : spans.first_ts();
  int64_t last_ts = spans.last_ts();
  lane_h_ = kLaneHeight;

  ImGuiStyle& style = ImGui::GetStyle();
  ImVec2 avail = ImGui::GetContentRegionAvail();
  float label_w = std::clamp(avail.x * 0.16f, kMinLabelWidth, kMaxLabelWidth);
  ImVec2 p0 = ImGui::GetCursorScreenPos();
  area_x0_ = p0.x + label_w;
  area_x1_ = std::max(area_x0_ + 10.0f, p0.x + avail.x - style.ScrollbarSize - 2.0f);
  float axis_h = ImGui::GetTextLineHeight() + 6.0f;
  ImDrawList* dl = ImGui::GetWindowDrawList();

  // The axis strip: zoom, pan and seek work on it too.
  ImGui::InvisibleButton("axis", ImVec2(std::max(1.0f, avail.x), axis_h));
  DrawAxis(dl, ImVec2(area_x0_, p0.y), ImVec2(area_x1_, p0.y + axis_h), origin);
  if (!view_state_.live) {
    float cx = static_cast<float>(TsToX(static_cast<double>(view_state_.cursor_ts)));
    if (cx >= area_x0_ && cx <= area_x1_) {
      dl->AddLine(ImVec2(cx, p0.y), ImVec2(cx, p0.y + axis_h), kCursor, 2.0f);
    }
  }
  HandleTimeArea(Hit{}, area_x0_, area_x1_);

  ImGui::BeginChild("lanes", ImVec2(0, 0), false, ImGuiWindowFlags_NoScrollWithMouse);
  ImDrawList* cdl = ImGui::GetWindowDrawList();
  ImVec2 c0 = ImGui::GetCursorScreenPos();
  // Live, the moment shown is now; in a replay, the cursor's.
  int64_t moment = view_state_.live ? std::numeric_limits<int64_t>::max() : view_state_.cursor_ts;
  float total_h = LayOutLanes(spans, ImGui::GetWindowHeight(), moment);
  ImGui::InvisibleButton("lanes",
                         ImVec2(std::max(1.0f, ImGui::GetContentRegionAvail().x), total_h));
  bool hovered = ImGui::IsItemHovered();

  ImVec2 win_min = ImGui::GetWindowPos();
  float win_bottom = win_min.y + ImGui::GetWindowHeight();
  float scroll = ImGui::GetScrollY();
  // The lanes in view: from the one at the top edge to the one past the bottom.
  auto first_it = std::upper_bound(row_y_.begin(), row_y_.end(), scroll);
  size_t first = first_it == row_y_.begin() ? 0 : static_cast<size_t>(first_it - row_y_.begin()) - 1;
  auto last_it = std::upper_bound(row_y_.begin(), row_y_.end(), scroll + ImGui::GetWindowHeight());
  size_t last = std::min(rows_.size(), static_cast<size_t>(last_it - row_y_.begin()) + 1);
  first = std::min(first, last);

  Hit hit;
  cdl->PushClipRect(ImVec2(area_x0_, win_min.y), ImVec2(area_x1_, win_bottom), true);
  // Grid lines at the axis ticks, behind everything.
  {
    double step = NiceStep((t1_ - t0_) * kTickSpacingPx / std::max(1.0f, area_x1_ - area_x0_));
    double t =
        std::ceil((t0_ - static_cast<double>(origin)) / step) * step + static_cast<double>(origin);
    for (; t <= t1_; t += step) {
      float x = static_cast<float>(TsToX(t));
      cdl->AddLine(ImVec2(x, win_min.y), ImVec2(x, win_bottom), kGridLine, 1.0f);
    }
  }
  if (spans.forgotten_before() > 0 && spans.forgotten_before() > t0_) {
    // Spans that ended before this were let go to bound memory: say so
    // rather than show a quiet stretch that was not quiet.
    float fx = static_cast<float>(TsToX(static_cast<double>(spans.forgotten_before())));
    fx = std::min(fx, area_x1_);
    cdl->AddRectFilled(ImVec2(area_x0_, win_min.y), ImVec2(fx, win_bottom), kForgotten);
    const char* note = "older spans not kept in memory (a saved trace has every event)";
    ImVec2 size = ImGui::CalcTextSize(note);
    if (fx - area_x0_ > size.x + 12.0f) {
      cdl->AddText(ImVec2(fx - size.x - 6.0f, win_min.y + 4.0f), kLabelDim, note);
    }
  }
  for (size_t r = first; r < last; ++r) {
    size_t i = rows_[r];
    DrawLane(cdl, spans, lanes_[i], c0.y + lane_y_[i], lane_heights_[i], last_ts, &hit);
  }
  // Crashes and shutdown requests concern everyone: a line across all lanes.
  for (const SpanInstant& i : spans.instants()) {
    if (i.kind != InstantKind::kCrash && i.kind != InstantKind::kShutdown) continue;
    if (i.ts < t0_ || i.ts > t1_) continue;
    float x = static_cast<float>(TsToX(static_cast<double>(i.ts)));
    ImU32 col = (InstantColor(i.kind) & ~IM_COL32_A_MASK) | IM_COL32(0, 0, 0, 110);
    cdl->AddLine(ImVec2(x, c0.y), ImVec2(x, c0.y + total_h), col, 2.0f);
  }
  DrawFlows(cdl, spans, c0.y, win_min.y, win_bottom);
  if (!view_state_.live) {
    float cx = static_cast<float>(TsToX(static_cast<double>(view_state_.cursor_ts)));
    if (cx < area_x1_) {
      cdl->AddRectFilled(ImVec2(std::max(cx, area_x0_), win_min.y), ImVec2(area_x1_, win_bottom),
                         kAfterCursor);
    }
    if (cx >= area_x0_ && cx <= area_x1_) {
      cdl->AddLine(ImVec2(cx, win_min.y), ImVec2(cx, win_bottom), kCursor, 2.0f);
    }
  }
  cdl->PopClipRect();
  if (!hovered) hit = Hit{};  // the pointer is over another window
  DrawLabels(cdl, model, c0.y, p0.x, area_x0_, first, last);

  // Clicks and the wheel: on the labels they select and scroll, on the
  // time area they zoom, pan and seek.
  ImGuiIO& io = ImGui::GetIO();
  bool on_labels = io.MousePos.x < area_x0_;
  if (hovered && on_labels && io.MouseWheel != 0.0f) {
    ImGui::SetScrollY(ImGui::GetScrollY() - io.MouseWheel * kLaneHeight * 2.0f);
  }
  if (hovered && on_labels && ImGui::IsItemDeactivated() &&
      io.MouseDragMaxDistanceSqr[0] < kClickSlopSq) {
    size_t lane = LaneAt(io.MousePos.y - c0.y);
    if (lane < lanes_.size()) {
      const SpanLane& l = lanes_[lane].info;
      int64_t pid = l.group == LaneGroup::kClient   ? l.backend_pid
                    : l.group == LaneGroup::kRunner ? 0
                                                    : l.pid;
      if (pid != 0) view_state_.selected_pid = pid;
    }
  }
  HandleTimeArea(hit, area_x0_, area_x1_);
  if (hovered && !ImGui::IsMouseDragging(ImGuiMouseButton_Left)) Tooltip(hit, origin, last_ts);
  ImGui::EndChild();
  ImGui::End();
}

}  // namespace minipg::viz::ui
