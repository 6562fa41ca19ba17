/*-------------------------------------------------------------------------
 * narration_panel.cpp
 *   Drawing the caption strip (see narration_panel.h).
 *-------------------------------------------------------------------------
 */
#include "viz/ui/narration_panel.h"

#include <fmt/format.h>

namespace minipg::viz::ui {

float NarrationPanel::Height(const Model& model, float) const {
  if (!model.narration().active) return 0.0f;
  // A fixed height, so the panels below do not move from caption to
  // caption: two lines of the large font, then the tally.
  ImFont* font = fonts_.title != nullptr ? fonts_.title : ImGui::GetFont();
  return 2.0f * font->FontSize + ImGui::GetTextLineHeightWithSpacing() +
         2.0f * ImGui::GetStyle().WindowPadding.y + 10.0f;
}

void NarrationPanel::Draw(const Model& model) {
  const Narration& n = model.narration();
  // A lesson's first caption appearing takes no focus: it would take the
  // keyboard from a console and close an open confirmation.
  ImGuiWindowFlags flags = ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoResize |
                           ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoCollapse |
                           ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoSavedSettings |
                           ImGuiWindowFlags_NoFocusOnAppearing;
  ImGui::PushStyleColor(ImGuiCol_WindowBg, ImVec4(1.0f, 0.97f, 0.86f, 1.0f));
  if (ImGui::Begin("##narration", nullptr, flags)) {
    ImGui::PushFont(fonts_.title);
    ImGui::PushTextWrapPos(0.0f);
    if (n.caption.empty()) {
      ImGui::TextColored(ImVec4(0.35f, 0.30f, 0.10f, 1.0f), "%s", n.goal.c_str());
    } else {
      ImGui::TextColored(ImVec4(0.35f, 0.30f, 0.10f, 1.0f), "%lld. %s",
                         static_cast<long long>(n.step), n.caption.c_str());
    }
    ImGui::PopTextWrapPos();
    ImGui::PopFont();
    ImGui::TextDisabled("lesson: %s", n.title.c_str());
    ImGui::SameLine(0.0f, 24.0f);
    ImGui::TextColored(ImVec4(0.15f, 0.55f, 0.20f, 1.0f), "%lld expectations held",
                       static_cast<long long>(n.expects_ok));
    if (n.expects_failed > 0) {
      ImGui::SameLine(0.0f, 16.0f);
      ImGui::TextColored(ImVec4(0.80f, 0.10f, 0.10f, 1.0f), "%lld failed (%s)",
                         static_cast<long long>(n.expects_failed), n.last_failure.c_str());
    }
    if (n.stopped) {
      ImGui::SameLine(0.0f, 16.0f);
      ImGui::TextColored(ImVec4(0.80f, 0.10f, 0.10f, 1.0f),
                         "- lesson stopped here: its runner (minipg-sim) went away");
    } else if (n.passed) {
      ImGui::SameLine(0.0f, 16.0f);
      ImGui::TextUnformatted(*n.passed ? "- lesson passed" : "- lesson FAILED");
    }
  }
  ImGui::End();
  ImGui::PopStyleColor();
}

}  // namespace minipg::viz::ui
