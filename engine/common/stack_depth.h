/*-------------------------------------------------------------------------
 * stack_depth.h
 *   The guard every recursion over client input calls, so that a deeply
 *   nested query ends in an error instead of a crash (PostgreSQL's
 *   check_stack_depth()).
 *
 * NOTES
 *   The bottom of the stack is recorded once, at process start: the
 *   postmaster's main() calls SetStackBase(), and forked backends inherit
 *   it. A process that never calls it (a test binary, a fuzzer) gets the
 *   frame of a static initializer that runs before main(), and any other
 *   thread records its own base on its first check. A check compares the
 *   current frame's address (__builtin_frame_address, not a local's
 *   address: AddressSanitizer may keep locals on a separate fake stack)
 *   with that base. The real stack is used, not a count of levels, so the
 *   limit means the same in a release build and in a sanitizer build whose
 *   frames are several times bigger.
 *
 *   The limit is max_stack_depth (a setting, engine/common/guc_table.cpp), 2MB by default as in
 *   PostgreSQL; it must stay well below the platform's stack (ulimit -s),
 *   which is why SET refuses a value above the rlimit minus 512kB.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>

#include "engine/common/error.h"

namespace minipg {

/* PostgreSQL's default max_stack_depth, in kB. */
inline constexpr int64_t kDefaultMaxStackDepthKb = 2048;

/* Records the caller's frame as the bottom of this thread's stack. */
void SetStackBase();

/* The limit checked against, in kB (max_stack_depth). */
void SetMaxStackDepthKb(int64_t kb);
int64_t MaxStackDepthKb();

/* The largest max_stack_depth the platform allows, in kB: the stack rlimit
 * minus 512kB of slop, as PostgreSQL computes it; -1 when unlimited. */
int64_t MaxStackDepthLimitKb();

/* True when this thread's stack is deeper than max_stack_depth: for walks
 * that cannot return a Status. */
bool StackDepthExceeded();

/* 54001 "stack depth limit exceeded", with PostgreSQL's hint. */
Error StackDepthError();

/* OK, or StackDepthError() when the stack is too deep. */
Status CheckStackDepth();

}  // namespace minipg
