/*-------------------------------------------------------------------------
 * pgstat.h
 *   Cumulative statistics: what the backends did, per database and per
 *   table, kept in one shared memory area that pg_stat_database,
 *   pg_statio_user_tables and pg_stat_user_tables read (PostgreSQL 15's
 *   pgstat.c, pgstat_database.c and pgstat_relation.c in spirit).
 *
 *   counting (this process's own counters, no lock):
 *     CountBlock(db, rel, hit)        a page of the relation asked of the
 *                                     buffer pool (ReadBuffer): read or hit
 *     CountSeqScan(db, rel)           a sequential scan started
 *     CountTuplesReturned(db, rel, n) rows a sequential scan returned
 *     CountTuplesFetched(db, rel, n)  heap rows an index scan fetched
 *     CountTuplesInserted / Deleted   rows written by the current transaction
 *     CountTuplesUpdated(db, rel, n)  rows updated (a new version each)
 *     EndXactTuples(commit)           its rows settle: inserted ones live
 *                                     (commit) or dead (abort), an updated
 *                                     or deleted row's old version dead
 *                                     (commit), an update's new one dead
 *                                     (abort)
 *   set at once in the shared entry (PostgreSQL's pgstat_report_vacuum /
 *   pgstat_report_analyze):
 *     ReportVacuum(db, rel, live, dead, auto)   n_live_tup, n_dead_tup as
 *                                     VACUUM counted them, n_ins_since_vacuum
 *                                     0, last_(auto)vacuum now, its count + 1
 *     ReportAnalyze(db, rel, live, dead, auto)  likewise for ANALYZE,
 *                                     n_mod_since_analyze 0
 *     CountChecksumFailure(db, rel)   a page read with a wrong checksum
 *     CountXactEnd(commit)            xact_commit / xact_rollback
 *     CountSessionStart / End         sessions, sessions_abandoned ...
 *   flushing:
 *     Report()  adds this process's counters to the shared entries under
 *               the area's LWLock ("PgStatsData") and zeroes them; a backend
 *               calls it when it goes idle outside a transaction (before
 *               ReadyForQuery) and when it exits, so a session sees its own
 *               work once its transaction has ended, and another session's
 *               once that one's has
 *   reading:
 *     ReadDatabase(db), ReadTables(db): copies, under the lock
 *   forgetting:
 *     DropRelation(db, rel) when a relation's files are removed,
 *     DropDatabase(db) with its database
 *
 * NOTES
 *   A relation is keyed by (database OID, relfilenode): minipg never gives
 *   a relation a new file, so its relfilenode is its OID. A shared
 *   catalog (database 0) counts in the database-0 row of pg_stat_database,
 *   as PostgreSQL's shared relations do.
 *   The area is a fixed table (kMaxStatsDatabases, kMaxStatsRelations): a
 *   relation that finds no free entry is not counted (overflowed() says
 *   how often); PostgreSQL's grows in dynamic shared memory.
 *   The counters live as long as the shared memory segment: a restart or a
 *   crash cycle starts them at zero (PostgreSQL keeps them across a clean
 *   restart in pg_stat/, and discards them after a crash).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <vector>

#include "engine/shmem/shmem.h"

namespace minipg::pgstat {

inline constexpr int kMaxStatsDatabases = 64;
inline constexpr int kMaxStatsRelations = 4096;  // a power of two

/* One relation's counters (pg_stat_user_tables, pg_statio_user_tables). */
struct RelCounts {
  uint64_t numscans = 0;         // seq_scan
  uint64_t tuples_returned = 0;  // seq_tup_read
  uint64_t tuples_fetched = 0;   // idx_tup_fetch: heap rows an index scan fetched
  uint64_t tuples_inserted = 0;  // n_tup_ins: committed or not, as PostgreSQL counts
  uint64_t tuples_updated = 0;   // n_tup_upd
  uint64_t tuples_deleted = 0;   // n_tup_del
  int64_t live_tuples = 0;       // n_live_tup: inserted - deleted by committed transactions
  int64_t dead_tuples = 0;       // n_dead_tup: deleted by committed ones, inserted by aborted ones
  uint64_t mod_since_analyze = 0;  // n_mod_since_analyze (committed changes since ANALYZE)
  uint64_t ins_since_vacuum = 0;   // n_ins_since_vacuum (committed inserts since VACUUM)
  uint64_t blocks_read = 0;        // heap_blks_read: pages read from the file (or added to it)
  uint64_t blocks_hit = 0;         // heap_blks_hit: pages found in shared buffers
  uint64_t checksum_failures = 0;  // pages read with a wrong checksum (pg_stat_database)
  int64_t checksum_last_failure =
      0;  // when the last one was read (microseconds since the epoch; 0 = none)
  // VACUUM and ANALYZE (microseconds since the epoch; 0 = never)
  int64_t last_vacuum = 0, last_autovacuum = 0, last_analyze = 0, last_autoanalyze = 0;
  uint64_t vacuum_count = 0, autovacuum_count = 0, analyze_count = 0, autoanalyze_count = 0;
};

