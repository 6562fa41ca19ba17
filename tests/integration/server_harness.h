/*
 * server_harness.h
 *   Starts a real `minipg` for a test: a fresh temporary data directory,
 *   free ports, its Unix socket in the data directory, stderr to a log
 *   file. Stop() (or the destructor) shuts it down and kills anything left.
 */
#pragma once

#include <sys/types.h>

#include <csignal>

#include <filesystem>
#include <string>
#include <vector>

#include "sim/client/client.h"

namespace minipg::testing {

/* A free TCP port below the ephemeral range, reserved for this test process
 * until it exits so that tests running in parallel never share one. */
int FreePort();

/* The superuser of a new data directory: the OS user running the tests
 * (root in CI). Options() and PsqlCommand() connect as it, to database
 * "postgres". */
std::string Superuser();

/* Where build/bin is (MINIPG_BIN_DIR, set by CTest). */
std::string BinDir();
/* The source tree (MINIPG_SOURCE_DIR, else the one this was built from). */
std::string SourceDir();

/* Runs a shell command, returning its exit status and stdout (stderr too if merged). */
struct CommandResult {
  int status = -1;
  std::string out;
};
CommandResult RunCommand(const std::string& command);

/* pids of the live children of `parent`, and whether any is a zombie. */
std::vector<pid_t> ChildrenOf(pid_t parent, bool* any_zombie = nullptr);

/* The /proc cmdline of a process with NULs as spaces (its `ps` title). */
std::string ProcessTitle(pid_t pid);

/* A data directory that outlives the servers started on it (a restart,
 * a kill -9 and a new postmaster); removed with its log at the end. */
struct ScopedDataDir {
  ScopedDataDir();
  ~ScopedDataDir();
  ScopedDataDir(const ScopedDataDir&) = delete;
  ScopedDataDir& operator=(const ScopedDataDir&) = delete;
  std::filesystem::path path;
};

/* kill -9 of a postmaster and then of every child it had (the whole server
 * at once, as a power failure would stop it), reaped, its interlock gone. */
class Server;
void KillWholeServer(Server& server);

class Server {
 public:
  /* `settings` are extra -c name=value pairs. */
  explicit Server(std::vector<std::string> settings = {}, std::filesystem::path data_dir = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /* Starts and waits until connections succeed; false (with the log printed) on failure. */
  bool Start();
  /* Sends `sig` and waits up to `timeout_ms` for exit; returns the exit status or -1. */
  int Stop(int sig = SIGINT, int timeout_ms = 15000);
  bool Running() const;

  client::ConnectOptions Options(bool unix_socket = true) const;
  Result<std::unique_ptr<client::Connection>> Connect(bool unix_socket = true,
                                                      const std::string& application_name = "") const;
  /* Connects once the server accepts connections: retries while it answers
   * 57P03 (starting up, in recovery after a crash cycle). */
  Result<std::unique_ptr<client::Connection>> ConnectWhenReady(int timeout_ms = 15000) const;
  /* Waits until the postmaster has exactly `n` backend children (the
   * auxiliary processes excluded: collector, checkpointer, background
   * writer, WAL writer, startup process). */
  bool WaitForBackends(size_t n, int timeout_ms = 10000) const;
  std::vector<pid_t> Backends() const;
  std::string Log() const;

  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  int event_port() const { return event_port_; }
  const std::filesystem::path& data_dir() const { return data_dir_; }
  std::string socket_dir() const { return data_dir_.string(); }
  std::string PsqlCommand(bool unix_socket = true) const;
  /* Removes the interlock segment a killed postmaster left (postmaster.pid). */
  void RemoveInterlockSegment() const;

 private:
  std::vector<std::string> settings_;
  std::filesystem::path data_dir_;
  std::filesystem::path log_;
  bool own_dir_ = false;
  int port_;
  int event_port_;
  pid_t pid_ = 0;
};

}  // namespace minipg::testing
