/*-------------------------------------------------------------------------
 * main.cpp
 *   minipg-sim: runs a teaching scenario (docs/scenarios.md).
 *
 *     minipg-sim SCENARIO [--server HOST:PORT [--setup-applied]] [--speed X] [--step] [--hold 1s]
 *
 *   Exit status: 0 every expectation held, 1 one failed, 2 the scenario
 *   could not be read or its server could not be started.
 *
 * NOTES
 *   The embedded server runs in its own process group, so a Ctrl-C at the
 *   terminal reaches only minipg-sim; its handler stops the server
 *   (immediate shutdown) before exiting, so nothing is left running.
 *-------------------------------------------------------------------------
 */
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>

#include "sim/scenario/runner.h"
#include "sim/scenario/scenario.h"

namespace {

void OnInterrupt(int) {
  pid_t server = minipg::sim::EmbeddedServerPid();
  if (server > 0) kill(server, SIGQUIT);
  _exit(130);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"minipg-sim: plays a teaching scenario against minipg"};
  std::string file;
  minipg::sim::RunOptions options;
  app.add_option("scenario", file, "the scenario file (.scn)")->required();
  app.add_option("--server", options.server,
                 "HOST:PORT of a running minipg (default: start one in a temporary data directory)");
  app.add_option("--socket-dir", options.socket_dir,
                 "with --server: the directory of its Unix socket (default /tmp)");
  app.add_option("--event-port", options.event_port,
                 "with --server: its event_port (default PORT + 1); without: the event_port of the "
                 "server minipg-sim starts (default: a free port), for a viewer to watch it");
  app.add_flag("--setup-applied", options.setup_applied,
               "with --server: it was started with the scenario's server and hba lines (as minipg-viz's "
               "demo starts it), so they need no note");
  app.add_option("-U,--user", options.user, "the clients' default user (default: the OS user)");
  app.add_option("--speed", options.speed, "play sleeps and idles X times as fast (default 1)")
      ->check(CLI::PositiveNumber);
  app.add_flag("--step", options.step, "wait for Enter at each caption and pause");
  std::string hold;
  app.add_option("--hold", hold,
                 "before each caption, hold what the last one led to on screen this long (e.g. 1s), for a storyboard");
  CLI11_PARSE(app, argc, argv);

  if (!hold.empty()) {
    auto micros = minipg::sim::ParseDuration(hold);
    if (!micros.ok()) {
      std::fprintf(stderr, "minipg-sim: --hold: expected a duration such as 1s, not \"%s\"\n", hold.c_str());
      return minipg::sim::kRunBroken;
    }
    options.hold_micros = *micros;
  }
  auto scenario = minipg::sim::LoadScenario(file);
  if (!scenario.ok()) {
    std::fprintf(stderr, "minipg-sim: %s\n", scenario.error().message.c_str());
    return minipg::sim::kRunBroken;
  }
  signal(SIGINT, OnInterrupt);
  signal(SIGPIPE, SIG_IGN);
  minipg::sim::Runner runner(*scenario, options);
  return runner.Run();
}
