/*-------------------------------------------------------------------------
 * minipg_waldump_test.cpp
 *   minipg_waldump on segments the test writes: every record printed as
 *   pg_waldump prints it, then the reader's message at the end of the WAL;
 *   -s/-e ranges; a start inside a record; bad arguments.
 *-------------------------------------------------------------------------
 */
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "engine/storage/wal/wal_memory.h"
#include "engine/storage/wal/wal_records.h"
#include "tests/engine/storage/temp_dir.h"

namespace {

using namespace minipg::storage;
using namespace minipg::storage::wal;

std::string BinDir() {
  const char* d = std::getenv("MINIPG_BIN_DIR");
  return d ? d : MINIPG_DEFAULT_BIN_DIR;
}

struct Output {
  int status = -1;
  std::string out;  // stdout and stderr
};

Output Waldump(const std::string& args) {
  Output r;
  std::string cmd = BinDir() + "/minipg_waldump " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t nl = s.find('\n', start);
    if (nl == std::string::npos) nl = s.size();
    out.push_back(s.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

class WaldumpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RelFileLocator rel{1663, 5, 16384};
    lsns_.push_back(wal_.Append(RmgrId::kXlog, kXlogCheckpointShutdown, 0, {},
                                EncodePayload(CheckpointRecord{0x1000028, 1, true, 735, 16384, 0})));
    std::string tup = EncodeHeapTupleData({1, 0x0802, 24}, "abcde");
    XLogBlockRef b;
    b.tag = {rel, ForkNumber::kMain, 0};
    b.data = tup;
    lsns_.push_back(wal_.Append(RmgrId::kHeap, kHeapInsert, 735, {&b, 1}, EncodePayload(HeapInsertRecord{2, 0})));
    lsns_.push_back(wal_.Append(RmgrId::kTransaction, kXactCommit, 735, {},
                                EncodePayload(XactRecord{849870192500000})));
    lsns_.push_back(wal_.Append(RmgrId::kHeap, kHeapInsert, 736, {}, std::string(20000, 'x')));
    lsns_.push_back(wal_.Append(RmgrId::kTransaction, kXactAbort, 736, {}, EncodePayload(XactRecord{0})));
    ASSERT_TRUE(wal_.WriteTo(dir_.path() / "pg_wal").ok());
  }
  MemoryWal wal_;
  std::vector<XLogRecPtr> lsns_;
  TempDir dir_;
};

// Scenario: a whole segment prints each record in pg_waldump's format, and
// the last line says why reading stopped (the zeroed rest of the segment).
TEST_F(WaldumpTest, PrintsSegment) {
  Output r = Waldump((dir_.path() / "pg_wal" / "000000010000000000000001").string());
  EXPECT_EQ(r.status, 1) << r.out;
  auto lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 6u) << r.out;
  EXPECT_EQ(lines[0],
            "rmgr: XLOG        len (rec/tot):     63/    63, tx:          0, lsn: 0/01000028, prev 0/00000000, "
            "desc: CHECKPOINT_SHUTDOWN redo 0/1000028; tli 1; prev tli 1; fpw true; xid 0:735; oid 16384; multi 1; "
            "offset 0; shutdown");
  EXPECT_EQ(lines[1], fmt::format("rmgr: Heap        len (rec/tot):     59/    59, tx:        735, lsn: {}, "
                                  "prev 0/01000028, desc: INSERT off 2 flags 0x00, blkref #0: rel 1663/5/16384 blk 0",
                                  FormatLsnPadded(lsns_[1])));
  EXPECT_NE(lines[2].find("desc: COMMIT 2026-12-06 11:03:12.5 UTC"), std::string::npos) << lines[2];
  EXPECT_NE(lines[3].find("len (rec/tot):  20029/ 20029"), std::string::npos) << lines[3];
  EXPECT_NE(lines[4].find("desc: ABORT 2000-01-01 00:00:00 UTC"), std::string::npos) << lines[4];
  EXPECT_EQ(lines[5], fmt::format("minipg_waldump: error: error in WAL record at {}: invalid record length at {}: "
                                  "wanted 24, got 0",
                                  FormatLsn(lsns_[4]), FormatLsn(WalAlign(wal_.end_lsn()))));
}

// Scenario: -p with a data directory and an -s/-e range prints just that range.
TEST_F(WaldumpTest, StartAndEnd) {
  Output r = Waldump(fmt::format("-p {} -s {} -e {}", dir_.path().string(), FormatLsn(lsns_[1]), FormatLsn(lsns_[3])));
  EXPECT_EQ(r.status, 0) << r.out;
  auto lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.out;
  EXPECT_NE(lines[0].find("INSERT off 2"), std::string::npos);
  EXPECT_NE(lines[1].find("COMMIT"), std::string::npos);
}

// Scenario: a start inside a record skips to the next one and says so.
TEST_F(WaldumpTest, StartInsideRecord) {
  Output r = Waldump(fmt::format("-p {} -s {} -e {}", dir_.path().string(), FormatLsn(lsns_[1] + 8),
                              FormatLsn(lsns_[3])));
  EXPECT_EQ(r.status, 0) << r.out;
  auto lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.out;
  EXPECT_EQ(lines[0], fmt::format("first record is after {}, at {}, skipping over {} bytes", FormatLsn(lsns_[1] + 8),
                                  FormatLsn(lsns_[2]), lsns_[2] - lsns_[1] - 8));
}

// Scenario: a segment that ends with a SWITCH is printed whole, and since
// the rest of it is unused, reading it ends without an error.
TEST(Waldump, SwitchEndsTheSegment) {
  MemoryWal wal;
  wal.Append(RmgrId::kHeap, kHeapInsert, 1, {}, "x");
  wal.Append(RmgrId::kXlog, kXlogSwitch, 0, {}, {});
  TempDir dir;
  ASSERT_TRUE(wal.WriteTo(dir.path()).ok());
  Output r = Waldump((dir.path() / "000000010000000000000001").string());
  EXPECT_EQ(r.status, 0) << r.out;
  auto lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.out;
  EXPECT_NE(lines[1].find("desc: SWITCH"), std::string::npos);
}

TEST_F(WaldumpTest, BadArguments) {
  EXPECT_EQ(Waldump("").out, "minipg_waldump: error: no start WAL location given\n");
  Output r = Waldump("-s nonsense");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("invalid WAL location: \"nonsense\""), std::string::npos);
  r = Waldump(fmt::format("-p {} 000000010000000000000009", dir_.path().string()));
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("could not find file"), std::string::npos) << r.out;
}

}  // namespace
