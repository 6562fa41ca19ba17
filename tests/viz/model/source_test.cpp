/*-------------------------------------------------------------------------
 * source_test.cpp
 *   Tests of the event sources: FileSource on recorded traces, TcpSource
 *   against a tiny in-test server on a free loopback port, and HOST:PORT
 *   parsing.
 *-------------------------------------------------------------------------
 */
#include "viz/model/source.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "viz/model/event.h"

namespace minipg::viz {
namespace {

/* A listening loopback socket on a free port (the kernel picks it). */
class TestListener {
 public:
  explicit TestListener(int port = 0) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(::listen(fd_, 4), 0);
    socklen_t len = sizeof(addr);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~TestListener() { ::close(fd_); }
  int port() const { return port_; }
  int Accept() { return ::accept(fd_, nullptr, nullptr); }

 private:
  int fd_ = -1;
  int port_ = 0;
};

/* Polls until `want` lines arrived and the source left kStreaming, or 10 s. */
std::vector<std::string> Drain(EventSource& source, size_t want) {
  std::vector<std::string> lines;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    source.Poll(lines, 2);  // small bound: Poll never returns more than asked
    SourceState s = source.state();
    if (lines.size() >= want && s != SourceState::kStreaming && s != SourceState::kConnecting) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return lines;
}

// Scenario: a recorded trace is delivered line by line, within the bound.
TEST(SourceTest, FileSourceDeliversAllLines) {
  FileSource source(fmt::format("{}/lifecycle.jsonl", MINIPG_VIZ_TEST_DATA));
  EXPECT_EQ(source.state(), SourceState::kStreaming);
  std::vector<std::string> out;
  EXPECT_EQ(source.Poll(out, 10), 10u);
  EXPECT_EQ(out.size(), 10u);
  EXPECT_EQ(source.Poll(out, 100), 14u);
  EXPECT_EQ(source.state(), SourceState::kEnded);
  EXPECT_EQ(source.Poll(out, 100), 0u);
  EXPECT_EQ(out.front().rfind("{\"type\":\"hello\"", 0), 0u);
}

// Scenario: a missing file is a failed source with a message, not a crash.
TEST(SourceTest, FileSourceMissingFile) {
  FileSource source("/nonexistent/trace.jsonl");
  EXPECT_EQ(source.state(), SourceState::kFailed);
  EXPECT_NE(source.error().find("/nonexistent/trace.jsonl"), std::string::npos);
  std::vector<std::string> out;
  EXPECT_EQ(source.Poll(out, 10), 0u);
}

// Scenario: a live stream arrives in pieces that split lines anywhere; the
// source hands on whole lines, and the last unterminated one when the server
// closes the stream.
TEST(SourceTest, TcpSourceReassemblesLines) {
  TestListener listener;
  TcpSource source("127.0.0.1", listener.port());
  int conn = listener.Accept();
  ASSERT_GE(conn, 0);
  const std::string data =
      "{\"type\":\"hello\",\"ts\":1,\"pid\":1}\n{\"type\":\"fork\",\"ts\":2,"
      "\"pid\":1,\"child\":2}\n\n{\"type\":\"state\",\"ts\":3,\"pid\":2,\"sta";
  for (size_t i = 0; i < data.size(); i += 7) {
    std::string piece = data.substr(i, 7);
    ASSERT_EQ(::send(conn, piece.data(), piece.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(piece.size()));
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ::close(conn);
  std::vector<std::string> lines = Drain(source, 4);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "{\"type\":\"hello\",\"ts\":1,\"pid\":1}");
  EXPECT_EQ(lines[2], "");
  EXPECT_EQ(lines[3], "{\"type\":\"state\",\"ts\":3,\"pid\":2,\"sta");
  EXPECT_EQ(source.state(), SourceState::kEnded);
  EXPECT_EQ(source.dropped_lines(), 0u);
}

// Scenario: the reader thread hands lines over already parsed (the window's
// thread only applies them): an event, a blank line, a truncated one, each
// parsed as ParseEvent would, and the wake callback ran; TakeParse gives the
// same for a line that was not parsed ahead.
TEST(SourceTest, TcpSourceParsesAhead) {
  TestListener listener;
  std::atomic<int> wakes{0};
  TcpSource source("127.0.0.1", listener.port(), false, [&] { ++wakes; });
  int conn = listener.Accept();
  ASSERT_GE(conn, 0);
  const std::string data = "{\"type\":\"fork\",\"ts\":2,\"pid\":1,\"child\":2}\n\n{\"type\":\"sta\n";
  ASSERT_EQ(::send(conn, data.data(), data.size(), MSG_NOSIGNAL), static_cast<ssize_t>(data.size()));
  ::close(conn);
  std::vector<SourceLine> lines;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (lines.size() < 3 && std::chrono::steady_clock::now() < deadline) {
    source.PollLines(lines, 10);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(lines.size(), 3u);
  // The window was woken when lines came to an empty queue (not for each).
  EXPECT_GE(wakes.load(), 1);
  EXPECT_LE(wakes.load(), 3);
  for (const SourceLine& l : lines) EXPECT_TRUE(l.parsed) << l.text;
  ASSERT_TRUE(lines[0].result.event.has_value());
  EXPECT_EQ(lines[0].result.event->type, EventType::kFork);
  EXPECT_EQ(lines[0].result.event->Int("child"), 2);
  EXPECT_FALSE(lines[1].result.event.has_value());
  EXPECT_TRUE(lines[1].result.error.empty()) << "a blank line is not an error";
  EXPECT_FALSE(lines[2].result.event.has_value());
  EXPECT_EQ(lines[2].result.error, ParseEvent(lines[2].text).error);
  SourceLine late{lines[0].text, false, {}};
  ParseResult r = TakeParse(late);
  ASSERT_TRUE(r.event.has_value());
  EXPECT_EQ(r.event->Int("child"), 2);
}

// Scenario: the server restarts (a shutdown, then a new postmaster on the
// same event port): a reconnecting source waits, connects again and goes on
// with the new stream.
TEST(SourceTest, TcpSourceReconnectsAfterTheServerCloses) {
  TestListener listener;
  TcpSource source("127.0.0.1", listener.port(), /*reconnect=*/true);
  int first = listener.Accept();
  ASSERT_GE(first, 0);
  std::string a = "{\"type\":\"hello\",\"ts\":1,\"pid\":1}\n";
  ASSERT_EQ(::send(first, a.data(), a.size(), MSG_NOSIGNAL), static_cast<ssize_t>(a.size()));
  ::close(first);
  int second = listener.Accept();  // the source comes back by itself
  ASSERT_GE(second, 0);
  std::string b = "{\"type\":\"hello\",\"ts\":9,\"pid\":7}\n";
  ASSERT_EQ(::send(second, b.data(), b.size(), MSG_NOSIGNAL), static_cast<ssize_t>(b.size()));
  std::vector<std::string> lines;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (lines.size() < 2 && std::chrono::steady_clock::now() < deadline) {
    source.Poll(lines, 10);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[1], "{\"type\":\"hello\",\"ts\":9,\"pid\":7}");
  EXPECT_EQ(source.state(), SourceState::kStreaming);
  ::close(second);
}

// Scenario: the viewer starts before the server (a lesson's server is
// still starting): a reconnecting source waits, saying why, and connects
// once something listens.
TEST(SourceTest, TcpSourceWaitsForAServerNotYetListening) {
  int port = 0;
  {
    TestListener probe;  // a free port, closed again
    port = probe.port();
  }
  TcpSource source("127.0.0.1", port, /*reconnect=*/true);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(source.state(), SourceState::kConnecting);
  EXPECT_NE(source.error().find("waiting for the server"), std::string::npos) << source.error();
  TestListener listener(port);
  ASSERT_EQ(listener.port(), port);
  int conn = listener.Accept();
  ASSERT_GE(conn, 0);
  std::string a = "{\"type\":\"hello\",\"ts\":1,\"pid\":1}\n";
  ASSERT_EQ(::send(conn, a.data(), a.size(), MSG_NOSIGNAL), static_cast<ssize_t>(a.size()));
  std::vector<std::string> lines;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (lines.empty() && std::chrono::steady_clock::now() < deadline) {
    source.Poll(lines, 10);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(source.state(), SourceState::kStreaming);
  ::close(conn);
}

// Scenario: an oversized line is dropped and counted, the next line survives.
TEST(SourceTest, TcpSourceDropsOversizedLine) {
  TestListener listener;
  TcpSource source("127.0.0.1", listener.port());
  int conn = listener.Accept();
  ASSERT_GE(conn, 0);
  std::string big(kMaxLineBytes + 100, 'x');
  big += "\n{\"type\":\"hello\",\"ts\":1,\"pid\":1}\n";
  size_t sent = 0;
  while (sent < big.size()) {
    ssize_t n = ::send(conn, big.data() + sent, big.size() - sent, MSG_NOSIGNAL);
    ASSERT_GT(n, 0);
    sent += static_cast<size_t>(n);
  }
  ::close(conn);
  std::vector<std::string> lines = Drain(source, 1);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "{\"type\":\"hello\",\"ts\":1,\"pid\":1}");
  EXPECT_EQ(source.dropped_lines(), 1u);
}

// Scenario: nobody listens on the port: the source fails with a message.
TEST(SourceTest, TcpSourceConnectionRefused) {
  int port = 0;
  {
    TestListener listener;  // find a free port, then close it
    port = listener.port();
  }
  TcpSource source("127.0.0.1", port);
  Drain(source, 0);
  EXPECT_EQ(source.state(), SourceState::kFailed);
  EXPECT_NE(source.error().find("cannot connect"), std::string::npos) << source.error();
}

// Scenario: destroying a connected source stops its thread promptly.
TEST(SourceTest, TcpSourceStopsOnDestruction) {
  TestListener listener;
  auto source = std::make_unique<TcpSource>("127.0.0.1", listener.port());
  int conn = listener.Accept();
  ASSERT_GE(conn, 0);
  auto start = std::chrono::steady_clock::now();
  source.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  ::close(conn);
}

TEST(SourceTest, ParseHostPort) {
  std::string host;
  int port = 0;
  EXPECT_EQ(ParseHostPort("127.0.0.1:5433", &host, &port), "");
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 5433);
  EXPECT_EQ(ParseHostPort("[::1]:6000", &host, &port), "");
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 6000);
  EXPECT_NE(ParseHostPort("localhost", &host, &port), "");
  EXPECT_NE(ParseHostPort("localhost:", &host, &port), "");
  EXPECT_NE(ParseHostPort("localhost:99999", &host, &port), "");
  EXPECT_NE(ParseHostPort("localhost:54x", &host, &port), "");
}

}  // namespace
}  // namespace minipg::viz
