/*-------------------------------------------------------------------------
 * event_ring.cpp
 *   The event rings in shared memory: appending, draining, waking the
 *   collector (see event_ring.h for the layout and the protocol).
 *-------------------------------------------------------------------------
 */
#include "engine/trace/event_ring.h"

#include <fmt/format.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstring>
#include <new>

#include "engine/common/sqlstate.h"

namespace minipg::trace {
namespace {

constexpr uint64_t kEventRingsMagic = 0x4D5047'52494E47ULL;  // "MPGRING"

size_t MappingSize(int num_rings) { return sizeof(EventRings) + static_cast<size_t>(num_rings) * sizeof(EventRing); }

/* Copies `n` bytes into the ring's data at stream position `pos`, wrapping. */
void CopyIn(EventRing* r, uint64_t pos, const void* src, size_t n) {
  size_t at = pos % kEventRingBytes;
  size_t first = std::min(n, kEventRingBytes - at);
  std::memcpy(r->data + at, src, first);
  std::memcpy(r->data, static_cast<const char*>(src) + first, n - first);
}

void CopyOut(const EventRing* r, uint64_t pos, void* dst, size_t n) {
  size_t at = pos % kEventRingBytes;
  size_t first = std::min(n, kEventRingBytes - at);
  std::memcpy(dst, r->data + at, first);
  std::memcpy(static_cast<char*>(dst) + first, r->data, n - first);
}

void Wake(EventRings* rings) {
  if (rings->wake_pending.exchange(1) != 0) return;  // already woken, not yet awake
  uint64_t one = 1;
  while (write(rings->wake_fd, &one, sizeof one) < 0 && errno == EINTR) {
  }
}

}  // namespace

EventRing* RingAt(EventRings* rings, int index) {
  auto* first = reinterpret_cast<EventRing*>(reinterpret_cast<char*>(rings) + sizeof(EventRings));
  return first + index;
}

Result<EventRings*> CreateEventRings(int num_rings) {
  size_t size = MappingSize(num_rings);
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    return MakeError(sqlstate::kOutOfMemory,
                     fmt::format("could not map {} bytes for the event rings: {}", size, std::strerror(errno)),
                     Severity::kFatal);
  }
  int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    munmap(p, size);
    return MakeError(sqlstate::kOutOfMemory, fmt::format("could not create eventfd: {}", std::strerror(err)),
                     Severity::kFatal);
  }
  auto* rings = new (p) EventRings{};
  rings->magic = kEventRingsMagic;
  rings->num_rings = static_cast<uint32_t>(num_rings);
  rings->wake_fd = fd;
  for (int i = 0; i < num_rings; ++i) new (RingAt(rings, i)) EventRing{};
  return rings;
}

void DestroyEventRings(EventRings* rings) {
  if (rings == nullptr) return;
  close(rings->wake_fd);
  munmap(rings, MappingSize(static_cast<int>(rings->num_rings)));
}

bool RingAppend(EventRings* rings, int index, std::string_view text) {
  EventRing* r = RingAt(rings, index);
  uint32_t len = static_cast<uint32_t>(text.size());
  size_t need = sizeof len + len;
  uint64_t head = r->head.load(std::memory_order_relaxed);  // only we store it
  uint64_t tail = r->tail.load(std::memory_order_acquire);
  if (len == 0 || len > kMaxEventRecord || head - tail + need > kEventRingBytes) {
    r->dropped.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  CopyIn(r, head, &len, sizeof len);
  CopyIn(r, head + sizeof len, text.data(), len);
  // Publish, then look for a sleeping collector, without a fence between
  // the two (event_ring.h, NOTES: a missed wake waits kIdleWakeMs at most).
  r->head.store(head + need, std::memory_order_release);
  if (rings->sleeping.load(std::memory_order_relaxed) != 0 || head + need - tail > kEventRingBytes / 2) {
    Wake(rings);
  }
  return true;
}

size_t RingDrain(EventRings* rings, int index, const std::function<void(std::string_view)>& take) {
  EventRing* r = RingAt(rings, index);
  uint64_t tail = r->tail.load(std::memory_order_relaxed);  // only we store it
  uint64_t head = r->head.load(std::memory_order_acquire);
  if (head == tail) return 0;
  size_t taken = 0;
  char text[kMaxEventRecord];
  while (head - tail >= sizeof(uint32_t)) {
    uint32_t len = 0;
    CopyOut(r, tail, &len, sizeof len);
    if (len == 0 || len > kMaxEventRecord || head - tail > kEventRingBytes || head - tail - sizeof len < len) {
      break;  // not a record a writer made
    }
    CopyOut(r, tail + sizeof len, text, len);
    tail += sizeof len + len;
    // Free the space before the collector does anything slow with it.
    r->tail.store(tail, std::memory_order_release);
    take(std::string_view(text, len));
    ++taken;
  }
  if (tail != head) {  // garbage: skip to what the writer last published
    r->skipped.fetch_add(head - tail, std::memory_order_relaxed);
    r->tail.store(head, std::memory_order_release);
  }
  return taken;
}

size_t RingPrepareToSleep(EventRings* rings, const std::function<void(int, std::string_view)>& take) {
  rings->sleeping.store(1, std::memory_order_seq_cst);
  size_t taken = 0;
  for (uint32_t i = 0; i < rings->num_rings; ++i) {
    int ring = static_cast<int>(i);
    taken += RingDrain(rings, ring, [&](std::string_view text) { take(ring, text); });
  }
  if (taken > 0) rings->sleeping.store(0, std::memory_order_seq_cst);
  return taken;
}

void RingAwake(EventRings* rings) {
  rings->sleeping.store(0, std::memory_order_seq_cst);
  rings->wake_pending.store(0, std::memory_order_seq_cst);
  uint64_t count = 0;
  while (read(rings->wake_fd, &count, sizeof count) < 0 && errno == EINTR) {
  }
}

}  // namespace minipg::trace
