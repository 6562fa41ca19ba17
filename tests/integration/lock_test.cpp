/*-------------------------------------------------------------------------
 * lock_test.cpp
 *   The lock manager between real libpq sessions: DROP TABLE waits for a
 *   transaction that read the table and goes on after its COMMIT; a table
 *   dropped while a reader waited is "does not exist"; LOCK TABLE modes
 *   conflict as PostgreSQL's; a deadlock of two LOCK TABLEs ends one with
 *   40P01 and PostgreSQL's DETAIL; lock_timeout; cancel of a waiting
 *   session; pg_locks and pg_blocking_pids while a session waits.
 *   Expected texts and rows are PostgreSQL 15's for the same sessions
 *   (pids, xids and OIDs normalized).
 *-------------------------------------------------------------------------
 */
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <chrono>
#include <string>
#include <thread>

#include "tests/integration/pq_server.h"

namespace minipg::testing {
namespace {

/* What a statement came to: "ok", or its SQLSTATE, message and detail. */
struct Outcome {
  std::string state = "ok";
  std::string message;
  std::string detail;
  std::string hint;
  std::string context;
};

Outcome OutcomeOf(PGresult* r) {
  Outcome o;
  ExecStatusType st = PQresultStatus(r);
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return o;
  auto field = [&](int code) {
    const char* v = PQresultErrorField(r, code);
    return std::string(v != nullptr ? v : "");
  };
  o.state = field(PG_DIAG_SQLSTATE);
  o.message = field(PG_DIAG_MESSAGE_PRIMARY);
  o.detail = field(PG_DIAG_MESSAGE_DETAIL);
  o.hint = field(PG_DIAG_MESSAGE_HINT);
  o.context = field(PG_DIAG_CONTEXT);
  return o;
}

Outcome Exec(PGconn* c, const std::string& sql) {
  Res r(PQexec(c, sql.c_str()));
  return OutcomeOf(r.get());
}

/* The first error of what was sent with PQsendQuery, else "ok" (waits). */
Outcome Finish(PGconn* c) {
  Outcome first;
  while (PGresult* r = PQgetResult(c)) {
    Outcome o = OutcomeOf(r);
    PQclear(r);
    if (first.state == "ok") first = o;
  }
  return first;
}

std::string Value(PGconn* c, const std::string& sql) {
  Res r(PQexec(c, sql.c_str()));
  if (PQresultStatus(r.get()) != PGRES_TUPLES_OK || PQntuples(r.get()) < 1) return "<error>";
  return PQgetisnull(r.get(), 0, 0) ? "<null>" : PQgetvalue(r.get(), 0, 0);
}

/* Every row of `sql`, columns joined by '|', rows by '\n'. */
std::string Rows(PGconn* c, const std::string& sql) {
  Res r(PQexec(c, sql.c_str()));
  if (PQresultStatus(r.get()) != PGRES_TUPLES_OK) return std::string("<error> ") + PQresultErrorMessage(r.get());
  std::string out;
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    for (int j = 0; j < PQnfields(r.get()); ++j) {
      out += (j > 0 ? "|" : "") + std::string(PQgetisnull(r.get(), i, j) ? "" : PQgetvalue(r.get(), i, j));
    }
    out += "\n";
  }
  return out;
}

class LockTest : public SharedServerSuite {
 protected:
  static std::string Pid(PGconn* c) { return std::to_string(PQbackendPID(c)); }

