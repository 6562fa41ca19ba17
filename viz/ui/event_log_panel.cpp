/*-------------------------------------------------------------------------
 * event_log_panel.cpp
 *   Drawing the event log with a table and a list clipper, so that only
 *   the visible rows of a 10,000-entry log cost anything.
 *-------------------------------------------------------------------------
 */
#include "viz/ui/event_log_panel.h"

#include <algorithm>
#include <string>

namespace minipg::viz::ui {

EventLogPanel::EventLogPanel(const Fonts& fonts) : fonts_(fonts) { show_type_.fill(true); }

bool EventLogPanel::Passes(const LogEntry& e) const {
  if (!show_type_[e.type_slot]) return false;
  if (!text_filter_.IsActive()) return true;
  std::string line = std::to_string(e.pid) + " " + e.type_name + " " + e.text();
  return text_filter_.PassFilter(line.c_str());
}

void EventLogPanel::DrawTypeFilter(const Model& model) {
  if (ImGui::Button("Types...")) ImGui::OpenPopup("type_filter");
  if (ImGui::BeginPopup("type_filter")) {
    if (ImGui::Button("all")) show_type_.fill(true);
    ImGui::SameLine();
    if (ImGui::Button("none")) show_type_.fill(false);
    ImGui::SameLine();
    if (ImGui::Button("no query stages")) {
      for (EventType t : {EventType::kParse, EventType::kAnalyze, EventType::kPlan,
                          EventType::kExecute}) {
        show_type_[static_cast<size_t>(t)] = false;
      }
    }
    ImGui::SameLine();
    if (ImGui::Button("no page reads")) {
      // The busiest types of a running server: every page asked of the buffer pool.
      for (EventType t : {EventType::kBufferRead, EventType::kBufferDirty}) {
        show_type_[static_cast<size_t>(t)] = false;
      }
    }
    ImGui::Separator();
    ImGui::Columns(3, nullptr, false);
    for (size_t slot = 0; slot < kEventTypeSlots; ++slot) {
      std::string label = std::string(TypeSlotName(slot)) + " (" +
                          std::to_string(model.EventsOfType(slot)) + ")";
      ImGui::PushStyleColor(ImGuiCol_Text, EventTypeColor(slot));
      ImGui::Checkbox(label.c_str(), &show_type_[slot]);
      ImGui::PopStyleColor();
      ImGui::NextColumn();
    }
    ImGui::Columns(1);
    ImGui::EndPopup();
  }
}

void EventLogPanel::Draw(const Model& model) {
  if (!ImGui::Begin("Event log")) {
    ImGui::End();
    return;
  }
  DrawTypeFilter(model);
  ImGui::SameLine();
  text_filter_.Draw("filter (pid, type, text; -exclude)", ImGui::GetFontSize() * 16.0f);
  ImGui::SameLine();
  ImGui::Checkbox("auto-scroll", &auto_scroll_);
  ImGui::SameLine();
  const auto& log = model.log();
  bool filtered = text_filter_.IsActive() ||
                  std::find(show_type_.begin(), show_type_.end(), false) != show_type_.end();
  visible_.clear();
  for (int i = 0; i < static_cast<int>(log.size()); ++i) {
    if (!filtered || Passes(log[i])) visible_.push_back(i);
  }
  ImGui::TextDisabled("%zu of %zu shown", visible_.size(), log.size());
  if (model.log_discarded() > 0) {
    ImGui::SameLine();
    ImGui::TextDisabled("(%llu older events no longer kept)",
                        static_cast<unsigned long long>(model.log_discarded()));
  }

  ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY |
                          ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_Resizable |
                          ImGuiTableFlags_SizingFixedFit;
  ImGui::PushFont(fonts_.mono);
  if (ImGui::BeginTable("log", 4, flags)) {
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("time (s)", ImGuiTableColumnFlags_WidthFixed,
                            ImGui::CalcTextSize("000.000000").x);
    ImGui::TableSetupColumn("pid", ImGuiTableColumnFlags_WidthFixed,
                            ImGui::CalcTextSize("0000000").x);
    ImGui::TableSetupColumn("type", ImGuiTableColumnFlags_WidthFixed,
                            ImGui::CalcTextSize("postmaster_start").x);
    ImGui::TableSetupColumn("fields", ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableHeadersRow();

    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(visible_.size()));
    while (clipper.Step()) {
      for (int row = clipper.DisplayStart; row < clipper.DisplayEnd; ++row) {
        const LogEntry& e = log[visible_[row]];
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(FormatRelTs(e.ts, model.first_ts()).c_str());
        ImGui::TableNextColumn();
        ImGui::Text("%lld", static_cast<long long>(e.pid));
        ImGui::TableNextColumn();
        ImGui::PushStyleColor(ImGuiCol_Text, EventTypeColor(e.type_slot));
        ImGui::TextUnformatted(e.type_name.c_str());
        ImGui::PopStyleColor();
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(e.text().c_str());
        if (ImGui::IsItemHovered() && e.text().size() > 80) {
          ImGui::BeginTooltip();
          ImGui::PushTextWrapPos(ImGui::GetFontSize() * 50.0f);
          ImGui::TextUnformatted(e.text().c_str());
          ImGui::PopTextWrapPos();
          ImGui::EndTooltip();
        }
      }
    }
    // Follow new events while the view is at the bottom.
    uint64_t newest = log.empty() ? 0 : log.back().seq;
    if (auto_scroll_ && newest != last_drawn_seq_) ImGui::SetScrollHereY(1.0f);
    if (ImGui::GetScrollY() < ImGui::GetScrollMaxY() - 1.0f && ImGui::IsWindowHovered() &&
        ImGui::GetIO().MouseWheel > 0.0f) {
      auto_scroll_ = false;  // the user scrolled up to read
    }
    last_drawn_seq_ = newest;
    ImGui::EndTable();
  }
  ImGui::PopFont();
  ImGui::End();
}

}  // namespace minipg::viz::ui
