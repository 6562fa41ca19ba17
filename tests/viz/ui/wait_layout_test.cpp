/*-------------------------------------------------------------------------
 * wait_layout_test.cpp
 *   Where the wait-for graph's labels go (viz/ui/wait_layout.h): with the
 *   boxes laid out as the Processes graph lays them out (a row of backends
 *   under the shared-memory band), every label stays readable: it covers no
 *   other label, no box and no obstacle, and stays in the panel; each arrow
 *   passes through its label's centre and ends on its boxes' borders.
 *-------------------------------------------------------------------------
 */
#include "viz/ui/wait_layout.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace minipg::viz::ui {
namespace {

constexpr float kBoxW = 178.0f, kBoxH = 91.0f, kGapX = 12.0f, kRowY = 361.0f;
constexpr float kLabelH = 20.0f, kGap = 4.0f;
const Rect kBounds{0.0f, 0.0f, 1000.0f, 700.0f};

/* The k-th box of the row of backends. */
Rect BoxAt(int k) {
  float x = 280.0f + static_cast<float>(k) * (kBoxW + kGapX);
  return Rect{x, kRowY, x + kBoxW, kRowY + kBoxH};
}

ArrowRequest Waits(int waiter, int holder, float label_w) {
  ArrowRequest a;
  a.waiter = 100 + waiter;
  a.holder = 100 + holder;
  a.from = BoxAt(waiter);
  a.to = BoxAt(holder);
  a.label_w = label_w;
  a.label_h = kLabelH;
  return a;
}

bool OnBorder(const Rect& r, Point p) {
  auto near = [](float a, float b) { return std::fabs(a - b) < 0.5f; };
  bool inside = p.x >= r.x0 - 0.5f && p.x <= r.x1 + 0.5f && p.y >= r.y0 - 0.5f && p.y <= r.y1 + 0.5f;
  return inside && (near(p.x, r.x0) || near(p.x, r.x1) || near(p.y, r.y0) || near(p.y, r.y1));
}

/* Every label is readable: inside the bounds, over no box, obstacle or
 * other label; every arrow goes through its label and ends on its boxes. */
void ExpectReadable(const std::vector<ArrowRequest>& arrows, const std::vector<ArrowPlan>& plans,
                    const std::vector<Rect>& boxes, const std::vector<Rect>& obstacles) {
  ASSERT_EQ(plans.size(), arrows.size());
  for (size_t i = 0; i < plans.size(); ++i) {
    ASSERT_TRUE(plans[i].label.has_value()) << i;
    const Rect& l = *plans[i].label;
    EXPECT_GE(l.x0, kBounds.x0);
    EXPECT_LE(l.x1, kBounds.x1);
    EXPECT_GE(l.y0, kBounds.y0);
    EXPECT_LE(l.y1, kBounds.y1);
    EXPECT_NEAR(l.x1 - l.x0, arrows[i].label_w, 0.01f);
    for (const Rect& b : boxes) EXPECT_FALSE(l.Overlaps(b)) << "label " << i << " covers a box";
    for (const Rect& o : obstacles) EXPECT_FALSE(l.Overlaps(o)) << "label " << i << " covers an obstacle";
    for (size_t j = 0; j < i; ++j) EXPECT_FALSE(l.Overlaps(*plans[j].label)) << "labels " << j << " and " << i;
    EXPECT_NEAR(plans[i].mid.x, l.Center().x, 0.01f);
    EXPECT_NEAR(plans[i].mid.y, l.Center().y, 0.01f);
    EXPECT_TRUE(OnBorder(arrows[i].from, plans[i].start)) << i;
    EXPECT_TRUE(OnBorder(arrows[i].to, plans[i].end)) << i;
  }
}

// Scenario: two neighbouring backends wait for each other (a deadlock of
// two, the live picture of docs/transactions.md): one label above the row
// and one below, so the two arrows bend to opposite sides, and neither
// label sits on the boxes (the old layout put both on the boxes' edges).
TEST(WaitLayoutTest, TwoBackendsWaitingForEachOtherGetOppositeSides) {
  std::vector<ArrowRequest> arrows = {Waits(0, 1, 184.0f), Waits(1, 0, 184.0f)};
  std::vector<Rect> boxes = {BoxAt(0), BoxAt(1)};
  std::vector<ArrowPlan> plans = LayoutWaitArrows(arrows, boxes, {}, kBounds, kGap);
  ExpectReadable(arrows, plans, boxes, {});
  bool first_below = plans[0].label->y0 >= kRowY + kBoxH;
  bool second_above = plans[1].label->y1 <= kRowY;
  EXPECT_TRUE(first_below && second_above) << plans[0].label->y0 << " " << plans[1].label->y0;
}

// Scenario: three writers of one row (the second waits for the first's
// transaction, the third for the second's tuple lock), with the shared
// memory band's text just above the row as an obstacle: the labels, one
// of them twice as wide as the box pitch, overlapped each other before;
// now they do not, nor the band's text.
TEST(WaitLayoutTest, ThreeWritersOfOneRowLabelsApart) {
  std::vector<ArrowRequest> arrows = {Waits(1, 0, 184.0f), Waits(2, 1, 390.0f)};
  std::vector<Rect> boxes = {BoxAt(0), BoxAt(1), BoxAt(2)};
  std::vector<Rect> obstacles = {Rect{105.0f, kRowY - 52.0f, 620.0f, kRowY - 35.0f}};
  std::vector<ArrowPlan> plans = LayoutWaitArrows(arrows, boxes, obstacles, kBounds, kGap);
  ExpectReadable(arrows, plans, boxes, obstacles);
}

// Scenario: a crowd: five backends all wait for the first one (a DROP
// TABLE queue), each label as wide as two boxes: they stack, each readable.
TEST(WaitLayoutTest, FiveWaitersForOneHolderStack) {
  std::vector<ArrowRequest> arrows;
  std::vector<Rect> boxes = {BoxAt(0)};
  for (int k = 1; k <= 5; ++k) {
    arrows.push_back(Waits(k, 0, 380.0f));
    boxes.push_back(BoxAt(k));
  }
  Rect wide{0.0f, 0.0f, 1500.0f, 900.0f};
  std::vector<ArrowPlan> plans = LayoutWaitArrows(arrows, boxes, {}, wide, kGap);
  ASSERT_EQ(plans.size(), 5u);
  for (size_t i = 0; i < plans.size(); ++i) {
    for (const Rect& b : boxes) EXPECT_FALSE(plans[i].label->Overlaps(b)) << i;
    for (size_t j = 0; j < i; ++j) EXPECT_FALSE(plans[i].label->Overlaps(*plans[j].label)) << j << " " << i;
  }
}

// Scenario: a label near the panel's right edge is moved inside it, and
// the arrow still passes through the label's centre.
TEST(WaitLayoutTest, ALabelStaysInsideThePanel) {
  std::vector<ArrowRequest> arrows = {Waits(3, 2, 400.0f)};
  std::vector<Rect> boxes = {BoxAt(2), BoxAt(3)};
  Rect narrow{0.0f, 0.0f, 900.0f, 700.0f};
  std::vector<ArrowPlan> plans = LayoutWaitArrows(arrows, boxes, {}, narrow, kGap);
  ASSERT_TRUE(plans[0].label.has_value());
  EXPECT_LE(plans[0].label->x1, narrow.x1);
  EXPECT_NEAR(plans[0].mid.x, plans[0].label->Center().x, 0.01f);
}

// Scenario: an arrow without a label of its own (a waiter's second arrow
// saying the same) is bent as before and gets no label.
TEST(WaitLayoutTest, AnArrowWithoutALabel) {
  std::vector<ArrowRequest> arrows = {Waits(0, 1, 0.0f)};
  std::vector<ArrowPlan> plans = LayoutWaitArrows(arrows, {BoxAt(0), BoxAt(1)}, {}, kBounds, kGap);
  ASSERT_EQ(plans.size(), 1u);
  EXPECT_FALSE(plans[0].label.has_value());
  EXPECT_TRUE(OnBorder(arrows[0].from, plans[0].start));
  EXPECT_TRUE(OnBorder(arrows[0].to, plans[0].end));
}

}  // namespace
}  // namespace minipg::viz::ui
