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

std::vector<BackdropRect>& Rects() {
  static std::vector<BackdropRect> rects;
  return rects;
}

}  // namespace

void BackdropColor(float rgba[4]) {
  const ImVec4& c = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
  rgba[0] = c.x;
  rgba[1] = c.y;
  rgba[2] = c.z;
  rgba[3] = 1.0f;
}

const std::vector<BackdropRect>& BackdropRects() { return Rects(); }

void ClearBackdropRects() { Rects().clear(); }

SeeThroughPanel::SeeThroughPanel(const char* window_name)
    : SeeThroughPanel(window_name, ImGui::GetStyle().Colors[ImGuiCol_WindowBg]) {}

SeeThroughPanel::SeeThroughPanel(const char* window_name, const ImVec4& background)
    : name_(window_name), background_(background) {
  const ImVec4& backdrop = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
  own_colour_ = background.x != backdrop.x || background.y != backdrop.y || background.z != backdrop.z;
  see_through_ = !OverlapsAnother(window_name);
  ImVec4 none(0, 0, 0, 0);
  ImGui::PushStyleColor(ImGuiCol_WindowBg, see_through_ ? none : background);
  ImGui::PushStyleColor(ImGuiCol_ChildBg, see_through_ ? none : ImGui::GetStyle().Colors[ImGuiCol_ChildBg]);
}

SeeThroughPanel::~SeeThroughPanel() {
  ImGui::PopStyleColor(2);
  if (!see_through_ || !own_colour_) return;
  // The window has been drawn: its rectangle is this frame's.
  if (ImGuiWindow* w = ImGui::FindWindowByName(name_)) {
    Rects().push_back({w->Pos, ImVec2(w->Pos.x + w->Size.x, w->Pos.y + w->Size.y), background_});
  }
}

}  // namespace minipg::viz::ui
