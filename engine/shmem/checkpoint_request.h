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
#include "engine/shmem/shmem.h"

namespace minipg::shmem {

/* Requests a checkpoint (by default an immediate one, as the CHECKPOINT
 * command: kCheckpointImmediate | kCheckpointForce | kCheckpointWait) and
 * waits until it has completed. The startup process asks for the
 * end-of-recovery checkpoint this way.
 * Errors: no checkpointer running, the checkpoint failed, or an interrupt. */
Status RequestCheckpointAndWait(uint32_t flags = kCheckpointImmediate | kCheckpointForce | kCheckpointWait);

}  // namespace minipg::shmem
