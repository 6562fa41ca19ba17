/*-------------------------------------------------------------------------
 * shmem.h
 *   The server's one shared memory segment: created by the postmaster
 *   before it forks any child, inherited by every child through fork(),
 *   destroyed and created afresh after a crash cycle.
 *
 *   Layout (one anonymous MAP_SHARED mapping, page-aligned):
 *
 *     OFFSET  SIZE                 DESCRIPTION
 *          0  sizeof(ShmemHeader)  magic, size, number of process slots,
 *                                  the checkpointer's request counters
 *          H  N * sizeof(BackendStatus)
 *                                  the process array: one slot per possible
 *                                  process, see backend_status.h: slots
 *                                  0 .. max_connections - 1 for client
 *                                  backends (each claims its own), then one
 *                                  per auxiliary process (the postmaster
 *                                  assigns those)
 *
 * NOTES
 *   minipg uses an anonymous mapping (mmap MAP_SHARED|MAP_ANONYMOUS), not a
 *   System V segment or a file: only processes forked after it exists can
 *   see it, which is exactly the postmaster's children. PostgreSQL (since 9.3)
 *   uses the same kind of mapping for its main segment, plus a tiny System V
 *   segment only to detect old backends still attached after a crash.
 *
 *   Why recreate it after a crash: a backend that died abnormally may have
 *   been half-way through a write, so nothing in the old segment can be
 *   trusted. The postmaster waits until every child that could write to it
 *   has exited, unmaps it and maps a new, zeroed one (ReinitSharedMemory);
 *   children forked afterwards inherit the new one. A child that was forked
 *   earlier and outlives the cycle (the event collector) keeps the old
 *   mapping until it exits, and never writes it.
 *
 *   Everything in the segment that several processes touch is either a
 *   std::atomic (lock-free, so it works across processes) or protected by
 *   the change counter protocol of backend_status.h. There are no locks.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "engine/common/error.h"

namespace minipg::shmem {

inline constexpr uint64_t kShmemMagic = 0x4D50475348'4D454DULL;  // "MPGSHMEM"

/* What backends and the checkpointer share about checkpoints (PostgreSQL's
 * CheckpointerShmem). Requests are counted: a backend that wants a
 * checkpoint takes a ticket (requests + 1), signals the checkpointer
 * (SIGINT) and waits until `served` reaches its ticket. A checkpoint serves
 * every ticket taken before it began: it reads `requests` when it starts and
 * stores that value in `served` (and in `failed` too if it failed) when it
 * ends. Counters wrap; they are compared as (int32_t)(a - b) >= 0. */
struct CheckpointerShared {
  std::atomic<int32_t> pid;        // the checkpointer's pid, 0 while there is none
  std::atomic<uint32_t> requests;  // tickets taken by backends (CHECKPOINT)
  std::atomic<uint32_t> served;    // tickets covered by the last finished checkpoint
  std::atomic<uint32_t> failed;    // tickets covered by the last failed checkpoint
  std::atomic<uint32_t> started;   // checkpoints begun (for readers' curiosity)
};

struct ShmemHeader {
  uint64_t magic;
  uint64_t size;        // bytes in the whole mapping
  int32_t num_slots;    // slots in the process array
  int32_t num_backend_slots;  // the first ones, for client backends (max_connections)
  uint32_t generation;  // 1 for the first segment, +1 per crash cycle
  CheckpointerShared checkpointer;
};

/* Creates the segment for `backend_slots` client backends and `aux_slots`
 * auxiliary processes (postmaster, before the first fork). Replaces any
 * segment this process has. */
Status CreateSharedMemory(int backend_slots, int aux_slots);

/* Unmaps this process's segment (postmaster: after a crash cycle, at exit). */
void DestroySharedMemory();

/* The segment's header, or nullptr if this process has none (e.g. a unit
 * test running SQL without a server). */
ShmemHeader* Header();

/* Bytes a segment for `num_slots` processes takes (rounded up to a page). */
size_t SharedMemorySize(int num_slots);

}  // namespace minipg::shmem
