/*-------------------------------------------------------------------------
 * deep_nesting_test.cpp
 *   The hostile query against a real server: an ordinary role
 *   sends 2,000 nested parentheses. Before the stack depth guard this
 *   killed its backend with SIGSEGV and the postmaster's crash cycle ended
 *   every other session; now it is an ERROR 54001 and nobody notices.
 *-------------------------------------------------------------------------
 */
#include <gtest/gtest.h>

#include <string>

#include "tests/integration/server_harness.h"

namespace minipg::testing {
namespace {

std::unique_ptr<client::Connection> ConnectAs(const Server& server, const std::string& user) {
  client::ConnectOptions o = server.Options();
  o.user = user;
  o.database = "postgres";
  auto c = client::Connection::Connect(o);
  EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message);
  return c.ok() ? std::move(*c) : nullptr;
}

// Scenario: one session's deeply nested query fails with 54001 and its
// hint; that session and a second one both go on working, the backends
// are the same processes as before, and the log has no crash.
TEST(DeepNestingIntegrationTest, NestedParenthesesDoNotCrashTheServer) {
  Server server;
  ASSERT_TRUE(server.Start());
  auto admin = server.Connect();
  ASSERT_TRUE(admin.ok());
  ASSERT_TRUE((*admin)->Query("CREATE ROLE alice LOGIN")->ok());

  auto alice = ConnectAs(server, "alice");
  auto bystander = ConnectAs(server, "alice");
  ASSERT_TRUE(alice && bystander);
  int alice_pid = alice->backend_pid();
  int bystander_pid = bystander->backend_pid();

  std::string sql = "SELECT " + std::string(2000, '(') + "1" + std::string(2000, ')');
  auto r = alice->Query(sql);
  ASSERT_TRUE(r.ok()) << "the session must survive: " << r.error().message;
  ASSERT_TRUE(r->error);
  EXPECT_EQ(r->error->sqlstate, "54001");
  EXPECT_EQ(r->error->message, "stack depth limit exceeded");
  EXPECT_EQ(r->error->hint,
            "Increase the configuration parameter \"max_stack_depth\" (currently 2048kB), after ensuring the "
            "platform's stack depth limit is adequate.");

  // Only a superuser may raise the limit (PostgreSQL: 42501).
  auto set = alice->Query("SET max_stack_depth = '7MB'");
  ASSERT_TRUE(set.ok());
  ASSERT_TRUE(set->error);
  EXPECT_EQ(set->error->sqlstate, "42501");

  EXPECT_EQ(alice->Query("SELECT 1 + 1")->Scalar(), "2");
  EXPECT_EQ(bystander->Query("SELECT 40 + 2")->Scalar(), "42");
  EXPECT_EQ(alice->backend_pid(), alice_pid);
  EXPECT_EQ(bystander->Query("SELECT pg_backend_pid()")->Scalar(), std::to_string(bystander_pid));
  EXPECT_EQ((*admin)->Query("SHOW max_stack_depth")->Scalar(), "2MB");

  std::string log = server.Log();
  EXPECT_EQ(log.find("terminated by signal"), std::string::npos) << log;
  EXPECT_EQ(log.find("terminating any other active server processes"), std::string::npos) << log;
}

}  // namespace
}  // namespace minipg::testing
