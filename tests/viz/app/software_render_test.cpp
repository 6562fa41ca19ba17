/*-------------------------------------------------------------------------
 * software_render_test.cpp
 *   Tests of ShapeForLlvmpipe (viz/app/software_render.h): each command's
 *   indices reshaped so that llvmpipe finds ImGui's rectangles (each on a
 *   multiple of six from its draw call's start, calls a multiple of six and
 *   at most the limit long) while the same triangles are drawn in the same
 *   order with the same clip rectangle and texture.
 *-------------------------------------------------------------------------
 */
#include "viz/app/software_render.h"

#include <gtest/gtest.h>

#include <array>
#include <vector>

namespace minipg::viz {
namespace {

using Triangle = std::array<ImDrawIdx, 3>;

/* Appends one rectangle as ImGui's PrimRect makes it: 4 vertices, the two
 * triangles (0,1,2) and (0,2,3). */
void AddQuad(ImDrawList* list) {
  auto v = static_cast<ImDrawIdx>(list->VtxBuffer.Size);
  for (int i = 0; i < 4; ++i) list->VtxBuffer.push_back(ImDrawVert{});
  for (int i : {0, 1, 2, 0, 2, 3}) list->IdxBuffer.push_back(static_cast<ImDrawIdx>(v + i));
}

/* Appends a convex polygon of n vertices as a fan: n - 2 triangles. */
void AddFan(ImDrawList* list, int n) {
  auto v = static_cast<ImDrawIdx>(list->VtxBuffer.Size);
  for (int i = 0; i < n; ++i) list->VtxBuffer.push_back(ImDrawVert{});
  for (int i = 2; i < n; ++i) {
    for (int k : {0, i - 1, i}) list->IdxBuffer.push_back(static_cast<ImDrawIdx>(v + k));
  }
}

void AddCommand(ImDrawList* list, unsigned offset, float clip_x) {
  ImDrawCmd cmd;
  cmd.ClipRect = ImVec4(clip_x, 0, 100, 100);
  cmd.TextureId = reinterpret_cast<ImTextureID>(7);
  cmd.IdxOffset = offset;
  cmd.ElemCount = static_cast<unsigned>(list->IdxBuffer.Size) - offset;
  list->CmdBuffer.push_back(cmd);
}

bool Degenerate(const Triangle& t) { return t[0] == t[1] && t[1] == t[2]; }

/* The triangles a command range draws, those of no area left out. */
std::vector<Triangle> DrawnTriangles(const ImDrawList& list, float clip_x) {
  std::vector<Triangle> out;
  for (const ImDrawCmd& cmd : list.CmdBuffer) {
    if (cmd.ClipRect.x != clip_x) continue;
    for (unsigned i = cmd.IdxOffset; i + 2 < cmd.IdxOffset + cmd.ElemCount; i += 3) {
      Triangle t{list.IdxBuffer[i], list.IdxBuffer[i + 1], list.IdxBuffer[i + 2]};
      if (!Degenerate(t)) out.push_back(t);
    }
  }
  return out;
}

// Scenario: two commands, the second long: rectangles with fans of 3 and
// 1 triangles in between, so most rectangles start off a multiple of six,
// and the second command ends on a lone triangle. After shaping: every
// piece is a multiple of 6 and at most 120 indices, with its command's
// clip rectangle and texture; every rectangle starts on a multiple of 6
// from its piece's start; and each command draws the same triangles, in
// the same order, as before.
TEST(SoftwareRenderTest, RectanglesLandOnMultiplesOfSixAndNothingElseChanges) {
  ImDrawList list(nullptr);
  AddFan(&list, 3);
  AddQuad(&list);
  AddCommand(&list, 0, 1);
  auto second = static_cast<unsigned>(list.IdxBuffer.Size);
  int five_fans = 0;  // their first two triangles look like a rectangle, to llvmpipe too
  for (int i = 0; i < 300; ++i) {
    if (i % 7 == 3) {
      AddFan(&list, 5);
      ++five_fans;
    }
    if (i % 11 == 5) AddFan(&list, 3);
    AddQuad(&list);
  }
  AddFan(&list, 3);
  AddCommand(&list, second, 2);
  std::vector<Triangle> first_before = DrawnTriangles(list, 1), second_before = DrawnTriangles(list, 2);

  ShapeForLlvmpipe(&list, 120);

  EXPECT_EQ(DrawnTriangles(list, 1), first_before);
  EXPECT_EQ(DrawnTriangles(list, 2), second_before);
  ASSERT_GE(list.CmdBuffer.Size, 1 + static_cast<int>(second_before.size() * 3 / 120));
  unsigned at = 0;
  int quads_found = 0;
  for (const ImDrawCmd& piece : list.CmdBuffer) {
    EXPECT_EQ(piece.IdxOffset, at) << "pieces are back to back";
    EXPECT_EQ(piece.ElemCount % 6, 0u);
    EXPECT_LE(piece.ElemCount, 120u);
    EXPECT_EQ(piece.TextureId, reinterpret_cast<ImTextureID>(7));
    at += piece.ElemCount;
    // A rectangle's first triangle (a b c followed by a c d) sits at 0 mod 6.
    const ImDrawIdx* idx = list.IdxBuffer.Data;
    for (unsigned i = piece.IdxOffset; i + 6 <= piece.IdxOffset + piece.ElemCount; i += 3) {
      bool quad = idx[i] == idx[i + 3] && idx[i + 2] == idx[i + 4] && idx[i] != idx[i + 1];
      if (!quad) continue;
      EXPECT_EQ((i - piece.IdxOffset) % 6, 0u) << "a rectangle at index " << i;
      ++quads_found;
      i += 3;
    }
  }
  EXPECT_EQ(at, static_cast<unsigned>(list.IdxBuffer.Size));
  EXPECT_EQ(quads_found, 301 + five_fans);
}

// Scenario: a callback command is kept as it is, between the others.
TEST(SoftwareRenderTest, CallbackCommandsStay) {
  ImDrawList list(nullptr);
  AddQuad(&list);
  AddCommand(&list, 0, 1);
  ImDrawCmd callback;
  callback.UserCallback = [](const ImDrawList*, const ImDrawCmd*) {};
  list.CmdBuffer.push_back(callback);
  auto second = static_cast<unsigned>(list.IdxBuffer.Size);
  AddFan(&list, 3);
  AddCommand(&list, second, 2);
  ShapeForLlvmpipe(&list);
  ASSERT_EQ(list.CmdBuffer.Size, 3);
  EXPECT_TRUE(list.CmdBuffer[1].UserCallback != nullptr);
  EXPECT_EQ(list.CmdBuffer[2].ElemCount, 6u) << "a lone triangle padded to six";
}

// Scenario: a draw list past 65,536 vertices (16-bit indices, so ImGui
// starts a command with a VtxOffset) and an empty command, shaped through
// ImDrawData: the pieces keep their command's VtxOffset, the empty command
// draws nothing (it may go), and the draw data's index total is the lists'.
TEST(SoftwareRenderTest, PiecesKeepTheirVertexOffsetAndTotalsAreKept) {
  ImDrawList list(nullptr);
  for (int i = 0; i < 200; ++i) AddQuad(&list);
  AddCommand(&list, 0, 1);
  list.CmdBuffer.back().VtxOffset = 70'000;
  ImDrawCmd empty;
  empty.IdxOffset = static_cast<unsigned>(list.IdxBuffer.Size);
  list.CmdBuffer.push_back(empty);
  ImDrawList* lists[] = {&list};
  ImDrawData data;
  data.Valid = true;
  data.CmdLists = lists;
  data.CmdListsCount = 1;
  data.TotalIdxCount = list.IdxBuffer.Size;

  ShapeForLlvmpipe(&data);

  unsigned drawn = 0;
  for (const ImDrawCmd& piece : list.CmdBuffer) {
    EXPECT_EQ(piece.VtxOffset, 70'000u);
    drawn += piece.ElemCount;
  }
  EXPECT_EQ(drawn, 1200u) << "200 rectangles, already on multiples of six: no padding";
  EXPECT_EQ(data.TotalIdxCount, list.IdxBuffer.Size);
}

TEST(SoftwareRenderTest, KnowsMesasSoftwareRenderers) {
  EXPECT_TRUE(IsSoftwareRenderer("llvmpipe (LLVM 15.0.6, 256 bits)"));
  EXPECT_TRUE(IsSoftwareRenderer("softpipe"));
  EXPECT_FALSE(IsSoftwareRenderer("Mesa Intel(R) UHD Graphics 620 (KBL GT2)"));
}

}  // namespace
}  // namespace minipg::viz
