/*-------------------------------------------------------------------------
 * catalog_access_test.cpp
 *   Catalog rows through the heap: inserted rows are scanned back with
 *   their TIDs, in the database's own relation file; a deleted row is gone
 *   once its transaction commits and back if it aborts.
 *-------------------------------------------------------------------------
 */
#include "engine/catalog/catalog_access.h"

#include "tests/engine/storage/heap/heap_test_util.h"

namespace minipg::catalog {
namespace {

using storage::Datum;

class CatalogAccessTest : public storage::HeapTest {
 protected:
  static constexpr Oid kDb = 5;
  const SystemCatalog& ns_ = *FindSystemCatalog("pg_namespace");

  void CreateCatalog() {
    ASSERT_TRUE(storage::HeapCreateRelation(CatalogLocator(ns_, kDb)).ok());
    ASSERT_TRUE(storage::CommitTransaction().ok());
  }
  static storage::Tuple Ns(int64_t oid, const char* name) {
    return {Datum(oid), Datum(std::string(name)), Datum(int64_t{10}), Datum()};  // nspacl NULL
  }
  std::vector<std::string> Names() {
    auto rows = CatalogScan(ns_, kDb);
    EXPECT_TRUE(rows.ok());
    std::vector<std::string> out;
    if (rows.ok()) {
      for (const CatalogRow& r : *rows) out.push_back(std::get<std::string>(r.values[pg_namespace::kNspname]));
    }
    return out;
  }
};

// Scenario: a catalog of a database is base/<db>/<its oid>; a shared one is
// global/<its oid> whatever the database.
TEST_F(CatalogAccessTest, Locator) {
  storage::RelFileLocator rel = CatalogLocator(*FindSystemCatalog("pg_class"), 16390);
  EXPECT_EQ(rel, (storage::RelFileLocator{storage::kDefaultTablespaceOid, 16390, 1259}));
  SystemCatalog shared{1262, "pg_database", true, {{"oid", storage::ColumnType::kOid}}};
  EXPECT_EQ(CatalogLocator(shared, 16390), (storage::RelFileLocator{storage::kGlobalTablespaceOid, 0, 1262}));
}

// Scenario: rows inserted are scanned back in order with their TIDs;
// deleting one hides it at once from its transaction, and after an abort
// it is back; after a committed delete it is gone.
TEST_F(CatalogAccessTest, InsertScanDelete) {
  CreateCatalog();
  ASSERT_TRUE(CatalogInsert(ns_, kDb, Ns(11, "pg_catalog")).ok());
  ASSERT_TRUE(CatalogInsert(ns_, kDb, Ns(2200, "public")).ok());
  ASSERT_TRUE(CatalogInsert(ns_, kDb, Ns(99, "pg_toast")).ok());
  ASSERT_TRUE(storage::CommitTransaction().ok());
  auto rows = CatalogScan(ns_, kDb);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[1].tid, (storage::ItemPointer{0, 2}));
  EXPECT_EQ(std::get<int64_t>((*rows)[1].values[pg_namespace::kOid]), 2200);
  EXPECT_EQ(Names(), (std::vector<std::string>{"pg_catalog", "public", "pg_toast"}));

  ASSERT_TRUE(CatalogDelete(ns_, kDb, (*rows)[1].tid).ok());
  EXPECT_EQ(Names(), (std::vector<std::string>{"pg_catalog", "pg_toast"}));
  ASSERT_TRUE(storage::AbortTransaction().ok());
  EXPECT_EQ(Names(), (std::vector<std::string>{"pg_catalog", "public", "pg_toast"}));

  ASSERT_TRUE(CatalogDelete(ns_, kDb, (*rows)[1].tid).ok());
  ASSERT_TRUE(storage::CommitTransaction().ok());
  EXPECT_EQ(Names(), (std::vector<std::string>{"pg_catalog", "pg_toast"}));
}

}  // namespace
}  // namespace minipg::catalog
