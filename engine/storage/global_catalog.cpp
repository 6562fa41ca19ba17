/*-------------------------------------------------------------------------
 * global_catalog.cpp
 *   The in-memory cluster catalog's questions (membership), the predefined
 *   roles, and the databases' folders and locks (global_catalog.h).
 *-------------------------------------------------------------------------
 */
#include "engine/storage/global_catalog.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <pwd.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <optional>

#include "engine/common/sqlstate.h"
#include "engine/storage/file_util.h"

namespace minipg::storage {

Status MakeDatabaseDir(const std::filesystem::path& data_dir, uint32_t oid) {
  std::filesystem::path dir = DatabasePath(data_dir, oid);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return MakeError(sqlstate::kIoError, fmt::format("could not create directory \"{}\": {}",
                                                     dir.string(), ec.message()));
  }
  return FsyncDir(dir.parent_path());
}

const std::vector<std::pair<uint32_t, std::string_view>>& PredefinedRoles() {
  static const std::vector<std::pair<uint32_t, std::string_view>> roles = {
      {kPgMonitorOid, "pg_monitor"},
      {kPgReadAllSettingsOid, "pg_read_all_settings"},
      {kPgReadAllStatsOid, "pg_read_all_stats"},
      {kPgStatScanTablesOid, "pg_stat_scan_tables"},
      {kPgSignalBackendOid, "pg_signal_backend"},
      {kPgCheckpointOid, "pg_checkpoint"},
      {kPgReadServerFilesOid, "pg_read_server_files"},
      {kPgWriteServerFilesOid, "pg_write_server_files"},
      {kPgExecuteServerProgramOid, "pg_execute_server_program"},
      {kPgDatabaseOwnerRoleOid, "pg_database_owner"},
      {kPgReadAllDataOid, "pg_read_all_data"},
      {kPgWriteAllDataOid, "pg_write_all_data"},
  };
  return roles;
}

const std::vector<RoleMembership>& PredefinedMemberships() {
  static const std::vector<RoleMembership> memberships = {
      {kPgReadAllSettingsOid, kPgMonitorOid, kBootstrapSuperuserOid},
      {kPgReadAllStatsOid, kPgMonitorOid, kBootstrapSuperuserOid},
      {kPgStatScanTablesOid, kPgMonitorOid, kBootstrapSuperuserOid},
  };
  return memberships;
}

bool IsPredefinedRole(uint32_t oid) {
  return oid != kBootstrapSuperuserOid && oid < kFirstTableOid;
}

const RoleDef* GlobalCatalog::FindRoleByOid(uint32_t oid) const {
  for (const RoleDef& r : roles) {
    if (r.oid == oid) return &r;
  }
  return nullptr;
}

bool GlobalCatalog::IsDirectMember(uint32_t member, uint32_t role) const {
  for (const RoleMembership& m : memberships) {
    if (m.member == member && m.role == role) return true;
  }
  return false;
}

bool GlobalCatalog::IsMemberOf(uint32_t member, uint32_t role) const {
  // Breadth-first over the roles `member` belongs to; a role is visited
  // once, so even a corrupted cycle ends.
  std::vector<uint32_t> seen = {member};
  for (size_t i = 0; i < seen.size(); ++i) {
    if (seen[i] == role) return true;
    for (const RoleMembership& m : memberships) {
      if (m.member == seen[i] && std::find(seen.begin(), seen.end(), m.role) == seen.end()) {
        seen.push_back(m.role);
      }
    }
  }
  return false;
}

bool GlobalCatalog::HasPrivsOfRole(uint32_t member, uint32_t role) const {
  const RoleDef* r = FindRoleByOid(member);
  if (r != nullptr && r->superuser) return true;
  return IsMemberOf(member, role);
}

const DatabaseDef* GlobalCatalog::FindDatabase(std::string_view name) const {
  for (const DatabaseDef& d : databases) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

const RoleDef* GlobalCatalog::FindRole(std::string_view name) const {
  for (const RoleDef& r : roles) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

RoleDef* GlobalCatalog::FindRole(std::string_view name) {
  for (RoleDef& r : roles) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

std::filesystem::path DatabasePath(const std::filesystem::path& data_dir, uint32_t oid) {
  return data_dir / "base" / std::to_string(oid);
}

Result<UniqueFd> LockDatabaseShared(const std::filesystem::path& data_dir, uint32_t oid) {
  std::filesystem::path path = DatabasePath(data_dir, oid) / "minipg_database.lock";
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == ENOENT) return MakeError(sqlstate::kInvalidCatalogName, "database folder is gone");
    return IoError("open", path, errno);
  }
  UniqueFd owned(fd);
  while (flock(fd, LOCK_SH) != 0) {
    if (errno != EINTR) return IoError("lock", path, errno);
  }
  return owned;
}

Result<UniqueFd> TryLockDatabaseExclusive(const std::filesystem::path& data_dir, uint32_t oid) {
  std::filesystem::path path = DatabasePath(data_dir, oid) / "minipg_database.lock";
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("open", path, errno);
  UniqueFd owned(fd);
  if (flock(fd, LOCK_EX | LOCK_NB) == 0) return owned;
  if (errno == EWOULDBLOCK) return UniqueFd();
  return IoError("lock", path, errno);
}

Status CopyDatabaseFiles(const std::filesystem::path& data_dir, uint32_t from_oid,
                         uint32_t to_oid) {
  std::filesystem::path from = DatabasePath(data_dir, from_oid);
  std::filesystem::path to = DatabasePath(data_dir, to_oid);
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(from, ec)) {
    const std::filesystem::path& src = entry.path();
    if (!entry.is_regular_file() || src.extension() == ".lock" || src.extension() == ".tmp")
      continue;
    auto in = OpenFile(src, O_RDONLY);
    if (!in.ok()) return in.error();
    auto bytes = ReadAll(in->get(), src);
    if (!bytes.ok()) return bytes.error();
    std::filesystem::path dst = to / src.filename();
    auto out = OpenFile(dst, O_WRONLY | O_CREAT | O_TRUNC);
    if (!out.ok()) return out.error();
    if (Status s = WriteAllAt(out->get(), *bytes, 0, dst); !s.ok()) return s;
    if (fsync(out->get()) != 0) return IoError("fsync", dst, errno);
  }
  if (ec) return IoError("read directory", from, ec.value());
  return FsyncDir(to);
}

std::string OsUserName() {
  if (const passwd* pw = getpwuid(geteuid()); pw != nullptr && pw->pw_name != nullptr)
    return pw->pw_name;
  return "postgres";
}

}  // namespace minipg::storage
