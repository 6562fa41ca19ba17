/*
 * lifecycle_test.cpp
 *   A server's life: first start initializes the data directory, data
 *   survives a restart, a second server is kept out of a data directory or
 *   port in use, and smart / fast / immediate shutdown behave as
 *   PostgreSQL's do.
 */
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/integration/server_harness.h"

namespace minipg::testing {
namespace {

// Scenario: an empty directory is initialized, and rows written before a
// restart are read after it.
TEST(LifecycleTest, DataSurvivesRestart) {
  char tmpl[] = "/tmp/minipg_restart_XXXXXX";
  std::filesystem::path dir = mkdtemp(tmpl);
  {
    Server first({}, dir);
    ASSERT_TRUE(first.Start());
    EXPECT_TRUE(std::filesystem::exists(dir / "PG_VERSION"));
    EXPECT_TRUE(std::filesystem::exists(dir / "postmaster.pid"));
    EXPECT_NE(first.Log().find("initialized a new data directory"), std::string::npos);
    auto c = first.Connect();
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE((*c)->Query("CREATE TABLE kept (id bigint, note text)")->ok());
    ASSERT_TRUE((*c)->Query("INSERT INTO kept VALUES (1, 'one'), (2, 'two'), (3, NULL)")->ok());
    (*c)->Close();
    EXPECT_EQ(first.Stop(SIGINT), 0);
    EXPECT_FALSE(std::filesystem::exists(dir / "postmaster.pid")) << "lock file removed at shutdown";
  }
  {
    Server second({}, dir);
    ASSERT_TRUE(second.Start());
    std::string log = second.Log();  // both servers' logs: the same file
    auto first_init = log.find("initialized a new data directory");
    EXPECT_EQ(log.find("initialized a new data directory", first_init + 1), std::string::npos)
        << "the second start reuses the directory";
    auto c = second.Connect();
    ASSERT_TRUE(c.ok());
    auto r = (*c)->Query("SELECT id, note FROM kept WHERE id >= 2");
    ASSERT_TRUE(r.ok() && r->ok());
    ASSERT_EQ(r->statements.size(), 1u);
    const auto& rows = r->statements[0].rows;
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0][0], "2");
    EXPECT_EQ(rows[0][1], "two");
    EXPECT_EQ(rows[1][0], "3");
    EXPECT_FALSE(rows[1][1].has_value());
    (*c)->Close();
    second.Stop(SIGINT);
  }
  std::filesystem::remove_all(dir);
}

// Scenario: a second server on the same data directory is refused with the
// lock file's pid; a server on a port in use says so; the first runs on.
TEST(LifecycleTest, LockFileAndPortInUse) {
  Server first;
  ASSERT_TRUE(first.Start());
  std::string cmd = BinDir() + "/minipg -D " + first.data_dir().string() + " -p " +
                    std::to_string(FreePort()) + " -k " + first.data_dir().string() + " -c event_port=-1 2>&1";
  auto r = RunCommand(cmd);
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.out.find("lock file"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("PID " + std::to_string(first.pid())), std::string::npos) << r.out;

  char tmpl[] = "/tmp/minipg_port_XXXXXX";
  std::string other = mkdtemp(tmpl);
  r = RunCommand(BinDir() + "/minipg -D " + other + " -p " + std::to_string(first.port()) +
                 " -k " + other + " -c listen_addresses=127.0.0.1 -c event_port=-1 2>&1");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.out.find("could not bind"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Address already in use"), std::string::npos) << r.out;
  EXPECT_FALSE(std::filesystem::exists(other + "/postmaster.pid")) << "a failed start leaves no lock file";
  std::filesystem::remove_all(other);

  r = RunCommand(BinDir() + "/minipg -D " + other + " -c max_connections=zero 2>&1");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.out.find("invalid value for parameter \"max_connections\""), std::string::npos) << r.out;
  r = RunCommand(BinDir() + "/minipg -D " + other + " -c no_such_setting=1 2>&1");
  EXPECT_NE(r.out.find("unrecognized configuration parameter \"no_such_setting\""), std::string::npos) << r.out;
  std::filesystem::remove_all(other);

  auto c = first.Connect();
  ASSERT_TRUE(c.ok()) << "the first server is untouched";
}

// Scenario: smart shutdown (SIGTERM) waits for connected clients and
// refuses new ones with 57P03; the server exits when the last one leaves.
TEST(LifecycleTest, SmartShutdownWaitsForClients) {
  Server server;
  ASSERT_TRUE(server.Start());
  auto c = server.Connect();
  ASSERT_TRUE(c.ok());
  kill(server.pid(), SIGTERM);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_TRUE(server.Running()) << "smart shutdown waits for the session";
  auto late = server.Connect();
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().sqlstate, "57P03");
  EXPECT_EQ(late.error().message, "the database system is shutting down");
  EXPECT_EQ((*c)->Query("SELECT 'still served'")->Scalar(), "still served");
  (*c)->Close();
  EXPECT_EQ(server.Stop(0, 10000), 0) << "exits once the last client has left";
  EXPECT_NE(server.Log().find("received smart shutdown request"), std::string::npos);
  EXPECT_NE(server.Log().find("database system is shut down"), std::string::npos);
}

