/*-------------------------------------------------------------------------
 * runner_args.cpp
 *   Targets and file arguments of the file runners (runner_args.h).
 *-------------------------------------------------------------------------
 */
#include "sim/cli/runner_args.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace minipg::sim {

namespace fs = std::filesystem;

std::optional<Target> ParseTarget(std::string_view arg) {
  size_t eq = arg.find('=');
  if (eq == std::string_view::npos || eq == 0) return std::nullopt;
  return Target{std::string(arg.substr(0, eq)), std::string(arg.substr(eq + 1))};
}

std::vector<fs::path> FilesFromArgs(const std::vector<std::string>& args, std::string_view extension) {
  std::vector<fs::path> files;
  for (const std::string& a : args) {
    if (!fs::is_directory(a)) {
      files.emplace_back(a);
      continue;
    }
    std::vector<fs::path> found;
    for (const auto& e : fs::recursive_directory_iterator(a)) {
      if (e.is_regular_file() && e.path().extension() == extension) found.push_back(e.path());
    }
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

std::optional<std::string> ReadWholeFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace minipg::sim
