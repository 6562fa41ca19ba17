/*-------------------------------------------------------------------------
 * buffer_pool.h
 *   Shared buffers: PostgreSQL's buffer manager (bufmgr.c, freelist.c,
 *   buf_table.c) in spirit. The pages of every relation that any process
 *   works on are held in one pool of `nbuffers` 8 KiB buffers in shared
 *   memory; a page is read from its file only when it is in no buffer, and
 *   written back only when its buffer is chosen for another page (a dirty
 *   victim), by the background writer or by a checkpoint.
 *
 *   What a caller does with a page:
 *
 *     Buffer b = ReadBuffer(tag)        pinned: the buffer keeps this page
 *     LockBuffer(b, kShare|kExclusive)  the content lock, to read or change it
 *     char* page = BufferGetPage(b)
 *       ... read, or change, MarkBufferDirty(b), then log the change
                                         (exclusive lock held)
 *     UnlockBuffer(b)
 *     ReleaseBuffer(b)                  unpinned: it may now be replaced
 *
 *   Shared memory (four areas, named as PostgreSQL's pg_shmem_allocations
 *   names them, requested by BufferPoolShmemRequests):
 *
 *     "Buffer Strategy Status"      the clock hand, the pg_stat_bgwriter
 *                                   counters, the mapping partition locks
 *                                   and the relation extension locks
 *     "Buffer Descriptors"          one BufferDesc per buffer (buffer_internal.h)
 *     "Buffer Blocks"               nbuffers * 8192 bytes of pages
 *     "Shared Buffer Lookup Table"  the mapping BufferTag -> buffer
 *
 * NOTES
 *   A Buffer is a number from 1 to nbuffers (0 = kInvalidBuffer), as
 *   pg_buffercache's bufferid.
 *   Pins: each process counts its own pins of each buffer (private
 *   refcounts); the shared refcount in the descriptor counts the processes
 *   that pin it (pg_buffercache.pinning_backends). A pinned buffer is never
 *   chosen as a victim.
 *   Before a dirty page is written, the WAL flush hook is called with its
 *   LSN: no page reaches its file before the WAL that describes its
 *   changes (the WAL module sets the hook; without one, pages are written
 *   as they are).
 *   The pool reads and writes files only through smgr.h.
 *   Errors: a read that fails (a short file, a page that fails its
 *   checksum) returns smgr's error; the buffer stays in the table marked
 *   not valid and the next ReadBuffer of that page tries again.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "engine/common/error.h"
#include "engine/shmem/shmem.h"
#include "engine/storage/block.h"

namespace minipg::storage {

using Buffer = int32_t;  // 1 .. nbuffers
inline constexpr Buffer kInvalidBuffer = 0;
inline constexpr int kMaxUsageCount = 5;  // BM_MAX_USAGE_COUNT
inline constexpr int kDefaultNBuffers = 16384;  // shared_buffers = 128MB

enum class BufferLockMode : uint8_t {
  kShare,      // read the page
  kExclusive,  // change the page
};

/* Who writes a buffer (pg_stat_bgwriter's columns, the buffer_write event). */
enum class WriteSource : uint8_t {
  kBackend,       // buffers_backend: a backend evicting a dirty victim or flushing
  kBgWriter,      // buffers_clean
  kCheckpointer,  // buffers_checkpoint
};

const char* WriteSourceName(WriteSource by);  // "backend", "bgwriter", "checkpointer"

/* What the event hook hears (the events buffer_read, buffer_evict,
 * buffer_write, buffer_dirty; docs/events.md). */
struct BufferEvent {
  enum class Kind : uint8_t {
    kReadHit,   // ReadBuffer found the page in the pool
    kReadMiss,  // ReadBuffer read it from its file (or extended the file)
    kEvict,     // a buffer's old page was replaced (dirty: it had to be written first)
    kWrite,     // a dirty page was written to its file
    kDirty,     // a clean buffer became dirty
  };
  Kind kind = Kind::kReadHit;
  Buffer buffer = kInvalidBuffer;
  BufferTag tag;       // the page concerned (for kEvict: the old page)
  bool dirty = false;  // kEvict: the old page was dirty
  WriteSource by = WriteSource::kBackend;  // kWrite
};

using WalFlushHook = void (*)(XLogRecPtr upto);
using BufferEventHook = void (*)(const BufferEvent& event);

/* ---- the postmaster: shared memory ------------------------------------- */

/* The areas a pool of `nbuffers` buffers needs; pass them (with the other
 * modules' requests) to shmem::CreateSharedMemory. */
std::vector<shmem::ShmemRequest> BufferPoolShmemRequests(int nbuffers);
/* Bytes those areas take (for messages and the shmem_layout event). */
size_t BufferPoolShmemSize(int nbuffers);

/* The number of buffers in this process's segment (0 if it has no pool). */
int NBuffers();

/* ---- hooks (process-wide; set them after fork or before, as needed) ----- */

void SetWalFlushHook(WalFlushHook hook);
void SetBufferEventHook(BufferEventHook hook);

/* ---- pages ------------------------------------------------------------- */

