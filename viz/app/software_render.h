/*-------------------------------------------------------------------------
 * software_render.h
 *   Feeding ImGui's frames to Mesa's software renderer (llvmpipe: Xvfb,
 *   virtual machines, the CI machine) in the shape its fast path wants.
 *
 *   llvmpipe draws a 64x64 tile with its "linear" rasterizer, much faster
 *   than its general one, when everything drawn in the tile is an
 *   axis-aligned rectangle and the window has no depth or stencil buffer.
 *   ImGui's boxes, bars and row backgrounds are such rectangles (two
 *   triangles, six indices), but llvmpipe (Mesa 22.3, lp_setup_vbuf.c)
 *   looks for them only in draw calls whose index count is a multiple of 6,
 *   reading six indices at a time from the call's start, and cuts calls
 *   longer than 1,023 indices: one stray triangle before a run of
 *   rectangles (an arrow, a rounded corner's fan) hides them all. So the
 *   window asks for no depth/stencil buffer and each command's indices are
 *   reshaped before drawing (ShapeForLlvmpipe): every rectangle moved onto
 *   a multiple of six by a triangle of no area put before it, each command
 *   padded to a multiple of six and cut into pieces of at most 1,020. The
 *   same triangles are drawn in the same order, so the picture is the same
 *   (a screenshot test compares it with llvmpipe's general path).
 *
 *   Tiles with text, rounded corners, circles or slanted lines still go the
 *   general way. (llvmpipe would take glyphs the fast way too if the font
 *   atlas were a BGRA texture, but Mesa 22.3's fast path then interpolates
 *   the perspective-corrected vertex colour of ImGui's shader wrongly and
 *   those tiles come out empty; a shader with a "noperspective" colour
 *   would be right, which needs a renderer of our own instead of ImGui's
 *   OpenGL3 backend. Not done.)
 *
 *     ImGui::Render();
 *     if (IsSoftwareRenderer(renderer)) ShapeForLlvmpipe(ImGui::GetDrawData());
 *     ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
 *-------------------------------------------------------------------------
 */
#pragma once

#include <string_view>

#include <imgui.h>

namespace minipg::viz {

/* llvmpipe finds rectangles in indexed draws of up to this many indices
 * (a multiple of 6). */
inline constexpr unsigned kMaxIndicesPerDraw = 1020;

/* Whether `gl_renderer` (glGetString(GL_RENDERER)) is one of Mesa's
 * software renderers. */
bool IsSoftwareRenderer(std::string_view gl_renderer);

/* Reshapes each command's indices as above (callback commands are left
 * as they are): a rectangle is six indices (a b c a c d), as ImGui makes
 * them; pieces are at most `max_indices` (rounded down to a multiple of
 * 6), back to back, with the command's clip rectangle and texture. */
void ShapeForLlvmpipe(ImDrawList* list, unsigned max_indices = kMaxIndicesPerDraw);
void ShapeForLlvmpipe(ImDrawData* data, unsigned max_indices = kMaxIndicesPerDraw);

}  // namespace minipg::viz
