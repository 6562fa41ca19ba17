/*-------------------------------------------------------------------------
 * scenarios_window.h
 *   The lessons of scenarios/, listed with their teaching goals, each with
 *   a "run" button. Running one is the app's business (it starts a server
 *   made as the lesson's setup asks, watches it, and has minipg-sim play
 *   the lesson); this window only lists and reports what was chosen.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <string>
#include <vector>

#include "viz/ui/theme.h"

namespace minipg::viz::ui {

struct ScenarioEntry {
  std::string path;   // the .scn file
  std::string title;  // its `title`
  std::string goal;   // its `goal` lines, joined
  std::string folder;  // "" for scenarios/ of the source tree; else the teacher's folder (--lessons)
};

class ScenariosWindow {
 public:
  explicit ScenariosWindow(const Fonts& fonts) : fonts_(fonts) {}

  void SetEntries(std::vector<ScenarioEntry> entries) { entries_ = std::move(entries); }
  void Toggle() { open_ = !open_; }
  bool open() const { return open_; }
  size_t size() const { return entries_.size(); }  // lessons listed
  const std::vector<ScenarioEntry>& entries() const { return entries_; }
  /* The playing lesson's title, shown against it ("" for none). */
  void SetRunning(std::string title) { running_ = std::move(title); }
  /* A problem starting the last one ("" for none). */
  void SetError(std::string error) { error_ = std::move(error); }

  /* Draws the window if open; returns the path of a lesson to run, or "". */
  std::string Draw();

 private:
  const Fonts& fonts_;
  std::vector<ScenarioEntry> entries_;
  bool open_ = false;
  std::string running_;
  std::string error_;
};

}  // namespace minipg::viz::ui
