/*-------------------------------------------------------------------------
 * chrome_trace.cpp
 *   Writing minipg spans as Chrome trace events (see chrome_trace.h).
 *
 *   The spans, markers and arrows come from SpanBuilder (spans.h), which
 *   the Timeline panel draws too; this file only serializes them: metadata
 *   naming and ordering processes and client lanes, complete events, flow
 *   events and instants, and otherData.
 *
 * NOTES
 *   Flow events bind to slices by position, so each arrow has a short
 *   "anchor" slice (1 us) at each end where no real span begins at that
 *   moment (SpanBuilder makes them): the 's' event follows its slice with
 *   the same ts, pid and tid, the 'f' event precedes its slice likewise.
 *   Perfetto draws the arrow from the end of the source slice to the start
 *   of the target slice, and drops an 'f' read before its 's'; so a source
 *   anchor ENDS at the event's ts (it begins 1 us earlier) and a target
 *   begins at it: the source always comes first in ts order and the arrow
 *   is vertical.
 *   Slices on one thread must nest; the stream guarantees it for a real
 *   server, and Build() clips any slice that would overlap its parent's end
 *   (a truncated or odd trace) instead of producing a file viewers reject.
 *-------------------------------------------------------------------------
 */
#include "viz/model/chrome_trace.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <utility>

#include "viz/model/spans.h"

namespace minipg::viz {

using Json = nlohmann::ordered_json;

namespace {

constexpr const char* kCategory = "minipg";

}  // namespace

class ChromeTraceExporter::Impl {
 public:
  void Add(const Event& ev) {
    builder_.Add(ev);
    const SpanStats& b = builder_.stats();
    stats_.events = b.events;
    stats_.malformed_lines = unparsed_lines_ + b.bad_timestamps;
    stats_.unknown_types = b.unknown_types;
  }
  Json Build() const;

  SpanBuilder builder_;
  ChromeTraceStats stats_;
  uint64_t unparsed_lines_ = 0;  // lines that were not an event at all
};

/* --- the document ------------------------------------------------------- */

namespace {

Json SliceEvent(const Span& s) {
  Json e = Json::object();
  e["name"] = s.name;
  e["cat"] = kCategory;
  e["ph"] = "X";
  e["ts"] = s.ts;
  e["dur"] = s.end - s.ts;
  e["pid"] = s.pid;
  e["tid"] = s.tid;
  if (!s.args.empty()) e["args"] = s.args;
  return e;
}

Json FlowEvent(const Span& s, const FlowBinding& f) {
  Json e = Json::object();
  e["name"] = f.name;
  e["cat"] = kCategory;
  e["ph"] = f.start ? "s" : "f";
  e["id"] = f.id;
  e["ts"] = s.ts;
  e["pid"] = s.pid;
  e["tid"] = s.tid;
  return e;
}

Json Metadata(const char* name, int64_t pid, int64_t tid, Json value) {
  Json e = Json::object();
  e["name"] = name;
  e["ph"] = "M";
  e["pid"] = pid;
  e["tid"] = tid;
  Json args = Json::object();
  args[std::string(name).ends_with("sort_index") ? "sort_index" : "name"] = std::move(value);
  e["args"] = std::move(args);
  return e;
}

/* Clips slices so that those of one thread nest (viewers reject partial overlap). */
void RepairNesting(std::vector<Span>& slices) {
  std::vector<size_t> order(slices.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const Span& x = slices[a];
    const Span& y = slices[b];
    if (x.pid != y.pid) return x.pid < y.pid;
    if (x.tid != y.tid) return x.tid < y.tid;
    if (x.ts != y.ts) return x.ts < y.ts;
    if (x.end != y.end) return x.end > y.end;
    return x.seq < y.seq;
  });
  std::vector<int64_t> stack;  // ends of the open ancestors
  const Span* prev = nullptr;
  for (size_t i : order) {
    Span& s = slices[i];
    if (prev == nullptr || prev->pid != s.pid || prev->tid != s.tid) stack.clear();
    while (!stack.empty() && stack.back() <= s.ts) stack.pop_back();
    if (!stack.empty() && s.end > stack.back()) s.end = stack.back();
    stack.push_back(s.end);
    prev = &s;
  }
}

}  // namespace

