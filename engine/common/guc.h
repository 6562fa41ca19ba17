/*-------------------------------------------------------------------------
 * guc.h
 *   Settings ("grand unified configuration", as PostgreSQL's guc.c): one
 *   table describes every setting (guc_table.cpp), and one class holds a
 *   process's values of them (Settings). The config file, -c and the other
 *   command-line flags, SET, RESET, SHOW, pg_settings, current_setting(),
 *   set_config() and ParameterStatus all go through this file.
 *
 *   To add a setting, add one entry to the table in guc_table.cpp; server
 *   code reads its value with Settings::Int/Bool/Real/String (the
 *   postmaster's Config holds the server's Settings, each backend's session
 *   a copy it may change with SET).
 *
 *   Values are kept as text in pg_settings.setting's form: an integer in
 *   its base unit ("16384" for shared_buffers, counted in 8kB blocks), a
 *   real as %g, a boolean as on/off, an enum as its canonical name. SHOW
 *   prints integers with the largest unit that divides them ("128MB").
 *
 *   Where a value comes from (pg_settings.source), lowest first: default
 *   (the table's boot value), configuration file (minipg.conf), command
 *   line (-c and the flags), client (the startup packet), session (SET),
 *   override (set by the server itself: is_superuser).
 *
 * NOTES
 *   Errors are PostgreSQL's words and SQLSTATEs: 22023 for a bad value or
 *   one out of range, 55P02 for a setting whose context forbids the change,
 *   42501 for a superuser setting set by another role, 42704 for an
 *   unknown name. Names match case-insensitively; messages use the name as
 *   the caller gave it, as PostgreSQL's do.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/common/error.h"

namespace minipg {

/* server_version, as SHOW and ParameterStatus report it. */
inline constexpr const char* kServerVersion = "15.0 (minipg 0.1.0)";

}  // namespace minipg

namespace minipg::guc {

enum class VarType {
  kBool,     // on/off (and PostgreSQL's other spellings: true, yes, 1, unique prefixes)
  kInteger,  // a 32-bit integer, maybe with a unit
  kReal,     // a double
  kString,   // any text
  kEnum,     // one of a list of names
};

/* An integer setting's base unit (pg_settings.unit). */
enum class Unit {
  kNone,
  kBytes,      // "B"
  kKb,         // "kB"
  kMb,         // "MB"
  kBlocks,     // "8kB": data pages
  kWalBlocks,  // "8kB": WAL pages
  kMs,         // "ms"
  kS,          // "s"
  kMin,        // "min"
};

/* When a setting may change (pg_settings.context), strictest first. */
enum class Context {
  kInternal,    // never: fixed when the server is built or initialized
  kPostmaster,  // at server start only (minipg.conf, command line)
  kSighup,      // in minipg.conf, read again on SIGHUP (pg_ctl reload)
  kSuperuser,   // by SET, by a superuser
  kUser,        // by SET, by anyone
};

/* Where the current value came from (pg_settings.source). */
enum class Source {
  kDefault,
  kConfigFile,
  kCommandLine,
  kClient,
  kSession,
  kOverride,
};

// Flags of an entry.
inline constexpr uint32_t kReport = 1;     // sent to the client in ParameterStatus (GUC_REPORT)
inline constexpr uint32_t kNoShowAll = 2;  // left out of SHOW ALL and pg_settings (GUC_NO_SHOW_ALL)

/* One name of an enum setting; `means` names the visible value a hidden
 * spelling stands for ("true" means "on"), nullptr for a visible one. */
struct EnumOption {
  const char* name;
  const char* means = nullptr;
};

/* A check run after a value parsed: may refuse it or rewrite it into its
 * canonical form (client_encoding "utf-8" -> "UTF8"). `name` as given. */
using CheckHook = Status (*)(std::string_view name, std::string& value);
/* Run when a value becomes the process's current one (max_stack_depth). */
using AssignHook = void (*)(const std::string& value);

/* One entry of the table: PostgreSQL's config_generic and its typed parts. */
struct Definition {
  const char* name;        // PostgreSQL's spelling ("DateStyle")
  VarType type;
  Context context;
  const char* category;    // pg_settings.category ("Resource Usage / Memory")
  const char* short_desc;
  const char* boot;        // boot value in the setting's input syntax ("128MB", "on", "0.9")
  Unit unit = Unit::kNone;
  double min = 0;          // integer and real settings
  double max = 0;
  std::vector<EnumOption> options = {};  // enum settings
  uint32_t flags = 0;
  CheckHook check = nullptr;
  AssignHook assign = nullptr;
};

/* The table, ordered by name case-insensitively (as SHOW ALL lists it). */
const std::vector<Definition>& Table();
/* The entry called `name` (any case), or nullptr. */
const Definition* FindDefinition(std::string_view name);
/* A name (or an enum value) folded to lower case, as they are compared. */
std::string FoldCase(std::string_view s);

const char* VarTypeName(VarType t);    // "integer"
const char* UnitName(Unit u);          // "8kB", "" for none
const char* ContextName(Context c);    // "postmaster"
const char* SourceName(Source s);      // "configuration file"

/* Parses `text` as a value of `def` into its canonical form (above), with
 * PostgreSQL's error for a bad value or one out of range. The check hook
 * runs too. `name` is the name as the caller spelled it. */
Result<std::string> ParseValue(const Definition& def, std::string_view name, std::string_view text);
/* A canonical value as SHOW prints it. */
std::string ShowValue(const Definition& def, const std::string& canonical);

/* An integer with an optional unit ("1.5s", "128MB", "0x10") in `base`
 * units, as PostgreSQL's parse_int: 22023 with a hint on a bad unit or a
 * value past the integer range (no range check of its own). */
Result<int64_t> ParseInteger(std::string_view name, std::string_view text, Unit base);
/* `value` in `base` units as SHOW prints it: the largest unit that divides
 * it ("5min", "128MB"); zero and negative values bare. */
std::string FormatInteger(int64_t value, Unit base);

/* The current value of one setting in one process, as pg_settings shows it. */
struct Setting {
  const Definition* def = nullptr;  // nullptr for a custom setting (a name with a dot)
  std::string name;
  std::string value;        // canonical (pg_settings.setting)
  std::string reset_value;  // what RESET returns to
  std::string boot_value;   // canonical boot value
  Source source = Source::kDefault;
  Source reset_source = Source::kDefault;
  std::string sourcefile;   // for a value from minipg.conf
  int sourceline = 0;
  bool pending_restart = false;  // minipg.conf holds another value of this postmaster setting
};

/* One `name = value` line of minipg.conf. */
struct FileValue {
  std::string name;
  std::string value;  // unquoted
  int line = 0;
};

/* A process's values of every setting. */
class Settings {
 public:
  Settings();  // every setting at its boot value

