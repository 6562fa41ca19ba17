/*-------------------------------------------------------------------------
 * event.cpp
 *   Parsing one line of the event stream into an Event.
 *
 * NOTES
 *   nlohmann::json::parse is called with exceptions disabled
 *   (allow_exceptions = false); ordered_json keeps
 *   the fields in the order the server wrote them, for the event log; a bad line yields a "discarded" value that
 *   we turn into an error string.
 *   The parser itself is not recursive, but copying or printing a JSON
 *   value is: a line of a million nested '[' would overflow the stack
 *   later, where the model copies the event. Lines nested deeper than
 *   kMaxJsonDepth are refused before they are parsed.
 *-------------------------------------------------------------------------
 */
#include "viz/model/event.h"

#include <fmt/format.h>

namespace minipg::viz {

std::optional<int64_t> Event::Int(const char* key) const {
  auto it = fields.find(key);
  if (it == fields.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int64_t>();
}

std::optional<std::string> Event::Str(const char* key) const {
  auto it = fields.find(key);
  if (it == fields.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

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

namespace {

/* Whether arrays and objects in a JSON text nest deeper than `limit`
 * (brackets inside strings do not count). */
bool NestsDeeperThan(std::string_view text, size_t limit) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return true;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return false;
}

}  // namespace

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
  if (NestsDeeperThan(line, kMaxJsonDepth)) {
    result.error = fmt::format("JSON nested deeper than {} levels", kMaxJsonDepth);
    return result;
  }
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(line.begin(), line.end(), nullptr,
                                           /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    result.error = "not valid JSON (truncated or corrupt line)";
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
