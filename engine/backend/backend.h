/*-------------------------------------------------------------------------
 * backend.h
 *   A backend: the process the postmaster forks for one client connection.
 *
 *   The postmaster forks as soon as accept() returns; everything that may
 *   take time (reading the startup packet, authentication, the session
 *   itself) happens here, in the child, so the postmaster is back to
 *   listening at once. The child inherits a copy of the postmaster's list
 *   of children, which is how a CancelRequest finds its target's key.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "engine/auth/hba.h"
#include "engine/postmaster/config.h"

namespace minipg {

/* What the postmaster decided about a new connection before it forked. */
enum class CanAcceptConnections {
  kOk,        // a normal session may start
  kTooMany,   // too many live backends (twice the process slots): 53300 after the startup packet
  kShutdown,  // a shutdown is in progress: 57P03
  kRecovery,  // the crash cycle is in progress: 57P03 "in recovery mode"
  kStartup,   // the startup process has not finished: 57P03 "starting up"
};

/* Why the postmaster sends SIGQUIT, carried in the signal's value
 * (sigqueue), so the backend can tell its client the right FATAL. */
enum QuitReason : int {
  kQuitImmediateShutdown = 1,  // 57P01 terminating connection due to immediate shutdown command
  kQuitCrash = 2,              // 57P02 terminating connection because of crash of another server process
};

/* The kinds of child the postmaster keeps. */
enum class ChildRole {
  kBackend,    // serves one client session
  kDeadEnd,    // forked only to tell a client it cannot connect
  kCollector,  // the event collector
  kCheckpointer,  // the checkpointer (auxiliary process; its death is a crash)
  kStartup,       // the startup process: recovery at start and after a crash cycle
  kBgWriter,      // the background writer (its death is a crash)
  kWalWriter,     // the WAL writer (its death is a crash)
  kAutovacLauncher,  // the autovacuum launcher (postmaster/autovacuum.h)
  kAutovacWorker,    // an autovacuum worker: vacuums one database, then exits
};

const char* ChildRoleName(ChildRole role);

/* One entry of the postmaster's list of children. */
struct ChildEntry {
  pid_t pid = 0;
  ChildRole role = ChildRole::kBackend;
  int32_t cancel_key = 0;
  int64_t conn = 0;
  int slot = -1;  // its slot in the shared process array (engine/shmem), -1 for none
  int ring = -1;  // its event ring (engine/trace/event_ring.h), -1 for none (it uses the pipe)
};

struct BackendStartInfo {
  int sock = -1;
  bool unix_socket = false;
  std::string client_host;  // "127.0.0.1", or "[local]"
  int client_port = 0;
  CanAcceptConnections cac = CanAcceptConnections::kOk;
  int32_t cancel_key = 0;
  const Config* config = nullptr;
  const std::vector<ChildEntry>* children = nullptr;  // the postmaster's list, as of the fork
  const std::vector<auth::HbaLine>* hba = nullptr;     // pg_hba.conf as the postmaster parsed it
};

/* Builds, in the postmaster before it forks, what every backend would
 * otherwise build for itself on connecting (the table of built-in
 * functions and operators, the FATAL messages a signal handler sends):
 * each child inherits it with the fork, as PostgreSQL's backends inherit
 * its static tables, and starts without that work. */
void PreloadBackendState();

/* Runs the backend in this freshly forked process; never returns. */
[[noreturn]] void BackendMain(const BackendStartInfo& info);

}  // namespace minipg
