/*-------------------------------------------------------------------------
 * text_fit.cpp
 *   Shortening text by its middle (see text_fit.h).
 *-------------------------------------------------------------------------
 */
#include "viz/ui/text_fit.h"

namespace minipg::viz::ui {

std::string EllipsizeMiddle(std::string_view text, size_t max_chars) {
  if (text.size() <= max_chars) return std::string(text);
  if (max_chars <= 5) return std::string(text.substr(0, max_chars));
  size_t keep = max_chars - 3;
  size_t head = keep / 3;  // the end (the file's own name) matters more
  return std::string(text.substr(0, head)) + "..." + std::string(text.substr(text.size() - (keep - head)));
}

}  // namespace minipg::viz::ui
