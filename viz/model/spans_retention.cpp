/*-------------------------------------------------------------------------
 * spans_retention.cpp
 *   Keeping a live builder's memory bounded (see SpanBuilder::SetRetention):
 *   once more finished spans are held than the retention allows, the
 *   finished spans, markers and arrows that ended before a cut time are
 *   forgotten, and so are exited processes with nothing left to draw (and
 *   client lanes' reconnect gaps over by then).
 *
 *   The cut is the median end of the finished spans, so about half of them
 *   stay; what stays is exactly what ended at or after the cut, so a view
 *   of [cut, now] is the same as an unbounded builder's. Each compaction is
 *   one pass over what is held (indices in the per-lane rows are remapped,
 *   and so are the client queries' anchors) and frees about half of the
 *   retention, so its cost per event added stays constant. The forgotten
 *   spans' args (JSON trees, most of the cost of freeing) are freed a few
 *   per event added after it, not all in the frame that compacts.
 *-------------------------------------------------------------------------
 */
#include <algorithm>

#include "viz/model/spans_impl.h"

namespace minipg::viz {

namespace {

inline constexpr uint32_t kGone = std::numeric_limits<uint32_t>::max();

/* Keeps the entries of `list` whose element survived, renumbered. */
void Remap(std::vector<uint32_t>* list, const std::vector<uint32_t>& remap) {
  size_t n = 0;
  for (uint32_t i : *list) {
    if (remap[i] != kGone) (*list)[n++] = remap[i];
  }
  list->resize(n);
}

bool HasOpenSpan(const Proc& p) {
  return p.life || p.auth || p.query || p.checkpoint || p.phase || p.scenario || p.caption || p.lock ||
         p.recovery || p.step;
}

}  // namespace

void SpanBuilder::Impl::MaybeForget() {
  if (retention_ == 0 || done_.size() <= retention_ || done_.size() < next_forget_check_) return;
  // If this pass cannot cut (the held spans all ended at one moment), the
  // next try waits until a quarter of the retention more has come.
  next_forget_check_ = done_.size() + std::max<size_t>(1, retention_ / 4);

  std::vector<int64_t> ends;
  ends.reserve(done_.size());
  for (const Span& s : done_) ends.push_back(s.end);
  auto mid = ends.begin() + static_cast<std::ptrdiff_t>(ends.size() / 2);
  std::nth_element(ends.begin(), mid, ends.end());
  int64_t cut = *mid;
  if (cut <= forgotten_before_) return;

  to_free_.clear();  // what the last compaction left unfreed (rare: many spans per event)
  std::vector<uint32_t> span_map(done_.size(), kGone);
  size_t kept = 0;
  for (size_t i = 0; i < done_.size(); ++i) {
    if (done_[i].end < cut) {
      to_free_.push_back(std::move(done_[i].args));  // cheap now; freed later (FreeSome)
      continue;
    }
    span_map[i] = static_cast<uint32_t>(kept);
    if (kept != i) done_[kept] = std::move(done_[i]);
    ++kept;
  }
  forgotten_spans_ += done_.size() - kept;
  done_.resize(kept);

  std::vector<uint32_t> instant_map(instants_.size(), kGone);
  kept = 0;
  for (size_t i = 0; i < instants_.size(); ++i) {
    if (instants_[i].ts < cut) continue;
    instant_map[i] = static_cast<uint32_t>(kept);
    if (kept != i) instants_[kept] = std::move(instants_[i]);
    ++kept;
  }
  instants_.resize(kept);

  for (auto it = index_.begin(); it != index_.end();) {
    LaneIndex& lane = it->second;
    bool empty = true;
    for (int depth = 0; depth < kSpanDepths; ++depth) {
      Remap(&lane.rows[depth], span_map);
      lane.longest[depth] = 0;
      for (uint32_t i : lane.rows[depth]) {
        lane.longest[depth] = std::max(lane.longest[depth], done_[i].end - done_[i].ts);
      }
      empty = empty && lane.rows[depth].empty();
    }
    Remap(&lane.instants, instant_map);
    if (empty && lane.instants.empty()) {
      it = index_.erase(it);
    } else {
      ++it;
    }
  }

  std::erase_if(flows_, [cut](const SpanFlow& f) { return std::max(f.from_ts, f.to_ts) < cut; });

  // Client queries whose anchor went (answered long ago, or a query still
  // open since before the cut) can no longer be drawn as arrows.
  std::vector<int64_t> query_map(client_queries_.size(), -1);
  kept = 0;
  for (size_t i = 0; i < client_queries_.size(); ++i) {
    ClientQuery cq = client_queries_[i];
    if (span_map[cq.anchor] == kGone) continue;
    cq.anchor = span_map[cq.anchor];
    query_map[i] = static_cast<int64_t>(kept);
    client_queries_[kept++] = cq;
  }
  client_queries_.resize(kept);
  for (auto& [key, lane] : lanes_) {
    if (lane.pending_query >= 0) lane.pending_query = query_map[lane.pending_query];
    // Gaps over before the cut are forgotten with the spans around them.
    std::erase_if(lane.gaps, [cut](const std::pair<int64_t, int64_t>& gap) { return gap.second < cut; });
  }

  for (auto it = procs_.begin(); it != procs_.end();) {
    const Proc& p = it->second;
    if (p.exited && !HasOpenSpan(p) && index_.count({p.pid, p.pid}) == 0) {
      it = procs_.erase(it);
    } else {
      ++it;
    }
  }

  forgotten_before_ = cut;
  next_forget_check_ = 0;
  ++generation_;
  ++lanes_generation_;
}

}  // namespace minipg::viz
