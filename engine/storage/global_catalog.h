/*-------------------------------------------------------------------------
 * global_catalog.h
 *   The cluster-wide catalog as a backend uses it: databases, roles and
 *   role memberships (PostgreSQL's pg_database, pg_authid and
 *   pg_auth_members, shared by every database of a data directory), and
 *   the folders and locks of the databases.
 *
 *   The rows themselves are heap relations in global/ (global/1262,
 *   global/1260, global/1261); engine/catalog/shared_catalogs.h reads them
 *   into a GlobalCatalog and writes a changed GlobalCatalog back as row
 *   deletes and inserts. This file only holds the in-memory form and the
 *   questions asked of it (who is a member of whom).
 *
 *   A new data directory has the bootstrap superuser (OID 10, as in
 *   PostgreSQL), PostgreSQL 15's predefined roles with their OIDs
 *   (PredefinedRoles), template1 (OID 1) and postgres (OID 5).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/common/error.h"
#include "engine/storage/catalog.h"
#include "engine/storage/file_util.h"

namespace minipg::storage {

inline constexpr uint32_t kTemplate1Oid = 1;
inline constexpr uint32_t kPostgresDbOid = 5;

/* Predefined roles (PostgreSQL's OIDs). pg_read_all_stats lets its members
 * see every session's row of pg_stat_activity; pg_monitor is a member of it
 * and of the two others, which grant nothing more in minipg. */
inline constexpr uint32_t kPgMonitorOid = 3373;
inline constexpr uint32_t kPgReadAllSettingsOid = 3374;
inline constexpr uint32_t kPgReadAllStatsOid = 3375;
inline constexpr uint32_t kPgStatScanTablesOid = 3377;
inline constexpr uint32_t kPgSignalBackendOid = 4200;
inline constexpr uint32_t kPgCheckpointOid = 4544;
inline constexpr uint32_t kPgReadServerFilesOid = 4569;
inline constexpr uint32_t kPgWriteServerFilesOid = 4570;
inline constexpr uint32_t kPgExecuteServerProgramOid = 4571;
inline constexpr uint32_t kPgDatabaseOwnerRoleOid = 6171;
inline constexpr uint32_t kPgReadAllDataOid = 6181;
inline constexpr uint32_t kPgWriteAllDataOid = 6182;

struct DatabaseDef {
  uint32_t oid = 0;
  std::string name;
  uint32_t owner = kBootstrapSuperuserOid;  // the role OID (pg_database.datdba)
};

struct RoleDef {
  uint32_t oid = 0;
  std::string name;
  bool superuser = false;
  bool login = false;
  bool createdb = false;
  std::string password{};  // the stored secret; empty = no password (NULL)
};

/* `member` is a member of `role` (GRANT role TO member), granted by
 * `grantor` (pg_auth_members; minipg has no ADMIN OPTION). */
struct RoleMembership {
  uint32_t role = 0;
  uint32_t member = 0;
  uint32_t grantor = kBootstrapSuperuserOid;
};

struct GlobalCatalog {
  std::vector<DatabaseDef> databases;  // in creation order
  std::vector<RoleDef> roles;          // in creation order
  std::vector<RoleMembership> memberships;  // in grant order

  const DatabaseDef* FindDatabase(std::string_view name) const;
  const RoleDef* FindRole(std::string_view name) const;
  RoleDef* FindRole(std::string_view name);
  const RoleDef* FindRoleByOid(uint32_t oid) const;
  /* Whether `member` is directly a member of `role`. */
  bool IsDirectMember(uint32_t member, uint32_t role) const;
  /* Whether `member` is `role` or a member of it, directly or through
   * other roles (PostgreSQL's is_member_of_role_nosuper). */
  bool IsMemberOf(uint32_t member, uint32_t role) const;
  /* PostgreSQL's has_privs_of_role: a superuser has every role's
   * privileges; any other role those of the roles it is a member of
   * (every minipg role inherits). */
  bool HasPrivsOfRole(uint32_t member, uint32_t role) const;
};

/* A predefined role (OID below 16384, name pg_...): it cannot be altered
 * or dropped. */
bool IsPredefinedRole(uint32_t oid);

/* A database's folder: base/<oid>. */
std::filesystem::path DatabasePath(const std::filesystem::path& data_dir, uint32_t oid);
/* Creates it (and fsyncs base/). */
Status MakeDatabaseDir(const std::filesystem::path& data_dir, uint32_t oid);

/* PostgreSQL 15's predefined roles (OID, name), in OID order, and the
 * memberships initdb gives them (pg_monitor in three others). */
const std::vector<std::pair<uint32_t, std::string_view>>& PredefinedRoles();
const std::vector<RoleMembership>& PredefinedMemberships();

/* Every session holds a shared flock() on its database's lock file
 * (base/<oid>/minipg_database.lock) while it lives; the returned
 * descriptor keeps it. 3D000 if the folder is gone (dropped). */
Result<UniqueFd> LockDatabaseShared(const std::filesystem::path& data_dir, uint32_t oid);

/* For DROP DATABASE and for copying template1 in CREATE DATABASE: takes the
 * database's lock exclusively without waiting. The returned descriptor holds
 * it; an invalid one means some session is connected to the database. */
Result<UniqueFd> TryLockDatabaseExclusive(const std::filesystem::path& data_dir, uint32_t oid);

/* Copies a database's files (its catalog and tables, not its lock files)
 * into the empty folder of another; the caller holds the source's exclusive
 * lock, so nobody changes it meanwhile. Files are fsynced. */
Status CopyDatabaseFiles(const std::filesystem::path& data_dir, uint32_t from_oid, uint32_t to_oid);

/* The OS user running this process (the default bootstrap superuser). */
std::string OsUserName();

}  // namespace minipg::storage
