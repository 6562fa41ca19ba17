/*-------------------------------------------------------------------------
 * query_trace_test.cpp
 *   Tests of a backend's query trace (viz/model/query_trace.h) as the
 *   model builds it from event lines: the stages with their times, the
 *   statements, the plan tree with rows per node, errors, the extended
 *   protocol, a query cut short by the backend's exit, and events in an
 *   impossible order. No window is involved.
 *-------------------------------------------------------------------------
 */
#include "viz/model/query_trace.h"

#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "viz/model/model.h"
#include "viz/model/source.h"

namespace minipg::viz {
namespace {

std::string Line(std::string_view type, int64_t ts, int64_t pid, std::string_view extra = "") {
  return fmt::format(R"({{"type":"{}","ts":{},"pid":{}{}{}}})", type, ts, pid,
                     extra.empty() ? "" : ",", extra);
}

/* A postmaster (10) with one backend (20), alice@shop, idle. */
Model WithBackend() {
  Model model;
  model.ApplyLine(Line("postmaster_start", 100, 10, R"("port":5432,"max_connections":5)"));
  model.ApplyLine(Line("fork", 110, 10, R"("child":20,"role":"backend","conn":1)"));
  model.ApplyLine(Line("startup", 120, 20, R"("user":"alice","database":"shop")"));
  model.ApplyLine(Line("state", 130, 20, R"("state":"idle")"));
  return model;
}

const QueryTrace& TraceOf(const Model& model, int64_t pid) {
  const Process* p = model.FindProcess(pid);
  EXPECT_NE(p, nullptr);
  static const QueryTrace kNone;
  return p != nullptr ? p->query : kNone;
}

std::vector<QueryStep> Steps(const QueryTrace& t) {
  std::vector<QueryStep> out;
  for (const QueryStepAt& s : t.steps) out.push_back(s.step);
  return out;
}

// Scenario: a SELECT through every stage. Each stage's time is from the
// step before it to its event; the plan tree keeps its parent links and
// each node gets the rows execute said it produced.
TEST(QueryTraceTest, SelectWithPlanAndRows) {
  Model model = WithBackend();
  model.ApplyLine(Line("query_start", 1000, 20, R"("text":"SELECT name FROM items WHERE id < 4 ORDER BY name")"));
  model.ApplyLine(Line("state", 1005, 20, R"("state":"active")"));
  EXPECT_EQ(TraceOf(model, 20).phase, QueryPhase::kRunning);
  model.ApplyLine(Line("parse", 1020, 20, R"J("statements":1,"tree":"SelectStmt(...)")J"));
  model.ApplyLine(Line("analyze", 1050, 20,
                       R"("statement":"SELECT","tables":["items"],"columns":[{"name":"name","type":"text"}])"));
  model.ApplyLine(Line("plan", 1060, 20,
                       R"("plan":"Sort\n  SeqScan","nodes":[{"id":0,"parent":-1,"node":"Sort","detail":"name"},)"
                       R"({"id":1,"parent":0,"node":"Projection","detail":"name"},)"
                       R"J({"id":2,"parent":1,"node":"Filter","detail":"(id < 4)"},)J"
                       R"({"id":3,"parent":2,"node":"SeqScan","detail":"on items"}])"));
  // Mid-query the trace is running, planned, not yet executed.
  {
    const QueryTrace& t = TraceOf(model, 20);
    EXPECT_TRUE(t.Running());
    EXPECT_EQ(t.LastStep(), QueryStep::kPlan);
    ASSERT_EQ(t.statements.size(), 1u);
    EXPECT_TRUE(t.statements[0].planned);
    EXPECT_FALSE(t.statements[0].executed);
  }
  model.ApplyLine(Line("execute", 1360, 20,
                       R"("rows":3,"nodes":[{"id":0,"rows":3},{"id":1,"rows":3},{"id":2,"rows":3},{"id":3,"rows":10}])"));
  model.ApplyLine(Line("query_done", 1370, 20, R"("tag":"SELECT 3","rows":3,"duration_us":370)"));
  model.ApplyLine(Line("state", 1380, 20, R"("state":"idle")"));

  const QueryTrace& t = TraceOf(model, 20);
  EXPECT_EQ(model.anomaly_count(), 0u);
  EXPECT_EQ(t.phase, QueryPhase::kFinished);
  EXPECT_FALSE(t.extended);
  EXPECT_EQ(t.text, "SELECT name FROM items WHERE id < 4 ORDER BY name");
  EXPECT_EQ(t.start_ts, 1000);
  EXPECT_EQ(t.end_ts, 1370);
  EXPECT_EQ(Steps(t), (std::vector<QueryStep>{QueryStep::kReceived, QueryStep::kParse, QueryStep::kAnalyze,
                                             QueryStep::kPlan, QueryStep::kExecute, QueryStep::kDone}));
  EXPECT_EQ(t.StageTotal(QueryStep::kParse), 20);
  EXPECT_EQ(t.StageTotal(QueryStep::kAnalyze), 30);
  EXPECT_EQ(t.StageTotal(QueryStep::kPlan), 10);
  EXPECT_EQ(t.StageTotal(QueryStep::kExecute), 300);
  EXPECT_EQ(t.StageTotal(QueryStep::kDone), 10);
  EXPECT_EQ(t.TotalDurationUs(), 370);
  EXPECT_FALSE(t.error.has_value());

  ASSERT_EQ(t.statements.size(), 1u);
  const StatementTrace& s = t.statements[0];
  EXPECT_EQ(s.kind, "SELECT");
  EXPECT_EQ(s.tables, std::vector<std::string>{"items"});
  ASSERT_EQ(s.columns.size(), 1u);
  EXPECT_EQ(s.columns[0].type, "text");
  ASSERT_EQ(s.nodes.size(), 4u);
  EXPECT_EQ(s.nodes[3].node, "SeqScan");
  EXPECT_EQ(s.nodes[3].detail, "on items");
  EXPECT_EQ(s.DepthOf(0), 0);
  EXPECT_EQ(s.DepthOf(3), 3);
  EXPECT_EQ(s.RowsOfNode(3), 10);
  EXPECT_EQ(s.RowsOfNode(0), 3);
  EXPECT_FALSE(s.RowsOfNode(9).has_value());
  EXPECT_EQ(s.tag, "SELECT 3");
  EXPECT_EQ(s.duration_us, 370);
  // The older per-process fields still say the same.
  EXPECT_EQ(model.FindProcess(20)->last_tag, "SELECT 3");
}

// Scenario: one Query message with three statements: one parse, then
// analyze/plan/execute/query_done per statement (BEGIN needs no plan: it
// has only its query_done). The trace ends at the last statement's done.
TEST(QueryTraceTest, MultiStatementQuery) {
  Model model = WithBackend();
  model.ApplyLine(Line("query_start", 1000, 20, R"("text":"BEGIN; SELECT 1; SELECT 2")"));
  model.ApplyLine(Line("state", 1001, 20, R"("state":"active")"));
  model.ApplyLine(Line("parse", 1010, 20, R"("statements":3,"tree":"a\nb\nc")"));
  model.ApplyLine(Line("query_done", 1020, 20, R"("tag":"BEGIN","rows":0,"duration_us":5)"));
  for (int i = 0; i < 2; ++i) {
    int64_t at = 1100 + 100 * i;
    model.ApplyLine(Line("analyze", at, 20, R"("statement":"SELECT","tables":[],"columns":[{"name":"?column?","type":"int4"}])"));
    model.ApplyLine(Line("plan", at + 10, 20, R"("plan":"Result","nodes":[{"id":0,"parent":-1,"node":"Result","detail":""}])"));
    EXPECT_TRUE(TraceOf(model, 20).Running()) << "statement " << i;
    model.ApplyLine(Line("execute", at + 20, 20, R"("rows":1,"nodes":[{"id":0,"rows":1}])"));
    model.ApplyLine(Line("query_done", at + 30, 20, fmt::format(R"("tag":"SELECT 1","rows":1,"duration_us":{})", 30 + i)));
  }
  const QueryTrace& t = TraceOf(model, 20);
  EXPECT_EQ(t.phase, QueryPhase::kFinished);
  EXPECT_EQ(t.end_ts, 1230);
  EXPECT_EQ(t.statements_expected, 3);
  EXPECT_EQ(t.statements_done, 3);
  ASSERT_EQ(t.statements.size(), 3u);
  EXPECT_EQ(t.statements[0].tag, "BEGIN");
  EXPECT_FALSE(t.statements[0].planned);
  EXPECT_TRUE(t.statements[1].planned);
  EXPECT_EQ(t.statements[2].duration_us, 31);
  EXPECT_EQ(t.statements[2].RowsOfNode(0), 1);
  EXPECT_EQ(t.TotalDurationUs(), 5 + 30 + 31);
  // Analyze of the second SELECT is timed from the first one's done.
  EXPECT_EQ(t.StageTotal(QueryStep::kAnalyze), (1100 - 1020) + (1200 - 1130));
  EXPECT_EQ(model.anomaly_count(), 0u);
}

// Scenario: SELECT from a table that does not exist fails at analyze: no
// plan, no execute, the error with its SQLSTATE and the stage it stopped
// after. The session's FATAL later, while idle, is not the query's.
TEST(QueryTraceTest, ErrorAtAnalyze) {
  Model model = WithBackend();
  model.ApplyLine(Line("query_start", 1000, 20, R"("text":"SELECT * FROM nope")"));
  model.ApplyLine(Line("state", 1001, 20, R"("state":"active")"));
  model.ApplyLine(Line("parse", 1010, 20, R"("statements":1,"tree":"SelectStmt")"));
  model.ApplyLine(Line("error", 1030, 20,
                       R"("severity":"ERROR","sqlstate":"42P01","message":"relation \"nope\" does not exist")"));
  model.ApplyLine(Line("state", 1040, 20, R"("state":"idle")"));
  const QueryTrace& t = TraceOf(model, 20);
  EXPECT_EQ(t.phase, QueryPhase::kFinished);
  ASSERT_TRUE(t.error.has_value());
  EXPECT_EQ(t.error->sqlstate, "42P01");
  EXPECT_EQ(t.error->message, "relation \"nope\" does not exist");
  EXPECT_EQ(t.error->after, QueryStep::kParse);  // it failed in analyze
  EXPECT_TRUE(t.statements.empty());
  EXPECT_FALSE(t.HasStep(QueryStep::kPlan));
  EXPECT_EQ(t.LastStep(), QueryStep::kError);
  EXPECT_EQ(t.end_ts, 1030);

  model.ApplyLine(Line("error", 5000, 20, R"("severity":"FATAL","sqlstate":"57P01","message":"terminating")"));
  EXPECT_EQ(TraceOf(model, 20).error->sqlstate, "42P01");
}

// Scenario: the extended protocol (PQexecParams): parse, prepare and bind
// come before query_start and belong to the same query; a second run of
// the prepared statement has a bind but no parse; a portal suspended at
// its row limit keeps the query running until its query_done.
TEST(QueryTraceTest, ExtendedProtocolStages) {
  Model model = WithBackend();
  model.ApplyLine(Line("state", 1000, 20, R"("state":"active")"));
  model.ApplyLine(Line("parse", 1010, 20, R"("statements":1,"tree":"SelectStmt")"));
  EXPECT_EQ(TraceOf(model, 20).phase, QueryPhase::kPreparing);
  model.ApplyLine(Line("prepare", 1020, 20, R"("name":"s1","params":["integer"],"text":"SELECT * FROM items WHERE id = $1")"));
  model.ApplyLine(Line("bind", 1030, 20, R"("portal":"","statement":"s1","params":1)"));
  model.ApplyLine(Line("query_start", 1040, 20, R"("text":"SELECT * FROM items WHERE id = $1")"));
  model.ApplyLine(Line("analyze", 1050, 20, R"("statement":"SELECT","tables":["items"],"columns":[])"));
  model.ApplyLine(Line("plan", 1060, 20, R"("plan":"SeqScan","nodes":[{"id":0,"parent":-1,"node":"SeqScan","detail":"on items"}])"));
  model.ApplyLine(Line("execute", 1100, 20, R"("rows":5,"nodes":[{"id":0,"rows":5}])"));
  model.ApplyLine(Line("portal_suspended", 1110, 20, R"("portal":"","rows":2,"sent":2,"total":5)"));
  EXPECT_TRUE(TraceOf(model, 20).Running());
  model.ApplyLine(Line("query_done", 1200, 20, R"("tag":"SELECT 3","rows":5,"duration_us":160)"));
  {
    const QueryTrace& t = TraceOf(model, 20);
    EXPECT_TRUE(t.extended);
    EXPECT_EQ(t.phase, QueryPhase::kFinished);
    EXPECT_EQ(t.prepared_name, "s1");
    EXPECT_EQ(t.text, "SELECT * FROM items WHERE id = $1");
    EXPECT_EQ(t.start_ts, 1010);
    EXPECT_EQ(Steps(t), (std::vector<QueryStep>{QueryStep::kParse, QueryStep::kPrepare, QueryStep::kBind,
                                               QueryStep::kReceived, QueryStep::kAnalyze, QueryStep::kPlan,
                                               QueryStep::kExecute, QueryStep::kSuspended, QueryStep::kDone}));
    EXPECT_EQ(t.StageTotal(QueryStep::kBind), 10);
    EXPECT_EQ(t.StageTotal(QueryStep::kExecute), 40);
    ASSERT_EQ(t.statements.size(), 1u);
    EXPECT_EQ(t.statements[0].suspended, 1);
    EXPECT_EQ(t.statements[0].total_rows, 5);
    EXPECT_EQ(t.statements[0].tag, "SELECT 3");
  }
  model.ApplyLine(Line("state", 1210, 20, R"("state":"idle")"));
  model.ApplyLine(Line("close", 1220, 20, R"("kind":"portal","name":"")"));

  // Run s1 again: bind, execute; no parse this time.
  model.ApplyLine(Line("state", 2000, 20, R"("state":"active")"));
  model.ApplyLine(Line("bind", 2010, 20, R"("portal":"","statement":"s1","params":1)"));
  EXPECT_EQ(TraceOf(model, 20).phase, QueryPhase::kPreparing);
  model.ApplyLine(Line("query_start", 2020, 20, R"("text":"SELECT * FROM items WHERE id = $1")"));
  model.ApplyLine(Line("analyze", 2030, 20, R"("statement":"SELECT","tables":["items"],"columns":[])"));
  model.ApplyLine(Line("plan", 2040, 20, R"("plan":"SeqScan","nodes":[{"id":0,"parent":-1,"node":"SeqScan","detail":"on items"}])"));
  model.ApplyLine(Line("execute", 2050, 20, R"("rows":1,"nodes":[{"id":0,"rows":1}])"));
  model.ApplyLine(Line("query_done", 2060, 20, R"("tag":"SELECT 1","rows":1,"duration_us":40)"));
  const QueryTrace& t = TraceOf(model, 20);
  EXPECT_FALSE(t.HasStep(QueryStep::kParse));
  EXPECT_EQ(t.steps.front().step, QueryStep::kBind);
  EXPECT_EQ(t.statements.size(), 1u);
  EXPECT_EQ(t.statements[0].RowsOfNode(0), 1);
  EXPECT_EQ(model.anomaly_count(), 0u);
}

// Scenario: the backend is killed while its query executes: the trace
// stops, says why, and keeps what it had (the plan, no rows).
TEST(QueryTraceTest, InterruptedByBackendExit) {
  Model model = WithBackend();
  model.ApplyLine(Line("query_start", 1000, 20, R"J("text":"SELECT pg_sleep(30)")J"));
  model.ApplyLine(Line("state", 1001, 20, R"("state":"active")"));
  model.ApplyLine(Line("parse", 1010, 20, R"("statements":1,"tree":"SelectStmt")"));
  model.ApplyLine(Line("analyze", 1020, 20, R"("statement":"SELECT","tables":[],"columns":[])"));
  model.ApplyLine(Line("plan", 1030, 20, R"("plan":"Result","nodes":[{"id":0,"parent":-1,"node":"Result","detail":""}])"));
  model.ApplyLine(Line("child_exit", 9000, 10, R"("child":20,"role":"backend","signal":9,"status":"was terminated by signal 9: Killed")"));
  const QueryTrace& t = TraceOf(model, 20);
  EXPECT_EQ(t.phase, QueryPhase::kFinished);
  EXPECT_FALSE(t.error.has_value());
  EXPECT_EQ(t.interrupted, "the backend was terminated by signal 9: Killed");
  EXPECT_EQ(t.end_ts, 9000);
  ASSERT_EQ(t.statements.size(), 1u);
  EXPECT_TRUE(t.statements[0].planned);
  EXPECT_FALSE(t.statements[0].RowsOfNode(0).has_value());

  // A session that ends while idle leaves its finished query as it was.
  model.ApplyLine(Line("fork", 9100, 10, R"("child":21,"role":"backend","conn":2)"));
  model.ApplyLine(Line("query_start", 9200, 21, R"("text":"SELECT 1")"));
  model.ApplyLine(Line("parse", 9210, 21, R"("statements":1,"tree":"x")"));
  model.ApplyLine(Line("query_done", 9220, 21, R"("tag":"SELECT 1","rows":1,"duration_us":10)"));
  model.ApplyLine(Line("disconnect", 9300, 21, R"("reason":"terminate")"));
  EXPECT_TRUE(TraceOf(model, 21).interrupted.empty());
  // A client that vanishes mid-query: the session ended.
  model.ApplyLine(Line("query_start", 9400, 21, R"("text":"SELECT 2")"));
  model.ApplyLine(Line("disconnect", 9500, 21, R"("reason":"eof")"));
  EXPECT_EQ(TraceOf(model, 21).interrupted, "the session ended (eof)");
}

// Scenario: events in an impossible order (execute before plan, a plan
// after query_done of the statement) are recorded as they come, in one
// statement, and each oddity is an anomaly; nothing crashes.
TEST(QueryTraceTest, OutOfOrderEvents) {
  Model model = WithBackend();
  model.ApplyLine(Line("query_start", 1000, 20, R"("text":"SELECT 1")"));
  model.ApplyLine(Line("parse", 1010, 20, R"("statements":2,"tree":"x")"));
  model.ApplyLine(Line("execute", 1020, 20, R"("rows":1,"nodes":[{"id":0,"rows":1}])"));
  model.ApplyLine(Line("plan", 1030, 20, R"("plan":"Result","nodes":[{"id":0,"parent":-1,"node":"Result","detail":""}])"));
  model.ApplyLine(Line("analyze", 1040, 20, R"("statement":"SELECT","tables":"not an array","columns":[7])"));
  {
    const QueryTrace& t = TraceOf(model, 20);
    ASSERT_EQ(t.statements.size(), 1u);
    EXPECT_EQ(t.statements[0].RowsOfNode(0), 1);  // execute's rows meet the later plan's node
    EXPECT_EQ(t.statements[0].nodes.size(), 1u);
    EXPECT_TRUE(t.statements[0].tables.empty());
  }
  EXPECT_EQ(model.AnomalyCount(AnomalyKind::kQueryOrder), 3u);  // execute, plan, analyze
  // Fields of the wrong type, a plan whose parent links go round in a
  // circle, and a query_done with no query at all.
  model.ApplyLine(Line("query_done", 1050, 20, R"("tag":"SELECT 1","rows":"x","duration_us":null)"));
  model.ApplyLine(Line("plan", 1060, 20,
                       R"("plan":"?","nodes":[{"id":0,"parent":1,"node":"A"},{"id":1,"parent":0,"node":7},"junk"])"));
  const QueryTrace& t = TraceOf(model, 20);
  ASSERT_EQ(t.statements.size(), 2u);
  EXPECT_LE(t.statements[1].DepthOf(0), 3);
  model.ApplyLine(Line("state", 1070, 20, R"("state":"idle")"));
  model.ApplyLine(Line("query_done", 1080, 20, R"("tag":"SELECT 1","rows":1,"duration_us":5)"));
  EXPECT_TRUE(TraceOf(model, 20).Running());  // an implicit new trace, its text unknown
  EXPECT_TRUE(TraceOf(model, 20).text.empty());
}

// Scenario: memory is bounded: a query text of 300 statements keeps
// kMaxStatements of them, counts the rest, and caps its steps.
TEST(QueryTraceTest, BoundedStatementsAndSteps) {
  Model model = WithBackend();
  model.ApplyLine(Line("query_start", 1000, 20, R"("text":"SELECT 1; ...")"));
  model.ApplyLine(Line("parse", 1001, 20, R"("statements":300,"tree":"x")"));
  int64_t ts = 1002;
  for (int i = 0; i < 300; ++i) {
    model.ApplyLine(Line("analyze", ts++, 20, R"("statement":"SELECT","tables":[],"columns":[])"));
    model.ApplyLine(Line("plan", ts++, 20, R"("plan":"Result","nodes":[{"id":0,"parent":-1,"node":"Result","detail":""}])"));
    model.ApplyLine(Line("execute", ts++, 20, R"("rows":1,"nodes":[{"id":0,"rows":1}])"));
    model.ApplyLine(Line("query_done", ts++, 20, R"("tag":"SELECT 1","rows":1,"duration_us":1)"));
  }
  const QueryTrace& t = TraceOf(model, 20);
  EXPECT_EQ(t.statements.size(), kMaxStatements);
  EXPECT_EQ(t.statements_dropped, 300 - kMaxStatements);
  EXPECT_EQ(t.statements_done, 300);
  EXPECT_EQ(t.steps.size(), kMaxSteps);
  EXPECT_GT(t.steps_dropped, 0u);
  EXPECT_EQ(t.phase, QueryPhase::kFinished);
  EXPECT_EQ(model.anomaly_count(), 0u);
}

// Scenario: a late subscriber learns a running query's text from the
// process snapshot; its stages went by unseen, and the next stage events
// fill the same trace.
TEST(QueryTraceTest, LateSubscriberSnapshot) {
  Model model;
  model.ApplyLine(Line("process", 50, 20, R"J("proc":20,"parent":10,"role":"backend","state":"active","query":"SELECT pg_sleep(5)")J"));
  const QueryTrace& t = TraceOf(model, 20);
  EXPECT_TRUE(t.joined_late);
  EXPECT_TRUE(t.steps.empty());
  EXPECT_EQ(t.phase, QueryPhase::kRunning);
  EXPECT_EQ(t.text, "SELECT pg_sleep(5)");
  model.ApplyLine(Line("execute", 1000, 20, R"("rows":1,"nodes":[{"id":0,"rows":1}])"));
  model.ApplyLine(Line("query_done", 1010, 20, R"("tag":"SELECT 1","rows":1,"duration_us":5000000)"));
  model.ApplyLine(Line("state", 1020, 20, R"("state":"idle")"));
  const QueryTrace& after = TraceOf(model, 20);
  EXPECT_EQ(after.text, "SELECT pg_sleep(5)");
  EXPECT_EQ(after.phase, QueryPhase::kFinished);
  ASSERT_EQ(after.statements.size(), 1u);
  EXPECT_EQ(after.statements[0].tag, "SELECT 1");
  EXPECT_EQ(model.AnomalyCount(AnomalyKind::kQueryOrder), 0u);
}

// Scenario: a session recorded from a real minipg (psql and pgbench
// -M extended against it): every backend's last query comes out as the
// server ran it, with no anomaly.
TEST(QueryTraceTest, RecordedSession) {
  Model model;
  FileSource source(fmt::format("{}/query_session.jsonl", MINIPG_VIZ_TEST_DATA));
  ASSERT_NE(source.state(), SourceState::kFailed) << source.error();
  std::vector<std::string> lines;
  while (source.Poll(lines, 16) > 0) {
    for (const std::string& line : lines) model.ApplyLine(line);
    lines.clear();
  }
  EXPECT_EQ(model.anomaly_count(), 0u) << model.anomalies().front().message;

  // alice: SELECT ... ORDER BY ... LIMIT 3, a five-node plan.
  const QueryTrace& select = TraceOf(model, 13219);
  EXPECT_EQ(select.phase, QueryPhase::kFinished);
  EXPECT_EQ(Steps(select), (std::vector<QueryStep>{QueryStep::kReceived, QueryStep::kParse, QueryStep::kAnalyze,
                                                  QueryStep::kPlan, QueryStep::kExecute, QueryStep::kDone}));
  ASSERT_EQ(select.statements.size(), 1u);
  const StatementTrace& s = select.statements[0];
  ASSERT_EQ(s.nodes.size(), 5u);
  std::vector<std::string> names;
  std::vector<int64_t> rows;
  for (size_t i = 0; i < s.nodes.size(); ++i) {
    names.push_back(s.nodes[i].node);
    rows.push_back(s.RowsOfNode(s.nodes[i].id).value_or(-1));
    EXPECT_EQ(s.DepthOf(i), static_cast<int>(i));  // a chain: each node feeds the one above
  }
  EXPECT_EQ(names, (std::vector<std::string>{"Limit", "Projection", "Sort", "Filter", "SeqScan"}));
  EXPECT_EQ(rows, (std::vector<int64_t>{3, 3, 3, 6, 8}));
  EXPECT_EQ(s.tag, "SELECT 3");
  EXPECT_GT(s.duration_us, 0);

  // bob: SELECT * FROM nope fails after parse.
  const QueryTrace& failed = TraceOf(model, 13233);
  ASSERT_TRUE(failed.error.has_value());
  EXPECT_EQ(failed.error->sqlstate, "42P01");
  EXPECT_EQ(failed.error->after, QueryStep::kParse);

  // pgbench -M extended: Parse, Bind, Execute.
  const QueryTrace& extended = TraceOf(model, 17136);
  EXPECT_TRUE(extended.extended);
  EXPECT_EQ(Steps(extended).front(), QueryStep::kParse);
  EXPECT_TRUE(extended.HasStep(QueryStep::kBind));
  ASSERT_EQ(extended.statements.size(), 1u);
  EXPECT_EQ(extended.statements[0].tag, "SELECT 2");
  EXPECT_TRUE(extended.interrupted.empty());

  // SELECT 1; SELECT pg_sleep(3) in one Query message.
  const QueryTrace& multi = TraceOf(model, 17158);
  EXPECT_EQ(multi.statements_expected, 2);
  ASSERT_EQ(multi.statements.size(), 2u);
  EXPECT_EQ(multi.statements[1].tag, "SELECT 1");
  EXPECT_GE(multi.statements[1].duration_us, 3000000);
  EXPECT_GE(multi.StageTotal(QueryStep::kExecute), 3000000);
}

}  // namespace
}  // namespace minipg::viz
