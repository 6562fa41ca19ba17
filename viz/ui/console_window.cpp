/*-------------------------------------------------------------------------
 * console_window.cpp
 *   The connection dialog and the SQL console windows (see console_window.h).
 *-------------------------------------------------------------------------
 */
#include "viz/ui/console_window.h"

#include <imgui.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <deque>

#include <fmt/format.h>

namespace minipg::viz::ui {
namespace {

void CopyField(char* dst, size_t size, std::string_view src) {
  size_t n = std::min(size - 1, src.size());
  std::memcpy(dst, src.data(), n);
  dst[n] = '\0';
}

ImVec4 OutputColour(ConsoleOutput::Kind kind) {
  switch (kind) {
    case ConsoleOutput::Kind::kCommand: return ImVec4(0.13f, 0.27f, 0.53f, 1.0f);
    case ConsoleOutput::Kind::kResult: return ImVec4(0.10f, 0.10f, 0.10f, 1.0f);
    case ConsoleOutput::Kind::kNotice: return ImVec4(0.55f, 0.40f, 0.00f, 1.0f);
    case ConsoleOutput::Kind::kError: return ImVec4(0.80f, 0.10f, 0.10f, 1.0f);
    case ConsoleOutput::Kind::kInfo: return ImVec4(0.40f, 0.40f, 0.40f, 1.0f);
  }
  return ImVec4(0, 0, 0, 1);
}

}  // namespace

struct Consoles::Console {
  int id = 0;
  std::unique_ptr<ConsoleSession> session;
  std::deque<ConsoleOutput> output;
  char input[8192] = {};
  bool open = true;
  bool scroll_to_end = false;
  bool focus_input = true;
};

Consoles::Consoles(const Fonts& fonts, ViewState& view) : fonts_(fonts), view_(view) {}

Consoles::~Consoles() = default;  // each session disconnects in its destructor

void Consoles::FillDefaults(const Model& model) {
  const ServerInfo& s = model.server();
  if (s.port > 0) port_ = static_cast<int>(s.port);
  CopyField(user_, sizeof user_, client::OsUser());
  CopyField(database_, sizeof database_, "postgres");
  CopyField(socket_dir_, sizeof socket_dir_, "/tmp");
  CopyField(tcp_host_, sizeof tcp_host_, "127.0.0.1");
  // Without the listen sockets (a viewer that joined late), a socket file
  // beside the data directory or in /tmp says where to connect; else TCP.
  bool unix_known = false;
  for (const char* dir : {s.data_directory.c_str(), "/tmp"}) {
    if (*dir != '\0' && access(fmt::format("{}/.s.PGSQL.{}", dir, port_).c_str(), F_OK) == 0) {
      CopyField(socket_dir_, sizeof socket_dir_, dir);
      unix_known = true;
      break;
    }
  }
  for (const ListenSocket& l : s.listen_sockets) {
    if (l.transport == "unix") {
      // "/dir/.s.PGSQL.5432": libpq's host is the directory.
      std::string_view a = l.address;
      size_t slash = a.rfind('/');
      if (slash != std::string_view::npos) CopyField(socket_dir_, sizeof socket_dir_, a.substr(0, slash));
      unix_known = true;
    } else if (l.transport == "tcp" && l.address != "0.0.0.0" && l.address != "*" && l.address != "::") {
      CopyField(tcp_host_, sizeof tcp_host_, l.address);
    }
  }
  transport_ = unix_known ? 0 : 1;
  // The most recent backend's user and database are a good guess.
  for (auto it = model.processes().rbegin(); it != model.processes().rend(); ++it) {
    if (it->role == ProcessRole::kBackend && !it->user.empty() && !it->database.empty()) {
      CopyField(user_, sizeof user_, it->user);
      CopyField(database_, sizeof database_, it->database);
      break;
    }
  }
  if (!preferred_user_.empty()) CopyField(user_, sizeof user_, preferred_user_);
}

void Consoles::DrawNewConnectionButton(const Model& model) {
  if (ImGui::SmallButton("new connection")) {
    FillDefaults(model);
    ImGui::OpenPopup("new connection");
  }
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip("open a real connection with a SQL console: watch its backend being forked");
  }
  if (!ImGui::BeginPopup("new connection")) return;
  ImGui::TextUnformatted("A new client: the postmaster will fork a backend for it.");
  ImGui::Spacing();
  float field_w = ImGui::GetFontSize() * 14.0f;
  ImGui::SetNextItemWidth(field_w);
  ImGui::InputText("user", user_, sizeof user_);
  ImGui::SetNextItemWidth(field_w);
  ImGui::InputText("database", database_, sizeof database_);
  ImGui::RadioButton("Unix socket", &transport_, 0);
  ImGui::SameLine();
  ImGui::RadioButton("TCP", &transport_, 1);
  ImGui::SetNextItemWidth(field_w);
  if (transport_ == 0) {
    ImGui::InputText("socket directory", socket_dir_, sizeof socket_dir_);
  } else {
    ImGui::InputText("host", tcp_host_, sizeof tcp_host_);
  }
  ImGui::SetNextItemWidth(field_w);
  ImGui::InputInt("port", &port_, 0);
  ImGui::SetNextItemWidth(field_w);
  ImGui::InputText("password", password_, sizeof password_, ImGuiInputTextFlags_Password);
  ImGui::SameLine();
  ImGui::TextDisabled("(if pg_hba.conf asks)");
  ImGui::Spacing();
  if (ImGui::Button("connect")) {
    client::ConnectOptions o;
    o.host = transport_ == 0 ? socket_dir_ : tcp_host_;
    o.port = std::clamp(port_, 1, 65535);
    o.user = user_;
    o.database = database_;
    o.password = password_;
    o.application_name = "minipg-viz";
    Open(std::move(o));
    ImGui::CloseCurrentPopup();
  }
  ImGui::SameLine();
  if (ImGui::Button("cancel")) ImGui::CloseCurrentPopup();
  ImGui::EndPopup();
}

