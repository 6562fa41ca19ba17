/*-------------------------------------------------------------------------
 * settings_test.cpp
 *   Settings side by side with PostgreSQL 15: real psql runs one script
 *   (SHOW of the storage settings, SET with good and bad values and units,
 *   SET of postmaster, sighup and internal settings, pg_settings,
 *   current_setting() and set_config()) and must print, byte for byte, what
 *   it printed against PostgreSQL 15 (kExpected below was captured with
 *   /work/shared/tools/side-by-side from PostgreSQL 15.18). Then the
 *   server's own sources: -c values, their source in pg_settings, and a
 *   setting -c may not change.
 *-------------------------------------------------------------------------
 */
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "tests/integration/server_harness.h"

namespace minipg::testing {
namespace {

bool HavePsql() { return RunCommand("command -v psql >/dev/null 2>&1").status == 0; }

constexpr const char* kScript = R"pg(SHOW shared_buffers;
SHOW wal_buffers;
SHOW block_size;
SHOW wal_segment_size;
SHOW synchronous_commit;
SHOW checkpoint_timeout;
SHOW max_wal_size;
SHOW wal_writer_flush_after;
SELECT name, setting, unit, context, vartype, min_val, max_val, boot_val FROM pg_settings WHERE name = 'shared_buffers' OR name = 'wal_buffers' OR name = 'block_size' OR name = 'wal_block_size' OR name = 'wal_segment_size' OR name = 'fsync' OR name = 'synchronous_commit' OR name = 'full_page_writes' OR name = 'wal_level' OR name = 'checkpoint_completion_target' OR name = 'max_wal_size' OR name = 'min_wal_size' OR name = 'bgwriter_delay' OR name = 'bgwriter_lru_maxpages' OR name = 'bgwriter_lru_multiplier' OR name = 'wal_writer_delay' OR name = 'wal_writer_flush_after' OR name = 'log_checkpoints' OR name = 'track_io_timing' OR name = 'statement_timeout' OR name = 'max_stack_depth' ORDER BY name;
SELECT name, enumvals FROM pg_settings WHERE vartype = 'enum' AND (name = 'synchronous_commit' OR name = 'wal_level' OR name = 'default_transaction_isolation') ORDER BY name;
SET synchronous_commit = local;
SHOW synchronous_commit;
SET synchronous_commit = 'ON';
SHOW synchronous_commit;
SET synchronous_commit = bogus;
SET track_io_timing = 'yes';
SHOW track_io_timing;
SET track_io_timing = maybe;
SET statement_timeout = '10 s';
SHOW statement_timeout;
SET statement_timeout = '1.5s';
SELECT current_setting('statement_timeout');
SELECT setting, unit, source FROM pg_settings WHERE name = 'statement_timeout';
SET statement_timeout = '1 fortnight';
SET statement_timeout = '-1';
SET statement_timeout = '30d';
RESET statement_timeout;
SHOW statement_timeout;
SET max_stack_depth = '2mb';
SET shared_buffers = '1MB';
SET wal_buffers = 10;
SET block_size = 4096;
SET data_checksums = off;
SET fsync = off;
SET checkpoint_completion_target = 0.5;
SET wal_level = minimal;
RESET shared_buffers;
SELECT current_setting('shared_buffers'), current_setting('wal_buffers'), current_setting('block_size');
SELECT current_setting('no_such_setting', true) IS NULL AS missing;
SELECT current_setting('no_such_setting');
SELECT set_config('statement_timeout', '2s', false);
SHOW statement_timeout;
SELECT set_config('shared_buffers', '2MB', false);
RESET ALL;
SHOW statement_timeout;
)pg";

constexpr const char* kExpected = R"pg(SHOW shared_buffers;
 shared_buffers 
----------------
 128MB
(1 row)

SHOW wal_buffers;
 wal_buffers 
-------------
 4MB
(1 row)

SHOW block_size;
 block_size 
------------
 8192
(1 row)

SHOW wal_segment_size;
 wal_segment_size 
------------------
 16MB
(1 row)

SHOW synchronous_commit;
 synchronous_commit 
--------------------
 on
(1 row)

SHOW checkpoint_timeout;
 checkpoint_timeout 
--------------------
 5min
(1 row)

SHOW max_wal_size;
 max_wal_size 
--------------
 1GB
(1 row)

SHOW wal_writer_flush_after;
 wal_writer_flush_after 
------------------------
 1MB
(1 row)

SELECT name, setting, unit, context, vartype, min_val, max_val, boot_val FROM pg_settings WHERE name = 'shared_buffers' OR name = 'wal_buffers' OR name = 'block_size' OR name = 'wal_block_size' OR name = 'wal_segment_size' OR name = 'fsync' OR name = 'synchronous_commit' OR name = 'full_page_writes' OR name = 'wal_level' OR name = 'checkpoint_completion_target' OR name = 'max_wal_size' OR name = 'min_wal_size' OR name = 'bgwriter_delay' OR name = 'bgwriter_lru_maxpages' OR name = 'bgwriter_lru_multiplier' OR name = 'wal_writer_delay' OR name = 'wal_writer_flush_after' OR name = 'log_checkpoints' OR name = 'track_io_timing' OR name = 'statement_timeout' OR name = 'max_stack_depth' ORDER BY name;
             name             | setting  | unit |  context   | vartype | min_val |  max_val   | boot_val 
------------------------------+----------+------+------------+---------+---------+------------+----------
 bgwriter_delay               | 200      | ms   | sighup     | integer | 10      | 10000      | 200
 bgwriter_lru_maxpages        | 100      |      | sighup     | integer | 0       | 1073741823 | 100
 bgwriter_lru_multiplier      | 2        |      | sighup     | real    | 0       | 10         | 2
 block_size                   | 8192     |      | internal   | integer | 8192    | 8192       | 8192
 checkpoint_completion_target | 0.9      |      | sighup     | real    | 0       | 1          | 0.9
 fsync                        | on       |      | sighup     | bool    |         |            | on
 full_page_writes             | on       |      | sighup     | bool    |         |            | on
 log_checkpoints              | on       |      | sighup     | bool    |         |            | on
 max_stack_depth              | 2048     | kB   | superuser  | integer | 100     | 2147483647 | 100
 max_wal_size                 | 1024     | MB   | sighup     | integer | 2       | 2147483647 | 1024
 min_wal_size                 | 80       | MB   | sighup     | integer | 2       | 2147483647 | 80
 shared_buffers               | 16384    | 8kB  | postmaster | integer | 16      | 1073741823 | 16384
 statement_timeout            | 0        | ms   | user       | integer | 0       | 2147483647 | 0
 synchronous_commit           | on       |      | user       | enum    |         |            | on
 track_io_timing              | off      |      | superuser  | bool    |         |            | off
 wal_block_size               | 8192     |      | internal   | integer | 8192    | 8192       | 8192
 wal_buffers                  | 512      | 8kB  | postmaster | integer | -1      | 262143     | -1
 wal_level                    | replica  |      | postmaster | enum    |         |            | replica
 wal_segment_size             | 16777216 | B    | internal   | integer | 1048576 | 1073741824 | 16777216
 wal_writer_delay             | 200      | ms   | sighup     | integer | 1       | 10000      | 200
 wal_writer_flush_after       | 128      | 8kB  | sighup     | integer | 0       | 2147483647 | 128
(21 rows)

SELECT name, enumvals FROM pg_settings WHERE vartype = 'enum' AND (name = 'synchronous_commit' OR name = 'wal_level' OR name = 'default_transaction_isolation') ORDER BY name;
             name              |                               enumvals                               
-------------------------------+----------------------------------------------------------------------
 default_transaction_isolation | {serializable,"repeatable read","read committed","read uncommitted"}
 synchronous_commit            | {local,remote_write,remote_apply,on,off}
 wal_level                     | {minimal,replica,logical}
(3 rows)

SET synchronous_commit = local;
SET
SHOW synchronous_commit;
 synchronous_commit 
--------------------
 local
(1 row)

SET synchronous_commit = 'ON';
SET
SHOW synchronous_commit;
 synchronous_commit 
--------------------
 on
(1 row)

SET synchronous_commit = bogus;
psql:settings.sql:15: ERROR:  invalid value for parameter "synchronous_commit": "bogus"
HINT:  Available values: local, remote_write, remote_apply, on, off.
SET track_io_timing = 'yes';
SET
SHOW track_io_timing;
 track_io_timing 
-----------------
 on
(1 row)

SET track_io_timing = maybe;
psql:settings.sql:18: ERROR:  parameter "track_io_timing" requires a Boolean value
SET statement_timeout = '10 s';
SET
SHOW statement_timeout;
 statement_timeout 
-------------------
 10s
(1 row)

SET statement_timeout = '1.5s';
SET
SELECT current_setting('statement_timeout');
 current_setting 
-----------------
 1500ms
(1 row)

SELECT setting, unit, source FROM pg_settings WHERE name = 'statement_timeout';
 setting | unit | source  
---------+------+---------
 1500    | ms   | session
(1 row)

SET statement_timeout = '1 fortnight';
psql:settings.sql:24: ERROR:  invalid value for parameter "statement_timeout": "1 fortnight"
HINT:  Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".
SET statement_timeout = '-1';
psql:settings.sql:25: ERROR:  -1 ms is outside the valid range for parameter "statement_timeout" (0 .. 2147483647)
SET statement_timeout = '30d';
psql:settings.sql:26: ERROR:  invalid value for parameter "statement_timeout": "30d"
HINT:  Value exceeds integer range.
RESET statement_timeout;
RESET
SHOW statement_timeout;
 statement_timeout 
-------------------
 0
(1 row)

SET max_stack_depth = '2mb';
psql:settings.sql:29: ERROR:  invalid value for parameter "max_stack_depth": "2mb"
HINT:  Valid units for this parameter are "B", "kB", "MB", "GB", and "TB".
SET shared_buffers = '1MB';
psql:settings.sql:30: ERROR:  parameter "shared_buffers" cannot be changed without restarting the server
SET wal_buffers = 10;
psql:settings.sql:31: ERROR:  parameter "wal_buffers" cannot be changed without restarting the server
SET block_size = 4096;
psql:settings.sql:32: ERROR:  parameter "block_size" cannot be changed
SET data_checksums = off;
psql:settings.sql:33: ERROR:  parameter "data_checksums" cannot be changed
SET fsync = off;
psql:settings.sql:34: ERROR:  parameter "fsync" cannot be changed now
SET checkpoint_completion_target = 0.5;
psql:settings.sql:35: ERROR:  parameter "checkpoint_completion_target" cannot be changed now
SET wal_level = minimal;
psql:settings.sql:36: ERROR:  parameter "wal_level" cannot be changed without restarting the server
RESET shared_buffers;
psql:settings.sql:37: ERROR:  parameter "shared_buffers" cannot be changed without restarting the server
SELECT current_setting('shared_buffers'), current_setting('wal_buffers'), current_setting('block_size');
 current_setting | current_setting | current_setting 
-----------------+-----------------+-----------------
 128MB           | 4MB             | 8192
(1 row)

SELECT current_setting('no_such_setting', true) IS NULL AS missing;
 missing 
---------
 t
(1 row)

SELECT current_setting('no_such_setting');
psql:settings.sql:40: ERROR:  unrecognized configuration parameter "no_such_setting"
SELECT set_config('statement_timeout', '2s', false);
 set_config 
------------
 2s
(1 row)

SHOW statement_timeout;
 statement_timeout 
-------------------
 2s
(1 row)

SELECT set_config('shared_buffers', '2MB', false);
psql:settings.sql:43: ERROR:  parameter "shared_buffers" cannot be changed without restarting the server
RESET ALL;
RESET
SHOW statement_timeout;
 statement_timeout 
-------------------
 0
(1 row)

)pg";

