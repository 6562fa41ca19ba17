/*-------------------------------------------------------------------------
 * guc_test.cpp
 *   The table of settings (engine/common/guc_table.cpp) and the values of
 *   one process (guc.h): every entry is well formed, values with units
 *   parse and print as PostgreSQL 15's do, contexts refuse what PostgreSQL
 *   refuses with its words, and max_stack_depth keeps its platform check.
 *   (SET and SHOW through SQL are in tests/engine/sql/logic/settings.test;
 *   side by side with PostgreSQL in tests/integration/settings_test.cpp.)
 *-------------------------------------------------------------------------
 */
#include "engine/common/guc.h"

#include <sys/resource.h>

#include <gtest/gtest.h>

#include <set>

#include "engine/common/stack_depth.h"

namespace minipg::guc {
namespace {

// Scenario: each entry's boot value is a valid value of its own type,
// within its own range, and passes its own check; names are unique; the
// table is ordered as SHOW ALL lists it; enums name their boot value.
TEST(GucTableTest, EveryEntryIsWellFormed) {
  std::set<std::string> names;
  std::string previous;
  for (const Definition& def : Table()) {
    SCOPED_TRACE(def.name);
    EXPECT_TRUE(names.insert(FoldCase(def.name)).second) << "duplicate";
    EXPECT_LT(previous, FoldCase(def.name)) << "out of order";
    previous = FoldCase(def.name);
    auto boot = ParseValue(def, def.name, def.boot);
    ASSERT_TRUE(boot.ok()) << boot.error().message;
    EXPECT_NE(std::string(def.category), "");
    EXPECT_NE(std::string(def.short_desc), "");
    if (def.type == VarType::kInteger || def.type == VarType::kReal) {
      EXPECT_LE(def.min, def.max);
      double v = std::stod(*boot);
      EXPECT_GE(v, def.min);
      EXPECT_LE(v, def.max);
    } else {
      EXPECT_EQ(def.unit, Unit::kNone) << "only numbers have units";
    }
    if (def.type == VarType::kEnum) {
      EXPECT_FALSE(def.options.empty());
    } else {
      EXPECT_TRUE(def.options.empty());
    }
    EXPECT_EQ(FindDefinition(FoldCase(def.name)), &def);
  }
  EXPECT_EQ(FindDefinition("no_such_setting"), nullptr);
}

// Scenario: the settings the storage layer reads next have PostgreSQL 15's
// boot values, units and contexts (data_checksums is on in minipg).
TEST(GucTableTest, StorageSettingsAsPostgreSQL) {
  Settings s;
  s.ResolveServerDefaults();
  struct Want {
    const char* name;
    const char* setting;
    const char* shown;
    const char* unit;
    Context context;
  };
  const Want wants[] = {
      {"shared_buffers", "16384", "128MB", "8kB", Context::kPostmaster},
      {"wal_buffers", "512", "4MB", "8kB", Context::kPostmaster},
      {"block_size", "8192", "8192", "", Context::kInternal},
      {"wal_block_size", "8192", "8192", "", Context::kInternal},
      {"wal_segment_size", "16777216", "16MB", "B", Context::kInternal},
      {"data_checksums", "on", "on", "", Context::kInternal},
      {"fsync", "on", "on", "", Context::kSighup},
      {"synchronous_commit", "on", "on", "", Context::kUser},
      {"full_page_writes", "on", "on", "", Context::kSighup},
      {"wal_level", "replica", "replica", "", Context::kPostmaster},
      {"checkpoint_timeout", "300", "5min", "s", Context::kSighup},
      {"checkpoint_completion_target", "0.9", "0.9", "", Context::kSighup},
      {"max_wal_size", "1024", "1GB", "MB", Context::kSighup},
      {"min_wal_size", "80", "80MB", "MB", Context::kSighup},
      {"bgwriter_delay", "200", "200ms", "ms", Context::kSighup},
      {"bgwriter_lru_maxpages", "100", "100", "", Context::kSighup},
      {"bgwriter_lru_multiplier", "2", "2", "", Context::kSighup},
      {"wal_writer_delay", "200", "200ms", "ms", Context::kSighup},
      {"wal_writer_flush_after", "128", "1MB", "8kB", Context::kSighup},
      {"log_checkpoints", "on", "on", "", Context::kSighup},
      {"track_io_timing", "off", "off", "", Context::kSuperuser},
  };
  for (const Want& w : wants) {
    SCOPED_TRACE(w.name);
    const Setting* setting = s.Find(w.name);
    ASSERT_NE(setting, nullptr);
    EXPECT_EQ(setting->value, w.setting);
    EXPECT_EQ(*s.Show(w.name), w.shown);
    EXPECT_STREQ(UnitName(setting->def->unit), w.unit);
    EXPECT_EQ(setting->def->context, w.context);
  }
  EXPECT_EQ(s.Int("shared_buffers"), 16384);
  EXPECT_TRUE(s.Bool("fsync"));
  EXPECT_DOUBLE_EQ(s.Real("checkpoint_completion_target"), 0.9);
  EXPECT_EQ(s.String("wal_level"), "replica");
}

// Scenario: wal_buffers -1 follows shared_buffers (1/32, at least 64kB, at
// most one 16MB segment), as PostgreSQL computes it at start.
TEST(GucTableTest, WalBuffersFollowSharedBuffers) {
  auto wal_buffers_for = [](const char* shared_buffers) {
    Settings s;
    EXPECT_TRUE(s.SetServer("shared_buffers", shared_buffers, Source::kCommandLine).ok());
    s.ResolveServerDefaults();
    EXPECT_EQ(s.Find("wal_buffers")->boot_value, "-1");
    return *s.Show("wal_buffers");
  };
  EXPECT_EQ(wal_buffers_for("128MB"), "4MB");
  EXPECT_EQ(wal_buffers_for("1MB"), "64kB");
  EXPECT_EQ(wal_buffers_for("1GB"), "16MB");
  Settings s;
  ASSERT_TRUE(s.SetServer("wal_buffers", "1", Source::kConfigFile, "/d/minipg.conf", 3).ok());
  s.ResolveServerDefaults();
  EXPECT_EQ(s.Int("wal_buffers"), 4);  // as PostgreSQL's check_wal_buffers
  EXPECT_EQ(s.Find("wal_buffers")->source, Source::kConfigFile);
  EXPECT_EQ(s.Find("wal_buffers")->sourceline, 3);
}

// Scenario: integers with units read and print as PostgreSQL's parse_int
// and SHOW do; bad units and overflows get PostgreSQL's hints.
TEST(GucValueTest, IntegersWithUnits) {
  EXPECT_EQ(*ParseInteger("x", "2048", Unit::kKb), 2048);
  EXPECT_EQ(*ParseInteger("x", " 2 MB ", Unit::kKb), 2048);
  EXPECT_EQ(*ParseInteger("x", "1.5MB", Unit::kKb), 1536);
  EXPECT_EQ(*ParseInteger("x", "1000.6", Unit::kKb), 1001);
  EXPECT_EQ(*ParseInteger("x", "0x100", Unit::kKb), 256);
  EXPECT_EQ(*ParseInteger("x", "102400B", Unit::kKb), 100);
  EXPECT_EQ(*ParseInteger("x", "1GB", Unit::kKb), 1048576);
  EXPECT_EQ(*ParseInteger("x", "128MB", Unit::kBlocks), 16384);
  EXPECT_EQ(*ParseInteger("x", "1.5s", Unit::kMs), 1500);
  EXPECT_EQ(*ParseInteger("x", "500us", Unit::kMs), 0);  // rounded half to even, as PostgreSQL shows it
  EXPECT_EQ(*ParseInteger("x", "1500us", Unit::kMs), 2);
  EXPECT_EQ(*ParseInteger("x", "1h", Unit::kS), 3600);
  EXPECT_EQ(*ParseInteger("x", "-1", Unit::kWalBlocks), -1);
  EXPECT_EQ(ParseInteger("x", "2mb", Unit::kKb).error().hint,
            "Valid units for this parameter are \"B\", \"kB\", \"MB\", \"GB\", and \"TB\".");
  EXPECT_EQ(ParseInteger("x", "1 fortnight", Unit::kMs).error().hint,
            "Valid units for this parameter are \"us\", \"ms\", \"s\", \"min\", \"h\", and \"d\".");
  EXPECT_EQ(ParseInteger("x", "2 TB", Unit::kKb).error().hint, "Value exceeds integer range.");
  EXPECT_EQ(ParseInteger("x", "30d", Unit::kMs).error().hint, "Value exceeds integer range.");
  EXPECT_EQ(ParseInteger("x", "5s", Unit::kNone).error().hint, "");  // no unit allowed, no hint
  Error empty = ParseInteger("x", "", Unit::kKb).error();
  EXPECT_EQ(empty.sqlstate, "22023");
  EXPECT_EQ(empty.message, "invalid value for parameter \"x\": \"\"");

  EXPECT_EQ(FormatInteger(2048, Unit::kKb), "2MB");
  EXPECT_EQ(FormatInteger(1536, Unit::kKb), "1536kB");
  EXPECT_EQ(FormatInteger(16384, Unit::kBlocks), "128MB");
  EXPECT_EQ(FormatInteger(3, Unit::kBlocks), "24kB");
  EXPECT_EQ(FormatInteger(16777216, Unit::kBytes), "16MB");
  EXPECT_EQ(FormatInteger(1500, Unit::kMs), "1500ms");
  EXPECT_EQ(FormatInteger(259200000, Unit::kMs), "3d");
  EXPECT_EQ(FormatInteger(300, Unit::kS), "5min");
  EXPECT_EQ(FormatInteger(0, Unit::kMs), "0");
  EXPECT_EQ(FormatInteger(-1, Unit::kWalBlocks), "-1");
}

// Scenario: booleans, enums, reals and ranges are checked with
// PostgreSQL's messages.
TEST(GucValueTest, TypesAndRanges) {
  Settings s;
  s.Override("is_superuser", "on");
  for (const char* yes : {"on", "ON", "t", "true", "y", "yes", "1"}) {
    ASSERT_TRUE(s.Set("track_io_timing", std::string(yes)).ok()) << yes;
    EXPECT_TRUE(s.Bool("track_io_timing")) << yes;
  }
  ASSERT_TRUE(s.Set("track_io_timing", std::string("of")).ok());
  EXPECT_EQ(*s.Show("track_io_timing"), "off");
  Error e = s.Set("track_io_timing", std::string("o")).error();
  EXPECT_EQ(e.sqlstate, "22023");
  EXPECT_EQ(e.message, "parameter \"track_io_timing\" requires a Boolean value");

  ASSERT_TRUE(s.Set("synchronous_commit", std::string("LOCAL")).ok());
  EXPECT_EQ(*s.Show("synchronous_commit"), "local");
  ASSERT_TRUE(s.Set("synchronous_commit", std::string("true")).ok());
  EXPECT_EQ(*s.Show("synchronous_commit"), "on");  // a hidden spelling of on
  e = s.Set("synchronous_commit", std::string("bogus")).error();
  EXPECT_EQ(e.message, "invalid value for parameter \"synchronous_commit\": \"bogus\"");
  EXPECT_EQ(e.hint, "Available values: local, remote_write, remote_apply, on, off.");

  e = s.Set("statement_timeout", std::string("-1")).error();
  EXPECT_EQ(e.message, "-1 ms is outside the valid range for parameter \"statement_timeout\" (0 .. 2147483647)");
  e = s.Set("extra_float_digits", std::string("5")).error();
  EXPECT_EQ(e.message, "5 is outside the valid range for parameter \"extra_float_digits\" (-15 .. 3)");
  ASSERT_TRUE(s.Set("extra_float_digits", std::string("2.5")).ok());
  EXPECT_EQ(*s.Show("extra_float_digits"), "2");  // PostgreSQL rounds half to even

  Definition real{.name = "r", .type = VarType::kReal, .context = Context::kUser, .category = "c",
                  .short_desc = "d", .boot = "0.5", .min = 0, .max = 1};
  EXPECT_EQ(*ParseValue(real, "r", "0.25"), "0.25");
  EXPECT_EQ(ParseValue(real, "r", "2").error().message, "2 is outside the valid range for parameter \"r\" (0 .. 1)");
  EXPECT_EQ(ParseValue(real, "r", "x").error().message, "invalid value for parameter \"r\": \"x\"");
}

// Scenario: SET and RESET obey each context with PostgreSQL's SQLSTATEs
// and words; the server may set postmaster and sighup settings, never
// internal ones; a custom name with a dot is created by SET.
TEST(GucSettingsTest, ContextsAndSources) {
  Settings s;
  auto set_error = [&](const char* name, const char* value) { return s.Set(name, std::string(value)).error(); };
  Error e = set_error("shared_buffers", "1MB");
  EXPECT_EQ(e.sqlstate, "55P02");
  EXPECT_EQ(e.message, "parameter \"shared_buffers\" cannot be changed without restarting the server");
  EXPECT_EQ(s.Set("shared_buffers", std::nullopt).error().sqlstate, "55P02");  // RESET too
  EXPECT_EQ(set_error("fsync", "off").message, "parameter \"fsync\" cannot be changed now");
  EXPECT_EQ(set_error("block_size", "4096").message, "parameter \"block_size\" cannot be changed");
  e = set_error("track_io_timing", "on");  // is_superuser boots off
  EXPECT_EQ(e.sqlstate, "42501");
  EXPECT_EQ(e.message, "permission denied to set parameter \"track_io_timing\"");
  e = set_error("nonsense", "1");
  EXPECT_EQ(e.sqlstate, "42704");
  EXPECT_EQ(e.message, "unrecognized configuration parameter \"nonsense\"");

  ASSERT_TRUE(s.SetServer("shared_buffers", "1MB", Source::kCommandLine).ok());
  EXPECT_EQ(s.Int("shared_buffers"), 128);
  EXPECT_EQ(s.Find("shared_buffers")->source, Source::kCommandLine);
  EXPECT_EQ(s.SetServer("block_size", "4096", Source::kConfigFile).error().message,
            "parameter \"block_size\" cannot be changed");
  EXPECT_EQ(s.SetServer("wal_level", "minimal", Source::kConfigFile).error().sqlstate, "0A000");

  ASSERT_TRUE(s.Set("application_name", std::string("psql"), Source::kClient).ok());
  ASSERT_TRUE(s.Set("application_name", std::string("bench")).ok());
  EXPECT_EQ(s.Find("application_name")->source, Source::kSession);
  ASSERT_TRUE(s.Set("Application_Name", std::nullopt).ok());
  EXPECT_EQ(s.String("application_name"), "psql");  // RESET returns to the startup packet's value
  EXPECT_EQ(s.Find("application_name")->source, Source::kClient);

  ASSERT_TRUE(s.Set("statement_timeout", std::string("2s"), Source::kSession, /*local=*/true).ok());
  EXPECT_EQ(s.Int("statement_timeout"), 0);  // checked, not kept

  ASSERT_TRUE(s.Set("myapp.flag", std::string("on")).ok());
  EXPECT_EQ(*s.Show("MyApp.Flag"), "on");
}

// Scenario: a reload of minipg.conf (SIGHUP) changes sighup and user
// settings the file sets, but not what the command line or a SET set;
// a setting removed from the file returns to its default; a changed
// postmaster setting is only pending_restart; a file with an error changes
// nothing. Each step logs PostgreSQL's line.
TEST(GucSettingsTest, ReloadFromTheFile) {
  Settings s;
  ASSERT_TRUE(s.SetServer("bgwriter_delay", "100ms", Source::kConfigFile, "/d/minipg.conf", 1).ok());
  ASSERT_TRUE(s.SetServer("shared_buffers", "1MB", Source::kConfigFile, "/d/minipg.conf", 2).ok());
  ASSERT_TRUE(s.SetServer("checkpoint_timeout", "1min", Source::kCommandLine).ok());
  ASSERT_TRUE(s.Set("statement_timeout", std::string("5s")).ok());  // a session's own SET

  std::vector<FileValue> file = {{"fsync", "off", 1},
                                 {"shared_buffers", "2MB", 2},
                                 {"checkpoint_timeout", "10min", 3},
                                 {"statement_timeout", "1s", 4},
                                 {"synchronous_commit", "off", 5}};
  auto log = s.Reload(file, "/d/minipg.conf");
  EXPECT_EQ(log, (std::vector<std::string>{
                     "parameter \"bgwriter_delay\" removed from configuration file, reset to default",
                     "parameter \"fsync\" changed to \"off\"",
                     "parameter \"shared_buffers\" cannot be changed without restarting the server",
                     "parameter \"statement_timeout\" changed to \"1s\"",
                     "parameter \"synchronous_commit\" changed to \"off\""}));
  EXPECT_FALSE(s.Bool("fsync"));
  EXPECT_EQ(s.Find("fsync")->sourceline, 1);
  EXPECT_EQ(s.Int("bgwriter_delay"), 200);
  EXPECT_EQ(s.Find("bgwriter_delay")->source, Source::kDefault);
  EXPECT_EQ(s.Int("shared_buffers"), 128);  // 1MB until a restart
  EXPECT_TRUE(s.Find("shared_buffers")->pending_restart);
  EXPECT_EQ(s.Int("checkpoint_timeout"), 60);  // the command line wins over the file
  EXPECT_EQ(s.Int("statement_timeout"), 5000);  // the SET stays ...
  ASSERT_TRUE(s.Set("statement_timeout", std::nullopt).ok());
  EXPECT_EQ(s.Int("statement_timeout"), 1000);  // ... and RESET goes to the file's value

  file.push_back({"max_connections", "lots", 6});
  file.push_back({"fsync", "on", 7});
  log = s.Reload(file, "/d/minipg.conf");
  EXPECT_EQ(log, (std::vector<std::string>{
                     "invalid value for parameter \"max_connections\": \"lots\" in file \"/d/minipg.conf\" line 6",
                     "configuration file \"/d/minipg.conf\" contains errors; no changes were applied"}));
  EXPECT_FALSE(s.Bool("fsync"));
}

// Scenario: a changed reported setting is handed out once, for
// ParameterStatus; an unreported one never.
TEST(GucSettingsTest, ReportChanges) {
  Settings s;
  ASSERT_TRUE(s.Set("statement_timeout", std::string("1s")).ok());
  ASSERT_TRUE(s.Set("application_name", std::string("a")).ok());
  ASSERT_TRUE(s.Set("application_name", std::string("b")).ok());
  auto changes = s.TakeReportChanges();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0], (std::pair<std::string, std::string>{"application_name", "b"}));
  EXPECT_TRUE(s.TakeReportChanges().empty());
}

