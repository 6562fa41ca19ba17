/*-------------------------------------------------------------------------
 * playback_bar.cpp
 *   Drawing the playback strip and acting on it (see playback_bar.h).
 *-------------------------------------------------------------------------
 */
#include "viz/ui/playback_bar.h"

#include <imgui.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>

#include <fmt/format.h>

#include "viz/ui/backdrop.h"

namespace minipg::viz::ui {
namespace {

constexpr std::array<double, 7> kSpeeds = {0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0};
const ImVec4 kLiveColour(0.15f, 0.60f, 0.20f, 1.0f);
const ImVec4 kReplayColour(0.85f, 0.50f, 0.00f, 1.0f);

std::string SpeedLabel(double s) {
  return s < 1.0 ? fmt::format("{:g}x", s) : fmt::format("{:.0f}x", s);
}

std::string Seconds(int64_t us) { return fmt::format("{:.3f} s", static_cast<double>(us) / 1e6); }

/* A button that looks pressed while `on`. */
bool ToggleButton(const char* label, bool on, ImVec4 colour) {
  if (on) {
    ImGui::PushStyleColor(ImGuiCol_Button, colour);
    ImGui::PushStyleColor(ImGuiCol_ButtonHovered, colour);
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 1, 1, 1));
  }
  bool clicked = ImGui::Button(label);
  if (on) ImGui::PopStyleColor(3);
  return clicked;
}

}  // namespace

PlaybackBar::PlaybackBar(const Fonts& fonts) : fonts_(fonts) {}

float PlaybackBar::Height() const {
  const ImGuiStyle& style = ImGui::GetStyle();
  return ImGui::GetFrameHeight() + style.WindowPadding.y * 2 + 2.0f;
}

