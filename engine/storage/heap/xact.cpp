/*-------------------------------------------------------------------------
 * xact.cpp
 *   Commit and abort of this process's transaction (see xact.h).
 *-------------------------------------------------------------------------
 */
#include "engine/storage/heap/xact.h"

#include "engine/common/sqlstate.h"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "engine/shmem/backend_status.h"
#include "engine/shmem/lwlock.h"
#include "engine/shmem/pgstat.h"
#include "engine/storage/buffer/buffer_pool.h"
#include "engine/storage/heap/subtrans.h"
#include "engine/storage/heap/procarray.h"
#include "engine/storage/heap/snapshot.h"
#include "engine/storage/heap/transam.h"
#include "engine/storage/ipc/sinval.h"
#include "engine/storage/lmgr/lock.h"
#include "engine/storage/smgr/smgr.h"
#include "engine/storage/wal/wal_records.h"
#include "engine/storage/wal/wal_rmgr.h"
#include "engine/storage/wal/xlog.h"
#include "engine/trace/emitter.h"

namespace minipg::storage {

namespace {

/* One level of subtransaction (a SAVEPOINT). */
struct SubXact {
  std::string name;
  TransactionId xid = kInvalidTransactionId;
  std::vector<TransactionId> children;  // the xids of the levels it merged (RELEASE)
  std::vector<RelFileLocator> drop_on_commit;
  std::vector<RelFileLocator> drop_on_abort;
  bool aborted = false;  // an error aborted it; ROLLBACK TO takes it away
};

struct XactState {
  TransactionId xid = kInvalidTransactionId;
  CommandId cid = kFirstCommandId;
  bool cid_used = false;  // a tuple carries `cid`: the next command gets a new one
  std::vector<RelFileLocator> drop_on_commit;
  std::vector<RelFileLocator> drop_on_abort;
  std::vector<UniqueFd> held;  // locks released at the end (XactHoldUntilEnd)
  std::vector<TransactionId> subxids;  // released subtransactions' xids
  std::vector<SubXact> subs;           // the open savepoints, innermost last
};
XactState g_xact;
XLogRecPtr g_last_commit = 0;
XactEventHooks g_hooks;
std::vector<XactCallback> g_callbacks;

void CallXactCallbacks(bool commit) {
  for (XactCallback fn : g_callbacks) fn(commit);
}

template <typename T>
void Append(std::vector<T>& to, const std::vector<T>& from) {
  to.insert(to.end(), from.begin(), from.end());
}

/* RELEASE of level i (and commit): its xid, children and relations become
 * its parent's. */
void MergeIntoParent(size_t i) {
  SubXact& s = g_xact.subs[i];
  std::vector<TransactionId>& children = i == 0 ? g_xact.subxids : g_xact.subs[i - 1].children;
  std::vector<RelFileLocator>& on_commit = i == 0 ? g_xact.drop_on_commit : g_xact.subs[i - 1].drop_on_commit;
  std::vector<RelFileLocator>& on_abort = i == 0 ? g_xact.drop_on_abort : g_xact.subs[i - 1].drop_on_abort;
  if (s.xid != kInvalidTransactionId) children.push_back(s.xid);
  Append(children, s.children);
  Append(on_commit, s.drop_on_commit);
  Append(on_abort, s.drop_on_abort);
}

/* The innermost level with `name` (the newest wins), or 3B001. */
Result<size_t> FindSavepoint(std::string_view name) {
  for (size_t i = g_xact.subs.size(); i-- > 0;) {
    if (g_xact.subs[i].name == name) return i;
  }
  return MakeError(sqlstate::kInvalidSavepointSpecification, fmt::format("savepoint \"{}\" does not exist", name));
}

void EmitSubxact(const char* action, std::string_view name, TransactionId xid) {
  trace::Event(trace::EventType::kSubxact).Str("action", action).Str("name", name).Int("xid", xid).Emit();
}

/* Aborts one level: an ABORT record with its xid and its children's,
 * pg_xact aborted, the relations it created removed, this process's
 * caches of its catalog rows dropped. PostgreSQL's AbortSubTransaction +
 * CleanupSubTransaction. */
Status AbortSubXact(SubXact& s) {
  if (s.aborted) return OkStatus();
  s.aborted = true;
  if (s.xid != kInvalidTransactionId) {
    std::string payload = wal::EncodeXactPayload({wal::NowTimestampTz(), s.drop_on_abort, s.children});
    auto end = wal::XLogInsert(wal::RmgrId::kTransaction, wal::kXactAbort, s.xid, {}, payload);
    if (!end.ok()) return end.error();
    if (Status st = TransactionIdSetTreeStatus(s.xid, s.children, false, 0); !st.ok()) return st;
    if (Status st = XactRemoveRelationFiles(s.drop_on_abort); !st.ok()) return st;
  }
  AtSubAbortInval();
  s.xid = kInvalidTransactionId;
  s.children.clear();
  s.drop_on_commit.clear();
  s.drop_on_abort.clear();
  return OkStatus();
}

/* Every level's xid, parents first, each taken now if it has none (its
 * parent recorded in pg_subtrans). Returns the innermost level's. */
TransactionId AssignSubTransactionIds() {
  TransactionId parent = g_xact.xid;
  for (SubXact& s : g_xact.subs) {
    if (s.xid == kInvalidTransactionId) {
      s.xid = AssignTransactionId(/*top_level=*/false);
      // pg_subtrans is not durable: a page that cannot be written only
      // hides the parent from other backends' snapshots.
      (void)SubTransSetParent(s.xid, parent);
      if (g_hooks.xid_assigned != nullptr) g_hooks.xid_assigned(s.xid, g_xact.xid);
    }
    parent = s.xid;
  }
  return parent;
}

Result<XLogRecPtr> EndTransaction(bool commit, bool flush) {
  for (size_t i = g_xact.subs.size(); i-- > 0;) MergeIntoParent(i);  // aborted ones hold nothing
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
  std::string payload = wal::EncodeXactPayload({wal::NowTimestampTz(), drops, x.subxids});
  std::optional<wal::DelayCheckpointStart> delay;  // commit record .. pg_xact: no redo point between
  if (commit) delay.emplace();
  auto end = wal::XLogInsert(wal::RmgrId::kTransaction, commit ? wal::kXactCommit : wal::kXactAbort, x.xid, {},
                             payload);
  if (!end.ok()) return end.error();
  if (flush) {
    if (Status s = wal::XLogFlush(*end); !s.ok()) return s.error();
  }
  if (Status s = TransactionIdSetTreeStatus(x.xid, x.subxids, commit, commit ? *end : 0); !s.ok()) {
    return s.error();
  }
  delay.reset();
  // Only now: a snapshot that misses the xid finds its outcome. Its
  // subtransactions' xids are newer than it: the next snapshots' xmax
  // must pass them too (PostgreSQL's TransactionIdLatest).
  TransactionId latest = x.xid;
  for (TransactionId sub : x.subxids) latest = std::max(latest, sub);
  ProcArrayEndTransaction(latest);
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
    lmgr::XactLockTableInsert(g_xact.xid);  // others wait on it until we end
    shmem::ReportBackendXid(g_xact.xid);
    if (g_hooks.xid_assigned != nullptr) g_hooks.xid_assigned(g_xact.xid, g_xact.xid);
  }
  if (!g_xact.subs.empty()) return AssignSubTransactionIds();
  return g_xact.xid;
}

TransactionId GetCurrentTransactionIdIfAny() { return g_xact.xid; }

bool TransactionIdIsCurrent(TransactionId xid) {
  if (xid == kInvalidTransactionId) return false;
  if (xid == g_xact.xid) return true;
  auto has = [xid](const std::vector<TransactionId>& v) { return std::find(v.begin(), v.end(), xid) != v.end(); };
  if (has(g_xact.subxids)) return true;
  return std::any_of(g_xact.subs.begin(), g_xact.subs.end(),
                     [&](const SubXact& s) { return s.xid == xid || has(s.children); });
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
  (g_xact.subs.empty() ? g_xact.drop_on_commit : g_xact.subs.back().drop_on_commit).push_back(rel);
}

void XactDropRelationOnAbort(const RelFileLocator& rel) {
  GetCurrentTransactionId();
  (g_xact.subs.empty() ? g_xact.drop_on_abort : g_xact.subs.back().drop_on_abort).push_back(rel);
}

void DefineSavepoint(std::string_view name) {
  g_xact.subs.emplace_back().name = name;
  EmitSubxact("savepoint", name, kInvalidTransactionId);
}

Status ReleaseSavepoint(std::string_view name) {
  auto i = FindSavepoint(name);
  if (!i.ok()) return i.error();
  TransactionId xid = g_xact.subs[*i].xid;
  for (size_t j = g_xact.subs.size(); j-- > *i;) MergeIntoParent(j);
  g_xact.subs.resize(*i);
  EmitSubxact("release", name, xid);
  return OkStatus();
}

Status RollbackToSavepoint(std::string_view name) {
  auto i = FindSavepoint(name);
  if (!i.ok()) return i.error();
  TransactionId xid = g_xact.subs[*i].xid;
  for (size_t j = g_xact.subs.size(); j-- > *i;) {
    if (Status s = AbortSubXact(g_xact.subs[j]); !s.ok()) return s;
  }
  g_xact.subs.resize(*i);
  g_xact.subs.emplace_back().name = name;  // the savepoint begins again
  EmitSubxact("rollback_to", name, xid);
  return OkStatus();
}

Status AbortCurrentSubTransaction() {
  shmem::LWLockReleaseAll();
  ReleaseAllBuffers();
  for (size_t j = g_xact.subs.size(); j-- > 0;) {
    if (!g_xact.subs[j].aborted) return AbortSubXact(g_xact.subs[j]);
  }
  return OkStatus();
}

bool IsSubTransaction() { return !g_xact.subs.empty(); }

TransactionId GetCurrentSubTransactionIdIfAny() {
  for (size_t j = g_xact.subs.size(); j-- > 0;) {
    if (g_xact.subs[j].xid != kInvalidTransactionId) return g_xact.subs[j].xid;
  }
  return g_xact.xid;
}

Status TransactionIdSetTreeStatus(TransactionId xid, const std::vector<TransactionId>& subxids, bool commit,
                                  XLogRecPtr commit_lsn) {
  if (!commit) {
    for (TransactionId sub : subxids) {
      if (Status s = TransactionIdSetStatus(sub, XidStatus::kAborted); !s.ok()) return s;
    }
    return TransactionIdSetStatus(xid, XidStatus::kAborted);
  }
  // Never a moment where a subxid reads committed and its top not yet:
  // sub-committed first (a reader asks the parent), then the top, then each.
  for (TransactionId sub : subxids) {
    if (Status s = TransactionIdSetStatus(sub, XidStatus::kSubCommitted); !s.ok()) return s;
  }
  if (Status s = TransactionIdSetStatus(xid, XidStatus::kCommitted, commit_lsn); !s.ok()) return s;
  for (TransactionId sub : subxids) {
    if (Status s = TransactionIdSetStatus(sub, XidStatus::kCommitted, commit_lsn); !s.ok()) return s;
  }
  return OkStatus();
}

void SetXactEventHooks(XactEventHooks hooks) { g_hooks = hooks; }

void RegisterXactCallback(XactCallback fn) { g_callbacks.push_back(fn); }

Result<XLogRecPtr> CommitTransaction(bool synchronous_commit) {
  auto end = EndTransaction(true, synchronous_commit);
  lmgr::LockReleaseAll();  // after pg_xact and the invalidations: a waiter sees it all
  if (end.ok() && *end != 0) g_last_commit = *end;
  return end;
}

Status AbortTransaction() {
  shmem::LWLockReleaseAll();
  ReleaseAllBuffers();
  auto end = EndTransaction(false, false);
  lmgr::LockReleaseAll();
  return end.ok() ? OkStatus() : Status(end.error());
}

XLogRecPtr LastCommitLsn() { return g_last_commit; }

}  // namespace minipg::storage
