/*
 * stats_test.cpp
 *   The cumulative statistics through a real server, as PostgreSQL 15
 *   counts them: a session's rows, scans and pages show in
 *   pg_stat_user_tables, pg_statio_user_tables and pg_stat_database once
 *   its transaction has ended (and not before, for another session);
 *   ROLLBACK and errors count in xact_rollback once per transaction; a
 *   dropped table's counters go; pg_stat_activity.backend_xid appears at a
 *   transaction's first write; sessions count by how they end; CHECKPOINT
 *   counts as checkpoints_req, checkpoint_timeout as checkpoints_timed; the
 *   background writer and the WAL writer re-read their settings on
 *   pg_reload_conf(); a page with a wrong checksum counts in
 *   checksum_failures.
 */
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "engine/storage/wal/wal_layout.h"
#include "tests/integration/server_harness.h"

namespace minipg::testing {
namespace {

void Exec(client::Connection& c, const std::string& sql) {
  auto r = c.Query(sql);
  ASSERT_TRUE(r.ok()) << sql << ": " << r.error().message;
  ASSERT_TRUE(r->ok()) << sql << ": " << r->error->message;
}

/* The first value of the last statement's first row ("NULL" for NULL,
 * "" for no row). */
std::string Value(client::Connection& c, const std::string& sql) {
  auto r = c.Query(sql);
  EXPECT_TRUE(r.ok() && r->ok()) << sql;
  if (!r.ok() || !r->ok() || r->statements.empty() || r->statements.back().rows.empty()) return "";
  return r->statements.back().rows[0][0].value_or("NULL");
}

int64_t Number(client::Connection& c, const std::string& sql) {
  std::string v = Value(c, sql);
  EXPECT_FALSE(v.empty() || v == "NULL") << sql;
  return v.empty() || v == "NULL" ? -1 : std::stoll(v);
}

int64_t TableStat(client::Connection& c, const std::string& column,
                  const std::string& view = "pg_stat_user_tables") {
  return Number(c, "SELECT " + column + " FROM " + view + " WHERE relname = 't'");
}

int64_t DbStat(client::Connection& c, const std::string& column) {
  return Number(c, "SELECT " + column + " FROM pg_stat_database WHERE datname = 'postgres'");
}

std::unique_ptr<client::Connection> Connect(Server& server) {
  auto c = server.ConnectWhenReady();
  return c.ok() ? std::move(*c) : nullptr;
}

std::unique_ptr<client::Connection> StartAndConnect(Server& server) {
  return server.Start() ? Connect(server) : nullptr;
}

/* Appends `line` to the server's minipg.conf. */
void AppendConf(const Server& server, const std::string& line) {
  std::ofstream out(server.data_dir() / "minipg.conf", std::ios::app);
  out << "\n" << line << "\n";
}

/* Starts a new server once (initdb), puts `line` in its minipg.conf (so a
 * reload can change it: -c settings outrank the file), starts it again. */
std::unique_ptr<client::Connection> StartWithConf(Server& server, const std::string& line) {
  if (!server.Start()) return nullptr;
  AppendConf(server, line);
  if (server.Stop() != 0) return nullptr;
  return StartAndConnect(server);
}

uint64_t Lsn(client::Connection& c, const std::string& function) {
  auto lsn = storage::wal::ParseLsn(Value(c, "SELECT " + function + "()"));
  EXPECT_TRUE(lsn.has_value()) << function;
  return lsn.value_or(0);
}

/* Waits (up to `seconds`) until the WAL is flushed as far as it is inserted. */
bool WaitForWalFlushed(client::Connection& c, int seconds) {
  uint64_t target = Lsn(c, "pg_current_wal_insert_lsn");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (Lsn(c, "pg_current_wal_flush_lsn") < target) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

// Scenario (PostgreSQL 15 gives the same numbers): 10 rows committed and
// 2 rolled back are 12 inserted, 10 live, 2 dead; a scan counts one
// seq_scan and the rows it read; the pages count as read (the block added)
// and then hit (the scan finds it in shared buffers).
TEST(StatsTest, OwnWorkShowsOnceItsTransactionEnds) {
  Server server;
  auto c = StartAndConnect(server);
  ASSERT_TRUE(c);
  Exec(*c, "CREATE TABLE t (a int, b text)");
  EXPECT_EQ(TableStat(*c, "n_tup_ins"), 0);
  EXPECT_EQ(TableStat(*c, "heap_blks_read", "pg_statio_user_tables"), 0);
  int64_t db_ins = DbStat(*c, "tup_inserted");
  Exec(*c,
       "INSERT INTO t VALUES "
       "(1,'a'),(2,'b'),(3,'c'),(4,'d'),(5,'e'),(6,'f'),(7,'g'),(8,'h'),(9,'i'),(10,'j')");
  Exec(*c, "BEGIN");
  Exec(*c, "INSERT INTO t VALUES (11,'k'),(12,'l')");
  Exec(*c, "ROLLBACK");
  Exec(*c, "SELECT * FROM t");

  EXPECT_EQ(TableStat(*c, "n_tup_ins"), 12);
  EXPECT_EQ(TableStat(*c, "n_live_tup"), 10);
  EXPECT_EQ(TableStat(*c, "n_dead_tup"), 2);
  EXPECT_EQ(TableStat(*c, "n_mod_since_analyze"), 10);
  EXPECT_EQ(TableStat(*c, "seq_scan"), 1);
  EXPECT_EQ(TableStat(*c, "seq_tup_read"), 10);
  EXPECT_EQ(Value(*c, "SELECT idx_scan FROM pg_stat_user_tables WHERE relname = 't'"),
            "NULL");  // no index
  EXPECT_GE(TableStat(*c, "heap_blks_read", "pg_statio_user_tables"), 1);
  EXPECT_GE(TableStat(*c, "heap_blks_hit", "pg_statio_user_tables"), 1);
  EXPECT_EQ(Value(*c, "SELECT toast_blks_read FROM pg_statio_user_tables WHERE relname = 't'"),
            "NULL");
  EXPECT_GE(DbStat(*c, "tup_inserted") - db_ins, 12);
  EXPECT_GE(DbStat(*c, "tup_returned"), 10);
  EXPECT_GE(DbStat(*c, "blks_read"), 1);
  EXPECT_GE(DbStat(*c, "blks_hit"), 1);
  EXPECT_GE(DbStat(*c, "sessions"), 1);
  EXPECT_EQ(DbStat(*c, "numbackends"), 1);

  // A dropped table's counters go with it: a new one of the same name starts at zero.
  Exec(*c, "DROP TABLE t");
  EXPECT_EQ(Value(*c, "SELECT relname FROM pg_stat_user_tables WHERE relname = 't'"), "");
  Exec(*c, "CREATE TABLE t (a int)");
  EXPECT_EQ(TableStat(*c, "n_tup_ins"), 0);
  EXPECT_EQ(TableStat(*c, "seq_scan"), 0);
}

// Scenario: xact_rollback counts each transaction that rolls back once, as
// PostgreSQL does: a ROLLBACK, a failed statement, a failed block (its
// error, not again at its ROLLBACK), a ROLLBACK outside a block; a COMMIT
// counts in xact_commit.
TEST(StatsTest, RollbacksAndCommitsCountOncePerTransaction) {
  Server server;
  auto c = StartAndConnect(server);
  ASSERT_TRUE(c);
  int64_t before = DbStat(*c, "xact_rollback");
  Exec(*c, "BEGIN");
  Exec(*c, "SELECT 1");
  Exec(*c, "ROLLBACK");
  EXPECT_EQ(DbStat(*c, "xact_rollback"), before + 1);

  auto failed = c->Query("SELECT nosuchcolumn FROM pg_stat_database");
  ASSERT_TRUE(failed.ok());
  EXPECT_FALSE(failed->ok());
  EXPECT_EQ(DbStat(*c, "xact_rollback"), before + 2);

  Exec(*c, "BEGIN");
  ASSERT_TRUE(c->Query("SELECT 1/0").ok());
  ASSERT_TRUE(c->Query("SELECT 1").ok());  // 25P02: ignored in the failed block
  Exec(*c, "ROLLBACK");
  EXPECT_EQ(DbStat(*c, "xact_rollback"), before + 3);

  Exec(*c, "ROLLBACK");  // no transaction in progress: still one that rolled back
  EXPECT_EQ(DbStat(*c, "xact_rollback"), before + 4);

  int64_t commits = DbStat(*c, "xact_commit");  // this SELECT commits after it reads
  Exec(*c, "BEGIN");
  Exec(*c, "SELECT 1");
  Exec(*c, "COMMIT");
  EXPECT_EQ(DbStat(*c, "xact_commit"), commits + 2);  // the SELECT above and the block
}

// Scenario: another session's work is seen once its transaction has ended,
// not while it is open; so is its xid (backend_xid), from its first write to
// its end.
TEST(StatsTest, SecondSessionSeesCountsAfterCommit) {
  Server server;
  ASSERT_TRUE(server.Start());
  auto a = Connect(server);
  auto b = Connect(server);
  ASSERT_TRUE(a && b);
  Exec(*a, "CREATE TABLE t (a int)");
  std::string a_pid = Value(*a, "SELECT pg_backend_pid()");
  std::string xid_of_a = "SELECT backend_xid FROM pg_stat_activity WHERE pid = " + a_pid;
  EXPECT_EQ(Number(*b, "SELECT numbackends FROM pg_stat_database WHERE datname = 'postgres'"), 2);

  Exec(*a, "BEGIN");
  Exec(*a, "SELECT 1");
  EXPECT_EQ(Value(*b, xid_of_a), "NULL");  // no xid before the first write
  Exec(*a, "INSERT INTO t VALUES (1), (2), (3)");
  std::string xid = Value(*b, xid_of_a);
  EXPECT_NE(xid, "NULL");
  EXPECT_EQ(Value(*a, "SELECT backend_xid FROM pg_stat_activity WHERE pid = pg_backend_pid()"),
            xid);
  EXPECT_EQ(Value(*b, "SELECT backend_xmin FROM pg_stat_activity WHERE pid = " + a_pid),
            "NULL");                         // no snapshots
  EXPECT_EQ(TableStat(*b, "n_tup_ins"), 0);  // still pending in session a
  Exec(*a, "COMMIT");
  EXPECT_EQ(Value(*b, xid_of_a), "NULL");
  EXPECT_EQ(TableStat(*b, "n_tup_ins"), 3);
  EXPECT_EQ(TableStat(*b, "n_live_tup"), 3);
}

// Scenario: sessions are counted once past authentication, and how each
// ended: Terminate (normal), the client gone without it (abandoned),
// pg_terminate_backend (killed), a FATAL (idle_in_transaction_session_timeout).
TEST(StatsTest, SessionsCountedByHowTheyEnd) {
  Server server;
  auto c = StartAndConnect(server);
  ASSERT_TRUE(c);
  int64_t sessions = DbStat(*c, "sessions");
  EXPECT_GE(sessions, 1);
  auto normal = Connect(server);
  auto abandoned = Connect(server);
  auto killed = Connect(server);
  auto fatal = Connect(server);
  ASSERT_TRUE(normal && abandoned && killed && fatal);
  std::string killed_pid = Value(*killed, "SELECT pg_backend_pid()");
  Exec(*fatal, "SET idle_in_transaction_session_timeout = 50");
  Exec(*fatal, "BEGIN");
  normal->Close();
  abandoned->Abandon();
  EXPECT_EQ(Value(*c, "SELECT pg_terminate_backend(" + killed_pid + ")"), "t");
  ASSERT_TRUE(server.WaitForBackends(1, 30000));  // each exited, its counts reported
  EXPECT_EQ(DbStat(*c, "sessions"), sessions + 4);
  EXPECT_EQ(DbStat(*c, "sessions_abandoned"), 1);
  EXPECT_EQ(DbStat(*c, "sessions_killed"), 1);
  EXPECT_EQ(DbStat(*c, "sessions_fatal"), 1);
  EXPECT_GE(DbStat(*c, "xact_rollback"), 1);  // the block the timeout ended
}

// Scenario: a page whose checksum is wrong (a byte flipped on disk while
// the server was down) fails its read (XX001) and counts in its database's
// checksum_failures, with the time in checksum_last_failure (PostgreSQL
// with data checksums on does the same).
TEST(StatsTest, ChecksumFailureCounted) {
  Server server;
  auto c = StartAndConnect(server);
  ASSERT_TRUE(c);
  Exec(*c, "CREATE TABLE t (a int, b text)");
  Exec(*c, "INSERT INTO t VALUES (1, 'one'), (2, 'two')");
  std::string file = Value(*c, "SELECT pg_relation_filepath('t')");
  EXPECT_EQ(DbStat(*c, "checksum_failures"), 0);
  c.reset();
  ASSERT_EQ(server.Stop(), 0);  // a clean stop: the page is on disk, checksummed
  {
    std::fstream f(server.data_dir() / file, std::ios::in | std::ios::out | std::ios::binary);
    ASSERT_TRUE(f.good()) << file;
    f.seekp(8000);  // inside the tuples, at the end of the page
    f.put('\x5a');
  }
  c = StartAndConnect(server);
  ASSERT_TRUE(c);
  auto r = c->Query("SELECT * FROM t");
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->ok());
  EXPECT_EQ(r->error->sqlstate, "XX001");
  EXPECT_EQ(DbStat(*c, "checksum_failures"), 1);
  EXPECT_EQ(Value(*c, "SELECT checksum_last_failure IS NOT NULL FROM pg_stat_database WHERE datname = 'postgres'"),
            "t");
}

// Scenario: pg_stat_database has PostgreSQL's row for the shared objects
// first (datid 0, datname NULL), then a row per database.
TEST(StatsTest, DatabaseRowsAsPostgres) {
  Server server;
  auto c = StartAndConnect(server);
  ASSERT_TRUE(c);
  auto r = c->Query(
      "SELECT datid, datname, numbackends, deadlocks, checksum_failures, stats_reset FROM "
      "pg_stat_database");
  ASSERT_TRUE(r.ok() && r->ok());
  const auto& rows = r->statements.back().rows;
  ASSERT_GE(rows.size(), 3u);  // shared, template1, postgres
  EXPECT_EQ(rows[0][0], "0");
  EXPECT_EQ(rows[0][1], std::nullopt);
  EXPECT_EQ(rows[0][2], "0");
  bool saw_postgres = false;
  for (const auto& row : rows) {
    EXPECT_EQ(row[3], "0");           // deadlocks
    EXPECT_EQ(row[4], "0");           // checksum_failures: checksums are always on
    EXPECT_EQ(row[5], std::nullopt);  // stats_reset: never reset
    saw_postgres = saw_postgres || row[1] == "postgres";
  }
  EXPECT_TRUE(saw_postgres);
  auto all = c->Query("SELECT * FROM pg_stat_database");
  ASSERT_TRUE(all.ok() && all->ok());
  const auto& fields = all->statements.back().fields;
  ASSERT_EQ(fields.size(), 28u);  // PostgreSQL 15's columns
  EXPECT_EQ(fields[0].name, "datid");
  EXPECT_EQ(fields[23].name, "sessions");
  EXPECT_EQ(fields[27].name, "stats_reset");
}

// Scenario: CHECKPOINT is a requested checkpoint in pg_stat_bgwriter; one
// that only checkpoint_timeout asked for is a timed one.
TEST(StatsTest, CheckpointsCountedAsTimedOrRequested) {
  Server server({"checkpoint_timeout=1s"});
  auto c = StartAndConnect(server);
  ASSERT_TRUE(c);
  int64_t req = Number(*c, "SELECT checkpoints_req FROM pg_stat_bgwriter");
  Exec(*c, "CHECKPOINT");
  EXPECT_GE(Number(*c, "SELECT checkpoints_req FROM pg_stat_bgwriter"), req + 1);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  int64_t timed = 0;
  while (timed == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    timed = Number(*c, "SELECT checkpoints_timed FROM pg_stat_bgwriter");
  }
  EXPECT_GE(timed, 1);
}

// Scenario: the background writer re-reads bgwriter_lru_maxpages on SIGHUP.
// With 0 it writes nothing however many dirty buffers wait; after the file
// says 100 and pg_reload_conf() signals the postmaster (which forwards
// SIGHUP to its children), it cleans some while a load keeps making dirty,
// reusable buffers.
TEST(StatsTest, BgWriterRereadsSettingsOnSighup) {
  Server server({"shared_buffers=16", "bgwriter_delay=10ms"});
  auto c = StartWithConf(server, "bgwriter_lru_maxpages = 0");
  ASSERT_TRUE(c);
  EXPECT_EQ(Value(*c, "SHOW bgwriter_lru_maxpages"), "0");
  Exec(*c, "CREATE TABLE t (a int, b text)");
  std::string row = "(1, '" + std::string(500, 'x') + "')";
  std::string insert = "INSERT INTO t VALUES " + row;
  for (int i = 0; i < 15; ++i) insert += ", " + row;  // about one page per statement
  auto load = [&] {
    for (int i = 0; i < 10; ++i) Exec(*c, insert);
    Exec(*c, "SELECT a FROM t WHERE a = 2");
  };
  load();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // 30 rounds of the writer
  EXPECT_EQ(Number(*c, "SELECT buffers_clean FROM pg_stat_bgwriter"), 0);

  AppendConf(server, "bgwriter_lru_maxpages = 100");
  EXPECT_EQ(Value(*c, "SELECT pg_reload_conf()"), "t");  // SIGHUP to the postmaster, which forwards it
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  int64_t clean = 0;
  while (clean == 0 && std::chrono::steady_clock::now() < deadline) {
    load();
    clean = Number(*c, "SELECT buffers_clean FROM pg_stat_bgwriter");
  }
  EXPECT_GT(clean, 0);
}

// Scenario: as PostgreSQL's default privileges have it, only a superuser
// may call pg_reload_conf().
TEST(StatsTest, ReloadConfNeedsSuperuser) {
  Server server;
  auto admin = StartAndConnect(server);
  ASSERT_TRUE(admin);
  Exec(*admin, "CREATE ROLE bob LOGIN");
  client::ConnectOptions o = server.Options();
  o.user = "bob";
  o.database = "postgres";
  auto bob = client::Connection::Connect(o);
  ASSERT_TRUE(bob.ok()) << bob.error().message;
  auto r = (*bob)->Query("SELECT pg_reload_conf()");
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->ok());
  EXPECT_EQ(r->error->sqlstate, "42501");
  EXPECT_EQ(r->error->message, "permission denied for function pg_reload_conf");
}

// Scenario: the WAL writer re-reads wal_writer_delay on SIGHUP. With 10 s
// it sleeps 10 s after each round; the SIGHUP wakes it for one round, and
// only if it took the new 10 ms does an asynchronous commit made after that
// round reach the disk within seconds (nothing else flushes: no background
// writer, no checkpoint, a pool too big to evict).
TEST(StatsTest, WalWriterRereadsDelayOnSighup) {
  Server server({"bgwriter_lru_maxpages=0", "synchronous_commit=off"});
  auto c = StartWithConf(server, "wal_writer_delay = 10s");
  ASSERT_TRUE(c);
  EXPECT_EQ(Value(*c, "SHOW wal_writer_delay"), "10s");
  Exec(*c, "CREATE TABLE t (a int)");
  AppendConf(server, "wal_writer_delay = 10ms");
  EXPECT_EQ(Value(*c, "SELECT pg_reload_conf()"), "t");
  ASSERT_TRUE(WaitForWalFlushed(*c, 30));  // the round the signal woke it for
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  Exec(*c, "INSERT INTO t VALUES (1)");  // an asynchronous commit
  EXPECT_TRUE(WaitForWalFlushed(*c, 5)) << "the WAL writer still sleeps 10 s between rounds";
}

}  // namespace
}  // namespace minipg::testing
