/*-------------------------------------------------------------------------
 * shared_catalogs.cpp
 *   The shared catalogs' rows <-> storage::GlobalCatalog, this backend's
 *   cache of them, and writing a change as row deletes and inserts (see
 *   shared_catalogs.h).
 *-------------------------------------------------------------------------
 */
#include "engine/catalog/shared_catalogs.h"

#include <fcntl.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "engine/catalog/bootstrap.h"
#include "engine/catalog/catalog_access.h"
#include "engine/catalog/catalog_rows.h"
#include "engine/catalog/client_catalogs.h"
#include "engine/common/sqlstate.h"
#include "engine/storage/file_util.h"
#include "engine/storage/heap/heap_dirty.h"
#include "engine/storage/heap/heapam.h"
#include "engine/storage/heap/procarray.h"
#include "engine/storage/heap/xact.h"
#include "engine/storage/ipc/sinval.h"

namespace minipg::catalog {

namespace {

namespace fs = std::filesystem;
using storage::Datum;
using storage::DatabaseDef;
using storage::GlobalCatalog;
using storage::RoleDef;
using storage::RoleMembership;
using storage::Tuple;

const SystemCatalog& Cat(Oid oid) { return *FindSystemCatalogByOid(oid); }

Datum O(int64_t v) { return Datum(v); }
Datum B(bool b) { return Datum(b); }
Datum T(std::string_view s) { return Datum(std::string(s)); }

Oid OidAt(const Tuple& row, size_t col) {
  const int64_t* v = std::get_if<int64_t>(&row[col]);
  return v != nullptr ? static_cast<Oid>(*v) : 0;
}
bool BoolAt(const Tuple& row, size_t col) {
  const bool* v = std::get_if<bool>(&row[col]);
  return v != nullptr && *v;
}
std::string TextAt(const Tuple& row, size_t col) {
  const std::string* v = std::get_if<std::string>(&row[col]);
  return v != nullptr ? *v : std::string();
}

/* ---- rows ---------------------------------------------------------------- */

Tuple DatabaseRow(const DatabaseDef& d) {
  namespace c = pg_database;
  Tuple row(c::kNumColumns);
  row[c::kOid] = O(d.oid);
  row[c::kDatname] = T(d.name);
  row[c::kDatdba] = O(d.owner);
  row[c::kEncoding] = O(6);  // UTF8
  row[c::kDatlocprovider] = T("c");  // libc
  row[c::kDatistemplate] = B(d.oid == storage::kTemplate1Oid);
  row[c::kDatallowconn] = B(true);
  row[c::kDatconnlimit] = O(-1);
  row[c::kDatfrozenxid] = O(storage::kFirstNormalTransactionId);
  row[c::kDatminmxid] = O(1);
  row[c::kDattablespace] = O(storage::kDefaultTablespaceOid);
  row[c::kDatcollate] = T("C");  // text compares byte by byte
  row[c::kDatctype] = T("C");
  // daticulocale, datcollversion, datacl: NULL
  return row;
}

DatabaseDef DatabaseOf(const Tuple& row) {
  return {OidAt(row, pg_database::kOid), TextAt(row, pg_database::kDatname), OidAt(row, pg_database::kDatdba)};
}

Tuple RoleRow(const RoleDef& r) {
  namespace c = pg_authid;
  // initdb's superuser has every attribute; minipg has no CREATEROLE,
  // REPLICATION or BYPASSRLS option for other roles.
  bool bootstrap = r.oid == storage::kBootstrapSuperuserOid;
  Tuple row(c::kNumColumns);
  row[c::kOid] = O(r.oid);
  row[c::kRolname] = T(r.name);
  row[c::kRolsuper] = B(r.superuser);
  row[c::kRolinherit] = B(true);
  row[c::kRolcreaterole] = B(bootstrap);
  row[c::kRolcreatedb] = B(r.createdb);
  row[c::kRolcanlogin] = B(r.login);
  row[c::kRolreplication] = B(bootstrap);
  row[c::kRolbypassrls] = B(bootstrap);
  row[c::kRolconnlimit] = O(-1);
  if (!r.password.empty()) row[c::kRolpassword] = T(r.password);  // else NULL
  return row;
}

RoleDef RoleOf(const Tuple& row) {
  RoleDef r;
  r.oid = OidAt(row, pg_authid::kOid);
  r.name = TextAt(row, pg_authid::kRolname);
  r.superuser = BoolAt(row, pg_authid::kRolsuper);
  r.login = BoolAt(row, pg_authid::kRolcanlogin);
  r.createdb = BoolAt(row, pg_authid::kRolcreatedb);
  r.password = TextAt(row, pg_authid::kRolpassword);
  return r;
}

Tuple MemberRow(const RoleMembership& m) {
  return {O(m.role), O(m.member), O(m.grantor), B(false)};
}

RoleMembership MembershipOf(const Tuple& row) {
  return {OidAt(row, pg_auth_members::kRoleid), OidAt(row, pg_auth_members::kMember),
          OidAt(row, pg_auth_members::kGrantor)};
}

bool SameRole(const RoleDef& a, const RoleDef& b) {
  return a.oid == b.oid && a.name == b.name && a.superuser == b.superuser && a.login == b.login &&
         a.createdb == b.createdb && a.password == b.password;
}

/* ---- reading ------------------------------------------------------------- */

/* The catalog with each row's TID (the TIDs in the order of the lists). */
struct SharedRows {
  GlobalCatalog catalog;
  std::vector<storage::ItemPointer> database_tids, role_tids, member_tids;
};

Result<SharedRows> ReadSharedRows() {
  SharedRows out;
  auto dbs = CatalogScan(Cat(kDatabaseRelationId), 0);
  if (!dbs.ok()) return dbs.error();
  for (CatalogRow& r : *dbs) {
    out.catalog.databases.push_back(DatabaseOf(r.values));
    out.database_tids.push_back(r.tid);
  }
  auto roles = CatalogScan(Cat(kAuthIdRelationId), 0);
  if (!roles.ok()) return roles.error();
  for (CatalogRow& r : *roles) {
    out.catalog.roles.push_back(RoleOf(r.values));
    out.role_tids.push_back(r.tid);
  }
  auto members = CatalogScan(Cat(kAuthMemRelationId), 0);
  if (!members.ok()) return members.error();
  for (CatalogRow& r : *members) {
    out.catalog.memberships.push_back(MembershipOf(r.values));
    out.member_tids.push_back(r.tid);
  }
  return out;
}

/* This backend's copy, dropped by an invalidation of any of the three. */
std::optional<GlobalCatalog>& Cache() {
  static std::optional<GlobalCatalog> cache;
  static bool registered = [] {
    storage::RegisterInvalidationCallback([](const storage::SharedInvalMessage& m) {
      using Kind = storage::SharedInvalMessage::Kind;
      bool ours = m.kind == Kind::kCatcache &&
                  (m.id == kDatabaseRelationId || m.id == kAuthIdRelationId || m.id == kAuthMemRelationId);
      if (ours || m.kind == Kind::kResetAll) cache.reset();
    });
    return true;
  }();
  (void)registered;
  return cache;
}

/* ---- writing ------------------------------------------------------------- */

/* The TIDs of the rows of `before` that `after` lacks or changed: the
 * ones WriteDifference deletes or updates. */
template <typename T, typename Same, typename Key>
void ChangedTids(const std::vector<T>& before, const std::vector<storage::ItemPointer>& tids,
                 const std::vector<T>& after, Key key, Same same, std::vector<storage::ItemPointer>& out) {
  for (size_t i = 0; i < before.size(); ++i) {
    auto it = std::find_if(after.begin(), after.end(), [&](const T& x) { return key(x) == key(before[i]); });
    if (it == after.end() || !same(*it, before[i])) out.push_back(tids[i]);
  }
}

/* Deletes the rows of `before` that `after` lacks, updates those it
 * changed, inserts the rows of `after` that `before` lacks. */
template <typename T, typename Same, typename Key, typename MakeRow>
Status WriteDifference(const SystemCatalog& cat, const std::vector<T>& before,
                       const std::vector<storage::ItemPointer>& tids, const std::vector<T>& after, Key key,
                       Same same, MakeRow make_row) {
  auto find = [&key](const std::vector<T>& list, const T& item) -> const T* {
    for (const T& x : list) {
      if (key(x) == key(item)) return &x;
    }
    return nullptr;
  };
  for (size_t i = 0; i < before.size(); ++i) {
    const T* now = find(after, before[i]);
    if (now != nullptr && same(*now, before[i])) continue;
    Status s = now != nullptr ? CatalogUpdate(cat, 0, tids[i], make_row(*now)) : CatalogDelete(cat, 0, tids[i]);
    if (!s.ok()) return s;
  }
  for (const T& item : after) {
    if (find(before, item) != nullptr) continue;  // the same, or updated above
    if (Status s = CatalogInsert(cat, 0, make_row(item)); !s.ok()) return s;
  }
  return OkStatus();
}

/* global/'s DDL lock (exclusive flock). Held by this statement
 * (`statement_lock` keeps it) or, once the transaction created a role or a
 * database, by the transaction until it ends; taken once per transaction
 * that holds it (flock() locks of two descriptors of one process conflict
 * too). */
storage::TransactionId g_locked_by = storage::kInvalidTransactionId;

Status LockSharedDdl(const fs::path& data_dir, storage::UniqueFd* statement_lock) {
  if (g_locked_by != storage::kInvalidTransactionId && g_locked_by == storage::GetCurrentTransactionIdIfAny()) {
    return OkStatus();
  }
  fs::path path = data_dir / "global" / "pg_shared_ddl.lock";
  auto fd = storage::OpenFile(path, O_RDWR | O_CREAT);
  if (!fd.ok()) return fd.error();
  auto lock = storage::FileLock::Acquire(fd->get(), storage::LockMode::kExclusive, path, "global catalog");
  if (!lock.ok()) return lock.error();
  lock->Keep();  // flock() stays with the descriptor
  *statement_lock = std::move(*fd);
  return OkStatus();
}

/* A new name (role or database) must stay unique until it commits: the
 * lock goes to the transaction. */
void KeepLockUntilEnd(storage::UniqueFd* statement_lock) {
  if (!statement_lock->valid()) return;
  storage::XactHoldUntilEnd(std::move(*statement_lock));
  storage::GetCurrentTransactionId();  // the lock is the top-level transaction's (a savepoint's subxid differs)
  g_locked_by = storage::GetCurrentTransactionIdIfAny();
}

bool AddsName(const GlobalCatalog& before, const GlobalCatalog& after) {
  for (const RoleDef& r : after.roles) {
    if (before.FindRole(r.name) == nullptr) return true;
  }
  for (const DatabaseDef& d : after.databases) {
    if (before.FindDatabase(d.name) == nullptr) return true;
  }
  return false;
}

}  // namespace

Status BootstrapSharedCatalogs(const fs::path& data_dir, std::string_view superuser) {
  std::error_code ec;
  fs::path global = data_dir / "global";
  if (fs::exists(global / std::to_string(kDatabaseRelationId), ec)) return OkStatus();
  GlobalCatalog c;
  c.databases.push_back({storage::kTemplate1Oid, "template1", storage::kBootstrapSuperuserOid});
  c.databases.push_back({storage::kPostgresDbOid, "postgres", storage::kBootstrapSuperuserOid});
  RoleDef su;
  su.oid = storage::kBootstrapSuperuserOid;
  su.name = superuser.empty() ? storage::OsUserName() : std::string(superuser);
  su.superuser = su.login = su.createdb = true;
  c.roles.push_back(su);
  for (auto [oid, name] : storage::PredefinedRoles()) c.roles.push_back(RoleDef{oid, std::string(name)});
  c.memberships = storage::PredefinedMemberships();
  for (const DatabaseDef& d : c.databases) {
    if (Status s = storage::MakeDatabaseDir(data_dir, d.oid); !s.ok()) return s;
  }
  std::vector<Tuple> dbs, roles, members;
  for (const DatabaseDef& d : c.databases) dbs.push_back(DatabaseRow(d));
  // template1's privileges as initdb leaves them (psql's \l shows them):
  // PUBLIC may connect, the owner create, make temporary tables and connect.
  dbs[0][pg_database::kDatacl] = storage::MakeArray(
      storage::ColumnType::kText, {Datum(std::string("=c/") + su.name), Datum(su.name + "=CTc/" + su.name)});
  for (const RoleDef& r : c.roles) roles.push_back(RoleRow(r));
  for (const RoleMembership& m : c.memberships) members.push_back(MemberRow(m));
  // The other shared catalogs (pg_tablespace, ...) and pg_authid and
  // pg_auth_members first: pg_database last says "done".
  for (const SystemCatalog* cat : ClientCatalogs()) {
    if (!cat->shared) continue;
    std::vector<Tuple> rows = cat->oid == kTablespaceRelationId ? PgTablespaceRows() : std::vector<Tuple>{};
    if (Status s = WriteBootstrapRelation(global / std::to_string(cat->oid), cat->columns, rows); !s.ok()) return s;
  }
  if (Status s = WriteBootstrapRelation(global / std::to_string(kAuthIdRelationId), Cat(kAuthIdRelationId).columns, roles);
      !s.ok()) {
    return s;
  }
  if (Status s = WriteBootstrapRelation(global / std::to_string(kAuthMemRelationId),
                                        Cat(kAuthMemRelationId).columns, members);
      !s.ok()) {
    return s;
  }
  if (Status s = WriteBootstrapRelation(global / std::to_string(kDatabaseRelationId),
                                        Cat(kDatabaseRelationId).columns, dbs);
      !s.ok()) {
    return s;
  }
  return storage::FsyncDir(global);
}

Result<GlobalCatalog> LoadGlobalCatalog(const fs::path& data_dir) {
  (void)data_dir;  // the relations are found through smgr's data directory
  storage::AcceptInvalidationMessages();
  std::optional<GlobalCatalog>& cache = Cache();
  if (!cache) {
    auto rows = ReadSharedRows();
    if (!rows.ok()) return rows.error();
    cache = std::move(rows->catalog);
  }
  return *cache;
}

Status ChangeGlobalCatalog(const fs::path& data_dir, const std::function<Status(GlobalCatalog&)>& change) {
  auto db_key = [](const DatabaseDef& d) { return d.oid; };
  auto db_same = [](const DatabaseDef& a, const DatabaseDef& b) { return a.name == b.name && a.owner == b.owner; };
  auto role_key = [](const RoleDef& r) { return r.oid; };
  auto member_key = [](const RoleMembership& m) { return std::pair(m.role, m.member); };
  auto member_same = [](const RoleMembership& a, const RoleMembership& b) { return a.grantor == b.grantor; };
  for (;;) {
    storage::UniqueFd statement_lock;
    if (Status s = LockSharedDdl(data_dir, &statement_lock); !s.ok()) return s;
    storage::AcceptInvalidationMessages();
    auto rows = ReadSharedRows();
    if (!rows.ok()) return rows.error();
    GlobalCatalog after = rows->catalog;
    if (Status s = change(after); !s.ok()) return s;
    const GlobalCatalog& before = rows->catalog;
    // A row to change that a transaction still open changed: wait for it
    // without global/'s lock (PostgreSQL waits on the row alone); its
    // COMMIT fails us as PostgreSQL's simple_heap_update does, its
    // ROLLBACK lets us start over.
    if (statement_lock.valid()) {
      std::vector<std::pair<const SystemCatalog*, std::vector<storage::ItemPointer>>> changed(3);
      changed[0].first = &Cat(kDatabaseRelationId);
      ChangedTids(before.databases, rows->database_tids, after.databases, db_key, db_same, changed[0].second);
      changed[1].first = &Cat(kAuthIdRelationId);
      ChangedTids(before.roles, rows->role_tids, after.roles, role_key, SameRole, changed[1].second);
      changed[2].first = &Cat(kAuthMemRelationId);
      ChangedTids(before.memberships, rows->member_tids, after.memberships, member_key, member_same,
                  changed[2].second);
      storage::TransactionId busy = storage::kInvalidTransactionId;
      const SystemCatalog* busy_cat = nullptr;
      storage::ItemPointer busy_tid;
      for (const auto& [cat, tids] : changed) {
        for (storage::ItemPointer tid : tids) {
          auto dirty = storage::HeapTupleDirtyAt(CatalogLocator(*cat, 0), tid);
          if (!dirty.ok()) return dirty.error();
          if (dirty->wait_for != storage::kInvalidTransactionId && !storage::TransactionIdIsCurrent(dirty->wait_for)) {
            busy = dirty->wait_for;
            busy_cat = cat;
            busy_tid = tid;
          }
        }
      }
      if (busy != storage::kInvalidTransactionId) {
        statement_lock = storage::UniqueFd();  // closing it gives up the flock()
        if (Status s = storage::WaitForTransactionEnd(busy); !s.ok()) return s;
        auto fate = storage::TransactionIdFate(busy);
        if (!fate.ok()) return fate.error();
        if (*fate == storage::XidFate::kCommitted) {
          storage::HeapTupleHeader header;
          auto row = storage::HeapFetchVersion(CatalogLocator(*busy_cat, 0), busy_cat->columns, busy_tid, &header);
          if (!row.ok()) return row.error();
          bool updated = row->has_value() && (header.ctid.block != busy_tid.block || header.ctid.offset != busy_tid.offset);
          return MakeError(sqlstate::kInternalError, updated ? "tuple concurrently updated" : "tuple concurrently deleted");
        }
        continue;
      }
    }
    if (AddsName(before, after)) KeepLockUntilEnd(&statement_lock);
    if (Status s = WriteDifference(Cat(kDatabaseRelationId), before.databases, rows->database_tids, after.databases,
                                   db_key, db_same, DatabaseRow);
        !s.ok()) {
      return s;
    }
    if (Status s = WriteDifference(Cat(kAuthIdRelationId), before.roles, rows->role_tids, after.roles, role_key,
                                   SameRole, RoleRow);
        !s.ok()) {
      return s;
    }
    return WriteDifference(Cat(kAuthMemRelationId), before.memberships, rows->member_tids, after.memberships,
                           member_key, member_same, MemberRow);
  }
}

}  // namespace minipg::catalog
