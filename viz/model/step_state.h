/*-------------------------------------------------------------------------
 * step_state.h
 *   A stepped backend as the event stream tells it (docs/stepping.md):
 *   each step_pause says where it stopped (the point, the plan node, the
 *   rows that node has returned so far, the row's values), each
 *   step_resume that it went on. The model keeps one StepInfo per process
 *   (Process::step); the Query view draws it, live or in a replay.
 *
 *     (not stepped) --step_pause--> paused --step_resume--> running
 *                                     ^------step_pause-------'
 *
 *   Per plan node it keeps the rows and state the pauses revealed (each
 *   step_pause carries the whole live plan in `nodes`), so a recorded
 *   trace, or a window that is not the one stepping, shows the same live
 *   plan a live minipg_query_state would; they start afresh with each query.
 *
 *   FindStepPause() searches a recorded trace for the next or previous
 *   step_pause: the replay's "next step point" / "previous step point".
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "viz/model/event.h"
#include "viz/model/trace_store.h"

namespace minipg::viz {

inline constexpr size_t kMaxStepNodes = 64;

/* One step point a backend stopped at (a step_pause's fields). */
struct StepPoint {
  std::string point;     // "parse", ..., "row", "page", "lock wait", "commit", "error"
  int64_t node_id = -1;  // the plan node (-1: none)
  std::string node;      // its EXPLAIN title
  int64_t rows = 0;      // rows that node has returned so far
  std::string detail;    // the row's values, the page, the lock ("" without event_query_text)
  int64_t ts = 0;
};

/* What the pauses told about one plan node. */
struct StepNode {
  int64_t id = 0;
  int64_t rows = 0;
  std::string title;  // its EXPLAIN title
  std::string state;  // "not started", "running", "returned row", "done"
};

struct StepInfo {
  bool paused = false;               // stopped at `last` right now
  std::optional<StepPoint> last;     // the point it is stopped at, or last stopped at
  int64_t pauses = 0;                // step_pause events seen for this backend
  int64_t paused_us = 0;             // the last step_resume's paused_us
  int64_t query_start_ts = -1;       // the query `nodes` belong to
  std::vector<StepNode> nodes;       // by node id as the pauses revealed them

  const StepNode* Node(int64_t id) const;
  /* "row: Hash Join [node 2], rows 3 | (1,ann)": minipg_step_next's words. */
  std::string Describe() const;
};

/* Applies a step_pause or step_resume to `info`; `query_start_ts` is the
 * backend's current query's start (the per-node state restarts with a new
 * query). Returns what was wrong with the event ("" if nothing). */
std::string ApplyStepEvent(StepInfo& info, const Event& ev, int64_t query_start_ts);

/* The index of the next step_pause line at or after `from` (forward), or
 * the last one before `from` (backward), of backend `pid` (0: any);
 * nullopt if none. Reads the record, so costs its length at most. */
std::optional<size_t> FindStepPause(TraceStore& store, size_t from, bool forward, int64_t pid);

}  // namespace minipg::viz
