/*-------------------------------------------------------------------------
 * config_test.cpp
 *   The server's settings from their sources, as PostgreSQL reads them:
 *   boot values, then minipg.conf, then the command line; each value
 *   remembers where it came from (pg_settings.source, sourcefile,
 *   sourceline), and a bad line is named in the error.
 *-------------------------------------------------------------------------
 */
#include "engine/postmaster/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace minipg {
namespace {

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/minipg_config_XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path WriteConf(const std::string& text) {
    std::filesystem::path p = dir_ / kConfigFileName;
    std::ofstream(p) << text;
    return p;
  }
  std::filesystem::path dir_;
};

// Scenario: the file overrides the boot values and the command line
// overrides the file; pg_settings' source, file and line say which won.
TEST_F(ConfigTest, LaterSourcesWin) {
  Config config;
  auto path = WriteConf(
      "# a comment\n"
      "shared_buffers = 16MB\n"
      "port 6543   # the other spelling\n"
      "listen_addresses = '*'  # quoted\n"
      "checkpoint_timeout = 30s\n");
  ASSERT_TRUE(LoadConfigFile(config, path).ok());
  ASSERT_TRUE(SetConfigOption(config, "port", "7000").ok());
  config.settings.ResolveServerDefaults();
  EXPECT_EQ(config.Int("shared_buffers"), 2048);
  EXPECT_EQ(config.Int("wal_buffers"), 64);  // 1/32 of 2048 pages: 512kB
  EXPECT_EQ(config.String("listen_addresses"), "*");
  EXPECT_EQ(config.Int("checkpoint_timeout"), 30);
  EXPECT_EQ(config.Int("port"), 7000);
  EXPECT_EQ(config.Int("max_connections"), 100);  // boot value
  const guc::Setting* sb = config.settings.Find("shared_buffers");
  EXPECT_EQ(sb->source, guc::Source::kConfigFile);
  EXPECT_EQ(sb->sourcefile, std::filesystem::absolute(path).string());
  EXPECT_EQ(sb->sourceline, 2);
  EXPECT_EQ(config.settings.Find("port")->source, guc::Source::kCommandLine);
  EXPECT_EQ(config.settings.Find("max_connections")->source, guc::Source::kDefault);
}

// Scenario: a bad value or an unknown name in the file is an error naming
// the file and line; an internal setting cannot be set there.
TEST_F(ConfigTest, BadLinesAreNamed) {
  Config config;
  auto path = WriteConf("fsync = off\nmax_connections = lots\n");
  Status s = LoadConfigFile(config, path);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().sqlstate, "22023");
  EXPECT_EQ(s.error().message, "invalid value for parameter \"max_connections\": \"lots\" in file \"" +
                                   path.string() + "\" line 2");
  EXPECT_FALSE(config.Bool("fsync"));  // the lines before it were read

  WriteConf("block_size = 4096\n");
  s = LoadConfigFile(config, path);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().sqlstate, "55P02");
  WriteConf("no_such_setting = 1\n");
  EXPECT_EQ(LoadConfigFile(config, path).error().sqlstate, "42704");
}

// Scenario: the sample minipg.conf a new data directory gets names every
// setting the file may set, and with every line uncommented it reads back
// as the boot values.
TEST_F(ConfigTest, SampleFileReadsBackAsBootValues) {
  std::string sample = SampleConfigFile();
  EXPECT_NE(sample.find("#shared_buffers = 128MB"), std::string::npos) << sample;
  EXPECT_NE(sample.find("#listen_addresses = 'localhost'"), std::string::npos) << sample;
  EXPECT_EQ(sample.find("#block_size"), std::string::npos) << "internal settings are not in the file";
  std::string uncommented;
  for (size_t pos = 0; pos < sample.size();) {
    size_t end = sample.find('\n', pos);
    std::string line = sample.substr(pos, end - pos);
    if (line.size() > 1 && line[0] == '#' && line[1] != ' ') line.erase(0, 1);
    uncommented += line + "\n";
    pos = end + 1;
  }
  Config config;
  Status s = LoadConfigFile(config, WriteConf(uncommented));
  ASSERT_TRUE(s.ok()) << s.error().message;
  config.settings.ResolveServerDefaults();
  Config boot;
  for (const guc::Setting& setting : config.settings.All()) {
    if (setting.source != guc::Source::kConfigFile) continue;
    EXPECT_EQ(setting.value, boot.settings.Find(setting.name)->value) << setting.name;
  }
  EXPECT_EQ(config.settings.Find("shared_buffers")->source, guc::Source::kConfigFile);
}

// Scenario: superuser_reserved_connections must leave a slot for others.
TEST_F(ConfigTest, ReservedConnectionsBelowMax) {
  Config config;
  ASSERT_TRUE(SetConfigOption(config, "max_connections", "3").ok());
  ASSERT_TRUE(SetConfigOption(config, "superuser_reserved_connections", "2").ok());
  EXPECT_TRUE(CheckConfig(config).ok());
  ASSERT_TRUE(SetConfigOption(config, "superuser_reserved_connections", "3").ok());
  EXPECT_EQ(CheckConfig(config).error().message,
            "superuser_reserved_connections (3) must be less than max_connections (3)");
}

}  // namespace
}  // namespace minipg
