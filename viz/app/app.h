/*-------------------------------------------------------------------------
 * app.h
 *   The minipg-viz application: one GLFW window with an OpenGL 3.3 context,
 *   Dear ImGui, the model, one event source and the panels. Each frame it
 *   drains a bounded amount of input into the model, then draws the panels
 *   (which only read the model).
 *
 *   Screenshot mode (--screenshot FILE): the window is created invisible
 *   and without an ini file (so pictures are reproducible); after
 *   --after-ms of ingesting and rendering (and at least kMinScreenshotFrames
 *   frames) the frame is read back with glReadPixels, written as a PNG, and
 *   the program exits.
 *
 *   Storyboard mode (--storyboard DIR): as headless, but one picture per
 *   caption of the scenario being played (NN.png, showing what the
 *   caption's steps led to: the next caption is held back until it is
 *   taken; a scenario's `snapshot` step takes it at that moment instead,
 *   holding back what follows), plus storyboard.md listing them with their captions; the
 *   program exits when the scenario ends (or the stream does).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "viz/app/frame_stats.h"
#include "viz/client/server_control.h"
#include "viz/model/model.h"
#include "viz/model/playback.h"
#include "viz/model/source.h"
#include "viz/model/spans.h"
#include "viz/ui/activity_panel.h"
#include "viz/ui/narration_panel.h"
#include "viz/ui/playback_bar.h"
#include "viz/ui/event_log_panel.h"
#include "viz/ui/processes_panel.h"
#include "viz/ui/query_panel.h"
#include "viz/ui/row_versions_panel.h"
#include "viz/ui/step_panel.h"
#include "viz/ui/scenarios_window.h"
#include "viz/ui/status_bar.h"
#include "viz/ui/timeline_panel.h"
#include "viz/ui/theme.h"
#include "viz/ui/view_state.h"

struct GLFWwindow;

namespace minipg::viz {

struct AppOptions {
  std::string connect;     // HOST:PORT of a server's event port
  std::string open;        // a saved trace file
  std::string screenshot;  // write a PNG here and exit
  std::string storyboard;  // write one PNG per scenario caption into this folder, then exit
  int after_ms = 1500;     // with screenshot: ingest/render this long first
  std::string frame_stats;  // write frame timings here (JSON) at exit: the scale benchmark
  int width = 1280;
  int height = 800;
  int64_t select_pid = 0;  // a process to select at start (0: none), as a click would
  std::string ask;         // with select_pid: open this action's confirmation (ProcessActions::Ask)
  bool show_scenarios = false;  // open the Scenarios window at start, as the header's button would
  std::string processes_view;   // the Processes panel's view at start: graph, tree or clients ("": graph)
  size_t seek_line = 0;    // replay: show the moment after this many lines, paused (0: none)
  size_t log_capacity = 10000;
  /* Finished Timeline spans held before the oldest are forgotten (the saved
   * trace keeps every event; see SpanBuilder::SetRetention). */
  size_t span_retention = 200000;
  /* Called once, when the window is up and the live source streams (the
   * demo starts its tour then, so the window sees it from the start). */
  std::function<void()> on_watching;
  /* Starts the server again ("" or the problem): the demo's, for the
   * "restart the server" action. Empty for a server the viewer did not start. */
  std::function<std::string()> restart_server;
  std::function<bool()> can_restart_server;  // whether restart_server has a server to restart
  /* Open a GUI client console once watching, and run this SQL in it ("" for none). */
  std::optional<std::string> console_sql;
  /* The role the GUI client's connections use (--console's, and the "new
   * connection" dialog's default); "" for the guess (the OS user). */
  std::string console_user;
  /* Live stepping on select_pid once watching (--step): "row*5,commit" (ParseStepActions). */
  std::vector<StepAction> step_actions;
  /* Open the Row versions window at start on this table ("": the last one touched). */
  std::optional<std::string> row_versions;
  /* The lessons listed by the "scenarios" window. */
  std::vector<ui::ScenarioEntry> scenarios;
  /* Runs a lesson on a server of its own: returns the event address to
   * watch ("" with *error set on failure). The lesson itself starts when
   * on_watching is called, once the window watches the new server. */
  std::function<std::string(const std::string& scenario, std::string* error)> run_scenario;
};

class App {
 public:
  explicit App(AppOptions options);
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  /* Runs until the window closes (or the screenshot is written); the exit code. */
  int Run();

