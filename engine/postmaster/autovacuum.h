/*-------------------------------------------------------------------------
 * autovacuum.h
 *   The autovacuum launcher and its workers (PostgreSQL's autovacuum.c):
 *
 *     postmaster --starts--> autovacuum launcher (while autovacuum = on)
 *     launcher: every autovacuum_naptime / (number of databases), the next
 *       database in turn (template0 left out) ->
 *       AutoVacuumShared.request_db = its OID, pending = 1, SIGUSR1 to the
 *       postmaster (PostgreSQL's PMSIGNAL_START_AUTOVAC_WORKER)
 *     postmaster: on the signal, if running and fewer than
 *       autovacuum_max_workers workers are alive, forks an "autovacuum
 *       worker" for that database
 *     worker: connects to the database as the bootstrap superuser, reads
 *       pg_class and pg_stat_user_tables, and for each table (not one
 *       WITH (autovacuum_enabled = false)):
 *         vacuum  if n_dead_tup > autovacuum_vacuum_threshold
 *                                 + autovacuum_vacuum_scale_factor * reltuples
 *                 or n_ins_since_vacuum > autovacuum_vacuum_insert_threshold
 *                                 + autovacuum_vacuum_insert_scale_factor * reltuples
 *                    (unless the insert threshold is -1)
 *         analyze if n_mod_since_analyze > autovacuum_analyze_threshold
 *                                 + autovacuum_analyze_scale_factor * reltuples
 *       (reltuples -1, never counted, is taken as 0), runs VACUUM / ANALYZE
 *       of it (last_autovacuum, last_autoanalyze), then exits.
 *
 *   Both are auxiliary processes (aux_process.h): SIGTERM ends the
 *   launcher at once and a worker after its current table; SIGQUIT
 *   (immediate shutdown, crash cycle) at once. A smart shutdown stops them
 *   at once too, as PostgreSQL does; a crash of either is a crash.
 *
 * NOTES
 *   No cost-based delay (autovacuum_vacuum_cost_*), no wrap-around
 *   vacuums, no per-table thresholds in reloptions but autovacuum_enabled.
 *   A worker holds its database as a backend does: DROP DATABASE meanwhile
 *   fails with 55006 (PostgreSQL terminates the worker instead).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <atomic>
#include <cstdint>

#include "engine/postmaster/config.h"
#include "engine/shmem/shmem.h"

namespace minipg {

/* The launcher's request to the postmaster, in shared memory. */
struct AutoVacuumShared {
  std::atomic<uint32_t> request_db;  // the database a new worker is for
  std::atomic<uint32_t> pending;     // 1: the launcher asks for a worker
};

shmem::ShmemRequest AutoVacuumShmemRequest();
/* The area (nullptr outside a server). */
AutoVacuumShared* AutoVacuumArea();

[[noreturn]] void AutoVacLauncherMain(const Config& config, int slot);
[[noreturn]] void AutoVacWorkerMain(const Config& config, int slot, uint32_t db_oid);

}  // namespace minipg
