/*-------------------------------------------------------------------------
 * file_util.cpp
 *   POSIX file helpers: descriptors, flock() locks, full reads and writes,
 *   directory fsync, CRC-32, little-endian encoding.
 *-------------------------------------------------------------------------
 */
#include "engine/storage/file_util.h"

#include <fcntl.h>
#include <time.h>
#include <sys/file.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "engine/common/sqlstate.h"

namespace minipg::storage {

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) {
    close(fd_);
  }
}

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) {
      close(fd_);
    }
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

Error IoError(std::string_view op, const std::filesystem::path& what, int err) {
  return MakeError(sqlstate::kIoError,
                   fmt::format("could not {} file \"{}\": {}", op, what.string(), strerror(err)));
}

namespace {
LockWaitHook g_lock_wait_hook = nullptr;

int64_t MonotonicMicros() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000 + ts.tv_nsec / 1000;
}
}  // namespace

void SetLockWaitHook(LockWaitHook hook) { g_lock_wait_hook = hook; }

Result<FileLock> FileLock::Acquire(int fd, LockMode mode, const std::filesystem::path& what,
                                   std::string_view object) {
  int op = mode == LockMode::kShared ? LOCK_SH : LOCK_EX;
  // Free (the usual case): taken at once, nobody is told.
  if (flock(fd, op | LOCK_NB) == 0) return FileLock(fd);
  if (errno != EWOULDBLOCK && errno != EINTR) return IoError("lock", what, errno);
  std::string name = object.empty() ? what.string() : std::string(object);
  LockWaitHook hook = g_lock_wait_hook;
  int64_t start = MonotonicMicros();
  if (hook != nullptr) hook(mode, name, -1);
  while (flock(fd, op) != 0) {
    if (errno != EINTR) {
      int err = errno;
      if (hook != nullptr) hook(mode, name, MonotonicMicros() - start);
      return IoError("lock", what, err);
    }
  }
  if (hook != nullptr) hook(mode, name, MonotonicMicros() - start);
  return FileLock(fd);
}

FileLock::~FileLock() {
  if (fd_ >= 0) {
    flock(fd_, LOCK_UN);
  }
}

Result<UniqueFd> OpenFile(const std::filesystem::path& path, int flags, int mode) {
  int fd;
  do {
    fd = open(path.c_str(), flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    Error e = IoError("open", path, errno);
    if (errno == ENOENT) {
      e.detail = "ENOENT";  // lets callers tell "missing" from other failures
    }
    return e;
  }
  return UniqueFd(fd);
}

Result<std::string> ReadAll(int fd, const std::filesystem::path& what) {
  std::string out;
  std::array<char, 65536> buf{};
  int64_t offset = 0;
  for (;;) {
    ssize_t n = pread(fd, buf.data(), buf.size(), offset);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return IoError("read", what, errno);
    }
    if (n == 0) {
      break;
    }
    out.append(buf.data(), static_cast<size_t>(n));
    offset += n;
  }
  return out;
}

Status WriteAllAt(int fd, std::string_view data, int64_t offset, const std::filesystem::path& what) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = pwrite(fd, data.data() + done, data.size() - done, offset + static_cast<int64_t>(done));
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return IoError("write", what, errno);
    }
    done += static_cast<size_t>(n);
  }
  return OkStatus();
}

Status FsyncDir(const std::filesystem::path& dir) {
  auto fd = OpenFile(dir, O_RDONLY | O_DIRECTORY);
  if (!fd.ok()) {
    return fd.error();
  }
  if (fsync(fd->get()) != 0) {
    return IoError("fsync", dir, errno);
  }
  return OkStatus();
}

namespace {

std::array<uint32_t, 256> MakeCrcTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) {
      c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    }
    table[i] = c;
  }
  return table;
}

}  // namespace

uint32_t Crc32(std::string_view data, uint32_t crc) {
  static const std::array<uint32_t, 256> kTable = MakeCrcTable();
  crc = ~crc;
  for (unsigned char ch : data) {
    crc = kTable[(crc ^ ch) & 0xFF] ^ (crc >> 8);
  }
  return ~crc;
}

void PutU8(std::string& out, uint8_t v) { out.push_back(static_cast<char>(v)); }
void PutU16(std::string& out, uint16_t v) {
  for (int i = 0; i < 2; ++i) {
    out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  }
}
void PutU32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) {
    out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  }
}
void PutU64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) {
    out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  }
}

namespace {

template <typename T>
bool ReadLe(std::string_view data, size_t& pos, T& v) {
  if (data.size() - pos < sizeof(T)) {
    return false;
  }
  uint64_t acc = 0;
  for (size_t i = 0; i < sizeof(T); ++i) {
    acc |= static_cast<uint64_t>(static_cast<unsigned char>(data[pos + i])) << (8 * i);
  }
  v = static_cast<T>(acc);
  pos += sizeof(T);
  return true;
}

}  // namespace

bool ByteReader::U8(uint8_t& v) { return ReadLe(data_, pos_, v); }
bool ByteReader::U16(uint16_t& v) { return ReadLe(data_, pos_, v); }
bool ByteReader::U32(uint32_t& v) { return ReadLe(data_, pos_, v); }
bool ByteReader::U64(uint64_t& v) { return ReadLe(data_, pos_, v); }
bool ByteReader::Bytes(size_t n, std::string& v) {
  if (remaining() < n) {
    return false;
  }
  v.assign(data_.substr(pos_, n));
  pos_ += n;
  return true;
}

}  // namespace minipg::storage
