/*-------------------------------------------------------------------------
 * checkpointer.cpp
 *   The checkpointer's loop and one checkpoint (see checkpointer.h).
 *
 *   A checkpoint, step by step:
 *     1. serving = requests (every CHECKPOINT asked for so far is covered)
 *     2. "checkpoint_start" event, "checkpoint starting: <reason>" log line
 *     3. fsync every regular file under base/ (recursively) and global/
 *        (the catalog), and each directory walked
 *     4. pg_control: count + 1, time of this checkpoint, state "in
 *        production" (or "shut down" for the shutdown checkpoint)
 *     5. served = serving; "checkpoint_done" event, "checkpoint complete"
 *-------------------------------------------------------------------------
 */
#include "engine/postmaster/checkpointer.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include "engine/common/latch.h"
#include "engine/common/postmaster_death.h"
#include "engine/postmaster/ps_status.h"
#include "engine/postmaster/server_log.h"
#include "engine/postmaster/storage_init.h"
#include "engine/shmem/backend_status.h"
#include "engine/shmem/shmem.h"
#include "engine/storage/buffer/buffer_pool.h"
#include "engine/storage/control_file.h"
#include "engine/storage/heap/transam.h"
#include "engine/trace/emitter.h"

namespace minipg {
namespace {

using trace::EventType;

volatile sig_atomic_t g_checkpoint_signal = 0;  // SIGINT: look at the request counter
volatile sig_atomic_t g_shutdown_pending = 0;   // SIGUSR2: shutdown checkpoint, then exit
void HandleRequest(int) {
  g_checkpoint_signal = 1;
  SetLatch();
}
void HandleShutdown(int) {
  g_shutdown_pending = 1;
  SetLatch();
}
void HandleQuit(int) {
  _exit(2);
}

struct SyncResult {
  int files = 0;
  std::string error;  // empty = every fsync succeeded
};

/* fsyncs one file or directory (a no-op with fsync = off). */
void SyncPath(const std::filesystem::path& p, bool directory, bool do_fsync, SyncResult& r) {
  if (!directory) ++r.files;
  if (!do_fsync || !r.error.empty()) return;
  int fd = open(p.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) {
    if (errno != ENOENT)
      r.error = fmt::format("could not open file \"{}\": {}", p.string(), std::strerror(errno));
    return;  // a table dropped meanwhile is fine
  }
  if (fsync(fd) != 0)
    r.error = fmt::format("could not fsync file \"{}\": {}", p.string(), std::strerror(errno));
  close(fd);
}

/* Every regular file under `dir` (recursively), then `dir` itself. */
void SyncTree(const std::filesystem::path& dir, bool do_fsync, SyncResult& r) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return;
  std::filesystem::recursive_directory_iterator it(
      dir, std::filesystem::directory_options::skip_permission_denied, ec);
  for (; !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    const auto& entry = *it;
    std::error_code type_ec;
    if (entry.is_regular_file(type_ec)) {
      std::string name = entry.path().filename().string();
      if (name.ends_with(".tmp") || name.ends_with(".lock")) continue;  // not data
      SyncPath(entry.path(), false, do_fsync, r);
    } else if (entry.is_directory(type_ec)) {
      SyncPath(entry.path(), true, do_fsync, r);
    }
  }
  SyncPath(dir, true, do_fsync, r);
}

class Checkpointer {
 public:
  Checkpointer(const Config& config, shmem::CheckpointerShared& shared)
      : config_(config), shared_(shared) {}
  [[noreturn]] void Run();

 private:
  void CreateCheckpoint(const char* reason, bool shutdown);

