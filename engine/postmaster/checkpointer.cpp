/*-------------------------------------------------------------------------
 * checkpointer.cpp
 *   The checkpointer's loop (see checkpointer.h); one checkpoint's steps
 *   are in checkpoint.cpp.
 *
 *   Each request is served as PostgreSQL's: serving = requests (every
 *   CHECKPOINT asked for so far is covered, with the flags they or'ed in),
 *   the "checkpoint_start" event and "checkpoint starting: <flags>", the
 *   checkpoint, "checkpoint complete: wrote N buffers ...", served = serving.
 *-------------------------------------------------------------------------
 */
#include "engine/postmaster/checkpointer.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include "engine/common/interrupts.h"
#include "engine/common/latch.h"
#include "engine/common/postmaster_death.h"
#include "engine/postmaster/checkpoint.h"
#include "engine/postmaster/ps_status.h"
#include "engine/postmaster/server_log.h"
#include "engine/postmaster/storage_init.h"
#include "engine/shmem/backend_status.h"
#include "engine/shmem/shmem.h"
#include "engine/storage/buffer/buffer_pool.h"
#include "engine/storage/wal/xlog.h"
#include "engine/trace/emitter.h"
#include "engine/trace/storage_events.h"
#include "engine/storage/ipc/sinval.h"

namespace minipg {
namespace {

using trace::EventType;
using storage::XLogRecPtr;

volatile sig_atomic_t g_checkpoint_signal = 0;  // SIGINT: look at the request counter
volatile sig_atomic_t g_shutdown_pending = 0;   // SIGUSR2: shutdown checkpoint, then exit
void HandleRequest(int) {
  g_checkpoint_signal = 1;
  SetLatch();
}
void HandleReload(int) {
  g_config_reload_pending = 1;
  SetLatch();
}
void HandleShutdown(int) {
  g_shutdown_pending = 1;
  SetLatch();
}
void HandleQuit(int) {
  _exit(2);
}

/* WAL written since the last redo point after which a checkpoint is due:
 * PostgreSQL's CheckPointSegments, max_wal_size / (1 + checkpoint_completion_target). */
uint64_t WalTriggerBytes(const Config& config) {
  double bytes = static_cast<double>(GetStorageSettings(config).max_wal_size_mb) * 1024 * 1024;
  return static_cast<uint64_t>(bytes / (1.0 + config.Real("checkpoint_completion_target")));
}

class Checkpointer {
 public:
  Checkpointer(const Config& config, shmem::CheckpointerShared& shared)
      : config_(config), shared_(shared) {}
  [[noreturn]] void Run();

 private:
  void Checkpoint(uint32_t flags);