Json ChromeTraceExporter::Impl::Build() const {
  SpanSnapshot snap = builder_.Snapshot();
  std::vector<Span>& slices = snap.spans;
  RepairNesting(slices);

  Json events = Json::array();
  // Metadata: names and order of processes and threads.
  for (const SpanLane& lane : builder_.Lanes()) {
    if (lane.group == LaneGroup::kClient) {
      events.push_back(Metadata("thread_name", lane.pid, lane.tid, lane.name));
      events.push_back(Metadata("thread_sort_index", lane.pid, lane.tid, lane.sort_index));
      continue;
    }
    events.push_back(Metadata("process_name", lane.pid, lane.pid, lane.name));
    events.push_back(Metadata("process_sort_index", lane.pid, lane.pid, lane.sort_index));
    std::string thread = lane.role == "minipg-sim" ? std::string("scenario") : lane.name;
    events.push_back(Metadata("thread_name", lane.pid, lane.pid, thread));
    events.push_back(Metadata("thread_sort_index", lane.pid, lane.pid, 0));
  }

  // Timed events in ts order; at one ts, enclosing slices before enclosed
  // ones. A slice's 'f' events come just before it, its 's' just after.
  struct Item {
    int64_t ts, end;
    uint64_t seq;
    const Span* slice;
    const SpanInstant* instant;
  };
  std::vector<Item> items;
  const std::vector<SpanInstant>& instants = snap.instants;
  items.reserve(slices.size() + instants.size());
  for (const Span& s : slices) items.push_back({s.ts, s.end, s.seq, &s, nullptr});
  for (const SpanInstant& i : instants) items.push_back({i.ts, i.ts, i.seq, nullptr, &i});
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    if (a.ts != b.ts) return a.ts < b.ts;
    if (a.end != b.end) return a.end > b.end;
    return a.seq < b.seq;
  });
  for (const Item& item : items) {
    if (item.slice != nullptr) {
      const Span& s = *item.slice;
      for (const FlowBinding& f : s.flows) {
        if (!f.start) events.push_back(FlowEvent(s, f));
      }
      events.push_back(SliceEvent(s));
      for (const FlowBinding& f : s.flows) {
        if (f.start) events.push_back(FlowEvent(s, f));
      }
      continue;
    }
    const SpanInstant& i = *item.instant;
    Json e = Json::object();
    e["name"] = i.name;
    e["cat"] = kCategory;
    e["ph"] = "i";
    e["s"] = i.global ? "g" : "t";
    e["ts"] = i.ts;
    e["pid"] = i.pid;
    e["tid"] = i.tid;
    if (!i.args.empty()) e["args"] = i.args;
    events.push_back(std::move(e));
  }

  Json other = Json::object();
  other["exporter"] = "minipg-viz --export-chrome";
  const TraceInfo& info = builder_.info();
  other["server"] = info.server;
  other["server_version"] = info.server_version;
  other["schema_version"] = info.schema_version ? Json(*info.schema_version) : Json(nullptr);
  other["exporter_schema_version"] = trace::kEventSchemaVersion;
  if (info.wall_us) {
    other["wall_us"] = *info.wall_us;
    other["wall_us_at_ts"] = info.hello_ts.value_or(0);
  }
  other["first_ts"] = builder_.first_ts();
  other["last_ts"] = builder_.last_ts();
  other["lines"] = stats_.lines;
  other["events"] = stats_.events;
  other["malformed_lines"] = stats_.malformed_lines;
  other["unknown_types"] = stats_.unknown_types;

  Json doc = Json::object();
  doc["traceEvents"] = std::move(events);
  doc["displayTimeUnit"] = "ms";
  doc["otherData"] = std::move(other);
  return doc;
}

/* --- public interface --------------------------------------------------- */

ChromeTraceExporter::ChromeTraceExporter() : impl_(std::make_unique<Impl>()) {}
ChromeTraceExporter::~ChromeTraceExporter() = default;

void ChromeTraceExporter::AddLine(std::string_view line) {
  if (IsBlankLine(line)) return;
  impl_->stats_.lines++;
  ParseResult r = ParseEvent(line);
  if (!r.event) {
    impl_->unparsed_lines_++;
    impl_->stats_.malformed_lines++;
    return;
  }
  impl_->Add(*r.event);
}

void ChromeTraceExporter::Add(const Event& ev) {
  impl_->Add(ev);
}

Json ChromeTraceExporter::Build() const {
  return impl_->Build();
}

const ChromeTraceStats& ChromeTraceExporter::stats() const {
  return impl_->stats_;
}

Json ExportChromeTrace(const std::vector<std::string>& lines, ChromeTraceStats* stats) {
  ChromeTraceExporter exporter;
  for (const std::string& line : lines) exporter.AddLine(line);
  if (stats != nullptr) *stats = exporter.stats();
  return exporter.Build();
}

std::string DumpChromeTrace(const Json& doc) {
  return doc.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string ExportChromeTraceFile(const std::string& trace_path, const std::string& out_path,
                                  ChromeTraceStats* stats) {
  std::ifstream in(trace_path, std::ios::binary);
  if (!in) return fmt::format("cannot open {}", trace_path);
  ChromeTraceExporter exporter;
  std::string line;
  while (std::getline(in, line)) exporter.AddLine(line);
  if (in.bad()) return fmt::format("error reading {}", trace_path);
  if (stats != nullptr) *stats = exporter.stats();
  std::string text = DumpChromeTrace(exporter.Build());
  std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
  if (!out) return fmt::format("cannot write {}", out_path);
  out << text << '\n';
  out.close();
  if (!out) return fmt::format("error writing {}", out_path);
  return "";
}

}  // namespace minipg::viz
