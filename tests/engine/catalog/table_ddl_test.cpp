/*-------------------------------------------------------------------------
 * table_ddl_test.cpp
 *   CREATE / DROP TABLE as catalog rows: what they write, what a rollback
 *   leaves (no trace of a created table, a dropped one intact), when the
 *   file goes, and the relcache re-reading only what was invalidated.
 *-------------------------------------------------------------------------
 */
#include "engine/catalog/table_ddl.h"

#include "engine/catalog/bootstrap.h"
#include "engine/catalog/catalog_access.h"
#include "engine/catalog/relcache.h"
#include "engine/storage/data_directory.h"
#include "engine/catalog/shared_catalogs.h"
#include "tests/engine/catalog/catalog_fixture.h"

namespace minipg::catalog {
namespace {

class TableDdlTest : public BootstrappedCatalogTest {
 protected:
  void SetUp() override {
    BootstrappedCatalogTest::SetUp();
    RelcacheInit();
  }
  std::filesystem::path DbDir() const { return dir_.path() / "base" / "5"; }
  const storage::TableDef* Table(std::string_view name) {
    auto tables = RelcacheTables(5);
    EXPECT_TRUE(tables.ok());
    snapshot_ = tables.ok() ? *tables : storage::CatalogSnapshot{};
    return snapshot_.Find(name);
  }
  size_t RowsWhere(std::string_view catalog, size_t col, int64_t value) {
    auto rows = CatalogScan(*FindSystemCatalog(catalog), 5);
    EXPECT_TRUE(rows.ok());
    size_t n = 0;
    for (const CatalogRow& r : *rows) n += std::get<int64_t>(r.values[col]) == value ? 1 : 0;
    return n;
  }
  bool FileExists(Oid oid) {
    return storage::SmgrExists(storage::RelFileLocator{storage::kDefaultTablespaceOid, 5, oid},
                               storage::ForkNumber::kMain);
  }
  std::vector<storage::ColumnDef> cols_{{"a", storage::ColumnType::kInt4}, {"b", storage::ColumnType::kText}};
  storage::CatalogSnapshot snapshot_;
};

// Scenario: CREATE TABLE writes one pg_class row (OID >= 16384, relkind r,
// relnatts 2, reltuples -1), two pg_attribute rows and a row type; the
// relcache has it with its columns; a second CREATE of the name says false.
TEST_F(TableDdlTest, CreateWritesCatalogRows) {
  auto created = CreateTableWithCatalog(DbDir(), "t", cols_, 10);
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_TRUE(*created);
  ASSERT_TRUE(storage::CommitTransaction().ok());
  const storage::TableDef* t = Table("t");
  ASSERT_NE(t, nullptr);
  EXPECT_GE(t->oid, storage::kFirstTableOid);
  EXPECT_EQ(t->owner, 10u);
  ASSERT_EQ(t->columns.size(), 2u);
  EXPECT_EQ(t->columns[1].name, "b");
  EXPECT_EQ(t->columns[1].type, storage::ColumnType::kText);
  EXPECT_TRUE(FileExists(t->oid));
  EXPECT_EQ(RowsWhere("pg_class", pg_class::kOid, t->oid), 1u);
  EXPECT_EQ(RowsWhere("pg_attribute", pg_attribute::kAttrelid, t->oid), 2u);
  EXPECT_EQ(RowsWhere("pg_type", pg_type::kTyprelid, t->oid), 1u);
  auto again = CreateTableWithCatalog(DbDir(), "t", cols_, 10);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
}

// Scenario: BEGIN; CREATE TABLE; ROLLBACK leaves no row and no file.
TEST_F(TableDdlTest, RolledBackCreateLeavesNoTrace) {
  ASSERT_TRUE(*CreateTableWithCatalog(DbDir(), "t2", cols_, 10));
  const storage::TableDef* t = Table("t2");
  ASSERT_NE(t, nullptr) << "its own transaction sees it";
  Oid oid = t->oid;
  EXPECT_TRUE(FileExists(oid));
  ASSERT_TRUE(storage::AbortTransaction().ok());
  EXPECT_EQ(Table("t2"), nullptr);
  EXPECT_FALSE(FileExists(oid));
  EXPECT_EQ(RowsWhere("pg_class", pg_class::kOid, oid), 0u);
  EXPECT_EQ(RowsWhere("pg_attribute", pg_attribute::kAttrelid, oid), 0u);
}

// Scenario: DROP TABLE rolled back keeps the table, its rows and file;
// committed, its rows are gone and then its file.
TEST_F(TableDdlTest, DropIsTransactional) {
  ASSERT_TRUE(*CreateTableWithCatalog(DbDir(), "t", cols_, 10));
  ASSERT_TRUE(storage::CommitTransaction().ok());
  Oid oid = Table("t")->oid;
  ASSERT_TRUE(*DropTableWithCatalog(DbDir(), "t"));
  EXPECT_EQ(Table("t"), nullptr) << "gone for its own transaction";
  EXPECT_TRUE(FileExists(oid)) << "until commit";
  ASSERT_TRUE(storage::AbortTransaction().ok());
  ASSERT_NE(Table("t"), nullptr);
  EXPECT_EQ(Table("t")->columns.size(), 2u);
  EXPECT_TRUE(FileExists(oid));

  ASSERT_TRUE(*DropTableWithCatalog(DbDir(), "t"));
  ASSERT_TRUE(storage::CommitTransaction().ok());
  EXPECT_EQ(Table("t"), nullptr);
  EXPECT_FALSE(FileExists(oid));
  EXPECT_EQ(RowsWhere("pg_attribute", pg_attribute::kAttrelid, oid), 0u);
  EXPECT_EQ(RowsWhere("pg_type", pg_type::kTyprelid, oid), 0u);
  auto missing = DropTableWithCatalog(DbDir(), "t");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(*missing);
}

// Scenario: the relcache reads the catalogs once; later uses read nothing
// until an invalidation, which re-reads only then.
TEST_F(TableDdlTest, RelcacheRereadsOnlyWhenInvalidated) {
  ASSERT_TRUE(*CreateTableWithCatalog(DbDir(), "t", cols_, 10));
  ASSERT_TRUE(storage::CommitTransaction().ok());
  ASSERT_NE(Table("t"), nullptr);
  uint64_t reads = RelcacheCatalogReads();
  ASSERT_NE(Table("t"), nullptr);
  ASSERT_NE(Table("t"), nullptr);
  EXPECT_EQ(RelcacheCatalogReads(), reads);
  ASSERT_TRUE(*CreateTableWithCatalog(DbDir(), "u", cols_, 10));
  ASSERT_TRUE(storage::CommitTransaction().ok());
  ASSERT_NE(Table("u"), nullptr);
  EXPECT_EQ(RelcacheCatalogReads(), reads + 1);
  ASSERT_NE(Table("t"), nullptr);
  EXPECT_EQ(RelcacheCatalogReads(), reads + 1);
}

}  // namespace
}  // namespace minipg::catalog
