/*-------------------------------------------------------------------------
 * pq_server.h
 *   Reaching a test's server through real libpq: its connection string,
 *   a connection, and a test suite whose tests share one server (started
 *   before the suite's first test, stopped after its last).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <memory>
#include <string>

#include "tests/integration/pq_handles.h"
#include "tests/integration/server_harness.h"

namespace minipg::testing {

/* libpq keywords for the superuser on `server` over its Unix socket. */
inline std::string Conninfo(const Server& server, const std::string& dbname = "postgres") {
  return "host=" + server.socket_dir() + " port=" + std::to_string(server.port()) + " user=" + Superuser() +
         " dbname=" + dbname + " connect_timeout=10";
}

/* A libpq connection to `server`; the test fails when it cannot connect. */
inline Conn PqConnect(const Server& server) {
  Conn c(PQconnectdb(Conninfo(server).c_str()));
  EXPECT_EQ(PQstatus(c.get()), CONNECTION_OK) << PQerrorMessage(c.get());
  return c;
}

/* A suite whose tests share one server: derive the fixture from it. */
class SharedServerSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = std::make_unique<Server>();
    ASSERT_TRUE(server_->Start()) << server_->Log();
  }
  static void TearDownTestSuite() { server_.reset(); }
  static Conn Connect() { return PqConnect(*server_); }

  static inline std::unique_ptr<Server> server_;
};

}  // namespace minipg::testing
