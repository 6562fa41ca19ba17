/*-------------------------------------------------------------------------
 * global_catalog.cpp
 *   Reading and changing the databases-and-roles catalog (format in
 *   global_catalog.h).
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

namespace {

constexpr std::string_view kMagic = "MPGGLBv1";
// 2 added each database's owner, 3 the predefined roles and role
// memberships; 1 and 2 are still read.
constexpr uint32_t kVersion = 3;
constexpr uint8_t kFlagSuperuser = 1;
constexpr uint8_t kFlagLogin = 2;
constexpr uint8_t kFlagCreatedb = 4;

Error Corrupt(std::string_view why) {
  return MakeError(sqlstate::kDataCorrupted,
                   fmt::format("global catalog file is corrupted: {}", why));
}

std::filesystem::path LockPath(const std::filesystem::path& data_dir) {
  return data_dir / "global" / "minipg_global.lock";
}

struct Locked {
  UniqueFd fd;
  std::optional<FileLock> lock;
};

Result<Locked> Lock(const std::filesystem::path& data_dir, LockMode mode) {
  std::filesystem::path path = LockPath(data_dir);
  auto fd = OpenFile(path, O_RDWR | O_CREAT);
  if (!fd.ok()) return fd.error();
  Locked locked;
  locked.fd = std::move(*fd);
  auto lock = FileLock::Acquire(locked.fd.get(), mode, path, "global catalog");
  if (!lock.ok()) return lock.error();
  locked.lock.emplace(std::move(*lock));
  return locked;
}

/* A missing file reads as nullopt (no catalog yet). */
Result<std::optional<GlobalCatalog>> ReadLocked(const std::filesystem::path& data_dir) {
  std::filesystem::path path = GlobalCatalogPath(data_dir);
  auto fd = OpenFile(path, O_RDONLY);
  if (!fd.ok()) {
    if (fd.error().detail == "ENOENT") return std::optional<GlobalCatalog>();
    return fd.error();
  }
  auto bytes = ReadAll(fd->get(), path);
  if (!bytes.ok()) return bytes.error();
  auto decoded = DecodeGlobalCatalog(*bytes);
  if (!decoded.ok()) return decoded.error();
  return std::optional<GlobalCatalog>(std::move(*decoded));
}

Status WriteLocked(const std::filesystem::path& data_dir, const GlobalCatalog& catalog) {
  std::filesystem::path path = GlobalCatalogPath(data_dir);
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  {
    auto fd = OpenFile(tmp, O_WRONLY | O_CREAT | O_TRUNC);
    if (!fd.ok()) return fd.error();
    if (Status s = WriteAllAt(fd->get(), EncodeGlobalCatalog(catalog), 0, tmp); !s.ok()) return s;
    if (fsync(fd->get()) != 0) return IoError("fsync", tmp, errno);
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) return IoError("rename", tmp, errno);
  return FsyncDir(path.parent_path());
}

void PutString16(std::string& out, std::string_view s) {
  PutU16(out, static_cast<uint16_t>(s.size()));
  out.append(s);
}

bool GetString16(ByteReader& r, std::string& s) {
  uint16_t len = 0;
  return r.U16(len) && r.Bytes(len, s);
}

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

/* The predefined roles and pg_monitor's memberships, as initdb makes them;
 * for a file older than version 3, added when it is read. */
void AddPredefinedRoles(GlobalCatalog& catalog) {
  for (auto [oid, name] : {std::pair<uint32_t, const char*>{kPgMonitorOid, "pg_monitor"},
                           {kPgReadAllSettingsOid, "pg_read_all_settings"},
                           {kPgReadAllStatsOid, "pg_read_all_stats"},
                           {kPgStatScanTablesOid, "pg_stat_scan_tables"}}) {
    RoleDef role;
    role.oid = oid;
    role.name = name;
    catalog.roles.push_back(std::move(role));
  }
  for (uint32_t role : {kPgReadAllSettingsOid, kPgReadAllStatsOid, kPgStatScanTablesOid}) {
    catalog.memberships.push_back({role, kPgMonitorOid, kBootstrapSuperuserOid});
  }
}

}  // namespace

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

std::filesystem::path GlobalCatalogPath(const std::filesystem::path& data_dir) {
  return data_dir / "global" / "minipg_global";
}

std::filesystem::path DatabasePath(const std::filesystem::path& data_dir, uint32_t oid) {
  return data_dir / "base" / std::to_string(oid);
}

std::string EncodeGlobalCatalog(const GlobalCatalog& catalog) {
  std::string out(kMagic);
  PutU32(out, kVersion);
  PutU32(out, catalog.next_oid);
  PutU32(out, static_cast<uint32_t>(catalog.databases.size()));
  for (const DatabaseDef& d : catalog.databases) {
    PutU32(out, d.oid);
    PutString16(out, d.name);
    PutU32(out, d.owner);
  }
  PutU32(out, static_cast<uint32_t>(catalog.roles.size()));
  for (const RoleDef& r : catalog.roles) {
    PutU32(out, r.oid);
    PutString16(out, r.name);
    PutU8(out, static_cast<uint8_t>((r.superuser ? kFlagSuperuser : 0) |
                                    (r.login ? kFlagLogin : 0) | (r.createdb ? kFlagCreatedb : 0)));
    PutString16(out, r.password);
  }
  PutU32(out, static_cast<uint32_t>(catalog.memberships.size()));
  for (const RoleMembership& m : catalog.memberships) {
    PutU32(out, m.role);
    PutU32(out, m.member);
    PutU32(out, m.grantor);
  }
  PutU32(out, Crc32(out));
  return out;
}

