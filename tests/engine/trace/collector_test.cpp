/*
 * collector_test.cpp
 *   The collector as a real forked process: events sent out of order come
 *   out in timestamp order, a late subscriber gets hello and a snapshot of
 *   live processes first, and the trace file holds the same stream.
 */
#include "engine/trace/collector.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/trace/emitter.h"
#include "engine/trace/event_ring.h"

namespace minipg::trace {
namespace {

/* Reads lines from `fd` until `n` lines or a timeout. */
std::vector<nlohmann::json> ReadLines(int fd, size_t n, int timeout_ms = 5000) {
  std::vector<nlohmann::json> out;
  std::string buf;
  int64_t deadline = NowMicros() + timeout_ms * 1000;
  while (out.size() < n && NowMicros() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    char chunk[4096];
    ssize_t got = recv(fd, chunk, sizeof chunk, 0);
    if (got <= 0) break;
    buf.append(chunk, static_cast<size_t>(got));
    size_t nl;
    while ((nl = buf.find('\n')) != std::string::npos) {
      out.push_back(nlohmann::json::parse(buf.substr(0, nl)));
      buf.erase(0, nl + 1);
    }
  }
  return out;
}

/* Every scenario runs twice: with events sent through the pipe, and
 * through an event ring in shared memory (as the server's processes do). */
class CollectorTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (GetParam()) {
      auto r = CreateEventRings(4);
      ASSERT_TRUE(r.ok());
      rings_ = *r;
    }
    ASSERT_EQ(pipe2(events_, O_NONBLOCK), 0);
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ASSERT_EQ(listen(listen_fd_, 8), 0);
    socklen_t len = sizeof a;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    dir_ = std::filesystem::temp_directory_path() / ("collector_test_" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    StartCollector();
    InitEmitter(events_[1]);
    SetEventRing(rings_, 1);
  }
  void StartCollector() {
    CollectorConfig cc;
    cc.event_fd = events_[0];
    cc.rings = rings_;
    cc.listen_fd = listen_fd_;
    cc.trace_file = (dir_ / "trace.jsonl").string();
    cc.server_version = "test";
    pid_ = fork();
    if (pid_ == 0) _exit(RunCollector(cc));
  }
  void TearDown() override {
    InitEmitter(-1);
    SetEventRing(nullptr, -1);
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    close(events_[0]);
    close(events_[1]);
    close(listen_fd_);
    std::filesystem::remove_all(dir_);
    DestroyEventRings(rings_);
  }
  int Subscribe() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port_));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    return fd;
  }
  EventRings* rings_ = nullptr;
  int events_[2];
  int listen_fd_ = -1;
  int port_ = 0;
  pid_t pid_ = 0;
  std::filesystem::path dir_;
};

// Scenario: three processes' events that reach the collector out of order
// leave it in timestamp order.
TEST_P(CollectorTest, ReordersByTimestamp) {
  int sub = Subscribe();
  auto hello = ReadLines(sub, 1);
  ASSERT_EQ(hello.size(), 1u);
  EXPECT_EQ(hello[0]["type"], "hello");
  EXPECT_EQ(hello[0]["version"], kEventSchemaVersion);
  int64_t now = NowMicros();
  SetEventRing(rings_, 1);
  Event(EventType::kState).Pid(101).Ts(now + 300).Str("state", "third").Emit();
  SetEventRing(rings_, 2);
  Event(EventType::kState).Pid(102).Ts(now + 100).Str("state", "first").Emit();
  SetEventRing(rings_, 3);
  Event(EventType::kState).Pid(103).Ts(now + 200).Str("state", "second").Emit();
  auto lines = ReadLines(sub, 3);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0]["state"], "first");
  EXPECT_EQ(lines[1]["state"], "second");
  EXPECT_EQ(lines[2]["state"], "third");
  close(sub);
}

