/*-------------------------------------------------------------------------
 * control_file.cpp
 *   Reading and atomically replacing global/pg_control (see control_file.h).
 *-------------------------------------------------------------------------
 */
#include "engine/storage/control_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "engine/common/sqlstate.h"
#include "engine/storage/file_util.h"

namespace minipg::storage {
namespace {

constexpr char kMagic[] = "MPGCTL01";
constexpr size_t kBodySize = 88;

Error Incompatible(uint32_t found) {
  Error e = MakeError(sqlstate::kObjectNotInPrerequisiteState, "database files are incompatible with server",
                      Severity::kFatal);
  e.detail = fmt::format(
      "The database cluster was initialized with PG_CONTROL_VERSION {}, but the server was compiled with "
      "PG_CONTROL_VERSION {}.",
      found, kControlFileVersion);
  e.hint = "It looks like you need to initdb: move the data directory away and start the server on an empty one.";
  return e;
}

}  // namespace

const char* DbStateName(DbState s) {
  switch (s) {
    case DbState::kStartup: return "starting up";
    case DbState::kShutdowned: return "shut down";
    case DbState::kShutdownedInRecovery: return "shut down in recovery";
    case DbState::kShutdowning: return "shutting down";
    case DbState::kInCrashRecovery: return "in crash recovery";
    case DbState::kInArchiveRecovery: return "in archive recovery";
    case DbState::kInProduction: return "in production";
  }
  return "unrecognized status code";
}

std::filesystem::path ControlFilePath(const std::filesystem::path& data_dir) {
  return data_dir / "global" / "pg_control";
}

Result<std::optional<ControlFile>> ReadControlFile(const std::filesystem::path& data_dir) {
  std::filesystem::path path = ControlFilePath(data_dir);
  int raw = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (raw < 0) {
    if (errno == ENOENT) return std::optional<ControlFile>();
    return IoError("open", path, errno);
  }
  UniqueFd fd(raw);
  auto bytes = ReadAll(fd.get(), path);
  if (!bytes.ok()) return bytes.error();
  if (bytes->size() < 12 || bytes->compare(0, 8, kMagic) != 0) {
    return MakeError(sqlstate::kDataCorrupted, fmt::format("control file \"{}\" is damaged", path.string()),
                     Severity::kFatal);
  }
  ByteReader r(*bytes);
  std::string magic;
  uint32_t version = 0;
  r.Bytes(8, magic);
  r.U32(version);
  if (version != kControlFileVersion) return Incompatible(version);
  uint32_t state = 0, timeline = 0, next_xid = 0, next_oid = 0, next_multi = 0, next_multi_offset = 0, crc = 0;
  uint8_t fpw = 0, pad = 0;
  uint64_t sysid = 0, time = 0, ckpt = 0, redo = 0, ckpt_time = 0, count = 0;
  bool ok = bytes->size() == kBodySize + 4 && r.U32(state) && r.U64(sysid) && r.U64(time) && r.U64(ckpt) &&
            r.U64(redo) && r.U32(timeline) && r.U8(fpw) && r.U8(pad) && r.U8(pad) && r.U8(pad) && r.U32(next_xid) &&
            r.U32(next_oid) && r.U64(ckpt_time) && r.U64(count) && r.U32(next_multi) && r.U32(next_multi_offset) &&
            r.U32(crc);
  if (!ok || crc != Crc32(std::string_view(*bytes).substr(0, kBodySize))) {
    return MakeError(sqlstate::kDataCorrupted, "incorrect checksum in control file", Severity::kFatal);
  }
  ControlFile c;
  c.state = static_cast<DbState>(state);
  c.system_identifier = sysid;
  c.time = static_cast<int64_t>(time);
  c.checkpoint_lsn = ckpt;
  c.redo_lsn = redo;
  c.timeline = timeline;
  c.full_page_writes = fpw != 0;
  c.next_xid = next_xid;
  c.next_oid = next_oid;
  c.checkpoint_time = static_cast<int64_t>(ckpt_time);
  c.checkpoint_count = count;
  c.next_multi = next_multi;
  c.next_multi_offset = next_multi_offset;
  return std::optional<ControlFile>(c);
}

std::string EncodeControlFile(const ControlFile& c) {
  std::string bytes(kMagic, 8);
  PutU32(bytes, kControlFileVersion);
  PutU32(bytes, static_cast<uint32_t>(c.state));
  PutU64(bytes, c.system_identifier);
  PutU64(bytes, static_cast<uint64_t>(c.time));
  PutU64(bytes, c.checkpoint_lsn);
  PutU64(bytes, c.redo_lsn);
  PutU32(bytes, c.timeline);
  PutU8(bytes, c.full_page_writes ? 1 : 0);
  PutU8(bytes, 0);
  PutU16(bytes, 0);
  PutU32(bytes, c.next_xid);
  PutU32(bytes, c.next_oid);
  PutU64(bytes, static_cast<uint64_t>(c.checkpoint_time));
  PutU64(bytes, c.checkpoint_count);
  PutU32(bytes, c.next_multi);
  PutU32(bytes, c.next_multi_offset);
  PutU32(bytes, Crc32(bytes));
  return bytes;
}

Status WriteControlFile(const std::filesystem::path& data_dir, const ControlFile& control) {
  std::string bytes = EncodeControlFile(control);
  std::filesystem::path path = ControlFilePath(data_dir);
  std::filesystem::path tmp = path.string() + ".tmp";
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  {
    auto fd = OpenFile(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (!fd.ok()) return fd.error();
    if (Status s = WriteAllAt(fd->get(), bytes, 0, tmp); !s.ok()) return s;
    if (fsync(fd->get()) != 0) return IoError("fsync", tmp, errno);
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) return IoError("rename", tmp, errno);
  return FsyncDir(path.parent_path());
}

uint64_t NewSystemIdentifier() {
  timeval tv{};
  gettimeofday(&tv, nullptr);
  return (static_cast<uint64_t>(tv.tv_sec) << 32) | (static_cast<uint64_t>(tv.tv_usec) << 12) |
         (static_cast<uint64_t>(getpid()) & 0xFFF);
}

std::string FormatLogTime(int64_t micros) {
  time_t secs = static_cast<time_t>(micros / 1'000'000);
  tm t{};
  gmtime_r(&secs, &t);
  char buf[64];
  strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &t);
  return buf;
}

}  // namespace minipg::storage
