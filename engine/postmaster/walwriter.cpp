/*-------------------------------------------------------------------------
 * walwriter.cpp
 *   The WAL writer's loop (see walwriter.h).
 *-------------------------------------------------------------------------
 */
#include "engine/postmaster/walwriter.h"

#include <unistd.h>

#include <cstdlib>

#include "engine/postmaster/aux_process.h"
#include "engine/postmaster/server_log.h"
#include "engine/postmaster/storage_init.h"
#include "engine/storage/wal/xlog.h"

namespace minipg {

void WalWriterMain(const Config& server_config, int slot) {
  InitAuxProcess(server_config, slot, shmem::BackendType::kWalWriter, "walwriter");
  SetWalFlushSource("walwriter");
  Config config = server_config;  // this process's copy: a SIGHUP re-reads minipg.conf into it
  StorageSettings settings = GetStorageSettings(config);
  do {
    if (AuxReloadConfig(config)) settings = GetStorageSettings(config);
    auto flushed = storage::wal::XLogBackgroundFlush();
    if (!flushed.ok()) {
      LogError(flushed.error());
      if (flushed.error().severity == Severity::kPanic) std::abort();  // the crash cycle
    }
  } while (AuxSleep(settings.wal_writer_delay_ms, shmem::WaitEvent::kWalWriterMain));
  shmem::ClearMyStatus();
  _exit(0);
}

}  // namespace minipg
