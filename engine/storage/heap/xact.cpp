/*-------------------------------------------------------------------------
 * xact.cpp
 *   Commit and abort of this process's transaction (see xact.h).
 *-------------------------------------------------------------------------
 */
#include "engine/storage/heap/xact.h"

#include <optional>

#include "engine/shmem/backend_status.h"
#include "engine/shmem/lwlock.h"
#include "engine/shmem/pgstat.h"
#include "engine/storage/buffer/buffer_pool.h"
#include "engine/storage/heap/procarray.h"
#include "engine/storage/heap/snapshot.h"
#include "engine/storage/heap/transam.h"
#include "engine/storage/ipc/sinval.h"
#include "engine/storage/smgr/smgr.h"
#include "engine/storage/wal/wal_records.h"
#include "engine/storage/wal/wal_rmgr.h"
#include "engine/storage/wal/xlog.h"

namespace minipg::storage {

namespace {

struct XactState {
  TransactionId xid = kInvalidTransactionId;
  CommandId cid = kFirstCommandId;
  bool cid_used = false;  // a tuple carries `cid`: the next command gets a new one
  std::vector<RelFileLocator> drop_on_commit;
  std::vector<RelFileLocator> drop_on_abort;
  std::vector<UniqueFd> held;  // locks released at the end (XactHoldUntilEnd)
};
XactState g_xact;
XLogRecPtr g_last_commit = 0;
XactEventHooks g_hooks;
std::vector<XactCallback> g_callbacks;

void CallXactCallbacks(bool commit) {
  for (XactCallback fn : g_callbacks) fn(commit);
}

Result<XLogRecPtr> EndTransaction(bool commit, bool flush) {
  XactState x = std::move(g_xact);
  g_xact = XactState{};
  pgstat::EndXactTuples(commit);  // n_live_tup / n_dead_tup
  if (x.xid == kInvalidTransactionId) {
    ProcArrayEndTransaction();  // backend_xmin
    AtEOXactSnapshot();
    if (g_hooks.xact_end != nullptr) g_hooks.xact_end(kInvalidTransactionId, commit, 0, false);
    AtEOXactInval(commit);
    CallXactCallbacks(commit);
    return XLogRecPtr{0};  // x.held is released as it goes out of scope
  }
  shmem::ReportBackendXid(kInvalidTransactionId);
  const std::vector<RelFileLocator>& drops = commit ? x.drop_on_commit : x.drop_on_abort;
  std::string payload = wal::EncodeXactPayload({wal::NowTimestampTz(), drops});
  std::optional<wal::DelayCheckpointStart> delay;  // commit record .. pg_xact: no redo point between
  if (commit) delay.emplace();
  auto end = wal::XLogInsert(wal::RmgrId::kTransaction, commit ? wal::kXactCommit : wal::kXactAbort, x.xid, {},
                             payload);
  if (!end.ok()) return end.error();
  if (flush) {
    if (Status s = wal::XLogFlush(*end); !s.ok()) return s.error();
  }
  if (Status s = TransactionIdSetStatus(x.xid, commit ? XidStatus::kCommitted : XidStatus::kAborted,
                                        commit ? *end : 0);
      !s.ok()) {
    return s.error();
  }
  delay.reset();
  ProcArrayEndTransaction();  // only now: a snapshot that misses the xid finds its outcome
  AtEOXactSnapshot();
  if (g_hooks.xact_end != nullptr) g_hooks.xact_end(x.xid, commit, commit ? *end : 0, commit && flush);
  if (Status s = XactRemoveRelationFiles(drops); !s.ok()) return s.error();
  AtEOXactInval(commit);
  CallXactCallbacks(commit);
  return *end;
}

}  // namespace

Status XactRemoveRelationFiles(const std::vector<RelFileLocator>& rels) {
  for (const RelFileLocator& rel : rels) {
    pgstat::DropRelation(rel.db_oid, rel.rel_number);  // a dropped table's counters go with it
    if (Status s = DropRelationBuffers(rel); !s.ok()) return s;
    if (Status s = SmgrUnlink(rel); !s.ok()) return s;
    CacheInvalidateSmgr(rel);  // every other process closes its descriptors
  }
  return OkStatus();
}

TransactionId GetCurrentTransactionId() {
  if (g_xact.xid == kInvalidTransactionId) {
    g_xact.xid = AssignTransactionId();  // and published in the proc array
    shmem::ReportBackendXid(g_xact.xid);
    if (g_hooks.xid_assigned != nullptr) g_hooks.xid_assigned(g_xact.xid, g_xact.xid);
  }
  return g_xact.xid;
}

TransactionId GetCurrentTransactionIdIfAny() { return g_xact.xid; }

bool TransactionIdIsCurrent(TransactionId xid) {
  return xid != kInvalidTransactionId && xid == g_xact.xid;
}

CommandId GetCurrentCommandId() { return g_xact.cid; }
void MarkCurrentCommandIdUsed() { g_xact.cid_used = true; }
void CommandCounterIncrement() {
  if (!g_xact.cid_used) return;  // nothing to tell apart: PostgreSQL keeps the number
  ++g_xact.cid;
  g_xact.cid_used = false;
}

void XactHoldUntilEnd(UniqueFd lock) { g_xact.held.push_back(std::move(lock)); }

void XactDropRelationOnCommit(const RelFileLocator& rel) {
  GetCurrentTransactionId();
  g_xact.drop_on_commit.push_back(rel);
}

void XactDropRelationOnAbort(const RelFileLocator& rel) {
  GetCurrentTransactionId();
  g_xact.drop_on_abort.push_back(rel);
}

void SetXactEventHooks(XactEventHooks hooks) { g_hooks = hooks; }

void RegisterXactCallback(XactCallback fn) { g_callbacks.push_back(fn); }

Result<XLogRecPtr> CommitTransaction(bool synchronous_commit) {
  auto end = EndTransaction(true, synchronous_commit);
  if (end.ok() && *end != 0) g_last_commit = *end;
  return end;
}

Status AbortTransaction() {
  shmem::LWLockReleaseAll();
  ReleaseAllBuffers();
  auto end = EndTransaction(false, false);
  return end.ok() ? OkStatus() : Status(end.error());
}

XLogRecPtr LastCommitLsn() { return g_last_commit; }

}  // namespace minipg::storage
