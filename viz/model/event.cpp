/*-------------------------------------------------------------------------
 * event.cpp
 *   Parsing one line of the event stream into an Event.
 *
 * NOTES
 *   The line is decoded by trace::ParseEventJson (exceptions disabled, a
 *   bound on nesting depth); ordered_json keeps the fields in the order the
 *   server wrote them, for the event log; a bad or too deeply nested line
 *   yields a "discarded" value that we turn into an error string.
 *-------------------------------------------------------------------------
 */
#include "viz/model/event.h"

#include <fmt/format.h>

#include "engine/trace/event_json.h"

namespace minipg::viz {

std::optional<int64_t> JsonInt(const nlohmann::ordered_json& obj, const char* key) {
  if (!obj.is_object()) return std::nullopt;
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int64_t>();
}

std::optional<std::string> JsonStr(const nlohmann::ordered_json& obj, const char* key) {
  if (!obj.is_object()) return std::nullopt;
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

const nlohmann::ordered_json* Event::Field(const char* key) const {
  auto it = fields.find(key);
  return it == fields.end() ? nullptr : &*it;
}

std::optional<int64_t> Event::Int(const char* key) const { return JsonInt(fields, key); }

std::optional<std::string> Event::Str(const char* key) const { return JsonStr(fields, key); }

std::optional<bool> Event::Bool(const char* key) const {
  auto it = fields.find(key);
  if (it == fields.end() || !it->is_boolean()) return std::nullopt;
  return it->get<bool>();
}

std::string Event::StrOr(const char* key, std::string_view fallback) const {
  auto it = fields.find(key);
  if (it == fields.end() || !it->is_string()) return std::string(fallback);
  return it->get_ref<const std::string&>();
}

bool IsBlankLine(std::string_view line) {
  for (char c : line) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
  }
  return true;
}

ParseResult ParseEvent(std::string_view line) {
  ParseResult result;
  if (line.size() > kMaxLineBytes) {
    result.error = fmt::format("line of {} bytes is longer than the limit of {}", line.size(),
                               kMaxLineBytes);
    return result;
  }
  auto j = trace::ParseEventJson<nlohmann::ordered_json>(line);
  if (j.is_discarded()) {
    result.error = fmt::format("not valid JSON, or nested deeper than {} levels (truncated or corrupt line)",
                               trace::kMaxEventJsonDepth);
    return result;
  }
  if (!j.is_object()) {
    result.error = fmt::format("a JSON {} where an object was expected", j.type_name());
    return result;
  }
  auto type_it = j.find("type");
  if (type_it == j.end() || !type_it->is_string()) {
    result.error = "no string \"type\" field";
    return result;
  }
  auto ts_it = j.find("ts");
  if (ts_it == j.end() || !ts_it->is_number_integer()) {
    result.error = "no integer \"ts\" field";
    return result;
  }
  auto pid_it = j.find("pid");
  if (pid_it == j.end() || !pid_it->is_number_integer()) {
    result.error = "no integer \"pid\" field";
    return result;
  }
  Event ev;
  ev.type_name = type_it->get<std::string>();
  ev.type = trace::EventTypeFromName(ev.type_name);
  ev.ts = ts_it->get<int64_t>();
  ev.pid = pid_it->get<int64_t>();
  ev.fields = std::move(j);
  result.event = std::move(ev);
  return result;
}

std::string_view TypeSlotName(size_t slot) {
  if (slot >= kUnknownTypeSlot) return "unknown";
  return trace::EventTypeName(static_cast<EventType>(slot));
}

ParseResult ParseLine(std::string_view line) {
  return IsBlankLine(line) ? ParseResult{} : ParseEvent(line);
}

bool IsCrashExit(std::optional<int64_t> signal, int64_t exit_code, bool serves_a_client,
                 bool children_told_to_quit) {
  if (signal) return true;
  if (exit_code == 2 && children_told_to_quit) return false;
  return exit_code != 0 && !(exit_code == 1 && serves_a_client);
}

}  // namespace minipg::viz