 private:
  bool InitWindow();
  void InitImGui();
  void LoadFonts();
  void SharpFontTexture();
  void OpenSource();
  /* --seek: once that many lines are in (or the input ended), pause there. */
  void ApplyStartSeek();
  /* Nothing this frame needs drawing for: no input, no replay playing, no
   * console waiting (new events are checked by the caller). */
  bool Quiet();
  /* An empty SpanBuilder for the Timeline, with the retention asked for. */
  std::unique_ptr<SpanBuilder> NewSpans() const;
  /* The "scenarios" window's run button: a new server, source and record. */
  void RunScenario(const std::string& path);
  /* --frame-stats: the frame-time summary. */
  void WriteFrameStats();
  /* Moves at most a frame's budget of lines from the source into the model. */
  void Ingest();
  int64_t TimedIngest();  // Ingest(), returning the microseconds it took
  /* Clears the see-through panels of their own colour (backdrop.h). */
  void ClearOwnColourPanels(int fb_h);
  /* Swaps the frame handed to the renderer, if one is, and counts it. */
  void Present();
  /* Until the next frame is due (input wakes it sooner). */
  void WaitForFrame();
  /* --screenshot, after a frame is drawn: once it is time, writes the
   * picture and says so; the exit code then. */
  std::optional<int> ScreenshotStep(std::chrono::steady_clock::time_point start, int frames, int fb_w,
                                    int fb_h);
  /* One line into the model and, parsed once, into the timeline's spans. */
  void ApplyLine(SourceLine& line);
  /* Lays the windows out and draws every panel. */
  void DrawFrame();
  /* Storyboard mode, after a frame is drawn: takes the picture a caption is
   * owed; true when the storyboard is complete. */
  bool StoryboardStep(int fb_w, int fb_h, bool* failed);
  /* Storyboard mode: whether `line` must wait (a caption whose
   * predecessor has no picture yet, or anything behind one). */
  bool HoldsBack(const std::string& line) const;
  bool Headless() const { return !options_.screenshot.empty() || !options_.storyboard.empty(); }

  AppOptions options_;
  GLFWwindow* window_ = nullptr;
  bool imgui_ready_ = false;
  std::string ini_path_;
  bool software_renderer_ = false;  // Mesa's llvmpipe or softpipe (software_render.h)
  bool quiet_ = false;  // nothing happened for a while: redraw slowly (Run)
  std::chrono::steady_clock::time_point last_activity_{};
  std::chrono::steady_clock::time_point last_present_{};
  std::chrono::steady_clock::time_point frame_begin_{};     // when this frame's work began
  std::chrono::steady_clock::time_point last_frame_end_{};  // when the last frame was swapped
  bool swap_pending_ = false;  // a frame is with the renderer, not yet swapped (Present)
  int64_t ingest_us_ = 0;      // this frame's ingest time, for the frame statistics
  std::unique_ptr<Playback> playback_;  // every line received, and the model shown (live or replayed)
  std::unique_ptr<SpanBuilder> spans_;  // the Timeline's spans: every event received (not just up to the playback position), the oldest forgotten past options_.span_retention
  std::unique_ptr<EventSource> source_;
  std::string source_error_;  // set when the source could not even be made
  uint64_t source_dropped_noted_ = 0;
  bool failure_reported_ = false;  // the source's failure was printed on stderr
  std::vector<SourceLine> batch_;

  ui::Fonts fonts_;
  ui::ViewState view_state_;
  ServerControl server_control_;
  ui::Consoles consoles_;
  ui::ProcessActions process_actions_;
  ui::StatusBar status_bar_;
  ui::PlaybackBar playback_bar_;
  ui::ProcessesPanel processes_panel_;
  ui::ActivityPanel activity_panel_;
  ui::QueryPanel query_panel_;
  ui::NarrationPanel narration_panel_;
  ui::TimelinePanel timeline_panel_;
  bool narration_shown_ = false;  // the layout made room for the caption strip
  bool shmem_shown_ = false;      // ... and for shared memory under the process graph
  // Storyboard mode: the caption on screen, since when, and the pictures taken.
  int64_t story_step_ = 0;
  std::string story_caption_;
  int story_frames_ = 0;
  std::deque<SourceLine> held_;  // lines held back until the caption before them has its picture
  bool story_taken_ = true;
  bool story_snapshot_owed_ = false;  // a `snapshot` came: the picture before anything more
  int story_pictures_ = 0;
  ui::EventLogPanel event_log_panel_;
  ui::ScenariosWindow scenarios_window_;
  ui::RowVersionsPanel row_versions_panel_;
  ui::StepPanel step_panel_;
  std::chrono::steady_clock::time_point step_idle_since_{};  // --step: when its actions were last busy
  bool watch_pending_ = true;  // on_watching is owed a call once the source streams
  bool reset_layout_ = false;
  FrameStats frame_stats_;
};

}  // namespace minipg::viz
