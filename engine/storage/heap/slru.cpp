/*-------------------------------------------------------------------------
 * slru.cpp
 *   The shared page cache of one SLRU directory (see slru.h).
 *-------------------------------------------------------------------------
 */
#include "engine/storage/heap/slru.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <new>

#include <fmt/format.h>

#include "engine/common/sqlstate.h"
#include "engine/storage/smgr/smgr.h"
#include "engine/storage/wal/xlog.h"

namespace minipg::storage {

namespace {

constexpr size_t kAlign = 8;

constexpr size_t AlignUp(size_t n) { return (n + kAlign - 1) / kAlign * kAlign; }

off_t FileOffset(int64_t pageno) {
  return static_cast<off_t>(pageno % kSlruPagesPerSegment) * static_cast<off_t>(kBlockSize);
}

}  // namespace

size_t SlruCtl::ShmemSize(int nslots) {
  return AlignUp(sizeof(SlruCtl)) + AlignUp(sizeof(Slot) * nslots) + kBlockSize * static_cast<size_t>(nslots);
}

SlruCtl* SlruCtl::Init(void* mem, const SlruOptions& options) {
  auto* ctl = new (mem) SlruCtl;  // its fields are set below
  shmem::LWLockInit(&ctl->lock_, options.tranche);
  std::memset(ctl->directory_, 0, sizeof(ctl->directory_));
  std::strncpy(ctl->directory_, options.directory, sizeof(ctl->directory_) - 1);
  ctl->nslots_ = options.nslots;
  ctl->items_per_page_ = options.items_per_page;
  ctl->fsync_ = options.fsync;
  ctl->use_counter_ = 0;
  Slot* s = ctl->slots();
  for (int i = 0; i < ctl->nslots_; ++i) new (&s[i]) Slot{-1, false, 0, 0};
  return ctl;
}

SlruCtl::Slot* SlruCtl::slots() {
  return reinterpret_cast<Slot*>(reinterpret_cast<char*>(this) + AlignUp(sizeof(SlruCtl)));
}

const SlruCtl::Slot* SlruCtl::slots() const { return const_cast<SlruCtl*>(this)->slots(); }

char* SlruCtl::page(int slot) {
  char* pages = reinterpret_cast<char*>(this) + AlignUp(sizeof(SlruCtl)) + AlignUp(sizeof(Slot) * nslots_);
  return pages + static_cast<size_t>(slot) * kBlockSize;
}

XLogRecPtr SlruCtl::page_lsn(int slot) const { return slots()[slot].lsn; }

std::string SlruSegmentPath(std::string_view directory, int64_t pageno) {
  return fmt::format("{}/{:04X}", directory, pageno / kSlruPagesPerSegment);
}

std::string SlruCtl::SegmentPath(int64_t pageno) const { return SlruSegmentPath(directory_, pageno); }

Error SlruCtl::IoFailure(const char* what, int64_t pageno, int err) const {
  Error e = MakeError(sqlstate::kIoError, fmt::format("could not access status of transaction {}",
                                                      static_cast<uint64_t>(pageno) * items_per_page_));
  e.detail = fmt::format("Could not {} file \"{}\": {}.", what, SegmentPath(pageno), std::strerror(err));
  return e;
}

Status SlruCtl::ReadFromDisk(int64_t pageno, char* out) const {
  std::memset(out, 0, kBlockSize);
  std::filesystem::path file = SmgrDataDir() / SegmentPath(pageno);
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT ? OkStatus() : Status(IoFailure("open", pageno, errno));
  ssize_t n = ::pread(fd, out, kBlockSize, FileOffset(pageno));
  int err = errno;
  ::close(fd);
  return n < 0 ? Status(IoFailure("read from", pageno, err)) : OkStatus();
}

Status SlruCtl::WriteToDisk(int slot) {
  Slot& s = slots()[slot];
  if (s.lsn != 0) {
    if (Status st = wal::XLogFlush(s.lsn); !st.ok()) return st;
  }
  std::filesystem::path file = SmgrDataDir() / SegmentPath(s.pageno);
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return IoFailure("open", s.pageno, errno);
  ssize_t n = ::pwrite(fd, page(slot), kBlockSize, FileOffset(s.pageno));
  int err = errno;
  if (n == static_cast<ssize_t>(kBlockSize) && fsync_ && ::fsync(fd) != 0) {
    err = errno;
    n = -1;
  }
  ::close(fd);
  if (n != static_cast<ssize_t>(kBlockSize)) return IoFailure("write to", s.pageno, n < 0 ? err : ENOSPC);
  s.dirty = false;
  return OkStatus();
}

Result<int> SlruCtl::ReadPage(int64_t pageno) {
  Slot* s = slots();
  int victim = 0;
  for (int i = 0; i < nslots_; ++i) {
    if (s[i].pageno == pageno) {
      s[i].last_used = ++use_counter_;
      return i;
    }
    if (s[i].pageno < 0 || (s[victim].pageno >= 0 && s[i].last_used < s[victim].last_used)) victim = i;
  }
  if (s[victim].pageno >= 0 && s[victim].dirty) {
    if (Status st = WriteToDisk(victim); !st.ok()) return st.error();
  }
  s[victim].pageno = -1;
  if (Status st = ReadFromDisk(pageno, page(victim)); !st.ok()) return st.error();
  s[victim] = Slot{pageno, false, 0, ++use_counter_};
  return victim;
}

void SlruCtl::MarkDirty(int slot, XLogRecPtr lsn) {
  Slot& s = slots()[slot];
  s.dirty = true;
  if (lsn > s.lsn) s.lsn = lsn;
}

Status SlruCtl::Flush() {
  shmem::LWLockGuard guard(&lock_, shmem::LWLockMode::kExclusive);
  for (int i = 0; i < nslots_; ++i) {
    if (slots()[i].pageno < 0 || !slots()[i].dirty) continue;
    if (Status st = WriteToDisk(i); !st.ok()) return st;
  }
  return OkStatus();
}

Status SlruCtl::Reset() {
  {
    shmem::LWLockGuard guard(&lock_, shmem::LWLockMode::kExclusive);
    for (int i = 0; i < nslots_; ++i) slots()[i] = Slot{-1, false, 0, 0};
  }
  std::filesystem::path dir = SmgrDataDir() / directory_;
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  if (ec) {
    return MakeError(sqlstate::kIoError,
                     fmt::format("could not remove directory \"{}\": {}", dir.string(), ec.message()));
  }
  std::filesystem::create_directories(dir, ec);
  return OkStatus();
}

Status SlruCtl::TruncateAfter(int64_t pageno) {
  shmem::LWLockGuard guard(&lock_, shmem::LWLockMode::kExclusive);
  for (int i = 0; i < nslots_; ++i) {
    if (slots()[i].pageno > pageno) slots()[i] = Slot{-1, false, 0, 0};
  }
  std::filesystem::path dir = SmgrDataDir() / directory_;
  std::error_code ec;
  std::filesystem::path cut = SmgrDataDir() / SegmentPath(pageno);
  auto keep = static_cast<uintmax_t>(FileOffset(pageno)) + kBlockSize;
  if (std::filesystem::exists(cut, ec) && std::filesystem::file_size(cut, ec) > keep) {
    std::filesystem::resize_file(cut, keep, ec);
    if (ec) return IoFailure("truncate", pageno, ec.value());
  }
  const int64_t segno = pageno / kSlruPagesPerSegment;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789ABCDEF") != std::string::npos) continue;
    if (std::stoll(name, nullptr, 16) <= segno) continue;
    std::filesystem::remove(entry.path(), ec);
    if (ec) return IoFailure("remove", pageno, ec.value());
  }
  return OkStatus();
}

}  // namespace minipg::storage
