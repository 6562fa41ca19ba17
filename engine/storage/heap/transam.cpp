/*-------------------------------------------------------------------------
 * transam.cpp
 *   The next xid and pg_xact in shared memory (see transam.h).
 *-------------------------------------------------------------------------
 */
#include "engine/storage/heap/transam.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

#include "engine/shmem/lwlock.h"
#include "engine/storage/heap/procarray.h"
#include "engine/storage/heap/slru.h"
#include "engine/storage/wal/wal_records.h"
#include "engine/storage/wal/xlog.h"

namespace minipg::storage {

namespace {

struct TransamShared {
  shmem::LWLock xid_lock;
  TransactionId next_xid;
  shmem::LWLock oid_lock;
  Oid next_oid;
  uint32_t oid_count;  // OIDs from next_oid on that a NEXTOID record covers
};

/* pg_xact's SlruCtl follows TransamShared in the area. */
constexpr size_t kXactSlruOffset = (sizeof(TransamShared) + 63) / 64 * 64;

TransamShared* Shared() {
  auto* t = static_cast<TransamShared*>(shmem::ShmemArea(kTransamShmemAreaName));
  if (t == nullptr) {
    std::fprintf(stderr, "PANIC:  transam shared memory is missing\n");
    std::abort();
  }
  return t;
}

/* A status already final (committed or aborted) never changes: one entry
 * of this process's memory saves a lock for the next look at that xid. */
struct CachedStatus {
  TransactionId xid = kInvalidTransactionId;
  XidStatus status = XidStatus::kInProgress;
  XLogRecPtr lsn = 0;
};
CachedStatus g_cached;

SlruCtl* XactSlru(TransamShared* t) { return reinterpret_cast<SlruCtl*>(reinterpret_cast<char*>(t) + kXactSlruOffset); }

int64_t PageOf(TransactionId xid) { return xid / kXactsPerPage; }

int ByteOf(TransactionId xid) { return static_cast<int>((xid % kXactsPerPage) / 4); }
int ShiftOf(TransactionId xid) { return static_cast<int>(xid % 4) * 2; }

}  // namespace

std::vector<shmem::ShmemRequest> TransamShmemRequests() {
  return {{kTransamShmemAreaName, kXactSlruOffset + SlruCtl::ShmemSize(kXactBuffers), [](void* p) {
             auto* t = new (p) TransamShared{};
             shmem::LWLockInit(&t->xid_lock, shmem::LWLockTranche::kXidGen);
             t->next_xid = kFirstNormalTransactionId;
             shmem::LWLockInit(&t->oid_lock, shmem::LWLockTranche::kOidGen);
             t->next_oid = kFirstNormalObjectId;
             SlruCtl::Init(XactSlru(t), {"pg_xact", kXactBuffers, shmem::LWLockTranche::kXactSLRU, kXactsPerPage});
           }}};
}

TransactionId AssignTransactionId(bool top_level) {
  TransamShared* t = Shared();
  shmem::LWLockGuard guard(&t->xid_lock, shmem::LWLockMode::kExclusive);
  TransactionId xid = t->next_xid;
  t->next_xid = xid + 1 < kFirstNormalTransactionId ? kFirstNormalTransactionId : xid + 1;
  if (top_level) ProcArrayPublishXid(xid);  // still under XidGen: no snapshot can miss it
  return xid;
}

TransactionId ReadNextTransactionId() {
  TransamShared* t = Shared();
  shmem::LWLockGuard guard(&t->xid_lock, shmem::LWLockMode::kShared);
  return t->next_xid;
}

void SetNextTransactionId(TransactionId next) {
  TransamShared* t = Shared();
  shmem::LWLockGuard guard(&t->xid_lock, shmem::LWLockMode::kExclusive);
  t->next_xid = next < kFirstNormalTransactionId ? kFirstNormalTransactionId : next;
  ProcArraySetLatestCompleted(t->next_xid);
}

void AdvanceNextTransactionIdPast(TransactionId xid) {
  if (xid < kFirstNormalTransactionId) return;
  TransamShared* t = Shared();
  shmem::LWLockGuard guard(&t->xid_lock, shmem::LWLockMode::kExclusive);
  if (t->next_xid <= xid) t->next_xid = xid + 1;
  ProcArraySetLatestCompleted(t->next_xid);
}

Oid GetNewObjectId() {
  TransamShared* t = Shared();
  shmem::LWLockGuard guard(&t->oid_lock, shmem::LWLockMode::kExclusive);
  if (t->next_oid < kFirstNormalObjectId) {  // a new cluster, or (some day) wrap-around
    t->next_oid = kFirstNormalObjectId;
    t->oid_count = 0;
  }
  if (t->oid_count == 0) {
    Oid upto = t->next_oid + kOidPrefetch;
    auto end = wal::XLogInsert(wal::RmgrId::kXlog, wal::kXlogNextOid, kInvalidTransactionId, {},
                               wal::EncodePayload(wal::NextOidRecord{upto}));
    if (!end.ok()) {
      std::fprintf(stderr, "PANIC:  %s\n", end.error().message.c_str());
      std::abort();
    }
    t->oid_count = kOidPrefetch;
  }
  --t->oid_count;
  return t->next_oid++;
}

Oid ReadNextOid() {
  TransamShared* t = Shared();
  shmem::LWLockGuard guard(&t->oid_lock, shmem::LWLockMode::kShared);
  return t->next_oid;
}

void SetNextOid(Oid next) {
  TransamShared* t = Shared();
  shmem::LWLockGuard guard(&t->oid_lock, shmem::LWLockMode::kExclusive);
  t->next_oid = next;
  t->oid_count = 0;
}

Oid CheckpointNextOid(bool shutdown) {
  TransamShared* t = Shared();
  shmem::LWLockGuard guard(&t->oid_lock, shmem::LWLockMode::kShared);
  return shutdown ? t->next_oid : t->next_oid + t->oid_count;
}

std::string XactSegmentPath(TransactionId xid) {
  return SlruSegmentPath("pg_xact", PageOf(xid));
}

Result<XidStatus> TransactionIdGetStatus(TransactionId xid, XLogRecPtr* commit_lsn) {
  if (commit_lsn != nullptr) *commit_lsn = 0;
  if (xid < kFirstNormalTransactionId) {
    return xid == kInvalidTransactionId ? XidStatus::kAborted : XidStatus::kCommitted;
  }
  if (g_cached.xid == xid) {
    if (commit_lsn != nullptr) *commit_lsn = g_cached.lsn;
    return g_cached.status;
  }
  SlruCtl* slru = XactSlru(Shared());
  shmem::LWLockGuard guard(slru->lock(), shmem::LWLockMode::kExclusive);
  auto slot = slru->ReadPage(PageOf(xid));
  if (!slot.ok()) return slot.error();
  auto byte = static_cast<uint8_t>(slru->page(*slot)[ByteOf(xid)]);
  auto status = static_cast<XidStatus>((byte >> ShiftOf(xid)) & 3);
  XLogRecPtr lsn = slru->page_lsn(*slot);
  if (commit_lsn != nullptr) *commit_lsn = lsn;
  if (status == XidStatus::kCommitted || status == XidStatus::kAborted) g_cached = {xid, status, lsn};
  return status;
}

Result<bool> TransactionIdDidCommit(TransactionId xid) {
  auto status = TransactionIdGetStatus(xid);
  if (!status.ok()) return status.error();
  return *status == XidStatus::kCommitted;
}

Status TransactionIdSetStatus(TransactionId xid, XidStatus status, XLogRecPtr commit_lsn) {
  if (xid < kFirstNormalTransactionId) return OkStatus();
  SlruCtl* slru = XactSlru(Shared());
  shmem::LWLockGuard guard(slru->lock(), shmem::LWLockMode::kExclusive);
  auto slot = slru->ReadPage(PageOf(xid));
  if (!slot.ok()) return slot.error();
  char& byte = slru->page(*slot)[ByteOf(xid)];
  int shift = ShiftOf(xid);
  byte = static_cast<char>((static_cast<uint8_t>(byte) & ~(3u << shift)) | (static_cast<unsigned>(status) << shift));
  slru->MarkDirty(*slot, commit_lsn);
  if (g_cached.xid == xid) g_cached = {};
  return OkStatus();
}

Status CheckPointTransam() { return XactSlru(Shared())->Flush(); }

Status TrimTransam(TransactionId next_xid) {
  SlruCtl* slru = XactSlru(Shared());
  const int64_t pageno = PageOf(next_xid);
  {
    shmem::LWLockGuard guard(slru->lock(), shmem::LWLockMode::kExclusive);
    auto slot = slru->ReadPage(pageno);
    if (!slot.ok()) return slot.error();
    char* page = slru->page(*slot);
    int byte = ByteOf(next_xid);
    page[byte] = static_cast<char>(static_cast<uint8_t>(page[byte]) & ((1u << ShiftOf(next_xid)) - 1));
    std::memset(page + byte + 1, 0, kBlockSize - static_cast<size_t>(byte) - 1);
    slru->MarkDirty(*slot);
    g_cached = {};
  }
  return slru->TruncateAfter(pageno);
}

}  // namespace minipg::storage
