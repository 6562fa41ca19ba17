/*-------------------------------------------------------------------------
 * viz_trace_fuzz.cpp
 *   Fuzz target: the viewer reading a saved trace (viz/model/source,
 *   trace_store, playback, chrome_trace). The input is a trace file: a
 *   FileSource reads it (through a memfd, so no disk is touched), every
 *   line goes to a Playback (recorded in its TraceStore, applied to the
 *   live model, a checkpoint every 16 lines) and to a ChromeTraceExporter;
 *   then the replay seeks and steps through the record, and the export
 *   is built and serialized, as `minipg-viz --export-chrome` does.
 *
 *   Checks: the TraceStore gives back every line as it was appended, and
 *   a seek lands on the line asked for.
 *-------------------------------------------------------------------------
 */
#include <sys/mman.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "tests/fuzz/fuzz_input.h"
#include "viz/model/chrome_trace.h"
#include "viz/model/playback.h"
#include "viz/model/source.h"
#include "viz/model/trace_store.h"

namespace viz = minipg::viz;

namespace {

/* The lines a FileSource reads from `data`. */
std::vector<viz::SourceLine> ReadAsFile(std::string_view data) {
  std::vector<viz::SourceLine> lines;
  int fd = memfd_create("trace", 0);
  if (fd < 0) return lines;
  if (write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size())) {
    viz::FileSource source("/proc/self/fd/" + std::to_string(fd));
    source.PollLines(lines, data.size() + 1);
  }
  close(fd);
  return lines;
}

void CheckStore(const std::vector<viz::SourceLine>& lines) {
  viz::TraceStore store;
  if (!store.error().empty()) return;
  for (size_t i = 0; i < lines.size(); ++i) store.Append(lines[i].text, static_cast<int64_t>(i) - 1);
  bool same = store.Read(0, lines.size(), [&](size_t i, std::string_view line) {
    if (i >= lines.size() || line != lines[i].text) minipg::fuzz::Fail("TraceStore gave back another line");
  });
  if (!same) minipg::fuzz::Fail("TraceStore could not read back its own file");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<viz::SourceLine> lines =
      ReadAsFile(std::string_view(reinterpret_cast<const char*>(data), size));
  CheckStore(lines);

  viz::ModelOptions options;
  options.log_capacity = 64;
  options.max_exited_processes = 4;
  options.max_anomalies = 16;
  viz::Playback playback(options, /*checkpoint_every=*/16, /*lines_per_process=*/1);
  viz::ChromeTraceExporter exporter;
  for (viz::SourceLine& line : lines) {
    exporter.AddLine(line.text);
    playback.Append(line.text, viz::TakeParse(line));
  }
  if (playback.size() > 0) {
    size_t middle = playback.size() / 2;
    playback.SeekLine(middle);
    if (playback.position() != middle) minipg::fuzz::Fail("a seek landed on another line");
    playback.StepBack();
    playback.StepForward();
    playback.SeekTs(playback.live_model().first_ts());
    playback.Play();
    playback.Tick(1'000'000);
    playback.GoLive();
  }
  (void)viz::DumpChromeTrace(exporter.Build());
  return 0;
}
