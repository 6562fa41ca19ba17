/*-------------------------------------------------------------------------
 * transaction_view.cpp
 *   The wait-for graph's arrows, the deadlock's warning, and a backend's
 *   transaction details (transaction_view.h).
 *
 *   An arrow is a quadratic curve from the waiter's box to the holder's,
 *   bent to one side of the straight line between their centres, so two
 *   backends waiting for each other (a deadlock of two) get two arrows
 *   that do not overlap, one on each side; it starts and ends where that
 *   curve leaves and enters the boxes, and is labelled at its middle.
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

ImVec2 Add(ImVec2 a, ImVec2 b) { return ImVec2(a.x + b.x, a.y + b.y); }
ImVec2 Sub(ImVec2 a, ImVec2 b) { return ImVec2(a.x - b.x, a.y - b.y); }
ImVec2 Mul(ImVec2 a, float k) { return ImVec2(a.x * k, a.y * k); }
ImVec2 Center(const BoxRect& r) { return ImVec2((r.min.x + r.max.x) * 0.5f, (r.min.y + r.max.y) * 0.5f); }

/* Where the ray from the box's centre toward `toward` leaves the box. */
ImVec2 BorderPoint(const BoxRect& r, ImVec2 toward) {
  ImVec2 c = Center(r);
  ImVec2 d = Sub(toward, c);
  float hw = (r.max.x - r.min.x) * 0.5f, hh = (r.max.y - r.min.y) * 0.5f;
  float t = 1.0f;
  if (std::fabs(d.x) > 1e-3f) t = std::min(t, hw / std::fabs(d.x));
  if (std::fabs(d.y) > 1e-3f) t = std::min(t, hh / std::fabs(d.y));
  return Add(c, Mul(d, t));
}

/* A label on a white plate with a border of the arrow's colour. */
void Label(ImDrawList* dl, ImVec2 center, const std::string& text, ImU32 col, float scale) {
  ImVec2 size = ImGui::CalcTextSize(text.c_str());
  float pad = 3.0f * scale;
  ImVec2 min(center.x - size.x * 0.5f - pad, center.y - size.y * 0.5f - pad);
  ImVec2 max(center.x + size.x * 0.5f + pad, center.y + size.y * 0.5f + pad);
  dl->AddRectFilled(min, max, kLabelFill, 3.0f * scale);
  dl->AddRect(min, max, col, 3.0f * scale, 0, std::max(1.0f, 1.5f * scale));
  dl->AddText(ImVec2(min.x + pad, min.y + pad), IM_COL32(40, 30, 25, 255), text.c_str());
}

/* One arrow from box `a` to box `b`; returns the middle of its curve. */
ImVec2 Arrow(ImDrawList* dl, const BoxRect& a, const BoxRect& b, ImU32 col, float thickness, float scale) {
  ImVec2 ca = Center(a), cb = Center(b);
  ImVec2 d = Sub(cb, ca);
  float len = std::sqrt(d.x * d.x + d.y * d.y);
  if (len < 1.0f) return ca;
  ImVec2 normal(-d.y / len, d.x / len);
  float box_h = a.max.y - a.min.y;
  float bend = std::clamp(len * 0.3f, 0.6f * box_h, 1.1f * box_h);
  ImVec2 mid = Add(Mul(Add(ca, cb), 0.5f), Mul(normal, bend));
  ImVec2 start = BorderPoint(a, mid), end = BorderPoint(b, mid);
  // The control point that makes the curve pass through `mid` at t = 0.5.
  ImVec2 ctrl = Sub(Mul(mid, 2.0f), Mul(Add(start, end), 0.5f));
  float head = 11.0f * scale + thickness;
  ImVec2 dir = Sub(end, ctrl);
  float dl_len = std::sqrt(dir.x * dir.x + dir.y * dir.y);
  if (dl_len < 1e-3f) return mid;
  dir = Mul(dir, 1.0f / dl_len);
  ImVec2 base = Sub(end, Mul(dir, head));
  dl->AddBezierQuadratic(start, ctrl, base, col, thickness);
  ImVec2 side(-dir.y * head * 0.5f, dir.x * head * 0.5f);
  dl->AddTriangleFilled(end, Add(base, side), Sub(base, side), col);
  return mid;
}

}  // namespace

