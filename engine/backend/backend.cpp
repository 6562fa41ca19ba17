/*-------------------------------------------------------------------------
 * backend.cpp
 *   The backend: startup, signals and session end (authentication is in
 *   auth.cpp, the message loop in simple_query.cpp).
 *
 *   A session is a state machine. Every change goes through SetState(),
 *   which emits the "state" event and updates the process title, so the
 *   visualizer and `ps` can never disagree with the code:
 *
 *     kStarting --[ReadStartup: StartupMessage]--> kAuthenticating
 *     kAuthenticating --[Authenticate: ok]--> kIdle
 *     kIdle --[ExecSimpleQuery]--> kActive
 *     kIdle --[Parse/Bind/Execute: BeginMessage]--> kActive (extended protocol)
 *     kActive --[ExecSimpleQuery done, no transaction]--> kIdle
 *     kActive --[Sync: ExecSync -> SetIdleState]--> kIdle (or the two below)
 *     kActive --[done inside BEGIN]--> kIdleInTransaction
 *     kActive --[error inside BEGIN]--> kIdleInTransactionAborted
 *     kIdleInTransaction(Aborted) --[ExecSimpleQuery]--> kActive
 *     any --[Terminate, EOF, FATAL, SIGTERM: EndSession]--> kTerminating
 *
 * NOTES
 *   Signals (installed without SA_RESTART; each handler sets its flag and
 *   the latch, so a wait on the client wakes and looks at the flags, see
 *   client_io.cpp):
 *     SIGINT   cancel the running statement (g_query_cancel_pending)
 *     SIGTERM  end the session with FATAL 57P01 (g_proc_die_pending)
 *     SIGALRM  a timeout (authentication, statement, idle in transaction)
 *     SIGHUP   re-read minipg.conf when next idle (g_config_reload_pending;
 *              installed with SA_RESTART)
 *     SIGQUIT  immediate shutdown: the handler sends a prebuilt FATAL
 *              message without blocking (async-signal-safe) and _exit(2)s
 *     SIGPWR   the postmaster died (PR_SET_PDEATHSIG): a flag and the
 *              latch; the check confirms it on the postmaster-death pipe
 *              (which every wait on the client also watches) and ends the
 *              session with FATAL 57P01 (engine/common/postmaster_death.h)
 *   Exit codes follow PostgreSQL: 0 for a normal end, 1 after a FATAL;
 *   anything else tells the postmaster the backend crashed.
 *-------------------------------------------------------------------------
 */
#include "engine/backend/backend.h"
#include "engine/backend/backend_internal.h"

#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <functional>
#include <string>
#include <variant>

#include "engine/common/guc.h"
#include "engine/common/interrupts.h"
#include "engine/common/latch.h"
#include "engine/common/postmaster_death.h"
#include "engine/common/sqlstate.h"
#include "engine/common/utf8.h"
#include "engine/postmaster/ps_status.h"
#include "engine/postmaster/storage_init.h"
#include "engine/storage/heap/xact.h"
#include "engine/postmaster/server_log.h"
#include "engine/protocol/codec.h"
#include "engine/protocol/message_reader.h"
#include "engine/shmem/backend_status.h"
#include "engine/shmem/step.h"
#include "engine/shmem/pgstat.h"
#include "engine/sql/adt/builtins.h"
#include "engine/sql/session.h"
#include "engine/storage/global_catalog.h"
#include "engine/trace/emitter.h"
#include "engine/storage/ipc/sinval.h"
#include "engine/storage/lmgr/lock.h"

