/*-------------------------------------------------------------------------
 * text_fit_test.cpp
 *   A long path shortened for a panel (viz/ui/text_fit.h) keeps its start
 *   and its end, and fits.
 *-------------------------------------------------------------------------
 */
#include "viz/ui/text_fit.h"

#include <gtest/gtest.h>

namespace minipg::viz::ui {
namespace {

// Scenario: a Unix socket path too long for its room loses its middle, not
// its start or its file name.
TEST(TextFitTest, LongPathKeepsStartAndEnd) {
  std::string path = "/tmp/minipg_sim_a_very_long_folder_name_XYZ/.s.PGSQL.5432";
  std::string s = EllipsizeMiddle(path, 30);
  EXPECT_EQ(s.size(), 30u);
  EXPECT_TRUE(s.starts_with("/tmp/min")) << s;
  EXPECT_TRUE(s.ends_with("XYZ/.s.PGSQL.5432")) << s;
  EXPECT_NE(s.find("..."), std::string::npos) << s;
}

// Scenario: text that fits is left as it is; a tiny room takes the start.
TEST(TextFitTest, ShortTextUnchanged) {
  EXPECT_EQ(EllipsizeMiddle("/tmp", 30), "/tmp");
  EXPECT_EQ(EllipsizeMiddle("/tmp/abcdef", 4), "/tmp");
}

}  // namespace
}  // namespace minipg::viz::ui
