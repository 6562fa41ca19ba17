/*-------------------------------------------------------------------------
 * text_fit.h
 *   Shortening text to the room a panel has, keeping the part that
 *   matters. A path keeps its start (where) and its end (which file):
 *
 *     EllipsizeMiddle("/tmp/minipg_sim_abc/.s.PGSQL.5432", 24)
 *       -> "/tmp/min.../.s.PGSQL.5432"
 *
 * NOTES
 *   Plain strings, no ImGui (theme.h's FitMiddle measures pixels with it);
 *   unit-tested in tests/viz/ui/text_fit_test.cpp.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <string>
#include <string_view>

namespace minipg::viz::ui {

/* `text` if it has at most `max_chars` characters; else its first third
 * and its last two thirds of max_chars - 3, joined by "...". */
std::string EllipsizeMiddle(std::string_view text, size_t max_chars);

}  // namespace minipg::viz::ui
