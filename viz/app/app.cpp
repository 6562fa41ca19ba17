/*-------------------------------------------------------------------------
 * app.cpp
 *   Window, ImGui setup, the main loop and the fixed panel layout.
 *
 *   Layout (no docking in ImGui 1.86; windows are placed on first use and
 *   remembered in imgui.ini; "reset layout" or resizing the OS window
 *   places them again):
 *
 *     +---------------------------------------------------------+
 *     | header: title, source, counters, anomalies              |
 *     | playback: live / pause / step / seek / speed / save     |
 *     | narration (while a lesson plays)                        |
 *     +-------------------------------+-------------------------+
 *     | Processes (graph / tree)      | Activity                |
 *     |                               +-------------------------+
 *     +-------------------------------+ Query (selected backend)|
 *     | Timeline (lanes, spans,       +-------------------------+
 *     |   arrows)                     | Event log               |
 *     +-------------------------------+-------------------------+
 *
 * NOTES
 *   Ingest is bounded per frame (kMaxLinesPerFrame and kIngestBudget), so a
 *   burst of events costs a few frames, never a frozen window.
 *   Without a display GLFW cannot start; we say so plainly and exit 1.
 *-------------------------------------------------------------------------
 */
#include "viz/app/app.h"

#include <GLFW/glfw3.h>
#include <imgui.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string_view>

#include <fmt/format.h>

#include "viz/app/screenshot.h"
#include "viz/app/software_render.h"
#include "viz/ui/backdrop.h"

namespace minipg::viz {
namespace {

constexpr size_t kMaxLinesPerFrame = 50000;
constexpr size_t kIngestChunk = 500;  // the budget is checked after each chunk
constexpr auto kFramePeriod = std::chrono::microseconds(16667);  // 60 frames per second
constexpr auto kQuietAfter = std::chrono::milliseconds(1500);   // no events, no input this long...
constexpr auto kQuietPeriod = std::chrono::milliseconds(250);   // ...and the window redraws 4 times a second
constexpr auto kIngestBudget = std::chrono::milliseconds(10);
constexpr int kMinScreenshotFrames = 5;
constexpr size_t kScreenshotAnomalies = 20;  // anomalies a headless run lists
constexpr size_t kScreenshotBoxTexts = 40;  // process boxes whose text a headless run lists
constexpr auto kScreenshotFileGrace = std::chrono::seconds(20);  // to finish a big trace
constexpr const char* kFontDir = "/usr/share/fonts/truetype/dejavu";
constexpr float kBodyFontSize = 17.0f;
constexpr float kMonoFontSize = 15.0f;
constexpr float kTitleFontSize = 26.0f;
constexpr const char* kEmptyHint =
    "Start a minipg server, then point the visualizer at its event port (the server's "
    "port + 1 unless event_port is set):\n\n"
    "    minipg-viz --connect 127.0.0.1:5433\n\n"
    "or replay a saved trace (the server's trace_file setting):\n\n"
    "    minipg-viz --open trace.jsonl";

std::string GlfwError() {
  const char* desc = nullptr;
  glfwGetError(&desc);
  return desc != nullptr ? desc : "unknown error";
}

bool HaveDisplay() {
  const char* x = std::getenv("DISPLAY");
  const char* w = std::getenv("WAYLAND_DISPLAY");
  return (x != nullptr && *x != '\0') || (w != nullptr && *w != '\0');
}

/* $XDG_CONFIG_HOME/minipg/imgui.ini or ~/.config/minipg/imgui.ini ("" if neither). */
std::string IniPath() {
  namespace fs = std::filesystem;
  fs::path dir;
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg != nullptr && *xdg != '\0') {
    dir = fs::path(xdg) / "minipg";
  } else if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    dir = fs::path(home) / ".config" / "minipg";
  } else {
    return "";
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return "";
  return (dir / "imgui.ini").string();
}

}  // namespace

App::App(AppOptions options)
    : options_(std::move(options)),
      playback_(std::make_unique<Playback>(ModelOptions{options_.log_capacity, 64, 1000})),
      spans_(NewSpans()),
      consoles_(fonts_, view_state_),
      process_actions_(view_state_, server_control_, consoles_),
      status_bar_(fonts_),
      playback_bar_(fonts_),
      processes_panel_(fonts_, view_state_),
      activity_panel_(fonts_, view_state_),
      query_panel_(fonts_, view_state_),
      narration_panel_(fonts_),
      timeline_panel_(fonts_, view_state_),
      event_log_panel_(fonts_),
      scenarios_window_(fonts_),
      row_versions_panel_(fonts_, consoles_),
      step_panel_(fonts_, view_state_, consoles_) {
  query_panel_.set_step_panel(&step_panel_);
  processes_panel_.SetEmptyHint(kEmptyHint);
  processes_panel_.SetActions(&process_actions_);
  processes_panel_.SetAnimations(!Headless());  // pictures must not catch a box mid-slide
  server_control_.set_restart(options_.restart_server, options_.can_restart_server);
  scenarios_window_.SetEntries(options_.scenarios);
  consoles_.set_user(options_.console_user);
  view_state_.selected_pid = options_.select_pid;
  // A confirmation asked for opens once its button is drawn: with --seek,
  // after the seek (the button may come and go while the file is read).
  if (!options_.ask.empty() && options_.seek_line == 0) process_actions_.Ask(options_.ask);
  if (options_.show_scenarios) scenarios_window_.Toggle();
  if (options_.row_versions) row_versions_panel_.Show(*options_.row_versions);
  if (!options_.processes_view.empty()) processes_panel_.SetView(options_.processes_view);
}