/* Pins the buffer holding `tag`, reading the page from its file if no
 * buffer holds it. tag.block == kInvalidBlockNumber adds a new, zeroed
 * block at the end of the relation fork (written to the file at once, as
 * PostgreSQL does) and pins its buffer; BufferGetTag says which block it
 * is. `hit`, if given, says whether the page was already in the pool.
 * XX000 "no unpinned buffers available" when every buffer is pinned. */
Result<Buffer> ReadBuffer(const BufferTag& tag, bool* hit = nullptr);

/* Drops one of this process's pins (the content lock must be released). */
void ReleaseBuffer(Buffer buffer);
/* Drops every pin this process holds (error paths, exit: PostgreSQL's
 * AtEOXact_Buffers / AtProcExit_Buffers); content locks go with
 * LWLockReleaseAll, which must come first. A process that exits normally
 * must call both: its pins would otherwise stay counted in shared memory
 * (only an abnormal exit brings the crash cycle). */
void ReleaseAllBuffers();
/* How many pins this process holds on `buffer` / in all. */
int BufferPrivateRefCount(Buffer buffer);
int NumPinnedByMe();

void LockBuffer(Buffer buffer, BufferLockMode mode);
bool ConditionalLockBuffer(Buffer buffer, BufferLockMode mode);
void UnlockBuffer(Buffer buffer);

char* BufferGetPage(Buffer buffer);
BufferTag BufferGetTag(Buffer buffer);
inline BlockNumber BufferGetBlockNumber(Buffer buffer) { return BufferGetTag(buffer).block; }

/* Marks the pinned, exclusively locked buffer dirty: it is written before
 * its buffer is reused, and by the next checkpoint. A logged change marks
 * its buffers dirty before it inserts its WAL record (transam/README's
 * order): a checkpoint whose redo point falls after the record then finds
 * the page dirty and writes it; marked after, the page could stay unwritten
 * while redo starts past its change, and a crash would lose the change. */
void MarkBufferDirty(Buffer buffer);
/* The same for a hint-only change (hint bits set by a reader): the content
 * lock may be held in share mode (PostgreSQL's MarkBufferDirtyHint; the
 * caller has decided that no full page image is needed). */
void MarkBufferDirtyHint(Buffer buffer);

/* Writes the pinned buffer's page if it is dirty (the WAL hook first); takes
 * the share content lock unless this process holds the content lock. */
Status FlushBuffer(Buffer buffer, WriteSource by = WriteSource::kBackend);

/* ---- the checkpointer, the background writer, DDL ------------------------ */

struct FlushCounts {
  int written = 0;  // dirty buffers written
  int scanned = 0;  // buffers looked at
};

/* Writes every buffer that is dirty when it starts, each once (a buffer
 * dirtied again meanwhile waits for the next checkpoint): PostgreSQL's
 * BufferSync. Counted as buffers_checkpoint when `by` is the checkpointer. */
Result<FlushCounts> FlushAllDirty(WriteSource by = WriteSource::kCheckpointer);

/* Writes up to `max_pages` dirty buffers that the clock hand will reach
 * soon and could reuse (unpinned, usage count 0), looking at most one lap
 * ahead of the hand (bgwriter_lru_maxpages). Counted as buffers_clean;
 * maxwritten_clean grows when it stops at max_pages. */
Result<FlushCounts> BgWriterStep(int max_pages);

/* Forgets every buffer of the relation (one fork, or all; from block
 * `first_block` on, for a truncation), dirty or not, without writing it:
 * the files are about to be removed or cut. The caller holds the
 * relation's exclusive lock, so other processes' pins are brief (a write,
 * a victim being looked at) and are waited out; a pin of this process's own
 * is an XX000 error. */
Status DropRelationBuffers(const RelFileLocator& rel, std::optional<ForkNumber> fork = std::nullopt,
                           BlockNumber first_block = 0);

/* ---- views ------------------------------------------------------------- */

/* One buffer as pg_buffercache shows it (and the visualizer's grid). */
struct BufferSnapshot {
  Buffer bufferid = kInvalidBuffer;
  std::optional<BufferTag> tag;  // nullopt: an unused buffer (NULL columns)
  bool isdirty = false;
  bool valid = false;            // the page is there (false while first read, or after a failed read)
  bool io_in_progress = false;   // being read or written right now
  int usagecount = 0;
  int pinning_backends = 0;
};

/* Every buffer, in bufferid order; each read under its header lock (not
 * one consistent picture of the pool, as in PostgreSQL 15). */
std::vector<BufferSnapshot> SnapshotBuffers();

/* pg_stat_bgwriter's buffer columns (shared, since the segment was made). */
struct BgWriterStats {
  uint64_t buffers_checkpoint = 0;
  uint64_t buffers_clean = 0;
  uint64_t maxwritten_clean = 0;
  uint64_t buffers_backend = 0;
  uint64_t buffers_alloc = 0;  // victims taken by the clock sweep
};
BgWriterStats ReadBgWriterStats();

/* This process's own counts, over every relation (pg_stat_database and
 * pg_statio_* count per relation through pgstat::CountBlock, which
 * ReadBuffer calls too). */
struct BufferUsage {
  uint64_t blks_read = 0;     // pages read from files (and blocks added)
  uint64_t blks_hit = 0;      // pages found in the pool
  uint64_t blks_written = 0;  // pages this process wrote
};
const BufferUsage& MyBufferUsage();

}  // namespace minipg::storage
