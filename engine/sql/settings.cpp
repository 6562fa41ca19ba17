/*-------------------------------------------------------------------------
 * settings.cpp
 *   Run-time parameters (see settings.h).
 *-------------------------------------------------------------------------
 */
#include "engine/sql/settings.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "engine/common/sqlstate.h"
#include "engine/common/stack_depth.h"
#include "engine/common/utf8.h"

namespace minipg::sql {

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

Error InvalidValue(std::string_view name, std::string_view text, std::string hint = "") {
  Error e = MakeError(sqlstate::kInvalidParameterValue,
                      fmt::format("invalid value for parameter \"{}\": \"{}\"", name, text));
  e.hint = std::move(hint);
  return e;
}

/* max_stack_depth: a size within PostgreSQL's range, and below what the
 * platform's stack allows (its check hook); then the guard uses it. */
Result<std::string> SetMaxStackDepth(std::string_view name, std::string_view text) {
  auto kb = ParseMemoryKb(name, text);
  if (!kb.ok()) {
    return kb.error();
  }
  if (*kb < 100 || *kb > INT_MAX) {
    return MakeError(sqlstate::kInvalidParameterValue,
                     fmt::format("{} kB is outside the valid range for parameter \"{}\" (100 .. {})", *kb, name,
                                 INT_MAX));
  }
  int64_t limit = MaxStackDepthLimitKb();
  if (limit > 0 && *kb > limit) {
    Error e = MakeError(sqlstate::kInvalidParameterValue,
                        fmt::format("invalid value for parameter \"{}\": {}", name, *kb));
    e.detail = fmt::format("\"{}\" must not exceed {}kB.", name, limit);
    e.hint = "Increase the platform's stack depth limit via \"ulimit -s\" or local equivalent.";
    return e;
  }
  SetMaxStackDepthKb(*kb);
  return FormatMemoryKb(*kb);
}

}  // namespace

Result<int64_t> ParseMemoryKb(std::string_view name, std::string_view text) {
  // As PostgreSQL's parse_int: an integer in any C base, else a decimal
  // fraction; then an optional unit (case matters), rounded to whole kB.
  std::string t(text);
  const char* begin = t.c_str();
  char* end = nullptr;
  errno = 0;
  double value = static_cast<double>(std::strtoll(begin, &end, 0));
  if (*end == '.' || *end == 'e' || *end == 'E' || errno == ERANGE) {
    errno = 0;
    value = std::strtod(begin, &end);
  }
  if (end == begin || errno == ERANGE || std::isnan(value)) {
    return InvalidValue(name, text);
  }
  std::string_view rest(end);
  while (!rest.empty() && std::isspace(static_cast<unsigned char>(rest.front()))) rest.remove_prefix(1);
  while (!rest.empty() && std::isspace(static_cast<unsigned char>(rest.back()))) rest.remove_suffix(1);
  double scale = rest.empty() || rest == "kB" ? 1
                 : rest == "B"                ? 1.0 / 1024
                 : rest == "MB"               ? 1024
                 : rest == "GB"               ? 1024.0 * 1024
                 : rest == "TB"               ? 1024.0 * 1024 * 1024
                                              : 0;
  if (scale == 0) {
    return InvalidValue(name, text, "Valid units for this parameter are \"B\", \"kB\", \"MB\", \"GB\", and \"TB\".");
  }
  double kb = std::rint(value * scale);
  if (!(kb >= INT_MIN && kb <= INT_MAX)) {
    return InvalidValue(name, text, "Value exceeds integer range.");
  }
  return static_cast<int64_t>(kb);
}

std::string FormatMemoryKb(int64_t kb) {
  // As PostgreSQL shows it: the largest unit that divides the value exactly.
  if (kb != 0) {
    for (auto [scale, unit] : {std::pair<int64_t, const char*>{1024LL * 1024 * 1024, "TB"}, {1024 * 1024, "GB"},
                               {1024, "MB"}}) {
      if (kb % scale == 0) return fmt::format("{}{}", kb / scale, unit);
    }
  }
  return fmt::format("{}kB", kb);
}

Result<int64_t> ParseDurationMs(std::string_view name, std::string_view text) {
  std::string t = Lower(text);
  size_t digits = 0;
  while (digits < t.size() && std::isdigit(static_cast<unsigned char>(t[digits]))) ++digits;
  std::string unit = t.substr(digits);
  while (!unit.empty() && unit.front() == ' ') unit.erase(0, 1);
  int64_t scale = unit.empty() || unit == "ms" ? 1
                  : unit == "s"                ? 1000
                  : unit == "min"              ? 60000
                  : unit == "h"                ? 3600000
                  : unit == "d"                ? 86400000
                                               : 0;
  if (digits == 0 || digits > 12 || scale == 0) {
    return InvalidValue(name, text, "Valid units for this parameter are \"ms\", \"s\", \"min\", \"h\", and \"d\".");
  }
  int64_t ms = std::stoll(t.substr(0, digits)) * scale;
  if (ms > INT32_MAX) {
    return MakeError(sqlstate::kInvalidParameterValue,
                     fmt::format("{} ms is outside the valid range for parameter \"{}\" (0 .. {})", ms, name,
                                 INT32_MAX));
  }
  return ms;
}

std::string FormatDurationMs(int64_t ms) {
  // As PostgreSQL shows it: the largest unit that divides the value exactly.
  if (ms == 0) return "0";
  for (auto [scale, unit] : {std::pair<int64_t, const char*>{86400000, "d"}, {3600000, "h"}, {60000, "min"},
                             {1000, "s"}}) {
    if (ms % scale == 0) return fmt::format("{}{}", ms / scale, unit);
  }
  return fmt::format("{}ms", ms);
}

