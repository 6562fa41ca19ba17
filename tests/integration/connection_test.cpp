/*
 * connection_test.cpp
 *   The process model, end to end: one backend process per connection,
 *   max_connections, process titles, and hostile input that must harm no
 *   one else.
 */
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <barrier>
#include <chrono>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "engine/protocol/codec.h"
#include "engine/protocol/message_reader.h"
#include "tests/integration/server_harness.h"

namespace minipg::testing {
namespace {

// Scenario: ten clients at once each get their own backend process; when
// they leave, every backend exits and no zombie is left behind.
TEST(ConnectionTest, TenConcurrentClientsTenBackends) {
  Server server;
  ASSERT_TRUE(server.Start());
  constexpr int kClients = 10;
  std::vector<int> pids(kClients, 0);
  std::vector<int> reported(kClients, 0);
  std::barrier all_connected(kClients + 1);
  std::barrier may_leave(kClients + 1);
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      auto c = server.Connect(i % 2 == 0, "client" + std::to_string(i));
      if (c.ok()) {
        auto r = (*c)->Query("SELECT pg_backend_pid()");
        if (r.ok() && r->Scalar()) pids[i] = std::stoi(*r->Scalar());
        reported[i] = (*c)->backend_pid();
      }
      all_connected.arrive_and_wait();
      may_leave.arrive_and_wait();
      if (c.ok()) (*c)->Close();
    });
  }
  all_connected.arrive_and_wait();
  // While all ten are connected: ten distinct backends, children of the postmaster.
  std::set<int> distinct(pids.begin(), pids.end());
  EXPECT_EQ(distinct.size(), static_cast<size_t>(kClients));
  EXPECT_EQ(distinct.count(0), 0u) << "every client got a pid";
  EXPECT_EQ(distinct.count(server.pid()), 0u) << "no query ran in the postmaster";
  EXPECT_EQ(pids, reported) << "pg_backend_pid() matches BackendKeyData";
  auto backends = server.Backends();
  EXPECT_EQ(backends.size(), static_cast<size_t>(kClients));
  for (int p : pids) {
    EXPECT_NE(std::find(backends.begin(), backends.end(), p), backends.end()) << p << " is a child of the postmaster";
  }
  may_leave.arrive_and_wait();
  for (auto& t : threads) t.join();
  EXPECT_TRUE(server.WaitForBackends(0)) << "all backends exit when their clients leave";
  bool zombie = true;
  ChildrenOf(server.pid(), &zombie);
  EXPECT_FALSE(zombie) << "the postmaster reaps every child";
  EXPECT_TRUE(server.Running());
}

// Scenario: the client over max_connections gets 53300; the others keep
// working; when one leaves, a new client gets in.
TEST(ConnectionTest, MaxConnectionsEnforced) {
  Server server({"max_connections=3", "superuser_reserved_connections=0"});
  ASSERT_TRUE(server.Start());
  std::vector<std::unique_ptr<client::Connection>> held;
  for (int i = 0; i < 3; ++i) {
    auto c = server.Connect();
    ASSERT_TRUE(c.ok()) << c.error().message;
    held.push_back(std::move(*c));
  }
  auto extra = server.Connect(false);
  ASSERT_FALSE(extra.ok());
  EXPECT_EQ(extra.error().sqlstate, "53300");
  EXPECT_EQ(extra.error().message, "sorry, too many clients already");
  for (auto& c : held) {
    auto r = c->Query("SELECT 1 + 1");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->Scalar(), "2") << "sessions under the limit are unaffected";
  }
  held.back()->Close();
  held.pop_back();
  ASSERT_TRUE(server.WaitForBackends(2));
  auto again = server.Connect();
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ((*again)->Query("SELECT 42")->Scalar(), "42");
}

// Scenario: `ps` shows the postmaster and each backend the way PostgreSQL's do.
TEST(ConnectionTest, ProcessTitles) {
  Server server;
  ASSERT_TRUE(server.Start());
  EXPECT_EQ(ProcessTitle(server.pid()), "minipg: postmaster");
  auto local = server.Connect(true);
  auto tcp = server.Connect(false);
  ASSERT_TRUE(local.ok() && tcp.ok());
  std::string local_title = ProcessTitle((*local)->backend_pid());
  EXPECT_EQ(local_title, "minipg: " + Superuser() + " postgres [local] idle");
  std::string tcp_title = ProcessTitle((*tcp)->backend_pid());
  EXPECT_EQ(tcp_title.rfind("minipg: " + Superuser() + " postgres 127.0.0.1(", 0), 0u) << tcp_title;
  EXPECT_NE(tcp_title.find(") idle"), std::string::npos) << tcp_title;
  ASSERT_TRUE((*tcp)->Query("BEGIN").ok());
  EXPECT_EQ((*tcp)->transaction_status(), 'T');
  EXPECT_NE(ProcessTitle((*tcp)->backend_pid()).find("idle in transaction"), std::string::npos);
  bool collector = false;
  for (pid_t p : ChildrenOf(server.pid())) collector |= ProcessTitle(p) == "minipg: event collector";
  EXPECT_TRUE(collector);
}

