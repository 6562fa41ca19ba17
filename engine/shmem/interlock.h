/*-------------------------------------------------------------------------
 * interlock.h
 *   The data directory's interlock: a tiny System V shared memory segment
 *   whose only job is to be counted.
 *
 *   The server's real shared memory is an anonymous mapping (shmem.h),
 *   which the kernel does not let anyone else find. But the kernel keeps,
 *   for a System V segment, the number of processes attached to it
 *   (shm_nattch), and fork() attaches every child to its parent's
 *   segments. So the postmaster creates one small segment at start, before
 *   its first fork, and every server process it ever forks is counted in
 *   it until that process exits. A new postmaster on the same data
 *   directory finds the old segment (its key is derived from the data
 *   directory's inode, and postmaster.pid records key and id) and refuses
 *   to start while anything is still attached: an old backend that
 *   outlived a killed postmaster must never write beside a new server.
 *   This is what PostgreSQL does (sysv_shmem.c, PGSharedMemoryCreate).
 *
 *   Layout of the segment:
 *
 *     OFFSET  SIZE  DESCRIPTION
 *          0     8  magic "MPGLOCK\0"
 *          8     8  st_dev of the data directory
 *         16     8  st_ino of the data directory
 *         24     4  pid of the postmaster that created it
 *
 * NOTES
 *   A key in use by a segment that is not ours (another program's, or
 *   another data directory's) is skipped: the next key is tried. Our own
 *   segment with nobody attached is left over from a server that is gone;
 *   it is removed and the key reused. The postmaster removes its segment
 *   when it shuts down; after a kill -9 it stays until the next start.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <sys/types.h>

#include <filesystem>

#include "engine/common/error.h"

namespace minipg::shmem {

struct InterlockId {
  long key = 0;  // the System V key (PostgreSQL prints it in decimal)
  int id = -1;   // the segment's id (shmid)
};

/* Postmaster, before its first fork: creates and attaches the segment for
 * `data_dir`, or fails with F0001 "pre-existing shared memory block (key
 * N, ID M) is still in use" when an old server's processes are attached. */
Result<InterlockId> CreateInterlock(const std::filesystem::path& data_dir);

/* Postmaster, at a clean exit: detaches and removes the segment. */
void RemoveInterlock();

/* How many processes are attached to segment `id` (-1 if there is none). */
int InterlockAttachCount(int id);

}  // namespace minipg::shmem
