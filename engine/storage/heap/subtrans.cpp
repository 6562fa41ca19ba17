/*-------------------------------------------------------------------------
 * subtrans.cpp
 *   pg_subtrans in shared memory (see subtrans.h).
 *-------------------------------------------------------------------------
 */
#include "engine/storage/heap/subtrans.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <new>

#include <fmt/format.h>

#include "engine/common/sqlstate.h"
#include "engine/shmem/lwlock.h"
#include "engine/storage/smgr/smgr.h"

namespace minipg::storage {

namespace {

inline constexpr uint32_t kPagesPerSegment = 32;

struct SubtransSlot {
  int64_t pageno;  // -1: empty
  bool dirty;
  uint64_t last_used;
};

struct SubtransShared {
  shmem::LWLock lock;
  uint64_t use_counter;
  SubtransSlot slots[kSubtransBuffers];
  alignas(8) char pages[kSubtransBuffers][kBlockSize];
};

SubtransShared* Shared() { return static_cast<SubtransShared*>(shmem::ShmemArea(kSubtransShmemAreaName)); }

int64_t PageOf(TransactionId xid) { return xid / kSubtransXactsPerPage; }
size_t OffsetInPage(TransactionId xid) { return (xid % kSubtransXactsPerPage) * sizeof(TransactionId); }

std::filesystem::path Directory() { return SmgrDataDir() / "pg_subtrans"; }

std::filesystem::path SegmentFile(int64_t pageno) {
  return Directory() / fmt::format("{:04X}", pageno / kPagesPerSegment);
}

off_t FileOffset(int64_t pageno) {
  return static_cast<off_t>(pageno % kPagesPerSegment) * static_cast<off_t>(kBlockSize);
}

Error IoError(const char* what, int64_t pageno, int err) {
  Error e = MakeError(sqlstate::kIoError, fmt::format("could not access status of transaction {}",
                                                      pageno * kSubtransXactsPerPage));
  e.detail = fmt::format("Could not {} file \"{}\": {}.", what, SegmentFile(pageno).string(), std::strerror(err));
  return e;
}

Status ReadPage(int64_t pageno, char* out) {
  std::memset(out, 0, kBlockSize);
  int fd = ::open(SegmentFile(pageno).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT ? OkStatus() : Status(IoError("open", pageno, errno));
  ssize_t n = ::pread(fd, out, kBlockSize, FileOffset(pageno));
  int err = errno;
  ::close(fd);
  return n < 0 ? Status(IoError("read from", pageno, err)) : OkStatus();
}

/* Not fsynced: nothing of pg_subtrans is needed after a crash. */
Status WritePage(SubtransSlot& slot, const char* page) {
  std::error_code ec;
  std::filesystem::create_directories(Directory(), ec);
  int fd = ::open(SegmentFile(slot.pageno).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("open", slot.pageno, errno);
  ssize_t n = ::pwrite(fd, page, kBlockSize, FileOffset(slot.pageno));
  int err = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(kBlockSize)) return IoError("write to", slot.pageno, n < 0 ? err : ENOSPC);
  slot.dirty = false;
  return OkStatus();
}

/* The slot holding `pageno`, read in (the least recently used page written
 * out) if needed. The lock held exclusively. */
Result<int> SlotFor(SubtransShared* t, int64_t pageno) {
  int victim = 0;
  for (int i = 0; i < kSubtransBuffers; ++i) {
    SubtransSlot& s = t->slots[i];
    if (s.pageno == pageno) {
      s.last_used = ++t->use_counter;
      return i;
    }
    if (s.pageno < 0 || (t->slots[victim].pageno >= 0 && s.last_used < t->slots[victim].last_used)) victim = i;
  }
  SubtransSlot& v = t->slots[victim];
  if (v.pageno >= 0 && v.dirty) {
    if (Status s = WritePage(v, t->pages[victim]); !s.ok()) return s.error();
  }
  v.pageno = -1;
  if (Status s = ReadPage(pageno, t->pages[victim]); !s.ok()) return s.error();
  v = SubtransSlot{pageno, false, ++t->use_counter};
  return victim;
}

}  // namespace

std::vector<shmem::ShmemRequest> SubTransShmemRequests() {
  return {{kSubtransShmemAreaName, sizeof(SubtransShared), [](void* p) {
             auto* t = new (p) SubtransShared{};
             shmem::LWLockInit(&t->lock, shmem::LWLockTranche::kXactSLRU);
             for (SubtransSlot& s : t->slots) s.pageno = -1;
           }}};
}

Status SubTransSetParent(TransactionId xid, TransactionId parent) {
  SubtransShared* t = Shared();
  if (t == nullptr || xid < kFirstNormalTransactionId) return OkStatus();
  shmem::LWLockGuard guard(&t->lock, shmem::LWLockMode::kExclusive);
  auto slot = SlotFor(t, PageOf(xid));
  if (!slot.ok()) return slot.error();
  std::memcpy(t->pages[*slot] + OffsetInPage(xid), &parent, sizeof(parent));
  t->slots[*slot].dirty = true;
  return OkStatus();
}

Result<TransactionId> SubTransGetParent(TransactionId xid) {
  SubtransShared* t = Shared();
  if (t == nullptr || xid < kFirstNormalTransactionId) return kInvalidTransactionId;
  shmem::LWLockGuard guard(&t->lock, shmem::LWLockMode::kExclusive);
  auto slot = SlotFor(t, PageOf(xid));
  if (!slot.ok()) return slot.error();
  TransactionId parent = kInvalidTransactionId;
  std::memcpy(&parent, t->pages[*slot] + OffsetInPage(xid), sizeof(parent));
  return parent;
}

TransactionId SubTransGetTopmostTransaction(TransactionId xid) {
  for (;;) {
    auto parent = SubTransGetParent(xid);
    // A parent always took its xid before its child: anything else is a
    // page of zeros (or garbage), and xid is taken as the top.
    if (!parent.ok() || *parent < kFirstNormalTransactionId || *parent >= xid) return xid;
    xid = *parent;
  }
}

Status StartupSubTrans() {
  if (SubtransShared* t = Shared(); t != nullptr) {
    shmem::LWLockGuard guard(&t->lock, shmem::LWLockMode::kExclusive);
    for (SubtransSlot& s : t->slots) s = SubtransSlot{-1, false, 0};
  }
  std::error_code ec;
  std::filesystem::remove_all(Directory(), ec);
  if (ec) {
    return MakeError(sqlstate::kIoError,
                     fmt::format("could not remove directory \"{}\": {}", Directory().string(), ec.message()));
  }
  std::filesystem::create_directories(Directory(), ec);
  return OkStatus();
}

std::string SubTransSegmentPath(TransactionId xid) {
  return fmt::format("pg_subtrans/{:04X}", PageOf(xid) / kPagesPerSegment);
}

}  // namespace minipg::storage
