/*-------------------------------------------------------------------------
 * admin_functions.cpp
 *   pg_cancel_backend, pg_terminate_backend, pg_reload_conf and now() (see
 *   admin_functions.h).
 *
 * NOTES
 *   As in PostgreSQL, the target must be in the process array as a client
 *   backend (the checkpointer, the event collector and the postmaster are
 *   refused with a WARNING). Every user is a superuser in minipg, so there
 *   is no role check. The target acts on the signal at its next check for
 *   interrupts: a cancel ends its running statement (57014), a terminate
 *   its session (FATAL 57P01).
 *-------------------------------------------------------------------------
 */
#include "engine/sql/admin_functions.h"

#include <fmt/format.h>
#include <signal.h>

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "engine/common/sqlstate.h"
#include "engine/shmem/backend_status.h"
#include "engine/sql/role_ddl.h"
#include "engine/trace/emitter.h"

namespace minipg::sql {

Result<std::optional<shmem::BackendStatusCopy>> TargetBackend(int64_t pid, const SessionContext& ctx,
                                                                const char* super_message,
                                                                const char* member_message) {
  auto target = shmem::FindClientBackend(static_cast<pid_t>(pid));
  if (!target) {
    if (ctx.notice) {
      Error w = MakeError(sqlstate::kWarning,
                          fmt::format("PID {} is not a PostgreSQL backend process", pid));
      w.severity = Severity::kWarning;
      ctx.notice(w);
    }
    return std::optional<shmem::BackendStatusCopy>();
  }
  // PostgreSQL 15's rules: only a superuser may act on a superuser's
  // backend; others only on backends of roles they have the privileges of
  // (their own, or one they are a member of; minipg has no pg_signal_backend).
  if (!SessionUserIsSuperuser(ctx)) {
    SessionContext as_target = ctx;
    as_target.user = target->user;
    if (SessionUserIsSuperuser(as_target)) {
      return MakeError(sqlstate::kInsufficientPrivilege, super_message);
    }
    if (!SessionHasPrivsOfRole(ctx, target->user)) {
      return MakeError(sqlstate::kInsufficientPrivilege, member_message);
    }
  }
  return target;
}

Result<storage::Datum> SignalBackend(int64_t pid, bool terminate, const SessionContext& ctx) {
  auto target = TargetBackend(
      pid, ctx,
      terminate ? "must be a superuser to terminate superuser process" : "must be a superuser to cancel superuser query",
      terminate ? "must be a member of the role whose process is being terminated or member of pg_signal_backend"
                : "must be a member of the role whose query is being canceled or member of pg_signal_backend");
  if (!target.ok()) return target.error();
  if (!*target) return storage::Datum(false);
  int sig = terminate ? SIGTERM : SIGINT;
  trace::Event(trace::EventType::kSignal)
      .Int("target", pid)
      .Str("signal", terminate ? "SIGTERM" : "SIGINT")
      .Str("why", terminate ? "pg_terminate_backend" : "pg_cancel_backend")
      .Emit();
  if (kill(static_cast<pid_t>(pid), sig) != 0) {
    if (ctx.notice) {
      Error w = MakeError(sqlstate::kWarning, fmt::format("could not send signal to process {}: {}",
                                                          pid, std::strerror(errno)));
      w.severity = Severity::kWarning;
      ctx.notice(w);
    }
    return storage::Datum(false);
  }
  return storage::Datum(true);
}

Result<storage::Datum> ReloadConf(const SessionContext& ctx) {
  if (!SessionUserIsSuperuser(ctx)) {
    return MakeError(sqlstate::kInsufficientPrivilege, "permission denied for function pg_reload_conf");
  }
  // The postmaster is the pid postmaster.pid names (as pg_ctl finds it),
  // and only if it is this backend's parent: a session without a server
  // (tests) must never signal whatever process started it.
  pid_t postmaster = 0;
  if (!ctx.cluster_dir.empty()) {
    std::ifstream lock(ctx.cluster_dir / "postmaster.pid");
    long pid = 0;
    if (lock >> pid && pid > 1 && pid == getppid()) postmaster = static_cast<pid_t>(pid);
  }
  if (postmaster == 0 || kill(postmaster, SIGHUP) != 0) {
    if (ctx.notice) {
      Error w = MakeError(sqlstate::kWarning, fmt::format("failed to send signal to postmaster: {}",
                                                          postmaster == 0 ? "no postmaster" : std::strerror(errno)));
      w.severity = Severity::kWarning;
      ctx.notice(w);
    }
    return storage::Datum(false);
  }
  trace::Event(trace::EventType::kSignal)
      .Int("target", postmaster)
      .Str("signal", "SIGHUP")
      .Str("why", "pg_reload_conf")
      .Emit();
  return storage::Datum(true);
}

int64_t TransactionStartTimestamp() {
  int64_t t = shmem::MyXactStart();
  return t != 0 ? t : shmem::WallClockMicros();
}

}  // namespace minipg::sql
