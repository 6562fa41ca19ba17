/*-------------------------------------------------------------------------
 * file_util.h
 *   Small POSIX file helpers for the storage layer: whole-file reads, full
 *   writes, fsync of a directory, advisory locks, CRC-32 and little-endian
 *   encoding.
 *
 * NOTES
 *   FileLock wraps flock(): shared for readers, exclusive for writers. flock
 *   locks belong to the open file description, so every process (backend)
 *   opens its own descriptor and the locks exclude each other across
 *   processes. A lock is released when the FileLock is destroyed (or the
 *   descriptor closed, or the process dies: a crash never leaves a lock
 *   behind). A process that must wait for a lock (another holds a
 *   conflicting one) says so through the lock-wait hook, which the server
 *   sets to report it (a lock_wait event, wait_event Lock in
 *   pg_stat_activity); storage itself knows nothing of the server.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "engine/common/error.h"

namespace minipg::storage {

enum class LockMode {
  kShared,     // readers: many at once
  kExclusive,  // writers and catalog changes: one at a time, no readers
};

/* An owned file descriptor, closed on destruction. */
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd();
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

/* Told when FileLock::Acquire has to wait: once before it waits
 * (waited_us < 0) and once when the lock is granted or the wait failed
 * (waited_us >= 0, the time waited). `object` names what is locked
 * ("table accounts", "catalog"). One per process; nullptr: nobody. */
using LockWaitHook = void (*)(LockMode mode, std::string_view object, int64_t waited_us);
void SetLockWaitHook(LockWaitHook hook);

/* Holds an flock() on a descriptor until destroyed. */
class FileLock {
 public:
  /* `object` names the lock for the lock-wait hook (`what` if empty). */
  static Result<FileLock> Acquire(int fd, LockMode mode, const std::filesystem::path& what,
                                  std::string_view object = {});
  ~FileLock();
  /* Leaves the lock to the descriptor: it lasts until that is closed. */
  void Keep() { fd_ = -1; }
  FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  FileLock& operator=(FileLock&&) = delete;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

/* Opens `path` with `flags` (O_CLOEXEC is added); errors name the file. */
Result<UniqueFd> OpenFile(const std::filesystem::path& path, int flags, int mode = 0600);

/* Reads the whole of an open file from offset 0. */
Result<std::string> ReadAll(int fd, const std::filesystem::path& what);

/* Writes all of `data` at `offset`, retrying short writes. */
Status WriteAllAt(int fd, std::string_view data, int64_t offset, const std::filesystem::path& what);

/* fsync()s a directory, so a create, rename or unlink in it is durable. */
Status FsyncDir(const std::filesystem::path& dir);

/* An I/O error (58030) naming the file and errno's text. */
Error IoError(std::string_view op, const std::filesystem::path& what, int err);

/* CRC-32 (IEEE 802.3 polynomial, as zlib computes it). */
uint32_t Crc32(std::string_view data, uint32_t crc = 0);

/* Little-endian encoding helpers. */
void PutU8(std::string& out, uint8_t v);
void PutU16(std::string& out, uint16_t v);
void PutU32(std::string& out, uint32_t v);
void PutU64(std::string& out, uint64_t v);

/* Reads little-endian values from a buffer, refusing to read past its end. */
class ByteReader {
 public:
  explicit ByteReader(std::string_view data) : data_(data) {}
  bool U8(uint8_t& v);
  bool U16(uint16_t& v);
  bool U32(uint32_t& v);
  bool U64(uint64_t& v);
  bool Bytes(size_t n, std::string& v);
  size_t remaining() const { return data_.size() - pos_; }
  size_t pos() const { return pos_; }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

}  // namespace minipg::storage
