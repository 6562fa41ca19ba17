/*-------------------------------------------------------------------------
 * aux_process.cpp
 *   Set-up and sleep of the background writer and the WAL writer (see
 *   aux_process.h).
 *-------------------------------------------------------------------------
 */
#include "engine/postmaster/aux_process.h"

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <string>

#include "engine/common/interrupts.h"
#include "engine/common/latch.h"
#include "engine/common/postmaster_death.h"
#include "engine/postmaster/ps_status.h"
#include "engine/postmaster/storage_init.h"
#include "engine/storage/ipc/sinval.h"
#include "engine/trace/emitter.h"

namespace minipg {
namespace {

volatile sig_atomic_t g_shutdown_requested = 0;
void HandleTerm(int) {
  g_shutdown_requested = 1;
  SetLatch();
}
void HandleQuit(int) { _exit(2); }
void HandleReload(int) {
  g_config_reload_pending = 1;
  SetLatch();
}

}  // namespace

void InitAuxProcess(const Config& config, int slot, shmem::BackendType type, std::string_view title,
                    void (*on_sigterm)(int)) {
  trace::ReinitEmitterAfterFork();
  if (!InitLatch()) _exit(1);
  struct sigaction sa {};
  sigemptyset(&sa.sa_mask);
  sa.sa_handler = on_sigterm != nullptr ? on_sigterm : HandleTerm;
  sigaction(SIGTERM, &sa, nullptr);
  sa.sa_handler = HandleQuit;
  sigaction(SIGQUIT, &sa, nullptr);
  sa.sa_handler = HandleReload;
  sa.sa_flags = SA_RESTART;  // a reload must not break a write in progress
  sigaction(SIGHUP, &sa, nullptr);
  signal(SIGINT, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  signal(SIGCHLD, SIG_DFL);
  SetPostmasterDeathWakeup(SetLatch);
  SetPsTitle(std::string(title));
  shmem::InitMyStatus(slot, type);
  if (!InitStorageForProcess(config).ok()) _exit(1);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);  // the postmaster forked us with signals blocked
}

bool AuxSleep(int ms, shmem::WaitEvent wait) {
  if (g_shutdown_requested) return false;
  shmem::ReportWaitEvent(wait);
  pollfd p[2] = {{LatchFd(), POLLIN, 0}, {PostmasterDeathFd(), POLLIN, 0}};
  if (poll(p, 2, ms) > 0) {
    ResetLatch();
    if (p[1].revents != 0) g_postmaster_possibly_dead = 1;  // PostmasterIsAlive() reads the pipe
  }
  shmem::ReportWaitEvent(shmem::WaitEvent::kNone);
  if (!PostmasterIsAlive()) _exit(1);
  storage::AcceptInvalidationMessages();  // closes files other processes removed
  return !g_shutdown_requested;
}

bool AuxShutdownRequested() { return g_shutdown_requested != 0; }

bool AuxReloadConfig(Config& config) {
  if (!g_config_reload_pending) return false;
  g_config_reload_pending = 0;
  (void)ReloadConfigFile(config.settings, config.data_directory / kConfigFileName);  // the postmaster logs it
  return true;
}

}  // namespace minipg
