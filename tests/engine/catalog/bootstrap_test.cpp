/*-------------------------------------------------------------------------
 * bootstrap_test.cpp
 *   A new data directory's catalogs: template1's written frozen and
 *   describing themselves, postgres a copy; an old-format data directory
 *   refused.
 *-------------------------------------------------------------------------
 */
#include "engine/catalog/bootstrap.h"

#include <fstream>

#include "engine/catalog/catalog_access.h"
#include "engine/storage/data_directory.h"
#include "engine/storage/global_catalog.h"
#include "engine/catalog/shared_catalogs.h"
#include "tests/engine/catalog/catalog_fixture.h"

namespace minipg::catalog {
namespace {

class BootstrapTest : public BootstrappedCatalogTest {
 protected:
  std::vector<CatalogRow> Scan(std::string_view catalog, Oid db) {
    auto rows = CatalogScan(*FindSystemCatalog(catalog), db);
    EXPECT_TRUE(rows.ok()) << (rows.ok() ? "" : rows.error().message);
    return rows.ok() ? *rows : std::vector<CatalogRow>{};
  }
};

// Scenario: template1 and postgres both have pg_class rows for the
// catalogs with PostgreSQL's OIDs, pg_attribute rows for each of their
// columns, pg_namespace's three schemas, the base types, an empty pg_index.
TEST_F(BootstrapTest, CatalogsDescribeThemselves) {
  for (Oid db : {storage::kTemplate1Oid, storage::kPostgresDbOid}) {
    std::vector<CatalogRow> classes = Scan("pg_class", db);
    std::map<std::string, int64_t> oids;
    for (const CatalogRow& r : classes) {
      oids[std::get<std::string>(r.values[pg_class::kRelname])] = std::get<int64_t>(r.values[pg_class::kOid]);
    }
    EXPECT_EQ(oids["pg_class"], 1259);
    EXPECT_EQ(oids["pg_attribute"], 1249);
    EXPECT_EQ(oids["pg_type"], 1247);
    EXPECT_EQ(oids["pg_namespace"], 2615);
    EXPECT_EQ(oids["pg_index"], 2610);

    size_t columns = 0;
    for (const SystemCatalog* c : SystemCatalogs()) columns += c->columns.size();
    EXPECT_EQ(Scan("pg_attribute", db).size(), columns);
    EXPECT_EQ(Scan("pg_namespace", db).size(), 3u);
    EXPECT_TRUE(Scan("pg_index", db).empty());
    bool has_oid_type = false;
    for (const CatalogRow& r : Scan("pg_type", db)) {
      has_oid_type |= std::get<int64_t>(r.values[pg_type::kOid]) == 26 &&
                      std::get<std::string>(r.values[pg_type::kTypname]) == "oid";
    }
    EXPECT_TRUE(has_oid_type);
  }
}

// Scenario: bootstrap rows are frozen: xmin 1 with both xmin hint bits.
TEST_F(BootstrapTest, RowsAreFrozen) {
  auto b = storage::ReadBuffer(storage::BufferTag{
      CatalogLocator(*FindSystemCatalog("pg_namespace"), storage::kPostgresDbOid), storage::ForkNumber::kMain, 0});
  ASSERT_TRUE(b.ok());
  storage::LockBuffer(*b, storage::BufferLockMode::kShare);
  const char* page = storage::BufferGetPage(*b);
  auto h = storage::HeapTupleGetHeader(storage::PageGetItem(page, storage::PageGetItemId(page, 1)));
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->xmin, storage::kBootstrapTransactionId);
  EXPECT_EQ(h->infomask & storage::kHeapXminFrozen, storage::kHeapXminFrozen);
  EXPECT_EQ(h->ctid, (storage::ItemPointer{0, 1}));
  storage::UnlockBuffer(*b);
  storage::ReleaseBuffer(*b);
}

// Scenario: bootstrapping again leaves the catalogs alone; a data
// directory with an old minipg_catalog file is refused with FATAL.
TEST_F(BootstrapTest, AgainAndOldFormat) {
  ASSERT_TRUE(BootstrapCatalogs(dir_.path()).ok());
  EXPECT_EQ(Scan("pg_namespace", storage::kPostgresDbOid).size(), 3u);
  EXPECT_TRUE(CheckCatalogFormat(dir_.path()).ok());
  std::ofstream(dir_.path() / "base" / "5" / "minipg_catalog") << "MPGCATv1";
  Status s = CheckCatalogFormat(dir_.path());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().severity, Severity::kFatal);
  EXPECT_EQ(s.error().message, "database files are incompatible with server");
  EXPECT_NE(s.error().hint.find("new data directory"), std::string::npos);
}

}  // namespace
}  // namespace minipg::catalog
