/*-------------------------------------------------------------------------
 * model.h
 *   The visualizer's model of a running minipg server: its processes,
 *   connections, the recent event log, counters and anomalies. It is plain
 *   C++ fed one event at a time (Apply / ApplyLine) and knows nothing about
 *   drawing; the panels in viz/ui/ read it. Live and recorded input go
 *   through the same code (see source.h).
 *
 *   A process as the model sees it:
 *
 *     (absent) --fork / process snapshot [OnFork, OnProcessSnapshot]--> live
 *     live --state event [OnState]--> live (session state changes)
 *     live --disconnect [OnDisconnect]--> live, disconnected
 *     live --child_exit [OnChildExit] / postmaster_exit--> exited
 *                                       (crashed if killed, or an exit code other than 0,
 *                                        or 1 for a backend)
 *
 * NOTES
 *   The model checks the stream and records anything impossible as an
 *   Anomaly instead of crashing or silently ignoring it: malformed lines,
 *   unknown types, time going backwards (hello and process lines excepted:
 *   they head a stream with times of their own), an exit for a pid never forked,
 *   events from an exited pid, a newer schema version, dropped events.
 *   Memory is bounded: the log keeps the last `log_capacity` entries, only
 *   `max_exited_processes` exited processes are kept, and only the last
 *   `max_anomalies` anomalies (the totals are still counted).
 *   Not thread-safe: one thread (the UI thread) owns a Model.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "viz/model/event.h"
#include "viz/model/event_log.h"
#include "viz/model/query_trace.h"
#include "viz/model/step_state.h"
#include "viz/model/shared_memory.h"
#include "viz/model/transactions.h"

namespace minipg::viz {

enum class ProcessRole {
  kPostmaster,  // the server's parent process
  kBackend,     // serves one client connection
  kCollector,   // the event collector (auxiliary process)
  kCheckpointer,  // the checkpointer (auxiliary process)
  kBgWriter,    // the background writer (auxiliary process)
  kWalWriter,   // the WAL writer (auxiliary process)
  kStartup,     // the startup process: replays the WAL, then exits (auxiliary process)
  kAutovacuumLauncher,  // asks the postmaster for workers on a schedule (auxiliary process)
  kAutovacuumWorker,    // vacuums tables of one database, then exits (forked on the launcher's request)
  kOther,       // a role this version does not know, or not yet known
};

/* A backend session's state, as in pg_stat_activity.state. */
enum class SessionState {
  kUnknown,                   // no state event seen yet (or not a backend)
  kStarting,                  // forked, reading the startup packet
  kAuthenticating,            // checking the client's credentials
  kIdle,                      // waiting for a query
  kActive,                    // running a query
  kIdleInTransaction,         // in a transaction block, waiting
  kIdleInTransactionAborted,  // in a failed transaction block, waiting
  kTerminating,               // session is ending
};

struct Process {
  int64_t pid = 0;
  int64_t parent_pid = 0;  // 0: none (the postmaster) or unknown
  ProcessRole role = ProcessRole::kOther;
  SessionState state = SessionState::kUnknown;
  std::string state_text;  // the state as sent ("idle in transaction")
  int64_t conn = 0;        // connection number (backends), 0 if none
  std::string client;      // "127.0.0.1:52114" or "[local]"
  std::string transport;   // "tcp" / "unix"
  std::string user;
  std::string database;
  std::string application_name;
  std::string client_name;    // the minipg-sim client it serves ("alice"), else ""
  std::string current_query;  // while a query runs, else empty
  std::string last_query;     // the most recent query's text
  std::string stage;          // current query stage: parse/analyze/plan/execute
  std::string waiting_for;    // the lock it waits for ("table t (exclusive)"), else empty
  int64_t cancel_target = 0;  // forked as a backend, it carried a CancelRequest for this pid
  std::string last_tag;       // last command tag, "SELECT 3"
  int64_t last_duration_us = 0;
  std::string last_error;    // "ERROR 42P01: relation ... does not exist"
  std::string last_plan;     // the last plan tree, as indented text
  QueryTrace query;          // the current or last query, stage by stage (query_trace.h)
  int64_t queries_done = 0;
  char txn_status = 0;       // last ReadyForQuery status: 'I', 'T', 'E' (0: none)
  std::string disconnect_reason;  // set once the session has ended
  int64_t started_ts = 0;
  int64_t last_event_ts = 0;
  bool exited = false;
  std::optional<int64_t> exited_ts;
  std::optional<int64_t> exit_code;
  std::optional<int64_t> exit_signal;
  std::string exit_status;  // as logged: "exited with exit code 0"
  bool crashed = false;     // killed by a signal or an abnormal exit code (a backend's 1, after a FATAL, is normal)
  bool from_snapshot = false;  // learned from a late-subscriber snapshot
  StepInfo step;               // live stepping: where it stopped (step_state.h)
};

struct Connection {
  int64_t conn = 0;
  std::string client;
  std::string transport;
  int64_t accepted_ts = 0;
  int64_t backend_pid = 0;  // 0 until the fork event
};

