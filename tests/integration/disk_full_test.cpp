/*
 * disk_full_test.cpp
 *   A full disk and a failed fsync, on a real server, as PostgreSQL 15
 *   behaves:
 *     - a table that cannot be extended: ERROR 53100 could not extend file
 *       "base/...": No space left on device, HINT Check free disk space;
 *       the session and the others go on, no acknowledged row is lost;
 *     - WAL that cannot be written (no room for a new segment): PANIC, the
 *       crash cycle, and every acknowledged row is there afterwards;
 *     - a data file whose fsync fails at a checkpoint: PANIC
 *       (data_sync_retry = off), the crash cycle, the rows are there.
 *
 * NOTES
 *   The data directory is a small tmpfs of its own, mounted in a private
 *   mount namespace of this test process (root, as in CI: unshare
 *   CLONE_NEWNS; otherwise a user namespace mapping us to root, where the
 *   kernel allows it); the servers it forks see it, nothing else does.
 *   Where neither works the disk tests are skipped, saying why.
 *   A failing fsync cannot be had from tmpfs: the checkpointer's test-only
 *   MINIPG_TEST_FSYNC_FAIL (a trigger file's path) makes it fail with EIO.
 */
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "tests/integration/server_harness.h"

namespace minipg::testing {
namespace {

namespace fs = std::filesystem;

bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  return static_cast<bool>(out.flush());
}

/* This process in a mount namespace of its own (once); "" or why not. */
std::string EnterPrivateMountNamespace() {
  static std::string why = [] () -> std::string {
    if (unshare(CLONE_NEWNS) != 0) {
      uid_t uid = geteuid();
      gid_t gid = getegid();
      if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) {
        return std::string("no mount namespace (not root, and no user namespace): ") + strerror(errno);
      }
      WriteFile("/proc/self/setgroups", "deny");
      if (!WriteFile("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1") ||
          !WriteFile("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1")) {
        return "could not map this user to root in a user namespace";
      }
    }
    // Our mounts stay in our namespace.
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
      return std::string("could not make the mounts private: ") + strerror(errno);
    }
    return "";
  }();
  return why;
}

/* A tmpfs of `megabytes` as a data directory (unmounted and removed at the end). */
class SmallDisk {
 public:
  explicit SmallDisk(int megabytes) {
    why_ = EnterPrivateMountNamespace();
    char tmpl[] = "/tmp/minipg_disk_XXXXXX";
    path_ = mkdtemp(tmpl);
    if (!why_.empty()) return;
    std::string options = "size=" + std::to_string(megabytes) + "m,mode=0700";
    if (mount("tmpfs", path_.c_str(), "tmpfs", 0, options.c_str()) != 0) {
      why_ = std::string("could not mount a tmpfs: ") + strerror(errno);
    } else {
      mounted_ = true;
    }
  }
  ~SmallDisk() {
    if (mounted_) umount2(path_.c_str(), MNT_DETACH);
    std::error_code ec;
    fs::remove_all(path_, ec);
    fs::remove(path_.string() + ".log", ec);
  }
  /* An administrator makes room: the filesystem grows. */
  bool Grow(int megabytes) {
    std::string options = "size=" + std::to_string(megabytes) + "m,mode=0700";
    return mount("tmpfs", path_.c_str(), "tmpfs", MS_REMOUNT, options.c_str()) == 0;
  }
  /* Fills every free byte with a file; true once a write met ENOSPC. */
  bool Fill() {
    int fd = open((path_ / "filler").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd < 0) return false;
    std::string chunk(64 * 1024, 'x');
    bool full = false;
    for (size_t size = chunk.size(); size >= 512 && !full;) {
      ssize_t n = write(fd, chunk.data(), size);
      if (n < 0 && errno == ENOSPC) {
        size /= 2;  // the last few pages
        if (size < 4096) full = true;
      }
    }
    close(fd);
    return full;
  }
  void Unfill() { fs::remove(path_ / "filler"); }

