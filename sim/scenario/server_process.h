/*-------------------------------------------------------------------------
 * server_process.h
 *   A minipg server that minipg-sim starts for a scenario (the embedded
 *   default): a new temporary data directory, free TCP ports for clients
 *   and for the event stream, its Unix socket in the data directory, and
 *   its log in a file beside it.
 *
 *     ServerProcess s(settings, hba);  s.Start();  ...  s.Stop(SIGINT);
 *
 * NOTES
 *   Start() returns once a connection succeeds. Stop() and the destructor
 *   wait for the postmaster to exit, so nothing is left running; the
 *   destructor also removes the data directory (unless Detach()ed).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "engine/common/error.h"

namespace minipg::sim {

/* A TCP port on 127.0.0.1 that was free a moment ago. */
int FreeTcpPort();

/* The pid of the ServerProcess now running (0 if none), for a signal
 * handler that must stop it. */
pid_t EmbeddedServerPid();

/* The minipg binary: beside the running program (build/bin), else "minipg" on PATH. */
std::string MinipgBinary();

class ServerProcess {
 public:
  /* `settings` become -c NAME=VALUE; `hba_lines`, if any, are the whole pg_hba.conf;
   * `event_port` 0 picks a free one. */
  ServerProcess(std::vector<std::pair<std::string, std::string>> settings,
                std::vector<std::string> hba_lines, int event_port = 0);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  /* Starts the postmaster and waits until it accepts a connection. On the
   * first start, a port someone else took since it was picked is replaced by
   * a new free one (a few times) instead of failing. */
  Status Start();
  /* Sends `sig` (SIGTERM smart, SIGINT fast, SIGQUIT immediate) and waits
   * up to `timeout_ms` for the postmaster to exit. */
  Status Stop(int sig, int timeout_ms = 30000);
  bool Running();
  /* Leaves the server running when this object goes: its data directory
   * stays too (the demo hands the server to the user). */
  void Detach() { detached_ = true; }

  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  int event_port() const { return event_port_; }
  const std::filesystem::path& data_dir() const { return data_dir_; }
  const std::filesystem::path& log_file() const { return log_; }
  /* The last lines of the server log (for error reports). */
  std::string LogTail(size_t max_bytes = 4000) const;

 private:
  std::vector<std::pair<std::string, std::string>> settings_;
  Status InstallHba();
  /* Forks and execs the postmaster on port_ / event_port_, its output appended to log_. */
  Status Spawn();
  /* Waits until the spawned postmaster accepts a connection. */
  Status WaitReady();

  std::vector<std::string> hba_lines_;
  bool hba_installed_ = false;
  bool detached_ = false;
  std::filesystem::path data_dir_;
  std::filesystem::path log_;
  int port_ = 0;
  int event_port_ = 0;
  bool own_event_port_ = true;  // picked here, so another may be picked
  bool started_ = false;        // clients know port_ once it has started
  pid_t pid_ = 0;
};

}  // namespace minipg::sim
