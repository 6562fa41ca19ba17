/*-------------------------------------------------------------------------
 * source.cpp
 *   FileSource and TcpSource: the two ways event lines reach the model.
 *
 * NOTES
 *   The TcpSource thread polls its socket with a 100 ms timeout so that the
 *   destructor (which sets stop_ and shuts the socket down) is noticed
 *   promptly; the destructor joins the thread. No exception leaves the
 *   thread: every failure becomes state kFailed with a message.
 *-------------------------------------------------------------------------
 */
#include "viz/model/source.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "viz/model/event.h"

namespace minipg::viz {

std::string_view SourceStateName(SourceState state) {
  switch (state) {
    case SourceState::kConnecting: return "connecting";
    case SourceState::kStreaming: return "streaming";
    case SourceState::kEnded: return "ended";
    case SourceState::kFailed: return "failed";
  }
  return "?";
}

std::string ParseHostPort(std::string_view text, std::string* host, int* port) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) {
    return fmt::format("\"{}\" is not HOST:PORT", text);
  }
  std::string_view h = text.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  int value = 0;
  for (char c : text.substr(colon + 1)) {
    if (c < '0' || c > '9') return fmt::format("port in \"{}\" is not a number", text);
    value = value * 10 + (c - '0');
    if (value > 65535) return fmt::format("port in \"{}\" is larger than 65535", text);
  }
  if (value == 0) return fmt::format("port in \"{}\" must not be 0", text);
  *host = std::string(h);
  *port = value;
  return "";
}

/* ---------- FileSource ---------- */

FileSource::FileSource(std::string path) : path_(std::move(path)) {
  std::ifstream in(path_, std::ios::binary);
  if (!in) {
    failed_ = true;
    error_ = fmt::format("cannot open \"{}\": {}", path_, std::strerror(errno));
    return;
  }
  std::string line;
  while (std::getline(in, line)) lines_.push_back(std::move(line));
  if (in.bad()) {
    failed_ = true;
    error_ = fmt::format("error reading \"{}\"", path_);
  }
}

ParseResult TakeParse(SourceLine& line) {
  if (line.parsed) return std::move(line.result);
  return ParseLine(line.text);
}

size_t EventSource::PollLines(std::vector<SourceLine>& out, size_t max) {
  std::vector<std::string> texts;
  size_t n = Poll(texts, max);
  for (std::string& text : texts) out.push_back(SourceLine{std::move(text), false, {}});
  return n;
}

size_t FileSource::Poll(std::vector<std::string>& out, size_t max) {
  size_t n = 0;
  while (n < max && next_ < lines_.size()) {
    out.push_back(std::move(lines_[next_++]));
    ++n;
  }
  if (next_ == lines_.size() && !lines_.empty()) {
    lines_.clear();  // all delivered: free the memory
    lines_.shrink_to_fit();
    next_ = 0;
  }
  return n;
}

SourceState FileSource::state() const {
  if (failed_) return SourceState::kFailed;
  return next_ < lines_.size() ? SourceState::kStreaming : SourceState::kEnded;
}

std::string FileSource::Describe() const { return fmt::format("file {}", path_); }

/* ---------- TcpSource ---------- */

TcpSource::TcpSource(std::string host, int port, bool reconnect, std::function<void()> wake)
    : host_(std::move(host)), port_(port), reconnect_(reconnect), wake_(std::move(wake)) {
  thread_ = std::thread([this] { Run(); });
}

TcpSource::~TcpSource() {
  stop_ = true;
  int fd = fd_.load();
  if (fd >= 0) ::shutdown(fd, SHUT_RDWR);
  if (thread_.joinable()) thread_.join();
  fd = fd_.exchange(-1);
  if (fd >= 0) ::close(fd);
}

size_t TcpSource::Poll(std::vector<std::string>& out, size_t max) {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  while (n < max && !queue_.empty()) {
    out.push_back(std::move(queue_.front().text));
    queue_.pop_front();
    ++n;
  }
  return n;
}

size_t TcpSource::PollLines(std::vector<SourceLine>& out, size_t max) {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  while (n < max && !queue_.empty()) {
    out.push_back(std::move(queue_.front()));
    queue_.pop_front();
    ++n;
  }
  return n;
}

SourceState TcpSource::state() const {
  std::lock_guard<std::mutex> lock(mu_);
  // Lines still queued count as streaming, so "ended" means "all delivered".
  if (state_ == SourceState::kEnded && !queue_.empty()) return SourceState::kStreaming;
  return state_;
}

std::string TcpSource::Describe() const { return fmt::format("tcp {}:{}", host_, port_); }

std::string TcpSource::error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return error_;
}

uint64_t TcpSource::dropped_lines() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_lines_;
}

