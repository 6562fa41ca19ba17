/*-------------------------------------------------------------------------
 * processes_panel.cpp
 *   Drawing the process tree as a graph and as an ImGui tree.
 *
 *   Graph layout (recomputed every frame from the model, so it never
 *   disagrees with it; LayoutRoot() places the boxes, DrawGraph() draws):
 *
 *                  +------------+           +-----------+
 *                  | postmaster |- - - - - -| collector |  auxiliary children:
 *                  +------------+           +-----------+  dashed, beside it
 *                        |
 *      +-----------+-----+-----+-----------+     a rail above each row of
 *      |     +-----+---+ +-----+---+ +-----+---+    backends, a drop to each box;
 *      |     | backend | | backend | | backend |    the rails meet a vertical
 *      |     +---------+ +---------+ +---------+    bus (trunk) in the gutter
 *      +-----------+-----------+                    left of the rows, so every
 *            +-----+---+ +-----+---+                box is visibly joined to
 *            | backend | | backend |                the postmaster and to no
 *            +---------+ +---------+                other box
 *
 *   With one row there is no trunk: the rail spans the row and the
 *   postmaster's drop. Rows are filled left to right in fork order, the
 *   running processes first and the exited ones after them (an exited
 *   auxiliary process, the startup process after recovery, joins them).
 *
 *   Room (FitGraph()): the running processes must fit. Shared memory,
 *   under the graph, gives up height for them down to its minimum, below
 *   which it folds into the band under the postmaster (its numbers in the
 *   band's label); the graph shrinks (down to kMinScale) until they fit;
 *   exited boxes that do not fit below them scroll.
 *-------------------------------------------------------------------------
 */
#include "viz/ui/processes_panel.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <unordered_map>

#include <fmt/format.h>

