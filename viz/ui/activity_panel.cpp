/*-------------------------------------------------------------------------
 * activity_panel.cpp
 *   Drawing the backends table.
 *-------------------------------------------------------------------------
 */
#include "viz/ui/activity_panel.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace minipg::viz::ui {

namespace {

enum Column { kPid, kUser, kApplication, kClient, kState, kQuery, kColumns };

/*
 * Orders the rows as the clicked column header asks (pid by default). Each
 * row's key is made once, not once per comparison: a thousand backends are
 * sorted every frame.
 */
void SortRows(std::vector<const Process*>& rows, const ImGuiTableSortSpecs* specs) {
  if (specs == nullptr || specs->SpecsCount == 0) return;
  const ImGuiTableColumnSortSpecs& spec = specs->Specs[0];
  bool descending = spec.SortDirection == ImGuiSortDirection_Descending;
  if (spec.ColumnUserID == kPid || spec.ColumnUserID >= kColumns) {
    std::stable_sort(rows.begin(), rows.end(), [&](const Process* a, const Process* b) {
      return descending ? b->pid < a->pid : a->pid < b->pid;
    });
    return;
  }
  auto key = [&](const Process* p) -> std::string {
    switch (spec.ColumnUserID) {
      case kUser: return p->user + "@" + p->database;
      case kApplication: return p->application_name;
      case kClient: return p->client;
      case kState: return std::string(ShortStateLine(*p));
      default: return p->current_query.empty() ? p->last_query : p->current_query;
    }
  };
  std::vector<std::pair<std::string, const Process*>> keyed;
  keyed.reserve(rows.size());
  for (const Process* p : rows) keyed.emplace_back(key(p), p);
  std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& a, const auto& b) {
    return descending ? b.first < a.first : a.first < b.first;
  });
  for (size_t i = 0; i < rows.size(); ++i) rows[i] = keyed[i].second;
}

}  // namespace

