/*-------------------------------------------------------------------------
 * playback.cpp
 *   Live, paused, stepping and playing views of one record (see playback.h).
 *-------------------------------------------------------------------------
 */
#include "viz/model/playback.h"

#include <algorithm>
#include <cmath>

namespace minipg::viz {

Playback::Playback(ModelOptions options, size_t checkpoint_every, size_t lines_per_process)
    : live_(options),
      checkpoint_every_(std::max<size_t>(1, checkpoint_every)),
      lines_per_process_(lines_per_process) {
  checkpoints_.push_back({0, std::make_shared<const Model>(options)});
}

Event* Playback::Append(std::string_view line) {
  return Append(line, ParseLine(line));
}

Event* Playback::Append(std::string_view line, ParseResult r) {
  store_.Append(line, r.event ? r.event->ts : -1);
  live_.ApplyParsedLine(line, r);
  size_t since = store_.size() - checkpoints_.back().lines;
  if (since >= checkpoint_every_ && since >= lines_per_process_ * live_.processes().size()) TakeCheckpoint();
  last_event_ = std::move(r.event);
  return last_event_ ? &*last_event_ : nullptr;
}

void Playback::TakeCheckpoint() {
  if (!store_.error().empty()) return;
  if (checkpoints_.size() >= kMaxCheckpoints) {
    // Keep the first and every other one after it; the interval doubles.
    std::vector<Checkpoint> kept;
    for (size_t i = 0; i < checkpoints_.size(); i += 2) kept.push_back(checkpoints_[i]);
    checkpoints_ = std::move(kept);
    checkpoint_every_ *= 2;
    if (store_.size() - checkpoints_.back().lines < checkpoint_every_) return;
  }
  checkpoints_.push_back({store_.size(), std::make_shared<const Model>(live_)});
}

void Playback::ApplyReplay(size_t from, size_t to) {
  store_.Read(from, to, [&](size_t, std::string_view line) { replay_->ApplyLine(line); });
  position_ = to;
}

void Playback::MoveTo(size_t n) {
  n = std::min(n, store_.size());
  if (replay_ != nullptr && n >= position_ && n - position_ <= checkpoint_every_) {
    ApplyReplay(position_, n);  // a short step forward: continue from here
    return;
  }
  // The newest checkpoint at or before n (the first one is the empty model).
  auto it = std::upper_bound(checkpoints_.begin(), checkpoints_.end(), n,
                             [](size_t v, const Checkpoint& c) { return v < c.lines; });
  const Checkpoint& c = *std::prev(it);
  if (replay_ != nullptr && position_ <= n && position_ >= c.lines) {
    ApplyReplay(position_, n);  // already nearer than the checkpoint
    return;
  }
  replay_ = std::make_unique<Model>(*c.model);
  position_ = c.lines;
  ApplyReplay(position_, n);
}

void Playback::Pause() {
  if (mode_ == PlaybackMode::kLive) {
    if (!store_.error().empty()) return;  // no record: nothing to pause on
    replay_ = std::make_unique<Model>(live_);
    position_ = store_.size();
  }
  mode_ = PlaybackMode::kPaused;
}

void Playback::Play() {
  if (!store_.error().empty()) return;
  if (mode_ == PlaybackMode::kLive) return;  // already following
  if (position_ >= store_.size()) {
    if (source_live_) {
      GoLive();
      return;
    }
    MoveTo(0);  // a finished record played from its end starts over
  }
  // From the start of a record, the clock starts at its first event.
  clock_us_ = position_ == 0 ? std::nullopt : std::optional<int64_t>(replay_->last_ts());
  mode_ = PlaybackMode::kPlaying;
}

void Playback::GoLive() {
  mode_ = PlaybackMode::kLive;
  replay_.reset();
  position_ = 0;
}

void Playback::SetSpeed(double speed) {
  if (!std::isfinite(speed)) return;
  speed_ = std::clamp(speed, kMinSpeed, kMaxSpeed);
}

void Playback::StepForward() {
  if (mode_ == PlaybackMode::kLive) Pause();
  if (mode_ == PlaybackMode::kLive) return;
  mode_ = PlaybackMode::kPaused;
  MoveTo(position_ + 1);
}

void Playback::StepBack() {
  if (mode_ == PlaybackMode::kLive) Pause();
  if (mode_ == PlaybackMode::kLive) return;
  mode_ = PlaybackMode::kPaused;
  if (position_ > 0) MoveTo(position_ - 1);
}

void Playback::SeekLine(size_t n) {
  if (mode_ == PlaybackMode::kLive) Pause();
  if (mode_ == PlaybackMode::kLive) return;
  mode_ = PlaybackMode::kPaused;
  MoveTo(n);
}

void Playback::SeekTs(int64_t ts) {
  if (!store_.error().empty()) return;
  SeekLine(store_.LinesUpTo(ts));
}

void Playback::Tick(int64_t wall_us) {
  if (mode_ != PlaybackMode::kPlaying || replay_ == nullptr) return;
  const auto advance = static_cast<int64_t>(static_cast<double>(wall_us) * speed_);
  // One pass from the position: each line is parsed once and applied until
  // the first event after the clock. The clock starts at the first event;
  // a long quiet stretch before the next one is shortened to kMaxGapUs
  // before the clock moves on. A line without a ts goes with the one before.
  bool next_seen = false;
  bool reached = false;
  while (!reached && position_ < store_.size()) {
    size_t from = position_;
    bool ok = store_.Read(from, from + kPlayBatch, [&](size_t i, std::string_view line) {
      if (reached) return;
      ParseResult r = ParseLine(line);
      if (r.event) {
        if (!next_seen) {
          next_seen = true;
          if (!clock_us_) clock_us_ = r.event->ts;
          if (r.event->ts - *clock_us_ > kMaxGapUs) clock_us_ = r.event->ts - kMaxGapUs;
          *clock_us_ += advance;
        }
        if (r.event->ts > *clock_us_) {
          reached = true;
          return;
        }
      }
      replay_->ApplyParsedLine(line, r);
      position_ = i + 1;
    });
    if (!ok || position_ == from) break;
  }
  if (!next_seen && clock_us_) *clock_us_ += advance;
  if (position_ >= store_.size()) {
    if (source_live_) {
      GoLive();
    } else {
      mode_ = PlaybackMode::kPaused;
    }
  }
}

bool Playback::SeekStepPause(bool forward, int64_t pid) {
  // The model after line i+1 shows the pause of line i; the one shown now
  // is the pause of line position()-1, if it is one.
  size_t at = position();
  std::optional<size_t> line =
      forward ? FindStepPause(store_, at, true, pid) : (at < 2 ? std::nullopt : FindStepPause(store_, at - 1, false, pid));
  if (!line) return false;
  SeekLine(*line + 1);
  return true;
}

}  // namespace minipg::viz
