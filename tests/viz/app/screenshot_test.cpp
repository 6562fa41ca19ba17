/*-------------------------------------------------------------------------
 * screenshot_test.cpp
 *   Runs the real minipg-viz on a recorded trace under xvfb-run in
 *   screenshot mode and checks the PNG it writes: it exists, has the size
 *   asked for, and shows something (many distinct colours, not one flat fill).
 *
 * NOTES
 *   The binary is found through MINIPG_BIN_DIR (set by minipg_add_test),
 *   falling back to the build's bin/ directory compiled in.
 *   The test is skipped, saying why, only when xvfb-run is not installed.
 *-------------------------------------------------------------------------
 */
#define STB_IMAGE_IMPLEMENTATION
#include <stb_image.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace {

namespace fs = std::filesystem;

/* A PNG read as RGBA; ok() is false, and error() says why, if it could not be. */
class Picture {
 public:
  explicit Picture(const fs::path& png)
      : pixels_(stbi_load(png.c_str(), &w_, &h_, &channels_, 4)) {
    if (pixels_ == nullptr) error_ = png.string() + ": " + stbi_failure_reason();
  }
  ~Picture() {
    if (pixels_ != nullptr) stbi_image_free(pixels_);
  }
  Picture(const Picture&) = delete;
  Picture& operator=(const Picture&) = delete;

  bool ok() const { return pixels_ != nullptr; }
  const std::string& error() const { return error_; }
  int w() const { return w_; }
  int h() const { return h_; }
  /* The pixel at (x, y): R, G, B, A. */
  const unsigned char* At(int x, int y) const {
    return pixels_ + 4 * (static_cast<size_t>(y) * static_cast<size_t>(w_) + static_cast<size_t>(x));
  }
  uint32_t Rgb(int x, int y) const {
    const unsigned char* p = At(x, y);
    return uint32_t(p[0]) << 16 | uint32_t(p[1]) << 8 | p[2];
  }
  /* How many pixels of [x0,x1) x [y0,y1) (clipped to the picture) are `rgb`. */
  int Count(uint32_t rgb, int x0, int y0, int x1, int y1) const {
    int count = 0;
    for (int y = std::max(0, y0); y < std::min(h_, y1); ++y) {
      for (int x = std::max(0, x0); x < std::min(w_, x1); ++x) count += Rgb(x, y) == rgb ? 1 : 0;
    }
    return count;
  }
  int Count(uint32_t rgb) const { return Count(rgb, 0, 0, w_, h_); }
  size_t DistinctColours() const {
    std::set<uint32_t> colours;
    for (int y = 0; y < h_; ++y) {
      for (int x = 0; x < w_; ++x) colours.insert(Rgb(x, y));
    }
    return colours.size();
  }

 private:
  int w_ = 0, h_ = 0, channels_ = 0;
  unsigned char* pixels_;
  std::string error_;
};

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

bool HaveXvfbRun() { return std::system("command -v xvfb-run >/dev/null 2>&1") == 0; }

/* MINIPG_BIN_DIR from the environment, else the build's bin/ directory. */
std::string VizBinary() {
  const char* dir = std::getenv("MINIPG_BIN_DIR");
  return std::string(dir != nullptr && *dir != '\0' ? dir : MINIPG_VIZ_BIN_DIR) + "/minipg-viz";
}

/* Runs a shell command, returns its exit status (-1 if it did not exit). */
int RunCommand(const std::string& cmd, std::string* output) {
  std::string full = cmd + " 2>&1";
  FILE* pipe = ::popen(full.c_str(), "r");
  if (pipe == nullptr) return -1;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) output->append(buf, n);
  int status = ::pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * Each test gets the binary checked (a missing one fails every test) and a
 * fresh temporary directory, removed afterwards however the test ends.
 * Tests that render skip, saying why, only when xvfb-run is not installed.
 */
class ScreenshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(VizBinary())) << VizBinary() << " does not exist";
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("minipg-viz-" + std::string(info->name()) + "-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  fs::path dir_;
};

// Scenario: replaying a trace with three live backends and a crashed one
// produces a real picture of the requested size.
TEST_F(ScreenshotTest, ReplayedTraceRendersToPng) {
  if (!HaveXvfbRun()) GTEST_SKIP() << "xvfb-run is not installed (apt-get install xvfb)";
  const fs::path& dir = dir_;
  fs::path png = dir / "out.png";
  std::string trace = std::string(MINIPG_VIZ_TEST_DATA) + "/three_backends.jsonl";

  std::string cmd = "xvfb-run -a -s '-screen 0 1600x1000x24' " + ShellQuote(VizBinary()) +
                    " --open " + ShellQuote(trace) + " --screenshot " + ShellQuote(png.string()) +
                    " --after-ms 300 --width 1024 --height 640";
  std::string output;
  int rc = RunCommand(cmd, &output);
  ASSERT_EQ(rc, 0) << cmd << "\n" << output;
  EXPECT_NE(output.find("minipg-viz: wrote screenshot to"), std::string::npos) << output;
  ASSERT_TRUE(fs::exists(png)) << output;

  Picture picture(png);
  ASSERT_TRUE(picture.ok()) << picture.error();
  EXPECT_EQ(picture.w(), 1024);
  EXPECT_EQ(picture.h(), 640);
  // Text, boxes in several state colours, lines: far more than a blank frame.
  EXPECT_GT(picture.DistinctColours(), 20u) << "the screenshot looks blank";
}

/* Whether a rendered PNG shows something: text, boxes, colours. */
void ExpectRealPicture(const fs::path& png) {
  Picture picture(png);
  ASSERT_TRUE(picture.ok()) << picture.error();
  EXPECT_GT(picture.DistinctColours(), 20u) << "the screenshot looks blank";
}

// Scenario: a recorded session with a scenario, three clients, a cancel, a
// crash and a shutdown, at the classroom size 1280x800: the picture is
// real, and the Timeline drew its lanes and arrows (the pale background of
// a process's life and the dark teal of a fork arrow appear in no other
// panel).
TEST_F(ScreenshotTest, TimelineOfExportSession) {
  if (!HaveXvfbRun()) GTEST_SKIP() << "xvfb-run is not installed (apt-get install xvfb)";
  const fs::path& dir = dir_;
  fs::path png = dir / "timeline.png";
  std::string trace = std::string(MINIPG_VIZ_TEST_DATA) + "/export_session.jsonl";
  std::string output;
  int rc = RunCommand("xvfb-run -a -s '-screen 0 1280x800x24' " + ShellQuote(VizBinary()) + " --open " +
                          ShellQuote(trace) + " --screenshot " + ShellQuote(png.string()) +
                          " --after-ms 300 --width 1280 --height 800",
                      &output);
  ASSERT_EQ(rc, 0) << output;
  ASSERT_TRUE(fs::exists(png)) << output;
  ExpectRealPicture(png);
  Picture picture(png);
  ASSERT_TRUE(picture.ok()) << picture.error();
  EXPECT_GT(picture.Count(0xD6E0EE), 2000) << "no process lives drawn in the Timeline";  // SpanFill of a life
  EXPECT_GT(picture.Count(0x00695C), 100) << "no fork arrows drawn in the Timeline";      // FlowColor(kFork)
}

/* The mean x of the playback cursor's orange in the Timeline (the lower
 * left of the 1280x800 layout), or -1 if it is not there. */
double CursorX(const fs::path& png) {
  Picture picture(png);
  if (!picture.ok()) return -1;
  double sum = 0;
  size_t n = 0;
  for (int y = picture.h() / 2; y < picture.h(); ++y) {
    for (int x = 0; x < picture.w() * 58 / 100; ++x) {
      if (picture.Rgb(x, y) == 0xE65100) {  // kCursor
        sum += x;
        ++n;
      }
    }
  }
  return n < 50 ? -1 : sum / static_cast<double>(n);
}

