/*-------------------------------------------------------------------------
 * trace_store.cpp
 *   The spill file behind playback and "save trace" (see trace_store.h).
 *-------------------------------------------------------------------------
 */
#include "viz/model/trace_store.h"

#include "viz/model/event.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

namespace minipg::viz {
namespace {

constexpr size_t kFlushBytes = 64 * 1024;
constexpr size_t kReadChunk = 64 * 1024;

bool WriteAll(int fd, const char* data, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, data, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

}  // namespace

TraceStore::TraceStore() {
  const char* dir = std::getenv("TMPDIR");
  std::string path = fmt::format("{}/minipg-viz-trace-XXXXXX", dir != nullptr && *dir != '\0' ? dir : "/tmp");
  fd_ = ::mkostemp(path.data(), O_CLOEXEC);
  if (fd_ < 0) {
    error_ = fmt::format("cannot create the trace file {}: {}", path, std::strerror(errno));
    return;
  }
  ::unlink(path.c_str());  // gone with the process, however it ends
}

TraceStore::~TraceStore() {
  if (fd_ >= 0) ::close(fd_);
}

void TraceStore::Append(std::string_view line, int64_t ts) {
  if (fd_ < 0) return;
  if (lines_ % kBlockLines == 0) {
    blocks_.push_back({file_bytes_ + pending_.size(), blocks_.empty() ? -1 : blocks_.back().max_ts});
  }
  Block& b = blocks_.back();
  b.max_ts = std::max(b.max_ts, ts);
  pending_.append(line);
  pending_.push_back('\n');
  ++lines_;
  if (pending_.size() >= kFlushBytes) Flush();
}

bool TraceStore::Flush() {
  if (fd_ < 0) return false;
  if (pending_.empty()) return true;
  if (!WriteAll(fd_, pending_.data(), pending_.size())) {
    error_ = fmt::format("cannot write the trace file: {}", std::strerror(errno));
    ::close(fd_);
    fd_ = -1;
    return false;
  }
  file_bytes_ += pending_.size();
  pending_.clear();
  return true;
}

bool TraceStore::Read(size_t from, size_t to,
                      const std::function<void(size_t, std::string_view)>& fn) {
  to = std::min(to, lines_);
  if (from >= to) return true;
  if (!Flush()) return false;
  size_t index = from - from % kBlockLines;  // the line at `offset`
  uint64_t offset = blocks_[from / kBlockLines].offset;
  std::string buf;
  std::string carry;  // a line cut by the end of a chunk
  while (index < to && offset < file_bytes_) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(kReadChunk, file_bytes_ - offset));
    buf.resize(want);
    ssize_t got = ::pread(fd_, buf.data(), want, static_cast<off_t>(offset));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      error_ = fmt::format("cannot read the trace file: {}", got < 0 ? std::strerror(errno) : "short file");
      return false;
    }
    offset += static_cast<uint64_t>(got);
    std::string_view chunk(buf.data(), static_cast<size_t>(got));
    while (index < to) {
      size_t nl = chunk.find('\n');
      if (nl == std::string_view::npos) {
        carry.append(chunk);
        break;
      }
      if (index >= from) {
        if (carry.empty()) {
          fn(index, chunk.substr(0, nl));
        } else {
          carry.append(chunk.substr(0, nl));
          fn(index, carry);
        }
      }
      carry.clear();
      chunk.remove_prefix(nl + 1);
      ++index;
    }
  }
  return index >= to;
}

size_t TraceStore::LinesUpTo(int64_t ts) {
  // The answer lies in the first block holding a later line: the first
  // whose running maximum passes ts (a binary search, as it never falls).
  auto it = std::partition_point(blocks_.begin(), blocks_.end(),
                                 [ts](const Block& block) { return block.max_ts <= ts; });
  size_t b = static_cast<size_t>(it - blocks_.begin());
  if (b == blocks_.size()) return lines_;
  size_t answer = std::min(lines_, (b + 1) * kBlockLines);
  bool found = false;
  Read(b * kBlockLines, (b + 1) * kBlockLines, [&](size_t i, std::string_view line) {
    if (found) return;
    ParseResult r = ParseEvent(line);
    if (!r.event) return;
    int64_t v = r.event->ts;
    if (v > ts) {
      answer = i;
      found = true;
    }
  });
  return answer;
}

std::string TraceStore::SaveTo(const std::string& path) {
  if (fd_ < 0) return error_.empty() ? "no trace file" : error_;
  if (!Flush()) return error_;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return fmt::format("cannot write {}: {}", path, std::strerror(errno));
  std::string buf(kReadChunk, '\0');
  uint64_t offset = 0;
  while (offset < file_bytes_) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(kReadChunk, file_bytes_ - offset));
    ssize_t got = ::pread(fd_, buf.data(), want, static_cast<off_t>(offset));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return "cannot read the trace file";
    out.write(buf.data(), got);
    offset += static_cast<uint64_t>(got);
  }
  out.close();
  if (!out) return fmt::format("error writing {}", path);
  return "";
}

}  // namespace minipg::viz
