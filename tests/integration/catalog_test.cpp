/*
 * catalog_test.cpp
 *   The system catalogs through a real server, as a user checks them
 *   against PostgreSQL 15 (the expected values are what PostgreSQL 15
 *   answers to the same statements): pg_class, pg_attribute, pg_namespace
 *   and pg_type after CREATE TABLE; a rolled-back CREATE leaves no row and
 *   no file, a rolled-back DROP keeps the table; another session sees a
 *   committed CREATE at its next statement and not before; the OID counter
 *   in the checkpoint is past the new OIDs; after kill -9 the catalog rows
 *   of an acknowledged CREATE TABLE are there again (redo), those of a
 *   transaction in progress are not.
 */
#include <gtest/gtest.h>

#include <signal.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/integration/server_harness.h"

namespace minipg::testing {
namespace {

using Rows = std::vector<std::vector<std::string>>;

Rows Query(client::Connection& c, const std::string& sql) {
  auto r = c.Query(sql);
  EXPECT_TRUE(r.ok() && r->ok()) << sql << ": " << (r.ok() && r->error ? r->error->message : "");
  Rows out;
  if (!r.ok() || !r->ok()) return out;
  for (const auto& row : r->statements.back().rows) {
    std::vector<std::string> values;
    for (const auto& v : row) values.push_back(v.value_or("NULL"));
    out.push_back(std::move(values));
  }
  return out;
}

std::string Value(client::Connection& c, const std::string& sql) {
  Rows rows = Query(c, sql);
  return rows.empty() || rows[0].empty() ? "" : rows[0][0];
}

void Exec(client::Connection& c, const std::string& sql) {
  auto r = c.Query(sql);
  ASSERT_TRUE(r.ok()) << sql << ": " << r.error().message;
  ASSERT_TRUE(r->ok()) << sql << ": " << r->error->message;
}

std::string ErrorCode(client::Connection& c, const std::string& sql) {
  auto r = c.Query(sql);
  if (!r.ok() || r->ok()) return "";
  return r->error->sqlstate;
}

// Scenario: after CREATE TABLE t (a int, b text), INSERTs and a
// CHECKPOINT, pg_class says t | r | 0 | -1 (no VACUUM or ANALYZE yet),
// relfilenode is its OID, pg_attribute lists a (int4, 23) and b (text,
// 25), pg_type has its row type, pg_namespace the three schemas.
TEST(CatalogTest, WhatAUserChecks) {
  Server server;
  ASSERT_TRUE(server.Start());
  auto c = server.ConnectWhenReady();
  ASSERT_TRUE(c.ok());
  client::Connection& s = **c;
  Exec(s, "CREATE TABLE t (a int, b text)");
  EXPECT_EQ(Query(s, "SELECT relname, relkind, relpages, reltuples, relnatts, relpersistence, relnamespace, "
                     "relhasindex FROM pg_class WHERE relname = 't'"),
            (Rows{{"t", "r", "0", "-1", "2", "p", "2200", "f"}}));
  Exec(s, "INSERT INTO t VALUES (1, 'x'), (2, 'y'), (3, 'z')");
  Exec(s, "CHECKPOINT");
  EXPECT_EQ(Query(s, "SELECT relname, relpages, reltuples FROM pg_class WHERE relname = 't'"),
            (Rows{{"t", "0", "-1"}}));
  std::string oid = Value(s, "SELECT oid FROM pg_class WHERE relname = 't'");
  EXPECT_GE(std::stoll(oid), 16384);
  EXPECT_EQ(Value(s, "SELECT relfilenode FROM pg_class WHERE relname = 't'"), oid) << "no relation mapper";
  EXPECT_EQ(Query(s, "SELECT attname, atttypid, attnum, attlen, attnotnull FROM pg_attribute WHERE attrelid = " +
                         oid + " AND attnum > 0 ORDER BY attnum"),
            (Rows{{"a", "23", "1", "4", "f"}, {"b", "25", "2", "-1", "f"}}));
  EXPECT_EQ(Query(s, "SELECT typname, typtype FROM pg_type WHERE typrelid = " + oid), (Rows{{"t", "c"}}));
  EXPECT_EQ(Query(s, "SELECT nspname FROM pg_namespace ORDER BY oid"),
            (Rows{{"pg_catalog"}, {"pg_toast"}, {"public"}}));  // PostgreSQL also has information_schema
  EXPECT_EQ(Query(s, "SELECT typname, oid FROM pg_catalog.pg_type WHERE oid < 27 AND oid <> 17 AND oid <> 22 "
                     "AND oid <> 24 ORDER BY oid"),
            (Rows{{"bool", "16"}, {"char", "18"}, {"name", "19"}, {"int8", "20"}, {"int2", "21"}, {"int4", "23"},
                  {"text", "25"}, {"oid", "26"}}));
  EXPECT_EQ(Query(s, "SELECT relname FROM pg_class WHERE oid = 1259"), (Rows{{"pg_class"}}));
  EXPECT_EQ(ErrorCode(s, "DROP TABLE pg_class"), "42501");
  // The checkpoint's next OID is past the OIDs CREATE TABLE took.
  Exec(s, "CHECKPOINT");
  EXPECT_GT(std::stoll(Value(s, "SELECT next_oid FROM pg_control_checkpoint()")), std::stoll(oid));
}

// Scenario: BEGIN; CREATE TABLE t2; ROLLBACK: no pg_class row, and the
// file it had in the transaction is gone. BEGIN; DROP TABLE t3; ROLLBACK:
// t3 and its rows are there.
TEST(CatalogTest, RollbackOfCreateAndDrop) {
  Server server;
  ASSERT_TRUE(server.Start());
  auto c = server.ConnectWhenReady();
  ASSERT_TRUE(c.ok());
  client::Connection& s = **c;
  Exec(s, "BEGIN");
  Exec(s, "CREATE TABLE t2 (a int)");
  Exec(s, "INSERT INTO t2 VALUES (1)");
  std::filesystem::path file = server.data_dir() / Value(s, "SELECT pg_relation_filepath('t2')");
  EXPECT_TRUE(std::filesystem::exists(file)) << file;
  EXPECT_EQ(Query(s, "SELECT relname FROM pg_class WHERE relname = 't2'"), (Rows{{"t2"}}));
  Exec(s, "ROLLBACK");
  EXPECT_TRUE(Query(s, "SELECT relname FROM pg_class WHERE relname = 't2'").empty());
  EXPECT_EQ(ErrorCode(s, "SELECT * FROM t2"), "42P01");
  EXPECT_FALSE(std::filesystem::exists(file)) << "removed at abort";

  Exec(s, "CREATE TABLE t3 (a int)");
  Exec(s, "INSERT INTO t3 VALUES (1), (2)");
  Exec(s, "BEGIN");
  Exec(s, "DROP TABLE t3");
  EXPECT_EQ(ErrorCode(s, "SELECT * FROM t3"), "42P01");
  Exec(s, "ROLLBACK");
  EXPECT_EQ(Query(s, "SELECT a FROM t3 ORDER BY a"), (Rows{{"1"}, {"2"}}));
  file = server.data_dir() / Value(s, "SELECT pg_relation_filepath('t3')");
  Exec(s, "DROP TABLE t3");
  EXPECT_FALSE(std::filesystem::exists(file)) << "removed at commit";
}

// Scenario: session A creates a table in a transaction: B does not see it
// until A commits, then at its next statement (its relcache told by the
// invalidation A sent); A's DROP is seen the same way.
TEST(CatalogTest, OtherSessionSeesCommittedCreate) {
  Server server;
  ASSERT_TRUE(server.Start());
  auto a = server.ConnectWhenReady();
  auto b = server.ConnectWhenReady();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(ErrorCode(**b, "SELECT * FROM shared_t"), "42P01");
  Exec(**a, "BEGIN");
  Exec(**a, "CREATE TABLE shared_t (id int)");
  Exec(**a, "INSERT INTO shared_t VALUES (7)");
  EXPECT_EQ(ErrorCode(**b, "SELECT * FROM shared_t"), "42P01") << "not committed yet";
  Exec(**a, "COMMIT");
  EXPECT_EQ(Query(**b, "SELECT id FROM shared_t"), (Rows{{"7"}}));
  EXPECT_EQ(Query(**b, "SELECT id FROM shared_t"), (Rows{{"7"}}));
  Exec(**a, "DROP TABLE shared_t");
  EXPECT_EQ(ErrorCode(**b, "SELECT * FROM shared_t"), "42P01");
}

/* How many pages of pg_class (relfilenode 1259 of database postgres)
 * process `pid` asked of the buffer pool, from the server's trace file. */
int PgClassReads(const Server& server, int pid) {
  std::ifstream in(server.data_dir() / "trace.jsonl");
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    auto e = nlohmann::json::parse(line, nullptr, false);
    if (e.is_discarded() || e["type"] != "buffer_read" || e["pid"] != pid) continue;
    n += e["rel"] == "1663/5/1259" ? 1 : 0;
  }
  return n;
}

// Scenario: session B reads pg_class once (its relcache's first read), then
// runs ten statements on t without reading it again; A's committed CREATE
// TABLE makes B read it once more, at B's next statement only.
TEST(CatalogTest, RelcacheReadsCatalogOnlyWhenInvalidated) {
  Server server({"trace_file=trace.jsonl"});
  ASSERT_TRUE(server.Start());
  auto a = server.ConnectWhenReady();
  ASSERT_TRUE(a.ok());
  Exec(**a, "CREATE TABLE t (id int)");
  Exec(**a, "INSERT INTO t VALUES (1)");
  int blocks = std::stoi(Value(**a, "SELECT pg_relation_size('pg_class')")) / 8192;
  ASSERT_GE(blocks, 1);
  auto b = server.ConnectWhenReady();
  ASSERT_TRUE(b.ok());
  int b_pid = (*b)->backend_pid();
  for (int i = 0; i < 11; ++i) EXPECT_EQ(Value(**b, "SELECT id FROM t"), "1");
  Exec(**a, "CREATE TABLE u (id int)");
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Value(**b, "SELECT id FROM u WHERE id > 0"), "");
  server.Stop(SIGINT);
  EXPECT_EQ(PgClassReads(server, b_pid), 2 * blocks);
}

