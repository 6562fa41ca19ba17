/*-------------------------------------------------------------------------
 * admin_functions.h
 *   Functions that look at or act on other server processes through the
 *   shared process array: pg_cancel_backend, pg_terminate_backend, now();
 *   and pg_reload_conf(), which signals the postmaster.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <optional>

#include "engine/common/error.h"
#include "engine/shmem/backend_status.h"
#include "engine/sql/session.h"
#include "engine/storage/datum.h"

namespace minipg::sql {

/* The client backend `pid`, if this session may act on it (PostgreSQL
 * 15's rules for signalling one): nullopt, with PostgreSQL's WARNING "PID
 * n is not a PostgreSQL backend process", if it is not one; 42501 with
 * `super_message` if it is a superuser's and this session's user is not
 * one, with `member_message` if this user has not its role's privileges. */
Result<std::optional<shmem::BackendStatusCopy>> TargetBackend(int64_t pid, const SessionContext& ctx,
                                                                const char* super_message,
                                                                const char* member_message);

/* pg_cancel_backend(pid) (SIGINT) or pg_terminate_backend(pid) (SIGTERM):
 * true if `pid` is a client backend of this server and was signalled;
 * otherwise false, with PostgreSQL's WARNING sent through ctx.notice. */
Result<storage::Datum> SignalBackend(int64_t pid, bool terminate, const SessionContext& ctx);

/* pg_reload_conf(): sends SIGHUP to the postmaster, which re-reads
 * minipg.conf and pg_hba.conf and forwards the signal to every child (each
 * re-reads minipg.conf itself). Superusers only (42501, as PostgreSQL's
 * default privileges); false with a WARNING if there is no postmaster to
 * signal (a session without a server). */
Result<storage::Datum> ReloadConf(const SessionContext& ctx);

/* now(): the start of the current transaction, microseconds since the Unix
 * epoch (as PostgreSQL's now() stays fixed within a transaction). */
int64_t TransactionStartTimestamp();

}  // namespace minipg::sql
