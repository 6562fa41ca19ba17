/*-------------------------------------------------------------------------
 * collector.cpp
 *   The event collector's loop: receive, reorder, record, serve.
 *
 * NOTES
 *   Signals: SIGTERM sets a flag; the loop drains and exits. The collector
 *   never blocks on a subscriber: their sockets are non-blocking and each
 *   has a bounded backlog.
 *-------------------------------------------------------------------------
 */
#include "engine/trace/collector.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <map>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/common/postmaster_death.h"
#include "engine/trace/emitter.h"
#include "engine/trace/event_json.h"
#include "engine/trace/event_merge.h"
#include "engine/trace/event_ring.h"
#include "engine/trace/event_schema.h"

namespace minipg::trace {
namespace {

volatile sig_atomic_t g_collector_stop = 0;

void HandleCollectorStop(int) { g_collector_stop = 1; }

struct Subscriber {
  int fd;
  std::string backlog;
  std::string partial;  // bytes it sent of a line not yet complete
  int64_t runner_pid = 0;  // it sent a scenario_start (from this pid) and no scenario_end yet
};

/* How often an awake collector drains the rings while it holds events
 * (writers wake a sleeping one; see event_ring.h). */
constexpr int kRingDrainMs = 5;

/* How far a client's event may be stamped from the collector's clock. */
constexpr int64_t kMaxClientClockSkewMicros = 60'000'000;
/* The longest line a subscriber may send. */
constexpr size_t kMaxClientLine = 64u << 10;

/* What the collector knows of one live process, for late subscribers. */
struct ProcessInfo {
  int64_t pid = 0;
  int64_t parent = 0;
  int64_t started = 0;
  std::string role, client, user, database, application_name, state, query;
  int64_t query_ts = 0;         // when that query_start came
  std::string lock, lock_mode;  // the lock it waits for (lock_wait .. lock_acquired)
  // The postmaster's own: what a late subscriber would have read in postmaster_start.
  int64_t port = 0, max_connections = 0;
  std::string data_directory;
  nlohmann::json listen = nlohmann::json::array();  // its listen events' sockets
};

class Collector {
 public:
  explicit Collector(const CollectorConfig& config) : config_(config) {}

  int Run();

 private:
  void ReceiveAll();
  void DrainRings();
  /* How long the next poll() may sleep: while it holds events, until the
   * next ring drain; otherwise until woken (sleeping set on the rings). */
  int PollTimeoutMs();
  /* Queues a line of `source` (a ring's index, or a pid's source). */
  void TakeLine(EventMerger::SourceId source, std::string_view line);
  /* Queues a line from a process or client that has no ring. */
  void TakeLineOfPid(int64_t pid, std::string_view line);
  void FlushOlderThan(int64_t cutoff);
  /* One line whose time has come: restamped if late, tracked, published. */
  void SendOn(int64_t ts, std::string& line);
  void Publish(const std::string& line);
  /* Keeps what a late subscriber must be told, from one event `line`. */
  void Track(EventType type, const std::string& line);
  void AcceptSubscribers();
  void ReadSubscriber(Subscriber& s);
  void TakeClientLine(Subscriber& s, std::string line);
  /* Closes a subscriber's connection; a lesson it was playing ends with it. */
  void Drop(Subscriber& s);
  void WriteSubscribers();
  std::string HelloLine() const;

