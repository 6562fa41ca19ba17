/*-------------------------------------------------------------------------
 * demo.h
 *   minipg-viz with no source (no --connect, no --open): the embedded
 *   default. It starts its own minipg in a temporary data directory, has
 *   minipg-sim play the guided tour (scenarios/tour.scn) against it, and
 *   shows it all live. When the window closes the server keeps running
 *   for the user to connect psql to; how is printed.
 *
 *     minipg-viz  ->  Demo::Start  ->  minipg (ServerProcess)
 *                                  ->  minipg-sim tour.scn --server ...  (a child process)
 *                 <-  events on the server's event_port
 *
 * NOTES
 *   minipg-sim runs as its own process, as a teacher would run it, so the
 *   window never waits for a client. If the window closes first, the tour
 *   is interrupted (SIGINT) and its clients disconnect.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/common/error.h"
#include "sim/scenario/server_process.h"
#include "viz/ui/scenarios_window.h"

namespace minipg::viz {

class Demo {
 public:
  Demo() = default;
  ~Demo();

  /* Starts the server, made as `scenario` asks (a .scn file, "" for none).
   * A lesson that stops and starts its server itself (`server stop`,
   * `server start`) must own it: then minipg-sim starts it, at StartTour,
   * with the event port chosen here, and TourFirst() is true. */
  Status Start(const std::string& scenario);
  /* Whether StartTour must come first (the server is minipg-sim's). */
  bool TourFirst() const { return sim_owns_server_; }
  /* Starts minipg-sim on the scenario (once the window is watching), its
   * pauses played `speed` times as fast, each caption held at least
   * `hold` ("" for no minimum). */
  void StartTour(double speed, const std::string& hold);
  /* Starts the server again (same data directory and ports) after it was
   * shut down: "" or the problem. */
  std::string Restart();
  /* Whether this demo started a server (that Restart() can start again). */
  bool HasServer() const { return server_ != nullptr; }
  /* "127.0.0.1:PORT" of the server's event stream. */
  std::string EventAddress() const;
  /* Stops the tour if it still runs. With `keep_server`, leaves the server
   * running and says how to reach and stop it; otherwise (the window never
   * opened) stops it and removes its data directory. */
  void Finish(bool keep_server);

 private:
  std::unique_ptr<sim::ServerProcess> server_;
  std::string scenario_;
  pid_t tour_ = 0;
  bool sim_owns_server_ = false;
  int sim_event_port_ = 0;
};

/* The guided tour's scenario file: scenarios/tour.scn of the source tree. */
std::string DefaultTourScenario();

/* The lessons in scenarios/ of the source tree (the tour first, then in
 * the order its README lists them, then by file name), then those of each
 * folder in `more_folders` (a teacher's own), with their titles and
 * goals, for the "scenarios" window. */
std::vector<ui::ScenarioEntry> ListScenarios(const std::vector<std::string>& more_folders = {});

/* The teacher's lesson folders: those remembered in the settings file
 * (minipg-viz.conf beside imgui.ini, "lessons = DIR" lines) and those
 * `given` (--lessons), made absolute. With `remember`, a new one given is
 * written to the settings file, for the next start. */
std::vector<std::string> LessonFolders(const std::vector<std::string>& given, bool remember);

}  // namespace minipg::viz