namespace minipg {

const char* ChildRoleName(ChildRole role) {
  switch (role) {
    case ChildRole::kBackend:
      return "backend";
    case ChildRole::kDeadEnd:
      return "dead-end";
    case ChildRole::kCollector:
      return "collector";
    case ChildRole::kCheckpointer:
      return "checkpointer";
    case ChildRole::kStartup:
      return "startup";
    case ChildRole::kBgWriter:
      return "background writer";
    case ChildRole::kWalWriter:
      return "walwriter";
    case ChildRole::kAutovacLauncher:
      return "autovacuum launcher";
    case ChildRole::kAutovacWorker:
      return "autovacuum worker";
  }
  return "unknown";
}

namespace backend {

using trace::EventType;

const char* SessionStateName(SessionState s) {
  switch (s) {
    case SessionState::kStarting:
      return "starting";
    case SessionState::kAuthenticating:
      return "authenticating";
    case SessionState::kIdle:
      return "idle";
    case SessionState::kActive:
      return "active";
    case SessionState::kIdleInTransaction:
      return "idle in transaction";
    case SessionState::kIdleInTransactionAborted:
      return "idle in transaction (aborted)";
    case SessionState::kTerminating:
      return "terminating";
  }
  return "unknown";
}

namespace {

/* Prebuilt FATALs for SIGQUIT, one per QuitReason; filled in before
 * signals are unblocked, so the handler only has to write(2) one. */
struct QuickDieMessage {
  char bytes[256];
  size_t len = 0;
};
QuickDieMessage g_quickdie_immediate;
QuickDieMessage g_quickdie_crash;
int g_client_fd = -1;  // the client socket, for the handlers below

volatile sig_atomic_t g_alarm_purpose = kAlarmNone;

/* SIGALRM during startup: authentication_timeout expired. */
volatile sig_atomic_t g_auth_timeout_pending = 0;

void HandleCancel(int) {
  g_query_cancel_pending = 1;
  SetLatch();
}
void HandleReload(int) {
  g_config_reload_pending = 1;
  SetLatch();
}
void HandleDie(int) {
  g_proc_die_pending = 1;
  SetLatch();
}
void HandleAlarm(int) {
  if (g_alarm_purpose == kAlarmAuthentication) {
    g_auth_timeout_pending = 1;
  } else if (g_alarm_purpose == kAlarmStatement) {
    g_statement_timeout_pending = 1;  // a cancel, with its own message
    g_query_cancel_pending = 1;
  } else if (g_alarm_purpose == kAlarmIdleInTransaction) {
    g_idle_in_transaction_timeout_pending = 1;
  }
  SetLatch();
}

void HandleQuickDie(int, siginfo_t* info, void*) {
  const QuickDieMessage& m =
      info != nullptr && info->si_code == SI_QUEUE && info->si_value.sival_int == kQuitCrash ? g_quickdie_crash
                                                                                            : g_quickdie_immediate;
  if (g_client_fd >= 0 && m.len > 0) {
    // Never blocks: a client that stopped reading does not keep us alive.
    ssize_t unused = send(g_client_fd, m.bytes, m.len, MSG_DONTWAIT | MSG_NOSIGNAL);
    (void)unused;
  }
  _exit(2);
}

void PrepareQuickDie(QuickDieMessage& m, const char* sqlstate, const char* message) {
  std::string wire;
  proto::EncodeErrorResponse(wire, proto::ErrorFields::From(MakeError(sqlstate, message, Severity::kFatal)));
  m.len = std::min(wire.size(), sizeof m.bytes);
  std::memcpy(m.bytes, wire.data(), m.len);
}

void InstallSignal(int sig, void (*handler)(int)) {
  struct sigaction sa {};
  sa.sa_handler = handler;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: blocking reads must wake up
  sigaction(sig, &sa, nullptr);
}

}  // namespace

volatile sig_atomic_t g_idle_in_transaction_timeout_pending = 0;

/* Arms (ms > 0) or disarms (0) the one-shot SIGALRM timer. Disarming a
 * timer that was never armed makes no system call: a query without
 * statement_timeout costs none (a timer that already fired is disarmed
 * once more, harmlessly). */
void ArmAlarm(AlarmPurpose purpose, int64_t ms) {
  static bool armed = false;
  if (ms <= 0 && !armed) {
    g_alarm_purpose = kAlarmNone;
    return;
  }
  armed = ms > 0;
  g_alarm_purpose = ms > 0 ? purpose : kAlarmNone;
  itimerval t{};
  t.it_value.tv_sec = ms / 1000;
  t.it_value.tv_usec = (ms % 1000) * 1000;
  setitimer(ITIMER_REAL, &t, nullptr);
}
/* pg_stat_activity's view of a session state (NULL while starting). */
shmem::ActivityState ToActivityState(SessionState s) {
  switch (s) {
    case SessionState::kIdle: return shmem::ActivityState::kIdle;
    case SessionState::kActive: return shmem::ActivityState::kActive;
    case SessionState::kIdleInTransaction: return shmem::ActivityState::kIdleInTransaction;
    case SessionState::kIdleInTransactionAborted: return shmem::ActivityState::kIdleInTransactionAborted;
    default: return shmem::ActivityState::kUndefined;
  }
}

void Backend::SetState(SessionState s) {
  state_ = s;
  // The process array, trace and title all change here, together.
  if (s != SessionState::kTerminating) {
    shmem::ReportActivity(ToActivityState(s));
    bool waits_for_client = s == SessionState::kIdle || s == SessionState::kIdleInTransaction ||
                            s == SessionState::kIdleInTransactionAborted;
    shmem::ReportWaitEvent(waits_for_client ? shmem::WaitEvent::kClientRead : shmem::WaitEvent::kNone);
  }
  trace::Event(EventType::kState).Str("state", SessionStateName(s)).Emit();
  if (s == SessionState::kActive) return;  // the title shows the command instead
  SetPsActivity(SessionStateName(s));
}

void Backend::Flush() {
  if (out_.empty()) return;
  Status s = SendToClient(out_);
  out_.clear();
  if (!s.ok()) {
    // The client is gone (PostgreSQL's ClientConnectionLost): the failed
    // send is logged, then FATAL 08006, which only the log and the event
    // stream hear of.
    Log("{}", s.error().message);
    SendError(MakeError(sqlstate::kConnectionFailure, "connection to client lost", Severity::kFatal));
    out_.clear();
    EndSession("eof", 1);
  }
}

void Backend::SendError(const Error& e) {
  // An error ends the statement and its transaction, or inside a savepoint
  // only the innermost subtransaction (a block is failed until ROLLBACK or
  // ROLLBACK TO): what it held of shared storage goes now, and its rows
  // are marked rolled back (PostgreSQL's AbortCurrentTransaction).
  ReleaseStorageResources();
  bool whole = session_ == nullptr || session_->AbortCurrentTransaction();
  if (session_ == nullptr) (void)storage::AbortTransaction();
  // xact_rollback: the statement's transaction, or the block it failed (a
  // block already failed was counted then; a FATAL is counted at exit).
  if (session_ != nullptr && e.severity == Severity::kError && tx_status_ != proto::kTxFailed && whole) {
    pgstat::CountXactEnd(false);
  }
  // After a FATAL no ReadyForQuery follows: the status stays what it was,
  // so EndSession counts the transaction the exit rolls back.
  if (e.severity != Severity::kFatal) SyncTxStatus();
  trace::Event(EventType::kError)
      .Str("severity", SeverityName(e.severity))
      .Str("sqlstate", e.sqlstate)
      .Str("message", e.message)
      .Emit();
  LogLine(SeverityName(e.severity), e.message);
  proto::EncodeErrorResponse(out_, proto::ErrorFields::From(e));
}

void Backend::SyncTxStatus() {
  if (session_ == nullptr) return;
  switch (session_->BlockState()) {
    case sql::TransactionBlockState::kIdle: tx_status_ = proto::kTxIdle; break;
    case sql::TransactionBlockState::kInBlock: tx_status_ = proto::kTxInBlock; break;
    case sql::TransactionBlockState::kFailed: tx_status_ = proto::kTxFailed; break;
  }
}

void Backend::SendNotice(const Error& e) {
  // As log_min_messages = warning: a NOTICE or INFO goes to the client only.
  if (e.severity != Severity::kNotice && e.severity != Severity::kInfo) LogLine(SeverityName(e.severity), e.message);
  proto::EncodeNoticeResponse(out_, proto::ErrorFields::From(e));
}

void Backend::ProcessConfigReload() {
  if (!g_config_reload_pending || session_ == nullptr) return;
  g_config_reload_pending = 0;
  // The postmaster logged what changed; a backend applies it to its
  // session quietly (PostgreSQL logs it at DEBUG there).
  (void)ReloadConfigFile(session_->settings(), info_.config->data_directory / kConfigFileName);
}

void Backend::SendReadyForQuery() {
  // A reported setting that SET or set_config() changed: its new value
  // first, as PostgreSQL's ReportChangedGUCOptions before ReadyForQuery.
  if (session_ != nullptr) {
    for (const auto& [name, value] : session_->settings().TakeReportChanges()) {
      proto::EncodeParameterStatus(out_, name, value);
    }
  }
  // Outside a transaction, what it counted goes to the shared statistics
  // (PostgreSQL's pgstat_report_stat before ReadyForQuery).
  if (tx_status_ == proto::kTxIdle) pgstat::Report();
  proto::EncodeReadyForQuery(out_, tx_status_);
  trace::Event(EventType::kReady).Str("status", std::string(1, tx_status_)).Emit();
  Flush();
}

void Backend::EndSession(std::string_view reason, int exit_code) {
  if (session_ != nullptr) {
    // A transaction still open rolls back (PostgreSQL's AbortOutOfAnyTransaction
    // at exit); the session's end is counted by how it came.
    if (tx_status_ == proto::kTxInBlock || state_ == SessionState::kActive) pgstat::CountXactEnd(false);
    pgstat::CountSessionEnd(reason == "terminate" ? pgstat::SessionEnd::kNormal
                            : reason == "eof"     ? pgstat::SessionEnd::kAbandoned
                            : killed_             ? pgstat::SessionEnd::kKilled
                                                  : pgstat::SessionEnd::kFatal);
  }
  if (state_ != SessionState::kTerminating) SetState(SessionState::kTerminating);
  trace::Event(EventType::kDisconnect).Str("reason", reason).Emit();
  ReleaseStorageResources();  // a pin left counted in shared memory would never be released
  (void)storage::AbortTransaction();  // an open transaction's rows stay invisible; say so in pg_xact
  pgstat::Report();
  shmem::ClearMyStatus();
  close(info_.sock);
  _exit(exit_code);
}

Error TooManyClients() {
  return MakeError(sqlstate::kTooManyConnections, "sorry, too many clients already", Severity::kFatal);
}

void Backend::Reject(const Error& e) {
  trace::Event(EventType::kRejected).Str("sqlstate", e.sqlstate).Str("message", e.message).Emit();
  Fatal(e, "rejected");
}

void Backend::Panic(const Error& e) {
  // Only a restart with recovery can be trusted now (PostgreSQL's PANIC
  // brings the crash cycle).
  // No SendError: its abort record must not follow a commit record that
  // may be in the WAL already.
  LogLine("PANIC", e.message);
  Error panic = e;
  panic.severity = Severity::kPanic;
  proto::EncodeErrorResponse(out_, proto::ErrorFields::From(panic));
  (void)SendToClient(out_);
  std::abort();
}

void Backend::Fatal(const Error& e, std::string_view reason) {
  killed_ = e.sqlstate == std::string_view(sqlstate::kAdminShutdown);  // pg_terminate_backend, shutdown
  Error fatal = e;
  fatal.severity = Severity::kFatal;
  SendError(fatal);
  // authentication_timeout during authentication: logged, but the client,
  // deemed unresponsive, is told nothing (as PostgreSQL does).
  if (g_auth_timeout_pending) out_.clear();
  if (!out_.empty()) {
    (void)SendToClient(out_);  // best effort: the client may be gone
    out_.clear();
  }
  EndSession(reason, 1);
}

bool Backend::ReadStartup() {
  // Answer at most one SSLRequest and one GSSENCRequest with 'N', as
  // PostgreSQL without SSL does, then expect the real startup packet.
  for (int round = 0; round < 3; ++round) {
    auto packet = reader_.ReadStartupPacket();
    if (!packet.ok()) {
      if (reader_.eof()) EndSession("eof", 0);  // e.g. a port scanner, or psql probing
      // authentication_timeout before a startup packet: the connection is
      // closed without a word, not even in the log (PostgreSQL's
      // StartupPacketTimeoutHandler).
      if (g_auth_timeout_pending) EndSession("timeout", 1);
      Fatal(packet.error());  // malformed, or a terminate
    }
    auto decoded = proto::DecodeStartupPacket(*packet);
    if (!decoded.ok()) Fatal(decoded.error());
    if (auto* cancel = std::get_if<proto::CancelRequest>(&*decoded)) {
      ProcessCancelRequest(*cancel);
      return false;
    }
    if (std::holds_alternative<proto::SslRequest>(*decoded) ||
        std::holds_alternative<proto::GssEncRequest>(*decoded)) {
      bool ssl = std::holds_alternative<proto::SslRequest>(*decoded);
      trace::Event(EventType::kSslRequest).Str("kind", ssl ? "ssl" : "gssenc").Str("reply", "N").Emit();
      if (Status s = SendToClient("N"); !s.ok()) EndSession("eof", 0);
      continue;
    }
    const auto& m = std::get<proto::StartupMessage>(*decoded);
    user_ = m.Get("user");
    database_ = m.Get("database");
    application_name_ = CleanAscii(m.Get("application_name"));  // as PostgreSQL 15 keeps it
    if (database_.empty()) database_ = user_;
    trace::Event(EventType::kStartup)
        .Str("user", user_)
        .Str("database", database_)
        .Str("application_name", application_name_)
        .Str("protocol", fmt::format("{}.{}", m.protocol >> 16, m.protocol & 0xffff))
        .Emit();
    return true;
  }
  Fatal(proto::ProtocolError("too many encryption requests in startup"));
}

void Backend::ProcessCancelRequest(const proto::CancelRequest& req) {
  // The target must be a live backend of this postmaster with exactly this
  // key; otherwise the request is silently ignored, as in PostgreSQL.
  bool matched = false;
  if (info_.children != nullptr) {
    for (const auto& c : *info_.children) {
      if (c.pid == req.pid && c.role == ChildRole::kBackend && c.cancel_key == req.key) {
        matched = kill(c.pid, SIGINT) == 0;
        break;
      }
    }
  }
  trace::Event(EventType::kCancelRequest).Int("target", req.pid).Bool("matched", matched).Emit();
  if (!matched) Log("received cancel request for PID {} with no matching backend", req.pid);
  close(info_.sock);
  _exit(0);
}

void Backend::SendStartupParameters() {
  // Every setting the table marks kReport, as PostgreSQL's GUC_REPORT.
  guc::Settings& settings = session_->settings();
  for (const guc::Setting& s : settings.All()) {
    if (s.def != nullptr && (s.def->flags & guc::kReport) != 0) {
      proto::EncodeParameterStatus(out_, s.name, *settings.Show(s.name));
    }
  }
  (void)settings.TakeReportChanges();  // all sent
  proto::EncodeBackendKeyData(out_, getpid(), info_.cancel_key);
}

void Backend::Run() {
  trace::ReinitEmitterAfterFork();
  InitLatch();  // before the handlers that set it
  InstallSignal(SIGINT, HandleCancel);
  InstallSignal(SIGTERM, HandleDie);
  signal(SIGPIPE, SIG_IGN);
  {
    // SA_RESTART: a reload must not break a file read or flock() of a
    // running statement; a wait on the client still wakes (the latch).
    struct sigaction sa {};
    sa.sa_handler = HandleReload;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGHUP, &sa, nullptr);
  }
  signal(SIGCHLD, SIG_DFL);
  PreloadBackendState();  // done already if the postmaster forked us
  g_client_fd = info_.sock;
  SetPostmasterDeathWakeup(SetLatch);  // a wait on the client ends at once
  {
    struct sigaction sa {};
    sa.sa_sigaction = HandleQuickDie;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGQUIT, &sa, nullptr);
  }
  InstallSignal(SIGALRM, HandleAlarm);
  sigset_t all;
  sigemptyset(&all);
  sigprocmask(SIG_SETMASK, &all, nullptr);  // the postmaster blocked signals around fork()

