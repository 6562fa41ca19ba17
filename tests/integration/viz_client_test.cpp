/*
 * viz_client_test.cpp
 *   The visualizer acting on a real server: its console sessions (the GUI
 *   client) run SQL, cancel and notice being terminated; its server control
 *   signals the server's processes and nothing else.
 */
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include <fmt/format.h>

#include "tests/integration/server_harness.h"
#include "viz/client/console_session.h"
#include "viz/client/server_control.h"

namespace minipg::testing {
namespace {

using viz::ConsoleOutput;
using viz::ConsoleSession;
using viz::ConsoleState;

/* Collects a session's output until `done` says so or 15 s pass; all of it, as text. */
template <typename Pred>
std::string WaitOutput(ConsoleSession& s, std::string& all, Pred done) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    for (const ConsoleOutput& o : s.TakeOutput()) all += o.text + "\n";
    if (done()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return all;
}

bool WaitState(ConsoleSession& s, ConsoleState want) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (s.state() != want && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return s.state() == want;
}

/* A model that knows the server as its event stream would describe it. */
viz::Model ModelOf(const Server& server) {
  viz::Model m;
  m.ApplyLine(fmt::format(R"({{"type":"postmaster_start","ts":1,"pid":{},"data_directory":"{}","port":{},"max_connections":10}})",
                          server.pid(), server.data_dir().string(), server.port()));
  return m;
}

// Scenario: the GUI client connects over the Unix socket, runs a query and
// sees psql's output; a bad query shows psql's error; closing disconnects.
TEST(VizClientTest, ConsoleRunsQueriesLikePsql) {
  Server server;
  ASSERT_TRUE(server.Start());
  std::string all;
  {
    ConsoleSession s(server.Options(true));
    ASSERT_TRUE(WaitState(s, ConsoleState::kIdle)) << WaitOutput(s, all, [] { return true; });
    EXPECT_GT(s.backend_pid(), 0);
    ASSERT_TRUE(server.WaitForBackends(1));
    s.Submit("SELECT 1 AS one, 'two' AS two;");
    WaitOutput(s, all, [&] { return all.find("(1 row)") != std::string::npos; });
    EXPECT_NE(all.find(" one | two \n-----+-----\n   1 | two\n(1 row)"), std::string::npos) << all;
    s.Submit("SELECT * FROM no_such_table;");
    WaitOutput(s, all, [&] { return all.find("ERROR") != std::string::npos; });
    EXPECT_NE(all.find("ERROR:  relation \"no_such_table\" does not exist"), std::string::npos) << all;
    EXPECT_EQ(s.state(), ConsoleState::kIdle);  // an ERROR leaves the session usable
  }
  EXPECT_TRUE(server.WaitForBackends(0));  // the destructor sent Terminate
}

// Scenario: a long query is cancelled from the console (CancelRequest).
TEST(VizClientTest, ConsoleCancelsARunningQuery) {
  Server server;
  ASSERT_TRUE(server.Start());
  ConsoleSession s(server.Options(false));  // TCP this time
  ASSERT_TRUE(WaitState(s, ConsoleState::kIdle));
  s.Submit("SELECT pg_sleep(30);");
  ASSERT_TRUE(WaitState(s, ConsoleState::kBusy));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  s.Cancel();
  std::string all;
  WaitOutput(s, all, [&] { return all.find("canceling statement") != std::string::npos; });
  EXPECT_NE(all.find("ERROR:  canceling statement due to user request"), std::string::npos) << all;
  EXPECT_TRUE(WaitState(s, ConsoleState::kIdle));
}

// Scenario: the viewer's "terminate" action (SIGTERM from ServerControl)
// ends a console's session; the console shows the FATAL and is closed.
// A pid that is not the server's is never signalled.
TEST(VizClientTest, ServerControlSignalsOnlyTheServersProcesses) {
  Server server;
  ASSERT_TRUE(server.Start());
  viz::Model model = ModelOf(server);
  viz::ServerControl control;
  EXPECT_EQ(control.CanSignal(model), "");
  EXPECT_FALSE(control.CanRestart());

  ConsoleSession s(server.Options(true));
  ASSERT_TRUE(WaitState(s, ConsoleState::kIdle));
  EXPECT_NE(control.Signal(model, getpid(), SIGTERM), "");  // the test itself: refused
  EXPECT_EQ(control.Signal(model, s.backend_pid(), SIGTERM), "");
  std::string all;
  WaitOutput(s, all, [&] { return s.state() == ConsoleState::kClosed; });
  EXPECT_EQ(s.state(), ConsoleState::kClosed) << all;
  EXPECT_NE(all.find("FATAL:  terminating connection due to administrator command"), std::string::npos)
      << all;
  EXPECT_TRUE(server.Running());

  // A model of a server elsewhere (its postmaster.pid names another pid).
  viz::Model other;
  other.ApplyLine(fmt::format(R"({{"type":"postmaster_start","ts":1,"pid":{},"data_directory":"{}","port":1,"max_connections":1}})",
                              server.pid() + 100000, server.data_dir().string()));
  EXPECT_NE(control.CanSignal(other), "");
  EXPECT_NE(control.Signal(other, server.pid() + 100000, SIGTERM), "");

  // Fast shutdown through the control: the postmaster exits.
  EXPECT_EQ(control.Signal(model, server.pid(), SIGINT), "");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (server.Running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_FALSE(server.Running());
}

// Scenario: connecting where no server listens fails with libpq's words.
TEST(VizClientTest, ConsoleReportsAFailedConnection) {
  client::ConnectOptions o;
  o.host = "127.0.0.1";
  o.port = FreePort();
  ConsoleSession s(o);
  ASSERT_TRUE(WaitState(s, ConsoleState::kFailed));
  std::string all;
  WaitOutput(s, all, [] { return true; });
  EXPECT_NE(all.find("connection to server at 127.0.0.1"), std::string::npos) << all;
}

}  // namespace
}  // namespace minipg::testing
