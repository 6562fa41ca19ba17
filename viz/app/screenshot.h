/*-------------------------------------------------------------------------
 * screenshot.h
 *   Reading the current OpenGL framebuffer back and saving it as a PNG.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <string>

namespace minipg::viz {

/*
 * Reads the width x height pixels of the bound framebuffer's back buffer
 * and writes them to `path` as an RGB PNG (flipped: GL's origin is the
 * bottom left). Returns an empty string on success, else the error.
 */
std::string WriteFramebufferPng(const std::string& path, int width, int height);

}  // namespace minipg::viz
