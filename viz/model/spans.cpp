/*-------------------------------------------------------------------------
 * spans.cpp
 *   Turning minipg events into spans, markers and arrows (see spans.h):
 *   the building blocks, and what panels and the export read. The event
 *   handlers are in spans_events.cpp, the shared state in spans_impl.h.
 *
 *   Each event updates the open spans of its process (or of its simulated
 *   client's lane); a span that ends is pushed to done_ and indexed in its
 *   lane's row. Snapshot() closes what is still open at the last timestamp
 *   and binds client queries to the backend queries they caused.
 *
 * NOTES
 *   Flow events of the Chrome-trace export bind to slices by position, so
 *   each arrow has a short "anchor" span (1 us) at each end where no real
 *   span begins at that moment: a source anchor ENDS at the event's ts (it
 *   begins 1 us earlier) and a target begins at it, so the source always
 *   comes first in ts order (see chrome_trace.cpp). The anchors stay out of
 *   the per-lane index; the SpanFlow records carry the event times instead.
 *   The index of a row is kept in ts order by inserting each finished span
 *   after the last one that does not start later: spans of one row end in
 *   start order almost always, so that is nearly an append.
 *-------------------------------------------------------------------------
 */
#include "viz/model/spans.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <array>
#include <limits>
#include <map>
#include <optional>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "viz/model/spans_impl.h"

