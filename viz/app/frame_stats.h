/*-------------------------------------------------------------------------
 * frame_stats.h
 *   Frame timings for the scale benchmark (scripts/bench-viz.sh): how long
 *   each frame took, wall clock from the end of one to the end of the
 *   next, and how much of it went to ingesting events. `--frame-stats
 *   FILE` writes a summary as JSON when the program ends: frame and ingest
 *   time percentiles, mean frames per second, and the fewest frames drawn
 *   in any one second of the run ("keeps at least 60 frames per second"
 *   means that one, where the mean can hide a slow stretch).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace minipg::viz {

class FrameStats {
 public:
  void Add(int64_t frame_us, int64_t ingest_us) {
    frame_us_.push_back(frame_us);
    ingest_us_.push_back(ingest_us);
  }
  /* Writes {frames, fps, min_fps_1s, fps_by_second [...], frame_ms {p50,
   * p95, p99, max}, ingest_ms {...}, plus `extra` (a JSON object's members,
   * already formatted)}; "" or the problem. The first `skip` frames
   * (start-up) are left out. */
  std::string Write(const std::string& path, const std::string& extra, size_t skip = 10) const;
  /* The fewest frames that ended within one of the whole seconds after the
   * first `skip` frames (back to back; a last, partial second does not
   * count); -1 if the run was shorter than a second. */
  int64_t FewestFramesInASecond(size_t skip = 10) const;
  /* The frames that ended within each whole second after the first `skip`
   * frames, in order (where in a run a slow second was). */
  std::vector<int64_t> FramesPerSecond(size_t skip = 10) const;

 private:
  std::vector<int64_t> frame_us_;
  std::vector<int64_t> ingest_us_;
};

}  // namespace minipg::viz
