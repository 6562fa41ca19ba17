/*-------------------------------------------------------------------------
 * checkpointer.h
 *   The checkpointer: an auxiliary process the postmaster starts after the
 *   event collector (process title "minipg: checkpointer").
 *
 *   A checkpoint makes everything written so far durable and records that
 *   in global/pg_control: it fsyncs every table file under base/ (walked
 *   recursively) and the catalog, then replaces pg_control atomically with
 *   the time and count of checkpoints. It runs
 *     - every checkpoint_timeout               ("checkpoint starting: time")
 *     - when a backend runs CHECKPOINT          ("checkpoint starting: immediate force wait")
 *     - once at shutdown, then exits            ("checkpoint starting: shutdown immediate")
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
 *   during the shutdown checkpoint, where exit 0 is what it waits for.
 *   In minipg every INSERT is already fdatasync()ed before it returns, so a
 *   checkpoint has no dirty buffers to write; it only shows the steps.
 *-------------------------------------------------------------------------
 */
#pragma once

#include "engine/postmaster/config.h"

namespace minipg {

/* Runs the checkpointer in this freshly forked process (signals blocked
 * by the postmaster); `slot` is its process array slot. Never returns. */
[[noreturn]] void CheckpointerMain(const Config& config, int slot);

}  // namespace minipg