App::~App() {
  source_.reset();
  if (imgui_ready_) {
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
  }
  if (window_ != nullptr) glfwDestroyWindow(window_);
  glfwTerminate();
}

bool App::InitWindow() {
  if (!HaveDisplay()) {
    std::fprintf(stderr,
                 "minipg-viz: cannot open a window: no display (set DISPLAY or run under "
                 "xvfb-run)\n");
    return false;
  }
  if (!glfwInit()) {
    std::fprintf(stderr, "minipg-viz: cannot open a window: %s\n", GlfwError().c_str());
    return false;
  }
  bool screenshot = Headless();
  glfwWindowHint(GLFW_VISIBLE, screenshot ? GLFW_FALSE : GLFW_TRUE);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
  // 2D only: no depth or stencil buffer (with one, llvmpipe never takes its
  // fast path; see software_render.h).
  glfwWindowHint(GLFW_DEPTH_BITS, 0);
  glfwWindowHint(GLFW_STENCIL_BITS, 0);
  const char* glsl = "#version 330";
  std::string title = "minipg-viz";
  window_ = glfwCreateWindow(options_.width, options_.height, title.c_str(), nullptr, nullptr);
  if (window_ == nullptr) {
    // No 3.3 core context: fall back to whatever the driver offers (GLSL 1.30).
    glfwDefaultWindowHints();
    glfwWindowHint(GLFW_VISIBLE, screenshot ? GLFW_FALSE : GLFW_TRUE);
    glfwWindowHint(GLFW_DEPTH_BITS, 0);
    glfwWindowHint(GLFW_STENCIL_BITS, 0);
    glsl = "#version 130";
    window_ = glfwCreateWindow(options_.width, options_.height, title.c_str(), nullptr, nullptr);
  }
  if (window_ == nullptr) {
    std::fprintf(stderr, "minipg-viz: cannot open a window: %s\n", GlfwError().c_str());
    return false;
  }
  glfwMakeContextCurrent(window_);
  glfwSwapInterval(screenshot ? 0 : 1);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  if (screenshot) {
    io.IniFilename = nullptr;  // reproducible pictures: no remembered layout
  } else {
    ini_path_ = IniPath();
    io.IniFilename = ini_path_.empty() ? nullptr : ini_path_.c_str();
  }
  LoadFonts();
  ui::ApplyStyle();
  // Mesa's software renderers shade in 4x4 pixel blocks, so a thin triangle
  // costs many times its area, and the anti-aliasing fringe is all thin
  // triangles: filled shapes and lines go without it (a fifth of a busy
  // frame's raster time; at a 4 px corner radius, or on lines that are
  // mostly level or upright, it is hard to see). Text keeps its own.
  const auto* renderer = reinterpret_cast<const char*>(glGetString(GL_RENDERER));
  software_renderer_ = renderer != nullptr && IsSoftwareRenderer(renderer);
  if (software_renderer_) {
    ImGui::GetStyle().AntiAliasedFill = false;
    ImGui::GetStyle().AntiAliasedLines = false;
  }
  ImGui_ImplGlfw_InitForOpenGL(window_, true);
  ImGui_ImplOpenGL3_Init(glsl);
  imgui_ready_ = true;
  return true;
}

/*
 * Every pixel ImGui draws samples its font texture, text or not. Mesa's
 * software renderer (Xvfb, a VM, the CI machine) spends most of a frame
 * there, and a nearest-texel fetch costs far less than a bilinear one. With
 * glyphs baked 1:1 on whole pixels (LoadFonts) the picture is the same, so
 * the texture is switched to GL_NEAREST once the backend has made it. Not
 * for the scaled fallback font, which needs filtering.
 */
void App::SharpFontTexture() {
  ImGuiIO& io = ImGui::GetIO();
  if (io.FontGlobalScale != 1.0f || io.Fonts->TexID == nullptr) return;
  auto texture = static_cast<GLuint>(reinterpret_cast<intptr_t>(io.Fonts->TexID));
  glBindTexture(GL_TEXTURE_2D, texture);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
}

