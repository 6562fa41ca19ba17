/*-------------------------------------------------------------------------
 * source.h
 *   Where event lines come from. One interface for live and recorded input
 *   (as Tracy's Worker takes either a socket or a file): a FileSource reads
 *   a saved trace, a TcpSource reads the server's live event port. The UI
 *   calls Poll() once per frame and feeds the lines to the Model.
 *
 * NOTES
 *   TcpSource reads on its own thread into a mutex-protected queue; Poll()
 *   only takes lines out of that queue, so ingest never stalls drawing and
 *   a slow frame never makes the server drop us (it disconnects a
 *   subscriber that does not keep up). The queue is bounded
 *   (kMaxQueuedLines); lines beyond it are counted in dropped_lines().
 *   A line longer than kMaxLineBytes is discarded up to its newline and
 *   counted in oversized_lines(), never buffered whole.
 *   With `reconnect`, a server not yet listening (starting) or one that
 *   closed the stream (a shutdown, a restart) is tried again every
 *   kReconnectIntervalMs until it is there; the state is kConnecting
 *   meanwhile (error() says why) and each new stream starts with its own
 *   hello. Without it, a failed connection is a failure.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "viz/model/event.h"

namespace minipg::viz {

/* A line of the stream and, when `parsed`, what ParseEvent() made of it
 * (blank lines parse to nothing). */
struct SourceLine {
  std::string text;
  bool parsed = false;
  ParseResult result;
};

/* What ParseEvent() makes of `line.text`, computed here unless a source's
 * reader thread did it already. */
ParseResult TakeParse(SourceLine& line);

enum class SourceState {
  kConnecting,  // TCP connect in progress
  kStreaming,   // lines may still arrive (connected / file not yet drained)
  kEnded,       // peer closed or file fully delivered: no more lines
  kFailed,      // could not open / connect, or a read error; see error()
};

std::string_view SourceStateName(SourceState state);

class EventSource {
 public:
  virtual ~EventSource() = default;
  /* Appends at most `max` complete lines (without '\n') to `out`; returns how many. */
  virtual size_t Poll(std::vector<std::string>& out, size_t max) = 0;
  /* The same, each line with its parse when the source made it ahead. */
  virtual size_t PollLines(std::vector<SourceLine>& out, size_t max);
  virtual SourceState state() const = 0;
  /* "file trace.jsonl" or "tcp 127.0.0.1:5433". */
  virtual std::string Describe() const = 0;
  /* What went wrong, when state() is kFailed (or a note on how it ended). */
  virtual std::string error() const = 0;
  /* Lines lost inside the source (queue overflow, oversized lines). */
  virtual uint64_t dropped_lines() const { return 0; }
  /* True for a live stream (it never "finishes"), false for a recording. */
  virtual bool live() const = 0;
};

/* A whole saved trace, read at construction and handed out by Poll(). */
class FileSource : public EventSource {
 public:
  explicit FileSource(std::string path);
  size_t Poll(std::vector<std::string>& out, size_t max) override;
  SourceState state() const override;
  std::string Describe() const override;
  std::string error() const override { return error_; }
  bool live() const override { return false; }

 private:
  std::string path_;
  std::vector<std::string> lines_;
  size_t next_ = 0;
  std::string error_;
  bool failed_ = false;
};

/* The live stream of a server's event port, read on a background thread. */
class TcpSource : public EventSource {
 public:
  static constexpr size_t kMaxQueuedLines = 1 << 20;
  /* The reader thread parses each line it queues (JSON parsing is most of
   * what ingest costs, and this way it runs beside drawing) while fewer
   * than this many are waiting; past that, lines wait unparsed, as text. */
  static constexpr size_t kMaxParsedAhead = 1 << 16;

  static constexpr int kReconnectIntervalMs = 500;

  /* `wake`, if set, is called (on the reader thread) when a line arrives
   * while none were waiting: a window asleep until its next frame can wake. */
  TcpSource(std::string host, int port, bool reconnect = false, std::function<void()> wake = {});
  ~TcpSource() override;
  TcpSource(const TcpSource&) = delete;
  TcpSource& operator=(const TcpSource&) = delete;

  size_t Poll(std::vector<std::string>& out, size_t max) override;
  size_t PollLines(std::vector<SourceLine>& out, size_t max) override;
  SourceState state() const override;
  std::string Describe() const override;
  std::string error() const override;
  uint64_t dropped_lines() const override;
  bool live() const override { return true; }

 private:
  void Run();  // the reader thread
  /* Connects; -1 on failure (with *error set). */
  int Connect(std::string* error);
  /* Connects again and again until it works (the fd) or the source stops (-1). */
  int WaitForServer(const std::string& why);
  /* Reads lines until the peer closes (true) or a failure/stop (false). */
  bool Stream(int fd);
  void SetFailed(std::string message);
  void PushLine(std::string line);

  const std::string host_;
  const int port_;
  const bool reconnect_;
  const std::function<void()> wake_;
  std::atomic<bool> stop_{false};
  std::atomic<int> fd_{-1};

  mutable std::mutex mu_;  // guards everything below
  std::deque<SourceLine> queue_;
  SourceState state_ = SourceState::kConnecting;
  std::string error_;
  uint64_t dropped_lines_ = 0;

  std::thread thread_;  // last: started after everything above exists
};

/*
 * Splits "HOST:PORT" ("127.0.0.1:5433", "localhost:5433", "[::1]:5433").
 * Returns an empty string on success, else what is wrong.
 */
std::string ParseHostPort(std::string_view text, std::string* host, int* port);

}  // namespace minipg::viz
