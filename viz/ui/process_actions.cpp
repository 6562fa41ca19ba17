/*-------------------------------------------------------------------------
 * process_actions.cpp
 *   The action buttons and their confirmations (see process_actions.h).
 *-------------------------------------------------------------------------
 */
#include "viz/ui/process_actions.h"

#include <imgui.h>
#include <signal.h>

#include <chrono>
#include <string_view>

#include <fmt/format.h>

namespace minipg::viz::ui {
namespace {

const ImVec4 kOk(0.15f, 0.55f, 0.20f, 1.0f);
const ImVec4 kFail(0.80f, 0.10f, 0.10f, 1.0f);

const char* SignalName(int sig) {
  switch (sig) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    case SIGKILL: return "SIGKILL";
    case SIGQUIT: return "SIGQUIT";
    default: return "a signal";
  }
}

}  // namespace

void ProcessActions::Button(const Model& model, int64_t pid, const char* label, const char* explain,
                            int signal) {
  std::string popup = fmt::format("confirm {}##{}", label, pid);
  if (ImGui::SmallButton(label)) ImGui::OpenPopup(popup.c_str());
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip(signal != 0 ? "%s (%s to process %lld)" : "%s", explain, SignalName(signal),
                      static_cast<long long>(pid));
  }
  std::string_view name(label);
  // Not in the first frames: each panel takes the focus as it first
  // appears, and a change of focus closes an open popup.
  constexpr int kPanelsAppeared = 3;
  if (!asked_.empty() && ImGui::GetFrameCount() > kPanelsAppeared &&
      name.substr(0, name.find(' ')) == asked_) {
    asked_.clear();
    ImGui::OpenPopup(popup.c_str());
    ImGui::SetNextWindowPos(ImVec2(ImGui::GetItemRectMin().x, ImGui::GetItemRectMax().y + 2.0f));
  }
  if (!ImGui::BeginPopup(popup.c_str())) return;
  question_ = signal != 0 ? fmt::format("{}: send {} to process {}?", label, SignalName(signal), pid)
                          : fmt::format("{}?", label);
  ImGui::PushTextWrapPos(ImGui::GetFontSize() * 28.0f);
  ImGui::TextUnformatted(question_.c_str());
  ImGui::Spacing();
  ImGui::TextUnformatted(explain);
  ImGui::PopTextWrapPos();
  ImGui::Spacing();
  if (ImGui::Button("yes, do it")) {
    if (signal != 0) {
      std::string err = control_.Signal(model, pid, signal);
      result_failed_ = !err.empty();
      result_ = result_failed_ ? err : fmt::format("sent {} to {}", SignalName(signal), pid);
    } else {
      // Starting a server takes a moment: not on the UI thread.
      const ServerControl* control = &control_;
      restarting_ = std::async(std::launch::async, [control] { return control->Restart(); });
      result_failed_ = false;
      result_ = "restarting the server...";
    }
    ImGui::CloseCurrentPopup();
  }
  ImGui::SameLine();
  if (ImGui::Button("no")) ImGui::CloseCurrentPopup();
  ImGui::EndPopup();
}

void ProcessActions::Draw(const Model& model) {
  if (restarting_.valid() &&
      restarting_.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
    std::string err = restarting_.get();
    result_failed_ = !err.empty();
    result_ = result_failed_ ? err : "the server is running again";
  }
  const Process* p = view_.selected_pid != 0 ? model.FindProcess(view_.selected_pid) : nullptr;
  bool postmaster_gone = true;
  if (const Process* pm = model.FindProcess(model.postmaster_pid()); pm != nullptr) {
    postmaster_gone = pm->exited;
  }
  ImGui::AlignTextToFramePadding();
  if (!postmaster_gone) {  // a server to connect to
    consoles_.DrawNewConnectionButton(model);
    ImGui::SameLine(0.0f, 16.0f);
  }
  if (p == nullptr) {
    ImGui::TextDisabled("click a process to act on it");
  } else if (p->exited) {
    ImGui::TextDisabled("%s %lld has exited", std::string(RoleName(p->role)).c_str(),
                        static_cast<long long>(p->pid));
  } else if (p->role == ProcessRole::kBackend) {
    ImGui::Text("backend %lld:", static_cast<long long>(p->pid));
    ImGui::SameLine();
    Button(model, p->pid, "cancel query",
           "As pg_cancel_backend(pid): the backend stops the statement it is running with ERROR "
           "57014 \"canceling statement due to user request\"; the session stays.",
           SIGINT);
    ImGui::SameLine();
    Button(model, p->pid, "terminate",
           "As pg_terminate_backend(pid): the session ends with FATAL 57P01 \"terminating "
           "connection due to administrator command\" and the backend exits.",
           SIGTERM);
    ImGui::SameLine();
    Button(model, p->pid, "kill (crash)",
           "SIGKILL: the backend dies at once, without cleaning up. The postmaster treats it as "
           "a crash: it sends SIGQUIT to every other child (their clients get FATAL 57P02), "
           "reinitializes shared memory and accepts connections again.",
           SIGKILL);
  } else if (p->role == ProcessRole::kPostmaster) {
    ImGui::Text("postmaster %lld:", static_cast<long long>(p->pid));
    ImGui::SameLine();
    Button(model, p->pid, "smart shutdown",
           "SIGTERM (pg_ctl stop -m smart): no new connections (FATAL 57P03 \"the database "
           "system is shutting down\"); the server waits for every session to end, then writes "
           "a shutdown checkpoint and exits.",
           SIGTERM);
    ImGui::SameLine();
    Button(model, p->pid, "fast shutdown",
           "SIGINT (pg_ctl stop -m fast, the default): every session is terminated (FATAL "
           "57P01), then the shutdown checkpoint is written and the server exits.",
           SIGINT);
    ImGui::SameLine();
    Button(model, p->pid, "immediate shutdown",
           "SIGQUIT (pg_ctl stop -m immediate): every process quits at once, without a "
           "checkpoint; the next start is a recovery.",
           SIGQUIT);
  } else {
    ImGui::TextDisabled("%s %lld: an auxiliary process (nothing to do here)",
                        std::string(RoleName(p->role)).c_str(), static_cast<long long>(p->pid));
  }
  if (postmaster_gone && control_.CanRestart() && model.postmaster_pid() != 0 &&
      !restarting_.valid()) {
    ImGui::SameLine(0.0f, 20.0f);
    Button(model, model.postmaster_pid(), "restart the server",
           "Starts minipg again on the same data directory and ports (as pg_ctl start); the "
           "viewer reconnects to its event stream by itself.",
           0);
  }
  if (!result_.empty()) {
    ImGui::SameLine(0.0f, 16.0f);
    ImGui::TextColored(result_failed_ ? kFail : kOk, "%s", result_.c_str());
  }
}

}  // namespace minipg::viz::ui
