/*-------------------------------------------------------------------------
 * chrome_trace.h
 *   Export of a minipg event trace (docs/events.md) to the Chrome
 *   trace-event JSON format, so that a recorded session opens in Perfetto
 *   (ui.perfetto.dev) and chrome://tracing.
 *
 *     ChromeTraceExporter x;
 *     for (line : trace) x.AddLine(line);     // or x.Add(event), live
 *     nlohmann::ordered_json doc = x.Build(); // {"traceEvents":[...], ...}
 *
 *   The spans, arrows and markers are SpanBuilder's (spans.h), the same
 *   the Timeline panel draws; this class writes them out.
 *
 *   What becomes what (docs/viz.md, "Export to Perfetto"):
 *     minipg process            -> a Chrome process (pid = the minipg pid),
 *                                  named and sorted by metadata events
 *     simulated client          -> a thread (lane) of minipg-sim's process
 *     lifetime, authentication, query, stage, checkpoint, postmaster
 *     phase, client connection and client query -> complete events ("X")
 *     fork, cancel, signal, crash, client -> backend -> flow events ("s"/"f")
 *     caption, error, rejection, crash, shutdown request, failed expect
 *                               -> instant events ("i")
 *
 * NOTES
 *   Input is untrusted: malformed lines and unknown types are skipped and
 *   counted (in stats() and in the document's otherData), never fatal.
 *   Build() may be called at any time and as often as wanted: spans still
 *   open end at the last timestamp seen, so a live session or a truncated
 *   file exports as far as it got. Nothing here throws.
 *   Memory grows with the trace (every finished span is kept until Build).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "viz/model/event.h"

namespace minipg::viz {

struct ChromeTraceStats {
  uint64_t lines = 0;            // non-blank lines given to AddLine
  uint64_t events = 0;           // events taken (parsed lines and Add calls)
  uint64_t malformed_lines = 0;  // not an event, or an impossible ts: skipped
  uint64_t unknown_types = 0;    // events of a type this version does not know: skipped
};

class ChromeTraceExporter {
 public:
  ChromeTraceExporter();
  ~ChromeTraceExporter();
  ChromeTraceExporter(const ChromeTraceExporter&) = delete;
  ChromeTraceExporter& operator=(const ChromeTraceExporter&) = delete;

  /* Parses and takes one JSON line; blank lines are ignored, malformed ones counted. */
  void AddLine(std::string_view line);
  /* Takes one parsed event (in stream order). */
  void Add(const Event& ev);

  /* The whole document: {"traceEvents":[...], "displayTimeUnit":"ms", "otherData":{...}}. */
  nlohmann::ordered_json Build() const;

  const ChromeTraceStats& stats() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

/* The export of a whole trace given as lines. */
nlohmann::ordered_json ExportChromeTrace(const std::vector<std::string>& lines,
                                         ChromeTraceStats* stats = nullptr);

/*
 * Reads the JSON Lines trace at `trace_path` and writes its export to
 * `out_path`. Returns an empty string on success, else what went wrong
 * (a file that cannot be read or written; bad lines are only counted).
 */
std::string ExportChromeTraceFile(const std::string& trace_path, const std::string& out_path,
                                  ChromeTraceStats* stats = nullptr);

/* Serializes a document; invalid UTF-8 in strings is replaced, never thrown on. */
std::string DumpChromeTrace(const nlohmann::ordered_json& doc);

}  // namespace minipg::viz
