/*-------------------------------------------------------------------------
 * transam.cpp
 *   The next xid and pg_xact in shared memory (see transam.h).
 *-------------------------------------------------------------------------
 */
#include "engine/storage/heap/transam.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <new>

#include <fmt/format.h>

#include "engine/common/sqlstate.h"
#include "engine/shmem/lwlock.h"
#include "engine/storage/heap/procarray.h"
#include "engine/storage/smgr/smgr.h"
#include "engine/storage/wal/wal_records.h"
#include "engine/storage/wal/xlog.h"

namespace minipg::storage {

namespace {

struct XactSlot {
  int64_t pageno;  // -1: empty
  bool dirty;
  XLogRecPtr lsn;  // the newest commit record whose bit is on the page
  uint64_t last_used;
};

struct TransamShared {
  shmem::LWLock xid_lock;
  TransactionId next_xid;
  shmem::LWLock oid_lock;
  Oid next_oid;
  uint32_t oid_count;  // OIDs from next_oid on that a NEXTOID record covers
  shmem::LWLock slru_lock;
  uint64_t use_counter;
  XactSlot slots[kXactBuffers];
  alignas(8) char pages[kXactBuffers][kBlockSize];
};

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

int64_t PageOf(TransactionId xid) { return xid / kXactsPerPage; }

std::filesystem::path SegmentFile(int64_t pageno) {
  return SmgrDataDir() / "pg_xact" / fmt::format("{:04X}", pageno / kSlruPagesPerSegment);
}

off_t OffsetOf(int64_t pageno) {
  return static_cast<off_t>(pageno % kSlruPagesPerSegment) * static_cast<off_t>(kBlockSize);
}

Error SlruError(const char* what, TransactionId xid, const std::filesystem::path& file, int err) {
  Error e = MakeError(sqlstate::kIoError, fmt::format("could not access status of transaction {}", xid));
  e.detail = fmt::format("Could not {} file \"{}\": {}.", what, file.string(), std::strerror(err));
  return e;
}

/* Reads a page into `out`; a missing file or a short one reads as zeros. */
Status ReadPage(int64_t pageno, char* out) {
  std::memset(out, 0, kBlockSize);
  std::filesystem::path file = SegmentFile(pageno);
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return OkStatus();
    return SlruError("open", static_cast<TransactionId>(pageno * kXactsPerPage), file, errno);
  }
  ssize_t n = ::pread(fd, out, kBlockSize, OffsetOf(pageno));
  int err = errno;
  ::close(fd);
  if (n < 0) return SlruError("read from", static_cast<TransactionId>(pageno * kXactsPerPage), file, err);
  return OkStatus();
}

/* Writes a slot's page (the WAL first, up to its newest commit), fsynced. */
Status WritePage(XactSlot& slot, const char* page) {
  if (slot.lsn != 0) {
    if (Status s = wal::XLogFlush(slot.lsn); !s.ok()) return s;
  }
  std::filesystem::path file = SegmentFile(slot.pageno);
  TransactionId first = static_cast<TransactionId>(slot.pageno * kXactsPerPage);
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return SlruError("open", first, file, errno);
  ssize_t n = ::pwrite(fd, page, kBlockSize, OffsetOf(slot.pageno));
  int err = errno;
  if (n == static_cast<ssize_t>(kBlockSize) && ::fsync(fd) != 0) {
    err = errno;
    n = -1;
  }
  ::close(fd);
  if (n != static_cast<ssize_t>(kBlockSize)) return SlruError("write to", first, file, n < 0 ? err : ENOSPC);
  slot.dirty = false;
  return OkStatus();
}

/* The slot holding `pageno`, reading it in (and evicting the least recently
 * used page) if needed. XactSLRU held exclusively. */
Result<int> SlotFor(TransamShared* t, int64_t pageno) {
  int victim = 0;
  for (int i = 0; i < kXactBuffers; ++i) {
    XactSlot& s = t->slots[i];
    if (s.pageno == pageno) {
      s.last_used = ++t->use_counter;
      return i;
    }
    if (s.pageno < 0 || (t->slots[victim].pageno >= 0 && s.last_used < t->slots[victim].last_used)) victim = i;
  }
  XactSlot& v = t->slots[victim];
  if (v.pageno >= 0 && v.dirty) {
    if (Status s = WritePage(v, t->pages[victim]); !s.ok()) return s.error();
  }
  v.pageno = -1;
  if (Status s = ReadPage(pageno, t->pages[victim]); !s.ok()) return s.error();
  v = XactSlot{pageno, false, 0, ++t->use_counter};
  return victim;
}

int ByteOf(TransactionId xid) { return static_cast<int>((xid % kXactsPerPage) / 4); }
int ShiftOf(TransactionId xid) { return static_cast<int>(xid % 4) * 2; }

}  // namespace

std::vector<shmem::ShmemRequest> TransamShmemRequests() {
  return {{kTransamShmemAreaName, sizeof(TransamShared), [](void* p) {
             auto* t = new (p) TransamShared{};
             shmem::LWLockInit(&t->xid_lock, shmem::LWLockTranche::kXidGen);
             shmem::LWLockInit(&t->slru_lock, shmem::LWLockTranche::kXactSLRU);
             t->next_xid = kFirstNormalTransactionId;
             shmem::LWLockInit(&t->oid_lock, shmem::LWLockTranche::kOidGen);
             t->next_oid = kFirstNormalObjectId;
             for (XactSlot& s : t->slots) s.pageno = -1;
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
  return fmt::format("pg_xact/{:04X}", PageOf(xid) / kSlruPagesPerSegment);
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
  TransamShared* t = Shared();
  shmem::LWLockGuard guard(&t->slru_lock, shmem::LWLockMode::kExclusive);
  auto slot = SlotFor(t, PageOf(xid));
  if (!slot.ok()) return slot.error();
  auto byte = static_cast<uint8_t>(t->pages[*slot][ByteOf(xid)]);
  auto status = static_cast<XidStatus>((byte >> ShiftOf(xid)) & 3);
  XLogRecPtr lsn = t->slots[*slot].lsn;
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
  TransamShared* t = Shared();
  shmem::LWLockGuard guard(&t->slru_lock, shmem::LWLockMode::kExclusive);
  auto slot = SlotFor(t, PageOf(xid));
  if (!slot.ok()) return slot.error();
  char& byte = t->pages[*slot][ByteOf(xid)];
  int shift = ShiftOf(xid);
  byte = static_cast<char>((static_cast<uint8_t>(byte) & ~(3u << shift)) | (static_cast<unsigned>(status) << shift));
  XactSlot& s = t->slots[*slot];
  s.dirty = true;
  if (commit_lsn > s.lsn) s.lsn = commit_lsn;
  if (g_cached.xid == xid) g_cached = {};
  return OkStatus();
}

Status CheckPointTransam() {
  TransamShared* t = Shared();
  shmem::LWLockGuard guard(&t->slru_lock, shmem::LWLockMode::kExclusive);
  for (int i = 0; i < kXactBuffers; ++i) {
    XactSlot& s = t->slots[i];
    if (s.pageno < 0 || !s.dirty) continue;
    if (Status st = WritePage(s, t->pages[i]); !st.ok()) return st;
  }
  return OkStatus();
}

}  // namespace minipg::storage