/* One database's counters (pg_stat_database). */
struct DbCounts {
  uint64_t xact_commit = 0;
  uint64_t xact_rollback = 0;
  uint64_t blocks_read = 0;  // the sums of its relations'
  uint64_t blocks_hit = 0;
  uint64_t tuples_returned = 0;
  uint64_t tuples_fetched = 0;
  uint64_t tuples_inserted = 0;
  uint64_t tuples_updated = 0;
  uint64_t tuples_deleted = 0;
  uint64_t checksum_failures = 0;
  int64_t checksum_last_failure = 0;  // microseconds since the epoch; 0 = none
  uint64_t sessions = 0;              // sessions established (after authentication)
  uint64_t sessions_abandoned = 0;    // ended by the client going away without Terminate
  uint64_t sessions_fatal = 0;        // ended by a FATAL error
  uint64_t sessions_killed = 0;       // ended by pg_terminate_backend or a shutdown
};

struct TableStats {
  uint32_t db = 0;
  uint32_t rel = 0;
  RelCounts counts;
};

/* ---- the postmaster ----------------------------------------------------- */

/* The "Shared Statistics" area; pass it with the other requests to
 * shmem::CreateSharedMemory. */
shmem::ShmemRequest StatsShmemRequest();

/* ---- counting (this process) --------------------------------------------- */

/* The database this backend's transactions and sessions count in
 * (MyDatabase: 0 until set, e.g. in a process that is no backend). */
void SetMyDatabase(uint32_t db);
uint32_t MyDatabase();

void CountBlock(uint32_t db, uint32_t rel, bool hit);
/* A page of the relation failed its checksum when read (now). */
void CountChecksumFailure(uint32_t db, uint32_t rel);
void CountSeqScan(uint32_t db, uint32_t rel);
void CountTuplesReturned(uint32_t db, uint32_t rel, uint64_t n);
void CountTuplesFetched(uint32_t db, uint32_t rel, uint64_t n);
void CountTuplesInserted(uint32_t db, uint32_t rel, uint64_t n);
void CountTuplesDeleted(uint32_t db, uint32_t rel, uint64_t n);
void CountTuplesUpdated(uint32_t db, uint32_t rel, uint64_t n);
/* The current transaction ended: its inserted and deleted rows settle. */
void EndXactTuples(bool commit);
void CountXactEnd(bool commit);

enum class SessionEnd : uint8_t { kNormal, kAbandoned, kFatal, kKilled };
void CountSessionStart();
void CountSessionEnd(SessionEnd how);

/* Adds this process's counters to shared memory and zeroes them (no-op
 * without the area, or with nothing counted). */
void Report();

/* VACUUM / ANALYZE of the relation just ended, counting `live` and `dead`
 * rows (`autovacuum`: by an autovacuum worker). */
void ReportVacuum(uint32_t db, uint32_t rel, int64_t live, int64_t dead, bool autovacuum);
void ReportAnalyze(uint32_t db, uint32_t rel, int64_t live, int64_t dead, bool autovacuum);

/* ---- reading ------------------------------------------------------------ */

/* The database's counters (zeros if it has none yet). */
DbCounts ReadDatabase(uint32_t db);
/* Every relation of the database that has counters, by relfilenode. */
std::vector<TableStats> ReadTables(uint32_t db);
/* How many times a relation could not be given an entry (the table was full). */
uint64_t Overflowed();

/* ---- forgetting --------------------------------------------------------- */

void DropRelation(uint32_t db, uint32_t rel);
void DropDatabase(uint32_t db);

}  // namespace minipg::pgstat