void App::LoadFonts() {
  ImGuiIO& io = ImGui::GetIO();
  namespace fs = std::filesystem;
  auto load = [&](const char* file, float size) -> ImFont* {
    fs::path path = fs::path(kFontDir) / file;
    if (!fs::exists(path)) return nullptr;
    // Glyphs baked at their drawn size on whole pixels: sampled with
    // GL_NEAREST (see SharpFontTexture) they are as sharp as filtered ones.
    ImFontConfig config;
    config.OversampleH = 1;
    config.OversampleV = 1;
    config.PixelSnapH = true;
    return io.Fonts->AddFontFromFileTTF(path.c_str(), size, &config);
  };
  fonts_.body = load("DejaVuSans.ttf", kBodyFontSize);
  if (fonts_.body == nullptr) {
    // ImGui's built-in 13 px font, scaled up to stay readable on a projector.
    fonts_.body = io.Fonts->AddFontDefault();
    io.FontGlobalScale = 1.3f;
    return;
  }
  // ImGui draws thin lines from a texture baked into the font atlas that
  // needs filtering; sampled with GL_NEAREST they break into dashes, so
  // lines are drawn as geometry instead.
  io.Fonts->Flags |= ImFontAtlasFlags_NoBakedLines;
  fonts_.bold = load("DejaVuSans-Bold.ttf", kBodyFontSize);
  fonts_.mono = load("DejaVuSansMono.ttf", kMonoFontSize);
  fonts_.title = load("DejaVuSans-Bold.ttf", kTitleFontSize);
  if (fonts_.bold == nullptr) fonts_.bold = fonts_.body;
  if (fonts_.mono == nullptr) fonts_.mono = fonts_.body;
  if (fonts_.title == nullptr) fonts_.title = fonts_.bold;
}

void App::OpenSource() {
  if (!options_.open.empty()) {
    source_ = std::make_unique<FileSource>(options_.open);
  } else if (!options_.connect.empty()) {
    std::string host;
    int port = 0;
    std::string err = ParseHostPort(options_.connect, &host, &port);
    if (!err.empty()) {
      source_error_ = err;
      std::fprintf(stderr, "minipg-viz: %s\n", err.c_str());
      return;
    }
    // A quiet window sleeps up to kQuietPeriod: the first new line wakes it.
    source_ = std::make_unique<TcpSource>(host, port, /*reconnect=*/true, [] { glfwPostEmptyEvent(); });
  }
  std::string title = "minipg-viz - the PostgreSQL process model";
  if (source_ != nullptr) title += " - " + source_->Describe();
  glfwSetWindowTitle(window_, title.c_str());
}

void App::RunScenario(const std::string& path) {
  if (!options_.run_scenario) {
    scenarios_window_.SetError("this window cannot start servers");
    return;
  }
  std::string error;
  std::string address = options_.run_scenario(path, &error);
  if (address.empty()) {
    scenarios_window_.SetError(error);
    return;
  }
  scenarios_window_.SetError("");
  // A new server: a new source and a new record; the lesson starts once
  // the window watches it (on_watching).
  options_.connect = address;
  source_.reset();
  source_error_.clear();
  failure_reported_ = false;
  source_dropped_noted_ = 0;
  held_.clear();
  playback_ = std::make_unique<Playback>(ModelOptions{options_.log_capacity, 64, 1000});
  spans_ = NewSpans();
  view_state_ = ui::ViewState{};
  watch_pending_ = true;
  OpenSource();
}

void App::ApplyStartSeek() {
  if (options_.seek_line == 0 || source_ == nullptr) return;
  bool ended = source_->state() == SourceState::kEnded || source_->state() == SourceState::kFailed;
  if (playback_->size() < options_.seek_line && !ended) return;
  playback_->SeekLine(options_.seek_line);
  options_.seek_line = 0;  // once
  if (!options_.ask.empty()) process_actions_.Ask(options_.ask);
}

bool App::Quiet() {
  const ImGuiIO& io = ImGui::GetIO();
  if (io.MouseDelta.x != 0.0f || io.MouseDelta.y != 0.0f || io.MouseWheel != 0.0f ||
      io.MouseWheelH != 0.0f || io.InputQueueCharacters.Size > 0 || io.WantTextInput) {
    return false;  // input, or a text field whose cursor blinks
  }
  for (bool down : io.MouseDown) {
    if (down) return false;
  }
  for (bool down : io.KeysDown) {
    if (down) return false;
  }
  return playback_->mode() != PlaybackMode::kPlaying && !consoles_.Busy() && !step_panel_.Busy();
}

std::unique_ptr<SpanBuilder> App::NewSpans() const {
  auto spans = std::make_unique<SpanBuilder>();
  spans->SetRetention(options_.span_retention);
  return spans;
}

