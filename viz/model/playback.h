/*-------------------------------------------------------------------------
 * playback.h
 *   Live and recorded viewing through one model. Every line that arrives
 *   is recorded (TraceStore) and applied to the live model; the picture
 *   shows either that live model ("live") or a replay model positioned
 *   anywhere in the record (paused, stepping, seeking, or playing at a
 *   chosen speed), rebuilt by the same Model code from the same lines.
 *
 *     live --Pause / Step / Seek--> paused at line N (replay model)
 *     paused --Play--> playing (N advances with the clock x speed)
 *     playing --reaches the newest line--> live (a live source)
 *                                     or paused at the end (a finished file)
 *     paused / playing --GoLive--> live
 *
 *   Position N means "the model after the first N lines"; step forward and
 *   back move N by one line (one event).
 *
 * NOTES
 *   Seeking backwards restores the nearest checkpoint at or before the
 *   target (a copy of the live model taken every `checkpoint_every` lines)
 *   and replays the lines after it, so a step back costs at most that many
 *   lines, never the whole record. Checkpoints are bounded: when there are
 *   kMaxCheckpoints, every other one is dropped and the interval doubles.
 *   A copy costs in proportion to the processes the model holds, so the
 *   interval is also at least `lines_per_process` lines per process: with
 *   a thousand backends a checkpoint is not taken several times a second
 *   (each one a frame's worth of copying), and copying stays a small share
 *   of applying the lines.
 *   While paused the live model keeps taking lines ("pause freezes the
 *   picture while events keep being recorded").
 *   Not thread-safe: the UI thread owns it.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "viz/model/model.h"
#include "viz/model/trace_store.h"

namespace minipg::viz {

enum class PlaybackMode {
  kLive,     // showing the live model, following the stream
  kPaused,   // showing the replay model, standing still
  kPlaying,  // showing the replay model, advancing with the clock
};

class Playback {
 public:
  static constexpr size_t kMaxCheckpoints = 64;
  static constexpr double kMinSpeed = 0.1;
  static constexpr double kMaxSpeed = 10.0;
  /* While playing, a quiet stretch of the record longer than this (in
   * microseconds at 1x) is shortened to it: nobody wants to watch 30 s of nothing. */
  static constexpr int64_t kMaxGapUs = 2'000'000;
  /* Lines a playing replay reads from the record at a time. */
  static constexpr size_t kPlayBatch = 256;

  explicit Playback(ModelOptions options, size_t checkpoint_every = 8192, size_t lines_per_process = 32);

  /* Records one received line and applies it to the live model. Returns
   * the parsed event (valid until the next call; the model is done with it,
   * so an observer may move from it), or nullptr for a blank or malformed
   * line. */
  Event* Append(std::string_view line);
  /* The same for a line already parsed (ParseEvent(line), or nothing for a blank one). */
  Event* Append(std::string_view line, ParseResult parsed);

  /* The model to draw: the live one, or the replay one at position(). */
  const Model& shown() const { return mode_ == PlaybackMode::kLive ? live_ : *replay_; }
  const Model& live_model() const { return live_; }

  PlaybackMode mode() const { return mode_; }
  bool live() const { return mode_ == PlaybackMode::kLive; }
  /* Lines recorded so far. */
  size_t size() const { return store_.size(); }
  /* Lines applied to the shown model (size() while live). */
  size_t position() const { return mode_ == PlaybackMode::kLive ? store_.size() : position_; }
  /* The timestamp the shown model has reached. */
  int64_t position_ts() const { return shown().last_ts(); }
  double speed() const { return speed_; }
  /* Whether the source can still send lines (set by the app): playing to
   * the end of a live record goes live; of a finished one, it pauses. */
  void set_source_live(bool live) { source_live_ = live; }
  /* The input is a live stream still arriving (not a file, not ended). */
  bool source_live() const { return source_live_; }

  void Pause();
  void Play();
  void GoLive();
  void SetSpeed(double speed);
  void StepForward();
  void StepBack();
  /* Shows the model after the first `n` lines (clamped to size()); pauses. */
  void SeekLine(size_t n);
  /* Shows the moment `ts`: the model after every line up to it; pauses. */
  void SeekTs(int64_t ts);
  /* Shows the moment of the next (forward) or previous recorded step_pause
   * of backend `pid` (0: any backend); pauses. False if there is none. */
  bool SeekStepPause(bool forward, int64_t pid);
  /* Advances a playing replay by `wall_us` of wall-clock time x speed. */
  void Tick(int64_t wall_us);

  /* Records a problem with the input itself in the live model (Model::NoteInputProblem). */
  void NoteInputProblem(AnomalyKind kind, std::string message) {
    live_.NoteInputProblem(kind, std::move(message));
  }

  /* Writes everything recorded to `path` as a JSON Lines trace ("" or the problem). */
  std::string SaveTrace(const std::string& path) { return store_.SaveTo(path); }
  /* "" unless the record could not be kept (then playback is off: live only). */
  const std::string& error() const { return store_.error(); }

  size_t checkpoint_count() const { return checkpoints_.size(); }
  size_t checkpoint_every() const { return checkpoint_every_; }

 private:
  struct Checkpoint {
    size_t lines = 0;  // the model after this many lines
    std::shared_ptr<const Model> model;
  };
  /* Makes replay_ the model after `n` lines, reusing it when moving forward. */
  void MoveTo(size_t n);
  void ApplyReplay(size_t from, size_t to);
  void TakeCheckpoint();
  /* The ts of the first line at or after position_ that has one. */

  TraceStore store_;
  Model live_;
  std::optional<Event> last_event_;
  std::unique_ptr<Model> replay_;
  size_t position_ = 0;
  PlaybackMode mode_ = PlaybackMode::kLive;
  double speed_ = 1.0;
  bool source_live_ = true;
  std::optional<int64_t> clock_us_;  // playing: the record's time reached (unset: its first event)
  std::vector<Checkpoint> checkpoints_;
  size_t checkpoint_every_;
  size_t lines_per_process_;
};

}  // namespace minipg::viz
