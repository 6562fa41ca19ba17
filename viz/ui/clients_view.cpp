/*-------------------------------------------------------------------------
 * clients_view.cpp
 *   See clients_view.h. Rows are drawn with a list clipper, so a thousand
 *   connections cost only those in view.
 *-------------------------------------------------------------------------
 */
#include "viz/ui/clients_view.h"

#include <imgui.h>

#include <algorithm>
#include <string>

#include <fmt/format.h>

namespace minipg::viz::ui {
namespace {

constexpr ImU32 kClientFill = IM_COL32(237, 231, 246, 255);    // pale purple: the client side
constexpr ImU32 kClientBorder = IM_COL32(126, 87, 194, 255);   // as the Timeline's client lanes
constexpr ImU32 kTcpColour = IM_COL32(33, 101, 191, 255);
constexpr ImU32 kUnixColour = IM_COL32(0, 121, 107, 255);
constexpr ImU32 kBoundary = IM_COL32(150, 155, 165, 255);
constexpr ImU32 kDim = IM_COL32(110, 114, 122, 255);
constexpr float kRowGap = 8.0f;

bool IsUnix(const Process& p) { return p.transport == "unix" || p.client == "[local]"; }

/* The Unix socket the postmaster listens on, if it said. */
std::string UnixSocketPath(const ServerInfo& s) {
  for (const ListenSocket& l : s.listen_sockets) {
    if (l.transport == "unix") return l.address;
  }
  return "";
}

}  // namespace

void ClientsView::Draw(const Model& model, bool show_exited) {
  const ServerInfo& s = model.server();
  rows_.clear();
  for (const Process& p : model.processes()) {
    if (p.role != ProcessRole::kBackend || (p.exited && !show_exited)) continue;
    rows_.push_back(&p);
  }
  // The server's side of every connection: the postmaster's sockets.
  std::string listen;
  for (const ListenSocket& l : s.listen_sockets) {
    if (!listen.empty()) listen += ", ";
    listen += l.transport == "unix" ? fmt::format("Unix socket {}", l.address)
                                    : fmt::format("{} {}:{}", l.transport == "tcp" ? "TCP" : l.transport, l.address,
                                                  l.port);
  }
  if (model.postmaster_pid() != 0) {
    ImGui::TextDisabled("postmaster %lld listens on %s",
                        static_cast<long long>(model.postmaster_pid()),
                        listen.empty() ? (s.port != 0 ? fmt::format("port {}", s.port).c_str() : "(not known)")
                                       : listen.c_str());
  }
  if (rows_.empty()) {
    ImGui::TextDisabled("No connections yet: connect psql, or run a scenario.");
    return;
  }

  ImGui::BeginChild("clients", ImVec2(0, 0), false);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  float width = ImGui::GetContentRegionAvail().x;
  float row_h = ImGui::GetTextLineHeight() * 2.0f + 14.0f;
  // Column captions, and the line between the clients' side and the server's.
  ImVec2 top = ImGui::GetCursorScreenPos();
  float boundary_x = top.x + width * 0.64f;
  ImGui::PushFont(fonts_.bold);
  ImGui::TextUnformatted("clients");
  ImGui::PopFont();
  ImGui::SameLine();
  ImGui::TextDisabled("their own programs, on this machine or another");
  ImGui::SameLine(boundary_x - top.x + 10.0f);
  ImGui::PushFont(fonts_.bold);
  ImGui::TextUnformatted("server");
  ImGui::PopFont();
  ImGui::SameLine();
  ImGui::TextDisabled("(backends)");
  float rows_top = ImGui::GetCursorScreenPos().y;

  ImGuiListClipper clipper;
  // A row's pitch: its Dummy and the item spacing after it.
  clipper.Begin(static_cast<int>(rows_.size()), row_h + kRowGap + ImGui::GetStyle().ItemSpacing.y);
  while (clipper.Step()) {
    for (int r = clipper.DisplayStart; r < clipper.DisplayEnd; ++r) {
      ImVec2 min = ImGui::GetCursorScreenPos();
      DrawRow(model, *rows_[static_cast<size_t>(r)], min, width);
      ImGui::SetCursorScreenPos(min);
      ImGui::Dummy(ImVec2(width, row_h + kRowGap));
    }
  }
  float bottom = std::max(ImGui::GetCursorScreenPos().y, ImGui::GetWindowPos().y + ImGui::GetWindowHeight());
  DashedLine(dl, ImVec2(boundary_x, std::max(rows_top, ImGui::GetWindowPos().y)), ImVec2(boundary_x, bottom),
             kBoundary, 1.0f, 5.0f);
  ImGui::EndChild();
}

void ClientsView::DrawRow(const Model& model, const Process& p, ImVec2 min, float width) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  float line = ImGui::GetTextLineHeight();
  float row_h = line * 2.0f + 14.0f;
  float pad = 7.0f;
  bool unix_socket = IsUnix(p);
  bool gone = p.exited;