void App::Ingest() {
  if (source_ == nullptr) return;
  auto start = std::chrono::steady_clock::now();
  size_t total = 0;
  // Storyboard mode: lines held back behind a caption go first, once the
  // current caption has its picture.
  while (!held_.empty() && !story_snapshot_owed_ &&
         (story_taken_ || held_.front().text.find("\"type\":\"caption\"") == std::string::npos)) {
    ApplyLine(held_.front());
    held_.pop_front();
    if (playback_->live_model().narration().step != story_step_) return;  // one caption per frame
  }
  while (total < kMaxLinesPerFrame) {
    batch_.clear();
    size_t n = source_->PollLines(batch_, kIngestChunk);
    for (SourceLine& line : batch_) {
      if (HoldsBack(line.text)) {
        held_.push_back(std::move(line));
      } else {
        ApplyLine(line);
      }
    }
    total += n;
    if (n < kIngestChunk || std::chrono::steady_clock::now() - start > kIngestBudget) break;
  }
  uint64_t dropped = source_->dropped_lines();
  if (dropped > source_dropped_noted_) {
    playback_->NoteInputProblem(AnomalyKind::kDroppedEvents,
                            fmt::format("the viewer dropped {} input lines (too long, or it fell "
                                        "behind)",
                                        dropped - source_dropped_noted_));
    source_dropped_noted_ = dropped;
  }
}

/* See-through panels of their own colour (the header, the playback bar) are
 * cleared to it: a scissored clear costs the software renderer next to
 * nothing, shading their background does not. */
void App::ClearOwnColourPanels(int fb_h) {
  ImVec2 scale = ImGui::GetIO().DisplayFramebufferScale;
  glEnable(GL_SCISSOR_TEST);
  for (const ui::BackdropRect& r : ui::BackdropRects()) {
    auto x = static_cast<GLint>(r.min.x * scale.x);
    auto y = static_cast<GLint>(static_cast<float>(fb_h) - r.max.y * scale.y);
    glScissor(x, y, static_cast<GLsizei>((r.max.x - r.min.x) * scale.x),
              static_cast<GLsizei>((r.max.y - r.min.y) * scale.y));
    glClearColor(r.colour.x, r.colour.y, r.colour.z, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
  }
  glDisable(GL_SCISSOR_TEST);
}

int64_t App::TimedIngest() {
  auto start = std::chrono::steady_clock::now();
  Ingest();
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start)
      .count();
}

void App::ApplyLine(SourceLine& line) {
  // Storyboard mode: a scenario's `snapshot` means its caption's picture is
  // due now, before anything after it is shown (HoldsBack).
  if (!options_.storyboard.empty() && line.text.find("\"type\":\"caption_snapshot\"") != std::string::npos) {
    const Narration& n = playback_->live_model().narration();
    story_snapshot_owed_ = n.step > 0 && (n.step != story_step_ || !story_taken_);
  }
  // The event is the model's no more: the Timeline may take its fields.
  if (Event* ev = playback_->Append(line.text, TakeParse(line))) spans_->Add(std::move(*ev));
}

