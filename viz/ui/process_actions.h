/*-------------------------------------------------------------------------
 * process_actions.h
 *   Acting on the server, drawn as a line in the Processes panel: "new
 *   connection" (the GUI client, console_window.h), and for the selected
 *   process: on a backend "cancel query", "terminate" and "kill (crash)";
 *   on the postmaster "smart", "fast" and "immediate" shutdown, and
 *   "restart" once it is gone (a server the viewer started). Each asks
 *   for confirmation first, saying what PostgreSQL does in response, and
 *   reports the outcome on the same line.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <future>
#include <string>
#include <utility>

#include "viz/client/server_control.h"
#include "viz/model/model.h"
#include "viz/ui/console_window.h"
#include "viz/ui/theme.h"
#include "viz/ui/view_state.h"

namespace minipg::viz::ui {

class ProcessActions {
 public:
  ProcessActions(ViewState& view, const ServerControl& control, Consoles& consoles)
      : view_(view), control_(control), consoles_(consoles) {}
  /* One line of buttons for view.selected_pid (or a hint); inside a window. */
  void Draw(const Model& model);

  /* Opens the confirmation of the selected process's action whose button
   * begins with `word` ("cancel", "terminate", "kill", "smart", "fast",
   * "immediate", "restart") once its button is drawn, as a click would. */
  void Ask(std::string word) { asked_ = std::move(word); }

  /* The question of the confirmation shown this frame ("" if none). */
  const std::string& question() const { return question_; }
  /* An Ask() whose button has not been drawn yet ("" if none). */
  const std::string& pending_ask() const { return asked_; }
  /* Called once a frame before the panels: forgets last frame's question. */
  void BeginFrame() { question_.clear(); }

 private:
  /* A button that asks first and then signals `pid` (signal 0: restart). */
  void Button(const Model& model, int64_t pid, const char* label, const char* explain, int signal);

  ViewState& view_;
  const ServerControl& control_;
  Consoles& consoles_;
  std::string result_;  // the last outcome, shown on the line
  bool result_failed_ = false;
  std::future<std::string> restarting_;
  std::string asked_;     // see Ask()
  std::string question_;  // see question()
};

}  // namespace minipg::viz::ui
