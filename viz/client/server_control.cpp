/*-------------------------------------------------------------------------
 * server_control.cpp
 *   Signals to the server's processes, with the checks that make them
 *   safe (see server_control.h).
 *-------------------------------------------------------------------------
 */
#include "viz/client/server_control.h"

#include <signal.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace minipg::viz {
namespace {

/* The parent pid of a running process, from /proc (0 if it is not running). */
int64_t ParentOf(int64_t pid) {
  std::ifstream in(fmt::format("/proc/{}/stat", pid));
  std::string stat;
  if (!std::getline(in, stat)) return 0;
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
  size_t close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream rest(stat.substr(close + 1));
  std::string state;
  int64_t ppid = 0;
  rest >> state >> ppid;
  return ppid;
}

}  // namespace

std::string ServerControl::CanSignal(const Model& model) const {
  int64_t pm = model.postmaster_pid();
  const Process* p = model.FindProcess(pm);
  if (pm == 0 || p == nullptr) return "the postmaster is not known yet";
  if (p->exited) return "the postmaster has exited";
  const std::string& dir = model.server().data_directory;
  if (dir.empty()) return "the server's data directory is not known";
  std::ifstream pidfile(dir + "/postmaster.pid");
  int64_t running = 0;
  if (!(pidfile >> running) || running != pm) {
    return "the server runs on another machine (or as another user): signals cannot reach it "
           "from here";
  }
  return "";
}

std::string ServerControl::Signal(const Model& model, int64_t pid, int sig) const {
  if (std::string why = CanSignal(model); !why.empty()) return why;
  int64_t pm = model.postmaster_pid();
  if (pid != pm && ParentOf(pid) != pm) {
    return fmt::format("process {} is no longer a child of the postmaster", pid);
  }
  if (::kill(static_cast<pid_t>(pid), sig) != 0) {
    return fmt::format("kill({}, {}) failed: {}", pid, sigabbrev_np(sig), std::strerror(errno));
  }
  return "";
}

}  // namespace minipg::viz
