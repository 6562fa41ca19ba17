/*-------------------------------------------------------------------------
 * interrupts.h
 *   Pending-interrupt flags set by signal handlers, and the check that long
 *   running work calls to honour them (PostgreSQL's CHECK_FOR_INTERRUPTS).
 *
 * NOTES
 *   Signal handlers only set these flags. Code that may run for a while
 *   (pg_sleep, each executor row) calls CheckForInterrupts() and returns the
 *   Error it gives: 57014 for a cancel, 57P01 FATAL for a terminate or for
 *   the postmaster's death (postmaster_death.h).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <csignal>

#include "engine/common/error.h"

namespace minipg {

/* SIGINT in a backend: cancel the running statement. */
extern volatile sig_atomic_t g_query_cancel_pending;
/* SIGTERM in a backend: end the session (fast shutdown or terminate). */
extern volatile sig_atomic_t g_proc_die_pending;
/* Set with g_query_cancel_pending when statement_timeout expired (not a user's cancel). */
extern volatile sig_atomic_t g_statement_timeout_pending;

/* Returns OK, or the Error that ends the current statement (cancel) or the
 * session (die). Clears the cancel flag when it reports it. */
Status CheckForInterrupts();

/* Sleeps up to `seconds`, waking early (with the error) on an interrupt. */
Status InterruptibleSleep(double seconds);

}  // namespace minipg