/* The share of pixels in [x0,x1)x[y0,y1) that differ between two pictures of one size. */
double ChangedShare(const fs::path& a, const fs::path& b, int x0, int y0, int x1, int y1) {
  Picture pa(a), pb(b);
  if (!pa.ok() || !pb.ok() || pa.w() != pb.w() || pa.h() != pb.h() || x1 > pa.w() || y1 > pa.h()) {
    ADD_FAILURE() << "cannot compare " << a << " with " << b << " " << pa.error() << pb.error();
    return -1.0;
  }
  size_t changed = 0;
  for (int y = y0; y < y1; ++y) {
    for (int x = x0; x < x1; ++x) changed += pa.Rgb(x, y) != pb.Rgb(x, y) ? 1 : 0;
  }
  return static_cast<double>(changed) / static_cast<double>((x1 - x0) * (y1 - y0));
}

/* Runs minipg-viz on export_session.jsonl at 1280x800 with `extra` flags
 * (and `env`, "NAME=value ", before the command). */
fs::path ShootSession(const fs::path& dir, const std::string& name, const std::string& extra,
                      std::string* output, const std::string& env = "") {
  fs::path png = dir / name;
  std::string trace = std::string(MINIPG_VIZ_TEST_DATA) + "/export_session.jsonl";
  int rc = RunCommand(env + "xvfb-run -a -s '-screen 0 1280x800x24' " + ShellQuote(VizBinary()) + " --open " +
                          ShellQuote(trace) + " --screenshot " + ShellQuote(png.string()) +
                          " --after-ms 300 --width 1280 --height 800" + extra,
                      output);
  EXPECT_EQ(rc, 0) << *output;
  return png;
}

// Scenario: a trace opened at a given line (--seek, as the playback slider
// would) shows that moment, paused: Bob's backend, the checkpointer and the
// collector still alive in crash recovery, where the whole trace ends with
// everything stopped; the Timeline's playback cursor marks the moment.
TEST_F(ScreenshotTest, PausedMidReplayShowsThatMoment) {
  if (!HaveXvfbRun()) GTEST_SKIP() << "xvfb-run is not installed (apt-get install xvfb)";
  const fs::path& dir = dir_;
  std::string at_64, at_end;
  fs::path mid = ShootSession(dir, "mid.png", " --seek 64", &at_64);
  fs::path end = ShootSession(dir, "end.png", "", &at_end);
  ASSERT_TRUE(fs::exists(mid)) << at_64;
  ASSERT_TRUE(fs::exists(end)) << at_end;
  ExpectRealPicture(mid);
  EXPECT_NE(at_64.find("(4 live processes)"), std::string::npos) << at_64;
  EXPECT_NE(at_end.find("(0 live processes)"), std::string::npos) << at_end;
  // Paused, the Timeline marks the moment shown: 63 of 113 events in, well
  // inside the trace's time span. Followed to its end, the file is shown
  // live, without a cursor.
  double mid_x = CursorX(mid);
  ASSERT_GT(mid_x, 0) << "no playback cursor in the Timeline";
  EXPECT_LT(mid_x, 1280 * 0.58 * 0.85) << "the cursor is not where the trace was cut";
  EXPECT_LT(CursorX(end), 0) << "a cursor in live mode";
}

// Scenario: the same session cut off before the crash, so that Bob's
// backend is still alive: the stages of its finished CHECKPOINT show inside
// its still-open life (the deep blue of "execute" is the Timeline's alone).
TEST_F(ScreenshotTest, TimelineShowsFinishedQueriesOfALiveProcess) {
  if (!HaveXvfbRun()) GTEST_SKIP() << "xvfb-run is not installed (apt-get install xvfb)";
  const fs::path& dir = dir_;
  fs::path trace = dir / "cut.jsonl";
  {
    std::ifstream in(std::string(MINIPG_VIZ_TEST_DATA) + "/export_session.jsonl");
    std::ofstream out(trace);
    std::string line;
    for (int i = 0; i < 59 && std::getline(in, line); ++i) out << line << "\n";
  }
  fs::path png = dir / "timeline.png";
  std::string output;
  int rc = RunCommand("xvfb-run -a -s '-screen 0 1280x800x24' " + ShellQuote(VizBinary()) + " --open " +
                          ShellQuote(trace.string()) + " --screenshot " + ShellQuote(png.string()) +
                          " --after-ms 300 --width 1280 --height 800",
                      &output);
  ASSERT_EQ(rc, 0) << output;
  Picture picture(png);
  ASSERT_TRUE(picture.ok()) << picture.error();
  EXPECT_GT(picture.Count(0x1E5AC8), 50) << "the finished query's stages are hidden";  // SpanFill of an execute stage
}

// Scenario: with no arguments (the README's demo) the program starts its own
// server, plays the guided tour against it, and leaves the server running
// for the user, saying how to reach it and stop it.
TEST_F(ScreenshotTest, DemoStartsItsOwnServerAndTour) {
  if (!HaveXvfbRun()) GTEST_SKIP() << "xvfb-run is not installed (apt-get install xvfb)";
  const fs::path& dir = dir_;
  fs::path png = dir / "demo.png";
  std::string output;
  int rc = RunCommand("xvfb-run -a -s '-screen 0 1280x800x24' " + ShellQuote(VizBinary()) + " --screenshot " +
                          ShellQuote(png.string()) + " --after-ms 8000",
                      &output);
  EXPECT_EQ(rc, 0) << output;
  EXPECT_NE(output.find("minipg-viz: playing the guided tour"), std::string::npos) << output;
  EXPECT_NE(output.find("[1] The postmaster is listening."), std::string::npos) << output;
  // The demo made the server as the tour asks: minipg-sim has nothing to note.
  EXPECT_EQ(output.find("minipg-sim: note:"), std::string::npos) << output;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(output, m, std::regex(R"(still running \(pid (\d+)\))"))) << output;
  pid_t server = static_cast<pid_t>(std::stol(m[1]));
  std::smatch d;
  ASSERT_TRUE(std::regex_search(output, d, std::regex(R"(psql -h (\S+) -p (\d+) -d postgres)"))) << output;
  EXPECT_EQ(::kill(server, 0), 0) << "the demo's server should still be running";
  std::string psql_out;
  if (std::system("command -v psql >/dev/null 2>&1") == 0) {
    EXPECT_EQ(RunCommand("psql -X -A -t -h " + d[1].str() + " -p " + d[2].str() + " -d postgres -c 'SELECT 40 + 2'",
                         &psql_out),
              0)
        << psql_out;
    EXPECT_NE(psql_out.find("42"), std::string::npos) << psql_out;
  }
  ::kill(server, SIGINT);  // as the output says
  for (int i = 0; i < 500 && ::kill(server, 0) == 0; ++i) ::usleep(20000);
  EXPECT_NE(::kill(server, 0), 0) << "the server did not stop on SIGINT";
  ExpectRealPicture(png);
  fs::remove_all(d[1].str());
}

// Scenario: the GUI client. The demo's server without a tour, and --console
// opening a console on it as "new connection" would (the screenshot waits
// for its connection and its query, however slow): the model then holds
// the console's backend beside the postmaster and its five auxiliary
// processes (collector, checkpointer, background writer, walwriter,
// autovacuum launcher), and the console got psql's answer to its query.
TEST_F(ScreenshotTest, ConsoleOfTheGuiClient) {
  if (!HaveXvfbRun()) GTEST_SKIP() << "xvfb-run is not installed (apt-get install xvfb)";
  const fs::path& dir = dir_;
  fs::path png = dir / "console.png";
  std::string output;
  int rc = RunCommand("xvfb-run -a -s '-screen 0 1280x800x24' " + ShellQuote(VizBinary()) +
                          " --tour '' --console 'SELECT 40 + 2 AS answer;' --screenshot " +
                          ShellQuote(png.string()) + " --after-ms 1000",
                      &output);
  EXPECT_EQ(rc, 0) << output;
  EXPECT_NE(output.find("(7 live processes)"), std::string::npos) << output;
  EXPECT_NE(output.find("console 1| => SELECT 40 + 2 AS answer;"), std::string::npos) << output;
  EXPECT_NE(output.find("console 1|      42"), std::string::npos) << output;
  EXPECT_NE(output.find("console 1| (1 row)"), std::string::npos) << output;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(output, m, std::regex(R"(still running \(pid (\d+)\))"))) << output;
  pid_t server = static_cast<pid_t>(std::stol(m[1]));
  ::kill(server, SIGINT);
  for (int i = 0; i < 500 && ::kill(server, 0) == 0; ++i) ::usleep(20000);
  EXPECT_NE(::kill(server, 0), 0) << "the server did not stop on SIGINT";
  ExpectRealPicture(png);
  std::smatch d;
  if (std::regex_search(output, d, std::regex(R"(psql -h (\S+) -p)"))) fs::remove_all(d[1].str());
}

