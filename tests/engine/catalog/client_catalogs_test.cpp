/*-------------------------------------------------------------------------
 * client_catalogs_test.cpp
 *   The catalogs clients read: PostgreSQL 15's OIDs, row types and
 *   columns, the rows bootstrap writes (pg_am, pg_collation,
 *   pg_tablespace, whatever the caller adds), empty ones empty.
 *
 *   Expected values from PostgreSQL 15.18 (initdb, then
 *   select relname, oid, reltype, relnatts from pg_class; select * from
 *   pg_am / pg_collation / pg_tablespace).
 *-------------------------------------------------------------------------
 */
#include "engine/catalog/client_catalogs.h"

#include <fstream>
#include <iterator>
#include <map>

#include "engine/catalog/catalog_access.h"
#include "engine/catalog/catalog_rows.h"
#include "engine/storage/data_directory.h"
#include "engine/storage/page/heap_tuple.h"
#include "engine/storage/page/page.h"
#include "tests/engine/catalog/catalog_fixture.h"
#include "tests/engine/storage/temp_dir.h"

namespace minipg::catalog {
namespace {

using storage::Datum;
using storage::Tuple;

class ClientCatalogsTest : public BootstrappedCatalogTest {
 protected:
  std::vector<CatalogRow> Scan(std::string_view catalog, Oid db = storage::kPostgresDbOid) {
    const SystemCatalog* c = FindSystemCatalog(catalog);
    EXPECT_NE(c, nullptr) << catalog;
    if (c == nullptr) return {};
    auto rows = CatalogScan(*c, db);
    EXPECT_TRUE(rows.ok()) << (rows.ok() ? "" : rows.error().message);
    return rows.ok() ? *rows : std::vector<CatalogRow>{};
  }
};

struct Expected {
  const char* name;
  Oid oid;
  Oid reltype;
  size_t natts;  // PostgreSQL's relnatts
};

// Scenario: each catalog psql reads has PostgreSQL's OID, row type and
// every column (pg_trigger less tgargs, a bytea), in pg_class too.
TEST_F(ClientCatalogsTest, CatalogsHavePostgreSqlOidsAndColumns) {
  const Expected expected[] = {
      {"pg_tablespace", 1213, 10056, 5}, {"pg_proc", 1255, 81, 30},        {"pg_sequence", 2224, 10105, 8},
      {"pg_am", 2601, 10015, 4},         {"pg_attrdef", 2604, 10001, 4},   {"pg_cast", 2605, 10043, 6},
      {"pg_constraint", 2606, 10003, 26}, {"pg_depend", 2608, 10051, 7},   {"pg_description", 2609, 10041, 4},
      {"pg_operator", 2617, 10009, 15},  {"pg_extension", 3079, 10074, 8}, {"pg_collation", 3456, 10095, 11},
      {"pg_trigger", 2620, 10037, 18},   {"pg_policy", 3256, 10084, 8},    {"pg_inherits", 2611, 10005, 4},
      {"pg_statistic", 2619, 10029, 31},
  };
  std::map<std::string, Tuple> classes;
  for (const CatalogRow& r : Scan("pg_class")) classes[std::get<std::string>(r.values[pg_class::kRelname])] = r.values;
  for (const Expected& e : expected) {
    const SystemCatalog* c = FindSystemCatalog(e.name);
    ASSERT_NE(c, nullptr) << e.name;
    EXPECT_EQ(c->oid, e.oid) << e.name;
    EXPECT_EQ(c->row_type, e.reltype) << e.name;
    EXPECT_EQ(c->columns.size(), e.natts) << e.name;
    ASSERT_TRUE(classes.count(e.name)) << e.name;
    EXPECT_EQ(std::get<int64_t>(classes[e.name][pg_class::kOid]), e.oid);
    EXPECT_EQ(std::get<int64_t>(classes[e.name][pg_class::kRelnamespace]), kPgCatalogNamespace);
  }
  // pg_class itself now has PostgreSQL's 33 columns, pg_index its 21.
  EXPECT_EQ(FindSystemCatalog("pg_class")->columns.size(), 33u);
  EXPECT_EQ(FindSystemCatalog("pg_index")->columns.size(), 21u);
  EXPECT_EQ(FindSystemCatalog("pg_class")->columns[pg_class::kReloptions].type, storage::ColumnType::kTextArray);
  EXPECT_EQ(FindSystemCatalog("pg_index")->columns[pg_index::kIndkey].type, storage::ColumnType::kInt2Vector);
}

// Scenario: array columns have PostgreSQL's types in pg_attribute, and
// those types their pg_type rows (int2vector 22 with typelem 21, _text 1009).
TEST_F(ClientCatalogsTest, ArrayColumnsHaveArrayTypes) {
  std::map<std::string, int64_t> types;
  for (const CatalogRow& r : Scan("pg_attribute")) {
    int64_t rel = std::get<int64_t>(r.values[pg_attribute::kAttrelid]);
    if (rel != kIndexRelationId && rel != kRelationRelationId && rel != kProcRelationId) continue;
    types[std::get<std::string>(r.values[pg_attribute::kAttname])] = std::get<int64_t>(r.values[pg_attribute::kAtttypid]);
  }
  EXPECT_EQ(types["indkey"], 22);
  EXPECT_EQ(types["indclass"], 30);
  EXPECT_EQ(types["reloptions"], 1009);
  EXPECT_EQ(types["relacl"], 1034);
  EXPECT_EQ(types["proargmodes"], 1002);
  EXPECT_EQ(types["prosupport"], 24);
  std::map<int64_t, int64_t> elem;
  for (const CatalogRow& r : Scan("pg_type")) {
    elem[std::get<int64_t>(r.values[pg_type::kOid])] = std::get<int64_t>(r.values[pg_type::kTypelem]);
  }
  EXPECT_EQ(elem[22], 21);
  EXPECT_EQ(elem[1009], 25);
}

// Scenario: pg_am holds PostgreSQL's heap and btree rows, pg_collation
// default, C and POSIX, pg_tablespace (shared) pg_default and pg_global.
TEST_F(ClientCatalogsTest, BootstrapRowsAreTheOnesPostgreSqlHas) {
  std::map<int64_t, std::pair<std::string, int64_t>> am;
  for (const CatalogRow& r : Scan("pg_am")) {
    am[std::get<int64_t>(r.values[pg_am::kOid])] = {std::get<std::string>(r.values[pg_am::kAmname]),
                                                    std::get<int64_t>(r.values[pg_am::kAmhandler])};
    EXPECT_EQ(std::get<std::string>(r.values[pg_am::kAmtype]), r.values[pg_am::kOid] == Datum(int64_t{2}) ? "t" : "i");
  }
  EXPECT_EQ(am.size(), 2u);
  EXPECT_EQ(am[2], (std::pair<std::string, int64_t>{"heap", 3}));
  EXPECT_EQ(am[403], (std::pair<std::string, int64_t>{"btree", 330}));

  std::map<int64_t, std::string> collations;
  for (const CatalogRow& r : Scan("pg_collation")) {
    collations[std::get<int64_t>(r.values[pg_collation::kOid])] =
        std::get<std::string>(r.values[pg_collation::kCollname]) + "/" +
        std::get<std::string>(r.values[pg_collation::kCollprovider]);
  }
  EXPECT_EQ(collations, (std::map<int64_t, std::string>{{100, "default/d"}, {950, "C/c"}, {951, "POSIX/c"}}));

  std::map<int64_t, std::string> spaces;
  for (const CatalogRow& r : Scan("pg_tablespace", 0)) {
    spaces[std::get<int64_t>(r.values[pg_tablespace::kOid])] = std::get<std::string>(r.values[pg_tablespace::kSpcname]);
    EXPECT_TRUE(storage::IsNull(r.values[pg_tablespace::kSpcacl]));
  }
  EXPECT_EQ(spaces, (std::map<int64_t, std::string>{{1663, "pg_default"}, {1664, "pg_global"}}));

  // template1's datacl as initdb's (psql's \l: "=c/alice", "alice=CTc/alice"), postgres's NULL.
  for (const CatalogRow& r : Scan("pg_database", 0)) {
    const Datum& acl = r.values[pg_database::kDatacl];
    if (r.values[pg_database::kOid] == Datum(int64_t{storage::kTemplate1Oid})) {
      ASSERT_TRUE(std::holds_alternative<storage::ArrayValue>(acl));
      EXPECT_EQ(std::get<storage::ArrayValue>(acl).data->elements,
                (std::vector<Datum>{Datum(std::string("=c/alice")), Datum(std::string("alice=CTc/alice"))}));
    } else {
      EXPECT_TRUE(storage::IsNull(acl));
    }
  }
}

// Scenario: the catalogs of objects a new database has none of are empty,
// as in PostgreSQL's template1 for triggers, policies, publications.
TEST_F(ClientCatalogsTest, CatalogsOfAbsentObjectsAreEmpty) {
  for (const char* name : {"pg_constraint", "pg_description", "pg_inherits", "pg_trigger", "pg_policy",
                           "pg_rewrite", "pg_statistic_ext", "pg_publication", "pg_publication_rel",
                           "pg_publication_namespace", "pg_partitioned_table", "pg_sequence", "pg_attrdef",
                           "pg_extension", "pg_statistic"}) {
    EXPECT_TRUE(Scan(name).empty()) << name;
  }
  EXPECT_TRUE(Scan("pg_shdescription", 0).empty());
}

// Scenario: the row builders core's DDL will use fit their catalogs and say
// what PostgreSQL's rows say for the same objects (\d ticket_seq: bigint,
// 1, 1, 9223372036854775807, 1, no cycle; orders.id's default).
TEST_F(ClientCatalogsTest, RowBuildersFitTheirCatalogs) {
  Tuple seq = PgSequenceRow({.relid = 16414});
  ASSERT_EQ(seq.size(), pg_sequence::kNumColumns);
  EXPECT_EQ(seq[pg_sequence::kSeqmax], Datum(int64_t{9223372036854775807}));
  Tuple def = PgAttrdefRow(16405, 16396, 1, "nextval('orders_id_seq'::regclass)");
  ASSERT_EQ(def.size(), pg_attrdef::kNumColumns);
  Tuple con = PgConstraintRow({.oid = 16404, .name = "orders_pkey", .type = 'p', .table = 16396, .keys = {1}});
  Tuple index = PgIndexRow({16403, 16396, {1}, true, true});
  for (auto [cat, row] : {std::pair{"pg_sequence", seq}, {"pg_attrdef", def}, {"pg_constraint", con}, {"pg_index", index}}) {
    Status s = CatalogInsert(*FindSystemCatalog(cat), storage::kPostgresDbOid, row);
    EXPECT_TRUE(s.ok()) << cat << ": " << (s.ok() ? "" : s.error().message);
    EXPECT_EQ(Scan(cat).size(), 1u) << cat;
  }
}

// Scenario: rows the caller gives bootstrap (the server gives the built-in
// functions) land in their catalog, array columns included.
TEST_F(ClientCatalogsTest, ExtraRowsAreWritten) {
  TempDir other;
  ASSERT_TRUE(storage::InitStorage(other.path()).ok());
  ASSERT_TRUE(BootstrapSharedCatalogs(other.path(), "alice").ok());
  Tuple proc(pg_proc::kNumColumns);
  proc[pg_proc::kOid] = int64_t{2079};
  proc[pg_proc::kProname] = std::string("pg_table_is_visible");
  proc[pg_proc::kProargtypes] = storage::MakeArray(storage::ColumnType::kOid, {int64_t{26}}, 0);
  ASSERT_TRUE(BootstrapCatalogs(other.path(), {{kProcRelationId, {proc}}}).ok());
  // Written straight to the file: read it back with the page functions.
  std::ifstream f(other.path() / "base" / std::to_string(storage::kPostgresDbOid) / std::to_string(kProcRelationId),
                  std::ios::binary);
  std::string page((std::istreambuf_iterator<char>(f)), {});
  ASSERT_EQ(page.size(), storage::kBlockSize);
  std::string_view item = storage::PageGetItem(page.data(), storage::PageGetItemId(page.data(), 1));
  auto row = storage::HeapDeformTuple(FindSystemCatalog("pg_proc")->columns, item);
  ASSERT_TRUE(row.ok()) << row.error().message;
  EXPECT_EQ((*row)[pg_proc::kProname], Datum(std::string("pg_table_is_visible")));
  EXPECT_EQ((*row)[pg_proc::kProargtypes], proc[pg_proc::kProargtypes]);
}

}  // namespace
}  // namespace minipg::catalog
