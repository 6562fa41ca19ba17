/*-------------------------------------------------------------------------
 * transactions.cpp
 *   Applying the schema 7 events (transactions, locks, vacuum) to the
 *   viewer's picture of them: one On...() function per event type. See
 *   transactions.h for the states and the bounds.
 *-------------------------------------------------------------------------
 */
#include "viz/model/transactions.h"

#include <algorithm>
#include <set>
#include <utility>

#include <fmt/format.h>

namespace minipg::viz {
namespace {

/* Reads an event's fields, noting each documented field of the wrong type
 * (a missing one is simply unknown). */
class Fields {
 public:
  explicit Fields(const Event& ev) : ev_(ev) {}
  int64_t Int(const char* key) {
    if (auto v = ev_.Int(key)) return *v;
    Check(key, "an integer");
    return 0;
  }
  std::string Str(const char* key) {
    if (auto v = ev_.Str(key)) return *v;
    Check(key, "a string");
    return "";
  }
  bool Bool(const char* key) {
    if (auto v = ev_.Bool(key)) return *v;
    Check(key, "a boolean");
    return false;
  }
  /* Whether an array field, if present, is an array. */
  void Array(const char* key) {
    auto it = ev_.fields.find(key);
    if (it != ev_.fields.end() && !it->is_array()) Check(key, "an array");
  }
  const std::string& problem() const { return problem_; }

