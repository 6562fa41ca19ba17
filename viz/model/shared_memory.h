/*-------------------------------------------------------------------------
 * shared_memory.h
 *   The viewer's picture of the server's shared memory as the storage
 *   events (schema 6) describe it: the buffer pool buffer by buffer, the
 *   WAL's insert, flush and redo positions, the last checkpoint, and crash
 *   recovery's progress. Plain C++ fed by Model (model.cpp), read by the
 *   panels; no drawing here.
 *
 *   A buffer as the viewer sees it:
 *
 *     free --buffer_read [OnRead]--> clean (pinned by the reader)
 *     clean --buffer_dirty [OnDirty]--> dirty
 *     dirty --buffer_write [OnWrite]--> clean (written: a flash, by whom)
 *     clean / dirty --buffer_evict [OnEvict]--> (then read again for another page)
 *     any --shmem_layout (a new segment) [OnLayout]--> free
 *
 * NOTES
 *   Pins are not events of their own: a buffer is shown pinned by the
 *   process that read it last, until that process reads another page, or
 *   its statement ends (query_done, error), or it exits. That is how a scan
 *   holds its pins in PostgreSQL (one page at a time), and it is what a
 *   lesson needs to see; a process holding several pins at once shows the
 *   last one. The usage count comes from buffer_read's `usage` when the
 *   server sends it, else it is counted up to 5 by reads (the clock sweep's
 *   decrements are not in the stream).
 *   Memory is bounded however fast events come: the buffers are one small
 *   struct each, at most kMaxBuffers (the grid never grows past the largest
 *   buffer number seen or nbuffers); relation names are interned in a table
 *   of at most kMaxRelations; the recent WAL records are a ring of
 *   kMaxWalRecords. Nothing else grows per event, so copying it for a
 *   playback checkpoint costs the same after a minute as after an hour.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "viz/model/event.h"

namespace minipg::viz {

inline constexpr size_t kMaxBuffers = 1 << 18;        // 2 GB of 8 KiB buffers
inline constexpr size_t kMaxRelations = 4096;         // distinct relation files named
inline constexpr size_t kMaxWalRecords = 256;         // recent wal_insert records kept
inline constexpr int64_t kBufferIoShownUs = 400'000;  // a read or write "in progress" this long

/* What a buffer cell shows, strongest first. */
enum class BufferShown {
  kFree,     // holds no page
  kClean,    // a valid page, the same as on disk
  kDirty,    // changed since it was read or written
  kPinned,   // a process uses it now (clean or dirty underneath)
  kReading,  // just read from its file (a miss)
  kWriting,  // just written to its file (by a backend, bgwriter or checkpointer)
};

std::string_view BufferShownName(BufferShown s);

/* Which process did a buffer's last I/O. */
enum class BufferIo : uint8_t {
  kNone,
  kRead,   // a miss: the page was read in
  kWrite,  // the page was written out
};

/* One buffer, kept small (40 bytes): a playback checkpoint copies them all. */
struct BufferInfo {
  int64_t last_io_ts = 0;
  int64_t pinned_by = 0;    // pid of the process shown holding a pin (0: none)
  int64_t last_io_pid = 0;  // who read or wrote it
  int32_t rel = -1;         // index into SharedMemory::relations() (-1: free)
  uint32_t block = 0;
  uint32_t reads = 0;  // buffer_read events for it (hits and misses)
  uint8_t fork = 0;    // 0 main, 1 fsm, 2 vm (as ForkNumber)
  uint8_t usage = 0;   // usage count (0..5)
  bool dirty = false;
  BufferIo last_io = BufferIo::kNone;

  bool Valid() const { return rel >= 0; }
};
static_assert(sizeof(BufferInfo) <= 40,
              "a BufferInfo per buffer, copied at every playback checkpoint");

struct RelationName {
  std::string rel;      // "1663/5/16384"
  std::string relname;  // "items" when an event named it, else ""
};

/* One WAL record as wal_insert described it. */
struct WalRecordInfo {
  uint64_t lsn = 0;
  uint64_t end_lsn = 0;
  int64_t ts = 0;
  int64_t pid = 0;
  int64_t xid = 0;
  int64_t len = 0;
  bool fpi = false;
  std::string rmgr;    // "Heap", "Transaction", "XLOG"
  std::string record;  // "INSERT", "COMMIT", "CHECKPOINT_ONLINE"
};

struct WalState {
  bool known = false;       // any WAL position seen
  uint64_t insert_lsn = 0;  // the end of the newest record inserted
  uint64_t flush_lsn = 0;   // flushed (durable) up to here
  int64_t flush_ts = 0;
  int64_t flush_pid = 0;
  std::string flush_by;  // "backend", "walwriter", "checkpointer"
  bool flush_synced = true;
  uint64_t redo_lsn = 0;             // the last completed checkpoint's redo point (0: none seen)
  int64_t inserts = 0;               // wal_insert events
  int64_t flushes = 0;               // wal_flush events
  int64_t bytes = 0;                 // their lengths summed
  std::deque<WalRecordInfo> recent;  // the newest kMaxWalRecords
};

struct CheckpointInfo {
  bool running = false;
  int64_t pid = 0;
  int64_t start_ts = 0;
  int64_t end_ts = 0;
  std::string reason;
  uint64_t redo_lsn = 0;        // the redo point it is establishing / established
  int64_t buffers_written = 0;  // from checkpoint_done (or counted from buffer_write by it)
  int64_t wal_removed = 0;
  int64_t wal_recycled = 0;
  int64_t count = 0;  // checkpoints completed
};