void App::DrawFrame() {
  ui::ClearBackdropRects();  // the see-through panels list themselves again
  process_actions_.BeginFrame();
  ImGuiIO& io = ImGui::GetIO();
  float w = io.DisplaySize.x;
  float h = io.DisplaySize.y;
  float header_h = status_bar_.Height(w);

  // The header is always placed; the panels on first use, on request, and
  // when the OS window changes size.
  ui::SourceStatus status;
  status.has_source = source_ != nullptr;
  if (source_ != nullptr) {
    status.description = source_->Describe();
    status.state = source_->state();
    status.error = source_->error();
  } else if (!source_error_.empty()) {
    status.has_source = true;
    status.description = options_.connect;
    status.state = SourceState::kFailed;
    status.error = source_error_;
  }
  ImGui::SetNextWindowPos(ImVec2(0, 0), ImGuiCond_Always);
  ImGui::SetNextWindowSize(ImVec2(w, header_h), ImGuiCond_Always);
  const Model& model = playback_->shown();
  ui::HeaderClicks clicks = status_bar_.Draw(model, status);
  bool reset = clicks.reset_layout;
  if (clicks.scenarios) scenarios_window_.Toggle();
  if (clicks.row_versions) row_versions_panel_.Toggle();

  // Stepping: its connection's replies, its keys, a replay's step seek.
  step_panel_.Frame(*playback_, std::chrono::duration_cast<std::chrono::microseconds>(
                                    std::chrono::steady_clock::now().time_since_epoch())
                                    .count());
  ImGuiCond cond = reset_layout_ ? ImGuiCond_Always : ImGuiCond_FirstUseEver;
  reset_layout_ = reset;
  float top = header_h;
  // Playback: live / pause / step / seek / speed, always in view.
  float playback_h = playback_bar_.Height();
  ImGui::SetNextWindowPos(ImVec2(0, top), ImGuiCond_Always);
  ImGui::SetNextWindowSize(ImVec2(w, playback_h), ImGuiCond_Always);
  playback_bar_.Draw(*playback_);
  top += playback_h;
  if (float narration_h = narration_panel_.Height(model, w); narration_h > 0.0f) {
    ImGui::SetNextWindowPos(ImVec2(0, top), ImGuiCond_Always);
    ImGui::SetNextWindowSize(ImVec2(w, narration_h), ImGuiCond_Always);
    narration_panel_.Draw(model);
    if (!narration_shown_) reset_layout_ = true;  // make room for it once
    narration_shown_ = true;
    top += narration_h;
  }
  // Left: Processes above the Timeline. Right: Activity, the selected
  // backend's Query (its plan tree needs the room), the Event log.
  float body = h - top;
  float left_w = std::floor(w * 0.58f);
  // Shared memory (the buffer pool and the WAL, once the stream tells of
  // them) is drawn under the process graph: the panel grows to hold both,
  // once, as for the narration.
  bool shmem = model.shared_memory().known();
  if (shmem && !shmem_shown_) reset_layout_ = true;
  shmem_shown_ = shmem_shown_ || shmem;
  // With shared memory the Processes panel takes most of the height:
  // at 1280x800 the graph keeps its rows and the buffer grid its cells.
  float upper_h = std::floor(body * (shmem ? 0.72f : 0.50f));
  // The right column: Activity keeps several rows, the Query view its plan
  // tree above the fold (at 1280x800 with a caption strip), the Event log
  // what is left.
  float activity_h = std::floor(body * 0.30f);
  float query_h = std::floor(body * 0.51f);

  ImGui::SetNextWindowPos(ImVec2(0, top), cond);
  ImGui::SetNextWindowSize(ImVec2(left_w, upper_h), cond);
  {
    ui::SeeThroughPanel see_through("Processes");
    processes_panel_.Draw(model);
  }

  ImGui::SetNextWindowPos(ImVec2(0, top + upper_h), cond);
  ImGui::SetNextWindowSize(ImVec2(left_w, body - upper_h), cond);
  {
    ui::SeeThroughPanel see_through("Timeline");
    timeline_panel_.Draw(*spans_, model);
  }

  ImGui::SetNextWindowPos(ImVec2(left_w, top), cond);
  ImGui::SetNextWindowSize(ImVec2(w - left_w, activity_h), cond);
  {
    ui::SeeThroughPanel see_through("Activity (pg_stat_activity)");
    activity_panel_.Draw(model);
  }

  ImGui::SetNextWindowPos(ImVec2(left_w, top + activity_h), cond);
  ImGui::SetNextWindowSize(ImVec2(w - left_w, query_h), cond);
  {
    ui::SeeThroughPanel see_through("Query");
    query_panel_.Draw(model);
  }

  ImGui::SetNextWindowPos(ImVec2(left_w, top + activity_h + query_h), cond);
  ImGui::SetNextWindowSize(ImVec2(w - left_w, body - activity_h - query_h), cond);
  {
    ui::SeeThroughPanel see_through("Event log");
    event_log_panel_.Draw(model);
  }

  status_bar_.DrawAnomaliesWindow(model);
  consoles_.DrawWindows();
  row_versions_panel_.SetLive(source_ != nullptr && source_->live());
  row_versions_panel_.Draw(model);
  if (std::string chosen = scenarios_window_.Draw(); !chosen.empty()) RunScenario(chosen);
}

