/*-------------------------------------------------------------------------
 * stack_depth.cpp
 *   The stack depth guard (see stack_depth.h).
 *-------------------------------------------------------------------------
 */
#include "engine/common/stack_depth.h"

#include <sys/resource.h>

#include <atomic>

#include <fmt/format.h>

#include "engine/common/sqlstate.h"

namespace minipg {

namespace {

constexpr int64_t kStackDepthSlopKb = 512;  // PostgreSQL's STACK_DEPTH_SLOP

thread_local const char* tls_stack_base = nullptr;
std::atomic<int64_t> g_max_stack_depth_kb{kDefaultMaxStackDepthKb};

const char* CurrentFrame() { return static_cast<const char*>(__builtin_frame_address(0)); }

/* A sane default for every process: the main thread's base, recorded
 * before main() runs (see NOTES in stack_depth.h). */
[[maybe_unused]] const bool g_base_recorded_at_startup = (SetStackBase(), true);

}  // namespace

void SetStackBase() { tls_stack_base = CurrentFrame(); }

void SetMaxStackDepthKb(int64_t kb) { g_max_stack_depth_kb.store(kb, std::memory_order_relaxed); }

int64_t MaxStackDepthKb() { return g_max_stack_depth_kb.load(std::memory_order_relaxed); }

int64_t MaxStackDepthLimitKb() {
  struct rlimit rl {};
  if (getrlimit(RLIMIT_STACK, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) {
    return -1;
  }
  return static_cast<int64_t>(rl.rlim_cur / 1024) - kStackDepthSlopKb;
}

// noinline: the frame compared must be this function's own, below its caller's.
__attribute__((noinline)) bool StackDepthExceeded() {
  const char* here = CurrentFrame();
  if (tls_stack_base == nullptr) {
    tls_stack_base = here;  // a thread's first check: as deep as it will ever be known
    return false;
  }
  // Stacks grow down on every platform minipg runs on; take the distance
  // either way so a base recorded deeper than a later frame is harmless.
  auto depth = static_cast<uint64_t>(here < tls_stack_base ? tls_stack_base - here : here - tls_stack_base);
  return depth > static_cast<uint64_t>(MaxStackDepthKb()) * 1024;
}

Error StackDepthError() {
  Error e = MakeError(sqlstate::kStatementTooComplex, "stack depth limit exceeded");
  e.hint = fmt::format(
      "Increase the configuration parameter \"max_stack_depth\" (currently {}kB), after ensuring the "
      "platform's stack depth limit is adequate.",
      MaxStackDepthKb());
  return e;
}

Status CheckStackDepth() {
  if (StackDepthExceeded()) {
    return StackDepthError();
  }
  return OkStatus();
}

}  // namespace minipg
