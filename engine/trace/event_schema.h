/*-------------------------------------------------------------------------
 * event_schema.h
 *   The event stream's schema: the one list of event types that the server
 *   emits and the visualizer reads. Shared by engine/ and viz/ (the way
 *   Tracy shares TracyProtocol.hpp between the program and its viewer).
 *
 * NOTES
 *   The stream is JSON Lines. Every event has "type" (a name below), "ts"
 *   (microseconds, CLOCK_MONOTONIC, one clock for all processes) and "pid".
 *   docs/events.md documents every type and field.
 *
 *   This is a versioned public interface: add new types at the END of the
 *   enum, never renumber, rename or repurpose one, because saved traces
 *   name them. Bump kEventSchemaVersion when a type or field is added.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace minipg::trace {

inline constexpr int kEventSchemaVersion = 8;  // 2: crash, postmaster_state; 3: signal, checkpoints, authentication, copy, extended protocol; 4: client side (minipg-sim); 5: lock waits; 6: shared buffers, WAL, recovery; 7: transactions, locks, vacuum; 8: step_pause, step_resume

enum class EventType : uint16_t {
  kHello = 0,          // first line a subscriber gets: version, wall clock
  kProcess,            // snapshot of one live process, sent to a late subscriber
  kPostmasterStart,    // postmaster is up: data directory, port, max_connections
  kListen,             // a listen socket is open: transport, address, port / path
  kAccept,             // postmaster accepted a connection: client address, transport
  kFork,               // postmaster forked a child: child pid, role, conn_id
  kSslRequest,         // client asked for SSL or GSSAPI encryption; answered 'N'
  kStartup,            // backend read the StartupMessage: user, database, application_name
  kAuthOk,             // authentication succeeded: method
  kState,              // a backend session changed state (idle, active, ...)
  kReady,              // ReadyForQuery sent: transaction status byte
  kQueryStart,         // a Query message arrived: its text
  kParse,              // stage: text -> parse tree
  kAnalyze,            // stage: parse tree -> checked query (tables, columns, types)
  kPlan,               // stage: query -> plan tree
  kExecute,            // stage: plan run to completion: rows
  kQueryDone,          // statement finished: command tag, rows, duration
  kError,              // an ErrorResponse was sent (or a FATAL logged)
  kCancelRequest,      // a CancelRequest arrived: target pid, whether the key matched
  kDisconnect,         // a backend's session ended: reason
  kChildExit,          // postmaster reaped a child: pid, exit code or signal
  kShutdownRequest,    // postmaster got a shutdown signal: smart / fast / immediate
  kPostmasterExit,     // postmaster is exiting
  kDropped,            // a process dropped N events because its channel was full
  kRejected,           // a connection was refused before it became a session (53300, 57P03)
  kCrash,              // a backend died abnormally: the postmaster starts the crash cycle
  kPostmasterState,    // the postmaster changed state (run, shutdown modes, crash recovery)
  kSignal,             // a process signalled another (pg_cancel_backend, CHECKPOINT, ...): target, signal, why
  kCheckpointStart,    // the checkpointer began a checkpoint: reason
  kCheckpointDone,     // the checkpointer finished one: reason, files, duration
  kAuthRequest,        // backend asked the client to authenticate: method (pg_hba.conf line)
  kAuthFailed,         // authentication or an authorization check failed: reason, sqlstate
  kHbaReload,          // postmaster re-read pg_hba.conf on SIGHUP: ok, lines, error
  kCopyStart,          // a COPY begins moving data (direction, client or server file, format)
  kCopyDone,           // a COPY finished moving data (rows)
  kPrepare,            // extended protocol: a Parse created a prepared statement (name, params, text)
  kBind,               // extended protocol: a Bind created a portal (portal, statement, params)
  kPortalSuspended,    // extended protocol: an Execute hit its row limit (portal, rows sent so far)
  kClose,              // extended protocol: a Close dropped a statement or portal (kind, name)
  // Client side: sent by minipg-sim to the collector (IsClientSideEvent).
  kScenarioStart,      // a scenario began: title, goal, file
  kScenarioEnd,        // it ended: passed, failures
  kCaption,            // narration at a step: text, step number, line
  kClientConnect,      // a simulated client opens a connection: client, transport, user, database
  kClientConnected,    // it got ReadyForQuery: client, backend_pid
  kClientQuery,        // it sent a Query: client, text
  kClientResult,       // the Query's answer: client, tag, rows
  kClientError,        // it got an ERROR or FATAL, or could not connect: client, sqlstate, message
  kClientDisconnect,   // its connection ended: client, how (terminate, vanish, server)
  kExpect,             // an assertion was checked: line, text, ok
  kSync,               // a marker the runner sends to itself through the stream: token
  // Server side again.
  kLockWait,           // a process must wait for a lock another holds: lock, mode
  kLockAcquired,       // it got the lock it waited for: lock, mode, waited_us
  // Storage (schema 6): shared buffers, the WAL, recovery.
  kShmemLayout,        // the postmaster created shared memory: nbuffers, wal_buffers, areas
  kBufferRead,         // a backend asked for a page: rel, fork, block, buffer, hit
  kBufferEvict,        // a buffer was taken for another page: its old rel/fork/block, dirty
  kBufferWrite,        // a dirty buffer was written to its file: buffer, rel, fork, block, by
  kBufferDirty,        // a clean buffer was first changed: buffer, rel, fork, block
  kWalInsert,          // a WAL record was inserted: lsn, end_lsn, rmgr, record, len, xid, fpi
  kWalFlush,           // the WAL was flushed: upto, by, synced
  kRecoveryStart,      // the startup process begins replay: redo_lsn, reason
  kRecoveryProgress,   // replay reached an LSN: lsn, records
  kRecoveryDone,       // replay ended: end_lsn, records, duration_us
  // Transactions, locks and vacuum (schema 7).
  kXidAssigned,        // a transaction or subtransaction took its xid: xid, top_xid
  kSubxact,            // SAVEPOINT / RELEASE / ROLLBACK TO: action, name, xid
  kLockGranted,        // a heavyweight lock granted without waiting: locktype, mode, relation, ...
  kLocksReleased,      // a transaction's locks released at its end: count
  kDeadlock,           // a waiter found a cycle of waits through itself: victim, cycle
  kVacuumStart,        // VACUUM began a table: relation, relid, autovacuum
  kVacuumProgress,     // it entered a phase: relation, phase, heap_blks_scanned, heap_blks_total
  kVacuumDone,         // it finished the table: relation, removed, remaining, dead_not_removable, ...
  kXactEnd,            // a transaction ended: xid, outcome, lsn, flushed
  kSnapshot,           // a snapshot was taken: xmin, xmax, xip, scope, isolation
  // Live stepping (schema 8).
  kStepPause,          // a stepped backend stopped at a step point: point, node_id, node, rows, detail
  kStepResume,         // it went on: the same fields, paused_us
  // Client side (minipg-sim) again.
  kCaptionSnapshot,    // a scenario's `snapshot`: the storyboard picture of this caption is due: step, line
  // Add new types here, at the end.
  kCount_,             // not a type: the number of types
};

/* The wire name of a type ("fork"), or "unknown". */
std::string_view EventTypeName(EventType type);

/* Whether a type is one a client (minipg-sim) may send to the collector:
 * the server's own types are never taken from outside. */
bool IsClientSideEvent(EventType type);

/* Whether a type tells of shared buffers, the WAL or recovery (schema 6:
 * shmem_layout, buffer_*, wal_*, recovery_*): the one list the visualizer's
 * model and its colours both use. */
bool IsStorageEvent(EventType type);

/* The type for a wire name, or nullopt for a name this version does not know. */
std::optional<EventType> EventTypeFromName(std::string_view name);

/* An LSN field's value ("0/16B3748": two hex numbers of at most 8 digits,
 * as PostgreSQL prints an LSN) as a byte position, or nullopt if it is not
 * one. */
std::optional<uint64_t> ParseLsnField(std::string_view text);

}  // namespace minipg::trace