void PlaybackBar::Draw(Playback& pb) {
  ImGuiWindowFlags flags = ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoResize |
                           ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoCollapse |
                           ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoSavedSettings;
  // Its own colour, cleared to rather than filled (see backdrop.h).
  SeeThroughPanel see_through("##playback", ImVec4(0.95f, 0.96f, 0.98f, 1.0f));
  if (ImGui::Begin("##playback", nullptr, flags)) {
    HandleKeys(pb);
    bool usable = pb.error().empty();
    if (!usable) ImGui::BeginDisabled();

    // Following a stream that still arrives is "live"; a file (or a stream
    // that ended) can only be followed to its end.
    const char* follow = pb.source_live() ? (pb.live() ? "LIVE" : "go live") : (pb.live() ? "END" : "go to end");
    if (ToggleButton(follow, pb.live(), kLiveColour)) pb.GoLive();
    if (ImGui::IsItemHovered()) {
      ImGui::SetTooltip(pb.source_live() ? "follow the stream as it arrives (End)"
                                         : "show the end of the record (End)");
    }
    ImGui::SameLine();
    bool playing = pb.mode() == PlaybackMode::kPlaying;
    if (ImGui::Button(pb.mode() == PlaybackMode::kPaused ? "play" : "pause")) {
      if (pb.mode() == PlaybackMode::kPaused) {
        pb.Play();
      } else {
        pb.Pause();
      }
    }
    if (ImGui::IsItemHovered()) {
      ImGui::SetTooltip(pb.mode() == PlaybackMode::kPaused
                            ? "replay from here at the chosen speed (space)"
                            : "freeze the picture; events keep being recorded (space)");
    }
    ImGui::SameLine();
    if (ImGui::ArrowButton("##back", ImGuiDir_Left)) pb.StepBack();
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("one event back (left arrow)");
    ImGui::SameLine();
    if (ImGui::ArrowButton("##fwd", ImGuiDir_Right)) pb.StepForward();
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("one event forward (right arrow)");

    ImGui::SameLine(0.0f, 16.0f);
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted("speed");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::CalcTextSize("0.25x").x + ImGui::GetFrameHeight() + 12.0f);
    if (ImGui::BeginCombo("##speed", SpeedLabel(pb.speed()).c_str())) {
      for (double s : kSpeeds) {
        if (ImGui::Selectable(SpeedLabel(s).c_str(), s == pb.speed())) pb.SetSpeed(s);
      }
      ImGui::EndCombo();
    }

    // The slider over everything received, then where it stands.
    const Model& live = pb.live_model();
    // Before the first timed event (only hello/process lines) there is no time yet.
    int64_t first = live.first_ts();
    int64_t at = std::max(first, pb.position_ts());
    int64_t end = std::max(first, live.last_ts());
    std::string where = fmt::format("{} / {}   event {}/{}", Seconds(at - first), Seconds(end - first),
                                    pb.position(), pb.size());
    float save_w = ImGui::CalcTextSize("save trace").x + ImGui::GetStyle().FramePadding.x * 2;
    float where_w = ImGui::CalcTextSize(where.c_str()).x;
    ImGui::SameLine(0.0f, 16.0f);
    float slider_w = ImGui::GetContentRegionAvail().x - where_w - save_w - 48.0f;
    ImGui::SetNextItemWidth(std::max(80.0f, slider_w));
    uint64_t pos = pb.position();
    uint64_t lo = 0, hi = std::max<uint64_t>(1, pb.size());
    if (ImGui::SliderScalar("##position", ImGuiDataType_U64, &pos, &lo, &hi, "")) {
      pb.SeekLine(static_cast<size_t>(pos));
    }
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("drag to any moment of what was received");
    ImGui::SameLine();
    ImGui::TextColored(pb.live() ? kLiveColour : (playing ? kReplayColour : ImVec4(0.3f, 0.3f, 0.3f, 1)),
                       "%s", where.c_str());
    if (!usable) ImGui::EndDisabled();
    if (!usable && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
      ImGui::SetTooltip("playback is off: %s", pb.error().c_str());
    }

    ImGui::SameLine(std::max(ImGui::GetCursorPosX() + 8.0f, ImGui::GetWindowContentRegionMax().x - save_w));
    if (ImGui::Button("save trace")) {
      std::time_t now = std::time(nullptr);
      char stamp[32] = {};
      std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
      std::snprintf(save_path_, sizeof save_path_, "minipg-trace-%s.jsonl", stamp);
      save_result_.clear();
      ImGui::OpenPopup("save trace");
    }
    if (ImGui::IsItemHovered()) {
      ImGui::SetTooltip("write everything received as a trace (replay it with minipg-viz --open)");
    }
    SavePopup(pb);
  }
  ImGui::End();
}

void PlaybackBar::HandleKeys(Playback& pb) {
  ImGuiIO& io = ImGui::GetIO();
  if (io.WantTextInput || ImGui::IsPopupOpen("", ImGuiPopupFlags_AnyPopup)) return;
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Space), false)) {
    if (pb.mode() == PlaybackMode::kPaused) {
      pb.Play();
    } else {
      pb.Pause();
    }
  }
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_LeftArrow))) pb.StepBack();
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_RightArrow))) pb.StepForward();
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_End), false)) pb.GoLive();
}

void PlaybackBar::SavePopup(Playback& pb) {
  if (!ImGui::BeginPopup("save trace")) return;
  ImGui::TextUnformatted("Save everything received so far as a trace file:");
  ImGui::SetNextItemWidth(460.0f);
  bool enter = ImGui::InputText("##path", save_path_, sizeof save_path_,
                                ImGuiInputTextFlags_EnterReturnsTrue);
  ImGui::SameLine();
  if (ImGui::Button("save") || enter) {
    std::string err = pb.SaveTrace(save_path_);
    save_failed_ = !err.empty();
    save_result_ = save_failed_ ? err
                                : fmt::format("wrote {} events to {}; replay with minipg-viz --open {}",
                                              pb.size(), save_path_, save_path_);
    std::fprintf(save_failed_ ? stderr : stdout, "minipg-viz: %s\n", save_result_.c_str());
  }
  if (!save_result_.empty()) {
    ImGui::TextColored(save_failed_ ? ImVec4(0.8f, 0.1f, 0.1f, 1) : kLiveColour, "%s",
                       save_result_.c_str());
  }
  ImGui::EndPopup();
}

}  // namespace minipg::viz::ui
