/*-------------------------------------------------------------------------
 * control_file_test.cpp
 *   global/pg_control, format version 3: every field survives a write and
 *   a read; a damaged file and a file of another format version are
 *   refused with PostgreSQL's messages.
 *-------------------------------------------------------------------------
 */
#include "engine/storage/control_file.h"

#include <gtest/gtest.h>

#include <fstream>

#include "engine/storage/file_util.h"
#include "tests/engine/storage/temp_dir.h"

namespace minipg::storage {
namespace {

void WriteBytes(const std::filesystem::path& path, const std::string& bytes) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

ControlFile Sample() {
  ControlFile c;
  c.state = DbState::kInCrashRecovery;
  c.system_identifier = 0x1234'5678'9abc'def0ULL;
  c.time = 1'765'000'000'123'456;
  c.checkpoint_lsn = 0x0000'0001'0D35'E888ULL;
  c.redo_lsn = 0x0000'0001'0D35'E850ULL;
  c.timeline = 1;
  c.full_page_writes = false;
  c.next_xid = 791;
  c.next_oid = 16431;
  c.checkpoint_time = 1'765'000'000'000'000;
  c.checkpoint_count = 42;
  c.next_multi = 70001;
  c.next_multi_offset = 123456;
  return c;
}

TEST(ControlFileTest, EveryFieldSurvivesWriteAndRead) {
  TempDir dir;
  ASSERT_TRUE(WriteControlFile(dir.path(), Sample()).ok());
  auto read = ReadControlFile(dir.path());
  ASSERT_TRUE(read.ok()) << read.error().message;
  ASSERT_TRUE(read->has_value());
  const ControlFile& c = **read;
  ControlFile want = Sample();
  EXPECT_EQ(c.state, want.state);
  EXPECT_EQ(c.system_identifier, want.system_identifier);
  EXPECT_EQ(c.time, want.time);
  EXPECT_EQ(c.checkpoint_lsn, want.checkpoint_lsn);
  EXPECT_EQ(c.redo_lsn, want.redo_lsn);
  EXPECT_EQ(c.timeline, want.timeline);
  EXPECT_EQ(c.full_page_writes, want.full_page_writes);
  EXPECT_EQ(c.next_xid, want.next_xid);
  EXPECT_EQ(c.next_oid, want.next_oid);
  EXPECT_EQ(c.checkpoint_time, want.checkpoint_time);
  EXPECT_EQ(c.checkpoint_count, want.checkpoint_count);
  EXPECT_EQ(c.next_multi, want.next_multi);
  EXPECT_EQ(c.next_multi_offset, want.next_multi_offset);
  EXPECT_FALSE(std::filesystem::exists(ControlFilePath(dir.path()).string() + ".tmp"));
}

TEST(ControlFileTest, NoFileIsNotAnError) {
  TempDir dir;
  auto read = ReadControlFile(dir.path());
  ASSERT_TRUE(read.ok());
  EXPECT_FALSE(read->has_value());
}

TEST(ControlFileTest, StateNamesArePostgresOnes) {
  EXPECT_STREQ(DbStateName(DbState::kStartup), "starting up");
  EXPECT_STREQ(DbStateName(DbState::kShutdowned), "shut down");
  EXPECT_STREQ(DbStateName(DbState::kShutdownedInRecovery), "shut down in recovery");
  EXPECT_STREQ(DbStateName(DbState::kShutdowning), "shutting down");
  EXPECT_STREQ(DbStateName(DbState::kInCrashRecovery), "in crash recovery");
  EXPECT_STREQ(DbStateName(DbState::kInProduction), "in production");
}

TEST(ControlFileTest, AFlippedByteFailsTheChecksum) {
  TempDir dir;
  std::string bytes = EncodeControlFile(Sample());
  bytes[60] ^= 0x01;  // next OID
  WriteBytes(ControlFilePath(dir.path()), bytes);
  auto read = ReadControlFile(dir.path());
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().message, "incorrect checksum in control file");
  EXPECT_EQ(read.error().severity, Severity::kFatal);
}

// Scenario: a data directory made by a minipg whose pg_control was format
// version 1 (44 bytes: state and times only) is refused, as PostgreSQL
// refuses another PG_CONTROL_VERSION, with a DETAIL and a HINT.
TEST(ControlFileTest, VersionOneFileIsIncompatible) {
  TempDir dir;
  std::string v1("MPGCTL01", 8);
  PutU32(v1, 1);   // version
  PutU32(v1, 6);   // in production
  PutU64(v1, 1);   // time
  PutU64(v1, 1);   // checkpoint time
  PutU64(v1, 3);   // count
  PutU32(v1, Crc32(v1));
  WriteBytes(ControlFilePath(dir.path()), v1);
  auto read = ReadControlFile(dir.path());
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().message, "database files are incompatible with server");
  EXPECT_EQ(read.error().severity, Severity::kFatal);
  EXPECT_EQ(read.error().sqlstate, "55000");
  EXPECT_NE(read.error().detail.find("initialized with PG_CONTROL_VERSION 1"), std::string::npos)
      << read.error().detail;
  EXPECT_NE(read.error().detail.find("compiled with PG_CONTROL_VERSION 3"), std::string::npos);
  EXPECT_NE(read.error().hint.find("initdb"), std::string::npos);
}

TEST(ControlFileTest, NewSystemIdentifierHasTheTimeInItsHighBits) {
  uint64_t id = NewSystemIdentifier();
  uint64_t secs = id >> 32;
  EXPECT_GT(secs, 1'700'000'000u);  // after 2023
  EXPECT_LT(secs, 4'000'000'000u);
}

}  // namespace
}  // namespace minipg::storage
