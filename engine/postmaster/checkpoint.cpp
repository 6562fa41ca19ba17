/*-------------------------------------------------------------------------
 * checkpoint.cpp
 *   One checkpoint, step by step (see checkpoint.h).
 *-------------------------------------------------------------------------
 */
#include "engine/postmaster/checkpoint.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "engine/common/sqlstate.h"
#include "engine/postmaster/server_log.h"
#include "engine/postmaster/storage_init.h"
#include "engine/shmem/backend_status.h"
#include "engine/shmem/shmem.h"
#include "engine/storage/buffer/buffer_pool.h"
#include "engine/storage/control_file.h"
#include "engine/storage/wal/wal_layout.h"
#include "engine/storage/wal/wal_records.h"
#include "engine/storage/wal/xlog.h"
#include "engine/trace/emitter.h"

namespace minipg {
namespace {

namespace fs = std::filesystem;
namespace wal = storage::wal;

double Seconds(int64_t micros) { return static_cast<double>(micros) / 1e6; }

/* A failed fsync: PostgreSQL PANICs (data_sync_retry = off), so do we. */
[[noreturn]] void PanicOnSync(const std::string& message) {
  LogLine("PANIC", message);
  std::abort();
}

struct SyncStats {
  int files = 0;
  int64_t longest_us = 0, total_us = 0;
};

/* Test-only fault injection: while the file MINIPG_TEST_FSYNC_FAIL names
 * exists, every fsync of a relation file fails with EIO (a real failed
 * fsync needs a failing disk, which CI does not have). Off when unset. */
bool InjectedFsyncFailure() {
  const char* trigger = std::getenv("MINIPG_TEST_FSYNC_FAIL");
  return trigger != nullptr && *trigger != '\0' && ::access(trigger, F_OK) == 0;
}

/* fsyncs one file or directory (a no-op with fsync = off). A file gone
 * meanwhile (a table dropped) is fine; a failed fsync is a PANIC, naming
 * the file relative to the data directory as PostgreSQL does. */
void SyncPath(const fs::path& p, const fs::path& data_dir, bool directory, bool do_fsync, SyncStats& s) {
  if (!do_fsync) {
    if (!directory) ++s.files;
    return;
  }
  int fd = open(p.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) return;
  int64_t start = trace::NowMicros();
  int rc = fsync(fd);
  if (rc == 0 && !directory && InjectedFsyncFailure()) {
    rc = -1;
    errno = EIO;
  }
  if (rc != 0) {
    PanicOnSync(fmt::format("could not fsync file \"{}\": {}", p.lexically_relative(data_dir).string(),
                            std::strerror(errno)));
  }
  close(fd);
  if (directory) return;
  int64_t took = trace::NowMicros() - start;
  ++s.files;
  s.total_us += took;
  s.longest_us = std::max(s.longest_us, took);
}

/* Every regular file under `dir` (recursively), then `dir` itself:
 * minipg does not track which files were written since the last
 * checkpoint (PostgreSQL's pending-sync table), it syncs them all. */
void SyncTree(const fs::path& dir, const fs::path& data_dir, bool do_fsync, SyncStats& s) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return;
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const auto& entry = *it;
    std::error_code type_ec;
    if (entry.is_regular_file(type_ec)) {
      std::string name = entry.path().filename().string();
      if (name.ends_with(".tmp") || name.ends_with(".lock")) continue;  // not data
      SyncPath(entry.path(), data_dir, false, do_fsync, s);
    } else if (entry.is_directory(type_ec)) {
      SyncPath(entry.path(), data_dir, true, do_fsync, s);
    }
  }
  SyncPath(dir, data_dir, true, do_fsync, s);
}

int CountWalFiles(const fs::path& wal_dir) {
  int n = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(wal_dir, ec)) {
    n += wal::ParseWalFileName(e.path().filename().string()).has_value();
  }
  return n;
}

}  // namespace

std::string CheckpointFlagsText(uint32_t flags) {
  std::string out;
  auto add = [&](uint32_t bit, const char* word) {
    if ((flags & bit) == 0) return;
    if (!out.empty()) out += ' ';
    out += word;
  };
  add(shmem::kCheckpointIsShutdown, "shutdown");
  add(shmem::kCheckpointEndOfRecovery, "end-of-recovery");
  add(shmem::kCheckpointImmediate, "immediate");
  add(shmem::kCheckpointForce, "force");
  add(shmem::kCheckpointWait, "wait");
  add(shmem::kCheckpointCauseXlog, "wal");
  add(shmem::kCheckpointCauseTime, "time");
  return out;
}

std::string CheckpointCompleteText(const CheckpointResult& r, int nbuffers) {
  double pct = nbuffers > 0 ? 100.0 * r.buffers_written / nbuffers : 0.0;
  return fmt::format(
      "checkpoint complete: wrote {} buffers ({:.1f}%); {} WAL file(s) added, {} removed, {} recycled; "
      "write={:.3f} s, sync={:.3f} s, total={:.3f} s; sync files={}, longest={:.3f} s, average={:.3f} s; "
      "distance={} kB, estimate={} kB",
      r.buffers_written, pct, r.wal_added, r.wal_removed, r.wal_recycled, r.write_s, r.sync_s, r.total_s,
      r.sync_files, r.longest_sync_s, r.average_sync_s, r.distance / 1024, r.estimate / 1024);
}

