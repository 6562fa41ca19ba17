/*-------------------------------------------------------------------------
 * shared_catalogs_test.cpp
 *   pg_database, pg_authid and pg_auth_members as heap relations in
 *   global/: a new data directory's rows (PostgreSQL 15's roles and
 *   databases), a change written in the transaction (gone after ROLLBACK,
 *   kept after COMMIT, a changed row a new tuple), and the backend's cache
 *   dropped by the invalidation another process sends at commit.
 *-------------------------------------------------------------------------
 */
#include "engine/catalog/shared_catalogs.h"

#include "engine/catalog/bootstrap.h"
#include "engine/catalog/catalog_access.h"
#include "engine/storage/data_directory.h"
#include "engine/storage/heap/transam.h"
#include "tests/engine/shmem/child_process.h"
#include "tests/engine/storage/heap/heap_test_util.h"

namespace minipg::catalog {
namespace {

using storage::GlobalCatalog;
using storage::RoleDef;

class SharedCatalogsTest : public storage::HeapTest {
 protected:
  void SetUp() override {
    ASSERT_TRUE(storage::InitStorage(dir_.path()).ok());
    ASSERT_TRUE(BootstrapSharedCatalogs(dir_.path(), "boss").ok());
    storage::HeapTest::SetUp();
  }
  GlobalCatalog Load() {
    auto c = LoadGlobalCatalog(dir_.path());
    EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message);
    return c.ok() ? *c : GlobalCatalog{};
  }
  size_t Rows(Oid catalog) {
    auto rows = CatalogScan(*FindSystemCatalogByOid(catalog), 0);
    return rows.ok() ? rows->size() : 0;
  }
};

// Scenario: a new data directory has global/1260, 1261, 1262 with the
// named superuser (OID 10, every attribute, no password: NULL), PostgreSQL
// 15's twelve predefined roles, pg_monitor's three memberships, template1
// (1, a template) and postgres (5), and both database folders.
TEST_F(SharedCatalogsTest, BootstrapRows) {
  for (const char* f : {"global/1260", "global/1261", "global/1262"}) {
    EXPECT_TRUE(std::filesystem::exists(dir_.path() / f)) << f;
  }
  EXPECT_TRUE(std::filesystem::is_directory(dir_.path() / "base/1"));
  EXPECT_TRUE(std::filesystem::is_directory(dir_.path() / "base/5"));
  auto roles = CatalogScan(*FindSystemCatalog("pg_authid"), 0);
  ASSERT_TRUE(roles.ok());
  ASSERT_EQ(roles->size(), 13u);
  const storage::Tuple& su = (*roles)[0].values;
  EXPECT_EQ(std::get<int64_t>(su[pg_authid::kOid]), 10);
  EXPECT_EQ(std::get<std::string>(su[pg_authid::kRolname]), "boss");
  EXPECT_TRUE(std::get<bool>(su[pg_authid::kRolreplication]));
  EXPECT_TRUE(storage::IsNull(su[pg_authid::kRolpassword]));
  EXPECT_EQ(Rows(kAuthMemRelationId), 3u);
  auto dbs = CatalogScan(*FindSystemCatalog("pg_database"), 0);
  ASSERT_TRUE(dbs.ok());
  ASSERT_EQ(dbs->size(), 2u);
  EXPECT_EQ(std::get<std::string>((*dbs)[0].values[pg_database::kDatname]), "template1");
  EXPECT_TRUE(std::get<bool>((*dbs)[0].values[pg_database::kDatistemplate]));
  EXPECT_FALSE(std::get<bool>((*dbs)[1].values[pg_database::kDatistemplate]));
  GlobalCatalog c = Load();
  EXPECT_TRUE(c.IsMemberOf(storage::kPgMonitorOid, storage::kPgReadAllStatsOid));
  EXPECT_EQ(c.FindDatabase("postgres")->oid, storage::kPostgresDbOid);
  ASSERT_TRUE(BootstrapSharedCatalogs(dir_.path(), "other").ok());  // a second time: left alone
  EXPECT_EQ(Load().FindRole("other"), nullptr);
}

// Scenario: CREATE ROLE's change, rolled back, leaves no row; committed, it
// stays. ALTER of its password deletes the old tuple and inserts a new
// one; a failing change writes nothing.
TEST_F(SharedCatalogsTest, ChangesAreTransactional) {
  auto add_alice = [](GlobalCatalog& c) -> Status {
    c.roles.push_back({storage::GetNewObjectId(), "alice", false, true, false, ""});
    return OkStatus();
  };
  ASSERT_TRUE(ChangeGlobalCatalog(dir_.path(), add_alice).ok());
  EXPECT_NE(Load().FindRole("alice"), nullptr) << "its own transaction sees it";
  ASSERT_TRUE(storage::AbortTransaction().ok());
  EXPECT_EQ(Load().FindRole("alice"), nullptr);
  EXPECT_EQ(Rows(kAuthIdRelationId), 13u);

  ASSERT_TRUE(ChangeGlobalCatalog(dir_.path(), add_alice).ok());
  ASSERT_TRUE(storage::CommitTransaction().ok());
  ASSERT_NE(Load().FindRole("alice"), nullptr);
  EXPECT_GE(Load().FindRole("alice")->oid, 16384u);
  ASSERT_TRUE(ChangeGlobalCatalog(dir_.path(), [](GlobalCatalog& c) -> Status {
                c.FindRole("alice")->password = "md5abc";
                return OkStatus();
              }).ok());
  ASSERT_TRUE(storage::CommitTransaction().ok());
  EXPECT_EQ(Load().FindRole("alice")->password, "md5abc");
  EXPECT_EQ(Rows(kAuthIdRelationId), 14u);
  Status failed = ChangeGlobalCatalog(dir_.path(), [](GlobalCatalog& c) -> Status {
    c.roles.clear();
    return MakeError("42501", "no");
  });
  EXPECT_FALSE(failed.ok());
  ASSERT_TRUE(storage::AbortTransaction().ok());
  EXPECT_EQ(Rows(kAuthIdRelationId), 14u);
}

// Scenario: another backend has the catalog cached; this one changes a
// password and commits; the other's next load (after reading the
// invalidation) has the new password, not its cached one.
TEST_F(SharedCatalogsTest, OtherBackendSeesCommittedChange) {
  int to_child[2], to_parent[2];
  ASSERT_EQ(pipe(to_child), 0);
  ASSERT_EQ(pipe(to_parent), 0);
  pid_t child = test_util::SpawnChild([&] {
    storage::SharedInvalBackendInit(1, 5);
    auto before = LoadGlobalCatalog(dir_.path());
    if (!before.ok() || !before->FindRole("boss")->password.empty()) return 10;
    char c = 'r';
    (void)!write(to_parent[1], &c, 1);
    if (read(to_child[0], &c, 1) != 1) return 11;
    auto after = LoadGlobalCatalog(dir_.path());
    return after.ok() && after->FindRole("boss")->password == "md5new" ? 0 : 12;
  });
  char c = 0;
  ASSERT_EQ(read(to_parent[0], &c, 1), 1);
  ASSERT_TRUE(ChangeGlobalCatalog(dir_.path(), [](GlobalCatalog& g) -> Status {
                g.FindRole("boss")->password = "md5new";
                return OkStatus();
              }).ok());
  ASSERT_TRUE(storage::CommitTransaction().ok());
  (void)!write(to_child[1], &c, 1);
  EXPECT_EQ(test_util::ChildExitCode(child), 0);
  for (int fd : {to_child[0], to_child[1], to_parent[0], to_parent[1]}) close(fd);
}

}  // namespace
}  // namespace minipg::catalog
