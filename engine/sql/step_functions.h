/*-------------------------------------------------------------------------
 * step_functions.h
 *   Live stepping from SQL (docs/stepping.md): the functions that drive
 *   another backend through its step points, the views that show where it
 *   is and how far each node of its running plan has got, and the stage
 *   and commit step points the session takes (engine/shmem/step.h has the
 *   slots and the pause itself).
 *
 *     minipg_step_attach(pid [, granularity])  stop it at its next step point
 *     minipg_step_next(pid [, n])              let it pass n points; where it stopped
 *     minipg_step_detach(pid)                  let it run freely
 *     minipg_step_state                        view: attached backends and their point
 *     minipg_query_state(pid)                  the live plan of its running query
 *
 * NOTES
 *   Who may: a superuser, or a user with the privileges of the target's
 *   role, as for pg_cancel_backend (42501 otherwise); a pid that is not a
 *   client backend gets PostgreSQL's WARNING and false (NULL for next).
 *   minipg_step_next waits interruptibly (a cancel or statement_timeout
 *   ends it with 57014, the target stays where it is).
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "engine/common/error.h"
#include "engine/sql/session.h"

namespace minipg::sql {

struct BuiltinRegistry;  // adt/builtins.h
struct SystemView;       // system_views.h
struct Query;            // query.h

/* Adds minipg_step_attach, _next and _detach to the registry. */
void RegisterStepFunctions(BuiltinRegistry& r);

/* minipg_step_state and minipg_query_state(pid), system views of their own
 * list (system_views.cpp looks through it). */
const std::vector<SystemView>& StepViews();

/* The session's minipg.step_delay, taken before its step points. */
void SetStepDelay(const SessionContext& ctx);

/* The step point before a stage ("parse", "analyze"); detail: the text or
 * the statement. */
Status StepStage(const char* stage, std::string_view detail);
/* The points before rewrite and plan of a planned statement. */
Status StepRewriteAndPlan(const Query& query);
/* Commit's points: before the commit record (after = false), and after
 * its WAL flush at `lsn`. Only for a transaction with an xid (one that
 * writes a commit record). After the commit a cancel is not an error (the
 * transaction is over); it stays pending. */
Status StepCommit(bool after, uint64_t lsn);
/* The point before an ERROR is sent (not for cancels and FATALs). */
Status StepError(const Error& error);

}  // namespace minipg::sql
