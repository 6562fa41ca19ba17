/*
 * scenarios_test.cpp
 *   Every lesson in scenarios/ is run by minipg-sim, as a teacher runs it:
 *   each must pass (exit 0, every expectation held) and leave nothing
 *   behind (its server stopped, its temporary data directory removed).
 *   A scenario with a false expectation exits 1 naming the line; one that
 *   does not parse exits 2 naming the file and line.
 */
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "tests/integration/server_harness.h"

namespace minipg::testing {
namespace {

namespace fs = std::filesystem;

CommandResult Sim(const std::string& file, const std::string& flags = "") {
  return RunCommand(BinDir() + "/minipg-sim " + flags + " " + file + " 2>&1 </dev/null");
}

/* What minipg-sim said it started: the server's pid and data directory. */
void ExpectNothingLeft(const std::string& out) {
  std::smatch m;
  ASSERT_TRUE(std::regex_search(out, m, std::regex(R"(started minipg \(pid (\d+)\) in (\S+) )"))) << out;
  pid_t pid = static_cast<pid_t>(std::stol(m[1]));
  EXPECT_NE(kill(pid, 0), 0) << "the scenario's server is still running";
  EXPECT_FALSE(fs::exists(m[2].str())) << "its data directory is still there: " << m[2];
}

std::vector<std::string> Lessons() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(SourceDir() + "/scenarios")) {
    if (e.path().extension() == ".scn") out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

class LessonTest : public ::testing::TestWithParam<std::string> {};

// Scenario: the lesson runs against its own server; every expectation holds.
TEST_P(LessonTest, Passes) {
  // --speed: the sleeps a lesson has for its audience (the tour's) need not last.
  auto r = Sim(SourceDir() + "/scenarios/" + GetParam(), "--speed 20");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("0 failed: PASSED"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("FAIL "), std::string::npos) << r.out;
  ExpectNothingLeft(r.out);
}

INSTANTIATE_TEST_SUITE_P(Scenarios, LessonTest, ::testing::ValuesIn(Lessons()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return fs::path(info.param).stem().string();
                         });

// Scenario: there are the twelve lessons the course needs, each opening with its goal.
TEST(ScenariosTest, EveryLessonStatesItsGoal) {
  std::vector<std::string> lessons = Lessons();
  EXPECT_GE(lessons.size(), 12u);
  for (const std::string& name : lessons) {
    std::ifstream in(SourceDir() + "/scenarios/" + name);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_NE(text.find("\ngoal "), std::string::npos) << name << " has no goal";
  }
}

// Scenario: every lesson has its storyboard in docs/lessons/NAME, made from
// its present captions: one numbered picture per caption, each caption's text
// (where it names no ${...}, which a run fills in) as the lesson says it.
TEST(ScenariosTest, EveryLessonHasItsStoryboard) {
  for (const std::string& name : Lessons()) {
    std::string stem = fs::path(name).stem().string();
    std::ifstream scn(SourceDir() + "/scenarios/" + name);
    std::vector<std::string> captions;
    for (std::string line; std::getline(scn, line);) {
      if (line.rfind("caption ", 0) == 0) captions.push_back(line.substr(8));
    }
    fs::path dir = fs::path(SourceDir()) / "docs/lessons" / stem;
    std::ifstream md(dir / "storyboard.md");
    ASSERT_TRUE(md.good()) << name << " has no " << (dir / "storyboard.md").string();
    std::string text((std::istreambuf_iterator<char>(md)), std::istreambuf_iterator<char>());
    for (size_t i = 0; i < captions.size(); ++i) {
      char picture[32];
      std::snprintf(picture, sizeof picture, "%02zu.png", i + 1);
      EXPECT_TRUE(fs::exists(dir / picture)) << name << ": no picture " << picture;
      if (captions[i].find("${") == std::string::npos) {
        EXPECT_NE(text.find(std::to_string(i + 1) + ". " + captions[i]), std::string::npos)
            << name << ": caption " << i + 1 << " is not the storyboard's (make it again: docs/lessons/README.md)";
      }
    }
    char extra[16];
    std::snprintf(extra, sizeof extra, "%02zu.png", captions.size() + 1);
    EXPECT_FALSE(fs::exists(dir / extra)) << name << ": the storyboard has more pictures than captions";
  }
}

// Scenario: a false expectation fails the run (exit 1) and names its line.
TEST(ScenariosTest, FalseExpectationFails) {
  auto r = Sim(SourceDir() + "/tests/sim/data/failing.scn");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("FAIL  failing.scn:10: expect alice value 41: the value was \"42\""), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("1 failed: FAILED"), std::string::npos) << r.out;
  ExpectNothingLeft(r.out);
}

// Scenario: live stepping's failures name their lines: an expectation on where a
// backend stopped, a step of a client with no backend, a step of a backend
// nobody attached. A backend left stopped mid-query at the end is let go:
// the run ends, and leaves nothing behind.
TEST(ScenariosTest, SteppingFailuresNameTheirLines) {
  auto r = Sim(SourceDir() + "/tests/sim/data/stepping_wrong.scn");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("-> first row: Seq Scan on t [node 0], rows 1 | (1)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("FAIL  stepping_wrong.scn:13: expect alice stopped at row Seq Scan on t: it is stopped at "
                       "first row Seq Scan on t"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("FAIL  stepping_wrong.scn:14: step bob next: bob has no backend"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("FAIL  stepping_wrong.scn:16: step bob next: backend "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" is not attached (55000)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("3 failed: FAILED"), std::string::npos) << r.out;
  ExpectNothingLeft(r.out);
}

// Scenario: a typo is caught before anything runs (exit 2), with file and line.
TEST(ScenariosTest, ParseErrorNamesFileAndLine) {
  auto r = Sim(SourceDir() + "/tests/sim/data/broken.scn");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("broken.scn:3:"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("started minipg"), std::string::npos) << r.out;
}

// Scenario: one runner process drives two hundred connections at once.
TEST(ScenariosTest, TwoHundredClients) {
  auto r = Sim(SourceDir() + "/tests/sim/data/many_clients_load.scn");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("(600 queries, 0 errors so far)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ok    expect backends = 200"), std::string::npos) << r.out;
  ExpectNothingLeft(r.out);
}

// Scenario: --server attaches to a server that is already running and leaves it running.
TEST(ScenariosTest, AttachesToARunningServer) {
  Server server;
  ASSERT_TRUE(server.Start());
  auto r = Sim(SourceDir() + "/scenarios/hello.scn",
               "--server 127.0.0.1:" + std::to_string(server.port()) + " --socket-dir " + server.socket_dir() +
                   " --event-port " + std::to_string(server.event_port()));
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(r.out.find("started minipg"), std::string::npos) << r.out;
  EXPECT_TRUE(server.Running());
}

/* How many times `needle` occurs in `hay`. */
size_t Count(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (size_t at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1)) ++n;
  return n;
}

// Scenario: a step's answer prints as psql prints it: the table with its
// header and row count, a long one cut with its count; a client-side
// failure has no SQLSTATE; a disconnect does not repeat the last error.
TEST(ScenariosTest, PrintsAnswersAsPsql) {
  auto r = Sim(SourceDir() + "/tests/sim/data/printing.scn");
  EXPECT_EQ(r.status, 0) << r.out;
  // psql's aligned table, indented under its step: header, rule, rows, count.
  std::regex table(R"(\n       n \| label *\n      ---\+-------\n       1 \| row 1\n       2 \| row 2\n)"
                   R"(       3 \| row 3\n      \(3 rows\)\n)");
  EXPECT_TRUE(std::regex_search(r.out, table)) << r.out;
  EXPECT_NE(r.out.find("      (25 rows, the first 20 shown)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("      -> CREATE TABLE"), std::string::npos) << r.out;
  // The client's own file, by its absolute path beside the scenario.
  std::string missing = SourceDir() + "/tests/sim/data/no_such_file.csv";
  EXPECT_NE(r.out.find("-> " + missing + ": No such file or directory (in the client: no SQLSTATE)"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("58P01"), std::string::npos) << r.out;
  EXPECT_EQ(Count(r.out, "division by zero"), 1u) << r.out;
  ExpectNothingLeft(r.out);
}

// Scenario: a lesson copied to another folder with its data files still
// finds them (they are the scenario folder's, not the server's), and the
// server-side COPY fails for the reason the lesson teaches: the server has
// no such file on its machine.
TEST(ScenariosTest, LessonCopiedElsewhereFindsItsFiles) {
  fs::path dir = fs::temp_directory_path() / ("minipg_lesson_copy_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "data");
  fs::copy_file(SourceDir() + "/scenarios/client_vs_server_files.scn", dir / "files.scn");
  fs::copy_file(SourceDir() + "/scenarios/data/items.csv", dir / "data" / "items.csv");
  auto r = Sim((dir / "files.scn").string());
  fs::remove_all(dir);
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("copy-in items from its file ~/data/items.csv (" + (dir / "data" / "items.csv").string() + ")"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("-> ERROR:  could not open file \"/home/clerk/data/items.csv\" for reading: No such file or "
                       "directory (58P01)"),
            std::string::npos)
      << r.out;
  ExpectNothingLeft(r.out);
}

// Scenario: with --server and --setup-applied (the demo's tour) there is no
// note about the scenario's server lines; without the flag there is.
TEST(ScenariosTest, SetupAppliedNeedsNoNote) {
  Server server;
  ASSERT_TRUE(server.Start());
  std::string flags = "--server 127.0.0.1:" + std::to_string(server.port()) + " --socket-dir " +
                      server.socket_dir() + " --event-port " + std::to_string(server.event_port());
  auto noted = Sim(SourceDir() + "/tests/sim/data/printing.scn", flags);
  EXPECT_NE(noted.out.find("note: with --server"), std::string::npos) << noted.out;
  auto quiet = Sim(SourceDir() + "/tests/sim/data/printing.scn", flags + " --setup-applied");
  EXPECT_EQ(quiet.status, 0) << quiet.out;
  EXPECT_EQ(quiet.out.find("note:"), std::string::npos) << quiet.out;
}

// Scenario: `snapshot` sends the storyboard its marker, once per caption,
// after what the caption's steps did.
TEST(ScenariosTest, SnapshotMarksTheMoment) {
  auto marks = Sim(SourceDir() + "/tests/sim/data/snapshot.scn");
  EXPECT_EQ(marks.status, 0) << marks.out;
  EXPECT_NE(marks.out.find("4 expectations, 0 failed"), std::string::npos) << marks.out;
  auto r = Sim(SourceDir() + "/scenarios/terminate.scn", "--speed 20");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(Count(r.out, "    snapshot\n"), 2u) << r.out;
  // The last caption's picture is taken before the cleanup's disconnects.
  EXPECT_LT(r.out.rfind("    snapshot\n"), r.out.find("    admin: disconnect")) << r.out;
}

}  // namespace
}  // namespace minipg::testing
