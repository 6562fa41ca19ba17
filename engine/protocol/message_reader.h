/*-------------------------------------------------------------------------
 * message_reader.h
 *   Reading framed protocol messages from a socket, and writing bytes to
 *   one. Used by the backend (reading a frontend) and by sim/client
 *   (reading a backend).
 *
 * NOTES
 *   The length word is validated (at least 4, at most the limit for that
 *   message type) before a byte of the body is allocated, and the type byte
 *   is checked against the types the peer may send. The interrupt hook is
 *   called before every blocking read and whenever a read is interrupted
 *   (EINTR) or finds the socket shut down: if the hook returns an error the
 *   read gives up with it. With a wait function set (the backend) recv()
 *   never blocks: when no data is there the reader calls the wait, which
 *   returns when the socket is readable or a signal handler set the latch
 *   (engine/common/latch.h), and then asks the hook again. This is how a
 *   backend waiting for its client still notices SIGTERM, even one that
 *   arrives just before the wait.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "engine/common/error.h"

namespace minipg::protocol {

struct Message {
  char type = 0;
  std::string body;  // without type and length
};

/* Which side's messages a reader expects. */
enum class Peer {
  kFrontend,  // we are the server: validate frontend message types and limits
  kBackend,   // we are the client: validate backend message types
};

class MessageReader {
 public:
  MessageReader(int fd, Peer peer) : fd_(fd), peer_(peer) {}

  void SetInterruptHook(std::function<Status()> hook) { interrupt_hook_ = std::move(hook); }
  const std::function<Status()>& interrupt_hook() const { return interrupt_hook_; }
  /* Waits until fd_ may be readable (see NOTES); unset, recv() blocks. */
  void SetWait(std::function<void(int fd)> wait) { wait_ = std::move(wait); }

  /* The untyped startup packet: returns its body (from the code on). */
  Result<std::string> ReadStartupPacket();
  /* One typed message. */
  Result<Message> ReadMessage();

  /* True once the peer closed the connection (the last error was an EOF). */
  bool eof() const { return eof_; }

  /* Bytes already received but not yet consumed (pipelined messages). */
  size_t Buffered() const { return buf_.size() - pos_; }

 private:
  /* Makes at least `n` bytes available in buf_ from pos_ on. */
  Status Fill(size_t n);

  int fd_;
  Peer peer_;
  std::string buf_;
  size_t pos_ = 0;
  bool eof_ = false;
  std::function<Status()> interrupt_hook_;
  std::function<void(int fd)> wait_;
};

/* Writes all of `data`, retrying short writes and EINTR; never raises SIGPIPE. */
Status WriteAll(int fd, std::string_view data);

}  // namespace minipg::protocol