/* Opens a raw TCP connection to the server. */
int RawConnect(const Server& s) {
  auto fd = client::OpenSocket("127.0.0.1", s.port(), 5000);
  return fd.ok() ? *fd : -1;
}

/* Reads until EOF (or 5 s); returns what arrived. */
std::string ReadUntilClose(int fd) {
  std::string got;
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 5000) != 1) break;
    char buf[1024];
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  return got;
}

// Scenario: garbage instead of a startup packet gets an error or a closed
// connection; the server keeps serving everyone else.
TEST(ConnectionTest, MalformedStartupHarmsNoOne) {
  Server server;
  ASSERT_TRUE(server.Start());
  auto bystander = server.Connect();
  ASSERT_TRUE(bystander.ok());
  std::mt19937 rng(12345);
  const std::vector<std::string> attacks = {
      std::string("\x00\x00\x00\x04", 4),                      // length too small
      std::string("\x7f\xff\xff\xff", 4),                      // 2 GB length
      std::string("\x00\x00\x00\x08\x00\x02\x00\x00", 8),      // protocol 2.0
      std::string("\x00\x00\x00\x0c\x00\x03\x00\x00user", 12),  // unterminated parameters
      "GET / HTTP/1.1\r\nHost: x\r\n\r\n",                     // the wrong protocol entirely
  };
  std::vector<std::string> all = attacks;
  for (int i = 0; i < 5; ++i) {
    std::string junk(64 + rng() % 512, '\0');
    for (char& c : junk) c = static_cast<char>(rng());
    all.push_back(junk);
  }
  for (const auto& bytes : all) {
    int fd = RawConnect(server);
    ASSERT_GE(fd, 0);
    send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    std::string reply = ReadUntilClose(fd);
    close(fd);
    // Either nothing, or an ErrorResponse: never a session.
    if (!reply.empty()) {
      EXPECT_EQ(reply[0], 'E') << "reply to garbage must be an ErrorResponse";
    }
    EXPECT_EQ(reply.find('Z'), std::string::npos) << "no ReadyForQuery for garbage";
  }
  EXPECT_TRUE(server.Running());
  EXPECT_EQ((*bystander)->Query("SELECT 7")->Scalar(), "7") << "an existing session goes on";
  auto fresh = server.Connect();
  ASSERT_TRUE(fresh.ok()) << "new sessions still start";
}

// Scenario: statement_timeout cancels a statement that runs too long with
// 57014 "due to statement timeout"; the session goes on, and a statement
// that finishes in time is not touched by a stale timer.
TEST(ConnectionTest, StatementTimeout) {
  Server server;
  ASSERT_TRUE(server.Start());
  auto c = server.Connect();
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE((*c)->Query("SET statement_timeout = '200ms'")->ok());
  auto start = std::chrono::steady_clock::now();
  auto r = (*c)->Query("SELECT pg_sleep(20)");
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->error.has_value());
  EXPECT_EQ(r->error->sqlstate, "57014");
  EXPECT_EQ(r->error->message, "canceling statement due to statement timeout");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(15));
  auto quick = (*c)->Query("SELECT pg_sleep(0.05)");
  ASSERT_TRUE(quick.ok());
  EXPECT_FALSE(quick->error.has_value());
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // past the old deadline
  EXPECT_EQ((*c)->Query("SELECT 'still fine'")->Scalar(), "still fine");
  ASSERT_TRUE((*c)->Query("RESET statement_timeout")->ok());
  EXPECT_EQ((*c)->Query("SHOW statement_timeout")->Scalar(), "0");

  // In one Query message, as PostgreSQL 15 (tried): a SET takes effect for
  // the statements after it, and each statement has a timeout of its own.
  r = (*c)->Query("SET statement_timeout = '300ms'; SELECT pg_sleep(20)");
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->error.has_value());
  EXPECT_EQ(r->error->message, "canceling statement due to statement timeout");
  r = (*c)->Query("SELECT pg_sleep(0.2); SELECT pg_sleep(0.2); SELECT 'each under 300ms'");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->error.has_value()) << r->error->message;
  EXPECT_EQ(r->statements.back().rows.at(0).at(0), "each under 300ms");
  ASSERT_TRUE((*c)->Query("RESET statement_timeout")->ok());
}

