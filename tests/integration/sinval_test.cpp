/*
 * sinval_test.cpp
 *   Shared invalidation through a real server: a table dropped by one
 *   backend while another backend and the checkpointer hold its file open
 *   is released by both (they read the kSmgr message: the backend at its
 *   next statement, the checkpointer at its next turn), so no process
 *   keeps the removed file's disk space.
 */
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tests/integration/server_harness.h"

namespace minipg::testing {
namespace {

std::string Value(client::Connection& c, const std::string& sql) {
  auto r = c.Query(sql);
  EXPECT_TRUE(r.ok() && r->ok()) << sql;
  if (!r.ok() || !r->ok() || r->statements.back().rows.empty()) return "";
  return r->statements.back().rows[0][0].value_or("NULL");
}

void Exec(client::Connection& c, const std::string& sql) {
  auto r = c.Query(sql);
  ASSERT_TRUE(r.ok()) << sql << ": " << r.error().message;
  ASSERT_TRUE(r->ok()) << sql << ": " << r->error->message;
}

/* Whether process `pid` holds a descriptor of `file` after it was removed. */
bool HoldsRemovedFile(pid_t pid, const std::filesystem::path& file) {
  std::error_code ec;
  std::string wanted = file.string() + " (deleted)";
  for (const auto& fd : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
    if (std::filesystem::read_symlink(fd.path(), ec).string() == wanted) return true;
  }
  return false;
}

// Scenario: backend A fills table t and reads it (its file is open in A);
// CHECKPOINT writes it (open in the checkpointer). Backend B drops t: the
// file is removed, but A still holds it until its next statement reads
// the invalidation; the checkpointer lets go at its next turn (B's
// CHECKPOINT wakes it).
TEST(SinvalTest, DroppedTableFileReleasedByOtherProcesses) {
  Server server;
  ASSERT_TRUE(server.Start());
  auto a = server.ConnectWhenReady();
  auto b = server.ConnectWhenReady();
  ASSERT_TRUE(a.ok() && b.ok());
  Exec(**a, "CREATE TABLE t (id int, name text)");
  std::string insert = "INSERT INTO t VALUES (1, 'row 1')";
  for (int i = 2; i <= 500; ++i) insert += ", (" + std::to_string(i) + ", 'row " + std::to_string(i) + "')";
  Exec(**a, insert);
  EXPECT_EQ(Value(**a, "SELECT id FROM t WHERE id = 500"), "500");
  Exec(**a, "CHECKPOINT");
  std::filesystem::path file =
      std::filesystem::canonical(server.data_dir()) / Value(**a, "SELECT pg_relation_filepath('t')");
  pid_t a_pid = std::stoi(Value(**a, "SELECT pg_backend_pid()"));
  pid_t checkpointer =
      std::stoi(Value(**b, "SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'"));
  ASSERT_TRUE(std::filesystem::exists(file));

  Exec(**b, "DROP TABLE t");
  EXPECT_FALSE(std::filesystem::exists(file));
  EXPECT_TRUE(HoldsRemovedFile(a_pid, file)) << "A has not run a statement since";
  EXPECT_EQ(Value(**a, "SELECT 1"), "1");
  EXPECT_FALSE(HoldsRemovedFile(a_pid, file));
  Exec(**b, "CHECKPOINT");
  EXPECT_FALSE(HoldsRemovedFile(checkpointer, file));
}

}  // namespace
}  // namespace minipg::testing
