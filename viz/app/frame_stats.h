/*-------------------------------------------------------------------------
 * frame_stats.h
 *   Frame timings for the scale benchmark (scripts/bench-viz.sh): how long
 *   each frame took, wall clock from the end of one to the end of the
 *   next, and how much of it went to ingesting events. `--frame-stats
 *   FILE` writes a summary as JSON when the program ends.
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
  /* Writes {frames, fps, frame_ms {p50, p95, p99, max}, ingest_ms {...},
   * plus `extra` (a JSON object's members, already formatted)}; "" or the problem.
   * The first `skip` frames (start-up) are left out. */
  std::string Write(const std::string& path, const std::string& extra, size_t skip = 10) const;

 private:
  std::vector<int64_t> frame_us_;
  std::vector<int64_t> ingest_us_;
};

}  // namespace minipg::viz
