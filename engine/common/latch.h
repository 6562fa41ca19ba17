/*-------------------------------------------------------------------------
 * latch.h
 *   The process latch: how a wait on a socket also wakes up for a signal
 *   (PostgreSQL's latch, in its self-pipe form).
 *
 *     InitLatch();                          // once per process, before the handlers
 *     SetLatch();                           // in a signal handler: async-signal-safe
 *     WaitLatchOrSocket(fd, POLLOUT);       // until fd is ready or the latch is set
 *
 * NOTES
 *   A handler that sets a flag also sets the latch. A waiter checks its
 *   flags, then waits: a signal that lands between the two leaves a byte in
 *   the pipe, so the wait returns at once and the flags are checked again.
 *   Nothing is lost and nothing spins: a wait that returns for the latch
 *   resets it. Every wait of a backend on its client goes through
 *   WaitLatchOrSocket(), the one place to add another thing to wake for.
 *-------------------------------------------------------------------------
 */
#pragma once

namespace minipg {

/* Creates this process's latch (a non-blocking pipe, closed on exec);
 * false if the pipe could not be made. Call again after fork() so parent
 * and child do not share one. */
bool InitLatch();

/* Wakes the process's current or next wait. Async-signal-safe; keeps errno. */
void SetLatch();

/* For a process with a poll() loop of its own (the postmaster): the fd to
 * watch for POLLIN, and the reset to call when it is readable. */
int LatchFd();
void ResetLatch();

/* What woke a WaitLatchOrSocket(). */
enum WaitEvents : int {
  kWaitSocketReady = 1,  // the socket is ready for the events asked (or has an error or EOF)
  kWaitLatchSet = 2,     // the latch was set (now reset): check the flags again
  kWaitPostmasterDeath = 4,  // the postmaster-death pipe hung up (g_postmaster_possibly_dead is set)
};

/* Blocks until `fd` is ready for `events` (POLLIN, POLLOUT), the latch
 * is set or the postmaster dies (its death pipe, postmaster_death.h, is
 * watched too, as PostgreSQL's WL_POSTMASTER_DEATH); returns what happened
 * (a bitmask of WaitEvents; 0 if a signal interrupted the wait first). */
int WaitLatchOrSocket(int fd, short events);

}  // namespace minipg
