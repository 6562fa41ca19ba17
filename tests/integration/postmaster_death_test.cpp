/*
 * postmaster_death_test.cpp
 *   kill -9 of the postmaster: every child notices (the postmaster-death
 *   pipe, the parent-death signal) and exits, clients are told why, and a
 *   new postmaster on the same data directory starts only once no process
 *   of the old one is attached to its shared memory interlock.
 */
#include <gtest/gtest.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "engine/protocol/codec.h"
#include "tests/integration/server_harness.h"

namespace minipg::testing {
namespace {

/* Whether `pid` has exited (a zombie nobody reaped yet counts as gone). */
bool Gone(pid_t pid) {
  if (kill(pid, 0) != 0) return true;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(in, line);
  size_t paren = line.rfind(')');
  return paren == std::string::npos || (paren + 2 < line.size() && line[paren + 2] == 'Z');
}

/* Waits up to `timeout_ms` (generous: no test depends on machine speed). */
bool WaitGone(pid_t pid, int timeout_ms = 20000) {
  for (int waited = 0; waited < timeout_ms; waited += 20) {
    if (Gone(pid)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

const char* kPostmasterExit = "terminating connection due to unexpected postmaster exit";

/* Waits up to 5 s until `pid`'s process title contains `what`. */
void WaitForTitle(pid_t pid, const std::string& what) {
  for (int i = 0; i < 500 && ProcessTitle(pid).find(what) == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

// Scenario: the postmaster is killed with SIGKILL while one client is idle,
// another runs pg_sleep and a third is in COPY FROM STDIN without sending
// data. Every child (backends, checkpointer, event collector) exits within
// seconds, each backend with FATAL 57P01, and a new server on the same data
// directory starts cleanly and sees no old session.
TEST(PostmasterDeathTest, ChildrenExitAndRestartIsClean) {
  Server server;
  ASSERT_TRUE(server.Start());
  auto idle = server.Connect();
  auto busy = server.Connect(false);
  auto copying = server.Connect();
  ASSERT_TRUE(idle.ok() && busy.ok() && copying.ok());
  Result<client::QueryResult> slept = MakeError("", "not run");
  std::thread sleeper([&] { slept = (*busy)->Query("SELECT pg_sleep(120)"); });
  WaitForTitle((*busy)->backend_pid(), "SELECT");
  ASSERT_TRUE((*copying)->Query("CREATE TABLE t (a int)")->ok());
  std::string copy;
  protocol::EncodeQuery(copy, "COPY t FROM STDIN");
  ASSERT_EQ(send((*copying)->fd(), copy.data(), copy.size(), MSG_NOSIGNAL), static_cast<ssize_t>(copy.size()));
  WaitForTitle((*copying)->backend_pid(), "COPY");
  std::vector<pid_t> children = ChildrenOf(server.pid());
  ASSERT_GE(children.size(), 5u) << "three backends, the checkpointer, the collector";

  EXPECT_EQ(server.Stop(SIGKILL), 128 + SIGKILL);
  for (pid_t child : children) {
    EXPECT_TRUE(WaitGone(child)) << ProcessTitle(child) << " (" << child << ") outlived its postmaster";
  }
  Error why;
  for (int i = 0; i < 500 && !(*idle)->ServerClosed(&why); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(why.sqlstate, "57P01");
  EXPECT_EQ(why.message, kPostmasterExit);
  sleeper.join();
  ASSERT_FALSE(slept.ok());
  EXPECT_EQ(slept.error().sqlstate, "57P01");
  EXPECT_EQ(slept.error().message, kPostmasterExit) << "pg_sleep stops at its next interrupt check";
  std::string log = server.Log();
  EXPECT_NE(log.find(fmt::format("[{}] FATAL:  {}", (*copying)->backend_pid(), kPostmasterExit)), std::string::npos)
      << "the COPY FROM STDIN wait ends too:\n" << log;

  Server again({}, server.data_dir());
  ASSERT_TRUE(again.Start()) << again.Log();
  auto c = again.Connect();
  ASSERT_TRUE(c.ok());
  auto sessions = (*c)->Query("SELECT pid FROM pg_stat_activity WHERE backend_type = 'client backend'");
  ASSERT_TRUE(sessions.ok());
  ASSERT_EQ(sessions->statements.size(), 1u);
  EXPECT_EQ(sessions->statements[0].rows.size(), 1u) << "no session of the old server is left";
  (*c)->Close();
  EXPECT_EQ(again.Stop(SIGINT), 0);
}

// Scenario: a backend is stopped (SIGSTOP) so it cannot notice, then the
// postmaster is killed. A new postmaster on that data directory refuses to
// start, as PostgreSQL does, while the old backend is attached to the
// shared memory interlock; once that process is gone it starts.
TEST(PostmasterDeathTest, RestartRefusedWhileOldBackendAttached) {
  Server server;
  ASSERT_TRUE(server.Start());
  auto c = server.Connect();
  ASSERT_TRUE(c.ok());
  pid_t backend = (*c)->backend_pid();
  struct KillAtEnd {  // even if an assertion fails: no stopped process is left
    pid_t pid;
    ~KillAtEnd() { kill(pid, SIGKILL); }
  } cleanup{backend};
  ASSERT_EQ(kill(backend, SIGSTOP), 0);
  std::vector<pid_t> others;
  for (pid_t p : ChildrenOf(server.pid())) {
    if (p != backend) others.push_back(p);
  }
  EXPECT_EQ(server.Stop(SIGKILL), 128 + SIGKILL);
  for (pid_t p : others) EXPECT_TRUE(WaitGone(p));
  EXPECT_FALSE(Gone(backend)) << "stopped, it cannot notice";

  {
    Server refused({}, server.data_dir());
    EXPECT_FALSE(refused.Start());
    std::string log = refused.Log();
    EXPECT_NE(log.find("FATAL:  pre-existing shared memory block (key "), std::string::npos) << log;
    EXPECT_NE(log.find(") is still in use"), std::string::npos) << log;
    EXPECT_NE(log.find("HINT:  Terminate any old server processes associated with data directory \"" +
                       server.data_dir().string() + "\"."),
              std::string::npos)
        << log;
    EXPECT_FALSE(refused.Running());
  }
  kill(backend, SIGKILL);
  ASSERT_TRUE(WaitGone(backend));

  Server again({}, server.data_dir());
  ASSERT_TRUE(again.Start()) << again.Log();
  auto d = again.Connect();
  ASSERT_TRUE(d.ok());
  EXPECT_EQ((*d)->Query("SELECT 1")->Scalar(), "1");
  (*d)->Close();
  EXPECT_EQ(again.Stop(SIGINT), 0);
}

}  // namespace
}  // namespace minipg::testing
