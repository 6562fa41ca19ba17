/*-------------------------------------------------------------------------
 * autovacuum.cpp
 *   The autovacuum launcher and workers (see autovacuum.h).
 *-------------------------------------------------------------------------
 */
#include "engine/postmaster/autovacuum.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "engine/catalog/shared_catalogs.h"
#include "engine/postmaster/aux_process.h"
#include "engine/postmaster/server_log.h"
#include "engine/shmem/backend_status.h"
#include "engine/shmem/pgstat.h"
#include "engine/sql/session.h"
#include "engine/sql/vacuum_command.h"
#include "engine/storage/global_catalog.h"
#include "engine/storage/ipc/sinval.h"
#include "engine/storage/lmgr/lock.h"
#include "engine/trace/emitter.h"

namespace minipg {

namespace {

constexpr const char* kAreaName = "AutoVacuum";
constexpr int kMinSleepMs = 100;  // MIN_AUTOVAC_SLEEPTIME

/* Keeps the rows of a query. */
class CollectRows : public sql::ResultSink {
 public:
  void Describe(const std::vector<sql::ColumnDesc>&) override {}
  void Row(const std::vector<std::optional<std::string>>& values) override { rows.push_back(values); }
  std::vector<std::vector<std::optional<std::string>>> rows;
};

/* Runs one SQL text in the worker's session; its rows. The event stream
 * sees it as a backend's query: query_start, the session's own parse ...
 * execute events, then a query_done per statement or the error. */
Result<std::vector<std::vector<std::optional<std::string>>>> RunSql(sql::Session& session, std::string_view text) {
  int64_t start = trace::NowMicros();
  trace::Event(trace::EventType::kQueryStart).QueryText("text", text).Emit();
  auto failed = [](const Error& e) {
    trace::Event(trace::EventType::kError)
        .Str("severity", "ERROR")
        .Str("sqlstate", e.sqlstate)
        .Str("message", e.message)
        .Emit();
    return e;
  };
  auto stmts = session.Parse(text);
  if (!stmts.ok()) return failed(stmts.error());
  CollectRows sink;
  for (const sql::StatementPtr& stmt : *stmts) {
    auto r = session.Execute(*stmt, sink);
    if (!r.ok()) return failed(r.error());
    trace::Event(trace::EventType::kQueryDone)
        .Str("tag", r->command_tag)
        .Int("rows", r->rows)
        .Int("duration_us", trace::NowMicros() - start)
        .Emit();
  }
  return std::move(sink.rows);
}

std::string QuoteIdent(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

double ToDouble(const std::optional<std::string>& v) { return v ? std::strtod(v->c_str(), nullptr) : 0; }

/* autovacuum_enabled from pg_class.reloptions' text ("{autovacuum_enabled=false,fillfactor=70}"). */
bool AutovacuumEnabled(const std::optional<std::string>& reloptions) {
  if (!reloptions) return true;
  constexpr std::string_view kKey = "autovacuum_enabled=";
  size_t at = reloptions->find(kKey);
  if (at == std::string::npos) return true;
  std::string value = reloptions->substr(at + kKey.size());
  value = value.substr(0, value.find_first_of(",}"));
  std::transform(value.begin(), value.end(), value.begin(), [](unsigned char c) { return std::tolower(c); });
  return !(value == "false" || value == "off" || value == "no" || value == "0" || value == "f");
}

/* What the worker does to each table (PostgreSQL's relation_needs_vacanalyze). */
void ProcessDatabase(const Config& config, sql::Session& session) {
  auto tables = RunSql(session,
                       "SELECT c.relname, c.reltuples, s.n_dead_tup, s.n_ins_since_vacuum, s.n_mod_since_analyze, "
                       "c.reloptions FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid "
                       "WHERE c.relkind = 'r' ORDER BY c.oid");
  if (!tables.ok()) {
    LogError(tables.error());
    return;
  }
  double vac_base = config.Int("autovacuum_vacuum_threshold");
  double vac_scale = config.Real("autovacuum_vacuum_scale_factor");
  double ins_base = config.Int("autovacuum_vacuum_insert_threshold");
  double ins_scale = config.Real("autovacuum_vacuum_insert_scale_factor");
  double anl_base = config.Int("autovacuum_analyze_threshold");
  double anl_scale = config.Real("autovacuum_analyze_scale_factor");
  for (const auto& row : *tables) {
    if (AuxShutdownRequested()) return;
    if (row.size() < 6 || !row[0] || !AutovacuumEnabled(row[5])) continue;
    double reltuples = std::max(0.0, ToDouble(row[1]));
    bool vacuum = ToDouble(row[2]) > vac_base + vac_scale * reltuples ||
                  (ins_base >= 0 && ToDouble(row[3]) > ins_base + ins_scale * reltuples);
    bool analyze = ToDouble(row[4]) > anl_base + anl_scale * reltuples;
    if (!vacuum && !analyze) continue;
    std::string text = fmt::format("{} {}", vacuum && analyze ? "VACUUM ANALYZE" : vacuum ? "VACUUM" : "ANALYZE",
                                   QuoteIdent(*row[0]));
    auto done = RunSql(session, text);
    if (!done.ok() && done.error().sqlstate != "42P01") LogError(done.error());  // a table dropped meanwhile is no news
    pgstat::Report();
  }
}

}  // namespace

shmem::ShmemRequest AutoVacuumShmemRequest() {
  return {kAreaName, sizeof(AutoVacuumShared), [](void* p) { new (p) AutoVacuumShared{}; }};
}

AutoVacuumShared* AutoVacuumArea() { return static_cast<AutoVacuumShared*>(shmem::ShmemArea(kAreaName)); }

void AutoVacLauncherMain(const Config& server_config, int slot) {
  InitAuxProcess(server_config, slot, shmem::BackendType::kAutovacuumLauncher, "autovacuum launcher");
  Config config = server_config;  // this process's copy: a SIGHUP re-reads minipg.conf into it
  size_t next = 0;
  for (;;) {
    AuxReloadConfig(config);
    if (!config.Bool("autovacuum")) break;  // the postmaster starts a new launcher once it is on again
    std::vector<uint32_t> dbs;
    if (auto global = catalog::LoadGlobalCatalog(config.data_directory); global.ok()) {
      for (const storage::DatabaseDef& d : global->databases) {
        if (d.name != "template0") dbs.push_back(d.oid);
      }
    }
    int64_t naptime_ms = int64_t{config.Int("autovacuum_naptime")} * 1000;
    int64_t per_db = naptime_ms / std::max<int64_t>(1, static_cast<int64_t>(dbs.size()));
    int sleep_ms = static_cast<int>(std::clamp<int64_t>(per_db, kMinSleepMs, 24 * 3600 * 1000));
    if (!AuxSleep(sleep_ms, shmem::WaitEvent::kAutoVacuumMain)) break;
    AutoVacuumShared* area = AutoVacuumArea();
    if (dbs.empty() || area == nullptr) continue;
    area->request_db.store(dbs[next++ % dbs.size()]);
    area->pending.store(1);
    kill(getppid(), SIGUSR1);
  }
  shmem::ClearMyStatus();
  _exit(0);
}

void AutoVacWorkerMain(const Config& config, int slot, uint32_t db_oid) {
  InitAuxProcess(config, slot, shmem::BackendType::kAutovacuumWorker, "autovacuum worker");
  auto global = catalog::LoadGlobalCatalog(config.data_directory);
  if (!global.ok()) _exit(1);
  const storage::DatabaseDef* db = nullptr;
  for (const storage::DatabaseDef& d : global->databases) {
    if (d.oid == db_oid) db = &d;
  }
  const storage::RoleDef* superuser = global->FindRoleByOid(storage::kBootstrapSuperuserOid);
  if (db == nullptr || superuser == nullptr) _exit(0);  // dropped meanwhile
  auto lock = storage::LockDatabaseShared(config.data_directory, db_oid);
  if (!lock.ok()) _exit(0);
  shmem::ReportConnection("", db->name, "");
  storage::SharedInvalSetDatabase(db_oid);
  lmgr::SetLockDatabase(db_oid);  // its table locks name this database, as a backend's do
  pgstat::SetMyDatabase(db_oid);
  {
    sql::SessionContext ctx;
    ctx.cluster_dir = config.data_directory;
    ctx.data_dir = storage::DatabasePath(config.data_directory, db_oid);
    ctx.user = superuser->name;
    ctx.database = db->name;
    ctx.backend_pid = getpid();
    ctx.server_settings = &config.settings;
    sql::Session session(ctx);
    sql::SetAutovacuumWorker(true);
    ProcessDatabase(config, session);
  }
  pgstat::Report();
  shmem::ClearMyStatus();
  _exit(0);
}

}  // namespace minipg