namespace minipg::viz::ui {
namespace {

// Sizes at scale 1; the graph shrinks (down to kMinScale) to fit the panel.
constexpr float kBoxWidth = 210.0f;
constexpr float kBoxGapX = 14.0f;
constexpr float kBoxGapY = 26.0f;     // between grid rows (a rail runs in it)
constexpr float kRootGapY = 40.0f;    // between the root's row and the first grid row
constexpr float kRailDrop = 11.0f;    // from a row's rail down to its boxes' tops
constexpr float kWaitLabelMargin = 34.0f;  // a wait label's row: its text's height plus this
constexpr float kTrunkGutter = 24.0f; // left of the grid, for the trunk (rows > 1)
constexpr float kAuxGapX = 48.0f;     // between the root and its auxiliary column
constexpr float kBoxPad = 8.0f;
constexpr float kBoxRounding = 6.0f;
constexpr float kMinScale = 0.6f;
constexpr float kScaleStep = 0.05f;
constexpr int kBoxLines = 5;          // title, state, and three lines of detail
constexpr float kGraphTop = 4.0f;     // space above the first box

constexpr ImU32 kLineLive = IM_COL32(70, 80, 100, 220);
constexpr ImU32 kLineExited = IM_COL32(160, 160, 160, 200);

constexpr float kForkAnimSeconds = 0.6f;  // a new backend slides down from the postmaster
constexpr int64_t kFadeUs = 5'000'000;    // an exited box fades over this much model time
constexpr float kFadedAlpha = 0.45f;      // ... down to this opacity
constexpr ImU32 kShmemFill = IM_COL32(150, 120, 200, 70);
constexpr ImU32 kShmemBorder = IM_COL32(120, 90, 180, 200);
constexpr ImU32 kShmemText = IM_COL32(80, 50, 140, 255);
constexpr ImU32 kShmemCrashFill = IM_COL32(210, 60, 60, 80);

/* `col` with its alpha multiplied by `a`. */
ImU32 Faded(ImU32 col, float a) {
  ImU32 alpha = (col >> IM_COL32_A_SHIFT) & 0xFF;
  alpha = static_cast<ImU32>(static_cast<float>(alpha) * a);
  return (col & ~IM_COL32_A_MASK) | (alpha << IM_COL32_A_SHIFT);
}

/* The lines of text a box shows. */
std::vector<std::string> BoxLines(const Model& model, const Process& p) {
  std::vector<std::string> lines;
  switch (p.role) {
    case ProcessRole::kPostmaster: {
      const ServerInfo& s = model.server();
      // A late subscriber never sees postmaster_start, so may not know these.
      lines.push_back(s.port != 0 ? fmt::format("port {} \xC2\xB7 max {}", s.port,
                                                s.max_connections)
                                  : std::string("(joined late: port unknown)"));
      if (s.postmaster_state == "crash recovery") {
        lines.push_back("CRASH RECOVERY: ending all backends");
      } else if (!s.shutdown_mode.empty()) {
        lines.push_back(fmt::format("shutdown: {}", s.shutdown_mode));
      } else {
        lines.push_back(EllipsizeMiddle(s.data_directory, 30));  // where, and which
      }
      break;
    }
    case ProcessRole::kBackend: {
      if (p.cancel_target != 0) {  // not a session: it read a CancelRequest and ends
        lines.push_back(p.cancel_target > 0 ? fmt::format("cancel for {}", p.cancel_target)
                                            : std::string("cancel"));
        lines.push_back(Ellipsize(p.client.empty() ? "?" : p.client, 28));
        lines.push_back("");
        break;
      }
      std::string who = p.user.empty() ? std::string("(startup)")
                                       : fmt::format("{}@{}", p.user, p.database);
      lines.push_back(Ellipsize(who, 28));
      // Its client: the address, and the program's name if it gave one.
      std::string client = p.client.empty() ? "?" : p.client;
      if (!p.application_name.empty()) client += " \xC2\xB7 " + p.application_name;
      // In a transaction, its xid and snapshot say more than the client.
      std::string txn = TransactionLine(model, p.pid);
      lines.push_back(Ellipsize(txn.empty() ? client : txn, 30));
      if (!p.current_query.empty()) {
        lines.push_back(Ellipsize(p.current_query, 30));
      } else if (!p.last_error.empty() && (p.last_tag.empty() || p.exited || p.query.error)) {
        // The error when it is the latest word (its last query failed, or
        // a FATAL ended it), not after a query that succeeded since.
        lines.push_back(Ellipsize(p.last_error, 30));
      } else if (!p.last_tag.empty()) {
        // A command tag ("SELECT 1": one row), not the query's text.
        lines.push_back(fmt::format("command tag: {}", Ellipsize(p.last_tag, 14)));
      } else {
        lines.push_back("");
      }
      break;
    }
    case ProcessRole::kAutovacuumWorker: {
      const VacuumRun* run = model.transactions().RunningVacuum(p.pid);
      lines.push_back(run != nullptr ? Ellipsize(fmt::format("vacuuming {}", run->relation), 30)
                                     : std::string("looking for tables to vacuum"));
      lines.push_back(run != nullptr ? fmt::format("{} {}/{}", run->phase, run->heap_blks_scanned,
                                                   run->heap_blks_total)
                                     : std::string());
      lines.push_back("");
      break;
    }
    default:
      lines.push_back(p.role == ProcessRole::kCollector      ? "event stream"
                      : p.role == ProcessRole::kAutovacuumLauncher ? "starts autovacuum workers"
                      : p.role == ProcessRole::kCheckpointer ? "checkpoints"
                      : p.role == ProcessRole::kBgWriter     ? "writes dirty buffers ahead"
                      : p.role == ProcessRole::kWalWriter    ? "flushes the WAL"
                      : p.role == ProcessRole::kStartup      ? "replays the WAL"
                                                             : "");
      break;
  }
  return lines;
}

}  // namespace

void ProcessesPanel::Draw(const Model& model) {
  wait_labels_.clear();  // the graph, if drawn, places them anew
  drawn_boxes_.clear();
  box_texts_.clear();
  if (!ImGui::Begin("Processes")) {
    ImGui::End();
    return;
  }
  if (model.processes().empty()) {
    ImGui::Spacing();
    ImGui::PushFont(fonts_.bold);
    ImGui::TextUnformatted("No processes yet.");
    ImGui::PopFont();
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(empty_hint_.c_str());
    ImGui::PopTextWrapPos();
    ImGui::End();
    return;
  }
  // One line of controls: the view, whether to show exited processes, counts.
  if (ImGui::RadioButton("graph", view_ == View::kGraph)) view_ = View::kGraph;
  ImGui::SameLine();
  if (ImGui::RadioButton("tree", view_ == View::kTree)) view_ = View::kTree;
  ImGui::SameLine();
  if (ImGui::RadioButton("clients", view_ == View::kClients)) view_ = View::kClients;
  ImGui::SameLine(0.0f, 20.0f);
  ImGui::Checkbox("show exited", &show_exited_);
  ImGui::SameLine();
  if (model.shared_memory().known() && view_ != View::kClients) {
    // Collapsing shared memory gives the graph the whole panel back.
    ImGui::Checkbox("shared memory", &show_shmem_);
    ImGui::SameLine();
  }
  ImGui::TextDisabled("%zu live, %zu shown; hover a process for details",
                      model.LiveProcessCount(), model.processes().size());
  if (actions_ != nullptr) actions_->Draw(model);
  if (view_ == View::kClients) {
    clients_view_.Draw(model, show_exited_);
    ImGui::End();
    return;
  }
  // While backends wait, room for the wait-for graph's labels: above the
  // first row of boxes (between them and shared memory) and below the last.
  wait_gap_ = AnyWaits(model) ? ImGui::GetFontSize() + kWaitLabelMargin : 0.0f;
  float avail_h = ImGui::GetContentRegionAvail().y;
  shmem_h_ = show_shmem_ ? shmem_view_.PreferredHeight(model, avail_h) : 0.0f;
  if (view_ == View::kGraph) {
    FitGraph(model, avail_h);
    DrawGraph(model);
  } else {
    BuildChildren(model, show_exited_);
    DrawTree(model);
  }
  if (shmem_h_ > 0.0f) shmem_view_.Draw(model, shmem_h_);
  ImGui::End();
}

bool ProcessesPanel::SetView(const std::string& name) {
  if (name == "graph") {
    view_ = View::kGraph;
  } else if (name == "tree") {
    view_ = View::kTree;
  } else if (name == "clients") {
    view_ = View::kClients;
  } else {
    return false;
  }
  return true;
}

void ProcessesPanel::BuildChildren(const Model& model, bool exited) {
  const auto& procs = model.processes();
  children_.assign(procs.size(), {});
  roots_.clear();
  // pid -> index of the newest process with that pid, as the model does.
  std::unordered_map<int64_t, size_t> index;
  for (size_t i = 0; i < procs.size(); ++i) index[procs[i].pid] = i;
  for (size_t i = 0; i < procs.size(); ++i) {
    const Process& p = procs[i];
    if (!exited && p.exited && p.role != ProcessRole::kPostmaster) continue;
    auto it = p.parent_pid != 0 ? index.find(p.parent_pid) : index.end();
    if (it != index.end() && it->second != i) {
      children_[it->second].push_back(i);
    } else {
      roots_.push_back(i);
    }
  }
  // Running children first (in fork order), then the exited ones: in a
  // long session, and after a crash, the live backends stay in view.
  for (std::vector<size_t>& kids : children_) {
    std::stable_partition(kids.begin(), kids.end(), [&](size_t i) { return !procs[i].exited; });
  }
  // Likewise the servers (a lesson that restarts one has several): those
  // running first, then those gone, the latest first.
  auto first_gone = std::stable_partition(roots_.begin(), roots_.end(),
                                          [&](size_t i) { return !procs[i].exited; });
  std::reverse(first_gone, roots_.end());
}

ProcessesPanel::GraphMetrics ProcessesPanel::MetricsAt(float scale) const {
  GraphMetrics m;
  m.scale = scale;
  m.box_w = kBoxWidth * scale;
  m.gap_x = kBoxGapX * scale;
  m.gap_y = kBoxGapY * scale;
  m.wait_gap = wait_gap_ * scale;
  m.root_gap = kRootGapY * scale + m.wait_gap;
  m.pad = kBoxPad * scale;
  m.line_h = ImGui::GetFontSize() * scale + 1.0f;  // called while the window scale is 1
  m.box_h = m.pad * 1.2f + 2.0f + m.line_h * kBoxLines + 4.0f * scale;
  return m;
}

size_t ProcessesPanel::PerRow(const GraphMetrics& m, float avail_w) {
  return std::max<size_t>(1, static_cast<size_t>((avail_w + m.gap_x) / (m.box_w + m.gap_x)));
}

void ProcessesPanel::LayoutRoot(const Model& model, size_t root, const GraphMetrics& m,
                                float avail_w, float top, RootLayout& out) const {
  const auto& procs = model.processes();
  out.aux.clear();
  out.aux_pos.clear();
  out.grid.clear();
  out.grid_pos.clear();
  // Backends (and anything not known to be auxiliary) go in the grid; the
  // running auxiliary processes sit beside the root, an exited one that
  // was not replaced (the startup process) trails the grid.
  for (size_t k : children_[root]) {
    ProcessRole role = procs[k].role;
    bool aux = IsAuxiliary(role);
    if (aux && procs[k].exited) {
      // An auxiliary process restarted after a crash: the graph shows the
      // live one (the tree and the timeline keep both).
      bool replaced = false;
      for (size_t j : children_[root]) replaced |= j != k && procs[j].role == role && !procs[j].exited;
      if (replaced) continue;
    }
    (aux && !procs[k].exited ? out.aux : out.grid).push_back(k);
  }
  float aux_gap = kAuxGapX * m.scale;
  float pair_w = 2.0f * m.box_w + aux_gap;
  if (!out.aux.empty() && avail_w < pair_w) {
    // Too narrow for a column beside the root: the auxiliary children lead the grid.
    out.grid.insert(out.grid.begin(), out.aux.begin(), out.aux.end());
    out.aux.clear();
  }

  // Rows first: their block is centred in the panel, leaving a gutter on
  // the left for the trunk when there is more than one row.
  size_t n = out.grid.size();
  float gutter = 0.0f;
  out.per_row = PerRow(m, avail_w);
  if (n > out.per_row) {
    gutter = kTrunkGutter * m.scale;
    out.per_row = PerRow(m, avail_w - gutter);
  }
  out.rows = (n + out.per_row - 1) / out.per_row;
  size_t cols = std::min(n, out.per_row);
  float grid_w = n == 0 ? 0.0f : static_cast<float>(cols) * (m.box_w + m.gap_x) - m.gap_x;
  float grid_x = gutter + std::max(0.0f, (avail_w - gutter - grid_w) * 0.5f);
  out.trunk_x = grid_x - gutter * 0.5f;

  // The root is centred over the rows (or the panel); if its auxiliary
  // column would not fit to its right, the pair is centred instead.
  float centre = n == 0 ? avail_w * 0.5f : grid_x + grid_w * 0.5f;
  float root_x = centre - m.box_w * 0.5f;
  // The auxiliary processes in the root's row when they fit (the rows then
  // start right under it), else in a column beside it.
  float naux = static_cast<float>(out.aux.size());
  float row_w = m.box_w + aux_gap + naux * m.box_w + std::max(0.0f, naux - 1.0f) * m.gap_x;
  bool aux_in_row = !out.aux.empty() && row_w <= avail_w;
  float aux_w = m.box_w;
  if (!aux_in_row && !out.aux.empty()) {
    // Narrower boxes in the root's row, if they stay readable.
    float narrow = (avail_w - m.box_w - aux_gap - std::max(0.0f, naux - 1.0f) * m.gap_x) / naux;
    if (narrow >= 0.68f * m.box_w) {
      aux_in_row = true;
      aux_w = narrow;
      row_w = m.box_w + aux_gap + naux * aux_w + std::max(0.0f, naux - 1.0f) * m.gap_x;
    }
  }
  out.aux_box_w = aux_w;
  // Otherwise as many columns as fit beside the root, filled row by row
  // (many auxiliary processes make short rows, not one tall column).
  size_t aux_cols = 1;
  if (!aux_in_row && !out.aux.empty()) {
    float room = avail_w - m.box_w - aux_gap + m.gap_x;
    aux_cols = std::clamp<size_t>(static_cast<size_t>(std::max(0.0f, room) / (m.box_w + m.gap_x)), 1, out.aux.size());
    float cols_w = static_cast<float>(aux_cols) * (m.box_w + m.gap_x) - m.gap_x;
    pair_w = m.box_w + aux_gap + cols_w;
  }
  if (aux_in_row) {
    if (root_x + row_w > avail_w) root_x = avail_w - row_w;
  } else if (!out.aux.empty() && root_x + pair_w > avail_w) {
    root_x = (avail_w - pair_w) * 0.5f;
  }
  root_x = std::max(0.0f, root_x);
  out.root = ImVec2(root_x, top);
  out.right = root_x + m.box_w;
  float row0_bottom = top + m.box_h;
  for (size_t i = 0; i < out.aux.size(); ++i) {
    float fi = static_cast<float>(i);
    float col = aux_in_row ? fi : static_cast<float>(i % aux_cols);
    float row = aux_in_row ? 0.0f : static_cast<float>(i / aux_cols);
    ImVec2 pos(root_x + m.box_w + aux_gap + col * (aux_w + m.gap_x), top + row * (m.box_h + m.gap_y));
    out.aux_pos.push_back(pos);
    row0_bottom = std::max(row0_bottom, pos.y + m.box_h);
    out.right = std::max(out.right, pos.x + aux_w);
  }

  out.bottom = row0_bottom;
  if (n == 0) return;
  float grid_top = row0_bottom + m.root_gap;
  for (size_t k = 0; k < n; ++k) {
    out.grid_pos.emplace_back(grid_x + static_cast<float>(k % out.per_row) * (m.box_w + m.gap_x),
                              grid_top + static_cast<float>(k / out.per_row) * (m.box_h + m.gap_y));
  }
  out.bottom = grid_top + static_cast<float>(out.rows) * (m.box_h + m.gap_y) - m.gap_y;
  out.right = std::max(out.right, grid_x + grid_w);
}

float ProcessesPanel::GraphHeight(const Model& model, const GraphMetrics& m, float avail_w, bool live_only) {
  // Mirrors the way DrawGraph() advances y.
  const auto& procs = model.processes();
  float y = kGraphTop;
  float live_bottom = y;
  for (size_t root : roots_) {
    LayoutRoot(model, root, m, avail_w, y, layout_);
    if (!procs[root].exited) {
      // The running processes lead the grid: its last running box is the
      // lowest one that must be seen.
      live_bottom = std::max(live_bottom, layout_.root.y + m.box_h);
      for (const ImVec2& pos : layout_.aux_pos) live_bottom = std::max(live_bottom, pos.y + m.box_h);
      for (size_t k = 0; k < layout_.grid.size(); ++k) {
        if (!procs[layout_.grid[k]].exited) live_bottom = std::max(live_bottom, layout_.grid_pos[k].y + m.box_h);
      }
    }
    y = layout_.bottom + m.root_gap;
  }
  return (live_only ? live_bottom : y - m.root_gap) + kGraphTop + WaitRoom(model, m);
}

bool ProcessesPanel::AnyWaits(const Model& model) {
  const Transactions& txns = model.transactions();
  return txns.DeadlockActive() || std::any_of(txns.backends().begin(), txns.backends().end(),
                                              [](const auto& b) { return b.second.wait.has_value(); });
}

float ProcessesPanel::WaitRoom(const Model& model, const GraphMetrics& m) {
  if (!AnyWaits(model)) return 0.0f;
  // Two rows of labels under the boxes, and the deadlock's banner (two lines).
  return 2.0f * m.wait_gap + 2.0f * m.line_h + 18.0f * m.scale;
}

bool ProcessesPanel::DrawBox(const Model& model, const Process& p, ImVec2 min,
                             const GraphMetrics& m) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  DisplayState s = DisplayStateOf(p);
  ImVec2 size(m.box_w, m.box_h);
  ImVec2 max(min.x + size.x, min.y + size.y);
  // Boxes scrolled out of view are not drawn (the graph's size is set by a
  // Dummy, not by them), so a thousand backends cost only those in view.
  if (!ImGui::IsRectVisible(min, ImVec2(max.x + 3, max.y + 3))) return false;
  // An exit is marked at once and then fades (in the model's time, so a
  // replay fades the same way).
  float alpha = 1.0f;
  if (p.exited && p.exited_ts) {
    float age = static_cast<float>(model.last_ts() - *p.exited_ts) / static_cast<float>(kFadeUs);
    alpha = std::clamp(1.0f - age * (1.0f - kFadedAlpha), kFadedAlpha, 1.0f);
  }
  ImU32 text = Faded(StateText(s), alpha);
  float rounding = kBoxRounding * m.scale;

