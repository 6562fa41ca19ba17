/*-------------------------------------------------------------------------
 * narration_panel.h
 *   The scenario's caption, large, with its step number: what a teacher
 *   wants the class to notice now (minipg-sim's caption events). Below it,
 *   the lesson's title and how its expectations are going. Drawn only
 *   while a scenario is being played (or was, in a saved trace).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <imgui.h>

#include "viz/model/model.h"
#include "viz/ui/theme.h"

namespace minipg::viz::ui {

class NarrationPanel {
 public:
  explicit NarrationPanel(const Fonts& fonts) : fonts_(fonts) {}
  /* The height of its strip (0 when no scenario is playing); the same
   * for every caption, so the layout below stays still. */
  float Height(const Model& model, float width) const;
  void Draw(const Model& model);

 private:
  const Fonts& fonts_;
};

}  // namespace minipg::viz::ui
