/*
 * viz_live_test.cpp
 *   The visualizer connected to a live server with clients, under Xvfb:
 *   the screenshot is written, has the requested size, and is not blank.
 */
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#define STB_IMAGE_IMPLEMENTATION
#include <stb/stb_image.h>

#include "tests/integration/server_harness.h"

namespace minipg::testing {
namespace {

// Scenario: three clients connected; minipg-viz --connect draws them and writes a real picture.
TEST(VizLiveTest, ScreenshotOfLiveServer) {
  if (RunCommand("command -v xvfb-run >/dev/null 2>&1").status != 0) {
    GTEST_SKIP() << "xvfb-run is not installed (scripts/install-deps.sh installs it)";
  }
  Server server;
  ASSERT_TRUE(server.Start());
  std::vector<std::unique_ptr<client::Connection>> clients;
  for (int i = 0; i < 3; ++i) {
    auto c = server.Connect(i % 2 == 0, "viz_client" + std::to_string(i));
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE((*c)->Query("SELECT " + std::to_string(i))->ok());
    clients.push_back(std::move(*c));
  }
  std::string png = server.data_dir().string() + "/live.png";
  auto r = RunCommand("xvfb-run -a -s '-screen 0 1280x800x24' " + BinDir() + "/minipg-viz --connect 127.0.0.1:" +
                      std::to_string(server.event_port()) + " --screenshot " + png +
                      " --after-ms 1500 --width 1024 --height 700 2>&1");
  ASSERT_EQ(r.status, 0) << r.out;
  ASSERT_TRUE(std::filesystem::exists(png)) << r.out;
  int w = 0, h = 0, n = 0;
  unsigned char* pixels = stbi_load(png.c_str(), &w, &h, &n, 3);
  ASSERT_NE(pixels, nullptr);
  EXPECT_EQ(w, 1024);
  EXPECT_EQ(h, 700);
  std::set<uint32_t> colours;
  for (int i = 0; i < w * h; i += 7) {
    colours.insert((pixels[3 * i] << 16) | (pixels[3 * i + 1] << 8) | pixels[3 * i + 2]);
  }
  stbi_image_free(pixels);
  EXPECT_GT(colours.size(), 8u) << "the picture is not blank";
}

}  // namespace
}  // namespace minipg::testing