  // Shadow, fill, border (thicker when selected). The shadow is only the
  // two strips the box leaves uncovered: a software renderer pays for every
  // pixel, hidden or not, and a thousand boxes are drawn.
  ImU32 shadow = IM_COL32(0, 0, 0, static_cast<int>(40 * alpha));
  dl->AddRectFilled(ImVec2(max.x, min.y + 3 + rounding * 0.5f), ImVec2(max.x + 3, max.y + 3), shadow);
  dl->AddRectFilled(ImVec2(min.x + 3 + rounding * 0.5f, max.y), ImVec2(max.x, max.y + 3), shadow);
  dl->AddRectFilled(min, max, Faded(StateFill(s), alpha), rounding);
  bool selected = p.pid == view_state_.selected_pid && !p.exited;
  dl->AddRect(min, max, selected ? IM_COL32(0, 0, 0, 255) : Faded(IM_COL32(0, 0, 0, 90), alpha), rounding, 0,
              selected ? 3.0f : 1.0f);

  ImVec2 clip_max(max.x - m.pad * 0.5f, max.y);  // the text is cut there (ClippedText)
  float x = min.x + m.pad;
  float y = min.y + m.pad * 0.6f;
  // Title line: role and pid, bold; struck through once the process is gone.
  ImGui::PushFont(fonts_.bold);
  std::string title = fmt::format("{}  {}", ShownRole(p), p.pid);
  ClippedText(dl, nullptr, 0.0f, ImVec2(x, y), text, title, min, clip_max);
  float title_h = ImGui::GetTextLineHeight();
  if (p.exited) {
    float w = ImGui::CalcTextSize(title.c_str()).x;
    float mid = y + title_h * 0.55f;
    float end = std::min(x + w + 2, clip_max.x);
    if (end > x - 2) dl->AddLine(ImVec2(x - 2, mid), ImVec2(end, mid), text, 2.0f);
  }
  y += title_h + 2.0f;
  // State line (bold), then details.
  std::string state = s == DisplayState::kIdleInTransactionAborted ? ShortStateLine(p)
                                                                    : StateLine(p);
  ClippedText(dl, nullptr, 0.0f, ImVec2(x, y), text, state, min, clip_max);
  ImGui::PopFont();
  y += ImGui::GetTextLineHeight() + 1.0f;
  std::vector<std::string> lines = BoxLines(model, p);
  // The postmaster's folder (a lesson's socket is there) keeps its end in
  // what the box has room for.
  if (p.role == ProcessRole::kPostmaster && lines.size() > 1 && lines[1].starts_with("/")) {
    lines[1] = FitMiddle(lines[1], clip_max.x - x - 4.0f);
  }
  std::string all = state;
  for (const std::string& l : lines) all += " | " + l;
  box_texts_.emplace_back(p.pid, std::move(all));
  for (size_t i = 0; i < lines.size(); ++i) {
    bool is_query = p.role == ProcessRole::kBackend && i == 2 && !p.current_query.empty();
    if (is_query) ImGui::PushFont(fonts_.mono);
    ClippedText(dl, nullptr, 0.0f, ImVec2(x, y), text, lines[i], min, clip_max);
    y += ImGui::GetTextLineHeight() + 1.0f;
    if (is_query) ImGui::PopFont();
  }

