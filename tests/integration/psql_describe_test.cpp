/*
 * psql_describe_test.cpp
 *   Real psql 15's \d family, unmodified, against minipg: each meta-command
 *   must print what it printed against PostgreSQL 15 for the same objects
 *   (tests/integration/data/psql15_queries/ and psql15_describe/, NAME.out).
 *
 *   Outputs are compared after one normalization, when the tests do not run
 *   as an OS user named postgres: minipg's bootstrap superuser is that OS
 *   user (root in CI), so its name is read as "postgres" and the columns'
 *   padding is ignored (cells are compared trimmed, border lines dropped).
 *   As the OS user postgres, the comparison is byte for byte.
 */
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "tests/integration/server_harness.h"

namespace minipg::testing {
namespace {

// ---- Waiting for other helpers' branches -----------------------------------------
// psql15_queries/setup.sql needs serial and sequences (seqview), REFERENCES (fk) and
// CREATE VIEW (seqview). Until they are merged, setup.sql is run but its statements may
// fail, and the meta-commands over its objects are not checked. After merging, the
// coordinator sets kQueriesSetupReady and moves the entries of kWaitingMetaCommands
// into kQueriesMetaCommands.
constexpr bool kQueriesSetupReady = true;
struct MetaCommand {
  const char* command;   // as typed in psql
  const char* expected;  // NAME.out in the data folder
};
[[maybe_unused]] constexpr MetaCommand kWaitingMetaCommands[] = {
    {"\\dt", "dt.out"},
    {"\\di", "di.out"},
    {"\\d", "d.out"},
    {"\\ds", "ds.out"},
    {"\\dv", "dv.out"},
    {"\\d customers", "d_customers.out"},
    {"\\d orders", "d_orders.out"},
    {"\\d+ orders", "dplus_orders.out"},
    {"\\d customers_pkey", "d_customers_pkey.out"},
    {"\\d ticket_seq", "d_ticket_seq.out"},
    {"\\d big_orders", "d_big_orders.out"},
};
// ---- end of the waiting list --------------------------------------------------------

// The meta-commands of psql15_queries/ whose output does not depend on setup.sql
// (\l is checked apart: minipg has no template0 and its locale is C, see
// docs/architecture.md "Simplifications").
constexpr MetaCommand kQueriesMetaCommands[] = {
    {"\\dn", "dn.out"},
    {"\\du", "du.out"},
    {"\\df", "df.out"},
};

// psql15_describe/: a table with indexes and constraints minipg has today.
constexpr MetaCommand kDescribeMetaCommands[] = {
    {"\\d items", "d_items.out"},
    {"\\d items_pkey", "d_items_pkey.out"},
    {"\\d items_lower_code", "d_items_lower_code.out"},
    {"\\dt", "dt.out"},
    {"\\di", "di.out"},
    {"\\d", "d.out"},
    {"\\dp", "dp.out"},
};

bool HavePsql() { return RunCommand("command -v psql >/dev/null 2>&1").status == 0; }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/* The text with `user` read as postgres and table padding ignored (see the
 * file's header); unchanged when the user is postgres. */
std::string Normalize(const std::string& text, const std::string& user) {
  if (user == "postgres") return text;
  const std::regex name("\\b" + user + "\\b");
  const std::regex spaces(" +");
  std::stringstream in(text);
  std::string out;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.find_first_not_of("-+") == std::string::npos) continue;  // a border
    line = std::regex_replace(line, name, "postgres");
    line = std::regex_replace(line, spaces, " ");
    while (!line.empty() && line.front() == ' ') line.erase(line.begin());
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

class PsqlDescribeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HavePsql()) GTEST_SKIP() << "psql is not installed (scripts/install-deps.sh installs it)";
    ASSERT_TRUE(server_.Start());
  }
  /* Runs a file with psql; its output and errors. */
  CommandResult RunFile(const std::string& path) {
    return RunCommand(server_.PsqlCommand() + " -v ON_ERROR_STOP=0 -f " + path + " 2>&1");
  }
  /* Checks one meta-command's output against `folder`/expected. */
  void Check(const std::string& folder, const MetaCommand& m) {
    auto r = RunCommand(server_.PsqlCommand() + " -c '" + m.command + "' 2>&1");
    std::string expected = ReadFile(folder + "/" + m.expected);
    ASSERT_FALSE(expected.empty()) << folder << "/" << m.expected;
    EXPECT_EQ(r.status, 0) << m.command << ": " << r.out;
    EXPECT_EQ(Normalize(r.out, Superuser()), Normalize(expected, Superuser())) << "psql " << m.command;
  }
  Server server_;
};

