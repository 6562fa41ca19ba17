/*-------------------------------------------------------------------------
 * latch.cpp
 *   The process latch: a self-pipe and a poll() on it (see latch.h).
 *-------------------------------------------------------------------------
 */
#include "engine/common/latch.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>

#include "engine/common/postmaster_death.h"

namespace minipg {

namespace {

int g_latch_read = -1;
int g_latch_write = -1;

}  // namespace

void ResetLatch() {
  char buf[64];
  while (read(g_latch_read, buf, sizeof buf) > 0) {
  }
}

int LatchFd() { return g_latch_read; }

bool InitLatch() {
  if (g_latch_read >= 0) {
    close(g_latch_read);
    close(g_latch_write);
  }
  int fds[2];
  if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) {
    g_latch_read = g_latch_write = -1;
    return false;  // without a latch, waits still wake on EINTR
  }
  g_latch_read = fds[0];
  g_latch_write = fds[1];
  return true;
}

void SetLatch() {
  if (g_latch_write < 0) return;
  int saved = errno;
  char byte = 0;
  ssize_t unused = write(g_latch_write, &byte, 1);  // a full pipe is a set latch already
  (void)unused;
  errno = saved;
}

int WaitLatchOrSocket(int fd, short events) {
  // poll() skips a negative fd: no latch, or no postmaster (a unit test).
  pollfd fds[3] = {{fd, events, 0}, {g_latch_read, POLLIN, 0}, {PostmasterDeathFd(), POLLIN, 0}};
  int n = poll(fds, 3, -1);
  if (n <= 0) return 0;  // EINTR: the caller checks its flags again
  int result = 0;
  if (fds[0].revents != 0) result |= kWaitSocketReady;
  if (fds[1].revents != 0) {
    ResetLatch();
    result |= kWaitLatchSet;
  }
  if (fds[2].revents != 0) {
    g_postmaster_possibly_dead = 1;  // CheckForDieInterrupt() confirms it and ends the session
    result |= kWaitPostmasterDeath;
  }
  return result;
}

}  // namespace minipg
