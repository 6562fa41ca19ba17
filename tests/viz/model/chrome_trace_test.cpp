/*-------------------------------------------------------------------------
 * chrome_trace_test.cpp
 *   Tests of the Chrome trace-event export (viz/model/chrome_trace.h):
 *   recorded traces in tests/viz/model/data go in, and we check the JSON
 *   that Perfetto would read: processes and their names and order, complete
 *   events with exact ts/dur, flow arrows, instants, and that a truncated or
 *   damaged trace still exports.
 *
 * NOTES
 *   CheckWellFormed() checks what viewers rely on beyond valid JSON: the
 *   slices of one thread nest; every flow id has one 's' and one 'f', the
 *   's' first; an 's' directly follows, and an 'f' directly precedes, a
 *   complete event of the same pid, tid and ts (the slice it binds to).
 *-------------------------------------------------------------------------
 */
#include "viz/model/chrome_trace.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace minipg::viz {
namespace {

using Json = nlohmann::ordered_json;

constexpr int64_t kPostmaster = 100;
constexpr int64_t kCollector = 101;
constexpr int64_t kCheckpointer = 102;
constexpr int64_t kCheckpointer2 = 103;
constexpr int64_t kSim = 50;
constexpr int64_t kAlice1 = 200;
constexpr int64_t kBob = 201;
constexpr int64_t kCancelChild = 202;
constexpr int64_t kAlice2 = 203;
constexpr int64_t kAliceLane = int64_t{1} << 30;
constexpr int64_t kBobLane = kAliceLane + 1;

std::string DataPath(const char* name) {
  return fmt::format("{}/{}", MINIPG_VIZ_TEST_DATA, name);
}

std::vector<std::string> ReadLines(const char* name) {
  std::ifstream in(DataPath(name));
  EXPECT_TRUE(in.good()) << DataPath(name);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

/* Exports, serializes and parses back: the text must be valid JSON. */
Json RoundTrip(const std::vector<std::string>& lines, ChromeTraceStats* stats = nullptr) {
  std::string text = DumpChromeTrace(ExportChromeTrace(lines, stats));
  Json doc = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(doc.is_discarded()) << "not valid JSON";
  return doc;
}

std::vector<Json> EventsWhere(const Json& doc, const std::function<bool(const Json&)>& pred) {
  std::vector<Json> out;
  for (const Json& e : doc["traceEvents"]) {
    if (pred(e)) out.push_back(e);
  }
  return out;
}

/* The complete events of one thread with this name. */
std::vector<Json> Slices(const Json& doc, int64_t pid, int64_t tid, const std::string& name) {
  return EventsWhere(doc, [&](const Json& e) {
    return e["ph"] == "X" && e["pid"] == pid && e["tid"] == tid && e["name"] == name;
  });
}

/* Exactly one complete event of this name starts at ts; checks its dur. */
Json ExpectSlice(const Json& doc, int64_t pid, int64_t tid, const std::string& name, int64_t ts,
                 int64_t dur) {
  std::vector<Json> found;
  for (const Json& e : Slices(doc, pid, tid, name)) {
    if (e["ts"] == ts) found.push_back(e);
  }
  EXPECT_EQ(found.size(), 1u) << "slice '" << name << "' at " << ts << " on " << pid << "/" << tid;
  if (found.empty()) return Json();
  EXPECT_EQ(found[0]["dur"], dur) << name;
  return found[0];
}

Json Metadata(const Json& doc, const std::string& name, int64_t pid, int64_t tid) {
  auto found = EventsWhere(doc, [&](const Json& e) {
    return e["ph"] == "M" && e["name"] == name && e["pid"] == pid && e["tid"] == tid;
  });
  EXPECT_EQ(found.size(), 1u) << name << " of " << pid << "/" << tid;
  if (found.empty()) return Json();
  return found[0]["args"].contains("name") ? found[0]["args"]["name"]
                                           : found[0]["args"]["sort_index"];
}

struct FlowArrow {
  std::string name;
  int64_t from_pid = 0, from_tid = 0, from_ts = 0;
  int64_t to_pid = 0, to_tid = 0, to_ts = 0;
  std::string from_slice, to_slice;
};

/* Checks the invariants in NOTES and returns every arrow. */
std::vector<FlowArrow> CheckWellFormed(const Json& doc) {
  EXPECT_TRUE(doc.contains("traceEvents"));
  EXPECT_EQ(doc["displayTimeUnit"], "ms");
  EXPECT_TRUE(doc["otherData"].is_object());
  const Json& ev = doc["traceEvents"];
  std::map<uint64_t, FlowArrow> arrows;
  std::map<uint64_t, int> starts, finishes;
  auto slice_at = [&](size_t i) -> const Json* {
    if (i >= ev.size() || ev[i]["ph"] != "X") return nullptr;
    return &ev[i];
  };
  for (size_t i = 0; i < ev.size(); ++i) {
    const Json& e = ev[i];
    EXPECT_TRUE(e.contains("ph") && e.contains("pid") && e.contains("name")) << e.dump();
    std::string ph = e["ph"];
    if (ph == "X") {
      EXPECT_GE(e["dur"].get<int64_t>(), 0) << e.dump();
    } else if (ph == "s" || ph == "f") {
      uint64_t id = e["id"];
      // 's' after its slice (skipping the other 's' of that slice), 'f' before it.
      const Json* bound = nullptr;
      if (ph == "s") {
        size_t j = i;
        while (j > 0 && ev[j - 1]["ph"] == "s") --j;
        bound = j > 0 ? slice_at(j - 1) : nullptr;
      } else {
        size_t j = i + 1;
        while (j < ev.size() && ev[j]["ph"] == "f") ++j;
        bound = slice_at(j);
      }
      EXPECT_NE(bound, nullptr) << "flow event not next to a slice: " << e.dump();
      if (bound == nullptr) continue;
      EXPECT_EQ((*bound)["pid"], e["pid"]) << e.dump();
      EXPECT_EQ((*bound)["tid"], e["tid"]) << e.dump();
      EXPECT_EQ((*bound)["ts"], e["ts"]) << e.dump();
      FlowArrow& a = arrows[id];
      a.name = e["name"];
      if (ph == "s") {
        EXPECT_EQ(finishes[id], 0) << "flow " << id << " finishes before it starts";
        starts[id]++;
        a.from_pid = e["pid"], a.from_tid = e["tid"], a.from_ts = e["ts"];
        a.from_slice = (*bound)["name"];
      } else {
        finishes[id]++;
        a.to_pid = e["pid"], a.to_tid = e["tid"], a.to_ts = e["ts"];
        a.to_slice = (*bound)["name"];
      }
    }
  }
  for (const auto& [id, a] : arrows) {
    EXPECT_EQ(starts[id], 1) << "flow " << id << " (" << a.name << ")";
    EXPECT_EQ(finishes[id], 1) << "flow " << id << " (" << a.name << ")";
  }
  // Nesting: per thread, sorted as a viewer reads them, no partial overlap.
  std::map<std::pair<int64_t, int64_t>, std::vector<std::pair<int64_t, int64_t>>> threads;
  for (const Json& e : ev) {
    if (e["ph"] != "X") continue;
    int64_t ts = e["ts"], dur = e["dur"];
    threads[{e["pid"], e["tid"]}].push_back({ts, ts + dur});
  }
  for (auto& [key, spans] : threads) {
    std::stable_sort(spans.begin(), spans.end(), [](auto& a, auto& b) {
      return a.first != b.first ? a.first < b.first : a.second > b.second;
    });
    std::vector<int64_t> stack;
    for (auto [b, e] : spans) {
      while (!stack.empty() && stack.back() <= b) stack.pop_back();
      if (!stack.empty()) {
        EXPECT_LE(e, stack.back()) << "slice [" << b << "," << e << "] overlaps its parent on "
                                   << key.first << "/" << key.second;
      }
      stack.push_back(e);
    }
  }
  std::vector<FlowArrow> out;
  for (auto& [id, a] : arrows) out.push_back(a);
  return out;
}

std::vector<FlowArrow> ArrowsNamed(const std::vector<FlowArrow>& all, const std::string& name) {
  std::vector<FlowArrow> out;
  for (const FlowArrow& a : all) {
    if (a.name == name) out.push_back(a);
  }
  return out;
}

// Scenario: a whole scenario session (two clients, a cancel, a checkpoint,
// a crash cycle, a reconnect, a fast shutdown) exports with every process
// named and ordered as a teacher would draw it.
TEST(ChromeTraceTest, ProcessesAreNamedAndSorted) {
  ChromeTraceStats stats;
  Json doc = RoundTrip(ReadLines("export_session.jsonl"), &stats);
  CheckWellFormed(doc);

  EXPECT_EQ(Metadata(doc, "process_name", kPostmaster, kPostmaster), "postmaster");
  EXPECT_EQ(Metadata(doc, "process_name", kCollector, kCollector), "event collector");
  EXPECT_EQ(Metadata(doc, "process_name", kCheckpointer, kCheckpointer), "checkpointer");
  EXPECT_EQ(Metadata(doc, "process_name", kAlice1, kAlice1), "backend 200 (alice@shop)");
  EXPECT_EQ(Metadata(doc, "process_name", kBob, kBob), "backend 201 (bob@shop)");
  EXPECT_EQ(Metadata(doc, "process_name", kCancelChild, kCancelChild), "cancel request 202");
  EXPECT_EQ(Metadata(doc, "process_name", kAlice2, kAlice2), "backend 203 (alice@shop)");
  EXPECT_EQ(Metadata(doc, "process_name", kSim, kSim), "minipg-sim: Export test");

  // Postmaster first, then the auxiliary processes, then backends in fork
  // order, then the simulated clients' process.
  std::vector<int64_t> order = {kPostmaster,    kCollector, kCheckpointer,
                                kCheckpointer2, kAlice1,    kBob,
                                kCancelChild,   kAlice2,    kSim};
  for (size_t i = 0; i + 1 < order.size(); ++i) {
    EXPECT_LT(Metadata(doc, "process_sort_index", order[i], order[i]).get<int64_t>(),
              Metadata(doc, "process_sort_index", order[i + 1], order[i + 1]).get<int64_t>())
        << order[i] << " should sort before " << order[i + 1];
  }

  // Each simulated client is its own named lane in minipg-sim's process.
  EXPECT_EQ(Metadata(doc, "thread_name", kSim, kAliceLane), "client alice");
  EXPECT_EQ(Metadata(doc, "thread_name", kSim, kBobLane), "client bob");

  const Json& other = doc["otherData"];
  EXPECT_EQ(other["server_version"], "15.0 (minipg 0.1.0)");
  EXPECT_EQ(other["schema_version"], 4);
  EXPECT_EQ(other["malformed_lines"], 1);
  EXPECT_EQ(other["unknown_types"], 1);
  EXPECT_EQ(stats.malformed_lines, 1u);
  EXPECT_EQ(stats.unknown_types, 1u);
  EXPECT_EQ(stats.lines, 114u);
}

// Scenario: lifetimes, authentication, queries and their stages,
// checkpoints, postmaster phases and the clients' spans come out as
// complete events with the exact times of the events that bound them.
TEST(ChromeTraceTest, SpansBecomeCompleteEvents) {
  Json doc = RoundTrip(ReadLines("export_session.jsonl"));

  // Alice's first backend: fork at 2120, killed (child_exit) at 5010.
  Json life = ExpectSlice(doc, kAlice1, kAlice1, "backend 200 (alice@shop)", 2120, 2890);
  EXPECT_EQ(life["args"]["signal"], 9);
  ExpectSlice(doc, kAlice1, kAlice1, "authentication", 2150, 20);
  // Her cancelled query: query_start -> error 57014, stages from step to step.
  Json q = ExpectSlice(doc, kAlice1, kAlice1, "SELECT pg_sleep(30)", 3020, 510);
  EXPECT_EQ(q["args"]["text"], "SELECT pg_sleep(30)");
  EXPECT_EQ(q["args"]["sqlstate"], "57014");
  ExpectSlice(doc, kAlice1, kAlice1, "parse", 3020, 20);
  ExpectSlice(doc, kAlice1, kAlice1, "analyze", 3040, 20);
  Json plan = ExpectSlice(doc, kAlice1, kAlice1, "plan", 3060, 30);
  EXPECT_EQ(plan["args"]["plan"], "Result");
  EXPECT_TRUE(Slices(doc, kAlice1, kAlice1, "execute").empty());

  // Bob's CHECKPOINT and the checkpoint it asked for.
  Json cq = ExpectSlice(doc, kBob, kBob, "CHECKPOINT", 4020, 380);
  EXPECT_EQ(cq["args"]["tag"], "CHECKPOINT");
  EXPECT_EQ(cq["args"]["duration_us"], 380);
  ExpectSlice(doc, kBob, kBob, "execute", 4060, 330);
  Json ckpt = ExpectSlice(doc, kCheckpointer, kCheckpointer, "checkpoint (immediate force wait)",
                          4080, 300);
  EXPECT_EQ(ckpt["args"]["files"], 3);
  ExpectSlice(doc, kCheckpointer2, kCheckpointer2, "checkpoint (shutdown immediate)", 6470, 100);

  // Two statements in one Query message: one query span over both.
  Json two = ExpectSlice(doc, kAlice2, kAlice2, "SELECT 1; SELECT 2", 6210, 100);
  EXPECT_EQ(two["args"]["statements_done"], 2);
  EXPECT_EQ(Slices(doc, kAlice2, kAlice2, "execute").size(), 2u);

  // The postmaster's life and its phases.
  ExpectSlice(doc, kPostmaster, kPostmaster, "postmaster", 1010, 5600);
  ExpectSlice(doc, kPostmaster, kPostmaster, "crash recovery", 5030, 80);
  ExpectSlice(doc, kPostmaster, kPostmaster, "fast shutdown", 6410, 40);
  // accept (2110) -> fork (2120) of Alice's backend
  Json fork = ExpectSlice(doc, kPostmaster, kPostmaster, "fork backend 200", 2110, 10);
  EXPECT_EQ(fork["args"]["conn"], 1);

  // The clients' lanes: connection, handshake, queries.
  ExpectSlice(doc, kSim, kAliceLane, "connection alice@shop", 2100, 2990);
  ExpectSlice(doc, kSim, kAliceLane, "connect", 2100, 90);
  Json aq = ExpectSlice(doc, kSim, kAliceLane, "SELECT pg_sleep(30)", 3010, 560);
  EXPECT_EQ(aq["args"]["sqlstate"], "57014");
  Json bq = ExpectSlice(doc, kSim, kBobLane, "CHECKPOINT", 4010, 420);
  EXPECT_EQ(bq["args"]["tag"], "CHECKPOINT");
  ExpectSlice(doc, kSim, kBobLane, "connection bob@shop", 2200, 2880);

  // The scenario and its captions on minipg-sim's own lane.
  ExpectSlice(doc, kSim, kSim, "scenario: Export test", 2000, 4590);
  ExpectSlice(doc, kSim, kSim, "Bob asks for a checkpoint.", 4000, 1000);
}

// Scenario: the causes are arrows: each fork from the postmaster to the new
// process, the cancel request to the cancelled backend, the CHECKPOINT's
// signal to the checkpointer, the crash to every server process it
// terminates, and each client to its backend and its queries.
TEST(ChromeTraceTest, CausesBecomeFlowArrows) {
  Json doc = RoundTrip(ReadLines("export_session.jsonl"));
  std::vector<FlowArrow> arrows = CheckWellFormed(doc);

  auto forks = ArrowsNamed(arrows, "fork");
  std::set<int64_t> forked;
  for (const FlowArrow& a : forks) {
    EXPECT_EQ(a.from_pid, kPostmaster);
    forked.insert(a.to_pid);
  }
  EXPECT_EQ(forked, (std::set<int64_t>{kCollector, kCheckpointer, kAlice1, kBob, kCancelChild,
                                       kCheckpointer2, kAlice2}));
  for (const FlowArrow& a : forks) {
    if (a.to_pid == kAlice1) {
      EXPECT_EQ(a.to_ts, 2120);  // lands on the start of the backend's life
      EXPECT_EQ(a.to_slice, "backend 200 (alice@shop)");
    }
  }

  auto cancels = ArrowsNamed(arrows, "cancel");
  ASSERT_EQ(cancels.size(), 1u);
  EXPECT_EQ(cancels[0].from_pid, kCancelChild);
  EXPECT_EQ(cancels[0].to_pid, kAlice1);
  EXPECT_EQ(cancels[0].to_ts, 3520);

  auto signals = ArrowsNamed(arrows, "signal");
  ASSERT_EQ(signals.size(), 2u);
  EXPECT_EQ(signals[0].from_pid, kBob);
  EXPECT_EQ(signals[0].to_pid, kCheckpointer);
  EXPECT_EQ(signals[1].from_pid, kPostmaster);
  EXPECT_EQ(signals[1].to_pid, kCheckpointer2);

  // The crash of 200 reaches the processes still alive then (Bob's backend
  // and the checkpointer), not the collector, the dead cancel child or 200.
  auto crashes = ArrowsNamed(arrows, "crash");
  std::set<int64_t> hit;
  for (const FlowArrow& a : crashes) {
    EXPECT_EQ(a.from_pid, kPostmaster);
    EXPECT_EQ(a.to_ts, 5020);
    hit.insert(a.to_pid);
  }
  EXPECT_EQ(hit, (std::set<int64_t>{kBob, kCheckpointer}));

  // Each client's lane -> its backend when connected, and each query it
  // sends -> the backend's query.
  auto clients = ArrowsNamed(arrows, "client");
  std::set<std::pair<int64_t, int64_t>> links;
  for (const FlowArrow& a : clients) links.insert({a.from_tid, a.to_pid});
  EXPECT_EQ(links, (std::set<std::pair<int64_t, int64_t>>{
                       {kAliceLane, kAlice1}, {kBobLane, kBob}, {kAliceLane, kAlice2}}));
  auto queries = ArrowsNamed(arrows, "query");
  ASSERT_EQ(queries.size(), 3u);
  std::map<std::string, int64_t> query_to;
  for (const FlowArrow& a : queries) {
    EXPECT_EQ(a.from_pid, kSim);
    query_to[a.to_slice] = a.to_pid;
  }
  EXPECT_EQ(query_to["SELECT pg_sleep(30)"], kAlice1);
  EXPECT_EQ(query_to["CHECKPOINT"], kBob);
  EXPECT_EQ(query_to["SELECT 1; SELECT 2"], kAlice2);
}

// Scenario: captions, the crash, the shutdown request and a failed
// expectation are global instants; errors are instants on their lane.
TEST(ChromeTraceTest, InstantsForCaptionsErrorsAndCrash) {
  Json doc = RoundTrip(ReadLines("export_session.jsonl"));
  auto global = EventsWhere(doc, [](const Json& e) { return e["ph"] == "i" && e["s"] == "g"; });
  std::map<int64_t, std::string> at;
  for (const Json& e : global) at[e["ts"]] = e["name"];
  EXPECT_EQ(at[2010], "Alice and Bob connect.");
  EXPECT_EQ(at[4000], "Bob asks for a checkpoint.");
  EXPECT_EQ(at[5020], "crash: 200 was terminated by signal 9: Killed");
  EXPECT_EQ(at[5210], "expect FAILED: expect backends = 5");
  EXPECT_EQ(at[6400], "shutdown request (fast)");
  EXPECT_EQ(at[6590], "scenario failed (1 failures)");
  int captions = 0;
  for (const Json& e : global) captions += e["args"].contains("step");
  EXPECT_EQ(captions, 5);

  auto errors = EventsWhere(doc, [](const Json& e) {
    return e["ph"] == "i" && e["s"] == "t" &&
           e["name"].get<std::string>().starts_with("ERROR 57014");
  });
  ASSERT_EQ(errors.size(), 2u);  // the backend's, and the client's on its lane
  EXPECT_EQ(errors[0]["pid"], kAlice1);
  EXPECT_EQ(errors[1]["tid"], kAliceLane);
}

// Scenario: a trace cut short (the server was still running) exports; what
// was open ends at the last timestamp and says so.
TEST(ChromeTraceTest, TruncatedTraceClosesOpenSpansAtLastTimestamp) {
  std::vector<std::string> lines = ReadLines("export_session.jsonl");
  std::vector<std::string> head;
  for (const std::string& line : lines) {
    head.push_back(line);
    if (line.find(R"("type":"plan","ts":3090)") != std::string::npos) break;
  }
  ASSERT_LT(head.size(), lines.size());
  Json doc = RoundTrip(head);
  CheckWellFormed(doc);
  EXPECT_EQ(doc["otherData"]["last_ts"], 3090);
  Json q = ExpectSlice(doc, kAlice1, kAlice1, "SELECT pg_sleep(30)", 3020, 70);
  EXPECT_EQ(q["args"]["open_at_end_of_trace"], true);
  ExpectSlice(doc, kAlice1, kAlice1, "backend 200 (alice@shop)", 2120, 970);
  ExpectSlice(doc, kPostmaster, kPostmaster, "postmaster", 1010, 2080);
  ExpectSlice(doc, kSim, kAliceLane, "SELECT pg_sleep(30)", 3010, 80);
  ExpectSlice(doc, kSim, kAliceLane, "connection alice@shop", 2100, 990);

  // The older sample, cut in the middle of a line.
  ChromeTraceStats stats;
  Json cut = RoundTrip(ReadLines("truncated.jsonl"), &stats);
  CheckWellFormed(cut);
  EXPECT_EQ(stats.malformed_lines, 1u);
  ExpectSlice(cut, 200, 200, "backend 200 ([local])", 1020, 0);
}

// Scenario: damaged input is counted, never fatal: garbage, a JSON array,
// a line without ts, an unknown type, invalid UTF-8 in a query text.
TEST(ChromeTraceTest, MalformedLinesAreCountedNotFatal) {
  std::vector<std::string> lines = {
      R"({"type":"postmaster_start","ts":10,"pid":1,"port":5432})",
      "not json at all",
      "[1,2,3]",
      R"({"type":"state","pid":2,"state":"idle"})",
      "",
      R"({"type":"brand_new_type","ts":20,"pid":1})",
      R"({"type":"fork","ts":30,"pid":1,"child":2,"role":"backend","conn":1})",
      "{\"type\":\"query_start\",\"ts\":40,\"pid\":2,\"text\":\"SELECT '\xff\xfe'\"}",
      R"({"type":"query_done","ts":50,"pid":2,"tag":"SELECT 1","rows":1,"duration_us":10})",
  };
  ChromeTraceStats stats;
  ChromeTraceExporter exporter;
  for (const std::string& line : lines) exporter.AddLine(line);
  stats = exporter.stats();
  EXPECT_EQ(stats.lines, 8u);            // the blank line is not counted
  EXPECT_EQ(stats.malformed_lines, 4u);  // garbage, array, no ts, invalid UTF-8
  EXPECT_EQ(stats.unknown_types, 1u);
  Json doc = Json::parse(DumpChromeTrace(exporter.Build()), nullptr, false);
  ASSERT_FALSE(doc.is_discarded());
  EXPECT_EQ(doc["otherData"]["malformed_lines"], 4);
  CheckWellFormed(doc);
  ExpectSlice(doc, 2, 2, "backend 2", 30, 20);
}

// Scenario: a live session exports what it has so far, and again later:
// Build() does not disturb the exporter, and feeding events one by one
// gives the same document as exporting the whole file.
TEST(ChromeTraceTest, IncrementalExportMatchesWholeFile) {
  std::vector<std::string> lines = ReadLines("export_session.jsonl");
  ChromeTraceExporter live;
  size_t half = lines.size() / 2;
  for (size_t i = 0; i < half; ++i) live.AddLine(lines[i]);
  Json partial = live.Build();
  CheckWellFormed(partial);
  for (size_t i = half; i < lines.size(); ++i) {
    ParseResult r = ParseEvent(lines[i]);
    if (r.event) live.Add(*r.event);
  }
  Json whole = ExportChromeTrace(lines);
  Json again = live.Build();
  // Only the line counts differ: Add() takes events, not lines.
  again["otherData"].erase("lines");
  again["otherData"].erase("malformed_lines");
  whole["otherData"].erase("lines");
  whole["otherData"].erase("malformed_lines");
  EXPECT_EQ(DumpChromeTrace(again), DumpChromeTrace(whole));
}

// Scenario: a stream in the wrong order (events shuffled, as a broken or
// hostile source could send them) still gives a document viewers accept:
// slices nest, every arrow has both ends and starts before it ends.
TEST(ChromeTraceTest, ShuffledStreamStaysWellFormed) {
  std::vector<std::string> lines = ReadLines("export_session.jsonl");
  for (unsigned seed = 1; seed <= 20; ++seed) {
    SCOPED_TRACE(seed);
    std::vector<std::string> shuffled = lines;
    std::mt19937 rng(seed);
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    ChromeTraceStats stats;
    Json doc = RoundTrip(shuffled, &stats);
    EXPECT_EQ(stats.malformed_lines, 1u);
    CheckWellFormed(doc);
  }
}

// Scenario: lines damaged at random (cut short, a digit changed, a value
// swapped for another type, extreme numbers) never crash the exporter and
// still give a well-formed document. Run under the sanitizers in CI.
TEST(ChromeTraceTest, RandomlyDamagedLinesStayWellFormed) {
  std::vector<std::string> lines = ReadLines("export_session.jsonl");
  const std::vector<std::string> values = {"-9223372036854775808",
                                           "9223372036854775807",
                                           "\"x\"",
                                           "null",
                                           "[]",
                                           "{}",
                                           "-1",
                                           "0",
                                           "1e300",
                                           "true"};
  for (unsigned seed = 1; seed <= 30; ++seed) {
    SCOPED_TRACE(seed);
    std::mt19937 rng(seed);
    std::vector<std::string> damaged;
    for (std::string line : lines) {
      switch (rng() % 6) {
        case 0:  // cut short
          line.resize(rng() % (line.size() + 1));
          break;
        case 1: {  // a digit changed
          size_t at = line.find_first_of("0123456789", rng() % (line.size() + 1));
          if (at != std::string::npos) line[at] = static_cast<char>('0' + rng() % 10);
          break;
        }
        case 2: {  // the value after some ':' replaced
          size_t colon = line.find(':', rng() % (line.size() + 1));
          if (colon == std::string::npos) break;
          size_t end = line.find_first_of(",}", colon);
          if (end == std::string::npos) break;
          line = line.substr(0, colon + 1) + values[rng() % values.size()] + line.substr(end);
          break;
        }
        default:
          break;
      }
      damaged.push_back(line);
    }
    ChromeTraceStats stats;
    Json doc = RoundTrip(damaged, &stats);
    size_t blank = std::count(damaged.begin(), damaged.end(), "");
    EXPECT_EQ(stats.lines, damaged.size() - blank);
    CheckWellFormed(doc);
  }
}

// Scenario: a child's event stamped before its own fork (a clock that
// cannot be trusted): the arrow still starts before it ends, at the fork.
TEST(ChromeTraceTest, ChildEventBeforeItsForkKeepsArrowValid) {
  std::vector<std::string> lines = {
      R"({"type":"state","ts":50,"pid":2,"state":"starting"})",
      R"({"type":"postmaster_start","ts":10,"pid":1,"port":5432})",
      R"({"type":"fork","ts":100,"pid":1,"child":2,"role":"backend","conn":1})",
      R"({"type":"child_exit","ts":200,"pid":1,"child":2,"role":"backend","exit_code":0})",
  };
  Json doc = RoundTrip(lines);
  auto forks = ArrowsNamed(CheckWellFormed(doc), "fork");
  ASSERT_EQ(forks.size(), 1u);
  EXPECT_EQ(forks[0].to_pid, 2);
  EXPECT_EQ(forks[0].to_ts, 100);
  ExpectSlice(doc, 2, 2, "backend 2", 50, 150);
}

// Scenario: every sample trace, including the older ones, exports to a
// well-formed document, and the file-to-file function writes it.
TEST(ChromeTraceTest, AllSampleTracesExport) {
  for (const char* name : {"lifecycle.jsonl", "three_backends.jsonl", "snapshot.jsonl",
                           "snapshot_fields.jsonl", "export_session.jsonl"}) {
    SCOPED_TRACE(name);
    Json doc = RoundTrip(ReadLines(name));
    CheckWellFormed(doc);
    EXPECT_GT(doc["traceEvents"].size(), 4u);
  }
  std::string out = ::testing::TempDir() + "chrome_trace_test_out.json";
  ChromeTraceStats stats;
  EXPECT_EQ(ExportChromeTraceFile(DataPath("lifecycle.jsonl"), out, &stats), "");
  EXPECT_EQ(stats.events, 24u);
  std::ifstream in(out);
  Json doc = Json::parse(in, nullptr, false);
  ASSERT_FALSE(doc.is_discarded());
  ExpectSlice(doc, 200, 200, "SELECT id, name FROM items WHERE id < 4;", 1300000, 500);
  EXPECT_NE(ExportChromeTraceFile(DataPath("no_such_file.jsonl"), out), "");
  EXPECT_NE(ExportChromeTraceFile(DataPath("lifecycle.jsonl"), "/no/such/dir/out.json"), "");
}

}  // namespace
}  // namespace minipg::viz
