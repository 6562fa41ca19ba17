/*-------------------------------------------------------------------------
 * message_reader.cpp
 *   Buffered, validating reads of protocol messages; writes that finish.
 *-------------------------------------------------------------------------
 */
#include "engine/protocol/message_reader.h"

#include <fmt/format.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "engine/common/sqlstate.h"
#include "engine/protocol/codec.h"
#include "engine/protocol/protocol.h"

namespace minipg::protocol {
namespace {

constexpr size_t kReadChunk = 16384;
constexpr size_t kMaxReadChunk = 256u << 10;  // bounds the zero-fill per read: linear, not quadratic

int32_t BigEndian32(const char* p) {
  auto b = reinterpret_cast<const unsigned char*>(p);
  return static_cast<int32_t>((uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) |
                              (uint32_t{b[2]} << 8) | b[3]);
}

}  // namespace

Status MessageReader::Fill(size_t n) {
  if (pos_ > 0 && pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
  } else if (pos_ > kReadChunk) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  while (buf_.size() - pos_ < n) {
    // Ask the hook before blocking: a signal that arrived while we were not
    // in recv() (so no EINTR) must still be seen.
    if (interrupt_hook_) {
      if (Status s = interrupt_hook_(); !s.ok()) return s;
    }
    // Grow only as data arrives, one bounded chunk at a time: a length word
    // promising 64 MiB commits nothing until the bytes come.
    size_t old = buf_.size();
    size_t want = std::min(std::max(kReadChunk, n - (old - pos_)), kMaxReadChunk);
    if (old + want > buf_.capacity()) {
      // Double, as std::string would, but never past what the message
      // needs: a doubled buffer would keep up to twice a big message.
      std::string bigger;
      bigger.reserve(std::max(old + want, std::min(2 * buf_.capacity(), pos_ + n)));
      bigger.append(buf_);
      buf_.swap(bigger);
    }
    buf_.resize(old + want);
    ssize_t got = recv(fd_, buf_.data() + old, want, wait_ ? MSG_DONTWAIT : 0);
    int err = errno;
    buf_.resize(old + (got > 0 ? static_cast<size_t>(got) : 0));
    if (got > 0) continue;
    if (got < 0 && (err == EAGAIN || err == EWOULDBLOCK) && wait_) {
      wait_(fd_);  // until readable or woken by a signal: the hook speaks first
      continue;
    }
    // The client hung up, or a signal interrupted us (EINTR): either way,
    // the hook speaks first (a terminate is a FATAL, not an EOF).
    if (interrupt_hook_ && (got == 0 || err == EINTR)) {
      if (Status s = interrupt_hook_(); !s.ok()) return s;
    }
    if (got == 0) {
      eof_ = true;
      return MakeError(sqlstate::kConnectionException, "unexpected EOF on connection",
                       Severity::kFatal);
    }
    if (err == EINTR) continue;
    if (err == ECONNRESET || err == EPIPE) eof_ = true;
    return MakeError(sqlstate::kConnectionException,
                     fmt::format("could not receive data: {}", std::strerror(err)),
                     Severity::kFatal);
  }
  return OkStatus();
}

Result<std::string> MessageReader::ReadStartupPacket() {
  if (Status s = Fill(4); !s.ok()) return s.error();
  int32_t len = BigEndian32(buf_.data() + pos_);
  // The smallest packet is a length and a code: 8 bytes.
  if (len < 8 || static_cast<size_t>(len) > kMaxStartupPacketLength) {
    return ProtocolError(fmt::format("invalid length of startup packet: {}", len));
  }
  if (Status s = Fill(static_cast<size_t>(len)); !s.ok()) return s.error();
  std::string body = buf_.substr(pos_ + 4, static_cast<size_t>(len) - 4);
  pos_ += static_cast<size_t>(len);
  return body;
}

Result<Message> MessageReader::ReadMessage() {
  if (Status s = Fill(5); !s.ok()) return s.error();
  char type = buf_[pos_];
  bool known = peer_ == Peer::kFrontend ? IsFrontendMessageType(type) : IsBackendMessageType(type);
  if (!known) {
    return ProtocolError(fmt::format("invalid {} message type {}",
                                     peer_ == Peer::kFrontend ? "frontend" : "backend",
                                     static_cast<int>(static_cast<unsigned char>(type))));
  }
  int32_t len = BigEndian32(buf_.data() + pos_ + 1);
  size_t limit = peer_ == Peer::kFrontend ? MaxFrontendMessageLength(type) : kMaxMessageLength;
  if (len < 4 || static_cast<size_t>(len) - 4 > limit) {
    return ProtocolError(fmt::format("invalid message length {} for message type '{}'", len, type));
  }
  if (Status s = Fill(1 + static_cast<size_t>(len)); !s.ok()) return s.error();
  Message m;
  m.type = type;
  size_t body_len = static_cast<size_t>(len) - 4;
  if (body_len <= kMaxReadChunk) {
    m.body = buf_.substr(pos_ + 5, body_len);
    pos_ += 1 + static_cast<size_t>(len);
    return m;
  }
  // A big message (a long Query, a COPY chunk): its bytes move into the
  // body instead of being copied, and what was read past it stays here.
  std::string rest = buf_.substr(pos_ + 1 + static_cast<size_t>(len));
  m.body = std::move(buf_);
  m.body.erase(0, pos_ + 5);
  m.body.resize(body_len);
  buf_ = std::move(rest);
  pos_ = 0;
  return m;
}

Status WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return MakeError(sqlstate::kConnectionException,
                     fmt::format("could not send data to peer: {}", std::strerror(errno)),
                     Severity::kFatal);
  }
  return OkStatus();
}

}  // namespace minipg::protocol
