/*-------------------------------------------------------------------------
 * pgbench_checks.h
 *   Real pgbench against a test's server, and what must hold of pgbench's
 *   tables after any number of runs of its TPC-B-like script, crashed or
 *   not: every transaction added the same delta to one account, one teller
 *   and one branch and logged it in pgbench_history, all or nothing, so the
 *   sums of abalance, tbalance, bbalance and the history's delta agree.
 *   Shared by pgbench_test.cpp and pgbench_torture_test.cpp.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <string>

#include "tests/integration/pq_handles.h"
#include "tests/integration/server_harness.h"

namespace minipg::testing {

inline bool HavePgbench() {
  return RunCommand("command -v pgbench >/dev/null 2>&1").status == 0;
}

/* `pgbench ARGS` against `server`'s postgres database; stdout and stderr. */
inline CommandResult RunPgbench(const Server& server, const std::string& args) {
  return RunCommand("pgbench " + args + " -h " + server.socket_dir() + " -p " +
                    std::to_string(server.port()) + " -U " + Superuser() + " postgres 2>&1");
}

/* The one value of a query that must return one row ("NULL" for null);
 * the test fails (and "" comes back) otherwise. */
inline std::string OneValue(PGconn* c, const std::string& sql) {
  Res r(PQexec(c, sql.c_str()));
  if (PQresultStatus(r.get()) != PGRES_TUPLES_OK || PQntuples(r.get()) != 1) {
    ADD_FAILURE() << sql << ": " << PQerrorMessage(c);
    return "";
  }
  return PQgetisnull(r.get(), 0, 0) ? "NULL" : PQgetvalue(r.get(), 0, 0);
}

/* The balances of accounts, tellers and branches and the history's deltas
 * all have the same sum (0 before any transaction: sum() of no rows is
 * NULL, hence the coalesce). */
inline void ExpectPgbenchBalancesAgree(PGconn* c) {
  std::string accounts = OneValue(c, "SELECT coalesce(sum(abalance), 0) FROM pgbench_accounts");
  EXPECT_EQ(OneValue(c, "SELECT coalesce(sum(bbalance), 0) FROM pgbench_branches"), accounts)
      << "branches";
  EXPECT_EQ(OneValue(c, "SELECT coalesce(sum(tbalance), 0) FROM pgbench_tellers"), accounts)
      << "tellers";
  EXPECT_EQ(OneValue(c, "SELECT coalesce(sum(delta), 0) FROM pgbench_history"), accounts)
      << "history";
}

}  // namespace minipg::testing