  // Interaction: an invisible button over the box.
  ImGui::SetCursorScreenPos(min);
  ImGui::PushID(static_cast<int>(p.pid));
  ImGui::PushID(static_cast<int>(p.started_ts));
  ImGui::InvisibleButton("box", size);
  ImGui::PopID();
  ImGui::PopID();
  if (ImGui::IsItemClicked()) view_state_.selected_pid = (view_state_.selected_pid == p.pid) ? 0 : p.pid;
  bool hovered = ImGui::IsItemHovered();
  if (hovered) ProcessTooltip(model, p);
  return hovered;
}

ImVec2 ProcessesPanel::ForkAnimated(const Model& model, const Process& p, ImVec2 from, ImVec2 to) {
  if (!animations_) return to;
  double now = ImGui::GetTime();
  if (first_seen_.size() > 4 * model.processes().size() + 64) first_seen_.clear();  // pids long gone
  auto [it, inserted] = first_seen_.try_emplace(p.pid, now);
  if (inserted && (p.exited || model.last_ts() - p.started_ts > 2'000'000)) {
    it->second = now - kForkAnimSeconds;  // not a fork we just saw: no animation
  }
  float t = static_cast<float>((now - it->second) / kForkAnimSeconds);
  if (t >= 1.0f) return to;
  float e = 1.0f - (1.0f - t) * (1.0f - t);  // ease out
  return ImVec2(from.x + (to.x - from.x) * e, from.y + (to.y - from.y) * e);
}

