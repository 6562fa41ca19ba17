/*-------------------------------------------------------------------------
 * transactions.h
 *   The viewer's picture of transactions, locks and vacuum as the schema 7
 *   events describe them (docs/events.md, "Transactions, locks and
 *   vacuum"): per backend its transaction (xid, subtransactions, the last
 *   snapshot), the locks it holds and the lock it waits for; the wait-for
 *   graph built from those waits and its cycles (a deadlock before the
 *   detector finds it); the deadlock the detector found; the
 *   outcome of every transaction seen to end (what the Row versions view
 *   needs to say which snapshot sees which row version: row_versions.h);
 *   and the recent VACUUM runs. Plain C++ fed by Model (model.cpp), read
 *   by the panels; no drawing here.
 *
 *   A backend's transaction as the viewer sees it:
 *
 *     none --xid_assigned [OnXidAssigned]--> has an xid (subxids beside it)
 *     none / has an xid --snapshot [OnSnapshot]--> (its last snapshot kept)
 *     any --subxact savepoint / release / rollback_to [OnSubxact]--> savepoints change
 *     any --xact_end [OnXactEnd]--> none (the xid's outcome remembered)
 *
 *   A lock wait: lock_wait [OnLockWait] until lock_acquired [OnLockAcquired],
 *   an error from the waiter (lock_timeout, cancel, the deadlock victim's
 *   40P01: OnError), or its exit (OnExit). A deadlock: from the deadlock
 *   event until the victim's error or exit (then kept, marked resolved).
 *
 * NOTES
 *   Any order, any missing field: what an event lacks is taken as unknown
 *   (0, "") and the event still applies as far as it can; a field of the
 *   wrong type is reported by Apply() as a problem the model records.
 *   Memory is bounded: kMaxOutcomes xid outcomes (the oldest xids
 *   forgotten first), kMaxHeldLocks per backend, kMaxXip xids per
 *   snapshot, kMaxSavepoints, kMaxCycle steps of a deadlock and
 *   kMaxVacuumRuns runs; a backend's state is dropped when it exits.
 *   Xids are compared as plain integers (no wraparound: a lesson's
 *   server never uses four billion of them).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "viz/model/event.h"

namespace minipg::viz {

inline constexpr size_t kMaxOutcomes = 1 << 16;   // transaction outcomes remembered
inline constexpr size_t kMaxHeldLocks = 256;      // locks listed per backend
inline constexpr size_t kMaxXip = 1024;           // in-progress xids kept per snapshot
inline constexpr size_t kMaxSavepoints = 64;      // savepoints per backend
inline constexpr size_t kMaxSubxids = 1024;       // subtransaction xids per backend
inline constexpr size_t kMaxCycle = 64;           // steps of a deadlock cycle
inline constexpr size_t kMaxVacuumRuns = 32;      // recent VACUUM runs kept
inline constexpr size_t kMaxBlockers = 64;        // blocked_by pids kept per wait
inline constexpr size_t kMaxBackends = 4096;      // processes followed at once

/* What the viewer knows of a transaction id. */
enum class XidStatus {
  kUnknown,     // never seen to end (nor to start): it may have committed before we joined
  kInProgress,  // assigned, not yet ended
  kCommitted,   // its xact_end said commit
  kAborted,     // its xact_end said abort, or a ROLLBACK TO undid its subtransaction
};

std::string_view XidStatusName(XidStatus s);

struct SnapshotInfo {
  int64_t xmin = 0;
  int64_t xmax = 0;
  std::vector<int64_t> xip;  // in progress when it was taken (top-level xids)
  std::string scope;         // "statement" / "transaction"
  std::string isolation;     // "read committed" / "repeatable read" / "serializable"
  int64_t ts = 0;
  /* As PostgreSQL's txid_current_snapshot() prints one: "745:748:745,746". */
  std::string Text() const;
};

/* A heavyweight lock, as lock_granted / lock_wait / lock_acquired name it. */
struct LockInfo {
  std::string locktype;  // relation, transactionid, virtualxid, tuple, object ("" if unsaid)
  std::string mode;      // AccessShareLock ... AccessExclusiveLock
  std::string relation;  // the relation's name, or ""
  int64_t relid = 0;
  int64_t transactionid = 0;
  std::string virtualxid;  // "3/12" or ""
  std::string text;        // readable: relation "t", transaction 745
  int64_t ts = 0;          // when it was granted (or asked for)
  /* "ShareLock on transaction 745". */
  std::string Label() const;
  bool SameLock(const LockInfo& o) const;
};

struct LockWaitInfo {
  LockInfo lock;
  std::vector<int64_t> blocked_by;  // the pids it waits for
};

struct Savepoint {
  std::string name;
  int64_t xid = 0;  // its subtransaction's xid, 0 until it writes
};

