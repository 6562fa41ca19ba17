/*-------------------------------------------------------------------------
 * interlock.cpp
 *   The System V interlock segment (see interlock.h).
 *-------------------------------------------------------------------------
 */
#include "engine/shmem/interlock.h"

#include <fmt/format.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "engine/common/sqlstate.h"

namespace minipg::shmem {
namespace {

constexpr char kInterlockMagic[8] = {'M', 'P', 'G', 'L', 'O', 'C', 'K', '\0'};

struct InterlockHeader {
  char magic[8];
  uint64_t dev;
  uint64_t ino;
  int32_t creator;
};

int g_interlock_id = -1;
void* g_interlock_addr = nullptr;

/* What a key's existing segment is to us. */
enum class Existing {
  kGone,      // no segment with that key (any more)
  kForeign,   // someone else's: try the next key
  kStale,     // ours, nobody attached: removed, the key is free again
  kAttached,  // ours, and processes of an old server are still attached
};

Existing Examine(key_t key, const struct stat& dir, int& id) {
  id = shmget(key, 0, 0);
  if (id < 0) return errno == ENOENT ? Existing::kGone : Existing::kForeign;
  shmid_ds ds{};
  if (shmctl(id, IPC_STAT, &ds) < 0 || ds.shm_segsz < sizeof(InterlockHeader)) return Existing::kForeign;
  void* p = shmat(id, nullptr, SHM_RDONLY);
  if (p == reinterpret_cast<void*>(-1)) return Existing::kForeign;
  InterlockHeader h;
  std::memcpy(&h, p, sizeof h);
  shmdt(p);
  bool ours = std::memcmp(h.magic, kInterlockMagic, sizeof h.magic) == 0 && h.dev == dir.st_dev &&
              h.ino == dir.st_ino;
  if (!ours) return Existing::kForeign;
  // nattch as it was before our own look (shmat/shmdt above).
  if (ds.shm_nattch > 0) return Existing::kAttached;
  shmctl(id, IPC_RMID, nullptr);
  return Existing::kStale;
}

Error ShmemError(std::string message) {
  return MakeError(sqlstate::kIoError, std::move(message), Severity::kFatal);
}

}  // namespace

Result<InterlockId> CreateInterlock(const std::filesystem::path& data_dir) {
  struct stat dir {};
  if (stat(data_dir.c_str(), &dir) < 0) {
    return ShmemError(fmt::format("could not stat data directory \"{}\": {}", data_dir.string(), std::strerror(errno)));
  }
  // As PostgreSQL: start at the data directory's inode, so the same
  // directory finds its old segment again.
  key_t key = static_cast<key_t>(dir.st_ino);
  for (int tries = 0; tries < 1000; ++tries) {
    if (key == IPC_PRIVATE) ++key;
    int id = shmget(key, sizeof(InterlockHeader), IPC_CREAT | IPC_EXCL | 0600);
    if (id < 0) {
      if (errno != EEXIST) {
        Error e = ShmemError(fmt::format("could not create shared memory segment: {}", std::strerror(errno)));
        e.detail = fmt::format("Failed system call was shmget(key={}, size={}, 03600).", static_cast<long>(key),
                               sizeof(InterlockHeader));
        return e;
      }
      switch (Examine(key, dir, id)) {
        case Existing::kAttached: {
          Error e = MakeError(sqlstate::kLockFileExists,
                              fmt::format("pre-existing shared memory block (key {}, ID {}) is still in use",
                                          static_cast<long>(key), id),
                              Severity::kFatal);
          e.hint = fmt::format("Terminate any old server processes associated with data directory \"{}\".",
                               data_dir.string());
          return e;
        }
        case Existing::kGone:
        case Existing::kStale:
          continue;  // the same key again
        case Existing::kForeign:
          ++key;
          continue;
      }
    }
    void* p = shmat(id, nullptr, 0);
    if (p == reinterpret_cast<void*>(-1)) {
      int err = errno;
      shmctl(id, IPC_RMID, nullptr);
      return ShmemError(fmt::format("could not attach shared memory segment: {}", std::strerror(err)));
    }
    InterlockHeader h{};
    std::memcpy(h.magic, kInterlockMagic, sizeof h.magic);
    h.dev = dir.st_dev;
    h.ino = dir.st_ino;
    h.creator = getpid();
    std::memcpy(p, &h, sizeof h);
    g_interlock_id = id;
    g_interlock_addr = p;
    return InterlockId{static_cast<long>(key), id};
  }
  return ShmemError("could not find a free key for the shared memory interlock");
}

void RemoveInterlock() {
  if (g_interlock_addr != nullptr) shmdt(g_interlock_addr);
  if (g_interlock_id >= 0) shmctl(g_interlock_id, IPC_RMID, nullptr);
  g_interlock_addr = nullptr;
  g_interlock_id = -1;
}

int InterlockAttachCount(int id) {
  shmid_ds ds{};
  if (shmctl(id, IPC_STAT, &ds) < 0) return -1;
  return static_cast<int>(ds.shm_nattch);
}

}  // namespace minipg::shmem
