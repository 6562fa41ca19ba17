/*
 * memory_test.cpp
 *   What one client can make a backend hold: a 60 MB string literal costs
 *   the backend a small multiple of its size (its peak resident memory,
 *   VmHWM in /proc), and a result row, a value and a COPY line are bounded
 *   (engine/common/limits.h) with PostgreSQL's errors; the session goes on.
 */
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "tests/integration/pq_server.h"

namespace minipg::testing {
namespace {

constexpr size_t kMiB = 1u << 20;

/* A process's peak resident set (VmHWM), in bytes; 0 if unknown. */
size_t PeakResident(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;  // kB
  }
  return 0;
}

// Scenario: SELECT of a 60 MB literal returns it whole, and the backend's
// peak memory stays under 6 times the literal (PostgreSQL 15 needs about
// 3 to 5 times; minipg once needed more than 10).
TEST(MemoryTest, ABigLiteralCostsASmallMultipleOfItsSize) {
  // Under AddressSanitizer, freed blocks wait in a quarantine (256 MB) that
  // counts as resident: the server this test starts keeps none, so what is
  // measured is what minipg needs (the option means nothing to other builds).
  const char* asan = std::getenv("ASAN_OPTIONS");
  setenv("ASAN_OPTIONS", (std::string(asan ? asan : "") + ":quarantine_size_mb=0").c_str(), 1);
  Server server;
  ASSERT_TRUE(server.Start());
  auto c = server.Connect();
  ASSERT_TRUE(c.ok());
  int pid = (*c)->backend_pid();
  // What the backend holds before the query (its code, its caches, and
  // under the sanitizers their own tables) is not the literal's cost.
  size_t before = PeakResident(pid);
  ASSERT_GT(before, 0u) << "no /proc/" << pid << "/status";
  const size_t size = 60 * kMiB;
  std::string sql = "SELECT '" + std::string(size, 'a') + "' AS big";
  auto r = (*c)->Query(sql);
  ASSERT_TRUE(r.ok() && r->ok());
  ASSERT_EQ(r->statements.size(), 1u);
  ASSERT_EQ(r->statements[0].rows.size(), 1u);
  ASSERT_TRUE(r->statements[0].rows[0][0].has_value());
  EXPECT_EQ(r->statements[0].rows[0][0]->size(), size);
  size_t peak = PeakResident(pid) - before;
  std::printf("peak %zu MiB above the %zu MiB before, for a %zu MiB literal\n", peak / kMiB, before / kMiB,
              size / kMiB);
  EXPECT_LT(peak, 6 * size) << "peak " << peak / kMiB << " MiB above the " << before / kMiB
                            << " MiB before, for a " << size / kMiB << " MiB literal";
  EXPECT_EQ((*c)->Query("SELECT 1")->Scalar(), "1");
}

/* Runs `sql` with one text parameter through libpq's PQexecParams (the
 * extended protocol); "" if it succeeds, else "SQLSTATE message". (A row
 * holds at most 8160 bytes, there is no TOAST: big values come this way.) */
std::string ParamErrorOf(const Server& server, const char* sql, const std::string& value) {
  Conn c = PqConnect(server);
  Oid text_oid = 25;
  const char* values[] = {value.c_str()};
  Res r(PQexecParams(c.get(), sql, 1, &text_oid, values, nullptr, nullptr, 0));
  if (PQresultStatus(r.get()) == PGRES_TUPLES_OK) return "";
  return std::string(PQresultErrorField(r.get(), PG_DIAG_SQLSTATE)) + " " +
         PQresultErrorField(r.get(), PG_DIAG_MESSAGE_PRIMARY);
}

// Scenario: a result row, a value made by || and a COPY line each stop at
// 64 MiB with PostgreSQL's error, and the session goes on.
TEST(MemoryTest, RowsValuesAndCopyLinesAreBounded) {
  Server server;
  ASSERT_TRUE(server.Start());
  auto c = server.Connect();
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE((*c)->Query("CREATE TABLE t (a text)")->ok());

  // One value of 40 MiB is fine; a row of two is 80 MiB: too long.
  const std::string forty(40 * kMiB, 'x');
  EXPECT_EQ(ParamErrorOf(server, "SELECT $1", forty), "");
  EXPECT_EQ(ParamErrorOf(server, "SELECT $1, $1", forty), "54000 out of memory");
  EXPECT_EQ(ParamErrorOf(server, "SELECT $1 || $1", forty), "XX000 invalid memory alloc request size 83886084");
  ASSERT_TRUE((*c)->Query("INSERT INTO t VALUES ('x')")->ok());

  // A COPY line that never ends.
  int chunks = 0;
  auto copy = (*c)->Query(
      "COPY t FROM STDIN",
      [&]() -> Result<std::optional<std::string>> {
        if (++chunks > 80) return std::optional<std::string>();
        return std::optional<std::string>(std::string(kMiB, 'y'));
      },
      nullptr);
  ASSERT_TRUE(copy.ok()) << copy.error().message;
  ASSERT_TRUE(copy->error.has_value());
  EXPECT_EQ(copy->error->sqlstate, "54000");
  EXPECT_EQ(copy->error->message, "out of memory");
  EXPECT_EQ(
      copy->error->detail.rfind("Cannot enlarge string buffer containing 67108864 bytes by", 0), 0u)
      << copy->error->detail;
  auto after = (*c)->Query("SELECT 1 FROM t");
  ASSERT_TRUE(after.ok() && after->ok()) << "the session goes on";
  EXPECT_EQ(after->statements[0].rows.size(), 1u) << "the failed COPY stored nothing";
}

}  // namespace
}  // namespace minipg::testing