// Scenario: a storyboard of the hello lesson: one picture per caption, each
// showing what the caption's steps led to (the live processes the model
// held then), an index of them, and no server left behind.
TEST_F(ScreenshotTest, StoryboardOfHello) {
  if (!HaveXvfbRun()) GTEST_SKIP() << "xvfb-run is not installed (apt-get install xvfb)";
  const fs::path dir = dir_ / "storyboard";  // the program makes it
  std::string output;
  int rc = RunCommand("xvfb-run -a -s '-screen 0 1280x800x24' " + ShellQuote(VizBinary()) + " --tour " +
                          ShellQuote(std::string(MINIPG_SOURCE_DIR) + "/scenarios/hello.scn") + " --storyboard " +
                          ShellQuote(dir.string()),
                      &output);
  EXPECT_EQ(rc, 0) << output;
  // postmaster, collector, checkpointer, background writer, walwriter,
  // autovacuum launcher, and:
  // Alice's backend; still hers; none.
  for (const char* line : {"storyboard 01.png (7 live processes): Alice connects.",
                           "storyboard 02.png (7 live processes): Her queries go to her backend",
                           "storyboard 03.png (6 live processes): She leaves politely"}) {
    EXPECT_NE(output.find(line), std::string::npos) << line << "\n" << output;
  }
  for (const char* png : {"01.png", "02.png", "03.png"}) {
    ASSERT_TRUE(fs::exists(dir / png)) << png << "\n" << output;
    ExpectRealPicture(dir / png);
  }
  EXPECT_FALSE(fs::exists(dir / "04.png"));
  std::ifstream index(dir / "storyboard.md");
  std::string text((std::istreambuf_iterator<char>(index)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("# Hello"), std::string::npos) << text;
  EXPECT_NE(text.find("2. Her queries go to her backend"), std::string::npos) << text;
  EXPECT_NE(text.find("![step 3](03.png)"), std::string::npos) << text;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(output, m, std::regex(R"(started minipg \(pid (\d+)\))"))) << output;
  EXPECT_NE(::kill(static_cast<pid_t>(std::stol(m[1])), 0), 0) << "a storyboard run leaves no server running";
  EXPECT_EQ(output.find("still running"), std::string::npos) << output;
}

// Scenario: a lesson's `snapshot` takes its caption's picture there: the
// terminate lesson's last picture shows the administrator's and Bob's new
// backends (the postmaster, its five auxiliary processes and those two),
// not the end of the lesson, after both left.
TEST_F(ScreenshotTest, StoryboardTakesThePictureAtTheSnapshot) {
  if (!HaveXvfbRun()) GTEST_SKIP() << "xvfb-run is not installed (apt-get install xvfb)";
  std::string output;
  int rc = RunCommand("xvfb-run -a -s '-screen 0 1280x800x24' " + ShellQuote(VizBinary()) + " --tour " +
                          ShellQuote(std::string(MINIPG_SOURCE_DIR) + "/scenarios/terminate.scn") + " --storyboard " +
                          ShellQuote((dir_ / "terminate").string()),
                      &output);
  EXPECT_EQ(rc, 0) << output;
  EXPECT_NE(output.find("storyboard 04.png (8 live processes): The administrator's own session is untouched"),
            std::string::npos)
      << output;
  EXPECT_TRUE(fs::exists(dir_ / "terminate" / "04.png")) << output;
}

/* How many pixels of exactly this colour lie in [x0,x1) x [y0,y1). */
int CountColour(const fs::path& png, uint32_t rgb, int x0, int y0, int x1, int y1) {
  Picture picture(png);
  if (!picture.ok()) {
    ADD_FAILURE() << picture.error();
    return -1;
  }
  return picture.Count(rgb, x0, y0, x1, y1);
}

// Scenario: a recorded session (query_select.jsonl: alice's finished
// SELECT with a five-node plan, bob's SELECT from a missing table). With
// --select the Query view (the lower right) shows alice's query: its five
// stage boxes filled pale blue, none red. Without a selection it shows the
// most recently active backend, bob's, whose analyze box is red.
TEST_F(ScreenshotTest, QueryViewOfSelectedBackend) {
  if (!HaveXvfbRun()) GTEST_SKIP() << "xvfb-run is not installed (apt-get install xvfb)";
  const fs::path& dir = dir_;
  std::string trace = std::string(MINIPG_VIZ_TEST_DATA) + "/query_select.jsonl";
  auto shoot = [&](const fs::path& png, const std::string& extra) {
    std::string output;
    std::string cmd = "xvfb-run -a -s '-screen 0 1280x800x24' " + ShellQuote(VizBinary()) + " --open " +
                      ShellQuote(trace) + " --screenshot " + ShellQuote(png.string()) + " --after-ms 300" + extra;
    EXPECT_EQ(RunCommand(cmd, &output), 0) << cmd << "\n" << output;
    EXPECT_TRUE(fs::exists(png)) << output;
  };
  constexpr uint32_t kStageRan = 0xC8DEF8;     // query_panel.cpp kBoxSeen (200, 222, 248)
  constexpr uint32_t kStageFailed = 0xD32F2F;  // theme.cpp "crashed" fill (211, 47, 47)
  // The Query view: the right column (from 55 % of the width), below Activity.
  const int x0 = 720, y0 = 330, x1 = 1280, y1 = 800;

  fs::path selected = dir / "selected.png";
  shoot(selected, " --select 13219");
  ExpectRealPicture(selected);
  EXPECT_GT(CountColour(selected, kStageRan, x0, y0, x1, y1), 5 * 1000) << "five stage boxes that ran";
  EXPECT_EQ(CountColour(selected, kStageFailed, x0, y0, x1, y1), 0) << "no failed stage";

  fs::path fallback = dir / "fallback.png";
  shoot(fallback, "");
  ExpectRealPicture(fallback);
  EXPECT_GT(CountColour(fallback, kStageFailed, x0, y0, x1, y1), 1000) << "bob's analyze failed";
}

/* Replays a trace of data/ at 1280x800 into `png` (with `extra` flags);
 * what the run printed. */
std::string ShootAt1280(const std::string& trace_name, const fs::path& png, const std::string& extra) {
  std::string trace = std::string(MINIPG_VIZ_TEST_DATA) + "/" + trace_name;
  std::string output;
  std::string cmd = "xvfb-run -a -s '-screen 0 1280x800x24' " + ShellQuote(VizBinary()) + " --open " +
                    ShellQuote(trace) + " --screenshot " + ShellQuote(png.string()) +
                    " --after-ms 300 --width 1280 --height 800" + extra;
  EXPECT_EQ(RunCommand(cmd, &output), 0) << cmd << "\n" << output;
  return output;
}

