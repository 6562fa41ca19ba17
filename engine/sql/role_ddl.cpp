/*-------------------------------------------------------------------------
 * role_ddl.cpp
 *   CREATE/DROP DATABASE, CREATE/ALTER/DROP ROLE and GRANT/REVOKE of
 *   roles (see role_ddl.h):
 *   parsing, privilege checks, and the change to the global catalog.
 *
 * NOTES
 *   Privileges are read from the catalog at each statement, so an ALTER
 *   ROLE ... NOSUPERUSER in another session counts from the next statement.
 *   DROP DATABASE commits the catalog first and then removes the folder; a
 *   crash in between leaves an orphan folder no catalog entry names.
 *   A database in use by another session cannot be dropped: every session
 *   holds a shared flock() on its database's lock file, and DROP DATABASE
 *   asks for an exclusive one without waiting.
 *-------------------------------------------------------------------------
 */
#include "engine/sql/role_ddl.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/file.h>

#include "engine/catalog/shared_catalogs.h"
#include "engine/storage/heap/transam.h"
#include "engine/storage/heap/xact.h"
#include "engine/auth/password.h"
#include "engine/catalog/relcache.h"
#include "engine/common/interrupts.h"
#include "engine/common/sqlstate.h"
#include "engine/sql/lexer.h"
#include "engine/storage/file_util.h"
#include "engine/storage/global_catalog.h"
#include "engine/storage/heap/dbase.h"

