/*
 * viz_live_test.cpp
 *   The visualizer connected to a live server with clients, under Xvfb:
 *   the screenshot is written, has the requested size, and is not blank;
 *   and a join with an aggregate stepped from minipg-viz (--step, the Query
 *   view's buttons) while its client waits: the picture and what the
 *   viewer's model says about the stopped backend.
 */
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <set>
#include <thread>

#include <fmt/format.h>

#define STB_IMAGE_IMPLEMENTATION
#include <stb/stb_image.h>

#include "tests/integration/server_harness.h"

namespace minipg::testing {
namespace {

/* Attaches `teacher` to `student`'s backend at 'stage', runs `sql` on
 * `student` in a thread (its command tag lands in *result), and returns
 * once the backend stopped at parse. */
std::thread RunStopped(client::Connection& student, client::Connection& teacher, const std::string& sql,
                       std::optional<std::string>* result) {
  int pid = student.backend_pid();
  EXPECT_EQ(teacher.Query(fmt::format("SELECT minipg_step_attach({}, 'stage')", pid))->Scalar(), "t");
  std::thread run([&student, sql, result] {
    auto r = student.Query(sql);
    if (r.ok() && r->ok() && !r->statements.empty()) *result = r->statements.back().tag;
  });
  std::string stopped;
  for (int i = 0; i < 100 && stopped != "parse"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    stopped = teacher.Query(fmt::format("SELECT stage FROM minipg_step_state WHERE pid = {} AND paused", pid))
                  ->Scalar()
                  .value_or("");
  }
  EXPECT_EQ(stopped, "parse");
  return run;
}

// Scenario: three clients connected; minipg-viz --connect draws them and writes a real picture.
TEST(VizLiveTest, ScreenshotOfLiveServer) {
  if (RunCommand("command -v xvfb-run >/dev/null 2>&1").status != 0) {
    GTEST_SKIP() << "xvfb-run is not installed (scripts/install-deps.sh installs it)";
  }
  Server server;
  ASSERT_TRUE(server.Start());
  std::vector<std::unique_ptr<client::Connection>> clients;
  for (int i = 0; i < 3; ++i) {
    auto c = server.Connect(i % 2 == 0, "viz_client" + std::to_string(i));
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE((*c)->Query("SELECT " + std::to_string(i))->ok());
    clients.push_back(std::move(*c));
  }
  std::string png = server.data_dir().string() + "/live.png";
  auto r = RunCommand("xvfb-run -a -s '-screen 0 1280x800x24' " + BinDir() + "/minipg-viz --connect 127.0.0.1:" +
                      std::to_string(server.event_port()) + " --screenshot " + png +
                      " --after-ms 1500 --width 1024 --height 700 2>&1");
  ASSERT_EQ(r.status, 0) << r.out;
  ASSERT_TRUE(std::filesystem::exists(png)) << r.out;
  int w = 0, h = 0, n = 0;
  unsigned char* pixels = stbi_load(png.c_str(), &w, &h, &n, 3);
  ASSERT_NE(pixels, nullptr);
  EXPECT_EQ(w, 1024);
  EXPECT_EQ(h, 700);
  std::set<uint32_t> colours;
  for (int i = 0; i < w * h; i += 7) {
    colours.insert((pixels[3 * i] << 16) | (pixels[3 * i + 1] << 8) | pixels[3 * i + 2]);
  }
  stbi_image_free(pixels);
  EXPECT_GT(colours.size(), 8u) << "the picture is not blank";
}

// Scenario: a student's join with an aggregate, attached by a teacher at
// 'stage' (it stops at parse), then stepped by minipg-viz: four stages,
// then nine rows (the Hash node hands none up), to the middle of the join. The viewer's model has the
// backend stopped where minipg_step_next said, the live plan's rows and
// states, and the picture shows the row on its way up; once the viewer
// exits (its connection was the last to step), the query finishes.
TEST(VizLiveTest, StepsAJoinMidway) {
  if (RunCommand("command -v xvfb-run >/dev/null 2>&1").status != 0) {
    GTEST_SKIP() << "xvfb-run is not installed (scripts/install-deps.sh installs it)";
  }
  Server server;
  ASSERT_TRUE(server.Start());
  auto setup = server.Connect();
  ASSERT_TRUE(setup.ok());
  ASSERT_TRUE((*setup)->Query("CREATE TABLE accounts (id int PRIMARY KEY, owner text, balance int);"
                              "CREATE TABLE transfers (id int, account int, amount int);"
                              "INSERT INTO accounts VALUES (1,'ann',100),(2,'bob',50),(3,'cy',70);"
                              "INSERT INTO transfers VALUES (1,1,10),(2,2,20),(3,1,5),(4,3,7),(5,2,3);")
                  ->ok());
  auto student = server.Connect(true, "student");
  auto teacher = server.Connect(true, "teacher");
  ASSERT_TRUE(student.ok() && teacher.ok());
  int pid = (*student)->backend_pid();
  std::optional<std::string> result;
  // The student's query stops at parse, its first step point.
  std::thread run = RunStopped(**student, **teacher,
                               "SELECT a.owner, sum(t.amount) FROM accounts a JOIN transfers t ON t.account = a.id "
                               "GROUP BY a.owner ORDER BY a.owner",
                               &result);

  std::string png = server.data_dir().string() + "/step.png";
  auto r = RunCommand("xvfb-run -a -s '-screen 0 1280x800x24' " + BinDir() + "/minipg-viz --connect 127.0.0.1:" +
                      std::to_string(server.event_port()) + fmt::format(" --select {}", pid) +
                      " --step 'stage*4,row*9' --screenshot " + png + " --after-ms 1000 2>&1");
  ASSERT_EQ(r.status, 0) << r.out;
  // What minipg_step_next answered, and what the viewer's model (from the
  // step_pause events) and its live plan (minipg_query_state) say.
  EXPECT_NE(r.out.find("minipg-viz: step:   executor start: Sort [node 0] | 6 plan nodes"), std::string::npos)
      << r.out;
  std::string where = "row: Hash Join [node 2], rows 2 | (bob,20)";
  EXPECT_NE(r.out.find("minipg-viz: step:   " + where), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(fmt::format("minipg-viz: step: backend {} stopped at {} (13 pauses)", pid, where)),
            std::string::npos)
      << r.out;
  for (const char* node : {"plan Sort rows=0 running", "plan     Hash Join rows=2 returned row",
                           "plan       Seq Scan on transfers t rows=2 returned row",
                           "plan       Hash rows=3 done", "plan         Seq Scan on accounts a rows=3 done"}) {
    EXPECT_NE(r.out.find(std::string("minipg-viz: step: ") + node), std::string::npos) << node << "\n" << r.out;
  }
  // The picture: the row's values on their way up, in the flow colour.
  int w = 0, h = 0, n = 0;
  unsigned char* pixels = stbi_load(png.c_str(), &w, &h, &n, 3);
  ASSERT_NE(pixels, nullptr);
  size_t flow = 0;
  for (int i = 0; i < w * h; ++i) {
    if (pixels[3 * i] == 200 && pixels[3 * i + 1] == 110 && pixels[3 * i + 2] == 0) ++flow;
  }
  stbi_image_free(pixels);
  EXPECT_GT(flow, 50u) << "the row flowing from Hash Join to HashAggregate is drawn";

  // The viewer has gone, and with it the last session that stepped the
  // backend: it goes on and the student's psql gets its rows.
  (void)(*teacher)->Query(fmt::format("SELECT minipg_step_detach({})", pid));  // if the viewer failed
  run.join();
  EXPECT_EQ(result, "SELECT 3");
}

// Scenario: a student's SELECT must wait for a table another session has
// locked. minipg-viz steps it to its lock wait, and says which lock it
// waits for and which backend holds it; once the holder commits and the
// viewer has gone, the SELECT gets its answer.
TEST(VizLiveTest, StopsAtALockWaitAndNamesTheHolder) {
  if (RunCommand("command -v xvfb-run >/dev/null 2>&1").status != 0) {
    GTEST_SKIP() << "xvfb-run is not installed (scripts/install-deps.sh installs it)";
  }
  Server server;
  ASSERT_TRUE(server.Start());
  auto holder = server.Connect();
  auto student = server.Connect(true, "student");
  auto teacher = server.Connect(true, "teacher");
  ASSERT_TRUE(holder.ok() && student.ok() && teacher.ok());
  ASSERT_TRUE((*holder)->Query("CREATE TABLE accounts (id int, owner text)")->ok());
  ASSERT_TRUE((*holder)->Query("BEGIN; LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE")->ok());
  int pid = (*student)->backend_pid();
  std::optional<std::string> result;
  std::thread run = RunStopped(**student, **teacher, "SELECT count(*) FROM accounts", &result);

  std::string png = server.data_dir().string() + "/lock.png";
  auto r = RunCommand("xvfb-run -a -s '-screen 0 1280x800x24' " + BinDir() + "/minipg-viz --connect 127.0.0.1:" +
                      std::to_string(server.event_port()) + fmt::format(" --select {}", pid) +
                      " --step 'row*2' --screenshot " + png + " --after-ms 1000 2>&1");
  ASSERT_EQ(r.status, 0) << r.out;
  std::string where = "lock wait: AccessShareLock on relation \"accounts\"";
  EXPECT_NE(r.out.find(fmt::format("minipg-viz: step: backend {} stopped at {}", pid, where)), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(fmt::format("minipg-viz: step: waits for AccessShareLock on relation \"accounts\" held by "
                                   "backend {}",
                                   (*holder)->backend_pid())),
            std::string::npos)
      << r.out;
  (void)(*teacher)->Query(fmt::format("SELECT minipg_step_detach({})", pid));  // if the viewer failed
  ASSERT_TRUE((*holder)->Query("COMMIT")->ok());
  run.join();
  EXPECT_EQ(result, "SELECT 1");
}

}  // namespace
}  // namespace minipg::testing