// Scenario: fast shutdown (SIGINT) ends sessions with FATAL 57P01.
TEST(LifecycleTest, FastShutdownTerminatesSessions) {
  Server server;
  ASSERT_TRUE(server.Start());
  {
    auto gone = server.Connect();  // a session that ends as usual (exit 0)
    ASSERT_TRUE(gone.ok());
  }
  auto c = server.Connect();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(server.Stop(SIGINT), 0);
  auto r = (*c)->Query("SELECT 1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().sqlstate, "57P01");
  EXPECT_EQ(r.error().message, "terminating connection due to administrator command");
  std::string log = server.Log();
  EXPECT_NE(log.find("received fast shutdown request"), std::string::npos);
  // PostgreSQL logs a backend's exit 0 or 1 (after a FATAL) and the
  // writers' exits at shutdown only at DEBUG2.
  EXPECT_EQ(log.find("exited with exit code"), std::string::npos) << log;
}

// Scenario: immediate shutdown (SIGQUIT) ends everything at once; clients
// are told why.
TEST(LifecycleTest, ImmediateShutdown) {
  Server server;
  ASSERT_TRUE(server.Start());
  auto c = server.Connect();
  ASSERT_TRUE(c.ok());
  pid_t backend = (*c)->backend_pid();
  EXPECT_EQ(server.Stop(SIGQUIT), 0);
  EXPECT_NE(kill(backend, 0), 0) << "the backend is gone";
  auto r = (*c)->Query("SELECT 1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().sqlstate, "57P01");
  EXPECT_NE(r.error().message.find("immediate shutdown"), std::string::npos);
}

// Scenario: one backend crashes (minipg_crash() kills it with SIGSEGV). The
// postmaster logs it, ends every other session with 57P02, refuses new
// connections while it recovers, reinitializes, and accepts again; data
// committed before the crash is still there.
TEST(LifecycleTest, CrashCycle) {
  Server server;
  ASSERT_TRUE(server.Start());
  auto bystander = server.Connect(false, "bystander");
  auto crasher = server.Connect(true, "crasher");
  ASSERT_TRUE(bystander.ok() && crasher.ok());
  ASSERT_TRUE((*bystander)->Query("CREATE TABLE survivors (id int)")->ok());
  ASSERT_TRUE((*bystander)->Query("INSERT INTO survivors VALUES (1), (2)")->ok());
  pid_t old_pid = (*bystander)->backend_pid();

  auto crashed = (*crasher)->Query("SELECT minipg_crash()");
  EXPECT_FALSE(crashed.ok()) << "the crashing session loses its connection";

  // The postmaster reacts when it reaps the crashed child: wait for the
  // bystander's backend to be gone before asking it anything.
  for (int i = 0; i < 500 && kill(old_pid, 0) == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  auto r = (*bystander)->Query("SELECT 1");
  ASSERT_FALSE(r.ok()) << "the other session is terminated too";
  EXPECT_EQ(r.error().sqlstate, "57P02");
  EXPECT_EQ(r.error().message, "terminating connection because of crash of another server process");

  // Reconnect: refused (57P03) while recovering, then accepted.
  std::unique_ptr<client::Connection> fresh;
  for (int i = 0; i < 500 && !fresh; ++i) {
    auto c = server.Connect(false, "after");
    if (c.ok()) {
      fresh = std::move(*c);
    } else {
      EXPECT_EQ(c.error().sqlstate, "57P03") << c.error().message;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  ASSERT_TRUE(fresh) << server.Log();
  EXPECT_NE(fresh->backend_pid(), old_pid);
  auto count = fresh->Query("SELECT id FROM survivors");
  ASSERT_TRUE(count.ok() && count->ok());
  EXPECT_EQ(count->statements[0].rows.size(), 2u) << "committed rows survive the crash";
  EXPECT_TRUE(server.Running());
  std::string log = server.Log();
  EXPECT_NE(log.find("was terminated by signal 11: Segmentation fault"), std::string::npos) << log;
  // The others' ends in the cycle (the bystander's exit 2) are expected
  // and not logged, as in PostgreSQL: only the crash itself is.
  size_t exits = 0;
  for (size_t at = log.find("server process (PID"); at != std::string::npos; at = log.find("server process (PID", at + 1)) {
    ++exits;
  }
  EXPECT_EQ(exits, 1u) << log;
  EXPECT_NE(log.find("terminating any other active server processes"), std::string::npos);
  EXPECT_NE(log.find("all server processes terminated; reinitializing"), std::string::npos);
}

// Scenario: with restart_after_crash off, a crash shuts the server down.
TEST(LifecycleTest, NoRestartAfterCrash) {
  Server server({"restart_after_crash=off"});
  ASSERT_TRUE(server.Start());
  auto c = server.Connect();
  ASSERT_TRUE(c.ok());
  (void)(*c)->Query("SELECT minipg_crash()");
  EXPECT_EQ(server.Stop(0, 10000), 1) << "the postmaster exits by itself, with code 1";
  EXPECT_NE(server.Log().find("shutting down because restart_after_crash is off"), std::string::npos);
}

// Scenario: the config file in the data directory is read; -c wins over it.
TEST(LifecycleTest, ConfigFileAndCommandLine) {
  char tmpl[] = "/tmp/minipg_conf_XXXXXX";
  std::filesystem::path dir = mkdtemp(tmpl);
  {
    Server init({}, dir);  // the first start initializes the data directory (pg_control, pg_wal)
    ASSERT_TRUE(init.Start());
    init.Stop(SIGINT);
  }
  std::ofstream(dir / "minipg.conf") << "max_connections = 1   # tiny\nsuperuser_reserved_connections = 0\n";
  std::ofstream(dir / "pg_hba.conf") << "local all all trust\n";
  Server server({}, dir);
  ASSERT_TRUE(server.Start());
  auto a = server.Connect();
  ASSERT_TRUE(a.ok());
  auto b = server.Connect();
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().sqlstate, "53300") << "max_connections = 1 came from minipg.conf";
  (*a)->Close();
  server.Stop(SIGINT);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace minipg::testing
