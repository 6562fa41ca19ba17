/*-------------------------------------------------------------------------
 * query_trace.h
 *   One backend's current (or last) query as it went through the stages:
 *   its text, every step with its time, and per statement what analyze
 *   found, the plan tree and the rows each plan node produced. The Query
 *   panel draws it; the model keeps one per process (Process::query).
 *
 *   An event marks the END of its stage (the backend emits "plan" once the
 *   plan is made), so a stage's time is from the step before it to its
 *   event, and while a query runs the stage in progress is the one after
 *   the last step seen.
 *
 *   Simple protocol (one Query message; the text may hold N statements):
 *
 *     query_start -> parse -> { analyze -> plan -> execute -> query_done } x N
 *
 *   (a statement that needs no plan, such as BEGIN or CREATE ROLE, has
 *   only its query_done; a failed stage emits nothing, then "error").
 *   Extended protocol (one statement; Parse, Bind, Execute messages):
 *
 *     parse -> prepare -> bind -> query_start -> analyze -> plan -> execute
 *       [-> portal_suspended ...] -> query_done
 *
 *   so parse, prepare and bind come BEFORE query_start, and a statement
 *   prepared earlier is run with no parse at all.
 *
 *   The trace's phase:
 *
 *     kNone --query_start--> kRunning --last query_done / error /
 *       state leaves active--> kFinished
 *     kNone/kFinished --parse/prepare/bind--> kPreparing --query_start--> kRunning
 *     kPreparing --state leaves active (Sync with no Execute)--> kFinished
 *     kPreparing/kRunning --disconnect / exit--> kFinished (interrupted)
 *
 *   all in ApplyQueryEvent() and EndQueryTrace().
 *
 * NOTES
 *   Memory is bounded: only the current or last query per process, at most
 *   kMaxStatements statements, kMaxPlanNodes nodes per plan, kMaxSteps
 *   steps, and texts cut at kMaxQueryTextBytes; what is cut is counted.
 *   Events in an impossible order (execute before plan) are still recorded
 *   as they come; ApplyQueryEvent() returns a message saying what was odd,
 *   which the model records as an anomaly.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "viz/model/event.h"

namespace minipg::viz {

inline constexpr size_t kMaxStatements = 16;
inline constexpr size_t kMaxPlanNodes = 64;
inline constexpr size_t kMaxSteps = 128;
inline constexpr size_t kMaxQueryTextBytes = 4096;
inline constexpr size_t kMaxListItems = 32;  // tables, output columns
inline constexpr size_t kMaxPageReads = 256;  // pages listed per query (the rest are counted)

/* One step of a query: which event, in the order they came. */
enum class QueryStep {
  kReceived,   // query_start: the backend took the query (simple) or began the first Execute
  kParse,      // parse: text -> parse trees
  kPrepare,    // prepare: a prepared statement was made (extended protocol)
  kBind,       // bind: a portal was made from it with parameter values (extended protocol)
  kAnalyze,    // analyze: names resolved against the catalog (per statement)
  kPlan,       // plan: the plan tree was made (per statement)
  kExecute,    // execute: the plan ran (per statement)
  kSuspended,  // portal_suspended: an Execute hit its row limit (extended protocol)
  kDone,       // query_done: a statement finished, with its command tag
  kError,      // error: the query failed
};

std::string_view QueryStepName(QueryStep step);

struct QueryStepAt {
  QueryStep step;
  int64_t ts = 0;
  int statement = -1;  // index into QueryTrace::statements, -1: not a statement's
};

enum class QueryPhase {
  kNone,       // no query seen for this process
  kPreparing,  // extended protocol: parse/prepare/bind seen, no Execute yet
  kRunning,    // query_start seen, not yet finished
  kFinished,   // done, failed or interrupted (see QueryTrace)
};

struct PlanNodeInfo {
  int64_t id = 0;
  int64_t parent = -1;  // -1: the root
  std::string node;     // "SeqScan"
  std::string detail;   // "items (id < 4)"
};

struct NodeRows {
  int64_t id = 0;
  int64_t rows = 0;
};

struct OutputColumn {
  std::string name;
  std::string type;
};

/* What one statement of the query did, stage by stage. */
struct StatementTrace {
  std::string kind;  // from analyze: "SELECT", "INSERT", ... ("" if none)
  std::vector<std::string> tables;
  std::vector<OutputColumn> columns;
  bool analyzed = false;
  bool planned = false;
  bool executed = false;
  bool done = false;
  std::vector<PlanNodeInfo> nodes;  // depth-first, as the plan event lists them
  size_t nodes_dropped = 0;         // beyond kMaxPlanNodes
  std::vector<NodeRows> node_rows;  // from execute (may come before the plan: out of order)
  int64_t rows = 0;                 // from execute, then query_done
  std::string tag;                  // "SELECT 3"
  int64_t duration_us = 0;          // query_done's
  int64_t sent_rows = 0;            // portal_suspended: rows sent so far / of total
  int64_t total_rows = 0;
  int suspended = 0;  // how many Executes hit their row limit

