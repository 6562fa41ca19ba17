/*-------------------------------------------------------------------------
 * fuzz_input.h
 *   What the fuzz targets share: a reader that takes bytes off the front of
 *   a fuzzer's input (option choices, chunk sizes), and a socket that
 *   delivers an input to code that reads from a file descriptor (the
 *   protocol's MessageReader uses recv(), so a pipe or a file would not do).
 *
 * NOTES
 *   Every target is a plain LLVMFuzzerTestOneInput: built with clang and
 *   -fsanitize=fuzzer it is a libFuzzer binary; built with the normal test
 *   build it is driven over its corpus by replay_test.cpp. Targets must be
 *   deterministic and keep no state from one input to the next.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace minipg::fuzz {

/* Stops the run with a message: an invariant the target checks is broken
 * (libFuzzer saves the input as a crash, the replay test fails). */
[[noreturn]] inline void Fail(const char* what) {
  std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
  std::abort();
}

/* Consumes a fuzzer's input from the front. Past the end, reads give 0. */
class InputReader {
 public:
  InputReader(const uint8_t* data, size_t size)
      : rest_(reinterpret_cast<const char*>(data), size) {}

  uint8_t Byte() {
    if (rest_.empty()) return 0;
    auto b = static_cast<uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return b;
  }
  /* Up to `n` bytes. */
  std::string_view Take(size_t n) {
    std::string_view s = rest_.substr(0, n);
    rest_.remove_prefix(s.size());
    return s;
  }
  /* Everything not yet consumed. */
  std::string_view Rest() const { return rest_; }
  bool empty() const { return rest_.empty(); }

 private:
  std::string_view rest_;
};

/* A connected socket pair whose peer has already sent `data` and shut its
 * side down: reading fd() gives the data, then EOF. Inputs larger than a
 * socket buffer (kMaxBytes) are refused: ok() is false. */
class SentBytes {
 public:
  static constexpr size_t kMaxBytes = 128u << 10;

  explicit SentBytes(std::string_view data) {
    if (data.size() > kMaxBytes || socketpair(AF_UNIX, SOCK_STREAM, 0, fds_) != 0) return;
    int size = static_cast<int>(2 * kMaxBytes);
    setsockopt(fds_[1], SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    while (!data.empty()) {
      ssize_t n = send(fds_[1], data.data(), data.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n <= 0) return;  // did not fit: ok() stays false
      data.remove_prefix(static_cast<size_t>(n));
    }
    shutdown(fds_[1], SHUT_WR);
    ok_ = true;
  }
  ~SentBytes() {
    for (int fd : fds_) {
      if (fd >= 0) close(fd);
    }
  }
  SentBytes(const SentBytes&) = delete;
  SentBytes& operator=(const SentBytes&) = delete;

  bool ok() const { return ok_; }
  int fd() const { return fds_[0]; }

 private:
  int fds_[2] = {-1, -1};
  bool ok_ = false;
};

}  // namespace minipg::fuzz
