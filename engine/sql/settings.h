/*-------------------------------------------------------------------------
 * settings.h
 *   A session's run-time parameters: what SET changes and SHOW prints.
 *
 * NOTES
 *   Only the parameters clients commonly ask about exist (the ones
 *   PostgreSQL reports in ParameterStatus, plus a few more); names are
 *   matched case-insensitively and SHOW prints PostgreSQL's spelling
 *   ("DateStyle"). Names with a dot (myapp.flag) are custom parameters and
 *   may be set freely, as in PostgreSQL. Values are stored as given, in
 *   PostgreSQL's canonical form for durations and sizes. statement_timeout
 *   is read by the backend for each statement; max_stack_depth is handed to
 *   the stack depth guard (stack_depth.h) when it is set, and only a
 *   superuser may set it.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/common/error.h"

namespace minipg::sql {

class Settings {
 public:
  struct Entry {
    std::string name;           // PostgreSQL's spelling
    std::string default_value;
    std::string value;
    bool read_only = false;     // set by the server only (server_version)
    bool superuser_only = false;  // PostgreSQL's "superuser" context (max_stack_depth)
    // For a read-only server setting, the end of PostgreSQL's 55P02 message:
    // " without restarting the server" (postmaster context), " now" (sighup), or "".
    std::string fixed_until;
  };

  explicit Settings(std::string server_version);

  /* The entry for `name` (any case), or nullptr. */
  const Entry* Find(std::string_view name) const;

  /* SET name = value (nullopt: back to the default). 42704 for an unknown
   * name, 55P02 for a read-only one. */
  Status Set(std::string_view name, const std::optional<std::string>& value);

  /* Sets a parameter as the server does (also a read-only one, such as
   * is_superuser); its default becomes that value too. Unknown names are ignored. */
  void SetServerValue(std::string_view name, std::string value);

  /* Every parameter, ordered by name (SHOW ALL). */
  const std::vector<Entry>& All() const { return entries_; }

 private:
  Entry* FindMutable(std::string_view name);
  std::vector<Entry> entries_;
};

/* A duration setting's text ("1500", "2s", "1min") in milliseconds, or 22023. */
Result<int64_t> ParseDurationMs(std::string_view name, std::string_view text);
/* Milliseconds as PostgreSQL shows a duration setting: "0", "1500ms", "2s", "1min". */
std::string FormatDurationMs(int64_t ms);
/* A memory setting's text ("2048", "2MB", "1.5MB", "102400B") in kB, or 22023. */
Result<int64_t> ParseMemoryKb(std::string_view name, std::string_view text);
/* kB as PostgreSQL shows a memory setting: "100kB", "2MB". */
std::string FormatMemoryKb(int64_t kb);

}  // namespace minipg::sql
