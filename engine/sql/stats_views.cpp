/*-------------------------------------------------------------------------
 * stats_views.cpp
 *   pg_stat_database, pg_statio_user_tables and pg_stat_user_tables (see
 *   stats_views.h).
 *-------------------------------------------------------------------------
 */
#include "engine/sql/stats_views.h"

#include <map>
#include <string>
#include <unordered_map>
#include <utility>

#include "engine/shmem/backend_status.h"
#include "engine/shmem/pgstat.h"
#include "engine/catalog/catalog_access.h"
#include "engine/catalog/relcache.h"
#include "engine/catalog/shared_catalogs.h"

namespace minipg::sql {
namespace {

using storage::ColumnType;
using storage::Datum;
using storage::Tuple;
using Rows = Result<std::vector<Tuple>>;

// PostgreSQL 15's OIDs of the views.
constexpr uint32_t kPgStatDatabaseOid = 12266;
constexpr uint32_t kPgStatioUserTablesOid = 12179;
constexpr uint32_t kPgStatUserTablesOid = 12161;

Datum Null() {
  return std::monostate{};
}
Datum Int(uint64_t v) {
  return Datum(static_cast<int64_t>(v));
}
/* A timestamptz counter (microseconds since the epoch), NULL for 0 (never). */
Datum Time(int64_t micros) {
  return micros != 0 ? Datum(micros) : Null();
}
Datum Text(std::string s) {
  return Datum(std::move(s));
}

/* The connected database's user tables, OID -> name: the one place the
 * statistics views ask the catalog for names. A table's relfilenode is its
 * OID (minipg never gives a relation a new file), so this OID is also the
 * key of its counters. */
Result<std::map<uint32_t, std::string>> UserTablesByOid(const SessionContext& ctx) {
  auto catalog = catalog::RelcacheTables(catalog::DatabaseOidOf(ctx.data_dir));
  if (!catalog.ok()) return catalog.error();
  std::map<uint32_t, std::string> out;
  for (const storage::TableDef& t : catalog->tables) {
    if (t.oid >= storage::kFirstTableOid && t.kind == 'r') out.emplace(t.oid, t.name);  // user tables, not catalogs
  }
  return out;
}

/* The databases, in the catalog's order: OID and name. */
Result<std::vector<std::pair<uint32_t, std::string>>> Databases(const SessionContext& ctx) {
  std::vector<std::pair<uint32_t, std::string>> out;
  if (ctx.cluster_dir.empty()) return out;
  auto cluster = catalog::LoadGlobalCatalog(ctx.cluster_dir);
  if (!cluster.ok()) return cluster.error();
  for (const storage::DatabaseDef& d : cluster->databases) out.emplace_back(d.oid, d.name);
  return out;
}

Tuple DatabaseRow(uint32_t oid, const std::string* name, int numbackends) {
  pgstat::DbCounts c = pgstat::ReadDatabase(oid);
  return {
      Int(oid),                                // datid
      name != nullptr ? Text(*name) : Null(),  // datname: NULL for the shared objects
      Int(numbackends),                        // numbackends
      Int(c.xact_commit),                      // xact_commit
      Int(c.xact_rollback),                    // xact_rollback
      Int(c.blocks_read),                      // blks_read
      Int(c.blocks_hit),                       // blks_hit
      Int(c.tuples_returned),                  // tup_returned
      Int(c.tuples_fetched),                   // tup_fetched
      Int(c.tuples_inserted),                  // tup_inserted
      Int(c.tuples_updated),                   // tup_updated
      Int(c.tuples_deleted),                   // tup_deleted
      Int(0),                                  // conflicts: no standby
      Int(0),                                  // temp_files: no temporary files
      Int(0),                                  // temp_bytes
      Int(0),                                  // deadlocks: no lock manager yet
      Int(c.checksum_failures),                // checksum_failures: data checksums are always on
      c.checksum_last_failure != 0 ? Datum(c.checksum_last_failure) : Null(),  // checksum_last_failure
      Int(0),                                  // blk_read_time: track_io_timing off
      Int(0),                                  // blk_write_time
      Int(0),                                  // session_time: not measured yet
      Int(0),                                  // active_time
      Int(0),                                  // idle_in_transaction_time
      Int(c.sessions),                         // sessions
      Int(c.sessions_abandoned),               // sessions_abandoned
      Int(c.sessions_fatal),                   // sessions_fatal
      Int(c.sessions_killed),                  // sessions_killed
      Null(),                                  // stats_reset: never reset
  };
}

Rows PgStatDatabase(const SessionContext& ctx) {
  auto dbs = Databases(ctx);
  if (!dbs.ok()) return dbs.error();
  std::unordered_map<std::string, int> backends;  // by database name
  for (const shmem::BackendStatusCopy& s : shmem::ReadProcArray()) {
    if (s.type == shmem::BackendType::kClientBackend && !s.database.empty()) ++backends[s.database];
  }
  std::vector<Tuple> rows;
  rows.push_back(
      DatabaseRow(0, nullptr, 0));  // the shared catalogs' row, as PostgreSQL's view starts
  for (const auto& [oid, name] : *dbs) rows.push_back(DatabaseRow(oid, &name, backends[name]));
  return rows;
}

/* A row per user table of the connected database (zeros for one never
 * touched), in OID order: relid, schemaname, relname, then `counters`. */
Rows PerUserTable(const SessionContext& ctx, Tuple (*counters)(const pgstat::RelCounts& c)) {
  auto tables = UserTablesByOid(ctx);
  if (!tables.ok()) return tables.error();
  std::unordered_map<uint32_t, pgstat::RelCounts> counts;
  for (const pgstat::TableStats& t : pgstat::ReadTables(pgstat::MyDatabase()))
    counts[t.rel] = t.counts;
  std::vector<Tuple> rows;
  for (const auto& [oid, name] : *tables) {
    auto it = counts.find(oid);
    Tuple row = {Int(oid), Text("public"), Text(name)};  // relid, schemaname, relname
    Tuple rest = counters(it != counts.end() ? it->second : pgstat::RelCounts{});
    row.insert(row.end(), rest.begin(), rest.end());
    rows.push_back(std::move(row));
  }
  return rows;
}

Tuple StatioCounters(const pgstat::RelCounts& c) {
  return {
      Int(c.blocks_read),  // heap_blks_read
      Int(c.blocks_hit),   // heap_blks_hit
      Null(),              // idx_blks_read: no indexes
      Null(),              // idx_blks_hit
      Null(),              // toast_blks_read: no TOAST table
      Null(),              // toast_blks_hit
      Null(),              // tidx_blks_read
      Null(),              // tidx_blks_hit
  };
}

Tuple StatCounters(const pgstat::RelCounts& c) {
  return {
      Int(c.numscans),           // seq_scan
      Int(c.tuples_returned),    // seq_tup_read
      Null(),                    // idx_scan: no indexes
      Null(),                    // idx_tup_fetch
      Int(c.tuples_inserted),    // n_tup_ins
      Int(c.tuples_updated),     // n_tup_upd
      Int(c.tuples_deleted),     // n_tup_del
      Int(0),                    // n_tup_hot_upd: minipg writes no HOT updates
      Datum(c.live_tuples),      // n_live_tup
      Datum(c.dead_tuples),      // n_dead_tup
      Int(c.mod_since_analyze),  // n_mod_since_analyze
      Int(c.ins_since_vacuum),   // n_ins_since_vacuum
      Time(c.last_vacuum),
      Time(c.last_autovacuum),
      Time(c.last_analyze),
      Time(c.last_autoanalyze),
      Int(c.vacuum_count),
      Int(c.autovacuum_count),
      Int(c.analyze_count),
      Int(c.autoanalyze_count),
  };
}

Rows PgStatioUserTables(const SessionContext& ctx) {
  return PerUserTable(ctx, StatioCounters);
}
Rows PgStatUserTables(const SessionContext& ctx) {
  return PerUserTable(ctx, StatCounters);
}

std::vector<storage::ColumnDef> Int8Columns(std::initializer_list<const char*> names) {
  std::vector<storage::ColumnDef> out;
  for (const char* n : names) out.push_back({n, ColumnType::kInt8});
  return out;
}

/* relid, schemaname, relname, then `rest`. */
std::vector<storage::ColumnDef> TableColumns(std::vector<storage::ColumnDef> rest) {
  std::vector<storage::ColumnDef> out = {{"relid", ColumnType::kInt4},
                                         {"schemaname", ColumnType::kText},
                                         {"relname", ColumnType::kText}};
  out.insert(out.end(), rest.begin(), rest.end());
  return out;
}

std::vector<storage::ColumnDef> StatDatabaseColumns() {
  std::vector<storage::ColumnDef> out = {{"datid", ColumnType::kInt4},
                                         {"datname", ColumnType::kText},
                                         {"numbackends", ColumnType::kInt4}};
  for (auto& c :
       Int8Columns({"xact_commit", "xact_rollback", "blks_read", "blks_hit", "tup_returned",
                    "tup_fetched", "tup_inserted", "tup_updated", "tup_deleted", "conflicts",
                    "temp_files", "temp_bytes", "deadlocks", "checksum_failures"})) {
    out.push_back(c);
  }
  out.push_back({"checksum_last_failure", ColumnType::kTimestampTz});
  for (auto& c : Int8Columns({"blk_read_time", "blk_write_time", "session_time", "active_time",
                              "idle_in_transaction_time", "sessions", "sessions_abandoned",
                              "sessions_fatal", "sessions_killed"})) {
    out.push_back(c);
  }
  out.push_back({"stats_reset", ColumnType::kTimestampTz});
  return out;
}

std::vector<storage::ColumnDef> StatUserTablesColumns() {
  std::vector<storage::ColumnDef> out = TableColumns(
      Int8Columns({"seq_scan", "seq_tup_read", "idx_scan", "idx_tup_fetch", "n_tup_ins",
                   "n_tup_upd", "n_tup_del", "n_tup_hot_upd", "n_live_tup", "n_dead_tup",
                   "n_mod_since_analyze", "n_ins_since_vacuum"}));
  for (const char* n : {"last_vacuum", "last_autovacuum", "last_analyze", "last_autoanalyze"}) {
    out.push_back({n, ColumnType::kTimestampTz});
  }
  for (auto& c :
       Int8Columns({"vacuum_count", "autovacuum_count", "analyze_count", "autoanalyze_count"})) {
    out.push_back(c);
  }
  return out;
}

}  // namespace

const std::vector<SystemView>& StatsViews() {
  static const std::vector<SystemView> views = {
      {{kPgStatDatabaseOid, "pg_stat_database", 0, StatDatabaseColumns()},
       "minipg_stat_database",
       PgStatDatabase},
      {{kPgStatioUserTablesOid, "pg_statio_user_tables", 0,
        TableColumns(
            Int8Columns({"heap_blks_read", "heap_blks_hit", "idx_blks_read", "idx_blks_hit",
                         "toast_blks_read", "toast_blks_hit", "tidx_blks_read", "tidx_blks_hit"}))},
       "minipg_statio_user_tables",
       PgStatioUserTables},
      {{kPgStatUserTablesOid, "pg_stat_user_tables", 0, StatUserTablesColumns()},
       "minipg_stat_user_tables",
       PgStatUserTables},
  };
  return views;
}

}  // namespace minipg::sql