Settings::Settings(std::string server_version) {
  auto add = [this](std::string name, std::string value, bool read_only = false, bool superuser_only = false) {
    entries_.push_back(Entry{std::move(name), value, value, read_only, superuser_only});
  };
  // A server setting: shown as the server has it, never SET; `fixed_until`
  // ends PostgreSQL's 55P02 message for its context.
  auto add_server = [this](std::string name, std::string value, std::string fixed_until) {
    entries_.push_back(Entry{std::move(name), value, value, true, false, std::move(fixed_until)});
  };
  add("application_name", "");
  add("client_encoding", "UTF8");
  add("DateStyle", "ISO, MDY");
  add("default_transaction_isolation", "read committed");
  add("extra_float_digits", "1");
  add("idle_in_transaction_session_timeout", "0");
  add("integer_datetimes", "on", true);
  add("IntervalStyle", "postgres");
  add("is_superuser", "on", true);
  add("max_stack_depth", FormatMemoryKb(kDefaultMaxStackDepthKb), false, true);
  add("password_encryption", "scram-sha-256");
  add("search_path", "\"$user\", public");
  add("server_encoding", "UTF8", true);
  add("server_version", std::move(server_version), true);
  add("standard_conforming_strings", "on");
  add("statement_timeout", "0");
  add("TimeZone", "UTC");
  add("transaction_isolation", "read committed");
  // The server's own settings (minipg.conf, -c), shown but not SET here.
  const char* kRestart = " without restarting the server";  // PostgreSQL's postmaster context
  const char* kReload = " now";                              // its sighup context
  add_server("authentication_timeout", "1min", kReload);
  add_server("checkpoint_timeout", "5min", kReload);
  add_server("event_query_text", "on", kRestart);  // read at server start
  add_server("fsync", "on", kReload);
  add_server("listen_addresses", "localhost", kRestart);
  add_server("max_connections", "100", kRestart);
  add_server("port", "5432", kRestart);
  add_server("restart_after_crash", "on", kReload);
  add_server("superuser_reserved_connections", "3", kRestart);
  add_server("unix_socket_directories", "/tmp", kRestart);
  std::sort(entries_.begin(), entries_.end(),
            [](const Entry& a, const Entry& b) { return Lower(a.name) < Lower(b.name); });
}

const Settings::Entry* Settings::Find(std::string_view name) const {
  std::string key = Lower(name);
  for (const Entry& e : entries_) {
    if (Lower(e.name) == key) {
      return &e;
    }
  }
  return nullptr;
}

Settings::Entry* Settings::FindMutable(std::string_view name) {
  return const_cast<Entry*>(static_cast<const Settings*>(this)->Find(name));
}

void Settings::SetServerValue(std::string_view name, std::string value) {
  if (Entry* entry = FindMutable(name)) {
    entry->default_value = value;
    entry->value = std::move(value);
  }
}

Status Settings::Set(std::string_view name, const std::optional<std::string>& value) {
  Entry* entry = FindMutable(name);
  if (entry == nullptr) {
    if (name.find('.') == std::string_view::npos) {
      return MakeError(sqlstate::kUndefinedObject,
                       fmt::format("unrecognized configuration parameter \"{}\"", name));
    }
    entries_.push_back(Entry{Lower(name), "", "", false, false, ""});
    std::sort(entries_.begin(), entries_.end(),
              [](const Entry& a, const Entry& b) { return Lower(a.name) < Lower(b.name); });
    entry = FindMutable(name);
  }
  if (entry->read_only) {
    return MakeError(sqlstate::kCantChangeRuntimeParam,
                     fmt::format("parameter \"{}\" cannot be changed{}", entry->name, entry->fixed_until));
  }
  if (entry->superuser_only) {
    const Entry* su = Find("is_superuser");
    if (su == nullptr || su->value != "on") {
      return MakeError(sqlstate::kInsufficientPrivilege,
                       fmt::format("permission denied to set parameter \"{}\"", entry->name));
    }
  }
  std::string new_value = value.value_or(entry->default_value);
  if (Lower(entry->name) == "max_stack_depth") {
    auto shown = SetMaxStackDepth(entry->name, new_value);
    if (!shown.ok()) return shown.error();
    new_value = std::move(*shown);
  }
  if (Lower(entry->name) == "client_encoding") {
    std::string enc = Lower(new_value);
    if (enc != "utf8" && enc != "unicode" && enc != "utf-8") {
      return MakeError(sqlstate::kFeatureNotSupported,
                       fmt::format("client_encoding \"{}\" is not supported by minipg: only UTF8", new_value));
    }
    new_value = "UTF8";
  }
  if (Lower(entry->name) == "application_name") {
    new_value = CleanAscii(new_value);  // as PostgreSQL 15's check_application_name
  }
  if (Lower(entry->name) == "password_encryption") {
    std::string method = Lower(new_value);
    if (method != "md5" && method != "scram-sha-256") {
      Error e = MakeError(sqlstate::kInvalidParameterValue,
                          fmt::format("invalid value for parameter \"password_encryption\": \"{}\"", new_value));
      e.hint = "Available values: md5, scram-sha-256.";
      return e;
    }
    new_value = method;
  }
  if (Lower(entry->name) == "statement_timeout" || Lower(entry->name) == "idle_in_transaction_session_timeout") {
    auto ms = ParseDurationMs(entry->name, new_value);
    if (!ms.ok()) return ms.error();
    new_value = FormatDurationMs(*ms);
  }
  entry->value = std::move(new_value);
  return OkStatus();
}

}  // namespace minipg::sql