Result<GlobalCatalog> DecodeGlobalCatalog(std::string_view bytes) {
  if (bytes.size() < kMagic.size() + 20 || bytes.substr(0, kMagic.size()) != kMagic) {
    return Corrupt("bad magic or too short");
  }
  std::string_view body = bytes.substr(0, bytes.size() - 4);
  ByteReader crc_reader(bytes.substr(bytes.size() - 4));
  uint32_t stored_crc = 0;
  crc_reader.U32(stored_crc);
  if (Crc32(body) != stored_crc) return Corrupt("checksum mismatch");
  ByteReader r(body.substr(kMagic.size()));
  uint32_t version = 0, count = 0;
  GlobalCatalog catalog;
  if (!r.U32(version) || version < 1 || version > kVersion)
    return Corrupt(fmt::format("unsupported format version {}", version));
  if (!r.U32(catalog.next_oid) || !r.U32(count)) return Corrupt("truncated header");
  for (uint32_t i = 0; i < count; ++i) {
    DatabaseDef d;
    if (!r.U32(d.oid) || !GetString16(r, d.name) || (version >= 2 && !r.U32(d.owner)))
      return Corrupt("truncated database entry");
    catalog.databases.push_back(std::move(d));
  }
  if (!r.U32(count)) return Corrupt("truncated role count");
  for (uint32_t i = 0; i < count; ++i) {
    RoleDef role;
    uint8_t flags = 0;
    if (!r.U32(role.oid) || !GetString16(r, role.name) || !r.U8(flags) ||
        !GetString16(r, role.password)) {
      return Corrupt("truncated role entry");
    }
    role.superuser = (flags & kFlagSuperuser) != 0;
    role.login = (flags & kFlagLogin) != 0;
    role.createdb = (flags & kFlagCreatedb) != 0;
    catalog.roles.push_back(std::move(role));
  }
  if (version < 3) {
    AddPredefinedRoles(catalog);
  } else {
    if (!r.U32(count)) return Corrupt("truncated membership count");
    for (uint32_t i = 0; i < count; ++i) {
      RoleMembership m;
      if (!r.U32(m.role) || !r.U32(m.member) || !r.U32(m.grantor))
        return Corrupt("truncated membership entry");
      catalog.memberships.push_back(m);
    }
  }
  if (r.remaining() != 0) return Corrupt("trailing bytes");
  return catalog;
}

Status BootstrapGlobalCatalog(const std::filesystem::path& data_dir, std::string_view superuser) {
  auto locked = Lock(data_dir, LockMode::kExclusive);
  if (!locked.ok()) return locked.error();
  auto current = ReadLocked(data_dir);
  if (!current.ok()) return current.error();
  if (current->has_value()) return OkStatus();
  GlobalCatalog catalog;
  catalog.databases.push_back({kTemplate1Oid, "template1", kBootstrapSuperuserOid});
  catalog.databases.push_back({kPostgresDbOid, "postgres", kBootstrapSuperuserOid});
  RoleDef su;
  su.oid = kBootstrapSuperuserOid;
  su.name = superuser.empty() ? OsUserName() : std::string(superuser);
  su.superuser = su.login = su.createdb = true;
  catalog.roles.push_back(std::move(su));
  AddPredefinedRoles(catalog);
  for (const DatabaseDef& d : catalog.databases) {
    if (Status s = MakeDatabaseDir(data_dir, d.oid); !s.ok()) return s;
  }
  return WriteLocked(data_dir, catalog);
}

Result<GlobalCatalog> LoadGlobalCatalog(const std::filesystem::path& data_dir) {
  auto locked = Lock(data_dir, LockMode::kShared);
  if (!locked.ok()) return locked.error();
  auto current = ReadLocked(data_dir);
  if (!current.ok()) return current.error();
  if (!current->has_value()) {
    return MakeError(sqlstate::kDataCorrupted, fmt::format("global catalog file \"{}\" is missing",
                                                           GlobalCatalogPath(data_dir).string()));
  }
  return std::move(**current);
}

Status ChangeGlobalCatalog(const std::filesystem::path& data_dir,
                           const std::function<Status(GlobalCatalog&)>& change) {
  auto locked = Lock(data_dir, LockMode::kExclusive);
  if (!locked.ok()) return locked.error();
  auto current = ReadLocked(data_dir);
  if (!current.ok()) return current.error();
  if (!current->has_value()) {
    return MakeError(sqlstate::kDataCorrupted, fmt::format("global catalog file \"{}\" is missing",
                                                           GlobalCatalogPath(data_dir).string()));
  }
  GlobalCatalog& catalog = **current;
  if (Status s = change(catalog); !s.ok()) return s;
  return WriteLocked(data_dir, catalog);
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
