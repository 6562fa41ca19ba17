/*-------------------------------------------------------------------------
 * temp_dir.h
 *   A data directory for one test: made with mkdtemp, removed afterwards.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "minipg_test_XXXXXX").string();
    char* made = mkdtemp(tmpl.data());
    if (made != nullptr) {
      path_ = made;
    }
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) {
      std::filesystem::remove_all(path_, ec);
    }
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};
