/*-------------------------------------------------------------------------
 * pgbench_test.cpp
 *   Real, unmodified pgbench against a real minipg: `pgbench -i` with its
 *   default steps (dtgvp: drop, create tables WITH (fillfactor=100), COPY
 *   ... FREEZE in the transaction that truncated them, VACUUM ANALYZE,
 *   ALTER TABLE ... ADD PRIMARY KEY) at scale 1 and 2, the server-side
 *   generate step (-I dtGvp: INSERT ... SELECT over generate_series), then
 *   the built-in scripts, from one client and from four at once.
 *
 * NOTES
 *   Until the planner uses indexes every pgbench transaction scans
 *   pgbench_accounts: the runs are kept short (tens of transactions).
 *-------------------------------------------------------------------------
 */
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "tests/integration/pgbench_checks.h"
#include "tests/integration/pq_server.h"

namespace minipg::testing {
namespace {

class PgbenchTest : public SharedServerSuite {
 protected:
  void SetUp() override {
    if (!HavePgbench()) GTEST_SKIP() << "pgbench is not installed (scripts/install-deps.sh installs it)";
  }

  static CommandResult Pgbench(const std::string& args) { return RunPgbench(*server_, args); }
  /* What `pgbench -i` must leave at scale `scale`. */
  void ExpectInitialized(int scale) {
    Conn c = Connect();
    EXPECT_EQ(OneValue(c.get(), "SELECT count(*) FROM pgbench_accounts"), std::to_string(100000 * scale));
    EXPECT_EQ(OneValue(c.get(), "SELECT count(*) FROM pgbench_branches"), std::to_string(scale));
    EXPECT_EQ(OneValue(c.get(), "SELECT count(*) FROM pgbench_tellers"), std::to_string(10 * scale));
    EXPECT_EQ(OneValue(c.get(), "SELECT count(*) FROM pgbench_history"), "0");
    EXPECT_EQ(OneValue(c.get(), "SELECT sum(abalance) FROM pgbench_accounts"), "0");
    // The primary keys, named as PostgreSQL names them.
    EXPECT_EQ(OneValue(c.get(),
                       "SELECT count(*) FROM pg_constraint WHERE contype = 'p' AND conname IN "
                       "('pgbench_accounts_pkey', 'pgbench_branches_pkey', 'pgbench_tellers_pkey')"),
              "3");
    EXPECT_EQ(OneValue(c.get(), "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                                "WHERE c.relname = 'pgbench_accounts_pkey' AND i.indisprimary"),
              "1");
    EXPECT_EQ(OneValue(c.get(), "SELECT reloptions::text FROM pg_class WHERE relname = 'pgbench_accounts'"),
              "{fillfactor=100}");
    // VACUUM ANALYZE filled in the statistics.
    EXPECT_EQ(OneValue(c.get(), "SELECT reltuples::bigint FROM pg_class WHERE relname = 'pgbench_accounts'"),
              std::to_string(100000 * scale));
    // The key is enforced.
    Res dup(PQexec(c.get(), "INSERT INTO pgbench_accounts (aid, bid, abalance) VALUES (1, 1, 0)"));
    EXPECT_STREQ(PQresultErrorField(dup.get(), PG_DIAG_SQLSTATE), "23505");
  }
};

// Scenario: unmodified `pgbench -i` with the default steps at scale 1, then
// again at scale 2 (its drop step drops the tables of the first run).
TEST_F(PgbenchTest, InitDefaultStepsAtScaleOneAndTwo) {
  CommandResult r = Pgbench("-i");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("done in"), std::string::npos) << r.out;
  ExpectInitialized(1);
  r = Pgbench("-i -s 2");
  ASSERT_EQ(r.status, 0) << r.out;
  ExpectInitialized(2);
}

// Scenario: `-I dtGvp`: the data generated on the server (INSERT ...
// SELECT over generate_series) instead of COPY.
TEST_F(PgbenchTest, InitServerSideGenerate) {
  CommandResult r = Pgbench("-i -I dtGvp");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("server-side generate"), std::string::npos) << r.out;
  ExpectInitialized(1);
}

// Scenario: the built-in select-only and TPC-B-like scripts, one client.
TEST_F(PgbenchTest, BuiltinScriptsRun) {
  ASSERT_EQ(Pgbench("-i").status, 0);
  CommandResult r = Pgbench("-c 1 -t 30 -S");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("number of transactions actually processed: 30/30"), std::string::npos) << r.out;
  r = Pgbench("-c 1 -t 20 -b tpcb-like");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("number of transactions actually processed: 20/20"), std::string::npos) << r.out;
  Conn c = Connect();
  EXPECT_EQ(OneValue(c.get(), "SELECT count(*) FROM pgbench_history"), "20");
  // Every transaction moved the same delta in accounts, tellers, branches
  // and the history (pgbench emptied the history before the run, after -S).
  ExpectPgbenchBalancesAgree(c.get());
}

