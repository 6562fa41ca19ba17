/*-------------------------------------------------------------------------
 * admin_functions.h
 *   Functions that look at or act on other server processes through the
 *   shared process array: pg_cancel_backend, pg_terminate_backend, now().
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>

#include "engine/common/error.h"
#include "engine/sql/session.h"
#include "engine/storage/datum.h"

namespace minipg::sql {

/* pg_cancel_backend(pid) (SIGINT) or pg_terminate_backend(pid) (SIGTERM):
 * true if `pid` is a client backend of this server and was signalled;
 * otherwise false, with PostgreSQL's WARNING sent through ctx.notice. */
Result<storage::Datum> SignalBackend(int64_t pid, bool terminate, const SessionContext& ctx);

/* now(): the start of the current transaction, microseconds since the Unix
 * epoch (as PostgreSQL's now() stays fixed within a transaction). */
int64_t TransactionStartTimestamp();

}  // namespace minipg::sql