// Scenario: lock_wait.jsonl, alice's INSERT waiting a second for table t's
// lock. Seeking into the wait (line 15), her backend's box in Processes
// (the upper left) is the brown of "waiting"; at the end of the trace (she
// got the lock, the INSERT is done) the box is not, and the Timeline (the
// lower left) shows the wait as a span of that brown.
TEST_F(ScreenshotTest, ABackendWaitingForALockIsDrawnWaiting) {
  if (!HaveXvfbRun()) GTEST_SKIP() << "xvfb-run is not installed (apt-get install xvfb)";
  auto shoot = [](const fs::path& png, const std::string& extra) { ShootAt1280("lock_wait.jsonl", png, extra); };
  constexpr uint32_t kWaiting = 0x795548;  // theme.cpp "waiting" fill (121, 85, 72)
  fs::path waiting = dir_ / "waiting.png", done = dir_ / "done.png";
  shoot(waiting, " --seek 15");
  shoot(done, "");
  EXPECT_GT(CountColour(waiting, kWaiting, 0, 230, 740, 465), 5000) << "no waiting backend box";
  EXPECT_EQ(CountColour(done, kWaiting, 0, 230, 740, 465), 0) << "still drawn waiting after the lock was granted";
  EXPECT_GT(CountColour(done, kWaiting, 160, 560, 740, 800), 500) << "no lock wait span";
}

// Scenario: deadlock.jsonl, alice (200) and bob (201) waiting for each
// other's transaction while dave's DROP TABLE (203) waits for three
// holders. At the deadlock event (line 110) the cycle is drawn in the
// warning orange in Processes (the upper left) and the run names the
// arrows it drew; at the end (bob got his 40P01, alice committed) no
// orange is left and dave waits for carol (202) alone.
TEST_F(ScreenshotTest, WaitForGraphAndDeadlockCycle) {
  if (!HaveXvfbRun()) GTEST_SKIP() << "xvfb-run is not installed (apt-get install xvfb)";
  auto shoot = [](const fs::path& png, const std::string& extra) {
    return ShootAt1280("deadlock.jsonl", png, extra);
  };
  constexpr uint32_t kDeadlockOrange = 0xE65100;  // transaction_view.h kDeadlockArrow (230, 81, 0)
  fs::path cycle = dir_ / "cycle.png", end = dir_ / "end.png";
  std::string at_cycle = shoot(cycle, " --seek 110");
  EXPECT_NE(at_cycle.find("waits: 200 -> 201 ShareLock on transaction 746 (deadlock)"), std::string::npos)
      << at_cycle;
  EXPECT_NE(at_cycle.find("waits: 201 -> 200 ShareLock on transaction 745 (deadlock)"), std::string::npos)
      << at_cycle;
  EXPECT_NE(at_cycle.find("waits: 203 -> 202 AccessExclusiveLock on relation \"accounts\"\n"),
            std::string::npos) << at_cycle;
  EXPECT_NE(at_cycle.find("deadlock: victim 201"), std::string::npos) << at_cycle;
  EXPECT_GT(CountColour(cycle, kDeadlockOrange, 0, 100, 740, 465), 1500) << "no deadlock cycle drawn";

  std::string at_end = shoot(end, "");
  EXPECT_EQ(at_end.find("(deadlock)"), std::string::npos) << at_end;
  EXPECT_NE(at_end.find("waits: 203 -> 202 AccessExclusiveLock"), std::string::npos) << at_end;
  EXPECT_EQ(at_end.find("waits: 203 -> 200"), std::string::npos) << at_end;
  EXPECT_EQ(CountColour(end, kDeadlockOrange, 0, 100, 740, 465), 0) << "the cycle outlived the victim's error";
}

struct PrintedRect {
  std::string what;
  float x0, y0, x1, y1;
  bool Overlaps(const PrintedRect& o) const { return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1; }
};

/* The rectangles a headless run printed after `prefix` ("wait label: ",
 * "box: "): "<what> at X0,Y0 X1,Y1". */
std::vector<PrintedRect> PrintedRects(const std::string& output, const std::string& prefix) {
  std::vector<PrintedRect> out;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    std::string head = "minipg-viz: " + prefix;
    if (line.rfind(head, 0) != 0) continue;
    size_t at = line.find(" at ");
    if (at == std::string::npos) continue;
    PrintedRect r{line.substr(head.size(), at - head.size()), 0, 0, 0, 0};
    if (std::sscanf(line.c_str() + at, " at %f,%f %f,%f", &r.x0, &r.y0, &r.x1, &r.y1) == 4) out.push_back(r);
  }
  return out;
}

// Scenario: deadlock.jsonl at bob's lock_wait (line 109), the moment the
// cycle closes, before the detector's deadlock event: alice (200) and bob
// (201) are drawn as a deadlock already (orange arrows and outlines, a
// banner, "(cycle)" in the transcript); a line earlier (alice waits, bob
// does not yet) nothing is orange. Every wait label is readable: none
// overlaps another label or any process box (they did: the three labels
// of this moment sat on the boxes' edges and on each other).
TEST_F(ScreenshotTest, TheCycleIsADeadlockBeforeTheDetectorAndLabelsAreReadable) {
  if (!HaveXvfbRun()) GTEST_SKIP() << "xvfb-run is not installed (apt-get install xvfb)";
  constexpr uint32_t kDeadlockOrange = 0xE65100;  // transaction_view.h kDeadlockArrow
  fs::path closed = dir_ / "closed.png", before = dir_ / "before.png";
  std::string at_closed = ShootAt1280("deadlock.jsonl", closed, " --seek 109");
  EXPECT_NE(at_closed.find("waits: 200 -> 201 ShareLock on transaction 746 (cycle)"), std::string::npos)
      << at_closed;
  EXPECT_NE(at_closed.find("waits: 201 -> 200 ShareLock on transaction 745 (cycle)"), std::string::npos)
      << at_closed;
  EXPECT_NE(at_closed.find("deadlock: cycle 200 -> 201 -> 200, not yet detected"), std::string::npos)
      << at_closed;
  EXPECT_EQ(at_closed.find("anomaly:"), std::string::npos) << at_closed;
  EXPECT_GT(CountColour(closed, kDeadlockOrange, 0, 100, 740, 465), 1500) << "no cycle drawn";
  std::vector<PrintedRect> labels = PrintedRects(at_closed, "wait label: ");
  std::vector<PrintedRect> boxes = PrintedRects(at_closed, "box: ");
  EXPECT_EQ(labels.size(), 3u) << at_closed;  // alice's, bob's, and dave's (once for three holders)
  EXPECT_GE(boxes.size(), 5u) << at_closed;
  for (size_t i = 0; i < labels.size(); ++i) {
    EXPECT_GT(labels[i].x1 - labels[i].x0, 20.0f) << labels[i].what;
    for (size_t j = 0; j < i; ++j) {
      EXPECT_FALSE(labels[i].Overlaps(labels[j])) << labels[i].what << " over " << labels[j].what;
    }
    for (const PrintedRect& b : boxes) {
      EXPECT_FALSE(labels[i].Overlaps(b)) << labels[i].what << " over the box of " << b.what;
    }
  }

  std::string at_before = ShootAt1280("deadlock.jsonl", before, " --seek 108");
  EXPECT_EQ(at_before.find("(cycle)"), std::string::npos) << at_before;
  EXPECT_EQ(CountColour(before, kDeadlockOrange, 0, 100, 740, 465), 0) << "orange before the cycle closed";
}

// Scenario: the Scenarios window (the header's "scenarios" button, or
// --scenarios) lists every lesson in scenarios/ over the panels.
TEST_F(ScreenshotTest, ScenariosWindowListsTheLessons) {
  if (!HaveXvfbRun()) GTEST_SKIP() << "xvfb-run is not installed (apt-get install xvfb)";
  const fs::path& dir = dir_;
  size_t lessons = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(MINIPG_SOURCE_DIR) / "scenarios")) {
    if (entry.path().extension() == ".scn") ++lessons;
  }
  ASSERT_GT(lessons, 5u);
  std::string with_out, without_out;
  fs::path with = ShootSession(dir, "with.png", " --scenarios", &with_out);
  fs::path without = ShootSession(dir, "without.png", "", &without_out);
  EXPECT_NE(with_out.find("showing the Scenarios window (" + std::to_string(lessons) + " lessons)"),
            std::string::npos)
      << with_out;
  EXPECT_EQ(without_out.find("Scenarios window"), std::string::npos) << without_out;
  // Listed in teaching order (scenarios/README.md's), the tour first.
  EXPECT_NE(with_out.find("lessons): tour.scn hello.scn many_clients.scn too_many_clients.scn"), std::string::npos)
      << with_out;
  ExpectRealPicture(with);
  // The window (720x560 at 120,110) covers what was there.
  EXPECT_GT(ChangedShare(with, without, 140, 130, 820, 650), 0.3);
}

