/*-------------------------------------------------------------------------
 * emitter.cpp
 *   Formatting events as JSON and sending them to the collector.
 *
 * NOTES
 *   A process the postmaster gave an event ring (event_ring.h: every
 *   process it forks, and itself) copies each event into that ring in
 *   shared memory: no system call. Any other process (a dead-end child
 *   when every ring is taken, a test) writes one line per event with a
 *   single non-blocking write() to the event pipe the postmaster created
 *   before forking. POSIX makes a write of at most PIPE_BUF bytes atomic:
 *   two processes' lines never interleave, and a full pipe refuses the
 *   whole line (EAGAIN) rather than part of it. Both take events of up to
 *   PIPE_BUF bytes: a long string field is cut to kMaxEventString bytes,
 *   and an event still longer is sent without its fields, marked
 *   "truncated". (A Unix datagram socket would be the other choice to the
 *   pipe, but Linux queues only net.unix.max_dgram_qlen, often 10,
 *   datagrams per socket: far too few for a burst.)
 *-------------------------------------------------------------------------
 */
#include "engine/trace/emitter.h"

#include <fmt/format.h>
#include <limits.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <vector>

#include "engine/common/utf8.h"
#include "engine/trace/event_ring.h"

namespace minipg::trace {
namespace {

struct EmitterState {
  int fd = -1;
  EventRings* rings = nullptr;  // with ring >= 0: events go there, not to fd
  int ring = -1;
  int64_t pid = 0;
  int64_t dropped = 0;  // events lost since the last "dropped" event got through
  bool query_text = true;  // event_query_text
  bool on = true;          // trace_events
};

EmitterState g_emitter;

/* Puts one event into this process's ring, or writes it as one line
 * atomically to the pipe; false if the ring or the pipe is full (or gone). */
bool WriteLine(std::string& text) {
  if (g_emitter.ring >= 0) return RingAppend(g_emitter.rings, g_emitter.ring, text);
  text.push_back('\n');
  for (;;) {
    ssize_t n = write(g_emitter.fd, text.data(), text.size());
    if (n >= 0) return true;
    if (errno == EINTR) continue;
    return false;  // EAGAIN (full), or EPIPE (no collector)
  }
}

/* Length of the valid UTF-8 sequence starting at s[i], or 0 if invalid.
 * Strict, as RFC 3629 and JSON parsers are: no overlong forms, no
 * surrogates, nothing above U+10FFFF. */
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  unsigned char c = byte(0);
  if (c < 0x80) return 1;
  size_t len = 0;
  unsigned char lo = 0x80, hi = 0xbf;  // allowed range of the second byte
  if (c >= 0xc2 && c <= 0xdf) {
    len = 2;
  } else if (c >= 0xe0 && c <= 0xef) {
    len = 3;
    if (c == 0xe0) lo = 0xa0;  // no overlong forms
    if (c == 0xed) hi = 0x9f;  // no surrogates
  } else if (c >= 0xf0 && c <= 0xf4) {
    len = 4;
    if (c == 0xf0) lo = 0x90;  // no overlong forms
    if (c == 0xf4) hi = 0x8f;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  if (byte(1) < lo || byte(1) > hi) return 0;
  for (size_t k = 2; k < len; ++k) {
    if ((byte(k) & 0xc0) != 0x80) return 0;
  }
  return len;
}

}  // namespace

int64_t NowMicros() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

int64_t WallMicros() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

void InitEmitter(int fd) {
  g_emitter.fd = fd;
  g_emitter.pid = getpid();
  g_emitter.dropped = 0;
}

void ReinitEmitterAfterFork() {
  g_emitter.pid = getpid();
  g_emitter.dropped = 0;
}

int EmitterFd() { return g_emitter.fd; }

void SetEventRing(EventRings* rings, int index) {
  g_emitter.rings = rings;
  g_emitter.ring = rings != nullptr ? index : -1;
}

void SetEventsOn(bool on) { g_emitter.on = on; }
bool EventsOn() { return g_emitter.on; }

void SetQueryTextInEvents(bool on) { g_emitter.query_text = on; }
bool QueryTextInEvents() { return g_emitter.query_text; }

namespace {

/* Appends `v` in decimal. */
void AppendInt(std::string& out, int64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

/* Bodies of events being built are kept for the next (a process builds one
 * or two at a time): an event costs no allocation. */
thread_local std::vector<std::string> t_spare_bodies;
constexpr size_t kSpareBodies = 4;
constexpr size_t kMaxSpareBody = 4096;

}  // namespace

void AppendJsonString(std::string& out, std::string_view s) {
  out.push_back('"');
  for (size_t i = 0; i < s.size();) {
    // Runs of printable ASCII that need no escape go in whole.
    size_t run = i;
    while (run < s.size()) {
      auto c = static_cast<unsigned char>(s[run]);
      if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') break;
      ++run;
    }
    out.append(s.data() + i, run - i);
    i = run;
    if (i == s.size()) break;
    auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out += "\\\""; ++i; continue;
      case '\\': out += "\\\\"; ++i; continue;
      case '\n': out += "\\n"; ++i; continue;
      case '\r': out += "\\r"; ++i; continue;
      case '\t': out += "\\t"; ++i; continue;
      default: break;
    }
    if (c < 0x20) {
      out += fmt::format("\\u{:04x}", c);
      ++i;
      continue;
    }
    size_t len = Utf8SequenceLength(s, i);
    if (len == 0) {
      out += "\\ufffd";  // not UTF-8: the stream stays valid JSON
      ++i;
      continue;
    }
    out.append(s.substr(i, len));
    i += len;
  }
  out.push_back('"');
}

JsonObjects& JsonObjects::Begin() {
  text_ += text_.empty() ? "[{" : "},{";
  fields_ = false;
  return *this;
}

void JsonObjects::Key(std::string_view key) {
  if (fields_) text_.push_back(',');
  fields_ = true;
  AppendJsonString(text_, key);
  text_.push_back(':');
}

JsonObjects& JsonObjects::Int(std::string_view key, int64_t value) {
  Key(key);
  AppendInt(text_, value);
  return *this;
}

JsonObjects& JsonObjects::Str(std::string_view key, std::string_view value) {
  Key(key);
  AppendJsonString(text_, value);
  return *this;
}

std::string JsonObjects::Text() const { return text_.empty() ? "[]" : text_ + "}]"; }

Event::Event(EventType type)
    : on_(g_emitter.on), type_(type), ts_(g_emitter.on ? NowMicros() : 0), pid_(g_emitter.pid) {
  if (!on_) return;
  if (!t_spare_bodies.empty()) {
    body_ = std::move(t_spare_bodies.back());
    t_spare_bodies.pop_back();
    body_.clear();
  } else {
    body_.reserve(240);  // most events' fields fit: one allocation
  }
}

Event::~Event() {
  if (body_.capacity() > 15 && body_.capacity() <= kMaxSpareBody && t_spare_bodies.size() < kSpareBodies) {
    t_spare_bodies.push_back(std::move(body_));
  }
}

void Event::Key(std::string_view key) {
  body_.push_back(',');
  AppendJsonString(body_, key);
  body_.push_back(':');
}

Event& Event::Int(std::string_view key, int64_t value) {
  if (!on_) return *this;
  Key(key);
  AppendInt(body_, value);
  return *this;
}

Event& Event::Str(std::string_view key, std::string_view value) {
  if (!on_) return *this;
  Key(key);
  if (value.size() > kMaxEventString) {
    // Cut at a character boundary, then mark the cut.
    AppendJsonString(body_, std::string(Utf8Prefix(value, kMaxEventString)) + "...");
  } else {
    AppendJsonString(body_, value);
  }
  return *this;
}

Event& Event::QueryText(std::string_view key, std::string_view value) {
  return g_emitter.query_text ? Str(key, value) : *this;
}

Event& Event::Bool(std::string_view key, bool value) {
  if (!on_) return *this;
  Key(key);
  body_ += value ? "true" : "false";
  return *this;
}

Event& Event::Double(std::string_view key, double value) {
  if (!on_) return *this;
  Key(key);
  body_ += fmt::format("{}", value);
  return *this;
}

Event& Event::Raw(std::string_view key, std::string_view json) {
  if (!on_) return *this;
  Key(key);
  body_.append(json);
  return *this;
}

Event& Event::Pid(int64_t pid) {
  pid_ = pid;
  return *this;
}

Event& Event::Ts(int64_t ts) {
  ts_ = ts;
  return *this;
}

void Event::AppendJson(std::string& out) const {
  out += "{\"type\":\"";
  out += EventTypeName(type_);
  out += "\",\"ts\":";
  AppendInt(out, ts_);
  out += ",\"pid\":";
  AppendInt(out, pid_);
  out += body_;
  out.push_back('}');
}

std::string Event::Json() const {
  std::string out;
  out.reserve(body_.size() + 64);
  AppendJson(out);
  return out;
}

void Event::Emit() {
  if (!on_ || (g_emitter.fd < 0 && g_emitter.ring < 0)) return;
  static std::string line;  // reused: an event costs no allocation here
  if (g_emitter.dropped > 0) {
    line.clear();
    Event(EventType::kDropped).Int("count", g_emitter.dropped).AppendJson(line);
    if (!WriteLine(line)) {
      ++g_emitter.dropped;
      return;
    }
    g_emitter.dropped = 0;
  }
  line.clear();
  AppendJson(line);
  if (line.size() >= PIPE_BUF) {
    line = fmt::format("{{\"type\":\"{}\",\"ts\":{},\"pid\":{},\"truncated\":true}}", EventTypeName(type_), ts_, pid_);
  }
  if (!WriteLine(line)) ++g_emitter.dropped;
}

}  // namespace minipg::trace