// Scenario: a client that connects and sends nothing is dropped by its own
// backend after authentication_timeout, without a word to it or to the log
// (PostgreSQL 15 does the same); meanwhile others connect freely.
TEST(ConnectionTest, SilentClientTimesOut) {
  Server server({"authentication_timeout=1"});
  ASSERT_TRUE(server.Start());
  int silent = RawConnect(server);
  ASSERT_GE(silent, 0);
  auto other = server.Connect();
  ASSERT_TRUE(other.ok()) << "the postmaster is not the one waiting";
  auto start = std::chrono::steady_clock::now();
  std::string reply = ReadUntilClose(silent);
  close(silent);
  EXPECT_EQ(reply, "") << "no startup packet: the connection is closed without an error";
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(500));
  EXPECT_EQ((*other)->Query("SELECT 5")->Scalar(), "5");
  EXPECT_EQ(server.Log().find("canceling authentication"), std::string::npos) << server.Log();
}

// Scenario: a client that sends its startup packet and then never answers
// the password request: after authentication_timeout its backend logs
// FATAL 57014 but tells the client nothing (as PostgreSQL 15 does).
TEST(ConnectionTest, SilentPasswordTimesOut) {
  Server server({"authentication_timeout=1"});
  ASSERT_TRUE(server.Start());
  auto admin = server.Connect();
  ASSERT_TRUE(admin.ok());
  ASSERT_TRUE((*admin)->Query("CREATE ROLE bob LOGIN PASSWORD 'x'").ok());
  {
    std::ofstream hba(server.data_dir() / "pg_hba.conf");
    hba << "host all bob 127.0.0.1/32 password\nlocal all all trust\nhost all all 127.0.0.1/32 trust\n";
  }
  ASSERT_TRUE((*admin)->Query("SELECT pg_reload_conf()").ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  int fd = RawConnect(server);
  ASSERT_GE(fd, 0);
  std::string packet;
  protocol::StartupMessage m;
  m.params = {{"user", "bob"}, {"database", "postgres"}};
  protocol::EncodeStartupMessage(packet, m);
  ASSERT_EQ(send(fd, packet.data(), packet.size(), MSG_NOSIGNAL), static_cast<ssize_t>(packet.size()));
  std::string reply = ReadUntilClose(fd);
  close(fd);
  ASSERT_FALSE(reply.empty());
  EXPECT_EQ(reply[0], 'R') << "asked for a password";
  EXPECT_EQ(reply.find("canceling authentication"), std::string::npos) << "the client is told nothing";
  std::string log = server.Log();
  for (int i = 0; i < 100 && log.find("FATAL:  canceling authentication due to timeout") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    log = server.Log();
  }
  EXPECT_NE(log.find("FATAL:  canceling authentication due to timeout"), std::string::npos) << log;
}

// Scenario: a client that trickles its startup packet a byte at a time
// still has only authentication_timeout in all (no slowloris).
TEST(ConnectionTest, TricklingClientTimesOut) {
  Server server({"authentication_timeout=1"});
  ASSERT_TRUE(server.Start());
  int fd = RawConnect(server);
  ASSERT_GE(fd, 0);
  std::string packet;
  protocol::StartupMessage m;
  m.params = {{"user", "slow"}};
  protocol::EncodeStartupMessage(packet, m);
  auto start = std::chrono::steady_clock::now();
  bool closed = false;
  for (size_t i = 0; i + 1 < packet.size() && !closed; ++i) {
    closed = send(fd, &packet[i], 1, MSG_NOSIGNAL) < 0;
    pollfd p{fd, POLLIN, 0};
    closed |= poll(&p, 1, 300) == 1;  // the server spoke (FATAL) or hung up
  }
  ASSERT_TRUE(closed) << "the server must give up before the packet is complete";
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(8));
  std::string reply = ReadUntilClose(fd);
  close(fd);
  EXPECT_EQ(reply, "") << "no complete startup packet: closed without an error";
}

