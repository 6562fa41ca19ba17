/*-------------------------------------------------------------------------
 * aux_process.h
 *   What the background writer and the WAL writer share: the set-up of an
 *   auxiliary process after fork (signals, title, process array slot,
 *   storage) and its sleep between rounds.
 *
 *   Signals (as PostgreSQL's bgwriter and walwriter):
 *     SIGTERM  finish the round and exit 0 (the postmaster's shutdown, after
 *              the backends are gone and before the shutdown checkpoint)
 *     SIGQUIT  exit(2) at once (immediate shutdown, crash cycle)
 *     SIGHUP   re-read minipg.conf at the top of the next round
 *              (AuxReloadConfig; the postmaster forwards pg_reload_conf()'s
 *              and kill -HUP's signal to every child)
 *     SIGINT   ignored
 *   The death of the postmaster ends the process (exit 1) within a round.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <string_view>

#include "engine/postmaster/config.h"
#include "engine/shmem/backend_status.h"

namespace minipg {

/* In a freshly forked auxiliary process (signals blocked by the
 * postmaster): handlers, title "minipg: <title>", slot, storage. Exits 1
 * if the storage cannot be set up. `on_sigterm` replaces the SIGTERM
 * handler (the startup process exits at once). */
void InitAuxProcess(const Config& config, int slot, shmem::BackendType type, std::string_view title,
                    void (*on_sigterm)(int) = nullptr);

/* Sleeps up to `ms` (a signal cuts it short), as wait event `wait`, then
 * reads the shared invalidation messages (closing the files of relations
 * others removed); false once a shutdown was asked for (SIGTERM). Exits 1
 * if the postmaster died. */
bool AuxSleep(int ms, shmem::WaitEvent wait);

/* Whether a SIGTERM asked this process to finish (an autovacuum worker
 * looks between tables). */
bool AuxShutdownRequested();

/* If a SIGHUP came since the last call: re-reads minipg.conf into `config`
 * (this process's own copy) and returns true, so the caller takes its
 * settings again (bgwriter_delay, bgwriter_lru_maxpages, wal_writer_delay). */
bool AuxReloadConfig(Config& config);

}  // namespace minipg
