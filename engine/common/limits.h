/*-------------------------------------------------------------------------
 * limits.h
 *   How much one client can make a backend hold. PostgreSQL's outer bound
 *   for a message, a value, a result row or a COPY line is 1 GB
 *   (MaxAllocSize); minipg's is 64 MiB, the size of its largest frontend
 *   message (protocol.h), which teaches the same: nothing a client sends
 *   or asks for grows without bound, and past the bound comes PostgreSQL's
 *   error, not an exhausted machine (docs/architecture.md, "Memory").
 *-------------------------------------------------------------------------
 */
#pragma once

#include <fmt/format.h>

#include <cstddef>

#include "engine/common/error.h"
#include "engine/common/sqlstate.h"

namespace minipg {

/* The most bytes one value, one result row (DataRow) or one COPY line may
 * hold. */
inline constexpr size_t kMaxFieldBytes = 64u << 20;

/* PostgreSQL's error when a string buffer would grow past the bound
 * (enlargeStringInfo): 54000 out of memory, with how much it held and how
 * much more was asked for. */
inline Error StringBufferFull(size_t have, size_t more) {
  Error e = MakeError(sqlstate::kProgramLimitExceeded, "out of memory");
  e.detail =
      fmt::format("Cannot enlarge string buffer containing {} bytes by {} more bytes.", have, more);
  return e;
}

}  // namespace minipg