  // The client: a minipg-sim client by its name, another by its application_name.
  ImVec2 c0(min.x + 2.0f, min.y);
  ImVec2 c1(min.x + width * 0.30f, min.y + row_h);
  dl->AddRectFilled(c0, c1, gone ? IM_COL32(240, 240, 242, 255) : kClientFill, 5.0f);
  dl->AddRect(c0, c1, gone ? kBoundary : kClientBorder, 5.0f, 0, 1.0f);
  std::string name = !p.client_name.empty()        ? p.client_name
                     : !p.application_name.empty() ? p.application_name
                                                   : std::string("client");
  std::string where = unix_socket ? "this machine" : p.client;
  ImVec2 c_clip(c1.x - 3.0f, c1.y);
  ImU32 text = gone ? kDim : IM_COL32(40, 30, 70, 255);
  ClippedText(dl, fonts_.bold, fonts_.bold->FontSize, ImVec2(c0.x + pad, c0.y + 5.0f), text, name, c0, c_clip);
  ClippedText(dl, nullptr, 0.0f, ImVec2(c0.x + pad, c0.y + 7.0f + line), gone ? kDim : IM_COL32(90, 80, 110, 255),
              where, c0, c_clip);

  // The backend, in its state's colour.
  ImVec2 b0(min.x + width * 0.66f, min.y);
  ImVec2 b1(min.x + width - 4.0f, min.y + row_h);
  DisplayState state = DisplayStateOf(p);
  bool selected = view_state_.selected_pid == p.pid && !gone;
  dl->AddRectFilled(b0, b1, StateFill(state), 5.0f);
  dl->AddRect(b0, b1, selected ? IM_COL32(0, 0, 0, 255) : IM_COL32(0, 0, 0, 90), 5.0f, 0, selected ? 3.0f : 1.0f);
  ImVec2 b_clip(b1.x - 3.0f, b1.y);
  std::string title = fmt::format("backend {}", p.pid);
  ClippedText(dl, fonts_.bold, fonts_.bold->FontSize, ImVec2(b0.x + pad, b0.y + 5.0f), StateText(state), title, b0,
              b_clip);
  std::string detail = fmt::format("{} · {}@{}", ShortStateLine(p), p.user.empty() ? "?" : p.user,
                                   p.database.empty() ? "?" : p.database);
  ClippedText(dl, nullptr, 0.0f, ImVec2(b0.x + pad, b0.y + 7.0f + line), StateText(state), detail, b0, b_clip);

  // The connection between them, named by its transport.
  ImU32 col = gone ? kBoundary : unix_socket ? kUnixColour : kTcpColour;
  float y = min.y + row_h * 0.5f;
  ImVec2 a(c1.x + 4.0f, y), b(b0.x - 4.0f, y);
  if (gone) {
    DashedLine(dl, a, b, col, 1.5f, 5.0f);  // a closed connection
  } else {
    dl->AddLine(a, ImVec2(b.x - 7.0f, y), col, 2.0f);
    dl->AddTriangleFilled(b, ImVec2(b.x - 8.0f, y - 4.5f), ImVec2(b.x - 8.0f, y + 4.5f), col);
  }
  std::string kind = unix_socket ? "Unix socket" : "TCP";
  std::string path = unix_socket ? UnixSocketPath(model.server())
                                 : (model.server().port != 0 ? fmt::format("to port {}", model.server().port) : "");
  if (gone) kind += " (closed)";
  float mid = (a.x + b.x) * 0.5f;
  ImVec2 l_clip0(a.x, min.y), l_clip1(b.x, min.y + row_h);
  ImVec2 ks = ImGui::CalcTextSize(kind.c_str());
  ClippedText(dl, nullptr, 0.0f, ImVec2(mid - ks.x * 0.5f, y - ks.y - 2.0f), col, kind, l_clip0, l_clip1);
  if (!path.empty()) {
    path = FitMiddle(path, b.x - a.x - 8.0f);  // a long socket path keeps its start and its end
    ImVec2 ps = ImGui::CalcTextSize(path.c_str());
    ClippedText(dl, nullptr, 0.0f, ImVec2(mid - ps.x * 0.5f, y + 3.0f), gone ? kDim : col, path, l_clip0, l_clip1);
  }

  // A click on the row selects the backend, as a click on its box does.
  ImGui::SetCursorScreenPos(min);
  ImGui::PushID(&p);  // not the pid: an exited backend's may be reused
  if (ImGui::InvisibleButton("row", ImVec2(width, row_h)) && !gone) {
    view_state_.selected_pid = selected ? 0 : p.pid;
  }
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip("%s (%s) -> backend %lld\nclient: %s  transport: %s\n%s", name.c_str(),
                      p.application_name.empty() ? "no application_name" : p.application_name.c_str(),
                      static_cast<long long>(p.pid), p.client.c_str(), p.transport.c_str(),
                      gone ? p.exit_status.c_str() : StateLine(p).c_str());
  }
  ImGui::PopID();
}

}  // namespace minipg::viz::ui
