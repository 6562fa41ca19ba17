/*-------------------------------------------------------------------------
 * global_catalog.h
 *   The cluster-wide catalog: databases and roles (PostgreSQL's
 *   pg_database and pg_authid), shared by every database of a data
 *   directory. Each database's tables are in its own folder base/<oid>/,
 *   with its own table catalog (catalog.h).
 *
 *   File global/minipg_global (all integers little-endian):
 *
 *     OFFSET  SIZE  DESCRIPTION
 *          0     8  magic "MPGGLBv1"
 *          8     4  format version (1)
 *         12     4  next OID to hand out (starts at 16384)
 *         16     4  number of databases D
 *         20     *  D database entries: 4-byte OID, 2-byte name length, name
 *          *     4  number of roles R
 *          *     *  R role entries (below)
 *        end-4   4  CRC-32 of every byte before it
 *
 *   Role entry:
 *
 *     OFFSET  SIZE  DESCRIPTION
 *          0     4  role OID
 *          4     2  name length L, then L bytes of name
 *        6+L     1  flags: 1 = superuser, 2 = login, 4 = createdb
 *        7+L     2  password length P (0 = no password), then P bytes: the
 *                   secret (md5... or SCRAM-SHA-256$...), never clear text
 *
 *   Then (format version 3) role memberships (pg_auth_members), after the
 *   roles and before the CRC:
 *
 *     OFFSET  SIZE  DESCRIPTION
 *          0     4  number of memberships M
 *          4  12*M  M entries: role OID, member OID, grantor OID
 *
 *   A new data directory has the bootstrap superuser (OID 10, as in
 *   PostgreSQL), the predefined roles below with PostgreSQL's OIDs,
 *   template1 (OID 1) and postgres (OID 5). A version 1 or 2 file is read
 *   as if it had the predefined roles (they are added when it is read).
 *
 * NOTES
 *   Changes follow catalog.h's rules: exclusive flock() on
 *   global/minipg_global.lock, re-read under the lock, write a .tmp file,
 *   fsync, rename(), fsync the folder. Readers take the shared lock.
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
  std::string password;  // the stored secret; empty = no password (NULL)
};

/* `member` is a member of `role` (GRANT role TO member), granted by
 * `grantor` (pg_auth_members; minipg has no ADMIN OPTION). */
struct RoleMembership {
  uint32_t role = 0;
  uint32_t member = 0;
  uint32_t grantor = kBootstrapSuperuserOid;
};

struct GlobalCatalog {
  uint32_t next_oid = 16384;
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

/* Encodes / decodes the file's bytes (exposed for tests). */
std::string EncodeGlobalCatalog(const GlobalCatalog& catalog);
Result<GlobalCatalog> DecodeGlobalCatalog(std::string_view bytes);

std::filesystem::path GlobalCatalogPath(const std::filesystem::path& data_dir);
/* A database's folder: base/<oid>. */
std::filesystem::path DatabasePath(const std::filesystem::path& data_dir, uint32_t oid);

/* Writes the first catalog of a new data directory (and the two database
 * folders) if there is none yet; an existing one is left alone. */
Status BootstrapGlobalCatalog(const std::filesystem::path& data_dir, std::string_view superuser);

/* Reads the current catalog under a shared lock. */
Result<GlobalCatalog> LoadGlobalCatalog(const std::filesystem::path& data_dir);

/* Changes the catalog: under the exclusive lock, reads it, calls `change`
 * on it and, if that returns ok, writes the result atomically. */
Status ChangeGlobalCatalog(const std::filesystem::path& data_dir,
                           const std::function<Status(GlobalCatalog&)>& change);

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