// Scenario: psql prints the same for the settings script against minipg as
// against PostgreSQL 15 (minipg's two differences, data_checksums on and
// checkpoint_timeout's minimum of 1s, are left out of the script and
// checked in tests/engine/common/guc_test.cpp).
TEST(SettingsTest, PsqlPrintsWhatPostgresPrints) {
  if (!HavePsql()) GTEST_SKIP() << "psql is not installed (scripts/install-deps.sh installs it)";
  Server server;
  ASSERT_TRUE(server.Start());
  std::ofstream(server.data_dir() / "settings.sql") << kScript;
  // Run from the data directory, so psql names the script "settings.sql"
  // in its error lines, as it did against PostgreSQL.
  auto r = RunCommand("cd " + server.data_dir().string() + " && psql -X -a -v VERBOSITY=default -h 127.0.0.1 -p " +
                      std::to_string(server.port()) + " -U " + Superuser() + " -d postgres -f settings.sql 2>&1");
  EXPECT_EQ(r.out, kExpected);
}

// Scenario: -c values are the server's (source "command line"); wal_buffers
// follows a smaller shared_buffers; a session's SET is "session" and RESET
// returns to the server's value; changed reported settings are sent to
// the client.
TEST(SettingsTest, CommandLineValuesAndSources) {
  Server server({"shared_buffers=1MB", "bgwriter_delay=50ms", "synchronous_commit=off"});
  ASSERT_TRUE(server.Start());
  auto c = server.Connect();
  ASSERT_TRUE(c.ok()) << c.error().message;
  auto query = [&](std::string_view sql) {
    std::vector<std::string> out;
    auto r = (*c)->Query(sql);
    EXPECT_TRUE(r.ok() && r->ok()) << sql;
    if (!r.ok() || !r->ok() || r->statements.empty()) return out;
    for (const auto& row : r->statements.back().rows) {
      std::string line;
      for (const auto& v : row) line += (line.empty() ? "" : " ") + v.value_or("NULL");
      out.push_back(line);
    }
    return out;
  };
  EXPECT_EQ(query("SELECT name, setting, source FROM pg_settings WHERE name = 'shared_buffers' OR "
                  "name = 'wal_buffers' OR name = 'bgwriter_delay' OR name = 'synchronous_commit' ORDER BY name"),
            (std::vector<std::string>{"bgwriter_delay 50 command line", "shared_buffers 128 command line",
                                      "synchronous_commit off command line",
                                      "wal_buffers 8 default"}));  // 1/32 of 128 pages, at least 64kB
  query("SET synchronous_commit = local");
  EXPECT_EQ(query("SELECT source, reset_val FROM pg_settings WHERE name = 'synchronous_commit'"),
            (std::vector<std::string>{"session off"}));
  query("RESET synchronous_commit");
  EXPECT_EQ(query("SHOW synchronous_commit"), (std::vector<std::string>{"off"}));
  // A reported setting's new value reaches the client (ParameterStatus),
  // from SET and from set_config() alike.
  EXPECT_EQ((*c)->parameters().at("is_superuser"), "on");
  query("SET application_name = 'guc'");
  EXPECT_EQ((*c)->parameters().at("application_name"), "guc");
  query("SELECT set_config('DateStyle', 'SQL, DMY', false)");
  EXPECT_EQ((*c)->parameters().at("DateStyle"), "SQL, DMY");
}