enum class RecoveryPhase {
  kNone,     // no recovery seen
  kRunning,  // recovery_start seen, not yet done
  kDone,     // recovery_done seen
};

struct RecoveryInfo {
  RecoveryPhase phase = RecoveryPhase::kNone;
  int64_t pid = 0;        // the startup process
  std::string reason;     // "crash" / "clean"
  uint64_t redo_lsn = 0;  // where replay began
  uint64_t lsn = 0;       // how far it has replayed
  uint64_t end_lsn = 0;   // where it ended (done)
  int64_t records = 0;
  int64_t start_ts = 0;
  int64_t duration_us = 0;
};

/* What a process is writing now (a checkpointer's, bgwriter's or backend's
 * recent buffer writes, a flush of the WAL), for drawing arrows and flashes. */
struct WriterActivity {
  int64_t pid = 0;
  std::string by;  // the event's "by": "checkpointer", "bgwriter", "backend", "walwriter"
  int64_t buffers =
      0;  // buffer writes in its current burst (each within kBufferIoShownUs of the last)
  int64_t last_buffer_ts = 0;  // its last buffer_write (0: none)
  int64_t last_wal_ts = 0;     // its last wal_flush (0: none)
  bool wal = false;            // WritersAt: it flushed the WAL within kBufferIoShownUs
};

class SharedMemory {
 public:
  /* Applies a storage event (shmem_layout, buffer_*, wal_*, recovery_*,
   * checkpoint_*). Returns "" or what was wrong with it (a missing field),
   * for the model's anomalies. */
  std::string Apply(const Event& ev);
  /* The process's statement ended or it exited: its pin is released. */
  void ReleasePins(int64_t pid);
  /* The postmaster began a crash cycle: the segment's contents are lost
   * until it is created again (the next shmem_layout). */
  void MarkLost();

  /* Whether anything storage-related has been seen (the view is drawn). */
  bool known() const { return layout_seen_ || !buffers_.empty() || wal_.known; }
  bool layout_seen() const { return layout_seen_; }
  bool lost() const { return lost_; }
  /* shared_buffers in buffers: shmem_layout's, else the largest buffer number seen + 1. */
  size_t nbuffers() const { return nbuffers_; }
  int64_t wal_buffers() const { return wal_buffers_; }
  int64_t layouts() const { return layouts_; }
  /* The buffers seen so far (index = buffer number, from 0); those past the
   * end are free. */
  const std::vector<BufferInfo>& buffers() const { return buffers_; }
  const BufferInfo* Buffer(size_t i) const { return i < buffers_.size() ? &buffers_[i] : nullptr; }
  /* What cell i shows at `now_ts` (the model's time). */
  BufferShown ShownAt(size_t i, int64_t now_ts) const;
  const std::vector<RelationName>& relations() const { return relations_; }
  /* "items (1663/5/16384)", or the rel alone, for a buffer's relation. */
  std::string RelationLabel(int32_t rel) const;
  const WalState& wal() const { return wal_; }
  const CheckpointInfo& checkpoint() const { return checkpoint_; }
  const RecoveryInfo& recovery() const { return recovery_; }
  /* Writers active around `now_ts`, in pid order. */
  std::vector<WriterActivity> WritersAt(int64_t now_ts) const;

  int64_t reads() const { return reads_; }
  int64_t hits() const { return hits_; }
  int64_t evictions() const { return evictions_; }
  int64_t writes() const { return writes_; }

 private:
  BufferInfo* Slot(const Event& ev, std::string& problem);
  /* Slot(), with the page the event names put in it if it held none. */
  BufferInfo* NamedSlot(const Event& ev, std::string& problem);
  int32_t Intern(const Event& ev);
  void OnLayout(const Event& ev);
  void Pin(int64_t pid, size_t buffer);
  /* The activity record of the event's process (made if new). */
  WriterActivity& Writer(const Event& ev);

  bool layout_seen_ = false;
  bool lost_ = false;
  size_t nbuffers_ = 0;
  int64_t wal_buffers_ = 0;
  int64_t layouts_ = 0;
  std::vector<BufferInfo> buffers_;
  std::vector<RelationName> relations_;
  std::unordered_map<std::string, int32_t> relation_index_;
  std::unordered_map<int64_t, size_t> pins_;  // pid -> the buffer it is shown pinning
  WalState wal_;
  CheckpointInfo checkpoint_;
  RecoveryInfo recovery_;
  // Recent writers: pid -> activity (bounded: only processes that wrote;
  // entries older than a few seconds are dropped when a new one is added).
  std::unordered_map<int64_t, WriterActivity> writers_;
  int64_t reads_ = 0, hits_ = 0, evictions_ = 0, writes_ = 0;
};

/* A field holding an LSN ("0/16B3748"), or nullopt if absent or not one. */
std::optional<uint64_t> LsnField(const Event& ev, const char* key);
/* "0/16B3748". */
std::string FormatLsnValue(uint64_t lsn);
/* "main", "fsm", "vm" for a fork number, and back (nullopt: unknown). */
std::string_view ForkName(uint8_t fork);
std::optional<uint8_t> ForkFromName(std::string_view name);

}  // namespace minipg::viz
