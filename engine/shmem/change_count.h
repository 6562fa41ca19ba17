/*-------------------------------------------------------------------------
 * change_count.h
 *   The change counter protocol for shared memory that one process writes
 *   and many read without a lock (PostgreSQL's st_changecount), and the
 *   fixed-size text fields such records hold. backend_status.h explains
 *   the protocol; the process array and the step slots (step.h) use it.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <sched.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "engine/common/utf8.h"

namespace minipg::shmem {

/* Brackets a write: the counter is odd for the guard's lifetime. */
class ChangeCountWrite {
 public:
  explicit ChangeCountWrite(std::atomic<uint32_t>& counter) : counter_(counter) {
    counter_.fetch_add(1, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);  // the odd count is seen before any field change
  }
  ~ChangeCountWrite() {
    std::atomic_thread_fence(std::memory_order_release);  // every field change is seen before the even count
    counter_.fetch_add(1, std::memory_order_relaxed);
  }
  ChangeCountWrite(const ChangeCountWrite&) = delete;
  ChangeCountWrite& operator=(const ChangeCountWrite&) = delete;

 private:
  std::atomic<uint32_t>& counter_;
};

/* Runs `copy` until it ran while no write was in progress (the counter was
 * the same even value before and after); false after `tries` collisions
 * (a writer killed mid-write leaves the counter odd for good). */
template <typename F>
bool ReadConsistent(const std::atomic<uint32_t>& counter, F&& copy, int tries = 1000) {
  for (int attempt = 0; attempt < tries; ++attempt) {
    uint32_t before = counter.load(std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_acquire);
    copy();
    std::atomic_thread_fence(std::memory_order_acquire);
    if (before == counter.load(std::memory_order_relaxed) && (before & 1u) == 0) return true;
    sched_yield();
  }
  return false;
}

/* Copies `src` into a fixed-size field, cut at a UTF-8 character boundary. */
template <size_t N>
void CopyText(char (&dst)[N], std::string_view src) {
  size_t n = Utf8Prefix(src, N - 1).size();  // never inside a character
  std::memcpy(dst, src.data(), n);
  dst[n] = '\0';
}

/* A fixed-size field's text. */
template <size_t N>
std::string ReadText(const char (&src)[N]) {
  return std::string(src, strnlen(src, N));
}

}  // namespace minipg::shmem
