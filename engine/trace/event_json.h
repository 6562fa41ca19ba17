/*-------------------------------------------------------------------------
 * event_json.h
 *   Decoding one line of the event stream as JSON, with a bound on how
 *   deeply it nests. Shared by everything that reads lines others wrote:
 *   the collector (lines from subscribers), the visualizer (the stream or
 *   a saved trace) and the scenario runner's event link.
 *
 * NOTES
 *   Events are flat: an object of scalars, a few fields one or two levels
 *   deep (a postmaster's "listen" list). A line nested deeper than
 *   kMaxEventJsonDepth is malformed, whoever sent it: it decodes as a
 *   discarded value, like any other line that is not JSON. nlohmann's
 *   parser keeps its own stack on the heap (it does not recurse), and its
 *   callback sees each value's depth, so the deep part is skipped as it is
 *   read and never stored. What is accepted can then be dumped, copied and
 *   compared (nlohmann recurses there) without any risk to the stack.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace minipg::trace {

inline constexpr int kMaxEventJsonDepth = 64;

/* The JSON value in [first, last), or a discarded value if it is not valid
 * JSON or nests deeper than kMaxEventJsonDepth. Never throws. */
template <typename Json, typename Iterator>
Json ParseEventJson(Iterator first, Iterator last) {
  bool too_deep = false;
  Json value = Json::parse(
      first, last,
      [&too_deep](int depth, typename Json::parse_event_t, Json&) {
        if (depth >= kMaxEventJsonDepth) {  // depth counts from 0 at the outermost value
          too_deep = true;
          return false;  // skip it: nothing this deep is kept
        }
        return true;
      },
      /*allow_exceptions=*/false);
  if (too_deep) {
    return Json(Json::value_t::discarded);
  }
  return value;
}

template <typename Json>
Json ParseEventJson(std::string_view line) {
  return ParseEventJson<Json>(line.begin(), line.end());
}

/* The top-level fields of one event line, read in place without building
 * a document: what the collector needs of the events it tracks, at the
 * rate they come (a full parse of every line was most of its work). The
 * line must be valid JSON (made by the emitter, or checked by
 * ParseEventJson); value() mirrors nlohmann's for the fields it reads. */
class FlatEvent {
 public:
  explicit FlatEvent(std::string_view line) : line_(line) {}

  /* The raw JSON text of field `key` ("\"idle\"", "42", "[...]"), if present. */
  std::optional<std::string_view> Raw(std::string_view key) const {
    size_t i = 1;  // after '{'
    while (i < line_.size()) {
      SkipSpace(i);
      if (i >= line_.size() || line_[i] != '"') return std::nullopt;  // '}' or not an object
      size_t key_end = SkipString(i);
      std::string_view k = line_.substr(i + 1, key_end - i - 2);
      i = key_end;
      SkipSpace(i);
      ++i;  // ':'
      SkipSpace(i);
      size_t value_end = SkipValue(i);
      if (k == key) return line_.substr(i, value_end - i);
      i = value_end;
      SkipSpace(i);
      ++i;  // ',' or '}'
    }
    return std::nullopt;
  }

  int64_t value(std::string_view key, int64_t fallback) const {
    auto raw = Raw(key);
    if (!raw || raw->empty() || !(raw->front() == '-' || (raw->front() >= '0' && raw->front() <= '9'))) {
      return fallback;
    }
    int64_t v = fallback;
    std::from_chars(raw->data(), raw->data() + raw->size(), v);
    return v;
  }

  std::string value(std::string_view key, const char* fallback) const {
    auto raw = Raw(key);
    if (!raw || raw->size() < 2 || raw->front() != '"') return fallback;
    if (raw->find('\\') == std::string_view::npos) return std::string(raw->substr(1, raw->size() - 2));
    auto decoded = nlohmann::json::parse(*raw, nullptr, /*allow_exceptions=*/false);  // escapes: rare
    return decoded.is_string() ? decoded.get<std::string>() : fallback;
  }

 private:
  void SkipSpace(size_t& i) const {
    while (i < line_.size() && (line_[i] == ' ' || line_[i] == '\t' || line_[i] == '\n' || line_[i] == '\r')) ++i;
  }
  /* From the opening quote at i to just past the closing one. */
  size_t SkipString(size_t i) const {
    for (++i; i < line_.size(); ++i) {
      if (line_[i] == '\\') {
        ++i;
      } else if (line_[i] == '"') {
        return i + 1;
      }
    }
    return line_.size();
  }
  /* From the first character of a value at i to just past it. */
  size_t SkipValue(size_t i) const {
    int depth = 0;
    while (i < line_.size()) {
      char c = line_[i];
      if (c == '"') {
        i = SkipString(i);
        if (depth == 0) return i;
        continue;
      }
      if (c == '{' || c == '[') ++depth;
      if (c == '}' || c == ']') {
        if (depth == 0) return i;  // the end of the enclosing object
        if (--depth == 0) return i + 1;
      }
      if (depth == 0 && c == ',') return i;
      ++i;
    }
    return i;
  }

  std::string_view line_;
};

}  // namespace minipg::trace