std::string ProcessesPanel::SharedMemoryNote(const Model& model) const {
  const SharedMemory& shm = model.shared_memory();
  if (!shm.known()) return "";
  if (!shmem_folded_) return "; buffers and WAL below";
  // Folded for the graph's sake: its numbers here, its drawing when there is room.
  size_t used = 0;
  for (const BufferInfo& b : shm.buffers()) used += b.Valid() ? 1 : 0;
  return fmt::format("; {} of {} buffers in use", used, shm.nbuffers());
}

void ProcessesPanel::DrawSharedMemory(const Model& model, const RootLayout& L, ImVec2 origin,
                                      const GraphMetrics& m, float root_cx, float rail_drop) {
  // A band between the postmaster's row and the first rail, as wide as the
  // rows: the shared memory the postmaster created, which every child it
  // forks is attached to (their drops hang from it).
  ImDrawList* dl = ImGui::GetWindowDrawList();
  float top = origin.y + L.grid_pos[0].y - m.root_gap + 4.0f * m.scale;
  float bottom = origin.y + L.grid_pos[0].y - rail_drop - 4.0f * m.scale;
  if (bottom - top < 8.0f) return;
  float left = origin.x + std::min(L.trunk_x, L.grid_pos[0].x) - 6.0f * m.scale;
  float right = origin.x + L.right + 6.0f * m.scale;
  bool crash = model.server().postmaster_state == "crash recovery";
  size_t live = 0;
  for (size_t k : L.grid) live += model.processes()[k].exited ? 0 : 1;
  std::string label = crash ? std::string("shared memory: reinitializing after a crash")
                            : fmt::format("shared memory: process array, {} backend slot{} in use{}", live,
                                          live == 1 ? "" : "s", SharedMemoryNote(model));
  ImVec2 size = ImGui::CalcTextSize(label.c_str());
  float scale = std::min(1.0f, (bottom - top - 2.0f) / std::max(1.0f, size.y));
  ImFont* font = ImGui::GetFont();
  float font_size = ImGui::GetFontSize() * scale;
  ImVec2 text_size = font->CalcTextSizeA(font_size, FLT_MAX, 0.0f, label.c_str());
  // Beside the postmaster's drop line, not across it: a band too short for
  // the label there (few backends) grows to hold it, as far as the panel goes.
  float x = root_cx + 8.0f * m.scale;
  float panel_right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  right = std::max(right, std::min(panel_right, x + text_size.x + 6.0f * m.scale));
  if (x + text_size.x > right - 4.0f) x = std::max(left + 4.0f, root_cx - 8.0f * m.scale - text_size.x);
  left = std::min(left, x - 4.0f * m.scale);  // the band holds its label (its border never crosses it)
  dl->AddRectFilled(ImVec2(left, top), ImVec2(right, bottom), crash ? kShmemCrashFill : kShmemFill,
                    4.0f * m.scale);
  dl->AddRect(ImVec2(left, top), ImVec2(right, bottom), kShmemBorder, 4.0f * m.scale, 0, 1.0f);
  float text_y = top + (bottom - top - text_size.y) * 0.5f;
  dl->AddText(font, font_size, ImVec2(x, text_y), kShmemText, label.c_str());
  obstacles_.push_back(Rect{x, text_y, x + text_size.x, text_y + text_size.y});  // wait labels keep off it
  if (ImGui::IsMouseHoveringRect(ImVec2(left, top), ImVec2(right, bottom))) {
    ImGui::SetTooltip(
        "Shared memory: created by the postmaster before it forks, so every child process is "
        "attached to it. It holds the process array that pg_stat_activity reads (one slot per "
        "backend), the shared buffers (the pages of tables and indexes every backend reads "
        "and changes) and the WAL buffers, drawn under the graph. After a crash the postmaster cannot trust it: it ends every child and "
        "creates it anew.");
  }
}

