/*-------------------------------------------------------------------------
 * control_file.cpp
 *   Reading and atomically replacing global/pg_control (see control_file.h).
 *-------------------------------------------------------------------------
 */
#include "engine/storage/control_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "engine/common/sqlstate.h"
#include "engine/storage/file_util.h"

namespace minipg::storage {
namespace {

constexpr char kMagic[] = "MPGCTL01";
constexpr uint32_t kVersion = 1;
constexpr size_t kBodySize = 40;

}  // namespace

const char* DbStateName(DbState s) {
  switch (s) {
    case DbState::kStartup:
      return "starting up";
    case DbState::kShutdowned:
      return "shut down";
    case DbState::kInProduction:
      return "in production";
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
  auto damaged = [&] {
    return MakeError(sqlstate::kDataCorrupted,
                     fmt::format("control file \"{}\" is damaged", path.string()));
  };
  if (bytes->size() != kBodySize + 4 || bytes->compare(0, 8, kMagic) != 0) return damaged();
  ByteReader r(*bytes);
  std::string magic;
  uint32_t version = 0, state = 0, crc = 0;
  uint64_t time = 0, ckpt_time = 0, count = 0;
  if (!r.Bytes(8, magic) || !r.U32(version) || !r.U32(state) || !r.U64(time) || !r.U64(ckpt_time) ||
      !r.U64(count) || !r.U32(crc)) {
    return damaged();
  }
  if (version != kVersion || crc != Crc32(std::string_view(*bytes).substr(0, kBodySize)))
    return damaged();
  ControlFile c;
  c.state = static_cast<DbState>(state);
  c.time = static_cast<int64_t>(time);
  c.checkpoint_time = static_cast<int64_t>(ckpt_time);
  c.checkpoint_count = count;
  return std::optional<ControlFile>(c);
}

Status WriteControlFile(const std::filesystem::path& data_dir, const ControlFile& control) {
  std::string bytes(kMagic, 8);
  PutU32(bytes, kVersion);
  PutU32(bytes, static_cast<uint32_t>(control.state));
  PutU64(bytes, static_cast<uint64_t>(control.time));
  PutU64(bytes, static_cast<uint64_t>(control.checkpoint_time));
  PutU64(bytes, control.checkpoint_count);
  PutU32(bytes, Crc32(bytes));
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

std::string FormatLogTime(int64_t micros) {
  time_t secs = static_cast<time_t>(micros / 1'000'000);
  tm t{};
  gmtime_r(&secs, &t);
  char buf[64];
  strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &t);
  return buf;
}

}  // namespace minipg::storage
