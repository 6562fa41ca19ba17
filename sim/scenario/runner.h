/*-------------------------------------------------------------------------
 * runner.h
 *   Plays a parsed scenario (scenario.h) against a server: its own
 *   (ServerProcess, the embedded default) or one already running. Prints
 *   each caption and step as it goes and a summary at the end, sends the
 *   client-side events into the server's stream, and counts failed
 *   expectations.
 *
 *     Runner r(scenario, options);  int status = r.Run();   // 0 passed, 1 failed, 2 could not run
 *
 * NOTES
 *   Steps run one after another on the caller's thread; a client's actions
 *   run on that client's own thread (sim_client.h), so `&` steps overlap.
 *   Conditions about the server (backends, states, events) are read from
 *   the event stream after a Sync(), so they see everything the server did
 *   before the step.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sim/scenario/event_link.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/server_process.h"
#include "sim/scenario/sim_client.h"

namespace minipg::sim {

struct RunOptions {
  std::string server;        // "HOST:PORT" of a running server; empty = start our own
  std::string socket_dir = "/tmp";  // with `server`: where its Unix socket is
  int event_port = 0;        // with `server`: its event_port (default PORT + 1); without: the
                             // event_port of the server we start (default: a free port)
  std::string user;          // clients' default user (default: the OS user)
  double speed = 1.0;        // sleeps and idles last 1/speed as long
  bool step = false;         // wait for Enter at captions and pauses
  int64_t hold_micros = 0;   // before the next caption, let the last one's outcome show this long (storyboards)
  bool setup_applied = false;  // with `server`: it was started with the scenario's server and hba lines
  FILE* out = stdout;
};

enum RunStatus { kRunPassed = 0, kRunFailed = 1, kRunBroken = 2 };

class Runner {
 public:
  Runner(const Scenario& scenario, RunOptions options);
  ~Runner();

  RunStatus Run();

  int expectations() const { return expectations_; }
  int failures() const { return failures_; }

 private:
  Status Setup();
  void Teardown();
  void RunStep(const Step& step);
  void RunAction(const Step& step);
  void Perform(SimClient& c, const Action& a);
  void Check(const Step& step, bool waiting);
  /* Whether `cond` holds now; `got` says what was found instead. */
  bool Holds(const Condition& cond, std::string& got);
  void Signal(const Step& step);
  void Server(const Step& step);
  /* Live stepping (runner_step.cpp): a `step` line, and the `stopped` condition. */
  void Stepping(const Step& step);
  bool Stopped(const Condition& cond, std::string& got);
  /* The runner's own connection for the minipg_step_* functions, opened at first use. */
  Result<client::Connection*> Stepper();
  Status OpenLink();
  /* Tells the stream which lesson plays (at the start, and to a new server). */
  void SendScenarioStart();

  std::vector<SimClient*> Members(const std::string& target);
  SimClient* Find(const std::string& name);
  std::string Expand(const std::string& text);
  /* An event condition's FIELD=VALUE pairs with each VALUE expanded (`pid=${alice.pid}`). */
  std::vector<std::pair<std::string, std::string>> ExpandFields(
      const std::vector<std::pair<std::string, std::string>>& fields);
  void SleepMicros(int64_t micros);
  void HoldCaption();
  void SayResults(const Outcome& o);
  /* Where a client's file is: FILE (or ~/FILE, in its home) relative to
   * the scenario's folder, made absolute; an absolute FILE as it is. */
  std::filesystem::path ClientFile(const std::string& file) const;
  /* `snapshot`: the stream is told the caption's picture is due now. */
  void Snapshot(const Step& step);
  void Say(const std::string& text);
  client::ConnectOptions OptionsFor(const ClientDef& def, int member) const;
  /* The runner's own connections (the `server accepting` probe, the stepping one):
   * the server's superuser on its Unix socket, database postgres. */
  client::ConnectOptions OwnOptions(const std::string& application_name, int timeout_ms) const;

  const Scenario& scenario_;
  RunOptions options_;
  std::unique_ptr<ServerProcess> server_;
  EventLink link_;
  std::string host_;  // TCP host of the server
  int port_ = 0;
  int event_port_ = 0;
  std::string socket_dir_;
  std::string default_user_;
  std::map<std::string, std::unique_ptr<SimClient>> clients_;
  std::map<std::string, std::vector<std::string>> groups_;
  std::map<SimClient*, std::chrono::steady_clock::time_point> busy_since_;  // background work, for `wait`
  int expectations_ = 0;
  int failures_ = 0;
  int captions_ = 0;
  bool snapshot_held_ = false;  // this caption's `snapshot` was sent (and held, with --hold)
  nlohmann::json last_caption_;  // the caption event's fields, to say again to a new server
  std::unique_ptr<client::Connection> stepper_;  // see Stepper()
};

/* `${NAME.home}`: the client's home folder on its own machine, as the
 * server would be told it ("/home/NAME"). minipg-sim plays that machine:
 * the client's files (`~/FILE`) are the scenario folder's, and the server
 * has no such folder. */
std::string ClientHome(const std::string& client);

/* A result longer than this prints its first rows only. */
inline constexpr size_t kMaxRowsShown = 20;

/* "ERROR:  message (SQLSTATE)" from the server; a client-side failure
 * with no SQLSTATE, as psql prints one. */
std::string DescribeFailure(const Outcome& o);

/* "expect alice error 53300" for a condition, as it could be written. */
std::string DescribeCondition(const Condition& c);

}  // namespace minipg::sim
