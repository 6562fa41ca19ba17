/*-------------------------------------------------------------------------
 * query_panel.cpp
 *   Drawing the Query view (see query_panel.h).
 *
 * NOTES
 *   An event marks the end of its stage, so the stage in progress is the
 *   box after the last step seen, and a failed query's red box is the one
 *   after the last step before its error (NextBox()).
 *   The extended protocol's prepare is drawn inside the parse box (it
 *   describes what parse made), and its portal_suspended steps inside the
 *   done box (sending rows a slice at a time): a row of six boxes still
 *   fits the right column at 1280 pixels.
 *-------------------------------------------------------------------------
 */
#include "viz/ui/query_panel.h"

#include "viz/ui/step_panel.h"
#include "viz/ui/transaction_view.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <vector>

namespace minipg::viz::ui {
namespace {

constexpr ImU32 kBoxSeen = IM_COL32(200, 222, 248, 255);  // a stage that ran: pale blue
constexpr ImU32 kBoxIdle = IM_COL32(236, 238, 242, 255);  // not reached
constexpr ImU32 kBoxBorder = IM_COL32(120, 135, 160, 255);
constexpr ImU32 kDarkText = IM_COL32(20, 24, 32, 255);
constexpr ImU32 kGreyText = IM_COL32(140, 145, 155, 255);
constexpr ImU32 kArrow = IM_COL32(110, 120, 140, 255);
const ImVec4 kErrorText(0.80f, 0.10f, 0.10f, 1.0f);
const ImVec4 kRunningText(0.12f, 0.40f, 0.85f, 1.0f);
const ImVec4 kMutedText(0.40f, 0.42f, 0.48f, 1.0f);

/* One box of the pipeline and the steps it stands for. */
struct Box {
  const char* label;
  std::array<QueryStep, 2> steps;  // the second repeats the first when unused
};

constexpr Box kSimpleBoxes[] = {
    {"parse", {QueryStep::kParse, QueryStep::kParse}},
    {"analyze", {QueryStep::kAnalyze, QueryStep::kAnalyze}},
    {"plan", {QueryStep::kPlan, QueryStep::kPlan}},
    {"execute", {QueryStep::kExecute, QueryStep::kExecute}},
    {"done", {QueryStep::kDone, QueryStep::kDone}},
};
constexpr Box kExtendedBoxes[] = {
    {"parse", {QueryStep::kParse, QueryStep::kPrepare}},
    {"bind", {QueryStep::kBind, QueryStep::kBind}},
    {"analyze", {QueryStep::kAnalyze, QueryStep::kAnalyze}},
    {"plan", {QueryStep::kPlan, QueryStep::kPlan}},
    {"execute", {QueryStep::kExecute, QueryStep::kExecute}},
    {"done", {QueryStep::kDone, QueryStep::kSuspended}},
};

enum class BoxState {
  kNotReached,   // grey outline
  kSeen,         // ran: pale blue, its time under it
  kInProgress,   // running now: the "active" blue, elapsed time under it
  kFailed,       // the stage the error came from: red
  kInterrupted,  // the stage the backend was in when it went away
  kEarlier,      // extended: parsed when the statement was prepared, not in this run
};

/* The box label of the stage that follows `step` (where the backend is
 * after that event). nullptr: none (after an error). */
const char* NextBox(QueryStep step, bool extended) {
  switch (step) {
    case QueryStep::kReceived:
      return extended ? "analyze" : "parse";
    case QueryStep::kParse:
      return extended ? "parse" : "analyze";  // extended: prepare is next
    case QueryStep::kPrepare:
      return "bind";
    case QueryStep::kBind:
      return "analyze";
    case QueryStep::kAnalyze:
      return "plan";
    case QueryStep::kPlan:
      return "execute";
    case QueryStep::kExecute:
    case QueryStep::kSuspended:
      return "done";
    case QueryStep::kDone:
      return "analyze";  // the next statement
    case QueryStep::kError:
      return nullptr;
  }
  return nullptr;
}

bool SameLabel(const char* a, const char* b) {
  return a != nullptr && b != nullptr && std::string_view(a) == b;
}

/* The last step before an interruption or error: where the backend was. */
std::optional<QueryStep> LastRealStep(const QueryTrace& t) {
  for (auto it = t.steps.rbegin(); it != t.steps.rend(); ++it) {
    if (it->step != QueryStep::kError) return it->step;
  }
  return std::nullopt;
}

void CenteredText(ImDrawList* dl, ImVec2 min, ImVec2 max, ImU32 colour, const std::string& text) {
  ImVec2 size = ImGui::CalcTextSize(text.c_str());
  ImVec2 at(min.x + (max.x - min.x - size.x) * 0.5f, min.y + (max.y - min.y - size.y) * 0.5f);
  ClippedText(dl, nullptr, 0.0f, at, colour, text, min, max);
}

}  // namespace

std::string FormatDurationUs(int64_t us) {
  if (us < 0) us = 0;
  if (us < 1000) return fmt::format("{} us", us);
  if (us < 10000) return fmt::format("{:.2f} ms", static_cast<double>(us) / 1000.0);
  if (us < 1000000) return fmt::format("{:.1f} ms", static_cast<double>(us) / 1000.0);
  return fmt::format("{:.2f} s", static_cast<double>(us) / 1e6);
}

const Process* QueryPanel::Choose(const Model& model, std::string* why) const {
  int64_t selected = view_state_.selected_pid;
  const Process* p = selected != 0 ? model.FindProcess(selected) : nullptr;
  if (p != nullptr && p->role == ProcessRole::kBackend) return p;
  // A backend stopped by live stepping: what everyone is watching.
  for (const Process& q : model.processes()) {
    if (q.role == ProcessRole::kBackend && q.step.paused) {
      *why = selected == 0 ? "stopped" : fmt::format("Process {} runs no queries: showing the stopped backend.", selected);
      return &q;
    }
  }
  // The backend whose query moved last.
  const Process* recent = nullptr;
  int64_t recent_ts = 0;
  for (const Process& q : model.processes()) {
    if (q.role != ProcessRole::kBackend || q.query.phase == QueryPhase::kNone) continue;
    int64_t ts = std::max(q.query.LastStepTs(), q.query.end_ts);
    if (recent == nullptr || ts >= recent_ts) {
      recent = &q;
      recent_ts = ts;
    }
  }
  if (selected == 0) {
    *why = "latest";  // short, beside the header: the plan below keeps its room (the tooltip says more)
  } else if (p == nullptr) {
    *why = fmt::format("Process {} is gone: showing the most recently active backend.", selected);
  } else {
    *why = fmt::format(
        "Process {} is the {}, which runs no queries: showing the most recently active backend.",
        selected, RoleName(p->role));
  }
  return recent;
}

void QueryPanel::DrawHeader(const Process& p, const std::string& why) {
  ImGui::PushFont(fonts_.bold);
  ImGui::Text("Backend %lld", static_cast<long long>(p.pid));
  ImGui::PopFont();
  if (!p.user.empty()) {
    ImGui::SameLine();
    ImGui::Text("%s@%s", p.user.c_str(), p.database.c_str());
  }
  ImGui::SameLine();
  StateBadge(DisplayStateOf(p), ShortStateLine(p));
  if (p.query.extended) {
    ImGui::SameLine();
    ImGui::TextColored(kMutedText, "extended protocol%s",
                       p.query.prepared_name.empty()
                           ? ""
                           : fmt::format(" (statement \"{}\")", p.query.prepared_name).c_str());
  }
  if (why.empty()) return;
  // Why it is not the selected one: beside the header when it fits there.
  float room = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x - ImGui::GetItemRectMax().x -
               ImGui::GetStyle().ItemSpacing.x;
  std::string note = "(" + why + ")";
  if (ImGui::CalcTextSize(note.c_str()).x < room) {
    ImGui::SameLine();
    ImGui::TextColored(kMutedText, "%s", note.c_str());
    if (ImGui::IsItemHovered()) {
      ImGui::SetTooltip("%s", why == "stopped"
                                  ? "No backend is selected: this is the one stopped by live stepping.\n"
                                    "Click a backend in Processes or Activity to choose."
                                  : "No backend is selected: this is the one whose query moved last.\n"
                                    "Click a backend in Processes or Activity to choose.");
    }
    return;
  }
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextColored(kMutedText, "%s", why.c_str());
  ImGui::PopTextWrapPos();
}

void QueryPanel::DrawPipeline(const QueryTrace& t, int64_t now) {
  const Box* boxes = t.extended ? kExtendedBoxes : kSimpleBoxes;
  size_t count = t.extended ? std::size(kExtendedBoxes) : std::size(kSimpleBoxes);

  // Which box is in progress, failed or cut short.
  const char* in_progress = nullptr;
  const char* failed = nullptr;
  const char* interrupted = nullptr;
  if (t.Running()) {
    if (auto last = t.LastStep())
      in_progress = NextBox(*last, t.extended);
    else if (!t.joined_late)
      in_progress = "parse";  // joined late: which stage runs is not known yet
  } else if (t.error) {
    failed = NextBox(t.error->after, t.extended);
    if (t.error->after == QueryStep::kReceived && t.extended) failed = "analyze";
  } else if (!t.interrupted.empty()) {
    if (auto last = LastRealStep(t)) interrupted = NextBox(*last, t.extended);
  }

  float avail = ImGui::GetContentRegionAvail().x;
  const float gap = 22.0f;
  float box_w =
      std::max(56.0f, (avail - gap * static_cast<float>(count - 1)) / static_cast<float>(count));
  float box_h = ImGui::GetTextLineHeight() + 8.0f;  // compact: the plan below needs the height
  float line_h = ImGui::GetTextLineHeightWithSpacing();
  ImVec2 origin = ImGui::GetCursorScreenPos();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  for (size_t i = 0; i < count; ++i) {
    const Box& b = boxes[i];
    bool seen = t.HasStep(b.steps[0]) || t.HasStep(b.steps[1]);
    BoxState state = seen ? BoxState::kSeen : BoxState::kNotReached;
    if (SameLabel(in_progress, b.label)) state = BoxState::kInProgress;
    if (SameLabel(failed, b.label)) state = BoxState::kFailed;
    if (SameLabel(interrupted, b.label)) state = BoxState::kInterrupted;
    // A prepared statement run again: its parse happened at its Parse, earlier.
    if (t.extended && !seen && state == BoxState::kNotReached && b.steps[0] == QueryStep::kParse &&
        t.HasStep(QueryStep::kBind)) {
      state = BoxState::kEarlier;
    }

    ImVec2 min(origin.x + static_cast<float>(i) * (box_w + gap), origin.y);
    ImVec2 max(min.x + box_w, min.y + box_h);
    ImU32 fill = kBoxIdle, text = kGreyText, border = kBoxBorder;
    float thickness = 1.0f;
    switch (state) {
      case BoxState::kNotReached:
      case BoxState::kEarlier:
        break;
      case BoxState::kSeen:
        fill = kBoxSeen;
        text = kDarkText;
        break;
      case BoxState::kInProgress:
        fill = StateFill(DisplayState::kActive);
        text = kDarkText;
        border = IM_COL32(20, 70, 160, 255);
        thickness = 3.0f;
        break;
      case BoxState::kFailed:
        fill = StateFill(DisplayState::kCrashed);
        text = StateText(DisplayState::kCrashed);
        break;
      case BoxState::kInterrupted:
        fill = kBoxIdle;
        text = kDarkText;
        border = StateFill(DisplayState::kCrashed);
        thickness = 3.0f;
        break;
    }
    dl->AddRectFilled(min, max, fill, 5.0f);
    dl->AddRect(min, max, border, 5.0f, 0, thickness);
    size_t n = t.StepCount(b.steps[0]);
    std::string label =
        n > 1 && b.steps[0] != QueryStep::kParse ? fmt::format("{} x{}", b.label, n) : b.label;
    ImGui::PushFont(state == BoxState::kInProgress || state == BoxState::kFailed ? fonts_.bold
                                                                                 : fonts_.body);
    CenteredText(dl, min, max, text, label);
    ImGui::PopFont();

    // Under the box: its time.
    std::string under;
    ImU32 under_colour = kDarkText;
    switch (state) {
      case BoxState::kSeen:
      case BoxState::kInterrupted:
        if (seen) {
          bool timed = t.StageTimed(b.steps[0]) || t.StageTimed(b.steps[1]);
          int64_t us =
              t.StageTotal(b.steps[0]) + (b.steps[1] != b.steps[0] ? t.StageTotal(b.steps[1]) : 0);
          under = timed ? FormatDurationUs(us) : "-";
        }
        if (state == BoxState::kInterrupted) {
          under = "cut short";
          under_colour = StateFill(DisplayState::kCrashed);
        }
        break;
      case BoxState::kInProgress:
        under = FormatDurationUs(now - t.LastStepTs()) + "...";
        under_colour = IM_COL32(20, 70, 160, 255);
        break;
      case BoxState::kFailed:
        // From the last step before the error to the error.
        under = "failed, " +
                FormatDurationUs(t.error->ts - (t.steps.size() >= 2 ? t.steps[t.steps.size() - 2].ts
                                                                    : t.start_ts));
        under_colour = StateFill(DisplayState::kCrashed);
        break;
      case BoxState::kEarlier:
        under = "earlier";
        under_colour = kGreyText;
        break;
      case BoxState::kNotReached:
        break;
    }
    if (!under.empty()) {
      CenteredText(dl, ImVec2(min.x - gap * 0.5f, max.y + 2.0f),
                   ImVec2(max.x + gap * 0.5f, max.y + 2.0f + line_h), under_colour, under);
    }
    if (ImGui::IsMouseHoveringRect(min, max)) {
      if (b.steps[0] == QueryStep::kParse && !t.tree.empty()) {
        ImGui::SetTooltip("parse tree:\n%s", t.tree.c_str());
      } else if (state == BoxState::kEarlier) {
        ImGui::SetTooltip("the statement was parsed when it was prepared, before this run");
      }
    }
    // The arrow to the next box.
    if (i + 1 < count) {
      float y = min.y + box_h * 0.5f;
      float x0 = max.x + 3.0f, x1 = max.x + gap - 3.0f;
      dl->AddLine(ImVec2(x0, y), ImVec2(x1 - 4.0f, y), kArrow, 2.0f);
      dl->AddTriangleFilled(ImVec2(x1, y), ImVec2(x1 - 7.0f, y - 5.0f), ImVec2(x1 - 7.0f, y + 5.0f),
                            kArrow);
    }
  }
  ImGui::Dummy(ImVec2(static_cast<float>(count) * (box_w + gap) - gap, box_h + line_h));
}

void QueryPanel::DrawOutcome(const QueryTrace& t, int64_t now) {
  ImGui::PushTextWrapPos(0.0f);
  if (t.Running()) {
    if (t.phase == QueryPhase::kPreparing) {
      ImGui::TextColored(kRunningText, "preparing (Parse / Bind), not yet executed");
    } else {
      ImGui::TextColored(kRunningText, "running for %s%s", t.start_known ? "" : "at least ",
                         FormatDurationUs(now - t.start_ts).c_str());
    }
  } else if (t.error) {
    ImGui::PushFont(fonts_.bold);
    ImGui::TextColored(kErrorText, "%s %s: %s", t.error->severity.c_str(),
                       t.error->sqlstate.c_str(), t.error->message.c_str());
    ImGui::PopFont();
    const char* stage = NextBox(t.error->after, t.extended);
    ImGui::TextColored(kErrorText, "failed in %s, after %s", stage != nullptr ? stage : "?",
                       FormatDurationUs(t.end_ts - t.start_ts).c_str());
  } else if (!t.interrupted.empty()) {
    ImGui::TextColored(kErrorText, "cut short after %s: %s",
                       FormatDurationUs(t.end_ts - t.start_ts).c_str(), t.interrupted.c_str());
  } else if (t.phase == QueryPhase::kFinished && !t.HasStep(QueryStep::kReceived) && t.extended) {
    ImGui::TextColored(kMutedText, "prepared, not executed");
  } else if (t.phase == QueryPhase::kFinished) {
    ImGui::PushFont(fonts_.bold);
    if (t.statements_done > 1) {
      ImGui::Text("%lld statements, %s in all", static_cast<long long>(t.statements_done),
                  FormatDurationUs(t.TotalDurationUs()).c_str());
    } else if (t.statements.empty()) {
      ImGui::TextUnformatted("done");
    }  // else one statement: its own line below says its tag and time
    ImGui::PopFont();
  }
  if (t.joined_late) {
    ImGui::TextColored(kMutedText, t.LastStep() ? "(the viewer joined while this query ran: its earlier "
                                                  "stages were not seen)"
                                                : "(the viewer joined while this query ran: which stage "
                                                  "it is in shows with its next event)");
  }
  ImGui::PopTextWrapPos();
}

void QueryPanel::DrawStatement(const QueryTrace& t, size_t index) {
  const StatementTrace& s = t.statements[index];
  ImGui::PushID(static_cast<int>(index));
  ImGui::PushFont(fonts_.bold);
  if (t.statements.size() > 1) {
    ImGui::Text("%zu. %s", index + 1, s.kind.empty() ? "statement" : s.kind.c_str());
  } else {
    ImGui::TextUnformatted(s.kind.empty() ? "statement" : s.kind.c_str());
  }
  ImGui::PopFont();
  if (s.done) {
    ImGui::SameLine(0.0f, 14.0f);
    ImGui::Text("%s", s.tag.c_str());
    ImGui::SameLine();
    ImGui::TextColored(kMutedText, "in %s", FormatDurationUs(s.duration_us).c_str());
  }
  if (s.nodes.empty()) {
    if (s.done && !s.planned)
      ImGui::TextColored(kMutedText, "no plan: a utility statement runs directly");
  } else {
    ImGuiTableFlags flags =
        ImGuiTableFlags_BordersOuter | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit;
    // Where the panel's visible part ends: the plan rows above it are in view.
    float window_bottom = ImGui::GetWindowPos().y + ImGui::GetWindowSize().y;
    // Tight rows, as EXPLAIN's lines: five nodes fit above the fold at 1280x800.
    ImGui::PushStyleVar(ImGuiStyleVar_CellPadding, ImVec2(ImGui::GetStyle().CellPadding.x, 0.0f));
    bool plan_table = ImGui::BeginTable("plan", 2, flags);
    ImGui::PopStyleVar();
    if (plan_table) {
      ImGui::TableSetupColumn("plan node", ImGuiTableColumnFlags_WidthStretch);
      ImGui::TableSetupColumn("rows", ImGuiTableColumnFlags_WidthFixed,
                              ImGui::CalcTextSize("rows=000000").x);
      for (size_t i = 0; i < s.nodes.size(); ++i) {
        const PlanNodeInfo& n = s.nodes[i];
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        int depth = s.DepthOf(i);
        if (depth > 0) {
          ImGui::Indent(18.0f * static_cast<float>(depth));
          ImGui::TextColored(kMutedText, "->");
          ImGui::SameLine();
        }
        ImGui::PushFont(fonts_.bold);
        ImGui::TextUnformatted(n.node.c_str());
        ImGui::PopFont();
        ++plan_nodes_drawn_;
        if (ImGui::GetItemRectMax().y <= window_bottom) ++plan_nodes_in_view_;
        if (!n.detail.empty()) {
          ImGui::SameLine();
          ImGui::TextColored(kMutedText, "%s", n.detail.c_str());
        }
        if (depth > 0) ImGui::Unindent(18.0f * static_cast<float>(depth));
        ImGui::TableNextColumn();
        if (auto rows = s.RowsOfNode(n.id)) {
          ImGui::Text("rows=%lld", static_cast<long long>(*rows));
        } else {
          ImGui::TextColored(kMutedText, "%s", s.executed ? "" : "-");
        }
      }
      ImGui::EndTable();
    }
    if (s.nodes_dropped > 0)
      ImGui::TextColored(kMutedText, "(%zu more plan nodes not kept)", s.nodes_dropped);
  }
  // What analyze found, under the plan (the plan first, above the fold):
  // the tables read and the output columns.
  std::string found;
  for (const std::string& name : s.tables) found += (found.empty() ? "tables: " : ", ") + name;
  for (size_t i = 0; i < s.columns.size(); ++i) {
    found += fmt::format("{}{} {}", i == 0 ? (found.empty() ? "output: " : "  |  output: ") : ", ",
                         s.columns[i].name, s.columns[i].type);
  }
  if (!found.empty()) {
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextColored(kMutedText, "%s", found.c_str());
    ImGui::PopTextWrapPos();
  }

  if (s.suspended > 0) {
    ImGui::TextColored(kMutedText,
                       "portal suspended %d time%s at its row limit: %lld of %lld rows sent",
                       s.suspended, s.suspended == 1 ? "" : "s",
                       static_cast<long long>(s.sent_rows), static_cast<long long>(s.total_rows));
  }
  ImGui::PopID();
}

void QueryPanel::DrawPages(const QueryTrace& t) {
  int64_t total = t.page_hits + t.page_misses;
  if (total == 0) return;
  ImGui::Separator();
  ImGui::PushFont(fonts_.bold);
  ImGui::Text("pages read: %lld", static_cast<long long>(total));
  ImGui::PopFont();
  ImGui::SameLine(0.0f, 14.0f);
  ImGui::TextColored(kMutedText, "%lld hit%s in shared buffers, %lld read from disk",
                     static_cast<long long>(t.page_hits), t.page_hits == 1 ? "" : "s",
                     static_cast<long long>(t.page_misses));
  ImGuiTableFlags flags = ImGuiTableFlags_BordersOuter | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit;
  if (ImGui::BeginTable("pages", 5, flags)) {
    ImGui::TableSetupColumn("#", ImGuiTableColumnFlags_WidthFixed);
    ImGui::TableSetupColumn("relation", ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableSetupColumn("block", ImGuiTableColumnFlags_WidthFixed);
    ImGui::TableSetupColumn("buffer", ImGuiTableColumnFlags_WidthFixed);
    ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthFixed);
    ImGui::TableHeadersRow();
    for (size_t i = 0; i < t.pages.size(); ++i) {
      const PageReadInfo& pg = t.pages[i];
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextColored(kMutedText, "%zu", i + 1);
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(pg.relation.c_str());
      if (pg.fork != "main") {
        ImGui::SameLine();
        ImGui::TextColored(kMutedText, "(%s)", pg.fork.c_str());
      }
      ImGui::TableNextColumn();
      ImGui::Text("%lld", static_cast<long long>(pg.block));
      ImGui::TableNextColumn();
      ImGui::Text("%lld", static_cast<long long>(pg.buffer));
      ImGui::TableNextColumn();
      // The cell colours of the shared memory view: a hit is a page already
      // there (clean), a miss one read in (being read).
      ImVec2 pos = ImGui::GetCursorScreenPos();
      const char* label = pg.hit ? "hit" : "read";
      ImVec2 size = ImGui::CalcTextSize(label);
      ImGui::GetWindowDrawList()->AddRectFilled(
          pos, ImVec2(pos.x + size.x + 10.0f, pos.y + size.y + 2.0f),
          BufferFill(pg.hit ? BufferShown::kClean : BufferShown::kReading), 4.0f);
      ImGui::SetCursorScreenPos(ImVec2(pos.x + 5.0f, pos.y + 1.0f));
      ImGui::TextUnformatted(label);
    }
    ImGui::EndTable();
  }
  if (t.pages_dropped > 0) {
    ImGui::TextColored(kMutedText, "(%zu more pages read, not listed)", t.pages_dropped);
  }
}

void QueryPanel::Draw(const Model& model) {
  plan_nodes_drawn_ = plan_nodes_in_view_ = 0;
  std::string why;
  const Process* p = Choose(model, &why);
  view_state_.stopped_pid = p != nullptr && p->step.paused ? p->pid : 0;  // the Timeline puts its lane first
  if (!ImGui::Begin("Query")) {
    ImGui::End();
    return;
  }
  if (p == nullptr) {
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextColored(kMutedText,
                       "No backend has run a query yet. Once one does, its way through parse, "
                       "analyze, plan and execute shows here; click a backend to choose it.");
    ImGui::PopTextWrapPos();
    ImGui::End();
    return;
  }
  DrawHeader(*p, why);
  bool step_first = step_ != nullptr && step_->Stepping(*p);
  if (step_first) step_->Draw(model, *p);  // stepping: the controls and the live plan first
  // Its transaction: xid, snapshot, isolation, the locks it holds and waits for.
  if (!TransactionLine(model, p->pid).empty() || model.transactions().Backend(p->pid) != nullptr) {
    ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(ImGui::GetStyle().ItemSpacing.x, 1.0f));
    DrawTransactionDetails(model, p->pid, ImGui::GetFontSize() * 6.0f, /*wrap=*/true);
    ImGui::PopStyleVar();
  }
  const QueryTrace& t = p->query;
  if (t.phase == QueryPhase::kNone) {
    ImGui::TextColored(kMutedText, "no query yet");
    if (step_ != nullptr && !step_first) step_->Draw(model, *p);
    ImGui::End();
    return;
  }
  int64_t now = std::max(NowTs(model, view_state_), t.LastStepTs());