int App::Run() {
  if (!InitWindow()) return 1;
  ImGui::GetIO().FontDefault = fonts_.body;
  OpenSource();

  const bool screenshot = !options_.screenshot.empty();
  const bool storyboard = !options_.storyboard.empty();
  const auto start = std::chrono::steady_clock::now();
  int frames = 0;
  int last_w = 0, last_h = 0;
  auto last_frame = start;
  last_frame_end_ = start;
  frame_begin_ = start;
  size_t lines_seen = 0;
  while (!glfwWindowShouldClose(window_)) {
    WaitForFrame();
    frame_begin_ = std::chrono::steady_clock::now();
    // What arrived while the last frame was drawn (or the line that woke a
    // quiet window). The frame statistics pair it with the frame presented
    // next, the one drawn while it was applied.
    ingest_us_ = TimedIngest();
    bool new_lines = playback_->size() != lines_seen;
    lines_seen = playback_->size();
    auto now = std::chrono::steady_clock::now();
    playback_->set_source_live(source_ != nullptr && source_->live() &&
                              source_->state() != SourceState::kEnded &&
                              source_->state() != SourceState::kFailed);
    playback_->Tick(std::chrono::duration_cast<std::chrono::microseconds>(now - last_frame).count());
    last_frame = now;
    ApplyStartSeek();
    if (view_state_.seek_to_ts) {  // a panel asked for a moment (the timeline)
      playback_->SeekTs(*view_state_.seek_to_ts);
      view_state_.seek_to_ts.reset();
    }
    view_state_.live = playback_->live();
    view_state_.cursor_ts = playback_->position_ts();
    if (watch_pending_ && source_ != nullptr && source_->state() == SourceState::kStreaming &&
        playback_->live_model().server().schema_version > 0) {
      watch_pending_ = false;  // once per source: the hello has arrived, the window is watching
      if (options_.on_watching) options_.on_watching();
      if (options_.console_sql) {  // --console: a GUI client, as "new connection" makes one
        consoles_.OpenDefault(playback_->live_model(), *options_.console_sql);
        options_.console_sql.reset();
      }
      for (StepAction a : options_.step_actions) {  // --step: queued in order on one connection
        step_panel_.Do(playback_->live_model(), options_.select_pid, a);
      }
      options_.step_actions.clear();
    }
    if (source_ != nullptr && source_->state() == SourceState::kFailed && !failure_reported_) {
      std::fprintf(stderr, "minipg-viz: %s\n", source_->error().c_str());
      failure_reported_ = true;
    }

    ImGui_ImplOpenGL3_NewFrame();
    if (frames == 0) SharpFontTexture();
    ImGui_ImplGlfw_NewFrame();
    // The window's size as the backend just read it (each GLFW size query
    // is a round trip to the X server).
    const ImGuiIO& io = ImGui::GetIO();
    auto win_w = static_cast<int>(io.DisplaySize.x), win_h = static_cast<int>(io.DisplaySize.y);
    if (frames > 0 && (win_w != last_w || win_h != last_h)) reset_layout_ = true;
    last_w = win_w;
    last_h = win_h;
    ImGui::NewFrame();
    DrawFrame();
    ImGui::Render();
    Present();  // the last frame: the renderer drew it while this one was built
    if (!Headless()) {
      // Nothing new and nothing moving: the picture on screen is still
      // right, so it is drawn again only a few times a second (ages, the
      // connection status) instead of 60, which is most of the CPU.
      auto now_done = std::chrono::steady_clock::now();
      if (new_lines || !Quiet()) last_activity_ = now_done;
      quiet_ = now_done - last_activity_ > kQuietAfter;
      if (quiet_ && now_done - last_present_ < kQuietPeriod) continue;
      last_present_ = now_done;
    }

    if (software_renderer_) ShapeForLlvmpipe(ImGui::GetDrawData());  // same picture, drawn faster
    int fb_w = static_cast<int>(io.DisplaySize.x * io.DisplayFramebufferScale.x);
    int fb_h = static_cast<int>(io.DisplaySize.y * io.DisplayFramebufferScale.y);
    glViewport(0, 0, fb_w, fb_h);
    float backdrop[4];
    ui::BackdropColor(backdrop);  // what see-through panels show
    glClearColor(backdrop[0], backdrop[1], backdrop[2], backdrop[3]);
    glClear(GL_COLOR_BUFFER_BIT);
    ClearOwnColourPanels(fb_h);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    ++frames;

    if (screenshot) {
      if (std::optional<int> exit_code = ScreenshotStep(start, frames, fb_w, fb_h)) return *exit_code;
    }
    if (storyboard) {
      bool failed = false;
      if (StoryboardStep(fb_w, fb_h, &failed)) return failed ? 1 : 0;
    }
    glFlush();  // the renderer starts on this frame now; Present() shows it
    swap_pending_ = true;
  }
  WriteFrameStats();
  return 0;
}

/* Frames are pipelined: frame N is handed to the renderer (the software
 * renderer draws on its own threads once flushed) and presented only after
 * frame N+1's events are applied and its UI built, so the two overlap
 * instead of the window waiting for the renderer every frame. */
void App::Present() {
  if (!swap_pending_) return;
  swap_pending_ = false;
  glfwSwapBuffers(window_);
  auto frame_end = std::chrono::steady_clock::now();
  frame_stats_.Add(std::chrono::duration_cast<std::chrono::microseconds>(frame_end - last_frame_end_).count(),
                   ingest_us_);
  last_frame_end_ = frame_end;
}

/* A window on screen sleeps only what is left of this frame's 1/60 s (input
 * wakes it sooner): waiting a whole period after drawing would halve the
 * rate. A quiet window (see Quiet()) waits up to its slower period. A frame
 * drawn meanwhile is shown before sleeping, not after, and the swap's own
 * time (the renderer, vsync) counts as part of the frame. Headless, frames
 * follow each other at once. */
