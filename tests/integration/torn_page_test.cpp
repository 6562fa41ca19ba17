/*
 * torn_page_test.cpp
 *   Torn and corrupt pages on a real server, as PostgreSQL 15 treats them:
 *     - a page whose write was torn by the crash (its second half garbage)
 *       is rebuilt by recovery from the full page image that its first
 *       change after the last checkpoint logged: every row is there;
 *     - a page corrupted where no WAL can repair it (changed before the
 *       last checkpoint, nothing since) fails its checksum and is reported
 *       as ERROR XX001 invalid page in block N of relation base/D/R, every
 *       time it is read; it is never used silently.
 */
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "tests/integration/server_harness.h"

namespace minipg::testing {
namespace {

namespace fs = std::filesystem;
constexpr size_t kBlockSize = 8192;

void Exec(client::Connection& c, const std::string& sql) {
  auto r = c.Query(sql);
  ASSERT_TRUE(r.ok()) << sql << ": " << r.error().message;
  ASSERT_TRUE(r->ok()) << sql << ": " << r->error->message;
}

std::vector<std::string> Ids(client::Connection& c) {
  std::vector<std::string> out;
  auto r = c.Query("SELECT id FROM t");
  EXPECT_TRUE(r.ok() && r->ok()) << (r.ok() ? r->error->message : r.error().message);
  if (!r.ok() || !r->ok()) return out;
  for (const auto& row : r->statements.back().rows) out.push_back(row[0].value_or("NULL"));
  return out;
}

std::string InsertIds(int from, int to) {
  std::string sql = "INSERT INTO t VALUES ";
  for (int i = from; i <= to; ++i) sql += (i > from ? ", (" : "(") + std::to_string(i) + ", 'row " + std::to_string(i) + "')";
  return sql;
}

std::vector<std::string> Range(int from, int to) {
  std::vector<std::string> out;
  for (int i = from; i <= to; ++i) out.push_back(std::to_string(i));
  return out;
}

/* Overwrites the second half of `block` of the file with garbage, as a
 * write torn by a power failure leaves it (one half new, one half old). */
bool TearBlock(const fs::path& file, uint32_t block) {
  int fd = open(file.c_str(), O_WRONLY);
  if (fd < 0) return false;
  std::mt19937 rng(block + 7);
  std::string garbage(kBlockSize / 2, '\0');
  for (char& ch : garbage) ch = static_cast<char>(rng());
  off_t at = static_cast<off_t>(block) * kBlockSize + kBlockSize / 2;
  bool ok = pwrite(fd, garbage.data(), garbage.size(), at) == static_cast<ssize_t>(garbage.size());
  close(fd);
  return ok;
}

/* The table's file, from pg_relation_filepath (relative to the data directory). */
fs::path TableFile(client::Connection& c, const Server& server) {
  auto r = c.Query("SELECT pg_relation_filepath('t')");
  if (!r.ok() || !r->ok()) return {};
  return server.data_dir() / r->Scalar().value_or("");
}

/* Starts the server with table t holding rows 1..20: a session, and the table's file in *file. */
std::unique_ptr<client::Connection> StartWithRows(Server& server, fs::path* file) {
  if (!server.Start()) return nullptr;
  auto c = server.ConnectWhenReady();
  if (!c.ok()) return nullptr;
  Exec(**c, "CREATE TABLE t (id int, note text)");
  Exec(**c, InsertIds(1, 20));
  *file = TableFile(**c, server);
  return std::move(*c);
}


// Scenario: rows, a CHECKPOINT (the page is on disk), more rows on the same
// page (their first change after the checkpoint logs the page's full
// image), kill -9 of the whole server, then the page on disk torn: the
// restart's recovery replaces it with the image and replays the rest.
TEST(TornPageTest, TornPageIsRepairedFromItsFullPageImage) {
  ScopedDataDir dir;
  fs::path file;
  {
    Server first({}, dir.path);
    auto c = StartWithRows(first, &file);
    ASSERT_TRUE(c && fs::exists(file)) << file;
    Exec(*c, "CHECKPOINT");
    Exec(*c, InsertIds(21, 40));
    auto wal = c->Query("SELECT wal_fpi FROM pg_stat_wal");
    ASSERT_TRUE(wal.ok() && wal->ok());
    EXPECT_NE(wal->Scalar().value_or("0"), "0") << "the first change after the checkpoint logged a full page image";
    KillWholeServer(first);
  }
  ASSERT_GE(fs::file_size(file), kBlockSize);
  ASSERT_TRUE(TearBlock(file, 0));
  Server second({}, dir.path);
  ASSERT_TRUE(second.Start());
  auto c = second.ConnectWhenReady();
  ASSERT_TRUE(c.ok());
  EXPECT_NE(second.Log().find("redo starts at"), std::string::npos);
  EXPECT_EQ(Ids(**c), Range(1, 40)) << second.Log();
  Exec(**c, "CHECKPOINT");  // the repaired page is written back whole
  EXPECT_EQ(second.Stop(SIGINT), 0);
}

// Scenario: the page was last changed before the last checkpoint (a clean
// shutdown), so no WAL after the redo point has its image; torn on disk,
// it fails its checksum: ERROR XX001 with PostgreSQL's message, on every
// read, and the session goes on.
TEST(TornPageTest, CorruptPageWithoutImageIsReportedNeverUsed) {
  ScopedDataDir dir;
  fs::path file;
  std::string relpath;
  {
    Server first({}, dir.path);
    auto c = StartWithRows(first, &file);
    ASSERT_TRUE(c && fs::exists(file)) << file;
    relpath = fs::relative(file, dir.path).string();
    EXPECT_EQ(first.Stop(SIGINT), 0);  // the shutdown checkpoint writes the page
  }
  ASSERT_TRUE(TearBlock(file, 0));
  Server second({}, dir.path);
  ASSERT_TRUE(second.Start());
  auto c = second.ConnectWhenReady();
  ASSERT_TRUE(c.ok());
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto r = (*c)->Query("SELECT id FROM t");
    ASSERT_TRUE(r.ok()) << "the session goes on: " << r.error().message;
    ASSERT_TRUE(r->error.has_value()) << "a corrupt page was read without complaint";
    EXPECT_EQ(r->error->sqlstate, "XX001");
    EXPECT_EQ(r->error->message, "invalid page in block 0 of relation " + relpath);
  }
  auto ok = (*c)->Query("SELECT 1");
  ASSERT_TRUE(ok.ok() && ok->ok());
}

}  // namespace
}  // namespace minipg::testing
