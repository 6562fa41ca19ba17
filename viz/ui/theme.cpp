/*-------------------------------------------------------------------------
 * theme.cpp
 *   Colours, labels, the legend and the ImGui style.
 *
 * NOTES
 *   State colours follow the intuition of pg_stat_activity users: green
 *   idle, blue active, amber "idle in transaction" (holding locks: a thing
 *   to notice), magenta for an aborted transaction, red for a crash only.
 *-------------------------------------------------------------------------
 */
#include "viz/ui/theme.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>

#include <fmt/format.h>

namespace minipg::viz::ui {
namespace {

struct StateStyle {
  ImU32 fill;
  ImU32 text;
  const char* label;
};

constexpr ImU32 kDarkText = IM_COL32(20, 24, 32, 255);
constexpr ImU32 kLightText = IM_COL32(255, 255, 255, 255);

constexpr std::array<StateStyle, static_cast<size_t>(DisplayState::kCount_)> kStyles = {{
    {IM_COL32(52, 84, 150, 255), kLightText, "postmaster"},
    {IM_COL32(38, 166, 154, 255), kLightText, "auxiliary"},
    {IM_COL32(176, 190, 197, 255), kDarkText, "process"},
    {IM_COL32(179, 205, 240, 255), kDarkText, "starting"},
    {IM_COL32(255, 213, 79, 255), kDarkText, "authenticating"},
    {IM_COL32(129, 199, 132, 255), kDarkText, "idle"},
    {IM_COL32(66, 153, 245, 255), kDarkText, "active"},
    {IM_COL32(121, 85, 72, 255), kLightText, "waiting"},
    {IM_COL32(255, 152, 0, 255), kDarkText, "idle in transaction"},
    {IM_COL32(236, 64, 160, 255), kLightText, "idle in transaction (aborted)"},
    {IM_COL32(149, 117, 205, 255), kLightText, "terminating"},
    {IM_COL32(200, 200, 200, 255), kDarkText, "unknown state"},
    {IM_COL32(225, 225, 225, 255), IM_COL32(120, 120, 120, 255), "exited"},
    {IM_COL32(211, 47, 47, 255), kLightText, "crashed"},
}};

constexpr DisplayState kLegendOrder[] = {
    DisplayState::kPostmaster,   DisplayState::kCollector,
    DisplayState::kStarting,     DisplayState::kAuthenticating,
    DisplayState::kIdle,       DisplayState::kActive,
    DisplayState::kWaiting,    DisplayState::kIdleInTransaction, DisplayState::kIdleInTransactionAborted,
    DisplayState::kTerminating,  DisplayState::kExited,
    DisplayState::kCrashed,
};
constexpr float kBadgePadX = 6.0f;
constexpr float kLegendSpacing = 6.0f;

}  // namespace

DisplayState DisplayStateOf(const Process& p) {
  if (p.exited) return p.crashed ? DisplayState::kCrashed : DisplayState::kExited;
  switch (p.role) {
    case ProcessRole::kPostmaster: return DisplayState::kPostmaster;
    case ProcessRole::kCollector:
    case ProcessRole::kCheckpointer:
    case ProcessRole::kBgWriter:
    case ProcessRole::kWalWriter:
    case ProcessRole::kStartup:
    case ProcessRole::kAutovacuumLauncher: return DisplayState::kCollector;
    case ProcessRole::kAutovacuumWorker: return DisplayState::kActive;  // it runs a VACUUM
    case ProcessRole::kOther: return DisplayState::kOtherProcess;
    case ProcessRole::kBackend: break;
  }
  if (!p.disconnect_reason.empty()) return DisplayState::kTerminating;
  switch (p.state) {
    case SessionState::kUnknown:
      return p.state_text.empty() ? DisplayState::kStarting : DisplayState::kUnknownState;
    case SessionState::kStarting: return DisplayState::kStarting;
    case SessionState::kAuthenticating: return DisplayState::kAuthenticating;
    case SessionState::kIdle: return DisplayState::kIdle;
    case SessionState::kActive:
      return p.waiting_for.empty() ? DisplayState::kActive : DisplayState::kWaiting;
    case SessionState::kIdleInTransaction: return DisplayState::kIdleInTransaction;
    case SessionState::kIdleInTransactionAborted: return DisplayState::kIdleInTransactionAborted;
    case SessionState::kTerminating: return DisplayState::kTerminating;
  }
  return DisplayState::kUnknownState;
}

ImU32 StateFill(DisplayState s) { return kStyles[static_cast<size_t>(s)].fill; }
ImU32 StateText(DisplayState s) { return kStyles[static_cast<size_t>(s)].text; }
std::string_view StateLabel(DisplayState s) { return kStyles[static_cast<size_t>(s)].label; }

std::string StateLine(const Process& p) {
  DisplayState s = DisplayStateOf(p);
  switch (s) {
    case DisplayState::kExited:
    case DisplayState::kCrashed:
      if (p.exit_signal) return fmt::format("killed by signal {}", *p.exit_signal);
      return fmt::format("exited (code {})", p.exit_code.value_or(0));
    case DisplayState::kTerminating:
      if (!p.disconnect_reason.empty()) return fmt::format("disconnected ({})", p.disconnect_reason);
      return "terminating";
    case DisplayState::kUnknownState:
      return p.state_text;
    case DisplayState::kPostmaster:
    case DisplayState::kCollector:
    case DisplayState::kOtherProcess:
      return "running";
    default:
      return std::string(StateLabel(s));
  }
}

std::string ShortStateLine(const Process& p) {
  switch (DisplayStateOf(p)) {
    case DisplayState::kIdleInTransaction: return "idle in txn";
    case DisplayState::kIdleInTransactionAborted: return "idle in txn (aborted)";
    default: return StateLine(p);
  }
}

ImU32 SpanFill(const Span& s) {
  constexpr ImU32 kRed = IM_COL32(211, 47, 47, 255);
  switch (s.kind) {
    case SpanKind::kLife:
      // The lane's background: pale, so the spans inside it stand out.
      return s.failed ? IM_COL32(244, 199, 199, 255) : IM_COL32(214, 224, 238, 255);
    case SpanKind::kAuthentication:
      return s.failed ? kRed : StateFill(DisplayState::kAuthenticating);
    case SpanKind::kQuery:
      return s.failed ? kRed : StateFill(DisplayState::kActive);
    case SpanKind::kParse: return IM_COL32(128, 203, 196, 255);    // pale teal
    case SpanKind::kAnalyze: return IM_COL32(186, 104, 200, 255);  // purple
    case SpanKind::kPlan: return IM_COL32(255, 167, 38, 255);      // orange
    case SpanKind::kExecute: return IM_COL32(30, 90, 200, 255);    // deep blue
    case SpanKind::kFork: return StateFill(DisplayState::kPostmaster);
    case SpanKind::kPhase:
      return s.name.find("crash") != std::string::npos ? IM_COL32(239, 83, 80, 255)
                                                       : StateFill(DisplayState::kTerminating);
    case SpanKind::kCheckpoint: return StateFill(DisplayState::kCollector);
    case SpanKind::kScenario: return IM_COL32(232, 222, 205, 255);
    case SpanKind::kCaption: return IM_COL32(255, 236, 179, 255);
    case SpanKind::kClientConnection: return IM_COL32(228, 216, 240, 255);
    case SpanKind::kClientConnect:
      return s.failed ? kRed : StateFill(DisplayState::kAuthenticating);
    case SpanKind::kClientQuery: return s.failed ? kRed : IM_COL32(126, 87, 194, 255);
    case SpanKind::kLockWait: return StateFill(DisplayState::kWaiting);
    case SpanKind::kRecovery: return IM_COL32(110, 60, 180, 255);  // violet, as the WAL's redo point
    case SpanKind::kStepPause: return IM_COL32(255, 200, 120, 255);  // the Query view's stopped orange
    case SpanKind::kOther:
    case SpanKind::kAnchor: break;
  }
  return StateFill(DisplayState::kOtherProcess);
}

ImU32 SpanText(const Span& s) {
  constexpr ImU32 kDark = IM_COL32(20, 24, 32, 255);
  constexpr ImU32 kWhite = IM_COL32(255, 255, 255, 255);
  if (s.failed && s.kind != SpanKind::kLife) return kWhite;
  switch (s.kind) {
    case SpanKind::kAnalyze:
    case SpanKind::kExecute:
    case SpanKind::kFork:
    case SpanKind::kPhase:
    case SpanKind::kCheckpoint:
    case SpanKind::kClientQuery:
    case SpanKind::kLockWait:
    case SpanKind::kRecovery:
      return kWhite;
    default:
      return kDark;
  }
}

ImU32 FlowColor(FlowKind kind) {
  switch (kind) {
    case FlowKind::kFork: return IM_COL32(0, 105, 92, 255);     // dark teal: lifecycle
    case FlowKind::kCancel: return IM_COL32(230, 110, 0, 255);  // orange
    case FlowKind::kSignal: return IM_COL32(121, 85, 72, 255);  // brown
    case FlowKind::kCrash: return IM_COL32(198, 40, 40, 255);   // red
    case FlowKind::kClient: return IM_COL32(106, 27, 154, 255); // purple: a client
    case FlowKind::kQuery: return IM_COL32(21, 101, 192, 255);  // blue: a query
  }
  return IM_COL32(60, 60, 60, 255);
}

ImU32 InstantColor(InstantKind kind) {
  switch (kind) {
    case InstantKind::kCaption: return IM_COL32(141, 110, 20, 255);
    case InstantKind::kExpectOk: return IM_COL32(46, 125, 50, 255);
    case InstantKind::kScenarioEnd: return IM_COL32(46, 125, 50, 255);
    case InstantKind::kShutdown: return IM_COL32(52, 84, 150, 255);
    case InstantKind::kDropped: return IM_COL32(90, 90, 90, 255);
    case InstantKind::kExpectFailed:
    case InstantKind::kError:
    case InstantKind::kAuthFailed:
    case InstantKind::kRejected:
    case InstantKind::kCrash:
      return IM_COL32(198, 40, 40, 255);
  }
  return IM_COL32(60, 60, 60, 255);
}

ImVec4 EventTypeColor(size_t type_slot) {
  if (type_slot >= kUnknownTypeSlot) return ImVec4(0.75f, 0.10f, 0.10f, 1.0f);
  if (trace::IsStorageEvent(static_cast<EventType>(type_slot))) {
    return ImVec4(0.38f, 0.24f, 0.60f, 1.0f);  // shared memory and storage: violet, as its box
  }
  switch (static_cast<EventType>(type_slot)) {
    case EventType::kHello:
    case EventType::kProcess:
    case EventType::kPostmasterStart:
    case EventType::kListen:
    case EventType::kShutdownRequest:
    case EventType::kPostmasterExit:
    case EventType::kPostmasterState:
    case EventType::kHbaReload:
    case EventType::kCheckpointStart:
    case EventType::kCheckpointDone:
      return ImVec4(0.20f, 0.33f, 0.59f, 1.0f);  // the server itself: dark blue
    case EventType::kAccept:
    case EventType::kFork:
    case EventType::kChildExit:
      return ImVec4(0.10f, 0.45f, 0.55f, 1.0f);  // process lifecycle: teal
    case EventType::kSslRequest:
    case EventType::kStartup:
    case EventType::kAuthOk:
    case EventType::kAuthRequest:
    case EventType::kDisconnect:
    case EventType::kCancelRequest:
    case EventType::kSignal:
      return ImVec4(0.55f, 0.40f, 0.00f, 1.0f);  // connection: amber-brown
    case EventType::kState:
    case EventType::kReady:
      return ImVec4(0.20f, 0.50f, 0.20f, 1.0f);  // session state: green
    case EventType::kLockWait:
    case EventType::kLockAcquired:
    case EventType::kLockGranted:
    case EventType::kLocksReleased:
      return ImVec4(0.47f, 0.33f, 0.28f, 1.0f);  // locks: brown, as the waiting state
    case EventType::kDeadlock:
      return ImVec4(0.90f, 0.32f, 0.00f, 1.0f);  // a deadlock: the warning orange of its cycle
    case EventType::kXidAssigned:
    case EventType::kXactEnd:
    case EventType::kSubxact:
    case EventType::kSnapshot:
      return ImVec4(0.05f, 0.45f, 0.40f, 1.0f);  // transactions and snapshots: dark cyan
    case EventType::kVacuumStart:
    case EventType::kVacuumProgress:
    case EventType::kVacuumDone:
      return ImVec4(0.10f, 0.45f, 0.55f, 1.0f);  // vacuum: teal, as process lifecycle
    case EventType::kQueryStart:
    case EventType::kParse:
    case EventType::kAnalyze:
    case EventType::kPlan:
    case EventType::kExecute:
    case EventType::kQueryDone:
    case EventType::kCopyStart:
    case EventType::kCopyDone:
    case EventType::kPrepare:
    case EventType::kBind:
    case EventType::kPortalSuspended:
    case EventType::kClose:
      return ImVec4(0.12f, 0.40f, 0.85f, 1.0f);  // a query's stages: blue
    case EventType::kError:
    case EventType::kRejected:
    case EventType::kDropped:
    case EventType::kCrash:
    case EventType::kAuthFailed:
      return ImVec4(0.80f, 0.10f, 0.10f, 1.0f);  // trouble: red
    case EventType::kScenarioStart:
    case EventType::kScenarioEnd:
    case EventType::kCaption:
    case EventType::kExpect:
    case EventType::kSync:
    case EventType::kCaptionSnapshot:
      return ImVec4(0.50f, 0.35f, 0.05f, 1.0f);  // the lesson being played: brown
    case EventType::kClientConnect:
    case EventType::kClientConnected:
    case EventType::kClientQuery:
    case EventType::kClientResult:
    case EventType::kClientError:
    case EventType::kClientDisconnect:
      return ImVec4(0.45f, 0.25f, 0.60f, 1.0f);  // a simulated client: purple
    case EventType::kCount_:
    default:  // the storage types, above
      break;
  }
  return ImVec4(0.3f, 0.3f, 0.3f, 1.0f);
}

int64_t NowTs(const Model& model, const ViewState& view) {
  int64_t newest = std::max(model.last_ts(), view.cursor_ts);
  const ServerInfo& s = model.server();
  if (!view.live || s.wall_us == 0) return newest;
  constexpr int64_t kLiveClockSlack = 30LL * 1000000;
  int64_t wall_now = std::chrono::duration_cast<std::chrono::microseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  int64_t estimate = s.hello_ts + (wall_now - s.wall_us);
  return estimate > newest && estimate - newest < kLiveClockSlack ? estimate : newest;
}

ImU32 BufferFill(BufferShown s) {
  switch (s) {
    case BufferShown::kFree: return IM_COL32(228, 228, 234, 255);     // empty: pale grey
    case BufferShown::kClean: return IM_COL32(150, 205, 240, 255);    // as on disk: pale blue
    case BufferShown::kDirty: return IM_COL32(245, 170, 50, 255);     // changed: amber
    case BufferShown::kPinned: return IM_COL32(30, 100, 215, 255);    // in use: strong blue
    case BufferShown::kReading: return IM_COL32(40, 175, 90, 255);    // coming in from disk: green
    case BufferShown::kWriting: return IM_COL32(215, 40, 120, 255);   // going out to disk: magenta
  }
  return IM_COL32(128, 128, 128, 255);
}

void StateBadge(DisplayState s, std::string_view text) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  ImVec2 pos = ImGui::GetCursorScreenPos();
  ImVec2 size = ImGui::CalcTextSize(text.data(), text.data() + text.size());
  const float pad_x = kBadgePadX, pad_y = 1.0f;
  ImVec2 end(pos.x + size.x + 2 * pad_x, pos.y + size.y + 2 * pad_y);
  dl->AddRectFilled(pos, end, StateFill(s), 4.0f);
  dl->AddText(ImVec2(pos.x + pad_x, pos.y + pad_y), StateText(s), text.data(),
              text.data() + text.size());
  ImGui::Dummy(ImVec2(end.x - pos.x, end.y - pos.y));
}

