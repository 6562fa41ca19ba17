/*-------------------------------------------------------------------------
 * buffer_pool.cpp
 *   The buffer pool's shared memory, pins, the clock sweep and ReadBuffer
 *   (PostgreSQL's bufmgr.c ReadBuffer_common / BufferAlloc, freelist.c
 *   StrategyGetBuffer). Writing buffers back is in buffer_write.cpp.
 *
 *   ReadBuffer(tag):
 *
 *     look the tag up (partition lock shared) --found--> pin it
 *        | not found                                         |
 *        v                                                   |
 *     clock sweep: next unpinned buffer with usage 0         |
 *     (decrementing the usage counts it passes), pin it      |
 *        | dirty? write it (WAL hook first)                  |
 *        v                                                   |
 *     lock the new tag's and the old tag's partitions        |
 *     insert new tag --already there (another process was    |
 *        |            faster)--> unpin victim, pin that one --+
 *        v                                                   |
 *     victim still pinned only by us and clean? no --> undo, sweep again
 *        | yes: retag it (TAG_VALID, not VALID), drop old tag |
 *        v                                                   v
 *     StartBufferIO(for input): read the page, set VALID   (wait if another
 *                                                            process is reading it)
 *
 *   So one page is in at most one buffer (the tag is inserted under its
 *   partition lock, exclusively), and it is read once: whoever finds the
 *   buffer not yet VALID waits for the reader's I/O instead of reading.
 *-------------------------------------------------------------------------
 */
#include <pthread.h>
#include <sched.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "engine/common/sqlstate.h"
#include "engine/shmem/futex.h"
#include "engine/shmem/pgstat.h"
#include "engine/shmem/step.h"
#include "engine/storage/buffer/buffer_internal.h"
#include "engine/storage/page/page.h"
#include "engine/storage/smgr/smgr.h"

