/*-------------------------------------------------------------------------
 * startup.cpp
 *   The startup process: pg_control, the redo loop, the end of recovery
 *   (see startup.h).
 *-------------------------------------------------------------------------
 */
#include "engine/postmaster/startup.h"

#include <fmt/format.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <cstdlib>
#include <string>

#include "engine/common/postmaster_death.h"
#include "engine/common/sqlstate.h"
#include "engine/postmaster/aux_process.h"
#include "engine/postmaster/ps_status.h"
#include "engine/postmaster/server_log.h"
#include "engine/postmaster/storage_init.h"
#include "engine/postmaster/xlog_redo.h"
#include "engine/shmem/backend_status.h"
#include "engine/shmem/checkpoint_request.h"
#include "engine/shmem/shmem.h"
#include "engine/storage/buffer/buffer_pool.h"
#include "engine/storage/control_file.h"
#include "engine/storage/file_util.h"
#include "engine/storage/wal/wal_layout.h"
#include "engine/storage/wal/wal_reader.h"
#include "engine/storage/wal/wal_rmgr.h"
#include "engine/storage/wal/xlog.h"
#include "engine/trace/emitter.h"
#include "engine/trace/storage_events.h"

namespace minipg {
namespace {

namespace wal = storage::wal;
using storage::DbState;

void HandleTerm(int) { _exit(1); }

struct Usage {
  double user = 0, system = 0, elapsed = 0;
};
Usage Now() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return {ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6, ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6,
          static_cast<double>(trace::NowMicros()) / 1e6};
}

/* The buffer pool's WAL flush hook while redo runs. Redo writes a page only
 * to free its buffer for another (a pool smaller than the pages replayed);
 * the page's LSN is the end of a record read from pg_wal, so that WAL is in
 * its files already and there is nothing to flush (the WAL is not started
 * yet, and XLogFlush would refuse). PostgreSQL's XLogFlush during recovery
 * likewise flushes nothing: it moves minRecoveryPoint, which only archive
 * recovery needs. */
void FlushNothingDuringRedo(XLogRecPtr) {}

void SetRecoveringTitle(XLogRecPtr lsn) {
  SetPsTitle("startup recovering " + wal::WalFileName(wal::LsnToSeg(lsn)));
}

/* The test-only pause before replay (MINIPG_TEST_RECOVERY_DELAY_MS). */
void TestRecoveryDelay() {
  const char* env = std::getenv("MINIPG_TEST_RECOVERY_DELAY_MS");
  if (env == nullptr) return;
  int64_t until = trace::NowMicros() + std::atoll(env) * 1000;
  while (trace::NowMicros() < until) {
    if (!PostmasterIsAlive()) _exit(1);
    usleep(10'000);
  }
}

/* The start of the server before this one, as PostgreSQL words it. */
void LogHowItEnded(const storage::ControlFile& c) {
  switch (c.state) {
    case DbState::kShutdowned:
      Log("database system was shut down at {}", storage::FormatLogTime(c.checkpoint_time));
      return;
    case DbState::kShutdowning:
      Log("database system shutdown was interrupted; last known up at {}", storage::FormatLogTime(c.time));
      return;
    case DbState::kInCrashRecovery:
      Log("database system was interrupted while in recovery at {}", storage::FormatLogTime(c.time));
      LogLine("HINT",
              "This probably means that some data is corrupted and you will have to use the last backup for "
              "recovery.");
      return;
    default:
      Log("database system was interrupted; last known up at {}", storage::FormatLogTime(c.time));
  }
}

/* fsync of every WAL segment before replay (PostgreSQL fsyncs the whole
 * data directory, recovery_init_sync_method = fsync): pages replayed from
 * this WAL may be written out during recovery, and the WAL they depend on
 * may still be only in the kernel's cache of a crashed server's writes. */
Status SyncWalBeforeRedo(const Config& config) {
  if (!config.Bool("fsync")) return OkStatus();
  std::filesystem::path dir = config.data_directory / "pg_wal";
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file(ec)) continue;
    auto fd = storage::OpenFile(entry.path(), O_RDONLY);
    if (!fd.ok()) continue;  // removed meanwhile: nothing to sync
    if (fsync(fd->get()) != 0) {
      Error e = storage::IoError("fsync", std::filesystem::path("pg_wal") / entry.path().filename(), errno);
      e.severity = Severity::kPanic;
      return e;
    }
  }
  return storage::FsyncDir(dir);
}