struct ListenSocket {
  std::string transport;
  std::string address;
  int64_t port = 0;
};

/* What the postmaster told us about the server. */
struct ServerInfo {
  int64_t schema_version = 0;  // from hello (0: no hello yet)
  std::string server;          // "minipg"
  std::string server_version;
  int64_t wall_us = 0;         // wall clock at hello_ts
  int64_t hello_ts = 0;
  std::string data_directory;
  int64_t port = 0;
  int64_t max_connections = 0;
  int64_t event_port = 0;
  std::vector<ListenSocket> listen_sockets;
  std::string shutdown_mode;   // smart / fast / immediate once requested
  std::string postmaster_state = "run";  // from postmaster_state: run, crash recovery, ... shutdown
  int64_t crashes = 0;         // crash cycles started (crash events)
  std::optional<int64_t> postmaster_exit_code;
};

/* What a scenario being played says (minipg-sim's client-side events):
 * the caption on screen and the tally of its expectations. */
struct Narration {
  bool active = false;   // a scenario_start was seen
  std::string title;
  std::string goal;
  std::string file;      // the scenario file, as scenario_start named it
  int64_t step = 0;      // the current caption's number (0: none yet)
  std::string caption;
  int64_t caption_ts = 0;
  int64_t expects_ok = 0;
  int64_t expects_failed = 0;
  std::string last_failure;        // the text of the last failed expectation
  std::optional<bool> passed;      // set by scenario_end
  bool stopped = false;            // it ended before its last step (the runner went away)
};

enum class AnomalyKind {
  kMalformedLine,       // not JSON, not an object, or missing type/ts/pid
  kUnknownEventType,    // a type this schema version does not know
  kTimeBackwards,       // ts smaller than an earlier event's
  kExitForUnknownPid,   // child_exit for a pid never forked
  kEventAfterExit,      // an event from a process already reaped
  kEventFromUnknownPid, // an event from a pid we never saw forked
  kDuplicateFork,       // fork of a pid that is still alive
  kNewerSchema,         // hello with a version newer than ours
  kDroppedEvents,       // the server reported dropped events
  kBadField,            // a documented field is missing or of the wrong type
  kUnknownValue,        // a field holds a value we do not know (a state name)
  kQueryOrder,          // a query's stage events in an impossible order (execute before plan)
  kCount_,              // not a kind: the number of kinds
};

struct Anomaly {
  AnomalyKind kind;
  uint64_t line_no = 0;  // 1-based input line (0: not tied to a line)
  int64_t ts = 0;
  int64_t pid = 0;
  std::string message;
};

struct ModelOptions {
  size_t log_capacity = 10000;       // log entries kept
  size_t max_exited_processes = 64;  // exited processes kept for drawing
  size_t max_anomalies = 1000;       // anomalies kept (all are counted)
};

std::string_view RoleName(ProcessRole role);
/* The auxiliary processes: forked by the postmaster, serving no client. */
bool IsAuxiliary(ProcessRole role);
/* What a process box calls it: its role's name, but "cancel request" for
 * the short-lived child that read a CancelRequest (forked as a backend). */
std::string_view ShownRole(const Process& p);
std::string_view SessionStateName(SessionState state);
/* The process's title as `ps` shows it, the way minipg sets it
 * (engine/postmaster/ps_status.cpp): "minipg: alice shop [local] idle";
 * while a query runs, its first word names the command ("... SELECT"). */
std::string ProcessTitle(const Process& p);
std::optional<SessionState> SessionStateFromName(std::string_view name);
std::string_view AnomalyKindName(AnomalyKind kind);

class Model {
 public:
  explicit Model(ModelOptions options = {});

  /* Parses and applies one line; blank lines are skipped. */
  void ApplyLine(std::string_view line);
  /* The same, for a line its caller has already parsed (ParseEvent(line);
   * anything for a blank line). */
  void ApplyParsedLine(std::string_view line, const ParseResult& parsed);
  /* Applies one parsed event. */
  void Apply(const Event& ev);

  /* Processes in fork order (the drawing order), live and recently exited. */
  const std::vector<Process>& processes() const { return processes_; }
  /* The live (or last) process with this pid, or nullptr. */
  const Process* FindProcess(int64_t pid) const;
  int64_t postmaster_pid() const { return postmaster_pid_; }
  size_t LiveProcessCount() const;

  const std::map<int64_t, Connection>& connections() const { return connections_; }
  const ServerInfo& server() const { return server_; }
  const Narration& narration() const { return narration_; }
  /* Shared memory as the storage events describe it: buffers, WAL, recovery. */
  const SharedMemory& shared_memory() const { return shmem_; }
  /* Transactions, locks, the wait-for graph and vacuum runs (schema 7). */
  const Transactions& transactions() const { return txns_; }

  const EventLog& log() const { return log_; }
  /* Entries that fell out of the bounded log. */
  uint64_t log_discarded() const { return log_discarded_; }

