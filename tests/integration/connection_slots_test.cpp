/*
 * connection_slots_test.cpp
 *   Who holds a process array slot: only a backend past its startup
 *   packet, so clients that never finish it keep no one out; the live
 *   children are bounded (dead ends say "sorry, too many clients
 *   already"); the last superuser_reserved_connections slots are for
 *   superusers.
 */
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "engine/protocol/codec.h"
#include "tests/integration/server_harness.h"

namespace minipg::testing {
namespace {

/* Clients that send a valid startup packet one byte a second, as a
 * slowloris attack does, until they are destroyed. */
class Slowloris {
 public:
  Slowloris(const Server& server, int count) {
    std::string packet;
    protocol::StartupMessage m;
    m.params = {{"user", Superuser()}, {"database", "postgres"}};
    protocol::EncodeStartupMessage(packet, m);
    for (int i = 0; i < count; ++i) {
      auto fd = client::OpenSocket("127.0.0.1", server.port(), 5000);
      if (fd.ok()) fds_.push_back(*fd);
    }
    trickle_ = std::thread([this, packet] {
      for (size_t sent = 0; sent + 1 < packet.size() && !stop_; ++sent) {
        for (int fd : fds_) (void)send(fd, packet.data() + sent, 1, MSG_NOSIGNAL);
        for (int i = 0; i < 10 && !stop_; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    });
  }
  ~Slowloris() {
    stop_ = true;
    trickle_.join();
    for (int fd : fds_) close(fd);
  }
  size_t connected() const { return fds_.size(); }

 private:
  std::vector<int> fds_;
  std::atomic<bool> stop_{false};
  std::thread trickle_;
};

// Scenario: 2 x max_connections clients trickle their startup packets a
// byte a second; a real psql still gets in at once, and pg_stat_activity
// shows only it (the slow ones hold no slot).
TEST(ConnectionSlotsTest, SlowlorisDoesNotLockOutPsql) {
  Server server({"max_connections=5"});
  ASSERT_TRUE(server.Start());
  Slowloris slow(server, 10);
  ASSERT_EQ(slow.connected(), 10u);
  ASSERT_TRUE(server.WaitForBackends(10)) << "each slow client has its own backend, still in startup";
  auto r = RunCommand(server.PsqlCommand(false) +
                      " -At -c \"SELECT pid = pg_backend_pid() FROM pg_stat_activity WHERE backend_type = 'client backend'\" 2>&1");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(r.out, "t\n") << "only psql's own backend holds a slot";
  auto c = server.Connect(false);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ((*c)->Query("SELECT 7")->Scalar(), "7");
}

// Scenario: past 2 x (max_connections + 2) live backends (here all slow
// clients in startup) the next client is refused by a dead end with
// PostgreSQL's 53300; once the slow ones go, clients get in again.
TEST(ConnectionSlotsTest, TooManyLiveChildrenGetDeadEnd) {
  Server server({"max_connections=2", "superuser_reserved_connections=0"});
  ASSERT_TRUE(server.Start());
  {
    Slowloris slow(server, 8);
    ASSERT_TRUE(server.WaitForBackends(8));
    auto refused = server.Connect(false);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().sqlstate, "53300");
    EXPECT_EQ(refused.error().message, "sorry, too many clients already");
  }
  ASSERT_TRUE(server.WaitForBackends(0)) << "the slow clients' backends exit when they hang up";
  auto c = server.Connect(false);
  ASSERT_TRUE(c.ok()) << c.error().message;
}

// Scenario: with max_connections = 5 and the default 3 reserved slots,
// ordinary sessions may use only 2 slots (here the admin's and one of
// alice's); the next ordinary role gets PostgreSQL 15's reserved-slot FATAL,
// while superusers fill the rest; past that everyone gets "too many".
TEST(ConnectionSlotsTest, SuperuserReservedConnections) {
  Server server({"max_connections=5"});
  ASSERT_TRUE(server.Start());
  std::vector<std::unique_ptr<client::Connection>> held;
  auto admin = server.Connect();
  ASSERT_TRUE(admin.ok());
  EXPECT_EQ((*admin)->Query("SHOW superuser_reserved_connections")->Scalar(), "3");
  ASSERT_TRUE((*admin)->Query("CREATE ROLE alice LOGIN").ok());
  held.push_back(std::move(*admin));
  auto options = server.Options();
  options.user = "alice";
  auto alice = client::Connection::Connect(options);
  ASSERT_TRUE(alice.ok()) << alice.error().message;
  held.push_back(std::move(*alice));
  auto refused = client::Connection::Connect(options);
  ASSERT_FALSE(refused.ok()) << "2 slots used, 3 free: the 3 free are reserved";
  EXPECT_EQ(refused.error().sqlstate, "53300");
  EXPECT_EQ(refused.error().message,
            "remaining connection slots are reserved for non-replication superuser connections");
  for (int i = 0; i < 3; ++i) {
    auto c = server.Connect();
    ASSERT_TRUE(c.ok()) << "a superuser gets a reserved slot: " << c.error().message;
    held.push_back(std::move(*c));
  }
  auto full = server.Connect();
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().sqlstate, "53300");
  EXPECT_EQ(full.error().message, "sorry, too many clients already");
  held.clear();
  ASSERT_TRUE(server.WaitForBackends(0));
  auto again = client::Connection::Connect(options);
  EXPECT_TRUE(again.ok()) << "slots come back when sessions leave";
}

// Scenario: as PostgreSQL 15, the server refuses to start when
// superuser_reserved_connections leaves ordinary roles no slot.
TEST(ConnectionSlotsTest, ReservedMustBeLessThanMaxConnections) {
  char tmpl[] = "/tmp/minipg_slots_XXXXXX";
  std::string dir = mkdtemp(tmpl);
  auto r = RunCommand(BinDir() + "/minipg -D " + dir + " -p " + std::to_string(FreePort()) +
                      " -c max_connections=3 2>&1");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("superuser_reserved_connections (3) must be less than max_connections (3)"),
            std::string::npos)
      << r.out;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace minipg::testing
