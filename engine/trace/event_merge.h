/*-------------------------------------------------------------------------
 * event_merge.h
 *   The collector's reorder stage: event lines from many sources, each
 *   already in its own order, merged into one stream ordered by "ts".
 *
 *        ring 1:   t1 t4 t9 ...  \
 *        ring 2:   t2 t3 ...      +--> heap of sources, keyed by the "ts"
 *        pid 812:  t5 ...        /     of each one's first waiting line
 *
 *   A source is one process's ring, or the lines one process (or client)
 *   sent through the pipe or a subscriber socket. Its lines wait in one
 *   buffer, back to back, in the order they came; the heap holds one entry
 *   per source that has lines waiting, not one per line. So taking the
 *   oldest line is a pop over a handful of sources, and lines are copied
 *   once in and read in the order they were written.
 *
 * NOTES
 *   A process stamps an event and then writes it, so its own lines come in
 *   "ts" order; a line stamped earlier than the one before it in the same
 *   source (a client's clock) keeps its place after that one. Two lines
 *   with the same "ts" leave in the order they came.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace minipg::trace {

/* Where the value of a line's "ts" field begins, or npos if it has none. */
size_t TimestampOffset(std::string_view line);
/* The value of a line's "ts" field, or 0 if it has none. */
int64_t LineTimestamp(std::string_view line);

class EventMerger {
 public:
  using SourceId = uint64_t;
  /* Sources that stay while empty (rings) are numbered below this; a
   * process or client that sends otherwise is kTransientSource + its pid. */
  static constexpr SourceId kTransientSource = SourceId{1} << 40;

  /* Queues one line (no newline) of `source`. */
  void Add(SourceId source, std::string_view line);

  /* Takes out, oldest first, every line stamped before `cutoff`, calling
   * send(ts, line) with a copy of the line (no newline) that send may
   * change; send may Add lines. */
  template <typename Send>
  void TakeOlderThan(int64_t cutoff, Send&& send) {
    while (!heap_.empty() && heap_.front().ts < cutoff) {
      Source* src = PopOldest();
      Held held = src->lines.front();
      line_.assign(src->buf, src->head, held.len);
      Consumed(src, held);
      send(held.ts, line_);
    }
  }

  bool empty() const { return heap_.empty(); }
  /* Lines waiting, in all sources. */
  size_t size() const { return waiting_; }

 private:
  struct Held {
    int64_t ts;        // its key: its "ts", or its predecessor's if that was later
    uint64_t arrival;  // order of arrival, to break ties
    uint32_t len;      // its bytes in buf
  };
  struct Source {
    SourceId id;
    std::string buf;  // the waiting lines, back to back, from `head` on
    size_t head = 0;
    std::deque<Held> lines;
  };
  struct Key {
    int64_t ts;
    uint64_t arrival;
    Source* src;
    bool operator>(const Key& o) const { return ts != o.ts ? ts > o.ts : arrival > o.arrival; }
  };

  Source* PopOldest();
  /* After the first line of `src` was taken: drops it, and puts the
   * source back on the heap or frees what it holds. */
  void Consumed(Source* src, const Held& held);

  std::unordered_map<SourceId, Source> sources_;  // nodes stay put: the heap points at them
  std::vector<Key> heap_;                         // a min-heap: one key per source with lines
  uint64_t arrivals_ = 0;
  size_t waiting_ = 0;
  std::string line_;  // the line being sent, out of its buffer
};

}  // namespace minipg::trace
