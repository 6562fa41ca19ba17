/*
 * isolation_specs_test.cpp
 *   The isolation specs listed in tests/isolation/schedule, each run by
 *   minipg-isolation against a real minipg of its own and compared with
 *   PostgreSQL 15's output (tests/isolation/expected/NAME.out): one test
 *   per spec, and every line must match.
 */
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "tests/integration/server_harness.h"

namespace minipg::testing {
namespace {

/* The names on the schedule's "test: NAME" lines. */
std::vector<std::string> ScheduledSpecs() {
  std::vector<std::string> out;
  std::ifstream in(SourceDir() + "/tests/isolation/schedule");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("test:", 0) != 0) continue;
    std::string name = line.substr(5);
    name.erase(0, name.find_first_not_of(" \t"));
    name.erase(name.find_last_not_of(" \t\r") + 1);
    if (!name.empty()) out.push_back(name);
  }
  return out;
}

class IsolationSpecsTest : public ::testing::TestWithParam<std::string> {};

// Scenario: the spec's sessions interleave on minipg exactly as on PostgreSQL 15.
TEST_P(IsolationSpecsTest, OutputIsPostgresOutput) {
  Server server;
  ASSERT_TRUE(server.Start());
  std::string conn = "host=" + server.socket_dir() + " port=" + std::to_string(server.port()) +
                     " user=" + Superuser() + " dbname=postgres";
  std::string dir = SourceDir() + "/tests/isolation";
  auto r = RunCommand(BinDir() + "/minipg-isolation --step-timeout 20 --target 'minipg=" + conn + "' --expected " +
                      dir + "/expected " + dir + "/specs/" + GetParam() + ".spec 2>&1");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find(GetParam() + " on minipg: ok"), std::string::npos) << r.out;
}

std::string TestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  std::replace_if(name.begin(), name.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(Specs, IsolationSpecsTest, ::testing::ValuesIn(ScheduledSpecs()), TestName);

}  // namespace
}  // namespace minipg::testing
