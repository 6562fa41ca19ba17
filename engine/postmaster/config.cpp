/*-------------------------------------------------------------------------
 * config.cpp
 *   Reading the server's settings from minipg.conf and the command line
 *   (see config.h); the values are parsed and checked by the table's code
 *   (engine/common/guc.cpp).
 *-------------------------------------------------------------------------
 */
#include "engine/postmaster/config.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <vector>

#include "engine/common/sqlstate.h"

namespace minipg {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

Status CheckConfig(const Config& config) {
  int reserved = config.Int("superuser_reserved_connections");
  int max_connections = config.Int("max_connections");
  if (reserved >= max_connections) {
    // PostgreSQL 15 says this on stderr and exits, before anything starts.
    return MakeError(sqlstate::kInvalidParameterValue,
                     fmt::format("superuser_reserved_connections ({}) must be less than max_connections ({})",
                                 reserved, max_connections));
  }
  return OkStatus();
}

Status SetConfigOption(Config& config, std::string_view name, std::string_view value) {
  return config.settings.SetServer(name, value, guc::Source::kCommandLine);
}

std::string SampleConfigFile() {
  std::string out =
      "# minipg.conf: server settings (PostgreSQL's postgresql.conf format).\n"
      "# Uncomment a line to change a setting; -c name=value on the command line wins.\n"
      "# Units: kB, MB, GB, TB for sizes; us, ms, s, min, h, d for times.\n";
  std::vector<const guc::Definition*> defs;
  for (const guc::Definition& def : guc::Table()) {
    if (def.context == guc::Context::kInternal || (def.flags & guc::kNoShowAll) != 0) continue;
    defs.push_back(&def);
  }
  std::stable_sort(defs.begin(), defs.end(), [](const guc::Definition* a, const guc::Definition* b) {
    return std::string_view(a->category) < std::string_view(b->category);
  });
  guc::Settings defaults;  // boot values, with those computed at start (max_stack_depth)
  std::string_view category;
  for (const guc::Definition* def : defs) {
    if (def->category != category) {
      category = def->category;
      out += fmt::format("\n# - {} -\n", category);
    }
    // -1 (automatic, wal_buffers) stays -1: the server computes it at start.
    std::string value = std::string_view(def->boot) == "-1" ? "-1" : *defaults.Show(def->name);
    if (def->type == guc::VarType::kString || value.find(' ') != std::string::npos) value = fmt::format("'{}'", value);
    std::string line = fmt::format("#{} = {}", def->name, value);
    out += fmt::format("{:<40} # {}{}\n", line, def->short_desc,
                       def->context == guc::Context::kPostmaster ? " (change requires restart)" : "");
  }
  return out;
}

Result<std::vector<guc::FileValue>> ReadConfigFile(const std::filesystem::path& path) {
  std::vector<guc::FileValue> out;
  std::ifstream in(path);
  if (!in) return out;  // no file: defaults stand
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
    out.push_back({std::string(name), std::move(unquoted), lineno});
  }
  return out;
}

namespace {

std::string FileName(const std::filesystem::path& path) {
  return std::filesystem::absolute(path).lexically_normal().string();
}

}  // namespace

Status LoadConfigFile(Config& config, const std::filesystem::path& path) {
  auto lines = ReadConfigFile(path);
  if (!lines.ok()) return lines.error();
  for (const guc::FileValue& l : *lines) {
    if (Status st = config.settings.SetServer(l.name, l.value, guc::Source::kConfigFile, FileName(path), l.line);
        !st.ok()) {
      Error e = st.error();
      e.message = fmt::format("{} in file \"{}\" line {}", e.message, path.string(), l.line);
      return e;
    }
  }
  return OkStatus();
}

std::vector<std::string> ReloadConfigFile(guc::Settings& settings, const std::filesystem::path& path) {
  auto lines = ReadConfigFile(path);
  if (!lines.ok()) {
    return {lines.error().message,
            fmt::format("configuration file \"{}\" contains errors; no changes were applied", FileName(path))};
  }
  return settings.Reload(*lines, FileName(path));
}

}  // namespace minipg
