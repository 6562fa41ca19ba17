/*-------------------------------------------------------------------------
 * buffer_internal.h
 *   The buffer pool's shared structures and the helpers its files share
 *   (PostgreSQL's buf_internals.h). Private to engine/storage/buffer/.
 *
 *   A buffer descriptor's state word (one std::atomic<uint32_t>):
 *
 *     BITS    MEANING
 *     0..17   refcount: how many processes pin the buffer
 *     18..21  usage count, 0 .. kMaxUsageCount (the clock sweep's)
 *     22      LOCKED: the header lock, a spinlock held for a few
 *             instructions around changes of the tag or of several flags
 *     23      DIRTY: the page differs from its file
 *     24      VALID: the page is in the buffer
 *     25      TAG_VALID: the tag means something (a mapping entry exists)
 *     26      IO_IN_PROGRESS: some process is reading or writing the page
 *     27      IO_ERROR: the last I/O failed
 *     28      JUST_DIRTIED: dirtied again while being written
 *     29      CHECKPOINT_NEEDED: dirty when the running checkpoint began
 *
 *   Pins and usage counts change by compare-and-swap without the header
 *   lock (waiting while LOCKED is set). A process waiting for another's
 *   I/O sleeps on the state word itself (futex): ending an I/O changes the
 *   word and wakes every sleeper.
 *
 *   Lock order: mapping partition locks (lower number first), then a
 *   buffer's content lock, then its header lock; the header lock is never
 *   held while waiting for anything.
 *
 *   The mapping table: `nbuckets` (a power of two) chains of entries
 *   {tag, buffer index, next}; bucket b belongs to partition
 *   b % kNumMappingPartitions, whose LWLock guards every chain in it. Free
 *   entries form one list under its own lock; there are nbuffers +
 *   kNumMappingPartitions of them, enough for every buffer plus one new
 *   tag per partition being inserted before its old tag is removed.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <atomic>
#include <cstdint>

#include "engine/shmem/lwlock.h"
#include "engine/storage/buffer/buffer_pool.h"

namespace minipg::storage::buffer_internal {

inline constexpr uint32_t kRefcountOne = 1u;
inline constexpr uint32_t kRefcountMask = (1u << 18) - 1;
inline constexpr int kUsageShift = 18;
inline constexpr uint32_t kUsageOne = 1u << kUsageShift;
inline constexpr uint32_t kUsageMask = 0xFu << kUsageShift;
inline constexpr uint32_t kLocked = 1u << 22;
inline constexpr uint32_t kDirty = 1u << 23;
inline constexpr uint32_t kValid = 1u << 24;
inline constexpr uint32_t kTagValid = 1u << 25;
inline constexpr uint32_t kIoInProgress = 1u << 26;
inline constexpr uint32_t kIoError = 1u << 27;
inline constexpr uint32_t kJustDirtied = 1u << 28;
inline constexpr uint32_t kCheckpointNeeded = 1u << 29;

inline uint32_t RefCount(uint32_t state) { return state & kRefcountMask; }
inline int UsageCount(uint32_t state) { return static_cast<int>((state & kUsageMask) >> kUsageShift); }

inline constexpr int kNumMappingPartitions = 128;  // NUM_BUFFER_PARTITIONS
inline constexpr int kNumExtensionLocks = 16;

struct alignas(64) BufferDesc {
  BufferTag tag;  // changed only under the header lock with the mapping partitions locked
  int32_t index;  // 0-based: Buffer = index + 1
  std::atomic<uint32_t> state;
  shmem::LWLock content_lock;
};

/* "Buffer Strategy Status". */
struct StrategyControl {
  int32_t nbuffers;
  int32_t nbuckets;
  std::atomic<uint64_t> next_victim;  // the clock hand; % nbuffers is the buffer
  std::atomic<uint64_t> buffers_checkpoint;
  std::atomic<uint64_t> buffers_clean;
  std::atomic<uint64_t> maxwritten_clean;
  std::atomic<uint64_t> buffers_backend;
  std::atomic<uint64_t> buffers_alloc;
  shmem::LWLock free_entries_lock;
  int32_t free_entry;  // head of the free entry list, -1 if empty
  shmem::LWLock mapping_locks[kNumMappingPartitions];
  shmem::LWLock extension_locks[kNumExtensionLocks];
};

struct MapEntry {
  BufferTag tag;
  int32_t index;  // buffer index
  int32_t next;   // next entry in the chain or free list, -1 at the end
};

/* This process's view of the pool in its current segment (looked up again
 * after the segment is replaced). */
struct Pool {
  StrategyControl* ctl = nullptr;
  BufferDesc* descs = nullptr;
  char* blocks = nullptr;
  int32_t* buckets = nullptr;  // chain heads, -1 = empty
  MapEntry* entries = nullptr;
};

/* The pool of this process's segment; ctl is nullptr without one. */
const Pool& GetPool();
BufferDesc* GetDesc(Buffer buffer);
char* PageOf(const BufferDesc* desc);

/* Header lock: returns the state with LOCKED set; unlock by storing a new
 * state (LOCKED cleared by UnlockBufHdr). */
uint32_t LockBufHdr(BufferDesc* desc);
void UnlockBufHdr(BufferDesc* desc, uint32_t state);

/* Pins: with the header unlocked (may raise the usage count), or with it
 * locked by the caller (PinBufferLocked releases the header lock). */
void PinBuffer(BufferDesc* desc);
void PinBufferLocked(BufferDesc* desc, uint32_t locked_state);
void UnpinBuffer(BufferDesc* desc);

/* I/O: StartBufferIO claims the right to read (for_input: the page is not
 * valid) or write (the page is dirty) the buffer, waiting for another
 * process's I/O first; false if there is nothing to do. TerminateBufferIO
 * ends it, setting `set_flags` and clearing DIRTY when `clear_dirty` (and
 * the page was not dirtied again meanwhile), and wakes the waiters. */
bool StartBufferIO(BufferDesc* desc, bool for_input);
void TerminateBufferIO(BufferDesc* desc, bool clear_dirty, uint32_t set_flags);
void WaitIO(BufferDesc* desc);

/* Writes a pinned buffer whose content lock the caller holds (shared or
 * exclusive); true in `*wrote` if it was dirty and now is written. */
Status FlushPinnedLocked(BufferDesc* desc, WriteSource by, bool* wrote);

void Emit(BufferEvent::Kind kind, const BufferDesc* desc, const BufferTag& tag, bool dirty = false,
          WriteSource by = WriteSource::kBackend);
BufferUsage& MutableUsage();
/* Calls the WAL flush hook (SetWalFlushHook), if any. */
void FlushWalUpTo(XLogRecPtr lsn);

/* The mapping table (buf_table.cpp). The caller holds the partition lock
 * of the tag's hash: shared to look up, exclusive to change. */
uint32_t TagHash(const BufferTag& tag);
shmem::LWLock* PartitionLock(uint32_t hash);
int BufTableLookup(const BufferTag& tag, uint32_t hash);  // buffer index or -1
/* Inserts tag -> index unless the tag is there: returns the index it
 * already maps to, or -1 when inserted. */
int BufTableInsert(const BufferTag& tag, uint32_t hash, int index);
void BufTableDelete(const BufferTag& tag, uint32_t hash);

/* Locks one or two partitions exclusively, lower first; unlock in any order. */
void LockPartitionPair(shmem::LWLock* a, shmem::LWLock* b);
void UnlockPartitionPair(shmem::LWLock* a, shmem::LWLock* b);

}  // namespace minipg::storage::buffer_internal
