/*-------------------------------------------------------------------------
 * interrupts.h
 *   Pending-interrupt flags set by signal handlers, and the check that long
 *   running work calls to honour them (PostgreSQL's CHECK_FOR_INTERRUPTS).
 *
 * NOTES
 *   Signal handlers only set these flags (and set the latch, latch.h, so a
 *   wait on the client wakes up). Every loop whose length the client
 *   decides (lexing, parsing, analysis of long lists, each executor row,
 *   sorting, COPY rows, pg_sleep) calls CheckForInterrupts() and returns
 *   the Error it gives: 57014 for a cancel or statement_timeout, 57P01 FATAL
 *   for a terminate, a fast shutdown or the postmaster's death
 *   (postmaster_death.h). The check is two flag reads, cheap
 *   enough for every token or row; the work is in ProcessInterrupts().
 *   While blocked on the client in the middle of a statement (a send the
 *   client does not read, a COPY FROM STDIN waiting for data) only a die is
 *   acted on, as in PostgreSQL: a cancel stays pending until the statement
 *   goes on and reaches its next CheckForInterrupts().
 *   Interrupts can be held off (PostgreSQL's HOLD_INTERRUPTS): while the
 *   holdoff count is above zero, CheckForInterrupts() returns OK and the
 *   flags stay set until the count is back to zero. An LWLock holder does
 *   this (lwlock.h), so no statement ends half-way through a change to
 *   shared memory with a lock still held.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <csignal>

#include "engine/common/error.h"
#include "engine/common/postmaster_death.h"

namespace minipg {

/* SIGINT in a backend: cancel the running statement. */
extern volatile sig_atomic_t g_query_cancel_pending;
/* SIGTERM in a backend: end the session (fast shutdown or terminate). */
extern volatile sig_atomic_t g_proc_die_pending;
/* Set with g_query_cancel_pending when statement_timeout expired (not a user's cancel). */
extern volatile sig_atomic_t g_statement_timeout_pending;
/* Set by SIGHUP: re-read minipg.conf at the next safe point (PostgreSQL's
 * ConfigReloadPending). */
extern volatile sig_atomic_t g_config_reload_pending;

/* How many times interrupts are held off right now (HoldInterrupts minus
 * ResumeInterrupts); per process, never touched by a signal handler. */
extern int g_interrupt_holdoff_count;

/* PostgreSQL's HOLD_INTERRUPTS() / RESUME_INTERRUPTS(): they nest. */
inline void HoldInterrupts() { ++g_interrupt_holdoff_count; }
inline void ResumeInterrupts() { --g_interrupt_holdoff_count; }

/* Returns the Error that ends the current statement (cancel) or the
 * session (die), or OK if neither is pending. Clears the cancel flag when
 * it reports it. OK without clearing anything while interrupts are held
 * off. Call CheckForInterrupts() instead. */
Status ProcessInterrupts();

/* PostgreSQL's CHECK_FOR_INTERRUPTS(): OK unless an interrupt is pending. */
inline Status CheckForInterrupts() {
  if (!g_query_cancel_pending && !g_proc_die_pending && !g_postmaster_possibly_dead) return OkStatus();
  return ProcessInterrupts();
}

/* The die half alone (a terminate, or the postmaster's death): what a
 * wait on the client honours (see NOTES). OK while interrupts are held off. */
Status CheckForDieInterrupt();

/* Sleeps up to `seconds`, waking early (with the error) on an interrupt. */
Status InterruptibleSleep(double seconds);

}  // namespace minipg
