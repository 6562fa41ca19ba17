/*-------------------------------------------------------------------------
 * settings.cpp
 *   Run-time parameters (see settings.h).
 *-------------------------------------------------------------------------
 */
#include "engine/sql/settings.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "engine/common/sqlstate.h"
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

}  // namespace

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
    Error e = MakeError(sqlstate::kInvalidParameterValue,
                        fmt::format("invalid value for parameter \"{}\": \"{}\"", name, text));
    e.hint = "Valid units for this parameter are \"ms\", \"s\", \"min\", \"h\", and \"d\".";
    return e;
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
  auto add = [this](std::string name, std::string value, bool read_only = false, std::string fixed_until = "") {
    entries_.push_back(Entry{std::move(name), value, value, read_only, std::move(fixed_until)});
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
  add("authentication_timeout", "1min", true, kReload);
  add("checkpoint_timeout", "5min", true, kReload);
  add("event_query_text", "on", true, kRestart);  // read at server start
  add("fsync", "on", true, kReload);
  add("listen_addresses", "localhost", true, kRestart);
  add("max_connections", "100", true, kRestart);
  add("port", "5432", true, kRestart);
  add("restart_after_crash", "on", true, kReload);
  add("superuser_reserved_connections", "3", true, kRestart);
  add("unix_socket_directories", "/tmp", true, kRestart);
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
    entries_.push_back(Entry{Lower(name), "", "", false, ""});
    std::sort(entries_.begin(), entries_.end(),
              [](const Entry& a, const Entry& b) { return Lower(a.name) < Lower(b.name); });
    entry = FindMutable(name);
  }
  if (entry->read_only) {
    return MakeError(sqlstate::kCantChangeRuntimeParam,
                     fmt::format("parameter \"{}\" cannot be changed{}", entry->name, entry->fixed_until));
  }
  std::string new_value = value.value_or(entry->default_value);
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
