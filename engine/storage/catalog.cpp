/*-------------------------------------------------------------------------
 * catalog.cpp
 *   Reading and changing the catalog file (format in catalog.h).
 *
 * NOTES
 *   Order of a CREATE TABLE: create the relation file (the caller's
 *   create_storage: WAL-logged, engine/storage/heap), then commit the
 *   catalog (rename). A crash in between leaves an orphan file that no
 *   catalog entry names, never a catalog entry without a file.
 *   Order of a DROP TABLE: commit the catalog, then the caller's
 *   drop_storage (the files go when the transaction ends).
 *-------------------------------------------------------------------------
 */
#include "engine/storage/catalog.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <optional>

#include <fmt/format.h>

#include "engine/common/sqlstate.h"
#include "engine/storage/file_util.h"

namespace minipg::storage {

namespace {

constexpr std::string_view kCatalogMagic = "MPGCATv1";
constexpr uint32_t kCatalogVersion = 2;  // 2 added each table's owner; 1 is still read

Error Corrupt(std::string_view why) {
  return MakeError(sqlstate::kDataCorrupted, fmt::format("catalog file is corrupted: {}", why));
}

/* Opens (creating if needed) the lock file and locks it. */
struct LockedCatalog {
  UniqueFd fd;
  std::optional<FileLock> lock;
};

Result<LockedCatalog> LockCatalog(const std::filesystem::path& data_dir, LockMode mode) {
  std::filesystem::path path = CatalogLockPath(data_dir);
  auto fd = OpenFile(path, O_RDWR | O_CREAT);
  if (!fd.ok()) {
    return fd.error();
  }
  LockedCatalog locked;
  locked.fd = std::move(*fd);
  auto lock = FileLock::Acquire(locked.fd.get(), mode, path, "catalog");
  if (!lock.ok()) {
    return lock.error();
  }
  locked.lock.emplace(std::move(*lock));
  return locked;
}

/* Reads the catalog file; the caller holds the lock. A missing file is an
 * empty catalog. */
Result<CatalogSnapshot> ReadCatalogLocked(const std::filesystem::path& data_dir) {
  std::filesystem::path path = CatalogPath(data_dir);
  auto fd = OpenFile(path, O_RDONLY);
  if (!fd.ok()) {
    if (fd.error().detail == "ENOENT") {
      return CatalogSnapshot{};
    }
    return fd.error();
  }
  auto bytes = ReadAll(fd->get(), path);
  if (!bytes.ok()) {
    return bytes.error();
  }
  return DecodeCatalog(*bytes);
}

/* Replaces the catalog file atomically; the caller holds the exclusive lock. */
Status WriteCatalogLocked(const std::filesystem::path& data_dir, const CatalogSnapshot& catalog) {
  std::filesystem::path path = CatalogPath(data_dir);
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  {
    auto fd = OpenFile(tmp, O_WRONLY | O_CREAT | O_TRUNC);
    if (!fd.ok()) {
      return fd.error();
    }
    if (Status s = WriteAllAt(fd->get(), EncodeCatalog(catalog), 0, tmp); !s.ok()) {
      return s;
    }
    if (fsync(fd->get()) != 0) {
      return IoError("fsync", tmp, errno);
    }
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    return IoError("rename", tmp, errno);
  }
  return FsyncDir(path.parent_path());
}

void PutString16(std::string& out, std::string_view s) {
  PutU16(out, static_cast<uint16_t>(s.size()));
  out.append(s);
}

}  // namespace

const TableDef* CatalogSnapshot::Find(std::string_view name) const {
  for (const TableDef& t : tables) {
    if (t.name == name) {
      return &t;
    }
  }
  return nullptr;
}

std::filesystem::path CatalogPath(const std::filesystem::path& db_dir) { return db_dir / "minipg_catalog"; }
std::filesystem::path CatalogLockPath(const std::filesystem::path& db_dir) { return db_dir / "minipg_catalog.lock"; }
std::filesystem::path TablePath(const std::filesystem::path& db_dir, uint32_t oid) {
  return db_dir / std::to_string(oid);
}

std::string EncodeCatalog(const CatalogSnapshot& catalog) {
  std::string out(kCatalogMagic);
  PutU32(out, kCatalogVersion);
  PutU32(out, catalog.next_oid);
  PutU32(out, static_cast<uint32_t>(catalog.tables.size()));
  for (const TableDef& t : catalog.tables) {
    PutU32(out, t.oid);
    PutString16(out, t.name);
    PutU32(out, t.owner);
    PutU16(out, static_cast<uint16_t>(t.columns.size()));
    for (const ColumnDef& c : t.columns) {
      PutString16(out, c.name);
      PutU8(out, static_cast<uint8_t>(c.type));
    }
  }
  PutU32(out, Crc32(out));
  return out;
}

Result<CatalogSnapshot> DecodeCatalog(std::string_view bytes) {
  if (bytes.size() < kCatalogMagic.size() + 16 || bytes.substr(0, kCatalogMagic.size()) != kCatalogMagic) {
    return Corrupt("bad magic or too short");
  }
  std::string_view body = bytes.substr(0, bytes.size() - 4);
  ByteReader crc_reader(bytes.substr(bytes.size() - 4));
  uint32_t stored_crc = 0;
  crc_reader.U32(stored_crc);
  if (Crc32(body) != stored_crc) {
    return Corrupt("checksum mismatch");
  }
  ByteReader r(body.substr(kCatalogMagic.size()));
  uint32_t version = 0;
  uint32_t ntables = 0;
  CatalogSnapshot catalog;
  if (!r.U32(version) || version < 1 || version > kCatalogVersion) {
    return Corrupt(fmt::format("unsupported format version {}", version));
  }
  if (!r.U32(catalog.next_oid) || !r.U32(ntables)) {
    return Corrupt("truncated header");
  }
  for (uint32_t i = 0; i < ntables; ++i) {
    TableDef t;
    uint16_t len = 0;
    uint16_t ncols = 0;
    t.owner = kBootstrapSuperuserOid;  // version 1 had no owners
    if (!r.U32(t.oid) || !r.U16(len) || !r.Bytes(len, t.name) ||
        (version >= 2 && !r.U32(t.owner)) || !r.U16(ncols)) {
      return Corrupt("truncated table entry");
    }
    for (uint16_t c = 0; c < ncols; ++c) {
      ColumnDef col;
      uint8_t type = 0;
      if (!r.U16(len) || !r.Bytes(len, col.name) || !r.U8(type)) {
        return Corrupt("truncated column entry");
      }
      if (!IsValidColumnType(type)) {
        return Corrupt(fmt::format("unknown column type {}", type));
      }
      col.type = static_cast<ColumnType>(type);
      t.columns.push_back(std::move(col));
    }
    catalog.tables.push_back(std::move(t));
  }
  if (r.remaining() != 0) {
    return Corrupt("trailing bytes");
  }
  return catalog;
}

Result<CatalogSnapshot> LoadCatalog(const std::filesystem::path& data_dir) {
  auto locked = LockCatalog(data_dir, LockMode::kShared);
  if (!locked.ok()) {
    return locked.error();
  }
  return ReadCatalogLocked(data_dir);
}

Result<bool> CreateTable(const std::filesystem::path& data_dir, std::string_view name,
                         const std::vector<ColumnDef>& columns, uint32_t owner,
                         const TableStorageFn& create_storage) {
  auto locked = LockCatalog(data_dir, LockMode::kExclusive);
  if (!locked.ok()) {
    return locked.error();
  }
  auto catalog = ReadCatalogLocked(data_dir);
  if (!catalog.ok()) {
    return catalog.error();
  }
  if (catalog->Find(name) != nullptr) {
    return false;
  }
  TableDef table;
  table.oid = catalog->next_oid++;
  table.name = std::string(name);
  table.owner = owner;
  table.columns = columns;
  if (create_storage) {
    if (Status s = create_storage(table.oid); !s.ok()) {
      return s.error();
    }
  }
  catalog->tables.push_back(std::move(table));
  if (Status s = WriteCatalogLocked(data_dir, *catalog); !s.ok()) {
    return s.error();
  }
  return true;
}

Result<bool> DropTable(const std::filesystem::path& data_dir, std::string_view name,
                       const TableStorageFn& drop_storage) {
  auto locked = LockCatalog(data_dir, LockMode::kExclusive);
  if (!locked.ok()) {
    return locked.error();
  }
  auto catalog = ReadCatalogLocked(data_dir);
  if (!catalog.ok()) {
    return catalog.error();
  }
  const TableDef* table = catalog->Find(name);
  if (table == nullptr) {
    return false;
  }
  uint32_t oid = table->oid;
  std::erase_if(catalog->tables, [oid](const TableDef& t) { return t.oid == oid; });
  if (Status s = WriteCatalogLocked(data_dir, *catalog); !s.ok()) {
    return s.error();
  }
  if (drop_storage) {
    if (Status s = drop_storage(oid); !s.ok()) {
      return s.error();
    }
  }
  return true;
}

RelFileLocator TableRelFileLocator(const std::filesystem::path& db_dir, uint32_t oid) {
  Oid db = 0;
  std::string name = db_dir.filename().string();
  if (name.empty()) name = db_dir.parent_path().filename().string();  // "base/5/"
  for (char c : name) {
    if (c < '0' || c > '9') break;
    db = db * 10 + static_cast<Oid>(c - '0');
  }
  return RelFileLocator{kDefaultTablespaceOid, db, oid};
}

}  // namespace minipg::storage