  const Config& config_;
  shmem::CheckpointerShared& shared_;
};

void Checkpointer::CreateCheckpoint(const char* reason, bool shutdown) {
  uint32_t serving = shared_.requests.load();
  shared_.started.fetch_add(1);
  shmem::ReportWaitEvent(shmem::WaitEvent::kNone);
  int64_t start = trace::NowMicros();
  trace::Event(EventType::kCheckpointStart).Str("reason", reason).Emit();
  Log("checkpoint starting: {}", reason);

  SyncResult r;
  // Until the checkpointer writes buffers for real: every dirty page and
  // pg_xact page, so that a clean shutdown keeps every row.
  if (auto flushed = storage::FlushAllDirty(storage::WriteSource::kCheckpointer); !flushed.ok()) {
    r.error = flushed.error().message;
  } else if (Status t = storage::CheckPointTransam(); !t.ok()) {
    r.error = t.error().message;
  }
  SyncTree(config_.data_directory / "base", config_.fsync, r);
  SyncTree(config_.data_directory / "global", config_.fsync, r);
  int64_t synced = trace::NowMicros();

  bool ok = r.error.empty();
  if (ok) {
    storage::ControlFile control;
    auto old = storage::ReadControlFile(config_.data_directory);
    if (old.ok() && old->has_value()) control = **old;
    control.checkpoint_count += 1;
    control.next_xid = storage::ReadNextTransactionId();
    control.checkpoint_time = shmem::WallClockMicros();
    control.time = control.checkpoint_time;
    control.state = shutdown ? storage::DbState::kShutdowned : storage::DbState::kInProduction;
    if (Status s = storage::WriteControlFile(config_.data_directory, control); !s.ok()) {
      ok = false;
      r.error = s.error().message;
    }
  }
  int64_t end = trace::NowMicros();
  if (ok) {
    // PostgreSQL's line also counts buffers and WAL files, which minipg has not.
    Log("checkpoint complete: sync={:.3f} s, total={:.3f} s; sync files={}", (synced - start) / 1e6,
        (end - start) / 1e6, r.files);
  } else {
    LogLine("ERROR", fmt::format("checkpoint failed: {}", r.error));
    shared_.failed.store(serving);
  }
  trace::Event(EventType::kCheckpointDone)
      .Str("reason", reason)
      .Int("files", r.files)
      .Int("duration_us", end - start)
      .Bool("ok", ok)
      .Emit();
  shared_.served.store(serving);
  shmem::ReportWaitEvent(shmem::WaitEvent::kCheckpointerMain);
}

void Checkpointer::Run() {
  int64_t timeout_us = int64_t{config_.checkpoint_timeout} * 1'000'000;
  int64_t last = trace::NowMicros();
  shmem::ReportWaitEvent(shmem::WaitEvent::kCheckpointerMain);
  for (;;) {
    if (g_shutdown_pending) {
      Log("shutting down");
      CreateCheckpoint("shutdown immediate", true);
      shared_.pid.store(0);
      _exit(0);
    }
    g_checkpoint_signal = 0;
    int64_t now = trace::NowMicros();
    if (shared_.requests.load() != shared_.served.load()) {
      CreateCheckpoint("immediate force wait", false);
      last = trace::NowMicros();
      continue;
    }
    if (now - last >= timeout_us) {
      CreateCheckpoint("time", false);
      last = trace::NowMicros();
      continue;
    }
    // The postmaster is gone: so are we, without a checkpoint (PostgreSQL's
    // auxiliary processes exit at once too).
    if (!PostmasterIsAlive()) _exit(1);
    // Sleep until a signal, the next timed checkpoint, or the postmaster's
    // death (its pipe loses its writer: POLLHUP).
    int64_t wait_ms = std::min<int64_t>((timeout_us - (now - last)) / 1000 + 1, 60'000);
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
  signal(SIGHUP, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  signal(SIGCHLD, SIG_DFL);
  SetPsTitle("checkpointer");
  shmem::InitMyStatus(slot, shmem::BackendType::kCheckpointer);
  shmem::ShmemHeader* h = shmem::Header();
  if (h == nullptr || !InitStorageForProcess(config).ok()) _exit(1);
  h->checkpointer.pid.store(getpid());
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);  // the postmaster forked us with signals blocked
  Checkpointer c(config, h->checkpointer);
  c.Run();
}

}  // namespace minipg
