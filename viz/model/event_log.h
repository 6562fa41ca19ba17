/*-------------------------------------------------------------------------
 * event_log.h
 *   The model's event log: the newest entries, oldest first, bounded by
 *   the caller (PopFront). Cheap to copy, because Playback copies the whole
 *   model for a checkpoint every few thousand lines: entries live in
 *   fixed-size chunks shared between copies, and only a copy that appends
 *   to a shared, half-filled last chunk copies that one chunk.
 *
 *     EventLog log;
 *     log.PushBack(std::move(entry));
 *     if (log.size() > capacity) log.PopFront();
 *     const LogEntry& newest = log.back();
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "viz/model/event.h"

namespace minipg::viz {

/*
 * One entry of the event log. Its text is made from the event's line the
 * first time it is read: at 50,000 events a second only the rows on screen
 * (or those a filter looks at) are ever formatted.
 */
struct LogEntry {
  uint64_t seq = 0;      // 1-based count of events (not lines) applied
  int64_t ts = 0;
  int64_t pid = 0;
  size_t type_slot = kUnknownTypeSlot;
  std::string type_name;

  /* "child=4242 role=backend conn=7 client=..." (the fields but type/ts/pid). */
  const std::string& text() const;

  std::string line;            // the event's JSON line (text() is made from it)
  mutable std::string text_;   // made by text()
  mutable bool formatted_ = false;
};

/* The fields of `ev` but type, ts and pid, as "key=value ...". */
std::string FormatLogFields(const Event& ev);

class EventLog {
 public:
  static constexpr size_t kChunk = 256;

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const LogEntry& operator[](size_t i) const {
    size_t g = first_ + i;
    return (*chunks_[g / kChunk])[g % kChunk];
  }
  const LogEntry& front() const { return (*this)[0]; }
  const LogEntry& back() const { return (*this)[size_ - 1]; }

  void PushBack(LogEntry e);
  void PopFront();

 private:
  using Chunk = std::vector<LogEntry>;
  std::vector<std::shared_ptr<Chunk>> chunks_;  // all full but the last
  size_t first_ = 0;                            // entries popped from chunks_[0]
  size_t size_ = 0;
};

}  // namespace minipg::viz
