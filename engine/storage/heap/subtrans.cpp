/*-------------------------------------------------------------------------
 * subtrans.cpp
 *   pg_subtrans in shared memory (see subtrans.h).
 *-------------------------------------------------------------------------
 */
#include "engine/storage/heap/subtrans.h"

#include <cstring>

#include "engine/shmem/lwlock.h"
#include "engine/storage/heap/slru.h"

namespace minipg::storage {

namespace {

SlruCtl* Shared() { return static_cast<SlruCtl*>(shmem::ShmemArea(kSubtransShmemAreaName)); }

int64_t PageOf(TransactionId xid) { return xid / kSubtransXactsPerPage; }
size_t OffsetInPage(TransactionId xid) { return (xid % kSubtransXactsPerPage) * sizeof(TransactionId); }

}  // namespace

std::vector<shmem::ShmemRequest> SubTransShmemRequests() {
  return {{kSubtransShmemAreaName, SlruCtl::ShmemSize(kSubtransBuffers), [](void* p) {
             // Not fsynced: nothing of pg_subtrans is needed after a crash.
             SlruCtl::Init(p, {"pg_subtrans", kSubtransBuffers, shmem::LWLockTranche::kSubtransSLRU,
                               kSubtransXactsPerPage, /*fsync=*/false});
           }}};
}

Status SubTransSetParent(TransactionId xid, TransactionId parent) {
  SlruCtl* slru = Shared();
  if (slru == nullptr || xid < kFirstNormalTransactionId) return OkStatus();
  shmem::LWLockGuard guard(slru->lock(), shmem::LWLockMode::kExclusive);
  auto slot = slru->ReadPage(PageOf(xid));
  if (!slot.ok()) return slot.error();
  std::memcpy(slru->page(*slot) + OffsetInPage(xid), &parent, sizeof(parent));
  slru->MarkDirty(*slot);
  return OkStatus();
}

Result<TransactionId> SubTransGetParent(TransactionId xid) {
  SlruCtl* slru = Shared();
  if (slru == nullptr || xid < kFirstNormalTransactionId) return kInvalidTransactionId;
  shmem::LWLockGuard guard(slru->lock(), shmem::LWLockMode::kExclusive);
  auto slot = slru->ReadPage(PageOf(xid));
  if (!slot.ok()) return slot.error();
  TransactionId parent = kInvalidTransactionId;
  std::memcpy(&parent, slru->page(*slot) + OffsetInPage(xid), sizeof(parent));
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
  SlruCtl* slru = Shared();
  return slru == nullptr ? OkStatus() : slru->Reset();
}

std::string SubTransSegmentPath(TransactionId xid) {
  return SlruSegmentPath("pg_subtrans", PageOf(xid));
}

}  // namespace minipg::storage
