/*-------------------------------------------------------------------------
 * lock_wait.h
 *   How a server process reports waiting for a lock. The storage layer's
 *   locks are flock()s on the global catalog and DDL lock files (storage/file_util.h);
 *   when one must wait for another process's, this hook makes the wait
 *   visible as PostgreSQL makes a lock wait visible: pg_stat_activity's
 *   wait_event_type "Lock" (wait_event "relation") for as long as it lasts,
 *   and a lock_wait / lock_acquired pair of events in the stream.
 *
 *     InstallLockWaitReporting();   // once, in the postmaster: children inherit it
 *-------------------------------------------------------------------------
 */
#pragma once

namespace minipg {

void InstallLockWaitReporting();

}  // namespace minipg
