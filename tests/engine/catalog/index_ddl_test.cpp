/*-------------------------------------------------------------------------
 * index_ddl_test.cpp
 *   CREATE / DROP INDEX as catalog rows and relations: what they write
 *   (pg_class relkind i and relam 403, pg_attribute, pg_index with indkey,
 *   the table's relhasindex), the build from the table's rows, the
 *   relcache giving a table's indexes, InsertIndexEntries with its unique
 *   check, rollback, DROP INDEX and DROP TABLE taking the index along.
 *-------------------------------------------------------------------------
 */
#include "engine/catalog/index_ddl.h"

#include "engine/catalog/catalog_access.h"
#include "engine/storage/data_directory.h"
#include "engine/catalog/relcache.h"
#include "engine/catalog/table_ddl.h"
#include "tests/engine/catalog/catalog_fixture.h"

namespace minipg::catalog {
namespace {

using storage::Datum;

class IndexDdlTest : public BootstrappedCatalogTest {
 protected:
  void SetUp() override {
    BootstrappedCatalogTest::SetUp();
    RelcacheInit();
    ASSERT_TRUE(CreateTableWithCatalog(DbDir(), "t", cols_, 10).ok());
    ASSERT_TRUE(storage::CommitTransaction().ok());
    InsertRows(1, 500);
    ASSERT_TRUE(storage::CommitTransaction().ok());
  }
  std::filesystem::path DbDir() const { return dir_.path() / "base" / "5"; }
  storage::TableDef Table() {
    auto tables = RelcacheTables(5);
    EXPECT_TRUE(tables.ok());
    const storage::TableDef* t = tables.ok() ? tables->Find("t") : nullptr;
    return t != nullptr ? *t : storage::TableDef{};
  }
  /* Rows (i, "v<i>") for i in [from, to], with their index entries. */
  Status InsertRows(int64_t from, int64_t to) {
    storage::TableDef t = Table();
    std::vector<storage::Tuple> rows;
    for (int64_t i = from; i <= to; ++i) rows.push_back({Datum(i), Datum("v" + std::to_string(i))});
    std::vector<storage::ItemPointer> tids;
    if (Status s = storage::HeapInsert(TableLocator(DbDir(), t), t.columns, rows, &tids); !s.ok()) return s;
    for (size_t i = 0; i < rows.size(); ++i) {
      if (Status s = InsertIndexEntries(5, t, rows[i], tids[i]); !s.ok()) return s;
    }
    return OkStatus();
  }
  std::vector<CatalogRow> RowsWhere(std::string_view catalog, size_t col, int64_t value) {
    auto rows = CatalogScan(*FindSystemCatalog(catalog), 5);
    EXPECT_TRUE(rows.ok());
    std::vector<CatalogRow> out;
    for (const CatalogRow& r : *rows) {
      if (std::get<int64_t>(r.values[col]) == value) out.push_back(r);
    }
    return out;
  }
  bool FileExists(Oid oid) {
    return storage::SmgrExists(storage::RelFileLocator{storage::kDefaultTablespaceOid, 5, oid},
                               storage::ForkNumber::kMain);
  }
  std::vector<storage::ColumnDef> cols_{{"id", storage::ColumnType::kInt4}, {"name", storage::ColumnType::kText}};
};

// Scenario: CREATE UNIQUE INDEX t_id_key ON t (id) over 500 rows writes
// PostgreSQL's rows, builds a tree with 500 entries, and the relcache
// gives t's index; an INSERT of an existing id is then 23505.
TEST_F(IndexDdlTest, CreateWritesRowsBuildsAndChecksUniqueness) {
  auto created = CreateIndexWithCatalog(DbDir(), IndexSpec{"t_id_key", "t", {"id"}, true, false}, 10);
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_TRUE(*created);
  ASSERT_TRUE(storage::CommitTransaction().ok());
  storage::TableDef t = Table();
  ASSERT_EQ(t.indexes.size(), 1u);
  const storage::IndexDef& index = t.indexes[0];
  EXPECT_EQ(index.name, "t_id_key");
  EXPECT_EQ(index.key_attnums, std::vector<int16_t>{1});
  EXPECT_TRUE(index.unique);
  EXPECT_FALSE(index.primary);
  EXPECT_TRUE(FileExists(index.oid));

  auto cls = RowsWhere("pg_class", pg_class::kOid, index.oid);
  ASSERT_EQ(cls.size(), 1u);
  EXPECT_EQ(std::get<std::string>(cls[0].values[pg_class::kRelkind]), "i");
  EXPECT_EQ(std::get<int64_t>(cls[0].values[pg_class::kRelam]), 403);
  EXPECT_EQ(std::get<int64_t>(cls[0].values[pg_class::kReltype]), 0);
  EXPECT_EQ(std::get<int64_t>(cls[0].values[pg_class::kRelnatts]), 1);
  auto table_row = RowsWhere("pg_class", pg_class::kOid, t.oid);
  ASSERT_EQ(table_row.size(), 1u);
  EXPECT_TRUE(std::get<bool>(table_row[0].values[pg_class::kRelhasindex]));
  auto attrs = RowsWhere("pg_attribute", pg_attribute::kAttrelid, index.oid);
  ASSERT_EQ(attrs.size(), 1u);
  EXPECT_EQ(std::get<std::string>(attrs[0].values[pg_attribute::kAttname]), "id");
  EXPECT_EQ(std::get<int64_t>(attrs[0].values[pg_attribute::kAtttypid]), 23);
  auto idx = RowsWhere("pg_index", pg_index::kIndexrelid, index.oid);
  ASSERT_EQ(idx.size(), 1u);
  EXPECT_EQ(std::get<int64_t>(idx[0].values[pg_index::kIndrelid]), t.oid);
  const auto& indkey = std::get<storage::ArrayValue>(idx[0].values[pg_index::kIndkey]);
  ASSERT_NE(indkey.data, nullptr);
  EXPECT_EQ(indkey.data->elements, (std::vector<storage::Datum>{storage::Datum(int64_t{1})}));  // int2vector '1'
  EXPECT_TRUE(std::get<bool>(idx[0].values[pg_index::kIndisunique]));

  storage::nbtree::BtreeIndex bt = BtreeIndexOf(5, t, index);
  auto entries = storage::nbtree::BtreeCheck(bt);
  ASSERT_TRUE(entries.ok()) << entries.error().message;
  EXPECT_EQ(*entries, 500u);

  Status dup = InsertRows(250, 250);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().sqlstate, "23505");
  EXPECT_EQ(dup.error().message, "duplicate key value violates unique constraint \"t_id_key\"");
  EXPECT_EQ(dup.error().detail, "Key (id)=(250) already exists.");
  ASSERT_TRUE(storage::AbortTransaction().ok());
  // The aborted row's heap tuple is dead: the same id goes in now.
  ASSERT_TRUE(InsertRows(501, 501).ok());
  ASSERT_TRUE(storage::CommitTransaction().ok());
  storage::nbtree::BtreeScan scan(bt, {{0, storage::nbtree::BtStrategy::kEqual, Datum(int64_t{501})}});
  auto hit = scan.Next();
  ASSERT_TRUE(hit.ok());
  EXPECT_TRUE(hit->has_value());
}

// Scenario: a unique index over duplicate ids cannot be built (PostgreSQL's
// words); a rolled-back CREATE INDEX leaves no row and no file; a second
// index of the same name is refused.
TEST_F(IndexDdlTest, FailedAndRolledBackCreateLeaveNothing) {
  ASSERT_TRUE(InsertRows(7, 7).ok());
  ASSERT_TRUE(storage::CommitTransaction().ok());
  auto dup = CreateIndexWithCatalog(DbDir(), IndexSpec{"t_id_key", "t", {"id"}, true, false}, 10);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().message, "could not create unique index \"t_id_key\"");
  EXPECT_EQ(dup.error().detail, "Key (id)=(7) is duplicated.");
  ASSERT_TRUE(storage::AbortTransaction().ok());
  EXPECT_TRUE(Table().indexes.empty());

