/*-------------------------------------------------------------------------
 * backend_status.h
 *   The process array in shared memory: one BackendStatus slot per server
 *   process, which pg_stat_activity reads (PostgreSQL's backend_status.h,
 *   PgBackendStatus).
 *
 *   Who writes a slot:
 *     - a client backend claims a free slot itself once it has read its
 *       startup packet (ClaimBackendSlot, PostgreSQL's InitProcess taking a
 *       PGPROC): a connection still in startup holds none, so clients that
 *       never finish their startup packet cannot keep anyone out. From then
 *       on it is the only writer of the slot (Report... below) until it
 *       exits;
 *     - the postmaster picks the slot of each auxiliary process before it
 *       forks it, and fills the event collector's slot itself (the
 *       collector does not know about shared memory);
 *     - the postmaster clears whatever slot a child still held when it
 *       reaps it (a killed process cannot clear its own).
 *   Anyone may read every slot (ReadProcArray).
 *
 *   Claiming a slot: each slot has an `owner` word, the pid holding it or
 *   0. A backend takes the first slot whose owner it can change from 0 to
 *   its pid with one compare-and-swap, so two backends can never take the
 *   same slot, and the postmaster needs no count of its own. The owner
 *   word goes back to 0 only after the slot's fields are reset.
 *
 * NOTES
 *   The change counter protocol (PostgreSQL's st_changecount). A slot is
 *   written by one process and read by many, with no lock:
 *
 *     writer:  changecount++        (now odd: "a write is in progress")
 *              write barrier
 *              change the fields
 *              write barrier
 *              changecount++        (even again: "stable")
 *
 *     reader:  loop:
 *                before = changecount
 *                read barrier
 *                copy the whole slot
 *                read barrier
 *                after = changecount
 *                if before == after and before is even: the copy is good
 *                else: a write overlapped the copy; try again
 *
 *   A reader never blocks a writer, and a writer never waits at all: the
 *   reader pays for a collision by copying again. A writer that is killed
 *   in the middle leaves the counter odd; readers give up on that slot
 *   after a bounded number of tries, and the postmaster clears it when it
 *   reaps the dead process (before it could be reused).
 *   Strings are fixed-size and always NUL-terminated; the query is cut at
 *   kQueryTextSize - 1 bytes (track_activity_query_size in PostgreSQL),
 *   never in the middle of a UTF-8 character.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace minipg::shmem {

inline constexpr size_t kNameSize = 64;         // NAMEDATALEN
inline constexpr size_t kQueryTextSize = 1024;  // track_activity_query_size
inline constexpr size_t kAddrSize = 48;         // an IPv6 address as text

/* What kind of process a slot belongs to (pg_stat_activity.backend_type). */
enum class BackendType : uint8_t {
  kNone = 0,        // a free slot
  kClientBackend,   // "client backend": serves one connection
  kCheckpointer,    // "checkpointer"
  kEventCollector,  // "event collector" (minipg's own auxiliary process)
  kStartup,         // "startup": replays WAL at start, then exits
  kBgWriter,        // "background writer"
  kWalWriter,       // "walwriter"
  kAutovacuumLauncher,  // "autovacuum launcher"
  kAutovacuumWorker,    // "autovacuum worker"
};

/* pg_stat_activity.state of a backend; kUndefined is shown as NULL. */
enum class ActivityState : uint8_t {
  kUndefined = 0,             // starting, or not a backend
  kIdle,                      // "idle"
  kActive,                    // "active"
  kIdleInTransaction,         // "idle in transaction"
  kIdleInTransactionAborted,  // "idle in transaction (aborted)"
};

