/*-------------------------------------------------------------------------
 * wal_segments.cpp
 *   Creating, removing and recycling WAL segment files (wal_segments.h).
 *-------------------------------------------------------------------------
 */
#include "engine/storage/wal/wal_segments.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "engine/common/sqlstate.h"

namespace minipg::storage::wal {

namespace fs = std::filesystem;

namespace {

/* A file in the WAL directory is named as PostgreSQL names it, relative to
 * the data directory: "pg_wal/xlogtemp.123". */
std::string ShownPath(const fs::path& path) {
  if (path.parent_path().filename() == "pg_wal") return (fs::path("pg_wal") / path.filename()).string();
  if (path.filename() == "pg_wal") return "pg_wal";
  return path.string();
}

Error IoError(const char* what, const fs::path& path, int err) {
  return MakeError(err == ENOSPC ? sqlstate::kDiskFull : sqlstate::kIoError,
                   fmt::format("could not {} \"{}\": {}", what, ShownPath(path), std::strerror(err)));
}

/* Writes kWalSegSize zero bytes to fd. */
bool ZeroFill(int fd) {
  constexpr size_t kChunk = 1024 * 1024;
  auto zeros = std::make_unique<char[]>(kChunk);
  std::memset(zeros.get(), 0, kChunk);
  for (uint64_t done = 0; done < kWalSegSize;) {
    ssize_t n = ::pwrite(fd, zeros.get(), kChunk, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = ENOSPC;
      return false;
    }
    done += static_cast<uint64_t>(n);
  }
  return true;
}

}  // namespace

Status FsyncDir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return IoError("open directory", dir, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return IoError("fsync directory", dir, err);
  return OkStatus();
}

Result<int> OpenOrCreateSegment(const fs::path& dir, SegNo seg, bool do_fsync) {
  fs::path path = dir / WalFileName(seg);
  int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd >= 0) return fd;
  if (errno != ENOENT) return IoError("open file", path, errno);
  // A new segment: zero-filled under a temporary name, then renamed.
  fs::path tmp = dir / fmt::format("xlogtemp.{}", ::getpid());
  ::unlink(tmp.c_str());
  fd = ::open(tmp.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("create file", tmp, errno);
  if (!ZeroFill(fd) || (do_fsync && ::fsync(fd) != 0)) {
    int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return IoError("write to file", tmp, err);
  }
  // Another process may have created it meanwhile: then use that one.
  if (::link(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    if (err != EEXIST) return IoError("link file", path, err);
    fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) return IoError("open file", path, errno);
    return fd;
  }
  ::unlink(tmp.c_str());
  if (do_fsync) {
    Status st = FsyncDir(dir);
    if (!st.ok()) {
      ::close(fd);
      return st.error();
    }
  }
  return fd;
}

Result<SegmentCleanup> RemoveOldSegments(const fs::path& dir, XLogRecPtr redo_lsn, XLogRecPtr insert_lsn,
                                         int keep_future) {
  SegNo keep_from = LsnToSeg(redo_lsn);
  SegNo current = LsnToSeg(insert_lsn);
  std::vector<SegNo> old_segs;
  std::vector<SegNo> future;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    auto seg = ParseWalFileName(entry.path().filename().string());
    if (!seg) continue;
    if (*seg < keep_from && *seg < current) old_segs.push_back(*seg);
    if (*seg > current) future.push_back(*seg);
  }
  if (ec) return IoError("open directory", dir, ec.value());
  std::sort(old_segs.begin(), old_segs.end());  // the same order every time
  SegNo next_free = current + 1;
  auto is_taken = [&future](SegNo s) { return std::find(future.begin(), future.end(), s) != future.end(); };
  SegmentCleanup done;
  for (SegNo seg : old_segs) {
    fs::path path = dir / WalFileName(seg);
    if (static_cast<int>(future.size()) < keep_future) {
      while (is_taken(next_free)) ++next_free;
      fs::path to = dir / WalFileName(next_free);
      if (::rename(path.c_str(), to.c_str()) != 0) return IoError("rename file", path, errno);
      future.push_back(next_free);
      ++done.recycled;
    } else {
      if (::unlink(path.c_str()) != 0) return IoError("remove file", path, errno);
      ++done.removed;
    }
  }
  return done;
}

}  // namespace minipg::storage::wal
