/*-------------------------------------------------------------------------
 * query_trace.cpp
 *   Following one backend's query through its stages (see query_trace.h
 *   for the order of the events and the phases of a trace).
 *
 * NOTES
 *   The fields of the stage events are read defensively: a missing field
 *   or one of the wrong JSON type is taken as empty, never thrown on.
 *   A stage event fills the last statement when that statement has not had
 *   this stage yet and is not done; otherwise it begins the next statement.
 *   So "execute" then "plan" (out of order) land in the same statement,
 *   which is what the backend must have meant.
 *-------------------------------------------------------------------------
 */
#include "viz/model/query_trace.h"

#include <fmt/format.h>

#include <algorithm>

namespace minipg::viz {
namespace {

using Json = nlohmann::ordered_json;

std::string Cut(std::string text, size_t max_bytes) {
  if (text.size() > max_bytes) {
    text.resize(max_bytes);
    text += "...";
  }
  return text;
}

std::string StrOf(const Json& obj, const char* key) { return JsonStr(obj, key).value_or(""); }

void AddStep(QueryTrace& t, QueryStep step, int64_t ts, int statement) {
  if (t.steps.empty() && t.start_ts == 0) t.start_ts = ts;
  if (t.steps.size() >= kMaxSteps) {
    ++t.steps_dropped;
    return;
  }
  t.steps.push_back(QueryStepAt{step, ts, statement});
}

/* Starts a new trace at `ts`, forgetting the previous query. */
void Begin(QueryTrace& t, QueryPhase phase, bool extended, int64_t ts) {
  t = QueryTrace{};
  t.phase = phase;
  t.extended = extended;
  t.start_ts = ts;
}

void Finish(QueryTrace& t, int64_t ts) {
  t.phase = QueryPhase::kFinished;
  t.end_ts = ts;
}

/* A per-statement stage event while no query is known to run: the stream
 * joined mid-query (a late subscriber), or query_start was lost. */
void BeginImplicitly(QueryTrace& t, const Event& ev, std::string_view current_query) {
  if (t.phase == QueryPhase::kRunning) return;
  if (t.phase == QueryPhase::kPreparing) {
    t.phase = QueryPhase::kRunning;  // odd (no query_start), said by the caller
    return;
  }
  Begin(t, QueryPhase::kRunning, false, ev.ts);
  t.joined_late = true;
  t.text = Cut(std::string(current_query), kMaxQueryTextBytes);
}

/* The statement a stage event belongs to: the last one if it is not done
 * and has not had this stage, else a new one. -1 once kMaxStatements are
 * kept (the stage is still a step). */
int StatementFor(QueryTrace& t, bool StatementTrace::*had_stage) {
  if (!t.statements.empty()) {
    StatementTrace& last = t.statements.back();
    if (!last.done && (had_stage == nullptr || !(last.*had_stage))) {
      return static_cast<int>(t.statements.size() - 1);
    }
  }
  if (t.statements.size() >= kMaxStatements) return -1;  // counted at its query_done
  t.statements.emplace_back();
  return static_cast<int>(t.statements.size() - 1);
}

std::string OnAnalyze(QueryTrace& t, const Event& ev) {
  int i = StatementFor(t, &StatementTrace::analyzed);
  AddStep(t, QueryStep::kAnalyze, ev.ts, i);
  if (i < 0) return "";
  StatementTrace& s = t.statements[static_cast<size_t>(i)];
  std::string odd = s.planned || s.executed ? "analyze after the statement's plan or execute" : "";
  s.analyzed = true;
  s.kind = ev.StrOr("statement");
  if (const Json* tables = ev.Field("tables"); tables != nullptr && tables->is_array()) {
    for (const Json& name : *tables) {
      if (s.tables.size() >= kMaxListItems) break;
      if (name.is_string()) s.tables.push_back(name.get<std::string>());
    }
  }
  if (const Json* columns = ev.Field("columns"); columns != nullptr && columns->is_array()) {
    for (const Json& c : *columns) {
      if (s.columns.size() >= kMaxListItems) break;
      s.columns.push_back(OutputColumn{StrOf(c, "name"), StrOf(c, "type")});
    }
  }
  return odd;
}

std::string OnPlan(QueryTrace& t, const Event& ev) {
  int i = StatementFor(t, &StatementTrace::planned);
  AddStep(t, QueryStep::kPlan, ev.ts, i);
  if (i < 0) return "";
  StatementTrace& s = t.statements[static_cast<size_t>(i)];
  std::string odd = s.executed ? "plan after the statement's execute" : "";
  s.planned = true;
  if (const Json* nodes = ev.Field("nodes"); nodes != nullptr && nodes->is_array()) {
    for (const Json& n : *nodes) {
      if (s.nodes.size() >= kMaxPlanNodes) {
        ++s.nodes_dropped;
        continue;
      }
      PlanNodeInfo node;
      node.id = JsonInt(n, "id").value_or(static_cast<int64_t>(s.nodes.size()));
      node.parent = JsonInt(n, "parent").value_or(-1);
      node.node = Cut(StrOf(n, "node"), 200);
      node.detail = Cut(StrOf(n, "detail"), 400);
      s.nodes.push_back(std::move(node));
    }
  }
  return odd;
}

std::string OnExecute(QueryTrace& t, const Event& ev) {
  int i = StatementFor(t, &StatementTrace::executed);
  AddStep(t, QueryStep::kExecute, ev.ts, i);
  if (i < 0) return "";
  StatementTrace& s = t.statements[static_cast<size_t>(i)];
  std::string odd = s.planned ? "" : "execute before the statement's plan";
  s.executed = true;
  s.rows = ev.Int("rows").value_or(0);
  if (const Json* nodes = ev.Field("nodes"); nodes != nullptr && nodes->is_array()) {
    for (const Json& n : *nodes) {
      if (s.node_rows.size() >= kMaxPlanNodes) break;
      auto id = JsonInt(n, "id");
      if (id) s.node_rows.push_back(NodeRows{*id, JsonInt(n, "rows").value_or(0)});
    }
  }
  return odd;
}

void OnQueryDone(QueryTrace& t, const Event& ev) {
  int i = StatementFor(t, nullptr);
  AddStep(t, QueryStep::kDone, ev.ts, i);
  ++t.statements_done;
  if (i < 0) ++t.statements_dropped;
  if (i >= 0) {
    StatementTrace& s = t.statements[static_cast<size_t>(i)];
    s.done = true;
    s.tag = ev.StrOr("tag");
    s.rows = ev.Int("rows").value_or(s.rows);
    s.duration_us = ev.Int("duration_us").value_or(0);
  }
  // An Execute runs one statement; a Query message as many as parse said.
  // Without a parse (joined mid-query) the end is the state leaving active.
  if (t.extended || (t.statements_expected > 0 && t.statements_done >= t.statements_expected)) {
    Finish(t, ev.ts);
  }
}

}  // namespace

std::string_view QueryStepName(QueryStep step) {
  switch (step) {
    case QueryStep::kReceived:
      return "received";
    case QueryStep::kParse:
      return "parse";
    case QueryStep::kPrepare:
      return "prepare";
    case QueryStep::kBind:
      return "bind";
    case QueryStep::kAnalyze:
      return "analyze";
    case QueryStep::kPlan:
      return "plan";
    case QueryStep::kExecute:
      return "execute";
    case QueryStep::kSuspended:
      return "suspended";
    case QueryStep::kDone:
      return "done";
    case QueryStep::kError:
      return "error";
  }
  return "?";
}

std::optional<int64_t> StatementTrace::RowsOfNode(int64_t id) const {
  for (const NodeRows& r : node_rows) {
    if (r.id == id) return r.rows;
  }
  return std::nullopt;
}

int StatementTrace::DepthOf(size_t index) const {
  int depth = 0;
  int64_t parent = index < nodes.size() ? nodes[index].parent : -1;
  // Bounded by the node count, so a cycle in bad input cannot loop forever.
  while (parent >= 0 && depth < static_cast<int>(nodes.size())) {
    auto it = std::find_if(nodes.begin(), nodes.end(),
                           [parent](const PlanNodeInfo& n) { return n.id == parent; });
    if (it == nodes.end()) break;
    ++depth;
    parent = it->parent;
  }
  return depth;
}

int64_t QueryTrace::StepDuration(size_t i) const {
  if (i == 0 || i >= steps.size()) return 0;
  return std::max<int64_t>(0, steps[i].ts - steps[i - 1].ts);
}

int64_t QueryTrace::StageTotal(QueryStep step) const {
  int64_t total = 0;
  for (size_t i = 0; i < steps.size(); ++i) {
    if (steps[i].step == step) total += StepDuration(i);
  }
  return total;
}

bool QueryTrace::StageTimed(QueryStep step) const {
  for (size_t i = 1; i < steps.size(); ++i) {
    if (steps[i].step == step) return true;
  }
  return false;
}

size_t QueryTrace::StepCount(QueryStep step) const {
  return static_cast<size_t>(std::count_if(
      steps.begin(), steps.end(), [step](const QueryStepAt& s) { return s.step == step; }));
}

bool QueryTrace::HasStep(QueryStep step) const {
  return std::any_of(steps.begin(), steps.end(),
                     [step](const QueryStepAt& s) { return s.step == step; });
}

std::optional<QueryStep> QueryTrace::LastStep() const {
  if (steps.empty()) return std::nullopt;
  return steps.back().step;
}

int64_t QueryTrace::TotalDurationUs() const {
  int64_t total = 0;
  for (const StatementTrace& s : statements) total += s.duration_us;
  return total;
}

std::string ApplyQueryEvent(QueryTrace& t, const Event& ev, std::string_view current_query) {
  if (!ev.type) return "";
  switch (*ev.type) {
    case EventType::kQueryStart:
      // The extended protocol's parse/prepare/bind came first: the same query.
      if (t.phase != QueryPhase::kPreparing) Begin(t, QueryPhase::kRunning, false, ev.ts);
      t.phase = QueryPhase::kRunning;
      t.text = Cut(ev.StrOr("text"), kMaxQueryTextBytes);
      AddStep(t, QueryStep::kReceived, ev.ts, -1);
      return "";
    case EventType::kParse:
      // A Query message's parse follows its query_start; any other parse is
      // a Parse message: an extended-protocol query begins.
      if (t.phase != QueryPhase::kRunning || t.extended || t.HasStep(QueryStep::kParse)) {
        Begin(t, QueryPhase::kPreparing, true, ev.ts);
      }
      t.statements_expected = ev.Int("statements").value_or(0);
      t.tree = Cut(ev.StrOr("tree"), kMaxQueryTextBytes);
      AddStep(t, QueryStep::kParse, ev.ts, -1);
      return "";
    case EventType::kPrepare:
      if (t.phase != QueryPhase::kPreparing || t.LastStep() != QueryStep::kParse) {
        Begin(t, QueryPhase::kPreparing, true, ev.ts);
      }
      t.text = Cut(ev.StrOr("text"), kMaxQueryTextBytes);
      t.prepared_name = ev.StrOr("name");
      AddStep(t, QueryStep::kPrepare, ev.ts, -1);
      return "";
    case EventType::kBind:
      // A statement prepared earlier is bound again: a new run, with no parse.
      // So is a bind of another statement than the one just prepared.
      if (t.phase != QueryPhase::kPreparing || t.HasStep(QueryStep::kBind) ||
          (t.HasStep(QueryStep::kPrepare) && t.prepared_name != ev.StrOr("statement"))) {
        Begin(t, QueryPhase::kPreparing, true, ev.ts);
      }
      t.prepared_name = ev.StrOr("statement");
      AddStep(t, QueryStep::kBind, ev.ts, -1);
      return "";
    case EventType::kAnalyze:
    case EventType::kPlan:
    case EventType::kExecute:
    case EventType::kQueryDone: {
      std::string odd = t.phase == QueryPhase::kPreparing
                            ? fmt::format("{} before query_start", ev.type_name)
                            : "";
      BeginImplicitly(t, ev, current_query);
      std::string stage_odd;
      if (*ev.type == EventType::kAnalyze) stage_odd = OnAnalyze(t, ev);
      if (*ev.type == EventType::kPlan) stage_odd = OnPlan(t, ev);
      if (*ev.type == EventType::kExecute) stage_odd = OnExecute(t, ev);
      if (*ev.type == EventType::kQueryDone) OnQueryDone(t, ev);
      // Joined mid-statement, the stages before ours were never seen: not odd.
      if (t.joined_late && t.statements.size() <= 1) stage_odd.clear();
      return odd.empty() ? stage_odd : odd;
    }
    case EventType::kPortalSuspended: {
      if (!t.Running()) return "";
      int i = t.statements.empty() ? -1 : static_cast<int>(t.statements.size() - 1);
      AddStep(t, QueryStep::kSuspended, ev.ts, i);
      if (i >= 0) {
        StatementTrace& s = t.statements[static_cast<size_t>(i)];
        ++s.suspended;
        s.sent_rows = ev.Int("sent").value_or(0);
        s.total_rows = ev.Int("total").value_or(0);
      }
      return "";
    }
    case EventType::kError: {
      // An error while no query runs (a FATAL at idle, an authentication
      // failure) is the session's, not a query's.
      if (!t.Running()) return "";
      QueryError e;
      e.severity = ev.StrOr("severity", "ERROR");
      e.sqlstate = ev.StrOr("sqlstate");
      e.message = Cut(ev.StrOr("message"), kMaxQueryTextBytes);
      e.ts = ev.ts;
      e.after = t.LastStep().value_or(QueryStep::kReceived);
      t.error = std::move(e);
      AddStep(t, QueryStep::kError, ev.ts, -1);
      Finish(t, ev.ts);
      return "";
    }
    default:
      return "";
  }
}

void AddPageRead(QueryTrace& t, PageReadInfo page) {
  (page.hit ? t.page_hits : t.page_misses) += 1;
  if (t.pages.size() >= kMaxPageReads) {
    ++t.pages_dropped;
    return;
  }
  t.pages.push_back(std::move(page));
}

void QueryStateChanged(QueryTrace& t, bool active, int64_t ts) {
  if (!active && t.Running()) Finish(t, ts);
}

void EndQueryTrace(QueryTrace& t, int64_t ts, std::string_view why) {
  if (!t.Running()) return;
  t.interrupted = std::string(why);
  Finish(t, ts);
}

}  // namespace minipg::viz
