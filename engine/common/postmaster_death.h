/*-------------------------------------------------------------------------
 * postmaster_death.h
 *   How every child of the postmaster learns that the postmaster has died
 *   (PostgreSQL's postmaster-death pipe, storage/ipc/pmsignal.c).
 *
 *   The postmaster makes a pipe before its first fork and keeps the write
 *   end; nobody ever writes to it. Every child closes the write end at once
 *   (InitPostmasterChild) and keeps the read end. When the postmaster exits,
 *   however it exits (kill -9 included), the kernel closes its write end:
 *   the pipe has no writer left, so the read end polls readable with
 *   POLLHUP and read() returns 0. A child puts PostmasterDeathFd() in every
 *   poll() it waits in.
 *
 *   On Linux the kernel also signals each child when its parent dies
 *   (prctl PR_SET_PDEATHSIG, SIGPWR as PostgreSQL uses): the handler sets
 *   g_postmaster_possibly_dead and calls the child's wake-up function (a
 *   backend shuts its client socket's read side, as for SIGTERM), so waits
 *   that are not poll()s and long computations, which call
 *   CheckForInterrupts, notice within one check.
 *
 * NOTES
 *   PostmasterIsAlive() is cheap while no signal came: it reads the flag,
 *   and only then asks the pipe (a non-blocking read: EAGAIN = alive, 0 =
 *   dead), so a stray SIGPWR is harmless.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <sys/types.h>

#include <csignal>

#include "engine/common/error.h"

namespace minipg {

/* Set by the parent-death signal; PostmasterIsAlive() confirms it. */
extern volatile sig_atomic_t g_postmaster_possibly_dead;

/* Postmaster, before its first fork: makes the pipe. */
Status InitPostmasterDeathWatch();

/* A new child, first thing after fork() (signals still blocked): closes
 * the write end and asks the kernel for SIGPWR when the postmaster dies. */
void InitPostmasterChild();

/* What the SIGPWR handler calls after setting the flag, to wake this
 * process's wait (null: nothing). Must be async-signal-safe. */
void SetPostmasterDeathWakeup(void (*wakeup)());

/* The read end, for poll(); -1 in a process without a postmaster. */
int PostmasterDeathFd();

/* False once the postmaster is gone (always true without a postmaster). */
bool PostmasterIsAlive();

/* 57P01, as PostgreSQL says it to a client whose backend outlived its
 * postmaster. */
Error PostmasterDeathError();

}  // namespace minipg
