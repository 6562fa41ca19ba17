/*-------------------------------------------------------------------------
 * buffer_write.cpp
 *   Writing shared buffers back to their files, forgetting a relation's
 *   buffers, and what the views read (PostgreSQL's bufmgr.c FlushBuffer,
 *   BufferSync, BgBufferSync, DropRelationBuffers, and pg_buffercache).
 *
 *   Writing one buffer (FlushPinnedLocked): the writer holds a pin and the
 *   content lock (shared is enough: nobody changes the page meanwhile),
 *   claims the write with IO_IN_PROGRESS, calls the WAL flush hook with the
 *   page's LSN, writes through smgr (which checksums a copy), and clears
 *   DIRTY unless the page was dirtied again during the write.
 *-------------------------------------------------------------------------
 */
#include <sched.h>

#include <fmt/format.h>

#include "engine/common/sqlstate.h"
#include "engine/storage/buffer/buffer_internal.h"
#include "engine/storage/page/page.h"
#include "engine/storage/smgr/smgr.h"

namespace minipg::storage {

using namespace buffer_internal;
using shmem::LWLockMode;

namespace {

std::atomic<uint64_t>& WrittenCounter(WriteSource by) {
  StrategyControl* ctl = GetPool().ctl;
  switch (by) {
    case WriteSource::kBgWriter:
      return ctl->buffers_clean;
    case WriteSource::kCheckpointer:
      return ctl->buffers_checkpoint;
    case WriteSource::kBackend:
      break;
  }
  return ctl->buffers_backend;
}

/* Pins a buffer whose header the caller locked, writes it under its share
 * content lock (waiting for it, or giving up if `conditional`), unpins it. */
Status PinAndFlush(BufferDesc* desc, uint32_t locked_state, WriteSource by, bool conditional, bool* wrote) {
  *wrote = false;
  PinBufferLocked(desc, locked_state);
  Status st = OkStatus();
  if (conditional) {
    if (!shmem::LWLockConditionalAcquire(&desc->content_lock, LWLockMode::kShared)) {
      UnpinBuffer(desc);
      return OkStatus();
    }
  } else {
    shmem::LWLockAcquire(&desc->content_lock, LWLockMode::kShared);
  }
  st = FlushPinnedLocked(desc, by, wrote);
  shmem::LWLockRelease(&desc->content_lock);
  UnpinBuffer(desc);
  return st;
}

bool TagMatches(const BufferTag& tag, const RelFileLocator& rel, std::optional<ForkNumber> fork,
                BlockNumber first_block) {
  return tag.rel == rel && (!fork || tag.fork == *fork) && tag.block >= first_block;
}

}  // namespace

const char* WriteSourceName(WriteSource by) {
  switch (by) {
    case WriteSource::kBackend:
      return "backend";
    case WriteSource::kBgWriter:
      return "bgwriter";
    case WriteSource::kCheckpointer:
      return "checkpointer";
  }
  return "";
}

namespace buffer_internal {

Status FlushPinnedLocked(BufferDesc* desc, WriteSource by, bool* wrote) {
  *wrote = false;
  if (!StartBufferIO(desc, /*for_input=*/false)) return OkStatus();  // clean already
  const char* page = PageOf(desc);
  BufferTag tag = desc->tag;  // stable: we pin it
  FlushWalUpTo(PageGetLSN(page));  // never a page before its WAL
  if (Status st = SmgrWrite(tag, page); !st.ok()) {
    TerminateBufferIO(desc, false, kIoError);  // stays dirty
    return st;
  }
  TerminateBufferIO(desc, /*clear_dirty=*/true, 0);
  WrittenCounter(by).fetch_add(1, std::memory_order_relaxed);
  ++MutableUsage().blks_written;
  Emit(BufferEvent::Kind::kWrite, desc, tag, false, by);
  *wrote = true;
  return OkStatus();
}

}  // namespace buffer_internal

Status FlushBuffer(Buffer buffer, WriteSource by) {
  BufferDesc* desc = GetDesc(buffer);
  bool have_lock = shmem::LWLockHeldByMe(&desc->content_lock);
  if (!have_lock) shmem::LWLockAcquire(&desc->content_lock, LWLockMode::kShared);
  bool wrote = false;
  Status st = FlushPinnedLocked(desc, by, &wrote);
  if (!have_lock) shmem::LWLockRelease(&desc->content_lock);
  return st;
}

Result<FlushCounts> FlushAllDirty(WriteSource by) {
  const Pool& p = GetPool();
  FlushCounts counts;
  if (p.ctl == nullptr) return counts;
  int n = p.ctl->nbuffers;
  // First mark what is dirty now: only those are this checkpoint's, so a
  // page dirtied again while we write is not written twice.
  for (int i = 0; i < n; ++i) {
    BufferDesc* desc = &p.descs[i];
    uint32_t s = LockBufHdr(desc);
    if ((s & (kDirty | kValid)) == (kDirty | kValid)) s |= kCheckpointNeeded;
    UnlockBufHdr(desc, s);
  }
  for (int i = 0; i < n; ++i) {
    BufferDesc* desc = &p.descs[i];
    ++counts.scanned;
    if ((desc->state.load(std::memory_order_relaxed) & kCheckpointNeeded) == 0) continue;
    uint32_t s = LockBufHdr(desc);
    if ((s & kCheckpointNeeded) == 0) {
      UnlockBufHdr(desc, s);
      continue;
    }
    bool wrote = false;
    if (Status st = PinAndFlush(desc, s, by, /*conditional=*/false, &wrote); !st.ok()) return st.error();
    if (wrote) ++counts.written;
  }
  return counts;
}

Result<FlushCounts> BgWriterStep(int max_pages) {
  const Pool& p = GetPool();
  FlushCounts counts;
  if (p.ctl == nullptr || max_pages <= 0) return counts;
  int n = p.ctl->nbuffers;
  uint64_t hand = p.ctl->next_victim.load(std::memory_order_relaxed);
  for (int i = 0; i < n && counts.written < max_pages; ++i) {
    BufferDesc* desc = &p.descs[(hand + static_cast<uint64_t>(i)) % static_cast<uint64_t>(n)];
    ++counts.scanned;
    auto reusable_and_dirty = [](uint32_t s) {
      return RefCount(s) == 0 && UsageCount(s) == 0 && (s & (kDirty | kValid)) == (kDirty | kValid);
    };
    if (!reusable_and_dirty(desc->state.load(std::memory_order_relaxed))) continue;
    uint32_t s = LockBufHdr(desc);
    if (!reusable_and_dirty(s)) {
      UnlockBufHdr(desc, s);
      continue;
    }
    bool wrote = false;
    if (Status st = PinAndFlush(desc, s, WriteSource::kBgWriter, /*conditional=*/true, &wrote); !st.ok()) {
      return st.error();
    }
    if (wrote) ++counts.written;
  }
  if (counts.written >= max_pages && counts.scanned < n) {
    p.ctl->maxwritten_clean.fetch_add(1, std::memory_order_relaxed);
  }
  return counts;
}

Status DropRelationBuffers(const RelFileLocator& rel, std::optional<ForkNumber> fork, BlockNumber first_block) {
  const Pool& p = GetPool();
  if (p.ctl == nullptr) return OkStatus();
  for (int i = 0; i < p.ctl->nbuffers; ++i) {
    BufferDesc* desc = &p.descs[i];
    for (;;) {
      uint32_t s = LockBufHdr(desc);
      BufferTag old = desc->tag;
      UnlockBufHdr(desc, s);
      if ((s & kTagValid) == 0 || !TagMatches(old, rel, fork, first_block)) break;
      // Lock order: the partition first, then the header again.
      uint32_t hash = TagHash(old);
      shmem::LWLock* part = PartitionLock(hash);
      shmem::LWLockAcquire(part, LWLockMode::kExclusive);
      s = LockBufHdr(desc);
      if ((s & kTagValid) == 0 || !(desc->tag == old)) {  // replaced meanwhile: look again
        UnlockBufHdr(desc, s);
        shmem::LWLockRelease(part);
        continue;
      }
      if (RefCount(s) != 0) {
        UnlockBufHdr(desc, s);
        shmem::LWLockRelease(part);
        if (BufferPrivateRefCount(i + 1) > 0) {
          return MakeError(sqlstate::kInternalError,
                           fmt::format("buffer {} of relation {} block {} is pinned in DropRelationBuffers",
                                       i + 1, RelPath(old.rel, old.fork), old.block));
        }
        // Another process's pin can only be brief (the caller holds the
        // relation's exclusive lock): a write by the bgwriter or a
        // checkpoint, or a backend looking at it as a victim. Wait, retry.
        if ((s & kIoInProgress) != 0) {
          WaitIO(desc);
        } else {
          sched_yield();
        }
        continue;
      }
      desc->tag = BufferTag{};
      UnlockBufHdr(desc, s & ~(kDirty | kValid | kTagValid | kIoError | kJustDirtied | kCheckpointNeeded |
                               kUsageMask));
      BufTableDelete(old, hash);
      shmem::LWLockRelease(part);
      break;
    }
  }
  return OkStatus();
}

std::vector<BufferSnapshot> SnapshotBuffers() {
  const Pool& p = GetPool();
  std::vector<BufferSnapshot> out;
  if (p.ctl == nullptr) return out;
  out.reserve(p.ctl->nbuffers);
  for (int i = 0; i < p.ctl->nbuffers; ++i) {
    BufferDesc* desc = &p.descs[i];
    uint32_t s = LockBufHdr(desc);
    BufferTag tag = desc->tag;
    UnlockBufHdr(desc, s);
    BufferSnapshot b;
    b.bufferid = i + 1;
    if ((s & kTagValid) != 0) b.tag = tag;
    b.isdirty = (s & kDirty) != 0;
    b.valid = (s & kValid) != 0;
    b.io_in_progress = (s & kIoInProgress) != 0;
    b.usagecount = UsageCount(s);
    b.pinning_backends = static_cast<int>(RefCount(s));
    out.push_back(b);
  }
  return out;
}

BgWriterStats ReadBgWriterStats() {
  const Pool& p = GetPool();
  BgWriterStats st;
  if (p.ctl == nullptr) return st;
  st.buffers_checkpoint = p.ctl->buffers_checkpoint.load();
  st.buffers_clean = p.ctl->buffers_clean.load();
  st.maxwritten_clean = p.ctl->maxwritten_clean.load();
  st.buffers_backend = p.ctl->buffers_backend.load();
  st.buffers_alloc = p.ctl->buffers_alloc.load();
  return st;
}

}  // namespace minipg::storage
