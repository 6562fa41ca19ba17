/*-------------------------------------------------------------------------
 * shared_memory.cpp
 *   Applying the storage events to the viewer's picture of shared memory
 *   (see shared_memory.h).
 *-------------------------------------------------------------------------
 */
#include "viz/model/shared_memory.h"

#include <fmt/format.h>

#include <algorithm>

namespace minipg::viz {
namespace {

constexpr int64_t kWriterShownUs =
    kBufferIoShownUs;             // a writer stays "writing" as long as its cells flash
constexpr uint8_t kMaxUsage = 5;  // BM_MAX_USAGE_COUNT

}  // namespace

std::string_view BufferShownName(BufferShown s) {
  switch (s) {
    case BufferShown::kFree:
      return "free";
    case BufferShown::kClean:
      return "clean";
    case BufferShown::kDirty:
      return "dirty";
    case BufferShown::kPinned:
      return "pinned";
    case BufferShown::kReading:
      return "being read";
    case BufferShown::kWriting:
      return "being written";
  }
  return "";
}

std::optional<uint64_t> LsnField(const Event& ev, const char* key) {
  auto text = ev.Str(key);
  return text ? trace::ParseLsnField(*text) : std::nullopt;
}

std::string FormatLsnValue(uint64_t lsn) {
  return fmt::format("{:X}/{:X}", static_cast<uint32_t>(lsn >> 32), static_cast<uint32_t>(lsn));
}

std::string_view ForkName(uint8_t fork) {
  switch (fork) {
    case 0:
      return "main";
    case 1:
      return "fsm";
    case 2:
      return "vm";
  }
  return "?";
}

std::optional<uint8_t> ForkFromName(std::string_view name) {
  for (uint8_t f = 0; f < 3; ++f) {
    if (ForkName(f) == name) return f;
  }
  return std::nullopt;
}

std::string SharedMemory::RelationLabel(int32_t rel) const {
  if (rel < 0 || static_cast<size_t>(rel) >= relations_.size()) return "";
  const RelationName& r = relations_[static_cast<size_t>(rel)];
  return r.relname.empty() ? r.rel : fmt::format("{} ({})", r.relname, r.rel);
}

BufferShown SharedMemory::ShownAt(size_t i, int64_t now_ts) const {
  const BufferInfo* b = Buffer(i);
  if (b == nullptr || !b->Valid()) return BufferShown::kFree;
  bool recent = b->last_io != BufferIo::kNone && now_ts >= b->last_io_ts &&
                now_ts - b->last_io_ts < kBufferIoShownUs;
  if (recent) return b->last_io == BufferIo::kWrite ? BufferShown::kWriting : BufferShown::kReading;
  if (b->pinned_by != 0) return BufferShown::kPinned;
  return b->dirty ? BufferShown::kDirty : BufferShown::kClean;
}

std::vector<WriterActivity> SharedMemory::WritersAt(int64_t now_ts) const {
  std::vector<WriterActivity> out;
  auto recent = [&](int64_t ts) { return ts != 0 && now_ts >= ts && now_ts - ts < kWriterShownUs; };
  for (const auto& [pid, w] : writers_) {
    WriterActivity shown = w;
    shown.wal = recent(w.last_wal_ts);
    if (!recent(w.last_buffer_ts)) shown.buffers = 0;
    if (shown.wal || shown.buffers > 0) out.push_back(std::move(shown));
  }
  std::sort(out.begin(), out.end(),
            [](const WriterActivity& a, const WriterActivity& b) { return a.pid < b.pid; });
  return out;
}

void SharedMemory::ReleasePins(int64_t pid) {
  auto it = pins_.find(pid);
  if (it == pins_.end()) return;
  if (it->second < buffers_.size() && buffers_[it->second].pinned_by == pid)
    buffers_[it->second].pinned_by = 0;
  pins_.erase(it);
}

void SharedMemory::MarkLost() {
  lost_ = true;
  pins_.clear();
  for (BufferInfo& b : buffers_) b.pinned_by = 0;
  // WAL still in the WAL buffers (inserted, not yet written) is gone with them.
  wal_.insert_lsn = wal_.flush_lsn;
}

WriterActivity& SharedMemory::Writer(const Event& ev) {
  // Forget writers long quiet first: the map holds only processes that
  // wrote in the last few seconds.
  std::erase_if(writers_, [&](const auto& kv) {
    return ev.ts - std::max(kv.second.last_buffer_ts, kv.second.last_wal_ts) > 10 * kWriterShownUs;
  });
  WriterActivity& w = writers_[ev.pid];
  w.pid = ev.pid;
  return w;
}

void SharedMemory::Pin(int64_t pid, size_t buffer) {
  ReleasePins(pid);
  buffers_[buffer].pinned_by = pid;
  pins_[pid] = buffer;
}

int32_t SharedMemory::Intern(const Event& ev) {
  std::string rel = ev.StrOr("rel");
  std::string relname = ev.StrOr("relname");
  auto it = relation_index_.find(rel);
  if (it != relation_index_.end()) {
    if (!relname.empty()) relations_[static_cast<size_t>(it->second)].relname = std::move(relname);
    return it->second;
  }
  if (relations_.size() >= kMaxRelations - 1) {
    // Past the bound, every new relation shares one entry ("(many)"): the
    // cells still show their state, only the name is lost.
    auto many = relation_index_.find("");
    if (many != relation_index_.end()) return many->second;
    rel.clear();
    relname = "(too many relations to name)";
  }
  auto index = static_cast<int32_t>(relations_.size());
  relations_.push_back(RelationName{rel, std::move(relname)});
  relation_index_.emplace(std::move(rel), index);
  return index;
}

BufferInfo* SharedMemory::Slot(const Event& ev, std::string& problem) {
  auto buffer = ev.Int("buffer");
  if (!buffer || *buffer < 0) {
    problem = fmt::format("{} without a buffer number", ev.type_name);
    return nullptr;
  }
  auto i = static_cast<size_t>(*buffer);
  size_t bound = layout_seen_ ? std::min(nbuffers_, kMaxBuffers) : kMaxBuffers;
  if (i >= bound) {
    problem = fmt::format("{} for buffer {}, past the pool's {} buffers", ev.type_name, i, bound);
    return nullptr;
  }
  if (i >= buffers_.size()) buffers_.resize(i + 1);
  if (!layout_seen_) nbuffers_ = std::max(nbuffers_, i + 1);
  return &buffers_[i];
}

BufferInfo* SharedMemory::NamedSlot(const Event& ev, std::string& problem) {
  BufferInfo* b = Slot(ev, problem);
  if (b != nullptr && !b->Valid()) {
    // A page this viewer never saw read in (it joined late, or the read was
    // dropped): the event names it.
    b->rel = Intern(ev);
    b->fork = ForkFromName(ev.StrOr("fork", "main")).value_or(0);
    b->block = static_cast<uint32_t>(ev.Int("block").value_or(0));
  }
  return b;
}

void SharedMemory::OnLayout(const Event& ev) {
  // A new segment: every buffer is free, nobody holds a pin.
  layout_seen_ = true;
  lost_ = false;
  ++layouts_;
  nbuffers_ =
      static_cast<size_t>(std::clamp<int64_t>(ev.Int("nbuffers").value_or(0), 0, kMaxBuffers));
  wal_buffers_ = ev.Int("wal_buffers").value_or(0);
  buffers_.clear();
  buffers_.shrink_to_fit();
  pins_.clear();
  writers_.clear();
}

std::string SharedMemory::Apply(const Event& ev) {
  std::string problem;
  switch (*ev.type) {
    case EventType::kShmemLayout:
      OnLayout(ev);
      if (!ev.Int("nbuffers")) problem = "shmem_layout without nbuffers";
      break;
    case EventType::kBufferRead: {
      BufferInfo* b = Slot(ev, problem);
      if (b == nullptr) break;
      bool hit = ev.Bool("hit").value_or(false);
      int32_t rel = Intern(ev);
      auto fork = ForkFromName(ev.StrOr("fork", "main")).value_or(0);
      auto block = static_cast<uint32_t>(ev.Int("block").value_or(0));
      if (!hit || b->rel != rel || b->block != block || b->fork != fork) {
        // A miss (or a hit on a page this viewer never saw read in, as when
        // it joined late): the buffer now holds this page, clean.
        if (!hit || !b->Valid()) b->dirty = false;
        b->rel = rel;
        b->fork = fork;
        b->block = block;
        if (!hit) b->usage = 0;
      }
      if (auto usage = ev.Int("usage")) {
        b->usage = static_cast<uint8_t>(std::clamp<int64_t>(*usage, 0, kMaxUsage));
      } else if (b->usage < kMaxUsage) {
        ++b->usage;
      }
      if (!hit) {
        b->last_io = BufferIo::kRead;
        b->last_io_ts = ev.ts;
        b->last_io_pid = ev.pid;
      }
      ++b->reads;
      ++reads_;
      hits_ += hit ? 1 : 0;
      lost_ = false;
      Pin(ev.pid, static_cast<size_t>(b - buffers_.data()));
      break;
    }
    case EventType::kBufferEvict: {
      BufferInfo* b = Slot(ev, problem);
      if (b == nullptr) break;
      // The old page leaves; the read that follows names the new one.
      if (b->pinned_by != 0) pins_.erase(b->pinned_by);
      *b = BufferInfo{};
      ++evictions_;
      break;
    }
    case EventType::kBufferDirty: {
      BufferInfo* b = NamedSlot(ev, problem);
      if (b == nullptr) break;
      b->dirty = true;
      break;
    }
    case EventType::kBufferWrite: {
      BufferInfo* b = NamedSlot(ev, problem);
      if (b == nullptr) break;
      b->dirty = false;
      b->last_io = BufferIo::kWrite;
      b->last_io_ts = ev.ts;
      b->last_io_pid = ev.pid;
      ++writes_;
      std::string by = ev.StrOr("by", "backend");
      if (by == "checkpointer" && checkpoint_.running) ++checkpoint_.buffers_written;
      // Forget writers long quiet before adding one (the map holds only
      // processes that wrote in the last few seconds).
      WriterActivity& w = Writer(ev);
      if (ev.ts - w.last_buffer_ts > kWriterShownUs) w.buffers = 0;
      w.by = std::move(by);
      ++w.buffers;
      w.last_buffer_ts = ev.ts;
      break;
    }
    case EventType::kWalInsert: {
      auto lsn = LsnField(ev, "lsn");
      auto end = LsnField(ev, "end_lsn");
      if (!lsn || !end) {
        problem = "wal_insert without lsn or end_lsn";
        break;
      }
      wal_.known = true;
      wal_.insert_lsn = std::max(wal_.insert_lsn, *end);
      ++wal_.inserts;
      int64_t len = ev.Int("len").value_or(static_cast<int64_t>(*end - std::min(*end, *lsn)));
      wal_.bytes += len;
      WalRecordInfo r{*lsn,
                      *end,
                      ev.ts,
                      ev.pid,
                      ev.Int("xid").value_or(0),
                      len,
                      ev.Bool("fpi").value_or(false),
                      ev.StrOr("rmgr"),
                      ev.StrOr("record")};
      wal_.recent.push_back(std::move(r));
      while (wal_.recent.size() > kMaxWalRecords) wal_.recent.pop_front();
      break;
    }
    case EventType::kWalFlush: {
      auto upto = LsnField(ev, "upto");
      if (!upto) {
        problem = "wal_flush without upto";
        break;
      }
      wal_.known = true;
      wal_.flush_lsn = std::max(wal_.flush_lsn, *upto);
      wal_.insert_lsn = std::max(wal_.insert_lsn, wal_.flush_lsn);
      wal_.flush_ts = ev.ts;
      wal_.flush_pid = ev.pid;
      wal_.flush_by = ev.StrOr("by", "backend");
      wal_.flush_synced = ev.Bool("synced").value_or(true);
      ++wal_.flushes;
      WriterActivity& w = Writer(ev);
      w.by = wal_.flush_by;
      w.last_wal_ts = ev.ts;
      break;
    }
    case EventType::kCheckpointStart:
      checkpoint_.running = true;
      checkpoint_.pid = ev.pid;
      checkpoint_.start_ts = ev.ts;
      checkpoint_.reason = ev.StrOr("reason");
      checkpoint_.redo_lsn = LsnField(ev, "redo_lsn").value_or(0);
      checkpoint_.buffers_written = 0;
      checkpoint_.wal_removed = checkpoint_.wal_recycled = 0;
      if (checkpoint_.redo_lsn != 0) {
        wal_.known = true;
        wal_.insert_lsn = std::max(wal_.insert_lsn, checkpoint_.redo_lsn);
      }
      break;
    case EventType::kCheckpointDone: {
      checkpoint_.running = false;
      checkpoint_.pid = ev.pid;
      checkpoint_.end_ts = ev.ts;
      if (auto redo = LsnField(ev, "redo_lsn")) checkpoint_.redo_lsn = *redo;
      if (auto n = ev.Int("buffers_written")) checkpoint_.buffers_written = *n;
      checkpoint_.wal_removed = ev.Int("wal_removed").value_or(0);
      checkpoint_.wal_recycled = ev.Int("wal_recycled").value_or(0);
      if (ev.Bool("ok").value_or(true)) {
        ++checkpoint_.count;
        if (checkpoint_.redo_lsn != 0) {
          wal_.known = true;
          wal_.redo_lsn = checkpoint_.redo_lsn;
        }
      }
      break;
    }
    case EventType::kRecoveryStart:
      recovery_ = RecoveryInfo{};
      recovery_.phase = RecoveryPhase::kRunning;
      recovery_.pid = ev.pid;
      recovery_.reason = ev.StrOr("reason");
      recovery_.start_ts = ev.ts;
      if (auto redo = LsnField(ev, "redo_lsn")) {
        recovery_.redo_lsn = recovery_.lsn = *redo;
        wal_.known = true;
        wal_.redo_lsn = *redo;
      } else {
        problem = "recovery_start without redo_lsn";
      }
      break;
    case EventType::kRecoveryProgress:
      if (auto lsn = LsnField(ev, "lsn")) recovery_.lsn = std::max(recovery_.lsn, *lsn);
      recovery_.records = ev.Int("records").value_or(recovery_.records);
      if (recovery_.phase == RecoveryPhase::kNone) recovery_.phase = RecoveryPhase::kRunning;
      break;
    case EventType::kRecoveryDone:
      recovery_.phase = RecoveryPhase::kDone;
      if (auto end = LsnField(ev, "end_lsn")) {
        recovery_.end_lsn = recovery_.lsn = *end;
        // What was replayed is on disk: the WAL continues from its end.
        wal_.known = true;
        wal_.insert_lsn = std::max(wal_.insert_lsn, *end);
        wal_.flush_lsn = std::max(wal_.flush_lsn, *end);
      }
      recovery_.records = ev.Int("records").value_or(recovery_.records);
      recovery_.duration_us = ev.Int("duration_us").value_or(ev.ts - recovery_.start_ts);
      break;
    default:
      break;
  }
  return problem;
}

}  // namespace minipg::viz
