/*-------------------------------------------------------------------------
 * long_query.h
 *   For the tests that the SQL path is linear in its input and stops for
 *   an interrupt: long query texts, and an interrupt flag set for a scope.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <chrono>
#include <string>

#include "engine/common/interrupts.h"

namespace minipg::sql {

/* "SELECT 1, 1, 1, ..." of at least `bytes` bytes. */
inline std::string LongSelectList(size_t bytes) {
  std::string q = "SELECT 1";
  q.reserve(bytes + 8);
  while (q.size() < bytes) q += ", 1";
  return q;
}

/* Seconds since `start`, for generous bounds that only quadratic work exceeds. */
inline double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/* Sets an interrupt flag as a signal handler would; clears them all at the end. */
class PendingInterrupt {
 public:
  enum Kind { kCancel, kDie, kStatementTimeout };
  explicit PendingInterrupt(Kind kind) {
    if (kind == kDie) {
      g_proc_die_pending = 1;
    } else {
      g_statement_timeout_pending = kind == kStatementTimeout ? 1 : 0;
      g_query_cancel_pending = 1;
    }
  }
  ~PendingInterrupt() {
    g_query_cancel_pending = 0;
    g_proc_die_pending = 0;
    g_statement_timeout_pending = 0;
  }
  PendingInterrupt(const PendingInterrupt&) = delete;
  PendingInterrupt& operator=(const PendingInterrupt&) = delete;
};

}  // namespace minipg::sql