void App::WaitForFrame() {
  if (Headless()) {
    glfwPollEvents();
    return;
  }
  auto period = quiet_ ? kQuietPeriod : kFramePeriod;
  auto left = [&] { return period - (std::chrono::steady_clock::now() - frame_begin_); };
  if (left() > std::chrono::milliseconds(1)) Present();
  if (auto rest = left(); rest > std::chrono::milliseconds(1)) {
    glfwWaitEventsTimeout(std::chrono::duration<double>(rest).count());
  } else {
    glfwPollEvents();
  }
}

std::optional<int> App::ScreenshotStep(std::chrono::steady_clock::time_point start, int frames, int fb_w,
                                       int fb_h) {
  auto elapsed = std::chrono::steady_clock::now() - start;
  bool waited = elapsed >= std::chrono::milliseconds(options_.after_ms);
  // A recording is read to its end first (within a grace period).
  bool recording_pending = source_ != nullptr && !source_->live() &&
                           source_->state() == SourceState::kStreaming && elapsed < kScreenshotFileGrace;
  // --console: its connection and SQL finish first (within the same grace).
  bool console_pending =
      (options_.console_sql.has_value() || consoles_.Busy() || row_versions_panel_.Busy()) &&
      elapsed < kScreenshotFileGrace;
  // --step: its actions finish, and their step events arrive, first.
  auto now = std::chrono::steady_clock::now();
  if (!options_.step_actions.empty() || step_panel_.Busy()) step_idle_since_ = now;
  bool step_pending = now - step_idle_since_ < std::chrono::milliseconds(400) && elapsed < kScreenshotFileGrace;
  if (!waited || frames < kMinScreenshotFrames || recording_pending || console_pending || step_pending)
    return std::nullopt;
  std::string err = WriteFramebufferPng(options_.screenshot, fb_w, fb_h);
  if (!err.empty()) {
    std::fprintf(stderr, "minipg-viz: %s\n", err.c_str());
    return 1;
  }
  std::printf("minipg-viz: wrote screenshot to %s (%zu live processes)\n", options_.screenshot.c_str(),
              playback_->shown().LiveProcessCount());
  if (scenarios_window_.open()) {
    std::string files;
    for (const ui::ScenarioEntry& e : scenarios_window_.entries()) {
      files += " " + std::filesystem::path(e.path).filename().string();
    }
    std::printf("minipg-viz: showing the Scenarios window (%zu lessons):%s\n", scenarios_window_.size(),
                files.c_str());
  }
  if (!process_actions_.question().empty()) {
    std::printf("minipg-viz: asking \"%s\"\n", process_actions_.question().c_str());
  } else if (!process_actions_.pending_ask().empty()) {
    std::printf("minipg-viz: --ask %s: no such action on process %lld at that moment\n",
                process_actions_.pending_ask().c_str(), static_cast<long long>(options_.select_pid));
  }
  // What the boxes say (the first few), and what the right column shows
  // without scrolling, as text a test can check.
  size_t boxes_listed = 0;
  for (const auto& [pid, text] : processes_panel_.box_texts()) {
    if (boxes_listed++ == kScreenshotBoxTexts) break;
    std::printf("minipg-viz: box text: %lld: %s\n", static_cast<long long>(pid), text.c_str());
  }
  std::printf("minipg-viz: activity: %d rows in view\n", activity_panel_.rows_in_view());
  if (query_panel_.plan_nodes_drawn() > 0) {
    std::printf("minipg-viz: query view: %d of %d plan nodes in view\n", query_panel_.plan_nodes_in_view(),
                query_panel_.plan_nodes_drawn());
  }
  std::fputs(consoles_.Transcript().c_str(), stdout);
  std::fputs(row_versions_panel_.Transcript(playback_->shown()).c_str(), stdout);
  if (options_.select_pid != 0) {
    std::fputs(step_panel_.Transcript(playback_->shown(), options_.select_pid).c_str(), stdout);
  }
  // The wait-for graph drawn, as text a script can check.
  const Transactions& txns = playback_->shown().transactions();
  for (const WaitEdge& e : txns.WaitForGraph()) {
    std::printf("minipg-viz: waits: %lld -> %lld %s%s\n", static_cast<long long>(e.waiter),
                static_cast<long long>(e.holder), e.label.c_str(),
                e.in_deadlock ? " (deadlock)" : e.in_cycle ? " (cycle)" : "");
  }
  if (txns.DeadlockActive()) {
    std::printf("minipg-viz: deadlock: victim %lld\n", static_cast<long long>(txns.deadlock()->victim));
  } else if (std::vector<int64_t> cycle = txns.WaitCycle(); !cycle.empty()) {
    std::string pids;
    for (int64_t pid : cycle) pids += fmt::format("{} -> ", pid);
    std::printf("minipg-viz: deadlock: cycle %s%lld, not yet detected\n", pids.c_str(),
                static_cast<long long>(cycle.front()));
  }
  // Where the graph put the wait labels, and the boxes they keep clear of.
  const auto& labels = processes_panel_.wait_labels();
  for (const ui::DrawnWaitLabel& l : labels) {
    std::printf("minipg-viz: wait label: %lld -> %lld at %.0f,%.0f %.0f,%.0f: %s\n",
                static_cast<long long>(l.waiter), static_cast<long long>(l.holder), l.rect.x0, l.rect.y0,
                l.rect.x1, l.rect.y1, l.text.c_str());
  }
  if (!labels.empty()) {
    for (const auto& [pid, r] : processes_panel_.drawn_boxes()) {
      std::printf("minipg-viz: box: %lld at %.0f,%.0f %.0f,%.0f\n", static_cast<long long>(pid), r.x0, r.y0,
                  r.x1, r.y1);
    }
  }
  // The anomalies the header counts, the oldest kept first (a few).
  const Model& shown = playback_->shown();
  size_t listed = 0;
  for (const Anomaly& a : shown.anomalies()) {
    if (listed++ == kScreenshotAnomalies) break;
    std::printf("minipg-viz: anomaly: line %llu: [%s] %s\n", static_cast<unsigned long long>(a.line_no),
                std::string(AnomalyKindName(a.kind)).c_str(), a.message.c_str());
  }
  std::fflush(stdout);
  WriteFrameStats();
  return 0;
}