void ProcessesPanel::FitGraph(const Model& model, float avail_h) {
  // The width the graph's child window will have (it scrolls vertically
  // only when the exited boxes overflow, so the full width is a fair guess).
  float width = ImGui::GetContentRegionAvail().x;
  float gap = ImGui::GetStyle().ItemSpacing.y;
  BuildChildren(model, /*exited=*/false);
  // While backends wait, the graph with its arrows is the picture: shared
  // memory gives up height until it fits unshrunk.
  GraphMetrics smallest = MetricsAt(AnyWaits(model) ? 1.0f : kMinScale);
  live_h_ = GraphHeight(model, smallest, std::max(width, smallest.box_w));
  float rest = std::floor(avail_h - gap - live_h_);
  if (shmem_h_ > rest) shmem_h_ = rest >= SharedMemoryView::kMinHeight ? rest : 0.0f;
  shmem_folded_ = show_shmem_ && model.shared_memory().known() && shmem_h_ == 0.0f;
  BuildChildren(model, show_exited_);
}

void ProcessesPanel::DrawGraph(const Model& model) {
  float below = shmem_h_ > 0.0f ? -(shmem_h_ + ImGui::GetStyle().ItemSpacing.y) : 0.0f;
  ImGui::BeginChild("graph", ImVec2(0, below), false, ImGuiWindowFlags_HorizontalScrollbar);
  const auto& procs = model.processes();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  ImVec2 origin = ImGui::GetCursorScreenPos();
  ImVec2 region = ImGui::GetContentRegionAvail();

  // Shrink the graph until it fits the panel; if it cannot, until the
  // running processes (live_h_ at the smallest scale) do, the exited boxes
  // after them scrolling (or to the minimum scale).
  float scale = 1.0f;
  bool live_fit = live_h_ <= region.y;
  while (scale - kScaleStep >= kMinScale - 1e-4f) {
    GraphMetrics trial = MetricsAt(scale);
    if (GraphHeight(model, trial, std::max(region.x, trial.box_w)) <= region.y) break;
    if (live_fit && GraphHeight(model, trial, std::max(region.x, trial.box_w), true) <= region.y) break;
    scale -= kScaleStep;
  }
  GraphMetrics m = MetricsAt(scale);
  ImGui::SetWindowFontScale(scale);
  float avail = std::max(region.x, m.box_w);
  auto at = [&origin](ImVec2 p) { return ImVec2(origin.x + p.x, origin.y + p.y); };
  float bus_w = std::max(1.5f, 2.5f * scale);
  float exited_w = std::max(1.0f, 1.5f * scale);
  float rail_drop = kRailDrop * scale;

  float y = kGraphTop;
  float content_w = 0.0f;
  boxes_.clear();
  obstacles_.clear();
  drawn_boxes_.clear();
  auto note_box = [this, &m](const Process& p, ImVec2 pos) {
    if (!p.exited) boxes_[p.pid] = BoxRect{pos, ImVec2(pos.x + m.box_w, pos.y + m.box_h)};
    obstacles_.push_back(Rect{pos.x, pos.y, pos.x + m.box_w, pos.y + m.box_h});
    drawn_boxes_.emplace_back(p.pid, obstacles_.back());
  };
  for (size_t root : roots_) {
    RootLayout& L = layout_;
    LayoutRoot(model, root, m, avail, y, L);
    content_w = std::max(content_w, L.right);
    ImVec2 root_min = at(L.root);
    float root_cx = root_min.x + m.box_w * 0.5f;

    // Lines first, so that boxes cover their ends.
    // Auxiliary children: a dashed elbow from the root's right side.
    if (!L.aux.empty()) {
      float mid_y = root_min.y + m.box_h * 0.5f;
      float bus_x = root_min.x + m.box_w + kAuxGapX * scale * 0.5f;
      float dash = 5.0f * scale;
      DashedLine(dl, ImVec2(root_min.x + m.box_w, mid_y), ImVec2(bus_x, mid_y), kLineLive, bus_w,
                 dash);
      float last_y = at(L.aux_pos.back()).y + m.box_h * 0.5f;
      DashedLine(dl, ImVec2(bus_x, mid_y), ImVec2(bus_x, last_y), kLineLive, bus_w, dash);
      for (size_t i = 0; i < L.aux.size(); ++i) {
        ImVec2 pos = at(L.aux_pos[i]);
        bool gone = procs[L.aux[i]].exited;
        DashedLine(dl, ImVec2(bus_x, pos.y + m.box_h * 0.5f), ImVec2(pos.x, pos.y + m.box_h * 0.5f),
                   gone ? kLineExited : kLineLive, gone ? exited_w : bus_w, dash);
      }
    }
    // The grid: the root's drop, a rail over each row, the trunk joining the
    // rails, and a drop from the rail into each box.
    if (L.rows > 0) {
      auto rail_y = [&](size_t row) {
        return at(L.grid_pos[row * L.per_row]).y - rail_drop - (row == 0 ? m.wait_gap : 0.0f);
      };
      float trunk_x = origin.x + L.trunk_x;
      bool trunk = L.rows > 1;
      dl->AddLine(ImVec2(root_cx, root_min.y + m.box_h), ImVec2(root_cx, rail_y(0)), kLineLive,
                  bus_w);
      for (size_t row = 0; row < L.rows; ++row) {
        size_t first = row * L.per_row;
        size_t last = std::min(L.grid.size(), first + L.per_row) - 1;
        float first_cx = at(L.grid_pos[first]).x + m.box_w * 0.5f;
        float last_cx = at(L.grid_pos[last]).x + m.box_w * 0.5f;
        float x0 = trunk ? trunk_x : first_cx;
        float x1 = last_cx;
        if (row == 0) {
          x0 = std::min(x0, root_cx);
          x1 = std::max(x1, root_cx);
        }
        float ry = rail_y(row);
        // Half the line width past each end, so corners meet squarely.
        dl->AddLine(ImVec2(x0 - bus_w * 0.5f, ry), ImVec2(x1 + bus_w * 0.5f, ry), kLineLive,
                    bus_w);
      }
      if (trunk) {
        dl->AddLine(ImVec2(trunk_x, rail_y(0)), ImVec2(trunk_x, rail_y(L.rows - 1)), kLineLive,
                    bus_w);
      }
      // A dot where the root's drop meets the first rail: a junction, not a corner.
      dl->AddCircleFilled(ImVec2(root_cx, rail_y(0)), bus_w * 1.4f, kLineLive);
      for (size_t k = 0; k < L.grid.size(); ++k) {
        ImVec2 pos = at(L.grid_pos[k]);
        float cx = pos.x + m.box_w * 0.5f;
        const Process& child = procs[L.grid[k]];
        ImVec2 a(cx, rail_y(k / L.per_row)), b(cx, pos.y);
        if (!ImGui::IsRectVisible(ImVec2(cx - bus_w, a.y), ImVec2(cx + bus_w, b.y + 1))) continue;
        ImU32 col = child.exited ? kLineExited : kLineLive;
        float w = child.exited ? exited_w : bus_w;
        if (IsAuxiliary(child.role)) {
          DashedLine(dl, a, b, col, w, 3.0f * scale);  // auxiliary, when it had to join the rows
        } else {
          dl->AddLine(a, b, col, w);
        }
      }
    }

    if (L.rows > 0) DrawSharedMemory(model, L, origin, m, root_cx, rail_drop + m.wait_gap);
    DrawBox(model, procs[root], root_min, m);
    note_box(procs[root], root_min);
    GraphMetrics aux_m = m;
    aux_m.box_w = L.aux_box_w;
    auto draw_child = [&](size_t index, ImVec2 pos, const GraphMetrics& bm) {
      pos = ForkAnimated(model, procs[index], root_min, pos);
      DrawBox(model, procs[index], pos, bm);
      note_box(procs[index], pos);
      // Grandchildren (rare) are listed under their parent's box.
      float gy = pos.y + m.box_h + 2.0f;
      for (size_t g : children_[index]) {
        ImGui::SetCursorScreenPos(ImVec2(pos.x, gy));
        ImGui::TextDisabled("  + child %lld", static_cast<long long>(procs[g].pid));
        gy += ImGui::GetTextLineHeight();
      }
    };
    for (size_t i = 0; i < L.aux.size(); ++i) draw_child(L.aux[i], at(L.aux_pos[i]), aux_m);
    for (size_t k = 0; k < L.grid.size(); ++k) draw_child(L.grid[k], at(L.grid_pos[k]), m);
    y = L.bottom + m.root_gap;
  }
  // The wait-for graph over the boxes: who waits for whom, and a deadlock.
  // (The deadlock's banner goes under the lowest box, clear of the arrows.)
  float lowest = origin.y;
  for (const auto& [pid, r] : boxes_) lowest = std::max(lowest, r.max.y);
  lowest += 8.0f * scale - 0.9f * m.box_h;  // the banner goes just under the boxes and labels
  // Labels stay within the panel's width, and within its height or the
  // graph's, whichever is taller (what does not fit scrolls).
  ImVec2 win = ImGui::GetWindowPos(), win_size = ImGui::GetWindowSize();
  float content_bottom = origin.y + y - m.root_gap + kGraphTop + WaitRoom(model, m);
  Rect bounds{win.x + 2.0f, win.y + 2.0f, win.x + win_size.x - ImGui::GetStyle().ScrollbarSize,
              std::max(win.y + win_size.y - 2.0f, content_bottom)};
  wait_labels_ = DrawWaitForGraph(dl, model, boxes_, obstacles_, bounds, scale,
                                  ImVec2(origin.x + 4.0f, lowest + 0.9f * m.box_h));
  // Tell the child window how big the content is, for its scrollbars.
  ImGui::SetCursorScreenPos(origin);
  ImGui::Dummy(ImVec2(std::max(content_w, m.box_w), y - m.root_gap + kGraphTop + WaitRoom(model, m)));
  ImGui::SetWindowFontScale(1.0f);
  ImGui::EndChild();
}

