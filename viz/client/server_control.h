/*-------------------------------------------------------------------------
 * server_control.h
 *   The viewer acting on the server it shows, the way an administrator at
 *   the server's console would: signals to a backend (cancel = SIGINT as
 *   pg_cancel_backend sends, terminate = SIGTERM as pg_terminate_backend,
 *   kill = SIGKILL, which sets off the crash cycle) and to the postmaster
 *   (SIGTERM smart, SIGINT fast, SIGQUIT immediate shutdown), and a
 *   restart of a server the viewer started itself (the demo).
 *
 * NOTES
 *   Signals only work on the server's own machine, so before sending one
 *   we check that the postmaster the model shows is running here (its
 *   data directory's postmaster.pid names it) and that the target is the
 *   postmaster or one of its children: a pid reused by an unrelated
 *   process is never signalled.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "viz/model/model.h"

namespace minipg::viz {

class ServerControl {
 public:
  /* "" if signals can reach the server the model shows, else why not. */
  std::string CanSignal(const Model& model) const;
  /* Sends `sig` to `pid` (the postmaster or one of its children): "" or what went wrong. */
  std::string Signal(const Model& model, int64_t pid, int sig) const;

  /* Whether Restart() can do anything (the viewer started the server). */
  bool CanRestart() const { return can_restart_ && can_restart_(); }
  /* Starts the server again on its data directory: "" or what went wrong. */
  std::string Restart() const { return CanRestart() ? restart_() : "not a server minipg-viz started"; }
  void set_restart(std::function<std::string()> restart, std::function<bool()> can_restart) {
    restart_ = std::move(restart);
    can_restart_ = std::move(can_restart);
  }

 private:
  std::function<std::string()> restart_;
  std::function<bool()> can_restart_;
};

}  // namespace minipg::viz
