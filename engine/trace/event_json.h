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

#include <nlohmann/json.hpp>

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

}  // namespace minipg::trace
