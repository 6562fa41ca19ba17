/*-------------------------------------------------------------------------
 * replay_test.cpp
 *   The fuzz targets in the ordinary test build: runs a target's
 *   LLVMFuzzerTestOneInput over every file of its seed corpus
 *   (tests/fuzz/corpus/TARGET) and of its regression inputs
 *   (tests/fuzz/regressions/TARGET, one per crash the fuzzers found), so
 *   each crash stays fixed in every build, gcc or clang, with the
 *   sanitizers of that build. Compiled once and linked into each target's
 *   replay test with a generated line naming the target's suite and
 *   folders (tests/fuzz/CMakeLists.txt), so its tests are registered at
 *   start-up under that suite (CopyFormatFuzz.SeedCorpus).
 *
 * NOTES
 *   A crash aborts the process: the last "replay:" line printed names the
 *   input, and `FUZZER INPUT` (the libFuzzer binary of a fuzz build, or
 *   scripts/fuzz.sh) reproduces it.
 *-------------------------------------------------------------------------
 */
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

// The target's test suite and folders (the generated TARGET_replay_paths.cpp).
extern const char* const kFuzzSuite;
extern const char* const kFuzzCorpus;
extern const char* const kFuzzRegressions;

namespace {

namespace fs = std::filesystem;

std::vector<fs::path> FilesUnder(const fs::path& dir) {
  std::vector<fs::path> files;
  if (!fs::is_directory(dir)) return files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().filename() != "README.md") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

/* Runs the target on each file; returns how many it ran. */
size_t Replay(const fs::path& dir) {
  size_t n = 0;
  for (const fs::path& file : FilesUnder(dir)) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string bytes = ss.str();
    std::printf("replay: %s\n", file.c_str());
    std::fflush(stdout);
    EXPECT_EQ(LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()), 0)
        << file;
    ++n;
  }
  return n;
}

// Scenario: every seed of the target's corpus runs without a crash or a
// sanitizer report (and there are seeds: an empty corpus would test nothing).
class SeedCorpus : public testing::Test {
  void TestBody() override { EXPECT_GT(Replay(kFuzzCorpus), 0u); }
};

// Scenario: every input that once crashed the target runs cleanly now.
class Regressions : public testing::Test {
  void TestBody() override { Replay(kFuzzRegressions); }
};

const bool kRegistered = [] {
  testing::RegisterTest(kFuzzSuite, "SeedCorpus", nullptr, nullptr, __FILE__, __LINE__,
                        []() -> testing::Test* { return new SeedCorpus; });
  testing::RegisterTest(kFuzzSuite, "Regressions", nullptr, nullptr, __FILE__, __LINE__,
                        []() -> testing::Test* { return new Regressions; });
  return true;
}();

}  // namespace