// Scenario: an error in an extended-protocol message (a Parse naming a
// missing table) is sent once, then everything up to Sync is discarded (even
// a Query), then ReadyForQuery; a fast-path FunctionCall gets its error and
// its own ReadyForQuery.
TEST(ConnectionTest, UnsupportedMessagesRecoverLikePostgres) {
  Server server;
  ASSERT_TRUE(server.Start());
  auto c = server.Connect();
  ASSERT_TRUE(c.ok());
  int fd = (*c)->fd();
  auto raw = [](char type, std::string body) {
    std::string out(1, type);
    uint32_t len = static_cast<uint32_t>(body.size() + 4);
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((len >> shift) & 0xff));
    return out + body;
  };
  std::string wire = raw('P', std::string("\0SELECT * FROM nope\0\0\0", 22)) + raw('B', std::string(8, '\0'));
  protocol::EncodeQuery(wire, "CREATE TABLE must_not_exist (a int)");
  wire += raw('S', "");
  ASSERT_EQ(send(fd, wire.data(), wire.size(), MSG_NOSIGNAL), static_cast<ssize_t>(wire.size()));
  protocol::MessageReader reader(fd, protocol::Peer::kBackend);
  auto m1 = reader.ReadMessage();
  ASSERT_TRUE(m1.ok());
  EXPECT_EQ(m1->type, 'E');
  EXPECT_EQ(protocol::DecodeErrorResponse(m1->body)->sqlstate, "42P01");
  auto m2 = reader.ReadMessage();
  ASSERT_TRUE(m2.ok());
  EXPECT_EQ(m2->type, 'Z') << "one error, then ReadyForQuery at Sync";
  std::string call = raw('F', std::string(10, '\0'));
  send(fd, call.data(), call.size(), MSG_NOSIGNAL);
  auto m3 = reader.ReadMessage();
  ASSERT_TRUE(m3.ok());
  EXPECT_EQ(m3->type, 'E');
  auto m4 = reader.ReadMessage();
  ASSERT_TRUE(m4.ok());
  EXPECT_EQ(m4->type, 'Z');
  auto check = server.Connect();
  ASSERT_TRUE(check.ok());
  auto r = (*check)->Query("SELECT * FROM must_not_exist");
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->error.has_value()) << "the Query inside the skipped run was discarded";
  EXPECT_EQ(r->error->sqlstate, "42P01");
}

// Scenario: after startup, an unknown message type ends that session with
// FATAL 08P01; a huge length is refused without allocating it.
TEST(ConnectionTest, MalformedMessagesAfterStartup) {
  Server server;
  ASSERT_TRUE(server.Start());
  for (const std::string& bytes : {std::string("\x01\x00\x00\x00\x04", 5), std::string("Q\x7f\xff\xff\xff", 5)}) {
    auto c = server.Connect(false);
    ASSERT_TRUE(c.ok());
    send((*c)->fd(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
    std::string reply = ReadUntilClose((*c)->fd());
    ASSERT_FALSE(reply.empty());
    EXPECT_EQ(reply[0], 'E');
    EXPECT_NE(reply.find("08P01"), std::string::npos);
    EXPECT_NE(reply.find("FATAL"), std::string::npos);
  }
  auto ok = server.Connect();
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ((*ok)->Query("SELECT 'still here'")->Scalar(), "still here");
}

// Scenario: a cancel from a second connection ends a running pg_sleep with
// 57014, and the session goes on.
TEST(ConnectionTest, CancelRequestEndsSleep) {
  Server server;
  ASSERT_TRUE(server.Start());
  auto c = server.Connect(false);
  ASSERT_TRUE(c.ok());
  Result<client::QueryResult> result = client::QueryResult{};
  auto start = std::chrono::steady_clock::now();
  std::thread runner([&] { result = (*c)->Query("SELECT pg_sleep(30)"); });
  // Wait until the backend is really running the statement (its title says so).
  for (int i = 0; i < 250 && ProcessTitle((*c)->backend_pid()).find("SELECT") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE((*c)->Cancel().ok());
  runner.join();
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::seconds(25)) << "the sleep ended early";
  ASSERT_TRUE(result.ok());
  ASSERT_TRUE(result->error.has_value());
  EXPECT_EQ(result->error->sqlstate, "57014");
  EXPECT_EQ(result->error->message, "canceling statement due to user request");
  EXPECT_EQ((*c)->Query("SELECT 'after'")->Scalar(), "after");
  // A cancel with the wrong key does nothing to a running statement.
  auto other = server.Connect();
  ASSERT_TRUE(other.ok());
  Result<client::QueryResult> slept = client::QueryResult{};
  std::thread sleeper([&] { slept = (*other)->Query("SELECT pg_sleep(1)"); });
  for (int i = 0; i < 250 && ProcessTitle((*other)->backend_pid()).find("SELECT") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::string wrong;
  protocol::EncodeCancelRequest(wrong, (*other)->backend_pid(), (*other)->cancel_key() ^ 1);
  int fd = RawConnect(server);
  send(fd, wrong.data(), wrong.size(), MSG_NOSIGNAL);
  ReadUntilClose(fd);
  close(fd);
  sleeper.join();
  ASSERT_TRUE(slept.ok());
  EXPECT_FALSE(slept->error.has_value()) << "a wrong key must not cancel";
}

}  // namespace
}  // namespace minipg::testing
