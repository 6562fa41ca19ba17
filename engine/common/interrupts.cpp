/*-------------------------------------------------------------------------
 * interrupts.cpp
 *   Pending-interrupt flags and the checks that honour them.
 *-------------------------------------------------------------------------
 */
#include "engine/common/interrupts.h"

#include <time.h>

#include <algorithm>

#include "engine/common/postmaster_death.h"
#include "engine/common/sqlstate.h"

namespace minipg {

volatile sig_atomic_t g_query_cancel_pending = 0;
volatile sig_atomic_t g_proc_die_pending = 0;
volatile sig_atomic_t g_statement_timeout_pending = 0;
int g_interrupt_holdoff_count = 0;
volatile sig_atomic_t g_config_reload_pending = 0;

Status CheckForDieInterrupt() {
  if (g_interrupt_holdoff_count > 0) return OkStatus();  // acted on at the next check after release
  if (g_proc_die_pending) {
    return MakeError(sqlstate::kAdminShutdown,
                     "terminating connection due to administrator command", Severity::kFatal);
  }
  // Set by the parent-death signal or a wait that saw the death pipe hang
  // up: a long query, pg_sleep or a wait on the client stops here.
  if (g_postmaster_possibly_dead && !PostmasterIsAlive()) return PostmasterDeathError();
  return OkStatus();
}

Status ProcessInterrupts() {
  if (g_interrupt_holdoff_count > 0) return OkStatus();
  if (Status s = CheckForDieInterrupt(); !s.ok()) return s;
  if (g_query_cancel_pending) {
    g_query_cancel_pending = 0;
    bool timeout = g_statement_timeout_pending;
    g_statement_timeout_pending = 0;
    return MakeError(sqlstate::kQueryCanceled, timeout ? "canceling statement due to statement timeout"
                                                       : "canceling statement due to user request");
  }
  return OkStatus();
}

Status InterruptibleSleep(double seconds) {
  // Sleep in short slices: a signal also cuts nanosleep short (EINTR), so a
  // cancel is seen within one slice at worst.
  constexpr double kSlice = 0.01;
  timespec start{};
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (;;) {
    if (Status s = CheckForInterrupts(); !s.ok()) return s;
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    double elapsed = (now.tv_sec - start.tv_sec) + (now.tv_nsec - start.tv_nsec) / 1e9;
    double left = seconds - elapsed;
    if (left <= 0) return OkStatus();
    double slice = std::min(left, kSlice);
    timespec ts{static_cast<time_t>(slice), static_cast<long>((slice - static_cast<time_t>(slice)) * 1e9)};
    nanosleep(&ts, nullptr);
  }
}

}  // namespace minipg