class Startup {
 public:
  explicit Startup(const Config& config) : config_(config) {}
  /* 0 when the database is consistent and the WAL started. */
  int Run();

 private:
  int Fail(const Error& e) {
    LogError(e);
    return 1;
  }
  /* Replays from the redo point; fills end_. */
  Status Redo(wal::XLogReader& reader, XLogRecPtr redo, XLogRecPtr checkpoint_lsn);
  Status EndOfRecoveryCheckpoint();

  const Config& config_;
  storage::ControlFile control_;
  WalEnd end_;
  int64_t records_ = 0;  // replayed
};

Status Startup::Redo(wal::XLogReader& reader, XLogRecPtr redo, XLogRecPtr checkpoint_lsn) {
  RegisterXlogRedo();
  const TransamHooks& transam = GetTransamHooks();
  if (transam.register_redo != nullptr) transam.register_redo();
  SetRecoveringTitle(redo);
  // The first record to replay: the one at the redo point, or (a shutdown
  // checkpoint is its own redo point) the one after the checkpoint.
  const wal::DecodedRecord* rec = redo < checkpoint_lsn ? reader.ReadRecord(redo) : reader.ReadNext();
  if (rec == nullptr) {
    if (!reader.error().empty()) Log("{}", reader.error());
    Log("redo is not required");
    return OkStatus();
  }
  Log("redo starts at {}", storage::FormatLsn(rec->lsn));
  Usage start = Now();
  RecoveryIds& ids = GetRecoveryIds();
  wal::SegNo seg = wal::LsnToSeg(rec->lsn);
  for (; rec != nullptr; rec = reader.ReadNext()) {
    if (wal::LsnToSeg(rec->lsn) != seg) {
      seg = wal::LsnToSeg(rec->lsn);
      SetRecoveringTitle(rec->lsn);
      trace::EmitRecoveryProgress(rec->lsn, records_);
    }
    ++records_;
    if (rec->header.xid >= ids.next_xid) ids.next_xid = rec->header.xid + 1;
    const wal::RmgrData* rmgr = wal::GetRmgr(rec->header.rmid);
    if (rmgr != nullptr && rmgr->redo != nullptr) {
      if (Status s = rmgr->redo(*rec); !s.ok()) {
        Error e = s.error();
        e.severity = Severity::kFatal;
        LogError(e);
        LogLine("CONTEXT", fmt::format("WAL redo at {} for {}/{}", storage::FormatLsn(rec->lsn), rmgr->name,
                                       wal::IdentifyRecord(*rec)));
        return MakeError(sqlstate::kInternalError, "redo failed", Severity::kFatal);
      }
    }
    end_.last_lsn = rec->lsn;
    end_.end_lsn = rec->end_lsn;
    end_.insert_lsn = NextRecordStart(*rec);
  }
  if (!reader.error().empty()) Log("{}", reader.error());
  Usage done = Now();
  trace::EmitRecoveryProgress(end_.last_lsn, records_);
  Log("redo done at {} system usage: CPU: user: {:.2f} s, system: {:.2f} s, elapsed: {:.2f} s",
      storage::FormatLsn(end_.last_lsn), done.user - start.user, done.system - start.system,
      done.elapsed - start.elapsed);
  return OkStatus();
}

