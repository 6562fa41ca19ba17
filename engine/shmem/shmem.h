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
 *          A  area 1, area 2, ...  the areas other modules asked for before
 *                                  the segment was made (ShmemRequest: the
 *                                  buffer pool, the WAL buffers, ...), each
 *                                  at a cache-line (64-byte) boundary, in
 *                                  the order of the requests; the header's
 *                                  area table records name, offset, size
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
 *   Areas (PostgreSQL's ShmemInitStruct, decided before the segment exists):
 *   a module that needs shared memory hands the postmaster a ShmemRequest
 *   (name, size, init); the segment is sized for all of them at once and
 *   never grows. Each area's init runs once, in the postmaster, on zeroed
 *   memory; every child finds the area by name (ShmemArea) through the
 *   header's table, which the children inherited with the mapping. After a
 *   crash cycle the same requests are made again on a fresh segment.
 *
 *   Everything in the segment that several processes touch is either a
 *   std::atomic (lock-free, so it works across processes), protected by
 *   the change counter protocol of backend_status.h, or protected by an
 *   LWLock (lwlock.h) that lives in the same area.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

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
  std::atomic<uint32_t> flags;     // kCheckpoint* flags of pending requests, or'ed
  std::atomic<uint32_t> requests;  // tickets taken by backends (CHECKPOINT)
  std::atomic<uint32_t> served;    // tickets covered by the last finished checkpoint
  std::atomic<uint32_t> failed;    // tickets covered by the last failed checkpoint
  std::atomic<uint32_t> started;   // checkpoints begun (for readers' curiosity)
  // pg_stat_bgwriter, since the segment was made: checkpoints done because
  // checkpoint_timeout passed, and for any other reason (CHECKPOINT,
  // max_wal_size, end of recovery, shutdown); the time spent writing and
  // syncing, in microseconds.
  std::atomic<uint64_t> checkpoints_timed;
  std::atomic<uint64_t> checkpoints_req;
  std::atomic<uint64_t> write_time_us;
  std::atomic<uint64_t> sync_time_us;
};

/* What a checkpoint request asks for (PostgreSQL's CHECKPOINT_* values);
 * the log line names them: "checkpoint starting: immediate force wait". */
inline constexpr uint32_t kCheckpointIsShutdown = 0x0001;     // "shutdown"
inline constexpr uint32_t kCheckpointEndOfRecovery = 0x0002;  // "end-of-recovery"
inline constexpr uint32_t kCheckpointImmediate = 0x0004;      // "immediate"
inline constexpr uint32_t kCheckpointForce = 0x0008;          // "force"
inline constexpr uint32_t kCheckpointWait = 0x0020;           // "wait"
inline constexpr uint32_t kCheckpointCauseXlog = 0x0080;      // "wal": max_wal_size reached
inline constexpr uint32_t kCheckpointCauseTime = 0x0100;      // "time": checkpoint_timeout

inline constexpr size_t kShmemAreaNameSize = 48;
inline constexpr int kMaxShmemAreas = 32;
inline constexpr size_t kShmemAreaAlign = 64;  // a cache line

/* One area a module asks for before the segment is created: `size` bytes
 * named `name` (unique), prepared by `init` (may be empty) on zeroed memory
 * once, in the creating process. */
struct ShmemRequest {
  std::string name;
  size_t size = 0;
  std::function<void(void*)> init;
};

/* An entry of the header's area table (name "" = unused). */
struct ShmemAreaEntry {
  char name[kShmemAreaNameSize];
  uint64_t offset;  // from the start of the segment
  uint64_t size;
};

struct ShmemHeader {
  uint64_t magic;
  uint64_t size;        // bytes in the whole mapping
  int32_t num_slots;    // slots in the process array
  int32_t num_backend_slots;  // the first ones, for client backends (max_connections)
  uint32_t generation;  // 1 for the first segment, +1 per crash cycle
  CheckpointerShared checkpointer;
  int32_t num_areas;
  ShmemAreaEntry areas[kMaxShmemAreas];
};

/* Creates the segment for `backend_slots` client backends and `aux_slots`
 * auxiliary processes (postmaster, before the first fork), followed by one
 * area per request, each initialised by its init. Replaces any segment this
 * process has. Fails (FATAL) on a mapping failure, more than kMaxShmemAreas
 * requests, a name too long or given twice. */
Status CreateSharedMemory(int backend_slots, int aux_slots,
                          const std::vector<ShmemRequest>& requests = {});

/* The area called `name` in this process's segment, or nullptr if there is
 * no segment or no such area. */
void* ShmemArea(std::string_view name);

/* The area table of this process's segment (empty without one), in layout
 * order: for the shmem_layout event and for tests. */
std::vector<ShmemAreaEntry> ShmemAreas();

/* Unmaps this process's segment (postmaster: after a crash cycle, at exit). */
void DestroySharedMemory();

/* The segment's header, or nullptr if this process has none (e.g. a unit
 * test running SQL without a server). */
ShmemHeader* Header();

/* Bytes a segment for `num_slots` processes and these area requests takes
 * (rounded up to a page). */
size_t SharedMemorySize(int num_slots, const std::vector<ShmemRequest>& requests = {});

}  // namespace minipg::shmem