  auto created = CreateIndexWithCatalog(DbDir(), IndexSpec{"t_name_idx", "t", {"name", "id"}, false, false}, 10);
  ASSERT_TRUE(created.ok());
  Oid oid = Table().indexes.at(0).oid;
  EXPECT_EQ(Table().indexes.at(0).key_attnums, (std::vector<int16_t>{2, 1}));
  auto again = CreateIndexWithCatalog(DbDir(), IndexSpec{"t_name_idx", "t", {"id"}, false, false}, 10);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  ASSERT_TRUE(storage::AbortTransaction().ok());
  EXPECT_TRUE(Table().indexes.empty());
  EXPECT_TRUE(RowsWhere("pg_class", pg_class::kOid, oid).empty());
  EXPECT_FALSE(FileExists(oid));

  auto missing = CreateIndexWithCatalog(DbDir(), IndexSpec{"x", "t", {"nope"}, false, false}, 10);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().sqlstate, "42703");
  EXPECT_EQ(missing.error().message, "column \"nope\" does not exist");
}

// Scenario: DROP INDEX removes the rows, and the file at commit; DROP TABLE
// takes its indexes along; DROP TABLE of an index and DROP INDEX of a
// table are refused as PostgreSQL refuses them.
TEST_F(IndexDdlTest, DropIndexAndDropTable) {
  ASSERT_TRUE(CreateIndexWithCatalog(DbDir(), IndexSpec{"t_pkey", "t", {"id"}, true, true}, 10).ok());
  ASSERT_TRUE(CreateIndexWithCatalog(DbDir(), IndexSpec{"t_name_idx", "t", {"name"}, false, false}, 10).ok());
  ASSERT_TRUE(storage::CommitTransaction().ok());
  storage::TableDef t = Table();
  ASSERT_EQ(t.indexes.size(), 2u);
  EXPECT_TRUE(t.indexes[0].primary);
  Oid pkey = t.indexes[0].oid;
  Oid name_idx = t.indexes[1].oid;

  auto not_table = DropTableWithCatalog(DbDir(), "t_pkey");
  ASSERT_FALSE(not_table.ok());
  EXPECT_EQ(not_table.error().sqlstate, "42809");
  EXPECT_EQ(not_table.error().message, "\"t_pkey\" is not a table");
  ASSERT_TRUE(storage::AbortTransaction().ok());
  auto not_index = DropIndexWithCatalog(DbDir(), "t");
  ASSERT_FALSE(not_index.ok());
  EXPECT_EQ(not_index.error().message, "\"t\" is not an index");
  ASSERT_TRUE(storage::AbortTransaction().ok());

  auto dropped = DropIndexWithCatalog(DbDir(), "t_name_idx");
  ASSERT_TRUE(dropped.ok());
  EXPECT_TRUE(*dropped);
  EXPECT_TRUE(FileExists(name_idx));  // until commit
  ASSERT_TRUE(storage::CommitTransaction().ok());
  EXPECT_FALSE(FileExists(name_idx));
  EXPECT_TRUE(RowsWhere("pg_index", pg_index::kIndexrelid, name_idx).empty());
  ASSERT_EQ(Table().indexes.size(), 1u);

  ASSERT_TRUE(DropTableWithCatalog(DbDir(), "t").ok());
  ASSERT_TRUE(storage::CommitTransaction().ok());
  EXPECT_FALSE(FileExists(pkey));
  EXPECT_TRUE(RowsWhere("pg_class", pg_class::kOid, pkey).empty());
  EXPECT_TRUE(RowsWhere("pg_attribute", pg_attribute::kAttrelid, pkey).empty());
  EXPECT_TRUE(RowsWhere("pg_index", pg_index::kIndexrelid, pkey).empty());
}

}  // namespace
}  // namespace minipg::catalog