  ImGui::PushFont(fonts_.mono);
  ImGui::PushTextWrapPos(0.0f);
  // At most two lines of the statement (all of it in the tooltip): the
  // plan below needs the room.
  size_t per_line = static_cast<size_t>(
      std::max(20.0f, ImGui::GetContentRegionAvail().x / std::max(1.0f, ImGui::CalcTextSize("M").x)));
  size_t max_chars = 2 * per_line - 4;
  ImGui::TextUnformatted(t.text.empty() ? "(text not seen)" : Ellipsize(t.text, max_chars).c_str());
  ImGui::PopTextWrapPos();
  ImGui::PopFont();
  if (t.text.size() > max_chars && ImGui::IsItemHovered()) {
    ImGui::SetTooltip("%s", Ellipsize(t.text, 4000).c_str());
  }
  DrawPipeline(t, now);
  DrawOutcome(t, now);
  for (size_t i = 0; i < t.statements.size(); ++i) {
    ImGui::Separator();
    DrawStatement(t, i);
  }
  if (t.statements_dropped > 0) {
    ImGui::TextColored(kMutedText, "(%zu more statements not kept)", t.statements_dropped);
  }
  DrawPages(t);
  if (step_ != nullptr && !step_first) {
    ImGui::Separator();
    step_->Draw(model, *p);
  }
  ImGui::End();
}

}  // namespace minipg::viz::ui