// Scenario: an action on a process asks first. --ask opens the
// confirmation as a click on the button would: on Bob's backend (201,
// alive at line 64) "terminate" asks to send SIGTERM, "kill" SIGKILL; on
// the postmaster "fast" asks to send SIGINT. The question is drawn below
// the buttons (the graph there is covered); nothing is sent.
TEST_F(ScreenshotTest, ActionsAskBeforeTheyAct) {
  if (!HaveXvfbRun()) GTEST_SKIP() << "xvfb-run is not installed (apt-get install xvfb)";
  const fs::path& dir = dir_;
  std::string plain_out, terminate_out, kill_out, fast_out;
  fs::path plain = ShootSession(dir, "plain.png", " --seek 64 --select 201", &plain_out);
  fs::path terminate = ShootSession(dir, "terminate.png", " --seek 64 --select 201 --ask terminate", &terminate_out);
  ShootSession(dir, "kill.png", " --seek 64 --select 201 --ask kill", &kill_out);
  ShootSession(dir, "fast.png", " --seek 64 --select 100 --ask fast", &fast_out);
  EXPECT_EQ(plain_out.find("asking"), std::string::npos) << plain_out;
  EXPECT_NE(terminate_out.find(R"(asking "terminate: send SIGTERM to process 201?")"), std::string::npos)
      << terminate_out;
  EXPECT_NE(kill_out.find(R"(asking "kill (crash): send SIGKILL to process 201?")"), std::string::npos)
      << kill_out;
  EXPECT_NE(fast_out.find(R"(asking "fast shutdown: send SIGINT to process 100?")"), std::string::npos)
      << fast_out;
  // The checkpointer has no "terminate" button: said, not silently ignored.
  std::string aux_out;
  ShootSession(dir, "aux.png", " --seek 64 --select 102 --ask terminate", &aux_out);
  EXPECT_NE(aux_out.find("--ask terminate: no such action on process 102"), std::string::npos) << aux_out;
  // Still the same moment, the picture only gained the question.
  EXPECT_NE(terminate_out.find("(4 live processes)"), std::string::npos) << terminate_out;
  ExpectRealPicture(terminate);
  // The Processes panel is the left 58 % under the header, playback bar and
  // caption; the question box hangs below the action buttons there.
  EXPECT_GT(ChangedShare(terminate, plain, 380, 330, 740, 450), 0.3);
  EXPECT_LT(ChangedShare(terminate, plain, 0, 560, 740, 800), 0.01) << "the Timeline changed";

  // --ask needs --select: a clear usage error.
  std::string usage_out;
  int rc = RunCommand(ShellQuote(VizBinary()) + " --ask terminate --open /dev/null", &usage_out);
  EXPECT_NE(rc, 0);
  EXPECT_NE(usage_out.find("--select"), std::string::npos) << usage_out;
}

// Scenario: the Processes panel's "clients" view (three_backends.jsonl:
// two psql-like clients over TCP, one over the Unix socket): each client a
// pale purple box beside its backend, joined by a line in the colour of its
// transport (blue TCP, teal Unix socket). The graph view has none of them.
TEST_F(ScreenshotTest, ClientsViewDrawsEachClientBesideItsBackend) {
  if (!HaveXvfbRun()) GTEST_SKIP() << "xvfb-run is not installed (apt-get install xvfb)";
  const fs::path& dir = dir_;
  std::string trace = std::string(MINIPG_VIZ_TEST_DATA) + "/three_backends.jsonl";
  auto shoot = [&](const std::string& view) {
    fs::path png = dir / (view + ".png");
    std::string output;
    int rc = RunCommand("xvfb-run -a -s '-screen 0 1280x800x24' " + ShellQuote(VizBinary()) + " --open " +
                            ShellQuote(trace) + " --screenshot " + ShellQuote(png.string()) +
                            " --after-ms 300 --processes-view " + view,
                        &output);
    EXPECT_EQ(rc, 0) << output;
    return png;
  };
  fs::path clients = shoot("clients");
  fs::path graph = shoot("graph");
  ExpectRealPicture(clients);
  ExpectRealPicture(graph);
  constexpr uint32_t kClientFill = 0xEDE7F6, kTcp = 0x2165BF, kUnix = 0x00796B;
  auto count = [](const fs::path& png, uint32_t rgb) { return CountColour(png, rgb, 0, 0, 1280, 800); };
  // Three client boxes of some 280x45 pixels each, less their text.
  EXPECT_GT(count(clients, kClientFill), 3 * 8000);
  EXPECT_LT(count(graph, kClientFill), 100);  // a stray anti-aliased pixel or so
  EXPECT_GT(count(clients, kTcp), 2 * 200) << "no TCP connection lines";
  EXPECT_GT(count(clients, kUnix), 200) << "no Unix socket connection line";
  EXPECT_LT(count(graph, kTcp), 100);
}

/* Where lanes begin and end in the Timeline's label column, below y0:
 * the top of the first lane (just under the axis line, a row of the lane
 * line's colour across the time area, x in [200, 400)), then each lane
 * separator (rows mostly of that colour in the label column, x in
 * [16, 150), one or two rows each). */
std::vector<int> LaneLines(const fs::path& png, int y0) {
  Picture picture(png);
  if (!picture.ok()) {
    ADD_FAILURE() << picture.error();
    return {};
  }
  const int h = picture.h();
  auto row_of = [&](int y, int x0, int x1) {
    int hits = 0;
    for (int x = x0; x < x1; ++x) {
      const unsigned char* p = picture.At(x, y);
      // kLaneLine (205, 210, 218), or half of it on each of two rows when
      // the line falls between pixel rows.
      if (std::abs(p[0] - 205) + std::abs(p[1] - 210) + std::abs(p[2] - 218) < 60) ++hits;
    }
    return hits > 100;
  };
  std::vector<int> lines;
  int y = y0;
  while (y < h && !row_of(y, 200, 400)) ++y;  // the axis line
  while (y < h && row_of(y, 200, 400)) ++y;
  if (y < h) lines.push_back(y);
  bool in_line = false;
  for (; y < h; ++y) {
    bool line = row_of(y, 16, 150);
    if (line && !in_line) lines.push_back(y);
    in_line = line;
  }
  return lines;
}

/* The smallest and the largest distance between neighbours. */
std::pair<int, int> Gaps(const std::vector<int>& ys) {
  int lo = 1 << 20, hi = 0;
  for (size_t i = 1; i < ys.size(); ++i) {
    lo = std::min(lo, ys[i] - ys[i - 1]);
    hi = std::max(hi, ys[i] - ys[i - 1]);
  }
  return {lo, hi};
}

/* How many neighbours, from the first, are at least `wide` apart before
 * two that are closer. */
int LeadingWideGaps(const std::vector<int>& ys, int wide) {
  int n = 0;
  for (size_t i = 1; i < ys.size() && ys[i] - ys[i - 1] >= wide; ++i) ++n;
  return n;
}