float LegendWidth() {
  float w = 0.0f;
  for (DisplayState s : kLegendOrder) {
    std::string_view label = StateLabel(s);
    w += ImGui::CalcTextSize(label.data(), label.data() + label.size()).x + 2 * kBadgePadX +
         kLegendSpacing;
  }
  return w - kLegendSpacing;
}

int LegendLineCount(float avail_width) {
  int lines = 1;
  float x = 0.0f;
  bool first = true;
  for (DisplayState s : kLegendOrder) {
    std::string_view label = StateLabel(s);
    float w = ImGui::CalcTextSize(label.data(), label.data() + label.size()).x + 2 * kBadgePadX;
    if (!first) {
      x += kLegendSpacing;
      if (x + w > avail_width) {
        ++lines;
        x = 0.0f;
      }
    }
    first = false;
    x += w;
  }
  return lines;
}

void DrawLegend() {
  float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  bool first = true;
  for (DisplayState s : kLegendOrder) {
    std::string_view label = StateLabel(s);
    float w = ImGui::CalcTextSize(label.data(), label.data() + label.size()).x + 2 * kBadgePadX;
    if (!first) {
      ImGui::SameLine(0.0f, kLegendSpacing);
      if (ImGui::GetCursorScreenPos().x + w > right) ImGui::NewLine();
    }
    first = false;
    StateBadge(s, label);
  }
}

