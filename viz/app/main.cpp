/*-------------------------------------------------------------------------
 * main.cpp
 *   minipg-viz: the visualizer's entry point. Parses the command line and
 *   runs the App.
 *
 *     minipg-viz                               the demo: its own server and the guided tour
 *     minipg-viz --connect 127.0.0.1:5433      follow a live server
 *     minipg-viz --open trace.jsonl            replay a saved trace
 *     minipg-viz --open t.jsonl --screenshot out.png [--after-ms 1500] [--select PID]
 *     minipg-viz --tour scenarios/hello.scn --storyboard docs/images/hello
 *     minipg-viz --open t.jsonl --export-chrome out.json   (no window)
 *-------------------------------------------------------------------------
 */
#include <cstdio>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "viz/app/app.h"
#include "viz/app/demo.h"
#include "viz/model/chrome_trace.h"
#include "viz/model/source.h"

int main(int argc, char** argv) {
  minipg::viz::AppOptions options;
  CLI::App cli{"minipg-viz: watch a minipg server's processes, connections and queries"};
  auto* connect = cli.add_option("--connect", options.connect,
                                 "HOST:PORT of a server's event port (live)");
  auto* open = cli.add_option("--open", options.open, "replay a saved JSONL trace file")
                   ->check(CLI::ExistingFile);
  connect->excludes(open);
  std::string tour = minipg::viz::DefaultTourScenario();
  cli.add_option("--tour", tour,
                 "without --connect/--open: the scenario the demo plays (\"\" for none)")
      ->capture_default_str();
  auto* screenshot = cli.add_option("--screenshot", options.screenshot,
                                    "render, write a PNG to this file and exit");
  cli.add_option("--storyboard", options.storyboard,
                 "write one PNG per caption of the scenario being played into this folder "
                 "(with storyboard.md), and exit when it ends")
      ->excludes(screenshot);
  bool keep_server = false;
  cli.add_flag("--keep-server", keep_server,
               "with --storyboard: leave the server this window started running afterwards, as a "
               "window or a screenshot does (the headless demo)");
  double tour_speed = 1.0;
  cli.add_option("--tour-speed", tour_speed, "the demo's tour: play its pauses X times as fast")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cli.add_option("--after-ms", options.after_ms,
                 "with --screenshot: how long to ingest and render before taking it")
      ->check(CLI::Range(0, 600000))
      ->capture_default_str();
  std::string console_sql;
  auto* console = cli.add_option("--console", console_sql,
                                 "open a GUI client console on the server once watching, and run this SQL "
                                 "in it (\"\" to only connect)");
  cli.add_option("-U,--user", options.console_user,
                 "the role the GUI client connects as (--console, and the \"new connection\" dialog's "
                 "default; default: the OS user)");
  std::string step_spec;
  cli.add_option("--step", step_spec,
                 "with --select PID: step that backend once watching, e.g. \"attach,row*5,commit,continue\" "
                 "(attach, stage, row, page, commit, continue; the Query view's buttons)");
  cli.add_option("--frame-stats", options.frame_stats,
                 "write frame timings (JSON) to this file at exit (the scale benchmark)");
  cli.add_option("--width", options.width, "window width")
      ->check(CLI::Range(320, 8192))
      ->capture_default_str();
  cli.add_option("--height", options.height, "window height")
      ->check(CLI::Range(240, 8192))
      ->capture_default_str();
  auto* select = cli.add_option("--select", options.select_pid,
                                 "select this process at start, as a click on it would (the Query view shows it)")
                      ->check(CLI::NonNegativeNumber);
  cli.add_option("--ask", options.ask,
                 "with --select: open the confirmation of this action on the process, as a click on its "
                 "button would (nothing is sent)")
      ->check(CLI::IsMember({"cancel", "terminate", "kill", "smart", "fast", "immediate", "restart"}))
      ->needs(select);
  cli.add_option("--processes-view", options.processes_view,
                 "the Processes panel's view at start, as its radio buttons would choose")
      ->check(CLI::IsMember({"graph", "tree", "clients"}));
  std::vector<std::string> lesson_dirs;
  cli.add_option("--lessons", lesson_dirs,
                 "a folder of your own lessons (.scn) for the Scenarios window, beside scenarios/; "
                 "remembered in the settings file (minipg-viz.conf) for the next start")
      ->check(CLI::ExistingDirectory);
  cli.add_flag("--scenarios", options.show_scenarios,
               "open the Scenarios window (the lessons, to run one) at start, as the header's button would");
  std::string row_versions;
  auto* rows = cli.add_option("--row-versions", row_versions,
                              "open the Row versions window at start on this table (\"\": the one the last "
                              "query touched), as the header's button would");
  cli.add_option("--seek", options.seek_line,
                 "start paused at this line of the trace, as the playback slider would")
      ->check(CLI::PositiveNumber);
  cli.add_option("--log-size", options.log_capacity, "event log entries kept")
      ->check(CLI::Range(size_t{100}, size_t{10000000}))
      ->capture_default_str();
  cli.add_option("--span-retention", options.span_retention,
                 "finished Timeline spans held in memory before the oldest are forgotten")
      ->check(CLI::Range(size_t{1000}, size_t{100000000}))
      ->capture_default_str();
  std::string export_chrome;
  cli.add_option("--export-chrome", export_chrome,
                 "with --open: write the trace as Chrome trace-event JSON (for Perfetto) "
                 "to this file and exit, without a window")
      ->needs(open);
  CLI11_PARSE(cli, argc, argv);
  if (console->count() > 0) options.console_sql = console_sql;
  if (!step_spec.empty()) {
    std::string err;
    auto actions = minipg::viz::ParseStepActions(step_spec, &err);
    if (!actions) {
      std::fprintf(stderr, "minipg-viz: --step: %s\n", err.c_str());
      return 2;
    }
    options.step_actions = std::move(*actions);
  }
  if (rows->count() > 0) options.row_versions = row_versions;
  if (!export_chrome.empty()) {
    minipg::viz::ChromeTraceStats stats;
    std::string err = minipg::viz::ExportChromeTraceFile(options.open, export_chrome, &stats);
    if (!err.empty()) {
      std::fprintf(stderr, "minipg-viz: --export-chrome: %s\n", err.c_str());
      return 1;
    }
    std::printf("minipg-viz: wrote %s (%llu events; %llu malformed lines and %llu of unknown types skipped)\n",
                export_chrome.c_str(), static_cast<unsigned long long>(stats.events),
                static_cast<unsigned long long>(stats.malformed_lines),
                static_cast<unsigned long long>(stats.unknown_types));
    return 0;
  }
  if (!options.connect.empty()) {
    std::string host;
    int port = 0;
    std::string err = minipg::viz::ParseHostPort(options.connect, &host, &port);
    if (!err.empty()) {
      std::fprintf(stderr, "minipg-viz: --connect: %s\n", err.c_str());
      return 2;
    }
  }

  // No source: the embedded default, a server of our own and the tour.
  // The "scenarios" window replaces it with a lesson's server (any time).
  auto demo = std::make_unique<minipg::viz::Demo>();
  // A storyboard needs each caption on screen long enough for its picture.
  std::string hold = options.storyboard.empty() ? "" : "1s";
  options.on_watching = [&demo, tour_speed, hold] { demo->StartTour(tour_speed, hold); };
  options.restart_server = [&demo] { return demo->Restart(); };
  options.can_restart_server = [&demo] { return demo->HasServer(); };
  if (options.connect.empty() && options.open.empty()) {
    if (minipg::Status s = demo->Start(tour); !s.ok()) {
      std::fprintf(stderr, "minipg-viz: %s\n", s.error().message.c_str());
      return 1;
    }
    options.connect = demo->EventAddress();
    if (demo->TourFirst()) demo->StartTour(tour_speed, hold);  // its server comes with it
  }
  // A teacher's own lessons, from --lessons or the settings file; a window
  // on screen remembers a new folder (a picture-making run changes nothing).
  bool headless = !options.screenshot.empty() || !options.storyboard.empty();
  options.scenarios = minipg::viz::ListScenarios(minipg::viz::LessonFolders(lesson_dirs, !headless));
  options.run_scenario = [&demo, tour_speed, hold](const std::string& scenario, std::string* error) -> std::string {
    demo->Finish(false);  // the server the window started before goes, with its tour
    demo = std::make_unique<minipg::viz::Demo>();
    if (minipg::Status s = demo->Start(scenario); !s.ok()) {
      *error = s.error().message;
      return "";
    }
    if (demo->TourFirst()) demo->StartTour(tour_speed, hold);
    return demo->EventAddress();
  };
  int rc;
  {
    minipg::viz::App app(options);
    rc = app.Run();
  }
  // The server outlives a window that worked (not a storyboard, unless
  // asked: that is a picture-making run, which cleans up after itself).
  demo->Finish(rc == 0 && (options.storyboard.empty() || keep_server));
  return rc;
}

#if defined(__SANITIZE_ADDRESS__)
// Sanitizer builds only. Mesa's OpenGL driver leaks a few small blocks from a
// library it has already unloaded when the window closes; no suppression can
// name such a frame. So the visualizer program opts out of leak checking (its
// model, where our logic lives, is leak-checked by the unit tests). An
// ASAN_OPTIONS that sets detect_leaks itself still wins.
extern "C" const char* __asan_default_options() { return "detect_leaks=0"; }
#endif