  const std::string& why() const { return why_; }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
  std::string why_;
  bool mounted_ = false;
};

void Exec(client::Connection& c, const std::string& sql) {
  auto r = c.Query(sql);
  std::string what = sql.substr(0, 40);
  ASSERT_TRUE(r.ok()) << what << ": " << r.error().message;
  ASSERT_TRUE(r->ok()) << what << ": " << r->error->message;
}

/* How many rows of t (minipg has no count(*) yet: counted here); -1 on an error. */
int Count(client::Connection& c, const std::string& where = "") {
  auto r = c.Query("SELECT id FROM t" + (where.empty() ? "" : " WHERE " + where));
  if (!r.ok() || !r->ok()) {
    ADD_FAILURE() << "SELECT from t: " << (r.ok() ? r->error->message : r.error().message);
    return -1;
  }
  return static_cast<int>(r->statements.back().rows.size());
}

/* `n` rows of about 1 kB each, numbered from `first`. */
std::string InsertRows(int first, int n) {
  std::string sql = "INSERT INTO t VALUES ";
  for (int i = 0; i < n; ++i) sql += (i ? ", (" : "(") + std::to_string(first + i) + ", '" + std::string(1000, 'r') + "')";
  return sql;
}

bool WaitForLog(const Server& server, const std::string& text, int timeout_ms = 30000) {
  for (int waited = 0; waited < timeout_ms; waited += 20) {
    if (server.Log().find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

// Scenario (PostgreSQL 15 on a full disk): an INSERT that needs a new
// block fails with 53100 could not extend file "base/<db>/<rel>": No space
// left on device, HINT Check free disk space; the same session and another
// go on reading; once there is room the insert succeeds, and after a clean
// restart every acknowledged row is there.
TEST(DiskFullTest, ExtendingOnAFullDiskIsAnErrorNotALoss) {
  SmallDisk disk(24);
  if (!disk.why().empty()) GTEST_SKIP() << disk.why();
  Server server({}, disk.path());
  ASSERT_TRUE(server.Start());
  auto c = server.ConnectWhenReady();
  ASSERT_TRUE(c.ok());
  Exec(**c, "CREATE TABLE t (id int, pad text)");
  Exec(**c, InsertRows(1, 50));
  Exec(**c, "CHECKPOINT");
  ASSERT_TRUE(disk.Fill());

  auto r = (*c)->Query(InsertRows(1000, 200));  // about 25 new blocks
  ASSERT_TRUE(r.ok()) << "the session survives: " << r.error().message;
  ASSERT_TRUE(r->error.has_value()) << "an insert on a full disk failed";
  EXPECT_EQ(r->error->sqlstate, "53100");
  EXPECT_EQ(r->error->message.rfind("could not extend file \"base/", 0), 0u) << r->error->message;
  EXPECT_NE(r->error->message.find(": No space left on device"), std::string::npos) << r->error->message;
  EXPECT_EQ(r->error->hint, "Check free disk space.");

  EXPECT_EQ(Count(**c), 50) << "the same session goes on";
  auto other = server.Connect();
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(Count(**other), 50) << "another session reads";

  disk.Unfill();
  Exec(**c, InsertRows(1000, 200));
  EXPECT_EQ(Count(**other), 250);
  (*c)->Close();
  (*other)->Close();
  EXPECT_EQ(server.Stop(SIGINT), 0);
  ASSERT_TRUE(server.Start());
  auto again = server.ConnectWhenReady();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(Count(**again), 250);
  EXPECT_EQ(Count(**again, "id >= 1000"), 200);
}

// Scenario: the WAL needs a new segment and the disk has no room for it:
// the backend PANICs (PostgreSQL: an error inside the critical section of a
// WAL write), the postmaster runs the crash cycle; with room again, recovery
// brings back every acknowledged row.
TEST(DiskFullTest, WalWriteFailureIsAPanicAndTheCrashCycle) {
  // 17 MB at start (one 16 MB WAL segment); the table grows about as fast
  // as the WAL, so at the end of the first segment about 32 MB are used and
  // there is no room for a second segment.
  SmallDisk disk(40);
  if (!disk.why().empty()) GTEST_SKIP() << disk.why();
  setenv("MINIPG_TEST_RECOVERY_DELAY_MS", "500", 1);  // time to make room before redo
  Server server({}, disk.path());
  bool started = server.Start();
  unsetenv("MINIPG_TEST_RECOVERY_DELAY_MS");
  ASSERT_TRUE(started);
  auto c = server.ConnectWhenReady();
  ASSERT_TRUE(c.ok());
  Exec(**c, "CREATE TABLE t (id int, pad text)");
  int acked = 0;
  bool broke = false;
  for (int batch = 0; batch < 200 && !broke; ++batch) {  // at most 200 x 100 kB: well past 16 MB
    auto r = (*c)->Query(InsertRows(acked + 1, 100));
    if (r.ok() && r->ok()) {
      acked += 100;
    } else {
      broke = true;
    }
  }
  ASSERT_TRUE(broke) << "the WAL never needed a second segment";
  ASSERT_TRUE(WaitForLog(server, "PANIC:  could not write to file \"pg_wal/xlogtemp.")) << server.Log();
  EXPECT_NE(server.Log().find("No space left on device"), std::string::npos) << server.Log();
  ASSERT_TRUE(disk.Grow(96));
  ASSERT_TRUE(WaitForLog(server, "all server processes terminated; reinitializing")) << server.Log();
  auto fresh = server.ConnectWhenReady(60000);
  ASSERT_TRUE(fresh.ok()) << server.Log();
  EXPECT_NE(server.Log().find("redo starts at"), std::string::npos);
  int present = Count(**fresh);
  EXPECT_GE(present, acked) << "every acknowledged row is there";
  EXPECT_TRUE(present == acked || present == acked + 100) << present << " rows: a partial batch";
  EXPECT_EQ(Count(**fresh, "id <= " + std::to_string(acked)), acked);
}

// Scenario: the fsync of a table's file fails at a checkpoint: the
// checkpointer PANICs with PostgreSQL's message (data_sync_retry = off: the
// kernel may have dropped the dirty pages, a retry could succeed without
// them), the crash cycle replays the WAL, and the committed rows are there.
TEST(DiskFullTest, FsyncFailureAtCheckpointIsAPanic) {
  char tmpl[] = "/tmp/minipg_fsync_trigger_XXXXXX";
  int fd = mkstemp(tmpl);
  ASSERT_GE(fd, 0);
  close(fd);
  std::string trigger = tmpl;
  fs::remove(trigger);  // no failure yet
  setenv("MINIPG_TEST_FSYNC_FAIL", trigger.c_str(), 1);
  Server server;
  bool started = server.Start();
  unsetenv("MINIPG_TEST_FSYNC_FAIL");
  ASSERT_TRUE(started);
  auto c = server.ConnectWhenReady();
  ASSERT_TRUE(c.ok());
  Exec(**c, "CREATE TABLE t (id int, pad text)");
  Exec(**c, InsertRows(1, 100));
  ASSERT_TRUE(WriteFile(trigger, "fail"));
  auto r = (*c)->Query("CHECKPOINT");
  EXPECT_FALSE(r.ok() && r->ok()) << "a checkpoint whose fsync failed does not complete";
  ASSERT_TRUE(WaitForLog(server, "PANIC:  could not fsync file \"base/")) << server.Log();
  EXPECT_NE(server.Log().find(": Input/output error"), std::string::npos) << server.Log();
  fs::remove(trigger);  // the disk is healthy again
  ASSERT_TRUE(WaitForLog(server, "all server processes terminated; reinitializing")) << server.Log();
  auto fresh = server.ConnectWhenReady(60000);
  ASSERT_TRUE(fresh.ok()) << server.Log();
  EXPECT_EQ(Count(**fresh), 100);
  Exec(**fresh, "CHECKPOINT");
}

}  // namespace
}  // namespace minipg::testing
