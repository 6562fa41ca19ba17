/*-------------------------------------------------------------------------
 * trace_store.h
 *   Everything the visualizer has received, line by line, in an unlinked
 *   temporary file: the record that playback reads back and that "save
 *   trace" copies out. Memory stays small however long a live session
 *   runs (a few bytes per block of lines); nothing is summarized or lost.
 *
 *     TraceStore store;                 // opens the spill file
 *     store.Append(line, ts);           // in arrival order
 *     store.Read(from, to, fn);         // lines [from, to), in order
 *     store.SaveTo("trace.jsonl");      // the whole record, a JSON Lines trace
 *
 * NOTES
 *   Lines are numbered from 0 in arrival order, blank lines included (they
 *   are part of what was received). Each block of kBlockLines lines
 *   remembers its file offset and the largest ts up to its end, so reading
 *   from line N or finding a moment costs one block, not the whole file.
 *   Writes are buffered; Read and SaveTo flush first. The file lives in
 *   $TMPDIR (or /tmp) and is removed from the directory at once, so it
 *   disappears with the process whatever way it ends.
 *   Not thread-safe: the UI thread owns it.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace minipg::viz {

class TraceStore {
 public:
  static constexpr size_t kBlockLines = 256;

  TraceStore();
  ~TraceStore();
  TraceStore(const TraceStore&) = delete;
  TraceStore& operator=(const TraceStore&) = delete;

  /* "" when the spill file works, else what went wrong (nothing is stored then). */
  const std::string& error() const { return error_; }

  /* Records one line (without its newline); `ts` is its timestamp, or a
   * negative value for a line without one (blank, malformed). */
  void Append(std::string_view line, int64_t ts);

  size_t size() const { return lines_; }
  uint64_t bytes() const { return file_bytes_ + pending_.size(); }

  /* Calls fn(index, line) for lines [from, min(to, size())), in order.
   * Returns false if the file could not be read. */
  bool Read(size_t from, size_t to, const std::function<void(size_t, std::string_view)>& fn);

  /* The index of the first line whose ts is after `ts` (size() if none):
   * the model after that many lines shows the moment `ts`. Lines without
   * a ts never stop the search. */
  size_t LinesUpTo(int64_t ts);

  /* Writes the whole record to `path` ("" on success, else the problem). */
  std::string SaveTo(const std::string& path);

 private:
  struct Block {
    uint64_t offset = 0;   // file offset of the block's first line
    int64_t max_ts = -1;   // largest ts of its lines and all before (-1: none has one)
  };
  bool Flush();

  int fd_ = -1;
  std::string error_;
  std::string pending_;       // written lines not yet in the file
  uint64_t file_bytes_ = 0;   // bytes in the file
  size_t lines_ = 0;
  std::vector<Block> blocks_;
};

}  // namespace minipg::viz