// Scenario: the whole session, everything but minipg-sim exited at its end.
// At 1280x800 its eleven lanes do not fit the Timeline at full height, so
// the lanes of processes not running at the moment shown fold into thin
// strips, backends and clients folded below the running ones. At the end
// only minipg-sim's lane (not a server process that exited) stays whole,
// and all lanes show, the postmaster's still first. At line 64 (a replay's
// moment) the postmaster, Bob's backend and both clients were running:
// their lanes come first, whole, though by the trace's end they had
// exited (backend 200, killed before line 64, folds below them).
TEST_F(ScreenshotTest, TimelineFoldsLanesNotRunningAtTheMomentShown) {
  if (!HaveXvfbRun()) GTEST_SKIP() << "xvfb-run is not installed (apt-get install xvfb)";
  std::string end_out, mid_out;
  fs::path end = ShootSession(dir_, "end.png", "", &end_out);
  fs::path mid = ShootSession(dir_, "mid.png", " --seek 64", &mid_out);
  std::vector<int> lines = LaneLines(end, 560);
  EXPECT_GE(lines.size(), 10u) << "the exited lanes did not fold";
  auto [thinnest, widest] = Gaps(lines);
  EXPECT_LE(thinnest, 16) << "no thin lane";
  EXPECT_GE(widest, 30) << "every lane folded, minipg-sim's too";
  EXPECT_EQ(LeadingWideGaps(lines, 30), 0) << "the postmaster's (folded) lane is not first";
  std::vector<int> mid_lines = LaneLines(mid, 560);
  EXPECT_GE(LeadingWideGaps(mid_lines, 30), 4) << "the lanes running at line 64 are folded";
}

// Scenario: the lines between Timeline lanes run whole across the time
// area. (ImGui draws thin lines from a texture that needs filtering; with
// the font atlas sampled unfiltered they broke into dashes, so the viewer
// draws them as geometry, each separator one solid pixel row.) At line 64
// the first three separators are each at least 90 % of the lane line's
// colour between x 170 and 540 (left of the playback cursor, past which
// the picture is dimmed), where only an arrow or two may cross them.
TEST_F(ScreenshotTest, TimelineLaneLinesAreWhole) {
  if (!HaveXvfbRun()) GTEST_SKIP() << "xvfb-run is not installed (apt-get install xvfb)";
  std::string output;
  fs::path mid = ShootSession(dir_, "mid.png", " --seek 64", &output);
  std::vector<int> lines = LaneLines(mid, 560);
  ASSERT_GE(lines.size(), 4u) << "no lanes found";
  constexpr uint32_t kLaneLine = 0xCDD2DA;
  for (size_t i = 1; i <= 3; ++i) {
    int on_line = CountColour(mid, kLaneLine, 170, lines[i] - 1, 540, lines[i] + 2);
    EXPECT_GE(on_line, (540 - 170) * 9 / 10) << "the line under lane " << i << " (y " << lines[i] << ") has gaps";
  }
}

/* 32x32 blocks (on multiples of 32) that are solid (255, 0, 0). */
int SolidRedBlocks(const fs::path& png) {
  Picture picture(png);
  if (!picture.ok()) {
    ADD_FAILURE() << picture.error();
    return -1;
  }
  int blocks = 0;
  for (int by = 0; by + 32 <= picture.h(); by += 32) {
    for (int bx = 0; bx + 32 <= picture.w(); bx += 32) {
      blocks += picture.Count(0xFF0000, bx, by, bx + 32, by + 32) == 32 * 32 ? 1 : 0;
    }
  }
  return blocks;
}

// Scenario: the session at line 64 drawn by Mesa's llvmpipe as minipg-viz
// draws it (its draw data shaped for llvmpipe's fast "linear" rasterizer,
// viz/app/software_render.h) and with that rasterizer turned off
// (LP_PERF=no_rast_linear): the same picture, pixel for pixel. So that the
// comparison means something, the fast way was taken: with shading turned
// off (LP_PERF=no_shade) llvmpipe paints what it draws the fast way solid
// red, and the general way green inside shapes and red on their edges, so
// solid red blocks are many more with the fast way allowed than without.
// (That the reshaped draw data holds the same triangles in the same order
// is software_render_test's.)
TEST_F(ScreenshotTest, TheSoftwareRenderersFastPathDrawsTheSamePicture) {
  if (!HaveXvfbRun()) GTEST_SKIP() << "xvfb-run is not installed (apt-get install xvfb)";
  std::string out;
  fs::path fast = ShootSession(dir_, "fast.png", " --seek 64", &out);
  fs::path general = ShootSession(dir_, "general.png", " --seek 64", &out, "LP_PERF=no_rast_linear ");
  EXPECT_EQ(ChangedShare(fast, general, 0, 0, 1280, 800), 0.0) << "the fast path drew another picture";
  fs::path probe = ShootSession(dir_, "probe.png", " --seek 64", &out, "LP_PERF=no_shade ");
  fs::path probe_general =
      ShootSession(dir_, "probe_general.png", " --seek 64", &out, "LP_PERF=no_shade,no_rast_linear ");
  int fast_blocks = SolidRedBlocks(probe), general_blocks = SolidRedBlocks(probe_general);
  EXPECT_GE(fast_blocks, general_blocks + 8) << "llvmpipe's fast path was not taken";
}

// Scenario: the session at line 64 (its lesson's caption 4 showing), at
// 1280x800: each panel draws its own part. The narration strip under the
// playback bar is the caption's pale yellow; the Activity table (upper
// right) shows Bob's backend with its green "idle" badge; the Event log's
// last rows (lower right) hold text that two events in they did not; the
// Processes panel's tree view is not its graph. A trace without a lesson
// has no narration strip.
TEST_F(ScreenshotTest, EveryPanelDrawsItsPart) {
  if (!HaveXvfbRun()) GTEST_SKIP() << "xvfb-run is not installed (apt-get install xvfb)";
  std::string graph_out, tree_out, early_out, plain_out;
  fs::path graph = ShootSession(dir_, "graph.png", " --seek 64", &graph_out);
  fs::path early = ShootSession(dir_, "early.png", " --seek 2", &early_out);
  fs::path tree = ShootSession(dir_, "tree.png", " --seek 64 --processes-view tree", &tree_out);
  ExpectRealPicture(graph);
  constexpr uint32_t kNarration = 0xFFF7DB, kIdleFill = 0x81C784;
  EXPECT_GT(CountColour(graph, kNarration, 0, 140, 1280, 235), 1280 * 60) << "no narration strip";
  EXPECT_GT(CountColour(graph, kIdleFill, 742, 330, 1280, 395), 300) << "no idle badge in Activity";
  // The fields column only: rows with empty text would not do.
  EXPECT_GT(ChangedShare(graph, early, 1055, 740, 1255, 795), 0.05) << "no new rows in the Event log";
  EXPECT_GT(ChangedShare(tree, graph, 0, 330, 740, 515), 0.2) << "the tree view looks like the graph";

  fs::path plain = dir_ / "plain.png";
  int rc = RunCommand("xvfb-run -a -s '-screen 0 1280x800x24' " + ShellQuote(VizBinary()) + " --open " +
                          ShellQuote(std::string(MINIPG_VIZ_TEST_DATA) + "/three_backends.jsonl") +
                          " --screenshot " + ShellQuote(plain.string()) + " --after-ms 300",
                      &plain_out);
  ASSERT_EQ(rc, 0) << plain_out;
  EXPECT_LT(CountColour(plain, kNarration, 0, 0, 1280, 800), 100) << "a narration strip without a lesson";
}

// Scenario: without any display the program says so clearly and exits 1.
TEST_F(ScreenshotTest, NoDisplayIsAClearError) {
  std::string output;
  int rc = RunCommand("env -u DISPLAY -u WAYLAND_DISPLAY " + ShellQuote(VizBinary()) +
                   " --screenshot /tmp/never.png",
               &output);
  EXPECT_EQ(rc, 1) << output;
  EXPECT_NE(output.find("minipg-viz: cannot open a window: no display"), std::string::npos)
      << output;
}

/* A copy of data/NAME in `dir` with a lesson's caption strip (a
 * scenario_start and a caption from minipg-sim, just after the hello), and
 * `from` replaced by `to` everywhere: a trace as a lesson plays it. */
