/*-------------------------------------------------------------------------
 * ps_status.cpp
 *   Overwriting argv so `ps` shows what each process is doing.
 *-------------------------------------------------------------------------
 */
#include "engine/postmaster/ps_status.h"

#include <cstring>

extern char** environ;

namespace minipg {
namespace {

char* g_title_area = nullptr;  // start of argv[0]'s memory
size_t g_title_size = 0;       // bytes we may write (argv + environ strings, contiguous)
std::string g_fixed;           // e.g. "alice shop [local]"
std::string g_title;

}  // namespace

std::vector<std::string> InitPsStatus(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  if (argc == 0 || argv[0] == nullptr) return args;
  // Find the contiguous run of argv strings, then of environ strings after it.
  char* end = argv[0] + std::strlen(argv[0]) + 1;
  for (int i = 1; i < argc; ++i) {
    if (argv[i] != end) break;
    end = argv[i] + std::strlen(argv[i]) + 1;
  }
  size_t env_count = 0;
  for (char** e = environ; *e != nullptr; ++e) {
    if (*e == end) end = *e + std::strlen(*e) + 1;
    ++env_count;
  }
  // Move the environment away so we may overwrite its old memory.
  char** new_environ = new char*[env_count + 1];
  for (size_t i = 0; i < env_count; ++i) new_environ[i] = strdup(environ[i]);
  new_environ[env_count] = nullptr;
  environ = new_environ;
  // Later argv[i] must not point into the area we overwrite.
  for (int i = 1; i < argc; ++i) argv[i] = nullptr;
  g_title_area = argv[0];
  g_title_size = static_cast<size_t>(end - argv[0]);
  return args;
}

void SetPsTitle(std::string_view title) {
  g_title = "minipg: ";
  g_title.append(title);
  if (g_title_area == nullptr || g_title_size < 2) return;
  size_t n = std::min(g_title.size(), g_title_size - 1);
  std::memcpy(g_title_area, g_title.data(), n);
  // Pad with NULs: /proc/PID/cmdline then ends at the title.
  std::memset(g_title_area + n, 0, g_title_size - n);
}

void SetPsFixedPart(std::string_view fixed) { g_fixed = fixed; }

void SetPsActivity(std::string_view activity) {
  if (g_fixed.empty()) {
    SetPsTitle(activity);
  } else {
    SetPsTitle(g_fixed + " " + std::string(activity));
  }
}

std::string GetPsTitle() { return g_title; }

}  // namespace minipg
