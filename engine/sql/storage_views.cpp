/*-------------------------------------------------------------------------
 * storage_views.cpp
 *   Row functions of the storage views (see storage_views.h).
 *
 * NOTES
 *   The counters are the shared ones since the server (re)made its shared
 *   memory, so stats_reset is when the oldest live server process started.
 *   minipg has no multixacts, commit timestamps nor freezing: those fields
 *   of pg_control_checkpoint() are what a new PostgreSQL cluster shows.
 *-------------------------------------------------------------------------
 */
#include "engine/sql/storage_views.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/common/sqlstate.h"
#include "engine/shmem/backend_status.h"
#include "engine/shmem/shmem.h"
#include "engine/storage/block.h"
#include "engine/storage/buffer/buffer_pool.h"
#include "engine/storage/control_file.h"
#include "engine/storage/wal/wal_layout.h"
#include "engine/storage/wal/xlog.h"

namespace minipg::sql {
namespace {

using storage::Datum;
using storage::Tuple;
using Rows = Result<std::vector<Tuple>>;

Datum Null() {
  return std::monostate{};
}
Datum Int(int64_t v) {
  return Datum(v);
}

/* When the shared counters started: the oldest server process's start. */
Datum StatsReset() {
  int64_t oldest = 0;
  for (const shmem::BackendStatusCopy& s : shmem::ReadProcArray()) {
    if (s.backend_start != 0 && (oldest == 0 || s.backend_start < oldest)) oldest = s.backend_start;
  }
  return oldest != 0 ? Datum(oldest) : Null();
}

}  // namespace

Rows PgBuffercacheRows(const SessionContext&) {
  // Before CREATE EXTENSION the analyzer does not find the view at all
  // (SystemView::extension), as PostgreSQL has no such relation then.
  std::vector<Tuple> rows;
  for (const storage::BufferSnapshot& b : storage::SnapshotBuffers()) {
    // PostgreSQL's pg_buffercache: a buffer without a valid page shows only its number.
    if (!b.tag || !b.valid) {
      rows.push_back({Int(b.bufferid), Null(), Null(), Null(), Null(), Null(), Null(), Null(), Null()});
      continue;
    }
    rows.push_back({
        Int(b.bufferid),                          // bufferid
        Int(b.tag->rel.rel_number),               // relfilenode
        Int(b.tag->rel.spc_oid),                  // reltablespace
        Int(b.tag->rel.db_oid),                   // reldatabase
        Int(static_cast<int>(b.tag->fork)),       // relforknumber
        Int(b.tag->block),                        // relblocknumber
        Datum(b.isdirty),                         // isdirty
        Int(b.usagecount),                        // usagecount
        Int(b.pinning_backends),                  // pinning_backends
    });
  }
  return rows;
}

Rows PgStatWalRows(const SessionContext&) {
  storage::wal::WalStats s = storage::wal::GetWalStats();
  return std::vector<Tuple>{{
      Int(static_cast<int64_t>(s.wal_records)),
      Int(static_cast<int64_t>(s.wal_fpi)),
      Int(static_cast<int64_t>(s.wal_bytes)),
      Int(static_cast<int64_t>(s.wal_buffers_full)),
      Int(static_cast<int64_t>(s.wal_write)),
      Int(static_cast<int64_t>(s.wal_sync)),
      Int(0),  // wal_write_time: track_wal_io_timing is off, as PostgreSQL's default
      Int(0),  // wal_sync_time
      StatsReset(),
  }};
}

Rows PgStatBgwriterRows(const SessionContext&) {
  storage::BgWriterStats s = storage::ReadBgWriterStats();
  const shmem::ShmemHeader* h = shmem::Header();
  auto checkpointer = [h](const std::atomic<uint64_t> shmem::CheckpointerShared::*field) {
    return h != nullptr ? static_cast<int64_t>((h->checkpointer.*field).load()) : 0;
  };
  return std::vector<Tuple>{{
      Int(checkpointer(&shmem::CheckpointerShared::checkpoints_timed)),      // checkpoints_timed
      Int(checkpointer(&shmem::CheckpointerShared::checkpoints_req)),        // checkpoints_req
      Int(checkpointer(&shmem::CheckpointerShared::write_time_us) / 1000),   // checkpoint_write_time, whole ms
      Int(checkpointer(&shmem::CheckpointerShared::sync_time_us) / 1000),    // checkpoint_sync_time
      Int(static_cast<int64_t>(s.buffers_checkpoint)),
      Int(static_cast<int64_t>(s.buffers_clean)),
      Int(static_cast<int64_t>(s.maxwritten_clean)),
      Int(static_cast<int64_t>(s.buffers_backend)),
      Int(0),  // buffers_backend_fsync: backends never fsync (the checkpointer does)
      Int(static_cast<int64_t>(s.buffers_alloc)),
      StatsReset(),
  }};
}

Rows PgControlCheckpointRows(const SessionContext& ctx) {
  if (ctx.cluster_dir.empty()) {
    return MakeError(sqlstate::kFeatureNotSupported, "this session has no data directory");
  }
  auto read = storage::ReadControlFile(ctx.cluster_dir);
  if (!read.ok()) return read.error();
  if (!*read) return MakeError(sqlstate::kInternalError, "could not read control file");
  const storage::ControlFile& c = **read;
  auto text = [](std::string s) { return Datum(std::move(s)); };
  return std::vector<Tuple>{{
      text(storage::FormatLsn(c.checkpoint_lsn)),                                    // checkpoint_lsn
      text(storage::FormatLsn(c.redo_lsn)),                                          // redo_lsn
      text(storage::wal::WalFileName(storage::wal::LsnToSeg(c.redo_lsn), c.timeline)),  // redo_wal_file
      Int(c.timeline),                                                               // timeline_id
      Int(c.timeline),                                                               // prev_timeline_id
      Datum(c.full_page_writes),                                                     // full_page_writes
      text(fmt::format("0:{}", c.next_xid)),                                         // next_xid (epoch 0)
      Int(c.next_oid),                                                               // next_oid
      Int(c.next_multi),                                                             // next_multixact_id
      Int(c.next_multi_offset),                                                      // next_multi_offset
      Int(storage::kFirstNormalTransactionId),                                       // oldest_xid: no freezing
      Int(1),                                                                        // oldest_xid_dbid
      Int(0),                                                                        // oldest_active_xid
      Int(1),                                                                        // oldest_multi_xid
      Int(1),                                                                        // oldest_multi_dbid
      Int(0),                                                                        // oldest_commit_ts_xid
      Int(0),                                                                        // newest_commit_ts_xid
      c.checkpoint_time != 0 ? Datum(c.checkpoint_time / 1000000 * 1000000) : Null(),  // checkpoint_time: whole seconds, as pg_control keeps it
  }};
}

}  // namespace minipg::sql
