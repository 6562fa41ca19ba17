/*-------------------------------------------------------------------------
 * config.cpp
 *   Parsing and checking server settings.
 *-------------------------------------------------------------------------
 */
#include "engine/postmaster/config.h"

#include <fmt/format.h>

#include <charconv>
#include <fstream>

#include "engine/common/sqlstate.h"

namespace minipg {
namespace {

Error BadValue(std::string_view name, std::string_view value, std::string_view why) {
  return MakeError(sqlstate::kInvalidParameterValue,
                   fmt::format("invalid value for parameter \"{}\": \"{}\" ({})", name, value, why));
}

Result<int> ParseInt(std::string_view name, std::string_view value, int lo, int hi) {
  int v = 0;
  auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || p != value.data() + value.size()) {
    return BadValue(name, value, "not an integer");
  }
  if (v < lo || v > hi) {
    return BadValue(name, value, fmt::format("must be between {} and {}", lo, hi));
  }
  return v;
}

Result<bool> ParseBool(std::string_view name, std::string_view value) {
  if (value == "on" || value == "true" || value == "yes" || value == "1") return true;
  if (value == "off" || value == "false" || value == "no" || value == "0") return false;
  return BadValue(name, value, "not a boolean");
}

/* A duration in seconds: a bare number is seconds; units s, min, h, d. */
Result<int64_t> ParseSeconds(std::string_view name, std::string_view value) {
  size_t digits = 0;
  while (digits < value.size() && value[digits] >= '0' && value[digits] <= '9') ++digits;
  std::string_view unit = value.substr(digits);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  int64_t scale = unit.empty() || unit == "s" ? 1 : unit == "min" ? 60 : unit == "h" ? 3600 : unit == "d" ? 86400 : 0;
  if (digits == 0 || digits > 9 || scale == 0) return BadValue(name, value, "a duration such as 300, 30s or 5min");
  int64_t n = 0;
  std::from_chars(value.data(), value.data() + digits, n);
  return n * scale;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::vector<std::string> ConfigOptionNames() {
  return {"port", "listen_addresses", "unix_socket_directories", "max_connections",
          "superuser_reserved_connections", "event_port", "trace_file", "authentication_timeout", "fsync",
          "restart_after_crash", "checkpoint_timeout", "event_query_text"};
}

Status CheckConfig(const Config& config) {
  if (config.superuser_reserved_connections >= config.max_connections) {
    // PostgreSQL 15 says this on stderr and exits, before anything starts.
    return MakeError(sqlstate::kInvalidParameterValue,
                     fmt::format("superuser_reserved_connections ({}) must be less than max_connections ({})",
                                 config.superuser_reserved_connections, config.max_connections));
  }
  return OkStatus();
}

Status SetConfigOption(Config& config, std::string_view name, std::string_view value) {
  auto set_int = [&](int& field, int lo, int hi) -> Status {
    auto v = ParseInt(name, value, lo, hi);
    if (!v.ok()) return v.error();
    field = *v;
    return OkStatus();
  };
  if (name == "port") return set_int(config.port, 1, 65535);
  if (name == "max_connections") return set_int(config.max_connections, 1, 10000);
  if (name == "superuser_reserved_connections") return set_int(config.superuser_reserved_connections, 0, 10000);
  if (name == "event_port") return set_int(config.event_port, -1, 65535);
  // Seconds, or with a unit as PostgreSQL allows ("30s", "5min", "1h").
  auto set_seconds = [&](int& field, int64_t lo, int64_t hi, const char* range) -> Status {
    auto seconds = ParseSeconds(name, value);
    if (!seconds.ok()) return seconds.error();
    if (*seconds < lo || *seconds > hi) return BadValue(name, value, range);
    field = static_cast<int>(*seconds);
    return OkStatus();
  };
  if (name == "authentication_timeout") {
    return set_seconds(config.authentication_timeout, 1, 600, "must be between 1s and 10min");
  }
  if (name == "checkpoint_timeout") {
    return set_seconds(config.checkpoint_timeout, 1, 86400, "must be between 1s and 1d");
  }
  if (name == "listen_addresses") {
    config.listen_addresses = value;
    return OkStatus();
  }
  if (name == "unix_socket_directories") {
    config.unix_socket_directories = value;
    return OkStatus();
  }
  if (name == "trace_file") {
    config.trace_file = value;
    return OkStatus();
  }
  if (name == "fsync" || name == "restart_after_crash" || name == "event_query_text") {
    auto v = ParseBool(name, value);
    if (!v.ok()) return v.error();
    (name == "fsync" ? config.fsync
     : name == "restart_after_crash" ? config.restart_after_crash
                                     : config.event_query_text) = *v;
    return OkStatus();
  }
  return MakeError(sqlstate::kUndefinedObject,
                   fmt::format("unrecognized configuration parameter \"{}\"", name));
}

std::string GetConfigOption(const Config& config, std::string_view name) {
  if (name == "port") return std::to_string(config.port);
  if (name == "max_connections") return std::to_string(config.max_connections);
  if (name == "superuser_reserved_connections") return std::to_string(config.superuser_reserved_connections);
  if (name == "event_port") return std::to_string(config.EffectiveEventPort());
  if (name == "authentication_timeout") return std::to_string(config.authentication_timeout);
  if (name == "listen_addresses") return config.listen_addresses;
  if (name == "unix_socket_directories") return config.unix_socket_directories;
  if (name == "trace_file") return config.trace_file;
  if (name == "fsync") return config.fsync ? "on" : "off";
  if (name == "restart_after_crash") return config.restart_after_crash ? "on" : "off";
  if (name == "event_query_text") return config.event_query_text ? "on" : "off";
  if (name == "checkpoint_timeout") {
    // As PostgreSQL shows it: the largest unit that divides the value ("5min").
    for (auto [scale, unit] : {std::pair<int, const char*>{86400, "d"}, {3600, "h"}, {60, "min"}}) {
      if (config.checkpoint_timeout % scale == 0) return fmt::format("{}{}", config.checkpoint_timeout / scale, unit);
    }
    return fmt::format("{}s", config.checkpoint_timeout);
  }
  return "";
}

Status LoadConfigFile(Config& config, const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return OkStatus();  // no file: defaults stand
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    std::string_view s = line;
    // A '#' outside quotes starts a comment.
    bool quoted = false;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '\'') quoted = !quoted;
      if (s[i] == '#' && !quoted) {
        s = s.substr(0, i);
        break;
      }
    }
    s = Trim(s);
    if (s.empty()) continue;
    auto eq = s.find('=');
    std::string_view name = Trim(s.substr(0, eq == std::string_view::npos ? s.size() : eq));
    std::string_view value;
    if (eq == std::string_view::npos) {
      // PostgreSQL also allows "name value"; accept it.
      auto sp = name.find_first_of(" \t");
      if (sp == std::string_view::npos) {
        return MakeError(sqlstate::kSyntaxError,
                         fmt::format("syntax error in file \"{}\" line {}", path.string(), lineno));
      }
      value = Trim(name.substr(sp));
      name = Trim(name.substr(0, sp));
    } else {
      value = Trim(s.substr(eq + 1));
    }
    std::string unquoted(value);
    if (value.size() >= 2 && value.front() == '\'' && value.back() == '\'') {
      unquoted = std::string(value.substr(1, value.size() - 2));
    }
    if (Status st = SetConfigOption(config, name, unquoted); !st.ok()) {
      Error e = st.error();
      e.message = fmt::format("{} in file \"{}\" line {}", e.message, path.string(), lineno);
      return e;
    }
  }
  return OkStatus();
}

}  // namespace minipg
