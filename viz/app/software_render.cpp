/*-------------------------------------------------------------------------
 * software_render.cpp
 *   See software_render.h.
 *-------------------------------------------------------------------------
 */
#include "viz/app/software_render.h"

#include <algorithm>

namespace minipg::viz {
namespace {

/* ImGui's rectangles (PrimRect, and PrimRectUV for glyphs): two triangles
 * (a, b, c) (a, c, d) as six indices. */
bool IsQuadAt(const ImDrawIdx* idx, unsigned i, unsigned end) {
  return i + 6 <= end && idx[i] == idx[i + 3] && idx[i + 2] == idx[i + 4];
}

/* A triangle of no area (culled at once) that moves what follows by 3. */
void PushPadding(ImVector<ImDrawIdx>* out, ImDrawIdx vertex) {
  for (int k = 0; k < 3; ++k) out->push_back(vertex);
}

}  // namespace

bool IsSoftwareRenderer(std::string_view gl_renderer) {
  return gl_renderer.find("llvmpipe") != std::string_view::npos ||
         gl_renderer.find("softpipe") != std::string_view::npos;
}

void ShapeForLlvmpipe(ImDrawList* list, unsigned max_indices) {
  max_indices = std::max(max_indices, 6u) / 6 * 6;
  ImVector<ImDrawIdx> out;
  out.reserve(list->IdxBuffer.Size + list->IdxBuffer.Size / 8 + 6 * list->CmdBuffer.Size);
  ImVector<ImDrawCmd> cmds;
  cmds.reserve(list->CmdBuffer.Size + list->IdxBuffer.Size / static_cast<int>(max_indices) + 1);
  const ImDrawIdx* idx = list->IdxBuffer.Data;
  for (const ImDrawCmd& cmd : list->CmdBuffer) {
    if (cmd.UserCallback != nullptr) {
      cmds.push_back(cmd);
      continue;
    }
    auto start = static_cast<unsigned>(out.Size);
    auto off_six = [&] { return (static_cast<unsigned>(out.Size) - start) % 6 != 0; };
    unsigned end = cmd.IdxOffset + cmd.ElemCount;  // ImGui's counts are multiples of 3
    for (unsigned i = cmd.IdxOffset; i < end;) {
      unsigned n = IsQuadAt(idx, i, end) ? 6 : 3;
      if (n == 6 && off_six()) PushPadding(&out, idx[i]);
      for (unsigned k = 0; k < n; ++k) out.push_back(idx[i + k]);
      i += n;
    }
    if (off_six()) PushPadding(&out, out.back());
    auto shaped_end = static_cast<unsigned>(out.Size);
    for (unsigned from = start; from < shaped_end; from += max_indices) {
      ImDrawCmd piece = cmd;
      piece.IdxOffset = from;
      piece.ElemCount = std::min(max_indices, shaped_end - from);
      cmds.push_back(piece);
    }
  }
  list->IdxBuffer.swap(out);
  list->CmdBuffer.swap(cmds);
}

void ShapeForLlvmpipe(ImDrawData* data, unsigned max_indices) {
  int total = 0;
  for (int i = 0; i < data->CmdListsCount; ++i) {
    ShapeForLlvmpipe(data->CmdLists[i], max_indices);
    total += data->CmdLists[i]->IdxBuffer.Size;
  }
  data->TotalIdxCount = total;
}

}  // namespace minipg::viz