// Scenario: a SIGHUP re-reads minipg.conf in the postmaster, which logs
// what changed, and in an existing session, which sees the new value when
// it is next idle; a changed postmaster setting waits for a restart.
TEST(SettingsTest, SighupReloadsTheConfigFile) {
  Server server;
  ASSERT_TRUE(server.Start());
  auto c = server.Connect();
  ASSERT_TRUE(c.ok()) << c.error().message;
  auto scalar = [&](std::string_view sql) {
    auto r = (*c)->Query(sql);
    return r.ok() && r->ok() ? r->Scalar().value_or("NULL") : std::string("error");
  };
  ASSERT_EQ(scalar("SHOW fsync"), "on");
  std::ofstream(server.data_dir() / "minipg.conf", std::ios::app) << "fsync = off\nshared_buffers = 1MB\n";
  std::string pid_line;
  std::ifstream(server.data_dir() / "postmaster.pid") >> pid_line;
  ASSERT_EQ(kill(std::stoi(pid_line), SIGHUP), 0);
  std::string fsync;
  for (int i = 0; i < 200 && fsync != "off"; ++i) {  // the signal arrives when it arrives: up to 10 s
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    fsync = scalar("SHOW fsync");
  }
  EXPECT_EQ(fsync, "off");
  EXPECT_EQ(scalar("SELECT source FROM pg_settings WHERE name = 'fsync'"), "configuration file");
  EXPECT_EQ(scalar("SHOW shared_buffers"), "128MB");
  EXPECT_EQ(scalar("SELECT pending_restart FROM pg_settings WHERE name = 'shared_buffers'"), "t");
  std::string log = server.Log();
  EXPECT_NE(log.find("received SIGHUP, reloading configuration files"), std::string::npos) << log;
  EXPECT_NE(log.find("parameter \"fsync\" changed to \"off\""), std::string::npos) << log;
  EXPECT_NE(log.find("parameter \"shared_buffers\" cannot be changed without restarting the server"),
            std::string::npos)
      << log;
}

// Scenario: the server refuses to start with a -c value it may not take,
// with PostgreSQL's message.
TEST(SettingsTest, InternalSettingRefusedAtStart) {
  char tmpl[] = "/tmp/minipg_guc_XXXXXX";
  std::string dir = mkdtemp(tmpl);
  auto r = RunCommand(BinDir() + "/minipg -D " + dir + " -c block_size=4096 2>&1");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.out.find("parameter \"block_size\" cannot be changed"), std::string::npos) << r.out;
  r = RunCommand(BinDir() + "/minipg -D " + dir + " -c shared_buffers=1kB 2>&1");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.out.find("0 8kB is outside the valid range for parameter \"shared_buffers\" (16 .. 1073741823)"),
            std::string::npos)
      << r.out;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace minipg::testing
