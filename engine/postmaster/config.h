/*-------------------------------------------------------------------------
 * config.h
 *   Server settings: their defaults, the config file in the data directory
 *   (minipg.conf, PostgreSQL's postgresql.conf format), and -c name=value
 *   from the command line. Later sources override earlier ones:
 *   defaults < minipg.conf < command line.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "engine/common/error.h"

namespace minipg {

inline constexpr const char* kServerVersion = "15.0 (minipg 0.1.0)";
inline constexpr const char* kConfigFileName = "minipg.conf";

struct Config {
  std::filesystem::path data_directory;
  int port = 5432;
  std::string listen_addresses = "localhost";  // comma-separated; "*" = all IPv4; "" = no TCP
  std::string unix_socket_directories = "/tmp";  // comma-separated; "" = no Unix socket
  int max_connections = 100;
  int superuser_reserved_connections = 3;  // of max_connections, kept for superusers
  int event_port = 0;          // 0 = port + 1 (none if port is 65535); -1 = no event port
  std::string trace_file;      // "" = none; relative paths are inside the data directory
  int authentication_timeout = 60;  // seconds a new connection has to finish startup
  bool fsync = true;
  bool restart_after_crash = true;  // after a backend crash: reinitialize and accept again
  int checkpoint_timeout = 300;     // seconds between timed checkpoints (1s .. 1d)
  bool event_query_text = true;     // off: events leave query text out (docs/events.md)

  /* The event port actually used (resolves the 0 default). */
  int EffectiveEventPort() const {
    if (event_port != 0) return event_port;
    return port < 65535 ? port + 1 : -1;
  }
};

/* Checks what no single setting can: superuser_reserved_connections must
 * leave ordinary roles at least one of max_connections' slots. */
Status CheckConfig(const Config& config);

/* Sets one setting from text, checking its name and value. */
Status SetConfigOption(Config& config, std::string_view name, std::string_view value);

/* Reads `path` (if it exists) into `config`: lines of `name = value`, with
 * '#' comments and optionally single-quoted values. Errors name the line. */
Status LoadConfigFile(Config& config, const std::filesystem::path& path);

/* The names of every setting, for docs and the sample config file. */
std::vector<std::string> ConfigOptionNames();

/* The value of a setting as text. */
std::string GetConfigOption(const Config& config, std::string_view name);

}  // namespace minipg
