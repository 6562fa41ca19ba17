/*-------------------------------------------------------------------------
 * startup.h
 *   The startup process (PostgreSQL's startup.c + StartupXLOG): forked by
 *   the postmaster after the checkpointer and the background writer, at
 *   every start and at the end of every crash cycle. It reads pg_control
 *   and says how the server before it ended; after an unclean end it
 *   replays the WAL from the last checkpoint's redo point to the end of
 *   valid WAL, calling each record's rmgr redo, and asks the checkpointer
 *   for the end-of-recovery checkpoint. Then it starts the WAL at its end
 *   (XLogStartup), marks pg_control "in production" and exits 0; the
 *   postmaster starts the WAL writer and accepts connections. Until then
 *   clients get 57P03.
 *
 *   Log lines (PostgreSQL 15's):
 *     database system was shut down at 2026-12-06 09:31:06 UTC
 *   or
 *     database system was interrupted; last known up at 2026-12-06 11:23:41 UTC
 *     database system was not properly shut down; automatic recovery in progress
 *     redo starts at 0/1000100          (or: redo is not required)
 *     invalid record length at 0/1000200: wanted 24, got 0
 *     redo done at 0/10001C8 system usage: CPU: user: 0.00 s, system: 0.00 s, elapsed: 0.00 s
 *
 * NOTES
 *   Title "minipg: startup recovering 000000010000000000000001" while it
 *   replays, "minipg: startup" otherwise; backend_type "startup".
 *   Signals: SIGQUIT exit(2) at once (crash cycle, immediate shutdown);
 *   SIGTERM exit(1) (fast or smart shutdown during recovery: the next start
 *   recovers again). Any exit but 0 while the server starts makes the
 *   postmaster give up ("aborting startup due to startup process failure").
 *   Test-only: the environment variable MINIPG_TEST_RECOVERY_DELAY_MS makes
 *   recovery wait that long before replaying, so tests can see 57P03.
 *-------------------------------------------------------------------------
 */
#pragma once

#include "engine/postmaster/config.h"

namespace minipg {

/* Runs the startup process in this freshly forked process (signals
 * blocked by the postmaster); `slot` is its process array slot. Exits 0
 * when the database is consistent and the WAL started, 1 on failure. */
[[noreturn]] void StartupProcessMain(const Config& config, int slot);

}  // namespace minipg
