/*-------------------------------------------------------------------------
 * child_process.h
 *   For tests of shared memory across processes: fork a child that runs a
 *   function and exits with its result, and wait for that result.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <sys/wait.h>
#include <unistd.h>

namespace minipg::test_util {

/* Forks a child that runs `body` (returning an exit code) and _exits. */
template <typename F>
pid_t SpawnChild(F body) {
  pid_t pid = fork();
  if (pid == 0) _exit(body());
  return pid;
}

/* Waits for the child: its exit code, or 100 + the signal that killed it. */
inline int ChildExitCode(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
}

}  // namespace minipg::test_util