/* What a process is waiting for (wait_event_type / wait_event). */
enum class WaitEvent : uint8_t {
  kNone = 0,          // running (both columns NULL)
  kClientRead,        // Client / ClientRead: waiting for the client's next message
  kPgSleep,           // Timeout / PgSleep: inside pg_sleep()
  kCheckpointerMain,  // Activity / CheckpointerMain: the checkpointer between checkpoints
  kCheckpointDone,    // IPC / CheckpointDone: a backend waiting for a requested checkpoint
  kLockRelation,      // Lock / relation: waiting for a table's (or the catalog's) lock
  kClientWrite,       // Client / ClientWrite: sending to a client that does not read
  // LWLock / <tranche>: waiting for a lightweight lock (lwlock.h, LWLockTranche)
  kLWLockBufferMapping,  // LWLock / BufferMapping: a partition of the buffer mapping table
  kLWLockBufferContent,  // LWLock / BufferContent: a buffer's page content
  kLWLockWALInsert,      // LWLock / WALInsert: inserting a WAL record
  kLWLockWALWrite,       // LWLock / WALWrite: writing or flushing WAL
  kLWLockWALBufMapping,  // LWLock / WALBufMapping: replacing a WAL buffer page
  kLWLockControlFile,    // LWLock / ControlFile: reading or updating pg_control
  kBufferIO,             // IPC / BufferIO: another process is reading or writing the buffer
  kLockExtend,           // Lock / extend: another process is adding a block to the relation
  kBgWriterMain,         // Activity / BgWriterMain: the background writer between rounds
  kWalWriterMain,        // Activity / WalWriterMain: the WAL writer between rounds
  kLWLockXidGen,         // LWLock / XidGen: taking a new transaction id
  kLWLockXactSLRU,       // LWLock / XactSLRU: reading or setting a transaction's status in pg_xact
  kLWLockPgStatsData,    // LWLock / PgStatsData: the shared statistics (pgstat.h)
  kLWLockOidGen,         // LWLock / OidGen: taking a new OID
  kLWLockSInvalWrite,    // LWLock / SInvalWrite: reading or writing the shared invalidation ring
  // Waiting for a heavyweight lock (engine/storage/lmgr/lock.h) by its tag's kind:
  kLockTransactionId,    // Lock / transactionid: until another transaction ends
  kLockVirtualXid,       // Lock / virtualxid: a virtual transaction id
  kLockTuple,            // Lock / tuple: a row's lock
  kLockObject,           // Lock / object: a non-relation object (minipg's DDL lock)
  kLWLockLockManager,    // LWLock / LockManager: the shared lock table
  kAutoVacuumMain,       // Activity / AutoVacuumMain: the autovacuum launcher between rounds
  kLWLockProcArray,      // LWLock / ProcArray: taking a snapshot or ending a transaction
  kLWLockSubtransSLRU,        // LWLock / SubtransSLRU: reading or setting a subtransaction's parent
  kLWLockMultiXactGen,        // LWLock / MultiXactGen: creating or reading a MultiXactId
  kLWLockMultiXactOffsetSLRU, // LWLock / MultiXactOffsetSLRU: the pg_multixact/offsets pages
  kLWLockMultiXactMemberSLRU, // LWLock / MultiXactMemberSLRU: the pg_multixact/members pages
  kMinipgStep,                // IPC / MinipgStep: paused at a step point (engine/shmem/step.h), or its step_delay
};

const char* BackendTypeName(BackendType t);
const char* ActivityStateName(ActivityState s);  // nullptr for kUndefined
const char* WaitEventTypeName(WaitEvent w);      // nullptr for kNone
const char* WaitEventName(WaitEvent w);          // nullptr for kNone

/* One slot of the process array. Times are microseconds since the Unix
 * epoch; 0 means NULL. */
struct BackendStatus {
  std::atomic<int32_t> owner;         // pid holding the slot, 0 = free (compare-and-swap)
  std::atomic<uint32_t> changecount;  // odd while its owner is writing
  int32_t pid;
  BackendType type;
  ActivityState state;
  WaitEvent wait_event;
  bool has_client_addr;  // false for a Unix-socket client (client_addr NULL)
  int32_t client_port;   // -1 for a Unix socket, as PostgreSQL shows it
  int64_t backend_start;
  int64_t xact_start;
  int64_t query_start;
  int64_t state_change;
  uint32_t xid;          // the transaction's xid once it has one (its first write), 0 = none
  char user[kNameSize];
  char database[kNameSize];
  char application_name[kNameSize];
  char client_addr[kAddrSize];
  char query[kQueryTextSize];
};

