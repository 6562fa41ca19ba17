/*-------------------------------------------------------------------------
 * data_dir.h
 *   The data directory: creating it on first start, and the lock file
 *   (postmaster.pid) that keeps two servers out of one directory.
 *
 *   A data directory holds
 *     PG_VERSION        "15" and a newline: marks a minipg data directory
 *     minipg.conf       settings (PostgreSQL's postgresql.conf format)
 *     postmaster.pid    while a server runs: its pid, data directory,
 *                       start time, port, socket directory, listen address
 *                       and (line 7) the key and id of its System V
 *                       interlock segment (engine/shmem/interlock.h)
 *     pg_hba.conf       client authentication rules (engine/auth/hba.h)
 *     global/, base/    the storage layer's catalogs and table files
 *-------------------------------------------------------------------------
 */
#pragma once

#include <filesystem>
#include <string_view>

#include "engine/common/error.h"
#include "engine/postmaster/config.h"

namespace minipg {

/* Initializes an empty or missing directory; `created` says whether it did.
 * `superuser` names the bootstrap superuser of a new directory (initdb -U);
 * empty = the OS user running the server. */
Status PrepareDataDirectory(const std::filesystem::path& dir, bool& created, std::string_view superuser = {});

/* Creates postmaster.pid, or fails if a live server holds the directory. */
Status CreateLockFile(const Config& config);
void RemoveLockFile(const Config& config);
/* Adds line 7 to postmaster.pid: the interlock segment's key and id, as
 * PostgreSQL's "%9lu %9lu" line. */
Status AddInterlockToLockFile(const Config& config, long key, int id);

}  // namespace minipg