void ProcessesPanel::DrawTree(const Model& model) {
  float below = shmem_h_ > 0.0f ? -(shmem_h_ + ImGui::GetStyle().ItemSpacing.y) : 0.0f;
  ImGui::BeginChild("tree", ImVec2(0, below), false);
  for (size_t root : roots_) DrawTreeNode(model, root);
  ImGui::EndChild();
}

void ProcessesPanel::DrawTreeNode(const Model& model, size_t index) {
  const Process& p = model.processes()[index];
  DisplayState s = DisplayStateOf(p);
  ImGuiTreeNodeFlags flags = ImGuiTreeNodeFlags_DefaultOpen | ImGuiTreeNodeFlags_SpanAvailWidth;
  if (children_[index].empty()) flags |= ImGuiTreeNodeFlags_Leaf;
  ImGui::PushID(static_cast<int>(index));
  bool open = ImGui::TreeNodeEx("##node", flags);
  bool hovered = ImGui::IsItemHovered();
  ImGui::SameLine();
  StateBadge(s, StateLine(p));
  ImGui::SameLine();
  if (p.exited) ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.5f, 0.5f, 0.5f, 1.0f));
  std::string text = fmt::format("{} {}", ShownRole(p), p.pid);
  if (p.role == ProcessRole::kBackend) {
    text += fmt::format("   {}@{}   {}", p.user.empty() ? "?" : p.user,
                        p.database.empty() ? "?" : p.database, p.client);
    if (!p.current_query.empty()) text += "   " + Ellipsize(p.current_query, 60);
    if (const BackendTxn* b = model.transactions().Backend(p.pid); b != nullptr && b->wait) {
      text += "   waits: " + b->wait->lock.Label();
    }
  }
  ImGui::TextUnformatted(text.c_str());
  if (p.exited) ImGui::PopStyleColor();
  if (hovered || ImGui::IsItemHovered()) ProcessTooltip(model, p);
  if (open) {
    for (size_t child : children_[index]) DrawTreeNode(model, child);
    ImGui::TreePop();
  }
  ImGui::PopID();
}

