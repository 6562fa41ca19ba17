/*-------------------------------------------------------------------------
 * guc_table.cpp
 *   The table of every setting (see guc.h), as PostgreSQL's guc_tables.c:
 *   name, type, context, category, description, boot value, unit, bounds,
 *   enum values, flags and hooks. Contexts, units, bounds and boot values
 *   are PostgreSQL 15's unless a comment says why not; the settings in the
 *   "minipg / Events" category are minipg's own.
 *
 *   Adding a setting is adding one entry here: SHOW, SET, RESET, -c,
 *   minipg.conf, pg_settings, current_setting() and set_config() then know
 *   it, and server code reads it with Settings::Int/Bool/Real/String.
 *-------------------------------------------------------------------------
 */
#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <string>

#include "engine/common/guc.h"
#include "engine/common/sqlstate.h"
#include "engine/common/stack_depth.h"
#include "engine/common/utf8.h"

namespace minipg::guc {
namespace {

// Categories, as pg_settings.category words them.
constexpr const char* kAuthentication = "Connections and Authentication / Authentication";
constexpr const char* kConnections = "Connections and Authentication / Connection Settings";
constexpr const char* kLocale = "Client Connection Defaults / Locale and Formatting";
constexpr const char* kStatement = "Client Connection Defaults / Statement Behavior";
constexpr const char* kMemory = "Resource Usage / Memory";
constexpr const char* kBgWriter = "Resource Usage / Background Writer";
constexpr const char* kAutovacuum = "Autovacuum";
constexpr const char* kWalSettings = "Write-Ahead Log / Settings";
constexpr const char* kCheckpoints = "Write-Ahead Log / Checkpoints";
constexpr const char* kWhatToLog = "Reporting and Logging / What to Log";
constexpr const char* kPreset = "Preset Options";
constexpr const char* kErrorHandling = "Error Handling";
constexpr const char* kStatistics = "Statistics / Cumulative Query and Index Statistics";
constexpr const char* kCompatibility = "Version and Platform Compatibility / Previous PostgreSQL Versions";
constexpr const char* kEvents = "minipg / Events";
constexpr const char* kLockManagement = "Lock Management";
constexpr const char* kPlannerMethod = "Query Tuning / Planner Method Configuration";

const std::vector<EnumOption> kIsolationLevels = {
    {"serializable"}, {"repeatable read"}, {"read committed"}, {"read uncommitted"}};

Status NotSupported(std::string message) {
  return MakeError(sqlstate::kFeatureNotSupported, std::move(message));
}

/* max_stack_depth may not pass what the platform's stack allows
 * (PostgreSQL's check_max_stack_depth). */
Status CheckMaxStackDepth(std::string_view name, std::string& value) {
  int64_t kb = std::stoll(value);
  int64_t limit = MaxStackDepthLimitKb();
  if (limit > 0 && kb > limit) {
    Error e = MakeError(sqlstate::kInvalidParameterValue,
                        fmt::format("invalid value for parameter \"{}\": {}", name, kb));
    e.detail = fmt::format("\"{}\" must not exceed {}kB.", name, limit);
    e.hint = "Increase the platform's stack depth limit via \"ulimit -s\" or local equivalent.";
    return e;
  }
  return OkStatus();
}

void AssignMaxStackDepth(const std::string& value) {
  SetMaxStackDepthKb(std::stoll(value));
}

Status CheckClientEncoding(std::string_view, std::string& value) {
  std::string enc = FoldCase(value);
  if (enc != "utf8" && enc != "unicode" && enc != "utf-8") {
    return NotSupported(fmt::format("client_encoding \"{}\" is not supported by minipg: only UTF8", value));
  }
  value = "UTF8";
  return OkStatus();
}

Status CheckApplicationName(std::string_view, std::string& value) {
  value = CleanAscii(value);  // as PostgreSQL 15's check_application_name
  return OkStatus();
}

Status CheckWalLevel(std::string_view, std::string& value) {
  if (value != "replica") {
    return NotSupported(fmt::format("wal_level \"{}\" is not supported by minipg: only replica", value));
  }
  return OkStatus();
}

/* As PostgreSQL's check_wal_buffers: -1 is resolved later (at server
 * start); a value below 4 pages becomes 4. */
Status CheckWalBuffers(std::string_view, std::string& value) {
  int64_t v = std::stoll(value);
  if (v != -1 && v < 4) value = "4";
  return OkStatus();
}

std::vector<Definition> MakeTable() {
  std::vector<Definition> t = {
      {.name = "application_name", .type = VarType::kString, .context = Context::kUser, .category = kWhatToLog,
       .short_desc = "Names the client application, as statistics and logs show it.", .boot = "",
       .flags = kReport, .check = CheckApplicationName},
      {.name = "authentication_timeout", .type = VarType::kInteger, .context = Context::kSighup,
       .category = kAuthentication, .short_desc = "Longest time a new client may take to authenticate.",
       .boot = "1min", .unit = Unit::kS, .min = 1, .max = 600},
      {.name = "autovacuum", .type = VarType::kBool, .context = Context::kSighup, .category = kAutovacuum,
       .short_desc = "Starts the autovacuum subprocess.", .boot = "on"},
      {.name = "autovacuum_analyze_scale_factor", .type = VarType::kReal, .context = Context::kSighup,
       .category = kAutovacuum,
       .short_desc = "Number of tuple inserts, updates, or deletes prior to analyze as a fraction of reltuples.",
       .boot = "0.1", .min = 0, .max = 100},
      {.name = "autovacuum_analyze_threshold", .type = VarType::kInteger, .context = Context::kSighup,
       .category = kAutovacuum, .short_desc = "Minimum number of tuple inserts, updates, or deletes prior to analyze.",
       .boot = "50", .min = 0, .max = 2147483647},
      {.name = "autovacuum_max_workers", .type = VarType::kInteger, .context = Context::kPostmaster,
       .category = kAutovacuum,
       .short_desc = "Sets the maximum number of simultaneously running autovacuum worker processes.", .boot = "3",
       .min = 1, .max = 262143},
      {.name = "autovacuum_naptime", .type = VarType::kInteger, .context = Context::kSighup, .category = kAutovacuum,
       .short_desc = "Time to sleep between autovacuum runs.", .boot = "1min", .unit = Unit::kS, .min = 1,
       .max = 2147483},
      {.name = "autovacuum_vacuum_insert_scale_factor", .type = VarType::kReal, .context = Context::kSighup,
       .category = kAutovacuum, .short_desc = "Number of tuple inserts prior to vacuum as a fraction of reltuples.",
       .boot = "0.2", .min = 0, .max = 100},
      {.name = "autovacuum_vacuum_insert_threshold", .type = VarType::kInteger, .context = Context::kSighup,
       .category = kAutovacuum,
       .short_desc = "Minimum number of tuple inserts prior to vacuum, or -1 to disable insert vacuums.",
       .boot = "1000", .min = -1, .max = 2147483647},
      {.name = "autovacuum_vacuum_scale_factor", .type = VarType::kReal, .context = Context::kSighup,
       .category = kAutovacuum,
       .short_desc = "Number of tuple updates or deletes prior to vacuum as a fraction of reltuples.", .boot = "0.2",
       .min = 0, .max = 100},
      {.name = "autovacuum_vacuum_threshold", .type = VarType::kInteger, .context = Context::kSighup,
       .category = kAutovacuum, .short_desc = "Minimum number of tuple updates or deletes prior to vacuum.",
       .boot = "50", .min = 0, .max = 2147483647},
      {.name = "bgwriter_delay", .type = VarType::kInteger, .context = Context::kSighup, .category = kBgWriter,
       .short_desc = "How long the background writer sleeps between rounds.", .boot = "200ms", .unit = Unit::kMs,
       .min = 10, .max = 10000},
      {.name = "bgwriter_lru_maxpages", .type = VarType::kInteger, .context = Context::kSighup,
       .category = kBgWriter, .short_desc = "Most dirty buffers the background writer writes in one round.",
       .boot = "100", .min = 0, .max = 1073741823},
      {.name = "bgwriter_lru_multiplier", .type = VarType::kReal, .context = Context::kSighup,
       .category = kBgWriter,
       .short_desc = "How many buffers to clean per round, as a multiple of the recent demand for new ones.",
       .boot = "2", .min = 0, .max = 10},
      {.name = "block_size", .type = VarType::kInteger, .context = Context::kInternal, .category = kPreset,
       .short_desc = "Size of a data page in bytes.", .boot = "8192", .min = 8192, .max = 8192},
      {.name = "checkpoint_completion_target", .type = VarType::kReal, .context = Context::kSighup,
       .category = kCheckpoints,
       .short_desc = "Fraction of the interval between checkpoints over which a checkpoint spreads its writes.",
       .boot = "0.9", .min = 0, .max = 1},
      // minipg allows 1s (PostgreSQL: 30s), so a lesson or a test sees timed checkpoints.
      {.name = "checkpoint_timeout", .type = VarType::kInteger, .context = Context::kSighup,
       .category = kCheckpoints, .short_desc = "Longest time between automatic checkpoints.", .boot = "5min",
       .unit = Unit::kS, .min = 1, .max = 86400},
      // minipg speaks only UTF8 (PostgreSQL's boot value is SQL_ASCII).
      {.name = "client_encoding", .type = VarType::kString, .context = Context::kUser, .category = kLocale,
       .short_desc = "Character set of the text the client sends and receives.", .boot = "UTF8",
       .flags = kReport, .check = CheckClientEncoding},
      // minipg always checksums pages (PostgreSQL: off unless initdb --data-checksums).
      {.name = "data_checksums", .type = VarType::kBool, .context = Context::kInternal, .category = kPreset,
       .short_desc = "Whether data pages carry checksums in this cluster.", .boot = "on"},
      {.name = "DateStyle", .type = VarType::kString, .context = Context::kUser, .category = kLocale,
       .short_desc = "Output format of dates and times.", .boot = "ISO, MDY", .flags = kReport},
      {.name = "deadlock_timeout", .type = VarType::kInteger, .context = Context::kSuperuser,
       .category = kLockManagement, .short_desc = "Sets the time to wait on a lock before checking for deadlock.",
       .boot = "1s", .unit = Unit::kMs, .min = 1, .max = INT_MAX},
      {.name = "default_transaction_isolation", .type = VarType::kEnum, .context = Context::kUser,
       .category = kStatement, .short_desc = "Isolation level each new transaction starts with.",
       .boot = "read committed", .options = kIsolationLevels},
      {.name = "default_transaction_read_only", .type = VarType::kBool, .context = Context::kUser,
       .category = kStatement, .short_desc = "Whether new transactions start read-only.", .boot = "off",
       .flags = kReport},
      {.name = "enable_bitmapscan", .type = VarType::kBool, .context = Context::kUser, .category = kPlannerMethod,
       .short_desc = "Enables the planner's use of bitmap-scan plans.", .boot = "on"},
      {.name = "enable_hashjoin", .type = VarType::kBool, .context = Context::kUser, .category = kPlannerMethod,
       .short_desc = "Enables the planner's use of hash join plans.", .boot = "on"},
      {.name = "enable_indexscan", .type = VarType::kBool, .context = Context::kUser, .category = kPlannerMethod,
       .short_desc = "Enables the planner's use of index-scan plans.", .boot = "on"},
      {.name = "enable_material", .type = VarType::kBool, .context = Context::kUser, .category = kPlannerMethod,
       .short_desc = "Enables the planner's use of materialization.", .boot = "on"},
      {.name = "enable_mergejoin", .type = VarType::kBool, .context = Context::kUser, .category = kPlannerMethod,
       .short_desc = "Enables the planner's use of merge join plans.", .boot = "on"},
      {.name = "enable_nestloop", .type = VarType::kBool, .context = Context::kUser, .category = kPlannerMethod,
       .short_desc = "Enables the planner's use of nested-loop join plans.", .boot = "on"},
      {.name = "enable_seqscan", .type = VarType::kBool, .context = Context::kUser, .category = kPlannerMethod,
       .short_desc = "Enables the planner's use of sequential-scan plans.", .boot = "on"},
      {.name = "event_port", .type = VarType::kInteger, .context = Context::kPostmaster, .category = kEvents,
       .short_desc = "TCP port of the event stream: 0 = port + 1, -1 = none.", .boot = "0", .min = -1,
       .max = 65535},
      {.name = "trace_events", .type = VarType::kBool, .context = Context::kPostmaster, .category = kEvents,
       .short_desc = "Whether server processes send events to the event stream (off: only for measuring).",
       .boot = "on"},
      {.name = "event_query_text", .type = VarType::kBool, .context = Context::kPostmaster, .category = kEvents,
       .short_desc = "Whether events carry the text of queries.", .boot = "on"},
      {.name = "extra_float_digits", .type = VarType::kInteger, .context = Context::kUser, .category = kLocale,
       .short_desc = "Digits shown for floating-point values beyond the usual precision.", .boot = "1",
       .min = -15, .max = 3},
      {.name = "fsync", .type = VarType::kBool, .context = Context::kSighup, .category = kWalSettings,
       .short_desc = "Whether writes are forced to disk with fsync.", .boot = "on"},
      {.name = "full_page_writes", .type = VarType::kBool, .context = Context::kSighup, .category = kWalSettings,
       .short_desc = "Whether a page's first change after a checkpoint logs the whole page.", .boot = "on"},
      {.name = "idle_in_transaction_session_timeout", .type = VarType::kInteger, .context = Context::kUser,
       .category = kStatement, .short_desc = "Longest idle time inside a transaction before the session ends.",
       .boot = "0", .unit = Unit::kMs, .min = 0, .max = INT_MAX},
      {.name = "in_hot_standby", .type = VarType::kBool, .context = Context::kInternal, .category = kPreset,
       .short_desc = "Whether the server is a hot standby.", .boot = "off", .flags = kReport},
      {.name = "integer_datetimes", .type = VarType::kBool, .context = Context::kInternal, .category = kPreset,
       .short_desc = "Whether dates and times are stored as integers.", .boot = "on", .flags = kReport},
      {.name = "IntervalStyle", .type = VarType::kEnum, .context = Context::kUser, .category = kLocale,
       .short_desc = "Output format of intervals.", .boot = "postgres",
       .options = {{"postgres"}, {"postgres_verbose"}, {"sql_standard"}, {"iso_8601"}}, .flags = kReport},
      {.name = "is_superuser", .type = VarType::kBool, .context = Context::kInternal, .category = kPreset,
       .short_desc = "Whether the session's role is a superuser.", .boot = "off", .flags = kReport | kNoShowAll},
      {.name = "listen_addresses", .type = VarType::kString, .context = Context::kPostmaster,
       .category = kConnections, .short_desc = "TCP addresses to listen on: a list, * for all, empty for none.",
       .boot = "localhost"},
      {.name = "lock_timeout", .type = VarType::kInteger, .context = Context::kUser, .category = kStatement,
       .short_desc = "Sets the maximum allowed duration of any wait for a lock.", .boot = "0", .unit = Unit::kMs,
       .min = 0, .max = INT_MAX},
      {.name = "log_checkpoints", .type = VarType::kBool, .context = Context::kSighup, .category = kWhatToLog,
       .short_desc = "Whether each checkpoint is logged.", .boot = "on"},
      {.name = "log_lock_waits", .type = VarType::kBool, .context = Context::kSuperuser, .category = kWhatToLog,
       .short_desc = "Logs long lock waits.", .boot = "off"},
      {.name = "max_connections", .type = VarType::kInteger, .context = Context::kPostmaster,
       .category = kConnections, .short_desc = "Most client connections at once.", .boot = "100", .min = 1,
       .max = 262143},
      {.name = "max_locks_per_transaction", .type = VarType::kInteger, .context = Context::kPostmaster,
       .category = kLockManagement, .short_desc = "Sets the maximum number of locks per transaction.", .boot = "64",
       .min = 10, .max = INT_MAX},
      {.name = "max_stack_depth", .type = VarType::kInteger, .context = Context::kSuperuser, .category = kMemory,
       .short_desc = "Deepest the stack of a backend may grow, in kilobytes.", .boot = "100kB", .unit = Unit::kKb,
       .min = 100, .max = INT_MAX, .check = CheckMaxStackDepth, .assign = AssignMaxStackDepth},
      {.name = "max_wal_size", .type = VarType::kInteger, .context = Context::kSighup, .category = kCheckpoints,
       .short_desc = "WAL written since the last checkpoint that starts a new one.", .boot = "1GB",
       .unit = Unit::kMb, .min = 2, .max = INT_MAX},
      {.name = "min_wal_size", .type = VarType::kInteger, .context = Context::kSighup, .category = kCheckpoints,
       .short_desc = "WAL kept for reuse, below which old segments are recycled rather than removed.",
       .boot = "80MB", .unit = Unit::kMb, .min = 2, .max = INT_MAX},
      {.name = "minipg.step_delay", .type = VarType::kInteger, .context = Context::kUser, .category = kEvents,
       .short_desc = "Sleeps this long at each step point of the session's queries (docs/stepping.md).",
       .boot = "0", .unit = Unit::kMs, .min = 0, .max = 60000},
      {.name = "password_encryption", .type = VarType::kEnum, .context = Context::kUser,
       .category = kAuthentication, .short_desc = "How new passwords are hashed.", .boot = "scram-sha-256",
       .options = {{"md5"}, {"scram-sha-256"}}},
      {.name = "port", .type = VarType::kInteger, .context = Context::kPostmaster, .category = kConnections,
       .short_desc = "TCP port (and Unix socket number) the server listens on.", .boot = "5432", .min = 1,
       .max = 65535},
      {.name = "restart_after_crash", .type = VarType::kBool, .context = Context::kSighup,
       .category = kErrorHandling, .short_desc = "Whether the server reinitializes after a backend crashes.",
       .boot = "on"},
      {.name = "search_path", .type = VarType::kString, .context = Context::kUser, .category = kStatement,
       .short_desc = "Schemas searched for names given without one.", .boot = "\"$user\", public"},
      {.name = "server_encoding", .type = VarType::kString, .context = Context::kInternal, .category = kPreset,
       .short_desc = "Character set of the databases.", .boot = "UTF8", .flags = kReport},
      {.name = "server_version", .type = VarType::kString, .context = Context::kInternal, .category = kPreset,
       .short_desc = "Version of the server.", .boot = kServerVersion, .flags = kReport},
      {.name = "server_version_num", .type = VarType::kInteger, .context = Context::kInternal,
       .category = kPreset, .short_desc = "Version of the server as an integer.", .boot = "150000",
       .min = 150000, .max = 150000},
      {.name = "session_authorization", .type = VarType::kString, .context = Context::kInternal,
       .category = kStatement, .short_desc = "Role the session runs as.", .boot = "",
       .flags = kReport | kNoShowAll},
      {.name = "shared_buffers", .type = VarType::kInteger, .context = Context::kPostmaster, .category = kMemory,
       .short_desc = "Number of page buffers in shared memory.", .boot = "128MB", .unit = Unit::kBlocks,
       .min = 16, .max = 1073741823},
      {.name = "standard_conforming_strings", .type = VarType::kBool, .context = Context::kUser,
       .category = kCompatibility, .short_desc = "Whether '...' strings treat backslashes literally.",
       .boot = "on", .flags = kReport},
      {.name = "statement_timeout", .type = VarType::kInteger, .context = Context::kUser, .category = kStatement,
       .short_desc = "Longest time any statement may run.", .boot = "0", .unit = Unit::kMs, .min = 0,
       .max = INT_MAX},
      {.name = "superuser_reserved_connections", .type = VarType::kInteger, .context = Context::kPostmaster,
       .category = kConnections, .short_desc = "Connection slots kept for superusers.", .boot = "3", .min = 0,
       .max = 262143},
      {.name = "synchronous_commit", .type = VarType::kEnum, .context = Context::kUser, .category = kWalSettings,
       .short_desc = "How far a commit waits for its WAL before it is acknowledged.", .boot = "on",
       .options = {{"local"}, {"remote_write"}, {"remote_apply"}, {"on"}, {"off"}, {"true", "on"},
                   {"false", "off"}, {"yes", "on"}, {"no", "off"}, {"1", "on"}, {"0", "off"}}},
      {.name = "TimeZone", .type = VarType::kString, .context = Context::kUser, .category = kLocale,
       .short_desc = "Time zone for showing and reading time stamps.", .boot = "UTC", .flags = kReport},
      {.name = "trace_file", .type = VarType::kString, .context = Context::kPostmaster, .category = kEvents,
       .short_desc = "File the event collector appends every event to (relative: in the data directory).",
       .boot = ""},
      {.name = "track_io_timing", .type = VarType::kBool, .context = Context::kSuperuser, .category = kStatistics,
       .short_desc = "Whether the time spent reading and writing pages is measured.", .boot = "off"},
      {.name = "transaction_read_only", .type = VarType::kBool, .context = Context::kUser, .category = kStatement,
       .short_desc = "Whether the current transaction is read-only.", .boot = "off"},
      {.name = "transaction_isolation", .type = VarType::kEnum, .context = Context::kUser, .category = kStatement,
       .short_desc = "Isolation level of the current transaction.", .boot = "read committed",
       .options = kIsolationLevels},
      {.name = "unix_socket_directories", .type = VarType::kString, .context = Context::kPostmaster,
       .category = kConnections, .short_desc = "Directories the Unix-domain sockets are made in.", .boot = "/tmp"},
      {.name = "vacuum_freeze_min_age", .type = VarType::kInteger, .context = Context::kUser, .category = kStatement,
       .short_desc = "Minimum age at which VACUUM should freeze a table row.", .boot = "50000000", .min = 0,
       .max = 1000000000},
      {.name = "vacuum_freeze_table_age", .type = VarType::kInteger, .context = Context::kUser,
       .category = kStatement, .short_desc = "Age at which VACUUM should scan whole table to freeze tuples.",
       .boot = "150000000", .min = 0, .max = 2000000000},
      {.name = "wal_block_size", .type = VarType::kInteger, .context = Context::kInternal, .category = kPreset,
       .short_desc = "Size of a WAL page in bytes.", .boot = "8192", .min = 8192, .max = 8192},
      {.name = "wal_buffers", .type = VarType::kInteger, .context = Context::kPostmaster,
       .category = kWalSettings, .short_desc = "Number of WAL pages buffered in shared memory (-1: automatic).",
       .boot = "-1", .unit = Unit::kWalBlocks, .min = -1, .max = 262143, .check = CheckWalBuffers},
      // minipg writes one level of WAL, replica's; the others are refused.
      {.name = "wal_level", .type = VarType::kEnum, .context = Context::kPostmaster, .category = kWalSettings,
       .short_desc = "How much the WAL records.", .boot = "replica",
       .options = {{"minimal"}, {"replica"}, {"logical"}, {"archive", "replica"}, {"hot_standby", "replica"}},
       .check = CheckWalLevel},
      {.name = "wal_segment_size", .type = VarType::kInteger, .context = Context::kInternal, .category = kPreset,
       .short_desc = "Size of a WAL segment file.", .boot = "16MB", .unit = Unit::kBytes, .min = 1048576,
       .max = 1073741824},
      {.name = "wal_writer_delay", .type = VarType::kInteger, .context = Context::kSighup,
       .category = kWalSettings, .short_desc = "How long the WAL writer sleeps between flushes.", .boot = "200ms",
       .unit = Unit::kMs, .min = 1, .max = 10000},
      {.name = "work_mem", .type = VarType::kInteger, .context = Context::kUser, .category = kMemory,
       .short_desc = "Memory a sort or hash table may use before it spills or fails.", .boot = "4MB",
       .unit = Unit::kKb, .min = 64, .max = INT_MAX},
      {.name = "wal_writer_flush_after", .type = VarType::kInteger, .context = Context::kSighup,
       .category = kWalSettings, .short_desc = "WAL the WAL writer may write before it flushes.", .boot = "1MB",
       .unit = Unit::kWalBlocks, .min = 0, .max = INT_MAX},
  };
  std::sort(t.begin(), t.end(),
            [](const Definition& a, const Definition& b) { return FoldCase(a.name) < FoldCase(b.name); });
  return t;
}

}  // namespace

const std::vector<Definition>& Table() {
  static const std::vector<Definition> table = MakeTable();
  return table;
}

const Definition* FindDefinition(std::string_view name) {
  const std::vector<Definition>& t = Table();
  std::string key = FoldCase(name);
  auto it = std::lower_bound(t.begin(), t.end(), key,
                             [](const Definition& d, const std::string& k) { return FoldCase(d.name) < k; });
  return it != t.end() && FoldCase(it->name) == key ? &*it : nullptr;
}

}  // namespace minipg::guc
