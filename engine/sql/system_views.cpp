/*-------------------------------------------------------------------------
 * system_views.cpp
 *   The list of system views and their row functions (see system_views.h).
 *   Each has PostgreSQL 15's columns in its order; oid columns are shown
 *   as integer, and columns minipg cannot know are NULL.
 *
 *   pg_stat_activity  one row per server process in the shared process
 *                     array (engine/shmem/backend_status.h)
 *   pg_locks          the lock manager's locks and waits (lock_views.h)
 *   pg_database       the databases of global/minipg_global
 *   pg_roles          its roles (pg_authid with the password hidden)
 *   pg_auth_members   role memberships (GRANT role TO role)
 *   pg_tables         the connected database's tables, all in "public"
 *   pg_views          its views, with their stored query text
 *   pg_stats          pg_statistic's rows (ANALYZE's column statistics)
 *                     with table and column names
 *   pg_settings       the session's settings (engine/common/guc.h)
 *   pg_buffercache, pg_stat_wal, pg_stat_bgwriter, pg_control_checkpoint()
 *                     shared buffers, WAL and control file (storage_views.h)
 *   pg_stat_database, pg_statio_user_tables, pg_stat_user_tables
 *                     the cumulative statistics (stats_views.h; their own list)
 *-------------------------------------------------------------------------
 */
#include "engine/sql/system_views.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <optional>

#include "engine/catalog/catalog_access.h"
#include "engine/catalog/client_catalogs.h"
#include "engine/catalog/shared_catalogs.h"
#include "engine/common/guc.h"
#include "engine/common/sqlstate.h"
#include "engine/shmem/backend_status.h"
#include "engine/sql/information_schema.h"
#include "engine/sql/lock_views.h"
#include "engine/sql/role_ddl.h"
#include "engine/sql/stats_views.h"
#include "engine/sql/step_functions.h"
#include "engine/sql/storage_functions.h"
#include "engine/sql/storage_views.h"
#include "engine/storage/global_catalog.h"
#include "engine/storage/heap/procarray.h"

