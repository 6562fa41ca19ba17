/*
 * event_pipe.h
 *   A test fixture for the emitter side of events: InitEmitter() on a
 *   non-blocking pipe, and the lines read back from it, parsed. Shared by
 *   the emitter's tests and those of the event helpers built on it.
 */
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <string>

#include "engine/trace/emitter.h"

namespace minipg::trace {

class EventPipeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(pipe2(fds_, O_NONBLOCK), 0);
    InitEmitter(fds_[1]);
  }
  void TearDown() override {
    InitEmitter(-1);
    close(fds_[0]);
    close(fds_[1]);
  }
  /* The next line, parsed; fails the test if there is none. */
  nlohmann::json Receive() {
    char buf[65536];
    ssize_t n = read(fds_[0], buf, sizeof buf);
    if (n > 0) pending_.append(buf, static_cast<size_t>(n));
    auto nl = pending_.find('\n');
    EXPECT_NE(nl, std::string::npos) << "expected an event line";
    if (nl == std::string::npos) return nullptr;
    std::string line = pending_.substr(0, nl);
    pending_.erase(0, nl + 1);
    return nlohmann::json::parse(line);
  }
  /* Reads and counts every complete line waiting in the pipe. */
  int DrainLines() {
    char buf[65536];
    ssize_t n;
    while ((n = read(fds_[0], buf, sizeof buf)) > 0) pending_.append(buf, static_cast<size_t>(n));
    int lines = 0;
    for (char c : pending_) lines += c == '\n';
    pending_.clear();
    return lines;
  }
  int fds_[2];
  std::string pending_;
};

}  // namespace minipg::trace
