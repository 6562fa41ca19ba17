/*-------------------------------------------------------------------------
 * checkpoint.h
 *   One checkpoint (PostgreSQL's CreateCheckPoint), run by the checkpointer:
 *
 *     1. redo point = the WAL insert position (XLogBeginCheckpoint): every
 *        change after it is in the WAL after it, and a page's first change
 *        after it logs a full page image
 *     2. every dirty shared buffer is written (FlushAllDirty)
 *     3. the transaction status pages (CheckPointTransam) and pg_multixact
 *        (CheckPointMultiXact)
 *     4. fsync of every relation file (a walk of base/ and global/)
 *     5. the checkpoint record (CHECKPOINT_ONLINE, or CHECKPOINT_SHUTDOWN
 *        for shutdown and end-of-recovery), then XLogFlush up to it
 *     6. pg_control: checkpoint and redo LSN, next xid/oid, state
 *     7. WAL segments before the redo point removed or recycled
 *
 *   Recovery after a crash starts at the redo point of the last checkpoint
 *   that reached step 6: everything before it is in the data files.
 *
 * NOTES
 *   A failed fsync of a data file or of the WAL is a PANIC, as in
 *   PostgreSQL (the kernel may have dropped the dirty pages; retrying
 *   could report success for data that is gone): the checkpointer aborts,
 *   which brings the crash cycle and recovery from the previous checkpoint.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <string>

#include "engine/common/error.h"
#include "engine/postmaster/config.h"

namespace minipg {

/* "immediate force wait", from kCheckpoint* flags, as PostgreSQL's log says. */
std::string CheckpointFlagsText(uint32_t flags);

/* What the checkpointer remembers between checkpoints. */
struct CheckpointHistory {
  double distance_estimate = 0;  // bytes of WAL between redo points (smoothed)
  int wal_files = -1;            // segment files after the last checkpoint (-1 = not counted yet)
};

struct CheckpointResult {
  int buffers_written = 0;
  int wal_added = 0, wal_removed = 0, wal_recycled = 0;
  int sync_files = 0;
  double write_s = 0, sync_s = 0, total_s = 0, longest_sync_s = 0, average_sync_s = 0;
  uint64_t distance = 0, estimate = 0;  // bytes
  uint64_t checkpoint_lsn = 0, redo_lsn = 0;
};

/* "checkpoint complete: wrote 4 buffers (0.0%); 0 WAL file(s) added, ..." */
std::string CheckpointCompleteText(const CheckpointResult& r, int nbuffers);

/* Runs one checkpoint. An error is a failed checkpoint (ERROR: the next
 * one tries again); a failed fsync does not return (PANIC). */
Result<CheckpointResult> CreateCheckpoint(const Config& config, uint32_t flags, CheckpointHistory& history);

}  // namespace minipg