  /* The setting called `name` (any case), or nullptr. */
  const Setting* Find(std::string_view name) const;

  /* As the postmaster sets a value from minipg.conf or the command line:
   * anything but an internal setting. The value becomes the reset value. */
  Status SetServer(std::string_view name, std::string_view value, Source source,
                   std::string sourcefile = "", int sourceline = 0);

  /* SET (value) or RESET (nullopt) in a session: checks the context
   * (55P02, or 42501 for a superuser setting when is_superuser is off) and
   * the value. A name with a dot is a custom setting, created on first SET.
   * `local` (set_config(..., true)): checked but not kept, as a SET LOCAL
   * outside a transaction block. `source` is kSession, or kClient for the
   * startup packet's options (then it also becomes the reset value). */
  Status Set(std::string_view name, const std::optional<std::string>& value, Source source = Source::kSession,
             bool local = false);

  /* A reload of minipg.conf (SIGHUP), as PostgreSQL's ProcessConfigFile:
   * if any line is wrong nothing changes; otherwise each sighup, superuser
   * or user setting takes the file's value unless a higher source (the
   * command line, the client, a SET) set it, a setting no longer in the
   * file returns to its default, and a changed postmaster setting is only
   * marked pending_restart. Returns the LOG lines PostgreSQL writes
   * ("parameter "fsync" changed to "off"", ...). */
  std::vector<std::string> Reload(const std::vector<FileValue>& lines, const std::string& file);

  /* RESET ALL: every setting a session may change goes back to its reset
   * value. */
  void ResetAll();

  /* Sets a value as the server does (is_superuser, session_authorization),
   * whatever its context; it becomes the reset value too. */
  void Override(std::string_view name, std::string value);

  /* Gives the settings still at their default the value PostgreSQL
   * computes from others at start: wal_buffers -1 becomes 1/32 of
   * shared_buffers (at least 64kB, at most one WAL segment); max_stack_depth
   * 2MB, or less on a smaller stack. The constructor calls it, and the
   * postmaster again after reading minipg.conf and the command line. */
  void ResolveServerDefaults();

  /* SHOW's text for a setting; 42704 for an unknown name. */
  Result<std::string> Show(std::string_view name) const;

  /* A known setting's value (aborts on an unknown name or a wrong type:
   * a bug in the caller, not a user's mistake). */
  int64_t Int(std::string_view name) const;
  bool Bool(std::string_view name) const;
  double Real(std::string_view name) const;
  const std::string& String(std::string_view name) const;

  /* Every setting, ordered by name case-insensitively. */
  const std::vector<Setting>& All() const { return settings_; }

  /* The reported (kReport) settings whose value changed since the last
   * call, with their new text: what the backend sends as ParameterStatus. */
  std::vector<std::pair<std::string, std::string>> TakeReportChanges();

 private:
  Setting* FindMutable(std::string_view name);
  const Setting& Get(std::string_view name, VarType type) const;
  void Assign(Setting& s, std::string value);

  std::vector<Setting> settings_;
  std::vector<std::string> changed_reports_;
};

}  // namespace minipg::guc