void TcpSource::SetFailed(std::string message) {
  std::lock_guard<std::mutex> lock(mu_);
  state_ = SourceState::kFailed;
  error_ = std::move(message);
}

void TcpSource::PushLine(std::string line) {
  SourceLine l{std::move(line), false, {}};
  size_t waiting;
  {
    std::lock_guard<std::mutex> lock(mu_);
    waiting = queue_.size();
  }
  if (waiting < kMaxParsedAhead) {  // outside the lock: Poll() goes on meanwhile
    l.result = ParseLine(l.text);
    l.parsed = true;
  }
  bool was_empty;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (queue_.size() >= kMaxQueuedLines) {
      ++dropped_lines_;
      return;
    }
    was_empty = queue_.empty();
    queue_.push_back(std::move(l));
  }
  if (was_empty && wake_) wake_();
}

int TcpSource::Connect(std::string* error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::string port_text = std::to_string(port_);
  int rc = ::getaddrinfo(host_.c_str(), port_text.c_str(), &hints, &res);
  if (rc != 0) {
    *error = fmt::format("cannot resolve \"{}\": {}", host_, gai_strerror(rc));
    return -1;
  }
  int fd = -1;
  std::string last_error = "no address";
  for (addrinfo* ai = res; ai != nullptr && !stop_; ai = ai->ai_next) {
    fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      last_error = std::strerror(errno);
      continue;
    }
    if (::connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) break;
    last_error = std::strerror(errno);
    ::close(fd);
    fd = -1;
  }
  ::freeaddrinfo(res);
  if (fd < 0) *error = fmt::format("cannot connect to {}:{}: {}", host_, port_, last_error);
  return fd;
}

void TcpSource::Run() {
  std::string error;
  int fd = Connect(&error);
  if (fd < 0 && !reconnect_) {
    SetFailed(std::move(error));
    return;
  }
  if (fd < 0) {
    fd = WaitForServer("waiting for the server: " + error);  // it may be starting
    if (fd < 0) return;  // stopped
  }
  for (;;) {
    fd_ = fd;
    {
      std::lock_guard<std::mutex> lock(mu_);
      state_ = SourceState::kStreaming;
      error_.clear();
    }
    bool closed_by_peer = Stream(fd);
    fd = fd_.exchange(-1);
    if (fd >= 0) ::close(fd);
    if (!closed_by_peer || stop_) return;
    if (!reconnect_) {
      std::lock_guard<std::mutex> lock(mu_);
      state_ = SourceState::kEnded;
      error_ = "the server closed the event stream";
      return;
    }
    // The server went away (shut down, restarting): wait for it to come back.
    fd = WaitForServer("the server closed the event stream; reconnecting");
    if (fd < 0) return;  // stopped
  }
}

int TcpSource::WaitForServer(const std::string& why) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    state_ = SourceState::kConnecting;
    error_ = why;
  }
  std::string error;
  int fd = -1;
  while (fd < 0 && !stop_) {
    for (int i = 0; i < kReconnectIntervalMs / 50 && !stop_; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (!stop_) fd = Connect(&error);
  }
  if (stop_ && fd >= 0) {
    ::close(fd);
    fd = -1;
  }
  return fd;
}

bool TcpSource::Stream(int fd) {
  std::string partial;
  bool skipping = false;  // inside an oversized line: drop until '\n'
  char buf[65536];
  bool closed = false;
  while (!stop_) {
    pollfd pfd{fd, POLLIN, 0};
    int pr = ::poll(&pfd, 1, 100);
    if (pr < 0) {
      if (errno == EINTR) continue;
      SetFailed(fmt::format("poll failed: {}", std::strerror(errno)));
      return false;
    }
    if (pr == 0) continue;
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      if (stop_) break;
      SetFailed(fmt::format("read from {}:{} failed: {}", host_, port_, std::strerror(errno)));
      return false;
    }
    if (n == 0) {  // the server closed the stream
      closed = true;
      break;
    }
    std::string_view chunk(buf, static_cast<size_t>(n));
    while (!chunk.empty()) {
      size_t nl = chunk.find('\n');
      std::string_view piece = chunk.substr(0, nl);
      if (!skipping) partial.append(piece);
      if (partial.size() > kMaxLineBytes) {
        partial.clear();
        skipping = true;
        std::lock_guard<std::mutex> lock(mu_);
        ++dropped_lines_;
      }
      if (nl == std::string_view::npos) break;
      if (!skipping) PushLine(std::move(partial));
      partial.clear();
      skipping = false;
      chunk.remove_prefix(nl + 1);
    }
  }
  // A last line without '\n' is handed on: the model reports it if truncated.
  if (!partial.empty() && !skipping) PushLine(std::move(partial));
  if (!closed) {  // stopped by the destructor
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ != SourceState::kFailed) state_ = SourceState::kEnded;
  }
  return closed;
}

}  // namespace minipg::viz
