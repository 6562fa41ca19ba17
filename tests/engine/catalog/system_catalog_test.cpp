/*-------------------------------------------------------------------------
 * system_catalog_test.cpp
 *   The catalog list: PostgreSQL's OIDs, names and column order.
 *-------------------------------------------------------------------------
 */
#include "engine/catalog/system_catalog.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace minipg::catalog {
namespace {

// Scenario: each catalog is found by name and by OID, with PostgreSQL's
// OID, and its column positions match the names in PostgreSQL's order.
TEST(SystemCatalogTest, PostgresOidsAndColumns) {
  const SystemCatalog* cls = FindSystemCatalog("pg_class");
  ASSERT_NE(cls, nullptr);
  EXPECT_EQ(cls->oid, 1259u);
  EXPECT_EQ(cls->row_type, 83u);
  EXPECT_FALSE(cls->shared);
  EXPECT_EQ(FindSystemCatalogByOid(1259), cls);
  ASSERT_EQ(cls->columns.size(), pg_class::kNumColumns);
  EXPECT_EQ(cls->columns[pg_class::kRelname].name, "relname");
  EXPECT_EQ(cls->columns[pg_class::kRelfilenode].name, "relfilenode");
  EXPECT_EQ(cls->columns[pg_class::kReltuples].type, storage::ColumnType::kFloat4);
  EXPECT_EQ(cls->columns[pg_class::kRelkind].type, storage::ColumnType::kChar);
  EXPECT_EQ(cls->columns[pg_class::kRelminmxid].name, "relminmxid");

  const SystemCatalog* att = FindSystemCatalog("pg_attribute");
  ASSERT_NE(att, nullptr);
  EXPECT_EQ(att->oid, 1249u);
  ASSERT_EQ(att->columns.size(), pg_attribute::kNumColumns);
  EXPECT_EQ(att->columns[pg_attribute::kAttnum].name, "attnum");
  EXPECT_EQ(att->columns[pg_attribute::kAttcollation].name, "attcollation");

  EXPECT_EQ(FindSystemCatalog("pg_type")->oid, 1247u);
  EXPECT_EQ(FindSystemCatalog("pg_type")->columns.size(), pg_type::kNumColumns);
  EXPECT_EQ(FindSystemCatalog("pg_type")->columns[pg_type::kTypcollation].name, "typcollation");
  EXPECT_EQ(FindSystemCatalog("pg_namespace")->oid, 2615u);
  EXPECT_EQ(FindSystemCatalog("pg_namespace")->columns.size(), pg_namespace::kNumColumns);
  EXPECT_EQ(FindSystemCatalog("pg_index")->oid, 2610u);
  EXPECT_EQ(FindSystemCatalog("pg_index")->columns[pg_index::kIndisreplident].name, "indisreplident");
  EXPECT_EQ(FindSystemCatalog("pg_tables"), nullptr);
  EXPECT_EQ(FindSystemCatalogByOid(16384), nullptr);
}

// Scenario: no two catalogs share a name or an OID; pg_type, pg_attribute
// and pg_class come first, as bootstrap makes them.
TEST(SystemCatalogTest, UniqueAndBootstrapOrder) {
  std::set<std::string> names;
  std::set<Oid> oids;
  for (const SystemCatalog* c : SystemCatalogs()) {
    EXPECT_TRUE(names.insert(std::string(c->name)).second) << c->name;
    EXPECT_TRUE(oids.insert(c->oid).second) << c->name;
    EXPECT_LT(c->oid, storage::kFirstTableOid);
    EXPECT_FALSE(c->columns.empty());
  }
  ASSERT_GE(SystemCatalogs().size(), 3u);
  EXPECT_EQ(SystemCatalogs()[0]->name, "pg_type");
  EXPECT_EQ(SystemCatalogs()[1]->name, "pg_attribute");
  EXPECT_EQ(SystemCatalogs()[2]->name, "pg_class");
  storage::TableDef def = SystemCatalogTableDef(*SystemCatalogs()[2]);
  EXPECT_EQ(def.oid, 1259u);
  EXPECT_EQ(def.name, "pg_class");
  EXPECT_EQ(def.columns.size(), pg_class::kNumColumns);
}

}  // namespace
}  // namespace minipg::catalog
