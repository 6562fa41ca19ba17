/*
 * recovery_test.cpp
 *   The server's start and recovery as PostgreSQL 15 has them: the startup
 *   process after the checkpointer and background writer, its log lines
 *   after a clean stop, after kill -9 of the postmaster and after a crash
 *   cycle, 57P03 while it runs, the end-of-recovery checkpoint, CHECKPOINT's
 *   log lines and pg_control, the auxiliary processes in pg_stat_activity,
 *   and a data directory of an older format refused.
 */
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <thread>

#include "engine/storage/control_file.h"
#include "engine/storage/file_util.h"
#include "tests/integration/server_harness.h"

namespace minipg::testing {
namespace {

namespace fs = std::filesystem;

bool WaitFor(const std::function<bool()>& cond, int timeout_ms = 20000) {
  for (int waited = 0; waited <= timeout_ms; waited += 20) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

/* The positions of `lines` in `log`, each after the one before; npos for
 * the first that is missing or out of order. */
size_t InOrder(const std::string& log, const std::vector<std::string>& lines, size_t from = 0) {
  size_t pos = from;
  for (const auto& l : lines) {
    pos = log.find(l, pos);
    if (pos == std::string::npos) return pos;
    pos += l.size();
  }
  return pos;
}

pid_t ChildTitled(const Server& server, const std::string& title) {
  for (pid_t p : ChildrenOf(server.pid())) {
    if (ProcessTitle(p) == title) return p;
  }
  return 0;
}

storage::ControlFile ReadControl(const fs::path& dir) {
  auto c = storage::ReadControlFile(dir);
  EXPECT_TRUE(c.ok() && c->has_value());
  return c.ok() && c->has_value() ? **c : storage::ControlFile{};
}

using DataDir = ScopedDataDir;

/* kill -9 of the postmaster; its children notice its death and exit. */
void KillPostmaster(Server& server) {
  std::vector<pid_t> children = ChildrenOf(server.pid());
  kill(server.pid(), SIGKILL);
  EXPECT_TRUE(WaitFor([&] { return !server.Running(); }));
  EXPECT_TRUE(WaitFor([&] {
    for (pid_t p : children) {
      if (kill(p, 0) == 0) return false;
    }
    return true;
  })) << "the children exit when the postmaster dies";
}

// Scenario: a new data directory starts as after a clean shutdown (initdb
// wrote a shutdown checkpoint): "database system was shut down at", no
// recovery, then "ready to accept connections"; pg_control says
// "in production" while it runs and "shut down" after a fast shutdown.
TEST(RecoveryTest, CleanStartAndStop) {
  Server server;
  ASSERT_TRUE(server.Start());
  std::string log = server.Log();
  EXPECT_NE(InOrder(log, {"LOG:  database system was shut down at ", "LOG:  database system is ready to accept connections"}),
            std::string::npos)
      << log;
  EXPECT_EQ(log.find("automatic recovery"), std::string::npos) << log;
  EXPECT_EQ(ReadControl(server.data_dir()).state, storage::DbState::kInProduction);
  EXPECT_TRUE(fs::exists(server.data_dir() / "pg_wal" / "000000010000000000000001"));
  EXPECT_EQ(server.Stop(SIGINT), 0);
  storage::ControlFile down = ReadControl(server.data_dir());
  EXPECT_EQ(down.state, storage::DbState::kShutdowned);
  EXPECT_EQ(down.checkpoint_lsn, down.redo_lsn) << "a shutdown checkpoint is its own redo point";
}

// Scenario: kill -9 of the postmaster after three checkpoints, with
// pg_control pointing back at the first (as if the server died before
// pg_control was updated): the next start replays the WAL after it with
// PostgreSQL's lines, the end-of-recovery checkpoint, then accepts.
TEST(RecoveryTest, KillPostmasterThenRedo) {
  DataDir dir;
  storage::ControlFile first;
  {
    Server server({}, dir.path);
    ASSERT_TRUE(server.Start());
    first = ReadControl(dir.path);
    auto c = server.Connect();
    ASSERT_TRUE(c.ok());
    for (int i = 0; i < 3; ++i) ASSERT_TRUE((*c)->Query("CHECKPOINT")->ok());
    (*c)->Close();
    KillPostmaster(server);
  }
  storage::ControlFile control = ReadControl(dir.path);
  EXPECT_GT(control.checkpoint_lsn, first.checkpoint_lsn) << "CHECKPOINT moved pg_control on";
  control.checkpoint_lsn = first.checkpoint_lsn;
  control.redo_lsn = first.redo_lsn;
  ASSERT_TRUE(storage::WriteControlFile(dir.path, control).ok());

  Server server({}, dir.path);
  ASSERT_TRUE(server.Start());
  std::string log = server.Log();
  EXPECT_NE(InOrder(log, {"LOG:  database system was interrupted; last known up at ",
                          "LOG:  database system was not properly shut down; automatic recovery in progress",
                          "LOG:  redo starts at 0/", "LOG:  invalid record length at 0/",
                          "LOG:  redo done at 0/", " system usage: CPU: user: ",
                          "LOG:  checkpoint starting: end-of-recovery immediate wait",
                          "LOG:  checkpoint complete: wrote ",
                          "LOG:  database system is ready to accept connections"}),
            std::string::npos)
      << log;
  storage::ControlFile after = ReadControl(dir.path);
  EXPECT_EQ(after.state, storage::DbState::kInProduction);
  EXPECT_GT(after.checkpoint_lsn, first.checkpoint_lsn) << "the end-of-recovery checkpoint";
  EXPECT_EQ(after.system_identifier, first.system_identifier);
  auto c = server.Connect();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ((*c)->Query("SELECT 1")->Scalar(), "1");
  (*c)->Close();
  EXPECT_EQ(server.Stop(SIGINT), 0);
}

// Scenario: the visibility map survives a crash as the WAL says. VACUUM
// marks every page all-visible (Heap2 VISIBLE records, no checkpoint
// after them); after kill -9 redo sets the bits again and an Index Only
// Scan fetches no heap row. Then an UPDATE of the indexed column on an
// all-visible page (its record's "all-visible cleared" flag) and kill -9:
// after redo the bit is clear, and the Index Only Scan returns the new
// value, not the old entry's.
TEST(RecoveryTest, VisibilityMapAfterRedo) {
  DataDir dir;
  auto query = [](Server& server, const std::string& sql) {
    auto c = server.Connect();
    EXPECT_TRUE(c.ok());
    if (!c.ok()) return std::string();
    if (sql.starts_with("SELECT")) {  // read through the index
      EXPECT_TRUE((*c)->Query("SET enable_seqscan = off")->ok());
      EXPECT_TRUE((*c)->Query("SET enable_bitmapscan = off")->ok());
    }
    auto r = (*c)->Query(sql);
    EXPECT_TRUE(r.ok() && r->ok()) << sql;
    std::string out = r.ok() && r->Scalar() ? *r->Scalar() : "";
    (*c)->Close();
    return out;
  };
  {
    Server server({}, dir.path);
    ASSERT_TRUE(server.Start());
    query(server, "CREATE TABLE vmr (id int PRIMARY KEY, v int)");
    query(server, "INSERT INTO vmr SELECT g, g FROM generate_series(1, 2000) g");
    query(server, "CHECKPOINT");
    query(server, "VACUUM vmr");
    EXPECT_EQ(query(server, "SELECT relallvisible FROM pg_class WHERE relname = 'vmr'"), "9");
    KillPostmaster(server);
  }
  {
    Server server({}, dir.path);
    ASSERT_TRUE(server.Start());
    EXPECT_EQ(query(server, "SELECT count(*) FROM minipg_visibility_map('vmr') WHERE all_visible"), "9");
    query(server, "UPDATE vmr SET id = 100000 WHERE id = 5");
    KillPostmaster(server);
  }
  Server server({}, dir.path);
  ASSERT_TRUE(server.Start());
  EXPECT_EQ(query(server, "SELECT all_visible FROM minipg_visibility_map('vmr') WHERE blkno = 0"), "f");
  EXPECT_EQ(query(server, "SELECT count(*) FROM minipg_visibility_map('vmr') WHERE all_visible"), "7");
  EXPECT_EQ(query(server, "SELECT count(*) FROM vmr WHERE id < 8"), "6");
  EXPECT_EQ(query(server, "SELECT count(*) FROM vmr WHERE id = 5"), "0");
  EXPECT_EQ(query(server, "SELECT id FROM vmr WHERE id > 99999"), "100000");
  EXPECT_EQ(server.Stop(SIGINT), 0);
}

// Scenario: redo with a pool smaller than the pages it replays (the storage
// lesson runs with shared_buffers = 32). Forty pages are filled and never
// written (the background writer is off, the pool holds them all), the
// postmaster is killed, and the server starts again with 16 buffers: redo
// must evict dirty pages to make room, which needs no WAL flush (what it
// replays is on disk already) and must not PANIC ("the WAL has not been
// started"). Every committed row is there afterwards.
TEST(RecoveryTest, RedoEvictsFromASmallPool) {
  DataDir dir;
  constexpr int kPages = 40;  // of seven 1 kB rows
  {
    Server server({"bgwriter_lru_maxpages=0"}, dir.path);
    ASSERT_TRUE(server.Start());
    auto c = server.Connect();
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE((*c)->Query("CREATE TABLE wide (id int, note text)")->ok());
    std::string rows;
    for (int i = 1; i <= 7; ++i) rows += fmt::format("{}({}, repeat('x', 1000))", i > 1 ? ", " : "", i);
    for (int i = 0; i < kPages; ++i) ASSERT_TRUE((*c)->Query("INSERT INTO wide VALUES " + rows)->ok());
    auto size = (*c)->Query("SELECT pg_relation_size('wide')");
    ASSERT_TRUE(size.ok() && size->Scalar());
    EXPECT_EQ(*size->Scalar(), std::to_string(kPages * 8192));
    (*c)->Close();
    KillPostmaster(server);
  }
  Server server({"shared_buffers=16"}, dir.path);
  ASSERT_TRUE(server.Start()) << server.Log();
  std::string log = server.Log();
  EXPECT_NE(InOrder(log, {"LOG:  redo starts at 0/", "LOG:  redo done at 0/",
                          "LOG:  database system is ready to accept connections"}),
            std::string::npos)
      << log;
  EXPECT_EQ(log.find("PANIC"), std::string::npos) << log;
  auto c = server.Connect();
  ASSERT_TRUE(c.ok());
  auto n = (*c)->Query("SELECT id FROM wide");
  ASSERT_TRUE(n.ok() && n->ok() && !n->statements.empty());
  EXPECT_EQ(n->statements.back().tag, fmt::format("SELECT {}", kPages * 7));
  (*c)->Close();
  EXPECT_EQ(server.Stop(SIGINT), 0);
}

// Scenario: a backend crashes: the crash cycle ends by running the startup
// process again (recovery, end-of-recovery checkpoint); the background
// writer and the WAL writer are new processes afterwards; clients get
// 57P03 "in recovery mode" until it is done.
TEST(RecoveryTest, CrashCycleRunsStartupAgain) {
  Server server;
  // Recovery (not the clean first start) waits 3 s before it replays: long
  // enough to be seen.
  setenv("MINIPG_TEST_RECOVERY_DELAY_MS", "3000", 1);
  bool started = server.Start();
  unsetenv("MINIPG_TEST_RECOVERY_DELAY_MS");
  ASSERT_TRUE(started);
  pid_t bgwriter = ChildTitled(server, "minipg: background writer");
  pid_t walwriter = ChildTitled(server, "minipg: walwriter");
  ASSERT_NE(bgwriter, 0);
  ASSERT_NE(walwriter, 0);
  auto crasher = server.Connect();
  ASSERT_TRUE(crasher.ok());
  EXPECT_FALSE((*crasher)->Query("SELECT minipg_crash()").ok());
  ASSERT_TRUE(WaitFor([&] {
    return server.Log().find("database system was not properly shut down") != std::string::npos;
  })) << server.Log();
  auto refused = server.Connect();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().sqlstate, "57P03");
  EXPECT_EQ(refused.error().message, "the database system is in recovery mode");

  auto c = server.ConnectWhenReady();
  ASSERT_TRUE(c.ok()) << server.Log();
  std::string log = server.Log();
  size_t reinit = log.find("LOG:  all server processes terminated; reinitializing");
  ASSERT_NE(reinit, std::string::npos) << log;
  EXPECT_NE(InOrder(log, {"LOG:  database system was interrupted; last known up at ",
                          "LOG:  database system was not properly shut down; automatic recovery in progress",
                          "LOG:  checkpoint starting: end-of-recovery immediate wait",
                          "LOG:  database system is ready to accept connections"}, reinit),
            std::string::npos)
      << log;
  pid_t new_bgwriter = ChildTitled(server, "minipg: background writer");
  pid_t new_walwriter = ChildTitled(server, "minipg: walwriter");
  EXPECT_NE(new_bgwriter, 0);
  EXPECT_NE(new_bgwriter, bgwriter) << "the crash cycle started a new background writer";
  EXPECT_NE(new_walwriter, 0);
  EXPECT_NE(new_walwriter, walwriter) << "and a new WAL writer";
  auto listed = (*c)->Query("SELECT pid FROM pg_stat_activity WHERE backend_type = 'walwriter'");
  ASSERT_TRUE(listed.ok() && listed->ok());
  EXPECT_EQ(listed->Scalar(), std::to_string(new_walwriter));
  (*c)->Close();
  EXPECT_EQ(server.Stop(SIGINT), 0);
}

// Scenario: the WAL writer's death (kill -9) is a crash like a backend's.
TEST(RecoveryTest, WalWriterDeathIsACrash) {
  Server server;
  ASSERT_TRUE(server.Start());
  pid_t walwriter = ChildTitled(server, "minipg: walwriter");
  ASSERT_NE(walwriter, 0);
  kill(walwriter, SIGKILL);
  ASSERT_TRUE(WaitFor([&] {
    return server.Log().find("all server processes terminated; reinitializing") != std::string::npos;
  })) << server.Log();
  EXPECT_NE(server.Log().find("WAL writer process (PID " + std::to_string(walwriter) +
                              ") was terminated by signal 9: Killed"),
            std::string::npos)
      << server.Log();
  auto c = server.ConnectWhenReady();
  ASSERT_TRUE(c.ok()) << server.Log();
  EXPECT_TRUE(WaitFor([&] {
    pid_t p = ChildTitled(server, "minipg: walwriter");
    return p != 0 && p != walwriter;
  }));
  (*c)->Close();
  EXPECT_EQ(server.Stop(SIGINT), 0);
}

// Scenario: while the startup process of a fresh start recovers, a client
// is refused with 57P03 "the database system is starting up" (the
// harness's first connection attempts see it, and the server logs it).
TEST(RecoveryTest, StartingUpRefusesClients) {
  DataDir dir;
  {
    Server server({}, dir.path);
    ASSERT_TRUE(server.Start());
    KillPostmaster(server);
  }
  setenv("MINIPG_TEST_RECOVERY_DELAY_MS", "2000", 1);
  Server server({}, dir.path);
  bool started = server.Start();
  unsetenv("MINIPG_TEST_RECOVERY_DELAY_MS");
  ASSERT_TRUE(started);
  std::string log = server.Log();
  EXPECT_NE(InOrder(log, {"LOG:  database system was not properly shut down; automatic recovery in progress",
                          "FATAL:  the database system is starting up",
                          "LOG:  redo is not required",
                          "LOG:  database system is ready to accept connections"}),
            std::string::npos)
      << log;
  EXPECT_EQ(server.Stop(SIGINT), 0);
}

// Scenario: CHECKPOINT logs PostgreSQL's two lines and moves pg_control's
// checkpoint and redo LSN forward (what pg_control_checkpoint() shows).
TEST(RecoveryTest, CheckpointLinesAndControlFile) {
  Server server;
  ASSERT_TRUE(server.Start());
  storage::ControlFile before = ReadControl(server.data_dir());
  auto c = server.Connect();
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE((*c)->Query("CHECKPOINT")->ok());
  storage::ControlFile after = ReadControl(server.data_dir());
  EXPECT_GT(after.redo_lsn, before.redo_lsn);
  EXPECT_GT(after.checkpoint_lsn, before.checkpoint_lsn);
  EXPECT_EQ(after.checkpoint_count, before.checkpoint_count + 1);
  EXPECT_EQ(after.state, storage::DbState::kInProduction);
  std::string log = server.Log();
  EXPECT_NE(log.find("LOG:  checkpoint starting: immediate force wait"), std::string::npos) << log;
  std::regex complete(
      "LOG:  checkpoint complete: wrote \\d+ buffers \\(\\d+\\.\\d%\\); \\d+ WAL file\\(s\\) added, \\d+ removed, "
      "\\d+ recycled; write=\\d+\\.\\d{3} s, sync=\\d+\\.\\d{3} s, total=\\d+\\.\\d{3} s; sync files=\\d+, "
      "longest=\\d+\\.\\d{3} s, average=\\d+\\.\\d{3} s; distance=\\d+ kB, estimate=\\d+ kB\n");
  EXPECT_TRUE(std::regex_search(log, complete)) << log;
  (*c)->Close();
  EXPECT_EQ(server.Stop(SIGINT), 0);
}

// Scenario: pg_stat_activity lists the auxiliary processes with
// PostgreSQL's backend_type, and each has its title.
TEST(RecoveryTest, AuxiliaryProcessesInPgStatActivity) {
  Server server;
  ASSERT_TRUE(server.Start());
  auto c = server.Connect();
  ASSERT_TRUE(c.ok());
  for (const char* type : {"checkpointer", "background writer", "walwriter"}) {
    pid_t pid = ChildTitled(server, std::string("minipg: ") + type);
    EXPECT_NE(pid, 0) << type;
    auto r = (*c)->Query(std::string("SELECT pid FROM pg_stat_activity WHERE backend_type = '") + type + "'");
    ASSERT_TRUE(r.ok() && r->ok());
    ASSERT_EQ(r->statements[0].rows.size(), 1u) << type;
    EXPECT_EQ(r->Scalar(), std::to_string(pid)) << type;
  }
  EXPECT_EQ(ChildTitled(server, "minipg: startup"), 0) << "the startup process has exited";
  (*c)->Close();
  EXPECT_EQ(server.Stop(SIGINT), 0);
}

// Scenario: a data directory whose pg_control is of format version 1 is
// refused with PostgreSQL's FATAL, DETAIL and HINT; the server exits 1.
TEST(RecoveryTest, OldControlFileIsRefused) {
  DataDir dir;
  {
    Server server({}, dir.path);
    ASSERT_TRUE(server.Start());
    EXPECT_EQ(server.Stop(SIGINT), 0);
  }
  std::string v1("MPGCTL01", 8);
  storage::PutU32(v1, 1);
  storage::PutU32(v1, 1);
  storage::PutU64(v1, 1);
  storage::PutU64(v1, 1);
  storage::PutU64(v1, 1);
  storage::PutU32(v1, storage::Crc32(v1));
  std::ofstream(storage::ControlFilePath(dir.path), std::ios::binary | std::ios::trunc) << v1;
  Server server({}, dir.path);
  EXPECT_FALSE(server.Start());
  EXPECT_FALSE(server.Running()) << "the postmaster exits";
  std::string log = server.Log();
  EXPECT_NE(InOrder(log, {"FATAL:  database files are incompatible with server",
                          "DETAIL:  The database cluster was initialized with PG_CONTROL_VERSION 1, but the server "
                          "was compiled with PG_CONTROL_VERSION 3.",
                          "HINT:  It looks like you need to initdb"}),
            std::string::npos)
      << log;
}

}  // namespace
}  // namespace minipg::testing