void App::WriteFrameStats() {
  if (options_.frame_stats.empty()) return;
  std::string extra = fmt::format(R"("lines_received":{},"live_processes":{},"events":{})", playback_->size(),
                                  playback_->live_model().LiveProcessCount(),
                                  playback_->live_model().events_seen());
  std::string err = frame_stats_.Write(options_.frame_stats, extra);
  if (!err.empty()) std::fprintf(stderr, "minipg-viz: --frame-stats: %s\n", err.c_str());
}

bool App::StoryboardStep(int fb_w, int fb_h, bool* failed) {
  namespace fs = std::filesystem;
  const Narration& n = playback_->live_model().narration();
  if (n.step != story_step_) {  // a new caption is on screen: it is owed a picture
    story_step_ = n.step;
    story_caption_ = n.caption;
    story_frames_ = 0;
    story_taken_ = n.step == 0;
    return false;
  }
  ++story_frames_;
  bool ended = n.passed.has_value() ||
               (source_ != nullptr && (source_->state() == SourceState::kEnded ||
                                       source_->state() == SourceState::kFailed));
  // The picture shows what the caption's steps led to: it is taken at the
  // scenario's `snapshot` (what follows is held back), else when the next
  // caption is waiting (Ingest holds it back), or once the scenario ended.
  bool next_waiting = !held_.empty();
  if (!story_taken_ && story_frames_ >= kMinScreenshotFrames && (story_snapshot_owed_ || next_waiting || ended)) {
    std::error_code ec;
    fs::create_directories(options_.storyboard, ec);
    std::string name = fmt::format("{:02}.png", story_step_);
    std::string err = WriteFramebufferPng((fs::path(options_.storyboard) / name).string(), fb_w, fb_h);
    if (!err.empty()) {
      std::fprintf(stderr, "minipg-viz: %s\n", err.c_str());
      *failed = true;
      return true;
    }
    std::ofstream index(fs::path(options_.storyboard) / "storyboard.md",
                        story_pictures_ == 0 ? std::ios::trunc : std::ios::app);
    if (story_pictures_ == 0) index << "# " << n.title << "\n\n" << n.goal << "\n\n";
    index << story_step_ << ". " << story_caption_ << "\n\n   ![step " << story_step_ << "](" << name
          << ")\n\n";
    ++story_pictures_;
    story_taken_ = true;
    story_snapshot_owed_ = false;
    std::printf("minipg-viz: storyboard %s (%zu live processes): %s\n", name.c_str(), playback_->live_model().LiveProcessCount(),
                story_caption_.c_str());
    std::fflush(stdout);
  }
  if (ended && story_taken_ && held_.empty()) {
    if (story_pictures_ == 0) {
      std::fprintf(stderr, "minipg-viz: --storyboard: the stream ended without a scenario caption\n");
      *failed = true;
    }
    return true;
  }
  return false;
}

bool App::HoldsBack(const std::string& line) const {
  if (options_.storyboard.empty()) return false;
  if (!held_.empty() || story_snapshot_owed_) return true;  // keep the order; the picture first
  return !story_taken_ && line.find("\"type\":\"caption\"") != std::string::npos;
}

}  // namespace minipg::viz
