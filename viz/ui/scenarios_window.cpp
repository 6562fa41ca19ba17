/*-------------------------------------------------------------------------
 * scenarios_window.cpp
 *   The list of lessons (see scenarios_window.h).
 *-------------------------------------------------------------------------
 */
#include "viz/ui/scenarios_window.h"

#include <imgui.h>

#include <algorithm>
#include <filesystem>

namespace minipg::viz::ui {

std::string ScenariosWindow::Draw() {
  if (!open_) return "";
  std::string chosen;
  ImGui::SetNextWindowSize(ImVec2(720.0f, 560.0f), ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowPos(ImVec2(120.0f, 110.0f), ImGuiCond_FirstUseEver);
  if (ImGui::Begin("Scenarios", &open_)) {
    ImGui::TextWrapped(
        "Each lesson runs on a server of its own, made as the lesson's setup asks (its settings "
        "and pg_hba.conf); minipg-sim plays it and the window follows, with its narration. The "
        "server the window watched before is left as it was.");
    if (!error_.empty()) ImGui::TextColored(ImVec4(0.8f, 0.1f, 0.1f, 1.0f), "%s", error_.c_str());
    if (entries_.empty()) ImGui::TextDisabled("no scenarios found (the scenarios/ folder of the source tree)");
    ImGui::TextDisabled("Your own lessons: minipg-viz --lessons DIR (remembered for the next start).");
    ImGui::Separator();
    for (size_t i = 0; i < entries_.size(); ++i) {
      const ScenarioEntry& e = entries_[i];
      if (!e.folder.empty() && (i == 0 || entries_[i - 1].folder != e.folder)) {
        ImGui::TextDisabled("Your lessons, in %s", e.folder.c_str());  // --lessons DIR
        ImGui::Separator();
      }
      ImGui::PushID(static_cast<int>(i));
      ImGui::PushFont(fonts_.bold);
      ImGui::TextUnformatted(e.title.c_str());
      ImGui::PopFont();
      ImGui::SameLine();
      ImGui::TextDisabled("%s", std::filesystem::path(e.path).filename().c_str());
      ImGui::SameLine();
      if (!running_.empty() && running_ == e.title) {
        ImGui::TextColored(ImVec4(0.15f, 0.55f, 0.20f, 1.0f), "(playing)");
        ImGui::SameLine();
      }
      float run_w = ImGui::CalcTextSize("run").x + ImGui::GetStyle().FramePadding.x * 2;
      ImGui::SameLine(std::max(ImGui::GetCursorPosX(), ImGui::GetWindowContentRegionMax().x - run_w));
      if (ImGui::SmallButton("run")) chosen = e.path;
      ImGui::PushTextWrapPos(0.0f);
      ImGui::TextUnformatted(e.goal.c_str());
      ImGui::PopTextWrapPos();
      ImGui::Separator();
      ImGui::PopID();
    }
  }
  ImGui::End();
  return chosen;
}

}  // namespace minipg::viz::ui
