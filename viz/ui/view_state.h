/*-------------------------------------------------------------------------
 * view_state.h
 *   What the panels share besides the model: the process the user
 *   selected (clicking a box in Processes, a row in Activity, a lane in the
 *   Timeline), and a request to move playback to a moment (clicking the
 *   Timeline). The app owns one ViewState and hands it to every panel.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <optional>

namespace minipg::viz::ui {

struct ViewState {
  int64_t selected_pid = 0;           // 0: nothing selected
  std::optional<int64_t> seek_to_ts;  // set by a panel, taken by the app's playback
  /* Where playback stands: the ts of the last event applied to the model
   * shown (the newest one while following live). */
  int64_t cursor_ts = 0;
  bool live = true;                   // following the stream (not paused or replaying)
  int64_t step_buffer = -1;           // the buffer a stepped backend stopped reading (-1: none)
  int64_t stopped_pid = 0;            // the backend the Query view shows, stopped by live stepping (0: none)
};

}  // namespace minipg::viz::ui
