/*-------------------------------------------------------------------------
 * shmem.cpp
 *   Creating and destroying the shared memory segment (see shmem.h).
 *-------------------------------------------------------------------------
 */
#include "engine/shmem/shmem.h"

#include <fmt/format.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <new>

#include "engine/common/sqlstate.h"
#include "engine/shmem/backend_status.h"

namespace minipg::shmem {
namespace {

ShmemHeader* g_header = nullptr;  // inherited by every child through fork()
size_t g_size = 0;
uint32_t g_generation = 0;

}  // namespace

size_t SharedMemorySize(int num_slots) {
  size_t bytes = sizeof(ShmemHeader) + static_cast<size_t>(num_slots) * sizeof(BackendStatus);
  size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return (bytes + page - 1) / page * page;
}

Status CreateSharedMemory(int backend_slots, int aux_slots) {
  static_assert(
      std::atomic<uint32_t>::is_always_lock_free && std::atomic<int32_t>::is_always_lock_free,
      "atomics in shared memory must be lock-free to work across processes");
  DestroySharedMemory();
  int num_slots = backend_slots + aux_slots;
  size_t size = SharedMemorySize(num_slots);
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    return MakeError(sqlstate::kIoError,
                     fmt::format("could not map anonymous shared memory of {} bytes: {}", size,
                                 std::strerror(errno)),
                     Severity::kFatal);
  }
  // The mapping is zeroed by the kernel; construct the header and slots so
  // their atomics have begun their lifetimes.
  auto* h = new (p) ShmemHeader{};
  h->magic = kShmemMagic;
  h->size = size;
  h->num_slots = num_slots;
  h->num_backend_slots = backend_slots;
  h->generation = ++g_generation;
  auto* slots = reinterpret_cast<BackendStatus*>(h + 1);
  for (int i = 0; i < num_slots; ++i) new (&slots[i]) BackendStatus{};
  g_header = h;
  g_size = size;
  return OkStatus();
}

void DestroySharedMemory() {
  if (g_header == nullptr) return;
  munmap(g_header, g_size);
  g_header = nullptr;
  g_size = 0;
}

ShmemHeader* Header() {
  return g_header;
}

}  // namespace minipg::shmem
