/*-------------------------------------------------------------------------
 * frame_stats.cpp
 *   The benchmark's frame-time summary (see frame_stats.h).
 *-------------------------------------------------------------------------
 */
#include "viz/app/frame_stats.h"

#include <algorithm>
#include <fstream>
#include <numeric>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace minipg::viz {
namespace {

std::string Summary(std::vector<int64_t> us) {
  if (us.empty()) return "{}";
  std::sort(us.begin(), us.end());
  auto at = [&](double q) {
    size_t i = std::min(us.size() - 1, static_cast<size_t>(q * static_cast<double>(us.size())));
    return static_cast<double>(us[i]) / 1000.0;
  };
  return fmt::format(R"({{"p50":{:.3f},"p95":{:.3f},"p99":{:.3f},"max":{:.3f}}})", at(0.50), at(0.95),
                     at(0.99), static_cast<double>(us.back()) / 1000.0);
}

}  // namespace

std::vector<int64_t> FrameStats::FramesPerSecond(size_t skip) const {
  constexpr int64_t kSecondUs = 1'000'000;
  std::vector<int64_t> seconds;
  int64_t in_second = 0, second_end = kSecondUs, elapsed = 0;
  for (size_t i = std::min(skip, frame_us_.size()); i < frame_us_.size(); ++i) {
    elapsed += frame_us_[i];
    while (elapsed > second_end) {  // this frame ended after the second did
      seconds.push_back(in_second);
      in_second = 0;
      second_end += kSecondUs;
    }
    ++in_second;
  }
  return seconds;  // a last, partial second does not count
}

int64_t FrameStats::FewestFramesInASecond(size_t skip) const {
  std::vector<int64_t> seconds = FramesPerSecond(skip);
  return seconds.empty() ? -1 : *std::min_element(seconds.begin(), seconds.end());
}

std::string FrameStats::Write(const std::string& path, const std::string& extra, size_t skip) const {
  size_t from = std::min(skip, frame_us_.size());
  std::vector<int64_t> frames(frame_us_.begin() + static_cast<ptrdiff_t>(from), frame_us_.end());
  std::vector<int64_t> ingest(ingest_us_.begin() + static_cast<ptrdiff_t>(from), ingest_us_.end());
  int64_t total = std::accumulate(frames.begin(), frames.end(), int64_t{0});
  double fps = total > 0 ? static_cast<double>(frames.size()) * 1e6 / static_cast<double>(total) : 0.0;
  std::ofstream out(path, std::ios::trunc);
  if (!out) return fmt::format("cannot write {}", path);
  out << fmt::format(R"({{"frames":{},"fps":{:.1f},"min_fps_1s":{},"fps_by_second":[{}],"frame_ms":{},)"
                     R"("ingest_ms":{}{}{}}})",
                     frames.size(), fps, FewestFramesInASecond(skip), fmt::join(FramesPerSecond(skip), ","),
                     Summary(frames), Summary(ingest), extra.empty() ? "" : ",", extra)
      << "\n";
  out.close();
  return out ? "" : fmt::format("error writing {}", path);
}

}  // namespace minipg::viz
