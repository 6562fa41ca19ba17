/*
 * global_catalog_test.cpp
 *   The in-memory databases-and-roles catalog: membership and privileges,
 *   the predefined roles, and the database lock DROP DATABASE uses (the
 *   rows themselves: tests/engine/catalog/shared_catalogs_test.cpp).
 */
#include "engine/storage/global_catalog.h"

#include <gtest/gtest.h>

#include "engine/storage/data_directory.h"
#include "tests/engine/storage/temp_dir.h"

namespace minipg::storage {
namespace {

// Scenario: while a session holds its database, DROP DATABASE's exclusive try fails; after, it
// succeeds.
TEST(GlobalCatalogTest, DatabaseLock) {
  TempDir dir;
  ASSERT_TRUE(InitStorage(dir.path()).ok());
  ASSERT_TRUE(MakeDatabaseDir(dir.path(), kPostgresDbOid).ok());
  {
    auto held = LockDatabaseShared(dir.path(), kPostgresDbOid);
    ASSERT_TRUE(held.ok());
    auto free_now = TryLockDatabaseExclusive(dir.path(), kPostgresDbOid);
    ASSERT_TRUE(free_now.ok());
    EXPECT_FALSE(free_now->valid());
  }
  auto free_now = TryLockDatabaseExclusive(dir.path(), kPostgresDbOid);
  ASSERT_TRUE(free_now.ok());
  EXPECT_TRUE(free_now->valid());
  auto gone = LockDatabaseShared(dir.path(), 99999);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().sqlstate, "3D000");
}

// Scenario: membership is transitive and one way; a superuser has every
// role's privileges, another role only its own and its roles'.
TEST(GlobalCatalogTest, MembershipAndPrivileges) {
  GlobalCatalog c;
  c.roles = {{10, "boss", true, true, true, ""},
             {16384, "a", false, true, false, ""},
             {16385, "b", false, true, false, ""},
             {16386, "c", false, true, false, ""}};
  c.memberships = {{16385, 16384, 10}, {16386, 16385, 10}};  // a in b, b in c
  EXPECT_TRUE(c.IsMemberOf(16384, 16386)) << "a is in c through b";
  EXPECT_FALSE(c.IsMemberOf(16386, 16384));
  EXPECT_TRUE(c.IsMemberOf(16385, 16385)) << "a role is a member of itself";
  EXPECT_TRUE(c.IsDirectMember(16384, 16385));
  EXPECT_FALSE(c.IsDirectMember(16384, 16386));
  EXPECT_TRUE(c.HasPrivsOfRole(10, 16384)) << "a superuser has everyone's";
  EXPECT_FALSE(c.HasPrivsOfRole(16384, 10));
  c.memberships.push_back({16384, 16386, 10});  // a corrupted cycle still ends
  EXPECT_FALSE(c.IsMemberOf(16384, 10));
}

// Scenario: the predefined roles are PostgreSQL 15's twelve, with its
// OIDs, all below 16384 (so none can be altered or dropped); pg_monitor is
// a member of three of them.
TEST(GlobalCatalogTest, PredefinedRolesAsPostgreSql) {
  ASSERT_EQ(PredefinedRoles().size(), 12u);
  GlobalCatalog c;
  for (auto [oid, name] : PredefinedRoles()) {
    EXPECT_TRUE(IsPredefinedRole(oid)) << name;
    EXPECT_EQ(name.substr(0, 3), "pg_");
    c.roles.push_back({oid, std::string(name)});
  }
  EXPECT_EQ(c.FindRole("pg_checkpoint")->oid, 4544u);
  EXPECT_EQ(c.FindRole("pg_database_owner")->oid, 6171u);
  c.memberships = PredefinedMemberships();
  EXPECT_TRUE(c.HasPrivsOfRole(kPgMonitorOid, kPgReadAllStatsOid));
  EXPECT_FALSE(c.HasPrivsOfRole(kPgReadAllStatsOid, kPgMonitorOid));
  EXPECT_FALSE(IsPredefinedRole(kBootstrapSuperuserOid));
}

}  // namespace
}  // namespace minipg::storage
