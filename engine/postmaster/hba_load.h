/*-------------------------------------------------------------------------
 * hba_load.h
 *   The postmaster's side of pg_hba.conf: load it at start, re-load it on
 *   SIGHUP, log its errors as PostgreSQL does:
 *
 *     LOG:  invalid authentication method "bogus"
 *     CONTEXT:  line 12 of configuration file "/data/pg_hba.conf"
 *     LOG:  pg_hba.conf was not reloaded        (on SIGHUP; the old rules stay)
 *     FATAL:  could not load pg_hba.conf        (at start; the server exits)
 *-------------------------------------------------------------------------
 */
#pragma once

#include <vector>

#include "engine/auth/hba.h"
#include "engine/postmaster/config.h"

namespace minipg {

inline constexpr const char* kHbaFileName = "pg_hba.conf";

/* Parses DATADIR/pg_hba.conf into `rules` (left untouched on any error);
 * logs each error with its line and emits "hba_reload" when `reload`.
 * Returns whether the file was used. */
bool LoadHbaRules(const Config& config, std::vector<auth::HbaLine>& rules, bool reload);

}  // namespace minipg
