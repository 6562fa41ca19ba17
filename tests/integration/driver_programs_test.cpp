/*-------------------------------------------------------------------------
 * driver_programs_test.cpp
 *   Programs written the way drivers' users write them, each run against
 *   a real minipg: a libpq program, a psycopg2 program and a node-postgres
 *   program (tests/clients/), each with a join, aggregates, parameters,
 *   a transaction rolled back and one committed, and errors. What each
 *   prints must be what it printed against PostgreSQL 15 (NAME.out there).
 *   scripts/install-deps.sh installs python3-psycopg2 and node-pg.
 *-------------------------------------------------------------------------
 */
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "tests/integration/pq_server.h"

namespace minipg::testing {
namespace {

std::string Expected(const std::string& name) {
  std::ifstream in(SourceDir() + "/tests/clients/" + name + ".out");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class DriverProgramsTest : public SharedServerSuite {
 protected:

  /* The program's output (stdout and stderr) and its exit status. */
  static CommandResult RunProgram(const std::string& command_line) { return RunCommand(command_line + " 2>&1"); }

  /* The connection string as one shell word. */
  static std::string Conninfo() { return "'" + minipg::testing::Conninfo(*server_) + "'"; }
};


TEST_F(DriverProgramsTest, LibpqProgramPrintsWhatItPrintsAgainstPostgres) {
  CommandResult r = RunProgram(BinDir() + "/../tests/libpq_program " + Conninfo());
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(r.out, Expected("libpq_program"));
}

TEST_F(DriverProgramsTest, Psycopg2ProgramPrintsWhatItPrintsAgainstPostgres) {
  // Debian's python3 (python3-psycopg2 is installed for it), not another on PATH.
  CommandResult r = RunProgram("/usr/bin/python3 " + SourceDir() + "/tests/clients/psycopg2_program.py " + Conninfo());
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(r.out, Expected("psycopg2_program"));
}

TEST_F(DriverProgramsTest, NodePostgresProgramPrintsWhatItPrintsAgainstPostgres) {
  // Debian's node-pg, installed or unpacked by scripts/install-deps.sh.
  std::string url = "'postgresql://" + Superuser() + "@localhost:" + std::to_string(server_->port()) +
                    "/postgres?host=" + server_->socket_dir() + "'";
  CommandResult r = RunProgram("NODE_PATH=/usr/share/nodejs:/opt/minipg/node-pg/usr/share/nodejs node " + SourceDir() +
                               "/tests/clients/node_pg_program.js " + url);
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(r.out, Expected("node_pg_program"));
}

}  // namespace
}  // namespace minipg::testing