Status Startup::EndOfRecoveryCheckpoint() {
  // The checkpointer was forked before us, but may not have said its pid yet.
  shmem::ShmemHeader* h = shmem::Header();
  while (h->checkpointer.pid.load() <= 0) {
    if (!PostmasterIsAlive()) _exit(1);
    usleep(5'000);
  }
  return shmem::RequestCheckpointAndWait(shmem::kCheckpointEndOfRecovery | shmem::kCheckpointImmediate |
                                         shmem::kCheckpointWait);
}

int Startup::Run() {
  auto control = storage::ReadControlFile(config_.data_directory);
  if (!control.ok()) return Fail(control.error());
  if (!control->has_value()) return Fail(MakeError(sqlstate::kIoError, "could not read pg_control", Severity::kFatal));
  control_ = **control;
  LogHowItEnded(control_);
  RecoveryIds& ids = GetRecoveryIds();
  ids.next_xid = control_.next_xid;
  ids.next_oid = control_.next_oid;
  ids.next_multi = control_.next_multi;
  ids.next_multi_offset = control_.next_multi_offset;

  wal::WalDirSource source(config_.data_directory / "pg_wal");
  wal::XLogReader reader(source, control_.system_identifier);
  const wal::DecodedRecord* ckpt = reader.ReadRecord(control_.checkpoint_lsn);
  if (ckpt == nullptr) {
    Error e = MakeError(sqlstate::kDataCorrupted, "could not locate a valid checkpoint record", Severity::kPanic);
    e.detail = reader.error();
    return Fail(e);
  }
  end_.last_lsn = ckpt->lsn;
  end_.end_lsn = ckpt->end_lsn;
  end_.insert_lsn = NextRecordStart(*ckpt);

  bool recovery = control_.state != DbState::kShutdowned;
  int64_t began = trace::NowMicros();
  trace::EmitRecoveryStart(control_.redo_lsn, recovery ? "crash" : "clean");
  if (recovery) {
    Log("database system was not properly shut down; automatic recovery in progress");
    control_.state = DbState::kInCrashRecovery;
    control_.time = shmem::WallClockMicros();
    if (Status s = storage::WriteControlFile(config_.data_directory, control_); !s.ok()) return Fail(s.error());
    if (Status s = SyncWalBeforeRedo(config_); !s.ok()) return Fail(s.error());
    TestRecoveryDelay();
    storage::SetWalFlushHook(FlushNothingDuringRedo);
    Status redone = Redo(reader, control_.redo_lsn, control_.checkpoint_lsn);
    storage::SetWalFlushHook(wal::XLogFlushOrPanic);
    if (!redone.ok()) return 1;
  } else {
    // A clean shutdown: the WAL ends after its checkpoint record, unless
    // something follows it (then that is where the WAL goes on).
    for (const wal::DecodedRecord* rec = reader.ReadNext(); rec != nullptr; rec = reader.ReadNext()) {
      end_.last_lsn = rec->lsn;
      end_.end_lsn = rec->end_lsn;
      end_.insert_lsn = NextRecordStart(*rec);
    }
  }
  // The WAL goes on where the valid WAL ends; the ids past all replayed.
  const TransamHooks& transam = GetTransamHooks();
  if (transam.set_next_xid != nullptr) transam.set_next_xid(ids.next_xid);
  if (transam.trim_xact != nullptr) {
    if (Status s = transam.trim_xact(ids.next_xid); !s.ok()) return Fail(s.error());
  }
  if (transam.set_next_oid != nullptr) transam.set_next_oid(ids.next_oid);
  if (transam.advance_next_multi != nullptr) {  // redo of CREATE_ID records may have moved it further
    transam.advance_next_multi(ids.next_multi, ids.next_multi_offset);
    transam.read_next_multi(&ids.next_multi, &ids.next_multi_offset);
  }
  if (transam.startup_subtrans != nullptr) {
    if (Status s = transam.startup_subtrans(); !s.ok()) return Fail(s.error());
  }
  if (Status s = StartWalAt(config_, control_, end_); !s.ok()) return Fail(s.error());
  trace::EmitRecoveryDone(end_.insert_lsn, records_, trace::NowMicros() - began);
  if (recovery) {
    control_.next_xid = ids.next_xid;
    control_.next_oid = ids.next_oid;
    control_.next_multi = ids.next_multi;
    control_.next_multi_offset = ids.next_multi_offset;
    if (Status s = storage::WriteControlFile(config_.data_directory, control_); !s.ok()) return Fail(s.error());
    SetPsTitle("startup");
    if (Status s = EndOfRecoveryCheckpoint(); !s.ok()) return Fail(s.error());
  }
  auto now = storage::ReadControlFile(config_.data_directory);  // as the checkpointer left it
  if (!now.ok()) return Fail(now.error());
  storage::ControlFile c = now->value_or(control_);
  c.state = DbState::kInProduction;
  c.time = shmem::WallClockMicros();
  if (Status s = storage::WriteControlFile(config_.data_directory, c); !s.ok()) return Fail(s.error());
  return 0;
}

}  // namespace

void StartupProcessMain(const Config& config, int slot) {
  InitAuxProcess(config, slot, shmem::BackendType::kStartup, "startup", HandleTerm);
  Startup startup(config);
  int code = startup.Run();
  ReleaseStorageResources();
  shmem::ClearMyStatus();
  _exit(code);
}

}  // namespace minipg