void ClippedText(ImDrawList* dl, const ImFont* font, float size, ImVec2 pos, ImU32 col, std::string_view text,
                 ImVec2 clip_min, ImVec2 clip_max) {
  if (text.empty()) return;  // AddText would take a null end for "up to the NUL"
  ImVec4 clip(clip_min.x, clip_min.y, clip_max.x, clip_max.y);
  dl->AddText(font, size, pos, col, text.data(), text.data() + text.size(), 0.0f, &clip);
}

void DashedLine(ImDrawList* dl, ImVec2 a, ImVec2 b, ImU32 col, float thickness, float dash) {
  float dx = b.x - a.x, dy = b.y - a.y;
  float len = std::sqrt(dx * dx + dy * dy);
  if (len <= 0.0f) return;
  float ux = dx / len, uy = dy / len;
  for (float t = 0.0f; t < len; t += dash * 2.0f) {
    float e = std::min(t + dash, len);
    dl->AddLine(ImVec2(a.x + ux * t, a.y + uy * t), ImVec2(a.x + ux * e, a.y + uy * e), col,
                thickness);
  }
}

void ApplyStyle() {
  ImGui::StyleColorsLight();
  ImGuiStyle& style = ImGui::GetStyle();
  style.WindowRounding = 6.0f;
  style.FrameRounding = 4.0f;
  style.ChildRounding = 4.0f;
  style.WindowPadding = ImVec2(10, 8);
  style.FramePadding = ImVec2(8, 4);
  style.ItemSpacing = ImVec2(8, 6);
  style.CellPadding = ImVec2(6, 3);
  style.WindowBorderSize = 1.0f;
  ImVec4* c = style.Colors;
  c[ImGuiCol_WindowBg] = ImVec4(0.97f, 0.97f, 0.98f, 1.0f);
  c[ImGuiCol_ChildBg] = ImVec4(1.0f, 1.0f, 1.0f, 1.0f);
  c[ImGuiCol_TitleBg] = ImVec4(0.80f, 0.85f, 0.92f, 1.0f);
  c[ImGuiCol_TitleBgActive] = ImVec4(0.62f, 0.73f, 0.88f, 1.0f);
  c[ImGuiCol_TitleBgCollapsed] = ImVec4(0.80f, 0.85f, 0.92f, 1.0f);
  c[ImGuiCol_Text] = ImVec4(0.08f, 0.09f, 0.12f, 1.0f);
  c[ImGuiCol_TableRowBgAlt] = ImVec4(0.92f, 0.94f, 0.97f, 1.0f);
}

std::string Ellipsize(std::string_view text, size_t max_chars) {
  std::string s(text.substr(0, std::min(text.size(), max_chars + 1)));
  std::replace(s.begin(), s.end(), '\n', ' ');
  if (s.size() > max_chars) {
    s.resize(max_chars > 3 ? max_chars - 3 : 0);
    s += "...";
  }
  return s;
}

std::string FitMiddle(std::string_view text, float width) {
  if (ImGui::CalcTextSize(text.data(), text.data() + text.size()).x <= width) return std::string(text);
  for (size_t n = text.size(); n > 5; --n) {
    std::string s = EllipsizeMiddle(text, n);
    if (ImGui::CalcTextSize(s.c_str()).x <= width) return s;
  }
  return EllipsizeMiddle(text, 5);
}

std::string FormatRelTs(int64_t ts, int64_t first_ts) {
  int64_t d = ts - first_ts;
  const char* sign = d < 0 ? "-" : "";
  if (d < 0) d = -d;
  return fmt::format("{}{}.{:06}", sign, d / 1000000, d % 1000000);
}

}  // namespace minipg::viz::ui