  std::string client = info_.unix_socket ? "[local]"
                                         : fmt::format("{}({})", info_.client_host, info_.client_port);
  SetPsTitle(client + " starting");
  SetState(SessionState::kStarting);
  reader_.SetWait([](int fd) { WaitForClient(fd, POLLIN); });  // client_io.cpp

  // A client has authentication_timeout seconds in all to finish startup
  // (one deadline, not one per read: a byte a minute does not keep a slot).
  reader_.SetInterruptHook([]() -> Status {
    if (g_auth_timeout_pending) {
      return MakeError(sqlstate::kQueryCanceled, "canceling authentication due to timeout", Severity::kFatal);
    }
    return CheckForInterrupts();
  });
  ArmAlarm(kAlarmAuthentication, int64_t{info_.config->Int("authentication_timeout")} * 1000);
  if (!ReadStartup()) _exit(0);
  if (info_.cac != CanAcceptConnections::kOk) {
    Reject(info_.cac == CanAcceptConnections::kTooMany
               ? TooManyClients()
           : info_.cac == CanAcceptConnections::kRecovery
               ? MakeError(sqlstate::kCannotConnectNow, "the database system is in recovery mode", Severity::kFatal)
           : info_.cac == CanAcceptConnections::kStartup
               ? MakeError(sqlstate::kCannotConnectNow, "the database system is starting up", Severity::kFatal)
               : MakeError(sqlstate::kCannotConnectNow, "the database system is shutting down", Severity::kFatal));
  }
  // A session (not a cancel request, not a dead end): only now does it
  // take a slot in the process array, as PostgreSQL's InitProcess takes a
  // PGPROC after the startup packet.
  int slot = shmem::ClaimBackendSlot();
  if (slot < 0) Reject(TooManyClients());
  shmem::InitMyStatus(slot, shmem::BackendType::kClientBackend, info_.unix_socket ? "" : info_.client_host,
                      info_.unix_socket ? -1 : info_.client_port);
  shmem::ReportConnection(user_, database_, application_name_);
  step::InitMyStepSlot(slot, info_.sock);  // minipg_step_* and minipg_query_state

