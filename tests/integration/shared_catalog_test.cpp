/*
 * shared_catalog_test.cpp
 *   pg_database, pg_authid and pg_auth_members as heap relations, through a
 *   real server, with the results PostgreSQL 15 gives: the roles and
 *   databases of a new cluster, role DDL undone by ROLLBACK, CREATE / DROP
 *   DATABASE refused in a transaction block, a password changed by one
 *   backend seen by the next login and by a backend already connected,
 *   roles surviving a crash (redo), and the OID counter in
 *   pg_control_checkpoint() after CREATE ROLE and CHECKPOINT.
 */
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/server_harness.h"

namespace minipg::testing {
namespace {

/* Every row of the last statement, columns joined by '|'. */
std::vector<std::string> Rows(client::Connection& c, const std::string& sql) {
  std::vector<std::string> out;
  auto r = c.Query(sql);
  EXPECT_TRUE(r.ok() && r->ok()) << sql << ": " << (r.ok() && r->error ? r->error->message : "");
  if (!r.ok() || !r->ok()) return out;
  for (const auto& row : r->statements.back().rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) line += (i ? "|" : "") + row[i].value_or("");
    out.push_back(line);
  }
  return out;
}

void Exec(client::Connection& c, const std::string& sql) {
  auto r = c.Query(sql);
  ASSERT_TRUE(r.ok()) << sql << ": " << r.error().message;
  ASSERT_TRUE(r->ok()) << sql << ": " << r->error->message;
}

class SharedCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.Start());
    auto c = server_.ConnectWhenReady();
    ASSERT_TRUE(c.ok());
    admin_ = std::move(*c);
  }
  Server server_;
  std::unique_ptr<client::Connection> admin_;
};

// Scenario (PostgreSQL 15's initdb): the bootstrap superuser is OID 10,
// the twelve predefined roles have PostgreSQL's OIDs, pg_monitor is in
// three of them; template1 is 1 and postgres 5; pg_roles hides passwords.
TEST_F(SharedCatalogTest, NewClusterRows) {
  std::vector<std::string> roles = Rows(*admin_, "SELECT oid, rolname FROM pg_authid ORDER BY oid");
  ASSERT_EQ(roles.size(), 13u);
  EXPECT_EQ(roles[0], "10|" + Superuser());
  std::vector<std::string> predefined(roles.begin() + 1, roles.end());
  EXPECT_EQ(predefined, (std::vector<std::string>{
                            "3373|pg_monitor", "3374|pg_read_all_settings", "3375|pg_read_all_stats",
                            "3377|pg_stat_scan_tables", "4200|pg_signal_backend", "4544|pg_checkpoint",
                            "4569|pg_read_server_files", "4570|pg_write_server_files",
                            "4571|pg_execute_server_program", "6171|pg_database_owner",
                            "6181|pg_read_all_data", "6182|pg_write_all_data"}));
  EXPECT_EQ(Rows(*admin_, "SELECT * FROM pg_auth_members ORDER BY roleid"),
            (std::vector<std::string>{"3374|3373|10|f", "3375|3373|10|f", "3377|3373|10|f"}));
  EXPECT_EQ(Rows(*admin_, "SELECT oid, datname, datdba, encoding, datistemplate, datallowconn FROM pg_database "
                          "ORDER BY oid"),
            (std::vector<std::string>{"1|template1|10|6|t|t", "5|postgres|10|6|f|t"}));
  EXPECT_EQ(Rows(*admin_, "SELECT rolsuper, rolcreaterole, rolreplication, rolbypassrls, rolpassword FROM pg_roles "
                          "WHERE oid = 10"),
            (std::vector<std::string>{"t|t|t|t|********"}));
}

// Scenario: CREATE ROLE and GRANT inside a block that rolls back leave no
// row; the same committed stay, with an OID from 16384 on; CREATE and DROP
// DATABASE are refused in a block (25001) and the block fails.
TEST_F(SharedCatalogTest, RoleDdlIsTransactional) {
  Exec(*admin_, "BEGIN");
  Exec(*admin_, "CREATE ROLE temp LOGIN");
  Exec(*admin_, "GRANT pg_monitor TO temp");
  EXPECT_EQ(Rows(*admin_, "SELECT roleid FROM pg_auth_members").size(), 4u);
  EXPECT_EQ(Rows(*admin_, "SELECT rolname FROM pg_roles WHERE rolname = 'temp'").size(), 1u) << "its own change";
  Exec(*admin_, "ROLLBACK");
  EXPECT_TRUE(Rows(*admin_, "SELECT rolname FROM pg_roles WHERE rolname = 'temp'").empty());
  EXPECT_EQ(Rows(*admin_, "SELECT roleid FROM pg_auth_members").size(), 3u);

  Exec(*admin_, "CREATE ROLE kept");
  std::vector<std::string> oid = Rows(*admin_, "SELECT oid FROM pg_authid WHERE rolname = 'kept'");
  ASSERT_EQ(oid.size(), 1u);
  EXPECT_GE(std::stoul(oid[0]), 16384u);

  Exec(*admin_, "BEGIN");
  auto r = admin_->Query("CREATE DATABASE inblock");
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->ok());
  EXPECT_EQ(r->error->sqlstate, "25001");
  EXPECT_EQ(r->error->message, "CREATE DATABASE cannot run inside a transaction block");
  Exec(*admin_, "ROLLBACK");
  Exec(*admin_, "BEGIN");
  r = admin_->Query("DROP DATABASE postgres");
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->ok());
  EXPECT_EQ(r->error->message, "DROP DATABASE cannot run inside a transaction block");
  Exec(*admin_, "ROLLBACK");
  EXPECT_EQ(Rows(*admin_, "SELECT datname FROM pg_database WHERE datname = 'inblock'").size(), 0u);
}

