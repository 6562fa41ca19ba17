/*-------------------------------------------------------------------------
 * server_log.h
 *   The server log, in PostgreSQL's stderr format:
 *
 *     2026-11-25 09:14:03.512 UTC [4242] LOG:  database system is ready to accept connections
 *
 *   Every process writes to the stderr it inherited from the postmaster;
 *   each line is written with one write() so lines of different processes
 *   do not interleave.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <fmt/format.h>

#include <string_view>

#include "engine/common/error.h"

namespace minipg {

/* LOG, WARNING, FATAL, ERROR, DETAIL, HINT, STATEMENT, ... as PostgreSQL names them. */
void LogLine(std::string_view level, std::string_view message);

/* An error that ends a server process: its severity (FATAL at least, or
 * PANIC), then DETAIL and HINT lines when it has them. */
void LogError(const Error& e);

template <typename... Args>
void Log(fmt::format_string<Args...> f, Args&&... args) {
  LogLine("LOG", fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace minipg