// Scenario: an event stamped long before it reaches the collector (a child
// writing the fork event the postmaster stamped before fork(), on a busy
// machine) comes after newer events were sent: it goes out stamped with the
// newest time sent, so the stream never goes back in time (the viewer
// counted such a fork as an anomaly, "time went backwards").
TEST_P(CollectorTest, AnEventLaterThanTheWindowDoesNotGoBackInTime) {
  int sub = Subscribe();
  ASSERT_EQ(ReadLines(sub, 1).size(), 1u);  // hello
  int64_t now = NowMicros();
  Event(EventType::kState).Ts(now).Str("state", "sent").Emit();
  auto first = ReadLines(sub, 1);
  ASSERT_EQ(first.size(), 1u);
  Event(EventType::kState).Ts(now - 2 * kReorderWindowMicros).Str("state", "late").Emit();
  Event(EventType::kState).Ts(now + 1).Str("state", "next").Emit();
  auto lines = ReadLines(sub, 2);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["state"], "late");
  EXPECT_EQ(lines[0]["ts"], now);
  EXPECT_EQ(lines[1]["state"], "next");
  EXPECT_EQ(lines[1]["ts"], now + 1);
  close(sub);
}

// Scenario: a subscriber that connects late first learns which processes are
// alive, what query each runs since when, and which waits for a lock.
TEST_P(CollectorTest, LateSubscriberGetsSnapshot) {
  Event(EventType::kPostmasterStart).Int("port", 5432).Emit();
  Event(EventType::kListen).Str("transport", "unix").Str("address", "/tmp/.s.PGSQL.5432").Int("port", 5432).Emit();
  Event(EventType::kFork).Int("child", 1001).Str("role", "backend").Str("client", "[local]").Emit();
  Event(EventType::kFork).Int("child", 1002).Str("role", "backend").Emit();
  Event(EventType::kStartup).Pid(1001).Str("user", "alice").Str("database", "shop").Emit();
  int64_t query_ts = NowMicros();
  Event(EventType::kQueryStart).Pid(1001).Ts(query_ts).Str("text", "INSERT INTO t VALUES (1)").Emit();
  Event(EventType::kLockWait).Pid(1001).Ts(query_ts + 10).Str("lock", "table t").Str("mode", "exclusive").Emit();
  Event(EventType::kChildExit).Int("child", 1002).Emit();
  usleep(200 * 1000);  // let the reorder window pass
  int sub = Subscribe();
  auto lines = ReadLines(sub, 3);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0]["type"], "hello");
  EXPECT_EQ(lines[1]["type"], "process");
  EXPECT_EQ(lines[1]["role"], "postmaster");
  ASSERT_EQ(lines[1]["listen"].size(), 1u);  // where it listens, though that was said long ago
  EXPECT_EQ(lines[1]["listen"][0]["address"], "/tmp/.s.PGSQL.5432");
  EXPECT_EQ(lines[2]["type"], "process");
  EXPECT_EQ(lines[2]["proc"], 1001);
  EXPECT_EQ(lines[2]["user"], "alice");
  EXPECT_EQ(lines[2]["client"], "[local]");
  EXPECT_EQ(lines[2]["query"], "INSERT INTO t VALUES (1)");
  EXPECT_EQ(lines[2]["query_ts"], query_ts);  // when it began, for a viewer joining now
  EXPECT_EQ(lines[2]["lock"], "table t");     // and that it waits for a lock
  EXPECT_EQ(lines[2]["lock_mode"], "exclusive");
  // 1002 exited: no snapshot for it; the next line is live.
  Event(EventType::kReady).Str("status", "I").Emit();
  auto live = ReadLines(sub, 1);
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0]["type"], "ready");
  close(sub);
}

