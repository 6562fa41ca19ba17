/*-------------------------------------------------------------------------
 * pgstat.cpp
 *   Cumulative statistics (see pgstat.h).
 *
 *   The shared area ("Shared Statistics"):
 *
 *     LWLock lock            every read and write of the entries
 *     uint64 overflowed      relations that found no free entry
 *     DbEntry   dbs[64]      a database's counters, found by a linear look
 *     RelEntry  rels[4096]   a relation's counters, open addressing on
 *                            (db, rel) with linear probing; a dropped
 *                            entry becomes a tombstone that later probes
 *                            walk past and inserts reuse
 *
 * NOTES
 *   Counting touches only this process's own map, so a ReadBuffer pays a
 *   hash lookup and no lock; Report() takes the lock once per flush.
 *-------------------------------------------------------------------------
 */
#include "engine/shmem/pgstat.h"

#include <algorithm>
#include <unordered_map>

#include "engine/shmem/backend_status.h"
#include "engine/shmem/lwlock.h"

namespace minipg::pgstat {
namespace {

enum class EntryState : uint8_t { kEmpty = 0, kUsed, kDropped };

struct DbEntry {
  bool used;
  uint32_t db;
  DbCounts counts;
};

struct RelEntry {
  EntryState state;
  uint32_t db;
  uint32_t rel;
  RelCounts counts;
};

struct StatsShared {
  shmem::LWLock lock;
  uint64_t overflowed;
  DbEntry dbs[kMaxStatsDatabases];
  RelEntry rels[kMaxStatsRelations];
};

constexpr const char* kAreaName = "Shared Statistics";

/* Looked up by name at each flush or read (not per count): a crash cycle
 * gives children a new segment. */
StatsShared* Shared() {
  return static_cast<StatsShared*>(shmem::ShmemArea(kAreaName));
}

/* ---- this process's counters -------------------------------------------- */

struct PendingRel {
  RelCounts counts;
  int64_t xact_inserted = 0;  // by the transaction in progress
  int64_t xact_deleted = 0;
  int64_t xact_updated = 0;
};

uint64_t Key(uint32_t db, uint32_t rel) {
  return (uint64_t{db} << 32) | rel;
}

struct Pending {
  std::unordered_map<uint64_t, PendingRel> rels;
  DbCounts db;  // this backend's database: transactions and sessions
  bool any = false;
};
Pending g_pending;
uint32_t g_my_db = 0;
bool g_have_db = false;

PendingRel& Rel(uint32_t db, uint32_t rel) {
  g_pending.any = true;
  return g_pending.rels[Key(db, rel)];
}

/* ---- the shared entries (lock held) ------------------------------------- */

DbEntry* FindDb(StatsShared* s, uint32_t db, bool create) {
  DbEntry* free_entry = nullptr;
  for (DbEntry& e : s->dbs) {
    if (e.used && e.db == db) return &e;
    if (!e.used && free_entry == nullptr) free_entry = &e;
  }
  if (!create) return nullptr;
  if (free_entry == nullptr) {
    ++s->overflowed;
    return nullptr;
  }
  *free_entry = DbEntry{true, db, DbCounts{}};
  return free_entry;
}

RelEntry* FindRel(StatsShared* s, uint32_t db, uint32_t rel, bool create) {
  constexpr uint64_t kMask = kMaxStatsRelations - 1;
  uint64_t h = Key(db, rel) * 0x9E3779B97F4A7C15ULL;
  h ^= h >> 29;
  RelEntry* reuse = nullptr;
  for (uint64_t i = 0; i < kMaxStatsRelations; ++i) {
    RelEntry& e = s->rels[(h + i) & kMask];
    if (e.state == EntryState::kEmpty) {
      if (reuse == nullptr) reuse = &e;
      break;
    }
    if (e.state == EntryState::kDropped) {
      if (reuse == nullptr) reuse = &e;
      continue;
    }
    if (e.db == db && e.rel == rel) return &e;
  }
  if (!create) return nullptr;
  if (reuse == nullptr) {
    ++s->overflowed;
    return nullptr;
  }
  *reuse = RelEntry{EntryState::kUsed, db, rel, RelCounts{}};
  return reuse;
}

void Add(RelCounts& to, const RelCounts& c) {
  to.numscans += c.numscans;
  to.tuples_returned += c.tuples_returned;
  to.tuples_fetched += c.tuples_fetched;
  to.tuples_inserted += c.tuples_inserted;
  to.tuples_updated += c.tuples_updated;
  to.tuples_deleted += c.tuples_deleted;
  to.live_tuples += c.live_tuples;
  to.dead_tuples += c.dead_tuples;
  to.mod_since_analyze += c.mod_since_analyze;
  to.ins_since_vacuum += c.ins_since_vacuum;
  to.blocks_read += c.blocks_read;
  to.blocks_hit += c.blocks_hit;
  to.checksum_failures += c.checksum_failures;
  to.checksum_last_failure = std::max(to.checksum_last_failure, c.checksum_last_failure);
  // last_* and *_count are set in the shared entry directly (ReportVacuum).
}

void Add(DbCounts& to, const DbCounts& c) {
  to.xact_commit += c.xact_commit;
  to.xact_rollback += c.xact_rollback;
  to.blocks_read += c.blocks_read;
  to.blocks_hit += c.blocks_hit;
  to.tuples_returned += c.tuples_returned;
  to.tuples_fetched += c.tuples_fetched;
  to.tuples_inserted += c.tuples_inserted;
  to.tuples_updated += c.tuples_updated;
  to.tuples_deleted += c.tuples_deleted;
  to.checksum_failures += c.checksum_failures;
  to.checksum_last_failure = std::max(to.checksum_last_failure, c.checksum_last_failure);
  to.sessions += c.sessions;
  to.sessions_abandoned += c.sessions_abandoned;
  to.sessions_fatal += c.sessions_fatal;
  to.sessions_killed += c.sessions_killed;
}

/* What a relation's counters add to its database's (PostgreSQL sums the
 * table counters into the database's the same way). */
DbCounts DbPart(const RelCounts& c) {
  DbCounts d;
  d.blocks_read = c.blocks_read;
  d.blocks_hit = c.blocks_hit;
  d.tuples_returned = c.tuples_returned;
  d.tuples_fetched = c.tuples_fetched;
  d.tuples_inserted = c.tuples_inserted;
  d.tuples_updated = c.tuples_updated;
  d.tuples_deleted = c.tuples_deleted;
  d.checksum_failures = c.checksum_failures;
  d.checksum_last_failure = c.checksum_last_failure;
  return d;
}

}  // namespace

shmem::ShmemRequest StatsShmemRequest() {
  return {kAreaName, sizeof(StatsShared), [](void* p) {
            auto* s = static_cast<StatsShared*>(p);
            shmem::LWLockInit(&s->lock, shmem::LWLockTranche::kPgStatsData);
          }};
}

void SetMyDatabase(uint32_t db) {
  g_my_db = db;
  g_have_db = true;
}

uint32_t MyDatabase() {
  return g_my_db;
}

void CountBlock(uint32_t db, uint32_t rel, bool hit) {
  RelCounts& c = Rel(db, rel).counts;
  ++(hit ? c.blocks_hit : c.blocks_read);
}

void CountChecksumFailure(uint32_t db, uint32_t rel) {
  RelCounts& c = Rel(db, rel).counts;
  ++c.checksum_failures;
  c.checksum_last_failure = shmem::WallClockMicros();
}

void CountSeqScan(uint32_t db, uint32_t rel) {
  ++Rel(db, rel).counts.numscans;
}

void CountTuplesReturned(uint32_t db, uint32_t rel, uint64_t n) {
  Rel(db, rel).counts.tuples_returned += n;
}

void CountTuplesFetched(uint32_t db, uint32_t rel, uint64_t n) {
  Rel(db, rel).counts.tuples_fetched += n;
}

void CountTuplesInserted(uint32_t db, uint32_t rel, uint64_t n) {
  PendingRel& r = Rel(db, rel);
  r.counts.tuples_inserted += n;
  r.xact_inserted += static_cast<int64_t>(n);
}

void CountTuplesDeleted(uint32_t db, uint32_t rel, uint64_t n) {
  PendingRel& r = Rel(db, rel);
  r.counts.tuples_deleted += n;
  r.xact_deleted += static_cast<int64_t>(n);
}

void CountTuplesUpdated(uint32_t db, uint32_t rel, uint64_t n) {
  PendingRel& r = Rel(db, rel);
  r.counts.tuples_updated += n;
  r.xact_updated += static_cast<int64_t>(n);
}

void EndXactTuples(bool commit) {
  for (auto& [key, r] : g_pending.rels) {
    if (r.xact_inserted == 0 && r.xact_deleted == 0 && r.xact_updated == 0) continue;
    if (commit) {
      r.counts.live_tuples += r.xact_inserted - r.xact_deleted;
      r.counts.dead_tuples += r.xact_deleted + r.xact_updated;
      r.counts.mod_since_analyze += static_cast<uint64_t>(r.xact_inserted + r.xact_deleted + r.xact_updated);
      r.counts.ins_since_vacuum += static_cast<uint64_t>(r.xact_inserted);
    } else {
      // What it inserted (new versions included) is dead; what it deleted lives on.
      r.counts.dead_tuples += r.xact_inserted + r.xact_updated;
    }
    r.xact_inserted = r.xact_deleted = r.xact_updated = 0;
  }
}

namespace {

/* Sets the shared entry's counts after a VACUUM or ANALYZE. */
void ReportMaintenance(uint32_t db, uint32_t rel, int64_t live, int64_t dead, bool vacuum, bool autovacuum) {
  StatsShared* s = Shared();
  if (s == nullptr) return;
  shmem::LWLockGuard guard(&s->lock, shmem::LWLockMode::kExclusive);
  RelEntry* e = FindRel(s, db, rel, true);
  if (e == nullptr) return;
  RelCounts& c = e->counts;
  c.live_tuples = live;
  c.dead_tuples = dead;
  int64_t now = shmem::WallClockMicros();
  if (vacuum) {
    c.ins_since_vacuum = 0;
    ++(autovacuum ? c.autovacuum_count : c.vacuum_count);
    (autovacuum ? c.last_autovacuum : c.last_vacuum) = now;
  } else {
    c.mod_since_analyze = 0;
    ++(autovacuum ? c.autoanalyze_count : c.analyze_count);
    (autovacuum ? c.last_autoanalyze : c.last_analyze) = now;
  }
}

}  // namespace

void ReportVacuum(uint32_t db, uint32_t rel, int64_t live, int64_t dead, bool autovacuum) {
  ReportMaintenance(db, rel, live, dead, true, autovacuum);
}

void ReportAnalyze(uint32_t db, uint32_t rel, int64_t live, int64_t dead, bool autovacuum) {
  ReportMaintenance(db, rel, live, dead, false, autovacuum);
}

void CountXactEnd(bool commit) {
  g_pending.any = true;
  ++(commit ? g_pending.db.xact_commit : g_pending.db.xact_rollback);
}

void CountSessionStart() {
  g_pending.any = true;
  ++g_pending.db.sessions;
}

void CountSessionEnd(SessionEnd how) {
  g_pending.any = true;
  switch (how) {
    case SessionEnd::kNormal:
      break;
    case SessionEnd::kAbandoned:
      ++g_pending.db.sessions_abandoned;
      break;
    case SessionEnd::kFatal:
      ++g_pending.db.sessions_fatal;
      break;
    case SessionEnd::kKilled:
      ++g_pending.db.sessions_killed;
      break;
  }
}

void Report() {
  StatsShared* s = Shared();
  if (s == nullptr || !g_pending.any) return;
  {
    shmem::LWLockGuard guard(&s->lock, shmem::LWLockMode::kExclusive);
    for (auto& [key, r] : g_pending.rels) {
      auto db = static_cast<uint32_t>(key >> 32);
      auto rel = static_cast<uint32_t>(key);
      if (RelEntry* e = FindRel(s, db, rel, true)) Add(e->counts, r.counts);
      if (DbEntry* d = FindDb(s, db, true)) Add(d->counts, DbPart(r.counts));
    }
    if (g_have_db) {
      if (DbEntry* d = FindDb(s, g_my_db, true)) Add(d->counts, g_pending.db);
    }
  }
  // Rows of a transaction still in progress stay pending until it ends.
  for (auto it = g_pending.rels.begin(); it != g_pending.rels.end();) {
    if (it->second.xact_inserted != 0 || it->second.xact_deleted != 0 || it->second.xact_updated != 0) {
      it->second.counts = RelCounts{};
      ++it;
    } else {
      it = g_pending.rels.erase(it);
    }
  }
  g_pending.db = DbCounts{};
  g_pending.any = !g_pending.rels.empty();
}

DbCounts ReadDatabase(uint32_t db) {
  StatsShared* s = Shared();
  if (s == nullptr) return {};
  shmem::LWLockGuard guard(&s->lock, shmem::LWLockMode::kShared);
  const DbEntry* d = FindDb(s, db, false);
  return d != nullptr ? d->counts : DbCounts{};
}

std::vector<TableStats> ReadTables(uint32_t db) {
  std::vector<TableStats> out;
  StatsShared* s = Shared();
  if (s == nullptr) return out;
  shmem::LWLockGuard guard(&s->lock, shmem::LWLockMode::kShared);
  for (const RelEntry& e : s->rels) {
    if (e.state == EntryState::kUsed && e.db == db) out.push_back({e.db, e.rel, e.counts});
  }
  return out;
}

uint64_t Overflowed() {
  StatsShared* s = Shared();
  if (s == nullptr) return 0;
  shmem::LWLockGuard guard(&s->lock, shmem::LWLockMode::kShared);
  return s->overflowed;
}

void DropRelation(uint32_t db, uint32_t rel) {
  g_pending.rels.erase(Key(db, rel));
  StatsShared* s = Shared();
  if (s == nullptr) return;
  shmem::LWLockGuard guard(&s->lock, shmem::LWLockMode::kExclusive);
  if (RelEntry* e = FindRel(s, db, rel, false)) e->state = EntryState::kDropped;
}

void DropDatabase(uint32_t db) {
  StatsShared* s = Shared();
  if (s == nullptr) return;
  shmem::LWLockGuard guard(&s->lock, shmem::LWLockMode::kExclusive);
  for (RelEntry& e : s->rels) {
    if (e.state == EntryState::kUsed && e.db == db) e.state = EntryState::kDropped;
  }
  if (DbEntry* d = FindDb(s, db, false)) d->used = false;
}

}  // namespace minipg::pgstat
