/*
 * client_test.cpp
 *   The client library's own behaviour without a server: failures to
 *   connect are clear errors. (Against a real server: tests/integration.)
 */
#include "sim/client/client.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "engine/protocol/codec.h"
#include "engine/protocol/message_reader.h"

namespace minipg::client {
namespace {

// Scenario: OpenSocket reports a refused connection as a clear error.
TEST(ClientTest, ConnectionRefusedIsAnError) {
  auto fd = OpenSocket("/nonexistent-dir", 1, 1000);
  ASSERT_FALSE(fd.ok());
  EXPECT_NE(fd.error().message.find("/nonexistent-dir/.s.PGSQL.1"), std::string::npos) << fd.error().message;
  ConnectOptions o;
  o.host = "127.0.0.1";
  o.port = 1;  // nothing listens on port 1
  auto c = Connection::Connect(o);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().sqlstate, "08000");
}

// Scenario: Scalar() gives the first value of the last statement.
TEST(ClientTest, ScalarShortcut) {
  QueryResult r;
  EXPECT_FALSE(r.Scalar().has_value());
  StatementResult s;
  s.rows.push_back({std::string("x")});
  r.statements.push_back(s);
  EXPECT_EQ(r.Scalar(), "x");
}

/* A one-connection fake server on a Unix socket in a temporary directory:
 * it answers the startup packet with AuthenticationOk, BackendKeyData and
 * ReadyForQuery, then writes what the test tells it to. */
class FakeServer {
 public:
  FakeServer() {
    char tmpl[] = "/tmp/minipg_client_test_XXXXXX";
    dir_ = mkdtemp(tmpl);
    listen_fd_ = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::string path = dir_ + "/.s.PGSQL.5432";
    std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
    EXPECT_EQ(bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(listen(listen_fd_, 1), 0);
    accepter_ = std::thread([this] {
      fd_ = accept(listen_fd_, nullptr, nullptr);
      protocol::MessageReader reader(fd_, protocol::Peer::kFrontend);
      (void)reader.ReadStartupPacket();
      std::string out;
      protocol::EncodeAuthenticationOk(out);
      protocol::EncodeBackendKeyData(out, 4242, 7);
      protocol::EncodeReadyForQuery(out, protocol::kTxIdle);
      (void)protocol::WriteAll(fd_, out);
    });
  }
  ~FakeServer() {
    if (accepter_.joinable()) accepter_.join();
    if (fd_ >= 0) close(fd_);
    close(listen_fd_);
    std::filesystem::remove_all(dir_);
  }
  ConnectOptions Options() const {
    ConnectOptions o;
    o.host = dir_;
    o.port = 5432;
    o.user = "u";
    o.database = "d";
    o.connect_timeout_ms = 5000;
    return o;
  }
  /* Waits until the startup exchange is over. */
  void Accepted() { accepter_.join(); }
  void Send(const std::string& bytes) { (void)protocol::WriteAll(fd_, bytes); }
  void Close() {
    close(fd_);
    fd_ = -1;
  }

 private:
  std::string dir_;
  int listen_fd_ = -1;
  int fd_ = -1;
  std::thread accepter_;
};

// Scenario: an idle connection is told FATAL 57P01 and closed, and the client
// looks in between the two (the FATAL has arrived, the close not yet); the
// look after the close still reports the FATAL as the reason.
TEST(ClientTest, ServerClosedKeepsTheFatalThatCameBeforeTheClose) {
  FakeServer server;
  auto c = Connection::Connect(server.Options());
  ASSERT_TRUE(c.ok()) << c.error().message;
  server.Accepted();
  EXPECT_EQ((*c)->backend_pid(), 4242);
  Error why;
  EXPECT_FALSE((*c)->ServerClosed(&why)) << "nothing arrived yet";

  std::string fatal;
  protocol::ErrorFields e;
  e.severity = "FATAL";
  e.sqlstate = "57P01";
  e.message = "terminating connection due to administrator command";
  protocol::EncodeErrorResponse(fatal, e);
  server.Send(fatal);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE((*c)->ServerClosed(&why)) << "the socket is still open";

  server.Close();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  Error after_close;  // a new look, as a caller polling in a loop makes
  EXPECT_TRUE((*c)->ServerClosed(&after_close));
  EXPECT_EQ(after_close.sqlstate, "57P01");
  EXPECT_EQ(after_close.message, e.message);
}

}  // namespace
}  // namespace minipg::client
