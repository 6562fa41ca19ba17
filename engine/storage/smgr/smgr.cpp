/*-------------------------------------------------------------------------
 * smgr.cpp
 *   Relation files in segments (smgr.h): the per-process table of open
 *   segment files, and reads, writes, extension, truncation and removal
 *   with PostgreSQL's error messages.
 *
 * NOTES
 *   Messages name files relative to the data directory ("base/5/16384.1"),
 *   as PostgreSQL's do (its working directory is the data directory).
 *-------------------------------------------------------------------------
 */
#include "engine/storage/smgr/smgr.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "engine/common/sqlstate.h"
#include "engine/storage/file_util.h"
#include "engine/storage/page/page.h"

namespace minipg::storage {

namespace {

using FileKey = std::tuple<Oid, Oid, Oid, ForkNumber>;

struct SmgrState {
  std::filesystem::path data_dir;
  BlockNumber segment_blocks = kRelSegBlocks;
  std::map<FileKey, std::vector<UniqueFd>> open_files;  // index: segment number
};

SmgrState& State() {
  static SmgrState state;
  return state;
}

FileKey KeyOf(const RelFileLocator& rel, ForkNumber fork) {
  return {rel.spc_oid, rel.db_oid, rel.rel_number, fork};
}

constexpr ForkNumber kAllForks[] = {ForkNumber::kMain, ForkNumber::kFsm,
                                    ForkNumber::kVisibilityMap};

std::string SegmentPath(const RelFileLocator& rel, ForkNumber fork, BlockNumber segno) {
  std::string path = RelPath(rel, fork);
  if (segno > 0) path += fmt::format(".{}", segno);
  return path;
}

std::filesystem::path FullPath(const std::string& relative) { return State().data_dir / relative; }

/* The SQLSTATE PostgreSQL's errcode_for_file_access gives an errno. */
const char* FileErrorCode(int err) {
  switch (err) {
    case ENOENT:
      return sqlstate::kUndefinedFile;
    case ENOSPC:
      return sqlstate::kDiskFull;
    default:
      return sqlstate::kIoError;
  }
}

/* "<what>: <strerror>" with the errno's SQLSTATE. */
Error FileError(std::string what, int err) {
  return MakeError(FileErrorCode(err), fmt::format("{}: {}", what, strerror(err)));
}

/* The descriptor of one segment, opened (or created) on first use; -errno
 * when it cannot be opened. */
int OpenSegment(const RelFileLocator& rel, ForkNumber fork, BlockNumber segno, bool create) {
  auto& files = State().open_files[KeyOf(rel, fork)];
  if (files.size() <= segno) files.resize(segno + 1);
  if (!files[segno].valid()) {
    std::string path = SegmentPath(rel, fork, segno);
    int fd;
    do {
      fd = open(FullPath(path).c_str(), O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) return -errno;
    files[segno] = UniqueFd(fd);
  }
  return files[segno].get();
}

/* The error for a segment OpenSegment could not open. */
Error OpenError(const RelFileLocator& rel, ForkNumber fork, BlockNumber segno, int neg_errno,
                std::optional<BlockNumber> target = std::nullopt) {
  std::string what = fmt::format("could not open file \"{}\"", SegmentPath(rel, fork, segno));
  if (target.has_value()) what += fmt::format(" (target block {})", *target);
  return FileError(std::move(what), -neg_errno);
}

/* Blocks in one open segment, from its size. */
Result<BlockNumber> SegmentBlocks(int fd, const RelFileLocator& rel, ForkNumber fork,
                                  BlockNumber segno) {
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    int err = errno;
    return FileError(fmt::format("could not seek to end of file \"{}\"",
                                 SegmentPath(rel, fork, segno)),
                     err);
  }
  return static_cast<BlockNumber>(static_cast<uint64_t>(st.st_size) / kBlockSize);
}

/* pread/pwrite until done, EOF or an error: the bytes moved, or -1. */
ssize_t FullIo(bool write, int fd, char* buf, size_t len, off_t offset) {
  size_t done = 0;
  while (done < len) {
    ssize_t n = write ? pwrite(fd, buf + done, len - done, offset + static_cast<off_t>(done))
                      : pread(fd, buf + done, len - done, offset + static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return static_cast<ssize_t>(done);
}

off_t OffsetInSegment(BlockNumber block) {
  return static_cast<off_t>(block % State().segment_blocks) * static_cast<off_t>(kBlockSize);
}

/* Writes `page` (checksummed on a copy) at its block; `extend` creates a
 * missing segment and words the messages as PostgreSQL's mdextend does. */
Status WriteBlock(const BufferTag& tag, const char* page, bool extend) {
  BlockNumber segno = tag.block / State().segment_blocks;
  std::string path = SegmentPath(tag.rel, tag.fork, segno);
  int fd = OpenSegment(tag.rel, tag.fork, segno, extend);
  if (fd < 0) return OpenError(tag.rel, tag.fork, segno, fd, tag.block);
  alignas(kMaxAlign) char copy[kBlockSize];
  std::memcpy(copy, page, kBlockSize);
  PageSetChecksum(copy, tag.block);
  ssize_t n = FullIo(true, fd, copy, kBlockSize, OffsetInSegment(tag.block));
  if (n == static_cast<ssize_t>(kBlockSize)) return OkStatus();
  int err = errno;
  Error e;
  if (n < 0) {
    e = extend ? FileError(fmt::format("could not extend file \"{}\"", path), err)
               : FileError(fmt::format("could not write block {} in file \"{}\"", tag.block, path),
                           err);
  } else {
    e = MakeError(sqlstate::kDiskFull,
                  extend ? fmt::format("could not extend file \"{}\": wrote only {} of {} bytes at "
                                       "block {}",
                                       path, n, kBlockSize, tag.block)
                         : fmt::format("could not write block {} in file \"{}\": wrote only {} of "
                                       "{} bytes",
                                       tag.block, path, n, kBlockSize));
  }
  if (e.sqlstate == sqlstate::kDiskFull) e.hint = "Check free disk space.";
  return e;
}

}  // namespace

void SmgrInit(std::filesystem::path data_dir, BlockNumber segment_blocks) {
  SmgrCloseAll();
  State().data_dir = std::move(data_dir);
  State().segment_blocks = segment_blocks == 0 ? kRelSegBlocks : segment_blocks;
}

const std::filesystem::path& SmgrDataDir() { return State().data_dir; }

void SmgrCloseAll() { State().open_files.clear(); }

void SmgrClose(const RelFileLocator& rel) {
  auto& files = State().open_files;
  for (auto it = files.begin(); it != files.end();) {
    const auto& [spc, db, relnum, fork] = it->first;
    bool match = spc == rel.spc_oid && db == rel.db_oid && (rel.rel_number == 0 || relnum == rel.rel_number);
    it = match ? files.erase(it) : std::next(it);
  }
}

size_t SmgrOpenFileCount() {
  size_t n = 0;
  for (const auto& [key, segments] : State().open_files) {
    for (const UniqueFd& fd : segments) n += fd.valid() ? 1 : 0;
  }
  return n;
}

std::string RelPath(const RelFileLocator& rel, ForkNumber fork) {
  std::string path;
  if (rel.spc_oid == kGlobalTablespaceOid) {
    path = fmt::format("global/{}", rel.rel_number);
  } else if (rel.spc_oid == kDefaultTablespaceOid) {
    path = fmt::format("base/{}/{}", rel.db_oid, rel.rel_number);
  } else {
    path = fmt::format("pg_tblspc/{}/{}/{}", rel.spc_oid, rel.db_oid, rel.rel_number);
  }
  switch (fork) {
    case ForkNumber::kMain:
      break;
    case ForkNumber::kFsm:
      path += "_fsm";
      break;
    case ForkNumber::kVisibilityMap:
      path += "_vm";
      break;
  }
  return path;
}

Status SmgrCreate(const RelFileLocator& rel, ForkNumber fork) {
  std::string path = RelPath(rel, fork);
  int fd = OpenSegment(rel, fork, 0, /*create=*/true);
  if (fd < 0) return FileError(fmt::format("could not create file \"{}\"", path), -fd);
  return FsyncDir(FullPath(path).parent_path());
}

bool SmgrExists(const RelFileLocator& rel, ForkNumber fork) {
  return OpenSegment(rel, fork, 0, /*create=*/false) >= 0;
}

Result<BlockNumber> SmgrNBlocks(const RelFileLocator& rel, ForkNumber fork) {
  BlockNumber seg_blocks = State().segment_blocks;
  for (BlockNumber segno = 0;; ++segno) {
    int fd = OpenSegment(rel, fork, segno, /*create=*/false);
    if (fd == -ENOENT && segno > 0) return segno * seg_blocks;
    if (fd < 0) return OpenError(rel, fork, segno, fd);
    auto blocks = SegmentBlocks(fd, rel, fork, segno);
    if (!blocks.ok()) return blocks.error();
    if (*blocks < seg_blocks) return segno * seg_blocks + *blocks;
  }
}

Status SmgrRead(const BufferTag& tag, char* page) {
  BlockNumber segno = tag.block / State().segment_blocks;
  std::string path = SegmentPath(tag.rel, tag.fork, segno);
  ssize_t n = 0;
  int fd = OpenSegment(tag.rel, tag.fork, segno, /*create=*/false);
  if (fd < 0 && (segno == 0 || fd != -ENOENT)) {
    return OpenError(tag.rel, tag.fork, segno, fd, tag.block);
  }
  if (fd >= 0) {  // a missing later segment reads as 0 bytes: past the end
    n = FullIo(false, fd, page, kBlockSize, OffsetInSegment(tag.block));
    if (n < 0) {
      int err = errno;
      return FileError(fmt::format("could not read block {} in file \"{}\"", tag.block, path),
                       err);
    }
  }
  if (n != static_cast<ssize_t>(kBlockSize)) {
    return MakeError(sqlstate::kDataCorrupted,
                     fmt::format("could not read block {} in file \"{}\": read only {} of {} bytes",
                                 tag.block, path, n, kBlockSize));
  }
  Status verified = PageVerify(page, tag.block);
  if (!verified.ok()) {
    Error e = MakeError(sqlstate::kDataCorrupted,
                        fmt::format("invalid page in block {} of relation {}", tag.block,
                                    RelPath(tag.rel, tag.fork)));
    e.detail = verified.error().message;
    return e;
  }
  return OkStatus();
}

Status SmgrWrite(const BufferTag& tag, const char* page) { return WriteBlock(tag, page, false); }

Status SmgrExtend(const BufferTag& tag, const char* page) {
  if (tag.block == kInvalidBlockNumber) {
    return MakeError(sqlstate::kProgramLimitExceeded,
                     fmt::format("cannot extend file \"{}\" beyond {} blocks",
                                 RelPath(tag.rel, tag.fork), kInvalidBlockNumber));
  }
  auto nblocks = SmgrNBlocks(tag.rel, tag.fork);
  if (!nblocks.ok()) return nblocks.error();
  if (tag.block != *nblocks) {
    return MakeError(sqlstate::kInternalError,
                     fmt::format("cannot extend file \"{}\" at block {}: it has {} blocks",
                                 RelPath(tag.rel, tag.fork), tag.block, *nblocks));
  }
  return WriteBlock(tag, page, true);
}

Status SmgrTruncate(const RelFileLocator& rel, ForkNumber fork, BlockNumber nblocks) {
  auto current = SmgrNBlocks(rel, fork);
  if (!current.ok()) return current.error();
  if (nblocks > *current) {
    return MakeError(sqlstate::kInternalError,
                     fmt::format("could not truncate file \"{}\" to {} blocks: it's only {} blocks "
                                 "now",
                                 RelPath(rel, fork), nblocks, *current));
  }
  BlockNumber seg_blocks = State().segment_blocks;
  BlockNumber last_segno = *current == 0 ? 0 : (*current - 1) / seg_blocks;
  for (BlockNumber segno = 0; segno <= last_segno; ++segno) {
    BlockNumber first = segno * seg_blocks;
    if (nblocks >= first + seg_blocks) continue;  // stays whole
    BlockNumber keep = nblocks > first ? nblocks - first : 0;
    int fd = OpenSegment(rel, fork, segno, /*create=*/false);
    if (fd < 0) return OpenError(rel, fork, segno, fd);
    if (ftruncate(fd, static_cast<off_t>(keep) * static_cast<off_t>(kBlockSize)) != 0) {
      int err = errno;
      return FileError(fmt::format("could not truncate file \"{}\" to {} blocks",
                                   SegmentPath(rel, fork, segno), keep),
                       err);
    }
  }
  return OkStatus();
}

Status SmgrUnlink(const RelFileLocator& rel) {
  for (ForkNumber fork : kAllForks) {
    State().open_files.erase(KeyOf(rel, fork));
    for (BlockNumber segno = 0;; ++segno) {
      std::string path = SegmentPath(rel, fork, segno);
      if (unlink(FullPath(path).c_str()) != 0) {
        int err = errno;
        if (err == ENOENT) break;
        return FileError(fmt::format("could not remove file \"{}\"", path), err);
      }
    }
  }
  return FsyncDir(FullPath(RelPath(rel, ForkNumber::kMain)).parent_path());
}

Status SmgrSync(const RelFileLocator& rel, ForkNumber fork) {
  for (BlockNumber segno = 0;; ++segno) {
    int fd = OpenSegment(rel, fork, segno, /*create=*/false);
    if (fd == -ENOENT && segno > 0) return OkStatus();
    if (fd < 0) return OpenError(rel, fork, segno, fd);
    if (fsync(fd) != 0) {
      int err = errno;
      return FileError(fmt::format("could not fsync file \"{}\"", SegmentPath(rel, fork, segno)),
                       err);
    }
  }
}

Result<uint64_t> SmgrRelationSize(const RelFileLocator& rel, std::optional<ForkNumber> fork) {
  uint64_t total = 0;
  for (ForkNumber f : kAllForks) {
    if (fork.has_value() && *fork != f) continue;
    for (BlockNumber segno = 0;; ++segno) {
      std::string path = SegmentPath(rel, f, segno);
      struct stat st {};
      if (stat(FullPath(path).c_str(), &st) != 0) {
        int err = errno;
        if (err == ENOENT) break;
        return FileError(fmt::format("could not stat file \"{}\"", path), err);
      }
      total += static_cast<uint64_t>(st.st_size);
    }
  }
  return total;
}

}  // namespace minipg::storage
