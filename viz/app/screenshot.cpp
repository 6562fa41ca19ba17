/*-------------------------------------------------------------------------
 * screenshot.cpp
 *   glReadPixels + stb_image_write. This is the one file that defines
 *   STB_IMAGE_WRITE_IMPLEMENTATION.
 *-------------------------------------------------------------------------
 */
#include "viz/app/screenshot.h"

#include <GL/gl.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>

namespace minipg::viz {

std::string WriteFramebufferPng(const std::string& path, int width, int height) {
  if (width <= 0 || height <= 0) return fmt::format("bad framebuffer size {}x{}", width, height);
  const size_t stride = static_cast<size_t>(width) * 3;
  std::vector<unsigned char> pixels(stride * static_cast<size_t>(height));
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadBuffer(GL_BACK);
  glReadPixels(0, 0, width, height, GL_RGB, GL_UNSIGNED_BYTE, pixels.data());
  if (GLenum err = glGetError(); err != GL_NO_ERROR) {
    return fmt::format("glReadPixels failed with GL error 0x{:x}", err);
  }
  // GL rows go bottom-up; PNG rows top-down.
  std::vector<unsigned char> flipped(pixels.size());
  for (int y = 0; y < height; ++y) {
    std::memcpy(&flipped[static_cast<size_t>(y) * stride],
                &pixels[static_cast<size_t>(height - 1 - y) * stride], stride);
  }
  if (stbi_write_png(path.c_str(), width, height, 3, flipped.data(), static_cast<int>(stride)) ==
      0) {
    return fmt::format("cannot write \"{}\": {}", path, std::strerror(errno));
  }
  return "";
}

}  // namespace minipg::viz