class MaxStackDepthTest : public ::testing::Test {
 protected:
  void TearDown() override { SetMaxStackDepthKb(kDefaultMaxStackDepthKb); }
};

// Scenario: an ordinary role can SHOW max_stack_depth but not change or
// reset it (PostgreSQL: 42501 permission denied to set parameter).
TEST_F(MaxStackDepthTest, OnlyASuperuserSetsIt) {
  Settings settings;
  settings.Override("is_superuser", "off");
  EXPECT_EQ(*settings.Show("max_stack_depth"), "2MB");
  for (const std::optional<std::string>& value : {std::optional<std::string>("1000"), std::optional<std::string>()}) {
    Status s = settings.Set("max_stack_depth", value);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().sqlstate, "42501");
    EXPECT_EQ(s.error().message, "permission denied to set parameter \"max_stack_depth\"");
  }
  EXPECT_EQ(MaxStackDepthKb(), kDefaultMaxStackDepthKb);

  settings.Override("is_superuser", "on");
  ASSERT_TRUE(settings.Set("MAX_STACK_DEPTH", std::string("1000")).ok());
  EXPECT_EQ(*settings.Show("max_stack_depth"), "1000kB");
  EXPECT_EQ(MaxStackDepthKb(), 1000);  // the guard uses it at once
}

