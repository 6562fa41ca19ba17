/*-------------------------------------------------------------------------
 * transaction_view.cpp
 *   The wait-for graph's arrows, the deadlock's warning, and a backend's
 *   transaction details (transaction_view.h).
 *
 *   An arrow is a quadratic curve from the waiter's box to the holder's,
 *   bent to one side of the straight line between their centres, so two
 *   backends waiting for each other (a deadlock of two) get two arrows
 *   that do not overlap, one on each side; it starts and ends where that
 *   curve leaves and enters the boxes, and passes through the middle of
 *   its label, which wait_layout.h places clear of the other labels and
 *   of the boxes.
 *-------------------------------------------------------------------------
 */
#include "viz/ui/transaction_view.h"

#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>

namespace minipg::viz::ui {
namespace {

constexpr ImU32 kLabelFill = IM_COL32(255, 255, 255, 235);
constexpr ImU32 kBannerFill = IM_COL32(255, 243, 224, 245);

ImVec2 ToIm(Point p) { return ImVec2(p.x, p.y); }
Rect ToRect(const BoxRect& b) { return Rect{b.min.x, b.min.y, b.max.x, b.max.y}; }

/* A label on a white plate with a border of the arrow's colour. */
void Label(ImDrawList* dl, const Rect& r, const std::string& text, ImU32 col, float scale) {
  float pad = 3.0f * scale;
  dl->AddRectFilled(ImVec2(r.x0, r.y0), ImVec2(r.x1, r.y1), kLabelFill, 3.0f * scale);
  dl->AddRect(ImVec2(r.x0, r.y0), ImVec2(r.x1, r.y1), col, 3.0f * scale, 0, std::max(1.0f, 1.5f * scale));
  dl->AddText(ImVec2(r.x0 + pad, r.y0 + pad), IM_COL32(40, 30, 25, 255), text.c_str());
}

/* The arrow of a plan: its curve, and its head where it enters the holder's box. */
void Arrow(ImDrawList* dl, const ArrowPlan& p, ImU32 col, float thickness, float scale) {
  float head = 11.0f * scale + thickness;
  float dx = p.end.x - p.ctrl.x, dy = p.end.y - p.ctrl.y;
  float len = std::sqrt(dx * dx + dy * dy);
  if (len < 1e-3f) return;
  ImVec2 dir(dx / len, dy / len);
  ImVec2 end = ToIm(p.end);
  ImVec2 base(end.x - dir.x * head, end.y - dir.y * head);
  dl->AddBezierQuadratic(ToIm(p.start), ToIm(p.ctrl), base, col, thickness);
  ImVec2 side(-dir.y * head * 0.5f, dir.x * head * 0.5f);
  dl->AddTriangleFilled(end, ImVec2(base.x + side.x, base.y + side.y), ImVec2(base.x - side.x, base.y - side.y),
                        col);
}

/* The banner's text: the detector's deadlock (with its victim), or a cycle
 * of waits no one has found yet. */
std::string BannerText(const Transactions& txns, const std::vector<int64_t>& cycle) {
  if (txns.DeadlockActive()) {
    const Deadlock& d = *txns.deadlock();
    std::string steps;
    for (const DeadlockStep& s : d.cycle) {
      steps += fmt::format("{}{} waits for {}", steps.empty() ? "" : ", ", s.pid, s.waits_for);
    }
    return fmt::format("DEADLOCK: {}. Process {} found it; victim: process {} (40P01)", steps, d.detector,
                       d.victim);
  }
  std::string steps;
  for (size_t i = 0; i < cycle.size(); ++i) {
    steps += fmt::format("{}{} waits for {}", i == 0 ? "" : ", ", cycle[i], cycle[(i + 1) % cycle.size()]);
  }
  return fmt::format("DEADLOCK: {}. None can go on: after deadlock_timeout one of them checks, finds this cycle "
                     "and fails with 40P01 (deadlock detected).",
                     steps);
}

}  // namespace

std::vector<DrawnWaitLabel> DrawWaitForGraph(ImDrawList* dl, const Model& model,
                                             const std::unordered_map<int64_t, BoxRect>& boxes,
                                             const std::vector<Rect>& obstacles, const Rect& bounds, float scale,
                                             ImVec2 banner_at) {
  std::vector<DrawnWaitLabel> drawn;
  const Transactions& txns = model.transactions();
  std::vector<WaitEdge> edges = txns.WaitForGraph();
  if (edges.empty() && !txns.DeadlockActive()) return drawn;
  std::vector<int64_t> cycle = txns.WaitCycle();
  bool deadlock = txns.DeadlockActive() || !cycle.empty();
  // The cycle's boxes, outlined first so that the arrows lie over them.
  if (deadlock) {
    std::set<int64_t> in_cycle(cycle.begin(), cycle.end());
    if (txns.DeadlockActive()) {
      for (const DeadlockStep& s : txns.deadlock()->cycle) in_cycle.insert(s.pid);
    }
    for (int64_t pid : in_cycle) {
      auto it = boxes.find(pid);
      if (it == boxes.end()) continue;
      float grow = 4.0f * scale;
      dl->AddRect(ImVec2(it->second.min.x - grow, it->second.min.y - grow),
                  ImVec2(it->second.max.x + grow, it->second.max.y + grow), kDeadlockArrow, 8.0f * scale, 0,
                  3.0f * scale);
    }
  }
  // The arrows drawn, each with its label, but a waiter's arrows that say
  // the same (dave's AccessExclusiveLock, blocked by three) labelled once.
  std::vector<const WaitEdge*> shown;
  std::vector<ArrowRequest> requests;
  std::set<std::pair<int64_t, std::string>> labelled;
  float pad = 3.0f * scale;
  for (const WaitEdge& e : edges) {
    auto a = boxes.find(e.waiter), b = boxes.find(e.holder);
    if (a == boxes.end() || b == boxes.end()) continue;
    ArrowRequest r;
    r.waiter = e.waiter;
    r.holder = e.holder;
    r.from = ToRect(a->second);
    r.to = ToRect(b->second);
    if (labelled.insert({e.waiter, e.label}).second) {
      ImVec2 size = ImGui::CalcTextSize(e.label.c_str());
      r.label_w = size.x + 2 * pad;
      r.label_h = size.y + 2 * pad;
    }
    shown.push_back(&e);
    requests.push_back(r);
  }
  std::vector<Rect> box_rects = obstacles;
  for (const auto& [pid, r] : boxes) box_rects.push_back(ToRect(r));
  std::vector<ArrowPlan> plans = LayoutWaitArrows(requests, box_rects, {}, bounds, 4.0f * scale);
  // Arrows, then labels over all of them.
  float lowest_label = banner_at.y;
  for (size_t i = 0; i < plans.size(); ++i) {
    bool hot = shown[i]->in_deadlock || shown[i]->in_cycle;
    Arrow(dl, plans[i], hot ? kDeadlockArrow : kWaitArrow, (hot ? 4.0f : 2.5f) * scale, scale);
  }
  for (size_t i = 0; i < plans.size(); ++i) {
    if (!plans[i].label) continue;
    const WaitEdge& e = *shown[i];
    Label(dl, *plans[i].label, e.label, e.in_deadlock || e.in_cycle ? kDeadlockArrow : kWaitArrow, scale);
    drawn.push_back(DrawnWaitLabel{e.waiter, e.holder, e.label, *plans[i].label});
    lowest_label = std::max(lowest_label, plans[i].label->y1 + 8.0f * scale);
  }
  if (deadlock) {
    std::string text = BannerText(txns, cycle);
    ImVec2 at(banner_at.x, lowest_label);
    float bpad = 5.0f * scale;
    // Wrapped to the panel's width, so none of it is cut off.
    float wrap = std::max(100.0f, bounds.x1 - at.x - 2 * bpad);
    ImVec2 size = ImGui::CalcTextSize(text.c_str(), nullptr, false, wrap);
    // Under the boxes it would cover (exited ones trail the live ones).
    for (bool moved = true; moved;) {
      moved = false;
      Rect banner{at.x, at.y, at.x + size.x + 2 * bpad, at.y + size.y + 2 * bpad};
      for (const Rect& o : obstacles) {
        if (banner.Overlaps(o)) {
          at.y = o.y1 + 8.0f * scale;
          moved = true;
          break;
        }
      }
    }
    ImVec2 max(at.x + size.x + 2 * bpad, at.y + size.y + 2 * bpad);
    dl->AddRectFilled(at, max, kBannerFill, 4.0f * scale);
    dl->AddRect(at, max, kDeadlockArrow, 4.0f * scale, 0, 2.0f * scale);
    dl->AddText(ImGui::GetFont(), ImGui::GetFontSize(), ImVec2(at.x + bpad, at.y + bpad), IM_COL32(150, 50, 0, 255),
                text.c_str(), nullptr, wrap);
  }
  return drawn;
}

std::string TransactionLine(const Model& model, int64_t pid) {
  const BackendTxn* b = model.transactions().Backend(pid);
  if (b == nullptr || (b->xid == 0 && !b->snapshot)) return "";
  std::string out = b->xid != 0 ? fmt::format("xid {}", b->xid) : std::string("no xid");
  if (b->snapshot) out += fmt::format(" \xC2\xB7 {}", b->snapshot->Text());
  return out;
}

void DrawTransactionDetails(const Model& model, int64_t pid, float label_w, bool wrap) {
  if (const VacuumRun* run = model.transactions().RunningVacuum(pid); run != nullptr) {
    ImGui::TextDisabled("vacuum");
    ImGui::SameLine(label_w);
    ImGui::Text("%s%s: %s, %lld of %lld heap blocks scanned", run->relation.c_str(),
                run->autovacuum ? " (autovacuum)" : "", run->phase.c_str(),
                static_cast<long long>(run->heap_blks_scanned), static_cast<long long>(run->heap_blks_total));
  }
  const BackendTxn* b = model.transactions().Backend(pid);
  if (b == nullptr) return;
  bool any = b->xid != 0 || b->snapshot || !b->locks.empty() || b->wait || !b->savepoints.empty();
  if (!any) return;
  auto row = [label_w, wrap](const char* key, const std::string& value) {
    ImGui::TextDisabled("%s", key);
    ImGui::SameLine(label_w);
    if (wrap) ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(value.c_str());
    if (wrap) ImGui::PopTextWrapPos();
  };
  const Transactions& txns = model.transactions();
  row("xid", b->xid != 0 ? fmt::format("{} ({})", b->xid, XidStatusName(txns.Status(b->xid)))
                         : std::string("none yet (taken at the first write)"));
  if (!b->savepoints.empty()) {
    std::string sp;
    for (const Savepoint& s : b->savepoints) {
      sp += fmt::format("{}{}{}", sp.empty() ? "" : ", ", s.name,
                        s.xid != 0 ? fmt::format(" (xid {})", s.xid) : std::string());
    }
    row("savepoints", sp);
  }
  if (b->snapshot) {
    const SnapshotInfo& s = *b->snapshot;
    row("snapshot", s.Text());
    row("isolation", fmt::format("{} (a snapshot per {})", s.isolation.empty() ? "?" : s.isolation,
                                 s.scope.empty() ? "?" : s.scope));
  } else {
    row("snapshot", "none now");
  }
  if (b->wait) {
    std::string by;
    for (int64_t p : b->wait->blocked_by) by += fmt::format("{}{}", by.empty() ? "" : ", ", p);
    row("waits for", fmt::format("{}{}", b->wait->lock.Label(), by.empty() ? "" : ", blocked by " + by));
  }
  if (b->locks.empty()) return;
  row("locks held", fmt::format("{}", b->locks.size() + b->locks_not_listed));
  for (const LockInfo& l : b->locks) {
    ImGui::TextDisabled(" ");
    ImGui::SameLine(label_w);
    ImGui::TextUnformatted(l.Label().c_str());
  }
}

}  // namespace minipg::viz::ui
