/*
 * message_reader_test.cpp
 *   Reading framed messages from a real socket: pipelined messages, split
 *   writes, EOF, and hostile length words checked before allocation.
 */
#include "engine/protocol/message_reader.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <thread>

#include "engine/protocol/codec.h"

namespace minipg::protocol {
namespace {

class MessageReaderTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds_), 0); }
  void TearDown() override {
    if (fds_[0] >= 0) close(fds_[0]);
    if (fds_[1] >= 0) close(fds_[1]);
  }
  void Send(const std::string& s) { ASSERT_TRUE(WriteAll(fds_[1], s).ok()); }
  void CloseWriter() {
    close(fds_[1]);
    fds_[1] = -1;
  }
  int fds_[2] = {-1, -1};
};

// Scenario: two messages sent in one write are read one after the other.
TEST_F(MessageReaderTest, PipelinedMessages) {
  std::string wire;
  EncodeQuery(wire, "SELECT 1");
  EncodeTerminate(wire);
  Send(wire);
  MessageReader r(fds_[0], Peer::kFrontend);
  auto m1 = r.ReadMessage();
  ASSERT_TRUE(m1.ok());
  EXPECT_EQ(m1->type, 'Q');
  EXPECT_EQ(*DecodeQuery(m1->body), "SELECT 1");
  auto m2 = r.ReadMessage();
  ASSERT_TRUE(m2.ok());
  EXPECT_EQ(m2->type, 'X');
  EXPECT_TRUE(m2->body.empty());
}

// Scenario: a message that arrives byte by byte is still assembled.
TEST_F(MessageReaderTest, SplitWrites) {
  std::string wire;
  EncodeQuery(wire, "SELECT 'split'");
  for (char c : wire) Send(std::string(1, c));
  MessageReader r(fds_[0], Peer::kFrontend);
  auto m = r.ReadMessage();
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(*DecodeQuery(m->body), "SELECT 'split'");
}

// Scenario: the peer closing is reported as EOF, not as a protocol error.
TEST_F(MessageReaderTest, EofIsReported) {
  CloseWriter();
  MessageReader r(fds_[0], Peer::kFrontend);
  auto m = r.ReadMessage();
  ASSERT_FALSE(m.ok());
  EXPECT_TRUE(r.eof());
}

// Scenario: an unknown type byte is a protocol violation, before any length is trusted.
TEST_F(MessageReaderTest, UnknownTypeRejected) {
  Send(std::string("\x01\x7f\xff\xff\xff", 5));
  MessageReader r(fds_[0], Peer::kFrontend);
  auto m = r.ReadMessage();
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().sqlstate, "08P01");
  EXPECT_NE(m.error().message.find("invalid frontend message type 1"), std::string::npos);
  EXPECT_FALSE(r.eof());
}

// Scenario: a 2 GB length word on a small message type is refused without allocating it.
TEST_F(MessageReaderTest, HugeLengthRejected) {
  Send(std::string("X\x7f\xff\xff\xff", 5));
  MessageReader r(fds_[0], Peer::kFrontend);
  auto m = r.ReadMessage();
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().sqlstate, "08P01");
  // And a length below 4 is just as invalid.
  Send(std::string("Q\0\0\0\x02", 5));
  MessageReader r2(fds_[0], Peer::kFrontend);
  EXPECT_FALSE(r2.ReadMessage().ok());
}

// Scenario: startup packets must be 8..10000 bytes long.
TEST_F(MessageReaderTest, StartupPacketLengthChecked) {
  Send(std::string("\0\0\0\x04", 4));
  MessageReader r(fds_[0], Peer::kFrontend);
  auto p = r.ReadStartupPacket();
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message.find("invalid length of startup packet"), std::string::npos);
  Send(std::string("\x10\0\0\0", 4));
  MessageReader r2(fds_[0], Peer::kFrontend);
  EXPECT_FALSE(r2.ReadStartupPacket().ok());
}

// Scenario: an interrupt hook that reports an error ends a blocked read.
TEST_F(MessageReaderTest, InterruptHookEndsRead) {
  struct sigaction sa {};
  sa.sa_handler = [](int) {};
  sigemptyset(&sa.sa_mask);
  sigaction(SIGUSR1, &sa, nullptr);  // no SA_RESTART: recv gets EINTR
  MessageReader r(fds_[0], Peer::kFrontend);
  r.SetInterruptHook([] { return Status(MakeError("57P01", "terminating", Severity::kFatal)); });
  pthread_t self = pthread_self();
  std::thread killer([self] {
    usleep(100 * 1000);
    pthread_kill(self, SIGUSR1);
  });
  auto m = r.ReadMessage();
  killer.join();
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().sqlstate, "57P01");
}

// Scenario: a big message (a 5 MB Query) arrives whole, and a message
// pipelined right behind it is still read after it.
TEST_F(MessageReaderTest, BigMessageThenAnother) {
  std::string big(5u << 20, 'q');
  std::string wire;
  EncodeQuery(wire, big);
  EncodeTerminate(wire);
  std::thread writer([&] { Send(wire); });
  MessageReader r(fds_[0], Peer::kFrontend);
  auto m1 = r.ReadMessage();
  ASSERT_TRUE(m1.ok());
  EXPECT_EQ(m1->type, 'Q');
  EXPECT_EQ(*DecodeQuery(m1->body), big);
  EXPECT_LT(m1->body.capacity(), big.size() + (big.size() / 8)) << "no doubled buffer kept";
  auto m2 = r.ReadMessage();
  writer.join();
  ASSERT_TRUE(m2.ok());
  EXPECT_EQ(m2->type, 'X');
}

}  // namespace
}  // namespace minipg::protocol