// Scenario: bob logs in over TCP with scram-sha-256; a backend connected
// before the change reads pg_authid anew at its next statement; after
// ALTER ROLE bob PASSWORD, the old password fails (28P01) and the new one
// connects.
TEST_F(SharedCatalogTest, PasswordChangeSeenByNextLogin) {
  Exec(*admin_, "CREATE ROLE bob LOGIN PASSWORD 'one'");
  auto other = server_.ConnectWhenReady();
  ASSERT_TRUE(other.ok());
  std::string before = Rows(**other, "SELECT rolpassword FROM pg_authid WHERE rolname = 'bob'").at(0);
  std::ofstream(server_.data_dir() / "pg_hba.conf") << "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n";
  kill(server_.pid(), SIGHUP);
  auto login = [&](const std::string& password) {
    auto o = server_.Options(false);
    o.user = "bob";
    o.password = password;
    o.database = "postgres";
    return client::Connection::Connect(o);
  };
  bool reloaded = false;
  for (int i = 0; i < 500 && !reloaded; ++i) {  // the reload is asynchronous
    auto c = login("wrong");
    reloaded = !c.ok() && c.error().message.find("password authentication failed") != std::string::npos;
    if (!reloaded) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(reloaded);
  ASSERT_TRUE(login("one").ok());

  Exec(*admin_, "ALTER ROLE bob PASSWORD 'two'");
  std::string after = Rows(**other, "SELECT rolpassword FROM pg_authid WHERE rolname = 'bob'").at(0);
  EXPECT_NE(after, before) << "the other backend's cache was invalidated";
  EXPECT_EQ(after.rfind("SCRAM-SHA-256$", 0), 0u);
  auto old_password = login("one");
  ASSERT_FALSE(old_password.ok());
  EXPECT_NE(old_password.error().message.find("password authentication failed for user \"bob\""), std::string::npos);
  EXPECT_TRUE(login("two").ok());
}

// Scenario: a role and a database created, then the server killed (-9):
// after redo both are there; pg_control_checkpoint().next_oid after the
// end-of-recovery checkpoint and another CHECKPOINT is past their OIDs
// (24576, as PostgreSQL 15 says after its first OIDs and a CHECKPOINT).
TEST_F(SharedCatalogTest, RolesSurviveCrashAndOidsAdvance) {
  EXPECT_EQ(Rows(*admin_, "SELECT next_oid FROM pg_control_checkpoint()"), (std::vector<std::string>{"16384"}));
  Exec(*admin_, "CREATE ROLE survivor LOGIN");
  Exec(*admin_, "CREATE DATABASE kept");
  Exec(*admin_, "CHECKPOINT");
  EXPECT_EQ(Rows(*admin_, "SELECT next_oid FROM pg_control_checkpoint()"), (std::vector<std::string>{"24576"}));
  Exec(*admin_, "CREATE ROLE after_checkpoint");
  admin_.reset();
  kill(server_.pid(), SIGKILL);
  server_.Stop();
  ASSERT_TRUE(server_.Start());
  auto c = server_.ConnectWhenReady(30000);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(Rows(**c, "SELECT rolname FROM pg_authid WHERE oid >= 16384 ORDER BY oid"),
            (std::vector<std::string>{"survivor", "after_checkpoint"}));
  EXPECT_EQ(Rows(**c, "SELECT datname FROM pg_database WHERE oid >= 16384"), (std::vector<std::string>{"kept"}));
  Exec(**c, "CREATE ROLE newer");
  std::vector<std::string> oids = Rows(**c, "SELECT oid FROM pg_authid WHERE oid >= 16384 ORDER BY oid");
  ASSERT_EQ(oids.size(), 3u);
  EXPECT_LT(std::stoul(oids[1]), std::stoul(oids[2])) << "no OID handed out twice after redo";
  Exec(**c, "CHECKPOINT");
  EXPECT_EQ(Rows(**c, "SELECT next_oid FROM pg_control_checkpoint()"), (std::vector<std::string>{"32768"}));
}

}  // namespace
}  // namespace minipg::testing