  const std::deque<Anomaly>& anomalies() const { return anomalies_; }
  uint64_t anomaly_count() const { return anomaly_count_; }
  /* How many anomalies of this kind were recorded (kept or not). */
  uint64_t AnomalyCount(AnomalyKind kind) const;
  bool HasAnomaly(AnomalyKind kind) const { return AnomalyCount(kind) > 0; }

  uint64_t lines_seen() const { return lines_seen_; }
  uint64_t events_seen() const { return events_seen_; }
  uint64_t EventsOfType(size_t slot) const { return type_counts_.at(slot); }
  /* Sum of the counts reported by "dropped" events. */
  uint64_t server_dropped_events() const { return server_dropped_; }

  /* The earliest timestamp seen, and the latest of the time-ordered events
   * (all but hello/process, which head the stream with their own times;
   * before any of those, the newest header time: when a live viewer joined). */
  int64_t first_ts() const { return first_ts_; }
  int64_t last_ts() const { return last_ts_; }

  /* For sources: records something wrong with the input itself. */
  void NoteInputProblem(AnomalyKind kind, std::string message);

  const ModelOptions& options() const { return options_; }

 private:
  Process* FindMutable(int64_t pid);
  /* The process an event came from, checking it is known and alive. */
  Process* Emitter(const Event& ev);
  Process& AddProcess(int64_t pid, int64_t parent, ProcessRole role, int64_t ts);
  void MarkExited(Process& p, int64_t ts);
  /* A different postmaster has appeared (a restart, a new server on the
   * port): the old one and its children are gone even if their exits were
   * never seen (events lost while the server was down, a postmaster killed). */
  void RetireOldServer(int64_t new_postmaster, int64_t ts);
  /* Marks a postmaster and its children exited (those still live), with
   * `why` as their exit status when they have none. */
  void EndServer(int64_t postmaster, int64_t ts, const char* why);
  void PruneExited();
  void Record(AnomalyKind kind, int64_t ts, int64_t pid, std::string message);
  void AddLog(const Event& ev);
  std::optional<int64_t> RequireInt(const Event& ev, const char* key);

  void OnHello(const Event& ev);
  void OnNarration(const Event& ev);
  void OnClientConnected(const Event& ev);
  void OnProcessSnapshot(const Event& ev);
  void OnPostmasterStart(const Event& ev);
  void OnListen(const Event& ev);
  void OnAccept(const Event& ev);
  void OnFork(const Event& ev);
  void OnStartup(const Event& ev);
  void OnAuthOk(const Event& ev);
  void OnState(const Event& ev);
  void OnLock(const Event& ev);
  void OnCancelRequest(const Event& ev);
  void OnReady(const Event& ev);
  void OnQueryStart(const Event& ev);
  void OnStage(const Event& ev, std::string_view stage);
  void OnQueryDone(const Event& ev);
  /* prepare, bind, portal_suspended: extended-protocol steps of a query. */
  void OnExtendedStep(const Event& ev);
  /* Follows a query event in the process's QueryTrace. */
  void TraceQuery(Process& p, const Event& ev);
  void OnError(const Event& ev);
  void OnDisconnect(const Event& ev);
  void OnChildExit(const Event& ev);
  void OnShutdownRequest(const Event& ev);
  void OnPostmasterExit(const Event& ev);
  void OnDropped(const Event& ev);
  void OnRejected(const Event& ev);
  void OnCrash(const Event& ev);
  void OnPostmasterState(const Event& ev);
  /* shmem_layout, buffer_*, wal_*, recovery_*, and the storage side of checkpoints. */
  void OnStorage(const Event& ev);
  /* xid_assigned, xact_end, subxact, snapshot, lock_*, deadlock, vacuum_*. */
  void OnTransaction(const Event& ev);

  ModelOptions options_;
  std::vector<Process> processes_;                // fork order
  std::unordered_map<int64_t, size_t> index_;     // pid -> newest entry in processes_
  int64_t postmaster_pid_ = 0;
  std::map<int64_t, Connection> connections_;
  ServerInfo server_;
  Narration narration_;
  SharedMemory shmem_;
  Transactions txns_;

  EventLog log_;
  uint64_t log_discarded_ = 0;
  std::deque<Anomaly> anomalies_;
  uint64_t anomaly_count_ = 0;
  std::array<uint64_t, static_cast<size_t>(AnomalyKind::kCount_)> anomaly_kind_counts_{};

  uint64_t lines_seen_ = 0;
  uint64_t events_seen_ = 0;
  std::array<uint64_t, kEventTypeSlots> type_counts_{};
  uint64_t server_dropped_ = 0;
  int64_t first_ts_ = 0;
  int64_t last_ts_ = 0;
  bool any_event_ = false;
  bool any_timed_event_ = false;
  uint64_t current_line_ = 0;  // line being applied (for anomalies)
  std::string_view current_text_;  // its text, while it is applied (for the log)
};

}  // namespace minipg::viz