void Consoles::Open(client::ConnectOptions options, std::string sql) {
  auto c = std::make_unique<Console>();
  c->id = next_id_++;
  c->session = std::make_unique<ConsoleSession>(std::move(options));
  if (!sql.empty()) c->session->Submit(std::move(sql));
  consoles_.push_back(std::move(c));
}

client::ConnectOptions Consoles::DefaultOptions(const Model& model) {
  FillDefaults(model);
  client::ConnectOptions o;
  o.host = transport_ == 0 ? socket_dir_ : tcp_host_;
  o.port = port_;
  o.user = user_;
  o.database = database_;
  o.application_name = "minipg-viz";
  return o;
}

void Consoles::OpenDefault(const Model& model, std::string sql) {
  Open(DefaultOptions(model), std::move(sql));
}

bool Consoles::Busy() {
  for (const auto& c : consoles_) {
    ConsoleState s = c->session->state();
    Collect(*c);  // after the state: output that came with the end is taken too
    if (s == ConsoleState::kConnecting || s == ConsoleState::kBusy || c->session->Pending()) return true;
  }
  return false;
}

std::string Consoles::Transcript() const {
  std::string out;
  for (const auto& c : consoles_) {
    for (const ConsoleOutput& o : c->output) {
      std::string_view text = o.text;
      bool first = true;
      while (first || !text.empty()) {
        size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        out += fmt::format("console {}| {}{}\n", c->id,
                           first && o.kind == ConsoleOutput::Kind::kCommand ? "=> " : "", line);
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        first = false;
      }
    }
  }
  return out;
}

void Consoles::DrawWindows() {
  for (auto& c : consoles_) DrawConsole(*c);
  // A closed window disconnects (the session's destructor sends Terminate).
  std::erase_if(consoles_, [](const std::unique_ptr<Console>& c) { return !c->open; });
}

void Consoles::Collect(Console& c) {
  for (ConsoleOutput& o : c.session->TakeOutput()) {
    c.output.push_back(std::move(o));
    c.scroll_to_end = true;
  }
  while (c.output.size() > kMaxOutputEntries) c.output.pop_front();
}

