/*-------------------------------------------------------------------------
 * postmaster_death.cpp
 *   The postmaster-death pipe and the parent-death signal (see
 *   postmaster_death.h).
 *-------------------------------------------------------------------------
 */
#include "engine/common/postmaster_death.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "engine/common/sqlstate.h"

namespace minipg {

volatile sig_atomic_t g_postmaster_possibly_dead = 0;

namespace {

int g_death_pipe[2] = {-1, -1};  // [0] every process keeps; [1] only the postmaster
pid_t g_postmaster_pid = 0;
void (*volatile g_wakeup)() = nullptr;  // read by the signal handler

void HandlePostmasterDeath(int) {
  int saved = errno;
  g_postmaster_possibly_dead = 1;
  if (g_wakeup != nullptr) g_wakeup();
  errno = saved;
}

}  // namespace

Status InitPostmasterDeathWatch() {
  // Non-blocking read end: PostmasterIsAlive() must never wait.
  if (pipe2(g_death_pipe, O_CLOEXEC) < 0 || fcntl(g_death_pipe[0], F_SETFL, O_NONBLOCK) < 0) {
    return MakeError(sqlstate::kIoError,
                     fmt::format("could not create pipe to monitor postmaster death: {}", std::strerror(errno)),
                     Severity::kFatal);
  }
  g_postmaster_pid = getpid();
  return OkStatus();
}

void InitPostmasterChild() {
  if (g_death_pipe[1] >= 0) {
    close(g_death_pipe[1]);  // or the pipe would never lose its last writer
    g_death_pipe[1] = -1;
  }
  struct sigaction sa {};
  sa.sa_handler = HandlePostmasterDeath;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a blocking call returns EINTR and looks
  sigaction(SIGPWR, &sa, nullptr);
  prctl(PR_SET_PDEATHSIG, SIGPWR);
  // The postmaster may have died before the prctl: then no signal comes.
  if (getppid() != g_postmaster_pid) g_postmaster_possibly_dead = 1;
}

void SetPostmasterDeathWakeup(void (*wakeup)()) {
  g_wakeup = wakeup;
}

int PostmasterDeathFd() {
  return g_death_pipe[0];
}

bool PostmasterIsAlive() {
  if (!g_postmaster_possibly_dead || g_death_pipe[0] < 0) return true;
  char c;
  ssize_t n = read(g_death_pipe[0], &c, 1);
  if (n == 0) return false;  // no writer left: the postmaster is gone
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
    g_postmaster_possibly_dead = 0;  // a stray signal
    return true;
  }
  return false;  // nobody writes to it; anything else means trouble
}

Error PostmasterDeathError() {
  return MakeError(sqlstate::kAdminShutdown, "terminating connection due to unexpected postmaster exit",
                   Severity::kFatal);
}

}  // namespace minipg
