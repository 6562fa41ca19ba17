/*-------------------------------------------------------------------------
 * export_cli_test.cpp
 *   Runs the real minipg-viz with --export-chrome and no display at all
 *   (DISPLAY and WAYLAND_DISPLAY unset): it must write the Chrome trace
 *   JSON and exit 0 without trying to open a window.
 *
 * NOTES
 *   The binary is found through MINIPG_BIN_DIR, falling back to the
 *   build's bin/ directory compiled in (as in screenshot_test.cpp).
 *-------------------------------------------------------------------------
 */
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

namespace {

namespace fs = std::filesystem;

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string VizBinary() {
  const char* dir = std::getenv("MINIPG_BIN_DIR");
  return std::string(dir != nullptr && *dir != '\0' ? dir : MINIPG_VIZ_BIN_DIR) + "/minipg-viz";
}

/* Runs a shell command with no display; returns its exit status (-1 if it did not exit). */
int RunWithoutDisplay(const std::string& args, std::string* output) {
  std::string full =
      "env -u DISPLAY -u WAYLAND_DISPLAY " + ShellQuote(VizBinary()) + " " + args + " 2>&1";
  FILE* pipe = ::popen(full.c_str(), "r");
  if (pipe == nullptr) return -1;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) output->append(buf, n);
  int status = ::pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Scenario: a user exports a recorded session on a machine with no display.
TEST(ExportCliTest, WritesChromeTraceWithoutAWindow) {
  ASSERT_TRUE(fs::exists(VizBinary())) << VizBinary() << " does not exist";
  fs::path dir = fs::temp_directory_path() / ("minipg-viz-export-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::path out = dir / "session.json";
  std::string trace = std::string(MINIPG_VIZ_TEST_DATA) + "/export_session.jsonl";

  std::string output;
  int rc = RunWithoutDisplay(
      "--open " + ShellQuote(trace) + " --export-chrome " + ShellQuote(out.string()), &output);
  ASSERT_EQ(rc, 0) << output;
  EXPECT_NE(output.find("wrote " + out.string()), std::string::npos) << output;
  EXPECT_NE(output.find("1 malformed lines"), std::string::npos) << output;
  EXPECT_EQ(output.find("cannot open a window"), std::string::npos) << output;

  std::ifstream in(out);
  nlohmann::json doc = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(doc.is_discarded()) << out << " is not valid JSON";
  ASSERT_TRUE(doc["traceEvents"].is_array());
  EXPECT_GT(doc["traceEvents"].size(), 100u);
  EXPECT_EQ(doc["displayTimeUnit"], "ms");
  EXPECT_EQ(doc["otherData"]["schema_version"], 4);

  // Without --open there is nothing to export: a usage error, no file.
  fs::path none = dir / "none.json";
  output.clear();
  EXPECT_NE(RunWithoutDisplay("--export-chrome " + ShellQuote(none.string()), &output), 0)
      << output;
  EXPECT_FALSE(fs::exists(none));
  fs::remove_all(dir);
}

}  // namespace
