/*-------------------------------------------------------------------------
 * heap_file_test.cpp
 *   Table files: tuple encoding, append and scan, torn tails, and
 *   concurrent appends from several processes.
 *-------------------------------------------------------------------------
 */
#include "engine/storage/heap_file.h"

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "engine/storage/data_directory.h"
#include "tests/engine/storage/temp_dir.h"

namespace minipg::storage {
namespace {

const std::vector<ColumnDef> kColumns = {{"a", ColumnType::kInt4}, {"b", ColumnType::kInt8},
                                         {"c", ColumnType::kText}, {"d", ColumnType::kBool}};

class HeapFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitStorage(dir_.path()).ok());
    ASSERT_TRUE(*CreateTable(dir_.path(), "t", kColumns, 10));
    table_ = *LoadCatalog(dir_.path())->Find("t");
  }
  std::filesystem::path File() const { return TablePath(dir_.path(), table_.oid); }
  std::vector<Tuple> ReadAll() {
    auto rows = HeapReadAll(dir_.path(), table_);
    EXPECT_TRUE(rows.ok()) << (rows.ok() ? "" : rows.error().message);
    return rows.ok() ? *rows : std::vector<Tuple>{};
  }
  static Tuple MakeRow(int64_t i) {
    return Tuple{Datum(i), Datum(i * 1000000000000LL), Datum("row " + std::to_string(i)), Datum(i % 2 == 0)};
  }

  TempDir dir_;
  TableDef table_;
};

TEST(TupleTest, EncodeDecodeWithNulls) {
  Tuple t = {Datum(int64_t{-5}), Datum(std::monostate{}), Datum(std::string("x'y")), Datum(true)};
  auto decoded = DecodeTuple(kColumns, EncodeTuple(kColumns, t));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, t);
}

TEST(TupleTest, WrongAttributeCountIsAnError) {
  std::vector<ColumnDef> one = {{"a", ColumnType::kInt4}};
  EXPECT_FALSE(DecodeTuple(kColumns, EncodeTuple(one, Tuple{Datum(int64_t{1})})).ok());
}

// Scenario: rows written are read back in order, with all types and NULLs.
TEST_F(HeapFileTest, RoundTrip) {
  std::vector<Tuple> rows = {MakeRow(1), MakeRow(2),
                             Tuple{Datum(std::monostate{}), Datum(std::monostate{}), Datum(std::string()),
                                   Datum(std::monostate{})}};
  ASSERT_TRUE(HeapAppend(dir_.path(), table_, rows).ok());
  ASSERT_TRUE(HeapAppend(dir_.path(), table_, {MakeRow(3)}).ok());
  std::vector<Tuple> got = ReadAll();
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0], MakeRow(1));
  EXPECT_EQ(got[2], rows[2]);
  EXPECT_EQ(got[3], MakeRow(3));
}

TEST_F(HeapFileTest, EmptyTableHasNoRows) { EXPECT_TRUE(ReadAll().empty()); }

// Scenario: data written by another process (after its exit) is read by us.
TEST_F(HeapFileTest, SurvivesReopeningInAnotherProcess) {
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    _exit(HeapAppend(dir_.path(), table_, {MakeRow(7), MakeRow(8)}).ok() ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  auto catalog = LoadCatalog(dir_.path());
  ASSERT_TRUE(catalog.ok());
  auto rows = HeapReadAll(dir_.path(), *catalog->Find("t"));
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[1], MakeRow(8));
}

// Scenario: a crash mid-append leaves a partial record; readers ignore it
// and the next append cuts it off, so later rows are not lost behind it.
TEST_F(HeapFileTest, TruncatedTrailingRecordIsIgnored) {
  ASSERT_TRUE(HeapAppend(dir_.path(), table_, {MakeRow(1), MakeRow(2)}).ok());
  auto size = std::filesystem::file_size(File());
  std::filesystem::resize_file(File(), size - 3);
  std::vector<Tuple> got = ReadAll();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], MakeRow(1));

  // A process that never saw the file (fresh cache) appends after the tear.
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    _exit(HeapAppend(dir_.path(), table_, {MakeRow(3)}).ok() ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_EQ(WEXITSTATUS(status), 0);
  got = ReadAll();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1], MakeRow(3));
}

// Scenario: garbage (zeros from a crash that extended the file) after the
// last record fails its checksum and is ignored, then repaired on append.
TEST_F(HeapFileTest, GarbageTailIsIgnoredAndRepaired) {
  ASSERT_TRUE(HeapAppend(dir_.path(), table_, {MakeRow(1)}).ok());
  {
    std::ofstream out(File(), std::ios::app | std::ios::binary);
    std::string junk = {'\x10', '\0', '\0', '\0', 'x', 'x', 'x', 'x'};
    junk += std::string(16, 'z');
    out << junk;
  }
  EXPECT_EQ(ReadAll().size(), 1u);
  ASSERT_TRUE(HeapAppend(dir_.path(), table_, {MakeRow(2)}).ok());
  std::vector<Tuple> got = ReadAll();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1], MakeRow(2));
}

TEST_F(HeapFileTest, DroppedTableIsUndefinedTable) {
  ASSERT_TRUE(*DropTable(dir_.path(), "t"));
  auto rows = HeapReadAll(dir_.path(), table_);
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.error().sqlstate, "42P01");
  EXPECT_EQ(HeapAppend(dir_.path(), table_, {MakeRow(1)}).error().sqlstate, "42P01");
}

// Scenario: four processes append 200 single-row batches each at the same
// time; every row lands exactly once and the file stays readable.
TEST_F(HeapFileTest, ConcurrentAppendsFromProcesses) {
  constexpr int kProcs = 4;
  constexpr int kRows = 200;
  std::vector<pid_t> pids;
  for (int p = 0; p < kProcs; ++p) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      for (int i = 0; i < kRows; ++i) {
        if (!HeapAppend(dir_.path(), table_, {MakeRow(p * 1000 + i)}).ok()) {
          _exit(1);
        }
      }
      _exit(0);
    }
    pids.push_back(pid);
  }
  for (pid_t pid : pids) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  std::vector<Tuple> got = ReadAll();
  ASSERT_EQ(got.size(), static_cast<size_t>(kProcs * kRows));
  std::set<int64_t> keys;
  for (const Tuple& t : got) {
    keys.insert(std::get<int64_t>(t[0]));
    EXPECT_EQ(t, MakeRow(std::get<int64_t>(t[0])));
  }
  EXPECT_EQ(keys.size(), static_cast<size_t>(kProcs * kRows));
}

}  // namespace
}  // namespace minipg::storage
