/*-------------------------------------------------------------------------
 * storage_views_test.cpp
 *   The storage functions and views against a real server through psql:
 *   their columns are PostgreSQL 15's (names as /work/ref15.md measured
 *   them), pg_buffercache has a row per shared buffer, the WAL positions
 *   are ordered (flush <= write <= insert) and never go back across
 *   CHECKPOINT, pg_walfile_name answers as PostgreSQL does.
 *-------------------------------------------------------------------------
 */
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "engine/storage/wal/wal_layout.h"
#include "tests/integration/server_harness.h"

namespace minipg::testing {
namespace {

bool HavePsql() { return RunCommand("command -v psql >/dev/null 2>&1").status == 0; }

/* psql's unaligned output of `sql` (header line included), line by line. */
std::vector<std::string> Psql(const Server& server, const std::string& sql) {
  auto r = RunCommand("psql -X -q -A -h 127.0.0.1 -p " + std::to_string(server.port()) + " -U " + Superuser() +
                      " -d postgres -c \"" + sql + "\" 2>&1");
  std::vector<std::string> lines;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

uint64_t Lsn(const std::string& text) {
  auto lsn = storage::wal::ParseLsn(text);
  EXPECT_TRUE(lsn.has_value()) << text;
  return lsn.value_or(0);
}

TEST(StorageViewsTest, ColumnsAndValuesAsPostgres) {
  if (!HavePsql()) GTEST_SKIP() << "psql is not installed (scripts/install-deps.sh installs it)";
  Server server({"shared_buffers=1MB"});  // 128 buffers
  ASSERT_TRUE(server.Start());

  EXPECT_EQ(Psql(server, "SELECT * FROM pg_buffercache")[0], "ERROR:  relation \"pg_buffercache\" does not exist");
  // Whatever it names, a query of the view before CREATE EXTENSION finds no relation (not 42703).
  EXPECT_EQ(Psql(server, "SELECT nosuchcolumn FROM pg_buffercache")[0],
            "ERROR:  relation \"pg_buffercache\" does not exist");
  EXPECT_EQ(Psql(server, "CREATE EXTENSION IF NOT EXISTS pg_buffercache"), std::vector<std::string>{});
  auto buffers = Psql(server, "SELECT * FROM pg_buffercache ORDER BY bufferid");
  ASSERT_EQ(buffers.size(), 1u + 128u + 1u);  // header, a row per buffer, "(128 rows)"
  EXPECT_EQ(buffers[0],
            "bufferid|relfilenode|reltablespace|reldatabase|relforknumber|relblocknumber|isdirty|usagecount|"
            "pinning_backends");
  EXPECT_EQ(buffers[1].substr(0, 2), "1|");
  EXPECT_EQ(buffers[128].substr(0, 4), "128|");
  EXPECT_EQ(buffers[129], "(128 rows)");

  EXPECT_EQ(Psql(server, "SELECT pg_walfile_name('0/16B3748')"),
            (std::vector<std::string>{"pg_walfile_name", "000000010000000000000001", "(1 row)"}));

  // A bad literal is pointed at, as PostgreSQL points at bad pg_lsn input.
  EXPECT_EQ(Psql(server, "SELECT pg_walfile_name('bogus')"),
            (std::vector<std::string>{"ERROR:  invalid input syntax for type pg_lsn: \"bogus\"",
                                      "LINE 1: SELECT pg_walfile_name('bogus')", std::string(31, ' ') + "^"}));

  auto control = Psql(server, "SELECT * FROM pg_control_checkpoint()");
  ASSERT_EQ(control.size(), 3u);
  EXPECT_EQ(control[0],
            "checkpoint_lsn|redo_lsn|redo_wal_file|timeline_id|prev_timeline_id|full_page_writes|next_xid|next_oid|"
            "next_multixact_id|next_multi_offset|oldest_xid|oldest_xid_dbid|oldest_active_xid|oldest_multi_xid|"
            "oldest_multi_dbid|oldest_commit_ts_xid|newest_commit_ts_xid|checkpoint_time");
  EXPECT_NE(control[1].find("|1|1|t|0:"), std::string::npos) << control[1];  // timelines, full_page_writes, next_xid

  EXPECT_EQ(Psql(server, "SELECT * FROM pg_stat_wal")[0],
            "wal_records|wal_fpi|wal_bytes|wal_buffers_full|wal_write|wal_sync|wal_write_time|wal_sync_time|"
            "stats_reset");
  EXPECT_EQ(Psql(server, "SELECT * FROM pg_stat_bgwriter")[0],
            "checkpoints_timed|checkpoints_req|checkpoint_write_time|checkpoint_sync_time|buffers_checkpoint|"
            "buffers_clean|maxwritten_clean|buffers_backend|buffers_backend_fsync|buffers_alloc|stats_reset");

  // The positions are ordered and never go back, across a checkpoint too.
  auto positions = [&] {
    auto p = Psql(server, "SELECT pg_current_wal_flush_lsn(), pg_current_wal_lsn(), pg_current_wal_insert_lsn()");
    EXPECT_EQ(p.size(), 3u);
    std::vector<uint64_t> out;
    std::istringstream row(p.size() > 1 ? p[1] : "");
    for (std::string field; std::getline(row, field, '|');) out.push_back(Lsn(field));
    EXPECT_EQ(out.size(), 3u);
    out.resize(3);
    EXPECT_LE(out[0], out[1]);
    EXPECT_LE(out[1], out[2]);
    return out;
  };
  auto before = positions();
  EXPECT_GT(before[2], 0u);  // a running server has a WAL insert position
  EXPECT_EQ(Psql(server, "CHECKPOINT"), std::vector<std::string>{});
  auto after = positions();
  for (int i = 0; i < 3; ++i) EXPECT_LE(before[i], after[i]) << i;

  auto size = Psql(server, "CREATE TABLE t (a int); SELECT pg_relation_filepath('t'), pg_database_size('postgres') > 0");
  ASSERT_EQ(size.size(), 3u);
  EXPECT_EQ(size[1].substr(0, 7), "base/5/");
  EXPECT_EQ(size[1].substr(size[1].size() - 2), "|t");
}

}  // namespace
}  // namespace minipg::testing