struct BackendTxn {
  int64_t xid = 0;                  // the top-level transaction's xid (0: none yet)
  std::vector<int64_t> subxids;     // xids of its live subtransactions
  std::vector<Savepoint> savepoints;  // innermost last
  std::optional<SnapshotInfo> snapshot;  // its last snapshot while the transaction lasts
  std::vector<LockInfo> locks;      // held, in the order granted
  uint64_t locks_not_listed = 0;    // held beyond kMaxHeldLocks
  std::optional<LockWaitInfo> wait;
  int64_t released_ts = 0;          // its last locks_released (a wait on it from before is over)
  std::string last_table;           // the last user relation it locked (not pg_*)
  int64_t last_table_ts = 0;
  /* Whether `xid` is this transaction's own (TransactionIdIsCurrentTransactionId). */
  bool Owns(int64_t xid) const;
};

/* One arrow of the wait-for graph: `waiter` waits for a lock `holder` holds. */
struct WaitEdge {
  int64_t waiter = 0;
  int64_t holder = 0;
  std::string label;      // "ShareLock on transaction 745"
  bool in_deadlock = false;  // part of the deadlock cycle being resolved
  bool in_cycle = false;     // on a cycle of waits: a deadlock, found or not yet by the detector
};

struct DeadlockStep {
  int64_t pid = 0;
  int64_t waits_for = 0;
  std::string lock;  // transaction 745
  std::string mode;  // ShareLock
};

struct Deadlock {
  int64_t detector = 0;  // the process that found it (emitted the event)
  int64_t victim = 0;
  std::vector<DeadlockStep> cycle;
  int64_t ts = 0;
  bool resolved = false;  // the victim got its error (or exited)
  int64_t resolved_ts = 0;
};

struct VacuumRun {
  int64_t pid = 0;
  std::string relation;
  int64_t relid = 0;
  bool autovacuum = false;
  std::string phase;  // pg_stat_progress_vacuum's phase
  int64_t heap_blks_scanned = 0;
  int64_t heap_blks_total = 0;
  bool done = false;
  int64_t removed = 0;
  int64_t remaining = 0;
  int64_t dead_not_removable = 0;
  int64_t pages_removed = 0;
  std::string removable_cutoff;
  int64_t start_ts = 0;
  int64_t end_ts = 0;
};

class Transactions {
 public:
  /* Applies one event of the types above (xid_assigned, xact_end, subxact,
   * snapshot, lock_*, locks_released, deadlock, vacuum_*); returns a
   * problem with its fields ("" if none). */
  std::string Apply(const Event& ev);
  /* An error from `pid`: a lock wait ends with it, and a deadlock victim's
   * error resolves the deadlock. */
  void OnError(int64_t pid, int64_t ts);
  /* `pid` exited or its session ended: its waits, locks and transaction go. */
  void OnExit(int64_t pid, int64_t ts);

  const std::map<int64_t, BackendTxn>& backends() const { return backends_; }
  const BackendTxn* Backend(int64_t pid) const;
  /* Every arrow waiter -> holder, ordered by waiter then holder; during a
   * deadlock, the cycle's steps are arrows too (marked) even if their
   * lock_wait was not seen. */
  std::vector<WaitEdge> WaitForGraph() const;
  /* One cycle of the wait-for graph, as the pids around it from the lowest
   * (each waits for the next, the last for the first); empty if there is
   * none. While the waiters sleep, before deadlock_timeout has run out and
   * the detector has found it, this is the deadlock the picture shows. */
  std::vector<int64_t> WaitCycle() const;
  /* The last deadlock found (active or resolved), if any. */
  const std::optional<Deadlock>& deadlock() const { return deadlock_; }
  bool DeadlockActive() const { return deadlock_ && !deadlock_->resolved; }

  /* What is known of an xid: its own outcome, else its parent's (a
   * subtransaction commits with its top-level transaction). */
  XidStatus Status(int64_t xid) const;
  /* The top-level xid of a subtransaction (itself if not known as one):
   * SubTransGetTopmostTransaction. */
  int64_t TopXid(int64_t xid) const;

  /* Recent VACUUM runs, oldest first; the running ones are not done. */
  const std::deque<VacuumRun>& vacuums() const { return vacuums_; }
  /* The run `pid` is doing now, or nullptr. */
  const VacuumRun* RunningVacuum(int64_t pid) const;

 private:
  void OnXidAssigned(const Event& ev, BackendTxn& b);
  void OnXactEnd(const Event& ev, BackendTxn& b);
  void OnSubxact(const Event& ev, BackendTxn& b);
  void OnSnapshot(const Event& ev, BackendTxn& b);
  void OnLockGranted(const Event& ev, BackendTxn& b);
  void OnLockWait(const Event& ev, BackendTxn& b);
  void OnDeadlock(const Event& ev);
  void OnVacuum(const Event& ev);
  void SetOutcome(int64_t xid, XidStatus s);
  VacuumRun& CurrentRun(int64_t pid, int64_t ts);

  std::map<int64_t, BackendTxn> backends_;  // pid -> its state (live backends only)
  std::map<int64_t, XidStatus> outcomes_;   // xid -> in progress / committed / aborted
  std::map<int64_t, int64_t> parent_;       // subtransaction xid -> its parent's xid
  std::optional<Deadlock> deadlock_;
  std::deque<VacuumRun> vacuums_;
};

/* A lock's readable text from an event's fields: its "lock" if it has one,
 * else made from locktype and the ids (relation "t", transaction 745). */
std::string LockTextOf(const Event& ev);

}  // namespace minipg::viz