void ActivityPanel::Draw(const Model& model) {
  if (!ImGui::Begin("Activity (pg_stat_activity)")) {
    ImGui::End();
    return;
  }
  // One line above the table, so it keeps its rows when the Query view
  // shares the column: how many backends, of how many allowed, and the
  // port; the listen sockets and the event port are in its tooltip.
  const ServerInfo& s = model.server();
  size_t backends = 0;
  for (const Process& p : model.processes()) {
    if (p.role == ProcessRole::kBackend && !p.exited) ++backends;
  }
  std::string line = fmt::format("{} backend{} connected", backends, backends == 1 ? "" : "s");
  // A late subscriber learns port and max_connections from the
  // postmaster's snapshot line, which has no event port.
  if (s.port != 0) line += fmt::format(", max_connections {}", s.max_connections);
  ImGui::TextUnformatted(line.c_str());
  if (ImGui::IsItemHovered() && s.port != 0) {
    std::string listen = fmt::format("port {}\n", s.port);
    for (const ListenSocket& l : s.listen_sockets) {
      listen += l.transport == "unix" ? fmt::format("listen unix {}\n", l.address)
                                      : fmt::format("listen {} {}:{}\n", l.transport, l.address, l.port);
    }
    if (s.event_port != 0) listen += fmt::format("events on port {}\n", s.event_port);
    if (!listen.empty()) ImGui::SetTooltip("%s", listen.c_str());
  }
  ImGui::SameLine();
  ImGui::Checkbox("show exited", &show_exited_);
  rows_drawn_ = rows_in_view_ = 0;
  float window_bottom = ImGui::GetWindowPos().y + ImGui::GetWindowSize().y;

  ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY |
                          ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_Resizable |
                          ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_Sortable |
                          ImGuiTableFlags_Hideable;  // right-click a header to show or hide columns
  if (ImGui::BeginTable("activity", kColumns, flags)) {
    ImGui::TableSetupScrollFreeze(0, 1);
    // Fixed widths: auto-fit would size a column by the first rows it saw.
    ImGui::TableSetupColumn("pid", ImGuiTableColumnFlags_WidthFixed | ImGuiTableColumnFlags_DefaultSort,
                            ImGui::CalcTextSize("0000000").x, kPid);
    ImGui::TableSetupColumn("user@database", ImGuiTableColumnFlags_WidthFixed,
                            ImGui::CalcTextSize("carol@postgres").x, kUser);
    ImGui::TableSetupColumn("application", ImGuiTableColumnFlags_WidthFixed,
                            ImGui::CalcTextSize("webapp").x, kApplication);
    // Hidden at first (the query matters more in a narrow panel); the
    // processes panel shows each backend's client too.
    ImGui::TableSetupColumn("client", ImGuiTableColumnFlags_WidthFixed | ImGuiTableColumnFlags_DefaultHide,
                            ImGui::CalcTextSize("127.0.0.1:65535").x, kClient);
    ImGui::TableSetupColumn("state", ImGuiTableColumnFlags_WidthFixed,
                            ImGui::CalcTextSize("idle in txn (aborted)").x + 12.0f, kState);
    ImGui::TableSetupColumn("query  [stage]", ImGuiTableColumnFlags_WidthStretch, 0.0f, kQuery);
    ImGui::TableHeadersRow();
    std::vector<const Process*> rows;
    for (const Process& p : model.processes()) {
      if (p.role != ProcessRole::kBackend) continue;
      if (p.exited && !show_exited_) continue;
      rows.push_back(&p);
    }
    SortRows(rows, ImGui::TableGetSortSpecs());
    // Only the rows in view are drawn (a thousand backends cost nothing more).
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(rows.size()));
    while (clipper.Step()) {
      for (int r = clipper.DisplayStart; r < clipper.DisplayEnd; ++r) {
        const Process& p = *rows[static_cast<size_t>(r)];
        ImGui::TableNextRow();
        if (p.exited) ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.5f, 0.5f, 0.5f, 1.0f));
        ImGui::TableNextColumn();
        // The pid cell is a selectable spanning the row: a click anywhere on
        // the row selects the backend (or clears the selection if it was it).
        std::string pid = fmt::format("{}", p.pid);
        bool selected = p.pid == view_state_.selected_pid;
        if (ImGui::Selectable(pid.c_str(), selected,
                              ImGuiSelectableFlags_SpanAllColumns | ImGuiSelectableFlags_AllowItemOverlap)) {
          view_state_.selected_pid = selected ? 0 : p.pid;
        }
        ++rows_drawn_;
        if (ImGui::GetItemRectMax().y <= window_bottom) ++rows_in_view_;
        ImGui::TableNextColumn();
        if (!p.user.empty()) ImGui::Text("%s@%s", p.user.c_str(), p.database.c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(p.application_name.c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(p.client.c_str());
        if (ImGui::IsItemHovered() && !p.transport.empty()) ImGui::SetTooltip("transport: %s", p.transport.c_str());
        ImGui::TableNextColumn();
        StateBadge(DisplayStateOf(p), ShortStateLine(p));
        ImGui::TableNextColumn();
        ImGui::PushFont(fonts_.mono);
        if (!p.current_query.empty()) {
          ImGui::TextUnformatted(Ellipsize(p.current_query, 120).c_str());
          if (!p.stage.empty()) {
            ImGui::SameLine();
            ImGui::TextColored(ImVec4(0.12f, 0.40f, 0.85f, 1.0f), "[%s]", p.stage.c_str());
          }
        } else if (!p.last_query.empty()) {
          ImGui::TextDisabled("%s", Ellipsize(p.last_query, 120).c_str());
        }
        ImGui::PopFont();
        if (ImGui::IsItemHovered() && !p.last_error.empty()) {
          ImGui::SetTooltip("%s", p.last_error.c_str());
        }
        if (p.exited) ImGui::PopStyleColor();
      }
    }
    ImGui::EndTable();
  }
  ImGui::End();
}

}  // namespace minipg::viz::ui
