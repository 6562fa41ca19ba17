/*-------------------------------------------------------------------------
 * step_panel.cpp
 *   Live stepping in the Query view (see step_panel.h).
 *
 * NOTES
 *   The plan is drawn from minipg_query_state when the panel's own
 *   connection has read it for this backend (live), else from the plan
 *   event and the pauses (a replay, or before the first poll): both give
 *   the same node ids, so the node the backend stopped at is found in
 *   either.
 *-------------------------------------------------------------------------
 */
#include "viz/ui/step_panel.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <vector>

namespace minipg::viz::ui {
namespace {

const ImVec4 kMutedText(0.40f, 0.42f, 0.48f, 1.0f);
const ImVec4 kPausedText(0.75f, 0.38f, 0.00f, 1.0f);
const ImVec4 kErrorText(0.80f, 0.10f, 0.10f, 1.0f);
constexpr ImU32 kCurrentFill = IM_COL32(255, 226, 160, 255);  // the node it stopped at
constexpr ImU32 kFlow = IM_COL32(200, 110, 0, 255);           // the row on its way up
constexpr ImU32 kPillFill = IM_COL32(255, 244, 214, 255);
constexpr float kIndent = 20.0f;

/* One node of the plan as drawn. */
struct DrawnNode {
  int64_t id = 0;
  int64_t parent = -1;
  std::string title;
  std::optional<int64_t> rows;
  std::string state;
  int depth = 0;
};

/* The last statement of the query that has a plan. */
const StatementTrace* PlannedStatement(const QueryTrace& t) {
  for (auto it = t.statements.rbegin(); it != t.statements.rend(); ++it) {
    if (!it->nodes.empty()) return &*it;
  }
  return nullptr;
}

void SetDepths(std::vector<DrawnNode>& nodes) {
  for (DrawnNode& n : nodes) {
    int depth = 0;
    int64_t parent = n.parent;
    while (parent >= 0 && depth < 64) {
      auto it = std::find_if(nodes.begin(), nodes.end(), [&](const DrawnNode& m) { return m.id == parent; });
      if (it == nodes.end()) break;
      ++depth;
      parent = it->parent;
    }
    n.depth = depth;
  }
}

/* The plan to draw for `p`: live rows when the connection has them. */
std::vector<DrawnNode> PlanOf(const Process& p, const StepControl& control, bool live) {
  std::vector<DrawnNode> out;
  if (live && control.target() == p.pid && !control.nodes().empty()) {
    for (const LiveNode& n : control.nodes()) out.push_back({n.id, n.parent, n.node, n.rows, n.state, 0});
  } else if (const StatementTrace* s = PlannedStatement(p.query)) {
    for (const PlanNodeInfo& n : s->nodes) {
      // EXPLAIN's title: "Seq Scan on t" (the plan event's detail may also
      // hold a condition, which EXPLAIN prints on a line of its own).
      bool on = n.detail.rfind("on ", 0) == 0;
      DrawnNode d{n.id, n.parent, on ? n.node + " " + n.detail : n.node, s->RowsOfNode(n.id), "", 0};
      if (const StepNode* sn = p.step.Node(n.id)) {
        if (!sn->title.empty()) d.title = sn->title;
        if (p.query.Running()) {  // once it ran to its end, the execute event's counts are final
          d.rows = sn->rows;
          d.state = sn->state;
        }
      }
      out.push_back(std::move(d));
    }
  }
  SetDepths(out);
  return out;
}

/* The grid's buffer a "page" stop names: "relation 16384 fork 0 block 0: hit
 * (buffer 12)" gives pg_buffercache's bufferid, the events' number plus 1. */
int64_t BufferOf(const StepPoint& at) {
  size_t pos = at.detail.find("(buffer ");
  if (at.point != "page" || pos == std::string::npos) return -1;
  return std::strtoll(at.detail.c_str() + pos + 8, nullptr, 10) - 1;
}

bool KeyPressed(int key) { return ImGui::IsKeyPressed(key, false); }

/* "waits for AccessShareLock on relation accounts held by backend 12" for
 * each lock `p` waits for (the wait-for graph's edges). */
std::vector<std::string> WaitLines(const Model& model, const Process& p) {
  std::vector<std::string> out;
  if (!(p.step.last && p.step.last->point == "lock wait") && p.waiting_for.empty()) return out;
  for (const WaitEdge& e : model.transactions().WaitForGraph()) {
    if (e.waiter == p.pid) out.push_back(fmt::format("waits for {} held by backend {}", e.label, e.holder));
  }
  return out;
}

}  // namespace

void StepPanel::Frame(Playback& playback, int64_t now_us) {
  live_model_ = &playback.live_model();
  control_.Update(now_us);
  ImGuiIO& io = ImGui::GetIO();
  int64_t pid = shown_pid_;
  if (pid != 0 && !io.WantTextInput && !ImGui::IsPopupOpen("", ImGuiPopupFlags_AnyPopup)) {
    // GLFW's key codes for letters are their capitals.
    if (playback.live()) {
      if (KeyPressed('A')) Do(*live_model_, pid, StepAction::kAttach);
      if (KeyPressed('S')) Do(*live_model_, pid, StepAction::kNextStage);
      if (KeyPressed('N')) Do(*live_model_, pid, StepAction::kNextRow);
      if (KeyPressed('P')) Do(*live_model_, pid, StepAction::kNextPage);
      if (KeyPressed('C')) Do(*live_model_, pid, StepAction::kRunToCommit);
      if (KeyPressed('D')) Do(*live_model_, pid, StepAction::kContinue);
    } else {
      if (KeyPressed('N')) replay_seek_ = true;
      if (KeyPressed('B')) replay_seek_ = false;
    }
  }
  if (replay_seek_) {
    bool forward = *replay_seek_;
    replay_seek_.reset();
    replay_note_ = playback.SeekStepPause(forward, pid)
                       ? ""
                       : (forward ? "no later step point in the record" : "no earlier step point");
  }
  // The page the shown backend stopped at, for the shared buffers grid.
  view_state_.step_buffer = -1;
  if (const Process* p = pid != 0 ? playback.shown().FindProcess(pid) : nullptr) {
    if (p->step.paused && p->step.last) view_state_.step_buffer = BufferOf(*p->step.last);
  }
}

void StepPanel::Do(const Model& live_model, int64_t pid, StepAction action) {
  control_.Do(consoles_.DefaultOptions(live_model), pid, action);
}

void StepPanel::DrawControls(const Model& model, const Process& p) {
  (void)model;
  bool live = view_state_.live;
  if (live) {
    struct Button {
      const char* label;
      StepAction action;
      const char* tip;
    };
    static constexpr Button kButtons[] = {
        {"Attach A", StepAction::kAttach, "Attach (A): stop this backend at its next step point (minipg_step_attach)"},
        {"Stage S", StepAction::kNextStage, "Next stage (S): let it go to its next stage: analyze, plan, executor start, commit"},
        {"Row N", StepAction::kNextRow, "Next row (N): let it go until a plan node hands up its next row"},
        {"Page P", StepAction::kNextPage, "Next page (P): let it go until it reads its next page through shared buffers"},
        {"To commit C", StepAction::kRunToCommit, "Run to commit (C): stage by stage to its commit (or the query's end)"},
        {"Continue D", StepAction::kContinue, "Continue (D): detach, the backend goes on freely (minipg_step_detach)"},
    };
    bool busy = control_.Busy() && control_.target() == p.pid;
    for (size_t i = 0; i < std::size(kButtons); ++i) {
      if (i > 0) ImGui::SameLine(0.0f, 4.0f);
      if (ImGui::SmallButton(kButtons[i].label) && live_model_ != nullptr) {
        Do(*live_model_, p.pid, kButtons[i].action);
      }
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", kButtons[i].tip);
    }
    if (busy) {
      ImGui::SameLine();
      ImGui::TextColored(kMutedText, control_.running_to_commit() ? "running to commit..." : "waiting...");
    }
  } else if (live_model_ != nullptr &&
             live_model_->EventsOfType(static_cast<size_t>(EventType::kStepPause)) > 0) {
    // A record with step points: move through them as the live buttons did.
    if (ImGui::SmallButton("< step point B")) replay_seek_ = false;
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("B: back to the previous recorded step_pause of this backend");
    ImGui::SameLine();
    if (ImGui::SmallButton("step point > N")) replay_seek_ = true;
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("N: on to the next recorded step_pause of this backend");
    if (!replay_note_.empty()) {
      ImGui::SameLine();
      ImGui::TextColored(kMutedText, "%s", replay_note_.c_str());
    }
  }
}

void StepPanel::DrawWhere(const Model& model, const Process& p) {
  const StepInfo& st = p.step;
  ImGui::PushTextWrapPos(0.0f);
  if (st.last) {
    if (st.paused) {
      ImGui::PushFont(fonts_.bold);
      // A row's values are drawn in the plan, beside the node that takes them.
      bool row = st.last->point == "row" || st.last->point == "first row";
      std::string where = st.Describe();
      if (row && st.last->node_id >= 0) where = where.substr(0, where.find(" | "));
      if (view_state_.step_buffer >= 0) where += ", outlined in the shared buffers grid";
      ImGui::TextColored(kPausedText, "stopped at %s", where.c_str());
      ImGui::PopFont();
    } else {
      ImGui::TextColored(kMutedText, "running; last stopped at %s", st.Describe().c_str());
    }
    for (const std::string& line : WaitLines(model, p)) {
      ImGui::TextColored(kPausedText, "%s (the arrow in Processes)", line.c_str());
    }
  } else if (view_state_.live) {
    ImGui::TextColored(kMutedText,
                       "Not stepped. Attach (A) stops this backend at its next step point; its "
                       "client then waits while you step.");
  }
  if (view_state_.live && control_.target() == p.pid && !control_.error().empty()) {
    ImGui::TextColored(kErrorText, "%s", control_.error().c_str());
  }
  ImGui::PopTextWrapPos();
}

void StepPanel::DrawPlan(const Model& model, const Process& p) {
  (void)model;
  std::vector<DrawnNode> nodes = PlanOf(p, control_, view_state_.live);
  if (nodes.empty()) return;
  const std::optional<StepPoint>& at = p.step.last;
  int64_t current = at && p.query.Running() ? at->node_id : -1;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  float line_h = ImGui::GetTextLineHeight() + 4.0f;
  float width = ImGui::GetContentRegionAvail().x;
  ImVec2 origin = ImGui::GetCursorScreenPos();
  // The right column as wide as its widest text, so the titles keep the rest.
  auto right_text = [](const DrawnNode& n) {
    std::string right = n.rows ? fmt::format("rows={}", *n.rows) : std::string("-");
    if (!n.state.empty()) right += "  " + n.state;
    return right;
  };
  float rows_w = ImGui::CalcTextSize("rows=0").x;
  for (const DrawnNode& n : nodes) rows_w = std::max(rows_w, ImGui::CalcTextSize(right_text(n).c_str()).x);
  rows_w += 12.0f;
  struct Place {
    float x = 0, y = 0, title_end = 0;
  };
  std::vector<Place> places(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    const DrawnNode& n = nodes[i];
    float y = origin.y + static_cast<float>(i) * line_h;
    float x = origin.x + 4.0f + kIndent * static_cast<float>(n.depth);
    if (n.id == current) {
      dl->AddRectFilled(ImVec2(origin.x, y), ImVec2(origin.x + width, y + line_h - 1.0f), kCurrentFill, 3.0f);
    }
    std::string title = (n.depth > 0 ? "->  " : "") + n.title;
    ImGui::PushFont(fonts_.bold);
    ImVec2 size = ImGui::CalcTextSize(title.c_str());
    ClippedText(dl, nullptr, 0.0f, ImVec2(x, y), IM_COL32(20, 24, 32, 255), title, ImVec2(origin.x, y),
                ImVec2(origin.x + width - rows_w, y + line_h));
    ImGui::PopFont();
    places[i] = {x, y, std::min(x + size.x, origin.x + width - rows_w)};
    std::string right = right_text(n);
    ImU32 right_colour = n.state == "running" || n.state == "returned row" ? IM_COL32(20, 70, 160, 255)
                         : n.state == "not started"                     ? IM_COL32(140, 145, 155, 255)
                                                                        : IM_COL32(20, 24, 32, 255);
    dl->AddText(ImVec2(origin.x + width - rows_w + 6.0f, y), right_colour, right.c_str());
  }
  // The row the current node handed up: the edge to its parent drawn in
  // the flow colour, and the values beside the parent, which takes them.
  if (current >= 0 && at && (at->point == "row" || at->point == "first row") && !at->detail.empty()) {
    auto child = std::find_if(nodes.begin(), nodes.end(), [&](const DrawnNode& n) { return n.id == current; });
    auto parent = child == nodes.end() ? nodes.end()
                                       : std::find_if(nodes.begin(), nodes.end(),
                                                      [&](const DrawnNode& n) { return n.id == child->parent; });
    if (parent != nodes.end()) {
      const Place& c = places[static_cast<size_t>(child - nodes.begin())];
      const Place& pp = places[static_cast<size_t>(parent - nodes.begin())];
      float ex = c.x - kIndent * 0.5f;
      float top = pp.y + line_h - 2.0f, bottom = c.y + line_h * 0.5f;
      dl->AddLine(ImVec2(c.x + 2.0f, bottom), ImVec2(ex, bottom), kFlow, 2.5f);
      dl->AddLine(ImVec2(ex, bottom), ImVec2(ex, top + 6.0f), kFlow, 2.5f);
      dl->AddTriangleFilled(ImVec2(ex, top), ImVec2(ex - 5.0f, top + 8.0f), ImVec2(ex + 5.0f, top + 8.0f), kFlow);
      float pill_x = pp.title_end + 10.0f;
      float pill_right = origin.x + width - rows_w - 4.0f;
      if (pill_right - pill_x > 40.0f) {
        std::string pill = "<- " + at->detail;
        ImGui::PushFont(fonts_.mono);
        float text_w = ImGui::CalcTextSize(pill.c_str()).x;
        pill_right = std::min(pill_right, pill_x + text_w + 12.0f);
        ImVec2 a(pill_x, pp.y + 1.0f), b(pill_right, pp.y + line_h - 1.0f);
        dl->AddRectFilled(a, b, kPillFill, 6.0f);
        dl->AddRect(a, b, kFlow, 6.0f, 0, 1.5f);
        ClippedText(dl, nullptr, 0.0f, ImVec2(pill_x + 6.0f, pp.y + 2.0f), kFlow, pill, a,
                    ImVec2(b.x - 3.0f, b.y));
        ImGui::PopFont();
      }
      if (ImGui::IsMouseHoveringRect(ImVec2(origin.x, pp.y), ImVec2(origin.x + width, c.y + line_h))) {
        ImGui::SetTooltip("%s hands the row %s up to %s", child->title.c_str(), at->detail.c_str(),
                          parent->title.c_str());
      }
    }
  }
  ImGui::Dummy(ImVec2(width, static_cast<float>(nodes.size()) * line_h));
}

void StepPanel::Draw(const Model& model, const Process& p) {
  shown_pid_ = p.pid;
  ImGui::PushID("step");
  DrawControls(model, p);
  DrawWhere(model, p);
  if (p.step.last || (view_state_.live && control_.target() == p.pid)) DrawPlan(model, p);
  if (p.step.paused) {
    ImGui::TextColored(kMutedText, "%s waits for the server: this backend is stopped (IPC / MinipgStep)",
                       p.application_name.empty() ? "its client" : p.application_name.c_str());
  }
  ImGui::PopID();
}

std::string StepPanel::Transcript(const Model& model, int64_t pid) const {
  std::string out;
  for (const std::string& line : control_.history()) out += "minipg-viz: step: " + line + "\n";
  const Process* p = model.FindProcess(pid);
  if (p == nullptr) return out;
  if (p->step.last) {
    out += fmt::format("minipg-viz: step: backend {} {} {} ({} pauses)\n", pid,
                       p->step.paused ? "stopped at" : "last stopped at", p->step.Describe(), p->step.pauses);
    for (const std::string& line : WaitLines(model, *p)) out += "minipg-viz: step: " + line + "\n";
  }
  for (const DrawnNode& n : PlanOf(*p, control_, view_state_.live)) {
    out += fmt::format("minipg-viz: step: plan {}{} rows={} {}\n", std::string(2 * n.depth, ' '), n.title,
                       n.rows.value_or(-1), n.state);
  }
  return out;
}

}  // namespace minipg::viz::ui
