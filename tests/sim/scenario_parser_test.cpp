/*
 * scenario_parser_test.cpp
 *   The scenario language's parser (sim/scenario/parser.cpp) on its own:
 *   the reference's examples parse into the structure the runner reads,
 *   and every mistake a teacher might make is caught with its file, line
 *   and what was expected.
 */
#include <gtest/gtest.h>

#include "sim/scenario/scenario.h"

namespace minipg::sim {
namespace {

Scenario Parse(const std::string& text) {
  auto s = ParseScenario(text, "lesson.scn");
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
  return s.ok() ? *s : Scenario{};
}

/* The error message for `text`, which must not parse. */
std::string ErrorOf(const std::string& text) {
  auto s = ParseScenario(text, "dir/lesson.scn");
  EXPECT_FALSE(s.ok()) << text;
  if (s.ok()) return "";
  EXPECT_EQ(s.error().sqlstate, "42601");
  return s.error().message;
}

// Scenario: the hello example from docs/scenarios.md.
TEST(ScenarioParserTest, HelloExample) {
  Scenario s = Parse(
      "# hello.scn\n"
      "title Hello\n"
      "goal One client connects;\n"
      "goal the backend exits.\n"
      "\n"
      "client alice app=psql\n"
      "caption Alice connects. # not a comment here\n"
      "alice connect\n"
      "expect alice ok\n"
      "expect backends = 1\n"
      "alice query SELECT 'a#b' || pg_backend_pid()\n"
      "expect alice rows 1\n"
      "alice disconnect   # bye\n"
      "wait until backends = 0\n"
      "expect event child_exit role=backend\n");
  EXPECT_EQ(s.title, "Hello");
  EXPECT_EQ(s.goal, "One client connects; the backend exits.");
  ASSERT_EQ(s.clients.size(), 1u);
  EXPECT_EQ(s.clients[0].name, "alice");
  EXPECT_EQ(s.clients[0].application_name, "psql");
  EXPECT_FALSE(s.clients[0].tcp);
  ASSERT_EQ(s.steps.size(), 9u);
  EXPECT_EQ(s.steps[0].kind, StepKind::kCaption);
  EXPECT_EQ(s.steps[0].text, "Alice connects. # not a comment here");
  EXPECT_EQ(s.steps[0].line, 7);
  EXPECT_EQ(s.steps[1].kind, StepKind::kAction);
  EXPECT_EQ(s.steps[1].target, "alice");
  EXPECT_EQ(s.steps[1].action.verb, ActionVerb::kConnect);
  EXPECT_EQ(s.steps[2].condition.kind, Condition::Kind::kOk);
  EXPECT_EQ(s.steps[3].condition.kind, Condition::Kind::kBackends);
  EXPECT_EQ(s.steps[3].condition.compare, Compare::kEq);
  EXPECT_EQ(s.steps[3].condition.number, 1);
  EXPECT_EQ(s.steps[4].action.verb, ActionVerb::kQuery);
  EXPECT_EQ(s.steps[4].action.sql, "SELECT 'a#b' || pg_backend_pid()");
  EXPECT_EQ(s.steps[5].condition.kind, Condition::Kind::kRows);
  EXPECT_EQ(s.steps[6].action.verb, ActionVerb::kDisconnect);
  EXPECT_EQ(s.steps[7].kind, StepKind::kWaitUntil);
  EXPECT_EQ(s.steps[7].micros, kDefaultWaitMicros);
  EXPECT_EQ(s.steps[8].condition.kind, Condition::Kind::kEvent);
  EXPECT_EQ(s.steps[8].condition.text, "child_exit");
  ASSERT_EQ(s.steps[8].condition.fields.size(), 1u);
  EXPECT_EQ(s.steps[8].condition.fields[0], (std::pair<std::string, std::string>{"role", "backend"}));
}

// Scenario: groups, a background do block with a nested repeat, and wait.
TEST(ScenarioParserTest, GroupsBlocksAndBackground) {
  Scenario s = Parse(
      "client web x3 transport=tcp from=127.0.0.2 user=app password=pw database=shop\n"
      "web do &\n"
      "  connect\n"
      "  repeat 20\n"
      "    query SELECT 1\n"
      "    idle 10ms\n"
      "  end\n"
      "  disconnect\n"
      "end\n"
      "web2 query SELECT pg_sleep(1) &\n"
      "wait web\n"
      "wait\n"
      "expect web pids distinct\n"
      "expect web3 ok\n");
  ASSERT_EQ(s.clients.size(), 1u);
  const ClientDef& web = s.clients[0];
  EXPECT_EQ(web.count, 3);
  EXPECT_TRUE(web.tcp);
  EXPECT_EQ(web.from, "127.0.0.2");
  EXPECT_EQ(web.user, "app");
  EXPECT_EQ(web.password, "pw");
  EXPECT_EQ(web.database, "shop");
  ASSERT_EQ(s.steps.size(), 6u);
  const Step& block = s.steps[0];
  EXPECT_TRUE(block.background);
  EXPECT_EQ(block.action.verb, ActionVerb::kDo);
  ASSERT_EQ(block.action.body.size(), 3u);
  EXPECT_EQ(block.action.body[0].verb, ActionVerb::kConnect);
  const Action& repeat = block.action.body[1];
  EXPECT_EQ(repeat.verb, ActionVerb::kRepeat);
  EXPECT_EQ(repeat.count, 20);
  ASSERT_EQ(repeat.body.size(), 2u);
  EXPECT_EQ(repeat.body[0].sql, "SELECT 1");
  EXPECT_EQ(repeat.body[1].micros, 10000);
  EXPECT_EQ(block.action.body[2].verb, ActionVerb::kDisconnect);
  EXPECT_TRUE(s.steps[1].background);
  EXPECT_EQ(s.steps[1].target, "web2");
  EXPECT_EQ(s.steps[1].action.sql, "SELECT pg_sleep(1)");
  EXPECT_EQ(s.steps[2].kind, StepKind::kWait);
  EXPECT_EQ(s.steps[2].target, "web");
  EXPECT_EQ(s.steps[3].target, "");
  EXPECT_EQ(s.steps[4].condition.kind, Condition::Kind::kPidsDistinct);
  EXPECT_EQ(s.steps[5].condition.client, "web3");
}

// Scenario: every kind of condition, sugar verbs, server and signal steps.
TEST(ScenarioParserTest, ConditionsAndSteps) {
  Scenario s = Parse(
      "server max_connections=3 authentication_timeout=2s\n"
      "hba local all bob password\n"
      "hba host all all 127.0.0.1/32 trust\n"
      "client bob\n"
      "bob begin\n"
      "bob copy-in items data/items.csv csv\n"
      "bob stall\n"
      "bob vanish\n"
      "bob cancel\n"
      "expect bob error 57P01\n"
      "expect bob value SELECT pg_sleep(3)\n"
      "expect bob rows >= 2\n"
      "expect bob pid same\n"
      "expect bob pid changed\n"
      "expect bob connected\n"
      "expect bob disconnected\n"
      "wait until bob state idle in transaction within 1.5s\n"
      "expect no event crash\n"
      "expect events fork role=backend >= 40\n"
      "wait until server accepting within 1min\n"
      "signal postmaster SIGTERM\n"
      "signal bob SIGKILL\n"
      "server stop immediate\n"
      "server start\n"
      "sleep 250ms\n"
      "pause\n");
  ASSERT_EQ(s.settings.size(), 2u);
  EXPECT_EQ(s.settings[1], (std::pair<std::string, std::string>{"authentication_timeout", "2s"}));
  EXPECT_EQ(s.hba_lines, (std::vector<std::string>{"local all bob password", "host all all 127.0.0.1/32 trust"}));
  using K = Condition::Kind;
  const auto& st = s.steps;
  ASSERT_EQ(st.size(), 22u);
  EXPECT_EQ(st[0].action.sql, "BEGIN");
  EXPECT_EQ(st[1].action.verb, ActionVerb::kCopyIn);
  EXPECT_EQ(st[1].action.table, "items");
  EXPECT_EQ(st[1].action.file, "data/items.csv");
  EXPECT_TRUE(st[1].action.csv);
  EXPECT_EQ(st[2].action.verb, ActionVerb::kStall);
  EXPECT_EQ(st[3].action.verb, ActionVerb::kVanish);
  EXPECT_EQ(st[4].action.verb, ActionVerb::kCancel);
  EXPECT_EQ(st[5].condition.kind, K::kError);
  EXPECT_EQ(st[5].condition.text, "57P01");
  EXPECT_EQ(st[6].condition.kind, K::kValue);
  EXPECT_EQ(st[6].condition.text, "SELECT pg_sleep(3)");
  EXPECT_EQ(st[7].condition.compare, Compare::kGe);
  EXPECT_EQ(st[7].condition.number, 2);
  EXPECT_EQ(st[8].condition.kind, K::kPidSame);
  EXPECT_EQ(st[9].condition.kind, K::kPidChanged);
  EXPECT_EQ(st[10].condition.kind, K::kConnected);
  EXPECT_EQ(st[11].condition.kind, K::kDisconnected);
  EXPECT_EQ(st[12].condition.kind, K::kState);
  EXPECT_EQ(st[12].condition.text, "idle in transaction");
  EXPECT_EQ(st[12].micros, 1500000);
  EXPECT_EQ(st[13].condition.kind, K::kNoEvent);
  EXPECT_EQ(st[13].condition.text, "crash");
  EXPECT_EQ(st[14].condition.kind, K::kEventCount);
  EXPECT_EQ(st[14].condition.fields.size(), 1u);
  EXPECT_EQ(st[14].condition.number, 40);
  EXPECT_EQ(st[15].condition.kind, K::kAccepting);
  EXPECT_EQ(st[15].micros, 60000000);
  EXPECT_EQ(st[16].kind, StepKind::kSignal);
  EXPECT_EQ(st[16].target, "postmaster");
  EXPECT_EQ(st[16].text, "SIGTERM");
  EXPECT_EQ(st[17].target, "bob");
  EXPECT_EQ(st[18].text, "stop");
  EXPECT_EQ(st[18].mode, "immediate");
  EXPECT_EQ(st[19].text, "start");
  EXPECT_EQ(st[20].micros, 250000);
  EXPECT_EQ(st[21].kind, StepKind::kPause);
}

// Scenario: `expect NAME said TEXT` keeps the rest of the line as written,
// '#' and ${...} included (the runner expands them); without TEXT it is a mistake.
TEST(ScenarioParserTest, SaidKeepsItsText) {
  Scenario s = Parse(
      "client bob\n"
      "expect bob said tuples: 0 removed, 1000 remain, 100 are dead but not yet removable\n"
      "expect bob said blocked by process ${alice.pid}. # not a comment\n");
  ASSERT_EQ(s.steps.size(), 2u);
  EXPECT_EQ(s.steps[0].condition.kind, Condition::Kind::kSaid);
  EXPECT_EQ(s.steps[0].condition.client, "bob");
  EXPECT_EQ(s.steps[0].condition.text, "tuples: 0 removed, 1000 remain, 100 are dead but not yet removable");
  EXPECT_EQ(s.steps[1].condition.text, "blocked by process ${alice.pid}. # not a comment");
  auto bad = ParseScenario("client bob\nexpect bob said\n", "lesson.scn");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("lesson.scn:2: expected the text after \"said\""), std::string::npos)
      << bad.error().message;
}

TEST(ScenarioParserTest, Durations) {
  EXPECT_EQ(*ParseDuration("250ms"), 250000);
  EXPECT_EQ(*ParseDuration("2s"), 2000000);
  EXPECT_EQ(*ParseDuration("1.5s"), 1500000);
  EXPECT_EQ(*ParseDuration("1min"), 60000000);
  EXPECT_EQ(*ParseDuration("10us"), 10);
  for (const char* bad : {"", "5", "s", "-1s", "1.2.3s", "2 s", "3h", "fast"}) {
    EXPECT_FALSE(ParseDuration(bad).ok()) << bad;
  }
}

// Scenario: each mistake names the file and line, and what was expected.
TEST(ScenarioParserTest, MistakesNameFileLineAndWhatWasExpected) {
  struct Case {
    std::string text;
    std::string message;
  };
  const std::string c = "client alice\n";
  std::vector<Case> cases = {
      {c + "alice conect\n", "lesson.scn:2: expected connect, query, begin"},
      {"bob connect\n", "lesson.scn:1: expected a step keyword or a client declared with \"client\", found \"bob\""},
      {c + "sleep fast\n", "lesson.scn:2: expected a duration such as 500ms or 2s, found \"fast\""},
      {c + "alice idle 5\n", "lesson.scn:2: expected a duration such as 500ms or 2s, found \"5\""},
      {c + "expect alice error 5701\n", "lesson.scn:2: expected a SQLSTATE of 5 digits or capital letters"},
      {c + "expect backends == 3\n", "lesson.scn:2: expected one of = != < <= > >=, found \"==\""},
      {c + "expect backends 3\n", "lesson.scn:2: expected CMP N"},
      {c + "client alice\n", "lesson.scn:2: client \"alice\" is declared twice"},
      {"client web x2\nclient web2\n", "lesson.scn:2: client \"web2\" is declared twice"},
      {"client web x2\nweb3 connect\n", "lesson.scn:2: expected a step keyword or a client"},
      {"client web x0\n", "lesson.scn:1: a group needs at least one client"},
      {"client web x300005152\n", "lesson.scn:1: a scenario may declare at most 10000 clients"},
      {"client web x9999\nclient db x2\n", "lesson.scn:2: a scenario may declare at most 10000 clients"},
      {"client web x9999\nclient alice\nclient bob\n", "lesson.scn:3: a scenario may declare at most 10000 clients"},
      {c + "alice do\n  connect\n", "lesson.scn:2: this \"do\" block has no \"end\""},
      {c + "alice do\n  repeat 2\n    connect\n  end\n", "lesson.scn:2: this \"do\" block has no \"end\""},
      {c + "end\n", "lesson.scn:2: \"end\" without a \"do\" or \"repeat\" block"},
      {c + "repeat 3\n", "lesson.scn:2: \"repeat\" is only allowed inside a \"NAME do\" block"},
      {c + "alice do\n  alice do\n", "lesson.scn:3: a \"do\" block cannot hold another"},
      {c + "alice do\n  caption hi\nend\n", "lesson.scn:3: \"caption\" is not allowed inside a \"do\" block"},
      {c + "alice do\n  connect &\nend\n", "lesson.scn:3: \"&\" is for steps outside a block"},
      {"client bob colour=red\n", "lesson.scn:1: unknown client key \"colour\""},
      {"client bob transport=udp\n", "lesson.scn:1: expected transport=unix or transport=tcp"},
      {"client bob from=127.0.0.2\n", "lesson.scn:1: from= needs transport=tcp"},
      {"client end\n", "lesson.scn:1: \"end\" is a keyword, not a client name"},
      {c + "signal alice SIGUSR1\n", "lesson.scn:2: expected SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGKILL or SIGSEGV"},
      {c + "signal bob SIGTERM\n", "lesson.scn:2: expected a client declared with \"client\", found \"bob\""},
      {c + "server stop gently\n", "lesson.scn:2: expected smart, fast or immediate, found \"gently\""},
      {c + "expect alice pids distinct\n", "lesson.scn:2: \"pids distinct\" needs a group"},
      {c + "expect alice happy\n", "lesson.scn:2: expected ok, error, value, rows"},
      {c + "alice query\n", "lesson.scn:2: expected the SQL after \"query\""},
      {c + "caption\n", "lesson.scn:2: expected text after \"caption\""},
      {c + "hba local all\n", "lesson.scn:2: expected \"hba local DATABASE USER METHOD\""},
      {c + "wait until alice state\n", "lesson.scn:2: expected a state"},
  };
  for (const Case& k : cases) {
    std::string got = ErrorOf(k.text);
    EXPECT_EQ(got.rfind(k.message, 0), 0u) << "for:\n" << k.text << "got: " << got;
  }
}

// Scenario: blocks nest at most kMaxBlockDepth deep, so a file of endlessly
// nested repeats is an error naming its line, not a stack overflow (the
// scenario fuzz target's regression: 200,000 nested repeats crashed while
// the parsed scenario was freed).
TEST(ScenarioParserTest, BlockNestingIsBounded) {
  auto nested = [](size_t repeats) {
    std::string text = "client alice\nalice do\n";
    for (size_t i = 0; i < repeats; ++i) text += "repeat 2\n";
    text += "connect\n";
    for (size_t i = 0; i <= repeats; ++i) text += "end\n";
    return text;
  };
  EXPECT_TRUE(ParseScenario(nested(kMaxBlockDepth - 1), "lesson.scn").ok()) << "the deepest allowed";
  EXPECT_EQ(ErrorOf(nested(kMaxBlockDepth)),
            "lesson.scn:18: blocks nest too deeply (at most 16 levels of \"do\" and \"repeat\")");
  EXPECT_FALSE(ParseScenario(nested(200000), "lesson.scn").ok());
}

// Scenario: `snapshot` is a step of its own (the storyboard's picture of the
// caption, now); it takes no words and is not a client step.
TEST(ScenarioParserTest, SnapshotStep) {
  Scenario s = Parse(
      "client alice\n"
      "caption Alice connects.\n"
      "alice connect\n"
      "snapshot   # the picture, before she leaves\n"
      "alice disconnect\n");
  ASSERT_EQ(s.steps.size(), 4u);
  EXPECT_EQ(s.steps[2].kind, StepKind::kSnapshot);
  EXPECT_EQ(s.steps[2].line, 4);
  EXPECT_NE(ErrorOf("snapshot now\n").find("lesson.scn:1: \"snapshot\" takes nothing after it"), std::string::npos);
  EXPECT_NE(ErrorOf("client a\na do\n  snapshot\nend\n").find("\"snapshot\" is not allowed inside a \"do\" block"),
            std::string::npos);
  EXPECT_NE(ErrorOf("client snapshot\n").find("lesson.scn:1: \"snapshot\" is a keyword"), std::string::npos);
}

// Scenario: `expect NAME error` without a SQLSTATE: any failure, the
// client's own (which has none) included.
TEST(ScenarioParserTest, ErrorWithoutSqlstate) {
  Scenario s = Parse("client a\nexpect a error\nexpect a error 58P01\n");
  ASSERT_EQ(s.steps.size(), 2u);
  EXPECT_EQ(s.steps[0].condition.kind, Condition::Kind::kError);
  EXPECT_EQ(s.steps[0].condition.text, "");
  EXPECT_EQ(s.steps[1].condition.text, "58P01");
  EXPECT_NE(ErrorOf("client a\nexpect a error nope\n").find("expected a SQLSTATE"), std::string::npos);
}

// Scenario: the stepping keywords of docs/scenarios.md ("Stepping a query"):
// attach with a granularity (row by default), next with a count (1 by
// default), detach, and the stopped condition with a point's one or two
// words and the start of a node's title, quoted or not.
TEST(ScenarioParserTest, SteppingKeywords) {
  Scenario s = Parse(
      "client alice\n"
      "client bob\n"
      "step alice attach\n"
      "step alice attach stage\n"
      "alice query SELECT 1 &\n"
      "wait until alice stopped at parse within 5s\n"
      "step alice next\n"
      "step alice next 12\n"
      "expect alice stopped\n"
      "expect alice stopped at executor start\n"
      "expect alice stopped at row Seq Scan on t   # a comment\n"
      "expect alice stopped at first row \"Hash Join\"\n"
      "step alice detach\n"
      "alice query SELECT 2\n"
      "step alice attach\n"
      "wait until alice stopped\n"
      "wait bob\n"
      "step alice detach\n"
      "wait alice\n");
  ASSERT_EQ(s.steps.size(), 17u);
  EXPECT_EQ(s.steps[0].kind, StepKind::kStep);
  EXPECT_EQ(s.steps[0].target, "alice");
  EXPECT_EQ(s.steps[0].text, "attach");
  EXPECT_EQ(s.steps[0].mode, "row");
  EXPECT_EQ(s.steps[0].line, 3);
  EXPECT_EQ(s.steps[1].mode, "stage");
  EXPECT_TRUE(s.steps[2].background);
  EXPECT_EQ(s.steps[3].kind, StepKind::kWaitUntil);
  EXPECT_EQ(s.steps[3].condition.kind, Condition::Kind::kStopped);
  EXPECT_EQ(s.steps[3].condition.text, "parse");
  EXPECT_EQ(s.steps[3].micros, 5'000'000);
  EXPECT_EQ(s.steps[4].text, "next");
  EXPECT_EQ(s.steps[4].count, 1);
  EXPECT_EQ(s.steps[5].count, 12);
  EXPECT_EQ(s.steps[6].condition.kind, Condition::Kind::kStopped);
  EXPECT_EQ(s.steps[6].condition.text, "");
  EXPECT_EQ(s.steps[7].condition.text, "executor start");
  EXPECT_EQ(s.steps[7].condition.node, "");
  EXPECT_EQ(s.steps[8].condition.text, "row");
  EXPECT_EQ(s.steps[8].condition.node, "Seq Scan on t");
  EXPECT_EQ(s.steps[9].condition.text, "first row");
  EXPECT_EQ(s.steps[9].condition.node, "Hash Join");
  EXPECT_EQ(s.steps[10].text, "detach");
  EXPECT_FALSE(s.steps[11].background) << "detached: a query in the foreground is fine again";
}

// Scenario: stepping mistakes, including a stepped client's query in the
// foreground, which would wait forever for a "step NAME next".
TEST(ScenarioParserTest, SteppingMistakes) {
  const std::string c = "client alice\nclient web x2\n";
  struct Case {
    std::string text, message;
  };
  std::vector<Case> cases = {
      {c + "step\n", "lesson.scn:3: expected \"step NAME attach|next|detach\", found the end of the line"},
      {c + "step bob next\n", "lesson.scn:3: expected a client declared with \"client\", found \"bob\""},
      {c + "step web attach\n", "lesson.scn:3: \"step\" needs one client, and \"web\" is a group"},
      {c + "step alice\n", "lesson.scn:3: expected \"step NAME attach|next|detach\""},
      {c + "step alice go\n", "lesson.scn:3: expected attach, next or detach after \"step alice\", found \"go\""},
      {c + "step alice attach rows\n", "lesson.scn:3: expected a granularity: stage, node, row or page, found \"rows\""},
      {c + "step alice attach row now\n", "lesson.scn:3: unexpected \"now\""},
      {c + "step alice next 0\n", "lesson.scn:3: expected how many step points (1 or more), found \"0\""},
      {c + "step alice next x\n", "lesson.scn:3: expected how many step points (1 or more), found \"x\""},
      {c + "step alice next 2 3\n", "lesson.scn:3: unexpected \"3\""},
      {c + "step alice detach now\n", "lesson.scn:3: \"step NAME detach\" takes nothing after it, found \"now\""},
      {c + "expect alice stopped in parse\n", "lesson.scn:3: expected \"stopped\" or \"stopped at POINT [NODE]\""},
      {c + "expect alice stopped at\n", "lesson.scn:3: expected a step point (parse, analyze,"},
      {c + "expect alice stopped at first\n", "lesson.scn:3: expected a step point (parse, analyze,"},
      {c + "step alice attach\nalice query SELECT 1\n",
       "lesson.scn:4: alice is attached for stepping, so this would wait for a \"step alice next\" forever"},
      {c + "step alice attach\nalice commit\n", "lesson.scn:4: alice is attached for stepping"},
      {c + "step alice attach\nalice do\nquery SELECT 1\nend\n", "lesson.scn:4: alice is attached for stepping"},
      {c + "expect web stopped\n", "lesson.scn:3: \"stopped\" needs one client, and \"web\" is a group"},
      {c + "step alice attach\nalice query SELECT 1 &\nwait alice\n",
       "lesson.scn:5: alice is attached for stepping, so \"wait\" could wait for a \"step alice next\" forever: "
       "\"step alice detach\" first"},
      {c + "step alice attach\nwait\n", "lesson.scn:4: alice is attached for stepping, so \"wait\""},
      {c + "step web2 attach\nwait web\n", "lesson.scn:4: web2 is attached for stepping, so \"wait\""},
      {c + "client step\n", "lesson.scn:3: \"step\" is a keyword, not a client name"},
  };
  for (const Case& k : cases) {
    std::string got = ErrorOf(k.text);
    EXPECT_EQ(got.rfind(k.message, 0), 0u) << "for:\n" << k.text << "got: " << got;
  }
}

}  // namespace
}  // namespace minipg::sim
