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

}  // namespace
}  // namespace minipg::storage