namespace minipg::sql {
namespace {

using storage::ColumnType;
using storage::Datum;
using storage::Tuple;

// Any OID below 16384 is a system object; these are PostgreSQL 15's.
constexpr uint32_t kPgStatActivityOid = 12222;
constexpr uint32_t kPgLocksOid = 12073;
constexpr uint32_t kPgRolesOid = 12001;
constexpr uint32_t kPgTablesOid = 12005;
constexpr uint32_t kPgViewsOid = 12028;  // PostgreSQL 15's
constexpr uint32_t kPgStatsOid = 12053;
constexpr uint32_t kPgSettingsOid = 12213;
constexpr uint32_t kPgBuffercacheOid = 13100;  // an extension's view has a user OID in PostgreSQL; a view here needs one below 16384
constexpr uint32_t kPgStatWalOid = 12288;
constexpr uint32_t kPgStatBgwriterOid = 12283;
constexpr uint32_t kPgControlCheckpointOid = 3442;  // the function's OID
constexpr uint32_t kMinipgPageItemsOid = 9990;      // minipg's own function (builtins.h: 8000-9999)
constexpr uint32_t kMinipgVisibilityMapOid = 9989;  // minipg's own function
constexpr uint32_t kPgGetMultixactMembersOid = 3819;  // the function's OID
constexpr int64_t kDefaultTablespaceOid = 1663;  // pg_default: base/

using Rows = Result<std::vector<Tuple>>;

Datum Null() {
  return std::monostate{};
}
Datum Text(std::string s) {
  return Datum(std::move(s));
}
Datum Int(int64_t v) {
  return Datum(v);
}
Datum TextOrNull(const char* s) {
  return s == nullptr ? Null() : Text(s);
}
Datum TimeOrNull(int64_t micros) {
  return micros == 0 ? Null() : Datum(micros);
}

/* The row of one process. A viewer that is not a superuser, has not the
 * privileges of pg_read_all_stats and has not those of the process's role
 * (its own sessions, or a role it is a member of) sees only who and where,
 * as PostgreSQL 15's pg_stat_get_activity shows it: datid, datname, pid,
 * usesysid, usename and application_name; query says <insufficient
 * privilege>, every other column is NULL. */
Tuple ActivityRow(const shmem::BackendStatusCopy& s, const storage::GlobalCatalog* cluster,
                  bool see_all, uint32_t viewer) {
  bool client = s.type == shmem::BackendType::kClientBackend;
  const storage::RoleDef* role =
      client && cluster != nullptr ? cluster->FindRole(s.user) : nullptr;
  const storage::DatabaseDef* db =
      client && cluster != nullptr ? cluster->FindDatabase(s.database) : nullptr;
  bool visible = see_all || (role != nullptr && cluster->HasPrivsOfRole(viewer, role->oid));
  Tuple row;
  row.push_back(db != nullptr ? Int(db->oid) : Null());                       // datid
  row.push_back(client && !s.database.empty() ? Text(s.database) : Null());   // datname
  row.push_back(Int(s.pid));                                                  // pid
  row.push_back(Null());                                                      // leader_pid
  row.push_back(role != nullptr ? Int(role->oid) : Null());                   // usesysid
  row.push_back(client && !s.user.empty() ? Text(s.user) : Null());           // usename
  row.push_back(Text(s.application_name));                                    // application_name
  // backend_xid and backend_xmin: the proc array's entry (procarray.h)
  storage::ProcArrayEntry proc = storage::ProcArrayEntryOf(s.slot);
  Datum xid = proc.xid != 0 ? Int(proc.xid) : Null();
  Datum xmin = proc.xmin != 0 ? Int(proc.xmin) : Null();
  if (!visible) {
    // PostgreSQL 15 shows backend_xid (and backend_xmin) to anyone.
    for (int i = 0; i < 10; ++i) row.push_back(Null());  // client_addr .. state
    row.push_back(xid);                                  // backend_xid
    row.push_back(xmin);                                 // backend_xmin
    row.push_back(Null());                               // query_id
    row.push_back(Text("<insufficient privilege>"));    // query
    row.push_back(Null());                              // backend_type
    return row;
  }
  row.push_back(client && s.has_client_addr ? Text(s.client_addr) : Null());  // client_addr
  row.push_back(Null());                                                      // client_hostname
  row.push_back(client ? Int(s.client_port) : Null());                        // client_port
  row.push_back(TimeOrNull(s.backend_start));                                 // backend_start
  row.push_back(TimeOrNull(s.xact_start));                                    // xact_start
  row.push_back(TimeOrNull(s.query_start));                                   // query_start
  row.push_back(TimeOrNull(s.state_change));                                  // state_change
  row.push_back(TextOrNull(shmem::WaitEventTypeName(s.wait_event)));          // wait_event_type
  row.push_back(TextOrNull(shmem::WaitEventName(s.wait_event)));              // wait_event
  row.push_back(TextOrNull(shmem::ActivityStateName(s.state)));               // state
  row.push_back(xid);                                                         // backend_xid
  row.push_back(xmin);                                                        // backend_xmin
  row.push_back(Null());                                                      // query_id
  row.push_back(Text(s.query));                                               // query
  row.push_back(Text(shmem::BackendTypeName(s.type)));                        // backend_type
  return row;
}

Rows PgStatGetActivity(const SessionContext& ctx) {
  // Without a cluster catalog (unit tests over a bare folder) the session
  // is a superuser, as SessionUserIsSuperuser() says.
  std::optional<storage::GlobalCatalog> cluster;
  bool see_all = ctx.cluster_dir.empty();
  uint32_t viewer = 0;
  if (!see_all) {
    auto loaded = catalog::LoadGlobalCatalog(ctx.cluster_dir);
    if (!loaded.ok()) return loaded.error();
    cluster = std::move(*loaded);
    const storage::RoleDef* me = cluster->FindRole(ctx.user);
    viewer = me != nullptr ? me->oid : 0;
    see_all = cluster->HasPrivsOfRole(viewer, storage::kPgReadAllStatsOid);
  }
  std::vector<Tuple> rows;
  for (const shmem::BackendStatusCopy& s : shmem::ReadProcArray()) {
    rows.push_back(ActivityRow(s, cluster ? &*cluster : nullptr, see_all, viewer));
  }
  return rows;
}

Result<storage::GlobalCatalog> LoadCluster(const SessionContext& ctx) {
  if (ctx.cluster_dir.empty()) {
    return MakeError(sqlstate::kFeatureNotSupported, "this session has no cluster catalog");
  }
  return catalog::LoadGlobalCatalog(ctx.cluster_dir);
}

Rows PgRoles(const SessionContext& ctx) {
  auto cluster = LoadCluster(ctx);
  if (!cluster.ok()) return cluster.error();
  std::vector<Tuple> rows;
  for (const storage::RoleDef& r : cluster->roles) {
    // initdb's superuser may create roles; minipg has no CREATEROLE option
    // for others, nor replication or row-level security.
    bool bootstrap = r.oid == storage::kBootstrapSuperuserOid;
    rows.push_back({
        Text(r.name),         // rolname
        Datum(r.superuser),   // rolsuper
        Datum(true),          // rolinherit
        Datum(bootstrap),     // rolcreaterole
        Datum(r.createdb),    // rolcreatedb
        Datum(r.login),       // rolcanlogin
        Datum(bootstrap),     // rolreplication: as pg_authid's row (initdb's superuser has it)
        Int(-1),              // rolconnlimit
        Text("********"),     // rolpassword: always hidden, as PostgreSQL's view does
        Null(),               // rolvaliduntil
        Datum(bootstrap),     // rolbypassrls
        Null(),               // rolconfig
        Int(r.oid),           // oid
    });
  }
  return rows;
}

/* pg_tables: the tables of pg_class (catalogs too), as PostgreSQL's view. */
Rows PgTables(const SessionContext& ctx) {
  auto classes = catalog::CatalogScan(*catalog::FindSystemCatalog("pg_class"), catalog::DatabaseOidOf(ctx.data_dir));
  if (!classes.ok()) return classes.error();
  std::vector<Tuple> rows;
  for (const catalog::CatalogRow& r : *classes) {
    if (std::get<std::string>(r.values[catalog::pg_class::kRelkind]) != "r") continue;
    int64_t nspace = std::get<int64_t>(r.values[catalog::pg_class::kRelnamespace]);
    bool shared = std::get<bool>(r.values[catalog::pg_class::kRelisshared]);
    rows.push_back({
        Text(nspace == catalog::kPgCatalogNamespace ? "pg_catalog" : "public"),  // schemaname
        r.values[catalog::pg_class::kRelname],                                    // tablename
        Text(RoleNameOrUnknown(ctx, std::get<int64_t>(r.values[catalog::pg_class::kRelowner]))),  // tableowner
        shared ? Text("pg_global") : Null(),                // tablespace: the database's default
        r.values[catalog::pg_class::kRelhasindex],          // hasindexes
        r.values[catalog::pg_class::kRelhasrules],          // hasrules
        r.values[catalog::pg_class::kRelhastriggers],       // hastriggers
        r.values[catalog::pg_class::kRelrowsecurity],       // rowsecurity
    });
  }
  return rows;
}

/* pg_views: the views of pg_class with their _RETURN rule's query (the
 * stored text, where PostgreSQL prints a normalized query). */
Rows PgViews(const SessionContext& ctx) {
  storage::Oid db = catalog::DatabaseOidOf(ctx.data_dir);
  auto classes = catalog::CatalogScan(*catalog::FindSystemCatalog("pg_class"), db);
  if (!classes.ok()) return classes.error();
  auto rules = catalog::CatalogScan(*catalog::FindSystemCatalog("pg_rewrite"), db);
  if (!rules.ok()) return rules.error();
  std::vector<Tuple> rows;
  for (const catalog::CatalogRow& r : *classes) {
    if (std::get<std::string>(r.values[catalog::pg_class::kRelkind]) != "v") continue;
    Datum definition = Null();
    for (const catalog::CatalogRow& rule : *rules) {
      if (rule.values[catalog::pg_rewrite::kEvClass] == r.values[catalog::pg_class::kOid]) {
        definition = rule.values[catalog::pg_rewrite::kEvAction];
      }
    }
    rows.push_back({
        Text("public"),                                                                           // schemaname
        r.values[catalog::pg_class::kRelname],                                                    // viewname
        Text(RoleNameOrUnknown(ctx, std::get<int64_t>(r.values[catalog::pg_class::kRelowner]))),  // viewowner
        definition,                                                                               // definition
    });
  }
  return rows;
}

/* pg_stats: each column's statistics from pg_statistic, the slots by
 * kind (MCV, histogram, correlation). */
Rows PgStats(const SessionContext& ctx) {
  namespace ps = catalog::pg_statistic;
  storage::Oid db = catalog::DatabaseOidOf(ctx.data_dir);
  auto stats = catalog::CatalogScan(*catalog::FindSystemCatalog("pg_statistic"), db);
  if (!stats.ok()) return stats.error();
  auto classes = catalog::CatalogScan(*catalog::FindSystemCatalog("pg_class"), db);
  if (!classes.ok()) return classes.error();
  auto attributes = catalog::CatalogScan(*catalog::FindSystemCatalog("pg_attribute"), db);
  if (!attributes.ok()) return attributes.error();
  std::vector<Tuple> rows;
  for (const catalog::CatalogRow& st : *stats) {
    const Datum& relid = st.values[ps::kStarelid];
    const catalog::CatalogRow* rel = nullptr;
    for (const catalog::CatalogRow& c : *classes) {
      if (c.values[catalog::pg_class::kOid] == relid) rel = &c;
    }
    const catalog::CatalogRow* att = nullptr;
    for (const catalog::CatalogRow& a : *attributes) {
      if (a.values[catalog::pg_attribute::kAttrelid] == relid &&
          a.values[catalog::pg_attribute::kAttnum] == st.values[ps::kStaattnum]) {
        att = &a;
      }
    }
    if (rel == nullptr || att == nullptr) continue;
    Datum mcv_vals = Null();
    Datum mcv_freqs = Null();
    Datum histogram = Null();
    Datum correlation = Null();
    for (size_t slot = 0; slot < static_cast<size_t>(ps::kNumSlots); ++slot) {
      int64_t kind = std::get<int64_t>(st.values[ps::kStakind1 + slot]);
      const Datum& numbers = st.values[ps::kStanumbers1 + slot];
      if (kind == ps::kKindMcv) {
        mcv_vals = st.values[ps::kStavalues1 + slot];
        mcv_freqs = numbers;
      } else if (kind == ps::kKindHistogram) {
        histogram = st.values[ps::kStavalues1 + slot];
      } else if (kind == ps::kKindCorrelation) {
        if (const auto* a = std::get_if<storage::ArrayValue>(&numbers); a != nullptr && !a->data->elements.empty()) {
          correlation = a->data->elements[0];
        }
      }
    }
    int64_t nspace = std::get<int64_t>(rel->values[catalog::pg_class::kRelnamespace]);
    rows.push_back({
        Text(nspace == catalog::kPgCatalogNamespace ? "pg_catalog" : "public"),  // schemaname
        rel->values[catalog::pg_class::kRelname],                                 // tablename
        att->values[catalog::pg_attribute::kAttname],                             // attname
        st.values[ps::kStainherit],                                               // inherited
        st.values[ps::kStanullfrac],                                              // null_frac
        st.values[ps::kStawidth],                                                 // avg_width
        st.values[ps::kStadistinct],                                              // n_distinct
        mcv_vals,                                                                 // most_common_vals
        mcv_freqs,                                                                // most_common_freqs
        histogram,                                                                // histogram_bounds
        correlation,                                                              // correlation
        Null(),                                                                   // most_common_elems
        Null(),                                                                   // most_common_elem_freqs
        Null(),                                                                   // elem_count_histogram
    });
  }
  return rows;
}

/* An element of a text[] as PostgreSQL's array output writes it: quoted
 * when it holds a space or a character the syntax uses. */
std::string ArrayElement(std::string_view v) {
  if (!v.empty() && v.find_first_of(" ,{}\"\\") == std::string_view::npos && v != "NULL") return std::string(v);
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

Datum Bound(const guc::Definition* def, double v) {
  if (def == nullptr || (def->type != guc::VarType::kInteger && def->type != guc::VarType::kReal)) return Null();
  if (def->type == guc::VarType::kInteger) return Text(std::to_string(static_cast<int64_t>(v)));
  return Text(fmt::format("{}", v));
}

Rows PgSettings(const SessionContext& ctx) {
  if (ctx.settings == nullptr) {
    return MakeError(sqlstate::kFeatureNotSupported, "this session has no settings");
  }
  // Where a value came from is shown only to superusers, as PostgreSQL
  // shows it only with the privileges of pg_read_all_settings.
  bool see_files = SessionUserIsSuperuser(ctx);
  std::vector<Tuple> rows;
  for (const guc::Setting& s : ctx.settings->All()) {
    const guc::Definition* def = s.def;
    if (def != nullptr && (def->flags & guc::kNoShowAll) != 0) continue;
    Datum enumvals = Null();
    if (def != nullptr && def->type == guc::VarType::kEnum) {
      std::vector<std::string> names;
      for (const guc::EnumOption& o : def->options) {
        if (o.means == nullptr) names.push_back(ArrayElement(o.name));
      }
      enumvals = Text(fmt::format("{{{}}}", fmt::join(names, ",")));
    }
    const char* unit = def != nullptr ? guc::UnitName(def->unit) : "";
    rows.push_back({
        Text(s.name),                                                       // name
        Text(s.value),                                                      // setting
        *unit ? Text(unit) : Null(),                                        // unit
        Text(def != nullptr ? def->category : "Customized Options"),        // category
        def != nullptr ? Text(def->short_desc) : Null(),                    // short_desc
        Null(),                                                             // extra_desc
        Text(def != nullptr ? guc::ContextName(def->context) : "user"),     // context
        Text(def != nullptr ? guc::VarTypeName(def->type) : "string"),      // vartype
        Text(guc::SourceName(s.source)),                                    // source
        Bound(def, def != nullptr ? def->min : 0),                          // min_val
        Bound(def, def != nullptr ? def->max : 0),                          // max_val
        enumvals,                                                           // enumvals
        def != nullptr ? Text(s.boot_value) : Null(),                       // boot_val
        Text(s.reset_value),                                                // reset_val
        see_files && !s.sourcefile.empty() ? Text(s.sourcefile) : Null(),   // sourcefile
        see_files && s.sourceline > 0 ? Int(s.sourceline) : Null(),         // sourceline
        Datum(s.pending_restart),                                           // pending_restart
    });
  }
  return rows;
}

const std::vector<SystemView>& Views() {
  static const std::vector<SystemView> views = {
      {{kPgStatActivityOid,
        "pg_stat_activity",
        0,
        {{"datid", ColumnType::kInt4},
         {"datname", ColumnType::kText},
         {"pid", ColumnType::kInt4},
         {"leader_pid", ColumnType::kInt4},
         {"usesysid", ColumnType::kInt4},
         {"usename", ColumnType::kText},
         {"application_name", ColumnType::kText},
         {"client_addr", ColumnType::kInet},
         {"client_hostname", ColumnType::kText},
         {"client_port", ColumnType::kInt4},
         {"backend_start", ColumnType::kTimestampTz},
         {"xact_start", ColumnType::kTimestampTz},
         {"query_start", ColumnType::kTimestampTz},
         {"state_change", ColumnType::kTimestampTz},
         {"wait_event_type", ColumnType::kText},
         {"wait_event", ColumnType::kText},
         {"state", ColumnType::kText},
         {"backend_xid", ColumnType::kXid},
         {"backend_xmin", ColumnType::kXid},
         {"query_id", ColumnType::kInt8},
         {"query", ColumnType::kText},
         {"backend_type", ColumnType::kText}}},
       "pg_stat_get_activity",
       PgStatGetActivity},
      {{kPgLocksOid,
        "pg_locks",
        0,
        {{"locktype", ColumnType::kText},
         {"database", ColumnType::kOid},
         {"relation", ColumnType::kOid},
         {"page", ColumnType::kInt4},
         {"tuple", ColumnType::kInt2},
         {"virtualxid", ColumnType::kText},
         {"transactionid", ColumnType::kXid},
         {"classid", ColumnType::kOid},
         {"objid", ColumnType::kOid},
         {"objsubid", ColumnType::kInt2},
         {"virtualtransaction", ColumnType::kText},
         {"pid", ColumnType::kInt4},
         {"mode", ColumnType::kText},
         {"granted", ColumnType::kBool},
         {"fastpath", ColumnType::kBool},
         {"waitstart", ColumnType::kTimestampTz}}},
       "pg_lock_status",
       PgLocks},
      {{kPgRolesOid,
        "pg_roles",
        0,
        {{"rolname", ColumnType::kName},
         {"rolsuper", ColumnType::kBool},
         {"rolinherit", ColumnType::kBool},
         {"rolcreaterole", ColumnType::kBool},
         {"rolcreatedb", ColumnType::kBool},
         {"rolcanlogin", ColumnType::kBool},
         {"rolreplication", ColumnType::kBool},
         {"rolconnlimit", ColumnType::kInt4},
         {"rolpassword", ColumnType::kText},
         {"rolvaliduntil", ColumnType::kTimestampTz},
         {"rolbypassrls", ColumnType::kBool},
         {"rolconfig", ColumnType::kTextArray},
         {"oid", ColumnType::kOid}}},
       "minipg_roles",
       PgRoles},
      {{kPgTablesOid,
        "pg_tables",
        0,
        {{"schemaname", ColumnType::kText},
         {"tablename", ColumnType::kText},
         {"tableowner", ColumnType::kText},
         {"tablespace", ColumnType::kText},
         {"hasindexes", ColumnType::kBool},
         {"hasrules", ColumnType::kBool},
         {"hastriggers", ColumnType::kBool},
         {"rowsecurity", ColumnType::kBool}}},
       "minipg_tables",
       PgTables},
      {{kPgViewsOid,
        "pg_views",
        0,
        {{"schemaname", ColumnType::kText},
         {"viewname", ColumnType::kText},
         {"viewowner", ColumnType::kText},
         {"definition", ColumnType::kText}}},
       "minipg_views",
       PgViews},
      {{kPgStatsOid,
        "pg_stats",
        0,
        {{"schemaname", ColumnType::kName},
         {"tablename", ColumnType::kName},
         {"attname", ColumnType::kName},
         {"inherited", ColumnType::kBool},
         {"null_frac", ColumnType::kFloat4},
         {"avg_width", ColumnType::kInt4},
         {"n_distinct", ColumnType::kFloat4},
         {"most_common_vals", ColumnType::kTextArray},
         {"most_common_freqs", ColumnType::kFloat4Array},
         {"histogram_bounds", ColumnType::kTextArray},
         {"correlation", ColumnType::kFloat4},
         {"most_common_elems", ColumnType::kTextArray},
         {"most_common_elem_freqs", ColumnType::kFloat4Array},
         {"elem_count_histogram", ColumnType::kFloat4Array}}},
       "minipg_stats",
       PgStats},
      {{kPgSettingsOid,
        "pg_settings",
        0,
        {{"name", ColumnType::kText},
         {"setting", ColumnType::kText},
         {"unit", ColumnType::kText},
         {"category", ColumnType::kText},
         {"short_desc", ColumnType::kText},
         {"extra_desc", ColumnType::kText},
         {"context", ColumnType::kText},
         {"vartype", ColumnType::kText},
         {"source", ColumnType::kText},
         {"min_val", ColumnType::kText},
         {"max_val", ColumnType::kText},
         {"enumvals", ColumnType::kText},
         {"boot_val", ColumnType::kText},
         {"reset_val", ColumnType::kText},
         {"sourcefile", ColumnType::kText},
         {"sourceline", ColumnType::kInt4},
         {"pending_restart", ColumnType::kBool}}},
       "pg_show_all_settings",
       PgSettings},
      {{kPgBuffercacheOid,
        "pg_buffercache",
        0,
        {{"bufferid", ColumnType::kInt4},
         {"relfilenode", ColumnType::kInt4},
         {"reltablespace", ColumnType::kInt4},
         {"reldatabase", ColumnType::kInt4},
         {"relforknumber", ColumnType::kInt4},
         {"relblocknumber", ColumnType::kInt8},
         {"isdirty", ColumnType::kBool},
         {"usagecount", ColumnType::kInt4},
         {"pinning_backends", ColumnType::kInt4}}},
       "pg_buffercache_pages",
       PgBuffercacheRows,
       false,
       "pg_buffercache"},
      {{kPgStatWalOid,
        "pg_stat_wal",
        0,
        {{"wal_records", ColumnType::kInt8},
         {"wal_fpi", ColumnType::kInt8},
         {"wal_bytes", ColumnType::kInt8},
         {"wal_buffers_full", ColumnType::kInt8},
         {"wal_write", ColumnType::kInt8},
         {"wal_sync", ColumnType::kInt8},
         {"wal_write_time", ColumnType::kInt8},
         {"wal_sync_time", ColumnType::kInt8},
         {"stats_reset", ColumnType::kTimestampTz}}},
       "pg_stat_get_wal",
       PgStatWalRows},
      {{kPgStatBgwriterOid,
        "pg_stat_bgwriter",
        0,
        {{"checkpoints_timed", ColumnType::kInt8},
         {"checkpoints_req", ColumnType::kInt8},
         {"checkpoint_write_time", ColumnType::kInt8},
         {"checkpoint_sync_time", ColumnType::kInt8},
         {"buffers_checkpoint", ColumnType::kInt8},
         {"buffers_clean", ColumnType::kInt8},
         {"maxwritten_clean", ColumnType::kInt8},
         {"buffers_backend", ColumnType::kInt8},
         {"buffers_backend_fsync", ColumnType::kInt8},
         {"buffers_alloc", ColumnType::kInt8},
         {"stats_reset", ColumnType::kTimestampTz}}},
       "pg_stat_get_bgwriter",
       PgStatBgwriterRows},
      {{kPgControlCheckpointOid,
        "pg_control_checkpoint",
        0,
        {{"checkpoint_lsn", ColumnType::kText},
         {"redo_lsn", ColumnType::kText},
         {"redo_wal_file", ColumnType::kText},
         {"timeline_id", ColumnType::kInt4},
         {"prev_timeline_id", ColumnType::kInt4},
         {"full_page_writes", ColumnType::kBool},
         {"next_xid", ColumnType::kText},
         {"next_oid", ColumnType::kOid},
         {"next_multixact_id", ColumnType::kXid},
         {"next_multi_offset", ColumnType::kXid},
         {"oldest_xid", ColumnType::kXid},
         {"oldest_xid_dbid", ColumnType::kOid},
         {"oldest_active_xid", ColumnType::kXid},
         {"oldest_multi_xid", ColumnType::kXid},
         {"oldest_multi_dbid", ColumnType::kOid},
         {"oldest_commit_ts_xid", ColumnType::kXid},
         {"newest_commit_ts_xid", ColumnType::kXid},
         {"checkpoint_time", ColumnType::kTimestampTz}}},
       "pg_control_checkpoint",
       PgControlCheckpointRows,
       true},
      {{kMinipgPageItemsOid,
        "minipg_page_items",
        0,
        {{"lp", ColumnType::kInt2},
         {"lp_off", ColumnType::kInt2},
         {"lp_flags", ColumnType::kInt2},
         {"lp_len", ColumnType::kInt2},
         {"t_xmin", ColumnType::kXid},
         {"t_xmax", ColumnType::kXid},
         {"t_field3", ColumnType::kInt4},
         {"t_ctid", ColumnType::kText},
         {"t_infomask2", ColumnType::kInt4},
         {"t_infomask", ColumnType::kInt4},
         {"t_hoff", ColumnType::kInt2},
         {"t_bits", ColumnType::kText},
         {"t_oid", ColumnType::kOid},
         {"t_data", ColumnType::kText},
         {"t_row", ColumnType::kText}}},
       "minipg_page_items",
       nullptr,
       true,
       nullptr,
       MinipgPageItemsRows,
       {TypeId::kRegclass, TypeId::kInt4}},
      {{kMinipgVisibilityMapOid,
        "minipg_visibility_map",
        0,
        {{"blkno", ColumnType::kInt8}, {"all_visible", ColumnType::kBool}, {"all_frozen", ColumnType::kBool}}},
       "minipg_visibility_map",
       nullptr,
       true,
       nullptr,
       MinipgVisibilityMapRows,
       {TypeId::kRegclass}},
      {{kPgGetMultixactMembersOid, "pg_get_multixact_members", 0, {{"xid", ColumnType::kXid}, {"mode", ColumnType::kText}}},
       "pg_get_multixact_members",
       nullptr,
       true,
       nullptr,
       MultiXactMembersRows,
       {TypeId::kXid}},
  };
  return views;
}

}  // namespace

std::string RoleNameOrUnknown(const SessionContext& ctx, int64_t oid) {
  if (!ctx.cluster_dir.empty()) {
    auto cluster = catalog::LoadGlobalCatalog(ctx.cluster_dir);
    if (cluster.ok()) {
      for (const storage::RoleDef& r : cluster->roles) {
        if (r.oid == oid) return r.name;
      }
    }
  }
  return fmt::format("unknown (OID={})", oid);
}

const SystemView* FindSystemView(std::string_view name) {
  for (const auto* list : {&Views(), &StatsViews(), &StepViews()}) {
    for (const SystemView& v : *list) {
      if (v.def.name == name) return &v;
    }
  }
  return nullptr;
}

std::vector<const SystemView*> AllSystemViews() {
  std::vector<const SystemView*> all;
  for (const auto* list : {&Views(), &StatsViews(), &StepViews()}) {
    for (const SystemView& v : *list) all.push_back(&v);
  }
  return all;
}

const SystemView* FindSystemViewByOid(uint32_t oid) {
  if (oid >= storage::kFirstTableOid) return nullptr;
  for (const auto* list : {&Views(), &StatsViews(), &StepViews(), &InformationSchemaViews()}) {
    for (const SystemView& v : *list) {
      if (v.def.oid == oid) return &v;
    }
  }
  return nullptr;
}

}  // namespace minipg::sql
