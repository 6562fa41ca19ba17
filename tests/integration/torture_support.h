/*-------------------------------------------------------------------------
 * torture_support.h
 *   What the durability torture tests share (torture_test.cpp: writers of
 *   their own rows; pgbench_torture_test.cpp: pgbench's TPC-B-like load):
 *   the seed (printed, MINIPG_TORTURE_SEED replays it), a data directory
 *   that outlives the servers killed on it (MINIPG_TORTURE_KEEP=1 keeps it
 *   and its log), finding an auxiliary process by its title, and getting
 *   back to a running server after a kill.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "tests/integration/server_harness.h"

namespace minipg::testing {

constexpr const char* kReadyLine = "database system is ready to accept connections";

/* MINIPG_TORTURE_SEED if set, else a random one (the test prints it). */
inline uint64_t TortureSeed() {
  const char* env = std::getenv("MINIPG_TORTURE_SEED");
  if (env != nullptr && *env != '\0') return std::strtoull(env, nullptr, 10);
  return std::random_device{}();
}

/* Polls `done` every 20 ms for up to `timeout_ms`; its last answer. */
inline bool WaitFor(const std::function<bool()>& done, int timeout_ms) {
  for (int waited = 0; waited < timeout_ms; waited += 20) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

inline size_t CountInLog(const std::string& log, const std::string& line) {
  size_t n = 0;
  for (size_t at = log.find(line); at != std::string::npos; at = log.find(line, at + 1)) ++n;
  return n;
}

/* How many times the server said it accepts connections: once per start
 * and once per crash cycle that ended. */
inline size_t ReadyCount(const Server& server) {
  return CountInLog(server.Log(), kReadyLine);
}

/* The postmaster's child whose title contains `title`, or 0. */
inline pid_t ChildTitled(const Server& server, const std::string& title) {
  for (pid_t p : ChildrenOf(server.pid())) {
    if (ProcessTitle(p).find(title) != std::string::npos) return p;
  }
  return 0;
}

/* kill -9 of `pid`, a child of the postmaster, and whether it died of it:
 * the postmaster's log line about its end says "terminated by signal 9".
 * A child that was exiting anyway (a backend whose client is done, an
 * autovacuum worker at the end of its run) may be a zombie that kill()
 * still finds, and then ends with an exit code, or with no line at all. */
inline bool KillChildConfirmed(const Server& server, pid_t pid) {
  if (pid <= 0 || kill(pid, SIGKILL) != 0) return false;
  std::string killed = "(PID " + std::to_string(pid) + ") was terminated by signal 9";
  auto landed = [&] { return server.Log().find(killed) != std::string::npos; };
  // Until the postmaster has reaped it (it logs the line just after; an
  // autovacuum worker's normal end gets no line at all).
  WaitFor([&] { return kill(pid, 0) != 0 || !server.Running(); }, 10000);
  return WaitFor(landed, 1000);
}

/* kill -9 of one of the server's backends, chosen by `rng` (another if
 * the first was exiting anyway); false if none died of it. */
inline bool KillRandomBackend(const Server& server, std::mt19937_64& rng) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    std::vector<pid_t> backends = server.Backends();
    if (backends.empty()) return false;
    if (KillChildConfirmed(server, backends[rng() % backends.size()])) return true;
  }
  return false;
}

/* A crash cycle (a backend killed), then kill -9 of its startup process
 * once it shows up, after a random 0..`max_delay_ms` more: before or
 * during its replay, or never if recovery was over by then (the crash
 * cycle then simply ends). True if the kill reached a startup process. */
inline bool KillStartupDuringRecovery(const Server& server, std::mt19937_64& rng,
                                      int max_delay_ms) {
  KillRandomBackend(server, rng);
  pid_t startup = 0;
  WaitFor([&] { return (startup = ChildTitled(server, "startup")) != 0 || !server.Running(); },
          20000);
  if (startup == 0) return false;
  std::this_thread::sleep_for(std::chrono::milliseconds(rng() % (max_delay_ms + 1)));
  return KillChildConfirmed(server, startup);
}

/* After KillStartupDuringRecovery: PostgreSQL's postmaster gives up when
 * its startup process dies, saying so; unless recovery ended first. True
 * if it gave up. */
inline bool PostmasterGaveUp(Server& server, size_t ready_before) {
  WaitFor([&] { return !server.Running() || ReadyCount(server) > ready_before; }, 60000);
  if (server.Running()) return false;
  EXPECT_NE(server.Log().find("aborting startup due to startup process failure"),
            std::string::npos);
  return true;
}

/* After a kill: a running server again. A postmaster that is gone (the
 * whole server was killed, or it gave up after its startup process died)
 * is reaped and `start_new` starts another on the same data directory (it
 * may replace the object `server` refers to); one still running must end
 * its crash cycle: a "ready" line beyond the `ready_before` counted before
 * the kill. */
inline ::testing::AssertionResult RunningAgain(Server& server, size_t ready_before,
                                               const std::function<bool()>& start_new) {
  if (!server.Running()) {
    server.Stop(SIGKILL, 5000);
    server.RemoveInterlockSegment();
    if (start_new()) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << "a new postmaster on the same data directory did not start";
  }
  if (WaitFor([&] { return ReadyCount(server) > ready_before; }, 60000))
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "the crash cycle did not end with a running server:\n"
                                       << server.Log();
}

/* A data directory for servers started, killed and started again on it;
 * removed with its log unless MINIPG_TORTURE_KEEP is set. */
class TortureDir {
 public:
  TortureDir() {
    char tmpl[] = "/tmp/minipg_torture_XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TortureDir() {
    if (std::getenv("MINIPG_TORTURE_KEEP") != nullptr) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
    std::filesystem::remove(path_.string() + ".log", ec);
  }
  TortureDir(const TortureDir&) = delete;
  TortureDir& operator=(const TortureDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace minipg::testing
