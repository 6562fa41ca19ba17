/*-------------------------------------------------------------------------
 * system_views.cpp
 *   The list of system views and their row functions (see system_views.h).
 *
 *   pg_stat_activity: one row per server process in the shared process
 *   array (engine/shmem/backend_status.h), with PostgreSQL 15's columns in
 *   its order. Columns minipg cannot know (database and role OIDs,
 *   transaction ids, query ids, parallel leaders, client host names) are
 *   NULL. oid columns are shown as integer.
 *-------------------------------------------------------------------------
 */
#include "engine/sql/system_views.h"

#include "engine/shmem/backend_status.h"

namespace minipg::sql {
namespace {

using storage::ColumnType;
using storage::Datum;
using storage::Tuple;

constexpr uint32_t kPgStatActivityOid = 12000;  // any OID below 16384 is a system object

Datum Null() {
  return std::monostate{};
}
Datum Text(std::string s) {
  return Datum(std::move(s));
}
Datum TextOrNull(const char* s) {
  return s == nullptr ? Null() : Text(s);
}
Datum TimeOrNull(int64_t micros) {
  return micros == 0 ? Null() : Datum(micros);
}

std::vector<Tuple> PgStatGetActivity(const SessionContext&) {
  std::vector<Tuple> rows;
  for (const shmem::BackendStatusCopy& s : shmem::ReadProcArray()) {
    bool client = s.type == shmem::BackendType::kClientBackend;
    Tuple row;
    row.push_back(Null());                                                      // datid
    row.push_back(client && !s.database.empty() ? Text(s.database) : Null());   // datname
    row.push_back(Datum(int64_t{s.pid}));                                       // pid
    row.push_back(Null());                                                      // leader_pid
    row.push_back(Null());                                                      // usesysid
    row.push_back(client && !s.user.empty() ? Text(s.user) : Null());           // usename
    row.push_back(Text(s.application_name));                                    // application_name
    row.push_back(client && s.has_client_addr ? Text(s.client_addr) : Null());  // client_addr
    row.push_back(Null());                                                      // client_hostname
    row.push_back(client ? Datum(int64_t{s.client_port}) : Null());             // client_port
    row.push_back(TimeOrNull(s.backend_start));                                 // backend_start
    row.push_back(TimeOrNull(s.xact_start));                                    // xact_start
    row.push_back(TimeOrNull(s.query_start));                                   // query_start
    row.push_back(TimeOrNull(s.state_change));                                  // state_change
    row.push_back(TextOrNull(shmem::WaitEventTypeName(s.wait_event)));          // wait_event_type
    row.push_back(TextOrNull(shmem::WaitEventName(s.wait_event)));              // wait_event
    row.push_back(TextOrNull(shmem::ActivityStateName(s.state)));               // state
    row.push_back(Null());                                                      // backend_xid
    row.push_back(Null());                                                      // backend_xmin
    row.push_back(Null());                                                      // query_id
    row.push_back(Text(s.query));                                               // query
    row.push_back(Text(shmem::BackendTypeName(s.type)));                        // backend_type
    rows.push_back(std::move(row));
  }
  return rows;
}

const std::vector<SystemView>& Views() {
  static const std::vector<SystemView> views = {
      {{kPgStatActivityOid,
        "pg_stat_activity",
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
         {"backend_xid", ColumnType::kText},
         {"backend_xmin", ColumnType::kText},
         {"query_id", ColumnType::kInt8},
         {"query", ColumnType::kText},
         {"backend_type", ColumnType::kText}}},
       "pg_stat_get_activity",
       PgStatGetActivity},
  };
  return views;
}

}  // namespace

const SystemView* FindSystemView(std::string_view name) {
  for (const SystemView& v : Views()) {
    if (v.def.name == name) return &v;
  }
  return nullptr;
}

const SystemView* FindSystemViewByOid(uint32_t oid) {
  if (oid >= storage::kFirstTableOid) return nullptr;
  for (const SystemView& v : Views()) {
    if (v.def.oid == oid) return &v;
  }
  return nullptr;
}

}  // namespace minipg::sql