  Config config_;  // this process's copy: a SIGHUP re-reads minipg.conf into it
  shmem::CheckpointerShared& shared_;
  CheckpointHistory history_;
};

void Checkpointer::Checkpoint(uint32_t flags) {
  uint32_t serving = shared_.requests.load();
  flags |= shared_.flags.exchange(0);  // what the requests covered by `serving` asked for
  shared_.started.fetch_add(1);
  // PostgreSQL counts a checkpoint as timed only when nothing but
  // checkpoint_timeout asked for it; the shutdown checkpoint is a requested one.
  (flags == shmem::kCheckpointCauseTime ? shared_.checkpoints_timed : shared_.checkpoints_req).fetch_add(1);
  shmem::ReportWaitEvent(shmem::WaitEvent::kNone);
  std::string reason = CheckpointFlagsText(flags);
  int64_t start = trace::NowMicros();
  {
    trace::Event ev(EventType::kCheckpointStart);
    ev.Str("reason", reason);
    // The redo point it will take: the insert position now.
    trace::AddCheckpointStorageFields(ev, storage::wal::GetWalPositions().insert, nullptr).Emit();
  }
  Log("checkpoint starting: {}", reason);
  auto r = CreateCheckpoint(config_, flags, history_);
  if (r.ok()) {
    shared_.write_time_us.fetch_add(static_cast<uint64_t>(r->write_s * 1e6));
    shared_.sync_time_us.fetch_add(static_cast<uint64_t>(r->sync_s * 1e6));
    Log("{}", CheckpointCompleteText(*r, storage::NBuffers()));
  } else {
    LogLine("ERROR", fmt::format("checkpoint failed: {}", r.error().message));
    shared_.failed.store(serving);
  }
  trace::Event done(EventType::kCheckpointDone);
  done.Str("reason", reason)
      .Int("files", r.ok() ? r->sync_files : 0)
      .Int("duration_us", trace::NowMicros() - start)
      .Bool("ok", r.ok());
  if (r.ok()) {
    trace::CheckpointCounts counts{r->buffers_written, r->wal_removed, r->wal_recycled};
    trace::AddCheckpointStorageFields(done, r->redo_lsn, &counts);
  }
  done.Emit();
  shared_.served.store(serving);
  shmem::ReportWaitEvent(shmem::WaitEvent::kCheckpointerMain);
}

void Checkpointer::Run() {
  int64_t last = trace::NowMicros();
  shmem::ReportWaitEvent(shmem::WaitEvent::kCheckpointerMain);
  for (;;) {
    storage::AcceptInvalidationMessages();  // closes files other processes removed
    if (g_config_reload_pending) {
      g_config_reload_pending = 0;
      (void)ReloadConfigFile(config_.settings, config_.data_directory / kConfigFileName);  // the postmaster logs it
    }
    int64_t timeout_us = int64_t{config_.Int("checkpoint_timeout")} * 1'000'000;
    uint64_t wal_trigger = WalTriggerBytes(config_);  // settings may change on SIGHUP
    if (g_shutdown_pending) {
      Log("shutting down");
      // Stopped before recovery finished: no checkpoint; the next start
      // replays the WAL again.
      if (storage::wal::XLogStarted()) Checkpoint(shmem::kCheckpointIsShutdown | shmem::kCheckpointImmediate);
      shared_.pid.store(0);
      _exit(0);
    }
    g_checkpoint_signal = 0;
    int64_t now = trace::NowMicros();
    if (shared_.requests.load() != shared_.served.load()) {
      Checkpoint(0);
      last = trace::NowMicros();
      continue;
    }
    if (now - last >= timeout_us && storage::wal::XLogStarted()) {
      Checkpoint(shmem::kCheckpointCauseTime);
      last = trace::NowMicros();
      continue;
    }
    // max_wal_size: enough WAL since the last redo point (only once the
    // WAL is started: not while the startup process replays it).
    storage::wal::WalPositions pos = storage::wal::GetWalPositions();
    XLogRecPtr redo = storage::wal::GetRedoRecPtr();
    if (storage::wal::XLogStarted() && pos.insert > redo && pos.insert - redo >= wal_trigger) {
      Checkpoint(shmem::kCheckpointCauseXlog);
      last = trace::NowMicros();
      continue;
    }
    // The postmaster is gone: so are we, without a checkpoint (PostgreSQL's
    // auxiliary processes exit at once too).
    if (!PostmasterIsAlive()) _exit(1);
    // Sleep until a signal, a second passes (to look at the WAL written),
    // the next timed checkpoint, or the postmaster's death (its pipe loses
    // its writer: POLLHUP).
    int64_t wait_ms = std::clamp<int64_t>((timeout_us - (now - last)) / 1000 + 1, 1, 1000);
    pollfd p[2] = {{LatchFd(), POLLIN, 0}, {PostmasterDeathFd(), POLLIN, 0}};
    if (poll(p, 2, static_cast<int>(wait_ms)) > 0) {
      ResetLatch();
      if (p[1].revents != 0) g_postmaster_possibly_dead = 1;  // PostmasterIsAlive() reads the pipe
    }
  }
}

}  // namespace

void CheckpointerMain(const Config& config, int slot) {
  trace::ReinitEmitterAfterFork();
  if (!InitLatch()) _exit(1);
  struct sigaction sa {};
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;
  sa.sa_handler = HandleRequest;
  sigaction(SIGINT, &sa, nullptr);
  sa.sa_handler = HandleShutdown;
  sigaction(SIGUSR2, &sa, nullptr);
  sa.sa_handler = HandleQuit;
  sigaction(SIGQUIT, &sa, nullptr);
  SetPostmasterDeathWakeup(SetLatch);
  signal(SIGTERM, SIG_IGN);
  sa.sa_handler = HandleReload;
  sa.sa_flags = SA_RESTART;  // a reload must not break the checkpoint's fsyncs
  sigaction(SIGHUP, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
  signal(SIGCHLD, SIG_DFL);
  SetPsTitle("checkpointer");
  shmem::InitMyStatus(slot, shmem::BackendType::kCheckpointer);
  shmem::ShmemHeader* h = shmem::Header();
  if (h == nullptr || !InitStorageForProcess(config).ok()) _exit(1);
  SetWalFlushSource("checkpointer");
  h->checkpointer.pid.store(getpid());
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);  // the postmaster forked us with signals blocked
  Checkpointer c(config, h->checkpointer);
  c.Run();
}

}  // namespace minipg