  SetPsFixedPart(fmt::format("{} {} {}", user_, database_, client));
  if (Status st = InitStorageForProcess(*info_.config); !st.ok()) Fatal(st.error());
  Authenticate();
  storage::SharedInvalSetDatabase(database_oid_);
  lmgr::SetLockDatabase(database_oid_);
  ArmAlarm(kAlarmAuthentication, 0);

  sql::SessionContext ctx;
  ctx.cluster_dir = info_.config->data_directory;
  ctx.data_dir = storage::DatabasePath(info_.config->data_directory, database_oid_);
  ctx.user = user_;
  ctx.database = database_;
  ctx.backend_pid = getpid();
  ctx.notice = [this](const Error& e) { SendNotice(e); };
  ctx.server_version = fmt::format("PostgreSQL {} on x86_64-pc-linux-gnu, an educational server", kServerVersion);
  ctx.server_settings = &info_.config->settings;
  session_ = std::make_unique<sql::Session>(ctx);
  pgstat::SetMyDatabase(database_oid_);
  pgstat::CountSessionStart();
  if (!application_name_.empty()) (void)session_->SetSetting("application_name", application_name_);

  SendStartupParameters();
  SetState(SessionState::kIdle);
  SendReadyForQuery();
  MessageLoop();
}

}  // namespace backend

void PreloadBackendState() {
  static bool done = false;
  if (done) return;
  done = true;
  (void)sql::Builtins();
  backend::PrepareQuickDie(backend::g_quickdie_immediate, sqlstate::kAdminShutdown,
                           "terminating connection due to immediate shutdown command");
  backend::PrepareQuickDie(backend::g_quickdie_crash, sqlstate::kCrashShutdown,
                           "terminating connection because of crash of another server process");
}

void BackendMain(const BackendStartInfo& info) {
  backend::Backend backend(info);
  backend.Run();
}

}  // namespace minipg
