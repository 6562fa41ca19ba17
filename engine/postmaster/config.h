/*-------------------------------------------------------------------------
 * config.h
 *   The server's settings: every setting of the table (engine/common/guc.h)
 *   at its boot value, then minipg.conf in the data directory (PostgreSQL's
 *   postgresql.conf format), then the command line (-c name=value and the
 *   flags -p, -k, -h, -N), later sources overriding earlier ones as in
 *   PostgreSQL. Forked children inherit the Config; each backend's session
 *   starts from a copy of its Settings. On SIGHUP the postmaster, each
 *   backend, the checkpointer, the background writer and the WAL writer
 *   re-read minipg.conf (ReloadConfigFile).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "engine/common/error.h"
#include "engine/common/guc.h"

namespace minipg {

inline constexpr const char* kConfigFileName = "minipg.conf";

struct Config {
  std::filesystem::path data_directory;
  guc::Settings settings;  // every setting's value for this server

  /* A setting's value (see guc::Settings): config.Int("max_connections"). */
  int Int(std::string_view name) const { return static_cast<int>(settings.Int(name)); }
  bool Bool(std::string_view name) const { return settings.Bool(name); }
  double Real(std::string_view name) const { return settings.Real(name); }
  const std::string& String(std::string_view name) const { return settings.String(name); }

  /* The event port actually used: event_port, where 0 means port + 1
   * (none if port is 65535) and -1 none. */
  int EffectiveEventPort() const {
    int event_port = Int("event_port");
    if (event_port != 0) return event_port;
    return Int("port") < 65535 ? Int("port") + 1 : -1;
  }
};

/* Checks what no single setting can: superuser_reserved_connections must
 * leave ordinary roles at least one of max_connections' slots. */
Status CheckConfig(const Config& config);

/* Sets one setting from the command line (-c name=value or a flag). */
Status SetConfigOption(Config& config, std::string_view name, std::string_view value);

/* Reads `path` (if it exists) into `config`: lines of `name = value`, with
 * '#' comments and optionally single-quoted values. Errors name the line. */
Status LoadConfigFile(Config& config, const std::filesystem::path& path);

/* The `name = value` lines of `path` (none if it does not exist); 42601
 * for a line that is neither. */
Result<std::vector<guc::FileValue>> ReadConfigFile(const std::filesystem::path& path);

/* Re-reads `path` into a process's settings on SIGHUP (guc::Settings::
 * Reload); returns the lines to log. Every process does this itself, as
 * each PostgreSQL process calls ProcessConfigFile. */
std::vector<std::string> ReloadConfigFile(guc::Settings& settings, const std::filesystem::path& path);

/* The minipg.conf a new data directory gets (PostgreSQL's
 * postgresql.conf.sample), made from the table: every setting the file
 * may set, commented out at its boot value, by category. */
std::string SampleConfigFile();

}  // namespace minipg
