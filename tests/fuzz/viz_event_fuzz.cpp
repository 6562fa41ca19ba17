/*-------------------------------------------------------------------------
 * viz_event_fuzz.cpp
 *   Fuzz target: the viewer's event decoder and model (viz/model/event,
 *   model). Each input line is one line of the event stream, parsed with
 *   ParseLine and applied to a Model, as the viewer does with a live
 *   stream. Whatever a server (or anyone on its event port) sends, the
 *   model records anomalies; it never crashes or throws.
 *
 *   Checks: a line that parses has a known type slot, and the model counts
 *   every line it was given.
 *-------------------------------------------------------------------------
 */
#include <string_view>

#include "tests/fuzz/fuzz_input.h"
#include "viz/model/event.h"
#include "viz/model/model.h"

namespace viz = minipg::viz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  viz::ModelOptions options;
  options.log_capacity = 64;  // small bounds, so trimming runs too
  options.max_exited_processes = 4;
  options.max_anomalies = 16;
  viz::Model model(options);
  uint64_t lines = 0;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    viz::ParseResult parsed = viz::ParseLine(line);
    if (parsed.event && parsed.event->TypeSlot() >= viz::kEventTypeSlots) {
      minipg::fuzz::Fail("a parsed event has a type slot out of range");
    }
    model.ApplyParsedLine(line, parsed);
    ++lines;
  }
  if (model.lines_seen() > lines) minipg::fuzz::Fail("the model saw more lines than it was given");
  const viz::SharedMemory& shm = model.shared_memory();
  if (shm.buffers().size() > viz::kMaxBuffers || shm.relations().size() > viz::kMaxRelations ||
      shm.wal().recent.size() > viz::kMaxWalRecords) {
    minipg::fuzz::Fail("shared memory's picture grew past its bounds");
  }
  const viz::Transactions& txns = model.transactions();
  if (txns.backends().size() > viz::kMaxBackends || txns.vacuums().size() > viz::kMaxVacuumRuns) {
    minipg::fuzz::Fail("the transactions' picture grew past its bounds");
  }
  for (const auto& [pid, b] : txns.backends()) {
    if (b.locks.size() > viz::kMaxHeldLocks || b.savepoints.size() > viz::kMaxSavepoints ||
        (b.snapshot && b.snapshot->xip.size() > viz::kMaxXip)) {
      minipg::fuzz::Fail("a backend's transaction grew past its bounds");
    }
  }
  (void)txns.WaitForGraph();
  return 0;
}