fs::path WithCaption(const fs::path& dir, const std::string& name, const std::string& from = "",
                     const std::string& to = "") {
  std::ifstream in(std::string(MINIPG_VIZ_TEST_DATA) + "/" + name);
  fs::path out_path = dir / ("captioned_" + name);
  std::ofstream out(out_path);
  std::string line;
  bool first = true;
  while (std::getline(in, line)) {
    for (size_t at = from.empty() ? std::string::npos : line.find(from); at != std::string::npos;
         at = line.find(from, at + to.size())) {
      line.replace(at, from.size(), to);
    }
    out << line << "\n";
    if (first) {  // the hello's ts, a microsecond later
      std::smatch m;
      std::regex_search(line, m, std::regex(R"("ts":(\d+))"));
      long long ts = std::stoll(m[1]) + 1;
      out << R"({"type":"scenario_start","ts":)" << ts
          << R"(,"pid":99999,"title":"A lesson","goal":"A goal long enough to take a line of its own.","file":"x.scn"})"
          << "\n"
          << R"({"type":"caption","ts":)" << ts + 1
          << R"(,"pid":99999,"text":"A caption of a realistic length, as the lessons have them, on one line.","step":1,"line":3})"
          << "\n";
      first = false;
    }
  }
  return out_path;
}

/* Replays `trace` into dir/NAME.png at the default window size (1280x800)
 * on a larger screen, with `extra` flags; what the run printed. */
std::string ShootDefaultSize(const fs::path& trace, const fs::path& dir, const std::string& name,
                             const std::string& extra = "") {
  std::string output;
  std::string cmd = "xvfb-run -a -s '-screen 0 2000x1400x24' " + ShellQuote(VizBinary()) + " --open " +
                    ShellQuote(trace.string()) + " --screenshot " + ShellQuote((dir / (name + ".png")).string()) +
                    " --after-ms 300" + extra;
  EXPECT_EQ(RunCommand(cmd, &output), 0) << cmd << "\n" << output;
  return output;
}

// Scenario: at the default 1280x800, under a lesson's caption strip, the
// Query view shows the selected SELECT's whole five-node plan without
// scrolling (the plan comes before what analyze found).
TEST_F(ScreenshotTest, PlanTreeAboveTheFoldAt1280x800) {
  if (!HaveXvfbRun()) GTEST_SKIP() << "xvfb-run is not installed (apt-get install xvfb)";
  std::string output = ShootDefaultSize(WithCaption(dir_, "query_select.jsonl"), dir_, "plan", " --select 13219");
  EXPECT_NE(output.find("query view: 5 of 5 plan nodes in view"), std::string::npos) << output;
  ExpectRealPicture(dir_ / "plan.png");
}

// Scenario: at 1280x800 under a caption strip, the Activity table shows
// every row of three backends whole; an idle backend's box names its last
// command tag as a tag, not as a query.
TEST_F(ScreenshotTest, ActivityShowsSeveralRowsAt1280x800) {
  if (!HaveXvfbRun()) GTEST_SKIP() << "xvfb-run is not installed (apt-get install xvfb)";
  std::string three = ShootDefaultSize(WithCaption(dir_, "three_backends.jsonl"), dir_, "three");
  EXPECT_NE(three.find("activity: 3 rows in view"), std::string::npos) << three;
  std::string output = ShootDefaultSize(WithCaption(dir_, "query_select.jsonl"), dir_, "select");
  EXPECT_NE(output.find("| command tag: SELECT 3"), std::string::npos) << output;
  EXPECT_EQ(output.find("| last: "), std::string::npos) << output;
  EXPECT_NE(output.find("13233: idle | bob@postgres | 127.0.0.1:60042 · report | ERROR 42P01"), std::string::npos)
      << output;
  // Bob's next query succeeds: his box says so, not the older error.
  fs::path later = WithCaption(dir_, "query_select.jsonl");
  std::ofstream(later, std::ios::app)
      << R"({"type":"query_start","ts":1600000000,"pid":13233,"text":"SELECT 1"})" << "\n"
      << R"({"type":"query_done","ts":1600000100,"pid":13233,"tag":"SELECT 1","rows":1,"duration_us":100})" << "\n"
      << R"({"type":"state","ts":1600000110,"pid":13233,"state":"idle"})" << "\n"
      << R"({"type":"ready","ts":1600000120,"pid":13233,"status":"I"})" << "\n";
  std::string after = ShootDefaultSize(later, dir_, "later");
  EXPECT_NE(after.find("13233: idle | bob@postgres | 127.0.0.1:60042 · report | command tag: SELECT 1"),
            std::string::npos)
      << after;
}

// Scenario: a long Unix socket directory (the postmaster's box names it)
// loses its middle, keeping its start and its distinctive end.
TEST_F(ScreenshotTest, LongSocketPathKeepsItsEnd) {
  if (!HaveXvfbRun()) GTEST_SKIP() << "xvfb-run is not installed (apt-get install xvfb)";
  const std::string long_dir = "/tmp/teaching/course_2026/week_03/sockets/minipg_sim_Zq81";
  std::string output =
      ShootDefaultSize(WithCaption(dir_, "three_backends.jsonl", "/tmp/minipg-data", long_dir), dir_, "long");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(output, m, std::regex(R"(box text: 100: [^\n]*\| (/tmp/[^|\n]*)\n)"))) << output;
  std::string shown = m[1];
  EXPECT_NE(shown.find("..."), std::string::npos) << shown;
  EXPECT_TRUE(shown.starts_with("/tmp/")) << shown;
  EXPECT_TRUE(shown.ends_with("_sim_Zq81")) << shown;
}

// Scenario: a teacher's own folder of lessons (--lessons DIR) is listed in
// the Scenarios window after the built-in ones; a folder remembered in the
// settings file is listed without the flag; a headless run writes nothing.
TEST_F(ScreenshotTest, TeachersOwnLessonsInTheScenariosMenu) {
  if (!HaveXvfbRun()) GTEST_SKIP() << "xvfb-run is not installed (apt-get install xvfb)";
  fs::path mine = dir_ / "my lessons";
  fs::create_directories(mine);
  {
    std::ofstream(mine / "my_first.scn") << "title My first\ngoal Mine.\nclient a\na connect\n";
  }
  fs::path config = dir_ / "config";
  std::string env = "XDG_CONFIG_HOME=" + ShellQuote(config.string()) + " ";
  std::string output;
  std::string trace = std::string(MINIPG_VIZ_TEST_DATA) + "/three_backends.jsonl";
  std::string base = "xvfb-run -a -s '-screen 0 1280x800x24' " + ShellQuote(VizBinary()) + " --open " +
                     ShellQuote(trace) + " --after-ms 300 --scenarios --screenshot ";
  EXPECT_EQ(RunCommand(env + base + ShellQuote((dir_ / "1.png").string()) + " --lessons " + ShellQuote(mine.string()),
                       &output),
            0)
      << output;
  EXPECT_NE(output.find(" my_first.scn\n"), std::string::npos) << output;
  EXPECT_NE(output.find("lessons): tour.scn hello.scn"), std::string::npos) << output;
  EXPECT_FALSE(fs::exists(config / "minipg" / "minipg-viz.conf")) << "a headless run remembers nothing";
  // Remembered by a window on screen: the settings file says so.
  fs::create_directories(config / "minipg");
  std::ofstream(config / "minipg" / "minipg-viz.conf") << "lessons = " << mine.string() << "\n";
  std::string again;
  EXPECT_EQ(RunCommand(env + base + ShellQuote((dir_ / "2.png").string()), &again), 0) << again;
  EXPECT_NE(again.find(" my_first.scn\n"), std::string::npos) << again;
}