namespace minipg::storage {

using namespace buffer_internal;
using shmem::LWLockMode;

namespace {

constexpr const char* kStrategyArea = "Buffer Strategy Status";
constexpr const char* kDescriptorArea = "Buffer Descriptors";
constexpr const char* kBlockArea = "Buffer Blocks";
constexpr const char* kLookupArea = "Shared Buffer Lookup Table";

/* What this process knows about the pool: where it is in the current
 * segment, and its own pins. A forked child starts afresh (its parent's
 * pins are not its own). */
struct ProcessState {
  shmem::ShmemHeader* segment = nullptr;
  uint32_t generation = 0;
  int fork_epoch = -1;
  Pool pool;
  // Pins by this process, by buffer index: a few in a small array, any
  // more in a map, as PostgreSQL's PrivateRefCountArray does. (An array of
  // every buffer's count would cost each new backend 64 kB of memory to
  // clear, 16 page faults, for the handful of pins it ever holds at once.)
  struct RefEntry {
    int32_t index = -1;
    int32_t count = 0;  // 0: the entry is free
  };
  std::array<RefEntry, 8> refs;
  std::unordered_map<int32_t, int32_t> more_refs;
  BufferUsage usage;
};

ProcessState g_state;
int g_fork_epoch = 0;
WalFlushHook g_wal_hook = nullptr;
BufferEventHook g_event_hook = nullptr;

void AfterFork() {
  ++g_fork_epoch;
}

[[noreturn]] void Panic(const std::string& what) {
  std::fprintf(stderr, "PANIC:  %s\n", what.c_str());
  std::abort();
}

int NumBuckets(int nbuffers) {
  int n = kNumMappingPartitions;
  while (n < 2 * nbuffers) n *= 2;
  return n;
}

int NumEntries(int nbuffers) {
  return nbuffers + kNumMappingPartitions;
}

size_t LookupTableSize(int nbuffers) {
  return sizeof(int32_t) * NumBuckets(nbuffers) + sizeof(MapEntry) * NumEntries(nbuffers);
}

/* This process's pin count of `desc`, to change (an entry is made for it). */
int32_t& PrivateRef(const BufferDesc* desc) {
  GetPool();  // makes sure the counts belong to this process and segment
  ProcessState::RefEntry* free = nullptr;
  for (auto& e : g_state.refs) {
    if (e.index == desc->index) return e.count;
    if (e.count == 0 && free == nullptr) free = &e;
  }
  if (auto it = g_state.more_refs.find(desc->index); it != g_state.more_refs.end()) return it->second;
  if (free != nullptr) {
    *free = {desc->index, 0};
    return free->count;
  }
  return g_state.more_refs[desc->index];
}

/* The same, only read. */
int32_t PrivateRefCount(const BufferDesc* desc) {
  GetPool();
  for (const auto& e : g_state.refs) {
    if (e.index == desc->index) return e.count;
  }
  auto it = g_state.more_refs.find(desc->index);
  return it == g_state.more_refs.end() ? 0 : it->second;
}

uint32_t WaitBufHdrUnlocked(BufferDesc* desc) {
  uint32_t s = desc->state.load(std::memory_order_acquire);
  for (int spins = 0; (s & kLocked) != 0; ++spins) {
    if (spins > 100) sched_yield();
    s = desc->state.load(std::memory_order_acquire);
  }
  return s;
}

/* The clock sweep: the next buffer that nobody pins and whose usage count
 * has run down to 0, returned with its header locked (and that state). */
Result<std::pair<BufferDesc*, uint32_t>> GetVictim() {
  const Pool& p = GetPool();
  int n = p.ctl->nbuffers;
  int trycounter = n;
  for (;;) {
    uint64_t tick = p.ctl->next_victim.fetch_add(1, std::memory_order_relaxed);
    BufferDesc* desc = &p.descs[tick % static_cast<uint64_t>(n)];
    uint32_t s = LockBufHdr(desc);
    if (RefCount(s) == 0) {
      if (UsageCount(s) == 0) {
        p.ctl->buffers_alloc.fetch_add(1, std::memory_order_relaxed);
        return std::make_pair(desc, s);
      }
      UnlockBufHdr(desc, s - kUsageOne);
      trycounter = n;
      continue;
    }
    UnlockBufHdr(desc, s);
    if (--trycounter == 0) {
      // Every buffer was pinned when we looked: fail rather than spin.
      return MakeError(sqlstate::kInternalError, "no unpinned buffers available");
    }
  }
}

/* Finds or assigns the buffer for `tag` and pins it; *found says whether it
 * was already there (it may still be being read by another process). */
Result<BufferDesc*> BufferAlloc(const BufferTag& tag, bool* found) {
  const Pool& p = GetPool();
  uint32_t hash = TagHash(tag);
  shmem::LWLock* part = PartitionLock(hash);
  shmem::LWLockAcquire(part, LWLockMode::kShared);
  int index = BufTableLookup(tag, hash);
  if (index >= 0) {
    PinBuffer(&p.descs[index]);
    shmem::LWLockRelease(part);
    *found = true;
    return &p.descs[index];
  }
  shmem::LWLockRelease(part);

  for (;;) {
    auto victim = GetVictim();
    if (!victim.ok()) return victim.error();
    auto [v, s] = *victim;
    PinBufferLocked(v, s);
    bool was_dirty = false;
    if ((s & kDirty) != 0) {
      // Someone may hold its content lock for long: take another victim
      // rather than wait (PostgreSQL does the same).
      if (!shmem::LWLockConditionalAcquire(&v->content_lock, LWLockMode::kShared)) {
        UnpinBuffer(v);
        continue;
      }
      Status st = FlushPinnedLocked(v, WriteSource::kBackend, &was_dirty);
      shmem::LWLockRelease(&v->content_lock);
      if (!st.ok()) {
        UnpinBuffer(v);
        return st.error();
      }
    }
    // Our pin keeps the old tag from changing under us.
    s = LockBufHdr(v);
    bool old_valid = (s & kTagValid) != 0;
    BufferTag old = v->tag;
    UnlockBufHdr(v, s);
    uint32_t old_hash = old_valid ? TagHash(old) : 0;
    shmem::LWLock* old_part = old_valid ? PartitionLock(old_hash) : nullptr;
    LockPartitionPair(part, old_part);

    int existing = BufTableInsert(tag, hash, v->index);
    if (existing >= 0) {
      // Another process brought the page in meanwhile: use its buffer.
      BufferDesc* other = &p.descs[existing];
      PinBuffer(other);
      UnlockPartitionPair(part, old_part);
      UnpinBuffer(v);
      *found = true;
      return other;
    }
    s = LockBufHdr(v);
    if (RefCount(s) != 1 || (s & kDirty) != 0) {
      // Pinned or dirtied by someone else since we chose it: try again.
      UnlockBufHdr(v, s);
      BufTableDelete(tag, hash);
      UnlockPartitionPair(part, old_part);
      UnpinBuffer(v);
      continue;
    }
    v->tag = tag;
    s &= ~(kDirty | kValid | kIoError | kJustDirtied | kCheckpointNeeded | kUsageMask);
    UnlockBufHdr(v, s | kTagValid | kUsageOne);
    if (old_valid) BufTableDelete(old, old_hash);
    UnlockPartitionPair(part, old_part);
    if (old_valid) Emit(BufferEvent::Kind::kEvict, v, old, was_dirty);
    *found = false;
    return v;
  }
}

/* Makes the pinned buffer's page valid: reads it (or, for `extend`, adds
 * it to the file as zeros) unless it is valid already or another process
 * reads it for us. *did_io says whether this process did the I/O. */
Status CompleteRead(BufferDesc* desc, bool extend, bool* did_io) {
  *did_io = false;
  if (!StartBufferIO(desc, /*for_input=*/true)) return OkStatus();
  char* page = PageOf(desc);
  Status st = OkStatus();
  if (extend) {
    std::memset(page, 0, kBlockSize);
    st = SmgrExtend(desc->tag, page);
  } else {
    st = SmgrRead(desc->tag, page);
  }
  if (!st.ok()) {
    TerminateBufferIO(desc, false, kIoError);
    return st;
  }
  TerminateBufferIO(desc, false, kValid);
  *did_io = true;
  return OkStatus();
}

/* ReadBuffer for a new block: under the relation's extension lock, the
 * block number is the fork's current length. */
Result<BufferDesc*> ExtendBuffer(const BufferTag& tag) {
  const Pool& p = GetPool();
  BufferTag rel_tag{tag.rel, tag.fork, 0};
  shmem::LWLockGuard ext(&p.ctl->extension_locks[TagHash(rel_tag) % kNumExtensionLocks],
                         LWLockMode::kExclusive);
  auto nblocks = SmgrNBlocks(tag.rel, tag.fork);
  if (!nblocks.ok()) return nblocks.error();
  BufferTag new_tag{tag.rel, tag.fork, *nblocks};
  bool found = false;
  auto desc = BufferAlloc(new_tag, &found);
  if (!desc.ok()) return desc.error();
  if (found && ((*desc)->state.load(std::memory_order_acquire) & kValid) != 0) {
    // A valid buffer for a block past the end of the file: the relation
    // was cut without DropRelationBuffers. (One left invalid by an
    // extension that failed, on a full disk, is extended again below, as
    // PostgreSQL does.)
    UnpinBuffer(*desc);
    return MakeError(sqlstate::kInternalError,
                     fmt::format("unexpected data beyond EOF in block {} of relation {}", new_tag.block,
                                 RelPath(tag.rel, tag.fork)));
  }
  bool did_io = false;
  if (Status st = CompleteRead(*desc, /*extend=*/true, &did_io); !st.ok()) {
    UnpinBuffer(*desc);
    return st.error();
  }
  return *desc;
}

}  // namespace

/* ---- shared memory ------------------------------------------------------ */

std::vector<shmem::ShmemRequest> BufferPoolShmemRequests(int nbuffers) {
  std::vector<shmem::ShmemRequest> r;
  r.push_back({kStrategyArea, sizeof(StrategyControl), [nbuffers](void* mem) {
                 auto* ctl = new (mem) StrategyControl{};
                 ctl->nbuffers = nbuffers;
                 ctl->nbuckets = NumBuckets(nbuffers);
                 ctl->free_entry = 0;
                 shmem::LWLockInit(&ctl->free_entries_lock, shmem::LWLockTranche::kBufferMapping);
                 for (auto& l : ctl->mapping_locks) shmem::LWLockInit(&l, shmem::LWLockTranche::kBufferMapping);
                 for (auto& l : ctl->extension_locks) {
                   shmem::LWLockInit(&l, shmem::LWLockTranche::kRelationExtension);
                 }
               }});
  r.push_back({kDescriptorArea, sizeof(BufferDesc) * nbuffers, [nbuffers](void* mem) {
                 auto* descs = static_cast<BufferDesc*>(mem);
                 for (int i = 0; i < nbuffers; ++i) {
                   auto* d = new (&descs[i]) BufferDesc{};
                   d->index = i;
                   shmem::LWLockInit(&d->content_lock, shmem::LWLockTranche::kBufferContent);
                 }
               }});
  r.push_back({kBlockArea, kBlockSize * nbuffers, nullptr});  // zeroed pages
  r.push_back({kLookupArea, LookupTableSize(nbuffers), [nbuffers](void* mem) {
                 auto* buckets = static_cast<int32_t*>(mem);
                 for (int i = 0; i < NumBuckets(nbuffers); ++i) buckets[i] = -1;
                 auto* entries = reinterpret_cast<MapEntry*>(buckets + NumBuckets(nbuffers));
                 int n = NumEntries(nbuffers);
                 for (int i = 0; i < n; ++i) entries[i] = MapEntry{BufferTag{}, -1, i + 1 < n ? i + 1 : -1};
               }});
  return r;
}

size_t BufferPoolShmemSize(int nbuffers) {
  size_t total = 0;
  for (const auto& r : BufferPoolShmemRequests(nbuffers)) {
    total += (r.size + shmem::kShmemAreaAlign - 1) / shmem::kShmemAreaAlign * shmem::kShmemAreaAlign;
  }
  return total;
}

namespace buffer_internal {

const Pool& GetPool() {
  shmem::ShmemHeader* seg = shmem::Header();
  if (seg == g_state.segment && g_fork_epoch == g_state.fork_epoch &&
      (seg == nullptr || seg->generation == g_state.generation)) {
    return g_state.pool;
  }
  static bool registered = [] { return pthread_atfork(nullptr, nullptr, AfterFork) == 0; }();
  (void)registered;
  g_state = ProcessState{};
  g_state.segment = seg;
  g_state.generation = seg != nullptr ? seg->generation : 0;
  g_state.fork_epoch = g_fork_epoch;
  auto* ctl = static_cast<StrategyControl*>(shmem::ShmemArea(kStrategyArea));
  if (ctl == nullptr) return g_state.pool;
  auto* buckets = static_cast<int32_t*>(shmem::ShmemArea(kLookupArea));
  g_state.pool = Pool{ctl, static_cast<BufferDesc*>(shmem::ShmemArea(kDescriptorArea)),
                      static_cast<char*>(shmem::ShmemArea(kBlockArea)), buckets,
                      reinterpret_cast<MapEntry*>(buckets + ctl->nbuckets)};
  return g_state.pool;
}

BufferDesc* GetDesc(Buffer buffer) {
  const Pool& p = GetPool();
  if (p.ctl == nullptr || buffer < 1 || buffer > p.ctl->nbuffers) {
    Panic(fmt::format("invalid buffer {}", buffer));
  }
  return &p.descs[buffer - 1];
}

char* PageOf(const BufferDesc* desc) {
  return GetPool().blocks + static_cast<size_t>(desc->index) * kBlockSize;
}

uint32_t LockBufHdr(BufferDesc* desc) {
  for (;;) {
    uint32_t old = desc->state.fetch_or(kLocked, std::memory_order_acquire);
    if ((old & kLocked) == 0) return old | kLocked;
    WaitBufHdrUnlocked(desc);
  }
}

void UnlockBufHdr(BufferDesc* desc, uint32_t state) {
  desc->state.store(state & ~kLocked, std::memory_order_release);
}

void PinBuffer(BufferDesc* desc) {
  int32_t& mine = PrivateRef(desc);
  if (mine > 0) {
    ++mine;
    return;
  }
  uint32_t old = desc->state.load(std::memory_order_relaxed);
  for (;;) {
    if ((old & kLocked) != 0) old = WaitBufHdrUnlocked(desc);
    uint32_t next = old + kRefcountOne;
    if (UsageCount(old) < kMaxUsageCount) next += kUsageOne;
    if (desc->state.compare_exchange_weak(old, next, std::memory_order_acquire)) break;
  }
  mine = 1;
}

void PinBufferLocked(BufferDesc* desc, uint32_t locked_state) {
  int32_t& mine = PrivateRef(desc);
  if (mine > 0) {
    UnlockBufHdr(desc, locked_state);
  } else {
    UnlockBufHdr(desc, locked_state + kRefcountOne);
  }
  ++mine;
}

void UnpinBuffer(BufferDesc* desc) {
  int32_t& mine = PrivateRef(desc);
  if (mine <= 0) Panic(fmt::format("buffer {} is not pinned by this process", desc->index + 1));
  if (--mine > 0) return;
  if (g_state.more_refs.size() > 0) g_state.more_refs.erase(desc->index);  // (an array entry stays, free)
  uint32_t old = desc->state.load(std::memory_order_relaxed);
  for (;;) {
    if ((old & kLocked) != 0) old = WaitBufHdrUnlocked(desc);
    if (desc->state.compare_exchange_weak(old, old - kRefcountOne, std::memory_order_release)) break;
  }
}

bool StartBufferIO(BufferDesc* desc, bool for_input) {
  uint32_t s;
  for (;;) {
    s = LockBufHdr(desc);
    if ((s & kIoInProgress) == 0) break;
    UnlockBufHdr(desc, s);
    WaitIO(desc);
  }
  bool nothing_to_do = for_input ? (s & kValid) != 0 : (s & kDirty) == 0;
  if (nothing_to_do) {
    UnlockBufHdr(desc, s);
    return false;
  }
  s |= kIoInProgress;
  if (!for_input) s &= ~kJustDirtied;  // a change from now on must be written again
  UnlockBufHdr(desc, s);
  return true;
}

void TerminateBufferIO(BufferDesc* desc, bool clear_dirty, uint32_t set_flags) {
  uint32_t s = LockBufHdr(desc);
  s &= ~(kIoInProgress | kIoError);
  if (clear_dirty && (s & kJustDirtied) == 0) s &= ~(kDirty | kCheckpointNeeded);
  UnlockBufHdr(desc, s | set_flags);
  shmem::FutexWakeAll(&desc->state);
}

void WaitIO(BufferDesc* desc) {
  shmem::WaitEvent before = shmem::MyWaitEvent();
  shmem::ReportWaitEvent(shmem::WaitEvent::kBufferIO);
  for (;;) {
    uint32_t s = desc->state.load(std::memory_order_acquire);
    if ((s & kIoInProgress) == 0) break;
    shmem::FutexWait(&desc->state, s);  // returns when the word changes
  }
  shmem::ReportWaitEvent(before);
}

void Emit(BufferEvent::Kind kind, const BufferDesc* desc, const BufferTag& tag, bool dirty, WriteSource by) {
  if (g_event_hook == nullptr) return;
  BufferEvent e;
  e.kind = kind;
  e.buffer = desc->index + 1;
  e.tag = tag;
  e.dirty = dirty;
  e.by = by;
  g_event_hook(e);
}

void FlushWalUpTo(XLogRecPtr lsn) {
  if (g_wal_hook != nullptr) g_wal_hook(lsn);
}

BufferUsage& MutableUsage() {
  GetPool();
  return g_state.usage;
}

}  // namespace buffer_internal

int NBuffers() {
  const Pool& p = GetPool();
  return p.ctl == nullptr ? 0 : p.ctl->nbuffers;
}

void SetWalFlushHook(WalFlushHook hook) {
  g_wal_hook = hook;
}

void SetBufferEventHook(BufferEventHook hook) {
  g_event_hook = hook;
}

/* ---- pages -------------------------------------------------------------- */

Result<Buffer> ReadBuffer(const BufferTag& tag, bool* hit) {
  const Pool& p = GetPool();
  if (p.ctl == nullptr) return MakeError(sqlstate::kInternalError, "shared buffers are not initialized");
  BufferDesc* desc = nullptr;
  bool did_io = false;
  if (tag.block == kInvalidBlockNumber) {
    auto d = ExtendBuffer(tag);
    if (!d.ok()) return d.error();
    desc = *d;
    did_io = true;
  } else {
    bool found = false;
    auto d = BufferAlloc(tag, &found);
    if (!d.ok()) return d.error();
    desc = *d;
    if (Status st = CompleteRead(desc, /*extend=*/false, &did_io); !st.ok()) {
      UnpinBuffer(desc);
      if (st.error().detail.starts_with(kChecksumFailurePrefix)) {
        pgstat::CountChecksumFailure(tag.rel.db_oid, tag.rel.rel_number);  // pg_stat_database.checksum_failures
      }
      return st.error();
    }
  }
  BufferUsage& usage = MutableUsage();
  if (did_io) {
    ++usage.blks_read;
  } else {
    ++usage.blks_hit;
  }
  if (hit != nullptr) *hit = !did_io;
  pgstat::CountBlock(tag.rel.db_oid, tag.rel.rel_number, !did_io);  // pg_statio_*, pg_stat_database
  Emit(did_io ? BufferEvent::Kind::kReadMiss : BufferEvent::Kind::kReadHit, desc, desc->tag);
  // The page step point: the buffer is pinned, not locked; a caller that
  // holds another buffer's lock makes it wait for a safe place (step.h).
  if (step::Wants(step::PointKind::kPage)) {
    std::string detail = fmt::format("relation {} fork {} block {}: {} (buffer {})", tag.rel.rel_number,
                                     static_cast<int>(tag.fork), tag.block == kInvalidBlockNumber ? desc->tag.block : tag.block,
                                     did_io ? "read from disk" : "hit", desc->index + 1);
    if (Status st = step::Pause({step::PointKind::kPage, "page", -1, "", 0, std::move(detail)}); !st.ok()) {
      UnpinBuffer(desc);
      return st.error();
    }
  }
  return desc->index + 1;
}

void ReleaseBuffer(Buffer buffer) {
  BufferDesc* desc = GetDesc(buffer);
  if (PrivateRefCount(desc) == 1 && shmem::LWLockHeldByMe(&desc->content_lock)) {
    Panic(fmt::format("buffer {} released with its content lock held", buffer));
  }
  UnpinBuffer(desc);
}

void ReleaseAllBuffers() {
  const Pool& p = GetPool();
  if (p.ctl == nullptr) return;
  std::vector<int32_t> pinned;
  for (const auto& e : g_state.refs) {
    if (e.count > 0) pinned.push_back(e.index);
  }
  for (const auto& [index, count] : g_state.more_refs) {
    if (count > 0) pinned.push_back(index);
  }
  for (int32_t i : pinned) {
    PrivateRef(&p.descs[i]) = 1;
    UnpinBuffer(&p.descs[i]);
  }
}

int BufferPrivateRefCount(Buffer buffer) {
  return PrivateRefCount(GetDesc(buffer));
}

int NumPinnedByMe() {
  GetPool();
  int n = 0;
  for (const auto& e : g_state.refs) n += e.count;
  for (const auto& [index, count] : g_state.more_refs) n += count;
  return n;
}

void LockBuffer(Buffer buffer, BufferLockMode mode) {
  shmem::LWLockAcquire(&GetDesc(buffer)->content_lock,
                       mode == BufferLockMode::kShare ? LWLockMode::kShared : LWLockMode::kExclusive);
}

bool ConditionalLockBuffer(Buffer buffer, BufferLockMode mode) {
  return shmem::LWLockConditionalAcquire(
      &GetDesc(buffer)->content_lock, mode == BufferLockMode::kShare ? LWLockMode::kShared : LWLockMode::kExclusive);
}

void UnlockBuffer(Buffer buffer) {
  shmem::LWLockRelease(&GetDesc(buffer)->content_lock);
}

char* BufferGetPage(Buffer buffer) {
  return PageOf(GetDesc(buffer));
}

BufferTag BufferGetTag(Buffer buffer) {
  return GetDesc(buffer)->tag;  // stable while pinned
}

namespace {

void SetDirty(BufferDesc* desc) {
  uint32_t old = desc->state.load(std::memory_order_relaxed);
  for (;;) {
    if ((old & kLocked) != 0) old = WaitBufHdrUnlocked(desc);
    if (desc->state.compare_exchange_weak(old, old | kDirty | kJustDirtied, std::memory_order_acq_rel)) break;
  }
  if ((old & kDirty) == 0) Emit(BufferEvent::Kind::kDirty, desc, desc->tag);
}

}  // namespace

void MarkBufferDirty(Buffer buffer) {
  BufferDesc* desc = GetDesc(buffer);
  if (!shmem::LWLockHeldByMeInMode(&desc->content_lock, LWLockMode::kExclusive)) {
    Panic(fmt::format("buffer {} marked dirty without its exclusive content lock", buffer));
  }
  SetDirty(desc);
}

void MarkBufferDirtyHint(Buffer buffer) {
  BufferDesc* desc = GetDesc(buffer);
  if (!shmem::LWLockHeldByMeInMode(&desc->content_lock, LWLockMode::kExclusive) &&
      !shmem::LWLockHeldByMeInMode(&desc->content_lock, LWLockMode::kShared)) {
    Panic(fmt::format("buffer {} marked dirty without its content lock", buffer));
  }
  if ((desc->state.load(std::memory_order_relaxed) & kDirty) != 0) return;
  SetDirty(desc);
}

const BufferUsage& MyBufferUsage() {
  return MutableUsage();
}

}  // namespace minipg::storage
