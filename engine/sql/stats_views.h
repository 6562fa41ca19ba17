/*-------------------------------------------------------------------------
 * stats_views.h
 *   The cumulative statistics views (engine/shmem/pgstat.h), with
 *   PostgreSQL 15's columns in its order:
 *
 *   pg_stat_database       a row for the shared objects (datid 0, datname
 *                          NULL), then one per database
 *   pg_statio_user_tables  a row per table of the connected database:
 *                          pages read and found in shared buffers
 *   pg_stat_user_tables    a row per table: scans, rows read and written,
 *                          live and dead rows
 *
 *   system_views.cpp finds them through StatsViews() as it finds its own.
 *
 * NOTES
 *   A table's name comes from the catalog through one function
 *   (UserTablesByOid in stats_views.cpp); the counters are keyed by OID.
 *   Columns of features minipg does not have yet (indexes, TOAST, VACUUM,
 *   ANALYZE, checksums, timing) are what PostgreSQL shows without them:
 *   NULL or 0. PostgreSQL's double precision time columns are bigint here
 *   (0) until minipg has that type.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <vector>

#include "engine/sql/system_views.h"

namespace minipg::sql {

const std::vector<SystemView>& StatsViews();

}  // namespace minipg::sql
