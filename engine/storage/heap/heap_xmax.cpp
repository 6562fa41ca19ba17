/*-------------------------------------------------------------------------
 * heap_xmax.cpp
 *   A row version's xmax as a set of members, what a newcomer finds in
 *   it and the xmax it leaves (see heap_xmax.h).
 *-------------------------------------------------------------------------
 */
#include "engine/storage/heap/heap_xmax.h"

#include <algorithm>

#include "engine/storage/heap/procarray.h"
#include "engine/storage/heap/xact.h"
#include "engine/storage/wal/wal_records.h"

namespace minipg::storage {

namespace {

bool XmaxIsSet(const HeapTupleHeader& t) {
  return (t.infomask & kHeapXmaxInvalid) == 0 && t.xmax != kInvalidTransactionId;
}

/* The status of a plain (not multi) xmax. */
MultiXactStatus PlainXmaxStatus(const HeapTupleHeader& t) {
  bool keys = (t.infomask2 & kHeapKeysUpdated) != 0;
  if ((t.infomask & kHeapXmaxLockOnly) == 0) return keys ? MultiXactStatus::kUpdate : MultiXactStatus::kNoKeyUpdate;
  bool excl = (t.infomask & kHeapXmaxExclLock) != 0;
  bool keyshr = (t.infomask & kHeapXmaxKeyshrLock) != 0;
  if (excl && keyshr) return MultiXactStatus::kForShare;
  if (excl) return keys ? MultiXactStatus::kForUpdate : MultiXactStatus::kForNoKeyUpdate;
  return MultiXactStatus::kForKeyShare;
}

/* The bits of `xid` alone locking or updating in `mode`. */
NewXmax PlainXmax(TransactionId xid, LockTupleMode mode, bool is_update) {
  NewXmax x{xid, 0, 0};
  if (mode == LockTupleMode::kExclusive) x.infomask2 = kHeapKeysUpdated;
  if (is_update) return x;
  x.infomask = kHeapXmaxLockOnly;
  switch (mode) {
    case LockTupleMode::kKeyShare:
      x.infomask |= kHeapXmaxKeyshrLock;
      break;
    case LockTupleMode::kShare:
      x.infomask |= kHeapXmaxKeyshrLock | kHeapXmaxExclLock;
      break;
    case LockTupleMode::kNoKeyExclusive:
    case LockTupleMode::kExclusive:
      x.infomask |= kHeapXmaxExclLock;
      break;
  }
  return x;
}

/* A multi's bits from its members (GetMultiXactIdHintBits). */
NewXmax MultiXmax(MultiXactId multi, const std::vector<MultiXactMember>& members) {
  LockTupleMode strongest = LockTupleMode::kKeyShare;
  bool has_update = false;
  for (const MultiXactMember& m : members) {
    strongest = std::max(strongest, ModeOfStatus(m.status));
    has_update = has_update || MultiXactStatusIsUpdate(m.status);
  }
  NewXmax x = PlainXmax(multi, strongest, false);
  x.infomask |= kHeapXmaxIsMulti;
  if (has_update) x.infomask &= static_cast<uint16_t>(~kHeapXmaxLockOnly);
  return x;
}

Result<NewXmax> MultiOf(const std::vector<MultiXactMember>& members) {
  auto multi = MultiXactIdCreateFromArray(members);
  if (!multi.ok()) return multi.error();
  return MultiXmax(*multi, members);
}

/* Whether the member stays in a new xmax: running, or a committed updater. */
Result<bool> MemberStays(const MultiXactMember& m) {
  auto fate = TransactionIdFate(m.xid);
  if (!fate.ok()) return fate.error();
  return *fate == XidFate::kRunning || (*fate == XidFate::kCommitted && MultiXactStatusIsUpdate(m.status));
}

}  // namespace

bool TupleLocksConflict(LockTupleMode held, LockTupleMode wanted) {
  static constexpr bool kConflicts[4][4] = {
      // KEY SHARE, SHARE, NO KEY UPDATE, UPDATE wanted
      {false, false, false, true},  // KEY SHARE held
      {false, false, true, true},   // SHARE
      {false, true, true, true},    // NO KEY UPDATE
      {true, true, true, true},     // UPDATE
  };
  return kConflicts[static_cast<int>(held)][static_cast<int>(wanted)];
}

MultiXactStatus StatusOfMode(LockTupleMode mode, bool is_update) {
  switch (mode) {
    case LockTupleMode::kKeyShare:
      return MultiXactStatus::kForKeyShare;
    case LockTupleMode::kShare:
      return MultiXactStatus::kForShare;
    case LockTupleMode::kNoKeyExclusive:
      return is_update ? MultiXactStatus::kNoKeyUpdate : MultiXactStatus::kForNoKeyUpdate;
    case LockTupleMode::kExclusive:
      break;
  }
  return is_update ? MultiXactStatus::kUpdate : MultiXactStatus::kForUpdate;
}

LockTupleMode ModeOfStatus(MultiXactStatus status) {
  switch (status) {
    case MultiXactStatus::kForKeyShare:
      return LockTupleMode::kKeyShare;
    case MultiXactStatus::kForShare:
      return LockTupleMode::kShare;
    case MultiXactStatus::kForNoKeyUpdate:
    case MultiXactStatus::kNoKeyUpdate:
      return LockTupleMode::kNoKeyExclusive;
    case MultiXactStatus::kForUpdate:
    case MultiXactStatus::kUpdate:
      break;
  }
  return LockTupleMode::kExclusive;
}

Result<std::vector<MultiXactMember>> XmaxMembers(const HeapTupleHeader& t) {
  if (!XmaxIsSet(t)) return std::vector<MultiXactMember>{};
  if ((t.infomask & kHeapXmaxIsMulti) != 0) return GetMultiXactIdMembers(t.xmax);
  return std::vector<MultiXactMember>{{t.xmax, PlainXmaxStatus(t)}};
}

Result<TransactionId> HeapTupleGetUpdateXid(const HeapTupleHeader& t) {
  if (!XmaxIsSet(t) || (t.infomask & kHeapXmaxLockOnly) != 0) return kInvalidTransactionId;
  if ((t.infomask & kHeapXmaxIsMulti) == 0) return t.xmax;
  auto members = GetMultiXactIdMembers(t.xmax);
  if (!members.ok()) return members.error();
  for (const MultiXactMember& m : *members) {
    if (MultiXactStatusIsUpdate(m.status)) return m.xid;
  }
  return kInvalidTransactionId;
}

Result<XmaxCheck> CheckXmax(const HeapTupleHeader& t, ItemPointer tid, LockTupleMode mode, bool is_update) {
  XmaxCheck c;
  auto members = XmaxMembers(t);
  if (!members.ok()) return members.error();
  bool own_held = false;
  for (const MultiXactMember& m : *members) {
    LockTupleMode held = ModeOfStatus(m.status);
    bool updater = MultiXactStatusIsUpdate(m.status);
    if (updater) c.update_xid = m.xid;
    if (TransactionIdIsCurrent(m.xid)) {
      if (updater) {
        c.kind = XmaxCheck::Kind::kSelfModified;
        return c;
      }
      own_held = own_held || held >= mode;
      continue;
    }
    auto fate = TransactionIdFate(m.xid);
    if (!fate.ok()) return fate.error();
    if (*fate == XidFate::kAborted || (*fate == XidFate::kCommitted && !updater)) continue;
    bool conflict = TupleLocksConflict(held, mode);
    if (*fate == XidFate::kRunning && conflict) {
      c.kind = XmaxCheck::Kind::kWait;
      c.wait_for = m.xid;
      return c;
    }
    if (*fate == XidFate::kCommitted && conflict) {
      c.kind = t.ctid == tid ? XmaxCheck::Kind::kDeleted : XmaxCheck::Kind::kUpdated;
      return c;
    }
    if (updater) c.non_key_update = true;
  }
  if (!is_update && own_held) c.kind = XmaxCheck::Kind::kHeld;
  return c;
}

TmFailure ChangedRowFailure(const XmaxCheck& c, const HeapTupleHeader& t) {
  TmFailure f;
  f.result = c.kind == XmaxCheck::Kind::kSelfModified ? TmResult::kSelfModified
             : c.kind == XmaxCheck::Kind::kUpdated    ? TmResult::kUpdated
                                                      : TmResult::kDeleted;
  f.xmax = c.update_xid;
  if (c.kind != XmaxCheck::Kind::kSelfModified) f.ctid = t.ctid;
  return f;
}

Result<NewXmax> ComputeNewXmax(const HeapTupleHeader& t, TransactionId xid, LockTupleMode mode, bool is_update) {
  MultiXactStatus status = StatusOfMode(mode, is_update);
  auto members = XmaxMembers(t);
  if (!members.ok()) return members.error();
  if ((t.infomask & kHeapXmaxIsMulti) == 0 && !members->empty() && TransactionIdIsCurrent(t.xmax) &&
      (t.infomask & kHeapXmaxLockOnly) != 0) {
    MultiXactStatus held = members->front().status;
    if (t.xmax == xid) {
      // The same (sub)transaction's lock: the stronger of the two under
      // its xid; its own update replaces it.
      if (is_update) return PlainXmax(xid, mode, true);
      return PlainXmax(t.xmax, std::max(mode, ModeOfStatus(held)), false);
    }
    // A parent's lock, made stronger or updated in a subtransaction: both
    // in a MultiXact, so that ROLLBACK TO keeps the parent's lock
    // (PostgreSQL's compute_new_xmax_infomask).
    return MultiOf({{t.xmax, held}, {xid, status}});
  }
  std::vector<MultiXactMember> staying;
  for (const MultiXactMember& m : *members) {
    auto stays = MemberStays(m);
    if (!stays.ok()) return stays.error();
    if (*stays) staying.push_back(m);
  }
  if (staying.empty()) return PlainXmax(xid, mode, is_update);
  if ((t.infomask & kHeapXmaxIsMulti) == 0) {
    staying.push_back({xid, status});
    return MultiOf(staying);
  }
  auto expanded = MultiXactIdExpand(t.xmax, xid, status);
  if (!expanded.ok()) return expanded.error();
  auto now = GetMultiXactIdMembers(*expanded);
  if (!now.ok()) return now.error();
  return MultiXmax(*expanded, *now);
}

Result<NewXmax> XmaxForNewVersion(const HeapTupleHeader& old) {
  auto members = XmaxMembers(old);
  if (!members.ok()) return members.error();
  bool lockers = false;
  for (const MultiXactMember& m : *members) {
    if (MultiXactStatusIsUpdate(m.status)) continue;
    auto fate = TransactionIdFate(m.xid);
    if (!fate.ok()) return fate.error();
    lockers = lockers || *fate == XidFate::kRunning;
  }
  if (!lockers) return NewXmax{};
  if ((old.infomask & kHeapXmaxIsMulti) != 0) return MultiXmax(old.xmax, *members);
  // A plain locker that stays can only be a key-share one (or the own).
  return PlainXmax(old.xmax, LockTupleMode::kKeyShare, false);
}

uint8_t XmaxInfobits(uint16_t infomask, uint16_t infomask2) {
  uint8_t bits = 0;
  if ((infomask & kHeapXmaxIsMulti) != 0) bits |= wal::kXlhlXmaxIsMulti;
  if ((infomask & kHeapXmaxLockOnly) != 0) bits |= wal::kXlhlXmaxLockOnly;
  if ((infomask & kHeapXmaxExclLock) != 0) bits |= wal::kXlhlXmaxExclLock;
  if ((infomask & kHeapXmaxKeyshrLock) != 0) bits |= wal::kXlhlXmaxKeyshrLock;
  if ((infomask2 & kHeapKeysUpdated) != 0) bits |= wal::kXlhlKeysUpdated;
  return bits;
}

void SetTupleXmax(char* tuple, const NewXmax& x) {
  HeapTupleSetXmax(tuple, x.xmax);  // clears the hints and lock bits
  HeapTupleSetInfomask(tuple, x.infomask);
  HeapTupleSetInfomask2(tuple, x.infomask2,
                        static_cast<uint16_t>((kHeapKeysUpdated & ~x.infomask2) | kHeapHotUpdated));
}

}  // namespace minipg::storage
