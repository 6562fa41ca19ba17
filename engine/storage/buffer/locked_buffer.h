/*-------------------------------------------------------------------------
 * locked_buffer.h
 *   A pinned buffer held under its content lock, unlocked and unpinned
 *   when it goes out of scope or is reset (for the access methods: the
 *   heap and B-tree indexes).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <utility>

#include "engine/storage/buffer/buffer_pool.h"

namespace minipg::storage {

class LockedBuffer {
 public:
  LockedBuffer() = default;
  /* Takes over the pin on `b` and locks it in `mode`. */
  LockedBuffer(Buffer b, BufferLockMode mode) : buffer_(b) { LockBuffer(b, mode); }
  LockedBuffer(LockedBuffer&& o) noexcept : buffer_(std::exchange(o.buffer_, kInvalidBuffer)) {}
  LockedBuffer& operator=(LockedBuffer&& o) noexcept {
    Reset();
    buffer_ = std::exchange(o.buffer_, kInvalidBuffer);
    return *this;
  }
  ~LockedBuffer() { Reset(); }
  void Reset() {
    if (buffer_ == kInvalidBuffer) return;
    UnlockBuffer(buffer_);
    ReleaseBuffer(buffer_);
    buffer_ = kInvalidBuffer;
  }
  bool valid() const { return buffer_ != kInvalidBuffer; }
  Buffer get() const { return buffer_; }
  char* page() const { return BufferGetPage(buffer_); }
  BlockNumber block() const { return BufferGetBlockNumber(buffer_); }

 private:
  Buffer buffer_ = kInvalidBuffer;
};

}  // namespace minipg::storage