// Scenario: a subscriber that connects after shared memory was created (twice: a crash
// cycle made it anew) gets the latest shmem_layout after the snapshot, so it can draw the
// buffer pool at once; then the live stream.
TEST_P(CollectorTest, LateSubscriberGetsTheLatestShmemLayout) {
  Event(EventType::kPostmasterStart).Int("port", 5432).Emit();
  Event(EventType::kShmemLayout).Int("nbuffers", 16).Int("wal_buffers", 4).Raw("areas", "[]").Emit();
  Event(EventType::kShmemLayout).Int("nbuffers", 32).Int("wal_buffers", 4).Raw("areas", "[]").Emit();
  usleep(200 * 1000);  // let the reorder window pass
  int sub = Subscribe();
  auto lines = ReadLines(sub, 3);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0]["type"], "hello");
  EXPECT_EQ(lines[1]["type"], "process");
  EXPECT_EQ(lines[2]["type"], "shmem_layout");
  EXPECT_EQ(lines[2]["nbuffers"], 32);
  Event(EventType::kReady).Str("status", "I").Emit();
  auto live = ReadLines(sub, 1);
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0]["type"], "ready");
  close(sub);
}

// Scenario: a client-side line nested deeper than events ever are is
// dropped as malformed (the viewers would have to walk it); the flat line
// the same client sends next goes through.
TEST_P(CollectorTest, DropsADeeplyNestedClientLine) {
  int watcher = Subscribe();
  ASSERT_EQ(ReadLines(watcher, 1).size(), 1u) << "hello";
  int client = Subscribe();
  ASSERT_EQ(ReadLines(client, 1).size(), 1u) << "hello";
  auto line = [](const std::string& text, const std::string& extra) {
    return R"({"type":"caption","ts":)" + std::to_string(NowMicros()) + R"(,"pid":77,"text":")" + text + "\"" +
           extra + "}\n";
  };
  std::string deep = std::string(30000, '[') + std::string(30000, ']');
  std::string both = line("deep", ",\"x\":" + deep) + line("flat", "");
  ASSERT_EQ(send(client, both.data(), both.size(), 0), static_cast<ssize_t>(both.size()));
  auto got = ReadLines(watcher, 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["text"], "flat");
  close(client);
  close(watcher);
}

// Scenario: on SIGTERM the collector drains, writes the trace file and exits 0.
TEST_P(CollectorTest, TraceFileOnStop) {
  int sub = Subscribe();
  ASSERT_EQ(ReadLines(sub, 1).size(), 1u) << "the collector is up";
  for (int i = 0; i < 50; ++i) Event(EventType::kQueryStart).Int("i", i).Emit();
  kill(pid_, SIGTERM);
  int status = 0;
  ASSERT_EQ(waitpid(pid_, &status, 0), pid_);
  pid_ = 0;
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  std::ifstream in(dir_ / "trace.jsonl");
  std::string line;
  std::vector<nlohmann::json> lines;
  while (std::getline(in, line)) lines.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(lines.size(), 51u);
  EXPECT_EQ(lines[0]["type"], "hello");
  for (int i = 0; i < 50; ++i) EXPECT_EQ(lines[i + 1]["i"], i);
  close(sub);
}

// Scenario: the collector is killed (as a crash would) while processes go
// on emitting; the one started after it sends what they emitted
// meanwhile, which waited in their rings (or in the pipe, whose read end
// the postmaster keeps open for this).
TEST_P(CollectorTest, ARestartedCollectorSendsWhatWaitedInTheRings) {
  int sub = Subscribe();
  ASSERT_EQ(ReadLines(sub, 1).size(), 1u) << "hello";
  Event(EventType::kState).Str("state", "before").Emit();
  auto first = ReadLines(sub, 1);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0]["state"], "before");
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  close(sub);
  for (int i = 0; i < 100; ++i) Event(EventType::kState).Str("state", "meanwhile").Int("i", i).Emit();
  StartCollector();
  sub = Subscribe();
  auto lines = ReadLines(sub, 101);
  ASSERT_EQ(lines.size(), 101u);
  EXPECT_EQ(lines[0]["type"], "hello");
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(lines[static_cast<size_t>(i) + 1]["i"], i);
  }
  Event(EventType::kState).Str("state", "after").Emit();
  auto live = ReadLines(sub, 1);
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0]["state"], "after") << "and it was woken for the next";
  close(sub);
}

INSTANTIATE_TEST_SUITE_P(Channels, CollectorTest, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& info) { return info.param ? "Rings" : "Pipe"; });

}  // namespace
}  // namespace minipg::trace
