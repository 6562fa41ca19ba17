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

namespace {

size_t AlignUp(size_t n, size_t to) {
  return (n + to - 1) / to * to;
}

/* Offset of the first area: just past the process array. */
size_t AreasStart(int num_slots) {
  return AlignUp(sizeof(ShmemHeader) + static_cast<size_t>(num_slots) * sizeof(BackendStatus),
                 kShmemAreaAlign);
}

Status CheckRequests(const std::vector<ShmemRequest>& requests) {
  auto fatal = [](std::string msg) { return MakeError(sqlstate::kInternalError, std::move(msg), Severity::kFatal); };
  if (requests.size() > static_cast<size_t>(kMaxShmemAreas)) {
    return fatal(fmt::format("too many shared memory areas requested: {} (at most {})", requests.size(),
                             kMaxShmemAreas));
  }
  for (size_t i = 0; i < requests.size(); ++i) {
    const std::string& name = requests[i].name;
    if (name.empty() || name.size() >= kShmemAreaNameSize) {
      return fatal(fmt::format("invalid shared memory area name \"{}\"", name));
    }
    for (size_t j = 0; j < i; ++j) {
      if (requests[j].name == name) return fatal(fmt::format("shared memory area \"{}\" requested twice", name));
    }
  }
  return OkStatus();
}

}  // namespace

size_t SharedMemorySize(int num_slots, const std::vector<ShmemRequest>& requests) {
  size_t bytes = AreasStart(num_slots);
  for (const ShmemRequest& r : requests) bytes += AlignUp(r.size, kShmemAreaAlign);
  size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return AlignUp(bytes, page);
}

Status CreateSharedMemory(int backend_slots, int aux_slots, const std::vector<ShmemRequest>& requests) {
  static_assert(
      std::atomic<uint32_t>::is_always_lock_free && std::atomic<int32_t>::is_always_lock_free,
      "atomics in shared memory must be lock-free to work across processes");
  DestroySharedMemory();
  if (Status s = CheckRequests(requests); !s.ok()) return s;
  int num_slots = backend_slots + aux_slots;
  size_t size = SharedMemorySize(num_slots, requests);
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
  // The areas, in request order; each init sees its own zeroed bytes.
  size_t offset = AreasStart(num_slots);
  for (const ShmemRequest& r : requests) {
    ShmemAreaEntry& e = h->areas[h->num_areas++];
    std::memcpy(e.name, r.name.data(), r.name.size());
    e.offset = offset;
    e.size = r.size;
    if (r.init) r.init(static_cast<char*>(p) + offset);
    offset += AlignUp(r.size, kShmemAreaAlign);
  }
  return OkStatus();
}

void* ShmemArea(std::string_view name) {
  if (g_header == nullptr) return nullptr;
  for (int i = 0; i < g_header->num_areas; ++i) {
    const ShmemAreaEntry& e = g_header->areas[i];
    if (name == std::string_view(e.name)) return reinterpret_cast<char*>(g_header) + e.offset;
  }
  return nullptr;
}

std::vector<ShmemAreaEntry> ShmemAreas() {
  if (g_header == nullptr) return {};
  return {g_header->areas, g_header->areas + g_header->num_areas};
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