namespace minipg::sql {

namespace {

/* A database to copy (template1) or drop may still have a session that
 * has just said goodbye and is exiting. Like PostgreSQL, CREATE DATABASE
 * and DROP DATABASE wait up to 5 s for the others to leave: `attempt`
 * (a whole catalog change, so no lock is held while waiting) runs again
 * every 100 ms while it found the database busy (it sets *busy). A cancel
 * or statement_timeout ends the wait. */
template <typename Attempt>
Status RetryWhileBusy(bool* busy, Attempt attempt) {
  constexpr int kTries = 50;
  for (int i = 0;; ++i) {
    *busy = false;
    Status s = attempt();
    if (!*busy || i + 1 >= kTries) return s;
    if (Status slept = InterruptibleSleep(0.1); !slept.ok()) return slept;
  }
}

using storage::GlobalCatalog;
using storage::RoleDef;

Error Denied(std::string message) {
  return MakeError(sqlstate::kInsufficientPrivilege, std::move(message));
}

Error RoleMissing(std::string_view name) {
  return MakeError(sqlstate::kUndefinedObject, fmt::format("role \"{}\" does not exist", name));
}

Status CheckRoleName(std::string_view name) {
  if (name == "public" || name == "none" || name.substr(0, 3) == "pg_") {
    Error e = MakeError(sqlstate::kReservedName, fmt::format("role name \"{}\" is reserved", name));
    if (name.substr(0, 3) == "pg_") e.detail = "Role names starting with \"pg_\" are reserved.";
    return e;
  }
  return OkStatus();
}

void ApplyOptions(const CatalogDdl& ddl, RoleDef& role, std::string_view password_encryption) {
  if (ddl.superuser) role.superuser = *ddl.superuser;
  if (ddl.login) role.login = *ddl.login;
  if (ddl.createdb) role.createdb = *ddl.createdb;
  if (ddl.set_password) {
    // An empty password is no password (PostgreSQL says so in a NOTICE).
    role.password = ddl.password && !ddl.password->empty()
                        ? auth::EncryptPassword(*ddl.password, role.name, password_encryption)
                        : std::string();
  }
}

Result<std::string> CreateDatabase(const CatalogDdl& ddl, const SessionContext& ctx,
                                   const RoleDef& me) {
  if (!me.superuser && !me.createdb) return Denied("permission denied to create database");
  const std::string& name = ddl.names[0];
  uint32_t oid = 0;
  bool busy = false;
  Status s = RetryWhileBusy(&busy, [&] {
    return catalog::ChangeGlobalCatalog(ctx.cluster_dir, [&](GlobalCatalog& c) -> Status {
      uint32_t owner = me.oid;
      if (ddl.owner) {
        const RoleDef* role = c.FindRole(*ddl.owner);
        if (role == nullptr) return RoleMissing(*ddl.owner);
        if (!me.superuser && !c.IsMemberOf(me.oid, role->oid))
          return Denied(fmt::format("must be member of role \"{}\"", role->name));
        owner = role->oid;
      }
      if (c.FindDatabase(name) != nullptr) {
        return MakeError(sqlstate::kDuplicateDatabase,
                         fmt::format("database \"{}\" already exists", name));
      }
      // A new database is a copy of template1, which nobody may be connected
      // to meanwhile (its exclusive lock is held until the copy is done).
      auto template_lock =
          storage::TryLockDatabaseExclusive(ctx.cluster_dir, storage::kTemplate1Oid);
      if (!template_lock.ok()) return template_lock.error();
      if (!template_lock->valid()) {
        busy = true;
        Error e = MakeError(sqlstate::kObjectInUse,
                            "source database \"template1\" is being accessed by other users");
        e.detail = "There are other sessions using the database.";
        return e;
      }
      oid = storage::GetNewObjectId();
      // The folder first, then the catalog entry: an entry never lacks its folder.
      std::filesystem::path dir = storage::DatabasePath(ctx.cluster_dir, oid);
      std::error_code ec;
      std::filesystem::create_directories(dir, ec);
      if (ec) return storage::IoError("create directory", dir, ec.value());
      // template1's dirty pages written, its files copied, a Database CREATE record.
      if (Status f = storage::CreateDatabaseStorage(storage::kTemplate1Oid, oid); !f.ok()) return f;
      if (Status f = storage::FsyncDir(dir.parent_path()); !f.ok()) return f;
      c.databases.push_back({oid, name, owner});
      return OkStatus();
    });
  });
  if (!s.ok()) return s.error();
  return std::string("CREATE DATABASE");
}

Result<std::string> DropDatabase(const CatalogDdl& ddl, const SessionContext& ctx,
                                 const RoleDef& me) {
  const std::string& name = ddl.names[0];
  std::optional<uint32_t> dropped;
  bool busy = false;
  std::vector<std::string> missing;  // IF EXISTS and not there
  Status s = RetryWhileBusy(&busy, [&] {
    return catalog::ChangeGlobalCatalog(ctx.cluster_dir, [&](GlobalCatalog& c) -> Status {
      missing.clear();
      const storage::DatabaseDef* db = c.FindDatabase(name);
      if (db == nullptr) {
        if (ddl.if_exists) {
          missing.push_back(name);
          return OkStatus();
        }
        return MakeError(sqlstate::kInvalidCatalogName,
                         fmt::format("database \"{}\" does not exist", name));
      }
      if (!me.superuser && db->owner != me.oid)
        return Denied(fmt::format("must be owner of database {}", name));
      if (name == ctx.database) {
        return MakeError(sqlstate::kObjectInUse, "cannot drop the currently open database");
      }
      if (db->oid == storage::kTemplate1Oid) {
        return MakeError(sqlstate::kWrongObjectType, "cannot drop a template database");
      }
      auto held = storage::TryLockDatabaseExclusive(ctx.cluster_dir, db->oid);
      if (!held.ok()) return held.error();
      if (!held->valid()) {
        busy = true;
        Error e = MakeError(sqlstate::kObjectInUse,
                            fmt::format("database \"{}\" is being accessed by other users", name));
        e.detail = "There are other sessions using the database.";
        return e;
      }
      dropped = db->oid;
      uint32_t oid = db->oid;
      // Nobody connects until the drop is committed: a login that took the
      // shared lock before would still find the row, after it the folder
      // is gone.
      storage::XactHoldUntilEnd(std::move(*held));
      // Its buffers forgotten, a Database DROP record; the folder goes below.
      if (Status f = storage::DropDatabaseStorage(oid); !f.ok()) return f;
      std::erase_if(c.databases, [oid](const storage::DatabaseDef& d) { return d.oid == oid; });
      return OkStatus();
    });
  });
  if (!s.ok()) return s.error();
  NoticeSkipping(ctx, "database", missing);
  if (dropped) {
    std::error_code ec;
    std::filesystem::remove_all(storage::DatabasePath(ctx.cluster_dir, *dropped), ec);
  }
  return std::string("DROP DATABASE");
}

Result<std::string> CreateRole(const CatalogDdl& ddl, const SessionContext& ctx, const RoleDef& me,
                               std::string_view password_encryption) {
  if (!me.superuser) return Denied("permission denied to create role");
  const std::string& name = ddl.names[0];
  if (Status s = CheckRoleName(name); !s.ok()) return s.error();
  Status s = catalog::ChangeGlobalCatalog(ctx.cluster_dir, [&](GlobalCatalog& c) -> Status {
    if (c.FindRole(name) != nullptr) {
      return MakeError(sqlstate::kDuplicateObject, fmt::format("role \"{}\" already exists", name));
    }
    RoleDef role;
    role.oid = storage::GetNewObjectId();
    role.name = name;
    ApplyOptions(ddl, role, password_encryption);
    c.roles.push_back(std::move(role));
    return OkStatus();
  });
  if (!s.ok()) return s.error();
  return std::string("CREATE ROLE");
}

Result<std::string> AlterRole(const CatalogDdl& ddl, const SessionContext& ctx, const RoleDef& me,
                              std::string_view password_encryption) {
  const std::string& name = ddl.names[0];
  if (name.substr(0, 3) == "pg_") {
    Error e = MakeError(sqlstate::kReservedName, fmt::format("role name \"{}\" is reserved", name));
    e.detail = "Cannot alter reserved roles.";
    return e;
  }
  Status s = catalog::ChangeGlobalCatalog(ctx.cluster_dir, [&](GlobalCatalog& c) -> Status {
    RoleDef* role = c.FindRole(name);
    if (role == nullptr) return RoleMissing(name);
    // A role may change its own password; everything else needs a superuser.
    bool own_password = role->name == me.name && !ddl.superuser && !ddl.login && !ddl.createdb;
    if (!me.superuser && !own_password) return Denied("permission denied");
    if (role->oid == storage::kBootstrapSuperuserOid && ddl.superuser && !*ddl.superuser) {
      return MakeError(sqlstate::kFeatureNotSupported,
                       "permission denied: bootstrap user must be superuser");
    }
    ApplyOptions(ddl, *role, password_encryption);
    return OkStatus();
  });
  if (!s.ok()) return s.error();
  return std::string("ALTER ROLE");
}

/* A role that owns a database or a table cannot be dropped (2BP01). As
 * PostgreSQL does, the detail names the databases and the tables in this
 * database, and counts the objects in the others. */
Status CheckNothingOwned(const GlobalCatalog& c, const RoleDef& role, const SessionContext& ctx) {
  std::vector<std::string> owned;
  for (const storage::DatabaseDef& d : c.databases) {
    if (d.owner == role.oid) owned.push_back(fmt::format("owner of database {}", d.name));
  }
  std::vector<std::string> elsewhere;
  for (const storage::DatabaseDef& d : c.databases) {
    auto tables = catalog::ReadTables(d.oid);
    if (!tables.ok()) continue;  // a database being created or dropped
    size_t n = 0;
    for (const storage::TableDef& t : *tables) {
      if (t.owner != role.oid) continue;
      if (d.name == ctx.database) {
        owned.push_back(fmt::format("owner of table {}", t.name));
      } else {
        ++n;
      }
    }
    if (n > 0)
      elsewhere.push_back(fmt::format("{} object{} in database {}", n, n == 1 ? "" : "s", d.name));
  }
  owned.insert(owned.end(), elsewhere.begin(), elsewhere.end());
  if (owned.empty()) return OkStatus();
  Error e = MakeError(
      sqlstate::kDependentObjectsStillExist,
      fmt::format("role \"{}\" cannot be dropped because some objects depend on it", role.name));
  e.detail = fmt::format("{}", fmt::join(owned, "\n"));
  return e;
}

Result<std::string> DropRole(const CatalogDdl& ddl, const SessionContext& ctx, const RoleDef& me) {
  if (!me.superuser) return Denied("permission denied to drop role");
  std::vector<std::string> missing;  // IF EXISTS and not there
  Status s = catalog::ChangeGlobalCatalog(ctx.cluster_dir, [&](GlobalCatalog& c) -> Status {
    missing.clear();
    for (const std::string& name : ddl.names) {
      const RoleDef* role = c.FindRole(name);
      if (role == nullptr) {
        if (ddl.if_exists) {
          missing.push_back(name);
          continue;
        }
        return RoleMissing(name);
      }
      if (name == ctx.user)
        return MakeError(sqlstate::kObjectInUse, "current user cannot be dropped");
      if (role->oid == storage::kBootstrapSuperuserOid || storage::IsPredefinedRole(role->oid)) {
        return MakeError(
            sqlstate::kDependentObjectsStillExist,
            fmt::format("cannot drop role {} because it is required by the database system", name));
      }
      if (Status d = CheckNothingOwned(c, *role, ctx); !d.ok()) return d;
      uint32_t oid = role->oid;
      std::erase_if(c.roles, [oid](const RoleDef& r) { return r.oid == oid; });
      std::erase_if(c.memberships, [oid](const storage::RoleMembership& m) {
        return m.role == oid || m.member == oid;
      });
    }
    return OkStatus();
  });
  if (!s.ok()) return s.error();
  NoticeSkipping(ctx, "role", missing);
  return std::string("DROP ROLE");
}

/* GRANT role TO member / REVOKE role FROM member, as PostgreSQL 15's
 * AddRoleMems/DelRoleMems: every grantee must exist, then for each role
 * in turn the privilege check and each member. A membership that would
 * make a cycle is 0LP01; one already there is a NOTICE (GRANT), one
 * missing a WARNING (REVOKE), sent after the change commits. */
Result<std::string> GrantOrRevokeRole(const CatalogDdl& ddl, const SessionContext& ctx,
                                      const RoleDef& me) {
  bool grant = ddl.kind == CatalogDdl::Kind::kGrantRole;
  std::vector<Error> notices;
  Status s = catalog::ChangeGlobalCatalog(ctx.cluster_dir, [&](GlobalCatalog& c) -> Status {
    notices.clear();
    std::vector<const RoleDef*> members;
    for (const std::string& name : ddl.grantees) {
      const RoleDef* member = c.FindRole(name.empty() ? ctx.user : name);
      if (member == nullptr) return RoleMissing(name.empty() ? ctx.user : name);
      members.push_back(member);
    }
    for (const std::string& name : ddl.names) {
      const RoleDef* role = c.FindRole(name);
      if (role == nullptr) return RoleMissing(name);
      if (role->superuser && !me.superuser) return Denied("must be superuser to alter superusers");
      if (!me.superuser) return Denied(fmt::format("must have admin option on role \"{}\"", name));
      uint32_t role_oid = role->oid;
      for (const RoleDef* member : members) {
        if (grant) {
          if (c.IsMemberOf(role_oid, member->oid)) {
            return MakeError(sqlstate::kInvalidGrantOperation,
                             fmt::format("role \"{}\" is a member of role \"{}\"", name, member->name));
          }
          if (c.IsDirectMember(member->oid, role_oid)) {
            notices.push_back(MakeError(
                sqlstate::kSuccessfulCompletion,
                fmt::format("role \"{}\" is already a member of role \"{}\"", member->name, name),
                Severity::kNotice));
            continue;
          }
          c.memberships.push_back({role_oid, member->oid, me.oid});
        } else {
          uint32_t member_oid = member->oid;
          if (std::erase_if(c.memberships, [&](const storage::RoleMembership& m) {
                return m.role == role_oid && m.member == member_oid;
              }) == 0) {
            notices.push_back(MakeError(
                sqlstate::kWarning,
                fmt::format("role \"{}\" is not a member of role \"{}\"", member->name, name),
                Severity::kWarning));
          }
        }
      }
    }
    return OkStatus();
  });
  if (!s.ok()) return s.error();
  for (const Error& n : notices) {
    if (ctx.notice) ctx.notice(n);
  }
  return std::string(grant ? "GRANT ROLE" : "REVOKE ROLE");
}

}  // namespace

Result<std::string> ExecCatalogDdl(const CatalogDdl& ddl, const SessionContext& ctx,
                                   std::string_view password_encryption) {
  if (ctx.cluster_dir.empty()) {
    return MakeError(sqlstate::kFeatureNotSupported, "this session has no cluster catalog");
  }
  auto catalog = catalog::LoadGlobalCatalog(ctx.cluster_dir);
  if (!catalog.ok()) return catalog.error();
  const RoleDef* me_ptr = catalog->FindRole(ctx.user);
  if (me_ptr == nullptr) return RoleMissing(ctx.user);
  RoleDef me = *me_ptr;
  switch (ddl.kind) {
    case CatalogDdl::Kind::kCreateDatabase:
      return CreateDatabase(ddl, ctx, me);
    case CatalogDdl::Kind::kDropDatabase:
      return DropDatabase(ddl, ctx, me);
    case CatalogDdl::Kind::kCreateRole:
      return CreateRole(ddl, ctx, me, password_encryption);
    case CatalogDdl::Kind::kAlterRole:
      return AlterRole(ddl, ctx, me, password_encryption);
    case CatalogDdl::Kind::kDropRole:
      return DropRole(ddl, ctx, me);
    case CatalogDdl::Kind::kGrantRole:
    case CatalogDdl::Kind::kRevokeRole:
      return GrantOrRevokeRole(ddl, ctx, me);
  }
  return MakeError(sqlstate::kInternalError, "unknown catalog statement");
}

uint32_t SessionUserOid(const SessionContext& ctx) {
  if (ctx.cluster_dir.empty()) return storage::kBootstrapSuperuserOid;
  auto catalog = catalog::LoadGlobalCatalog(ctx.cluster_dir);
  if (!catalog.ok()) return 0;
  const RoleDef* me = catalog->FindRole(ctx.user);
  return me != nullptr ? me->oid : 0;
}

bool SessionHasPrivsOfRole(const SessionContext& ctx, std::string_view role) {
  if (ctx.cluster_dir.empty()) return true;
  auto catalog = catalog::LoadGlobalCatalog(ctx.cluster_dir);
  if (!catalog.ok()) return false;
  const RoleDef* me = catalog->FindRole(ctx.user);
  const RoleDef* target = catalog->FindRole(role);
  return me != nullptr && target != nullptr && catalog->HasPrivsOfRole(me->oid, target->oid);
}

bool SessionUserIsSuperuser(const SessionContext& ctx) {
  if (ctx.cluster_dir.empty()) return true;
  auto catalog = catalog::LoadGlobalCatalog(ctx.cluster_dir);
  if (!catalog.ok()) return false;
  const RoleDef* me = catalog->FindRole(ctx.user);
  return me != nullptr && me->superuser;
}

}  // namespace minipg::sql
