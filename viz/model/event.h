/*-------------------------------------------------------------------------
 * event.h
 *   One event of the stream as the visualizer sees it: a parsed JSON line.
 *
 *   The stream is JSON Lines (docs/events.md). ParseEvent() turns one line
 *   into an Event: its type (or "unknown", with the name it carried kept),
 *   its timestamp, the emitting pid, and all of its fields as JSON, so that
 *   the model can read the fields each type documents.
 *
 * NOTES
 *   Input is untrusted: a line may be truncated, not JSON, not an object,
 *   or lack "type"/"ts"/"pid". Such a line is an expected failure and is
 *   returned as an error value; nothing here throws. A line longer than
 *   kMaxLineBytes is refused before it is parsed, and one nested deeper
 *   than trace::kMaxEventJsonDepth is refused as it is parsed (event_json.h),
 *   so whatever later prints or copies an event's fields recurses little.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/trace/event_schema.h"

namespace minipg::viz {

using trace::EventType;

/* The longest line we try to parse (events are far smaller). */
inline constexpr size_t kMaxLineBytes = 1 << 20;

/* Index used for per-type tables: one slot per known type plus "unknown". */
inline constexpr size_t kEventTypeSlots = static_cast<size_t>(EventType::kCount_) + 1;
inline constexpr size_t kUnknownTypeSlot = static_cast<size_t>(EventType::kCount_);

struct Event {
  std::optional<EventType> type;  // nullopt: a type this version does not know
  std::string type_name;          // the name as it appeared on the wire
  int64_t ts = 0;                 // microseconds, CLOCK_MONOTONIC of the server
  int64_t pid = 0;                // the emitting process
  nlohmann::ordered_json fields;  // the whole object, in the order the server wrote it

  /* Slot for per-type tables (kUnknownTypeSlot for unknown types). */
  size_t TypeSlot() const {
    return type ? static_cast<size_t>(*type) : kUnknownTypeSlot;
  }

  /* Typed field accessors: nullopt when absent or of another JSON type. */
  const nlohmann::ordered_json* Field(const char* key) const;  // any type; nullptr when absent
  std::optional<int64_t> Int(const char* key) const;
  std::optional<std::string> Str(const char* key) const;
  std::optional<bool> Bool(const char* key) const;
  /* The string field, or `fallback` when absent. */
  std::string StrOr(const char* key, std::string_view fallback = "") const;
};

/* A member of a JSON object (an element of an event's array field):
 * nullopt when `obj` is no object, or the member is absent or of another type. */
std::optional<int64_t> JsonInt(const nlohmann::ordered_json& obj, const char* key);
std::optional<std::string> JsonStr(const nlohmann::ordered_json& obj, const char* key);

/* The outcome of parsing one line: an event, or what was wrong with it. */
struct ParseResult {
  std::optional<Event> event;  // set on success
  std::string error;           // set on failure, e.g. "not valid JSON"
};

/* Parses one JSON line (without its newline). Never throws. */
ParseResult ParseEvent(std::string_view line);

/* True for an empty or all-whitespace line (skipped, not an error). */
bool IsBlankLine(std::string_view line);

/* ParseEvent() for a line of the stream: a blank line gives an empty
 * result (no event, no error), as it is skipped rather than malformed. */
ParseResult ParseLine(std::string_view line);

/* How PostgreSQL's postmaster judges a child_exit: exit code 0 is clean,
 * and 1 a backend's (or dead-end child's) normal end after a FATAL; a
 * signal, any other code, or 1 from an auxiliary process is a crash. But
 * exit code 2 while the postmaster is telling every child to quit (crash
 * recovery, an immediate shutdown) is a child obeying SIGQUIT: a casualty,
 * not a new crash. */
bool IsCrashExit(std::optional<int64_t> signal, int64_t exit_code, bool serves_a_client,
                 bool children_told_to_quit);

/* Name shown for a type slot ("fork", ..., "unknown"). */
std::string_view TypeSlotName(size_t slot);

}  // namespace minipg::viz
