/*-------------------------------------------------------------------------
 * bgwriter.cpp
 *   The background writer's loop (see bgwriter.h).
 *-------------------------------------------------------------------------
 */
#include "engine/postmaster/bgwriter.h"

#include <fmt/format.h>
#include <unistd.h>

#include "engine/postmaster/aux_process.h"
#include "engine/postmaster/server_log.h"
#include "engine/postmaster/storage_init.h"
#include "engine/storage/buffer/buffer_pool.h"
#include "engine/storage/wal/xlog.h"

namespace minipg {

void BackgroundWriterMain(const Config& server_config, int slot) {
  InitAuxProcess(server_config, slot, shmem::BackendType::kBgWriter, "background writer");
  Config config = server_config;  // this process's copy: a SIGHUP re-reads minipg.conf into it
  StorageSettings settings = GetStorageSettings(config);
  do {
    if (AuxReloadConfig(config)) settings = GetStorageSettings(config);
    // Not while redo runs (the WAL is not started: a page written now could
    // not have its WAL flushed first), nor after the WAL failed.
    if (storage::wal::XLogStarted()) {
      auto step = storage::BgWriterStep(settings.bgwriter_lru_maxpages);
      if (!step.ok()) LogLine("ERROR", step.error().message);  // the next round tries again
    }
    ReleaseStorageResources();
  } while (AuxSleep(settings.bgwriter_delay_ms, shmem::WaitEvent::kBgWriterMain));
  shmem::ClearMyStatus();
  _exit(0);
}

}  // namespace minipg
