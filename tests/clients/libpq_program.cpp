/*-------------------------------------------------------------------------
 * libpq_program.cpp
 *   A small shop's program written against libpq, as C and C++ programs
 *   use it: PQexecParams with text parameters, a join with aggregates,
 *   a transaction rolled back and one committed, errors read through
 *   PQresultErrorField, notices through a notice processor.
 *
 *   Usage: libpq_program "host=... port=... user=... dbname=..."
 *   It prints what it sees; driver_programs_test compares that with what
 *   it printed against PostgreSQL 15 (libpq_program.out).
 *-------------------------------------------------------------------------
 */
#include <libpq-fe.h>

#include <cstdio>
#include <string>
#include <vector>

namespace {

PGconn* conn = nullptr;

/* Runs sql with text parameters and prints every row, or the error's
 * SQLSTATE and message. Returns whether it succeeded. */
bool Run(const char* label, const std::string& sql, const std::vector<const char*>& params = {}) {
  PGresult* r = PQexecParams(conn, sql.c_str(), static_cast<int>(params.size()), nullptr, params.data(), nullptr,
                             nullptr, 0);
  ExecStatusType st = PQresultStatus(r);
  bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
  if (!ok) {
    std::printf("%s: error %s %s\n", label, PQresultErrorField(r, PG_DIAG_SQLSTATE),
                PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY));
    const char* detail = PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL);
    if (detail != nullptr) std::printf("  detail: %s\n", detail);
  } else if (label[0] != '\0') {
    std::printf("%s: %s", label, PQcmdStatus(r));
    if (st == PGRES_TUPLES_OK) {
      std::printf(" (%d rows; types", PQntuples(r));
      for (int c = 0; c < PQnfields(r); ++c) std::printf(" %s:%u", PQfname(r, c), PQftype(r, c));
      std::printf(")");
    }
    std::printf("\n");
    for (int i = 0; i < PQntuples(r); ++i) {
      std::printf(" ");
      for (int c = 0; c < PQnfields(r); ++c) {
        std::printf(" %s", PQgetisnull(r, i, c) ? "NULL" : PQgetvalue(r, i, c));
      }
      std::printf("\n");
    }
  }
  PQclear(r);
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: libpq_program CONNINFO\n");
    return 2;
  }
  conn = PQconnectdb(argv[1]);
  if (PQstatus(conn) != CONNECTION_OK) {
    std::fprintf(stderr, "libpq_program: %s", PQerrorMessage(conn));
    return 1;
  }
  PQsetNoticeProcessor(conn, [](void*, const char* message) { std::printf("notice: %s", message); }, nullptr);
  Run("", "DROP TABLE IF EXISTS line_items");
  Run("", "DROP TABLE IF EXISTS products");
  Run("create", "CREATE TABLE products (id int PRIMARY KEY, name text NOT NULL, price numeric(8,2))");
  Run("create", "CREATE TABLE line_items (order_no int, product_id int, qty int DEFAULT 1, PRIMARY KEY (order_no, product_id))");
  const char* products[][3] = {{"1", "tea", "3.50"}, {"2", "coffee", "4.25"}, {"3", "cake", "2.00"}, {"4", "water", nullptr}};
  for (auto& p : products) Run("", "INSERT INTO products VALUES ($1, $2, $3)", {p[0], p[1], p[2]});
  const char* items[][3] = {{"100", "1", "2"}, {"100", "3", "1"}, {"101", "2", "3"}, {"101", "3", "2"}, {"102", "1", "1"}};
  for (auto& it : items) Run("", "INSERT INTO line_items VALUES ($1, $2, $3)", {it[0], it[1], it[2]});

  Run("totals", "SELECT l.order_no, count(*), sum(l.qty * p.price) AS total, string_agg(p.name, ',' ORDER BY p.name) "
                "FROM line_items l JOIN products p ON p.id = l.product_id GROUP BY l.order_no ORDER BY total DESC");
  Run("unsold", "SELECT name FROM products p WHERE NOT EXISTS (SELECT 1 FROM line_items l WHERE l.product_id = p.id) ORDER BY 1");
  Run("stats", "SELECT min(price), max(price), avg(price)::numeric(6,3), count(price), count(*) FROM products");

  Run("begin", "BEGIN");
  Run("update", "UPDATE products SET price = price * $1 WHERE price IS NOT NULL RETURNING id, price", {"2"});
  Run("delete", "DELETE FROM line_items WHERE order_no = $1", {"100"});
  Run("rollback", "ROLLBACK");
  Run("after rollback", "SELECT sum(price), (SELECT count(*) FROM line_items) FROM products");

  Run("begin", "BEGIN");
  Run("insert", "INSERT INTO line_items (order_no, product_id) VALUES ($1, $2) RETURNING qty", {"103", "4"});
  Run("duplicate", "INSERT INTO line_items VALUES ($1, $2, $3)", {"100", "1", "9"});
  Run("in failed transaction", "SELECT 1");
  Run("rollback", "ROLLBACK");
  Run("begin", "BEGIN");
  Run("insert", "INSERT INTO line_items (order_no, product_id) VALUES ($1, $2) RETURNING qty", {"103", "4"});
  Run("commit", "COMMIT");
  Run("committed", "SELECT order_no, product_id, qty FROM line_items WHERE order_no > $1 ORDER BY 1, 2", {"101"});
  Run("bad number", "SELECT $1::int", {"twelve"});
  Run("divide", "SELECT 1 / (count(*) - count(*)) FROM products");
  PQfinish(conn);
  return 0;
}
