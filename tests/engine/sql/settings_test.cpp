/*-------------------------------------------------------------------------
 * settings_test.cpp
 *   max_stack_depth as PostgreSQL 15 has it: superuser only, and never
 *   above the platform's stack limit minus 512kB. (SET and SHOW of the
 *   ordinary values are in logic/settings.test.)
 *-------------------------------------------------------------------------
 */
#include "engine/sql/settings.h"

#include <sys/resource.h>

#include <gtest/gtest.h>

#include "engine/common/stack_depth.h"

namespace minipg::sql {
namespace {

class MaxStackDepthTest : public ::testing::Test {
 protected:
  void TearDown() override { SetMaxStackDepthKb(kDefaultMaxStackDepthKb); }
};

// Scenario: an ordinary role can SHOW max_stack_depth but not change or
// reset it (PostgreSQL: 42501 permission denied to set parameter).
TEST_F(MaxStackDepthTest, OnlyASuperuserSetsIt) {
  Settings settings("15.0");
  settings.SetServerValue("is_superuser", "off");
  EXPECT_EQ(settings.Find("max_stack_depth")->value, "2MB");
  for (const std::optional<std::string>& value : {std::optional<std::string>("1000"), std::optional<std::string>()}) {
    Status s = settings.Set("max_stack_depth", value);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().sqlstate, "42501");
    EXPECT_EQ(s.error().message, "permission denied to set parameter \"max_stack_depth\"");
  }
  EXPECT_EQ(MaxStackDepthKb(), kDefaultMaxStackDepthKb);

  settings.SetServerValue("is_superuser", "on");
  ASSERT_TRUE(settings.Set("MAX_STACK_DEPTH", std::string("1000")).ok());
  EXPECT_EQ(settings.Find("max_stack_depth")->value, "1000kB");
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
  Settings settings("15.0");
  ASSERT_TRUE(settings.Set("max_stack_depth", std::to_string(limit) + "kB").ok());
  Status s = settings.Set("max_stack_depth", std::to_string(limit + 1));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().sqlstate, "22023");
  EXPECT_EQ(s.error().message, "invalid value for parameter \"max_stack_depth\": " + std::to_string(limit + 1));
  EXPECT_EQ(s.error().detail, "\"max_stack_depth\" must not exceed " + std::to_string(limit) + "kB.");
  EXPECT_EQ(s.error().hint, "Increase the platform's stack depth limit via \"ulimit -s\" or local equivalent.");
  EXPECT_EQ(settings.Find("max_stack_depth")->value, FormatMemoryKb(limit));  // unchanged by the refusal
  EXPECT_EQ(MaxStackDepthKb(), limit);
}

// Scenario: memory values read and print as PostgreSQL's do.
TEST(MemorySettingTest, ParseAndFormat) {
  EXPECT_EQ(*ParseMemoryKb("x", "2048"), 2048);
  EXPECT_EQ(*ParseMemoryKb("x", " 2 MB "), 2048);
  EXPECT_EQ(*ParseMemoryKb("x", "1.5MB"), 1536);
  EXPECT_EQ(*ParseMemoryKb("x", "1000.6"), 1001);
  EXPECT_EQ(*ParseMemoryKb("x", "0x100"), 256);
  EXPECT_EQ(*ParseMemoryKb("x", "102400B"), 100);
  EXPECT_EQ(*ParseMemoryKb("x", "1GB"), 1048576);
  EXPECT_EQ(ParseMemoryKb("x", "2mb").error().hint,
            "Valid units for this parameter are \"B\", \"kB\", \"MB\", \"GB\", and \"TB\".");
  EXPECT_EQ(ParseMemoryKb("x", "2 TB").error().hint, "Value exceeds integer range.");
  EXPECT_EQ(ParseMemoryKb("x", "").error().message, "invalid value for parameter \"x\": \"\"");
  EXPECT_EQ(FormatMemoryKb(2048), "2MB");
  EXPECT_EQ(FormatMemoryKb(1536), "1536kB");
  EXPECT_EQ(FormatMemoryKb(1048576), "1GB");
  EXPECT_EQ(FormatMemoryKb(100), "100kB");
}

}  // namespace
}  // namespace minipg::sql