namespace minipg::viz {

int SpanDepth(SpanKind kind) {
  switch (kind) {
    case SpanKind::kLife:
    case SpanKind::kScenario:
    case SpanKind::kClientConnection:
      return 0;
    case SpanKind::kParse:
    case SpanKind::kAnalyze:
    case SpanKind::kPlan:
    case SpanKind::kExecute:
    case SpanKind::kFork:
    case SpanKind::kLockWait:
    case SpanKind::kStepPause:
      return 2;
    default:
      return 1;
  }
}

void SortLanesForTimeline(std::vector<SpanLane>* lanes) {
  std::unordered_map<int64_t, int64_t> backend_order;  // backend pid -> its order
  for (const SpanLane& l : *lanes) {
    if (l.group == LaneGroup::kBackend) backend_order[l.pid] = l.order;
  }
  // (band, order within it, 0 for a process or 1 for a client under it, client order)
  using Key = std::tuple<int, int64_t, int, int64_t>;
  auto key = [&](const SpanLane& l) -> Key {
    switch (l.group) {
      case LaneGroup::kPostmaster: return {0, l.order, 0, 0};
      case LaneGroup::kBackend: return {1, l.order, 0, 0};
      case LaneGroup::kClient:
        if (auto it = backend_order.find(l.backend_pid); it != backend_order.end()) {
          return {1, it->second, 1, l.order};
        }
        return {3, l.order, 0, 0};
      case LaneGroup::kOther: return {2, l.order, 0, 0};
      case LaneGroup::kRunner: return {4, l.order, 0, 0};
      case LaneGroup::kAuxiliary: return {5, l.order, 0, 0};
    }
    return {6, l.order, 0, 0};
  };
  std::stable_sort(lanes->begin(), lanes->end(),
                   [&](const SpanLane& a, const SpanLane& b) { return key(a) < key(b); });
}

/* --- building blocks ---------------------------------------------------- */

Proc& SpanBuilder::Impl::Touch(int64_t pid, std::string_view role_hint, int64_t ts,
                               bool open_life) {
  auto [it, fresh] = procs_.try_emplace(pid);
  Proc& p = it->second;
  if (fresh) {
    p.pid = pid;
    p.order = next_order_++;
    p.first_ts = ts;
    ++lanes_generation_;
  }
  if (ts < p.first_ts) {
    p.first_ts = ts;
    ++lanes_generation_;
  }
  if (p.role.empty() && !role_hint.empty()) {
    p.role = std::string(role_hint);
    ++lanes_generation_;
  }
  if (open_life && !p.life && !p.exited && p.role != "minipg-sim") {
    p.life = Open(SpanKind::kLife, pid, pid, ts, "");
  }
  return p;
}

Span SpanBuilder::Impl::Open(SpanKind kind, int64_t pid, int64_t tid, int64_t ts, std::string name,
                             Json args) {
  Span s;
  s.pid = pid;
  s.tid = tid;
  s.ts = ts;
  s.end = ts;
  s.name = std::move(name);
  s.args = std::move(args);
  s.kind = kind;
  s.seq = next_seq_++;
  return s;
}

size_t SpanBuilder::Impl::Push(Span s) {
  if (s.end < s.ts) s.end = s.ts;
  done_.push_back(std::move(s));
  size_t at = done_.size() - 1;
  const Span& d = done_[at];
  if (d.kind != SpanKind::kAnchor) {
    LaneIndex& lane = index_[{d.pid, d.tid}];
    int depth = SpanDepth(d.kind);
    std::vector<uint32_t>& row = lane.rows[depth];
    if (row.empty() || done_[row.back()].ts <= d.ts) {  // in time order, as nearly always
      row.push_back(static_cast<uint32_t>(at));
    } else {
      auto pos = std::upper_bound(row.begin(), row.end(), d.ts,
                                  [&](int64_t ts, uint32_t i) { return ts < done_[i].ts; });
      row.insert(pos, static_cast<uint32_t>(at));
    }
    lane.longest[depth] = std::max(lane.longest[depth], d.end - d.ts);
  }
  return at;
}

void SpanBuilder::Impl::Finish(std::optional<Span>& slot, int64_t end) {
  if (!slot) return;
  slot->end = end;
  Push(std::move(*slot));
  slot.reset();
}

size_t SpanBuilder::Impl::SourceAnchor(int64_t pid, int64_t tid, int64_t ts, std::string name,
                                       Json args) {
  Span s = Open(SpanKind::kAnchor, pid, tid, ts - kAnchorUs, std::move(name), std::move(args));
  s.end = ts;
  return Push(std::move(s));
}

size_t SpanBuilder::Impl::TargetAnchor(int64_t pid, int64_t tid, int64_t ts, std::string name,
                                       Json args) {
  Span s = Open(SpanKind::kAnchor, pid, tid, ts, std::move(name), std::move(args));
  s.end = ts + kAnchorUs;
  return Push(std::move(s));
}

namespace {

const char* FlowName(FlowKind kind) {
  switch (kind) {
    case FlowKind::kFork:
      return "fork";
    case FlowKind::kCancel:
      return "cancel";
    case FlowKind::kSignal:
      return "signal";
    case FlowKind::kCrash:
      return "crash";
    case FlowKind::kClient:
      return "client";
    case FlowKind::kQuery:
      return "query";
  }
  return "flow";
}

}  // namespace

void SpanBuilder::Impl::Flow(FlowKind kind, Span& from, int64_t from_ts, Span& to, int64_t to_ts) {
  uint64_t id = next_flow_++;
  from.flows.push_back({id, FlowName(kind), true});
  to.flows.push_back({id, FlowName(kind), false});
  flows_.push_back(SpanFlow{kind, from.pid, from.tid, from_ts, to.pid, to.tid, to_ts});
}

void SpanBuilder::Impl::AddInstant(InstantKind kind, const Event& ev, int64_t tid, std::string name,
                                   bool global, Json args) {
  SpanInstant i;
  i.pid = ev.pid;
  i.tid = tid;
  i.ts = ev.ts;
  i.name = std::move(name);
  i.global = global;
  i.args = std::move(args);
  i.kind = kind;
  i.seq = next_seq_++;
  instants_.push_back(std::move(i));
  const SpanInstant& added = instants_.back();
  std::vector<uint32_t>& list = index_[{added.pid, added.tid}].instants;
  auto pos = std::upper_bound(list.begin(), list.end(), ev.ts,
                              [&](int64_t ts, uint32_t k) { return ts < instants_[k].ts; });
  list.insert(pos, static_cast<uint32_t>(instants_.size() - 1));
}

std::string SpanBuilder::Impl::DisplayName(const Proc& p) const {
  if (p.role == "postmaster") return "postmaster";
  if (p.role == "collector") return "event collector";
  if (p.role == "checkpointer" || p.role == "background writer" || p.role == "walwriter" ||
      p.role == "startup") {
    return p.role;
  }
  if (p.role == "minipg-sim") {
    return p.scenario_title.empty() ? "minipg-sim"
                                    : fmt::format("minipg-sim: {}", p.scenario_title);
  }
  if (p.role == "backend" || p.role == "dead-end") {
    if (p.cancel_child && p.user.empty()) return fmt::format("cancel request {}", p.pid);
    std::string name = fmt::format("{} {}", p.role, p.pid);
    if (!p.user.empty()) return fmt::format("{} ({}@{})", name, p.user, p.database);
    if (!p.client.empty()) return fmt::format("{} ({})", name, p.client);
    return name;
  }
  if (!p.role.empty()) return fmt::format("{} {}", p.role, p.pid);
  return fmt::format("process {}", p.pid);
}

void SpanBuilder::Impl::CloseQuery(Proc& p, int64_t trigger_ts) {
  Finish(p.lock, trigger_ts);
  Finish(p.step, trigger_ts);
  if (!p.query) return;
  int64_t end = p.query_finished ? p.query_last : std::max(trigger_ts, p.query_last);
  Finish(p.query, end);
  p.query_finished = false;
}

void SpanBuilder::Impl::EndLife(Proc& p, int64_t ts, const Json& args) {
  Finish(p.auth, ts);
  CloseQuery(p, ts);
  Finish(p.checkpoint, ts);
  Finish(p.recovery, ts);
  Finish(p.phase, ts);
  if (p.life) {
    p.life->name = DisplayName(p);
    Merge(p.life->args, args);
    Finish(p.life, ts);
  }
  p.stage_from.reset();
  p.exited = true;
  p.exit_ts = ts;
  ++lanes_generation_;
}

/* --- what the panels and the export read -------------------------------- */

std::vector<SpanLane> SpanBuilder::Impl::Lanes() const {
  std::vector<const Proc*> by_order;
  by_order.reserve(procs_.size());
  for (const auto& [pid, p] : procs_) by_order.push_back(&p);
  std::sort(by_order.begin(), by_order.end(),
            [](const Proc* a, const Proc* b) { return a->order < b->order; });
  std::vector<SpanLane> lanes;
  lanes.reserve(by_order.size() + lanes_.size());
  int64_t n_postmaster = 0, n_aux = 0, n_backend = 0, n_sim = 0, n_other = 0;
  for (const Proc* p : by_order) {
    SpanLane l;
    l.pid = l.tid = p->pid;
    l.role = p->role;
    l.name = DisplayName(*p);
    l.user = p->user;
    l.database = p->database;
    l.order = p->order;
    l.begin_ts = p->first_ts;
    l.exited = p->exited;
    l.end_ts = p->exit_ts;
    if (p->role == "postmaster") {
      l.group = LaneGroup::kPostmaster;
      l.sort_index = n_postmaster++;
    } else if (IsAuxiliary(p->role)) {
      l.group = LaneGroup::kAuxiliary;
      l.sort_index = 100 + n_aux++;
    } else if (p->role == "minipg-sim") {
      l.group = LaneGroup::kRunner;
      l.sort_index = 1000000 + n_sim++;
    } else if (!p->role.empty()) {
      l.group = LaneGroup::kBackend;
      l.sort_index = 10000 + n_backend++;
    } else {
      l.group = LaneGroup::kOther;
      l.sort_index = 2000000 + n_other++;
    }
    lanes.push_back(std::move(l));
  }
  for (const auto& [key, lane] : lanes_) {
    SpanLane l;
    l.pid = lane.runner;
    l.tid = lane.tid;
    l.group = LaneGroup::kClient;
    l.role = "client";
    l.name = fmt::format("client {}", lane.name);
    l.user = lane.user;
    l.database = lane.database;
    l.order = lane.order;
    l.sort_index = lane.order;
    l.backend_pid = lane.last_backend_pid;
    l.begin_ts = lane.first_ts;
    // A lane whose connect came before the viewer joined is running until
    // its disconnect, though no connection span is open.
    l.exited = !lane.connection.has_value() && lane.disconnected;
    l.end_ts = lane.end_ts;
    lanes.push_back(std::move(l));
  }
  return lanes;
}

void SpanBuilder::Impl::OpenSpans(int64_t pid, int64_t tid, std::vector<const Span*>* out) const {
  auto add = [&](const std::optional<Span>& s) {
    if (s) out->push_back(&*s);
  };
  if (pid == tid) {
    auto it = procs_.find(pid);
    if (it == procs_.end()) return;
    const Proc& p = it->second;
    for (const auto* s :
         {&p.life, &p.scenario, &p.auth, &p.query, &p.checkpoint, &p.phase, &p.caption, &p.lock, &p.recovery, &p.step}) {
      add(*s);
    }
    return;
  }
  auto it = lane_by_tid_.find(tid);
  if (it == lane_by_tid_.end() || it->second->runner != pid) return;
  add(it->second->connection);
  add(it->second->connecting);
  add(it->second->query);
  add(it->second->stopped);
}

const std::vector<SpanFlow>& SpanBuilder::Impl::QueryFlows() const {
  if (query_flows_generation_ == generation_) return query_flows_;
  query_flows_generation_ = generation_;
  query_flows_.clear();
  // Each backend's queries in ts order: the finished ones from its lane's
  // index (already in ts order), then the open one.
  std::map<int64_t, std::vector<std::pair<int64_t, size_t>>> backend;
  for (const ClientQuery& cq : client_queries_) {
    if (backend.count(cq.backend) != 0) continue;
    std::vector<std::pair<int64_t, size_t>>& list = backend[cq.backend];
    if (const LaneIndex* lane = IndexOf(cq.backend, cq.backend)) {
      for (uint32_t i : lane->rows[SpanDepth(SpanKind::kQuery)]) {
        if (done_[i].kind == SpanKind::kQuery) list.emplace_back(done_[i].ts, i);
      }
    }
    auto p = procs_.find(cq.backend);
    if (p != procs_.end() && p->second.query) {
      int64_t ts = p->second.query->ts;
      auto pos = std::upper_bound(list.begin(), list.end(), ts,
                                  [](int64_t t, const auto& q) { return t < q.first; });
      list.insert(pos, {ts, 0});
    }
  }
  std::vector<ClientQuery> cqs = client_queries_;
  std::stable_sort(cqs.begin(), cqs.end(),
                   [](const ClientQuery& a, const ClientQuery& b) { return a.ts < b.ts; });
  MatchClientQueries(cqs, backend, [&](const ClientQuery& cq, const std::pair<int64_t, size_t>& q) {
    query_flows_.push_back(
        SpanFlow{FlowKind::kQuery, cq.runner, cq.tid, cq.ts, cq.backend, cq.backend, q.first});
  });
  return query_flows_;
}

SpanSnapshot SpanBuilder::Impl::Snapshot() const {
  SpanSnapshot snap;
  std::vector<Span>& spans = snap.spans;
  spans = done_;
  int64_t last = last_ts_;
  auto close = [&](const std::optional<Span>& open, const std::string* name) {
    if (!open) return;
    Span s = *open;
    s.end = std::max(s.ts, last);
    if (name != nullptr) s.name = *name;
    s.args["open_at_end_of_trace"] = true;
    spans.push_back(std::move(s));
  };
  for (const auto& [pid, p] : procs_) {
    std::string name = DisplayName(p);
    close(p.life, &name);
    close(p.auth, nullptr);
    close(p.query, nullptr);
    close(p.checkpoint, nullptr);
    close(p.recovery, nullptr);
    close(p.phase, nullptr);
    close(p.scenario, nullptr);
    close(p.caption, nullptr);
    close(p.lock, nullptr);
    close(p.step, nullptr);
  }
  for (const auto& [key, lane] : lanes_) {
    close(lane.connection, nullptr);
    close(lane.connecting, nullptr);
    close(lane.query, nullptr);
    close(lane.stopped, nullptr);
  }

  uint64_t next_flow = next_flow_;
  std::map<int64_t, std::vector<size_t>> by_backend;  // pid -> query spans, by ts
  for (size_t i = 0; i < spans.size(); ++i) {
    if (spans[i].kind == SpanKind::kQuery) by_backend[spans[i].pid].push_back(i);
  }
  std::map<int64_t, std::vector<std::pair<int64_t, size_t>>> backend;
  for (auto& [pid, list] : by_backend) {
    std::sort(list.begin(), list.end(),
              [&](size_t a, size_t b) { return spans[a].ts < spans[b].ts; });
    std::vector<std::pair<int64_t, size_t>>& refs = backend[pid];
    for (size_t i : list) refs.emplace_back(spans[i].ts, i);
  }
  std::vector<ClientQuery> cqs = client_queries_;
  std::sort(cqs.begin(), cqs.end(),
            [](const ClientQuery& a, const ClientQuery& b) { return a.ts < b.ts; });
  MatchClientQueries(cqs, backend, [&](const ClientQuery& cq, const std::pair<int64_t, size_t>& q) {
    uint64_t id = next_flow++;
    spans[cq.anchor].flows.push_back({id, "query", true});
    spans[q.second].flows.push_back({id, "query", false});
  });
  snap.instants = instants_;
  return snap;
}

/* --- public interface --------------------------------------------------- */

SpanBuilder::SpanBuilder() : impl_(std::make_unique<Impl>()) {
  static std::atomic<uint64_t> next_id{1};
  impl_->id_ = next_id++;
}
SpanBuilder::~SpanBuilder() = default;

void SpanBuilder::Add(const Event& ev) {
  impl_->Add(ev);
  impl_->MaybeForget();
  impl_->FreeSome();
}

void SpanBuilder::Add(Event&& ev) {
  impl_->takeable_ = &ev;
  Add(static_cast<const Event&>(ev));
  impl_->takeable_ = nullptr;
}

void SpanBuilder::SetRetention(size_t max_spans) {
  impl_->retention_ = max_spans;
  impl_->next_forget_check_ = 0;
  impl_->MaybeForget();
}

int64_t SpanBuilder::forgotten_before() const {
  return impl_->forgotten_before_;
}

uint64_t SpanBuilder::forgotten_spans() const {
  return impl_->forgotten_spans_;
}

size_t SpanBuilder::held_spans() const {
  return impl_->done_.size();
}

std::vector<SpanLane> SpanBuilder::Lanes() const {
  return impl_->Lanes();
}

bool SpanBuilder::RunningAt(const SpanLane& lane, int64_t ts) const {
  if (!LaneAliveAt(lane, ts)) return false;
  if (lane.group != LaneGroup::kClient) return true;
  const ClientLane* client = impl_->ClientLaneOf(lane.tid);
  if (client == nullptr) return true;
  // The last gap that began at or before ts.
  auto it = std::upper_bound(client->gaps.begin(), client->gaps.end(), ts,
                             [](int64_t t, const std::pair<int64_t, int64_t>& gap) { return t < gap.first; });
  return it == client->gaps.begin() || ts >= std::prev(it)->second;
}

void SpanBuilder::FinishedSpans(int64_t pid, int64_t tid, int depth, int64_t t0, int64_t t1,
                                std::vector<const Span*>* out) const {
  const LaneIndex* lane = impl_->IndexOf(pid, tid);
  if (lane == nullptr || depth < 0 || depth >= kSpanDepths) return;
  const std::vector<uint32_t>& row = lane->rows[depth];
  const std::vector<Span>& done = impl_->done_;
  // No span of the row is longer than `longest`: those starting earlier
  // than t0 - longest end before t0.
  int64_t from = t0 - lane->longest[depth];
  auto it = std::lower_bound(row.begin(), row.end(), from,
                             [&](uint32_t i, int64_t ts) { return done[i].ts < ts; });
  for (; it != row.end(); ++it) {
    const Span& s = done[*it];
    if (s.ts > t1) break;
    if (s.end >= t0) out->push_back(&s);
  }
}

void SpanBuilder::OpenSpans(int64_t pid, int64_t tid, std::vector<const Span*>* out) const {
  impl_->OpenSpans(pid, tid, out);
}

void SpanBuilder::Instants(int64_t pid, int64_t tid, int64_t t0, int64_t t1,
                           std::vector<const SpanInstant*>* out) const {
  const LaneIndex* lane = impl_->IndexOf(pid, tid);
  if (lane == nullptr) return;
  const std::vector<SpanInstant>& all = impl_->instants_;
  auto it = std::lower_bound(lane->instants.begin(), lane->instants.end(), t0,
                             [&](uint32_t i, int64_t ts) { return all[i].ts < ts; });
  for (; it != lane->instants.end() && all[*it].ts <= t1; ++it) out->push_back(&all[*it]);
}

const std::vector<SpanInstant>& SpanBuilder::instants() const {
  return impl_->instants_;
}

const std::vector<SpanFlow>& SpanBuilder::flows() const {
  return impl_->flows_;
}

const std::vector<SpanFlow>& SpanBuilder::QueryFlows() const {
  return impl_->QueryFlows();
}

SpanSnapshot SpanBuilder::Snapshot() const {
  return impl_->Snapshot();
}

const SpanStats& SpanBuilder::stats() const {
  return impl_->stats_;
}

const TraceInfo& SpanBuilder::info() const {
  return impl_->info_;
}

bool SpanBuilder::empty() const {
  return !impl_->any_ts_;
}

int64_t SpanBuilder::first_ts() const {
  return impl_->first_ts_;
}

int64_t SpanBuilder::last_ts() const {
  return impl_->last_ts_;
}

uint64_t SpanBuilder::generation() const {
  return impl_->generation_;
}

uint64_t SpanBuilder::id() const {
  return impl_->id_;
}

uint64_t SpanBuilder::lanes_generation() const {
  return impl_->lanes_generation_;
}

}  // namespace minipg::viz