Result<CheckpointResult> CreateCheckpoint(const Config& config, uint32_t flags, CheckpointHistory& history) {
  const fs::path& dir = config.data_directory;
  bool shutdown = (flags & (shmem::kCheckpointIsShutdown | shmem::kCheckpointEndOfRecovery)) != 0;
  int64_t start = trace::NowMicros();
  CheckpointResult r;
  auto control_or = storage::ReadControlFile(dir);
  if (!control_or.ok()) return control_or.error();
  if (!control_or->has_value()) return MakeError(sqlstate::kIoError, "could not read pg_control");
  storage::ControlFile control = **control_or;
  XLogRecPtr prior_redo = control.redo_lsn;
  if (history.wal_files < 0) history.wal_files = CountWalFiles(dir / "pg_wal");
  if (shutdown) {
    control.state = storage::DbState::kShutdowning;
    control.time = shmem::WallClockMicros();
    if (Status s = storage::WriteControlFile(dir, control); !s.ok()) return s.error();
  }

  // 1. The redo point.
  auto redo = wal::XLogBeginCheckpoint();
  if (!redo.ok()) return redo.error();
  r.redo_lsn = *redo;
  // A commit whose record is before the redo point but whose pg_xact
  // status is not yet set would be lost: wait for those (DELAY_CHKPT_START).
  wal::XLogWaitForDelayingCommitters();

  // 2, 3. Dirty buffers and the transaction status pages.
  auto flushed = storage::FlushAllDirty(storage::WriteSource::kCheckpointer);
  if (!flushed.ok()) return flushed.error();
  r.buffers_written = flushed->written;
  const TransamHooks& transam = GetTransamHooks();
  if (transam.checkpoint != nullptr) {
    if (Status s = transam.checkpoint(); !s.ok()) return s.error();
  }
  int64_t written = trace::NowMicros();

  // 4. The relation files.
  SyncStats sync;
  SyncTree(dir / "base", dir, config.Bool("fsync"), sync);
  SyncTree(dir / "global", dir, config.Bool("fsync"), sync);
  int64_t synced = trace::NowMicros();

  // 5. The checkpoint record, durable before pg_control points at it.
  wal::CheckpointRecord rec;
  rec.redo = r.redo_lsn;
  rec.full_page_writes = GetStorageSettings(config).full_page_writes;
  rec.next_xid = transam.read_next_xid != nullptr ? transam.read_next_xid() : control.next_xid;
  rec.next_oid = transam.checkpoint_next_oid != nullptr ? transam.checkpoint_next_oid(shutdown) : control.next_oid;
  rec.next_multi = control.next_multi;
  rec.next_multi_offset = control.next_multi_offset;
  if (transam.read_next_multi != nullptr) transam.read_next_multi(&rec.next_multi, &rec.next_multi_offset);
  rec.time = shmem::WallClockMicros() / 1'000'000;
  auto end = wal::XLogInsert(wal::RmgrId::kXlog,
                             shutdown ? wal::kXlogCheckpointShutdown : wal::kXlogCheckpointOnline, 0, {},
                             wal::EncodePayload(rec));
  if (!end.ok()) return end.error();
  wal::XLogFlushOrPanic(*end);  // a WAL that cannot be flushed is a PANIC
  r.checkpoint_lsn = wal::XLogLastInsertStart();

  // 6. pg_control.
  control.checkpoint_lsn = r.checkpoint_lsn;
  control.redo_lsn = r.redo_lsn;
  control.full_page_writes = rec.full_page_writes;
  control.next_xid = rec.next_xid;
  control.next_oid = rec.next_oid;
  control.next_multi = rec.next_multi;
  control.next_multi_offset = rec.next_multi_offset;
  control.checkpoint_time = shmem::WallClockMicros();
  control.time = control.checkpoint_time;
  control.checkpoint_count += 1;
  control.state = shutdown ? storage::DbState::kShutdowned : storage::DbState::kInProduction;
  if (Status s = storage::WriteControlFile(dir, control); !s.ok()) return s.error();

  // 7. Old WAL: as many segments recycled as min_wal_size keeps around.
  StorageSettings settings = GetStorageSettings(config);
  int keep = static_cast<int>(settings.min_wal_size_mb * 1024 * 1024 / wal::kWalSegSize);
  int files_before = CountWalFiles(dir / "pg_wal");
  auto cleanup = wal::XLogRemoveOldSegments(r.redo_lsn, keep);
  if (cleanup.ok()) {
    r.wal_removed = cleanup->removed;
    r.wal_recycled = cleanup->recycled;
  } else {
    LogLine("WARNING", cleanup.error().message);
  }
  r.wal_added = std::max(0, files_before - history.wal_files);
  history.wal_files = CountWalFiles(dir / "pg_wal");

  // The distance between redo points, and PostgreSQL's smoothed estimate.
  r.distance = r.redo_lsn > prior_redo ? r.redo_lsn - prior_redo : 0;
  double d = static_cast<double>(r.distance);
  history.distance_estimate = history.distance_estimate < d ? d : 0.9 * history.distance_estimate + 0.1 * d;
  r.estimate = static_cast<uint64_t>(history.distance_estimate);

  int64_t done = trace::NowMicros();
  r.write_s = Seconds(written - start);
  r.sync_s = Seconds(synced - written);
  r.total_s = Seconds(done - start);
  r.sync_files = sync.files;
  r.longest_sync_s = Seconds(sync.longest_us);
  r.average_sync_s = sync.files > 0 ? Seconds(sync.total_us / sync.files) : 0.0;
  return r;
}

}  // namespace minipg
