/*
 * global_catalog_test.cpp
 *   The databases-and-roles catalog: its encoding, the bootstrap contents of
 *   a new data directory, changes, and the database lock DROP DATABASE uses.
 */
#include "engine/storage/global_catalog.h"

#include <gtest/gtest.h>

#include "engine/storage/data_directory.h"
#include "tests/engine/storage/temp_dir.h"

namespace minipg::storage {
namespace {

// Scenario: encode then decode gives back every field; a flipped byte is caught.
TEST(GlobalCatalogTest, EncodeDecodeRoundTrip) {
  GlobalCatalog c;
  c.next_oid = 16400;
  c.databases = {{1, "template1"}, {5, "postgres"}, {16384, "shop", 16385}};
  RoleDef su{10, "root", true, true, true, ""};
  RoleDef alice{16385, "alice", false, true, false, "md5abcdef"};
  RoleDef nolog{16386, "nolog", false, false, true, ""};
  c.roles = {su, alice, nolog};
  c.memberships = {{16386, 16385, 10}};  // alice is a member of nolog
  std::string bytes = EncodeGlobalCatalog(c);
  auto d = DecodeGlobalCatalog(bytes);
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->next_oid, 16400u);
  ASSERT_EQ(d->databases.size(), 3u);
  EXPECT_EQ(d->databases[2].name, "shop");
  EXPECT_EQ(d->databases[2].oid, 16384u);
  EXPECT_EQ(d->databases[2].owner, 16385u);
  EXPECT_EQ(d->databases[0].owner, 10u);  // the bootstrap superuser by default
  ASSERT_EQ(d->roles.size(), 3u);
  EXPECT_TRUE(d->roles[0].superuser);
  EXPECT_EQ(d->FindRole("alice")->password, "md5abcdef");
  EXPECT_TRUE(d->FindRole("alice")->login);
  EXPECT_FALSE(d->FindRole("alice")->createdb);
  EXPECT_FALSE(d->FindRole("nolog")->login);
  EXPECT_TRUE(d->FindRole("nolog")->createdb);
  ASSERT_EQ(d->memberships.size(), 1u);
  EXPECT_EQ(d->memberships[0].role, 16386u);
  EXPECT_EQ(d->memberships[0].member, 16385u);
  EXPECT_EQ(d->memberships[0].grantor, 10u);
  bytes[12] ^= 1;
  auto bad = DecodeGlobalCatalog(bytes);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().sqlstate, "XX001");
  EXPECT_FALSE(DecodeGlobalCatalog("MPGGLBv1").ok());
}

// Scenario: a new data directory has the named superuser, template1 and postgres, with folders.
TEST(GlobalCatalogTest, BootstrapContents) {
  TempDir dir;
  ASSERT_TRUE(InitStorage(dir.path(), "boss").ok());
  auto c = LoadGlobalCatalog(dir.path());
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_NE(c->FindRole("boss"), nullptr);
  EXPECT_EQ(c->FindRole("boss")->oid, kBootstrapSuperuserOid);
  EXPECT_TRUE(c->FindRole("boss")->superuser);
  EXPECT_TRUE(c->FindRole("boss")->login);
  EXPECT_EQ(c->FindDatabase("postgres")->oid, kPostgresDbOid);
  EXPECT_EQ(c->FindDatabase("template1")->oid, kTemplate1Oid);
  EXPECT_TRUE(std::filesystem::is_directory(DatabasePath(dir.path(), kPostgresDbOid)));
  // The predefined roles, with PostgreSQL's OIDs; pg_monitor is a member of
  // pg_read_all_stats; nobody logs in as them.
  ASSERT_NE(c->FindRole("pg_read_all_stats"), nullptr);
  EXPECT_EQ(c->FindRole("pg_read_all_stats")->oid, kPgReadAllStatsOid);
  EXPECT_FALSE(c->FindRole("pg_monitor")->login);
  EXPECT_TRUE(c->IsMemberOf(kPgMonitorOid, kPgReadAllStatsOid));
  EXPECT_FALSE(c->IsMemberOf(kPgReadAllStatsOid, kPgMonitorOid));
  // A second start keeps what is there (and ignores the name).
  ASSERT_TRUE(InitStorage(dir.path(), "other").ok());
  EXPECT_EQ(LoadGlobalCatalog(dir.path())->FindRole("other"), nullptr);
}

// Scenario: a change is written atomically; a failing change writes nothing.
TEST(GlobalCatalogTest, ChangeCommitsOrNot) {
  TempDir dir;
  ASSERT_TRUE(InitStorage(dir.path(), "boss").ok());
  ASSERT_TRUE(ChangeGlobalCatalog(dir.path(), [](GlobalCatalog& c) -> Status {
                c.roles.push_back({c.next_oid++, "alice", false, true, false, ""});
                return OkStatus();
              }).ok());
  Status failed = ChangeGlobalCatalog(dir.path(), [](GlobalCatalog& c) -> Status {
    c.roles.clear();
    return MakeError("42501", "no");
  });
  EXPECT_FALSE(failed.ok());
  auto c = LoadGlobalCatalog(dir.path());
  ASSERT_TRUE(c.ok());
  EXPECT_NE(c->FindRole("alice"), nullptr);
  EXPECT_NE(c->FindRole("boss"), nullptr) << "the failed change left the catalog alone";
}

// Scenario: while a session holds its database, DROP DATABASE's exclusive try fails; after, it
// succeeds.
TEST(GlobalCatalogTest, DatabaseLock) {
  TempDir dir;
  ASSERT_TRUE(InitStorage(dir.path(), "boss").ok());
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

// Scenario: a version 2 file (before memberships) reads with the
// predefined roles added and pg_monitor's memberships.
TEST(GlobalCatalogTest, Version2FileGetsPredefinedRoles) {
  GlobalCatalog c;
  c.roles = {{10, "boss", true, true, true, ""}};
  std::string v3 = EncodeGlobalCatalog(c);
  // The same file as version 2 wrote it: no membership count, version 2.
  std::string v2 = v3.substr(0, v3.size() - 8);
  v2[8] = 2;
  std::string crc;
  PutU32(crc, Crc32(v2));
  v2 += crc;
  auto d = DecodeGlobalCatalog(v2);
  ASSERT_TRUE(d.ok()) << d.error().message;
  ASSERT_NE(d->FindRole("pg_read_all_stats"), nullptr);
  EXPECT_EQ(d->memberships.size(), 3u);
  EXPECT_TRUE(d->HasPrivsOfRole(kPgMonitorOid, kPgReadAllStatsOid));
}

}  // namespace
}  // namespace minipg::storage