// Scenario: --console --user ROLE connects the GUI client as that role,
// not as the OS user (a role that does not exist says so, by its name).
TEST_F(ScreenshotTest, ConsoleConnectsAsTheRoleAskedFor) {
  if (!HaveXvfbRun()) GTEST_SKIP() << "xvfb-run is not installed (apt-get install xvfb)";
  std::string output;
  int rc = RunCommand("xvfb-run -a -s '-screen 0 1280x800x24' " + ShellQuote(VizBinary()) +
                          " --tour '' --user no_such_role_xy --console 'SELECT 1;' --screenshot " +
                          ShellQuote((dir_ / "c.png").string()) + " --after-ms 1000",
                      &output);
  EXPECT_EQ(rc, 0) << output;
  EXPECT_NE(output.find("role \"no_such_role_xy\" does not exist"), std::string::npos) << output;
  // A console whose connection failed has nothing left to run: the picture
  // is not held back for it (the 20 s grace).
  EXPECT_EQ(output.find("console 1| => SELECT 1;"), std::string::npos) << output;
  std::smatch m;
  if (std::regex_search(output, m, std::regex(R"(still running \(pid (\d+)\))"))) {
    pid_t server = static_cast<pid_t>(std::stol(m[1]));
    ::kill(server, SIGINT);
    for (int i = 0; i < 500 && ::kill(server, 0) == 0; ++i) ::usleep(20000);
  }
  std::smatch d;
  if (std::regex_search(output, d, std::regex(R"(psql -h (\S+) -p)"))) fs::remove_all(d[1].str());
}

}  // namespace

/* Runs minipg-viz on storage.jsonl (the synthetic storage trace) paused at
 * line `seek`, the backend selected, `width` x `height`. */
fs::path ShootStorage(const fs::path& dir, const std::string& name, int seek, int width = 1280, int height = 800) {
  fs::path png = dir / name;
  std::string trace = std::string(MINIPG_VIZ_TEST_DATA) + "/storage.jsonl";
  std::string output;
  std::string cmd = "xvfb-run -a -s '-screen 0 1600x1200x24' " + ShellQuote(VizBinary()) + " --open " +
                    ShellQuote(trace) + " --seek " + std::to_string(seek) + " --select 200 --screenshot " +
                    ShellQuote(png.string()) + " --after-ms 300 --width " + std::to_string(width) + " --height " +
                    std::to_string(height);
  EXPECT_EQ(RunCommand(cmd, &output), 0) << cmd << "\n" << output;
  EXPECT_TRUE(fs::exists(png)) << output;
  return png;
}

// theme.cpp BufferFill and shared_memory_view.cpp: the cells' and the strip's colours.
constexpr uint32_t kCellClean = 0x96CDF0;    // (150, 205, 240)
constexpr uint32_t kCellDirty = 0xF5AA32;    // (245, 170, 50)
constexpr uint32_t kCellReading = 0x28AF5A;  // (40, 175, 90)
constexpr uint32_t kCellWriting = 0xD72878;  // (215, 40, 120)
constexpr uint32_t kWalFlushed = 0x78AF78;   // (120, 175, 120)
constexpr uint32_t kRedoMark = 0x6E3CB4;     // (110, 60, 180)
constexpr uint32_t kReplayMark = 0xC82828;   // (200, 40, 40)

// Scenario: storage.jsonl at the checkpointer's write (line 115): under the process graph
// (the Processes panel, upper left) the buffer pool is drawn as cells, the one being written
// in its colour and most of the others clean, and the WAL strip shows what is flushed.
// Just after the next INSERT (line 133), a dirty cell and the checkpoint's redo point appear.
TEST_F(ScreenshotTest, SharedMemoryDrawsTheBufferPoolAndTheWal) {
  if (!HaveXvfbRun()) GTEST_SKIP() << "xvfb-run is not installed (apt-get install xvfb)";
  const int x0 = 0, y0 = 140, x1 = 740, y1 = 620;  // the Processes panel at 1280x800 (72% of the height)
  fs::path writing = ShootStorage(dir_, "writing.png", 115);
  ExpectRealPicture(writing);
  int cell = CountColour(writing, kCellClean, x0, y0, x1, y1);
  EXPECT_GT(cell, 14 * 300) << "15 clean cells of at least 18x18";
  EXPECT_GT(CountColour(writing, kCellWriting, x0, y0, x1, y1), 300) << "the cell being written (and its writer)";
  EXPECT_EQ(CountColour(writing, kCellDirty, x0, y0, x1, y1), 0) << "nothing dirty after the bgwriter and checkpoint";
  EXPECT_GT(CountColour(writing, kWalFlushed, x0, y0, x1, y1), 2000) << "the WAL strip, flushed";
  EXPECT_EQ(CountColour(writing, kRedoMark, x0, y0, x1, y1), 0) << "no checkpoint completed yet";

  fs::path dirty = ShootStorage(dir_, "dirty.png", 133);
  EXPECT_GT(CountColour(dirty, kCellDirty, x0, y0, x1, y1), 300) << "items block 1, changed after the checkpoint";
  EXPECT_GT(CountColour(dirty, kRedoMark, x0, y0, x1, y1), 20) << "the redo point on the WAL strip";
}

// Scenario: the storyboard of the lesson buffers_and_wal.scn at 1280x800 (a real server
// with shared_buffers = 32, the narration's two lines over the panels): after Alice fills
// her table (02.png) the Processes panel shows her three dirty buffers and, above the
// grid, her backend's whole box (the panel is tall enough for both); after Bob's load
// (06.png) every buffer holds a page.
TEST_F(ScreenshotTest, StoryboardOfBuffersAndWal) {
  if (!HaveXvfbRun()) GTEST_SKIP() << "xvfb-run is not installed (apt-get install xvfb)";
  const fs::path dir = dir_ / "storyboard";
  std::string output;
  int rc = RunCommand("xvfb-run -a -s '-screen 0 1280x800x24' " + ShellQuote(VizBinary()) + " --tour " +
                          ShellQuote(std::string(MINIPG_SOURCE_DIR) + "/scenarios/buffers_and_wal.scn") +
                          " --storyboard " + ShellQuote(dir.string()),
                      &output);
  EXPECT_EQ(rc, 0) << output;
  EXPECT_NE(output.find("0 failed: PASSED"), std::string::npos) << output;
  for (const char* png : {"02.png", "06.png", "11.png"}) ASSERT_TRUE(fs::exists(dir / png)) << png << "\n" << output;
  const int x0 = 0, y0 = 240, x1 = 740;                      // the Processes panel, under the narration
  constexpr uint32_t kIdleBox = 0x81C784;                    // theme.cpp: idle (129, 199, 132)
  fs::path filled = dir / "02.png";
  ExpectRealPicture(filled);
  EXPECT_GT(CountColour(filled, kCellDirty, x0, y0, x1, 640), 3 * 200) << "Alice's three dirty pages";
  EXPECT_GT(CountColour(filled, kIdleBox, x0, y0, x1, 510), 5000) << "her backend's box, whole, above the grid";
  fs::path loaded = dir / "06.png";
  EXPECT_GT(CountColour(loaded, kCellClean, x0, y0, x1, 640) + CountColour(loaded, kCellDirty, x0, y0, x1, 640),
            30 * 200)
      << "every buffer holds a page";
}

// Scenario: the Query view of the join of items and orders (line 94, its query_done) lists
// the four pages it read, two read from disk (the badge in the colour of a cell being read)
// and two hits (clean); during recovery (line 152) the strip shows replay's position.
TEST_F(ScreenshotTest, QueryViewListsThePagesAQueryRead) {
  if (!HaveXvfbRun()) GTEST_SKIP() << "xvfb-run is not installed (apt-get install xvfb)";
  fs::path join = ShootStorage(dir_, "join.png", 94, 1280, 1100);
  ExpectRealPicture(join);
  const int x0 = 760, y0 = 400, x1 = 1280, y1 = 1100;  // the Query view, right column
  int reads = CountColour(join, kCellReading, x0, y0, x1, y1);
  int hits = CountColour(join, kCellClean, x0, y0, x1, y1);
  EXPECT_GT(reads, 2 * 150) << "two 'read' badges";
  EXPECT_GT(hits, 2 * 150) << "two 'hit' badges";
  EXPECT_LT(reads, 5 * 300) << "no third read badge";

  fs::path replay = ShootStorage(dir_, "replay.png", 152);
  EXPECT_GT(CountColour(replay, kReplayMark, 0, 140, 740, 620), 20) << "replay's marker on the WAL strip";
}