/* A stable copy of one slot, as a reader gets it (plain data). */
struct BackendStatusCopy {
  int slot = 0;
  int32_t pid = 0;
  BackendType type = BackendType::kNone;
  ActivityState state = ActivityState::kUndefined;
  WaitEvent wait_event = WaitEvent::kNone;
  bool has_client_addr = false;
  int32_t client_port = 0;
  int64_t backend_start = 0, xact_start = 0, query_start = 0, state_change = 0;
  uint32_t xid = 0;
  std::string user, database, application_name, client_addr, query;
};

/* Microseconds since the Unix epoch (CLOCK_REALTIME). */
int64_t WallClockMicros();

/* ---- the postmaster ---------------------------------------------------- */

/* Fills a slot for a process the postmaster started (the event collector):
 * pid, type, backend_start. */
void RegisterAuxProcess(int slot, pid_t pid, BackendType type);
/* Empties a slot (its process was reaped). */
void ClearSlot(int slot);
/* Empties every slot `pid` still holds (it was reaped). */
void ReleaseSlotsOf(pid_t pid);
/* The slots `pid` holds (before ReleaseSlotsOf: what else to clear). */
std::vector<int> SlotsOf(pid_t pid);

/* ---- a client backend, after its startup packet ------------------------ */

/* Takes a free client backend slot for this process (compare-and-swap on
 * its owner word): the slot number, or -1 when all max_connections are
 * taken. Pass it to InitMyStatus. */
int ClaimBackendSlot();
/* How many client backend slots are free right now (PostgreSQL's
 * HaveNFreeProcs, for superuser_reserved_connections). */
int CountFreeBackendSlots();

/* ---- the owner of a slot (a backend, the checkpointer) ------------------- */

/* Makes `slot` this process's (the one it claimed, or the one the
 * postmaster gave an auxiliary process): pid, type, backend_start, and for
 * a backend its client's address ("" and port -1 for a Unix socket). */
void InitMyStatus(int slot, BackendType type, std::string_view client_addr = "",
                  int client_port = -1);
/* After the startup packet: who the session is. */
void ReportConnection(std::string_view user, std::string_view database,
                      std::string_view application_name);
void ReportApplicationName(std::string_view application_name);
/* A state change; `query` (if given) becomes the current query and
 * query_start is set to `now`. state_change is set whenever the state
 * differs from the last one reported. */
void ReportActivity(ActivityState state, std::optional<std::string_view> query = std::nullopt,
                    int64_t now = 0);
/* Transaction start (0 = none). */
void ReportXactStart(int64_t when);
/* The transaction's xid (pg_stat_activity.backend_xid; 0 = none): set when
 * it takes one, cleared when it ends (PostgreSQL reads it from the PGPROC). */
void ReportBackendXid(uint32_t xid);
void ReportWaitEvent(WaitEvent w);
/* What this process last reported (kNone without a slot). */
WaitEvent MyWaitEvent();
/* This process's own slot's xact_start (0 if none or no slot). */
int64_t MyXactStart();
/* The slot InitMyStatus made this process's, -1 if none. */
int MySlot();
/* Gives the slot up, fields first, then the owner word (a clean exit; the
 * postmaster clears it anyway). */
void ClearMyStatus();

/* ---- readers ----------------------------------------------------------- */

/* Stable copies of every slot in use, in slot order. */
std::vector<BackendStatusCopy> ReadProcArray();

/* The slot of `pid` if it is a live client backend, else nullopt. */
std::optional<BackendStatusCopy> FindClientBackend(pid_t pid);

}  // namespace minipg::shmem