void ProcessesPanel::ProcessTooltip(const Model& model, const Process& p) {
  ImGui::BeginTooltip();
  ImGui::PushFont(fonts_.bold);
  ImGui::Text("%s %lld", std::string(ShownRole(p)).c_str(), static_cast<long long>(p.pid));
  ImGui::PopFont();
  StateBadge(DisplayStateOf(p), StateLine(p));
  auto row = [](const char* key, const std::string& value) {
    if (value.empty()) return;
    ImGui::TextDisabled("%s", key);
    ImGui::SameLine(130.0f);
    ImGui::TextUnformatted(value.c_str());
  };
  row("title", p.exited ? "" : ProcessTitle(p));
  row("parent", p.parent_pid != 0 ? std::to_string(p.parent_pid) : "");
  row("started", FormatRelTs(p.started_ts, model.first_ts()) + " s" +
                     (p.from_snapshot ? "  (from snapshot)" : ""));
  if (p.exited_ts) row("exited", FormatRelTs(*p.exited_ts, model.first_ts()) + " s");
  int64_t age_us = p.exited_ts.value_or(model.last_ts()) - p.started_ts;
  row(p.exited ? "lived" : "age", fmt::format("{:.3f} s", static_cast<double>(age_us) / 1e6));
  row("exit status", p.exit_status);
  if (p.conn != 0) row("connection", fmt::format("#{}", p.conn));
  row("client", p.client + (p.transport.empty() ? "" : " (" + p.transport + ")"));
  row("user", p.user);
  row("database", p.database);
  row("application", p.application_name);
  if (p.role == ProcessRole::kBackend) {
    row("queries done", std::to_string(p.queries_done));
    if (p.txn_status != 0) row("txn status", std::string(1, p.txn_status));
  }
  row("stage", p.stage);
  row("waiting for", p.waiting_for);
  DrawTransactionDetails(model, p.pid, 130.0f);
  ImGui::PushTextWrapPos(ImGui::GetFontSize() * 40.0f);
  row("query", p.current_query.empty() ? p.last_query : p.current_query);
  if (!p.last_tag.empty()) {
    row("last result", fmt::format("{} in {} us", p.last_tag, p.last_duration_us));
  }
  row("last error", p.last_error);
  row("disconnect", p.disconnect_reason);
  ImGui::PopTextWrapPos();
  if (!p.last_plan.empty()) {
    ImGui::Separator();
    ImGui::TextDisabled("last plan");
    ImGui::PushFont(fonts_.mono);
    ImGui::TextUnformatted(p.last_plan.c_str());
    ImGui::PopFont();
  }
  ImGui::EndTooltip();
}

}  // namespace minipg::viz::ui