void DrawWaitForGraph(ImDrawList* dl, const Model& model, const std::unordered_map<int64_t, BoxRect>& boxes,
                      float scale, ImVec2 banner_at) {
  const Transactions& txns = model.transactions();
  std::vector<WaitEdge> edges = txns.WaitForGraph();
  if (edges.empty() && !txns.DeadlockActive()) return;
  // The cycle's boxes, outlined first so that the arrows lie over them.
  if (txns.DeadlockActive()) {
    std::set<int64_t> in_cycle;
    for (const DeadlockStep& s : txns.deadlock()->cycle) in_cycle.insert(s.pid);
    for (int64_t pid : in_cycle) {
      auto it = boxes.find(pid);
      if (it == boxes.end()) continue;
      float grow = 4.0f * scale;
      dl->AddRect(ImVec2(it->second.min.x - grow, it->second.min.y - grow),
                  ImVec2(it->second.max.x + grow, it->second.max.y + grow), kDeadlockArrow, 8.0f * scale, 0,
                  3.0f * scale);
    }
  }
  // Arrows, then labels over all of them; a waiter's arrows that say the
  // same (dave's AccessExclusiveLock, blocked by three) are labelled once.
  struct Pending {
    ImVec2 at;
    std::string text;
    ImU32 col;
  };
  std::vector<Pending> labels;
  std::set<std::pair<int64_t, std::string>> labelled;
  for (const WaitEdge& e : edges) {
    auto a = boxes.find(e.waiter), b = boxes.find(e.holder);
    if (a == boxes.end() || b == boxes.end()) continue;
    ImU32 col = e.in_deadlock ? kDeadlockArrow : kWaitArrow;
    float thickness = (e.in_deadlock ? 4.0f : 2.5f) * scale;
    ImVec2 mid = Arrow(dl, a->second, b->second, col, thickness, scale);
    if (labelled.insert({e.waiter, e.label}).second) labels.push_back({mid, e.label, col});
  }
  for (const Pending& l : labels) Label(dl, l.at, l.text, l.col, scale);
  if (txns.DeadlockActive()) {
    const Deadlock& d = *txns.deadlock();
    std::string cycle;
    for (const DeadlockStep& s : d.cycle) {
      cycle += fmt::format("{}{} waits for {}", cycle.empty() ? "" : ", ", s.pid, s.waits_for);
    }
    std::string text = fmt::format("DEADLOCK: {}. Process {} found it; victim: process {} (40P01)", cycle,
                                   d.detector, d.victim);
    ImVec2 size = ImGui::CalcTextSize(text.c_str());
    float pad = 5.0f * scale;
    ImVec2 max(banner_at.x + size.x + 2 * pad, banner_at.y + size.y + 2 * pad);
    dl->AddRectFilled(banner_at, max, kBannerFill, 4.0f * scale);
    dl->AddRect(banner_at, max, kDeadlockArrow, 4.0f * scale, 0, 2.0f * scale);
    dl->AddText(ImVec2(banner_at.x + pad, banner_at.y + pad), IM_COL32(150, 50, 0, 255), text.c_str());
  }
}

std::string TransactionLine(const Model& model, int64_t pid) {
  const BackendTxn* b = model.transactions().Backend(pid);
  if (b == nullptr || (b->xid == 0 && !b->snapshot)) return "";
  std::string out = b->xid != 0 ? fmt::format("xid {}", b->xid) : std::string("no xid");
  if (b->snapshot) out += fmt::format(" \xC2\xB7 {}", b->snapshot->Text());
  return out;
}

void DrawTransactionDetails(const Model& model, int64_t pid, float label_w) {
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
  auto row = [label_w](const char* key, const std::string& value) {
    ImGui::TextDisabled("%s", key);
    ImGui::SameLine(label_w);
    ImGui::TextUnformatted(value.c_str());
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