  /* The rows the execute event gave for plan node `id` (nullopt: none). */
  std::optional<int64_t> RowsOfNode(int64_t id) const;
  /* A node's depth in the tree (0: the root), following parent links. */
  int DepthOf(size_t index) const;
};

/* One page the query asked the buffer pool for (a buffer_read event). */
struct PageReadInfo {
  std::string relation;  // "items (1663/5/16384)", or the rel alone
  std::string fork;      // "main", "fsm", "vm"
  int64_t block = 0;
  int64_t buffer = 0;
  bool hit = false;      // found in shared buffers; false: read from the file
  int64_t ts = 0;
};

struct QueryError {
  std::string severity;  // ERROR / FATAL
  std::string sqlstate;
  std::string message;
  int64_t ts = 0;
  QueryStep after = QueryStep::kReceived;  // the last step before it: the stage after it failed
};

struct QueryTrace {
  QueryPhase phase = QueryPhase::kNone;
  bool extended = false;            // came through Parse/Bind/Execute
  bool joined_late = false;         // the stream joined while it ran (a snapshot, or stage
                                    // events with no query_start): earlier steps not seen
  bool start_known = true;          // start_ts is the query's start (joined late: if the
                                    // snapshot said; else the earliest it can have been)
  std::string text;                 // query_start's (or prepare's) text
  std::string tree;                 // parse's trees, one line each
  std::string prepared_name;        // extended: the prepared statement ("" unnamed)
  int64_t statements_expected = 0;  // parse's count (0: no parse seen)
  int64_t start_ts = 0;             // the first step's time
  int64_t end_ts = 0;               // when it finished (0 while running)
  std::vector<QueryStepAt> steps;
  size_t steps_dropped = 0;
  std::vector<StatementTrace> statements;
  size_t statements_dropped = 0;  // done beyond kMaxStatements (not kept)
  int64_t statements_done = 0;    // query_done events seen (counting dropped ones)
  std::optional<QueryError> error;
  std::string interrupted;  // why it stopped unfinished: "backend exited", "disconnected (eof)"
  std::vector<PageReadInfo> pages;  // pages read, in order (the first kMaxPageReads)
  size_t pages_dropped = 0;         // read beyond kMaxPageReads (not listed)
  int64_t page_hits = 0;            // of all pages read, those found in shared buffers
  int64_t page_misses = 0;          // ... and those read from the file

  bool Running() const { return phase == QueryPhase::kPreparing || phase == QueryPhase::kRunning; }
  /* How long step i took: from the step before it (0 for the first). */
  int64_t StepDuration(size_t i) const;
  /* The total time of every step of this kind (summed over statements). */
  int64_t StageTotal(QueryStep step) const;
  /* Whether some step of this kind has a step before it to be timed from
   * (an extended query's first step, its parse, has none). */
  bool StageTimed(QueryStep step) const;
  bool HasStep(QueryStep step) const;
  /* How many steps of this kind (analyze: one per statement). */
  size_t StepCount(QueryStep step) const;
  /* The last step seen (nullopt: none). */
  std::optional<QueryStep> LastStep() const;
  int64_t LastStepTs() const { return steps.empty() ? start_ts : steps.back().ts; }
  /* Sum of the statements' query_done durations. */
  int64_t TotalDurationUs() const;
};

/* Applies one of the query's events (query_start, parse, analyze, plan,
 * execute, query_done, error, prepare, bind, portal_suspended) to `trace`;
 * other types are ignored. `current_query` is the process's running query
 * text, used when the stream joined mid-query. Returns what was odd about
 * the event's order ("" if nothing). */
std::string ApplyQueryEvent(QueryTrace& trace, const Event& ev, std::string_view current_query);

/* A page read while the query runs (buffer_read), listed under it. */
void AddPageRead(QueryTrace& trace, PageReadInfo page);

/* A session state change: leaving "active" finishes a running trace. */
void QueryStateChanged(QueryTrace& trace, bool active, int64_t ts);

/* The backend went away (disconnect, exit) while its query ran. */
void EndQueryTrace(QueryTrace& trace, int64_t ts, std::string_view why);

}  // namespace minipg::viz
