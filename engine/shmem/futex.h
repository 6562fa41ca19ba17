/*-------------------------------------------------------------------------
 * futex.h
 *   Sleeping on a 32-bit word in shared memory until another process
 *   changes it and wakes the sleepers (Linux futex, the shared variant:
 *   FUTEX_WAIT / FUTEX_WAKE without FUTEX_PRIVATE_FLAG, since the word is
 *   in memory several processes map). Used by LWLocks and by buffer I/O
 *   waits.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <climits>
#include <ctime>
#include <cstdint>

namespace minipg::shmem {

/* Sleeps while `*word` holds `expected`; returns at once if it does not
 * (the kernel compares and sleeps atomically), and may return spuriously:
 * callers re-check their condition in a loop. */
inline void FutexWait(std::atomic<uint32_t>* word, uint32_t expected) {
  static_assert(sizeof(std::atomic<uint32_t>) == sizeof(uint32_t));
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAIT, expected, nullptr, nullptr, 0);
}

/* FutexWait for at most `ms` milliseconds (a signal also ends it). */
inline void FutexWaitMs(std::atomic<uint32_t>* word, uint32_t expected, int ms) {
  timespec ts{ms / 1000, static_cast<long>(ms % 1000) * 1'000'000};
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAIT, expected, &ts, nullptr, 0);
}

/* Wakes every process sleeping on `word`. */
inline void FutexWakeAll(std::atomic<uint32_t>* word) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAKE, INT_MAX, nullptr, nullptr, 0);
}

}  // namespace minipg::shmem
