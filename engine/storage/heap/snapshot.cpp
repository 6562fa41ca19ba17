/*-------------------------------------------------------------------------
 * snapshot.cpp
 *   Snapshots, the visibility rules with hint bits, combo command ids and
 *   the transaction's snapshots (see snapshot.h).
 *-------------------------------------------------------------------------
 */
#include "engine/storage/heap/snapshot.h"

#include <algorithm>

#include <fmt/format.h>

#include "engine/storage/heap/heap_xmax.h"
#include "engine/storage/heap/procarray.h"
#include "engine/storage/heap/subtrans.h"
#include "engine/storage/heap/transam.h"
#include "engine/storage/heap/xact.h"
#include "engine/storage/page/page.h"
#include "engine/storage/wal/xlog.h"

namespace minipg::storage {

namespace {

struct SnapshotState {
  IsolationLevel isolation = IsolationLevel::kReadCommitted;
  std::optional<Snapshot> transaction;  // REPEATABLE READ: the first one
  std::optional<Snapshot> active;       // the running statement's
  bool first_taken = false;
  std::vector<std::pair<CommandId, CommandId>> combo_cids;  // (cmin, cmax), index = combo id
};
SnapshotState g_snap;
SnapshotEventHooks g_hooks;
XLogRecPtr g_known_flushed = 0;  // the WAL was flushed at least this far

bool UsesTransactionSnapshot(IsolationLevel level) {
  return level == IsolationLevel::kRepeatableRead || level == IsolationLevel::kSerializable;
}

/* Whether a commit whose record ends at or before `lsn` is on disk. */
bool CommitFlushed(XLogRecPtr lsn) {
  if (lsn <= g_known_flushed) return true;
  g_known_flushed = wal::GetWalPositions().flush;
  return lsn <= g_known_flushed;
}

/* Sets hint `bits` on the tuple, unless the page would need a full page
 * image first (see snapshot.h) or `commit_lsn` is not flushed yet. */
void SetHintBits(char* tuple, Buffer buffer, uint16_t bits, XLogRecPtr commit_lsn) {
  if (buffer == kInvalidBuffer) return;
  if (commit_lsn != 0 && !CommitFlushed(commit_lsn)) return;
  const char* page = BufferGetPage(buffer);
  if (wal::XLogNeedsFullPageImage(PageGetLSN(page))) return;
  HeapTupleSetInfomask(tuple, bits);
  MarkBufferDirtyHint(buffer);
}

/* pg_xact's word on a finished xid: committed (with its commit LSN). */
Result<bool> DidCommit(TransactionId xid, XLogRecPtr* lsn) {
  auto status = TransactionIdGetStatus(xid, lsn);
  if (!status.ok()) return status.error();
  return *status == XidStatus::kCommitted;
}

bool XmaxIsNone(const HeapTupleHeader& t) {
  return (t.infomask & kHeapXmaxInvalid) != 0 || t.xmax == kInvalidTransactionId ||
         (t.infomask & kHeapXmaxLockOnly) != 0;
}

/* The transaction that updated or deleted the version (none for a
 * lock-only xmax); heap_xmax.h's, not an xmax that is a MultiXactId. */
Result<TransactionId> UpdaterOf(const HeapTupleHeader& t) {
  if (XmaxIsNone(t)) return kInvalidTransactionId;
  return HeapTupleGetUpdateXid(t);
}

}  // namespace

const char* IsolationLevelName(IsolationLevel level) {
  switch (level) {
    case IsolationLevel::kReadUncommitted:
      return "read uncommitted";
    case IsolationLevel::kReadCommitted:
      return "read committed";
    case IsolationLevel::kRepeatableRead:
      return "repeatable read";
    case IsolationLevel::kSerializable:
      return "serializable";
  }
  return "read committed";
}

std::optional<IsolationLevel> IsolationLevelFromName(std::string_view name) {
  for (IsolationLevel l : {IsolationLevel::kReadUncommitted, IsolationLevel::kReadCommitted,
                           IsolationLevel::kRepeatableRead, IsolationLevel::kSerializable}) {
    if (name == IsolationLevelName(l)) return l;
  }
  return std::nullopt;
}

Snapshot GetSnapshotData(bool set_my_xmin) {
  RunningXids r = GetRunningXids(set_my_xmin);
  Snapshot s;
  s.xmin = r.xmin;
  s.xmax = r.xmax;
  s.xip = std::move(r.xids);
  std::sort(s.xip.begin(), s.xip.end());
  return s;
}

bool XidInMVCCSnapshot(TransactionId xid, const Snapshot& snap) {
  if (xid < snap.xmin) return false;
  if (xid >= snap.xmax) return true;
  if (std::binary_search(snap.xip.begin(), snap.xip.end(), xid)) return true;
  // A subtransaction's xid is not in the proc array: its top-level one is
  // (PostgreSQL's path when its subxid cache overflowed).
  TransactionId top = SubTransGetTopmostTransaction(xid);
  return top != xid && top >= snap.xmin && std::binary_search(snap.xip.begin(), snap.xip.end(), top);
}

Result<bool> HeapTupleSatisfiesMVCC(char* tuple, size_t len, const Snapshot& snap, Buffer buffer) {
  auto header = HeapTupleGetHeader(std::string_view(tuple, len));
  if (!header.ok()) return header.error();
  const HeapTupleHeader& t = *header;
  if ((t.infomask & kHeapXminCommitted) == 0) {
    if ((t.infomask & kHeapXminInvalid) != 0) return false;
    if (TransactionIdIsCurrent(t.xmin)) {
      auto updater = UpdaterOf(t);
      if (!updater.ok()) return updater.error();
      bool deleted_by_me = *updater != kInvalidTransactionId && TransactionIdIsCurrent(*updater);
      if (!deleted_by_me) {
        if (HeapTupleGetCmin(t) >= snap.curcid) return false;  // inserted after the scan began
        return true;
      }
      if ((t.infomask & kHeapComboCid) != 0 && HeapTupleGetCmin(t) >= snap.curcid) return false;
      return HeapTupleGetCmax(t) >= snap.curcid;  // deleted after the scan began: still visible
    }
    if (XidInMVCCSnapshot(t.xmin, snap)) return false;
    XLogRecPtr lsn = 0;
    auto committed = DidCommit(t.xmin, &lsn);
    if (!committed.ok()) return committed.error();
    if (!*committed) {  // aborted, or running when the server crashed
      SetHintBits(tuple, buffer, kHeapXminInvalid, 0);
      return false;
    }
    SetHintBits(tuple, buffer, kHeapXminCommitted, lsn);
  } else if ((t.infomask & kHeapXminFrozen) != kHeapXminFrozen && XidInMVCCSnapshot(t.xmin, snap)) {
    return false;  // committed, but after the snapshot was taken
  }
  if (XmaxIsNone(t)) return true;
  if ((t.infomask & kHeapXmaxIsMulti) != 0) {  // a MultiXact with an updater: no hint bits
    auto updater = UpdaterOf(t);
    if (!updater.ok()) return updater.error();
    if (*updater == kInvalidTransactionId) return true;
    if (TransactionIdIsCurrent(*updater)) return HeapTupleGetCmax(t) >= snap.curcid;
    if (XidInMVCCSnapshot(*updater, snap)) return true;
    XLogRecPtr lsn = 0;
    auto committed = DidCommit(*updater, &lsn);
    if (!committed.ok()) return committed.error();
    return !*committed;
  }
  if (TransactionIdIsCurrent(t.xmax)) return HeapTupleGetCmax(t) >= snap.curcid;
  if (XidInMVCCSnapshot(t.xmax, snap)) return true;
  if ((t.infomask & kHeapXmaxCommitted) != 0) return false;
  XLogRecPtr lsn = 0;
  auto committed = DidCommit(t.xmax, &lsn);
  if (!committed.ok()) return committed.error();
  if (!*committed) {
    SetHintBits(tuple, buffer, kHeapXmaxInvalid, 0);
    return true;
  }
  SetHintBits(tuple, buffer, kHeapXmaxCommitted, lsn);
  return false;
}

CommandId HeapTupleGetCmin(const HeapTupleHeader& t) {
  if ((t.infomask & kHeapComboCid) != 0 && t.cid < g_snap.combo_cids.size()) return g_snap.combo_cids[t.cid].first;
  return t.cid;
}

CommandId HeapTupleGetCmax(const HeapTupleHeader& t) {
  if ((t.infomask & kHeapComboCid) != 0 && t.cid < g_snap.combo_cids.size()) return g_snap.combo_cids[t.cid].second;
  return t.cid;
}

std::pair<CommandId, bool> HeapTupleCmaxField(const HeapTupleHeader& t, CommandId cmax) {
  if (!TransactionIdIsCurrent(t.xmin)) return {cmax, false};
  CommandId cmin = HeapTupleGetCmin(t);
  if (cmin == cmax) return {cmax, false};
  auto& combos = g_snap.combo_cids;
  auto it = std::find(combos.begin(), combos.end(), std::make_pair(cmin, cmax));
  if (it == combos.end()) it = combos.insert(combos.end(), {cmin, cmax});
  return {static_cast<CommandId>(it - combos.begin()), true};
}

void SetXactIsolation(IsolationLevel level) { g_snap.isolation = level; }
IsolationLevel XactIsolation() { return g_snap.isolation; }
bool FirstSnapshotTaken() { return g_snap.first_taken; }

const Snapshot& StartStatementSnapshot() {
  bool transaction_scope = UsesTransactionSnapshot(g_snap.isolation);
  bool fresh = !transaction_scope || !g_snap.transaction.has_value();
  Snapshot snap;
  if (!fresh) {
    snap = *g_snap.transaction;
  } else {
    if (!transaction_scope) ProcArraySetMyXmin(kInvalidTransactionId);  // the new one's xmin replaces it
    snap = GetSnapshotData(true);
    if (transaction_scope) g_snap.transaction = snap;
  }
  g_snap.first_taken = true;
  snap.curcid = GetCurrentCommandId();
  g_snap.active = std::move(snap);
  if (fresh && g_hooks.snapshot != nullptr) g_hooks.snapshot(*g_snap.active, transaction_scope, g_snap.isolation);
  return *g_snap.active;
}

void EndStatementSnapshot() {
  g_snap.active.reset();
  if (!UsesTransactionSnapshot(g_snap.isolation)) ProcArraySetMyXmin(kInvalidTransactionId);
}

const Snapshot* GetActiveSnapshot() { return g_snap.active.has_value() ? &*g_snap.active : nullptr; }

Snapshot GetCatalogSnapshot() { return GetSnapshotData(false); }

Snapshot GetScanSnapshot() { return g_snap.active.has_value() ? *g_snap.active : GetCatalogSnapshot(); }

void AtEOXactSnapshot() {
  g_snap = SnapshotState{};
}

void SetSnapshotEventHooks(SnapshotEventHooks hooks) { g_hooks = hooks; }

std::string SnapshotText(const Snapshot& snap) {
  std::string out = fmt::format("{}:{}:", snap.xmin, snap.xmax);
  for (size_t i = 0; i < snap.xip.size(); ++i) out += fmt::format("{}{}", i == 0 ? "" : ",", snap.xip[i]);
  return out;
}

}  // namespace minipg::storage