// Scenario: the catalog meta-commands over what every database has (\l, \dn, \du, \df)
// print what psql 15 printed against PostgreSQL 15; setup.sql's objects are described
// too once the helpers it waits for are merged (the list above).
TEST_F(PsqlDescribeTest, CapturedMetaCommandsPrintLikePostgres) {
  const std::string folder = SourceDir() + "/tests/integration/data/psql15_queries";
  auto setup = RunFile(folder + "/setup.sql");
  if (kQueriesSetupReady) {
    EXPECT_EQ(setup.out.find("ERROR"), std::string::npos) << setup.out;
  }
  for (const MetaCommand& m : kQueriesMetaCommands) Check(folder, m);
  // \l: datacl is an aclitem[] that array_to_string prints one item a line.
  auto l = RunCommand(server_.PsqlCommand() + " -c '\\l' 2>&1");
  EXPECT_EQ(l.status, 0) << l.out;
  std::string normalized = Normalize(l.out, Superuser());
  EXPECT_NE(normalized.find("=c/postgres"), std::string::npos) << l.out;
  EXPECT_NE(normalized.find("postgres=CTc/postgres"), std::string::npos) << l.out;
  if (kQueriesSetupReady) {
    for (const MetaCommand& m : kWaitingMetaCommands) Check(folder, m);
  }
}

// Scenario: a table with a primary key, UNIQUE, NOT NULL, DEFAULT, CHECK and more
// indexes: \d of it and of its indexes, \dt, \di, \d and \dp print PostgreSQL 15's text.
TEST_F(PsqlDescribeTest, TableWithIndexesAndConstraintsPrintsLikePostgres) {
  const std::string folder = SourceDir() + "/tests/integration/data/psql15_describe";
  auto setup = RunFile(folder + "/setup.sql");
  ASSERT_EQ(setup.status, 0) << setup.out;
  ASSERT_EQ(setup.out.find("ERROR"), std::string::npos) << setup.out;
  for (const MetaCommand& m : kDescribeMetaCommands) Check(folder, m);
}

// Scenario: pgbench 15's first catalog query (array_position over current_schemas,
// pg_partitioned_table, pg_inherits) answers as PostgreSQL 15 does for a plain table.
TEST_F(PsqlDescribeTest, PgbenchCatalogQueryAnswers) {
  auto r = RunCommand(server_.PsqlCommand() +
                      " -At -c 'create table pgbench_accounts (aid int)' -c \"select o.n, p.partstrat, "
                      "pg_catalog.count(i.inhparent) from pg_catalog.pg_class as c join pg_catalog.pg_namespace as "
                      "n on (n.oid = c.relnamespace) cross join lateral (select "
                      "pg_catalog.array_position(pg_catalog.current_schemas(true), n.nspname)) as o(n) left join "
                      "pg_catalog.pg_partitioned_table as p on (p.partrelid = c.oid) left join "
                      "pg_catalog.pg_inherits as i on (c.oid = i.inhparent) where c.relname = 'pgbench_accounts' "
                      "and o.n is not null group by 1, 2 order by 1 asc limit 1\" 2>&1");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(r.out, "2||0\n");
}

}  // namespace
}  // namespace minipg::testing
