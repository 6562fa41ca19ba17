/*-------------------------------------------------------------------------
 * catalog_test.cpp
 *   The catalog file: encoding, persistence, create/drop, corruption.
 *-------------------------------------------------------------------------
 */
#include "engine/storage/catalog.h"

#include <gtest/gtest.h>

#include <fstream>

#include "engine/storage/data_directory.h"
#include "tests/engine/storage/temp_dir.h"

namespace minipg::storage {
namespace {

// Scenario: InitStorage makes the folders, and running it again keeps data.
TEST(CatalogTest, InitStorageIsIdempotent) {
  TempDir dir;
  ASSERT_TRUE(InitStorage(dir.path()).ok());
  EXPECT_TRUE(std::filesystem::is_directory(dir.path() / "base"));
  EXPECT_TRUE(std::filesystem::is_directory(dir.path() / "global"));
  ASSERT_TRUE(CreateTable(dir.path(), "t", {{"a", ColumnType::kInt4}}, 10).ok());
  ASSERT_TRUE(InitStorage(dir.path()).ok());
  auto catalog = LoadCatalog(dir.path());
  ASSERT_TRUE(catalog.ok());
  EXPECT_NE(catalog->Find("t"), nullptr);
}

TEST(CatalogTest, InitStorageFailsWithoutDataDirectory) {
  EXPECT_FALSE(InitStorage("/nonexistent/minipg/dir").ok());
}

// Scenario: an empty data directory has an empty catalog.
TEST(CatalogTest, EmptyCatalog) {
  TempDir dir;
  ASSERT_TRUE(InitStorage(dir.path()).ok());
  auto catalog = LoadCatalog(dir.path());
  ASSERT_TRUE(catalog.ok());
  EXPECT_TRUE(catalog->tables.empty());
  EXPECT_EQ(catalog->next_oid, kFirstTableOid);
}

// Scenario: a table's definition survives a fresh load (a restart).
TEST(CatalogTest, CreateTablePersists) {
  TempDir dir;
  ASSERT_TRUE(InitStorage(dir.path()).ok());
  std::vector<ColumnDef> cols = {{"a", ColumnType::kInt4}, {"b", ColumnType::kInt8},
                                 {"c", ColumnType::kText}, {"d", ColumnType::kBool}};
  uint32_t made = 0;
  auto created = CreateTable(dir.path(), "t", cols, 16400, [&made](uint32_t oid) {
    made = oid;
    return OkStatus();
  });
  ASSERT_TRUE(created.ok());
  EXPECT_TRUE(*created);
  auto catalog = LoadCatalog(dir.path());
  ASSERT_TRUE(catalog.ok());
  const TableDef* t = catalog->Find("t");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->oid, kFirstTableOid);
  EXPECT_EQ(t->owner, 16400u);
  ASSERT_EQ(t->columns.size(), 4u);
  EXPECT_EQ(t->columns[1].name, "b");
  EXPECT_EQ(t->columns[1].type, ColumnType::kInt8);
  EXPECT_EQ(made, t->oid);  // its relation file was made under the lock
}

TEST(CatalogTest, CreateExistingTableReturnsFalse) {
  TempDir dir;
  ASSERT_TRUE(InitStorage(dir.path()).ok());
  ASSERT_TRUE(*CreateTable(dir.path(), "t", {{"a", ColumnType::kInt4}}, 10));
  auto again = CreateTable(dir.path(), "t", {{"x", ColumnType::kText}}, 10);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  EXPECT_EQ(LoadCatalog(dir.path())->Find("t")->columns[0].name, "a");
}

// Scenario: DROP removes the entry and hands its OID for the files to go;
// OIDs are never reused.
TEST(CatalogTest, DropTableRemovesFileAndOidIsNotReused) {
  TempDir dir;
  ASSERT_TRUE(InitStorage(dir.path()).ok());
  ASSERT_TRUE(*CreateTable(dir.path(), "t", {{"a", ColumnType::kInt4}}, 10));
  uint32_t oid = LoadCatalog(dir.path())->Find("t")->oid;
  uint32_t gone = 0;
  auto dropped = DropTable(dir.path(), "t", [&gone](uint32_t o) {
    gone = o;
    return OkStatus();
  });
  ASSERT_TRUE(dropped.ok());
  EXPECT_TRUE(*dropped);
  EXPECT_EQ(gone, oid);
  EXPECT_EQ(LoadCatalog(dir.path())->Find("t"), nullptr);
  EXPECT_FALSE(*DropTable(dir.path(), "t"));
  ASSERT_TRUE(*CreateTable(dir.path(), "t", {{"a", ColumnType::kInt4}}, 10));
  EXPECT_GT(LoadCatalog(dir.path())->Find("t")->oid, oid);
}

TEST(CatalogTest, TableRelFileLocatorNamesTheDatabase) {
  RelFileLocator rel = TableRelFileLocator("/data/base/16390", 16384);
  EXPECT_EQ(rel, (RelFileLocator{kDefaultTablespaceOid, 16390, 16384}));
}

TEST(CatalogTest, EncodeDecodeRoundTrip) {
  CatalogSnapshot c;
  c.next_oid = 20000;
  c.tables.push_back(TableDef{16384, "Weird Name", 16390, {{"x y", ColumnType::kText}}});
  auto decoded = DecodeCatalog(EncodeCatalog(c));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->next_oid, 20000u);
  ASSERT_EQ(decoded->tables.size(), 1u);
  EXPECT_EQ(decoded->tables[0].name, "Weird Name");
  EXPECT_EQ(decoded->tables[0].owner, 16390u);
  EXPECT_EQ(decoded->tables[0].columns[0].name, "x y");
}

// Scenario: a flipped byte is caught by the checksum (XX001), not misread.
TEST(CatalogTest, CorruptionIsDetected) {
  CatalogSnapshot c;
  c.tables.push_back(TableDef{16384, "t", 10, {{"a", ColumnType::kInt4}}});
  std::string bytes = EncodeCatalog(c);
  bytes[22] ^= 0x40;
  auto decoded = DecodeCatalog(bytes);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().sqlstate, "XX001");
  EXPECT_FALSE(DecodeCatalog("short").ok());
}

}  // namespace
}  // namespace minipg::storage
