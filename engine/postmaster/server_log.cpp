/*-------------------------------------------------------------------------
 * server_log.cpp
 *   Formatting and writing server log lines.
 *-------------------------------------------------------------------------
 */
#include "engine/postmaster/server_log.h"

#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <string>

namespace minipg {

void LogLine(std::string_view level, std::string_view message) {
  timeval tv{};
  gettimeofday(&tv, nullptr);
  tm t{};
  gmtime_r(&tv.tv_sec, &t);
  char stamp[32];
  strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &t);
  std::string line = fmt::format("{}.{:03d} UTC [{}] {}:  {}\n", stamp, tv.tv_usec / 1000, getpid(),
                                 level, message);
  ssize_t unused = write(STDERR_FILENO, line.data(), line.size());
  (void)unused;
}

void LogError(const Error& e) {
  LogLine(e.severity == Severity::kPanic ? "PANIC" : "FATAL", e.message);
  if (!e.detail.empty()) LogLine("DETAIL", e.detail);
  if (!e.hint.empty()) LogLine("HINT", e.hint);
}

}  // namespace minipg
