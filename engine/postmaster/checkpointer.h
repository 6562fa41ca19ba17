/*-------------------------------------------------------------------------
 * checkpointer.h
 *   The checkpointer: an auxiliary process the postmaster starts before the
 *   startup process (title "minipg: checkpointer"). It writes checkpoints
 *   (checkpoint.h):
 *     - every checkpoint_timeout               ("checkpoint starting: time")
 *     - when max_wal_size of WAL was written    ("checkpoint starting: wal")
 *     - when a backend runs CHECKPOINT          ("checkpoint starting: immediate force wait")
 *     - when the startup process ends recovery  ("checkpoint starting: end-of-recovery immediate wait")
 *     - once at shutdown, then exits            ("checkpoint starting: shutdown immediate")
 *   No timed or WAL-triggered checkpoint is written while the WAL is not
 *   started (the startup process is replaying it).
 *
 * NOTES
 *   Signals (as PostgreSQL's checkpointer):
 *     SIGINT   a checkpoint was requested (see engine/shmem/checkpoint_request.h)
 *     SIGUSR2  the postmaster asks for the shutdown checkpoint; exit 0 after it
 *     SIGTERM  ignored: the checkpointer outlives the backends at shutdown
 *     SIGQUIT  exit(2) at once (immediate shutdown, crash cycle)
 *     SIGPWR   the postmaster died (PR_SET_PDEATHSIG): exit(1) at once, as
 *              also when its poll() sees the postmaster-death pipe hang up
 *   Its death is a crash for the postmaster, like a backend's, except
 *   during the shutdown checkpoint, where exit 0 is what it waits for. A
 *   failed fsync in a checkpoint aborts it (PANIC), which is such a crash.
 *-------------------------------------------------------------------------
 */
#pragma once

#include "engine/postmaster/config.h"

namespace minipg {

/* Runs the checkpointer in this freshly forked process (signals blocked
 * by the postmaster); `slot` is its process array slot. Never returns. */
[[noreturn]] void CheckpointerMain(const Config& config, int slot);

}  // namespace minipg
