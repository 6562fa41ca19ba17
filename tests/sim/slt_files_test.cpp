/*
 * slt_files_test.cpp
 *   Every file in tests/slt/ (sqllogictest records with PostgreSQL 15's
 *   results, docs/testing.md "SQL corpora") run by minipg-slt against a
 *   real minipg, one test per file: every record must pass.
 */
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "tests/integration/server_harness.h"

namespace minipg::testing {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> SltFiles() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(SourceDir() + "/tests/slt")) {
    if (e.path().extension() == ".test") out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

class SltFilesTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SltFilesTest, EveryRecordPasses) {
  Server server;
  ASSERT_TRUE(server.Start());
  std::string conn = "host=" + server.socket_dir() + " port=" + std::to_string(server.port()) +
                     " user=" + Superuser() + " dbname=postgres";
  auto r = RunCommand(BinDir() + "/minipg-slt --failures 20 --target 'minipg=" + conn + "' " + SourceDir() +
                      "/tests/slt/" + GetParam() + " 2>&1");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("100.0%"), std::string::npos) << r.out;
}

std::string TestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param.substr(0, info.param.size() - 5);
  std::replace_if(name.begin(), name.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(Files, SltFilesTest, ::testing::ValuesIn(SltFiles()), TestName);

}  // namespace
}  // namespace minipg::testing
