/*-------------------------------------------------------------------------
 * emitter.h
 *   How a server process puts an event into the stream.
 *
 *     trace::Event(EventType::kFork).Int("child", pid).Str("role", "backend").Emit();
 *
 *   Each event is formatted as one JSON object and put into the process's
 *   event ring in shared memory (event_ring.h), or written as one line to
 *   the event pipe, read by the event collector (an auxiliary process, see
 *   collector.h), which orders all processes' events by timestamp and
 *   serves them.
 *
 * NOTES
 *   Emit() never blocks: when the ring (or the non-blocking pipe) is full
 *   the event is counted as dropped; the next event that
 *   gets through is preceded by a "dropped" event carrying the count.
 *   Emit() is async-signal-unsafe (it allocates): never call it from a
 *   signal handler. Before InitEmitter() (or with no collector) events are
 *   silently discarded, so the engine's code can emit unconditionally.
 *   After fork() the child calls ReinitEmitterAfterFork() so its events
 *   carry its own pid and its dropped count starts at zero.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/trace/event_schema.h"

namespace minipg::trace {

/* A string field longer than this is cut (at a character boundary) and
 * ends in "..."; an event longer than PIPE_BUF is sent as a stub. */
inline constexpr size_t kMaxEventString = 1024;

/* Microseconds on CLOCK_MONOTONIC: the one clock every process shares. */
int64_t NowMicros();

/* Microseconds since the Unix epoch (for the hello event's wall clock). */
int64_t WallMicros();

/* Sets the (non-blocking) pipe events are written to (-1 = discard events). */
void InitEmitter(int fd);
/* Sends this process's events to ring `index` of `rings` (event_ring.h)
 * instead of the pipe; index -1 (or no rings) goes back to the pipe. The
 * postmaster gives each child its own ring: a ring has one writer. */
struct EventRings;
void SetEventRing(EventRings* rings, int index);
/* Call in a child right after fork(). */
void ReinitEmitterAfterFork();
/* The fd in use, so a forked child that must not emit can close it. */
int EmitterFd();

/* Whether this process emits events at all (the trace_events setting,
 * set in the postmaster before it forks anything; on by default). Off, an
 * Event is not even formatted, so the instrumentation's cost can be
 * measured: every builder call and Emit() return at once. */
void SetEventsOn(bool on);
bool EventsOn();

/* Whether events carry query text (the event_query_text setting, set in
 * the postmaster before it forks anything; on by default). */
void SetQueryTextInEvents(bool on);
bool QueryTextInEvents();

/* Appends `s` to `out` as a JSON string literal (quoted, escaped). */
void AppendJsonString(std::string& out, std::string_view s);

/* A JSON array of flat objects written straight as text, for an event's
 * Raw() field (a plan's nodes, a result's columns), without building a
 * document first:
 *
 *     JsonObjects nodes;
 *     nodes.Begin().Int("id", 0).Str("node", "Result");
 *     event.Raw("nodes", nodes.Text());   // [{"id":0,"node":"Result"}]
 */
class JsonObjects {
 public:
  /* Starts the next object. */
  JsonObjects& Begin();
  JsonObjects& Int(std::string_view key, int64_t value);
  JsonObjects& Str(std::string_view key, std::string_view value);
  /* The array so far, closed. */
  std::string Text() const;

 private:
  void Key(std::string_view key);
  std::string text_;  // the objects, the last one not yet closed
  bool fields_ = false;  // the open object has a field
};

/* A JSON array of strings, as text for an event's Raw() field. */
template <typename Strings>
std::string JsonStringArray(const Strings& items) {
  std::string out = "[";
  for (const auto& item : items) {
    if (out.size() > 1) out.push_back(',');
    AppendJsonString(out, item);
  }
  out.push_back(']');
  return out;
}

/* One event being built. Fields appear in the order they are added. */
class Event {
 public:
  explicit Event(EventType type);
  Event& Int(std::string_view key, int64_t value);
  Event& Str(std::string_view key, std::string_view value);
  /* A field holding query text (or what shows its constants: a parse tree,
   * a plan): added as Str() only while QueryTextInEvents(). */
  Event& QueryText(std::string_view key, std::string_view value);
  Event& Bool(std::string_view key, bool value);
  Event& Double(std::string_view key, double value);
  /* `json` must already be a valid JSON value (object, array, ...). */
  Event& Raw(std::string_view key, std::string_view json);
  /* Overrides the pid (the collector uses this for snapshots). */
  Event& Pid(int64_t pid);
  /* Overrides the timestamp: the postmaster stamps a fork with the time
   * taken before fork(), so the child's own events always sort after it. */
  Event& Ts(int64_t ts);
  /* Finishes the JSON text without sending it. */
  std::string Json() const;
  /* The same, appended to `out`. */
  void AppendJson(std::string& out) const;
  /* Sends the event; never blocks. */
  void Emit();

  ~Event();
  Event(const Event&) = default;
  Event& operator=(const Event&) = default;

 private:
  void Key(std::string_view key);
  bool on_;           // EventsOn() when it was made
  std::string body_;  // the fields after type, ts and pid, each prefixed with ','
  EventType type_;
  int64_t ts_;
  int64_t pid_;
};

}  // namespace minipg::trace
