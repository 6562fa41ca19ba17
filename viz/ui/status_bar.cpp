/*-------------------------------------------------------------------------
 * status_bar.cpp
 *   Drawing the header and the anomalies window.
 *-------------------------------------------------------------------------
 */
#include "viz/ui/status_bar.h"

#include <algorithm>
#include <cfloat>

#include <fmt/format.h>

#include "viz/ui/backdrop.h"

namespace minipg::viz::ui {
namespace {

constexpr size_t kTooltipAnomalies = 15;

ImVec4 SourceColor(const SourceStatus& s) {
  if (!s.has_source) return ImVec4(0.55f, 0.55f, 0.55f, 1.0f);
  switch (s.state) {
    case SourceState::kConnecting: return ImVec4(0.85f, 0.60f, 0.00f, 1.0f);
    case SourceState::kStreaming: return ImVec4(0.15f, 0.60f, 0.20f, 1.0f);
    case SourceState::kEnded: return ImVec4(0.25f, 0.40f, 0.70f, 1.0f);
    case SourceState::kFailed: return ImVec4(0.80f, 0.10f, 0.10f, 1.0f);
  }
  return ImVec4(0.5f, 0.5f, 0.5f, 1.0f);
}

void Dot(ImVec4 colour) {
  ImVec2 p = ImGui::GetCursorScreenPos();
  float r = ImGui::GetTextLineHeight() * 0.3f;
  ImGui::GetWindowDrawList()->AddCircleFilled(
      ImVec2(p.x + r + 1, p.y + ImGui::GetTextLineHeight() * 0.5f), r,
      ImGui::ColorConvertFloat4ToU32(colour));
  ImGui::Dummy(ImVec2(2 * r + 4, ImGui::GetTextLineHeight()));
}

}  // namespace

HeaderClicks StatusBar::Draw(const Model& model, const SourceStatus& source) {
  ImGuiWindowFlags flags = ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoResize |
                           ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoCollapse |
                           ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoSavedSettings;
  HeaderClicks clicks;
  // Its own colour, cleared to rather than filled (see backdrop.h).
  SeeThroughPanel see_through("##header", ImVec4(0.90f, 0.93f, 0.97f, 1.0f));
  if (ImGui::Begin("##header", nullptr, flags)) {
    // Line 1: the title, the legend (if it fits), "reset layout" at the right.
    ImGui::PushFont(fonts_.title);
    ImGui::TextColored(ImVec4(0.13f, 0.27f, 0.53f, 1.0f), "minipg-viz");
    ImGui::PopFont();
    if (ImGui::IsItemHovered()) {
      ImGui::SetTooltip("the PostgreSQL process model: postmaster, backends, queries");
    }
    bool legend_inline = LegendOnTitleLine(ImGui::GetWindowWidth());
    if (legend_inline) {
      ImGui::SameLine(0.0f, 24.0f);
      DrawLegend();
    }
    float buttons_w = ButtonsWidth();
    ImGui::SameLine(std::max(ImGui::GetCursorPosX(), ImGui::GetWindowContentRegionMax().x - buttons_w));
    if (ImGui::SmallButton("scenarios")) clicks.scenarios = true;
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("the lessons: run one and watch it with its narration");
    ImGui::SameLine();
    if (ImGui::SmallButton("row versions")) clicks.row_versions = true;
    if (ImGui::IsItemHovered()) {
      ImGui::SetTooltip("a table's row versions (xmin, xmax) and which backend's snapshot sees each");
    }
    ImGui::SameLine();
    if (ImGui::SmallButton("reset layout")) clicks.reset_layout = true;

    // Line 2: the source and its state, counters, anomalies, the server.
    Dot(SourceColor(source));
    ImGui::SameLine();
    std::string src = source.has_source
                          ? fmt::format("{}: {}", source.description, SourceStateName(source.state))
                          : std::string("no source (see --connect / --open)");
    ImGui::TextUnformatted(src.c_str());
    if (!source.error.empty() && ImGui::IsItemHovered()) {
      ImGui::SetTooltip("%s", source.error.c_str());
    }
    if (source.state == SourceState::kFailed && !source.error.empty()) {
      ImGui::SameLine();
      ImGui::TextColored(ImVec4(0.8f, 0.1f, 0.1f, 1.0f), "%s",
                         Ellipsize(source.error, 60).c_str());
    }
    ImGui::SameLine(0.0f, 28.0f);
    ImGui::Text("events %llu", static_cast<unsigned long long>(model.events_seen()));
    ImGui::SameLine(0.0f, 20.0f);
    ImGui::Text("live processes %zu", model.LiveProcessCount());
    ImGui::SameLine(0.0f, 20.0f);
    uint64_t n = model.anomaly_count();
    ImVec4 col = n > 0 ? ImVec4(0.80f, 0.10f, 0.10f, 1.0f) : ImVec4(0.15f, 0.55f, 0.20f, 1.0f);
    ImGui::PushStyleColor(ImGuiCol_Text, col);
    std::string label = fmt::format("anomalies {}", n);
    if (ImGui::SmallButton(label.c_str())) anomalies_open_ = !anomalies_open_;
    ImGui::PopStyleColor();
    if (ImGui::IsItemHovered()) AnomaliesTooltip(model);
    const ServerInfo& s = model.server();
    if (s.schema_version != 0) {
      ImGui::SameLine(0.0f, 28.0f);
      ImGui::TextDisabled("%s %s, schema v%lld", s.server.c_str(), s.server_version.c_str(),
                          static_cast<long long>(s.schema_version));
    }
    // Line 3, on narrow windows: the legend.
    if (!legend_inline) DrawLegend();
  }
  ImGui::End();
  return clicks;
}

float StatusBar::ButtonsWidth() const {
  const ImGuiStyle& style = ImGui::GetStyle();
  return ImGui::CalcTextSize("scenarios").x + ImGui::CalcTextSize("row versions").x +
         ImGui::CalcTextSize("reset layout").x + 6 * style.FramePadding.x + 2 * style.ItemSpacing.x + 8.0f;
}

float StatusBar::TitleWidth() const {
  ImFont* font = fonts_.title != nullptr ? fonts_.title : ImGui::GetFont();
  return font->CalcTextSizeA(font->FontSize, FLT_MAX, 0.0f, "minipg-viz").x;
}

bool StatusBar::LegendOnTitleLine(float width) const {
  const ImGuiStyle& style = ImGui::GetStyle();
  return style.WindowPadding.x * 2 + TitleWidth() + 24.0f + LegendWidth() + ButtonsWidth() + 16.0f <=
         width;
}

float StatusBar::Height(float width) const {
  const ImGuiStyle& style = ImGui::GetStyle();
  ImFont* title = fonts_.title != nullptr ? fonts_.title : ImGui::GetFont();
  float line = ImGui::GetFontSize() + 2.0f;  // body text and legend badges
  float h = style.WindowPadding.y * 2 + title->FontSize + style.ItemSpacing.y + line;
  if (!LegendOnTitleLine(width)) {
    int lines = LegendLineCount(width - 2 * style.WindowPadding.x);
    h += lines * (style.ItemSpacing.y + line);
  }
  return h + 2.0f;
}

void StatusBar::AnomaliesTooltip(const Model& model) {
  ImGui::BeginTooltip();
  if (model.anomaly_count() == 0) {
    ImGui::TextUnformatted("No anomalies: the stream is consistent so far.");
  } else {
    ImGui::Text("%llu anomalies (the newest %zu; click for all):",
                static_cast<unsigned long long>(model.anomaly_count()),
                std::min(kTooltipAnomalies, model.anomalies().size()));
    const auto& list = model.anomalies();
    size_t start = list.size() > kTooltipAnomalies ? list.size() - kTooltipAnomalies : 0;
    for (size_t i = start; i < list.size(); ++i) {
      ImGui::BulletText("[%s] %s", std::string(AnomalyKindName(list[i].kind)).c_str(),
                        list[i].message.c_str());
    }
  }
  ImGui::EndTooltip();
}

void StatusBar::DrawAnomaliesWindow(const Model& model) {
  if (!anomalies_open_) return;
  ImGui::SetNextWindowSize(ImVec2(760, 360), ImGuiCond_FirstUseEver);
  if (ImGui::Begin("Anomalies", &anomalies_open_)) {
    ImGui::TextWrapped(
        "Things the stream said that cannot be true of a real server (or that the server "
        "reported as lost). The model records them and goes on.");
    if (model.anomaly_count() > model.anomalies().size()) {
      ImGui::TextDisabled("showing the newest %zu of %llu", model.anomalies().size(),
                          static_cast<unsigned long long>(model.anomaly_count()));
    }
    ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY |
                            ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingFixedFit;
    if (ImGui::BeginTable("anomalies", 4, flags)) {
      ImGui::TableSetupScrollFreeze(0, 1);
      ImGui::TableSetupColumn("line");
      ImGui::TableSetupColumn("pid");
      ImGui::TableSetupColumn("kind");
      ImGui::TableSetupColumn("what", ImGuiTableColumnFlags_WidthStretch);
      ImGui::TableHeadersRow();
      for (const Anomaly& a : model.anomalies()) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::Text("%llu", static_cast<unsigned long long>(a.line_no));
        ImGui::TableNextColumn();
        ImGui::Text("%lld", static_cast<long long>(a.pid));
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(std::string(AnomalyKindName(a.kind)).c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(a.message.c_str());
      }
      ImGui::EndTable();
    }
  }
  ImGui::End();
}

}  // namespace minipg::viz::ui
