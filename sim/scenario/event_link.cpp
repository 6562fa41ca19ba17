/*-------------------------------------------------------------------------
 * event_link.cpp
 *   Reading and writing the event stream for minipg-sim (see event_link.h).
 *-------------------------------------------------------------------------
 */
#include "sim/scenario/event_link.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

#include "engine/trace/emitter.h"
#include "engine/trace/event_json.h"
#include "sim/client/client.h"

namespace minipg::sim {

using nlohmann::json;

EventLink::~EventLink() {
  Close();
}

Status EventLink::Open(int port) {
  auto fd = client::OpenSocket("127.0.0.1", port, 5000);
  if (!fd.ok()) return fd.error();
  fd_ = *fd;
  stop_ = false;
  {
    std::lock_guard lock(mu_);
    reading_ = true;
  }
  reader_ = std::thread([this] { ReadLoop(); });
  return OkStatus();
}

void EventLink::Close() {
  stop_ = true;
  if (reader_.joinable()) reader_.join();
  std::lock_guard lock(send_mu_);
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

void EventLink::Send(std::string_view type, json fields) {
  if (fd_ < 0) return;
  json ev = {{"type", type}, {"ts", trace::NowMicros()}, {"pid", static_cast<int64_t>(getpid())}};
  for (auto& [k, v] : fields.items()) ev[k] = v;
  std::string line = ev.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  std::lock_guard lock(send_mu_);
  if (fd_ < 0) return;
  size_t off = 0;
  while (off < line.size()) {
    ssize_t n = send(fd_, line.data() + off, line.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return;  // the server went away: its events are gone too
    off += static_cast<size_t>(n);
  }
}

bool EventLink::Sync(int timeout_ms) {
  if (fd_ < 0) return false;
  int64_t token;
  {
    std::lock_guard lock(mu_);
    token = ++next_sync_;
  }
  Send("sync", {{"token", token}});
  // Without a collector (the server stopped) nothing will come back.
  bool seen = false;
  WaitFor(
      [&] {
        seen = sync_seen_ >= token;
        return seen || !reading_;
      },
      timeout_ms);
  return seen;
}

bool EventLink::WaitFor(const std::function<bool()>& pred, int timeout_ms) {
  std::unique_lock lock(mu_);
  return changed_.wait_for(lock, std::chrono::milliseconds(timeout_ms), pred);
}

void EventLink::ClearEvents() {
  std::lock_guard lock(mu_);
  events_.clear();
}

int EventLink::LiveBackends() const {
  std::lock_guard lock(mu_);
  return static_cast<int>(backends_.size());
}

std::string EventLink::BackendState(int64_t pid) const {
  std::lock_guard lock(mu_);
  auto it = backends_.find(pid);
  return it == backends_.end() ? std::string() : it->second;
}

pid_t EventLink::PostmasterPid() const {
  std::lock_guard lock(mu_);
  return postmaster_;
}

namespace {

std::string AsText(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

}  // namespace

size_t EventLink::CountEvents(const std::string& type,
                              const std::vector<std::pair<std::string, std::string>>& fields) const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const json& ev : events_) {
    if (ev.value("type", "") != type) continue;
    bool all = true;
    for (const auto& [k, v] : fields) {
      auto it = ev.find(k);
      if (it == ev.end() || AsText(*it) != v) {
        all = false;
        break;
      }
    }
    if (all) ++n;
  }
  return n;
}

/* Keeps the view current; called with mu_ held. */
void EventLink::Take(const json& ev) {
  const std::string type = ev.value("type", "");
  int64_t pid = ev.value("pid", int64_t{0});
  if (type == "postmaster_start") {
    postmaster_ = static_cast<pid_t>(pid);
    backends_.clear();
  } else if (type == "process") {  // the snapshot a late subscriber gets
    std::string role = ev.value("role", "");
    if (role == "postmaster") postmaster_ = static_cast<pid_t>(ev.value("proc", int64_t{0}));
    if (role == "backend") backends_[ev.value("proc", int64_t{0})] = ev.value("state", "");
  } else if (type == "fork" && ev.value("role", "") == "backend") {
    backends_[ev.value("child", int64_t{0})] = "starting";
  } else if (type == "state") {
    auto it = backends_.find(pid);
    if (it != backends_.end()) it->second = ev.value("state", "");
  } else if (type == "child_exit") {
    backends_.erase(ev.value("child", int64_t{0}));
  } else if (type == "postmaster_exit") {
    backends_.clear();
  } else if (type == "sync" && pid == getpid()) {
    sync_seen_ = std::max(sync_seen_, ev.value("token", int64_t{0}));
  }
  if (type != "sync" && type != "hello" && type != "process") events_.push_back(ev);
}

void EventLink::ReadLoop() {
  std::string buf;
  char chunk[16384];
  while (!stop_) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) break;  // the collector is gone (the server stopped)
    buf.append(chunk, static_cast<size_t>(n));
    size_t start = 0;
    std::lock_guard lock(mu_);
    for (size_t nl; (nl = buf.find('\n', start)) != std::string::npos; start = nl + 1) {
      json ev = trace::ParseEventJson<json>(buf.begin() + static_cast<std::ptrdiff_t>(start),
                                            buf.begin() + static_cast<std::ptrdiff_t>(nl));
      if (ev.is_object()) Take(ev);
    }
    buf.erase(0, start);
    changed_.notify_all();
  }
  std::lock_guard lock(mu_);
  reading_ = false;
  changed_.notify_all();
}

}  // namespace minipg::sim
