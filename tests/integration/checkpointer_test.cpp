/*
 * checkpointer_test.cpp
 *   The checkpointer of a real server: CHECKPOINT writes global/pg_control,
 *   shutdown writes a shutdown checkpoint that the next start reports, an
 *   immediate shutdown is reported as an interruption, and crash cycles
 *   restart the checkpointer and recreate shared memory without leaking it.
 */
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "engine/storage/control_file.h"
#include "tests/integration/server_harness.h"

namespace minipg::testing {
namespace {

pid_t CheckpointerOf(const Server& server) {
  for (pid_t p : ChildrenOf(server.pid())) {
    if (ProcessTitle(p) == "minipg: checkpointer") return p;
  }
  return 0;
}

/* Shared mappings (rw-s) in a process's address space. */
int SharedMappings(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/maps");
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    auto sp = line.find(' ');
    if (sp != std::string::npos && sp + 4 < line.size() && line[sp + 4] == 's') ++n;
  }
  return n;
}

size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = haystack.find(needle); pos != std::string::npos;
       pos = haystack.find(needle, pos + 1))
    ++n;
  return n;
}

bool WaitFor(const std::function<bool()>& cond, int timeout_ms = 15000) {
  for (int waited = 0; waited <= timeout_ms; waited += 20) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

// Scenario: CHECKPOINT waits for a checkpoint that writes pg_control (its
// count goes up); a fast shutdown writes a shutdown checkpoint and the next
// start says "was shut down at"; after an immediate shutdown the next start
// says "was interrupted".
TEST(CheckpointerTest, CheckpointAndRestartMessages) {
  char tmpl[] = "/tmp/minipg_ckpt_XXXXXX";
  std::filesystem::path dir = mkdtemp(tmpl);
  {
    Server server({}, dir);
    ASSERT_TRUE(server.Start());
    EXPECT_NE(CheckpointerOf(server), 0) << "a child titled minipg: checkpointer";
    auto c = server.Connect();
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE((*c)->Query("CREATE TABLE t (a int); INSERT INTO t VALUES (1)")->ok());
    auto r = (*c)->Query("CHECKPOINT");
    ASSERT_TRUE(r.ok() && r->ok());
    EXPECT_EQ(r->statements[0].tag, "CHECKPOINT");
    auto first = storage::ReadControlFile(dir);
    ASSERT_TRUE(first.ok() && first->has_value()) << "CHECKPOINT wrote global/pg_control";
    EXPECT_EQ((*first)->state, storage::DbState::kInProduction);
    EXPECT_GE((*first)->checkpoint_count, 1u);
    EXPECT_GT((*first)->checkpoint_time, 0);
    ASSERT_TRUE((*c)->Query("CHECKPOINT")->ok());
    auto second = storage::ReadControlFile(dir);
    ASSERT_TRUE(second.ok() && second->has_value());
    EXPECT_EQ((*second)->checkpoint_count, (*first)->checkpoint_count + 1)
        << "each CHECKPOINT waits for its own";
    std::string log = server.Log();
    EXPECT_NE(log.find("checkpoint starting: immediate force wait"), std::string::npos) << log;
    EXPECT_NE(log.find("checkpoint complete: wrote "), std::string::npos) << log;
    (*c)->Close();
    EXPECT_EQ(server.Stop(SIGINT), 0);
    log = server.Log();
    EXPECT_NE(log.find("checkpoint starting: shutdown immediate"), std::string::npos) << log;
    EXPECT_LT(log.find("checkpoint starting: shutdown immediate"),
              log.find("database system is shut down"));
    auto down = storage::ReadControlFile(dir);
    ASSERT_TRUE(down.ok() && down->has_value());
    EXPECT_EQ((*down)->state, storage::DbState::kShutdowned);
  }
  {
    Server server({}, dir);
    ASSERT_TRUE(server.Start());
    EXPECT_NE(server.Log().find("database system was shut down at "), std::string::npos)
        << server.Log();
    auto c = server.Connect();
    ASSERT_TRUE(c.ok());
    EXPECT_EQ((*c)->Query("SELECT a FROM t")->Scalar(), "1");
    (*c)->Close();
    server.Stop(SIGQUIT);
  }
  {
    Server server({}, dir);
    ASSERT_TRUE(server.Start());
    EXPECT_NE(server.Log().find("database system was interrupted; last known up at "),
              std::string::npos)
        << server.Log();
    EXPECT_EQ(server.Stop(SIGTERM), 0) << "smart shutdown with no clients";
    auto down = storage::ReadControlFile(dir);
    ASSERT_TRUE(down.ok() && down->has_value());
    EXPECT_EQ((*down)->state, storage::DbState::kShutdowned);
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  std::filesystem::remove(dir.string() + ".log", ec);
}

// Scenario: with checkpoint_timeout = 1s the checkpointer checkpoints on
// its own ("checkpoint starting: time"), and each checkpoint is in the event
// stream as checkpoint_start / checkpoint_done from the checkpointer's pid.
TEST(CheckpointerTest, TimedCheckpointsAndEvents) {
  Server server({"checkpoint_timeout=1s", "trace_file=trace.jsonl"});
  ASSERT_TRUE(server.Start());
  pid_t checkpointer = CheckpointerOf(server);
  ASSERT_NE(checkpointer, 0);
  EXPECT_TRUE(WaitFor([&] {
    return server.Log().find("checkpoint starting: time") != std::string::npos;
  })) << server.Log();
  auto c = server.Connect();
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE((*c)->Query("CHECKPOINT")->ok());
  int backend = (*c)->backend_pid();
  bool start = false, done = false, request = false;
  EXPECT_TRUE(WaitFor([&] {
    std::ifstream in(server.data_dir() / "trace.jsonl");
    std::string line;
    while (std::getline(in, line)) {
      auto has = [&](const std::string& s) { return line.find(s) != std::string::npos; };
      std::string from_ckpt = "\"pid\":" + std::to_string(checkpointer) + ",";
      if (has("\"type\":\"checkpoint_start\"") && has(from_ckpt) && has("\"reason\":\"time\""))
        start = true;
      if (has("\"type\":\"checkpoint_done\"") && has(from_ckpt) && has("\"ok\":true") &&
          has("\"files\":"))
        done = true;
      if (has("\"type\":\"signal\"") && has("\"pid\":" + std::to_string(backend) + ",") &&
          has("\"target\":" + std::to_string(checkpointer)) &&
          has("\"why\":\"checkpoint request\"")) {
        request = true;
      }
    }
    return start && done && request;
  })) << "start "
      << start << " done " << done << " request " << request;
  (*c)->Close();
  EXPECT_EQ(server.Stop(SIGINT), 0);
}

// Scenario: several crash cycles (a backend crashing, the checkpointer
// killed) each restart the checkpointer with a new pid and leave no zombie,
// and the postmaster maps one shared memory segment, not one per cycle.
TEST(CheckpointerTest, CrashCyclesRestartCheckpointerWithoutLeaks) {
  Server server;
  ASSERT_TRUE(server.Start());
  pid_t checkpointer = CheckpointerOf(server);
  ASSERT_NE(checkpointer, 0);
  int mappings = SharedMappings(server.pid());
  EXPECT_GE(mappings, 1) << "the postmaster maps the shared segment";
  for (int cycle = 1; cycle <= 4; ++cycle) {
    if (cycle % 2 == 1) {
      auto c = server.Connect();
      ASSERT_TRUE(c.ok());
      EXPECT_FALSE((*c)->Query("SELECT minipg_crash()").ok());
    } else {
      kill(checkpointer, SIGKILL);  // an auxiliary process's death is a crash too
    }
    ASSERT_TRUE(WaitFor([&] {
      return Count(server.Log(), "all server processes terminated; reinitializing") ==
             static_cast<size_t>(cycle);
    })) << server.Log();
    pid_t next = 0;
    ASSERT_TRUE(WaitFor([&] {
      next = CheckpointerOf(server);
      return next != 0 && next != checkpointer;
    })) << "cycle "
        << cycle << ": a new checkpointer";
    checkpointer = next;
    auto c = server.ConnectWhenReady();  // 57P03 while the startup process recovers
    ASSERT_TRUE(c.ok()) << "cycle " << cycle << ": connections are accepted again";
    EXPECT_EQ((*c)->Query("CHECKPOINT")->ok(), true) << "the new checkpointer serves requests";
    auto aux = (*c)->Query("SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'");
    ASSERT_TRUE(aux.ok() && aux->ok());
    EXPECT_EQ(aux->Scalar(), std::to_string(checkpointer))
        << "the fresh process array lists the new checkpointer";
    (*c)->Close();
  }
  EXPECT_NE(server.Log().find("checkpointer process (PID"), std::string::npos);
  EXPECT_NE(server.Log().find("was terminated by signal 9: Killed"), std::string::npos);
  EXPECT_TRUE(server.WaitForBackends(0));
  bool zombie = true;
  EXPECT_TRUE(WaitFor([&] {
    ChildrenOf(server.pid(), &zombie);
    return !zombie;
  }));
  EXPECT_FALSE(zombie) << "every child was reaped";
  EXPECT_EQ(SharedMappings(server.pid()), mappings) << "each crash cycle unmaps the old segment";
  EXPECT_EQ(server.Stop(SIGINT), 0);
}

}  // namespace
}  // namespace minipg::testing
