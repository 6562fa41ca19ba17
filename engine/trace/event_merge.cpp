/*-------------------------------------------------------------------------
 * event_merge.cpp
 *   Merging the sources' ordered lines into one stream (event_merge.h).
 *-------------------------------------------------------------------------
 */
#include "engine/trace/event_merge.h"

#include <algorithm>
#include <charconv>
#include <functional>

namespace minipg::trace {
namespace {

/* A source's buffer is compacted once this much of it has been sent and
 * lines still wait behind it, and given back once it is empty and larger. */
constexpr size_t kCompactBytes = 64u << 10;
constexpr size_t kMaxIdleBuffer = 256u << 10;

int64_t ParseInt(std::string_view text) {
  int64_t v = 0;
  std::from_chars(text.data(), text.data() + text.size(), v);
  return v;
}

}  // namespace

size_t TimestampOffset(std::string_view line) {
  // The emitter writes {"type":"name","ts":N,...}: look there first.
  constexpr std::string_view kType = "{\"type\":\"";
  constexpr std::string_view kTs = ",\"ts\":";
  if (line.starts_with(kType)) {
    size_t end = line.find('"', kType.size());
    if (end != std::string_view::npos && line.substr(end + 1).starts_with(kTs)) return end + 1 + kTs.size();
  }
  size_t pos = line.find("\"ts\":");
  return pos == std::string_view::npos ? pos : pos + 5;
}

int64_t LineTimestamp(std::string_view line) {
  size_t at = TimestampOffset(line);
  return at == std::string_view::npos ? 0 : ParseInt(line.substr(at));
}

void EventMerger::Add(SourceId id, std::string_view line) {
  auto [it, inserted] = sources_.try_emplace(id);
  Source& src = it->second;
  if (inserted) src.id = id;
  int64_t ts = LineTimestamp(line);
  if (!src.lines.empty()) ts = std::max(ts, src.lines.back().ts);  // keeps its place in its source
  Held held{ts, arrivals_++, static_cast<uint32_t>(line.size())};
  src.buf.append(line);
  src.lines.push_back(held);
  ++waiting_;
  if (src.lines.size() == 1) {
    heap_.push_back({held.ts, held.arrival, &src});
    std::push_heap(heap_.begin(), heap_.end(), std::greater<>());
  }
}

EventMerger::Source* EventMerger::PopOldest() {
  std::pop_heap(heap_.begin(), heap_.end(), std::greater<>());
  Source* src = heap_.back().src;
  heap_.pop_back();
  return src;
}

void EventMerger::Consumed(Source* src, const Held& held) {
  src->head += held.len;
  src->lines.pop_front();
  --waiting_;
  if (!src->lines.empty()) {
    const Held& next = src->lines.front();
    heap_.push_back({next.ts, next.arrival, src});
    std::push_heap(heap_.begin(), heap_.end(), std::greater<>());
    if (src->head >= kCompactBytes && src->head * 2 >= src->buf.size()) {
      src->buf.erase(0, src->head);
      src->head = 0;
    }
    return;
  }
  if (src->id >= kTransientSource) {
    sources_.erase(src->id);
    return;
  }
  src->head = 0;
  src->buf.clear();
  if (src->buf.capacity() > kMaxIdleBuffer) src->buf.shrink_to_fit();
}

}  // namespace minipg::trace
