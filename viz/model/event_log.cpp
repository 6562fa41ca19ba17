/*-------------------------------------------------------------------------
 * event_log.cpp
 *   See event_log.h.
 *-------------------------------------------------------------------------
 */
#include "viz/model/event_log.h"

#include <algorithm>

namespace minipg::viz {

inline constexpr size_t kMaxLogTextBytes = 400;

std::string FormatLogFields(const Event& ev) {
  std::string out;
  for (const auto& [key, value] : ev.fields.items()) {
    if (key == "type" || key == "ts" || key == "pid") continue;
    if (!out.empty()) out += ' ';
    out += key;
    out += '=';
    if (value.is_string()) {
      std::string s = value.get<std::string>();
      std::replace(s.begin(), s.end(), '\n', ' ');
      bool quote = s.empty() || s.find(' ') != std::string::npos;
      if (quote) out += '"';
      out += s;
      if (quote) out += '"';
    } else {
      out += value.dump();
    }
    if (out.size() > kMaxLogTextBytes) {
      out.resize(kMaxLogTextBytes);
      out += "...";
      break;
    }
  }
  return out;
}

const std::string& LogEntry::text() const {
  if (!formatted_) {
    ParseResult r = ParseEvent(line);
    if (r.event) text_ = FormatLogFields(*r.event);
    formatted_ = true;
  }
  return text_;
}

void EventLog::PushBack(LogEntry e) {
  if (chunks_.empty() || chunks_.back()->size() == kChunk) {
    chunks_.push_back(std::make_shared<Chunk>());
    chunks_.back()->reserve(kChunk);
  } else if (chunks_.back().use_count() > 1) {
    // Shared with a copy (a checkpoint): this log appends to its own copy.
    auto own = std::make_shared<Chunk>(*chunks_.back());
    own->reserve(kChunk);
    chunks_.back() = std::move(own);
  }
  chunks_.back()->push_back(std::move(e));
  ++size_;
}

void EventLog::PopFront() {
  if (size_ == 0) return;
  --size_;
  if (++first_ == kChunk) {
    chunks_.erase(chunks_.begin());
    first_ = 0;
  }
}

}  // namespace minipg::viz