  /* Waits (up to 10 s) until `pid` waits for a heavyweight lock. */
  static bool WaitsForLock(PGconn* observer, PGconn* waiter) {
    for (int i = 0; i < 1000; ++i) {
      if (Value(observer, "SELECT wait_event_type FROM pg_stat_activity WHERE pid = " + Pid(waiter)) == "Lock") {
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
};

TEST_F(LockTest, DropTableWaitsForAReaderAndGoesOnAfterItsCommit) {
  Conn a = Connect(), b = Connect(), o = Connect();
  ASSERT_EQ(Exec(a.get(), "CREATE TABLE t (x int)").state, "ok");
  ASSERT_EQ(Exec(a.get(), "BEGIN").state, "ok");
  ASSERT_EQ(Exec(a.get(), "SELECT * FROM t").state, "ok");
  ASSERT_EQ(PQsendQuery(b.get(), "DROP TABLE t"), 1);
  ASSERT_TRUE(WaitsForLock(o.get(), b.get()));
  EXPECT_EQ(Value(o.get(), "SELECT wait_event FROM pg_stat_activity WHERE pid = " + Pid(b.get())), "relation");
  EXPECT_EQ(Value(o.get(), "SELECT pg_blocking_pids(" + Pid(b.get()) + ")"), "{" + Pid(a.get()) + "}");
  EXPECT_EQ(Value(o.get(), "SELECT pg_blocking_pids(" + Pid(a.get()) + ")"), "{}");
  // PostgreSQL 15, the same sessions:
  //    locktype    | rel_t | vx | tx |        mode         | granted | is_b
  std::string t_oid = Value(o.get(), "SELECT oid FROM pg_class WHERE relname = 't'");
  EXPECT_EQ(Rows(o.get(), "SELECT locktype, relation = " + t_oid +
                              ", virtualxid IS NOT NULL, transactionid IS NOT NULL, mode, granted, waitstart IS NOT "
                              "NULL FROM pg_locks WHERE pid = " + Pid(b.get()) + " ORDER BY locktype, mode, granted"),
            "relation|t|f|f|AccessExclusiveLock|f|t\n"
            "transactionid||f|t|ExclusiveLock|t|f\n"
            "virtualxid||t|f|ExclusiveLock|t|f\n");
  EXPECT_EQ(Rows(o.get(), "SELECT locktype, relation = " + t_oid +
                              ", virtualxid IS NOT NULL, transactionid IS NOT NULL, mode, granted FROM pg_locks "
                              "WHERE pid = " + Pid(a.get()) + " ORDER BY locktype, mode, granted"),
            "relation|t|f|f|AccessShareLock|t\n"
            "virtualxid||t|f|ExclusiveLock|t\n");
  ASSERT_EQ(Exec(a.get(), "COMMIT").state, "ok");
  EXPECT_EQ(Finish(b.get()).state, "ok");
  EXPECT_EQ(Exec(a.get(), "SELECT * FROM t").state, "42P01");
}

TEST_F(LockTest, TableDroppedWhileAReaderWaitedDoesNotExist) {
  Conn a = Connect(), b = Connect(), o = Connect();
  ASSERT_EQ(Exec(a.get(), "CREATE TABLE gone (x int)").state, "ok");
  ASSERT_EQ(Exec(a.get(), "BEGIN").state, "ok");
  ASSERT_EQ(Exec(a.get(), "DROP TABLE gone").state, "ok");
  ASSERT_EQ(PQsendQuery(b.get(), "SELECT * FROM gone"), 1);
  ASSERT_TRUE(WaitsForLock(o.get(), b.get()));
  ASSERT_EQ(Exec(a.get(), "COMMIT").state, "ok");
  Outcome r = Finish(b.get());
  EXPECT_EQ(r.state, "42P01");
  EXPECT_EQ(r.message, "relation \"gone\" does not exist");
}

TEST_F(LockTest, LockTableModesConflictAsInPostgresql) {
  Conn a = Connect(), b = Connect();
  ASSERT_EQ(Exec(a.get(), "CREATE TABLE m (x int)").state, "ok");
  Outcome outside = Exec(b.get(), "LOCK m");
  EXPECT_EQ(outside.state, "25P01");
  EXPECT_EQ(outside.message, "LOCK TABLE can only be used in transaction blocks");
  struct Pair {
    const char* held;
    const char* asked;
    bool conflicts;
  };
  // Checked against PostgreSQL 15 with LOCK ... NOWAIT.
  const Pair kPairs[] = {
      {"ROW EXCLUSIVE", "SHARE", true},          {"ROW EXCLUSIVE", "ROW SHARE", false},
      {"ROW EXCLUSIVE", "SHARE UPDATE EXCLUSIVE", false}, {"SHARE", "SHARE", false},
      {"SHARE UPDATE EXCLUSIVE", "SHARE UPDATE EXCLUSIVE", true}, {"ACCESS SHARE", "EXCLUSIVE", false},
      {"ACCESS SHARE", "ACCESS EXCLUSIVE", true}, {"SHARE ROW EXCLUSIVE", "ROW EXCLUSIVE", true},
      {"EXCLUSIVE", "ACCESS SHARE", false},      {"EXCLUSIVE", "ROW SHARE", true},
  };
  for (const Pair& p : kPairs) {
    ASSERT_EQ(Exec(a.get(), std::string("BEGIN; LOCK m IN ") + p.held + " MODE").state, "ok");
    ASSERT_EQ(Exec(b.get(), "BEGIN").state, "ok");
    Outcome r = Exec(b.get(), std::string("LOCK TABLE m IN ") + p.asked + " MODE NOWAIT");
    EXPECT_EQ(r.state, p.conflicts ? "55P03" : "ok") << p.held << " / " << p.asked;
    if (p.conflicts) EXPECT_EQ(r.message, "could not obtain lock on relation \"m\"");
    Exec(b.get(), "ROLLBACK");
    Exec(a.get(), "ROLLBACK");
  }
}

TEST_F(LockTest, DeadlockEndsOneSessionWithPostgresqlsDetail) {
  Conn a = Connect(), b = Connect(), o = Connect();
  ASSERT_EQ(Exec(a.get(), "CREATE TABLE da (x int); CREATE TABLE db (x int)").state, "ok");
  std::string da = Value(o.get(), "SELECT oid FROM pg_class WHERE relname = 'da'");
  std::string db = Value(o.get(), "SELECT oid FROM pg_class WHERE relname = 'db'");
  std::string dbid = Value(o.get(), "SELECT oid FROM pg_database WHERE datname = current_database()");
  // A checks late, so B is the one to find the cycle (as in PostgreSQL).
  ASSERT_EQ(Exec(a.get(), "SET deadlock_timeout = '10s'").state, "ok");
  ASSERT_EQ(Exec(a.get(), "BEGIN; LOCK da").state, "ok");
  ASSERT_EQ(Exec(b.get(), "BEGIN; LOCK db").state, "ok");
  ASSERT_EQ(PQsendQuery(a.get(), "LOCK db"), 1);
  ASSERT_TRUE(WaitsForLock(o.get(), a.get()));
  auto start = std::chrono::steady_clock::now();
  Outcome r = Exec(b.get(), "LOCK da");
  double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_GE(waited, 0.9);  // deadlock_timeout, 1s
  EXPECT_EQ(r.state, "40P01");
  EXPECT_EQ(r.message, "deadlock detected");
  EXPECT_EQ(r.detail, "Process " + Pid(b.get()) + " waits for AccessExclusiveLock on relation " + da +
                          " of database " + dbid + "; blocked by process " + Pid(a.get()) + ".\nProcess " +
                          Pid(a.get()) + " waits for AccessExclusiveLock on relation " + db + " of database " + dbid +
                          "; blocked by process " + Pid(b.get()) + ".");
  EXPECT_EQ(r.hint, "See server log for query details.");
  ASSERT_EQ(Exec(b.get(), "ROLLBACK").state, "ok");
  EXPECT_EQ(Finish(a.get()).state, "ok");  // the other one goes on
  ASSERT_EQ(Exec(a.get(), "COMMIT").state, "ok");
}

TEST_F(LockTest, LockTimeoutAndCancelEndAWait) {
  Conn a = Connect(), b = Connect(), o = Connect();
  ASSERT_EQ(Exec(a.get(), "CREATE TABLE lt (x int)").state, "ok");
  ASSERT_EQ(Exec(a.get(), "BEGIN; LOCK lt").state, "ok");
  ASSERT_EQ(Exec(b.get(), "SET lock_timeout = '100ms'").state, "ok");
  Outcome r = Exec(b.get(), "SELECT * FROM lt");
  EXPECT_EQ(r.state, "55P03");
  EXPECT_EQ(r.message, "canceling statement due to lock timeout");
  ASSERT_EQ(Exec(b.get(), "SET lock_timeout = 0").state, "ok");

  ASSERT_EQ(PQsendQuery(b.get(), "INSERT INTO lt VALUES (1)"), 1);
  ASSERT_TRUE(WaitsForLock(o.get(), b.get()));
  PGcancel* cancel = PQgetCancel(b.get());
  char err[256];
  ASSERT_EQ(PQcancel(cancel, err, sizeof(err)), 1) << err;
  PQfreeCancel(cancel);
  r = Finish(b.get());
  EXPECT_EQ(r.state, "57014");
  EXPECT_EQ(r.message, "canceling statement due to user request");
  EXPECT_EQ(Value(o.get(), "SELECT count(*) FROM pg_locks WHERE pid = " + Pid(b.get())), "0");
  ASSERT_EQ(Exec(a.get(), "COMMIT").state, "ok");
  EXPECT_EQ(Exec(b.get(), "INSERT INTO lt VALUES (1)").state, "ok");
}

// Scenario: an error while waiting for a row's transaction names the tuple
// and relation in CONTEXT as PostgreSQL 15 does (its output for the same
// session): update, delete, FOR UPDATE, a unique index insert, and a
// foreign key check (with the check's query). A table lock wait has none.
TEST_F(LockTest, RowWaitErrorsNameTheTupleInContext) {
  Conn a = Connect(), b = Connect();
  ASSERT_EQ(Exec(a.get(), "CREATE TABLE cx (id int PRIMARY KEY, v int); INSERT INTO cx VALUES (1, 1), (2, 2);"
                          "CREATE TABLE cxp (id int PRIMARY KEY, k2 int, UNIQUE (id, k2)); INSERT INTO cxp VALUES (1, 1);"
                          "CREATE TABLE cxc (pid int REFERENCES cxp, p1 int, p2 int, FOREIGN KEY (p1, p2) REFERENCES cxp (id, k2))")
                .state,
            "ok");
  ASSERT_EQ(Exec(a.get(), "BEGIN; UPDATE cx SET v = 10 WHERE id = 1; INSERT INTO cx VALUES (3, 3);"
                          "UPDATE cxp SET id = 2 WHERE id = 1")
                .state,
            "ok");
  ASSERT_EQ(Exec(b.get(), "SET lock_timeout = '200ms'").state, "ok");
  struct Case {
    const char* sql;
    const char* context;
  };
  const Case cases[] = {
      {"UPDATE cx SET v = 5 WHERE id = 1", "while updating tuple (0,1) in relation \"cx\""},
      {"DELETE FROM cx WHERE id = 1", "while deleting tuple (0,1) in relation \"cx\""},
      {"SELECT * FROM cx WHERE id = 1 FOR UPDATE", "while locking tuple (0,1) in relation \"cx\""},
      {"INSERT INTO cxc VALUES (1)",
       "while locking tuple (0,1) in relation \"cxp\"\nSQL statement \"SELECT 1 FROM ONLY \"public\".\"cxp\" x "
       "WHERE \"id\" OPERATOR(pg_catalog.=) $1 FOR KEY SHARE OF x\""},
      {"INSERT INTO cxc VALUES (NULL, 1, 1)",
       "while locking tuple (0,1) in relation \"cxp\"\nSQL statement \"SELECT 1 FROM ONLY \"public\".\"cxp\" x "
       "WHERE \"id\" OPERATOR(pg_catalog.=) $1 AND \"k2\" OPERATOR(pg_catalog.=) $2 FOR KEY SHARE OF x\""},
  };
  for (const Case& c : cases) {
    Outcome r = Exec(b.get(), c.sql);
    EXPECT_EQ(r.state, "55P03") << c.sql;
    EXPECT_EQ(r.context, c.context) << c.sql;
  }
  Outcome r = Exec(b.get(), "INSERT INTO cx VALUES (3, 3)");
  EXPECT_EQ(r.state, "55P03");
  EXPECT_NE(r.context.find("while inserting index tuple ("), std::string::npos) << r.context;
  EXPECT_NE(r.context.find(") in relation \"cx_pkey\""), std::string::npos) << r.context;
  ASSERT_EQ(Exec(a.get(), "LOCK cx").state, "ok");
  r = Exec(b.get(), "SELECT * FROM cx");
  EXPECT_EQ(r.state, "55P03");
  EXPECT_EQ(r.context, "");
  ASSERT_EQ(Exec(a.get(), "ROLLBACK").state, "ok");
}

TEST_F(LockTest, LogLockWaitsLogsALongWaitAndItsEnd) {
  Conn a = Connect(), b = Connect(), o = Connect();
  ASSERT_EQ(Exec(a.get(), "CREATE TABLE lw (x int)").state, "ok");
  ASSERT_EQ(Exec(b.get(), "SET log_lock_waits = on; SET deadlock_timeout = '100ms'").state, "ok");
  ASSERT_EQ(Exec(a.get(), "BEGIN; LOCK lw").state, "ok");
  ASSERT_EQ(PQsendQuery(b.get(), "SELECT * FROM lw"), 1);
  ASSERT_TRUE(WaitsForLock(o.get(), b.get()));
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  ASSERT_EQ(Exec(a.get(), "COMMIT").state, "ok");
  EXPECT_EQ(Finish(b.get()).state, "ok");
  std::string oid = Value(o.get(), "SELECT oid FROM pg_class WHERE relname = 'lw'");
  std::string log = server_->Log();
  // PostgreSQL 15: "LOG:  process 4242 still waiting for AccessShareLock on
  // relation 16390 of database 5 after 100.123 ms", its DETAIL, and
  // "LOG:  process 4242 acquired AccessShareLock on relation ... after ... ms".
  std::string waiting = "LOG:  process " + Pid(b.get()) + " still waiting for AccessShareLock on relation " + oid;
  EXPECT_NE(log.find(waiting), std::string::npos) << log;
  EXPECT_NE(log.find("DETAIL:  Process holding the lock: " + Pid(a.get()) + ". Wait queue: " + Pid(b.get()) + "."),
            std::string::npos);
  EXPECT_NE(log.find("LOG:  process " + Pid(b.get()) + " acquired AccessShareLock on relation " + oid), std::string::npos);
}

}  // namespace
}  // namespace minipg::testing