// Scenario: the TPC-B-like script from four clients at once: their updates
// of the same branch and teller rows wait for each other (row locks), none
// fails, and the balances of accounts, tellers, branches and the history's
// deltas all agree afterwards.
TEST_F(PgbenchTest, ConcurrentClientsKeepBalancesInAgreement) {
  ASSERT_EQ(Pgbench("-i -s 1").status, 0);
  CommandResult r = Pgbench("-c 4 -j 2 -t 25");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("number of transactions actually processed: 100/100"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("number of failed transactions: 0 "), std::string::npos) << r.out;
  Conn c = Connect();
  EXPECT_EQ(OneValue(c.get(), "SELECT count(*) FROM pgbench_history"), "100");
  ExpectPgbenchBalancesAgree(c.get());
}

// Scenario: sixteen clients update the same two rows as fast as they can.
// Each waits for the one before it and then follows the row to its new
// version, never to a version whose transaction a new snapshot still sees
// running: no "attempted to update invisible tuple" (XX000; it happened
// when pg_xact said committed before the proc array did), and no update
// is lost.
TEST_F(PgbenchTest, ManyClientsUpdatingTheSameRowsLoseNothing) {
  Conn c = Connect();
  Res made(PQexec(c.get(), "DROP TABLE IF EXISTS hot; CREATE TABLE hot (id int, v int); "
                           "INSERT INTO hot VALUES (1, 0), (2, 0)"));
  ASSERT_EQ(PQresultStatus(made.get()), PGRES_COMMAND_OK) << PQerrorMessage(c.get());
  std::string script = ::testing::TempDir() + "/hot_rows_" + std::to_string(getpid()) + ".sql";
  std::ofstream(script) << "\\set id random(1, 2)\nUPDATE hot SET v = v + 1 WHERE id = :id;\n";
  CommandResult r = Pgbench("-n -c 16 -j 2 -t 100 -f " + script);
  std::remove(script.c_str());
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(r.out.find("invisible tuple"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("number of transactions actually processed: 1600/1600"), std::string::npos) << r.out;
  EXPECT_EQ(OneValue(c.get(), "SELECT sum(v) FROM hot"), "1600");
}

// Scenario: COPY ... FREEZE is refused (55000, after CopyInResponse, as
// PostgreSQL does) unless the table was created or truncated in the same
// transaction, and accepted when it was.
TEST_F(PgbenchTest, CopyFreezeNeedsATableNewInTheTransaction) {
  Conn c = Connect();
  auto copy = [&](const char* sql) {
    Res start(PQexec(c.get(), sql));
    EXPECT_EQ(PQresultStatus(start.get()), PGRES_COPY_IN) << PQerrorMessage(c.get());
    EXPECT_EQ(PQputCopyData(c.get(), "1\t2\n", 4), 1);
    EXPECT_EQ(PQputCopyEnd(c.get(), nullptr), 1);
    Res end(PQgetResult(c.get()));
    std::string state = PQresultStatus(end.get()) == PGRES_COMMAND_OK
                            ? "ok"
                            : std::string(PQresultErrorField(end.get(), PG_DIAG_SQLSTATE));
    while (PGresult* more = PQgetResult(c.get())) PQclear(more);
    return state;
  };
  Res made(PQexec(c.get(), "CREATE TABLE frozen (a int, b int)"));
  ASSERT_EQ(PQresultStatus(made.get()), PGRES_COMMAND_OK) << PQerrorMessage(c.get());
  EXPECT_EQ(copy("COPY frozen FROM STDIN WITH (FREEZE)"), "55000");
  Res begin(PQexec(c.get(), "BEGIN"));
  Res truncate(PQexec(c.get(), "TRUNCATE frozen"));
  EXPECT_EQ(copy("COPY frozen FROM STDIN WITH (FREEZE on)"), "ok");
  Res commit(PQexec(c.get(), "COMMIT"));
  EXPECT_EQ(OneValue(c.get(), "SELECT count(*) FROM frozen"), "1");
  EXPECT_EQ(copy("BEGIN; CREATE TABLE frozen2 (a int, b int); COPY frozen2 FROM STDIN (FREEZE true)"), "ok");
  Res commit2(PQexec(c.get(), "COMMIT"));
  EXPECT_EQ(OneValue(c.get(), "SELECT count(*) FROM frozen2"), "1");
}

}  // namespace
}  // namespace minipg::testing
