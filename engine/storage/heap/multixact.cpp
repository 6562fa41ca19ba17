/*-------------------------------------------------------------------------
 * multixact.cpp
 *   pg_multixact in shared memory: creating and reading MultiXactIds,
 *   their WAL record and its redo (see multixact.h).
 *-------------------------------------------------------------------------
 */
#include "engine/storage/heap/multixact.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

#include <fmt/format.h>

#include "engine/common/sqlstate.h"
#include "engine/shmem/lwlock.h"
#include "engine/storage/heap/procarray.h"
#include "engine/storage/heap/slru.h"
#include "engine/storage/heap/transam.h"
#include "engine/storage/heap/xact.h"
#include "engine/storage/wal/multixact_records.h"
#include "engine/storage/wal/wal_record.h"
#include "engine/storage/wal/xlog.h"

namespace minipg::storage {

namespace {

struct MultiXactShared {
  shmem::LWLock gen_lock;  // MultiXactGen
  MultiXactId next_multi;
  MultiXactOffset next_offset;
};

constexpr size_t AlignUp(size_t n) { return (n + 63) / 64 * 64; }
constexpr size_t kOffsetsAt = AlignUp(sizeof(MultiXactShared));
const size_t kMembersAt = kOffsetsAt + AlignUp(SlruCtl::ShmemSize(kMultiXactOffsetBuffers));
constexpr const char* kOffsetsDir = "pg_multixact/offsets";
constexpr const char* kMembersDir = "pg_multixact/members";

MultiXactShared* Shared() {
  auto* m = static_cast<MultiXactShared*>(shmem::ShmemArea(kMultiXactShmemAreaName));
  if (m == nullptr) {
    std::fprintf(stderr, "PANIC:  multixact shared memory is missing\n");
    std::abort();
  }
  return m;
}
SlruCtl* Offsets(MultiXactShared* m) { return reinterpret_cast<SlruCtl*>(reinterpret_cast<char*>(m) + kOffsetsAt); }
SlruCtl* Members(MultiXactShared* m) { return reinterpret_cast<SlruCtl*>(reinterpret_cast<char*>(m) + kMembersAt); }

int64_t OffsetPage(MultiXactId multi) { return multi / kMultiXactOffsetsPerPage; }
size_t OffsetByte(MultiXactId multi) { return (multi % kMultiXactOffsetsPerPage) * sizeof(MultiXactOffset); }
int64_t MemberPage(MultiXactOffset offset) { return offset / kMultiXactMembersPerPage; }
size_t GroupByte(MultiXactOffset offset) {
  return (offset / kMultiXactMembersPerGroup) % kMultiXactMemberGroupsPerPage * kMultiXactMemberGroupSize;
}
size_t StatusByte(MultiXactOffset offset) { return GroupByte(offset) + offset % kMultiXactMembersPerGroup; }
size_t XidByte(MultiXactOffset offset) {
  return GroupByte(offset) + kMultiXactMembersPerGroup + (offset % kMultiXactMembersPerGroup) * sizeof(TransactionId);
}

/* a < b in modulo-2^32 order (PostgreSQL's MultiXactIdPrecedes). */
bool MultiXactIdPrecedes(MultiXactId a, MultiXactId b) { return static_cast<int32_t>(a - b) < 0; }

[[noreturn]] void Panic(const std::string& what) {
  std::fprintf(stderr, "PANIC:  %s\n", what.c_str());
  std::abort();
}

/* Writes `multi`'s offset entry and its members (PostgreSQL's
 * RecordNewMultiXact); `lsn` (0 in redo) is flushed before the pages are. */
Status RecordNewMultiXact(MultiXactShared* m, MultiXactId multi, MultiXactOffset offset,
                          const std::vector<MultiXactMember>& members, XLogRecPtr lsn) {
  {
    SlruCtl* offsets = Offsets(m);
    shmem::LWLockGuard guard(offsets->lock(), shmem::LWLockMode::kExclusive);
    auto slot = offsets->ReadPage(OffsetPage(multi));
    if (!slot.ok()) return slot.error();
    std::memcpy(offsets->page(*slot) + OffsetByte(multi), &offset, sizeof(offset));
    offsets->MarkDirty(*slot, lsn);
  }
  SlruCtl* slru = Members(m);
  shmem::LWLockGuard guard(slru->lock(), shmem::LWLockMode::kExclusive);
  for (size_t i = 0; i < members.size(); ++i) {
    MultiXactOffset at = offset + static_cast<MultiXactOffset>(i);
    auto slot = slru->ReadPage(MemberPage(at));
    if (!slot.ok()) return slot.error();
    char* page = slru->page(*slot);
    page[StatusByte(at)] = static_cast<char>(members[i].status);
    std::memcpy(page + XidByte(at), &members[i].xid, sizeof(TransactionId));
    slru->MarkDirty(*slot, lsn);
  }
  return OkStatus();
}

Result<MultiXactOffset> ReadOffset(MultiXactShared* m, MultiXactId multi) {
  SlruCtl* offsets = Offsets(m);
  shmem::LWLockGuard guard(offsets->lock(), shmem::LWLockMode::kExclusive);
  auto slot = offsets->ReadPage(OffsetPage(multi));
  if (!slot.ok()) return slot.error();
  MultiXactOffset offset = 0;
  std::memcpy(&offset, offsets->page(*slot) + OffsetByte(multi), sizeof(offset));
  return offset;
}

/* A member still holds its lock: running, and not a subtransaction that
 * rolled back (the proc array knows top-level xids only). */
bool MemberIsRunning(TransactionId xid) {
  if (!TransactionIdIsInProgress(xid)) return false;
  auto status = TransactionIdGetStatus(xid);
  return !status.ok() || *status != XidStatus::kAborted;
}

}  // namespace

std::vector<shmem::ShmemRequest> MultiXactShmemRequests() {
  return {{kMultiXactShmemAreaName, kMembersAt + SlruCtl::ShmemSize(kMultiXactMemberBuffers), [](void* p) {
             auto* m = new (p) MultiXactShared{};
             shmem::LWLockInit(&m->gen_lock, shmem::LWLockTranche::kMultiXactGen);
             m->next_multi = kFirstMultiXactId;
             m->next_offset = 0;
             SlruCtl::Init(Offsets(m), {kOffsetsDir, kMultiXactOffsetBuffers,
                                        shmem::LWLockTranche::kMultiXactOffsetSLRU, kMultiXactOffsetsPerPage});
             SlruCtl::Init(Members(m), {kMembersDir, kMultiXactMemberBuffers,
                                        shmem::LWLockTranche::kMultiXactMemberSLRU, kMultiXactMembersPerPage});
           }}};
}

Result<MultiXactId> MultiXactIdCreateFromArray(const std::vector<MultiXactMember>& members) {
  if (members.empty()) return MakeError(sqlstate::kInternalError, "cannot create a MultiXactId with no members");
  MultiXactShared* m = Shared();
  shmem::LWLockGuard guard(&m->gen_lock, shmem::LWLockMode::kExclusive);
  MultiXactId multi = m->next_multi;
  MultiXactOffset offset = m->next_offset == 0 ? 1 : m->next_offset;  // offset 0 is never used
  wal::MultiXactCreateRecord rec{multi, offset, {}};
  for (const MultiXactMember& mm : members) rec.members.push_back({mm.xid, static_cast<uint8_t>(mm.status)});
  auto end = wal::XLogInsert(wal::RmgrId::kMultiXact, wal::kMultiXactCreateId, GetCurrentTransactionIdIfAny(), {},
                             wal::EncodeMultiXactCreate(rec));
  if (!end.ok()) return end.error();  // nothing changed yet
  m->next_multi = multi + 1;
  m->next_offset = offset + static_cast<MultiXactOffset>(members.size());
  // The record is in: a failure now would leave the multi half made.
  if (Status s = RecordNewMultiXact(m, multi, offset, members, *end); !s.ok()) Panic(s.error().message);
  return multi;
}

Result<std::vector<MultiXactMember>> GetMultiXactIdMembers(MultiXactId multi) {
  if (multi == kInvalidMultiXactId) return std::vector<MultiXactMember>{};
  MultiXactShared* m = Shared();
  shmem::LWLockGuard guard(&m->gen_lock, shmem::LWLockMode::kShared);
  // PostgreSQL's circular comparisons: an id "before" the oldest (always
  // 1: nothing is truncated) no longer exists, one not before the next was
  // never created.
  if (MultiXactIdPrecedes(multi, kFirstMultiXactId)) {
    return MakeError(sqlstate::kInternalError,
                     fmt::format("MultiXactId {} does no longer exist -- apparent wraparound", multi));
  }
  if (!MultiXactIdPrecedes(multi, m->next_multi)) {
    return MakeError(sqlstate::kInternalError,
                     fmt::format("MultiXactId {} has not been created yet -- apparent wraparound", multi));
  }
  auto offset = ReadOffset(m, multi);
  if (!offset.ok()) return offset.error();
  MultiXactOffset end = m->next_offset;
  if (multi + 1 < m->next_multi) {
    auto next = ReadOffset(m, multi + 1);
    if (!next.ok()) return next.error();
    end = *next;
  }
  if (*offset == 0 || end < *offset) {
    return MakeError(sqlstate::kDataCorrupted, fmt::format("MultiXactId {} has invalid offsets", multi));
  }
  std::vector<MultiXactMember> members;
  members.reserve(end - *offset);
  SlruCtl* slru = Members(m);
  shmem::LWLockGuard members_guard(slru->lock(), shmem::LWLockMode::kExclusive);
  for (MultiXactOffset at = *offset; at < end; ++at) {
    auto slot = slru->ReadPage(MemberPage(at));
    if (!slot.ok()) return slot.error();
    const char* page = slru->page(*slot);
    MultiXactMember member{};
    std::memcpy(&member.xid, page + XidByte(at), sizeof(TransactionId));
    member.status = static_cast<MultiXactStatus>(static_cast<uint8_t>(page[StatusByte(at)]));
    members.push_back(member);
  }
  return members;
}

Result<MultiXactId> MultiXactIdExpand(MultiXactId multi, TransactionId xid, MultiXactStatus status) {
  auto old = GetMultiXactIdMembers(multi);
  if (!old.ok()) return old.error();
  for (const MultiXactMember& mm : *old) {
    if (mm.xid == xid && mm.status == status) return multi;
  }
  std::vector<MultiXactMember> members;
  for (const MultiXactMember& mm : *old) {
    bool keep = MemberIsRunning(mm.xid);
    if (!keep && MultiXactStatusIsUpdate(mm.status)) {
      auto committed = TransactionIdDidCommit(mm.xid);
      keep = committed.ok() && *committed;
    }
    if (keep) members.push_back(mm);
  }
  members.push_back({xid, status});
  return MultiXactIdCreateFromArray(members);
}

bool MultiXactIdIsRunning(MultiXactId multi) {
  auto members = GetMultiXactIdMembers(multi);
  if (!members.ok()) return false;
  for (const MultiXactMember& mm : *members) {
    if (MemberIsRunning(mm.xid)) return true;
  }
  return false;
}

bool MultiXactStatusIsUpdate(MultiXactStatus status) {
  return status == MultiXactStatus::kNoKeyUpdate || status == MultiXactStatus::kUpdate;
}

const char* MultiXactStatusName(MultiXactStatus status) {
  return wal::MultiXactStatusText(static_cast<uint8_t>(status));
}

MultiXactNext ReadNextMultiXact() {
  MultiXactShared* m = Shared();
  shmem::LWLockGuard guard(&m->gen_lock, shmem::LWLockMode::kShared);
  return {m->next_multi, m->next_offset};
}

void MultiXactAdvanceNextMXact(MultiXactId multi, MultiXactOffset offset) {
  MultiXactShared* m = Shared();
  shmem::LWLockGuard guard(&m->gen_lock, shmem::LWLockMode::kExclusive);
  if (multi > m->next_multi) m->next_multi = multi;
  if (offset > m->next_offset) m->next_offset = offset;
}

Status CheckPointMultiXact() {
  MultiXactShared* m = Shared();
  if (Status s = Offsets(m)->Flush(); !s.ok()) return s;
  return Members(m)->Flush();
}

Status MultiXactRedo(const wal::DecodedRecord& rec) {
  if (rec.rmgr_info() != wal::kMultiXactCreateId) return OkStatus();  // minipg writes no other
  auto c = wal::DecodeMultiXactCreate(rec.main_data);
  if (!c || c->members.empty() || c->multi == kInvalidMultiXactId || c->offset == 0) {
    return MakeError(sqlstate::kDataCorrupted,
                     fmt::format("malformed MultiXact CREATE_ID record at {}", FormatLsn(rec.lsn)));
  }
  std::vector<MultiXactMember> members;
  for (const auto& mm : c->members) members.push_back({mm.xid, static_cast<MultiXactStatus>(mm.status)});
  MultiXactShared* m = Shared();
  shmem::LWLockGuard guard(&m->gen_lock, shmem::LWLockMode::kExclusive);
  if (Status s = RecordNewMultiXact(m, c->multi, c->offset, members, 0); !s.ok()) return s;
  if (c->multi + 1 > m->next_multi) m->next_multi = c->multi + 1;
  MultiXactOffset end = c->offset + static_cast<MultiXactOffset>(members.size());
  if (end > m->next_offset) m->next_offset = end;
  for (const auto& mm : members) AdvanceNextTransactionIdPast(mm.xid);
  return OkStatus();
}

std::string MultiXactOffsetSegmentPath(MultiXactId multi) { return SlruSegmentPath(kOffsetsDir, OffsetPage(multi)); }

std::string MultiXactMemberSegmentPath(MultiXactOffset offset) {
  return SlruSegmentPath(kMembersDir, MemberPage(offset));
}

}  // namespace minipg::storage
