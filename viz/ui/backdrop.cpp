/*-------------------------------------------------------------------------
 * backdrop.cpp
 *   See backdrop.h. Overlap is judged on last frame's window rectangles
 *   (imgui_internal.h): popups and tooltips are left out, as they are
 *   always drawn on top with their own background.
 *-------------------------------------------------------------------------
 */
#include "viz/ui/backdrop.h"

#include <imgui.h>
#include <imgui_internal.h>

namespace minipg::viz::ui {

namespace {

/* Two rectangles share more than a border line. */
bool Overlap(const ImRect& a, const ImRect& b) {
  constexpr float kSlack = 1.0f;
  return a.Min.x + kSlack < b.Max.x && b.Min.x + kSlack < a.Max.x && a.Min.y + kSlack < b.Max.y &&
         b.Min.y + kSlack < a.Max.y;
}

bool OverlapsAnother(const char* name) {
  ImGuiWindow* self = ImGui::FindWindowByName(name);
  if (self == nullptr || !self->WasActive) return true;  // not drawn yet: be safe
  ImRect mine = self->Rect();
  for (ImGuiWindow* w : GImGui->Windows) {
    if (w == self || !w->WasActive || w->Hidden) continue;
    if ((w->Flags & (ImGuiWindowFlags_ChildWindow | ImGuiWindowFlags_Popup |
                     ImGuiWindowFlags_Tooltip)) != 0) {
      continue;
    }
    if (Overlap(mine, w->Rect())) return true;
  }
  return false;
}

}  // namespace

void BackdropColor(float rgba[4]) {
  const ImVec4& c = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
  rgba[0] = c.x;
  rgba[1] = c.y;
  rgba[2] = c.z;
  rgba[3] = 1.0f;
}

SeeThroughPanel::SeeThroughPanel(const char* window_name) {
  if (OverlapsAnother(window_name)) return;
  ImGui::PushStyleColor(ImGuiCol_WindowBg, ImVec4(0, 0, 0, 0));
  ImGui::PushStyleColor(ImGuiCol_ChildBg, ImVec4(0, 0, 0, 0));
  pushed_ = true;
}

SeeThroughPanel::~SeeThroughPanel() {
  if (pushed_) ImGui::PopStyleColor(2);
}

}  // namespace minipg::viz::ui