// Scenario: CREATE TABLE kept + INSERT acknowledged, then BEGIN; CREATE
// TABLE lost; and kill -9 of the postmaster and its children: after redo
// kept, its columns and its rows are there, lost is not.
TEST(CatalogTest, CreatedTableSurvivesKill9) {
  char tmpl[] = "/tmp/minipg_catalog_XXXXXX";
  std::filesystem::path dir = mkdtemp(tmpl);
  {
    Server first({}, dir);
    ASSERT_TRUE(first.Start());
    auto c = first.ConnectWhenReady();
    ASSERT_TRUE(c.ok());
    Exec(**c, "CREATE TABLE kept (id int, note text)");
    Exec(**c, "INSERT INTO kept VALUES (1, 'one'), (2, 'two')");
    Exec(**c, "BEGIN");
    Exec(**c, "CREATE TABLE lost (id int)");
    KillWholeServer(first);
  }
  {
    Server second({}, dir);
    ASSERT_TRUE(second.Start());
    auto c = second.ConnectWhenReady(30000);
    ASSERT_TRUE(c.ok());
    EXPECT_NE(second.Log().find("redo starts at"), std::string::npos);
    std::string oid = Value(**c, "SELECT oid FROM pg_class WHERE relname = 'kept'");
    ASSERT_FALSE(oid.empty());
    EXPECT_EQ(Query(**c, "SELECT attname FROM pg_attribute WHERE attrelid = " + oid + " ORDER BY attnum"),
              (Rows{{"id"}, {"note"}}));
    EXPECT_EQ(Query(**c, "SELECT id, note FROM kept ORDER BY id"), (Rows{{"1", "one"}, {"2", "two"}}));
    EXPECT_TRUE(Query(**c, "SELECT relname FROM pg_class WHERE relname = 'lost'").empty());
    Exec(**c, "CREATE TABLE lost (id int)");  // the name is free
    second.Stop(SIGINT);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace minipg::testing
