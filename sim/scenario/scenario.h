/*-------------------------------------------------------------------------
 * scenario.h
 *   A teaching scenario as the parser gives it to the runner: the setup
 *   (goal, server settings, pg_hba.conf lines, named clients) and the
 *   steps, in file order. docs/scenarios.md is the language reference;
 *   every keyword there maps to one value below.
 *
 *     scenario text --ParseScenario (parser.cpp)--> Scenario --Runner (runner.cpp)--> events, report
 *
 * NOTES
 *   The parser checks everything it can without a server (known keywords,
 *   arities, durations, that named clients exist, blocks closed), so a typo
 *   fails before the lesson starts, naming the file and line.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/common/error.h"

namespace minipg::sim {

/* A simulated client (`client NAME key=value ...`), or a group of them
 * (`client web x5 ...` makes web1 .. web5; the name `web` means all five). */
struct ClientDef {
  std::string name;
  int count = 0;  // 0: one client; N: a group of N
  std::string user;           // user=   (default: the server's superuser)
  std::string database;       // database= (default: postgres)
  std::string application_name;  // app=  (default: the client's own name)
  bool tcp = false;           // transport=tcp|unix (default unix)
  std::string from;           // from=ADDR: the local address a TCP client binds to
  std::string password;       // password=
  int line = 0;
};

/* What a client does (`NAME VERB ...`, or a line inside `NAME do ... end`). */
enum class ActionVerb {
  kConnect,     // connect: startup, authentication, until ReadyForQuery
  kQuery,       // query SQL (also begin / commit / rollback, which set sql)
  kCopyIn,      // copy-in TABLE FILE [csv]: the client's own file through COPY FROM STDIN
  kIdle,        // idle DURATION: hold the connection, doing nothing (think time)
  kDisconnect,  // disconnect: Terminate, then close
  kVanish,      // vanish: close the socket without Terminate
  kStall,       // stall: open a connection and never send a startup packet
  kCancel,      // cancel: a CancelRequest for what the client runs now
  kRepeat,      // repeat N ... end (inside a do block)
  kDo,          // do ... end: a block of actions, once per member of the target
};

struct Action {
  ActionVerb verb = ActionVerb::kQuery;
  std::string sql;        // kQuery: the statement text (rest of the line, ${...} not yet expanded)
  std::string table;      // kCopyIn
  std::string file;       // kCopyIn: relative to the scenario file's folder
  bool csv = false;       // kCopyIn
  int64_t micros = 0;     // kIdle
  int count = 0;          // kRepeat
  std::vector<Action> body;  // kRepeat, kDo
  int line = 0;
};

enum class Compare { kEq, kNe, kLt, kLe, kGt, kGe };

/* What `expect` checks and `wait until` waits for. */
struct Condition {
  enum class Kind {
    kOk,            // expect NAME ok: its last action succeeded
    kError,         // expect NAME error [SQLSTATE]: its last action failed (with it; without
                    // one, for any reason, the client's own failures included)
    kValue,         // expect NAME value TEXT: first column of the first row of its last result
    kRows,          // expect NAME rows N: row count of its last result
    kPidSame,       // expect NAME pid same: same backend pid as its previous connection
    kPidChanged,    // expect NAME pid changed
    kPidsDistinct,  // expect GROUP pids distinct: every member has its own backend
    kConnected,     // expect NAME connected / wait until NAME connected
    kDisconnected,  // expect NAME disconnected (the server closed it, or it left)
    kState,         // NAME state STATE: its backend's state (idle, active, idle in transaction, ...)
    kBackends,      // backends CMP N: live client backends
    kEvent,         // event TYPE [field=value ...]: such an event occurred (since the start)
    kNoEvent,       // no event TYPE [field=value ...]
    kAccepting,     // server accepting: a new connection gets in
    kEventCount,    // events TYPE [field=value ...] CMP N: how many such events occurred
    kSaid,          // NAME said TEXT: the server told NAME TEXT in its last action (an error's
                    // message or DETAIL, or a notice: INFO, NOTICE, WARNING)
    kStopped,       // NAME stopped [at POINT [NODE]]: its backend is stopped now by stepping (there)
  };
  Kind kind = Kind::kOk;
  std::string client;  // the NAME, where the kind has one
  std::string text;    // SQLSTATE, value, state, event type, or what was said
  Compare compare = Compare::kEq;  // kBackends, kRows, kEventCount
  int64_t number = 0;              // kBackends, kRows, kEventCount
  std::vector<std::pair<std::string, std::string>> fields;  // kEvent, kNoEvent, kEventCount
  std::string node;  // kStopped: how the stopped node's title begins ("Seq Scan"), or empty
};

