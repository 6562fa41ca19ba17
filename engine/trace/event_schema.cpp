/*-------------------------------------------------------------------------
 * event_schema.cpp
 *   Wire names of the event types. Order matches the enum exactly.
 *-------------------------------------------------------------------------
 */
#include "engine/trace/event_schema.h"

#include <array>

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
};

}  // namespace

std::string_view EventTypeName(EventType type) {
  auto i = static_cast<size_t>(type);
  return i < kNames.size() ? kNames[i] : std::string_view("unknown");
}

bool IsClientSideEvent(EventType type) {
  return type >= EventType::kScenarioStart && type <= EventType::kSync;
}

std::optional<EventType> EventTypeFromName(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<EventType>(i);
  }
  return std::nullopt;
}

}  // namespace minipg::trace
