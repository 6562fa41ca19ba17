/*-------------------------------------------------------------------------
 * lock_views.h
 *   pg_locks (PostgreSQL's view over pg_lock_status()) and
 *   pg_blocking_pids(): what the lock manager (storage/lmgr/lock.h) holds
 *   and who waits for whom, read from the shared lock table.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <vector>

#include "engine/common/error.h"
#include "engine/sql/session.h"
#include "engine/storage/datum.h"

namespace minipg::sql {

/* pg_locks' rows: one per lock mode a process holds, and one per wait. */
Result<std::vector<storage::Tuple>> PgLocks(const SessionContext& ctx);

/* pg_blocking_pids(pid): int[] of the processes blocking `pid`'s wait. */
storage::Datum BlockingPids(int64_t pid);

}  // namespace minipg::sql
