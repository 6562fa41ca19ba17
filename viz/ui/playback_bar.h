/*-------------------------------------------------------------------------
 * playback_bar.h
 *   The strip under the header that drives playback (viz/model/playback.h):
 *
 *     [LIVE] [pause|play] [<] [>] speed [1x] [======o-----] 3.210 s / 9.876 s  event 41/97  [save trace]
 *
 *   LIVE follows the stream; pause freezes the picture (events keep being
 *   recorded); < and > step one event back or forward; the slider seeks
 *   anywhere in what was received; play replays from the position at the
 *   chosen speed (0.1x to 10x). Keys: space play/pause, left/right step,
 *   End live. "save trace" writes everything received as a JSON Lines
 *   trace that `minipg-viz --open` replays with the same views.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <string>

#include "viz/model/playback.h"
#include "viz/ui/theme.h"

namespace minipg::viz::ui {

class PlaybackBar {
 public:
  explicit PlaybackBar(const Fonts& fonts);
  /* The strip's height (call inside a frame). */
  float Height() const;
  /* Draws the strip (its window is placed by the caller) and acts on clicks and keys. */
  void Draw(Playback& playback);

 private:
  void HandleKeys(Playback& playback);
  void SavePopup(Playback& playback);

  const Fonts& fonts_;
  char save_path_[512] = {};
  std::string save_result_;
  bool save_failed_ = false;
};

}  // namespace minipg::viz::ui
