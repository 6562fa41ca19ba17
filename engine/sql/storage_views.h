/*-------------------------------------------------------------------------
 * storage_views.h
 *   The rows of the system views over shared buffers, the WAL and the
 *   control file (listed with their columns in system_views.cpp):
 *
 *   pg_buffercache         one row per shared buffer (SnapshotBuffers)
 *   pg_stat_wal            the WAL area's counters (GetWalStats)
 *   pg_stat_bgwriter       the buffer pool's write counters (ReadBgWriterStats)
 *   pg_control_checkpoint  the last checkpoint as global/pg_control says;
 *                          also callable as a function in FROM
 *-------------------------------------------------------------------------
 */
#pragma once

#include <vector>

#include "engine/common/error.h"
#include "engine/sql/session.h"
#include "engine/storage/datum.h"

namespace minipg::sql {

Result<std::vector<storage::Tuple>> PgBuffercacheRows(const SessionContext& ctx);
Result<std::vector<storage::Tuple>> PgStatWalRows(const SessionContext& ctx);
Result<std::vector<storage::Tuple>> PgStatBgwriterRows(const SessionContext& ctx);
Result<std::vector<storage::Tuple>> PgControlCheckpointRows(const SessionContext& ctx);

}  // namespace minipg::sql
