/*
 * client_test.cpp
 *   The client library's own behaviour without a server: failures to
 *   connect are clear errors. (Against a real server: tests/integration.)
 */
#include "sim/client/client.h"

#include <gtest/gtest.h>

#include "engine/protocol/codec.h"

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

}  // namespace
}  // namespace minipg::client