enum class StepKind {
  kCaption,    // caption TEXT: narration, shown by the visualizer and printed by the runner
  kPause,      // pause: with --step, waits for Enter
  kSleep,      // sleep DURATION: a fixed wait the scenario asks for
  kAction,     // NAME VERB ...: `target` does `action`
  kWait,       // wait [NAME]: until NAME's (or everyone's) background actions are done
  kWaitUntil,  // wait until CONDITION [within DURATION]
  kExpect,     // expect CONDITION: an assertion; a failed one fails the scenario
  kSignal,     // signal postmaster|NAME SIGNAME: to the postmaster or NAME's backend
  kServer,     // server start | server stop [smart|fast|immediate]
  kSnapshot,   // snapshot: the storyboard's picture of the current caption is taken now
  kStep,       // step NAME attach [GRANULARITY] | next [N] | detach: live stepping (stepping.h)
};

struct Step {
  StepKind kind = StepKind::kCaption;
  int line = 0;
  std::string target;       // kAction, kWait, kSignal: a client, a group, or "postmaster"
  Action action;            // kAction
  bool background = false;  // kAction ending in '&'
  std::string text;         // kCaption: the text; kSignal: "SIGTERM" ...; kServer: "start", "stop";
                            // kStep: "attach", "next", "detach"
  std::string mode;         // kServer stop: "smart", "fast" (default) or "immediate"; kStep attach:
                            // the granularity (default "row")
  int64_t micros = 0;       // kSleep; kWaitUntil: the timeout (default kDefaultWaitMicros)
  Condition condition;      // kWaitUntil, kExpect
  int64_t count = 0;        // kStep next: how many step points to let pass (text "next")
};

inline constexpr int64_t kDefaultWaitMicros = 10'000'000;
/* How deep `do` and `repeat` blocks may nest (the do block counts as one):
 * an Action holds its body, so a file of a million nested repeats would
 * otherwise overflow the stack freeing them, or running them. */
inline constexpr size_t kMaxBlockDepth = 16;
/* The most clients one scenario may declare (each is a thread and a
 * connection of minipg-sim). */
inline constexpr int64_t kMaxScenarioClients = 10000;

struct Scenario {
  std::filesystem::path path;  // where it was read from (copy-in files are relative to it)
  std::string title;           // title TEXT (default: the file's stem)
  std::string goal;            // goal TEXT lines, joined with spaces
  std::vector<std::pair<std::string, std::string>> settings;  // server NAME=VALUE ...
  std::vector<std::string> hba_lines;  // hba ...: the embedded server's whole pg_hba.conf
  std::vector<ClientDef> clients;
  std::vector<Step> steps;
};

/* Parses a scenario. An error's message is "FILE:LINE: what was expected". */
Result<Scenario> ParseScenario(std::string_view text, const std::filesystem::path& path);
/* Reads and parses a file. */
Result<Scenario> LoadScenario(const std::filesystem::path& path);

/* "500ms", "2s", "1.5s", "1min" -> microseconds; nullopt-like error if bad. */
Result<int64_t> ParseDuration(std::string_view text);

}  // namespace minipg::sim
