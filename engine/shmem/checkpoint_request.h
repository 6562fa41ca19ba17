/*-------------------------------------------------------------------------
 * checkpoint_request.h
 *   How a backend asks the checkpointer for a checkpoint and waits for it
 *   (the SQL command CHECKPOINT), through the counters in shared memory
 *   (CheckpointerShared in shmem.h) and a signal.
 *
 *     backend                                  checkpointer
 *     -------                                  ------------
 *     ticket = ++requests
 *     kill(checkpointer, SIGINT)     ------->  wakes: requests != served
 *                                              serving = requests   (covers our ticket)
 *                                              fsyncs the files, writes pg_control
 *     waits until served >= ticket   <-------  served = serving
 *
 * NOTES
 *   The wait checks for interrupts, so a cancel or terminate ends it; the
 *   checkpoint itself goes on in the checkpointer.
 *-------------------------------------------------------------------------
 */
#pragma once

#include "engine/common/error.h"

namespace minipg::shmem {

/* Requests an immediate checkpoint and waits until it has completed.
 * Errors: no checkpointer running, the checkpoint failed, or an interrupt. */
Status RequestCheckpointAndWait();

}  // namespace minipg::shmem