 private:
  void Check(const char* key, const char* what) {
    auto it = ev_.fields.find(key);
    if (it == ev_.fields.end() || it->is_null() || !problem_.empty()) return;
    problem_ = fmt::format("{} event: \"{}\" is not {}", ev_.type_name, key, what);
  }
  const Event& ev_;
  std::string problem_;
};

/* An array field's integers (anything else in it skipped), at most `limit`. */
std::vector<int64_t> IntsOf(const Event& ev, const char* key, size_t limit) {
  std::vector<int64_t> out;
  auto it = ev.fields.find(key);
  if (it == ev.fields.end() || !it->is_array()) return out;
  for (const auto& v : *it) {
    if (out.size() >= limit) break;
    if (v.is_number_integer()) out.push_back(v.get<int64_t>());
  }
  return out;
}

/* A member of a JSON object, read defensively (wrong type: empty). */
std::string StrIn(const nlohmann::ordered_json& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}
int64_t IntIn(const nlohmann::ordered_json& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

LockInfo LockFrom(const Event& ev) {
  LockInfo l;
  l.locktype = ev.StrOr("locktype");
  l.mode = ev.StrOr("mode");
  l.relation = ev.StrOr("relation");
  l.relid = ev.Int("relid").value_or(0);
  l.transactionid = ev.Int("transactionid").value_or(0);
  l.virtualxid = ev.StrOr("virtualxid");
  l.text = LockTextOf(ev);
  l.ts = ev.ts;
  return l;
}

bool IsUserTable(const LockInfo& l) {
  return l.locktype == "relation" && !l.relation.empty() && l.relation.rfind("pg_", 0) != 0 &&
         l.relation.rfind("information_schema", 0) != 0;
}

/* Marks the edges that lie on a cycle of waits: those whose two ends are in
 * one strongly connected component (Tarjan's algorithm, without recursion,
 * so a long chain of waiters needs no stack depth). */
void MarkCycles(std::vector<WaitEdge>& edges) {
  std::map<int64_t, std::vector<size_t>> out;  // waiter -> its edges
  for (size_t i = 0; i < edges.size(); ++i) out[edges[i].waiter].push_back(i);
  std::map<int64_t, int> index, low, component;
  std::vector<int64_t> stack;
  std::set<int64_t> on_stack;
  int next = 0, components = 0;
  struct Frame {
    int64_t pid;
    size_t edge;  // the next of its edges to follow
  };
  auto visit = [&](int64_t pid, std::vector<Frame>& calls) {
    index[pid] = low[pid] = next++;
    stack.push_back(pid);
    on_stack.insert(pid);
    calls.push_back(Frame{pid, 0});
  };
  for (const auto& [root, root_edges] : out) {
    if (index.count(root) != 0) continue;
    std::vector<Frame> calls;
    visit(root, calls);
    while (!calls.empty()) {
      int64_t v = calls.back().pid;
      auto it = out.find(v);
      if (it != out.end() && calls.back().edge < it->second.size()) {
        int64_t w = edges[it->second[calls.back().edge++]].holder;
        if (index.count(w) == 0) {
          visit(w, calls);
        } else if (on_stack.count(w) != 0) {
          low[v] = std::min(low[v], index[w]);
        }
        continue;
      }
      if (low[v] == index[v]) {  // v heads a component: pop it
        int64_t x;
        do {
          x = stack.back();
          stack.pop_back();
          on_stack.erase(x);
          component[x] = components;
        } while (x != v);
        ++components;
      }
      calls.pop_back();
      if (!calls.empty()) low[calls.back().pid] = std::min(low[calls.back().pid], low[v]);
    }
  }
  for (WaitEdge& e : edges) e.in_cycle = component[e.waiter] == component[e.holder];
}

}  // namespace

std::string_view XidStatusName(XidStatus s) {
  switch (s) {
    case XidStatus::kUnknown: return "unknown";
    case XidStatus::kInProgress: return "in progress";
    case XidStatus::kCommitted: return "committed";
    case XidStatus::kAborted: return "aborted";
  }
  return "unknown";
}

std::string SnapshotInfo::Text() const {
  std::string out = fmt::format("{}:{}:", xmin, xmax);
  for (size_t i = 0; i < xip.size(); ++i) out += fmt::format("{}{}", i == 0 ? "" : ",", xip[i]);
  return out;
}

std::string LockInfo::Label() const {
  return fmt::format("{} on {}", mode.empty() ? "a lock" : mode, text.empty() ? "?" : text);
}

bool LockInfo::SameLock(const LockInfo& o) const {
  return locktype == o.locktype && mode == o.mode && relid == o.relid && relation == o.relation &&
         transactionid == o.transactionid && virtualxid == o.virtualxid && text == o.text;
}

bool BackendTxn::Owns(int64_t x) const {
  if (x == 0) return false;
  return x == xid || std::find(subxids.begin(), subxids.end(), x) != subxids.end();
}

std::string LockTextOf(const Event& ev) {
  if (auto text = ev.Str("lock"); text && !text->empty()) return *text;
  std::string type = ev.StrOr("locktype");
  std::string rel = ev.StrOr("relation");
  std::string rel_text = !rel.empty() ? fmt::format("relation \"{}\"", rel)
                                      : fmt::format("relation {}", ev.Int("relid").value_or(0));
  if (type == "relation") return rel_text;
  if (type == "transactionid") return fmt::format("transaction {}", ev.Int("transactionid").value_or(0));
  if (type == "virtualxid") return fmt::format("virtual transaction {}", ev.StrOr("virtualxid", "?"));
  if (type == "tuple") return fmt::format("tuple of {}", rel_text);
  if (type.empty()) return "a lock";
  return type;
}

/* ---------- queries ---------- */

const BackendTxn* Transactions::Backend(int64_t pid) const {
  auto it = backends_.find(pid);
  return it == backends_.end() ? nullptr : &it->second;
}

int64_t Transactions::TopXid(int64_t xid) const {
  // Follows parents to the top; bounded, so a cycle in bad input ends.
  for (size_t steps = 0; steps < kMaxSavepoints + 1; ++steps) {
    auto it = parent_.find(xid);
    if (it == parent_.end() || it->second == xid) return xid;
    xid = it->second;
  }
  return xid;
}

XidStatus Transactions::Status(int64_t xid) const {
  int64_t x = xid;
  for (size_t steps = 0; steps < kMaxSavepoints + 1; ++steps) {
    auto it = outcomes_.find(x);
    XidStatus s = it == outcomes_.end() ? XidStatus::kUnknown : it->second;
    // An aborted subtransaction stays aborted; a committed or running one
    // follows its parent, as pg_subtrans and pg_xact say together.
    if (s == XidStatus::kAborted || s == XidStatus::kCommitted) return s;
    auto p = parent_.find(x);
    if (p == parent_.end() || p->second == x) return s;
    x = p->second;
  }
  return XidStatus::kUnknown;
}

std::vector<WaitEdge> Transactions::WaitForGraph() const {
  std::vector<WaitEdge> edges;
  auto in_cycle = [this](int64_t waiter, int64_t holder) {
    if (!DeadlockActive()) return false;
    for (const DeadlockStep& s : deadlock_->cycle) {
      if (s.pid == waiter && s.waits_for == holder) return true;
    }
    return false;
  };
  for (const auto& [pid, b] : backends_) {
    if (!b.wait) continue;
    std::set<int64_t> holders(b.wait->blocked_by.begin(), b.wait->blocked_by.end());
    for (int64_t holder : holders) {
      if (holder == pid || holder == 0) continue;
      // A holder that has released its locks since no longer blocks it
      // (the server names the blockers once, when the wait begins).
      if (const BackendTxn* h = Backend(holder); h != nullptr && h->released_ts > b.wait->lock.ts) continue;
      edges.push_back(WaitEdge{pid, holder, b.wait->lock.Label(), in_cycle(pid, holder)});
    }
  }
  if (DeadlockActive()) {
    for (const DeadlockStep& s : deadlock_->cycle) {
      bool drawn = std::any_of(edges.begin(), edges.end(), [&s](const WaitEdge& e) {
        return e.waiter == s.pid && e.holder == s.waits_for;
      });
      if (!drawn && s.pid != 0 && s.waits_for != 0 && s.pid != s.waits_for) {
        edges.push_back(WaitEdge{s.pid, s.waits_for,
                                 fmt::format("{} on {}", s.mode.empty() ? "a lock" : s.mode, s.lock), true});
      }
    }
  }
  std::sort(edges.begin(), edges.end(), [](const WaitEdge& a, const WaitEdge& b) {
    return a.waiter != b.waiter ? a.waiter < b.waiter : a.holder < b.holder;
  });
  MarkCycles(edges);
  return edges;
}

std::vector<int64_t> Transactions::WaitCycle() const {
  std::map<int64_t, int64_t> next;  // waiter -> the lowest holder it waits for on a cycle
  for (const WaitEdge& e : WaitForGraph()) {
    if (e.in_cycle && next.count(e.waiter) == 0) next[e.waiter] = e.holder;  // edges come sorted
  }
  if (next.empty()) return {};
  // Walk from the lowest waiter until a pid comes again: the cycle is from
  // its first visit on (every pid on a cycle edge has one onward).
  std::vector<int64_t> path;
  std::map<int64_t, size_t> seen;
  int64_t at = next.begin()->first;
  while (seen.count(at) == 0 && next.count(at) != 0 && path.size() <= kMaxBackends) {
    seen[at] = path.size();
    path.push_back(at);
    at = next[at];
  }
  if (seen.count(at) == 0) return {};
  std::vector<int64_t> cycle(path.begin() + static_cast<std::ptrdiff_t>(seen[at]), path.end());
  std::rotate(cycle.begin(), std::min_element(cycle.begin(), cycle.end()), cycle.end());
  return cycle;
}

const VacuumRun* Transactions::RunningVacuum(int64_t pid) const {
  for (auto it = vacuums_.rbegin(); it != vacuums_.rend(); ++it) {
    if (it->pid == pid && !it->done) return &*it;
  }
  return nullptr;
}

/* ---------- events ---------- */

std::string Transactions::Apply(const Event& ev) {
  if (!ev.type) return "";
  switch (*ev.type) {
    case EventType::kDeadlock: OnDeadlock(ev); break;
    case EventType::kVacuumStart:
    case EventType::kVacuumProgress:
    case EventType::kVacuumDone: OnVacuum(ev); break;
    default: {
      auto it = backends_.find(ev.pid);
      if (it == backends_.end()) {
        if (backends_.size() >= kMaxBackends) break;  // exits never seen: bounded anyway
        it = backends_.emplace(ev.pid, BackendTxn{}).first;
      }
      BackendTxn& b = it->second;
      switch (*ev.type) {
        case EventType::kXidAssigned: OnXidAssigned(ev, b); break;
        case EventType::kXactEnd: OnXactEnd(ev, b); break;
        case EventType::kSubxact: OnSubxact(ev, b); break;
        case EventType::kSnapshot: OnSnapshot(ev, b); break;
        case EventType::kLockGranted:
        case EventType::kLockAcquired: OnLockGranted(ev, b); break;
        case EventType::kLockWait: OnLockWait(ev, b); break;
        case EventType::kLocksReleased:
          b.locks.clear();
          b.locks_not_listed = 0;
          b.wait.reset();
          b.released_ts = ev.ts;
          break;
        default: break;
      }
    }
  }
  // The documented fields present with the wrong type: the first is the
  // problem the model records (the event applied as far as it could).
  Fields check(ev);
  for (const char* key : {"xid", "top_xid", "xmin", "xmax", "relid", "transactionid", "count", "victim",
                          "heap_blks_scanned", "heap_blks_total", "removed", "remaining"}) {
    check.Int(key);
  }
  for (const char* key : {"outcome", "action", "name", "mode", "locktype", "relation", "virtualxid",
                          "scope", "isolation", "lock", "phase"}) {
    check.Str(key);
  }
  check.Bool("autovacuum");
  check.Bool("granted");
  for (const char* key : {"xip", "blocked_by", "cycle"}) check.Array(key);
  return check.problem();
}

void Transactions::SetOutcome(int64_t xid, XidStatus s) {
  if (xid == 0) return;
  outcomes_[xid] = s;
  while (outcomes_.size() > kMaxOutcomes) {
    parent_.erase(outcomes_.begin()->first);
    outcomes_.erase(outcomes_.begin());
  }
}

void Transactions::OnXidAssigned(const Event& ev, BackendTxn& b) {
  int64_t xid = ev.Int("xid").value_or(0);
  if (xid == 0) return;
  int64_t top = ev.Int("top_xid").value_or(xid);
  SetOutcome(xid, XidStatus::kInProgress);
  if (top == xid || top == 0) {
    b.xid = xid;
    return;
  }
  // A subtransaction: its parent, and the innermost savepoint without an xid.
  parent_[xid] = top;
  if (b.xid == 0) b.xid = TopXid(top);
  if (b.subxids.size() < kMaxSubxids) b.subxids.push_back(xid);
  for (auto it = b.savepoints.rbegin(); it != b.savepoints.rend(); ++it) {
    if (it->xid == 0) {
      it->xid = xid;
      break;
    }
    if (it->xid != 0) break;  // only the innermost may be the one writing
  }
}

void Transactions::OnXactEnd(const Event& ev, BackendTxn& b) {
  int64_t xid = ev.Int("xid").value_or(b.xid);
  std::string outcome = ev.StrOr("outcome");
  XidStatus s = outcome == "commit" ? XidStatus::kCommitted
                : outcome == "abort" ? XidStatus::kAborted
                                     : XidStatus::kUnknown;
  if (s != XidStatus::kUnknown) {
    SetOutcome(xid, s);
    if (xid != b.xid) SetOutcome(b.xid, s);  // the event and what we knew disagree: both end
    // Its subtransactions end with it (an aborted one stays aborted).
    for (int64_t sub : b.subxids) {
      if (Status(sub) != XidStatus::kAborted) SetOutcome(sub, s);
    }
  }
  b.xid = 0;
  b.subxids.clear();
  b.savepoints.clear();
  b.snapshot.reset();
  b.wait.reset();
}

void Transactions::OnSubxact(const Event& ev, BackendTxn& b) {
  std::string action = ev.StrOr("action");
  std::string name = ev.StrOr("name");
  int64_t xid = ev.Int("xid").value_or(0);
  if (action == "savepoint") {
    if (b.savepoints.size() < kMaxSavepoints) b.savepoints.push_back(Savepoint{name, xid});
    return;
  }
  // The named savepoint, innermost first (PostgreSQL finds the latest of that name).
  auto found = std::find_if(b.savepoints.rbegin(), b.savepoints.rend(),
                            [&name](const Savepoint& s) { return s.name == name; });
  size_t at = found == b.savepoints.rend() ? b.savepoints.size()
                                           : static_cast<size_t>(b.savepoints.rend() - found) - 1;
  if (action == "release") {
    // The released subtransactions become part of their parent: still ours.
    if (at < b.savepoints.size()) b.savepoints.resize(at);
    return;
  }
  if (action != "rollback_to") return;
  // Everything from the named savepoint on is undone; the savepoint itself
  // stays, with a new subtransaction that has no xid yet.
  std::set<int64_t> undone;
  if (xid != 0) undone.insert(xid);
  for (size_t i = at; i < b.savepoints.size(); ++i) {
    if (b.savepoints[i].xid != 0) undone.insert(b.savepoints[i].xid);
  }
  // ... and any subtransaction below one of those.
  for (int64_t sub : b.subxids) {
    for (int64_t x = sub, steps = 0; steps <= static_cast<int64_t>(kMaxSavepoints); ++steps) {
      if (undone.count(x) != 0) {
        undone.insert(sub);
        break;
      }
      auto p = parent_.find(x);
      if (p == parent_.end() || p->second == x) break;
      x = p->second;
    }
  }
  for (int64_t x : undone) {
    if (x != b.xid) SetOutcome(x, XidStatus::kAborted);
  }
  b.subxids.erase(std::remove_if(b.subxids.begin(), b.subxids.end(),
                                 [&undone](int64_t x) { return undone.count(x) != 0; }),
                  b.subxids.end());
  if (at < b.savepoints.size()) {
    b.savepoints.resize(at + 1);
    b.savepoints.back().xid = 0;
  }
}

void Transactions::OnSnapshot(const Event& ev, BackendTxn& b) {
  SnapshotInfo s;
  s.xmin = ev.Int("xmin").value_or(0);
  s.xmax = ev.Int("xmax").value_or(0);
  s.xip = IntsOf(ev, "xip", kMaxXip);
  std::sort(s.xip.begin(), s.xip.end());
  s.scope = ev.StrOr("scope");
  s.isolation = ev.StrOr("isolation");
  s.ts = ev.ts;
  b.snapshot = std::move(s);
}

void Transactions::OnLockGranted(const Event& ev, BackendTxn& b) {
  bool waited = ev.type == EventType::kLockAcquired;
  if (waited) b.wait.reset();
  // The flock waits of schema 5 (no locktype) are not heavyweight locks,
  // and a wait that failed (granted false: a deadlock, a lock_timeout) holds nothing.
  if (waited && (!ev.Str("locktype") || !ev.Bool("granted").value_or(true))) return;
  LockInfo l = LockFrom(ev);
  if (IsUserTable(l)) {
    b.last_table = l.relation;
    b.last_table_ts = ev.ts;
  }
  for (const LockInfo& held : b.locks) {
    if (held.SameLock(l)) return;  // granted again: one entry, as pg_locks shows it
  }
  if (b.locks.size() >= kMaxHeldLocks) {
    ++b.locks_not_listed;
    return;
  }
  b.locks.push_back(std::move(l));
}

void Transactions::OnLockWait(const Event& ev, BackendTxn& b) {
  LockWaitInfo w;
  w.lock = LockFrom(ev);
  w.blocked_by = IntsOf(ev, "blocked_by", kMaxBlockers);
  b.wait = std::move(w);
}

void Transactions::OnDeadlock(const Event& ev) {
  Deadlock d;
  d.detector = ev.pid;
  d.victim = ev.Int("victim").value_or(ev.pid);
  d.ts = ev.ts;
  auto it = ev.fields.find("cycle");
  if (it != ev.fields.end() && it->is_array()) {
    for (const auto& step : *it) {
      if (d.cycle.size() >= kMaxCycle) break;
      if (!step.is_object()) continue;
      d.cycle.push_back(DeadlockStep{IntIn(step, "pid"), IntIn(step, "waits_for"), StrIn(step, "lock"),
                                     StrIn(step, "mode")});
    }
  }
  deadlock_ = std::move(d);
}

VacuumRun& Transactions::CurrentRun(int64_t pid, int64_t ts) {
  for (auto it = vacuums_.rbegin(); it != vacuums_.rend(); ++it) {
    if (it->pid == pid && !it->done) return *it;
  }
  // Progress of a run whose start we did not see: a run from now.
  VacuumRun run;
  run.pid = pid;
  run.start_ts = ts;
  vacuums_.push_back(std::move(run));
  while (vacuums_.size() > kMaxVacuumRuns) vacuums_.pop_front();
  return vacuums_.back();
}

void Transactions::OnVacuum(const Event& ev) {
  if (ev.type == EventType::kVacuumStart) {
    // A start ends whatever run the process had going (its done was lost).
    for (VacuumRun& r : vacuums_) {
      if (r.pid == ev.pid && !r.done) {
        r.done = true;
        r.end_ts = ev.ts;
      }
    }
  }
  VacuumRun& r = CurrentRun(ev.pid, ev.ts);
  if (auto v = ev.Str("relation")) r.relation = *v;
  switch (*ev.type) {
    case EventType::kVacuumStart:
      r.relid = ev.Int("relid").value_or(0);
      r.autovacuum = ev.Bool("autovacuum").value_or(false);
      r.phase = "initializing";
      break;
    case EventType::kVacuumProgress:
      if (auto v = ev.Str("phase")) r.phase = *v;
      r.heap_blks_scanned = ev.Int("heap_blks_scanned").value_or(r.heap_blks_scanned);
      r.heap_blks_total = ev.Int("heap_blks_total").value_or(r.heap_blks_total);
      break;
    case EventType::kVacuumDone:
      r.done = true;
      r.end_ts = ev.ts;
      r.phase = "done";
      r.removed = ev.Int("removed").value_or(0);
      r.remaining = ev.Int("remaining").value_or(0);
      r.dead_not_removable = ev.Int("dead_not_removable").value_or(0);
      r.pages_removed = ev.Int("pages_removed").value_or(0);
      if (auto v = ev.Int("removable_cutoff")) {
        r.removable_cutoff = std::to_string(*v);
      } else {
        r.removable_cutoff = ev.StrOr("removable_cutoff");
      }
      break;
    default: break;
  }
}

void Transactions::OnError(int64_t pid, int64_t ts) {
  auto it = backends_.find(pid);
  if (it != backends_.end()) it->second.wait.reset();
  if (DeadlockActive() && deadlock_->victim == pid) {
    deadlock_->resolved = true;
    deadlock_->resolved_ts = ts;
  }
}

void Transactions::OnExit(int64_t pid, int64_t ts) {
  OnError(pid, ts);
  auto it = backends_.find(pid);
  if (it == backends_.end()) return;
  // A backend that dies in a transaction never commits it.
  if (it->second.xid != 0 && Status(it->second.xid) == XidStatus::kInProgress) {
    SetOutcome(it->second.xid, XidStatus::kAborted);
  }
  backends_.erase(it);
  for (VacuumRun& r : vacuums_) {
    if (r.pid == pid && !r.done) {
      r.done = true;
      r.end_ts = ts;
    }
  }
}

}  // namespace minipg::viz
