/*-------------------------------------------------------------------------
 * buf_table.cpp
 *   The buffer mapping table: which buffer holds which page (PostgreSQL's
 *   buf_table.c over a partitioned shared hash table). See
 *   buffer_internal.h for its layout and locking.
 *-------------------------------------------------------------------------
 */
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "engine/storage/buffer/buffer_internal.h"

namespace minipg::storage::buffer_internal {
namespace {

uint64_t Mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
  return h;
}

int32_t& Bucket(uint32_t hash) {
  const Pool& p = GetPool();
  return p.buckets[hash & static_cast<uint32_t>(p.ctl->nbuckets - 1)];
}

}  // namespace

uint32_t TagHash(const BufferTag& tag) {
  uint64_t h = 0;
  h = Mix(h, tag.rel.spc_oid);
  h = Mix(h, tag.rel.db_oid);
  h = Mix(h, tag.rel.rel_number);
  h = Mix(h, static_cast<uint64_t>(tag.fork));
  h = Mix(h, tag.block);
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDULL;
  h ^= h >> 33;
  return static_cast<uint32_t>(h);
}

shmem::LWLock* PartitionLock(uint32_t hash) {
  // nbuckets is a multiple of the partition count, so this is also the
  // partition of the tag's bucket.
  return &GetPool().ctl->mapping_locks[hash % kNumMappingPartitions];
}

int BufTableLookup(const BufferTag& tag, uint32_t hash) {
  const Pool& p = GetPool();
  for (int32_t e = Bucket(hash); e >= 0; e = p.entries[e].next) {
    if (p.entries[e].tag == tag) return p.entries[e].index;
  }
  return -1;
}

int BufTableInsert(const BufferTag& tag, uint32_t hash, int index) {
  int existing = BufTableLookup(tag, hash);
  if (existing >= 0) return existing;
  const Pool& p = GetPool();
  int32_t e;
  {
    shmem::LWLockGuard g(&p.ctl->free_entries_lock, shmem::LWLockMode::kExclusive);
    e = p.ctl->free_entry;
    if (e < 0) {
      // Sized so that this cannot happen (buffer_internal.h).
      std::fprintf(stderr, "PANIC:  out of shared buffer lookup table entries\n");
      std::abort();
    }
    p.ctl->free_entry = p.entries[e].next;
  }
  p.entries[e].tag = tag;
  p.entries[e].index = index;
  p.entries[e].next = Bucket(hash);
  Bucket(hash) = e;
  return -1;
}

void BufTableDelete(const BufferTag& tag, uint32_t hash) {
  const Pool& p = GetPool();
  for (int32_t* link = &Bucket(hash); *link >= 0; link = &p.entries[*link].next) {
    int32_t e = *link;
    if (!(p.entries[e].tag == tag)) continue;
    *link = p.entries[e].next;
    shmem::LWLockGuard g(&p.ctl->free_entries_lock, shmem::LWLockMode::kExclusive);
    p.entries[e].next = p.ctl->free_entry;
    p.ctl->free_entry = e;
    return;
  }
}

void LockPartitionPair(shmem::LWLock* a, shmem::LWLock* b) {
  if (b == nullptr || a == b) {
    shmem::LWLockAcquire(a, shmem::LWLockMode::kExclusive);
    return;
  }
  if (b < a) std::swap(a, b);
  shmem::LWLockAcquire(a, shmem::LWLockMode::kExclusive);
  shmem::LWLockAcquire(b, shmem::LWLockMode::kExclusive);
}

void UnlockPartitionPair(shmem::LWLock* a, shmem::LWLock* b) {
  shmem::LWLockRelease(a);
  if (b != nullptr && b != a) shmem::LWLockRelease(b);
}

}  // namespace minipg::storage::buffer_internal