  CollectorConfig config_;
  FILE* trace_ = nullptr;
  std::string partial_;  // bytes of a line not yet complete
  // Lines held for the reorder window, by source (event_merge.h).
  EventMerger merger_;
  int64_t last_sent_ts_ = 0;  // the newest "ts" sent on (a later event is restamped to it)
  std::map<uint64_t, ProcessInfo> processes_;  // by order of appearance
  std::map<int64_t, uint64_t> order_of_pid_;
  uint64_t next_order_ = 0;
  std::vector<Subscriber> subscribers_;
  // The lesson being played (minipg-sim's scenario_start and last caption),
  // so a viewer that connects mid-lesson sees what it is about.
  std::string scenario_line_, caption_line_;
  // The last shmem_layout (the segment as created), so a viewer that
  // connects later can draw the buffer pool before any buffer is used.
  std::string shmem_line_;
};

std::string Collector::HelloLine() const {
  return Event(EventType::kHello)
             .Int("version", kEventSchemaVersion)
             .Str("server", "minipg")
             .Str("server_version", config_.server_version)
             .Int("wall_us", WallMicros())
             .Bool("trace_events", config_.trace_events)
             .Json() +
         "\n";
}

void Collector::TakeLine(EventMerger::SourceId source, std::string_view line) { merger_.Add(source, line); }

void Collector::TakeLineOfPid(int64_t pid, std::string_view line) {
  TakeLine(EventMerger::kTransientSource + static_cast<uint64_t>(pid), line);
}

void Collector::ReceiveAll() {
  char buf[65536];
  for (;;) {
    ssize_t n = read(config_.event_fd, buf, sizeof buf);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      return;  // EAGAIN: nothing more queued
    }
    partial_.append(buf, static_cast<size_t>(n));
    size_t start = 0;
    for (size_t nl; (nl = partial_.find('\n', start)) != std::string::npos; start = nl + 1) {
      if (nl > start) {
        std::string_view line = std::string_view(partial_).substr(start, nl - start);
        TakeLineOfPid(FlatEvent(line).value("pid", int64_t{0}), line);
      }
    }
    partial_.erase(0, start);
  }
}

void Collector::DrainRings() {
  if (config_.rings == nullptr) return;
  for (uint32_t i = 0; i < config_.rings->num_rings; ++i) {
    RingDrain(config_.rings, static_cast<int>(i), [this, i](std::string_view text) { TakeLine(i, text); });
  }
}

int Collector::PollTimeoutMs() {
  if (!merger_.empty()) return config_.rings != nullptr ? kRingDrainMs : 10;
  if (config_.rings == nullptr) return 500;
  return RingPrepareToSleep(config_.rings, [this](int ring, std::string_view text) { TakeLine(ring, text); }) > 0
             ? 0
             : kIdleWakeMs;
}

void Collector::Track(EventType type, const std::string& line) {
  FlatEvent ev(line);
  int64_t pid = ev.value("pid", int64_t{0});
  auto find = [&](int64_t p) -> ProcessInfo* {
    auto it = order_of_pid_.find(p);
    return it == order_of_pid_.end() ? nullptr : &processes_[it->second];
  };
  auto add = [&](int64_t p) -> ProcessInfo& {
    if (auto* existing = find(p)) return *existing;
    order_of_pid_[p] = next_order_;
    ProcessInfo& info = processes_[next_order_++];
    info.pid = p;
    return info;
  };
  auto remove = [&](int64_t p) {
    auto it = order_of_pid_.find(p);
    if (it == order_of_pid_.end()) return;
    processes_.erase(it->second);
    order_of_pid_.erase(it);
  };
  switch (type) {
    case EventType::kPostmasterStart: {
      ProcessInfo& p = add(pid);
      p.role = "postmaster";
      p.started = ev.value("ts", int64_t{0});
      p.port = ev.value("port", int64_t{0});
      p.max_connections = ev.value("max_connections", int64_t{0});
      p.data_directory = ev.value("data_directory", "");
      break;
    }
    case EventType::kFork: {
      ProcessInfo& p = add(ev.value("child", int64_t{0}));
      p.parent = pid;
      p.role = ev.value("role", "");
      p.client = ev.value("client", "");
      p.started = ev.value("ts", int64_t{0});
      break;
    }
    case EventType::kListen:
      if (auto* p = find(pid); p != nullptr && p->listen.size() < 16) {
        p->listen.push_back({{"transport", ev.value("transport", "")},
                             {"address", ev.value("address", "")},
                             {"port", ev.value("port", int64_t{0})}});
      }
      break;
    case EventType::kStartup:
      if (auto* p = find(pid)) {
        p->user = ev.value("user", "");
        p->database = ev.value("database", "");
        p->application_name = ev.value("application_name", "");
      }
      break;
    case EventType::kState:
      if (auto* p = find(pid)) p->state = ev.value("state", "");
      break;
    case EventType::kQueryStart:
      if (auto* p = find(pid)) {
        p->query = ev.value("text", "");
        p->query_ts = ev.value("ts", int64_t{0});
      }
      break;
    case EventType::kLockWait:
      if (auto* p = find(pid)) {
        p->lock = ev.value("lock", "");
        p->lock_mode = ev.value("mode", "");
      }
      break;
    case EventType::kLockAcquired:
      if (auto* p = find(pid)) p->lock.clear();
      break;
    case EventType::kChildExit:
      remove(ev.value("child", int64_t{0}));
      break;
    case EventType::kPostmasterExit:
      remove(pid);
      break;
    case EventType::kScenarioStart:
      scenario_line_ = line;
      caption_line_.clear();
      break;
    case EventType::kCaption:
      caption_line_ = line;
      break;
    case EventType::kScenarioEnd:
      scenario_line_.clear();
      caption_line_.clear();
      break;
    case EventType::kShmemLayout:
      shmem_line_ = line;
      break;
    default:
      break;
  }
}

void Collector::Publish(const std::string& line) {
  if (trace_) {
    std::fwrite(line.data(), 1, line.size(), trace_);
  }
  for (auto& s : subscribers_) {
    if (s.fd < 0) continue;
    if (s.backlog.size() + line.size() > kMaxSubscriberBacklog) {
      Drop(s);  // too slow: cut it off rather than wait for it
      continue;
    }
    s.backlog += line;
  }
}

/* The type of a line as the emitter writes it ({"type":"name",...}), or
 * nullopt if it does not begin that way. Parsing every line was most of the
 * collector's work under load; only the types Track() reads need it. */
std::optional<EventType> LineType(std::string_view line) {
  constexpr std::string_view kPrefix = "{\"type\":\"";
  if (!line.starts_with(kPrefix) || !line.ends_with('}')) return std::nullopt;
  size_t end = line.find('"', kPrefix.size());
  if (end == std::string_view::npos) return std::nullopt;
  return EventTypeFromName(line.substr(kPrefix.size(), end - kPrefix.size()));
}

/* Replaces the value of a line's "ts" with `ts`. */
void RestampLine(std::string& line, int64_t ts) {
  size_t begin = TimestampOffset(line);
  if (begin == std::string::npos) return;
  size_t end = line.find_first_not_of("-0123456789", begin);
  if (end == std::string::npos) end = line.size();
  line.replace(begin, end - begin, std::to_string(ts));
}

void Collector::SendOn(int64_t ts, std::string& line) {
  if (ts < last_sent_ts_) {
    RestampLine(line, last_sent_ts_);  // came too late to be put in its place
  } else {
    last_sent_ts_ = ts;
  }
  // Every line here was made by our emitter or checked as a client's
  // (TakeClientLine); a line of another shape is parsed to be sure.
  auto type = LineType(line);
  if (!type) {
    auto ev = ParseEventJson<nlohmann::json>(line);
    if (!ev.is_object()) return;  // never forward junk
    type = EventTypeFromName(ev.value("type", ""));
  }
  if (type) Track(*type, line);  // reads the line only for the types it keeps
  line.push_back('\n');
  Publish(line);
}

void Collector::FlushOlderThan(int64_t cutoff) {
  merger_.TakeOlderThan(cutoff, [this](int64_t ts, std::string& line) { SendOn(ts, line); });
  if (trace_) std::fflush(trace_);
}

void Collector::AcceptSubscribers() {
  for (;;) {
    int fd = accept4(config_.listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    Subscriber s{fd, HelloLine(), {}};
    for (const auto& [order, p] : processes_) {
      Event e(EventType::kProcess);
      e.Pid(p.pid).Ts(p.started).Int("proc", p.pid).Int("parent", p.parent).Str("role", p.role)
          .Int("started", p.started);
      if (!p.client.empty()) e.Str("client", p.client);
      if (!p.user.empty()) e.Str("user", p.user);
      if (!p.database.empty()) e.Str("database", p.database);
      if (!p.application_name.empty()) e.Str("application_name", p.application_name);
      if (!p.state.empty()) e.Str("state", p.state);
      if (!p.query.empty()) e.Str("query", p.query).Int("query_ts", p.query_ts);
      if (!p.lock.empty()) e.Str("lock", p.lock).Str("lock_mode", p.lock_mode);
      if (p.port > 0) e.Int("port", p.port).Int("max_connections", p.max_connections);
      if (!p.data_directory.empty()) e.Str("data_directory", p.data_directory);
      if (!p.listen.empty()) e.Raw("listen", p.listen.dump());
      s.backlog += e.Json() + "\n";
    }
    // After the snapshot, the timed lines a late viewer needs, oldest first
    // (the stream after them must not go back in time).
    std::vector<const std::string*> kept;
    for (const std::string* line : {&shmem_line_, &scenario_line_, &caption_line_}) {
      if (!line->empty()) kept.push_back(line);
    }
    auto ts_of = [](const std::string* line) {
      auto j = nlohmann::json::parse(*line, nullptr, /*allow_exceptions=*/false);
      return j.is_object() ? j.value("ts", int64_t{0}) : int64_t{0};
    };
    std::stable_sort(kept.begin(), kept.end(),
                     [&](const std::string* a, const std::string* b) { return ts_of(a) < ts_of(b); });
    for (const std::string* line : kept) s.backlog += *line + "\n";
    subscribers_.push_back(std::move(s));
  }
}

/* Reads what a subscriber sent: lines of client-side events (minipg-sim's),
 * which join the stream like the server's own. */
void Collector::ReadSubscriber(Subscriber& s) {
  char buf[8192];
  for (;;) {
    ssize_t n = recv(s.fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    if (n <= 0) {
      Drop(s);
      return;
    }
    s.partial.append(buf, static_cast<size_t>(n));
    size_t start = 0;
    for (size_t nl; (nl = s.partial.find('\n', start)) != std::string::npos; start = nl + 1) {
      if (nl > start) TakeClientLine(s, s.partial.substr(start, nl - start));
    }
    s.partial.erase(0, start);
    if (s.partial.size() > kMaxClientLine) {  // not a line of ours: cut it off
      Drop(s);
      return;
    }
  }
}

/* A client's event is taken only if it is one JSON object of a client-side
 * type with an integer pid and a ts near our clock; anything else is
 * dropped, so no one outside can forge the server's events. */
void Collector::TakeClientLine(Subscriber& s, std::string line) {
  auto ev = ParseEventJson<nlohmann::json>(line);
  if (!ev.is_object()) return;
  auto type = EventTypeFromName(ev.value("type", ""));
  if (!type || !IsClientSideEvent(*type)) return;
  auto ts = ev.find("ts");
  auto pid = ev.find("pid");
  if (ts == ev.end() || !ts->is_number_integer() || pid == ev.end() || !pid->is_number_integer()) {
    return;
  }
  int64_t skew = ts->get<int64_t>() - NowMicros();
  if (skew > kMaxClientClockSkewMicros || skew < -kMaxClientClockSkewMicros) return;
  if (*type == EventType::kScenarioStart) s.runner_pid = pid->get<int64_t>();
  if (*type == EventType::kScenarioEnd) s.runner_pid = 0;
  TakeLineOfPid(pid->get<int64_t>(), line);
}

/* A runner that goes away mid-lesson (killed, its machine gone) sends no
 * scenario_end: the collector ends the lesson for it, so that viewers do
 * not show its last caption as if it went on, and a viewer joining later
 * is not told a lesson is playing. */
void Collector::Drop(Subscriber& s) {
  if (s.fd >= 0) close(s.fd);
  s.fd = -1;
  if (s.runner_pid == 0) return;
  TakeLineOfPid(s.runner_pid, Event(EventType::kScenarioEnd)
                                  .Pid(s.runner_pid)
                                  .Bool("passed", false)
                                  .Int("failures", 0)
                                  .Bool("stopped", true)
                                  .Json());
  s.runner_pid = 0;
}

void Collector::WriteSubscribers() {
  for (auto& s : subscribers_) {
    while (s.fd >= 0 && !s.backlog.empty()) {
      ssize_t n = send(s.fd, s.backlog.data(), s.backlog.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n > 0) {
        s.backlog.erase(0, static_cast<size_t>(n));
      } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        break;
      } else {
        Drop(s);
      }
    }
  }
  std::erase_if(subscribers_, [](const Subscriber& s) { return s.fd < 0; });
}

int Collector::Run() {
  if (!config_.trace_file.empty()) {
    // Owner only, as PostgreSQL's log files (log_file_mode 0600): the
    // trace holds every session's query text.
    int fd = open(config_.trace_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    trace_ = fd >= 0 ? fdopen(fd, "a") : nullptr;
    if (trace_) {
      std::string hello = HelloLine();
      std::fwrite(hello.data(), 1, hello.size(), trace_);
    } else {
      std::fprintf(stderr, "minipg: collector: could not open trace file \"%s\": %m\n",
                   config_.trace_file.c_str());
    }
  }
  while (!g_collector_stop) {
    std::vector<pollfd> fds;
    fds.push_back({config_.event_fd, POLLIN, 0});
    fds.push_back({PostmasterDeathFd(), POLLIN, 0});  // POLLHUP once the postmaster is gone
    if (config_.rings != nullptr) fds.push_back({config_.rings->wake_fd, POLLIN, 0});
    if (config_.listen_fd >= 0) fds.push_back({config_.listen_fd, POLLIN, 0});
    size_t first_sub = fds.size();
    for (const auto& s : subscribers_) {
      fds.push_back({s.fd, static_cast<short>(POLLIN | (s.backlog.empty() ? 0 : POLLOUT)), 0});
    }
    int rc = poll(fds.data(), fds.size(), PollTimeoutMs());
    if (rc < 0 && errno != EINTR) break;
    if (config_.rings != nullptr) RingAwake(config_.rings);
    ReceiveAll();
    DrainRings();
    if (config_.listen_fd >= 0) AcceptSubscribers();
    // A subscriber that sent us something (client-side events) or hung up.
    for (size_t i = first_sub; i < fds.size() && i - first_sub < subscribers_.size(); ++i) {
      if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) ReadSubscriber(subscribers_[i - first_sub]);
    }
    FlushOlderThan(NowMicros() - kReorderWindowMicros);
    WriteSubscribers();
    // The postmaster is gone (its death pipe lost its writer): the other
    // children are exiting too, so send what we have and go.
    if (fds[1].revents != 0) {
      g_postmaster_possibly_dead = 1;
      if (!PostmasterIsAlive()) break;
    }
  }
  // Drain: everything still queued goes out, in order.
  ReceiveAll();
  DrainRings();
  FlushOlderThan(INT64_MAX);
  for (auto& s : subscribers_) {
    if (s.fd < 0) continue;
    int flags = fcntl(s.fd, F_GETFL);
    fcntl(s.fd, F_SETFL, flags & ~O_NONBLOCK);
    timeval tv{1, 0};  // a stuck viewer gets at most a second
    setsockopt(s.fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  }
  WriteSubscribers();
  for (auto& s : subscribers_) {
    if (s.fd >= 0) close(s.fd);
  }
  if (trace_) std::fclose(trace_);
  return 0;
}

}  // namespace

int RunCollector(const CollectorConfig& config) {
  // Its own lines (the hello, the process snapshots) are made as events,
  // whatever trace_events says of the other processes' (the hello tells).
  SetEventsOn(true);
  struct sigaction sa {};
  sa.sa_handler = HandleCollectorStop;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  // Only the postmaster's SIGTERM stops the collector, so it outlives every
  // other process and records their last events. A Ctrl-C in the terminal
  // (SIGINT to the whole process group) or SIGQUIT must not end it first.
  signal(SIGINT, SIG_IGN);
  signal(SIGQUIT, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);  // the postmaster forked us with signals blocked
  // A collector before us may have died asleep: clear its wake flags.
  if (config.rings != nullptr) RingAwake(config.rings);
  // The loop drains both until EAGAIN: they must never block.
  for (int fd : {config.event_fd, config.listen_fd}) {
    if (fd >= 0) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  }
  Collector c(config);
  return c.Run();
}

}  // namespace minipg::trace
