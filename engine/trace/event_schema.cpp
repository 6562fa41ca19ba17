/*-------------------------------------------------------------------------
 * event_schema.cpp
 *   Wire names of the event types. Order matches the enum exactly.
 *-------------------------------------------------------------------------
 */
#include "engine/trace/event_schema.h"

#include <algorithm>
#include <array>
#include <utility>

namespace minipg::trace {
namespace {

constexpr std::array<std::string_view, static_cast<size_t>(EventType::kCount_)> kNames = {
    "hello",         "process",        "postmaster_start", "listen",     "accept",
    "fork",          "ssl_request",    "startup",          "auth_ok",    "state",
    "ready",         "query_start",    "parse",            "analyze",    "plan",
    "execute",       "query_done",     "error",            "cancel_request", "disconnect",
    "child_exit",    "shutdown_request", "postmaster_exit", "dropped",   "rejected",
    "crash",         "postmaster_state", "signal",         "checkpoint_start", "checkpoint_done",
    "auth_request",  "auth_failed",    "hba_reload",
    "copy_start",    "copy_done",
    "prepare",       "bind",           "portal_suspended", "close",
    "scenario_start", "scenario_end",  "caption",
    "client_connect", "client_connected", "client_query", "client_result", "client_error",
    "client_disconnect", "expect",     "sync",
    "lock_wait",     "lock_acquired",
    "shmem_layout",  "buffer_read",    "buffer_evict",     "buffer_write", "buffer_dirty",
    "wal_insert",    "wal_flush",      "recovery_start",   "recovery_progress", "recovery_done",
    "xid_assigned",  "subxact",
    "lock_granted",  "locks_released", "deadlock",
    "vacuum_start",  "vacuum_progress", "vacuum_done",
    "xact_end",      "snapshot",
    "step_pause",    "step_resume",
    "caption_snapshot",
};

}  // namespace

std::string_view EventTypeName(EventType type) {
  auto i = static_cast<size_t>(type);
  return i < kNames.size() ? kNames[i] : std::string_view("unknown");
}

bool IsClientSideEvent(EventType type) {
  return (type >= EventType::kScenarioStart && type <= EventType::kSync) ||
         type == EventType::kCaptionSnapshot;
}

bool IsStorageEvent(EventType type) {
  return type >= EventType::kShmemLayout && type <= EventType::kRecoveryDone;
}

std::optional<EventType> EventTypeFromName(std::string_view name) {
  // Every line the collector and the viewer read is looked up here: a
  // binary search over the names, sorted once.
  using Entry = std::pair<std::string_view, EventType>;
  static const auto sorted = [] {
    std::array<Entry, kNames.size()> table;
    for (size_t i = 0; i < kNames.size(); ++i) table[i] = {kNames[i], static_cast<EventType>(i)};
    std::sort(table.begin(), table.end());
    return table;
  }();
  auto it = std::lower_bound(sorted.begin(), sorted.end(), name,
                             [](const Entry& e, std::string_view n) { return e.first < n; });
  if (it == sorted.end() || it->first != name) return std::nullopt;
  return it->second;
}

std::optional<uint64_t> ParseLsnField(std::string_view text) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto hex = [](std::string_view digits) -> std::optional<uint64_t> {
    if (digits.empty() || digits.size() > 8) return std::nullopt;
    uint64_t v = 0;
    for (char c : digits) {
      int d = c >= '0' && c <= '9'   ? c - '0'
              : c >= 'A' && c <= 'F' ? c - 'A' + 10
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                     : -1;
      if (d < 0) return std::nullopt;
      v = v * 16 + static_cast<uint64_t>(d);
    }
    return v;
  };
  auto hi = hex(text.substr(0, slash));
  auto lo = hex(text.substr(slash + 1));
  if (!hi || !lo) return std::nullopt;
  return (*hi << 32) | *lo;
}

}  // namespace minipg::trace