void Consoles::DrawConsole(Console& c) {
  ConsoleSession& s = *c.session;
  Collect(c);

  ConsoleState state = s.state();
  int pid = s.backend_pid();
  // Idle as the server sees it: in a transaction block (or a failed one) it is
  // "idle in transaction", as psql's prompt says with * and !.
  char tx = s.transaction_status();
  std::string state_name(ConsoleStateName(state));
  if (state == ConsoleState::kIdle && tx == 'T') state_name = "idle in txn";
  if (state == ConsoleState::kIdle && tx == 'E') state_name = "idle in txn (aborted)";
  std::string title = fmt::format("console {}: {}{}  [{}]###console{}", c.id,
                                  s.Describe(), pid != 0 ? fmt::format(" (backend {})", pid) : "",
                                  state_name, c.id);
  // New consoles cascade over the lower right, leaving the process graph in view.
  ImVec2 display = ImGui::GetIO().DisplaySize;
  float offset = 30.0f * static_cast<float>((c.id - 1) % 6);
  ImVec2 size(std::min(700.0f, display.x * 0.55f), std::min(420.0f, display.y * 0.5f));
  ImGui::SetNextWindowPos(ImVec2(std::max(0.0f, display.x - size.x - 20.0f - offset),
                                 std::max(0.0f, display.y - size.y - 20.0f - offset)),
                          ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowSize(size, ImGuiCond_FirstUseEver);
  if (!ImGui::Begin(title.c_str(), &c.open)) {
    ImGui::End();
    return;
  }
  bool connected = state == ConsoleState::kIdle || state == ConsoleState::kBusy;
  float input_h = ImGui::GetTextLineHeightWithSpacing() * 3.5f;
  float buttons_h = ImGui::GetFrameHeightWithSpacing();
  ImGui::BeginChild("output", ImVec2(0, -(input_h + buttons_h + 8.0f)), true,
                    ImGuiWindowFlags_HorizontalScrollbar);
  ImGui::PushFont(fonts_.mono);
  for (const ConsoleOutput& o : c.output) {
    ImGui::PushStyleColor(ImGuiCol_Text, OutputColour(o.kind));
    if (o.kind == ConsoleOutput::Kind::kCommand) {
      std::string prompt = fmt::format("=> {}", o.text);
      ImGui::TextUnformatted(prompt.c_str());
    } else if (o.kind != ConsoleOutput::Kind::kResult) {
      ImGui::PushTextWrapPos(0.0f);
      ImGui::TextUnformatted(o.text.c_str());  // messages wrap; result tables scroll
      ImGui::PopTextWrapPos();
    } else {
      ImGui::TextUnformatted(o.text.c_str());
    }
    ImGui::PopStyleColor();
  }
  ImGui::PopFont();
  if (c.scroll_to_end) {
    ImGui::SetScrollHereY(1.0f);
    c.scroll_to_end = false;
  }
  ImGui::EndChild();

  ImGui::PushFont(fonts_.mono);
  if (c.focus_input && connected) {
    ImGui::SetKeyboardFocusHere();
    c.focus_input = false;
  }
  bool enter = ImGui::InputTextMultiline(
      "##sql", c.input, sizeof c.input, ImVec2(-1.0f, input_h),
      ImGuiInputTextFlags_EnterReturnsTrue | ImGuiInputTextFlags_CtrlEnterForNewLine);
  ImGui::PopFont();
  if (!connected) ImGui::BeginDisabled();
  bool run = ImGui::Button("run") || enter;
  if (!connected) ImGui::EndDisabled();
  if (run && connected && c.input[0] != '\0') {
    s.Submit(c.input);
    c.input[0] = '\0';
    c.focus_input = true;
  }
  ImGui::SameLine();
  if (state != ConsoleState::kBusy) ImGui::BeginDisabled();
  if (ImGui::Button("cancel")) s.Cancel();
  if (state != ConsoleState::kBusy) ImGui::EndDisabled();
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
    ImGui::SetTooltip("send a CancelRequest for the running query, as psql does on Ctrl-C");
  }
  ImGui::SameLine();
  if (pid == 0) ImGui::BeginDisabled();
  if (ImGui::Button("select its backend")) view_.selected_pid = pid;
  if (pid == 0) ImGui::EndDisabled();
  ImGui::SameLine();
  if (!connected) ImGui::BeginDisabled();
  if (ImGui::Button("disconnect")) s.Disconnect();
  if (!connected) ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::TextDisabled("Enter runs, Ctrl+Enter: new line%s",
                      !connected ? ""
                      : tx == 'T' ? "   (in a transaction)"
                      : tx == 'E' ? "   (in a failed transaction)"
                                  : "");
  ImGui::End();
}

}  // namespace minipg::viz::ui