// Scenario: a value above what the platform's stack allows is refused with
// PostgreSQL's detail and hint (with ulimit -s 8192: at most 7680kB).
TEST_F(MaxStackDepthTest, RefusedAboveThePlatformLimit) {
  struct rlimit rl {};
  ASSERT_EQ(getrlimit(RLIMIT_STACK, &rl), 0);
  if (rl.rlim_cur == RLIM_INFINITY) {
    GTEST_SKIP() << "the stack is unlimited here: any value is allowed";
  }
  int64_t limit = static_cast<int64_t>(rl.rlim_cur / 1024) - 512;
  EXPECT_EQ(MaxStackDepthLimitKb(), limit);
  Settings settings;
  settings.Override("is_superuser", "on");
  ASSERT_TRUE(settings.Set("max_stack_depth", std::to_string(limit) + "kB").ok());
  Status s = settings.Set("max_stack_depth", std::to_string(limit + 1));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().sqlstate, "22023");
  EXPECT_EQ(s.error().message, "invalid value for parameter \"max_stack_depth\": " + std::to_string(limit + 1));
  EXPECT_EQ(s.error().detail, "\"max_stack_depth\" must not exceed " + std::to_string(limit) + "kB.");
  EXPECT_EQ(s.error().hint, "Increase the platform's stack depth limit via \"ulimit -s\" or local equivalent.");
  EXPECT_EQ(*settings.Show("max_stack_depth"), FormatInteger(limit, Unit::kKb));  // unchanged by the refusal
  EXPECT_EQ(MaxStackDepthKb(), limit);
}

}  // namespace
}  // namespace minipg::guc
