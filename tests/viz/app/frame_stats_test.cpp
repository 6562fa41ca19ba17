/*-------------------------------------------------------------------------
 * frame_stats_test.cpp
 *   Tests of FrameStats (viz/app/frame_stats.h), the scale benchmark's
 *   summary: the fewest frames in any one second (what "keeps at least 60
 *   frames per second" asks, where a mean can hide a slow stretch), and the
 *   JSON it writes.
 *-------------------------------------------------------------------------
 */
#include "viz/app/frame_stats.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace minipg::viz {
namespace {

// Scenario: four seconds of 100, 100, 40 (frames of 25 ms) and 100 frames,
// then 5 frames of a second not finished. The mean (345 frames in 4.05 s,
// about 85 a second) hides the slow second; the fewest frames in a whole
// second is 40, and the partial second does not count.
TEST(FrameStatsTest, FewestFramesInASecondFindsTheSlowSecond) {
  FrameStats stats;
  for (int i = 0; i < 200; ++i) stats.Add(10'000, 0);  // seconds 1 and 2: 100 each
  for (int i = 0; i < 40; ++i) stats.Add(25'000, 0);   // second 3: 40
  for (int i = 0; i < 100; ++i) stats.Add(10'000, 0);  // second 4: 100
  for (int i = 0; i < 5; ++i) stats.Add(10'000, 0);    // a partial second
  EXPECT_EQ(stats.FewestFramesInASecond(/*skip=*/0), 40);
  EXPECT_EQ(stats.FramesPerSecond(0), (std::vector<int64_t>{100, 100, 40, 100})) << "where the slow second was";
}

TEST(FrameStatsTest, ShorterThanASecondHasNoWholeSecond) {
  FrameStats stats;
  for (int i = 0; i < 50; ++i) stats.Add(10'000, 0);
  EXPECT_EQ(stats.FewestFramesInASecond(0), -1);
}

// Scenario: the start-up frames left out (skip) do not count in any second:
// 10 slow start-up frames of 200 ms, then two seconds of 60 frames.
TEST(FrameStatsTest, StartUpFramesAreLeftOut) {
  FrameStats stats;
  for (int i = 0; i < 10; ++i) stats.Add(200'000, 0);
  for (int i = 0; i < 120; ++i) stats.Add(1'000'000 / 60, 0);
  EXPECT_EQ(stats.FewestFramesInASecond(10), 60);
  EXPECT_EQ(stats.FewestFramesInASecond(0), 5);  // with them: 5 frames in each of the first two seconds
}

TEST(FrameStatsTest, WritesTheSummaryAsJson) {
  FrameStats stats;
  for (int i = 0; i < 130; ++i) stats.Add(10'000, 2'000);
  std::filesystem::path path = std::filesystem::temp_directory_path() / "minipg_frame_stats_test.json";
  ASSERT_EQ(stats.Write(path.string(), R"("events":7)"), "");
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::filesystem::remove(path);
  std::string json = text.str();
  EXPECT_NE(json.find(R"("frames":120,"fps":100.0,"min_fps_1s":100,"fps_by_second":[100],)"), std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("ingest_ms":{"p50":2.000)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("events":7})"), std::string::npos) << json;
}

}  // namespace
}  // namespace minipg::viz
